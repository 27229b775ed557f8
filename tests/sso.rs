//! The SSO bridge end to end: the demo IdP's login through the real SAML validation,
//! sessions, CSRF-protected logout with SPID single logout, replay, CNS.

use e2e::{App, Start, get, request, root};

fn start(state: &std::path::Path) -> App {
    Start::portal(state).start()
}

/// The value of `<input name="{name}" value="...">` in a page.
fn input(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no input {name} in {html}")) + name.len() + 15;
    html[at..].split('"').next().unwrap().replace("&amp;", "&").replace("&quot;", "\"")
}

fn cookie(reply: &e2e::Reply) -> String {
    let c = reply.header("set-cookie").expect("a session cookie");
    c.split(';').next().unwrap().to_string()
}

/// Logs in at the demo IdP as its identity `n`; returns the ACS reply and the posted form.
fn login_at_demo_idp(app: &App, n: usize) -> (e2e::Reply, Vec<(String, String)>) {
    let start = request("GET", &app.url("/auth/spid/login?idp=urn%3Atoscana-lavoro%3Ademo-idp%3Aspid&level=2"), &[], None);
    assert_eq!(start.status, 302, "{}", start.body);
    let chooser = request("GET", start.header("location").unwrap(), &[], None);
    assert_eq!(chooser.status, 200, "{}", chooser.body);
    let fields = [("request_id", input(&chooser.body, "request_id")), ("level", input(&chooser.body, "level")), ("relay_state", input(&chooser.body, "relay_state"))];
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let idx = n.to_string();
    form.extend([("identity", idx.as_str()), ("action", "login")]);
    let posted = request("POST", &app.url("/test-idp/spid/login"), &[], Some(&form));
    assert_eq!(posted.status, 200, "{}", posted.body);
    let response = vec![("SAMLResponse".to_string(), input(&posted.body, "SAMLResponse")), ("RelayState".to_string(), input(&posted.body, "RelayState"))];
    let pairs: Vec<(&str, &str)> = response.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    (request("POST", &app.url("/auth/spid/acs"), &[], Some(&pairs)), response)
}

#[test]
fn demo_idp_login_session_replay_and_logout() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    assert_eq!(get(&app.url("/api/session")).json()["authenticated"], false);

    let (acs, posted) = login_at_demo_idp(&app, 0);
    assert_eq!(acs.status, 303, "{}\n{}", acs.body, app.log_text());
    assert_eq!(acs.header("location"), Some("/"));
    let set = acs.header("set-cookie").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Lax"), "{set}");
    let c = cookie(&acs);
    let me = request("GET", &app.url("/api/session"), &[("cookie", &c)], None).json_checked();
    assert_eq!(me["authenticated"], true);
    assert_eq!(me["person"]["family_name"], "Rossi");
    assert_eq!(me["method"], "spid");
    let csrf = me["csrf_token"].as_str().unwrap().to_string();

    // the same Response again: refused (one-time request id and assertion)
    let pairs: Vec<(&str, &str)> = posted.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let replay = request("POST", &app.url("/auth/spid/acs"), &[], Some(&pairs));
    assert_eq!(replay.status, 403, "{}", replay.body);
    assert!(replay.body.contains("Ripeti l&apos;accesso"), "{}", replay.body);

    // logout needs the CSRF token
    let forged = request("POST", &app.url("/auth/logout"), &[("cookie", &c)], Some(&[("csrf_token", "x")]));
    assert_eq!(forged.status, 403);
    assert_eq!(request("GET", &app.url("/api/session"), &[("cookie", &c)], None).json_checked()["authenticated"], true);
    let out = request("POST", &app.url("/auth/logout"), &[("cookie", &c)], Some(&[("csrf_token", &csrf)]));
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    // SPID single logout: to the IdP's SLO with a signed LogoutRequest, back to our SLO
    let slo = out.header("location").unwrap().to_string();
    assert!(slo.contains("/test-idp/spid/slo?SAMLRequest="), "{slo}");
    let idp = request("GET", &slo, &[], None);
    assert_eq!(idp.status, 302, "{}", idp.body);
    let back = request("GET", idp.header("location").unwrap(), &[], None);
    assert_eq!(back.status, 200);
    assert!(back.body.contains("Sei uscito"));
    assert!(!app.log_text().contains("LogoutResponse refused"), "{}", app.log_text());
    assert_eq!(request("GET", &app.url("/api/session"), &[("cookie", &c)], None).json_checked()["authenticated"], false);
}

#[test]
fn bad_requests_get_clear_errors() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let unknown = request("GET", &app.url("/auth/spid/login?idp=https%3A%2F%2Fevil.example&level=2"), &[], None);
    assert_eq!(unknown.status, 400);
    assert!(unknown.body.contains("non è tra quelli riconosciuti"));
    assert_eq!(request("GET", &app.url("/auth/spid/login?idp=x&level=9"), &[], None).status, 400);
    let garbage = request("POST", &app.url("/auth/spid/acs"), &[], Some(&[("SAMLResponse", "bm90IHhtbA==")]));
    assert_eq!(garbage.status, 403);
    assert_eq!(request("GET", &app.url("/auth/spid/acs"), &[], None).status, 405);
    // logout without a session just clears the cookie
    assert_eq!(request("POST", &app.url("/auth/logout"), &[], Some(&[])).status, 303);
    // the IdP list and the metadata are public and cacheable
    let idps = get(&app.url("/auth/spid/idps"));
    assert!(idps.body.contains("Demo IdP (solo sviluppo)"), "{}", idps.body);
    let md = get(&app.url("/auth/spid/metadata"));
    assert_eq!(md.status, 200);
    assert!(md.header("cache-control").unwrap().starts_with("public"));
    assert!(md.body.contains(&format!("Location=\"{}/auth/spid/acs\"", app.base)));
    // CNS is off unless configured, even if a client sends a certificate header
    let cns = request("GET", &app.url("/auth/cns/login"), &[("x-client-cert", "whatever")], None);
    assert_eq!(cns.status, 403);
    assert!(cns.body.contains("non è attivo"));
}

#[test]
fn cns_login_with_a_configured_terminator_header() {
    let state = tempfile::tempdir().unwrap();
    let testdata = root().join("components/sso/testdata");
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg("cns_client_cert_header=X-Client-Cert")
        .arg("--variable")
        .arg(format!("cns_ca_certificates=@{}", testdata.join("ca.crt").display()))
        .start();
    let pem = std::fs::read_to_string(testdata.join("card.crt")).unwrap();
    let escaped = percent_encoding::utf8_percent_encode(&pem, percent_encoding::NON_ALPHANUMERIC).to_string();
    let ok = request("GET", &app.url("/auth/cns/login"), &[("x-client-cert", &escaped)], None);
    assert_eq!(ok.status, 303, "{}", ok.body);
    let me = request("GET", &app.url("/api/session"), &[("cookie", &cookie(&ok))], None).json_checked();
    assert_eq!(me["person"]["fiscal_code"], "RSSMRA80A01D612Y");
    assert_eq!(me["method"], "cns");
    let other = std::fs::read_to_string(testdata.join("other-ca.crt")).unwrap();
    let escaped = percent_encoding::utf8_percent_encode(&other, percent_encoding::NON_ALPHANUMERIC).to_string();
    assert_eq!(request("GET", &app.url("/auth/cns/login"), &[("x-client-cert", &escaped)], None).status, 403);
    assert_eq!(request("GET", &app.url("/auth/cns/login"), &[], None).status, 401);
}
