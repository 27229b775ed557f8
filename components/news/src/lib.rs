//! `news`: public news and events (P1), read from the `news` table.
//!
//! - `GET /api/news?page=&page_size=` → `{items, total, page, page_size}`, newest first
//! - `GET /api/news/<id>` → one item with its full text
//!
//! Both are public and cacheable (`Cache-Control: public`, ETag, 304).

use common::{ApiError, Paging, Query};
use serde::Serialize;

/// Default page size of the list.
pub const DEFAULT_PAGE_SIZE: u32 = 10;

#[derive(Debug, Serialize, PartialEq)]
pub struct NewsItem {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// ISO 8601 date
    pub published_at: String,
    pub source: String,
    /// `news` or `evento`
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
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

#[cfg(target_arch = "wasm32")]
mod handler {
    use common::{ApiError, Page, Paging, Reply, db};
    use spin_sdk::http::{Request, Response};
    use spin_sdk::http_component;
    use spin_sdk::sqlite::Value;

    use super::{NewsItem, Route};

    const COLUMNS: &str = "id, title, summary, published_at, source, kind";

    fn item(row: &spin_sdk::sqlite::Row<'_>, with_body: bool) -> Result<NewsItem, ApiError> {
        Ok(NewsItem {
            id: db::int(row, "id")?,
            title: db::text(row, "title")?,
            summary: db::text(row, "summary")?,
            published_at: db::text(row, "published_at")?,
            source: db::text(row, "source")?,
            kind: db::text(row, "kind")?,
            body: if with_body { Some(db::text(row, "body")?) } else { None },
        })
    }

    fn list(paging: Paging) -> Result<Page<NewsItem>, ApiError> {
        let conn = db::open()?;
        let total = db::scalar_i64(&db::query(&conn, "SELECT count(*) AS n FROM news", &[])?, "n")?;
        paging.ensure_in_range(total)?;
        let rows = db::query(
            &conn,
            &format!("SELECT {COLUMNS} FROM news ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?"),
            &[Value::Integer(paging.limit()), Value::Integer(paging.offset())],
        )?;
        let items = rows.rows().map(|r| item(&r, false)).collect::<Result<_, _>>()?;
        Ok(Page::new(items, total, paging))
    }

    fn detail(id: i64) -> Result<NewsItem, ApiError> {
        let conn = db::open()?;
        let rows = db::query(&conn, &format!("SELECT {COLUMNS}, body FROM news WHERE id = ?"), &[Value::Integer(id)])?;
        let row = rows.rows().next().ok_or_else(super::not_found)?;
        item(&row, true)
    }

    #[http_component]
    fn handle(req: Request) -> Response {
        let max_age = common::spin::number_variable("news_max_age", 300);
        let inm = common::spin::header(&req, "if-none-match");
        let path_info = common::spin::header(&req, "spin-path-info").unwrap_or("");
        let reply = super::route(&req.method().to_string(), path_info, req.query()).and_then(|r| match r {
            Route::List(p) => Reply::public_json(&list(p)?, max_age, inm),
            Route::Detail(id) => Reply::public_json(&detail(id)?, max_age, inm),
        });
        reply.unwrap_or_else(Reply::from).into()
    }
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
