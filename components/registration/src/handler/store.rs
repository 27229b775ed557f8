//! Reads of the person (as the SSO bridge stored them), of the account and of the
//! comuni, and the JSON the pages show of them.

use common::validation;
use common::{ApiError, db};
use serde_json::{Value as Json, json};
use spin_sdk::sqlite::{Connection, Value};

use super::{opt, text};
use crate::form::{self, Comune, Places};

/// The identity as the SSO bridge stored it.
pub(super) struct Person {
    pub(super) fiscal_code: String,
    pub(super) name: String,
    pub(super) family_name: String,
    pub(super) date_of_birth: Option<String>,
    pub(super) place_of_birth: Option<String>,
    pub(super) gender: Option<String>,
    pub(super) email: Option<String>,
    pub(super) mobile_phone: Option<String>,
}

pub(super) fn person(conn: &Connection, id: i64) -> Result<Person, ApiError> {
    let rows = db::query(
        conn,
        "SELECT fiscal_code, name, family_name, date_of_birth, place_of_birth, gender, email, mobile_phone FROM people WHERE id = ?",
        &[Value::Integer(id)],
    )?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal(format!("person {id} of a live session is missing")))?;
    Ok(Person {
        fiscal_code: db::text(&r, "fiscal_code")?,
        name: db::text(&r, "name")?,
        family_name: db::text(&r, "family_name")?,
        date_of_birth: db::opt_text(&r, "date_of_birth"),
        place_of_birth: db::opt_text(&r, "place_of_birth"),
        gender: db::opt_text(&r, "gender"),
        email: db::opt_text(&r, "email"),
        mobile_phone: db::opt_text(&r, "mobile_phone"),
    })
}

impl Person {
    pub(super) fn identity(&self) -> form::Identity {
        form::Identity {
            fiscal_code: self.fiscal_code.clone(),
            date_of_birth: self.date_of_birth.clone(),
            place_of_birth: self.place_of_birth.clone(),
            gender: self.gender.clone(),
        }
    }
}

pub(super) struct DbPlaces<'a>(pub(super) &'a Connection);

impl Places for DbPlaces<'_> {
    fn comune(&self, istat: &str) -> Option<Comune> {
        comune(self.0, istat).unwrap_or_else(|e| {
            eprintln!("registration: comune {istat}: {e}");
            None
        })
    }
}

pub(super) fn comune(conn: &Connection, istat: &str) -> Result<Option<Comune>, ApiError> {
    let rows = db::query(
        conn,
        "SELECT c.istat, c.name, p.sigla FROM comuni c JOIN provinces p ON p.code = c.province_code WHERE c.istat = ?",
        &[text(istat)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    let caps = db::query(conn, "SELECT cap FROM comuni_caps WHERE istat = ? ORDER BY cap", &[text(istat)])?;
    Ok(Some(Comune {
        istat: db::text(&r, "istat")?,
        name: db::text(&r, "name")?,
        province: db::text(&r, "sigla")?,
        caps: caps.rows().filter_map(|c| c.get::<&str>("cap").map(str::to_owned)).collect(),
    }))
}

pub(super) fn comune_json(conn: &Connection, istat: &str) -> Result<Json, ApiError> {
    Ok(match comune(conn, istat)? {
        Some(c) => json!({ "istat": c.istat, "name": c.name, "province": c.province }),
        None => json!({ "istat": istat, "name": null, "province": null }),
    })
}

/// The place of birth as shown: the comune of a cadastral code, or abroad.
pub(super) fn birth_place_json(conn: &Connection, code: &str) -> Result<Json, ApiError> {
    if validation::cadastral_code_is_abroad(code) {
        return Ok(json!({ "code": code, "abroad": true, "istat": null, "name": "Stato estero", "province": null }));
    }
    let rows = db::query(
        conn,
        "SELECT c.istat, c.name, p.sigla FROM comuni_codes k JOIN comuni c ON c.istat = k.istat JOIN provinces p ON p.code = c.province_code
         WHERE k.cadastral_code = ?",
        &[text(code)],
    )?;
    Ok(match rows.rows().next() {
        Some(r) => json!({ "code": code, "abroad": false, "istat": db::text(&r, "istat")?, "name": db::text(&r, "name")?, "province": db::text(&r, "sigla")? }),
        // a comune that no longer exists (merged): only its code is known
        None => json!({ "code": code, "abroad": false, "istat": null, "name": null, "province": null }),
    })
}

pub(super) struct AccountRow {
    pub(super) status: String,
    pub(super) registered_as: String,
    pub(super) date_of_birth: String,
    pub(super) place_of_birth: String,
    pub(super) residence: form::Address,
    pub(super) domicile: Option<form::Address>,
    pub(super) email: String,
    pub(super) email_verified_at: Option<String>,
    pub(super) mobile: String,
    pub(super) mobile_verified_at: Option<String>,
    pub(super) privacy_version: String,
    pub(super) privacy_accepted_at: String,
    pub(super) registered_at: String,
    pub(super) activated_at: Option<String>,
}

pub(super) fn account_row(conn: &Connection, person_id: i64) -> Result<Option<AccountRow>, ApiError> {
    let rows = db::query(conn, "SELECT * FROM accounts WHERE person_id = ?", &[Value::Integer(person_id)])?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    let same = db::int(&r, "domicile_same")? == 1;
    Ok(Some(AccountRow {
        status: db::text(&r, "status")?,
        registered_as: db::text(&r, "registered_as")?,
        date_of_birth: db::text(&r, "date_of_birth")?,
        place_of_birth: db::text(&r, "place_of_birth")?,
        residence: form::Address { istat: db::text(&r, "residence_istat")?, cap: db::text(&r, "residence_cap")?, address: db::text(&r, "residence_address")? },
        domicile: if same {
            None
        } else {
            Some(form::Address { istat: db::text(&r, "domicile_istat")?, cap: db::text(&r, "domicile_cap")?, address: db::text(&r, "domicile_address")? })
        },
        email: db::text(&r, "email")?,
        email_verified_at: db::opt_text(&r, "email_verified_at"),
        mobile: db::text(&r, "mobile")?,
        mobile_verified_at: db::opt_text(&r, "mobile_verified_at"),
        privacy_version: db::text(&r, "privacy_version")?,
        privacy_accepted_at: db::text(&r, "privacy_accepted_at")?,
        registered_at: db::text(&r, "registered_at")?,
        activated_at: db::opt_text(&r, "activated_at"),
    }))
}

/// The `accounts` columns residence_istat, residence_cap, residence_address,
/// domicile_same, domicile_istat, domicile_cap, domicile_address, in this order.
pub(super) fn address_values(c: &form::Contacts) -> [Value; 7] {
    let d = c.domicile.as_ref();
    [
        text(c.residence.istat.as_str()),
        text(c.residence.cap.as_str()),
        text(c.residence.address.as_str()),
        Value::Integer(i64::from(d.is_none())),
        opt(d.map(|a| a.istat.as_str())),
        opt(d.map(|a| a.cap.as_str())),
        opt(d.map(|a| a.address.as_str())),
    ]
}

pub(super) fn address_json(conn: &Connection, a: &form::Address) -> Result<Json, ApiError> {
    Ok(json!({ "comune": comune_json(conn, &a.istat)?, "cap": a.cap, "address": a.address }))
}

