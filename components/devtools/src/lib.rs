//! `devtools`: what a developer and the tests need on a local portal, routed only by
//! the development manifest `spin.dev.toml` (never by `spin.toml`; `tests/manifests.rs`
//! checks it):
//!
//! - `GET /dev/mailbox` (HTML) and `GET /api/dev/mailbox?recipient=&limit=` (JSON): the
//!   newest messages of the outbox, with their links and codes, since no gateway
//!   delivers them locally;
//! - `POST /api/dev/mailbox/send`: queues a message (template, recipient, parameters).
//!
//! It reads the `outbox` and only inserts into it through `outbox::enqueue`.

pub mod mailbox;

use common::sql::Db;
use common::{ApiError, Reply, Req, params};
use mailbox::{Filter, MailItem};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    MailboxPage,
    MailboxList,
    MailboxSend,
}

/// Method and path to a route (routes are exact in `spin.dev.toml`).
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let (route, allowed): (Route, &[&str]) = match path.trim_end_matches('/') {
        "/dev/mailbox" => (Route::MailboxPage, &["GET", "HEAD"]),
        "/api/dev/mailbox" => (Route::MailboxList, &["GET", "HEAD"]),
        "/api/dev/mailbox/send" => (Route::MailboxSend, &["POST"]),
        _ => return Err(ApiError::not_found()),
    };
    if !allowed.contains(&method) {
        return Err(ApiError::method_not_allowed());
    }
    Ok(route)
}

const LIST_SQL: &str = "SELECT id, channel, recipient, template, params, subject, body, status, attempts, last_error, person_id, \
     created_at, next_attempt_at, sent_at, (SELECT h.headers FROM outbox_headers h WHERE h.outbox_id = outbox.id) AS headers FROM outbox WHERE (?1 IS NULL OR recipient = ?1) ORDER BY id DESC LIMIT ?2";

pub fn list(db: &dyn Db, filter: &Filter) -> Result<Vec<MailItem>, ApiError> {
    db.execute(LIST_SQL, params![filter.recipient.as_deref(), filter.limit])?.map(|r| {
        let body = r.text("body")?;
        Ok(MailItem {
            id: r.int("id")?,
            channel: r.text("channel")?,
            recipient: r.text("recipient")?,
            template: r.text("template")?,
            params: serde_json::from_str(r.str("params")?).unwrap_or(serde_json::Value::Null),
            subject: r.text("subject")?,
            links: mailbox::links(&body),
            body,
            status: r.text("status")?,
            attempts: r.int("attempts")?,
            last_error: r.opt_text("last_error"),
            person_id: r.opt_int("person_id"),
            created_at: mailbox::iso(r.int("created_at")?),
            next_attempt_at: mailbox::iso(r.int("next_attempt_at")?),
            sent_at: r.opt_int("sent_at").map(mailbox::iso),
            headers: r.opt_text("headers").and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_else(|| serde_json::json!({})),
        })
    })
}

fn gateway_configured(req: &Req) -> bool {
    req.var_text("notification_gateway_url").is_some()
}

/// The whole request.
pub fn handle(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    match route(&req.method, &req.path)? {
        Route::MailboxPage => {
            let filter = Filter::from_query(&req.query)?;
            let content = mailbox::page(&list(db, &filter)?, &filter, &req.var_text("base_url").unwrap_or_default(), gateway_configured(req));
            Ok(common::page::message(200, "Casella di posta di sviluppo", &content))
        }
        Route::MailboxList => {
            let filter = Filter::from_query(&req.query)?;
            Reply::json(200, &serde_json::json!({ "items": list(db, &filter)?, "gateway_configured": gateway_configured(req) }))
        }
        Route::MailboxSend => {
            if !req.is_json() {
                return Err(common::http::unsupported_media_type("application/json"));
            }
            let msg = mailbox::send_request(&req.body)?;
            if let Some(id) = msg.person_id {
                if db.execute("SELECT 1 AS x FROM people WHERE id = ?1", params![id])?.is_empty() {
                    return Err(ApiError::invalid_field("person_id", "not_found", format!("Nessuna persona ha l'identificativo {id}.")));
                }
            }
            let id = outbox::enqueue(db, &msg, req.now)?;
            Reply::json(201, &serde_json::json!({ "id": id, "channel": msg.channel.as_str(), "recipient": msg.recipient }))
        }
    }
}

/// Errors of the page are pages; of the API, JSON.
pub fn reply(req: &Req, result: Result<Reply, ApiError>) -> Reply {
    result.unwrap_or_else(|e| {
        if req.path.trim_end_matches('/') == "/dev/mailbox" && e.status < 500 {
            let title = if e.status == 404 { "Pagina non trovata" } else { "Richiesta non valida" };
            common::page::message(e.status, title, &format!("<h1>{}</h1><p>{}</p>", common::page::esc(title), common::page::esc(&e.message)))
        } else {
            Reply::from(e)
        }
    })
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve(incoming, out, |m, _| common::http::BodyLimit::for_method(m), |req| async move {
        let result = common::sql::open().and_then(|db| handle(&req, &db));
        reply(&req, result)
    })
    .await
}

#[cfg(test)]
mod tests {
    use common::sql::testing;

    use super::*;

    #[test]
    fn routes_and_methods() {
        assert_eq!(route("GET", "/dev/mailbox/").unwrap(), Route::MailboxPage);
        assert_eq!(route("GET", "/api/dev/mailbox").unwrap(), Route::MailboxList);
        assert_eq!(route("POST", "/api/dev/mailbox/send").unwrap(), Route::MailboxSend);
        assert_eq!(route("DELETE", "/api/dev/mailbox").unwrap_err().status, 405);
        assert_eq!(route("GET", "/api/dev/mailbox/1").unwrap_err().status, 404);
    }

    #[test]
    fn send_then_list_and_an_unknown_person_is_a_field_error() {
        let c = testing::migrated();
        let send = |body: serde_json::Value| handle(&Req::new("POST", "/api/dev/mailbox/send").json_body(&body), &c);
        let ok = send(serde_json::json!({"channel": "sms", "recipient": "+393331234567", "template": "otp", "params": {"code": "123456", "minutes": "10"}})).unwrap();
        assert_eq!(ok.status, 201);
        let e = send(serde_json::json!({"channel": "sms", "recipient": "+393331234567", "template": "otp", "params": {"code": "1", "minutes": "1"}, "person_id": 999})).unwrap_err();
        assert_eq!((e.status, e.fields[0].field.as_str()), (422, "person_id"));
        let plain = Req::new("POST", "/api/dev/mailbox/send").raw_body(&b"{}"[..]);
        assert_eq!(handle(&plain, &c).unwrap_err().status, 415);
        let list = handle(&Req::new("GET", "/api/dev/mailbox?recipient=%2B393331234567"), &c).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&list.body).unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        assert_eq!(v["items"][0]["params"]["code"], "123456");
        let page = reply(&Req::new("GET", "/dev/mailbox?limit=0"), handle(&Req::new("GET", "/dev/mailbox?limit=0"), &c));
        assert_eq!((page.status, page.header("content-type")), (400, Some("text/html; charset=utf-8")));
    }
}
