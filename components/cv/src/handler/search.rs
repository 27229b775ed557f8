//! B3: the companies' anonymised search.

use common::sql::Db;
use common::{ApiError, Page, Paging, Reply, Req};
use serde::Serialize;

use super::{Territory, area_codes, int, paged, territories, text};

/// One result: the anonymised text under an opaque handle, never an id, file, name or
/// date-time that could be joined to the owner.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvSearchItem))]
pub struct SearchItem {
    pub cv: String,
    /// `YYYY-MM-DD`
    pub updated_on: String,
    pub territories: Vec<Territory>,
    pub text: String,
    pub text_truncated: bool,
    /// this company's last request's state, if any
    pub request_status: Option<&'static str>,
}

/// `GET /api/cv-search`: consented CVs, as anonymised text under an opaque handle.
pub(super) fn search(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let (_, company) = access::require_acting(conn, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 10)?;
    let wanted = crate::parse_territories(q.get("territory"), &area_codes(conn)?)?;
    let keywords = q.get("q").unwrap_or("");
    let occupation = q.get("occupation").unwrap_or("");
    let expr = crate::fts_query(keywords, occupation, &wanted);
    let (total, rows) = match &expr {
        // the index holds consented CVs only (consent and index row change in one transaction)
        Some(m) => paged(
            conn,
            "SELECT count(*) AS n FROM cv_fts WHERE cv_fts MATCH ?",
            "SELECT c.id, c.handle, c.anonymised_text, c.updated_at FROM cv_fts f JOIN cvs c ON c.id = f.rowid
             WHERE cv_fts MATCH ? AND c.search_consent = 1 ORDER BY f.rank, c.id LIMIT ? OFFSET ?",
            &[text(m.as_str())],
            paging,
        )?,
        None => paged(
            conn,
            "SELECT count(*) AS n FROM cvs WHERE search_consent = 1",
            "SELECT id, handle, anonymised_text, updated_at FROM cvs WHERE search_consent = 1 ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
            &[],
            paging,
        )?,
    };
    let items = rows
        .rows()
        .map(|r| {
            let id = r.int("id")?;
            let (text_out, truncated) = crate::truncate(&r.text("anonymised_text")?, crate::RESULT_TEXT_CHARS);
            let mine = conn.execute("SELECT status FROM cv_requests WHERE cv_id = ? AND company_id = ? ORDER BY id DESC LIMIT 1",
                &[int(id), int(company.company_id)],
            )?;
            let request = mine.rows().next().and_then(|m| m.get::<&str>("status").map(crate::status_label));
            Ok(SearchItem {
                cv: r.text("handle")?,
                updated_on: common::rome::day_at(r.int("updated_at")?),
                territories: territories(conn, id)?,
                text: text_out,
                text_truncated: truncated,
                request_status: request,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

