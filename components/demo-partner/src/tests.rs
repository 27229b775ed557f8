use super::*;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::traits::PublicKeyParts;
use serde_json::json;

const KEY: &str = include_str!("../../oidc/src/testdata/key.pem");
const ISS: &str = "http://127.0.0.1:3000";

fn key() -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(KEY).or_else(|_| rsa::pkcs1::DecodeRsaPrivateKey::from_pkcs1_pem(KEY)).unwrap()
}

fn jwks() -> Value {
    let p = key().to_public_key();
    json!({"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "n": b64(&p.n().to_bytes_be()), "e": b64(&p.e().to_bytes_be())}]})
}

fn sign(typ: &str, claims: &Value) -> String {
    let h = b64(json!({"alg": "RS256", "typ": typ, "kid": "k1"}).to_string().as_bytes());
    let input = format!("{h}.{}", b64(claims.to_string().as_bytes()));
    let sig = SigningKey::<Sha256>::new(key()).sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

fn logout_claims() -> Value {
    json!({"iss": ISS, "aud": "demo-co-fi", "iat": 100, "exp": 220, "jti": "j", "sub": "s", "sid": "abc", "events": {EVENT: {}}})
}

#[test]
fn id_tokens_are_checked() {
    let claims = json!({"iss": ISS, "aud": "demo-gg", "nonce": "n1", "exp": 200, "sub": "x"});
    let (_, got) = verify(&sign("JWT", &claims), &jwks()).expect("verifies");
    assert_eq!(check_id_token(&got, ISS, "demo-gg", "n1", 100), Ok(()));
    assert_eq!(check_id_token(&got, "https://other", "demo-gg", "n1", 100), Err("iss"));
    assert_eq!(check_id_token(&got, ISS, "demo-co-fi", "n1", 100), Err("aud"));
    assert_eq!(check_id_token(&got, ISS, "demo-gg", "n2", 100), Err("nonce"));
    assert_eq!(check_id_token(&got, ISS, "demo-gg", "n1", 200), Err("exp"));
    // a changed payload or an unknown key id fails the signature
    let t = sign("JWT", &claims);
    let parts: Vec<&str> = t.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], b64(json!({"iss": ISS, "aud": "demo-gg", "nonce": "n1", "exp": 200, "sub": "y"}).to_string().as_bytes()), parts[2]);
    assert!(verify(&forged, &jwks()).is_none());
    let mut other = jwks();
    other["keys"][0]["kid"] = json!("k9");
    assert!(verify(&t, &other).is_none());
}

#[test]
fn logout_tokens_are_checked() {
    let (h, c) = verify(&sign("logout+jwt", &logout_claims()), &jwks()).unwrap();
    assert_eq!(check_logout_token(&h, &c, ISS, 150), Ok(("demo-co-fi".into(), "abc".into())));
    assert_eq!(check_logout_token(&h, &c, ISS, 220), Err("exp"));
    let (h2, c2) = verify(&sign("JWT", &logout_claims()), &jwks()).unwrap();
    assert_eq!(check_logout_token(&h2, &c2, ISS, 150), Err("typ"));
    let mut with_nonce = logout_claims();
    with_nonce["nonce"] = json!("n");
    assert_eq!(check_logout_token(&h, &with_nonce, ISS, 150), Err("nonce"));
    let mut no_event = logout_claims();
    no_event["events"] = json!({});
    assert_eq!(check_logout_token(&h, &no_event, ISS, 150), Err("events"));
    let mut stranger = logout_claims();
    stranger["aud"] = json!("someone-else");
    assert_eq!(check_logout_token(&h, &stranger, ISS, 150), Err("aud"));
}

#[test]
fn cookies() {
    assert_eq!(cookie(Some("a=1; demo_partner_state=xyz"), "demo_partner_state"), Some("xyz"));
    assert_eq!(cookie(Some("a=1"), "demo_partner_state"), None);
    assert_eq!(cookie(None, "a"), None);
}
