//! The applications component's request and answer types: the citizen's applications,
//! the CPI operator's evaluation, what the offer's company receives.
//!
//! Bodies the handlers do not read stay untyped: `POST /api/applications/{application}/withdraw`
//! (the page sends `{}`).

use super::{Schemas, Typed, add, add_page, t};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/applications/form", None, Some("ApplicationForm")),
    t("POST", "/api/applications", Some("ApplicationIn"), Some("ApplicationView")),
    t("GET", "/api/applications", None, Some("ApplicationPage")),
    t("GET", "/api/applications/{application}", None, Some("ApplicationView")),
    t("POST", "/api/applications/{application}/withdraw", None, Some("ApplicationView")),
    t("GET", "/api/operator/applications", None, Some("OperatorApplicationPage")),
    t("GET", "/api/operator/applications/{application}", None, Some("OperatorApplicationView")),
    t("POST", "/api/operator/applications/{application}/status", Some("ApplicationStatusIn"), Some("OperatorApplicationView")),
    t("GET", "/api/company/offers", None, Some("CompanyOfferPage")),
    t("GET", "/api/company/applications", None, Some("CompanyApplicationPage")),
];

pub fn register(v: &mut Schemas) {
    use applications::model;
    add::<applications::FormOut>(v);
    add::<applications::ApplyIn>(v);
    add::<model::Application>(v);
    add_page::<model::Row>("ApplicationPage", v);
    add_page::<model::OperatorRow>("OperatorApplicationPage", v);
    add::<model::OperatorView>(v);
    add::<applications::StatusIn>(v);
    add_page::<model::CompanyOffer>("CompanyOfferPage", v);
    add_page::<model::CompanyRow>("CompanyApplicationPage", v);
}
