//! Who is calling and what they may do: sessions, CSRF tokens, the account's state,
//! incarichi for companies, back-office roles, one-time codes that prove a number or an
//! address, and the records of who did what, all kept in SQLite and re-checked on every
//! request.
//!
//! [`session`] (the `sessions` table), [`guard`] (`require_*`, what every endpoint starts
//! with), [`staff`] (operators and administrators), [`otp`] (`otp_codes`), [`audit`]
//! (`audit_log`, `cv_access_log`). The tables are `db/migrations/0009_access.sql` and
//! `0010_backoffice.sql`.

pub mod audit;
pub mod guard;
pub mod otp;
pub mod session;
pub mod staff;

pub use guard::{check_csrf, incarico, require, require_acting, require_acting_write, require_active, require_active_write, require_write};
pub use session::{Account, ActingAs, Login, Session, Timeouts};

/// Every statement that deletes expired rows of this crate's tables (and of
/// `rate_windows`), each taking `?1` = now (and `?2` = the idle timeout for sessions):
/// what the cleanup job runs.
pub fn purge(db: &dyn common::sql::Db, now: i64, t: Timeouts) -> Result<Vec<(&'static str, usize)>, common::ApiError> {
    use common::params;
    let mut out = Vec::new();
    let n = db.execute(&format!("{} RETURNING 1", session::PURGE_SQL), params![now, t.idle_secs])?.len();
    out.push(("sessions", n));
    let mut codes = 0;
    for sql in otp::PURGE_SQL {
        codes += db.execute(&format!("{sql} RETURNING 1"), params![now])?.len();
    }
    out.push(("otp", codes));
    out.push(("rate_windows", db.execute(&format!("{} RETURNING 1", common::rate::PURGE_SQL), params![now])?.len()));
    Ok(out)
}

/// Fixtures for native tests of any component: a database with two people, an active
/// account, two companies and an incarico.
#[cfg(not(target_arch = "wasm32"))]
pub mod testing {
    use common::sql::testing;

    use crate::session::{Login, New, Timeouts};

    pub const T: Timeouts = Timeouts { idle_secs: 1800, absolute_secs: 8 * 3600 };

    /// A database with Mario Rossi (person 1, active, incarico for company 1) and
    /// Giulia Bianchi (person 2, not registered).
    pub fn db() -> rusqlite::Connection {
        let c = testing::migrated();
        seed(&c);
        c
    }

    /// The people, account, companies and incarico of [`db`], in `c`.
    pub fn seed(c: &rusqlite::Connection) {
        testing::run(
            c,
            "INSERT INTO people (id, fiscal_code, name, family_name, last_method, first_login_at, last_login_at)
               VALUES (1, 'RSSMRA85C14D612R', 'Mario', 'Rossi', 'spid', 'x', 'x'), (2, 'BNCGLI90A41D612I', 'Giulia', 'Bianchi', 'spid', 'x', 'x');
             INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
               residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
               VALUES (1, 'active', 'citizen', '1985-03-14', 'D612', '048017', '50100', 'Via Roma 1', 1, 'mario@example.org', '+393471234567', 'x', '1', 'x', 'x', 'x');
             INSERT INTO companies (id, fiscal_code, vat_number, name, legal_form, kind, seat_istat, seat_address, seat_cap, source, created_at, updated_at)
               VALUES (1, '01234560488', '01234560488', 'ACME S.R.L.', 'S.R.L.', 'company', '048017', 'Via Roma 2', '50100', 'demo', 'x', 'x'),
                      (2, '06543210485', '06543210485', 'GPI S.P.A.', 'S.P.A.', 'company', '048017', 'Via Roma 3', '50100', 'demo', 'x', 'x');
             INSERT INTO incarichi (id, person_id, company_id, role, declaration_version, declaration_accepted_at, created_at)
               VALUES (1, 1, 1, 'rappresentante_legale', '1', 'x', 'x');",
        );
    }

    /// Two CPIs at work, on top of [`seed`]: Giulia (2) registered in Prato and operator of
    /// Prato, Anna Verdi (3) a registered citizen of Prato, Piero Neri (4) registered in
    /// Firenze and operator of Firenze: for the tests of what operators do for their
    /// citizens and may not do for another CPI's.
    pub fn two_cpis(c: &rusqlite::Connection) {
        testing::run(
            c,
            "INSERT INTO people (id, fiscal_code, name, family_name, last_method, first_login_at, last_login_at)
               VALUES (3, 'VRDNNA80A41G999X', 'Anna', 'Verdi', 'spid', 'x', 'x'), (4, 'NRIPRI70A01D612X', 'Piero', 'Neri', 'spid', 'x', 'x');
             INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
               residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
               VALUES (2, 'active', 'citizen', '1990-01-01', 'D612', '100005', '59100', 'Via Roma 9', 1, 'giulia@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x'),
                      (3, 'active', 'citizen', '1980-01-01', 'G999', '100005', '59100', 'Via Roma 10', 1, 'anna@example.org', '+393470000001', 'x', '1', 'x', 'x', 'x'),
                      (4, 'active', 'citizen', '1970-01-01', 'D612', '048017', '50100', 'Via Roma 11', 1, 'piero@example.org', '+393470000002', 'x', '1', 'x', 'x', 'x');
             INSERT INTO staff_roles (fiscal_code, role, cpi_code, granted_by, granted_at) VALUES
               ('BNCGLI90A41D612I', 'operator', 'prato', 'test', 0), ('NRIPRI70A01D612X', 'operator', 'firenze', 'test', 0);",
        );
    }

    /// A request with the session cookie `id` at `now`.
    pub fn req(method: &str, target: &str, id: &str, now: i64) -> common::Req {
        common::Req::new(method, target).header_set("cookie", &format!("{}={id}", crate::session::COOKIE)).at(now)
    }

    /// A session for `person_id` created at `now`, with its CSRF token: `(cookie id, token)`.
    pub fn sign_in(c: &dyn common::sql::Db, person_id: i64, now: i64) -> (String, String) {
        let id = crate::session::create(c, &new(person_id), now, T).unwrap();
        let token = crate::session::find(c, &id, now, T).unwrap().unwrap().csrf_token;
        (id, token)
    }

    pub fn login() -> Login {
        Login { method: "spid".into(), idp: Some("idp".into()), name_id: Some("n1".into()), name_qualifier: None, session_index: Some("s1".into()), level: 2 }
    }

    pub fn new(person_id: i64) -> New {
        New { person_id, login: login(), slo_key: Some("slo".into()) }
    }

}
