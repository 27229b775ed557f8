//! The Spin handler: reads the request (the body with a limit, before anything else),
//! calls the logic in `lib.rs` and `cvtext`, keeps the data in SQLite.

use common::outbox::{self, Message};
use common::rome::{iso_utc, unix_now};
use common::session::{self, ActingAs, Session};
use common::{ApiError, Page, Paging, Query, Reply, account, db};
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use spin_sdk::http::{IncomingRequest, OutgoingResponse, Request, Response, ResponseOutparam};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, Value};

use crate::{MetaIn, Retention, Route};

fn var(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok().filter(|v| !v.trim().is_empty())
}

fn num(name: &str, default: u32) -> i64 {
    i64::from(common::spin::number_variable(name, default))
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    common::spin::header(req, name)
}

fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

fn int(v: i64) -> Value {
    Value::Integer(v)
}

// ---------------------------------------------------------------------------------
// Entry point: the body is read here, within the route's limit
// ---------------------------------------------------------------------------------

fn too_large() -> ApiError {
    ApiError::new(413, "file_too_large", cvtext::Refusal::TooLarge.message())
}

#[http_component]
async fn handle(incoming: IncomingRequest, out: ResponseOutparam) {
    let reply = match read(incoming).await {
        Ok((route, req)) => {
            let page = matches!(route, Route::DecisionPage | Route::Decide) && !wants_json(&req);
            dispatch(&route, &req).unwrap_or_else(|e| if page && e.status != 405 { decision_error_page(&e) } else { Reply::from(e) })
        }
        Err(e) => Reply::from(e),
    };
    let mut response: Response = reply.into();
    let body = std::mem::take(response.body_mut());
    match OutgoingResponse::try_from(response) {
        Ok(r) => {
            if let Err(e) = out.set_with_body(r, body).await {
                eprintln!("cv: could not send the response: {e}");
            }
        }
        Err(e) => eprintln!("cv: could not convert the response: {e}"),
    }
}

/// The route and the request with its body, read only up to the route's limit: a
/// declared `Content-Length` over it is refused before reading anything (413).
async fn read(incoming: IncomingRequest) -> Result<(Route, Request), ApiError> {
    let method = incoming.method();
    let uri = incoming.uri();
    let headers: Vec<(String, Vec<u8>)> = incoming.headers().entries();
    let path = uri.split_once("://").map_or(uri.as_str(), |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    let path = path.split('?').next().unwrap_or("/").to_string();
    let probe = Request::builder().method(method.clone()).uri(uri.clone()).build();
    let route = crate::route(&probe.method().to_string(), &path)?;
    let limit = if route.takes_file() { crate::max_upload() } else { crate::MAX_JSON };
    let declared = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok());
    let big = |route: &Route| if route.takes_file() { too_large() } else { ApiError::payload_too_large(crate::MAX_JSON) };
    if declared.is_some_and(|n| n > limit as u64) {
        eprintln!("cv: refused a body of {} bytes on {path} before reading it", declared.unwrap_or(0));
        return Err(big(&route));
    }
    let mut body = Vec::new();
    let mut stream = incoming.into_body_stream();
    while let Some(chunk) = stream.try_next().await.map_err(|e| ApiError::internal(format!("reading the body: {e:?}")))? {
        if body.len() + chunk.len() > limit {
            return Err(big(&route));
        }
        body.extend_from_slice(&chunk);
    }
    let req = Request::builder().method(method).uri(uri).headers(headers).body(body).build();
    Ok((route, req))
}

fn dispatch(route: &Route, req: &Request) -> Result<Reply, ApiError> {
    let conn = db::open()?;
    match route {
        Route::Form => form(req, &conn),
        Route::List => list(req, &conn),
        Route::Upload => upload(req, &conn),
        Route::Detail(id) => {
            let s = account::require_active(req)?;
            Reply::json(200, &cv_json(&conn, &own_cv(&conn, &s, *id)?)?)
        }
        Route::Update(id) => update(req, &conn, *id),
        Route::Delete(id) => delete(req, &conn, *id),
        Route::File(id) => file(req, &conn, *id),
        Route::History(id) => history(req, &conn, *id),
        Route::Search => search(req, &conn),
        Route::Requests => requests(req, &conn),
        Route::RequestsPost => requests_post(req, &conn),
        Route::DecisionPage => decision_page(req, &conn),
        Route::Decide => decide_by_link(req, &conn),
        Route::Retention => retention_job(req, &conn),
    }
}

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

fn wants_json(req: &Request) -> bool {
    header(req, "accept").is_some_and(|a| a.contains("application/json"))
        || header(req, "content-type").is_some_and(|t| t.trim_start().starts_with("application/json"))
}

fn is_json(req: &Request) -> bool {
    header(req, "content-type").is_some_and(|t| t.trim_start().starts_with("application/json"))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        eprintln!("cv: unreadable JSON body: {e}");
        ApiError::bad_request("invalid_json", "I dati inviati non sono nel formato atteso (JSON). Ricarica la pagina e riprova.")
    })
}

/// `BEGIN IMMEDIATE … COMMIT`, rolled back on any error.
fn tx<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T, ApiError>) -> Result<T, ApiError> {
    db::query(conn, "BEGIN IMMEDIATE", &[])?;
    match f(conn) {
        Ok(v) => {
            db::query(conn, "COMMIT", &[])?;
            Ok(v)
        }
        Err(e) => {
            if let Err(r) = conn.execute("ROLLBACK", &[]) {
                eprintln!("cv: rollback failed: {r}");
            }
            Err(e)
        }
    }
}

fn areas(conn: &Connection) -> Result<Vec<(String, String)>, ApiError> {
    let rows = db::query(conn, "SELECT code, name FROM areas ORDER BY name", &[])?;
    rows.rows().map(|r| Ok((db::text(&r, "code")?, db::text(&r, "name")?))).collect()
}

fn area_codes(conn: &Connection) -> Result<Vec<String>, ApiError> {
    Ok(areas(conn)?.into_iter().map(|(c, _)| c).collect())
}

fn territories_json(conn: &Connection, cv_id: i64) -> Result<Vec<Json>, ApiError> {
    let rows = db::query(
        conn,
        "SELECT a.code, a.name FROM cv_territories t JOIN areas a ON a.code = t.area_code WHERE t.cv_id = ? ORDER BY a.name",
        &[int(cv_id)],
    )?;
    rows.rows().map(|r| Ok(json!({ "code": db::text(&r, "code")?, "name": db::text(&r, "name")? }))).collect()
}

fn yes_no(b: bool) -> &'static str {
    if b { "SI" } else { "NO" }
}

fn retention() -> Retention {
    Retention { keep_days: num("cv_retention_days", 365), notice_days: num("cv_retention_notice_days", 15) }
}

/// A CV row as the owner's pages show it.
struct Cv {
    id: i64,
    description: String,
    search_consent: bool,
    uploaded_by_cpi: bool,
    file_name: String,
    file_kind: String,
    file_size: i64,
    file_sha256: String,
    created_at: i64,
    updated_at: i64,
    last_activity_at: i64,
    retention_notice_at: Option<i64>,
}

const CV_COLUMNS: &str = "id, description, search_consent, uploaded_by_cpi, file_name, file_kind, file_size, file_sha256, \
     created_at, updated_at, last_activity_at, retention_notice_at";

fn cv_of(r: &spin_sdk::sqlite::Row<'_>) -> Result<Cv, ApiError> {
    Ok(Cv {
        id: db::int(r, "id")?,
        description: db::text(r, "description")?,
        search_consent: db::int(r, "search_consent")? == 1,
        uploaded_by_cpi: db::int(r, "uploaded_by_cpi")? == 1,
        file_name: db::text(r, "file_name")?,
        file_kind: db::text(r, "file_kind")?,
        file_size: db::int(r, "file_size")?,
        file_sha256: db::text(r, "file_sha256")?,
        created_at: db::int(r, "created_at")?,
        updated_at: db::int(r, "updated_at")?,
        last_activity_at: db::int(r, "last_activity_at")?,
        retention_notice_at: r.get::<i64>("retention_notice_at"),
    })
}

fn cv_not_found() -> ApiError {
    ApiError::new(404, "cv_not_found", "Il curriculum indicato non esiste o è stato eliminato.")
}

/// The caller's own CV `id` (404 for anyone else's: its existence is not revealed).
fn own_cv(conn: &Connection, s: &Session, id: i64) -> Result<Cv, ApiError> {
    let rows = db::query(conn, &format!("SELECT {CV_COLUMNS} FROM cvs WHERE id = ? AND person_id = ?"), &[int(id), int(s.person_id)])?;
    rows.rows().next().map(|r| cv_of(&r)).transpose()?.ok_or_else(cv_not_found)
}

fn cv_json(conn: &Connection, cv: &Cv) -> Result<Json, ApiError> {
    let r = retention();
    let deletion = r.deletion_at(cv.last_activity_at, cv.retention_notice_at.unwrap_or(0));
    Ok(json!({
        "id": cv.id,
        "created_at": iso_utc(cv.created_at),
        "updated_at": iso_utc(cv.updated_at),
        "description": cv.description,
        "file": {
            "name": cv.file_name, "kind": cv.file_kind,
            "mime": cvtext::Kind::from_str_opt(&cv.file_kind).map(|k| k.mime()),
            "size": cv.file_size, "sha256": cv.file_sha256, "download": format!("/api/cv/{}/file", cv.id),
        },
        "search_consent": cv.search_consent,
        "search_consent_label": yes_no(cv.search_consent),
        "uploaded_by_cpi": cv.uploaded_by_cpi,
        "uploaded_by_cpi_label": yes_no(cv.uploaded_by_cpi),
        "territories": territories_json(conn, cv.id)?,
        "retention": {
            "last_activity_at": iso_utc(cv.last_activity_at),
            "deletion_on": common::rome::iso(common::rome::date_at(time::OffsetDateTime::from_unix_timestamp(deletion).unwrap_or(time::OffsetDateTime::UNIX_EPOCH))),
            "notice_sent": cv.retention_notice_at.is_some(),
        },
    }))
}

fn event(conn: &Connection, cv_id: i64, kind: &str, note: &str, at: i64) -> Result<(), ApiError> {
    db::query(conn, "INSERT INTO cv_events (cv_id, kind, note, at) VALUES (?, ?, ?, ?)", &[int(cv_id), text(kind), text(note), int(at)])?;
    Ok(())
}

/// The owner's data to redact from the text (`people` as the IdP gave it, `accounts` as
/// registered).
struct Owner {
    name: String,
    family_name: String,
    fiscal_code: String,
    emails: Vec<String>,
    phones: Vec<String>,
    birth_date: Option<String>,
    address_parts: Vec<String>,
    /// account e-mail and mobile (where notifications go)
    email: Option<String>,
    mobile: Option<String>,
}

fn owner(conn: &Connection, person_id: i64) -> Result<Owner, ApiError> {
    let rows = db::query(
        conn,
        "SELECT p.name, p.family_name, p.fiscal_code, p.email AS p_email, p.mobile_phone, p.date_of_birth AS p_birth,
                a.email, a.mobile, a.date_of_birth, a.residence_address, a.residence_cap, a.domicile_address, a.domicile_cap
           FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?",
        &[int(person_id)],
    )?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal(format!("person {person_id} is missing")))?;
    let some = |c: &str| db::opt_text(&r, c).filter(|v| !v.trim().is_empty());
    let mut emails: Vec<String> = [some("email"), some("p_email")].into_iter().flatten().collect();
    emails.dedup();
    let mut phones: Vec<String> = [some("mobile"), some("mobile_phone")].into_iter().flatten().collect();
    phones.dedup();
    Ok(Owner {
        name: db::text(&r, "name")?,
        family_name: db::text(&r, "family_name")?,
        fiscal_code: db::text(&r, "fiscal_code")?,
        emails,
        phones,
        birth_date: some("date_of_birth").or_else(|| some("p_birth")),
        address_parts: ["residence_address", "residence_cap", "domicile_address", "domicile_cap"].into_iter().filter_map(some).collect(),
        email: some("email"),
        mobile: some("mobile"),
    })
}

fn anonymise(text: &str, o: &Owner) -> String {
    let names = [o.name.as_str(), o.family_name.as_str()];
    let emails: Vec<&str> = o.emails.iter().map(String::as_str).collect();
    let phones: Vec<&str> = o.phones.iter().map(String::as_str).collect();
    let address: Vec<&str> = o.address_parts.iter().map(String::as_str).collect();
    let person = cvtext::Person {
        names: &names,
        fiscal_code: Some(o.fiscal_code.as_str()),
        emails: &emails,
        phones: &phones,
        birth_date: o.birth_date.as_deref(),
        address_parts: &address,
    };
    cvtext::anonymise(text, &person)
}

/// A checked file: its type by content, text, hash.
struct Checked {
    kind: cvtext::Kind,
    text: String,
    sha256: String,
}

/// Checks an uploaded file; a refusal is a 422 on the field `file` (413 when too large,
/// 415 for another type) with cvtext's Italian message.
fn check_file(bytes: &[u8]) -> Result<Checked, ApiError> {
    match cvtext::extract(bytes, &cvtext::Limits::default()) {
        Ok(x) => Ok(Checked { kind: x.kind, text: x.text, sha256: crate::sha256_hex(bytes) }),
        Err(refusal) => {
            eprintln!("cv: refused an upload of {} bytes: {}", bytes.len(), refusal.code());
            let mut e = ApiError::invalid_field("file", refusal.code(), refusal.message());
            e.status = refusal.http_status();
            Err(e)
        }
    }
}

/// Rewrites the search index row of a CV (present only with consent).
fn index(conn: &Connection, cv_id: i64) -> Result<(), ApiError> {
    db::query(conn, "DELETE FROM cv_fts WHERE rowid = ?", &[int(cv_id)])?;
    db::query(
        conn,
        "INSERT INTO cv_fts (rowid, body, facets)
         SELECT c.id, c.anonymised_text, coalesce((SELECT group_concat('a' || replace(t.area_code, '-', ''), ' ') FROM cv_territories t WHERE t.cv_id = c.id), '')
           FROM cvs c WHERE c.id = ? AND c.search_consent = 1",
        &[int(cv_id)],
    )?;
    Ok(())
}

fn set_territories(conn: &Connection, cv_id: i64, territories: &[String]) -> Result<(), ApiError> {
    db::query(conn, "DELETE FROM cv_territories WHERE cv_id = ?", &[int(cv_id)])?;
    for t in territories {
        db::query(conn, "INSERT INTO cv_territories (cv_id, area_code) VALUES (?, ?)", &[int(cv_id), text(t.as_str())])?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// C2: the owner's CVs
// ---------------------------------------------------------------------------------

const CONSENT_TEXT: &str = "Rilasciando il consenso alla ricerca, il tuo CV sarà ricercabile dalle aziende e dalle agenzie che sono impegnate nella ricerca di personale. Se il contenuto del tuo curriculum (informazioni anonimizzate) risulterà di interesse, verrai avvisato e potrai decidere se far visionare o meno il tuo curriculum completo.";
const RETENTION_TEXT: &str = "Attenzione: i dati contenuti nel Suo CV saranno conservati per 1 anno dalla data di caricamento se non viene effettuata alcuna operazione di aggiornamento, o il CV non viene utilizzato in azioni di ricerca del lavoro. In prossimità della scadenza di questi dodici mesi (15 giorni prima), Le sarà inviata una notifica via posta elettronica per segnalare l'imminente cancellazione.";
const FILE_TEXT: &str = "Scegli o trascina il file. Sono ammessi i file con estensione pdf, doc, docx, odt con dimensione massima di 5MB, con un testo e non un'immagine (scansione)";
const DELETE_CONFIRM: &str = "Sicuro di voler procedere con la rimozione del Curriculum Vitae?";

fn form(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    account::require_active(req)?;
    let territories: Vec<Json> = areas(conn)?.into_iter().map(|(code, name)| json!({ "code": code, "name": name })).collect();
    Reply::json(
        200,
        &json!({
            "territories": territories,
            "consent_text": CONSENT_TEXT,
            "retention_text": RETENTION_TEXT,
            "file_text": FILE_TEXT,
            "delete_confirm": DELETE_CONFIRM,
            "file": { "max_bytes": crate::max_upload(), "extensions": ["pdf", "doc", "docx", "odt"] },
            "description_max": crate::MAX_DESCRIPTION,
            "max_cvs": crate::MAX_CVS_PER_PERSON,
        }),
    )
}

fn list(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active(req)?;
    let q = Query::parse(req.query())?;
    let paging = Paging::from_query(&q, 10)?;
    let (from, to) = crate::date_range(q.get("from"), q.get("to"))?;
    let description = q.get("description").map(|d| format!("%{}%", d.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    let opt = |v: Option<i64>| v.map(Value::Integer).unwrap_or(Value::Null);
    let params = [int(s.person_id), opt(from), opt(to), description.map(Value::Text).unwrap_or(Value::Null)];
    let filter = "person_id = ?1 AND (?2 IS NULL OR created_at >= ?2) AND (?3 IS NULL OR created_at < ?3) AND (?4 IS NULL OR description LIKE ?4 ESCAPE '\\')";
    let total = db::scalar_i64(&db::query(conn, &format!("SELECT count(*) AS n FROM cvs WHERE {filter}"), &params)?, "n")?;
    paging.ensure_in_range(total)?;
    let mut p = params.to_vec();
    p.extend([int(paging.limit()), int(paging.offset())]);
    let rows = db::query(conn, &format!("SELECT {CV_COLUMNS} FROM cvs WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT ?5 OFFSET ?6"), &p)?;
    let items = rows.rows().map(|r| cv_json(conn, &cv_of(&r)?)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

fn upload(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let meta_in = crate::parse_meta_header(header(req, "x-cv-meta"))?;
    let meta = crate::validate_meta(&meta_in, &area_codes(conn)?)?;
    let bytes = req.body();
    let checked = check_file(bytes)?;
    let o = owner(conn, s.person_id)?;
    let anonymised = anonymise(&checked.text, &o);
    let name = crate::file_name(meta_in.file_name.as_deref(), checked.kind);
    let handle = session::random_token()?[..32].to_string();
    let now = unix_now();
    let id = tx(conn, |conn| {
        let n = db::scalar_i64(&db::query(conn, "SELECT count(*) AS n FROM cvs WHERE person_id = ?", &[int(s.person_id)])?, "n")?;
        if n >= crate::MAX_CVS_PER_PERSON {
            return Err(ApiError::new(
                409,
                "too_many_cvs",
                format!("Puoi conservare al massimo {} curriculum: elimina quelli che non usi più e riprova.", crate::MAX_CVS_PER_PERSON),
            ));
        }
        let rows = db::query(
            conn,
            "INSERT INTO cvs (handle, person_id, description, search_consent, uploaded_by_cpi, file_name, file_kind, file_size, file_sha256,
               anonymised_text, created_at, updated_at, last_activity_at)
             VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                text(handle.as_str()),
                int(s.person_id),
                text(meta.description.as_str()),
                int(i64::from(meta.search_consent)),
                text(name.as_str()),
                text(checked.kind.as_str()),
                int(bytes.len() as i64),
                text(checked.sha256.as_str()),
                text(anonymised.as_str()),
                int(now),
                int(now),
                int(now),
            ],
        )?;
        let id = db::scalar_i64(&rows, "id")?;
        db::query(conn, "INSERT INTO cv_files (cv_id, content) VALUES (?, ?)", &[int(id), Value::Blob(bytes.to_vec())])?;
        set_territories(conn, id, &meta.territories)?;
        index(conn, id)?;
        event(conn, id, "caricamento", "Curriculum caricato.", now)?;
        Ok(id)
    })?;
    eprintln!("cv: person {} uploaded cv {id} ({}, {} bytes)", s.person_id, checked.kind.as_str(), bytes.len());
    let cv = own_cv(conn, &s, id)?;
    let mut r = Reply::json(201, &cv_json(conn, &cv)?)?;
    r.headers.push(("location", format!("/api/cv/{id}")));
    Ok(r)
}

/// `PUT /api/cv/{id}`: JSON (description, consent, territories), or a new file as the
/// body with the fields in `X-CV-Meta` (optional: without it they stay as they are).
fn update(req: &Request, conn: &Connection, id: i64) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let cv = own_cv(conn, &s, id)?;
    let codes = area_codes(conn)?;
    let current = MetaIn {
        description: Some(cv.description.clone()),
        search_consent: Some(cv.search_consent),
        territories: Some(territories_json(conn, id)?.iter().filter_map(|t| t["code"].as_str().map(str::to_owned)).collect()),
        file_name: None,
    };
    let merge = |m: MetaIn| MetaIn {
        description: m.description.or(current.description.clone()),
        search_consent: m.search_consent.or(current.search_consent),
        territories: m.territories.or(current.territories.clone()),
        file_name: m.file_name,
    };
    let (meta_in, file) = if is_json(req) {
        if req.body().len() > crate::MAX_JSON {
            return Err(ApiError::payload_too_large(crate::MAX_JSON));
        }
        (merge(json_body::<MetaIn>(req.body())?), None)
    } else {
        let m = merge(crate::parse_meta_header(header(req, "x-cv-meta"))?);
        (m, Some(req.body()))
    };
    let meta = crate::validate_meta(&meta_in, &codes)?;
    let new_file = match file {
        Some(bytes) => {
            let checked = check_file(bytes)?;
            let anonymised = anonymise(&checked.text, &owner(conn, s.person_id)?);
            let name = crate::file_name(meta_in.file_name.as_deref(), checked.kind);
            Some((bytes, checked, anonymised, name))
        }
        None => None,
    };
    let now = unix_now();
    let mut changes = Vec::new();
    if meta.description != cv.description {
        changes.push("descrizione");
    }
    if meta.search_consent != cv.search_consent {
        changes.push(if meta.search_consent { "consenso alla ricerca rilasciato" } else { "consenso alla ricerca revocato" });
    }
    if Some(&meta.territories) != current.territories.as_ref().map(|t| {
        let mut t = t.clone();
        t.sort();
        t
    }).as_ref()
    {
        changes.push("territori di interesse");
    }
    if new_file.is_some() {
        changes.push("file sostituito");
    }
    tx(conn, |conn| {
        db::query(
            conn,
            "UPDATE cvs SET description = ?, search_consent = ?, updated_at = ?, last_activity_at = ?, retention_notice_at = NULL WHERE id = ? AND person_id = ?",
            &[text(meta.description.as_str()), int(i64::from(meta.search_consent)), int(now), int(now), int(id), int(s.person_id)],
        )?;
        if let Some((bytes, checked, anonymised, name)) = &new_file {
            db::query(
                conn,
                "UPDATE cvs SET file_name = ?, file_kind = ?, file_size = ?, file_sha256 = ?, anonymised_text = ? WHERE id = ?",
                &[text(name.as_str()), text(checked.kind.as_str()), int(bytes.len() as i64), text(checked.sha256.as_str()), text(anonymised.as_str()), int(id)],
            )?;
            db::query(conn, "UPDATE cv_files SET content = ? WHERE cv_id = ?", &[Value::Blob(bytes.to_vec()), int(id)])?;
        }
        set_territories(conn, id, &meta.territories)?;
        index(conn, id)?;
        let note = if changes.is_empty() { "Curriculum aggiornato.".to_string() } else { format!("Curriculum modificato: {}.", changes.join(", ")) };
        event(conn, id, "modifica", &note, now)
    })?;
    eprintln!("cv: person {} updated cv {id}", s.person_id);
    Reply::json(200, &cv_json(conn, &own_cv(conn, &s, id)?)?)
}

/// Removes a CV with its file, index row, territories and history; view requests keep
/// their row (without the CV).
fn remove(conn: &Connection, id: i64) -> Result<(), ApiError> {
    db::query(conn, "UPDATE cv_requests SET cv_id = NULL WHERE cv_id = ?", &[int(id)])?;
    db::query(conn, "DELETE FROM cv_fts WHERE rowid = ?", &[int(id)])?;
    for table in ["cv_files", "cv_territories", "cv_events"] {
        db::query(conn, &format!("DELETE FROM {table} WHERE cv_id = ?"), &[int(id)])?;
    }
    db::query(conn, "DELETE FROM cvs WHERE id = ?", &[int(id)])?;
    Ok(())
}

fn delete(req: &Request, conn: &Connection, id: i64) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    own_cv(conn, &s, id)?;
    tx(conn, |conn| remove(conn, id))?;
    eprintln!("cv: person {} deleted cv {id}", s.person_id);
    Reply::json(200, &json!({ "deleted": id }))
}

fn history(req: &Request, conn: &Connection, id: i64) -> Result<Reply, ApiError> {
    let s = account::require_active(req)?;
    own_cv(conn, &s, id)?;
    let q = Query::parse(req.query())?;
    let paging = Paging::from_query(&q, 10)?;
    let total = db::scalar_i64(&db::query(conn, "SELECT count(*) AS n FROM cv_events WHERE cv_id = ?", &[int(id)])?, "n")?;
    paging.ensure_in_range(total)?;
    let rows = db::query(
        conn,
        "SELECT at, kind, note FROM cv_events WHERE cv_id = ? ORDER BY at, id LIMIT ? OFFSET ?",
        &[int(id), int(paging.limit()), int(paging.offset())],
    )?;
    let items = rows
        .rows()
        .map(|r| {
            let kind = db::text(&r, "kind")?;
            let label = match kind.as_str() {
                "caricamento" => "Caricamento",
                "modifica" => "Modifica",
                _ => "Utilizzo",
            };
            Ok(json!({ "at": iso_utc(db::int(&r, "at")?), "kind": kind, "kind_label": label, "note": db::text(&r, "note")? }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// `GET /api/cv/{id}/file`: the owner, or a company with an accepted request for this
/// CV (acting for it now, with a current incarico). Every read is logged. Anyone else
/// gets 403, whether the CV exists or not.
fn file(req: &Request, conn: &Connection, id: i64) -> Result<Reply, ApiError> {
    let s = account::require_active(req)?;
    let rows = db::query(conn, "SELECT person_id, file_name, file_kind FROM cvs WHERE id = ?", &[int(id)])?;
    let found = rows.rows().next().map(|r| Ok::<_, ApiError>((db::int(&r, "person_id")?, db::text(&r, "file_name")?, db::text(&r, "file_kind")?))).transpose()?;
    let denied = || {
        eprintln!("cv: person {} refused the file of cv {id}", s.person_id);
        ApiError::new(403, "cv_access_denied", "Non hai l'autorizzazione a scaricare questo curriculum.")
    };
    let Some((owner_id, name, kind)) = found else { return Err(denied()) };
    // (role, company, request, reason)
    let grant: (&str, Option<i64>, Option<i64>, String) = if owner_id == s.person_id {
        ("owner", None, None, "Download del titolare del curriculum".into())
    } else {
        let Some(acting) = s.acting_as.clone() else { return Err(denied()) };
        let (company, _) = account::incarico(conn, s.person_id, acting.company_id)?.ok_or_else(denied)?;
        let rows = db::query(
            conn,
            "SELECT id, position FROM cv_requests WHERE cv_id = ? AND company_id = ? AND status = 'accepted' ORDER BY decided_at DESC LIMIT 1",
            &[int(id), int(company.company_id)],
        )?;
        let Some(r) = rows.rows().next() else { return Err(denied()) };
        let request_id = db::int(&r, "id")?;
        let reason = format!("Richiesta di visione n. {request_id} ({}) accettata dal titolare", db::text(&r, "position")?);
        ("company", Some(company.company_id), Some(request_id), reason)
    };
    let content = db::query(conn, "SELECT content FROM cv_files WHERE cv_id = ?", &[int(id)])?;
    let bytes = content.rows().next().and_then(|r| r.get::<&[u8]>("content").map(<[u8]>::to_vec)).ok_or_else(|| ApiError::internal(format!("file of cv {id} missing")))?;
    let (role, company_id, request_id, reason) = grant;
    db::query(
        conn,
        "INSERT INTO cv_access_log (cv_id, owner_id, reader_id, company_id, role, reason, request_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            int(id),
            int(owner_id),
            int(s.person_id),
            company_id.map(Value::Integer).unwrap_or(Value::Null),
            text(role),
            text(reason.as_str()),
            request_id.map(Value::Integer).unwrap_or(Value::Null),
            int(unix_now()),
        ],
    )?;
    eprintln!("cv: person {} read the file of cv {id} as {role}", s.person_id);
    let mime = cvtext::Kind::from_str_opt(&kind).map_or("application/octet-stream", |k| k.mime());
    Ok(Reply {
        status: 200,
        headers: vec![
            ("content-type", mime.to_string()),
            ("content-disposition", crate::content_disposition(&name)),
            ("cache-control", "no-store".into()),
        ],
        body: bytes,
    })
}

// ---------------------------------------------------------------------------------
// B3: the companies' anonymised search
// ---------------------------------------------------------------------------------

fn search(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (_, company) = account::require_acting(req)?;
    let q = Query::parse(req.query())?;
    let paging = Paging::from_query(&q, 10)?;
    let territories = crate::parse_territories(q.get("territory"), &area_codes(conn)?)?;
    let keywords = q.get("q").unwrap_or("");
    let occupation = q.get("occupation").unwrap_or("");
    let expr = crate::fts_query(keywords, occupation, &territories);
    let (total, rows) = match &expr {
        Some(m) => {
            let total = db::scalar_i64(
                // the index holds consented CVs only (consent and index row change in one transaction)
                &db::query(conn, "SELECT count(*) AS n FROM cv_fts WHERE cv_fts MATCH ?", &[text(m.as_str())])?,
                "n",
            )?;
            paging.ensure_in_range(total)?;
            let rows = db::query(
                conn,
                "SELECT c.id, c.handle, c.anonymised_text, c.updated_at FROM cv_fts f JOIN cvs c ON c.id = f.rowid
                 WHERE cv_fts MATCH ? AND c.search_consent = 1 ORDER BY f.rank, c.id LIMIT ? OFFSET ?",
                &[text(m.as_str()), int(paging.limit()), int(paging.offset())],
            )?;
            (total, rows)
        }
        None => {
            let total = db::scalar_i64(&db::query(conn, "SELECT count(*) AS n FROM cvs WHERE search_consent = 1", &[])?, "n")?;
            paging.ensure_in_range(total)?;
            let rows = db::query(
                conn,
                "SELECT id, handle, anonymised_text, updated_at FROM cvs WHERE search_consent = 1 ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
                &[int(paging.limit()), int(paging.offset())],
            )?;
            (total, rows)
        }
    };
    let items = rows
        .rows()
        .map(|r| {
            let id = db::int(&r, "id")?;
            let (text_out, truncated) = crate::truncate(&db::text(&r, "anonymised_text")?, crate::RESULT_TEXT_CHARS);
            let mine = db::query(
                conn,
                "SELECT status FROM cv_requests WHERE cv_id = ? AND company_id = ? ORDER BY id DESC LIMIT 1",
                &[int(id), int(company.company_id)],
            )?;
            let request = mine.rows().next().and_then(|m| m.get::<&str>("status").map(crate::status_label));
            let territories: Vec<Json> = territories_json(conn, id)?;
            let updated = db::int(&r, "updated_at")?;
            // no id, file, name or date-time that could be joined to the owner: an opaque handle
            Ok(json!({
                "cv": db::text(&r, "handle")?,
                "updated_on": common::rome::iso(common::rome::date_at(time::OffsetDateTime::from_unix_timestamp(updated).unwrap_or(time::OffsetDateTime::UNIX_EPOCH))),
                "territories": territories,
                "text": text_out,
                "text_truncated": truncated,
                "request_status": request,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

// ---------------------------------------------------------------------------------
// B3 C3: view requests
// ---------------------------------------------------------------------------------

/// The company a session acts for, if it acts for one with a current incarico.
fn acting_company(conn: &Connection, s: &Session) -> Result<Option<ActingAs>, ApiError> {
    match &s.acting_as {
        Some(a) => Ok(account::incarico(conn, s.person_id, a.company_id)?.map(|(c, _)| c)),
        None => Ok(None),
    }
}

fn requests(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active(req)?;
    let q = Query::parse(req.query())?;
    let paging = Paging::from_query(&q, 10)?;
    let (from, to) = crate::date_range(q.get("from"), q.get("to"))?;
    let opt = |v: Option<i64>| v.map(Value::Integer).unwrap_or(Value::Null);
    if s.acting_as.is_some() {
        let company = acting_company(conn, &s)?.ok_or_else(account::incarico_required)?;
        company_requests(conn, &company, paging, opt(from), opt(to))
    } else {
        owner_requests(conn, &s, paging, opt(from), opt(to))
    }
}

const RANGE: &str = "(?2 IS NULL OR r.created_at >= ?2) AND (?3 IS NULL OR r.created_at < ?3)";

fn owner_requests(conn: &Connection, s: &Session, paging: Paging, from: Value, to: Value) -> Result<Reply, ApiError> {
    let params = [int(s.person_id), from, to];
    let total = db::scalar_i64(&db::query(conn, &format!("SELECT count(*) AS n FROM cv_requests r WHERE r.owner_id = ?1 AND {RANGE}"), &params)?, "n")?;
    paging.ensure_in_range(total)?;
    let mut p = params.to_vec();
    p.extend([int(paging.limit()), int(paging.offset())]);
    let rows = db::query(
        conn,
        &format!(
            "SELECT r.id, r.created_at, r.position, r.status, r.decided_at, r.cv_id, r.cv_description, c.name AS company, c.fiscal_code
               FROM cv_requests r JOIN companies c ON c.id = r.company_id
              WHERE r.owner_id = ?1 AND {RANGE} ORDER BY r.created_at DESC, r.id DESC LIMIT ?4 OFFSET ?5"
        ),
        &p,
    )?;
    let items = rows
        .rows()
        .map(|r| {
            let status = db::text(&r, "status")?;
            let cv_id = r.get::<i64>("cv_id");
            Ok(json!({
                "id": db::int(&r, "id")?,
                "date": iso_utc(db::int(&r, "created_at")?),
                "company": { "name": db::text(&r, "company")?, "fiscal_code": db::text(&r, "fiscal_code")? },
                "position": db::text(&r, "position")?,
                "cv": { "id": cv_id, "description": db::text(&r, "cv_description")?, "download": cv_id.map(|i| format!("/api/cv/{i}/file")) },
                "status": crate::status_label(&status),
                "status_code": status,
                "decided_at": r.get::<i64>("decided_at").map(iso_utc),
                "can_decide": status == "requested",
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

fn company_requests(conn: &Connection, company: &ActingAs, paging: Paging, from: Value, to: Value) -> Result<Reply, ApiError> {
    let params = [int(company.company_id), from, to];
    let total = db::scalar_i64(&db::query(conn, &format!("SELECT count(*) AS n FROM cv_requests r WHERE r.company_id = ?1 AND {RANGE}"), &params)?, "n")?;
    paging.ensure_in_range(total)?;
    let mut p = params.to_vec();
    p.extend([int(paging.limit()), int(paging.offset())]);
    let rows = db::query(
        conn,
        &format!(
            "SELECT r.id, r.created_at, r.position, r.status, r.decided_at, r.cv_id, r.cv_handle,
                    CASE WHEN r.status = 'accepted' THEN p.name END AS name,
                    CASE WHEN r.status = 'accepted' THEN p.family_name END AS family_name
               FROM cv_requests r JOIN people p ON p.id = r.owner_id
              WHERE r.company_id = ?1 AND {RANGE} ORDER BY r.created_at DESC, r.id DESC LIMIT ?4 OFFSET ?5"
        ),
        &p,
    )?;
    let items = rows
        .rows()
        .map(|r| {
            let status = db::text(&r, "status")?;
            // the owner's identity and the CV only after «Autorizza»
            let candidate = match (status.as_str(), r.get::<i64>("cv_id")) {
                ("accepted", cv_id) => json!({
                    "name": db::opt_text(&r, "name"), "family_name": db::opt_text(&r, "family_name"),
                    "cv_id": cv_id, "download": cv_id.map(|i| format!("/api/cv/{i}/file")),
                }),
                _ => Json::Null,
            };
            Ok(json!({
                "id": db::int(&r, "id")?,
                "date": iso_utc(db::int(&r, "created_at")?),
                "position": db::text(&r, "position")?,
                "cv": db::text(&r, "cv_handle")?,
                "status": crate::status_label(&status),
                "status_code": status,
                "decided_at": r.get::<i64>("decided_at").map(iso_utc),
                "candidate": candidate,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

#[derive(Debug, Default, Deserialize)]
struct RequestIn {
    /// company: the CV's handle from the search
    cv: Option<String>,
    position: Option<String>,
    /// owner: the request and the decision
    id: Option<i64>,
    decision: Option<String>,
}

fn requests_post(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let input: RequestIn = json_body(req.body())?;
    if s.acting_as.is_some() {
        let company = acting_company(conn, &s)?.ok_or_else(account::incarico_required)?;
        new_request(conn, &s, &company, &input)
    } else {
        let id = input.id.ok_or_else(|| ApiError::invalid_field("id", "required", "Indica la richiesta su cui decidere."))?;
        let status = input
            .decision
            .as_deref()
            .and_then(crate::decision)
            .ok_or_else(|| ApiError::invalid_field("decision", "invalid_choice", "Scegli «Autorizza» (accept) o «Rifiuta» (refuse)."))?;
        let rows = db::query(conn, "SELECT token_hash FROM cv_requests WHERE id = ? AND owner_id = ?", &[int(id), int(s.person_id)])?;
        let hash = rows
            .rows()
            .next()
            .map(|r| db::text(&r, "token_hash"))
            .transpose()?
            .ok_or_else(|| ApiError::new(404, "request_not_found", "La richiesta indicata non esiste."))?;
        decide(conn, &hash, status, "portal", None)?;
        owner_request_json(conn, id)
    }
}

fn owner_request_json(conn: &Connection, id: i64) -> Result<Reply, ApiError> {
    let rows = db::query(conn, "SELECT id, status, decided_at FROM cv_requests WHERE id = ?", &[int(id)])?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal("request vanished"))?;
    let status = db::text(&r, "status")?;
    Reply::json(200, &json!({ "id": id, "status": crate::status_label(&status), "status_code": status, "decided_at": r.get::<i64>("decided_at").map(iso_utc) }))
}

fn new_request(conn: &Connection, s: &Session, company: &ActingAs, input: &RequestIn) -> Result<Reply, ApiError> {
    let position = crate::position(input.position.as_deref())?;
    let handle = input.cv.as_deref().unwrap_or("").trim();
    let not_found = || ApiError::new(404, "cv_not_found", "Il curriculum indicato non esiste o non è più consultabile.");
    if handle.len() != 32 || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let rows = db::query(conn, "SELECT id, person_id, description FROM cvs WHERE handle = ? AND search_consent = 1", &[text(handle)])?;
    let (cv_id, owner_id, description) = rows
        .rows()
        .next()
        .map(|r| Ok::<_, ApiError>((db::int(&r, "id")?, db::int(&r, "person_id")?, db::text(&r, "description")?)))
        .transpose()?
        .ok_or_else(not_found)?;
    let o = owner(conn, owner_id)?;
    let token = session::random_token()?;
    let hash = crate::token_hash(&token).ok_or_else(|| ApiError::internal("random token is not a token"))?;
    let days = num("cv_request_link_days", 30);
    let now = unix_now();
    let base = var("base_url").ok_or_else(|| ApiError::internal("variable base_url is not set"))?;
    let link = format!("{}/api/cv-requests/decision?token={token}", base.trim_end_matches('/'));
    let per_day = num("cv_requests_per_day", 100);
    let id = tx(conn, |conn| {
        // each request sends an e-mail and an SMS to a citizen: a company sends a bounded number a day
        let today = db::scalar_i64(
            &db::query(conn, "SELECT count(*) AS n FROM cv_requests WHERE company_id = ? AND created_at > ?", &[int(company.company_id), int(now - 86_400)])?,
            "n",
        )?;
        if today >= per_day {
            eprintln!("cv: company {} reached {per_day} requests in 24 hours", company.company_id);
            return Err(ApiError::new(
                429,
                "request_limit",
                format!("La tua azienda ha già inviato {per_day} richieste di visione nelle ultime 24 ore: riprova più tardi."),
            ));
        }
        let rows = db::query(
            conn,
            "INSERT INTO cv_requests (cv_id, cv_handle, cv_description, owner_id, company_id, requested_by, position, token_hash, token_expires_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            &[
                int(cv_id),
                text(handle),
                text(description.as_str()),
                int(owner_id),
                int(company.company_id),
                int(s.person_id),
                text(position.as_str()),
                text(hash.as_str()),
                int(now + days * 86_400),
                int(now),
            ],
        )?;
        let Some(id) = rows.rows().next().and_then(|r| r.get::<i64>("id")) else {
            return Err(ApiError::new(409, "request_exists", "Hai già una richiesta in attesa di risposta per questo curriculum."));
        };
        let full_name = format!("{} {}", o.name, o.family_name).to_uppercase();
        let cv_label = if description.is_empty() { "Curriculum Vitae".to_string() } else { description.clone() };
        if let Some(email) = &o.email {
            outbox::enqueue(
                conn,
                &Message::new(outbox::Channel::Email, email, outbox::CV_REQUEST)
                    .param("name", full_name)
                    .param("company", company.name.as_str())
                    .param("position", position.as_str())
                    .param("cv", cv_label)
                    .param("link", link.as_str())
                    .param("days", days.to_string())
                    .person(owner_id),
            )?;
        }
        if let Some(mobile) = &o.mobile {
            outbox::enqueue(
                conn,
                &Message::new(outbox::Channel::Sms, mobile, outbox::CV_REQUEST)
                    .param("company", company.name.as_str())
                    .param("position", position.as_str())
                    .param("link", link.as_str())
                    .person(owner_id),
            )?;
        }
        Ok(id)
    })?;
    eprintln!("cv: company {} (person {}) asked to see cv {cv_id}: request {id}", company.company_id, s.person_id);
    Reply::json(
        201,
        &json!({ "id": id, "date": iso_utc(now), "position": position, "cv": handle, "status": "RICHIESTA", "status_code": "requested", "candidate": null }),
    )
}

/// What a decision link's token points to.
struct LinkState {
    id: i64,
    status: String,
    expires_at: i64,
    decided_at: Option<i64>,
    company: String,
    position: String,
    owner_name: String,
    created_at: i64,
}

fn link_state(conn: &Connection, hash: &str) -> Result<Option<LinkState>, ApiError> {
    let rows = db::query(
        conn,
        "SELECT r.id, r.status, r.token_expires_at, r.decided_at, r.position, r.created_at, c.name AS company, p.name, p.family_name
           FROM cv_requests r JOIN companies c ON c.id = r.company_id JOIN people p ON p.id = r.owner_id WHERE r.token_hash = ?",
        &[text(hash)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    Ok(Some(LinkState {
        id: db::int(&r, "id")?,
        status: db::text(&r, "status")?,
        expires_at: db::int(&r, "token_expires_at")?,
        decided_at: r.get::<i64>("decided_at"),
        company: db::text(&r, "company")?,
        position: db::text(&r, "position")?,
        owner_name: format!("{} {}", db::text(&r, "name")?, db::text(&r, "family_name")?).to_uppercase(),
        created_at: db::int(&r, "created_at")?,
    }))
}

fn link_invalid() -> ApiError {
    ApiError::new(404, "request_link_invalid", "Il collegamento non è valido: controlla di averlo copiato per intero dal messaggio ricevuto.")
}

/// Records a decision once (a conditional UPDATE): `status` accepted | refused. With
/// `expires_check` (the link), an expired token is refused. 409 when already decided.
fn decide(conn: &Connection, hash: &str, status: &str, via: &str, expires_check: Option<i64>) -> Result<i64, ApiError> {
    let now = unix_now();
    let decided = tx(conn, |conn| {
        let rows = db::query(
            conn,
            "UPDATE cv_requests SET status = ?, decided_at = ?, decided_via = ?
              WHERE token_hash = ? AND status = 'requested' AND (?5 IS NULL OR token_expires_at >= ?5)
             RETURNING id, cv_id, position, company_id",
            &[text(status), int(now), text(via), text(hash), expires_check.map(Value::Integer).unwrap_or(Value::Null)],
        )?;
        let Some(r) = rows.rows().next() else { return Ok(None) };
        let id = db::int(&r, "id")?;
        if let (Some(cv_id), "accepted") = (r.get::<i64>("cv_id"), status) {
            let company = db::query(conn, "SELECT name FROM companies WHERE id = ?", &[int(db::int(&r, "company_id")?)])?;
            let name = company.rows().next().and_then(|c| c.get::<&str>("name").map(str::to_owned)).unwrap_or_default();
            // a use of the CV in a job search: the retention period starts again
            event(conn, cv_id, "utilizzo", &format!("Richiesta visione CV {} per il profilo {} autorizzata", name, db::text(&r, "position")?), now)?;
            db::query(conn, "UPDATE cvs SET last_activity_at = ?, retention_notice_at = NULL WHERE id = ?", &[int(now), int(cv_id)])?;
        }
        Ok(Some(id))
    })?;
    if let Some(id) = decided {
        eprintln!("cv: request {id} {status} ({via})");
        return Ok(id);
    }
    match link_state(conn, hash)? {
        None => Err(link_invalid()),
        Some(st) if st.status != "requested" => Err(ApiError::new(
            409,
            "already_decided",
            format!("Hai già {} questa richiesta il {}.", if st.status == "accepted" { "autorizzato" } else { "rifiutato" }, crate::italian_date(st.decided_at.unwrap_or(0))),
        )),
        Some(_) => Err(ApiError::new(
            410,
            "request_link_expired",
            "Il collegamento è scaduto. Puoi ancora decidere accedendo al portale, dalla pagina \"Richieste curriculum vitae\".",
        )),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn html(status: u16, title: &str, content: &str) -> Reply {
    let template = std::fs::read_to_string("/templates/message.html").unwrap_or_else(|_| "<!doctype html><html lang=\"it\"><title>{{title}}</title><main>{{content}}</main></html>".into());
    let mut r = Reply::uncached_html(status, template.replace("{{title}}", &esc(title)).replace("{{content}}", content).into_bytes());
    r.headers.retain(|(k, _)| *k != "cache-control");
    r.headers.push(("cache-control", "no-store".into()));
    // the token is in the URL: never send it on as a referrer
    r.headers.push(("referrer-policy", "no-referrer".into()));
    r
}

fn decision_error_page(e: &ApiError) -> Reply {
    if e.status >= 500 {
        return html(500, "Servizio non disponibile", "<h1>Servizio non disponibile</h1><p>Non è stato possibile completare l'operazione. Riprova tra qualche minuto.</p>");
    }
    html(
        e.status,
        "Richiesta di visione del curriculum",
        &format!("<h1>Richiesta di visione del curriculum</h1><div class=\"callout danger\" role=\"alert\"><p>{}</p></div>", esc(&e.message)),
    )
}

fn link_json(st: &LinkState, now: i64) -> Json {
    json!({
        "id": st.id,
        "date": iso_utc(st.created_at),
        "name": st.owner_name,
        "company": st.company,
        "position": st.position,
        "status": crate::status_label(&st.status),
        "status_code": st.status,
        "decided_at": st.decided_at.map(iso_utc),
        "expired": st.status == "requested" && st.expires_at < now,
        "can_decide": st.status == "requested" && st.expires_at >= now,
    })
}

fn link_page(st: &LinkState, token: &str, now: i64) -> Reply {
    let intro = format!(
        "<p>Gentile <strong>{}</strong></p><p>L'azienda <strong>{}</strong>, durante la ricerca di personale per il profilo <strong>{}</strong> ha manifestato interesse verso il tuo profilo professionale e vorrebbe prendere visione del tuo Curriculum Vitae.</p>",
        esc(&st.owner_name),
        esc(&st.company),
        esc(&st.position)
    );
    let body = match st.status.as_str() {
        "accepted" => format!("<div class=\"callout success\" role=\"status\"><p>Hai autorizzato la visione del tuo curriculum il {}.</p></div>", crate::italian_date(st.decided_at.unwrap_or(0))),
        "refused" => format!(
            "<div class=\"callout\" role=\"status\"><p>Hai rifiutato la richiesta il {}: l'azienda non riceverà i tuoi dati personali.</p></div>",
            crate::italian_date(st.decided_at.unwrap_or(0))
        ),
        _ if st.expires_at < now => "<div class=\"callout warning\" role=\"alert\"><p>Il collegamento è scaduto. Puoi ancora decidere accedendo al portale, dalla pagina \"Richieste curriculum vitae\".</p></div>".to_string(),
        _ => format!(
            "<p>Per autorizzare la visualizzazione delle tue informazioni personali, fai click su «Autorizza».</p>\
             <p>Utilizza il tasto «Rifiuta» per negare all'azienda la possibilità di visionare il tuo curriculum vitae (in tal caso, non verranno forniti i tuoi dati personali e l'azienda non verrà a conoscenza della tua identità).</p>\
             <form method=\"post\" action=\"/api/cv-requests/decision\"><input type=\"hidden\" name=\"token\" value=\"{t}\">\
             <button type=\"submit\" name=\"decision\" value=\"accept\" class=\"btn btn-success me-2\">Autorizza</button>\
             <button type=\"submit\" name=\"decision\" value=\"refuse\" class=\"btn btn-danger\">Rifiuta</button></form>",
            t = esc(token)
        ),
    };
    html(200, "Richiesta di visione del curriculum", &format!("<h1>Richiesta di visione del curriculum</h1>{intro}{body}"))
}

/// `GET /api/cv-requests/decision?token=`: the e-mail/SMS link, no login. It changes
/// nothing (mail scanners open links): the request and, while undecided, the two
/// buttons (a form POST); once decided, the decision. JSON with `Accept: application/json`.
fn decision_page(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let q = Query::parse(req.query())?;
    let token = q.get("token").unwrap_or("");
    let hash = crate::token_hash(token).ok_or_else(link_invalid)?;
    let st = link_state(conn, &hash)?.ok_or_else(link_invalid)?;
    let now = unix_now();
    if wants_json(req) { Reply::json(200, &link_json(&st, now)) } else { Ok(link_page(&st, token, now)) }
}

#[derive(Debug, Default, Deserialize)]
struct DecideIn {
    token: Option<String>,
    decision: Option<String>,
}

/// `POST /api/cv-requests/decision`: form `token`, `decision` (the page's buttons) or
/// JSON `{token, decision}`; no session needed. Single use.
fn decide_by_link(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let input: DecideIn = if is_json(req) {
        json_body(req.body())?
    } else {
        let f = Query::parse_form(&String::from_utf8_lossy(req.body()));
        DecideIn { token: f.get("token").map(str::to_owned), decision: f.get("decision").map(str::to_owned) }
    };
    let token = input.token.unwrap_or_default();
    let hash = crate::token_hash(token.trim()).ok_or_else(link_invalid)?;
    let status = input
        .decision
        .as_deref()
        .and_then(crate::decision)
        .ok_or_else(|| ApiError::invalid_field("decision", "invalid_choice", "Scegli «Autorizza» o «Rifiuta»."))?;
    let now = unix_now();
    decide(conn, &hash, status, "link", Some(now))?;
    let st = link_state(conn, &hash)?.ok_or_else(link_invalid)?;
    if is_json(req) { Reply::json(200, &link_json(&st, now)) } else { Ok(link_page(&st, token.trim(), now)) }
}

// ---------------------------------------------------------------------------------
// Retention job
// ---------------------------------------------------------------------------------

/// Rows handled per run and step.
const RETENTION_BATCH: i64 = 500;

fn retention_job(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    common::jobs::check_auth(&var("jobs_secret").unwrap_or_default(), header(req, "authorization"))?;
    let q = Query::parse(req.query())?;
    let dev_clock = var("dev_clock").as_deref().map(str::trim) == Some("true");
    let now = crate::job_now(q.get("now"), dev_clock, unix_now())?;
    let r = retention();
    // 1. notices: one e-mail per CV and retention period, recorded atomically with the mail
    let noticed = tx(conn, |conn| {
        let rows = db::query(
            conn,
            "UPDATE cvs SET retention_notice_at = ?1
              WHERE id IN (SELECT id FROM cvs WHERE retention_notice_at IS NULL AND last_activity_at <= ?2 ORDER BY last_activity_at LIMIT ?3)
             RETURNING id, person_id, description, last_activity_at",
            &[int(now), int(r.notice_before(now)), int(RETENTION_BATCH)],
        )?;
        let due: Vec<(i64, i64, String, i64)> = rows
            .rows()
            .map(|x| Ok((db::int(&x, "id")?, db::int(&x, "person_id")?, db::text(&x, "description")?, db::int(&x, "last_activity_at")?)))
            .collect::<Result<_, ApiError>>()?;
        for (id, person_id, description, last) in &due {
            let o = owner(conn, *person_id)?;
            let Some(email) = o.email.as_deref().or(o.emails.first().map(String::as_str)) else {
                eprintln!("cv: retention notice for cv {id}: the owner has no e-mail address");
                continue;
            };
            let cv = if description.is_empty() { "Curriculum Vitae".to_string() } else { description.clone() };
            outbox::enqueue(
                conn,
                &Message::new(outbox::Channel::Email, email, outbox::CV_RETENTION_NOTICE)
                    .param("name", format!("{} {}", o.name, o.family_name))
                    .param("cv", cv)
                    .param("date", crate::italian_date(r.deletion_at(*last, now)))
                    .person(*person_id),
            )?;
        }
        Ok(due.len() as i64)
    })?;
    // 2. deletions: a year after the last activity, and the full notice period after the notice
    let deleted = tx(conn, |conn| {
        let rows = db::query(
            conn,
            "SELECT id FROM cvs WHERE last_activity_at <= ? AND retention_notice_at IS NOT NULL AND retention_notice_at <= ? ORDER BY id LIMIT ?",
            &[int(r.delete_before(now)), int(r.noticed_before(now)), int(RETENTION_BATCH)],
        )?;
        let ids: Vec<i64> = rows.rows().filter_map(|x| x.get::<i64>("id")).collect();
        for id in &ids {
            remove(conn, *id)?;
            eprintln!("cv: retention deleted cv {id}");
        }
        Ok(ids.len() as i64)
    })?;
    let summary = format!("Avvisi di cancellazione inviati: {noticed}; curriculum cancellati: {deleted}.");
    Reply::json(200, &json!({ "now": iso_utc(now), "noticed": noticed, "deleted": deleted, "summary": summary }))
}
