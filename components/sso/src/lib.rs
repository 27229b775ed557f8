//! `sso`: the SSO bridge (A1 login). SPID and CIE SAML service provider, CNS login by
//! client certificate, sessions and logout.
//!
//! - `GET /auth/{spid|cie}/metadata`: our signed SP metadata
//! - `GET /auth/spid/idps`: the SPID IdPs to show on the login button
//! - `GET /auth/spid/login?idp=<entityID>&level=1|2|3[&binding=post]`, `GET /auth/cie/login`
//! - `POST /auth/{spid|cie}/acs`: the IdP's Response; a session on success
//! - `GET|POST /auth/{spid|cie}/slo`: the IdP's answer to our LogoutRequest, or a
//!   LogoutRequest of the IdP's own (single logout started elsewhere)
//! - `GET /auth/cns/login`: login with the smart card's certificate (via the TLS terminator)
//! - `POST /auth/logout`, `GET /api/session`

pub mod cns;
pub mod pages;
pub mod registry;

use common::http::segments;
use common::ApiError;
use saml::metadata::{Federation, SpInfo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Metadata(Federation),
    Idps,
    Login(Federation),
    Acs(Federation),
    Slo(Federation),
    Cns,
    Logout,
    Session,
    Cleanup,
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let fed = |s: &str| match s {
        "spid" => Some(Federation::Spid),
        "cie" => Some(Federation::Cie),
        _ => None,
    };
    let parts = segments(path);
    let (route, methods): (Route, &[&str]) = match parts.as_slice() {
        ["api", "session"] => (Route::Session, &["GET", "HEAD"]),
        ["auth", "logout"] => (Route::Logout, &["POST"]),
        ["auth", "cns", "login"] => (Route::Cns, &["GET", "POST"]),
        ["jobs", "cleanup"] => (Route::Cleanup, &["POST"]),
        ["auth", "spid", "idps"] => (Route::Idps, &["GET", "HEAD"]),
        ["auth", f, action] if fed(f).is_some() => {
            let f = fed(f).unwrap_or(Federation::Spid);
            match *action {
                "metadata" => (Route::Metadata(f), &["GET", "HEAD"]),
                "login" => (Route::Login(f), &["GET"]),
                "acs" => (Route::Acs(f), &["POST"]),
                "slo" => (Route::Slo(f), &["GET", "POST"]),
                _ => return Err(ApiError::not_found()),
            }
        }
        _ => return Err(ApiError::not_found()),
    };
    if !methods.contains(&method) {
        return Err(ApiError::method_not_allowed());
    }
    Ok(route)
}

/// The SP's description from Spin variables (`get` returns a variable's value).
pub fn sp_info(get: impl Fn(&str) -> Option<String>) -> Result<SpInfo, String> {
    let need = |n: &str| get(n).filter(|v| !v.trim().is_empty()).ok_or_else(|| format!("variable {n} is not set"));
    let base_url = need("base_url")?.trim_end_matches('/').to_string();
    Ok(SpInfo {
        entity_id: get("sp_entity_id").filter(|v| !v.is_empty()).unwrap_or_else(|| base_url.clone()),
        organization_name: need("sp_organization_name")?,
        organization_display_name: need("sp_organization_display_name")?,
        organization_url: need("sp_organization_url")?,
        ipa_code: need("sp_ipa_code")?,
        contact_email: need("sp_contact_email")?,
        contact_phone: need("sp_contact_phone")?,
        municipality: need("sp_municipality")?,
        service_name: need("sp_service_name")?,
        base_url,
    })
}

/// An AuthnRequest we sent, kept in KV as `saml-req:<id>` until answered or expired.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingLogin {
    pub federation: String,
    pub idp: String,
    pub level: u8,
    pub issue_instant: i64,
    pub relay_state: String,
    pub deadline: i64,
    /// SHA-256 (hex) of the login cookie given to the browser that started the login:
    /// only that browser may complete it (login CSRF). `None`: binding switched off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// Where the person was going (a local path, [`safe_next`]): the landing when the
    /// account is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The cookie that binds a login to the browser that started it. SameSite=None: the
/// IdP posts the Response from its own site, where a Lax cookie would not be sent.
pub const LOGIN_COOKIE: &str = "__Host-tl_login";

/// `Set-Cookie` of the login binding, for `max_age` seconds (0 removes it).
pub fn login_cookie(value: &str, max_age: i64) -> String {
    format!("{LOGIN_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=None")
}

/// SHA-256 (hex) of a login cookie's value, as kept in [`PendingLogin::browser`].
pub fn browser_digest(cookie_value: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(cookie_value.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the browser's cookies hold the login cookie the pending login expects.
pub fn same_browser(pending: &PendingLogin, cookie_header: Option<&str>) -> bool {
    let Some(expected) = &pending.browser else { return true };
    let value = cookie_header.and_then(|h| common::token::cookie(h, LOGIN_COOKIE));
    value.is_some_and(|v| common::token::secrets_match(browser_digest(v).as_bytes(), expected.as_bytes()))
}

/// A LogoutRequest we sent, as `saml-logout:<id>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingLogout {
    pub idp: String,
    pub deadline: i64,
}

/// `scheme://host[:port]` of a URL (the portal's origin, from `base_url`).
pub fn origin_of(url: &str) -> String {
    let url = url.trim();
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!("{}{}", url[..i + 3].to_ascii_lowercase(), rest[..end].to_ascii_lowercase())
        }
        None => url.trim_end_matches('/').to_string(),
    }
}

/// Key-value records the cleanup job may remove, with their deadline: pending logins and
/// logouts (`saml-req:`, `saml-logout:`) by the deadline they hold (now, when
/// unreadable), and the records of the key-value session store that SQLite replaced
/// (`session:`, `saml-nameid:`, `otp:`, `verified:`, `rate:`) at once. Other keys: `None`.
pub fn kv_deadline(key: &str, value: Option<&[u8]>) -> Option<i64> {
    #[derive(Deserialize)]
    struct WithDeadline {
        deadline: i64,
    }
    if key.starts_with("saml-req:") || key.starts_with("saml-logout:") {
        return Some(value.and_then(|v| serde_json::from_slice::<WithDeadline>(v).ok()).map_or(i64::MIN, |d| d.deadline));
    }
    ["session:", "saml-nameid:", "otp:", "verified:", "rate:"].iter().any(|p| key.starts_with(p)).then_some(i64::MIN)
}

/// Where single logout started by the IdP finds the sessions of a login: a hash of the
/// IdP's entity ID and the NameID it gave (`sessions.slo_key`).
pub fn slo_key(idp: &str, name_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(idp.as_bytes()).chain_update([0u8]).chain_update(name_id.as_bytes()).finalize();
    common::token::hex(&digest)
}

/// How long a person has to complete the login at the IdP (seconds).
pub const LOGIN_WINDOW: i64 = 15 * 60;

/// The codice fiscale from SPID's `fiscalNumber` (`TINIT-<CF>`) or CIE's (same, or bare).
pub fn fiscal_code(attribute: &str) -> Option<String> {
    let cf = attribute.trim().strip_prefix("TINIT-").unwrap_or(attribute.trim()).to_ascii_uppercase();
    common::validation::fiscal_code_is_valid(&cf).then_some(cf)
}

/// The level asked for in `?level=`: SPID 1–3, default 2 (personal data).
pub fn level(param: Option<&str>) -> Result<u8, ApiError> {
    match param {
        None => Ok(2),
        Some(v) => match v.parse::<u8>() {
            Ok(l @ 1..=3) => Ok(l),
            _ => Err(ApiError::bad_request("invalid_level", "Il livello di sicurezza SPID richiesto non è valido (1, 2 o 3).")),
        },
    }
}

/// Where a login lands (A1): the registration form the first time, the "not active
/// yet" page until the activation link is opened, else the home page.
pub fn landing(account: access::Account, next: Option<&str>) -> String {
    use access::Account;
    match account {
        Account::Unregistered => "/registrati/cittadino/".into(),
        Account::Pending => "/accedi/non-attivo/".into(),
        Account::Active => next.and_then(safe_next).unwrap_or_else(|| "/".into()),
    }
}

/// Longest `next` path kept.
pub const MAX_NEXT: usize = 512;

/// `next` when it is a path of this portal a browser may be sent to after login: it
/// starts with one `/` (not `//` or `/\`, which browsers read as another host), has
/// only printable ASCII without backslashes (percent-encode the rest), is not an SSO
/// route, and is at most [`MAX_NEXT`] bytes. Anything else: `None` (the usual landing).
pub fn safe_next(next: &str) -> Option<String> {
    let ok = next.len() <= MAX_NEXT
        && next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && !next.starts_with("/auth/");
    ok.then(|| next.to_string())
}

/// What `GET /api/session` answers. Anonymous: `authenticated` alone; signed in:
/// every field (`acting_as` `null` when acting as a citizen).
#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Session))]
pub struct SessionView<'a> {
    pub authenticated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub person: Option<PersonView<'a>>,
    /// `spid`, `cie` or `cns`
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub method: Option<&'a str>,
    /// SPID level (1–3); CNS counts as 2
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false, minimum = 1, maximum = 3))]
    pub level: Option<u8>,
    /// The token every write must carry in `X-CSRF-Token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub csrf_token: Option<&'a str>,
    /// `unregistered`, `pending` or `active` (registration, A1)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub account: Option<access::Account>,
    /// The company the person acts for (A3); `null` when acting as a citizen.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub acting_as: Option<Option<&'a access::ActingAs>>,
}

#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SessionPerson))]
pub struct PersonView<'a> {
    pub fiscal_code: &'a str,
    pub name: &'a str,
    pub family_name: &'a str,
}

impl<'a> SessionView<'a> {
    pub fn of(s: Option<&'a access::Session>) -> Self {
        match s {
            None => Self { authenticated: false, person: None, method: None, level: None, csrf_token: None, account: None, acting_as: None },
            Some(s) => Self {
                authenticated: true,
                person: Some(PersonView { fiscal_code: &s.fiscal_code, name: &s.name, family_name: &s.family_name }),
                method: Some(&s.login.method),
                level: Some(s.login.level),
                csrf_token: Some(&s.csrf_token),
                account: Some(s.account),
                acting_as: Some(s.acting_as.as_ref()),
            },
        }
    }
}

pub mod handler;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_cleanup_deadlines() {
        assert_eq!(origin_of("https://Lavoro.example.it/x?y"), "https://lavoro.example.it");
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(kv_deadline("saml-req:_1", Some(br#"{"deadline": 5, "idp": "x"}"#)), Some(5));
        assert_eq!(kv_deadline("saml-logout:_1", Some(b"garbage")), Some(i64::MIN));
        assert_eq!(kv_deadline("session:abc", None), Some(i64::MIN));
        assert_eq!(kv_deadline("something-else", Some(br#"{"deadline": 5}"#)), None);
    }

    #[test]
    fn a_login_completes_only_in_the_browser_that_started_it() {
        let p = |browser: Option<String>| PendingLogin { federation: "spid".into(), idp: "i".into(), level: 2, issue_instant: 0, relay_state: "r".into(), deadline: 1, browser, next: None };
        let bound = p(Some(browser_digest("abc")));
        assert!(same_browser(&bound, Some("x=1; __Host-tl_login=abc; y=2")));
        assert!(!same_browser(&bound, Some("__Host-tl_login=abd")));
        assert!(!same_browser(&bound, Some("tl_login=abc")));
        assert!(!same_browser(&bound, None));
        assert!(same_browser(&p(None), None), "binding off");
        assert!(login_cookie("v", 900).contains("Secure; SameSite=None"));
    }

    #[test]
    fn routes_and_methods() {
        assert_eq!(route("GET", "/auth/spid/metadata"), Ok(Route::Metadata(Federation::Spid)));
        assert_eq!(route("POST", "/auth/cie/acs"), Ok(Route::Acs(Federation::Cie)));
        assert_eq!(route("GET", "/api/session"), Ok(Route::Session));
        assert_eq!(route("POST", "/auth/spid/slo"), Ok(Route::Slo(Federation::Spid)));
        assert_eq!(route("GET", "/auth/logout").unwrap_err().status, 405);
        assert_eq!(route("GET", "/auth/acs").unwrap_err().status, 404);
        assert_eq!(route("GET", "/auth/xyz/login").unwrap_err().status, 404);
    }

    #[test]
    fn logins_land_by_account_status() {
        use access::Account;
        assert_eq!(landing(Account::Unregistered, Some("/offerte/FI-1")), "/registrati/cittadino/");
        assert_eq!(landing(Account::Pending, Some("/offerte/FI-1")), "/accedi/non-attivo/");
        assert_eq!(landing(Account::Active, None), "/");
        assert_eq!(landing(Account::Active, Some("/cittadino/candidatura/?offerta=FI-1")), "/cittadino/candidatura/?offerta=FI-1");
        assert_eq!(landing(Account::Active, Some("//evil.example/")), "/");
    }

    #[test]
    fn next_is_a_local_path_only() {
        for ok in ["/", "/offerte/FI-1", "/cittadino/candidatura/?offerta=FI-1%20X", "/a#b"] {
            assert_eq!(safe_next(ok).as_deref(), Some(ok), "{ok}");
        }
        let long = format!("/{}", "a".repeat(MAX_NEXT));
        for bad in ["", "offerte", "//evil.example", "/\\evil.example", "https://evil.example/", "/a b", "/a\nb", "/è", "/auth/spid/login?idp=x", long.as_str()] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }

    #[test]
    fn fiscal_codes_and_levels() {
        assert_eq!(fiscal_code("TINIT-RSSMRA80A01D612Y").as_deref(), Some("RSSMRA80A01D612Y"));
        assert_eq!(fiscal_code("rssmra80a01d612y").as_deref(), Some("RSSMRA80A01D612Y"));
        assert_eq!(fiscal_code("TINIT-RSSMRA80A01D612A"), None);
        assert_eq!(level(None), Ok(2));
        assert_eq!(level(Some("3")), Ok(3));
        assert_eq!(level(Some("4")).unwrap_err().code, "invalid_level");
    }

    #[test]
    fn sp_info_needs_every_variable() {
        let vars = |n: &str| Some(format!("v-{n}"));
        let info = sp_info(vars).unwrap();
        assert_eq!(info.entity_id, "v-sp_entity_id");
        let no_entity = |n: &str| if n == "sp_entity_id" { None } else { Some(format!("{n}/")) };
        assert_eq!(sp_info(no_entity).unwrap().entity_id, "base_url");
        assert!(sp_info(|n: &str| if n == "sp_ipa_code" { None } else { Some("x".into()) }).unwrap_err().contains("sp_ipa_code"));
    }
}
