//! Back-channel logout (issue 20, OIDC Back-Channel Logout 1.0) end to end: a company
//! signs in to a CO site (whose backchannel_logout_uri is a small HTTP server of this
//! test) and a citizen to Garanzia Giovani (no back-channel URI); both log out of the
//! portal; the job POST /jobs/oidc/logout sends one signed logout token, to the CO site
//! only; a second run sends nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine;
use e2e::client::{Client, registered_citizen};
use e2e::staff::{self, ACME};
use e2e::{App, Start, request};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SECRET: &str = "test-jobs-secret-0123456789abcdefghij";
const CLIENT_SECRET: &str = "demo-partner-secret";
const CB: &str = "https://partner.invalid/callback";
const VERIFIER: &str = "e2e-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

/// A partner's back-channel logout endpoint: records each request (path, content type,
/// body) and answers 200.
struct Partner {
    port: u16,
    received: Arc<Mutex<Vec<(String, String, String)>>>,
}

impl Partner {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let (mut length, mut ctype) = (0usize, String::new());
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    match k.trim().to_ascii_lowercase().as_str() {
                        "content-length" => length = v.trim().parse().unwrap(),
                        "content-type" => ctype = v.trim().to_string(),
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                log.lock().unwrap().push((path, ctype, String::from_utf8(body).unwrap()));
                let mut stream = stream;
                let _ = write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            }
        });
        Self { port, received }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The development partners, the CO site of Florence with a back-channel URI on `partner`.
fn clients(partner: &Partner) -> String {
    let mut list: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(e2e::root().join("config/oidc/development.json")).unwrap()).unwrap();
    for c in &mut list {
        c.as_object_mut().unwrap().remove("backchannel_logout_uri");
        if c["client_id"] == "demo-co-fi" {
            c["backchannel_logout_uri"] = json!(format!("{}/bcl", partner.origin()));
        }
    }
    serde_json::to_string(&list).unwrap()
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Consent and code for `client_id` (with the hand-off's `login_hint` for a CO site),
/// then the token endpoint: the ID token's claims.
fn sign_in(app: &App, person: &Client, client_id: &str, hint: Option<&str>) -> Value {
    let mut q = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CB),
        ("scope", "openid profile email"),
        ("state", "s1"),
        ("nonce", "n1"),
        ("code_challenge_method", "S256"),
    ];
    let challenge = b64(&Sha256::digest(VERIFIER.as_bytes()));
    q.push(("code_challenge", &challenge));
    if let Some(h) = hint {
        q.push(("login_hint", h));
    }
    q.push(("decision", "allow"));
    let r = person.post_form("/oidc/authorize", &q);
    assert_eq!(r.status, 302, "{}\n{}", r.body, app.log_text());
    let loc = r.header("location").unwrap().to_string();
    let code = form_urlencoded::parse(loc.split_once('?').unwrap().1.as_bytes()).find(|(k, _)| k == "code").unwrap().1.into_owned();
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{CLIENT_SECRET}")));
    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", CB), ("code_verifier", VERIFIER)];
    let t = request("POST", &app.url("/oidc/token"), &[("authorization", &basic)], Some(&form)).json_checked();
    let key = oidc::jose::public_from_pem(&std::fs::read_to_string(e2e::root().join(".dev/oidc.key")).unwrap()).unwrap();
    oidc::jose::verify(t["id_token"].as_str().unwrap(), &key).expect("a signed ID token")
}

fn job(app: &App) -> Value {
    request("POST", &app.url("/jobs/oidc/logout"), &[("authorization", &format!("Bearer {SECRET}"))], Some(&[])).json_checked()
}

#[test]
fn logging_out_of_the_portal_sends_a_signed_logout_token_once_to_partners_that_asked() {
    let partner = Partner::start();
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg(format!("jobs_secret={SECRET}"))
        .arg("--variable")
        .arg(format!("oidc_logout_origin={}", partner.origin()))
        .arg("--variable")
        .arg(format!("oidc_clients={}", clients(&partner)))
        .start();
    let discovery = e2e::get(&app.url("/.well-known/openid-configuration")).json_checked();
    assert_eq!(discovery["backchannel_logout_supported"], true);

    let company = staff::acting_for(&app, 0, ACME);
    let url = company.post("/api/oidc/handoff", &json!({ "client_id": "demo-co-fi" })).json_checked()["url"].as_str().unwrap().to_string();
    let hint = form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes()).find(|(k, _)| k == "login_hint").unwrap().1.into_owned();
    let id_token = sign_in(&app, &company, "demo-co-fi", Some(&hint));
    let citizen = registered_citizen(&app, 1);
    sign_in(&app, &citizen, "demo-gg", None);

    // while the sessions live, nothing is sent
    assert_eq!(job(&app)["claimed"], 0);
    assert!(partner.received.lock().unwrap().is_empty());

    for person in [&company, &citizen] {
        let r = person.post_form("/auth/logout", &[]);
        assert!(r.status == 303 || r.status == 302 || r.status == 200, "{}", r.body);
        assert_eq!(person.get("/api/session").json()["authenticated"], false, "the portal session ended");
    }
    let report = job(&app);
    assert_eq!((report["discovered"].as_i64(), report["claimed"].as_i64(), report["sent"].as_i64()), (Some(2), Some(1), Some(1)), "{report}\n{}", app.log_text());
    let received = partner.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "{received:?}");
    let (path, ctype, body) = &received[0];
    assert_eq!((path.as_str(), ctype.as_str()), ("/bcl", "application/x-www-form-urlencoded"));
    let token = form_urlencoded::parse(body.as_bytes()).find(|(k, _)| k == "logout_token").unwrap().1.into_owned();
    let header: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["typ"], "logout+jwt");
    let jwks = e2e::get(&app.url("/oidc/jwks")).json_checked();
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    let key = oidc::jose::public_from_pem(&std::fs::read_to_string(e2e::root().join(".dev/oidc.key")).unwrap()).unwrap();
    let claims = oidc::jose::verify(&token, &key).expect("signed with the published current key");
    assert_eq!(claims["iss"], app.base.trim_end_matches('/'));
    assert_eq!(claims["iss"], id_token["iss"]);
    assert_eq!(claims["aud"], "demo-co-fi");
    assert_eq!(claims["sub"], id_token["sub"]);
    assert_eq!(claims["sid"], id_token["sid"]);
    assert_eq!(claims["events"], json!({ "http://schemas.openid.net/event/backchannel-logout": {} }));
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
    assert!(claims.get("nonce").is_none() && claims["jti"].is_string());

    // a second run sends nothing; each run also purges (here nothing has expired yet:
    // the codes, tokens and hand-offs of these logins are minutes old)
    let again = job(&app);
    assert_eq!((again["discovered"].as_i64(), again["claimed"].as_i64()), (Some(0), Some(0)), "{again}");
    assert_eq!(again["purged"], json!({"codes": 0, "tokens": 0, "handoffs": 0, "logouts": 0}), "{again}");
    assert_eq!(partner.received.lock().unwrap().len(), 1);

    // the job needs its secret
    let r = request("POST", &app.url("/jobs/oidc/logout"), &[("authorization", "Bearer wrong")], Some(&[]));
    assert_eq!(r.status, 403);
}

/// The `name=value` of a `Set-Cookie` named `name`.
fn set_cookie(r: &e2e::Reply, name: &str) -> String {
    r.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie")).map(|(_, v)| v.split(';').next().unwrap().to_string()).find(|c| c.starts_with(&format!("{name}="))).unwrap_or_else(|| panic!("no {name} cookie in {:?}", r.headers))
}

/// The development demo partner (spin.dev.toml) as a browser meets it: company ->
/// hand-off -> the demo partner's login -> consent -> its callback (code exchange, ID
/// token and userinfo checked by the demo partner through outbound HTTP to the portal)
/// -> its page shows Mario Rossi for ACME; after the portal's logout and the job, the
/// demo partner's page says the session ended.
#[test]
fn the_demo_partner_signs_in_a_company_and_is_logged_out_by_the_portal() {
    let state = tempfile::tempdir().unwrap();
    let start = Start::portal(state.path()).arg("--variable").arg(format!("jobs_secret={SECRET}"));
    let port = start.listen.unwrap();
    // the development partners, on this run's port
    let clients = std::fs::read_to_string(e2e::root().join("config/oidc/development.json")).unwrap().replace("127.0.0.1:3000", &format!("127.0.0.1:{port}"));
    let app = start.arg("--variable").arg(format!("oidc_clients={clients}")).start();
    let company = staff::acting_for(&app, 0, ACME);
    let url = company.post("/api/oidc/handoff", &json!({ "client_id": "demo-co-fi" })).json_checked()["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&app.url("/demo-partner/login?")), "{url}");

    let login = request("GET", &url, &[], None);
    assert_eq!(login.status, 303, "{}\n{}", login.body, app.log_text());
    let state_cookie = set_cookie(&login, "demo_partner_state");
    let authorize = login.header("location").unwrap().to_string();
    let consent = request("GET", &authorize, &[("cookie", &company.cookie)], None);
    assert_eq!(consent.status, 200, "the consent page\n{}", consent.body);
    let mut fields: Vec<(String, String)> = form_urlencoded::parse(authorize.split_once('?').unwrap().1.as_bytes()).into_owned().collect();
    fields.push(("decision".into(), "allow".into()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let back = company.post_form("/oidc/authorize", &fields);
    assert_eq!(back.status, 302, "{}", back.body);
    let callback = back.header("location").unwrap().to_string();
    assert!(callback.starts_with(&app.url("/demo-partner/callback?")), "{callback}");
    // without the state cookie the demo partner refuses the callback
    assert_eq!(request("GET", &callback, &[], None).status, 400);
    let done = request("GET", &callback, &[("cookie", &state_cookie)], None);
    assert_eq!(done.status, 303, "{}\n{}", done.body, app.log_text());
    let partner_cookie = set_cookie(&done, "demo_partner_session");
    let page = request("GET", &app.url("/demo-partner/"), &[("cookie", &partner_cookie)], None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mario Rossi") && page.body.contains("ACME S.R.L.") && page.body.contains("01234560488"), "{}", page.body);
    assert!(page.body.contains("Comunicazioni Obbligatorie - Firenze (demo)"), "{}", page.body);

    company.post_form("/auth/logout", &[]);
    let report = job(&app);
    assert_eq!((report["claimed"].as_i64(), report["sent"].as_i64()), (Some(1), Some(1)), "{report}\n{}", app.log_text());
    let page = request("GET", &app.url("/demo-partner/"), &[("cookie", &partner_cookie)], None);
    assert!(page.body.contains("Sessione terminata") && !page.body.contains("ACME S.R.L."), "{}", page.body);
    // a forged logout token is refused
    let r = request("POST", &app.url("/demo-partner/backchannel-logout"), &[], Some(&[("logout_token", "a.b.c")]));
    assert_eq!(r.status, 400);
}
