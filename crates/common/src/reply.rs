//! A response independent of the host, so component logic is testable natively.
//! Security headers are added when it becomes a Spin response (see `spin`).

use serde::Serialize;

use crate::{ApiError, headers};

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// JSON with personal or changing data: never stored by caches.
    pub fn json(status: u16, value: &impl Serialize) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
        Ok(Self {
            status,
            headers: vec![(headers::JSON.0, headers::JSON.1.into()), (headers::NO_STORE.0, headers::NO_STORE.1.into())],
            body,
        })
    }

    /// Public JSON that edges and browsers may cache for `max_age` seconds, with a
    /// strong ETag; answers `304 Not Modified` when `if_none_match` matches.
    pub fn public_json(value: &impl Serialize, max_age: u32, if_none_match: Option<&str>) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
        Ok(Self::public(body, "application/json; charset=utf-8", max_age, if_none_match))
    }

    /// Any public body (HTML, XML, …) that caches may keep for `max_age` seconds.
    pub fn public(body: Vec<u8>, content_type: &str, max_age: u32, if_none_match: Option<&str>) -> Self {
        Self::cacheable(body, content_type, format!("public, max-age={max_age}"), if_none_match)
    }

    /// Public content that changes when someone acts (offers published, edited, closed):
    /// browsers revalidate on every use (`max-age=0`, the ETag makes that a `304`), so
    /// a change shows at once; shared caches (edges) may serve it for `s_maxage` seconds.
    pub fn shared(body: Vec<u8>, content_type: &str, s_maxage: u32, if_none_match: Option<&str>) -> Self {
        Self::cacheable(body, content_type, format!("public, max-age=0, must-revalidate, s-maxage={s_maxage}"), if_none_match)
    }

    /// [`Reply::shared`] JSON.
    pub fn shared_json(value: &impl Serialize, s_maxage: u32, if_none_match: Option<&str>) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
        Ok(Self::shared(body, "application/json; charset=utf-8", s_maxage, if_none_match))
    }

    /// `303 See Other` to `location`, never cached (after a form, a login, a link).
    pub fn see_other(location: &str) -> Self {
        Self { status: 303, headers: vec![("location", location.to_string()), ("cache-control", "no-store".into())], body: Vec::new() }
    }

    /// An HTML page that must not be cached (error pages such as 404).
    pub fn uncached_html(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/html; charset=utf-8".into()), ("cache-control", "no-cache".into())],
            body,
        }
    }

    /// A cacheable body with an ETag over its bytes; `304` without body when it matches.
    pub fn cacheable(body: Vec<u8>, content_type: &str, cache_control: String, if_none_match: Option<&str>) -> Self {
        let etag = etag_for(&body);
        let mut headers = vec![("etag", etag.clone()), ("cache-control", cache_control)];
        if if_none_match.is_some_and(|inm| etag_matches(inm, &etag)) {
            return Self { status: 304, headers, body: Vec::new() };
        }
        headers.push(("content-type", content_type.to_string()));
        Self { status: 200, headers, body }
    }
}

impl Reply {
    /// The status, every header to send (the security headers of [`headers::BASE`], and
    /// [`headers::HTML`] for HTML, unless the reply sets its own), and the body.
    pub fn finish(self) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let html = self.header("content-type").is_some_and(|t| t.starts_with("text/html"));
        let mut out: Vec<(String, String)> = Vec::with_capacity(self.headers.len() + 6);
        let own = |name: &str| self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        for (k, v) in headers::BASE.iter().chain(if html { headers::HTML } else { &[] }) {
            if !own(k) {
                out.push(((*k).to_string(), (*v).to_string()));
            }
        }
        if !self.body.is_empty() && !own("content-length") {
            out.push(("content-length".into(), self.body.len().to_string()));
        }
        out.extend(self.headers.into_iter().map(|(k, v)| (k.to_string(), v)));
        (self.status, out, self.body)
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        let mut headers = vec![(headers::JSON.0, headers::JSON.1.into()), (headers::NO_STORE.0, headers::NO_STORE.1.into())];
        if let Some(secs) = e.retry_after {
            headers.push(("retry-after", secs.to_string()));
        }
        Self { status: e.status, headers, body: e.body() }
    }
}

/// `Content-Disposition: attachment` with an ASCII fallback (quotes, backslashes and
/// anything not printable ASCII become `_`) and the UTF-8 name (RFC 6266, RFC 5987).
pub fn attachment(name: &str) -> String {
    let ascii: String = name.chars().map(|c| if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' { c } else { '_' }).collect();
    let encoded: String = name.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A strong ETag over the content (xxh3-128: fast enough to run on every request).
pub fn etag_for(body: &[u8]) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body))
}

/// `If-None-Match` with a list of tags, `*`, and weak comparison (RFC 9110 §13.1.2).
pub fn etag_matches(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_json_revalidates_with_its_etag() {
        let v = serde_json::json!({"a": 1});
        let first = Reply::public_json(&v, 300, None).unwrap();
        assert_eq!(first.status, 200);
        assert_eq!(first.header("cache-control"), Some("public, max-age=300"));
        let etag = first.header("etag").unwrap().to_string();
        let again = Reply::public_json(&v, 300, Some(&etag)).unwrap();
        assert_eq!((again.status, again.body.len()), (304, 0));
        let weak = Reply::public_json(&v, 300, Some(&format!("W/{etag}, \"x\""))).unwrap();
        assert_eq!(weak.status, 304);
        let changed = Reply::public_json(&serde_json::json!({"a": 2}), 300, Some(&etag)).unwrap();
        assert_eq!(changed.status, 200);
    }

    #[test]
    fn finished_replies_carry_the_security_headers_once() {
        let (status, h, body) = Reply::uncached_html(200, b"<p>x</p>".to_vec()).finish();
        assert_eq!((status, body.len()), (200, 8));
        let get = |n: &str| h.iter().filter(|(k, _)| k == n).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
        assert_eq!(get("x-content-type-options"), ["nosniff"]);
        assert_eq!(get("content-security-policy").len(), 1);
        assert_eq!(get("content-length"), ["8"]);
        let mut r = Reply::uncached_html(200, Vec::new());
        r.headers.push(("content-security-policy", "default-src 'none'".into()));
        r.headers.push(("set-cookie", "a=1".into()));
        r.headers.push(("set-cookie", "b=2".into()));
        let (_, h, _) = r.finish();
        let csp: Vec<_> = h.iter().filter(|(k, _)| k == "content-security-policy").collect();
        assert_eq!(csp.len(), 1, "a reply's own CSP replaces the default");
        assert_eq!(h.iter().filter(|(k, _)| k == "set-cookie").count(), 2, "several cookies in one reply");
        let (_, h, _) = Reply::from(ApiError::new(429, "x", "y").retry_after(30)).finish();
        assert!(h.contains(&("retry-after".into(), "30".into())));
    }

    #[test]
    fn attachments_keep_their_names_safely() {
        assert_eq!(attachment("Curriculum è.pdf"), "attachment; filename=\"Curriculum _.pdf\"; filename*=UTF-8''Curriculum%20%C3%A8%2Epdf");
        assert!(attachment("a\"b\\c.pdf").starts_with("attachment; filename=\"a_b_c.pdf\""));
    }

    #[test]
    fn errors_and_private_json_are_not_cached() {
        let r = Reply::from(ApiError::not_found());
        assert_eq!(r.status, 404);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let r = Reply::json(200, &serde_json::json!({"me": "x"})).unwrap();
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
}
