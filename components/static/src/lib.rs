//! `static`: serves the web UI from the `static/` folder mounted at `/`.
//!
//! The logic is in [`files`] (plain Rust, unit-tested natively); the Spin handler
//! below only translates between Spin's request/response and that logic. It is
//! compiled for wasm only, the convention for every component.

pub mod files;

#[cfg(target_arch = "wasm32")]
mod handler {
    use spin_sdk::http::{Request, Response};
    use spin_sdk::http_component;

    use crate::files;

    /// Default `max-age` for non-HTML files when the `static_max_age` variable is unset.
    const DEFAULT_MAX_AGE: u32 = 3600;

    #[http_component]
    fn handle(req: Request) -> Response {
        let header = |name: &str| common::spin::header(&req, name).unwrap_or("");
        let method = req.method().to_string();
        let policy = files::CachePolicy { max_age: common::spin::number_variable("static_max_age", DEFAULT_MAX_AGE) };
        let request = files::Request {
            method: &method,
            path_info: header("spin-path-info"),
            full_path: req.path(),
            query: req.query(),
            if_none_match: common::spin::header(&req, "if-none-match"),
            accept_encoding: common::spin::header(&req, "accept-encoding"),
        };
        files::serve(std::path::Path::new("/"), &request, policy).into()
    }
}
