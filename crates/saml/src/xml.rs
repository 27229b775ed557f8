//! Small XML helpers: escaping for the documents we write, element lookup and SAML
//! time values for the ones we read.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const MD_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
pub const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const SPID_NS: &str = "https://spid.gov.it/saml-extensions";
pub const CIE_NS: &str = "https://www.cartaidentita.interno.gov.it/saml-extensions";
pub const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
pub const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
pub const TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
pub const ENTITY: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

/// Escapes text for an XML attribute value or element content.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole text content of a signed element, trimmed: every text child joined. An
/// element whose content holds a comment, a processing instruction or an element is
/// refused: exclusive canonicalisation drops comments, so the signature would still
/// verify while a reader of the first text node alone (`Nic<!---->colò` read as `Nic`)
/// would see another value than the IdP signed (the comment-truncation class of SAML
/// bugs).
pub fn signed_text(n: xml_sec::Node<'_, '_>) -> Result<String, String> {
    let mut out = String::new();
    for c in n.children() {
        if c.is_text() {
            out.push_str(c.text().unwrap_or(""));
        } else {
            return Err(format!("{} holds a comment, an element or a processing instruction", n.tag_name().name()));
        }
    }
    Ok(out.trim().to_string())
}

/// SAML's instant format, UTC, whole seconds: `2026-11-23T10:00:00Z`.
pub fn instant(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
}

/// Parses an `xs:dateTime` as SAML uses it (UTC, `Z`, optional fraction); `None` otherwise.
pub fn parse_instant(s: &str) -> Option<i64> {
    if !s.ends_with('Z') {
        return None;
    }
    OffsetDateTime::parse(s, &Rfc3339).ok().map(|t| t.unix_timestamp())
}

/// A fresh SAML ID: `_` and 32 random hex digits (128 bits).
pub fn new_id() -> String {
    let bytes: [u8; 16] = crate::keys::random_bytes();
    let mut id = String::from("_");
    for b in bytes {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_and_reject_local_times() {
        assert_eq!(instant(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(parse_instant("2026-11-18T11:06:40Z"), Some(1_795_000_000));
        assert_eq!(parse_instant("2026-11-18T11:06:40.123Z"), Some(1_795_000_000));
        assert_eq!(parse_instant("2026-11-18T11:06:40+01:00"), None);
        assert_eq!(parse_instant("2026-11-18"), None);
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        let id = new_id();
        assert!(id.len() == 33 && id.starts_with('_') && id != new_id());
    }
}
