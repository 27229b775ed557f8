//! The file-serving logic, independent of Spin: resolve a request path inside the
//! mounted web root, answer conditional requests, choose content type and caching.

use std::path::{Path, PathBuf};

use common::Reply;
use percent_encoding::percent_decode_str;

/// How long browsers and edges may keep files (HTML is always revalidated).
#[derive(Debug, Clone, Copy)]
pub struct CachePolicy {
    pub max_age: u32,
}

pub struct Request<'a> {
    pub method: &'a str,
    /// The path relative to the component route (`spin-path-info`), still percent-encoded.
    pub path_info: &'a str,
    /// The full request path, for redirects.
    pub full_path: &'a str,
    pub query: &'a str,
    pub if_none_match: Option<&'a str>,
    pub accept_encoding: Option<&'a str>,
}

const NOT_FOUND_PAGE: &str = "404.html";
const FALLBACK_404: &str = "<!doctype html><html lang=\"it\"><meta charset=\"utf-8\"><title>Pagina non trovata</title><h1>Pagina non trovata</h1><p>La pagina richiesta non esiste. <a href=\"/\">Torna alla home</a>.</p></html>";

pub fn serve(root: &Path, req: &Request, policy: CachePolicy) -> Reply {
    // an API or job path no component routes: the JSON error, whatever the method
    if is_api(req.full_path) {
        return Reply::from(common::ApiError::new(404, "not_found", "Il servizio richiesto non esiste."));
    }
    if req.method != "GET" && req.method != "HEAD" {
        return Reply {
            status: 405,
            headers: vec![("allow", "GET, HEAD".into()), ("content-type", "text/plain; charset=utf-8".into())],
            body: "Metodo non consentito.".into(),
        };
    }
    let head = req.method == "HEAD";
    let Some(rel) = safe_relative(req.path_info) else { return not_found(root, head) };
    let mut file = root.join(&rel);
    if req.path_info.is_empty() || req.path_info.ends_with('/') {
        file.push("index.html");
    } else if file.is_dir() {
        let mut location = format!("{}/", req.full_path);
        if !req.query.is_empty() {
            location.push('?');
            location.push_str(req.query);
        }
        return Reply { status: 301, headers: vec![("location", location)], body: Vec::new() };
    }
    if !file.is_file() {
        return not_found(root, head);
    }
    let content_type = content_type(&file);
    let cache = cache_control(&rel, &content_type, policy);
    // The build stores brotli and gzip copies of text files next to them (`x.css.br`).
    let copies: Vec<(&str, std::ffi::OsString)> = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .map(|(coding, suffix)| {
            let mut name = file.clone().into_os_string();
            name.push(suffix);
            (coding, name)
        })
        .filter(|(_, name)| Path::new(name).is_file())
        .collect();
    let chosen = copies
        .iter()
        .filter(|(coding, _)| accepts(req.accept_encoding, coding))
        .find_map(|(coding, name)| std::fs::read(name).ok().map(|b| (*coding, b)));
    let (coding, bytes) = match chosen {
        Some((coding, b)) => (Some(coding), b),
        None => match std::fs::read(&file) {
            Ok(b) => (None, b),
            Err(_) => return not_found(root, head),
        },
    };
    // Each encoding is its own representation: the ETag is over the bytes sent.
    let mut reply = Reply::cacheable(bytes, &content_type, cache, req.if_none_match);
    if !copies.is_empty() {
        reply.headers.push(("vary", "accept-encoding".into()));
    }
    if let Some(coding) = coding
        && reply.status == 200
    {
        reply.headers.push(("content-encoding", coding.into()));
    }
    if head {
        reply.body.clear();
    }
    reply
}

/// Whether `Accept-Encoding` allows `coding` (present with q > 0, or `*`).
fn accepts(header: Option<&str>, coding: &str) -> bool {
    let Some(header) = header else { return false };
    let mut wildcard = false;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q=").map(|v| v.trim().parse::<f32>().unwrap_or(0.0)))
            .unwrap_or(1.0);
        if name == coding {
            return q > 0.0;
        }
        if name == "*" {
            wildcard = q > 0.0;
        }
    }
    wildcard
}

/// Decodes the path and refuses anything that could leave the root or reveal hidden files.
fn safe_relative(path_info: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(path_info).decode_utf8().ok()?;
    let mut out = PathBuf::new();
    for segment in decoded.split('/') {
        if segment.is_empty() {
            continue;
        }
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        out.push(segment);
    }
    Some(out)
}

/// Paths of JSON APIs and scheduled jobs, which never answer with a page.
/// The OpenAPI document (`web/openapi.json`) is the one static file under `/api`.
fn is_api(path: &str) -> bool {
    path != "/api/openapi.json" && ["/api", "/jobs"].iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

fn not_found(root: &Path, head: bool) -> Reply {
    let body = std::fs::read(root.join(NOT_FOUND_PAGE)).unwrap_or_else(|_| FALLBACK_404.into());
    Reply::uncached_html(404, if head { Vec::new() } else { body })
}

fn content_type(file: &Path) -> String {
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let mime = match ext.as_str() {
        // mime_guess has these as text/javascript or not at all; be explicit.
        "js" | "mjs" => "text/javascript".to_string(),
        "webmanifest" => "application/manifest+json".to_string(),
        "map" => "application/json".to_string(),
        _ => mime_guess::from_ext(&ext).first_or_octet_stream().essence_str().to_string(),
    };
    let textual = mime.starts_with("text/")
        || matches!(mime.as_str(), "application/json" | "application/manifest+json" | "image/svg+xml" | "application/xml");
    if textual { format!("{mime}; charset=utf-8") } else { mime }
}

/// A file named after its content by the web build: `js/…/<name>-<HASH>.mjs` (esbuild,
/// 8 characters) or `img/icons-<hash>.svg` (10 hex digits).
fn fingerprinted(rel: &Path) -> bool {
    let Some(stem) = rel.file_stem().and_then(|s| s.to_str()) else { return false };
    let Some((_, hash)) = stem.rsplit_once('-') else { return false };
    let bundled = rel.starts_with("js") && hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let sprite = rel.starts_with("img") && stem.starts_with("icons-") && hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    bundled || sprite
}

fn cache_control(rel: &Path, content_type: &str, policy: CachePolicy) -> String {
    if content_type.starts_with("text/html") {
        // Pages change with each release: always revalidate (cheap, thanks to the ETag).
        "no-cache".into()
    } else if rel.starts_with("vendor") || fingerprinted(rel) {
        // Third-party files live under a versioned directory (vendor/<name>-<version>/);
        // our bundles and icon sprite carry a hash of their content in their name.
        "public, max-age=31536000, immutable".into()
    } else {
        format!("public, max-age={}", policy.max_age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("index.html"), "<h1>Home</h1>").unwrap();
        std::fs::write(d.path().join("404.html"), "<h1>Non trovata</h1>").unwrap();
        std::fs::create_dir_all(d.path().join("css")).unwrap();
        std::fs::write(d.path().join("css/site.css"), "body{}").unwrap();
        std::fs::create_dir_all(d.path().join("vendor/lib-1.0")).unwrap();
        std::fs::write(d.path().join("vendor/lib-1.0/lib.js"), "x()").unwrap();
        std::fs::create_dir_all(d.path().join("sezione")).unwrap();
        std::fs::write(d.path().join("sezione/index.html"), "<h1>Sezione</h1>").unwrap();
        std::fs::write(d.path().join(".secret"), "no").unwrap();
        d
    }

    fn get<'a>(path: &'a str, inm: Option<&'a str>) -> Request<'a> {
        Request { method: "GET", path_info: path, full_path: path, query: "", if_none_match: inm, accept_encoding: None }
    }

    fn header<'a>(s: &'a Reply, name: &str) -> Option<&'a str> {
        s.header(name)
    }

    const P: CachePolicy = CachePolicy { max_age: 600 };

    #[test]
    fn files_named_after_their_content_are_cached_for_a_year() {
        for (rel, immutable) in [
            ("js/main-PCANQFIO.mjs", true),
            ("js/pages/accedi-V7B3NITW.mjs", true),
            ("js/chunks/chunk-JLB6G5NF.mjs", true),
            ("img/icons-708ec823c0.svg", true),
            ("js/autopost.js", false),
            ("js/main.mjs", false),
            ("img/logo-regione.svg", false),
            ("css/site-abc.css", false),
        ] {
            assert_eq!(fingerprinted(Path::new(rel)), immutable, "{rel}");
        }
    }

    #[test]
    fn unknown_api_and_job_paths_get_the_json_404() {
        let r = root();
        for path in ["/api", "/api/", "/api/nope", "/jobs/x"] {
            let reply = serve(r.path(), &Request { method: "POST", ..get(path, None) }, P);
            assert_eq!(reply.status, 404, "{path}");
            assert_eq!(reply.header("content-type"), Some("application/json; charset=utf-8"), "{path}");
            let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
            assert_eq!(v["error"]["code"], "not_found");
        }
        assert_eq!(serve(r.path(), &get("/apiary", None), P).header("content-type"), Some("text/html; charset=utf-8"));
    }

    #[test]
    fn serves_files_with_types_and_caching() {
        let r = root();
        let cases = [
            ("/", "text/html; charset=utf-8", "no-cache", "<h1>Home</h1>"),
            ("/css/site.css", "text/css; charset=utf-8", "public, max-age=600", "body{}"),
            ("/vendor/lib-1.0/lib.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "x()"),
            ("/sezione/", "text/html; charset=utf-8", "no-cache", "<h1>Sezione</h1>"),
        ];
        for (path, ty, cache, body) in cases {
            let s = serve(r.path(), &get(path, None), P);
            assert_eq!(s.status, 200, "{path}");
            assert_eq!(header(&s, "content-type"), Some(ty), "{path}");
            assert_eq!(header(&s, "cache-control"), Some(cache), "{path}");
            assert_eq!(s.body, body.as_bytes(), "{path}");
        }
    }

    #[test]
    fn etag_and_conditional_requests() {
        let r = root();
        let first = serve(r.path(), &get("/css/site.css", None), P);
        let etag = header(&first, "etag").unwrap().to_string();
        for inm in [etag.clone(), format!("W/{etag}"), format!("\"x\", {etag}"), "*".to_string()] {
            let s = serve(r.path(), &get("/css/site.css", Some(&inm)), P);
            assert_eq!(s.status, 304, "{inm}");
            assert!(s.body.is_empty());
            assert_eq!(header(&s, "etag"), Some(etag.as_str()));
        }
        assert_eq!(serve(r.path(), &get("/css/site.css", Some("\"other\"")), P).status, 200);
        std::fs::write(r.path().join("css/site.css"), "body{color:red}").unwrap();
        assert_eq!(serve(r.path(), &get("/css/site.css", Some(&etag)), P).status, 200, "a changed file has a new tag");
    }

    #[test]
    fn precompressed_copies_are_negotiated() {
        let r = root();
        std::fs::write(r.path().join("css/site.css.br"), "BR").unwrap();
        std::fs::write(r.path().join("css/site.css.gz"), "GZ").unwrap();
        let with = |ae: &'static str| Request { accept_encoding: Some(ae), ..get("/css/site.css", None) };
        let cases = [
            ("gzip, deflate, br", Some("br"), "BR"),
            ("gzip", Some("gzip"), "GZ"),
            ("br;q=0, gzip;q=0.5", Some("gzip"), "GZ"),
            ("*", Some("br"), "BR"),
            ("identity", None, "body{}"),
            ("br;q=0, *;q=0", None, "body{}"),
        ];
        for (ae, coding, body) in cases {
            let s = serve(r.path(), &with(ae), P);
            assert_eq!(s.status, 200, "{ae}");
            assert_eq!(header(&s, "content-encoding"), coding, "{ae}");
            assert_eq!(header(&s, "vary"), Some("accept-encoding"), "{ae}");
            assert_eq!(header(&s, "content-type"), Some("text/css; charset=utf-8"), "{ae}");
            assert_eq!(s.body, body.as_bytes(), "{ae}");
        }
        // each representation has its own tag
        let br = serve(r.path(), &with("br"), P);
        let plain = serve(r.path(), &get("/css/site.css", None), P);
        assert_ne!(header(&br, "etag"), header(&plain, "etag"));
        // a compressed copy without its original is not served
        std::fs::write(r.path().join("orphan.js.br"), "x").unwrap();
        assert_eq!(serve(r.path(), &Request { accept_encoding: Some("br"), ..get("/orphan.js", None) }, P).status, 404);
        // files without copies carry no Vary
        assert_eq!(header(&serve(r.path(), &with("br"), P), "vary"), Some("accept-encoding"));
        assert_eq!(header(&serve(r.path(), &Request { accept_encoding: Some("br"), ..get("/", None) }, P), "vary"), None);
    }

    #[test]
    fn directory_without_slash_redirects() {
        let r = root();
        let req = Request { query: "a=1", ..get("/sezione", None) };
        let s = serve(r.path(), &req, P);
        assert_eq!(s.status, 301);
        assert_eq!(header(&s, "location"), Some("/sezione/?a=1"));
    }

    #[test]
    fn not_found_and_refused_paths_get_the_404_page() {
        let r = root();
        for path in ["/nope.html", "/../etc/passwd", "/%2e%2e/x", "/.secret", "/css/..%2f..%2fx", "/a%00b", "/a%5cb", "/%ff"] {
            let s = serve(r.path(), &get(path, None), P);
            assert_eq!(s.status, 404, "{path}");
            assert_eq!(s.body, b"<h1>Non trovata</h1>", "{path}");
        }
    }

    #[test]
    fn head_has_headers_but_no_body_and_other_methods_are_refused() {
        let r = root();
        let head = Request { method: "HEAD", ..get("/css/site.css", None) };
        let s = serve(r.path(), &head, P);
        assert_eq!(s.status, 200);
        assert!(s.body.is_empty());
        assert!(header(&s, "etag").is_some());
        let post = Request { method: "POST", ..get("/", None) };
        let s = serve(r.path(), &post, P);
        assert_eq!(s.status, 405);
        assert_eq!(header(&s, "allow"), Some("GET, HEAD"));
    }
}
