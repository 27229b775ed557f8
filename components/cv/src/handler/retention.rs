//! The retention job (`POST /jobs/cv/retention`): notices before the deletion, then the
//! deletions.

use common::rome::iso_utc;
use common::sql::Db;
use common::{ApiError, Reply, Req};
use outbox::Message;

use super::cvs::remove;
use super::{int, last_activity, owner, retention, tx};

/// Rows handled per run and step.
const RETENTION_BATCH: i64 = 500;

pub(super) fn run(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    common::jobs::check_auth(&req.var("jobs_secret").unwrap_or_default(), req.header("authorization"))?;
    let q = req.query()?;
    let now = crate::job_now(q.get("now"), req.var_flag("dev_clock"), req.now)?;
    let r = retention(req);
    // 1. notices: one e-mail per CV and retention period, recorded with the mail in one
    // transaction; the period runs from the last activity, uses in applications included
    // (a notice sent before a later use belongs to a past period)
    let noticed = tx(conn, |conn| {
        let rows = conn.execute(
            concat!(
                "SELECT id, person_id, description, ",
                last_activity!(),
                " AS last FROM cvs WHERE last_activity_at <= ?1 AND ",
                last_activity!(),
                " <= ?1 AND (retention_notice_at IS NULL OR retention_notice_at < ",
                last_activity!(),
                ") ORDER BY last, id LIMIT ?2"
            ),
            &[int(r.notice_before(now)), int(RETENTION_BATCH)],
        )?;
        let due: Vec<(i64, i64, String, i64)> = rows
            .rows()
            .map(|x| Ok((x.int("id")?, x.int("person_id")?, x.text("description")?, x.int("last")?)))
            .collect::<Result<_, ApiError>>()?;
        for (id, person_id, description, last) in &due {
            conn.execute("UPDATE cvs SET retention_notice_at = ? WHERE id = ?", &[int(now), int(*id)])?;
            let o = owner(conn, *person_id)?;
            let Some(email) = o.email.as_deref().or(o.emails.first().map(String::as_str)) else {
                eprintln!("cv: retention notice for cv {id}: the owner has no e-mail address");
                continue;
            };
            let cv = crate::cvs::cv_label(description);
            outbox::enqueue(
                conn,
                &Message::new(outbox::Channel::Email, email, outbox::CV_RETENTION_NOTICE)
                    .param("name", format!("{} {}", o.name, o.family_name))
                    .param("cv", cv)
                    .param("date", common::rome::italian_day(r.deletion_at(*last, now)))
                    .person(*person_id),
                now,
            )?;
        }
        Ok(due.len() as i64)
    })?;
    // 2. deletions: a year after the last activity, and the full notice period after a
    // notice of this period
    let deleted = tx(conn, |conn| {
        let rows = conn.execute(
            concat!(
                "SELECT id FROM cvs WHERE last_activity_at <= ?1 AND ",
                last_activity!(),
                " <= ?1 AND retention_notice_at IS NOT NULL AND retention_notice_at <= ?2 AND retention_notice_at >= ",
                last_activity!(),
                " ORDER BY id LIMIT ?3"
            ),
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
    Reply::json(200, &RetentionReport { now: iso_utc(now), noticed, deleted, summary })
}

/// What `POST /jobs/cv/retention` answers.
#[derive(Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CvRetentionReport))]
pub struct RetentionReport {
    /// When the job ran (ISO 8601, UTC).
    pub now: String,
    /// Owners warned of their CV's coming deletion.
    pub noticed: i64,
    /// CVs deleted.
    pub deleted: i64,
    pub summary: String,
}
