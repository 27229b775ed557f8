//! CNS (Carta Nazionale dei Servizi) login: the TLS terminator asks for the card's
//! client certificate and forwards it in a configured header. We trust that header
//! only when the deployment names it, and only for certificates issued by the
//! configured CNS certification authorities and valid now.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;
use x509_cert::Certificate;
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

fn attribute(cert: &Certificate, oid: &str) -> Option<String> {
    cert.tbs_certificate.subject.0.iter().flat_map(|rdn| rdn.0.iter()).find(|a| a.oid.to_string() == oid).and_then(|a| {
        let v = &a.value;
        std::str::from_utf8(v.value()).ok().map(str::to_string)
    })
}

/// Checks `cert` against `cas` at `now` (Unix seconds) and reads the holder.
pub fn verify(cert: &Certificate, cas: &[Certificate], now: i64) -> Result<CardHolder, String> {
    let validity = &cert.tbs_certificate.validity;
    let (from, to) = (validity.not_before.to_unix_duration().as_secs() as i64, validity.not_after.to_unix_duration().as_secs() as i64);
    if now < from || now > to {
        return Err("certificate not valid now (expired or not yet valid)".into());
    }
    if cert.signature_algorithm.oid.to_string() != SHA256_RSA {
        return Err(format!("unsupported certificate signature algorithm {}", cert.signature_algorithm.oid));
    }
    let tbs = cert.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    let sig = Signature::try_from(cert.signature.raw_bytes()).map_err(|e| e.to_string())?;
    let issued_by = |ca: &Certificate| {
        ca.tbs_certificate.subject == cert.tbs_certificate.issuer
            && saml::TrustedCert::from_cert(ca)
                .map(|k| VerifyingKey::<Sha256>::new(k.public_key().clone()).verify(&tbs, &sig).is_ok())
                .unwrap_or(false)
    };
    if !cas.iter().any(issued_by) {
        return Err("certificate not issued by a configured CNS CA".into());
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
        let holder = verify(&card(), &cas, NOW).unwrap();
        assert_eq!(holder, CardHolder { fiscal_code: "RSSMRA80A01D612Y".into(), name: "MARIO".into(), family_name: "ROSSI".into() });
    }

    #[test]
    fn wrong_ca_and_expired_cards_are_refused() {
        let other = parse_bundle(&read("other-ca.crt")).unwrap();
        assert!(verify(&card(), &other, NOW).unwrap_err().contains("not issued"));
        let cas = parse_bundle(&read("ca.crt")).unwrap();
        assert!(verify(&card(), &cas, NOW + 20 * 365 * 86400).unwrap_err().contains("not valid now"));
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
