//! A2 and B1: companies in the registry, the incarichi of the three sections of the
//! profile (list, add, revoke) and the company lookup of the forms.

use common::rome::{iso_utc, unix_now};
use common::session;
use common::validation::{self, CompanyCode, CompanyKind, Fields};
use common::{ApiError, Query, Reply, account, db};
use serde_json::{Value as Json, json};
use spin_sdk::http::Request;
use spin_sdk::sqlite::{Connection, Value};

use super::{num, opt, rate_limit, text};
use crate::{Section, form, json_body, texts};

#[derive(Debug, Clone)]
pub(super) struct Company {
    pub(super) id: i64,
    pub(super) fiscal_code: String,
    pub(super) vat_number: Option<String>,
    pub(super) name: String,
    pub(super) legal_form: String,
    pub(super) kind: String,
    pub(super) seat_comune: Option<String>,
    pub(super) ceased_on: Option<String>,
}

impl Company {
    pub(super) fn json(&self) -> Json {
        json!({
            "id": self.id, "name": self.name, "fiscal_code": self.fiscal_code, "vat_number": self.vat_number,
            "legal_form": self.legal_form, "kind": self.kind, "kind_label": CompanyKind::parse(&self.kind).map_or("", CompanyKind::label),
            "seat_comune": self.seat_comune, "ceased_on": self.ceased_on,
        })
    }
}

const COMPANY_COLUMNS: &str = "c.id, c.fiscal_code, c.vat_number, c.name, c.legal_form, c.kind, c.ceased_on, m.name AS seat_comune";
/// `companies c` with the comune of its registered office.
const COMPANIES: &str = "companies c LEFT JOIN comuni m ON m.istat = c.seat_istat";

fn company_of(r: &spin_sdk::sqlite::Row<'_>) -> Result<Company, ApiError> {
    Ok(Company {
        id: db::int(r, "id")?,
        fiscal_code: db::text(r, "fiscal_code")?,
        vat_number: db::opt_text(r, "vat_number"),
        name: db::text(r, "name")?,
        legal_form: db::text(r, "legal_form")?,
        kind: db::text(r, "kind")?,
        seat_comune: db::opt_text(r, "seat_comune"),
        ceased_on: db::opt_text(r, "ceased_on"),
    })
}

/// The registry's company with this codice fiscale or partita IVA.
pub(super) fn find_company(conn: &Connection, code: &CompanyCode) -> Result<Option<Company>, ApiError> {
    let rows = match code {
        CompanyCode::Numeric(n) => db::query(
            conn,
            // members of a VAT group share a partita IVA: the company whose codice fiscale
            // it is first, ceased ones last (common::validation::CompanyCode)
            &format!(
                "SELECT {COMPANY_COLUMNS} FROM {COMPANIES} WHERE c.fiscal_code = ?1 OR c.vat_number = ?1
                 ORDER BY c.fiscal_code = ?1 DESC, c.ceased_on IS NOT NULL, c.name, c.id LIMIT 1"
            ),
            &[text(n.as_str())],
        )?,
        CompanyCode::Personal(cf) => {
            db::query(conn, &format!("SELECT {COMPANY_COLUMNS} FROM {COMPANIES} WHERE c.fiscal_code = ?"), &[text(cf.as_str())])?
        }
    };
    rows.rows().next().map(|r| company_of(&r)).transpose()
}

/// 404 for the lookup; in forms the same message is a field error (`not_found`).
fn company_not_found(code: &CompanyCode) -> ApiError {
    ApiError::new(404, "company_not_found", code.not_found().message)
}

/// One lookup of the registry by this person: at most `company_lookup_per_hour`.
pub(super) fn count_lookup(person_id: i64) -> Result<Result<(), Reply>, ApiError> {
    rate_limit("company-lookup", person_id, 3600, num("company_lookup_per_hour", 30) as u32, "lookup_limit", "Hai cercato troppe aziende in poco tempo.")
}

/// The person's current incarichi (of one section, or all), by company name.
pub(super) fn incarichi(conn: &Connection, person_id: i64, section: Option<Section>) -> Result<Vec<Json>, ApiError> {
    let rows = db::query(
        conn,
        &format!(
            "SELECT i.id AS incarico_id, i.role, i.created_at, {COMPANY_COLUMNS}
             FROM incarichi i JOIN companies c ON c.id = i.company_id LEFT JOIN comuni m ON m.istat = c.seat_istat
             WHERE i.person_id = ? AND i.revoked_at IS NULL AND (?2 IS NULL OR c.kind = ?2) ORDER BY c.name, c.id"
        ),
        &[Value::Integer(person_id), opt(section.map(Section::kind))],
    )?;
    rows.rows()
        .map(|r| {
            let c = company_of(&r)?;
            Ok(incarico_json(db::int(&r, "incarico_id")?, &c, &db::text(&r, "role")?, &db::text(&r, "created_at")?))
        })
        .collect()
}

pub(super) fn insert_incarico(conn: &Connection, person_id: i64, company_id: i64, role: &str, now: i64) -> Result<Option<i64>, ApiError> {
    let at = iso_utc(now);
    let rows = db::query(
        conn,
        "INSERT INTO incarichi (person_id, company_id, role, declaration_version, declaration_accepted_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING id",
        &[Value::Integer(person_id), Value::Integer(company_id), text(role), text(texts::DECLARATION_VERSION), text(at.as_str()), text(at.as_str())],
    )?;
    Ok(rows.rows().next().and_then(|r| r.get::<i64>("id")))
}

/// An incarico as the profile shows it.
fn incarico_json(id: i64, c: &Company, role: &str, created_at: &str) -> Json {
    json!({
        "id": id, "company_id": c.id, "company": c.json(), "role": role, "role_label": texts::role_label(role),
        "created_at": created_at,
    })
}

/// `GET /api/profile/<section>`: the incarichi, with the declaration and the roles.
pub(super) fn list(req: &Request, conn: &Connection, section: Section) -> Result<Reply, ApiError> {
    let s = account::require_active(req)?;
    let items = incarichi(conn, s.person_id, Some(section))?;
    Reply::json(200, &json!({ "items": items, "declaration": texts::declaration(), "roles": texts::ROLES }))
}

/// `POST /api/profile/<section>`: a new incarico (with the declaration).
pub(super) fn add(req: &Request, conn: &Connection, section: Section) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let input: form::IncaricoIn = json_body(req.body())?;
    let mut f = Fields::new();
    let i = form::incarico(&input, "", &mut f);
    f.into_result()?;
    let Some(i) = i else { return Err(ApiError::internal("incarico valid but incomplete")) };
    if let Err(limited) = count_lookup(s.person_id)? {
        return Ok(limited);
    }
    let c = find_company(conn, &i.code)?.ok_or_else(|| ApiError::invalid_fields(vec![i.code.not_found().at("code")]))?;
    if let Some(on) = &c.ceased_on {
        return Err(ApiError::invalid_field("code", "company_ceased", format!("{} risulta cessata dal {on}: non è possibile prendere un incarico.", c.name)));
    }
    section.accepts(&c.name, &c.kind)?;
    let now = unix_now();
    let id = insert_incarico(conn, s.person_id, c.id, i.role, now)?
        .ok_or_else(|| ApiError::new(409, "incarico_exists", format!("Hai già un incarico per {}.", c.name)))?;
    eprintln!("registration: person {} took incarico {id} ({}) for company {}", s.person_id, i.role, c.id);
    Reply::json(201, &incarico_json(id, &c, i.role, &iso_utc(now)))
}

/// `DELETE /api/profile/<section>/<id>`: the incarico ends (and acting for it).
pub(super) fn revoke(req: &Request, conn: &Connection, section: Section, id: i64) -> Result<Reply, ApiError> {
    let (sid, mut s) = account::require_active_with_id(req)?;
    account::check_csrf(req, &s, None)?;
    let rows = db::query(
        conn,
        "UPDATE incarichi SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL
           AND company_id IN (SELECT id FROM companies WHERE kind = ?) RETURNING company_id",
        &[text(iso_utc(unix_now())), Value::Integer(id), Value::Integer(s.person_id), text(section.kind())],
    )?;
    let company_id = db::scalar_i64(&rows, "company_id").map_err(|_| ApiError::new(404, "incarico_not_found", "L'incarico indicato non esiste o è già stato revocato."))?;
    if s.acting_as.as_ref().is_some_and(|a| a.company_id == company_id) {
        s.acting_as = None;
        session::save(&sid, &s)?;
    }
    eprintln!("registration: person {} revoked incarico {id}", s.person_id);
    Reply::json(200, &json!({ "revoked": id, "acting_as": s.acting_as }))
}

/// `GET /api/companies/lookup?code=`: the registry's company and the caller's incarico.
pub(super) fn lookup(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    // also before the registration (B1): any session
    let (_, s) = account::current(req)?.ok_or_else(session::unauthenticated)?;
    let q = Query::parse(req.query())?;
    let code = validation::company_lookup_code(q.get("code").unwrap_or("")).map_err(|e| ApiError::invalid_fields(vec![e.at("code")]))?;
    if let Err(limited) = count_lookup(s.person_id)? {
        return Ok(limited);
    }
    let c = find_company(conn, &code)?.ok_or_else(|| company_not_found(&code))?;
    let mine = db::query(
        conn,
        "SELECT id, role FROM incarichi WHERE person_id = ? AND company_id = ? AND revoked_at IS NULL",
        &[Value::Integer(s.person_id), Value::Integer(c.id)],
    )?;
    let incarico = mine.rows().next().map(|r| json!({ "id": r.get::<i64>("id"), "role": r.get::<&str>("role") }));
    Reply::json(200, &json!({ "company": c.json(), "incarico": incarico }))
}

