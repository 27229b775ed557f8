//! The table of operations: one row per `/api/...` and `/jobs/...` endpoint of
//! `tests/support/routes.rs` (the development-only `/api/dev/...` aside). Paths use the
//! same placeholders as that table; a placeholder that the table puts in the query
//! (`?person={person}`) is a query parameter here. `tests/openapi.rs` fails when the two
//! disagree.

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone, without a session.
    Public,
    /// Any signed-in person (SPID, CIE, CNS).
    Session,
    /// A signed-in citizen (the person's own data).
    Citizen,
    /// A signed-in person acting for a company (`POST /api/session/act-as`).
    Company,
    /// A CPI operator (staff role).
    Operator,
    /// A regional administrator (staff role).
    Admin,
    /// The scheduler, with `Authorization: Bearer <jobs_secret>`.
    Job,
}

/// What a successful answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    /// 200 JSON; the schema's name when the document has one.
    Json(Option<&'static str>),
    /// 201 JSON.
    Created,
    /// 200 PDF.
    Pdf,
    /// 200 iCalendar.
    Ics,
    /// 200 ZIP.
    Zip,
    /// 200 a CV file (PDF, DOC, DOCX, ODT, RTF or TXT).
    File,
    /// 200 an HTML page (links from e-mails).
    Html,
}

/// How the request carries its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    None,
    Json,
    Form,
    /// Raw file bytes (a CV, a signed PDF).
    File,
}

#[derive(Debug, Clone, Copy)]
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    /// Query parameters, comma separated; `!` after a name: required.
    pub query: &'static str,
    pub tag: &'static str,
    pub who: Who,
    pub body: In,
    pub ok: Out,
    /// Italian, one line.
    pub summary: &'static str,
}

const fn op(method: &'static str, path: &'static str, query: &'static str, tag: &'static str, who: Who, body: In, ok: Out, summary: &'static str) -> Op {
    Op { method, path, query, tag, who, body, ok, summary }
}

use In::{File as F, Form as Fm, Json as J, None as N};
use self::Out::{Created as C, File as Bytes, Html, Ics, Json as Js, Pdf, Zip};
use Who::*;

const J0: Out = Js(None);

pub const OPS: &[Op] = &[
    // this document
    op("GET", "/api/openapi.json", "", "documentazione", Public, N, J0, "Questo documento OpenAPI"),
    // news
    op("GET", "/api/news", "page,page_size", "notizie", Public, N, J0, "Elenco di notizie e avvisi pubblicati"),
    op("GET", "/api/news/{news}", "", "notizie", Public, N, J0, "Una notizia"),
    // public offers (open data)
    op("GET", "/api/offers", "q,offer_type,contract_type,region,province,comune,area,cpi,code,page,page_size,sort", "offerte", Public, N, Js(Some("OfferPage")), "Ricerca delle offerte di lavoro aperte"),
    op("GET", "/api/offers/{offer}", "", "offerte", Public, N, Js(Some("OfferDetail")), "Dettaglio di un'offerta (anche scaduta)"),
    op("GET", "/api/ref/provinces", "region", "offerte", Public, N, Js(Some("RefItems")), "Elenco delle province (filtri della ricerca)"),
    // session and SSO
    op("GET", "/api/session", "", "accesso", Public, N, J0, "Chi ha effettuato l'accesso e il token CSRF"),
    op("POST", "/jobs/cleanup", "", "job", Job, J, J0, "Pulizia di sessioni e codici scaduti"),
    op("POST", "/jobs/notifications/deliver", "", "job", Job, J, J0, "Invio di e-mail e SMS in coda"),
    // registration and profile
    op("GET", "/api/registration", "", "registrazione", Session, N, J0, "Stato della registrazione e dati dell'identità"),
    op("POST", "/api/registration", "", "registrazione", Session, J, C, "Registrazione al portale"),
    op("POST", "/api/registration/otp", "", "registrazione", Session, J, J0, "Invio del codice di verifica del cellulare"),
    op("POST", "/api/registration/otp/verify", "", "registrazione", Session, J, J0, "Verifica del codice del cellulare"),
    op("POST", "/api/registration/activation/resend", "", "registrazione", Session, J, J0, "Nuovo invio dell'e-mail di attivazione"),
    op("GET", "/api/registration/activate", "token", "registrazione", Public, N, Html, "Pagina di attivazione dell'account (link dell'e-mail)"),
    op("POST", "/api/registration/activate", "", "registrazione", Public, Fm, Html, "Attivazione dell'account"),
    op("GET", "/api/profile", "", "profilo", Session, N, J0, "Il profilo della persona"),
    op("PUT", "/api/profile", "", "profilo", Session, J, J0, "Modifica del profilo"),
    op("POST", "/api/profile/otp", "", "profilo", Session, J, J0, "Codice di verifica del nuovo cellulare"),
    op("POST", "/api/profile/otp/verify", "", "profilo", Session, J, J0, "Verifica del nuovo cellulare"),
    op("GET", "/api/profile/companies", "", "profilo", Session, N, J0, "Incarichi per conto di aziende"),
    op("POST", "/api/profile/companies", "", "profilo", Session, J, C, "Nuovo incarico per un'azienda"),
    op("DELETE", "/api/profile/companies/{incarico}", "", "profilo", Session, N, J0, "Revoca di un incarico"),
    op("POST", "/api/profile/agencies", "", "profilo", Session, J, C, "Registrazione di un'agenzia per il lavoro"),
    op("POST", "/api/profile/professional", "", "profilo", Session, J, C, "Registrazione di un consulente del lavoro"),
    op("GET", "/api/companies/lookup", "code!", "profilo", Session, N, J0, "Ricerca di un'azienda per codice fiscale o partita IVA"),
    op("GET", "/api/session/act-as", "", "accesso", Session, N, J0, "Per conto di chi si sta operando"),
    op("POST", "/api/session/act-as", "", "accesso", Session, J, J0, "Operare per conto di un'azienda (o come persona)"),
    // CVs
    op("GET", "/api/cv", "", "cv", Citizen, N, J0, "I CV della persona"),
    op("POST", "/api/cv", "", "cv", Citizen, F, C, "Caricamento di un CV"),
    op("GET", "/api/cv/form", "", "cv", Citizen, N, J0, "Dati per il modulo del CV"),
    op("GET", "/api/cv/{cv}", "", "cv", Citizen, N, J0, "Un CV"),
    op("PUT", "/api/cv/{cv}", "", "cv", Citizen, F, J0, "Sostituzione del file di un CV"),
    op("DELETE", "/api/cv/{cv}", "", "cv", Citizen, N, J0, "Eliminazione di un CV"),
    op("GET", "/api/cv/{cv}/file", "", "cv", Citizen, N, Bytes, "Il file di un CV"),
    op("GET", "/api/cv/{cv}/history", "", "cv", Citizen, N, J0, "Chi ha visto il CV"),
    op("GET", "/api/cv-search", "q,province,page", "cv", Company, N, J0, "Ricerca di CV pubblici (aziende)"),
    op("GET", "/api/cv-requests", "page", "cv", Company, N, J0, "Richieste di visione di CV"),
    op("POST", "/api/cv-requests", "", "cv", Company, J, C, "Richiesta di visione di un CV"),
    op("GET", "/api/cv-requests/decision", "token", "cv", Public, N, Html, "Pagina di decisione su una richiesta (link dell'e-mail)"),
    op("POST", "/api/cv-requests/decision", "", "cv", Public, Fm, Html, "Decisione su una richiesta di visione"),
    op("POST", "/jobs/cv/retention", "", "job", Job, J, J0, "Conservazione dei CV: cancellazione di quelli scaduti"),
    op("GET", "/api/operator/cv", "person!", "operatore", Operator, N, J0, "I CV di una persona del CPI"),
    op("POST", "/api/operator/cv", "person!", "operatore", Operator, F, C, "Caricamento di un CV per una persona"),
    op("GET", "/api/operator/cv/{cv}/file", "", "operatore", Operator, N, Bytes, "Il file di un CV (operatore)"),
    // back office
    op("GET", "/api/staff/me", "", "operatore", Session, N, J0, "Ruoli del personale della persona"),
    op("POST", "/api/staff/cpi", "", "operatore", Operator, J, J0, "Scelta del CPI su cui operare"),
    op("GET", "/api/admin/roles", "", "amministrazione", Admin, N, J0, "Ruoli del personale"),
    op("POST", "/api/admin/roles", "", "amministrazione", Admin, J, C, "Assegnazione di un ruolo"),
    op("DELETE", "/api/admin/roles/{role}", "", "amministrazione", Admin, N, J0, "Revoca di un ruolo"),
    op("GET", "/api/admin/audit", "page", "amministrazione", Admin, N, J0, "Registro delle operazioni"),
    op("GET", "/api/operator/offers", "page,status", "operatore", Operator, N, J0, "Offerte del CPI"),
    op("POST", "/api/operator/offers", "", "operatore", Operator, J, C, "Pubblicazione di un'offerta"),
    op("GET", "/api/operator/offers/{offer}", "", "operatore", Operator, N, J0, "Un'offerta del CPI"),
    op("PUT", "/api/operator/offers/{offer}", "", "operatore", Operator, J, J0, "Modifica di un'offerta"),
    op("POST", "/api/operator/offers/{offer}/close", "", "operatore", Operator, J, J0, "Chiusura di un'offerta"),
    op("GET", "/api/operator/drafts", "page", "operatore", Operator, N, J0, "Bozze di offerta"),
    op("POST", "/api/operator/drafts", "", "operatore", Operator, J, C, "Nuova bozza di offerta"),
    op("GET", "/api/operator/drafts/{draft}", "", "operatore", Operator, N, J0, "Una bozza"),
    op("PUT", "/api/operator/drafts/{draft}", "", "operatore", Operator, J, J0, "Modifica di una bozza"),
    op("DELETE", "/api/operator/drafts/{draft}", "", "operatore", Operator, N, J0, "Eliminazione di una bozza"),
    op("POST", "/api/operator/drafts/{draft}/publish", "", "operatore", Operator, J, C, "Pubblicazione di una bozza"),
    op("GET", "/api/operator/companies", "q!", "operatore", Operator, N, J0, "Ricerca di aziende"),
    // applications
    op("GET", "/api/applications/form", "offer!", "candidature", Citizen, N, J0, "Dati per candidarsi a un'offerta"),
    op("POST", "/api/applications", "", "candidature", Citizen, J, C, "Candidatura a un'offerta"),
    op("GET", "/api/applications", "from,to,status,history,page", "candidature", Citizen, N, J0, "Elenco delle candidature"),
    op("GET", "/api/applications/{application}", "", "candidature", Citizen, N, J0, "Una candidatura"),
    op("GET", "/api/applications/{application}/cv", "", "candidature", Citizen, N, Bytes, "Il CV inviato con la candidatura"),
    op("POST", "/api/applications/{application}/withdraw", "", "candidature", Citizen, J, J0, "Ritiro di una candidatura"),
    op("GET", "/api/operator/applications", "offer,status,from,to,page", "operatore", Operator, N, J0, "Candidature alle offerte del CPI"),
    op("GET", "/api/operator/applications/{application}", "", "operatore", Operator, N, J0, "Una candidatura (operatore)"),
    op("GET", "/api/operator/applications/{application}/cv", "", "operatore", Operator, N, Bytes, "Il CV di una candidatura (operatore)"),
    op("POST", "/api/operator/applications/{application}/status", "", "operatore", Operator, J, J0, "Esito di una candidatura"),
    op("GET", "/api/company/offers", "page", "azienda", Company, N, J0, "Offerte dell'azienda"),
    op("GET", "/api/company/applications", "offer,page", "azienda", Company, N, J0, "Candidature inviate all'azienda"),
    op("GET", "/api/company/applications/{application}/cv", "", "azienda", Company, N, Bytes, "Il CV di un candidato"),
    // appointments
    op("GET", "/api/appointments/kinds", "", "appuntamenti", Public, N, J0, "Tipi di appuntamento"),
    op("GET", "/api/appointments/availability", "cpi!,kind!,from,to", "appuntamenti", Session, N, J0, "Disponibilità di un CPI"),
    op("POST", "/api/appointments", "", "appuntamenti", Citizen, J, C, "Prenotazione di un appuntamento"),
    op("GET", "/api/appointments", "", "appuntamenti", Citizen, N, J0, "Appuntamenti della persona"),
    op("GET", "/api/appointments/{appointment}", "", "appuntamenti", Citizen, N, J0, "Un appuntamento"),
    op("GET", "/api/appointments/{appointment}/receipt", "", "appuntamenti", Citizen, N, Pdf, "Ricevuta di un appuntamento"),
    op("GET", "/api/appointments/{appointment}/calendar", "", "appuntamenti", Citizen, N, Ics, "Un appuntamento per il calendario"),
    op("POST", "/api/appointments/{appointment}/cancel", "", "appuntamenti", Citizen, J, J0, "Disdetta di un appuntamento"),
    op("GET", "/api/appointments/messages", "", "appuntamenti", Citizen, N, J0, "Messaggi al CPI"),
    op("POST", "/api/appointments/messages", "", "appuntamenti", Citizen, J, C, "Nuovo messaggio al CPI"),
    op("GET", "/api/operator/desks", "", "operatore", Operator, N, J0, "Sportelli del CPI"),
    op("POST", "/api/operator/desks", "", "operatore", Operator, J, C, "Nuovo sportello"),
    op("POST", "/api/operator/desks/{desk}", "", "operatore", Operator, J, J0, "Modifica di uno sportello"),
    op("POST", "/api/operator/desks/{desk}/hours", "", "operatore", Operator, J, C, "Nuova fascia oraria"),
    op("POST", "/api/operator/desks/{desk}/hours/{hours}/delete", "", "operatore", Operator, J, J0, "Eliminazione di una fascia oraria"),
    op("POST", "/api/operator/desks/{desk}/exceptions", "", "operatore", Operator, J, C, "Nuova chiusura o apertura straordinaria"),
    op("POST", "/api/operator/desks/{desk}/exceptions/{exception}/delete", "", "operatore", Operator, J, J0, "Eliminazione di un'eccezione"),
    op("GET", "/api/operator/appointments", "date,desk,page", "operatore", Operator, N, J0, "Appuntamenti del CPI"),
    op("POST", "/api/operator/appointments/{appointment}/cancel", "", "operatore", Operator, J, J0, "Disdetta di un appuntamento (operatore)"),
    op("GET", "/api/operator/appointments/messages", "", "operatore", Operator, N, J0, "Messaggi dei cittadini"),
    op("POST", "/api/operator/appointments/messages/{message}/answer", "", "operatore", Operator, J, J0, "Risposta a un messaggio"),
    op("GET", "/api/operator/appointments/feed", "", "operatore", Operator, N, J0, "Feed iCalendar dell'operatore"),
    op("POST", "/api/operator/appointments/feed", "", "operatore", Operator, J, C, "Nuovo feed iCalendar"),
    op("POST", "/api/operator/appointments/feed/revoke", "", "operatore", Operator, J, J0, "Revoca del feed iCalendar"),
    op("POST", "/jobs/appointments/remind", "", "job", Job, J, J0, "Promemoria degli appuntamenti"),
    // interviews
    op("GET", "/api/interviews", "from,to,page,page_size", "colloqui", Citizen, N, J0, "Colloqui della persona"),
    op("GET", "/api/interviews/{interview}", "", "colloqui", Citizen, N, J0, "Un colloquio"),
    op("GET", "/api/interviews/{interview}/calendar", "", "colloqui", Citizen, N, Ics, "Un colloquio per il calendario"),
    op("POST", "/api/interviews/{interview}/accept", "", "colloqui", Citizen, J, J0, "Accettazione di un colloquio"),
    op("POST", "/api/interviews/{interview}/refuse", "", "colloqui", Citizen, J, J0, "Rifiuto di un colloquio"),
    op("POST", "/api/interviews/{interview}/change", "", "colloqui", Citizen, J, J0, "Richiesta di cambio data"),
    op("GET", "/api/interviews/{interview}/room", "", "colloqui", Citizen, N, J0, "Stanza del colloquio online"),
    op("POST", "/api/interviews/{interview}/room", "", "colloqui", Citizen, J, J0, "Ingresso nella stanza"),
    op("GET", "/api/interviews/{interview}/room/signals", "after", "colloqui", Citizen, N, J0, "Segnali WebRTC ricevuti"),
    op("POST", "/api/interviews/{interview}/room/signals", "", "colloqui", Citizen, J, J0, "Invio di un segnale WebRTC"),
    op("GET", "/api/company/interviews", "offer,page,page_size", "azienda", Company, N, J0, "Colloqui dell'azienda"),
    op("POST", "/api/company/interviews", "", "azienda", Company, J, C, "Invito a un colloquio"),
    op("GET", "/api/company/interviews/{interview}", "", "azienda", Company, N, J0, "Un colloquio (azienda)"),
    op("GET", "/api/company/interviews/{interview}/calendar", "", "azienda", Company, N, Ics, "Un colloquio per il calendario (azienda)"),
    op("POST", "/api/company/interviews/{interview}/reschedule", "", "azienda", Company, J, J0, "Nuova data del colloquio"),
    op("POST", "/api/company/interviews/{interview}/cancel", "", "azienda", Company, J, J0, "Annullamento del colloquio"),
    op("GET", "/api/company/interviews/{interview}/room", "", "azienda", Company, N, J0, "Stanza del colloquio (azienda)"),
    op("POST", "/api/company/interviews/{interview}/room", "", "azienda", Company, J, J0, "Apertura della stanza"),
    op("POST", "/api/company/interviews/{interview}/room/admit", "", "azienda", Company, J, J0, "Ammissione del candidato"),
    op("GET", "/api/company/interviews/{interview}/room/signals", "after", "azienda", Company, N, J0, "Segnali WebRTC ricevuti (azienda)"),
    op("POST", "/api/company/interviews/{interview}/room/signals", "", "azienda", Company, J, J0, "Invio di un segnale WebRTC (azienda)"),
    // records
    op("GET", "/api/records/activities", "page,page_size", "fascicolo", Citizen, N, J0, "Attività e servizi ricevuti"),
    op("GET", "/api/records/gg", "page,page_size", "fascicolo", Citizen, N, J0, "Garanzia Giovani"),
    op("GET", "/api/records/courses", "page,page_size", "fascicolo", Citizen, N, J0, "Corsi del catalogo regionale"),
    op("GET", "/api/records/sap", "", "fascicolo", Citizen, N, J0, "Scheda anagrafica professionale"),
    op("GET", "/api/records/sap/pdf", "", "fascicolo", Citizen, N, Pdf, "Scheda anagrafica professionale (PDF)"),
    op("GET", "/api/records/libretto", "", "fascicolo", Citizen, N, J0, "Libretto formativo"),
    op("GET", "/api/records/libretto/pdf", "", "fascicolo", Citizen, N, Pdf, "Libretto formativo (PDF)"),
    op("GET", "/api/records/export", "", "fascicolo", Citizen, N, Zip, "Esportazione dei dati personali"),
    op("GET", "/api/operator/records", "person!", "operatore", Operator, N, J0, "Fascicolo di una persona"),
    op("GET", "/api/operator/records/reference", "", "operatore", Operator, N, J0, "Liste di riferimento del fascicolo"),
    op("GET", "/api/operator/records/sap", "person!", "operatore", Operator, N, Pdf, "Scheda anagrafica di una persona"),
    op("GET", "/api/operator/records/libretto", "person!", "operatore", Operator, N, Pdf, "Libretto formativo di una persona"),
    op("POST", "/api/operator/records/admin", "person!", "operatore", Operator, J, J0, "Dati amministrativi di una persona"),
    op("POST", "/api/operator/records/experiences", "person!", "operatore", Operator, J, C, "Nuova esperienza di lavoro"),
    op("POST", "/api/operator/records/experiences/{record}", "person!", "operatore", Operator, J, J0, "Modifica di un'esperienza"),
    op("POST", "/api/operator/records/experiences/{record}/delete", "person!", "operatore", Operator, J, J0, "Eliminazione di un'esperienza"),
    op("GET", "/api/operator/courses", "page,page_size", "operatore", Operator, N, J0, "Corsi del catalogo"),
    op("POST", "/api/operator/courses", "", "operatore", Operator, J, C, "Nuovo corso"),
    op("POST", "/api/operator/courses/{course}", "", "operatore", Operator, J, J0, "Modifica di un corso"),
    // documents
    op("GET", "/api/documents", "cpi", "documenti", Citizen, N, J0, "Documenti da firmare"),
    op("GET", "/api/documents/{document}/pdf", "", "documenti", Citizen, N, Pdf, "Un documento (PDF)"),
    op("POST", "/api/documents/{document}/take", "", "documenti", Citizen, J, J0, "Presa visione di un documento"),
    op("POST", "/api/documents/{document}/sign/code", "", "documenti", Citizen, J, J0, "Invio del codice di firma"),
    op("POST", "/api/documents/{document}/sign", "", "documenti", Citizen, J, J0, "Firma di un documento"),
    op("GET", "/api/operator/documents", "state,fiscal_code", "operatore", Operator, N, J0, "Documenti del CPI"),
    op("POST", "/api/operator/documents", "", "operatore", Operator, J, C, "Nuovo documento da firmare"),
    op("GET", "/api/operator/documents/{document}/pdf", "", "operatore", Operator, N, Pdf, "Un documento (PDF, operatore)"),
    op("POST", "/api/operator/documents/{document}/countersign", "", "operatore", Operator, J, J0, "Controfirma di un documento"),
    op("POST", "/api/operator/documents/{document}/cancel", "", "operatore", Operator, J, J0, "Annullamento di un documento"),
    op("GET", "/api/verify", "code!", "documenti", Public, N, J0, "Verifica di un documento firmato dal codice"),
    op("POST", "/api/verify", "", "documenti", Public, F, J0, "Verifica di un PDF firmato"),
    // B2 C7: the portal's side of the OpenID Connect provider (oidc)
    op("GET", "/api/oidc/partners", "", "accesso", Public, N, J0, "Siti partner che accettano l'accesso con il portale"),
    op("POST", "/api/oidc/handoff", "", "accesso", Session, J, J0, "Passaggio a un sito partner (indirizzo di accesso firmato)"),
    op("GET", "/api/oidc/consents", "", "accesso", Session, N, J0, "Siti collegati a cui la persona ha dato il consenso"),
    op("DELETE", "/api/oidc/consents/{client}", "", "accesso", Session, N, J0, "Revoca del consenso a un sito partner"),
    op("POST", "/jobs/oidc/logout", "", "job", Job, J, J0, "Logout back-channel verso i siti partner"),
    // X1 saved searches and alerts (alerts)
    op("GET", "/api/saved-searches", "", "ricerche salvate", Session, N, J0, "Le mie ricerche salvate"),
    op("POST", "/api/saved-searches", "", "ricerche salvate", Session, J, C, "Salvataggio di una ricerca di offerte con gli avvisi e-mail"),
    op("GET", "/api/saved-searches/{saved_search}", "", "ricerche salvate", Session, N, J0, "Una ricerca salvata"),
    op("PATCH", "/api/saved-searches/{saved_search}", "", "ricerche salvate", Session, J, J0, "Nome o frequenza degli avvisi di una ricerca"),
    op("DELETE", "/api/saved-searches/{saved_search}", "", "ricerche salvate", Session, J, J0, "Eliminazione di una ricerca salvata"),
    op("POST", "/jobs/alerts", "limit", "job", Job, J, J0, "Invio degli avvisi delle ricerche salvate"),
];
