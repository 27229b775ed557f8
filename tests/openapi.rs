//! The OpenAPI document (`web/openapi.json`, served at `/api/openapi.json`) has exactly one
//! operation for each `/api/...` and `/jobs/...` endpoint of `tests/support/routes.rs`
//! (development-only endpoints aside), and names no operation that is not there.
//! Placeholders and their names may differ (`/api/news/1` is `/api/news/{news}`); a
//! placeholder of the table's query (`?person={person}`) is a query parameter there.

use e2e::root;
use e2e::routes::ENDPOINTS;
use std::collections::BTreeSet;

/// A path with every `{…}` (and, on the table's side, every all-digit segment) as `{}`.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| if (s.starts_with('{') && s.ends_with('}')) || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())) { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn documented() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root().join("web/openapi.json")).unwrap()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            assert!(ops.insert((method.to_ascii_uppercase(), shape(path))), "{method} {path} twice");
        }
    }
    ops
}

fn endpoints() -> BTreeSet<(String, String)> {
    ENDPOINTS
        .iter()
        .filter(|e| !e.dev_only && (e.path.starts_with("/api/") || e.path.starts_with("/jobs/")))
        .map(|e| (e.method.to_string(), shape(e.route_path())))
        .collect()
}

#[test]
fn every_api_endpoint_has_an_operation() {
    let doc = documented();
    let missing: Vec<_> = endpoints().difference(&doc).cloned().collect();
    assert!(missing.is_empty(), "endpoints of tests/support/routes.rs without an operation in web/openapi.json (add them to crates/openapi/src/ops.rs and run `cargo run --release -p openapi`): {missing:?}");
}

#[test]
fn every_operation_is_an_endpoint() {
    let unknown: Vec<_> = documented().difference(&endpoints()).cloned().collect();
    assert!(unknown.is_empty(), "operations of web/openapi.json that tests/support/routes.rs does not list: {unknown:?}");
}

#[test]
fn the_shape_of_a_path_ignores_placeholder_names_only() {
    assert_eq!(shape("/api/news/1"), shape("/api/news/{news}"));
    assert_ne!(shape("/api/cv/{cv}/file"), shape("/api/cv/{cv}/history"));
}
