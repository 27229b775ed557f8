//! Italian national holidays: the fixed days, and Easter Sunday and Monday.

use time::{Date, Month};

/// The first year in which 4 October is a national holiday again (law 151/2025, in
/// force from 1 January 2026).
const SAN_FRANCESCO_FROM: i32 = 2026;

/// Easter Sunday of `year` (Gregorian computus); None outside 1583..=9999.
pub fn easter(year: i32) -> Option<Date> {
    let e = computus::gregorian(year).ok()?;
    Date::from_calendar_date(year, Month::try_from(u8::try_from(e.month).ok()?).ok()?, u8::try_from(e.day).ok()?).ok()
}

/// The national holidays of `year` in date order, each with its Italian name.
pub fn holidays(year: i32) -> Vec<(Date, &'static str)> {
    let fixed: &[(Month, u8, &'static str)] = &[
        (Month::January, 1, "Capodanno"),
        (Month::January, 6, "Epifania"),
        (Month::April, 25, "Festa della Liberazione"),
        (Month::May, 1, "Festa del Lavoro"),
        (Month::June, 2, "Festa della Repubblica"),
        (Month::August, 15, "Ferragosto"),
        (Month::October, 4, "San Francesco d'Assisi"),
        (Month::November, 1, "Ognissanti"),
        (Month::December, 8, "Immacolata Concezione"),
        (Month::December, 25, "Natale"),
        (Month::December, 26, "Santo Stefano"),
    ];
    let mut days: Vec<(Date, &'static str)> = fixed
        .iter()
        .filter(|(m, d, _)| !(*m == Month::October && *d == 4 && year < SAN_FRANCESCO_FROM))
        .filter_map(|&(m, d, name)| Some((Date::from_calendar_date(year, m, d).ok()?, name)))
        .collect();
    if let Some(e) = easter(year) {
        days.push((e, "Pasqua"));
        if let Some(monday) = e.next_day() {
            days.push((monday, "Lunedì dell'Angelo"));
        }
    }
    days.sort();
    days
}

/// The Italian name of the national holiday on `d`, if it is one.
pub fn holiday_name(d: Date) -> Option<&'static str> {
    holidays(d.year()).into_iter().find(|(h, _)| *h == d).map(|(_, name)| name)
}

/// Whether `d` is a national holiday (Sundays as such are not: a caller that skips
/// them checks the weekday).
pub fn is_holiday(d: Date) -> bool {
    holiday_name(d).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
    }

    #[test]
    fn easter_in_known_years() {
        let known = [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
        ];
        for (y, m, d) in known {
            assert_eq!(easter(y), Some(day(y, m, d)), "{y}");
        }
        assert_eq!(easter(1000), None);
    }

    #[test]
    fn holidays_of_2026() {
        let h = holidays(2026);
        let expected = [
            ((1, 1), "Capodanno"),
            ((1, 6), "Epifania"),
            ((4, 5), "Pasqua"),
            ((4, 6), "Lunedì dell'Angelo"),
            ((4, 25), "Festa della Liberazione"),
            ((5, 1), "Festa del Lavoro"),
            ((6, 2), "Festa della Repubblica"),
            ((8, 15), "Ferragosto"),
            ((10, 4), "San Francesco d'Assisi"),
            ((11, 1), "Ognissanti"),
            ((12, 8), "Immacolata Concezione"),
            ((12, 25), "Natale"),
            ((12, 26), "Santo Stefano"),
        ];
        let expected: Vec<_> = expected.iter().map(|&((m, d), name)| (day(2026, m, d), name)).collect();
        assert_eq!(h, expected);
    }

    #[test]
    fn san_francesco_from_2026() {
        assert!(!is_holiday(day(2025, 10, 4)));
        assert_eq!(holidays(2025).len(), 12);
        assert!(is_holiday(day(2026, 10, 4)));
        assert_eq!(holiday_name(day(2027, 10, 4)), Some("San Francesco d'Assisi"));
    }

    #[test]
    fn ordinary_days_and_easter_monday() {
        assert!(is_holiday(day(2027, 3, 29)), "Easter Monday 2027");
        assert_eq!(holiday_name(day(2025, 4, 21)), Some("Lunedì dell'Angelo"));
        assert!(!is_holiday(day(2026, 4, 7)));
        assert!(!is_holiday(day(2026, 11, 4)), "4 November is not a day off");
        assert!(!is_holiday(day(2026, 6, 3)));
        assert!(is_holiday(day(2030, 12, 26)));
        // Liberation Day on Easter Monday (2011): one day, two names, both listed
        let h = holidays(2011);
        assert_eq!(h.iter().filter(|(d, _)| *d == day(2011, 4, 25)).count(), 2);
    }
}
