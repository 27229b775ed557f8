//! `allowed_outbound_hosts`: which addresses a component may call, as in Spin.
//!
//! Forms: `https://api.example.org`, `http://127.0.0.1:8080`, `https://*.example.org`,
//! `*://example.org:*`, `http://localhost:3000..3010`, `*://*:*`. A missing port means
//! the scheme's default port. `self` (Spin's service chaining) is accepted in the
//! manifest but not implemented by this runner, so it allows nothing here. An entry
//! may be a template over application variables (`"{{ gateway_origin }}"`), resolved
//! at start (`manifest::Component::resolve_allowed_hosts`).

use anyhow::{Result, bail};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: Option<String>,
    host: HostPattern,
    port: PortPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `*.example.org`: any sub-domain of the stored suffix (`.example.org`).
    Suffix(String),
    /// `self`: service chaining, not supported by this runner.
    SelfApp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Default,
    Any,
    Range(u16, u16),
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl AllowedHost {
    pub fn parse(text: &str) -> Result<Self> {
        if text == "self" {
            return Ok(Self { scheme: Some("http".into()), host: HostPattern::SelfApp, port: PortPattern::Any });
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            bail!("`{text}` must be of the form scheme://host[:port]");
        };
        if scheme.is_empty() || !(scheme == "*" || scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))) {
            bail!("`{text}`: invalid scheme `{scheme}`");
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') {
            bail!("`{text}`: a path is not allowed, only scheme://host[:port]");
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
            _ => (rest, None),
        };
        let host = host.to_ascii_lowercase();
        let host = match host.as_str() {
            "" => bail!("`{text}`: the host is missing"),
            "*" => HostPattern::Any,
            "self" => HostPattern::SelfApp,
            h if h.starts_with("*.") && h.len() > 2 && !h[2..].contains('*') => HostPattern::Suffix(h[1..].to_string()),
            h if h.contains('*') => bail!("`{text}`: `*` is allowed only as the whole host or as `*.domain`"),
            h => HostPattern::Exact(h.to_string()),
        };
        let port = match port {
            None => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(p) => {
                let parse = |s: &str| s.parse::<u16>().map_err(|_| anyhow::anyhow!("`{text}`: invalid port `{p}`"));
                match p.split_once("..") {
                    Some((a, b)) => {
                        let (a, b) = (parse(a)?, parse(b)?);
                        if a > b {
                            bail!("`{text}`: empty port range");
                        }
                        PortPattern::Range(a, b)
                    }
                    None => {
                        let n = parse(p)?;
                        PortPattern::Range(n, n)
                    }
                }
            }
        };
        let scheme = (scheme != "*").then(|| scheme.to_ascii_lowercase());
        if port == PortPattern::Default && scheme.as_deref().and_then(default_port).is_none() && scheme.is_some() {
            bail!("`{text}`: scheme `{}` has no default port; write one", scheme.unwrap_or_default());
        }
        Ok(Self { scheme, host, port })
    }

    pub fn is_self(&self) -> bool {
        self.host == HostPattern::SelfApp
    }

    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        let scheme = scheme.to_ascii_lowercase();
        let host = host.to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Some(s) = &self.scheme
            && *s != scheme
        {
            return false;
        }
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Exact(h) => h.trim_start_matches('[').trim_end_matches(']') == host,
            HostPattern::Suffix(suffix) => host.ends_with(suffix.as_str()) && host.len() > suffix.len(),
            HostPattern::SelfApp => false,
        };
        let Some(port) = port.or_else(|| default_port(&scheme)) else { return false };
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Default => Some(port) == default_port(&scheme),
            PortPattern::Range(a, b) => (a..=b).contains(&port),
        };
        host_ok && port_ok
    }
}

/// Whether any of `allowed` lets a component call `uri`.
pub fn is_allowed(allowed: &[AllowedHost], uri: &http::Uri) -> bool {
    let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else { return false };
    allowed.iter().any(|a| a.allows(scheme, host, uri.port_u16()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(pattern: &str, url: &str) -> bool {
        let a = AllowedHost::parse(pattern).unwrap();
        is_allowed(&[a], &url.parse().unwrap())
    }

    #[test]
    fn matching_table() {
        let cases = [
            ("https://api.example.org", "https://api.example.org/x", true),
            ("https://api.example.org", "https://api.example.org:443/x", true),
            ("https://api.example.org", "http://api.example.org/x", false),
            ("https://api.example.org", "https://api.example.org:8443/x", false),
            ("https://api.example.org", "https://evil.org/x", false),
            ("https://API.example.org", "https://api.EXAMPLE.org/", true),
            ("http://127.0.0.1:*", "http://127.0.0.1:5555/", true),
            ("http://127.0.0.1:*", "http://localhost:5555/", false),
            ("http://localhost:3000..3010", "http://localhost:3005/", true),
            ("http://localhost:3000..3010", "http://localhost:3011/", false),
            ("https://*.example.org", "https://a.b.example.org/", true),
            ("https://*.example.org", "https://example.org/", false),
            ("https://*.example.org", "https://badexample.org/", false),
            ("*://example.org:*", "http://example.org:81/", true),
            ("*://*:*", "https://anything.test:1/", true),
            ("self", "http://self/x", false),
        ];
        for (pattern, url, expect) in cases {
            assert_eq!(allowed(pattern, url), expect, "{pattern} vs {url}");
        }
    }

    #[test]
    fn bad_patterns() {
        for bad in ["example.org", "https://", "https://a/b", "https://a:x", "https://a*b.org", "redis://cache", "https://a:9..1"] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad}");
        }
        assert!(AllowedHost::parse("redis://cache:6379").is_ok());
    }

    #[test]
    fn empty_list_allows_nothing() {
        assert!(!is_allowed(&[], &"https://example.org/".parse().unwrap()));
    }
}
