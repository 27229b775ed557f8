//! The endpoint table of `tests/support/routes.rs` covers every route of the
//! development manifest, and marks as development-only exactly the endpoints that the
//! production manifest does not route.

use e2e::root;
use e2e::routes::{ENDPOINTS, route_matches};

fn routes(name: &str) -> Vec<String> {
    let m: toml::Table = std::fs::read_to_string(root().join(name)).unwrap().parse().unwrap();
    m["trigger"]["http"].as_array().unwrap().iter().filter_map(|t| t["route"].as_str().map(str::to_owned)).collect()
}

/// The route Spin would choose for `path`: an exact route, else the longest wildcard.
fn chosen<'a>(routes: &'a [String], path: &str) -> Option<&'a str> {
    routes
        .iter()
        .filter(|r| route_matches(r, path))
        .max_by_key(|r| if r.ends_with("/...") { r.len() - 4 } else { usize::MAX })
        .map(String::as_str)
}

#[test]
fn every_route_has_an_endpoint_in_the_table() {
    let dev = routes("spin.dev.toml");
    for route in &dev {
        let covered = ENDPOINTS.iter().any(|e| chosen(&dev, e.route_path()) == Some(route.as_str()));
        assert!(covered, "route {route} of spin.dev.toml has no endpoint in tests/support/routes.rs: add its endpoints there");
    }
}

#[test]
fn development_only_endpoints_are_exactly_those_production_does_not_route() {
    let prod = routes("spin.toml");
    for e in ENDPOINTS {
        let served = chosen(&prod, e.route_path()).is_some_and(|r| r != "/...");
        let page = chosen(&prod, e.route_path()) == Some("/...") && !e.dev_only;
        assert_eq!(served || page, !e.dev_only, "{} {}: dev_only = {}", e.method, e.path, e.dev_only);
    }
}

#[test]
fn every_placeholder_of_the_table_has_a_sample_value() {
    for e in ENDPOINTS {
        let path = e.sample_path();
        assert!(path.starts_with('/') && !path.contains('{'), "{} {}: {path}", e.method, e.path);
    }
}
