//! `static`: serves the web UI from the `static/` folder mounted at `/`.
//!
//! The logic is in [`files`] (plain Rust, unit-tested natively); the Spin handler
//! below only translates between Spin's request/response and that logic. It is
//! compiled for wasm only, the convention for every component.

pub mod files;

#[cfg(target_arch = "wasm32")]
mod handler {
    use spin_sdk::http::{IntoResponse, Request, Response};
    use spin_sdk::http_component;

    use crate::files;

    /// Default `max-age` for non-HTML files when the `static_max_age` variable is unset.
    const DEFAULT_MAX_AGE: u32 = 3600;

    #[http_component]
    fn handle(req: Request) -> impl IntoResponse {
        let header = |name: &str| req.header(name).and_then(|v| v.as_str()).unwrap_or("");
        let method = req.method().to_string();
        let policy = files::CachePolicy {
            max_age: spin_sdk::variables::get("static_max_age")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_MAX_AGE),
        };
        let request = files::Request {
            method: &method,
            path_info: header("spin-path-info"),
            full_path: req.path(),
            query: req.query(),
            if_none_match: req.header("if-none-match").and_then(|v| v.as_str()),
        };
        let served = files::serve(std::path::Path::new("/"), &request, policy);
        let html = served.headers.iter().any(|(k, v)| *k == "content-type" && v.starts_with("text/html"));
        let mut b = Response::builder();
        b.status(served.status);
        for (k, v) in common::headers::BASE {
            b.header(*k, *v);
        }
        if html {
            for (k, v) in common::headers::HTML {
                b.header(*k, *v);
            }
        }
        if method != "HEAD" && served.status != 304 {
            b.header("content-length", served.body.len().to_string());
        }
        for (k, v) in served.headers {
            b.header(k, v);
        }
        b.body(served.body).build()
    }
}
