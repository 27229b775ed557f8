//! Appointments natively through [`super::handle`], against the real migrations: the
//! operator's desk and hours make the slots the citizen finds; booking once per slot and
//! within the per-person limits; cancelling by the citizen (in time) and by the CPI
//! (with a reason, e-mailed); the receipt and the calendar file; the reminder job, once;
//! "Contatta il CPI" and the answer; the private feed; everyone else refused.

use access::testing::{req, seed, sign_in, two_cpis};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::handle;

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
        let r = req(method, target, &self.id, self.now).header_set("x-csrf-token", &self.csrf).var_set("base_url", "https://lavoro.example.org").var_set("jobs_secret", "s3cret-0123456789abcdef");
        match body {
            Some(b) => r.json_body(&b),
            None => r,
        }
    }
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    who_at(db, person, T0)
}

/// A session of `person` started at `now`.
fn who_at(db: &rusqlite::Connection, person: i64, now: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, now);
    Who { db, id, csrf, now }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// A desk of Prato open on Mondays 09:00-10:00 and Tuesdays 15:00-16:00 for "ricerca"
/// (30 minutes): its id.
fn prato_desk(op: &Who) -> i64 {
    let (s, d) = op.call("POST", "/api/operator/desks", Some(json!({"name": "C.I. Prato", "address": "Via Pistoiese 1, Prato", "email": "cpi.prato@example.org", "phone": "0574 123456"})));
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().unwrap();
    for (weekday, start, end) in [(1, "09:00", "10:00"), (2, "15:00", "16:00")] {
        let (s, h) = op.call("POST", &format!("/api/operator/desks/{id}/hours"), Some(json!({"kind": "ricerca", "weekday": weekday, "start": start, "end": end})));
        assert_eq!(s, 201, "{h}");
    }
    id
}

fn search(c: &Who, from: &str, to: &str) -> Vec<Value> {
    let (s, v) = c.call("GET", &format!("/api/appointments/availability?cpi=prato&kind=ricerca&from={from}&to={to}"), None);
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

fn outbox(db: &rusqlite::Connection, template: &str) -> Vec<(String, String)> {
    let rows = Db::execute(db, "SELECT recipient, body FROM outbox WHERE template = ?1 ORDER BY id", &[template.into()]).unwrap();
    rows.map(|r| Ok((r.text("recipient")?, r.text("body")?))).unwrap()
}

#[test]
fn hours_make_slots_and_each_slot_is_booked_once() {
    let c = db();
    let op = who(&c, 2);
    let desk = prato_desk(&op);
    let mario = who(&c, 1);
    // Monday 7 Dec 2026 10:00 now: that Monday's slots are past; Tuesday 8 is the
    // Immacolata; Monday 14 and Tuesday 15 have two each
    let slots = search(&mario, "2026-12-07", "2026-12-15");
    let labels: Vec<&str> = slots.iter().map(|s| s["start_local"].as_str().unwrap()).collect();
    assert_eq!(labels, ["14/12/2026 09:00", "14/12/2026 09:30", "15/12/2026 15:00", "15/12/2026 15:30"]);
    assert_eq!(slots[0]["place"], "CPI di PRATO sportello C.I. Prato il 14/12/2026 09:00 (Via Pistoiese 1, Prato - cpi.prato@example.org - 0574 123456)");
    assert_eq!(slots[0]["minutes"], 30);
    assert_eq!(slots[0]["start"], "2026-12-14T08:00:00Z");
    let slot = slots[0]["slot"].as_str().unwrap().to_string();
    assert_eq!(slot, format!("{desk}-ricerca-{}", 1_797_235_200));

    let (s, a) = mario.call("POST", "/api/appointments", Some(json!({"slot": slot})));
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["status"], "prenotato");
    assert_eq!(a["cancellable"], true);
    assert_eq!(a["kind"]["name"], "Colloquio per la ricerca di lavoro");
    let id = a["id"].as_i64().unwrap();
    // the slot is gone from the search, and nobody else can take it
    assert_eq!(search(&mario, "2026-12-14", "2026-12-14").len(), 1);
    let anna = who(&c, 3);
    let (s, e) = anna.call("POST", "/api/appointments", Some(json!({"slot": slot})));
    assert_eq!((s, code(&e)), (409, "slot_taken"), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("appena stato prenotato"));
    // one future booking per kind
    let (s, e) = mario.call("POST", "/api/appointments", Some(json!({"slot": slots[2]["slot"]})));
    assert_eq!((s, code(&e)), (409, "limit_reached"), "{e}");
    // a slot that is not offered, a past one, nonsense
    for (bad, expect) in [
        (format!("{desk}-ricerca-{}", 1_797_235_200 + 600), "slot_unavailable"),
        (format!("{desk}-ricerca-{}", 1_796_630_400), "slot_unavailable"),
        (format!("{desk}-iscrizione-1797235200"), "slot_unavailable"),
        ("x".to_string(), "invalid_fields"),
    ] {
        let (s, e) = anna.call("POST", "/api/appointments", Some(json!({"slot": bad})));
        assert_eq!(code(&e), expect, "{bad}: {s} {e}");
    }
    // the e-mail confirms
    let mails = outbox(&c, "appointment_booked");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "mario@example.org");
    assert!(mails[0].1.contains("14/12/2026 09:00"), "{}", mails[0].1);
    // the link opens the booking's summary in the citizen's page
    assert!(mails[0].1.contains(&format!("https://lavoro.example.org/cittadino/appuntamenti/?riepilogo={id}")), "{}", mails[0].1);
    // the person's list and detail; another person sees nothing
    let (_, list) = mario.call("GET", "/api/appointments?when=future", None);
    assert_eq!(list["total"], 1);
    assert_eq!(anna.call("GET", &format!("/api/appointments/{id}"), None).0, 404);
    assert_eq!(anna.call("POST", &format!("/api/appointments/{id}/cancel"), Some(json!({}))).0, 404);
    assert_eq!(anna.raw("GET", &format!("/api/appointments/{id}/receipt")).status, 404);
    // the operator of Prato sees it, the one of Firenze does not
    let (s, day) = op.call("GET", "/api/operator/appointments?from=2026-12-14&to=2026-12-14", None);
    assert_eq!(s, 200);
    assert_eq!(day["items"][0]["person"]["fiscal_code"], "RSSMRA85C14D612R");
    let piero = who(&c, 4);
    let (_, other) = piero.call("GET", "/api/operator/appointments?from=2026-12-14&to=2026-12-14", None);
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    assert_eq!(piero.call("POST", &format!("/api/operator/appointments/{id}/cancel"), Some(json!({"reason": "x"}))).0, 404);
    assert_eq!(piero.call("POST", &format!("/api/operator/desks/{desk}/hours"), Some(json!({"kind": "ricerca", "weekday": 3, "start": "09:00", "end": "10:00"}))).0, 404);
    // a citizen is not an operator
    assert_eq!(mario.call("GET", "/api/operator/desks", None).0, 403);
}

#[test]
fn receipt_and_calendar_file() {
    let c = db();
    let op = who(&c, 2);
    prato_desk(&op);
    let mario = who(&c, 1);
    let slots = search(&mario, "2026-12-14", "2026-12-14");
    let (_, a) = mario.call("POST", "/api/appointments", Some(json!({"slot": slots[1]["slot"]})));
    let id = a["id"].as_i64().unwrap();
    let pdf = mario.raw("GET", &format!("/api/appointments/{id}/receipt"));
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with(b"%PDF-"));
    let ics = mario.raw("GET", &format!("/api/appointments/{id}/calendar"));
    assert_eq!(ics.status, 200);
    let text = String::from_utf8(ics.body).unwrap();
    assert!(text.contains("METHOD:PUBLISH"), "{text}");
    assert!(text.contains("DTSTART;TZID=Europe/Rome:20261214T093000"), "{text}");
    assert!(text.contains(&format!("UID:appuntamento-{id}@lavoro.example.org")), "{text}");
    // cancelled: the calendar says CANCEL with a higher SEQUENCE
    assert_eq!(mario.call("POST", &format!("/api/appointments/{id}/cancel"), Some(json!({}))).0, 200);
    let text = String::from_utf8(mario.raw("GET", &format!("/api/appointments/{id}/calendar")).body).unwrap();
    assert!(text.contains("METHOD:CANCEL") && text.contains("STATUS:CANCELLED") && text.contains("SEQUENCE:1"), "{text}");
}

#[test]
fn cancelling_in_time_and_by_the_cpi() {
    let c = db();
    let op = who(&c, 2);
    prato_desk(&op);
    let mario = who(&c, 1);
    let slots = search(&mario, "2026-12-14", "2026-12-15");
    let (_, a) = mario.call("POST", "/api/appointments", Some(json!({"slot": slots[0]["slot"]})));
    let id = a["id"].as_i64().unwrap();
    // 14/12 09:00 less 24 hours: from 13/12 09:00 on, too late
    let late = who_at(&c, 1, 1_797_235_200 - 23 * 3600);
    let (s, e) = late.call("POST", &format!("/api/appointments/{id}/cancel"), Some(json!({})));
    assert_eq!((s, code(&e)), (409, "too_late"), "{e}");
    let (s, v) = mario.call("POST", &format!("/api/appointments/{id}/cancel"), Some(json!({})));
    assert_eq!((s, v["status"].as_str()), (200, Some("annullato_cittadino")));
    assert_eq!(code(&mario.call("POST", &format!("/api/appointments/{id}/cancel"), Some(json!({}))).1), "not_cancellable");
    let (_, day) = op.call("GET", "/api/operator/appointments?from=2026-12-14&to=2026-12-14", None);
    assert_eq!(day["items"][0]["status_label"], "Annullato dal cittadino");
    let (_, booked) = op.call("GET", "/api/operator/appointments?from=2026-12-14&to=2026-12-14&status=prenotato", None);
    assert_eq!(booked["items"].as_array().unwrap().len(), 0);
    assert_eq!(op.call("GET", "/api/operator/appointments?status=boh", None).0, 400);
    // the slot is free again; Anna takes it; the CPI cancels it with a reason
    let anna = who(&c, 3);
    let (s, a) = anna.call("POST", "/api/appointments", Some(json!({"slot": slots[0]["slot"]})));
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_i64().unwrap();
    let (s, e) = op.call("POST", &format!("/api/operator/appointments/{id}/cancel"), Some(json!({"reason": "  "})));
    assert_eq!((s, code(&e)), (422, "invalid_fields"));
    let (s, v) = op.call("POST", &format!("/api/operator/appointments/{id}/cancel"), Some(json!({"reason": "Sportello chiuso per sciopero"})));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "annullato_cpi");
    let mails = outbox(&c, "appointment_cancelled");
    assert_eq!(mails.last().unwrap().0, "anna@example.org");
    assert!(mails.last().unwrap().1.contains("Sportello chiuso per sciopero."), "{}", mails.last().unwrap().1);
    let audit = Db::execute(&c, "SELECT count(*) AS n FROM audit_log WHERE action = 'appointment.cancel' AND entity_id = ?1", &[id.to_string().into()]).unwrap().scalar("n").unwrap();
    assert_eq!(audit, 1);
    let (_, mine) = anna.call("GET", &format!("/api/appointments/{id}"), None);
    assert_eq!((mine["status_label"].as_str(), mine["cancel_reason"].as_str()), (Some("Annullato dal CPI"), Some("Sportello chiuso per sciopero")));
}

#[test]
fn overlapping_bookings_are_refused() {
    let c = db();
    let op = who(&c, 2);
    let desk = prato_desk(&op);
    // another desk with "iscrizione" (45 minutes) on Mondays at 09:00
    let (_, d2) = op.call("POST", "/api/operator/desks", Some(json!({"name": "Sportello 2", "address": "Via Roma 2, Prato", "email": "s2@example.org", "phone": "0574 2"})));
    let d2 = d2["id"].as_i64().unwrap();
    assert_ne!(d2, desk);
    assert_eq!(op.call("POST", &format!("/api/operator/desks/{d2}/hours"), Some(json!({"kind": "iscrizione", "weekday": 1, "start": "09:00", "end": "10:30"}))).0, 201);
    let mario = who(&c, 1);
    let slots = search(&mario, "2026-12-14", "2026-12-14");
    assert_eq!(mario.call("POST", "/api/appointments", Some(json!({"slot": slots[1]["slot"]}))).0, 201);
    let (s, v) = mario.call("GET", "/api/appointments/availability?cpi=prato&kind=iscrizione&from=2026-12-14&to=2026-12-14", None);
    assert_eq!(s, 200);
    let nine = v["items"][0]["slot"].as_str().unwrap().to_string();
    let (s, e) = mario.call("POST", "/api/appointments", Some(json!({"slot": nine})));
    assert_eq!((s, code(&e)), (409, "overlap"), "{e}");
}

#[test]
fn reminders_are_sent_once_the_day_before() {
    let c = db();
    let op = who(&c, 2);
    prato_desk(&op);
    let mario = who(&c, 1);
    let slots = search(&mario, "2026-12-14", "2026-12-14");
    assert_eq!(mario.call("POST", "/api/appointments", Some(json!({"slot": slots[0]["slot"]}))).0, 201);
    let job = |now: i64, auth: Option<&str>| {
        let mut r = Req::new("POST", "/jobs/appointments/remind").at(now).var_set("jobs_secret", "s3cret-0123456789abcdef");
        if let Some(a) = auth {
            r = r.header_set("authorization", a);
        }
        let reply = handle(&r, &c);
        (reply.status, serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null))
    };
    assert_eq!(job(T0, None).0, 401);
    // on Monday 7 nothing is due tomorrow; on Sunday 13 the Monday booking is
    let sunday = 1_797_152_400;
    let (s, v) = job(T0, Some("Bearer s3cret-0123456789abcdef"));
    assert_eq!((s, v["reminded"].as_i64()), (200, Some(0)));
    let (_, v) = job(sunday, Some("Bearer s3cret-0123456789abcdef"));
    assert_eq!(v["reminded"], 1);
    let (_, v) = job(sunday + 60, Some("Bearer s3cret-0123456789abcdef"));
    assert_eq!(v["reminded"], 0);
    assert_eq!(outbox(&c, "appointment_reminder").iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["mario@example.org", "+393471234567"]);
}

#[test]
fn contatta_il_cpi_and_the_answer() {
    let c = db();
    let mario = who(&c, 1);
    let (s, e) = mario.call("POST", "/api/appointments/messages", Some(json!({"cpi": "prato", "text": "ciao"})));
    assert_eq!((s, e["error"]["fields"][0]["field"].as_str()), (422, Some("text")));
    let (s, m) = mario.call("POST", "/api/appointments/messages", Some(json!({"cpi": "prato", "kind": "ricerca", "text": "Non trovo disponibilità per dicembre: potete aiutarmi?"})));
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    let op = who(&c, 2);
    let (_, open) = op.call("GET", "/api/operator/appointments/messages", None);
    assert_eq!(open["items"][0]["person"]["name"], "Mario Rossi");
    let piero = who(&c, 4);
    assert_eq!(piero.call("GET", "/api/operator/appointments/messages", None).1["items"].as_array().unwrap().len(), 0);
    assert_eq!(piero.call("POST", &format!("/api/operator/appointments/messages/{id}/answer"), Some(json!({"text": "no"}))).0, 404);
    let (s, a) = op.call("POST", &format!("/api/operator/appointments/messages/{id}/answer"), Some(json!({"text": "Da gennaio apriamo anche il giovedì."})));
    assert_eq!(s, 200, "{a}");
    assert_eq!(code(&op.call("POST", &format!("/api/operator/appointments/messages/{id}/answer"), Some(json!({"text": "ancora"}))).1), "already_answered");
    let (_, mine) = mario.call("GET", "/api/appointments/messages", None);
    assert_eq!(mine["items"][0]["answer"], "Da gennaio apriamo anche il giovedì.");
    assert_eq!(outbox(&c, "cpi_message_answer")[0].0, "mario@example.org");
}

#[test]
fn the_private_feed_follows_the_operator() {
    let c = db();
    let op = who(&c, 2);
    prato_desk(&op);
    let mario = who(&c, 1);
    let slots = search(&mario, "2026-12-14", "2026-12-14");
    assert_eq!(mario.call("POST", "/api/appointments", Some(json!({"slot": slots[0]["slot"]}))).0, 201);
    let (s, f) = op.call("POST", "/api/operator/appointments/feed", Some(json!({})));
    assert_eq!(s, 201);
    let url = f["url"].as_str().unwrap();
    let path = url.strip_prefix("https://lavoro.example.org").unwrap();
    let anon = |p: &str| handle(&Req::new("GET", p).at(T0).var_set("base_url", "https://lavoro.example.org"), &c);
    let r = anon(path);
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body).unwrap();
    assert!(text.contains("Mario Rossi") && text.contains("DTSTART;TZID=Europe/Rome:20261214T090000"), "{text}");
    assert_eq!(anon("/calendar/nope.ics").status, 404);
    // a new URL replaces the old one; revoking ends it
    let (_, f2) = op.call("POST", "/api/operator/appointments/feed", Some(json!({})));
    assert_eq!(anon(path).status, 404);
    let path2 = f2["url"].as_str().unwrap().strip_prefix("https://lavoro.example.org").unwrap().to_string();
    assert_eq!(anon(&path2).status, 200);
    assert_eq!(op.call("POST", "/api/operator/appointments/feed/revoke", Some(json!({}))).1["revoked"], true);
    assert_eq!(anon(&path2).status, 404);
}

#[test]
fn desks_hours_and_exceptions_are_checked_and_audited() {
    let c = db();
    let op = who(&c, 2);
    let (s, e) = op.call("POST", "/api/operator/desks", Some(json!({"name": "", "address": "x", "email": "not-an-email", "phone": "abc"})));
    assert_eq!(s, 422);
    let fields: Vec<&str> = e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "email", "phone"]);
    let desk = prato_desk(&op);
    for bad in [
        json!({"kind": "ricerca", "weekday": 8, "start": "09:00", "end": "10:00"}),
        json!({"kind": "ricerca", "weekday": 1, "start": "10:00", "end": "09:00"}),
        json!({"kind": "ricerca", "weekday": 1, "start": "9", "end": "10:00"}),
        json!({"kind": "iscrizione", "weekday": 1, "start": "09:00", "end": "09:30"}),
        json!({"kind": "boh", "weekday": 1, "start": "09:00", "end": "10:00"}),
    ] {
        let (s, e) = op.call("POST", &format!("/api/operator/desks/{desk}/hours"), Some(bad.clone()));
        assert_eq!(s, 422, "{bad}: {e}");
    }
    // closing Monday 14 removes its slots; an extraordinary opening on the Immacolata adds one
    let mario = who(&c, 1);
    assert_eq!(search(&mario, "2026-12-08", "2026-12-14").len(), 2);
    let (s, x) = op.call("POST", &format!("/api/operator/desks/{desk}/exceptions"), Some(json!({"day": "2026-12-14", "open": false, "note": "Inventario"})));
    assert_eq!(s, 201, "{x}");
    let (s, _) = op.call("POST", &format!("/api/operator/desks/{desk}/exceptions"), Some(json!({"day": "2026-12-08", "open": true, "kind": "ricerca", "start": "10:00", "end": "10:30"})));
    assert_eq!(s, 201);
    let slots = search(&mario, "2026-12-08", "2026-12-14");
    assert_eq!(slots.iter().map(|s| s["start_local"].as_str().unwrap()).collect::<Vec<_>>(), ["08/12/2026 10:00"]);
    let xid = x["id"].as_i64().unwrap();
    assert_eq!(op.call("POST", &format!("/api/operator/desks/{desk}/exceptions/{xid}/delete"), Some(json!({}))).0, 200);
    assert_eq!(op.call("POST", &format!("/api/operator/desks/{desk}/exceptions/{xid}/delete"), Some(json!({}))).0, 404);
    assert_eq!(search(&mario, "2026-12-08", "2026-12-14").len(), 3);
    let (_, all) = op.call("GET", "/api/operator/desks", None);
    assert_eq!(all["items"][0]["hours"].as_array().unwrap().len(), 2);
    assert!(all["holidays"].as_array().unwrap().iter().any(|h| h["day"] == "2026-12-25"));
    let audited = Db::execute(&c, "SELECT count(*) AS n FROM audit_log WHERE action LIKE 'desk.%'", &[]).unwrap().scalar("n").unwrap();
    assert_eq!(audited, 1 + 2 + 2 + 1);
}

#[test]
fn search_input_is_checked() {
    let c = db();
    let mario = who(&c, 1);
    for (q, field) in [
        ("kind=ricerca", "cpi"),
        ("cpi=atlantide&kind=ricerca", "cpi"),
        ("cpi=prato", "kind"),
        ("cpi=prato&kind=ricerca&from=2026-13-01", "from"),
        ("cpi=prato&kind=ricerca&from=2026-12-10&to=2026-12-01", "to"),
        ("cpi=prato&kind=ricerca&from=2026-12-01&to=2027-06-01", "to"),
    ] {
        let (s, e) = mario.call("GET", &format!("/api/appointments/availability?{q}"), None);
        assert_eq!(s, 422, "{q}: {e}");
        assert!(e["error"]["fields"].as_array().unwrap().iter().any(|f| f["field"] == field), "{q}: {e}");
    }
    let (s, v) = mario.call("GET", "/api/appointments/availability?cpi=prato&kind=ricerca", None);
    assert_eq!(s, 200);
    assert!(v["message"].as_str().unwrap().starts_with("Nessuna disponibilità con i parametri inseriti"));
    // without a session
    let anon = handle(&Req::new("GET", "/api/appointments/availability?cpi=prato&kind=ricerca").at(T0), &c);
    assert_eq!(anon.status, 401);
    // the kinds are public
    let kinds = handle(&Req::new("GET", "/api/appointments/kinds").at(T0), &c);
    assert_eq!(kinds.status, 200);
    let v: Value = serde_json::from_slice(&kinds.body).unwrap();
    assert_eq!(v["items"].as_array().unwrap().iter().map(|k| k["minutes"].as_i64().unwrap()).collect::<Vec<_>>(), [45, 45, 30, 30]);
}
