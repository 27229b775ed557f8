//! The development mailbox: the newest outbox messages as JSON (for tests) and as an
//! Italian HTML page where a developer reads them and follows their links. Routed only
//! by the development manifest (`spin.dev.toml`).
//!
//! The page escapes every value; only http(s) links under the portal's `base_url`
//! become clickable, anything else stays text.

use std::collections::BTreeMap;

use common::ApiError;
use outbox::{Channel, Message};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::{Deserialize, Serialize};

/// Messages listed by default and at most.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// One message, as the mailbox shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MailItem {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub params: serde_json::Value,
    pub subject: String,
    pub body: String,
    /// Every http(s) link in the body, in order.
    pub links: Vec<String>,
    /// `pending`, `sent` or `dead`
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub person_id: Option<i64>,
    /// ISO 8601, UTC
    pub created_at: String,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
    /// Extra mail headers (`outbox_headers`), `{}` when none.
    pub headers: serde_json::Value,
}

/// The list's filters: `recipient=` (exact) and `limit=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub recipient: Option<String>,
    pub limit: u32,
}

impl Filter {
    pub fn from_query(raw: &str) -> Result<Self, ApiError> {
        let q = common::Query::parse(raw)?;
        let limit = match q.get("limit") {
            None => DEFAULT_LIMIT,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(ApiError::bad_request("invalid_limit", "Il numero di messaggi deve essere compreso tra 1 e 200.")),
            },
        };
        Ok(Self { recipient: q.get("recipient").map(str::to_string), limit })
    }
}

/// The body of `POST /api/dev/mailbox/send`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    pub channel: String,
    pub recipient: String,
    pub template: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub person_id: Option<i64>,
}

/// Parses and checks a send request into an outbox message (400 when unusable:
/// this is a developer's tool, so the reason is spelled out).
pub fn send_request(body: &[u8]) -> Result<Message, ApiError> {
    let req: SendRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("invalid_json", format!("Il corpo della richiesta non è valido: {e}."))
    })?;
    let channel = Channel::parse(&req.channel)
        .ok_or_else(|| ApiError::bad_request("invalid_channel", "Il canale deve essere \"email\" o \"sms\"."))?;
    let msg = Message { channel, recipient: req.recipient, template: req.template, params: req.params, person_id: req.person_id };
    outbox::prepare(&msg, 0).map_err(|e| match e {
        outbox::OutboxError::InvalidRecipient => ApiError::from(e),
        other => ApiError::bad_request("invalid_message", format!("Il messaggio non può essere preparato: {other}.")),
    })?;
    Ok(msg)
}

/// Every `http://` or `https://` link in a text, without trailing punctuation.
pub fn links(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = find_link_start(rest) {
        let tail = &rest[at..];
        let end = tail.find(|c: char| c.is_whitespace() || "<>\"'".contains(c)).unwrap_or(tail.len());
        let link = tail[..end].trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
        if link.len() > "https://".len() {
            out.push(link.to_string());
        }
        rest = &tail[end.max(1)..];
    }
    out
}

fn find_link_start(s: &str) -> Option<usize> {
    match (s.find("http://"), s.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether a link may be clickable on the page: http(s), under our `base_url`.
pub fn is_our_link(link: &str, base_url: &str) -> bool {
    let base = base_url.trim().trim_end_matches('/');
    if base.is_empty() || !(base.starts_with("http://") || base.starts_with("https://")) {
        return false;
    }
    link.strip_prefix(base).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

/// A unix time as ISO 8601 UTC.
pub fn iso(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default()
}

/// `2026-11-23T10:15:02Z` as `23/11/2026 10:15:02 UTC`.
fn shown(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10), iso.get(11..19)) {
        (Some(y), Some(m), Some(d), Some(t)) => format!("{d}/{m}/{y} {t} UTC"),
        _ => iso.to_string(),
    }
}

/// A message body as HTML paragraphs, our links clickable.
fn body_html(body: &str, base_url: &str) -> String {
    body.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(|l| line_html(l, base_url)).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect()
}

fn line_html(line: &str, base_url: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    for link in links(line) {
        let Some(at) = rest.find(&link) else { continue };
        out.push_str(&text(&rest[..at]));
        if is_our_link(&link, base_url) {
            out.push_str(&format!("<a href=\"{}\">{}</a>", attr(&link), text(&link)));
        } else {
            out.push_str(&format!("{} <small>(collegamento esterno, non attivo)</small>", text(&link)));
        }
        rest = &rest[at + link.len()..];
    }
    out.push_str(&text(rest));
    out
}

fn status_label(item: &MailItem, gateway_configured: bool) -> String {
    match item.status.as_str() {
        "sent" => "<span class=\"badge bg-success\">Inviato</span>".into(),
        "dead" => "<span class=\"badge bg-danger\">Non recapitabile</span>".into(),
        _ if !gateway_configured => {
            "<span class=\"badge bg-secondary\">In attesa</span> non inviato: nessun gateway configurato".into()
        }
        _ => "<span class=\"badge bg-warning text-dark\">In attesa</span>".into(),
    }
}

/// The page's content (the site layout wraps it).
pub fn page(items: &[MailItem], filter: &Filter, base_url: &str, gateway_configured: bool) -> String {
    let mut h = String::from("<h1>Casella di posta di sviluppo</h1>");
    h.push_str(
        "<div class=\"callout warning\"><div class=\"callout-title\">Solo sviluppo</div>\
         <p>Questa pagina mostra i messaggi e-mail e SMS che il portale ha messo in coda, \
         con i loro collegamenti. Esiste solo nel manifesto di sviluppo (<code>spin.dev.toml</code>) \
         e mai in produzione.</p></div>",
    );
    if !gateway_configured {
        h.push_str(
            "<p>Nessun gateway di invio è configurato: i messaggi restano in attesa e si leggono solo qui.</p>",
        );
    }
    h.push_str(&format!(
        "<form method=\"get\" action=\"/dev/mailbox\" class=\"row g-2 align-items-end mb-4\">\
         <div class=\"col-auto\"><label for=\"recipient\" class=\"form-label\">Destinatario</label>\
         <input type=\"text\" class=\"form-control\" id=\"recipient\" name=\"recipient\" value=\"{}\"></div>\
         <div class=\"col-auto\"><button type=\"submit\" class=\"btn btn-primary\">Filtra</button> \
         <a class=\"btn btn-outline-primary\" href=\"/dev/mailbox\">Tutti</a></div></form>",
        attr(filter.recipient.as_deref().unwrap_or(""))
    ));
    if items.is_empty() {
        h.push_str("<p>Nessun messaggio.</p>");
        return h;
    }
    h.push_str(&format!(
        "<p>{} {} (i più recenti per primi).</p>",
        items.len(),
        if items.len() == 1 { "messaggio" } else { "messaggi" }
    ));
    for m in items {
        let title = if m.subject.is_empty() { format!("SMS a {}", m.recipient) } else { m.subject.clone() };
        let mut rows = vec![
            ("Canale", text(if m.channel == "sms" { "SMS" } else { "E-mail" }).into_owned()),
            ("Destinatario", text(&m.recipient).into_owned()),
            ("Modello", format!("<code>{}</code>", text(&m.template))),
            ("Stato", status_label(m, gateway_configured)),
            ("Tentativi", m.attempts.to_string()),
            ("Creato", shown(&m.created_at)),
        ];
        if let Some(sent) = &m.sent_at {
            rows.push(("Inviato", shown(sent)));
        } else if m.status == "pending" && gateway_configured {
            rows.push(("Prossimo tentativo", shown(&m.next_attempt_at)));
        }
        if let Some(e) = &m.last_error {
            rows.push(("Ultimo errore", text(e).into_owned()));
        }
        let dl: String = rows.iter().map(|(k, v)| format!("<dt class=\"col-sm-3\">{k}</dt><dd class=\"col-sm-9\">{v}</dd>")).collect();
        h.push_str(&format!(
            "<article class=\"card card-bg mb-4\" aria-labelledby=\"msg-{id}\"><div class=\"card-body\">\
             <h2 class=\"h4\" id=\"msg-{id}\">{}</h2><dl class=\"row\">{dl}</dl>\
             <div class=\"border-top pt-3\">{}</div></div></article>",
            text(&title),
            body_html(&m.body, base_url),
            id = m.id,
        ));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(body: &str) -> MailItem {
        MailItem {
            id: 7,
            channel: "email".into(),
            recipient: "mario@example.org".into(),
            template: "activation".into(),
            params: serde_json::json!({}),
            subject: "Attiva <b>subito</b>".into(),
            body: body.into(),
            links: links(body),
            status: "pending".into(),
            attempts: 0,
            last_error: None,
            person_id: None,
            created_at: iso(1_795_000_000),
            next_attempt_at: iso(1_795_000_000),
            sent_at: None,
            headers: serde_json::json!({}),
        }
    }

    #[test]
    fn finds_links() {
        assert_eq!(
            links("Apri http://127.0.0.1:3000/attiva?t=a&b=1.\nOppure (https://x.example/y), poi https://"),
            ["http://127.0.0.1:3000/attiva?t=a&b=1", "https://x.example/y"]
        );
        assert!(links("nessun collegamento, javascript:alert(1)").is_empty());
    }

    #[test]
    fn only_our_links_are_clickable() {
        let base = "http://127.0.0.1:3000";
        assert!(is_our_link("http://127.0.0.1:3000/attiva?t=1", base));
        assert!(is_our_link("http://127.0.0.1:3000", "http://127.0.0.1:3000/"));
        assert!(!is_our_link("http://127.0.0.1:30000/x", base));
        assert!(!is_our_link("http://127.0.0.1:3000.evil.test/x", base));
        assert!(!is_our_link("https://evil.test/?http://127.0.0.1:3000/", base));
        assert!(!is_our_link("http://127.0.0.1:3000/x", ""));
        assert!(!is_our_link("javascript:alert(1)//", "javascript:alert(1)"));
    }

    #[test]
    fn the_page_escapes_everything() {
        let body = "Gentile <script>alert(1)</script>,\n\napri http://127.0.0.1:3000/attiva?t=x&y=1\"onclick=1\nnon https://evil.test/phish";
        let html = page(&[item(body)], &Filter { recipient: Some("\"><script>".into()), limit: 50 }, "http://127.0.0.1:3000", true);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Attiva &lt;b&gt;subito&lt;/b&gt;"));
        assert!(html.contains("<a href=\"http://127.0.0.1:3000/attiva?t=x&amp;y=1\">http://127.0.0.1:3000/attiva?t=x&amp;y=1</a>\"onclick=1"), "{html}");
        assert!(!html.contains("href=\"https://evil.test"), "{html}");
        assert!(html.contains("https://evil.test/phish <small>(collegamento esterno, non attivo)</small>"));
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;\""), "{html}");
        assert!(html.contains("18/11/2026 11:06:40 UTC"), "{html}");
    }

    #[test]
    fn the_page_says_when_nothing_is_sent() {
        let html = page(&[item("x")], &Filter { recipient: None, limit: 50 }, "http://127.0.0.1:3000", false);
        assert!(html.contains("non inviato: nessun gateway configurato"), "{html}");
        let html = page(&[], &Filter { recipient: None, limit: 50 }, "", true);
        assert!(html.contains("Nessun messaggio."));
    }

    #[test]
    fn filters() {
        assert_eq!(Filter::from_query("").unwrap(), Filter { recipient: None, limit: 50 });
        assert_eq!(Filter::from_query("recipient=a%2Bb%40x.it&limit=5").unwrap(), Filter { recipient: Some("a+b@x.it".into()), limit: 5 });
        assert_eq!(Filter::from_query("limit=0").unwrap_err().code, "invalid_limit");
        assert_eq!(Filter::from_query("limit=201").unwrap_err().code, "invalid_limit");
    }

    #[test]
    fn send_requests_are_checked() {
        let ok = br#"{"channel":"sms","recipient":"+393331234567","template":"otp","params":{"code":"123456","minutes":"10"}}"#;
        let m = send_request(ok).unwrap();
        assert_eq!((m.channel, m.template.as_str()), (Channel::Sms, "otp"));
        let code = |b: &[u8]| send_request(b).unwrap_err().code;
        assert_eq!(code(b"{"), "invalid_json");
        assert_eq!(code(br#"{"channel":"fax","recipient":"x","template":"otp"}"#), "invalid_channel");
        assert_eq!(code(br#"{"channel":"sms","recipient":"x","template":"otp"}"#), "invalid_recipient");
        assert_eq!(code(br#"{"channel":"sms","recipient":"+393331234567","template":"otp"}"#), "invalid_message");
        assert_eq!(code(br#"{"channel":"sms","recipient":"+393331234567","template":"nope"}"#), "invalid_message");
        assert_eq!(code(br#"{"channel":"sms","recipient":"+393331234567","template":"otp","extra":1}"#), "invalid_json");
    }

    #[test]
    fn iso_times() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(shown("2026-11-18T11:06:40Z"), "18/11/2026 11:06:40 UTC");
    }
}
