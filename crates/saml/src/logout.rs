//! Single logout started by the IdP: the LogoutRequest it sends to our
//! SingleLogoutService, and the LogoutResponse we answer with.
//!
//! The signature is checked by the caller (Redirect binding: the query string; POST
//! binding: [`crate::dsig::verify_enveloped`] on the root element); here we check the
//! message itself.

use xml_sec::Document;

use crate::dsig::{child, ids_are_unique, is};
use crate::xml::{ENTITY, SAML_NS, SAMLP_NS, esc, instant, parse_instant, signed_text};

/// A LogoutRequest from an IdP, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpLogoutRequest {
    pub id: String,
    pub issuer: String,
    pub name_id: String,
    pub session_indexes: Vec<String>,
}

/// What the LogoutRequest must match.
pub struct Expect<'a> {
    /// our SingleLogoutService URL
    pub destination: &'a str,
    pub now: i64,
    pub skew: i64,
}

/// Largest request lifetime we accept when the IdP sets no `NotOnOrAfter`.
const MAX_AGE: i64 = 5 * 60;

/// Parses and checks a LogoutRequest (not its signature: see the module's doc).
pub fn parse_request(xml: &str, e: &Expect) -> Result<IdpLogoutRequest, String> {
    let doc = Document::parse(xml).map_err(|_| "not well-formed XML".to_string())?;
    if !ids_are_unique(&doc) {
        return Err("duplicate IDs".into());
    }
    let root = doc.root_element();
    if !is(root, SAMLP_NS, "LogoutRequest") {
        return Err("not a LogoutRequest".into());
    }
    let attr = |n: &str| root.attribute(n).map(str::trim).filter(|v| !v.is_empty());
    let id = attr("ID").ok_or("ID missing")?;
    if attr("Version") != Some("2.0") {
        return Err("Version must be 2.0".into());
    }
    if attr("Destination") != Some(e.destination) {
        return Err(format!("Destination is not {}", e.destination));
    }
    let issued = attr("IssueInstant").and_then(parse_instant).ok_or("IssueInstant missing or not a UTC instant")?;
    if issued > e.now + e.skew || issued < e.now - MAX_AGE - e.skew {
        return Err("IssueInstant outside the accepted window".into());
    }
    if let Some(v) = attr("NotOnOrAfter") {
        let t = parse_instant(v).ok_or("NotOnOrAfter is not a UTC instant")?;
        if e.now >= t + e.skew {
            return Err("expired (NotOnOrAfter)".into());
        }
    }
    let issuer = child(root, SAML_NS, "Issuer").map(signed_text).transpose()?.filter(|v| !v.is_empty()).ok_or("Issuer missing")?;
    let name_id = child(root, SAML_NS, "NameID").map(signed_text).transpose()?.filter(|v| !v.is_empty()).ok_or("NameID missing")?;
    let session_indexes = root
        .children()
        .filter(|c| is(*c, SAMLP_NS, "SessionIndex"))
        .map(signed_text)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    Ok(IdpLogoutRequest { id: id.into(), issuer, name_id, session_indexes })
}

/// Our answer to an IdP's LogoutRequest.
pub struct LogoutResponse<'a> {
    pub id: &'a str,
    pub issue_instant: i64,
    pub destination: &'a str,
    pub in_response_to: &'a str,
    /// our entity ID
    pub issuer: &'a str,
    /// `false`: the session could not be ended (status `Responder`)
    pub success: bool,
}

impl LogoutResponse<'_> {
    pub fn xml(&self) -> String {
        let status = if self.success { "Success" } else { "Responder" };
        format!(
            r#"<samlp:LogoutResponse xmlns:samlp="{SAMLP_NS}" xmlns:saml="{SAML_NS}" ID="{id}" Version="2.0" IssueInstant="{ii}" Destination="{dest}" InResponseTo="{irt}"><saml:Issuer Format="{ENTITY}" NameQualifier="{iss}">{iss}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:{status}"/></samlp:Status></samlp:LogoutResponse>"#,
            id = esc(self.id),
            ii = instant(self.issue_instant),
            dest = esc(self.destination),
            irt = esc(self.in_response_to),
            iss = esc(self.issuer),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authn::LogoutRequest;

    const NOW: i64 = 1_795_000_000;
    const SLO: &str = "https://portal.example/auth/spid/slo";

    fn request(issue_instant: i64, destination: &str) -> String {
        LogoutRequest {
            id: "_lr1",
            issue_instant,
            destination,
            issuer: "https://idp.example",
            name_id: "_nid",
            name_qualifier: "https://idp.example",
            session_index: Some("_s1"),
        }
        .xml()
    }

    fn expect() -> Expect<'static> {
        Expect { destination: SLO, now: NOW, skew: 30 }
    }

    #[test]
    fn a_good_request_is_read() {
        let r = parse_request(&request(NOW - 2, SLO), &expect()).unwrap();
        assert_eq!(r, IdpLogoutRequest { id: "_lr1".into(), issuer: "https://idp.example".into(), name_id: "_nid".into(), session_indexes: vec!["_s1".into()] });
    }

    #[test]
    fn bad_requests_are_refused() {
        let e = expect();
        assert!(parse_request(&request(NOW, "https://other.example/slo"), &e).unwrap_err().contains("Destination"));
        assert!(parse_request(&request(NOW + 120, SLO), &e).unwrap_err().contains("IssueInstant"));
        assert!(parse_request(&request(NOW - 3600, SLO), &e).unwrap_err().contains("IssueInstant"));
        let expired = request(NOW, SLO).replace(" Destination=", &format!(" NotOnOrAfter=\"{}\" Destination=", instant(NOW - 60)));
        assert!(parse_request(&expired, &e).unwrap_err().contains("NotOnOrAfter"));
        let no_name = request(NOW, SLO).replace(">_nid<", "><");
        assert!(parse_request(&no_name, &e).unwrap_err().contains("NameID"));
        assert!(parse_request("<x", &e).is_err());
        assert!(parse_request(&request(NOW, SLO).replace("LogoutRequest", "AuthnRequest"), &e).unwrap_err().contains("not a LogoutRequest"));
        let dup = request(NOW, SLO).replace("<saml:NameID ", "<saml:NameID ID=\"_lr1\" ");
        assert!(parse_request(&dup, &e).unwrap_err().contains("duplicate"));
        // signed values are read whole: a comment inside one is refused, never skipped
        for (from, to) in [(">_nid<", ">_n<!---->id<"), (">https://idp.example</saml:Issuer>", ">https://idp<!---->.example</saml:Issuer>"), (">_s1<", ">_s<!---->1<")] {
            let split = request(NOW, SLO).replacen(from, to, 1);
            assert!(split.contains(to), "{to}");
            assert!(parse_request(&split, &e).unwrap_err().contains("comment"), "{to}");
        }
    }

    #[test]
    fn the_response_names_us_and_the_request() {
        let x = LogoutResponse { id: "_r", issue_instant: NOW, destination: "https://idp.example/slo", in_response_to: "_lr1", issuer: "https://portal.example", success: true }.xml();
        let doc = Document::parse(&x).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("InResponseTo"), Some("_lr1"));
        assert!(x.contains(r#"NameQualifier="https://portal.example">https://portal.example</saml:Issuer>"#) && x.contains("status:Success"));
    }
}
