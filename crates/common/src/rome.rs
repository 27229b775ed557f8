//! Dates as people in Italy see them: Europe/Rome is UTC+1, and UTC+2 from 01:00 UTC
//! on the last Sunday of March to 01:00 UTC on the last Sunday of October (EU rule).
//! Deadlines ("Scadenza") are Italian calendar days.

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

/// The Europe/Rome calendar date at a UTC instant.
pub fn date_at(utc: OffsetDateTime) -> Date {
    let year = utc.year();
    let switch = |month| last_sunday(year, month).and_then(|d| d.with_hms(1, 0, 0).ok()).map(|t| t.assume_utc());
    let summer = matches!((switch(Month::March), switch(Month::October)), (Some(start), Some(end)) if utc >= start && utc < end);
    let offset = if summer { time::Duration::hours(2) } else { time::Duration::hours(1) };
    (utc + offset).date()
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

/// dd/mm/yyyy in Europe/Rome, as the Italian pages and e-mails show dates.
pub fn italian_day(unix: i64) -> String {
    let d = date_at(OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH));
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
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
}
