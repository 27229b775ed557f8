//! The Spin handler: reads the request (the body with a limit, before anything else),
//! calls the logic in `lib.rs`, `cvs`, `link` and `cvtext`, keeps the data in SQLite.
//!
//! This module routes and holds what several route families share (the CV row, its
//! owner, the search index); each family is a module of its own: [`cvs`] (the owner's
//! CVs), [`search`] (companies' search), [`requests`] (view requests, both sides),
//! [`decision`] (the no-login decision link), [`retention`] (the retention job).

pub mod cvs;
pub mod decision;
pub mod operator;
pub mod requests;
pub mod retention;
pub mod search;
#[cfg(test)]
mod tests;

use access::Session;
use common::http::BodyLimit;
use common::rome::iso_utc;
use common::sql::{Db, Rows, Value};
use common::{ApiError, Paging, Reply, Req};

use crate::{Retention, Route};

fn int(v: i64) -> Value {
    Value::Integer(v)
}

fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

fn opt_int(v: Option<i64>) -> Value {
    v.map(Value::Integer).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------

fn too_large() -> ApiError {
    ApiError::new(413, "file_too_large", cvtext::Refusal::TooLarge.message())
}

/// The body limit of a route: a CV file (5 MiB, refused with the file input's own
/// message) or JSON; unknown routes and GETs take no body.
pub fn body_limit(method: &str, path: &str) -> BodyLimit {
    match crate::route(method, path) {
        Ok(r) if r.takes_file() => BodyLimit::bytes(crate::max_upload()).with_error(too_large()),
        Ok(Route::Decide) => BodyLimit::bytes(crate::MAX_JSON),
        _ => BodyLimit::for_method(method),
    }
}

/// The whole request.
pub fn handle(req: &Req, conn: &dyn Db) -> Reply {
    match crate::route(&req.method, &req.path) {
        Ok(route) => {
            let page = matches!(route, Route::DecisionPage | Route::Decide) && !req.wants_json();
            dispatch(&route, req, conn).unwrap_or_else(|e| if page && e.status != 405 { decision::error_page(&e) } else { Reply::from(e) })
        }
        Err(e) => Reply::from(e),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve_sql(incoming, out, body_limit, handle).await
}

fn dispatch(route: &Route, req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    match route {
        Route::Form => cvs::form(req, conn),
        Route::List => cvs::list(req, conn),
        Route::Upload => cvs::upload(req, conn),
        Route::Detail(id) => cvs::detail(req, conn, *id),
        Route::Update(id) => cvs::update(req, conn, *id),
        Route::Delete(id) => cvs::delete(req, conn, *id),
        Route::File(id) => cvs::file(req, conn, *id),
        Route::History(id) => cvs::history(req, conn, *id),
        Route::Search => search::search(req, conn),
        Route::Requests => requests::list(req, conn),
        Route::RequestsPost => requests::post(req, conn),
        Route::DecisionPage => decision::page(req, conn),
        Route::Decide => decision::decide_by_link(req, conn),
        Route::Retention => retention::run(req, conn),
        Route::OperatorList => operator::list(req, conn),
        Route::OperatorUpload => operator::upload(req, conn),
        Route::OperatorFile(id) => operator::file(req, conn, *id),
    }
}

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

use common::sql::tx;

/// A page of rows: `count_sql` (a column `n`) counts them all, and a page past the end
/// is refused; then `select_sql` takes `params` followed by the page's limit and offset.
fn paged(conn: &dyn Db, count_sql: &str, select_sql: &str, params: &[Value], paging: Paging) -> Result<(i64, Rows), ApiError> {
    let total = conn.execute(count_sql, params)?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let mut p = params.to_vec();
    p.extend([int(paging.limit()), int(paging.offset())]);
    Ok((total, conn.execute(select_sql, &p)?))
}

fn areas(conn: &dyn Db) -> Result<Vec<(String, String)>, ApiError> {
    let rows = conn.execute("SELECT code, name FROM areas ORDER BY name", &[])?;
    rows.rows().map(|r| Ok((r.text("code")?, r.text("name")?))).collect()
}

fn area_codes(conn: &dyn Db) -> Result<Vec<String>, ApiError> {
    Ok(areas(conn)?.into_iter().map(|(c, _)| c).collect())
}

/// A territory of interest (one of the 11 areas).
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvTerritory))]
pub struct Territory {
    pub code: String,
    pub name: String,
}

fn territories(conn: &dyn Db, cv_id: i64) -> Result<Vec<Territory>, ApiError> {
    let rows = conn.execute("SELECT a.code, a.name FROM cv_territories t JOIN areas a ON a.code = t.area_code WHERE t.cv_id = ? ORDER BY a.name",
        &[int(cv_id)],
    )?;
    rows.map(|r| Ok(Territory { code: r.text("code")?, name: r.text("name")? }))
}

fn yes_no(b: bool) -> &'static str {
    if b { "SI" } else { "NO" }
}

fn retention(req: &Req) -> Retention {
    Retention { keep_days: req.var_number("cv_retention_days", 365), notice_days: req.var_number("cv_retention_notice_days", 15) }
}

/// A CV row as the owner's pages show it.
struct Cv {
    id: i64,
    description: String,
    search_consent: bool,
    uploaded_by_cpi: bool,
    file_name: String,
    file_kind: String,
    file_size: i64,
    file_sha256: String,
    created_at: i64,
    updated_at: i64,
    last_activity_at: i64,
    retention_notice_at: Option<i64>,
}

/// When a CV of the table `cvs` (not aliased) was last active: its own uploads, changes
/// and authorised view requests (`last_activity_at`), or its use in an application (the
/// applications component's table, read here: one writer per table). An application
/// counts only if made by the owner after the CV was created (a reused id is another CV).
macro_rules! last_activity {
    () => {
        "max(cvs.last_activity_at, coalesce((SELECT max(a.created_at) FROM applications a \
         WHERE a.cv_id = cvs.id AND a.person_id = cvs.person_id AND a.created_at >= cvs.created_at), 0))"
    };
}
use last_activity;

/// The columns of a [`Cv`]: the last activity as [`last_activity!`], the retention
/// notice only if sent after it (a use since then started a new period).
const CV_COLUMNS: &str = concat!(
    "id, description, search_consent, uploaded_by_cpi, file_name, file_kind, file_size, file_sha256, created_at, updated_at, ",
    last_activity!(),
    " AS last_activity_at, CASE WHEN retention_notice_at >= ",
    last_activity!(),
    " THEN retention_notice_at END AS retention_notice_at"
);

fn cv_of(r: &common::sql::Row<'_>) -> Result<Cv, ApiError> {
    Ok(Cv {
        id: r.int("id")?,
        description: r.text("description")?,
        search_consent: r.int("search_consent")? == 1,
        uploaded_by_cpi: r.int("uploaded_by_cpi")? == 1,
        file_name: r.text("file_name")?,
        file_kind: r.text("file_kind")?,
        file_size: r.int("file_size")?,
        file_sha256: r.text("file_sha256")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        last_activity_at: r.int("last_activity_at")?,
        retention_notice_at: r.get::<i64>("retention_notice_at"),
    })
}

fn cv_not_found() -> ApiError {
    ApiError::new(404, "cv_not_found", "Il curriculum indicato non esiste o è stato eliminato.")
}

/// The caller's own CV `id` (404 for anyone else's: its existence is not revealed).
fn own_cv(conn: &dyn Db, s: &Session, id: i64) -> Result<Cv, ApiError> {
    let rows = conn.execute(&format!("SELECT {CV_COLUMNS} FROM cvs WHERE id = ? AND person_id = ?"), &[int(id), int(s.person_id)])?;
    rows.rows().next().map(|r| cv_of(&r)).transpose()?.ok_or_else(cv_not_found)
}

/// A CV as its owner's pages show it (README, "CVs").
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Cv))]
pub struct CvOut {
    pub id: i64,
    pub created_at: String,
    pub updated_at: String,
    pub description: String,
    pub file: CvFileOut,
    pub search_consent: bool,
    pub search_consent_label: &'static str,
    pub uploaded_by_cpi: bool,
    pub uploaded_by_cpi_label: &'static str,
    pub territories: Vec<Territory>,
    pub retention: RetentionOut,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvFile))]
pub struct CvFileOut {
    pub name: String,
    pub kind: String,
    pub mime: Option<&'static str>,
    pub size: i64,
    pub sha256: String,
    pub download: String,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvRetention))]
pub struct RetentionOut {
    pub last_activity_at: String,
    /// `YYYY-MM-DD`
    pub deletion_on: String,
    pub notice_sent: bool,
}

fn cv_out(req: &Req, conn: &dyn Db, cv: &Cv) -> Result<CvOut, ApiError> {
    cv_out_at(req, conn, cv, "/api/cv")
}

/// [`cv_out`] with the file's download under `prefix` (the owner's or the operator's API).
fn cv_out_at(req: &Req, conn: &dyn Db, cv: &Cv, prefix: &str) -> Result<CvOut, ApiError> {
    let deletion = retention(req).deletion_at(cv.last_activity_at, cv.retention_notice_at.unwrap_or(0));
    Ok(CvOut {
        id: cv.id,
        created_at: iso_utc(cv.created_at),
        updated_at: iso_utc(cv.updated_at),
        description: cv.description.clone(),
        file: CvFileOut {
            name: cv.file_name.clone(),
            kind: cv.file_kind.clone(),
            mime: cvtext::Kind::from_str_opt(&cv.file_kind).map(|k| k.mime()),
            size: cv.file_size,
            sha256: cv.file_sha256.clone(),
            download: format!("{prefix}/{}/file", cv.id),
        },
        search_consent: cv.search_consent,
        search_consent_label: yes_no(cv.search_consent),
        uploaded_by_cpi: cv.uploaded_by_cpi,
        uploaded_by_cpi_label: yes_no(cv.uploaded_by_cpi),
        territories: territories(conn, cv.id)?,
        retention: RetentionOut {
            last_activity_at: iso_utc(cv.last_activity_at),
            deletion_on: common::rome::day_at(deletion),
            notice_sent: cv.retention_notice_at.is_some(),
        },
    })
}

fn event(conn: &dyn Db, cv_id: i64, kind: &str, note: &str, at: i64) -> Result<(), ApiError> {
    conn.execute("INSERT INTO cv_events (cv_id, kind, note, at) VALUES (?, ?, ?, ?)", &[int(cv_id), text(kind), text(note), int(at)])?;
    Ok(())
}

/// The owner's data to redact from the text (`people` as the IdP gave it, `accounts` as
/// registered).
struct Owner {
    name: String,
    family_name: String,
    fiscal_code: String,
    emails: Vec<String>,
    phones: Vec<String>,
    birth_date: Option<String>,
    address_parts: Vec<String>,
    /// account e-mail and mobile (where notifications go)
    email: Option<String>,
    mobile: Option<String>,
}

fn owner(conn: &dyn Db, person_id: i64) -> Result<Owner, ApiError> {
    let rows = conn.execute("SELECT p.name, p.family_name, p.fiscal_code, p.email AS p_email, p.mobile_phone, p.date_of_birth AS p_birth,
                a.email, a.mobile, a.date_of_birth, a.residence_address, a.residence_cap, a.domicile_address, a.domicile_cap
           FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?",
        &[int(person_id)],
    )?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal(format!("person {person_id} is missing")))?;
    let some = |c: &str| r.opt_text(c).filter(|v| !v.trim().is_empty());
    let mut emails: Vec<String> = [some("email"), some("p_email")].into_iter().flatten().collect();
    emails.dedup();
    let mut phones: Vec<String> = [some("mobile"), some("mobile_phone")].into_iter().flatten().collect();
    phones.dedup();
    Ok(Owner {
        name: r.text("name")?,
        family_name: r.text("family_name")?,
        fiscal_code: r.text("fiscal_code")?,
        emails,
        phones,
        birth_date: some("date_of_birth").or_else(|| some("p_birth")),
        address_parts: ["residence_address", "residence_cap", "domicile_address", "domicile_cap"].into_iter().filter_map(some).collect(),
        email: some("email"),
        mobile: some("mobile"),
    })
}

fn anonymise(text: &str, o: &Owner) -> String {
    let names = [o.name.as_str(), o.family_name.as_str()];
    let emails: Vec<&str> = o.emails.iter().map(String::as_str).collect();
    let phones: Vec<&str> = o.phones.iter().map(String::as_str).collect();
    let address: Vec<&str> = o.address_parts.iter().map(String::as_str).collect();
    let person = cvtext::Person {
        names: &names,
        fiscal_code: Some(o.fiscal_code.as_str()),
        emails: &emails,
        phones: &phones,
        birth_date: o.birth_date.as_deref(),
        address_parts: &address,
    };
    cvtext::anonymise(text, &person)
}
