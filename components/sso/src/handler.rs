//! The Spin handler: reads the request, calls the logic in the crate and the `saml`
//! crate, keeps state in the key-value store and SQLite.

use common::session::{self, Login, Session};
use common::kv::{get_json as kv_get, set_json as kv_set};
use common::{ApiError, Query, Reply, db, kv};
use saml::metadata::{Federation, REQUIRED_ATTRIBUTES};
use saml::response::{Context, Pending, Refusal};
use saml::{SigAlg, SigningKey};
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;
use spin_sdk::sqlite::Value;

use crate::registry::Trusted;
use crate::{PendingLogin, PendingLogout, Route, SessionView, pages, registry};

/// Largest form we read (a SAML Response is well under this).
const MAX_FORM: usize = 384 * 1024;

fn var(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok()
}

fn sp() -> Result<saml::metadata::SpInfo, ApiError> {
    crate::sp_info(var).map_err(ApiError::internal)
}

fn key() -> Result<SigningKey, ApiError> {
    let (k, c) = (var("sp_private_key").unwrap_or_default(), var("sp_certificate").unwrap_or_default());
    SigningKey::from_pem(&k, &c).map_err(|e| ApiError::internal(format!("SP key: {e}")))
}

fn idps(f: Federation, base_url: &str) -> Result<Vec<Trusted>, ApiError> {
    registry::load(f, base_url, |name| std::fs::read_to_string(format!("/idp/{name}")).map_err(|e| format!("/idp/{name}: {e}")))
        .map_err(|e| ApiError::internal(format!("IdP registry: {e}")))
}

fn html(status: u16, title: &str, content: &str) -> Reply {
    common::spin::message_page(status, title, content)
}

fn error_page(status: u16, title: &str, message: &str) -> Reply {
    html(status, title, &pages::error_body(title, message))
}

fn redirect(location: &str) -> Reply {
    Reply::see_other(location)
}

fn form(req: &Request) -> Result<Query, ApiError> {
    let body = req.body();
    if body.len() > MAX_FORM {
        return Err(ApiError::payload_too_large(MAX_FORM));
    }
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("invalid_form", "Dati del modulo non validi."))?;
    Ok(Query::parse_form(text))
}

#[http_component]
fn handle(req: Request) -> Response {
    let method = req.method().to_string();
    let path = req.path().to_string();
    let reply = match crate::route(&method, &path) {
        Ok(route) => dispatch(route, &req).unwrap_or_else(|e| {
            // Errors of browser flows are pages; API errors stay JSON.
            if path.starts_with("/auth/") && e.status != 405 && e.status < 500 {
                error_page(e.status, "Accesso non riuscito", &e.message)
            } else if path.starts_with("/auth/") && e.status >= 500 {
                error_page(500, "Servizio non disponibile", "Il servizio di accesso non è al momento disponibile. Riprova tra qualche minuto.")
            } else {
                Reply::from(e)
            }
        }),
        Err(e) => Reply::from(e),
    };
    reply.into()
}

fn dispatch(route: Route, req: &Request) -> Result<Reply, ApiError> {
    let now = common::rome::unix_now();
    match route {
        Route::Session => {
            // with the account's status and whom the person acts for, checked in the database
            let current = common::account::current(req)?;
            Reply::json(200, &SessionView::of(current.as_ref().map(|(_, s)| s)))
        }
        Route::Metadata(f) => {
            let xml = sp()?.metadata(f, &key()?, &format!("_{}-metadata", f.path())).map_err(ApiError::internal)?;
            let max_age = common::spin::number_variable("metadata_max_age", 3600);
            Ok(Reply::public(xml.into_bytes(), "application/samlmetadata+xml", max_age, common::spin::header(req, "if-none-match")))
        }
        Route::Idps => {
            let sp = sp()?;
            let items: Vec<serde_json::Value> = idps(Federation::Spid, &sp.base_url)?
                .iter()
                .map(|t| {
                    let q: String = form_urlencoded::Serializer::new(String::new()).append_pair("idp", &t.idp.entity_id).append_pair("level", "2").finish();
                    serde_json::json!({"entity_id": t.idp.entity_id, "name": t.idp.name, "login_url": format!("/auth/spid/login?{q}")})
                })
                .collect();
            Reply::public_json(&serde_json::json!({ "items": items }), 300, common::spin::header(req, "if-none-match"))
        }
        Route::Login(f) => login(f, req, now),
        Route::Acs(f) => acs(f, req, now),
        Route::Slo(f) => slo(f, req, now),
        Route::Cns => cns(req, now),
        Route::Logout => logout(req, now),
    }
}

fn login(f: Federation, req: &Request, now: i64) -> Result<Reply, ApiError> {
    let q = Query::parse(req.query())?;
    let sp = sp()?;
    let trusted = idps(f, &sp.base_url)?;
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
    let id = saml::xml::new_id();
    let relay_state = session::random_token()?[..32].to_string();
    let binding = if var("login_browser_binding").as_deref() == Some("false") { None } else { Some(session::random_token()?) };
    kv_set(
        &format!("saml-req:{id}"),
        &PendingLogin {
            federation: f.path().into(),
            idp: chosen.idp.entity_id.clone(),
            level,
            issue_instant: now,
            relay_state: relay_state.clone(),
            deadline: now + crate::LOGIN_WINDOW,
            browser: binding.as_deref().map(crate::browser_digest),
        },
    )?;
    let bind = |mut r: Reply| {
        if let Some(v) = &binding {
            r.headers.push(("set-cookie", crate::login_cookie(v, crate::LOGIN_WINDOW)));
        }
        r
    };
    let request = saml::authn::AuthnRequest { id: &id, issue_instant: now, destination: &destination, sp_entity_id: &sp.entity_id, level, acs_index: 0, attribute_index: 0 };
    let key = key()?;
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
fn first_use(conn: &spin_sdk::sqlite::Connection, id: &str, expires_at: i64, now: i64) -> Result<bool, ApiError> {
    db::query(conn, "DELETE FROM saml_consumed WHERE expires_at < ?", &[Value::Integer(now)])?;
    let r = db::query(
        conn,
        "INSERT INTO saml_consumed (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
        &[Value::Text(id.into()), Value::Integer(expires_at)],
    )?;
    Ok(r.rows().next().is_some())
}

fn refused(why: &str) -> ApiError {
    eprintln!("sso: response refused: {why}");
    ApiError::new(403, "saml_refused", "La risposta del gestore di identità non è valida o è scaduta. Ripeti l'accesso dall'inizio.")
}

fn acs(f: Federation, req: &Request, now: i64) -> Result<Reply, ApiError> {
    let form = form(req)?;
    let xml = saml::response::decode(form.get("SAMLResponse").ok_or_else(|| refused("no SAMLResponse"))?).map_err(|e| refused(&e.to_string()))?;
    let request_id = saml::response::in_response_to(&xml).ok_or_else(|| refused("no InResponseTo"))?;
    let pending: PendingLogin = kv_get(&format!("saml-req:{request_id}"))?.ok_or_else(|| refused("unknown or already used request id"))?;
    if pending.deadline < now || pending.federation != f.path() {
        return Err(refused("request expired or for another federation"));
    }
    if form.get("RelayState").is_some_and(|r| r != pending.relay_state) {
        return Err(refused("RelayState does not match the request"));
    }
    if !crate::same_browser(&pending, common::spin::header(req, "cookie")) {
        eprintln!("sso: response refused: posted by a browser that did not start the login (login CSRF?)");
        return Err(ApiError::new(
            403,
            "login_other_browser",
            "L'accesso è stato avviato da un altro browser o la pagina è rimasta aperta troppo a lungo. Ripeti l'accesso dall'inizio da questo browser.",
        ));
    }
    let sp = sp()?;
    let trusted = idps(f, &sp.base_url)?.into_iter().find(|t| t.idp.entity_id == pending.idp).ok_or_else(|| refused("IdP no longer trusted"))?;
    if trusted.accept_expired_certificate {
        eprintln!("sso: WARNING accepting expired certificates of test IdP {} (registry setting)", trusted.idp.entity_id);
    }
    let acs_url = sp.acs_url(f);
    let ctx = Context {
        sp_entity_id: &sp.entity_id,
        acs_url: &acs_url,
        idp: &trusted.idp,
        now,
        skew: i64::from(common::spin::number_variable("saml_clock_skew_seconds", 90)),
        accept_expired_idp_certificate: trusted.accept_expired_certificate,
        required_attributes: REQUIRED_ATTRIBUTES,
    };
    let p = Pending { request_id: request_id.clone(), issue_instant: pending.issue_instant, level: pending.level };
    let identity = match saml::response::validate(&xml, &p, &ctx) {
        Ok(identity) => identity,
        Err(Refusal::IdpError { code, status }) => {
            eprintln!("sso: IdP {} answered {status} (code {code:?})", pending.idp);
            let _ = kv::delete(&format!("saml-req:{request_id}"));
            return Ok(error_page(403, "Accesso non completato", saml::response::anomaly_message(code)));
        }
        Err(Refusal::Invalid(why)) => return Err(refused(&why)),
    };
    let conn = db::open()?;
    if !first_use(&conn, &format!("req:{request_id}"), pending.deadline, now)? || !first_use(&conn, &format!("assertion:{}:{}", pending.idp, identity.assertion_id), identity.not_on_or_after + 3600, now)? {
        return Err(refused("replayed response"));
    }
    let _ = kv::delete(&format!("saml-req:{request_id}"));
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
    start_session(&conn, &cf, &a("name"), &a("familyName"), &identity.attributes, login, now)
}

/// Finds or creates the person and opens a session: 303 to the home page with the cookie.
fn start_session(
    conn: &spin_sdk::sqlite::Connection,
    cf: &str,
    name: &str,
    family_name: &str,
    attributes: &std::collections::BTreeMap<String, String>,
    login: Login,
    now: i64,
) -> Result<Reply, ApiError> {
    let at = saml::xml::instant(now);
    let opt = |k: &str| attributes.get(k).map(|v| Value::Text(v.clone())).unwrap_or(Value::Null);
    let rows = db::query(
        conn,
        "INSERT INTO people (fiscal_code, name, family_name, date_of_birth, place_of_birth, gender, email, mobile_phone, last_method, last_idp, first_login_at, last_login_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (fiscal_code) DO UPDATE SET name = excluded.name, family_name = excluded.family_name,
           date_of_birth = coalesce(excluded.date_of_birth, date_of_birth), place_of_birth = coalesce(excluded.place_of_birth, place_of_birth),
           gender = coalesce(excluded.gender, gender), email = coalesce(excluded.email, email), mobile_phone = coalesce(excluded.mobile_phone, mobile_phone),
           last_method = excluded.last_method, last_idp = excluded.last_idp, last_login_at = excluded.last_login_at
         RETURNING id",
        &[
            Value::Text(cf.into()),
            Value::Text(name.into()),
            Value::Text(family_name.into()),
            opt("dateOfBirth"),
            opt("placeOfBirth"),
            opt("gender"),
            opt("email"),
            opt("mobilePhone"),
            Value::Text(login.method.clone()),
            login.idp.clone().map(Value::Text).unwrap_or(Value::Null),
            Value::Text(at.clone()),
            Value::Text(at),
        ],
    )?;
    let person_id = rows.rows().next().and_then(|r| r.get::<i64>("id")).ok_or_else(|| ApiError::internal("people upsert returned no id"))?;
    let account = common::account::status(conn, person_id)?;
    let s = Session {
        person_id,
        fiscal_code: cf.into(),
        name: name.into(),
        family_name: family_name.into(),
        login,
        csrf_token: session::random_token()?,
        created_at: now,
        last_seen: now,
        account,
        acting_as: None,
    };
    let id = session::create(&s)?;
    if let (Some(idp), Some(name_id)) = (&s.login.idp, &s.login.name_id) {
        let deadline = now + session::timeouts().absolute_secs;
        kv_set(&crate::name_id_key(idp, name_id), &crate::SessionRef { session_id: id.clone(), deadline })?;
    }
    eprintln!("sso: person {person_id} logged in with {} (level {})", s.login.method, s.login.level);
    let mut r = redirect(crate::landing(account));
    r.headers.push(("set-cookie", session::set_cookie(&id, session::timeouts().absolute_secs)));
    Ok(r)
}

fn logout(req: &Request, now: i64) -> Result<Reply, ApiError> {
    let form = form(req)?;
    let Some((id, _)) = session::current(req)? else {
        let mut r = redirect("/");
        r.headers.push(("set-cookie", session::clear_cookie()));
        return Ok(r);
    };
    let s = session::require_write(req, form.get("csrf_token"))?;
    session::delete(&id)?;
    eprintln!("sso: person {} logged out", s.person_id);
    let mut next = "/".to_string();
    if let (Some(idp), Some(name_id), Some(nq)) = (&s.login.idp, &s.login.name_id, &s.login.name_qualifier) {
        let f = if s.login.method == "cie" { Federation::Cie } else { Federation::Spid };
        let sp = sp()?;
        if let Some(t) = idps(f, &sp.base_url)?.into_iter().find(|t| &t.idp.entity_id == idp) {
            if let Some(slo) = &t.idp.slo_redirect {
                let lid = saml::xml::new_id();
                kv_set(&format!("saml-logout:{lid}"), &PendingLogout { idp: idp.clone(), deadline: now + crate::LOGIN_WINDOW })?;
                let xml = saml::authn::LogoutRequest { id: &lid, issue_instant: now, destination: slo, issuer: &sp.entity_id, name_id, name_qualifier: nq, session_index: s.login.session_index.as_deref() }.xml();
                next = saml::authn::redirect_url(slo, "SAMLRequest", &xml, "", &key()?, SigAlg::RsaSha256);
            }
        }
    }
    // The IdP is on another origin: a redirect answering the form's POST would be
    // checked against the pages' CSP `form-action 'self'` and blocked, so the way
    // on is a page that follows its link at once (autopost.js; a button without JS).
    let mut r = if next == "/" {
        redirect("/")
    } else {
        html(200, "Uscita in corso", &pages::continue_body(&next))
    };
    r.headers.push(("set-cookie", session::clear_cookie()));
    Ok(r)
}

/// The IdP's LogoutResponse (Redirect binding): the local session is already gone; we
/// check the answer and go home.
fn slo(f: Federation, req: &Request, now: i64) -> Result<Reply, ApiError> {
    let raw = req.query().to_string();
    let q = Query::parse(&raw)?;
    if q.get("SAMLRequest").is_some() || req.method().to_string() == "POST" {
        return idp_logout(f, req, &raw, now);
    }
    let b64 = q.get("SAMLResponse").ok_or_else(|| ApiError::bad_request("slo_unsupported", "Richiesta di disconnessione non riconosciuta."))?;
    let xml = saml::authn::inflate_redirect(b64, 64 * 1024).ok_or_else(|| ApiError::bad_request("slo_invalid", "Risposta di disconnessione non valida."))?;
    let doc = xml_sec::Document::parse(&xml).map_err(|_| ApiError::bad_request("slo_invalid", "Risposta di disconnessione non valida."))?;
    let irt = doc.root_element().attribute("InResponseTo").unwrap_or("").to_string();
    let pending: Option<PendingLogout> = kv_get(&format!("saml-logout:{irt}"))?;
    let sp = sp()?;
    let ok = pending.filter(|p| p.deadline >= now).and_then(|p| idps(f, &sp.base_url).ok()?.into_iter().find(|t| t.idp.entity_id == p.idp)).is_some_and(|t| {
        let signed = raw.split("&Signature=").next().unwrap_or("");
        saml::authn::verify_redirect(signed, q.get("SigAlg").unwrap_or(""), q.get("Signature").unwrap_or(""), &t.idp.certs)
    });
    let _ = kv::delete(&format!("saml-logout:{irt}"));
    if !ok {
        eprintln!("sso: LogoutResponse refused (unknown request or bad signature)");
    }
    Ok(html(200, "Sei uscito", "<h1>Sei uscito dall'area riservata</h1><p>La sessione è terminata. Per sicurezza chiudi il browser se usi un computer condiviso.</p><p><a href=\"/\">Torna alla pagina iniziale</a></p>"))
}

fn slo_refused(why: &str) -> ApiError {
    eprintln!("sso: IdP LogoutRequest refused: {why}");
    ApiError::bad_request("slo_invalid", "Richiesta di disconnessione non valida.")
}

/// Single logout started by the IdP (the person logged out there, or from another
/// service): a signed LogoutRequest, Redirect (GET) or POST binding. We end the
/// sessions it names and answer with a signed LogoutResponse (Redirect binding).
fn idp_logout(f: Federation, req: &Request, raw_query: &str, now: i64) -> Result<Reply, ApiError> {
    let post = req.method().to_string() == "POST";
    let params = if post { form(req)? } else { Query::parse(raw_query)? };
    let b64 = params.get("SAMLRequest").ok_or_else(|| slo_refused("no SAMLRequest"))?;
    let xml = if post {
        saml::response::decode(b64).map_err(|e| slo_refused(&e.to_string()))?
    } else {
        saml::authn::inflate_redirect(b64, 64 * 1024).ok_or_else(|| slo_refused("not base64 DEFLATE"))?
    };
    let sp = sp()?;
    let slo_url = sp.slo_url(f);
    let expect = saml::logout::Expect { destination: &slo_url, now, skew: i64::from(common::spin::number_variable("saml_clock_skew_seconds", 90)) };
    let request = saml::logout::parse_request(&xml, &expect).map_err(|e| slo_refused(&e))?;
    let trusted = idps(f, &sp.base_url)?.into_iter().find(|t| t.idp.entity_id == request.issuer).ok_or_else(|| slo_refused("unknown issuer"))?;
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
    let conn = db::open()?;
    if !first_use(&conn, &format!("logout:{}:{}", request.issuer, request.id), now + 3600, now)? {
        return Err(slo_refused("replayed"));
    }
    // End the session the assertion opened (if still there and still that person's),
    // and the one of this browser if it belongs to the same login.
    let browser = session::current(req)?.filter(|(_, s)| {
        s.login.idp.as_deref() == Some(request.issuer.as_str()) && s.login.name_id.as_deref() == Some(request.name_id.as_str())
    });
    let index_key = crate::name_id_key(&request.issuer, &request.name_id);
    let mut ended = 0;
    if let Some(r) = kv_get::<crate::SessionRef>(&index_key)? {
        if let Some(s) = kv_get::<Session>(&session::key(&r.session_id))? {
            let same_index = request.session_indexes.is_empty() || s.login.session_index.as_ref().is_none_or(|i| request.session_indexes.contains(i));
            if s.login.name_id.as_deref() == Some(request.name_id.as_str()) && same_index {
                session::delete(&r.session_id)?;
                ended += 1;
            }
        }
        kv::delete(&index_key)?;
    }
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
    let url = saml::authn::redirect_url(&destination, "SAMLResponse", &response, relay_state, &key()?, SigAlg::RsaSha256);
    let mut r = Reply { status: 302, headers: vec![("location", url), ("cache-control", "no-store".into())], body: Vec::new() };
    if let Some((id, _)) = browser {
        session::delete(&id)?;
        r.headers.push(("set-cookie", session::clear_cookie()));
    }
    Ok(r)
}

fn cns(req: &Request, now: i64) -> Result<Reply, ApiError> {
    let header_name = var("cns_client_cert_header").unwrap_or_default().to_ascii_lowercase();
    if header_name.is_empty() {
        return Ok(error_page(403, "Accesso con CNS non disponibile", "L'accesso con Carta Nazionale dei Servizi non è attivo su questo sito. Accedi con SPID o CIE."));
    }
    let Some(value) = common::spin::header(req, &header_name) else {
        return Ok(error_page(401, "Carta non rilevata", "Non è stato possibile leggere il certificato della tua Carta Nazionale dei Servizi. Inserisci la carta nel lettore, verifica che il PIN sia corretto e riprova."));
    };
    let cas = crate::cns::parse_bundle(&var("cns_ca_certificates").unwrap_or_default()).map_err(ApiError::internal)?;
    let holder = crate::cns::parse_header(value).and_then(|c| crate::cns::verify(&c, &cas, now));
    match holder {
        Ok(h) => {
            let conn = db::open()?;
            let login = Login { method: "cns".into(), idp: None, name_id: None, name_qualifier: None, session_index: None, level: 2 };
            start_session(&conn, &h.fiscal_code, &h.name, &h.family_name, &Default::default(), login, now)
        }
        Err(why) => {
            eprintln!("sso: CNS certificate refused: {why}");
            Ok(error_page(403, "Carta non accettata", "Il certificato della carta non è valido, è scaduto o non è stato emesso da un ente riconosciuto per la Carta Nazionale dei Servizi."))
        }
    }
}

