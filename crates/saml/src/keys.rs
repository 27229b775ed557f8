//! Keys and certificates: the SP's signing key and the public keys we trust.
//!
//! Trust comes only from configuration (IdP metadata, CA files), never from a key
//! carried inside a message.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::{Signature, SigningKey as Pkcs1SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};
use x509_cert::Certificate;
use x509_cert::der::{Decode, DecodePem, Encode};

/// Signature algorithms SPID and CIE allow (RSA with SHA-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlg {
    RsaSha256,
    RsaSha384,
    RsaSha512,
}

impl SigAlg {
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::RsaSha256, Self::RsaSha384, Self::RsaSha512].into_iter().find(|a| a.uri() == uri)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

fn err(what: &str, e: impl std::fmt::Display) -> KeyError {
    KeyError(format!("{what}: {e}"))
}

/// Our private key with the certificate published in our metadata.
pub struct SigningKey {
    key: RsaPrivateKey,
    cert: TrustedCert,
}

impl SigningKey {
    /// A PEM private key (PKCS#8 or PKCS#1) and its PEM certificate.
    pub fn from_pem(key_pem: &str, cert_pem: &str) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs8_pem(key_pem.trim())
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(key_pem.trim()))
            .map_err(|e| err("private key", e))?;
        let cert = TrustedCert::from_pem(cert_pem)?;
        if cert.key != key.to_public_key() {
            return Err(KeyError("the certificate does not belong to the private key".into()));
        }
        Ok(Self { key, cert })
    }

    pub fn certificate(&self) -> &TrustedCert {
        &self.cert
    }

    /// PKCS#1 v1.5 signature, with RSA blinding fed by the platform's random source.
    pub fn sign(&self, alg: SigAlg, data: &[u8]) -> Vec<u8> {
        let mut rng = OsRandom;
        let key = self.key.clone();
        match alg {
            SigAlg::RsaSha256 => Pkcs1SigningKey::<Sha256>::new(key).sign_with_rng(&mut rng, data).to_vec(),
            SigAlg::RsaSha384 => Pkcs1SigningKey::<Sha384>::new(key).sign_with_rng(&mut rng, data).to_vec(),
            SigAlg::RsaSha512 => Pkcs1SigningKey::<Sha512>::new(key).sign_with_rng(&mut rng, data).to_vec(),
        }
    }
}

/// A certificate whose public key we trust for one purpose (an IdP, a CA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCert {
    key: RsaPublicKey,
    der: Vec<u8>,
    /// Validity bounds, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
}

impl TrustedCert {
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let cert = Certificate::from_der(der).map_err(|e| err("certificate", e))?;
        Self::from_cert(&cert)
    }

    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let cert = Certificate::from_pem(pem.trim()).map_err(|e| err("certificate", e))?;
        Self::from_cert(&cert)
    }

    /// The base64 body of a `<ds:X509Certificate>` (whitespace allowed).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let der = decode_base64(text).map_err(|e| err("certificate base64", e))?;
        Self::from_der(&der)
    }

    pub fn from_cert(cert: &Certificate) -> Result<Self, KeyError> {
        let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(|e| err("certificate key", e))?;
        let key = RsaPublicKey::from_public_key_der(&spki).map_err(|e| err("certificate key (RSA expected)", e))?;
        let validity = &cert.tbs_certificate.validity;
        let secs = |t: x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
        Ok(Self {
            key,
            der: cert.to_der().map_err(|e| err("certificate", e))?,
            not_before: secs(validity.not_before),
            not_after: secs(validity.not_after),
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn base64(&self) -> String {
        STANDARD.encode(&self.der)
    }

    pub fn valid_at(&self, unix: i64) -> bool {
        self.not_before <= unix && unix <= self.not_after
    }

    pub fn public_key(&self) -> &RsaPublicKey {
        &self.key
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 signature of `data`.
    pub fn verify(&self, alg: SigAlg, data: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = Signature::try_from(signature) else { return false };
        let key = self.key.clone();
        match alg {
            SigAlg::RsaSha256 => VerifyingKey::<Sha256>::new(key).verify(data, &sig).is_ok(),
            SigAlg::RsaSha384 => VerifyingKey::<Sha384>::new(key).verify(data, &sig).is_ok(),
            SigAlg::RsaSha512 => VerifyingKey::<Sha512>::new(key).verify(data, &sig).is_ok(),
        }
    }
}

/// Base64 as found in XML: line breaks and spaces are ignored.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact)
}

/// The platform's secure random source (WASI `random` inside a component).
pub struct OsRandom;

impl rand_core::RngCore for OsRandom {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        getrandom::fill(dest).expect("the platform has no secure random source");
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        getrandom::fill(dest).map_err(|e| rand_core::Error::new(e.to_string()))
    }
}

impl rand_core::CryptoRng for OsRandom {}

/// `n` random bytes from the platform's secure source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the platform has no secure random source");
    b
}
