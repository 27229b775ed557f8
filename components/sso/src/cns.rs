//! CNS (Carta Nazionale dei Servizi) login: the TLS terminator asks for the card's
//! client certificate and forwards it in a configured header. We trust that header
//! only when the deployment names it, and only for certificates issued by the
//! configured CNS certification authorities, valid now, and (when CRLs are configured)
//! not revoked according to a current CRL signed by the issuing CA.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::der::{Decode, DecodePem, Encode};

/// sha256WithRSAEncryption
const SHA256_RSA: &str = "1.2.840.113549.1.1.11";
const CN: &str = "2.5.4.3";
const GIVEN_NAME: &str = "2.5.4.42";
const SURNAME: &str = "2.5.4.4";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardHolder {
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
}

/// The certificate in the header: RFC 9440 `Client-Cert` (`:base64-DER:`) or a
/// URL-encoded PEM (nginx `$ssl_client_escaped_cert`).
pub fn parse_header(value: &str) -> Result<Certificate, String> {
    let v = value.trim();
    if let Some(b64) = v.strip_prefix(':').and_then(|s| s.strip_suffix(':')) {
        let der = STANDARD.decode(b64).map_err(|_| "Client-Cert is not base64")?;
        return Certificate::from_der(&der).map_err(|e| format!("certificate: {e}"));
    }
    let pem = percent_encoding::percent_decode_str(v).decode_utf8().map_err(|_| "header is not UTF-8")?;
    Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("certificate: {e}"))
}

/// All certificates of a PEM bundle (the configured CNS CAs).
pub fn parse_bundle(pem: &str) -> Result<Vec<Certificate>, String> {
    Certificate::load_pem_chain(pem.as_bytes()).map_err(|e| format!("CA bundle: {e}"))
}

/// All CRLs of a PEM bundle (`-----BEGIN X509 CRL-----` blocks).
pub fn parse_crls(pem: &str) -> Result<Vec<CertificateList>, String> {
    const BEGIN: &str = "-----BEGIN X509 CRL-----";
    const END: &str = "-----END X509 CRL-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let end = rest[start..].find(END).ok_or("CRL bundle: a block has no END line")? + start + END.len();
        let (label, der) = x509_cert::der::pem::decode_vec(&rest.as_bytes()[start..end]).map_err(|e| format!("CRL bundle: {e}"))?;
        if label != "X509 CRL" {
            return Err(format!("CRL bundle: unexpected block {label}"));
        }
        out.push(CertificateList::from_der(&der).map_err(|e| format!("CRL: {e}"))?);
        rest = &rest[end..];
    }
    if out.is_empty() && !pem.trim().is_empty() {
        return Err("CRL bundle: no X509 CRL block".into());
    }
    Ok(out)
}

/// Whether `ca` signed `tbs` (DER) with RSA-SHA256 as `signature`.
fn signed_by(ca: &Certificate, algorithm: &str, tbs: &[u8], signature: &[u8]) -> bool {
    algorithm == SHA256_RSA
        && Signature::try_from(signature).is_ok_and(|sig| {
            saml::TrustedCert::from_cert(ca).is_ok_and(|k| VerifyingKey::<Sha256>::new(k.public_key().clone()).verify(tbs, &sig).is_ok())
        })
}

/// Checks `cert` (already known to be issued by `ca`) against the CRLs: the issuer's CRL
/// must be there, signed by `ca`, current at `now`, and must not list the certificate.
fn not_revoked(cert: &Certificate, ca: &Certificate, crls: &[CertificateList], now: i64) -> Result<(), String> {
    let crl = crls
        .iter()
        .find(|c| c.tbs_cert_list.issuer == cert.tbs_certificate.issuer)
        .ok_or("no CRL is configured for the issuing CA")?;
    let tbs = crl.tbs_cert_list.to_der().map_err(|e| e.to_string())?;
    if !signed_by(ca, &crl.signature_algorithm.oid.to_string(), &tbs, crl.signature.raw_bytes()) {
        return Err("the CRL is not signed by the issuing CA".into());
    }
    let this = crl.tbs_cert_list.this_update.to_unix_duration().as_secs() as i64;
    let next = crl.tbs_cert_list.next_update.map(|t| t.to_unix_duration().as_secs() as i64);
    if now < this || next.is_none_or(|n| now > n) {
        return Err("the CRL is out of date (its next update has passed)".into());
    }
    let serial = &cert.tbs_certificate.serial_number;
    if crl.tbs_cert_list.revoked_certificates.iter().flatten().any(|r| &r.serial_number == serial) {
        return Err(format!("certificate {serial} is revoked"));
    }
    Ok(())
}

fn attribute(cert: &Certificate, oid: &str) -> Option<String> {
    cert.tbs_certificate.subject.0.iter().flat_map(|rdn| rdn.0.iter()).find(|a| a.oid.to_string() == oid).and_then(|a| {
        let v = &a.value;
        std::str::from_utf8(v.value()).ok().map(str::to_string)
    })
}

/// Checks `cert` against `cas` at `now` (Unix seconds) and, when `crls` is not empty,
/// against its issuer's CRL, and reads the holder.
pub fn verify(cert: &Certificate, cas: &[Certificate], crls: &[CertificateList], now: i64) -> Result<CardHolder, String> {
    let validity = &cert.tbs_certificate.validity;
    let (from, to) = (validity.not_before.to_unix_duration().as_secs() as i64, validity.not_after.to_unix_duration().as_secs() as i64);
    if now < from || now > to {
        return Err("certificate not valid now (expired or not yet valid)".into());
    }
    if cert.signature_algorithm.oid.to_string() != SHA256_RSA {
        return Err(format!("unsupported certificate signature algorithm {}", cert.signature_algorithm.oid));
    }
    let tbs = cert.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    let issued_by = |ca: &&Certificate| {
        ca.tbs_certificate.subject == cert.tbs_certificate.issuer && signed_by(ca, SHA256_RSA, &tbs, cert.signature.raw_bytes())
    };
    let ca = cas.iter().find(issued_by).ok_or("certificate not issued by a configured CNS CA")?;
    if !crls.is_empty() {
        not_revoked(cert, ca, crls, now)?;
    }
    let cn = attribute(cert, CN).ok_or("certificate without common name")?;
    let cf = cn.split('/').next().unwrap_or("").trim().to_ascii_uppercase();
    if !common::validation::fiscal_code_is_valid(&cf) {
        return Err("common name does not start with a valid codice fiscale".into());
    }
    Ok(CardHolder {
        fiscal_code: cf,
        name: attribute(cert, GIVEN_NAME).unwrap_or_default(),
        family_name: attribute(cert, SURNAME).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str) -> String {
        std::fs::read_to_string(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn card() -> Certificate {
        Certificate::from_pem(read("card.crt").as_bytes()).unwrap()
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_card_issued_by_the_ca_logs_in() {
        let cas = parse_bundle(&read("ca.crt")).unwrap();
        let holder = verify(&card(), &cas, &[], NOW).unwrap();
        assert_eq!(holder, CardHolder { fiscal_code: "RSSMRA80A01D612Y".into(), name: "MARIO".into(), family_name: "ROSSI".into() });
    }

    #[test]
    fn wrong_ca_and_expired_cards_are_refused() {
        let other = parse_bundle(&read("other-ca.crt")).unwrap();
        assert!(verify(&card(), &other, &[], NOW).unwrap_err().contains("not issued"));
        let cas = parse_bundle(&read("ca.crt")).unwrap();
        assert!(verify(&card(), &cas, &[], NOW + 20 * 365 * 86400).unwrap_err().contains("not valid now"));
    }

    #[test]
    fn a_configured_crl_is_checked() {
        let pem = |n: &str| Certificate::from_pem(read(n).as_bytes()).unwrap();
        let cas = parse_bundle(&format!("{}{}", read("ca.crt"), read("crl-ca.crt"))).unwrap();
        let crls = parse_crls(&read("crl-ca.crl")).unwrap();
        assert_eq!(verify(&pem("crl-card-ok.crt"), &cas, &crls, NOW).unwrap().fiscal_code, "RSSMRA80A01D612Y");
        assert!(verify(&pem("crl-card-revoked.crt"), &cas, &crls, NOW).unwrap_err().contains("revoked"));
        assert_eq!(verify(&pem("crl-card-revoked.crt"), &cas, &[], NOW).unwrap().fiscal_code, "VRDLGU75B12G702G", "no CRL configured: not checked");
        // a card of a CA whose CRL is not configured, a stale CRL: refused (fail closed)
        assert!(verify(&card(), &cas, &crls, NOW).unwrap_err().contains("no CRL"));
        let stale = parse_crls(&read("crl-ca-stale.crl")).unwrap();
        assert!(verify(&pem("crl-card-ok.crt"), &cas, &stale, NOW).unwrap_err().contains("out of date"));
        // a CRL of that issuer's name but not signed by it
        let mut forged = crls[0].clone();
        forged.tbs_cert_list.revoked_certificates = None;
        assert!(verify(&pem("crl-card-revoked.crt"), &cas, &[forged], NOW).unwrap_err().contains("not signed"));
        let both = parse_crls(&format!("{}\n{}", read("crl-ca.crl"), read("crl-ca-stale.crl"))).unwrap();
        assert_eq!(both.len(), 2);
        assert!(parse_crls("garbage").is_err());
        assert!(parse_crls("").unwrap().is_empty());
    }

    #[test]
    fn both_header_encodings_are_read() {
        let pem = read("card.crt");
        let escaped: String = percent_encoding::utf8_percent_encode(&pem, percent_encoding::NON_ALPHANUMERIC).to_string();
        assert_eq!(parse_header(&escaped).unwrap(), card());
        let der = card().to_der().unwrap();
        assert_eq!(parse_header(&format!(":{}:", STANDARD.encode(der))).unwrap(), card());
        assert!(parse_header("garbage").is_err());
    }
}
