//! The Spin handler: reads the request, calls the logic in the crate's modules, keeps
//! state in SQLite (accounts, activation links, incarichi, OTP guess counters) and in
//! key-value (sessions, OTP codes, verified numbers, rate limits).

use common::outbox::{self, Message};
use common::rome::{iso_utc, unix_now};
use common::session::{self, Account, Session};
use common::validation::{self, CompanyCode, CompanyKind, Fields};
use common::{ApiError, Query, Reply, account, db, kv};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, Value};

use crate::form::{self, Comune, Places};
use crate::otp::{self, Channel, Limits, Otp, Verified};
use crate::{Route, Section, json_body, rate, texts, token};

fn var(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok().filter(|v| !v.trim().is_empty())
}

fn num(name: &str, default: u32) -> i64 {
    i64::from(common::spin::number_variable(name, default))
}

fn limits() -> Limits {
    Limits {
        ttl_secs: num("otp_ttl_seconds", 600),
        resend_secs: num("otp_resend_seconds", 60),
        max_per_hour: num("otp_max_per_hour", 5) as u32,
        max_attempts: num("otp_max_attempts", 5) as u32,
        verified_secs: 3600,
    }
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    common::spin::header(req, name)
}

// ---------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------

#[http_component]
fn handle(req: Request) -> Response {
    let method = req.method().to_string();
    let path = req.path().to_string();
    let reply = match crate::route(&method, &path) {
        Ok(route) => {
            // the activation link and its button are pages; everything else is JSON
            let page = route == Route::ActivatePage || (route == Route::Activate && !is_json(&req));
            dispatch(&route, &req).unwrap_or_else(|e| if page && e.status != 405 { error_page(&e) } else { Reply::from(e) })
        }
        Err(e) => Reply::from(e),
    };
    reply.into()
}

fn dispatch(route: &Route, req: &Request) -> Result<Reply, ApiError> {
    let conn = db::open()?;
    match route {
        Route::Prefill => prefill(req, &conn),
        Route::Register => register(req, &conn),
        Route::RegistrationOtp => registration_otp(req, &conn),
        Route::RegistrationOtpVerify => registration_otp_verify(req, &conn),
        Route::ResendActivation => resend_activation(req, &conn),
        Route::ActivatePage => activate_page(req, &conn),
        Route::Activate => activate(req, &conn),
        Route::Profile => {
            let s = account::require_active(req)?;
            Reply::json(200, &profile_view(&conn, &s)?)
        }
        Route::UpdateProfile => update_profile(req, &conn),
        Route::ProfileOtp => profile_otp(req, &conn),
        Route::ProfileOtpVerify => profile_otp_verify(req, &conn),
        Route::Incarichi(section) => {
            let s = account::require_active(req)?;
            let items = incarichi(&conn, s.person_id, Some(*section))?;
            Reply::json(200, &json!({ "items": items, "declaration": texts::declaration(), "roles": texts::ROLES }))
        }
        Route::AddIncarico(section) => add_incarico(req, &conn, *section),
        Route::RevokeIncarico(section, id) => revoke_incarico(req, &conn, *section, *id),
        Route::Lookup => lookup(req, &conn),
        Route::ActingAs => {
            let s = account::require_active(req)?;
            let options = incarichi(&conn, s.person_id, None)?;
            Reply::json(200, &json!({ "acting_as": s.acting_as, "options": options }))
        }
        Route::ActAs => act_as(req, &conn),
    }
}

// ---------------------------------------------------------------------------------
// Sessions and small helpers
// ---------------------------------------------------------------------------------

/// Any live session (whatever the account's state) and its CSRF token: the
/// registration endpoints, which people use before their account exists.
fn session_write(req: &Request) -> Result<(String, Session), ApiError> {
    let (id, s) = account::current(req)?.ok_or_else(session::unauthenticated)?;
    account::check_csrf(req, &s, None)?;
    Ok((id, s))
}

fn is_json(req: &Request) -> bool {
    header(req, "content-type").is_some_and(|t| t.trim_start().starts_with("application/json"))
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
                eprintln!("registration: rollback failed: {r}");
            }
            Err(e)
        }
    }
}

fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

fn opt(v: Option<&str>) -> Value {
    v.map(|s| Value::Text(s.to_string())).unwrap_or(Value::Null)
}

fn redirect(location: &str) -> Reply {
    Reply { status: 303, headers: vec![("location", location.to_string()), ("cache-control", "no-store".into())], body: Vec::new() }
}

fn with_retry_after(e: ApiError, secs: i64) -> Reply {
    let mut r = Reply::from(e);
    r.headers.push(("retry-after", secs.max(1).to_string()));
    r
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn html(status: u16, title: &str, content: &str) -> Reply {
    let template = std::fs::read_to_string("/templates/message.html").unwrap_or_else(|_| "<!doctype html><title>{{title}}</title>{{content}}".into());
    Reply::uncached_html(status, template.replace("{{title}}", &esc(title)).replace("{{content}}", content).into_bytes())
}

fn error_page(e: &ApiError) -> Reply {
    if e.status >= 500 {
        return html(500, "Servizio non disponibile", "<h1>Servizio non disponibile</h1><p>Non è stato possibile completare l'operazione. Riprova tra qualche minuto.</p>");
    }
    let title = "Attivazione non riuscita";
    html(
        e.status,
        title,
        &format!(
            "<h1>{title}</h1><div class=\"callout danger\" role=\"alert\"><div class=\"callout-title\">Il collegamento non può essere usato</div><p>{}</p></div>\
             <p>Se hai bisogno di un nuovo collegamento, <a href=\"/accedi/\">accedi con SPID, CIE o CNS</a>: ti proporremo di inviarlo di nuovo.</p>",
            esc(&e.message)
        ),
    )
}

// ---------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------

/// The identity as the SSO bridge stored it.
struct Person {
    fiscal_code: String,
    name: String,
    family_name: String,
    date_of_birth: Option<String>,
    place_of_birth: Option<String>,
    gender: Option<String>,
    email: Option<String>,
    mobile_phone: Option<String>,
}

fn person(conn: &Connection, id: i64) -> Result<Person, ApiError> {
    let rows = db::query(
        conn,
        "SELECT fiscal_code, name, family_name, date_of_birth, place_of_birth, gender, email, mobile_phone FROM people WHERE id = ?",
        &[Value::Integer(id)],
    )?;
    let r = rows.rows().next().ok_or_else(|| ApiError::internal(format!("person {id} of a live session is missing")))?;
    Ok(Person {
        fiscal_code: db::text(&r, "fiscal_code")?,
        name: db::text(&r, "name")?,
        family_name: db::text(&r, "family_name")?,
        date_of_birth: db::opt_text(&r, "date_of_birth"),
        place_of_birth: db::opt_text(&r, "place_of_birth"),
        gender: db::opt_text(&r, "gender"),
        email: db::opt_text(&r, "email"),
        mobile_phone: db::opt_text(&r, "mobile_phone"),
    })
}

impl Person {
    fn identity(&self) -> form::Identity {
        form::Identity {
            fiscal_code: self.fiscal_code.clone(),
            date_of_birth: self.date_of_birth.clone(),
            place_of_birth: self.place_of_birth.clone(),
            gender: self.gender.clone(),
        }
    }
}

struct DbPlaces<'a>(&'a Connection);

impl Places for DbPlaces<'_> {
    fn comune(&self, istat: &str) -> Option<Comune> {
        comune(self.0, istat).unwrap_or_else(|e| {
            eprintln!("registration: comune {istat}: {e}");
            None
        })
    }
}

fn comune(conn: &Connection, istat: &str) -> Result<Option<Comune>, ApiError> {
    let rows = db::query(
        conn,
        "SELECT c.istat, c.name, p.sigla FROM comuni c JOIN provinces p ON p.code = c.province_code WHERE c.istat = ?",
        &[text(istat)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    let caps = db::query(conn, "SELECT cap FROM comuni_caps WHERE istat = ? ORDER BY cap", &[text(istat)])?;
    Ok(Some(Comune {
        istat: db::text(&r, "istat")?,
        name: db::text(&r, "name")?,
        province: db::text(&r, "sigla")?,
        caps: caps.rows().filter_map(|c| c.get::<&str>("cap").map(str::to_owned)).collect(),
    }))
}

fn comune_json(conn: &Connection, istat: &str) -> Result<Json, ApiError> {
    Ok(match comune(conn, istat)? {
        Some(c) => json!({ "istat": c.istat, "name": c.name, "province": c.province }),
        None => json!({ "istat": istat, "name": null, "province": null }),
    })
}

/// The place of birth as shown: the comune of a cadastral code, or abroad.
fn birth_place_json(conn: &Connection, code: &str) -> Result<Json, ApiError> {
    if validation::cadastral_code_is_abroad(code) {
        return Ok(json!({ "code": code, "abroad": true, "istat": null, "name": "Stato estero", "province": null }));
    }
    let rows = db::query(
        conn,
        "SELECT c.istat, c.name, p.sigla FROM comuni_codes k JOIN comuni c ON c.istat = k.istat JOIN provinces p ON p.code = c.province_code
         WHERE k.cadastral_code = ?",
        &[text(code)],
    )?;
    Ok(match rows.rows().next() {
        Some(r) => json!({ "code": code, "abroad": false, "istat": db::text(&r, "istat")?, "name": db::text(&r, "name")?, "province": db::text(&r, "sigla")? }),
        // a comune that no longer exists (merged): only its code is known
        None => json!({ "code": code, "abroad": false, "istat": null, "name": null, "province": null }),
    })
}

struct AccountRow {
    status: String,
    registered_as: String,
    date_of_birth: String,
    place_of_birth: String,
    residence: form::Address,
    domicile: Option<form::Address>,
    email: String,
    email_verified_at: Option<String>,
    mobile: String,
    mobile_verified_at: Option<String>,
    privacy_version: String,
    privacy_accepted_at: String,
    registered_at: String,
    activated_at: Option<String>,
}

fn account_row(conn: &Connection, person_id: i64) -> Result<Option<AccountRow>, ApiError> {
    let rows = db::query(conn, "SELECT * FROM accounts WHERE person_id = ?", &[Value::Integer(person_id)])?;
    let Some(r) = rows.rows().next() else { return Ok(None) };
    let same = db::int(&r, "domicile_same")? == 1;
    Ok(Some(AccountRow {
        status: db::text(&r, "status")?,
        registered_as: db::text(&r, "registered_as")?,
        date_of_birth: db::text(&r, "date_of_birth")?,
        place_of_birth: db::text(&r, "place_of_birth")?,
        residence: form::Address { istat: db::text(&r, "residence_istat")?, cap: db::text(&r, "residence_cap")?, address: db::text(&r, "residence_address")? },
        domicile: if same {
            None
        } else {
            Some(form::Address { istat: db::text(&r, "domicile_istat")?, cap: db::text(&r, "domicile_cap")?, address: db::text(&r, "domicile_address")? })
        },
        email: db::text(&r, "email")?,
        email_verified_at: db::opt_text(&r, "email_verified_at"),
        mobile: db::text(&r, "mobile")?,
        mobile_verified_at: db::opt_text(&r, "mobile_verified_at"),
        privacy_version: db::text(&r, "privacy_version")?,
        privacy_accepted_at: db::text(&r, "privacy_accepted_at")?,
        registered_at: db::text(&r, "registered_at")?,
        activated_at: db::opt_text(&r, "activated_at"),
    }))
}

/// The `accounts` columns residence_istat, residence_cap, residence_address,
/// domicile_same, domicile_istat, domicile_cap, domicile_address, in this order.
fn address_values(c: &form::Contacts) -> [Value; 7] {
    let d = c.domicile.as_ref();
    [
        text(c.residence.istat.as_str()),
        text(c.residence.cap.as_str()),
        text(c.residence.address.as_str()),
        Value::Integer(i64::from(d.is_none())),
        opt(d.map(|a| a.istat.as_str())),
        opt(d.map(|a| a.cap.as_str())),
        opt(d.map(|a| a.address.as_str())),
    ]
}

fn address_json(conn: &Connection, a: &form::Address) -> Result<Json, ApiError> {
    Ok(json!({ "comune": comune_json(conn, &a.istat)?, "cap": a.cap, "address": a.address }))
}

// ---------------------------------------------------------------------------------
// Companies and incarichi
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Company {
    id: i64,
    fiscal_code: String,
    vat_number: Option<String>,
    name: String,
    legal_form: String,
    kind: String,
    seat_comune: Option<String>,
    ceased_on: Option<String>,
}

impl Company {
    fn json(&self) -> Json {
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
fn find_company(conn: &Connection, code: &CompanyCode) -> Result<Option<Company>, ApiError> {
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
fn count_lookup(person_id: i64) -> Result<Result<(), Reply>, ApiError> {
    let key = rate::key("company-lookup", person_id);
    let prev: Option<rate::Window> = kv::get_json(&key)?;
    match rate::hit(prev, unix_now(), 3600, num("company_lookup_per_hour", 30) as u32) {
        Ok(w) => {
            kv::set_json(&key, &w)?;
            Ok(Ok(()))
        }
        Err(wait) => Ok(Err(with_retry_after(rate::too_many("lookup_limit", "Hai cercato troppe aziende in poco tempo.", wait), wait))),
    }
}

/// The person's current incarichi (of one section, or all), by company name.
fn incarichi(conn: &Connection, person_id: i64, section: Option<Section>) -> Result<Vec<Json>, ApiError> {
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
            let role = db::text(&r, "role")?;
            Ok(json!({
                "id": db::int(&r, "incarico_id")?, "company_id": c.id, "company": c.json(),
                "role": role, "role_label": texts::role_label(&role), "created_at": db::text(&r, "created_at")?,
            }))
        })
        .collect()
}

fn insert_incarico(conn: &Connection, person_id: i64, company_id: i64, role: &str, now: i64) -> Result<Option<i64>, ApiError> {
    let at = iso_utc(now);
    let rows = db::query(
        conn,
        "INSERT INTO incarichi (person_id, company_id, role, declaration_version, declaration_accepted_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING id",
        &[Value::Integer(person_id), Value::Integer(company_id), text(role), text(texts::DECLARATION_VERSION), text(at.as_str()), text(at.as_str())],
    )?;
    Ok(rows.rows().next().and_then(|r| r.get::<i64>("id")))
}

// ---------------------------------------------------------------------------------
// One-time codes
// ---------------------------------------------------------------------------------

/// Sends a new code to `target` (429 with `Retry-After` when too soon or too often).
fn send_otp(conn: &Connection, person_id: i64, name: &str, channel: Channel, target: &str) -> Result<Reply, ApiError> {
    let l = limits();
    let now = unix_now();
    let key = otp::key(person_id, channel);
    let prev: Option<Otp> = kv::get_json(&key)?;
    if let Err((e, wait)) = otp::may_send(prev.as_ref(), now, l) {
        return Ok(with_retry_after(e, wait));
    }
    let code = otp::random_code()?;
    let rec = otp::issue(prev.as_ref(), target, &code, session::random_token()?[..32].to_string(), session::random_token()?[..32].to_string(), now, l);
    let minutes = ((l.ttl_secs + 59) / 60).to_string();
    let msg = match channel {
        Channel::Sms => Message::new(outbox::Channel::Sms, target, outbox::OTP),
        Channel::Email => Message::new(outbox::Channel::Email, target, outbox::OTP).param("name", name),
    }
    .param("code", code)
    .param("minutes", minutes)
    .person(person_id);
    // queue first: a failure leaves no code behind that the person never received
    outbox::enqueue(conn, &msg)?;
    kv::set_json(&key, &rec)?;
    eprintln!("registration: {} code sent for person {person_id}", channel.as_str());
    Reply::json(200, &json!({ "channel": channel.as_str(), "sent_to": target, "expires_in": l.ttl_secs, "resend_in": l.resend_secs }))
}

/// Counts one guess of code `otp_id` atomically; returns its number (1 = first).
fn count_attempt(conn: &Connection, otp_id: &str, keep_until: i64, now: i64) -> Result<u32, ApiError> {
    db::query(conn, "DELETE FROM otp_attempts WHERE expires_at < ?", &[Value::Integer(now)])?;
    let rows = db::query(
        conn,
        "INSERT INTO otp_attempts (otp_id, attempts, expires_at) VALUES (?, 1, ?)
         ON CONFLICT (otp_id) DO UPDATE SET attempts = attempts + 1 RETURNING attempts",
        &[text(otp_id), Value::Integer(keep_until)],
    )?;
    Ok(db::scalar_i64(&rows, "attempts")?.clamp(0, i64::from(u32::MAX)) as u32)
}

/// Checks a code for `target`; on success records the target as verified.
fn verify_otp(conn: &Connection, person_id: i64, channel: Channel, target: &str, code: &str) -> Result<(), ApiError> {
    let l = limits();
    let now = unix_now();
    let key = otp::key(person_id, channel);
    let rec: Option<Otp> = kv::get_json(&key)?;
    otp::precheck(rec.as_ref(), target, now)?;
    let Some(mut rec) = rec else { return Err(ApiError::internal("otp record vanished")) };
    let attempt = count_attempt(conn, &rec.id, rec.expires_at + 3600, now)?;
    let outcome = otp::judge(&rec, code.trim(), attempt, l);
    match &outcome {
        Ok(()) => {
            rec.used = true;
            kv::set_json(&key, &rec)?;
            kv::set_json(&otp::verified_key(person_id, channel), &Verified { target: target.into(), verified_at: now, expires_at: now + l.verified_secs })?;
        }
        Err(e) => eprintln!("registration: {} code refused for person {person_id} ({}, attempt {attempt})", channel.as_str(), e.code),
    }
    outcome
}

/// The code in a form: fine when `target` was verified already, else checks `code`
/// and records a problem under `field`.
fn form_otp(conn: &Connection, person_id: i64, channel: Channel, target: &str, code: Option<&str>, field: &str, f: &mut Fields) -> Result<(), ApiError> {
    let verified: Option<Verified> = kv::get_json(&otp::verified_key(person_id, channel))?;
    if otp::is_verified(verified.as_ref(), target, unix_now()) {
        return Ok(());
    }
    let code = code.map(str::trim).unwrap_or("");
    if code.is_empty() {
        let m = match channel {
            Channel::Sms => "Richiedi il codice OTP e inserisci quello che hai ricevuto via SMS.",
            Channel::Email => "Richiedi il codice di verifica e inserisci quello che hai ricevuto al nuovo indirizzo e-mail.",
        };
        f.add(field, "required", m);
        return Ok(());
    }
    match verify_otp(conn, person_id, channel, target, code) {
        Ok(()) => Ok(()),
        Err(e) if e.status < 500 => {
            f.add(field, e.code, e.message);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct OtpIn {
    channel: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    code: Option<String>,
}

/// The channel and normalised target of an OTP request (`channel` defaults to SMS).
fn otp_target(input: &OtpIn) -> Result<(Channel, String), ApiError> {
    let mut f = Fields::new();
    let (channel, target) = match input.channel.as_deref().unwrap_or("sms") {
        "sms" => (Channel::Sms, f.check("mobile", validation::mobile_phone(input.mobile.as_deref().unwrap_or("")))),
        "email" => (Channel::Email, f.check("email", validation::email(input.email.as_deref().unwrap_or("")))),
        _ => return Err(ApiError::invalid_field("channel", "invalid_choice", "Il canale del codice deve essere sms o email.")),
    };
    f.into_result()?;
    Ok((channel, target.unwrap_or_default()))
}

fn not_unregistered(account: Account) -> ApiError {
    match account {
        Account::Pending => ApiError::new(
            409,
            "already_registered",
            "Risulti già registrato: per completare la registrazione apri il collegamento di attivazione che ti abbiamo inviato per e-mail.",
        ),
        _ => ApiError::new(409, "already_registered", "Risulti già registrato a Toscana Lavoro: non è possibile registrarsi una seconda volta."),
    }
}

fn registration_otp(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (_, s) = session_write(req)?;
    if s.account != Account::Unregistered {
        return Err(not_unregistered(s.account));
    }
    let input: OtpIn = json_body(req.body())?;
    let (channel, target) = otp_target(&OtpIn { channel: Some("sms".into()), ..input })?;
    send_otp(conn, s.person_id, &s.name, channel, &target)
}

fn registration_otp_verify(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (_, s) = session_write(req)?;
    if s.account != Account::Unregistered {
        return Err(not_unregistered(s.account));
    }
    let input: OtpIn = json_body(req.body())?;
    let code = input.code.clone().unwrap_or_default();
    let (channel, target) = otp_target(&OtpIn { channel: Some("sms".into()), ..input })?;
    verify_otp(conn, s.person_id, channel, &target, &code)?;
    Reply::json(200, &json!({ "verified": true, "channel": channel.as_str(), "target": target }))
}

fn profile_otp_target(conn: &Connection, s: &Session, input: &OtpIn) -> Result<(Channel, String), ApiError> {
    let (channel, target) = otp_target(input)?;
    let a = account_row(conn, s.person_id)?.ok_or_else(|| account::not_active(s.account))?;
    let (current, field, what) = match channel {
        Channel::Sms => (a.mobile, "mobile", "numero di cellulare"),
        Channel::Email => (a.email, "email", "indirizzo e-mail"),
    };
    if current.eq_ignore_ascii_case(&target) {
        return Err(ApiError::invalid_field(field, "unchanged", format!("È già il {what} del tuo profilo: non serve verificarlo.")));
    }
    Ok((channel, target))
}

fn profile_otp(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let input: OtpIn = json_body(req.body())?;
    let (channel, target) = profile_otp_target(conn, &s, &input)?;
    send_otp(conn, s.person_id, &s.name, channel, &target)
}

fn profile_otp_verify(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let input: OtpIn = json_body(req.body())?;
    let (channel, target) = profile_otp_target(conn, &s, &input)?;
    verify_otp(conn, s.person_id, channel, &target, input.code.as_deref().unwrap_or(""))?;
    Reply::json(200, &json!({ "verified": true, "channel": channel.as_str(), "target": target }))
}

// ---------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------

fn prefill(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (_, s) = account::current(req)?.ok_or_else(session::unauthenticated)?;
    let p = person(conn, s.person_id)?;
    let today = common::rome::today_iso();
    let idp_date = p.date_of_birth.clone().filter(|d| !d.trim().is_empty());
    let place_code = p
        .place_of_birth
        .as_deref()
        .and_then(validation::cadastral_code)
        .or_else(|| validation::decode_fiscal_code(&p.fiscal_code).map(|d| d.place));
    let place = match &place_code {
        Some(c) => birth_place_json(conn, c)?,
        None => Json::Null,
    };
    let l = limits();
    let verified: Option<Verified> = kv::get_json(&otp::verified_key(s.person_id, Channel::Sms))?;
    let mobile_verified = verified.filter(|v| v.expires_at >= unix_now()).map(|v| v.target);
    let pending = match s.account {
        Account::Pending => account_row(conn, s.person_id)?.map(|a| json!({ "email": a.email, "registered_as": a.registered_as })),
        _ => None,
    };
    Reply::json(
        200,
        &json!({
            "status": s.account,
            "person": {
                "fiscal_code": p.fiscal_code, "name": p.name, "family_name": p.family_name,
                "date_of_birth": idp_date.clone().or_else(|| form::suggested_birth_date(&p.fiscal_code, &today)),
                "place_of_birth": place, "gender": p.gender,
            },
            "read_only": {
                "fiscal_code": true, "name": true, "family_name": true,
                "date_of_birth": idp_date.is_some(),
                // from the identity provider, or else read from the codice fiscale
                "place_of_birth": true,
            },
            "suggested": { "email": p.email, "mobile": p.mobile_phone },
            "mobile_verified": mobile_verified,
            "pending": pending,
            "privacy": { "version": texts::PRIVACY_VERSION, "url": texts::PRIVACY_URL },
            "contacts_notice": texts::CONTACTS_NOTICE,
            "declaration": texts::declaration(),
            "roles": texts::ROLES,
            "otp": { "length": 6, "expires_in": l.ttl_secs, "resend_in": l.resend_secs },
        }),
    )
}

fn register(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (sid, mut s) = session_write(req)?;
    if s.account != Account::Unregistered {
        return Err(not_unregistered(s.account));
    }
    let input: form::RegistrationIn = json_body(req.body())?;
    let p = person(conn, s.person_id)?;
    let now = unix_now();
    let mut f = Fields::new();
    let kind = form::kind(input.kind.as_deref(), &mut f);
    let birth = form::birth(&p.identity(), input.date_of_birth.as_deref(), &common::rome::today_iso(), &mut f);
    let contacts = form::contacts(&input.contacts, &DbPlaces(conn), &mut f);
    let incarico = match (kind, &input.company) {
        (Some("company"), Some(c)) => form::incarico(c, "company.", &mut f),
        (Some("company"), None) => {
            f.add("company.code", "required", "Cerca l'azienda per codice fiscale o partita IVA.");
            None
        }
        _ => None,
    };
    let company = match &incarico {
        Some(i) => {
            if let Err(limited) = count_lookup(s.person_id)? {
                return Ok(limited);
            }
            let c = find_company(conn, &i.code)?;
            match &c {
                None => f.push(i.code.not_found().at("company.code")),
                Some(c) if c.ceased_on.is_some() => {
                    f.add("company.code", "company_ceased", format!("{} risulta cessata: non è possibile prendere un incarico.", c.name))
                }
                Some(_) => {}
            }
            c
        }
        None => None,
    };
    form::privacy(input.privacy_accepted, input.privacy_version.as_deref(), &mut f);
    // the SMS code whenever the number itself is valid, whatever else is wrong
    if let Ok(mobile) = validation::mobile_phone(input.contacts.mobile.as_deref().unwrap_or("")) {
        form_otp(conn, s.person_id, Channel::Sms, &mobile, input.otp.as_deref(), "otp", &mut f)?;
    }
    f.into_result()?;
    let (Some(kind), Some(birth), Some(c)) = (kind, birth, contacts) else {
        return Err(ApiError::internal("registration form valid but incomplete"));
    };
    let at = iso_utc(now);
    let hours = tx(conn, |conn| {
        let rows = db::query(
            conn,
            "INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap, residence_address,
               domicile_same, domicile_istat, domicile_cap, domicile_address, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at,
               registered_at, updated_at)
             VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (person_id) DO NOTHING RETURNING person_id",
            &[
                &[Value::Integer(s.person_id), text(kind), text(birth.date.as_str()), text(birth.place.as_str())][..],
                &address_values(&c),
                &[
                    text(c.email.as_str()),
                    text(c.mobile.as_str()),
                    text(at.as_str()),
                    text(texts::PRIVACY_VERSION),
                    text(at.as_str()),
                    text(at.as_str()),
                    text(at.as_str()),
                ],
            ]
            .concat(),
        )?;
        if rows.rows().next().is_none() {
            return Err(not_unregistered(Account::Active));
        }
        if let (Some(company), Some(i)) = (&company, &incarico) {
            insert_incarico(conn, s.person_id, company.id, i.role, now)?;
        }
        new_activation(conn, s.person_id, &p.name, &c.email, now)
    })?;
    s.account = Account::Pending;
    session::save(&sid, &s)?;
    // the registration's code is of no further use (the profile has its own)
    let _ = kv::delete(&otp::verified_key(s.person_id, Channel::Sms));
    let _ = kv::delete(&otp::key(s.person_id, Channel::Sms));
    eprintln!("registration: person {} registered as {kind}, pending activation", s.person_id);
    Reply::json(
        201,
        &json!({
            "status": "pending", "registered_as": kind, "email": c.email, "activation_expires_in_hours": hours,
            "company": company.map(|c| c.json()),
        }),
    )
}

/// A new activation link for `email` (older ones are superseded) and its e-mail, in
/// the caller's transaction. Returns the link's validity in hours.
fn new_activation(conn: &Connection, person_id: i64, name: &str, email: &str, now: i64) -> Result<i64, ApiError> {
    let token = session::random_token()?;
    let hash = token::hash(&token).ok_or_else(|| ApiError::internal("random token is not a token"))?;
    let ttl = num("activation_ttl_seconds", 48 * 3600);
    db::query(
        conn,
        "UPDATE activation_tokens SET superseded_at = ? WHERE person_id = ? AND used_at IS NULL AND superseded_at IS NULL",
        &[Value::Integer(now), Value::Integer(person_id)],
    )?;
    db::query(
        conn,
        "INSERT INTO activation_tokens (token_hash, person_id, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        &[text(hash), Value::Integer(person_id), text(email), Value::Integer(now), Value::Integer(now + ttl)],
    )?;
    let base = var("base_url").ok_or_else(|| ApiError::internal("variable base_url is not set"))?;
    let link = format!("{}/api/registration/activate?token={token}", base.trim_end_matches('/'));
    let hours = ((ttl + 3599) / 3600).max(1);
    outbox::enqueue(
        conn,
        &Message::new(outbox::Channel::Email, email, outbox::ACTIVATION).param("name", name).param("link", link).param("hours", hours.to_string()).person(person_id),
    )?;
    Ok(hours)
}

#[derive(Debug, Default, Deserialize)]
struct ResendIn {
    email: Option<String>,
    email_confirm: Option<String>,
}

fn resend_activation(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (_, s) = session_write(req)?;
    match s.account {
        Account::Unregistered => return Err(account::registration_required()),
        Account::Active => return Err(ApiError::new(409, "already_active", "Il tuo profilo è già attivo: non serve un nuovo collegamento.")),
        Account::Pending => {}
    }
    let input: ResendIn = if req.body().iter().all(u8::is_ascii_whitespace) { ResendIn::default() } else { json_body(req.body())? };
    let a = account_row(conn, s.person_id)?.ok_or_else(account::registration_required)?;
    // a corrected address, if the first one was mistyped
    let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => a.email.clone(),
        Some(e) => {
            let mut f = Fields::new();
            let email = f.check("email", validation::email(e));
            if let Some(email) = &email {
                f.check("email_confirm", validation::email_confirmation(email, input.email_confirm.as_deref().unwrap_or("")));
            }
            f.into_result()?;
            email.unwrap_or_default()
        }
    };
    let now = unix_now();
    for (name, secs, max) in [("activation-resend-min", num("otp_resend_seconds", 60), 1), ("activation-resend-hour", 3600, num("otp_max_per_hour", 5) as u32)] {
        let key = rate::key(name, s.person_id);
        let prev: Option<rate::Window> = kv::get_json(&key)?;
        match rate::hit(prev, now, secs, max) {
            Ok(w) => kv::set_json(&key, &w)?,
            Err(wait) => return Ok(with_retry_after(rate::too_many("resend_limit", "Hai appena chiesto un nuovo collegamento.", wait), wait)),
        }
    }
    let p = person(conn, s.person_id)?;
    let hours = tx(conn, |conn| {
        db::query(
            conn,
            "UPDATE accounts SET email = ?, updated_at = ? WHERE person_id = ? AND status = 'pending'",
            &[text(email.as_str()), text(iso_utc(now)), Value::Integer(s.person_id)],
        )?;
        new_activation(conn, s.person_id, &p.name, &email, now)
    })?;
    Reply::json(200, &json!({ "email": email, "activation_expires_in_hours": hours }))
}

/// A stored token's state, its person and whether that person's account is active.
fn token_state(conn: &Connection, hash: &str, now: i64) -> Result<(token::State, Option<i64>, bool), ApiError> {
    let rows = db::query(
        conn,
        "SELECT t.person_id, t.used_at, t.superseded_at, t.expires_at, a.status FROM activation_tokens t LEFT JOIN accounts a ON a.person_id = t.person_id
         WHERE t.token_hash = ?",
        &[text(hash)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok((token::State::Unknown, None, false)) };
    let state = token::state(Some((r.get::<i64>("used_at"), r.get::<i64>("superseded_at"), db::int(&r, "expires_at")?)), now);
    Ok((state, Some(db::int(&r, "person_id")?), r.get::<&str>("status") == Some("active")))
}

/// `GET /api/registration/activate?token=`: the e-mail's link. It changes nothing
/// (mail scanners and previews open links): a page with a button that POSTs.
fn activate_page(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let q = Query::parse(req.query())?;
    let raw = q.get("token").unwrap_or("");
    let hash = token::hash(raw).ok_or_else(|| token::refusal(token::State::Unknown, false))?;
    let (state, _, active) = token_state(conn, &hash, unix_now())?;
    if state != token::State::Usable {
        return Err(token::refusal(state, active));
    }
    Ok(html(
        200,
        "Attiva il tuo profilo",
        &format!(
            "<h1>Attiva il tuo profilo</h1><p>Per completare la registrazione a Toscana Lavoro conferma l'attivazione del tuo profilo.</p>\
             <form method=\"post\" action=\"/api/registration/activate\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button type=\"submit\" class=\"btn btn-primary\">Attiva il profilo</button></form>",
            esc(raw)
        ),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct ActivateIn {
    token: Option<String>,
}

/// `POST /api/registration/activate` (form field or JSON `token`): single use, atomic.
/// No session needed (the link may be opened on another device); the caller's session
/// is updated when it is the same person's.
fn activate(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let json = is_json(req);
    let raw = if json {
        json_body::<ActivateIn>(req.body())?.token.unwrap_or_default()
    } else {
        if req.body().len() > crate::MAX_BODY {
            return Err(ApiError::payload_too_large(crate::MAX_BODY));
        }
        Query::parse_form(&String::from_utf8_lossy(req.body())).get("token").unwrap_or("").to_string()
    };
    let hash = token::hash(raw.trim()).ok_or_else(|| token::refusal(token::State::Unknown, false))?;
    let now = unix_now();
    let activated = tx(conn, |conn| {
        let rows = db::query(
            conn,
            "UPDATE activation_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND superseded_at IS NULL AND expires_at >= ?
             RETURNING person_id, email",
            &[Value::Integer(now), text(hash.as_str()), Value::Integer(now)],
        )?;
        let Some(r) = rows.rows().next() else { return Ok(None) };
        let (person_id, email) = (db::int(&r, "person_id")?, db::text(&r, "email")?);
        let at = iso_utc(now);
        db::query(
            conn,
            "UPDATE accounts SET status = 'active', activated_at = coalesce(activated_at, ?1),
               email_verified_at = CASE WHEN email = ?2 THEN ?1 ELSE email_verified_at END, updated_at = ?1
             WHERE person_id = ?3",
            &[text(at.as_str()), text(email), Value::Integer(person_id)],
        )?;
        Ok(Some(person_id))
    })?;
    let Some(person_id) = activated else {
        let (state, _, active) = token_state(conn, &hash, now)?;
        return Err(token::refusal(state, active));
    };
    eprintln!("registration: person {person_id} activated");
    if let Some((sid, mut s)) = session::current(req)?
        && s.person_id == person_id
    {
        s.account = Account::Active;
        session::save(&sid, &s)?;
    }
    if json { Reply::json(200, &json!({ "status": "active" })) } else { Ok(redirect("/registrati/attivato/")) }
}

// ---------------------------------------------------------------------------------
// Profile
// ---------------------------------------------------------------------------------

fn profile_view(conn: &Connection, s: &Session) -> Result<Json, ApiError> {
    let p = person(conn, s.person_id)?;
    let a = account_row(conn, s.person_id)?.ok_or_else(account::registration_required)?;
    Ok(json!({
        "status": a.status,
        "registered_as": a.registered_as,
        "person": {
            "fiscal_code": p.fiscal_code, "name": p.name, "family_name": p.family_name,
            "date_of_birth": a.date_of_birth, "place_of_birth": birth_place_json(conn, &a.place_of_birth)?, "gender": p.gender,
        },
        "residence": address_json(conn, &a.residence)?,
        "domicile_same": a.domicile.is_none(),
        "domicile": match &a.domicile { Some(d) => address_json(conn, d)?, None => Json::Null },
        "email": a.email,
        "email_verified": a.email_verified_at.is_some(),
        "mobile": a.mobile,
        "mobile_verified": a.mobile_verified_at.is_some(),
        "privacy": { "version": a.privacy_version, "accepted_at": a.privacy_accepted_at },
        "registered_at": a.registered_at,
        "activated_at": a.activated_at,
    }))
}

fn update_profile(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active_write(req, None)?;
    let input: form::ProfileIn = json_body(req.body())?;
    let a = account_row(conn, s.person_id)?.ok_or_else(account::registration_required)?;
    let mut f = Fields::new();
    let c = form::contacts(&input.contacts, &DbPlaces(conn), &mut f);
    // a new number or address is verified with a code sent to it (whenever it is valid
    // itself, whatever else is wrong)
    let mobile = validation::mobile_phone(input.contacts.mobile.as_deref().unwrap_or("")).ok();
    let new_mobile = mobile.as_ref().is_some_and(|m| *m != a.mobile);
    if let (true, Some(m)) = (new_mobile, &mobile) {
        form_otp(conn, s.person_id, Channel::Sms, m, input.mobile_otp.as_deref(), "mobile_otp", &mut f)?;
    }
    let email = validation::email(input.contacts.email.as_deref().unwrap_or("")).ok();
    let new_email = email.as_ref().is_some_and(|e| !e.eq_ignore_ascii_case(&a.email));
    if let (true, Some(e)) = (new_email, &email) {
        form_otp(conn, s.person_id, Channel::Email, e, input.email_otp.as_deref(), "email_otp", &mut f)?;
    }
    f.into_result()?;
    let Some(c) = c else { return Err(ApiError::internal("profile form valid but incomplete")) };
    let at = iso_utc(unix_now());
    db::query(
        conn,
        "UPDATE accounts SET residence_istat = ?, residence_cap = ?, residence_address = ?, domicile_same = ?, domicile_istat = ?, domicile_cap = ?,
           domicile_address = ?, email = ?, email_verified_at = CASE WHEN ?9 THEN ?10 ELSE email_verified_at END, mobile = ?,
           mobile_verified_at = CASE WHEN ?12 THEN ?10 ELSE mobile_verified_at END, updated_at = ?10
         WHERE person_id = ?",
        &[
            &address_values(&c)[..],
            &[
                text(c.email.as_str()),
                Value::Integer(i64::from(new_email)),
                text(at.as_str()),
                text(c.mobile.as_str()),
                Value::Integer(i64::from(new_mobile)),
                Value::Integer(s.person_id),
            ],
        ]
        .concat(),
    )?;
    for ch in [Channel::Sms, Channel::Email] {
        let _ = kv::delete(&otp::verified_key(s.person_id, ch));
    }
    Reply::json(200, &profile_view(conn, &s)?)
}

fn add_incarico(req: &Request, conn: &Connection, section: Section) -> Result<Reply, ApiError> {
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
    if c.kind != section.kind() {
        let there = Section::of_kind(&c.kind).map_or("", Section::label);
        return Err(ApiError::invalid_field(
            "code",
            "other_section",
            format!(
                "{} è registrata come {}: aggiungila dalla sezione {there} del profilo.",
                c.name,
                CompanyKind::parse(&c.kind).map_or("", CompanyKind::label).to_lowercase()
            ),
        ));
    }
    let now = unix_now();
    let id = insert_incarico(conn, s.person_id, c.id, i.role, now)?
        .ok_or_else(|| ApiError::new(409, "incarico_exists", format!("Hai già un incarico per {}.", c.name)))?;
    eprintln!("registration: person {} took incarico {id} ({}) for company {}", s.person_id, i.role, c.id);
    Reply::json(
        201,
        &json!({
            "id": id, "company_id": c.id, "company": c.json(), "role": i.role, "role_label": texts::role_label(i.role),
            "created_at": iso_utc(now),
        }),
    )
}

fn revoke_incarico(req: &Request, conn: &Connection, section: Section, id: i64) -> Result<Reply, ApiError> {
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

fn lookup(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
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

#[derive(Debug, Default, Deserialize)]
struct ActAsIn {
    company_id: Option<i64>,
    citizen: Option<bool>,
}

fn act_as(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (sid, mut s) = account::require_active_with_id(req)?;
    account::check_csrf(req, &s, None)?;
    let input: ActAsIn = json_body(req.body())?;
    s.acting_as = match (input.citizen, input.company_id) {
        (Some(true), _) => None,
        (_, Some(company_id)) => {
            let (company, _role) = account::incarico(conn, s.person_id, company_id)?.ok_or_else(|| {
                eprintln!("registration: person {} refused acting for company {company_id} (no incarico)", s.person_id);
                account::incarico_required()
            })?;
            Some(company)
        }
        _ => {
            return Err(ApiError::bad_request(
                "invalid_request",
                "Indica l'azienda per cui vuoi operare (company_id) oppure {\"citizen\": true} per tornare a operare come cittadino.",
            ));
        }
    };
    session::save(&sid, &s)?;
    Reply::json(200, &json!({ "acting_as": s.acting_as }))
}
