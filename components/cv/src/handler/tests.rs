//! The CV API natively, through [`super::handle`], against the real migrations: upload,
//! edits (a no-op edit writes nothing, unknown fields are refused before anything is
//! written), the anonymised search, a view request decided by its link, the company's
//! download and its access log, and other people refused.

use access::testing::{req, seed, sign_in};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::handle;

const T0: i64 = 1_800_000_000;

fn db() -> rusqlite::Connection {
    let c = testing::with_reference();
    seed(&c);
    // Giulia (2): active, with an incarico for GPI S.P.A. (2)
    testing::run(
        &c,
        "INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
           residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
           VALUES (2, 'active', 'citizen', '1990-01-01', 'D612', '048017', '50100', 'Via Roma 9', 1, 'giulia@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x');
         INSERT INTO incarichi (id, person_id, company_id, role, declaration_version, declaration_accepted_at, created_at)
           VALUES (2, 2, 2, 'delegato', '1', 'x', 'x');",
    );
    c
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
}

impl Who<'_> {
    fn request(&self, method: &str, target: &str, now: i64) -> Req {
        req(method, target, &self.id, now)
            .header_set("x-csrf-token", &self.csrf)
            .var_set("base_url", "https://lavoro.example.it")
    }

    fn send(&self, r: Req) -> (u16, Value) {
        let reply = handle(&r, self.db);
        (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }

    fn json(&self, method: &str, target: &str, body: Option<Value>, now: i64) -> (u16, Value) {
        let mut r = self.request(method, target, now);
        if let Some(b) = body {
            r = r.json_body(&b);
        }
        self.send(r)
    }
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    who_at(db, person, T0)
}

fn who_at(db: &rusqlite::Connection, person: i64, now: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, now);
    Who { db, id, csrf }
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    Db::execute(db, sql, &[]).unwrap().scalar("n").unwrap()
}

const CV_TEXT: &str = "Curriculum vitae di Mario Rossi, codice fiscale RSSMRA85C14D612R, telefono +39 347 1234567, e-mail mario@example.org.\n\
    Esperienze: pizzaiolo presso la Pizzeria Il Forno di Firenze dal 2015 al 2020, poi capo pizzaiolo al Ristorante La Pergola di Prato.\n\
    Competenze: impasti a lunga lievitazione, forno a legna, gestione del magazzino, normativa HACCP, lavoro in squadra, turni serali.";

#[test]
fn upload_edit_search_request_decide_download() {
    let c = db();
    let mario = who(&c, 1);
    let meta = json!({"description": "Pizzaiolo", "search_consent": true, "territories": ["firenze"], "file_name": "cv.docx"}).to_string();
    let upload = mario.request("POST", "/api/cv", T0).header_set("x-cv-meta", &meta).raw_body(cvtext::fixtures::docx(CV_TEXT));
    let (s, cv) = mario.send(upload);
    assert_eq!(s, 201, "{cv}");
    let id = cv["id"].as_i64().unwrap();
    assert_eq!((cv["file"]["kind"].as_str(), cv["search_consent_label"].as_str()), (Some("docx"), Some("SI")));
    let history = |n: i64| assert_eq!(count(&c, &format!("SELECT count(*) AS n FROM cv_events WHERE cv_id = {id}")), n);
    history(1);

    // an edit that changes nothing writes nothing; unknown fields are refused first
    let (s, same) = mario.json("PUT", &format!("/api/cv/{id}"), Some(json!({"description": "Pizzaiolo", "territories": ["firenze"]})), T0 + 100);
    assert_eq!((s, &same["retention"]), (200, &cv["retention"]));
    history(1);
    let (s, e) = mario.json("PUT", &format!("/api/cv/{id}"), Some(json!({"zzz": 1})), T0 + 100);
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_json")));
    let latin1 = mario.request("PUT", &format!("/api/cv/{id}"), T0).header_set("content-type", "application/json").raw_body(&b"{\"description\": \"caff\xe8\"}"[..]);
    assert_eq!(mario.send(latin1).1["error"]["code"], "invalid_json");
    history(1);
    let (s, edited) = mario.json("PUT", &format!("/api/cv/{id}"), Some(json!({"description": "Capo pizzaiolo"})), T0 + 200);
    assert_eq!((s, edited["description"].as_str()), (200, Some("Capo pizzaiolo")));
    history(2);

    // a company finds it anonymised, asks to see it; the owner accepts from the link
    let giulia = who(&c, 2);
    // acting for GPI (the act-as endpoint is registration's)
    access::session::set_acting(&c, &access::session::current(&c, &giulia.request("GET", "/", T0)).unwrap().unwrap(), Some(2)).unwrap();
    let (s, found) = giulia.json("GET", "/api/cv-search?q=pizzaiolo", None, T0 + 300);
    assert_eq!((s, found["total"].as_i64()), (200, Some(1)), "{found}");
    let text = found["items"][0]["text"].as_str().unwrap();
    assert!(!text.contains("Rossi") && !text.contains("RSSMRA85C14D612R") && !text.contains("mario@example.org"), "{text}");
    assert_eq!(giulia.json("GET", "/api/cv-search?q=rossi", None, T0 + 300).1["total"], 0, "the owner's name finds nothing");
    let handle_ = found["items"][0]["cv"].as_str().unwrap().to_string();
    let (s, asked) = giulia.json("POST", "/api/cv-requests", Some(json!({"cv": handle_, "position": "PIZZAIOLO"})), T0 + 310);
    assert_eq!((s, asked["status"].as_str()), (201, Some("RICHIESTA")), "{asked}");
    assert_eq!(giulia.send(giulia.request("GET", &format!("/api/cv/{id}/file"), T0 + 311)).0, 403, "not before the owner decides");
    let link = {
        let rows = Db::execute(&c, "SELECT params FROM outbox WHERE template = 'cv_request' AND channel = 'email'", &[]).unwrap();
        let p: Value = serde_json::from_str(rows.first().unwrap().str("params").unwrap()).unwrap();
        p["link"].as_str().unwrap().to_string()
    };
    assert!(link.starts_with("https://lavoro.example.it/"), "{link}");
    let token = link.rsplit("token=").next().unwrap();
    let decide = Req::new("POST", "/api/cv-requests/decision")
        .header_set("content-type", "application/x-www-form-urlencoded")
        .raw_body(format!("token={token}&decision=accept"))
        .at(T0 + 320);
    assert_eq!(handle(&decide, &c).status, 200);
    assert_eq!(handle(&decide, &c).status, 409, "a link decides once");
    history(3);
    let file = handle(&giulia.request("GET", &format!("/api/cv/{id}/file"), T0 + 330), &c);
    assert_eq!((file.status, file.body.len() > 100), (200, true));
    assert_eq!(count(&c, "SELECT count(*) AS n FROM cv_access_log WHERE role = 'company' AND company_id = 2"), 1);
}

#[test]
fn other_people_and_bad_uploads_are_refused() {
    let c = db();
    let mario = who(&c, 1);
    let meta = json!({"description": "x", "search_consent": false}).to_string();
    let (s, cv) = mario.send(mario.request("POST", "/api/cv", T0).header_set("x-cv-meta", &meta).raw_body(cvtext::fixtures::docx(CV_TEXT)));
    assert_eq!(s, 201);
    let id = cv["id"].as_i64().unwrap();
    let giulia = who(&c, 2);
    for (method, target) in [("GET", format!("/api/cv/{id}")), ("DELETE", format!("/api/cv/{id}")), ("GET", format!("/api/cv/{id}/history"))] {
        assert_eq!(giulia.json(method, &target, None, T0).0, 404, "{method} {target}");
    }
    assert_eq!(giulia.send(giulia.request("GET", &format!("/api/cv/{id}/file"), T0)).0, 403);
    let (s, e) = mario.send(mario.request("POST", "/api/cv", T0).header_set("x-cv-meta", &meta).raw_body(&b"plain text, not a CV file"[..]));
    assert_eq!((s, e["error"]["fields"][0]["field"].as_str()), (415, Some("file")), "{e}");
    let bad_meta = json!({"description": "x", "search_consent": false, "admin": true}).to_string();
    let (s, e) = mario.send(mario.request("POST", "/api/cv", T0).header_set("x-cv-meta", &bad_meta).raw_body(cvtext::fixtures::docx(CV_TEXT)));
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_meta")));
    assert_eq!(count(&c, "SELECT count(*) AS n FROM cvs"), 1, "nothing written by the refusals");
    assert_eq!(handle(&Req::new("GET", "/api/cv"), &c).status, 401);
}

#[test]
fn a_cv_with_history_requests_and_reads_can_be_deleted() {
    let c = db();
    let mario = who(&c, 1);
    let meta = json!({"description": "x", "search_consent": true, "territories": ["prato"]}).to_string();
    let (_, cv) = mario.send(mario.request("POST", "/api/cv", T0).header_set("x-cv-meta", &meta).raw_body(cvtext::fixtures::docx(CV_TEXT)));
    let id = cv["id"].as_i64().unwrap();
    assert_eq!(mario.send(mario.request("GET", &format!("/api/cv/{id}/file"), T0)).0, 200);
    mario.json("PUT", &format!("/api/cv/{id}"), Some(json!({"description": "y"})), T0 + 1);
    // as the page sends it: with an empty JSON object
    let (s, v) = mario.json("DELETE", &format!("/api/cv/{id}"), Some(json!({})), T0 + 2);
    assert_eq!((s, v["deleted"].as_i64()), (200, Some(id)), "{v}");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM cvs"), 0);
    assert_eq!(count(&c, "SELECT count(*) AS n FROM cv_access_log"), 1, "the read stays on record");
}

fn retention_job(c: &rusqlite::Connection, now: i64) -> Value {
    let secret = "s".repeat(32);
    let r = Req::new("POST", "/jobs/cv/retention").var_set("jobs_secret", &secret).header_set("authorization", &format!("Bearer {secret}")).at(now);
    let reply = handle(&r, c);
    assert_eq!(reply.status, 200);
    serde_json::from_slice(&reply.body).unwrap()
}

const DAY: i64 = 86_400;

#[test]
fn uses_in_applications_show_in_the_history_and_restart_the_retention() {
    let c = db();
    testing::run(&c, &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/offers.sql")).unwrap());
    let mario = who(&c, 1);
    let meta = json!({"description": "Cuoco", "search_consent": false}).to_string();
    let (s, cv) = mario.send(mario.request("POST", "/api/cv", T0).header_set("x-cv-meta", &meta).raw_body(cvtext::fixtures::docx(CV_TEXT)));
    assert_eq!(s, 201);
    let id = cv["id"].as_i64().unwrap();
    // an application made before this CV existed names an id that was another CV's
    testing::run(&c, &format!("INSERT INTO applications (offer_id, person_id, cv_id, declarations, created_at, updated_at) VALUES (2, 1, {id}, '[]', {t}, {t})", t = T0 - 10));
    // a year less the notice period: the owner is warned
    assert_eq!(retention_job(&c, T0 + 351 * DAY)["noticed"], 1);
    // then the CV is used for an application (the applications component's row)
    let used = T0 + 355 * DAY;
    testing::run(&c, &format!("INSERT INTO applications (offer_id, person_id, cv_id, declarations, created_at, updated_at) VALUES (1, 1, {id}, '[]', {used}, {used})"));
    let mario = who_at(&c, 1, used);
    let (_, history) = mario.json("GET", &format!("/api/cv/{id}/history"), None, used + 1);
    let last = &history["items"][history["total"].as_u64().unwrap() as usize - 1];
    assert_eq!((last["kind_label"].as_str(), last["note"].as_str()), (Some("Utilizzo"), Some("Candidatura Offerta PO-9000001")), "{history}");
    assert_eq!(history["total"], 2, "the older application is not this CV's: {history}");
    let (_, detail) = mario.json("GET", &format!("/api/cv/{id}"), None, used + 1);
    assert_eq!(detail["retention"]["notice_sent"], false, "a new period: {detail}");
    assert_eq!(detail["retention"]["deletion_on"].as_str(), Some(common::rome::day_at(used + 365 * DAY).as_str()));
    // the old notice's deadline passes: the CV stays, and no new notice yet
    let r = retention_job(&c, T0 + 367 * DAY);
    assert_eq!((r["noticed"].as_i64(), r["deleted"].as_i64()), (Some(0), Some(0)), "{r}");
    // the new period ends: a notice, then the deletion
    assert_eq!(retention_job(&c, used + 351 * DAY)["noticed"], 1);
    assert_eq!(retention_job(&c, used + 366 * DAY)["deleted"], 1);
    assert_eq!(count(&c, "SELECT count(*) AS n FROM cvs"), 0);
    assert_eq!(count(&c, "SELECT count(*) AS n FROM outbox WHERE template = 'cv_retention_notice'"), 2);
}

#[test]
fn operators_read_and_upload_the_cvs_of_their_cpis_citizens() {
    let c = db();
    let mario = who(&c, 1);
    let meta = json!({"description": "Pizzaiolo", "search_consent": false}).to_string();
    let (_, own) = mario.send(mario.request("POST", "/api/cv", T0).header_set("x-cv-meta", &meta).raw_body(cvtext::fixtures::docx(CV_TEXT)));
    let own_id = own["id"].as_i64().unwrap();
    let giulia = who(&c, 2);
    let list = "/api/operator/cv?person=RSSMRA85C14D612R";
    let (s, e) = giulia.json("GET", list, None, T0);
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("operator_required")));
    // an operator of Prato: Mario lives in Firenze
    testing::run(&c, "INSERT INTO staff_roles (fiscal_code, role, cpi_code, granted_by, granted_at) VALUES ('BNCGLI90A41D612I', 'operator', 'prato', 'test', 0)");
    assert_eq!(giulia.json("GET", list, None, T0).1["error"]["code"], "not_citizen_of_cpi");
    assert_eq!(giulia.send(giulia.request("GET", &format!("/api/operator/cv/{own_id}/file"), T0)).0, 403);
    testing::run(&c, "UPDATE staff_roles SET revoked_at = 1, revoked_by = 'test'; INSERT INTO staff_roles (fiscal_code, role, cpi_code, granted_by, granted_at) VALUES ('BNCGLI90A41D612I', 'operator', 'firenze', 'test', 0)");
    let (s, cvs) = giulia.json("GET", list, None, T0);
    assert_eq!((s, cvs["person"]["family_name"].as_str(), cvs["items"].as_array().map(Vec::len)), (200, Some("Rossi"), Some(1)), "{cvs}");
    assert_eq!(cvs["items"][0]["file"]["download"], format!("/api/operator/cv/{own_id}/file"));
    // bad and unknown codes
    assert_eq!(giulia.json("GET", "/api/operator/cv?person=RSSMRA85C14D612X", None, T0).0, 422);
    assert_eq!(giulia.json("GET", "/api/operator/cv", None, T0).0, 422);
    assert_eq!(giulia.json("GET", "/api/operator/cv?person=RSSMRA80A01D612Y", None, T0).1["error"]["code"], "person_not_found");
    // an upload for Mario: "Caricato CPI", in the audit log and in Mario's history
    let upload = giulia.request("POST", list, T0 + 5).header_set("x-cv-meta", &json!({"description": "Dal CPI", "search_consent": false}).to_string()).raw_body(cvtext::fixtures::docx(CV_TEXT));
    let (s, cv) = giulia.send(upload);
    assert_eq!((s, cv["uploaded_by_cpi_label"].as_str()), (201, Some("SI")), "{cv}");
    let id = cv["id"].as_i64().unwrap();
    let (_, mine) = mario.json("GET", &format!("/api/cv/{id}"), None, T0 + 6);
    assert_eq!((mine["description"].as_str(), mine["uploaded_by_cpi"].as_bool()), (Some("Dal CPI"), Some(true)));
    let (_, history) = mario.json("GET", &format!("/api/cv/{id}/history"), None, T0 + 6);
    assert!(history["items"][0]["note"].as_str().unwrap().contains("FIRENZE"), "{history}");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM audit_log WHERE action = 'cv.upload' AND actor_id = 2 AND cpi_code = 'firenze'"), 1);
    // without the CSRF token: refused, nothing written
    let forged = req("POST", list, &giulia.id, T0).header_set("x-cv-meta", &meta).raw_body(cvtext::fixtures::docx(CV_TEXT));
    assert_eq!(handle(&forged, &c).status, 403);
    assert_eq!(count(&c, "SELECT count(*) AS n FROM cvs"), 2);
    // the file, logged as a CPI operator's read
    let file = handle(&giulia.request("GET", &format!("/api/operator/cv/{own_id}/file"), T0 + 7), &c);
    assert_eq!(file.status, 200);
    assert_eq!(file.body, cvtext::fixtures::docx(CV_TEXT));
    assert_eq!(count(&c, &format!("SELECT count(*) AS n FROM cv_access_log WHERE cv_id = {own_id} AND role = 'cpi_operator' AND reader_id = 2")), 1);
    assert_eq!(giulia.send(giulia.request("GET", "/api/operator/cv/999/file", T0)).0, 403, "unknown: as another CPI's");
    // a citizen is not an operator
    assert_eq!(mario.json("GET", list, None, T0).1["error"]["code"], "operator_required");
}
