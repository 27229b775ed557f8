//! The SAML messages the demo IdP reads (AuthnRequest, LogoutRequest, with the
//! Redirect and POST bindings) and writes (its metadata, LogoutResponse).
//!
//! Errors are Italian sentences for the developer who sees the 400 page.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use saml::TrustedCert;
use saml::authn::{inflate_redirect, level_uri, verify_redirect};
use saml::dsig::{DSIG_NS, ids_are_unique, verify_enveloped};
use saml::xml::{ENTITY, MD_NS, POST_BINDING, REDIRECT_BINDING, SAML_NS, SAMLP_NS, TRANSIENT, esc, instant, new_id, parse_instant};
use xml_sec::{Document, Node};

/// Largest message accepted, decoded.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Largest RelayState accepted (SAML says 80 bytes; we are lenient with SPs).
pub const MAX_RELAY_STATE: usize = 1024;
/// How far a request's IssueInstant may be from now, seconds.
pub const MAX_AGE: i64 = 600;

/// A message as received: its XML and RelayState.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub xml: String,
    pub relay_state: String,
}

fn decode(raw: &str) -> String {
    form_urlencoded::parse(format!("v={raw}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

fn relay(relay_state: String) -> Result<String, String> {
    if relay_state.len() > MAX_RELAY_STATE {
        return Err("Il RelayState è troppo lungo.".into());
    }
    Ok(relay_state)
}

/// A Redirect-binding message (`param` is `SAMLRequest`): the signature over
/// `param=…&RelayState=…&SigAlg=…` (the values exactly as received) must be the SP's.
pub fn from_redirect(query: &str, param: &str, sp_cert: &TrustedCert) -> Result<Received, String> {
    let names = [param, "RelayState", "SigAlg", "Signature"];
    let mut raw: [Option<&str>; 4] = [None; 4];
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if let Some(i) = names.iter().position(|n| *n == k)
            && raw[i].replace(v).is_some()
        {
            return Err(format!("Il parametro {k} è ripetuto."));
        }
    }
    let [Some(message), relay_state, Some(sig_alg), Some(signature)] = raw else {
        return Err(format!("Mancano {param}, SigAlg o Signature: la richiesta deve essere firmata."));
    };
    let mut signed = format!("{param}={message}");
    if let Some(r) = relay_state {
        signed.push_str(&format!("&RelayState={r}"));
    }
    signed.push_str(&format!("&SigAlg={sig_alg}"));
    if !verify_redirect(&signed, &decode(sig_alg), &decode(signature), std::slice::from_ref(sp_cert)) {
        return Err("La firma della richiesta non è valida o non è del service provider configurato.".into());
    }
    let xml = inflate_redirect(&decode(message), MAX_MESSAGE_BYTES).ok_or(format!("{param} non è un messaggio DEFLATE in base64 valido."))?;
    Ok(Received { xml, relay_state: relay(relay_state.map(decode).unwrap_or_default())? })
}

/// A POST-binding message from an `application/x-www-form-urlencoded` body; its
/// signature is inside the XML (checked by [`authn_request`]).
pub fn from_post(body: &[u8]) -> Result<Received, String> {
    let (mut message, mut relay_state) = (None, String::new());
    for (k, v) in form_urlencoded::parse(body) {
        match &*k {
            "SAMLRequest" => message = Some(v.into_owned()),
            "RelayState" => relay_state = v.into_owned(),
            _ => {}
        }
    }
    let message = message.ok_or("Manca il campo SAMLRequest.")?;
    let compact: String = message.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = STANDARD.decode(compact).map_err(|_| "SAMLRequest non è base64.")?;
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err("SAMLRequest è troppo grande.".into());
    }
    let xml = String::from_utf8(bytes).map_err(|_| "SAMLRequest non è UTF-8.")?;
    Ok(Received { xml, relay_state: relay(relay_state)? })
}

/// What a request must say to be for us.
pub struct Expected<'a> {
    pub sp_entity_id: &'a str,
    /// Our endpoint that received it.
    pub destination: &'a str,
    pub acs_url: &'a str,
    pub now: i64,
}

/// What the demo IdP needs of an AuthnRequest.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthnRequest {
    pub id: String,
    pub issuer: String,
    pub level: u8,
    pub acs_index: u32,
}

fn is(n: Node, ns: &str, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(ns)
}

fn child<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is(*c, ns, name))
}

fn text<'a>(n: Node<'a, '_>) -> &'a str {
    n.text().map(str::trim).unwrap_or("")
}

/// The checks every request from the SP passes; returns its ID.
fn check_request(doc: &Document, root: Node, name: &str, enveloped: Option<&TrustedCert>, e: &Expected) -> Result<String, String> {
    if !is(root, SAMLP_NS, name) {
        return Err(format!("Il messaggio non è una samlp:{name}."));
    }
    if !ids_are_unique(doc) {
        return Err("Il messaggio contiene ID duplicati.".into());
    }
    if let Some(cert) = enveloped {
        verify_enveloped(doc, root, std::slice::from_ref(cert)).map_err(|err| format!("La firma della richiesta non è valida ({err})."))?;
    }
    let id = root.attribute("ID").filter(|id| !id.trim().is_empty()).ok_or("Manca l'attributo ID.")?;
    if root.attribute("Version") != Some("2.0") {
        return Err("La versione deve essere 2.0.".into());
    }
    let issued = root.attribute("IssueInstant").and_then(parse_instant).ok_or("IssueInstant manca o non è un istante UTC.")?;
    if (issued - e.now).abs() > MAX_AGE {
        return Err("IssueInstant è troppo lontano dall'ora attuale: la richiesta è scaduta.".into());
    }
    if root.attribute("Destination") != Some(e.destination) {
        return Err(format!("Destination deve essere {}.", e.destination));
    }
    let issuer = child(root, SAML_NS, "Issuer").map(text).unwrap_or("");
    if issuer != e.sp_entity_id {
        return Err(format!("L'Issuer «{issuer}» non è il service provider configurato ({}).", e.sp_entity_id));
    }
    Ok(id.to_string())
}

/// Parses and checks an AuthnRequest; `enveloped` is the SP certificate for the POST
/// binding (the Redirect binding's signature is checked by [`from_redirect`]).
pub fn authn_request(xml: &str, enveloped: Option<&TrustedCert>, e: &Expected) -> Result<AuthnRequest, String> {
    let doc = Document::parse(xml).map_err(|_| "La richiesta non è XML ben formato.")?;
    let root = doc.root_element();
    let id = check_request(&doc, root, "AuthnRequest", enveloped, e)?;
    let class = child(root, SAMLP_NS, "RequestedAuthnContext")
        .and_then(|c| child(c, SAML_NS, "AuthnContextClassRef"))
        .map(text)
        .ok_or("Manca RequestedAuthnContext/AuthnContextClassRef.")?;
    let level = (1..=3).find(|l| level_uri(*l) == class).ok_or(format!("Livello richiesto sconosciuto: {class}."))?;
    let acs_index = match root.attribute("AssertionConsumerServiceIndex") {
        None => 0,
        Some(i) => i.parse().map_err(|_| "AssertionConsumerServiceIndex non è un numero.")?,
    };
    if acs_index != 0 {
        return Err("Il service provider ha un solo AssertionConsumerService, con indice 0.".into());
    }
    if root.attribute("AssertionConsumerServiceURL").is_some_and(|u| u != e.acs_url) {
        return Err(format!("AssertionConsumerServiceURL deve essere {}.", e.acs_url));
    }
    Ok(AuthnRequest { id, issuer: e.sp_entity_id.to_string(), level, acs_index })
}

/// Parses and checks a LogoutRequest (Redirect binding); returns its ID.
pub fn logout_request(xml: &str, e: &Expected) -> Result<String, String> {
    let doc = Document::parse(xml).map_err(|_| "La richiesta non è XML ben formato.")?;
    check_request(&doc, doc.root_element(), "LogoutRequest", None, e)
}

/// The LogoutResponse (Success) to a LogoutRequest.
pub fn logout_response(idp_entity_id: &str, destination: &str, in_response_to: &str, now: i64) -> String {
    format!(
        r#"<samlp:LogoutResponse xmlns:samlp="{SAMLP_NS}" xmlns:saml="{SAML_NS}" ID="{}" Version="2.0" IssueInstant="{}" Destination="{}" InResponseTo="{}"><saml:Issuer Format="{ENTITY}">{}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>"#,
        new_id(),
        instant(now),
        esc(destination),
        esc(in_response_to),
        esc(idp_entity_id),
    )
}

/// The IdP's metadata (unsigned).
pub fn metadata(entity_id: &str, display_name: &str, endpoint_base: &str, cert: &TrustedCert, organization_url: &str) -> String {
    let sso = esc(&format!("{endpoint_base}/sso"));
    let slo = esc(&format!("{endpoint_base}/slo"));
    let lang = |tag: &str, v: &str| format!(r#"<md:{tag} xml:lang="it">{}</md:{tag}>"#, esc(v));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="{MD_NS}" xmlns:ds="{DSIG_NS}" entityID="{entity}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="true"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleLogoutService Binding="{REDIRECT_BINDING}" Location="{slo}"/><md:NameIDFormat>{TRANSIENT}</md:NameIDFormat><md:SingleSignOnService Binding="{REDIRECT_BINDING}" Location="{sso}"/><md:SingleSignOnService Binding="{POST_BINDING}" Location="{sso}"/></md:IDPSSODescriptor><md:Organization>{name}{display}{url}</md:Organization></md:EntityDescriptor>
"#,
        entity = esc(entity_id),
        cert = cert.base64(),
        name = lang("OrganizationName", display_name),
        display = lang("OrganizationDisplayName", display_name),
        url = lang("OrganizationURL", organization_url),
    )
}
