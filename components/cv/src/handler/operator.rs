//! A CPI operator and the CVs of the citizens of the CPI they work for (C2's rule: a
//! citizen's domicile, or residence, lies in the CPI's area): the list, an upload for the
//! citizen ("Caricato CPI" = SI, in the audit log) and the file (in `cv_access_log`).

use access::audit::{self, Actor, CvRead};
use access::staff::{self, Operator};
use common::sql::Db;
use common::{ApiError, Reply, Req, params};
use serde::Serialize;

use super::cvs::{file_reply, store_new};
use super::{CV_COLUMNS, CvOut, cv_of, cv_out_at};

/// The person a request names by `?person=<codice fiscale>`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvPerson))]
pub struct PersonOut {
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub id: i64,
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperatorCvs {
    pub person: PersonOut,
    pub items: Vec<CvOut>,
}

fn not_citizen() -> ApiError {
    ApiError::new(403, "not_citizen_of_cpi", "La persona non risulta domiciliata nel territorio del Centro per l'impiego per cui lavori.")
}

/// The person of `?person=`, a registered citizen of the operator's CPI: 422 for a
/// malformed code, 404 when nobody registered has it, 403 for a citizen of another CPI.
fn citizen(req: &Req, db: &dyn Db, op: &Operator) -> Result<PersonOut, ApiError> {
    let q = req.query()?;
    let cf = common::validation::fiscal_code(q.get("person").unwrap_or_default()).map_err(|e| ApiError::invalid_field("person", e.code, e.message))?;
    let rows = db.execute(
        "SELECT p.id, p.fiscal_code, p.name, p.family_name FROM people p JOIN accounts a ON a.person_id = p.id WHERE p.fiscal_code = ?1 AND a.status = 'active'",
        params![cf.as_str()],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::new(404, "person_not_found", "Nessun cittadino registrato al portale ha questo codice fiscale."))?;
    let person = PersonOut { id: r.int("id")?, fiscal_code: r.text("fiscal_code")?, name: r.text("name")?, family_name: r.text("family_name")? };
    if !staff::is_citizen_of(db, person.id, &op.cpi.code)? {
        return Err(not_citizen());
    }
    Ok(person)
}

fn cvs_of(req: &Req, db: &dyn Db, person: PersonOut) -> Result<OperatorCvs, ApiError> {
    let rows = db.execute(&format!("SELECT {CV_COLUMNS} FROM cvs WHERE person_id = ?1 ORDER BY created_at DESC, id DESC"), params![person.id])?;
    let items = rows.rows().map(|r| cv_out_at(req, db, &cv_of(&r)?, "/api/operator/cv")).collect::<Result<Vec<_>, _>>()?;
    Ok(OperatorCvs { person, items })
}

/// `GET /api/operator/cv?person=<codice fiscale>`: the citizen's CVs.
pub(super) fn list(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let person = citizen(req, db, &op)?;
    Reply::json(200, &cvs_of(req, db, person)?)
}

/// `POST /api/operator/cv?person=<codice fiscale>`: a CV for the citizen, as the
/// citizen's upload (the file as the body, the form in `X-CV-Meta`).
pub(super) fn upload(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let person = citizen(req, db, &op)?;
    let id = store_new(req, db, person.id, Some(&op.cpi.name))?;
    let actor = Actor { session: &op.session, role: "operator", cpi: Some(&op.cpi.code) };
    let rows = db.execute(&format!("SELECT {CV_COLUMNS} FROM cvs WHERE id = ?1"), params![id])?;
    let cv = cv_out_at(req, db, &cv_of(&rows.first().ok_or_else(|| ApiError::internal(format!("cv {id} vanished")))?)?, "/api/operator/cv")?;
    let after = serde_json::json!({ "person": person.fiscal_code, "description": cv.description, "file": cv.file.name, "sha256": cv.file.sha256, "search_consent": cv.search_consent });
    audit::record(db, &actor, "cv.upload", "cv", &id.to_string(), None, Some(&after), req.now)?;
    let mut r = Reply::json(201, &cv)?;
    r.headers.push(("location", format!("/api/operator/cv?person={}", person.fiscal_code)));
    Ok(r)
}

/// `GET /api/operator/cv/{id}/file`: a CV of a citizen of the operator's CPI. 403 for
/// any other, whether it exists or not.
pub(super) fn file(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let rows = db.execute("SELECT c.person_id, c.file_name, c.file_kind, f.content FROM cvs c JOIN cv_files f ON f.cv_id = c.id WHERE c.id = ?1", params![id])?;
    let denied = || ApiError::new(403, "cv_access_denied", "Il curriculum non esiste o non è di un cittadino del Centro per l'impiego per cui lavori.");
    let r = rows.first().ok_or_else(denied)?;
    let owner_id = r.int("person_id")?;
    if !staff::is_citizen_of(db, owner_id, &op.cpi.code)? {
        eprintln!("cv: operator {} of CPI {} refused the file of cv {id}", op.session.person_id, op.cpi.code);
        return Err(denied());
    }
    let reason = format!("Lettura dell'operatore del Centro per l'impiego {}", op.cpi.name);
    audit::cv_read(
        db,
        &CvRead { cv_id: id, owner_id, reader_id: op.session.person_id, company_id: None, role: "cpi_operator", reason: &reason, request_id: None },
        req.now,
    )?;
    eprintln!("cv: operator {} of CPI {} read the file of cv {id}", op.session.person_id, op.cpi.code);
    Ok(file_reply(&r.text("file_name")?, &r.text("file_kind")?, r.blob("content")?.to_vec()))
}
