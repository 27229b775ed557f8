//! The production manifest routes no development tool and gives no component a
//! development switch; the development manifest is the production one plus exactly
//! those tools and switches.

use e2e::root;

fn load(name: &str) -> toml::Table {
    std::fs::read_to_string(root().join(name)).unwrap().parse().unwrap()
}

/// Components that only the development manifest may have.
const DEV_COMPONENTS: &[&str] = &["test-idp", "devtools", "demo-partner"];
/// Route prefixes of development tools.
const DEV_ROUTES: &[&str] = &["/dev/", "/dev", "/api/dev/", "/api/dev", "/test-idp", "/demo-partner"];
/// Variables of development switches and of the demo IdP.
fn is_dev_variable(name: &str) -> bool {
    name.starts_with("dev_") || name.starts_with("test_idp_")
}
/// Components the test clock reaches in development.
const CLOCKED: &[&str] = &["sso", "registration", "cv", "backoffice", "applications", "appointments", "interviews", "oidc", "alerts"];

fn routes(m: &toml::Table) -> Vec<(String, String)> {
    m["trigger"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["route"].as_str().map(str::to_owned).unwrap_or_else(|| t["route"].to_string()), t["component"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn the_production_manifest_has_no_development_route_component_or_switch() {
    let prod = load("spin.toml");
    let text = std::fs::read_to_string(root().join("spin.toml")).unwrap();
    assert!(!text.contains(".dev/") && !text.contains("config/idp/development"), "no development IdP registry");
    for (route, component) in routes(&prod) {
        assert!(!DEV_ROUTES.iter().any(|p| route.starts_with(p)), "spin.toml routes the development path {route}");
        assert!(!DEV_COMPONENTS.contains(&component.as_str()), "spin.toml routes {route} to {component}");
    }
    let components = prod["component"].as_table().unwrap();
    for id in DEV_COMPONENTS {
        assert!(!components.contains_key(*id), "spin.toml has the development component {id}");
    }
    for name in prod["variables"].as_table().unwrap().keys() {
        assert!(!is_dev_variable(name), "spin.toml declares the development variable {name}");
    }
    for (id, c) in components {
        for name in c.get("variables").and_then(|v| v.as_table()).map(|t| t.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            assert!(!is_dev_variable(&name), "component {id} gets the development variable {name}");
        }
    }
}

#[test]
fn the_development_manifest_is_production_plus_its_tools() {
    let prod = load("spin.toml");
    let mut dev = load("spin.dev.toml");
    // what development adds: its routes and components
    let dev_routes = routes(&dev);
    for prefix in ["/test-idp/...", "/dev/mailbox", "/api/dev/mailbox", "/api/dev/mailbox/send"] {
        assert!(dev_routes.iter().any(|(r, _)| r == prefix), "spin.dev.toml routes {prefix}");
    }
    let components = dev["component"].as_table_mut().unwrap();
    for id in DEV_COMPONENTS {
        assert!(components.remove(*id).is_some(), "spin.dev.toml has {id}");
    }
    for id in CLOCKED {
        let vars = components[*id]["variables"].as_table_mut().unwrap();
        assert_eq!(vars.remove("dev_clock").and_then(|v| v.as_str().map(str::to_owned)).as_deref(), Some("{{ dev_clock }}"), "{id}");
    }
    let sso = components["sso"].as_table_mut().unwrap();
    let files = sso["files"].as_array_mut().unwrap();
    assert_eq!(files[0]["source"].as_str(), Some(".dev/idp"));
    files[0].as_table_mut().unwrap().insert("source".into(), "config/idp/production".into());
    let triggers = dev["trigger"]["http"].as_array().unwrap().iter().filter(|t| !DEV_COMPONENTS.contains(&t["component"].as_str().unwrap())).cloned().collect();
    dev["trigger"].as_table_mut().unwrap().insert("http".into(), toml::Value::Array(triggers));
    let vars = dev["variables"].as_table_mut().unwrap();
    vars.remove("test_idp_private_key").unwrap();
    vars.remove("test_idp_certificate").unwrap();
    // the test clock is off unless a run turns it on
    assert_eq!(vars.remove("dev_clock").unwrap()["default"].as_str(), Some("false"));
    assert_eq!(vars.remove("base_url").unwrap()["default"].as_str(), Some("http://127.0.0.1:3000"));
    let mut prod_vars = prod["variables"].as_table().unwrap().clone();
    assert_eq!(prod_vars.remove("base_url").unwrap()["required"].as_bool(), Some(true));
    // back-channel logout tokens reach the development demo partner on loopback; in
    // production nothing until the partners' origin is configured
    assert_eq!(vars.remove("oidc_logout_origin").unwrap()["default"].as_str(), Some("http://127.0.0.1:*"));
    assert_eq!(prod_vars.remove("oidc_logout_origin").unwrap()["default"].as_str(), Some("https://partners.invalid"));
    assert_eq!(*vars, prod_vars);
    assert_eq!(dev["component"], prod["component"]);
    assert_eq!(dev["trigger"], prod["trigger"]);
}
