//! The Spin handler: runs the parsed request against SQLite and writes the reply.

use common::{ApiError, Page, Reply, db};
use serde::Serialize;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, Row, Value};

use crate::search::{Param, Search};
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
    Ok(Named { code: db::text(row, code)?, name: db::text(row, name)? })
}

/// Unknown filter values are the client's mistake: 400, not an empty list.
fn check_references(conn: &Connection, search: &Search) -> Result<(), ApiError> {
    for (reference, value) in search.references() {
        let (table, column, label) = reference.table();
        let sql = format!("SELECT count(*) AS n FROM {table} WHERE {column} = ?");
        if db::scalar_i64(&db::query(conn, &sql, &[Value::Text(value.to_string())])?, "n")? == 0 {
            return Err(ApiError::bad_request("unknown_filter", format!("Il filtro «{label}» contiene un valore che non esiste.")));
        }
    }
    Ok(())
}

fn search(search: &Search) -> Result<Page<OfferSummary>, ApiError> {
    let conn = db::open()?;
    check_references(&conn, search)?;
    let today = common::rome::today_iso();
    let (page_sql, page_params) = search.page_sql(&today);
    let rows = db::query(&conn, &page_sql, &values(page_params))?;
    // With filters each row carries the total; otherwise, or past the last page, count.
    let carried = if search.match_expression().is_some() { rows.rows().next().map(|r| db::int(&r, "total")) } else { None };
    let total = match carried {
        Some(total) => total?,
        None => {
            let (count_sql, count_params) = search.count_sql(&today);
            db::scalar_i64(&db::query(&conn, &count_sql, &values(count_params))?, "n")?
        }
    };
    search.paging.ensure_in_range(total)?;
    let items = rows
        .rows()
        .map(|r| {
            Ok(OfferSummary {
                code: db::text(&r, "code")?,
                cpi: named(&r, "cpi_code", "cpi_name")?,
                offer_type: named(&r, "offer_type", "offer_type_name")?,
                contract_type: named(&r, "contract_type", "contract_type_name")?,
                occupation: db::text(&r, "occupation")?,
                description: db::text(&r, "description")?,
                locations: db::opt_text(&r, "locations").map(|l| l.split('|').map(str::to_owned).collect()).unwrap_or_default(),
                published_at: db::text(&r, "published_at")?,
                deadline: db::text(&r, "deadline")?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Page::new(items, total, search.paging))
}

fn detail(code: &str) -> Result<OfferDetail, ApiError> {
    let conn = db::open()?;
    let rows = db::query(
        &conn,
        "SELECT o.*, c.name AS cpi_name, c.address, c.email, c.phone, c.area_code, a.name AS area_name,
                t.name AS offer_type_name, k.name AS contract_type_name
           FROM offers o JOIN cpis c ON c.code = o.cpi_code JOIN areas a ON a.code = c.area_code
           JOIN offer_types t ON t.code = o.offer_type JOIN contract_types k ON k.code = o.contract_type
          WHERE o.code = ?",
        &[Value::Text(code.to_string())],
    )?;
    let r = rows.rows().next().ok_or_else(crate::offer_not_found)?;
    let id = db::int(&r, "id")?;
    let locations = db::query(
        &conn,
        "SELECT m.istat, m.name, p.name AS province, p.sigla, g.name AS region
           FROM offer_locations l JOIN comuni m ON m.istat = l.comune_istat
           JOIN provinces p ON p.code = l.province_code JOIN regions g ON g.code = l.region_code
          WHERE l.offer_id = ? ORDER BY l.position",
        &[Value::Integer(id)],
    )?;
    let deadline = db::text(&r, "deadline")?;
    let flag = |c: &str| db::int(&r, c).map(|v| v != 0);
    Ok(OfferDetail {
        code: db::text(&r, "code")?,
        cpi: Cpi {
            code: db::text(&r, "cpi_code")?,
            name: db::text(&r, "cpi_name")?,
            area: named(&r, "area_code", "area_name")?,
            address: db::opt_text(&r, "address"),
            email: db::opt_text(&r, "email"),
            phone: db::opt_text(&r, "phone"),
        },
        offer_type: named(&r, "offer_type", "offer_type_name")?,
        contract_type: named(&r, "contract_type", "contract_type_name")?,
        occupation: db::text(&r, "occupation")?,
        occupation_istat: db::opt_text(&r, "occupation_istat"),
        description: db::text(&r, "description")?,
        experience_required: flag("experience_required")?,
        experience_description: db::opt_text(&r, "experience_description"),
        experience_months: r.get::<i64>("experience_months"),
        places: db::int(&r, "places")?,
        work_mode: db::opt_text(&r, "work_mode"),
        how_to_apply: db::text(&r, "how_to_apply")?,
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
                    istat: db::text(&l, "istat")?,
                    name: db::text(&l, "name")?,
                    province: db::text(&l, "province")?,
                    sigla: db::text(&l, "sigla")?,
                    region: db::text(&l, "region")?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        published_at: db::text(&r, "published_at")?,
        expired: db::text(&r, "status")? != "published" || deadline < common::rome::today_iso(),
        deadline,
    })
}

#[derive(Serialize)]
struct RefItem {
    code: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigla: Option<String>,
}

#[derive(Serialize)]
struct RefItems {
    items: Vec<RefItem>,
}

fn reference(list: &RefList) -> Result<RefItems, ApiError> {
    let conn = db::open()?;
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
    let rows = db::query(&conn, sql, &params)?;
    let items = rows
        .rows()
        .map(|r| Ok(RefItem { code: db::text(&r, "code")?, name: db::text(&r, "name")?, sigla: db::opt_text(&r, "sigla") }))
        .collect::<Result<_, ApiError>>()?;
    Ok(RefItems { items })
}

/// Scheme and host of this request (`https://host`), for absolute URLs.
fn base_url(full_url: &str) -> String {
    full_url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/")
}

fn xml(body: Result<Vec<u8>, quick_xml::Error>, content_type: &str, max_age: u32, inm: Option<&str>) -> Result<Reply, ApiError> {
    Ok(Reply::public(body.map_err(ApiError::internal)?, content_type, max_age, inm))
}

fn open_offer_count(conn: &Connection, today: &str) -> Result<i64, ApiError> {
    let (sql, params) = Search::all().count_sql(today);
    db::scalar_i64(&db::query(conn, &sql, &values(params))?, "n")
}

fn sitemap(route: &Route, base: &str, max_age: u32, inm: Option<&str>) -> Result<Reply, ApiError> {
    use crate::feeds::{PAGES, SITEMAP_PAGE, sitemap_index, urlset};
    let conn = db::open()?;
    let today = common::rome::today_iso();
    let body = match route {
        Route::SitemapIndex => sitemap_index(base, (open_offer_count(&conn, &today)? as usize).div_ceil(SITEMAP_PAGE)),
        Route::SitemapPages => urlset(&PAGES.iter().map(|p| (format!("{base}{p}"), None)).collect::<Vec<_>>()),
        Route::SitemapOffers(n) => {
            let rows = db::query(
                &conn,
                &format!("SELECT o.code, o.published_at FROM offers o WHERE {} ORDER BY o.id LIMIT ? OFFSET ?", crate::search::OPEN),
                &[Value::Text(today), Value::Integer(SITEMAP_PAGE as i64), Value::Integer(((n - 1) * SITEMAP_PAGE) as i64)],
            )?;
            let urls = rows
                .rows()
                .map(|r| Ok((format!("{base}/offerte/{}", db::text(&r, "code")?), db::opt_text(&r, "published_at"))))
                .collect::<Result<Vec<_>, ApiError>>()?;
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
fn offer_page(code: Option<String>, full_url: &str, max_age: u32, inm: Option<&str>) -> Result<Reply, ApiError> {
    let template = std::fs::read_to_string("/templates/offer.html").map_err(|e| ApiError::internal(format!("offer template: {e}")))?;
    let found = match code {
        Some(code) => match detail(&code) {
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
    let base = base_url(full_url);
    let html = crate::page::fill(
        &template,
        &format!("{} ({})", offer.occupation, offer.code),
        &format!("Offerta di lavoro {}: {} a {}.", offer.code, offer.occupation, offer.locations.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")),
        &offer.code,
        &crate::page::json_ld(&offer, &base),
        &crate::page::body(&offer),
    );
    Ok(Reply::public(html.into_bytes(), "text/html; charset=utf-8", max_age, inm))
}

#[http_component]
fn handle(req: Request) -> Response {
    let header = |name: &str| common::spin::header(&req, name).unwrap_or("");
    let inm = common::spin::header(&req, "if-none-match");
    let offers_max_age = common::spin::number_variable("offers_max_age", 60);
    let ref_max_age = common::spin::number_variable("ref_max_age", 3600);
    let reply = crate::route(&req.method().to_string(), header("spin-component-route"), header("spin-path-info"), req.query())
        .and_then(|route| match route {
            Route::Search(s) => Reply::public_json(&search(&s)?, offers_max_age, inm),
            Route::Detail(code) => Reply::public_json(&detail(&code)?, offers_max_age, inm),
            Route::Ref(list) => Reply::public_json(&reference(&list)?, ref_max_age, inm),
            Route::Page(code) => offer_page(code, header("spin-full-url"), offers_max_age, inm),
            Route::Feed(s) => {
                let items = search(&s)?.items;
                let built = httpdate::fmt_http_date(std::time::SystemTime::now());
                let body = crate::feeds::rss(&items, &base_url(header("spin-full-url")), req.query(), &built);
                xml(body, "application/rss+xml; charset=utf-8", offers_max_age, inm)
            }
            r @ (Route::SitemapIndex | Route::SitemapPages | Route::SitemapOffers(_)) => {
                sitemap(&r, &base_url(header("spin-full-url")), ref_max_age, inm)
            }
        });
    reply.unwrap_or_else(Reply::from).into()
}
