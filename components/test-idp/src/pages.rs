//! The demo IdP's HTML pages: plain, Italian, without inline scripts or styles (the
//! portal's Content Security Policy forbids them). Every value is escaped.

use saml::xml::esc;

use crate::identities::Identity;

/// A complete page: the development banner, then `main`.
pub fn page(title: &str, main: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title} - Identity provider dimostrativo</title>
</head>
<body>
<header>
<p><strong>Identity provider dimostrativo: solo per sviluppo e test.</strong> Le identità sono fittizie e nessuna password viene chiesta.</p>
</header>
<main>
{main}
</main>
</body>
</html>
"#,
        title = esc(title)
    )
}

/// A page with a heading and a message (errors).
pub fn message(title: &str, text: &str) -> String {
    page(title, &format!("<h1>{}</h1>\n<p>{}</p>", esc(title), esc(text)))
}

/// What the identity chooser needs to know of the request.
pub struct Chooser<'a> {
    /// `SPID` or `CIE`
    pub label: &'a str,
    /// The federation's path segment (`spid`, `cie`).
    pub federation: &'a str,
    pub sp_entity_id: &'a str,
    pub request_id: &'a str,
    pub level: u8,
    pub relay_state: &'a str,
}

fn hidden(name: &str, value: &str) -> String {
    format!(r#"<input type="hidden" name="{name}" value="{}">"#, esc(value))
}

/// The list of test identities, with "Entra" and "Annulla".
pub fn chooser(c: &Chooser, identities: &[Identity]) -> String {
    let rows: String = identities
        .iter()
        .enumerate()
        .map(|(n, i)| {
            format!(
                r#"<tr><td><input type="radio" name="identity" value="{n}" id="identity-{n}"{checked}></td><th scope="row"><label for="identity-{n}">{name} {family}</label></th><td>{cf}</td><td>{born}</td><td>{place}</td></tr>
"#,
                checked = if n == 0 { " checked" } else { "" },
                name = esc(&i.name),
                family = esc(&i.family_name),
                cf = esc(i.codice_fiscale()),
                born = esc(&i.birth_date_it()),
                place = esc(&i.birth_place_it()),
            )
        })
        .collect();
    let main = format!(
        r#"<h1>Accedi con {label}: scegli un'identità di prova</h1>
<p>Il servizio <strong>{sp}</strong> chiede un'autenticazione di livello {level}.</p>
<form method="post" action="/test-idp/{fed}/login">
{request_id}{level_field}{relay}
<table>
<caption>Identità di prova</caption>
<thead><tr><th scope="col">Scelta</th><th scope="col">Nome e cognome</th><th scope="col">Codice fiscale</th><th scope="col">Data di nascita</th><th scope="col">Luogo di nascita</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<p><button type="submit" name="action" value="login">Entra</button> <button type="submit" name="action" value="cancel">Annulla</button></p>
</form>"#,
        label = esc(c.label),
        sp = esc(c.sp_entity_id),
        level = c.level,
        fed = esc(c.federation),
        request_id = hidden("request_id", c.request_id),
        level_field = hidden("level", &c.level.to_string()),
        relay = hidden("relay_state", c.relay_state),
    );
    page(&format!("Accedi con {}", c.label), &main)
}

/// The HTTP-POST binding towards the SP's ACS: a form that `autopost.js` submits,
/// with a visible button for browsers without JavaScript.
pub fn autopost(title: &str, text: &str, acs_url: &str, saml_response_b64: &str, relay_state: &str) -> String {
    let relay = if relay_state.is_empty() { String::new() } else { hidden("RelayState", relay_state) };
    let main = format!(
        r#"<h1>{title}</h1>
<p>{text}</p>
<form method="post" action="{acs}" data-autopost>
{response}{relay}
<p><button type="submit">Continua</button></p>
</form>
<script src="/assets/js/autopost.js" defer></script>"#,
        title = esc(title),
        text = esc(text),
        acs = esc(acs_url),
        response = hidden("SAMLResponse", saml_response_b64),
    );
    page(title, &main)
}
