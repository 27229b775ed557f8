//! Benchmark of documents to sign (issue 18, "Performance"): through the runner, each
//! step of BENCH_DOCUMENTS (default 40) documents' lives, one after the other — the
//! operator's creation (the citizen's data, the PDF through pdfdoc, the e-mail), the
//! citizen's signature (the code checked, a PAdES signature appended) and the operator's
//! counter-signature (a second one) — then `/api/verify` on the final PDF (both
//! signatures' digests and CMS signatures, the revision lookup) at one connection for
//! BENCH_SECONDS (default 5). Beside them, the same work natively: `model::render`,
//! `pades::sign` and `pades::verify`.
//!
//! Run: `cargo bench -p e2e --bench documents` (after `scripts/test`).

use std::time::{Duration, Instant};

use e2e::Start;
use e2e::client::{last_message, registered_citizen};
use e2e::latency::{env, load, ms, row, timed};
use e2e::staff::{self, CF};
use serde_json::json;

fn median_of(budget: Duration, mut f: impl FnMut()) -> Duration {
    let until = Instant::now() + budget;
    let mut times = Vec::new();
    while Instant::now() < until || times.len() < 5 {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let n = env("BENCH_DOCUMENTS", 40);
    let seconds = env("BENCH_SECONDS", 5) as u64;
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg("otp_resend_seconds=0")
        .arg("--variable")
        .arg("otp_max_per_hour=100000")
        .arg("--variable")
        .arg("documents_verify_per_minute=1000000")
        .start();
    let admin = registered_citizen(&app, 6);
    let operator = registered_citizen(&app, 4);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let citizen = registered_citizen(&app, 1);
    let mobile = citizen.get("/api/profile").json_checked()["mobile"].as_str().unwrap().to_string();

    // warm the component up (compiling, first instantiation)
    let warm = operator.post("/api/operator/documents", &json!({ "fiscal_code": CF[1], "kind": "ricevuta_did", "text": "Prova." }));
    assert_eq!(warm.status, 201, "{}", warm.body);

    let text = "Il cittadino si impegna a inviare almeno due candidature a settimana e a partecipare al colloquio di verifica.\n\n".repeat(4);
    let mut ids = Vec::new();
    let create = timed(n, |_| {
        let r = operator.post("/api/operator/documents", &json!({ "fiscal_code": CF[1], "kind": "patto_150", "text": text, "reference": "Pratica 84" }));
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["id"].as_i64().unwrap());
    });
    let mut sign = Vec::new();
    for id in &ids {
        assert_eq!(citizen.post(&format!("/api/documents/{id}/take"), &json!({})).status, 200);
        assert_eq!(citizen.post(&format!("/api/documents/{id}/sign/code"), &json!({})).status, 200);
        let code = last_message(&app, &mobile, "document_sign_code")["params"]["code"].as_str().unwrap().to_string();
        let t = Instant::now();
        let r = citizen.post(&format!("/api/documents/{id}/sign"), &json!({ "code": code }));
        sign.push(t.elapsed());
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let countersign = timed(ids.len(), |i| {
        let r = operator.post(&format!("/api/operator/documents/{}/countersign", ids[i]), &json!({}));
        assert_eq!(r.status, 200, "{}", r.body);
    });
    let (status, _, pdf) = citizen.get_bytes(&format!("/api/documents/{}/pdf", ids[0]));
    assert_eq!(status, 200);

    println!("\nDocuments to sign through the runner ({n} documents, one after the other; the final PDF is {} bytes with two signatures):\n", pdf.len());
    println!("| step | n | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    row("operator: `POST /api/operator/documents` (citizen's data, PDF, e-mail)", create);
    row("citizen: `POST /api/documents/<id>/sign` (code checked, PAdES signature appended)", sign);
    row("operator: `POST /api/operator/documents/<id>/countersign` (second signature)", countersign);

    // the check page's verification of the final PDF, at one connection
    let verify_url = app.url("/api/verify");
    let mut times = Vec::new();
    let until = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < until || times.len() < 20 {
        let t = Instant::now();
        let r = e2e::cvfiles::send_bytes("POST", &verify_url, &[("content-type", "application/pdf")], &pdf);
        times.push(t.elapsed());
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["verdict"], "valid", "{}", r.body);
    }
    let code = citizen.get("/api/documents").json_checked()["items"][0]["code"].as_str().unwrap().to_string();
    println!();
    println!("| check | n | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    row("anyone: `POST /api/verify` (the final PDF: two signatures, the revision)", times);
    let f = load(&[app.url(&format!("/api/verify?code={code}"))], None, 1, seconds);
    println!("\n`GET /api/verify?code=` at one connection: {:.0} req/s, p50 {}, p99 {}, {} errors.", f.rps, ms(f.p50), ms(f.p99), f.errors);

    // the same work natively
    let key = std::fs::read_to_string(e2e::root().join(".dev/documents.key")).unwrap();
    let cert = std::fs::read_to_string(e2e::root().join(".dev/documents.crt")).unwrap();
    let signer = documents::pades::Signer::from_pem(&key, &cert).unwrap();
    let person = documents::model::Person {
        name: "Mario Rossi".into(),
        fiscal_code: "RSSMRA85C14D612R".into(),
        date_of_birth: Some("1985-03-14".into()),
        residence: Some("Via Roma 1, 50100 FIRENZE".into()),
        domicile: None,
        email: Some("mario.rossi@example.org".into()),
        mobile: Some("+393471234567".into()),
    };
    let content = documents::model::Content {
        kind: "patto_150",
        code: "7K3M-9QXP-2HRT-V4NB",
        cpi_name: "FIRENZE",
        operator_name: "Chiara Ricci",
        reference: Some("Pratica 84"),
        text: &text,
        base_url: "https://lavoro.example.org",
        now: 1_796_634_000,
    };
    let budget = Duration::from_secs(seconds.min(3));
    let inserted = documents::model::render(&content, &person).unwrap();
    let signing = documents::pades::Signing { field: "Firma cittadino", name: "Mario Rossi", reason: "Firma del cittadino (SPID livello 2, codice OTP via SMS)", at_unix: 1_796_634_100 };
    let one = documents::pades::sign(&inserted, &signer, &signing).unwrap();
    let two = documents::pades::sign(&one, &signer, &documents::pades::Signing { field: "Firma operatore", ..signing.clone() }).unwrap();
    println!("\n| the same work without the runner | median |");
    println!("| --- | --- |");
    println!("| `model::render` (the PDF, pdfdoc) | {} |", ms(median_of(budget, || { std::hint::black_box(documents::model::render(&content, &person).unwrap()); })));
    println!("| `pades::sign` (first signature: parse, update, CMS, RSA-2048) | {} |", ms(median_of(budget, || { std::hint::black_box(documents::pades::sign(&inserted, &signer, &signing).unwrap()); })));
    println!("| `pades::verify` (two signatures) | {} |", ms(median_of(budget, || {
        let found = documents::pades::verify(&two, &signer.certified);
        assert!(found.iter().all(documents::pades::Found::intact));
    })));
}
