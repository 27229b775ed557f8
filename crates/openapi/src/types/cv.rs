//! The cv component's types: the owner's CVs, the companies' search and requests, the
//! decision link's form, the retention job, the operator's view.
//!
//! Untyped on purpose: the CV uploads (`POST /api/cv`, `PUT /api/cv/{cv}`,
//! `POST /api/operator/cv`) take the file's bytes, with the form in the `X-CV-Meta`
//! header; the retention job ignores its body.

use super::{Schemas, Typed, add, add_page, t};
use cv::handler::{cvs, decision, operator, requests, retention, search};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/cv", None, Some("CvPage")),
    t("POST", "/api/cv", None, Some("Cv")),
    t("GET", "/api/cv/form", None, Some("CvForm")),
    t("GET", "/api/cv/{cv}", None, Some("Cv")),
    t("PUT", "/api/cv/{cv}", None, Some("Cv")),
    t("DELETE", "/api/cv/{cv}", None, Some("CvDeleted")),
    t("GET", "/api/cv/{cv}/history", None, Some("CvEventPage")),
    t("GET", "/api/cv-search", None, Some("CvSearchPage")),
    t("GET", "/api/cv-requests", None, Some("CvRequestPage")),
    // a company's new request (201); the owner's decision answers 200 CvRequestDecided
    t("POST", "/api/cv-requests", Some("CvRequestIn"), Some("NewCvRequest")),
    t("POST", "/api/cv-requests/decision", Some("CvDecisionIn"), None),
    t("POST", "/jobs/cv/retention", None, Some("CvRetentionReport")),
    t("GET", "/api/operator/cv", None, Some("OperatorCvs")),
    t("POST", "/api/operator/cv", None, Some("Cv")),
];

pub fn register(v: &mut Schemas) {
    add::<cv::handler::CvOut>(v);
    add_page::<cv::handler::CvOut>("CvPage", v);
    add::<cvs::CvForm>(v);
    add::<cvs::Deleted>(v);
    add_page::<cvs::CvEvent>("CvEventPage", v);
    add_page::<search::SearchItem>("CvSearchPage", v);
    add_page::<requests::CvRequest>("CvRequestPage", v);
    add::<requests::RequestIn>(v);
    add::<requests::NewCvRequest>(v);
    add::<requests::CvRequestDecided>(v);
    add::<decision::DecideIn>(v);
    add::<retention::RetentionReport>(v);
    add::<operator::OperatorCvs>(v);
}
