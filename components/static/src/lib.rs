//! `static`: serves the web UI from the `static/` folder mounted at `/`.
//!
//! The logic is in [`files`] (plain Rust, unit-tested natively); the Spin handler
//! below only translates between Spin's request/response and that logic. It is
//! compiled for wasm only, the convention for every component.

pub mod files;

/// Default `max-age` for non-HTML files when the `static_max_age` variable is unset.
const DEFAULT_MAX_AGE: i64 = 3600;

/// The whole request: files under `root`.
pub fn handle(root: &std::path::Path, req: &common::Req) -> common::Reply {
    let header = |name: &str| req.header(name).unwrap_or("");
    let policy = files::CachePolicy { max_age: req.var_number("static_max_age", DEFAULT_MAX_AGE).clamp(0, i64::from(u32::MAX)) as u32 };
    let request = files::Request {
        method: &req.method,
        path_info: header("spin-path-info"),
        full_path: &req.path,
        query: &req.query,
        if_none_match: req.header("if-none-match"),
        accept_encoding: req.header("accept-encoding"),
    };
    files::serve(root, &request, policy)
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    // a body is never read (GET and HEAD; other methods are refused, and unknown API
    // paths get the JSON 404), but a small one is tolerated so that those answers come
    common::http::serve(incoming, out, |_, _| common::http::BodyLimit::json(), |req| async move { handle(std::path::Path::new("/"), &req) }).await
}
