//! Every endpoint of the portal, in one table: the tests that must try each route
//! (bounded bodies, authorisation) take it from here, and `tests/routes.rs` fails when a
//! route of `spin.dev.toml` has no endpoint here, so a new route cannot be forgotten.

/// How a request to an endpoint carries its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    Json,
    Form,
    /// A CV file (raw bytes, up to 5 MiB).
    File,
}

/// One endpoint: method, a concrete path (ids filled in), and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub body: Body,
    /// Only the development manifest routes it.
    pub dev_only: bool,
}

const fn e(method: &'static str, path: &'static str, body: Body) -> Endpoint {
    Endpoint { method, path, body, dev_only: false }
}

const fn dev(method: &'static str, path: &'static str, body: Body) -> Endpoint {
    Endpoint { method, path, body, dev_only: true }
}

use Body::{File, Form, Json, None as NoBody};

pub const ENDPOINTS: &[Endpoint] = &[
    // static pages (the catch-all)
    e("GET", "/", NoBody),
    e("GET", "/cittadino/offerte/", NoBody),
    // P1
    e("GET", "/api/news", NoBody),
    e("GET", "/api/news/1", NoBody),
    // P2 P3
    e("GET", "/api/offers", NoBody),
    e("GET", "/api/offers/FI-1", NoBody),
    e("GET", "/api/ref/provinces", NoBody),
    e("GET", "/offerte/FI-1", NoBody),
    e("GET", "/feeds/offers.rss", NoBody),
    e("GET", "/sitemap.xml", NoBody),
    e("GET", "/sitemaps/pages.xml", NoBody),
    // A1: the SSO bridge
    e("GET", "/api/session", NoBody),
    e("GET", "/auth/spid/metadata", NoBody),
    e("GET", "/auth/cie/metadata", NoBody),
    e("GET", "/auth/spid/idps", NoBody),
    e("GET", "/auth/spid/login", NoBody),
    e("GET", "/auth/cie/login", NoBody),
    e("POST", "/auth/spid/acs", Form),
    e("POST", "/auth/cie/acs", Form),
    e("GET", "/auth/spid/slo", NoBody),
    e("POST", "/auth/spid/slo", Form),
    e("POST", "/auth/cie/slo", Form),
    e("GET", "/auth/cns/login", NoBody),
    e("POST", "/auth/cns/login", Form),
    e("POST", "/auth/logout", Form),
    e("POST", "/jobs/cleanup", Json),
    // notifications
    e("POST", "/jobs/notifications/deliver", Json),
    // A1 A2 A3 B1
    e("GET", "/api/registration", NoBody),
    e("POST", "/api/registration", Json),
    e("POST", "/api/registration/otp", Json),
    e("POST", "/api/registration/otp/verify", Json),
    e("POST", "/api/registration/activation/resend", Json),
    e("GET", "/api/registration/activate", NoBody),
    e("POST", "/api/registration/activate", Form),
    e("GET", "/api/profile", NoBody),
    e("PUT", "/api/profile", Json),
    e("POST", "/api/profile/otp", Json),
    e("POST", "/api/profile/otp/verify", Json),
    e("GET", "/api/profile/companies", NoBody),
    e("POST", "/api/profile/companies", Json),
    e("DELETE", "/api/profile/companies/1", NoBody),
    e("POST", "/api/profile/agencies", Json),
    e("POST", "/api/profile/professional", Json),
    e("GET", "/api/companies/lookup", NoBody),
    e("GET", "/api/session/act-as", NoBody),
    e("POST", "/api/session/act-as", Json),
    // C2 C3 B3
    e("GET", "/api/cv", NoBody),
    e("POST", "/api/cv", File),
    e("GET", "/api/cv/form", NoBody),
    e("GET", "/api/cv/1", NoBody),
    e("PUT", "/api/cv/1", File),
    e("DELETE", "/api/cv/1", NoBody),
    e("GET", "/api/cv/1/file", NoBody),
    e("GET", "/api/cv/1/history", NoBody),
    e("GET", "/api/cv-search", NoBody),
    e("GET", "/api/cv-requests", NoBody),
    e("POST", "/api/cv-requests", Json),
    e("GET", "/api/cv-requests/decision", NoBody),
    e("POST", "/api/cv-requests/decision", Form),
    e("POST", "/jobs/cv/retention", Json),
    // development only
    dev("GET", "/test-idp/spid/sso", NoBody),
    dev("POST", "/test-idp/spid/login", Form),
    dev("GET", "/dev/mailbox", NoBody),
    dev("GET", "/api/dev/mailbox", NoBody),
    dev("POST", "/api/dev/mailbox/send", Json),
];

/// Whether `path` is served by the Spin route `route` (exact, or a `/...` wildcard).
pub fn route_matches(route: &str, path: &str) -> bool {
    match route.strip_suffix("/...") {
        Some(prefix) => path == prefix || path.starts_with(&format!("{prefix}/")) || prefix.is_empty(),
        None => path == route,
    }
}

/// The endpoints that take a body (POST, PUT, PATCH; DELETE, which the pages send with `{}`).
pub fn with_body() -> impl Iterator<Item = &'static Endpoint> {
    ENDPOINTS.iter().filter(|e| matches!(e.method, "POST" | "PUT" | "PATCH" | "DELETE"))
}
