//! `offers`: public job offers (P2 search, P3 detail) and the reference lists of the
//! search filters.
//!
//! - `GET /api/offers?q=&offer_type=&contract_type=&region=&province=&comune=&area=&cpi=&code=&page=&page_size=&sort=`
//!   → `{items, total, page, page_size}`; open offers only (deadline today or later).
//! - `GET /api/offers/<code>` → one offer, also when expired (`"expired": true`).
//! - `GET /api/ref/{regions, provinces?region=, comuni?province= or ?q=, areas, cpis?area=,
//!   offer-types, contract-types}` → `{items: [{code, name, …}]}`.
//!
//! All public and cacheable (`Cache-Control: public`, ETag, 304).

pub mod feeds;
pub mod page;
pub use vacancy::search;

use common::{ApiError, Query};
use serde::Serialize;

use search::{Search, digits, offer_code, slug};

#[derive(Debug, PartialEq)]
pub enum RefList {
    Regions,
    Provinces { region: Option<String> },
    Comuni { province: String },
    /// `comuni?q=`: comuni whose name (or a word of it) starts with `q`, for the
    /// address autocomplete of the registration and profile forms.
    ComuniSearch { q: String },
    Areas,
    Cpis { area: Option<String> },
    OfferTypes,
    ContractTypes,
}

#[derive(Debug, PartialEq)]
pub enum Route {
    Search(Search),
    Detail(String),
    Ref(RefList),
    /// The public HTML page `/offerte/<code>`; `None` for a malformed code (a 404 page).
    Page(Option<String>),
    /// `/feeds/offers.rss`: the newest offers matching the search's filters.
    Feed(Search),
    /// `/sitemap.xml`
    SitemapIndex,
    SitemapPages,
    /// `/sitemaps/offers-<n>.xml`, from 1
    SitemapOffers(usize),
}

/// Parses a request routed to this component (`component_route` is `/api/offers`
/// or `/api/ref`; `path_info` the rest).
pub fn route(method: &str, component_route: &str, path_info: &str, query: &str) -> Result<Route, ApiError> {
    if method != "GET" && method != "HEAD" {
        return Err(ApiError::method_not_allowed());
    }
    let q = Query::parse(query)?;
    let rest = path_info.trim_matches('/');
    match (component_route, rest) {
        ("/api/offers", "") => Ok(Route::Search(Search::from_query(&q)?)),
        ("/api/offers", code) if !code.contains('/') => offer_code(code)
            .map(Route::Detail)
            .ok_or_else(|| ApiError::bad_request("invalid_code", "Il codice offerta non è valido: ha la forma FI-23515.")),
        ("/feeds/offers.rss", "") => {
            let mut search = Search::from_query_with(&q, FEED_SIZE)?;
            search.sort = search::Sort::Newest;
            Ok(Route::Feed(search))
        }
        ("/sitemap.xml", "") => Ok(Route::SitemapIndex),
        ("/sitemaps", "pages.xml") => Ok(Route::SitemapPages),
        ("/sitemaps", file) => file
            .strip_prefix("offers-")
            .and_then(|f| f.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .map(Route::SitemapOffers)
            .ok_or_else(ApiError::not_found),
        ("/offerte", code) => Ok(Route::Page(if code.contains('/') { None } else { offer_code(code) })),
        ("/api/ref", "regions") => Ok(Route::Ref(RefList::Regions)),
        ("/api/ref", "provinces") => Ok(Route::Ref(RefList::Provinces { region: digits(&q, "region", 2, "Regione")? })),
        ("/api/ref", "comuni") => match (q.get("q"), digits(&q, "province", 3, "Provincia")?) {
            (Some(text), _) => comuni_search(text).map(|q| Route::Ref(RefList::ComuniSearch { q })),
            (None, Some(province)) => Ok(Route::Ref(RefList::Comuni { province })),
            (None, None) => Err(ApiError::bad_request("missing_province", "Indica la provincia per ottenere l'elenco dei comuni.")),
        },
        ("/api/ref", "areas") => Ok(Route::Ref(RefList::Areas)),
        ("/api/ref", "cpis") => Ok(Route::Ref(RefList::Cpis { area: slug(&q, "area", "Area geografica")? })),
        ("/api/ref", "offer-types") => Ok(Route::Ref(RefList::OfferTypes)),
        ("/api/ref", "contract-types") => Ok(Route::Ref(RefList::ContractTypes)),
        _ => Err(ApiError::not_found()),
    }
}

/// The text of a comuni search: 2 to 40 characters.
fn comuni_search(text: &str) -> Result<String, ApiError> {
    let n = text.chars().count();
    if !(2..=40).contains(&n) || text.chars().any(char::is_control) {
        return Err(ApiError::bad_request("invalid_filter", "Scrivi almeno 2 lettere del nome del comune (al massimo 40)."));
    }
    Ok(text.to_string())
}

/// Items in the RSS feed unless `page_size` says otherwise.
pub const FEED_SIZE: u32 = 50;

pub fn offer_not_found() -> ApiError {
    ApiError::new(404, "offer_not_found", "L'offerta richiesta non esiste. Controlla il codice offerta.")
}

#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Named {
    pub code: String,
    pub name: String,
}

/// One row of the result list (the manual's columns).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferSummary {
    pub code: String,
    /// Provenienza: the CPI that published the offer.
    pub cpi: Named,
    pub offer_type: Named,
    pub contract_type: Named,
    pub occupation: String,
    pub description: String,
    /// Sedi di lavoro (comune names), in the offer's order.
    pub locations: Vec<String>,
    pub published_at: String,
    pub deadline: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cpi {
    pub code: String,
    pub name: String,
    pub area: Named,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub istat: String,
    pub name: String,
    pub province: String,
    pub sigla: String,
    pub region: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Requirements {
    pub vat_number: bool,
    pub own_transport: bool,
    pub travel: bool,
    pub targeted_placement: bool,
}

/// The detail page's sections (manual p. 15–16).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferDetail {
    pub code: String,
    pub cpi: Cpi,
    pub offer_type: Named,
    pub contract_type: Named,
    pub occupation: String,
    pub occupation_istat: Option<String>,
    pub description: String,
    pub experience_required: bool,
    pub experience_description: Option<String>,
    pub experience_months: Option<i64>,
    pub places: i64,
    pub work_mode: Option<String>,
    pub how_to_apply: String,
    pub requirements: Requirements,
    pub locations: Vec<Location>,
    pub published_at: String,
    pub deadline: String,
    pub expired: bool,
    /// How to apply and what a candidate declares (the back office's terms).
    pub application: Application,
}

/// How applications to an offer are made.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Application {
    /// `online`: "Compila candidatura" in the portal; `text`: as `how_to_apply` says.
    pub mode: vacancy::Mode,
    /// What a candidate declares to hold.
    pub requirements: Vec<String>,
    /// Open and online: the page shows "Compila candidatura".
    pub open: bool,
}

pub mod handler;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(route("GET", "/api/offers", "", "q=cuoco").unwrap(), Route::Search(_)));
        assert_eq!(route("GET", "/api/offers", "/fi-23515", "").unwrap(), Route::Detail("FI-23515".into()));
        assert_eq!(route("GET", "/api/ref", "/regions", "").unwrap(), Route::Ref(RefList::Regions));
        assert_eq!(route("GET", "/offerte", "/fi-1", "").unwrap(), Route::Page(Some("FI-1".into())));
        assert_eq!(route("GET", "/offerte", "/nonsense", "").unwrap(), Route::Page(None));
        match route("GET", "/feeds/offers.rss", "", "province=048").unwrap() {
            Route::Feed(s) => assert_eq!((s.sort, s.paging.page_size), (search::Sort::Newest, FEED_SIZE)),
            other => panic!("{other:?}"),
        }
        assert_eq!(route("GET", "/sitemap.xml", "", "").unwrap(), Route::SitemapIndex);
        assert_eq!(route("GET", "/sitemaps", "/offers-3.xml", "").unwrap(), Route::SitemapOffers(3));
        assert_eq!(route("GET", "/sitemaps", "/offers-0.xml", "").unwrap_err().status, 404);
        assert_eq!(
            route("GET", "/api/ref", "/comuni", "province=048").unwrap(),
            Route::Ref(RefList::Comuni { province: "048".into() })
        );
        assert_eq!(
            route("GET", "/api/ref", "/comuni", "q=san+gim").unwrap(),
            Route::Ref(RefList::ComuniSearch { q: "san gim".into() })
        );
        assert_eq!(
            route("GET", "/api/ref", "/cpis", "area=firenze").unwrap(),
            Route::Ref(RefList::Cpis { area: Some("firenze".into()) })
        );
    }

    #[test]
    fn bad_requests() {
        let cases = [
            ("POST", "/api/offers", "", "", 405, "method_not_allowed"),
            ("GET", "/api/offers", "/not-a-code", "", 400, "invalid_code"),
            ("GET", "/api/offers", "/FI-1/extra", "", 404, "not_found"),
            ("GET", "/api/ref", "/comuni", "", 400, "missing_province"),
            ("GET", "/api/ref", "/comuni", "province=48", 400, "invalid_filter"),
            ("GET", "/api/ref", "/comuni", "q=s", 400, "invalid_filter"),
            ("GET", "/api/ref", "/cpis", "area=FIRENZE", 400, "invalid_filter"),
            ("GET", "/api/ref", "/unknown", "", 404, "not_found"),
        ];
        for (m, r, p, q, status, code) in cases {
            let e = route(m, r, p, q).unwrap_err();
            assert_eq!((e.status, e.code), (status, code), "{m} {r}{p}?{q}");
        }
    }
}
