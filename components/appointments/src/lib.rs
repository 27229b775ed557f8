//! `appointments` (C5 "Prenotazione appuntamento CPI", X4 calendar files, O1 availability):
//! a CPI's sportelli with their weekly hours per event kind and exceptions; the free
//! slots a citizen searches and books (each slot exactly once: a partial unique index
//! decides); the PDF receipt and the `.ics`; cancelling; the day-before reminder job;
//! "Contatta il CPI" and the operator's answers; the operators' private calendar feed.
//!
//! - Public: `GET /api/appointments/kinds`.
//! - Citizen (active account): `GET /api/appointments/availability?cpi=&kind=&from=&to=`,
//!   `POST /api/appointments` `{slot}`, `GET /api/appointments?when=&page=`,
//!   `GET /api/appointments/<id>`, `…/<id>/receipt` (PDF), `…/<id>/calendar` (.ics),
//!   `POST /api/appointments/<id>/cancel`, `GET|POST /api/appointments/messages`.
//! - Operator (of the CPI chosen in the operator area): `GET|POST /api/operator/desks`,
//!   `POST /api/operator/desks/<id>`, `POST …/<id>/hours`, `POST …/<id>/hours/<h>/delete`,
//!   `POST …/<id>/exceptions`, `POST …/<id>/exceptions/<e>/delete`,
//!   `GET /api/operator/appointments?from=&to=&desk=`, `POST …/<id>/cancel` `{reason}`,
//!   `GET /api/operator/appointments/messages?status=`, `POST …/messages/<id>/answer`,
//!   `GET|POST /api/operator/appointments/feed`, `POST …/feed/revoke`.
//! - `GET /calendar/<token>.ics`: an operator's private subscription to the CPI's bookings.
//! - Job: `POST /jobs/appointments/remind` (bearer `jobs_secret`).
//!
//! Writes `desks`, `desk_hours`, `desk_exceptions`, `appointments`, `cpi_messages`,
//! `calendar_feeds` (db/migrations/0012_appointments.sql); operator actions go in the
//! audit log through `access::audit`.

pub mod docs;
pub mod model;
pub mod slots;

#[cfg(test)]
mod tests;

use access::audit::{self, Actor};
use access::staff::{self, Operator};
use common::http::{allowed, get_or_post, path_id, segments};
use common::sql::{Db, tx};
use common::validation::Fields;
use common::{ApiError, Page, Paging, Reply, Req, params};
use model::{Appointment, Desk, Kind};
use outbox::Message;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Kinds,
    Availability,
    Book,
    Mine,
    Detail(i64),
    Receipt(i64),
    Calendar(i64),
    Cancel(i64),
    Messages,
    SendMessage,
    Desks,
    NewDesk,
    EditDesk(i64),
    AddHours(i64),
    DeleteHours(i64, i64),
    AddException(i64),
    DeleteException(i64, i64),
    OperatorList,
    OperatorCancel(i64),
    OperatorMessages,
    Answer(i64),
    Feed,
    NewFeed,
    RevokeFeed,
    FeedFile(String),
    Remind,
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    let post = method == "POST";
    match parts.as_slice() {
        ["api", "appointments"] => get_or_post(method, Route::Mine, Route::Book),
        ["api", "appointments", "kinds"] => allowed(get, Route::Kinds),
        ["api", "appointments", "availability"] => allowed(get, Route::Availability),
        ["api", "appointments", "messages"] => get_or_post(method, Route::Messages, Route::SendMessage),
        ["api", "appointments", n] => allowed(get, Route::Detail(path_id(n)?)),
        ["api", "appointments", n, "receipt"] => allowed(get, Route::Receipt(path_id(n)?)),
        ["api", "appointments", n, "calendar"] => allowed(get, Route::Calendar(path_id(n)?)),
        ["api", "appointments", n, "cancel"] => allowed(post, Route::Cancel(path_id(n)?)),
        ["api", "operator", "desks"] => get_or_post(method, Route::Desks, Route::NewDesk),
        ["api", "operator", "desks", n] => allowed(post, Route::EditDesk(path_id(n)?)),
        ["api", "operator", "desks", n, "hours"] => allowed(post, Route::AddHours(path_id(n)?)),
        ["api", "operator", "desks", n, "hours", h, "delete"] => allowed(post, Route::DeleteHours(path_id(n)?, path_id(h)?)),
        ["api", "operator", "desks", n, "exceptions"] => allowed(post, Route::AddException(path_id(n)?)),
        ["api", "operator", "desks", n, "exceptions", e, "delete"] => allowed(post, Route::DeleteException(path_id(n)?, path_id(e)?)),
        ["api", "operator", "appointments"] => allowed(get, Route::OperatorList),
        ["api", "operator", "appointments", "messages"] => allowed(get, Route::OperatorMessages),
        ["api", "operator", "appointments", "messages", n, "answer"] => allowed(post, Route::Answer(path_id(n)?)),
        ["api", "operator", "appointments", "feed"] => get_or_post(method, Route::Feed, Route::NewFeed),
        ["api", "operator", "appointments", "feed", "revoke"] => allowed(post, Route::RevokeFeed),
        ["api", "operator", "appointments", n, "cancel"] => allowed(post, Route::OperatorCancel(path_id(n)?)),
        ["calendar", file] => match file.strip_suffix(".ics") {
            Some(token) if !token.is_empty() && token.len() <= 128 => allowed(get, Route::FeedFile(token.to_string())),
            _ => Err(ApiError::not_found()),
        },
        ["jobs", "appointments", "remind"] => allowed(post, Route::Remind),
        _ => Err(ApiError::not_found()),
    }
}

pub fn handle(req: &Req, db: &dyn Db) -> Reply {
    match route(&req.method, &req.path) {
        Ok(r) => dispatch(&r, req, db).unwrap_or_else(Reply::from),
        Err(e) => Reply::from(e),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve_sql(incoming, out, |m, _| common::http::BodyLimit::for_method(m), handle).await
}

fn dispatch(route: &Route, req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    match route {
        Route::Kinds => kinds(req, db),
        Route::Availability => availability(req, db),
        Route::Book => book(req, db),
        Route::Mine => mine(req, db),
        Route::Detail(id) => detail(req, db, *id),
        Route::Receipt(id) => receipt(req, db, *id),
        Route::Calendar(id) => calendar_file(req, db, *id),
        Route::Cancel(id) => cancel(req, db, *id),
        Route::Messages => my_messages(req, db),
        Route::SendMessage => send_message(req, db),
        Route::Desks => desks(req, db),
        Route::NewDesk => save_desk(req, db, None),
        Route::EditDesk(id) => save_desk(req, db, Some(*id)),
        Route::AddHours(id) => add_hours(req, db, *id),
        Route::DeleteHours(desk, h) => delete_row(req, db, *desk, *h, "desk_hours", "desk.hours.delete"),
        Route::AddException(id) => add_exception(req, db, *id),
        Route::DeleteException(desk, e) => delete_row(req, db, *desk, *e, "desk_exceptions", "desk.exception.delete"),
        Route::OperatorList => operator_list(req, db),
        Route::OperatorCancel(id) => operator_cancel(req, db, *id),
        Route::OperatorMessages => operator_messages(req, db),
        Route::Answer(id) => answer(req, db, *id),
        Route::Feed => feed(req, db),
        Route::NewFeed => new_feed(req, db),
        Route::RevokeFeed => revoke_feed(req, db),
        Route::FeedFile(token) => feed_file(req, db, token),
        Route::Remind => remind(req, db),
    }
}

/// Longest search window (days) and most slots in one answer.
const MAX_SEARCH_DAYS: i64 = 92;
const MAX_SLOTS: usize = 500;

fn not_found() -> ApiError {
    ApiError::new(404, "appointment_not_found", "L'appuntamento indicato non esiste.")
}

fn desk_not_found() -> ApiError {
    ApiError::new(404, "desk_not_found", "Lo sportello indicato non esiste tra quelli del tuo Centro per l'impiego.")
}

fn today(req: &Req) -> Date {
    common::rome::date_at(time::OffsetDateTime::from_unix_timestamp(req.now).unwrap_or(time::OffsetDateTime::UNIX_EPOCH))
}

fn day_param(q: &common::query::Query, name: &str, label: &str) -> Result<Option<Date>, ApiError> {
    match q.get(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => common::rome::parse_day(v).map(Some).ok_or_else(|| ApiError::invalid_field(name, "invalid_date", format!("{label}: indica una data valida (aaaa-mm-gg)."))),
    }
}

/// The days `from`..`to` of a query, with defaults and a longest span.
fn day_window(q: &common::query::Query, default_from: Date, default_days: i64, max_days: i64) -> Result<(Date, Date), ApiError> {
    let from = day_param(q, "from", "Data da")?.unwrap_or(default_from);
    let to = day_param(q, "to", "Data a")?.unwrap_or(from + time::Duration::days(default_days));
    if to < from {
        return Err(ApiError::invalid_field("to", "before_from", "La «Data a» non può precedere la «Data da»."));
    }
    if (to - from).whole_days() >= max_days {
        return Err(ApiError::invalid_field("to", "too_long", format!("Cerca in un periodo di al massimo {max_days} giorni.")));
    }
    Ok((from, to))
}

fn cancel_hours(req: &Req) -> i64 {
    req.var_number("appointments_cancel_hours", 24).clamp(0, 24 * 30)
}

fn per_kind(req: &Req) -> i64 {
    req.var_number("appointments_per_kind", 1).clamp(1, 20)
}

// ---------------------------------------------------------------------------------
// Citizen: kinds, availability, booking
// ---------------------------------------------------------------------------------

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Items<T: Serialize> {
    items: Vec<T>,
}

/// `GET /api/appointments/kinds`: the four event kinds (public, cacheable).
fn kinds(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    Reply::public_json(&Items { items: model::kinds(db)? }, 3600, req.header("if-none-match"))
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentSlot))]
pub struct SlotOut {
    /// what `POST /api/appointments` books
    slot: String,
    desk: Desk,
    cpi: model::CpiRef,
    kind: String,
    minutes: u16,
    start: String,
    end: String,
    start_local: String,
    inserted_at_local: String,
    place: String,
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentAvailability))]
pub struct AvailabilityOut {
    items: Vec<SlotOut>,
    cpi: model::CpiRef,
    kind: Kind,
    from: String,
    to: String,
    truncated: bool,
    message: Option<&'static str>,
}

const NO_AVAILABILITY: &str = "Nessuna disponibilità con i parametri inseriti. Utilizza il tasto «Contatta il CPI» per richiedere ulteriori informazioni al CPI.";

/// The free, future slots of `kind` at the desks of `cpi` in [from, to].
fn free_slots(db: &dyn Db, cpi: &str, kind: &Kind, from: Date, to: Date, now: i64, desk: Option<i64>) -> Result<Vec<slots::Slot>, ApiError> {
    let (hours, exceptions) = model::schedule(db, cpi, &kind.code, desk)?;
    let all = slots::offered(&hours, &exceptions, &kind.code, kind.minutes, from, to);
    let (lo, hi) = (common::rome::day_start(from), common::rome::day_start(to + time::Duration::days(1)));
    let taken = model::taken(db, cpi, &kind.code, lo, hi)?;
    Ok(all.into_iter().filter(|s| s.start > now && !taken.contains(&(s.desk_id, s.start))).collect())
}

/// `GET /api/appointments/availability?cpi=&kind=&from=&to=`: "Cerca Disponibilità".
fn availability(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    access::require_active(db, req)?;
    let q = req.query()?;
    let mut f = Fields::new();
    let cpi = cpi_field(db, &mut f, q.get("cpi"), Some("Scegli il Centro per l'impiego."))?;
    let kind = kind_field(db, &mut f, q.get("kind"))?;
    let window = day_window(&q, today(req), 30, MAX_SEARCH_DAYS);
    if let Err(e) = &window {
        for fe in &e.fields {
            f.push(fe.clone());
        }
    }
    f.into_result()?;
    let (Some(cpi), Some(kind), Ok((from, to))) = (cpi, kind, window) else { return Err(ApiError::internal("validated")) };
    let free = free_slots(db, &cpi.code, &kind, from, to, req.now, None)?;
    let truncated = free.len() > MAX_SLOTS;
    let desks = model::desks_of(db, &cpi.code)?;
    let items = free
        .into_iter()
        .take(MAX_SLOTS)
        .filter_map(|s| desks.iter().find(|d| d.id == s.desk_id).map(|d| (s, d)))
        .map(|(s, d)| SlotOut {
            slot: format!("{}-{}-{}", d.id, kind.code, s.start),
            place: model::place(&cpi, d, s.start),
            desk: d.clone(),
            cpi: cpi.clone(),
            kind: kind.code.clone(),
            minutes: kind.minutes,
            start: common::rome::iso_utc(s.start),
            end: common::rome::iso_utc(s.end),
            start_local: common::rome::local_label(s.start),
            inserted_at_local: common::rome::local_label(s.inserted_at),
        })
        .collect::<Vec<_>>();
    let message = items.is_empty().then_some(NO_AVAILABILITY);
    Reply::json(200, &AvailabilityOut { items, cpi, kind, from: common::rome::iso(from), to: common::rome::iso(to), truncated, message })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentBookIn))]
pub struct BookIn {
    /// a `slot` of the availability: desk, kind and start
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^[0-9]+-[a-z]+-[0-9]+$"))]
    slot: Option<String>,
}

fn slot_unavailable() -> ApiError {
    ApiError::new(422, "slot_unavailable", "L'orario scelto non è tra quelli disponibili: cerca di nuovo le disponibilità.")
}

/// `POST /api/appointments` `{slot}`: "Prenota". The slot must be one the desk offers and
/// still in the future; the insert itself decides, in one statement, that the slot is
/// free (unique index), that the person holds fewer than `appointments_per_kind` future
/// bookings of the kind and none overlapping.
fn book(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let input: BookIn = req.json()?;
    let raw = input.slot.as_deref().map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| ApiError::invalid_field("slot", "required", "Scegli l'orario da prenotare."))?;
    let mut it = raw.splitn(3, '-');
    let (desk_id, kind_code, start) = match (it.next().and_then(|d| d.parse::<i64>().ok()), it.next(), it.next().and_then(|t| t.parse::<i64>().ok())) {
        (Some(d), Some(k), Some(t)) => (d, k.to_string(), t),
        _ => return Err(ApiError::invalid_field("slot", "invalid", "L'orario indicato non è valido: cerca di nuovo le disponibilità.")),
    };
    let kind = model::kind(db, &kind_code)?.ok_or_else(slot_unavailable)?;
    let desk = model::desk(db, desk_id)?.ok_or_else(slot_unavailable)?;
    if start <= req.now {
        return Err(slot_unavailable());
    }
    let day = common::rome::local(start).0;
    let offered = free_or_taken(db, &desk, &kind, day, start)?;
    let Some(end) = offered else { return Err(slot_unavailable()) };
    let now = req.now;
    let limit = per_kind(req);
    let id = tx(db, |db| {
        let rows = db.execute(
            "INSERT INTO appointments (desk_id, kind, cpi_code, person_id, start_at, end_at, booked_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
              WHERE (SELECT count(*) FROM appointments WHERE person_id = ?4 AND kind = ?2 AND status = 'prenotato' AND end_at > ?7) < ?8
                AND NOT EXISTS (SELECT 1 FROM appointments WHERE person_id = ?4 AND status = 'prenotato' AND start_at < ?6 AND end_at > ?5)
             ON CONFLICT DO NOTHING RETURNING id",
            params![desk.id, kind.code.as_str(), desk.cpi_code.as_str(), s.person_id, start, end, now, limit],
        )?;
        let Some(id) = rows.first().map(|r| r.int("id")).transpose()? else {
            // nothing was written: say why (the insert above has decided)
            let taken = !db.execute("SELECT 1 AS x FROM appointments WHERE desk_id = ?1 AND kind = ?2 AND start_at = ?3 AND status = 'prenotato'", params![desk.id, kind.code.as_str(), start])?.is_empty();
            if taken {
                return Err(ApiError::new(409, "slot_taken", "Questo orario è appena stato prenotato da un'altra persona: scegline un altro."));
            }
            let held = db.execute("SELECT count(*) AS n FROM appointments WHERE person_id = ?1 AND kind = ?2 AND status = 'prenotato' AND end_at > ?3", params![s.person_id, kind.code.as_str(), now])?.scalar("n")?;
            if held >= limit {
                return Err(ApiError::new(
                    409,
                    "limit_reached",
                    format!("Hai già un appuntamento prenotato per «{}»: per cambiarlo, annulla prima quello che hai.", kind.name),
                ));
            }
            return Err(ApiError::new(409, "overlap", "A quell'ora hai già un altro appuntamento: scegli un orario diverso."));
        };
        let a = model::appointment(db, id)?;
        let link = format!("{}/cittadino/appuntamenti/?riepilogo={id}", base_url(req));
        mail(db, s.person_id, &a, outbox::APPOINTMENT_BOOKED, &[("how", docs::HOW.to_string()), ("link", link)], now)?;
        Ok(id)
    })?;
    eprintln!("appointments: person {} booked appointment {id}", s.person_id);
    let mut r = Reply::json(201, &model::appointment(db, id)?.for_citizen(now, cancel_hours(req)))?;
    r.headers.push(("location", format!("/api/appointments/{id}")));
    Ok(r)
}

/// Whether the desk offers a slot of `kind` starting at `start` on `day` (booked or not):
/// its end.
fn free_or_taken(db: &dyn Db, desk: &Desk, kind: &Kind, day: Date, start: i64) -> Result<Option<i64>, ApiError> {
    let (hours, exceptions) = model::schedule(db, &desk.cpi_code, &kind.code, Some(desk.id))?;
    Ok(slots::offered(&hours, &exceptions, &kind.code, kind.minutes, day, day).into_iter().find(|s| s.start == start).map(|s| s.end))
}

/// Queues the e-mail `template` about booking `a` to `person_id` (when they have an
/// address): `name`, `kind`, `when`, `place` and the `extra` parameters. Their contacts.
fn mail(db: &dyn Db, person_id: i64, a: &Appointment, template: &str, extra: &[(&str, String)], now: i64) -> Result<model::Contact, ApiError> {
    let c = model::contact(db, person_id)?;
    if let Some(email) = &c.email {
        let mut m = Message::new(outbox::Channel::Email, email, template)
            .param("name", c.name.as_str())
            .param("kind", a.kind.name.as_str())
            .param("when", a.start_local.as_str())
            .param("place", a.place.as_str())
            .person(person_id);
        for (k, v) in extra {
            m = m.param(*k, v.as_str());
        }
        outbox::enqueue(db, &m, now)?;
    }
    Ok(c)
}

fn base_url(req: &Req) -> String {
    req.var("base_url").unwrap_or_default().trim_end_matches('/').to_string()
}

/// `GET /api/appointments?when=future|past|all&page=`.
fn mine(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 10)?;
    let when = match q.get("when").unwrap_or("all") {
        "future" => model::When::Future,
        "past" => model::When::Past,
        "all" | "" => model::When::All,
        _ => return Err(ApiError::bad_request("invalid_filter", "Il filtro è future, past o all.")),
    };
    let (total, items) = model::mine(db, s.person_id, when, req.now, paging)?;
    let hours = cancel_hours(req);
    Reply::json(200, &Page::new(items.into_iter().map(|a| a.for_citizen(req.now, hours)).collect(), total, paging))
}

/// The caller's own appointment (404 for anyone else's).
fn own(db: &dyn Db, person_id: i64, id: i64) -> Result<Appointment, ApiError> {
    let a = model::appointment(db, id).map_err(|_| not_found())?;
    if a.person_id != person_id {
        return Err(not_found());
    }
    Ok(a)
}

fn detail(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    Reply::json(200, &own(db, s.person_id, id)?.for_citizen(req.now, cancel_hours(req)))
}

/// `GET /api/appointments/<id>/receipt`: the PDF receipt, as the booking is now.
fn receipt(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let a = own(db, s.person_id, id)?;
    let person = model::person(db, a.person_id)?;
    let pdf = docs::receipt(&a, &person, req.now, cancel_hours(req))?;
    Ok(private_file(pdf, "application/pdf", &format!("appuntamento-{id}.pdf")))
}

/// `GET /api/appointments/<id>/calendar`: the `.ics` (CANCEL once cancelled).
fn calendar_file(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let a = own(db, s.person_id, id)?;
    let method = if a.status == "prenotato" { calendar::Method::Publish } else { calendar::Method::Cancel };
    let ics = calendar::calendar(method, "Toscana Lavoro", &[docs::event(&a, &uid_host(req), req.now)]);
    Ok(private_file(ics.into_bytes(), "text/calendar; charset=utf-8", &format!("appuntamento-{id}.ics")))
}

fn uid_host(req: &Req) -> String {
    let base = base_url(req);
    let host = base.split("://").nth(1).unwrap_or(&base).split('/').next().unwrap_or("").to_string();
    if host.is_empty() { "toscana-lavoro".into() } else { host }
}

fn private_file(body: Vec<u8>, content_type: &str, name: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![
            ("content-type", content_type.to_string()),
            ("cache-control", "private, no-store".into()),
            ("content-disposition", common::reply::attachment(name)),
            ("x-content-type-options", "nosniff".into()),
        ],
        body,
    }
}

/// `POST /api/appointments/<id>/cancel`: up to `appointments_cancel_hours` before the start.
fn cancel(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let a = own(db, s.person_id, id)?;
    let hours = cancel_hours(req);
    let now = req.now;
    tx(db, |db| {
        let changed = db.execute(
            "UPDATE appointments SET status = 'annullato_cittadino', cancelled_at = ?3, cancelled_by = ?2, sequence = sequence + 1
              WHERE id = ?1 AND person_id = ?2 AND status = 'prenotato' AND start_at > ?4 RETURNING id",
            params![id, s.person_id, now, now + hours * 3600],
        )?;
        if changed.is_empty() {
            return Err(if a.status != "prenotato" {
                ApiError::new(409, "not_cancellable", "L'appuntamento è già annullato.")
            } else {
                ApiError::new(
                    409,
                    "too_late",
                    format!("Non puoi più annullare dal portale un appuntamento che inizia tra meno di {hours} ore: contatta lo sportello ({}, {}).", a.desk.phone, a.desk.email),
                )
            });
        }
        mail(db, s.person_id, &a, outbox::APPOINTMENT_CANCELLED, &[("reason", "Hai annullato tu la prenotazione dal portale.".to_string())], now)?;
        Ok(())
    })?;
    eprintln!("appointments: person {} cancelled appointment {id}", s.person_id);
    Reply::json(200, &model::appointment(db, id)?.for_citizen(now, hours))
}

// ---------------------------------------------------------------------------------
// Contatta il CPI
// ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CpiMessageIn))]
pub struct MessageIn {
    /// the CPI's code
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    cpi: Option<String>,
    /// an appointment kind's code (optional)
    kind: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 10, max_length = 2000))]
    text: Option<String>,
}

/// A person may leave at most this many unanswered messages to one CPI.
const MAX_OPEN_MESSAGES: i64 = 5;

/// `POST /api/appointments/messages` `{cpi, kind, text}`: "Invia messaggio al CPI".
fn send_message(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let input: MessageIn = req.json()?;
    let mut f = Fields::new();
    let cpi = cpi_field(db, &mut f, input.cpi.as_deref(), Some("Scegli il Centro per l'impiego a cui scrivere."))?;
    let kind = lookup(&mut f, "kind", input.kind.as_deref(), None, "Il tipo di evento indicato non esiste.", |k| model::kind(db, k))?;
    let text = input.text.as_deref().map(str::trim).unwrap_or("").to_string();
    match text.chars().count() {
        0 => f.add("text", "required", "Scrivi un breve messaggio al Centro per l'impiego."),
        1..10 => f.add("text", "too_short", "Il messaggio è troppo breve: spiega in qualche parola di cosa hai bisogno."),
        2001.. => f.add("text", "too_long", "Il messaggio può contenere al massimo 2000 caratteri."),
        _ => {}
    }
    f.into_result()?;
    let Some(cpi) = cpi else { return Err(ApiError::internal("validated")) };
    let id = db
        .execute(
            "INSERT INTO cpi_messages (cpi_code, person_id, kind, text, created_at)
             SELECT ?1, ?2, ?3, ?4, ?5
              WHERE (SELECT count(*) FROM cpi_messages WHERE cpi_code = ?1 AND person_id = ?2 AND answer IS NULL) < ?6
             RETURNING id",
            params![cpi.code.as_str(), s.person_id, kind.as_ref().map(|k| k.code.as_str()), text.as_str(), req.now, MAX_OPEN_MESSAGES],
        )?
        .first()
        .map(|r| r.int("id"))
        .transpose()?
        .ok_or_else(|| {
            ApiError::new(429, "too_many_messages", "Hai già scritto più volte a questo Centro per l'impiego: attendi la risposta ai messaggi che hai inviato.")
        })?;
    eprintln!("appointments: person {} wrote to CPI {} (message {id})", s.person_id, cpi.code);
    Reply::json(201, &model::message(db, id)?)
}

/// `GET /api/appointments/messages`: the person's messages and the CPIs' answers.
fn my_messages(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    Reply::json(200, &Items { items: model::messages(db, "m.person_id = ?1", &[s.person_id.into()])? })
}

// ---------------------------------------------------------------------------------
// Operator: desks, hours, exceptions
// ---------------------------------------------------------------------------------

fn actor(op: &Operator) -> Actor<'_> {
    Actor { session: &op.session, role: "operator", cpi: Some(&op.cpi.code) }
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentDesks))]
pub struct DesksOut {
    cpi: access::staff::Cpi,
    items: Vec<model::DeskFull>,
    holidays: Vec<model::Holiday>,
}

/// `GET /api/operator/desks`: the CPI's desks with their hours and exceptions, and the
/// national holidays of this year and the next (closed unless opened by an exception).
fn desks(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let year = today(req).year();
    let holidays = [year, year + 1]
        .into_iter()
        .flat_map(calendar::holidays)
        .filter(|(d, _)| *d >= today(req))
        .map(|(d, name)| model::Holiday { day: common::rome::iso(d), name })
        .collect();
    Reply::json(200, &DesksOut { items: model::desks_full(db, &op.cpi.code)?, cpi: op.cpi, holidays })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentDeskIn))]
pub struct DeskIn {
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 120))]
    name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 200))]
    address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 3, max_length = 120, pattern = "^[^@ ]+@[^@ ]+$"))]
    email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 40, pattern = "^[0-9 +/.()-]+$"))]
    phone: Option<String>,
}

fn text_field(f: &mut Fields, name: &str, value: Option<&str>, max: usize, label: &str) -> String {
    let v = value.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
    if v.is_empty() {
        f.add(name, "required", format!("Indica {label}."));
    } else if v.chars().count() > max {
        f.add(name, "too_long", format!("Il campo può contenere al massimo {max} caratteri."));
    }
    v
}

/// `POST /api/operator/desks` and `POST /api/operator/desks/<id>`: a desk of the CPI.
fn save_desk(req: &Req, db: &dyn Db, id: Option<i64>) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let input: DeskIn = req.json()?;
    let mut f = Fields::new();
    let name = text_field(&mut f, "name", input.name.as_deref(), 120, "il nome dello sportello");
    let address = text_field(&mut f, "address", input.address.as_deref(), 200, "l'indirizzo");
    let email = text_field(&mut f, "email", input.email.as_deref(), 120, "l'indirizzo e-mail");
    if !email.is_empty() && !outbox::recipient_is_plausible(outbox::Channel::Email, &email) {
        f.add("email", "invalid", "L'indirizzo e-mail non è valido.");
    }
    let phone = text_field(&mut f, "phone", input.phone.as_deref(), 40, "il numero di telefono");
    if !phone.is_empty() && !phone.chars().all(|c| c.is_ascii_digit() || " +/-.()".contains(c)) {
        f.add("phone", "invalid", "Il numero di telefono può contenere solo cifre, spazi e + / - . ( ).");
    }
    f.into_result()?;
    let now = req.now;
    let created = id.is_none();
    let id = tx(db, |db| {
        let after = json!({ "name": name, "address": address, "email": email, "phone": phone });
        match id {
            None => {
                let id = db
                    .execute(
                        "INSERT INTO desks (cpi_code, name, address, email, phone, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
                        params![op.cpi.code.as_str(), name.as_str(), address.as_str(), email.as_str(), phone.as_str(), op.session.person_id, now],
                    )?
                    .scalar("id")?;
                audit::record(db, &actor(&op), "desk.create", "desk", &id.to_string(), None, Some(&after), now)?;
                Ok(id)
            }
            Some(id) => {
                let before = db.execute("SELECT name, address, email, phone FROM desks WHERE id = ?1 AND cpi_code = ?2", params![id, op.cpi.code.as_str()])?;
                let b = before.first().ok_or_else(desk_not_found)?;
                let before = json!({ "name": b.text("name")?, "address": b.text("address")?, "email": b.text("email")?, "phone": b.text("phone")? });
                db.execute(
                    "UPDATE desks SET name = ?3, address = ?4, email = ?5, phone = ?6, updated_at = ?7 WHERE id = ?1 AND cpi_code = ?2",
                    params![id, op.cpi.code.as_str(), name.as_str(), address.as_str(), email.as_str(), phone.as_str(), now],
                )?;
                audit::record(db, &actor(&op), "desk.update", "desk", &id.to_string(), Some(&before), Some(&after), now)?;
                Ok(id)
            }
        }
    })?;
    let desk = model::desks_full(db, &op.cpi.code)?.into_iter().find(|d| d.desk.id == id).ok_or_else(desk_not_found)?;
    Reply::json(if created { 201 } else { 200 }, &desk)
}

/// The desk `id` of the operator's CPI (404 for another CPI's).
fn my_desk(db: &dyn Db, op: &Operator, id: i64) -> Result<Desk, ApiError> {
    model::desk(db, id)?.filter(|d| d.cpi_code == op.cpi.code).ok_or_else(desk_not_found)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeskHoursIn))]
pub struct HoursIn {
    /// an appointment kind's code
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    kind: Option<String>,
    /// 1 (Monday) to 7 (Sunday)
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, minimum = 1, maximum = 7))]
    weekday: Option<u8>,
    /// `hh:mm`
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    start: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    end: Option<String>,
    /// `YYYY-MM-DD`
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    valid_from: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    valid_to: Option<String>,
}

/// Start and end "HH:MM" of a form, checked.
fn times(f: &mut Fields, start: Option<&str>, end: Option<&str>) -> Option<(u16, u16)> {
    let parse = |f: &mut Fields, name: &str, v: Option<&str>, label: &str| match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            f.add(name, "required", format!("Indica l'ora {label} (hh:mm)."));
            None
        }
        Some(v) => {
            let m = slots::parse_hhmm(v);
            if m.is_none() {
                f.add(name, "invalid", format!("L'ora {label} non è valida: scrivila come hh:mm, per esempio 09:30."));
            }
            m
        }
    };
    let (s, e) = (parse(f, "start", start, "di inizio"), parse(f, "end", end, "di fine"));
    match (s, e) {
        (Some(s), Some(e)) if e <= s => {
            f.add("end", "before_start", "L'ora di fine deve seguire l'ora di inizio.");
            None
        }
        (Some(s), Some(_)) if s >= 1440 => {
            f.add("start", "invalid", "L'ora di inizio non è valida.");
            None
        }
        (Some(s), Some(e)) => Some((s, e)),
        _ => None,
    }
}

/// A CPI or an event kind named by field `name`: `required` is what to ask when it is
/// missing (`None`: optional); `find` looks it up, and `unknown` says it does not exist.
fn lookup<T>(f: &mut Fields, name: &str, value: Option<&str>, required: Option<&str>, unknown: &str, find: impl FnOnce(&str) -> Result<Option<T>, ApiError>) -> Result<Option<T>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            if let Some(ask) = required {
                f.add(name, "required", ask);
            }
            Ok(None)
        }
        Some(v) => {
            let found = find(v)?;
            if found.is_none() {
                f.add(name, "not_found", unknown);
            }
            Ok(found)
        }
    }
}

fn cpi_field(db: &dyn Db, f: &mut Fields, v: Option<&str>, required: Option<&str>) -> Result<Option<model::CpiRef>, ApiError> {
    lookup(f, "cpi", v, required, "Il Centro per l'impiego indicato non esiste.", |c| model::cpi(db, c))
}

fn kind_field(db: &dyn Db, f: &mut Fields, v: Option<&str>) -> Result<Option<Kind>, ApiError> {
    lookup(f, "kind", v, Some("Scegli il tipo di evento."), "Il tipo di evento indicato non esiste.", |k| model::kind(db, k))
}

fn optional_day(f: &mut Fields, name: &str, v: Option<&str>) -> Option<Date> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    let d = common::rome::parse_day(v);
    if d.is_none() {
        f.add(name, "invalid_date", "Indica una data valida (aaaa-mm-gg).");
    }
    d
}

/// `POST /api/operator/desks/<id>/hours`: weekly hours of an event kind.
fn add_hours(req: &Req, db: &dyn Db, desk_id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let desk = my_desk(db, &op, desk_id)?;
    let input: HoursIn = req.json()?;
    let mut f = Fields::new();
    let kind = kind_field(db, &mut f, input.kind.as_deref())?;
    let weekday = input.weekday.filter(|w| (1..=7).contains(w));
    if weekday.is_none() {
        f.add("weekday", "required", "Scegli il giorno della settimana.");
    }
    let t = times(&mut f, input.start.as_deref(), input.end.as_deref());
    let from = optional_day(&mut f, "valid_from", input.valid_from.as_deref());
    let to = optional_day(&mut f, "valid_to", input.valid_to.as_deref());
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        f.add("valid_to", "before_from", "La fine della validità non può precedere il suo inizio.");
    }
    if let (Some(k), Some((s, e))) = (&kind, t)
        && e - s < k.minutes
    {
        f.add("end", "too_short", format!("L'orario è più breve di un appuntamento «{}» ({} minuti).", k.name, k.minutes));
    }
    f.into_result()?;
    let (Some(kind), Some(weekday), Some((start, end))) = (kind, weekday, t) else { return Err(ApiError::internal("validated")) };
    let now = req.now;
    let (from, to) = (from.map(common::rome::iso), to.map(common::rome::iso));
    let hid = tx(db, |db| {
        let hid = db
            .execute(
                "INSERT INTO desk_hours (desk_id, kind, weekday, start_min, end_min, valid_from, valid_to, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                params![desk.id, kind.code.as_str(), i64::from(weekday), i64::from(start), i64::from(end), from.as_deref(), to.as_deref(), op.session.person_id, now],
            )?
            .scalar("id")?;
        let after = json!({ "desk": desk.id, "kind": kind.code, "weekday": weekday, "start": slots::hhmm(start), "end": slots::hhmm(end), "valid_from": from, "valid_to": to });
        audit::record(db, &actor(&op), "desk.hours.add", "desk_hours", &hid.to_string(), None, Some(&after), now)?;
        Ok(hid)
    })?;
    let full = model::desks_full(db, &op.cpi.code)?.into_iter().find(|d| d.desk.id == desk.id).ok_or_else(desk_not_found)?;
    let h = full.hours.into_iter().find(|h| h.id == hid).ok_or_else(|| ApiError::internal("hours vanished"))?;
    Reply::json(201, &h)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeskExceptionIn))]
pub struct ExceptionIn {
    /// `YYYY-MM-DD`
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    day: Option<String>,
    /// an extraordinary opening (with `kind`, `start`, `end`); otherwise a closure
    open: Option<bool>,
    kind: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    start: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    end: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    note: Option<String>,
}

/// `POST /api/operator/desks/<id>/exceptions`: a closure, or an extraordinary opening.
fn add_exception(req: &Req, db: &dyn Db, desk_id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let desk = my_desk(db, &op, desk_id)?;
    let input: ExceptionIn = req.json()?;
    let mut f = Fields::new();
    let day = match input.day.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            f.add("day", "required", "Indica il giorno.");
            None
        }
        some => optional_day(&mut f, "day", some),
    };
    let open = input.open.unwrap_or(false);
    let (kind, t) = if open {
        (kind_field(db, &mut f, input.kind.as_deref())?, times(&mut f, input.start.as_deref(), input.end.as_deref()))
    } else {
        let kind = lookup(&mut f, "kind", input.kind.as_deref(), None, "Il tipo di evento indicato non esiste.", |k| model::kind(db, k))?;
        (kind, None)
    };
    let note = input.note.as_deref().map(|n| n.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
    if note.chars().count() > 200 {
        f.add("note", "too_long", "La nota può contenere al massimo 200 caratteri.");
    }
    f.into_result()?;
    let Some(day) = day else { return Err(ApiError::internal("validated")) };
    let now = req.now;
    let eid = tx(db, |db| {
        let eid = db
            .execute(
                "INSERT INTO desk_exceptions (desk_id, day, open, kind, start_min, end_min, note, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                params![
                    desk.id,
                    common::rome::iso(day),
                    open,
                    kind.as_ref().map(|k| k.code.as_str()),
                    t.map(|(s, _)| i64::from(s)),
                    t.map(|(_, e)| i64::from(e)),
                    note.as_str(),
                    op.session.person_id,
                    now
                ],
            )?
            .scalar("id")?;
        let after = json!({ "desk": desk.id, "day": common::rome::iso(day), "open": open, "kind": kind.as_ref().map(|k| &k.code), "note": note });
        audit::record(db, &actor(&op), "desk.exception.add", "desk_exceptions", &eid.to_string(), None, Some(&after), now)?;
        Ok(eid)
    })?;
    let full = model::desks_full(db, &op.cpi.code)?.into_iter().find(|d| d.desk.id == desk.id).ok_or_else(desk_not_found)?;
    let e = full.exceptions.into_iter().find(|e| e.id == eid).ok_or_else(|| ApiError::internal("exception vanished"))?;
    Reply::json(201, &e)
}

/// Removes hours or an exception of a desk of the operator's CPI (the row stays, marked).
fn delete_row(req: &Req, db: &dyn Db, desk_id: i64, row: i64, table: &'static str, action: &'static str) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let desk = my_desk(db, &op, desk_id)?;
    let now = req.now;
    tx(db, |db| {
        // `table` is one of two constants, never input
        let sql = format!("UPDATE {table} SET removed_at = ?3 WHERE id = ?1 AND desk_id = ?2 AND removed_at IS NULL RETURNING id");
        if db.execute(&sql, params![row, desk.id, now])?.is_empty() {
            return Err(ApiError::new(404, "not_found", "La riga indicata non esiste o è già stata eliminata."));
        }
        audit::record(db, &actor(&op), action, table, &row.to_string(), Some(&json!({ "desk": desk.id })), None, now)
    })?;
    Reply::json(200, &Deleted { deleted: row })
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeskRowDeleted))]
pub struct Deleted {
    /// the hours' or the exception's id
    deleted: i64,
}

// ---------------------------------------------------------------------------------
// Operator: bookings, cancellations, messages, calendar feed
// ---------------------------------------------------------------------------------

/// `GET /api/operator/appointments?from=&to=&desk=&status=`: the CPI's bookings by day or week.
fn operator_list(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let q = req.query()?;
    let (from, to) = day_window(&q, today(req), 6, 31)?;
    let desk = match q.get("desk").map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(d) => Some(d.parse::<i64>().ok().and_then(|d| model::desk(db, d).ok().flatten()).filter(|d| d.cpi_code == op.cpi.code).ok_or_else(desk_not_found)?.id),
    };
    let lo = common::rome::day_start(from);
    let hi = common::rome::day_start(to + time::Duration::days(1));
    let status = match q.get("status").map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v @ ("prenotato" | "annullato_cittadino" | "annullato_cpi")) => Some(v),
        Some(_) => return Err(ApiError::bad_request("invalid_filter", "Lo stato è prenotato, annullato_cittadino o annullato_cpi.")),
    };
    let mut items = model::of_cpi(db, &op.cpi.code, lo, hi, desk)?;
    items.retain(|i| status.is_none_or(|s| i.a.status == s));
    Reply::json(200, &OperatorList { cpi: op.cpi, from: common::rome::iso(from), to: common::rome::iso(to), items })
}

/// The CPI's bookings from `from` to `to` (Italian days, both included).
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentsOfCpi))]
pub struct OperatorList {
    cpi: access::staff::Cpi,
    from: String,
    to: String,
    items: Vec<model::OperatorAppointment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentCancelIn))]
pub struct ReasonIn {
    /// told to the citizen
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 500))]
    reason: Option<String>,
}

/// `POST /api/operator/appointments/<id>/cancel` `{reason}`: the citizen is told by e-mail.
fn operator_cancel(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let input: ReasonIn = req.json()?;
    let reason = common::validation::required_text(input.reason.as_deref(), 500, "Il motivo", "Indica il motivo dell'annullamento: lo riceverà il cittadino.")
        .map_err(|e| ApiError::invalid_fields(vec![e.at("reason")]))?;
    let a = model::appointment(db, id).ok().filter(|a| a.cpi.code == op.cpi.code).ok_or_else(not_found)?;
    let now = req.now;
    tx(db, |db| {
        let changed = db.execute(
            "UPDATE appointments SET status = 'annullato_cpi', cancelled_at = ?3, cancelled_by = ?4, cancel_reason = ?5, sequence = sequence + 1
              WHERE id = ?1 AND cpi_code = ?2 AND status = 'prenotato' RETURNING person_id",
            params![id, op.cpi.code.as_str(), now, op.session.person_id, reason.as_str()],
        )?;
        let r = changed.first().ok_or_else(|| ApiError::new(409, "not_cancellable", "L'appuntamento è già annullato."))?;
        let person_id = r.int("person_id")?;
        audit::record(db, &actor(&op), "appointment.cancel", "appointment", &id.to_string(), Some(&json!({ "status": "prenotato" })), Some(&json!({ "status": "annullato_cpi", "reason": reason })), now)?;
        let why = format!("Il Centro per l'impiego ha annullato l'appuntamento: {}", common::page::sentence(&reason));
        mail(db, person_id, &a, outbox::APPOINTMENT_CANCELLED, &[("reason", why)], now)?;
        Ok(())
    })?;
    Reply::json(200, &model::of_cpi_one(db, id)?)
}

/// `GET /api/operator/appointments/messages?status=open|answered|all`.
fn operator_messages(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let q = req.query()?;
    let filter = match q.get("status").unwrap_or("open") {
        "open" => "m.cpi_code = ?1 AND m.answer IS NULL",
        "answered" => "m.cpi_code = ?1 AND m.answer IS NOT NULL",
        "all" | "" => "m.cpi_code = ?1",
        _ => return Err(ApiError::bad_request("invalid_filter", "Il filtro è open, answered o all.")),
    };
    Reply::json(200, &OperatorMessages { items: model::operator_messages(db, filter, &[op.cpi.code.as_str().into()])?, cpi: op.cpi })
}

/// The citizens' messages to the CPI (at most 200, newest first).
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CpiMessagesForOperator))]
pub struct OperatorMessages {
    cpi: access::staff::Cpi,
    items: Vec<model::OperatorMessage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CpiMessageAnswerIn))]
pub struct AnswerIn {
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 2000))]
    text: Option<String>,
}

/// `POST /api/operator/appointments/messages/<id>/answer` `{text}`: once; e-mailed.
fn answer(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let input: AnswerIn = req.json()?;
    let text = input.text.as_deref().map(str::trim).unwrap_or("").to_string();
    if text.is_empty() {
        return Err(ApiError::invalid_field("text", "required", "Scrivi la risposta."));
    }
    if text.chars().count() > 2000 {
        return Err(ApiError::invalid_field("text", "too_long", "La risposta può contenere al massimo 2000 caratteri."));
    }
    let now = req.now;
    tx(db, |db| {
        let exists = db.execute("SELECT answer FROM cpi_messages WHERE id = ?1 AND cpi_code = ?2", params![id, op.cpi.code.as_str()])?;
        if exists.is_empty() {
            return Err(ApiError::new(404, "message_not_found", "Il messaggio indicato non esiste tra quelli del tuo Centro per l'impiego."));
        }
        let changed = db.execute(
            "UPDATE cpi_messages SET answer = ?3, answered_by = ?4, answered_at = ?5 WHERE id = ?1 AND cpi_code = ?2 AND answer IS NULL RETURNING person_id",
            params![id, op.cpi.code.as_str(), text.as_str(), op.session.person_id, now],
        )?;
        let r = changed.first().ok_or_else(|| ApiError::new(409, "already_answered", "Il messaggio ha già una risposta."))?;
        let person_id = r.int("person_id")?;
        audit::record(db, &actor(&op), "cpi_message.answer", "cpi_message", &id.to_string(), None, Some(&json!({ "answer": text })), now)?;
        let c = model::contact(db, person_id)?;
        if let Some(email) = &c.email {
            outbox::enqueue(
                db,
                &Message::new(outbox::Channel::Email, email, outbox::CPI_MESSAGE_ANSWER)
                    .param("name", c.name.as_str())
                    .param("cpi", op.cpi.name.as_str())
                    .param("answer", text.as_str())
                    .person(person_id),
                now,
            )?;
        }
        Ok(())
    })?;
    let m = model::operator_messages(db, "m.id = ?1", &[id.into()])?.into_iter().next().ok_or_else(|| ApiError::internal("message vanished"))?;
    Reply::json(200, &m)
}

/// `GET /api/operator/appointments/feed`: whether the operator has a current feed.
fn feed(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let rows = db.execute(
        "SELECT created_at FROM calendar_feeds WHERE person_id = ?1 AND cpi_code = ?2 AND revoked_at IS NULL",
        params![op.session.person_id, op.cpi.code.as_str()],
    )?;
    let created = rows.first().map(|r| r.int("created_at")).transpose()?;
    Reply::json(200, &FeedState { active: created.is_some(), created_at_local: created.map(common::rome::local_label) })
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CalendarFeedState))]
pub struct FeedState {
    active: bool,
    created_at_local: Option<String>,
}

/// `POST /api/operator/appointments/feed`: a new private URL (the old one stops working).
fn new_feed(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let token = common::token::random_token()?;
    let now = req.now;
    tx(db, |db| {
        db.execute(
            "UPDATE calendar_feeds SET revoked_at = ?3 WHERE person_id = ?1 AND cpi_code = ?2 AND revoked_at IS NULL",
            params![op.session.person_id, op.cpi.code.as_str(), now],
        )?;
        db.execute(
            "INSERT INTO calendar_feeds (person_id, cpi_code, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![op.session.person_id, op.cpi.code.as_str(), common::token::sha256_hex(token.as_bytes()), now],
        )?;
        audit::record(db, &actor(&op), "calendar_feed.create", "calendar_feed", &op.cpi.code, None, None, now)
    })?;
    Reply::json(201, &FeedUrl { url: format!("{}/calendar/{token}.ics", base_url(req)) })
}

/// The private URL, shown once.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CalendarFeedUrl))]
pub struct FeedUrl {
    url: String,
}

/// `POST /api/operator/appointments/feed/revoke`.
fn revoke_feed(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let now = req.now;
    let n = tx(db, |db| {
        let n = db
            .execute(
                "UPDATE calendar_feeds SET revoked_at = ?3 WHERE person_id = ?1 AND cpi_code = ?2 AND revoked_at IS NULL RETURNING id",
                params![op.session.person_id, op.cpi.code.as_str(), now],
            )?
            .len();
        if n > 0 {
            audit::record(db, &actor(&op), "calendar_feed.revoke", "calendar_feed", &op.cpi.code, None, None, now)?;
        }
        Ok(n)
    })?;
    Reply::json(200, &FeedRevoked { revoked: n > 0 })
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CalendarFeedRevoked))]
pub struct FeedRevoked {
    /// there was a current feed
    revoked: bool,
}

/// `GET /calendar/<token>.ics`: the CPI's bookings from 30 days ago, for a current feed
/// of someone who is still an operator of that CPI.
fn feed_file(req: &Req, db: &dyn Db, token: &str) -> Result<Reply, ApiError> {
    let gone = || ApiError::new(404, "feed_not_found", "Questo calendario non esiste o è stato revocato.");
    let rows = db.execute(
        "SELECT f.cpi_code FROM calendar_feeds f JOIN people p ON p.id = f.person_id
          WHERE f.token_hash = ?1 AND f.revoked_at IS NULL
            AND EXISTS (SELECT 1 FROM staff_roles r WHERE r.fiscal_code = p.fiscal_code AND r.role = 'operator' AND r.cpi_code = f.cpi_code AND r.revoked_at IS NULL)",
        params![common::token::sha256_hex(token.as_bytes())],
    )?;
    let cpi = rows.first().map(|r| r.text("cpi_code")).transpose()?.ok_or_else(gone)?;
    let items = model::of_cpi(db, &cpi, req.now - 30 * 86400, req.now + 400 * 86400, None)?;
    let host = uid_host(req);
    let events: Vec<calendar::Event> = items.iter().take(5000).map(|a| docs::operator_event(a, &host, req.now)).collect();
    let ics = calendar::calendar(calendar::Method::Publish, "Toscana Lavoro", &events);
    Ok(Reply {
        status: 200,
        headers: vec![("content-type", "text/calendar; charset=utf-8".into()), ("cache-control", "private, no-store".into()), ("x-content-type-options", "nosniff".into())],
        body: ics.into_bytes(),
    })
}

// ---------------------------------------------------------------------------------
// Job: reminders the day before
// ---------------------------------------------------------------------------------

/// Most reminders one call sends; the scheduler calls again while `more` is true.
const REMIND_BATCH: i64 = 200;

/// `POST /jobs/appointments/remind`: an e-mail, and an SMS to a verified mobile, for
/// each booking of the next Italian day, once (a conditional update marks it first).
fn remind(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    common::jobs::check_auth(&req.var("jobs_secret").unwrap_or_default(), req.header("authorization"))?;
    let tomorrow = today(req) + time::Duration::days(1);
    let (lo, hi) = (common::rome::day_start(tomorrow), common::rome::day_start(tomorrow + time::Duration::days(1)));
    let now = req.now;
    let due = db.execute(
        "SELECT id FROM appointments WHERE status = 'prenotato' AND reminded_at IS NULL AND start_at >= ?1 AND start_at < ?2 ORDER BY start_at, id LIMIT ?3",
        params![lo, hi, REMIND_BATCH + 1],
    )?;
    let ids = due.map(|r| r.int("id"))?;
    let more = ids.len() as i64 > REMIND_BATCH;
    let mut reminded: i64 = 0;
    for id in ids.into_iter().take(REMIND_BATCH as usize) {
        let sent = tx(db, |db| {
            let marked = db.execute("UPDATE appointments SET reminded_at = ?2 WHERE id = ?1 AND reminded_at IS NULL AND status = 'prenotato' RETURNING person_id", params![id, now])?;
            let Some(person_id) = marked.first().map(|r| r.int("person_id")).transpose()? else { return Ok(false) };
            let a = model::appointment(db, id)?;
            let c = mail(db, person_id, &a, outbox::APPOINTMENT_REMINDER, &[("how", docs::HOW.to_string())], now)?;
            if let Some(mobile) = &c.mobile {
                outbox::enqueue(
                    db,
                    &Message::new(outbox::Channel::Sms, mobile, outbox::APPOINTMENT_REMINDER)
                        .param("when", a.start_local.as_str())
                        .param("cpi", a.cpi.name.as_str())
                        .person(person_id),
                    now,
                )?;
            }
            Ok(true)
        })?;
        if sent {
            reminded += 1;
        }
    }
    eprintln!("appointments: reminded {reminded} bookings of {}", common::rome::iso(tomorrow));
    Reply::json(200, &Reminded { reminded, day: common::rome::iso(tomorrow), more })
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AppointmentReminders))]
pub struct Reminded {
    /// bookings reminded by this call
    reminded: i64,
    /// the Italian day of the bookings
    day: String,
    /// more are due: call again
    more: bool,
}
