//! HTTP trigger routing with Spin's semantics.
//!
//! Spin (crates/routes) matches paths with the `routefinder` crate, so we do too:
//! an exact route beats a `:name` segment, which beats a trailing wildcard, and among
//! wildcards the longest prefix wins. `/...` is Spin's trailing wildcard (it is
//! rewritten to routefinder's `/*`). A route repeated later in the manifest replaces
//! the earlier one, as in Spin. Private routes (`route = { private = true }`) are not
//! added to the router at all.

use anyhow::{Result, anyhow, bail};

/// Paths under this prefix are answered by the host itself (health, info).
pub const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

#[derive(Debug, Clone)]
struct Entry {
    component: String,
    /// The route as written in the manifest, e.g. `/api/offers/...`.
    raw: String,
    /// The route after normalisation, e.g. `` for `/`.
    based: String,
    trailing_wildcard: bool,
}

/// The routing table of an application.
#[derive(Debug)]
pub struct Router {
    inner: routefinder::Router<Entry>,
}

/// The outcome of routing one request path.
#[derive(Debug, PartialEq, Eq)]
pub struct RouteMatch {
    pub component: String,
    /// `spin-raw-component-route`: the route as written in the manifest.
    pub raw_route: String,
    /// `spin-component-route`: the raw route without its `/...` suffix.
    pub component_route: String,
    /// `spin-matched-route`: the normalised route that matched.
    pub matched_route: String,
    /// `spin-path-info`: the part of the path matched by a trailing wildcard.
    pub path_info: String,
    /// `spin-path-match-<name>` values for `:name` segments.
    pub named: Vec<(String, String)>,
}

impl Router {
    /// Builds the router from `(component, route)` pairs in manifest order.
    pub fn build<'a>(routes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        // Later duplicates replace earlier ones (Spin warns and keeps the last).
        let mut by_route: Vec<Entry> = Vec::new();
        for (component, raw) in routes {
            let based = normalise(raw);
            if based.starts_with(WELL_KNOWN_PREFIX.trim_end_matches('/')) {
                bail!(
                    "route `{raw}` of component `{component}` is reserved: paths under {WELL_KNOWN_PREFIX} are answered by the host"
                );
            }
            let trailing_wildcard = based.ends_with("/...") || based.ends_with("/*");
            let entry = Entry { component: component.to_string(), raw: raw.to_string(), based, trailing_wildcard };
            if let Some(pos) = by_route.iter().position(|e| e.raw == entry.raw) {
                eprintln!(
                    "warning: route `{raw}` is declared twice; component `{}` replaces `{}` (as in Spin)",
                    entry.component, by_route[pos].component
                );
                by_route[pos] = entry;
            } else {
                by_route.push(entry);
            }
        }
        let mut inner = routefinder::Router::new();
        for entry in by_route {
            let spec = match entry.based.strip_suffix("/...") {
                Some(prefix) => format!("{prefix}/*"),
                None => entry.based.clone(),
            };
            let (component, raw) = (entry.component.clone(), entry.raw.clone());
            inner
                .add(spec.as_str(), entry)
                .map_err(|e| anyhow!("invalid route `{raw}` of component `{component}`: {e}"))?;
        }
        Ok(Self { inner })
    }

    /// Finds the component for a request path (without query string).
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let m = self.inner.best_match(path)?;
        let entry = m.handler();
        let captures = m.captures();
        let path_info = if entry.trailing_wildcard {
            match (captures.wildcard(), path.ends_with('/')) {
                (None, _) => String::new(),
                (Some(""), false) => String::new(),
                (Some(""), true) => "/".to_string(),
                (Some(w), false) => format!("/{w}"),
                (Some(w), true) => format!("/{w}/"),
            }
        } else {
            String::new()
        };
        let named = captures.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Some(RouteMatch {
            component: entry.component.clone(),
            raw_route: entry.raw.clone(),
            component_route: entry.raw.strip_suffix("/...").unwrap_or(&entry.raw).to_string(),
            matched_route: entry.based.clone(),
            path_info,
            named,
        })
    }

    /// The routes, for the start-up banner: `(route, component)`.
    pub fn describe(&self) -> Vec<(String, String)> {
        let mut all: Vec<_> = self
            .inner
            .iter()
            .map(|(_, e)| {
                let shown = if e.based.is_empty() { "/".to_string() } else { e.based.clone() };
                (shown, e.component.clone())
            })
            .collect();
        all.sort();
        all
    }
}

/// Spin's route normalisation: absolute, and one trailing slash dropped.
fn normalise(route: &str) -> String {
    let abs = if route.starts_with('/') { route.to_string() } else { format!("/{route}") };
    match abs.strip_suffix('/') {
        Some(s) => s.to_string(),
        None => abs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn named_map(m: &RouteMatch) -> HashMap<&str, &str> {
        m.named.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    /// The table used by most cases: one component per route, in manifest order.
    fn router(routes: &[(&'static str, &'static str)]) -> Router {
        Router::build(routes.iter().copied()).expect("routes build")
    }

    #[test]
    fn spin_documented_rules() {
        let r = router(&[
            ("cart", "/cart"),
            ("checkout", "/cart/checkout"),
            ("users-all", "/users/..."),
            ("user-by-id", "/users/:id"),
            ("user-profile", "/users/:id/profile"),
            ("users-exact", "/users"),
            ("shop", "/shop/..."),
            ("shop-items", "/shop/items/..."),
            ("fallback", "/..."),
        ]);
        // (path, component, path-info)
        let cases: &[(&str, &str, &str)] = &[
            // exact routes match only themselves
            ("/cart", "cart", ""),
            ("/cart/checkout", "checkout", ""),
            ("/cart/other", "fallback", "/cart/other"),
            // exact beats every wildcard
            ("/users", "users-exact", ""),
            // a named segment beats a trailing wildcard of the same prefix
            ("/users/42", "user-by-id", ""),
            ("/users/42/profile", "user-profile", ""),
            // ...but matches exactly one segment
            ("/users/42/orders", "users-all", "/42/orders"),
            // longest wildcard prefix wins
            ("/shop/items/7", "shop-items", "/7"),
            ("/shop/basket", "shop", "/basket"),
            ("/shop", "shop", ""),
            ("/shop/", "shop", "/"),
            ("/shop/items/", "shop-items", "/"),
            // the catch-all takes the rest, with the full path as path-info
            ("/", "fallback", "/"),
            ("/anything/at/all", "fallback", "/anything/at/all"),
            ("/trailing/slash/", "fallback", "/trailing/slash/"),
        ];
        for (path, component, info) in cases {
            let m = r.route(path).unwrap_or_else(|| panic!("{path} should match"));
            assert_eq!(&m.component, component, "component for {path}");
            assert_eq!(&m.path_info, info, "path-info for {path}");
        }
    }

    #[test]
    fn headers_values_follow_spin() {
        let r = router(&[("api", "/api/offers/..."), ("one", "/api/offers/:code/apply")]);
        let m = r.route("/api/offers/search").unwrap();
        assert_eq!(m.raw_route, "/api/offers/...");
        assert_eq!(m.component_route, "/api/offers");
        assert_eq!(m.matched_route, "/api/offers/...");
        assert_eq!(m.path_info, "/search");
        let m = r.route("/api/offers/AB-12/apply").unwrap();
        assert_eq!(m.component, "one");
        assert_eq!(named_map(&m).get("code"), Some(&"AB-12"));
        assert_eq!(m.path_info, "");
    }

    #[test]
    fn no_match_without_catch_all() {
        let r = router(&[("a", "/a"), ("b", "/b/...")]);
        assert!(r.route("/c").is_none());
        assert!(r.route("/a/x").is_none());
        assert!(r.route("/bee").is_none(), "a wildcard matches whole segments only");
        assert_eq!(r.route("/b").unwrap().component, "b");
    }

    #[test]
    fn later_duplicate_replaces_earlier() {
        let r = router(&[("first", "/dup"), ("second", "/dup")]);
        assert_eq!(r.route("/dup").unwrap().component, "second");
    }

    #[test]
    fn root_and_trailing_slash_normalised() {
        let r = router(&[("root", "/"), ("x", "/x/")]);
        assert_eq!(r.route("/").unwrap().component, "root");
        assert_eq!(r.route("/x").unwrap().component, "x");
        assert!(r.route("/y").is_none(), "`/` is exact, not a catch-all");
    }

    #[test]
    fn reserved_prefix_refused() {
        let err = Router::build([("bad", "/.well-known/spin/health")]).unwrap_err();
        assert!(err.to_string().contains("reserved"), "{err}");
    }
}
