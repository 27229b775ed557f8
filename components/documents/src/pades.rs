//! PAdES baseline signatures (B-B) of the portal's own PDFs, in pure Rust.
//!
//! [`sign`] appends one incremental update to a PDF: a signature dictionary
//! (`/Filter /Adobe.PPKLite`, `/SubFilter /ETSI.CAdES.detached`, `/ByteRange`,
//! `/Contents`, `/M`, `/Name`, `/Reason`), an invisible signature field that is also its
//! widget annotation on the first page, the catalog with `/AcroForm` (`/SigFlags 3`) and
//! the page with the widget in `/Annots`, then a classic cross-reference section with
//! `/Prev`. `/Contents` holds a CMS SignedData (RFC 5652, RustCrypto `cms`) detached over
//! the two byte ranges, with the signed attributes PAdES requires (content-type,
//! message-digest, signing-certificate-v2), signed RSA PKCS#1 v1.5 SHA-256 with the
//! portal's key; the certificate travels in the SignedData. Earlier revisions are never
//! rewritten, so each signature keeps covering the document as it was when it was made.
//!
//! [`verify`] finds every signature of a file, recomputes the digest of its byte ranges
//! and checks the CMS signature against the configured certificate.
//!
//! Scope: the PDFs this crate signs are krilla's (pdfdoc) and its own updates, which use
//! classic cross-reference tables; a PDF with a cross-reference stream is refused.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, DecodePem, Encode, Reader, Sequence, SliceReader};
use lopdf::{Dictionary, Object};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer as _, Verifier as _};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Bytes reserved for the CMS in `/Contents` (written as twice as many hex digits).
const CONTENTS_BYTES: usize = 8192;
/// The `/ByteRange` placeholder; the real one is padded with spaces to its length.
const RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// ESSCertIDv2 (RFC 5035) with the default hash algorithm (SHA-256) and no issuerSerial.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

/// SigningCertificateV2 (RFC 5035) without policies.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// Why a PDF could not be signed, or a key and certificate not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> Error {
    Error(format!("{what}: {e}"))
}

/// The portal's certificate, to check signatures.
#[derive(Clone)]
pub struct Certified {
    cert: Certificate,
    cert_der: Vec<u8>,
    verifying: VerifyingKey<Sha256>,
}

impl Certified {
    pub fn from_pem(cert_pem: &str) -> Result<Self, Error> {
        let cert = Certificate::from_pem(cert_pem.trim().as_bytes()).map_err(|e| err("certificate", e))?;
        let cert_der = cert.to_der().map_err(|e| err("certificate", e))?;
        let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(|e| err("certificate key", e))?;
        let public = RsaPublicKey::from_public_key_der(&spki).map_err(|e| err("certificate key (RSA expected)", e))?;
        Ok(Self { cert, cert_der, verifying: VerifyingKey::new(public) })
    }

    /// SHA-256 of the certificate (DER), hex.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(&self.cert_der))
    }
}

/// The portal's signing key and its certificate.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey<Sha256>,
    pub certified: Certified,
}

impl Signer {
    /// A PKCS#8 PEM RSA key and its PEM certificate; refused when they do not match.
    pub fn from_pem(key_pem: &str, cert_pem: &str) -> Result<Self, Error> {
        let key = RsaPrivateKey::from_pkcs8_pem(key_pem.trim()).map_err(|e| err("signing key (PKCS#8 RSA expected)", e))?;
        let certified = Certified::from_pem(cert_pem)?;
        let signer = Self { key: SigningKey::new(key), certified };
        let probe = signer.key.sign(b"probe");
        signer.certified.verifying.verify(b"probe", &probe).map_err(|_| Error("the signing key does not match the certificate".into()))?;
        Ok(signer)
    }
}

/// What a new signature says about itself.
#[derive(Debug, Clone)]
pub struct Signing<'a> {
    /// The field's name, unique in the document, e.g. "Firma cittadino".
    pub field: &'a str,
    /// `/Name`: who signs.
    pub name: &'a str,
    /// `/Reason`: in which role and how they authenticated.
    pub reason: &'a str,
    /// `/M`, seconds since the Unix epoch.
    pub at_unix: i64,
}

/// Appends a signature revision to `pdf`.
pub fn sign(pdf: &[u8], signer: &Signer, s: &Signing) -> Result<Vec<u8>, Error> {
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| err("PDF", e))?;
    let prev = startxref(pdf).ok_or_else(|| Error("PDF without startxref".into()))?;
    if !pdf.get(prev..).is_some_and(|t| t.starts_with(b"xref")) {
        return Err(Error("only PDFs with a classic cross-reference table are signed".into()));
    }
    let root_id = doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(|e| err("trailer /Root", e))?;
    let size = doc.trailer.get(b"Size").and_then(Object::as_i64).map_err(|e| err("trailer /Size", e))?;
    let size = u32::try_from(size).map_err(|e| err("trailer /Size", e))?;
    let mut catalog = doc.get_dictionary(root_id).map_err(|e| err("catalog", e))?.clone();
    let page_id = *doc.get_pages().values().next().ok_or_else(|| Error("PDF without pages".into()))?;
    let mut page = doc.get_dictionary(page_id).map_err(|e| err("page", e))?.clone();
    let (sig_id, widget_id) = (size, size + 1);

    // the catalog's form and the page's annotations, with the new field
    let mut form = match catalog.get(b"AcroForm") {
        Ok(o) => resolve(&doc, o)?.as_dict().map_err(|e| err("/AcroForm", e))?.clone(),
        Err(_) => Dictionary::new(),
    };
    let mut fields = match form.get(b"Fields") {
        Ok(o) => resolve(&doc, o)?.as_array().map_err(|e| err("/Fields", e))?.clone(),
        Err(_) => Vec::new(),
    };
    fields.push(Object::Reference((widget_id, 0)));
    form.set("Fields", Object::Array(fields));
    form.set("SigFlags", Object::Integer(3));
    catalog.set("AcroForm", Object::Dictionary(form));
    let mut annots = match page.get(b"Annots") {
        Ok(o) => resolve(&doc, o)?.as_array().map_err(|e| err("/Annots", e))?.clone(),
        Err(_) => Vec::new(),
    };
    annots.push(Object::Reference((widget_id, 0)));
    page.set("Annots", Object::Array(annots));

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(u32, u16, usize)> = Vec::new();
    offsets.push((sig_id, 0, out.len()));
    out.extend_from_slice(format!("{sig_id} 0 obj\n<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange").as_bytes());
    let range_at = out.len();
    out.extend_from_slice(RANGE_PLACEHOLDER.as_bytes());
    out.extend_from_slice(b"/Contents");
    let contents_at = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', CONTENTS_BYTES * 2));
    out.push(b'>');
    let contents_end = out.len();
    out.extend_from_slice(format!("/M{}/Name{}/Reason{}>>\nendobj\n", pdf_date(s.at_unix), text(s.name), text(s.reason)).as_bytes());

    offsets.push((widget_id, 0, out.len()));
    out.extend_from_slice(
        format!(
            "{widget_id} 0 obj\n<</Type/Annot/Subtype/Widget/FT/Sig/T{t}/TU{t}/Contents{t}/V {sig_id} 0 R/F 132/Rect[0 0 0 0]/P {} {} R>>\nendobj\n",
            page_id.0,
            page_id.1,
            t = text(s.field)
        )
        .as_bytes(),
    );
    for (id, dict) in [(root_id, &catalog), (page_id, &page)] {
        offsets.push((id.0, id.1, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        write_object(&mut out, &Object::Dictionary(dict.clone()))?;
        out.extend_from_slice(b"\nendobj\n");
    }

    // the cross-reference section of this revision, by runs of consecutive numbers
    offsets.sort();
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i + 1;
        while j < offsets.len() && offsets[j].0 == offsets[j - 1].0 + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", offsets[i].0, j - i).as_bytes());
        for (_, generation, at) in &offsets[i..j] {
            out.extend_from_slice(format!("{at:010} {generation:05} n\r\n").as_bytes());
        }
        i = j;
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(size) + 2));
    trailer.set("Root", Object::Reference(root_id));
    for key in [&b"Info"[..], b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(prev as i64));
    out.extend_from_slice(b"trailer\n");
    write_object(&mut out, &Object::Dictionary(trailer))?;
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());

    // the byte ranges: everything but the <…> of /Contents
    let range = [0, contents_at, contents_end, out.len() - contents_end];
    let mut written = format!("[{} {} {} {}", range[0], range[1], range[2], range[3]);
    if written.len() + 1 > RANGE_PLACEHOLDER.len() {
        return Err(Error("document too large for the byte range".into()));
    }
    while written.len() + 1 < RANGE_PLACEHOLDER.len() {
        written.push(' ');
    }
    written.push(']');
    out[range_at..range_at + written.len()].copy_from_slice(written.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&out[..contents_at]);
    hasher.update(&out[contents_end..]);
    let cms = signed_data(signer, &hasher.finalize())?;
    if cms.len() > CONTENTS_BYTES {
        return Err(Error(format!("CMS of {} bytes does not fit the {CONTENTS_BYTES} reserved", cms.len())));
    }
    let hex = hex::encode_upper(&cms);
    out[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// A CMS SignedData (detached) over `digest` with the PAdES signed attributes.
fn signed_data(signer: &Signer, digest: &[u8]) -> Result<Vec<u8>, Error> {
    let c = |e: der::Error| err("CMS", e);
    let sha256 = AlgorithmIdentifierOwned { oid: ID_SHA256, parameters: None };
    let ess = SigningCertificateV2 { certs: vec![EssCertIdV2 { cert_hash: OctetString::new(Sha256::digest(&signer.certified.cert_der).to_vec()).map_err(c)? }] };
    let attr = |oid, value: Any| -> Result<Attribute, Error> { Ok(Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(c)? }) };
    let attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
        attr(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(c)?)?,
        attr(ID_MESSAGE_DIGEST, Any::encode_from(&OctetString::new(digest.to_vec()).map_err(c)?).map_err(c)?)?,
        attr(ID_SIGNING_CERTIFICATE_V2, Any::encode_from(&ess).map_err(c)?)?,
    ])
    .map_err(c)?;
    let signature: Signature = signer.key.sign(&attrs.to_der().map_err(c)?);
    let cert = &signer.certified.cert;
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned { oid: RSA_ENCRYPTION, parameters: Some(Any::null()) },
        signature: OctetString::new(signature.to_vec()).map_err(c)?,
        unsigned_attrs: None,
    };
    let data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(c)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(vec![CertificateChoices::Certificate(cert.clone())]).map_err(c)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![info]).map_err(c)?),
    };
    ContentInfo { content_type: ID_SIGNED_DATA, content: Any::encode_from(&data).map_err(c)? }.to_der().map_err(c)
}

/// A signature found in a file, and what checking it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub name: String,
    pub reason: String,
    /// `/M` as written, e.g. `D:20260130101500+00'00'`.
    pub signed_at: Option<i64>,
    /// The signed revision ends here (`/ByteRange`'s last byte).
    pub revision_end: usize,
    /// The ranges' digest is the one the signature signed: nothing they cover changed.
    pub digest_ok: bool,
    /// The CMS signature verifies with the configured certificate.
    pub signature_ok: bool,
}

impl Found {
    pub fn intact(&self) -> bool {
        self.digest_ok && self.signature_ok
    }
}

/// Most signatures [`verify`] looks at: each one hashes up to the whole file, so an
/// uploaded file full of `/ByteRange`s must not cost more than a few.
pub const MAX_SIGNATURES: usize = 8;

/// The signatures of `pdf` (the first [`MAX_SIGNATURES`]), in file order, checked
/// against `cert`.
pub fn verify(pdf: &[u8], cert: &Certified) -> Vec<Found> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&pdf[from..], b"/ByteRange").map(|i| i + from).filter(|_| found.len() < MAX_SIGNATURES) {
        from = at + 10;
        let dict_start = rfind(&pdf[..at], b"obj").unwrap_or(0);
        let dict_end = find(&pdf[at..], b"endobj").map_or(pdf.len(), |i| i + at);
        let dict = &pdf[dict_start..dict_end];
        if find(dict, b"/Sig").is_none() {
            continue;
        }
        let Some(range) = byte_range(&pdf[from..]) else { continue };
        let mut f = Found {
            name: text_value(dict, b"/Name").unwrap_or_default(),
            reason: text_value(dict, b"/Reason").unwrap_or_default(),
            signed_at: date_value(dict),
            revision_end: range[2].saturating_add(range[3]),
            digest_ok: false,
            signature_ok: false,
        };
        if let Some((digest_ok, signature_ok)) = check(pdf, range, cert) {
            (f.digest_ok, f.signature_ok) = (digest_ok, signature_ok);
        }
        found.push(f);
    }
    found
}

/// (digest matches, signature verifies) for one `/ByteRange`; None when the ranges or
/// the CMS are malformed.
fn check(pdf: &[u8], r: [usize; 4], cert: &Certified) -> Option<(bool, bool)> {
    if r[0] != 0 || r[1] >= r[2] || r[2].checked_add(r[3])? > pdf.len() || pdf[r[1]] != b'<' || pdf[r[2] - 1] != b'>' {
        return None;
    }
    let hex = &pdf[r[1] + 1..r[2] - 1];
    let bytes = hex::decode(hex).ok()?;
    let mut reader = SliceReader::new(&bytes).ok()?;
    let info = ContentInfo::decode(&mut reader).ok()?;
    let rest = reader.read_slice(reader.remaining_len()).ok()?;
    if info.content_type != ID_SIGNED_DATA || rest.iter().any(|b| *b != 0) {
        return None;
    }
    let data: SignedData = info.content.decode_as().ok()?;
    let signer = data.signer_infos.0.get(0)?;
    let attrs = signer.signed_attrs.as_ref()?;
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..r[1]]);
    hasher.update(&pdf[r[2]..r[2] + r[3]]);
    let digest = hasher.finalize();
    let signed_digest = attrs.iter().find(|a| a.oid == ID_MESSAGE_DIGEST)?.values.get(0)?.decode_as::<OctetString>().ok()?;
    let content_type = attrs.iter().find(|a| a.oid == ID_CONTENT_TYPE)?.values.get(0)?.decode_as::<ObjectIdentifier>().ok()?;
    let digest_ok = signed_digest.as_bytes() == digest.as_slice() && content_type == ID_DATA;
    let signature = Signature::try_from(signer.signature.as_bytes()).ok()?;
    let signature_ok = cert.verifying.verify(&attrs.to_der().ok()?, &signature).is_ok();
    Some((digest_ok, signature_ok))
}

/// The four numbers of `[a b c d]` at the start of `t` (after optional spaces).
fn byte_range(t: &[u8]) -> Option<[usize; 4]> {
    let t = &t[t.iter().position(|b| !b.is_ascii_whitespace())?..];
    let t = t.strip_prefix(b"[")?;
    let end = t.iter().position(|b| *b == b']')?;
    let s = std::str::from_utf8(&t[..end]).ok()?;
    let n: Vec<usize> = s.split_ascii_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    n.try_into().ok()
}

/// A text string value written as `<FEFF…>` (UTF-16BE hex) after `key`.
fn text_value(dict: &[u8], key: &[u8]) -> Option<String> {
    let at = find(dict, key)? + key.len();
    let t = dict[at..].strip_prefix(b"<")?;
    let end = t.iter().position(|b| *b == b'>')?;
    let bytes = hex::decode(&t[..end]).ok()?;
    let units: Vec<u16> = bytes.strip_prefix(&[0xFE, 0xFF])?.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
    String::from_utf16(&units).ok()
}

/// `/M(D:YYYYMMDDHHmmSS+00'00')` as Unix seconds.
fn date_value(dict: &[u8]) -> Option<i64> {
    let at = find(dict, b"/M(D:")? + 5;
    let s = std::str::from_utf8(dict.get(at..at + 14)?).ok()?;
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<i32>().ok();
    let date = time::Date::from_calendar_date(n(0, 4)?, time::Month::try_from(n(4, 6)? as u8).ok()?, n(6, 8)? as u8).ok()?;
    let t = time::Time::from_hms(n(8, 10)? as u8, n(10, 12)? as u8, n(12, 14)? as u8).ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_utc().unix_timestamp())
}

/// The offset after the last `startxref`.
fn startxref(pdf: &[u8]) -> Option<usize> {
    let at = rfind(pdf, b"startxref")? + 9;
    let t = &pdf[at..];
    let t = &t[t.iter().position(|b| !b.is_ascii_whitespace())?..];
    let end = t.iter().position(|b| !b.is_ascii_digit()).unwrap_or(t.len());
    std::str::from_utf8(&t[..end]).ok()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn resolve<'a>(doc: &'a lopdf::Document, o: &'a Object) -> Result<&'a Object, Error> {
    match o {
        Object::Reference(id) => doc.get_object(*id).map_err(|e| err("reference", e)),
        o => Ok(o),
    }
}

/// A PDF text string: UTF-16BE with its byte order mark, in hex.
fn text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

/// A PDF date, UTC.
fn pdf_date(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("(D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00')", t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
}

/// Writes a direct object (no streams: the catalog and a page are dictionaries).
fn write_object(out: &mut Vec<u8>, o: &Object) -> Result<(), Error> {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Object::Real(r) => {
            let s = format!("{r:.5}");
            out.extend_from_slice(s.trim_end_matches('0').trim_end_matches('.').as_bytes());
        }
        Object::Name(n) => write_name(out, n),
        Object::String(s, _) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(s).as_bytes());
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => {
            out.extend_from_slice(b"<<");
            for (k, v) in d.iter() {
                write_name(out, k);
                out.push(b' ');
                write_object(out, v)?;
            }
            out.extend_from_slice(b">>");
        }
        Object::Reference((id, generation)) => out.extend_from_slice(format!("{id} {generation} R").as_bytes()),
        Object::Stream(_) => return Err(Error("a direct stream cannot be rewritten".into())),
    }
    Ok(())
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod testing {
    pub const KEY: &str = include_str!("testdata/key.pem");
    pub const CERT: &str = include_str!("testdata/cert.pem");
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn pdf() -> Vec<u8> {
        let doc = pdfdoc::Document {
            title: "Prova".into(),
            subject: Some("Codice documento ABCD-EFGH-JKMN-PQRS".into()),
            author: "Regione Toscana".into(),
            lang: "it-IT",
            blocks: vec![pdfdoc::Block::Paragraph("Contenuto del documento di prova".into())],
            created_unix: 1_780_000_000,
        };
        pdfdoc::render(&doc).unwrap()
    }

    fn signer() -> Signer {
        Signer::from_pem(testing::KEY, testing::CERT).unwrap()
    }

    fn signing<'a>(field: &'a str, reason: &'a str, at: i64) -> Signing<'a> {
        Signing { field, name: "Mario Rossi — test", reason, at_unix: at }
    }

    #[test]
    fn two_signatures_each_cover_their_revision_and_verify() {
        let s = signer();
        let original = pdf();
        let one = sign(&original, &s, &signing("Firma cittadino", "Firma del cittadino (SPID, codice OTP via SMS)", 1_780_000_100)).unwrap();
        assert!(one.starts_with(&original), "incremental: the original bytes stay");
        let two = sign(&one, &s, &signing("Firma operatore", "Firma dell'operatore", 1_780_000_200)).unwrap();
        assert!(two.starts_with(&one));
        let found = verify(&two, &s.certified);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(Found::intact), "{found:?}");
        assert_eq!(found[0].revision_end, one.len());
        assert_eq!(found[1].revision_end, two.len());
        assert_eq!(found[0].name, "Mario Rossi — test");
        assert_eq!(found[0].reason, "Firma del cittadino (SPID, codice OTP via SMS)");
        assert_eq!(found[1].signed_at, Some(1_780_000_200));
        // lopdf still reads the result, with both fields in the form
        let doc = lopdf::Document::load_mem(&two).unwrap();
        let form = doc.catalog().unwrap().get(b"AcroForm").unwrap().as_dict().unwrap();
        assert_eq!(form.get(b"Fields").unwrap().as_array().unwrap().len(), 2);
        assert!(doc.catalog().unwrap().get(b"MarkInfo").is_ok(), "the catalog keeps its tagging");
    }

    #[test]
    fn one_changed_byte_breaks_the_signature_that_covers_it() {
        let s = signer();
        let signed = sign(&pdf(), &s, &signing("Firma cittadino", "r", 1_780_000_100)).unwrap();
        // a byte of the original content
        let mut altered = signed.clone();
        altered[200] ^= 0x01;
        let f = verify(&altered, &s.certified);
        assert_eq!(f.len(), 1);
        assert!(!f[0].digest_ok && !f[0].intact());
        // a byte of the signature value (the CMS's last bytes), or of its zero padding
        let contents = find(&signed, b"/Contents<").unwrap() + 10;
        let cms_end = contents + find(&signed[contents..], b"00000000000000000000").unwrap();
        for at in [cms_end - 20, contents + CONTENTS_BYTES * 2 - 3] {
            let mut altered = signed.clone();
            altered[at] = if altered[at] == b'1' { b'2' } else { b'1' };
            assert!(!verify(&altered, &s.certified)[0].intact(), "byte {at}");
        }
    }

    #[test]
    fn another_certificate_is_not_the_portal() {
        let s = signer();
        let signed = sign(&pdf(), &s, &signing("Firma cittadino", "r", 1_780_000_100)).unwrap();
        let other = Certified::from_pem(include_str!("testdata/other-cert.pem")).unwrap();
        let f = verify(&signed, &other);
        assert!(f[0].digest_ok && !f[0].signature_ok);
    }

    #[test]
    fn a_key_that_does_not_match_the_certificate_is_refused() {
        let e = Signer::from_pem(testing::KEY, include_str!("testdata/other-cert.pem")).err().unwrap();
        assert!(e.0.contains("does not match"), "{e}");
        assert!(Signer::from_pem("nonsense", testing::CERT).is_err());
    }

    #[test]
    fn a_file_full_of_byte_ranges_costs_at_most_a_few_checks() {
        let s = signer();
        let mut many = sign(&pdf(), &s, &signing("Firma cittadino", "r", 1_780_000_100)).unwrap();
        for _ in 0..1000 {
            many.extend_from_slice(b"1 0 obj <</Type/Sig/ByteRange[0 10 20 30]/Contents<00>>> endobj\n");
        }
        let found = verify(&many, &s.certified);
        assert_eq!(found.len(), MAX_SIGNATURES);
        // the real signature still covers its own revision, which no longer ends the file
        assert!(found[0].intact() && found[0].revision_end < many.len());
        assert!(found[1..].iter().all(|f| !f.intact()));
    }

    #[test]
    fn an_unsigned_pdf_has_no_signatures() {
        assert!(verify(&pdf(), &signer().certified).is_empty());
    }
}

