//! Reading the appointments' tables into the API's types.

use common::sql::{Db, Row, Value};
use common::{ApiError, Paging, params};
use serde::Serialize;

use crate::slots::{self, Exception, Hours};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentKind))]
pub struct Kind {
    pub code: String,
    pub name: String,
    pub minutes: u16,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentCpi))]
pub struct CpiRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentDesk))]
pub struct Desk {
    pub id: i64,
    #[serde(skip)]
    pub cpi_code: String,
    pub name: String,
    pub address: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentHoliday))]
pub struct Holiday {
    pub day: String,
    pub name: &'static str,
}

fn kind_of(r: &Row) -> Result<Kind, ApiError> {
    Ok(Kind { code: r.text("code")?, name: r.text("name")?, minutes: u16::try_from(r.int("minutes")?).map_err(ApiError::internal)? })
}

pub fn kinds(db: &dyn Db) -> Result<Vec<Kind>, ApiError> {
    db.execute("SELECT code, name, minutes FROM appointment_kinds ORDER BY position", &[])?.map(|r| kind_of(&r))
}

pub fn kind(db: &dyn Db, code: &str) -> Result<Option<Kind>, ApiError> {
    db.execute("SELECT code, name, minutes FROM appointment_kinds WHERE code = ?1", params![code])?.first().map(|r| kind_of(&r)).transpose()
}

pub fn cpi(db: &dyn Db, code: &str) -> Result<Option<CpiRef>, ApiError> {
    db.execute("SELECT code, name FROM cpis WHERE code = ?1", params![code])?.first().map(|r| Ok(CpiRef { code: r.text("code")?, name: r.text("name")? })).transpose()
}

fn desk_of(r: &Row) -> Result<Desk, ApiError> {
    Ok(Desk { id: r.int("id")?, cpi_code: r.text("cpi_code")?, name: r.text("name")?, address: r.text("address")?, email: r.text("email")?, phone: r.text("phone")? })
}

pub fn desk(db: &dyn Db, id: i64) -> Result<Option<Desk>, ApiError> {
    db.execute("SELECT id, cpi_code, name, address, email, phone FROM desks WHERE id = ?1", params![id])?.first().map(|r| desk_of(&r)).transpose()
}

pub fn desks_of(db: &dyn Db, cpi: &str) -> Result<Vec<Desk>, ApiError> {
    db.execute("SELECT id, cpi_code, name, address, email, phone FROM desks WHERE cpi_code = ?1 ORDER BY name, id", params![cpi])?.map(|r| desk_of(&r))
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeskHours))]
pub struct HoursOut {
    pub id: i64,
    pub kind: String,
    pub kind_name: String,
    pub weekday: u8,
    pub weekday_label: &'static str,
    pub start: String,
    pub end: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub inserted_at_local: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeskException))]
pub struct ExceptionOut {
    pub id: i64,
    pub day: String,
    pub open: bool,
    pub kind: Option<String>,
    pub kind_name: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub note: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentDeskFull))]
pub struct DeskFull {
    #[serde(flatten)]
    pub desk: Desk,
    pub hours: Vec<HoursOut>,
    pub exceptions: Vec<ExceptionOut>,
}

/// The CPI's desks with their current hours and their exceptions (from 30 days ago on).
pub fn desks_full(db: &dyn Db, cpi: &str) -> Result<Vec<DeskFull>, ApiError> {
    let desks = desks_of(db, cpi)?;
    let hours = db.execute(
        "SELECT h.id, h.desk_id, h.kind, k.name AS kind_name, h.weekday, h.start_min, h.end_min, h.valid_from, h.valid_to, h.created_at
           FROM desk_hours h JOIN desks d ON d.id = h.desk_id JOIN appointment_kinds k ON k.code = h.kind
          WHERE d.cpi_code = ?1 AND h.removed_at IS NULL ORDER BY h.weekday, h.start_min, k.position, h.id",
        params![cpi],
    )?;
    let exceptions = db.execute(
        "SELECT e.id, e.desk_id, e.day, e.open, e.kind, k.name AS kind_name, e.start_min, e.end_min, e.note
           FROM desk_exceptions e JOIN desks d ON d.id = e.desk_id LEFT JOIN appointment_kinds k ON k.code = e.kind
          WHERE d.cpi_code = ?1 AND e.removed_at IS NULL ORDER BY e.day, e.start_min, e.id",
        params![cpi],
    )?;
    let mut out = Vec::new();
    for desk in desks {
        let h = hours
            .rows()
            .filter(|r| r.opt_int("desk_id") == Some(desk.id))
            .map(|r| {
                let weekday = u8::try_from(r.int("weekday")?).map_err(ApiError::internal)?;
                Ok(HoursOut {
                    id: r.int("id")?,
                    kind: r.text("kind")?,
                    kind_name: r.text("kind_name")?,
                    weekday,
                    weekday_label: slots::WEEKDAYS[usize::from(weekday.clamp(1, 7) - 1)],
                    start: slots::hhmm(minute(&r, "start_min")?),
                    end: slots::hhmm(minute(&r, "end_min")?),
                    valid_from: r.opt_text("valid_from"),
                    valid_to: r.opt_text("valid_to"),
                    inserted_at_local: common::rome::local_label(r.int("created_at")?),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let e = exceptions
            .rows()
            .filter(|r| r.opt_int("desk_id") == Some(desk.id))
            .map(|r| {
                Ok(ExceptionOut {
                    id: r.int("id")?,
                    day: r.text("day")?,
                    open: r.flag("open")?,
                    kind: r.opt_text("kind"),
                    kind_name: r.opt_text("kind_name"),
                    start: r.opt_int("start_min").map(|m| slots::hhmm(m as u16)),
                    end: r.opt_int("end_min").map(|m| slots::hhmm(m as u16)),
                    note: r.text("note")?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        out.push(DeskFull { desk, hours: h, exceptions: e });
    }
    Ok(out)
}

fn minute(r: &Row, column: &str) -> Result<u16, ApiError> {
    u16::try_from(r.int(column)?).map_err(ApiError::internal)
}

/// The current weekly hours and exceptions of `kind` at the desks of `cpi` (or one desk).
pub fn schedule(db: &dyn Db, cpi: &str, kind: &str, desk: Option<i64>) -> Result<(Vec<Hours>, Vec<Exception>), ApiError> {
    let hours = db
        .execute(
            "SELECT h.desk_id, h.weekday, h.start_min, h.end_min, h.valid_from, h.valid_to, h.created_at
               FROM desk_hours h JOIN desks d ON d.id = h.desk_id
              WHERE d.cpi_code = ?1 AND h.kind = ?2 AND h.removed_at IS NULL AND (?3 IS NULL OR h.desk_id = ?3)",
            params![cpi, kind, desk],
        )?
        .map(|r| {
            Ok(Hours {
                desk_id: r.int("desk_id")?,
                kind: kind.to_string(),
                weekday: u8::try_from(r.int("weekday")?).map_err(ApiError::internal)?,
                start_min: minute(&r, "start_min")?,
                end_min: minute(&r, "end_min")?,
                valid_from: r.opt_text("valid_from").and_then(|d| common::rome::parse_day(&d)),
                valid_to: r.opt_text("valid_to").and_then(|d| common::rome::parse_day(&d)),
                created_at: r.int("created_at")?,
            })
        })?;
    let exceptions = db
        .execute(
            "SELECT e.desk_id, e.day, e.open, e.kind, e.start_min, e.end_min, e.created_at
               FROM desk_exceptions e JOIN desks d ON d.id = e.desk_id
              WHERE d.cpi_code = ?1 AND (e.kind IS NULL OR e.kind = ?2) AND e.removed_at IS NULL AND (?3 IS NULL OR e.desk_id = ?3)",
            params![cpi, kind, desk],
        )?
        .rows()
        .filter_map(|r| {
            Some(Exception {
                desk_id: r.opt_int("desk_id")?,
                day: common::rome::parse_day(&r.opt_text("day")?)?,
                open: r.flag("open").ok()?,
                kind: r.opt_text("kind"),
                start_min: r.opt_int("start_min").and_then(|m| u16::try_from(m).ok()),
                end_min: r.opt_int("end_min").and_then(|m| u16::try_from(m).ok()),
                created_at: r.opt_int("created_at")?,
            })
        })
        .collect();
    Ok((hours, exceptions))
}

/// The booked (desk, start) of `kind` at the CPI's desks in [lo, hi).
pub fn taken(db: &dyn Db, cpi: &str, kind: &str, lo: i64, hi: i64) -> Result<std::collections::HashSet<(i64, i64)>, ApiError> {
    Ok(db
        .execute(
            "SELECT desk_id, start_at FROM appointments WHERE cpi_code = ?1 AND start_at >= ?3 AND start_at < ?4 AND kind = ?2 AND status = 'prenotato'",
            params![cpi, kind, lo, hi],
        )?
        .map(|r| Ok((r.int("desk_id")?, r.int("start_at")?)))?
        .into_iter()
        .collect())
}

/// "CPI di GROSSETO sportello C.I. Grosseto il 01/06/2020 15:00 (Via … - e-mail - telefono)"
pub fn place(cpi: &CpiRef, desk: &Desk, start: i64) -> String {
    format!("CPI di {} sportello {} il {} ({} - {} - {})", cpi.name, desk.name, common::rome::local_label(start), desk.address, desk.email, desk.phone)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentBooking))]
pub struct Appointment {
    pub id: i64,
    #[serde(skip)]
    pub person_id: i64,
    pub status: String,
    pub status_label: &'static str,
    pub kind: Kind,
    pub cpi: CpiRef,
    pub desk: Desk,
    pub start: String,
    pub end: String,
    pub start_local: String,
    pub end_local: String,
    #[serde(skip)]
    pub start_at: i64,
    #[serde(skip)]
    pub end_at: i64,
    pub minutes: i64,
    pub place: String,
    pub booked_at_local: String,
    pub cancelled_at_local: Option<String>,
    pub cancel_reason: Option<String>,
    #[serde(skip)]
    pub sequence: i64,
    #[serde(skip)]
    pub booked_at: i64,
}

pub fn status_label(s: &str) -> &'static str {
    match s {
        "prenotato" => "Prenotato",
        "annullato_cittadino" => "Annullato da te",
        "annullato_cpi" => "Annullato dal CPI",
        _ => "Sconosciuto",
    }
}

/// The citizen's view of a booking.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentForCitizen))]
pub struct CitizenAppointment {
    #[serde(flatten)]
    pub a: Appointment,
    pub past: bool,
    pub cancellable: bool,
    pub cancellable_until_local: Option<String>,
    pub receipt: String,
    pub calendar: String,
    pub how: &'static str,
}

impl Appointment {
    pub fn for_citizen(self, now: i64, cancel_hours: i64) -> CitizenAppointment {
        let deadline = self.start_at - cancel_hours * 3600;
        let booked = self.status == "prenotato";
        CitizenAppointment {
            past: self.end_at <= now,
            cancellable: booked && now < deadline,
            cancellable_until_local: (booked && self.start_at > now).then(|| common::rome::local_label(deadline)),
            receipt: format!("/api/appointments/{}/receipt", self.id),
            calendar: format!("/api/appointments/{}/calendar", self.id),
            how: crate::docs::HOW,
            a: self,
        }
    }
}

const APPOINTMENT_COLUMNS: &str = "a.id, a.person_id, a.status, a.start_at, a.end_at, a.booked_at, a.cancelled_at, a.cancel_reason, a.sequence,
        k.code AS kind_code, k.name AS kind_name, k.minutes AS kind_minutes, c.code AS cpi_code, c.name AS cpi_name,
        d.id AS desk_id, d.name AS desk_name, d.address AS desk_address, d.email AS desk_email, d.phone AS desk_phone";
const APPOINTMENT_FROM: &str = "appointments a JOIN appointment_kinds k ON k.code = a.kind JOIN cpis c ON c.code = a.cpi_code JOIN desks d ON d.id = a.desk_id";

fn appointment_of(r: &Row) -> Result<Appointment, ApiError> {
    let cpi = CpiRef { code: r.text("cpi_code")?, name: r.text("cpi_name")? };
    let desk = Desk {
        id: r.int("desk_id")?,
        cpi_code: cpi.code.clone(),
        name: r.text("desk_name")?,
        address: r.text("desk_address")?,
        email: r.text("desk_email")?,
        phone: r.text("desk_phone")?,
    };
    let (start_at, end_at) = (r.int("start_at")?, r.int("end_at")?);
    let status = r.text("status")?;
    Ok(Appointment {
        id: r.int("id")?,
        person_id: r.int("person_id")?,
        status_label: status_label(&status),
        status,
        kind: Kind { code: r.text("kind_code")?, name: r.text("kind_name")?, minutes: minute(r, "kind_minutes")? },
        place: place(&cpi, &desk, start_at),
        cpi,
        desk,
        start: common::rome::iso_utc(start_at),
        end: common::rome::iso_utc(end_at),
        start_local: common::rome::local_label(start_at),
        end_local: common::rome::local_label(end_at),
        start_at,
        end_at,
        minutes: (end_at - start_at) / 60,
        booked_at_local: common::rome::local_label(r.int("booked_at")?),
        booked_at: r.int("booked_at")?,
        cancelled_at_local: r.opt_int("cancelled_at").map(common::rome::local_label),
        cancel_reason: r.opt_text("cancel_reason"),
        sequence: r.int("sequence")?,
    })
}

pub fn appointment(db: &dyn Db, id: i64) -> Result<Appointment, ApiError> {
    let rows = db.execute(&format!("SELECT {APPOINTMENT_COLUMNS} FROM {APPOINTMENT_FROM} WHERE a.id = ?1"), params![id])?;
    rows.first().map(|r| appointment_of(&r)).transpose()?.ok_or_else(|| ApiError::new(404, "appointment_not_found", "L'appuntamento indicato non esiste."))
}

#[derive(Debug, Clone, Copy)]
pub enum When {
    Future,
    Past,
    All,
}

/// A page of the person's bookings: future ones soonest first, past ones newest first.
pub fn mine(db: &dyn Db, person_id: i64, when: When, now: i64, paging: Paging) -> Result<(i64, Vec<Appointment>), ApiError> {
    let (filter, order) = match when {
        When::Future => ("a.person_id = ?1 AND a.end_at > ?2", "a.start_at, a.id"),
        When::Past => ("a.person_id = ?1 AND a.end_at <= ?2", "a.start_at DESC, a.id DESC"),
        When::All => ("a.person_id = ?1 AND ?2 = ?2", "(a.end_at <= ?2), CASE WHEN a.end_at > ?2 THEN a.start_at ELSE -a.start_at END, a.id"),
    };
    let total = db.execute(&format!("SELECT count(*) AS n FROM appointments a WHERE {filter}"), params![person_id, now])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let rows = db.execute(&format!("SELECT {APPOINTMENT_COLUMNS} FROM {APPOINTMENT_FROM} WHERE {filter} ORDER BY {order} LIMIT ?3 OFFSET ?4"), params![person_id, now, paging.limit(), paging.offset()])?;
    Ok((total, rows.map(|r| appointment_of(&r))?))
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentPerson))]
pub struct PersonRef {
    pub name: String,
    pub fiscal_code: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentForOperator))]
pub struct OperatorAppointment {
    #[serde(flatten)]
    pub a: Appointment,
    pub person: PersonRef,
}

/// The CPI's bookings (all states) starting in [lo, hi), in start order (one desk or all).
pub fn of_cpi(db: &dyn Db, cpi: &str, lo: i64, hi: i64, desk: Option<i64>) -> Result<Vec<OperatorAppointment>, ApiError> {
    let rows = db.execute(
        &format!(
            "SELECT {APPOINTMENT_COLUMNS}, p.name AS p_name, p.family_name AS p_family, p.fiscal_code AS p_cf, coalesce(ac.email, p.email) AS p_email, ac.mobile AS p_mobile
               FROM {APPOINTMENT_FROM} JOIN people p ON p.id = a.person_id LEFT JOIN accounts ac ON ac.person_id = p.id
              WHERE a.cpi_code = ?1 AND a.start_at >= ?2 AND a.start_at < ?3 AND (?4 IS NULL OR a.desk_id = ?4)
              ORDER BY a.start_at, d.name, a.id LIMIT 5000"
        ),
        params![cpi, lo, hi, desk],
    )?;
    rows.map(|r| operator_appointment_of(&r))
}

/// A booking as the CPI sees it: the citizen's own cancellation is "by the citizen".
fn for_operator(mut a: Appointment) -> Appointment {
    if a.status == "annullato_cittadino" {
        a.status_label = "Annullato dal cittadino";
    }
    a
}

fn operator_appointment_of(r: &Row) -> Result<OperatorAppointment, ApiError> {
    Ok(OperatorAppointment {
        a: for_operator(appointment_of(r)?),
        person: person_of(r)?,
    })
}

/// The person of a row joined as `p_name`, `p_family`, `p_cf`, `p_email`, `p_mobile`.
fn person_of(r: &Row) -> Result<PersonRef, ApiError> {
    Ok(PersonRef {
        name: format!("{} {}", r.text("p_name")?, r.text("p_family")?),
        fiscal_code: r.text("p_cf")?,
        email: r.opt_text("p_email").filter(|e| !e.trim().is_empty()),
        mobile: r.opt_text("p_mobile").filter(|e| !e.trim().is_empty()),
    })
}

pub fn of_cpi_one(db: &dyn Db, id: i64) -> Result<OperatorAppointment, ApiError> {
    let a = for_operator(appointment(db, id)?);
    let p = person(db, a.person_id)?;
    Ok(OperatorAppointment { a, person: p })
}

/// Name, codice fiscale, e-mail and verified mobile of a person.
pub fn person(db: &dyn Db, person_id: i64) -> Result<PersonRef, ApiError> {
    let rows = db.execute(
        "SELECT p.name, p.family_name, p.fiscal_code, coalesce(a.email, p.email) AS email, a.mobile FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?1",
        params![person_id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("person {person_id} vanished")))?;
    Ok(PersonRef {
        name: format!("{} {}", r.text("name")?, r.text("family_name")?),
        fiscal_code: r.text("fiscal_code")?,
        email: r.opt_text("email").filter(|e| !e.trim().is_empty()),
        mobile: r.opt_text("mobile").filter(|e| !e.trim().is_empty()),
    })
}

pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

pub fn contact(db: &dyn Db, person_id: i64) -> Result<Contact, ApiError> {
    let p = person(db, person_id)?;
    Ok(Contact { name: p.name, email: p.email, mobile: p.mobile })
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CpiMessage))]
pub struct MessageOut {
    pub id: i64,
    pub cpi: CpiRef,
    pub kind: Option<Kind>,
    pub text: String,
    pub sent_at_local: String,
    pub answer: Option<String>,
    pub answered_at_local: Option<String>,
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.text, m.created_at, m.answer, m.answered_at, c.code AS cpi_code, c.name AS cpi_name,
        k.code AS kind_code, k.name AS kind_name, k.minutes AS kind_minutes,
        p.name AS p_name, p.family_name AS p_family, p.fiscal_code AS p_cf, coalesce(ac.email, p.email) AS p_email, ac.mobile AS p_mobile
   FROM cpi_messages m JOIN cpis c ON c.code = m.cpi_code LEFT JOIN appointment_kinds k ON k.code = m.kind
   JOIN people p ON p.id = m.person_id LEFT JOIN accounts ac ON ac.person_id = p.id";

fn message_of(r: &Row) -> Result<MessageOut, ApiError> {
    let kind = match r.opt_text("kind_code") {
        Some(code) => Some(Kind { code, name: r.text("kind_name")?, minutes: minute(r, "kind_minutes")? }),
        None => None,
    };
    Ok(MessageOut {
        id: r.int("id")?,
        cpi: CpiRef { code: r.text("cpi_code")?, name: r.text("cpi_name")? },
        kind,
        text: r.text("text")?,
        sent_at_local: common::rome::local_label(r.int("created_at")?),
        answer: r.opt_text("answer"),
        answered_at_local: r.opt_int("answered_at").map(common::rome::local_label),
    })
}

pub fn message(db: &dyn Db, id: i64) -> Result<MessageOut, ApiError> {
    messages(db, "m.id = ?1", &[id.into()])?.into_iter().next().ok_or_else(|| ApiError::internal("message vanished"))
}

/// Messages matching `filter` (a constant with `?1`…), newest first, at most 200.
pub fn messages(db: &dyn Db, filter: &str, p: &[Value]) -> Result<Vec<MessageOut>, ApiError> {
    db.execute(&format!("{MESSAGE_SELECT} WHERE {filter} ORDER BY m.created_at DESC, m.id DESC LIMIT 200"), p)?.map(|r| message_of(&r))
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CpiMessageForOperator))]
pub struct OperatorMessage {
    #[serde(flatten)]
    pub m: MessageOut,
    pub person: PersonRef,
}

pub fn operator_messages(db: &dyn Db, filter: &str, p: &[Value]) -> Result<Vec<OperatorMessage>, ApiError> {
    db.execute(&format!("{MESSAGE_SELECT} WHERE {filter} ORDER BY m.created_at DESC, m.id DESC LIMIT 200"), p)?.map(|r| {
        Ok(OperatorMessage {
            m: message_of(&r)?,
            person: person_of(&r)?,
        })
    })
}
