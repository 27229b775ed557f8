//! The SP's own metadata (SPID rules, Avviso SPID n. 29 v3 for public SPs; the CIE
//! variant with its own extensions), signed with the SP key.

use crate::dsig::{DSIG_NS, DsigError, SIGNATURE_MARK, sign_enveloped};
use crate::keys::{SigAlg, SigningKey};
use crate::xml::{CIE_NS, POST_BINDING, REDIRECT_BINDING, SPID_NS, TRANSIENT, esc};

/// Who the SP is. Every value comes from deployment configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpInfo {
    pub entity_id: String,
    pub base_url: String,
    pub organization_name: String,
    pub organization_display_name: String,
    pub organization_url: String,
    pub ipa_code: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// Comune (ISTAT code) of the organisation's seat: CIE asks for it.
    pub municipality: String,
    pub service_name: String,
}

/// SPID or CIE: the same SP, two federations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Federation {
    Spid,
    Cie,
}

impl Federation {
    pub fn path(self) -> &'static str {
        match self {
            Self::Spid => "spid",
            Self::Cie => "cie",
        }
    }
}

/// Attributes we ask for (SPID names; CIE uses the same names).
pub const ATTRIBUTES: &[&str] = &["fiscalNumber", "name", "familyName", "dateOfBirth", "placeOfBirth", "gender", "email", "mobilePhone"];
/// Attributes without which we cannot identify a person.
pub const REQUIRED_ATTRIBUTES: &[&str] = &["fiscalNumber", "name", "familyName"];
/// CIE returns only these.
pub const CIE_ATTRIBUTES: &[&str] = &["fiscalNumber", "name", "familyName", "dateOfBirth"];

impl SpInfo {
    pub fn acs_url(&self, f: Federation) -> String {
        format!("{}/auth/{}/acs", self.base_url.trim_end_matches('/'), f.path())
    }

    pub fn slo_url(&self, f: Federation) -> String {
        format!("{}/auth/{}/slo", self.base_url.trim_end_matches('/'), f.path())
    }

    /// The signed metadata document for `federation`.
    pub fn metadata(&self, f: Federation, key: &SigningKey, id: &str) -> Result<String, DsigError> {
        let attributes: String = match f {
            Federation::Spid => ATTRIBUTES,
            Federation::Cie => CIE_ATTRIBUTES,
        }
        .iter()
        .map(|a| format!(r#"<md:RequestedAttribute Name="{a}"/>"#))
        .collect();
        let lang = |tag: &str, v: &str| format!(r#"<md:{tag} xml:lang="it">{}</md:{tag}>"#, esc(v));
        let contact = match f {
            Federation::Spid => format!(
                r#"<md:ContactPerson contactType="other"><md:Extensions><spid:IPACode>{ipa}</spid:IPACode><spid:Public/></md:Extensions><md:EmailAddress>{mail}</md:EmailAddress><md:TelephoneNumber>{phone}</md:TelephoneNumber></md:ContactPerson>"#,
                ipa = esc(&self.ipa_code),
                mail = esc(&self.contact_email),
                phone = esc(&self.contact_phone),
            ),
            Federation::Cie => format!(
                r#"<md:ContactPerson contactType="administrative"><md:Extensions><cie:Public/><cie:IPACode>{ipa}</cie:IPACode><cie:Municipality>{mun}</cie:Municipality></md:Extensions><md:Company>{org}</md:Company><md:EmailAddress>{mail}</md:EmailAddress><md:TelephoneNumber>{phone}</md:TelephoneNumber></md:ContactPerson>"#,
                ipa = esc(&self.ipa_code),
                mun = esc(&self.municipality),
                org = esc(&self.organization_name),
                mail = esc(&self.contact_email),
                phone = esc(&self.contact_phone),
            ),
        };
        let xml = format!(
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="{DSIG_NS}" xmlns:spid="{SPID_NS}" xmlns:cie="{CIE_NS}" entityID="{entity}" ID="{id}">{SIGNATURE_MARK}<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="true" WantAssertionsSigned="true"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleLogoutService Binding="{REDIRECT_BINDING}" Location="{slo}"/><md:SingleLogoutService Binding="{POST_BINDING}" Location="{slo}"/><md:NameIDFormat>{TRANSIENT}</md:NameIDFormat><md:AssertionConsumerService Binding="{POST_BINDING}" Location="{acs}" index="0" isDefault="true"/><md:AttributeConsumingService index="0">{service}{attributes}</md:AttributeConsumingService></md:SPSSODescriptor><md:Organization>{name}{display}{url}</md:Organization>{contact}</md:EntityDescriptor>"#,
            entity = esc(&self.entity_id),
            id = esc(id),
            cert = key.certificate().base64(),
            slo = esc(&self.slo_url(f)),
            acs = esc(&self.acs_url(f)),
            service = lang("ServiceName", &self.service_name),
            name = lang("OrganizationName", &self.organization_name),
            display = lang("OrganizationDisplayName", &self.organization_display_name),
            url = lang("OrganizationURL", &self.organization_url),
        );
        sign_enveloped(&xml, id, key, SigAlg::RsaSha256)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dsig::tests::key;
    use crate::dsig::verify_enveloped;

    pub fn sp() -> SpInfo {
        SpInfo {
            entity_id: "https://lavoro.example".into(),
            base_url: "https://lavoro.example/".into(),
            organization_name: "Regione Toscana".into(),
            organization_display_name: "Toscana Lavoro".into(),
            organization_url: "https://www.regione.toscana.it".into(),
            ipa_code: "r_toscan".into(),
            contact_email: "spid@example.it".into(),
            contact_phone: "+390550000000".into(),
            municipality: "048017".into(),
            service_name: "Toscana & Lavoro".into(),
        }
    }

    #[test]
    fn metadata_is_signed_and_complete() {
        let k = key("sp");
        for f in [Federation::Spid, Federation::Cie] {
            let xml = sp().metadata(f, &k, "_m1").unwrap();
            let doc = xml_sec::Document::parse(&xml).unwrap();
            assert_eq!(verify_enveloped(&doc, doc.root_element(), &[k.certificate().clone()]), Ok(()));
            let acs = format!(r#"Location="https://lavoro.example/auth/{}/acs" index="0" isDefault="true""#, f.path());
            assert!(xml.contains(&acs), "{xml}");
            assert!(xml.contains("Toscana &amp; Lavoro"));
        }
        let spid = sp().metadata(Federation::Spid, &k, "_m1").unwrap();
        assert!(spid.contains("<spid:IPACode>r_toscan</spid:IPACode><spid:Public/>"));
        assert!(spid.contains(r#"<md:RequestedAttribute Name="mobilePhone"/>"#));
    }
}
