//! The requests of the SSO bridge, as functions of a [`Req`], the database and the
//! key-value store (so unit tests run them natively); the Spin entry point at the end
//! only opens the stores.
//!
//! State: pending logins and logouts in key-value (`saml-req:<id>`, `saml-logout:<id>`,
//! each with its deadline, removed by the cleanup job), sessions in SQLite
//! (`access::session`), "first use wins" for request and assertion ids in SQLite
//! (`saml_consumed`), login starts counted in `rate_windows`.

use std::path::Path;

use access::session::{self, Login, New, Timeouts};
use common::kv::{self, Kv};
use common::sql::Db;
use common::{ApiError, Query, Reply, Req, params, rate};
use saml::metadata::{Federation, REQUIRED_ATTRIBUTES};
use saml::response::{Context, Pending, Refusal};
use saml::{SigAlg, SigningKey};

use crate::registry::Trusted;
use crate::{PendingLogin, PendingLogout, Route, SessionView, pages, registry};

/// Largest form we read (a SAML Response is well under this).
pub const MAX_FORM: usize = 256 * 1024;

/// What the handler needs besides the request.
pub struct Stores<'a> {
    pub db: &'a dyn Db,
    pub kv: &'a dyn Kv,
    /// The folder of the trusted IdPs' metadata (`/idp` in the component).
    pub idp_dir: &'a Path,
}

fn sp(req: &Req) -> Result<saml::metadata::SpInfo, ApiError> {
    crate::sp_info(|n| req.var(n)).map_err(ApiError::internal)
}

fn key(req: &Req) -> Result<SigningKey, ApiError> {
    let (k, c) = (req.var("sp_private_key").unwrap_or_default(), req.var("sp_certificate").unwrap_or_default());
    SigningKey::from_pem(&k, &c).map_err(|e| ApiError::internal(format!("SP key: {e}")))
}

fn idps(st: &Stores, f: Federation, base_url: &str) -> Result<Vec<Trusted>, ApiError> {
    registry::load(f, base_url, |name| std::fs::read_to_string(st.idp_dir.join(name)).map_err(|e| format!("{}/{name}: {e}", st.idp_dir.display())))
        .map_err(|e| ApiError::internal(format!("IdP registry: {e}")))
}

fn html(status: u16, title: &str, content: &str) -> Reply {
    common::page::message(status, title, content)
}

fn error_page(status: u16, title: &str, message: &str) -> Reply {
    html(status, title, &pages::error_body(title, message))
}

fn redirect(location: &str) -> Reply {
    Reply::see_other(location)
}

fn skew(req: &Req) -> i64 {
    req.var_number("saml_clock_skew_seconds", 90)
}

/// The whole request: browser flows answer pages, APIs and jobs JSON.
pub fn handle(req: &Req, st: &Stores) -> Reply {
    match crate::route(&req.method, &req.path) {
        Ok(route) => dispatch(route, req, st).unwrap_or_else(|e| {
            if req.path.starts_with("/auth/") && e.status != 405 && e.status < 500 {
                let mut r = error_page(e.status, "Accesso non riuscito", &e.message);
                if let Some(secs) = e.retry_after {
                    r.headers.push(("retry-after", secs.to_string()));
                }
                r
            } else if req.path.starts_with("/auth/") && e.status >= 500 {
                error_page(500, "Servizio non disponibile", "Il servizio di accesso non è al momento disponibile. Riprova tra qualche minuto.")
            } else {
                Reply::from(e)
            }
        }),
        Err(e) => Reply::from(e),
    }
}

fn dispatch(route: Route, req: &Req, st: &Stores) -> Result<Reply, ApiError> {
    match route {
        Route::Session => {
            // with the account's status and whom the person acts for, from the database
            let current = session::current(st.db, req)?;
            Reply::json(200, &SessionView::of(current.as_ref()))
        }
        Route::Metadata(f) => {
            let xml = sp(req)?.metadata(f, &key(req)?, &format!("_{}-metadata", f.path())).map_err(ApiError::internal)?;
            let max_age = req.var_number("metadata_max_age", 3600).clamp(0, i64::from(u32::MAX)) as u32;
            Ok(Reply::public(xml.into_bytes(), "application/samlmetadata+xml", max_age, req.header("if-none-match")))
        }
        Route::Idps => {
            let sp = sp(req)?;
            let items: Vec<serde_json::Value> = idps(st, Federation::Spid, &sp.base_url)?
                .iter()
                .map(|t| {
                    let q: String = form_urlencoded::Serializer::new(String::new()).append_pair("idp", &t.idp.entity_id).append_pair("level", "2").finish();
                    serde_json::json!({"entity_id": t.idp.entity_id, "name": t.idp.name, "login_url": format!("/auth/spid/login?{q}")})
                })
                .collect();
            Reply::public_json(&serde_json::json!({ "items": items }), 300, req.header("if-none-match"))
        }
        Route::Login(f) => login(f, req, st),
        Route::Acs(f) => acs(f, req, st),
        Route::Slo(f) => slo(f, req, st),
        Route::Cns if req.method == "GET" => Ok(cns_page(req)),
        Route::Cns => cns(req, st),
        Route::Logout => logout(req, st),
        Route::Cleanup => cleanup(req, st),
    }
}

/// Anonymous login starts cost an RSA signature and a key-value write each: at most
/// `login_starts_per_client` a minute from one client address, and
/// `login_starts_per_minute` in all.
fn throttle_login_starts(req: &Req, db: &dyn Db) -> Result<(), ApiError> {
    const WHAT: &str = "Sono stati avviati troppi accessi in poco tempo.";
    let client = req.client_addr().unwrap_or_else(|| "unknown".into());
    rate::check(db, &format!("login-start:ip:{client}"), req.now, 60, req.var_number("login_starts_per_client", 30), "login_rate_limited", WHAT)?;
    rate::check(db, "login-start:all", req.now, 60, req.var_number("login_starts_per_minute", 1200), "login_rate_limited", WHAT)
}

fn login(f: Federation, req: &Req, st: &Stores) -> Result<Reply, ApiError> {
    let now = req.now;
    let q = req.query()?;
    let sp = sp(req)?;
    let trusted = idps(st, f, &sp.base_url)?;
    let chosen = match f {
        Federation::Spid => {
            let wanted = q.get("idp").ok_or_else(|| ApiError::bad_request("idp_missing", "Scegli il tuo gestore di identità digitale SPID."))?;
            trusted.into_iter().find(|t| t.idp.entity_id == wanted)
        }
        Federation::Cie => trusted.into_iter().next(),
    }
    .ok_or_else(|| ApiError::bad_request("idp_unknown", "Il gestore di identità digitale scelto non è tra quelli riconosciuti."))?;
    let level = match f {
        Federation::Spid => crate::level(q.get("level"))?,
        // CIE: level 3 with the card (ForceAuthn as for SPID levels 2 and 3)
        Federation::Cie => 3,
    };
    let post = q.get("binding") == Some("post");
    let destination = if post { chosen.idp.sso_post.clone() } else { chosen.idp.sso_redirect.clone() }
        .ok_or_else(|| ApiError::bad_request("binding_unsupported", "Il gestore di identità non supporta questa modalità di accesso."))?;
    throttle_login_starts(req, st.db)?;
    let id = saml::xml::new_id();
    let relay_state = common::token::random_token()?[..32].to_string();
    let binding = if req.var("login_browser_binding").as_deref() == Some("false") { None } else { Some(common::token::random_token()?) };
    kv::set_json(
        st.kv,
        &format!("saml-req:{id}"),
        &PendingLogin {
            federation: f.path().into(),
            idp: chosen.idp.entity_id.clone(),
            level,
            issue_instant: now,
            relay_state: relay_state.clone(),
            deadline: now + crate::LOGIN_WINDOW,
            browser: binding.as_deref().map(crate::browser_digest),
            next: q.get("next").and_then(crate::safe_next),
        },
    )?;
    let bind = |mut r: Reply| {
        if let Some(v) = &binding {
            r.headers.push(("set-cookie", crate::login_cookie(v, crate::LOGIN_WINDOW)));
        }
        r
    };
    let request = saml::authn::AuthnRequest { id: &id, issue_instant: now, destination: &destination, sp_entity_id: &sp.entity_id, level, acs_index: 0, attribute_index: 0 };
    let key = key(req)?;
    if post {
        let payload = saml::authn::post_payload(&request.xml(true), &id, &key, SigAlg::RsaSha256).map_err(ApiError::internal)?;
        let mut r = html(200, "Reindirizzamento", &pages::autopost_body(&destination, "SAMLRequest", &payload, &relay_state));
        r.headers.push(("content-security-policy", pages::csp_for_post(&destination)));
        return Ok(bind(r));
    }
    let url = saml::authn::redirect_url(&destination, "SAMLRequest", &request.xml(false), &relay_state, &key, SigAlg::RsaSha256);
    Ok(bind(Reply { status: 302, headers: vec![("location", url), ("cache-control", "no-store".into())], body: Vec::new() }))
}

/// Records `id` as used; false if it already was (atomic in SQLite).
fn first_use(db: &dyn Db, id: &str, expires_at: i64) -> Result<bool, ApiError> {
    Ok(!db.execute("INSERT INTO saml_consumed (id, expires_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING RETURNING id", params![id, expires_at])?.is_empty())
}

fn refused(why: &str) -> ApiError {
    eprintln!("sso: response refused: {why}");
    ApiError::new(403, "saml_refused", "La risposta del gestore di identità non è valida o è scaduta. Ripeti l'accesso dall'inizio.")
}

fn acs(f: Federation, req: &Req, st: &Stores) -> Result<Reply, ApiError> {
    let now = req.now;
    let form = req.form()?;
    let xml = saml::response::decode(form.get("SAMLResponse").ok_or_else(|| refused("no SAMLResponse"))?).map_err(|e| refused(&e.to_string()))?;
    let request_id = saml::response::in_response_to(&xml).ok_or_else(|| refused("no InResponseTo"))?;
    let pending: PendingLogin = kv::get_json(st.kv, &format!("saml-req:{request_id}"))?.ok_or_else(|| refused("unknown or already used request id"))?;
    if pending.deadline < now || pending.federation != f.path() {
        return Err(refused("request expired or for another federation"));
    }
    if form.get("RelayState").is_some_and(|r| r != pending.relay_state) {
        return Err(refused("RelayState does not match the request"));
    }
    if !crate::same_browser(&pending, req.header("cookie")) {
        eprintln!("sso: response refused: posted by a browser that did not start the login (login CSRF?)");
        return Err(ApiError::new(
            403,
            "login_other_browser",
            "L'accesso è stato avviato da un altro browser o la pagina è rimasta aperta troppo a lungo. Ripeti l'accesso dall'inizio da questo browser.",
        ));
    }
    let sp = sp(req)?;
    let trusted = idps(st, f, &sp.base_url)?.into_iter().find(|t| t.idp.entity_id == pending.idp).ok_or_else(|| refused("IdP no longer trusted"))?;
    if trusted.accept_expired_certificate {
        eprintln!("sso: WARNING accepting expired certificates of test IdP {} (registry setting)", trusted.idp.entity_id);
    }
    let acs_url = sp.acs_url(f);
    let ctx = Context {
        sp_entity_id: &sp.entity_id,
        acs_url: &acs_url,
        idp: &trusted.idp,
        now,
        skew: skew(req),
        accept_expired_idp_certificate: trusted.accept_expired_certificate,
        required_attributes: REQUIRED_ATTRIBUTES,
    };
    let p = Pending { request_id: request_id.clone(), issue_instant: pending.issue_instant, level: pending.level };
    let identity = match saml::response::validate(&xml, &p, &ctx) {
        Ok(identity) => identity,
        Err(Refusal::IdpError { code, status }) => {
            eprintln!("sso: IdP {} answered {status} (code {code:?})", pending.idp);
            let _ = st.kv.delete(&format!("saml-req:{request_id}"));
            return Ok(error_page(403, "Accesso non completato", saml::response::anomaly_message(code)));
        }
        Err(Refusal::Invalid(why)) => return Err(refused(&why)),
    };
    if !first_use(st.db, &format!("req:{request_id}"), pending.deadline)?
        || !first_use(st.db, &format!("assertion:{}:{}", pending.idp, identity.assertion_id), identity.not_on_or_after + 3600)?
    {
        return Err(refused("replayed response"));
    }
    let _ = st.kv.delete(&format!("saml-req:{request_id}"));
    let cf = identity.attributes.get("fiscalNumber").and_then(|v| crate::fiscal_code(v)).ok_or_else(|| refused("fiscalNumber is not a valid codice fiscale"))?;
    let a = |k: &str| identity.attributes.get(k).cloned().unwrap_or_default();
    let login = Login {
        method: f.path().into(),
        idp: Some(pending.idp.clone()),
        name_id: Some(identity.name_id.clone()),
        name_qualifier: Some(identity.name_qualifier.clone()),
        session_index: identity.session_index.clone(),
        level: identity.level,
    };
    let person = Person { cf: &cf, name: &a("name"), family_name: &a("familyName"), attributes: &identity.attributes };
    start_session(req, st.db, person, login, pending.next.as_deref())
}

/// Who logged in, as the IdP or the card says.
struct Person<'a> {
    cf: &'a str,
    name: &'a str,
    family_name: &'a str,
    attributes: &'a std::collections::BTreeMap<String, String>,
}

/// Finds or creates the person and opens a session: 303 to where the person goes next
/// (`next`, when the account is active), with the cookie.
fn start_session(req: &Req, db: &dyn Db, person: Person, login: Login, next: Option<&str>) -> Result<Reply, ApiError> {
    let Person { cf, name, family_name, attributes } = person;
    let now = req.now;
    let at = saml::xml::instant(now);
    let opt = |k: &str| attributes.get(k).cloned();
    let rows = db.execute(
        "INSERT INTO people (fiscal_code, name, family_name, date_of_birth, place_of_birth, gender, email, mobile_phone, last_method, last_idp, first_login_at, last_login_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
         ON CONFLICT (fiscal_code) DO UPDATE SET name = excluded.name, family_name = excluded.family_name,
           date_of_birth = coalesce(excluded.date_of_birth, date_of_birth), place_of_birth = coalesce(excluded.place_of_birth, place_of_birth),
           gender = coalesce(excluded.gender, gender), email = coalesce(excluded.email, email), mobile_phone = coalesce(excluded.mobile_phone, mobile_phone),
           last_method = excluded.last_method, last_idp = excluded.last_idp, last_login_at = excluded.last_login_at
         RETURNING id",
        params![cf, name, family_name, opt("dateOfBirth"), opt("placeOfBirth"), opt("gender"), opt("email"), opt("mobilePhone"), login.method.as_str(), login.idp.as_deref(), at],
    )?;
    let person_id = rows.scalar("id")?;
    let account = access::guard::status(db, person_id)?;
    let slo_key = match (&login.idp, &login.name_id) {
        (Some(idp), Some(name_id)) => Some(crate::slo_key(idp, name_id)),
        _ => None,
    };
    let method = login.method.clone();
    let level = login.level;
    let t = Timeouts::from_req(req);
    let id = session::create(db, &New { person_id, login, slo_key }, now, t)?;
    eprintln!("sso: person {person_id} logged in with {method} (level {level})");
    let mut r = redirect(&crate::landing(account, next));
    r.headers.push(("set-cookie", session::set_cookie(&id, t.absolute_secs)));
    Ok(r)
}

fn logout(req: &Req, st: &Stores) -> Result<Reply, ApiError> {
    let now = req.now;
    let form = req.form()?;
    let Some(s) = session::current(st.db, req)? else {
        let mut r = redirect("/");
        r.headers.push(("set-cookie", session::clear_cookie()));
        return Ok(r);
    };
    access::check_csrf(req, &s, form.get("csrf_token"))?;
    session::end(st.db, &s)?;
    eprintln!("sso: person {} logged out", s.person_id);
    let mut next = "/".to_string();
    if let (Some(idp), Some(name_id), Some(nq)) = (&s.login.idp, &s.login.name_id, &s.login.name_qualifier) {
        let f = if s.login.method == "cie" { Federation::Cie } else { Federation::Spid };
        let sp = sp(req)?;
        if let Some(t) = idps(st, f, &sp.base_url)?.into_iter().find(|t| &t.idp.entity_id == idp) {
            if let Some(slo) = &t.idp.slo_redirect {
                let lid = saml::xml::new_id();
                kv::set_json(st.kv, &format!("saml-logout:{lid}"), &PendingLogout { idp: idp.clone(), deadline: now + crate::LOGIN_WINDOW })?;
                let xml = saml::authn::LogoutRequest { id: &lid, issue_instant: now, destination: slo, issuer: &sp.entity_id, name_id, name_qualifier: nq, session_index: s.login.session_index.as_deref() }.xml();
                next = saml::authn::redirect_url(slo, "SAMLRequest", &xml, "", &key(req)?, SigAlg::RsaSha256);
            }
        }
    }
    // The IdP is on another origin: a redirect answering the form's POST would be
    // checked against the pages' CSP `form-action 'self'` and blocked, so the way
    // on is a page that follows its link at once (autopost.js; a button without JS).
    let mut r = if next == "/" { redirect("/") } else { html(200, "Uscita in corso", &pages::continue_body(&next)) };
    r.headers.push(("set-cookie", session::clear_cookie()));
    Ok(r)
}

/// The IdP's LogoutResponse (Redirect binding): the local session is already gone; we
/// check the answer (logged) and send the person to `/uscita/`.
fn slo(f: Federation, req: &Req, st: &Stores) -> Result<Reply, ApiError> {
    let now = req.now;
    let raw = req.query.clone();
    let q = Query::parse(&raw)?;
    if q.get("SAMLRequest").is_some() || req.method == "POST" {
        return idp_logout(f, req, st, &raw);
    }
    let b64 = q.get("SAMLResponse").ok_or_else(|| ApiError::bad_request("slo_unsupported", "Richiesta di disconnessione non riconosciuta."))?;
    let xml = saml::authn::inflate_redirect(b64, 64 * 1024).ok_or_else(|| ApiError::bad_request("slo_invalid", "Risposta di disconnessione non valida."))?;
    let doc = xml_sec::Document::parse(&xml).map_err(|_| ApiError::bad_request("slo_invalid", "Risposta di disconnessione non valida."))?;
    let irt = doc.root_element().attribute("InResponseTo").unwrap_or("").to_string();
    let pending: Option<PendingLogout> = kv::get_json(st.kv, &format!("saml-logout:{irt}"))?;
    let sp = sp(req)?;
    let ok = pending.filter(|p| p.deadline >= now).and_then(|p| idps(st, f, &sp.base_url).ok()?.into_iter().find(|t| t.idp.entity_id == p.idp)).is_some_and(|t| {
        let signed = raw.split("&Signature=").next().unwrap_or("");
        saml::authn::verify_redirect(signed, q.get("SigAlg").unwrap_or(""), q.get("Signature").unwrap_or(""), &t.idp.certs)
    });
    let _ = st.kv.delete(&format!("saml-logout:{irt}"));
    if !ok {
        eprintln!("sso: LogoutResponse refused (unknown request or bad signature)");
    }
    // the local session ended before the IdP was asked: whatever the IdP answered, the
    // person is out; the page `/uscita/` says so without the long SAMLResponse in the address
    Ok(redirect("/uscita/"))
}

fn slo_refused(why: &str) -> ApiError {
    eprintln!("sso: IdP LogoutRequest refused: {why}");
    ApiError::bad_request("slo_invalid", "Richiesta di disconnessione non valida.")
}

/// Single logout started by the IdP (the person logged out there, or from another
/// service): a signed LogoutRequest, Redirect (GET) or POST binding. We end the
/// sessions it names and answer with a signed LogoutResponse (Redirect binding).
fn idp_logout(f: Federation, req: &Req, st: &Stores, raw_query: &str) -> Result<Reply, ApiError> {
    let now = req.now;
    let post = req.method == "POST";
    let params = if post { req.form()? } else { Query::parse(raw_query)? };
    let b64 = params.get("SAMLRequest").ok_or_else(|| slo_refused("no SAMLRequest"))?;
    let xml = if post {
        saml::response::decode(b64).map_err(|e| slo_refused(&e.to_string()))?
    } else {
        saml::authn::inflate_redirect(b64, 64 * 1024).ok_or_else(|| slo_refused("not base64 DEFLATE"))?
    };
    let sp = sp(req)?;
    let slo_url = sp.slo_url(f);
    let expect = saml::logout::Expect { destination: &slo_url, now, skew: skew(req) };
    let request = saml::logout::parse_request(&xml, &expect).map_err(|e| slo_refused(&e))?;
    let trusted = idps(st, f, &sp.base_url)?.into_iter().find(|t| t.idp.entity_id == request.issuer).ok_or_else(|| slo_refused("unknown issuer"))?;
    let signed = if post {
        let doc = xml_sec::Document::parse(&xml).map_err(|_| slo_refused("not XML"))?;
        saml::dsig::verify_enveloped(&doc, doc.root_element(), &trusted.idp.certs).is_ok()
    } else {
        let signed = raw_query.split("&Signature=").next().unwrap_or("");
        saml::authn::verify_redirect(signed, params.get("SigAlg").unwrap_or(""), params.get("Signature").unwrap_or(""), &trusted.idp.certs)
    };
    if !signed {
        return Err(slo_refused("bad or missing signature"));
    }
    if !first_use(st.db, &format!("logout:{}:{}", request.issuer, request.id), now + 3600)? {
        return Err(slo_refused("replayed"));
    }
    // End the sessions the assertion opened (the browser's own among them, if it is
    // one of them), whoever's browser sent this request.
    let browser = session::current(st.db, req)?;
    let ended = session::end_by_slo(st.db, &crate::slo_key(&request.issuer, &request.name_id), &request.name_id, &request.session_indexes)?;
    eprintln!("sso: IdP {} ended {ended} session(s) by single logout", request.issuer);
    let destination = trusted.idp.slo_redirect.clone().ok_or_else(|| slo_refused("the IdP has no Redirect SingleLogoutService"))?;
    let response = saml::logout::LogoutResponse {
        id: &saml::xml::new_id(),
        issue_instant: now,
        destination: &destination,
        in_response_to: &request.id,
        issuer: &sp.entity_id,
        success: true,
    }
    .xml();
    let relay_state = params.get("RelayState").unwrap_or("");
    let url = saml::authn::redirect_url(&destination, "SAMLResponse", &response, relay_state, &key(req)?, SigAlg::RsaSha256);
    let mut r = Reply { status: 302, headers: vec![("location", url), ("cache-control", "no-store".into())], body: Vec::new() };
    if browser.is_some_and(|s| s.login.idp.as_deref() == Some(request.issuer.as_str()) && s.login.name_id.as_deref() == Some(request.name_id.as_str())) {
        r.headers.push(("set-cookie", session::clear_cookie()));
    }
    Ok(r)
}

/// `GET /auth/cns/login`: a page whose button POSTs to the same address, so that a
/// login never starts from a link or image another site put in front of the person.
fn cns_page(req: &Req) -> Reply {
    if req.var_text("cns_client_cert_header").is_none() {
        return cns_off();
    }
    // where the person was going travels in the form (`?next=` of this page)
    let next = req.query().ok().and_then(|q| q.get("next").and_then(crate::safe_next));
    let hidden = next.map(|n| format!("<input type=\"hidden\" name=\"next\" value=\"{}\">", saml::xml::esc(&n))).unwrap_or_default();
    html(
        200,
        "Accedi con CNS",
        &format!(
            "<h1>Accedi con la Carta Nazionale dei Servizi</h1>\
             <p>Inserisci la carta nel lettore, poi premi «Accedi»: il browser ti chiederà di scegliere il certificato e di digitare il PIN.</p>\
             <form method=\"post\" action=\"/auth/cns/login\">{hidden}<button type=\"submit\" class=\"btn btn-primary\">Accedi</button></form>\
             <p><a href=\"/accedi/\">Torna alla scelta del modo di accesso</a></p>"
        ),
    )
}

fn cns_off() -> Reply {
    error_page(403, "Accesso con CNS non disponibile", "L'accesso con Carta Nazionale dei Servizi non è attivo su questo sito. Accedi con SPID o CIE.")
}

/// Whether a POST comes from one of our own pages: `Origin` (sent by browsers on every
/// POST) is the portal's, or, without it, `Sec-Fetch-Site` says same-origin.
fn same_origin(req: &Req, base_url: &str) -> bool {
    let ours = |origin: &str| origin.trim_end_matches('/') == crate::origin_of(base_url);
    match (req.header("origin"), req.header("sec-fetch-site")) {
        (Some(o), _) => ours(o),
        (None, Some(site)) => site == "same-origin",
        (None, None) => false,
    }
}

fn cns(req: &Req, st: &Stores) -> Result<Reply, ApiError> {
    let header_name = req.var_text("cns_client_cert_header").unwrap_or_default().to_ascii_lowercase();
    if header_name.is_empty() {
        return Ok(cns_off());
    }
    if !same_origin(req, &sp(req)?.base_url) {
        eprintln!("sso: CNS login refused: not posted from the portal's own page");
        return Ok(error_page(403, "Accesso non avviato dal portale", "L'accesso con CNS si avvia dalla pagina «Accedi» del portale. Torna alla pagina di accesso e riprova."));
    }
    let Some(value) = req.header(&header_name) else {
        return Ok(error_page(401, "Carta non rilevata", "Non è stato possibile leggere il certificato della tua Carta Nazionale dei Servizi. Inserisci la carta nel lettore, verifica che il PIN sia corretto e riprova."));
    };
    let cas = crate::cns::parse_bundle(&req.var("cns_ca_certificates").unwrap_or_default()).map_err(ApiError::internal)?;
    let crls = crate::cns::parse_crls(&req.var("cns_crls").unwrap_or_default()).map_err(ApiError::internal)?;
    match crate::cns::parse_header(value).and_then(|c| crate::cns::verify(&c, &cas, &crls, req.now)) {
        Ok(h) => {
            let login = Login { method: "cns".into(), idp: None, name_id: None, name_qualifier: None, session_index: None, level: 2 };
            let next = req.form().ok().and_then(|f| f.get("next").and_then(crate::safe_next));
            let none = Default::default();
            let person = Person { cf: &h.fiscal_code, name: &h.name, family_name: &h.family_name, attributes: &none };
            start_session(req, st.db, person, login, next.as_deref())
        }
        Err(why) => {
            eprintln!("sso: CNS certificate refused: {why}");
            Ok(error_page(403, "Carta non accettata", "Il certificato della carta non è valido, è scaduto, è stato revocato o non è stato emesso da un ente riconosciuto per la Carta Nazionale dei Servizi."))
        }
    }
}

/// `POST /jobs/cleanup` (bearer `jobs_secret`): removes expired sessions, one-time codes,
/// rate windows, consumed SAML ids and pending logins and logouts in key-value.
/// Idempotent: what it removes is expired whenever it runs.
fn cleanup(req: &Req, st: &Stores) -> Result<Reply, ApiError> {
    common::jobs::check_auth(&req.var("jobs_secret").unwrap_or_default(), req.header("authorization"))?;
    let now = req.now;
    let mut removed: Vec<(&str, usize)> = access::purge(st.db, now, Timeouts::from_req(req))?;
    removed.push(("saml_consumed", st.db.execute("DELETE FROM saml_consumed WHERE expires_at < ?1 RETURNING 1", params![now])?.len()));
    let mut pending = 0;
    for k in st.kv.keys()? {
        let Some(deadline) = crate::kv_deadline(&k, st.kv.get(&k)?.as_deref()) else { continue };
        if deadline < now {
            st.kv.delete(&k)?;
            pending += 1;
        }
    }
    removed.push(("pending_saml_requests", pending));
    let total: usize = removed.iter().map(|(_, n)| n).sum();
    eprintln!("sso: cleanup removed {total} expired records");
    Reply::json(
        200,
        &CleanupReport {
            now: common::rome::iso_utc(now),
            removed: removed.iter().map(|(k, n)| ((*k).to_string(), *n)).collect(),
            summary: format!("Rimossi {total} record scaduti."),
        },
    )
}

/// What `POST /jobs/cleanup` answers.
#[derive(Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CleanupReport {
    /// When the job ran (ISO 8601, UTC).
    pub now: String,
    /// How many records of each kind it removed.
    pub removed: std::collections::BTreeMap<String, usize>,
    pub summary: String,
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    let limit = |method: &str, path: &str| match method {
        "POST" if path.starts_with("/auth/") => common::http::BodyLimit::bytes(MAX_FORM),
        m => common::http::BodyLimit::for_method(m),
    };
    common::http::serve(incoming, out, limit, |req| async move {
        let stores = common::sql::open().and_then(|db| Ok((db, common::kv::open()?)));
        match stores {
            Ok((db, kv)) => handle(&req, &Stores { db: &db, kv: &kv, idp_dir: Path::new("/idp") }),
            Err(e) => Reply::from(e),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use common::kv::MemKv;
    use common::sql::testing;

    use super::*;

    const SECRET: &str = "s3cr3t-abcdefghijklmnopqrstuvwxyz012345";

    fn stores<'a>(db: &'a rusqlite::Connection, kv: &'a MemKv) -> Stores<'a> {
        Stores { db, kv, idp_dir: Path::new("/nonexistent") }
    }

    #[test]
    fn login_starts_are_limited_per_client_and_in_all() {
        let db = testing::migrated();
        let from = |addr: &str, now: i64| Req::new("GET", "/auth/spid/login").header_set("spin-client-addr", addr).var_set("login_starts_per_client", "3").var_set("login_starts_per_minute", "5").at(now);
        for _ in 0..3 {
            throttle_login_starts(&from("10.0.0.1:1", 100), &db).unwrap();
        }
        let e = throttle_login_starts(&from("10.0.0.1:2", 110), &db).unwrap_err();
        assert_eq!((e.status, e.code, e.retry_after), (429, "login_rate_limited", Some(50)));
        throttle_login_starts(&from("10.0.0.2:1", 110), &db).unwrap();
        throttle_login_starts(&from("10.0.0.3:1", 110), &db).unwrap();
        assert_eq!(throttle_login_starts(&from("10.0.0.4:1", 110), &db).unwrap_err().code, "login_rate_limited", "global limit");
        throttle_login_starts(&from("10.0.0.1:1", 161), &db).unwrap();
        // the refusal is a page with Retry-After for a browser
        let kv = MemKv::default();
        let r = handle(&from("10.0.0.9:1", 200).var_set("login_starts_per_minute", "0"), &stores(&db, &kv));
        assert!(r.status >= 400);
    }

    #[test]
    fn cleanup_removes_what_expired_and_keeps_what_lives() {
        let db = access::testing::db();
        let kv = MemKv::default();
        let t = Timeouts { idle_secs: 1800, absolute_secs: 8 * 3600 };
        let live = session::create(&db, &access::testing::new(1), 10_000, t).unwrap();
        let idle = session::create(&db, &access::testing::new(1), 100, t).unwrap();
        kv::set_json(&kv, "saml-req:_old", &serde_json::json!({"deadline": 9_000})).unwrap();
        kv::set_json(&kv, "saml-req:_new", &serde_json::json!({"deadline": 20_000})).unwrap();
        kv.set("session:legacy", b"{}").unwrap();
        kv.set("other", b"x").unwrap();
        rate::hit(&db, "old", 100, 60, 5).unwrap().unwrap();
        rate::hit(&db, "new", 10_000, 60, 5).unwrap().unwrap();
        let req = |auth: &str| Req::new("POST", "/jobs/cleanup").header_set("authorization", auth).var_set("jobs_secret", SECRET).at(10_010);
        assert_eq!(handle(&req("Bearer wrong"), &stores(&db, &kv)).status, 403);
        let r = handle(&req(&format!("Bearer {SECRET}")), &stores(&db, &kv));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!((v["removed"]["sessions"].as_i64(), v["removed"]["rate_windows"].as_i64(), v["removed"]["pending_saml_requests"].as_i64()), (Some(1), Some(1), Some(2)));
        assert!(session::find(&db, &live, 10_010, t).unwrap().is_some());
        assert!(session::find(&db, &idle, 10_010, t).unwrap().is_none());
        assert_eq!(kv.keys().unwrap(), ["other", "saml-req:_new"]);
        // again: nothing more to remove
        let again: serde_json::Value = serde_json::from_slice(&handle(&req(&format!("Bearer {SECRET}")), &stores(&db, &kv)).body).unwrap();
        assert_eq!(again["summary"], "Rimossi 0 record scaduti.");
    }

    #[test]
    fn cns_needs_a_post_from_our_own_pages() {
        let base = Req::new("POST", "/auth/cns/login").var_set("base_url", "https://lavoro.example.it");
        assert!(same_origin(&base.clone().header_set("origin", "https://lavoro.example.it"), "https://lavoro.example.it"));
        assert!(!same_origin(&base.clone().header_set("origin", "https://evil.example"), "https://lavoro.example.it"));
        assert!(same_origin(&base.clone().header_set("sec-fetch-site", "same-origin"), "https://lavoro.example.it"));
        assert!(!same_origin(&base.clone().header_set("sec-fetch-site", "cross-site"), "https://lavoro.example.it"));
        assert!(!same_origin(&base, "https://lavoro.example.it"), "neither header: refused");
        let db = testing::migrated();
        let kv = MemKv::default();
        let page = handle(&Req::new("GET", "/auth/cns/login").var_set("cns_client_cert_header", "x-client-cert"), &stores(&db, &kv));
        assert_eq!(page.status, 200);
        assert!(String::from_utf8_lossy(&page.body).contains("method=\"post\""), "the GET only shows a button");
        assert_eq!(handle(&Req::new("GET", "/auth/cns/login"), &stores(&db, &kv)).status, 403, "CNS off");
    }
}
