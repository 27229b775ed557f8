//! Guards over the registration state (A1) and acting for a company (A3), for every
//! component with personal or company endpoints.
//!
//! - [`require_active`]: a live session of a person whose account is active. While a
//!   session says `unregistered` or `pending`, the account's status is read again from
//!   the database (activation may have happened in another browser).
//! - [`require_acting`]: an active person acting for a company (agency, professional
//!   firm) **and** holding a current incarico for it, re-checked in SQLite on every
//!   call; a revoked incarico drops the session back to acting as a citizen.
//!
//! Tables read here: `accounts` and `incarichi` (owner: registration,
//! `db/migrations/0007_registration.sql`), `companies` (`0006_companies.sql`).

use crate::ApiError;
use crate::session::{Account, Session};

pub fn registration_required() -> ApiError {
    ApiError::new(403, "registration_required", "Per usare questo servizio completa prima la registrazione al portale.")
}

pub fn account_not_active() -> ApiError {
    ApiError::new(
        403,
        "account_not_active",
        "Il tuo account non è ancora attivo: apri il collegamento che ti abbiamo inviato per e-mail. Se non lo trovi puoi chiederne uno nuovo.",
    )
}

pub fn not_acting() -> ApiError {
    ApiError::new(403, "not_acting_for_company", "Per usare questo servizio scegli l'azienda per cui operi dal menu con il tuo nome.")
}

pub fn incarico_required() -> ApiError {
    ApiError::new(403, "incarico_required", "Non hai un incarico attivo per questa azienda: non puoi operare per suo conto.")
}

/// The error for a session whose account is not (yet) active.
pub fn not_active(account: Account) -> ApiError {
    match account {
        Account::Unregistered => registration_required(),
        _ => account_not_active(),
    }
}

/// Brings a session up to date with the database: `status` is the account's status
/// (read only when the session is not active), `incarico` whether the company the
/// session acts for still has a current incarico (read only when acting). Returns
/// whether the session changed and must be saved.
pub fn refresh(s: &mut Session, status: Option<Account>, incarico: Option<bool>) -> bool {
    let mut changed = false;
    if let Some(a) = status
        && a != s.account
    {
        s.account = a;
        changed = true;
    }
    if s.acting_as.is_some() && (s.account != Account::Active || incarico == Some(false)) {
        s.acting_as = None;
        changed = true;
    }
    changed
}

#[cfg(target_arch = "wasm32")]
mod guard {
    use spin_sdk::http::Request;
    use spin_sdk::sqlite::{Connection, Value};

    use super::*;
    use crate::session::ActingAs;
    use crate::{db, session};

    /// The account status in the database (`Unregistered` without an `accounts` row).
    pub fn status(conn: &Connection, person_id: i64) -> Result<Account, ApiError> {
        let rows = db::query(conn, "SELECT status FROM accounts WHERE person_id = ?", &[Value::Integer(person_id)])?;
        Ok(match rows.rows().next().and_then(|r| r.get::<&str>("status").map(str::to_owned)).as_deref() {
            Some("active") => Account::Active,
            Some(_) => Account::Pending,
            None => Account::Unregistered,
        })
    }

    /// The company of a current (not revoked) incarico of `person_id`, with the role.
    pub fn incarico(conn: &Connection, person_id: i64, company_id: i64) -> Result<Option<(ActingAs, String)>, ApiError> {
        let rows = db::query(
            conn,
            "SELECT c.id, c.fiscal_code, c.name, c.kind, i.role FROM incarichi i JOIN companies c ON c.id = i.company_id
             WHERE i.person_id = ? AND i.company_id = ? AND i.revoked_at IS NULL",
            &[Value::Integer(person_id), Value::Integer(company_id)],
        )?;
        let Some(r) = rows.rows().next() else { return Ok(None) };
        Ok(Some((
            ActingAs { company_id: db::int(&r, "id")?, fiscal_code: db::text(&r, "fiscal_code")?, name: db::text(&r, "name")?, kind: db::text(&r, "kind")? },
            db::text(&r, "role")?,
        )))
    }

    /// The caller's live session brought up to date with the database (see
    /// [`refresh`]); what `GET /api/session` shows.
    pub fn current(req: &Request) -> Result<Option<(String, Session)>, ApiError> {
        let Some((id, mut s)) = session::current(req)? else { return Ok(None) };
        if s.account == Account::Active && s.acting_as.is_none() {
            return Ok(Some((id, s)));
        }
        let conn = db::open()?;
        let status = if s.account == Account::Active { None } else { Some(status(&conn, s.person_id)?) };
        let active = status.unwrap_or(s.account) == Account::Active;
        let holds = match &s.acting_as {
            Some(a) if active => Some(incarico(&conn, s.person_id, a.company_id)?.is_some()),
            _ => None,
        };
        if refresh(&mut s, status, holds) {
            session::save(&id, &s)?;
        }
        Ok(Some((id, s)))
    }

    /// A live session of an active account (401 without a session, 403 otherwise),
    /// with the session id.
    pub fn require_active_with_id(req: &Request) -> Result<(String, Session), ApiError> {
        let (id, s) = current(req)?.ok_or_else(session::unauthenticated)?;
        if s.account != Account::Active {
            return Err(not_active(s.account));
        }
        Ok((id, s))
    }

    pub fn require_active(req: &Request) -> Result<Session, ApiError> {
        require_active_with_id(req).map(|(_, s)| s)
    }

    /// [`require_active`] for writes: also the CSRF token (see `session::require_write`).
    pub fn require_active_write(req: &Request, form_token: Option<&str>) -> Result<Session, ApiError> {
        let s = require_active(req)?;
        check_csrf(req, &s, form_token)?;
        Ok(s)
    }

    pub fn check_csrf(req: &Request, s: &Session, form_token: Option<&str>) -> Result<(), ApiError> {
        let token = crate::spin::header(req, session::CSRF_HEADER).or(form_token).unwrap_or("");
        if !s.csrf_matches(token) {
            eprintln!("csrf: refused a write for person {}", s.person_id);
            return Err(session::csrf_refused());
        }
        Ok(())
    }

    /// An active person acting for a company with a current incarico, checked in the
    /// database on this very call. Returns the session and the company.
    pub fn require_acting(req: &Request) -> Result<(Session, ActingAs), ApiError> {
        let s = require_active(req)?;
        // `current` dropped `acting_as` if the incarico is gone; check again anyway so
        // that this guard's guarantee does not depend on that code path.
        let a = s.acting_as.clone().ok_or_else(not_acting)?;
        let conn = db::open()?;
        let (company, _role) = incarico(&conn, s.person_id, a.company_id)?.ok_or_else(incarico_required)?;
        Ok((s, company))
    }

    pub fn require_acting_write(req: &Request, form_token: Option<&str>) -> Result<(Session, ActingAs), ApiError> {
        let (s, company) = require_acting(req)?;
        check_csrf(req, &s, form_token)?;
        Ok((s, company))
    }
}

#[cfg(target_arch = "wasm32")]
pub use guard::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{ActingAs, Login};

    fn session(account: Account, acting: bool) -> Session {
        Session {
            person_id: 1,
            fiscal_code: "RSSMRA85C14D612R".into(),
            name: "Mario".into(),
            family_name: "Rossi".into(),
            login: Login { method: "spid".into(), idp: None, name_id: None, name_qualifier: None, session_index: None, level: 2 },
            csrf_token: "a".repeat(64),
            created_at: 0,
            last_seen: 0,
            account,
            acting_as: acting.then(|| ActingAs { company_id: 3, fiscal_code: "01234567890".into(), name: "ACME S.R.L.".into(), kind: "company".into() }),
        }
    }

    #[test]
    fn a_pending_session_sees_the_activation() {
        let mut s = session(Account::Pending, false);
        assert!(refresh(&mut s, Some(Account::Active), None));
        assert_eq!(s.account, Account::Active);
        assert!(!refresh(&mut s, None, None), "nothing new");
    }

    #[test]
    fn a_lost_incarico_drops_acting_as() {
        let mut s = session(Account::Active, true);
        assert!(!refresh(&mut s, None, Some(true)));
        assert!(s.acting_as.is_some());
        assert!(refresh(&mut s, None, Some(false)));
        assert!(s.acting_as.is_none());
        // an account that is not active never acts for a company
        let mut s = session(Account::Pending, true);
        assert!(refresh(&mut s, Some(Account::Pending), None));
        assert!(s.acting_as.is_none());
    }

    #[test]
    fn errors_say_what_to_do() {
        assert_eq!(not_active(Account::Unregistered).code, "registration_required");
        assert_eq!(not_active(Account::Pending).code, "account_not_active");
        assert_eq!(incarico_required().status, 403);
    }
}
