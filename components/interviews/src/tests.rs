//! Interviews natively through [`super::handle`], against the real migrations and the
//! offers fixture: the company invites the candidate of an application the CPI sent it
//! (e-mailed with the .ics link); accept / refuse / request a change, each one
//! conditional update; the company's new date and cancelling; every forbidden transition
//! a 409; the room's window, lobby and signalling, for the two parties only.

use access::testing::{req, seed, sign_in};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::handle;

/// Friday 15 January 2027, 09:00 in Rome.
const T0: i64 = 1_800_000_000;

fn db() -> rusqlite::Connection {
    let c = testing::with_reference();
    seed(&c);
    testing::run(&c, &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/offers.sql")).unwrap());
    testing::run(
        &c,
        "-- Giulia (2): active candidate; Anna (3): acts for GPI (2); Piero (4): another citizen
         INSERT INTO people (id, fiscal_code, name, family_name, last_method, first_login_at, last_login_at)
           VALUES (3, 'VRDNNA80A41G999X', 'Anna', 'Verdi', 'spid', 'x', 'x'), (4, 'NRIPRI70A01D612X', 'Piero', 'Neri', 'spid', 'x', 'x');
         INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
           residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
           VALUES (2, 'active', 'citizen', '1990-01-01', 'D612', '100005', '59100', 'Via Roma 9', 1, 'giulia@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x'),
                  (3, 'active', 'citizen', '1980-01-01', 'G999', '100005', '59100', 'Via Roma 10', 1, 'anna@example.org', '+393470000001', 'x', '1', 'x', 'x', 'x'),
                  (4, 'active', 'citizen', '1970-01-01', 'D612', '048017', '50100', 'Via Roma 11', 1, 'piero@example.org', '+393470000002', 'x', '1', 'x', 'x', 'x');
         INSERT INTO incarichi (id, person_id, company_id, role, declaration_version, declaration_accepted_at, created_at)
           VALUES (2, 3, 2, 'delegato', '1', 'x', 'x');
         -- PO-9000001 is ACME's (1); Giulia's application was sent to it, Piero's was not
         INSERT INTO offer_terms (offer_id, company_id, application_mode, created_by, created_at, updated_by, updated_at) VALUES (1, 1, 'online', 2, 0, 2, 0);
         INSERT INTO applications (id, offer_id, cpi_code, person_id, declarations, status, created_at, updated_at)
           VALUES (10, 1, (SELECT cpi_code FROM offers WHERE id = 1), 2, '[]', 'inviata', 0, 0),
                  (11, 1, (SELECT cpi_code FROM offers WHERE id = 1), 4, '[]', 'presa_in_carico', 0, 0);",
    );
    c
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
}

impl Who<'_> {
    fn at(&self, now: i64, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        let mut r: Req = req(method, target, &self.id, now).header_set("x-csrf-token", &self.csrf).var_set("base_url", "https://lavoro.example.org")
            // the tests move the clock a day ahead: sessions outlive it
            .var_set("session_idle_minutes", "10000")
            .var_set("session_max_hours", "100");
        if let Some(b) = body {
            r = r.json_body(&b);
        }
        let reply = handle(&r, self.db);
        (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }

    fn call(&self, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        self.at(T0, method, target, body)
    }
}

/// `person`'s session, acting for `company` when given.
fn who(db: &rusqlite::Connection, person: i64, company: Option<i64>) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, T0);
    // acting for `company`; alive for the days the tests move ahead
    db.execute(
        "UPDATE sessions SET acting_company_id = ?1, expires_at = expires_at + 10 * 86400 WHERE id_hash = ?2",
        rusqlite::params![company, common::token::sha256_hex(id.as_bytes())],
    )
    .unwrap();
    Who { db, id, csrf }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

fn outbox(db: &rusqlite::Connection, template: &str) -> Vec<(String, String)> {
    let rows = Db::execute(db, "SELECT recipient, body FROM outbox WHERE template = ?1 ORDER BY id", common::params![template]).unwrap();
    rows.map(|r| Ok((r.text("recipient")?, r.text("body")?))).unwrap()
}

/// Tomorrow (T0 + 1 day) at 10:00 in Rome, as the form sends it.
const DAY: &str = "2027-01-16";

fn invite(acme: &Who, time: &str) -> (u16, Value) {
    acme.call("POST", "/api/company/interviews", Some(json!({ "application": 10, "date": DAY, "time": time, "minutes": 30 })))
}

#[test]
fn an_invitation_answered_changed_and_confirmed() {
    let db = db();
    let acme = who(&db, 1, Some(1));
    let giulia = who(&db, 2, None);

    // only applications the CPI sent to the company; dates in the future; bounded length
    let (s, v) = acme.call("POST", "/api/company/interviews", Some(json!({ "application": 11, "date": DAY, "time": "10:00" })));
    assert_eq!((s, v["error"]["fields"][0]["field"].as_str()), (422, Some("application")), "{v}");
    let (s, v) = acme.call("POST", "/api/company/interviews", Some(json!({ "application": 10, "date": "2027-01-14", "time": "10:00" })));
    assert_eq!((s, v["error"]["fields"][0]["code"].as_str()), (422, Some("in_the_past")), "{v}");
    let (s, v) = acme.call("POST", "/api/company/interviews", Some(json!({ "application": 10, "date": DAY, "time": "25:00", "minutes": 5 })));
    assert_eq!((s, v["error"]["fields"].as_array().map(Vec::len)), (422, Some(2)), "{v}");
    assert!(outbox(&db, "interview_invitation").is_empty(), "nothing written");

    let (s, v) = invite(&acme, "10:00");
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["description"], "Colloquio a seguito di candidatura sull'offerta PO-9000001 richiesto da ACME S.R.L.");
    assert_eq!((v["status_label"].as_str(), v["start_local"].as_str(), v["minutes"].as_i64()), (Some("RICHIESTO"), Some("16/01/2027 10:00"), Some(30)));
    let mails = outbox(&db, "interview_invitation");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "giulia@example.org");
    assert!(mails[0].1.contains(&format!("https://lavoro.example.org/api/interviews/{id}/calendar")), "{}", mails[0].1);
    assert!(mails[0].1.contains("16/01/2027 10:00"), "{}", mails[0].1);
    let (s, v) = invite(&acme, "11:00");
    assert_eq!((s, code(&v)), (409, "already_invited"));

    // the candidate's list and the actions of a RICHIESTO
    let (s, list) = giulia.call("GET", "/api/interviews", None);
    assert_eq!((s, list["total"].as_i64()), (200, Some(1)), "{list}");
    let item = &list["items"][0];
    assert_eq!((item["company"].as_str(), item["requested_on"].as_str()), (Some("ACME S.R.L."), Some("15/01/2027")));
    assert_eq!(item["actions"], json!({ "accept": true, "refuse": true, "change": true, "room": false }));
    let (_, none) = giulia.call("GET", "/api/interviews?from=2027-01-17", None);
    assert_eq!(none["total"], 0, "Data da filters by the start");
    let (s, v) = giulia.call("GET", "/api/interviews?from=2027-01-17&to=2027-01-16", None);
    assert_eq!(s, 422, "{v}");

    // Richiedi modifica: the availability is required, then told to the inviter
    let (s, v) = giulia.call("POST", &format!("/api/interviews/{id}/change"), Some(json!({ "message": "  " })));
    assert_eq!((s, v["error"]["fields"][0]["field"].as_str()), (422, Some("message")));
    let (s, v) = giulia.call("POST", &format!("/api/interviews/{id}/change"), Some(json!({ "message": "Disponibile il pomeriggio" })));
    assert_eq!((s, v["status_label"].as_str(), v["change_note"].as_str()), (200, Some("MODIFICA RICHIESTA"), Some("Disponibile il pomeriggio")), "{v}");
    let answers = outbox(&db, "interview_answer");
    assert_eq!(answers.len(), 1);
    assert!(answers[0].0 == "mario@example.org" && answers[0].1.contains("Disponibile il pomeriggio"), "{answers:?}");
    // now neither accept nor a second change
    for action in ["accept", "refuse", "change"] {
        let (s, v) = giulia.call("POST", &format!("/api/interviews/{id}/{action}"), Some(json!({ "message": "ancora" })));
        assert_eq!((s, code(&v)), (409, "state_not_allowed"), "{action}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("MODIFICA RICHIESTA"), "{v}");
    }

    // the company's new date: back to RICHIESTO, e-mailed; only after a change request
    let (s, v) = acme.call("POST", &format!("/api/company/interviews/{id}/reschedule"), Some(json!({ "date": DAY, "time": "15:30" })));
    assert_eq!((s, v["status_label"].as_str(), v["start_local"].as_str(), v["minutes"].as_i64()), (200, Some("RICHIESTO"), Some("16/01/2027 15:30"), Some(30)), "{v}");
    assert_eq!(outbox(&db, "interview_update").len(), 1);
    let (s, v) = acme.call("POST", &format!("/api/company/interviews/{id}/reschedule"), Some(json!({ "date": DAY, "time": "16:30" })));
    assert_eq!((s, code(&v)), (409, "state_not_allowed"));

    // Accetta: CONFERMATO; the .ics has SEQUENCE 1
    let (s, v) = giulia.call("POST", &format!("/api/interviews/{id}/accept"), None);
    assert_eq!((s, v["status_label"].as_str()), (200, Some("CONFERMATO")), "{v}");
    let (s, v) = giulia.call("POST", &format!("/api/interviews/{id}/refuse"), None);
    assert_eq!((s, code(&v)), (409, "state_not_allowed"));
    let r = handle(&req("GET", &format!("/api/interviews/{id}/calendar"), &giulia.id, T0), &db);
    let ics = String::from_utf8(r.body).unwrap();
    assert!(r.status == 200 && ics.contains("SEQUENCE:1") && ics.contains("METHOD:PUBLISH") && ics.contains("Colloquio online con ACME S.R.L."), "{ics}");

    // past its end it is CONCLUSO and can no longer be cancelled
    let end = T0 + 86400 + 6 * 3600 + 3600;
    let (_, v) = giulia.at(end, "GET", &format!("/api/interviews/{id}"), None);
    assert_eq!(v["status_label"], "CONCLUSO", "{v}");
    let (s, v) = acme.at(end, "POST", &format!("/api/company/interviews/{id}/cancel"), None);
    assert_eq!((s, code(&v)), (409, "state_not_allowed"), "{v}");

    // once it is over, the company may invite the candidate again
    let (s, v) = acme.at(end, "POST", "/api/company/interviews", Some(json!({ "application": 10, "date": "2027-01-20", "time": "10:00" })));
    assert_eq!(s, 201, "{v}");
    db.execute("DELETE FROM interviews WHERE id = ?1", rusqlite::params![v["id"].as_i64().unwrap()]).unwrap();

    // before that, the company cancels: ANNULLATO, e-mailed, the .ics says CANCEL
    let (s, v) = acme.call("POST", &format!("/api/company/interviews/{id}/cancel"), None);
    assert_eq!((s, v["status_label"].as_str()), (200, Some("ANNULLATO")), "{v}");
    assert_eq!(outbox(&db, "interview_update").len(), 2);
    let (s, v) = acme.call("POST", &format!("/api/company/interviews/{id}/cancel"), None);
    assert_eq!((s, code(&v)), (409, "state_not_allowed"));
    let r = handle(&req("GET", &format!("/api/interviews/{id}/calendar"), &giulia.id, T0), &db);
    assert!(String::from_utf8(r.body).unwrap().contains("METHOD:CANCEL"));

    // a cancelled invitation frees the application for a new one; refusing it ends it
    let (s, v) = invite(&acme, "12:00");
    assert_eq!(s, 201, "{v}");
    let again = v["id"].as_i64().unwrap();
    let (s, v) = giulia.call("POST", &format!("/api/interviews/{again}/refuse"), None);
    assert_eq!((s, v["status_label"].as_str()), (200, Some("RIFIUTATO")));
    let (s, _) = acme.call("POST", &format!("/api/company/interviews/{again}/cancel"), None);
    assert_eq!(s, 409);
}

#[test]
fn nobody_else_sees_or_answers_an_interview() {
    let db = db();
    let acme = who(&db, 1, Some(1));
    let (_, v) = invite(&acme, "10:00");
    let id = v["id"].as_i64().unwrap();
    let piero = who(&db, 4, None);
    let gpi = who(&db, 3, Some(2));
    for path in [format!("/api/interviews/{id}"), format!("/api/interviews/{id}/calendar")] {
        assert_eq!(piero.call("GET", &path, None).0, 404, "{path}");
    }
    assert_eq!(code(&piero.call("POST", &format!("/api/interviews/{id}/accept"), None).1), "interview_not_found");
    assert_eq!(gpi.call("GET", &format!("/api/company/interviews/{id}"), None).0, 404);
    assert_eq!(gpi.call("POST", &format!("/api/company/interviews/{id}/cancel"), None).0, 404);
    assert_eq!(gpi.call("GET", "/api/company/interviews", None).1["total"], 0);
    // GPI cannot invite ACME's candidate; a citizen not acting for a company is refused
    let (s, v) = gpi.call("POST", "/api/company/interviews", Some(json!({ "application": 10, "date": DAY, "time": "11:00" })));
    assert_eq!((s, v["error"]["fields"][0]["field"].as_str()), (422, Some("application")));
    assert_eq!(piero.call("GET", "/api/company/interviews", None).0, 403);
    // writes need the CSRF token
    let r = handle(&req("POST", &format!("/api/company/interviews/{id}/cancel"), &acme.id, T0).json_body(&json!({})), &db);
    assert_eq!(r.status, 403);
}

#[test]
fn the_room_lobby_and_signalling() {
    let db = db();
    let acme = who(&db, 1, Some(1));
    let giulia = who(&db, 2, None);
    let (_, v) = invite(&acme, "10:00");
    let id = v["id"].as_i64().unwrap();
    let start = common::rome::to_unix(common::rome::parse_day(DAY).unwrap(), 600).unwrap();
    let (room, croom) = (format!("/api/interviews/{id}/room"), format!("/api/company/interviews/{id}/room"));

    // not confirmed yet
    assert_eq!(code(&giulia.at(start, "GET", &room, None).1), "room_not_available");
    giulia.call("POST", &format!("/api/interviews/{id}/accept"), None);
    // before the 15 minutes and after the end
    let early = start - 15 * 60 - 1;
    let (s, v) = giulia.at(early, "POST", &room, None);
    assert_eq!((s, code(&v)), (409, "room_not_open"), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("09:45"), "{v}");
    assert_eq!(code(&acme.at(early, "POST", &croom, None).1), "room_not_open");
    assert_eq!(code(&acme.at(start + 1800, "GET", &croom, None).1), "room_closed");
    assert_eq!(code(&giulia.at(start + 1800, "POST", &format!("{room}/signals"), Some(json!({ "kind": "ready" }))).1), "room_closed");
    // the list shows "Vai al colloquio" exactly inside the window
    assert_eq!(giulia.at(early, "GET", "/api/interviews", None).1["items"][0]["actions"]["room"], false);
    assert_eq!(giulia.at(early + 1, "GET", "/api/interviews", None).1["items"][0]["actions"]["room"], true);

    let now = start - 10 * 60;
    // the candidate knocks and waits; may not signal before being let in
    let (s, v) = giulia.at(now, "POST", &room, None);
    assert_eq!((s, v["waiting"].as_bool(), v["admitted"].as_bool(), v["message"].as_str()), (200, Some(true), Some(false), Some("In attesa che l'azienda ti faccia entrare")), "{v}");
    assert_eq!(code(&giulia.at(now, "POST", &format!("{room}/signals"), Some(json!({ "kind": "ready" }))).1), "waiting_admission");
    assert_eq!(code(&giulia.at(now, "GET", &format!("{room}/signals"), None).1), "waiting_admission");
    // the company must enter before letting in
    assert_eq!(code(&acme.at(now, "POST", &format!("{croom}/admit"), None).1), "not_in_room");
    let (s, v) = acme.at(now, "POST", &croom, None);
    assert_eq!((s, v["company_in"].as_bool(), v["waiting"].as_bool()), (200, Some(true), Some(true)), "{v}");
    let (s, v) = acme.at(now, "POST", &format!("{croom}/admit"), None);
    assert_eq!((s, v["admitted"].as_bool()), (200, Some(true)), "{v}");

    // offer, answer and candidates flow, each side reading the other's after an id
    let (s, v) = giulia.at(now, "POST", &format!("{room}/signals"), Some(json!({ "kind": "ready", "payload": null })));
    assert_eq!(s, 201, "{v}");
    let ready = v["id"].as_i64().unwrap();
    let (_, v) = acme.at(now, "GET", &format!("{croom}/signals?after=0"), None);
    assert_eq!(v["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["ready"], "{v}");
    let sdp = json!({ "type": "offer", "sdp": "v=0\r\n" });
    let (s, _) = acme.at(now, "POST", &format!("{croom}/signals"), Some(json!({ "kind": "offer", "payload": sdp })));
    assert_eq!(s, 201);
    let (_, v) = giulia.at(now, "GET", &format!("{room}/signals?after=0"), None);
    assert_eq!((v["items"][0]["kind"].as_str(), v["items"][0]["payload"].clone()), (Some("offer"), sdp), "{v}");
    let (_, v) = acme.at(now, "GET", &format!("{croom}/signals?after={ready}"), None);
    assert_eq!(v["items"].as_array().unwrap().len(), 0, "nothing newer; its own messages are not echoed");
    // bounded: unknown kinds, oversized payloads
    assert_eq!(giulia.at(now, "POST", &format!("{room}/signals"), Some(json!({ "kind": "media" }))).0, 422);
    let big = "x".repeat(super::MAX_PAYLOAD + 1);
    assert_eq!(giulia.at(now, "POST", &format!("{room}/signals"), Some(json!({ "kind": "candidate", "payload": big }))).0, 422);
    // the cap on messages of one interview is one conditional update
    db.execute("UPDATE interviews SET signals = ?1 WHERE id = ?2", rusqlite::params![super::MAX_SIGNALS, id]).unwrap();
    let (s, v) = giulia.at(now, "POST", &format!("{room}/signals"), Some(json!({ "kind": "candidate", "payload": {} })));
    assert_eq!((s, code(&v)), (429, "too_many_signals"));
    db.execute("UPDATE interviews SET signals = 10 WHERE id = ?1", rusqlite::params![id]).unwrap();

    // nobody else: another citizen, another company, the candidate's routes as the company
    let piero = who(&db, 4, None);
    let gpi = who(&db, 3, Some(2));
    assert_eq!(piero.at(now, "GET", &format!("{room}/signals"), None).0, 404);
    assert_eq!(piero.at(now, "POST", &room, None).0, 404);
    assert_eq!(gpi.at(now, "GET", &format!("{croom}/signals"), None).0, 404);
    assert_eq!(gpi.at(now, "POST", &format!("{croom}/admit"), None).0, 404);
    assert_eq!(acme.at(now, "GET", &format!("{room}/signals"), None).0, 404, "Mario is not the candidate");

    // messages older than SIGNAL_TTL_SECS go when the next one is written
    let stored = |db: &rusqlite::Connection| -> i64 { db.query_row("SELECT count(*) FROM interview_signals WHERE interview_id = ?1", [id], |r| r.get(0)).unwrap() };
    assert_eq!(stored(&db), 2, "ready, offer");
    let later = now + super::SIGNAL_TTL_SECS + 1;
    let (s, _) = acme.at(later, "POST", &format!("{croom}/signals"), Some(json!({ "kind": "candidate", "payload": { "candidate": "" } })));
    assert_eq!(s, 201);
    assert_eq!(stored(&db), 1, "only the new one");
    let (_, v) = giulia.at(later, "GET", &format!("{room}/signals?after=0"), None);
    assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");

    // the candidate leaves: out of the lobby, to be let in again
    let (s, _) = giulia.at(now, "POST", &format!("{room}/signals"), Some(json!({ "kind": "bye" })));
    assert_eq!(s, 201);
    let (_, v) = acme.at(now, "GET", &croom, None);
    assert_eq!((v["waiting"].as_bool(), v["admitted"].as_bool()), (Some(false), Some(false)), "{v}");
    assert_eq!(code(&giulia.at(now, "GET", &format!("{room}/signals"), None).1), "waiting_admission");
    // the company leaves: it must enter again to signal
    acme.at(now, "POST", &format!("{croom}/signals"), Some(json!({ "kind": "bye" })));
    assert_eq!(code(&acme.at(now, "GET", &format!("{croom}/signals"), None).1), "not_in_room");
}

#[test]
fn ice_servers_come_from_the_variables_with_the_turn_secret() {
    let r = Req::new("GET", "/").var_set("interviews_ice_servers", "").var_set("interviews_turn_credential", "");
    assert_eq!(super::ice_servers(&r), json!([]));
    let r = Req::new("GET", "/")
        .var_set("interviews_ice_servers", r#"[{"urls":"stun:stun.example.org"},{"urls":["turn:turn.example.org"],"username":"portale"}]"#)
        .var_set("interviews_turn_credential", "s3cret");
    assert_eq!(super::ice_servers(&r), json!([{ "urls": "stun:stun.example.org" }, { "urls": ["turn:turn.example.org"], "username": "portale", "credential": "s3cret" }]));
    let r = Req::new("GET", "/").var_set("interviews_ice_servers", "{not json").var_set("interviews_turn_credential", "");
    assert_eq!(super::ice_servers(&r), json!([]));
}
