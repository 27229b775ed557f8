//! `alerts` (X1): saved offer searches ("Le mie ricerche salvate") and their e-mail
//! alerts.
//!
//! - Citizen (active account): `GET /api/saved-searches`, `POST /api/saved-searches`
//!   `{name, filters, frequency}`, `GET|PATCH|DELETE /api/saved-searches/<id>`; another
//!   person's search is a 404. At most [`MAX_SEARCHES`] a person.
//! - No login: `GET /ricerche/disiscrizione/<token>` (a confirmation page) and `POST`
//!   to the same address (RFC 8058 one-click: stops that search's alerts).
//! - Job: `POST /jobs/alerts` (bearer `jobs_secret`): for each search due, the open
//!   offers matching its filters published since its last alert, one e-mail through the
//!   outbox with `List-Unsubscribe` and `List-Unsubscribe-Post` headers.
//!
//! The filters are exactly those of the offer search (P2), parsed and checked by the same
//! code (`vacancy::search`). Writes `saved_searches` and, through `outbox`, the outbox
//! (`db/migrations/0017_alerts.sql`).

pub mod model;

#[cfg(test)]
mod tests;

use common::http::{allowed, path_id};
use common::sql::{Db, tx};
use common::{ApiError, Reply, Req, params};
use model::{Filters, Frequency};
use serde::{Deserialize, Serialize};
use vacancy::search::{self, Param, Search};

/// Saved searches a person may keep.
pub const MAX_SEARCHES: i64 = 20;
/// Longest name of a saved search (characters).
pub const MAX_NAME: usize = 80;
/// Offers listed in one alert (the e-mail links to the whole list).
pub const MAX_LISTED: i64 = 10;
/// Searches one job call handles by default, and at most.
pub const DEFAULT_BATCH: i64 = 500;
pub const MAX_BATCH: i64 = 5000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    Create,
    Get(i64),
    Update(i64),
    Delete(i64),
    UnsubscribePage(String),
    Unsubscribe(String),
    Job,
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let get = matches!(method, "GET" | "HEAD");
    let post = method == "POST";
    match parts.as_slice() {
        ["api", "saved-searches"] => match method {
            "GET" | "HEAD" => Ok(Route::List),
            "POST" => Ok(Route::Create),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "saved-searches", n] => {
            let id = path_id(n)?;
            match method {
                "GET" | "HEAD" => Ok(Route::Get(id)),
                "PATCH" => Ok(Route::Update(id)),
                "DELETE" => Ok(Route::Delete(id)),
                _ => Err(ApiError::method_not_allowed()),
            }
        }
        ["ricerche", "disiscrizione", token] if model::token_is_plausible(token) => {
            if get {
                Ok(Route::UnsubscribePage(token.to_string()))
            } else if post {
                Ok(Route::Unsubscribe(token.to_string()))
            } else {
                Err(ApiError::method_not_allowed())
            }
        }
        ["jobs", "alerts"] => allowed(post, Route::Job),
        _ => Err(ApiError::not_found()),
    }
}

pub fn handle(req: &Req, db: &dyn Db) -> Reply {
    let result = route(&req.method, &req.path).and_then(|r| dispatch(&r, req, db));
    match result {
        Ok(reply) => reply,
        // the unsubscribe pages are for people, not programs: errors as pages
        Err(e) if req.path.starts_with("/ricerche/") => {
            common::page::message(e.status, "Avvisi delle ricerche salvate", &format!("<p>{}</p>", common::page::esc(&e.message)))
        }
        Err(e) => Reply::from(e),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve_sql(
        incoming,
        out,
        |m, path| {
            // the one-click POST of RFC 8058 is a small form, not JSON
            if path.starts_with("/ricerche/") { common::http::BodyLimit::bytes(4096) } else { common::http::BodyLimit::for_method(m) }
        },
        handle,
    )
    .await
}

fn dispatch(route: &Route, req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    match route {
        Route::List => list(req, db),
        Route::Create => create(req, db),
        Route::Get(id) => get(req, db, *id),
        Route::Update(id) => update(req, db, *id),
        Route::Delete(id) => delete(req, db, *id),
        Route::UnsubscribePage(token) => unsubscribe_page(req, db, token),
        Route::Unsubscribe(token) => unsubscribe(req, db, token),
        Route::Job => job(req, db),
    }
}

/// A saved search as the API returns it.
#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SavedSearch))]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    pub filters: Filters,
    /// The offer search's query string (open `/cittadino/offerte/?<query>`).
    pub query: String,
    pub frequency: Frequency,
    pub created_at: i64,
    pub last_alert_at: Option<i64>,
}

const COLUMNS: &str = "id, name, query, frequency, created_at, last_alert_at";

fn saved(r: &common::sql::Row<'_>) -> Result<SavedSearch, ApiError> {
    let query = r.text("query")?;
    Ok(SavedSearch {
        id: r.int("id")?,
        name: r.text("name")?,
        filters: Filters::from_query_string(&query)?,
        query,
        frequency: Frequency::parse(r.str("frequency")?).ok_or_else(|| ApiError::internal("saved_searches: bad frequency"))?,
        created_at: r.int("created_at")?,
        last_alert_at: r.opt_int("last_alert_at"),
    })
}

/// The person's search `id`, or 404 (also when it is someone else's).
fn find(db: &dyn Db, person: i64, id: i64) -> Result<SavedSearch, ApiError> {
    let rows = db.execute(&format!("SELECT {COLUMNS} FROM saved_searches WHERE id = ?1 AND person_id = ?2"), params![id, person])?;
    rows.first().map(|r| saved(&r)).unwrap_or_else(|| Err(ApiError::not_found()))
}

fn list(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let items = db
        .execute(&format!("SELECT {COLUMNS} FROM saved_searches WHERE person_id = ?1 ORDER BY id DESC"), params![s.person_id])?
        .map(|r| saved(&r))?;
    Reply::json(200, &SavedSearches { items, limit: MAX_SEARCHES })
}

/// The person's saved searches, newest first, and how many they may keep.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SavedSearchList))]
pub struct SavedSearches {
    pub items: Vec<SavedSearch>,
    pub limit: i64,
}

/// A search deleted.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SavedSearchDeleted))]
pub struct Deleted {
    pub deleted: bool,
}

fn get(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    Reply::json(200, &find(db, s.person_id, id)?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewSavedSearch))]
pub struct NewSearch {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80))]
    name: String,
    /// The filters of `GET /api/offers` (none: every offer).
    #[serde(default)]
    filters: Filters,
    #[cfg_attr(feature = "openapi", schema(value_type = Frequency))]
    frequency: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SavedSearchChange))]
pub struct Change {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80))]
    name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Frequency>))]
    frequency: Option<String>,
}

/// The filters checked as the offer search checks them: their canonical query string.
pub fn checked_query(db: &dyn Db, filters: &Filters) -> Result<String, ApiError> {
    let query = filters.to_query_string();
    let search = Search::from_query(&common::Query::parse(&query)?)?;
    search::check_references(db, &search)?;
    Ok(query)
}

/// The largest offer id now: a new search's alerts start after it.
fn newest_offer(db: &dyn Db) -> Result<i64, ApiError> {
    db.execute("SELECT coalesce(max(id), 0) AS n FROM offers", &[])?.scalar("n")
}

fn create(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let input: NewSearch = req.json()?;
    let query = checked_query(db, &input.filters)?;
    let (name, frequency) = model::check_fields(Some(&input.name), Some(&input.frequency))?;
    let (name, frequency) = (name.unwrap_or_default(), frequency.unwrap_or(Frequency::None));
    let token = common::token::random_token()?;
    let now = req.now;
    let id = tx(db, |db| {
        let count = db.execute("SELECT count(*) AS n FROM saved_searches WHERE person_id = ?1", params![s.person_id])?.scalar("n")?;
        if count >= MAX_SEARCHES {
            return Err(ApiError::new(
                409,
                "too_many_searches",
                format!("Puoi salvare al massimo {MAX_SEARCHES} ricerche: eliminane una per salvarne un'altra."),
            ));
        }
        db.execute(
            "INSERT INTO saved_searches (person_id, name, query, frequency, last_offer_id, next_alert_at, unsubscribe_token, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
            params![s.person_id, name, query, frequency.as_str(), newest_offer(db)?, model::next_alert(frequency, now), token, now],
        )?
        .scalar("id")
    })?;
    Reply::json(201, &find(db, s.person_id, id)?)
}

fn update(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let current = find(db, s.person_id, id)?;
    let input: Change = req.json()?;
    let (name, frequency) = model::check_fields(input.name.as_deref(), input.frequency.as_deref())?;
    let now = req.now;
    tx(db, |db| {
        if let Some(name) = name {
            db.execute("UPDATE saved_searches SET name = ?1, updated_at = ?2 WHERE id = ?3", params![name, now, id])?;
        }
        if let Some(f) = frequency.filter(|f| *f != current.frequency) {
            // alerts (re)started: from the offers published from now on, next period
            let restart = current.frequency == Frequency::None;
            db.execute(
                "UPDATE saved_searches SET frequency = ?1, next_alert_at = ?2, updated_at = ?3, \
                 last_offer_id = CASE WHEN ?4 THEN (SELECT coalesce(max(id), 0) FROM offers) ELSE last_offer_id END WHERE id = ?5",
                params![f.as_str(), model::next_alert(f, current.last_alert_at.filter(|_| !restart).unwrap_or(now)), now, restart, id],
            )?;
        }
        Ok(())
    })?;
    Reply::json(200, &find(db, s.person_id, id)?)
}

fn delete(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let gone = db.execute("DELETE FROM saved_searches WHERE id = ?1 AND person_id = ?2 RETURNING id", params![id, s.person_id])?;
    if gone.is_empty() {
        return Err(ApiError::not_found());
    }
    Reply::json(200, &Deleted { deleted: true })
}

fn by_token(db: &dyn Db, token: &str) -> Result<(i64, String, Frequency), ApiError> {
    let rows = db.execute("SELECT id, name, frequency FROM saved_searches WHERE unsubscribe_token = ?1", params![token])?;
    let Some(r) = rows.first() else {
        return Err(ApiError::new(404, "not_found", "Questo link per interrompere gli avvisi non è valido, oppure la ricerca è stata eliminata."));
    };
    Ok((r.int("id")?, r.text("name")?, Frequency::parse(r.str("frequency")?).unwrap_or(Frequency::None)))
}

fn unsubscribe_page(req: &Req, db: &dyn Db, token: &str) -> Result<Reply, ApiError> {
    let (_, name, frequency) = by_token(db, token)?;
    let name = common::page::esc(&name);
    let content = if frequency == Frequency::None {
        format!("<p>Gli avvisi per la ricerca «{name}» sono già interrotti: non ti invieremo altri messaggi per questa ricerca.</p>")
    } else {
        format!(
            "<p>Vuoi smettere di ricevere gli avvisi via e-mail per la ricerca salvata «{name}»?</p>\
             <form method=\"post\" action=\"{}\"><button type=\"submit\" class=\"button\">Interrompi gli avvisi</button></form>\
             <p>La ricerca resta in «Le mie ricerche salvate», dove puoi riattivare gli avvisi quando vuoi.</p>",
            common::page::esc(&req.path)
        )
    };
    Ok(common::page::message(200, "Interrompi gli avvisi", &content))
}

fn unsubscribe(req: &Req, db: &dyn Db, token: &str) -> Result<Reply, ApiError> {
    let (id, name, _) = by_token(db, token)?;
    db.execute(
        "UPDATE saved_searches SET frequency = 'none', next_alert_at = NULL, updated_at = ?1 WHERE id = ?2",
        params![req.now, id],
    )?;
    let content = format!(
        "<p>Fatto: non riceverai più avvisi per la ricerca salvata «{}».</p>\
         <p>Puoi riattivarli quando vuoi da «<a href=\"/cittadino/ricerche/\">Le mie ricerche salvate</a>».</p>",
        common::page::esc(&name)
    );
    Ok(common::page::message(200, "Avvisi interrotti", &content))
}

/// What one job call did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AlertJobReport))]
pub struct JobReport {
    /// Searches due when the call started.
    pub due: i64,
    /// Searches this call handled.
    pub processed: i64,
    /// E-mails queued.
    pub sent: i64,
    /// Offers listed in them.
    pub offers: i64,
    /// Searches still due: call again.
    pub more: bool,
}

fn job(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    common::jobs::check_auth(&req.var("jobs_secret").unwrap_or_default(), req.header("authorization"))?;
    let limit = match req.query()?.get("limit") {
        None => DEFAULT_BATCH,
        Some(v) => v.parse::<i64>().ok().filter(|n| (1..=MAX_BATCH).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid_limit", format!("Il numero di ricerche per chiamata va da 1 a {MAX_BATCH}."))
        })?,
    };
    let base = req.var_text("base_url").unwrap_or_default();
    Reply::json(200, &run(db, req.now, limit, base.trim_end_matches('/'))?)
}

/// One run of the alert job at `now`: up to `limit` due searches, each in its own
/// transaction (claim, offers, e-mail, cursor), so a crash loses nothing and sends
/// nothing twice.
pub fn run(db: &dyn Db, now: i64, limit: i64, base: &str) -> Result<JobReport, ApiError> {
    let mut report = JobReport {
        due: db.execute("SELECT count(*) AS n FROM saved_searches WHERE next_alert_at <= ?1", params![now])?.scalar("n")?,
        ..JobReport::default()
    };
    let newest = newest_offer(db)?;
    let today = common::rome::day_at(now);
    let ids = db
        .execute("SELECT id FROM saved_searches WHERE next_alert_at <= ?1 ORDER BY next_alert_at, id LIMIT ?2", params![now, limit])?
        .map(|r| r.int("id"))?;
    for id in ids {
        if let Some(listed) = tx(db, |db| alert_one(db, id, now, newest, &today, base))? {
            report.processed += 1;
            if listed > 0 {
                report.sent += 1;
                report.offers += listed;
            }
        }
    }
    report.more = db.execute("SELECT count(*) AS n FROM saved_searches WHERE next_alert_at <= ?1", params![now])?.scalar("n")? > 0;
    Ok(report)
}

fn values(params: Vec<Param>) -> Vec<common::sql::Value> {
    params
        .into_iter()
        .map(|p| match p {
            Param::Text(s) => common::sql::Value::Text(s),
            Param::Int(i) => common::sql::Value::Integer(i),
        })
        .collect()
}

/// Claims search `id` if it is still due and alerts its person: `None` when another run
/// took it, else the number of offers listed (0: nothing new, no e-mail).
fn alert_one(db: &dyn Db, id: i64, now: i64, newest: i64, today: &str, base: &str) -> Result<Option<i64>, ApiError> {
    let claimed = db.execute(
        "SELECT s.person_id, s.name, s.query, s.frequency, s.last_offer_id, s.unsubscribe_token, a.email, a.status, p.name AS person_name \
         FROM saved_searches s JOIN people p ON p.id = s.person_id LEFT JOIN accounts a ON a.person_id = s.person_id \
         WHERE s.id = ?1 AND s.next_alert_at <= ?2",
        params![id, now],
    )?;
    let Some(row) = claimed.first() else { return Ok(None) };
    let frequency = Frequency::parse(row.str("frequency")?).unwrap_or(Frequency::None);
    let cursor = row.int("last_offer_id")?;
    // the cursor and the period move in the same transaction as the e-mail
    db.execute(
        "UPDATE saved_searches SET last_offer_id = max(last_offer_id, ?1), last_alert_at = ?2, next_alert_at = ?3 WHERE id = ?4",
        params![newest, now, model::next_alert(frequency, now), id],
    )?;
    if newest <= cursor {
        return Ok(Some(0));
    }
    let query = row.text("query")?;
    let search = Search::from_query(&common::Query::parse(&query)?)?;
    let (from_where, mut p) = search.from_where(today);
    p.push(Param::Int(cursor));
    p.push(Param::Int(newest));
    p.push(Param::Int(MAX_LISTED));
    // with filters the full-text index finds the candidates: its rowid range makes it
    // read only the offers new to this search, not every match
    let id = if search.match_expression().is_some() { "f.rowid" } else { "o.id" };
    let sql = format!(
        "SELECT o.code, o.occupation, count(*) OVER () AS total {from_where} AND {id} > ? AND {id} <= ? ORDER BY {id} DESC LIMIT ?"
    );
    let offers = db.execute(&sql, &values(p))?;
    let Some(first) = offers.first() else { return Ok(Some(0)) };
    let total = first.int("total")?;
    let active = row.opt_text("status").as_deref() == Some("active");
    let Some(email) = row.opt_text("email").filter(|_| active) else { return Ok(Some(0)) };
    let lines = offers.map(|o| Ok(model::offer_line(&o.text("code")?, &o.text("occupation")?, base)))?;
    let token = row.text("unsubscribe_token")?;
    let unsubscribe = format!("{base}/ricerche/disiscrizione/{token}");
    let msg = outbox::Message::new(outbox::Channel::Email, email, outbox::SAVED_SEARCH_ALERT)
        .param("name", row.text("person_name")?)
        .param("search", row.text("name")?)
        .param("count", total.to_string())
        .param("frequency", frequency.label())
        .param("offers", lines.join("  •  "))
        .param("link", format!("{base}/cittadino/offerte/{}", if query.is_empty() { String::new() } else { format!("?{query}") }))
        .param("manage", format!("{base}/cittadino/ricerche/"))
        .param("unsubscribe", unsubscribe.clone())
        .person(row.int("person_id")?);
    let headers = model::unsubscribe_headers(&unsubscribe);
    outbox::enqueue_with_headers(db, &msg, &headers, now)?;
    Ok(Some(total.min(MAX_LISTED)))
}
