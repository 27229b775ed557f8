//! Sessions: an opaque random id in a cookie, mapped in the key-value store
//! (`session:<id>`) to the person and how they logged in. Also the auth guard and
//! CSRF check every component uses for personal endpoints.
//!
//! Spin's key-value store has no expiry, so the deadlines live in the value and are
//! checked on every lookup.

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// The cookie. `__Host-` binds it to this host, path `/`, Secure.
pub const COOKIE: &str = "__Host-tl_session";
/// Header carrying the CSRF token on JavaScript writes.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The person's last activity is written back at most this often (seconds).
const TOUCH_EVERY: i64 = 60;

/// How the person proved who they are.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Login {
    /// `spid`, `cie` or `cns`
    pub method: String,
    /// SPID/CIE: the IdP and the session it gave us (for single logout)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_qualifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_index: Option<String>,
    /// SPID level (1–3); CNS counts as 2
    pub level: u8,
}

/// Where the person stands with registration (A1). Sessions written before this field
/// existed read as `Unregistered`; the guards in [`crate::account`] re-read the
/// database while an account is not active.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Account {
    /// Logged in with SPID/CIE/CNS but never completed the registration form.
    #[default]
    Unregistered,
    /// Registered, waiting for the activation link sent by e-mail.
    Pending,
    Active,
}

impl Account {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unregistered => "unregistered",
            Self::Pending => "pending",
            Self::Active => "active",
        }
    }
}

/// The company (or agency, or professional firm) a person is acting for (A3). The
/// session's word is only a preference: every guarded call re-checks a current
/// incarico in the database (`crate::account::require_acting`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ActingAs {
    pub company_id: i64,
    pub fiscal_code: String,
    pub name: String,
    /// `company`, `agency` or `professional_firm`
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Session {
    pub person_id: i64,
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
    pub login: Login,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen: i64,
    #[serde(default)]
    pub account: Account,
    /// `None`: acting as themselves (citizen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_as: Option<ActingAs>,
}

/// Session lifetimes, from Spin variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

/// What a lookup found.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    Live { touch: bool },
    Expired,
}

impl Session {
    pub fn status(&self, now: i64, t: Timeouts) -> Status {
        if now - self.last_seen > t.idle_secs || now - self.created_at > t.absolute_secs || now < self.created_at - 60 {
            Status::Expired
        } else {
            Status::Live { touch: now - self.last_seen >= TOUCH_EVERY }
        }
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        !self.csrf_token.is_empty() && secrets_match(self.csrf_token.as_bytes(), token.as_bytes())
    }
}

/// 256 random bits, hex.
pub fn random_token() -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(ApiError::internal)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Whether two secrets (tokens, hashes) are equal, in a time that does not depend on
/// where they first differ.
pub fn secrets_match(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

/// The value of the cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// The session id in a `Cookie` header, if well-formed (64 hex digits).
pub fn id_from_cookies(header: &str) -> Option<&str> {
    cookie(header, COOKIE).filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` for a new session: HttpOnly, Secure, SameSite=Lax, host-only.
pub fn set_cookie(id: &str, max_age: i64) -> String {
    format!("{COOKIE}={id}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
}

pub fn key(id: &str) -> String {
    format!("session:{id}")
}

pub fn unauthenticated() -> ApiError {
    ApiError::new(401, "unauthenticated", "Per usare questo servizio devi accedere con SPID, CIE o CNS.")
}

pub fn csrf_refused() -> ApiError {
    ApiError::new(
        403,
        "csrf_token_invalid",
        "La richiesta non è stata accettata per motivi di sicurezza. Ricarica la pagina e riprova.",
    )
}

#[cfg(target_arch = "wasm32")]
mod store {
    use spin_sdk::http::Request;

    use super::*;
    use crate::kv;
    use crate::spin::header;

    /// Session lifetimes from the variables `session_idle_minutes` and `session_max_hours`.
    pub fn timeouts() -> Timeouts {
        Timeouts {
            idle_secs: i64::from(crate::spin::number_variable("session_idle_minutes", 30)) * 60,
            absolute_secs: i64::from(crate::spin::number_variable("session_max_hours", 8)) * 3600,
        }
    }

    /// The caller's live session with its id, if any (expired ones are deleted).
    pub fn current(req: &Request) -> Result<Option<(String, Session)>, ApiError> {
        let Some(id) = header(req, "cookie").and_then(id_from_cookies) else { return Ok(None) };
        let Some(raw) = kv::get(&key(id))? else { return Ok(None) };
        let Ok(mut session) = serde_json::from_slice::<Session>(&raw) else {
            eprintln!("session: unreadable record, deleted");
            let _ = kv::delete(&key(id));
            return Ok(None);
        };
        let now = crate::rome::unix_now();
        match session.status(now, timeouts()) {
            Status::Expired => {
                let _ = kv::delete(&key(id));
                Ok(None)
            }
            Status::Live { touch } => {
                if touch {
                    session.last_seen = now;
                    save(id, &session)?;
                }
                Ok(Some((id.to_string(), session)))
            }
        }
    }

    /// The auth guard: the caller's session, or 401.
    pub fn require(req: &Request) -> Result<Session, ApiError> {
        current(req)?.map(|(_, s)| s).ok_or_else(unauthenticated)
    }

    /// The auth guard for writes: a session and its CSRF token in the `X-CSRF-Token`
    /// header (or `form_token`, the `csrf_token` field of a submitted form).
    pub fn require_write(req: &Request, form_token: Option<&str>) -> Result<Session, ApiError> {
        let session = require(req)?;
        let token = header(req, CSRF_HEADER).or(form_token).unwrap_or("");
        if !session.csrf_matches(token) {
            eprintln!("csrf: refused a write for person {}", session.person_id);
            return Err(csrf_refused());
        }
        Ok(session)
    }

    pub fn save(id: &str, session: &Session) -> Result<(), ApiError> {
        kv::set_json(&key(id), session)
    }

    /// Stores a new session and returns its id.
    pub fn create(session: &Session) -> Result<String, ApiError> {
        let id = random_token()?;
        save(&id, session)?;
        Ok(id)
    }

    pub fn delete(id: &str) -> Result<(), ApiError> {
        kv::delete(&key(id))
    }
}

#[cfg(target_arch = "wasm32")]
pub use store::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created: i64, seen: i64) -> Session {
        Session {
            person_id: 1,
            fiscal_code: "RSSMRA80A01D612J".into(),
            name: "Mario".into(),
            family_name: "Rossi".into(),
            login: Login { method: "spid".into(), idp: None, name_id: None, name_qualifier: None, session_index: None, level: 2 },
            csrf_token: "a".repeat(64),
            created_at: created,
            last_seen: seen,
            account: Account::Active,
            acting_as: None,
        }
    }

    const T: Timeouts = Timeouts { idle_secs: 1800, absolute_secs: 8 * 3600 };

    #[test]
    fn idle_and_absolute_timeouts() {
        assert_eq!(session(0, 0).status(30, T), Status::Live { touch: false });
        assert_eq!(session(0, 0).status(61, T), Status::Live { touch: true });
        assert_eq!(session(0, 0).status(1801, T), Status::Expired, "idle");
        assert_eq!(session(0, 8 * 3600 - 10).status(8 * 3600 + 1, T), Status::Expired, "absolute");
        assert_eq!(session(10_000, 10_000).status(0, T), Status::Expired, "from the future");
    }

    #[test]
    fn csrf_tokens_must_match_exactly() {
        let s = session(0, 0);
        assert!(s.csrf_matches(&"a".repeat(64)));
        assert!(!s.csrf_matches(&"a".repeat(63)));
        assert!(!s.csrf_matches(""));
        assert!(!s.csrf_matches(&"b".repeat(64)));
    }

    #[test]
    fn sessions_written_before_registration_still_parse() {
        let mut v = serde_json::to_value(session(0, 0)).unwrap();
        let o = v.as_object_mut().unwrap();
        o.remove("account");
        o.remove("acting_as");
        let old: Session = serde_json::from_value(v).unwrap();
        assert_eq!((old.account, old.acting_as), (Account::Unregistered, None));
        let mut s = session(0, 0);
        s.acting_as = Some(ActingAs { company_id: 7, fiscal_code: "01234567890".into(), name: "ACME S.R.L.".into(), kind: "company".into() });
        let back: Session = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert_eq!(serde_json::to_value(Account::Pending).unwrap(), "pending");
    }

    #[test]
    fn cookies_are_parsed_strictly_and_set_securely() {
        let id = "0123456789abcdef".repeat(4);
        assert_eq!(id_from_cookies(&format!("tl_consent=1; {COOKIE}={id}")), Some(id.as_str()));
        assert_eq!(id_from_cookies(&format!("{COOKIE}=short")), None);
        assert_eq!(id_from_cookies(&format!("x{COOKIE}={id}")), None);
        let c = set_cookie(&id, 3600);
        assert!(c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Lax") && c.contains("Path=/"));
        assert_eq!(random_token().unwrap().len(), 64);
    }
}
