//! The alerts component's request and answer types (saved searches, the alert job).
//!
//! The bodies of `DELETE /api/saved-searches/{saved_search}` and of the job are
//! ignored by the handlers (`{}`): no request schema.

use super::{Schemas, Typed, add, t};

const ONE: Option<&str> = Some("SavedSearch");

pub const TYPES: &[Typed] = &[
    t("GET", "/api/saved-searches", None, Some("SavedSearchList")),
    t("POST", "/api/saved-searches", Some("NewSavedSearch"), ONE),
    t("GET", "/api/saved-searches/{saved_search}", None, ONE),
    t("PATCH", "/api/saved-searches/{saved_search}", Some("SavedSearchChange"), ONE),
    t("DELETE", "/api/saved-searches/{saved_search}", None, Some("SavedSearchDeleted")),
    t("POST", "/jobs/alerts", None, Some("AlertJobReport")),
];

pub fn register(v: &mut Schemas) {
    add::<alerts::SavedSearches>(v);
    add::<alerts::NewSearch>(v);
    add::<alerts::Change>(v);
    add::<alerts::Deleted>(v);
    add::<alerts::JobReport>(v);
}
