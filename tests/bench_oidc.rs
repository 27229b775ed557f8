//! Benchmark of the OpenID Connect provider (issue 20, "Performance"): the authorization
//! + token round trip through the runner (a citizen who consented already: `GET
//! /oidc/authorize` answers the code, `POST /oidc/token` exchanges it with PKCE and signs
//! the ID token), BENCH_REQUESTS times (default 50), and the ID token's RS256 signing
//! natively (`oidc::jose::Signer::sign` with the development key, 2048 bits).
//!
//! Run: `cargo bench -p e2e --bench oidc` (after a build).

use std::time::Instant;

use base64::Engine;
use e2e::client::registered_citizen;
use e2e::latency::{env, row, timed};
use e2e::{Start, request};
use sha2::{Digest, Sha256};

const CB: &str = "https://partner.invalid/callback";

fn main() {
    let n = env("BENCH_REQUESTS", 50).max(1);
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).start();
    let citizen = registered_citizen(&app, 1);
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let verifier = "bench-verifier-0123456789-0123456789-0123456789";
    let challenge = b64(&Sha256::digest(verifier.as_bytes()));
    let authorize = format!(
        "/oidc/authorize?response_type=code&client_id=demo-gg&redirect_uri={}&scope=openid&state=s&nonce=n&code_challenge={challenge}&code_challenge_method=S256",
        form_urlencoded::byte_serialize(CB.as_bytes()).collect::<String>()
    );
    // consent once, as the person would the first time
    let page = request("GET", &app.url(&authorize), &[("cookie", &citizen.cookie)], None);
    assert_eq!(page.status, 200, "{}", page.body);
    let mut form: Vec<(&str, String)> = form_urlencoded::parse(authorize.split_once('?').unwrap().1.as_bytes()).map(|(k, v)| (k.into_owned().leak() as &str, v.into_owned())).collect();
    form.push(("decision", "allow".into()));
    form.push(("csrf_token", citizen.csrf.clone()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = request("POST", &app.url("/oidc/authorize"), &[("cookie", &citizen.cookie)], Some(&fields));
    assert_eq!(r.status, 302, "{}", r.body);
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("demo-gg:demo-partner-secret"));

    println!("| request (runner, one connection) | n | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    let (mut codes, mut auth_d, mut token_d) = (Vec::new(), Vec::new(), Vec::new());
    let both = timed(n, |_| {
        let t = Instant::now();
        let r = request("GET", &app.url(&authorize), &[("cookie", &citizen.cookie)], None);
        auth_d.push(t.elapsed());
        assert_eq!(r.status, 302, "{}", r.body);
        let location = r.header("location").unwrap().to_string();
        let code = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes()).find(|(k, _)| k == "code").unwrap().1.into_owned();
        let t = Instant::now();
        let r = request("POST", &app.url("/oidc/token"), &[("authorization", &basic)], Some(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CB), ("code_verifier", verifier)]));
        token_d.push(t.elapsed());
        assert_eq!(r.status, 200, "{}", r.body);
        codes.push(code);
    });
    row("authorization `GET /oidc/authorize` (consented: 302 with the code)", auth_d);
    row("token `POST /oidc/token` (PKCE, RS256 ID token)", token_d);
    row("authorization + token round trip", both);

    let pem = std::fs::read_to_string(e2e::root().join(".dev/oidc.key")).unwrap();
    let signer = oidc::jose::Signer::from_pem("dev2", &pem).unwrap();
    let claims = serde_json::json!({"iss": app.base, "sub": "x".repeat(64), "aud": "demo-gg", "exp": 2, "iat": 1, "auth_time": 1, "nonce": "n", "acr": "https://www.spid.gov.it/SpidL2"});
    let sign = timed(n.max(100), |_| {
        std::hint::black_box(signer.sign(&claims));
    });
    println!();
    println!("| native | n | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    row("ID token RS256 signature (2048-bit key, `oidc::jose::Signer::sign`)", sign);
    assert_eq!(codes.len(), n);
}
