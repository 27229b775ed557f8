//! The OpenID Connect provider (issue 20, B2 C7) end to end: a real OIDC client library
//! (Python's authlib, pinned in a virtualenv by scripts/test) drives discovery, JWKS, the
//! code flow with PKCE and nonce, the ID token's signature and claims, userinfo with the
//! company claims, and the attacks (tests/conformance/oidc_check.py); here, a person
//! acting for a company they hold no incarico for cannot get a hand-off.
//!
//! People (config/test-idp): 0 Mario Rossi acts for ACME S.R.L. (demo incarico);
//! 1 Giulia Bianchi is a registered citizen.

use std::process::Command;

use e2e::client::registered_citizen;
use e2e::staff::{self, ACME};
use e2e::Start;
use serde_json::json;

#[test]
fn a_real_oidc_client_signs_in_a_company_and_a_citizen_and_every_attack_is_refused() {
    let python = std::env::var("OIDC_CHECK_PYTHON").expect("OIDC_CHECK_PYTHON: the Python with authlib (scripts/test makes it)");
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).arg("--variable").arg("dev_clock=true").start();
    let company = staff::acting_for(&app, 0, ACME);
    let citizen = registered_citizen(&app, 1);

    // a citizen acting for no company gets no CO hand-off; GPI (no incarico) cannot be chosen
    let r = citizen.post("/api/oidc/handoff", &json!({ "client_id": "demo-co-fi" }));
    assert_eq!(r.status, 403, "{}", r.body);
    let r = citizen.post("/api/session/act-as", &json!({ "company_id": 2 }));
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(citizen.post("/api/oidc/handoff", &json!({ "client_id": "demo-co-fi" })).status, 403);
    assert_eq!(citizen.post("/api/oidc/handoff", &json!({ "client_id": "nobody" })).json()["error"]["code"], "unknown_partner");

    let out = Command::new(python)
        .arg(e2e::root().join("tests/conformance/oidc_check.py"))
        .env("OIDC_BASE", &app.base)
        .env("OIDC_COMPANY_COOKIE", &company.cookie)
        .env("OIDC_COMPANY_CSRF", &company.csrf)
        .env("OIDC_CITIZEN_COOKIE", &citizen.cookie)
        .env("OIDC_CITIZEN_CSRF", &citizen.csrf)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}\n{}", app.log_text());
    assert!(text.contains("all OIDC checks passed"), "{text}");
    println!("{text}");

    // both partners used are listed in the profile, and can be revoked
    let consents = citizen.get("/api/oidc/consents").json();
    assert_eq!(consents["items"][0]["client_id"], "demo-gg", "{consents}");
    assert_eq!(citizen.delete("/api/oidc/consents/demo-gg").json_checked()["revoked"], true);
    assert_eq!(citizen.get("/api/oidc/consents").json()["items"], json!([]));
}
