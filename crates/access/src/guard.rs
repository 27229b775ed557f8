//! The guards every personal or company endpoint starts with: a live session
//! ([`require`]), its CSRF token on writes ([`require_write`]), an active account
//! ([`require_active`]) and a current incarico for the company acted for
//! ([`require_acting`]). The session lookup joins `accounts` and `incarichi`, so each
//! guard sees the database as it is on this very request.
//!
//! Tables read here: `accounts` and `incarichi` (owner: registration,
//! `db/migrations/0007_registration.sql`), `companies` (`0006_companies.sql`).

use common::sql::Db;
use common::{ApiError, Req, params};

use crate::session::{self, Account, ActingAs, CSRF_HEADER, Session};

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

/// The account status in the database (`Unregistered` without an `accounts` row).
pub fn status(db: &dyn Db, person_id: i64) -> Result<Account, ApiError> {
    let rows = db.execute("SELECT status FROM accounts WHERE person_id = ?1", params![person_id])?;
    Ok(Account::from_status(rows.first().and_then(|r| r.get::<&str>("status"))))
}

/// The company of a current (not revoked) incarico of `person_id`, with the role.
pub fn incarico(db: &dyn Db, person_id: i64, company_id: i64) -> Result<Option<(ActingAs, String)>, ApiError> {
    let rows = db.execute(
        "SELECT c.id, c.fiscal_code, c.name, c.kind, i.role FROM incarichi i JOIN companies c ON c.id = i.company_id
          WHERE i.person_id = ?1 AND i.company_id = ?2 AND i.revoked_at IS NULL",
        params![person_id, company_id],
    )?;
    let Some(r) = rows.first() else { return Ok(None) };
    Ok(Some((ActingAs { company_id: r.int("id")?, fiscal_code: r.text("fiscal_code")?, name: r.text("name")?, kind: r.text("kind")? }, r.text("role")?)))
}

/// A live session, or 401.
pub fn require(db: &dyn Db, req: &Req) -> Result<Session, ApiError> {
    session::current(db, req)?.ok_or_else(session::unauthenticated)
}

/// The CSRF token of `s` in the `X-CSRF-Token` header or in `form_token` (the
/// `csrf_token` field of a submitted form), else 403.
pub fn check_csrf(req: &Req, s: &Session, form_token: Option<&str>) -> Result<(), ApiError> {
    let token = req.header(CSRF_HEADER).or(form_token).unwrap_or("");
    if !s.csrf_matches(token) {
        eprintln!("csrf: refused a write for person {}", s.person_id);
        return Err(session::csrf_refused());
    }
    Ok(())
}

/// [`require`] for writes: also the CSRF token.
pub fn require_write(db: &dyn Db, req: &Req, form_token: Option<&str>) -> Result<Session, ApiError> {
    let s = require(db, req)?;
    check_csrf(req, &s, form_token)?;
    Ok(s)
}

/// A live session of an active account (401 without a session, 403 otherwise).
pub fn require_active(db: &dyn Db, req: &Req) -> Result<Session, ApiError> {
    let s = require(db, req)?;
    if s.account != Account::Active {
        return Err(not_active(s.account));
    }
    Ok(s)
}

/// [`require_active`] for writes: also the CSRF token.
pub fn require_active_write(db: &dyn Db, req: &Req, form_token: Option<&str>) -> Result<Session, ApiError> {
    let s = require_active(db, req)?;
    check_csrf(req, &s, form_token)?;
    Ok(s)
}

/// An active person acting for a company with a current incarico (the session lookup
/// checked it in this request). Returns the session and the company.
pub fn require_acting(db: &dyn Db, req: &Req) -> Result<(Session, ActingAs), ApiError> {
    let s = require_active(db, req)?;
    let company = s.acting_as.clone().ok_or_else(|| {
        // distinguish "never chose a company" from "the incarico is gone"
        match acting_company_id(db, &s) {
            Ok(Some(_)) => incarico_required(),
            _ => not_acting(),
        }
    })?;
    Ok((s, company))
}

/// [`require_acting`] for writes: also the CSRF token.
pub fn require_acting_write(db: &dyn Db, req: &Req, form_token: Option<&str>) -> Result<(Session, ActingAs), ApiError> {
    let (s, company) = require_acting(db, req)?;
    check_csrf(req, &s, form_token)?;
    Ok((s, company))
}

/// The company the session row names, whatever the incarico (the lookup already cleared
/// it when the incarico is gone, so this is `Some` only in a race with a revocation).
fn acting_company_id(db: &dyn Db, s: &Session) -> Result<Option<i64>, ApiError> {
    Ok(db.execute("SELECT acting_company_id FROM sessions WHERE id_hash = ?1", params![s.id_hash.as_str()])?.first().and_then(|r| r.opt_int("acting_company_id")))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::testing::{T, db, new};
    use crate::session::{COOKIE, create, set_acting};

    fn req_with(id: &str, now: i64) -> Req {
        Req::new("POST", "/x").header_set("cookie", &format!("{COOKIE}={id}")).at(now)
    }

    #[test]
    fn guards_in_order_session_account_csrf_company() {
        let c = db();
        assert_eq!(require(&c, &Req::new("GET", "/")).unwrap_err().status, 401);
        let giulia = create(&c, &new(2), 1000, T).unwrap();
        assert_eq!(require_active(&c, &req_with(&giulia, 1000)).unwrap_err().code, "registration_required");
        testing_pending(&c);
        assert_eq!(require_active(&c, &req_with(&giulia, 1000)).unwrap_err().code, "account_not_active");
        let mario = create(&c, &new(1), 1000, T).unwrap();
        let r = req_with(&mario, 1000);
        let s = require_active(&c, &r).unwrap();
        assert_eq!(require_active_write(&c, &r, None).unwrap_err().code, "csrf_token_invalid");
        assert!(require_active_write(&c, &r, Some(&s.csrf_token)).is_ok());
        let with_header = r.clone().header_set("x-csrf-token", &s.csrf_token);
        assert!(require_active_write(&c, &with_header, None).is_ok());
        assert_eq!(require_acting(&c, &r).unwrap_err().code, "not_acting_for_company");
        set_acting(&c, &s, Some(1)).unwrap();
        let (_, company) = require_acting(&c, &r).unwrap();
        assert_eq!(company.name, "ACME S.R.L.");
        assert_eq!(require_acting_write(&c, &r, Some("nope")).unwrap_err().status, 403);
        assert_eq!(incarico(&c, 1, 1).unwrap().unwrap().1, "rappresentante_legale");
        assert!(incarico(&c, 1, 2).unwrap().is_none());
        assert_eq!(status(&c, 2).unwrap(), Account::Pending);
    }

    fn testing_pending(c: &rusqlite::Connection) {
        common::sql::testing::run(
            c,
            "INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
               residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
               VALUES (2, 'pending', 'citizen', '1990-01-01', 'D612', '048017', '50100', 'Via Roma 1', 1, 'g@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x')",
        );
    }
}
