//! Plain logic of the no-login decision link (C3): what a link's request shows, as JSON
//! or as the page's HTML, and the link's refusals.

use common::ApiError;
use serde_json::{Value as Json, json};

use crate::status_label;

/// The page's title (and heading).
pub const TITLE: &str = "Richiesta di visione del curriculum";

const EXPIRED: &str = "Il collegamento è scaduto. Puoi ancora decidere accedendo al portale, dalla pagina \"Richieste curriculum vitae\".";

/// What a decision link's token points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkState {
    pub id: i64,
    pub status: String,
    pub expires_at: i64,
    pub decided_at: Option<i64>,
    pub company: String,
    pub position: String,
    /// the owner's name and family name, upper case
    pub owner_name: String,
    pub created_at: i64,
}

impl LinkState {
    fn expired(&self, now: i64) -> bool {
        self.status == "requested" && self.expires_at < now
    }

    fn can_decide(&self, now: i64) -> bool {
        self.status == "requested" && self.expires_at >= now
    }
}

pub fn invalid() -> ApiError {
    ApiError::new(404, "request_link_invalid", "Il collegamento non è valido: controlla di averlo copiato per intero dal messaggio ricevuto.")
}

pub fn expired() -> ApiError {
    ApiError::new(410, "request_link_expired", EXPIRED)
}

/// 409 for a request decided before (`status` accepted | refused, on `decided_at`).
pub fn already_decided(status: &str, decided_at: Option<i64>) -> ApiError {
    ApiError::new(
        409,
        "already_decided",
        format!("Hai già {} questa richiesta il {}.", if status == "accepted" { "autorizzato" } else { "rifiutato" }, common::rome::italian_day(decided_at.unwrap_or(0))),
    )
}

pub use common::page::{esc, fill};

pub fn json(st: &LinkState, now: i64) -> Json {
    json!({
        "id": st.id,
        "date": common::rome::iso_utc(st.created_at),
        "name": st.owner_name,
        "company": st.company,
        "position": st.position,
        "status": status_label(&st.status),
        "status_code": st.status,
        "decided_at": st.decided_at.map(common::rome::iso_utc),
        "expired": st.expired(now),
        "can_decide": st.can_decide(now),
    })
}

/// The page's content: the request and, while it can be decided, the two buttons
/// (a form POST carrying `token`); otherwise the decision or the expiry.
pub fn page(st: &LinkState, token: &str, now: i64) -> String {
    let intro = format!(
        "<p>Gentile <strong>{}</strong></p><p>L'azienda <strong>{}</strong>, durante la ricerca di personale per il profilo <strong>{}</strong> ha manifestato interesse verso il tuo profilo professionale e vorrebbe prendere visione del tuo Curriculum Vitae.</p>",
        esc(&st.owner_name),
        esc(&st.company),
        esc(&st.position)
    );
    let body = match st.status.as_str() {
        "accepted" => format!("<div class=\"callout success\" role=\"status\"><p>Hai autorizzato la visione del tuo curriculum il {}.</p></div>", common::rome::italian_day(st.decided_at.unwrap_or(0))),
        "refused" => format!(
            "<div class=\"callout\" role=\"status\"><p>Hai rifiutato la richiesta il {}: l'azienda non riceverà i tuoi dati personali.</p></div>",
            common::rome::italian_day(st.decided_at.unwrap_or(0))
        ),
        _ if st.expires_at < now => format!("<div class=\"callout warning\" role=\"alert\"><p>{EXPIRED}</p></div>"),
        _ => format!(
            "<p>Per autorizzare la visualizzazione delle tue informazioni personali, fai click su «Autorizza».</p>\
             <p>Utilizza il tasto «Rifiuta» per negare all'azienda la possibilità di visionare il tuo curriculum vitae (in tal caso, non verranno forniti i tuoi dati personali e l'azienda non verrà a conoscenza della tua identità).</p>\
             <form method=\"post\" action=\"/api/cv-requests/decision\"><input type=\"hidden\" name=\"token\" value=\"{t}\">\
             <button type=\"submit\" name=\"decision\" value=\"accept\" class=\"btn btn-success me-2\">Autorizza</button>\
             <button type=\"submit\" name=\"decision\" value=\"refuse\" class=\"btn btn-danger\">Rifiuta</button></form>",
            t = esc(token)
        ),
    };
    format!("<h1>{TITLE}</h1>{intro}{body}{WAY_BACK}")
}

/// Where the person can go on from the link's pages.
const WAY_BACK: &str = "<p>Puoi vedere tutte le richieste ricevute in <a href=\"/cittadino/richieste-cv/\">Elenco richieste curriculum vitae</a> \
     (dopo l'accesso) oppure tornare alla <a href=\"/\">pagina iniziale</a> di Toscana Lavoro.</p>";

/// A refusal as a page: (status, title, content); past 499 nothing of the cause is shown.
pub fn error_page(e: &ApiError) -> (u16, &'static str, String) {
    if e.status >= 500 {
        return (
            500,
            "Servizio non disponibile",
            "<h1>Servizio non disponibile</h1><p>Non è stato possibile completare l'operazione. Riprova tra qualche minuto.</p>".to_string(),
        );
    }
    (e.status, TITLE, format!("<h1>{TITLE}</h1><div class=\"callout danger\" role=\"alert\"><p>{}</p></div>{WAY_BACK}", esc(&e.message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_784_066_400; // 15/07/2026 in Rome

    fn state(status: &str, expires_at: i64) -> LinkState {
        LinkState {
            id: 3,
            status: status.into(),
            expires_at,
            decided_at: (status != "requested").then_some(NOW),
            company: "Pizzeria <Da Mario> & C.".into(),
            position: "PIZZAIOLO".into(),
            owner_name: "GIULIA BIANCHI".into(),
            created_at: NOW - DAY,
        }
    }

    #[test]
    fn the_page_offers_the_buttons_only_while_the_request_can_be_decided() {
        let open = page(&state("requested", NOW + DAY), "ab\"c", NOW);
        assert!(open.starts_with("<h1>Richiesta di visione del curriculum</h1><p>Gentile <strong>GIULIA BIANCHI</strong>"), "{open}");
        assert!(open.contains("Pizzeria &lt;Da Mario&gt; &amp; C."), "{open}");
        assert!(open.contains("name=\"token\" value=\"ab&quot;c\""), "{open}");
        assert!(open.contains("value=\"accept\"") && open.contains("value=\"refuse\""));
        let expired = page(&state("requested", NOW - 1), "t", NOW);
        assert!(expired.contains("Il collegamento è scaduto") && !expired.contains("<form"), "{expired}");
        let accepted = page(&state("accepted", NOW - 1), "t", NOW);
        assert!(accepted.contains("Hai autorizzato la visione del tuo curriculum il 15/07/2026.") && !accepted.contains("<form"));
        let refused = page(&state("refused", NOW + DAY), "t", NOW);
        assert!(refused.contains("Hai rifiutato la richiesta il 15/07/2026") && !refused.contains("<form"));
    }

    #[test]
    fn json_flags() {
        let j = json(&state("requested", NOW), NOW);
        assert_eq!((j["expired"].as_bool(), j["can_decide"].as_bool()), (Some(false), Some(true)));
        assert_eq!(j["status"], "RICHIESTA");
        assert_eq!(j["decided_at"], Json::Null);
        let j = json(&state("requested", NOW - 1), NOW);
        assert_eq!((j["expired"].as_bool(), j["can_decide"].as_bool()), (Some(true), Some(false)));
        let j = json(&state("accepted", NOW - 1), NOW);
        assert_eq!((j["expired"].as_bool(), j["can_decide"].as_bool()), (Some(false), Some(false)));
        assert_eq!((j["status"].as_str(), j["status_code"].as_str()), (Some("ACCETTATA"), Some("accepted")));
    }

    #[test]
    fn refusals_and_error_pages() {
        assert_eq!(already_decided("accepted", Some(NOW)).message, "Hai già autorizzato questa richiesta il 15/07/2026.");
        assert_eq!(already_decided("refused", Some(NOW)).message, "Hai già rifiutato questa richiesta il 15/07/2026.");
        assert_eq!((invalid().status, expired().status), (404, 410));
        let (status, title, content) = error_page(&ApiError::new(404, "x", "<b>no</b>"));
        assert_eq!((status, title), (404, TITLE));
        assert!(content.contains("&lt;b&gt;no&lt;/b&gt;"), "{content}");
        let (status, title, content) = error_page(&ApiError::internal("db down"));
        assert_eq!((status, title), (500, "Servizio non disponibile"));
        assert!(!content.contains("db down"));
        assert_eq!(fill("<title>{{title}}</title>{{content}}", "a & b", "<p>x</p>"), "<title>a &amp; b</title><p>x</p>");
    }
}
