//! The interviews' plain rules (states, what each party may do when, the room's window)
//! and reading the tables into the API's types.

use common::sql::{Db, Row, Value};
use common::{ApiError, params};
use serde::Serialize;

/// The room opens this many seconds before the start ("Vai al colloquio").
pub const ROOM_EARLY_SECS: i64 = 15 * 60;
/// Shortest and longest interview (minutes).
pub const MIN_MINUTES: i64 = 15;
pub const MAX_MINUTES: i64 = 240;
/// How far ahead an interview may be set (days).
pub const MAX_DAYS_AHEAD: i64 = 365;

/// The stored states; CONCLUSO is computed ([`label`]).
pub const RICHIESTO: &str = "richiesto";
pub const CONFERMATO: &str = "confermato";
pub const RIFIUTATO: &str = "rifiutato";
pub const MODIFICA: &str = "modifica_richiesta";
pub const ANNULLATO: &str = "annullato";

/// Whether a stored state, at `now`, is concluded: confirmed and past its end.
pub fn concluded(status: &str, end_at: i64, now: i64) -> bool {
    status == CONFERMATO && end_at <= now
}

/// The state as the manual writes it (upper case), CONCLUSO included.
pub fn label(status: &str, end_at: i64, now: i64) -> &'static str {
    if concluded(status, end_at, now) {
        return "CONCLUSO";
    }
    match status {
        RICHIESTO => "RICHIESTO",
        CONFERMATO => "CONFERMATO",
        RIFIUTATO => "RIFIUTATO",
        MODIFICA => "MODIFICA RICHIESTA",
        ANNULLATO => "ANNULLATO",
        _ => "SCONOSCIUTO",
    }
}

/// Where the room stands at `now` for an interview in `status` from `start` to `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Not a confirmed interview.
    NotConfirmed,
    /// Confirmed, the room opens at `start - ROOM_EARLY_SECS`.
    NotYet,
    Open,
    Closed,
}

pub fn window(status: &str, start: i64, end: i64, now: i64) -> Window {
    if status != CONFERMATO {
        Window::NotConfirmed
    } else if now < start - ROOM_EARLY_SECS {
        Window::NotYet
    } else if now >= end {
        Window::Closed
    } else {
        Window::Open
    }
}

/// The refusal of the room outside its window (None when open).
pub fn window_error(w: Window, start: i64) -> Option<ApiError> {
    match w {
        Window::Open => None,
        Window::NotConfirmed => Some(ApiError::new(409, "room_not_available", "La stanza è disponibile solo per un colloquio confermato.")),
        Window::NotYet => Some(ApiError::new(
            409,
            "room_not_open",
            format!("La stanza del colloquio apre 15 minuti prima dell'inizio, alle {}.", common::rome::local_label(start - ROOM_EARLY_SECS)),
        )),
        Window::Closed => Some(ApiError::new(409, "room_closed", "Il colloquio è terminato: la stanza è chiusa.")),
    }
}

/// What the candidate may do with an interview at `now`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewCandidateActions))]
pub struct CandidateActions {
    pub accept: bool,
    pub refuse: bool,
    pub change: bool,
    /// "Vai al colloquio"
    pub room: bool,
}

pub fn candidate_actions(status: &str, start: i64, end: i64, now: i64) -> CandidateActions {
    let open = status == RICHIESTO && start > now;
    CandidateActions { accept: open, refuse: open, change: open, room: window(status, start, end, now) == Window::Open }
}

/// What the company may do with an interview at `now`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterviewCompanyActions))]
pub struct CompanyActions {
    /// a new date, after the candidate's "Richiedi modifica"
    pub reschedule: bool,
    pub cancel: bool,
    pub room: bool,
}

pub fn company_actions(status: &str, start: i64, end: i64, now: i64) -> CompanyActions {
    CompanyActions {
        reschedule: status == MODIFICA,
        cancel: matches!(status, RICHIESTO | CONFERMATO | MODIFICA) && end > now,
        room: window(status, start, end, now) == Window::Open,
    }
}

/// Why a transition that matched no row was refused: the Italian 409 for the state it
/// found (`status` at `now`).
pub fn refused(action: &str, status: &str, start: i64, end: i64, now: i64) -> ApiError {
    let state = label(status, end, now);
    let message = match (action, status) {
        ("accept" | "refuse" | "change", RICHIESTO) if start <= now => "Il colloquio è già iniziato: non puoi più rispondere all'invito.".to_string(),
        ("reschedule", _) => format!("Puoi proporre una nuova data solo quando il candidato ha chiesto una modifica (stato attuale: {state})."),
        ("cancel", _) if matches!(status, RICHIESTO | CONFERMATO | MODIFICA) => "Il colloquio è già terminato: non si può più annullare.".to_string(),
        ("cancel", _) => format!("Il colloquio non si può annullare (stato attuale: {state})."),
        _ => format!("Puoi rispondere solo a un invito nello stato RICHIESTO (stato attuale: {state})."),
    };
    ApiError::new(409, "state_not_allowed", message)
}

/// The default description of an invitation (the manual's words).
pub fn default_description(offer_code: &str, company: &str) -> String {
    format!("Colloquio a seguito di candidatura sull'offerta {offer_code} richiesto da {company}")
}

// ---------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------

/// An interview as stored, with its offer, company and candidate.
#[derive(Debug, Clone)]
pub struct Interview {
    pub id: i64,
    pub application_id: i64,
    pub offer_code: String,
    pub occupation: String,
    pub company_id: i64,
    pub company: String,
    pub person_id: i64,
    pub candidate: String,
    pub start_at: i64,
    pub end_at: i64,
    pub description: String,
    pub status: String,
    pub change_note: Option<String>,
    pub sequence: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub company_in: bool,
    pub waiting: bool,
    pub admitted: bool,
}

pub const SELECT: &str = "SELECT i.id, i.application_id, o.code AS offer_code, o.occupation, i.company_id, c.name AS company,
        i.person_id, p.name AS p_name, p.family_name AS p_family, i.start_at, i.end_at, i.description, i.status,
        i.change_note, i.sequence, i.created_by, i.created_at, i.company_in_at, i.waiting_at, i.admitted_at
   FROM interviews i JOIN offers o ON o.id = i.offer_id JOIN companies c ON c.id = i.company_id JOIN people p ON p.id = i.person_id";

fn of(r: &Row) -> Result<Interview, ApiError> {
    Ok(Interview {
        id: r.int("id")?,
        application_id: r.int("application_id")?,
        offer_code: r.text("offer_code")?,
        occupation: r.text("occupation")?,
        company_id: r.int("company_id")?,
        company: r.text("company")?,
        person_id: r.int("person_id")?,
        candidate: format!("{} {}", r.text("p_name")?, r.text("p_family")?),
        start_at: r.int("start_at")?,
        end_at: r.int("end_at")?,
        description: r.text("description")?,
        status: r.text("status")?,
        change_note: r.opt_text("change_note"),
        sequence: r.int("sequence")?,
        created_by: r.int("created_by")?,
        created_at: r.int("created_at")?,
        company_in: r.opt_int("company_in_at").is_some(),
        waiting: r.opt_int("waiting_at").is_some(),
        admitted: r.opt_int("admitted_at").is_some(),
    })
}

pub fn load(db: &dyn Db, id: i64) -> Result<Option<Interview>, ApiError> {
    db.execute(&format!("{SELECT} WHERE i.id = ?1"), params![id])?.first().map(|r| of(&r)).transpose()
}

/// A page of interviews matching `filter` (over `i`), newest start first, and the total.
pub fn page(db: &dyn Db, filter: &str, args: &[Value], limit: i64, offset: i64) -> Result<(i64, Vec<Interview>), ApiError> {
    let total = db.execute(&format!("SELECT count(*) AS n FROM interviews i WHERE {filter}"), args)?.scalar("n")?;
    let n = args.len();
    let mut all = args.to_vec();
    all.push(limit.into());
    all.push(offset.into());
    let rows = db.execute(&format!("{SELECT} WHERE {filter} ORDER BY i.start_at DESC, i.id DESC LIMIT ?{} OFFSET ?{}", n + 1, n + 2), &all)?;
    Ok((total, rows.map(|r| of(&r))?))
}

/// The candidate's view of an interview ("Elenco Colloqui").
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Interview))]
pub struct ForCandidate {
    pub id: i64,
    /// Data Richiesta (dd/mm/yyyy)
    pub requested_on: String,
    /// Data/Ora Inizio Colloquio (dd/mm/yyyy HH:MM)
    pub start_local: String,
    pub start: String,
    pub end: String,
    pub minutes: i64,
    pub status: String,
    pub status_label: &'static str,
    pub description: String,
    pub company: String,
    pub offer: String,
    pub change_note: Option<String>,
    pub actions: CandidateActions,
    /// when "Vai al colloquio" appears
    pub room_opens_local: String,
}

/// The company's view of an interview.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CompanyInterview))]
pub struct ForCompany {
    pub id: i64,
    pub application: i64,
    pub candidate: String,
    pub offer: String,
    pub occupation: String,
    pub requested_on: String,
    pub start_local: String,
    pub start: String,
    pub end: String,
    pub minutes: i64,
    pub status: String,
    pub status_label: &'static str,
    pub description: String,
    pub change_note: Option<String>,
    pub actions: CompanyActions,
    pub room_opens_local: String,
}

impl Interview {
    pub fn minutes(&self) -> i64 {
        (self.end_at - self.start_at) / 60
    }

    pub fn for_candidate(&self, now: i64) -> ForCandidate {
        ForCandidate {
            id: self.id,
            requested_on: common::rome::italian_day(self.created_at),
            start_local: common::rome::local_label(self.start_at),
            start: common::rome::iso_utc(self.start_at),
            end: common::rome::iso_utc(self.end_at),
            minutes: self.minutes(),
            status: self.status.clone(),
            status_label: label(&self.status, self.end_at, now),
            description: self.description.clone(),
            company: self.company.clone(),
            offer: self.offer_code.clone(),
            change_note: self.change_note.clone(),
            actions: candidate_actions(&self.status, self.start_at, self.end_at, now),
            room_opens_local: common::rome::local_label(self.start_at - ROOM_EARLY_SECS),
        }
    }

    pub fn for_company(&self, now: i64) -> ForCompany {
        ForCompany {
            id: self.id,
            application: self.application_id,
            candidate: self.candidate.clone(),
            offer: self.offer_code.clone(),
            occupation: self.occupation.clone(),
            requested_on: common::rome::italian_day(self.created_at),
            start_local: common::rome::local_label(self.start_at),
            start: common::rome::iso_utc(self.start_at),
            end: common::rome::iso_utc(self.end_at),
            minutes: self.minutes(),
            status: self.status.clone(),
            status_label: label(&self.status, self.end_at, now),
            description: self.description.clone(),
            change_note: self.change_note.clone(),
            actions: company_actions(&self.status, self.start_at, self.end_at, now),
            room_opens_local: common::rome::local_label(self.start_at - ROOM_EARLY_SECS),
        }
    }
}

/// A person's name and e-mail address (the account's, else the IdP's).
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
}

pub fn contact(db: &dyn Db, person_id: i64) -> Result<Contact, ApiError> {
    let rows = db.execute(
        "SELECT p.name, p.family_name, coalesce(a.email, p.email) AS email FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?1",
        params![person_id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("person {person_id} vanished")))?;
    Ok(Contact { name: format!("{} {}", r.text("name")?, r.text("family_name")?), email: r.opt_text("email").filter(|e| !e.trim().is_empty()) })
}

/// The signalling kinds each party may send.
pub fn kind_allowed(kind: &str) -> bool {
    matches!(kind, "hello" | "ready" | "offer" | "answer" | "candidate" | "bye")
}

#[cfg(test)]
mod rules {
    use super::*;

    const S: i64 = 1_800_000_000;
    const E: i64 = S + 1800;

    #[test]
    fn concluded_is_a_confirmed_interview_past_its_end() {
        assert_eq!(label(CONFERMATO, E, E - 1), "CONFERMATO");
        assert_eq!(label(CONFERMATO, E, E), "CONCLUSO");
        assert_eq!(label(RICHIESTO, E, E + 10), "RICHIESTO");
        assert_eq!(label(MODIFICA, E, 0), "MODIFICA RICHIESTA");
        assert_eq!(label(ANNULLATO, E, E + 10), "ANNULLATO");
    }

    #[test]
    fn the_room_opens_fifteen_minutes_before_and_closes_at_the_end() {
        assert_eq!(window(CONFERMATO, S, E, S - 15 * 60 - 1), Window::NotYet);
        assert_eq!(window(CONFERMATO, S, E, S - 15 * 60), Window::Open);
        assert_eq!(window(CONFERMATO, S, E, E - 1), Window::Open);
        assert_eq!(window(CONFERMATO, S, E, E), Window::Closed);
        assert_eq!(window(RICHIESTO, S, E, S), Window::NotConfirmed);
        assert!(window_error(Window::Open, S).is_none());
        let e = window_error(Window::NotYet, S).unwrap();
        assert_eq!((e.status, e.code), (409, "room_not_open"));
        assert!(e.message.contains("15 minuti prima"), "{}", e.message);
        assert_eq!(window_error(Window::Closed, S).unwrap().code, "room_closed");
        assert!(candidate_actions(CONFERMATO, S, E, S - 900).room);
        assert!(!candidate_actions(CONFERMATO, S, E, S - 901).room);
        assert!(company_actions(CONFERMATO, S, E, E - 1).room && !company_actions(CONFERMATO, S, E, E).room);
    }

    #[test]
    fn each_party_acts_only_in_the_states_the_manual_gives() {
        let a = candidate_actions(RICHIESTO, S, E, S - 1);
        assert!(a.accept && a.refuse && a.change && !a.room);
        for s in [CONFERMATO, RIFIUTATO, MODIFICA, ANNULLATO] {
            let a = candidate_actions(s, S, E, S - 3600);
            assert!(!a.accept && !a.refuse && !a.change, "{s}");
        }
        assert!(!candidate_actions(RICHIESTO, S, E, S).accept, "not once it started");
        assert!(company_actions(MODIFICA, S, E, 0).reschedule);
        assert!(!company_actions(RICHIESTO, S, E, 0).reschedule);
        for s in [RICHIESTO, CONFERMATO, MODIFICA] {
            assert!(company_actions(s, S, E, S).cancel, "{s}");
            assert!(!company_actions(s, S, E, E).cancel, "{s} past its end");
        }
        assert!(!company_actions(RIFIUTATO, S, E, 0).cancel && !company_actions(ANNULLATO, S, E, 0).cancel);
    }

    #[test]
    fn refusals_are_italian_409s_that_name_the_state() {
        let e = refused("accept", ANNULLATO, S, E, 0);
        assert_eq!((e.status, e.code), (409, "state_not_allowed"));
        assert!(e.message.contains("ANNULLATO"), "{}", e.message);
        assert!(refused("accept", RICHIESTO, S, E, S).message.contains("già iniziato"));
        assert!(refused("reschedule", CONFERMATO, S, E, 0).message.contains("CONFERMATO"));
        assert!(refused("cancel", CONFERMATO, S, E, E + 1).message.contains("terminato"));
        assert_eq!(default_description("GR-9150", "GPI S.P.A."), "Colloquio a seguito di candidatura sull'offerta GR-9150 richiesto da GPI S.P.A.");
    }
}
