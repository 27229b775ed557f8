//! Online interviews (issue 17, C6 B4) end to end, through the HTTP API only: the CPI
//! sends an application to ACME S.R.L.; ACME invites the candidate (the e-mail in the
//! outbox with the link to the `.ics`, which Python's icalendar reads); Richiedi modifica,
//! ACME's new date, Accetta; every transition the state machine forbids refused with a
//! 409; the room refused before its 15-minute window, after the end, and to another
//! citizen, another company and an operator; the lobby (the company enters, the candidate
//! waits, is let in) and the signalling in between; after the end a new invitation,
//! refused by the candidate; one cancelled by the company.
//!
//! The test clock (`X-Dev-Now`) crosses the windows; the interview is two days ahead.
//!
//! People (config/test-idp): 6 Sofia Gallo is the bootstrap administrator; 4 Chiara
//! Ricci becomes an operator of Firenze; 1 Giulia Bianchi applies; 0 Mario Rossi acts for
//! ACME S.R.L.; 2 Francesca Esposito acts for GPI S.P.A.; 3 Lorenzo Conti is another citizen.

use std::process::Command;

use e2e::client::{Client, last_message, mailbox, registered_citizen, unix_now};
use e2e::staff::{self, ACME, CF, EMAIL, GPI_CODE};
use e2e::{App, Reply, Start};
use serde_json::{Value, json};

fn start(state: &std::path::Path) -> App {
    Start::portal(state)
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg("dev_clock=true")
        // the test clock is up to four days ahead of the sessions' real start
        .arg("--variable")
        .arg("session_idle_minutes=10000")
        .arg("--variable")
        .arg("session_max_hours=200")
        .start()
}

fn code(r: &Reply) -> String {
    let v = r.json();
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {}", r.body)).to_string()
}

fn expect(r: Reply, status: u16, error: &str) {
    assert_eq!((r.status, code(&r).as_str()), (status, error), "{}", r.body);
}

/// The VEVENTs of an `.ics` as Python's icalendar reads them.
fn ics_events(text: &str) -> Value {
    let python = std::env::var("ICS_CHECK_PYTHON").expect("ICS_CHECK_PYTHON: the Python with icalendar (scripts/test makes it)");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.ics");
    std::fs::write(&file, text).unwrap();
    let out = Command::new(python).arg(e2e::root().join("tests/conformance/ics_check.py")).arg(&file).output().unwrap();
    assert!(out.status.success(), "icalendar refused the file: {}\n{text}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `path` of the site (the e-mails' absolute links) without the origin.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest[rest.find('/').unwrap()..].to_string()
}

fn states(c: &Client) -> Vec<String> {
    c.get("/api/interviews").json_checked()["items"].as_array().unwrap().iter().map(|i| i["status_label"].as_str().unwrap().to_string()).collect()
}

#[test]
fn invitation_answers_new_date_and_the_room() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let now = unix_now();

    // --- the CPI sends Giulia's application to ACME
    let admin = registered_citizen(&app, 6);
    let operator = registered_citizen(&app, 4);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let deadline = common::rome::day_at(now + 30 * 86_400);
    let offer = staff::publish(&operator, &staff::offer_form("cameriere di sala", &deadline, ACME))["code"].as_str().unwrap().to_string();
    let giulia = registered_citizen(&app, 1);
    let cv = staff::upload_cv(&giulia, &staff::cv_file(&e2e::cvfiles::cv_text("Giulia Bianchi", CF[1], EMAIL[1], "+39 338 9876543", "23/07/1992", "cameriera")), "CV");
    let application = staff::apply(&giulia, &offer, cv).json()["id"].as_i64().unwrap();
    for status in ["presa_in_carico", "inviata"] {
        let r = operator.post(&format!("/api/operator/applications/{application}/status"), &json!({ "status": status }));
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let acme = staff::acting_for(&app, 0, ACME);
    let gpi = staff::registered_delegate(&app, 2, GPI_CODE);
    let lorenzo = registered_citizen(&app, 3);
    let sent = acme.get(&format!("/api/company/applications?offer={offer}")).json_checked();
    assert_eq!(sent["items"][0]["id"].as_i64(), Some(application), "{sent}");

    // --- the invitation: 10:00 in Rome two days ahead, 45 minutes, the default description
    let day = common::rome::day_at(now + 2 * 86_400);
    let bad = acme.post("/api/company/interviews", &json!({ "application": application, "date": day, "time": "10:00", "minutes": 500 }));
    expect(bad, 422, "invalid_fields");
    assert_eq!(gpi.post("/api/company/interviews", &json!({ "application": application, "date": day, "time": "10:00" })).status, 422, "not GPI's candidate");
    let invited = acme.post("/api/company/interviews", &json!({ "application": application, "date": day, "time": "10:00", "minutes": 45 }));
    assert_eq!(invited.status, 201, "{}", invited.body);
    let iv = invited.json();
    let id = iv["id"].as_i64().unwrap();
    assert_eq!(iv["description"].as_str().unwrap(), format!("Colloquio a seguito di candidatura sull'offerta {offer} richiesto da ACME S.R.L."));
    expect(acme.post("/api/company/interviews", &json!({ "application": application, "date": day, "time": "11:00" })), 409, "already_invited");

    // the e-mail in the outbox, its .ics
    let mail = last_message(&app, EMAIL[1], "interview_invitation");
    let body = mail["body"].as_str().unwrap();
    assert!(body.contains("ACME S.R.L.") && body.contains(iv["start_local"].as_str().unwrap()) && body.contains("45 minuti"), "{mail}");
    let calendar = mail["params"]["calendar"].as_str().unwrap();
    assert!(body.contains(calendar), "{mail}");
    let (status, headers, ics) = giulia.get_bytes(&path_of(calendar));
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v.starts_with("text/calendar")));
    let events = ics_events(&String::from_utf8(ics).unwrap());
    let ev = &events["events"][0];
    assert_eq!((events["method"].as_str(), ev["sequence"].as_i64()), (Some("PUBLISH"), Some(0)), "{events}");
    assert_eq!(ev["dtstart"]["utc"], iv["start"], "{ev}");
    assert_eq!(ev["dtend"]["utc"], iv["end"], "{ev}");
    let uid = ev["uid"].as_str().unwrap().to_string();

    // --- Elenco Colloqui: RICHIESTO with Accetta / Rifiuta / Richiedi modifica
    let list = giulia.get(&format!("/api/interviews?from={day}&to={day}")).json_checked();
    assert_eq!(list["total"], 1, "{list}");
    let row = &list["items"][0];
    assert_eq!((row["status_label"].as_str(), row["company"].as_str(), row["requested_on"].as_str()), (Some("RICHIESTO"), Some("ACME S.R.L."), Some(common::rome::italian_day(now).as_str())));
    assert_eq!(row["actions"], json!({ "accept": true, "refuse": true, "change": true, "room": false }));

    // Richiedi modifica: ACME's inviter is told the availability
    let asked = giulia.post(&format!("/api/interviews/{id}/change"), &json!({ "message": "Preferisco il pomeriggio, dopo le 15" }));
    assert_eq!((asked.status, asked.json()["status_label"].as_str()), (200, Some("MODIFICA RICHIESTA")), "{}", asked.body);
    let told = last_message(&app, EMAIL[0], "interview_answer");
    assert!(told["body"].as_str().unwrap().contains("Preferisco il pomeriggio, dopo le 15"), "{told}");
    for action in ["accept", "refuse", "change"] {
        expect(giulia.post(&format!("/api/interviews/{id}/{action}"), &json!({ "message": "ancora" })), 409, "state_not_allowed");
    }
    let company_view = acme.get(&format!("/api/company/interviews/{id}")).json_checked();
    assert_eq!((company_view["change_note"].as_str(), company_view["actions"]["reschedule"].as_bool()), (Some("Preferisco il pomeriggio, dopo le 15"), Some(true)));

    // ACME's new date: 15:30, back to RICHIESTO, e-mailed; the .ics SEQUENCE 1
    let mails = mailbox(&app, EMAIL[1]).len();
    let moved = acme.post(&format!("/api/company/interviews/{id}/reschedule"), &json!({ "date": day, "time": "15:30" }));
    assert_eq!((moved.status, moved.json()["status_label"].as_str()), (200, Some("RICHIESTO")), "{}", moved.body);
    assert_eq!(mailbox(&app, EMAIL[1]).len(), mails + 1);
    let update = last_message(&app, EMAIL[1], "interview_update");
    assert!(update["body"].as_str().unwrap().contains("nuova data"), "{update}");
    expect(acme.post(&format!("/api/company/interviews/{id}/reschedule"), &json!({ "date": day, "time": "16:00" })), 409, "state_not_allowed");
    let start = common::rome::to_unix(common::rome::parse_day(&day).unwrap(), 15 * 60 + 30).unwrap();
    let end = start + 45 * 60;
    let (_, _, ics) = giulia.get_bytes(&path_of(calendar));
    let events = ics_events(&String::from_utf8(ics).unwrap());
    assert_eq!((events["events"][0]["sequence"].as_i64(), events["events"][0]["uid"].as_str()), (Some(1), Some(uid.as_str())));

    // Accetta: CONFERMATO; no answer twice
    let accepted = giulia.post(&format!("/api/interviews/{id}/accept"), &json!({}));
    assert_eq!((accepted.status, accepted.json()["status_label"].as_str()), (200, Some("CONFERMATO")), "{}", accepted.body);
    assert!(last_message(&app, EMAIL[0], "interview_answer")["body"].as_str().unwrap().contains("ha confermato"));
    for action in ["accept", "refuse", "change"] {
        expect(giulia.post(&format!("/api/interviews/{id}/{action}"), &json!({ "message": "x" })), 409, "state_not_allowed");
    }
    expect(acme.post(&format!("/api/company/interviews/{id}/reschedule"), &json!({ "date": day, "time": "16:00" })), 409, "state_not_allowed");

    // --- the room: refused before the 15-minute window, to everyone else, after the end
    let room = format!("/api/interviews/{id}/room");
    let croom = format!("/api/company/interviews/{id}/room");
    let early = start - 15 * 60 - 1;
    assert_eq!(giulia.at(early).get("/api/interviews").json_checked()["items"][0]["actions"]["room"], false, "no «Vai al colloquio» yet");
    expect(giulia.at(early).post(&room, &json!({})), 409, "room_not_open");
    expect(giulia.at(early).get(&format!("{room}/signals")), 409, "room_not_open");
    expect(acme.at(early).post(&croom, &json!({})), 409, "room_not_open");
    expect(acme.at(early).post(&format!("{croom}/signals"), &json!({ "kind": "hello" })), 409, "room_not_open");
    let t = start - 14 * 60;
    let (giulia_t, acme_t) = (giulia.at(t), acme.at(t));
    assert_eq!(giulia_t.get("/api/interviews").json_checked()["items"][0]["actions"]["room"], true, "«Vai al colloquio»");
    for other in [lorenzo.at(t), gpi.at(t), operator.at(t)] {
        for path in [room.clone(), format!("{room}/signals")] {
            assert_eq!(other.get(&path).status, 404, "{path}");
            assert_eq!(other.post(&path, &json!({ "kind": "ready" })).status, 404, "{path}");
        }
    }
    for path in [croom.clone(), format!("{croom}/signals")] {
        assert_eq!(gpi.at(t).get(&path).status, 404, "another company: {path}");
        assert_eq!(gpi.at(t).post(&path, &json!({ "kind": "hello" })).status, 404, "another company: {path}");
        for who in [lorenzo.at(t), operator.at(t), giulia_t.clone()] {
            assert_eq!(who.get(&path).status, 403, "acting for no company: {path}");
        }
    }
    assert_eq!(gpi.at(t).post(&format!("{croom}/admit"), &json!({})).status, 404);

    // the lobby: the candidate knocks and waits; the company enters, then lets them in
    let knock = giulia_t.post(&room, &json!({}));
    assert_eq!(knock.status, 200, "{}", knock.body);
    assert_eq!((knock.json()["admitted"].as_bool(), knock.json()["message"].as_str()), (Some(false), Some("In attesa che l'azienda ti faccia entrare")));
    expect(giulia_t.post(&format!("{room}/signals"), &json!({ "kind": "ready" })), 409, "waiting_admission");
    expect(acme_t.post(&format!("{croom}/admit"), &json!({})), 409, "not_in_room");
    let entered = acme_t.post(&croom, &json!({})).json_checked();
    assert_eq!((entered["company_in"].as_bool(), entered["waiting"].as_bool(), entered["ice_servers"].clone()), (Some(true), Some(true), json!([])), "{entered}");
    let admitted = acme_t.post(&format!("{croom}/admit"), &json!({})).json_checked();
    assert_eq!(admitted["admitted"], true);
    assert_eq!(giulia_t.get(&room).json_checked()["admitted"], true);

    // signalling: ready -> offer -> answer -> candidates, each side reading after an id
    let ready = giulia_t.post(&format!("{room}/signals"), &json!({ "kind": "ready" }));
    assert_eq!(ready.status, 201, "{}", ready.body);
    let got = acme_t.get(&format!("{croom}/signals?after={}", entered["last_id"])).json_checked();
    assert_eq!(got["items"][0]["kind"], "ready", "{got}");
    let offer_sdp = json!({ "type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n" });
    assert_eq!(acme_t.post(&format!("{croom}/signals"), &json!({ "kind": "offer", "payload": offer_sdp })).status, 201);
    let got = giulia_t.get(&format!("{room}/signals?after=0")).json_checked();
    assert_eq!((got["items"][0]["kind"].as_str(), got["items"][0]["payload"].clone()), (Some("offer"), offer_sdp));
    let last = got["items"][0]["id"].as_i64().unwrap();
    assert_eq!(giulia_t.post(&format!("{room}/signals"), &json!({ "kind": "answer", "payload": { "type": "answer", "sdp": "v=0\r\n" } })).status, 201);
    assert_eq!(giulia_t.get(&format!("{room}/signals?after={last}")).json_checked()["items"], json!([]));
    expect(giulia_t.post(&format!("{room}/signals"), &json!({ "kind": "candidate", "payload": "x".repeat(17 * 1024) })), 422, "invalid_fields");

    // after the end: closed to both, and CONCLUSO
    for c in [giulia.at(end), acme.at(end)] {
        let prefix = if c.cookie == giulia.cookie { &room } else { &croom };
        expect(c.get(prefix), 409, "room_closed");
        expect(c.get(&format!("{prefix}/signals")), 409, "room_closed");
        expect(c.post(&format!("{prefix}/signals"), &json!({ "kind": "bye" })), 409, "room_closed");
    }
    assert_eq!(states(&giulia.at(end)), ["CONCLUSO"]);
    expect(acme.at(end).post(&format!("/api/company/interviews/{id}/cancel"), &json!({})), 409, "state_not_allowed");

    // --- a second interview, refused; a third, cancelled by the company
    let later = common::rome::day_at(now + 4 * 86_400);
    let second = acme.at(end).post("/api/company/interviews", &json!({ "application": application, "date": later, "time": "09:00" }));
    assert_eq!(second.status, 201, "{}", second.body);
    let second = second.json()["id"].as_i64().unwrap();
    let refused = giulia.at(end).post(&format!("/api/interviews/{second}/refuse"), &json!({}));
    assert_eq!(refused.json()["status_label"], "RIFIUTATO", "{}", refused.body);
    expect(acme.at(end).post(&format!("/api/company/interviews/{second}/cancel"), &json!({})), 409, "state_not_allowed");
    expect(giulia.at(end).post(&format!("/api/interviews/{second}/accept"), &json!({})), 409, "state_not_allowed");
    let third = acme.at(end).post("/api/company/interviews", &json!({ "application": application, "date": later, "time": "12:00" }));
    assert_eq!(third.status, 201, "{}", third.body);
    let third = third.json()["id"].as_i64().unwrap();
    let cancelled = acme.at(end).post(&format!("/api/company/interviews/{third}/cancel"), &json!({}));
    assert_eq!(cancelled.json()["status_label"], "ANNULLATO", "{}", cancelled.body);
    assert!(last_message(&app, EMAIL[1], "interview_update")["body"].as_str().unwrap().contains("ha annullato"));
    expect(giulia.at(end).post(&format!("/api/interviews/{third}/accept"), &json!({})), 409, "state_not_allowed");
    let (_, _, ics) = giulia.at(end).get_bytes(&format!("/api/interviews/{third}/calendar"));
    assert_eq!(ics_events(&String::from_utf8(ics).unwrap())["method"], "CANCEL");
    let mut seen = states(&giulia.at(end));
    seen.sort();
    assert_eq!(seen, ["ANNULLATO", "CONCLUSO", "RIFIUTATO"]);
    let company_list = acme.at(end).get("/api/company/interviews").json_checked();
    assert_eq!(company_list["total"], 3, "{company_list}");
    assert_eq!(gpi.get("/api/company/interviews").json_checked()["total"], 0);
}

/// The room across two replicas (README "Running replicas"): the company talks to one
/// runner, the candidate to the other; the lobby and every signalling message written
/// through one are read through the other, in order, from the shared SQLite file.
#[test]
fn the_room_works_across_two_replicas() {
    let redis = e2e::redis::Redis::start();
    let dir = tempfile::tempdir().unwrap();
    let db_file = dir.path().join("shared").join("portal.db");
    std::fs::create_dir_all(db_file.parent().unwrap()).unwrap();
    let rc = dir.path().join("runtime-config.toml");
    std::fs::write(&rc, format!("[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n\n[sqlite_database.default]\ntype = \"spin\"\npath = \"{}\"\n", redis.url(0), db_file.display())).unwrap();
    let (state_a, state_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let replica = |state: &std::path::Path| Start::portal(state).arg("--runtime-config-file").arg(rc.to_str().unwrap()).arg("--sqlite").arg("PRAGMA journal_mode = WAL").start();
    let a = replica(state_a.path());
    let b = replica(state_b.path());

    // a confirmed interview, open now, between Giulia (through B) and ACME (through A)
    let giulia = Client::with_cookie(&b, registered_citizen(&a, 1).cookie);
    let acme = staff::acting_for(&a, 0, ACME);
    let now = unix_now();
    let id: i64 = {
        let db = rusqlite::Connection::open(&db_file).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        let person = |cf: &str| -> i64 { db.query_row("SELECT id FROM people WHERE fiscal_code = ?1", [cf], |r| r.get(0)).unwrap() };
        let (candidate, mario) = (person(CF[1]), person(CF[0]));
        db.execute(
            "INSERT INTO applications (offer_id, cpi_code, person_id, declarations, status, created_at, updated_at) SELECT id, cpi_code, ?1, '[]', 'inviata', ?2, ?2 FROM offers WHERE id = 1",
            rusqlite::params![candidate, now],
        )
        .unwrap();
        let application = db.last_insert_rowid();
        db.execute(
            "INSERT INTO interviews (application_id, offer_id, company_id, person_id, start_at, end_at, description, status, created_by, created_at, updated_at)
             VALUES (?1, 1, ?2, ?3, ?4, ?5, 'Colloquio', 'confermato', ?6, ?7, ?7)",
            rusqlite::params![application, ACME, candidate, now + 600, now + 3600, mario, now],
        )
        .unwrap();
        db.last_insert_rowid()
    };
    let (room, croom) = (format!("/api/interviews/{id}/room"), format!("/api/company/interviews/{id}/room"));

    // the lobby: each step written through one replica, seen through the other
    assert_eq!(acme.post(&croom, &json!({})).json_checked()["company_in"], true);
    let knock = giulia.post(&room, &json!({})).json_checked();
    assert_eq!((knock["company_in"].as_bool(), knock["waiting"].as_bool()), (Some(true), Some(true)), "{knock}");
    assert_eq!(acme.get(&croom).json_checked()["waiting"], true);
    acme.post(&format!("{croom}/admit"), &json!({})).json_checked();
    assert_eq!(giulia.get(&room).json_checked()["admitted"], true);

    // a conversation of 40 messages, alternating, each read through the other replica in order
    let (mut company_after, mut candidate_after) = (0, 0);
    for i in 0..20 {
        let sent = acme.post(&format!("{croom}/signals"), &json!({ "kind": "candidate", "payload": { "n": i } }));
        assert_eq!(sent.status, 201, "{}", sent.body);
        let got = giulia.get(&format!("{room}/signals?after={candidate_after}")).json_checked();
        assert_eq!(got["items"].as_array().unwrap().iter().map(|m| m["payload"]["n"].as_i64().unwrap()).collect::<Vec<_>>(), [i], "{got}");
        candidate_after = got["items"][0]["id"].as_i64().unwrap();
        let answered = giulia.post(&format!("{room}/signals"), &json!({ "kind": "candidate", "payload": { "n": i } }));
        assert_eq!(answered.status, 201, "{}", answered.body);
        let got = acme.get(&format!("{croom}/signals?after={company_after}")).json_checked();
        assert_eq!(got["items"].as_array().unwrap().len(), 1, "{got}");
        company_after = got["items"][0]["id"].as_i64().unwrap();
        assert!(company_after > candidate_after, "the ids grow across replicas");
    }
}
