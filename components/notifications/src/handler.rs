//! The Spin handler: reads variables and the request, runs the logic of
//! [`crate::delivery`] and [`crate::mailbox`] against SQLite and the gateway.

use common::outbox::Channel;
use common::{ApiError, Reply, db};
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, Value};

use crate::delivery::{self, Claimed, Config, Outcome, Report};
use crate::mailbox::{self, Filter, MailItem};
use crate::{Route, check_job_auth, dev_mailbox_enabled};

/// Largest body of a mailbox send request.
const MAX_SEND_BODY: usize = 16 * 1024;

fn var(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok()
}

fn config() -> Result<Config, ApiError> {
    Config::from_vars(var).map_err(|e| {
        eprintln!("notifications: configuration error: {}", e.0);
        ApiError::new(503, "gateway_misconfigured", "Il servizio di invio delle notifiche non è configurato correttamente.")
    })
}

fn html(status: u16, title: &str, content: &str) -> Reply {
    common::spin::message_page(status, title, content)
}

// --- delivery -------------------------------------------------------------------

async fn deliver(req: &Request) -> Result<Reply, ApiError> {
    check_job_auth(&var("jobs_secret").unwrap_or_default(), common::spin::header(req, "authorization"))?;
    let cfg = config()?;
    let conn = db::open()?;
    let now = common::rome::unix_now();
    let mut report = Report { gateway_configured: cfg.gateway_url.is_some(), ..Report::default() };
    report.purged = db::query(&conn, delivery::PURGE_SQL, &[Value::Integer(now - cfg.retention_days * 86_400)])?.rows().count() as i64;
    if let Some(url) = &cfg.gateway_url {
        let token = common::session::random_token()?;
        let claimed = claim(&conn, &token, now, cfg.batch_size)?;
        report.claimed = claimed.len() as u32;
        for msg in &claimed {
            let outcome = send(url, &cfg.gateway_token, msg).await;
            let update = delivery::next_state(msg.attempts, &outcome, common::rome::unix_now(), &cfg);
            match update.status {
                "sent" => report.sent += 1,
                "dead" => report.dead += 1,
                _ => report.retrying += 1,
            }
            if update.status != "sent" {
                eprintln!(
                    "notifications: message {} ({}) attempt {} failed: {}; now {}",
                    msg.id,
                    msg.template,
                    update.attempts,
                    update.last_error.as_deref().unwrap_or(""),
                    update.status
                );
            }
            finish(&conn, msg.id, &token, &update)?;
        }
    }
    report.pending = db::scalar_i64(&db::query(&conn, delivery::PENDING_SQL, &[])?, "n")?;
    report.summarise();
    Reply::json(200, &report)
}

fn claim(conn: &Connection, token: &str, now: i64, batch: u32) -> Result<Vec<Claimed>, ApiError> {
    let params = [
        Value::Integer(now + delivery::LEASE_SECONDS),
        Value::Text(token.to_string()),
        Value::Integer(now),
        Value::Integer(i64::from(batch)),
    ];
    let rows = db::query(conn, delivery::CLAIM_SQL, &params)?;
    let mut out = rows
        .rows()
        .map(|r| {
            Ok(Claimed {
                id: db::int(&r, "id")?,
                channel: db::text(&r, "channel")?,
                recipient: db::text(&r, "recipient")?,
                template: db::text(&r, "template")?,
                subject: db::text(&r, "subject")?,
                body: db::text(&r, "body")?,
                attempts: db::int(&r, "attempts")?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    out.sort_by_key(|m| m.id);
    Ok(out)
}

async fn send(url: &str, token: &str, msg: &Claimed) -> Outcome {
    let body = match serde_json::to_vec(&msg.gateway_message()) {
        Ok(b) => b,
        Err(e) => return Outcome::Transient(format!("cannot encode the message: {e}")),
    };
    let mut builder = Request::builder();
    builder
        .method(Method::Post)
        .uri(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("accept", "application/json")
        .header("idempotency-key", msg.idempotency_key())
        .header("content-length", body.len().to_string());
    if !token.is_empty() {
        builder.header("authorization", format!("Bearer {token}"));
    }
    let request = builder.body(body).build();
    match spin_sdk::http::send::<_, Response>(request).await {
        Ok(resp) => delivery::classify(*resp.status(), resp.body()),
        Err(e) => Outcome::Transient(format!("no answer from the gateway: {e}")),
    }
}

fn finish(conn: &Connection, id: i64, token: &str, u: &delivery::Update) -> Result<(), ApiError> {
    let params = [
        Value::Text(u.status.to_string()),
        Value::Integer(u.attempts),
        Value::Integer(u.next_attempt_at),
        u.last_error.clone().map(Value::Text).unwrap_or(Value::Null),
        u.sent_at.map(Value::Integer).unwrap_or(Value::Null),
        Value::Integer(id),
        Value::Text(token.to_string()),
    ];
    if db::query(conn, delivery::FINISH_SQL, &params)?.rows().count() == 0 {
        eprintln!("notifications: message {id} was taken over by another run (lease expired); its result was not recorded");
    }
    Ok(())
}

// --- development mailbox ----------------------------------------------------------

const LIST_SQL: &str = "SELECT id, channel, recipient, template, params, subject, body, status, attempts, last_error, person_id, \
     created_at, next_attempt_at, sent_at FROM outbox WHERE (?1 IS NULL OR recipient = ?1) ORDER BY id DESC LIMIT ?2";

fn list(filter: &Filter) -> Result<Vec<MailItem>, ApiError> {
    let conn = db::open()?;
    let recipient = filter.recipient.clone().map(Value::Text).unwrap_or(Value::Null);
    let rows = db::query(&conn, LIST_SQL, &[recipient, Value::Integer(i64::from(filter.limit))])?;
    rows.rows()
        .map(|r| {
            let body = db::text(&r, "body")?;
            Ok(MailItem {
                id: db::int(&r, "id")?,
                channel: db::text(&r, "channel")?,
                recipient: db::text(&r, "recipient")?,
                template: db::text(&r, "template")?,
                params: serde_json::from_str(&db::text(&r, "params")?).unwrap_or(serde_json::Value::Null),
                subject: db::text(&r, "subject")?,
                links: mailbox::links(&body),
                body,
                status: db::text(&r, "status")?,
                attempts: db::int(&r, "attempts")?,
                last_error: db::opt_text(&r, "last_error"),
                person_id: r.get::<i64>("person_id"),
                created_at: mailbox::iso(db::int(&r, "created_at")?),
                next_attempt_at: mailbox::iso(db::int(&r, "next_attempt_at")?),
                sent_at: r.get::<i64>("sent_at").map(mailbox::iso),
            })
        })
        .collect()
}

fn gateway_configured() -> bool {
    config().map(|c| c.gateway_url.is_some()).unwrap_or(false)
}

fn mailbox_page(req: &Request) -> Result<Reply, ApiError> {
    let filter = Filter::from_query(req.query())?;
    let items = list(&filter)?;
    let content = mailbox::page(&items, &filter, &var("base_url").unwrap_or_default(), gateway_configured());
    Ok(html(200, "Casella di posta di sviluppo", &content))
}

fn mailbox_list(req: &Request) -> Result<Reply, ApiError> {
    let filter = Filter::from_query(req.query())?;
    let items = list(&filter)?;
    Reply::json(200, &serde_json::json!({ "items": items, "gateway_configured": gateway_configured() }))
}

fn mailbox_send(req: &Request) -> Result<Reply, ApiError> {
    if req.body().len() > MAX_SEND_BODY {
        return Err(ApiError::payload_too_large(MAX_SEND_BODY));
    }
    let msg = mailbox::send_request(req.body())?;
    let id = common::outbox::enqueue(&db::open()?, &msg)?;
    let channel = if msg.channel == Channel::Sms { "sms" } else { "email" };
    Reply::json(201, &serde_json::json!({ "id": id, "channel": channel, "recipient": msg.recipient }))
}

#[http_component]
async fn handle(req: Request) -> Response {
    let method = req.method().to_string();
    let path = req.path().to_string();
    // a disabled mailbox does not exist, whatever the method
    let mailbox_path = path.starts_with("/dev/mailbox") || path.starts_with("/api/dev/mailbox");
    let reply = if mailbox_path && !dev_mailbox_enabled(var("dev_mailbox").as_deref()) {
        Err(ApiError::not_found())
    } else {
        match crate::route(&method, &path) {
            Ok(Route::Deliver) => deliver(&req).await,
            Ok(Route::MailboxPage) => mailbox_page(&req),
            Ok(Route::MailboxList) => mailbox_list(&req),
            Ok(Route::MailboxSend) => mailbox_send(&req),
            Err(e) => Err(e),
        }
    };
    reply
        .unwrap_or_else(|e| {
            if path.trim_end_matches('/') == "/dev/mailbox" && e.status < 500 {
                let title = if e.status == 404 { "Pagina non trovata" } else { "Richiesta non valida" };
                html(e.status, title, &format!("<h1>{}</h1><p>{}</p>", html_escape::encode_text(title), html_escape::encode_text(&e.message)))
            } else {
                Reply::from(e)
            }
        })
        .into()
}
