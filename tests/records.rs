//! Records and prints (issue 19) end to end, through the HTTP API: an operator of
//! Firenze keeps the record of a citizen of Firenze (administrative state, experiences,
//! education, training, languages, IT skills, albi, patenti, special lists, activities
//! 150/RDC, Garanzia Giovani, a regional course); the citizen's lists (with paging), SAP
//! and Libretto show it, and the PDFs' text (pdftotext) holds each section's data and
//! pdfinfo reports them tagged; an empty record shows the manual's texts; another citizen
//! and an operator of another CPI are refused; the export ("Scarica i miei dati") holds
//! every row of that person in every table with a person column, the CV as uploaded, and
//! nothing of anyone else, checked against the runner's own database file.
//!
//! People (config/test-idp): 6 Sofia Gallo is the bootstrap administrator; 4 Chiara
//! Ricci is an operator of Firenze, 5 Alessandro Romano of Prato; 1 Giulia Bianchi and
//! 2 Francesca Esposito are citizens of Firenze.

use std::collections::HashMap;
use std::io::Read;
use std::process::Command;

use e2e::client::{Client, registered_citizen};
use e2e::staff::{self, CF, EMAIL};
use e2e::{App, Start};
use serde_json::{Value, json};

fn start(state: &std::path::Path) -> App {
    Start::portal(state).arg("--variable").arg(format!("bootstrap_admins={}", CF[6])).start()
}

/// pdfinfo (tagged, its title) and pdftotext of a PDF.
fn pdf_text(bytes: &[u8], title: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, bytes).unwrap();
    let info = Command::new("pdfinfo").arg(&file).output().expect("pdfinfo (poppler-utils) is installed by scripts/test");
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "not tagged:\n{info}");
    assert!(info.contains(title), "no title {title}:\n{info}");
    let out = Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    // table cells wrap: one space for each run of white space
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ok(r: &e2e::Reply) -> Value {
    assert!(r.status == 200 || r.status == 201, "{} {}", r.status, r.body);
    r.json()
}

fn rec(path: &str, cf: &str) -> String {
    format!("/api/operator/records{path}?person={cf}")
}

#[test]
fn records_from_the_operator_to_the_citizens_lists_prints_and_export() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let admin = registered_citizen(&app, 6);
    let operator = registered_citizen(&app, 4);
    let prato = registered_citizen(&app, 5);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    staff::grant(&admin, CF[5], "operator", Some("prato"));
    let giulia = registered_citizen(&app, 1);
    let francesca = registered_citizen(&app, 2);
    let giulia_cv = staff::cv_file(&e2e::cvfiles::cv_text("Giulia Bianchi", CF[1], EMAIL[1], "+39 338 9876543", "23/07/1992", "cuoco"));
    staff::upload_cv(&giulia, &giulia_cv, "CV cuoca");
    let francesca_cv = staff::cv_file(&e2e::cvfiles::cv_text("Francesca Esposito", CF[2], EMAIL[2], "+39 338 1111111", "05/11/1978", "commessa"));
    staff::upload_cv(&francesca, &francesca_cv, "CV commessa");

    // refusals: another CPI's operator, a citizen, a bad field
    assert_eq!(prato.get(&rec("", CF[1])).json()["error"]["code"], "not_citizen_of_cpi");
    assert_eq!(prato.post(&rec("/experiences", CF[1]), &json!({"employer": "X", "role": "Y", "start_date": "2020-01-01"})).status, 403);
    assert_eq!(francesca.get(&rec("", CF[1])).status, 403);
    let bad = operator.post(&rec("/experiences", CF[1]), &json!({"employer": "", "role": "Cuoca", "start_date": "31/12/2020"}));
    assert_eq!((bad.status, bad.json()["error"]["code"].as_str()), (422, Some("invalid_fields")), "{}", bad.body);

    // the operator keeps Giulia's record
    ok(&operator.post(&rec("/admin", CF[1]), &json!({"employment_status": "Disoccupato", "condition": "In conservazione ordinaria", "unemployment_months": 4, "did_date": "2020-01-31", "obligation_fulfilled": true, "citizenship": "Italiana", "isee": "12000"})));
    ok(&operator.post(&rec("/experiences", CF[1]), &json!({"employer": "Trattoria Da Gino", "role": "Cuoca", "contract": "Tempo determinato", "start_date": "2019-03-01", "end_date": "2021-06-30", "validated": true})));
    ok(&operator.post(&rec("/experiences", CF[1]), &json!({"employer": "Bar Centrale", "role": "Barista", "start_date": "2022-01-10"})));
    ok(&operator.post(&rec("/education", CF[1]), &json!({"title_code": "40", "description": "Diploma alberghiero", "institute": "IPSSAR Buontalenti", "year": 2011, "validated": true})));
    ok(&operator.post(&rec("/training", CF[1]), &json!({"title": "Corso HACCP", "provider": "Agenzia Formativa Firenze", "hours": 12, "end_date": "2019-02-01", "validated": true})));
    ok(&operator.post(&rec("/languages", CF[1]), &json!({"language_code": "fr", "level_code": "B1"})));
    ok(&operator.post(&rec("/it_skills", CF[1]), &json!({"skill": "Gestionale di cassa", "level": "buono"})));
    ok(&operator.post(&rec("/albi", CF[1]), &json!({"name": "Albo dei cuochi professionisti", "number": "FI-123"})));
    ok(&operator.post(&rec("/licences", CF[1]), &json!({"licence_code": "B", "issued_on": "2011-05-01"})));
    ok(&operator.post(&rec("/special_lists", CF[1]), &json!({"list_name": "Collocamento mirato L. 68/99", "since": "2020-01-01"})));
    ok(&operator.post(&rec("/activities", CF[1]), &json!({"activity_code": "A01", "proposed_on": "2020-02-04", "appointment_on": "2020-02-04", "started_on": "2020-02-04", "ended_on": "2020-02-04", "description": "a01", "promoter": "E202C000002", "project": "05 - Presa in carico D.Lgs. 150", "interview_date": "2020-05-25", "interview_type": "Disoccupato ai sensi del 150", "interview_responsible": "Chiara Ricci"})));
    for day in 1..=11 {
        ok(&operator.post(&rec("/activities", CF[1]), &json!({"activity_code": "A02", "proposed_on": format!("2021-03-{day:02}")})));
    }
    ok(&operator.post(&rec("/gg_activities", CF[1]), &json!({"proposed_on": "2021-06-14", "action_code": "5", "appointment_at": "2021-06-14T00:00", "provider": "FIRENZE"})));
    let course = ok(&operator.post("/api/operator/courses", &json!({"title": "Addetto alla contabilità", "description": "Corso di 300 ore con stage", "trainer": "Agenzia Formativa Toscana", "start_date": "2026-01-10", "end_date": "2026-06-30"})));
    ok(&operator.post(&rec("/enrolments", CF[1]), &json!({"course_id": course["id"]})));

    // the citizen's lists, with paging
    let acts = giulia.get("/api/records/activities").json_checked();
    assert_eq!((acts["total"].as_i64(), acts["items"].as_array().unwrap().len()), (Some(12), 10));
    let page2 = giulia.get("/api/records/activities?page=2").json_checked();
    let last = &page2["items"][1];
    assert_eq!((last["label"].as_str(), last["interview"]["kind"].as_str()), (Some("A01 - COLLOQUI DI ORIENTAMENTO"), Some("Disoccupato ai sensi del 150")));
    let gg = giulia.get("/api/records/gg").json_checked();
    assert_eq!((gg["items"][0]["action"].as_str(), gg["items"][0]["provider"].as_str()), (Some("TIROCINIO EXTRACURRICULARE"), Some("FIRENZE")));
    let courses = giulia.get("/api/records/courses").json_checked();
    assert_eq!(courses["items"][0]["title"], "Addetto alla contabilità");
    assert_eq!(francesca.get("/api/records/courses").json_checked()["total"], 0);
    assert_eq!(francesca.get("/api/records/activities").json_checked()["items"], json!([]));

    // the SAP: page data and PDF
    let (status, headers, sap) = giulia.get_bytes("/api/records/sap/pdf");
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v == "application/pdf"));
    let text = pdf_text(&sap, "Scheda anagrafico-professionale");
    for expected in [
        "Sezione 1.1 - Dati Personali",
        CF[1],
        "FEMMINA",
        "Sezione 1.2 - Notizie sui cittadini stranieri",
        "Sezione 1.3.1 - Residenza",
        "FIRENZE",
        "Sezione 2.1.1 - Stato in anagrafe",
        "DISOCCUPATO",
        "IN CONSERVAZIONE ORDINARIA",
        "31/01/2020",
        "Sezione 2.3",
        "12000",
        "Trattoria Da Gino",
        "Bar Centrale",
        "DIPLOMA DI ISTRUZIONE SECONDARIA SUPERIORE",
        "Corso HACCP",
        "FRANCESE",
        "Gestionale di cassa",
        "Albo dei cuochi professionisti",
        "PATENTE B",
        "Collocamento mirato L. 68/99",
        "A01 - COLLOQUI DI ORIENTAMENTO",
        "E202C000002",
        "Sezione 6.1 - Interventi di Politiche Attive",
    ] {
        assert!(text.contains(expected), "the SAP PDF lacks {expected:?}:\n{text}");
    }
    let empty = francesca.get("/api/records/sap").json_checked();
    let parts = empty["parts"].to_string();
    for text in ["Nessuna esperienza lavorativa", "Nessun titolo di studio conseguito", "Nessuna formazione", "Nessuna lingua straniera conosciuta", "Nessuna conoscenza informatica", "Nessuna iscrizione ad albi ed ordini professionali", "Nessuna patente", "Nessuna iscrizione a liste speciali"] {
        assert!(parts.contains(text), "the empty SAP lacks {text}");
    }
    let (_, _, empty_pdf) = francesca.get_bytes("/api/records/sap/pdf");
    assert!(pdf_text(&empty_pdf, "Scheda anagrafico-professionale").contains("Nessuna esperienza lavorativa"));

    // the Libretto: validated entries only
    let (status, _, libretto) = giulia.get_bytes("/api/records/libretto/pdf");
    assert_eq!(status, 200);
    let text = pdf_text(&libretto, "Libretto formativo");
    assert!(text.contains("Trattoria Da Gino") && text.contains("IPSSAR Buontalenti") && text.contains("Corso HACCP"), "{text}");
    assert!(!text.contains("Bar Centrale"), "not validated: {text}");

    // a document to sign for Giulia and one for Francesca: the export holds Giulia's PDF only
    for cf in [CF[1], CF[2]] {
        ok(&operator.post("/api/operator/documents", &json!({ "fiscal_code": cf, "kind": "ricevuta_did", "text": "Dichiarazione di immediata disponibilità." })));
    }
    // the export against the runner's database
    let (status, headers, zip_bytes) = giulia.get_bytes("/api/records/export");
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v == "application/zip"));
    check_export(state.path(), &zip_bytes, &giulia_cv);
    let _ = (Client::anonymous(&app), admin);
}

/// Every row of Giulia in every table with a person column is in the export, nothing
/// of anyone else is, and her CV is there as uploaded.
fn check_export(state: &std::path::Path, zip_bytes: &[u8], cv: &[u8]) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.to_vec())).unwrap();
    let mut tables: HashMap<String, Vec<Value>> = HashMap::new();
    let mut texts = String::new();
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        if name.ends_with(".json") && name != "indice.json" {
            let v: Value = serde_json::from_slice(&buf).unwrap();
            for (t, rows) in v.as_object().unwrap() {
                tables.insert(t.clone(), rows.as_array().unwrap().clone());
            }
            texts.push_str(&String::from_utf8(buf).unwrap());
        } else if name.starts_with("file/") {
            files.push((name, buf));
        }
    }
    assert!(files.iter().any(|(n, b)| n.starts_with("file/curriculum/") && b == cv), "the CV as uploaded: {:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
    assert_eq!(files.len(), 2, "only her own files: {:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());

    let db = rusqlite::Connection::open(state.join("sqlite_db.db")).unwrap();
    let me: i64 = db.query_row("SELECT id FROM people WHERE fiscal_code = ?1", [CF[1]], |r| r.get(0)).unwrap();
    let names: Vec<String> = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let pdf: Vec<u8> = db.query_row("SELECT pdf FROM documents WHERE person_id = ?1", [me], |r| r.get(0)).unwrap();
    assert!(files.iter().any(|(n, b)| n.starts_with("file/documenti/") && *b == pdf), "her document to sign as it is now");
    let mut checked = 0;
    for t in &names {
        let cols: Vec<String> = db.prepare(&format!("SELECT name FROM pragma_table_info('{t}')")).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let Some(col) = ["person_id", "owner_id"].into_iter().find(|c| cols.iter().any(|x| x == c)) else { continue };
        let n: i64 = db.query_row(&format!("SELECT COUNT(*) FROM {t} WHERE {col} = ?1"), [me], |r| r.get(0)).unwrap();
        let exported = tables.get(t.as_str()).unwrap_or_else(|| panic!("{t} (with {col}) is not in the export"));
        assert_eq!(exported.len() as i64, n, "{t}: rows of the person");
        for row in exported {
            assert_eq!(row[col].as_i64(), Some(me), "{t}: a row of someone else: {row}");
        }
        if n > 0 {
            checked += 1;
        }
    }
    assert!(checked >= 12, "the person has rows in many tables ({checked})");
    let people = &tables["people"];
    assert_eq!((people.len(), people[0]["id"].as_i64()), (1, Some(me)));
    for other in [CF[2], EMAIL[2], "Esposito", CF[4], EMAIL[4], CF[5]] {
        assert!(!texts.contains(other), "the export holds {other}");
    }
}
