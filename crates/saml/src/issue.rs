//! The IdP side: a signed SAML Response for an authenticated person. Used by the demo
//! IdP (`test-idp`, development only) and by the tests of [`crate::response`].

use std::collections::BTreeMap;

use crate::authn::level_uri;
use crate::dsig::{DsigError, SIGNATURE_MARK, sign_enveloped};
use crate::keys::{SigAlg, SigningKey};
use crate::xml::{ENTITY, TRANSIENT, esc, instant, new_id};

const RESPONSE_MARK: &str = "<!--response-signature-->";

/// Everything a Response says.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub idp_entity_id: String,
    pub sp_entity_id: String,
    pub acs_url: String,
    pub in_response_to: String,
    pub now: i64,
    pub level: u8,
    pub name_id: String,
    pub session_index: String,
    /// SPID attribute name → value.
    pub attributes: BTreeMap<String, String>,
}

impl Assertion {
    /// The unsigned XML, with marks where the two signatures go.
    pub fn xml(&self, response_id: &str, assertion_id: &str) -> String {
        let attributes: String = self
            .attributes
            .iter()
            .map(|(k, v)| {
                let ty = if k == "dateOfBirth" { "xs:date" } else { "xs:string" };
                format!(r#"<saml:Attribute Name="{}"><saml:AttributeValue xsi:type="{ty}">{}</saml:AttributeValue></saml:Attribute>"#, esc(k), esc(v))
            })
            .collect();
        let (now, until) = (instant(self.now), instant(self.now + 300));
        format!(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{rid}" Version="2.0" IssueInstant="{now}" Destination="{acs}" InResponseTo="{irt}"><saml:Issuer Format="{ENTITY}">{idp}</saml:Issuer>{RESPONSE_MARK}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{aid}" Version="2.0" IssueInstant="{now}"><saml:Issuer Format="{ENTITY}">{idp}</saml:Issuer>{SIGNATURE_MARK}<saml:Subject><saml:NameID Format="{TRANSIENT}" NameQualifier="{idp}">{nid}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="{irt}" NotOnOrAfter="{until}" Recipient="{acs}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{now}" NotOnOrAfter="{until}"><saml:AudienceRestriction><saml:Audience>{sp}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{now}" SessionIndex="{si}"><saml:AuthnContext><saml:AuthnContextClassRef>{level}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion></samlp:Response>"#,
            rid = esc(response_id),
            aid = esc(assertion_id),
            acs = esc(&self.acs_url),
            irt = esc(&self.in_response_to),
            idp = esc(&self.idp_entity_id),
            sp = esc(&self.sp_entity_id),
            nid = esc(&self.name_id),
            si = esc(&self.session_index),
            level = level_uri(self.level),
        )
    }

    /// The signed Response (Assertion signed, then the Response around it).
    pub fn signed(&self, key: &SigningKey) -> Result<String, DsigError> {
        let (rid, aid) = (new_id(), new_id());
        sign_xml(&self.xml(&rid, &aid), &rid, &aid, key)
    }
}

/// Signs an Assertion-then-Response document made by [`Assertion::xml`] (possibly
/// altered by a test).
pub fn sign_xml(xml: &str, response_id: &str, assertion_id: &str, key: &SigningKey) -> Result<String, DsigError> {
    let signed = sign_enveloped(xml, assertion_id, key, SigAlg::RsaSha256)?;
    sign_enveloped(&signed.replacen(RESPONSE_MARK, SIGNATURE_MARK, 1), response_id, key, SigAlg::RsaSha256)
}

/// An unsigned error Response, as IdPs send for SPID anomalies (`ErrorCode nrNN`).
pub fn error_response(a: &Assertion, code: u8) -> String {
    format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{}" Version="2.0" IssueInstant="{}" Destination="{}" InResponseTo="{}"><saml:Issuer Format="{ENTITY}">{}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode><samlp:StatusMessage>ErrorCode nr{code}</samlp:StatusMessage></samlp:Status></samlp:Response>"#,
        new_id(),
        instant(a.now),
        esc(&a.acs_url),
        esc(&a.in_response_to),
        esc(&a.idp_entity_id)
    )
}
