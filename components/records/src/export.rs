//! "Scarica i miei dati" (X8, GDPR art. 20): everything the portal holds about a person,
//! as a ZIP with one JSON file per area, the original files of their CVs and of the CVs
//! as sent with their applications, and an index.
//!
//! The export is TABLE-DRIVEN: [`EXPORTED`] says, for each table holding a person's
//! rows, how they are selected (`?1` = the person's id, `?2` = their codice fiscale)
//! and which columns are left out (secrets: hashes of tokens and codes; file contents,
//! which are written as files); [`NOT_PERSONAL`] names every other table with the reason.
//! A native test enumerates every table of the migrated schema and fails unless it is
//! in exactly one of the two lists, so a new migration's table cannot be forgotten.

use std::io::Write;

use common::sql::{Db, Value};
use common::{ApiError, params};
use serde::Serialize;
use serde_json::{Map, Value as Json};

/// How one table's rows of a person are exported.
#[derive(Debug, Clone, Copy)]
pub struct Exported {
    pub table: &'static str,
    /// The file of the ZIP (`<area>.json`) that holds it.
    pub area: &'static str,
    /// `WHERE` condition selecting the person's rows: `?1` person id, `?2` codice fiscale.
    pub select: &'static str,
    /// Columns left out, each because it is a secret or written as a file.
    pub omit: &'static [&'static str],
}

const fn x(table: &'static str, area: &'static str, select: &'static str, omit: &'static [&'static str]) -> Exported {
    Exported { table, area, select, omit }
}

const MY_CVS: &str = "cv_id IN (SELECT id FROM cvs WHERE person_id = ?1)";
const MY_APPLICATIONS: &str = "application_id IN (SELECT id FROM applications WHERE person_id = ?1)";

pub const EXPORTED: &[Exported] = &[
    x("people", "profilo", "id = ?1", &[]),
    x("accounts", "profilo", "person_id = ?1", &[]),
    x("activation_tokens", "profilo", "person_id = ?1", &["token_hash"]),
    x("sessions", "accessi", "person_id = ?1", &["id_hash", "slo_key", "csrf_token"]),
    x("otp_codes", "accessi", "person_id = ?1", &["salt", "code_hash"]),
    x("otp_attempts", "accessi", "otp_id IN (SELECT id FROM otp_codes WHERE person_id = ?1)", &[]),
    x("incarichi", "incarichi", "person_id = ?1", &[]),
    x("staff_roles", "ruoli", "fiscal_code = ?2", &[]),
    x("audit_log", "ruoli", "actor_id = ?1", &[]),
    x("cvs", "curriculum", "person_id = ?1", &[]),
    x("cv_files", "curriculum", MY_CVS, &["content"]),
    x("cv_territories", "curriculum", MY_CVS, &[]),
    x("cv_events", "curriculum", MY_CVS, &[]),
    x("cv_access_log", "curriculum", "owner_id = ?1", &[]),
    x("cv_requests", "richieste_cv", "owner_id = ?1", &["token_hash"]),
    x("applications", "candidature", "person_id = ?1", &[]),
    x("application_events", "candidature", MY_APPLICATIONS, &[]),
    x("application_files", "candidature", MY_APPLICATIONS, &["content"]),
    x("appointments", "appuntamenti", "person_id = ?1", &[]),
    x("cpi_messages", "appuntamenti", "person_id = ?1", &[]),
    x("calendar_feeds", "appuntamenti", "person_id = ?1", &["token_hash"]),
    x("interviews", "colloqui", "person_id = ?1", &[]),
    x("interview_signals", "colloqui", "sender = 'candidate' AND interview_id IN (SELECT id FROM interviews WHERE person_id = ?1)", &[]),
    x("documents", "documenti", "person_id = ?1", &["pdf"]),
    x("document_revisions", "documenti", "document_id IN (SELECT id FROM documents WHERE person_id = ?1)", &[]),
    x("oidc_consents", "siti_collegati", "person_id = ?1", &[]),
    x("oidc_handoffs", "siti_collegati", "person_id = ?1", &["token_hash"]),
    x("oidc_codes", "siti_collegati", "person_id = ?1", &["code_hash", "session_hash", "code_challenge", "nonce"]),
    x("oidc_tokens", "siti_collegati", "person_id = ?1", &["token_hash", "code_hash"]),
    x("oidc_logouts", "siti_collegati", "person_id = ?1", &["session_hash"]),
    x("saved_searches", "ricerche_salvate", "person_id = ?1", &["unsubscribe_token"]),
    x("outbox", "messaggi", "person_id = ?1", &["claim_token"]),
    x("outbox_headers", "messaggi", "outbox_id IN (SELECT id FROM outbox WHERE person_id = ?1)", &["headers"]),
    x("desks", "lavoro_operatore", "created_by = ?1", &[]),
    x("desk_hours", "lavoro_operatore", "created_by = ?1", &[]),
    x("desk_exceptions", "lavoro_operatore", "created_by = ?1", &[]),
    x("offer_drafts", "lavoro_operatore", "created_by = ?1", &[]),
    x("offer_terms", "lavoro_operatore", "created_by = ?1 OR updated_by = ?1", &[]),
    x("record_admin", "scheda_professionale", "person_id = ?1", &[]),
    x("record_experiences", "scheda_professionale", "person_id = ?1", &[]),
    x("record_education", "scheda_professionale", "person_id = ?1", &[]),
    x("record_training", "scheda_professionale", "person_id = ?1", &[]),
    x("record_languages", "scheda_professionale", "person_id = ?1", &[]),
    x("record_it_skills", "scheda_professionale", "person_id = ?1", &[]),
    x("record_albi", "scheda_professionale", "person_id = ?1", &[]),
    x("record_licences", "scheda_professionale", "person_id = ?1", &[]),
    x("record_special_lists", "scheda_professionale", "person_id = ?1", &[]),
    x("record_activities", "politiche_attive", "person_id = ?1", &[]),
    x("record_gg_activities", "politiche_attive", "person_id = ?1", &[]),
    x("course_enrolments", "formazione_regionale", "person_id = ?1", &[]),
    x("training_courses", "formazione_regionale", "id IN (SELECT course_id FROM course_enrolments WHERE person_id = ?1) OR created_by = ?1", &[]),
];

/// Tables that hold no one's personal data, each with the reason.
pub const NOT_PERSONAL: &[(&str, &str)] = &[
    ("schema_version", "which migrations ran"),
    ("news", "public news and events"),
    ("offers", "published job offers (the employer's, public)"),
    ("offer_locations", "where a published offer's work is"),
    ("offer_requirements", "a published offer's requirements"),
    ("offer_types", "reference list"),
    ("contract_types", "reference list"),
    ("offers_fts", "search index of published offers"),
    ("offers_fts_config", "search index internals of published offers"),
    ("offers_fts_content", "search index internals of published offers"),
    ("offers_fts_data", "search index internals of published offers"),
    ("offers_fts_docsize", "search index internals of published offers"),
    ("offers_fts_idx", "search index internals of published offers"),
    ("cv_fts", "search index of cvs.anonymised_text (exported with cvs), anonymised and keyed by CV id"),
    ("cv_fts_config", "search index internals, no row is a person's"),
    ("cv_fts_content", "copy of cvs.anonymised_text (exported with cvs) inside the search index"),
    ("cv_fts_data", "search index internals, no row is a person's"),
    ("cv_fts_docsize", "search index internals, no row is a person's"),
    ("cv_fts_idx", "search index internals, no row is a person's"),
    ("companies", "companies, agencies and firms (legal entities, public registers)"),
    ("regions", "reference list (ISTAT)"),
    ("provinces", "reference list (ISTAT)"),
    ("comuni", "reference list (ISTAT)"),
    ("comuni_caps", "reference list (CAPs)"),
    ("comuni_codes", "reference list (cadastral codes)"),
    ("areas", "the CPIs' areas"),
    ("area_provinces", "the provinces an area serves"),
    ("cpis", "the employment centres and their public contacts"),
    ("appointment_kinds", "reference list"),
    ("rate_windows", "short-lived counters of requests per key, no content"),
    ("saml_consumed", "ids of SAML assertions already used (replay guard), expire within minutes"),
    ("ref_policy_activities", "reference list (db/records)"),
    ("ref_gg_actions", "reference list (db/records)"),
    ("ref_study_titles", "reference list (db/records)"),
    ("ref_languages", "reference list (db/records)"),
    ("ref_language_levels", "reference list (db/records)"),
    ("ref_driving_licences", "reference list (db/records)"),
];

fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(n) => Json::from(*n),
        Value::Real(x) => Json::from(*x),
        Value::Text(s) => Json::from(s.as_str()),
        Value::Blob(b) => Json::from(b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
    }
}

/// The person's rows of one table, each a JSON object of its columns (less `omit`).
pub fn rows(db: &dyn Db, e: &Exported, person_id: i64, fiscal_code: &str) -> Result<Vec<Json>, ApiError> {
    let cols: Vec<String> = db
        .execute(&format!("SELECT name FROM pragma_table_info('{}')", e.table), &[])?
        .rows()
        .map(|r| r.text("name"))
        .collect::<Result<_, _>>()?;
    let keep: Vec<&String> = cols.iter().filter(|c| !e.omit.contains(&c.as_str())).collect();
    let list = keep.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT {list} FROM {} WHERE {} ORDER BY 1", e.table, e.select);
    let result = if e.select.contains("?2") { db.execute(&sql, params![person_id, fiscal_code])? } else { db.execute(&sql, params![person_id])? };
    Ok(result
        .rows()
        .map(|r| {
            let mut m = Map::new();
            for c in &keep {
                m.insert((*c).clone(), r.value(c).map(to_json).unwrap_or(Json::Null));
            }
            Json::Object(m)
        })
        .collect())
}

#[derive(Debug, Serialize)]
struct IndexEntry {
    table: &'static str,
    file: String,
    rows: usize,
    omitted_columns: &'static [&'static str],
}

#[derive(Debug, Serialize)]
struct Index {
    title: &'static str,
    person_id: i64,
    fiscal_code: String,
    generated_at: String,
    tables: Vec<IndexEntry>,
    files: Vec<String>,
}

/// A name safe inside a ZIP: no folders, no control characters.
fn safe_name(name: &str) -> String {
    let n: String = name.chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect();
    let n = n.trim_matches('.').trim().to_string();
    if n.is_empty() { "file".into() } else { n }
}

/// The ZIP of everything held about `person_id` (see the module's documentation).
pub fn zip(db: &dyn Db, person_id: i64, now: i64) -> Result<Vec<u8>, ApiError> {
    let cf = db.execute("SELECT fiscal_code FROM people WHERE id = ?1", params![person_id])?.first().map(|r| r.text("fiscal_code")).transpose()?.unwrap_or_default();
    let mut areas: Vec<(&'static str, Map<String, Json>)> = Vec::new();
    let mut index = Index {
        title: "Dati personali conservati dal portale Toscana Lavoro (art. 20 GDPR)",
        person_id,
        fiscal_code: cf.clone(),
        generated_at: common::rome::iso_utc(now),
        tables: Vec::new(),
        files: Vec::new(),
    };
    for e in EXPORTED {
        let rows = rows(db, e, person_id, &cf)?;
        index.tables.push(IndexEntry { table: e.table, file: format!("{}.json", e.area), rows: rows.len(), omitted_columns: e.omit });
        let pos = match areas.iter().position(|(a, _)| *a == e.area) {
            Some(p) => p,
            None => {
                areas.push((e.area, Map::new()));
                areas.len() - 1
            }
        };
        areas[pos].1.insert(e.table.to_string(), Json::Array(rows));
    }
    let err = |e: zip::result::ZipError| ApiError::internal(format!("export zip: {e}"));
    let io = |e: std::io::Error| ApiError::internal(format!("export zip: {e}"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (area, tables) in &areas {
        w.start_file(format!("{area}.json"), opts).map_err(err)?;
        w.write_all(&serde_json::to_vec_pretty(tables).map_err(ApiError::internal)?).map_err(io)?;
    }
    let cvs = db.execute(
        "SELECT c.id, c.file_name, f.content FROM cvs c JOIN cv_files f ON f.cv_id = c.id WHERE c.person_id = ?1 ORDER BY c.id",
        params![person_id],
    )?;
    for r in cvs.rows() {
        let name = format!("file/curriculum/{}-{}", r.int("id")?, safe_name(&r.text("file_name")?));
        w.start_file(name.as_str(), opts).map_err(err)?;
        w.write_all(r.blob("content")?).map_err(io)?;
        index.files.push(name);
    }
    let sent = db.execute(
        "SELECT f.application_id, f.file_name, f.content FROM application_files f JOIN applications a ON a.id = f.application_id
          WHERE a.person_id = ?1 ORDER BY f.application_id",
        params![person_id],
    )?;
    for r in sent.rows() {
        let name = format!("file/candidature/{}-{}", r.int("application_id")?, safe_name(&r.text("file_name")?));
        w.start_file(name.as_str(), opts).map_err(err)?;
        w.write_all(r.blob("content")?).map_err(io)?;
        index.files.push(name);
    }
    let documents = db.execute("SELECT id, code, pdf FROM documents WHERE person_id = ?1 ORDER BY id", params![person_id])?;
    for r in documents.rows() {
        let name = format!("file/documenti/{}-{}.pdf", r.int("id")?, safe_name(&r.text("code")?));
        w.start_file(name.as_str(), opts).map_err(err)?;
        w.write_all(r.blob("pdf")?).map_err(io)?;
        index.files.push(name);
    }
    w.start_file("indice.json", opts).map_err(err)?;
    w.write_all(&serde_json::to_vec_pretty(&index).map_err(ApiError::internal)?).map_err(io)?;
    Ok(w.finish().map_err(err)?.into_inner())
}
