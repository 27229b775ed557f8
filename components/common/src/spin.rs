//! Conversions to Spin SDK responses, adding the headers every response carries.

use spin_sdk::http::Response;

use crate::error::ApiError;
use crate::headers;
use crate::reply::Reply;

impl From<Reply> for Response {
    fn from(r: Reply) -> Self {
        let html = r.header("content-type").is_some_and(|t| t.starts_with("text/html"));
        let mut b = Response::builder();
        b.status(r.status);
        for (k, v) in headers::BASE {
            b.header(*k, *v);
        }
        if html {
            for (k, v) in headers::HTML {
                b.header(*k, *v);
            }
        }
        if !r.body.is_empty() {
            b.header("content-length", r.body.len().to_string());
        }
        for (k, v) in r.headers {
            b.header(k, v);
        }
        b.body(r.body).build()
    }
}

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Self {
        Reply::from(e).into()
    }
}

/// A request header as text, if present and valid.
pub fn header<'a>(req: &'a spin_sdk::http::Request, name: &str) -> Option<&'a str> {
    req.header(name).and_then(|v| v.as_str())
}

/// A Spin variable parsed as a number, or `default` when unset or invalid.
pub fn number_variable(name: &str, default: u32) -> u32 {
    spin_sdk::variables::get(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Whether the request body is JSON (`Content-Type: application/json`).
pub fn is_json(req: &spin_sdk::http::Request) -> bool {
    header(req, "content-type").is_some_and(|t| t.trim_start().starts_with("application/json"))
}

/// Whether the caller wants JSON back (it accepts or sends JSON) rather than a page.
pub fn wants_json(req: &spin_sdk::http::Request) -> bool {
    header(req, "accept").is_some_and(|a| a.contains("application/json")) || is_json(req)
}

/// A page in the site's message template (see [`crate::page`]), never cached.
pub fn message_page(status: u16, title: &str, content: &str) -> Reply {
    let template = std::fs::read_to_string("/templates/message.html").unwrap_or_else(|_| crate::page::FALLBACK_TEMPLATE.into());
    Reply::uncached_html(status, crate::page::fill(&template, title, content).into_bytes())
}
