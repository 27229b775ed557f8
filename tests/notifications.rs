//! Notifications end to end: messages queued through common::outbox (the development
//! mailbox's send endpoint), delivered by the job to a fake gateway that fails on
//! purpose, with retries, backoff, dead letters and success; the job's credentials;
//! the development mailbox on and off.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use e2e::{App, Start, get};
use serde_json::{Value, json};

const SECRET: &str = "test-jobs-secret-0123456789abcdefghij";
const GATEWAY_TOKEN: &str = "gateway-token-xyz";

/// One request the fake gateway received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HashMap<String, String>,
    json: Value,
}

/// A tiny HTTP gateway on a loopback port: `answer(message, nth attempt of this
/// message id)` picks each status; every request is recorded.
struct Gateway {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Gateway {
    fn start(delay: Duration, answer: fn(&Value, usize) -> u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let Some(req) = read_request(&mut reader) else { return };
                    let nth = {
                        let mut log = log.lock().unwrap();
                        log.push(req.clone());
                        log.iter().filter(|r| r.json["id"] == req.json["id"]).count()
                    };
                    std::thread::sleep(delay);
                    let status = answer(&req.json, nth);
                    let body = format!("{{\"status\":{status}}}");
                    let mut stream = stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Self { port, received }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn attempts_for(&self, to: &str) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.json["to"] == to).collect()
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<Received> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    let mut body = Vec::new();
    if let Some(n) = headers.get("content-length").and_then(|n| n.parse::<usize>().ok()) {
        body.resize(n, 0);
        reader.read_exact(&mut body).ok()?;
    } else if headers.get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Some(Received { path, headers, json: serde_json::from_slice(&body).unwrap_or(Value::Null) })
}

/// A request with a JSON body; the status and the JSON answer.
fn post(url: &str, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
    let mut r = e2e::agent().post(url);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let mut resp = r.header("content-type", "application/json").send(body.to_string()).expect("HTTP request succeeds");
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text)))
}

fn deliver(app: &App) -> Value {
    let (status, report) = post(&app.url("/jobs/notifications/deliver"), &[("authorization", &format!("Bearer {SECRET}"))], &json!({}));
    assert_eq!(status, 200, "{report}\n{}", app.log_text());
    report
}

fn enqueue(app: &App, channel: &str, recipient: &str, template: &str, params: Value) -> i64 {
    let body = json!({"channel": channel, "recipient": recipient, "template": template, "params": params});
    let (status, reply) = post(&app.url("/api/dev/mailbox/send"), &[], &body);
    assert_eq!(status, 201, "{reply}\n{}", app.log_text());
    reply["id"].as_i64().unwrap()
}

fn activation(app: &App, recipient: &str) -> i64 {
    let link = app.url("/registrati/attiva?token=abc123");
    enqueue(app, "email", recipient, "activation", json!({"name": "Maria", "link": link, "hours": "48"}))
}

/// The mailbox's messages, newest first (optionally for one recipient).
fn mailbox(app: &App, recipient: Option<&str>) -> Vec<Value> {
    let q = recipient.map(|r| format!("?recipient={}", percent(r))).unwrap_or_default();
    let v = get(&app.url(&format!("/api/dev/mailbox{q}"))).json_checked();
    v["items"].as_array().unwrap().clone()
}

fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn one(app: &App, recipient: &str) -> Value {
    let items = mailbox(app, Some(recipient));
    assert_eq!(items.len(), 1, "{items:?}");
    items[0].clone()
}

fn counts(r: &Value) -> (u64, u64, u64, u64, u64) {
    let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
    (n("claimed"), n("sent"), n("retrying"), n("dead"), n("pending"))
}

fn with_gateway<'a>(start: Start<'a>, gateway: &Gateway, extra: &[&str]) -> Start<'a> {
    let mut s = start
        .arg("--variable")
        .arg(format!("jobs_secret={SECRET}"))
        .arg("--variable")
        .arg(format!("notification_gateway_origin={}", gateway.origin()))
        .arg("--variable")
        .arg(format!("notification_gateway_url={}/v1/messages", gateway.origin()))
        .arg("--variable")
        .arg(format!("notification_gateway_token={GATEWAY_TOKEN}"));
    for e in extra {
        s = s.arg("--variable").arg(*e);
    }
    s
}

/// The fake gateway's rule: by recipient.
fn by_recipient(msg: &Value, nth: usize) -> u16 {
    match msg["to"].as_str().unwrap_or("") {
        "twice@example.org" if nth <= 2 => 500,
        "always@example.org" => 503,
        "refused@example.org" => 422,
        _ => 200,
    }
}

#[test]
fn delivery_with_retries_dead_letters_and_success() {
    let gateway = Gateway::start(Duration::ZERO, by_recipient);
    let state = tempfile::tempdir().unwrap();
    let app = with_gateway(Start::portal(state.path()), &gateway, &["notification_max_attempts=3", "notification_backoff_seconds=0"]).start();

    let ok = activation(&app, "ok@example.org");
    activation(&app, "twice@example.org");
    activation(&app, "always@example.org");
    activation(&app, "refused@example.org");
    let sms = enqueue(&app, "sms", "+393331234567", "otp", json!({"code": "482913", "minutes": "10"}));
    assert!(mailbox(&app, None).iter().all(|m| m["status"] == "pending" && m["attempts"] == 0));

    // run 1: ok and the SMS go, twice and always fail (retry), refused is refused for good
    let r = deliver(&app);
    assert_eq!(counts(&r), (5, 2, 2, 1, 2), "{r}");
    assert_eq!(r["gateway_configured"], true);
    assert_eq!(one(&app, "ok@example.org")["status"], "sent");
    let refused = one(&app, "refused@example.org");
    assert_eq!((refused["status"].as_str(), refused["attempts"].as_i64()), (Some("dead"), Some(1)));
    assert!(refused["last_error"].as_str().unwrap().contains("422"), "{refused}");
    let twice = one(&app, "twice@example.org");
    assert_eq!((twice["status"].as_str(), twice["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert!(twice["last_error"].as_str().unwrap().contains("500"), "{twice}");

    // run 2: both fail again; run 3: twice goes through, always reaches the limit (3)
    assert_eq!(counts(&deliver(&app)), (2, 0, 2, 0, 2));
    assert_eq!(counts(&deliver(&app)), (2, 1, 0, 1, 0));
    let twice = one(&app, "twice@example.org");
    assert_eq!((twice["status"].as_str(), twice["attempts"].as_i64()), (Some("sent"), Some(3)));
    assert!(twice["sent_at"].is_string());
    let always = one(&app, "always@example.org");
    assert_eq!((always["status"].as_str(), always["attempts"].as_i64()), (Some("dead"), Some(3)));
    assert!(always["last_error"].as_str().unwrap().contains("503"), "{always}");
    // nothing left: idempotent
    assert_eq!(counts(&deliver(&app)), (0, 0, 0, 0, 0));

    // what the gateway got: one JSON per attempt, the same id across retries
    assert_eq!(gateway.attempts_for("ok@example.org").len(), 1);
    assert_eq!(gateway.attempts_for("refused@example.org").len(), 1);
    assert_eq!(gateway.attempts_for("always@example.org").len(), 3);
    let tries = gateway.attempts_for("twice@example.org");
    assert_eq!(tries.iter().map(|r| r.json["attempt"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(tries.iter().all(|r| r.json["id"] == tries[0].json["id"]));
    let sent = &gateway.attempts_for("ok@example.org")[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.headers.get("authorization").map(String::as_str), Some(&*format!("Bearer {GATEWAY_TOKEN}")));
    assert_eq!(sent.headers.get("idempotency-key").map(String::as_str), Some(&*format!("toscana-lavoro-outbox-{ok}")));
    assert!(sent.headers.get("content-type").unwrap().starts_with("application/json"));
    assert_eq!(sent.json["id"], format!("toscana-lavoro-outbox-{ok}"));
    assert_eq!(sent.json["channel"], "email");
    assert_eq!(sent.json["template"], "activation");
    assert_eq!(sent.json["subject"], "Attiva il tuo profilo su Toscana Lavoro");
    let body = sent.json["body"].as_str().unwrap();
    assert!(body.starts_with("Gentile Maria,") && body.contains(&app.url("/registrati/attiva?token=abc123")), "{body}");
    let sms_sent = &gateway.attempts_for("+393331234567")[0];
    assert_eq!(sms_sent.json["channel"], "sms");
    assert!(sms_sent.json.get("subject").is_none());
    assert!(sms_sent.json["body"].as_str().unwrap().contains("è 482913. Scade tra 10 minuti"), "{}", sms_sent.json);
    assert_eq!(sms_sent.json["id"], format!("toscana-lavoro-outbox-{sms}"));
}

#[test]
fn a_failed_message_waits_for_its_backoff() {
    let gateway = Gateway::start(Duration::ZERO, by_recipient);
    let state = tempfile::tempdir().unwrap();
    // the default backoff: 60 s after the first failure
    let app = with_gateway(Start::portal(state.path()), &gateway, &[]).start();
    activation(&app, "twice@example.org");
    assert_eq!(counts(&deliver(&app)), (1, 0, 1, 0, 1));
    let m = one(&app, "twice@example.org");
    let at = |k: &str| time_of(m[k].as_str().unwrap());
    assert_eq!(time_of("2026-03-01T00:00:00Z") - time_of("2026-02-28T23:59:00Z"), 60);
    let wait = at("next_attempt_at") - at("created_at");
    assert!((60..=65).contains(&wait), "next attempt {wait} s after creation: {m}");
    // not due yet: the next run leaves it alone
    assert_eq!(counts(&deliver(&app)), (0, 0, 0, 0, 1));
    assert_eq!(gateway.received().len(), 1);
}

/// Unix seconds of an ISO 8601 UTC time (`2026-11-23T10:15:02Z`).
fn time_of(iso: &str) -> i64 {
    let n = |a: usize, b: usize| iso[a..b].parse::<i64>().unwrap();
    // days from civil (H. Hinnant's algorithm)
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

#[test]
fn concurrent_runs_send_each_message_once() {
    let gateway = Gateway::start(Duration::from_millis(150), |_, _| 200);
    let state = tempfile::tempdir().unwrap();
    let app = Arc::new(with_gateway(Start::portal(state.path()), &gateway, &["notification_batch_size=3"]).start());
    for i in 0..8 {
        activation(&app, &format!("persona{i}@example.org"));
    }
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let app = app.clone();
            std::thread::spawn(move || deliver(&app))
        })
        .collect();
    let reports: Vec<Value> = runs.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(reports.iter().all(|r| r["claimed"].as_u64().unwrap() <= 3), "bounded batches: {reports:?}");
    let mut sent: u64 = reports.iter().map(|r| r["sent"].as_u64().unwrap()).sum();
    // whatever the interleaving, a few more runs send the rest
    for _ in 0..4 {
        sent += deliver(&app)["sent"].as_u64().unwrap();
    }
    assert_eq!(sent, 8, "{reports:?}");
    let mut ids: Vec<String> = gateway.received().iter().map(|r| r.json["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!((before, ids.len()), (8, 8), "each message exactly once");
    assert!(mailbox(&app, None).iter().all(|m| m["status"] == "sent"));
}

#[test]
fn without_a_gateway_messages_wait_in_the_mailbox() {
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).arg("--variable").arg(format!("jobs_secret={SECRET}")).start();
    activation(&app, "maria@example.org");
    let r = deliver(&app);
    assert_eq!((r["gateway_configured"].as_bool(), r["pending"].as_u64(), r["claimed"].as_u64()), (Some(false), Some(1), Some(0)));
    assert!(r["message"].as_str().unwrap().starts_with("Nessun gateway configurato"), "{r}");
    let m = one(&app, "maria@example.org");
    assert_eq!((m["status"].as_str(), m["attempts"].as_i64()), (Some("pending"), Some(0)));
    let link = app.url("/registrati/attiva?token=abc123");
    assert_eq!(m["links"], json!([link]));
    assert_eq!(m["params"]["name"], "Maria");

    // the page: Italian, the link clickable (it is ours), values escaped
    enqueue(&app, "email", "x@example.org", "otp", json!({"name": "<script>alert(1)</script>", "code": "1", "minutes": "5"}));
    let page = get(&app.url("/dev/mailbox"));
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    assert!(page.header("content-security-policy").is_some());
    assert!(page.body.contains("Casella di posta di sviluppo") && page.body.contains("non inviato: nessun gateway configurato"));
    assert!(page.body.contains(&format!("<a href=\"{}\">", link.replace('&', "&amp;"))), "{}", page.body);
    assert!(!page.body.contains("<script>alert(1)"), "escaped");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let filtered = get(&app.url("/dev/mailbox?recipient=x%40example.org"));
    assert!(filtered.body.contains("1 messaggio") && !filtered.body.contains("maria@example.org"), "{}", filtered.body);

    // bad requests to the mailbox
    let (status, e) = post(&app.url("/api/dev/mailbox/send"), &[], &json!({"channel": "sms", "recipient": "+393331234567", "template": "otp"}));
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("invalid_message")), "{e}");
    let (status, e) = post(&app.url("/api/dev/mailbox/send"), &[], &json!({"channel": "email", "recipient": "nope", "template": "otp"}));
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("invalid_recipient")), "{e}");
    assert_eq!(get(&app.url("/api/dev/mailbox?limit=0")).status, 400);
}

#[test]
fn the_job_needs_its_secret_and_production_has_no_mailbox() {
    let state = tempfile::tempdir().unwrap();
    let url_only = "notification_gateway_url=http://127.0.0.1:9/v1/messages";
    let app = Start::portal(state.path()).arg("--variable").arg(format!("jobs_secret={SECRET}")).arg("--variable").arg(url_only).start();
    let job = app.url("/jobs/notifications/deliver");
    let check = |headers: &[(&str, &str)], status: u16, code: &str| {
        let (s, e) = post(&job, headers, &json!({}));
        assert_eq!((s, e["error"]["code"].as_str()), (status, Some(code)), "{e}");
        assert!(!e["error"]["message"].as_str().unwrap().is_empty());
    };
    check(&[], 401, "unauthenticated");
    check(&[("authorization", "Bearer wrong")], 403, "forbidden");
    check(&[("authorization", SECRET)], 401, "unauthenticated");
    // the right secret, but the gateway URL is not under the allowed origin
    check(&[("authorization", &format!("Bearer {SECRET}"))], 503, "gateway_misconfigured");
    assert!(app.log_text().contains("is not under notification_gateway_origin"), "{}", app.log_text());
    assert_eq!(get(&job).status, 405);
    drop(app);

    // no secret configured: the job is off
    let app = Start::portal(state.path()).start();
    let (s, e) = post(&app.url("/jobs/notifications/deliver"), &[("authorization", "Bearer ")], &json!({}));
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("job_not_configured")), "{e}");
    drop(app);

    // the production manifest: no mailbox, no demo IdP, whatever the method
    let prod = e2e::production(state.path()).start();
    let page = get(&prod.url("/dev/mailbox"));
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Pagina non trovata"));
    let api = get(&prod.url("/api/dev/mailbox"));
    assert_eq!((api.status, api.json()["error"]["code"].as_str()), (404, Some("not_found")));
    let (status, e) = post(&prod.url("/api/dev/mailbox/send"), &[], &json!({"channel": "sms", "recipient": "+393331234567", "template": "otp"}));
    assert_eq!((status, e["error"]["code"].as_str()), (404, Some("not_found")));
    assert_eq!(get(&prod.url("/test-idp/spid/sso")).status, 404);
    // the test clock does not exist there either: a job cannot be told another time
    let (s, e) = post(&prod.url("/jobs/cleanup"), &[("authorization", "Bearer x")], &json!({}));
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("job_not_configured")));
}
