//! The SSO bridge's types: the session and the cleanup job's report. The job's body is
//! ignored (no request row).

use super::{Schemas, Typed, add, t};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/session", None, Some("Session")),
    t("POST", "/jobs/cleanup", None, Some("CleanupReport")),
];

pub fn register(v: &mut Schemas) {
    add::<sso::SessionView>(v);
    add::<sso::handler::CleanupReport>(v);
}
