//! The Spin handler: key-value state, outbound HTTP to the portal (base_url).

use base64::Engine;
use common::kv::{self, Kv};
use common::page::esc;
use common::token::random_token;
use common::{ApiError, Reply, Req};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use spin_sdk::http::{IncomingRequest, Method, Request, Response, ResponseOutparam};

use crate::{b64, check_id_token, check_logout_token, client_name, cookie, verify};

const SECRET: &str = "demo-partner-secret";

#[derive(Serialize, Deserialize)]
struct Login {
    client_id: String,
    nonce: String,
    verifier: String,
}

#[derive(Serialize, Deserialize)]
struct DemoSession {
    client_id: String,
    given_name: String,
    family_name: String,
    fiscal_number: String,
    email: Option<String>,
    company_name: Option<String>,
    company_fiscal_code: Option<String>,
    company_role: Option<String>,
    ended: bool,
}

fn base(req: &Req) -> String {
    req.var_text("base_url").unwrap_or_else(|| "http://127.0.0.1:3000".into()).trim_end_matches('/').to_string()
}

fn page(status: u16, title: &str, content: &str) -> Reply {
    let html = format!(
        "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t} - Sito partner dimostrativo</title></head><body><header><p>Sito partner dimostrativo (solo sviluppo)</p></header><main><h1>{t}</h1>{content}</main></body></html>",
        t = esc(title)
    );
    Reply::uncached_html(status, html.into_bytes())
}

fn redirect(location: &str, cookie: Option<String>) -> Reply {
    let mut r = Reply::see_other(location);
    if let Some(c) = cookie {
        r.headers.push(("set-cookie", c));
    }
    r
}

async fn fetch(req: Request) -> Result<(u16, Value), String> {
    let resp: Response = spin_sdk::http::send(req).await.map_err(|e| format!("no answer: {e}"))?;
    let status = *resp.status();
    Ok((status, serde_json::from_slice(resp.body()).unwrap_or(Value::Null)))
}

async fn jwks(base: &str) -> Result<Value, String> {
    let (status, v) = fetch(Request::builder().method(Method::Get).uri(format!("{base}/oidc/jwks")).build()).await?;
    if status != 200 {
        return Err(format!("JWKS: HTTP {status}"));
    }
    Ok(v)
}

fn login(req: &Req, kv: &dyn Kv) -> Result<Reply, ApiError> {
    let q = req.query()?;
    let client_id = q.get("client_id").filter(|c| client_name(c).is_some()).ok_or_else(|| ApiError::bad_request("unknown_partner", "Sito partner sconosciuto."))?;
    let state = random_token()?;
    let l = Login { client_id: client_id.to_string(), nonce: random_token()?, verifier: random_token()? };
    kv::set_json(kv, &format!("demo-partner:login:{state}"), &l)?;
    let base = base(req);
    let mut a = form_urlencoded::Serializer::new(String::new());
    a.append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", &format!("{base}/demo-partner/callback"))
        .append_pair("scope", "openid profile email")
        .append_pair("state", &state)
        .append_pair("nonce", &l.nonce)
        .append_pair("code_challenge", &b64(&Sha256::digest(l.verifier.as_bytes())))
        .append_pair("code_challenge_method", "S256");
    if let Some(h) = q.get("login_hint") {
        a.append_pair("login_hint", h);
    }
    Ok(redirect(&format!("{base}/oidc/authorize?{}", a.finish()), Some(format!("demo_partner_state={state}; Path=/demo-partner; HttpOnly; SameSite=Lax"))))
}

fn refused(why: &str) -> Reply {
    eprintln!("demo-partner: sign-in refused: {why}");
    page(400, "Accesso non riuscito", &format!("<p>Il sito partner non ha potuto completare l'accesso ({}).</p><p><a href=\"/demo-partner/\">Torna al sito partner</a></p>", esc(why)))
}

async fn callback(req: &Req, kv: &dyn Kv) -> Result<Reply, ApiError> {
    let q = req.query()?;
    if let Some(e) = q.get("error") {
        return Ok(refused(&format!("il portale ha risposto {e}")));
    }
    let state = q.get("state").unwrap_or("");
    if cookie(req.header("cookie"), "demo_partner_state") != Some(state) || state.is_empty() {
        return Ok(refused("state diverso da quello del cookie"));
    }
    let key = format!("demo-partner:login:{state}");
    let Some(l) = kv::get_json::<Login>(kv, &key)? else { return Ok(refused("accesso già completato o sconosciuto")) };
    kv.delete(&key)?;
    let base = base(req);
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", q.get("code").unwrap_or(""))
        .append_pair("redirect_uri", &format!("{base}/demo-partner/callback"))
        .append_pair("code_verifier", &l.verifier)
        .finish();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{SECRET}", l.client_id));
    let token_req = Request::builder()
        .method(Method::Post)
        .uri(format!("{base}/oidc/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Basic {basic}"))
        .body(form.into_bytes())
        .build();
    let (status, tokens) = match fetch(token_req).await {
        Ok(x) => x,
        Err(e) => return Ok(refused(&e)),
    };
    if status != 200 {
        return Ok(refused(&format!("token endpoint: {}", tokens["error"].as_str().unwrap_or("errore"))));
    }
    let keys = match jwks(&base).await {
        Ok(k) => k,
        Err(e) => return Ok(refused(&e)),
    };
    let Some((_, claims)) = verify(tokens["id_token"].as_str().unwrap_or(""), &keys) else { return Ok(refused("firma dell'ID token non valida")) };
    if let Err(what) = check_id_token(&claims, &base, &l.client_id, &l.nonce, req.now) {
        return Ok(refused(&format!("ID token: {what} non valido")));
    }
    let info_req = Request::builder().method(Method::Get).uri(format!("{base}/oidc/userinfo")).header("authorization", format!("Bearer {}", tokens["access_token"].as_str().unwrap_or(""))).build();
    let info = match fetch(info_req).await {
        Ok((200, v)) if v["sub"] == claims["sub"] => v,
        Ok((s, _)) => return Ok(refused(&format!("userinfo: HTTP {s}"))),
        Err(e) => return Ok(refused(&e)),
    };
    let text = |k: &str| info[k].as_str().map(str::to_string);
    let s = DemoSession {
        client_id: l.client_id.clone(),
        given_name: text("given_name").unwrap_or_default(),
        family_name: text("family_name").unwrap_or_default(),
        fiscal_number: text("fiscal_number").unwrap_or_default(),
        email: text("email"),
        company_name: text("company_name"),
        company_fiscal_code: text("company_fiscal_code"),
        company_role: text("company_role"),
        ended: false,
    };
    let id = random_token()?;
    kv::set_json(kv, &format!("demo-partner:session:{id}"), &s)?;
    if let Some(sid) = claims["sid"].as_str() {
        kv::set_json(kv, &format!("demo-partner:sid:{}:{sid}", l.client_id), &id)?;
    }
    Ok(redirect("/demo-partner/", Some(format!("demo_partner_session={id}; Path=/demo-partner; HttpOnly; SameSite=Lax"))))
}

fn home(req: &Req, kv: &dyn Kv) -> Result<Reply, ApiError> {
    let s = match cookie(req.header("cookie"), "demo_partner_session") {
        Some(id) => kv::get_json::<DemoSession>(kv, &format!("demo-partner:session:{id}"))?,
        None => None,
    };
    let entra = "<p><a href=\"/demo-partner/login?client_id=demo-gg\">Entra in Garanzia Giovani (demo) con il portale</a></p>";
    let Some(s) = s else {
        return Ok(page(200, "Sito partner dimostrativo", &format!("<p>Nessun accesso in corso.</p>{entra}")));
    };
    let site = client_name(&s.client_id).unwrap_or("");
    if s.ended {
        return Ok(page(200, site, &format!("<p id=\"stato\">Sessione terminata: sei uscito dal portale.</p>{entra}")));
    }
    let mut body = format!(
        "<p id=\"stato\">Accesso effettuato tramite il portale.</p><dl><dt>Persona</dt><dd id=\"persona\">{} {}</dd><dt>Codice fiscale</dt><dd>{}</dd><dt>E-mail</dt><dd>{}</dd>",
        esc(&s.given_name),
        esc(&s.family_name),
        esc(s.fiscal_number.trim_start_matches("TINIT-")),
        esc(s.email.as_deref().unwrap_or("-"))
    );
    if let Some(c) = &s.company_name {
        body.push_str(&format!(
            "<dt>Azienda</dt><dd id=\"azienda\">{} (codice fiscale {})</dd><dt>Ruolo</dt><dd>{}</dd>",
            esc(c),
            esc(s.company_fiscal_code.as_deref().unwrap_or("-")),
            esc(s.company_role.as_deref().unwrap_or("-"))
        ));
    }
    body.push_str("</dl>");
    Ok(page(200, site, &body))
}

async fn backchannel_logout(req: &Req, kv: &dyn Kv) -> Result<Reply, ApiError> {
    let bad = |why: &str| {
        eprintln!("demo-partner: logout token refused: {why}");
        Reply::json(400, &serde_json::json!({"error": "invalid_request", "error_description": why})).unwrap_or_else(Reply::from)
    };
    let form = req.form()?;
    let Some(token) = form.get("logout_token") else { return Ok(bad("logout_token is required")) };
    let base = base(req);
    let keys = match jwks(&base).await {
        Ok(k) => k,
        Err(e) => return Ok(bad(&e)),
    };
    let Some((header, claims)) = verify(token, &keys) else { return Ok(bad("signature")) };
    let (aud, sid) = match check_logout_token(&header, &claims, &base, req.now) {
        Ok(x) => x,
        Err(what) => return Ok(bad(what)),
    };
    if let Some(id) = kv::get_json::<String>(kv, &format!("demo-partner:sid:{aud}:{sid}"))?
        && let Some(mut s) = kv::get_json::<DemoSession>(kv, &format!("demo-partner:session:{id}"))?
    {
        s.ended = true;
        kv::set_json(kv, &format!("demo-partner:session:{id}"), &s)?;
        eprintln!("demo-partner: session of {aud} ended by the portal");
    }
    let mut r = Reply { status: 200, headers: vec![("cache-control", "no-store".into())], body: Vec::new() };
    r.headers.push(("content-type", "text/plain".into()));
    Ok(r)
}

async fn route(req: Req) -> Reply {
    let kv = match kv::open() {
        Ok(k) => k,
        Err(e) => return Reply::from(e),
    };
    let r = match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/demo-partner/" | "/demo-partner") => home(&req, &kv),
        ("GET", "/demo-partner/login") => login(&req, &kv),
        ("GET", "/demo-partner/callback") => callback(&req, &kv).await,
        ("POST", "/demo-partner/backchannel-logout") => backchannel_logout(&req, &kv).await,
        _ => Err(ApiError::not_found()),
    };
    r.unwrap_or_else(Reply::from)
}

#[spin_sdk::http_component]
async fn serve(incoming: IncomingRequest, out: ResponseOutparam) {
    common::http::serve(incoming, out, |m, _| common::http::BodyLimit::for_method(m), route).await
}
