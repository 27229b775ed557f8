//! The server-rendered pages of the components (the SSO bridge's, the activation
//! link's, the CV request link's, the developer mailbox): the site's message template
//! (`/templates/message.html`, made by the web build, mounted into each component that
//! renders pages) filled with a title and HTML content.

/// Used when the template file is missing (a manifest without the mount).
pub const FALLBACK_TEMPLATE: &str = "<!doctype html><html lang=\"it\"><title>{{title}}</title><main>{{content}}</main></html>";

/// A page in the site's message template, never cached: `title` (escaped here) and
/// `content` (HTML). The template is `/templates/message.html` in the component's files;
/// without it (native tests, a manifest without the mount) [`FALLBACK_TEMPLATE`].
pub fn message(status: u16, title: &str, content: &str) -> crate::Reply {
    let template = std::fs::read_to_string("/templates/message.html").unwrap_or_else(|_| FALLBACK_TEMPLATE.into());
    crate::Reply::uncached_html(status, fill(&template, title, content).into_bytes())
}

/// `s` ending a sentence: with a full stop, unless it ends with one already
/// ("ACME S.R.L." stays as it is, never "ACME S.R.L..").
pub fn sentence(s: &str) -> String {
    if s.trim_end().ends_with(['.', '!', '?']) { s.trim_end().to_string() } else { format!("{}.", s.trim_end()) }
}

/// `s` escaped for HTML text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The template with its `{{title}}` (escaped here) and `{{content}}` (HTML as it is).
pub fn fill(template: &str, title: &str, content: &str) -> String {
    template.replace("{{title}}", &esc(title)).replace("{{content}}", content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_end_with_one_full_stop() {
        assert_eq!(sentence("ACME S.R.L."), "ACME S.R.L.");
        assert_eq!(sentence("GPI S.P.A "), "GPI S.P.A.");
        assert_eq!(sentence("Rossi"), "Rossi.");
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc(r#"<a href="x">O'Neil & co</a>"#), "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
        assert_eq!(esc("plain è"), "plain è");
    }

    #[test]
    fn fills_the_template_escaping_only_the_title() {
        assert_eq!(fill("<title>{{title}}</title>{{content}}", "A & B", "<p>x</p>"), "<title>A &amp; B</title><p>x</p>");
        assert!(fill(FALLBACK_TEMPLATE, "t", "c").contains("<main>c</main>"));
    }
}
