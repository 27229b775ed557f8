//! Validation of a SAML Response from a SPID or CIE identity provider.
//!
//! Every rule of the SPID technical rules that concerns the SP is checked; the first
//! broken one is reported (for the log) and the whole response is refused.

use std::collections::BTreeMap;

use xml_sec::{Document, Node};

use crate::authn::level_uri;
use crate::dsig::{child, ids_are_unique, is, verify_enveloped};
use crate::idp::Idp;
use crate::keys::decode_base64;
use crate::xml::{ENTITY, SAML_NS, SAMLP_NS, TRANSIENT, parse_instant};

const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// Responses larger than this are refused before parsing.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// The request we sent, as stored when we sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub request_id: String,
    pub issue_instant: i64,
    pub level: u8,
}

/// Where and when the response is consumed.
pub struct Context<'a> {
    pub sp_entity_id: &'a str,
    pub acs_url: &'a str,
    pub idp: &'a Idp,
    pub now: i64,
    /// Tolerated clock difference with the IdP, seconds.
    pub skew: i64,
    /// Only for test IdPs whose published certificate has expired (spid-sp-test's):
    /// configured per IdP, and logged on every use.
    pub accept_expired_idp_certificate: bool,
    pub required_attributes: &'a [&'a str],
}

/// A person as the IdP asserted them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub attributes: BTreeMap<String, String>,
    pub name_id: String,
    pub name_qualifier: String,
    pub session_index: Option<String>,
    pub level: u8,
    pub assertion_id: String,
    /// Until when the assertion may be presented (replay records can expire then).
    pub not_on_or_after: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The IdP reports a failure; `code` is the SPID anomaly code (19–25) when given.
    IdpError { code: Option<u8>, status: String },
    /// The response breaks a rule.
    Invalid(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::IdpError { code, status } => write!(f, "IdP error {status} (code {code:?})"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

fn bad(why: impl Into<String>) -> Refusal {
    Refusal::Invalid(why.into())
}

/// Decodes the `SAMLResponse` form field.
pub fn decode(saml_response: &str) -> Result<String, Refusal> {
    if saml_response.len() > MAX_RESPONSE_BYTES * 4 / 3 + 4 {
        return Err(bad("response too large"));
    }
    let bytes = decode_base64(saml_response).map_err(|_| bad("SAMLResponse is not base64"))?;
    String::from_utf8(bytes).map_err(|_| bad("SAMLResponse is not UTF-8"))
}

/// The `InResponseTo` of a response, to find the request it answers (not trusted yet).
pub fn in_response_to(xml: &str) -> Option<String> {
    let doc = Document::parse(xml).ok()?;
    let root = doc.root_element();
    is(root, SAMLP_NS, "Response").then(|| root.attribute("InResponseTo").map(str::to_string)).flatten()
}

fn attr<'a>(n: Node<'a, '_>, name: &str, what: &str) -> Result<&'a str, Refusal> {
    n.attribute(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| bad(format!("{what}: {name} missing or empty")))
}

fn one<'a, 'i>(parent: Node<'a, 'i>, ns: &str, name: &str) -> Result<Node<'a, 'i>, Refusal> {
    let mut it = parent.children().filter(|c| is(*c, ns, name));
    let first = it.next().ok_or_else(|| bad(format!("{name} missing")))?;
    if it.next().is_some() {
        return Err(bad(format!("more than one {name}")));
    }
    Ok(first)
}

/// The element's whole text (see [`crate::xml::signed_text`]); a comment inside refuses
/// the response.
fn text(n: Node<'_, '_>) -> Result<String, Refusal> {
    crate::xml::signed_text(n).map_err(bad)
}

fn time(n: Node, name: &str, what: &str) -> Result<i64, Refusal> {
    parse_instant(attr(n, name, what)?).ok_or_else(|| bad(format!("{what}: {name} is not a UTC instant")))
}

/// The IdP's issue instant must not precede our request nor lie in the future.
fn issue_instant(n: Node, what: &str, p: &Pending, c: &Context) -> Result<(), Refusal> {
    let t = time(n, "IssueInstant", what)?;
    if t < p.issue_instant - c.skew || t > c.now + c.skew {
        return Err(bad(format!("{what}: IssueInstant outside the request's lifetime")));
    }
    Ok(())
}

fn issuer(parent: Node, what: &str, idp: &Idp, format_required: bool) -> Result<(), Refusal> {
    let i = one(parent, SAML_NS, "Issuer").map_err(|e| bad(format!("{what}: {e}")))?;
    if text(i)? != idp.entity_id {
        return Err(bad(format!("{what}: Issuer is not the IdP")));
    }
    match i.attribute("Format") {
        Some(ENTITY) => Ok(()),
        None if !format_required => Ok(()),
        _ => Err(bad(format!("{what}: Issuer Format must be entity"))),
    }
}

/// SPID anomaly codes come as `ErrorCode nr19` in the StatusMessage.
fn anomaly_code(message: &str) -> Option<u8> {
    let digits: String = message.split("nr").nth(1)?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Validates `xml` as the answer to `pending` and returns who authenticated.
pub fn validate(xml: &str, pending: &Pending, c: &Context) -> Result<Identity, Refusal> {
    let doc = Document::parse(xml).map_err(|e| bad(format!("not well-formed XML: {e}")))?;
    if !ids_are_unique(&doc) {
        return Err(bad("duplicate IDs (signature wrapping)"));
    }
    let resp = doc.root_element();
    if !is(resp, SAMLP_NS, "Response") {
        return Err(bad("root is not a samlp:Response"));
    }
    attr(resp, "ID", "Response")?;
    if resp.attribute("Version") != Some("2.0") {
        return Err(bad("Response: Version must be 2.0"));
    }
    issue_instant(resp, "Response", pending, c)?;
    if attr(resp, "InResponseTo", "Response")? != pending.request_id {
        return Err(bad("Response: InResponseTo is not our request"));
    }
    if attr(resp, "Destination", "Response")? != c.acs_url {
        return Err(bad("Response: Destination is not our ACS"));
    }

    let status = one(resp, SAMLP_NS, "Status")?;
    let code = one(status, SAMLP_NS, "StatusCode")?;
    let value = attr(code, "Value", "StatusCode")?;
    if value != SUCCESS {
        let message = child(status, SAMLP_NS, "StatusMessage").map(|m| crate::xml::signed_text(m).unwrap_or_default()).unwrap_or_default();
        return Err(Refusal::IdpError { code: anomaly_code(&message), status: value.to_string() });
    }
    issuer(resp, "Response", c.idp, false)?;

    let certs: Vec<_> = c.idp.certs.iter().filter(|k| c.accept_expired_idp_certificate || k.valid_at(c.now)).cloned().collect();
    if certs.is_empty() {
        return Err(bad("the IdP's certificates in our registry have expired"));
    }
    verify_enveloped(&doc, resp, &certs).map_err(|e| bad(format!("Response signature: {e}")))?;

    if resp.children().any(|n| n.is_element() && n.tag_name().name() == "EncryptedAssertion") {
        return Err(bad("encrypted assertions are not expected"));
    }
    let a = one(resp, SAML_NS, "Assertion")?;
    let assertion_id = attr(a, "ID", "Assertion")?.to_string();
    verify_enveloped(&doc, a, &certs).map_err(|e| bad(format!("Assertion signature: {e}")))?;
    if a.attribute("Version") != Some("2.0") {
        return Err(bad("Assertion: Version must be 2.0"));
    }
    issue_instant(a, "Assertion", pending, c)?;
    issuer(a, "Assertion", c.idp, true)?;

    // Subject
    let subject = one(a, SAML_NS, "Subject")?;
    let name_id = one(subject, SAML_NS, "NameID")?;
    let name_id_value = text(name_id)?;
    if name_id_value.is_empty() {
        return Err(bad("NameID empty"));
    }
    if name_id.attribute("Format") != Some(TRANSIENT) {
        return Err(bad("NameID Format must be transient"));
    }
    let name_qualifier = attr(name_id, "NameQualifier", "NameID")?.to_string();
    let confirmation = one(subject, SAML_NS, "SubjectConfirmation")?;
    if confirmation.attribute("Method") != Some(BEARER) {
        return Err(bad("SubjectConfirmation Method must be bearer"));
    }
    let data = one(confirmation, SAML_NS, "SubjectConfirmationData")?;
    if attr(data, "Recipient", "SubjectConfirmationData")? != c.acs_url {
        return Err(bad("SubjectConfirmationData: Recipient is not our ACS"));
    }
    if attr(data, "InResponseTo", "SubjectConfirmationData")? != pending.request_id {
        return Err(bad("SubjectConfirmationData: InResponseTo is not our request"));
    }
    let confirmation_end = time(data, "NotOnOrAfter", "SubjectConfirmationData")?;
    if c.now - c.skew >= confirmation_end {
        return Err(bad("SubjectConfirmationData expired"));
    }

    // Conditions
    let conditions = one(a, SAML_NS, "Conditions")?;
    let not_before = time(conditions, "NotBefore", "Conditions")?;
    let not_on_or_after = time(conditions, "NotOnOrAfter", "Conditions")?;
    if not_before > c.now + c.skew || c.now - c.skew >= not_on_or_after {
        return Err(bad("Conditions: assertion not valid now"));
    }
    let restriction = one(conditions, SAML_NS, "AudienceRestriction")?;
    let audience = one(restriction, SAML_NS, "Audience")?;
    if text(audience)? != c.sp_entity_id {
        return Err(bad("Audience is not this SP"));
    }

    // Authentication level
    let statement = one(a, SAML_NS, "AuthnStatement")?;
    let context = one(statement, SAML_NS, "AuthnContext")?;
    let class = text(one(context, SAML_NS, "AuthnContextClassRef")?)?;
    let level = (1..=3).find(|l| level_uri(*l) == class).ok_or_else(|| bad(format!("unknown AuthnContextClassRef {class:?}")))?;
    if level < pending.level {
        return Err(bad(format!("authenticated at level {level}, requested {}", pending.level)));
    }
    let session_index = statement.attribute("SessionIndex").map(str::to_string);

    // Attributes
    let statement = one(a, SAML_NS, "AttributeStatement")?;
    let mut attributes = BTreeMap::new();
    for at in statement.children().filter(|n| is(*n, SAML_NS, "Attribute")) {
        let name = attr(at, "Name", "Attribute")?;
        let mut values = at.children().filter(|n| is(*n, SAML_NS, "AttributeValue"));
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(bad(format!("attribute {name} must have exactly one value")));
        };
        if attributes.insert(name.to_string(), text(value)?).is_some() {
            return Err(bad(format!("attribute {name} given twice")));
        }
    }
    if attributes.is_empty() {
        return Err(bad("no attributes"));
    }
    if let Some(missing) = c.required_attributes.iter().find(|a| !attributes.contains_key(**a)) {
        return Err(bad(format!("required attribute {missing} missing")));
    }
    Ok(Identity {
        attributes,
        name_id: name_id_value,
        name_qualifier,
        session_index,
        level,
        assertion_id,
        not_on_or_after: not_on_or_after.max(confirmation_end),
    })
}

/// What to tell a person whose IdP reported a SPID anomaly (SPID technical rules,
/// "Tabella messaggi di anomalia"): codes 19–25 must be shown with a specific message.
pub fn anomaly_message(code: Option<u8>) -> &'static str {
    match code {
        Some(19) => "Autenticazione fallita per ripetuta sottomissione di credenziali errate: hai superato il numero di tentativi consentiti.",
        Some(20) => "La tua identità digitale non ha credenziali del livello di sicurezza richiesto da questo servizio.",
        Some(21) => "Il tempo a disposizione per completare l'autenticazione è scaduto.",
        Some(22) => "Non hai dato il consenso all'invio dei tuoi dati al servizio.",
        Some(23) => "La tua identità digitale risulta sospesa o revocata. Rivolgiti al tuo gestore di identità.",
        Some(25) => "Hai annullato l'autenticazione.",
        _ => "Il gestore dell'identità digitale non ha completato l'autenticazione.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsig::tests::key;
    use crate::issue::{Assertion, error_response, sign_xml};

    const NOW: i64 = 1_800_000_000;
    const ACS: &str = "https://lavoro.example/auth/spid/acs";
    const SP: &str = "https://lavoro.example";

    fn idp() -> Idp {
        Idp {
            entity_id: "https://idp.example".into(),
            name: "IdP".into(),
            sso_redirect: Some("https://idp.example/sso".into()),
            sso_post: None,
            slo_redirect: None,
            slo_post: None,
            certs: vec![key("idp").certificate().clone()],
        }
    }

    fn assertion() -> Assertion {
        Assertion {
            idp_entity_id: "https://idp.example".into(),
            sp_entity_id: SP.into(),
            acs_url: ACS.into(),
            in_response_to: "_req1".into(),
            now: NOW,
            level: 2,
            name_id: "  _nid1\n ".into(),
            session_index: "_s1".into(),
            attributes: [("fiscalNumber", "TINIT-RSSMRA80A01D612J"), ("name", "Mario"), ("familyName", "Rossi"), ("dateOfBirth", "1980-01-01")]
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    fn pending() -> Pending {
        Pending { request_id: "_req1".into(), issue_instant: NOW, level: 2 }
    }

    fn check(xml: &str) -> Result<Identity, Refusal> {
        let idp = idp();
        let c = Context {
            sp_entity_id: SP,
            acs_url: ACS,
            idp: &idp,
            now: NOW + 5,
            skew: 60,
            accept_expired_idp_certificate: false,
            required_attributes: crate::metadata::REQUIRED_ATTRIBUTES,
        };
        validate(xml, &pending(), &c)
    }

    /// The unsigned document, altered by `f`, then signed by `signer`.
    fn altered(f: impl Fn(String) -> String, signer: &str) -> String {
        sign_xml(&f(assertion().xml("_r", "_a")), "_r", "_a", &key(signer)).unwrap()
    }

    #[test]
    fn a_valid_response_logs_the_person_in() {
        let id = check(&altered(|x| x, "idp")).unwrap();
        assert_eq!(id.attributes["fiscalNumber"], "TINIT-RSSMRA80A01D612J");
        assert_eq!((id.name_id.as_str(), id.level, id.session_index.as_deref()), ("_nid1", 2, Some("_s1")));
        assert_eq!(id.assertion_id, "_a");
        // an XML declaration and a higher level than requested are fine
        assert!(check(&format!("<?xml version=\"1.0\"?>\n{}", altered(|x| x.replace("SpidL2", "SpidL3"), "idp"))).is_ok());
        // and the demo IdP's own output validates
        let signed = assertion().signed(&key("idp")).unwrap();
        assert!(check(&signed).is_ok());
    }

    #[test]
    fn each_rule_broken_alone_is_refused() {
        let cases: &[(&str, &str, &str)] = &[
            ("Version=\"2.0\" IssueInstant", "Version=\"1.0\" IssueInstant", "Version"),
            ("Destination=\"https://lavoro.example/auth/spid/acs\"", "Destination=\"https://evil.example/acs\"", "Destination"),
            (" Destination=\"https://lavoro.example/auth/spid/acs\"", "", "Destination"),
            ("InResponseTo=\"_req1\">", "InResponseTo=\"_other\">", "InResponseTo"),
            ("IssueInstant=\"2027-01-15T08:00:00Z\" Destination", "IssueInstant=\"2018-01-01T00:00:00Z\" Destination", "IssueInstant"),
            ("IssueInstant=\"2027-01-15T08:00:00Z\" Destination", "IssueInstant=\"2099-01-01T00:00:00Z\" Destination", "IssueInstant"),
            ("IssueInstant=\"2027-01-15T08:00:00Z\" Destination", "IssueInstant=\"2026-11-18\" Destination", "IssueInstant"),
            ("<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>", "<samlp:Status/>", "StatusCode"),
            ("<saml:Issuer Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">https://idp.example</saml:Issuer><!--response", "<saml:Issuer>https://evil.example</saml:Issuer><!--response", "Issuer"),
            ("<saml:Issuer Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">https://idp.example</saml:Issuer><!--response", "<saml:Issuer Format=\"x\">https://idp.example</saml:Issuer><!--response", "Format"),
            ("Version=\"2.0\" IssueInstant=\"2027-01-15T08:00:00Z\"><saml:Issuer", "Version=\"2.0\" IssueInstant=\"2000-01-01T00:00:00Z\"><saml:Issuer", "Assertion: IssueInstant"),
            ("Version=\"2.0\" IssueInstant=\"2027-01-15T08:00:00Z\"><saml:Issuer", "Version=\"1.0\" IssueInstant=\"2027-01-15T08:00:00Z\"><saml:Issuer", "Assertion: Version"),
            ("<saml:Issuer Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">https://idp.example</saml:Issuer><!--ds", "<saml:Issuer>https://idp.example</saml:Issuer><!--ds", "Assertion: Issuer Format"),
            ("Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:transient\"", "Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\"", "transient"),
            (" NameQualifier=\"https://idp.example\"", "", "NameQualifier"),
            ("  _nid1\n ", "", "NameID empty"),
            ("cm:bearer", "cm:holder-of-key", "bearer"),
            ("Recipient=\"https://lavoro.example/auth/spid/acs\"", "Recipient=\"https://evil.example\"", "Recipient"),
            ("InResponseTo=\"_req1\" NotOnOrAfter", "InResponseTo=\"_x\" NotOnOrAfter", "SubjectConfirmationData: InResponseTo"),
            ("InResponseTo=\"_req1\" NotOnOrAfter=\"2027-01-15T08:05:00Z\"", "InResponseTo=\"_req1\" NotOnOrAfter=\"2000-01-01T00:00:00Z\"", "expired"),
            ("NotBefore=\"2027-01-15T08:00:00Z\"", "NotBefore=\"2099-01-01T00:00:00Z\"", "not valid now"),
            ("<saml:Audience>https://lavoro.example</saml:Audience>", "<saml:Audience>https://other.example</saml:Audience>", "Audience"),
            ("<saml:AudienceRestriction><saml:Audience>https://lavoro.example</saml:Audience></saml:AudienceRestriction>", "", "AudienceRestriction"),
            ("SpidL2", "SpidL1", "level 1"),
            ("https://www.spid.gov.it/SpidL2", "urn:oasis:names:tc:SAML:2.0:ac:classes:SpidL2", "AuthnContextClassRef"),
            ("<saml:Attribute Name=\"fiscalNumber\">", "<saml:Attribute Name=\"spidCode\">", "fiscalNumber"),
            ("<saml:AttributeValue xsi:type=\"xs:string\">Mario</saml:AttributeValue>", "", "exactly one value"),
        ];
        for (from, to, why) in cases {
            let xml = assertion().xml("_r", "_a");
            assert!(xml.contains(from), "case {why}: {from} not in template");
            let result = check(&sign_xml(&xml.replacen(from, to, 1), "_r", "_a", &key("idp")).unwrap());
            match result {
                Err(Refusal::Invalid(e)) => assert!(e.contains(why), "case {why}: refused for another reason: {e}"),
                other => panic!("case {why}: {other:?}"),
            }
        }
    }

    /// Exclusive canonicalisation drops comments, so a comment inside a signed value
    /// keeps the signature valid: reading only the text before it would log in someone
    /// else (`RSSMRA80A01D612J<!---->X`, `Mario<!---->Rossi`). Each value is read whole or
    /// the response is refused.
    #[test]
    fn a_comment_inside_a_signed_value_is_refused_never_truncated() {
        let template = assertion().xml("_r", "_a");
        // (what, the value as written, the same value split by a comment)
        let mut cases: Vec<(String, String, String)> = assertion()
            .attributes
            .iter()
            .map(|(name, v)| {
                let (head, tail) = v.split_at(v.len() / 2);
                (name.to_string(), format!(">{v}</saml:AttributeValue>"), format!(">{head}<!---->{tail}</saml:AttributeValue>"))
            })
            .collect();
        assert_eq!(cases.len(), 4);
        cases.push(("NameID".into(), "_nid1".into(), "_nid<!--x-->1".into()));
        cases.push(("Audience".into(), ">https://lavoro.example</saml:Audience>".into(), ">https://lavoro<!---->.example</saml:Audience>".into()));
        for (what, from, to) in &cases {
            assert!(template.contains(from.as_str()), "{what}: {from}");
            let xml = sign_xml(&template.replacen(from.as_str(), to, 1), "_r", "_a", &key("idp")).unwrap();
            match check(&xml) {
                Err(Refusal::Invalid(e)) => assert!(e.contains("comment"), "{what}: refused for another reason: {e}"),
                other => panic!("{what}: {other:?}"),
            }
        }
        // text split by a CDATA section is still one value, read whole
        let split = template.replacen(">Mario</saml:AttributeValue>", "><![CDATA[Ma]]>rio</saml:AttributeValue>", 1);
        let id = check(&sign_xml(&split, "_r", "_a", &key("idp")).unwrap()).unwrap();
        assert_eq!(id.attributes["name"], "Mario");
        // and a second value of an attribute is refused rather than ignored
        let twice = template.replacen(">Mario</saml:AttributeValue>", ">Mario</saml:AttributeValue><saml:AttributeValue>Luigi</saml:AttributeValue>", 1);
        assert!(matches!(check(&sign_xml(&twice, "_r", "_a", &key("idp")).unwrap()), Err(Refusal::Invalid(e)) if e.contains("exactly one value")));
    }

    #[test]
    fn signatures_must_be_both_present_and_from_the_idp() {
        let unsigned = assertion().xml("_r", "_a");
        assert!(matches!(check(&unsigned), Err(Refusal::Invalid(e)) if e.contains("Response signature: no signature")));
        // Response signed, Assertion not
        let only_response = crate::dsig::sign_enveloped(
            &unsigned.replace("<!--ds:Signature-->", "").replace("<!--response-signature-->", "<!--ds:Signature-->"),
            "_r",
            &key("idp"),
            crate::SigAlg::RsaSha256,
        )
        .unwrap();
        assert!(matches!(check(&only_response), Err(Refusal::Invalid(e)) if e.contains("Assertion signature")));
        assert!(matches!(check(&altered(|x| x, "other")), Err(Refusal::Invalid(e)) if e.contains("not made by a trusted key")));
    }

    #[test]
    fn wrapping_and_tampering_are_refused() {
        let good = altered(|x| x, "idp");
        // content changed after signing
        assert!(matches!(check(&good.replace("Mario", "Luigi")), Err(Refusal::Invalid(e)) if e.contains("digest mismatch")));
        // an evil assertion placed first, the signed one moved inside it (XSW): duplicate IDs or wrong structure
        let a_start = good.find("<saml:Assertion").unwrap();
        let a_end = good.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
        let signed_a = &good[a_start..a_end];
        let evil = signed_a.replace("Mario", "Evil");
        let wrapped = format!("{}{}{}", &good[..a_start], evil.replacen("<saml:Subject>", &format!("<saml:Subject>{signed_a}"), 1), &good[a_end..]);
        assert!(check(&wrapped).is_err());
        // two assertions, the second signed
        let twice = format!("{}{}{}", &good[..a_end], signed_a.replace("ID=\"_a\"", "ID=\"_b\""), &good[a_end..]);
        assert!(matches!(check(&twice), Err(Refusal::Invalid(e)) if e.contains("more than one Assertion") || e.contains("digest")));
        // a DTD is never processed
        assert!(check(&format!("<!DOCTYPE x [<!ENTITY e \"x\">]>{good}")).is_err());
    }

    #[test]
    fn idp_errors_carry_the_spid_anomaly_code() {
        let xml = error_response(&assertion(), 22);
        assert_eq!(check(&xml), Err(Refusal::IdpError { code: Some(22), status: "urn:oasis:names:tc:SAML:2.0:status:Responder".into() }));
        assert!(anomaly_message(Some(22)).contains("consenso"));
        assert_eq!(in_response_to(&xml).as_deref(), Some("_req1"));
    }

    #[test]
    fn expired_idp_certificates_are_refused_unless_configured() {
        let good = altered(|x| x, "idp");
        let mut expired = idp();
        expired.certs[0].not_after = NOW - 1;
        let c = |accept| Context {
            sp_entity_id: SP,
            acs_url: ACS,
            idp: &expired,
            now: NOW + 5,
            skew: 60,
            accept_expired_idp_certificate: accept,
            required_attributes: &[],
        };
        assert!(matches!(validate(&good, &pending(), &c(false)), Err(Refusal::Invalid(e)) if e.contains("expired")));
        assert!(validate(&good, &pending(), &c(true)).is_ok());
    }
}
