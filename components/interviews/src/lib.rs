//! `interviews` (C6 "Gestisci colloqui online", B4 the company's invitations): a company
//! (or agency, or professional firm) invites candidates among the applications the CPI
//! sent it; the candidate accepts, refuses or asks for a change; the company answers a
//! change with a new date or cancels; each invitation and change is e-mailed with the
//! link to its `.ics`. On a confirmed interview the two parties meet in a video room:
//! peer-to-peer WebRTC between their browsers, with the lobby and the signalling (offer,
//! answer, ICE candidates) through this API, polled, in SQLite, so any replica serves it.
//!
//! - Candidate (active account): `GET /api/interviews?from=&to=&page=`,
//!   `GET /api/interviews/<id>`, `…/<id>/calendar` (.ics), `POST …/<id>/accept`,
//!   `POST …/<id>/refuse`, `POST …/<id>/change` `{message}`.
//! - Company (acting for it): `GET /api/company/interviews?offer=&page=`,
//!   `POST /api/company/interviews` `{application, date, time, minutes, description}`,
//!   `GET /api/company/interviews/<id>`, `…/<id>/calendar`, `POST …/<id>/reschedule`
//!   `{date, time, minutes}`, `POST …/<id>/cancel`.
//! - The room, from 15 minutes before the start to the end, for the two parties only:
//!   `GET|POST /api/interviews/<id>/room` (the lobby's state; knock),
//!   `GET|POST /api/company/interviews/<id>/room` (state; enter), `POST …/room/admit`,
//!   and on both sides `GET …/room/signals?after=<id>` and `POST …/room/signals`
//!   `{kind, payload}` (kinds hello, ready, offer, answer, candidate, bye).
//!
//! Writes `interviews` and `interview_signals` (db/migrations/0014_interviews.sql).

pub mod model;

#[cfg(test)]
mod tests;

use common::http::{allowed, get_or_post, path_id, segments};
use common::sql::{Db, tx};
use common::validation::Fields;
use common::{ApiError, Page, Paging, Reply, Req, params};
use model::{ANNULLATO, CONFERMATO, Interview, MODIFICA, RIFIUTATO, Window};
use outbox::Message;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Candidate,
    Company,
}

impl Party {
    fn as_str(self) -> &'static str {
        match self {
            Party::Candidate => "candidate",
            Party::Company => "company",
        }
    }

    fn other(self) -> &'static str {
        match self {
            Party::Candidate => "company",
            Party::Company => "candidate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Mine,
    Detail(i64),
    Calendar(Party, i64),
    Accept(i64),
    Refuse(i64),
    Change(i64),
    CompanyList,
    Invite,
    CompanyDetail(i64),
    Reschedule(i64),
    Cancel(i64),
    Room(Party, i64),
    Enter(Party, i64),
    Admit(i64),
    Signals(Party, i64),
    Signal(Party, i64),
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    let post = method == "POST";
    use Party::{Candidate, Company};
    match parts.as_slice() {
        ["api", "interviews"] => allowed(get, Route::Mine),
        ["api", "interviews", n] => allowed(get, Route::Detail(path_id(n)?)),
        ["api", "interviews", n, "calendar"] => allowed(get, Route::Calendar(Candidate, path_id(n)?)),
        ["api", "interviews", n, "accept"] => allowed(post, Route::Accept(path_id(n)?)),
        ["api", "interviews", n, "refuse"] => allowed(post, Route::Refuse(path_id(n)?)),
        ["api", "interviews", n, "change"] => allowed(post, Route::Change(path_id(n)?)),
        ["api", "interviews", n, "room"] => {
            let id = path_id(n)?;
            get_or_post(method, Route::Room(Candidate, id), Route::Enter(Candidate, id))
        }
        ["api", "interviews", n, "room", "signals"] => {
            let id = path_id(n)?;
            get_or_post(method, Route::Signals(Candidate, id), Route::Signal(Candidate, id))
        }
        ["api", "company", "interviews"] => get_or_post(method, Route::CompanyList, Route::Invite),
        ["api", "company", "interviews", n] => allowed(get, Route::CompanyDetail(path_id(n)?)),
        ["api", "company", "interviews", n, "calendar"] => allowed(get, Route::Calendar(Company, path_id(n)?)),
        ["api", "company", "interviews", n, "reschedule"] => allowed(post, Route::Reschedule(path_id(n)?)),
        ["api", "company", "interviews", n, "cancel"] => allowed(post, Route::Cancel(path_id(n)?)),
        ["api", "company", "interviews", n, "room"] => {
            let id = path_id(n)?;
            get_or_post(method, Route::Room(Company, id), Route::Enter(Company, id))
        }
        ["api", "company", "interviews", n, "room", "admit"] => allowed(post, Route::Admit(path_id(n)?)),
        ["api", "company", "interviews", n, "room", "signals"] => {
            let id = path_id(n)?;
            get_or_post(method, Route::Signals(Company, id), Route::Signal(Company, id))
        }
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
        Route::Mine => mine(req, db),
        Route::Detail(id) => {
            let (i, _) = as_candidate(req, db, *id, false)?;
            Reply::json(200, &i.for_candidate(req.now))
        }
        Route::Calendar(p, id) => calendar_file(req, db, *p, *id),
        Route::Accept(id) => answer(req, db, *id, "accept"),
        Route::Refuse(id) => answer(req, db, *id, "refuse"),
        Route::Change(id) => answer(req, db, *id, "change"),
        Route::CompanyList => company_list(req, db),
        Route::Invite => invite(req, db),
        Route::CompanyDetail(id) => {
            let i = as_company(req, db, *id, false)?;
            Reply::json(200, &i.for_company(req.now))
        }
        Route::Reschedule(id) => reschedule(req, db, *id),
        Route::Cancel(id) => cancel(req, db, *id),
        Route::Room(p, id) => room(req, db, *p, *id),
        Route::Enter(p, id) => enter(req, db, *p, *id),
        Route::Admit(id) => admit(req, db, *id),
        Route::Signals(p, id) => signals(req, db, *p, *id),
        Route::Signal(p, id) => signal(req, db, *p, *id),
    }
}

fn not_found() -> ApiError {
    ApiError::new(404, "interview_not_found", "Il colloquio indicato non esiste tra i tuoi.")
}

/// The candidate's own interview (404 for anyone else's): the interview and the person.
fn as_candidate(req: &Req, db: &dyn Db, id: i64, write: bool) -> Result<(Interview, i64), ApiError> {
    let s = if write { access::require_active_write(db, req, None)? } else { access::require_active(db, req)? };
    let i = model::load(db, id)?.filter(|i| i.person_id == s.person_id).ok_or_else(not_found)?;
    Ok((i, s.person_id))
}

/// An interview of the company the caller acts for (404 for another's).
fn as_company(req: &Req, db: &dyn Db, id: i64, write: bool) -> Result<Interview, ApiError> {
    let (_, company) = if write { access::require_acting_write(db, req, None)? } else { access::require_acting(db, req)? };
    model::load(db, id)?.filter(|i| i.company_id == company.company_id).ok_or_else(not_found)
}

fn base_url(req: &Req) -> String {
    req.var("base_url").unwrap_or_default().trim_end_matches('/').to_string()
}

fn uid_host(req: &Req) -> String {
    let base = base_url(req);
    let host = base.split("://").nth(1).unwrap_or(&base).split('/').next().unwrap_or("").to_string();
    if host.is_empty() { "toscana-lavoro".into() } else { host }
}

// ---------------------------------------------------------------------------------
// The candidate: Elenco Colloqui, Accetta / Rifiuta / Richiedi modifica
// ---------------------------------------------------------------------------------

/// `GET /api/interviews?from=&to=&page=`: "Elenco Colloqui", by the start's day.
fn mine(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 10)?;
    let nonempty = |k: &str| q.get(k).map(str::trim).filter(|v| !v.is_empty());
    let (from, to) = common::rome::day_range(nonempty("from"), nonempty("to"))?;
    let filter = "i.person_id = ?1 AND (?2 IS NULL OR i.start_at >= ?2) AND (?3 IS NULL OR i.start_at < ?3)";
    let (total, items) = model::page(db, filter, params![s.person_id, from, to], paging.limit(), paging.offset())?;
    paging.ensure_in_range(total)?;
    Reply::json(200, &Page::new(items.iter().map(|i| i.for_candidate(req.now)).collect(), total, paging))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewChangeRequest))]
pub struct ChangeIn {
    /// The candidate's availability (required, at most 1000 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 1000))]
    message: Option<String>,
}

/// `POST /api/interviews/<id>/accept|refuse|change`: one conditional update from
/// RICHIESTO (before the start) decides; the company's inviter is told by e-mail.
fn answer(req: &Req, db: &dyn Db, id: i64, action: &'static str) -> Result<Reply, ApiError> {
    let (i, person_id) = as_candidate(req, db, id, true)?;
    let note = if action == "change" {
        let input: ChangeIn = req.json()?;
        let text = input.message.as_deref().map(|m| m.trim().to_string()).unwrap_or_default();
        match text.chars().count() {
            0 => return Err(ApiError::invalid_field("message", "required", "Indica le tue disponibilità per ricevere un nuovo appuntamento.")),
            1001.. => return Err(ApiError::invalid_field("message", "too_long", "Il messaggio può contenere al massimo 1000 caratteri.")),
            _ => Some(text),
        }
    } else {
        None
    };
    let to = match action {
        "accept" => CONFERMATO,
        "refuse" => RIFIUTATO,
        _ => MODIFICA,
    };
    let now = req.now;
    tx(db, |db| {
        let changed = db.execute(
            "UPDATE interviews SET status = ?3, change_note = coalesce(?4, change_note), updated_at = ?5
              WHERE id = ?1 AND person_id = ?2 AND status = 'richiesto' AND start_at > ?5 RETURNING id",
            params![id, person_id, to, note.as_deref(), now],
        )?;
        if changed.is_empty() {
            let cur = model::load(db, id)?.ok_or_else(not_found)?;
            return Err(model::refused(action, &cur.status, cur.start_at, cur.end_at, now));
        }
        let sentence = match action {
            "accept" => "ha confermato il colloquio.".to_string(),
            "refuse" => "ha rifiutato il colloquio.".to_string(),
            _ => format!("ha chiesto di modificare la data del colloquio. Le sue disponibilità: {}", note.as_deref().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")),
        };
        let inviter = model::contact(db, i.created_by)?;
        if let Some(email) = &inviter.email {
            outbox::enqueue(
                db,
                &Message::new(outbox::Channel::Email, email, outbox::INTERVIEW_ANSWER)
                    .param("name", inviter.name.as_str())
                    .param("candidate", i.candidate.as_str())
                    .param("offer", i.offer_code.as_str())
                    .param("when", common::rome::local_label(i.start_at))
                    .param("answer", sentence)
                    .param("link", format!("{}/azienda/colloqui/", base_url(req)))
                    .person(i.created_by),
                now,
            )?;
        }
        Ok(())
    })?;
    eprintln!("interviews: person {person_id} {action} interview {id}");
    Reply::json(200, &model::load(db, id)?.ok_or_else(not_found)?.for_candidate(now))
}

// ---------------------------------------------------------------------------------
// The company: candidates, invitations, new dates, cancelling
// ---------------------------------------------------------------------------------

/// `GET /api/company/interviews?offer=<code>&page=`.
fn company_list(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let (_, company) = access::require_acting(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 20)?;
    let offer = q.get("offer").map(str::trim).filter(|v| !v.is_empty()).map(str::to_ascii_uppercase);
    let filter = "i.company_id = ?1 AND (?2 IS NULL OR i.offer_id = (SELECT id FROM offers WHERE code = ?2))";
    let (total, items) = model::page(db, filter, params![company.company_id, offer.as_deref()], paging.limit(), paging.offset())?;
    paging.ensure_in_range(total)?;
    Reply::json(200, &Page::new(items.iter().map(|i| i.for_company(req.now)).collect(), total, paging))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewInvitation))]
pub struct InviteIn {
    /// The application (sent to the company by the CPI) whose candidate is invited.
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, minimum = 1))]
    application: Option<i64>,
    /// The day, AAAA-MM-GG (Italian time), within a year.
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    date: Option<String>,
    /// The start, HH:MM (Italian time).
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = r"^[0-9]{1,2}:[0-9]{2}$"))]
    time: Option<String>,
    /// The length in minutes (default 30).
    #[cfg_attr(feature = "openapi", schema(minimum = 15, maximum = 240))]
    minutes: Option<i64>,
    /// At most 500 characters (default: the manual's sentence).
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewNewDate))]
pub struct DateIn {
    /// The day, AAAA-MM-GG (Italian time), within a year.
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    date: Option<String>,
    /// The start, HH:MM (Italian time).
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = r"^[0-9]{1,2}:[0-9]{2}$"))]
    time: Option<String>,
    /// The length in minutes (default: the interview's).
    #[cfg_attr(feature = "openapi", schema(minimum = 15, maximum = 240))]
    minutes: Option<i64>,
}

/// `HH:MM` as minutes of the day.
fn parse_time(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The start and end of an interview from the form's date, time and minutes, checked
/// against `now`.
fn when(f: &mut Fields, date: Option<&str>, time: Option<&str>, minutes: Option<i64>, now: i64) -> Option<(i64, i64)> {
    let day = match date.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            f.add("date", "required", "Indica la data del colloquio.");
            None
        }
        Some(d) => common::rome::parse_day(d).or_else(|| {
            f.add("date", "invalid_format", "Indica la data nel formato AAAA-MM-GG.");
            None
        }),
    };
    let minute = match time.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            f.add("time", "required", "Indica l'ora del colloquio.");
            None
        }
        Some(t) => parse_time(t).or_else(|| {
            f.add("time", "invalid_format", "Indica l'ora nel formato HH:MM.");
            None
        }),
    };
    let minutes = minutes.unwrap_or(30);
    if !(model::MIN_MINUTES..=model::MAX_MINUTES).contains(&minutes) {
        f.add("minutes", "out_of_range", format!("La durata va da {} a {} minuti.", model::MIN_MINUTES, model::MAX_MINUTES));
    }
    let start = common::rome::to_unix(day?, minute?);
    match start {
        None => {
            f.add("time", "invalid", "Quest'ora non esiste in quel giorno (cambio dell'ora legale).");
            None
        }
        Some(s) if s <= now => {
            f.add("date", "in_the_past", "Il colloquio deve essere in una data e ora future.");
            None
        }
        Some(s) if s > now + model::MAX_DAYS_AHEAD * 86400 => {
            f.add("date", "too_far", "Il colloquio può essere fissato al massimo entro un anno.");
            None
        }
        Some(s) if f.is_empty() => Some((s, s + minutes * 60)),
        Some(_) => None,
    }
}

/// `POST /api/company/interviews` `{application, date, time, minutes, description}`: an
/// invitation to the candidate of an application the CPI sent to the company acted for.
fn invite(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let (s, company) = access::require_acting_write(db, req, None)?;
    let input: InviteIn = req.json()?;
    let mut f = Fields::new();
    let app = match input.application {
        None => {
            f.add("application", "required", "Scegli il candidato da invitare.");
            None
        }
        Some(a) => {
            let rows = db.execute(
                "SELECT a.id, a.person_id, a.offer_id, o.code, c.name AS company FROM applications a JOIN offers o ON o.id = a.offer_id
                   JOIN offer_terms t ON t.offer_id = a.offer_id JOIN companies c ON c.id = t.company_id
                  WHERE a.id = ?1 AND a.status = 'inviata' AND t.company_id = ?2",
                params![a, company.company_id],
            )?;
            let found = rows.first().map(|r| Ok::<_, ApiError>((r.int("id")?, r.int("person_id")?, r.int("offer_id")?, r.text("code")?, r.text("company")?))).transpose()?;
            if found.is_none() {
                f.add("application", "not_found", "La candidatura indicata non è tra quelle che il Centro per l'impiego ti ha inviato.");
            }
            found
        }
    };
    let times = when(&mut f, input.date.as_deref(), input.time.as_deref(), input.minutes, req.now);
    let description = input.description.as_deref().map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|d| !d.is_empty());
    if description.as_ref().is_some_and(|d| d.chars().count() > 500) {
        f.add("description", "too_long", "La descrizione può contenere al massimo 500 caratteri.");
    }
    f.into_result()?;
    let (Some((app_id, person_id, offer_id, code, company_name)), Some((start, end))) = (app, times) else { return Err(ApiError::internal("validated")) };
    let description = description.unwrap_or_else(|| model::default_description(&code, &company_name));
    let now = req.now;
    let id = tx(db, |db| {
        let rows = db.execute(
            "INSERT INTO interviews (application_id, offer_id, company_id, person_id, start_at, end_at, description, created_by, created_at, updated_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9
              WHERE NOT EXISTS (SELECT 1 FROM interviews WHERE application_id = ?1
                                   AND (status IN ('richiesto', 'modifica_richiesta') OR (status = 'confermato' AND end_at > ?9)))
             RETURNING id",
            params![app_id, offer_id, company.company_id, person_id, start, end, description.as_str(), s.person_id, now],
        )?;
        let id = rows.first().map(|r| r.int("id")).transpose()?.ok_or_else(|| {
            ApiError::new(409, "already_invited", "Hai già invitato questo candidato a un colloquio per questa offerta: modifica o annulla quello esistente.")
        })?;
        let i = model::load(db, id)?.ok_or_else(|| ApiError::internal("interview vanished"))?;
        tell_candidate(req, db, &i, Tell::Invited, now)?;
        Ok(id)
    })?;
    eprintln!("interviews: company {} invited person {person_id} (application {app_id}): interview {id}", company.company_id);
    let mut r = Reply::json(201, &model::load(db, id)?.ok_or_else(not_found)?.for_company(now))?;
    r.headers.push(("location", format!("/api/company/interviews/{id}")));
    Ok(r)
}

enum Tell {
    Invited,
    NewDate,
    Cancelled,
}

/// Queues the candidate's e-mail about interview `i` (as it is now): the invitation, a
/// new date, a cancellation; each links the page and the interview's `.ics`.
fn tell_candidate(req: &Req, db: &dyn Db, i: &Interview, what: Tell, now: i64) -> Result<(), ApiError> {
    let c = model::contact(db, i.person_id)?;
    let Some(email) = &c.email else { return Ok(()) };
    let base = base_url(req);
    let (template, intro) = match what {
        Tell::Invited => (outbox::INTERVIEW_INVITATION, String::new()),
        Tell::NewDate => (outbox::INTERVIEW_UPDATE, format!("{} ha fissato una nuova data per il colloquio online. Accetta, rifiuta o chiedi un'altra modifica dalla pagina «Gestisci colloqui online».", i.company)),
        Tell::Cancelled => (outbox::INTERVIEW_UPDATE, format!("{} ha annullato il colloquio online: non avrà luogo.", i.company)),
    };
    let m = Message::new(outbox::Channel::Email, email, template)
        .param("name", c.name.as_str())
        .param("company", i.company.as_str())
        .param("offer", i.offer_code.as_str())
        .param("when", common::rome::local_label(i.start_at))
        .param("minutes", i.minutes().to_string())
        .param("description", i.description.as_str())
        .param("intro", intro)
        .param("link", format!("{base}/cittadino/colloqui/"))
        .param("calendar", format!("{base}/api/interviews/{}/calendar", i.id))
        .person(i.person_id);
    outbox::enqueue(db, &m, now)?;
    Ok(())
}

/// `POST /api/company/interviews/<id>/reschedule` `{date, time, minutes}`: the answer to
/// "Richiedi modifica", back to RICHIESTO.
fn reschedule(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let i = as_company(req, db, id, true)?;
    let input: DateIn = req.json()?;
    let mut f = Fields::new();
    let times = when(&mut f, input.date.as_deref(), input.time.as_deref(), input.minutes.or(Some(i.minutes())), req.now);
    f.into_result()?;
    let Some((start, end)) = times else { return Err(ApiError::internal("validated")) };
    let now = req.now;
    tx(db, |db| {
        let changed = db.execute(
            "UPDATE interviews SET status = 'richiesto', start_at = ?3, end_at = ?4, sequence = sequence + 1, updated_at = ?5
              WHERE id = ?1 AND company_id = ?2 AND status = 'modifica_richiesta' RETURNING id",
            params![id, i.company_id, start, end, now],
        )?;
        let cur = model::load(db, id)?.ok_or_else(not_found)?;
        if changed.is_empty() {
            return Err(model::refused("reschedule", &cur.status, cur.start_at, cur.end_at, now));
        }
        tell_candidate(req, db, &cur, Tell::NewDate, now)
    })?;
    eprintln!("interviews: company {} set a new date for interview {id}", i.company_id);
    Reply::json(200, &model::load(db, id)?.ok_or_else(not_found)?.for_company(now))
}

/// `POST /api/company/interviews/<id>/cancel`: until the end; the room empties.
fn cancel(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let i = as_company(req, db, id, true)?;
    let now = req.now;
    tx(db, |db| {
        let changed = db.execute(
            "UPDATE interviews SET status = 'annullato', sequence = sequence + 1, updated_at = ?3, company_in_at = NULL, waiting_at = NULL, admitted_at = NULL
              WHERE id = ?1 AND company_id = ?2 AND status IN ('richiesto', 'confermato', 'modifica_richiesta') AND end_at > ?3 RETURNING id",
            params![id, i.company_id, now],
        )?;
        let cur = model::load(db, id)?.ok_or_else(not_found)?;
        if changed.is_empty() {
            return Err(model::refused("cancel", &cur.status, cur.start_at, cur.end_at, now));
        }
        tell_candidate(req, db, &cur, Tell::Cancelled, now)
    })?;
    eprintln!("interviews: company {} cancelled interview {id}", i.company_id);
    Reply::json(200, &model::load(db, id)?.ok_or_else(not_found)?.for_company(now))
}

/// `GET /api/interviews/<id>/calendar`, `GET /api/company/interviews/<id>/calendar`: the
/// `.ics` (CANCEL once refused or cancelled).
fn calendar_file(req: &Req, db: &dyn Db, party: Party, id: i64) -> Result<Reply, ApiError> {
    let i = match party {
        Party::Candidate => as_candidate(req, db, id, false)?.0,
        Party::Company => as_company(req, db, id, false)?,
    };
    let cancelled = matches!(i.status.as_str(), RIFIUTATO | ANNULLATO);
    let method = if cancelled { calendar::Method::Cancel } else { calendar::Method::Publish };
    let (summary, page) = match party {
        Party::Candidate => (format!("Colloquio online con {}", i.company), "/cittadino/colloqui/"),
        Party::Company => (format!("Colloquio online con {} ({})", i.candidate, i.offer_code), "/azienda/colloqui/"),
    };
    let link = format!("{}{page}", base_url(req));
    let event = calendar::Event {
        uid: format!("colloquio-{}@{}", i.id, uid_host(req)),
        sequence: u32::try_from(i.sequence).unwrap_or(0),
        start_unix: i.start_at,
        end_unix: i.end_at,
        stamp_unix: req.now,
        summary,
        description: format!("{}\n\nIl colloquio si svolge online sul portale Toscana Lavoro: «Vai al colloquio» compare 15 minuti prima dell'inizio in {link}", i.description),
        location: format!("Online - Toscana Lavoro ({link})"),
        cancelled,
        organizer: None,
    };
    let ics = calendar::calendar(method, "Toscana Lavoro", &[event]);
    Ok(Reply {
        status: 200,
        headers: vec![
            ("content-type", "text/calendar; charset=utf-8".into()),
            ("cache-control", "private, no-store".into()),
            ("content-disposition", common::reply::attachment(&format!("colloquio-{id}.ics"))),
            ("x-content-type-options", "nosniff".into()),
        ],
        body: ics.into_bytes(),
    })
}

// ---------------------------------------------------------------------------------
// The room: lobby and signalling
// ---------------------------------------------------------------------------------

/// Most signalling messages one interview may hold, and the largest payload (bytes).
pub const MAX_SIGNALS: i64 = 2000;
pub const MAX_PAYLOAD: usize = 16 * 1024;
/// Most messages one read returns.
const READ_BATCH: i64 = 100;
/// Seconds a signalling message is kept: the other party polls every second or so, and a
/// party that comes back later starts again with hello / ready; older messages are
/// deleted when the interview's next one is written.
pub const SIGNAL_TTL_SECS: i64 = 120;

/// The STUN/TURN servers for the browsers (`interviews_ice_servers`, a JSON array of
/// RTCIceServer; empty on loopback), with the TURN secret `interviews_turn_credential`
/// given to each entry that names a `username` and no `credential`.
pub fn ice_servers(req: &Req) -> Value {
    let raw = req.var_text("interviews_ice_servers").unwrap_or_default();
    if raw.is_empty() {
        return json!([]);
    }
    let Ok(Value::Array(mut list)) = serde_json::from_str::<Value>(&raw) else {
        eprintln!("interviews: interviews_ice_servers is not a JSON array: ignored");
        return json!([]);
    };
    let secret = req.var_text("interviews_turn_credential");
    for s in &mut list {
        if let (Some(obj), Some(secret)) = (s.as_object_mut(), &secret)
            && obj.contains_key("username")
            && !obj.contains_key("credential")
        {
            obj.insert("credential".into(), Value::String(secret.clone()));
        }
    }
    Value::Array(list)
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewRoom))]
pub struct RoomOut {
    id: i64,
    role: &'static str,
    company: String,
    candidate: String,
    offer: String,
    start_local: String,
    end: String,
    /// the company is in the room
    company_in: bool,
    /// the candidate knocked and waits to be let in
    waiting: bool,
    admitted: bool,
    /// the newest signalling message of the other party: read `after` it
    last_id: i64,
    /// RTCIceServer entries for the browser (`interviews_ice_servers`)
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    ice_servers: Value,
    message: Option<&'static str>,
}

/// The interview of the party calling, checked to be in its window.
fn party_interview(req: &Req, db: &dyn Db, party: Party, id: i64, write: bool) -> Result<Interview, ApiError> {
    let i = match party {
        Party::Candidate => as_candidate(req, db, id, write)?.0,
        Party::Company => as_company(req, db, id, write)?,
    };
    if let Some(e) = model::window_error(model::window(&i.status, i.start_at, i.end_at, req.now), i.start_at) {
        return Err(e);
    }
    Ok(i)
}

fn room_out(req: &Req, db: &dyn Db, party: Party, i: &Interview) -> Result<Reply, ApiError> {
    let last_id = db
        .execute("SELECT coalesce(max(id), 0) AS n FROM interview_signals WHERE interview_id = ?1 AND sender = ?2", params![i.id, party.other()])?
        .scalar("n")?;
    let message = match party {
        Party::Candidate if !i.admitted => Some("In attesa che l'azienda ti faccia entrare"),
        Party::Company if !i.company_in => Some("Entra nella stanza per far entrare il candidato."),
        Party::Company if i.waiting && !i.admitted => Some("Il candidato è in attesa di entrare."),
        _ => None,
    };
    Reply::json(
        200,
        &RoomOut {
            id: i.id,
            role: party.as_str(),
            company: i.company.clone(),
            candidate: i.candidate.clone(),
            offer: i.offer_code.clone(),
            start_local: common::rome::local_label(i.start_at),
            end: common::rome::iso_utc(i.end_at),
            company_in: i.company_in,
            waiting: i.waiting,
            admitted: i.admitted,
            last_id,
            ice_servers: ice_servers(req),
            message,
        },
    )
}

/// `GET …/room`: the lobby's state.
fn room(req: &Req, db: &dyn Db, party: Party, id: i64) -> Result<Reply, ApiError> {
    let i = party_interview(req, db, party, id, false)?;
    room_out(req, db, party, &i)
}

/// The part of a conditional update that keeps it inside the room's window (opening
/// `model::ROOM_EARLY_SECS`, 900 seconds, before the start).
const IN_WINDOW: &str = "status = 'confermato' AND start_at - 900 <= ?3 AND end_at > ?3";
const _: () = assert!(model::ROOM_EARLY_SECS == 900, "IN_WINDOW names the same 15 minutes");

/// `POST …/room`: the company enters; the candidate knocks (and waits in the lobby).
fn enter(req: &Req, db: &dyn Db, party: Party, id: i64) -> Result<Reply, ApiError> {
    let i = party_interview(req, db, party, id, true)?;
    let sql = match party {
        Party::Company => format!("UPDATE interviews SET company_in_at = ?3 WHERE id = ?1 AND company_id = ?2 AND {IN_WINDOW} RETURNING id"),
        Party::Candidate => format!("UPDATE interviews SET waiting_at = coalesce(waiting_at, ?3) WHERE id = ?1 AND person_id = ?2 AND {IN_WINDOW} RETURNING id"),
    };
    let owner = if party == Party::Company { i.company_id } else { i.person_id };
    if db.execute(&sql, params![id, owner, req.now])?.is_empty() {
        return Err(model::window_error(Window::Closed, i.start_at).unwrap_or_else(not_found));
    }
    let i = model::load(db, id)?.ok_or_else(not_found)?;
    room_out(req, db, party, &i)
}

/// `POST /api/company/interviews/<id>/room/admit`: the company, in the room, lets in the
/// candidate who waits.
fn admit(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let i = party_interview(req, db, Party::Company, id, true)?;
    let rows = db.execute(
        &format!("UPDATE interviews SET admitted_at = ?3 WHERE id = ?1 AND company_id = ?2 AND {IN_WINDOW} AND company_in_at IS NOT NULL AND waiting_at IS NOT NULL RETURNING id"),
        params![id, i.company_id, req.now],
    )?;
    if rows.is_empty() {
        return Err(if !i.company_in {
            ApiError::new(409, "not_in_room", "Entra prima nella stanza del colloquio.")
        } else {
            ApiError::new(409, "nobody_waiting", "Il candidato non è ancora in attesa di entrare.")
        });
    }
    eprintln!("interviews: company {} admitted the candidate of interview {id}", i.company_id);
    let i = model::load(db, id)?.ok_or_else(not_found)?;
    room_out(req, db, Party::Company, &i)
}

/// A party may read and write signalling once present: the company in the room, the
/// candidate let in.
fn present(party: Party, i: &Interview) -> Result<(), ApiError> {
    match party {
        Party::Company if !i.company_in => Err(ApiError::new(409, "not_in_room", "Entra prima nella stanza del colloquio.")),
        Party::Candidate if !i.admitted => Err(ApiError::new(409, "waiting_admission", "In attesa che l'azienda ti faccia entrare")),
        _ => Ok(()),
    }
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewSignal))]
pub struct SignalOut {
    id: i64,
    kind: String,
    /// What the sender posted (any JSON)
    payload: Value,
}

/// The other party's signalling messages and where the room stands.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewSignals))]
pub struct SignalsOut {
    items: Vec<SignalOut>,
    admitted: bool,
    company_in: bool,
    waiting: bool,
}

/// The id of the message written (0: a `bye` of a party already out of the room).
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewSignalWritten))]
pub struct SignalWritten {
    id: i64,
}

/// `GET …/room/signals?after=<id>`: the other party's messages after `after`, oldest first.
fn signals(req: &Req, db: &dyn Db, party: Party, id: i64) -> Result<Reply, ApiError> {
    let i = party_interview(req, db, party, id, false)?;
    present(party, &i)?;
    let q = req.query()?;
    let after = match q.get("after").map(str::trim).filter(|v| !v.is_empty()) {
        None => 0,
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| ApiError::bad_request("invalid_after", "Il parametro after è un numero intero non negativo."))?,
    };
    let rows = db.execute(
        "SELECT id, kind, payload FROM interview_signals WHERE interview_id = ?1 AND sender = ?2 AND id > ?3 ORDER BY id LIMIT ?4",
        params![id, party.other(), after, READ_BATCH],
    )?;
    let items = rows.map(|r| Ok(SignalOut { id: r.int("id")?, kind: r.text("kind")?, payload: serde_json::from_str(r.str("payload")?).unwrap_or(Value::Null) }))?;
    Reply::json(200, &SignalsOut { items, admitted: i.admitted, company_in: i.company_in, waiting: i.waiting })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewSignalRequest))]
pub struct SignalIn {
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^(hello|ready|offer|answer|candidate|bye)$"))]
    kind: Option<String>,
    /// Any JSON, at most 16 KB once serialised.
    payload: Option<Value>,
}

/// `POST …/room/signals` `{kind, payload}`: one message to the other party. One
/// conditional update decides (the window, the party's presence, the bound on messages);
/// `bye` also takes the party out of the room (the candidate back out of the lobby).
fn signal(req: &Req, db: &dyn Db, party: Party, id: i64) -> Result<Reply, ApiError> {
    let i = party_interview(req, db, party, id, true)?;
    let input: SignalIn = req.json()?;
    let kind = input.kind.as_deref().unwrap_or("").to_string();
    if !model::kind_allowed(&kind) {
        return Err(ApiError::invalid_field("kind", "invalid", "Il tipo di messaggio è hello, ready, offer, answer, candidate o bye."));
    }
    let payload = serde_json::to_string(&input.payload.unwrap_or(Value::Null)).map_err(ApiError::internal)?;
    if payload.len() > MAX_PAYLOAD {
        return Err(ApiError::invalid_field("payload", "too_long", format!("Il messaggio supera i {} KB consentiti.", MAX_PAYLOAD / 1024)));
    }
    let bye = kind == "bye";
    let (owner_col, owner, presence, leave) = match party {
        Party::Company => ("company_id", i.company_id, "company_in_at IS NOT NULL", "company_in_at = NULL,"),
        Party::Candidate if bye => ("person_id", i.person_id, "waiting_at IS NOT NULL", "waiting_at = NULL, admitted_at = NULL,"),
        Party::Candidate => ("person_id", i.person_id, "admitted_at IS NOT NULL", ""),
    };
    let leave = if bye { leave } else { "" };
    let now = req.now;
    let sid = tx(db, |db| {
        let sql = format!(
            "UPDATE interviews SET {leave} signals = signals + 1 WHERE id = ?1 AND {owner_col} = ?2 AND {IN_WINDOW} AND {presence} AND signals < ?4 RETURNING id"
        );
        if db.execute(&sql, params![id, owner, now, MAX_SIGNALS])?.is_empty() {
            let cur = model::load(db, id)?.ok_or_else(not_found)?;
            if let Some(e) = model::window_error(model::window(&cur.status, cur.start_at, cur.end_at, now), cur.start_at) {
                return Err(e);
            }
            if bye {
                return Ok(0);
            }
            present(party, &cur)?;
            return Err(ApiError::new(429, "too_many_signals", "La stanza ha raggiunto il numero massimo di messaggi: esci e rientra più tardi."));
        }
        db.execute("DELETE FROM interview_signals WHERE interview_id = ?1 AND created_at < ?2", params![id, now - SIGNAL_TTL_SECS])?;
        db.execute(
            "INSERT INTO interview_signals (interview_id, sender, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            params![id, party.as_str(), kind.as_str(), payload.as_str(), now],
        )?
        .scalar("id")
    })?;
    Reply::json(if sid > 0 { 201 } else { 200 }, &SignalWritten { id: sid })
}
