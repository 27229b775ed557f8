//! The Spin application manifest (`spin.toml`, manifest version 2): the subset this
//! runner implements, validated at start so that a bad manifest is refused with a
//! clear message instead of failing on the first request.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indexmap::IndexMap;
use serde::Deserialize;

use crate::outbound::AllowedHost;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    pub spin_manifest_version: u32,
    pub application: Application,
    #[serde(default)]
    pub variables: BTreeMap<String, AppVariable>,
    #[serde(default)]
    pub trigger: Triggers,
    /// In manifest order (builds run in it).
    #[serde(default)]
    pub component: IndexMap<String, RawComponent>,
}

// Fields Spin reads but this runner has no use for are accepted so manifests stay valid.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
pub struct Application {
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AppVariable {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    #[serde(default)]
    pub http: Vec<HttpTrigger>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpTrigger {
    #[serde(default)]
    pub id: Option<String>,
    pub route: RouteConfig,
    pub component: String,
    #[serde(default)]
    pub executor: Option<Executor>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RouteConfig {
    Route(String),
    Private { private: bool },
}

#[derive(Debug, Deserialize)]
pub struct Executor {
    #[serde(rename = "type")]
    pub kind: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComponent {
    pub source: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub files: Vec<FileMount>,
    #[serde(default)]
    pub exclude_files: Vec<String>,
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    pub key_value_stores: Vec<String>,
    #[serde(default)]
    pub sqlite_databases: Vec<String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default)]
    pub build: Option<BuildConfig>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum FileMount {
    Pattern(String),
    Dir { source: String, destination: String },
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    pub command: Commands,
    #[serde(default)]
    pub workdir: Option<String>,
    #[serde(default)]
    pub watch: Vec<String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum Commands {
    One(String),
    Many(Vec<String>),
}

impl Commands {
    pub fn list(&self) -> Vec<&str> {
        match self {
            Commands::One(c) => vec![c.as_str()],
            Commands::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// A validated application.
#[derive(Debug)]
pub struct App {
    pub name: String,
    pub dir: PathBuf,
    pub variables: BTreeMap<String, AppVariable>,
    /// In manifest order.
    pub components: IndexMap<String, Component>,
    /// `(component, route)` for every public route, in manifest order.
    pub routes: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Component {
    pub id: String,
    pub source: PathBuf,
    pub files: Vec<FileMount>,
    pub exclude_files: Vec<String>,
    pub allowed_outbound_hosts: Vec<OutboundRule>,
    pub key_value_stores: Vec<String>,
    pub sqlite_databases: Vec<String>,
    pub environment: BTreeMap<String, String>,
    /// Component variable name -> template (`"{{ app_var }} and text"`).
    pub variables: BTreeMap<String, Template>,
    pub build: Option<BuildConfig>,
}

/// An `allowed_outbound_hosts` entry: a literal host pattern, checked at load, or (as
/// in Spin) a template over application variables such as `"{{ gateway_origin }}"`,
/// resolved to a pattern once the variables' values are known.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboundRule {
    Literal(AllowedHost),
    Template(Template),
}

impl Component {
    /// The component's allowed hosts with templates resolved. Spin resolves the whole
    /// list when the component first makes an outbound request; if one entry does not
    /// resolve to a valid pattern the list fails and every outbound request of the
    /// component is refused. The caller applies the same rule.
    pub fn resolve_allowed_hosts(&self, values: &HashMap<String, String>) -> Result<Vec<AllowedHost>> {
        self.allowed_outbound_hosts
            .iter()
            .map(|rule| match rule {
                OutboundRule::Literal(h) => Ok(h.clone()),
                OutboundRule::Template(t) => {
                    let text = t.render(values).with_context(|| format!("`{}`: a variable has no value", t.source()))?;
                    AllowedHost::parse(text.trim()).with_context(|| format!("`{}` resolved to `{text}`", t.source()))
                }
            })
            .collect()
    }
}

/// A variable template: literal text and `{{ app_variable }}` references.
#[derive(Debug, Clone, PartialEq)]
pub struct Template(pub Vec<Part>);

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Var(String),
}

impl Template {
    pub fn parse(s: &str) -> Result<Self> {
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Lit(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after.find("}}").with_context(|| format!("unclosed `{{{{` in `{s}`"))?;
            let name = after[..end].trim();
            if !valid_variable_name(name) {
                bail!("`{name}` in `{s}` is not a valid variable name");
            }
            parts.push(Part::Var(name.to_string()));
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        Ok(Self(parts))
    }

    /// The text with every reference replaced by its value; `None` if one has none.
    pub fn render(&self, values: &HashMap<String, String>) -> Option<String> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Var(v) => out.push_str(values.get(v)?),
            }
        }
        Some(out)
    }

    /// The template as written (normalised to `{{ name }}`).
    pub fn source(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.clone(),
                Part::Var(v) => format!("{{{{ {v} }}}}"),
            })
            .collect()
    }

    pub fn is_literal(&self) -> bool {
        self.0.iter().all(|p| matches!(p, Part::Lit(_)))
    }

    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v.as_str()),
            Part::Lit(_) => None,
        })
    }
}

/// Spin's rule for variable names: lower-case letters, digits and `_`, starting with a letter.
pub fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}

/// Spin's rule for component ids: kebab-case words of lower-case letters and digits.
fn valid_component_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && id.starts_with(|c: char| c.is_ascii_lowercase())
}

impl App {
    /// Reads and validates a manifest. `stores` and `databases` are the labels the
    /// runtime configuration defines (`default` is always defined).
    pub fn load(path: &Path, stores: &HashSet<String>, databases: &HashSet<String>) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the manifest {}", path.display()))?;
        let raw: RawManifest = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Spin manifest", path.display()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        Self::validate(raw, dir, stores, databases)
            .with_context(|| format!("{} is not a valid Spin manifest", path.display()))
    }

    pub fn validate(
        raw: RawManifest,
        dir: PathBuf,
        stores: &HashSet<String>,
        databases: &HashSet<String>,
    ) -> Result<Self> {
        if raw.spin_manifest_version != 2 {
            bail!("spin_manifest_version must be 2 (found {})", raw.spin_manifest_version);
        }
        for (name, var) in &raw.variables {
            if !valid_variable_name(name) {
                bail!("application variable `{name}`: names use lower-case letters, digits and `_`");
            }
            if var.required && var.default.is_some() {
                bail!("application variable `{name}` cannot be both required and have a default");
            }
        }
        let mut components = IndexMap::new();
        for (id, c) in raw.component {
            if !valid_component_id(&id) {
                bail!("component id `{id}` must be kebab-case (lower-case letters, digits, `-`)");
            }
            if c.source.starts_with("http") || c.source.contains("://") {
                bail!("component `{id}`: only local `source` paths are supported by this runner");
            }
            let mut variables = BTreeMap::new();
            for (name, value) in &c.variables {
                if !valid_variable_name(name) {
                    bail!("component `{id}` variable `{name}`: names use lower-case letters, digits and `_`");
                }
                let template = Template::parse(value)
                    .with_context(|| format!("component `{id}` variable `{name}`"))?;
                for reference in template.references() {
                    if !raw.variables.contains_key(reference) {
                        bail!("component `{id}` variable `{name}` refers to `{reference}`, which is not an application variable");
                    }
                }
                variables.insert(name.clone(), template);
            }
            for label in &c.key_value_stores {
                if !stores.contains(label) {
                    bail!("component `{id}` uses key-value store `{label}`, which is not defined (only `default`, or a store named in the runtime config)");
                }
            }
            for label in &c.sqlite_databases {
                if !databases.contains(label) {
                    bail!("component `{id}` uses SQLite database `{label}`, which is not defined (only `default`, or a database named in the runtime config)");
                }
            }
            let mut allowed_outbound_hosts = Vec::new();
            for h in &c.allowed_outbound_hosts {
                let context = || format!("component `{id}`: allowed_outbound_hosts `{h}`");
                let template = Template::parse(h).with_context(context)?;
                if template.is_literal() {
                    allowed_outbound_hosts.push(OutboundRule::Literal(AllowedHost::parse(h).with_context(context)?));
                    continue;
                }
                // Spin: "the only variables permitted in manifest expressions are application variables"
                for reference in template.references() {
                    if !raw.variables.contains_key(reference) {
                        bail!("component `{id}`: allowed_outbound_hosts `{h}` refers to `{reference}`, which is not an application variable");
                    }
                }
                allowed_outbound_hosts.push(OutboundRule::Template(template));
            }
            for f in &c.files {
                if let FileMount::Dir { destination, .. } = f
                    && !destination.starts_with('/')
                {
                    bail!("component `{id}`: file mount destination `{destination}` must be absolute");
                }
            }
            components.insert(
                id.clone(),
                Component {
                    source: dir.join(&c.source),
                    id,
                    files: c.files,
                    exclude_files: c.exclude_files,
                    allowed_outbound_hosts,
                    key_value_stores: c.key_value_stores,
                    sqlite_databases: c.sqlite_databases,
                    environment: c.environment,
                    variables,
                    build: c.build,
                },
            );
        }
        let mut routes = Vec::new();
        let mut trigger_ids = HashSet::new();
        for t in raw.trigger.http {
            if let Some(id) = &t.id
                && !trigger_ids.insert(id.clone())
            {
                bail!("trigger id `{id}` is used twice");
            }
            if !components.contains_key(&t.component) {
                bail!("an HTTP trigger names component `{}`, which is not defined", t.component);
            }
            if let Some(ex) = &t.executor
                && ex.kind != "spin"
            {
                bail!("component `{}`: executor `{}` is not supported (only `spin`)", t.component, ex.kind);
            }
            match t.route {
                RouteConfig::Route(r) => routes.push((t.component, r)),
                RouteConfig::Private { private: true } => {}
                RouteConfig::Private { private: false } => {
                    bail!("route of `{}` must be a string or `{{ private = true }}`", t.component)
                }
            }
        }
        if routes.is_empty() && components.is_empty() {
            bail!("the manifest defines no components and no HTTP triggers");
        }
        Ok(Self { name: raw.application.name, dir, variables: raw.variables, components, routes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> HashSet<String> {
        ["default".to_string()].into()
    }

    fn parse(text: &str) -> Result<App> {
        let raw: RawManifest = toml::from_str(text)?;
        App::validate(raw, PathBuf::from("."), &labels(), &labels())
    }

    const GOOD: &str = r#"
spin_manifest_version = 2
[application]
name = "x"
[variables]
site = { default = "https://example.org" }
key = { required = true, secret = true }
[[trigger.http]]
route = "/..."
component = "web"
[[trigger.http]]
route = { private = true }
component = "worker"
[component.web]
source = "web.wasm"
files = [{ source = "static", destination = "/" }, "more/**/*"]
key_value_stores = ["default"]
allowed_outbound_hosts = ["https://api.example.org", "http://127.0.0.1:*"]
[component.web.variables]
base = "{{ site }}/x"
[component.worker]
source = "w.wasm"
"#;

    #[test]
    fn accepts_a_good_manifest() {
        let app = parse(GOOD).unwrap();
        assert_eq!(app.routes, vec![("web".to_string(), "/...".to_string())]);
        assert_eq!(app.components.len(), 2);
        let t = &app.components["web"].variables["base"];
        assert_eq!(t.0, vec![Part::Var("site".into()), Part::Lit("/x".into())]);
    }

    #[test]
    fn refuses_bad_manifests_with_a_reason() {
        let cases = [
            (GOOD.replace("spin_manifest_version = 2", "spin_manifest_version = 1"), "must be 2"),
            (GOOD.replace("component = \"web\"", "component = \"nope\""), "not defined"),
            (GOOD.replace("{{ site }}", "{{ nope }}"), "not an application variable"),
            (GOOD.replace("key_value_stores = [\"default\"]", "key_value_stores = [\"cache\"]"), "key-value store `cache`"),
            (GOOD.replace("[component.worker]", "[component.Worker]"), "kebab-case"),
            (GOOD.replace("https://api.example.org", "ftp//bad"), "allowed_outbound_hosts"),
            (GOOD.replace("destination = \"/\"", "destination = \"rel\""), "must be absolute"),
            (GOOD.replace("{{ site }}", "{{ site"), "unclosed"),
        ];
        for (text, expected) in cases {
            let err = match parse(&text) {
                Ok(_) => panic!("should refuse: {expected}"),
                Err(e) => format!("{e:#}"),
            };
            assert!(err.contains(expected), "expected `{expected}` in `{err}`");
        }
    }

    #[test]
    fn templated_outbound_hosts_resolve_like_spin() {
        let text = GOOD.replace(
            "allowed_outbound_hosts = [\"https://api.example.org\", \"http://127.0.0.1:*\"]",
            "allowed_outbound_hosts = [\"https://api.example.org\", \"{{ site }}\", \"http://{{ key }}:8080\"]",
        );
        let app = parse(&text).unwrap();
        let web = &app.components["web"];
        assert!(matches!(web.allowed_outbound_hosts[0], OutboundRule::Literal(_)));
        assert!(matches!(web.allowed_outbound_hosts[1], OutboundRule::Template(_)));
        let values = |site: &str, key: &str| -> HashMap<String, String> {
            [("site".to_string(), site.to_string()), ("key".to_string(), key.to_string())].into()
        };
        let hosts = web.resolve_allowed_hosts(&values("https://gw.example.it/", "127.0.0.1")).unwrap();
        let allows = |url: &str| crate::outbound::is_allowed(&hosts, &url.parse().unwrap());
        assert!(allows("https://gw.example.it/send"));
        assert!(allows("http://127.0.0.1:8080/x"));
        assert!(!allows("http://127.0.0.1:8081/x"));
        assert!(!allows("https://other.example.it/"));
        // a value that is not a host pattern, or no value: the whole list fails (Spin)
        for (site, expected) in [("", "resolved to ``"), ("gw.example.it", "resolved to `gw.example.it`"), ("https://gw.example.it/path", "a path")] {
            let err = format!("{:#}", web.resolve_allowed_hosts(&values(site, "h")).unwrap_err());
            assert!(err.contains(expected), "{site}: {err}");
        }
        let err = format!("{:#}", web.resolve_allowed_hosts(&HashMap::new()).unwrap_err());
        assert!(err.contains("no value"), "{err}");
        // only application variables may appear, and the syntax is checked at load
        for (bad, expected) in [("{{ nope }}", "not an application variable"), ("{{ site", "unclosed"), ("{{ Site }}", "not a valid variable name")] {
            let text = GOOD.replace("\"http://127.0.0.1:*\"", &format!("\"{bad}\""));
            let err = format!("{:#}", parse(&text).unwrap_err());
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = GOOD.replace("[component.worker]", "[component.worker]\nsoruce = \"typo\"");
        assert!(parse(&text).is_err());
    }

    #[test]
    fn variable_names() {
        assert!(valid_variable_name("db_url2"));
        for bad in ["", "Db", "1a", "a-b", "a__b", "a_"] {
            assert!(!valid_variable_name(bad), "{bad}");
        }
    }
}
