//! An offer's terms for candidates: whether it takes applications online ("Compila
//! candidatura") and the requirements a candidate declares to hold, read from the offer
//! tables (`offers`, and `offer_terms`, `offer_requirements` of the back office), so the
//! public offer page and the application form say the same.
//!
//! Requirements are those the offer itself states (qualifica, required experience,
//! partita IVA, own transport, collocamento mirato), then the ones the operator added.
//! Offers without back-office terms (the demo data) take applications online when their
//! type is a preselection.

pub mod search;

use common::sql::Db;
use common::{ApiError, params};
use serde::Serialize;

/// How applications are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Mode {
    /// "Compila candidatura" in the portal, with the CPI's preselection.
    Online,
    /// Only as the offer's "how to apply" says (e.g. public administrations' notices).
    Text,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "online" => Some(Self::Online),
            "text" => Some(Self::Text),
            _ => None,
        }
    }

    /// The mode of an offer of `offer_type` without back-office terms.
    pub fn default_for(offer_type: &str) -> Self {
        if offer_type == "pubbliche-amministrazioni" { Self::Text } else { Self::Online }
    }
}

/// What a candidate sees of an offer before applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Terms {
    pub offer_id: i64,
    pub code: String,
    pub mode: Mode,
    pub requirements: Vec<String>,
    /// Published, and its deadline (an Italian calendar day) not passed on `today`.
    pub open: bool,
    pub cpi_code: String,
    pub company_id: Option<i64>,
}

/// The requirements stated by the offer's own fields, in the order of the offer page.
pub fn stated(occupation: &str, experience_required: bool, experience_description: Option<&str>, vat: bool, transport: bool, targeted: bool) -> Vec<String> {
    let mut out = vec![format!("Qualifica professionale: {}", occupation.trim())];
    if experience_required {
        match experience_description.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => out.push(format!("Esperienza richiesta: {d}")),
            None => out.push("Esperienza richiesta nella qualifica".to_string()),
        }
    }
    if vat {
        out.push("Possesso della partita IVA".to_string());
    }
    if transport {
        out.push("Disponibilità di mezzi di trasporto propri".to_string());
    }
    if targeted {
        out.push("Appartenenza alle categorie del collocamento mirato (L. 68/1999)".to_string());
    }
    out
}

/// The terms of the offer with this code (`None`: no such offer), on the Italian day `today`.
pub fn of_code(db: &dyn Db, code: &str, today: &str) -> Result<Option<Terms>, ApiError> {
    let rows = db.execute(
        "SELECT o.id, o.code, o.offer_type, o.occupation, o.experience_required, o.experience_description, o.vat_number_required,
                o.own_transport_required, o.targeted_placement, o.status, o.deadline, o.cpi_code, t.application_mode, t.company_id
           FROM offers o LEFT JOIN offer_terms t ON t.offer_id = o.id WHERE o.code = ?1",
        params![code],
    )?;
    let Some(r) = rows.first() else { return Ok(None) };
    let id = r.int("id")?;
    let mode = r.get::<&str>("application_mode").and_then(Mode::parse).unwrap_or_else(|| Mode::default_for(r.get::<&str>("offer_type").unwrap_or("")));
    let mut requirements = stated(
        r.str("occupation")?,
        r.flag("experience_required")?,
        r.get::<&str>("experience_description"),
        r.flag("vat_number_required")?,
        r.flag("own_transport_required")?,
        r.flag("targeted_placement")?,
    );
    let extra = db.execute("SELECT text FROM offer_requirements WHERE offer_id = ?1 ORDER BY position", params![id])?;
    requirements.extend(extra.map(|x| x.text("text"))?);
    Ok(Some(Terms {
        offer_id: id,
        code: r.text("code")?,
        mode,
        requirements,
        open: r.str("status")? == "published" && r.str("deadline")? >= today,
        cpi_code: r.text("cpi_code")?,
        company_id: r.opt_int("company_id"),
    }))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use common::sql::testing;

    use super::*;

    #[test]
    fn requirements_follow_the_offer_and_the_operator() {
        assert_eq!(stated("cuoco ", false, None, false, false, false), ["Qualifica professionale: cuoco"]);
        let all = stated("cuoco", true, Some(" 2 anni in ristorante "), true, true, true);
        assert_eq!(all.len(), 5);
        assert_eq!(all[1], "Esperienza richiesta: 2 anni in ristorante");
        let c = testing::with_reference();
        testing::run(&c, &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/offers.sql")).unwrap());
        let t = of_code(&c, "PO-9000001", "2026-11-30").unwrap().unwrap();
        assert_eq!((t.mode, t.open, t.requirements.len()), (Mode::Online, true, 3), "{t:?}");
        let pa = of_code(&c, "GR-9000003", "2026-11-30").unwrap().unwrap();
        assert_eq!(pa.mode, Mode::Text, "public administrations: as the notice says");
        assert!(!of_code(&c, "PI-9000004", "2026-11-30").unwrap().unwrap().open, "expired");
        assert!(!of_code(&c, "LU-9000006", "2026-11-30").unwrap().unwrap().open, "closed");
        assert!(of_code(&c, "XX-1", "2026-11-30").unwrap().is_none());
    }
}
