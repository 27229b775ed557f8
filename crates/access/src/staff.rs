//! The back office's people: CPI operators (of one or more CPIs) and administrators.
//! Roles are rows of `staff_roles` (`db/migrations/0010_backoffice.sql`, owner: the
//! backoffice component), keyed by codice fiscale; the first administrators of a
//! deployment are named by the variable `bootstrap_admins` (codici fiscali separated by
//! commas or spaces). Every guard reads the roles again: a revoked role counts at once.
//!
//! An operator of several CPIs chooses the one they work for (`sessions.acting_cpi`,
//! like "Opera come"); with one CPI it is chosen for them.

use common::sql::Db;
use common::{ApiError, Req, params};
use serde::Serialize;

use crate::guard::{check_csrf, require_active};
use crate::session::Session;

/// A current role of a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffRole))]
pub struct Role {
    /// `operator` | `admin`
    pub role: String,
    /// The CPI of an operator.
    pub cpi: Option<Cpi>,
    /// Granted by the variable `bootstrap_admins`, not by a row.
    pub bootstrap: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffCpi))]
pub struct Cpi {
    pub code: String,
    pub name: String,
}

/// An operator at work: the person and the CPI they work for.
#[derive(Debug, Clone)]
pub struct Operator {
    pub session: Session,
    pub cpi: Cpi,
}

pub fn not_staff() -> ApiError {
    ApiError::new(403, "operator_required", "Questa funzione è riservata agli operatori dei Centri per l'impiego.")
}

pub fn not_admin() -> ApiError {
    ApiError::new(403, "admin_required", "Questa funzione è riservata agli amministratori del portale.")
}

pub fn cpi_choice_required() -> ApiError {
    ApiError::new(409, "cpi_choice_required", "Scegli il Centro per l'impiego per cui lavori dal menu dell'area operatore.")
}

/// Whether `fiscal_code` is among the variable's bootstrap administrators.
pub fn is_bootstrap_admin(req: &Req, fiscal_code: &str) -> bool {
    req.var("bootstrap_admins")
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .any(|cf| !cf.is_empty() && cf.eq_ignore_ascii_case(fiscal_code))
}

/// The current roles of `fiscal_code`, administrators first, then CPIs by name.
pub fn roles(db: &dyn Db, req: &Req, fiscal_code: &str) -> Result<Vec<Role>, ApiError> {
    let rows = db.execute(
        "SELECT r.role, r.cpi_code, c.name AS cpi_name FROM staff_roles r LEFT JOIN cpis c ON c.code = r.cpi_code
          WHERE r.fiscal_code = ?1 AND r.revoked_at IS NULL ORDER BY r.role = 'operator', c.name",
        params![fiscal_code],
    )?;
    let mut out = Vec::new();
    if is_bootstrap_admin(req, fiscal_code) {
        out.push(Role { role: "admin".into(), cpi: None, bootstrap: true });
    }
    for r in rows.rows() {
        let role = r.text("role")?;
        if role == "admin" && out.iter().any(|x| x.role == "admin") {
            continue;
        }
        let cpi = match r.opt_text("cpi_code") {
            Some(code) => Some(Cpi { code, name: r.text("cpi_name")? }),
            None => None,
        };
        out.push(Role { role, cpi, bootstrap: false });
    }
    Ok(out)
}

/// The CPIs `roles` lets a person work for as an operator.
pub fn operator_cpis(roles: &[Role]) -> Vec<Cpi> {
    roles.iter().filter(|r| r.role == "operator").filter_map(|r| r.cpi.clone()).collect()
}

/// An active account with an operator role, and the CPI it works for now: the one the
/// session chose if the role for it is current, else the only one. 403 without the role,
/// 409 `cpi_choice_required` when several CPIs and none chosen.
pub fn require_operator(db: &dyn Db, req: &Req) -> Result<Operator, ApiError> {
    let session = require_active(db, req)?;
    let cpis = operator_cpis(&roles(db, req, &session.fiscal_code)?);
    let chosen = match (&session.acting_cpi, cpis.as_slice()) {
        (Some(code), _) if cpis.iter().any(|c| &c.code == code) => cpis.iter().find(|c| &c.code == code).cloned(),
        (_, [only]) => Some(only.clone()),
        _ => None,
    };
    match chosen {
        Some(cpi) => Ok(Operator { session, cpi }),
        None if cpis.is_empty() => Err(not_staff()),
        None => Err(cpi_choice_required()),
    }
}

/// [`require_operator`] for writes: also the CSRF token.
pub fn require_operator_write(db: &dyn Db, req: &Req, form_token: Option<&str>) -> Result<Operator, ApiError> {
    let op = require_operator(db, req)?;
    check_csrf(req, &op.session, form_token)?;
    Ok(op)
}

/// An active account with the administrator role (a row, or `bootstrap_admins`).
pub fn require_admin(db: &dyn Db, req: &Req) -> Result<Session, ApiError> {
    let session = require_active(db, req)?;
    if !roles(db, req, &session.fiscal_code)?.iter().any(|r| r.role == "admin") {
        return Err(not_admin());
    }
    Ok(session)
}

/// [`require_admin`] for writes: also the CSRF token.
pub fn require_admin_write(db: &dyn Db, req: &Req, form_token: Option<&str>) -> Result<Session, ApiError> {
    let s = require_admin(db, req)?;
    check_csrf(req, &s, form_token)?;
    Ok(s)
}

/// Whether the person `person_id` is a citizen of `cpi_code`: their domicile (or
/// residence) lies in a province that the CPI's area serves (`area_provinces`).
pub fn is_citizen_of(db: &dyn Db, person_id: i64, cpi_code: &str) -> Result<bool, ApiError> {
    let rows = db.execute(
        "SELECT 1 AS x FROM accounts a JOIN comuni m ON m.istat = CASE WHEN a.domicile_same = 1 THEN a.residence_istat ELSE a.domicile_istat END
           JOIN area_provinces ap ON ap.province_code = m.province_code JOIN cpis c ON c.area_code = ap.area_code
          WHERE a.person_id = ?1 AND c.code = ?2",
        params![person_id, cpi_code],
    )?;
    Ok(!rows.is_empty())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::testing::{T, db, new, req};

    fn grant(c: &rusqlite::Connection, cf: &str, role: &str, cpi: Option<&str>) {
        Db::execute(c, "INSERT INTO staff_roles (fiscal_code, role, cpi_code, granted_by, granted_at) VALUES (?1, ?2, ?3, 'test', 0)", params![cf, role, cpi]).unwrap();
    }

    #[test]
    fn operators_work_for_one_cpi_at_a_time_and_roles_count_at_once() {
        let c = db();
        let id = crate::session::create(&c, &new(1), 1000, T).unwrap();
        let r = || req("GET", "/api/operator/offers", &id, 1000);
        assert_eq!(require_operator(&c, &r()).unwrap_err().code, "operator_required");
        grant(&c, "RSSMRA85C14D612R", "operator", Some("prato"));
        assert_eq!(require_operator(&c, &r()).unwrap().cpi.name, "PRATO", "the only CPI is chosen");
        grant(&c, "RSSMRA85C14D612R", "operator", Some("pisa"));
        assert_eq!(require_operator(&c, &r()).unwrap_err().code, "cpi_choice_required");
        let s = crate::session::find(&c, &id, 1000, T).unwrap().unwrap();
        crate::session::set_cpi(&c, &s, "pisa").unwrap();
        assert_eq!(require_operator(&c, &r()).unwrap().cpi.code, "pisa");
        Db::execute(&c, "UPDATE staff_roles SET revoked_at = 1, revoked_by = 'x' WHERE cpi_code = 'pisa'", &[]).unwrap();
        assert_eq!(require_operator(&c, &r()).unwrap().cpi.code, "prato", "the revoked CPI no longer counts");
        assert_eq!(require_admin(&c, &r()).unwrap_err().code, "admin_required");
        assert!(require_admin(&c, &r().var_set("bootstrap_admins", "AAAAAA00A00A000A, rssmra85c14d612r")).is_ok(), "bootstrap");
        grant(&c, "RSSMRA85C14D612R", "admin", None);
        assert!(require_admin(&c, &r()).is_ok());
        let all = roles(&c, &r().var_set("bootstrap_admins", "RSSMRA85C14D612R"), "RSSMRA85C14D612R").unwrap();
        assert_eq!(all.iter().filter(|x| x.role == "admin").count(), 1, "one admin role however granted: {all:?}");
    }

    #[test]
    fn a_citizen_belongs_to_the_cpis_of_their_domicile() {
        let c = common::sql::testing::with_reference();
        crate::testing::seed(&c);
        // Mario lives in Firenze (048017): the CPIs of the Firenze and Empolese Valdelsa areas
        assert!(is_citizen_of(&c, 1, "firenze").unwrap());
        assert!(is_citizen_of(&c, 1, "empoli").unwrap());
        assert!(!is_citizen_of(&c, 1, "prato").unwrap());
        assert!(!is_citizen_of(&c, 2, "firenze").unwrap(), "no account");
    }
}
