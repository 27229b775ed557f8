//! `news`: public news and events (P1), read from the `news` table.
//!
//! - `GET /api/news?page=&page_size=` → `{items, total, page, page_size}`, newest first
//! - `GET /api/news/<id>` → one item with its full text
//!
//! Both are public and cacheable (`Cache-Control: public`, ETag, 304).

use common::sql::{Db, Row};
use common::{ApiError, Page, Paging, Query, Reply, Req, params};
use serde::Serialize;

/// Default page size of the list.
pub const DEFAULT_PAGE_SIZE: u32 = 10;

#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsItem {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// ISO 8601 date
    pub published_at: String,
    pub source: String,
    /// `news` or `evento`
    pub kind: String,
    /// The full text: in the detail only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub body: Option<String>,
}

/// What a request asks for.
#[derive(Debug, PartialEq)]
pub enum Route {
    List(Paging),
    Detail(i64),
}

/// Parses method, path info (relative to `/api/news`) and query.
pub fn route(method: &str, path_info: &str, query: &str) -> Result<Route, ApiError> {
    if method != "GET" && method != "HEAD" {
        return Err(ApiError::method_not_allowed());
    }
    match path_info.trim_end_matches('/') {
        "" => Ok(Route::List(Paging::from_query(&Query::parse(query)?, DEFAULT_PAGE_SIZE)?)),
        rest => {
            let id = rest.trim_start_matches('/');
            match id.parse::<i64>() {
                Ok(n) if n > 0 && !id.starts_with('+') => Ok(Route::Detail(n)),
                _ if id.contains('/') => Err(ApiError::not_found()),
                _ => Err(ApiError::bad_request("invalid_id", "L'identificativo della notizia non è valido.")),
            }
        }
    }
}

pub fn not_found() -> ApiError {
    ApiError::new(404, "news_not_found", "La notizia richiesta non esiste o non è più disponibile.")
}

const COLUMNS: &str = "id, title, summary, published_at, source, kind";

fn item(row: &Row<'_>, with_body: bool) -> Result<NewsItem, ApiError> {
    Ok(NewsItem {
        id: row.int("id")?,
        title: row.text("title")?,
        summary: row.text("summary")?,
        published_at: row.text("published_at")?,
        source: row.text("source")?,
        kind: row.text("kind")?,
        body: if with_body { Some(row.text("body")?) } else { None },
    })
}

pub fn list(db: &dyn Db, paging: Paging) -> Result<Page<NewsItem>, ApiError> {
    let total = db.execute("SELECT count(*) AS n FROM news", &[])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let rows = db.execute(&format!("SELECT {COLUMNS} FROM news ORDER BY published_at DESC, id DESC LIMIT ?1 OFFSET ?2"), params![paging.limit(), paging.offset()])?;
    Ok(Page::new(rows.map(|r| item(&r, false))?, total, paging))
}

pub fn detail(db: &dyn Db, id: i64) -> Result<NewsItem, ApiError> {
    let rows = db.execute(&format!("SELECT {COLUMNS}, body FROM news WHERE id = ?1"), params![id])?;
    item(&rows.first().ok_or_else(not_found)?, true)
}

/// The whole request: route, query, cacheable answer.
pub fn handle(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let max_age = req.var_number("news_max_age", 300).clamp(0, i64::from(u32::MAX)) as u32;
    let inm = req.header("if-none-match");
    match route(&req.method, req.header("spin-path-info").unwrap_or(""), &req.query)? {
        Route::List(p) => Reply::public_json(&list(db, p)?, max_age, inm),
        Route::Detail(id) => Reply::public_json(&detail(db, id)?, max_age, inm),
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
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "", "").unwrap(), Route::List(Paging { page: 1, page_size: 10 }));
        assert_eq!(route("GET", "/", "page=2&page_size=5").unwrap(), Route::List(Paging { page: 2, page_size: 5 }));
        assert_eq!(route("GET", "/42", "").unwrap(), Route::Detail(42));
        assert_eq!(route("HEAD", "/42/", "").unwrap(), Route::Detail(42));
    }

    #[test]
    fn list_and_detail_from_the_table() {
        let c = common::sql::testing::migrated();
        common::sql::testing::run(&c, "DELETE FROM news; INSERT INTO news (id, title, summary, body, published_at, source, kind) VALUES
            (1, 'Uno', 's1', 'b1', '2026-01-01', 'Regione', 'news'), (2, 'Due', 's2', 'b2', '2026-02-01', 'Regione', 'evento')");
        let r = handle(&Req::new("GET", "/api/news?page_size=1").header_set("spin-path-info", ""), &c).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!((v["total"].as_i64(), v["items"][0]["title"].as_str()), (Some(2), Some("Due")));
        assert!(v["items"][0].get("body").is_none());
        let etag = r.header("etag").unwrap().to_string();
        let again = handle(&Req::new("GET", "/api/news?page_size=1").header_set("if-none-match", &etag), &c).unwrap();
        assert_eq!(again.status, 304);
        let one = handle(&Req::new("GET", "/api/news/1").header_set("spin-path-info", "/1"), &c).unwrap();
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&one.body).unwrap()["body"], "b1");
        let e = handle(&Req::new("GET", "/api/news/9").header_set("spin-path-info", "/9"), &c).unwrap_err();
        assert_eq!((e.status, e.code), (404, "news_not_found"));
        let e = handle(&Req::new("GET", "/api/news?page=3&page_size=1").header_set("spin-path-info", ""), &c).unwrap_err();
        assert_eq!(e.code, "page_out_of_range");
    }

    #[test]
    fn bad_requests_get_clear_errors() {
        let cases = [
            ("POST", "", "", 405, "method_not_allowed"),
            ("GET", "/abc", "", 400, "invalid_id"),
            ("GET", "/0", "", 400, "invalid_id"),
            ("GET", "/-3", "", 400, "invalid_id"),
            ("GET", "/+3", "", 400, "invalid_id"),
            ("GET", "/1/extra", "", 404, "not_found"),
            ("GET", "", "page=0", 400, "invalid_paging"),
            ("GET", "", "page_size=1000", 400, "invalid_paging"),
        ];
        for (m, p, q, status, code) in cases {
            let e = route(m, p, q).unwrap_err();
            assert_eq!((e.status, e.code), (status, code), "{m} {p}?{q}");
            assert!(!e.message.is_empty());
        }
    }
}
