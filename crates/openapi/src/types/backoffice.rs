//! The backoffice component's request and answer types: the staff's roles, the audit
//! log, the offers and drafts CPI operators write, the registry's companies.
//!
//! Bodies the handlers do not read stay untyped: `POST /api/operator/offers/{offer}/close`
//! and `POST /api/operator/drafts/{draft}/publish` (the pages send `{}`).

use super::{Schemas, Typed, add, add_page, t};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/staff/me", None, Some("StaffMe")),
    t("POST", "/api/staff/cpi", Some("StaffCpiChoice"), Some("StaffWorkingCpi")),
    t("GET", "/api/admin/roles", None, Some("StaffRolePage")),
    t("POST", "/api/admin/roles", Some("StaffGrantIn"), Some("StaffGranted")),
    t("DELETE", "/api/admin/roles/{role}", None, Some("StaffRoleRevoked")),
    t("GET", "/api/admin/audit", None, Some("AuditPage")),
    t("GET", "/api/operator/offers", None, Some("OperatorOfferPage")),
    t("POST", "/api/operator/offers", Some("OperatorOfferForm"), Some("OperatorOffer")),
    t("GET", "/api/operator/offers/{offer}", None, Some("OperatorOffer")),
    t("PUT", "/api/operator/offers/{offer}", Some("OperatorOfferForm"), Some("OperatorOffer")),
    t("POST", "/api/operator/offers/{offer}/close", None, Some("OperatorOffer")),
    t("GET", "/api/operator/drafts", None, Some("OfferDraftPage")),
    t("POST", "/api/operator/drafts", Some("OperatorOfferForm"), Some("OfferDraft")),
    t("GET", "/api/operator/drafts/{draft}", None, Some("OfferDraft")),
    t("PUT", "/api/operator/drafts/{draft}", Some("OperatorOfferForm"), Some("OfferDraft")),
    t("DELETE", "/api/operator/drafts/{draft}", None, Some("OfferDraftDeleted")),
    t("POST", "/api/operator/drafts/{draft}/publish", None, Some("OperatorOffer")),
    t("GET", "/api/operator/companies", None, Some("RegistryCompanies")),
];

pub fn register(v: &mut Schemas) {
    use backoffice::*;
    add::<Me>(v);
    add::<CpiIn>(v);
    add::<WorkingCpi>(v);
    add_page::<RoleOut>("StaffRolePage", v);
    add::<GrantIn>(v);
    add::<Granted>(v);
    add::<Revoked>(v);
    add_page::<AuditOut>("AuditPage", v);
    add_page::<OfferRow>("OperatorOfferPage", v);
    add::<offer::OfferIn>(v);
    add::<OfferOut>(v);
    add_page::<DraftOut>("OfferDraftPage", v);
    add::<DraftDeleted>(v);
    add::<Companies>(v);
}
