//! The OpenAPI document (`web/openapi.json`, served at `/api/openapi.json`) has exactly one
//! operation for each `/api/...` and `/jobs/...` endpoint of `tests/support/routes.rs`
//! (development-only endpoints aside), and names no operation that is not there.
//! Placeholders and their names may differ (`/api/news/1` is `/api/news/{news}`); a
//! placeholder of the table's query (`?person={person}`) is a query parameter there.

use e2e::root;
use e2e::routes::ENDPOINTS;

/// Whether the document's path template `doc` serves the table's path `table`: the same
/// segments, a `{…}` of the document matching any one segment.
fn serves(doc: &str, table: &str) -> bool {
    let (d, t): (Vec<&str>, Vec<&str>) = (doc.split('/').collect(), table.split('/').collect());
    d.len() == t.len() && d.iter().zip(&t).all(|(d, t)| (d.starts_with('{') && d.ends_with('}') && !t.is_empty()) || d == t)
}

fn documented() -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root().join("web/openapi.json")).unwrap()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    ops
}

fn endpoints() -> Vec<(String, String)> {
    ENDPOINTS
        .iter()
        .filter(|e| !e.dev_only && (e.path.starts_with("/api/") || e.path.starts_with("/jobs/")))
        .map(|e| (e.method.to_string(), e.route_path().to_string()))
        .collect()
}

#[test]
fn every_api_endpoint_has_an_operation() {
    let doc = documented();
    let missing: Vec<_> = endpoints().into_iter().filter(|(m, p)| !doc.iter().any(|(dm, dp)| dm == m && serves(dp, p))).collect();
    assert!(missing.is_empty(), "endpoints of tests/support/routes.rs without an operation in web/openapi.json (add them to crates/openapi/src/ops.rs and run `cargo run --release -p openapi`): {missing:?}");
}

#[test]
fn every_operation_is_an_endpoint() {
    let table = endpoints();
    let unknown: Vec<_> = documented().into_iter().filter(|(dm, dp)| !table.iter().any(|(m, p)| dm == m && serves(dp, p))).collect();
    assert!(unknown.is_empty(), "operations of web/openapi.json that tests/support/routes.rs does not list: {unknown:?}");
}

#[test]
fn a_template_serves_paths_of_its_shape_only() {
    assert!(serves("/api/news/{news}", "/api/news/1"));
    assert!(serves("/api/cv/{cv}/file", "/api/cv/{cv}/file"));
    assert!(!serves("/api/cv/{cv}/file", "/api/cv/{cv}/history"));
    assert!(!serves("/api/cv/{cv}", "/api/cv/{cv}/file"));
    assert!(!serves("/api/cv", "/api/cv/{cv}"));
}
