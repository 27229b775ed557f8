//! Secrets: random tokens, their hashes, and comparisons that take the same time
//! wherever two secrets first differ.

use sha2::{Digest, Sha256};

use crate::ApiError;

/// 256 random bits, hex (64 characters).
pub fn random_token() -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(ApiError::internal)?;
    Ok(hex(&b))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

/// Hex SHA-256 of `data`: what is stored of a token, never the token itself.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Whether two secrets (tokens, hashes) are equal, in a time that does not depend on
/// where they first differ.
pub fn secrets_match(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

/// The value of the cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hashes_and_cookies() {
        let t = random_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_token().unwrap());
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(secrets_match(b"abc", b"abc") && !secrets_match(b"abc", b"abd") && !secrets_match(b"abc", b"ab"));
        assert_eq!(cookie("a=1; b=2", "b"), Some("2"));
        assert_eq!(cookie("xb=2", "b"), None);
    }
}
