//! The slots a desk offers: its weekly hours for an event kind, one slot of the kind's
//! length after another, on Europe/Rome wall-clock time, less national holidays and
//! closures, plus extraordinary openings. Pure functions: the handlers read the rows,
//! these compute, the unit tests check DST days and holidays without a database.

use time::Date;

/// Weekly hours of a desk for a kind.
#[derive(Debug, Clone)]
pub struct Hours {
    pub desk_id: i64,
    pub kind: String,
    /// 1 = Monday … 7 = Sunday
    pub weekday: u8,
    pub start_min: u16,
    pub end_min: u16,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// When the operator inserted these hours ("Data inserimento").
    pub created_at: i64,
}

/// An exception on one day: a closure (of one kind or all) or an extraordinary opening.
#[derive(Debug, Clone)]
pub struct Exception {
    pub desk_id: i64,
    pub day: Date,
    pub open: bool,
    pub kind: Option<String>,
    pub start_min: Option<u16>,
    pub end_min: Option<u16>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: i64,
    pub desk_id: i64,
    pub end: i64,
    pub inserted_at: i64,
}

/// The slots of `kind` (`minutes` long) that `desk_ids` offer from day `from` to day `to`
/// (both included), sorted by start then desk, without repeats. A slot whose wall-clock
/// start does not exist (the spring-forward hour) is not offered; a slot lasts `minutes`
/// of real time.
pub fn offered(hours: &[Hours], exceptions: &[Exception], kind: &str, minutes: u16, from: Date, to: Date) -> Vec<Slot> {
    let mut out = Vec::new();
    if minutes == 0 || from > to {
        return out;
    }
    let mut desks: Vec<i64> = hours.iter().map(|h| h.desk_id).chain(exceptions.iter().map(|e| e.desk_id)).collect();
    desks.sort_unstable();
    desks.dedup();
    let mut day = from;
    loop {
        let holiday = calendar::is_holiday(day);
        let weekday = day.weekday().number_from_monday();
        for &desk in &desks {
            let on_day = |e: &&Exception| e.desk_id == desk && e.day == day;
            let closed = exceptions.iter().filter(on_day).any(|e| !e.open && e.kind.as_deref().is_none_or(|k| k == kind));
            let mut intervals: Vec<(u16, u16, i64)> = Vec::new();
            if !holiday && !closed {
                intervals.extend(
                    hours
                        .iter()
                        .filter(|h| h.desk_id == desk && h.kind == kind && h.weekday == weekday)
                        .filter(|h| h.valid_from.is_none_or(|f| f <= day) && h.valid_to.is_none_or(|t| day <= t))
                        .map(|h| (h.start_min, h.end_min, h.created_at)),
                );
            }
            intervals.extend(exceptions.iter().filter(on_day).filter(|e| e.open && e.kind.as_deref() == Some(kind)).filter_map(|e| Some((e.start_min?, e.end_min?, e.created_at))));
            for (start, end, inserted_at) in intervals {
                let mut m = start;
                while m + minutes <= end {
                    if let Some(s) = common::rome::to_unix(day, m) {
                        out.push(Slot { start: s, desk_id: desk, end: s + i64::from(minutes) * 60, inserted_at });
                    }
                    m += minutes;
                }
            }
        }
        match day.next_day() {
            Some(next) if next <= to => day = next,
            _ => break,
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.start == b.start && a.desk_id == b.desk_id);
    out
}

/// "HH:MM" as minutes of the day (24:00 allowed as an end).
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

pub fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

pub const WEEKDAYS: [&str; 7] = ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn hours(weekday: u8, start: &str, end: &str) -> Hours {
        Hours {
            desk_id: 1,
            kind: "ricerca".into(),
            weekday,
            start_min: parse_hhmm(start).unwrap(),
            end_min: parse_hhmm(end).unwrap(),
            valid_from: None,
            valid_to: None,
            created_at: 7,
        }
    }

    fn local(s: &Slot) -> String {
        common::rome::local_label(s.start)
    }

    #[test]
    fn weekly_hours_make_slots_of_the_kind_length() {
        // Monday 7 December 2026, 09:00-10:40: three 30-minute slots (the fourth would end at 10:45)
        let s = offered(&[hours(1, "09:00", "10:40")], &[], "ricerca", 30, date!(2026 - 12 - 07), date!(2026 - 12 - 13));
        assert_eq!(s.iter().map(local).collect::<Vec<_>>(), ["07/12/2026 09:00", "07/12/2026 09:30", "07/12/2026 10:00"]);
        // winter: 09:00 in Rome is 08:00 UTC
        assert_eq!(common::rome::iso_utc(s[0].start), "2026-12-07T08:00:00Z");
        assert_eq!(s[0].end - s[0].start, 1800);
        assert_eq!(s[0].inserted_at, 7);
        // another kind has none
        assert!(offered(&[hours(1, "09:00", "10:40")], &[], "iscrizione", 45, date!(2026 - 12 - 07), date!(2026 - 12 - 13)).is_empty());
    }

    #[test]
    fn holidays_are_closed_unless_an_extraordinary_opening_says_otherwise() {
        // Tuesday 8 December 2026 is the Immacolata
        let h = [hours(2, "09:00", "10:00")];
        assert!(offered(&h, &[], "ricerca", 30, date!(2026 - 12 - 08), date!(2026 - 12 - 08)).is_empty());
        let extra = Exception { desk_id: 1, day: date!(2026 - 12 - 08), open: true, kind: Some("ricerca".into()), start_min: Some(600), end_min: Some(630), created_at: 9 };
        let s = offered(&h, &[extra], "ricerca", 30, date!(2026 - 12 - 08), date!(2026 - 12 - 08));
        assert_eq!(s.iter().map(local).collect::<Vec<_>>(), ["08/12/2026 10:00"]);
        assert_eq!(s[0].inserted_at, 9);
        // the next Tuesday is an ordinary day
        assert_eq!(offered(&h, &[], "ricerca", 30, date!(2026 - 12 - 15), date!(2026 - 12 - 15)).len(), 2);
    }

    #[test]
    fn closures_of_the_desk_or_of_one_kind() {
        let h = [hours(1, "09:00", "10:00")];
        let closure = |kind: Option<&str>| Exception { desk_id: 1, day: date!(2026 - 12 - 14), open: false, kind: kind.map(String::from), start_min: None, end_min: None, created_at: 1 };
        let week = |e: &[Exception]| offered(&h, e, "ricerca", 30, date!(2026 - 12 - 07), date!(2026 - 12 - 20)).len();
        assert_eq!(week(&[]), 4);
        assert_eq!(week(&[closure(None)]), 2);
        assert_eq!(week(&[closure(Some("ricerca"))]), 2);
        assert_eq!(week(&[closure(Some("iscrizione"))]), 4);
    }

    #[test]
    fn validity_period() {
        let mut h = hours(1, "09:00", "09:30");
        h.valid_from = Some(date!(2026 - 12 - 14));
        h.valid_to = Some(date!(2026 - 12 - 21));
        let s = offered(&[h], &[], "ricerca", 30, date!(2026 - 12 - 01), date!(2026 - 12 - 31));
        assert_eq!(s.iter().map(local).collect::<Vec<_>>(), ["14/12/2026 09:00", "21/12/2026 09:00"]);
    }

    #[test]
    fn daylight_saving_changes() {
        // Sunday 29 March 2026: 02:00 -> 03:00. Hours 01:00-04:00 in 30-minute slots:
        // 02:00 and 02:30 do not exist on the clock.
        let h = [hours(7, "01:00", "04:00")];
        let s = offered(&h, &[], "ricerca", 30, date!(2026 - 03 - 29), date!(2026 - 03 - 29));
        assert_eq!(s.iter().map(local).collect::<Vec<_>>(), ["29/03/2026 01:00", "29/03/2026 01:30", "29/03/2026 03:00", "29/03/2026 03:30"]);
        assert_eq!(common::rome::iso_utc(s[0].start), "2026-03-29T00:00:00Z");
        assert_eq!(common::rome::iso_utc(s[2].start), "2026-03-29T01:00:00Z");
        // a Monday in summer: 09:00 in Rome is 07:00 UTC
        let s = offered(&[hours(1, "09:00", "09:30")], &[], "ricerca", 30, date!(2026 - 03 - 30), date!(2026 - 03 - 30));
        assert_eq!(common::rome::iso_utc(s[0].start), "2026-03-30T07:00:00Z");
        // Sunday 25 October 2026: 03:00 -> 02:00; every slot exists once, 30 minutes long
        let s = offered(&h, &[], "ricerca", 30, date!(2026 - 10 - 25), date!(2026 - 10 - 25));
        assert_eq!(s.len(), 6);
        assert!(s.iter().all(|x| x.end - x.start == 1800));
        assert_eq!(common::rome::iso_utc(s[0].start), "2026-10-24T23:00:00Z");
        assert_eq!(common::rome::iso_utc(s[5].start), "2026-10-25T02:30:00Z");
        // 28 March 2027 is both the spring change and Easter: closed, unless opened
        let h27 = [hours(7, "01:00", "04:00")];
        assert!(offered(&h27, &[], "ricerca", 30, date!(2027 - 03 - 28), date!(2027 - 03 - 28)).is_empty());
        let extra = Exception { desk_id: 1, day: date!(2027 - 03 - 28), open: true, kind: Some("ricerca".into()), start_min: Some(60), end_min: Some(240), created_at: 1 };
        assert_eq!(offered(&h27, &[extra], "ricerca", 30, date!(2027 - 03 - 28), date!(2027 - 03 - 28)).len(), 4);
    }

    #[test]
    fn duplicate_hours_give_one_slot() {
        let s = offered(&[hours(1, "09:00", "10:00"), hours(1, "09:00", "09:30")], &[], "ricerca", 30, date!(2026 - 12 - 07), date!(2026 - 12 - 07));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn hhmm_parsing() {
        assert_eq!(parse_hhmm("09:30"), Some(570));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        for bad in ["9:30", "24:30", "12:60", "ab:cd", "", "12"] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
        assert_eq!(hhmm(570), "09:30");
    }
}
