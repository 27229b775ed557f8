//! Identity providers we trust, read from their SAML metadata (the SPID registry
//! publishes one metadata file per IdP; CIE publishes its own).

use xml_sec::{Document, Node};

use crate::dsig::{DSIG_NS, child, is};
use crate::keys::TrustedCert;
use crate::xml::{MD_NS, POST_BINDING, REDIRECT_BINDING};

#[derive(Debug, Clone, PartialEq)]
pub struct Idp {
    pub entity_id: String,
    /// OrganizationDisplayName, or the entity ID when the metadata has none.
    pub name: String,
    pub sso_redirect: Option<String>,
    pub sso_post: Option<String>,
    pub slo_redirect: Option<String>,
    pub slo_post: Option<String>,
    /// Signing keys from the metadata's KeyDescriptors (use="signing" or unspecified).
    pub certs: Vec<TrustedCert>,
}

impl Idp {
    /// Resolves locations that start with `/` against `base_url` (only the demo IdP,
    /// which runs inside the portal itself, uses them).
    pub fn resolve_locations(&mut self, base_url: &str) {
        let base = base_url.trim_end_matches('/');
        for loc in [&mut self.sso_redirect, &mut self.sso_post, &mut self.slo_redirect, &mut self.slo_post].into_iter().flatten() {
            if loc.starts_with('/') {
                *loc = format!("{base}{loc}");
            }
        }
    }
}

fn location(desc: Node, service: &str, binding: &str) -> Option<String> {
    desc.children()
        .filter(|c| is(*c, MD_NS, service))
        .find(|c| c.attribute("Binding") == Some(binding))
        .and_then(|c| c.attribute("Location"))
        .map(str::to_string)
}

fn entity(e: Node) -> Result<Idp, String> {
    let entity_id = e.attribute("entityID").ok_or("EntityDescriptor without entityID")?.to_string();
    let desc = child(e, MD_NS, "IDPSSODescriptor").ok_or_else(|| format!("{entity_id}: no IDPSSODescriptor"))?;
    let mut certs = Vec::new();
    for kd in desc.children().filter(|c| is(*c, MD_NS, "KeyDescriptor")) {
        if kd.attribute("use").is_some_and(|u| u != "signing") {
            continue;
        }
        for c in kd.descendants().filter(|c| is(*c, DSIG_NS, "X509Certificate")) {
            let cert = TrustedCert::from_base64(c.text().unwrap_or("")).map_err(|err| format!("{entity_id}: {err}"))?;
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        return Err(format!("{entity_id}: no signing certificate"));
    }
    // the Italian display name, else the English one, else the first
    let names: Vec<(Option<&str>, String)> = child(e, MD_NS, "Organization")
        .map(|o| {
            o.children()
                .filter(|n| is(*n, MD_NS, "OrganizationDisplayName"))
                .filter_map(|n| n.text().map(|t| (n.attribute(("http://www.w3.org/XML/1998/namespace", "lang")), t.trim().to_string())))
                .filter(|(_, t)| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let pick = |lang: &str| names.iter().find(|(l, _)| l.is_some_and(|l| l.eq_ignore_ascii_case(lang))).map(|(_, t)| t.clone());
    let name = pick("it").or_else(|| pick("en")).or_else(|| names.first().map(|(_, t)| t.clone())).unwrap_or_else(|| entity_id.clone());
    let idp = Idp {
        sso_redirect: location(desc, "SingleSignOnService", REDIRECT_BINDING),
        sso_post: location(desc, "SingleSignOnService", POST_BINDING),
        slo_redirect: location(desc, "SingleLogoutService", REDIRECT_BINDING),
        slo_post: location(desc, "SingleLogoutService", POST_BINDING),
        entity_id,
        name,
        certs,
    };
    if idp.sso_redirect.is_none() && idp.sso_post.is_none() {
        return Err(format!("{}: no SingleSignOnService", idp.entity_id));
    }
    Ok(idp)
}

/// Every IdP in a metadata document (an EntityDescriptor or an EntitiesDescriptor).
pub fn parse_metadata(xml: &str) -> Result<Vec<Idp>, String> {
    let doc = Document::parse(xml).map_err(|e| format!("IdP metadata: {e}"))?;
    let root = doc.root_element();
    if is(root, MD_NS, "EntityDescriptor") {
        return Ok(vec![entity(root)?]);
    }
    if is(root, MD_NS, "EntitiesDescriptor") {
        return root.children().filter(|c| is(*c, MD_NS, "EntityDescriptor")).map(entity).collect();
    }
    Err("IdP metadata: root must be EntityDescriptor or EntitiesDescriptor".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsig::tests::key;

    pub fn metadata(entity: &str, cert_b64: &str) -> String {
        format!(
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>not base64</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="/test-idp/slo"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="/test-idp/sso"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso"/></md:IDPSSODescriptor><md:Organization><md:OrganizationName xml:lang="it">Demo</md:OrganizationName><md:OrganizationDisplayName xml:lang="it"> Demo IdP </md:OrganizationDisplayName></md:Organization></md:EntityDescriptor>"#
        )
    }

    #[test]
    fn the_display_name_is_the_italian_one() {
        let template = metadata("https://idp.example", &key("idp").certificate().base64());
        let (head, tail) = template.split_once("<md:Organization>").unwrap();
        let tail = tail.split_once("</md:Organization>").unwrap().1;
        let name = |names: &str| parse_metadata(&format!("{head}<md:Organization>{names}</md:Organization>{tail}")).unwrap()[0].name.clone();
        assert_eq!(name(r#"<md:OrganizationDisplayName xml:lang="sv">Exempel AB</md:OrganizationDisplayName><md:OrganizationDisplayName xml:lang="it">Esempio</md:OrganizationDisplayName>"#), "Esempio");
        assert_eq!(name(r#"<md:OrganizationDisplayName xml:lang="sv">Exempel AB</md:OrganizationDisplayName><md:OrganizationDisplayName xml:lang="en">Example</md:OrganizationDisplayName>"#), "Example");
        assert_eq!(name(r#"<md:OrganizationDisplayName xml:lang="sv">Exempel AB</md:OrganizationDisplayName>"#), "Exempel AB");
        assert_eq!(name(""), "https://idp.example");
    }

    #[test]
    fn reads_entities_locations_and_signing_keys() {
        let cert = key("idp").certificate().clone();
        let mut idps = parse_metadata(&metadata("https://idp.example", &cert.base64())).unwrap();
        assert_eq!(idps.len(), 1);
        let idp = &mut idps[0];
        assert_eq!((idp.entity_id.as_str(), idp.name.as_str()), ("https://idp.example", "Demo IdP"));
        assert_eq!(idp.certs, vec![cert]);
        idp.resolve_locations("http://127.0.0.1:3000/");
        assert_eq!(idp.sso_redirect.as_deref(), Some("http://127.0.0.1:3000/test-idp/sso"));
        assert_eq!(idp.sso_post.as_deref(), Some("https://idp.example/sso"));
        assert_eq!(idp.slo_redirect.as_deref(), Some("http://127.0.0.1:3000/test-idp/slo"));
        assert!(parse_metadata("<x/>").is_err());
        assert!(parse_metadata(&metadata("e", "AAAA")).unwrap_err().contains("certificate"));
    }
}
