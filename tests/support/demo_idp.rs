//! Logging in through the demo IdP (`test-idp`) over plain HTTP, as a browser would:
//! our AuthnRequest, the IdP's identity chooser, its signed Response posted to our ACS.

use crate::{App, Reply, request};

/// The demo SPID IdP's entity ID, URL-encoded for `/auth/spid/login?idp=`.
pub const SPID_IDP: &str = "urn%3Atoscana-lavoro%3Ademo-idp%3Aspid";

/// The value of `<input name="{name}" value="...">` in a page.
pub fn input(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no input {name} in {html}")) + name.len() + 15;
    html[at..].split('"').next().unwrap().replace("&amp;", "&").replace("&quot;", "\"")
}

/// `name=value` of the reply's `Set-Cookie`, for a `Cookie` header.
pub fn cookie(reply: &Reply) -> String {
    let c = reply.header("set-cookie").expect("a session cookie");
    c.split(';').next().unwrap().to_string()
}

/// What the demo IdP's page posts to our ACS, and the login cookie our login start gave
/// the browser (the Response is accepted only with it: login CSRF protection).
#[derive(Debug, Clone)]
pub struct Posted {
    /// `[("SAMLResponse", …), ("RelayState", …)]`
    pub form: Vec<(String, String)>,
    /// `name=value` for a `Cookie` header
    pub cookie: String,
}

impl Posted {
    pub fn saml_response(&self) -> &str {
        &self.form[0].1
    }
}

/// The SAML Response the demo IdP gives for its test identity `n` (0–7).
pub fn response_for(app: &App, n: usize) -> Posted {
    response_with(app, n, "")
}

/// As [`response_for`], the login started with `extra` appended to its query
/// (e.g. `&next=%2Fofferte%2FFI-1`).
pub fn response_with(app: &App, n: usize, extra: &str) -> Posted {
    let start = request("GET", &app.url(&format!("/auth/spid/login?idp={SPID_IDP}&level=2{extra}")), &[], None);
    assert_eq!(start.status, 302, "{}", start.body);
    let login_cookie = cookie(&start);
    let chooser = request("GET", start.header("location").unwrap(), &[], None);
    assert_eq!(chooser.status, 200, "{}", chooser.body);
    let fields = [("request_id", input(&chooser.body, "request_id")), ("level", input(&chooser.body, "level")), ("relay_state", input(&chooser.body, "relay_state"))];
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let idx = n.to_string();
    form.extend([("identity", idx.as_str()), ("action", "login")]);
    let posted = request("POST", &app.url("/test-idp/spid/login"), &[], Some(&form));
    assert_eq!(posted.status, 200, "{}", posted.body);
    Posted {
        form: vec![("SAMLResponse".to_string(), input(&posted.body, "SAMLResponse")), ("RelayState".to_string(), input(&posted.body, "RelayState"))],
        cookie: login_cookie,
    }
}

/// Posts a Response to our ACS, as the IdP's page does, from the browser that started
/// the login (with its login cookie) or, with `cookie` empty, from another one.
pub fn post_to_acs_with(app: &App, posted: &Posted, cookie: &str) -> Reply {
    let pairs: Vec<(&str, &str)> = posted.form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let headers: Vec<(&str, &str)> = if cookie.is_empty() { vec![] } else { vec![("cookie", cookie)] };
    request("POST", &app.url("/auth/spid/acs"), &headers, Some(&pairs))
}

/// Posts a Response to our ACS from the browser that started the login.
pub fn post_to_acs(app: &App, posted: &Posted) -> Reply {
    post_to_acs_with(app, posted, &posted.cookie)
}

/// Logs in at the demo IdP as its identity `n`; returns the ACS reply and what was posted.
pub fn login(app: &App, n: usize) -> (Reply, Posted) {
    let posted = response_for(app, n);
    (post_to_acs(app, &posted), posted)
}
