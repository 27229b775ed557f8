//! `documents` (C10 "Gestione documenti da firmare", X5 `/verifica`, O1 documents sent
//! to sign): a CPI operator makes a document of one of the four kinds for a citizen of
//! the CPI (the PDF from the citizen's data and the operator's text, through pdfdoc);
//! the citizen takes it in charge and signs it with a one-time code (SMS, or e-mail
//! without a mobile); the operator counter-signs where the kind needs it, or cancels it
//! with a reason. Each signature is a PAdES signature appended to the PDF as an
//! incremental update ([`pades`]); anyone checks a file or a code at `/verifica/`.
//!
//! - Citizen (active account): `GET /api/documents?cpi=`, `GET /api/documents/<id>/pdf`,
//!   `POST /api/documents/<id>/take`, `POST /api/documents/<id>/sign/code`,
//!   `POST /api/documents/<id>/sign` `{code}`.
//! - Operator (of the CPI chosen in the operator area): `GET|POST /api/operator/documents`
//!   (`?state=&fiscal_code=`; `{fiscal_code, kind, text, reference}`),
//!   `GET /api/operator/documents/<id>/pdf`, `POST …/<id>/countersign`,
//!   `POST …/<id>/cancel` `{reason}`.
//! - Public: `GET /api/verify?code=`, `POST /api/verify` (the PDF, `application/pdf`, at
//!   most 5 MiB).
//!
//! Every state change is one conditional UPDATE on the expected state (an illegal one is
//! a 409 with the reason) and an audit record (`access::audit`, role `operator` or
//! `citizen`). Writes `documents`, `document_revisions` (db/migrations/0013_documents.sql).
//! Variables: `documents_signing_key` (PKCS#8 PEM, RSA), `documents_signing_cert` (PEM),
//! `documents_verify_per_minute` (60).

pub mod model;
pub mod pades;

#[cfg(test)]
mod tests;

use access::audit::{self, Actor};
use access::otp::{self, Channel};
use access::session::Session;
use access::staff::{self, Operator};
use common::http::{BodyLimit, allowed, get_or_post, path_id, segments};
use common::sql::{Db, tx};
use common::{ApiError, Reply, Req, params};
use model::{Doc, DocOut};
use outbox::Message;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Largest PDF `/api/verify` reads.
pub const MAX_UPLOAD: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Mine,
    Pdf(i64),
    Take(i64),
    SignCode(i64),
    Sign(i64),
    OperatorList,
    Create,
    OperatorPdf(i64),
    Countersign(i64),
    Cancel(i64),
    VerifyCode,
    VerifyFile,
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let parts = segments(path);
    let get = matches!(method, "GET" | "HEAD");
    let post = method == "POST";
    match parts.as_slice() {
        ["api", "documents"] => allowed(get, Route::Mine),
        ["api", "documents", n, "pdf"] => allowed(get, Route::Pdf(path_id(n)?)),
        ["api", "documents", n, "take"] => allowed(post, Route::Take(path_id(n)?)),
        ["api", "documents", n, "sign", "code"] => allowed(post, Route::SignCode(path_id(n)?)),
        ["api", "documents", n, "sign"] => allowed(post, Route::Sign(path_id(n)?)),
        ["api", "operator", "documents"] => get_or_post(method, Route::OperatorList, Route::Create),
        ["api", "operator", "documents", n, "pdf"] => allowed(get, Route::OperatorPdf(path_id(n)?)),
        ["api", "operator", "documents", n, "countersign"] => allowed(post, Route::Countersign(path_id(n)?)),
        ["api", "operator", "documents", n, "cancel"] => allowed(post, Route::Cancel(path_id(n)?)),
        ["api", "verify"] => get_or_post(method, Route::VerifyCode, Route::VerifyFile),
        _ => Err(ApiError::not_found()),
    }
}

/// The body each route reads: the uploaded PDF up to [`MAX_UPLOAD`], JSON otherwise.
pub fn body_limit(method: &str, path: &str) -> BodyLimit {
    match route(method, path) {
        Ok(Route::VerifyFile) => BodyLimit::bytes(MAX_UPLOAD).with_error(ApiError::new(
            413,
            "file_too_large",
            format!("Il file supera la dimensione massima di {} MB.", MAX_UPLOAD / (1024 * 1024)),
        )),
        _ => BodyLimit::for_method(method),
    }
}

pub fn handle(req: &Req, db: &dyn Db) -> Reply {
    match route(&req.method, &req.path) {
        Ok(r) => dispatch(&r, req, db).unwrap_or_else(Reply::from),
        Err(e) => Reply::from(e),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve_sql(incoming, out, body_limit, handle).await
}

fn dispatch(route: &Route, req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    match route {
        Route::Mine => mine(req, db),
        Route::Pdf(id) => citizen_pdf(req, db, *id),
        Route::Take(id) => take(req, db, *id),
        Route::SignCode(id) => sign_code(req, db, *id),
        Route::Sign(id) => sign(req, db, *id),
        Route::OperatorList => operator_list(req, db),
        Route::Create => create(req, db),
        Route::OperatorPdf(id) => operator_pdf(req, db, *id),
        Route::Countersign(id) => countersign(req, db, *id),
        Route::Cancel(id) => cancel(req, db, *id),
        Route::VerifyCode => verify_code(req, db),
        Route::VerifyFile => verify_file(req, db),
    }
}

fn not_found() -> ApiError {
    ApiError::new(404, "document_not_found", "Il documento indicato non esiste.")
}

fn base_url(req: &Req) -> String {
    req.var("base_url").unwrap_or_default().trim_end_matches('/').to_string()
}

fn signer(req: &Req) -> Result<pades::Signer, ApiError> {
    let (Some(key), Some(cert)) = (req.var("documents_signing_key"), req.var("documents_signing_cert")) else {
        return Err(ApiError::internal("documents_signing_key and documents_signing_cert are not set"));
    };
    pades::Signer::from_pem(&key, &cert).map_err(|e| ApiError::internal(format!("documents signing key: {e}")))
}

fn certified(req: &Req) -> Result<pades::Certified, ApiError> {
    let cert = req.var("documents_signing_cert").ok_or_else(|| ApiError::internal("documents_signing_cert is not set"))?;
    pades::Certified::from_pem(&cert).map_err(|e| ApiError::internal(format!("documents certificate: {e}")))
}

/// Why a document cannot take the action now (the answer to a conditional UPDATE that
/// changed nothing, or the check before one).
fn refusal(d: &Doc, action: &str) -> ApiError {
    let conflict = |code: &'static str, message: &str| ApiError::new(409, code, message.to_string());
    if d.state == "annullato" {
        return conflict("document_cancelled", "Il documento è stato annullato: non può più cambiare, ma puoi sempre scaricarlo.");
    }
    if d.concluded() {
        return conflict("document_concluded", "Il processo di firma del documento è concluso: non può più cambiare, ma puoi sempre scaricarlo.");
    }
    match (action, d.state.as_str()) {
        ("take", _) => conflict("already_taken", "Hai già preso in carico questo documento."),
        ("sign", "inserito") => conflict("not_taken", "Prendi in carico il documento prima di firmarlo."),
        ("sign", _) => conflict("already_signed", "Hai già firmato questo documento."),
        ("countersign", _) if !model::needs_operator(&d.kind) => {
            conflict("no_operator_signature", "Questo documento si conclude con la firma del cittadino: non richiede la firma dell'operatore.")
        }
        ("countersign", _) => conflict("citizen_signature_missing", "Il cittadino non ha ancora firmato il documento: la firma dell'operatore segue quella del cittadino."),
        _ => conflict("document_changed", "Il documento è cambiato nel frattempo: ricarica la pagina."),
    }
}

fn private_file(body: Vec<u8>, name: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![
            ("content-type", "application/pdf".to_string()),
            ("cache-control", "private, no-store".into()),
            ("content-disposition", common::reply::attachment(name)),
            ("x-content-type-options", "nosniff".into()),
        ],
        body,
    }
}

fn file_name(d: &Doc) -> String {
    let slug: String = model::kind_name(&d.kind).to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("{}-{}.pdf", slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-"), d.code)
}

/// The citizen's own document, else 404 (another person's is not said to exist).
fn own(db: &dyn Db, s: &Session, id: i64) -> Result<Doc, ApiError> {
    model::one(db, id)?.filter(|d| d.person_id == s.person_id).ok_or_else(not_found)
}

/// A document of the operator's CPI, else 404.
fn of_cpi(db: &dyn Db, op: &Operator, id: i64) -> Result<Doc, ApiError> {
    model::one(db, id)?.filter(|d| d.cpi_code == op.cpi.code).ok_or_else(not_found)
}

fn citizen_actor<'a>(s: &'a Session, d: &'a Doc) -> Actor<'a> {
    Actor { session: s, role: "citizen", cpi: Some(&d.cpi_code) }
}

fn operator_actor(op: &Operator) -> Actor<'_> {
    Actor { session: &op.session, role: "operator", cpi: Some(&op.cpi.code) }
}

/// How the person logged in, for a signature's `/Reason`.
fn login_label(s: &Session) -> String {
    match s.login.method.as_str() {
        "spid" => format!("SPID livello {}", s.login.level),
        "cie" => "CIE".into(),
        "cns" => "CNS".into(),
        other => other.to_uppercase(),
    }
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentList))]
pub struct MineOut {
    cpis: Vec<model::Cpi>,
    items: Vec<DocOut>,
}

/// `GET /api/documents?cpi=`: the person's documents, newest first, and the CPIs that
/// sent them (the *Centro impiego* filter).
fn mine(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let q = req.query()?;
    let cpi = q.get("cpi").map(str::trim).filter(|c| !c.is_empty());
    let rows = db.execute(
        &format!("SELECT {} FROM documents d JOIN cpis c ON c.code = d.cpi_code WHERE d.person_id = ?1 ORDER BY d.created_at DESC, d.id DESC LIMIT 500", model::COLUMNS),
        params![s.person_id],
    )?;
    let docs = rows.map(|r| Doc::from_row(&r))?;
    let mut cpis: Vec<model::Cpi> = Vec::new();
    for d in &docs {
        if !cpis.iter().any(|c| c.code == d.cpi_code) {
            cpis.push(model::Cpi { code: d.cpi_code.clone(), name: d.cpi_name.clone() });
        }
    }
    cpis.sort_by(|a, b| a.name.cmp(&b.name));
    let items = docs.iter().filter(|d| cpi.is_none_or(|c| c == d.cpi_code)).map(DocOut::from).collect();
    Reply::json(200, &MineOut { cpis, items })
}

fn citizen_pdf(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active(db, req)?;
    let d = own(db, &s, id)?;
    Ok(private_file(model::pdf(db, id)?, &file_name(&d)))
}

/// `POST /api/documents/<id>/take`: *Prendi in carico*.
fn take(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let d = own(db, &s, id)?;
    let now = req.now;
    tx(db, |db| {
        let changed = db.execute(
            "UPDATE documents SET state = 'preso_in_carico', taken_at = ?3 WHERE id = ?1 AND person_id = ?2 AND state = 'inserito' RETURNING id",
            params![id, s.person_id, now],
        )?;
        if changed.is_empty() {
            return Err(refusal(&model::one(db, id)?.unwrap_or(d.clone()), "take"));
        }
        audit::record(db, &citizen_actor(&s, &d), "document.take", "document", &id.to_string(), Some(&json!({ "state": "inserito" })), Some(&json!({ "state": "preso_in_carico" })), now)
    })?;
    Reply::json(200, &DocOut::from(&own(db, &s, id)?))
}

/// Where the signing code goes: the mobile on file, else the e-mail.
fn code_channel(p: &model::Person) -> Result<(Channel, outbox::Channel, String), ApiError> {
    match (&p.mobile, &p.email) {
        (Some(m), _) => Ok((Channel::Sms, outbox::Channel::Sms, m.clone())),
        (None, Some(e)) => Ok((Channel::Email, outbox::Channel::Email, e.clone())),
        (None, None) => Err(ApiError::new(409, "no_contact", "Nel tuo profilo non c'è né un cellulare né un indirizzo e-mail a cui inviare il codice: aggiornalo dalla pagina del profilo.")),
    }
}

/// The OTP's target: bound to this document, so a code sent for anything else (or for
/// another document) does not sign it.
fn otp_target(id: i64, to: &str) -> String {
    format!("documento:{id}:{to}")
}

fn masked(channel: Channel, to: &str) -> String {
    match channel {
        Channel::Sms => {
            let digits: Vec<char> = to.chars().collect();
            let tail: String = digits[digits.len().saturating_sub(3)..].iter().collect();
            format!("cellulare che termina con {tail}")
        }
        Channel::Email => {
            let (user, domain) = to.split_once('@').unwrap_or((to, ""));
            format!("indirizzo {}…@{domain}", user.chars().next().unwrap_or('?'))
        }
    }
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentSignCodeSent))]
pub struct CodeSent {
    channel: &'static str,
    sent_to: String,
    minutes: i64,
}

/// `POST /api/documents/<id>/sign/code`: sends the code that confirms *Firma documento*.
fn sign_code(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let d = own(db, &s, id)?;
    if d.state != "preso_in_carico" {
        return Err(refusal(&d, "sign"));
    }
    let p = model::person(db, s.person_id)?;
    let (channel, out, to) = code_channel(&p)?;
    let limits = otp::Limits::from_req(req);
    let message = Message::new(out, to.as_str(), outbox::DOCUMENT_SIGN_CODE).param("kind", model::kind_name(&d.kind)).param("name", p.name.as_str());
    otp::send(db, s.person_id, channel, &otp_target(id, &to), message, req.now, limits)?;
    Reply::json(200, &CodeSent { channel: channel.as_str(), sent_to: masked(channel, &to), minutes: otp::minutes(limits.ttl_secs) })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentSignRequest))]
pub struct CodeIn {
    /// The code sent by SMS or e-mail (`POST …/sign/code`).
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    code: String,
}

/// Appends a signature to the document's current PDF and moves it from `from` to `to`
/// in one conditional UPDATE (same state, same revision); records the revision.
#[allow(clippy::too_many_arguments)]
fn apply_signature(db: &dyn Db, req: &Req, d: &Doc, signing: &pades::Signing, from: &str, to: &str, at_column: &str, by: Option<i64>) -> Result<(), ApiError> {
    let current = model::pdf(db, d.id)?;
    let signed = pades::sign(&current, &signer(req)?, signing).map_err(|e| ApiError::internal(format!("document {}: {e}", d.id)))?;
    let sha = hex::encode(Sha256::digest(&signed));
    let mut args = params![d.id, from, to, req.now, signed.clone(), d.revision].to_vec();
    if let Some(by) = by {
        args.push(by.into());
    }
    let changed = db.execute(
        &format!(
            "UPDATE documents SET state = ?3, {at_column} = ?4, pdf = ?5, revision = revision + 1{}
              WHERE id = ?1 AND state = ?2 AND revision = ?6 RETURNING revision",
            if by.is_some() { ", operator_signed_by = ?7" } else { "" }
        ),
        &args,
    )?;
    let revision = match changed.first() {
        Some(r) => r.int("revision")?,
        None => return Err(refusal(&model::one(db, d.id)?.unwrap_or(d.clone()), if by.is_some() { "countersign" } else { "sign" })),
    };
    db.execute(
        "INSERT INTO document_revisions (document_id, revision, made_by, sha256, bytes, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![d.id, revision, to, sha.as_str(), signed.len() as i64, req.now],
    )?;
    Ok(())
}

/// `POST /api/documents/<id>/sign` `{code}`: *Firma documento*.
fn sign(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let s = access::require_active_write(db, req, None)?;
    let input: CodeIn = req.json()?;
    let d = own(db, &s, id)?;
    if d.state != "preso_in_carico" {
        return Err(refusal(&d, "sign"));
    }
    let p = model::person(db, s.person_id)?;
    let (channel, _, to) = code_channel(&p)?;
    otp::verify(db, s.person_id, channel, &otp_target(id, &to), &input.code, req.now, otp::Limits::from_req(req))?;
    let how = if channel == Channel::Sms { "SMS" } else { "e-mail" };
    let reason = format!("Firma del cittadino ({}, codice OTP via {how})", login_label(&s));
    let name = format!("{} {} ({})", s.name, s.family_name, s.fiscal_code);
    let signing = pades::Signing { field: "Firma cittadino", name: &name, reason: &reason, at_unix: req.now };
    tx(db, |db| {
        apply_signature(db, req, &d, &signing, "preso_in_carico", "firmato_cittadino", "citizen_signed_at", None)?;
        audit::record(db, &citizen_actor(&s, &d), "document.sign", "document", &id.to_string(), Some(&json!({ "state": "preso_in_carico" })), Some(&json!({ "state": "firmato_cittadino", "reason": reason })), req.now)
    })?;
    Reply::json(200, &DocOut::from(&own(db, &s, id)?))
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OperatorDocumentList))]
pub struct OperatorListOut {
    #[cfg_attr(feature = "openapi", schema(value_type = model::Cpi))]
    cpi: staff::Cpi,
    kinds: Vec<KindOut>,
    items: Vec<model::OperatorDocOut>,
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentKind))]
pub struct KindOut {
    code: &'static str,
    name: &'static str,
    needs_operator: bool,
}

/// `GET /api/operator/documents?state=&fiscal_code=`: the CPI's documents, newest first.
fn operator_list(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let q = req.query()?;
    let state = q.get("state").map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let cf = q.get("fiscal_code").map(|v| v.trim().to_uppercase()).filter(|v| !v.is_empty());
    let rows = db.execute(
        &format!(
            "SELECT {} FROM documents d JOIN cpis c ON c.code = d.cpi_code JOIN people p ON p.id = d.person_id
              WHERE d.cpi_code = ?1 AND (?2 IS NULL OR d.state = ?2) AND (?3 IS NULL OR p.fiscal_code = ?3)
              ORDER BY d.created_at DESC, d.id DESC LIMIT 500",
            model::COLUMNS
        ),
        params![op.cpi.code.as_str(), state, cf],
    )?;
    let items = rows.map(|r| Doc::from_row(&r))?.iter().map(|d| model::operator_out(db, d)).collect::<Result<_, _>>()?;
    let kinds = model::KINDS.iter().map(|k| KindOut { code: k.0, name: k.1, needs_operator: k.2 }).collect();
    Reply::json(200, &OperatorListOut { cpi: op.cpi.clone(), kinds, items })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewDocument))]
pub struct NewIn {
    /// The citizen's codice fiscale (a registered citizen of the operator's CPI).
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 16, max_length = 16))]
    fiscal_code: Option<String>,
    /// A code of `kinds` in `GET /api/operator/documents`.
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    kind: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 8000))]
    text: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    reference: Option<String>,
}

/// `POST /api/operator/documents`: a new document for a citizen of the CPI, sent to sign.
fn create(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let input: NewIn = req.json()?;
    let mut fields = common::validation::Fields::new();
    let cf = input.fiscal_code.as_deref().map(|v| v.trim().to_uppercase()).unwrap_or_default();
    let kind = input.kind.as_deref().map(str::trim).unwrap_or_default().to_string();
    let text = input.text.as_deref().map(str::trim).unwrap_or_default().to_string();
    let reference = input.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    let mut person_id = None;
    if cf.len() != 16 {
        fields.add("fiscal_code", "invalid", "Indica il codice fiscale del cittadino (16 caratteri).");
    } else {
        let rows = db.execute("SELECT p.id FROM people p JOIN accounts a ON a.person_id = p.id WHERE p.fiscal_code = ?1 AND a.status = 'active'", params![cf.as_str()])?;
        match rows.first() {
            None => fields.add("fiscal_code", "unknown", "Nessun cittadino registrato sul portale ha questo codice fiscale."),
            Some(r) => {
                let id = r.int("id")?;
                if staff::is_citizen_of(db, id, &op.cpi.code)? {
                    person_id = Some(id);
                } else {
                    fields.add("fiscal_code", "other_cpi", format!("Il cittadino non è domiciliato nel territorio del CPI di {}.", op.cpi.name));
                }
            }
        }
    }
    if model::kind(&kind).is_none() {
        fields.add("kind", "invalid", "Scegli il tipo di documento.");
    }
    if text.is_empty() {
        fields.add("text", "required", "Scrivi il contenuto concordato con il cittadino.");
    } else if text.chars().count() > 8000 {
        fields.add("text", "too_long", "Il contenuto può avere al massimo 8000 caratteri.");
    }
    if reference.as_ref().is_some_and(|r| r.chars().count() > 100) {
        fields.add("reference", "too_long", "Il riferimento può avere al massimo 100 caratteri.");
    }
    fields.into_result()?;
    let person_id = person_id.ok_or_else(|| ApiError::internal("validated person"))?;
    let person = model::person(db, person_id)?;
    let code = model::new_code()?;
    let base = base_url(req);
    let content = model::Content {
        kind: &kind,
        code: &code,
        cpi_name: &op.cpi.name,
        operator_name: &format!("{} {}", op.session.name, op.session.family_name),
        reference: reference.as_deref(),
        text: &text,
        base_url: &base,
        now: req.now,
    };
    let pdf = model::render(&content, &person)?;
    let sha = hex::encode(Sha256::digest(&pdf));
    let details = json!({ "text": text, "reference": reference });
    let now = req.now;
    let id = tx(db, |db| {
        let id = db
            .execute(
                "INSERT INTO documents (code, kind, person_id, cpi_code, state, details, created_by, created_at, revision, pdf)
                 VALUES (?1, ?2, ?3, ?4, 'inserito', ?5, ?6, ?7, 0, ?8) RETURNING id",
                params![code.as_str(), kind.as_str(), person_id, op.cpi.code.as_str(), details.to_string(), op.session.person_id, now, pdf.clone()],
            )?
            .scalar("id")?;
        db.execute(
            "INSERT INTO document_revisions (document_id, revision, made_by, sha256, bytes, made_at) VALUES (?1, 0, 'inserito', ?2, ?3, ?4)",
            params![id, sha.as_str(), pdf.len() as i64, now],
        )?;
        audit::record(db, &operator_actor(&op), "document.create", "document", &id.to_string(), None, Some(&json!({ "kind": kind, "person_id": person_id, "code": code, "state": "inserito" })), now)?;
        if let Some(email) = &person.email {
            let m = Message::new(outbox::Channel::Email, email.as_str(), outbox::DOCUMENT_TO_SIGN)
                .param("name", person.name.as_str())
                .param("kind", model::kind_name(&kind))
                .param("cpi", op.cpi.name.as_str())
                .param("link", format!("{base}/cittadino/documenti/"))
                .person(person_id);
            outbox::enqueue(db, &m, now)?;
        }
        Ok(id)
    })?;
    let d = model::one(db, id)?.ok_or_else(not_found)?;
    Reply::json(201, &model::operator_out(db, &d)?)
}

fn operator_pdf(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator(db, req)?;
    let d = of_cpi(db, &op, id)?;
    Ok(private_file(model::pdf(db, id)?, &file_name(&d)))
}

/// `POST /api/operator/documents/<id>/countersign`: the operator's signature, after the
/// citizen's, for the kinds that need it.
fn countersign(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let d = of_cpi(db, &op, id)?;
    if d.state != "firmato_cittadino" || !model::needs_operator(&d.kind) {
        return Err(refusal(&d, "countersign"));
    }
    let reason = format!("Firma dell'operatore del Centro per l'impiego di {} ({})", op.cpi.name, login_label(&op.session));
    let name = format!("{} {} (CPI di {})", op.session.name, op.session.family_name, op.cpi.name);
    let signing = pades::Signing { field: "Firma operatore", name: &name, reason: &reason, at_unix: req.now };
    tx(db, |db| {
        apply_signature(db, req, &d, &signing, "firmato_cittadino", "firmato_operatore", "operator_signed_at", Some(op.session.person_id))?;
        audit::record(db, &operator_actor(&op), "document.countersign", "document", &id.to_string(), Some(&json!({ "state": "firmato_cittadino" })), Some(&json!({ "state": "firmato_operatore" })), req.now)
    })?;
    Reply::json(200, &model::operator_out(db, &of_cpi(db, &op, id)?)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentCancelRequest))]
pub struct ReasonIn {
    /// Shown to the citizen.
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false, min_length = 1, max_length = 300))]
    reason: Option<String>,
}

/// `POST /api/operator/documents/<id>/cancel` `{reason}`: from any state not concluded.
fn cancel(req: &Req, db: &dyn Db, id: i64) -> Result<Reply, ApiError> {
    let op = staff::require_operator_write(db, req, None)?;
    let input: ReasonIn = req.json()?;
    let reason = common::validation::required_text(input.reason.as_deref(), 300, "Il motivo", "Indica il motivo dell'annullamento: lo vedrà il cittadino.")
        .map_err(|e| ApiError::invalid_fields(vec![e.at("reason")]))?;
    let d = of_cpi(db, &op, id)?;
    let now = req.now;
    tx(db, |db| {
        let changed = db.execute(
            "UPDATE documents SET state = 'annullato', cancelled_at = ?3, cancelled_by = ?4, cancel_reason = ?5
              WHERE id = ?1 AND cpi_code = ?2
                AND (state IN ('inserito', 'preso_in_carico') OR (state = 'firmato_cittadino' AND kind <> 'ricevuta_did'))
              RETURNING id",
            params![id, op.cpi.code.as_str(), now, op.session.person_id, reason.as_str()],
        )?;
        if changed.is_empty() {
            return Err(refusal(&model::one(db, id)?.unwrap_or(d.clone()), "cancel"));
        }
        audit::record(db, &operator_actor(&op), "document.cancel", "document", &id.to_string(), Some(&json!({ "state": d.state })), Some(&json!({ "state": "annullato", "reason": reason })), now)
    })?;
    Reply::json(200, &model::operator_out(db, &of_cpi(db, &op, id)?)?)
}

/// What `/verifica` says about a signature: no names, only the role and the date.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = VerifiedSignature))]
pub struct SignatureOut {
    /// `cittadino` | `operatore`
    pub role: &'static str,
    pub label: &'static str,
    pub signed_at: Option<i64>,
    pub signed_at_local: Option<String>,
    /// Only for an uploaded file: the signature is intact and made with the portal's key.
    pub intact: Option<bool>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentVerification))]
pub struct VerifyOut {
    /// `valid` (issued, unchanged), `previous` (an earlier issued revision, unchanged),
    /// `altered`, `unknown` (not a document of the portal)
    pub verdict: &'static str,
    pub message: String,
    pub issued: bool,
    pub code: Option<String>,
    pub kind_name: Option<&'static str>,
    pub cpi: Option<String>,
    pub state: Option<String>,
    pub status: Option<&'static str>,
    pub status_label: Option<&'static str>,
    pub created_at_local: Option<String>,
    pub cancelled_at_local: Option<String>,
    pub signatures: Vec<SignatureOut>,
    /// For an uploaded file: the issued revision it is (0 = as the CPI made it), if any.
    pub revision: Option<i64>,
    pub latest_revision: Option<i64>,
}

fn role_of(reason: &str) -> (&'static str, &'static str) {
    if reason.starts_with("Firma dell'operatore") {
        ("operatore", "Firma dell'operatore del Centro per l'impiego")
    } else {
        ("cittadino", "Firma del cittadino")
    }
}

fn db_signatures(d: &Doc) -> Vec<SignatureOut> {
    let mut out = Vec::new();
    if let Some(t) = d.citizen_signed_at {
        out.push(SignatureOut { role: "cittadino", label: "Firma del cittadino", signed_at: Some(t), signed_at_local: Some(model::when(t)), intact: None });
    }
    if let Some(t) = d.operator_signed_at {
        out.push(SignatureOut { role: "operatore", label: "Firma dell'operatore del Centro per l'impiego", signed_at: Some(t), signed_at_local: Some(model::when(t)), intact: None });
    }
    out
}

fn describe(d: &Doc, verdict: &'static str, message: String, signatures: Vec<SignatureOut>, revision: Option<i64>) -> VerifyOut {
    VerifyOut {
        verdict,
        message,
        issued: true,
        code: Some(d.code.clone()),
        kind_name: Some(model::kind_name(&d.kind)),
        cpi: Some(format!("CPI di {}", d.cpi_name)),
        state: Some(d.state.clone()),
        status: Some(d.status()),
        status_label: Some(model::status_label(d.status())),
        created_at_local: Some(model::when(d.created_at)),
        cancelled_at_local: d.cancelled_at.map(model::when),
        signatures,
        revision,
        latest_revision: Some(d.revision),
    }
}

fn unknown(message: &str, signatures: Vec<SignatureOut>) -> VerifyOut {
    VerifyOut {
        verdict: "unknown",
        message: message.to_string(),
        issued: false,
        code: None,
        kind_name: None,
        cpi: None,
        state: None,
        status: None,
        status_label: None,
        created_at_local: None,
        cancelled_at_local: None,
        signatures,
        revision: None,
        latest_revision: None,
    }
}

/// `documents_verify_per_minute` (60) checks a minute from one address.
fn verify_rate(req: &Req, db: &dyn Db) -> Result<(), ApiError> {
    let who = req.client_addr().unwrap_or_else(|| "unknown".into());
    let max = req.var_number("documents_verify_per_minute", 60).max(1);
    common::rate::check(db, &format!("documents-verify:{who}"), req.now, 60, max, "verify_rate", "Hai chiesto troppe verifiche in poco tempo.")
}

fn by_code(db: &dyn Db, code: &str) -> Result<Option<Doc>, ApiError> {
    let rows = db.execute(&format!("SELECT {} FROM documents d JOIN cpis c ON c.code = d.cpi_code WHERE d.code = ?1", model::COLUMNS), params![code])?;
    rows.first().map(|r| Doc::from_row(&r)).transpose()
}

fn state_sentence(d: &Doc) -> String {
    match d.status() {
        "annullato" => format!("Il documento è stato annullato il {}.", d.cancelled_at.map(model::when).unwrap_or_default()),
        "concluso" => "Il processo di firma si è validamente concluso.".to_string(),
        _ => "Il processo di firma è ancora in corso.".to_string(),
    }
}

/// `GET /api/verify?code=`: what the portal knows of a document code.
fn verify_code(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let q = req.query()?;
    let Some(code) = q.get("code").and_then(model::normalize_code) else {
        return Err(ApiError::invalid_field("code", "invalid", "Scrivi il codice del documento: 16 caratteri, come 7K3M-9QXP-2HRT-V4NB."));
    };
    verify_rate(req, db)?;
    let out = match by_code(db, &code)? {
        Some(d) => describe(&d, "valid", format!("Il codice corrisponde a un documento rilasciato da Toscana Lavoro. {}", state_sentence(&d)), db_signatures(&d), None),
        None => unknown("Nessun documento rilasciato da Toscana Lavoro ha questo codice.", Vec::new()),
    };
    Reply::json(200, &out)
}

/// `POST /api/verify` (the PDF): whether the portal issued this file, whether each of its
/// signatures is intact, and what the document is now.
fn verify_file(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let ct = req.header("content-type").unwrap_or_default().to_ascii_lowercase();
    if !ct.starts_with("application/pdf") && !ct.starts_with("application/octet-stream") {
        return Err(common::http::unsupported_media_type("application/pdf"));
    }
    let pdf = &req.body;
    if !pdf.starts_with(b"%PDF-") {
        return Err(ApiError::invalid_field("file", "not_pdf", "Il file caricato non è un PDF."));
    }
    verify_rate(req, db)?;
    Reply::json(200, &check_file(db, &certified(req)?, pdf)?)
}

/// The verdict on an uploaded file (also used by the tests and the benchmark).
pub fn check_file(db: &dyn Db, cert: &pades::Certified, pdf: &[u8]) -> Result<VerifyOut, ApiError> {
    let found = pades::verify(pdf, cert);
    let signatures: Vec<SignatureOut> = found
        .iter()
        .map(|f| {
            let (role, label) = role_of(&f.reason);
            SignatureOut { role, label, signed_at: f.signed_at, signed_at_local: f.signed_at.map(model::when), intact: Some(f.intact()) }
        })
        .collect();
    let revision_of = |bytes: &[u8]| -> Result<Option<(i64, i64)>, ApiError> {
        let sha = hex::encode(Sha256::digest(bytes));
        let rows = db.execute("SELECT document_id, revision FROM document_revisions WHERE sha256 = ?1 AND bytes = ?2", params![sha.as_str(), bytes.len() as i64])?;
        rows.first().map(|r| Ok((r.int("document_id")?, r.int("revision")?))).transpose()
    };
    // the document: the whole file, else the revision a signature covers, else the code
    let whole = revision_of(pdf)?;
    let mut doc_id = whole.map(|w| w.0);
    for f in &found {
        if doc_id.is_none() && f.revision_end <= pdf.len() {
            doc_id = revision_of(&pdf[..f.revision_end])?.map(|w| w.0);
        }
    }
    if doc_id.is_none() {
        if let Some(code) = model::code_in(pdf) {
            doc_id = by_code(db, &code)?.map(|d| d.id);
        }
    }
    let all_intact = found.iter().all(pades::Found::intact);
    let Some(d) = doc_id.map(|id| model::one(db, id)).transpose()?.flatten() else {
        let message = if !found.is_empty() && !all_intact {
            "Il file non corrisponde a nessun documento rilasciato da Toscana Lavoro e le sue firme non sono integre."
        } else {
            "Il file non corrisponde a nessun documento rilasciato da Toscana Lavoro."
        };
        return Ok(unknown(message, signatures));
    };
    let out = match whole {
        Some((_, revision)) if all_intact && revision == d.revision => {
            describe(&d, "valid", format!("Il file è un documento rilasciato da Toscana Lavoro, integro in ogni sua firma. {}", state_sentence(&d)), signatures, Some(revision))
        }
        Some((_, revision)) if all_intact => describe(
            &d,
            "previous",
            format!("Il file è una versione precedente, integra, di un documento rilasciato da Toscana Lavoro: il documento ha ricevuto altre firme o cambiamenti di stato dopo. {}", state_sentence(&d)),
            signatures,
            Some(revision),
        ),
        _ => describe(
            &d,
            "altered",
            "Il file è stato modificato: non corrisponde a nessuna versione rilasciata da Toscana Lavoro di questo documento, oppure una delle sue firme non è integra. Non fare affidamento sul suo contenuto: chiedi al Centro per l'impiego il documento originale.".to_string(),
            signatures,
            None,
        ),
    };
    Ok(out)
}
