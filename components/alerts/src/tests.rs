//! Saved searches and the alert job natively through [`super::handle`], against the real
//! migrations: save, list, rename, change frequency, delete; another person refused;
//! the limit; the job once per period with only the new offers; unsubscribe without
//! login; the headers of the queued message.

use access::testing::{db as base_db, req, sign_in};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::handle;

/// Monday 7 December 2026, 10:00 in Rome.
const T0: i64 = 1_796_634_000;
const DAY: i64 = 86_400;
const SECRET: &str = "s3cret-0123456789abcdef";

fn db() -> rusqlite::Connection {
    let c = base_db();
    // Giulia (2) gets an active account too
    testing::run(
        &c,
        "INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
           residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
           VALUES (2, 'active', 'citizen', '1990-01-01', 'D612', '048017', '50100', 'Via Roma 9', 1, 'giulia@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x');",
    );
    c
}

/// Adds an open offer (deadline in 2027) of the CPI `cpi` for `occupation`: its id.
fn offer(c: &rusqlite::Connection, code: &str, occupation: &str, cpi: &str) -> i64 {
    Db::execute(
        c,
        "INSERT INTO offers (code, cpi_code, offer_type, contract_type, occupation, description, how_to_apply, published_at, deadline)
         VALUES (?1, ?2, 'preselezione', 'tempo-determinato', ?3, 'Descrizione', 'Candidati online', '2026-12-01', '2027-06-30') RETURNING id",
        &[code.into(), cpi.into(), occupation.into()],
    )
    .unwrap()
    .scalar("id")
    .unwrap()
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
}

impl Who<'_> {
    fn call(&self, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = req(method, target, &self.id, T0).header_set("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            r = r.json_body(&b);
        }
        let reply = handle(&r, self.db);
        (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, T0);
    Who { db, id, csrf }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

fn job(c: &rusqlite::Connection, now: i64) -> Value {
    let r = Req::new("POST", "/jobs/alerts").at(now).var_set("jobs_secret", SECRET).var_set("base_url", "https://lavoro.example.org").header_set(
        "authorization",
        &format!("Bearer {SECRET}"),
    );
    let reply = handle(&r, c);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    serde_json::from_slice(&reply.body).unwrap()
}

/// The alert e-mails queued: (recipient, body, headers JSON).
fn alerts(c: &rusqlite::Connection) -> Vec<(String, String, Option<String>)> {
    Db::execute(
        c,
        "SELECT o.recipient, o.body, h.headers FROM outbox o LEFT JOIN outbox_headers h ON h.outbox_id = o.id WHERE o.template = 'saved_search_alert' ORDER BY o.id",
        &[],
    )
    .unwrap()
    .map(|r| Ok((r.text("recipient")?, r.text("body")?, r.opt_text("headers"))))
    .unwrap()
}

#[test]
fn a_citizen_saves_lists_renames_and_deletes_searches() {
    let c = db();
    let mario = who(&c, 1);
    let (s, v) = mario.call("POST", "/api/saved-searches", Some(json!({"name": " Cuoco a Prato ", "filters": {"q": "cuoco", "cpi": "prato", "area": ""}, "frequency": "daily"})));
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["name"], "Cuoco a Prato");
    assert_eq!(v["query"], "q=cuoco&cpi=prato");
    assert_eq!(v["filters"], json!({"q": "cuoco", "cpi": "prato"}));
    assert_eq!((v["frequency"].as_str(), v["last_alert_at"].is_null()), (Some("daily"), true));
    let (s, list) = mario.call("GET", "/api/saved-searches", None);
    assert_eq!((s, list["items"].as_array().unwrap().len(), list["limit"].as_i64()), (200, 1, Some(20)));
    let (s, v) = mario.call("PATCH", &format!("/api/saved-searches/{id}"), Some(json!({"name": "Cucina", "frequency": "weekly"})));
    assert_eq!((s, v["name"].as_str(), v["frequency"].as_str()), (200, Some("Cucina"), Some("weekly")), "{v}");
    let (s, v) = mario.call("PATCH", &format!("/api/saved-searches/{id}"), Some(json!({"frequency": "hourly"})));
    assert_eq!((s, code(&v), v["error"]["fields"][0]["field"].as_str()), (422, "invalid_fields", Some("frequency")));
    // another citizen sees, changes and deletes nothing of it
    let giulia = who(&c, 2);
    for (method, body) in [("GET", None), ("PATCH", Some(json!({"name": "x"}))), ("DELETE", None)] {
        let (s, v) = giulia.call(method, &format!("/api/saved-searches/{id}"), body);
        assert_eq!((s, code(&v)), (404, "not_found"), "{method}");
    }
    assert_eq!(giulia.call("GET", "/api/saved-searches", None).1["items"], json!([]));
    let (s, v) = mario.call("DELETE", &format!("/api/saved-searches/{id}"), None);
    assert_eq!((s, &v), (200, &json!({"deleted": true})));
    assert_eq!(mario.call("GET", &format!("/api/saved-searches/{id}"), None).0, 404);
}

#[test]
fn filters_are_those_of_the_offer_search_and_checked_the_same() {
    let c = db();
    let mario = who(&c, 1);
    for (filters, status, error) in [
        (json!({"region": "9"}), 400, "invalid_filter"),
        (json!({"code": "FI23515"}), 400, "invalid_code"),
        (json!({"cpi": "atlantide"}), 400, "unknown_filter"),
        (json!({"q": "!!!"}), 400, "invalid_filter"),
        (json!({"sort": "newest"}), 400, "invalid_json"),
    ] {
        let (s, v) = mario.call("POST", "/api/saved-searches", Some(json!({"name": "x", "filters": filters, "frequency": "daily"})));
        assert_eq!((s, code(&v)), (status, error), "{filters}");
    }
    let (s, v) = mario.call("POST", "/api/saved-searches", Some(json!({"name": "", "filters": {}, "frequency": "monthly"})));
    assert_eq!((s, code(&v), v["error"]["fields"].as_array().map(Vec::len)), (422, "invalid_fields", Some(2)));
    assert_eq!(Db::execute(&c, "SELECT count(*) AS n FROM saved_searches", &[]).unwrap().scalar("n").unwrap(), 0, "nothing saved");
}

#[test]
fn writes_need_a_session_and_the_csrf_token_and_there_is_a_limit() {
    let c = db();
    let body = json!({"name": "Tutte", "filters": {}, "frequency": "none"});
    let anon = handle(&Req::new("GET", "/api/saved-searches").at(T0), &c);
    assert_eq!(anon.status, 401);
    let mario = who(&c, 1);
    let no_csrf = handle(&req("POST", "/api/saved-searches", &mario.id, T0).json_body(&body), &c);
    assert_eq!(no_csrf.status, 403);
    for i in 0..super::MAX_SEARCHES {
        let (s, v) = mario.call("POST", "/api/saved-searches", Some(json!({"name": format!("R{i}"), "filters": {}, "frequency": "none"})));
        assert_eq!(s, 201, "{v}");
    }
    let (s, v) = mario.call("POST", "/api/saved-searches", Some(body));
    assert_eq!((s, code(&v)), (409, "too_many_searches"));
    // the limit is each person's
    assert_eq!(who(&c, 2).call("POST", "/api/saved-searches", Some(json!({"name": "G", "filters": {}, "frequency": "none"}))).0, 201);
}

#[test]
fn the_job_sends_new_offers_once_per_period_with_one_click_unsubscribe() {
    let c = db();
    offer(&c, "PO-1", "Cuoco di linea", "prato"); // before the search: never sent
    let mario = who(&c, 1);
    let (_, daily) = mario.call("POST", "/api/saved-searches", Some(json!({"name": "Cuoco", "filters": {"q": "cuoco", "cpi": "prato"}, "frequency": "daily"})));
    let (_, weekly) = mario.call("POST", "/api/saved-searches", Some(json!({"name": "Tutto", "filters": {}, "frequency": "weekly"})));
    let (_, off) = mario.call("POST", "/api/saved-searches", Some(json!({"name": "Spento", "filters": {}, "frequency": "none"})));
    assert!(off["id"].is_i64());
    // the same day: nothing is due yet
    assert_eq!(job(&c, T0 + 3600), json!({"due": 0, "processed": 0, "sent": 0, "offers": 0, "more": false}));
    offer(&c, "PO-2", "Cuoco pizzaiolo", "prato");
    offer(&c, "FI-3", "Cuoco", "firenze"); // another CPI: not for the daily search
    offer(&c, "PO-4", "Magazziniere", "prato");
    // the next day: the daily search is due and gets PO-2 only
    let r = job(&c, T0 + DAY);
    assert_eq!((r["due"].as_i64(), r["sent"].as_i64(), r["offers"].as_i64()), (Some(1), Some(1), Some(1)), "{r}");
    let sent = alerts(&c);
    assert_eq!(sent.len(), 1);
    let (to, body, headers) = &sent[0];
    assert_eq!(to, "mario@example.org");
    assert!(body.contains("PO-2 Cuoco pizzaiolo – https://lavoro.example.org/offerte/PO-2"), "{body}");
    assert!(!body.contains("PO-1") && !body.contains("FI-3") && !body.contains("PO-4"), "{body}");
    assert!(body.contains("https://lavoro.example.org/cittadino/offerte/?q=cuoco&cpi=prato"), "{body}");
    let headers: Value = serde_json::from_str(headers.as_deref().unwrap()).unwrap();
    let link = headers["List-Unsubscribe"].as_str().unwrap().trim_matches(['<', '>']).to_string();
    assert!(link.starts_with("https://lavoro.example.org/ricerche/disiscrizione/"), "{link}");
    assert!(body.contains(&link), "the body has the same link");
    assert_eq!(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    // a second run the same day sends nothing
    assert_eq!(job(&c, T0 + DAY + 60)["sent"], 0);
    assert_eq!(alerts(&c).len(), 1);
    // a week later: the weekly search gets every new open offer, once; the daily one has nothing new
    let r = job(&c, T0 + 7 * DAY);
    assert_eq!((r["sent"].as_i64(), r["offers"].as_i64()), (Some(1), Some(3)), "{r}");
    let sent = alerts(&c);
    assert_eq!(sent.len(), 2);
    assert!(["PO-2", "FI-3", "PO-4"].iter().all(|code| sent[1].1.contains(code)) && !sent[1].1.contains("PO-1"), "{}", sent[1].1);
    assert_eq!(job(&c, T0 + 7 * DAY + 60)["sent"], 0);
    // unsubscribe without login: GET confirms only, POST stops the alerts
    let path = link.trim_start_matches("https://lavoro.example.org");
    let page = handle(&Req::new("GET", path).at(T0 + 7 * DAY), &c);
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("Interrompi gli avvisi"));
    assert_eq!(mario.call("GET", &format!("/api/saved-searches/{}", daily["id"]), None).1["frequency"], "daily", "GET changes nothing");
    let one_click = handle(
        &Req::new("POST", path).at(T0 + 7 * DAY).header_set("content-type", "application/x-www-form-urlencoded").raw_body("List-Unsubscribe=One-Click"),
        &c,
    );
    assert_eq!(one_click.status, 200);
    assert_eq!(mario.call("GET", &format!("/api/saved-searches/{}", daily["id"]), None).1["frequency"], "none");
    assert_eq!(mario.call("GET", &format!("/api/saved-searches/{}", weekly["id"]), None).1["frequency"], "weekly", "only that search");
    offer(&c, "PO-5", "Cuoco", "prato");
    assert_eq!(job(&c, T0 + 8 * DAY)["sent"], 0, "the daily search is unsubscribed");
    let r = job(&c, T0 + 14 * DAY);
    assert_eq!((r["sent"].as_i64(), r["offers"].as_i64()), (Some(1), Some(1)), "{r}");
    // a wrong token is a 404 page
    let bad = handle(&Req::new("GET", &format!("/ricerche/disiscrizione/{}", "0".repeat(64))).at(T0), &c);
    assert_eq!(bad.status, 404);
}

#[test]
fn a_run_claims_each_search_once_and_resumes_after_a_partial_run() {
    let c = db();
    let mario = who(&c, 1);
    for i in 0..3 {
        mario.call("POST", "/api/saved-searches", Some(json!({"name": format!("R{i}"), "filters": {}, "frequency": "daily"})));
    }
    offer(&c, "PO-9", "Cuoco", "prato");
    // a run that stops after one search (the batch limit stands for a crash between searches)
    let first = super::run(&c, T0 + DAY, 1, "https://l.example").unwrap();
    assert_eq!((first.due, first.processed, first.sent, first.more), (3, 1, 1, true));
    let rest = super::run(&c, T0 + DAY, 100, "https://l.example").unwrap();
    assert_eq!((rest.due, rest.processed, rest.sent, rest.more), (2, 2, 2, false));
    assert_eq!(alerts(&c).len(), 3, "one e-mail a search, none twice");
    // a search whose claim is gone (another run did it) is skipped
    assert_eq!(super::alert_one(&c, 1, T0 + DAY, 1, "2026-12-08", "").unwrap(), None);
}

#[test]
fn the_job_needs_its_secret() {
    let c = db();
    let r = handle(&Req::new("POST", "/jobs/alerts").at(T0).var_set("jobs_secret", SECRET), &c);
    assert_eq!(r.status, 401);
    let r = handle(&Req::new("POST", "/jobs/alerts").at(T0).var_set("jobs_secret", SECRET).header_set("authorization", "Bearer nope"), &c);
    assert_eq!(r.status, 403);
    let r = handle(&Req::new("GET", "/jobs/alerts").at(T0), &c);
    assert_eq!(r.status, 405);
}
