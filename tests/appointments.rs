//! CPI appointments (issue 16) end to end, through the HTTP API only: an operator of
//! Prato defines a desk and weekly hours; the slots a citizen finds skip the national
//! holidays and follow the daylight-saving changes; booking, the summary, the PDF
//! receipt (pdftotext, pdfinfo: tagged), the `.ics` (Python's icalendar), cancelling;
//! 500 concurrent bookings of one slot, exactly one of which succeeds; the per-person
//! limits; another citizen refused; "Contatta il CPI" reaching the operator and the
//! answer reaching the citizen; the CPI's cancellation e-mailed; the reminder job once.
//!
//! The whole test runs on the test clock at T, a Monday 10:00 in Rome at least a week
//! ahead of the real date (sessions are made to outlive the distance).
//!
//! People (config/test-idp): 6 Sofia Gallo is the bootstrap administrator; 4 Chiara
//! Ricci becomes an operator of the CPI of Prato; 1, 2, 3, 5 and 7 book.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use e2e::client::{Client, last_message, mailbox, registered_citizen, unix_now};
use e2e::staff::{self, CF, EMAIL};
use e2e::{App, Reply, Start};
use serde_json::{Value, json};
use time::{Date, Month, Weekday};

const JOBS_SECRET: &str = "appointments-jobs-secret-0123456789";

fn start(state: &std::path::Path) -> App {
    Start::portal(state)
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg("dev_clock=true")
        .arg("--variable")
        .arg(format!("jobs_secret={JOBS_SECRET}"))
        // the test clock is up to two weeks ahead of the sessions' real start
        .arg("--variable")
        .arg("session_idle_minutes=30000")
        .arg("--variable")
        .arg("session_max_hours=600")
        .start()
}

fn code(r: &Reply) -> String {
    let v = r.json();
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {}", r.body)).to_string()
}

fn rome_day(unix: i64) -> Date {
    common::rome::local(unix).0
}

fn iso(d: Date) -> String {
    common::rome::iso(d)
}

/// A Monday at 10:00 in Rome, 8 to 14 days after now.
fn test_now() -> i64 {
    let mut d = rome_day(unix_now()) + time::Duration::days(8);
    while d.weekday() != Weekday::Monday {
        d = d.next_day().unwrap();
    }
    common::rome::to_unix(d, 600).unwrap()
}

fn last_sunday(year: i32, month: Month) -> Date {
    let mut d = Date::from_calendar_date(year, month, month.length(year)).unwrap();
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().unwrap();
    }
    d
}

fn labels(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|s| s["start_local"].as_str().unwrap().to_string()).collect()
}

/// Checks a PDF with poppler's pdftotext and pdfinfo: its text, and that it is tagged.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, bytes).unwrap();
    let info = Command::new("pdfinfo").arg(&file).output().expect("pdfinfo (poppler-utils) is installed by scripts/test");
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "the receipt is not tagged:\n{info}");
    assert!(info.contains("Ricevuta di prenotazione appuntamento"), "no title:\n{info}");
    let out = Command::new("pdftotext").arg("-layout").arg(&file).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
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

#[test]
fn appointments_from_the_hours_to_the_reminder() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let t = test_now();
    let monday = rome_day(t);
    let admin = registered_citizen(&app, 6).at(t);
    let operator = registered_citizen(&app, 4).at(t);
    staff::grant(&admin, CF[4], "operator", Some("prato"));
    let giulia = registered_citizen(&app, 1).at(t);

    // the kinds are public and the manual's
    let kinds = Client::anonymous(&app).get("/api/appointments/kinds").json_checked();
    assert_eq!(kinds["items"].as_array().unwrap().iter().map(|k| format!("{} ({})", k["name"].as_str().unwrap(), k["minutes"])).collect::<Vec<_>>(), [
        "Colloquio per iscrizione al CPI (45)",
        "Colloquio per stesura curriculum vitae (45)",
        "Colloquio per la ricerca di lavoro (30)",
        "Colloquio di attivazione dei tirocini (30)"
    ]);

    // the operator: a desk open every day 09:00-10:00 for "ricerca", and on Sundays
    // 01:00-04:00 for "tirocini" (to cross the DST changes)
    let desk = operator.post("/api/operator/desks", &json!({"name": "C.I. Prato", "address": "Via Pistoiese 1, Prato", "email": "cpi.prato@example.org", "phone": "0574 123456"}));
    assert_eq!(desk.status, 201, "{}", desk.body);
    let desk = desk.json()["id"].as_i64().unwrap();
    for weekday in 1..=7 {
        let r = operator.post(&format!("/api/operator/desks/{desk}/hours"), &json!({"kind": "ricerca", "weekday": weekday, "start": "09:00", "end": "10:00"}));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = operator.post(&format!("/api/operator/desks/{desk}/hours"), &json!({"kind": "tirocini", "weekday": 7, "start": "01:00", "end": "04:00"}));
    assert_eq!(r.status, 201, "{}", r.body);
    // the spring change may be Easter Sunday (28 March 2027), a holiday: the desk opens
    // that night by an extraordinary opening
    let year = if monday < last_sunday(monday.year(), Month::March) { monday.year() } else { monday.year() + 1 };
    let spring = last_sunday(year, Month::March);
    let r = operator.post(&format!("/api/operator/desks/{desk}/exceptions"), &json!({"day": iso(spring), "open": true, "kind": "tirocini", "start": "01:00", "end": "04:00", "note": "Apertura straordinaria"}));
    assert_eq!(r.status, 201, "{}", r.body);
    let r = operator.post(&format!("/api/operator/desks/{desk}/hours"), &json!({"kind": "ricerca", "weekday": 3, "start": "11:00", "end": "10:00"}));
    assert_eq!((r.status, code(&r)), (422, "invalid_fields".to_string()));

    // 92 days of "ricerca": two slots a day, none on a national holiday, none today (past)
    let from = monday;
    let to = monday + time::Duration::days(91);
    let found = giulia.get(&format!("/api/appointments/availability?cpi=prato&kind=ricerca&from={}&to={}", iso(from), iso(to))).json_checked();
    let got = labels(&found);
    let mut expected = Vec::new();
    let mut d = from.next_day().unwrap();
    while d <= to {
        if !calendar::is_holiday(d) {
            for hm in ["09:00", "09:30"] {
                expected.push(format!("{:02}/{:02}/{} {hm}", d.day(), u8::from(d.month()), d.year()));
            }
        }
        d = d.next_day().unwrap();
    }
    assert_eq!(got, expected);
    assert!(calendar::holidays(from.year()).iter().chain(calendar::holidays(from.year() + 1).iter()).any(|(h, _)| *h > from && *h <= to), "the window holds a holiday");

    // the DST changes: on the spring Sunday 02:00 and 02:30 do not exist; in autumn
    // every slot lasts 30 real minutes
    let v = giulia.get(&format!("/api/appointments/availability?cpi=prato&kind=tirocini&from={0}&to={0}", iso(spring))).json_checked();
    let starts: Vec<&str> = v["items"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap()).collect();
    let day = iso(spring);
    let expect = [format!("{day}T00:00:00Z"), format!("{day}T00:30:00Z"), format!("{day}T01:00:00Z"), format!("{day}T01:30:00Z")];
    assert_eq!(starts, expect.iter().map(String::as_str).collect::<Vec<_>>(), "{v}");
    let autumn_year = if monday < last_sunday(monday.year(), Month::October) { monday.year() } else { monday.year() + 1 };
    let autumn = last_sunday(autumn_year, Month::October);
    let v = giulia.get(&format!("/api/appointments/availability?cpi=prato&kind=tirocini&from={0}&to={0}", iso(autumn))).json_checked();
    assert_eq!(labels(&v).len(), 6, "{v}");

    // book the first slot: the summary, the receipt, the calendar file
    // the first slot two days ahead or more (one that may still be cancelled)
    let start_of = |s: &Value| -> i64 { s["slot"].as_str().unwrap().rsplit('-').next().unwrap().parse().unwrap() };
    let items = found["items"].as_array().unwrap();
    let i0 = items.iter().position(|s| start_of(s) > t + 2 * 86400).unwrap();
    let first = &items[i0];
    assert_eq!(first["place"].as_str().unwrap(), format!("CPI di PRATO sportello C.I. Prato il {} (Via Pistoiese 1, Prato - cpi.prato@example.org - 0574 123456)", first["start_local"].as_str().unwrap()));
    let booked = giulia.post("/api/appointments", &json!({"slot": first["slot"]}));
    assert_eq!(booked.status, 201, "{}", booked.body);
    let a = booked.json();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["status_label"], "Prenotato");
    let mail = last_message(&app, EMAIL[1], "appointment_booked");
    assert!(mail["body"].as_str().unwrap().contains(first["start_local"].as_str().unwrap()), "{mail}");
    let (status, headers, pdf) = giulia.get_bytes(&format!("/api/appointments/{id}/receipt"));
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v == "application/pdf"));
    let text = pdf_text(&pdf);
    for needle in ["Ricevuta di prenotazione appuntamento", "Colloquio per la ricerca di lavoro", "GIULIA", "Via Pistoiese 1, Prato", first["start_local"].as_str().unwrap(), "Come si svolge"] {
        assert!(text.to_uppercase().contains(&needle.to_uppercase()), "the receipt lacks {needle}:\n{text}");
    }
    let (_, _, ics) = giulia.get_bytes(&format!("/api/appointments/{id}/calendar"));
    let events = ics_events(&String::from_utf8(ics).unwrap());
    let ev = &events["events"][0];
    assert_eq!(events["method"], "PUBLISH");
    assert_eq!(ev["dtstart"]["tzid"], "Europe/Rome");
    // the instants by the system's zone data and by the file's own VTIMEZONE
    for by in ["utc", "utc_by_vtimezone"] {
        assert_eq!(ev["dtstart"][by], first["start"], "{by}: {ev}");
        assert_eq!(ev["dtend"][by], first["end"], "{by}: {ev}");
    }
    assert_eq!(ev["sequence"], 0);
    let uid = ev["uid"].as_str().unwrap().to_string();
    assert!(uid.starts_with(&format!("appuntamento-{id}@")), "{uid}");

    // another citizen sees nothing of it; the per-kind limit
    let lorenzo = registered_citizen(&app, 3).at(t);
    assert_eq!(lorenzo.get(&format!("/api/appointments/{id}")).status, 404);
    assert_eq!(lorenzo.post(&format!("/api/appointments/{id}/cancel"), &json!({})).status, 404);
    assert_eq!(lorenzo.get_bytes(&format!("/api/appointments/{id}/receipt")).0, 404);
    let second = giulia.post("/api/appointments", &json!({"slot": items[i0 + 1]["slot"]}));
    assert_eq!((second.status, code(&second)), (409, "limit_reached".to_string()));

    // 500 concurrent bookings of one slot by four citizens: exactly one succeeds
    let others: Vec<Client> = [2, 5, 7].iter().map(|&n| registered_citizen(&app, n).at(t)).chain([lorenzo.clone()]).collect();
    let target = items[i0 + 3]["slot"].as_str().unwrap().to_string();
    let next = AtomicUsize::new(0);
    let results: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= 500 {
                            break out;
                        }
                        let r = others[i % others.len()].post("/api/appointments", &json!({"slot": target}));
                        let c = if r.status == 201 { String::new() } else { code(&r) };
                        out.push((r.status, c));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.len(), 500);
    assert_eq!(results.iter().filter(|r| r.0 == 201).count(), 1, "{:?}", results.iter().filter(|r| r.0 != 409).collect::<Vec<_>>());
    assert!(results.iter().filter(|r| r.0 != 201).all(|r| r.0 == 409 && r.1 == "slot_taken"), "{:?}", results.iter().filter(|r| r.0 != 201 && r.1 != "slot_taken").take(5).collect::<Vec<_>>());
    let target_day = rome_day(start_of(&items[i0 + 3]));
    let booked_slot = operator.get(&format!("/api/operator/appointments?from={0}&to={0}", iso(target_day))).json_checked();
    assert_eq!(booked_slot["items"].as_array().unwrap().iter().filter(|a| a["status"] == "prenotato").count(), 1, "{booked_slot}");

    // the citizen cancels (in time): the .ics says CANCEL, SEQUENCE 1, same UID
    let cancelled = giulia.post(&format!("/api/appointments/{id}/cancel"), &json!({}));
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let (_, _, ics) = giulia.get_bytes(&format!("/api/appointments/{id}/calendar"));
    let events = ics_events(&String::from_utf8(ics).unwrap());
    assert_eq!((events["method"].as_str(), events["events"][0]["status"].as_str(), events["events"][0]["sequence"].as_i64()), (Some("CANCEL"), Some("CANCELLED"), Some(1)));
    assert_eq!(events["events"][0]["uid"], uid.as_str());

    // too late to cancel from the portal within appointments_cancel_hours (24)
    let rebooked = giulia.post("/api/appointments", &json!({"slot": first["slot"]}));
    assert_eq!(rebooked.status, 201, "{}", rebooked.body);
    let id2 = rebooked.json()["id"].as_i64().unwrap();
    let start2 = start_of(first);
    let late = giulia.at(start2 - 3600).post(&format!("/api/appointments/{id2}/cancel"), &json!({}));
    assert_eq!((late.status, code(&late)), (409, "too_late".to_string()));

    // the reminder job, the day before, once: e-mail and SMS
    let job = |now: i64| {
        e2e::client::json_request("POST", &app.url("/jobs/appointments/remind"), &[("authorization", &format!("Bearer {JOBS_SECRET}")), (e2e::client::DEV_NOW, &now.to_string())], Some(&json!({})))
    };
    let eve = start2 - 86400;
    let r = job(eve);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["reminded"], 1, "{}", r.body);
    assert_eq!(job(eve + 60).json()["reminded"], 0);
    assert_eq!(mailbox(&app, EMAIL[1]).iter().filter(|m| m["template"] == "appointment_reminder").count(), 1);

    // the CPI cancels with a reason: the citizen is told
    let refused = operator.post(&format!("/api/operator/appointments/{id2}/cancel"), &json!({"reason": ""}));
    assert_eq!(refused.status, 422);
    let by_cpi = operator.post(&format!("/api/operator/appointments/{id2}/cancel"), &json!({"reason": "Sportello chiuso per un'assemblea"}));
    assert_eq!(by_cpi.status, 200, "{}", by_cpi.body);
    let mail = last_message(&app, EMAIL[1], "appointment_cancelled");
    assert!(mail["body"].as_str().unwrap().contains("Sportello chiuso per un'assemblea."), "{mail}");
    let audit = admin.get(&format!("/api/admin/audit?action=appointment.cancel&entity_id={id2}")).json_checked();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");

    // no availability: "Contatta il CPI" reaches the operator, the answer the citizen
    let none = giulia.get("/api/appointments/availability?cpi=prato&kind=iscrizione").json_checked();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    assert!(none["message"].as_str().unwrap().starts_with("Nessuna disponibilità con i parametri inseriti."));
    let sent = giulia.post("/api/appointments/messages", &json!({"cpi": "prato", "kind": "iscrizione", "text": "Vorrei iscrivermi al CPI ma non trovo posti: come posso fare?"}));
    assert_eq!(sent.status, 201, "{}", sent.body);
    let mid = sent.json()["id"].as_i64().unwrap();
    let inbox = operator.get("/api/operator/appointments/messages").json_checked();
    assert_eq!(inbox["items"][0]["id"], mid);
    assert_eq!(inbox["items"][0]["person"]["fiscal_code"], CF[1]);
    let answered = operator.post(&format!("/api/operator/appointments/messages/{mid}/answer"), &json!({"text": "Ti abbiamo riservato un posto: controlla le disponibilità da lunedì."}));
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert!(last_message(&app, EMAIL[1], "cpi_message_answer")["body"].as_str().unwrap().contains("Ti abbiamo riservato un posto"));
    assert_eq!(giulia.get("/api/appointments/messages").json_checked()["items"][0]["answer"], "Ti abbiamo riservato un posto: controlla le disponibilità da lunedì.");

    // bad inputs: JSON errors, nothing written
    for (body, expect) in [(json!({"slot": "1-ricerca-1"}), 422), (json!({"slot": 5}), 400), (json!({}), 422), (json!({"slot": "x", "extra": 1}), 400)] {
        let r = giulia.post("/api/appointments", &body);
        assert_eq!(r.status, expect, "{body}: {}", r.body);
        code(&r);
    }
}
