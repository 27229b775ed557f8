//! B3 C3: view requests: the owner's list and decisions in the portal, a company's list
//! and new requests (each e-mails and texts the owner a decision link).

use access::{ActingAs, Session};
use common::rome::iso_utc;
use common::sql::{Db, Rows, Value};
use common::{ApiError, Page, Paging, Reply, Req};
use outbox::Message;
use serde::{Deserialize, Serialize};

use super::decision::decide;
use super::{int, opt_int, owner, paged, text, tx};

/// `GET /api/cv-requests`: a company's requests when the session acts for one, else
/// the requests for the caller's CVs.
pub(super) fn list(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 10)?;
    let (from, to) = common::rome::day_range(q.get("from"), q.get("to"))?;
    // the session's company counts only with a current incarico (checked by the lookup)
    if let Some(company) = &s.acting_as {
        company_requests(conn, company, paging, opt_int(from), opt_int(to))
    } else {
        owner_requests(conn, &s, paging, opt_int(from), opt_int(to))
    }
}

/// A page of the requests (`r`) whose `column` (owner_id | company_id) is `id`, made in
/// `[from, to)`, newest first; `select` is the query up to its `WHERE`.
fn page_of_requests(conn: &dyn Db, column: &str, id: i64, from: Value, to: Value, paging: Paging, select: &str) -> Result<(i64, Rows), ApiError> {
    let filter = format!("r.{column} = ?1 AND (?2 IS NULL OR r.created_at >= ?2) AND (?3 IS NULL OR r.created_at < ?3)");
    paged(
        conn,
        &format!("SELECT count(*) AS n FROM cv_requests r WHERE {filter}"),
        &format!("{select} WHERE {filter} ORDER BY r.created_at DESC, r.id DESC LIMIT ?4 OFFSET ?5"),
        &[int(id), from, to],
        paging,
    )
}

fn owner_requests(conn: &dyn Db, s: &Session, paging: Paging, from: Value, to: Value) -> Result<Reply, ApiError> {
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
            let status = r.text("status")?;
            let cv_id = r.get::<i64>("cv_id");
            Ok(CvRequest::Owner(OwnerRequest {
                id: r.int("id")?,
                date: iso_utc(r.int("created_at")?),
                company: RequestCompany { name: r.text("company")?, fiscal_code: r.text("fiscal_code")? },
                position: r.text("position")?,
                cv: RequestedCv { id: cv_id, description: r.text("cv_description")?, download: cv_id.map(|i| format!("/api/cv/{i}/file")) },
                status: crate::status_label(&status),
                can_decide: status == "requested",
                status_code: status,
                decided_at: r.get::<i64>("decided_at").map(iso_utc),
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

fn company_requests(conn: &dyn Db, company: &ActingAs, paging: Paging, from: Value, to: Value) -> Result<Reply, ApiError> {
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
            let status = r.text("status")?;
            // the owner's identity and the CV only after «Autorizza»
            let candidate = match (status.as_str(), r.get::<i64>("cv_id")) {
                ("accepted", cv_id) => Some(Candidate {
                    name: r.opt_text("name"),
                    family_name: r.opt_text("family_name"),
                    cv_id,
                    download: cv_id.map(|i| format!("/api/cv/{i}/file")),
                }),
                _ => None,
            };
            Ok(CvRequest::Company(CompanyRequest {
                id: r.int("id")?,
                date: iso_utc(r.int("created_at")?),
                position: r.text("position")?,
                cv: r.text("cv_handle")?,
                status: crate::status_label(&status),
                status_code: status,
                decided_at: r.get::<i64>("decided_at").map(iso_utc),
                candidate,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// One request of `GET /api/cv-requests`: the owner's view (a citizen) or the
/// company's (a session acting for one).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum CvRequest {
    Owner(OwnerRequest),
    Company(CompanyRequest),
}

/// A request for one of the caller's CVs.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvRequestForOwner))]
pub struct OwnerRequest {
    pub id: i64,
    /// ISO 8601, UTC
    pub date: String,
    pub company: RequestCompany,
    pub position: String,
    pub cv: RequestedCv,
    /// `RICHIESTA`, `ACCETTATA` or `RIFIUTATA`
    pub status: &'static str,
    /// `requested`, `accepted` or `refused`
    pub status_code: String,
    pub decided_at: Option<String>,
    pub can_decide: bool,
}

/// The company that asked.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvRequestCompany))]
pub struct RequestCompany {
    pub name: String,
    pub fiscal_code: String,
}

/// The CV asked for (`id` and `download` `null` once the CV is deleted).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvRequestedCv))]
pub struct RequestedCv {
    pub id: Option<i64>,
    pub description: String,
    pub download: Option<String>,
}

/// A company's request, under the CV's opaque handle.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvRequestOfCompany))]
pub struct CompanyRequest {
    pub id: i64,
    /// ISO 8601, UTC
    pub date: String,
    pub position: String,
    /// The CV's handle from the search.
    pub cv: String,
    pub status: &'static str,
    pub status_code: String,
    pub decided_at: Option<String>,
    /// The owner and the CV, once the owner accepted.
    pub candidate: Option<Candidate>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvCandidate))]
pub struct Candidate {
    pub name: Option<String>,
    pub family_name: Option<String>,
    pub cv_id: Option<i64>,
    pub download: Option<String>,
}

/// What a company's new request answers (201).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCvRequest {
    pub id: i64,
    /// ISO 8601, UTC
    pub date: String,
    pub position: String,
    pub cv: String,
    pub status: &'static str,
    pub status_code: &'static str,
    /// Always `null`: nobody accepted yet.
    pub candidate: Option<Candidate>,
}

/// What the owner's decision in the portal answers (200).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CvRequestDecided {
    pub id: i64,
    pub status: &'static str,
    pub status_code: String,
    pub decided_at: Option<String>,
}

/// `POST /api/cv-requests`: a company's new request (`cv`, `position`), or the owner's
/// decision (`id`, `decision`).
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvRequestIn))]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    /// company: the CV's handle from the search
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    cv: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    position: Option<String>,
    /// owner: the request and the decision
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    id: Option<i64>,
    /// owner: `accept` or `refuse`
    #[cfg_attr(feature = "openapi", schema(pattern = "^(accept|refuse)$"))]
    decision: Option<String>,
}

/// `POST /api/cv-requests`: a company's new request (`cv`, `position`), or the owner's
/// decision (`id`, `decision`).
pub(super) fn post(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let input: RequestIn = req.json()?;
    if let Some(company) = &s.acting_as {
        new_request(req, conn, &s, company, &input)
    } else {
        let id = input.id.ok_or_else(|| ApiError::invalid_field("id", "required", "Indica la richiesta su cui decidere."))?;
        let status = input
            .decision
            .as_deref()
            .and_then(crate::decision)
            .ok_or_else(|| ApiError::invalid_field("decision", "invalid_choice", "Scegli «Autorizza» (accept) o «Rifiuta» (refuse)."))?;
        let rows = conn.execute("SELECT token_hash FROM cv_requests WHERE id = ? AND owner_id = ?", &[int(id), int(s.person_id)])?;
        let hash = rows
            .rows()
            .next()
            .map(|r| r.text("token_hash"))
            .transpose()?
            .ok_or_else(|| ApiError::new(404, "request_not_found", "La richiesta indicata non esiste."))?;
        decide(req, conn, &hash, status, "portal", None)?;
        owner_request_json(conn, id)
    }
}

fn owner_request_json(conn: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let rows = conn.execute("SELECT id, status, decided_at FROM cv_requests WHERE id = ?", &[int(id)])?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal("request vanished"))?;
    let status = r.text("status")?;
    Reply::json(200, &CvRequestDecided { id, status: crate::status_label(&status), decided_at: r.get::<i64>("decided_at").map(iso_utc), status_code: status })
}

fn new_request(req: &Req, conn: &dyn Db, s: &Session, company: &ActingAs, input: &RequestIn) -> Result<Reply, ApiError> {
    let position = crate::position(input.position.as_deref())?;
    let handle = input.cv.as_deref().unwrap_or("").trim();
    let not_found = || ApiError::new(404, "cv_not_found", "Il curriculum indicato non esiste o non è più consultabile.");
    if !crate::is_handle(handle) {
        return Err(not_found());
    }
    let rows = conn.execute("SELECT id, person_id, description FROM cvs WHERE handle = ? AND search_consent = 1", &[text(handle)])?;
    let (cv_id, owner_id, description) = rows
        .rows()
        .next()
        .map(|r| Ok::<_, ApiError>((r.int("id")?, r.int("person_id")?, r.text("description")?)))
        .transpose()?
        .ok_or_else(not_found)?;
    let o = owner(conn, owner_id)?;
    let token = common::token::random_token()?;
    let hash = crate::token_hash(&token).ok_or_else(|| ApiError::internal("random token is not a token"))?;
    let days = req.var_number("cv_request_link_days", 30);
    let now = req.now;
    let base = req.var_text("base_url").ok_or_else(|| ApiError::internal("variable base_url is not set"))?;
    // the portal's page for the link (it shows the request and posts the decision)
    let link = format!("{}/cittadino/richieste-cv/decisione/?token={token}", base.trim_end_matches('/'));
    let per_day = req.var_number("cv_requests_per_day", 100);
    let id = tx(conn, |conn| {
        // each request sends an e-mail and an SMS to a citizen: a company sends a bounded number a day
        let today = conn.execute("SELECT count(*) AS n FROM cv_requests WHERE company_id = ? AND created_at > ?", &[int(company.company_id), int(now - 86_400)])?.scalar("n")?;
        if today >= per_day {
            eprintln!("cv: company {} reached {per_day} requests in 24 hours", company.company_id);
            return Err(ApiError::new(
                429,
                "request_limit",
                format!("La tua azienda ha già inviato {per_day} richieste di visione nelle ultime 24 ore: riprova più tardi."),
            ));
        }
        let rows = conn.execute("INSERT INTO cv_requests (cv_id, cv_handle, cv_description, owner_id, company_id, requested_by, position, token_hash, token_expires_at, created_at)
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
                now,
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
                now,
            )?;
        }
        Ok(id)
    })?;
    eprintln!("cv: company {} (person {}) asked to see cv {cv_id}: request {id}", company.company_id, s.person_id);
    Reply::json(
        201,
        &NewCvRequest { id, date: iso_utc(now), position, cv: handle.to_string(), status: "RICHIESTA", status_code: "requested", candidate: None },
    )
}
