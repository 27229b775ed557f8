//! The answers of the API, as typed structs: the handlers in [`crate::api`] fill them,
//! serde writes them, and the OpenAPI document derives their schemas (`openapi`
//! feature), so what the document says is what the code answers.

use access::{Account, ActingAs};
use serde::Serialize;

use crate::texts::{Role, Versioned};

/// A comune of an address: `name` and `province` `null` for a code the tables no
/// longer have.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComuneRef {
    /// ISTAT code
    pub istat: String,
    pub name: Option<String>,
    /// The province's sigla.
    pub province: Option<String>,
}

/// An address as the profile shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressOut {
    pub comune: ComuneRef,
    pub cap: String,
    pub address: String,
}

/// The place of birth: the comune of a cadastral code (`istat`, `name`, `province`
/// `null` for a comune that no longer exists), or abroad.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BirthPlace {
    /// The cadastral code (Belfiore).
    pub code: String,
    pub abroad: bool,
    pub istat: Option<String>,
    pub name: Option<String>,
    pub province: Option<String>,
}

/// A company of the registry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyOut {
    pub id: i64,
    pub name: String,
    pub fiscal_code: String,
    pub vat_number: Option<String>,
    pub legal_form: String,
    /// `company`, `agency` or `professional_firm`
    pub kind: String,
    pub kind_label: &'static str,
    pub seat_comune: Option<String>,
    /// `YYYY-MM-DD`, when the company ceased.
    pub ceased_on: Option<String>,
}

/// An incarico of the person for a company.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncaricoOut {
    pub id: i64,
    pub company_id: i64,
    pub company: CompanyOut,
    /// `rappresentante_legale`, `delegato` or `altro`
    pub role: String,
    pub role_label: String,
    pub created_at: String,
}

/// `GET /api/profile/{companies,agencies,professional}`: the incarichi of a section,
/// with the declaration to accept and the roles to choose from.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incarichi {
    pub items: Vec<IncaricoOut>,
    pub declaration: Versioned,
    pub roles: &'static [Role],
}

/// `DELETE /api/profile/{section}/{id}`: the revoked incarico and whom the session acts
/// for now (`null`: as a citizen).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revoked {
    pub revoked: i64,
    pub acting_as: Option<ActingAs>,
}

/// The caller's current incarico for the company found.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupIncarico {
    pub id: Option<i64>,
    pub role: Option<String>,
}

/// `GET /api/companies/lookup`
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyLookup {
    pub company: CompanyOut,
    pub incarico: Option<LookupIncarico>,
}

/// `GET /api/session/act-as`: whom the session acts for (`null`: as a citizen) and the
/// companies of the person's incarichi.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActingAsOptions {
    pub acting_as: Option<ActingAs>,
    pub options: Vec<IncaricoOut>,
}

/// `POST /api/session/act-as`: whom the session acts for now.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActingAsNow {
    pub acting_as: Option<ActingAs>,
}

/// A one-time code sent.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    /// `sms` or `email`
    pub channel: &'static str,
    pub sent_to: String,
    /// Seconds the code is valid.
    pub expires_in: i64,
    /// Seconds before another code may be asked.
    pub resend_in: i64,
}

/// A one-time code that matched.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeVerified {
    pub verified: bool,
    /// `sms` or `email`
    pub channel: &'static str,
    pub target: String,
}

/// `POST /api/registration/activation/resend`
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationSent {
    pub email: String,
    pub activation_expires_in_hours: i64,
}

/// `POST /api/registration` (201)
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registered {
    /// Always `pending` (until the e-mail's link is followed).
    pub status: &'static str,
    /// `citizen` or `company`
    pub registered_as: &'static str,
    pub email: String,
    pub activation_expires_in_hours: i64,
    /// The company of the incarico (company registration).
    pub company: Option<CompanyOut>,
}

/// `GET /api/registration`: the status and the form's prefill.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prefill {
    pub status: Account,
    pub person: PrefillPerson,
    /// Which of `person`'s fields the form shows read-only.
    pub read_only: ReadOnly,
    /// Contacts the identity provider gave.
    pub suggested: Suggested,
    /// The mobile number whose SMS code was verified, if any.
    pub mobile_verified: Option<String>,
    /// A pending registration's e-mail and kind.
    pub pending: Option<Pending>,
    pub privacy: PrivacyInfo,
    pub contacts_notice: &'static str,
    pub declaration: Versioned,
    pub roles: &'static [Role],
    pub otp: OtpInfo,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrefillPerson {
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
    /// From the identity provider, or suggested from the codice fiscale.
    pub date_of_birth: Option<String>,
    pub place_of_birth: Option<BirthPlace>,
    pub gender: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PrefillReadOnly))]
pub struct ReadOnly {
    pub fiscal_code: bool,
    pub name: bool,
    pub family_name: bool,
    pub date_of_birth: bool,
    pub place_of_birth: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SuggestedContacts))]
pub struct Suggested {
    pub email: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PendingRegistration))]
pub struct Pending {
    pub email: String,
    pub registered_as: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PrivacyNotice))]
pub struct PrivacyInfo {
    pub version: &'static str,
    pub url: &'static str,
}

/// The registration's SMS code: its length, validity and resend wait (seconds).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PrefillOtp))]
pub struct OtpInfo {
    pub length: u32,
    pub expires_in: i64,
    pub resend_in: i64,
}
