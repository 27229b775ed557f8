//! `records` (C7 "Lista attività", C8 "Visualizza la tua formazione regionale", C9 SAP,
//! C11 Libretto formativo, X8 "Scarica i miei dati", O1 the records CPI operators keep).
//!
//! - Citizen (active account): `GET /api/records/activities?page=` (Elenco attività
//!   150/percettori/RDC), `GET /api/records/gg?page=` (Elenco attività Garanzia Giovani),
//!   `GET /api/records/courses?page=` (Elenco corsi di formazione regionale),
//!   `GET /api/records/sap` (the SAP as parts of a print) and `…/sap/pdf`,
//!   `GET /api/records/libretto` and `…/libretto/pdf`.
//! - Anyone logged in: `GET /api/records/export` (ZIP of everything held about them).
//! - Operator of the chosen CPI, for a citizen of it (`?person=<codice fiscale>`):
//!   `GET /api/operator/records?person=` (the whole record), `POST …/records/admin`
//!   (administrative state), `POST …/records/<section>` (add a row),
//!   `POST …/records/<section>/<id>` (replace it), `POST …/records/<section>/<id>/delete`,
//!   `GET …/records/sap` and `…/records/libretto` (the PDFs);
//!   `GET /api/operator/records/reference` (the reference lists);
//!   `GET|POST /api/operator/courses`, `POST /api/operator/courses/<id>` (the catalogue).
//!
//! Writes the tables of `db/migrations/0015_records.sql`; every operator write goes in the
//! audit log through `access::audit`.

pub mod docs;
pub mod export;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod sections;

#[cfg(test)]
mod tests;

use access::audit::{self, Actor};
use access::staff::{self, Operator};
use common::http::{allowed, get_or_post, path_id, segments};
use common::sql::{Db, tx};
use common::{ApiError, Page, Paging, Reply, Req, params};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Activities,
    Gg,
    Courses,
    Sap,
    SapPdf,
    Libretto,
    LibrettoPdf,
    Export,
    Reference,
    Record,
    SaveAdmin,
    Add(String),
    Edit(String, i64),
    Delete(String, i64),
    OperatorSap,
    OperatorLibretto,
    Catalogue,
    NewCourse,
    EditCourse(i64),
}

fn section_key(s: &str) -> Result<String, ApiError> {
    sections::section(s).map(|s| s.key.to_string()).ok_or_else(ApiError::not_found)
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    let post = method == "POST";
    match parts.as_slice() {
        ["api", "records", "activities"] => allowed(get, Route::Activities),
        ["api", "records", "gg"] => allowed(get, Route::Gg),
        ["api", "records", "courses"] => allowed(get, Route::Courses),
        ["api", "records", "sap"] => allowed(get, Route::Sap),
        ["api", "records", "sap", "pdf"] => allowed(get, Route::SapPdf),
        ["api", "records", "libretto"] => allowed(get, Route::Libretto),
        ["api", "records", "libretto", "pdf"] => allowed(get, Route::LibrettoPdf),
        ["api", "records", "export"] => allowed(get, Route::Export),
        ["api", "operator", "records"] => allowed(get, Route::Record),
        ["api", "operator", "records", "reference"] => allowed(get, Route::Reference),
        ["api", "operator", "records", "admin"] => allowed(post, Route::SaveAdmin),
        ["api", "operator", "records", "sap"] => allowed(get, Route::OperatorSap),
        ["api", "operator", "records", "libretto"] => allowed(get, Route::OperatorLibretto),
        ["api", "operator", "records", s] => allowed(post, Route::Add(section_key(s)?)),
        ["api", "operator", "records", s, n] => allowed(post, Route::Edit(section_key(s)?, path_id(n)?)),
        ["api", "operator", "records", s, n, "delete"] => allowed(post, Route::Delete(section_key(s)?, path_id(n)?)),
        ["api", "operator", "courses"] => get_or_post(method, Route::Catalogue, Route::NewCourse),
        ["api", "operator", "courses", n] => allowed(post, Route::EditCourse(path_id(n)?)),
        _ => Err(ApiError::not_found()),
    }
}

pub fn handle(req: &Req, db: &dyn Db) -> Reply {
    match route(&req.method, &req.path) {
        Ok(r) => dispatch(&r, req, db).unwrap_or_else(Reply::from),
        Err(e) => Reply::from(e),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve_sql(incoming, out, |m, _| common::http::BodyLimit::for_method(m), handle).await
}

fn dispatch(route: &Route, req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    match route {
        Route::Activities => activities(req, db),
        Route::Gg => gg(req, db),
        Route::Courses => courses(req, db),
        Route::Sap => {
            let s = access::require_active(db, req)?;
            Reply::json(200, &docs::sap(db, s.person_id)?)
        }
        Route::SapPdf => {
            let s = access::require_active(db, req)?;
            Ok(private_file(docs::pdf(&docs::sap(db, s.person_id)?, req.now)?, "application/pdf", "scheda-anagrafica-professionale.pdf"))
        }
        Route::Libretto => {
            let s = access::require_active(db, req)?;
            Reply::json(200, &docs::libretto(db, s.person_id)?)
        }
        Route::LibrettoPdf => {
            let s = access::require_active(db, req)?;
            Ok(private_file(docs::pdf(&docs::libretto(db, s.person_id)?, req.now)?, "application/pdf", "libretto-formativo.pdf"))
        }
        Route::Export => {
            let s = access::require(db, req)?;
            // the whole of a person's data at once: a few a day are plenty
            let max = req.var_number("records_exports_per_hour", EXPORTS_PER_HOUR).max(1);
            common::rate::check(db, &format!("records-export:{}", s.person_id), req.now, 3600, max, "export_rate_limited", "Hai già scaricato i tuoi dati più volte nell'ultima ora.")?;
            Ok(private_file(export::zip(db, s.person_id, req.now)?, "application/zip", &format!("dati-personali-{}.zip", s.fiscal_code)))
        }
        Route::Reference => reference(req, db),
        Route::Record => record(req, db),
        Route::SaveAdmin => save_admin(req, db),
        Route::Add(key) => save_row(req, db, key, None),
        Route::Edit(key, id) => save_row(req, db, key, Some(*id)),
        Route::Delete(key, id) => delete_row(req, db, key, *id),
        Route::OperatorSap => {
            let (_, p) = operator_citizen(req, db, false)?;
            Ok(private_file(docs::pdf(&docs::sap(db, p.id)?, req.now)?, "application/pdf", &format!("sap-{}.pdf", p.fiscal_code)))
        }
        Route::OperatorLibretto => {
            let (_, p) = operator_citizen(req, db, false)?;
            Ok(private_file(docs::pdf(&docs::libretto(db, p.id)?, req.now)?, "application/pdf", &format!("libretto-{}.pdf", p.fiscal_code)))
        }
        Route::Catalogue => catalogue(req, db),
        Route::NewCourse => save_course(req, db, None),
        Route::EditCourse(id) => save_course(req, db, Some(*id)),
    }
}

/// Exports a person may download in an hour (variable `records_exports_per_hour`).
const EXPORTS_PER_HOUR: i64 = 10;

fn private_file(body: Vec<u8>, content_type: &str, name: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![
            ("content-type", content_type.to_string()),
            ("cache-control", "private, no-store".into()),
            ("content-disposition", common::reply::attachment(name)),
            ("x-content-type-options", "nosniff".into()),
        ],
        body,
    }
}

fn actor(op: &Operator) -> Actor<'_> {
    Actor { session: &op.session, role: "operator", cpi: Some(&op.cpi.code) }
}

// ---------- citizen lists ----------

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordActivityInterview))]
pub struct Interview {
    pub date: Option<String>,
    pub kind: Option<String>,
    pub responsible: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordActivity))]
pub struct ActivityOut {
    pub id: i64,
    /// The colloquio the activity was agreed in (None when not stated).
    pub interview: Option<Interview>,
    pub code: String,
    pub name: String,
    /// "A01 - COLLOQUI DI ORIENTAMENTO"
    pub label: String,
    pub proposed_on: String,
    pub appointment_on: Option<String>,
    pub ended_on: Option<String>,
}

fn activities(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let paging = Paging::from_query(&req.query()?, 10)?;
    let total = db.execute("SELECT COUNT(*) AS n FROM record_activities WHERE person_id = ?1", params![s.person_id])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let rows = db.execute(
        "SELECT r.id, r.activity_code, a.name, r.proposed_on, r.appointment_on, r.ended_on, r.interview_date, r.interview_type, r.interview_responsible
           FROM record_activities r JOIN ref_policy_activities a ON a.code = r.activity_code
          WHERE r.person_id = ?1 ORDER BY r.proposed_on DESC, r.id DESC LIMIT ?2 OFFSET ?3",
        params![s.person_id, paging.limit(), paging.offset()],
    )?;
    let items = rows.map(|r| {
        let (date, kind, responsible) = (r.opt_text("interview_date"), r.opt_text("interview_type"), r.opt_text("interview_responsible"));
        let interview = if date.is_none() && kind.is_none() && responsible.is_none() { None } else { Some(Interview { date, kind, responsible }) };
        let (code, name) = (r.text("activity_code")?, r.text("name")?);
        Ok(ActivityOut {
            id: r.int("id")?,
            interview,
            label: format!("{code} - {name}"),
            code,
            name,
            proposed_on: r.text("proposed_on")?,
            appointment_on: r.opt_text("appointment_on"),
            ended_on: r.opt_text("ended_on"),
        })
    })?;
    Reply::json(200, &Page::new(items, total, paging))
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordGgActivity))]
pub struct GgOut {
    pub id: i64,
    pub proposed_on: String,
    pub action: String,
    pub appointment_at: Option<String>,
    pub provider: Option<String>,
}

fn gg(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let paging = Paging::from_query(&req.query()?, 10)?;
    let total = db.execute("SELECT COUNT(*) AS n FROM record_gg_activities WHERE person_id = ?1", params![s.person_id])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let rows = db.execute(
        "SELECT r.id, r.proposed_on, a.name, r.appointment_at, r.provider FROM record_gg_activities r JOIN ref_gg_actions a ON a.code = r.action_code
          WHERE r.person_id = ?1 ORDER BY r.proposed_on DESC, r.id DESC LIMIT ?2 OFFSET ?3",
        params![s.person_id, paging.limit(), paging.offset()],
    )?;
    let items = rows.map(|r| {
        Ok(GgOut { id: r.int("id")?, proposed_on: r.text("proposed_on")?, action: r.text("name")?, appointment_at: r.opt_text("appointment_at"), provider: r.opt_text("provider") })
    })?;
    Reply::json(200, &Page::new(items, total, paging))
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Course))]
pub struct CourseOut {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub trainer: String,
    pub start_date: String,
    pub end_date: String,
}

fn course_of(r: &common::sql::Row<'_>) -> Result<CourseOut, ApiError> {
    Ok(CourseOut {
        id: r.int("id")?,
        title: r.text("title")?,
        description: r.text("description")?,
        trainer: r.text("trainer")?,
        start_date: r.text("start_date")?,
        end_date: r.text("end_date")?,
    })
}

fn courses(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let paging = Paging::from_query(&req.query()?, 10)?;
    let total = db.execute("SELECT COUNT(*) AS n FROM course_enrolments WHERE person_id = ?1", params![s.person_id])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let rows = db.execute(
        "SELECT c.id, c.title, c.description, c.trainer, c.start_date, c.end_date FROM course_enrolments e JOIN training_courses c ON c.id = e.course_id
          WHERE e.person_id = ?1 ORDER BY c.start_date DESC, c.id DESC LIMIT ?2 OFFSET ?3",
        params![s.person_id, paging.limit(), paging.offset()],
    )?;
    Reply::json(200, &Page::new(rows.map(|r| course_of(&r))?, total, paging))
}

// ---------- operator ----------

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordPerson))]
pub struct PersonOut {
    pub id: i64,
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
}

fn not_citizen() -> ApiError {
    ApiError::new(403, "not_citizen_of_cpi", "La persona non risulta domiciliata nel territorio del Centro per l'impiego per cui lavori.")
}

/// The operator and the person of `?person=`, a registered citizen of the operator's
/// CPI: 422 for a malformed code, 404 when nobody registered has it, 403 for a citizen
/// of another CPI.
fn operator_citizen(req: &Req, db: &dyn Db, write: bool) -> Result<(Operator, PersonOut), ApiError> {
    let op = if write { staff::require_operator_write(db, req, None)? } else { staff::require_operator(db, req)? };
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
    Ok((op, person))
}

/// The whole record of a person, as the operator's page edits it: the administrative
/// state (None until first saved) and each section's rows, by the section's key.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PersonRecord))]
pub struct FullRecord {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<schema::AdminValues>))]
    pub admin: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = schema::SectionRows))]
    pub sections: BTreeMap<&'static str, Vec<Value>>,
}

pub fn full_record(db: &dyn Db, person_id: i64) -> Result<FullRecord, ApiError> {
    let mut sections = BTreeMap::new();
    for s in sections::SECTIONS {
        sections.insert(s.key, sections::rows(db, s, person_id)?);
    }
    Ok(FullRecord { admin: sections::admin(db, person_id)?, sections })
}

/// `GET /api/operator/records?person=`: the person and their record.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OperatorRecord))]
pub struct RecordOut {
    pub person: PersonOut,
    pub record: FullRecord,
}

fn record(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let (_, p) = operator_citizen(req, db, false)?;
    let record = full_record(db, p.id)?;
    Reply::json(200, &RecordOut { person: p, record })
}

/// A field of a section's form.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordField))]
pub struct FieldOut {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    required: bool,
    /// For `ref`: the list's name in `lists`.
    list: Option<&'static str>,
}

fn fields_out(fields: &[sections::Field]) -> Vec<FieldOut> {
    fields
        .iter()
        .map(|f| {
            let (kind, list) = match f.kind {
                sections::Kind::Text(n) if n > 300 => ("longtext", None),
                sections::Kind::Text(_) => ("text", None),
                sections::Kind::Day => ("date", None),
                sections::Kind::DayTime => ("datetime", None),
                sections::Kind::Int(..) => ("int", None),
                sections::Kind::Flag => ("flag", None),
                sections::Kind::Ref(t) => ("ref", Some(t)),
                sections::Kind::Course => ("course", None),
            };
            FieldOut { name: f.name, label: f.label, kind, required: f.required, list }
        })
        .collect()
}

/// `GET /api/operator/records/reference`: the sections' fields and the reference lists.
fn reference(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    staff::require_operator(db, req)?;
    let mut lists = BTreeMap::new();
    for t in REFERENCE_LISTS {
        let rows = db.execute(&format!("SELECT code, name FROM {t} ORDER BY rowid"), &[])?;
        lists.insert(t, rows.map(|r| Ok(RefItem { code: r.text("code")?, name: r.text("name")? }))?);
    }
    let courses = db.execute("SELECT id, title, description, trainer, start_date, end_date FROM training_courses ORDER BY start_date DESC, id DESC LIMIT 500", &[])?;
    let sections = sections::SECTIONS.iter().map(|s| SectionOut { key: s.key, title: s.title, fields: fields_out(s.fields) }).collect();
    Reply::json(200, &ReferenceOut { admin: fields_out(sections::ADMIN_FIELDS), sections, lists, courses: courses.map(|r| course_of(&r))? })
}

/// The reference tables the sections' `ref` fields name.
pub const REFERENCE_LISTS: [&str; 6] = ["ref_policy_activities", "ref_gg_actions", "ref_study_titles", "ref_languages", "ref_language_levels", "ref_driving_licences"];

/// One entry of a reference list.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordRefItem))]
pub struct RefItem {
    code: String,
    name: String,
}

/// A section's form.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordSection))]
pub struct SectionOut {
    key: &'static str,
    title: &'static str,
    fields: Vec<FieldOut>,
}

/// `GET /api/operator/records/reference`: the forms and their lists.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordReference))]
pub struct ReferenceOut {
    admin: Vec<FieldOut>,
    sections: Vec<SectionOut>,
    /// Each reference table's entries, by the table's name (a field's `list`).
    lists: BTreeMap<&'static str, Vec<RefItem>>,
    /// The newest 500 courses of the catalogue.
    courses: Vec<CourseOut>,
}

/// The administrative state as saved.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordAdminSaved))]
pub struct AdminOut {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<schema::AdminValues>))]
    admin: Option<Value>,
}

/// A row deleted: its id.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordRowDeleted))]
pub struct Deleted {
    deleted: i64,
}

fn save_admin(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let (op, p) = operator_citizen(req, db, true)?;
    let body: Value = req.json()?;
    let values = sections::validate(db, sections::ADMIN_FIELDS, &body)?;
    let after = sections::values_json(sections::ADMIN_FIELDS, &values);
    tx(db, |db| {
        let before = sections::admin(db, p.id)?;
        sections::save_admin(db, p.id, op.session.person_id, req.now, values)?;
        audit::record(db, &actor(&op), "record.admin.update", "person", &p.id.to_string(), before.as_ref(), Some(&after), req.now)
    })?;
    Reply::json(200, &AdminOut { admin: sections::admin(db, p.id)? })
}

fn row_not_found() -> ApiError {
    ApiError::new(404, "record_not_found", "La voce indicata non esiste nella scheda di questa persona.")
}

fn save_row(req: &Req, db: &dyn Db, key: &str, id: Option<i64>) -> Result<Reply, ApiError> {
    let s = sections::section(key).ok_or_else(ApiError::not_found)?;
    let (op, p) = operator_citizen(req, db, true)?;
    let body: Value = req.json()?;
    let values = sections::validate(db, s.fields, &body)?;
    let after = sections::values_json(s.fields, &values);
    let entity = format!("record.{}", s.key);
    let created = id.is_none();
    let id = tx(db, |db| match id {
        None => {
            if s.key == "enrolments" {
                let dup = db.execute("SELECT 1 AS x FROM course_enrolments WHERE person_id = ?1 AND course_id = ?2", params![p.id, values[0].clone()])?;
                if !dup.is_empty() {
                    return Err(ApiError::invalid_field("course_id", "duplicate", "La persona è già iscritta a questo corso."));
                }
            }
            let id = sections::insert(db, s, p.id, op.session.person_id, req.now, values)?;
            audit::record(db, &actor(&op), &format!("{entity}.create"), &entity, &id.to_string(), None, Some(&after), req.now)?;
            Ok(id)
        }
        Some(id) => {
            let before = sections::one(db, s, p.id, id)?.ok_or_else(row_not_found)?;
            if s.key == "enrolments" {
                let dup = db.execute("SELECT 1 AS x FROM course_enrolments WHERE person_id = ?1 AND course_id = ?2 AND id <> ?3", params![p.id, values[0].clone(), id])?;
                if !dup.is_empty() {
                    return Err(ApiError::invalid_field("course_id", "duplicate", "La persona è già iscritta a questo corso."));
                }
            }
            sections::update(db, s, p.id, id, req.now, values)?;
            audit::record(db, &actor(&op), &format!("{entity}.update"), &entity, &id.to_string(), Some(&before), Some(&after), req.now)?;
            Ok(id)
        }
    })?;
    let row = sections::one(db, s, p.id, id)?.ok_or_else(row_not_found)?;
    Reply::json(if created { 201 } else { 200 }, &row)
}

fn delete_row(req: &Req, db: &dyn Db, key: &str, id: i64) -> Result<Reply, ApiError> {
    let s = sections::section(key).ok_or_else(ApiError::not_found)?;
    let (op, p) = operator_citizen(req, db, true)?;
    let entity = format!("record.{}", s.key);
    tx(db, |db| {
        let before = sections::one(db, s, p.id, id)?.ok_or_else(row_not_found)?;
        sections::delete(db, s, p.id, id)?;
        audit::record(db, &actor(&op), &format!("{entity}.delete"), &entity, &id.to_string(), Some(&before), None, req.now)
    })?;
    Reply::json(200, &Deleted { deleted: id })
}

fn catalogue(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    staff::require_operator(db, req)?;
    let paging = Paging::from_query(&req.query()?, 20)?;
    let total = db.execute("SELECT COUNT(*) AS n FROM training_courses", &[])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let rows = db.execute(
        "SELECT id, title, description, trainer, start_date, end_date FROM training_courses ORDER BY start_date DESC, id DESC LIMIT ?1 OFFSET ?2",
        params![paging.limit(), paging.offset()],
    )?;
    Reply::json(200, &Page::new(rows.map(|r| course_of(&r))?, total, paging))
}

fn save_course(req: &Req, db: &dyn Db, id: Option<i64>) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let body: Value = req.json()?;
    let values = sections::validate(db, sections::COURSE_FIELDS, &body)?;
    let after = sections::values_json(sections::COURSE_FIELDS, &values);
    let created = id.is_none();
    let mut p = values.clone();
    let id = tx(db, |db| match id {
        None => {
            p.extend([op.session.person_id.into(), req.now.into()]);
            let id = db
                .execute(
                    "INSERT INTO training_courses (title, description, trainer, start_date, end_date, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
                    &p,
                )?
                .scalar("id")?;
            audit::record(db, &actor(&op), "course.create", "training_course", &id.to_string(), None, Some(&after), req.now)?;
            Ok(id)
        }
        Some(id) => {
            let before = db.execute("SELECT id, title, description, trainer, start_date, end_date FROM training_courses WHERE id = ?1", params![id])?;
            let before = before.first().ok_or_else(|| ApiError::new(404, "course_not_found", "Il corso indicato non esiste nel catalogo."))?;
            let before = serde_json::to_value(course_of(&before)?).map_err(ApiError::internal)?;
            p.extend([id.into(), req.now.into()]);
            db.execute("UPDATE training_courses SET title = ?1, description = ?2, trainer = ?3, start_date = ?4, end_date = ?5, updated_at = ?7 WHERE id = ?6", &p)?;
            audit::record(db, &actor(&op), "course.update", "training_course", &id.to_string(), Some(&before), Some(&after), req.now)?;
            Ok(id)
        }
    })?;
    let rows = db.execute("SELECT id, title, description, trainer, start_date, end_date FROM training_courses WHERE id = ?1", params![id])?;
    let row = rows.first().ok_or_else(ApiError::not_found)?;
    Reply::json(if created { 201 } else { 200 }, &course_of(&row)?)
}
