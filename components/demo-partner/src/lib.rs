//! `demo-partner` (development manifest only, like the demo IdP): a minimal OpenID
//! Connect relying party that plays the CO sites and Garanzia Giovani of
//! `config/oidc/development.json`, so the journey company -> province -> partner can be
//! tried by hand with `scripts/run`.
//!
//! - `GET /demo-partner/login?client_id=…[&login_hint=…]` (the partners'
//!   `initiate_login_uri`): state, nonce and PKCE verifier in key-value, the state also
//!   in a cookie; on to the portal's authorization endpoint.
//! - `GET /demo-partner/callback`: checks the state, exchanges the code at the token
//!   endpoint, checks the ID token (RS256 signature with the JWKS, `iss`, `aud`,
//!   `nonce`, `exp`), reads userinfo, opens a demo session (cookie).
//! - `GET /demo-partner/`: who arrived and for which company, or that the session was
//!   ended by the portal.
//! - `POST /demo-partner/backchannel-logout`: checks the logout token (signature, `iss`,
//!   `aud`, `events`, no `nonce`, `typ`) and ends the demo session of its `sid`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier as _;
use rsa::{BigUint, RsaPublicKey};
use serde_json::Value;
use sha2::Sha256;

pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// The development partners (config/oidc/development.json) this site plays.
pub const CLIENTS: &[(&str, &str)] = &[("demo-co-fi", "Comunicazioni Obbligatorie - Firenze (demo)"), ("demo-co-pi", "Comunicazioni Obbligatorie - Pisa (demo)"), ("demo-gg", "Garanzia Giovani (demo)")];

pub fn client_name(id: &str) -> Option<&'static str> {
    CLIENTS.iter().find(|(c, _)| *c == id).map(|(_, n)| *n)
}

/// The header and claims of a compact RS256 JWS that a key of `jwks` (by `kid`) verifies.
pub fn verify(token: &str, jwks: &Value) -> Option<(Value, Value)> {
    let mut parts = token.split('.');
    let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&B64.decode(h).ok()?).ok()?;
    if header["alg"] != "RS256" {
        return None;
    }
    let jwk = jwks["keys"].as_array()?.iter().find(|k| k["kid"] == header["kid"] && k["kty"] == "RSA")?;
    let n = BigUint::from_bytes_be(&B64.decode(jwk["n"].as_str()?).ok()?);
    let e = BigUint::from_bytes_be(&B64.decode(jwk["e"].as_str()?).ok()?);
    let key = RsaPublicKey::new(n, e).ok()?;
    let sig = Signature::try_from(B64.decode(s).ok()?.as_slice()).ok()?;
    VerifyingKey::<Sha256>::new(key).verify(format!("{h}.{c}").as_bytes(), &sig).ok()?;
    Some((header, serde_json::from_slice(&B64.decode(c).ok()?).ok()?))
}

/// OIDC Core 3.1.3.7: the ID token's issuer, audience, nonce and expiry.
pub fn check_id_token(claims: &Value, iss: &str, client_id: &str, nonce: &str, now: i64) -> Result<(), &'static str> {
    if claims["iss"] != iss {
        return Err("iss");
    }
    let aud_ok = claims["aud"] == client_id || claims["aud"].as_array().is_some_and(|a| a.iter().any(|x| x == client_id));
    if !aud_ok {
        return Err("aud");
    }
    if claims["nonce"] != nonce {
        return Err("nonce");
    }
    if claims["exp"].as_i64().is_none_or(|exp| exp <= now) {
        return Err("exp");
    }
    Ok(())
}

/// OIDC Back-Channel Logout 2.6: the logout token's checks; its audience and `sid`.
pub fn check_logout_token(header: &Value, claims: &Value, iss: &str, now: i64) -> Result<(String, String), &'static str> {
    if header["typ"] != "logout+jwt" {
        return Err("typ");
    }
    if claims["iss"] != iss {
        return Err("iss");
    }
    let aud = claims["aud"].as_str().filter(|a| client_name(a).is_some()).ok_or("aud")?;
    if claims["events"].get(EVENT).is_none_or(|e| !e.is_object()) {
        return Err("events");
    }
    if claims.get("nonce").is_some() {
        return Err("nonce");
    }
    if claims["iat"].as_i64().is_none() || claims["exp"].as_i64().is_none_or(|exp| exp <= now) {
        return Err("exp");
    }
    let sid = claims["sid"].as_str().ok_or("sid")?;
    Ok((aud.to_string(), sid.to_string()))
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?.split(';').filter_map(|p| p.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

pub fn b64(data: &[u8]) -> String {
    B64.encode(data)
}

#[cfg(target_arch = "wasm32")]
mod handler;

#[cfg(test)]
mod tests;
