//! `publiccode.yml` (issue 22, the Italian catalogue of reusable public software):
//! parsed with yaml-rust2 and checked against the standard's version 0.4 — every
//! mandatory key, the closed vocabularies (platforms, development status, software
//! type, maintenance type), the length limits of the descriptions, the licence of the
//! workspace (`Cargo.toml`), and the Italian extension (`it:`).

use std::collections::BTreeSet;

use yaml_rust2::{Yaml, YamlLoader};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn publiccode() -> Yaml {
    let text = std::fs::read_to_string(root().join("publiccode.yml")).expect("publiccode.yml at the repository root");
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("publiccode.yml is not valid YAML: {e}"));
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.remove(0)
}

fn text<'a>(y: &'a Yaml, key: &str) -> &'a str {
    y.as_str().unwrap_or_else(|| panic!("`{key}` must be a non-empty string, found {y:?}"))
}

fn list<'a>(y: &'a Yaml, key: &str) -> Vec<&'a str> {
    let v = y.as_vec().unwrap_or_else(|| panic!("`{key}` must be a list, found {y:?}"));
    assert!(!v.is_empty(), "`{key}` must not be empty");
    v.iter().map(|x| text(x, key)).collect()
}

fn flag(y: &Yaml, key: &str) -> bool {
    y.as_bool().unwrap_or_else(|| panic!("`{key}` must be true or false, found {y:?}"))
}

#[test]
fn mandatory_keys_and_vocabularies_of_version_0_4() {
    let p = publiccode();
    assert_eq!(text(&p["publiccodeYmlVersion"], "publiccodeYmlVersion"), "0.4");
    assert!(!text(&p["name"], "name").trim().is_empty());
    let url = text(&p["url"], "url");
    assert!(url.starts_with("https://") && !url.contains(' '), "url: {url}");
    for platform in list(&p["platforms"], "platforms") {
        assert!(["web", "windows", "mac", "linux", "ios", "android"].contains(&platform), "platform {platform}");
    }
    let categories = list(&p["categories"], "categories");
    assert!(categories.iter().all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')), "{categories:?}");
    assert!(["concept", "development", "beta", "stable", "obsolete"].contains(&text(&p["developmentStatus"], "developmentStatus")));
    assert!(
        ["standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"]
            .contains(&text(&p["softwareType"], "softwareType"))
    );
    // softwareVersion and releaseDate go together; the project has no release yet
    assert_eq!(p["softwareVersion"].is_badvalue(), p["releaseDate"].is_badvalue(), "softwareVersion and releaseDate together");
    if let Some(date) = p["releaseDate"].as_str() {
        assert!(date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-', "releaseDate YYYY-MM-DD: {date}");
    }
}

#[test]
fn descriptions_in_italian_and_english() {
    let p = publiccode();
    for lang in ["it", "en"] {
        let d = &p["description"][lang];
        let short = text(&d["shortDescription"], "shortDescription");
        assert!((1..=150).contains(&short.chars().count()), "{lang}: shortDescription {} characters (at most 150)", short.chars().count());
        let long = text(&d["longDescription"], "longDescription");
        assert!((150..=10_000).contains(&long.chars().count()), "{lang}: longDescription {} characters (150 to 10,000)", long.chars().count());
        let features = list(&d["features"], "features");
        assert!(features.iter().all(|f| f.chars().count() <= 100), "{lang}: each feature at most 100 characters");
        assert!(features.iter().any(|f| f.contains("SPID")), "{lang}: names the SPID login");
    }
    // the same number of features in both languages (one list, translated)
    assert_eq!(p["description"]["it"]["features"].as_vec().map(Vec::len), p["description"]["en"]["features"].as_vec().map(Vec::len));
}

#[test]
fn licence_maintenance_localisation_and_dependencies() {
    let p = publiccode();
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let workspace_licence = cargo
        .lines()
        .find_map(|l| l.strip_prefix("license = "))
        .map(|l| l.trim_matches('"'))
        .expect("the workspace's licence in Cargo.toml");
    assert_eq!(text(&p["legal"]["license"], "legal.license"), workspace_licence, "the licence is the workspace's (SPDX)");
    // the licence's text is in the repository (EUPL art. 5: a copy with every copy of the Work)
    let licence_text = std::fs::read_to_string(root().join("LICENSE")).expect("a LICENSE file at the repository root");
    if workspace_licence == "EUPL-1.2" {
        assert!(licence_text.starts_with("EUROPEAN UNION PUBLIC LICENCE v. 1.2"), "LICENSE is the EUPL v. 1.2's text");
        assert!(licence_text.contains("Appendix") && licence_text.len() > 13_000, "LICENSE holds the whole text, appendix included");
    }
    let kind = text(&p["maintenance"]["type"], "maintenance.type");
    assert!(["internal", "contract", "community", "none"].contains(&kind));
    if kind == "internal" || kind == "community" {
        let contacts = p["maintenance"]["contacts"].as_vec().expect("maintenance.contacts");
        assert!(!contacts.is_empty());
        for c in contacts {
            assert!(!text(&c["name"], "contacts.name").is_empty());
            if let Some(email) = c["email"].as_str() {
                assert!(email.contains('@'), "{email}");
            }
        }
    }
    if kind == "contract" {
        assert!(p["maintenance"]["contractors"].as_vec().is_some_and(|v| !v.is_empty()), "a contract names its contractors");
    }
    flag(&p["localisation"]["localisationReady"], "localisation.localisationReady");
    let languages = list(&p["localisation"]["availableLanguages"], "localisation.availableLanguages");
    assert!(languages.contains(&"it"), "the portal is in Italian");
    let open = p["dependsOn"]["open"].as_vec().expect("dependsOn.open");
    let names: BTreeSet<&str> = open.iter().map(|d| text(&d["name"], "dependsOn.open.name")).collect();
    for needed in ["Fermyon Spin", "SQLite", "Bootstrap Italia"] {
        assert!(names.contains(needed), "dependsOn names {needed}");
    }
    for d in open {
        flag(&d["optional"], "dependsOn.open.optional");
    }
}

#[test]
fn the_italian_extension() {
    let p = publiccode();
    let it = &p["it"];
    assert_eq!(text(&it["countryExtensionVersion"], "it.countryExtensionVersion"), "1.0");
    for key in ["lineeGuidaDesign", "modelloInteroperabilita", "misureMinimeSicurezza", "gdpr"] {
        flag(&it["conforme"][key], key);
    }
    assert!(flag(&it["conforme"]["lineeGuidaDesign"], "lineeGuidaDesign"), "the UI follows the design guidelines (Bootstrap Italia)");
    assert!(flag(&it["piattaforme"]["spid"], "spid") && flag(&it["piattaforme"]["cie"], "cie"), "SPID and CIE login");
    for key in ["anpr", "pagopa", "io"] {
        flag(&it["piattaforme"][key], key);
    }
    let ipa = text(&it["riuso"]["codiceIPA"], "it.riuso.codiceIPA");
    assert!(!ipa.is_empty() && ipa.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{ipa}");
    // keys of versions before 0.4 that the catalogue no longer accepts
    assert!(p["it"]["conforme"]["accessibile"].is_badvalue() && p["description"]["it"]["genericName"].is_badvalue());
}
