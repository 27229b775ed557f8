//! The HTML the SSO bridge shows: error pages that say what to do, and the
//! auto-submitting form of the HTTP-POST binding.

use saml::xml::esc;

/// An error page body: what happened and what to do next.
pub fn error_body(title: &str, message: &str) -> String {
    format!(
        "<h1>{}</h1><div class=\"callout danger\" role=\"alert\"><div class=\"callout-title\">Accesso non riuscito</div><p>{}</p></div>\
         <p>Puoi <a href=\"/accedi/\">riprovare ad accedere</a> oppure tornare alla <a href=\"/\">pagina iniziale</a>. \
         Se il problema persiste contatta l'assistenza indicando l'ora in cui si è verificato.</p>",
        esc(title),
        esc(message)
    )
}

/// The HTTP-POST binding: a form that `/assets/js/autopost.js` submits at once (with a
/// button for browsers without JavaScript).
pub fn autopost_body(action: &str, field: &str, value: &str, relay_state: &str) -> String {
    format!(
        "<h1>Reindirizzamento in corso</h1><form method=\"post\" action=\"{}\" data-autopost>\
         <input type=\"hidden\" name=\"{}\" value=\"{}\"><input type=\"hidden\" name=\"RelayState\" value=\"{}\">\
         <p>Stai per essere reindirizzato al gestore della tua identità digitale.</p>\
         <button type=\"submit\" class=\"btn btn-primary\">Continua</button></form>\
         <script src=\"/assets/js/autopost.js\" defer></script>",
        esc(action),
        esc(field),
        esc(value),
        esc(relay_state)
    )
}

/// A page that goes on to `url` at once (`/assets/js/autopost.js` follows the
/// `a[data-autofollow]` link), with the link as a button for browsers without JavaScript.
pub fn continue_body(url: &str) -> String {
    format!(
        "<h1>Uscita in corso</h1><p>Sei uscito da Toscana Lavoro. Ora chiudiamo la sessione anche presso il gestore della tua identità digitale.</p>\
         <p><a class=\"btn btn-primary\" href=\"{}\" data-autofollow>Continua</a></p>\
         <script src=\"/assets/js/autopost.js\" defer></script>",
        esc(url)
    )
}

/// `form-action` must allow the IdP's origin for the POST binding.
pub fn csp_for_post(action: &str) -> String {
    let origin: String = match action.find("://") {
        Some(i) => {
            let rest = &action[i + 3..];
            let end = rest.find('/').unwrap_or(rest.len());
            format!("{}{}", &action[..i + 3], &rest[..end])
        }
        None => "'self'".into(),
    };
    format!(
        "default-src 'self'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self' {}",
        origin.replace([';', ',', '\'', ' '], "")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_and_csp_names_the_idp_origin() {
        let p = common::page::fill("<title>{{title}}</title>{{content}}", "A<B", &error_body("Errore", "x<script>"));
        assert!(p.contains("A&lt;B") && p.contains("x&lt;script&gt;") && !p.contains("<script>"));
        let f = autopost_body("https://idp.example/sso?a=1&b=2", "SAMLRequest", "abc=", "r\"1");
        assert!(f.contains("action=\"https://idp.example/sso?a=1&amp;b=2\"") && f.contains("value=\"r&quot;1\""));
        assert!(csp_for_post("https://idp.example:8443/sso").ends_with("form-action 'self' https://idp.example:8443"));
        let c = continue_body("https://idp.example/slo?SAMLRequest=a%2B&Signature=b");
        assert!(c.contains("href=\"https://idp.example/slo?SAMLRequest=a%2B&amp;Signature=b\" data-autofollow"));
    }
}
