//! The IdPs this deployment trusts: `registry.json` in the mounted configuration
//! folder lists, per federation, the IdP metadata files to load.
//!
//! ```json
//! {"spid": [{"metadata": "aruba.xml"}, {"metadata": "spid-sp-test.xml", "accept_expired_certificate": true}],
//!  "cie":  [{"metadata": "cie.xml"}]}
//! ```
//! `accept_expired_certificate` exists for test IdPs whose published certificate has
//! expired (spid-sp-test's); each use is logged. Production registries never set it.

use saml::idp::{Idp, parse_metadata};
use saml::metadata::Federation;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Entry {
    metadata: String,
    #[serde(default)]
    accept_expired_certificate: bool,
}

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    spid: Vec<Entry>,
    #[serde(default)]
    cie: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Trusted {
    pub idp: Idp,
    pub accept_expired_certificate: bool,
}

/// Loads the IdPs of `federation`; `read` returns a configuration file's text.
pub fn load(federation: Federation, base_url: &str, read: impl Fn(&str) -> Result<String, String>) -> Result<Vec<Trusted>, String> {
    let file: File = serde_json::from_str(&read("registry.json")?).map_err(|e| format!("registry.json: {e}"))?;
    let entries = match federation {
        Federation::Spid => file.spid,
        Federation::Cie => file.cie,
    };
    let mut out = Vec::new();
    for e in entries {
        if e.metadata.contains("..") || e.metadata.starts_with('/') {
            return Err(format!("registry.json: bad file name {}", e.metadata));
        }
        for mut idp in parse_metadata(&read(&e.metadata)?).map_err(|err| format!("{}: {err}", e.metadata))? {
            idp.resolve_locations(base_url);
            out.push(Trusted { idp, accept_expired_certificate: e.accept_expired_certificate });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_development_registry() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/idp/development/");
        let read = |name: &str| std::fs::read_to_string(format!("{dir}{name}")).map_err(|e| e.to_string());
        let spid = load(Federation::Spid, "http://127.0.0.1:3000", |n| match n {
            // the demo IdPs' metadata is generated with the development keys; test only spid-sp-test's here
            "registry.json" => Ok(r#"{"spid":[{"metadata":"spid-sp-test.xml","accept_expired_certificate":true}]}"#.into()),
            other => read(other),
        })
        .unwrap();
        assert_eq!(spid[0].idp.entity_id, "https://localhost:8443");
        assert!(spid[0].accept_expired_certificate);
        assert!(load(Federation::Spid, "x", |_| Ok(r#"{"spid":[{"metadata":"../etc/passwd"}]}"#.into())).is_err());
        assert!(load(Federation::Spid, "x", |_| Err("missing".into())).is_err());
    }

    #[test]
    fn production_registry_trusts_no_test_idp() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/idp/production/");
        let text = std::fs::read_to_string(format!("{dir}registry.json")).unwrap();
        assert!(!text.contains("accept_expired_certificate"));
        assert!(!text.contains("spid-sp-test") && !text.contains("demo-idp"));
    }
}
