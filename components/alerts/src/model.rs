//! The plain logic of saved searches: filters ↔ query string, names and frequencies,
//! the alert periods on the Italian calendar, the e-mail's lines and headers.

use std::collections::BTreeMap;

use common::validation::FieldError;
use common::{ApiError, Query};
use serde::{Deserialize, Serialize};

/// The filters of the offer search (P2), by name, in the order of the query string.
pub const FILTER_NAMES: [&str; 9] = ["q", "offer_type", "contract_type", "region", "province", "comune", "area", "cpi", "code"];

/// The P2 filters of a saved search: absent, or the value as typed (validated by
/// `vacancy::search` before it is saved).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SavedSearchFilters))]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comune: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Filters {
    fn fields(&self) -> [&Option<String>; 9] {
        [&self.q, &self.offer_type, &self.contract_type, &self.region, &self.province, &self.comune, &self.area, &self.cpi, &self.code]
    }

    /// The canonical query string: filters in a fixed order, trimmed, empty ones left
    /// out (`q=cuoco&province=048`), as `GET /api/offers` and `/cittadino/offerte/` take it.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in FILTER_NAMES.iter().zip(self.fields()) {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                out.append_pair(name, v);
            }
        }
        out.finish()
    }

    /// The filters of a stored query string.
    pub fn from_query_string(query: &str) -> Result<Self, ApiError> {
        let q = Query::parse(query)?;
        let get = |name: &str| q.get(name).map(str::to_string);
        Ok(Self {
            q: get("q"),
            offer_type: get("offer_type"),
            contract_type: get("contract_type"),
            region: get("region"),
            province: get("province"),
            comune: get("comune"),
            area: get("area"),
            cpi: get("cpi"),
            code: get("code"),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AlertFrequency))]
pub enum Frequency {
    Daily,
    Weekly,
    None,
}

impl Frequency {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "daily" => Some(Self::Daily),
            "weekly" => Some(Self::Weekly),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::None => "none",
        }
    }

    /// For the e-mail: `avviso giornaliero`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Daily => "avviso giornaliero",
            Self::Weekly => "avviso settimanale",
            Self::None => "avvisi interrotti",
        }
    }
}

/// When a search alerted (or saved) at `at` is due again: daily, at the start of the
/// next Italian day; weekly, at the start of the Italian day a week later; never
/// without alerts. So a search is alerted at most once per Italian day or per 7 days.
pub fn next_alert(frequency: Frequency, at: i64) -> Option<i64> {
    let (day, _) = common::rome::local(at);
    let days = match frequency {
        Frequency::Daily => 1,
        Frequency::Weekly => 7,
        Frequency::None => return None,
    };
    Some(common::rome::day_start(day + time::Duration::days(days)))
}

/// The name and frequency of a request, each when given: 422 `invalid_fields` naming
/// the bad ones.
pub fn check_fields(name: Option<&str>, frequency: Option<&str>) -> Result<(Option<String>, Option<Frequency>), ApiError> {
    let mut errors = Vec::new();
    let name = name.map(str::trim).map(str::to_string);
    if let Some(n) = &name {
        if n.is_empty() {
            errors.push(FieldError { field: "name".into(), code: "required", message: "Dai un nome alla ricerca.".into() });
        } else if n.chars().count() > crate::MAX_NAME {
            errors.push(FieldError {
                field: "name".into(),
                code: "too_long",
                message: format!("Il nome della ricerca può contenere al massimo {} caratteri.", crate::MAX_NAME),
            });
        } else if n.chars().any(char::is_control) {
            errors.push(FieldError { field: "name".into(), code: "invalid", message: "Il nome della ricerca contiene caratteri non ammessi.".into() });
        }
    }
    let frequency = match frequency {
        None => None,
        Some(f) => match Frequency::parse(f) {
            Some(f) => Some(f),
            None => {
                errors.push(FieldError {
                    field: "frequency".into(),
                    code: "invalid",
                    message: "Scegli la frequenza degli avvisi: giornaliera, settimanale o nessun avviso.".into(),
                });
                None
            }
        },
    };
    if errors.is_empty() { Ok((name, frequency)) } else { Err(ApiError::invalid_fields(errors)) }
}

/// An unsubscribe token as [`common::token::random_token`] makes it: 64 hex digits.
pub fn token_is_plausible(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One offer of an alert: `FI-23515 Cuoco – https://…/offerte/FI-23515`.
pub fn offer_line(code: &str, occupation: &str, base: &str) -> String {
    let occupation: String = occupation.chars().filter(|c| !c.is_control()).take(60).collect();
    format!("{code} {occupation} – {base}/offerte/{code}")
}

/// RFC 8058 one-click unsubscribe headers for `link` (https).
pub fn unsubscribe_headers(link: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("List-Unsubscribe".to_string(), format!("<{link}>")),
        ("List-Unsubscribe-Post".to_string(), "List-Unsubscribe=One-Click".to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_a_canonical_query_string() {
        let f = Filters { q: Some(" cuoco di linea ".into()), province: Some("048".into()), cpi: Some("".into()), ..Filters::default() };
        assert_eq!(f.to_query_string(), "q=cuoco+di+linea&province=048");
        let back = Filters::from_query_string(&f.to_query_string()).unwrap();
        assert_eq!(back, Filters { q: Some("cuoco di linea".into()), province: Some("048".into()), ..Filters::default() });
        assert_eq!(Filters::default().to_query_string(), "");
        let all = Filters::from_query_string("code=FI-1&cpi=prato&area=x&comune=048017&province=048&region=09&contract_type=a&offer_type=b&q=c").unwrap();
        assert_eq!(all.to_query_string(), "q=c&offer_type=b&contract_type=a&region=09&province=048&comune=048017&area=x&cpi=prato&code=FI-1");
    }

    #[test]
    fn periods_follow_the_italian_calendar() {
        // Monday 7 December 2026, 10:00 in Rome (UTC+1)
        let t = 1_796_634_000;
        let tomorrow = next_alert(Frequency::Daily, t).unwrap();
        assert_eq!(common::rome::day_at(tomorrow), "2026-12-08");
        assert_eq!(common::rome::day_at(tomorrow - 1), "2026-12-07");
        assert_eq!(next_alert(Frequency::Daily, tomorrow - 1), Some(tomorrow), "23:59 is still the same day");
        let week = next_alert(Frequency::Weekly, t).unwrap();
        assert_eq!(common::rome::day_at(week), "2026-12-14");
        assert_eq!(next_alert(Frequency::None, t), None);
        // across the change to summer time (29 March 2026): a day of 23 hours
        let saturday = 1_774_692_000; // 28 March 2026 11:00 in Rome
        assert_eq!(common::rome::day_at(next_alert(Frequency::Daily, saturday).unwrap()), "2026-03-29");
        let sunday_start = next_alert(Frequency::Daily, saturday).unwrap();
        assert_eq!(next_alert(Frequency::Daily, sunday_start).unwrap() - sunday_start, 23 * 3600);
    }

    #[test]
    fn names_and_frequencies_are_checked() {
        assert_eq!(check_fields(Some(" Cuoco a Prato "), Some("weekly")).unwrap(), (Some("Cuoco a Prato".into()), Some(Frequency::Weekly)));
        assert_eq!(check_fields(None, None).unwrap(), (None, None));
        for (name, freq, fields) in [
            (Some(" "), None, vec!["name"]),
            (Some(&*"x".repeat(81)), None, vec!["name"]),
            (Some("a\u{7}b"), None, vec!["name"]),
            (None, Some("hourly"), vec!["frequency"]),
            (Some(""), Some("monthly"), vec!["name", "frequency"]),
        ] {
            let e = check_fields(name, freq).unwrap_err();
            assert_eq!((e.status, e.code), (422, "invalid_fields"));
            assert_eq!(e.fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), fields);
        }
    }

    #[test]
    fn lines_headers_and_tokens() {
        assert_eq!(offer_line("FI-1", "Cuoco", "https://l.example"), "FI-1 Cuoco – https://l.example/offerte/FI-1");
        assert_eq!(offer_line("FI-1", &"x".repeat(100), "").chars().count(), "FI-1  – /offerte/FI-1".chars().count() + 60);
        let h = unsubscribe_headers("https://l.example/ricerche/disiscrizione/ab");
        assert_eq!(h["List-Unsubscribe"], "<https://l.example/ricerche/disiscrizione/ab>");
        assert_eq!(h["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
        assert!(h.iter().all(|(n, v)| outbox::header_is_acceptable(n, v)));
        assert!(token_is_plausible(&"a1".repeat(32)));
        assert!(!token_is_plausible("abc") && !token_is_plausible(&"g".repeat(64)));
    }
}
