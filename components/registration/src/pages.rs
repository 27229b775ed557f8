//! The HTML of the activation pages (the link in the e-mail opens a page, not JSON):
//! the page with the activation button and the page of a refusal. The handler reads
//! the template and sends the result.

/// The template used when `/templates/message.html` cannot be read.
pub use common::page::{FALLBACK_TEMPLATE, esc, fill};

/// Status, title and content of the page for a refused activation: a generic 500
/// for server errors, else the error's message.
pub fn error(status: u16, message: &str) -> (u16, &'static str, String) {
    if status >= 500 {
        let title = "Servizio non disponibile";
        return (
            500,
            title,
            "<h1>Servizio non disponibile</h1><p>Non è stato possibile completare l'operazione. Riprova tra qualche minuto.</p>".to_string(),
        );
    }
    let title = "Attivazione non riuscita";
    (
        status,
        title,
        format!(
            "<h1>{title}</h1><div class=\"callout danger\" role=\"alert\"><div class=\"callout-title\">Il collegamento non può essere usato</div><p>{}</p></div>\
             <p>Se hai bisogno di un nuovo collegamento, <a href=\"/accedi/\">accedi con SPID, CIE o CNS</a>: ti proporremo di inviarlo di nuovo.</p>",
            esc(message)
        ),
    )
}

/// Title and content of the page of the e-mail's link: a button that POSTs `token`.
pub fn activate(token: &str) -> (&'static str, String) {
    (
        "Attiva il tuo profilo",
        format!(
            "<h1>Attiva il tuo profilo</h1><p>Per completare la registrazione a Toscana Lavoro conferma l'attivazione del tuo profilo.</p>\
             <form method=\"post\" action=\"/api/registration/activate\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button type=\"submit\" class=\"btn btn-primary\">Attiva il profilo</button></form>",
            esc(token)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_show_no_details() {
        let (status, title, content) = error(503, "db locked");
        assert_eq!((status, title), (500, "Servizio non disponibile"));
        assert!(!content.contains("db locked"));
    }

    #[test]
    fn refusals_show_the_message_escaped() {
        let (status, title, content) = error(410, "Scaduto <ieri>");
        assert_eq!((status, title), (410, "Attivazione non riuscita"));
        assert!(content.contains("<p>Scaduto &lt;ieri&gt;</p>"));
    }

    #[test]
    fn the_button_carries_the_token() {
        let (title, content) = activate("ab\"c");
        assert_eq!(title, "Attiva il tuo profilo");
        assert!(content.contains("name=\"token\" value=\"ab&quot;c\""));
        assert!(content.contains("action=\"/api/registration/activate\""));
    }
}
