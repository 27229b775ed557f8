//! A2: the profile, its update and the codes that verify a new number or address.

use access::Session;
use access::otp::{self, Channel};
use common::rome::iso_utc;
use common::sql::{Db, Value};
use common::validation::{self, Fields};
use common::{ApiError, Reply, Req};
use serde::Serialize;

use super::store::{DbPlaces, account_row, address_out, address_values, birth_place, person};
use super::{codes, text};
use crate::contact::{self, OtpIn};
use crate::form;
use crate::views::{AddressOut, BirthPlace};

/// The channel and new target of a profile's code request.
fn otp_request(conn: &dyn Db, s: &Session, input: &OtpIn) -> Result<(Channel, String), ApiError> {
    let (channel, target) = contact::target(input)?;
    let a = account_row(conn, s.person_id)?.ok_or_else(|| access::guard::not_active(s.account))?;
    let current = match channel {
        Channel::Sms => a.mobile,
        Channel::Email => a.email,
    };
    contact::check_changed(channel, &current, &target)?;
    Ok((channel, target))
}

/// `POST /api/profile/otp`: a code to a new number or address.
pub(super) fn otp(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let input: OtpIn = req.json()?;
    let (channel, target) = otp_request(conn, &s, &input)?;
    codes::send(req, conn, s.person_id, &s.name, channel, &target)
}

/// `POST /api/profile/otp/verify`
pub(super) fn otp_verify(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let input: OtpIn = req.json()?;
    let (channel, target) = otp_request(conn, &s, &input)?;
    codes::verify(req, conn, s.person_id, channel, &target, input.code.as_deref().unwrap_or(""))?;
    codes::verified_reply(channel, &target)
}

/// `GET /api/profile`
pub(super) fn view(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    Reply::json(200, &profile_view(conn, &s)?)
}

/// `GET /api/profile` (README, "Registration, profile, acting as a company").
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Profile))]
pub struct ProfileOut {
    pub status: String,
    pub registered_as: String,
    pub person: PersonOut,
    pub residence: AddressOut,
    pub domicile_same: bool,
    /// `null` when the same as the residence.
    pub domicile: Option<AddressOut>,
    pub email: String,
    pub email_verified: bool,
    pub mobile: String,
    pub mobile_verified: bool,
    pub privacy: PrivacyOut,
    pub registered_at: String,
    pub activated_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProfilePerson))]
pub struct PersonOut {
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub place_of_birth: BirthPlace,
    pub gender: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProfilePrivacy))]
pub struct PrivacyOut {
    pub version: String,
    pub accepted_at: String,
}

fn profile_view(conn: &dyn Db, s: &Session) -> Result<ProfileOut, ApiError> {
    let p = person(conn, s.person_id)?;
    let a = account_row(conn, s.person_id)?.ok_or_else(access::guard::registration_required)?;
    Ok(ProfileOut {
        person: PersonOut {
            place_of_birth: birth_place(conn, &a.place_of_birth)?,
            fiscal_code: p.fiscal_code,
            name: p.name,
            family_name: p.family_name,
            date_of_birth: a.date_of_birth,
            gender: p.gender,
        },
        residence: address_out(conn, &a.residence)?,
        domicile_same: a.domicile.is_none(),
        domicile: a.domicile.as_ref().map(|d| address_out(conn, d)).transpose()?,
        status: a.status,
        registered_as: a.registered_as,
        email: a.email,
        email_verified: a.email_verified_at.is_some(),
        mobile: a.mobile,
        mobile_verified: a.mobile_verified_at.is_some(),
        privacy: PrivacyOut { version: a.privacy_version, accepted_at: a.privacy_accepted_at },
        registered_at: a.registered_at,
        activated_at: a.activated_at,
    })
}

/// `PUT /api/profile`: addresses and contacts (a new number or address with its code).
pub(super) fn update(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let input: form::ProfileIn = req.json()?;
    let a = account_row(conn, s.person_id)?.ok_or_else(access::guard::registration_required)?;
    let mut f = Fields::new();
    let c = form::contacts(&input.contacts(), &DbPlaces(conn), &mut f);
    // a new number or address is verified with a code sent to it (whenever it is valid
    // itself, whatever else is wrong)
    let mobile = validation::mobile_phone(input.contacts().mobile.as_deref().unwrap_or("")).ok();
    let new_mobile = mobile.as_ref().is_some_and(|m| *m != a.mobile);
    if let (true, Some(m)) = (new_mobile, &mobile) {
        codes::in_form(req, conn, s.person_id, Channel::Sms, m, input.mobile_otp.as_deref(), "mobile_otp", &mut f)?;
    }
    let email = validation::email(input.contacts().email.as_deref().unwrap_or("")).ok();
    let new_email = email.as_ref().is_some_and(|e| !e.eq_ignore_ascii_case(&a.email));
    if let (true, Some(e)) = (new_email, &email) {
        codes::in_form(req, conn, s.person_id, Channel::Email, e, input.email_otp.as_deref(), "email_otp", &mut f)?;
    }
    f.into_result()?;
    let Some(c) = c else { return Err(ApiError::internal("profile form valid but incomplete")) };
    let at = iso_utc(req.now);
    conn.execute("UPDATE accounts SET residence_istat = ?, residence_cap = ?, residence_address = ?, domicile_same = ?, domicile_istat = ?, domicile_cap = ?,
           domicile_address = ?, email = ?, email_verified_at = CASE WHEN ?9 THEN ?10 ELSE email_verified_at END, mobile = ?,
           mobile_verified_at = CASE WHEN ?12 THEN ?10 ELSE mobile_verified_at END, updated_at = ?10
         WHERE person_id = ?",
        &[
            &address_values(&c)[..],
            &[
                text(c.email.as_str()),
                Value::Integer(i64::from(new_email)),
                text(at.as_str()),
                text(c.mobile.as_str()),
                Value::Integer(i64::from(new_mobile)),
                Value::Integer(s.person_id),
            ],
        ]
        .concat(),
    )?;
    for ch in [Channel::Sms, Channel::Email] {
        otp::forget(conn, s.person_id, ch)?;
    }
    Reply::json(200, &profile_view(conn, &s)?)
}

