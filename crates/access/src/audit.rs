//! The records of who did what: operator and administrator actions (`audit_log`,
//! `db/migrations/0010_backoffice.sql`) and reads of a person's CV file
//! (`cv_access_log`, `0008_cv.sql`). Every component writes them only through this
//! module, so each table has one writer whatever component acts.

use common::sql::Db;
use common::{ApiError, params};
use serde_json::Value;

use crate::session::Session;

/// Who acts, as what, for which CPI.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub session: &'a Session,
    /// `operator` | `admin`
    pub role: &'static str,
    pub cpi: Option<&'a str>,
}

/// Records one action: `action` (e.g. `offer.publish`) on `entity` `entity_id`, with the
/// values before and after (`None` when there is none).
#[allow(clippy::too_many_arguments)]
pub fn record(db: &dyn Db, actor: &Actor, action: &str, entity: &str, entity_id: &str, before: Option<&Value>, after: Option<&Value>, now: i64) -> Result<(), ApiError> {
    db.execute(
        "INSERT INTO audit_log (at, actor_id, actor_cf, role, cpi_code, action, entity, entity_id, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            now,
            actor.session.person_id,
            actor.session.fiscal_code.as_str(),
            actor.role,
            actor.cpi,
            action,
            entity,
            entity_id,
            before.map(Value::to_string),
            after.map(Value::to_string)
        ],
    )?;
    Ok(())
}

/// A read of a CV file, as `cv_access_log` keeps it.
#[derive(Debug, Clone)]
pub struct CvRead<'a> {
    pub cv_id: i64,
    pub owner_id: i64,
    pub reader_id: i64,
    pub company_id: Option<i64>,
    /// `owner` | `company` | `cpi_operator`
    pub role: &'static str,
    pub reason: &'a str,
    pub request_id: Option<i64>,
}

pub fn cv_read(db: &dyn Db, r: &CvRead, now: i64) -> Result<(), ApiError> {
    db.execute(
        "INSERT INTO cv_access_log (cv_id, owner_id, reader_id, company_id, role, reason, request_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![r.cv_id, r.owner_id, r.reader_id, r.company_id, r.role, r.reason, r.request_id, now],
    )?;
    Ok(())
}
