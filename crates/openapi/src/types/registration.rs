//! The registration component's types: registration, activation, the profile and its
//! incarichi, the company lookup, acting for a company.
//!
//! Untyped on purpose: the answers of `GET|POST /api/registration/activate` are pages
//! (the e-mail's link).

use super::{Schemas, Typed, add, t};
use registration::api::{act_as, activation};
use registration::{contact, form, views};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/registration", None, Some("Prefill")),
    t("POST", "/api/registration", Some("RegistrationIn"), Some("Registered")),
    t("POST", "/api/registration/otp", Some("CodeRequest"), Some("CodeSent")),
    t("POST", "/api/registration/otp/verify", Some("CodeRequest"), Some("CodeVerified")),
    t("POST", "/api/registration/activation/resend", Some("ActivationResendIn"), Some("ActivationSent")),
    t("POST", "/api/registration/activate", Some("ActivationIn"), None),
    t("GET", "/api/profile", None, Some("Profile")),
    t("PUT", "/api/profile", Some("ProfileIn"), Some("Profile")),
    t("POST", "/api/profile/otp", Some("CodeRequest"), Some("CodeSent")),
    t("POST", "/api/profile/otp/verify", Some("CodeRequest"), Some("CodeVerified")),
    t("GET", "/api/profile/companies", None, Some("Incarichi")),
    t("POST", "/api/profile/companies", Some("IncaricoIn"), Some("IncaricoOut")),
    t("DELETE", "/api/profile/companies/{incarico}", None, Some("Revoked")),
    t("POST", "/api/profile/agencies", Some("IncaricoIn"), Some("IncaricoOut")),
    t("POST", "/api/profile/professional", Some("IncaricoIn"), Some("IncaricoOut")),
    t("GET", "/api/companies/lookup", None, Some("CompanyLookup")),
    t("GET", "/api/session/act-as", None, Some("ActingAsOptions")),
    t("POST", "/api/session/act-as", Some("ActAsIn"), Some("ActingAsNow")),
];

pub fn register(v: &mut Schemas) {
    add::<form::RegistrationIn>(v);
    add::<form::ProfileIn>(v);
    add::<form::IncaricoIn>(v);
    add::<contact::OtpIn>(v);
    add::<activation::ResendIn>(v);
    add::<activation::ActivateIn>(v);
    add::<act_as::ActAsIn>(v);
    add::<views::Prefill>(v);
    add::<views::Registered>(v);
    add::<views::CodeSent>(v);
    add::<views::CodeVerified>(v);
    add::<views::ActivationSent>(v);
    add::<registration::api::profile::ProfileOut>(v);
    add::<views::Incarichi>(v);
    add::<views::IncaricoOut>(v);
    add::<views::Revoked>(v);
    add::<views::CompanyLookup>(v);
    add::<views::ActingAsOptions>(v);
    add::<views::ActingAsNow>(v);
}
