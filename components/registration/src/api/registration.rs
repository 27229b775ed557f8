//! A1 and B1: the registration form's prefill, its SMS code and the form itself
//! (citizen, or company with an incarico).

use access::otp::{self, Channel};
use access::{Account, Session};
use common::rome::iso_utc;
use common::sql::{Db, Value};
use common::validation::{self, Fields};
use common::{ApiError, Reply, Req};

use super::activation::new_activation;
use super::incarichi::{count_lookup, find_company, insert_incarico};
use super::store::{DbPlaces, account_row, address_values, birth_place, person};
use super::{codes, session_write, text, tx};
use crate::form::{self, not_unregistered};
use crate::contact::{self, OtpIn};
use crate::texts;
use crate::views::{OtpInfo, Pending, Prefill, PrefillPerson, PrivacyInfo, ReadOnly, Registered, Suggested};

/// The session, the normalised number and the typed code of a request for the
/// registration's SMS code (only before registering; the channel is always SMS).
fn otp_request(req: &Req, conn: &dyn Db) -> Result<(Session, String, String), ApiError> {
    let s = session_write(req, conn)?;
    if s.account != Account::Unregistered {
        return Err(not_unregistered(s.account));
    }
    let input: OtpIn = req.json()?;
    let code = input.code.clone().unwrap_or_default();
    let (_, target) = contact::target(&OtpIn { channel: Some("sms".into()), ..input })?;
    Ok((s, target, code))
}

/// `POST /api/registration/otp`
pub(super) fn otp(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let (s, target, _) = otp_request(req, conn)?;
    codes::send(req, conn, s.person_id, &s.name, Channel::Sms, &target)
}

/// `POST /api/registration/otp/verify`
pub(super) fn otp_verify(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let (s, target, code) = otp_request(req, conn)?;
    codes::verify(req, conn, s.person_id, Channel::Sms, &target, &code)?;
    codes::verified_reply(Channel::Sms, &target)
}

/// `GET /api/registration`
pub(super) fn prefill(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require(conn, req)?;
    let p = person(conn, s.person_id)?;
    let today = common::rome::day_at(req.now);
    let idp_date = p.date_of_birth.clone().filter(|d| !d.trim().is_empty());
    let place_code = form::birth_place_code(p.place_of_birth.as_deref(), &p.fiscal_code);
    let place = place_code.as_deref().map(|c| birth_place(conn, c)).transpose()?;
    let l = otp::Limits::from_req(req);
    let mobile_verified = otp::verified_target(conn, s.person_id, Channel::Sms, req.now)?;
    let pending = match s.account {
        Account::Pending => account_row(conn, s.person_id)?.map(|a| Pending { email: a.email, registered_as: a.registered_as }),
        _ => None,
    };
    Reply::json(
        200,
        &Prefill {
            status: s.account,
            person: PrefillPerson {
                date_of_birth: idp_date.clone().or_else(|| form::suggested_birth_date(&p.fiscal_code, &today)),
                fiscal_code: p.fiscal_code,
                name: p.name,
                family_name: p.family_name,
                place_of_birth: place,
                gender: p.gender,
            },
            read_only: ReadOnly {
                fiscal_code: true,
                name: true,
                family_name: true,
                date_of_birth: idp_date.is_some(),
                // from the identity provider, or else read from the codice fiscale
                place_of_birth: true,
            },
            suggested: Suggested { email: p.email, mobile: p.mobile_phone },
            mobile_verified,
            pending,
            privacy: PrivacyInfo { version: texts::PRIVACY_VERSION, url: texts::PRIVACY_URL },
            contacts_notice: texts::CONTACTS_NOTICE,
            declaration: texts::declaration(),
            roles: texts::ROLES,
            otp: OtpInfo { length: 6, expires_in: l.ttl_secs, resend_in: l.resend_secs },
        },
    )
}

/// `POST /api/registration`
pub(super) fn register(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = session_write(req, conn)?;
    if s.account != Account::Unregistered {
        return Err(not_unregistered(s.account));
    }
    let input: form::RegistrationIn = req.json()?;
    let p = person(conn, s.person_id)?;
    let now = req.now;
    let mut f = Fields::new();
    let kind = form::kind(input.kind.as_deref(), &mut f);
    let birth = form::birth(&p.identity(), input.date_of_birth.as_deref(), &common::rome::day_at(now), &mut f);
    let contacts = form::contacts(&input.contacts(), &DbPlaces(conn), &mut f);
    let incarico = match (kind, &input.company) {
        (Some("company"), Some(c)) => form::incarico(c, "company.", &mut f),
        (Some("company"), None) => {
            f.add("company.code", "required", "Cerca l'azienda per codice fiscale o partita IVA.");
            None
        }
        _ => None,
    };
    let company = match &incarico {
        Some(i) => {
            count_lookup(req, conn, s.person_id)?;
            let c = find_company(conn, &i.code)?;
            match &c {
                None => f.push(i.code.not_found().at("company.code")),
                Some(c) if c.ceased_on.is_some() => {
                    f.add("company.code", "company_ceased", format!("{} risulta cessata: non è possibile prendere un incarico.", c.name))
                }
                Some(_) => {}
            }
            c
        }
        None => None,
    };
    form::privacy(input.privacy_accepted, input.privacy_version.as_deref(), &mut f);
    // the SMS code whenever the number itself is valid, whatever else is wrong
    if let Ok(mobile) = validation::mobile_phone(input.contacts().mobile.as_deref().unwrap_or("")) {
        codes::in_form(req, conn, s.person_id, Channel::Sms, &mobile, input.otp.as_deref(), "otp", &mut f)?;
    }
    f.into_result()?;
    let (Some(kind), Some(birth), Some(c)) = (kind, birth, contacts) else {
        return Err(ApiError::internal("registration form valid but incomplete"));
    };
    let at = iso_utc(now);
    let hours = tx(conn, |conn| {
        let rows = conn.execute("INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap, residence_address,
               domicile_same, domicile_istat, domicile_cap, domicile_address, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at,
               registered_at, updated_at)
             VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (person_id) DO NOTHING RETURNING person_id",
            &[
                &[Value::Integer(s.person_id), text(kind), text(birth.date.as_str()), text(birth.place.as_str())][..],
                &address_values(&c),
                &[
                    text(c.email.as_str()),
                    text(c.mobile.as_str()),
                    text(at.as_str()),
                    text(texts::PRIVACY_VERSION),
                    text(at.as_str()),
                    text(at.as_str()),
                    text(at.as_str()),
                ],
            ]
            .concat(),
        )?;
        if rows.rows().next().is_none() {
            return Err(not_unregistered(Account::Active));
        }
        if let (Some(company), Some(i)) = (&company, &incarico) {
            insert_incarico(conn, s.person_id, company.id, i.role, now)?;
        }
        let hours = new_activation(req, conn, s.person_id, &p.name, &c.email)?;
        // the registration's code is of no further use (the profile has its own)
        otp::forget(conn, s.person_id, Channel::Sms)?;
        Ok(hours)
    })?;
    eprintln!("registration: person {} registered as {kind}, pending activation", s.person_id);
    Reply::json(
        201,
        &Registered { status: "pending", registered_as: kind, email: c.email, activation_expires_in_hours: hours, company: company.map(|c| c.out()) },
    )
}

