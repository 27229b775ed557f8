//! Requests as plain data ([`Req`]), read from Spin's incoming request with a bounded
//! body ([`serve`]), so every handler is a function of a `Req` that native unit tests
//! can build ([`Req::new`]).
//!
//! The body is streamed from the host and refused with 413 (the JSON error) as soon as
//! it would pass the route's [`BodyLimit`], or at once when `Content-Length` says so:
//! memory never holds more than the limit. A `Req` also carries the request's clock
//! ([`Req::now`]) and the component's variables ([`Req::var`]), so logic that depends
//! on time or configuration is testable without a host.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::{ApiError, Query};

/// JSON bodies: requests of forms and actions, never files.
pub const JSON_MAX: usize = 64 * 1024;

/// The largest body a route accepts, and the error that refuses a larger one.
#[derive(Debug, Clone)]
pub struct BodyLimit {
    pub max: usize,
    pub error: ApiError,
}

impl BodyLimit {
    /// `max` bytes, refused with 413 `payload_too_large`.
    pub fn bytes(max: usize) -> Self {
        Self { max, error: ApiError::payload_too_large(max) }
    }

    /// JSON bodies: [`JSON_MAX`].
    pub fn json() -> Self {
        Self::bytes(JSON_MAX)
    }

    /// No body at all (GET, HEAD): one byte is already too many.
    pub fn none() -> Self {
        Self { max: 0, error: ApiError::new(413, "payload_too_large", "Questa richiesta non accetta dati allegati.") }
    }

    /// [`Self::json`] for POST, PUT, PATCH and DELETE (whose pages send `{}`),
    /// [`Self::none`] for anything else.
    pub fn for_method(method: &str) -> Self {
        if matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") { Self::json() } else { Self::none() }
    }

    /// The same limit, refused with `error` (e.g. a file input's own message).
    pub fn with_error(mut self, error: ApiError) -> Self {
        self.error = error;
        self
    }
}

/// Where a variable's value comes from.
#[derive(Debug, Clone)]
enum Vars {
    /// Spin's variables (the component's `[component.x.variables]`).
    #[cfg(target_arch = "wasm32")]
    Spin,
    Map(BTreeMap<String, String>),
}

/// An HTTP request as plain data.
#[derive(Debug, Clone)]
pub struct Req {
    /// Upper case: `GET`, `POST`, …
    pub method: String,
    /// The path, without query string (`/api/cv/3`).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Names in lower case; values that are not text are dropped.
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The request's time, unix seconds: the clock, or in development the test clock.
    pub now: i64,
    vars: Vars,
}

impl Req {
    /// A request for tests: `target` is a path with an optional query string.
    pub fn new(method: &str, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Self {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            query: query.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
            now: crate::rome::unix_now(),
            vars: Vars::Map(BTreeMap::new()),
        }
    }

    /// Adds a header (tests).
    pub fn header_set(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// A JSON body with its content type (tests).
    pub fn json_body(self, value: &serde_json::Value) -> Self {
        let mut r = self.header_set("content-type", "application/json");
        r.body = serde_json::to_vec(value).unwrap_or_default();
        r
    }

    /// A raw body (tests).
    pub fn raw_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The request's time (tests).
    pub fn at(mut self, now: i64) -> Self {
        self.now = now;
        self
    }

    /// Sets a variable (tests; in a component variables come from Spin).
    pub fn var_set(mut self, name: &str, value: &str) -> Self {
        match &mut self.vars {
            Vars::Map(m) => {
                m.insert(name.to_string(), value.to_string());
            }
            #[cfg(target_arch = "wasm32")]
            Vars::Spin => {}
        }
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A variable of the component, if set.
    pub fn var(&self, name: &str) -> Option<String> {
        match &self.vars {
            Vars::Map(m) => m.get(name).cloned(),
            #[cfg(target_arch = "wasm32")]
            Vars::Spin => spin_sdk::variables::get(name).ok(),
        }
    }

    /// A variable that is set and not blank, trimmed.
    pub fn var_text(&self, name: &str) -> Option<String> {
        self.var(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// A numeric variable, or `default` when unset or not a number.
    pub fn var_number(&self, name: &str, default: i64) -> i64 {
        self.var_text(name).and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    /// A switch variable: on only when exactly `true`.
    pub fn var_flag(&self, name: &str) -> bool {
        self.var(name).is_some_and(|v| v.trim() == "true")
    }

    /// The query string, decoded (414 when absurdly long).
    pub fn query(&self) -> Result<Query, ApiError> {
        Query::parse(&self.query)
    }

    /// The body is JSON (`Content-Type: application/json`).
    pub fn is_json(&self) -> bool {
        self.header("content-type").is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("application/json"))
    }

    /// The caller wants JSON back (it accepts or sends JSON) rather than a page.
    pub fn wants_json(&self) -> bool {
        self.header("accept").is_some_and(|a| a.contains("application/json")) || self.is_json()
    }

    /// The body as `T`: it must be declared `application/json` (else 415), be UTF-8
    /// JSON (else 400 `invalid_json`) and have `T`'s shape (unknown fields are refused
    /// by `#[serde(deny_unknown_fields)]` on `T`; else 400 `invalid_json`). Nothing is
    /// written before this succeeds.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.is_json() {
            return Err(unsupported_media_type("application/json"));
        }
        parse_json(&self.body)
    }

    /// An `application/x-www-form-urlencoded` body (415 for another type, 400 when not UTF-8).
    pub fn form(&self) -> Result<Query, ApiError> {
        let declared = self.header("content-type").map(|t| t.trim_start().to_ascii_lowercase());
        if !declared.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")) {
            return Err(unsupported_media_type("application/x-www-form-urlencoded"));
        }
        let text = std::str::from_utf8(&self.body).map_err(|_| ApiError::bad_request("invalid_form", "I dati del modulo non sono leggibili."))?;
        Ok(Query::parse_form(text))
    }

    /// The address of the client as the host saw it (`spin-client-addr`, without port).
    pub fn client_addr(&self) -> Option<String> {
        let raw = self.header("spin-client-addr")?;
        // `1.2.3.4:5678` or `[::1]:5678`
        let host = match raw.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => raw,
        };
        Some(host.trim_start_matches('[').trim_end_matches(']').to_string())
    }
}

/// A path segment that names a row: a positive integer, or 404 (the route's routers).
pub fn path_id(segment: &str) -> Result<i64, ApiError> {
    segment.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(ApiError::not_found)
}

/// A path's segments after its leading `/`, a trailing `/` ignored: what a router matches.
pub fn segments(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').skip(1).collect()
}

/// `get` for GET and HEAD, `post` for POST, 405 for any other method.
pub fn get_or_post<T>(method: &str, get: T, post: T) -> Result<T, ApiError> {
    match method {
        "GET" | "HEAD" => Ok(get),
        "POST" => Ok(post),
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// `route` when the request's method is one it takes (`ok`), 405 otherwise.
pub fn allowed<T>(ok: bool, route: T) -> Result<T, ApiError> {
    if ok { Ok(route) } else { Err(ApiError::method_not_allowed()) }
}

/// Parses UTF-8 JSON into `T` (400 `invalid_json` otherwise, the cause logged).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| invalid_json("the body is not UTF-8"))?;
    serde_json::from_str(text).map_err(|e| invalid_json(&e.to_string()))
}

fn invalid_json(cause: &str) -> ApiError {
    eprintln!("request: unreadable JSON body: {cause}");
    ApiError::bad_request("invalid_json", "I dati inviati non sono nel formato atteso. Ricarica la pagina e riprova.")
}

pub fn unsupported_media_type(expected: &str) -> ApiError {
    ApiError::new(415, "unsupported_media_type", format!("I dati vanno inviati nel formato {expected}."))
}

/// The path of a URI that may be absolute (`http://host/p?q`) or origin-form (`/p?q`),
/// and its query string.
pub fn split_uri(uri: &str) -> (String, String) {
    let rest = match uri.split_once("://") {
        Some((_, r)) => r.find('/').map_or("/", |i| &r[i..]),
        None => uri,
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() { "/" } else { path };
    (path.to_string(), query.to_string())
}

/// The declared `Content-Length`, when present and a number.
pub fn declared_length(headers: &[(String, String)]) -> Option<u64> {
    headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.trim().parse().ok())
}

#[cfg(target_arch = "wasm32")]
mod spin_impl {
    use std::future::Future;

    use futures::{SinkExt, TryStreamExt};
    use spin_sdk::http::{Headers, IncomingRequest, OutgoingResponse, ResponseOutparam};

    use super::*;
    use crate::Reply;

    /// Header of the development test clock (unix seconds), honoured only where the
    /// component has the variable `dev_clock = "true"`: the development manifest.
    pub const DEV_NOW_HEADER: &str = "x-dev-now";

    /// Reads the request with the body limit that `limit` gives for its method and path,
    /// runs `handler`, and sends its reply. Every component's entry point.
    pub async fn serve<F, Fut>(incoming: IncomingRequest, out: ResponseOutparam, limit: impl FnOnce(&str, &str) -> BodyLimit, handler: F)
    where
        F: FnOnce(Req) -> Fut,
        Fut: Future<Output = Reply>,
    {
        let reply = match read(incoming, limit).await {
            Ok(req) => handler(req).await,
            Err(e) => Reply::from(e),
        };
        send(out, reply).await;
    }

    /// [`serve`] for a component whose whole request is `handle(req, db)` on the
    /// `default` SQLite database (opened for the request; a failure to open is a 500).
    pub async fn serve_sql(incoming: IncomingRequest, out: ResponseOutparam, limit: impl FnOnce(&str, &str) -> BodyLimit, handle: fn(&Req, &dyn crate::sql::Db) -> Reply) {
        serve(incoming, out, limit, |req| async move {
            match crate::sql::open() {
                Ok(db) => handle(&req, &db),
                Err(e) => Reply::from(e),
            }
        })
        .await
    }

    async fn read(incoming: IncomingRequest, limit: impl FnOnce(&str, &str) -> BodyLimit) -> Result<Req, ApiError> {
        let method = incoming.method().to_string().to_ascii_uppercase();
        let (path, query) = split_uri(&incoming.uri());
        let headers: Vec<(String, String)> = incoming
            .headers()
            .entries()
            .into_iter()
            .filter_map(|(k, v)| String::from_utf8(v).ok().map(|v| (k.to_ascii_lowercase(), v)))
            .collect();
        let limit = limit(&method, &path);
        if let Some(n) = declared_length(&headers).filter(|n| *n > limit.max as u64) {
            eprintln!("request: refused a body of {n} bytes on {method} {path} before reading it (limit {})", limit.max);
            return Err(limit.error);
        }
        let mut body = Vec::new();
        let mut stream = incoming.into_body_stream();
        while let Some(chunk) = stream.try_next().await.map_err(|e| ApiError::bad_request("body_unreadable", format!("La richiesta non è arrivata completa ({e:?}).")))? {
            if body.len() + chunk.len() > limit.max {
                eprintln!("request: cut a body over {} bytes on {method} {path}", limit.max);
                return Err(limit.error);
            }
            body.extend_from_slice(&chunk);
        }
        let mut req = Req { method, path, query, headers, body, now: crate::rome::unix_now(), vars: Vars::Spin };
        if let Some(t) = req.header(DEV_NOW_HEADER).and_then(|v| v.trim().parse::<i64>().ok()) {
            if req.var_flag("dev_clock") {
                req.now = t;
            }
        }
        Ok(req)
    }

    /// Sends `reply` with the headers every response carries.
    pub async fn send(out: ResponseOutparam, reply: Reply) {
        let (status, headers, body) = reply.finish();
        let list: Vec<(String, Vec<u8>)> = headers.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
        let response = match Headers::from_list(&list) {
            Ok(h) => OutgoingResponse::new(h),
            Err(e) => {
                eprintln!("response: invalid headers: {e:?}");
                OutgoingResponse::new(Headers::new())
            }
        };
        if response.set_status_code(status).is_err() {
            eprintln!("response: invalid status {status}");
        }
        let mut sink = response.take_body();
        out.set(response);
        if !body.is_empty() {
            if let Err(e) = sink.send(body).await {
                eprintln!("response: the body could not be sent: {e:?}");
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use spin_impl::{DEV_NOW_HEADER, send, serve, serve_sql};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_ids_and_allowed_methods() {
        assert_eq!(path_id("42"), Ok(42));
        for bad in ["0", "-1", "x", "", "1.5", "99999999999999999999"] {
            assert_eq!(path_id(bad).unwrap_err().status, 404, "{bad}");
        }
        assert_eq!(allowed(true, 7), Ok(7));
        assert_eq!(allowed(false, 7).unwrap_err().status, 405);
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct In {
        #[allow(dead_code)]
        a: Option<i64>,
    }

    #[test]
    fn json_needs_its_content_type_utf8_and_known_fields() {
        let ok = Req::new("POST", "/x").json_body(&serde_json::json!({"a": 1}));
        assert!(ok.json::<In>().is_ok());
        let plain = Req::new("POST", "/x").raw_body(&b"{\"a\":1}"[..]);
        assert_eq!(plain.json::<In>().unwrap_err().status, 415);
        let unknown = Req::new("POST", "/x").json_body(&serde_json::json!({"zzz": 1}));
        assert_eq!(unknown.json::<In>().unwrap_err().code, "invalid_json");
        let latin1 = Req::new("POST", "/x").header_set("content-type", "application/json").raw_body(&b"{\"a\":\"\xe8\"}"[..]);
        assert_eq!(latin1.json::<In>().unwrap_err().code, "invalid_json");
        let charset = Req::new("POST", "/x").header_set("Content-Type", "application/json; charset=utf-8").raw_body(&b"{}"[..]);
        assert!(charset.json::<In>().is_ok());
    }

    #[test]
    fn forms_need_their_content_type() {
        let f = Req::new("POST", "/x").header_set("content-type", "application/x-www-form-urlencoded").raw_body(&b"a=1&b=%C3%A8"[..]);
        assert_eq!(f.form().unwrap().get("b"), Some("è"));
        assert_eq!(Req::new("POST", "/x").raw_body(&b"a=1"[..]).form().unwrap_err().status, 415);
    }

    #[test]
    fn uris_split_into_path_and_query() {
        assert_eq!(split_uri("http://h:3000/api/cv?x=1&y=2"), ("/api/cv".into(), "x=1&y=2".into()));
        assert_eq!(split_uri("/a/b"), ("/a/b".into(), "".into()));
        assert_eq!(split_uri("https://h"), ("/".into(), "".into()));
        let r = Req::new("get", "/p?q=1");
        assert_eq!((r.method.as_str(), r.path.as_str(), r.query.as_str()), ("GET", "/p", "q=1"));
    }

    #[test]
    fn limits_by_method() {
        assert_eq!(BodyLimit::for_method("POST").max, JSON_MAX);
        assert_eq!(BodyLimit::for_method("GET").max, 0);
        assert_eq!(BodyLimit::for_method("DELETE").max, JSON_MAX, "the pages send {{}} with a DELETE");
        assert_eq!(BodyLimit::json().error.status, 413);
        let custom = BodyLimit::bytes(10).with_error(ApiError::new(413, "file_too_large", "x"));
        assert_eq!(custom.error.code, "file_too_large");
    }

    #[test]
    fn variables_and_client_address() {
        let r = Req::new("GET", "/").var_set("n", " 42 ").var_set("on", "true").var_set("blank", "  ");
        assert_eq!((r.var_number("n", 1), r.var_number("missing", 7)), (42, 7));
        assert!(r.var_flag("on") && !r.var_flag("n"));
        assert_eq!(r.var_text("blank"), None);
        let r = Req::new("GET", "/").header_set("spin-client-addr", "10.1.2.3:5555");
        assert_eq!(r.client_addr().as_deref(), Some("10.1.2.3"));
        let r = Req::new("GET", "/").header_set("spin-client-addr", "[::1]:80");
        assert_eq!(r.client_addr().as_deref(), Some("::1"));
    }
}
