//! Records natively through [`super::handle`], against the real migrations and reference
//! lists: an operator of Prato keeps the record of a citizen of Prato (422 for bad fields,
//! 403 for a citizen of another CPI, audited); the citizen's lists, SAP and Libretto show
//! it, with the manual's texts for empty sections; the export holds the person's rows of
//! every table and nothing of anyone else; every table of the schema is either exported
//! or declared not personal.

use std::collections::BTreeSet;
use std::io::Read;

use access::testing::{req, seed, sign_in};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::{export, handle};

/// Monday 7 December 2026, 10:00 in Rome.
const T0: i64 = 1_796_634_000;
const ANNA: &str = "VRDNNA80A41G999S";
const MARIO: &str = "RSSMRA85C14D612R";

fn db() -> rusqlite::Connection {
    let c = testing::with_reference();
    seed(&c);
    testing::run(
        &c,
        "-- Giulia (2): operator of Prato; Anna (3): citizen of Prato; Piero (4): operator of Firenze; Mario (1): citizen of Firenze
         INSERT INTO people (id, fiscal_code, name, family_name, gender, last_method, first_login_at, last_login_at)
           VALUES (3, 'VRDNNA80A41G999S', 'Anna', 'Verdi', 'F', 'spid', 'x', 'x'), (4, 'NRIPRI70A01D612Z', 'Piero', 'Neri', 'M', 'spid', 'x', 'x');
         INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
           residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
           VALUES (2, 'active', 'citizen', '1990-01-01', 'D612', '100005', '59100', 'Via Roma 9', 1, 'giulia@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x'),
                  (3, 'active', 'citizen', '1980-01-01', 'G999', '100005', '59100', 'Via Roma 10', 1, 'anna@example.org', '+393470000001', 'x', '1', 'x', 'x', 'x'),
                  (4, 'active', 'citizen', '1970-01-01', 'D612', '048017', '50100', 'Via Roma 11', 1, 'piero@example.org', '+393470000002', 'x', '1', 'x', 'x', 'x');
         INSERT INTO staff_roles (fiscal_code, role, cpi_code, granted_by, granted_at) VALUES
           ('BNCGLI90A41D612I', 'operator', 'prato', 'test', 0), ('NRIPRI70A01D612Z', 'operator', 'firenze', 'test', 0);",
    );
    c
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, T0);
    Who { db, id, csrf }
}

impl Who<'_> {
    fn req(&self, method: &str, target: &str, body: Option<Value>) -> Req {
        let r = req(method, target, &self.id, T0).header_set("x-csrf-token", &self.csrf);
        match body {
            Some(b) => r.json_body(&b),
            None => r,
        }
    }

    fn call(&self, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        let reply = handle(&self.req(method, target, body), self.db);
        (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }

    fn raw(&self, target: &str) -> common::Reply {
        handle(&self.req("GET", target, None), self.db)
    }

    fn post(&self, target: &str, body: Value) -> Value {
        let (status, v) = self.call("POST", target, Some(body));
        assert!(status == 200 || status == 201, "{target}: {status} {v}");
        v
    }
}

fn rec(path: &str, cf: &str) -> String {
    format!("/api/operator/records{path}?person={cf}")
}

/// Text of every part of a print (for the checks of what it says).
fn print_text(v: &Value) -> String {
    v["parts"].to_string()
}

#[test]
fn routes_name_sections_and_refuse_unknown_ones() {
    use super::{Route, route};
    assert_eq!(route("GET", "/api/records/activities").unwrap(), Route::Activities);
    assert_eq!(route("POST", "/api/operator/records/experiences").unwrap(), Route::Add("experiences".into()));
    assert_eq!(route("POST", "/api/operator/records/languages/7/delete").unwrap(), Route::Delete("languages".into(), 7));
    assert_eq!(route("POST", "/api/operator/records/nonsense").unwrap_err().status, 404);
    assert_eq!(route("POST", "/api/records/sap").unwrap_err().status, 405);
    assert_eq!(route("GET", "/api/operator/records/experiences/x").unwrap_err().status, 404);
}

#[test]
fn every_table_is_exported_or_declared_not_personal() {
    let c = db();
    let tables: BTreeSet<String> = Db::execute(&c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", &[])
        .unwrap()
        .rows()
        .map(|r| r.text("name").unwrap())
        .collect();
    let exported: BTreeSet<&str> = export::EXPORTED.iter().map(|e| e.table).collect();
    let not_personal: BTreeSet<&str> = export::NOT_PERSONAL.iter().map(|(t, _)| *t).collect();
    assert_eq!(exported.len(), export::EXPORTED.len(), "a table exported twice");
    let mut missing = Vec::new();
    for t in &tables {
        match (exported.contains(t.as_str()), not_personal.contains(t.as_str())) {
            (true, true) => panic!("{t} is both exported and declared not personal"),
            (false, false) => missing.push(t.clone()),
            _ => {}
        }
    }
    assert!(missing.is_empty(), "tables neither exported (export::EXPORTED) nor declared not personal (export::NOT_PERSONAL): {missing:?}");
    for t in exported.iter().chain(&not_personal) {
        assert!(tables.contains(*t), "{t} is declared but not in the schema");
    }
    for (t, why) in export::NOT_PERSONAL {
        assert!(!why.trim().is_empty(), "{t}: give the reason");
    }
    // every selection runs, and every omitted column exists
    for e in export::EXPORTED {
        export::rows(&c, e, 1, MARIO).unwrap_or_else(|err| panic!("{}: {err:?}", e.table));
        let cols: Vec<String> = Db::execute(&c, &format!("SELECT name FROM pragma_table_info('{}')", e.table), &[]).unwrap().rows().map(|r| r.text("name").unwrap()).collect();
        for o in e.omit {
            assert!(cols.iter().any(|c| c == o), "{}: omitted column {o} does not exist", e.table);
        }
    }
}

#[test]
fn operators_keep_the_record_of_their_citizens_only_with_checked_fields() {
    let c = db();
    let giulia = who(&c, 2);
    let piero = who(&c, 4);
    let anna = who(&c, 3);

    // refusals: a citizen is no operator; another CPI's citizen; nobody with that code
    assert_eq!(anna.call("GET", &rec("", ANNA), None).1["error"]["code"], "operator_required");
    assert_eq!(piero.call("GET", &rec("", ANNA), None).1["error"]["code"], "not_citizen_of_cpi");
    assert_eq!(piero.call("POST", &rec("/experiences", ANNA), Some(json!({"employer": "X", "role": "Y", "start_date": "2020-01-01"}))).0, 403);
    assert_eq!(giulia.call("GET", &rec("", MARIO), None).1["error"]["code"], "not_citizen_of_cpi");
    assert_eq!(giulia.call("GET", &rec("", "ZZZZZZ00A01H501X"), None).0, 422);

    // 422 with every field's message; 400 for an unknown field; nothing written
    let (status, v) = giulia.call("POST", &rec("/experiences", ANNA), Some(json!({"employer": "", "role": "Cuoca", "start_date": "2020-13-01", "end_date": "2019-01-01"})));
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&str> = v["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"employer") && fields.contains(&"start_date"), "{v}");
    let (status, v) = giulia.call("POST", &rec("/experiences", ANNA), Some(json!({"employer": "A", "role": "B", "start_date": "2020-01-01", "end_date": "2019-01-01"})));
    assert_eq!((status, v["error"]["fields"][0]["code"].as_str()), (422, Some("before_start")), "{v}");
    assert_eq!(giulia.call("POST", &rec("/languages", ANNA), Some(json!({"language_code": "xx", "level_code": "B2"}))).0, 422);
    assert_eq!(giulia.call("POST", &rec("/languages", ANNA), Some(json!({"language_code": "en", "level_code": "B2", "extra": 1}))).0, 400);
    assert_eq!(testing_count(&c, "record_experiences") + testing_count(&c, "record_languages"), 0);

    // the writes, each audited
    let exp = giulia.post(&rec("/experiences", ANNA), json!({"employer": "Trattoria Da Gino", "role": "Cuoca", "start_date": "2019-03-01", "end_date": "2021-06-30", "validated": true}));
    giulia.post(&rec("/experiences", ANNA), json!({"employer": "Bar Centrale", "role": "Barista", "start_date": "2022-01-10"}));
    giulia.post(&rec("/education", ANNA), json!({"title_code": "40", "description": "Diploma alberghiero", "institute": "IPSSAR Datini", "year": 1999, "validated": true}));
    giulia.post(&rec("/training", ANNA), json!({"title": "HACCP", "provider": "Agenzia Formativa Prato", "hours": 12, "end_date": "2019-02-01"}));
    giulia.post(&rec("/languages", ANNA), json!({"language_code": "en", "level_code": "B2"}));
    giulia.post(&rec("/it_skills", ANNA), json!({"skill": "Foglio di calcolo", "level": "buono"}));
    giulia.post(&rec("/licences", ANNA), json!({"licence_code": "B", "issued_on": "1999-05-01"}));
    giulia.post(&rec("/activities", ANNA), json!({"activity_code": "A01", "proposed_on": "2020-02-04", "appointment_on": "2020-02-04", "started_on": "2020-02-04", "ended_on": "2020-02-04", "promoter": "E202C000002", "project": "05 - Presa in carico D.Lgs. 150", "interview_date": "2020-05-25", "interview_type": "Disoccupato ai sensi del 150", "interview_responsible": "Mario Operatore"}));
    giulia.post(&rec("/gg_activities", ANNA), json!({"proposed_on": "2021-06-14", "action_code": "5", "appointment_at": "2021-06-14T09:30", "provider": "FIRENZE"}));
    let course = giulia.post("/api/operator/courses", json!({"title": "Addetto alla contabilità", "description": "Corso di 300 ore", "trainer": "Agenzia Formativa Toscana", "start_date": "2026-01-10", "end_date": "2026-06-30"}));
    giulia.post(&rec("/enrolments", ANNA), json!({"course_id": course["id"]}));
    assert_eq!(giulia.call("POST", &rec("/enrolments", ANNA), Some(json!({"course_id": course["id"]}))).0, 422, "enrolled once");
    giulia.post(&rec("/admin", ANNA), json!({"employment_status": "Disoccupato", "condition": "In conservazione ordinaria", "unemployment_months": 4, "did_date": "2020-01-31", "obligation_fulfilled": false, "citizenship": "Italiana"}));
    let audits = Db::execute(&c, "SELECT action FROM audit_log WHERE actor_id = 2 ORDER BY id", &[]).unwrap();
    let actions: Vec<String> = audits.rows().map(|r| r.text("action").unwrap()).collect();
    assert!(actions.contains(&"record.experiences.create".to_string()) && actions.contains(&"record.admin.update".to_string()) && actions.contains(&"course.create".to_string()), "{actions:?}");

    // edit and delete a row; another person's row id is not found
    let id = exp["id"].as_i64().unwrap();
    let edited = giulia.post(&rec(&format!("/experiences/{id}"), ANNA), json!({"employer": "Trattoria Da Gino S.N.C.", "role": "Cuoca", "start_date": "2019-03-01", "end_date": "2021-06-30", "validated": true}));
    assert_eq!(edited["employer"], "Trattoria Da Gino S.N.C.");
    let it = giulia.post(&rec("/it_skills", ANNA), json!({"skill": "Da cancellare"}));
    giulia.post(&rec(&format!("/it_skills/{}/delete", it["id"]), ANNA), json!({}));
    let (_, whole) = giulia.call("GET", &rec("", ANNA), None);
    assert_eq!(whole["record"]["sections"]["it_skills"].as_array().unwrap().len(), 1);
    assert_eq!(whole["record"]["admin"]["employment_status"], "Disoccupato");
    assert_eq!(giulia.call("POST", &rec(&format!("/experiences/{}", id + 100), ANNA), Some(json!({"employer": "A", "role": "B", "start_date": "2020-01-01"}))).0, 404);

    // the citizen's lists with paging
    let (_, acts) = anna.call("GET", "/api/records/activities", None);
    assert_eq!(acts["total"], 1);
    assert_eq!(acts["items"][0]["label"], "A01 - COLLOQUI DI ORIENTAMENTO");
    assert_eq!(acts["items"][0]["interview"]["type"], Value::Null);
    assert_eq!(acts["items"][0]["interview"]["kind"], "Disoccupato ai sensi del 150");
    let (_, g) = anna.call("GET", "/api/records/gg", None);
    assert_eq!((g["items"][0]["action"].as_str(), g["items"][0]["provider"].as_str()), (Some("TIROCINIO EXTRACURRICULARE"), Some("FIRENZE")));
    let (_, courses) = anna.call("GET", "/api/records/courses?page_size=1", None);
    assert_eq!((courses["total"].as_i64(), courses["items"][0]["trainer"].as_str()), (Some(1), Some("Agenzia Formativa Toscana")));
    assert_eq!(anna.call("GET", "/api/records/courses?page=2", None).0, 400, "past the last page");
    let (_, none) = who(&c, 1).call("GET", "/api/records/courses", None);
    assert_eq!(none["total"], 0, "Mario has none");

    // SAP and Libretto
    let (_, sap) = anna.call("GET", "/api/records/sap", None);
    let text = print_text(&sap);
    for expected in ["Sezione 1.1 - Dati Personali", ANNA, "FEMMINA", "PRATO", "DISOCCUPATO", "IN CONSERVAZIONE ORDINARIA", "31/01/2020", "Trattoria Da Gino S.N.C.", "DIPLOMA DI ISTRUZIONE SECONDARIA SUPERIORE", "HACCP", "INGLESE", "B2 - LIVELLO INTERMEDIO SUPERIORE", "Foglio di calcolo", "PATENTE B", "A01 - COLLOQUI DI ORIENTAMENTO", "05 - Presa in carico D.Lgs. 150", "Nessuna iscrizione ad albi ed ordini professionali", "Nessuna iscrizione a liste speciali"] {
        assert!(text.contains(expected), "SAP lacks {expected}: {text}");
    }
    assert!(!text.contains("Nessuna esperienza lavorativa"));
    let (_, libretto) = anna.call("GET", "/api/records/libretto", None);
    let text = print_text(&libretto);
    assert!(text.contains("Trattoria Da Gino") && !text.contains("Bar Centrale"), "only validated experiences: {text}");
    assert!(text.contains("IPSSAR Datini") && text.contains("Nessuna formazione"), "{text}");
    let pdf = anna.raw("/api/records/sap/pdf");
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    assert!(pdf.body.starts_with(b"%PDF"));
    assert_eq!(giulia.raw(&rec("/sap", ANNA)).status, 200);
    assert_eq!(piero.raw(&rec("/libretto", ANNA)).status, 403);
}

fn testing_count(c: &rusqlite::Connection, table: &str) -> i64 {
    Db::execute(c, &format!("SELECT COUNT(*) AS n FROM {table}"), &[]).unwrap().scalar("n").unwrap()
}

#[test]
fn an_empty_sap_shows_the_manuals_texts() {
    let c = db();
    let (_, sap) = who(&c, 1).call("GET", "/api/records/sap", None);
    let text = print_text(&sap);
    for empty in [
        "Nessuna esperienza lavorativa",
        "Nessun titolo di studio conseguito",
        "Nessuna formazione",
        "Nessuna lingua straniera conosciuta",
        "Nessuna conoscenza informatica",
        "Nessuna iscrizione ad albi ed ordini professionali",
        "Nessuna patente",
        "Nessuna iscrizione a liste speciali",
        "Sezione 2.1.1 - Stato in anagrafe",
        "Sezione 6 - Interventi di Politiche Attive",
        "MASCHIO",
        "FIRENZE",
    ] {
        assert!(text.contains(empty), "{empty}: {text}");
    }
    assert_eq!(who(&c, 1).call("GET", "/api/records/gg", None).1["items"], json!([]));
    let anonymous = handle(&Req::new("GET", "/api/records/sap").at(T0), &c);
    assert_eq!(anonymous.status, 401);
}

#[test]
fn the_export_holds_the_persons_rows_and_files_and_nothing_of_anyone_else() {
    let c = db();
    let giulia = who(&c, 2);
    giulia.post(&rec("/experiences", ANNA), json!({"employer": "Trattoria Da Gino", "role": "Cuoca", "start_date": "2019-03-01"}));
    giulia.post(&rec("/experiences", "BNCGLI90A41D612I"), json!({"employer": "Segreto di Giulia", "role": "X", "start_date": "2019-03-01"}));
    testing::run(
        &c,
        "INSERT INTO cvs (id, handle, person_id, description, search_consent, uploaded_by_cpi, file_name, file_kind, file_size, file_sha256, anonymised_text, created_at, updated_at, last_activity_at)
           VALUES (1, 'h1', 3, 'CV di Anna', 0, 0, 'anna.pdf', 'pdf', 9, printf('%064d', 0), 'testo', 0, 0, 0),
                  (2, 'h2', 2, 'CV di Giulia', 0, 0, 'giulia.pdf', 'pdf', 9, printf('%064d', 0), 'testo', 0, 0, 0);
         INSERT INTO cv_files (cv_id, content) VALUES (1, X'25504446414E4E41'), (2, X'2550444647495549');",
    );
    let anna = who(&c, 3);
    let reply = anna.raw("/api/records/export");
    assert_eq!((reply.status, reply.header("content-type")), (200, Some("application/zip")));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(reply.body)).unwrap();
    let mut all = String::new();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for n in &names {
        let mut buf = Vec::new();
        zip.by_name(n).unwrap().read_to_end(&mut buf).unwrap();
        if n.ends_with(".json") {
            all.push_str(&String::from_utf8(buf).unwrap());
        } else {
            assert_eq!(buf, b"%PDFANNA", "{n}");
        }
    }
    assert!(names.contains(&"file/curriculum/1-anna.pdf".to_string()), "{names:?}");
    assert!(all.contains("Trattoria Da Gino") && all.contains(ANNA) && all.contains("anna@example.org"));
    for other in ["Segreto di Giulia", "BNCGLI90A41D612I", "giulia@example.org", "MARIO", "RSSMRA85C14D612R", "giulia.pdf"] {
        assert!(!all.contains(other), "the export holds {other}");
    }
    // the person's rows of every exported table: as many as the database holds
    let mut index = String::new();
    zip.by_name("indice.json").unwrap().read_to_string(&mut index).unwrap();
    let index: Value = serde_json::from_str(&index).unwrap();
    for t in index["tables"].as_array().unwrap() {
        let e = export::EXPORTED.iter().find(|e| e.table == t["table"]).unwrap();
        let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE {}", e.table, e.select);
        let n = if e.select.contains("?2") { Db::execute(&c, &sql, common::params![3, ANNA]) } else { Db::execute(&c, &sql, common::params![3]) };
        let n = n.unwrap().scalar("n").unwrap();
        assert_eq!(t["rows"].as_i64(), Some(n), "{}", e.table);
    }
    assert!(all.contains("\"sessions\"") && !all.contains(&anna.csrf), "sessions without their secrets");
    // ten an hour, then 429 with Retry-After
    for _ in 1..super::EXPORTS_PER_HOUR {
        assert_eq!(anna.raw("/api/records/export").status, 200);
    }
    let refused = anna.raw("/api/records/export");
    assert_eq!((refused.status, refused.header("retry-after").is_some()), (429, true));
}
