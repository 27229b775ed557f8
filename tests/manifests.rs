//! The development manifest is the production one plus the demo IdP, nothing else;
//! the production manifest never routes the demo IdP nor trusts the test IdPs.

use e2e::root;

fn load(name: &str) -> toml::Table {
    std::fs::read_to_string(root().join(name)).unwrap().parse().unwrap()
}

#[test]
fn dev_manifest_is_production_plus_the_demo_idp() {
    let prod = load("spin.toml");
    let mut dev = load("spin.dev.toml");
    let text = std::fs::read_to_string(root().join("spin.toml")).unwrap();
    assert!(!text.contains("test-idp") && !text.contains(".dev/") && !text.contains("config/idp/development"));
    // the development mailbox shows every message with its codes: off unless a run turns it on
    assert_eq!(prod["variables"]["dev_mailbox"]["default"].as_str(), Some("false"));
    // the simulated clock of the scheduled jobs: off unless a test run turns it on
    assert_eq!(prod["variables"]["dev_clock"]["default"].as_str(), Some("false"));

    // remove the documented differences from the dev manifest: it must then equal spin.toml
    let components = dev["component"].as_table_mut().unwrap();
    assert!(components.remove("test-idp").is_some());
    let sso = components["sso"].as_table_mut().unwrap();
    let files = sso["files"].as_array_mut().unwrap();
    assert_eq!(files[0]["source"].as_str(), Some(".dev/idp"));
    files[0].as_table_mut().unwrap().insert("source".into(), "config/idp/production".into());
    let triggers = dev["trigger"]["http"].as_array().unwrap().iter().filter(|t| t["component"].as_str() != Some("test-idp")).cloned().collect();
    dev["trigger"].as_table_mut().unwrap().insert("http".into(), toml::Value::Array(triggers));
    let vars = dev["variables"].as_table_mut().unwrap();
    vars.remove("test_idp_private_key").unwrap();
    vars.remove("test_idp_certificate").unwrap();
    assert_eq!(vars.remove("base_url").unwrap()["default"].as_str(), Some("http://127.0.0.1:3000"));
    let mut prod_vars = prod["variables"].as_table().unwrap().clone();
    assert_eq!(prod_vars.remove("base_url").unwrap()["required"].as_bool(), Some(true));
    assert_eq!(*vars, prod_vars);
    assert_eq!(dev["component"], prod["component"]);
    assert_eq!(dev["trigger"], prod["trigger"]);
}
