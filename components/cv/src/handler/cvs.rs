//! C2: the owner's CVs: the form, list, upload, detail, edit, delete, history and file.

use common::rome::iso_utc;
use common::sql::{Db, Value};
use common::{ApiError, Page, Paging, Reply, Req};
use serde::Serialize;

use super::{CV_COLUMNS, Territory, anonymise, area_codes, areas, cv_of, cv_out, event, int, opt_int, own_cv, owner, paged, territories, text, tx};
use crate::{Meta, MetaIn};

const CONSENT_TEXT: &str = "Rilasciando il consenso alla ricerca, il tuo CV sarà ricercabile dalle aziende e dalle agenzie che sono impegnate nella ricerca di personale. Se il contenuto del tuo curriculum (informazioni anonimizzate) risulterà di interesse, verrai avvisato e potrai decidere se far visionare o meno il tuo curriculum completo.";
const RETENTION_TEXT: &str = "Attenzione: i dati del tuo CV saranno conservati per 1 anno dalla data di caricamento se non lo aggiorni e se non viene usato in azioni di ricerca del lavoro. In prossimità della scadenza di questi dodici mesi (15 giorni prima) ti invieremo una notifica via posta elettronica per segnalarti l'imminente cancellazione.";
const FILE_TEXT: &str = "Scegli o trascina il file. Sono ammessi i file con estensione pdf, doc, docx, odt con dimensione massima di 5 MB, con un testo e non un'immagine (scansione).";
const DELETE_CONFIRM: &str = "Sicuro di voler procedere con la rimozione del Curriculum Vitae?";

pub(super) fn form(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    access::require_active(conn, req)?;
    let territories = areas(conn)?.into_iter().map(|(code, name)| Territory { code, name }).collect();
    Reply::json(
        200,
        &CvForm {
            territories,
            consent_text: CONSENT_TEXT,
            retention_text: RETENTION_TEXT,
            file_text: FILE_TEXT,
            delete_confirm: DELETE_CONFIRM,
            file: FileRules { max_bytes: crate::max_upload(), extensions: &["pdf", "doc", "docx", "odt"] },
            description_max: crate::MAX_DESCRIPTION,
            max_cvs: crate::MAX_CVS_PER_PERSON,
        },
    )
}

/// What `GET /api/cv/form` answers: the form's choices, texts and limits.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CvForm {
    pub territories: Vec<Territory>,
    pub consent_text: &'static str,
    pub retention_text: &'static str,
    pub file_text: &'static str,
    pub delete_confirm: &'static str,
    pub file: FileRules,
    pub description_max: usize,
    pub max_cvs: i64,
}

/// The files an upload accepts.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvFileRules))]
pub struct FileRules {
    pub max_bytes: usize,
    pub extensions: &'static [&'static str],
}

/// What `DELETE /api/cv/{cv}` answers: the deleted CV's id.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvDeleted))]
pub struct Deleted {
    pub deleted: i64,
}

/// One line of a CV's history (`GET /api/cv/{cv}/history`).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CvEvent {
    /// ISO 8601, UTC
    pub at: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub note: String,
}

pub(super) fn list(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 10)?;
    let (from, to) = common::rome::day_range(q.get("from"), q.get("to"))?;
    let description = q.get("description").map(crate::cvs::description_filter);
    let params = [int(s.person_id), opt_int(from), opt_int(to), description.map(Value::Text).unwrap_or(Value::Null)];
    let filter = "person_id = ?1 AND (?2 IS NULL OR created_at >= ?2) AND (?3 IS NULL OR created_at < ?3) AND (?4 IS NULL OR description LIKE ?4 ESCAPE '\\')";
    let (total, rows) = paged(
        conn,
        &format!("SELECT count(*) AS n FROM cvs WHERE {filter}"),
        &format!("SELECT {CV_COLUMNS} FROM cvs WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT ?5 OFFSET ?6"),
        &params,
        paging,
    )?;
    let items = rows.rows().map(|r| cv_out(req, conn, &cv_of(&r)?)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

pub(super) fn detail(req: &Req, conn: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    Reply::json(200, &cv_out(req, conn, &own_cv(conn, &s, id)?)?)
}

pub(super) fn upload(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let id = store_new(req, conn, s.person_id, None)?;
    let cv = own_cv(conn, &s, id)?;
    let mut r = Reply::json(201, &cv_out(req, conn, &cv)?)?;
    r.headers.push(("location", format!("/api/cv/{id}")));
    Ok(r)
}

/// Stores the request's CV file and form (`X-CV-Meta`) as a new CV of `person_id`:
/// uploaded by the person, or by the CPI named in `by_cpi` ("Caricato CPI" = SI).
pub(super) fn store_new(req: &Req, conn: &dyn Db, person_id: i64, by_cpi: Option<&str>) -> Result<i64, ApiError> {
    let meta_in = crate::parse_meta_header(req.header("x-cv-meta"))?;
    let meta = crate::validate_meta(&meta_in, &area_codes(conn)?)?;
    let bytes = &req.body;
    let checked = check_file(bytes)?;
    let o = owner(conn, person_id)?;
    let anonymised = anonymise(&checked.text, &o);
    let name = crate::file_name(meta_in.file_name.as_deref(), checked.kind);
    let handle = common::token::random_token()?[..32].to_string();
    let now = req.now;
    let note = match by_cpi {
        Some(cpi) => format!("Curriculum caricato dal Centro per l'impiego {cpi}."),
        None => "Curriculum caricato.".to_string(),
    };
    let id = tx(conn, |conn| {
        let n = conn.execute("SELECT count(*) AS n FROM cvs WHERE person_id = ?", &[int(person_id)])?.scalar("n")?;
        if n >= crate::MAX_CVS_PER_PERSON {
            let max = crate::MAX_CVS_PER_PERSON;
            let message = match by_cpi {
                None => format!("Puoi conservare al massimo {max} curriculum: elimina quelli che non usi più e riprova."),
                Some(_) => format!("La persona conserva già {max} curriculum, il massimo consentito: potrà eliminare quelli che non usa più dalla sua area personale."),
            };
            return Err(ApiError::new(409, "too_many_cvs", message));
        }
        let rows = conn.execute("INSERT INTO cvs (handle, person_id, description, search_consent, uploaded_by_cpi, file_name, file_kind, file_size, file_sha256,
               anonymised_text, created_at, updated_at, last_activity_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                text(handle.as_str()),
                int(person_id),
                text(meta.description.as_str()),
                int(i64::from(meta.search_consent)),
                int(i64::from(by_cpi.is_some())),
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
        let id = rows.scalar("id")?;
        conn.execute("INSERT INTO cv_files (cv_id, content) VALUES (?, ?)", &[int(id), Value::Blob(bytes.to_vec())])?;
        set_territories(conn, id, &meta.territories)?;
        index(conn, id)?;
        event(conn, id, "caricamento", &note, now)?;
        Ok(id)
    })?;
    eprintln!("cv: cv {id} of person {person_id} uploaded{} ({}, {} bytes)", by_cpi.map(|c| format!(" by CPI {c}")).unwrap_or_default(), checked.kind.as_str(), bytes.len());
    Ok(id)
}

/// `PUT /api/cv/{id}`: JSON (description, consent, territories), or a new file as the
/// body with the fields in `X-CV-Meta` (optional: without it they stay as they are).
pub(super) fn update(req: &Req, conn: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let cv = own_cv(conn, &s, id)?;
    let codes = area_codes(conn)?;
    let before = Meta {
        description: cv.description.clone(),
        search_consent: cv.search_consent,
        territories: territories(conn, id)?.into_iter().map(|t| t.code).collect(),
    };
    let current = MetaIn {
        description: Some(before.description.clone()),
        search_consent: Some(before.search_consent),
        territories: Some(before.territories.clone()),
        file_name: None,
    };
    let merge = |m: MetaIn| crate::cvs::merge_meta(&current, m);
    let (meta_in, file) = if req.is_json() {
        if req.body.len() > crate::MAX_JSON {
            return Err(ApiError::payload_too_large(crate::MAX_JSON));
        }
        (merge(req.json::<MetaIn>()?), None)
    } else {
        let m = merge(crate::parse_meta_header(req.header("x-cv-meta"))?);
        (m, Some(&req.body))
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
    let now = req.now;
    // an edit that changes nothing writes nothing: no history, no new retention period
    let Some(note) = crate::cvs::change_note(&before, &meta, new_file.is_some()) else {
        return Reply::json(200, &cv_out(req, conn, &cv)?);
    };
    tx(conn, |conn| {
        conn.execute("UPDATE cvs SET description = ?, search_consent = ?, updated_at = ?, last_activity_at = ?, retention_notice_at = NULL WHERE id = ? AND person_id = ?",
            &[text(meta.description.as_str()), int(i64::from(meta.search_consent)), int(now), int(now), int(id), int(s.person_id)],
        )?;
        if let Some((bytes, checked, anonymised, name)) = &new_file {
            conn.execute("UPDATE cvs SET file_name = ?, file_kind = ?, file_size = ?, file_sha256 = ?, anonymised_text = ? WHERE id = ?",
                &[text(name.as_str()), text(checked.kind.as_str()), int(bytes.len() as i64), text(checked.sha256.as_str()), text(anonymised.as_str()), int(id)],
            )?;
            conn.execute("UPDATE cv_files SET content = ? WHERE cv_id = ?", &[Value::Blob(bytes.to_vec()), int(id)])?;
        }
        set_territories(conn, id, &meta.territories)?;
        index(conn, id)?;
        event(conn, id, "modifica", &note, now)
    })?;
    eprintln!("cv: person {} updated cv {id}", s.person_id);
    Reply::json(200, &cv_out(req, conn, &own_cv(conn, &s, id)?)?)
}

/// Removes a CV with its file, index row, territories and history; view requests keep
/// their row (without the CV).
pub(super) fn remove(conn: &dyn Db, id: i64) -> Result<(), ApiError> {
    conn.execute("UPDATE cv_requests SET cv_id = NULL WHERE cv_id = ?", &[int(id)])?;
    conn.execute("DELETE FROM cv_fts WHERE rowid = ?", &[int(id)])?;
    for table in ["cv_files", "cv_territories", "cv_events"] {
        conn.execute(&format!("DELETE FROM {table} WHERE cv_id = ?"), &[int(id)])?;
    }
    conn.execute("DELETE FROM cvs WHERE id = ?", &[int(id)])?;
    Ok(())
}

pub(super) fn delete(req: &Req, conn: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    own_cv(conn, &s, id)?;
    tx(conn, |conn| remove(conn, id))?;
    eprintln!("cv: person {} deleted cv {id}", s.person_id);
    Reply::json(200, &Deleted { deleted: id })
}

pub(super) fn history(req: &Req, conn: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    own_cv(conn, &s, id)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 10)?;
    // the CV's own events, and its uses in applications (the applications component's
    // rows, made by the owner after this CV was created: a reused id is another CV)
    let events = "SELECT e.at, 0 AS source, e.id, e.kind, e.note FROM cv_events e WHERE e.cv_id = ?1
         UNION ALL
         SELECT a.created_at, 1, a.id, 'utilizzo', 'Candidatura Offerta ' || o.code
           FROM applications a JOIN offers o ON o.id = a.offer_id JOIN cvs c ON c.id = a.cv_id
          WHERE a.cv_id = ?1 AND a.person_id = c.person_id AND a.created_at >= c.created_at";
    let (total, rows) = paged(
        conn,
        &format!("SELECT count(*) AS n FROM ({events})"),
        &format!("SELECT at, kind, note FROM ({events}) ORDER BY at, source, id LIMIT ?2 OFFSET ?3"),
        &[int(id)],
        paging,
    )?;
    let items = rows
        .rows()
        .map(|r| {
            let kind = r.text("kind")?;
            let label = crate::cvs::event_label(&kind);
            Ok(CvEvent { at: iso_utc(r.int("at")?), kind, kind_label: label, note: r.text("note")? })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// `GET /api/cv/{id}/file`: the owner, or a company with an accepted request for this
/// CV (acting for it now, with a current incarico). Every read is logged. Anyone else
/// gets 403, whether the CV exists or not.
pub(super) fn file(req: &Req, conn: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    let rows = conn.execute("SELECT person_id, file_name, file_kind FROM cvs WHERE id = ?", &[int(id)])?;
    let found = rows.rows().next().map(|r| Ok::<_, ApiError>((r.int("person_id")?, r.text("file_name")?, r.text("file_kind")?))).transpose()?;
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
        let (company, _) = access::guard::incarico(conn, s.person_id, acting.company_id)?.ok_or_else(denied)?;
        let rows = conn.execute("SELECT id, position FROM cv_requests WHERE cv_id = ? AND company_id = ? AND status = 'accepted' ORDER BY decided_at DESC LIMIT 1",
            &[int(id), int(company.company_id)],
        )?;
        let Some(r) = rows.rows().next() else { return Err(denied()) };
        let request_id = r.int("id")?;
        let reason = format!("Richiesta di visione n. {request_id} ({}) accettata dal titolare", r.text("position")?);
        ("company", Some(company.company_id), Some(request_id), reason)
    };
    let content = conn.execute("SELECT content FROM cv_files WHERE cv_id = ?", &[int(id)])?;
    let bytes = content.rows().next().and_then(|r| r.get::<&[u8]>("content").map(<[u8]>::to_vec)).ok_or_else(|| ApiError::internal(format!("file of cv {id} missing")))?;
    let (role, company_id, request_id, reason) = grant;
    access::audit::cv_read(
        conn,
        &access::audit::CvRead { cv_id: id, owner_id, reader_id: s.person_id, company_id, role, reason: &reason, request_id },
        req.now,
    )?;
    eprintln!("cv: person {} read the file of cv {id} as {role}", s.person_id);
    Ok(file_reply(&name, &kind, bytes))
}

/// A CV file as a download, never cached.
pub(super) fn file_reply(name: &str, kind: &str, bytes: Vec<u8>) -> Reply {
    let mime = cvtext::Kind::from_str_opt(kind).map_or("application/octet-stream", |k| k.mime());
    Reply {
        status: 200,
        headers: vec![
            ("content-type", mime.to_string()),
            ("content-disposition", common::reply::attachment(name)),
            ("cache-control", "no-store".into()),
        ],
        body: bytes,
    }
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
fn index(conn: &dyn Db, cv_id: i64) -> Result<(), ApiError> {
    conn.execute("DELETE FROM cv_fts WHERE rowid = ?", &[int(cv_id)])?;
    conn.execute("INSERT INTO cv_fts (rowid, body, facets)
         SELECT c.id, c.anonymised_text, coalesce((SELECT group_concat('a' || replace(t.area_code, '-', ''), ' ') FROM cv_territories t WHERE t.cv_id = c.id), '')
           FROM cvs c WHERE c.id = ? AND c.search_consent = 1",
        &[int(cv_id)],
    )?;
    Ok(())
}

fn set_territories(conn: &dyn Db, cv_id: i64, territories: &[String]) -> Result<(), ApiError> {
    conn.execute("DELETE FROM cv_territories WHERE cv_id = ?", &[int(cv_id)])?;
    for t in territories {
        conn.execute("INSERT INTO cv_territories (cv_id, area_code) VALUES (?, ?)", &[int(cv_id), text(t.as_str())])?;
    }
    Ok(())
}

