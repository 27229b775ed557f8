//! The request against SQLite: a function of a [`Req`] and a [`Db`], so unit tests run
//! it natively; the Spin entry point at the end only opens the database.

use common::sql::{Db, Row, Value};
use common::{ApiError, Page, Reply, Req};
use serde::Serialize;

use crate::search::{Param, Search, check_references};
use crate::{Cpi, Location, Named, OfferDetail, OfferSummary, RefList, Requirements, Route};

fn values(params: Vec<Param>) -> Vec<Value> {
    params
        .into_iter()
        .map(|p| match p {
            Param::Text(s) => Value::Text(s),
            Param::Int(i) => Value::Integer(i),
        })
        .collect()
}

fn named(row: &Row<'_>, code: &str, name: &str) -> Result<Named, ApiError> {
    Ok(Named { code: row.text(code)?, name: row.text(name)? })
}

fn search(db: &dyn Db, search: &Search, today: &str) -> Result<Page<OfferSummary>, ApiError> {
    check_references(db, search)?;
    let (page_sql, page_params) = search.page_sql(today);
    let rows = db.execute(&page_sql, &values(page_params))?;
    // With filters each row carries the total; otherwise, or past the last page, count.
    let carried = if search.match_expression().is_some() { rows.first().map(|r| r.int("total")) } else { None };
    let total = match carried {
        Some(total) => total?,
        None => {
            let (count_sql, count_params) = search.count_sql(today);
            db.execute(&count_sql, &values(count_params))?.scalar("n")?
        }
    };
    search.paging.ensure_in_range(total)?;
    let items = rows
        .rows()
        .map(|r| {
            Ok(OfferSummary {
                code: r.text("code")?,
                cpi: named(&r, "cpi_code", "cpi_name")?,
                offer_type: named(&r, "offer_type", "offer_type_name")?,
                contract_type: named(&r, "contract_type", "contract_type_name")?,
                occupation: r.text("occupation")?,
                description: r.text("description")?,
                locations: r.opt_text("locations").map(|l| l.split('|').map(str::to_owned).collect()).unwrap_or_default(),
                published_at: r.text("published_at")?,
                deadline: r.text("deadline")?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Page::new(items, total, search.paging))
}

fn detail(db: &dyn Db, code: &str, today: &str) -> Result<OfferDetail, ApiError> {
    let rows = db.execute(
        "SELECT o.*, c.name AS cpi_name, c.address, c.email, c.phone, c.area_code, a.name AS area_name,
                t.name AS offer_type_name, k.name AS contract_type_name
           FROM offers o JOIN cpis c ON c.code = o.cpi_code JOIN areas a ON a.code = c.area_code
           JOIN offer_types t ON t.code = o.offer_type JOIN contract_types k ON k.code = o.contract_type
          WHERE o.code = ?1",
        &[Value::Text(code.to_string())],
    )?;
    let r = rows.first().ok_or_else(crate::offer_not_found)?;
    let id = r.int("id")?;
    let locations = db.execute(
        "SELECT m.istat, m.name, p.name AS province, p.sigla, g.name AS region
           FROM offer_locations l JOIN comuni m ON m.istat = l.comune_istat
           JOIN provinces p ON p.code = l.province_code JOIN regions g ON g.code = l.region_code
          WHERE l.offer_id = ?1 ORDER BY l.position",
        &[Value::Integer(id)],
    )?;
    let deadline = r.text("deadline")?;
    let terms = vacancy::of_code(db, code, today)?.ok_or_else(crate::offer_not_found)?;
    let flag = |c: &str| r.flag(c);
    Ok(OfferDetail {
        code: r.text("code")?,
        cpi: Cpi {
            code: r.text("cpi_code")?,
            name: r.text("cpi_name")?,
            area: named(&r, "area_code", "area_name")?,
            address: r.opt_text("address"),
            email: r.opt_text("email"),
            phone: r.opt_text("phone"),
        },
        offer_type: named(&r, "offer_type", "offer_type_name")?,
        contract_type: named(&r, "contract_type", "contract_type_name")?,
        occupation: r.text("occupation")?,
        occupation_istat: r.opt_text("occupation_istat"),
        description: r.text("description")?,
        experience_required: flag("experience_required")?,
        experience_description: r.opt_text("experience_description"),
        experience_months: r.get::<i64>("experience_months"),
        places: r.int("places")?,
        work_mode: r.opt_text("work_mode"),
        how_to_apply: r.text("how_to_apply")?,
        requirements: Requirements {
            vat_number: flag("vat_number_required")?,
            own_transport: flag("own_transport_required")?,
            travel: flag("travel_availability")?,
            targeted_placement: flag("targeted_placement")?,
        },
        locations: locations
            .rows()
            .map(|l| {
                Ok(Location {
                    istat: l.text("istat")?,
                    name: l.text("name")?,
                    province: l.text("province")?,
                    sigla: l.text("sigla")?,
                    region: l.text("region")?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        published_at: r.text("published_at")?,
        expired: r.str("status")? != "published" || deadline.as_str() < today,
        deadline,
        application: crate::Application { open: terms.open && terms.mode == vacancy::Mode::Online, mode: terms.mode, requirements: terms.requirements },
    })
}

/// One item of a reference list (`sigla`: provinces and comuni only).
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefItem {
    code: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigla: Option<String>,
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefItems {
    items: Vec<RefItem>,
}

fn reference(db: &dyn Db, list: &RefList) -> Result<RefItems, ApiError> {
    let (sql, params): (&str, Vec<Value>) = match list {
        RefList::Regions => ("SELECT code, name FROM regions ORDER BY name", vec![]),
        RefList::Provinces { region: None } => ("SELECT code, name, sigla FROM provinces ORDER BY name", vec![]),
        RefList::Provinces { region: Some(r) } => {
            ("SELECT code, name, sigla FROM provinces WHERE region_code = ? ORDER BY name", vec![Value::Text(r.clone())])
        }
        RefList::Comuni { province } => {
            ("SELECT istat AS code, name FROM comuni WHERE province_code = ? ORDER BY name", vec![Value::Text(province.clone())])
        }
        RefList::ComuniSearch { q } => {
            // the name, or a word of it, starts with q; exact prefixes first, then the larger comuni
            let like = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            (
                "SELECT c.istat AS code, c.name, p.sigla FROM comuni c JOIN provinces p ON p.code = c.province_code
                 WHERE c.name LIKE ?1 ESCAPE '\\' OR c.name LIKE ?2 ESCAPE '\\' OR c.name LIKE ?3 ESCAPE '\\'
                 ORDER BY c.name LIKE ?1 ESCAPE '\\' DESC, c.population DESC, c.name LIMIT 20",
                vec![Value::Text(format!("{like}%")), Value::Text(format!("% {like}%")), Value::Text(format!("%'{like}%"))],
            )
        }
        RefList::Areas => ("SELECT code, name FROM areas ORDER BY name", vec![]),
        RefList::Cpis { area: None } => ("SELECT code, name FROM cpis ORDER BY name", vec![]),
        RefList::Cpis { area: Some(a) } => {
            ("SELECT code, name FROM cpis WHERE area_code = ? ORDER BY name", vec![Value::Text(a.clone())])
        }
        RefList::OfferTypes => ("SELECT code, name FROM offer_types ORDER BY name", vec![]),
        RefList::ContractTypes => ("SELECT code, name FROM contract_types ORDER BY name", vec![]),
    };
    let rows = db.execute(sql, &params)?;
    let items = rows
        .rows()
        .map(|r| Ok(RefItem { code: r.text("code")?, name: r.text("name")?, sigla: r.opt_text("sigla") }))
        .collect::<Result<_, ApiError>>()?;
    Ok(RefItems { items })
}

/// The portal's public URL (the variable `base_url`, without a trailing `/`), for the
/// absolute URLs of feeds, sitemaps and JSON-LD: never the request's `Host`, which a
/// client chooses and a TLS terminator may turn into `http://`.
fn base_url(req: &Req) -> Result<String, ApiError> {
    req.var_text("base_url")
        .map(|b| b.trim_end_matches('/').to_string())
        .ok_or_else(|| ApiError::internal("the variable base_url is not set"))
}

fn xml(body: Result<Vec<u8>, quick_xml::Error>, content_type: &str, max_age: u32, inm: Option<&str>) -> Result<Reply, ApiError> {
    Ok(Reply::shared(body.map_err(ApiError::internal)?, content_type, max_age, inm))
}

fn open_offer_count(db: &dyn Db, today: &str) -> Result<i64, ApiError> {
    let (sql, params) = Search::all().count_sql(today);
    db.execute(&sql, &values(params))?.scalar("n")
}

fn sitemap(db: &dyn Db, route: &Route, base: &str, today: &str, max_age: u32, inm: Option<&str>) -> Result<Reply, ApiError> {
    use crate::feeds::{PAGES, SITEMAP_PAGE, sitemap_index, urlset};
    let body = match route {
        Route::SitemapIndex => sitemap_index(base, (open_offer_count(db, today)? as usize).div_ceil(SITEMAP_PAGE)),
        Route::SitemapPages => urlset(&PAGES.iter().map(|p| (format!("{base}{p}"), None)).collect::<Vec<_>>()),
        Route::SitemapOffers(n) => {
            let rows = db.execute(
                &format!("SELECT o.code, o.published_at FROM offers o WHERE {} ORDER BY o.id LIMIT ?2 OFFSET ?3", crate::search::OPEN),
                &[Value::Text(today.to_string()), Value::Integer(SITEMAP_PAGE as i64), Value::Integer(((n - 1) * SITEMAP_PAGE) as i64)],
            )?;
            let urls = rows.map(|r| Ok((format!("{base}/offerte/{}", r.text("code")?), r.opt_text("published_at"))))?;
            if urls.is_empty() {
                return Err(ApiError::not_found());
            }
            urlset(&urls)
        }
        _ => return Err(ApiError::not_found()),
    };
    xml(body, "application/xml; charset=utf-8", max_age, inm)
}

/// `/offerte/<code>`: the offer's public HTML page (404 page for unknown codes).
fn offer_page(db: &dyn Db, code: Option<String>, base: &str, today: &str, max_age: u32, inm: Option<&str>) -> Result<Reply, ApiError> {
    let template = std::fs::read_to_string("/templates/offer.html").unwrap_or_else(|_| crate::page::FALLBACK_TEMPLATE.to_string());
    let found = match code {
        Some(code) => match detail(db, &code, today) {
            Ok(offer) => Some(offer),
            Err(e) if e.status == 404 => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let Some(offer) = found else {
        let html = crate::page::fill(&template, "Offerta non trovata", "L'offerta richiesta non esiste.", "Offerta non trovata", "", &crate::page::not_found_body());
        return Ok(Reply::uncached_html(404, html.into_bytes()));
    };
    let html = crate::page::fill(
        &template,
        &format!("{} ({})", offer.occupation, offer.code),
        &format!("Offerta di lavoro {}: {} a {}.", offer.code, offer.occupation, offer.locations.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")),
        &offer.code,
        &crate::page::json_ld(&offer, base),
        &crate::page::body(&offer),
    );
    Ok(Reply::shared(html.into_bytes(), "text/html; charset=utf-8", max_age, inm))
}

/// The whole request.
pub fn handle(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let header = |name: &str| req.header(name).unwrap_or("");
    let inm = req.header("if-none-match");
    let max_age = |name: &str, default: i64| req.var_number(name, default).clamp(0, i64::from(u32::MAX)) as u32;
    let (offers_max_age, ref_max_age) = (max_age("offers_max_age", 60), max_age("ref_max_age", 3600));
    let today = common::rome::day_at(req.now);
    match crate::route(&req.method, header("spin-component-route"), header("spin-path-info"), &req.query)? {
        // what operators change: browsers revalidate (a change shows at once), edges keep
        // it offers_max_age seconds
        Route::Search(s) => Reply::shared_json(&search(db, &s, &today)?, offers_max_age, inm),
        Route::Detail(code) => Reply::shared_json(&detail(db, &code, &today)?, offers_max_age, inm),
        Route::Ref(list) => Reply::public_json(&reference(db, &list)?, ref_max_age, inm),
        Route::Page(code) => offer_page(db, code, &base_url(req)?, &today, offers_max_age, inm),
        Route::Feed(s) => {
            let items = search(db, &s, &today)?.items;
            let built = httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(req.now.max(0) as u64));
            let body = crate::feeds::rss(&items, &base_url(req)?, &req.query, &built);
            xml(body, "application/rss+xml; charset=utf-8", offers_max_age, inm)
        }
        r @ (Route::SitemapIndex | Route::SitemapPages | Route::SitemapOffers(_)) => sitemap(db, &r, &base_url(req)?, &today, offers_max_age, inm),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve(incoming, out, |m, _| common::http::BodyLimit::for_method(m), |req| async move {
        common::sql::open().and_then(|db| handle(&req, &db)).unwrap_or_else(Reply::from)
    })
    .await
}

#[cfg(test)]
mod tests {
    use common::sql::testing;

    use super::*;

    fn db() -> rusqlite::Connection {
        let c = testing::with_reference();
        testing::run(&c, &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/offers.sql")).unwrap());
        c
    }

    fn get(c: &rusqlite::Connection, component_route: &str, path_info: &str) -> Result<Reply, ApiError> {
        let r = Req::new("GET", &format!("{component_route}{path_info}"))
            .header_set("spin-component-route", component_route)
            .header_set("spin-path-info", path_info)
            .header_set("host", "evil.example")
            .header_set("spin-full-url", &format!("http://evil.example{component_route}{path_info}"))
            .var_set("base_url", "https://lavoro.example.it/")
            .at(1_795_435_200);
        handle(&r, c)
    }

    #[test]
    fn absolute_urls_come_from_base_url_never_from_the_host() {
        let c = db();
        let page = String::from_utf8(get(&c, "/offerte", "/PO-9000001").unwrap().body).unwrap();
        assert!(page.contains("https://lavoro.example.it/offerte/PO-9000001"), "{page}");
        let rss = String::from_utf8(get(&c, "/feeds/offers.rss", "").unwrap().body).unwrap();
        let sitemap = String::from_utf8(get(&c, "/sitemaps", "/pages.xml").unwrap().body).unwrap();
        for body in [&page, &rss, &sitemap] {
            assert!(!body.contains("evil.example"), "{body}");
        }
        assert!(rss.contains("https://lavoro.example.it/offerte/"), "{rss}");
        assert!(sitemap.contains("<loc>https://lavoro.example.it/"), "{sitemap}");
    }

    #[test]
    fn details_searches_and_unknown_codes() {
        let c = db();
        let d: serde_json::Value = serde_json::from_slice(&get(&c, "/api/offers", "/PI-9000004").unwrap().body).unwrap();
        assert_eq!(d["expired"], true);
        assert_eq!(d["application"]["open"], false, "expired: no application");
        let open: serde_json::Value = serde_json::from_slice(&get(&c, "/api/offers", "/PO-9000001").unwrap().body).unwrap();
        assert_eq!((open["application"]["mode"].as_str(), open["application"]["open"].as_bool()), (Some("online"), Some(true)));
        assert_eq!(open["application"]["requirements"][0], "Qualifica professionale: cuoco di ristorante");
        let pa: serde_json::Value = serde_json::from_slice(&get(&c, "/api/offers", "/GR-9000003").unwrap().body).unwrap();
        assert_eq!((pa["application"]["mode"].as_str(), pa["application"]["open"].as_bool()), (Some("text"), Some(false)));
        assert_eq!(get(&c, "/api/offers", "/XX-1").unwrap_err().status, 404);
        assert_eq!(get(&c, "/offerte", "/XX-1").unwrap().status, 404);
    }
}
