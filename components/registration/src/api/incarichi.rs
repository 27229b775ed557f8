//! A2 and B1: companies in the registry, the incarichi of the three sections of the
//! profile (list, add, revoke) and the company lookup of the forms.

use common::rome::iso_utc;
use common::sql::{Db, Value};
use common::validation::{self, CompanyCode, CompanyKind, Fields};
use common::{ApiError, Reply, Req};
use super::{opt, rate_limit, text};
use crate::views::{CompanyLookup, CompanyOut, Incarichi, IncaricoOut, LookupIncarico, Revoked};
use crate::{Section, form, texts};

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
    pub(super) fn out(&self) -> CompanyOut {
        CompanyOut {
            id: self.id,
            name: self.name.clone(),
            fiscal_code: self.fiscal_code.clone(),
            vat_number: self.vat_number.clone(),
            legal_form: self.legal_form.clone(),
            kind: self.kind.clone(),
            kind_label: CompanyKind::parse(&self.kind).map_or("", CompanyKind::label),
            seat_comune: self.seat_comune.clone(),
            ceased_on: self.ceased_on.clone(),
        }
    }
}

const COMPANY_COLUMNS: &str = "c.id, c.fiscal_code, c.vat_number, c.name, c.legal_form, c.kind, c.ceased_on, m.name AS seat_comune";
/// `companies c` with the comune of its registered office.
const COMPANIES: &str = "companies c LEFT JOIN comuni m ON m.istat = c.seat_istat";

fn company_of(r: &common::sql::Row<'_>) -> Result<Company, ApiError> {
    Ok(Company {
        id: r.int("id")?,
        fiscal_code: r.text("fiscal_code")?,
        vat_number: r.opt_text("vat_number"),
        name: r.text("name")?,
        legal_form: r.text("legal_form")?,
        kind: r.text("kind")?,
        seat_comune: r.opt_text("seat_comune"),
        ceased_on: r.opt_text("ceased_on"),
    })
}

/// The registry's company with this codice fiscale or partita IVA.
pub(super) fn find_company(conn: &dyn Db, code: &CompanyCode) -> Result<Option<Company>, ApiError> {
    let rows = match code {
        CompanyCode::Numeric(n) => conn.execute(// members of a VAT group share a partita IVA: the company whose codice fiscale
            // it is first, ceased ones last (common::validation::CompanyCode)
            &format!(
                "SELECT {COMPANY_COLUMNS} FROM {COMPANIES} WHERE c.fiscal_code = ?1 OR c.vat_number = ?1
                 ORDER BY c.fiscal_code = ?1 DESC, c.ceased_on IS NOT NULL, c.name, c.id LIMIT 1"
            ),
            &[text(n.as_str())],
        )?,
        CompanyCode::Personal(cf) => {
            conn.execute(&format!("SELECT {COMPANY_COLUMNS} FROM {COMPANIES} WHERE c.fiscal_code = ?"), &[text(cf.as_str())])?
        }
    };
    rows.rows().next().map(|r| company_of(&r)).transpose()
}

/// 404 for the lookup; in forms the same message is a field error (`not_found`).
fn company_not_found(code: &CompanyCode) -> ApiError {
    ApiError::new(404, "company_not_found", code.not_found().message)
}

/// One lookup of the registry by this person: at most `company_lookup_per_hour` (429
/// `lookup_limit` beyond, counted atomically).
pub(super) fn count_lookup(req: &Req, conn: &dyn Db, person_id: i64) -> Result<(), ApiError> {
    rate_limit(conn, req, "company-lookup", person_id, 3600, req.var_number("company_lookup_per_hour", 30), "lookup_limit", "Hai cercato troppe aziende in poco tempo.")
}

/// The person's current incarichi (of one section, or all), by company name.
pub(super) fn incarichi(conn: &dyn Db, person_id: i64, section: Option<Section>) -> Result<Vec<IncaricoOut>, ApiError> {
    let rows = conn.execute(&format!(
            "SELECT i.id AS incarico_id, i.role, i.created_at, {COMPANY_COLUMNS}
             FROM incarichi i JOIN companies c ON c.id = i.company_id LEFT JOIN comuni m ON m.istat = c.seat_istat
             WHERE i.person_id = ? AND i.revoked_at IS NULL AND (?2 IS NULL OR c.kind = ?2) ORDER BY c.name, c.id"
        ),
        &[Value::Integer(person_id), opt(section.map(Section::kind))],
    )?;
    rows.rows()
        .map(|r| {
            let c = company_of(&r)?;
            Ok(incarico_out(r.int("incarico_id")?, &c, &r.text("role")?, &r.text("created_at")?))
        })
        .collect()
}

pub(super) fn insert_incarico(conn: &dyn Db, person_id: i64, company_id: i64, role: &str, now: i64) -> Result<Option<i64>, ApiError> {
    let at = iso_utc(now);
    let rows = conn.execute("INSERT INTO incarichi (person_id, company_id, role, declaration_version, declaration_accepted_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING id",
        &[Value::Integer(person_id), Value::Integer(company_id), text(role), text(texts::DECLARATION_VERSION), text(at.as_str()), text(at.as_str())],
    )?;
    Ok(rows.rows().next().and_then(|r| r.get::<i64>("id")))
}

/// An incarico as the profile shows it.
fn incarico_out(id: i64, c: &Company, role: &str, created_at: &str) -> IncaricoOut {
    IncaricoOut {
        id,
        company_id: c.id,
        company: c.out(),
        role: role.to_string(),
        role_label: texts::role_label(role).to_string(),
        created_at: created_at.to_string(),
    }
}

/// `GET /api/profile/<section>`: the incarichi, with the declaration and the roles.
pub(super) fn list(req: &Req, conn: &dyn Db, section: Section) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    let items = incarichi(conn, s.person_id, Some(section))?;
    Reply::json(200, &Incarichi { items, declaration: texts::declaration(), roles: texts::ROLES })
}

/// `POST /api/profile/<section>`: a new incarico (with the declaration).
pub(super) fn add(req: &Req, conn: &dyn Db, section: Section) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let input: form::IncaricoIn = req.json()?;
    let mut f = Fields::new();
    let i = form::incarico(&input, "", &mut f);
    f.into_result()?;
    let Some(i) = i else { return Err(ApiError::internal("incarico valid but incomplete")) };
    count_lookup(req, conn, s.person_id)?;
    let c = find_company(conn, &i.code)?.ok_or_else(|| ApiError::invalid_fields(vec![i.code.not_found().at("code")]))?;
    if let Some(on) = &c.ceased_on {
        return Err(ApiError::invalid_field("code", "company_ceased", format!("{} risulta cessata dal {on}: non è possibile prendere un incarico.", c.name)));
    }
    section.accepts(&c.name, &c.kind)?;
    let now = req.now;
    let id = insert_incarico(conn, s.person_id, c.id, i.role, now)?
        .ok_or_else(|| ApiError::new(409, "incarico_exists", format!("Hai già un incarico per {}", common::page::sentence(&c.name))))?;
    eprintln!("registration: person {} took incarico {id} ({}) for company {}", s.person_id, i.role, c.id);
    Reply::json(201, &incarico_out(id, &c, i.role, &iso_utc(now)))
}

/// `DELETE /api/profile/<section>/<id>`: the incarico ends (and acting for it).
pub(super) fn revoke(req: &Req, conn: &dyn Db, section: Section, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let rows = conn.execute("UPDATE incarichi SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL
           AND company_id IN (SELECT id FROM companies WHERE kind = ?) RETURNING company_id",
        &[text(iso_utc(req.now)), Value::Integer(id), Value::Integer(s.person_id), text(section.kind())],
    )?;
    let company_id = rows.scalar("company_id").map_err(|_| ApiError::new(404, "incarico_not_found", "L'incarico indicato non esiste o è già stato revocato."))?;
    // the session's lookups check the incarico: acting for this company ends now
    let acting_as = s.acting_as.filter(|a| a.company_id != company_id);
    eprintln!("registration: person {} revoked incarico {id}", s.person_id);
    Reply::json(200, &Revoked { revoked: id, acting_as })
}

/// `GET /api/companies/lookup?code=`: the registry's company and the caller's incarico.
pub(super) fn lookup(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    // also before the registration (B1): any session
    let s = access::require(conn, req)?;
    let q = req.query()?;
    let code = validation::company_lookup_code(q.get("code").unwrap_or("")).map_err(|e| ApiError::invalid_fields(vec![e.at("code")]))?;
    count_lookup(req, conn, s.person_id)?;
    let c = find_company(conn, &code)?.ok_or_else(|| company_not_found(&code))?;
    let mine = conn.execute("SELECT id, role FROM incarichi WHERE person_id = ? AND company_id = ? AND revoked_at IS NULL",
        &[Value::Integer(s.person_id), Value::Integer(c.id)],
    )?;
    let incarico = mine.rows().next().map(|r| LookupIncarico { id: r.get::<i64>("id"), role: r.get::<&str>("role").map(str::to_owned) });
    Reply::json(200, &CompanyLookup { company: c.out(), incarico })
}

