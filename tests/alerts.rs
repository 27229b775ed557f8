//! Saved searches and alerts (issue 22, X1) end to end, through the HTTP API with the
//! test clock: a citizen saves, lists, renames, re-schedules and deletes searches, with
//! the limit of 20; another citizen is refused (404); the alert job e-mails the offers
//! published between two runs once and none twice, sends nothing on a second run in the
//! same period, carries RFC 8058 `List-Unsubscribe` headers, and the one-click link
//! (no login) stops the alerts.
//!
//! People (config/test-idp): 6 Sofia Gallo is the bootstrap administrator; 4 Chiara
//! Ricci is an operator of Firenze; 1 Giulia Bianchi and 2 Francesca Esposito are
//! citizens.

use e2e::client::{Client, json_request, mailbox, registered_citizen, unix_now};
use e2e::staff::{self, CF, EMAIL};
use e2e::{App, Start};
use serde_json::{Value, json};

const SECRET: &str = "alerts-e2e-secret-0123456789abcdef";
const DAY: i64 = 86_400;

fn start(state: &std::path::Path) -> App {
    Start::portal(state)
        .arg("--variable")
        .arg(format!("jobs_secret={SECRET}"))
        .arg("--variable")
        .arg("dev_clock=true")
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .start()
}

fn code(r: &e2e::Reply) -> String {
    r.json()["error"]["code"].as_str().unwrap_or("").to_string()
}

/// `POST /jobs/alerts` at unix time `now`: its report.
fn job(app: &App, now: i64) -> Value {
    let auth = format!("Bearer {SECRET}");
    let now = now.to_string();
    let r = json_request("POST", &app.url("/jobs/alerts"), &[("authorization", &auth), ("x-dev-now", &now)], None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// The alert e-mails to `recipient`, oldest first.
fn alerts(app: &App, recipient: &str) -> Vec<Value> {
    let mut v: Vec<Value> = mailbox(app, recipient).into_iter().filter(|m| m["template"] == "saved_search_alert").collect();
    v.reverse();
    v
}

fn save(c: &Client, body: Value) -> Value {
    let r = c.post("/api/saved-searches", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

#[test]
fn saved_searches_are_each_persons_own_and_bounded() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let giulia = registered_citizen(&app, 1);
    let francesca = registered_citizen(&app, 2);
    assert_eq!(Client::anonymous(&app).get("/api/saved-searches").status, 401);
    let s = save(&giulia, json!({"name": "Cuoco a Firenze", "filters": {"q": "cuoco", "cpi": "firenze"}, "frequency": "daily"}));
    let id = s["id"].as_i64().unwrap();
    assert_eq!((s["query"].as_str(), s["frequency"].as_str()), (Some("q=cuoco&cpi=firenze"), Some("daily")));
    // the offers API takes the same query string
    assert_eq!(Client::anonymous(&app).get(&format!("/api/offers?{}", s["query"].as_str().unwrap())).status, 200);
    let list = giulia.get("/api/saved-searches").json_checked();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let r = giulia.send("PATCH", &format!("/api/saved-searches/{id}"), &json!({"name": "Cucina", "frequency": "weekly"}));
    assert_eq!((r.status, r.json()["name"].as_str(), r.json()["frequency"].as_str()), (200, Some("Cucina"), Some("weekly")), "{}", r.body);
    // the same filter checks as the offer search
    let r = giulia.post("/api/saved-searches", &json!({"name": "x", "filters": {"province": "ABC"}, "frequency": "daily"}));
    assert_eq!((r.status, code(&r).as_str()), (400, "invalid_filter"));
    let r = giulia.post("/api/saved-searches", &json!({"name": "x", "filters": {"cpi": "atlantide"}, "frequency": "daily"}));
    assert_eq!((r.status, code(&r).as_str()), (400, "unknown_filter"));
    // another citizen: nothing of Giulia's
    for (method, body) in [("GET", None), ("PATCH", Some(json!({"name": "mia"}))), ("DELETE", None)] {
        let r = match body {
            Some(b) => francesca.send(method, &format!("/api/saved-searches/{id}"), &b),
            None if method == "GET" => francesca.get(&format!("/api/saved-searches/{id}")),
            None => francesca.delete(&format!("/api/saved-searches/{id}")),
        };
        assert_eq!((r.status, code(&r).as_str()), (404, "not_found"), "{method}");
    }
    assert_eq!(francesca.get("/api/saved-searches").json_checked()["items"], json!([]));
    // the limit: 20 each
    for i in 1..20 {
        save(&giulia, json!({"name": format!("Ricerca {i}"), "filters": {}, "frequency": "none"}));
    }
    let r = giulia.post("/api/saved-searches", &json!({"name": "Una di troppo", "filters": {}, "frequency": "none"}));
    assert_eq!((r.status, code(&r).as_str()), (409, "too_many_searches"));
    let r = giulia.delete(&format!("/api/saved-searches/{id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(giulia.get(&format!("/api/saved-searches/{id}")).status, 404);
    save(&giulia, json!({"name": "Di nuovo 20", "filters": {}, "frequency": "none"}));
}

#[test]
fn the_alert_job_sends_new_offers_once_and_unsubscribe_stops_them() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let admin = registered_citizen(&app, 6);
    let operator = registered_citizen(&app, 4);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let giulia = registered_citizen(&app, 1);
    let deadline = common::rome::day_at(unix_now() + 90 * DAY);
    let before = staff::publish(&operator, &staff::offer_form("cuoco capopartita", &deadline, staff::ACME));
    let s = save(&giulia, json!({"name": "Cuoco", "filters": {"q": "cuoco", "cpi": "firenze"}, "frequency": "daily"}));
    let t0 = unix_now();
    assert_eq!(job(&app, t0)["due"], 0, "saved today: due from tomorrow");
    let first = staff::publish(&operator, &staff::offer_form("cuoco di linea", &deadline, staff::ACME));
    let other = staff::publish(&operator, &staff::offer_form("magazziniere", &deadline, staff::ACME));
    let r = job(&app, t0 + DAY);
    assert_eq!((r["sent"].as_i64(), r["offers"].as_i64()), (Some(1), Some(1)), "{r}");
    let sent = alerts(&app, EMAIL[1]);
    assert_eq!(sent.len(), 1);
    let body = sent[0]["body"].as_str().unwrap();
    let code_of = |o: &Value| o["code"].as_str().unwrap().to_string();
    assert!(body.contains(&code_of(&first)), "{body}");
    assert!(!body.contains(&code_of(&before)) && !body.contains(&code_of(&other)), "{body}");
    let headers = &sent[0]["headers"];
    let link = headers["List-Unsubscribe"].as_str().unwrap().trim_matches(['<', '>']).to_string();
    assert!(link.starts_with("http") && link.contains("/ricerche/disiscrizione/"), "{link}");
    assert_eq!(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert!(body.contains(&link), "the body has the same link");
    // the same day again: nothing
    assert_eq!(job(&app, t0 + DAY + 600)["sent"], 0);
    // a new offer: the next day it is sent, once; the earlier one is not sent again
    let second = staff::publish(&operator, &staff::offer_form("aiuto cuoco", &deadline, staff::ACME));
    let r = job(&app, t0 + 2 * DAY);
    assert_eq!((r["sent"].as_i64(), r["offers"].as_i64()), (Some(1), Some(1)), "{r}");
    let sent = alerts(&app, EMAIL[1]);
    assert_eq!(sent.len(), 2);
    let body = sent[1]["body"].as_str().unwrap();
    assert!(body.contains(&code_of(&second)) && !body.contains(&code_of(&first)), "{body}");
    assert_eq!(job(&app, t0 + 3 * DAY)["sent"], 0, "nothing new, nothing sent");
    // one click, no login: GET only confirms, POST unsubscribes
    let path = &link[link.find("/ricerche/").unwrap()..];
    let page = e2e::get(&app.url(path));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Interrompi gli avvisi"), "{}", page.body);
    assert_eq!(giulia.get(&format!("/api/saved-searches/{}", s["id"])).json_checked()["frequency"], "daily");
    let r = json_request("POST", &app.url(path), &[("content-type", "application/x-www-form-urlencoded")], None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(giulia.get(&format!("/api/saved-searches/{}", s["id"])).json_checked()["frequency"], "none");
    staff::publish(&operator, &staff::offer_form("cuoco pizzaiolo", &deadline, staff::ACME));
    assert_eq!(job(&app, t0 + 4 * DAY)["sent"], 0, "unsubscribed");
    assert_eq!(alerts(&app, EMAIL[1]).len(), 2);
    // a job call without the secret is refused
    assert_eq!(json_request("POST", &app.url("/jobs/alerts"), &[], None).status, 401);
}
