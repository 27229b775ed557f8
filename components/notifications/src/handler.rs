//! The Spin handler: reads variables and the request, runs the logic of
//! [`crate::delivery`] against SQLite and the gateway.

use common::sql::{Db, Value};
use common::{ApiError, Reply, Req, params};
use spin_sdk::http::{IncomingRequest, Method, Request, Response, ResponseOutparam};

use crate::check_job_auth;
use crate::delivery::{self, Claimed, Config, Outcome, Report};

fn config(req: &Req) -> Result<Config, ApiError> {
    Config::from_vars(|name| req.var(name)).map_err(|e| {
        eprintln!("notifications: configuration error: {}", e.0);
        ApiError::new(503, "gateway_misconfigured", "Il servizio di invio delle notifiche non è configurato correttamente.")
    })
}

async fn deliver(req: &Req) -> Result<Reply, ApiError> {
    crate::route(&req.method, &req.path)?;
    check_job_auth(&req.var("jobs_secret").unwrap_or_default(), req.header("authorization"))?;
    let cfg = config(req)?;
    let db = common::sql::open()?;
    let now = common::rome::unix_now();
    let mut report = Report { gateway_configured: cfg.gateway_url.is_some(), ..Report::default() };
    report.purged = db.execute(delivery::PURGE_SQL, params![now - cfg.retention_days * 86_400])?.len() as i64;
    if let Some(url) = &cfg.gateway_url {
        let token = common::token::random_token()?;
        let claimed = claim(&db, &token, now, cfg.batch_size)?;
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
            finish(&db, msg.id, &token, &update)?;
        }
    }
    report.pending = db.execute(delivery::PENDING_SQL, &[])?.scalar("n")?;
    report.summarise();
    Reply::json(200, &report)
}

fn claim(db: &dyn Db, token: &str, now: i64, batch: u32) -> Result<Vec<Claimed>, ApiError> {
    let rows = db.execute(delivery::CLAIM_SQL, params![now + delivery::LEASE_SECONDS, token, now, batch])?;
    let mut out = rows.map(|r| {
        Ok(Claimed {
            id: r.int("id")?,
            channel: r.text("channel")?,
            recipient: r.text("recipient")?,
            template: r.text("template")?,
            subject: r.text("subject")?,
            body: r.text("body")?,
            attempts: r.int("attempts")?,
            headers: match r.opt_text("headers") {
                Some(json) => serde_json::from_str(&json).map_err(ApiError::internal)?,
                None => Default::default(),
            },
        })
    })?;
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

fn finish(db: &dyn Db, id: i64, token: &str, u: &delivery::Update) -> Result<(), ApiError> {
    let params = [
        Value::from(u.status),
        Value::from(u.attempts),
        Value::from(u.next_attempt_at),
        Value::from(u.last_error.clone()),
        Value::from(u.sent_at),
        Value::from(id),
        Value::from(token),
    ];
    if db.execute(delivery::FINISH_SQL, &params)?.is_empty() {
        eprintln!("notifications: message {id} was taken over by another run (lease expired); its result was not recorded");
    }
    Ok(())
}

#[spin_sdk::http_component]
async fn serve(incoming: IncomingRequest, out: ResponseOutparam) {
    common::http::serve(incoming, out, |m, _| common::http::BodyLimit::for_method(m), |req| async move {
        deliver(&req).await.unwrap_or_else(Reply::from)
    })
    .await
}
