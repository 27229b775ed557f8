//! Reads of the person (as the SSO bridge stored them), of the account and of the
//! comuni, and the JSON the pages show of them.

use common::ApiError;
use common::sql::{Db, Value};
use common::validation;

use crate::views::{AddressOut, BirthPlace, ComuneRef};

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

pub(super) fn person(conn: &dyn Db, id: i64) -> Result<Person, ApiError> {
    let rows = conn.execute("SELECT fiscal_code, name, family_name, date_of_birth, place_of_birth, gender, email, mobile_phone FROM people WHERE id = ?",
        &[Value::Integer(id)],
    )?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal(format!("person {id} of a live session is missing")))?;
    Ok(Person {
        fiscal_code: r.text("fiscal_code")?,
        name: r.text("name")?,
        family_name: r.text("family_name")?,
        date_of_birth: r.opt_text("date_of_birth"),
        place_of_birth: r.opt_text("place_of_birth"),
        gender: r.opt_text("gender"),
        email: r.opt_text("email"),
        mobile_phone: r.opt_text("mobile_phone"),
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

pub(super) struct DbPlaces<'a>(pub(super) &'a dyn Db);

impl Places for DbPlaces<'_> {
    fn comune(&self, istat: &str) -> Option<Comune> {
        comune(self.0, istat).unwrap_or_else(|e| {
            eprintln!("registration: comune {istat}: {e}");
            None
        })
    }
}

pub(super) fn comune(conn: &dyn Db, istat: &str) -> Result<Option<Comune>, ApiError> {
    let rows = conn.execute("SELECT c.istat, c.name, p.sigla FROM comuni c JOIN provinces p ON p.code = c.province_code WHERE c.istat = ?",
        &[text(istat)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    let caps = conn.execute("SELECT cap FROM comuni_caps WHERE istat = ? ORDER BY cap", &[text(istat)])?;
    Ok(Some(Comune {
        istat: r.text("istat")?,
        name: r.text("name")?,
        province: r.text("sigla")?,
        caps: caps.rows().filter_map(|c| c.get::<&str>("cap").map(str::to_owned)).collect(),
    }))
}

pub(super) fn comune_ref(conn: &dyn Db, istat: &str) -> Result<ComuneRef, ApiError> {
    Ok(match comune(conn, istat)? {
        Some(c) => ComuneRef { istat: c.istat, name: Some(c.name), province: Some(c.province) },
        None => ComuneRef { istat: istat.to_string(), name: None, province: None },
    })
}

/// The place of birth as shown: the comune of a cadastral code, or abroad.
pub(super) fn birth_place(conn: &dyn Db, code: &str) -> Result<BirthPlace, ApiError> {
    let place = |abroad, istat, name, province| BirthPlace { code: code.to_string(), abroad, istat, name, province };
    if validation::cadastral_code_is_abroad(code) {
        return Ok(place(true, None, Some("Stato estero".to_string()), None));
    }
    let rows = conn.execute("SELECT c.istat, c.name, p.sigla FROM comuni_codes k JOIN comuni c ON c.istat = k.istat JOIN provinces p ON p.code = c.province_code
         WHERE k.cadastral_code = ?",
        &[text(code)],
    )?;
    Ok(match rows.rows().next() {
        Some(r) => place(false, Some(r.text("istat")?), Some(r.text("name")?), Some(r.text("sigla")?)),
        // a comune that no longer exists (merged): only its code is known
        None => place(false, None, None, None),
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

pub(super) fn account_row(conn: &dyn Db, person_id: i64) -> Result<Option<AccountRow>, ApiError> {
    let rows = conn.execute("SELECT * FROM accounts WHERE person_id = ?", &[Value::Integer(person_id)])?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    let same = r.int("domicile_same")? == 1;
    Ok(Some(AccountRow {
        status: r.text("status")?,
        registered_as: r.text("registered_as")?,
        date_of_birth: r.text("date_of_birth")?,
        place_of_birth: r.text("place_of_birth")?,
        residence: form::Address { istat: r.text("residence_istat")?, cap: r.text("residence_cap")?, address: r.text("residence_address")? },
        domicile: if same {
            None
        } else {
            Some(form::Address { istat: r.text("domicile_istat")?, cap: r.text("domicile_cap")?, address: r.text("domicile_address")? })
        },
        email: r.text("email")?,
        email_verified_at: r.opt_text("email_verified_at"),
        mobile: r.text("mobile")?,
        mobile_verified_at: r.opt_text("mobile_verified_at"),
        privacy_version: r.text("privacy_version")?,
        privacy_accepted_at: r.text("privacy_accepted_at")?,
        registered_at: r.text("registered_at")?,
        activated_at: r.opt_text("activated_at"),
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

pub(super) fn address_out(conn: &dyn Db, a: &form::Address) -> Result<AddressOut, ApiError> {
    Ok(AddressOut { comune: comune_ref(conn, &a.istat)?, cap: a.cap.clone(), address: a.address.clone() })
}

