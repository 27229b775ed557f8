//! RFC 5545 calendar files: one VCALENDAR with the Europe/Rome VTIMEZONE and VEVENTs
//! whose times are Rome wall-clock times. CRLF line endings, lines folded at 75 octets
//! on character boundaries, TEXT values escaped.

use common::rome;
use time::OffsetDateTime;

/// The iTIP method of the file (RFC 5546): an entry to add (`Publish`), an invitation or
/// its update (`Request`), a withdrawal (`Cancel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Publish,
    Request,
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// One appointment. `uid` is stable for the booking and `sequence` grows with each
/// change, so calendar programs update or remove the entry they have; times are unix
/// seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub sequence: u32,
    pub start_unix: i64,
    pub end_unix: i64,
    /// When this version of the event was made (DTSTAMP, written in UTC).
    pub stamp_unix: i64,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub cancelled: bool,
    /// Name and e-mail address.
    pub organizer: Option<(String, String)>,
}

/// The Europe/Rome zone as the EU rule has it since 1996: summer time from 02:00 on the
/// last Sunday of March, back at 03:00 on the last Sunday of October.
const VTIMEZONE_ROME: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Rome",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A whole `.ics` file: `PRODID:-//{prodid_name}//IT`, the method, the Europe/Rome
/// VTIMEZONE and the events. An event is `STATUS:CANCELLED` when it is cancelled or the
/// method is `Cancel`, `STATUS:CONFIRMED` otherwise.
pub fn calendar(method: Method, prodid_name: &str, events: &[Event]) -> String {
    let mut out = String::with_capacity(1024 + 512 * events.len());
    let mut line = |s: &str| fold_into(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!("PRODID:-//{}//IT", escape(prodid_name)));
    line("CALSCALE:GREGORIAN");
    line(&format!("METHOD:{}", method.as_str()));
    for l in VTIMEZONE_ROME {
        line(l);
    }
    for e in events {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape(&e.uid)));
        line(&format!("SEQUENCE:{}", e.sequence));
        line(&format!("DTSTAMP:{}", utc_stamp(e.stamp_unix)));
        line(&format!("DTSTART{}", rome_time(e.start_unix)));
        line(&format!("DTEND{}", rome_time(e.end_unix)));
        line(&format!("SUMMARY:{}", escape(&e.summary)));
        if !e.description.is_empty() {
            line(&format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.location.is_empty() {
            line(&format!("LOCATION:{}", escape(&e.location)));
        }
        let cancelled = e.cancelled || method == Method::Cancel;
        line(if cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        if let Some((name, email)) = &e.organizer {
            line(&format!("ORGANIZER;CN={}:mailto:{}", param(name), clean(email).replace([' ', ':', ';'], "")));
        }
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// `;TZID=Europe/Rome:YYYYMMDDTHHMMSS` for the instant's Rome wall clock, or
/// `:YYYYMMDDTHHMMSSZ` where that local time would name another instant (the second
/// pass through the hour repeated when summer time ends reads as the first one).
fn rome_time(unix: i64) -> String {
    let (day, minute) = rome::local(unix);
    let seconds = unix.rem_euclid(60);
    if rome::to_unix(day, minute).map(|t| t + seconds) == Some(unix) {
        format!(
            ";TZID=Europe/Rome:{:04}{:02}{:02}T{:02}{:02}{:02}",
            day.year(),
            u8::from(day.month()),
            day.day(),
            minute / 60,
            minute % 60,
            seconds
        )
    } else {
        format!(":{}", utc_stamp(unix))
    }
}

/// `YYYYMMDDTHHMMSSZ`.
fn utc_stamp(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// Control characters have no place in a content line (RFC 5545 3.1); line breaks are
/// kept for [`escape`] to write as `\n`.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect()
}

/// A TEXT value (RFC 5545 3.3.11): `\` `;` `,` escaped, any line break as `\n`.
fn escape(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(s.len() + 8);
    for c in clean(&s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A parameter value, always quoted: a quoted string cannot hold `"` nor line breaks.
fn param(s: &str) -> String {
    let s: String = clean(s).chars().map(|c| if matches!(c, '"' | '\n') { ' ' } else { c }).collect();
    format!("\"{}\"", s.trim())
}

/// Appends one content line folded at 75 octets (continuation lines start with a space,
/// so they carry at most 74), never inside a UTF-8 character, each line ended by CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = 75;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        fold_into(&mut out, line);
        out
    }

    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    fn event(start: i64, minutes: i64) -> Event {
        Event {
            uid: "appointment-42@lavoro.toscana.it".into(),
            sequence: 0,
            start_unix: start,
            end_unix: start + minutes * 60,
            stamp_unix: 1_780_000_000,
            summary: "Colloquio al Centro per l'impiego".into(),
            description: "Porta un documento d'identità.".into(),
            location: "CPI di Firenze, via Example 1".into(),
            cancelled: false,
            organizer: Some(("Centro per l'impiego di Firenze".into(), "cpi.firenze@example.it".into())),
        }
    }

    fn at(day: &str, h: u16, m: u16) -> i64 {
        rome::to_unix(rome::parse_day(day).unwrap(), h * 60 + m).unwrap()
    }

    #[test]
    fn folding() {
        assert_eq!(folded("SUMMARY:short"), "SUMMARY:short\r\n");
        let exact = format!("SUMMARY:{}", "a".repeat(67));
        assert_eq!(exact.len(), 75);
        assert_eq!(folded(&exact), format!("{exact}\r\n"), "75 octets fit");
        let long = format!("DESCRIPTION:{}", "x".repeat(300));
        let f = folded(&long);
        for l in f.strip_suffix("\r\n").unwrap().split("\r\n") {
            assert!(l.len() <= 75, "{l:?}");
        }
        assert!(f.split("\r\n").nth(1).unwrap().starts_with(' '));
        assert_eq!(unfold(&f), format!("{long}\r\n"));
        // two-byte and four-byte characters are never split
        for filler in ["è", "à€", "😀"] {
            let long = format!("SUMMARY:{}", filler.repeat(100));
            let f = folded(&long);
            let lines: Vec<&str> = f.strip_suffix("\r\n").unwrap().split("\r\n").collect();
            for l in &lines {
                assert!(l.len() <= 75, "{l:?}");
            }
            for l in &lines[..lines.len() - 1] {
                assert!(l.len() >= 72, "folds as late as a character allows: {l:?}");
            }
            assert_eq!(unfold(&f), format!("{long}\r\n"));
        }
        let f = folded(&format!("SUMMARY:{}", "è".repeat(100)));
        // "SUMMARY:" is 8 octets, then 33 "è" (66) fit in 75 with one octet to spare
        assert_eq!(f.split("\r\n").next().unwrap().len(), 74);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
        assert_eq!(escape("uno\r\ndue\rtre"), "uno\\ndue\\ntre");
        assert_eq!(escape("tab\there\u{7}bell: ok"), "tab\therebell: ok", "tabs kept, other controls dropped");
        assert_eq!(escape("Via Roma, 1; piano 2"), "Via Roma\\, 1\\; piano 2");
        assert_eq!(param("CPI \"Firenze\"\nNord"), "\"CPI  Firenze  Nord\"");
        let mut e = event(at("2026-06-03", 9, 0), 30);
        e.summary = "Colloquio; CPI, Firenze\\Nord".into();
        e.description = "Riga uno\nRiga due".into();
        let ics = calendar(Method::Publish, "Regione Toscana//Portale lavoro", &[e]);
        assert!(ics.contains("\r\nSUMMARY:Colloquio\\; CPI\\, Firenze\\\\Nord\r\n"), "{ics}");
        assert!(ics.contains("\r\nDESCRIPTION:Riga uno\\nRiga due\r\n"), "{ics}");
        assert!(ics.contains("\r\nPRODID:-//Regione Toscana//Portale lavoro//IT\r\n"), "{ics}");
    }

    #[test]
    fn summer_event() {
        let e = event(at("2026-06-03", 9, 0), 45);
        let ics = calendar(Method::Request, "Portale lavoro", &[e]);
        let lines: Vec<&str> = ics.split("\r\n").collect();
        assert_eq!(lines.last(), Some(&""), "ends with CRLF");
        assert!(!ics.replace("\r\n", "").contains('\n'), "no bare LF");
        assert_eq!(lines[..5], ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Portale lavoro//IT", "CALSCALE:GREGORIAN", "METHOD:REQUEST"]);
        for expected in [
            "TZID:Europe/Rome",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "UID:appointment-42@lavoro.toscana.it",
            "SEQUENCE:0",
            "DTSTAMP:20260528T202640Z",
            "DTSTART;TZID=Europe/Rome:20260603T090000",
            "DTEND;TZID=Europe/Rome:20260603T094500",
            "STATUS:CONFIRMED",
            "LOCATION:CPI di Firenze\\, via Example 1",
            "END:VCALENDAR",
        ] {
            assert!(lines.contains(&expected), "{expected} in\n{ics}");
        }
        let organizer = unfold(&ics);
        assert!(organizer.contains("\r\nORGANIZER;CN=\"Centro per l'impiego di Firenze\":mailto:cpi.firenze@example.it\r\n"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn winter_event() {
        let mut e = event(at("2026-12-03", 9, 0), 60);
        e.organizer = None;
        e.sequence = 2;
        let ics = calendar(Method::Publish, "Portale lavoro", &[e]);
        assert!(ics.contains("\r\nDTSTART;TZID=Europe/Rome:20261203T090000\r\n"), "{ics}");
        assert!(ics.contains("\r\nDTEND;TZID=Europe/Rome:20261203T100000\r\n"), "{ics}");
        assert!(ics.contains("\r\nSEQUENCE:2\r\n"));
        assert!(ics.contains("\r\nMETHOD:PUBLISH\r\n"));
        assert!(!ics.contains("ORGANIZER"));
    }

    #[test]
    fn cancel() {
        let mut e = event(at("2026-12-03", 9, 0), 60);
        e.sequence = 1;
        let ics = calendar(Method::Cancel, "Portale lavoro", std::slice::from_ref(&e));
        assert!(ics.contains("\r\nMETHOD:CANCEL\r\n"));
        assert!(ics.contains("\r\nSTATUS:CANCELLED\r\n"), "{ics}");
        assert!(ics.contains("\r\nSEQUENCE:1\r\n"));
        // a cancelled event in a published file
        e.cancelled = true;
        let ics = calendar(Method::Publish, "Portale lavoro", &[e]);
        assert!(ics.contains("\r\nSTATUS:CANCELLED\r\n") && !ics.contains("CONFIRMED"));
    }

    #[test]
    fn times_on_the_change_days() {
        // the skipped hour cannot be an instant; 01:30 and 03:30 on 29 March 2026
        let e = event(at("2026-03-29", 1, 30), 120);
        let ics = calendar(Method::Publish, "Portale lavoro", &[e]);
        assert!(ics.contains("\r\nDTSTART;TZID=Europe/Rome:20260329T013000\r\n"), "{ics}");
        assert!(ics.contains("\r\nDTEND;TZID=Europe/Rome:20260329T043000\r\n"), "two hours later, {ics}");
        // 25 October 2026: the first 02:30 as a Rome time, the second one in UTC
        let first = at("2026-10-25", 2, 30);
        let e = event(first, 60);
        let ics = calendar(Method::Publish, "Portale lavoro", &[e]);
        assert!(ics.contains("\r\nDTSTART;TZID=Europe/Rome:20261025T023000\r\n"), "{ics}");
        assert!(ics.contains("\r\nDTEND:20261025T013000Z\r\n"), "{ics}");
    }
}
