//! The notification outbox: Italian e-mail and SMS templates, and queueing them for the
//! `notifications` component to deliver. Any component queues an e-mail or SMS with
//! [`enqueue`] (template id + recipient + parameters); the `notifications`
//! component delivers it later through the configured gateway, with retries.
//!
//! The texts are Italian templates in `crates/common/messages/<id>.<channel>.txt`
//! (an e-mail starts with `Oggetto: …` and a blank line), embedded at compile time
//! by [`TEMPLATES`], so every component has them without a files mount and a
//! missing file is a build error. Placeholders are `{{name}}`; rendering happens at
//! enqueue time and fails loudly on a missing parameter, so what is stored in the
//! outbox (`db/migrations/0005_outbox.sql`) is exactly what will be sent.
//!
//! ```ignore
//! use outbox::{Channel, Message};
//! let id = outbox::enqueue(db, &Message::new(Channel::Email, "mario@example.org", outbox::ACTIVATION)
//!     .param("name", "Mario")
//!     .param("link", &link)
//!     .param("hours", "48")
//!     .person(person_id), req.now)?;
//! ```

use std::collections::BTreeMap;

use common::sql::Db;
use common::{ApiError, params};

/// Activation of a new profile (e-mail): `name`, `link`, `hours`.
pub const ACTIVATION: &str = "activation";
/// A one-time code (SMS, or e-mail to verify an address): `code`, `minutes`; the
/// e-mail also `name`.
pub const OTP: &str = "otp";
/// Confirmation of a changed e-mail address by link (e-mail): `name`, `link`, `minutes`.
pub const EMAIL_VERIFICATION: &str = "email_verification";
/// A company asks to see a CV (e-mail and SMS, C3): `name` (e-mail only), `company`,
/// `position`, `cv` (e-mail only), `link` (the no-login decision page), `days` (e-mail only).
pub const CV_REQUEST: &str = "cv_request";
/// A CV will be deleted for inactivity (e-mail, C2): `name`, `cv`, `date` (dd/mm/yyyy).
pub const CV_RETENTION_NOTICE: &str = "cv_retention_notice";
/// An application was sent (e-mail, C1): `name`, `offer` (code), `occupation`, `cpi`.
pub const APPLICATION_RECEIVED: &str = "application_received";
/// The CPI changed an application's esito (e-mail, C4): `name`, `offer`, `occupation`,
/// `cpi`, `status` (the label), `note` (the operator's note as a sentence, or empty).
pub const APPLICATION_STATUS: &str = "application_status";
/// A CPI appointment was booked (e-mail, C5): `name`, `kind`, `when`, `place`, `how`, `link`.
pub const APPOINTMENT_BOOKED: &str = "appointment_booked";
/// A CPI appointment was cancelled (e-mail, C5): `name`, `kind`, `when`, `place`,
/// `reason` (a sentence: who cancelled and why).
pub const APPOINTMENT_CANCELLED: &str = "appointment_cancelled";
/// The day before a CPI appointment (e-mail: `name`, `kind`, `when`, `place`, `how`;
/// SMS: `when`, `cpi`).
pub const APPOINTMENT_REMINDER: &str = "appointment_reminder";
/// A CPI answered a "Contatta il CPI" message (e-mail): `name`, `cpi`, `answer`.
pub const CPI_MESSAGE_ANSWER: &str = "cpi_message_answer";
/// A CPI sent a document to sign (e-mail, C10): `name`, `kind`, `cpi`, `link`.
pub const DOCUMENT_TO_SIGN: &str = "document_to_sign";
/// The code that confirms signing a document (SMS: `code`, `minutes`, `kind`; the e-mail
/// when no mobile is on file also `name`).
pub const DOCUMENT_SIGN_CODE: &str = "document_sign_code";

/// An online interview invitation (e-mail, C6 B4): `name`, `company`, `offer`, `when`,
/// `minutes`, `description`, `intro` (empty), `link` (the page), `calendar` (the `.ics`).
pub const INTERVIEW_INVITATION: &str = "interview_invitation";
/// An online interview changed by the company (e-mail, C6 B4): the parameters of
/// [`INTERVIEW_INVITATION`], `intro` saying what changed (a new date, cancelled).
pub const INTERVIEW_UPDATE: &str = "interview_update";
/// The candidate answered an interview invitation (e-mail to the inviter, B4): `name`,
/// `candidate`, `offer`, `when`, `answer` (a sentence), `link`.
pub const INTERVIEW_ANSWER: &str = "interview_answer";

/// New offers for a saved search (e-mail, X1): `name`, `search` (its name), `count`,
/// `frequency` (`avviso giornaliero` / `avviso settimanale`), `offers` (the offers, one
/// line: code, occupation and link each), `link` (the search on the portal), `manage`
/// (Le mie ricerche salvate), `unsubscribe` (the one-click link, no login).
pub const SAVED_SEARCH_ALERT: &str = "saved_search_alert";

/// Longest parameter value accepted (characters).
pub const MAX_PARAM_LEN: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// Every template: `(id, channel, text)`. The texts live in files; this list only
/// names them.
pub const TEMPLATES: &[(&str, Channel, &str)] = &[
    (ACTIVATION, Channel::Email, include_str!("../messages/activation.email.txt")),
    (OTP, Channel::Sms, include_str!("../messages/otp.sms.txt")),
    (OTP, Channel::Email, include_str!("../messages/otp.email.txt")),
    (EMAIL_VERIFICATION, Channel::Email, include_str!("../messages/email_verification.email.txt")),
    (CV_REQUEST, Channel::Email, include_str!("../messages/cv_request.email.txt")),
    (CV_REQUEST, Channel::Sms, include_str!("../messages/cv_request.sms.txt")),
    (CV_RETENTION_NOTICE, Channel::Email, include_str!("../messages/cv_retention_notice.email.txt")),
    (APPLICATION_RECEIVED, Channel::Email, include_str!("../messages/application_received.email.txt")),
    (APPLICATION_STATUS, Channel::Email, include_str!("../messages/application_status.email.txt")),
    (APPOINTMENT_BOOKED, Channel::Email, include_str!("../messages/appointment_booked.email.txt")),
    (APPOINTMENT_CANCELLED, Channel::Email, include_str!("../messages/appointment_cancelled.email.txt")),
    (APPOINTMENT_REMINDER, Channel::Email, include_str!("../messages/appointment_reminder.email.txt")),
    (APPOINTMENT_REMINDER, Channel::Sms, include_str!("../messages/appointment_reminder.sms.txt")),
    (CPI_MESSAGE_ANSWER, Channel::Email, include_str!("../messages/cpi_message_answer.email.txt")),
    (INTERVIEW_INVITATION, Channel::Email, include_str!("../messages/interview_invitation.email.txt")),
    (INTERVIEW_UPDATE, Channel::Email, include_str!("../messages/interview_update.email.txt")),
    (INTERVIEW_ANSWER, Channel::Email, include_str!("../messages/interview_answer.email.txt")),
    (DOCUMENT_TO_SIGN, Channel::Email, include_str!("../messages/document_to_sign.email.txt")),
    (DOCUMENT_SIGN_CODE, Channel::Sms, include_str!("../messages/document_sign_code.sms.txt")),
    (DOCUMENT_SIGN_CODE, Channel::Email, include_str!("../messages/document_sign_code.email.txt")),
    (SAVED_SEARCH_ALERT, Channel::Email, include_str!("../messages/saved_search_alert.email.txt")),
];

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub channel: Channel,
    /// E-mail address, or mobile number in international form (`+393331234567`).
    pub recipient: String,
    /// Template id, e.g. [`ACTIVATION`].
    pub template: String,
    pub params: BTreeMap<String, String>,
    /// The person the message concerns (owner of the row), if they have an account.
    pub person_id: Option<i64>,
}

impl Message {
    pub fn new(channel: Channel, recipient: impl Into<String>, template: impl Into<String>) -> Self {
        Self { channel, recipient: recipient.into(), template: template.into(), params: BTreeMap::new(), person_id: None }
    }

    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    pub fn person(mut self, person_id: i64) -> Self {
        self.person_id = Some(person_id);
        self
    }
}

/// A rendered message. `subject` is empty for SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// Why a message cannot be queued. All but `InvalidRecipient` are programming
/// errors of the calling component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxError {
    UnknownTemplate { template: String, channel: Channel },
    MissingParam { template: String, param: String },
    InvalidParam { param: String, reason: &'static str },
    MalformedTemplate { template: String, reason: String },
    InvalidRecipient,
}

impl std::fmt::Display for OutboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownTemplate { template, channel } => {
                write!(f, "no template `{template}` for channel {}", channel.as_str())
            }
            Self::MissingParam { template, param } => write!(f, "template `{template}` needs parameter `{param}`"),
            Self::InvalidParam { param, reason } => write!(f, "parameter `{param}`: {reason}"),
            Self::MalformedTemplate { template, reason } => write!(f, "template `{template}` is malformed: {reason}"),
            Self::InvalidRecipient => write!(f, "invalid recipient"),
        }
    }
}

impl std::error::Error for OutboxError {}

impl From<OutboxError> for ApiError {
    fn from(e: OutboxError) -> Self {
        match e {
            OutboxError::InvalidRecipient => ApiError::bad_request(
                "invalid_recipient",
                "L'indirizzo e-mail o il numero di cellulare a cui inviare il messaggio non è valido.",
            ),
            other => ApiError::internal(format!("outbox: {other}")),
        }
    }
}

/// The text of a template for a channel.
pub fn template_text(template: &str, channel: Channel) -> Result<&'static str, OutboxError> {
    TEMPLATES
        .iter()
        .find(|(id, ch, _)| *id == template && *ch == channel)
        .map(|(_, _, text)| *text)
        .ok_or_else(|| OutboxError::UnknownTemplate { template: template.to_string(), channel })
}

/// One piece of a template text.
enum Piece<'a> {
    Text(&'a str),
    Param(&'a str),
}

fn pieces<'a>(template: &str, text: &'a str) -> Result<Vec<Piece<'a>>, OutboxError> {
    let malformed = |reason: String| OutboxError::MalformedTemplate { template: template.to_string(), reason };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if rest[..start].contains("}}") {
            return Err(malformed("stray `}}`".into()));
        }
        out.push(Piece::Text(&rest[..start]));
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| malformed("unclosed `{{`".into()))?;
        let name = after[..end].trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(malformed(format!("bad placeholder `{{{{{}}}}}`", &after[..end])));
        }
        out.push(Piece::Param(name));
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return Err(malformed("stray `}}`".into()));
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// The placeholders a template uses, sorted and without repeats.
pub fn placeholders(template: &str, channel: Channel) -> Result<Vec<String>, OutboxError> {
    let text = template_text(template, channel)?;
    let mut names: Vec<String> = pieces(template, text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Param(n) => Some(n.to_string()),
            Piece::Text(_) => None,
        })
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Renders a template. Every placeholder needs a parameter (an error names the
/// first missing one); parameters the template does not use are ignored. Values
/// are plain text: control characters (line breaks included, which could forge
/// mail headers in a subject) are refused.
pub fn render(template: &str, channel: Channel, params: &BTreeMap<String, String>) -> Result<Rendered, OutboxError> {
    for (name, value) in params {
        if value.chars().count() > MAX_PARAM_LEN {
            return Err(OutboxError::InvalidParam { param: name.clone(), reason: "too long" });
        }
        if value.chars().any(char::is_control) {
            return Err(OutboxError::InvalidParam { param: name.clone(), reason: "control characters" });
        }
        if value.contains("{{") {
            return Err(OutboxError::InvalidParam { param: name.clone(), reason: "contains `{{`" });
        }
    }
    let text = template_text(template, channel)?.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 64);
    for piece in pieces(template, &text)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Param(name) => match params.get(name) {
                Some(v) => out.push_str(v),
                None => return Err(OutboxError::MissingParam { template: template.to_string(), param: name.to_string() }),
            },
        }
    }
    let (subject, body) = match channel {
        Channel::Sms => (String::new(), out.trim().to_string()),
        Channel::Email => {
            let (first, rest) = out.split_once('\n').unwrap_or((&out, ""));
            let subject = first.strip_prefix("Oggetto:").ok_or_else(|| OutboxError::MalformedTemplate {
                template: template.to_string(),
                reason: "an e-mail template starts with `Oggetto: …`".into(),
            })?;
            (subject.trim().to_string(), rest.trim().to_string())
        }
    };
    if body.is_empty() || (channel == Channel::Email && subject.is_empty()) {
        return Err(OutboxError::MalformedTemplate { template: template.to_string(), reason: "empty subject or body".into() });
    }
    Ok(Rendered { subject, body })
}

/// A plausible recipient for the channel. Components validate addresses with
/// `common::validation` first; this only keeps garbage out of the outbox.
pub fn recipient_is_plausible(channel: Channel, recipient: &str) -> bool {
    match channel {
        Channel::Email => {
            recipient.len() <= 254
                && !recipient.chars().any(|c| c.is_whitespace() || c.is_control())
                && matches!(recipient.split_once('@'), Some((local, domain))
                    if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                        && !domain.starts_with('.') && !domain.ends_with('.'))
        }
        Channel::Sms => {
            let digits = recipient.strip_prefix('+').unwrap_or(recipient);
            (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// What [`enqueue`] stores: the message checked and rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub channel: Channel,
    pub recipient: String,
    pub template: String,
    /// JSON object of the parameters.
    pub params: String,
    pub subject: String,
    pub body: String,
    pub person_id: Option<i64>,
    pub created_at: i64,
}

/// Checks and renders a message for the outbox at time `now` (unix seconds).
pub fn prepare(msg: &Message, now: i64) -> Result<Row, OutboxError> {
    if !recipient_is_plausible(msg.channel, &msg.recipient) {
        return Err(OutboxError::InvalidRecipient);
    }
    let rendered = render(&msg.template, msg.channel, &msg.params)?;
    let params = serde_json::to_string(&msg.params).unwrap_or_else(|_| "{}".into());
    Ok(Row {
        channel: msg.channel,
        recipient: msg.recipient.clone(),
        template: msg.template.clone(),
        params,
        subject: rendered.subject,
        body: rendered.body,
        person_id: msg.person_id,
        created_at: now,
    })
}

/// The INSERT of a prepared row (due at once); it returns the new `id`.
pub const INSERT_SQL: &str = "INSERT INTO outbox (channel, recipient, template, params, subject, body, person_id, status, attempts, next_attempt_at, created_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) RETURNING id";

/// Queues a message and returns its id. Call it inside your own transaction
/// (`common::sql::tx`) to make the message atomic with your change. An invalid
/// recipient is a 400 `invalid_recipient`; an unknown template or a missing parameter is
/// a bug of the caller, logged, and a 500.
pub fn enqueue(db: &dyn Db, msg: &Message, now: i64) -> Result<i64, ApiError> {
    let row = prepare(msg, now)?;
    db.execute(INSERT_SQL, params![row.channel.as_str(), row.recipient, row.template, row.params, row.subject, row.body, row.person_id, now, now])?
        .scalar("id")
}

/// Longest header value accepted by [`enqueue_with_headers`] (characters).
pub const MAX_HEADER_LEN: usize = 1000;

/// Whether `name: value` may be sent as an extra mail header: the name is an RFC 5322
/// field name (letters, digits, hyphens) that is not one the gateway sets itself, and
/// the value has no control character (so no header can be forged with a line break).
pub fn header_is_acceptable(name: &str, value: &str) -> bool {
    const RESERVED: &[&str] = &["from", "to", "cc", "bcc", "subject", "date", "message-id", "content-type", "mime-version", "content-transfer-encoding"];
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !RESERVED.contains(&name.to_ascii_lowercase().as_str())
        && value.chars().count() <= MAX_HEADER_LEN
        && !value.chars().any(char::is_control)
}

/// The INSERT of a message's extra headers (`outbox_headers`, migration 0017).
pub const INSERT_HEADERS_SQL: &str = "INSERT INTO outbox_headers (outbox_id, headers) VALUES (?, ?)";

/// [`enqueue`] with extra mail headers for the e-mail (for example RFC 8058
/// `List-Unsubscribe` and `List-Unsubscribe-Post`), stored beside the message and sent
/// with it by the notifications component. Call it inside your own transaction. A
/// header that is not acceptable ([`header_is_acceptable`]) is a bug of the caller: 500.
pub fn enqueue_with_headers(db: &dyn Db, msg: &Message, headers: &BTreeMap<String, String>, now: i64) -> Result<i64, ApiError> {
    if msg.channel != Channel::Email && !headers.is_empty() {
        return Err(ApiError::internal("outbox: headers on a message that is not an e-mail"));
    }
    if let Some((name, _)) = headers.iter().find(|(n, v)| !header_is_acceptable(n, v)) {
        return Err(ApiError::internal(format!("outbox: header `{name}` is not acceptable")));
    }
    let id = enqueue(db, msg, now)?;
    if !headers.is_empty() {
        let json = serde_json::to_string(headers).map_err(ApiError::internal)?;
        db.execute(INSERT_HEADERS_SQL, params![id, json])?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn renders_the_activation_email() {
        let r = render(ACTIVATION, Channel::Email, &params(&[("name", "Maria"), ("link", "https://lavoro.example/attiva?t=abc"), ("hours", "48")])).unwrap();
        assert_eq!(r.subject, "Attiva il tuo profilo su Toscana Lavoro");
        assert!(r.body.starts_with("Gentile Maria,"), "{}", r.body);
        assert!(r.body.contains("\nhttps://lavoro.example/attiva?t=abc\n"), "{}", r.body);
        assert!(r.body.contains("48 ore"));
        assert!(!r.body.contains("{{") && !r.body.contains("Oggetto"));
    }

    #[test]
    fn renders_the_otp_sms_within_one_message() {
        let r = render(OTP, Channel::Sms, &params(&[("code", "123456"), ("minutes", "10")])).unwrap();
        assert_eq!(r.subject, "");
        assert!(r.body.starts_with("Toscana Lavoro: il tuo codice di verifica è 123456. Scade tra 10 minuti."), "{}", r.body);
        assert!(r.body.chars().count() <= 160, "one SMS: {} characters", r.body.chars().count());
    }

    #[test]
    fn a_missing_parameter_is_an_error_not_a_blank() {
        let e = render(ACTIVATION, Channel::Email, &params(&[("name", "Maria"), ("hours", "48")])).unwrap_err();
        assert_eq!(e, OutboxError::MissingParam { template: "activation".into(), param: "link".into() });
        let e = render(OTP, Channel::Sms, &BTreeMap::new()).unwrap_err();
        assert!(matches!(e, OutboxError::MissingParam { ref param, .. } if param == "code"), "{e}");
        // the API error is a logged 500, not a message to the citizen about templates
        assert_eq!(ApiError::from(e).status, 500);
    }

    #[test]
    fn unknown_templates_and_channels_are_errors() {
        assert!(matches!(render("nope", Channel::Email, &BTreeMap::new()), Err(OutboxError::UnknownTemplate { .. })));
        assert!(matches!(render(ACTIVATION, Channel::Sms, &BTreeMap::new()), Err(OutboxError::UnknownTemplate { .. })));
    }

    #[test]
    fn parameter_values_cannot_inject_lines_or_placeholders() {
        let base = [("code", "1"), ("minutes", "5")];
        for (bad, reason) in [("Mario\r\nBcc: x@evil.test", "control characters"), ("{{code}}", "contains `{{`")] {
            let mut p = params(&base);
            p.insert("name".into(), bad.into());
            assert_eq!(render(OTP, Channel::Email, &p).unwrap_err(), OutboxError::InvalidParam { param: "name".into(), reason });
        }
        let mut p = params(&base);
        p.insert("name".into(), "x".repeat(MAX_PARAM_LEN + 1));
        assert!(matches!(render(OTP, Channel::Email, &p), Err(OutboxError::InvalidParam { reason: "too long", .. })));
        // extra parameters are ignored; accents and apostrophes are kept as they are
        let mut p = params(&base);
        p.extend(params(&[("name", "Niccolò D'Ambrosio"), ("unused", "x")]));
        assert!(render(OTP, Channel::Email, &p).unwrap().body.starts_with("Gentile Niccolò D'Ambrosio,"));
    }

    #[test]
    fn placeholders_of_every_template() {
        let names = |t, c| placeholders(t, c).unwrap();
        assert_eq!(names(ACTIVATION, Channel::Email), ["hours", "link", "name"]);
        assert_eq!(names(OTP, Channel::Sms), ["code", "minutes"]);
        assert_eq!(names(OTP, Channel::Email), ["code", "minutes", "name"]);
        assert_eq!(names(EMAIL_VERIFICATION, Channel::Email), ["link", "minutes", "name"]);
    }

    #[test]
    fn every_template_file_is_registered_and_renders() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("messages");
        let mut files: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        files.sort();
        let mut registered: Vec<String> = TEMPLATES.iter().map(|(id, ch, _)| format!("{id}.{}.txt", ch.as_str())).collect();
        registered.sort();
        assert_eq!(files, registered, "every messages/<id>.<channel>.txt is listed in TEMPLATES, and only those");
        for (id, channel, _) in TEMPLATES {
            let p: BTreeMap<String, String> =
                placeholders(id, *channel).unwrap().into_iter().map(|n| (n.clone(), format!("<{n}>"))).collect();
            let r = render(id, *channel, &p).unwrap_or_else(|e| panic!("{id}.{}: {e}", channel.as_str()));
            assert!(!r.body.contains("{{") && !r.body.contains("}}"), "{id}");
        }
    }

    #[test]
    fn malformed_templates_are_reported() {
        for (text, reason) in [("a {{ b", "unclosed"), ("a {{B}}", "bad placeholder"), ("a }} b", "stray"), ("a }} {{b}}", "stray"), ("{{}}", "bad placeholder")] {
            match pieces("t", text) {
                Err(OutboxError::MalformedTemplate { reason: r, .. }) => assert!(r.contains(reason), "{text}: {r}"),
                _ => panic!("{text} should be malformed"),
            }
        }
        assert!(pieces("t", "Ciao {{ name }}!").is_ok(), "spaces inside the braces are allowed");
    }

    #[test]
    fn extra_headers_cannot_forge_others() {
        assert!(header_is_acceptable("List-Unsubscribe", "<https://lavoro.example/ricerche/disiscrizione/abc>"));
        assert!(header_is_acceptable("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"));
        for (name, value) in [("Bcc", "x@evil.test"), ("X-A", "a\r\nBcc: x@evil.test"), ("X A", "v"), ("", "v"), ("Subject", "x")] {
            assert!(!header_is_acceptable(name, value), "{name}: {value}");
        }
        assert!(!header_is_acceptable("X-Long", &"a".repeat(MAX_HEADER_LEN + 1)));
    }

    #[test]
    fn recipients() {
        for ok in ["mario.rossi@example.org", "a+b@sub.example.it"] {
            assert!(recipient_is_plausible(Channel::Email, ok), "{ok}");
        }
        for bad in ["", "mario", "@example.org", "mario@", "mario@example", "ma rio@example.org", "a@b@example.org", "a@.example.org"] {
            assert!(!recipient_is_plausible(Channel::Email, bad), "{bad}");
        }
        for ok in ["+393331234567", "3331234567"] {
            assert!(recipient_is_plausible(Channel::Sms, ok), "{ok}");
        }
        for bad in ["", "+39 333 1234567", "333-1234567", "+12345", "+1234567890123456"] {
            assert!(!recipient_is_plausible(Channel::Sms, bad), "{bad}");
        }
    }

    #[test]
    fn prepare_checks_renders_and_keeps_the_parameters() {
        let msg = Message::new(Channel::Sms, "+393331234567", OTP).param("code", "424242").param("minutes", "10").person(7);
        let row = prepare(&msg, 1_700_000_000).unwrap();
        assert_eq!(row.params, r#"{"code":"424242","minutes":"10"}"#);
        assert!(row.body.contains("424242"));
        assert_eq!((row.person_id, row.created_at, row.channel), (Some(7), 1_700_000_000, Channel::Sms));
        let bad = Message::new(Channel::Sms, "not a phone", OTP);
        let e = ApiError::from(prepare(&bad, 0).unwrap_err());
        assert_eq!((e.status, e.code), (400, "invalid_recipient"));
    }
}
