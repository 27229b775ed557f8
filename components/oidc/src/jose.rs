//! Compact JWS (RS256) and RSA JWKs, by hand over the `rsa` crate already in the tree:
//! a signed ID token is `base64url(header).base64url(claims).base64url(signature)`, a
//! few lines, so no JOSE crate (and its second crypto stack) is pulled into the guest.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer as _, Verifier as _};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

pub fn b64(data: &[u8]) -> String {
    B64.encode(data)
}

/// A signing key with its key id.
pub struct Signer {
    pub kid: String,
    key: SigningKey<Sha256>,
    public: RsaPublicKey,
}

impl Signer {
    /// From a PKCS#8 or PKCS#1 PEM private key.
    pub fn from_pem(kid: &str, pem: &str) -> Option<Self> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem).or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem)).ok()?;
        let public = key.to_public_key();
        Some(Self { kid: kid.to_string(), key: SigningKey::new(key), public })
    }

    /// `claims` as a compact JWS with `alg` RS256 and this key's `kid`.
    pub fn sign(&self, claims: &impl Serialize) -> String {
        self.sign_typed("JWT", claims)
    }

    /// The same with the header's `typ` (`logout+jwt` for a back-channel logout token).
    pub fn sign_typed(&self, typ: &str, claims: &impl Serialize) -> String {
        let header = json!({"alg": "RS256", "typ": typ, "kid": self.kid});
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(&serde_json::to_vec(claims).unwrap_or_default()));
        let sig = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(&sig.to_bytes()))
    }

    pub fn jwk(&self) -> Value {
        jwk(&self.kid, &self.public)
    }
}

/// The public JWK of an RSA key (`use` sig, `alg` RS256).
pub fn jwk(kid: &str, key: &RsaPublicKey) -> Value {
    json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())})
}

/// The public key of a PEM that holds a private key (PKCS#8 / PKCS#1) or a public one
/// (SPKI / PKCS#1): the previous signing key may be published from either.
pub fn public_from_pem(pem: &str) -> Option<RsaPublicKey> {
    if let Ok(k) = RsaPrivateKey::from_pkcs8_pem(pem).or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem)) {
        return Some(k.to_public_key());
    }
    RsaPublicKey::from_public_key_pem(pem).or_else(|_| RsaPublicKey::from_pkcs1_pem(pem)).ok()
}

/// The claims of a compact RS256 JWS if `key` verifies it (tests and the benchmark).
pub fn verify(token: &str, key: &RsaPublicKey) -> Option<Value> {
    let mut parts = token.split('.');
    let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
    let header: Value = serde_json::from_slice(&B64.decode(h).ok()?).ok()?;
    if header["alg"] != "RS256" {
        return None;
    }
    let sig = Signature::try_from(B64.decode(s).ok()?.as_slice()).ok()?;
    VerifyingKey::<Sha256>::new(key.clone()).verify(format!("{h}.{c}").as_bytes(), &sig).ok()?;
    serde_json::from_slice(&B64.decode(c).ok()?).ok()
}

/// PKCE S256 (RFC 7636 4.6): `base64url(sha256(verifier)) == challenge`; the verifier
/// must be 43–128 characters of the unreserved set.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    use sha2::Digest;
    let ok_chars = verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !(43..=128).contains(&verifier.len()) || !ok_chars {
        return false;
    }
    common::token::secrets_match(b64(&Sha256::digest(verifier.as_bytes())).as_bytes(), challenge.as_bytes())
}
