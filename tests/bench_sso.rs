//! Benchmark of the login path: the SAML Response at our ACS (parse, two RSA-SHA256
//! signature checks, replay records in SQLite, the person upserted, a session in KV),
//! the start of a login (a signed AuthnRequest), and the SP metadata (signed on each
//! request). One connection, sequential, as a person logs in; the Responses are made
//! by the demo IdP beforehand and are not part of the figures.
//!
//! Run: `cargo bench -p e2e --bench sso` (after `scripts/test` built everything).
//! Bounded: BENCH_LOGINS (default 200) logins.

use e2e::demo_idp::{SPID_IDP, post_to_acs, response_for};
use e2e::latency::{env, row, timed};
use e2e::{Start, request};

fn main() {
    let logins = env("BENCH_LOGINS", 200);
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).start();
    // the 8 demo identities in turn: new people first, then returning ones
    let responses: Vec<_> = (0..logins).map(|i| response_for(&app, i % 8)).collect();

    println!("| request | n | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    let acs = timed(logins, |i| {
        let r = post_to_acs(&app, &responses[i]);
        assert!(r.status == 303, "{} {}", r.status, r.body);
    });
    row("POST /auth/spid/acs (Response → session)", acs);
    let login_url = app.url(&format!("/auth/spid/login?idp={SPID_IDP}&level=2"));
    row("GET /auth/spid/login (signed AuthnRequest)", timed(logins, |_| assert_eq!(request("GET", &login_url, &[], None).status, 302)));
    let metadata = app.url("/auth/spid/metadata");
    row("GET /auth/spid/metadata (signed)", timed(logins, |_| assert_eq!(request("GET", &metadata, &[], None).status, 200)));
}
