//! The SSO bridge end to end: the demo IdP's login through the real SAML validation,
//! sessions, CSRF-protected logout with SPID single logout, replay, CNS.

use e2e::client::cns_login;
use e2e::demo_idp::{self, cookie};
use e2e::{App, Start, get, request, root};
use saml::{SigAlg, SigningKey};

fn start(state: &std::path::Path) -> App {
    Start::portal(state).start()
}

fn login_at_demo_idp(app: &App, n: usize) -> (e2e::Reply, demo_idp::Posted) {
    demo_idp::login(app, n)
}

#[test]
fn login_returns_where_the_person_was_going() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    // identity 0 has an active account in the demo data: it lands on `next`
    let next = "/cittadino/candidatura/?offerta=FI-1";
    let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let posted = demo_idp::response_with(&app, 0, &format!("&next={encoded}"));
    let acs = demo_idp::post_to_acs(&app, &posted);
    assert_eq!((acs.status, acs.header("location")), (303, Some(next)), "{}", acs.body);
    // another site, or a path browsers read as one: the usual landing
    for bad in ["https://evil.example/", "//evil.example/", "/\\evil.example/"] {
        let encoded: String = form_urlencoded::byte_serialize(bad.as_bytes()).collect();
        let acs = demo_idp::post_to_acs(&app, &demo_idp::response_with(&app, 0, &format!("&next={encoded}")));
        assert_eq!((acs.status, acs.header("location")), (303, Some("/")), "{bad}");
    }
    // a person without an account registers first, whatever `next` says
    let acs = demo_idp::post_to_acs(&app, &demo_idp::response_with(&app, 5, &format!("&next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>())));
    assert_eq!(acs.header("location"), Some("/registrati/cittadino/"), "{}", acs.body);
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
    let replay = demo_idp::post_to_acs(&app, &posted);
    assert_eq!(replay.status, 403, "{}", replay.body);
    assert!(replay.body.contains("Ripeti l&apos;accesso"), "{}", replay.body);

    // logout needs the CSRF token
    let forged = request("POST", &app.url("/auth/logout"), &[("cookie", &c)], Some(&[("csrf_token", "x")]));
    assert_eq!(forged.status, 403);
    assert_eq!(request("GET", &app.url("/api/session"), &[("cookie", &c)], None).json_checked()["authenticated"], true);
    let out = request("POST", &app.url("/auth/logout"), &[("cookie", &c)], Some(&[("csrf_token", &csrf)]));
    // not a redirect: the pages' CSP (form-action 'self') would block one to the IdP's
    // origin; a page that follows its link instead
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert!(out.body.contains("data-autofollow") && out.body.contains("/assets/js/autopost.js"), "{}", out.body);
    // SPID single logout: to the IdP's SLO with a signed LogoutRequest, back to our SLO
    let end = out.body.find("\" data-autofollow").unwrap();
    let slo = out.body[out.body[..end].rfind("href=\"").unwrap() + 6..end].replace("&amp;", "&");
    assert!(slo.contains("/test-idp/spid/slo?SAMLRequest="), "{slo}");
    let idp = request("GET", &slo, &[], None);
    assert_eq!(idp.status, 302, "{}", idp.body);
    let back = request("GET", idp.header("location").unwrap(), &[], None);
    // to the page that says so, without the long SAMLResponse in the address
    assert_eq!((back.status, back.header("location")), (303, Some("/uscita/")));
    assert!(get(&app.url("/uscita/")).body.contains("Sei uscit"));
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
    let cns = cns_login(&app, Some("whatever"));
    assert_eq!(cns.status, 403);
    assert!(cns.body.contains("non è attivo"));
    assert_eq!(request("GET", &app.url("/auth/cns/login"), &[], None).status, 403);
}

#[test]
fn cns_login_with_a_configured_terminator_header() {
    let state = tempfile::tempdir().unwrap();
    let testdata = root().join("components/sso/testdata");
    let cas = format!("{}{}", std::fs::read_to_string(testdata.join("ca.crt")).unwrap(), std::fs::read_to_string(testdata.join("crl-ca.crt")).unwrap());
    let bundle = state.path().join("cns-cas.pem");
    std::fs::write(&bundle, cas).unwrap();
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg("cns_client_cert_header=X-Client-Cert")
        .arg("--variable")
        .arg(format!("cns_ca_certificates=@{}", bundle.display()))
        .start();
    let escaped = |file: &str| {
        let pem = std::fs::read_to_string(testdata.join(file)).unwrap();
        percent_encoding::utf8_percent_encode(&pem, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    // the login page only shows a button: a link or an image elsewhere cannot log anyone in
    let page = request("GET", &app.url("/auth/cns/login"), &[("x-client-cert", &escaped("card.crt"))], None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<form method=\"post\" action=\"/auth/cns/login\">") && page.header("set-cookie").is_none(), "{}", page.body);
    // where the person was going travels in the form, when it is a path of the portal
    let going = request("GET", &app.url("/auth/cns/login?next=%2Fofferte%2FFI-1%3Fa%3D1%26b%3D%22"), &[], None);
    assert!(going.body.contains("<input type=\"hidden\" name=\"next\" value=\"/offerte/FI-1?a=1&amp;b=&quot;\">"), "{}", going.body);
    let elsewhere = request("GET", &app.url("/auth/cns/login?next=%2F%2Fevil.example"), &[], None);
    assert!(!elsewhere.body.contains("name=\"next\""), "{}", elsewhere.body);
    // a POST from another site's page is refused even with a valid card
    let cross = request("POST", &app.url("/auth/cns/login"), &[("x-client-cert", &escaped("card.crt")), ("origin", "https://evil.example")], Some(&[]));
    assert_eq!(cross.status, 403);
    assert!(cross.header("set-cookie").is_none());
    let ok = cns_login(&app, Some(&escaped("card.crt")));
    assert_eq!(ok.status, 303, "{}", ok.body);
    let me = request("GET", &app.url("/api/session"), &[("cookie", &cookie(&ok))], None).json_checked();
    assert_eq!(me["person"]["fiscal_code"], "RSSMRA80A01D612Y");
    assert_eq!(me["method"], "cns");
    assert_eq!(cns_login(&app, Some(&escaped("other-ca.crt"))).status, 403);
    assert_eq!(cns_login(&app, None).status, 401);
    assert_eq!(cns_login(&app, Some(&escaped("crl-card-revoked.crt"))).status, 303, "no CRL configured: not checked");
    drop(app);

    // with the CAs' CRLs: a revoked card and a card whose CA has no CRL here are refused
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg("cns_client_cert_header=X-Client-Cert")
        .arg("--variable")
        .arg(format!("cns_ca_certificates=@{}", bundle.display()))
        .arg("--variable")
        .arg(format!("cns_crls=@{}", testdata.join("crl-ca.crl").display()))
        .start();
    assert_eq!(cns_login(&app, Some(&escaped("crl-card-ok.crt"))).status, 303);
    let revoked = cns_login(&app, Some(&escaped("crl-card-revoked.crt")));
    assert_eq!(revoked.status, 403);
    assert!(revoked.body.contains("revocato"), "{}", revoked.body);
    assert!(app.log_text().contains("is revoked"));
    assert_eq!(cns_login(&app, Some(&escaped("card.crt"))).status, 403, "its CA's CRL is not configured");
}

/// The NameID and SessionIndex the demo IdP gave in a posted Response.
fn name_id_of(posted: &demo_idp::Posted) -> (String, String) {
    let xml = saml::response::decode(posted.saml_response()).unwrap();
    let between = |open: &str, close: &str| {
        let a = xml.find(open).unwrap();
        let a = a + xml[a..].find('>').unwrap() + 1;
        xml[a..a + xml[a..].find(close).unwrap()].to_string()
    };
    let index = xml.split("SessionIndex=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (between("<saml:NameID", "</saml:NameID>"), index)
}

/// A LogoutRequest from the demo IdP (signed with its development key), Redirect binding.
fn idp_logout_url(app: &App, id: &str, name_id: &str, session_index: &str, key: &SigningKey) -> String {
    idp_logout_to(app, "/auth/spid/slo", id, name_id, session_index, key)
}

/// The same, with the Destination `path` (the request is sent to our SPID SLO anyway).
fn idp_logout_to(app: &App, path: &str, id: &str, name_id: &str, session_index: &str, key: &SigningKey) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let destination = app.url(path);
    let xml = saml::authn::LogoutRequest {
        id,
        issue_instant: now,
        destination: &destination,
        issuer: "urn:toscana-lavoro:demo-idp:spid",
        name_id,
        name_qualifier: "urn:toscana-lavoro:demo-idp:spid",
        session_index: Some(session_index),
    }
    .xml();
    saml::authn::redirect_url(&app.url("/auth/spid/slo"), "SAMLRequest", &xml, "", key, SigAlg::RsaSha256)
}

#[test]
fn single_logout_started_by_the_idp() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let dev = root().join(".dev");
    let idp_key = SigningKey::from_pem(&std::fs::read_to_string(dev.join("demo-idp.key")).unwrap(), &std::fs::read_to_string(dev.join("demo-idp.crt")).unwrap()).unwrap();
    let other_key = SigningKey::from_pem(&std::fs::read_to_string(dev.join("sp.key")).unwrap(), &std::fs::read_to_string(dev.join("sp.crt")).unwrap()).unwrap();

    let (acs, posted) = login_at_demo_idp(&app, 0);
    let c = cookie(&acs);
    let (name_id, index) = name_id_of(&posted);
    let live = |c: &str| request("GET", &app.url("/api/session"), &[("cookie", c)], None).json_checked()["authenticated"] == true;
    assert!(live(&c));

    // not signed by the IdP, or not for this service: refused, the session lives on
    let forged = request("GET", &idp_logout_url(&app, "_lo-forged", &name_id, &index, &other_key), &[], None);
    assert_eq!(forged.status, 400, "{}", forged.body);
    assert!(forged.body.contains("Richiesta di disconnessione non valida"));
    let elsewhere = idp_logout_to(&app, "/auth/cie/slo", "_lo-elsewhere", &name_id, &index, &idp_key);
    assert_eq!(request("GET", &elsewhere, &[], None).status, 400);
    assert!(live(&c));

    // the IdP's request, arriving without our cookie (back-channel-like): the session ends
    let url = idp_logout_url(&app, "_lo-1", &name_id, &index, &idp_key);
    let answer = request("GET", &url, &[], None);
    assert_eq!(answer.status, 302, "{}\n{}", answer.body, app.log_text());
    let location = answer.header("location").unwrap();
    assert!(location.contains("/test-idp/spid/slo?SAMLResponse="), "{location}");
    let query = location.split_once('?').unwrap().1;
    let (signed, signature) = query.rsplit_once("&Signature=").unwrap();
    let params: std::collections::HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let signature = form_urlencoded::parse(format!("s={signature}").as_bytes()).next().unwrap().1.into_owned();
    let sp_cert = saml::TrustedCert::from_pem(&std::fs::read_to_string(dev.join("sp.crt")).unwrap()).unwrap();
    assert!(saml::authn::verify_redirect(signed, &params["SigAlg"], &signature, &[sp_cert]), "our LogoutResponse is signed");
    let xml = saml::authn::inflate_redirect(&params["SAMLResponse"], 1 << 16).unwrap();
    assert!(xml.contains("InResponseTo=\"_lo-1\"") && xml.contains("status:Success"), "{xml}");
    assert!(!live(&c), "the session ended");
    // the same request again is a replay
    assert_eq!(request("GET", &url, &[], None).status, 400);

    // through the browser (front channel, with our cookie): the cookie is cleared too
    let (acs, posted) = login_at_demo_idp(&app, 1);
    let c = cookie(&acs);
    let (name_id, index) = name_id_of(&posted);
    let answer = request("GET", &idp_logout_url(&app, "_lo-2", &name_id, &index, &idp_key), &[("cookie", &c)], None);
    assert_eq!(answer.status, 302);
    assert!(answer.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert!(!live(&c));
}

#[test]
fn a_login_completes_only_in_the_browser_that_started_it() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let started = request("GET", &app.url(&format!("/auth/spid/login?idp={}&level=2", demo_idp::SPID_IDP)), &[], None);
    let set = started.header("set-cookie").unwrap();
    assert!(set.starts_with("__Host-tl_login=") && set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=None"), "{set}");

    // An attacker's own valid Response (login CSRF), posted from the victim's browser:
    // no login cookie, or another login's cookie. Refused, and no session.
    let attacker = demo_idp::response_for(&app, 2);
    let victim = demo_idp::response_for(&app, 3);
    for cookie in ["", victim.cookie.as_str(), "__Host-tl_login=00"] {
        let r = demo_idp::post_to_acs_with(&app, &attacker, cookie);
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.body.contains("avviato da un altro browser"), "{}", r.body);
        assert!(r.header("set-cookie").is_none_or(|c| !c.starts_with("__Host-tl_session=")));
    }
    // the browser that started it still completes it
    let ok = demo_idp::post_to_acs(&app, &attacker);
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert!(cookie(&ok).starts_with("__Host-tl_session="));
}
