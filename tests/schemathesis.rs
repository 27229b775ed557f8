//! schemathesis (PyPI, pinned; `scripts/test` makes its virtualenv and names the program
//! in `SCHEMATHESIS`) against a freshly started portal and the OpenAPI document
//! `web/openapi.json`: every operation, valid and invalid inputs (its examples, coverage
//! and fuzzing phases), once without a session, once each as a signed-in citizen, a
//! person acting for a company and a CPI operator (cookie and `X-CSRF-Token`, the
//! sessions made through the demo IdP as the other tests make them), and the jobs with
//! their Bearer secret. It must find no 5xx, no answer outside the document's schemas
//! and no status code the document does not list. Bounded: a fixed seed, a few examples
//! per operation, one worker.

use std::process::Command;

use e2e::client::{Client, registered_citizen};
use e2e::staff::{self, ACME, CF};
use e2e::{App, Start, root};

const JOBS_SECRET: &str = "schemathesis-jobs-secret-0123456789abcdef";

/// Runs schemathesis on `app` with `headers`, on the operations `filter` selects.
fn run(app: &App, who: &str, headers: &[(&str, &str)], filter: &[&str]) -> (bool, String) {
    let program = std::env::var("SCHEMATHESIS").expect("SCHEMATHESIS: the schemathesis program (scripts/test makes its virtualenv)");
    let reports = tempfile::tempdir().unwrap();
    let mut c = Command::new(program);
    c.arg("run")
        .arg(root().join("web/openapi.json"))
        .arg("--url")
        .arg(&app.base)
        .args(["--checks", "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "8", "--seed", "22", "--generation-deterministic", "--workers", "1", "--no-shrink"])
        .args(["--request-timeout", "30", "--no-color", "--max-redirects", "0"])
        .arg("--report-dir")
        .arg(reports.path())
        .args(filter)
        .env("SCHEMATHESIS_HOOKS", "")
        .current_dir(reports.path());
    for (k, v) in headers {
        c.arg("-H").arg(format!("{k}: {v}"));
    }
    let started = std::time::Instant::now();
    let out = c.output().expect("run schemathesis");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("schemathesis as {who}: {:?}, exit {:?}\n{}", started.elapsed(), out.status.code(), tail(&text, 2500));
    (out.status.success(), text)
}

fn tail(s: &str, n: usize) -> &str {
    let mut i = s.len().saturating_sub(n);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

#[test]
fn schemathesis_finds_nothing_as_anyone() {
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg(format!("jobs_secret={JOBS_SECRET}"))
        .start();
    let admin = registered_citizen(&app, 6);
    let citizen = registered_citizen(&app, 1);
    let operator = registered_citizen(&app, 4);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let company = staff::acting_for(&app, 0, ACME);

    let not_jobs = ["--exclude-tag", "job"];
    let mut failed = Vec::new();
    let bearer = format!("Bearer {JOBS_SECRET}");
    let mut runs: Vec<(&str, Vec<(&str, String)>, &[&str])> = vec![
        ("anonymous", vec![], &not_jobs),
        ("the scheduler", vec![("Authorization", bearer)], &["--include-tag", "job"]),
    ];
    for (who, c) in [("a citizen", &citizen), ("a company", &company), ("an operator", &operator)] {
        runs.push((who, session_headers(c), &not_jobs));
    }
    for (who, headers, filter) in &runs {
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (ok, text) = run(&app, who, &h, filter);
        if !ok {
            failed.push(format!("--- as {who}:\n{}", tail(&text, 12000)));
        }
    }
    assert!(failed.is_empty(), "schemathesis found problems:\n{}\n{}", failed.join("\n"), tail(&app.log_text(), 4000));
}

fn session_headers(c: &Client) -> Vec<(&'static str, String)> {
    vec![("Cookie", c.cookie.clone()), ("X-CSRF-Token", c.csrf.clone())]
}
