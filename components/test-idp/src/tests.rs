//! The whole component driven natively through [`handle`], with the `saml` crate's
//! test keys (`sp` signs requests, `idp` is the demo IdP, `other` is an intruder) and
//! the SP's real validation of what the demo IdP sends.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use saml::authn::{AuthnRequest, LogoutRequest, inflate_redirect, post_payload, redirect_url, verify_redirect};
use saml::idp::{Idp, parse_metadata};
use saml::metadata::REQUIRED_ATTRIBUTES;
use saml::response::{Context, Pending, Refusal, validate};

use super::*;

const NOW: i64 = 1_800_000_000;
const BASE: &str = "http://127.0.0.1:3000";
const IDENTITIES: &str = include_str!("../../../config/test-idp/identities.json");

fn pem(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../crates/saml/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn key(name: &str) -> SigningKey {
    SigningKey::from_pem(&pem(&format!("{name}.key")), &pem(&format!("{name}.crt"))).unwrap()
}

fn config() -> Config {
    Config::new(&format!("{BASE}/"), BASE, &pem("idp.key"), &pem("idp.crt"), &pem("sp.crt")).unwrap()
}

fn ids() -> Vec<Identity> {
    identities::parse(IDENTITIES).unwrap()
}

fn call(method: &str, path: &str, query: &str, body: &[u8]) -> Reply {
    handle(&Incoming { method, path, query, body }, &config(), &ids(), NOW)
}

fn body(r: &Reply) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

fn authn(fed: &str, level: u8) -> AuthnRequest<'static> {
    let destination: &'static str = Box::leak(format!("{BASE}/test-idp/{fed}/sso").into_boxed_str());
    AuthnRequest { id: "_req1", issue_instant: NOW - 2, destination, sp_entity_id: BASE, level, acs_index: 0, attribute_index: 0 }
}

/// The query of a Redirect-binding URL signed by `signer`.
fn redirect_query(xml: &str, relay: &str, signer: &str) -> String {
    let url = redirect_url("https://x/sso", "SAMLRequest", xml, relay, &key(signer), SigAlg::RsaSha256);
    url.split_once('?').unwrap().1.to_string()
}

/// The (unescaped) value of a hidden field.
fn field(html: &str, name: &str) -> String {
    let start = html.find(&format!(r#"name="{name}" value=""#)).unwrap_or_else(|| panic!("no {name} in {html}")) + name.len() + 15;
    let value = &html[start..start + html[start..].find('"').unwrap()];
    value.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").replace("&amp;", "&")
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish().into_bytes()
}

fn idp(fed: &str) -> Idp {
    let r = call("GET", &format!("/test-idp/{fed}/metadata"), "", b"");
    assert_eq!(r.status, 200);
    parse_metadata(&body(&r)).unwrap().remove(0)
}

/// What the SP does with the form the demo IdP posts to its ACS.
fn sp_validates(fed: &str, page: &str, level: u8) -> Result<saml::response::Identity, Refusal> {
    let acs = format!("{BASE}/auth/{fed}/acs");
    assert!(page.contains(&format!(r#"<form method="post" action="{acs}" data-autopost>"#)), "{page}");
    assert!(page.contains(r#"<script src="/assets/js/autopost.js" defer></script>"#) && page.contains(">Continua</button>"));
    let xml = String::from_utf8(STANDARD.decode(field(page, "SAMLResponse")).unwrap()).unwrap();
    let idp = idp(fed);
    let c = Context {
        sp_entity_id: BASE,
        acs_url: &acs,
        idp: &idp,
        now: NOW + 20,
        skew: 60,
        accept_expired_idp_certificate: false,
        required_attributes: REQUIRED_ATTRIBUTES,
    };
    validate(&xml, &Pending { request_id: "_req1".into(), issue_instant: NOW - 2, level }, &c)
}

#[test]
fn metadata_describes_both_federations() {
    for (fed, entity, name) in [("spid", "urn:toscana-lavoro:demo-idp:spid", "Demo IdP (solo sviluppo)"), ("cie", "urn:toscana-lavoro:demo-idp:cie", "Demo CIE (solo sviluppo)")] {
        let idp = idp(fed);
        assert_eq!((idp.entity_id.as_str(), idp.name.as_str()), (entity, name));
        let sso = format!("{BASE}/test-idp/{fed}/sso");
        assert_eq!((idp.sso_redirect.as_deref(), idp.sso_post.as_deref()), (Some(sso.as_str()), Some(sso.as_str())));
        assert_eq!(idp.slo_redirect, Some(format!("{BASE}/test-idp/{fed}/slo")));
        assert_eq!(idp.certs, vec![key("idp").certificate().clone()]);
    }
    // path info (component routed at /test-idp/...) works as well as the full path
    let r = call("GET", "/cie/metadata", "", b"");
    assert!(r.header("content-type").unwrap().starts_with("application/samlmetadata+xml"));
    assert!(body(&r).contains(r#"protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol""#));
}

#[test]
fn redirect_request_shows_the_identities_then_login_satisfies_the_sp() {
    let query = redirect_query(&authn("spid", 2).xml(false), "/area-personale?a=1&b=\"x\"", "sp");
    let r = call("GET", "/test-idp/spid/sso", &query, b"");
    let page = body(&r);
    assert_eq!(r.status, 200, "{page}");
    assert!(page.contains("<main>") && page.contains("<h1>") && page.contains("Identity provider dimostrativo: solo per sviluppo e test"));
    assert!(page.contains(r#"<form method="post" action="/test-idp/spid/login">"#));
    assert!(page.contains("RSSMRA85C14D612R") && page.contains("14/03/1985") && page.contains("Firenze (D612)"));
    assert!(page.contains("D&apos;Angelo") && !page.contains("D'Angelo"), "escaped");
    assert!(page.contains(">Entra</button>") && page.contains(">Annulla</button>"));
    let (request_id, level, relay) = (field(&page, "request_id"), field(&page, "level"), field(&page, "relay_state"));
    assert_eq!((request_id.as_str(), level.as_str(), relay.as_str()), ("_req1", "2", "/area-personale?a=1&b=\"x\""));

    let login = form(&[("request_id", &request_id), ("level", &level), ("relay_state", &relay), ("identity", "7"), ("action", "login")]);
    let r = call("POST", "/test-idp/spid/login", "", &login);
    let page = body(&r);
    assert_eq!(r.status, 200, "{page}");
    assert_eq!(field(&page, "RelayState"), relay);
    let person = sp_validates("spid", &page, 2).unwrap();
    assert_eq!(person.attributes, ids()[7].attributes(Federation::Spid));
    assert_eq!(person.attributes["familyName"], "D'Angelo");
    assert_eq!((person.level, person.name_qualifier.as_str()), (2, "urn:toscana-lavoro:demo-idp:spid"));
}

#[test]
fn post_binding_and_cie_release_only_cie_attributes() {
    let xml = authn("cie", 3).xml(true);
    let payload = post_payload(&xml, "_req1", &key("sp"), SigAlg::RsaSha256).unwrap();
    let r = call("POST", "/test-idp/cie/sso", "", &form(&[("SAMLRequest", &payload), ("RelayState", "r1")]));
    let page = body(&r);
    assert_eq!(r.status, 200, "{page}");
    assert!(page.contains("Accedi con CIE") && page.contains(r#"action="/test-idp/cie/login""#));
    assert_eq!(field(&page, "level"), "3");
    let login = form(&[("request_id", "_req1"), ("level", "3"), ("relay_state", "r1"), ("identity", "1"), ("action", "login")]);
    let person = sp_validates("cie", &body(&call("POST", "/test-idp/cie/login", "", &login)), 3).unwrap();
    assert_eq!(person.attributes.keys().collect::<Vec<_>>(), ["dateOfBirth", "familyName", "fiscalNumber", "name"]);
    assert_eq!(person.attributes["fiscalNumber"], "TINIT-BNCGLI92L63G999D");

    // signed by someone else, or not signed at all
    let intruder = post_payload(&xml, "_req1", &key("other"), SigAlg::RsaSha256).unwrap();
    let unsigned = STANDARD.encode(authn("cie", 3).xml(false));
    for p in [intruder, unsigned, "***".into()] {
        let r = call("POST", "/test-idp/cie/sso", "", &form(&[("SAMLRequest", &p)]));
        assert_eq!(r.status, 400, "{}", body(&r));
    }
}

#[test]
fn annulla_sends_spid_error_25() {
    let cancel = form(&[("request_id", "_req1"), ("level", "1"), ("relay_state", ""), ("action", "cancel")]);
    let page = body(&call("POST", "/test-idp/spid/login", "", &cancel));
    assert!(!page.contains("RelayState"));
    assert_eq!(sp_validates("spid", &page, 1), Err(Refusal::IdpError { code: Some(25), status: "urn:oasis:names:tc:SAML:2.0:status:Responder".into() }));
}

#[test]
fn bad_requests_are_refused_with_a_page() {
    let good = authn("spid", 2);
    let cases: Vec<(String, &str)> = vec![
        (redirect_query(&good.xml(false), "r", "other"), "firma"),
        (redirect_query(&good.xml(false), "r", "sp").replace("RelayState=r", "RelayState=s"), "firma"),
        (redirect_query(&good.xml(false), "", "sp").split("&Signature=").next().unwrap().to_string(), "firmata"),
        (redirect_query(&good.xml(false), "", "sp") + "&SigAlg=x", "ripetuto"),
        (redirect_query(&AuthnRequest { destination: "https://elsewhere/sso", ..good.clone() }.xml(false), "", "sp"), "Destination"),
        (redirect_query(&AuthnRequest { sp_entity_id: "https://evil", ..good.clone() }.xml(false), "", "sp"), "Issuer"),
        (redirect_query(&AuthnRequest { issue_instant: NOW - 3600, ..good.clone() }.xml(false), "", "sp"), "scaduta"),
        (redirect_query(&AuthnRequest { acs_index: 3, ..good.clone() }.xml(false), "", "sp"), "indice 0"),
        (redirect_query(&good.xml(false).replace("SpidL2", "SpidL9"), "", "sp"), "Livello"),
        (redirect_query(&good.xml(false).replace("AuthnRequest", "LogoutRequest"), "", "sp"), "samlp:AuthnRequest"),
        (redirect_query("<x", "", "sp"), "XML"),
        (redirect_query(&good.xml(false), &"r".repeat(2000), "sp"), "RelayState"),
        ("SAMLRequest=%%%&SigAlg=&Signature=".into(), "firma"),
        (String::new(), "firmata"),
    ];
    for (query, why) in cases {
        let r = call("GET", "/test-idp/spid/sso", &query, b"");
        let page = body(&r);
        assert_eq!(r.status, 400, "{why}: {page}");
        assert!(page.contains("<h1>Richiesta non valida</h1>") && page.contains(why), "{why}: {page}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    }
    // a signed message that is not DEFLATE
    let query = {
        let signed = format!("SAMLRequest=bm90LWRlZmxhdGU%3D&SigAlg={}", saml::authn::quote_plus(SigAlg::RsaSha256.uri()));
        let sig = STANDARD.encode(key("sp").sign(SigAlg::RsaSha256, signed.as_bytes()));
        format!("{signed}&Signature={}", saml::authn::quote_plus(&sig))
    };
    assert!(body(&call("GET", "/test-idp/spid/sso", &query, b"")).contains("DEFLATE"));

    for login in [
        form(&[("request_id", "_r"), ("level", "2"), ("identity", "99"), ("action", "login")]),
        form(&[("request_id", "_r"), ("level", "4"), ("identity", "0"), ("action", "login")]),
        form(&[("level", "2"), ("identity", "0"), ("action", "login")]),
        form(&[("request_id", "_r"), ("level", "2"), ("identity", "0")]),
        b"\xff\xfe=%%".to_vec(),
    ] {
        assert_eq!(call("POST", "/test-idp/spid/login", "", &login).status, 400);
    }
}

#[test]
fn logout_is_answered_with_a_signed_redirect() {
    let request = LogoutRequest {
        id: "_lo1",
        issue_instant: NOW,
        destination: &format!("{BASE}/test-idp/cie/slo"),
        issuer: BASE,
        name_id: "_n1",
        name_qualifier: "urn:toscana-lavoro:demo-idp:cie",
        session_index: Some("_s1"),
    }
    .xml();
    let r = call("GET", "/test-idp/cie/slo", &redirect_query(&request, "bye", "sp"), b"");
    assert_eq!(r.status, 302, "{}", body(&r));
    let location = r.header("location").unwrap();
    let query = location.strip_prefix(&format!("{BASE}/auth/cie/slo?")).unwrap();
    let (signed, signature) = query.rsplit_once("&Signature=").unwrap();
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    assert_eq!(params.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["SAMLResponse", "RelayState", "SigAlg", "Signature"]);
    assert_eq!(params[1].1, "bye");
    let signature = form_urlencoded::parse(format!("s={signature}").as_bytes()).next().unwrap().1.into_owned();
    assert!(verify_redirect(signed, SigAlg::RsaSha256.uri(), &signature, &idp("cie").certs));
    let xml = inflate_redirect(&params[0].1, 1 << 16).unwrap();
    assert!(xml.starts_with("<samlp:LogoutResponse ") && xml.contains(r#"InResponseTo="_lo1""#), "{xml}");
    assert!(xml.contains(&format!(r#"Destination="{BASE}/auth/cie/slo""#)) && xml.contains(">urn:toscana-lavoro:demo-idp:cie</saml:Issuer>"));
    assert!(xml.contains("status:Success"));

    assert_eq!(call("GET", "/test-idp/cie/slo", &redirect_query(&request, "", "other"), b"").status, 400);
    assert_eq!(call("GET", "/test-idp/spid/slo", &redirect_query(&request, "", "sp"), b"").status, 400, "Destination is CIE's");
}

#[test]
fn unknown_paths_wrong_methods_and_large_bodies() {
    for path in ["/test-idp", "/test-idp/", "/test-idp/spid", "/test-idp/eidas/metadata", "/test-idp/spid/nope", "/test-idp/spid/sso/x"] {
        let r = call("GET", path, "", b"");
        assert_eq!(r.status, 404, "{path}");
        assert!(body(&r).contains("<h1>Pagina non trovata</h1>"));
    }
    let r = call("POST", "/test-idp/spid/metadata", "", b"");
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
    assert_eq!(call("GET", "/test-idp/spid/login", "", b"").status, 405);
    assert_eq!(call("DELETE", "/test-idp/cie/sso", "", b"").status, 405);
    assert_eq!(call("POST", "/test-idp/spid/sso", "", &vec![b'a'; MAX_BODY + 1]).status, 413);
    assert_eq!(call("GET", "/test-idp/spid/sso", &"a".repeat(MAX_QUERY + 1), b"").status, 414);
}

#[test]
fn configuration_errors_are_reported() {
    assert!(Config::new(BASE, BASE, &pem("idp.key"), &pem("sp.crt"), &pem("sp.crt")).err().unwrap().contains("does not belong"));
    let c = Config::new(&format!("{BASE}/"), "", &pem("idp.key"), &pem("idp.crt"), &pem("sp.crt")).unwrap();
    assert_eq!((c.base_url.as_str(), c.sp_entity_id.as_str()), (BASE, BASE), "an empty sp_entity_id is base_url");
    assert!(Config::new("", BASE, &pem("idp.key"), &pem("idp.crt"), &pem("sp.crt")).is_err());
    assert!(Config::new(BASE, BASE, &pem("idp.key"), &pem("idp.crt"), "nope").err().unwrap().starts_with("sp_certificate"));
}
