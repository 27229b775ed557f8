//! AuthnRequest and LogoutRequest, with the HTTP-Redirect and HTTP-POST bindings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::dsig::{DsigError, SIGNATURE_MARK, sign_enveloped};
use crate::keys::{SigAlg, SigningKey};
use crate::xml::{ENTITY, TRANSIENT, esc, instant};

/// The SPID assurance levels (CIE uses the same class references).
pub fn level_uri(level: u8) -> String {
    format!("https://www.spid.gov.it/SpidL{level}")
}

/// What the SP asks an IdP for.
#[derive(Debug, Clone)]
pub struct AuthnRequest<'a> {
    pub id: &'a str,
    pub issue_instant: i64,
    pub destination: &'a str,
    pub sp_entity_id: &'a str,
    pub level: u8,
    pub acs_index: u32,
    pub attribute_index: u32,
}

impl AuthnRequest<'_> {
    /// The request's XML; `signed` leaves the enveloped-signature mark after the Issuer.
    pub fn xml(&self, signed: bool) -> String {
        // SPID: ForceAuthn is mandatory above level 1
        let force = if self.level > 1 { r#" ForceAuthn="true""# } else { "" };
        format!(
            r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{ii}" Destination="{dest}"{force} AssertionConsumerServiceIndex="{acs}" AttributeConsumingServiceIndex="{attr}"><saml:Issuer Format="{ENTITY}" NameQualifier="{sp}">{sp}</saml:Issuer>{mark}<samlp:NameIDPolicy Format="{TRANSIENT}"/><samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>{level}</saml:AuthnContextClassRef></samlp:RequestedAuthnContext></samlp:AuthnRequest>"#,
            id = esc(self.id),
            ii = instant(self.issue_instant),
            dest = esc(self.destination),
            acs = self.acs_index,
            attr = self.attribute_index,
            sp = esc(self.sp_entity_id),
            mark = if signed { SIGNATURE_MARK } else { "" },
            level = level_uri(self.level),
        )
    }
}

/// A LogoutRequest for the session `name_id` / `session_index` the IdP gave us.
pub struct LogoutRequest<'a> {
    pub id: &'a str,
    pub issue_instant: i64,
    pub destination: &'a str,
    /// who sends it: our entity ID, or an IdP's when it starts the logout
    pub issuer: &'a str,
    pub name_id: &'a str,
    pub name_qualifier: &'a str,
    pub session_index: Option<&'a str>,
}

impl LogoutRequest<'_> {
    pub fn xml(&self) -> String {
        let session = self
            .session_index
            .map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", esc(s)))
            .unwrap_or_default();
        format!(
            r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{ii}" Destination="{dest}"><saml:Issuer Format="{ENTITY}" NameQualifier="{sp}">{sp}</saml:Issuer><saml:NameID Format="{TRANSIENT}" NameQualifier="{nq}">{nid}</saml:NameID>{session}</samlp:LogoutRequest>"#,
            id = esc(self.id),
            ii = instant(self.issue_instant),
            dest = esc(self.destination),
            sp = esc(self.issuer),
            nq = esc(self.name_qualifier),
            nid = esc(self.name_id),
        )
    }
}

/// Percent-encoding as Python's `quote_plus` (and so spid-sp-test and most IdPs)
/// rebuild the signed query: unreserved `A-Za-z0-9_.-~`, space as `+`.
pub fn quote_plus(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The HTTP-Redirect binding: `location?SAMLRequest=…&RelayState=…&SigAlg=…&Signature=…`
/// with the message raw-DEFLATEd and the query string signed.
pub fn redirect_url(location: &str, param: &str, xml: &str, relay_state: &str, key: &SigningKey, alg: SigAlg) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(xml.as_bytes(), 9);
    let mut query = format!("{param}={}", quote_plus(&STANDARD.encode(deflated)));
    if !relay_state.is_empty() {
        query.push_str(&format!("&RelayState={}", quote_plus(relay_state)));
    }
    query.push_str(&format!("&SigAlg={}", quote_plus(alg.uri())));
    let signature = STANDARD.encode(key.sign(alg, query.as_bytes()));
    let sep = if location.contains('?') { '&' } else { '?' };
    format!("{location}{sep}{query}&Signature={}", quote_plus(&signature))
}

/// The HTTP-POST binding: the message signed inside (enveloped) and base64-encoded,
/// ready for an auto-submitting form.
pub fn post_payload(xml_with_mark: &str, id: &str, key: &SigningKey, alg: SigAlg) -> Result<String, DsigError> {
    Ok(STANDARD.encode(sign_enveloped(xml_with_mark, id, key, alg)?))
}

/// Decodes a Redirect-binding message (base64 of raw DEFLATE), refusing anything that
/// inflates beyond `max` bytes.
pub fn inflate_redirect(b64: &str, max: usize) -> Option<String> {
    let raw = STANDARD.decode(b64.trim()).ok()?;
    let xml = miniz_oxide::inflate::decompress_to_vec_with_limit(&raw, max).ok()?;
    String::from_utf8(xml).ok()
}

/// Checks a Redirect-binding signature: `signed` is the query's
/// `param=…&RelayState=…&SigAlg=…` exactly as received (still percent-encoded).
pub fn verify_redirect(signed: &str, sig_alg: &str, signature_b64: &str, certs: &[crate::TrustedCert]) -> bool {
    let (Some(alg), Ok(sig)) = (SigAlg::from_uri(sig_alg), STANDARD.decode(signature_b64.trim())) else { return false };
    certs.iter().any(|c| c.verify(alg, signed.as_bytes(), &sig))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsig::tests::key;

    fn request(level: u8) -> String {
        AuthnRequest {
            id: "_abc",
            issue_instant: 1_795_000_000,
            destination: "https://idp.example/sso",
            sp_entity_id: "https://lavoro.example",
            level,
            acs_index: 0,
            attribute_index: 0,
        }
        .xml(false)
    }

    #[test]
    fn force_authn_only_above_level_one() {
        assert!(!request(1).contains("ForceAuthn"));
        assert!(request(2).contains(r#"ForceAuthn="true""#) && request(2).contains("SpidL2"));
        assert!(request(3).contains("NameQualifier=\"https://lavoro.example\""));
    }

    #[test]
    fn quote_plus_matches_python() {
        assert_eq!(quote_plus("a b+c/d=e:f#g~h*"), "a+b%2Bc%2Fd%3De%3Af%23g~h%2A");
    }

    #[test]
    fn redirect_binding_round_trips_and_its_signature_verifies() {
        let sp = key("sp");
        let url = redirect_url("https://idp.example/sso", "SAMLRequest", &request(2), "r1", &sp, SigAlg::RsaSha256);
        let query = url.split_once('?').unwrap().1;
        let (signed, signature) = query.rsplit_once("&Signature=").unwrap();
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        assert_eq!(params.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["SAMLRequest", "RelayState", "SigAlg", "Signature"]);
        assert_eq!(inflate_redirect(&params[0].1, 1 << 20).unwrap(), request(2));
        let signature = form_urlencoded::parse(format!("s={signature}").as_bytes()).next().unwrap().1.into_owned();
        let trusted = [sp.certificate().clone()];
        assert!(verify_redirect(signed, SigAlg::RsaSha256.uri(), &signature, &trusted));
        assert!(!verify_redirect(&signed.replace("r1", "r2"), SigAlg::RsaSha256.uri(), &signature, &trusted));
        assert!(!verify_redirect(signed, SigAlg::RsaSha256.uri(), &signature, &[key("other").certificate().clone()]));
        assert_eq!(inflate_redirect(&params[0].1, 100), None, "bounded inflation");
    }

    #[test]
    fn post_binding_signs_inside_after_the_issuer() {
        let sp = key("sp");
        let xml = AuthnRequest { id: "_p1", issue_instant: 1, destination: "d", sp_entity_id: "e", level: 1, acs_index: 0, attribute_index: 0 }.xml(true);
        let b64 = post_payload(&xml, "_p1", &sp, SigAlg::RsaSha256).unwrap();
        let signed = String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap();
        assert!(signed.contains("</saml:Issuer><ds:Signature"));
        let doc = xml_sec::Document::parse(&signed).unwrap();
        assert_eq!(crate::dsig::verify_enveloped(&doc, doc.root_element(), &[sp.certificate().clone()]), Ok(()));
    }
}
