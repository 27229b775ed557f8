//! `applications` (C1, C4, O1 evaluation): applying to an offer ("Compila candidatura"),
//! the person's applications ("Visualizza candidature"), the CPI operator's evaluation
//! (the esito), and what the offer's company receives.
//!
//! - Citizen (active account): `GET /api/applications/form?offer=<code>`,
//!   `POST /api/applications`, `GET /api/applications?from=&to=&status=&history=&page=`,
//!   `GET /api/applications/<id>`, `GET /api/applications/<id>/cv`,
//!   `POST /api/applications/<id>/withdraw`.
//! - Operator (the CPI of the offer): `GET /api/operator/applications?offer=&status=&from=&to=&page=`,
//!   `GET /api/operator/applications/<id>`, `GET /api/operator/applications/<id>/cv`,
//!   `POST /api/operator/applications/<id>/status` `{status, note}`.
//! - Company (acting for the offer's company): `GET /api/company/offers?page=`,
//!   `GET /api/company/applications?offer=&page=`, `GET /api/company/applications/<id>/cv`
//!   (only applications the CPI sent to the company).
//!
//! Writes `applications`, `application_files`, `application_events`; every read of an
//! application's CV goes in `cv_access_log` and every operator action in the audit log
//! (both through `access::audit`). The person's CV itself is the cv component's: its
//! "Storico utilizzi" and retention read the applications that used it.

pub mod model;

#[cfg(test)]
mod tests;

use access::audit::{self, Actor, CvRead};
use access::staff::{self, Operator};
use access::Session;
use common::http::{allowed, path_id, segments};
use common::sql::{Db, Value, tx};
use common::validation::Fields;
use common::{ApiError, Page, Paging, Reply, Req, params};
use model::{Status, status_label};
use outbox::Message;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Form,
    Apply,
    Mine,
    Detail(i64),
    Cv(i64),
    Withdraw(i64),
    OperatorList,
    OperatorDetail(i64),
    OperatorCv(i64),
    SetStatus(i64),
    CompanyOffers,
    CompanyList,
    CompanyCv(i64),
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    let post = method == "POST";
    match parts.as_slice() {
        ["api", "applications"] => match method {
            "GET" | "HEAD" => Ok(Route::Mine),
            "POST" => Ok(Route::Apply),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "applications", "form"] => allowed(get, Route::Form),
        ["api", "applications", n] => allowed(get, Route::Detail(path_id(n)?)),
        ["api", "applications", n, "cv"] => allowed(get, Route::Cv(path_id(n)?)),
        ["api", "applications", n, "withdraw"] => allowed(post, Route::Withdraw(path_id(n)?)),
        ["api", "operator", "applications"] => allowed(get, Route::OperatorList),
        ["api", "operator", "applications", n] => allowed(get, Route::OperatorDetail(path_id(n)?)),
        ["api", "operator", "applications", n, "cv"] => allowed(get, Route::OperatorCv(path_id(n)?)),
        ["api", "operator", "applications", n, "status"] => allowed(post, Route::SetStatus(path_id(n)?)),
        ["api", "company", "offers"] => allowed(get, Route::CompanyOffers),
        ["api", "company", "applications"] => allowed(get, Route::CompanyList),
        ["api", "company", "applications", n, "cv"] => allowed(get, Route::CompanyCv(path_id(n)?)),
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
        Route::Form => form(req, db),
        Route::Apply => apply(req, db),
        Route::Mine => mine(req, db),
        Route::Detail(id) => detail(req, db, *id),
        Route::Cv(id) => owner_cv(req, db, *id),
        Route::Withdraw(id) => withdraw(req, db, *id),
        Route::OperatorList => operator_list(req, db),
        Route::OperatorDetail(id) => operator_detail(req, db, *id),
        Route::OperatorCv(id) => operator_cv(req, db, *id),
        Route::SetStatus(id) => set_status(req, db, *id),
        Route::CompanyOffers => company_offers(req, db),
        Route::CompanyList => company_list(req, db),
        Route::CompanyCv(id) => company_cv(req, db, *id),
    }
}

fn today(req: &Req) -> String {
    common::rome::day_at(req.now)
}

fn not_found() -> ApiError {
    ApiError::new(404, "application_not_found", "La candidatura indicata non esiste.")
}

fn offer_not_found() -> ApiError {
    ApiError::new(404, "offer_not_found", "L'offerta indicata non esiste.")
}

// ---------------------------------------------------------------------------------
// Compila candidatura
// ---------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationForm))]
pub struct FormOut {
    offer: model::OfferSummary,
    requirements: Vec<String>,
    cvs: Vec<CvChoice>,
    /// The person's current application to this offer, if any.
    applied: Option<Applied>,
    declaration: &'static str,
    cv_text: &'static str,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationCvChoice))]
pub struct CvChoice {
    id: i64,
    description: String,
    file_name: String,
    download: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationCurrent))]
pub struct Applied {
    id: i64,
    status: &'static str,
    status_label: &'static str,
}

const DECLARATION: &str = "Dichiaro di essere in possesso del requisito";
const CV_TEXT: &str = "Se non ne hai ancora caricato uno, oppure quelli presenti non sono aggiornati, utilizza la voce di menu «Gestione Curriculum Vitae» per caricarne uno nuovo.";

/// The open offer that takes applications online, with its terms; 404, or 409 with why not.
fn open_online(db: &dyn Db, code: &str, today: &str) -> Result<vacancy::Terms, ApiError> {
    let terms = vacancy::of_code(db, &code.trim().to_ascii_uppercase(), today)?.ok_or_else(offer_not_found)?;
    if !terms.open {
        return Err(ApiError::new(409, "offer_closed", "L'offerta è scaduta o chiusa: non accetta più candidature."));
    }
    if terms.mode != vacancy::Mode::Online {
        return Err(ApiError::new(409, "offer_not_online", "Per questa offerta la candidatura non si invia dal portale: segui le indicazioni dell'offerta su come candidarsi."));
    }
    Ok(terms)
}

fn cv_choices(db: &dyn Db, person_id: i64) -> Result<Vec<CvChoice>, ApiError> {
    db.execute("SELECT id, description, file_name FROM cvs WHERE person_id = ?1 ORDER BY updated_at DESC, id DESC", params![person_id])?.map(|r| {
        let id = r.int("id")?;
        Ok(CvChoice { id, description: r.text("description")?, file_name: r.text("file_name")?, download: format!("/api/cv/{id}/file") })
    })
}

fn current_application(db: &dyn Db, offer_id: i64, person_id: i64) -> Result<Option<Applied>, ApiError> {
    let rows = db.execute("SELECT id, status FROM applications WHERE offer_id = ?1 AND person_id = ?2 AND status <> 'ritirata'", params![offer_id, person_id])?;
    rows.first()
        .map(|r| {
            let status = Status::parse(r.str("status")?).ok_or_else(|| ApiError::internal("unknown status"))?;
            Ok(Applied { id: r.int("id")?, status: status.as_str(), status_label: status_label(status) })
        })
        .transpose()
}

/// `GET /api/applications/form?offer=<code>`: what "Compila candidatura" shows.
fn form(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let q = req.query()?;
    let code = q.get("offer").ok_or_else(|| ApiError::bad_request("offer_missing", "Indica il codice dell'offerta."))?;
    let terms = open_online(db, code, &today(req))?;
    Reply::json(
        200,
        &FormOut {
            offer: model::offer_summary(db, terms.offer_id)?,
            requirements: terms.requirements,
            cvs: cv_choices(db, s.person_id)?,
            applied: current_application(db, terms.offer_id, s.person_id)?,
            declaration: DECLARATION,
            cv_text: CV_TEXT,
        },
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationIn))]
pub struct ApplyIn {
    /// the offer's code
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^[A-Za-z]{2}-[0-9]+$"))]
    offer: Option<String>,
    /// one of the person's CVs (`cvs` of the form)
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, minimum = 1))]
    cv_id: Option<i64>,
    /// one per requirement, in the form's order: `true` = "Dichiaro di essere in possesso"
    declarations: Option<Vec<bool>>,
}

/// `POST /api/applications`: "Invia candidatura". One current application per person and
/// offer (409); every requirement declared; the CV is the person's; the CV file is kept
/// as sent; an e-mail confirms.
fn apply(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let input: ApplyIn = req.json()?;
    let code = input.offer.as_deref().filter(|c| !c.trim().is_empty()).ok_or_else(|| ApiError::invalid_field("offer", "required", "Indica l'offerta."))?;
    let terms = open_online(db, code, &today(req))?;
    let mut f = Fields::new();
    let declared = input.declarations.clone().unwrap_or_default();
    for (i, _) in terms.requirements.iter().enumerate() {
        if !declared.get(i).copied().unwrap_or(false) {
            f.add(format!("declarations.{i}"), "required", "Per candidarti devi dichiarare di essere in possesso del requisito.");
        }
    }
    if declared.len() > terms.requirements.len() {
        f.add("declarations", "too_many", "L'offerta ha meno requisiti di quelli dichiarati: ricarica la pagina.");
    }
    let cv = match input.cv_id {
        None => {
            f.add("cv_id", "required", "Seleziona il tuo Curriculum Vitae.");
            None
        }
        Some(id) => {
            let rows = db.execute(
                "SELECT c.id, c.description, c.file_name, c.file_kind, c.file_sha256, f.content FROM cvs c JOIN cv_files f ON f.cv_id = c.id
                  WHERE c.id = ?1 AND c.person_id = ?2",
                params![id, s.person_id],
            )?;
            match rows.first() {
                None => {
                    f.add("cv_id", "not_found", "Il curriculum scelto non esiste più: scegline un altro.");
                    None
                }
                Some(r) => Some((r.int("id")?, r.text("description")?, r.text("file_name")?, r.text("file_kind")?, r.text("file_sha256")?, r.blob("content")?.to_vec())),
            }
        }
    };
    f.into_result()?;
    let Some((cv_id, cv_description, file_name, file_kind, sha256, content)) = cv else { return Err(ApiError::internal("form valid but no CV")) };
    let declarations: Vec<serde_json::Value> = terms.requirements.iter().map(|r| json!({ "requirement": r, "declared": true })).collect();
    let summary = model::offer_summary(db, terms.offer_id)?;
    let person = model::contact(db, s.person_id)?;
    let now = req.now;
    let id = tx(db, |db| {
        let rows = db.execute(
            "INSERT INTO applications (offer_id, cpi_code, person_id, cv_id, cv_description, declarations, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'inserita', ?7, ?7) ON CONFLICT DO NOTHING RETURNING id",
            params![
                terms.offer_id,
                terms.cpi_code.as_str(),
                s.person_id,
                cv_id,
                cv_description.as_str(),
                serde_json::to_string(&declarations).map_err(ApiError::internal)?,
                now
            ],
        )?;
        let id = rows.first().map(|r| r.int("id")).transpose()?.ok_or_else(|| {
            ApiError::new(409, "already_applied", "Ti sei già candidato a questa offerta: trovi la candidatura in «Visualizza candidature».")
        })?;
        db.execute(
            "INSERT INTO application_files (application_id, file_name, file_kind, file_sha256, content) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[id.into(), file_name.as_str().into(), file_kind.as_str().into(), sha256.as_str().into(), Value::Blob(content.clone())],
        )?;
        db.execute("INSERT INTO application_events (application_id, status, note, actor_id, at) VALUES (?1, 'inserita', NULL, ?2, ?3)", params![id, s.person_id, now])?;
        if let Some(email) = &person.email {
            outbox::enqueue(
                db,
                &Message::new(outbox::Channel::Email, email, outbox::APPLICATION_RECEIVED)
                    .param("name", person.name.as_str())
                    .param("offer", summary.code.as_str())
                    .param("occupation", summary.occupation.as_str())
                    .param("cpi", summary.cpi.name.as_str())
                    .person(s.person_id),
                now,
            )?;
        }
        Ok(id)
    })?;
    eprintln!("applications: person {} applied to offer {} (application {id})", s.person_id, summary.code);
    let mut r = Reply::json(201, &model::application(db, id)?)?;
    r.headers.push(("location", format!("/api/applications/{id}")));
    Ok(r)
}

// ---------------------------------------------------------------------------------
// Visualizza candidature
// ---------------------------------------------------------------------------------

/// `GET /api/applications?from=&to=&status=&history=true&page=`: "Elenco Candidature",
/// newest first. Without `history`, only applications to offers still open.
fn mine(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 10)?;
    let (from, to) = common::rome::day_range(q.get("from"), q.get("to"))?;
    let status = status_filter(q.get("status"))?;
    let history = matches!(q.get("history"), Some("true" | "1" | "si" | "on"));
    let today = today(req);
    let filter = model::MineFilter { person_id: s.person_id, from, to, status, history, today: &today };
    let (total, items) = model::mine_page(db, &filter, paging)?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// The `status` filter of the lists: one of the states (400 otherwise).
fn status_filter(v: Option<&str>) -> Result<Option<&'static str>, ApiError> {
    v.map(|v| Status::parse(v).map(Status::as_str).ok_or_else(|| ApiError::bad_request("invalid_filter", "L'esito indicato non esiste."))).transpose()
}

/// The caller's own application `id` (404 for anyone else's).
fn own(db: &dyn Db, s: &Session, id: i64) -> Result<(), ApiError> {
    if db.execute("SELECT 1 AS x FROM applications WHERE id = ?1 AND person_id = ?2", params![id, s.person_id])?.is_empty() {
        return Err(not_found());
    }
    Ok(())
}

/// `GET /api/applications/<id>`: "Visualizza": the application as sent, and its timeline.
fn detail(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    own(db, &s, id)?;
    Reply::json(200, &model::application(db, id)?)
}

/// `GET /api/applications/<id>/cv`: the CV as sent (the owner).
fn owner_cv(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    own(db, &s, id)?;
    cv_file(req, db, id, &s, "owner", None, "Candidatura: download del titolare")
}

/// `POST /api/applications/<id>/withdraw`: only while the CPI has not taken it in charge.
fn withdraw(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    own(db, &s, id)?;
    tx(db, |db| {
        let done = db.execute(
            "UPDATE applications SET status = 'ritirata', updated_at = ?3 WHERE id = ?1 AND person_id = ?2 AND status = 'inserita' RETURNING id",
            params![id, s.person_id, req.now],
        )?;
        if done.is_empty() {
            return Err(ApiError::new(409, "not_withdrawable", "La candidatura è già stata presa in carico dal Centro per l'impiego: non si può più ritirare."));
        }
        db.execute("INSERT INTO application_events (application_id, status, note, actor_id, at) VALUES (?1, 'ritirata', NULL, ?2, ?3)", params![id, s.person_id, req.now])?;
        Ok(())
    })?;
    Reply::json(200, &model::application(db, id)?)
}

/// Sends the CV as sent with application `id`, recording the read in `cv_access_log`.
fn cv_file(req: &Req, db: &dyn Db, id: i64, reader: &Session, role: &'static str, company_id: Option<i64>, reason: &str) -> Result<Reply, ApiError> {
    let rows = db.execute(
        "SELECT a.person_id, a.cv_id, f.file_name, f.file_kind, f.content FROM applications a JOIN application_files f ON f.application_id = a.id WHERE a.id = ?1",
        params![id],
    )?;
    let r = rows.first().ok_or_else(not_found)?;
    let owner_id = r.int("person_id")?;
    audit::cv_read(
        db,
        &CvRead { cv_id: r.opt_int("cv_id").unwrap_or(0), owner_id, reader_id: reader.person_id, company_id, role, reason: &format!("{reason} (candidatura {id})"), request_id: None },
        req.now,
    )?;
    let kind = r.text("file_kind")?;
    let mime = cvtext_mime(&kind);
    Ok(Reply {
        status: 200,
        headers: vec![
            ("content-type", mime.to_string()),
            ("content-disposition", common::reply::attachment(r.str("file_name")?)),
            ("cache-control", "no-store".into()),
        ],
        body: r.blob("content")?.to_vec(),
    })
}

fn cvtext_mime(kind: &str) -> &'static str {
    match kind {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt" => "application/vnd.oasis.opendocument.text",
        "doc" => "application/msword",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------------
// The operator's evaluation
// ---------------------------------------------------------------------------------

/// An application to an offer of the operator's CPI (404 for any other).
fn of_my_cpi(db: &dyn Db, op: &Operator, id: i64) -> Result<(), ApiError> {
    if db.execute("SELECT 1 AS x FROM applications a JOIN offers o ON o.id = a.offer_id WHERE a.id = ?1 AND o.cpi_code = ?2", params![id, op.cpi.code.as_str()])?.is_empty() {
        return Err(not_found());
    }
    Ok(())
}

/// The operator's list: ?1 CPI, ?2 offer code or NULL, ?3 status or NULL (NULL: all but
/// the withdrawn), ?4 from, ?5 to (unix seconds or NULL).
/// `GET /api/operator/applications?offer=&status=&from=&to=&page=`: the applications to
/// the CPI's offers (withdrawn ones only when asked for).
fn operator_list(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 20)?;
    let (from, to) = common::rome::day_range(q.get("from"), q.get("to"))?;
    let status = status_filter(q.get("status"))?;
    let offer = q.get("offer").map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
    let filter = model::OperatorFilter { cpi: &op.cpi.code, offer: offer.as_deref(), status, from, to };
    let (total, items) = model::operator_page(db, &filter, paging)?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// `GET /api/operator/applications/<id>`: the application, the candidate and the timeline.
fn operator_detail(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    of_my_cpi(db, &op, id)?;
    Reply::json(200, &model::operator_view(db, id)?)
}

/// `GET /api/operator/applications/<id>/cv`: the CV as sent, a CPI operator's read.
fn operator_cv(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    of_my_cpi(db, &op, id)?;
    cv_file(req, db, id, &op.session, "cpi_operator", None, &format!("Valutazione dell'operatore del CPI {}", op.cpi.name))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationStatusIn))]
pub struct StatusIn {
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^(presa_in_carico|inviata|non_inviata)$"))]
    status: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    note: Option<String>,
}

/// `POST /api/operator/applications/<id>/status` `{status, note}`: the esito, forward
/// only (inserita → presa_in_carico → inviata | non_inviata), decided by a conditional
/// UPDATE; the person gets an e-mail each time.
fn set_status(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    of_my_cpi(db, &op, id)?;
    let input: StatusIn = req.json()?;
    let to = input
        .status
        .as_deref()
        .and_then(Status::parse)
        .filter(|s| matches!(s, Status::PresaInCarico | Status::Inviata | Status::NonInviata))
        .ok_or_else(|| ApiError::invalid_field("status", "invalid_choice", "L'esito è presa_in_carico, inviata o non_inviata."))?;
    let note = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError::invalid_field("note", "too_long", "La nota può contenere al massimo 1000 caratteri."));
    }
    let from: &[&str] = match to {
        Status::PresaInCarico => &["inserita"],
        _ => &["inserita", "presa_in_carico"],
    };
    let now = req.now;
    let actor = Actor { session: &op.session, role: "operator", cpi: Some(&op.cpi.code) };
    tx(db, |db| {
        let before = db.execute("SELECT status, note FROM applications WHERE id = ?1", params![id])?;
        let b = before.first().ok_or_else(not_found)?;
        let (old_status, old_note) = (b.text("status")?, b.opt_text("note"));
        let changed = db.execute(
            "UPDATE applications SET status = ?2, note = ?3, decided_by = ?4, decided_at = ?5, updated_at = ?5 WHERE id = ?1 AND status IN (SELECT value FROM json_each(?6)) RETURNING person_id, offer_id",
            params![id, to.as_str(), note.as_deref(), op.session.person_id, now, serde_json::to_string(from).map_err(ApiError::internal)?],
        )?;
        let r = changed.first().ok_or_else(|| {
            ApiError::new(409, "status_not_allowed", format!("La candidatura è «{}»: non può passare a «{}».", Status::parse(&old_status).map_or("", status_label), status_label(to)))
        })?;
        let (person_id, offer_id) = (r.int("person_id")?, r.int("offer_id")?);
        db.execute(
            "INSERT INTO application_events (application_id, status, note, actor_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, to.as_str(), note.as_deref(), op.session.person_id, now],
        )?;
        audit::record(
            db,
            &actor,
            "application.status",
            "application",
            &id.to_string(),
            Some(&json!({ "status": old_status, "note": old_note })),
            Some(&json!({ "status": to.as_str(), "note": note })),
            now,
        )?;
        let person = model::contact(db, person_id)?;
        let offer = model::offer_summary(db, offer_id)?;
        if let Some(email) = &person.email {
            let mut msg = Message::new(outbox::Channel::Email, email, outbox::APPLICATION_STATUS)
                .param("name", person.name.as_str())
                .param("offer", offer.code.as_str())
                .param("occupation", offer.occupation.as_str())
                .param("status", status_label(to))
                .param("note", note.as_deref().map(|n| format!("Nota del Centro per l'impiego: {}", n.split_whitespace().collect::<Vec<_>>().join(" "))).unwrap_or_default())
                .person(person_id);
            msg = msg.param("cpi", offer.cpi.name.as_str());
            outbox::enqueue(db, &msg, now)?;
        }
        Ok(())
    })?;
    eprintln!("applications: operator {} set application {id} to {}", op.session.person_id, to.as_str());
    Reply::json(200, &model::operator_view(db, id)?)
}

// ---------------------------------------------------------------------------------
// The company's side
// ---------------------------------------------------------------------------------

/// `GET /api/company/offers?page=`: the offers published for the company acted for, with
/// the number of applications the CPI sent it.
fn company_offers(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let (_, company) = access::require_acting(db, req)?;
    let paging = Paging::from_query(&req.query()?, 20)?;
    let filter = "t.company_id = ?1";
    let total = db.execute(&format!("SELECT count(*) AS n FROM offers o JOIN offer_terms t ON t.offer_id = o.id WHERE {filter}"), params![company.company_id])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let rows = db.execute(
        &format!(
            "SELECT o.id FROM offers o JOIN offer_terms t ON t.offer_id = o.id WHERE {filter} ORDER BY o.published_at DESC, o.id DESC LIMIT ?2 OFFSET ?3"
        ),
        params![company.company_id, paging.limit(), paging.offset()],
    )?;
    let today = today(req);
    let items = rows.map(|r| model::company_offer(db, r.int("id")?, &today))?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// `GET /api/company/applications?offer=<code>&page=`: the applications the CPI sent to
/// the company (inviata), with the candidate.
fn company_list(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let (_, company) = access::require_acting(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 20)?;
    let offer = q.get("offer").map(str::to_ascii_uppercase);
    let filter = "a.status = 'inviata' AND EXISTS (SELECT 1 FROM offer_terms t WHERE t.offer_id = a.offer_id AND t.company_id = ?1) AND (?2 IS NULL OR o.code = ?2)";
    let (total, ids) = model::page_of_ids(db, filter, params![company.company_id, offer.as_deref()], paging, "a.decided_at DESC, a.id DESC")?;
    let items = ids.into_iter().map(|id| model::company_row(db, id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// `GET /api/company/applications/<id>/cv`: the CV of an application sent to the company.
fn company_cv(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let (s, company) = access::require_acting(db, req)?;
    let sent = db.execute(
        "SELECT 1 AS x FROM applications a JOIN offer_terms t ON t.offer_id = a.offer_id WHERE a.id = ?1 AND a.status = 'inviata' AND t.company_id = ?2",
        params![id, company.company_id],
    )?;
    if sent.is_empty() {
        return Err(ApiError::new(403, "cv_access_denied", "Non hai l'autorizzazione a scaricare questo curriculum."));
    }
    cv_file(req, db, id, &s, "company", Some(company.company_id), "Candidatura inviata all'azienda dal Centro per l'impiego")
}
