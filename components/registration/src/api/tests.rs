//! The whole API natively, through [`super::handle`], against the real migrations and
//! reference data, with the request's clock moved instead of waiting: registration with
//! its SMS code and activation link, their expiry and limits, the profile, incarichi and
//! acting for a company, and the refusals of malformed input.

use access::testing::{T, req, seed, sign_in};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::handle;

const T0: i64 = 1_800_000_000;
const GIULIA: i64 = 2;

fn db() -> rusqlite::Connection {
    let c = testing::with_reference();
    seed(&c);
    c
}

/// The variables of the manifest, with short windows where a test says so.
fn with_vars(r: Req) -> Req {
    r.var_set("base_url", "https://lavoro.example.it").var_set("otp_resend_seconds", "60").var_set("otp_max_per_hour", "5")
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
}

impl Who<'_> {
    fn call(&self, method: &str, target: &str, body: Option<Value>, now: i64) -> (u16, Value) {
        let mut r = with_vars(req(method, target, &self.id, now)).header_set("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            r = r.json_body(&b);
        }
        let reply = handle(&r, self.db);
        let v = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        (reply.status, v)
    }
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, T0);
    Who { db, id, csrf }
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    Db::execute(db, sql, &[]).unwrap().scalar("n").unwrap()
}

/// The newest outbox parameter `name` for `recipient`.
fn last_param(db: &rusqlite::Connection, recipient: &str, name: &str) -> String {
    let rows = Db::execute(db, "SELECT params FROM outbox WHERE recipient = ?1 ORDER BY id DESC LIMIT 1", &[recipient.into()]).unwrap();
    let p: Value = serde_json::from_str(rows.first().unwrap().str("params").unwrap()).unwrap();
    p[name].as_str().unwrap().to_string()
}

fn form(otp: &str) -> Value {
    json!({
        "kind": "citizen",
        "residence": {"comune": "048017", "cap": "50122", "address": "Via dei Calzaiuoli 7"},
        "domicile_same": true,
        "email": "giulia@example.org", "email_confirm": "giulia@example.org",
        "mobile": "+393471112233", "otp": otp,
        "privacy_accepted": true, "privacy_version": crate::texts::PRIVACY_VERSION,
        "date_of_birth": "1990-01-01",
    })
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[test]
fn registration_with_the_sms_code_then_the_activation_link_across_their_deadlines() {
    let c = db();
    let g = who(&c, GIULIA);
    let (s, pre) = g.call("GET", "/api/registration", None, T0);
    assert_eq!((s, pre["status"].as_str()), (200, Some("unregistered")));
    let sms = json!({"mobile": "+393471112233"});
    assert_eq!(g.call("POST", "/api/registration/otp", Some(sms.clone()), T0).0, 200);
    let (s, v) = g.call("POST", "/api/registration/otp", Some(sms.clone()), T0 + 30);
    assert_eq!((s, code(&v)), (429, "otp_too_soon"));
    let first = last_param(&c, "+393471112233", "code");
    // the code expires after otp_ttl_seconds (600): at +601 it is refused in the form
    let (s, v) = g.call("POST", "/api/registration", Some(form(&first)), T0 + 601);
    assert_eq!((s, v["error"]["fields"][0]["code"].as_str()), (422, Some("otp_expired")));
    assert_eq!(count(&c, "SELECT count(*) AS n FROM accounts WHERE person_id = 2"), 0, "nothing written");
    assert_eq!(g.call("POST", "/api/registration/otp", Some(sms.clone()), T0 + 602).0, 200);
    let second = last_param(&c, "+393471112233", "code");
    let (s, v) = g.call("POST", "/api/registration", Some(form(&second)), T0 + 610);
    assert_eq!((s, v["status"].as_str()), (201, Some("pending")), "{v}");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM otp_codes WHERE person_id = 2"), 0, "the code is forgotten");
    assert_eq!(g.call("GET", "/api/registration", None, T0 + 611).1["status"], "pending", "the session sees the account");
    let (s, v) = g.call("POST", "/api/registration", Some(form(&second)), T0 + 612);
    assert_eq!((s, code(&v)), (409, "already_registered"));

    // the activation link: valid for activation_ttl_seconds (48 hours)
    let link = last_param(&c, "giulia@example.org", "link");
    let token = link.rsplit("token=").next().unwrap().to_string();
    assert!(link.starts_with("https://lavoro.example.it/"), "{link}");
    let page = handle(&with_vars(Req::new("GET", &format!("/api/registration/activate?token={token}")).at(T0 + 48 * 3600 + 611)), &c);
    assert_eq!(page.status, 410, "expired");
    // a new link (after the resend wait), the old one superseded
    assert_eq!(g.call("POST", "/api/registration/activation/resend", Some(json!({})), T0 + 620).0, 200);
    let (s, v) = g.call("POST", "/api/registration/activation/resend", Some(json!({})), T0 + 650);
    assert_eq!((s, code(&v)), (429, "resend_limit"), "within otp_resend_seconds of the last one");
    assert_eq!(g.call("POST", "/api/registration/activation/resend", Some(json!({})), T0 + 700).0, 200);
    let token2 = last_param(&c, "giulia@example.org", "link").rsplit("token=").next().unwrap().to_string();
    let press = |t: &str, now: i64| handle(&Req::new("POST", "/api/registration/activate").header_set("content-type", "application/x-www-form-urlencoded").raw_body(format!("token={t}")).at(now), &c);
    assert_eq!(press(&token, T0 + 701).status, 410, "superseded");
    let ok = press(&token2, T0 + 702);
    assert_eq!((ok.status, ok.header("location")), (303, Some("/registrati/attivato/")));
    assert_eq!(press(&token2, T0 + 703).status, 409, "used");
    assert_eq!(g.call("GET", "/api/registration", None, T0 + 704).1["status"], "active");
    assert_eq!(g.call("GET", "/api/profile", None, T0 + 704).1["email"], "giulia@example.org");
}

#[test]
fn codes_per_hour_and_wrong_guesses() {
    let c = db();
    let g = who(&c, GIULIA);
    let sms = json!({"mobile": "+393471112233"});
    for i in 0..5 {
        assert_eq!(g.call("POST", "/api/registration/otp", Some(sms.clone()), T0 + i * 60).0, 200, "code {i}");
    }
    let (s, v) = g.call("POST", "/api/registration/otp", Some(sms.clone()), T0 + 300);
    assert_eq!((s, code(&v)), (429, "otp_limit"));
    assert_eq!(count(&c, "SELECT count(*) AS n FROM outbox"), 5);
    let right = last_param(&c, "+393471112233", "code");
    let wrong = if right == "999999" { "999998" } else { "999999" };
    let guess = |code: &str| g.call("POST", "/api/registration/otp/verify", Some(json!({"mobile": "+393471112233", "code": code})), T0 + 301);
    for _ in 0..4 {
        assert_eq!(code(&guess(wrong).1), "otp_wrong");
    }
    assert_eq!(code(&guess(wrong).1), "otp_burned");
    assert_eq!(code(&guess(&right).1), "otp_burned");
    // an hour later (the session has expired meanwhile: a new login)
    let g = who(&c, GIULIA);
    assert_eq!(g.call("POST", "/api/registration/otp", Some(sms.clone()), T0 + 301).0, 429, "still the same hour");
    let (id, csrf) = sign_in(&c, GIULIA, T0 + 3600);
    let later = Who { db: &c, id, csrf };
    assert_eq!(later.call("POST", "/api/registration/otp", Some(sms), T0 + 3600).0, 200, "a new hour");
}

#[test]
fn malformed_input_is_refused_before_anything_is_written() {
    let c = db();
    let g = who(&c, GIULIA);
    let base = |r: Req| with_vars(r).header_set("x-csrf-token", &g.csrf);
    let post = |body: &[u8], ct: Option<&str>| {
        let mut r = base(req("POST", "/api/registration/otp", &g.id, T0)).raw_body(body.to_vec());
        if let Some(ct) = ct {
            r = r.header_set("content-type", ct);
        }
        let reply = handle(&r, &c);
        (reply.status, serde_json::from_slice::<Value>(&reply.body).unwrap())
    };
    assert_eq!(post(br#"{"mobile": "+393471112233"}"#, Some("text/plain")).0, 415);
    assert_eq!(code(&post(br#"{"mobile": "+393471112233", "zzz": 1}"#, Some("application/json")).1), "invalid_json");
    assert_eq!(code(&post(b"{\"mobile\": \"\xe8\"}", Some("application/json")).1), "invalid_json");
    let mut bad = form("");
    bad["extra"] = json!(1);
    assert_eq!(code(&g.call("POST", "/api/registration", Some(bad), T0).1), "invalid_json");
    let mut bad = form("");
    bad["residence"]["zzz"] = json!(1);
    assert_eq!(code(&g.call("POST", "/api/registration", Some(bad), T0).1), "invalid_json", "nested unknown fields too");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM outbox"), 0);
    // no CSRF token
    let r = with_vars(req("POST", "/api/registration/otp", &g.id, T0)).json_body(&json!({"mobile": "+393471112233"}));
    assert_eq!(handle(&r, &c).status, 403);
    assert_eq!(handle(&Req::new("GET", "/api/profile"), &c).status, 401);
}

#[test]
fn acting_for_a_company_needs_a_current_incarico() {
    let c = db();
    let m = who(&c, 1);
    let (s, v) = m.call("POST", "/api/session/act-as", Some(json!({"company_id": 2})), T0);
    assert_eq!((s, code(&v)), (403, "incarico_required"));
    let (s, v) = m.call("POST", "/api/session/act-as", Some(json!({"company_id": 1})), T0);
    assert_eq!((s, v["acting_as"]["name"].as_str()), (200, Some("ACME S.R.L.")));
    assert_eq!(m.call("GET", "/api/session/act-as", None, T0).1["acting_as"]["company_id"], 1);
    let (s, v) = m.call("DELETE", "/api/profile/companies/1", None, T0);
    assert_eq!((s, v["acting_as"].is_null()), (200, true), "{v}");
    assert!(m.call("GET", "/api/session/act-as", None, T0).1["acting_as"].is_null(), "the revoked incarico ends acting");
    let (s, v) = m.call("POST", "/api/session/act-as", Some(json!({})), T0);
    assert_eq!((s, code(&v)), (400, "invalid_request"));
    let _ = T;
}
