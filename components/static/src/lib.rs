//! `static`: serves the web UI from the `static/` folder mounted at `/`.
//!
//! The logic is in [`files`] (plain Rust, unit-tested natively); the Spin handler
//! below only translates between Spin's request/response and that logic. It is
//! compiled for wasm only, the convention for every component.

pub mod files;

/// Default `max-age` for non-HTML files when the `static_max_age` variable is unset.
const DEFAULT_MAX_AGE: i64 = 3600;

/// Pages that use the camera and the microphone (the online interview room, issue 17):
/// every other page keeps `camera=(), microphone=()` of `common::headers::HTML`.
pub const MEDIA_PAGES: &[&str] = &["/colloquio/", "/colloquio/index.html"];

/// The Permissions-Policy of [`MEDIA_PAGES`]: camera and microphone for our own origin only.
pub const MEDIA_POLICY: &str = "camera=(self), microphone=(self), geolocation=()";

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
    let mut reply = files::serve(root, &request, policy);
    if MEDIA_PAGES.contains(&req.path.as_str()) && reply.header("content-type").is_some_and(|t| t.starts_with("text/html")) {
        reply.headers.push(("permissions-policy", MEDIA_POLICY.into()));
    }
    reply
}

#[cfg(test)]
mod media {
    use super::*;

    #[test]
    fn only_the_interview_room_may_use_the_camera_and_microphone() {
        let dir = std::env::temp_dir().join(format!("static-media-{}", std::process::id()));
        for page in ["colloquio", "cittadino"] {
            std::fs::create_dir_all(dir.join(page)).unwrap();
            std::fs::write(dir.join(page).join("index.html"), "<!doctype html><title>x</title>").unwrap();
        }
        let policy = |path: &str| {
            let req = common::Req::new("GET", path).header_set("spin-path-info", path);
            let (status, headers, _) = handle(&dir, &req).finish();
            assert_eq!(status, 200, "{path}");
            headers.into_iter().filter(|(k, _)| k == "permissions-policy").map(|(_, v)| v).collect::<Vec<_>>()
        };
        assert_eq!(policy("/colloquio/"), [MEDIA_POLICY]);
        assert_eq!(policy("/cittadino/"), [common::headers::HTML.iter().find(|(k, _)| *k == "permissions-policy").unwrap().1]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    // a body is never read (GET and HEAD; other methods are refused, and unknown API
    // paths get the JSON 404), but a small one is tolerated so that those answers come
    common::http::serve(incoming, out, |_, _| common::http::BodyLimit::json(), |req| async move { handle(std::path::Path::new("/"), &req) }).await
}
