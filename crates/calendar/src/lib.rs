//! Italian public holidays and RFC 5545 calendar files (VEVENT with the Europe/Rome
//! VTIMEZONE) for appointments and interviews.
//!
//! [`holidays`] and [`is_holiday`] are the national holidays of law 260/1949 as in
//! force today (with San Francesco d'Assisi on 4 October from 2026, law 151/2025); the
//! CPI's appointment slots skip them. [`calendar`] writes the `.ics` file of a booking:
//! its times are Rome wall-clock times against the Europe/Rome VTIMEZONE it carries, so
//! any calendar program shows them right across the changes of summer time.

mod holidays;
mod ics;

pub use holidays::{easter, holiday_name, holidays, is_holiday};
pub use ics::{Event, Method, calendar};
