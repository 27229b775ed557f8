//! Applications as the pages show them: the states and their Italian labels, and the
//! typed answers of the person's, the operator's and the company's views.

use common::rome::iso_utc;
use common::sql::{Db, Value};
use common::{ApiError, Paging, params};
use serde::Serialize;

/// The CPI's esito of an application (and the person's withdrawal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Inserita,
    PresaInCarico,
    Inviata,
    NonInviata,
    Ritirata,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inserita => "inserita",
            Self::PresaInCarico => "presa_in_carico",
            Self::Inviata => "inviata",
            Self::NonInviata => "non_inviata",
            Self::Ritirata => "ritirata",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Inserita, Self::PresaInCarico, Self::Inviata, Self::NonInviata, Self::Ritirata].into_iter().find(|x| x.as_str() == s)
    }
}

/// The manual's words ("Esito CPI").
pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Inserita => "Inserita",
        Status::PresaInCarico => "Preso in carico",
        Status::Inviata => "Inviata all'azienda",
        Status::NonInviata => "Non inviata all'azienda",
        Status::Ritirata => "Ritirata",
    }
}

fn status_of(s: &str) -> Result<Status, ApiError> {
    Status::parse(s).ok_or_else(|| ApiError::internal(format!("unknown application status {s}")))
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationCpi))]
pub struct Named {
    pub code: String,
    pub name: String,
}

/// The offer as an application shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationOffer))]
pub struct OfferSummary {
    pub code: String,
    /// "Profilo professionale"
    pub occupation: String,
    pub cpi: Named,
    pub deadline: String,
    pub url: String,
}

pub fn offer_summary(db: &dyn Db, offer_id: i64) -> Result<OfferSummary, ApiError> {
    let rows = db.execute(
        "SELECT o.code, o.occupation, o.deadline, c.code AS cpi_code, c.name AS cpi_name FROM offers o JOIN cpis c ON c.code = o.cpi_code WHERE o.id = ?1",
        params![offer_id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("offer {offer_id} vanished")))?;
    let code = r.text("code")?;
    Ok(OfferSummary {
        url: format!("/offerte/{code}"),
        code,
        occupation: r.text("occupation")?,
        cpi: Named { code: r.text("cpi_code")?, name: r.text("cpi_name")? },
        deadline: r.text("deadline")?,
    })
}

/// A person's name and where e-mails reach them (the account's address first).
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
}

pub fn contact(db: &dyn Db, person_id: i64) -> Result<Contact, ApiError> {
    let rows = db.execute(
        "SELECT p.name, p.family_name, coalesce(a.email, p.email) AS email FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?1",
        params![person_id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("person {person_id} vanished")))?;
    Ok(Contact { name: format!("{} {}", r.text("name")?, r.text("family_name")?), email: r.opt_text("email").filter(|e| !e.trim().is_empty()) })
}

/// The statement that counts the applications (`a`, joined with their offer `o`)
/// matching `filter`.
pub fn count_sql(filter: &str) -> String {
    format!("SELECT count(*) AS n FROM applications a JOIN offers o ON o.id = a.offer_id WHERE {filter}")
}

/// The statement of a page of their ids in `order`: `filter`'s `n` parameters, then the
/// page's limit and offset.
pub fn ids_sql(filter: &str, order: &str, n: usize) -> String {
    format!("SELECT a.id FROM applications a JOIN offers o ON o.id = a.offer_id WHERE {filter} ORDER BY {order} LIMIT ?{} OFFSET ?{}", n + 1, n + 2)
}

/// A page of application ids from `applications a JOIN offers o` matching `filter`
/// (whose parameters are `p`; the page's limit and offset are added after them).
pub fn page_of_ids(db: &dyn Db, filter: &str, p: &[Value], paging: Paging, order: &str) -> Result<(i64, Vec<i64>), ApiError> {
    let total = db.execute(&count_sql(filter), p)?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let mut values = p.to_vec();
    let n = values.len();
    values.extend([paging.limit().into(), paging.offset().into()]);
    let ids = db.execute(&ids_sql(filter, order, n), &values)?.map(|r| r.int("id"))?;
    Ok((total, ids))
}

/// A list's two statements, built from the filters actually given: an absent filter adds
/// no condition, so the planner sees only real ones and picks the index that serves
/// them in date order (`(?n IS NULL OR …)` conditions hide that from it). Every value is
/// a parameter; `page` takes `params`, then the page's limit and offset.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub count: String,
    pub page: String,
    pub params: Vec<Value>,
}

/// Conditions joined by `AND`, each with its numbered parameters.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    params: Vec<Value>,
}

impl Conditions {
    /// A condition whose `{}` is the next parameter, `v`.
    fn with(&mut self, condition: &str, v: impl Into<Value>) {
        self.with_all(condition, vec![v.into()]);
    }

    /// A condition whose `{}`s are the next parameters, `values` in order.
    fn with_all(&mut self, condition: &str, values: Vec<Value>) {
        let mut sql = String::new();
        let mut parts = condition.split("{}");
        sql.push_str(parts.next().unwrap_or_default());
        for (part, v) in parts.zip(values) {
            self.params.push(v);
            sql.push_str(&format!("?{}{part}", self.params.len()));
        }
        self.sql.push(sql);
    }

    fn fixed(&mut self, condition: &str) {
        self.sql.push(condition.to_string());
    }

    fn query(self, count_from: &str, columns: &str, page_from: &str, order: &str) -> ListQuery {
        let w = self.sql.join(" AND ");
        let n = self.params.len();
        ListQuery {
            count: format!("SELECT count(*) AS n FROM {count_from} WHERE {w}"),
            page: format!("SELECT {columns} FROM {page_from} WHERE {w} ORDER BY {order} LIMIT ?{} OFFSET ?{}", n + 1, n + 2),
            params: self.params,
        }
    }
}

/// Runs `q` for `paging`: the total (a page past the end refused) and the page's rows.
fn run_list(db: &dyn Db, q: &ListQuery, paging: Paging) -> Result<(i64, common::sql::Rows), ApiError> {
    let total = db.execute(&q.count, &q.params)?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let mut values = q.params.clone();
    values.extend([paging.limit().into(), paging.offset().into()]);
    Ok((total, db.execute(&q.page, &values)?))
}

/// The offer summary's columns of a page (`o` the offer, `c` its CPI).
const SUMMARY_COLUMNS: &str = "o.code, o.occupation, o.deadline, c.code AS cpi_code, c.name AS cpi_name";

fn summary_of(r: &common::sql::Row<'_>) -> Result<OfferSummary, ApiError> {
    let code = r.text("code")?;
    Ok(OfferSummary {
        url: format!("/offerte/{code}"),
        code,
        occupation: r.text("occupation")?,
        cpi: Named { code: r.text("cpi_code")?, name: r.text("cpi_name")? },
        deadline: r.text("deadline")?,
    })
}

/// The filters of "Elenco Candidature".
#[derive(Debug, Clone)]
pub struct MineFilter<'a> {
    pub person_id: i64,
    /// `created_at` from (inclusive) and to (exclusive), unix seconds
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub status: Option<&'a str>,
    /// "Includi storico": also applications to offers no longer open
    pub history: bool,
    /// `YYYY-MM-DD`: offers whose deadline is before it are no longer open
    pub today: &'a str,
}

pub fn mine_query(f: &MineFilter) -> ListQuery {
    let mut w = Conditions::default();
    w.with("a.person_id = {}", f.person_id);
    if let Some(s) = f.status {
        w.with("a.status = {}", s);
    }
    if let Some(t) = f.from {
        w.with("a.created_at >= {}", t);
    }
    if let Some(t) = f.to {
        w.with("a.created_at < {}", t);
    }
    if !f.history {
        w.fixed("o.status = 'published'");
        w.with("o.deadline >= {}", f.today);
    }
    w.query(
        "applications a JOIN offers o ON o.id = a.offer_id",
        &format!("a.id, a.created_at, a.status, {SUMMARY_COLUMNS}"),
        "applications a JOIN offers o ON o.id = a.offer_id JOIN cpis c ON c.code = o.cpi_code",
        "a.created_at DESC, a.id DESC",
    )
}

/// A page of "Elenco Candidature", newest first, in one statement, and the total.
pub fn mine_page(db: &dyn Db, f: &MineFilter, paging: Paging) -> Result<(i64, Vec<Row>), ApiError> {
    let (total, rows) = run_list(db, &mine_query(f), paging)?;
    let items = rows.map(|r| {
        let status = status_of(r.str("status")?)?;
        Ok(Row {
            id: r.int("id")?,
            offer: summary_of(&r)?,
            date: iso_utc(r.int("created_at")?),
            status: status.as_str(),
            status_label: status_label(status),
            withdrawable: status == Status::Inserita,
        })
    })?;
    Ok((total, items))
}

/// The filters of the operator's list.
#[derive(Debug, Clone)]
pub struct OperatorFilter<'a> {
    /// the CPI the operator works for
    pub cpi: &'a str,
    /// an offer's code
    pub offer: Option<&'a str>,
    /// one state; without it, every state but `ritirata`
    pub status: Option<&'a str>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

pub fn operator_query(f: &OperatorFilter) -> ListQuery {
    let mut w = Conditions::default();
    match f.offer {
        // one offer of the CPI: its own index (offer, esito, date)
        Some(code) => w.with_all("a.offer_id = (SELECT id FROM offers WHERE code = {} AND cpi_code = {})", vec![code.into(), f.cpi.into()]),
        None => w.with("a.cpi_code = {}", f.cpi),
    }
    match f.status {
        Some(s) => w.with("a.status = {}", s),
        None => w.fixed("a.status <> 'ritirata'"),
    }
    if let Some(t) = f.from {
        w.with("a.created_at >= {}", t);
    }
    if let Some(t) = f.to {
        w.with("a.created_at < {}", t);
    }
    w.query(
        "applications a",
        &format!("a.id, a.created_at, a.status, a.person_id, {SUMMARY_COLUMNS}, p.fiscal_code, p.name, p.family_name, ac.email, ac.mobile"),
        "applications a JOIN offers o ON o.id = a.offer_id JOIN cpis c ON c.code = o.cpi_code JOIN people p ON p.id = a.person_id \
         LEFT JOIN accounts ac ON ac.person_id = a.person_id",
        "a.created_at DESC, a.id DESC",
    )
}

/// A page of the operator's list, newest first, in one statement, and the total.
pub fn operator_page(db: &dyn Db, f: &OperatorFilter, paging: Paging) -> Result<(i64, Vec<OperatorRow>), ApiError> {
    let (total, rows) = run_list(db, &operator_query(f), paging)?;
    let items = rows.map(|r| {
        let status = status_of(r.str("status")?)?;
        Ok(OperatorRow {
            id: r.int("id")?,
            offer: summary_of(&r)?,
            date: iso_utc(r.int("created_at")?),
            candidate: Candidate {
                person_id: r.int("person_id")?,
                fiscal_code: r.text("fiscal_code")?,
                name: r.text("name")?,
                family_name: r.text("family_name")?,
                email: r.opt_text("email"),
                mobile: r.opt_text("mobile"),
            },
            status: status.as_str(),
            status_label: status_label(status),
        })
    })?;
    Ok((total, items))
}

/// A row of "Elenco Candidature": Codice offerta, Centro Impiego, Data Candidatura,
/// Profilo Professionale, Esito CPI.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationRow))]
pub struct Row {
    pub id: i64,
    pub offer: OfferSummary,
    pub date: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub withdrawable: bool,
}

struct Base {
    offer_id: i64,
    person_id: i64,
    status: Status,
    created_at: i64,
    note: Option<String>,
    decided_at: Option<i64>,
    declarations: String,
    cv_id: Option<i64>,
    cv_description: String,
}

fn base(db: &dyn Db, id: i64) -> Result<Base, ApiError> {
    let rows = db.execute("SELECT * FROM applications WHERE id = ?1", params![id])?;
    let r = rows.first().ok_or_else(|| ApiError::new(404, "application_not_found", "La candidatura indicata non esiste."))?;
    Ok(Base {
        offer_id: r.int("offer_id")?,
        person_id: r.int("person_id")?,
        status: status_of(r.str("status")?)?,
        created_at: r.int("created_at")?,
        note: r.opt_text("note"),
        decided_at: r.opt_int("decided_at"),
        declarations: r.text("declarations")?,
        cv_id: r.opt_int("cv_id"),
        cv_description: r.text("cv_description")?,
    })
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationDeclaration))]
pub struct Declaration {
    pub requirement: String,
    pub declared: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationCv))]
pub struct CvSent {
    pub description: String,
    pub file_name: String,
    pub kind: String,
    pub download: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationEvent))]
pub struct Event {
    pub at: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub note: Option<String>,
}

/// "Visualizza": the application as sent.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationView))]
pub struct Application {
    pub id: i64,
    pub offer: OfferSummary,
    pub date: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub note: Option<String>,
    pub decided_at: Option<String>,
    pub withdrawable: bool,
    pub declarations: Vec<Declaration>,
    pub cv: CvSent,
    pub timeline: Vec<Event>,
}

fn cv_sent(db: &dyn Db, id: i64, description: &str, download: String) -> Result<CvSent, ApiError> {
    let rows = db.execute("SELECT file_name, file_kind FROM application_files WHERE application_id = ?1", params![id])?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("application {id} has no file")))?;
    Ok(CvSent { description: description.to_string(), file_name: r.text("file_name")?, kind: r.text("file_kind")?, download })
}

fn timeline(db: &dyn Db, id: i64) -> Result<Vec<Event>, ApiError> {
    db.execute("SELECT status, note, at FROM application_events WHERE application_id = ?1 ORDER BY at, id", params![id])?.map(|r| {
        let s = status_of(r.str("status")?)?;
        Ok(Event { at: iso_utc(r.int("at")?), status: s.as_str(), status_label: status_label(s), note: r.opt_text("note") })
    })
}

fn declarations(raw: &str) -> Vec<Declaration> {
    serde_json::from_str::<Vec<serde_json::Value>>(raw)
        .unwrap_or_default()
        .into_iter()
        .map(|d| Declaration { requirement: d["requirement"].as_str().unwrap_or("").to_string(), declared: d["declared"].as_bool().unwrap_or(false) })
        .collect()
}

fn application_with(db: &dyn Db, id: i64, download: String) -> Result<(Application, Base), ApiError> {
    let b = base(db, id)?;
    let a = Application {
        id,
        offer: offer_summary(db, b.offer_id)?,
        date: iso_utc(b.created_at),
        status: b.status.as_str(),
        status_label: status_label(b.status),
        note: b.note.clone(),
        decided_at: b.decided_at.map(iso_utc),
        withdrawable: b.status == Status::Inserita,
        declarations: declarations(&b.declarations),
        cv: cv_sent(db, id, &b.cv_description, download)?,
        timeline: timeline(db, id)?,
    };
    Ok((a, b))
}

pub fn application(db: &dyn Db, id: i64) -> Result<Application, ApiError> {
    Ok(application_with(db, id, format!("/api/applications/{id}/cv"))?.0)
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApplicationCandidate))]
pub struct Candidate {
    pub person_id: i64,
    pub fiscal_code: String,
    pub name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

fn candidate(db: &dyn Db, person_id: i64) -> Result<Candidate, ApiError> {
    let rows = db.execute(
        "SELECT p.fiscal_code, p.name, p.family_name, a.email, a.mobile FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?1",
        params![person_id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("person {person_id} vanished")))?;
    Ok(Candidate {
        person_id,
        fiscal_code: r.text("fiscal_code")?,
        name: r.text("name")?,
        family_name: r.text("family_name")?,
        email: r.opt_text("email"),
        mobile: r.opt_text("mobile"),
    })
}

/// A row of the operator's list.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OperatorApplicationRow))]
pub struct OperatorRow {
    pub id: i64,
    pub offer: OfferSummary,
    pub date: String,
    pub candidate: Candidate,
    pub status: &'static str,
    pub status_label: &'static str,
}


/// The operator's view: the application, the candidate, the next possible esiti.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OperatorApplicationView))]
pub struct OperatorView {
    #[serde(flatten)]
    pub application: Application,
    pub candidate: Candidate,
    /// the esiti it may move to now
    pub next: Vec<&'static str>,
    /// the CV id, while the person keeps it (`null` once deleted)
    pub cv_id: Option<i64>,
}

pub fn operator_view(db: &dyn Db, id: i64) -> Result<OperatorView, ApiError> {
    let (application, b) = application_with(db, id, format!("/api/operator/applications/{id}/cv"))?;
    let next = match b.status {
        Status::Inserita => vec!["presa_in_carico", "inviata", "non_inviata"],
        Status::PresaInCarico => vec!["inviata", "non_inviata"],
        _ => vec![],
    };
    let cv_id = b.cv_id.filter(|cv| db.execute("SELECT 1 AS x FROM cvs WHERE id = ?1", params![*cv]).map(|r| !r.is_empty()).unwrap_or(false));
    Ok(OperatorView { application, candidate: candidate(db, b.person_id)?, next, cv_id })
}

/// One of the company's offers.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CompanyOffer))]
pub struct CompanyOffer {
    pub offer: OfferSummary,
    pub published_at: String,
    pub open: bool,
    /// applications the CPI sent to the company
    pub sent: i64,
}

pub fn company_offer(db: &dyn Db, offer_id: i64, today: &str) -> Result<CompanyOffer, ApiError> {
    let rows = db.execute(
        "SELECT o.published_at, o.status = 'published' AND o.deadline >= ?2 AS open,
                (SELECT count(*) FROM applications a WHERE a.offer_id = o.id AND a.status = 'inviata') AS sent
           FROM offers o WHERE o.id = ?1",
        params![offer_id, today],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal("offer vanished"))?;
    Ok(CompanyOffer { offer: offer_summary(db, offer_id)?, published_at: r.text("published_at")?, open: r.flag("open")?, sent: r.int("sent")? })
}

/// An application the CPI sent to the company: the candidate and the CV.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CompanyApplicationRow))]
pub struct CompanyRow {
    pub id: i64,
    pub offer: OfferSummary,
    pub date: String,
    pub sent_at: Option<String>,
    pub candidate: CompanyCandidate,
    pub cv: CvSent,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CompanyCandidate))]
pub struct CompanyCandidate {
    pub name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

pub fn company_row(db: &dyn Db, id: i64) -> Result<CompanyRow, ApiError> {
    let b = base(db, id)?;
    let c = candidate(db, b.person_id)?;
    Ok(CompanyRow {
        id,
        offer: offer_summary(db, b.offer_id)?,
        date: iso_utc(b.created_at),
        sent_at: b.decided_at.map(iso_utc),
        candidate: CompanyCandidate { name: c.name, family_name: c.family_name, email: c.email, mobile: c.mobile },
        cv: cv_sent(db, id, &b.cv_description, format!("/api/company/applications/{id}/cv"))?,
    })
}
