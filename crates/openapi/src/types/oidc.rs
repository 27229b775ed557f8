//! The oidc component's request and answer types (the portal's side of the provider;
//! the OpenID Connect endpoints themselves are described by discovery, not here).
//!
//! The job's body is ignored (`{}`): no request schema.

use super::{Schemas, Typed, add, add_as, t};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/oidc/partners", None, Some("OidcPartners")),
    t("POST", "/api/oidc/handoff", Some("OidcHandoffRequest"), Some("OidcHandoff")),
    t("GET", "/api/oidc/consents", None, Some("OidcConsents")),
    t("DELETE", "/api/oidc/consents/{client}", None, Some("OidcConsentRevoked")),
    t("POST", "/jobs/oidc/logout", None, Some("OidcLogoutReport")),
];

pub fn register(v: &mut Schemas) {
    use oidc::{Consent, Items, Partner};
    add_as::<Items<Partner>>("OidcPartners", v);
    add::<Partner>(v);
    add_as::<Items<Consent>>("OidcConsents", v);
    add::<Consent>(v);
    add::<oidc::HandoffIn>(v);
    add::<oidc::Handoff>(v);
    add::<oidc::Revoked>(v);
    add::<oidc::logout::Report>(v);
    add::<oidc::logout::Purged>(v);
}
