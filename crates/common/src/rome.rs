//! Dates as people in Italy see them: Europe/Rome is UTC+1, and UTC+2 from 01:00 UTC
//! on the last Sunday of March to 01:00 UTC on the last Sunday of October (EU rule).
//! Deadlines ("Scadenza") are Italian calendar days; appointments are Italian wall-clock
//! times (`local`, `to_unix`), right across the changes of summer time.

use time::{Date, Month, OffsetDateTime, Weekday};

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let mut d = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day()?;
    }
    Some(d)
}

/// Seconds since the Unix epoch, now (the platform clock; WASI inside a component).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Europe/Rome's offset from UTC at a UTC instant, in seconds: 7200 in summer time,
/// 3600 otherwise.
fn offset_at(utc: OffsetDateTime) -> i64 {
    let year = utc.year();
    let switch = |month| last_sunday(year, month).and_then(|d| d.with_hms(1, 0, 0).ok()).map(|t| t.assume_utc());
    let summer = matches!((switch(Month::March), switch(Month::October)), (Some(start), Some(end)) if utc >= start && utc < end);
    if summer { 7200 } else { 3600 }
}

/// The Europe/Rome calendar date at a UTC instant.
pub fn date_at(utc: OffsetDateTime) -> Date {
    (utc + time::Duration::seconds(offset_at(utc))).date()
}

/// The Europe/Rome wall clock at unix time `unix`: the day and the minute of the day
/// (0..1440; seconds are dropped).
pub fn local(unix: i64) -> (Date, u16) {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let wall = utc + time::Duration::seconds(offset_at(utc));
    (wall.date(), u16::from(wall.hour()) * 60 + u16::from(wall.minute()))
}

/// The instant at which the Europe/Rome wall clock reads `day` at `minute_of_day`
/// (0..1440). None for a time that does not exist, the hour skipped when summer time
/// starts (02:00-02:59 on the last Sunday of March), and for a minute past the day; in
/// the hour that repeats when it ends (02:00-02:59 on the last Sunday of October) the
/// first occurrence, still in summer time, as RFC 5545 reads such a local time.
pub fn to_unix(day: Date, minute_of_day: u16) -> Option<i64> {
    if minute_of_day >= 24 * 60 {
        return None;
    }
    // the wall clock read as if it were UTC, then each offset Rome may have: the one
    // whose instant really has that offset (summer first, the earlier instant)
    let wall = day.midnight().assume_utc().unix_timestamp() + i64::from(minute_of_day) * 60;
    [7200, 3600].into_iter().map(|off| wall - off).find(|&t| {
        OffsetDateTime::from_unix_timestamp(t).is_ok_and(|utc| wall - offset_at(utc) == t)
    })
}

/// Today in Italy, as `YYYY-MM-DD`.
pub fn today_iso() -> String {
    iso(date_at(OffsetDateTime::now_utc()))
}

/// The Italian calendar day at unix time `unix`, as `YYYY-MM-DD`.
pub fn day_at(unix: i64) -> String {
    iso(date_at(OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)))
}

/// A unix time as ISO 8601 UTC, whole seconds: `2026-11-23T10:00:00Z` (what API
/// payloads and `TEXT` timestamp columns hold).
pub fn iso_utc(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A `YYYY-MM-DD` date.
pub fn parse_day(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let (y, m, d) = (it.next()?.parse::<i32>().ok()?, it.next()?.parse::<u8>().ok()?, it.next()?.parse::<u8>().ok()?);
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// The unix time at which the Europe/Rome day `d` starts.
pub fn day_start(d: Date) -> i64 {
    let midnight_utc = d.midnight().assume_utc().unix_timestamp();
    // Rome is UTC+1 or UTC+2: the day starts at 23:00 or 22:00 UTC of the day before
    [3600, 7200]
        .into_iter()
        .map(|off| midnight_utc - off)
        .find(|t| {
            let at = |u: i64| date_at(OffsetDateTime::from_unix_timestamp(u).unwrap_or(OffsetDateTime::UNIX_EPOCH));
            at(*t) == d && at(*t - 1) != d
        })
        .unwrap_or(midnight_utc - 3600)
}

/// `from` / `to` list filters (Italian calendar days, inclusive) as `[start, end)` unix
/// times; 422 on the field that is not a `YYYY-MM-DD` date, or on `to` before `from`.
pub fn day_range(from: Option<&str>, to: Option<&str>) -> Result<(Option<i64>, Option<i64>), crate::ApiError> {
    let mut f = crate::validation::Fields::new();
    let mut one = |name: &str, v: Option<&str>| -> Option<Date> {
        let v = v?;
        let d = parse_day(v);
        if d.is_none() {
            f.add(name, "invalid_format", "Indica la data nel formato AAAA-MM-GG.");
        }
        d
    };
    let (a, b) = (one("from", from), one("to", to));
    if let (Some(a), Some(b)) = (a, b)
        && a > b
    {
        f.add("to", "invalid_range", "La data finale non può precedere quella iniziale.");
    }
    f.into_result()?;
    Ok((a.map(day_start), b.and_then(|d| d.next_day()).map(day_start)))
}

fn dmy(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// dd/mm/yyyy in Europe/Rome, as the Italian pages and e-mails show dates.
pub fn italian_day(unix: i64) -> String {
    dmy(local(unix).0)
}

/// `dd/mm/yyyy HH:MM` in Europe/Rome, as the Italian pages and e-mails show a time
/// (an appointment, an interview).
pub fn local_label(unix: i64) -> String {
    let (d, m) = local(unix);
    format!("{} {:02}:{:02}", dmy(d), m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn days_in_italy() {
        let d = parse_day("2026-07-15").unwrap();
        assert_eq!(day_start(d), 1_784_066_400, "22:00 UTC the day before, in summer");
        let w = parse_day("2026-01-15").unwrap();
        assert_eq!(iso_utc(day_start(w)), "2026-01-14T23:00:00Z");
        let (a, b) = day_range(Some("2026-01-15"), Some("2026-01-15")).unwrap();
        assert_eq!(b.unwrap() - a.unwrap(), 86_400);
        assert_eq!(day_range(Some("15/01/2026"), None).unwrap_err().fields[0].field, "from");
        assert_eq!(day_range(Some("2026-01-16"), Some("2026-01-15")).unwrap_err().fields[0].code, "invalid_range");
        assert_eq!(italian_day(1_784_066_400), "15/07/2026");
        assert_eq!(day_at(1_784_066_400), "2026-07-15", "midnight in Rome, the day before in UTC");
    }

    #[test]
    fn utc_instants() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_795_435_200), "2026-11-23T12:00:00Z");
    }

    #[test]
    fn rome_dates_across_midnight_and_dst() {
        let cases = [
            (datetime!(2026-01-15 22:59 UTC), "2026-01-15"), // 23:59 in winter
            (datetime!(2026-01-15 23:00 UTC), "2026-01-16"), // 00:00 in winter
            (datetime!(2026-07-15 21:59 UTC), "2026-07-15"), // 23:59 in summer
            (datetime!(2026-07-15 22:00 UTC), "2026-07-16"), // 00:00 in summer
            (datetime!(2026-03-29 00:59 UTC), "2026-03-29"), // DST starts 29 March 2026 01:00 UTC
            (datetime!(2026-10-24 22:30 UTC), "2026-10-25"), // still summer: 00:30 on the 25th
            (datetime!(2026-10-25 23:30 UTC), "2026-10-26"), // winter again: 00:30 on the 26th
            (datetime!(2026-12-31 23:00 UTC), "2027-01-01"),
        ];
        for (utc, expected) in cases {
            assert_eq!(iso(date_at(utc)), expected, "{utc}");
        }
    }

    /// `hh:mm` as a minute of the day.
    fn hm(h: u16, m: u16) -> u16 {
        h * 60 + m
    }

    #[test]
    fn wall_clock_on_ordinary_days() {
        let winter = parse_day("2026-12-03").unwrap();
        let summer = parse_day("2026-06-03").unwrap();
        assert_eq!(iso_utc(to_unix(winter, hm(9, 0)).unwrap()), "2026-12-03T08:00:00Z");
        assert_eq!(iso_utc(to_unix(summer, hm(9, 0)).unwrap()), "2026-06-03T07:00:00Z");
        assert_eq!(iso_utc(to_unix(winter, 0).unwrap()), "2026-12-02T23:00:00Z");
        assert_eq!(iso_utc(to_unix(summer, hm(23, 59)).unwrap()), "2026-06-03T21:59:00Z");
        assert_eq!(to_unix(summer, 0).unwrap(), day_start(summer));
        assert_eq!(to_unix(winter, 1440), None, "past the day");
        assert_eq!(local(to_unix(winter, hm(9, 0)).unwrap()), (winter, hm(9, 0)));
        assert_eq!(local(to_unix(summer, hm(9, 30)).unwrap() + 59), (summer, hm(9, 30)), "seconds dropped");
        assert_eq!(local_label(to_unix(summer, hm(9, 5)).unwrap()), "03/06/2026 09:05");
        assert_eq!(local_label(to_unix(winter, hm(17, 45)).unwrap()), "03/12/2026 17:45");
        assert_eq!(local_label(1_767_222_000), "01/01/2026 00:00", "23:00 UTC on New Year's Eve");
    }

    #[test]
    fn wall_clock_when_summer_time_starts() {
        // 29 March 2026: at 02:00 the clocks go to 03:00 (01:00 UTC)
        let d = parse_day("2026-03-29").unwrap();
        let at = |h, m| to_unix(d, hm(h, m)).map(iso_utc);
        assert_eq!(at(1, 0).as_deref(), Some("2026-03-29T00:00:00Z"));
        assert_eq!(at(1, 59).as_deref(), Some("2026-03-29T00:59:00Z"));
        assert_eq!(at(2, 0), None, "skipped");
        assert_eq!(at(2, 30), None, "skipped");
        assert_eq!(at(2, 59), None, "skipped");
        assert_eq!(at(3, 0).as_deref(), Some("2026-03-29T01:00:00Z"));
        assert_eq!(at(4, 0).as_deref(), Some("2026-03-29T02:00:00Z"));
        assert_eq!(to_unix(d, hm(3, 0)).unwrap() - to_unix(d, hm(1, 0)).unwrap(), 3600, "one hour apart");
        assert_eq!(local(datetime!(2026-03-29 00:59 UTC).unix_timestamp()), (d, hm(1, 59)));
        assert_eq!(local(datetime!(2026-03-29 01:00 UTC).unix_timestamp()), (d, hm(3, 0)));
    }

    #[test]
    fn wall_clock_when_summer_time_ends() {
        // 25 October 2026: at 03:00 the clocks go back to 02:00 (01:00 UTC)
        let d = parse_day("2026-10-25").unwrap();
        let at = |h, m| to_unix(d, hm(h, m)).map(iso_utc);
        assert_eq!(at(1, 0).as_deref(), Some("2026-10-24T23:00:00Z"));
        assert_eq!(at(1, 59).as_deref(), Some("2026-10-24T23:59:00Z"));
        assert_eq!(at(2, 0).as_deref(), Some("2026-10-25T00:00:00Z"), "the first 02:00, summer time");
        assert_eq!(at(2, 30).as_deref(), Some("2026-10-25T00:30:00Z"));
        assert_eq!(at(2, 59).as_deref(), Some("2026-10-25T00:59:00Z"));
        assert_eq!(at(3, 0).as_deref(), Some("2026-10-25T02:00:00Z"));
        assert_eq!(at(4, 0).as_deref(), Some("2026-10-25T03:00:00Z"));
        assert_eq!(to_unix(d, hm(3, 0)).unwrap() - to_unix(d, hm(1, 0)).unwrap(), 3 * 3600, "three hours apart");
        // both passes through 02:30 read 02:30
        let first = to_unix(d, hm(2, 30)).unwrap();
        assert_eq!(local(first), (d, hm(2, 30)));
        assert_eq!(local(first + 3600), (d, hm(2, 30)));
        assert_eq!(local_label(first + 3600), "25/10/2026 02:30");
    }

    #[test]
    fn wall_clock_round_trips() {
        // every quarter of an hour from 27 March to 27 October 2026, and then some
        let mut d = parse_day("2026-03-27").unwrap();
        for _ in 0..220 {
            for m in (0..1440).step_by(15) {
                match to_unix(d, m) {
                    Some(t) => assert_eq!(local(t), (d, m), "{} {m}", iso(d)),
                    None => assert!(iso(d) == "2026-03-29" && (120..180).contains(&m), "{} {m}", iso(d)),
                }
            }
            d = d.next_day().unwrap();
        }
        // every instant of the two change days, minute by minute, back to itself
        for day in ["2026-03-29", "2026-10-25"] {
            let start = day_start(parse_day(day).unwrap());
            for t in (start - 3600..start + 26 * 3600).step_by(60) {
                let (d, m) = local(t);
                let back = to_unix(d, m).unwrap();
                // the second pass through the repeated hour reads as the first one
                assert!(back == t || back == t - 3600, "{}", iso_utc(t));
            }
        }
    }
}
