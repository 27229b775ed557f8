//! Every endpoint of the portal, in one table: the tests that must try each route
//! (bounded bodies in `tests/hardening.rs`, the role × endpoint matrix in
//! `tests/authz.rs`) take it from here, and `tests/routes.rs` fails when a route of
//! `spin.dev.toml` has no endpoint here, so a new route cannot be forgotten.
//!
//! Paths name the ids they need as placeholders (`{offer}`, `{cv}`, …, see
//! [`PLACEHOLDERS`]): the matrix fills in the ids of the world it made
//! ([`Endpoint::path_with`]); tests that need only some concrete path take
//! [`Endpoint::sample_path`].

/// How a request to an endpoint carries its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    Json,
    Form,
    /// A CV file (raw bytes, up to 5 MiB).
    File,
}

/// One endpoint: method, path (with placeholders for ids, and a query where the
/// endpoint needs one), and its body.
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

/// The placeholders a path may hold, each with the value [`Endpoint::sample_path`] puts
/// there: an offer code, a CV, an application, an offer draft, a staff role, an
/// incarico, and a person's codice fiscale.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("{offer}", "FI-1"),
    ("{cv}", "1"),
    ("{application}", "1"),
    ("{draft}", "1"),
    ("{role}", "1"),
    ("{incarico}", "1"),
    ("{person}", "RSSMRA85C14D612R"),
    ("{appointment}", "1"),
    ("{desk}", "1"),
    ("{hours}", "1"),
    ("{exception}", "1"),
    ("{message}", "1"),
    ("{interview}", "1"),
    ("{feed}", "0123456789abcdef"),
    ("{record}", "1"),
    ("{course}", "1"),
    ("{document}", "1"),
    ("{saved_search}", "1"),
    ("{unsubscribe}", "0000000000000000000000000000000000000000000000000000000000000000"),
];

impl Endpoint {
    /// The path with each placeholder replaced by `fill(placeholder)` (panics on one it
    /// does not know, so a new placeholder cannot go unnoticed).
    pub fn path_with(&self, fill: impl Fn(&str) -> Option<String>) -> String {
        let mut out = self.path.to_string();
        for (p, _) in PLACEHOLDERS {
            if out.contains(p) {
                let v = fill(p).unwrap_or_else(|| panic!("no value for {p} in {} {}", self.method, self.path));
                out = out.replace(p, &v);
            }
        }
        assert!(!out.contains('{'), "{} {}: a placeholder not in PLACEHOLDERS", self.method, self.path);
        out
    }

    /// The path with the sample values of [`PLACEHOLDERS`].
    pub fn sample_path(&self) -> String {
        self.path_with(|p| PLACEHOLDERS.iter().find(|(k, _)| *k == p).map(|(_, v)| v.to_string()))
    }

    /// The path without its query (what a route matches).
    pub fn route_path(&self) -> &'static str {
        self.path.split('?').next().unwrap_or(self.path)
    }
}

pub const ENDPOINTS: &[Endpoint] = &[
    // static pages (the catch-all)
    e("GET", "/", NoBody),
    e("GET", "/cittadino/offerte/", NoBody),
    // X2: the OpenAPI document (a static file)
    e("GET", "/api/openapi.json", NoBody),
    // P1
    e("GET", "/api/news", NoBody),
    e("GET", "/api/news/1", NoBody),
    // P2 P3
    e("GET", "/api/offers", NoBody),
    e("GET", "/api/offers/{offer}", NoBody),
    e("GET", "/api/ref/provinces", NoBody),
    e("GET", "/offerte/{offer}", NoBody),
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
    e("DELETE", "/api/profile/companies/{incarico}", NoBody),
    e("POST", "/api/profile/agencies", Json),
    e("POST", "/api/profile/professional", Json),
    e("GET", "/api/companies/lookup", NoBody),
    e("GET", "/api/session/act-as", NoBody),
    e("POST", "/api/session/act-as", Json),
    // C2 C3 B3
    e("GET", "/api/cv", NoBody),
    e("POST", "/api/cv", File),
    e("GET", "/api/cv/form", NoBody),
    e("GET", "/api/cv/{cv}", NoBody),
    e("PUT", "/api/cv/{cv}", File),
    e("DELETE", "/api/cv/{cv}", NoBody),
    e("GET", "/api/cv/{cv}/file", NoBody),
    e("GET", "/api/cv/{cv}/history", NoBody),
    e("GET", "/api/cv-search", NoBody),
    e("GET", "/api/cv-requests", NoBody),
    e("POST", "/api/cv-requests", Json),
    e("GET", "/api/cv-requests/decision", NoBody),
    e("POST", "/api/cv-requests/decision", Form),
    e("POST", "/jobs/cv/retention", Json),
    // C2: a CPI operator and the CVs of the CPI's citizens
    e("GET", "/api/operator/cv?person={person}", NoBody),
    e("POST", "/api/operator/cv?person={person}", File),
    e("GET", "/api/operator/cv/{cv}/file", NoBody),
    // O1: the back office (backoffice)
    e("GET", "/api/staff/me", NoBody),
    e("POST", "/api/staff/cpi", Json),
    e("GET", "/api/admin/roles", NoBody),
    e("POST", "/api/admin/roles", Json),
    e("DELETE", "/api/admin/roles/{role}", NoBody),
    e("GET", "/api/admin/audit", NoBody),
    e("GET", "/api/operator/offers", NoBody),
    e("POST", "/api/operator/offers", Json),
    e("GET", "/api/operator/offers/{offer}", NoBody),
    e("PUT", "/api/operator/offers/{offer}", Json),
    e("POST", "/api/operator/offers/{offer}/close", Json),
    e("GET", "/api/operator/drafts", NoBody),
    e("POST", "/api/operator/drafts", Json),
    e("GET", "/api/operator/drafts/{draft}", NoBody),
    e("PUT", "/api/operator/drafts/{draft}", Json),
    e("DELETE", "/api/operator/drafts/{draft}", NoBody),
    e("POST", "/api/operator/drafts/{draft}/publish", Json),
    e("GET", "/api/operator/companies?q=acme", NoBody),
    // C1 C4, O1 evaluation, the company's side (applications)
    e("GET", "/api/applications/form?offer={offer}", NoBody),
    e("POST", "/api/applications", Json),
    e("GET", "/api/applications", NoBody),
    e("GET", "/api/applications/{application}", NoBody),
    e("GET", "/api/applications/{application}/cv", NoBody),
    e("POST", "/api/applications/{application}/withdraw", Json),
    e("GET", "/api/operator/applications", NoBody),
    e("GET", "/api/operator/applications/{application}", NoBody),
    e("GET", "/api/operator/applications/{application}/cv", NoBody),
    e("POST", "/api/operator/applications/{application}/status", Json),
    e("GET", "/api/company/offers", NoBody),
    e("GET", "/api/company/applications", NoBody),
    e("GET", "/api/company/applications/{application}/cv", NoBody),
    // C5 X4, O1 availability (appointments)
    e("GET", "/api/appointments/kinds", NoBody),
    e("GET", "/api/appointments/availability?cpi=prato&kind=ricerca", NoBody),
    e("POST", "/api/appointments", Json),
    e("GET", "/api/appointments", NoBody),
    e("GET", "/api/appointments/{appointment}", NoBody),
    e("GET", "/api/appointments/{appointment}/receipt", NoBody),
    e("GET", "/api/appointments/{appointment}/calendar", NoBody),
    e("POST", "/api/appointments/{appointment}/cancel", Json),
    e("GET", "/api/appointments/messages", NoBody),
    e("POST", "/api/appointments/messages", Json),
    e("GET", "/api/operator/desks", NoBody),
    e("POST", "/api/operator/desks", Json),
    e("POST", "/api/operator/desks/{desk}", Json),
    e("POST", "/api/operator/desks/{desk}/hours", Json),
    e("POST", "/api/operator/desks/{desk}/hours/{hours}/delete", Json),
    e("POST", "/api/operator/desks/{desk}/exceptions", Json),
    e("POST", "/api/operator/desks/{desk}/exceptions/{exception}/delete", Json),
    e("GET", "/api/operator/appointments", NoBody),
    e("POST", "/api/operator/appointments/{appointment}/cancel", Json),
    e("GET", "/api/operator/appointments/messages", NoBody),
    e("POST", "/api/operator/appointments/messages/{message}/answer", Json),
    e("GET", "/api/operator/appointments/feed", NoBody),
    e("POST", "/api/operator/appointments/feed", Json),
    e("POST", "/api/operator/appointments/feed/revoke", Json),
    e("GET", "/calendar/{feed}.ics", NoBody),
    e("POST", "/jobs/appointments/remind", Json),
    // C6 B4 online interviews and their room (interviews)
    e("GET", "/api/interviews", NoBody),
    e("GET", "/api/interviews/{interview}", NoBody),
    e("GET", "/api/interviews/{interview}/calendar", NoBody),
    e("POST", "/api/interviews/{interview}/accept", Json),
    e("POST", "/api/interviews/{interview}/refuse", Json),
    e("POST", "/api/interviews/{interview}/change", Json),
    e("GET", "/api/interviews/{interview}/room", NoBody),
    e("POST", "/api/interviews/{interview}/room", Json),
    e("GET", "/api/interviews/{interview}/room/signals", NoBody),
    e("POST", "/api/interviews/{interview}/room/signals", Json),
    e("GET", "/api/company/interviews", NoBody),
    e("POST", "/api/company/interviews", Json),
    e("GET", "/api/company/interviews/{interview}", NoBody),
    e("GET", "/api/company/interviews/{interview}/calendar", NoBody),
    e("POST", "/api/company/interviews/{interview}/reschedule", Json),
    e("POST", "/api/company/interviews/{interview}/cancel", Json),
    e("GET", "/api/company/interviews/{interview}/room", NoBody),
    e("POST", "/api/company/interviews/{interview}/room", Json),
    e("POST", "/api/company/interviews/{interview}/room/admit", Json),
    e("GET", "/api/company/interviews/{interview}/room/signals", NoBody),
    e("POST", "/api/company/interviews/{interview}/room/signals", Json),
    // C7 C8 C9 C11 X8 O1 records (records)
    e("GET", "/api/records/activities", NoBody),
    e("GET", "/api/records/gg", NoBody),
    e("GET", "/api/records/courses", NoBody),
    e("GET", "/api/records/sap", NoBody),
    e("GET", "/api/records/sap/pdf", NoBody),
    e("GET", "/api/records/libretto", NoBody),
    e("GET", "/api/records/libretto/pdf", NoBody),
    e("GET", "/api/records/export", NoBody),
    e("GET", "/api/operator/records?person={person}", NoBody),
    e("GET", "/api/operator/records/reference", NoBody),
    e("GET", "/api/operator/records/sap?person={person}", NoBody),
    e("GET", "/api/operator/records/libretto?person={person}", NoBody),
    e("POST", "/api/operator/records/admin?person={person}", Json),
    e("POST", "/api/operator/records/experiences?person={person}", Json),
    e("POST", "/api/operator/records/experiences/{record}?person={person}", Json),
    e("POST", "/api/operator/records/experiences/{record}/delete?person={person}", Json),
    e("GET", "/api/operator/courses", NoBody),
    e("POST", "/api/operator/courses", Json),
    e("POST", "/api/operator/courses/{course}", Json),
    // C10 X5 O1 (documents)
    e("GET", "/api/documents", NoBody),
    e("GET", "/api/documents/{document}/pdf", NoBody),
    e("POST", "/api/documents/{document}/take", Json),
    e("POST", "/api/documents/{document}/sign/code", Json),
    e("POST", "/api/documents/{document}/sign", Json),
    e("GET", "/api/operator/documents", NoBody),
    e("POST", "/api/operator/documents", Json),
    e("GET", "/api/operator/documents/{document}/pdf", NoBody),
    e("POST", "/api/operator/documents/{document}/countersign", Json),
    e("POST", "/api/operator/documents/{document}/cancel", Json),
    e("GET", "/api/verify?code=0000-0000-0000-0000", NoBody),
    e("POST", "/api/verify", File),
    // B2 C7 OpenID Connect provider (oidc)
    e("GET", "/.well-known/openid-configuration", NoBody),
    e("GET", "/oidc/jwks", NoBody),
    e("GET", "/oidc/authorize", NoBody),
    e("POST", "/oidc/authorize", Form),
    e("POST", "/oidc/token", Form),
    e("GET", "/oidc/userinfo", NoBody),
    e("POST", "/oidc/userinfo", Form),
    e("GET", "/api/oidc/partners", NoBody),
    e("POST", "/api/oidc/handoff", Json),
    e("GET", "/api/oidc/consents", NoBody),
    e("DELETE", "/api/oidc/consents/demo-gg", NoBody),
    e("POST", "/jobs/oidc/logout", Json),
    // X1 saved searches and alerts
    e("GET", "/api/saved-searches", NoBody),
    e("POST", "/api/saved-searches", Json),
    e("GET", "/api/saved-searches/{saved_search}", NoBody),
    e("PATCH", "/api/saved-searches/{saved_search}", Json),
    e("DELETE", "/api/saved-searches/{saved_search}", NoBody),
    e("GET", "/ricerche/disiscrizione/{unsubscribe}", NoBody),
    e("POST", "/ricerche/disiscrizione/{unsubscribe}", Form),
    e("POST", "/jobs/alerts", Json),
    // development only
    dev("GET", "/test-idp/spid/sso", NoBody),
    dev("POST", "/test-idp/spid/login", Form),
    dev("GET", "/dev/mailbox", NoBody),
    dev("GET", "/api/dev/mailbox", NoBody),
    dev("POST", "/api/dev/mailbox/send", Json),
    dev("GET", "/demo-partner/", NoBody),
    dev("POST", "/demo-partner/backchannel-logout", Form),
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
