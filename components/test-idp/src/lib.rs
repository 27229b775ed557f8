//! `test-idp`: a demo SAML identity provider with SPID test identities, for local runs
//! and tests only (never in a production manifest). It signs real SAML Responses, so
//! the portal's SP validation runs end to end.
//!
//! Two federations with the same key: `spid` (`urn:toscana-lavoro:demo-idp:spid`) and
//! `cie` (`urn:toscana-lavoro:demo-idp:cie`). Routes, under `/test-idp/{spid|cie}`:
//!
//! - `GET metadata` → the IdP metadata
//! - `GET sso` (Redirect binding) or `POST sso` (POST binding) → checks the SP's signed
//!   AuthnRequest and shows the test identities
//! - `POST login` → a signed Response (or, for "Annulla", the SPID error 25) posted to
//!   `{base_url}/auth/{fed}/acs`
//! - `GET slo` (Redirect binding) → a signed LogoutResponse redirected to
//!   `{base_url}/auth/{fed}/slo`
//!
//! The identities are in `config/test-idp/identities.json`, mounted at `/test-idp`.

pub mod identities;
pub mod messages;
pub mod pages;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::Reply;
use saml::authn::redirect_url;
use saml::issue::{Assertion, error_response};
use saml::metadata::Federation;
use saml::xml::new_id;
use saml::{SigAlg, SigningKey, TrustedCert};

use identities::Identity;
use messages::Expected;

/// Bodies larger than this are refused (413).
pub const MAX_BODY: usize = 64 * 1024;
/// Query strings longer than this are refused (414).
pub const MAX_QUERY: usize = 64 * 1024;

pub fn entity_id(f: Federation) -> &'static str {
    match f {
        Federation::Spid => "urn:toscana-lavoro:demo-idp:spid",
        Federation::Cie => "urn:toscana-lavoro:demo-idp:cie",
    }
}

fn label(f: Federation) -> &'static str {
    match f {
        Federation::Spid => "SPID",
        Federation::Cie => "CIE",
    }
}

fn display_name(f: Federation) -> &'static str {
    match f {
        Federation::Spid => "Demo IdP (solo sviluppo)",
        Federation::Cie => "Demo CIE (solo sviluppo)",
    }
}

/// The component's configuration (Spin variables).
pub struct Config {
    /// Without trailing slash, e.g. `http://127.0.0.1:3000`.
    pub base_url: String,
    /// The SP's entity ID (the Issuer of its requests, the Audience of our assertions).
    pub sp_entity_id: String,
    pub key: SigningKey,
    pub sp_cert: TrustedCert,
}

impl Config {
    /// An empty `sp_entity_id` means `base_url` (as the `sso` component reads it).
    pub fn new(base_url: &str, sp_entity_id: &str, key_pem: &str, cert_pem: &str, sp_cert_pem: &str) -> Result<Self, String> {
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        if base_url.is_empty() {
            return Err("la variabile base_url è vuota".into());
        }
        Ok(Self {
            sp_entity_id: if sp_entity_id.trim().is_empty() { base_url.clone() } else { sp_entity_id.to_string() },
            base_url,
            key: SigningKey::from_pem(key_pem, cert_pem).map_err(|e| format!("test_idp_private_key/test_idp_certificate: {e}"))?,
            sp_cert: TrustedCert::from_pem(sp_cert_pem).map_err(|e| format!("sp_certificate: {e}"))?,
        })
    }

    fn endpoint(&self, f: Federation, action: &str) -> String {
        format!("{}/test-idp/{}/{action}", self.base_url, f.path())
    }

    fn sp_endpoint(&self, f: Federation, action: &str) -> String {
        format!("{}/auth/{}/{action}", self.base_url, f.path())
    }

    fn expected<'a>(&'a self, destination: &'a str, acs_url: &'a str, now: i64) -> Expected<'a> {
        Expected { sp_entity_id: &self.sp_entity_id, destination, acs_url, now }
    }
}

/// A request as the handler received it.
pub struct Incoming<'a> {
    pub method: &'a str,
    /// The path (`/test-idp/spid/sso`) or the path info (`/spid/sso`).
    pub path: &'a str,
    /// The raw query string, still percent-encoded.
    pub query: &'a str,
    pub body: &'a [u8],
}

fn html(status: u16, title: &str, text: &str) -> Reply {
    Reply::uncached_html(status, pages::message(title, text).into_bytes())
}

fn bad_request(why: impl std::fmt::Display) -> Reply {
    html(400, "Richiesta non valida", &format!("L'identity provider dimostrativo ha rifiutato la richiesta: {why}"))
}

pub fn not_found() -> Reply {
    html(404, "Pagina non trovata", "Questo indirizzo non esiste nell'identity provider dimostrativo.")
}

fn method_not_allowed(allow: &str) -> Reply {
    let mut r = html(405, "Metodo non consentito", "Questo indirizzo non accetta il metodo HTTP usato.");
    r.headers.push(("allow", allow.to_string()));
    r
}

pub fn server_error(why: &str) -> Reply {
    html(500, "Identity provider dimostrativo non configurato", why)
}

/// Answers one request at Unix time `now`.
pub fn handle(req: &Incoming, cfg: &Config, identities: &[Identity], now: i64) -> Reply {
    let path = req.path.strip_prefix("/test-idp").unwrap_or(req.path);
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (f, action) = match parts[..] {
        ["spid", action] => (Federation::Spid, action),
        ["cie", action] => (Federation::Cie, action),
        _ => return not_found(),
    };
    if req.body.len() > MAX_BODY {
        return html(413, "Richiesta troppo grande", "Il corpo della richiesta supera 64 KB.");
    }
    if req.query.len() > MAX_QUERY {
        return html(414, "Indirizzo troppo lungo", "La query della richiesta supera 64 KB.");
    }
    let reply = match (action, req.method) {
        ("metadata", "GET" | "HEAD") => Ok(metadata(f, cfg)),
        ("metadata", _) => Err(method_not_allowed("GET, HEAD")),
        ("sso", "GET" | "POST") => sso(f, req, cfg, identities, now),
        ("sso", _) => Err(method_not_allowed("GET, POST")),
        ("login", "POST") => login(f, req.body, cfg, identities, now),
        ("login", _) => Err(method_not_allowed("POST")),
        ("slo", "GET") => slo(f, req.query, cfg, now),
        ("slo", _) => Err(method_not_allowed("GET")),
        _ => Err(not_found()),
    };
    reply.unwrap_or_else(|r| r)
}

fn metadata(f: Federation, cfg: &Config) -> Reply {
    let endpoints = format!("{}/test-idp/{}", cfg.base_url, f.path());
    let xml = messages::metadata(entity_id(f), display_name(f), &endpoints, cfg.key.certificate(), &cfg.base_url);
    let headers = vec![("content-type", "application/samlmetadata+xml; charset=utf-8".into()), ("cache-control", "no-cache".into())];
    Reply { status: 200, headers, body: xml.into_bytes() }
}

fn sso(f: Federation, req: &Incoming, cfg: &Config, identities: &[Identity], now: i64) -> Result<Reply, Reply> {
    let (destination, acs_url) = (cfg.endpoint(f, "sso"), cfg.sp_endpoint(f, "acs"));
    let expected = cfg.expected(&destination, &acs_url, now);
    let request = if req.method == "GET" {
        let received = messages::from_redirect(req.query, "SAMLRequest", &cfg.sp_cert).map_err(bad_request)?;
        messages::authn_request(&received.xml, None, &expected).map(|r| (r, received.relay_state))
    } else {
        let received = messages::from_post(req.body).map_err(bad_request)?;
        messages::authn_request(&received.xml, Some(&cfg.sp_cert), &expected).map(|r| (r, received.relay_state))
    };
    let (request, relay_state) = request.map_err(bad_request)?;
    let chooser = pages::Chooser {
        label: label(f),
        federation: f.path(),
        sp_entity_id: &request.issuer,
        request_id: &request.id,
        level: request.level,
        relay_state: &relay_state,
    };
    Ok(Reply::uncached_html(200, pages::chooser(&chooser, identities).into_bytes()))
}

fn login(f: Federation, body: &[u8], cfg: &Config, identities: &[Identity], now: i64) -> Result<Reply, Reply> {
    let (mut request_id, mut level, mut relay_state, mut identity, mut action) = (String::new(), 0u8, String::new(), None, String::new());
    for (k, v) in form_urlencoded::parse(body) {
        match &*k {
            "request_id" => request_id = v.into_owned(),
            "level" => level = v.parse().unwrap_or(0),
            "relay_state" => relay_state = v.into_owned(),
            "identity" => identity = v.parse::<usize>().ok(),
            "action" => action = v.into_owned(),
            _ => {}
        }
    }
    if request_id.is_empty() || request_id.len() > 256 || !(1..=3).contains(&level) || relay_state.len() > messages::MAX_RELAY_STATE {
        return Err(bad_request("il modulo di accesso è incompleto o alterato."));
    }
    let person = match (action.as_str(), identity.and_then(|i| identities.get(i))) {
        ("cancel", _) => None,
        ("login", Some(p)) => Some(p),
        _ => return Err(bad_request("scegli un'identità di prova.")),
    };
    let assertion = Assertion {
        idp_entity_id: entity_id(f).to_string(),
        sp_entity_id: cfg.sp_entity_id.clone(),
        acs_url: cfg.sp_endpoint(f, "acs"),
        in_response_to: request_id,
        now,
        level,
        name_id: new_id(),
        session_index: new_id(),
        attributes: person.map(|p| p.attributes(f)).unwrap_or_default(),
    };
    let (title, text, xml) = match person {
        Some(p) => {
            let signed = assertion.signed(&cfg.key).map_err(|e| server_error(&format!("firma della risposta: {e}")))?;
            (format!("Accesso come {} {}", p.name, p.family_name), "Stai tornando al portale.", signed)
        }
        None => ("Accesso annullato".to_string(), "Stai tornando al portale senza accedere.", error_response(&assertion, 25)),
    };
    let page = pages::autopost(&title, text, &assertion.acs_url, &STANDARD.encode(xml), &relay_state);
    Ok(Reply::uncached_html(200, page.into_bytes()))
}

fn slo(f: Federation, query: &str, cfg: &Config, now: i64) -> Result<Reply, Reply> {
    let (destination, sp_slo) = (cfg.endpoint(f, "slo"), cfg.sp_endpoint(f, "slo"));
    let received = messages::from_redirect(query, "SAMLRequest", &cfg.sp_cert).map_err(bad_request)?;
    let id = messages::logout_request(&received.xml, &cfg.expected(&destination, "", now)).map_err(bad_request)?;
    let xml = messages::logout_response(entity_id(f), &sp_slo, &id, now);
    let location = redirect_url(&sp_slo, "SAMLResponse", &xml, &received.relay_state, &cfg.key, SigAlg::RsaSha256);
    Ok(Reply { status: 302, headers: vec![("location", location), ("cache-control", "no-store".into())], body: Vec::new() })
}

#[cfg(target_arch = "wasm32")]
mod handler {
    use spin_sdk::http::{IncomingRequest, ResponseOutparam};
    use spin_sdk::variables;

    use super::{Config, Incoming, MAX_BODY, identities};

    const IDENTITIES: &str = "/test-idp/identities.json";

    fn config() -> Result<Config, String> {
        let var = |name: &str| variables::get(name).map_err(|e| format!("variabile Spin {name}: {e}"));
        let sp_entity_id = variables::get("sp_entity_id").unwrap_or_default();
        Config::new(&var("base_url")?, &sp_entity_id, &var("test_idp_private_key")?, &var("test_idp_certificate")?, &var("sp_certificate")?)
    }

    fn load() -> Result<(Config, Vec<identities::Identity>), String> {
        let json = std::fs::read_to_string(IDENTITIES).map_err(|e| format!("{IDENTITIES}: {e}"))?;
        Ok((config()?, identities::parse(&json)?))
    }

    #[spin_sdk::http_component]
    async fn serve(incoming: IncomingRequest, out: ResponseOutparam) {
        let limit = |_: &str, _: &str| common::http::BodyLimit::bytes(MAX_BODY);
        common::http::serve(incoming, out, limit, |req| async move {
            let path = req.header("spin-path-info").filter(|p| !p.is_empty()).unwrap_or(&req.path).to_string();
            match load() {
                Ok((cfg, ids)) => {
                    let incoming = Incoming { method: &req.method, path: &path, query: &req.query, body: &req.body };
                    super::handle(&incoming, &cfg, &ids, req.now)
                }
                Err(why) => super::server_error(&why),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests;
