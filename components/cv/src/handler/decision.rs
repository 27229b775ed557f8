//! C3: the no-login decision link (`GET|POST /api/cv-requests/decision`), and the
//! decision itself (also taken in the portal, see [`super::requests`]).

use common::sql::Db;
use common::{ApiError, Reply, Req};
use serde::Deserialize;

use super::{event, int, opt_int, text, tx};
use crate::link::{self, LinkState};

/// A page of the link: the message template, never cached, never sent on as a referrer.
fn html(status: u16, title: &str, content: &str) -> Reply {
    let mut r = common::page::message(status, title, content);
    r.headers.retain(|(k, _)| *k != "cache-control");
    r.headers.push(("cache-control", "no-store".into()));
    // the token is in the URL: never send it on as a referrer
    r.headers.push(("referrer-policy", "no-referrer".into()));
    r
}

/// A refusal on the link's routes, as a page (for a browser).
pub(super) fn error_page(e: &ApiError) -> Reply {
    let (status, title, content) = link::error_page(e);
    html(status, title, &content)
}

fn link_page(st: &LinkState, token: &str, now: i64) -> Reply {
    html(200, link::TITLE, &link::page(st, token, now))
}

fn link_state(conn: &dyn Db, hash: &str) -> Result<Option<LinkState>, ApiError> {
    let rows = conn.execute("SELECT r.id, r.status, r.token_expires_at, r.decided_at, r.position, r.created_at, c.name AS company, p.name, p.family_name
           FROM cv_requests r JOIN companies c ON c.id = r.company_id JOIN people p ON p.id = r.owner_id WHERE r.token_hash = ?",
        &[text(hash)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    Ok(Some(LinkState {
        id: r.int("id")?,
        status: r.text("status")?,
        expires_at: r.int("token_expires_at")?,
        decided_at: r.get::<i64>("decided_at"),
        company: r.text("company")?,
        position: r.text("position")?,
        owner_name: format!("{} {}", r.text("name")?, r.text("family_name")?).to_uppercase(),
        created_at: r.int("created_at")?,
    }))
}

/// Records a decision once (a conditional UPDATE): `status` accepted | refused. With
/// `expires_check` (the link), an expired token is refused. 409 when already decided.
pub(super) fn decide(req: &Req, conn: &dyn Db, hash: &str, status: &str, via: &str, expires_check: Option<i64>) -> Result<i64, ApiError> {
    let now = req.now;
    let decided = tx(conn, |conn| {
        let rows = conn.execute("UPDATE cv_requests SET status = ?, decided_at = ?, decided_via = ?
              WHERE token_hash = ? AND status = 'requested' AND (?5 IS NULL OR token_expires_at >= ?5)
             RETURNING id, cv_id, position, company_id",
            &[text(status), int(now), text(via), text(hash), opt_int(expires_check)],
        )?;
        let Some(r) = rows.rows().next() else { return Ok(None) };
        let id = r.int("id")?;
        if let (Some(cv_id), "accepted") = (r.get::<i64>("cv_id"), status) {
            let company = conn.execute("SELECT name FROM companies WHERE id = ?", &[int(r.int("company_id")?)])?;
            let name = company.rows().next().and_then(|c| c.get::<&str>("name").map(str::to_owned)).unwrap_or_default();
            // a use of the CV in a job search: the retention period starts again
            event(conn, cv_id, "utilizzo", &format!("Richiesta visione CV {} per il profilo {} autorizzata", name, r.text("position")?), now)?;
            conn.execute("UPDATE cvs SET last_activity_at = ?, retention_notice_at = NULL WHERE id = ?", &[int(now), int(cv_id)])?;
        }
        Ok(Some(id))
    })?;
    if let Some(id) = decided {
        eprintln!("cv: request {id} {status} ({via})");
        return Ok(id);
    }
    match link_state(conn, hash)? {
        None => Err(link::invalid()),
        Some(st) if st.status != "requested" => Err(link::already_decided(&st.status, st.decided_at)),
        Some(_) => Err(link::expired()),
    }
}

/// `GET /api/cv-requests/decision?token=`: the e-mail/SMS link, no login. It changes
/// nothing (mail scanners open links): the request and, while undecided, the two
/// buttons (a form POST); once decided, the decision. JSON with `Accept: application/json`.
pub(super) fn page(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let q = req.query()?;
    let token = q.get("token").unwrap_or("");
    let hash = crate::token_hash(token).ok_or_else(link::invalid)?;
    let st = link_state(conn, &hash)?.ok_or_else(link::invalid)?;
    let now = req.now;
    if req.wants_json() { Reply::json(200, &link::json(&st, now)) } else { Ok(link_page(&st, token, now)) }
}

/// The decision page's form (or JSON): the link's token and the button pressed.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvDecisionIn))]
#[serde(deny_unknown_fields)]
pub struct DecideIn {
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 200))]
    token: Option<String>,
    /// `accept` or `refuse` (also the buttons' words `autorizza`, `rifiuta`)
    #[cfg_attr(feature = "openapi", schema(nullable = false, pattern = "^(accept|refuse|autorizza|rifiuta)$"))]
    decision: Option<String>,
}

/// `POST /api/cv-requests/decision`: form `token`, `decision` (the page's buttons) or
/// JSON `{token, decision}`; no session needed. Single use.
pub(super) fn decide_by_link(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let input: DecideIn = if req.is_json() {
        req.json()?
    } else {
        let f = req.form()?;
        DecideIn { token: f.get("token").map(str::to_owned), decision: f.get("decision").map(str::to_owned) }
    };
    let token = input.token.unwrap_or_default();
    let hash = crate::token_hash(token.trim()).ok_or_else(link::invalid)?;
    let status = input
        .decision
        .as_deref()
        .and_then(crate::decision)
        .ok_or_else(|| ApiError::invalid_field("decision", "invalid_choice", "Scegli «Autorizza» o «Rifiuta»."))?;
    let now = req.now;
    decide(req, conn, &hash, status, "link", Some(now))?;
    let st = link_state(conn, &hash)?.ok_or_else(link::invalid)?;
    if req.is_json() { Reply::json(200, &link::json(&st, now)) } else { Ok(link_page(&st, token.trim(), now)) }
}

