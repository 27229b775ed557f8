//! O1: an offer as an operator writes it ([`OfferIn`], also what a draft keeps), its
//! checks ([`check`]: 422 per field, against the reference tables) and its writes to the
//! public offer tables (`offers`, `offer_locations`, whose FTS index follows by
//! trigger) and the back office's (`offer_terms`, `offer_requirements`).

use common::sql::{Db, Value};
use common::validation::Fields;
use common::{ApiError, params};
use serde::{Deserialize, Serialize};
use vacancy::Mode;

pub const MAX_LOCATIONS: usize = 10;
pub const MAX_REQUIREMENTS: usize = 20;
pub const MAX_REQUIREMENT_LEN: usize = 300;
pub const MAX_TEXT: usize = 4000;
/// Days ahead a deadline may lie.
pub const MAX_DEADLINE_DAYS: i64 = 366;

/// The offer form: every field the public offer shows, the company, the deadline, how
/// applications are made and the requirements a candidate declares. Every field is
/// optional so that a draft can be saved half written; [`check`] requires them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
// also what a draft answers, kept as written: its schema states no limit the check adds
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OperatorOfferForm))]
pub struct OfferIn {
    pub offer_type: Option<String>,
    pub contract_type: Option<String>,
    /// Qualifica professionale
    pub occupation: Option<String>,
    pub occupation_istat: Option<String>,
    /// Descrizione estesa della qualifica
    pub description: Option<String>,
    pub experience_required: Option<bool>,
    pub experience_description: Option<String>,
    pub experience_months: Option<i64>,
    /// Numero posti disponibili
    pub places: Option<i64>,
    /// FULL TIME | PART TIME
    pub work_mode: Option<String>,
    pub how_to_apply: Option<String>,
    pub vat_number_required: Option<bool>,
    pub own_transport_required: Option<bool>,
    pub travel_availability: Option<bool>,
    pub targeted_placement: Option<bool>,
    /// ISTAT codes of the comuni of the work locations, in order.
    pub locations: Option<Vec<String>>,
    /// `YYYY-MM-DD`, the last day to apply
    pub deadline: Option<String>,
    pub company_id: Option<i64>,
    /// `online` | `text`
    pub application_mode: Option<String>,
    /// Further requirements the candidate declares, besides those of the fields above.
    pub requirements: Option<Vec<String>>,
}

/// A work location, with the province and region copied for the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub istat: String,
    pub province_code: String,
    pub region_code: String,
}

/// A checked offer, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub offer_type: String,
    pub contract_type: String,
    pub occupation: String,
    pub occupation_istat: Option<String>,
    pub description: String,
    pub experience_required: bool,
    pub experience_description: Option<String>,
    pub experience_months: Option<i64>,
    pub places: i64,
    pub work_mode: Option<String>,
    pub how_to_apply: String,
    pub vat_number_required: bool,
    pub own_transport_required: bool,
    pub travel_availability: bool,
    pub targeted_placement: bool,
    pub locations: Vec<Location>,
    pub deadline: String,
    pub company_id: Option<i64>,
    pub mode: Mode,
    pub requirements: Vec<String>,
}

fn text(v: &Option<String>) -> String {
    v.as_deref().map(str::trim).unwrap_or("").to_string()
}

fn exists(db: &dyn Db, table: &str, code: &str) -> Result<bool, ApiError> {
    Ok(!db.execute(&format!("SELECT 1 AS x FROM {table} WHERE code = ?1"), params![code])?.is_empty())
}

/// Checks the form on the Italian day `today`: 422 `invalid_fields` with every problem.
pub fn check(db: &dyn Db, o: &OfferIn, today: &str) -> Result<Offer, ApiError> {
    let mut f = Fields::new();
    let required = |f: &mut Fields, field: &str, value: &str, what: &str| {
        if value.is_empty() {
            f.add(field, "required", format!("Indica {what}."));
        }
    };
    let long = |f: &mut Fields, field: &str, value: &str, max: usize| {
        if value.chars().count() > max {
            f.add(field, "too_long", format!("Il testo può contenere al massimo {max} caratteri."));
        }
    };
    let offer_type = text(&o.offer_type);
    required(&mut f, "offer_type", &offer_type, "il tipo di offerta");
    if !offer_type.is_empty() && !exists(db, "offer_types", &offer_type)? {
        f.add("offer_type", "invalid_choice", "Il tipo di offerta scelto non esiste.");
    }
    let contract_type = text(&o.contract_type);
    required(&mut f, "contract_type", &contract_type, "la tipologia contrattuale");
    if !contract_type.is_empty() && !exists(db, "contract_types", &contract_type)? {
        f.add("contract_type", "invalid_choice", "La tipologia contrattuale scelta non esiste.");
    }
    let occupation = text(&o.occupation);
    required(&mut f, "occupation", &occupation, "la qualifica professionale");
    long(&mut f, "occupation", &occupation, 200);
    let description = text(&o.description);
    required(&mut f, "description", &description, "la descrizione estesa della qualifica");
    long(&mut f, "description", &description, MAX_TEXT);
    let how_to_apply = text(&o.how_to_apply);
    required(&mut f, "how_to_apply", &how_to_apply, "come presentare la candidatura");
    long(&mut f, "how_to_apply", &how_to_apply, MAX_TEXT);
    let experience_required = o.experience_required.unwrap_or(false);
    let experience_description = Some(text(&o.experience_description)).filter(|d| !d.is_empty());
    long(&mut f, "experience_description", experience_description.as_deref().unwrap_or(""), MAX_TEXT);
    if experience_required && experience_description.is_none() {
        f.add("experience_description", "required", "Descrivi l'esperienza richiesta.");
    }
    if o.experience_months.is_some_and(|m| !(1..=600).contains(&m)) {
        f.add("experience_months", "out_of_range", "La durata dell'esperienza va da 1 a 600 mesi.");
    }
    let places = o.places.unwrap_or(0);
    if !(1..=999).contains(&places) {
        f.add("places", "out_of_range", "Il numero di posti va da 1 a 999.");
    }
    let work_mode = Some(text(&o.work_mode).to_uppercase()).filter(|w| !w.is_empty());
    if work_mode.as_deref().is_some_and(|w| w != "FULL TIME" && w != "PART TIME") {
        f.add("work_mode", "invalid_choice", "La modalità di lavoro è FULL TIME o PART TIME.");
    }
    let occupation_istat = Some(text(&o.occupation_istat)).filter(|c| !c.is_empty());
    if occupation_istat.as_deref().is_some_and(|c| c.len() > 20 || !c.chars().all(|ch| ch.is_ascii_digit() || ch == '.')) {
        f.add("occupation_istat", "invalid_format", "Il codice ISTAT della professione è fatto di cifre e punti, per esempio 5.2.2.1.0.");
    }
    // locations: comuni that exist, without repetitions
    let mut locations = Vec::new();
    let codes = o.locations.clone().unwrap_or_default();
    if codes.is_empty() {
        f.add("locations", "required", "Indica almeno una sede di lavoro.");
    } else if codes.len() > MAX_LOCATIONS {
        f.add("locations", "too_many", format!("Indica al massimo {MAX_LOCATIONS} sedi di lavoro."));
    }
    for (i, code) in codes.iter().take(MAX_LOCATIONS).enumerate() {
        let rows = db.execute(
            "SELECT c.istat, c.province_code, p.region_code FROM comuni c JOIN provinces p ON p.code = c.province_code WHERE c.istat = ?1",
            params![code.trim()],
        )?;
        match rows.first() {
            Some(r) if !locations.iter().any(|l: &Location| l.istat == code.trim()) => {
                locations.push(Location { istat: r.text("istat")?, province_code: r.text("province_code")?, region_code: r.text("region_code")? })
            }
            Some(_) => f.add(format!("locations.{i}"), "duplicate", "Questa sede è già indicata."),
            None => f.add(format!("locations.{i}"), "not_found", "Scegli il comune dall'elenco."),
        }
    }
    let deadline = text(&o.deadline);
    match time::Date::parse(&deadline, time::macros::format_description!("[year]-[month]-[day]")) {
        Err(_) if deadline.is_empty() => f.add("deadline", "required", "Indica la scadenza dell'offerta."),
        Err(_) => f.add("deadline", "invalid_format", "La scadenza è una data nel formato AAAA-MM-GG."),
        Ok(d) => {
            let today_d = time::Date::parse(today, time::macros::format_description!("[year]-[month]-[day]")).map_err(ApiError::internal)?;
            if d < today_d {
                f.add("deadline", "in_the_past", "La scadenza non può essere già passata.");
            } else if (d - today_d).whole_days() > MAX_DEADLINE_DAYS {
                f.add("deadline", "too_far", "La scadenza può essere al massimo fra un anno.");
            }
        }
    }
    if let Some(id) = o.company_id {
        let rows = db.execute("SELECT ceased_on FROM companies WHERE id = ?1", params![id])?;
        match rows.first() {
            None => f.add("company_id", "not_found", "L'azienda indicata non è nel registro."),
            Some(r) if r.opt_text("ceased_on").is_some() => f.add("company_id", "company_ceased", "L'azienda indicata risulta cessata."),
            Some(_) => {}
        }
    }
    let mode = match o.application_mode.as_deref().map(str::trim) {
        None | Some("") => Mode::default_for(&offer_type),
        Some(m) => Mode::parse(m).unwrap_or_else(|| {
            f.add("application_mode", "invalid_choice", "Le candidature sono online (online) o secondo le indicazioni dell'offerta (text).");
            Mode::Text
        }),
    };
    let requirements: Vec<String> = o.requirements.clone().unwrap_or_default().iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    if requirements.len() > MAX_REQUIREMENTS {
        f.add("requirements", "too_many", format!("Indica al massimo {MAX_REQUIREMENTS} requisiti."));
    }
    for (i, r) in requirements.iter().enumerate() {
        if r.chars().count() > MAX_REQUIREMENT_LEN {
            f.add(format!("requirements.{i}"), "too_long", format!("Un requisito può contenere al massimo {MAX_REQUIREMENT_LEN} caratteri."));
        }
    }
    f.into_result()?;
    Ok(Offer {
        offer_type,
        contract_type,
        occupation,
        occupation_istat,
        description,
        experience_required,
        experience_description,
        experience_months: o.experience_months,
        places,
        work_mode,
        how_to_apply,
        vat_number_required: o.vat_number_required.unwrap_or(false),
        own_transport_required: o.own_transport_required.unwrap_or(false),
        travel_availability: o.travel_availability.unwrap_or(false),
        targeted_placement: o.targeted_placement.unwrap_or(false),
        locations,
        deadline,
        company_id: o.company_id,
        mode,
        requirements,
    })
}

/// The columns of `offers` an operator sets, in order, and their values.
fn columns(o: &Offer) -> (&'static str, Vec<Value>) {
    (
        "offer_type, contract_type, occupation, occupation_istat, description, experience_required, experience_description, experience_months, \
         places, work_mode, how_to_apply, vat_number_required, own_transport_required, travel_availability, targeted_placement, deadline",
        vec![
            o.offer_type.clone().into(),
            o.contract_type.clone().into(),
            o.occupation.clone().into(),
            o.occupation_istat.clone().into(),
            o.description.clone().into(),
            o.experience_required.into(),
            o.experience_description.clone().into(),
            o.experience_months.into(),
            o.places.into(),
            o.work_mode.clone().into(),
            o.how_to_apply.clone().into(),
            o.vat_number_required.into(),
            o.own_transport_required.into(),
            o.travel_availability.into(),
            o.targeted_placement.into(),
            o.deadline.clone().into(),
        ],
    )
}

fn write_parts(db: &dyn Db, id: i64, o: &Offer) -> Result<(), ApiError> {
    db.execute("DELETE FROM offer_locations WHERE offer_id = ?1", params![id])?;
    for (i, l) in o.locations.iter().enumerate() {
        db.execute(
            "INSERT INTO offer_locations (offer_id, position, comune_istat, province_code, region_code) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, i as i64, l.istat.as_str(), l.province_code.as_str(), l.region_code.as_str()],
        )?;
    }
    db.execute("DELETE FROM offer_requirements WHERE offer_id = ?1", params![id])?;
    for (i, r) in o.requirements.iter().enumerate() {
        db.execute("INSERT INTO offer_requirements (offer_id, position, text) VALUES (?1, ?2, ?3)", params![id, i as i64, r.as_str()])?;
    }
    // the search index's facets follow the locations by trigger (0003_offers.sql)
    Ok(())
}

/// Publishes `o` for `cpi_code` on `today`, in the caller's transaction: a new code
/// (the CPI's prefix and the next number), the offer, its locations, terms and
/// requirements. Returns `(id, code)`.
pub fn publish(db: &dyn Db, cpi_code: &str, o: &Offer, person_id: i64, today: &str, now: i64) -> Result<(i64, String), ApiError> {
    let prefix = db.execute("SELECT offer_prefix FROM cpis WHERE code = ?1", params![cpi_code])?.first().map(|r| r.text("offer_prefix")).transpose()?.ok_or_else(|| ApiError::internal(format!("cpi {cpi_code} missing")))?;
    let next = db
        .execute(
            "SELECT coalesce(max(CAST(substr(code, length(?1) + 2) AS INTEGER)), 0) + 1 AS n FROM offers WHERE code LIKE ?1 || '-%'",
            params![prefix.as_str()],
        )?
        .scalar("n")?;
    let code = format!("{prefix}-{next}");
    let (cols, mut values) = columns(o);
    values.extend([code.clone().into(), cpi_code.into(), today.into()]);
    let marks: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
    let id = db
        .execute(&format!("INSERT INTO offers ({cols}, code, cpi_code, published_at, status) VALUES ({}, 'published') RETURNING id", marks.join(", ")), &values)?
        .scalar("id")?;
    db.execute(
        "INSERT INTO offer_terms (offer_id, company_id, application_mode, created_by, created_at, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)",
        params![id, o.company_id, o.mode.as_str(), person_id, now],
    )?;
    write_parts(db, id, o)?;
    Ok((id, code))
}

/// Replaces a published offer's content with `o` (code, CPI and publication date stay).
pub fn update(db: &dyn Db, id: i64, o: &Offer, person_id: i64, now: i64) -> Result<(), ApiError> {
    let (cols, mut values) = columns(o);
    let sets: Vec<String> = cols.split(',').map(str::trim).enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
    values.push(id.into());
    db.execute(&format!("UPDATE offers SET {} WHERE id = ?{}", sets.join(", "), values.len()), &values)?;
    db.execute(
        "INSERT INTO offer_terms (offer_id, company_id, application_mode, created_by, created_at, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)
         ON CONFLICT (offer_id) DO UPDATE SET company_id = excluded.company_id, application_mode = excluded.application_mode,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![id, o.company_id, o.mode.as_str(), person_id, now],
    )?;
    write_parts(db, id, o)
}

/// The form `o` comes to once written: what [`form_of`] reads back after [`publish`]
/// or [`update`] (trimmed, normalised, defaults filled), so an edit can be compared with
/// the offer as it is.
pub fn stored_form(o: &Offer) -> OfferIn {
    OfferIn {
        offer_type: Some(o.offer_type.clone()),
        contract_type: Some(o.contract_type.clone()),
        occupation: Some(o.occupation.clone()),
        occupation_istat: o.occupation_istat.clone(),
        description: Some(o.description.clone()),
        experience_required: Some(o.experience_required),
        experience_description: o.experience_description.clone(),
        experience_months: o.experience_months,
        places: Some(o.places),
        work_mode: o.work_mode.clone(),
        how_to_apply: Some(o.how_to_apply.clone()),
        vat_number_required: Some(o.vat_number_required),
        own_transport_required: Some(o.own_transport_required),
        travel_availability: Some(o.travel_availability),
        targeted_placement: Some(o.targeted_placement),
        locations: Some(o.locations.iter().map(|l| l.istat.clone()).collect()),
        deadline: Some(o.deadline.clone()),
        company_id: o.company_id,
        application_mode: Some(o.mode.as_str().to_string()),
        requirements: Some(o.requirements.clone()),
    }
}

/// The form of a published offer, as the operator edits it again.
pub fn form_of(db: &dyn Db, id: i64) -> Result<OfferIn, ApiError> {
    let rows = db.execute(
        "SELECT o.*, t.company_id, t.application_mode FROM offers o LEFT JOIN offer_terms t ON t.offer_id = o.id WHERE o.id = ?1",
        params![id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("offer {id} vanished")))?;
    let locations = db.execute("SELECT comune_istat FROM offer_locations WHERE offer_id = ?1 ORDER BY position", params![id])?.map(|l| l.text("comune_istat"))?;
    let requirements = db.execute("SELECT text FROM offer_requirements WHERE offer_id = ?1 ORDER BY position", params![id])?.map(|q| q.text("text"))?;
    let offer_type = r.text("offer_type")?;
    Ok(OfferIn {
        application_mode: Some(r.get::<&str>("application_mode").unwrap_or(Mode::default_for(&offer_type).as_str()).to_string()),
        offer_type: Some(offer_type),
        contract_type: Some(r.text("contract_type")?),
        occupation: Some(r.text("occupation")?),
        occupation_istat: r.opt_text("occupation_istat"),
        description: Some(r.text("description")?),
        experience_required: Some(r.flag("experience_required")?),
        experience_description: r.opt_text("experience_description"),
        experience_months: r.opt_int("experience_months"),
        places: Some(r.int("places")?),
        work_mode: r.opt_text("work_mode"),
        how_to_apply: Some(r.text("how_to_apply")?),
        vat_number_required: Some(r.flag("vat_number_required")?),
        own_transport_required: Some(r.flag("own_transport_required")?),
        travel_availability: Some(r.flag("travel_availability")?),
        targeted_placement: Some(r.flag("targeted_placement")?),
        locations: Some(locations),
        deadline: Some(r.text("deadline")?),
        company_id: r.opt_int("company_id"),
        requirements: Some(requirements),
    })
}
