//! Documents to sign (issue 18) end to end, through the HTTP API only: an operator of
//! Firenze sends each of the four kinds to a citizen of Firenze; the citizen takes it in
//! charge and signs with the code sent by SMS (read from the development mailbox); the
//! operator counter-signs the kinds that need it. The final PDFs are validated by pyHanko
//! (tests/conformance/pades_check.py, the configured certificate as the only root: every
//! signature intact, valid, trusted, each covering its revision), read by pdftotext and
//! pdfinfo (tagged); one changed byte is reported by pyHanko and by /api/verify. Wrong
//! codes, illegal transitions, cancellation, another citizen and an operator of another
//! CPI are refused.
//!
//! People (config/test-idp): 6 is the bootstrap administrator; 4 an operator of Firenze,
//! 5 of Prato; 1 and 3 are citizens (every test identity lives in Firenze).

use std::process::Command;

use e2e::client::{Client, last_message, registered_citizen};
use e2e::staff::{self, CF};
use e2e::{App, Reply, Start};
use serde_json::{Value, json};

fn code(r: &Reply) -> String {
    r.json()["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {}", r.body)).to_string()
}

/// pyHanko's verdict on each signature of `pdf` (pades_check.py).
fn pyhanko(pdf: &[u8]) -> Vec<Value> {
    let python = std::env::var("PADES_CHECK_PYTHON").expect("PADES_CHECK_PYTHON: the Python with pyHanko (scripts/test makes it)");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new(python)
        .arg(e2e::root().join("tests/conformance/pades_check.py"))
        .arg(&file)
        .arg(e2e::root().join(".dev/documents.crt"))
        .output()
        .unwrap();
    assert!(out.status.success(), "pades_check: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

/// pdftotext's text of a PDF, after checking with pdfinfo that it is tagged.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.pdf");
    std::fs::write(&file, pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&file).output().expect("pdfinfo (poppler-utils) is installed by scripts/test");
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "not tagged:\n{info}");
    let out = Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn verify_file(app: &App, pdf: &[u8]) -> Value {
    let r = e2e::cvfiles::send_bytes("POST", &app.url("/api/verify"), &[("content-type", "application/pdf")], pdf);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn pdf(c: &Client, path: &str) -> Vec<u8> {
    let (status, headers, body) = c.get_bytes(path);
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v == "application/pdf"));
    body
}

/// The newest signing code sent to `mobile`.
fn last_code(app: &App, mobile: &str) -> String {
    last_message(app, mobile, "document_sign_code")["params"]["code"].as_str().unwrap().to_string()
}

#[test]
fn documents_from_the_cpi_to_both_signatures_and_the_check_page() {
    let state = tempfile::tempdir().unwrap();
    // the signing code may be asked again at once (one per kind)
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg("otp_resend_seconds=0")
        .arg("--variable")
        .arg("otp_max_per_hour=50")
        .start();
    let admin = registered_citizen(&app, 6);
    let operator = registered_citizen(&app, 4);
    let other_operator = registered_citizen(&app, 5);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    staff::grant(&admin, CF[5], "operator", Some("prato"));
    let citizen = registered_citizen(&app, 1);
    let other = registered_citizen(&app, 3);
    let profile = citizen.get("/api/profile").json_checked();
    let mobile = profile["mobile"].as_str().or(profile["account"]["mobile"].as_str()).unwrap_or_else(|| panic!("no mobile in {profile}")).to_string();

    for (kind, name, needs_operator) in [
        ("ricevuta_did", "Ricevuta DID", false),
        ("patto_150", "Patto di servizio D.Lgs. 150", true),
        ("patto_gg", "Patto di attivazione Garanzia Giovani", true),
        ("ricerca_intensiva", "Programma di ricerca intensiva", true),
    ] {
        let made = operator.post("/api/operator/documents", &json!({ "fiscal_code": CF[1], "kind": kind, "text": "Due candidature a settimana e un colloquio di verifica.", "reference": "Pratica 84" }));
        assert_eq!(made.status, 201, "{}", made.body);
        let (id, doc_code) = (made.json()["id"].as_i64().unwrap(), made.json()["code"].as_str().unwrap().to_string());
        let inserted = pdf(&citizen, &format!("/api/documents/{id}/pdf"));
        let text = pdf_text(&inserted);
        assert!(text.contains(name) && text.contains(&doc_code) && text.contains("Due candidature a settimana"), "{text}");
        assert!(pyhanko(&inserted).is_empty(), "no signature yet");

        // refused before taking in charge; another citizen and Prato's operator see nothing
        assert_eq!(code(&citizen.post(&format!("/api/documents/{id}/sign/code"), &json!({}))), "not_taken");
        assert_eq!(other.post(&format!("/api/documents/{id}/take"), &json!({})).status, 404);
        assert_eq!(other.get_bytes(&format!("/api/documents/{id}/pdf")).0, 404);
        assert_eq!(other_operator.get_bytes(&format!("/api/operator/documents/{id}/pdf")).0, 404);
        let taken = citizen.post(&format!("/api/documents/{id}/take"), &json!({}));
        assert_eq!(taken.json()["state"], "preso_in_carico", "{}", taken.body);
        let early = if needs_operator { "citizen_signature_missing" } else { "no_operator_signature" };
        assert_eq!(code(&operator.post(&format!("/api/operator/documents/{id}/countersign"), &json!({}))), early);

        // a wrong code signs nothing; the right one does
        citizen.post(&format!("/api/documents/{id}/sign/code"), &json!({}));
        let good = last_code(&app, &mobile);
        let wrong = if good == "000000" { "111111" } else { "000000" };
        assert_eq!(code(&citizen.post(&format!("/api/documents/{id}/sign"), &json!({ "code": wrong }))), "otp_wrong");
        let signed = citizen.post(&format!("/api/documents/{id}/sign"), &json!({ "code": good }));
        assert_eq!(signed.json()["state"], "firmato_cittadino", "{}", signed.body);
        assert_eq!(other_operator.post(&format!("/api/operator/documents/{id}/countersign"), &json!({})).status, 404);
        let countersigned = operator.post(&format!("/api/operator/documents/{id}/countersign"), &json!({}));
        if needs_operator {
            assert_eq!(countersigned.json()["status"], "concluso", "{}", countersigned.body);
        } else {
            assert_eq!(code(&countersigned), "document_concluded");
        }
        assert_eq!(code(&operator.post(&format!("/api/operator/documents/{id}/cancel"), &json!({ "reason": "prova" }))), "document_concluded");

        // pyHanko: every signature intact, valid, by the configured certificate, each
        // covering its own revision
        let last = pdf(&citizen, &format!("/api/documents/{id}/pdf"));
        assert!(last.starts_with(&inserted));
        let checks = pyhanko(&last);
        assert_eq!(checks.len(), if needs_operator { 2 } else { 1 }, "{checks:?}");
        for (n, c) in checks.iter().enumerate() {
            assert_eq!((c["intact"].as_bool(), c["valid"].as_bool(), c["trusted"].as_bool()), (Some(true), Some(true), Some(true)), "{c}");
            assert_eq!(c["subfilter"], "/ETSI.CAdES.detached");
            let coverage = if n + 1 == checks.len() { "ENTIRE_FILE" } else { "ENTIRE_REVISION" };
            assert_eq!(c["coverage"], coverage, "{c}");
            assert!(matches!(c["modification_level"].as_str(), Some("NONE" | "FORM_FILLING")), "{c}");
        }
        assert_eq!(checks[0]["field"], "Firma cittadino");
        assert!(pdf_text(&last).contains(&doc_code));
        let v = verify_file(&app, &last);
        assert_eq!((v["verdict"].as_str(), v["kind_name"].as_str(), v["status"].as_str()), (Some("valid"), Some(name), Some("concluso")), "{v}");

        // one changed byte: pyHanko and the check page both say so
        let mut altered = last.clone();
        altered[inserted.len() / 2] ^= 0x01;
        assert!(pyhanko(&altered).iter().all(|c| c["intact"] == false), "pyHanko took the altered file as intact");
        let v = verify_file(&app, &altered);
        assert_eq!((v["verdict"].as_str(), v["code"].as_str()), (Some("altered"), Some(doc_code.as_str())), "{v}");
        let by_code = Client::anonymous(&app).get(&format!("/api/verify?code={doc_code}")).json_checked();
        assert_eq!(by_code["signatures"].as_array().unwrap().len(), if needs_operator { 2 } else { 1 });
        assert!(!by_code.to_string().contains(CF[1]), "no personal data: {by_code}");
    }

    // cancelled with a reason: the citizen sees it, and nothing changes any more
    let made = operator.post("/api/operator/documents", &json!({ "fiscal_code": CF[1], "kind": "patto_150", "text": "Prima versione." }));
    let id = made.json()["id"].as_i64().unwrap();
    let cancelled = operator.post(&format!("/api/operator/documents/{id}/cancel"), &json!({ "reason": "Sostituita dalla pratica 84" }));
    assert_eq!(cancelled.json()["status"], "annullato", "{}", cancelled.body);
    assert_eq!(code(&citizen.post(&format!("/api/documents/{id}/take"), &json!({}))), "document_cancelled");
    let mine = citizen.get("/api/documents").json_checked();
    let row = mine["items"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap().clone();
    assert!(row["timeline"].as_array().unwrap().last().unwrap()["text"].as_str().unwrap().ends_with("(Sostituita dalla pratica 84)"));
    assert_eq!(mine["items"].as_array().unwrap().len(), 5);
    assert!(other.get("/api/documents").json_checked()["items"].as_array().unwrap().is_empty());
    let v = Client::anonymous(&app).get(&format!("/api/verify?code={}", made.json()["code"].as_str().unwrap())).json_checked();
    assert_eq!(v["status"], "annullato");
}
