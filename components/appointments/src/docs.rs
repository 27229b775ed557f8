//! What a booking becomes outside the API: the PDF receipt ("Scarica il documento") and
//! the calendar events (the citizen's `.ics`, the operators' feed).

use common::ApiError;

use crate::model::{Appointment, OperatorAppointment, PersonRef};

/// How an appointment at a CPI desk takes place (receipt, e-mails, summary).
pub const HOW: &str = "Il colloquio si svolge in presenza allo sportello indicato. Presentati almeno 10 minuti prima dell'orario con un documento di identità valido e la tessera sanitaria (codice fiscale); se hai un curriculum aggiornato, portalo con te. Se non puoi venire, annulla la prenotazione dal portale o avvisa lo sportello ai recapiti indicati.";

/// The PDF receipt of a booking, as it is now (a cancelled one says so).
pub fn receipt(a: &Appointment, person: &PersonRef, now: i64, cancel_hours: i64) -> Result<Vec<u8>, ApiError> {
    use pdfdoc::{Block, Document};
    let mut fields = vec![
        ("Codice prenotazione".to_string(), format!("{}", a.id)),
        ("Cittadino".to_string(), person.name.clone()),
        ("Codice fiscale".to_string(), person.fiscal_code.clone()),
        ("Tipo evento".to_string(), a.kind.name.clone()),
        ("Centro per l'impiego".to_string(), format!("CPI di {}", a.cpi.name)),
        ("Sportello".to_string(), a.desk.name.clone()),
        ("Indirizzo".to_string(), a.desk.address.clone()),
        ("Data e ora".to_string(), a.start_local.clone()),
        ("Durata".to_string(), format!("{} minuti", a.minutes)),
        ("Recapiti dello sportello".to_string(), format!("{} - {}", a.desk.email, a.desk.phone)),
        ("Prenotato il".to_string(), a.booked_at_local.clone()),
        ("Stato".to_string(), a.status_label.to_string()),
    ];
    if let Some(at) = &a.cancelled_at_local {
        fields.push(("Annullato il".to_string(), at.clone()));
    }
    if let Some(reason) = &a.cancel_reason {
        fields.push(("Motivo dell'annullamento".to_string(), reason.clone()));
    }
    let mut blocks = vec![
        Block::Heading { level: 1, text: "Ricevuta di prenotazione appuntamento".into() },
        Block::Paragraph(format!("Centro per l'impiego di {} — Regione Toscana", a.cpi.name)),
        Block::Fields(fields),
        Block::Heading { level: 2, text: "Come si svolge l'appuntamento".into() },
        Block::Paragraph(HOW.to_string()),
    ];
    if a.status == "prenotato" {
        blocks.push(Block::Paragraph(format!(
            "Puoi annullare la prenotazione dal portale Toscana Lavoro («Prenotazione appuntamento CPI») fino a {cancel_hours} ore prima dell'inizio."
        )));
    } else {
        blocks.push(Block::Paragraph("Questa prenotazione è annullata: l'appuntamento non avrà luogo.".into()));
    }
    let doc = Document {
        title: format!("Ricevuta di prenotazione appuntamento n. {}", a.id),
        subject: Some(format!("{} — {}", a.kind.name, a.start_local)),
        author: "Regione Toscana — Toscana Lavoro".into(),
        lang: "it-IT",
        blocks,
        created_unix: now,
    };
    pdfdoc::render(&doc).map_err(|e| ApiError::internal(format!("receipt {}: {e}", a.id)))
}

fn event_of(a: &Appointment, host: &str, now: i64, summary: String, description: String) -> calendar::Event {
    calendar::Event {
        uid: format!("appuntamento-{}@{host}", a.id),
        sequence: u32::try_from(a.sequence).unwrap_or(0),
        start_unix: a.start_at,
        end_unix: a.end_at,
        stamp_unix: now,
        summary,
        description,
        location: format!("CPI di {} - sportello {}, {}", a.cpi.name, a.desk.name, a.desk.address),
        cancelled: a.status != "prenotato",
        organizer: Some((format!("CPI di {}", a.cpi.name), a.desk.email.clone())),
    }
}

/// The citizen's calendar event of a booking.
pub fn event(a: &Appointment, host: &str, now: i64) -> calendar::Event {
    event_of(a, host, now, format!("{} - CPI di {}", a.kind.name, a.cpi.name), format!("{}\n\n{HOW}", a.place))
}

/// An operator's feed event: who comes, for what, where.
pub fn operator_event(o: &OperatorAppointment, host: &str, now: i64) -> calendar::Event {
    let a = &o.a;
    let mut description = format!("{} ({})\n{}", o.person.name, o.person.fiscal_code, a.kind.name);
    if let Some(reason) = &a.cancel_reason {
        description.push_str(&format!("\nAnnullato: {reason}"));
    }
    event_of(a, host, now, format!("{} - {}", a.kind.name, o.person.name), description)
}
