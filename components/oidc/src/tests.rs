use access::testing::{db, sign_in};
use base64::Engine;
use common::Req;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::*;

const NOW: i64 = 1_780_000_000;
const KEY: &str = include_str!("testdata/key.pem");
const PREVIOUS: &str = include_str!("testdata/previous.pem");
const SECRET: &str = "demo-secret";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";
const CO: &str = "co-fi";
const GG: &str = "garanzia-giovani";
const CO_CB: &str = "https://co-fi.example/cb";
const GG_CB: &str = "https://gg.example/cb";

fn clients() -> String {
    let secret = sha256_hex(SECRET.as_bytes());
    json!([
        {"client_id": CO, "name": "Comunicazioni Obbligatorie - Firenze", "kind": "co", "province": "FI", "secret_sha256": secret,
         "redirect_uris": [CO_CB], "initiate_login_uri": "https://co-fi.example/login", "backchannel_logout_uri": "https://co-fi.example/bcl"},
        {"client_id": GG, "name": "Garanzia Giovani", "kind": "gg", "secret_sha256": secret,
         "redirect_uris": [GG_CB], "initiate_login_uri": "https://gg.example/login"}
    ])
    .to_string()
}

fn vars(r: Req) -> Req {
    r.var_set("base_url", "https://portale.example")
        .var_set("oidc_clients", &clients())
        .var_set("oidc_signing_key", KEY)
        .var_set("oidc_signing_kid", "k2")
        .var_set("oidc_previous_key", PREVIOUS)
        .var_set("oidc_previous_kid", "k1")
        .var_set("oidc_subject_salt", "salt")
}

fn as_person(method: &str, target: &str, cookie: &str, now: i64) -> Req {
    vars(access::testing::req(method, target, cookie, now))
}

fn challenge(verifier: &str) -> String {
    jose::b64(&Sha256::digest(verifier.as_bytes()))
}

fn authz_query(client: &str, cb: &str, hint: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", client)
        .append_pair("redirect_uri", cb)
        .append_pair("scope", "openid profile email")
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1")
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256");
    if let Some(h) = hint {
        q.append_pair("login_hint", h);
    }
    q.finish()
}

fn location_params(r: &Reply) -> std::collections::HashMap<String, String> {
    let loc = r.header("location").expect("a redirect");
    let query = loc.split_once('?').map(|x| x.1).unwrap_or("");
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

fn body(r: &Reply) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn handoff_token(c: &rusqlite::Connection, cookie: &str, csrf: &str, client: &str) -> Reply {
    handle(&as_person("POST", "/api/oidc/handoff", cookie, NOW).header_set("x-csrf-token", csrf).json_body(&json!({"client_id": client})), c)
}

fn login_hint(r: &Reply) -> String {
    let url = body(r)["url"].as_str().unwrap().to_string();
    form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes()).find(|(k, _)| k == "login_hint").unwrap().1.into_owned()
}

/// Mario (active, incarico for ACME) consents and gets a code for the CO site of Florence.
fn co_code(c: &rusqlite::Connection) -> (String, String, String) {
    let (cookie, csrf) = sign_in(c, 1, NOW);
    access::session::set_acting(c, &access::session::find(c, &cookie, NOW, access::testing::T).unwrap().unwrap(), Some(1)).unwrap();
    let hint = login_hint(&handoff_token(c, &cookie, &csrf, CO));
    let q = authz_query(CO, CO_CB, Some(&hint));
    let page = handle(&as_person("GET", &format!("/oidc/authorize?{q}"), &cookie, NOW), c);
    assert_eq!(page.status, 200, "consent page first");
    let form = format!("{q}&decision=allow&csrf_token={csrf}");
    let r = handle(&as_person("POST", "/oidc/authorize", &cookie, NOW).header_set("content-type", "application/x-www-form-urlencoded").raw_body(form), c);
    assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
    let p = location_params(&r);
    assert_eq!(p["state"], "st-1");
    assert_eq!(p["iss"], "https://portale.example");
    (p["code"].clone(), cookie, csrf)
}

fn token_req(form: &str, basic: Option<(&str, &str)>, now: i64) -> Req {
    let mut r = vars(Req::new("POST", "/oidc/token").at(now)).header_set("content-type", "application/x-www-form-urlencoded").raw_body(form.to_string());
    if let Some((id, secret)) = basic {
        r = r.header_set("authorization", &format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))));
    }
    r
}

fn exchange_form(code: &str, cb: &str, verifier: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", cb)
        .append_pair("code_verifier", verifier)
        .finish()
}

#[test]
fn discovery_and_jwks_publish_both_keys() {
    let c = db();
    let d = body(&handle(&vars(Req::new("GET", "/.well-known/openid-configuration")), &c));
    assert_eq!(d["issuer"], "https://portale.example");
    assert_eq!(d["token_endpoint"], "https://portale.example/oidc/token");
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    let k = body(&handle(&vars(Req::new("GET", "/oidc/jwks")), &c));
    let kids: Vec<&str> = k["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, ["k2", "k1"]);
}

#[test]
fn company_handoff_code_token_userinfo() {
    let c = db();
    let (code, _, _) = co_code(&c);
    let r = handle(&token_req(&exchange_form(&code, CO_CB, VERIFIER), Some((CO, SECRET)), NOW + 5), &c);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let t = body(&r);
    let key = jose::public_from_pem(KEY).unwrap();
    let claims = jose::verify(t["id_token"].as_str().unwrap(), &key).expect("signed by the current key");
    assert_eq!(claims["iss"], "https://portale.example");
    assert_eq!(claims["aud"], CO);
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["acr"], "https://www.spid.gov.it/SpidL2");
    assert_eq!(claims["exp"], NOW + 5 + ID_TOKEN_TTL);
    assert!(jose::verify(t["id_token"].as_str().unwrap(), &jose::public_from_pem(PREVIOUS).unwrap()).is_none());
    let u = handle(&vars(Req::new("GET", "/oidc/userinfo").at(NOW + 6)).header_set("authorization", &format!("Bearer {}", t["access_token"].as_str().unwrap())), &c);
    let u = body(&u);
    assert_eq!(u["fiscal_number"], "TINIT-RSSMRA85C14D612R");
    assert_eq!(u["given_name"], "Mario");
    assert_eq!(u["email"], "mario@example.org");
    assert_eq!(u["company_fiscal_code"], "01234560488");
    assert_eq!(u["company_name"], "ACME S.R.L.");
    assert_eq!(u["company_role"], "rappresentante_legale");
    assert_eq!(u["sub"], claims["sub"]);
}

#[test]
fn a_code_used_twice_revokes_its_tokens() {
    let c = db();
    let (code, _, _) = co_code(&c);
    let form = exchange_form(&code, CO_CB, VERIFIER);
    let t = body(&handle(&token_req(&form, Some((CO, SECRET)), NOW + 1), &c));
    let again = handle(&token_req(&form, Some((CO, SECRET)), NOW + 2), &c);
    assert_eq!((again.status, body(&again)["error"].as_str()), (400, Some("invalid_grant")));
    let u = handle(&vars(Req::new("GET", "/oidc/userinfo").at(NOW + 3)).header_set("authorization", &format!("Bearer {}", t["access_token"].as_str().unwrap())), &c);
    assert_eq!(u.status, 401);
    assert!(u.header("www-authenticate").unwrap().contains("invalid_token"));
}

#[test]
fn code_binding_expiry_and_pkce() {
    let c = db();
    let (code, _, _) = co_code(&c);
    let refuse = |form: String, basic: (&str, &str), now: i64| {
        let r = handle(&token_req(&form, Some(basic), now), &c);
        (r.status, body(&r)["error"].as_str().unwrap().to_string())
    };
    assert_eq!(refuse(exchange_form(&code, CO_CB, VERIFIER), (GG, SECRET), NOW), (400, "invalid_grant".into()), "another client");
    assert_eq!(refuse(exchange_form(&code, CO_CB, VERIFIER), (CO, "wrong"), NOW), (401, "invalid_client".into()));
    assert_eq!(refuse(exchange_form(&code, GG_CB, VERIFIER), (CO, SECRET), NOW), (400, "invalid_grant".into()), "redirect_uri");
    let wrong = "x".repeat(50);
    assert_eq!(refuse(exchange_form(&code, CO_CB, &wrong), (CO, SECRET), NOW), (400, "invalid_grant".into()), "PKCE");
    let no_verifier = format!("grant_type=authorization_code&code={code}&redirect_uri={}", form_urlencoded::byte_serialize(CO_CB.as_bytes()).collect::<String>());
    assert_eq!(refuse(no_verifier, (CO, SECRET), NOW), (400, "invalid_grant".into()), "no verifier");
    assert_eq!(refuse(exchange_form(&code, CO_CB, VERIFIER), (CO, SECRET), NOW + CODE_TTL), (400, "invalid_grant".into()), "expired");
    // none of the refusals used the code up: within its 60 s it still works (client_secret_post)
    let post = format!("{}&client_id={CO}&client_secret={SECRET}", exchange_form(&code, CO_CB, VERIFIER));
    assert_eq!(handle(&token_req(&post, None, NOW + 10), &c).status, 200);
}

#[test]
fn unregistered_redirect_uri_is_a_page_not_a_redirect() {
    let c = db();
    let (cookie, _) = sign_in(&c, 1, NOW);
    let q = authz_query(GG, "https://evil.example/cb", None);
    let r = handle(&as_person("GET", &format!("/oidc/authorize?{q}"), &cookie, NOW), &c);
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
    let r = handle(&as_person("GET", &format!("/oidc/authorize?{}", authz_query("nobody", GG_CB, None)), &cookie, NOW), &c);
    assert_eq!(r.status, 400);
}

#[test]
fn missing_pkce_or_nonce_is_invalid_request() {
    let c = db();
    let (cookie, _) = sign_in(&c, 1, NOW);
    let q = authz_query(GG, GG_CB, None);
    for drop in ["code_challenge", "nonce"] {
        let q: String = q.split('&').filter(|p| !p.starts_with(&format!("{drop}="))).collect::<Vec<_>>().join("&");
        let r = handle(&as_person("GET", &format!("/oidc/authorize?{q}"), &cookie, NOW), &c);
        assert_eq!(r.status, 302);
        assert_eq!(location_params(&r)["error"], "invalid_request", "{drop}");
    }
    let plain = q.replace("code_challenge_method=S256", "code_challenge_method=plain");
    assert_eq!(location_params(&handle(&as_person("GET", &format!("/oidc/authorize?{plain}"), &cookie, NOW), &c))["error"], "invalid_request");
}

#[test]
fn without_a_session_the_person_logs_in_first() {
    let c = db();
    let q = authz_query(GG, GG_CB, None);
    let r = handle(&vars(Req::new("GET", &format!("/oidc/authorize?{q}")).at(NOW)), &c);
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().starts_with("/accedi/?next=%2Foidc%2Fauthorize%3F"));
}

#[test]
fn handoff_is_single_use_bound_and_required_for_co() {
    let c = db();
    let (cookie, csrf) = sign_in(&c, 1, NOW);
    // not acting for a company: refused
    assert_eq!(handoff_token(&c, &cookie, &csrf, CO).status, 403);
    access::session::set_acting(&c, &access::session::find(&c, &cookie, NOW, access::testing::T).unwrap().unwrap(), Some(1)).unwrap();
    c.execute("INSERT INTO oidc_consents (person_id, client_id, granted_at) VALUES (1, ?1, 0)", [CO]).unwrap();
    // no hand-off, a forged one
    for hint in [None, Some("f".repeat(64))] {
        let r = handle(&as_person("GET", &format!("/oidc/authorize?{}", authz_query(CO, CO_CB, hint.as_deref())), &cookie, NOW), &c);
        assert_eq!(location_params(&r)["error"], "access_denied");
    }
    let hint = login_hint(&handoff_token(&c, &cookie, &csrf, CO));
    let go = |now: i64| handle(&as_person("GET", &format!("/oidc/authorize?{}", authz_query(CO, CO_CB, Some(&hint))), &cookie, now), &c);
    assert!(location_params(&go(NOW))["code"].len() == 64);
    assert_eq!(location_params(&go(NOW))["error"], "access_denied", "replayed");
    // expired
    let hint = login_hint(&handoff_token(&c, &cookie, &csrf, CO));
    let r = handle(&as_person("GET", &format!("/oidc/authorize?{}", authz_query(CO, CO_CB, Some(&hint))), &cookie, NOW + HANDOFF_TTL), &c);
    assert_eq!(location_params(&r)["error"], "access_denied");
    // another person's hand-off: Giulia, active and with an incarico for ACME too
    let hint = login_hint(&handoff_token(&c, &cookie, &csrf, CO));
    c.execute_batch(
        "CREATE TEMP TABLE a2 AS SELECT * FROM accounts WHERE person_id = 1;
         UPDATE a2 SET person_id = 2, email = 'giulia@example.org', mobile = '+393470000002';
         INSERT INTO accounts SELECT * FROM a2;
         INSERT INTO incarichi (person_id, company_id, role, declaration_version, declaration_accepted_at, created_at) VALUES (2, 1, 'delegato', '1', 'x', 'x');
         INSERT INTO oidc_consents (person_id, client_id, granted_at) VALUES (2, 'co-fi', 0);",
    )
    .unwrap();
    let (other, _) = sign_in(&c, 2, NOW);
    let r = handle(&as_person("GET", &format!("/oidc/authorize?{}", authz_query(CO, CO_CB, Some(&hint))), &other, NOW), &c);
    assert_eq!(location_params(&r)["error"], "access_denied");
}

#[test]
fn a_company_without_incarico_is_refused() {
    let c = db();
    let (cookie, csrf) = sign_in(&c, 1, NOW);
    let s = access::session::find(&c, &cookie, NOW, access::testing::T).unwrap().unwrap();
    // GPI (company 2): no incarico, so acting for it does not take
    access::session::set_acting(&c, &s, Some(2)).unwrap();
    let r = handoff_token(&c, &cookie, &csrf, CO);
    assert_eq!(r.status, 403);
    // the incarico revoked between the hand-off and the login
    access::session::set_acting(&c, &s, Some(1)).unwrap();
    let hint = login_hint(&handoff_token(&c, &cookie, &csrf, CO));
    c.execute("UPDATE incarichi SET revoked_at = 'x' WHERE id = 1", []).unwrap();
    let r = handle(&as_person("GET", &format!("/oidc/authorize?{}", authz_query(CO, CO_CB, Some(&hint))), &cookie, NOW), &c);
    assert_eq!(location_params(&r)["error"], "access_denied");
}

#[test]
fn garanzia_giovani_needs_a_registered_citizen_and_consent_is_listed_and_revocable() {
    let c = db();
    let (giulia, _) = sign_in(&c, 2, NOW);
    let r = handle(&as_person("GET", &format!("/oidc/authorize?{}", authz_query(GG, GG_CB, None)), &giulia, NOW), &c);
    assert_eq!(location_params(&r)["error"], "access_denied", "not registered");
    let (cookie, csrf) = sign_in(&c, 1, NOW);
    let q = authz_query(GG, GG_CB, None);
    let page = handle(&as_person("GET", &format!("/oidc/authorize?{q}"), &cookie, NOW), &c);
    assert!(page.header("content-security-policy").unwrap().contains("form-action 'self' https://gg.example"));
    // a consent form without the CSRF token is refused
    let post = |form: String| handle(&as_person("POST", "/oidc/authorize", &cookie, NOW).header_set("content-type", "application/x-www-form-urlencoded").raw_body(form), &c);
    assert_eq!(post(format!("{q}&decision=allow")).status, 403);
    assert_eq!(location_params(&post(format!("{q}&decision=deny&csrf_token={csrf}")))["error"], "access_denied");
    assert!(location_params(&post(format!("{q}&decision=allow&csrf_token={csrf}"))).contains_key("code"));
    // consented: the next time goes straight back with a code
    assert!(location_params(&handle(&as_person("GET", &format!("/oidc/authorize?{q}"), &cookie, NOW), &c)).contains_key("code"));
    let list = body(&handle(&as_person("GET", "/api/oidc/consents", &cookie, NOW), &c));
    assert_eq!(list["items"][0]["name"], "Garanzia Giovani");
    let del = |csrf: &str| handle(&as_person("DELETE", &format!("/api/oidc/consents/{GG}"), &cookie, NOW).header_set("x-csrf-token", csrf), &c);
    assert_eq!(del("bad").status, 403);
    assert_eq!(body(&del(&csrf))["revoked"], true);
    assert_eq!(del(&csrf).status, 404);
    assert_eq!(handle(&as_person("GET", &format!("/oidc/authorize?{q}"), &cookie, NOW), &c).status, 200, "consent asked again");
}

#[test]
fn pkce_and_subjects() {
    assert!(jose::pkce_matches(VERIFIER, &challenge(VERIFIER)));
    assert!(!jose::pkce_matches("short", &challenge("short")));
    let r = vars(Req::new("GET", "/"));
    assert_ne!(pairwise_sub(&r, CO, "RSSMRA85C14D612R"), pairwise_sub(&r, GG, "RSSMRA85C14D612R"));
    assert_eq!(pairwise_sub(&r, CO, "RSSMRA85C14D612R"), pairwise_sub(&r, CO, "RSSMRA85C14D612R"));
}

#[test]
fn handoff_checks_the_session_and_csrf_before_the_body() {
    let c = db();
    let (cookie, _) = sign_in(&c, 1, NOW);
    let r = handle(&as_person("POST", "/api/oidc/handoff", &cookie, NOW).raw_body("not json"), &c);
    assert_eq!(r.status, 403);
    let r = handle(&vars(Req::new("POST", "/api/oidc/handoff").at(NOW)).raw_body("not json"), &c);
    assert_eq!(r.status, 401);
}

/// Mario signs in to the CO site and to Garanzia Giovani (no back-channel URI) in one
/// portal session, then logs out: the job sends one signed logout token, to the CO
/// site only, once.
#[test]
fn back_channel_logout_after_the_portal_session_ends() {
    let c = db();
    let (code, cookie, _) = co_code(&c);
    let r = handle(&token_req(&exchange_form(&code, CO_CB, VERIFIER), Some((CO, SECRET)), NOW + 5), &c);
    let id_token = body(&r)["id_token"].as_str().unwrap().to_string();
    let key = jose::public_from_pem(KEY).unwrap();
    let id_claims = jose::verify(&id_token, &key).unwrap();
    // the same session at Garanzia Giovani
    let q = authz_query(GG, GG_CB, None);
    let csrf = access::session::find(&c, &cookie, NOW, access::testing::T).unwrap().unwrap().csrf_token;
    let form = format!("{q}&decision=allow&csrf_token={csrf}");
    let r = handle(&as_person("POST", "/oidc/authorize", &cookie, NOW).header_set("content-type", "application/x-www-form-urlencoded").raw_body(form), &c);
    let gg_code = location_params(&r)["code"].clone();
    assert_eq!(handle(&token_req(&exchange_form(&gg_code, GG_CB, VERIFIER), Some((GG, SECRET)), NOW + 6), &c).status, 200);

    let job = |now: i64| vars(Req::new("POST", "/jobs/oidc/logout").at(now));
    let clients = config::clients(&job(NOW));
    // while the session lives nothing is found
    assert_eq!(logout::discover(&job(NOW + 10), &c, &clients).unwrap(), 0);
    let s = access::session::find(&c, &cookie, NOW + 10, access::testing::T).unwrap().unwrap();
    access::session::end(&c, &s).unwrap();
    assert_eq!(logout::discover(&job(NOW + 20), &c, &clients).unwrap(), 2, "one row per partner");
    let claimed = logout::claim(&job(NOW + 20), &c, &clients).unwrap();
    assert_eq!(claimed.len(), 1, "only the partner with a backchannel_logout_uri");
    let t = &claimed[0];
    assert_eq!((t.client_id.as_str(), t.uri.as_str()), (CO, "https://co-fi.example/bcl"));
    let header: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t.token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["typ"], "logout+jwt");
    let claims = jose::verify(&t.token, &key).expect("signed by the current key");
    assert_eq!(claims["iss"], "https://portale.example");
    assert_eq!(claims["aud"], CO);
    assert_eq!(claims["sub"], id_claims["sub"]);
    assert_eq!(claims["sid"], id_claims["sid"]);
    assert_eq!(claims["events"], json!({ logout::EVENT: {} }));
    assert_eq!(claims["exp"], NOW + 20 + logout::LOGOUT_TOKEN_TTL);
    assert!(claims.get("nonce").is_none());
    assert_eq!(claims["jti"].as_str().unwrap().len(), 64);
    // claimed: a concurrent run gets nothing while the lease holds
    assert!(logout::claim(&job(NOW + 21), &c, &clients).unwrap().is_empty());
    assert_eq!(logout::finish(&c, t, true, None, NOW + 21).unwrap(), "sent");
    // a second run: nothing new, nothing to send
    assert_eq!(logout::discover(&job(NOW + 1000), &c, &clients).unwrap(), 0);
    assert!(logout::claim(&job(NOW + 1000), &c, &clients).unwrap().is_empty());
}

#[test]
fn failed_logout_deliveries_retry_with_a_bound() {
    assert!(logout::delivered(Some(200)) && logout::delivered(Some(204)));
    assert!(!logout::delivered(Some(400)) && !logout::delivered(Some(500)) && !logout::delivered(None));
    assert_eq!(logout::next_state(0, false, NOW), ("pending", 1, NOW + 60));
    assert_eq!(logout::next_state(1, false, NOW), ("pending", 2, NOW + 120));
    assert_eq!(logout::next_state(logout::MAX_ATTEMPTS - 1, false, NOW), ("dead", logout::MAX_ATTEMPTS, NOW));
    assert_eq!(logout::next_state(3, true, NOW), ("sent", 4, NOW));
    let d = body(&handle(&vars(Req::new("GET", "/.well-known/openid-configuration")), &db()));
    assert_eq!(d["backchannel_logout_supported"], true);
}

#[test]
fn an_idle_session_counts_as_ended() {
    let c = db();
    let (code, _, _) = co_code(&c);
    assert_eq!(handle(&token_req(&exchange_form(&code, CO_CB, VERIFIER), Some((CO, SECRET)), NOW + 5), &c).status, 200);
    let job = |now: i64| vars(Req::new("POST", "/jobs/oidc/logout").at(now));
    let clients = config::clients(&job(NOW));
    // idle limit 30 minutes by default: not yet, then ended
    assert_eq!(logout::discover(&job(NOW + 29 * 60), &c, &clients).unwrap(), 0);
    assert_eq!(logout::discover(&job(NOW + 31 * 60), &c, &clients).unwrap(), 1);
}

#[test]
fn the_job_purges_what_is_expired_or_done_and_never_records_a_logout_twice() {
    let c = db();
    let count = |table: &str| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0)).unwrap();
    let job = |now: i64| vars(Req::new("POST", "/jobs/oidc/logout").at(now));
    let purge = |now: i64| logout::purge(&job(now), &c).unwrap();
    let none = logout::Purged::default();
    // a hand-off and a code redeemed for a token at NOW + 5; a second code never redeemed
    let (code, cookie, _) = co_code(&c);
    assert_eq!(handle(&token_req(&exchange_form(&code, CO_CB, VERIFIER), Some((CO, SECRET)), NOW + 5), &c).status, 200);
    // (consent is given already: the second authorization redirects at once)
    let (other, csrf) = sign_in(&c, 1, NOW);
    access::session::set_acting(&c, &access::session::find(&c, &other, NOW, access::testing::T).unwrap().unwrap(), Some(1)).unwrap();
    let q = authz_query(CO, CO_CB, Some(&login_hint(&handoff_token(&c, &other, &csrf, CO))));
    let r = handle(&as_person("GET", &format!("/oidc/authorize?{q}"), &other, NOW), &c);
    assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
    assert_ne!(location_params(&r)["code"], code);
    assert_eq!((count("oidc_codes"), count("oidc_tokens"), count("oidc_handoffs")), (2, 1, 2));
    // nothing is expired yet
    assert_eq!(purge(NOW + 30), none);
    // the unused code after its minute
    assert_eq!(purge(NOW + CODE_TTL + 1), logout::Purged { codes: 1, ..Default::default() });
    // the hand-offs after their five minutes, the token after its ten
    assert_eq!(purge(NOW + HANDOFF_TTL + 1), logout::Purged { handoffs: 2, ..Default::default() });
    assert_eq!(purge(NOW + 5 + TOKEN_TTL + 1), logout::Purged { tokens: 1, ..Default::default() });
    // the session ends; its logout is recorded and sent
    let clients = config::clients(&job(NOW));
    let s = access::session::find(&c, &cookie, NOW + 700, access::testing::T).unwrap().unwrap();
    access::session::end(&c, &s).unwrap();
    assert_eq!(logout::discover(&job(NOW + 710), &c, &clients).unwrap(), 1);
    let claimed = logout::claim(&job(NOW + 710), &c, &clients).unwrap();
    assert_eq!(logout::finish(&c, &claimed[0], true, None, NOW + 711).unwrap(), "sent");
    // the redeemed code stays while discovery still looks at it, and so does its logout
    // (without it the logout would be recorded and sent again)
    let window = access::session::Timeouts::from_req(&job(NOW)).absolute_secs + logout::LOOKBACK_MARGIN_SECONDS;
    assert_eq!(purge(NOW + window - 1), none);
    assert_eq!(logout::discover(&job(NOW + window - 1), &c, &clients).unwrap(), 0);
    // past the window both go, and nothing is recorded again
    assert_eq!(purge(NOW + window), logout::Purged { codes: 1, logouts: 1, ..Default::default() });
    assert_eq!(logout::discover(&job(NOW + window + 1), &c, &clients).unwrap(), 0);
    assert_eq!((count("oidc_codes"), count("oidc_tokens"), count("oidc_handoffs"), count("oidc_logouts")), (0, 0, 0, 0));
    // a logout still to be delivered is kept, whatever its age; consents stay
    c.execute("INSERT INTO oidc_logouts (session_hash, client_id, person_id, status, next_attempt_at, created_at) VALUES ('s', ?1, 1, 'pending', 0, 0)", [CO])
        .unwrap();
    assert_eq!(purge(NOW + 10 * window), none);
    assert_eq!((count("oidc_logouts"), count("oidc_consents")), (1, 1));
}
