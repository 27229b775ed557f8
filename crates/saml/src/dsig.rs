//! Enveloped XML signatures (XML-DSig) with exclusive canonicalisation, as SAML uses
//! them. Canonicalisation is the `xml-sec` crate's; the checks around it are strict
//! on purpose: one Signature, directly inside the element it signs, with exactly one
//! Reference to that element's own ID, the enveloped + exclusive-c14n transforms, and
//! a key from our configuration.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha384, Sha512};
use xml_sec::c14n::{C14nAlgorithm, C14nMode, canonicalize};
use xml_sec::{Document, Node};

use crate::keys::{SigAlg, SigningKey, TrustedCert, decode_base64};

pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// Where [`sign_enveloped`] puts the signature. A comment, so canonical XML ignores it.
pub const SIGNATURE_MARK: &str = "<!--ds:Signature-->";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DigestAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    fn uri(self) -> &'static str {
        match self {
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    fn from_uri(uri: &str) -> Option<Self> {
        [Self::Sha256, Self::Sha384, Self::Sha512].into_iter().find(|a| a.uri() == uri)
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// Why a signature was not accepted (for logs; users see a generic message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsigError {
    Missing,
    Multiple,
    Malformed(&'static str),
    Unsupported(String),
    WrongReference,
    DigestMismatch,
    BadSignature,
    Canonicalization(String),
}

impl std::fmt::Display for DsigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing => f.write_str("no signature"),
            Self::Multiple => f.write_str("more than one signature"),
            Self::Malformed(what) => write!(f, "malformed signature: {what}"),
            Self::Unsupported(alg) => write!(f, "unsupported algorithm {alg}"),
            Self::WrongReference => f.write_str("the signature does not reference the signed element's own ID"),
            Self::DigestMismatch => f.write_str("digest mismatch: the signed content was altered"),
            Self::BadSignature => f.write_str("signature value not made by a trusted key"),
            Self::Canonicalization(e) => write!(f, "canonicalization: {e}"),
        }
    }
}

pub(crate) fn is(node: Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ns)
}

pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, ns, name))
}

/// Exclusive canonical form of `apex`'s subtree without the subtree of `exclude`.
fn exclusive(doc: &Document, apex: Node, exclude: Option<Node>, prefixes: &str) -> Result<Vec<u8>, DsigError> {
    let (apex_id, excluded) = (apex.id(), exclude.map(|e| e.id()));
    let inside = move |n: Node| {
        let mut in_apex = false;
        for a in n.ancestors() {
            if Some(a.id()) == excluded {
                return false;
            }
            if a.id() == apex_id {
                in_apex = true;
                break;
            }
        }
        in_apex
    };
    let algo = C14nAlgorithm::new(C14nMode::Exclusive1_0, false).with_prefix_list(prefixes);
    let mut out = Vec::new();
    canonicalize(doc, Some(&inside), &algo, &mut out).map_err(|e| DsigError::Canonicalization(e.to_string()))?;
    Ok(out)
}

fn parse(xml: &str) -> Result<Document<'_>, DsigError> {
    Document::parse(xml).map_err(|e| DsigError::Canonicalization(e.to_string()))
}

/// Signs the element of `xml` whose `ID` is `id`: the [`SIGNATURE_MARK`] inside it
/// (SAML puts it right after the Issuer) becomes the `ds:Signature`.
pub fn sign_enveloped(xml: &str, id: &str, key: &SigningKey, alg: SigAlg) -> Result<String, DsigError> {
    if xml.matches(SIGNATURE_MARK).count() != 1 {
        return Err(DsigError::Malformed("exactly one signature mark expected"));
    }
    let digest_alg = match alg {
        SigAlg::RsaSha256 => DigestAlg::Sha256,
        SigAlg::RsaSha384 => DigestAlg::Sha384,
        SigAlg::RsaSha512 => DigestAlg::Sha512,
    };
    let doc = parse(xml)?;
    let target = doc
        .descendants()
        .find(|n| n.is_element() && n.attribute("ID") == Some(id))
        .ok_or(DsigError::WrongReference)?;
    if !xml.find(SIGNATURE_MARK).is_some_and(|at| target.range().contains(&at)) {
        return Err(DsigError::Malformed("the signature mark must be inside the signed element"));
    }
    let digest = STANDARD.encode(digest_alg.digest(&exclusive(&doc, target, None, "")?));
    let signed_info = format!(
        r##"<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="{EXC_C14N}"/><ds:SignatureMethod Algorithm="{}"/><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="{ENVELOPED}"/><ds:Transform Algorithm="{EXC_C14N}"/></ds:Transforms><ds:DigestMethod Algorithm="{}"/><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"##,
        alg.uri(),
        digest_alg.uri()
    );
    // Exclusive c14n renders ds's declaration on SignedInfo whether it is inherited or not.
    let standalone = signed_info.replacen("<ds:SignedInfo>", &format!(r#"<ds:SignedInfo xmlns:ds="{DSIG_NS}">"#), 1);
    let si_doc = parse(&standalone)?;
    let canonical = exclusive(&si_doc, si_doc.root_element(), None, "")?;
    let value = STANDARD.encode(key.sign(alg, &canonical));
    let signature = format!(
        r#"<ds:Signature xmlns:ds="{DSIG_NS}">{signed_info}<ds:SignatureValue>{value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"#,
        key.certificate().base64()
    );
    Ok(xml.replacen(SIGNATURE_MARK, &signature, 1))
}

/// Checks the enveloped signature of `element` (its direct `ds:Signature` child)
/// against `trusted` keys. Succeeds only if that signature covers exactly `element`.
pub fn verify_enveloped(doc: &Document, element: Node, trusted: &[TrustedCert]) -> Result<(), DsigError> {
    let mut sigs = element.children().filter(|c| is(*c, DSIG_NS, "Signature"));
    let sig = sigs.next().ok_or(DsigError::Missing)?;
    if sigs.next().is_some() {
        return Err(DsigError::Multiple);
    }
    let id = element.attribute("ID").ok_or(DsigError::WrongReference)?;
    let signed_info = sig
        .children()
        .find(|c| c.is_element())
        .filter(|c| is(*c, DSIG_NS, "SignedInfo"))
        .ok_or(DsigError::Malformed("SignedInfo must come first"))?;
    let algorithm = |n: Option<Node>| n.and_then(|n| n.attribute("Algorithm")).map(str::to_string);
    let c14n = algorithm(child(signed_info, DSIG_NS, "CanonicalizationMethod")).ok_or(DsigError::Malformed("no CanonicalizationMethod"))?;
    if c14n != EXC_C14N {
        return Err(DsigError::Unsupported(c14n));
    }
    let method = algorithm(child(signed_info, DSIG_NS, "SignatureMethod")).ok_or(DsigError::Malformed("no SignatureMethod"))?;
    let sig_alg = SigAlg::from_uri(&method).ok_or(DsigError::Unsupported(method))?;

    let mut refs = signed_info.children().filter(|c| is(*c, DSIG_NS, "Reference"));
    let reference = refs.next().ok_or(DsigError::Malformed("no Reference"))?;
    if refs.next().is_some() {
        return Err(DsigError::Malformed("more than one Reference"));
    }
    if reference.attribute("URI") != Some(&format!("#{id}")) {
        return Err(DsigError::WrongReference);
    }
    let transforms: Vec<Node> = child(reference, DSIG_NS, "Transforms")
        .map(|t| t.children().filter(|c| is(*c, DSIG_NS, "Transform")).collect())
        .unwrap_or_default();
    let names: Vec<&str> = transforms.iter().filter_map(|t| t.attribute("Algorithm")).collect();
    if names != [ENVELOPED, EXC_C14N] {
        return Err(DsigError::Unsupported(format!("transforms {names:?}")));
    }
    let prefixes = transforms[1]
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "InclusiveNamespaces")
        .and_then(|n| n.attribute("PrefixList"))
        .unwrap_or("");
    let digest_uri = algorithm(child(reference, DSIG_NS, "DigestMethod")).ok_or(DsigError::Malformed("no DigestMethod"))?;
    let digest_alg = DigestAlg::from_uri(&digest_uri).ok_or(DsigError::Unsupported(digest_uri))?;
    let expected = child(reference, DSIG_NS, "DigestValue")
        .and_then(|n| n.text())
        .and_then(|t| decode_base64(t).ok())
        .ok_or(DsigError::Malformed("bad DigestValue"))?;
    let value = child(sig, DSIG_NS, "SignatureValue")
        .and_then(|n| n.text())
        .and_then(|t| decode_base64(t).ok())
        .ok_or(DsigError::Malformed("bad SignatureValue"))?;

    // Authenticate SignedInfo first, then the content it points to.
    let canonical_si = exclusive(doc, signed_info, None, "")?;
    if !trusted.iter().any(|k| k.verify(sig_alg, &canonical_si, &value)) {
        return Err(DsigError::BadSignature);
    }
    let content = exclusive(doc, element, Some(sig), prefixes)?;
    if digest_alg.digest(&content) != expected {
        return Err(DsigError::DigestMismatch);
    }
    Ok(())
}

/// IDs must be unique in a document we consume: a duplicate is how signature-wrapping
/// attacks make a verifier and a consumer look at different elements.
pub fn ids_are_unique(doc: &Document) -> bool {
    let mut seen = std::collections::HashSet::new();
    doc.descendants()
        .filter(|n| n.is_element())
        .flat_map(|n| n.attributes().filter(|a| matches!(a.name(), "ID" | "Id" | "id")).map(|a| a.value()).collect::<Vec<_>>())
        .all(|id| seen.insert(id))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn key(name: &str) -> SigningKey {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/");
        SigningKey::from_pem(
            &std::fs::read_to_string(format!("{dir}{name}.key")).unwrap(),
            &std::fs::read_to_string(format!("{dir}{name}.crt")).unwrap(),
        )
        .unwrap()
    }

    const DOC: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"><saml:Issuer>idp</saml:Issuer><!--ds:Signature--><saml:Assertion ID="_a1"><saml:Subject>  Mario &amp; Rossi </saml:Subject></saml:Assertion></samlp:Response>"#;

    fn check(xml: &str, key_name: &str) -> Result<(), DsigError> {
        let doc = Document::parse(xml).unwrap();
        verify_enveloped(&doc, doc.root_element(), &[key(key_name).certificate().clone()])
    }

    #[test]
    fn signs_and_verifies_with_the_trusted_key_only() {
        let signed = sign_enveloped(DOC, "_r1", &key("idp"), SigAlg::RsaSha256).unwrap();
        assert!(!signed.contains(SIGNATURE_MARK));
        assert_eq!(check(&signed, "idp"), Ok(()));
        assert_eq!(check(&signed, "other"), Err(DsigError::BadSignature));
        // the key inside KeyInfo is ignored: replacing it changes nothing
        let swapped = signed.replace(&key("idp").certificate().base64(), &key("other").certificate().base64());
        assert_eq!(check(&swapped, "idp"), Ok(()));
    }

    #[test]
    fn any_change_to_the_signed_content_is_caught() {
        let signed = sign_enveloped(DOC, "_r1", &key("idp"), SigAlg::RsaSha256).unwrap();
        for (from, to) in [("Mario", "Maria"), ("Version=\"2.0\"", "Version=\"2.1\""), ("<saml:Issuer>idp", "<saml:Issuer>evil")] {
            assert_eq!(check(&signed.replacen(from, to, 1), "idp"), Err(DsigError::DigestMismatch), "{from}");
        }
        // a comment is not content (exclusive c14n without comments)
        assert_eq!(check(&signed.replacen("<saml:Subject>", "<saml:Subject><!--x-->", 1), "idp"), Ok(()));
        // tampering with SignedInfo breaks the signature itself
        let si = signed.replacen("#_r1", "#_a1", 1);
        assert_eq!(check(&si, "idp"), Err(DsigError::WrongReference));
    }

    #[test]
    fn the_signature_must_be_direct_child_and_reference_its_parent() {
        let signed = sign_enveloped(DOC, "_a1", &key("idp"), SigAlg::RsaSha256);
        assert_eq!(signed.unwrap_err(), DsigError::Malformed("the signature mark must be inside the signed element"));
        let doc = DOC.replace("<!--ds:Signature-->", "").replace("<saml:Subject>", "<!--ds:Signature--><saml:Subject>");
        let signed = sign_enveloped(&doc, "_a1", &key("idp"), SigAlg::RsaSha512).unwrap();
        let parsed = Document::parse(&signed).unwrap();
        let assertion = parsed.descendants().find(|n| n.attribute("ID") == Some("_a1")).unwrap();
        let trusted = [key("idp").certificate().clone()];
        assert_eq!(verify_enveloped(&parsed, assertion, &trusted), Ok(()));
        assert_eq!(verify_enveloped(&parsed, parsed.root_element(), &trusted), Err(DsigError::Missing));
    }

    #[test]
    fn duplicate_ids_are_detected() {
        assert!(ids_are_unique(&Document::parse(DOC).unwrap()));
        let twin = DOC.replace("ID=\"_a1\"", "ID=\"_r1\"");
        assert!(!ids_are_unique(&Document::parse(&twin).unwrap()));
    }

    /// Interoperability with libxmlsec1 (the reference implementation SPID IdPs and
    /// spid-sp-test use): our signatures must verify there.
    #[test]
    fn xmlsec1_verifies_our_signatures() {
        let dir = tempfile::tempdir().unwrap();
        let signed = sign_enveloped(DOC, "_r1", &key("idp"), SigAlg::RsaSha256).unwrap();
        let file = dir.path().join("signed.xml");
        std::fs::write(&file, &signed).unwrap();
        let out = std::process::Command::new("xmlsec1")
            .args(["--verify", "--id-attr:ID", "Response", "--pubkey-cert-pem"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/idp.crt"))
            .arg(&file)
            .output()
            .expect("xmlsec1 is installed by .ci/run (Debian package xmlsec1)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
