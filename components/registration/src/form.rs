//! The registration and profile forms: what the JSON may hold, and its validation
//! into normalised values with an Italian message per field (`common::validation`).
//! Field names in errors are the JSON paths (`residence.cap`, `company.role`).
//!
//! Reference data (comuni and their CAPs) comes through [`Places`], so that the rules
//! are tested here without a database.

use common::ApiError;
use access::Account;
use common::validation::{self, BirthData, Fields, FiscalCodePart};
use serde::Deserialize;

use crate::texts;

/// Longest address line accepted (characters).
pub const MAX_ADDRESS: usize = 150;

/// A comune of the reference data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comune {
    pub istat: String,
    pub name: String,
    /// Province sigla, e.g. `FI`.
    pub province: String,
    pub caps: Vec<String>,
}

pub trait Places {
    fn comune(&self, istat: &str) -> Option<Comune>;
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddressIn {
    /// ISTAT code (6 digits) as chosen from the comuni autocomplete.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub comune: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{5}$"))]
    pub cap: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 150))]
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub istat: String,
    pub cap: String,
    pub address: String,
}

/// Residence, domicile and contacts: the part of the form the profile also edits.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactsIn {
    pub residence: Option<AddressIn>,
    /// "Uguale alla residenza"
    pub domicile_same: Option<bool>,
    pub domicile: Option<AddressIn>,
    pub email: Option<String>,
    pub email_confirm: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contacts {
    pub residence: Address,
    /// `None`: same as the residence.
    pub domicile: Option<Address>,
    pub email: String,
    /// E.164
    pub mobile: String,
}

/// An incarico to take: in the profile (`POST /api/profile/companies`) or in the
/// company registration (`company` in `POST /api/registration`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncaricoIn {
    /// Codice fiscale or partita IVA of the company, as typed.
    #[cfg_attr(feature = "openapi", schema(max_length = 20))]
    pub code: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^(rappresentante_legale|delegato|altro)$"))]
    pub role: Option<String>,
    pub declaration_accepted: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20))]
    pub declaration_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incarico {
    pub code: validation::CompanyCode,
    pub role: &'static str,
}

/// The registration form. Its contacts are at the top level of the JSON, like the
/// profile's (not `#[serde(flatten)]`, which cannot refuse unknown fields).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistrationIn {
    /// `citizen` (default) or `company` (B1: with `company`)
    #[cfg_attr(feature = "openapi", schema(pattern = "^(citizen|company)$"))]
    pub kind: Option<String>,
    pub residence: Option<AddressIn>,
    /// "Uguale alla residenza"
    pub domicile_same: Option<bool>,
    pub domicile: Option<AddressIn>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = "^[a-z0-9]{1,30}@[a-z0-9]{1,20}\\.(it|org|com)$"))]
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = "^[a-z0-9]{1,30}@[a-z0-9]{1,20}\\.(it|org|com)$"))]
    pub email_confirm: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20, pattern = "^([+]39)?3[0-9]{9}$"))]
    pub mobile: Option<String>,
    /// Only when the identity provider did not give it (CNS, some CIE): ISO date.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub date_of_birth: Option<String>,
    /// The SMS code sent to `mobile`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub otp: Option<String>,
    pub privacy_accepted: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20))]
    pub privacy_version: Option<String>,
    pub company: Option<IncaricoIn>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileIn {
    pub residence: Option<AddressIn>,
    /// "Uguale alla residenza"
    pub domicile_same: Option<bool>,
    pub domicile: Option<AddressIn>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = "^[a-z0-9]{1,30}@[a-z0-9]{1,20}\\.(it|org|com)$"))]
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = "^[a-z0-9]{1,30}@[a-z0-9]{1,20}\\.(it|org|com)$"))]
    pub email_confirm: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20, pattern = "^([+]39)?3[0-9]{9}$"))]
    pub mobile: Option<String>,
    /// The SMS code sent to a new `mobile`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub mobile_otp: Option<String>,
    /// The e-mail code sent to a new `email`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub email_otp: Option<String>,
}

macro_rules! contacts_of {
    ($t:ty) => {
        impl $t {
            /// The residence, domicile and contacts of the form.
            pub fn contacts(&self) -> ContactsIn {
                ContactsIn {
                    residence: self.residence.clone(),
                    domicile_same: self.domicile_same,
                    domicile: self.domicile.clone(),
                    email: self.email.clone(),
                    email_confirm: self.email_confirm.clone(),
                    mobile: self.mobile.clone(),
                }
            }
        }
    };
}
contacts_of!(RegistrationIn);
contacts_of!(ProfileIn);

fn text(v: &Option<String>) -> &str {
    v.as_deref().map(str::trim).unwrap_or("")
}

fn address(prefix: &str, what: &str, input: Option<&AddressIn>, places: &impl Places, f: &mut Fields) -> Option<Address> {
    let empty = AddressIn::default();
    let a = input.unwrap_or(&empty);
    let field = |name: &str| format!("{prefix}.{name}");
    let istat = text(&a.comune);
    let comune = if istat.is_empty() {
        f.add(field("comune"), "required", format!("Scegli il comune di {what} dall'elenco."));
        None
    } else {
        let found = (istat.len() == 6 && istat.bytes().all(|b| b.is_ascii_digit())).then(|| places.comune(istat)).flatten();
        if found.is_none() {
            f.add(field("comune"), "unknown_comune", format!("Il comune di {what} indicato non esiste: sceglilo dall'elenco."));
        }
        found
    };
    let cap_input = text(&a.cap);
    let cap = match &comune {
        Some(c) => f.check(&field("cap"), validation::cap_for_comune(cap_input, &c.caps, &c.name)),
        None => f.check(&field("cap"), validation::cap(cap_input)),
    };
    let line = text(&a.address);
    let line_ok = if line.is_empty() {
        f.add(field("address"), "required", format!("Inserisci l'indirizzo di {what} (via e numero civico)."));
        false
    } else if line.chars().count() > MAX_ADDRESS {
        f.add(field("address"), "too_long", format!("L'indirizzo è troppo lungo (al massimo {MAX_ADDRESS} caratteri)."));
        false
    } else if line.chars().any(char::is_control) {
        f.add(field("address"), "invalid_format", "L'indirizzo contiene caratteri non ammessi.");
        false
    } else {
        true
    };
    Some(Address { istat: comune?.istat, cap: cap?, address: line_ok.then(|| collapse_spaces(line))? })
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Residence, domicile, e-mail (twice) and mobile.
pub fn contacts(input: &ContactsIn, places: &impl Places, f: &mut Fields) -> Option<Contacts> {
    let residence = address("residence", "residenza", input.residence.as_ref(), places, f);
    let same = input.domicile_same.unwrap_or(false);
    let domicile = if same { None } else { address("domicile", "domicilio", input.domicile.as_ref(), places, f) };
    let email = f.check("email", validation::email(text(&input.email)));
    if let Some(e) = &email {
        f.check("email_confirm", validation::email_confirmation(e, text(&input.email_confirm)));
    }
    let mobile = f.check("mobile", validation::mobile_phone(text(&input.mobile)));
    let domicile_ok = same || domicile.is_some();
    let c = Contacts { residence: residence?, domicile, email: email?, mobile: mobile? };
    (domicile_ok && !f.has("email_confirm")).then_some(c)
}

/// The incarico block; `prefix` is `company.` in the registration form, empty in the
/// profile.
pub fn incarico(input: &IncaricoIn, prefix: &str, f: &mut Fields) -> Option<Incarico> {
    let field = |name: &str| format!("{prefix}{name}");
    let code = f.check(&field("code"), validation::company_lookup_code(text(&input.code)));
    let role = match text(&input.role) {
        "" => {
            f.add(field("role"), "required", "Scegli il ruolo che ricopri: rappresentante legale, delegato o altro.");
            None
        }
        r => match texts::role(r) {
            Some(role) => Some(role.code),
            None => {
                f.add(field("role"), "invalid_choice", "Il ruolo indicato non è tra quelli previsti: rappresentante legale, delegato o altro.");
                None
            }
        },
    };
    if input.declaration_accepted != Some(true) {
        f.add(
            field("declaration_accepted"),
            "required",
            "Per aggiungere l'incarico devi confermare di aver letto la dichiarazione di responsabilità.",
        );
    } else if input.declaration_version.as_deref().is_some_and(|v| v != texts::DECLARATION_VERSION) {
        f.add(field("declaration_version"), "outdated", "La dichiarazione di responsabilità è stata aggiornata: rileggila e conferma di nuovo.");
    }
    if f.has(&field("declaration_accepted")) || f.has(&field("declaration_version")) {
        return None;
    }
    Some(Incarico { code: code?, role: role? })
}

/// What the identity provider gave (from `people`).
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub fiscal_code: String,
    pub date_of_birth: Option<String>,
    pub place_of_birth: Option<String>,
    pub gender: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Birth {
    /// ISO date
    pub date: String,
    /// cadastral code
    pub place: String,
}

/// The identity provider's value, if usable.
fn idp(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Birth date and place: the identity provider's when it gave them (read-only in the
/// form), else typed (the date) or read from the codice fiscale (the place, which
/// the code holds); then checked against the codice fiscale. `today` is ISO.
pub fn birth(id: &Identity, typed_date: Option<&str>, today: &str, f: &mut Fields) -> Option<Birth> {
    let Some(parts) = validation::decode_fiscal_code(&id.fiscal_code) else {
        f.add("fiscal_code", "invalid_check_digit", "Il codice fiscale ricevuto dal gestore di identità non è valido: contatta l'assistenza.");
        return None;
    };
    let idp_date = idp(&id.date_of_birth);
    // SPID gives the cadastral code; anything else counts as not given
    let idp_place = idp(&id.place_of_birth).and_then(validation::cadastral_code);
    let date = match idp_date {
        Some(d) => d.to_string(),
        None => {
            let d = typed_date.map(str::trim).unwrap_or("");
            if d.is_empty() {
                f.add("date_of_birth", "required", "Inserisci la data di nascita.");
                return None;
            }
            if !is_iso_date(d) {
                f.add("date_of_birth", "invalid_format", "La data di nascita non è valida: scrivila come gg/mm/aaaa.");
                return None;
            }
            if d > today || d < "1900-01-01" {
                f.add("date_of_birth", "out_of_range", "La data di nascita non è plausibile: controllala.");
                return None;
            }
            d.to_string()
        }
    };
    let place = idp_place.clone().unwrap_or_else(|| parts.place.clone());
    let data = BirthData { date_of_birth: Some(&date), place_of_birth: Some(&place), gender: idp(&id.gender), ..Default::default() };
    let disagree = match validation::fiscal_code_disagreements(&id.fiscal_code, &data) {
        Ok(d) => d,
        Err(e) => {
            f.push(e.at("fiscal_code"));
            return None;
        }
    };
    for part in &disagree {
        let from_idp = match part {
            FiscalCodePart::DateOfBirth => idp_date.is_some(),
            FiscalCodePart::PlaceOfBirth => idp_place.is_some(),
            _ => true,
        };
        let mut e = part.error();
        if from_idp {
            e.message = format!(
                "{} Il dato arriva dal tuo gestore di identità digitale: chiedi a lui di correggerlo oppure contatta l'assistenza.",
                e.message
            );
        }
        f.push(e);
    }
    disagree.is_empty().then_some(Birth { date, place })
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !s.bytes().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()) {
        return false;
    }
    let (y, m, d) = (s[..4].parse::<i32>().unwrap_or(0), s[5..7].parse::<u8>().unwrap_or(0), s[8..].parse::<u8>().unwrap_or(0));
    time_ok(y, m, d)
}

fn time_ok(y: i32, m: u8, d: u8) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The birth date a codice fiscale suggests (its century guessed: not after `today`),
/// to prefill the form when the identity provider did not give one.
pub fn suggested_birth_date(fiscal_code: &str, today: &str) -> Option<String> {
    let p = validation::decode_fiscal_code(fiscal_code)?;
    let this_year: u16 = today.get(..4)?.parse().ok()?;
    let century = if u16::from(p.year) <= this_year % 100 { this_year - this_year % 100 } else { this_year - this_year % 100 - 100 };
    let d = format!("{:04}-{:02}-{:02}", century + u16::from(p.year), p.month, p.day);
    (d.as_str() <= today).then_some(d)
}

/// `kind`: `citizen` (default) or `company`.
pub fn kind(input: Option<&str>, f: &mut Fields) -> Option<&'static str> {
    match input.map(str::trim).unwrap_or("citizen") {
        "" | "citizen" => Some("citizen"),
        "company" => Some("company"),
        _ => {
            f.add("kind", "invalid_choice", "Il tipo di registrazione deve essere cittadino o azienda.");
            None
        }
    }
}

/// Privacy consent for the current notice.
pub fn privacy(accepted: Option<bool>, version: Option<&str>, f: &mut Fields) -> bool {
    if accepted != Some(true) {
        f.add("privacy_accepted", "required", "Per registrarti devi acconsentire al trattamento dei dati personali, dopo aver letto l'informativa.");
        return false;
    }
    if version.is_some_and(|v| v != texts::PRIVACY_VERSION) {
        f.add("privacy_version", "outdated", "L'informativa sul trattamento dei dati è stata aggiornata: rileggila e conferma di nuovo.");
        return false;
    }
    true
}

/// A mailbox shown partly hidden (`m***@example.org`), for a page that confirms where
/// a link was sent.
pub fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

/// The codice catastale of the place of birth: the identity provider's, or else the
/// one in the codice fiscale.
pub fn birth_place_code(place_of_birth: Option<&str>, fiscal_code: &str) -> Option<String> {
    place_of_birth.and_then(validation::cadastral_code).or_else(|| validation::decode_fiscal_code(fiscal_code).map(|d| d.place))
}

/// The address typed to correct a pending registration's e-mail (`None`: none typed,
/// keep the one on record); 422 when it or its confirmation is wrong.
pub fn corrected_email(email: Option<&str>, confirm: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(e) = email.map(str::trim).filter(|e| !e.is_empty()) else { return Ok(None) };
    let mut f = Fields::new();
    let email = f.check("email", validation::email(e));
    if let Some(email) = &email {
        f.check("email_confirm", validation::email_confirmation(email, confirm.unwrap_or("")));
    }
    f.into_result()?;
    Ok(Some(email.unwrap_or_default()))
}

/// The refusal of a registration form (or its codes) from someone already registered.
pub fn not_unregistered(account: Account) -> ApiError {
    match account {
        Account::Pending => ApiError::new(
            409,
            "already_registered",
            "Risulti già registrato: per completare la registrazione apri il collegamento di attivazione che ti abbiamo inviato per e-mail.",
        ),
        _ => ApiError::new(409, "already_registered", "Risulti già registrato a Toscana Lavoro: non è possibile registrarsi una seconda volta."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Map;
    impl Places for Map {
        fn comune(&self, istat: &str) -> Option<Comune> {
            let (name, province, caps): (&str, &str, &[&str]) = match istat {
                "048017" => ("Firenze", "FI", &["50121", "50122", "50123", "50145"]),
                "100005" => ("Prato", "PO", &["59100"]),
                _ => return None,
            };
            Some(Comune { istat: istat.into(), name: name.into(), province: province.into(), caps: caps.iter().map(|c| c.to_string()).collect() })
        }
    }

    fn codes(f: &Fields) -> Vec<(String, &'static str)> {
        f.errors().iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    fn ok_contacts() -> ContactsIn {
        serde_json::from_value(serde_json::json!({
            "residence": {"comune": "048017", "cap": "50122", "address": "  Via  Roma 1 "},
            "domicile_same": true,
            "email": "Mario.Rossi@Example.org", "email_confirm": "mario.rossi@example.org",
            "mobile": "347 123 4567"
        }))
        .unwrap()
    }

    #[test]
    fn valid_contacts_are_normalised() {
        let mut f = Fields::new();
        let c = contacts(&ok_contacts(), &Map, &mut f).unwrap();
        assert!(f.is_empty(), "{:?}", f.errors());
        assert_eq!(c.residence, Address { istat: "048017".into(), cap: "50122".into(), address: "Via Roma 1".into() });
        assert_eq!(c.domicile, None);
        assert_eq!(c.email, "Mario.Rossi@example.org");
        assert_eq!(c.mobile, "+393471234567");
    }

    #[test]
    fn every_contact_error_is_reported_per_field() {
        let input: ContactsIn = serde_json::from_value(serde_json::json!({
            "residence": {"comune": "999999", "cap": "5012", "address": ""},
            "domicile": {"comune": "100005", "cap": "50122", "address": "x".repeat(MAX_ADDRESS + 1)},
            "email": "mario@", "mobile": "055 123456"
        }))
        .unwrap();
        let mut f = Fields::new();
        assert!(contacts(&input, &Map, &mut f).is_none());
        assert_eq!(
            codes(&f),
            [
                ("residence.comune".to_string(), "unknown_comune"),
                ("residence.cap".to_string(), "invalid_format"),
                ("residence.address".to_string(), "required"),
                ("domicile.cap".to_string(), "cap_mismatch"),
                ("domicile.address".to_string(), "too_long"),
                ("email".to_string(), "invalid_format"),
                ("mobile".to_string(), "landline"),
            ]
        );
        assert!(f.errors()[3].message.contains("Prato"), "{}", f.errors()[3].message);
        // nothing at all
        let mut f = Fields::new();
        assert!(contacts(&ContactsIn::default(), &Map, &mut f).is_none());
        assert!(codes(&f).iter().all(|(_, c)| *c == "required"), "{:?}", codes(&f));
        assert_eq!(f.errors().len(), 8, "{:?}", codes(&f));
    }

    #[test]
    fn emails_must_match() {
        let mut input = ok_contacts();
        input.email_confirm = Some("mario.rossi@example.com".into());
        let mut f = Fields::new();
        assert!(contacts(&input, &Map, &mut f).is_none());
        assert_eq!(codes(&f), [("email_confirm".to_string(), "mismatch")]);
    }

    #[test]
    fn birth_data_from_the_idp_or_typed_and_checked_against_the_fiscal_code() {
        let today = "2026-06-01";
        let spid = Identity {
            fiscal_code: "RSSMRA85C14D612R".into(),
            date_of_birth: Some("1985-03-14".into()),
            place_of_birth: Some("D612".into()),
            gender: Some("M".into()),
        };
        let mut f = Fields::new();
        assert_eq!(birth(&spid, Some("2000-01-01"), today, &mut f), Some(Birth { date: "1985-03-14".into(), place: "D612".into() }), "typed values are ignored");
        // CNS: nothing but the code; the place is read from it, the date typed
        let cns = Identity { fiscal_code: "RSSMRA85C14D612R".into(), ..Default::default() };
        let mut f = Fields::new();
        assert_eq!(birth(&cns, Some("1985-03-14"), today, &mut f).map(|b| b.place), Some("D612".into()));
        for (typed, code) in [(None, "required"), (Some("14/03/1985"), "invalid_format"), (Some("1985-02-30"), "invalid_format"), (Some("2085-03-14"), "out_of_range"), (Some("1986-03-14"), "fiscal_code_mismatch")] {
            let mut f = Fields::new();
            assert!(birth(&cns, typed, today, &mut f).is_none(), "{typed:?}");
            assert_eq!(codes(&f), [("date_of_birth".to_string(), code)], "{typed:?}");
        }
        // inconsistent data from the IdP: refused, and the message says whom to ask
        let wrong = Identity { place_of_birth: Some("G999".into()), ..spid.clone() };
        let mut f = Fields::new();
        assert!(birth(&wrong, None, today, &mut f).is_none());
        assert_eq!(codes(&f), [("place_of_birth".to_string(), "fiscal_code_mismatch")]);
        assert!(f.errors()[0].message.contains("gestore di identità"));
        // a place that is not a cadastral code counts as not given: read from the code
        let named = Identity { place_of_birth: Some("Firenze".into()), ..spid.clone() };
        let mut f = Fields::new();
        assert_eq!(birth(&named, None, today, &mut f).map(|b| b.place), Some("D612".into()));
        let lower = Identity { place_of_birth: Some(" d612 ".into()), ..spid.clone() };
        assert!(birth(&lower, None, today, &mut Fields::new()).is_some());
        // omocodia: the letters stand for digits (D61N = D612)
        let omocodia = Identity { fiscal_code: "RSSMRA85C14D61NG".into(), ..Default::default() };
        let mut f = Fields::new();
        assert_eq!(birth(&omocodia, Some("1985-03-14"), today, &mut f).map(|b| b.place), Some("D612".into()), "{:?}", f.errors());
    }

    #[test]
    fn suggested_dates_guess_the_century() {
        assert_eq!(suggested_birth_date("RSSMRA85C14D612R", "2026-06-01").as_deref(), Some("1985-03-14"));
        assert_eq!(suggested_birth_date("CNTLNZ01B28G702J", "2026-06-01").as_deref(), Some("2001-02-28"));
        assert_eq!(suggested_birth_date("nonsense", "2026-06-01"), None);
    }

    #[test]
    fn incarichi() {
        let ok: IncaricoIn = serde_json::from_value(serde_json::json!({"code": "IT 01234560017", "role": "delegato", "declaration_accepted": true})).unwrap();
        let mut f = Fields::new();
        let i = incarico(&ok, "company.", &mut f).unwrap();
        assert_eq!((i.code.as_str(), i.role), ("01234560017", "delegato"));
        let mut wrong = ok.clone();
        wrong.code = Some("01234560018".into());
        let mut f = Fields::new();
        assert!(incarico(&wrong, "company.", &mut f).is_none());
        assert_eq!(codes(&f), [("company.code".to_string(), "invalid_check_digit")]);
        let bad: IncaricoIn = serde_json::from_value(serde_json::json!({"code": "123", "role": "capo"})).unwrap();
        let mut f = Fields::new();
        assert!(incarico(&bad, "", &mut f).is_none());
        assert_eq!(
            codes(&f),
            [("code".to_string(), "invalid_length"), ("role".to_string(), "invalid_choice"), ("declaration_accepted".to_string(), "required")]
        );
        let old: IncaricoIn = serde_json::from_value(serde_json::json!({"code": "x", "role": "altro", "declaration_accepted": true, "declaration_version": "1999"})).unwrap();
        let mut f = Fields::new();
        assert!(incarico(&old, "", &mut f).is_none());
        assert!(codes(&f).contains(&("declaration_version".to_string(), "outdated")));
    }

    #[test]
    fn kind_privacy_and_masking() {
        let mut f = Fields::new();
        assert_eq!(kind(None, &mut f), Some("citizen"));
        assert_eq!(kind(Some("company"), &mut f), Some("company"));
        assert_eq!(kind(Some("bank"), &mut f), None);
        assert!(privacy(Some(true), Some(texts::PRIVACY_VERSION), &mut f));
        assert!(privacy(Some(true), None, &mut f));
        assert!(!privacy(Some(false), None, &mut f));
        assert!(!privacy(Some(true), Some("2001-01"), &mut f));
        assert_eq!(
            codes(&f),
            [("kind".to_string(), "invalid_choice"), ("privacy_accepted".to_string(), "required"), ("privacy_version".to_string(), "outdated")]
        );
        assert_eq!(masked_email("mario.rossi@example.org"), "m***@example.org");
    }

    #[test]
    fn birth_place_from_identity_or_fiscal_code() {
        assert_eq!(birth_place_code(Some("H501"), "RSSMRA80A01F205X").as_deref(), Some("H501"));
        assert_eq!(birth_place_code(None, "RSSMRA80A01F205X").as_deref(), Some("F205"));
        assert_eq!(birth_place_code(None, "nonsense"), None);
    }

    #[test]
    fn corrected_addresses() {
        assert_eq!(corrected_email(None, None), Ok(None));
        assert_eq!(corrected_email(Some("  "), None), Ok(None));
        assert_eq!(corrected_email(Some("a@example.org"), Some("a@example.org")), Ok(Some("a@example.org".into())));
        let e = corrected_email(Some("a@example.org"), Some("b@example.org")).unwrap_err();
        assert_eq!(e.status, 422);
        assert_eq!(corrected_email(Some("not an address"), None).unwrap_err().status, 422);
    }

    #[test]
    fn already_registered() {
        assert_eq!(not_unregistered(Account::Pending).status, 409);
        assert!(not_unregistered(Account::Pending).message.contains("attivazione"));
        assert_eq!(not_unregistered(Account::Active).code, "already_registered");
    }
}
