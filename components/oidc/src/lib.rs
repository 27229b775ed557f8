//! `oidc` (B2, C7): the portal as an OpenID Connect provider for partner sites — the
//! ten provincial *Comunicazioni Obbligatorie* (CO) sites and Garanzia Giovani.
//!
//! - Standard endpoints (OIDC Core 1.0, RFC 6749, RFC 7636): `GET
//!   /.well-known/openid-configuration`, `GET /oidc/jwks` (current and previous key),
//!   `GET|POST /oidc/authorize` (code flow only, PKCE S256, `nonce`, exact redirect URI,
//!   consent the first time per partner), `POST /oidc/token` (client_secret_basic /
//!   client_secret_post), `GET|POST /oidc/userinfo` (Bearer). Their errors are the
//!   standard ones (`error=` on the redirect, `{"error": …}` at the token endpoint).
//! - Portal API: `GET /api/oidc/partners`, `POST /api/oidc/handoff` (the signed,
//!   single-use start of a partner's login), `GET /api/oidc/consents`,
//!   `DELETE /api/oidc/consents/{client}`.
//!
//! Writes the tables of `db/migrations/0016_oidc.sql`.

pub mod config;
pub mod jose;
pub mod logout;

#[cfg(test)]
mod tests;

use access::session::Session;
use common::page::esc;
use common::sql::{Db, tx};
use common::token::{random_token, secrets_match, sha256_hex};
use common::{ApiError, Reply, Req, params};
use config::Client;
use serde::Serialize;
use serde_json::{Value, json};

/// Seconds an authorization code is valid.
pub const CODE_TTL: i64 = 60;
/// Seconds an access token (userinfo) is valid.
pub const TOKEN_TTL: i64 = 600;
/// Seconds an ID token is valid.
pub const ID_TOKEN_TTL: i64 = 300;
/// Seconds a hand-off (province chosen, Garanzia Giovani) may wait for the partner.
pub const HANDOFF_TTL: i64 = 300;

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    // the back-channel logout job sends HTTP requests: the only asynchronous route
    if incoming.path_with_query().is_some_and(|p| p.split('?').next() == Some("/jobs/oidc/logout")) {
        return common::http::serve(incoming, out, |m, _| common::http::BodyLimit::for_method(m), |req| async move {
            logout::job(&req).await.unwrap_or_else(Reply::from)
        })
        .await;
    }
    common::http::serve_sql(incoming, out, |m, _| common::http::BodyLimit::for_method(m), handle).await
}

pub fn handle(req: &Req, db: &dyn Db) -> Reply {
    let r = match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/.well-known/openid-configuration") => discovery(req),
        ("GET", "/oidc/jwks") => jwks(req),
        ("GET", "/oidc/authorize") => return authorize(req, db, false),
        ("POST", "/oidc/authorize") => return authorize(req, db, true),
        ("POST", "/oidc/token") => return token(req, db),
        ("GET" | "POST", "/oidc/userinfo") => return userinfo(req, db),
        ("GET", "/api/oidc/partners") => partners(req),
        ("POST", "/api/oidc/handoff") => handoff(req, db),
        ("GET", "/api/oidc/consents") => consents(req, db),
        ("DELETE", p) if p.starts_with("/api/oidc/consents/") => revoke(req, db, &p["/api/oidc/consents/".len()..]),
        (_, "/.well-known/openid-configuration" | "/oidc/jwks" | "/oidc/authorize" | "/oidc/token" | "/oidc/userinfo" | "/api/oidc/partners" | "/api/oidc/handoff" | "/api/oidc/consents") => {
            Err(ApiError::new(405, "method_not_allowed", "Metodo non consentito."))
        }
        _ => Err(ApiError::not_found()),
    };
    r.unwrap_or_else(Reply::from)
}

// --- keys ---------------------------------------------------------------------------

fn signer(req: &Req) -> Result<jose::Signer, ApiError> {
    let pem = req.var_text("oidc_signing_key").ok_or_else(|| ApiError::internal("oidc_signing_key not set"))?;
    let kid = req.var_text("oidc_signing_kid").unwrap_or_else(|| "k1".into());
    jose::Signer::from_pem(&kid, &pem).ok_or_else(|| ApiError::internal("oidc_signing_key is not an RSA PEM key"))
}

fn discovery(req: &Req) -> Result<Reply, ApiError> {
    let iss = config::issuer(req);
    let doc = json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oidc/authorize"),
        "token_endpoint": format!("{iss}/oidc/token"),
        "userinfo_endpoint": format!("{iss}/oidc/userinfo"),
        "jwks_uri": format!("{iss}/oidc/jwks"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "sid", "fiscal_number", "given_name", "family_name", "email", "company_fiscal_code", "company_vat_number", "company_name", "company_role"],
        "acr_values_supported": [acr_uri(1), acr_uri(2), acr_uri(3)],
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    });
    Reply::public_json(&doc, 3600, req.header("if-none-match"))
}

fn jwks(req: &Req) -> Result<Reply, ApiError> {
    let mut keys = vec![signer(req)?.jwk()];
    if let Some(pem) = req.var_text("oidc_previous_key") {
        match jose::public_from_pem(&pem) {
            Some(k) => keys.push(jose::jwk(&req.var_text("oidc_previous_kid").unwrap_or_else(|| "k0".into()), &k)),
            None => eprintln!("oidc: oidc_previous_key is not an RSA PEM key; not published"),
        }
    }
    Reply::public_json(&json!({ "keys": keys }), 300, req.header("if-none-match"))
}

/// SPID's level of assurance as the `acr` value of the SPID OIDC profile.
pub fn acr_uri(level: i64) -> String {
    format!("https://www.spid.gov.it/SpidL{}", level.clamp(1, 3))
}

// --- authorization endpoint -----------------------------------------------------------

/// The parameters of an authorization request (query on GET, form on POST).
#[derive(Debug)]
struct AuthzRequest {
    client: Client,
    redirect_uri: String,
    state: Option<String>,
    nonce: String,
    scope: String,
    challenge: String,
    login_hint: Option<String>,
}

/// A page (never a redirect) for a request whose client or redirect URI cannot be
/// trusted (RFC 6749 4.1.2.1).
fn bad_client_page(message: &str) -> Reply {
    common::page::message(400, "Richiesta di accesso non valida", &format!("<h1>Richiesta di accesso non valida</h1><p>{}</p><p><a href=\"/\">Torna alla pagina iniziale</a></p>", esc(message)))
}

/// `redirect_uri?error=…&state=…&iss=…` (RFC 6749 4.1.2.1, RFC 9207).
fn error_redirect(req: &Req, a: &AuthzRequest, error: &str, description: &str) -> Reply {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("error", error).append_pair("error_description", description);
    if let Some(s) = &a.state {
        q.append_pair("state", s);
    }
    q.append_pair("iss", &config::issuer(req));
    redirect_to(&a.redirect_uri, &q.finish())
}

fn redirect_to(uri: &str, query: &str) -> Reply {
    let sep = if uri.contains('?') { '&' } else { '?' };
    Reply { status: 302, headers: vec![("location", format!("{uri}{sep}{query}")), ("cache-control", "no-store".into())], body: Vec::new() }
}

fn authorize(req: &Req, db: &dyn Db, posted: bool) -> Reply {
    let q = if posted { req.form() } else { req.query() };
    let q = match q {
        Ok(q) => q,
        Err(e) => return Reply::from(e),
    };
    let Some(client) = q.get("client_id").and_then(|id| config::client(req, id)) else {
        return bad_client_page("Il sito che ti ha inviato qui non è registrato presso il portale.");
    };
    let Some(redirect_uri) = q.get("redirect_uri").filter(|u| client.redirect_uris.iter().any(|r| r == u)).map(str::to_string) else {
        return bad_client_page("L'indirizzo di ritorno indicato non è registrato per questo sito.");
    };
    let mut a = AuthzRequest {
        client,
        redirect_uri,
        state: q.get("state").map(str::to_string),
        nonce: String::new(),
        scope: q.get("scope").unwrap_or("").to_string(),
        challenge: String::new(),
        login_hint: q.get("login_hint").map(str::to_string),
    };
    if q.get("response_type") != Some("code") {
        return error_redirect(req, &a, "unsupported_response_type", "only response_type=code is supported");
    }
    if !a.scope.split(' ').any(|s| s == "openid") {
        return error_redirect(req, &a, "invalid_scope", "the openid scope is required");
    }
    if q.get("request").is_some() || q.get("request_uri").is_some() {
        return error_redirect(req, &a, "request_not_supported", "request objects are not supported");
    }
    match (q.get("code_challenge"), q.get("code_challenge_method")) {
        (Some(c), Some("S256")) if c.len() == 43 => a.challenge = c.to_string(),
        _ => return error_redirect(req, &a, "invalid_request", "PKCE with code_challenge_method=S256 is required"),
    }
    match q.get("nonce") {
        Some(n) if n.len() <= 256 => a.nonce = n.to_string(),
        _ => return error_redirect(req, &a, "invalid_request", "nonce is required"),
    }
    if a.state.as_ref().is_some_and(|s| s.len() > 512) {
        return error_redirect(req, &a, "invalid_request", "state is too long");
    }
    let session = match access::session::current(db, req) {
        Ok(Some(s)) => s,
        Ok(None) => {
            if q.get("prompt") == Some("none") {
                return error_redirect(req, &a, "login_required", "no session at the portal");
            }
            // log in at the portal, then come back to this very request
            let back = format!("/oidc/authorize?{}", if posted { String::new() } else { req.query.clone() });
            let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
            return Reply::see_other(&format!("/accedi/?next={next}"));
        }
        Err(e) => return Reply::from(e),
    };
    match grant(req, db, &a, &session, posted, &q) {
        Ok(r) => r,
        Err(Refusal::Oauth(error, description)) => error_redirect(req, &a, error, &description),
        Err(Refusal::Api(e)) => Reply::from(e),
    }
}

enum Refusal {
    Oauth(&'static str, String),
    Api(ApiError),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

fn denied(description: &str) -> Refusal {
    Refusal::Oauth("access_denied", description.to_string())
}

/// Who is handed to the partner: the person, and for a CO site the company of the
/// hand-off with the person's role there.
fn grant(req: &Req, db: &dyn Db, a: &AuthzRequest, s: &Session, posted: bool, q: &common::Query) -> Result<Reply, Refusal> {
    if s.account != access::session::Account::Active {
        return Err(denied("the person has not completed the registration at the portal"));
    }
    // CO sites: only through a hand-off made by this person for this partner; it fixes the company.
    let handoff = if a.client.is_co() {
        let hint = a.login_hint.as_deref().ok_or_else(|| denied("a CO site is reached through the portal's hand-off"))?;
        let rows = db.execute(
            "SELECT company_id FROM oidc_handoffs WHERE token_hash = ?1 AND person_id = ?2 AND client_id = ?3 AND used_at IS NULL AND expires_at > ?4",
            params![sha256_hex(hint.as_bytes()), s.person_id, a.client.client_id.as_str(), req.now],
        )?;
        let company_id = rows.first().and_then(|r| r.opt_int("company_id")).ok_or_else(|| denied("the hand-off is not valid, has expired or was already used"))?;
        let (company, role) = access::incarico(db, s.person_id, company_id)?.ok_or_else(|| denied("no current incarico for the company"))?;
        Some((hint.to_string(), company.company_id, role))
    } else {
        None
    };
    let consented = !db.execute("SELECT 1 AS x FROM oidc_consents WHERE person_id = ?1 AND client_id = ?2", params![s.person_id, a.client.client_id.as_str()])?.is_empty();
    if !consented {
        if !posted {
            return Ok(consent_page(req, a, s, handoff.is_some()));
        }
        access::check_csrf(req, s, q.get("csrf_token"))?;
        match q.get("decision") {
            Some("allow") => {}
            _ => return Err(denied("the person did not consent")),
        }
    } else if posted {
        access::check_csrf(req, s, q.get("csrf_token"))?;
    }
    let code = random_token()?;
    let code_hash = sha256_hex(code.as_bytes());
    tx(db, |db| {
        if let Some((hint, _, _)) = &handoff {
            // single use: the conditional UPDATE decides between concurrent requests
            let n = db
                .execute(
                    "UPDATE oidc_handoffs SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL AND expires_at > ?1 RETURNING token_hash",
                    params![req.now, sha256_hex(hint.as_bytes())],
                )?
                .len();
            if n != 1 {
                return Err(ApiError::new(409, "handoff_used", "hand-off already used"));
            }
        }
        if !consented {
            db.execute("INSERT OR IGNORE INTO oidc_consents (person_id, client_id, granted_at) VALUES (?1, ?2, ?3)", params![s.person_id, a.client.client_id.as_str(), req.now])?;
        }
        db.execute(
            "INSERT INTO oidc_codes (code_hash, client_id, person_id, company_id, company_role, redirect_uri, code_challenge, nonce, scope, acr, auth_time, session_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                code_hash.as_str(),
                a.client.client_id.as_str(),
                s.person_id,
                handoff.as_ref().map(|h| h.1),
                handoff.as_ref().map(|h| h.2.clone()),
                a.redirect_uri.as_str(),
                a.challenge.as_str(),
                a.nonce.as_str(),
                a.scope.as_str(),
                s.login.level as i64,
                s.created_at,
                s.id_hash.as_str(),
                req.now,
                req.now + CODE_TTL
            ],
        )?;
        Ok(())
    })
    .map_err(|e| if e.code == "handoff_used" { denied("the hand-off was already used") } else { Refusal::Api(e) })?;
    let mut out = form_urlencoded::Serializer::new(String::new());
    out.append_pair("code", &code);
    if let Some(st) = &a.state {
        out.append_pair("state", st);
    }
    out.append_pair("iss", &config::issuer(req));
    Ok(redirect_to(&a.redirect_uri, &out.finish()))
}

/// The consent page: what the partner will receive, "Consenti" / "Non consentire".
/// The form posts the same request back with the CSRF token; the page's CSP lets that
/// form's answer redirect to the partner's registered address.
fn consent_page(req: &Req, a: &AuthzRequest, s: &Session, company: bool) -> Reply {
    let mut hidden = String::new();
    for name in ["client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "login_hint"] {
        if let Ok(q) = req.query()
            && let Some(v) = q.get(name)
        {
            hidden.push_str(&format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", esc(v)));
        }
    }
    hidden.push_str(&format!("<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">", esc(&s.csrf_token)));
    let company_item = if company { "<li>l'azienda per cui operi: codice fiscale, partita IVA, denominazione e il tuo ruolo</li>" } else { "" };
    let content = format!(
        "<h1>Accesso a {name}</h1>\
         <p>Il sito <strong>{name}</strong> chiede di riconoscerti tramite il portale Toscana Lavoro. Se acconsenti riceverà:</p>\
         <ul><li>il tuo codice fiscale, nome e cognome</li><li>il tuo indirizzo e-mail</li><li>il livello di sicurezza del tuo accesso (SPID, CIE, CNS)</li>{company_item}</ul>\
         <p>Potrai revocare il consenso in <a href=\"/area-personale/profilo/\">Il mio profilo</a>.</p>\
         <form method=\"post\" action=\"/oidc/authorize\">{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"allow\" class=\"btn btn-primary\">Consenti</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"btn btn-outline-primary\">Non consentire</button></form>",
        name = esc(&a.client.name)
    );
    let mut r = common::page::message(200, &format!("Accesso a {}", a.client.name), &content);
    let origin = origin_of(&a.redirect_uri);
    r.headers.push((
        "content-security-policy",
        format!("default-src 'self'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self' {origin}"),
    ));
    r.headers.retain(|(k, _)| *k != "cache-control");
    r.headers.push(("cache-control", "no-store".into()));
    r
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return String::new() };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{host}")
}

// --- token endpoint ---------------------------------------------------------------------

/// `{"error", "error_description"}` (RFC 6749 5.2), never cached.
fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    let mut r = Reply::json(status, &json!({"error": error, "error_description": description})).unwrap_or_else(Reply::from);
    r.headers.push(("pragma", "no-cache".into()));
    if error == "invalid_client" {
        r.headers.push(("www-authenticate", "Basic realm=\"toscana-lavoro\"".into()));
    }
    r
}

/// The client and whether its secret matched (client_secret_basic or _post).
fn authenticate(req: &Req, form: &common::Query) -> Option<Client> {
    use base64::Engine;
    let (id, secret) = if let Some(basic) = req.header("authorization").and_then(|h| h.strip_prefix("Basic ")) {
        let raw = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (id, secret) = raw.split_once(':')?;
        // RFC 6749 2.3.1: both are form-urlencoded before Basic encoding
        let dec = |s: &str| form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
        (dec(id)?, dec(secret)?)
    } else {
        (form.get("client_id")?.to_string(), form.get("client_secret")?.to_string())
    };
    let client = config::client(req, &id)?;
    secrets_match(sha256_hex(secret.as_bytes()).as_bytes(), client.secret_sha256.to_ascii_lowercase().as_bytes()).then_some(client)
}

#[derive(Serialize)]
struct IdToken<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    azp: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    nonce: &'a str,
    acr: String,
    /// The partner-specific portal session id, also in the back-channel logout token.
    sid: String,
}

/// The partner-specific subject: a person has one stable `sub` per partner, and two
/// partners cannot join their records on it (pairwise, OIDC Core 8.1).
pub fn pairwise_sub(req: &Req, client_id: &str, fiscal_code: &str) -> String {
    let salt = req.var_text("oidc_subject_salt").unwrap_or_default();
    sha256_hex(format!("{salt}|{client_id}|{fiscal_code}").as_bytes())
}

fn token(req: &Req, db: &dyn Db) -> Reply {
    if !req.header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")) {
        return oauth_error(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    }
    let form = match req.form() {
        Ok(f) => f,
        Err(_) => return oauth_error(400, "invalid_request", "malformed body"),
    };
    let Some(client) = authenticate(req, &form) else {
        return oauth_error(401, "invalid_client", "client authentication failed");
    };
    if form.get("grant_type") != Some("authorization_code") {
        return oauth_error(400, "unsupported_grant_type", "only authorization_code is supported");
    }
    let Some(code) = form.get("code") else { return oauth_error(400, "invalid_request", "code is required") };
    match exchange(req, db, &client, code, &form) {
        Ok(r) => r,
        Err(Ok(description)) => oauth_error(400, "invalid_grant", description),
        Err(Err(e)) => Reply::from(e),
    }
}

type Exchange = Result<Reply, Result<&'static str, ApiError>>;

fn exchange(req: &Req, db: &dyn Db, client: &Client, code: &str, form: &common::Query) -> Exchange {
    let code_hash = sha256_hex(code.as_bytes());
    let rows = db.execute("SELECT * FROM oidc_codes WHERE code_hash = ?1", params![code_hash.as_str()]).map_err(Err)?;
    let Some(row) = rows.first() else { return Err(Ok("unknown code")) };
    let get = |c: &str| row.text(c).map_err(Err);
    if row.opt_int("used_at").is_some() {
        // a code presented twice: revoke what it gave (RFC 6749 4.1.2, RFC 9700 4.5)
        db.execute("UPDATE oidc_tokens SET revoked_at = ?1 WHERE code_hash = ?2 AND revoked_at IS NULL", params![req.now, code_hash.as_str()]).map_err(Err)?;
        eprintln!("oidc: code presented twice by {}; its tokens revoked", client.client_id);
        return Err(Ok("code already used"));
    }
    if get("client_id")? != client.client_id {
        return Err(Ok("code issued to another client"));
    }
    if form.get("redirect_uri") != Some(get("redirect_uri")?.as_str()) {
        return Err(Ok("redirect_uri does not match the authorization request"));
    }
    if row.int("expires_at").map_err(Err)? <= req.now {
        return Err(Ok("code expired"));
    }
    let Some(verifier) = form.get("code_verifier") else { return Err(Ok("code_verifier is required")) };
    if !jose::pkce_matches(verifier, &get("code_challenge")?) {
        return Err(Ok("code_verifier does not match the code_challenge"));
    }
    let person_id = row.int("person_id").map_err(Err)?;
    let access_token = random_token().map_err(Err)?;
    let used = tx(db, |db| {
        // single use: only one of two concurrent exchanges changes the row
        if db.execute("UPDATE oidc_codes SET used_at = ?1 WHERE code_hash = ?2 AND used_at IS NULL RETURNING code_hash", params![req.now, code_hash.as_str()])?.len() != 1 {
            return Ok(false);
        }
        db.execute(
            "INSERT INTO oidc_tokens (token_hash, code_hash, client_id, person_id, company_id, company_role, scope, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                sha256_hex(access_token.as_bytes()),
                code_hash.as_str(),
                client.client_id.as_str(),
                person_id,
                row.opt_int("company_id"),
                row.opt_text("company_role"),
                get("scope").map_err(|_| ApiError::internal("scope"))?,
                req.now,
                req.now + TOKEN_TTL
            ],
        )?;
        Ok(true)
    })
    .map_err(Err)?;
    if !used {
        return Err(Ok("code already used"));
    }
    let fiscal_code = db.execute("SELECT fiscal_code FROM people WHERE id = ?1", params![person_id]).map_err(Err)?.first().map(|r| r.text("fiscal_code")).transpose().map_err(Err)?.unwrap_or_default();
    let iss = config::issuer(req);
    let sub = pairwise_sub(req, &client.client_id, &fiscal_code);
    let nonce = get("nonce")?;
    let claims = IdToken {
        iss: &iss,
        sub: &sub,
        aud: &client.client_id,
        azp: &client.client_id,
        exp: req.now + ID_TOKEN_TTL,
        iat: req.now,
        auth_time: row.int("auth_time").map_err(Err)?,
        nonce: &nonce,
        acr: acr_uri(row.int("acr").map_err(Err)?),
        sid: logout::sid(&client.client_id, &get("session_hash")?),
    };
    let id_token = signer(req).map_err(Err)?.sign(&claims);
    let mut r = Reply::json(200, &json!({"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_TTL, "id_token": id_token, "scope": get("scope")?}))
        .map_err(Err)?;
    r.headers.push(("pragma", "no-cache".into()));
    Ok(r)
}

// --- userinfo ---------------------------------------------------------------------------

fn bearer_error(description: &str) -> Reply {
    let mut r = Reply::json(401, &json!({"error": "invalid_token", "error_description": description})).unwrap_or_else(Reply::from);
    r.headers.push(("www-authenticate", format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")));
    r
}

fn userinfo(req: &Req, db: &dyn Db) -> Reply {
    let Some(token) = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).map(str::trim) else {
        let mut r = Reply::json(401, &json!({"error": "invalid_request", "error_description": "a Bearer access token is required"})).unwrap_or_else(Reply::from);
        r.headers.push(("www-authenticate", "Bearer".into()));
        return r;
    };
    match claims(req, db, token) {
        Ok(Some(v)) => Reply::json(200, &v).unwrap_or_else(Reply::from),
        Ok(None) => bearer_error("the access token is not valid, expired or revoked"),
        Err(e) => Reply::from(e),
    }
}

/// The userinfo claims of a live access token.
pub fn claims(req: &Req, db: &dyn Db, token: &str) -> Result<Option<Value>, ApiError> {
    let rows = db.execute(
        "SELECT t.client_id, t.company_id, t.company_role, p.fiscal_code, p.name, p.family_name, a.email
           FROM oidc_tokens t JOIN people p ON p.id = t.person_id LEFT JOIN accounts a ON a.person_id = t.person_id
          WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND t.expires_at > ?2",
        params![sha256_hex(token.as_bytes()), req.now],
    )?;
    let Some(r) = rows.first() else { return Ok(None) };
    let cf = r.text("fiscal_code")?;
    let mut v = json!({
        "sub": pairwise_sub(req, &r.text("client_id")?, &cf),
        "fiscal_number": format!("TINIT-{cf}"),
        "given_name": r.text("name")?,
        "family_name": r.text("family_name")?,
        "email": r.opt_text("email"),
    });
    if let Some(company_id) = r.opt_int("company_id") {
        let c = db.execute("SELECT fiscal_code, vat_number, name FROM companies WHERE id = ?1", params![company_id])?;
        if let Some(c) = c.first() {
            v["company_fiscal_code"] = json!(c.text("fiscal_code")?);
            v["company_vat_number"] = json!(c.opt_text("vat_number"));
            v["company_name"] = json!(c.text("name")?);
            v["company_role"] = json!(r.opt_text("company_role"));
        }
    }
    Ok(Some(v))
}

// --- portal API -------------------------------------------------------------------------

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OidcPartner))]
pub struct Partner {
    client_id: String,
    name: String,
    kind: String,
    province: Option<String>,
}

fn partners(req: &Req) -> Result<Reply, ApiError> {
    let items: Vec<Partner> = config::clients(req).into_iter().map(|c| Partner { client_id: c.client_id, name: c.name, kind: c.kind, province: c.province }).collect();
    Reply::json(200, &Items { items })
}

/// A list of `items`.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Items<T> {
    items: Vec<T>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OidcHandoffRequest))]
pub struct HandoffIn {
    /// A partner's `client_id` (`GET /api/oidc/partners`).
    client_id: String,
}

fn unknown_partner() -> ApiError {
    ApiError::new(404, "unknown_partner", "Il sito indicato non è tra quelli collegati al portale.")
}

/// `POST /api/oidc/handoff`: a 5-minute, single-use token that lets this person (and,
/// for a CO site, the company they act for now) start the partner's login. The token
/// is 256 random bits whose hash is kept here: a browser cannot make one up, and the
/// partner only passes it back to us as `login_hint`.
fn handoff(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    // guards first: a session and the CSRF token before the body is read
    access::require_write(db, req, None)?;
    let input: HandoffIn = req.json()?;
    let client = config::client(req, &input.client_id).ok_or_else(unknown_partner)?;
    let (s, company_id) = if client.is_co() {
        let (s, company) = access::require_acting_write(db, req, None)?;
        (s, Some(company.company_id))
    } else {
        (access::require_active_write(db, req, None)?, None)
    };
    let token = random_token()?;
    db.execute(
        "INSERT INTO oidc_handoffs (token_hash, person_id, client_id, company_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![sha256_hex(token.as_bytes()), s.person_id, client.client_id.as_str(), company_id, req.now, req.now + HANDOFF_TTL],
    )?;
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("iss", &config::issuer(req)).append_pair("login_hint", &token);
    let sep = if client.initiate_login_uri.contains('?') { '&' } else { '?' };
    Reply::json(200, &Handoff { url: format!("{}{sep}{}", client.initiate_login_uri, q.finish()) })
}

/// Where the browser goes to start the partner's login.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OidcHandoff))]
pub struct Handoff {
    url: String,
}

/// A partner site the person consented to.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OidcConsent))]
pub struct Consent {
    client_id: String,
    /// The partner's name (its `client_id` when no longer configured).
    name: String,
    granted_at: i64,
}

/// A consent revoked.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OidcConsentRevoked))]
pub struct Revoked {
    client_id: String,
    revoked: bool,
}

fn consents(req: &Req, db: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require(db, req)?;
    let clients = config::clients(req);
    let rows = db.execute("SELECT client_id, granted_at FROM oidc_consents WHERE person_id = ?1 ORDER BY granted_at DESC", params![s.person_id])?;
    let items = rows.map(|r| {
        let id = r.text("client_id")?;
        let name = clients.iter().find(|c| c.client_id == id).map(|c| c.name.clone()).unwrap_or_else(|| id.clone());
        Ok(Consent { client_id: id, name, granted_at: r.int("granted_at")? })
    })?;
    Reply::json(200, &Items { items })
}

/// Revoking a consent also revokes the partner's live access tokens for the person.
fn revoke(req: &Req, db: &dyn Db, client_id: &str) -> Result<Reply, ApiError> {
    let s = access::require_write(db, req, None)?;
    let client_id: String = form_urlencoded::parse(format!("x={client_id}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default();
    let n = tx(db, |db| {
        let n = db.execute("DELETE FROM oidc_consents WHERE person_id = ?1 AND client_id = ?2 RETURNING client_id", params![s.person_id, client_id.as_str()])?.len();
        db.execute("UPDATE oidc_tokens SET revoked_at = ?1 WHERE person_id = ?2 AND client_id = ?3 AND revoked_at IS NULL", params![req.now, s.person_id, client_id.as_str()])?;
        Ok(n)
    })?;
    if n == 0 {
        return Err(ApiError::not_found());
    }
    Reply::json(200, &Revoked { client_id, revoked: true })
}
