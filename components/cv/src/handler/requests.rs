//! B3 C3: view requests: the owner's list and decisions in the portal, a company's list
//! and new requests (each e-mails and texts the owner a decision link).

use common::outbox::{self, Message};
use common::rome::{iso_utc, unix_now};
use common::session::{self, ActingAs, Session};
use common::{ApiError, Page, Paging, Query, Reply, account, db};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use spin_sdk::http::Request;
use spin_sdk::sqlite::{Connection, QueryResult, Value};

use super::decision::decide;
use super::{int, json_body, num, opt_int, owner, paged, text, tx, var};

/// The company a session acts for, if it acts for one with a current incarico.
fn acting_company(conn: &Connection, s: &Session) -> Result<Option<ActingAs>, ApiError> {
    match &s.acting_as {
        Some(a) => Ok(account::incarico(conn, s.person_id, a.company_id)?.map(|(c, _)| c)),
        None => Ok(None),
    }
}

/// `GET /api/cv-requests`: a company's requests when the session acts for one, else
/// the requests for the caller's CVs.
pub(super) fn list(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active(req)?;
    let q = Query::parse(req.query())?;
    let paging = Paging::from_query(&q, 10)?;
    let (from, to) = crate::date_range(q.get("from"), q.get("to"))?;
    if s.acting_as.is_some() {
        let company = acting_company(conn, &s)?.ok_or_else(account::incarico_required)?;
        company_requests(conn, &company, paging, opt_int(from), opt_int(to))
    } else {
        owner_requests(conn, &s, paging, opt_int(from), opt_int(to))
    }
}

/// A page of the requests (`r`) whose `column` (owner_id | company_id) is `id`, made in
/// `[from, to)`, newest first; `select` is the query up to its `WHERE`.
fn page_of_requests(conn: &Connection, column: &str, id: i64, from: Value, to: Value, paging: Paging, select: &str) -> Result<(i64, QueryResult), ApiError> {
    let filter = format!("r.{column} = ?1 AND (?2 IS NULL OR r.created_at >= ?2) AND (?3 IS NULL OR r.created_at < ?3)");
    paged(
        conn,
        &format!("SELECT count(*) AS n FROM cv_requests r WHERE {filter}"),
        &format!("{select} WHERE {filter} ORDER BY r.created_at DESC, r.id DESC LIMIT ?4 OFFSET ?5"),
        &[int(id), from, to],
        paging,
    )
}

fn owner_requests(conn: &Connection, s: &Session, paging: Paging, from: Value, to: Value) -> Result<Reply, ApiError> {
    let (total, rows) = page_of_requests(
        conn,
        "owner_id",
        s.person_id,
        from,
        to,
        paging,
        "SELECT r.id, r.created_at, r.position, r.status, r.decided_at, r.cv_id, r.cv_description, c.name AS company, c.fiscal_code
           FROM cv_requests r JOIN companies c ON c.id = r.company_id",
    )?;
    let items = rows
        .rows()
        .map(|r| {
            let status = db::text(&r, "status")?;
            let cv_id = r.get::<i64>("cv_id");
            Ok(json!({
                "id": db::int(&r, "id")?,
                "date": iso_utc(db::int(&r, "created_at")?),
                "company": { "name": db::text(&r, "company")?, "fiscal_code": db::text(&r, "fiscal_code")? },
                "position": db::text(&r, "position")?,
                "cv": { "id": cv_id, "description": db::text(&r, "cv_description")?, "download": cv_id.map(|i| format!("/api/cv/{i}/file")) },
                "status": crate::status_label(&status),
                "status_code": status,
                "decided_at": r.get::<i64>("decided_at").map(iso_utc),
                "can_decide": status == "requested",
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

fn company_requests(conn: &Connection, company: &ActingAs, paging: Paging, from: Value, to: Value) -> Result<Reply, ApiError> {
    let (total, rows) = page_of_requests(
        conn,
        "company_id",
        company.company_id,
        from,
        to,
        paging,
        "SELECT r.id, r.created_at, r.position, r.status, r.decided_at, r.cv_id, r.cv_handle,
                CASE WHEN r.status = 'accepted' THEN p.name END AS name,
                CASE WHEN r.status = 'accepted' THEN p.family_name END AS family_name
           FROM cv_requests r JOIN people p ON p.id = r.owner_id",
    )?;
    let items = rows
        .rows()
        .map(|r| {
            let status = db::text(&r, "status")?;
            // the owner's identity and the CV only after «Autorizza»
            let candidate = match (status.as_str(), r.get::<i64>("cv_id")) {
                ("accepted", cv_id) => json!({
                    "name": db::opt_text(&r, "name"), "family_name": db::opt_text(&r, "family_name"),
                    "cv_id": cv_id, "download": cv_id.map(|i| format!("/api/cv/{i}/file")),
                }),
                _ => Json::Null,
            };
            Ok(json!({
                "id": db::int(&r, "id")?,
                "date": iso_utc(db::int(&r, "created_at")?),
                "position": db::text(&r, "position")?,
                "cv": db::text(&r, "cv_handle")?,
                "status": crate::status_label(&status),
                "status_code": status,
                "decided_at": r.get::<i64>("decided_at").map(iso_utc),
                "candidate": candidate,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

#[derive(Debug, Default, Deserialize)]
struct RequestIn {
    /// company: the CV's handle from the search
    cv: Option<String>,
    position: Option<String>,
    /// owner: the request and the decision
    id: Option<i64>,
    decision: Option<String>,
}

/// `POST /api/cv-requests`: a company's new request (`cv`, `position`), or the owner's
/// decision (`id`, `decision`).
pub(super) fn post(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let input: RequestIn = json_body(req.body())?;
    if s.acting_as.is_some() {
        let company = acting_company(conn, &s)?.ok_or_else(account::incarico_required)?;
        new_request(conn, &s, &company, &input)
    } else {
        let id = input.id.ok_or_else(|| ApiError::invalid_field("id", "required", "Indica la richiesta su cui decidere."))?;
        let status = input
            .decision
            .as_deref()
            .and_then(crate::decision)
            .ok_or_else(|| ApiError::invalid_field("decision", "invalid_choice", "Scegli «Autorizza» (accept) o «Rifiuta» (refuse)."))?;
        let rows = db::query(conn, "SELECT token_hash FROM cv_requests WHERE id = ? AND owner_id = ?", &[int(id), int(s.person_id)])?;
        let hash = rows
            .rows()
            .next()
            .map(|r| db::text(&r, "token_hash"))
            .transpose()?
            .ok_or_else(|| ApiError::new(404, "request_not_found", "La richiesta indicata non esiste."))?;
        decide(conn, &hash, status, "portal", None)?;
        owner_request_json(conn, id)
    }
}

fn owner_request_json(conn: &Connection, id: i64) -> Result<Reply, ApiError> {
    let rows = db::query(conn, "SELECT id, status, decided_at FROM cv_requests WHERE id = ?", &[int(id)])?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal("request vanished"))?;
    let status = db::text(&r, "status")?;
    Reply::json(200, &json!({ "id": id, "status": crate::status_label(&status), "status_code": status, "decided_at": r.get::<i64>("decided_at").map(iso_utc) }))
}

fn new_request(conn: &Connection, s: &Session, company: &ActingAs, input: &RequestIn) -> Result<Reply, ApiError> {
    let position = crate::position(input.position.as_deref())?;
    let handle = input.cv.as_deref().unwrap_or("").trim();
    let not_found = || ApiError::new(404, "cv_not_found", "Il curriculum indicato non esiste o non è più consultabile.");
    if !crate::is_handle(handle) {
        return Err(not_found());
    }
    let rows = db::query(conn, "SELECT id, person_id, description FROM cvs WHERE handle = ? AND search_consent = 1", &[text(handle)])?;
    let (cv_id, owner_id, description) = rows
        .rows()
        .next()
        .map(|r| Ok::<_, ApiError>((db::int(&r, "id")?, db::int(&r, "person_id")?, db::text(&r, "description")?)))
        .transpose()?
        .ok_or_else(not_found)?;
    let o = owner(conn, owner_id)?;
    let token = session::random_token()?;
    let hash = crate::token_hash(&token).ok_or_else(|| ApiError::internal("random token is not a token"))?;
    let days = num("cv_request_link_days", 30);
    let now = unix_now();
    let base = var("base_url").ok_or_else(|| ApiError::internal("variable base_url is not set"))?;
    let link = format!("{}/api/cv-requests/decision?token={token}", base.trim_end_matches('/'));
    let per_day = num("cv_requests_per_day", 100);
    let id = tx(conn, |conn| {
        // each request sends an e-mail and an SMS to a citizen: a company sends a bounded number a day
        let today = db::scalar_i64(
            &db::query(conn, "SELECT count(*) AS n FROM cv_requests WHERE company_id = ? AND created_at > ?", &[int(company.company_id), int(now - 86_400)])?,
            "n",
        )?;
        if today >= per_day {
            eprintln!("cv: company {} reached {per_day} requests in 24 hours", company.company_id);
            return Err(ApiError::new(
                429,
                "request_limit",
                format!("La tua azienda ha già inviato {per_day} richieste di visione nelle ultime 24 ore: riprova più tardi."),
            ));
        }
        let rows = db::query(
            conn,
            "INSERT INTO cv_requests (cv_id, cv_handle, cv_description, owner_id, company_id, requested_by, position, token_hash, token_expires_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            &[
                int(cv_id),
                text(handle),
                text(description.as_str()),
                int(owner_id),
                int(company.company_id),
                int(s.person_id),
                text(position.as_str()),
                text(hash.as_str()),
                int(now + days * 86_400),
                int(now),
            ],
        )?;
        let Some(id) = rows.rows().next().and_then(|r| r.get::<i64>("id")) else {
            return Err(ApiError::new(409, "request_exists", "Hai già una richiesta in attesa di risposta per questo curriculum."));
        };
        let full_name = format!("{} {}", o.name, o.family_name).to_uppercase();
        let cv_label = crate::cvs::cv_label(&description);
        if let Some(email) = &o.email {
            outbox::enqueue(
                conn,
                &Message::new(outbox::Channel::Email, email, outbox::CV_REQUEST)
                    .param("name", full_name)
                    .param("company", company.name.as_str())
                    .param("position", position.as_str())
                    .param("cv", cv_label)
                    .param("link", link.as_str())
                    .param("days", days.to_string())
                    .person(owner_id),
            )?;
        }
        if let Some(mobile) = &o.mobile {
            outbox::enqueue(
                conn,
                &Message::new(outbox::Channel::Sms, mobile, outbox::CV_REQUEST)
                    .param("company", company.name.as_str())
                    .param("position", position.as_str())
                    .param("link", link.as_str())
                    .person(owner_id),
            )?;
        }
        Ok(id)
    })?;
    eprintln!("cv: company {} (person {}) asked to see cv {cv_id}: request {id}", company.company_id, s.person_id);
    Reply::json(
        201,
        &json!({ "id": id, "date": iso_utc(now), "position": position, "cv": handle, "status": "RICHIESTA", "status_code": "requested", "candidate": null }),
    )
}
