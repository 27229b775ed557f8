//! The offer search: filters from the query string, validated, turned into one
//! parameterised SQL statement (no user text is ever spliced into SQL). Shared by the
//! offers component (P2) and the saved searches of the alerts component (X1), so both
//! accept exactly the same filters.

use common::sql::{Db, Value};
use common::{ApiError, Paging, Query};

/// A bound SQL parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Int(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Closest deadline first (the default).
    Deadline,
    /// Most recently published first.
    Newest,
}

/// Which reference table a filter value must exist in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    OfferType,
    ContractType,
    Region,
    Province,
    Comune,
    Area,
    Cpi,
}

impl Ref {
    /// `(table, key column, Italian label of the filter)`.
    pub fn table(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Ref::OfferType => ("offer_types", "code", "Tipo offerta"),
            Ref::ContractType => ("contract_types", "code", "Tipo contratto"),
            Ref::Region => ("regions", "code", "Regione"),
            Ref::Province => ("provinces", "code", "Provincia"),
            Ref::Comune => ("comuni", "istat", "Comune"),
            Ref::Area => ("areas", "code", "Area geografica"),
            Ref::Cpi => ("cpis", "code", "Centro impiego"),
        }
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct Filters {
    /// FTS5 expression built from the words of `q`.
    pub text: Option<String>,
    pub offer_type: Option<String>,
    pub contract_type: Option<String>,
    pub region: Option<String>,
    pub province: Option<String>,
    pub comune: Option<String>,
    pub area: Option<String>,
    pub cpi: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, PartialEq)]
pub struct Search {
    pub filters: Filters,
    pub paging: Paging,
    pub sort: Sort,
}

pub const MAX_TEXT: usize = 200;
const MAX_WORDS: usize = 8;
const MAX_WORD: usize = 40;
pub const DEFAULT_PAGE_SIZE: u32 = 10;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_filter", message)
}

/// Words of the free text as an FTS5 prefix query: `cuoc ristor` → `"cuoc"* "ristor"*`.
/// Words are letters and digits only (accents kept; FTS folds them), so no FTS syntax
/// from the user survives.
pub fn fts_expression(text: &str) -> Result<Option<String>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_TEXT {
        return Err(bad(format!("La descrizione della qualifica può contenere al massimo {MAX_TEXT} caratteri.")));
    }
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Err(bad("Scrivi almeno una parola nella descrizione della qualifica."));
    }
    if words.len() > MAX_WORDS {
        return Err(bad(format!("Usa al massimo {MAX_WORDS} parole nella descrizione della qualifica.")));
    }
    if words.iter().any(|w| w.chars().count() > MAX_WORD) {
        return Err(bad("Una delle parole della descrizione della qualifica è troppo lunga."));
    }
    Ok(Some(words.iter().map(|w| format!("\"{}\"*", w.to_lowercase())).collect::<Vec<_>>().join(" ")))
}

pub fn digits(q: &Query, name: &str, len: usize, label: &str) -> Result<Option<String>, ApiError> {
    match q.get(name) {
        None => Ok(None),
        Some(v) if v.len() == len && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(v.to_string())),
        Some(_) => Err(bad(format!("Il filtro «{label}» contiene un valore non valido."))),
    }
}

pub fn slug(q: &Query, name: &str, label: &str) -> Result<Option<String>, ApiError> {
    match q.get(name) {
        None => Ok(None),
        Some(v) if v.len() <= 40 && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') => {
            Ok(Some(v.to_string()))
        }
        Some(_) => Err(bad(format!("Il filtro «{label}» contiene un valore non valido."))),
    }
}

/// An offer code as shown to people (`FI-23515`), in canonical upper case.
pub fn offer_code(raw: &str) -> Option<String> {
    let (prefix, number) = raw.trim().split_once('-')?;
    let ok = prefix.len() == 2
        && prefix.bytes().all(|b| b.is_ascii_alphabetic())
        && (1..=8).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| format!("{}-{}", prefix.to_ascii_uppercase(), number))
}

impl Search {
    pub fn from_query(q: &Query) -> Result<Self, ApiError> {
        Self::from_query_with(q, DEFAULT_PAGE_SIZE)
    }

    pub fn from_query_with(q: &Query, default_page_size: u32) -> Result<Self, ApiError> {
        let code = match q.get("code") {
            None => None,
            Some(raw) => Some(offer_code(raw).ok_or_else(|| {
                ApiError::bad_request("invalid_code", "Il codice offerta non è valido: ha la forma FI-23515.")
            })?),
        };
        let sort = match q.get("sort") {
            None | Some("deadline") => Sort::Deadline,
            Some("newest") => Sort::Newest,
            Some(_) => return Err(ApiError::bad_request("invalid_sort", "L'ordinamento richiesto non è disponibile.")),
        };
        Ok(Self {
            filters: Filters {
                text: fts_expression(q.get("q").unwrap_or(""))?,
                offer_type: slug(q, "offer_type", "Tipo offerta")?,
                contract_type: slug(q, "contract_type", "Tipo contratto")?,
                region: digits(q, "region", 2, "Regione")?,
                province: digits(q, "province", 3, "Provincia")?,
                comune: digits(q, "comune", 6, "Comune")?,
                area: slug(q, "area", "Area geografica")?,
                cpi: slug(q, "cpi", "Centro impiego")?,
                code,
            },
            paging: Paging::from_query(q, default_page_size)?,
            sort,
        })
    }

    /// Filter values that must exist in a reference table.
    pub fn references(&self) -> Vec<(Ref, &str)> {
        let f = &self.filters;
        [
            (Ref::OfferType, &f.offer_type),
            (Ref::ContractType, &f.contract_type),
            (Ref::Region, &f.region),
            (Ref::Province, &f.province),
            (Ref::Comune, &f.comune),
            (Ref::Area, &f.area),
            (Ref::Cpi, &f.cpi),
        ]
        .into_iter()
        .filter_map(|(r, v)| v.as_deref().map(|v| (r, v)))
        .collect()
    }

    /// The FTS5 expression for the free text and every filter but the code, if any:
    /// `{occupation description experience_description} : ("cuoc"*) AND facets : ("p048" AND "cscandicci")`.
    /// Facet tokens are the filter letter and the value without hyphens (see the
    /// migration); values are validated slugs or digits, so they carry no FTS syntax.
    pub fn match_expression(&self) -> Option<String> {
        let f = &self.filters;
        let token = |letter: char, v: &Option<String>| v.as_ref().map(|v| format!("\"{letter}{}\"", v.replace('-', "")));
        let facets: Vec<String> = [
            token('o', &f.offer_type),
            token('k', &f.contract_type),
            token('r', &f.region),
            token('p', &f.province),
            token('m', &f.comune),
            token('a', &f.area),
            token('c', &f.cpi),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut parts = Vec::new();
        if let Some(text) = &f.text {
            parts.push(format!("{{occupation description experience_description}} : ({text})"));
        }
        if !facets.is_empty() {
            parts.push(format!("facets : ({})", facets.join(" AND ")));
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    /// Every open offer: no filter, first page.
    pub fn all() -> Self {
        Self { filters: Filters::default(), paging: Paging { page: 1, page_size: DEFAULT_PAGE_SIZE }, sort: Sort::Deadline }
    }

    /// `FROM … WHERE …` shared by the count and the page, with its parameters. With
    /// filters, FTS5 finds the candidates; without, the partial indexes on open offers do.
    pub fn from_where(&self, today: &str) -> (String, Vec<Param>) {
        let mut params = Vec::new();
        let mut sql = match self.match_expression() {
            Some(expr) => {
                params.push(Param::Text(expr));
                String::from("FROM offers_fts f JOIN offers o ON o.id = f.rowid WHERE offers_fts MATCH ? AND ")
            }
            None => String::from("FROM offers o WHERE "),
        };
        sql.push_str(OPEN);
        params.push(Param::Text(today.to_string()));
        if let Some(code) = &self.filters.code {
            sql.push_str(" AND o.code = ?");
            params.push(Param::Text(code.clone()));
        }
        (sql, params)
    }

    pub fn count_sql(&self, today: &str) -> (String, Vec<Param>) {
        let (from_where, params) = self.from_where(today);
        (format!("SELECT count(*) AS n {from_where}"), params)
    }

    pub fn page_sql(&self, today: &str) -> (String, Vec<Param>) {
        let (from_where, mut params) = self.from_where(today);
        let order = match self.sort {
            Sort::Deadline => "o.deadline ASC, o.id ASC",
            Sort::Newest => "o.published_at DESC, o.id DESC",
        };
        params.push(Param::Int(self.paging.limit()));
        params.push(Param::Int(self.paging.offset()));
        if self.match_expression().is_some() {
            // One pass over the full-text matches: the inner query pages ids and counts
            // them (`total` on every row); columns are computed for the page only.
            let inner = format!("SELECT o.id, count(*) OVER () AS total {from_where} ORDER BY {order} LIMIT ? OFFSET ?");
            (format!("SELECT {LIST_COLUMNS}, p.total FROM ({inner}) p JOIN offers o ON o.id = p.id ORDER BY {order}"), params)
        } else {
            // Without filters the partial indexes serve the page and a separate count.
            (format!("SELECT {LIST_COLUMNS} {from_where} ORDER BY {order} LIMIT ? OFFSET ?"), params)
        }
    }
}

/// Unknown filter values are the client's mistake: 400 `unknown_filter`, not an empty list.
pub fn check_references(db: &dyn Db, search: &Search) -> Result<(), ApiError> {
    for (reference, value) in search.references() {
        let (table, column, label) = reference.table();
        let sql = format!("SELECT count(*) AS n FROM {table} WHERE {column} = ?1");
        if db.execute(&sql, &[Value::Text(value.to_string())])?.scalar("n")? == 0 {
            return Err(ApiError::bad_request("unknown_filter", format!("Il filtro «{label}» contiene un valore che non esiste.")));
        }
    }
    Ok(())
}

/// Offers open to applications on the day bound to `?` (alias `o`).
pub const OPEN: &str = "o.status = 'published' AND o.deadline >= ?";

/// Columns of a result row (see `OfferSummary`).
pub const LIST_COLUMNS: &str = "o.code, o.cpi_code, (SELECT name FROM cpis c WHERE c.code = o.cpi_code) AS cpi_name, \
     o.offer_type, (SELECT name FROM offer_types t WHERE t.code = o.offer_type) AS offer_type_name, \
     o.contract_type, (SELECT name FROM contract_types t WHERE t.code = o.contract_type) AS contract_type_name, \
     o.occupation, o.description, o.published_at, o.deadline, \
     (SELECT group_concat(m.name, '|' ORDER BY l.position) FROM offer_locations l JOIN comuni m ON m.istat = l.comune_istat WHERE l.offer_id = o.id) AS locations";

#[cfg(test)]
mod tests {
    use super::*;

    fn search(q: &str) -> Result<Search, ApiError> {
        Search::from_query(&Query::parse(q).unwrap())
    }

    #[test]
    fn free_text_becomes_a_safe_prefix_query() {
        assert_eq!(fts_expression("cuoc").unwrap().as_deref(), Some("\"cuoc\"*"));
        assert_eq!(fts_expression("  Cuoco  DI ristorante ").unwrap().as_deref(), Some("\"cuoco\"* \"di\"* \"ristorante\"*"));
        assert_eq!(fts_expression("operatore socio-sanitario").unwrap().as_deref(), Some("\"operatore\"* \"socio\"* \"sanitario\"*"));
        assert_eq!(fts_expression("perché").unwrap().as_deref(), Some("\"perché\"*"));
        // FTS operators and quotes from the user are dropped, not interpreted
        assert_eq!(fts_expression("cuoco\" OR \"x* NEAR(").unwrap().as_deref(), Some("\"cuoco\"* \"or\"* \"x\"* \"near\"*"));
        assert_eq!(fts_expression("").unwrap(), None);
        for bad in ["!!!", &"a".repeat(201), "a b c d e f g h i", &"x".repeat(41)] {
            let e = fts_expression(bad).unwrap_err();
            assert_eq!((e.status, e.code), (400, "invalid_filter"), "{bad}");
        }
    }

    #[test]
    fn filters_are_validated() {
        let s = search("q=cuoco&offer_type=preselezione&contract_type=tirocinio&region=09&province=048&comune=048017&area=firenze&cpi=scandicci&code=fi-23515&page=2&page_size=50&sort=newest").unwrap();
        assert_eq!(s.filters.code.as_deref(), Some("FI-23515"));
        assert_eq!(s.sort, Sort::Newest);
        assert_eq!((s.paging.page, s.paging.page_size), (2, 50));
        assert_eq!(s.references().len(), 7);
        let cases = [
            ("region=9", "invalid_filter"),
            ("province=ABC", "invalid_filter"),
            ("comune=04801", "invalid_filter"),
            ("offer_type=Preselezione", "invalid_filter"),
            ("cpi=a%27%20OR%201%3D1", "invalid_filter"),
            ("code=FI23515", "invalid_code"),
            ("code=FII-1", "invalid_code"),
            ("code=FI-123456789", "invalid_code"),
            ("sort=price", "invalid_sort"),
            ("page=0", "invalid_paging"),
            ("page_size=500", "invalid_paging"),
        ];
        for (q, code) in cases {
            let e = search(q).unwrap_err();
            assert_eq!((e.status, e.code), (400, code), "{q}");
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn sql_has_one_placeholder_per_parameter() {
        for q in ["", "q=cuoco&province=048&cpi=firenze", "comune=048017&region=09&code=FI-1&sort=newest"] {
            let s = search(q).unwrap();
            for (sql, params) in [s.count_sql("2026-11-23"), s.page_sql("2026-11-23")] {
                assert_eq!(sql.matches('?').count(), params.len(), "{q}: {sql}");
                assert!(!sql.contains("cuoco") && !sql.contains("048") && !sql.contains("FI-1"), "values are bound, never in the SQL text");
            }
        }
        let s = search("q=cuoco&province=048&cpi=sesto-fiorentino").unwrap();
        let (sql, params) = s.page_sql("2026-11-23");
        assert!(sql.contains("offers_fts MATCH ?") && sql.contains("ORDER BY o.deadline ASC"));
        assert_eq!(
            params[0],
            Param::Text("{occupation description experience_description} : (\"cuoco\"*) AND facets : (\"p048\" AND \"csestofiorentino\")".into())
        );
        assert_eq!(params[1..], [Param::Text("2026-11-23".into()), Param::Int(10), Param::Int(0)]);
        assert_eq!(Search::all(), search("").unwrap(), "all() is the search with no filter");
        let (sql, _) = search("").unwrap().count_sql("2026-11-23");
        assert!(!sql.contains("offers_fts"), "no filter: no full-text search");
    }
}
