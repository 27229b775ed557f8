//! `backoffice` (O1): the back office's people and the offers CPI operators publish.
//!
//! - `GET /api/staff/me`: the caller's roles and the CPI they work for;
//!   `POST /api/staff/cpi` `{cpi}`: choose the CPI (an operator of several).
//! - Administrators: `GET|POST /api/admin/roles`, `DELETE /api/admin/roles/<id>`
//!   (operatore CPI for a CPI, amministratore), `GET /api/admin/audit` (the audit log,
//!   filtered).
//! - Operators, for the CPI they work for: `GET|POST /api/operator/offers` (list; publish a
//!   new offer), `GET|PUT /api/operator/offers/<code>`, `POST /api/operator/offers/<code>/close`,
//!   `GET|POST /api/operator/drafts`, `GET|PUT|DELETE /api/operator/drafts/<id>`,
//!   `POST /api/operator/drafts/<id>/publish`, `GET /api/operator/companies?q=` (the
//!   registry, for the offer's company).
//!
//! Writes `staff_roles`, `offer_drafts`, `offer_terms`, `offer_requirements` and, for
//! published offers, `offers` and `offer_locations` (the `offers` component reads them
//! for the public search). Every action is in the audit log (`access::audit`).

pub mod offer;

#[cfg(test)]
mod tests;

use access::audit::{self, Actor};
use access::staff::{self, Operator};
use common::http::{allowed, path_id, segments};
use common::sql::{Db, tx};
use common::validation::Fields;
use common::{ApiError, Page, Paging, Reply, Req, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Me,
    ChooseCpi,
    Roles,
    Grant,
    Revoke(i64),
    Audit,
    Offers,
    Publish,
    Offer(String),
    EditOffer(String),
    CloseOffer(String),
    Drafts,
    NewDraft,
    Draft(i64),
    SaveDraft(i64),
    DeleteDraft(i64),
    PublishDraft(i64),
    Companies,
}

/// Method and path to a route.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    match parts.as_slice() {
        ["api", "staff", "me"] => allowed(get, Route::Me),
        ["api", "staff", "cpi"] => allowed(method == "POST", Route::ChooseCpi),
        ["api", "admin", "roles"] => match method {
            "GET" | "HEAD" => Ok(Route::Roles),
            "POST" => Ok(Route::Grant),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "admin", "roles", n] => allowed(method == "DELETE", Route::Revoke(path_id(n)?)),
        ["api", "admin", "audit"] => allowed(get, Route::Audit),
        ["api", "operator", "offers"] => match method {
            "GET" | "HEAD" => Ok(Route::Offers),
            "POST" => Ok(Route::Publish),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "operator", "offers", code] => {
            let code = code.to_ascii_uppercase();
            match method {
                "GET" | "HEAD" => Ok(Route::Offer(code)),
                "PUT" => Ok(Route::EditOffer(code)),
                _ => Err(ApiError::method_not_allowed()),
            }
        }
        ["api", "operator", "offers", code, "close"] => allowed(method == "POST", Route::CloseOffer(code.to_ascii_uppercase())),
        ["api", "operator", "drafts"] => match method {
            "GET" | "HEAD" => Ok(Route::Drafts),
            "POST" => Ok(Route::NewDraft),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["api", "operator", "drafts", n] => {
            let n = path_id(n)?;
            match method {
                "GET" | "HEAD" => Ok(Route::Draft(n)),
                "PUT" => Ok(Route::SaveDraft(n)),
                "DELETE" => Ok(Route::DeleteDraft(n)),
                _ => Err(ApiError::method_not_allowed()),
            }
        }
        ["api", "operator", "drafts", n, "publish"] => allowed(method == "POST", Route::PublishDraft(path_id(n)?)),
        ["api", "operator", "companies"] => allowed(get, Route::Companies),
        _ => Err(ApiError::not_found()),
    }
}

/// The whole request.
pub fn handle(req: &Req, db: &dyn Db) -> Reply {
    match route(&req.method, &req.path) {
        Ok(r) => dispatch(&r, req, db).unwrap_or_else(Reply::from),
        Err(e) => Reply::from(e),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve_sql(incoming, out, |m, _| common::http::BodyLimit::for_method(m), handle).await
}

fn dispatch(route: &Route, req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    match route {
        Route::Me => me(req, db),
        Route::ChooseCpi => choose_cpi(req, db),
        Route::Roles => roles(req, db),
        Route::Grant => grant(req, db),
        Route::Revoke(id) => revoke(req, db, *id),
        Route::Audit => audit_log(req, db),
        Route::Offers => offers(req, db),
        Route::Publish => publish_new(req, db),
        Route::Offer(code) => offer_detail(req, db, code),
        Route::EditOffer(code) => edit_offer(req, db, code),
        Route::CloseOffer(code) => close_offer(req, db, code),
        Route::Drafts => drafts(req, db),
        Route::NewDraft => new_draft(req, db),
        Route::Draft(id) => draft(req, db, *id),
        Route::SaveDraft(id) => save_draft(req, db, *id),
        Route::DeleteDraft(id) => delete_draft(req, db, *id),
        Route::PublishDraft(id) => publish_draft(req, db, *id),
        Route::Companies => companies(req, db),
    }
}

fn today(req: &Req) -> String {
    common::rome::day_at(req.now)
}

fn actor(op: &Operator) -> Actor<'_> {
    Actor { session: &op.session, role: "operator", cpi: Some(&op.cpi.code) }
}

// ---------------------------------------------------------------------------------
// Who works in the back office
// ---------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffMe))]
pub struct Me {
    roles: Vec<staff::Role>,
    admin: bool,
    /// The CPIs the person may work for as an operator.
    cpis: Vec<staff::Cpi>,
    /// The one they work for now (`null`: several and none chosen, or none).
    working_cpi: Option<staff::Cpi>,
}

/// `GET /api/staff/me`: any active account (a citizen gets empty roles).
fn me(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let roles = staff::roles(db, req, &s.fiscal_code)?;
    let cpis = staff::operator_cpis(&roles);
    let working_cpi = match staff::require_operator(db, req) {
        Ok(op) => Some(op.cpi),
        Err(_) => None,
    };
    Reply::json(200, &Me { admin: roles.iter().any(|r| r.role == "admin"), roles, cpis, working_cpi })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffCpiChoice))]
pub struct CpiIn {
    /// the code of a CPI the caller is an operator of
    cpi: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffWorkingCpi))]
pub struct WorkingCpi {
    working_cpi: staff::Cpi,
}

/// `POST /api/staff/cpi`: the CPI an operator of several works for.
fn choose_cpi(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let input: CpiIn = req.json()?;
    let cpis = staff::operator_cpis(&staff::roles(db, req, &s.fiscal_code)?);
    if cpis.is_empty() {
        return Err(staff::not_staff());
    }
    let cpi = cpis.into_iter().find(|c| c.code == input.cpi).ok_or_else(|| {
        ApiError::invalid_field("cpi", "not_yours", "Non sei operatore di questo Centro per l'impiego.")
    })?;
    access::session::set_cpi(db, &s, &cpi.code)?;
    Reply::json(200, &WorkingCpi { working_cpi: cpi })
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffRoleGrant))]
pub struct RoleOut {
    id: i64,
    fiscal_code: String,
    /// the person's name, once they have logged in
    name: Option<String>,
    role: String,
    role_label: &'static str,
    cpi: Option<staff::Cpi>,
    granted_by: String,
    granted_at: String,
}

fn role_label(role: &str) -> &'static str {
    if role == "admin" { "Amministratore" } else { "Operatore CPI" }
}

/// `GET /api/admin/roles?fiscal_code=&role=&cpi=&page=`: current grants.
fn roles(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    access::staff::require_admin(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 20)?;
    let cf = q.get("fiscal_code").map(str::to_ascii_uppercase);
    let filter = "r.revoked_at IS NULL AND (?1 IS NULL OR r.fiscal_code = ?1) AND (?2 IS NULL OR r.role = ?2) AND (?3 IS NULL OR r.cpi_code = ?3)";
    let p = params![cf.as_deref(), q.get("role"), q.get("cpi")];
    let total = db.execute(&format!("SELECT count(*) AS n FROM staff_roles r WHERE {filter}"), p)?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let mut values = p.to_vec();
    values.extend([paging.limit().into(), paging.offset().into()]);
    let rows = db.execute(
        &format!(
            "SELECT r.id, r.fiscal_code, r.role, r.cpi_code, c.name AS cpi_name, r.granted_by, r.granted_at, p.name || ' ' || p.family_name AS person
               FROM staff_roles r LEFT JOIN cpis c ON c.code = r.cpi_code LEFT JOIN people p ON p.fiscal_code = r.fiscal_code
              WHERE {filter} ORDER BY r.fiscal_code, r.role, c.name LIMIT ?4 OFFSET ?5"
        ),
        &values,
    )?;
    let items = rows.map(|r| {
        let role = r.text("role")?;
        Ok(RoleOut {
            id: r.int("id")?,
            fiscal_code: r.text("fiscal_code")?,
            name: r.opt_text("person"),
            role_label: role_label(&role),
            role,
            cpi: r.opt_text("cpi_code").map(|code| staff::Cpi { code, name: r.opt_text("cpi_name").unwrap_or_default() }),
            granted_by: r.text("granted_by")?,
            granted_at: common::rome::iso_utc(r.int("granted_at")?),
        })
    })?;
    Reply::json(200, &Page::new(items, total, paging))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffGrantIn))]
pub struct GrantIn {
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^[A-Za-z0-9]{16}$"))]
    fiscal_code: Option<String>,
    /// `operator` (with `cpi`) | `admin`
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, pattern = "^(operator|admin)$"))]
    role: Option<String>,
    cpi: Option<String>,
}

/// A role just granted.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffGranted))]
pub struct Granted {
    id: i64,
    fiscal_code: String,
    role: String,
    role_label: &'static str,
    cpi: Option<staff::Cpi>,
}

/// `POST /api/admin/roles`: an operator role for a CPI, or the administrator role.
fn grant(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let admin = access::staff::require_admin_write(db, req, None)?;
    let input: GrantIn = req.json()?;
    let mut f = Fields::new();
    let cf = f.check("fiscal_code", common::validation::fiscal_code(input.fiscal_code.as_deref().unwrap_or("")));
    let role = input.role.as_deref().unwrap_or("");
    if !matches!(role, "operator" | "admin") {
        f.add("role", "invalid_choice", "Il ruolo è operatore CPI (operator) o amministratore (admin).");
    }
    let cpi = match (role, input.cpi.as_deref().map(str::trim).filter(|c| !c.is_empty())) {
        ("operator", None) => {
            f.add("cpi", "required", "Scegli il Centro per l'impiego dell'operatore.");
            None
        }
        ("operator", Some(code)) => {
            let found = db.execute("SELECT code, name FROM cpis WHERE code = ?1", params![code])?.first().map(|r| Ok::<_, ApiError>(staff::Cpi { code: r.text("code")?, name: r.text("name")? })).transpose()?;
            if found.is_none() {
                f.add("cpi", "not_found", "Il Centro per l'impiego indicato non esiste.");
            }
            found
        }
        ("admin", Some(_)) => {
            f.add("cpi", "not_allowed", "Un amministratore non appartiene a un Centro per l'impiego.");
            None
        }
        _ => None,
    };
    f.into_result()?;
    let Some(cf) = cf else { return Err(ApiError::internal("grant valid but incomplete")) };
    let now = req.now;
    let actor = Actor { session: &admin, role: "admin", cpi: None };
    let id = tx(db, |db| {
        let rows = db.execute(
            "INSERT INTO staff_roles (fiscal_code, role, cpi_code, granted_by, granted_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING RETURNING id",
            params![cf.as_str(), role, cpi.as_ref().map(|c| c.code.as_str()), admin.fiscal_code.as_str(), now],
        )?;
        let id = rows.first().map(|r| r.int("id")).transpose()?.ok_or_else(|| ApiError::new(409, "role_exists", "La persona ha già questo ruolo."))?;
        let after = json!({ "fiscal_code": cf, "role": role, "cpi": cpi.as_ref().map(|c| &c.code) });
        audit::record(db, &actor, "role.grant", "staff_role", &id.to_string(), None, Some(&after), now)?;
        Ok(id)
    })?;
    eprintln!("backoffice: {} granted {role} {:?} to a person (role {id})", admin.person_id, cpi.as_ref().map(|c| &c.code));
    let mut r = Reply::json(201, &Granted { id, fiscal_code: cf, role: role.to_string(), role_label: role_label(role), cpi })?;
    r.headers.push(("location", format!("/api/admin/roles/{id}")));
    Ok(r)
}

/// `DELETE /api/admin/roles/<id>`: the role ends now (guards read roles on every call).
fn revoke(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let admin = access::staff::require_admin_write(db, req, None)?;
    let now = req.now;
    let actor = Actor { session: &admin, role: "admin", cpi: None };
    tx(db, |db| {
        let rows = db.execute(
            "UPDATE staff_roles SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1 AND revoked_at IS NULL RETURNING fiscal_code, role, cpi_code",
            params![id, now, admin.fiscal_code.as_str()],
        )?;
        let r = rows.first().ok_or_else(|| ApiError::new(404, "role_not_found", "Il ruolo indicato non esiste o è già stato revocato."))?;
        let before = json!({ "fiscal_code": r.text("fiscal_code")?, "role": r.text("role")?, "cpi": r.opt_text("cpi_code") });
        audit::record(db, &actor, "role.revoke", "staff_role", &id.to_string(), Some(&before), None, now)
    })?;
    Reply::json(200, &Revoked { revoked: id })
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StaffRoleRevoked))]
pub struct Revoked {
    /// the role's id
    revoked: i64,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AuditEntry))]
pub struct AuditOut {
    id: i64,
    at: String,
    actor: ActorOut,
    role: String,
    cpi: Option<String>,
    action: String,
    entity: String,
    entity_id: String,
    before: Option<Value>,
    after: Option<Value>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AuditActor))]
pub struct ActorOut {
    fiscal_code: String,
    name: String,
}

/// `GET /api/admin/audit?actor=&action=&entity=&entity_id=&cpi=&from=&to=&page=`, newest first.
fn audit_log(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    access::staff::require_admin(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 50)?;
    let (from, to) = common::rome::day_range(q.get("from"), q.get("to"))?;
    let action = q.get("action").map(|a| format!("{}%", a.replace('%', "")));
    let filter = "(?1 IS NULL OR a.actor_cf = ?1) AND (?2 IS NULL OR a.action LIKE ?2) AND (?3 IS NULL OR a.entity = ?3) \
                  AND (?4 IS NULL OR a.entity_id = ?4) AND (?5 IS NULL OR a.cpi_code = ?5) AND (?6 IS NULL OR a.at >= ?6) AND (?7 IS NULL OR a.at < ?7)";
    let actor = q.get("actor").map(str::to_ascii_uppercase);
    let p = params![actor.as_deref(), action.as_deref(), q.get("entity"), q.get("entity_id"), q.get("cpi"), from, to];
    let total = db.execute(&format!("SELECT count(*) AS n FROM audit_log a WHERE {filter}"), p)?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let mut values = p.to_vec();
    values.extend([paging.limit().into(), paging.offset().into()]);
    let rows = db.execute(
        &format!(
            "SELECT a.*, p.name || ' ' || p.family_name AS actor_name FROM audit_log a JOIN people p ON p.id = a.actor_id
              WHERE {filter} ORDER BY a.at DESC, a.id DESC LIMIT ?8 OFFSET ?9"
        ),
        &values,
    )?;
    let parse = |v: Option<String>| v.and_then(|t| serde_json::from_str(&t).ok());
    let items = rows.map(|r| {
        Ok(AuditOut {
            id: r.int("id")?,
            at: common::rome::iso_utc(r.int("at")?),
            actor: ActorOut { fiscal_code: r.text("actor_cf")?, name: r.text("actor_name")? },
            role: r.text("role")?,
            cpi: r.opt_text("cpi_code"),
            action: r.text("action")?,
            entity: r.text("entity")?,
            entity_id: r.text("entity_id")?,
            before: parse(r.opt_text("before")),
            after: parse(r.opt_text("after")),
        })
    })?;
    Reply::json(200, &Page::new(items, total, paging))
}

// ---------------------------------------------------------------------------------
// Offers
// ---------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OperatorOfferRow))]
pub struct OfferRow {
    code: String,
    occupation: String,
    offer_type: String,
    contract_type: String,
    published_at: String,
    deadline: String,
    /// published | closed | expired
    status: &'static str,
    status_label: &'static str,
    application_mode: &'static str,
    company: Option<String>,
    applications: i64,
}

fn status_of(status: &str, deadline: &str, today: &str) -> (&'static str, &'static str) {
    match status {
        "closed" => ("closed", "Chiusa"),
        _ if deadline < today => ("expired", "Scaduta"),
        _ => ("published", "Pubblicata"),
    }
}

/// `GET /api/operator/offers?status=published|closed|expired&q=&page=`: the CPI's offers.
fn offers(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let q = req.query()?;
    let paging = Paging::from_query(&q, 20)?;
    let today = today(req);
    let status = q.get("status");
    if status.is_some_and(|s| !matches!(s, "published" | "closed" | "expired")) {
        return Err(ApiError::bad_request("invalid_filter", "Lo stato è published, closed o expired."));
    }
    let text = q.get("q").map(|t| format!("%{}%", t.replace(['%', '_'], "")));
    let filter = "o.cpi_code = ?1 AND (?2 IS NULL OR (?2 = 'closed' AND o.status = 'closed') OR (?2 = 'expired' AND o.status = 'published' AND o.deadline < ?3) \
                  OR (?2 = 'published' AND o.status = 'published' AND o.deadline >= ?3)) AND (?4 IS NULL OR o.occupation LIKE ?4 OR o.code LIKE ?4)";
    let p = params![op.cpi.code.as_str(), status, today.as_str(), text.as_deref()];
    let total = db.execute(&format!("SELECT count(*) AS n FROM offers o WHERE {filter}"), p)?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let mut values = p.to_vec();
    values.extend([paging.limit().into(), paging.offset().into()]);
    let rows = db.execute(
        &format!(
            "SELECT o.code, o.occupation, ot.name AS offer_type, ct.name AS contract_type, o.published_at, o.deadline, o.status, o.offer_type AS type_code,
                    t.application_mode, c.name AS company,
                    (SELECT count(*) FROM applications a WHERE a.offer_id = o.id AND a.status <> 'ritirata') AS applications
               FROM offers o JOIN offer_types ot ON ot.code = o.offer_type JOIN contract_types ct ON ct.code = o.contract_type
               LEFT JOIN offer_terms t ON t.offer_id = o.id LEFT JOIN companies c ON c.id = t.company_id
              WHERE {filter} ORDER BY o.published_at DESC, o.id DESC LIMIT ?5 OFFSET ?6"
        ),
        &values,
    )?;
    let items = rows.map(|r| {
        let (status, status_label) = status_of(r.str("status")?, r.str("deadline")?, &today);
        let mode = r.get::<&str>("application_mode").and_then(vacancy::Mode::parse).unwrap_or_else(|| vacancy::Mode::default_for(r.get::<&str>("type_code").unwrap_or("")));
        Ok(OfferRow {
            code: r.text("code")?,
            occupation: r.text("occupation")?,
            offer_type: r.text("offer_type")?,
            contract_type: r.text("contract_type")?,
            published_at: r.text("published_at")?,
            deadline: r.text("deadline")?,
            status,
            status_label,
            application_mode: mode.as_str(),
            company: r.opt_text("company"),
            applications: r.int("applications")?,
        })
    })?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// The operator's CPI's offer with this code: `(id, status, deadline)`; 404 for any other.
fn own_offer(db: &dyn Db, op: &Operator, code: &str) -> Result<(i64, String, String), ApiError> {
    let rows = db.execute("SELECT id, status, deadline FROM offers WHERE code = ?1 AND cpi_code = ?2", params![code, op.cpi.code.as_str()])?;
    let r = rows.first().ok_or_else(|| ApiError::new(404, "offer_not_found", "L'offerta indicata non esiste o non è del tuo Centro per l'impiego."))?;
    Ok((r.int("id")?, r.text("status")?, r.text("deadline")?))
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OperatorOffer))]
pub struct OfferOut {
    code: String,
    status: &'static str,
    status_label: &'static str,
    published_at: String,
    /// the form, as it can be edited again
    offer: offer::OfferIn,
    /// what a candidate declares (the offer's own requirements, then the form's)
    candidate_requirements: Vec<String>,
    public_url: String,
    /// the registry's company of `offer.company_id`
    company: Option<CompanyOut>,
}

fn offer_out(req: &Req, db: &dyn Db, id: i64) -> Result<OfferOut, ApiError> {
    let rows = db.execute("SELECT code, status, deadline, published_at FROM offers WHERE id = ?1", params![id])?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("offer {id} vanished")))?;
    let code = r.text("code")?;
    let today = today(req);
    let (status, status_label) = status_of(r.str("status")?, r.str("deadline")?, &today);
    let terms = vacancy::of_code(db, &code, &today)?.ok_or_else(|| ApiError::internal("offer vanished"))?;
    Ok(OfferOut {
        public_url: format!("/offerte/{code}"),
        code,
        status,
        status_label,
        published_at: r.text("published_at")?,
        company: company_of(db, terms.company_id)?,
        offer: offer::form_of(db, id)?,
        candidate_requirements: terms.requirements,
    })
}

/// `POST /api/operator/offers`: publishes a new offer for the operator's CPI at once.
fn publish_new(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let input: offer::OfferIn = req.json()?;
    let checked = offer::check(db, &input, &today(req))?;
    let (id, code) = tx(db, |db| {
        let (id, code) = offer::publish(db, &op.cpi.code, &checked, op.session.person_id, &today(req), req.now)?;
        audit::record(db, &actor(&op), "offer.publish", "offer", &code, None, Some(&serde_json::to_value(&input).map_err(ApiError::internal)?), req.now)?;
        Ok((id, code))
    })?;
    eprintln!("backoffice: operator {} published offer {code} for {}", op.session.person_id, op.cpi.code);
    let mut r = Reply::json(201, &offer_out(req, db, id)?)?;
    r.headers.push(("location", format!("/api/operator/offers/{code}")));
    Ok(r)
}

/// `GET /api/operator/offers/<code>`
fn offer_detail(req: &Req, db: &dyn Db, code: &str) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let (id, _, _) = own_offer(db, &op, code)?;
    Reply::json(200, &offer_out(req, db, id)?)
}

fn offer_closed() -> ApiError {
    ApiError::new(409, "offer_closed", "L'offerta è chiusa: non si può più modificare.")
}

/// `PUT /api/operator/offers/<code>`: the whole form again (what the public sees changes
/// at once). A form that changes nothing writes nothing: no update, no audit entry.
fn edit_offer(req: &Req, db: &dyn Db, code: &str) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let (id, _, _) = own_offer(db, &op, code)?;
    let input: offer::OfferIn = req.json()?;
    let checked = offer::check(db, &input, &today(req))?;
    tx(db, |db| {
        // decided inside the transaction: an offer closed meanwhile is not edited
        let (_, status, _) = own_offer(db, &op, code)?;
        if status == "closed" {
            return Err(offer_closed());
        }
        let current = offer::form_of(db, id)?;
        if current == offer::stored_form(&checked) {
            return Ok(());
        }
        let before = serde_json::to_value(current).map_err(ApiError::internal)?;
        offer::update(db, id, &checked, op.session.person_id, req.now)?;
        let after = serde_json::to_value(offer::form_of(db, id)?).map_err(ApiError::internal)?;
        audit::record(db, &actor(&op), "offer.edit", "offer", code, Some(&before), Some(&after), req.now)
    })?;
    Reply::json(200, &offer_out(req, db, id)?)
}

/// `POST /api/operator/offers/<code>/close`: no more applications; still on its page.
fn close_offer(req: &Req, db: &dyn Db, code: &str) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let (id, _, _) = own_offer(db, &op, code)?;
    tx(db, |db| {
        let closed = db.execute("UPDATE offers SET status = 'closed' WHERE id = ?1 AND status = 'published' RETURNING id", params![id])?;
        if closed.is_empty() {
            return Err(ApiError::new(409, "offer_closed", "L'offerta è già chiusa."));
        }
        db.execute(
            "INSERT INTO offer_terms (offer_id, application_mode, created_by, created_at, updated_by, updated_at, closed_at)
             SELECT o.id, CASE o.offer_type WHEN 'pubbliche-amministrazioni' THEN 'text' ELSE 'online' END, ?2, ?3, ?2, ?3, ?3 FROM offers o WHERE o.id = ?1
             ON CONFLICT (offer_id) DO UPDATE SET closed_at = excluded.closed_at, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![id, op.session.person_id, req.now],
        )?;
        audit::record(db, &actor(&op), "offer.close", "offer", code, Some(&json!({"status": "published"})), Some(&json!({"status": "closed"})), req.now)
    })?;
    Reply::json(200, &offer_out(req, db, id)?)
}

// ---------------------------------------------------------------------------------
// Drafts
// ---------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OfferDraft))]
pub struct DraftOut {
    id: i64,
    created_at: String,
    updated_at: String,
    offer: offer::OfferIn,
    /// the registry's company of `offer.company_id`, when there is one
    company: Option<CompanyOut>,
}

fn own_draft(db: &dyn Db, op: &Operator, id: i64) -> Result<DraftOut, ApiError> {
    let rows = db.execute("SELECT id, data, created_at, updated_at FROM offer_drafts WHERE id = ?1 AND cpi_code = ?2", params![id, op.cpi.code.as_str()])?;
    let r = rows.first().ok_or_else(|| ApiError::new(404, "draft_not_found", "La bozza indicata non esiste o non è del tuo Centro per l'impiego."))?;
    let offer: offer::OfferIn = serde_json::from_str(r.str("data")?).map_err(ApiError::internal)?;
    Ok(DraftOut {
        id: r.int("id")?,
        created_at: common::rome::iso_utc(r.int("created_at")?),
        updated_at: common::rome::iso_utc(r.int("updated_at")?),
        company: company_of(db, offer.company_id)?,
        offer,
    })
}

/// `GET /api/operator/drafts?page=`: the CPI's drafts, last changed first.
fn drafts(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let paging = Paging::from_query(&req.query()?, 20)?;
    let total = db.execute("SELECT count(*) AS n FROM offer_drafts WHERE cpi_code = ?1", params![op.cpi.code.as_str()])?.scalar("n")?;
    paging.ensure_in_range(total)?;
    let ids = db
        .execute("SELECT id FROM offer_drafts WHERE cpi_code = ?1 ORDER BY updated_at DESC, id DESC LIMIT ?2 OFFSET ?3", params![op.cpi.code.as_str(), paging.limit(), paging.offset()])?
        .map(|r| r.int("id"))?;
    let items = ids.into_iter().map(|id| own_draft(db, &op, id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(200, &Page::new(items, total, paging))
}

/// `POST /api/operator/drafts`: the form as it is, unchecked (it is checked when published).
fn new_draft(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let input: offer::OfferIn = req.json()?;
    let data = serde_json::to_string(&input).map_err(ApiError::internal)?;
    let id = tx(db, |db| {
        let id = db
            .execute(
                "INSERT INTO offer_drafts (cpi_code, data, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id",
                params![op.cpi.code.as_str(), data.as_str(), op.session.person_id, req.now],
            )?
            .scalar("id")?;
        audit::record(db, &actor(&op), "draft.create", "offer_draft", &id.to_string(), None, Some(&serde_json::to_value(&input).map_err(ApiError::internal)?), req.now)?;
        Ok(id)
    })?;
    let mut r = Reply::json(201, &own_draft(db, &op, id)?)?;
    r.headers.push(("location", format!("/api/operator/drafts/{id}")));
    Ok(r)
}

fn draft(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    Reply::json(200, &own_draft(db, &op, id)?)
}

fn save_draft(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let before = own_draft(db, &op, id)?;
    let input: offer::OfferIn = req.json()?;
    if input == before.offer {
        return Reply::json(200, &before);
    }
    let data = serde_json::to_string(&input).map_err(ApiError::internal)?;
    tx(db, |db| {
        db.execute("UPDATE offer_drafts SET data = ?2, updated_at = ?3 WHERE id = ?1", params![id, data.as_str(), req.now])?;
        let (b, a) = (serde_json::to_value(&before.offer).map_err(ApiError::internal)?, serde_json::to_value(&input).map_err(ApiError::internal)?);
        audit::record(db, &actor(&op), "draft.edit", "offer_draft", &id.to_string(), Some(&b), Some(&a), req.now)
    })?;
    Reply::json(200, &own_draft(db, &op, id)?)
}

fn delete_draft(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let before = own_draft(db, &op, id)?;
    tx(db, |db| {
        db.execute("DELETE FROM offer_drafts WHERE id = ?1", params![id])?;
        audit::record(db, &actor(&op), "draft.delete", "offer_draft", &id.to_string(), Some(&serde_json::to_value(&before.offer).map_err(ApiError::internal)?), None, req.now)
    })?;
    Reply::json(200, &DraftDeleted { deleted: id })
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OfferDraftDeleted))]
pub struct DraftDeleted {
    /// the draft's id
    deleted: i64,
}

/// `POST /api/operator/drafts/<id>/publish`: the draft, checked in full, becomes an offer.
fn publish_draft(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let d = own_draft(db, &op, id)?;
    let checked = offer::check(db, &d.offer, &today(req))?;
    let (offer_id, code) = tx(db, |db| {
        // the draft is used once: a second publication finds it gone
        if db.execute("DELETE FROM offer_drafts WHERE id = ?1 RETURNING id", params![id])?.is_empty() {
            return Err(ApiError::new(404, "draft_not_found", "La bozza è già stata pubblicata o eliminata."));
        }
        let (offer_id, code) = offer::publish(db, &op.cpi.code, &checked, op.session.person_id, &today(req), req.now)?;
        audit::record(db, &actor(&op), "offer.publish", "offer", &code, None, Some(&serde_json::to_value(&d.offer).map_err(ApiError::internal)?), req.now)?;
        Ok((offer_id, code))
    })?;
    let mut r = Reply::json(201, &offer_out(req, db, offer_id)?)?;
    r.headers.push(("location", format!("/api/operator/offers/{code}")));
    Ok(r)
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RegistryCompany))]
pub struct CompanyOut {
    id: i64,
    name: String,
    fiscal_code: String,
    vat_number: Option<String>,
    kind: String,
    seat_comune: Option<String>,
}

const COMPANY_COLUMNS: &str = "c.id, c.name, c.fiscal_code, c.vat_number, c.kind, m.name AS seat_comune";

fn company_row(r: &common::sql::Row<'_>) -> Result<CompanyOut, ApiError> {
    Ok(CompanyOut {
        id: r.int("id")?,
        name: r.text("name")?,
        fiscal_code: r.text("fiscal_code")?,
        vat_number: r.opt_text("vat_number"),
        kind: r.text("kind")?,
        seat_comune: r.opt_text("seat_comune"),
    })
}

/// The registry's company `id` (`None` without one, or when it no longer exists).
fn company_of(db: &dyn Db, id: Option<i64>) -> Result<Option<CompanyOut>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    let rows = db.execute(&format!("SELECT {COMPANY_COLUMNS} FROM companies c LEFT JOIN comuni m ON m.istat = c.seat_istat WHERE c.id = ?1"), params![id])?;
    rows.first().map(|r| company_row(&r)).transpose()
}

/// `GET /api/operator/companies?q=`: registry companies by name, codice fiscale or partita
/// IVA (at least 3 characters), not ceased, at most 20.
fn companies(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    staff::require_operator(db, req)?;
    let q = req.query()?;
    let text = q.get("q").unwrap_or("").trim().to_uppercase();
    if text.chars().count() < 3 {
        return Err(ApiError::bad_request("query_too_short", "Scrivi almeno 3 caratteri del nome, del codice fiscale o della partita IVA."));
    }
    let like = format!("%{}%", text.replace(['%', '_'], ""));
    let rows = db.execute(
        &format!("SELECT {COMPANY_COLUMNS} FROM companies c LEFT JOIN comuni m ON m.istat = c.seat_istat
          WHERE c.ceased_on IS NULL AND (upper(c.name) LIKE ?1 OR c.fiscal_code = ?2 OR c.vat_number = ?2) ORDER BY c.fiscal_code = ?2 DESC, c.name LIMIT 20"),
        params![like.as_str(), text.as_str()],
    )?;
    let items = rows.map(|r| company_row(&r))?;
    Reply::json(200, &Companies { items })
}

/// At most 20 companies of the registry.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RegistryCompanies))]
pub struct Companies {
    items: Vec<CompanyOut>,
}
