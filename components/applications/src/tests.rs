//! Applications natively through [`super::handle`], against the real migrations, the
//! reference data and the offers fixture: applying with declarations and a CV, once per
//! offer; the person's list with its filters; withdrawal; the operator's esiti, each
//! e-mailed, and forward only; the company's view of what the CPI sent it; the CV as
//! sent, read and logged; everyone else refused.

use access::testing::{req, seed, sign_in};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::handle;

const T0: i64 = 1_800_000_000; // 2027-01-15

fn db() -> rusqlite::Connection {
    let c = testing::with_reference();
    seed(&c);
    testing::run(&c, &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/offers.sql")).unwrap());
    testing::run(
        &c,
        "-- Giulia (2): active, operator of Prato
         INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
           residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
           VALUES (2, 'active', 'citizen', '1990-01-01', 'D612', '100005', '59100', 'Via Roma 9', 1, 'giulia@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x');
         INSERT INTO staff_roles (fiscal_code, role, cpi_code, granted_by, granted_at) VALUES ('BNCGLI90A41D612I', 'operator', 'prato', 'test', 0);
         -- PO-9000001 is for ACME (1)
         INSERT INTO offer_terms (offer_id, company_id, application_mode, created_by, created_at, updated_by, updated_at) VALUES (1, 1, 'online', 2, 0, 2, 0);
         -- Mario's CV (person 1)
         INSERT INTO cvs (id, handle, person_id, description, search_consent, uploaded_by_cpi, file_name, file_kind, file_size, file_sha256,
           anonymised_text, created_at, updated_at, last_activity_at)
           VALUES (7, 'h7', 1, 'CV cuoco', 0, 0, 'cv.pdf', 'pdf', 8, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'testo', 0, 0, 0);
         INSERT INTO cv_files (cv_id, content) VALUES (7, X'255044462D312E34');",
    );
    c
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
}

impl Who<'_> {
    fn call(&self, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        let r = self.req(method, target, body);
        let reply = handle(&r, self.db);
        (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }

    fn req(&self, method: &str, target: &str, body: Option<Value>) -> Req {
        let r = req(method, target, &self.id, T0).header_set("x-csrf-token", &self.csrf);
        match body {
            Some(b) => r.json_body(&b),
            None => r,
        }
    }
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, T0);
    Who { db, id, csrf }
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    Db::execute(db, sql, &[]).unwrap().scalar("n").unwrap()
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

fn apply_body(n: usize) -> Value {
    json!({"offer": "PO-9000001", "cv_id": 7, "declarations": vec![true; n]})
}

#[test]
fn apply_once_with_every_requirement_declared_then_the_esiti() {
    let c = db();
    let mario = who(&c, 1);
    let (s, form) = mario.call("GET", "/api/applications/form?offer=po-9000001", None);
    assert_eq!(s, 200, "{form}");
    let reqs = form["requirements"].as_array().unwrap().len();
    assert_eq!(reqs, 3, "qualifica, experience, own transport: {form}");
    assert_eq!((form["cvs"][0]["id"].as_i64(), form["applied"].is_null()), (Some(7), true));
    // every requirement must be declared, the CV must be the person's
    let (s, e) = mario.call("POST", "/api/applications", Some(json!({"offer": "PO-9000001", "cv_id": 99, "declarations": [true, false]})));
    assert_eq!(s, 422);
    let fields: Vec<&str> = e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["declarations.1", "declarations.2", "cv_id"]);
    assert_eq!(count(&c, "SELECT count(*) AS n FROM applications"), 0);
    let (s, a) = mario.call("POST", "/api/applications", Some(apply_body(reqs)));
    assert_eq!((s, a["status_label"].as_str()), (201, Some("Inserita")), "{a}");
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["declarations"].as_array().unwrap().len(), 3);
    assert_eq!(code(&mario.call("POST", "/api/applications", Some(apply_body(reqs))).1), "already_applied");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM outbox WHERE template = 'application_received'"), 1);
    // the CV as sent, even after the person changes their CV
    testing::run(&c, "UPDATE cv_files SET content = X'00' WHERE cv_id = 7");
    let file = handle(&mario.req("GET", &format!("/api/applications/{id}/cv"), None), &c);
    assert_eq!((file.status, file.body.as_slice()), (200, &b"%PDF-1.4"[..]));
    // the operator of Prato sets the esiti, forward only, each e-mailed and audited
    let giulia = who(&c, 2);
    let (s, list) = giulia.call("GET", "/api/operator/applications?offer=PO-9000001", None);
    assert_eq!((s, list["total"].as_i64()), (200, Some(1)), "{list}");
    assert_eq!(list["items"][0]["candidate"]["fiscal_code"], "RSSMRA85C14D612R");
    let (s, v) = giulia.call("POST", &format!("/api/operator/applications/{id}/status"), Some(json!({"status": "presa_in_carico"})));
    assert_eq!((s, v["status_label"].as_str()), (200, Some("Preso in carico")), "{v}");
    assert_eq!(code(&mario.call("POST", &format!("/api/applications/{id}/withdraw"), Some(json!({}))).1), "not_withdrawable");
    let (s, v) = giulia.call("POST", &format!("/api/operator/applications/{id}/status"), Some(json!({"status": "inviata", "note": "Profilo adatto,\nsegnalato all'azienda"})));
    assert_eq!((s, v["status"].as_str()), (200, Some("inviata")), "{v}");
    assert_eq!(code(&giulia.call("POST", &format!("/api/operator/applications/{id}/status"), Some(json!({"status": "presa_in_carico"}))).1), "status_not_allowed");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM outbox WHERE template = 'application_status'"), 2);
    assert_eq!(count(&c, "SELECT count(*) AS n FROM audit_log WHERE action = 'application.status'"), 2);
    let op_file = handle(&giulia.req("GET", &format!("/api/operator/applications/{id}/cv"), None), &c);
    assert_eq!(op_file.status, 200);
    assert_eq!(count(&c, "SELECT count(*) AS n FROM cv_access_log WHERE role = 'cpi_operator' AND reader_id = 2"), 1);
    // the person sees the esito and its timeline
    let (_, mine) = mario.call("GET", &format!("/api/applications/{id}"), None);
    assert_eq!((mine["status_label"].as_str(), mine["timeline"].as_array().unwrap().len()), (Some("Inviata all'azienda"), 3));
    let (_, filtered) = mario.call("GET", "/api/applications?status=inviata", None);
    assert_eq!(filtered["total"], 1);
    assert_eq!(mario.call("GET", "/api/applications?status=inserita", None).1["total"], 0);
    // the company (ACME, acted for by Mario) now sees it, with the CV
    access::session::set_acting(&c, &access::session::current(&c, &mario.req("GET", "/", None)).unwrap().unwrap(), Some(1)).unwrap();
    let (s, sent) = mario.call("GET", "/api/company/applications", None);
    assert_eq!((s, sent["total"].as_i64()), (200, Some(1)), "{sent}");
    assert_eq!(sent["items"][0]["candidate"]["family_name"], "Rossi");
    assert_eq!(handle(&mario.req("GET", &format!("/api/company/applications/{id}/cv"), None), &c).status, 200);
    let (_, offers) = mario.call("GET", "/api/company/offers", None);
    assert_eq!((offers["items"][0]["offer"]["code"].as_str(), offers["items"][0]["sent"].as_i64()), (Some("PO-9000001"), Some(1)));
}

#[test]
fn offers_that_take_no_online_application_and_other_people() {
    let c = db();
    let mario = who(&c, 1);
    assert_eq!(code(&mario.call("GET", "/api/applications/form?offer=GR-9000003", None).1), "offer_not_online", "public administrations");
    assert_eq!(code(&mario.call("GET", "/api/applications/form?offer=PI-9000004", None).1), "offer_closed", "expired");
    assert_eq!(code(&mario.call("GET", "/api/applications/form?offer=LU-9000006", None).1), "offer_closed", "closed");
    assert_eq!(code(&mario.call("GET", "/api/applications/form?offer=XX-1", None).1), "offer_not_found");
    let (_, a) = mario.call("POST", "/api/applications", Some(apply_body(3)));
    let id = a["id"].as_i64().unwrap();
    // Giulia is not the owner: 404; an operator of another CPI: 404; not acting: 403
    let giulia = who(&c, 2);
    assert_eq!(code(&giulia.call("GET", &format!("/api/applications/{id}"), None).1), "application_not_found");
    testing::run(&c, "UPDATE staff_roles SET cpi_code = 'pisa'");
    assert_eq!(code(&giulia.call("GET", &format!("/api/operator/applications/{id}"), None).1), "application_not_found");
    assert_eq!(code(&giulia.call("GET", "/api/company/applications", None).1), "not_acting_for_company");
    assert_eq!(code(&mario.call("GET", "/api/operator/applications", None).1), "operator_required");
    assert_eq!(handle(&Req::new("GET", "/api/applications"), &c).status, 401);
    // the company sees nothing before the CPI sends it
    access::session::set_acting(&c, &access::session::current(&c, &mario.req("GET", "/", None)).unwrap().unwrap(), Some(1)).unwrap();
    assert_eq!(mario.call("GET", "/api/company/applications", None).1["total"], 0);
    assert_eq!(handle(&mario.req("GET", &format!("/api/company/applications/{id}/cv"), None), &c).status, 403);
    // withdrawal while inserita, then a new application is possible
    access::session::set_acting(&c, &access::session::current(&c, &mario.req("GET", "/", None)).unwrap().unwrap(), None).unwrap();
    let (s, w) = mario.call("POST", &format!("/api/applications/{id}/withdraw"), Some(json!({})));
    assert_eq!((s, w["status"].as_str()), (200, Some("ritirata")));
    assert_eq!(mario.call("POST", "/api/applications", Some(apply_body(3))).0, 201);
    assert_eq!(mario.call("GET", "/api/applications?history=true", None).1["total"], 2);
}
