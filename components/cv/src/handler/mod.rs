//! The Spin handler: reads the request (the body with a limit, before anything else),
//! calls the logic in `lib.rs`, `cvs`, `link` and `cvtext`, keeps the data in SQLite.
//!
//! This module routes and holds what several route families share (the CV row, its
//! owner, the search index); each family is a module of its own: [`cvs`] (the owner's
//! CVs), [`search`] (companies' search), [`requests`] (view requests, both sides),
//! [`decision`] (the no-login decision link), [`retention`] (the retention job).

mod cvs;
mod decision;
mod requests;
mod retention;
mod search;

use common::rome::iso_utc;
use common::session::Session;
use common::{ApiError, Paging, Reply, db};
use futures::TryStreamExt;
use serde_json::{Value as Json, json};
use spin_sdk::http::{IncomingRequest, OutgoingResponse, Request, Response, ResponseOutparam};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, QueryResult, Value};

use crate::{Retention, Route};

fn var(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok().filter(|v| !v.trim().is_empty())
}

fn num(name: &str, default: u32) -> i64 {
    i64::from(common::spin::number_variable(name, default))
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    common::spin::header(req, name)
}

fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

fn int(v: i64) -> Value {
    Value::Integer(v)
}

fn opt_int(v: Option<i64>) -> Value {
    v.map(Value::Integer).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------
// Entry point: the body is read here, within the route's limit
// ---------------------------------------------------------------------------------

fn too_large() -> ApiError {
    ApiError::new(413, "file_too_large", cvtext::Refusal::TooLarge.message())
}

#[http_component]
async fn handle(incoming: IncomingRequest, out: ResponseOutparam) {
    let reply = match read(incoming).await {
        Ok((route, req)) => {
            let page = matches!(route, Route::DecisionPage | Route::Decide) && !wants_json(&req);
            dispatch(&route, &req).unwrap_or_else(|e| if page && e.status != 405 { decision::error_page(&e) } else { Reply::from(e) })
        }
        Err(e) => Reply::from(e),
    };
    let mut response: Response = reply.into();
    let body = std::mem::take(response.body_mut());
    match OutgoingResponse::try_from(response) {
        Ok(r) => {
            if let Err(e) = out.set_with_body(r, body).await {
                eprintln!("cv: could not send the response: {e}");
            }
        }
        Err(e) => eprintln!("cv: could not convert the response: {e}"),
    }
}

/// The route and the request with its body, read only up to the route's limit: a
/// declared `Content-Length` over it is refused before reading anything (413).
async fn read(incoming: IncomingRequest) -> Result<(Route, Request), ApiError> {
    let method = incoming.method();
    let uri = incoming.uri();
    let headers: Vec<(String, Vec<u8>)> = incoming.headers().entries();
    let path = uri.split_once("://").map_or(uri.as_str(), |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    let path = path.split('?').next().unwrap_or("/").to_string();
    let probe = Request::builder().method(method.clone()).uri(uri.clone()).build();
    let route = crate::route(&probe.method().to_string(), &path)?;
    let limit = if route.takes_file() { crate::max_upload() } else { crate::MAX_JSON };
    let declared = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok());
    let big = |route: &Route| if route.takes_file() { too_large() } else { ApiError::payload_too_large(crate::MAX_JSON) };
    if declared.is_some_and(|n| n > limit as u64) {
        eprintln!("cv: refused a body of {} bytes on {path} before reading it", declared.unwrap_or(0));
        return Err(big(&route));
    }
    let mut body = Vec::new();
    let mut stream = incoming.into_body_stream();
    while let Some(chunk) = stream.try_next().await.map_err(|e| ApiError::internal(format!("reading the body: {e:?}")))? {
        if body.len() + chunk.len() > limit {
            return Err(big(&route));
        }
        body.extend_from_slice(&chunk);
    }
    let req = Request::builder().method(method).uri(uri).headers(headers).body(body).build();
    Ok((route, req))
}

fn dispatch(route: &Route, req: &Request) -> Result<Reply, ApiError> {
    let conn = db::open()?;
    match route {
        Route::Form => cvs::form(req, &conn),
        Route::List => cvs::list(req, &conn),
        Route::Upload => cvs::upload(req, &conn),
        Route::Detail(id) => cvs::detail(req, &conn, *id),
        Route::Update(id) => cvs::update(req, &conn, *id),
        Route::Delete(id) => cvs::delete(req, &conn, *id),
        Route::File(id) => cvs::file(req, &conn, *id),
        Route::History(id) => cvs::history(req, &conn, *id),
        Route::Search => search::search(req, &conn),
        Route::Requests => requests::list(req, &conn),
        Route::RequestsPost => requests::post(req, &conn),
        Route::DecisionPage => decision::page(req, &conn),
        Route::Decide => decision::decide_by_link(req, &conn),
        Route::Retention => retention::run(req, &conn),
    }
}

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

use common::spin::{is_json, wants_json};

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        eprintln!("cv: unreadable JSON body: {e}");
        ApiError::bad_request("invalid_json", "I dati inviati non sono nel formato atteso (JSON). Ricarica la pagina e riprova.")
    })
}

use common::db::tx;

/// A page of rows: `count_sql` (a column `n`) counts them all, and a page past the end
/// is refused; then `select_sql` takes `params` followed by the page's limit and offset.
fn paged(conn: &Connection, count_sql: &str, select_sql: &str, params: &[Value], paging: Paging) -> Result<(i64, QueryResult), ApiError> {
    let total = db::scalar_i64(&db::query(conn, count_sql, params)?, "n")?;
    paging.ensure_in_range(total)?;
    let mut p = params.to_vec();
    p.extend([int(paging.limit()), int(paging.offset())]);
    Ok((total, db::query(conn, select_sql, &p)?))
}

fn areas(conn: &Connection) -> Result<Vec<(String, String)>, ApiError> {
    let rows = db::query(conn, "SELECT code, name FROM areas ORDER BY name", &[])?;
    rows.rows().map(|r| Ok((db::text(&r, "code")?, db::text(&r, "name")?))).collect()
}

fn area_codes(conn: &Connection) -> Result<Vec<String>, ApiError> {
    Ok(areas(conn)?.into_iter().map(|(c, _)| c).collect())
}

fn territories_json(conn: &Connection, cv_id: i64) -> Result<Vec<Json>, ApiError> {
    let rows = db::query(
        conn,
        "SELECT a.code, a.name FROM cv_territories t JOIN areas a ON a.code = t.area_code WHERE t.cv_id = ? ORDER BY a.name",
        &[int(cv_id)],
    )?;
    rows.rows().map(|r| Ok(json!({ "code": db::text(&r, "code")?, "name": db::text(&r, "name")? }))).collect()
}

fn yes_no(b: bool) -> &'static str {
    if b { "SI" } else { "NO" }
}

fn retention() -> Retention {
    Retention { keep_days: num("cv_retention_days", 365), notice_days: num("cv_retention_notice_days", 15) }
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

const CV_COLUMNS: &str = "id, description, search_consent, uploaded_by_cpi, file_name, file_kind, file_size, file_sha256, \
     created_at, updated_at, last_activity_at, retention_notice_at";

fn cv_of(r: &spin_sdk::sqlite::Row<'_>) -> Result<Cv, ApiError> {
    Ok(Cv {
        id: db::int(r, "id")?,
        description: db::text(r, "description")?,
        search_consent: db::int(r, "search_consent")? == 1,
        uploaded_by_cpi: db::int(r, "uploaded_by_cpi")? == 1,
        file_name: db::text(r, "file_name")?,
        file_kind: db::text(r, "file_kind")?,
        file_size: db::int(r, "file_size")?,
        file_sha256: db::text(r, "file_sha256")?,
        created_at: db::int(r, "created_at")?,
        updated_at: db::int(r, "updated_at")?,
        last_activity_at: db::int(r, "last_activity_at")?,
        retention_notice_at: r.get::<i64>("retention_notice_at"),
    })
}

fn cv_not_found() -> ApiError {
    ApiError::new(404, "cv_not_found", "Il curriculum indicato non esiste o è stato eliminato.")
}

/// The caller's own CV `id` (404 for anyone else's: its existence is not revealed).
fn own_cv(conn: &Connection, s: &Session, id: i64) -> Result<Cv, ApiError> {
    let rows = db::query(conn, &format!("SELECT {CV_COLUMNS} FROM cvs WHERE id = ? AND person_id = ?"), &[int(id), int(s.person_id)])?;
    rows.rows().next().map(|r| cv_of(&r)).transpose()?.ok_or_else(cv_not_found)
}

fn cv_json(conn: &Connection, cv: &Cv) -> Result<Json, ApiError> {
    let r = retention();
    let deletion = r.deletion_at(cv.last_activity_at, cv.retention_notice_at.unwrap_or(0));
    Ok(json!({
        "id": cv.id,
        "created_at": iso_utc(cv.created_at),
        "updated_at": iso_utc(cv.updated_at),
        "description": cv.description,
        "file": {
            "name": cv.file_name, "kind": cv.file_kind,
            "mime": cvtext::Kind::from_str_opt(&cv.file_kind).map(|k| k.mime()),
            "size": cv.file_size, "sha256": cv.file_sha256, "download": format!("/api/cv/{}/file", cv.id),
        },
        "search_consent": cv.search_consent,
        "search_consent_label": yes_no(cv.search_consent),
        "uploaded_by_cpi": cv.uploaded_by_cpi,
        "uploaded_by_cpi_label": yes_no(cv.uploaded_by_cpi),
        "territories": territories_json(conn, cv.id)?,
        "retention": {
            "last_activity_at": iso_utc(cv.last_activity_at),
            "deletion_on": crate::iso_day(deletion),
            "notice_sent": cv.retention_notice_at.is_some(),
        },
    }))
}

fn event(conn: &Connection, cv_id: i64, kind: &str, note: &str, at: i64) -> Result<(), ApiError> {
    db::query(conn, "INSERT INTO cv_events (cv_id, kind, note, at) VALUES (?, ?, ?, ?)", &[int(cv_id), text(kind), text(note), int(at)])?;
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

fn owner(conn: &Connection, person_id: i64) -> Result<Owner, ApiError> {
    let rows = db::query(
        conn,
        "SELECT p.name, p.family_name, p.fiscal_code, p.email AS p_email, p.mobile_phone, p.date_of_birth AS p_birth,
                a.email, a.mobile, a.date_of_birth, a.residence_address, a.residence_cap, a.domicile_address, a.domicile_cap
           FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?",
        &[int(person_id)],
    )?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal(format!("person {person_id} is missing")))?;
    let some = |c: &str| db::opt_text(&r, c).filter(|v| !v.trim().is_empty());
    let mut emails: Vec<String> = [some("email"), some("p_email")].into_iter().flatten().collect();
    emails.dedup();
    let mut phones: Vec<String> = [some("mobile"), some("mobile_phone")].into_iter().flatten().collect();
    phones.dedup();
    Ok(Owner {
        name: db::text(&r, "name")?,
        family_name: db::text(&r, "family_name")?,
        fiscal_code: db::text(&r, "fiscal_code")?,
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
