//! A logged-in person talking to the JSON APIs (session cookie and CSRF token, as the
//! pages' scripts do), and the development mailbox the tests read codes and links from.

use serde_json::Value;

use crate::{App, Reply, Start, demo_idp, no_redirects, read, request};

/// One JSON request, redirects not followed; `headers` are added as given.
pub fn json_request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&Value>) -> Reply {
    let a = no_redirects();
    let text = body.map(Value::to_string).unwrap_or_default();
    macro_rules! with_headers {
        ($r:expr) => {{
            let mut r = $r;
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            if body.is_some() {
                r = r.header("content-type", "application/json");
            }
            r
        }};
    }
    match method {
        "GET" => read(with_headers!(a.get(url)).call()),
        "DELETE" => read(with_headers!(a.delete(url)).call()),
        "POST" => read(with_headers!(a.post(url)).send(text.as_str())),
        "PUT" => read(with_headers!(a.put(url)).send(text.as_str())),
        "PATCH" => read(with_headers!(a.patch(url)).send(text.as_str())),
        other => panic!("unsupported method {other}"),
    }
}

/// `name=value` of the session cookie a login reply sets (other cookies aside).
pub fn session_cookie(reply: &Reply) -> String {
    reply
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap_or("").to_string())
        .find(|c| c.starts_with("__Host-tl_session=") && c.len() > "__Host-tl_session=".len())
        .unwrap_or_else(|| panic!("no session cookie in {:?}", reply.headers))
}

/// A person logged in through the demo IdP.
#[derive(Debug, Clone)]
pub struct Client {
    pub base: String,
    /// `name=value` for the `Cookie` header
    pub cookie: String,
    pub csrf: String,
    /// The test clock: requests carry `X-Dev-Now` (the portal must run with
    /// `dev_clock=true`); `None`: the real time.
    pub now: Option<i64>,
}

/// The header of the development test clock.
pub const DEV_NOW: &str = "x-dev-now";

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

impl Client {
    /// Logs in as the demo IdP's test identity `n` (SPID); also returns where the
    /// login landed (the ACS's `Location`).
    pub fn login(app: &App, n: usize) -> (Self, String) {
        let (acs, _) = demo_idp::login(app, n);
        assert_eq!(acs.status, 303, "{}\n{}", acs.body, app.log_text());
        let landed = acs.header("location").unwrap_or_default().to_string();
        (Self::with_cookie(app, session_cookie(&acs)), landed)
    }

    /// The session of a `Set-Cookie` value, with its CSRF token from `/api/session`.
    pub fn with_cookie(app: &App, cookie: String) -> Self {
        let me = request("GET", &app.url("/api/session"), &[("cookie", &cookie)], None).json_checked();
        assert_eq!(me["authenticated"], true, "{me}");
        Self { base: app.base.clone(), cookie, csrf: me["csrf_token"].as_str().unwrap().to_string(), now: None }
    }

    /// Nobody logged in: the same requests without a session cookie (nor a CSRF token
    /// that could match one).
    pub fn anonymous(app: &App) -> Self {
        Self { base: app.base.clone(), cookie: String::new(), csrf: String::new(), now: None }
    }

    /// The same person whose requests happen at unix time `now` (the test clock).
    pub fn at(&self, now: i64) -> Self {
        Self { now: Some(now), ..self.clone() }
    }

    /// The cookie, the test clock if any, and `extra`.
    fn headers<'a>(&'a self, now: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut h = Vec::new();
        if !self.cookie.is_empty() {
            h.push(("cookie", self.cookie.as_str()));
        }
        if self.now.is_some() {
            h.push((DEV_NOW, now));
        }
        h.extend_from_slice(extra);
        h
    }

    pub fn get(&self, path: &str) -> Reply {
        let now = self.now.unwrap_or(0).to_string();
        json_request("GET", &format!("{}{path}", self.base), &self.headers(&now, &[]), None)
    }

    /// A write with the CSRF token.
    pub fn send(&self, method: &str, path: &str, body: &Value) -> Reply {
        let body = (method != "DELETE").then_some(body);
        let now = self.now.unwrap_or(0).to_string();
        json_request(method, &format!("{}{path}", self.base), &self.headers(&now, &[("x-csrf-token", &self.csrf)]), body)
    }

    /// The same write without the CSRF token (a forged request).
    pub fn send_without_csrf(&self, method: &str, path: &str, body: &Value) -> Reply {
        let now = self.now.unwrap_or(0).to_string();
        json_request(method, &format!("{}{path}", self.base), &self.headers(&now, &[]), Some(body))
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, body)
    }

    pub fn put(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, body)
    }

    pub fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, &Value::Null)
    }

    /// A CV file as the pages upload it (`POST /api/cv`, `PUT /api/cv/<id>`, the
    /// operator's `POST /api/operator/cv?person=`): the bytes as the body, the form's
    /// fields as JSON in `X-CV-Meta`, with the CSRF token.
    pub fn upload(&self, method: &str, path: &str, bytes: &[u8], meta: &Value) -> Reply {
        let m: String = meta.to_string().bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
        let now = self.now.unwrap_or(0).to_string();
        let headers = self.headers(&now, &[("x-csrf-token", &self.csrf), ("x-cv-meta", &m), ("content-type", "application/octet-stream")]);
        crate::cvfiles::send_bytes(method, &format!("{}{path}", self.base), &headers, bytes)
    }

    /// A GET whose body is kept as bytes (a file download): status, headers, body.
    pub fn get_bytes(&self, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut r = no_redirects().get(&format!("{}{path}", self.base));
        if !self.cookie.is_empty() {
            r = r.header("cookie", &self.cookie);
        }
        if let Some(now) = self.now {
            r = r.header(DEV_NOW, now.to_string());
        }
        let mut resp = r.call().expect("HTTP request succeeds");
        let headers = resp.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut resp.body_mut().as_reader(), &mut bytes).unwrap();
        (resp.status().as_u16(), headers, bytes)
    }

    /// A form POST as a page's form sends it (the session cookie, the CSRF token in
    /// the `csrf_token` field), redirects not followed.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut form = vec![("csrf_token", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let now = self.now.unwrap_or(0).to_string();
        request("POST", &format!("{}{path}", self.base), &self.headers(&now, &[]), Some(&form))
    }

    /// `GET /api/session`
    pub fn session(&self) -> Value {
        self.get("/api/session").json_checked()
    }
}

/// The development mailbox's messages to `recipient`, newest first.
pub fn mailbox(app: &App, recipient: &str) -> Vec<Value> {
    let q: String = recipient.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let r = crate::get(&app.url(&format!("/api/dev/mailbox?recipient={q}"))).json_checked();
    r["items"].as_array().cloned().unwrap_or_default()
}

/// The newest message to `recipient` made from `template`.
pub fn last_message(app: &App, recipient: &str, template: &str) -> Value {
    mailbox(app, recipient)
        .into_iter()
        .find(|m| m["template"] == template)
        .unwrap_or_else(|| panic!("no `{template}` message to {recipient} in the mailbox"))
}

/// The code of the newest one-time-code message to `recipient`.
pub fn last_code(app: &App, recipient: &str) -> String {
    last_message(app, recipient, "otp")["params"]["code"].as_str().unwrap().to_string()
}

/// The link of the newest activation e-mail to `recipient`.
pub fn last_activation_link(app: &App, recipient: &str) -> String {
    last_message(app, recipient, "activation")["params"]["link"].as_str().unwrap().to_string()
}

/// A registration form for `client` with the demo identity's own e-mail and mobile (from
/// `GET /api/registration`), residence in Firenze, domicile the same, and `otp`.
pub fn citizen_form(client: &Client, otp: &str) -> Value {
    let pre = client.get("/api/registration").json_checked();
    let (email, mobile) = (pre["suggested"]["email"].as_str().unwrap(), pre["suggested"]["mobile"].as_str().unwrap());
    serde_json::json!({
        "kind": "citizen",
        "residence": {"comune": "048017", "cap": "50122", "address": "Via dei Calzaiuoli 7"},
        "domicile_same": true,
        "email": email, "email_confirm": email,
        "mobile": mobile, "otp": otp,
        "privacy_accepted": true, "privacy_version": pre["privacy"]["version"],
    })
}

/// Logs in as test identity `n` for the first time and completes the whole citizen
/// registration (SMS code, activation link from the mailbox): an active citizen.
pub fn registered_citizen(app: &App, n: usize) -> Client {
    let (client, landed) = Client::login(app, n);
    assert_eq!(landed, "/registrati/cittadino/", "identity {n} is registered already");
    let mut form = citizen_form(&client, "");
    let mobile = form["mobile"].as_str().unwrap().to_string();
    let sent = client.post("/api/registration/otp", &serde_json::json!({ "mobile": mobile }));
    assert_eq!(sent.status, 200, "{}", sent.body);
    form["otp"] = Value::String(last_code(app, sent.json()["sent_to"].as_str().unwrap()));
    let done = client.post("/api/registration", &form);
    assert_eq!(done.status, 201, "{}", done.body);
    let link = last_activation_link(app, form["email"].as_str().unwrap());
    let token = link.split("token=").nth(1).unwrap().to_string();
    let activated = client.post("/api/registration/activate", &serde_json::json!({ "token": token }));
    assert_eq!(activated.status, 200, "{}", activated.body);
    assert_eq!(client.session()["account"], "active");
    client
}

/// The portal with CNS login on: the TLS terminator's header `X-Client-Cert` and the
/// test CA of `components/sso/testdata`.
pub fn start_with_cns(state: &std::path::Path) -> Start<'_> {
    let ca = crate::root().join("components/sso/testdata/ca.crt");
    Start::portal(state)
        .arg("--variable")
        .arg("cns_client_cert_header=X-Client-Cert")
        .arg("--variable")
        .arg(format!("cns_ca_certificates=@{}", ca.display()))
}

/// The CNS login as the portal's page starts it: a form POST from the portal's origin,
/// with the card's certificate in the terminator's header (`None`: no card).
pub fn cns_login(app: &App, cert: Option<&str>) -> Reply {
    let mut headers = vec![("origin", app.base.as_str())];
    if let Some(c) = cert {
        headers.push(("x-client-cert", c));
    }
    crate::request("POST", &app.url("/auth/cns/login"), &headers, Some(&[]))
}

/// A test certificate of `components/sso/testdata` (`card.crt`: RSSMRA80A01D612Y) as the
/// terminator forwards it: URL-encoded PEM.
pub fn cns_header(file: &str) -> String {
    let pem = std::fs::read_to_string(crate::root().join("components/sso/testdata").join(file)).unwrap();
    pem.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
