//! Sessions: an opaque random id in a cookie, mapped in SQLite (`sessions`,
//! `db/migrations/0009_access.sql`) to the person and how they logged in.
//!
//! Only the id's SHA-256 is stored. The account's status and the company acted for
//! are derived at every lookup from `accounts`, `incarichi` and `companies`, so they are
//! never stale. Every write is one statement on its own columns: the refresh of
//! `last_seen` is a conditional `UPDATE` that cannot bring back a session that logout
//! has deleted nor undo a concurrent change of the company acted for.

use common::sql::{Db, Row};
use common::token::{cookie, random_token, secrets_match, sha256_hex};
use common::{ApiError, Req, params};
use serde::{Deserialize, Serialize};

/// The cookie. `__Host-` binds it to this host, path `/`, Secure.
pub const COOKIE: &str = "__Host-tl_session";
/// Header carrying the CSRF token on JavaScript writes.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The last activity is written back at most this often (seconds).
pub const TOUCH_EVERY: i64 = 60;
/// A session created this far in the future (clock skew between replicas) still counts.
const FUTURE_SLACK: i64 = 60;

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

/// Where the person stands with registration (A1), from `accounts`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// The status column of `accounts` (`None`: no row).
    pub fn from_status(status: Option<&str>) -> Self {
        match status {
            Some("active") => Self::Active,
            Some(_) => Self::Pending,
            None => Self::Unregistered,
        }
    }
}

/// The company (or agency, or professional firm) a person is acting for (A3), with a
/// current incarico.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActingAs {
    pub company_id: i64,
    pub fiscal_code: String,
    pub name: String,
    /// `company`, `agency` or `professional_firm`
    pub kind: String,
}

/// A live session as a lookup found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie's id: the row's key.
    pub id_hash: String,
    pub person_id: i64,
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
    pub login: Login,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub account: Account,
    /// `None`: acting as themselves (citizen), or the incarico is gone.
    pub acting_as: Option<ActingAs>,
    /// The CPI an operator chose to work for, as stored; `crate::staff` checks the role.
    pub acting_cpi: Option<String>,
}

impl Session {
    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        !self.csrf_token.is_empty() && secrets_match(self.csrf_token.as_bytes(), token.as_bytes())
    }
}

/// Session lifetimes, from the variables `session_idle_minutes` and `session_max_hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

impl Timeouts {
    pub fn from_req(req: &Req) -> Self {
        Self { idle_secs: req.var_number("session_idle_minutes", 30).max(1) * 60, absolute_secs: req.var_number("session_max_hours", 8).max(1) * 3600 }
    }
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

pub fn unauthenticated() -> ApiError {
    ApiError::new(401, "unauthenticated", "Per usare questo servizio devi accedere con SPID, CIE o CNS.")
}

pub fn csrf_refused() -> ApiError {
    ApiError::new(403, "csrf_token_invalid", "La richiesta non è stata accettata per motivi di sicurezza. Ricarica la pagina e riprova.")
}

/// The live session with this hash, its account and company joined.
const LOOKUP_SQL: &str = "SELECT s.id_hash, s.person_id, s.login, s.csrf_token, s.acting_company_id, s.acting_cpi, s.created_at, s.last_seen,
        p.fiscal_code, p.name, p.family_name, a.status AS account_status,
        c.fiscal_code AS c_fiscal_code, c.name AS c_name, c.kind AS c_kind,
        EXISTS (SELECT 1 FROM incarichi i WHERE i.person_id = s.person_id AND i.company_id = s.acting_company_id
                AND i.revoked_at IS NULL) AS holds
   FROM sessions s JOIN people p ON p.id = s.person_id
   LEFT JOIN accounts a ON a.person_id = s.person_id
   LEFT JOIN companies c ON c.id = s.acting_company_id
  WHERE s.id_hash = ?1 AND s.last_seen > ?2 - ?3 AND s.expires_at > ?2 AND s.created_at <= ?2 + ?4";

/// The refresh: only a row that exists, and only forward.
const TOUCH_SQL: &str = "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1 AND last_seen <= ?2 - ?3";

/// Forgets a company whose incarico is gone, unless the session switched meanwhile.
const DROP_ACTING_SQL: &str = "UPDATE sessions SET acting_company_id = NULL WHERE id_hash = ?1 AND acting_company_id = ?2";

const INSERT_SQL: &str = "INSERT INTO sessions (id_hash, person_id, login, slo_key, csrf_token, acting_company_id, created_at, last_seen, expires_at)
     VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?6, ?7)";

/// Deletes sessions past their idle or absolute lifetime (the cleanup job).
pub const PURGE_SQL: &str = "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen <= ?1 - ?2";

fn session_of(r: &Row<'_>) -> Result<(Session, Option<i64>, bool), ApiError> {
    let login: Login = serde_json::from_str(r.str("login")?).map_err(|e| ApiError::internal(format!("session login: {e}")))?;
    let account = Account::from_status(r.get::<&str>("account_status"));
    let company = r.opt_int("acting_company_id");
    let holds = r.flag("holds")?;
    let acting_as = match company {
        Some(id) if holds && account == Account::Active => Some(ActingAs {
            company_id: id,
            fiscal_code: r.text("c_fiscal_code")?,
            name: r.text("c_name")?,
            kind: r.text("c_kind")?,
        }),
        _ => None,
    };
    let stale = company.is_some() && acting_as.is_none();
    let s = Session {
        id_hash: r.text("id_hash")?,
        person_id: r.int("person_id")?,
        fiscal_code: r.text("fiscal_code")?,
        name: r.text("name")?,
        family_name: r.text("family_name")?,
        login,
        csrf_token: r.text("csrf_token")?,
        created_at: r.int("created_at")?,
        last_seen: r.int("last_seen")?,
        account,
        acting_as,
        acting_cpi: r.opt_text("acting_cpi"),
    };
    Ok((s, company, stale))
}

/// The live session whose cookie id is `id` at `now`, refreshed.
pub fn find(db: &dyn Db, id: &str, now: i64, t: Timeouts) -> Result<Option<Session>, ApiError> {
    let hash = sha256_hex(id.as_bytes());
    let rows = db.execute(LOOKUP_SQL, params![hash.as_str(), now, t.idle_secs, FUTURE_SLACK])?;
    let Some(row) = rows.first() else { return Ok(None) };
    let (mut s, company, stale) = session_of(&row)?;
    if now - s.last_seen >= TOUCH_EVERY {
        db.execute(TOUCH_SQL, params![hash.as_str(), now, TOUCH_EVERY])?;
        s.last_seen = now;
    }
    if stale {
        db.execute(DROP_ACTING_SQL, params![hash.as_str(), company])?;
    }
    Ok(Some(s))
}

/// The caller's live session, if any (the cookie of `req`, at `req.now`).
pub fn current(db: &dyn Db, req: &Req) -> Result<Option<Session>, ApiError> {
    let Some(id) = req.header("cookie").and_then(id_from_cookies) else { return Ok(None) };
    find(db, id, req.now, Timeouts::from_req(req))
}

/// What a new session needs.
#[derive(Debug, Clone)]
pub struct New {
    pub person_id: i64,
    pub login: Login,
    /// Where single logout started by the IdP finds it (see `sso`).
    pub slo_key: Option<String>,
}

/// Stores a new session at `now` and returns the cookie's id (256 random bits).
pub fn create(db: &dyn Db, new: &New, now: i64, t: Timeouts) -> Result<String, ApiError> {
    let id = random_token()?;
    let login = serde_json::to_string(&new.login).map_err(ApiError::internal)?;
    db.execute(
        INSERT_SQL,
        params![sha256_hex(id.as_bytes()), new.person_id, login, new.slo_key.as_deref(), random_token()?, now, now + t.absolute_secs],
    )?;
    Ok(id)
}

/// Ends a session (logout). Idempotent.
pub fn end(db: &dyn Db, s: &Session) -> Result<(), ApiError> {
    db.execute("DELETE FROM sessions WHERE id_hash = ?1", params![s.id_hash.as_str()])?;
    Ok(())
}

/// Ends the sessions that a login with this SLO key opened, when their IdP session index
/// is one of `indexes` (all of them when `indexes` is empty). Returns how many.
pub fn end_by_slo(db: &dyn Db, slo_key: &str, name_id: &str, indexes: &[String]) -> Result<usize, ApiError> {
    let rows = db.execute("SELECT id_hash, login FROM sessions WHERE slo_key = ?1", params![slo_key])?;
    let mut ended = 0;
    for r in rows.rows() {
        let Ok(login) = serde_json::from_str::<Login>(r.str("login")?) else { continue };
        let same_index = indexes.is_empty() || login.session_index.as_ref().is_none_or(|i| indexes.contains(i));
        if login.name_id.as_deref() == Some(name_id) && same_index {
            db.execute("DELETE FROM sessions WHERE id_hash = ?1", params![r.str("id_hash")?])?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Records the CPI an operator works for (the caller checked the role).
pub fn set_cpi(db: &dyn Db, s: &Session, cpi: &str) -> Result<(), ApiError> {
    let rows = db.execute("UPDATE sessions SET acting_cpi = ?2 WHERE id_hash = ?1 RETURNING id_hash", params![s.id_hash.as_str(), cpi])?;
    if rows.is_empty() {
        return Err(unauthenticated());
    }
    Ok(())
}

/// Records whom the session acts for (`None`: as a citizen). The caller checked the
/// incarico; every lookup checks it again. 401 when the session ended meanwhile.
pub fn set_acting(db: &dyn Db, s: &Session, company_id: Option<i64>) -> Result<(), ApiError> {
    let rows = db.execute("UPDATE sessions SET acting_company_id = ?2 WHERE id_hash = ?1 RETURNING id_hash", params![s.id_hash.as_str(), company_id])?;
    if rows.is_empty() {
        return Err(unauthenticated());
    }
    Ok(())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use common::sql::testing;

    use super::*;
    use crate::testing::{T, db, new};

    #[test]
    fn a_session_lives_until_idle_or_absolute_timeout() {
        let c = db();
        let id = create(&c, &new(1), 1000, T).unwrap();
        let s = find(&c, &id, 1000, T).unwrap().unwrap();
        assert_eq!((s.person_id, s.name.as_str(), s.account, s.csrf_token.len()), (1, "Mario", Account::Active, 64));
        assert!(find(&c, &"0".repeat(64), 1000, T).unwrap().is_none(), "unknown id");
        assert!(find(&c, &id, 1000 + 1799, T).unwrap().is_some(), "refreshed at 2799");
        assert!(find(&c, &id, 2799 + 1799, T).unwrap().is_some(), "still within idle time of the refresh");
        assert!(find(&c, &id, 2799 + 1799 + 1801, T).unwrap().is_none(), "idle");
        let id = create(&c, &new(1), 0, T).unwrap();
        for t in (0..8 * 3600).step_by(1000) {
            assert!(find(&c, &id, t, T).unwrap().is_some(), "at {t}");
        }
        assert!(find(&c, &id, 8 * 3600, T).unwrap().is_none(), "absolute lifetime, however active");
        let id = create(&c, &new(1), 10_000, T).unwrap();
        assert!(find(&c, &id, 9_000, T).unwrap().is_none(), "created in the future");
        Db::execute(&c, PURGE_SQL, params![100_000, T.idle_secs]).unwrap();
        assert_eq!(Db::execute(&c, "SELECT count(*) AS n FROM sessions", &[]).unwrap().scalar("n").unwrap(), 0);
    }

    #[test]
    fn a_refresh_never_brings_back_an_ended_session_nor_undoes_a_switch() {
        let c = db();
        let id = create(&c, &new(1), 1000, T).unwrap();
        let s = find(&c, &id, 1000, T).unwrap().unwrap();
        // a switch, then a refresh that had read the session before the switch
        set_acting(&c, &s, Some(1)).unwrap();
        Db::execute(&c, TOUCH_SQL, params![s.id_hash.as_str(), 1100, TOUCH_EVERY]).unwrap();
        assert_eq!(find(&c, &id, 1101, T).unwrap().unwrap().acting_as.unwrap().name, "ACME S.R.L.");
        // logout, then a refresh from a request that started before it
        end(&c, &s).unwrap();
        Db::execute(&c, TOUCH_SQL, params![s.id_hash.as_str(), 1200, TOUCH_EVERY]).unwrap();
        assert!(find(&c, &id, 1201, T).unwrap().is_none());
        assert_eq!(set_acting(&c, &s, None).unwrap_err().status, 401, "a switch of an ended session");
    }

    #[test]
    fn acting_counts_only_with_a_current_incarico_of_an_active_account() {
        let c = db();
        let id = create(&c, &new(1), 1000, T).unwrap();
        let s = find(&c, &id, 1000, T).unwrap().unwrap();
        set_acting(&c, &s, Some(2)).unwrap(); // no incarico for GPI
        assert_eq!(find(&c, &id, 1001, T).unwrap().unwrap().acting_as, None);
        assert_eq!(Db::execute(&c, "SELECT acting_company_id FROM sessions", &[]).unwrap().first().unwrap().opt_int("acting_company_id"), None);
        set_acting(&c, &s, Some(1)).unwrap();
        assert!(find(&c, &id, 1002, T).unwrap().unwrap().acting_as.is_some());
        testing::run(&c, "UPDATE incarichi SET revoked_at = 'x' WHERE id = 1");
        assert_eq!(find(&c, &id, 1003, T).unwrap().unwrap().acting_as, None, "revoked");
        let other = create(&c, &new(2), 1000, T).unwrap();
        assert_eq!(find(&c, &other, 1000, T).unwrap().unwrap().account, Account::Unregistered);
    }

    #[test]
    fn single_logout_ends_the_sessions_of_that_login() {
        let c = db();
        let a = create(&c, &new(1), 1000, T).unwrap();
        let b = create(&c, &New { slo_key: Some("other".into()), ..new(1) }, 1000, T).unwrap();
        assert_eq!(end_by_slo(&c, "slo", "n1", &["s9".into()]).unwrap(), 0, "another IdP session");
        assert_eq!(end_by_slo(&c, "slo", "n2", &[]).unwrap(), 0, "another NameID");
        assert_eq!(end_by_slo(&c, "slo", "n1", &["s1".into()]).unwrap(), 1);
        assert!(find(&c, &a, 1001, T).unwrap().is_none());
        assert!(find(&c, &b, 1001, T).unwrap().is_some());
    }

    #[test]
    fn cookies_are_parsed_strictly_and_set_securely() {
        let id = "0123456789abcdef".repeat(4);
        assert_eq!(id_from_cookies(&format!("tl_consent=1; {COOKIE}={id}")), Some(id.as_str()));
        assert_eq!(id_from_cookies(&format!("{COOKIE}=short")), None);
        assert_eq!(id_from_cookies(&format!("x{COOKIE}={id}")), None);
        let c = set_cookie(&id, 3600);
        assert!(c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Lax") && c.contains("Path=/"));
    }

    #[test]
    fn csrf_tokens_must_match_exactly() {
        let c = db();
        let id = create(&c, &new(1), 0, T).unwrap();
        let s = find(&c, &id, 0, T).unwrap().unwrap();
        assert!(s.csrf_matches(&s.csrf_token.clone()));
        assert!(!s.csrf_matches(&s.csrf_token[..63]));
        assert!(!s.csrf_matches(""));
    }
}
