//! Our `.ics` files read by an independent parser: Python's icalendar package, through
//! tests/conformance/ics_check.py, run by the interpreter `ICS_CHECK_PYTHON` names
//! (scripts/test makes the pinned virtualenv and sets it).
#![cfg(not(target_arch = "wasm32"))]

use calendar::{Event, Method, calendar};
use common::rome;
use serde_json::Value;

fn at(day: &str, h: u16, m: u16) -> i64 {
    rome::to_unix(rome::parse_day(day).unwrap(), h * 60 + m).unwrap()
}

fn event(uid: &str, sequence: u32, start: i64, end: i64) -> Event {
    Event {
        uid: uid.into(),
        sequence,
        start_unix: start,
        end_unix: end,
        stamp_unix: 1_780_000_000,
        summary: "Appuntamento al Centro per l'impiego".into(),
        description: "Porta un documento d'identità, il codice fiscale; e il CV.\nGrazie.".into(),
        location: "CPI di Firenze, via Example 1".into(),
        cancelled: false,
        organizer: Some(("Centro per l'impiego di Firenze".into(), "cpi.firenze@example.it".into())),
    }
}

/// Writes `ics` to a file, runs the checker on it and returns its JSON.
fn check(name: &str, ics: &str) -> Value {
    let python = std::env::var("ICS_CHECK_PYTHON").unwrap_or_else(|_| {
        panic!(
            "ICS_CHECK_PYTHON is not set: it names the Python of a virtualenv with the icalendar \
             package (scripts/test makes it under ~/.cache/toscana-lavoro/icalendar-<version> and sets it)"
        )
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/conformance/ics_check.py");
    let path = std::env::temp_dir().join(format!("calendar-{}-{name}.ics", std::process::id()));
    std::fs::write(&path, ics).unwrap();
    let out = std::process::Command::new(&python)
        .arg(script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ICS_CHECK_PYTHON={python}: {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "ics_check.py refused the file ({}): {}\n{ics}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Asserts one DTSTART/DTEND: Europe/Rome, its local time and offset, and the UTC
/// instant both by the zone database and by the file's own VTIMEZONE.
fn assert_moment(m: &Value, local: &str, offset: &str, utc: &str) {
    assert_eq!(m["tzid"], "Europe/Rome", "{m}");
    assert_eq!(m["local"], local, "{m}");
    assert_eq!(m["utc_offset"], offset, "{m}");
    assert_eq!(m["utc"], utc, "{m}");
    assert_eq!(m["utc_by_vtimezone"], utc, "our VTIMEZONE: {m}");
}

#[test]
fn summer_winter_and_change_day_events_read_by_python_icalendar() {
    let events = [
        event("summer@lavoro.toscana.it", 0, at("2026-06-03", 9, 0), at("2026-06-03", 9, 45)),
        event("winter@lavoro.toscana.it", 3, at("2026-12-03", 9, 0), at("2026-12-03", 10, 0)),
        // 29 March 2026: 01:30 to 03:30 on the wall clock is one hour
        event("spring-change@lavoro.toscana.it", 1, at("2026-03-29", 1, 30), at("2026-03-29", 3, 30)),
        // 25 October 2026: 01:30 to 02:30 (the first one, still summer time)
        event("autumn-change@lavoro.toscana.it", 0, at("2026-10-25", 1, 30), at("2026-10-25", 2, 30)),
    ];
    let ics = calendar(Method::Request, "Regione Toscana//Portale lavoro", &events);
    let v = check("request", &ics);
    assert_eq!(v["method"], "REQUEST");
    let e = v["events"].as_array().unwrap();
    assert_eq!(e.len(), 4);

    assert_eq!(e[0]["uid"], "summer@lavoro.toscana.it");
    assert_eq!(e[0]["sequence"], 0);
    assert_eq!(e[0]["status"], "CONFIRMED");
    assert_eq!(e[0]["summary"], "Appuntamento al Centro per l'impiego");
    assert_eq!(e[0]["dtstamp"], "2026-05-28T20:26:40Z");
    assert_moment(&e[0]["dtstart"], "2026-06-03T09:00:00+02:00", "+0200", "2026-06-03T07:00:00Z");
    assert_moment(&e[0]["dtend"], "2026-06-03T09:45:00+02:00", "+0200", "2026-06-03T07:45:00Z");

    assert_eq!(e[1]["uid"], "winter@lavoro.toscana.it");
    assert_eq!(e[1]["sequence"], 3);
    assert_moment(&e[1]["dtstart"], "2026-12-03T09:00:00+01:00", "+0100", "2026-12-03T08:00:00Z");
    assert_moment(&e[1]["dtend"], "2026-12-03T10:00:00+01:00", "+0100", "2026-12-03T09:00:00Z");

    assert_eq!(e[2]["uid"], "spring-change@lavoro.toscana.it");
    assert_eq!(e[2]["sequence"], 1);
    assert_moment(&e[2]["dtstart"], "2026-03-29T01:30:00+01:00", "+0100", "2026-03-29T00:30:00Z");
    assert_moment(&e[2]["dtend"], "2026-03-29T03:30:00+02:00", "+0200", "2026-03-29T01:30:00Z");

    assert_eq!(e[3]["uid"], "autumn-change@lavoro.toscana.it");
    assert_moment(&e[3]["dtstart"], "2026-10-25T01:30:00+02:00", "+0200", "2026-10-24T23:30:00Z");
    assert_moment(&e[3]["dtend"], "2026-10-25T02:30:00+02:00", "+0200", "2026-10-25T00:30:00Z");
}

#[test]
fn a_cancellation_read_by_python_icalendar() {
    // 25 October 2026, from the first 02:30 to the second one, which a Rome time cannot
    // name: it is written in UTC
    let first = at("2026-10-25", 2, 30);
    let ics = calendar(Method::Cancel, "Portale lavoro", &[event("booking-7@lavoro.toscana.it", 2, first, first + 3600)]);
    let v = check("cancel", &ics);
    assert_eq!(v["method"], "CANCEL");
    let e = &v["events"][0];
    assert_eq!(e["uid"], "booking-7@lavoro.toscana.it");
    assert_eq!(e["sequence"], 2);
    assert_eq!(e["status"], "CANCELLED");
    assert_moment(&e["dtstart"], "2026-10-25T02:30:00+02:00", "+0200", "2026-10-25T00:30:00Z");
    assert_eq!(e["dtend"]["tzid"], Value::Null);
    assert_eq!(e["dtend"]["utc"], "2026-10-25T01:30:00Z");
}
