//! `registration`: citizen registration (A1), the profile (A2), acting as a company
//! (A3) and company registration (B1). JSON in and out; every write needs the
//! session's CSRF token in `X-CSRF-Token`. The API is described in the README
//! ("Registration and profile").
//!
//! - `GET /api/registration`: the form's prefill from the identity, and the status
//! - `POST /api/registration`: the form (citizen, or company with an incarico)
//! - `POST /api/registration/otp`, `POST /api/registration/otp/verify`: SMS code
//! - `POST /api/registration/activation/resend`: a new activation link
//! - `GET /api/registration/activate?token=`: a page with a button that POSTs
//!   `/api/registration/activate` (mail scanners follow links, not buttons)
//! - `GET|PUT /api/profile`, `POST /api/profile/otp`, `POST /api/profile/otp/verify`
//! - `GET|POST /api/profile/{companies,agencies,professional}`, `DELETE …/<id>`
//! - `GET /api/companies/lookup?code=`
//! - `GET|POST /api/session/act-as`
//!
//! The logic is in plain modules ([`form`], [`contact`], [`token`], [`texts`],
//! [`pages`]) and in [`api`] (one file an area), which reads and writes the database
//! through `common::sql::Db`: unit tests run all of it natively against the real
//! migrations.

pub mod api;
pub mod contact;
pub mod form;
pub mod pages;
pub mod texts;
pub mod token;
pub mod views;

use common::ApiError;
use common::http::{allowed, path_id, segments};
use common::validation::CompanyKind;

/// The three sections of the profile with incarichi, by `companies.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Companies,
    Agencies,
    Professional,
}

impl Section {
    pub fn company_kind(self) -> CompanyKind {
        match self {
            Self::Companies => CompanyKind::Company,
            Self::Agencies => CompanyKind::Agency,
            Self::Professional => CompanyKind::ProfessionalFirm,
        }
    }

    /// `companies.kind` of the section.
    pub fn kind(self) -> &'static str {
        self.company_kind().as_str()
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "companies" => Some(Self::Companies),
            "agencies" => Some(Self::Agencies),
            "professional" => Some(Self::Professional),
            _ => None,
        }
    }

    /// Where a code of another kind belongs (for the error message).
    pub fn of_kind(kind: &str) -> Option<Self> {
        [Self::Companies, Self::Agencies, Self::Professional].into_iter().find(|s| s.kind() == kind)
    }

    /// The section's name as the profile page shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Companies => "Aziende",
            Self::Agencies => "Agenzie",
            Self::Professional => "Professionista",
        }
    }

    /// An incarico for company `name` of `companies.kind` `kind` is taken in this
    /// section only: 422 on `code` naming the section where it belongs.
    pub fn accepts(self, name: &str, kind: &str) -> Result<(), ApiError> {
        if kind == self.kind() {
            return Ok(());
        }
        let there = Self::of_kind(kind).map_or("", Self::label);
        Err(ApiError::invalid_field(
            "code",
            "other_section",
            format!(
                "{name} è registrata come {}: aggiungila dalla sezione {there} del profilo.",
                CompanyKind::parse(kind).map_or("", CompanyKind::label).to_lowercase()
            ),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Prefill,
    Register,
    RegistrationOtp,
    RegistrationOtpVerify,
    ResendActivation,
    ActivatePage,
    Activate,
    Profile,
    UpdateProfile,
    ProfileOtp,
    ProfileOtpVerify,
    Incarichi(Section),
    AddIncarico(Section),
    RevokeIncarico(Section, i64),
    Lookup,
    ActingAs,
    ActAs,
}

/// Parses method and path.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    let post = method == "POST";
    match parts.as_slice() {
        ["api", "registration"] => match method {
            "GET" | "HEAD" => Ok(Route::Prefill),
            "POST" => Ok(Route::Register),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "registration", "otp"] => allowed(post, Route::RegistrationOtp),
        ["api", "registration", "otp", "verify"] => allowed(post, Route::RegistrationOtpVerify),
        ["api", "registration", "activation", "resend"] => allowed(post, Route::ResendActivation),
        ["api", "registration", "activate"] => match method {
            "GET" | "HEAD" => Ok(Route::ActivatePage),
            "POST" => Ok(Route::Activate),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "profile"] => match method {
            "GET" | "HEAD" => Ok(Route::Profile),
            "PUT" => Ok(Route::UpdateProfile),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "profile", "otp"] => allowed(post, Route::ProfileOtp),
        ["api", "profile", "otp", "verify"] => allowed(post, Route::ProfileOtpVerify),
        ["api", "profile", section] if Section::parse(section).is_some() => {
            let s = Section::parse(section).unwrap_or(Section::Companies);
            match method {
                "GET" | "HEAD" => Ok(Route::Incarichi(s)),
                "POST" => Ok(Route::AddIncarico(s)),
                _ => Err(ApiError::method_not_allowed()),
            }
        }
        ["api", "profile", section, id] if Section::parse(section).is_some() => {
            let s = Section::parse(section).unwrap_or(Section::Companies);
            let id = path_id(id)?;
            allowed(method == "DELETE", Route::RevokeIncarico(s, id))
        }
        ["api", "companies", "lookup"] => allowed(get, Route::Lookup),
        ["api", "session", "act-as"] => match method {
            "GET" | "HEAD" => Ok(Route::ActingAs),
            "POST" => Ok(Route::ActAs),
            _ => Err(ApiError::method_not_allowed()),
        },
        _ => Err(ApiError::not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_methods() {
        assert_eq!(route("GET", "/api/registration"), Ok(Route::Prefill));
        assert_eq!(route("POST", "/api/registration/"), Ok(Route::Register));
        assert_eq!(route("POST", "/api/registration/otp"), Ok(Route::RegistrationOtp));
        assert_eq!(route("POST", "/api/registration/otp/verify"), Ok(Route::RegistrationOtpVerify));
        assert_eq!(route("POST", "/api/registration/activation/resend"), Ok(Route::ResendActivation));
        assert_eq!(route("GET", "/api/registration/activate"), Ok(Route::ActivatePage));
        assert_eq!(route("POST", "/api/registration/activate"), Ok(Route::Activate));
        assert_eq!(route("PUT", "/api/profile"), Ok(Route::UpdateProfile));
        assert_eq!(route("GET", "/api/profile/agencies"), Ok(Route::Incarichi(Section::Agencies)));
        assert_eq!(route("POST", "/api/profile/professional"), Ok(Route::AddIncarico(Section::Professional)));
        assert_eq!(route("DELETE", "/api/profile/companies/12"), Ok(Route::RevokeIncarico(Section::Companies, 12)));
        assert_eq!(route("GET", "/api/companies/lookup"), Ok(Route::Lookup));
        assert_eq!(route("POST", "/api/session/act-as"), Ok(Route::ActAs));
    }

    #[test]
    fn wrong_methods_and_paths() {
        assert_eq!(route("GET", "/api/registration/otp").unwrap_err().status, 405);
        assert_eq!(route("DELETE", "/api/profile").unwrap_err().status, 405);
        assert_eq!(route("GET", "/api/profile/companies/3").unwrap_err().status, 405);
        assert_eq!(route("DELETE", "/api/profile/companies/x").unwrap_err().status, 404);
        assert_eq!(route("DELETE", "/api/profile/companies/0").unwrap_err().status, 404);
        assert_eq!(route("GET", "/api/profile/banks").unwrap_err().status, 404);
        assert_eq!(route("GET", "/api/companies").unwrap_err().status, 404);
        assert_eq!(route("POST", "/api/companies/lookup").unwrap_err().status, 405);
    }

    #[test]
    fn incarichi_belong_to_the_section_of_their_kind() {
        assert!(Section::Agencies.accepts("Lavoro Srl", Section::Agencies.kind()).is_ok());
        let e = Section::Companies.accepts("Lavoro Srl", Section::Agencies.kind()).unwrap_err();
        assert_eq!(e.status, 422);
        assert_eq!(e.fields[0].code, "other_section");
        assert!(e.message.starts_with("Lavoro Srl è registrata come "), "{}", e.message);
        assert!(e.message.contains("dalla sezione Agenzie del profilo"), "{}", e.message);
    }
}
