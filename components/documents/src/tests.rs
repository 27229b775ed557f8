//! Documents natively through [`super::handle`], against the real migrations: each kind
//! through its life with PAdES signatures that verify; cancellation at each state not
//! concluded; illegal transitions refused with 409; the signing code (wrong, expired,
//! for another document); another citizen and an operator of another CPI refused; the
//! check by code and by file, which reports one changed byte.

use access::testing::{req, seed, sign_in, two_cpis};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::{handle, pades};

/// Monday 7 December 2026, 10:00 in Rome.
const T0: i64 = 1_796_634_000;

fn db() -> rusqlite::Connection {
    let c = testing::with_reference();
    seed(&c);
    two_cpis(&c);
    c
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
    now: i64,
}

impl Who<'_> {
    fn call(&self, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        let reply = handle(&self.req(method, target, body), self.db);
        (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }

    fn raw(&self, method: &str, target: &str) -> common::Reply {
        handle(&self.req(method, target, None), self.db)
    }

    fn req(&self, method: &str, target: &str, body: Option<Value>) -> Req {
        let r = vars(req(method, target, &self.id, self.now).header_set("x-csrf-token", &self.csrf));
        match body {
            Some(b) => r.json_body(&b),
            None => r,
        }
    }
}

fn vars(r: Req) -> Req {
    r.var_set("base_url", "https://lavoro.example.org")
        .var_set("documents_signing_key", pades::testing::KEY)
        .var_set("documents_signing_cert", pades::testing::CERT)
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, T0);
    Who { db, id, csrf, now: T0 }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// The code of the last message in the outbox.
fn last_code(c: &rusqlite::Connection) -> String {
    let rows = Db::execute(c, "SELECT params FROM outbox ORDER BY id DESC LIMIT 1", &[]).unwrap();
    let p: Value = serde_json::from_str(rows.first().unwrap().str("params").unwrap()).unwrap();
    p["code"].as_str().unwrap().to_string()
}

fn create(op: &Who, kind: &str) -> Value {
    let (s, d) = op.call("POST", "/api/operator/documents", Some(json!({"fiscal_code": "VRDNNA80A41G999X", "kind": kind, "text": "Ricerca attiva: almeno due candidature a settimana.\n\nColloquio di verifica tra un mese.", "reference": "Pratica 84"})));
    assert_eq!(s, 201, "{d}");
    d
}

fn sign(citizen: &Who, id: i64) -> (u16, Value) {
    let (s, d) = citizen.call("POST", &format!("/api/documents/{id}/sign/code"), Some(json!({})));
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["channel"], "sms");
    let c = last_code(citizen.db);
    citizen.call("POST", &format!("/api/documents/{id}/sign"), Some(json!({"code": c})))
}

fn cert() -> pades::Certified {
    pades::Certified::from_pem(pades::testing::CERT).unwrap()
}

#[test]
fn every_kind_through_its_life_with_signatures_that_verify() {
    let c = db();
    let (mut op, mut anna) = (who(&c, 2), who(&c, 3));
    for (i, (kind, needs_operator)) in [("ricevuta_did", false), ("patto_150", true), ("patto_gg", true), ("ricerca_intensiva", true)].into_iter().enumerate() {
        // a new signing code may be asked a minute after the last one
        (op.now, anna.now) = (T0 + 120 * i as i64, T0 + 120 * i as i64);
        let d = create(&op, kind);
        let id = d["id"].as_i64().unwrap();
        assert_eq!((d["state"].as_str(), d["status"].as_str(), d["needs_operator"].as_bool()), (Some("inserito"), Some("in_corso"), Some(needs_operator)));
        // the citizen sees it, can download it as inserted, then takes it in charge
        let (_, list) = anna.call("GET", "/api/documents", None);
        assert!(list["items"].as_array().unwrap().iter().any(|x| x["id"] == id && x["can_take"] == true));
        let original = anna.raw("GET", &format!("/api/documents/{id}/pdf"));
        assert_eq!(original.status, 200);
        assert!(pades::verify(&original.body, &cert()).is_empty());
        let (s, v) = anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({})));
        assert_eq!((s, v["state"].as_str(), v["can_sign"].as_bool()), (200, Some("preso_in_carico"), Some(true)), "{v}");
        let (s, v) = sign(&anna, id);
        assert_eq!((s, v["state"].as_str()), (200, Some("firmato_cittadino")), "{v}");
        let texts: Vec<&str> = v["timeline"].as_array().unwrap().iter().map(|t| t["text"].as_str().unwrap()).collect();
        let at = format!("07/12/2026 10:{:02}", 2 * i);
        assert_eq!(texts, [format!("Documento Inserito il {at}"), format!("Preso In Carico il {at}"), format!("Firmato Cittadino il {at}")]);
        let signed = anna.raw("GET", &format!("/api/documents/{id}/pdf")).body;
        assert!(signed.starts_with(&original.body), "incremental update");
        let found = pades::verify(&signed, &cert());
        assert_eq!(found.len(), 1);
        assert!(found[0].intact() && found[0].reason.contains("SPID livello 2") && found[0].reason.contains("OTP via SMS"), "{found:?}");
        let (s, v) = op.call("POST", &format!("/api/operator/documents/{id}/countersign"), Some(json!({})));
        if needs_operator {
            assert_eq!((s, v["state"].as_str(), v["status"].as_str()), (200, Some("firmato_operatore"), Some("concluso")), "{v}");
            let two = op.raw("GET", &format!("/api/operator/documents/{id}/pdf")).body;
            let found = pades::verify(&two, &cert());
            assert_eq!(found.len(), 2);
            assert!(found.iter().all(pades::Found::intact));
            assert_eq!(found[0].revision_end, signed.len(), "the citizen's signature covers the revision they signed");
        } else {
            assert_eq!((s, code(&v)), (409, "document_concluded"), "{v}");
            assert_eq!(anna.call("GET", "/api/documents", None).1["items"][0]["status"], "concluso");
        }
        // concluded: nothing changes any more
        let (s, v) = op.call("POST", &format!("/api/operator/documents/{id}/cancel"), Some(json!({"reason": "prova"})));
        assert_eq!((s, code(&v)), (409, "document_concluded"));
        assert_eq!(code(&anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({}))).1), "document_concluded");
    }
    // every state change is audited: 4 create, 4 take, 4 sign, 3 countersign
    let n: i64 = Db::execute(&c, "SELECT count(*) AS n FROM audit_log WHERE entity = 'document'", &[]).unwrap().scalar("n").unwrap();
    assert_eq!(n, 15);
}

#[test]
fn illegal_transitions_and_cancellation_at_each_state() {
    let c = db();
    let (op, anna) = (who(&c, 2), who(&c, 3));
    // sign before taking in charge; operator before the citizen
    let id = create(&op, "patto_150")["id"].as_i64().unwrap();
    let (s, v) = anna.call("POST", &format!("/api/documents/{id}/sign/code"), Some(json!({})));
    assert_eq!((s, code(&v)), (409, "not_taken"));
    let (s, v) = op.call("POST", &format!("/api/operator/documents/{id}/countersign"), Some(json!({})));
    assert_eq!((s, code(&v)), (409, "citizen_signature_missing"));
    // cancelled while inserito: a reason is required; then nothing changes
    let (s, v) = op.call("POST", &format!("/api/operator/documents/{id}/cancel"), Some(json!({"reason": " "})));
    assert_eq!((s, code(&v)), (422, "invalid_fields"));
    let (s, v) = op.call("POST", &format!("/api/operator/documents/{id}/cancel"), Some(json!({"reason": "Sostituita dalla pratica 84"})));
    assert_eq!((s, v["state"].as_str(), v["status"].as_str()), (200, Some("annullato"), Some("annullato")), "{v}");
    assert!(v["timeline"][1]["text"].as_str().unwrap().ends_with("(Sostituita dalla pratica 84)"));
    for (path, who) in [("/api/documents/{id}/take", &anna), ("/api/documents/{id}/sign/code", &anna), ("/api/operator/documents/{id}/countersign", &op), ("/api/operator/documents/{id}/cancel", &op)] {
        let (s, v) = who.call("POST", &path.replace("{id}", &id.to_string()), Some(json!({"reason": "ancora"})).filter(|_| path.ends_with("cancel")).or(Some(json!({}))));
        assert_eq!((s, code(&v)), (409, "document_cancelled"), "{path}: {v}");
    }
    assert_eq!(anna.raw("GET", &format!("/api/documents/{id}/pdf")).status, 200, "a cancelled document can be downloaded");
    // cancelled after taking in charge, and after the citizen's signature
    let id = create(&op, "patto_gg")["id"].as_i64().unwrap();
    anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({})));
    assert_eq!(code(&anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({}))).1), "already_taken");
    assert_eq!(op.call("POST", &format!("/api/operator/documents/{id}/cancel"), Some(json!({"reason": "errore"}))).0, 200);
    let id = create(&op, "ricerca_intensiva")["id"].as_i64().unwrap();
    anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({})));
    assert_eq!(sign(&anna, id).0, 200);
    assert_eq!(code(&anna.call("POST", &format!("/api/documents/{id}/sign/code"), Some(json!({}))).1), "already_signed");
    let (s, v) = op.call("POST", &format!("/api/operator/documents/{id}/cancel"), Some(json!({"reason": "annullamento test"})));
    assert_eq!((s, v["timeline"].as_array().unwrap().len()), (200, 4), "{v}");
}

#[test]
fn signing_codes_wrong_expired_or_for_another_document_sign_nothing() {
    let c = db();
    let (op, mut anna) = (who(&c, 2), who(&c, 3));
    let a = create(&op, "ricevuta_did")["id"].as_i64().unwrap();
    let b = create(&op, "ricevuta_did")["id"].as_i64().unwrap();
    for id in [a, b] {
        anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({})));
    }
    anna.call("POST", &format!("/api/documents/{a}/sign/code"), Some(json!({})));
    let good = last_code(&c);
    let wrong = if good == "000000" { "111111" } else { "000000" };
    let (s, v) = anna.call("POST", &format!("/api/documents/{a}/sign"), Some(json!({"code": wrong})));
    assert_eq!((s, code(&v)), (400, "otp_wrong"));
    // the code of document a does not sign document b
    let (s, v) = anna.call("POST", &format!("/api/documents/{b}/sign"), Some(json!({"code": good})));
    assert_eq!((s, code(&v)), (400, "otp_other_target"), "{v}");
    // expired after 10 minutes
    anna.now = T0 + 601;
    let (s, v) = anna.call("POST", &format!("/api/documents/{a}/sign"), Some(json!({"code": good})));
    assert_eq!((s, code(&v)), (400, "otp_expired"));
    let (_, list) = anna.call("GET", "/api/documents", None);
    assert!(list["items"].as_array().unwrap().iter().all(|d| d["state"] == "preso_in_carico"));
    // a new code, in time, signs
    assert_eq!(sign(&anna, a).0, 200);
}

#[test]
fn another_citizen_and_another_cpi_are_refused_everywhere() {
    let c = db();
    let (op, anna, mario, piero) = (who(&c, 2), who(&c, 3), who(&c, 1), who(&c, 4));
    let id = create(&op, "patto_150")["id"].as_i64().unwrap();
    for p in ["/api/documents/{id}/take", "/api/documents/{id}/sign/code", "/api/documents/{id}/sign"] {
        let (s, v) = mario.call("POST", &p.replace("{id}", &id.to_string()), Some(json!({"code": "123456"})).filter(|_| p.ends_with("/sign")).or(Some(json!({}))));
        assert_eq!((s, code(&v)), (404, "document_not_found"), "{p}");
    }
    assert_eq!(mario.raw("GET", &format!("/api/documents/{id}/pdf")).status, 404);
    assert!(mario.call("GET", "/api/documents", None).1["items"].as_array().unwrap().is_empty());
    // Piero works for Firenze: not Prato's documents, nor Prato's citizens
    assert_eq!(piero.raw("GET", &format!("/api/operator/documents/{id}/pdf")).status, 404);
    for p in ["countersign", "cancel"] {
        assert_eq!(piero.call("POST", &format!("/api/operator/documents/{id}/{p}"), Some(json!({"reason": "x"}))).0, 404, "{p}");
    }
    assert!(piero.call("GET", "/api/operator/documents", None).1["items"].as_array().unwrap().is_empty());
    let (s, v) = piero.call("POST", "/api/operator/documents", Some(json!({"fiscal_code": "VRDNNA80A41G999X", "kind": "patto_150", "text": "x"})));
    assert_eq!((s, v["error"]["fields"][0]["code"].as_str()), (422, Some("other_cpi")), "{v}");
    // a citizen is not an operator
    assert_eq!(anna.call("GET", "/api/operator/documents", None).0, 403);
}

#[test]
fn the_check_page_by_code_and_by_file_reports_one_changed_byte() {
    let c = db();
    let (op, anna) = (who(&c, 2), who(&c, 3));
    let d = create(&op, "patto_150");
    let (id, doc_code) = (d["id"].as_i64().unwrap(), d["code"].as_str().unwrap().to_string());
    anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({})));
    sign(&anna, id);
    let one = anna.raw("GET", &format!("/api/documents/{id}/pdf")).body;
    op.call("POST", &format!("/api/operator/documents/{id}/countersign"), Some(json!({})));
    let two = anna.raw("GET", &format!("/api/documents/{id}/pdf")).body;
    let public = |r: Req| {
        let reply = handle(&vars(r.at(T0)), &c);
        (reply.status, serde_json::from_slice::<Value>(&reply.body).unwrap())
    };
    let (s, v) = public(Req::new("GET", &format!("/api/verify?code={}", doc_code.to_lowercase().replace('-', " "))));
    assert_eq!((s, v["verdict"].as_str(), v["state"].as_str()), (200, Some("valid"), Some("firmato_operatore")), "{v}");
    assert_eq!(v["signatures"].as_array().unwrap().len(), 2);
    assert!(!v.to_string().contains("Anna") && !v.to_string().contains("VRDNNA"), "no personal data: {v}");
    assert_eq!(public(Req::new("GET", "/api/verify?code=0000-0000-0000-0000")).1["verdict"], "unknown");
    let upload = |bytes: &[u8]| public(Req::new("POST", "/api/verify").header_set("content-type", "application/pdf").raw_body(bytes.to_vec()));
    let (_, v) = upload(&two);
    assert_eq!((v["verdict"].as_str(), v["revision"].as_i64()), (Some("valid"), Some(2)), "{v}");
    assert!(v["signatures"].as_array().unwrap().iter().all(|s| s["intact"] == true));
    assert_eq!(v["signatures"][1]["role"], "operatore");
    let (_, v) = upload(&one);
    assert_eq!((v["verdict"].as_str(), v["revision"].as_i64()), (Some("previous"), Some(1)), "{v}");
    let mut altered = two.clone();
    altered[400] ^= 0x01;
    let (_, v) = upload(&altered);
    assert_eq!((v["verdict"].as_str(), v["code"].as_str()), (Some("altered"), Some(doc_code.as_str())), "{v}");
    assert!(v["signatures"].as_array().unwrap().iter().all(|s| s["intact"] == false));
    // bytes appended after the last signature: the signatures are intact, the file is not what was issued
    let mut appended = two.clone();
    appended.extend_from_slice(b"\n% aggiunto dopo\n");
    let (_, v) = upload(&appended);
    assert_eq!(v["verdict"].as_str(), Some("altered"), "{v}");
    assert!(v["signatures"].as_array().unwrap().iter().all(|s| s["intact"] == true));
    let (s, v) = upload(b"%PDF-1.7\nnot ours");
    assert_eq!((s, v["verdict"].as_str()), (200, Some("unknown")));
    let (s, _) = public(Req::new("POST", "/api/verify").header_set("content-type", "text/plain").raw_body(b"x".to_vec()));
    assert_eq!(s, 415);
}

#[test]
fn the_check_page_limits_checks_per_address() {
    let c = db();
    let ask = || handle(&vars(Req::new("GET", "/api/verify?code=0000-0000-0000-0000").header_set("spin-client-addr", "10.0.0.1:5000").var_set("documents_verify_per_minute", "2").at(T0)), &c);
    assert_eq!((ask().status, ask().status), (200, 200));
    let refused = ask();
    assert_eq!(refused.status, 429);
    let v: Value = serde_json::from_slice(&refused.body).unwrap();
    assert!(v["error"]["message"].as_str().unwrap().starts_with("Hai chiesto troppe verifiche"), "{v}");
    // a malformed code is refused before it counts
    let bad = handle(&vars(Req::new("GET", "/api/verify?code=abc").at(T0)), &c);
    assert_eq!(bad.status, 422);
}

#[test]
fn without_a_mobile_the_signing_code_goes_by_e_mail() {
    let c = db();
    testing::run(&c, "UPDATE accounts SET mobile = '' WHERE person_id = 3");
    let (op, anna) = (who(&c, 2), who(&c, 3));
    let id = create(&op, "ricevuta_did")["id"].as_i64().unwrap();
    anna.call("POST", &format!("/api/documents/{id}/take"), Some(json!({})));
    let (s, v) = anna.call("POST", &format!("/api/documents/{id}/sign/code"), Some(json!({})));
    assert_eq!((s, v["channel"].as_str(), v["sent_to"].as_str()), (200, Some("email"), Some("indirizzo a…@example.org")), "{v}");
    let rows = Db::execute(&c, "SELECT channel, recipient, template, subject FROM outbox ORDER BY id DESC LIMIT 1", &[]).unwrap();
    let r = rows.first().unwrap();
    assert_eq!((r.str("channel").unwrap(), r.str("recipient").unwrap(), r.str("template").unwrap()), ("email", "anna@example.org", "document_sign_code"));
    assert_eq!(r.str("subject").unwrap(), "Il codice per firmare il documento Ricevuta DID");
    let (s, v) = anna.call("POST", &format!("/api/documents/{id}/sign"), Some(json!({"code": last_code(&c)})));
    assert_eq!((s, v["status"].as_str()), (200, Some("concluso")), "{v}");
    let pdf = anna.raw("GET", &format!("/api/documents/{id}/pdf")).body;
    assert!(pades::verify(&pdf, &cert())[0].reason.ends_with("codice OTP via e-mail)"));
}
