//! `cv`: citizens' CVs (C2), companies' anonymised search (B3), view requests (C3) and
//! the retention job. The API is described in the README ("CVs").
//!
//! - `GET|POST /api/cv`, `GET /api/cv/form`, `GET|PUT|DELETE /api/cv/{id}`,
//!   `GET /api/cv/{id}/file`, `GET /api/cv/{id}/history` (the owner; the file also a
//!   company with an accepted request)
//! - `GET /api/cv-search` (a person acting for a company)
//! - `GET|POST /api/cv-requests` (the owner's list and decisions; a company's list and
//!   new requests), `GET|POST /api/cv-requests/decision?token=` (the e-mail/SMS link,
//!   no login)
//! - `GET|POST /api/operator/cv?person=<codice fiscale>`, `GET /api/operator/cv/{id}/file`
//!   (a CPI operator, for the citizens of the CPI they work for)
//! - `POST /jobs/cv/retention` (`Authorization: Bearer <jobs_secret>`)
//!
//! Uploads are the file's bytes as the request body (not multipart), with the form's
//! fields as JSON in the `X-CV-Meta` header (see [`parse_meta_header`]): the 5 MB limit
//! is then the body's own limit, checked on `Content-Length` before anything is read,
//! and the browser's `XMLHttpRequest.upload` progress events work the same.
//!
//! The logic is plain Rust here, in [`cvs`] (the owner's pages), [`link`] (the decision
//! link) and [`handler`] (a module a route family), which reads and writes the database
//! through `common::sql::Db`: unit tests run all of it natively.

use common::ApiError;
use common::http::{allowed, path_id, segments};
use common::validation::Fields;
use serde::Deserialize;

pub mod cvs;
pub mod link;

pub mod handler;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    Upload,
    Form,
    Detail(i64),
    Update(i64),
    Delete(i64),
    File(i64),
    History(i64),
    Search,
    Requests,
    RequestsPost,
    DecisionPage,
    Decide,
    Retention,
    OperatorList,
    OperatorUpload,
    OperatorFile(i64),
}

impl Route {
    /// Routes whose body is a CV file (up to [`max_upload`] bytes); others take at
    /// most [`MAX_JSON`] bytes.
    pub fn takes_file(&self) -> bool {
        matches!(self, Route::Upload | Route::Update(_) | Route::OperatorUpload)
    }
}

/// Largest JSON or form body.
pub const MAX_JSON: usize = 16 * 1024;

/// Largest CV file (5 MiB, cvtext's default).
pub fn max_upload() -> usize {
    cvtext::Limits::default().max_bytes
}

/// Most CVs one person may keep.
pub const MAX_CVS_PER_PERSON: i64 = 20;
pub const MAX_DESCRIPTION: usize = 200;
pub const MAX_POSITION: usize = 100;
/// Characters of anonymised text in a search result.
pub const RESULT_TEXT_CHARS: usize = 4000;

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    match parts.as_slice() {
        ["api", "cv"] => match method {
            "GET" | "HEAD" => Ok(Route::List),
            "POST" => Ok(Route::Upload),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "cv", "form"] => allowed(get, Route::Form),
        ["api", "cv", n] => {
            let n = path_id(n)?;
            match method {
                "GET" | "HEAD" => Ok(Route::Detail(n)),
                "PUT" => Ok(Route::Update(n)),
                "DELETE" => Ok(Route::Delete(n)),
                _ => Err(ApiError::method_not_allowed()),
            }
        }
        ["api", "cv", n, "file"] => {
            let n = path_id(n)?;
            allowed(get, Route::File(n))
        }
        ["api", "cv", n, "history"] => {
            let n = path_id(n)?;
            allowed(get, Route::History(n))
        }
        ["api", "cv-search"] => allowed(get, Route::Search),
        ["api", "cv-requests"] => match method {
            "GET" | "HEAD" => Ok(Route::Requests),
            "POST" => Ok(Route::RequestsPost),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "cv-requests", "decision"] => match method {
            "GET" | "HEAD" => Ok(Route::DecisionPage),
            "POST" => Ok(Route::Decide),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["jobs", "cv", "retention"] => allowed(method == "POST", Route::Retention),
        ["api", "operator", "cv"] => match method {
            "GET" | "HEAD" => Ok(Route::OperatorList),
            "POST" => Ok(Route::OperatorUpload),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "operator", "cv", n, "file"] => {
            let n = path_id(n)?;
            allowed(get, Route::OperatorFile(n))
        }
        _ => Err(ApiError::not_found()),
    }
}

// ---------------------------------------------------------------------------------
// The form: description, consent, territories
// ---------------------------------------------------------------------------------

/// The form's fields (upload: the `X-CV-Meta` header; edit: the JSON body or the header).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaIn {
    pub description: Option<String>,
    pub search_consent: Option<bool>,
    pub territories: Option<Vec<String>>,
    /// The file's name on the citizen's computer (shown in the list and used on download).
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub description: String,
    pub search_consent: bool,
    pub territories: Vec<String>,
}

/// The `X-CV-Meta` header: JSON, or JSON percent-encoded (`encodeURIComponent`), since
/// header values must be ASCII. 400 when unreadable.
pub fn parse_meta_header(value: Option<&str>) -> Result<MetaIn, ApiError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(MetaIn::default()) };
    let decoded = if v.starts_with('{') { v.to_string() } else { percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned() };
    if decoded.len() > MAX_JSON {
        return Err(ApiError::payload_too_large(MAX_JSON));
    }
    serde_json::from_str(&decoded).map_err(|e| {
        eprintln!("cv: unreadable X-CV-Meta: {e}");
        ApiError::bad_request("invalid_meta", "I dati del modulo non sono nel formato atteso. Ricarica la pagina e riprova.")
    })
}

/// Checks the form against the known territory codes; 422 per field.
pub fn validate_meta(input: &MetaIn, areas: &[String]) -> Result<Meta, ApiError> {
    let mut f = Fields::new();
    let description = input.description.as_deref().unwrap_or("").trim().to_string();
    if description.chars().count() > MAX_DESCRIPTION {
        f.add("description", "too_long", format!("La descrizione può contenere al massimo {MAX_DESCRIPTION} caratteri."));
    }
    if description.chars().any(char::is_control) {
        f.add("description", "invalid_format", "La descrizione non può contenere caratteri di controllo o ritorni a capo.");
    }
    let consent = input.search_consent;
    if consent.is_none() {
        f.add("search_consent", "required", "Indica se presti il consenso alla ricerca del tuo CV da parte delle aziende.");
    }
    let mut territories: Vec<String> = Vec::new();
    for t in input.territories.as_deref().unwrap_or(&[]) {
        let t = t.trim().to_lowercase();
        if !areas.contains(&t) {
            f.add("territories", "invalid_choice", "Uno dei territori indicati non esiste: scegli tra quelli elencati.");
            break;
        }
        if !territories.contains(&t) {
            territories.push(t);
        }
    }
    if consent == Some(true) && territories.is_empty() && !f.has("territories") {
        f.add("territories", "required", "Scegli almeno un territorio di interesse, oppure «Seleziona tutti».");
    }
    f.into_result()?;
    territories.sort();
    Ok(Meta { description, search_consent: consent.unwrap_or(false), territories })
}

/// A file name safe to show and to send in `Content-Disposition`: no path, no control
/// or quote characters, at most 120 characters, with the extension of the detected type.
pub fn file_name(raw: Option<&str>, kind: cvtext::Kind) -> String {
    let base = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match base.rfind('.') {
        Some(i) => &base[..i],
        None => base,
    };
    let mut clean: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';' | '<' | '>' | '*' | '?' | '|' | ':'))
        .collect::<String>()
        .trim()
        .trim_matches('.')
        .to_string();
    if clean.is_empty() {
        clean = "curriculum".into();
    }
    let clean: String = clean.chars().take(120).collect();
    format!("{clean}.{}", kind.extension())
}

// ---------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------

/// Words of a search input as FTS5 string literals (letters and digits only, so nothing
/// the user types is FTS syntax); words of 3+ characters also match as prefixes.
pub fn fts_terms(input: &str) -> Vec<String> {
    input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| {
            let w: String = w.to_lowercase().chars().take(40).collect();
            if w.chars().count() >= 3 { format!("\"{w}\"*") } else { format!("\"{w}\"") }
        })
        .collect()
}

/// The facet token of a territory (`empolese-valdelsa` → `aempolesevaldelsa`).
pub fn area_facet(code: &str) -> String {
    format!("a{}", code.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
}

/// The FTS5 MATCH expression of a search, or `None` when nothing narrows it.
pub fn fts_query(keywords: &str, occupation: &str, territories: &[String]) -> Option<String> {
    let mut terms = fts_terms(keywords);
    terms.extend(fts_terms(occupation));
    let mut parts = Vec::new();
    if !terms.is_empty() {
        parts.push(format!("{{body}} : ({})", terms.join(" AND ")));
    }
    if !territories.is_empty() {
        parts.push(format!("{{facets}} : ({})", territories.iter().map(|t| area_facet(t)).collect::<Vec<_>>().join(" OR ")));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// Territory codes of a `territory=a,b` parameter, checked against the known ones.
pub fn parse_territories(raw: Option<&str>, areas: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for t in raw.unwrap_or("").split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()) {
        if !areas.contains(&t) {
            return Err(ApiError::invalid_field("territory", "invalid_choice", "Uno dei territori indicati non esiste."));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// The first `max` characters, and whether the text was longer.
pub fn truncate(text: &str, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        Some((i, _)) => (text[..i].to_string(), true),
        None => (text.to_string(), false),
    }
}

// ---------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------

/// The manual's words for a request's state.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "accepted" => "ACCETTATA",
        "refused" => "RIFIUTATA",
        _ => "RICHIESTA",
    }
}

/// `accept` / `refuse` (also the buttons' Italian words) to the stored status.
pub fn decision(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "accept" | "accepted" | "autorizza" | "accetta" => Some("accepted"),
        "refuse" | "refused" | "rifiuta" => Some("refused"),
        _ => None,
    }
}

/// A position ("Posizione lavorativa") as typed: trimmed, one line, bounded.
pub fn position(raw: Option<&str>) -> Result<String, ApiError> {
    let p = raw.unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    if p.is_empty() {
        return Err(ApiError::invalid_field("position", "required", "Indica il profilo o la posizione lavorativa per cui chiedi di vedere il CV."));
    }
    if p.chars().count() > MAX_POSITION || p.chars().any(char::is_control) || p.contains("{{") {
        return Err(ApiError::invalid_field("position", "too_long", format!("La posizione lavorativa può contenere al massimo {MAX_POSITION} caratteri.")));
    }
    Ok(p)
}

/// Hex SHA-256 of a decision-link token; `None` for anything that cannot be one of our
/// tokens (64 lower-case hex digits), which is then not looked up at all.
pub fn token_hash(token: &str) -> Option<String> {
    use sha2::Digest;
    let ok = token.len() == 64 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then(|| sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether a search result's CV handle can be one of ours (32 hex digits); anything
/// else is not looked up.
pub fn is_handle(handle: &str) -> bool {
    handle.len() == 32 && handle.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days a CV is kept after its last upload, change or use (365).
    pub keep_days: i64,
    /// Days before the deletion the owner is warned (15).
    pub notice_days: i64,
}

impl Retention {
    /// CVs whose last activity is at or before this time get the notice.
    pub fn notice_before(&self, now: i64) -> i64 {
        now - (self.keep_days - self.notice_days) * 86_400
    }

    /// CVs whose last activity is at or before this time may go (if warned long enough ago).
    pub fn delete_before(&self, now: i64) -> i64 {
        now - self.keep_days * 86_400
    }

    /// A notice sent at or before this time has given the owner the full notice period.
    pub fn noticed_before(&self, now: i64) -> i64 {
        now - self.notice_days * 86_400
    }

    /// When a CV last active at `last` and warned at `noticed` is deleted.
    pub fn deletion_at(&self, last: i64, noticed: i64) -> i64 {
        (last + self.keep_days * 86_400).max(noticed + self.notice_days * 86_400)
    }
}

/// The `now` of a job call: the clock, or `?now=<unix seconds>` when the development
/// clock (`dev_clock = "true"`) is on; 400 when asked for without it.
pub fn job_now(query_now: Option<&str>, dev_clock: bool, clock: i64) -> Result<i64, ApiError> {
    match query_now {
        None => Ok(clock),
        Some(_) if !dev_clock => Err(ApiError::bad_request(
            "dev_clock_off",
            "Il parametro now è accettato solo con l'orologio simulato di sviluppo (dev_clock).",
        )),
        Some(v) => v.trim().parse::<i64>().map_err(|_| ApiError::bad_request("invalid_now", "Il parametro now deve essere un numero di secondi (Unix).")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn areas() -> Vec<String> {
        ["arezzo", "empolese-valdelsa", "firenze", "prato"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/api/cv"), Ok(Route::List));
        assert_eq!(route("POST", "/api/cv/"), Ok(Route::Upload));
        assert_eq!(route("GET", "/api/cv/form"), Ok(Route::Form));
        assert_eq!(route("PUT", "/api/cv/7"), Ok(Route::Update(7)));
        assert_eq!(route("DELETE", "/api/cv/7"), Ok(Route::Delete(7)));
        assert_eq!(route("GET", "/api/cv/7/file"), Ok(Route::File(7)));
        assert_eq!(route("GET", "/api/cv/7/history"), Ok(Route::History(7)));
        assert_eq!(route("GET", "/api/cv-search"), Ok(Route::Search));
        assert_eq!(route("POST", "/api/cv-requests"), Ok(Route::RequestsPost));
        assert_eq!(route("GET", "/api/cv-requests/decision"), Ok(Route::DecisionPage));
        assert_eq!(route("POST", "/api/cv-requests/decision"), Ok(Route::Decide));
        assert_eq!(route("POST", "/jobs/cv/retention"), Ok(Route::Retention));
        assert_eq!(route("POST", "/api/operator/cv"), Ok(Route::OperatorUpload));
        assert!(Route::OperatorUpload.takes_file());
        assert_eq!(route("GET", "/api/operator/cv/7/file"), Ok(Route::OperatorFile(7)));
        assert_eq!(route("DELETE", "/api/operator/cv").unwrap_err().status, 405);
        assert_eq!(route("GET", "/api/operator/cv/x/file").unwrap_err().status, 404);
        assert_eq!(route("GET", "/jobs/cv/retention").unwrap_err().status, 405);
        assert_eq!(route("POST", "/api/cv/7/file").unwrap_err().status, 405);
        assert_eq!(route("GET", "/api/cv/x").unwrap_err().status, 404);
        assert_eq!(route("GET", "/api/cv/0/file").unwrap_err().status, 404);
        assert_eq!(route("GET", "/api/cv/1/2").unwrap_err().status, 404);
        assert!(Route::Upload.takes_file() && Route::Update(1).takes_file() && !Route::RequestsPost.takes_file());
    }

    #[test]
    fn meta_header_and_validation() {
        let raw = r#"{"description":"Cuoco è","search_consent":true,"territories":["firenze","Prato","firenze"]}"#;
        let enc = percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string();
        for v in [raw.to_string(), enc] {
            let m = validate_meta(&parse_meta_header(Some(&v)).unwrap(), &areas()).unwrap();
            assert_eq!(m, Meta { description: "Cuoco è".into(), search_consent: true, territories: vec!["firenze".into(), "prato".into()] });
        }
        assert_eq!(parse_meta_header(Some("{nope")).unwrap_err().code, "invalid_meta");
        let fields = |m: MetaIn| validate_meta(&m, &areas()).unwrap_err().fields.iter().map(|f| (f.field.clone(), f.code)).collect::<Vec<_>>();
        assert_eq!(fields(MetaIn::default()), vec![("search_consent".to_string(), "required")]);
        assert_eq!(fields(MetaIn { search_consent: Some(true), ..Default::default() }), vec![("territories".to_string(), "required")]);
        let bad = MetaIn { search_consent: Some(false), territories: Some(vec!["milano".into()]), description: Some("x".repeat(201)), ..Default::default() };
        assert_eq!(fields(bad), vec![("description".to_string(), "too_long"), ("territories".to_string(), "invalid_choice")]);
        assert!(validate_meta(&MetaIn { search_consent: Some(false), ..Default::default() }, &areas()).is_ok(), "no territories without consent");
    }

    #[test]
    fn file_names() {
        assert_eq!(file_name(Some("C:\\Users\\m\\CV Mario.PDF"), cvtext::Kind::Pdf), "CV Mario.pdf");
        assert_eq!(file_name(Some("../../etc/passwd"), cvtext::Kind::Docx), "passwd.docx");
        assert_eq!(file_name(Some("a\"b;c\r\n.odt"), cvtext::Kind::Odt), "abc.odt");
        assert_eq!(file_name(Some("photo.jpg"), cvtext::Kind::Doc), "photo.doc", "the detected type's extension");
        assert_eq!(file_name(None, cvtext::Kind::Pdf), "curriculum.pdf");
        assert_eq!(file_name(Some(".pdf"), cvtext::Kind::Pdf), "curriculum.pdf");
    }

    #[test]
    fn search_expressions_are_never_user_syntax() {
        assert_eq!(fts_query("", "", &[]), None);
        assert_eq!(fts_query("pizza forno", "", &[]).unwrap(), "{body} : (\"pizza\"* AND \"forno\"*)");
        assert_eq!(
            fts_query("", "Aiuto cuoco", &["empolese-valdelsa".into(), "prato".into()]).unwrap(),
            "{body} : (\"aiuto\"* AND \"cuoco\"*) AND {facets} : (aempolesevaldelsa OR aprato)"
        );
        assert_eq!(fts_query("\" OR body:* NEAR( -x", "", &[]).unwrap(), "{body} : (\"or\" AND \"body\"* AND \"near\"* AND \"x\")");
        assert_eq!(parse_territories(Some("firenze, prato"), &areas()).unwrap(), vec!["firenze", "prato"]);
        assert_eq!(parse_territories(Some("roma"), &areas()).unwrap_err().status, 422);
    }

    #[test]
    fn requests_and_tokens() {
        assert_eq!(status_label("requested"), "RICHIESTA");
        assert_eq!(status_label("accepted"), "ACCETTATA");
        assert_eq!(status_label("refused"), "RIFIUTATA");
        assert_eq!(decision("Autorizza"), Some("accepted"));
        assert_eq!(decision("refuse"), Some("refused"));
        assert_eq!(decision("maybe"), None);
        assert_eq!(position(Some("  PIZZAIOLO \n ")).unwrap(), "PIZZAIOLO");
        assert_eq!(position(Some(" ")).unwrap_err().fields[0].code, "required");
        assert!(position(Some(&"x".repeat(101))).is_err());
        let t = "ab".repeat(32);
        assert_eq!(token_hash(&t).unwrap().len(), 64);
        assert_ne!(token_hash(&t).unwrap(), t);
        assert_eq!(token_hash("ABC"), None);
        assert_eq!(token_hash(&t.to_uppercase()), None);
        assert!(is_handle(&"aF".repeat(16)));
        assert!(!is_handle(&"a".repeat(31)) && !is_handle(&"g".repeat(32)) && !is_handle(""));
    }

    #[test]
    fn retention_days() {
        let r = Retention { keep_days: 365, notice_days: 15 };
        let t0 = 1_800_000_000;
        let day = 86_400;
        assert!(t0 > r.notice_before(t0 + 349 * day), "no notice at day 349");
        assert!(t0 <= r.notice_before(t0 + 350 * day), "notice at day 350");
        assert!(t0 > r.delete_before(t0 + 364 * day));
        assert!(t0 <= r.delete_before(t0 + 365 * day));
        // warned late (day 360): kept until 15 days after the notice
        assert_eq!(r.deletion_at(t0, t0 + 360 * day), t0 + 375 * day);
        assert_eq!(r.deletion_at(t0, t0 + 350 * day), t0 + 365 * day);
        assert_eq!(job_now(None, false, 5).unwrap(), 5);
        assert_eq!(job_now(Some("9"), true, 5).unwrap(), 9);
        assert_eq!(job_now(Some("9"), false, 5).unwrap_err().code, "dev_clock_off");
        assert_eq!(job_now(Some("x"), true, 5).unwrap_err().code, "invalid_now");
        let (s, cut) = truncate("àbc", 2);
        assert_eq!((s.as_str(), cut), ("àb", true));
        assert_eq!(truncate("ab", 2), ("ab".to_string(), false));
    }
}
