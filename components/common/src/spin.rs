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
