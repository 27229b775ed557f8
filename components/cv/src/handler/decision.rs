//! C3: the no-login decision link (`GET|POST /api/cv-requests/decision`), and the
//! decision itself (also taken in the portal, see [`super::requests`]).

use common::rome::unix_now;
use common::{ApiError, Query, Reply, db};
use serde::Deserialize;
use spin_sdk::http::Request;
use spin_sdk::sqlite::Connection;

use super::{event, int, is_json, json_body, opt_int, text, tx, wants_json};
use crate::link::{self, LinkState};

/// A page of the link: the message template, never cached, never sent on as a referrer.
fn html(status: u16, title: &str, content: &str) -> Reply {
    let mut r = common::spin::message_page(status, title, content);
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

fn link_state(conn: &Connection, hash: &str) -> Result<Option<LinkState>, ApiError> {
    let rows = db::query(
        conn,
        "SELECT r.id, r.status, r.token_expires_at, r.decided_at, r.position, r.created_at, c.name AS company, p.name, p.family_name
           FROM cv_requests r JOIN companies c ON c.id = r.company_id JOIN people p ON p.id = r.owner_id WHERE r.token_hash = ?",
        &[text(hash)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    Ok(Some(LinkState {
        id: db::int(&r, "id")?,
        status: db::text(&r, "status")?,
        expires_at: db::int(&r, "token_expires_at")?,
        decided_at: r.get::<i64>("decided_at"),
        company: db::text(&r, "company")?,
        position: db::text(&r, "position")?,
        owner_name: format!("{} {}", db::text(&r, "name")?, db::text(&r, "family_name")?).to_uppercase(),
        created_at: db::int(&r, "created_at")?,
    }))
}

/// Records a decision once (a conditional UPDATE): `status` accepted | refused. With
/// `expires_check` (the link), an expired token is refused. 409 when already decided.
pub(super) fn decide(conn: &Connection, hash: &str, status: &str, via: &str, expires_check: Option<i64>) -> Result<i64, ApiError> {
    let now = unix_now();
    let decided = tx(conn, |conn| {
        let rows = db::query(
            conn,
            "UPDATE cv_requests SET status = ?, decided_at = ?, decided_via = ?
              WHERE token_hash = ? AND status = 'requested' AND (?5 IS NULL OR token_expires_at >= ?5)
             RETURNING id, cv_id, position, company_id",
            &[text(status), int(now), text(via), text(hash), opt_int(expires_check)],
        )?;
        let Some(r) = rows.rows().next() else { return Ok(None) };
        let id = db::int(&r, "id")?;
        if let (Some(cv_id), "accepted") = (r.get::<i64>("cv_id"), status) {
            let company = db::query(conn, "SELECT name FROM companies WHERE id = ?", &[int(db::int(&r, "company_id")?)])?;
            let name = company.rows().next().and_then(|c| c.get::<&str>("name").map(str::to_owned)).unwrap_or_default();
            // a use of the CV in a job search: the retention period starts again
            event(conn, cv_id, "utilizzo", &format!("Richiesta visione CV {} per il profilo {} autorizzata", name, db::text(&r, "position")?), now)?;
            db::query(conn, "UPDATE cvs SET last_activity_at = ?, retention_notice_at = NULL WHERE id = ?", &[int(now), int(cv_id)])?;
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
pub(super) fn page(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let q = Query::parse(req.query())?;
    let token = q.get("token").unwrap_or("");
    let hash = crate::token_hash(token).ok_or_else(link::invalid)?;
    let st = link_state(conn, &hash)?.ok_or_else(link::invalid)?;
    let now = unix_now();
    if wants_json(req) { Reply::json(200, &link::json(&st, now)) } else { Ok(link_page(&st, token, now)) }
}

#[derive(Debug, Default, Deserialize)]
struct DecideIn {
    token: Option<String>,
    decision: Option<String>,
}

/// `POST /api/cv-requests/decision`: form `token`, `decision` (the page's buttons) or
/// JSON `{token, decision}`; no session needed. Single use.
pub(super) fn decide_by_link(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let input: DecideIn = if is_json(req) {
        json_body(req.body())?
    } else {
        let f = Query::parse_form(&String::from_utf8_lossy(req.body()));
        DecideIn { token: f.get("token").map(str::to_owned), decision: f.get("decision").map(str::to_owned) }
    };
    let token = input.token.unwrap_or_default();
    let hash = crate::token_hash(token.trim()).ok_or_else(link::invalid)?;
    let status = input
        .decision
        .as_deref()
        .and_then(crate::decision)
        .ok_or_else(|| ApiError::invalid_field("decision", "invalid_choice", "Scegli «Autorizza» o «Rifiuta»."))?;
    let now = unix_now();
    decide(conn, &hash, status, "link", Some(now))?;
    let st = link_state(conn, &hash)?.ok_or_else(link::invalid)?;
    if is_json(req) { Reply::json(200, &link::json(&st, now)) } else { Ok(link_page(&st, token.trim(), now)) }
}

