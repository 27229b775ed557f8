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

/// The SAML Response the demo IdP gives for its test identity `n` (0–7), as the form
/// fields its page would post: `[("SAMLResponse", …), ("RelayState", …)]`.
pub fn response_for(app: &App, n: usize) -> Vec<(String, String)> {
    let start = request("GET", &app.url(&format!("/auth/spid/login?idp={SPID_IDP}&level=2")), &[], None);
    assert_eq!(start.status, 302, "{}", start.body);
    let chooser = request("GET", start.header("location").unwrap(), &[], None);
    assert_eq!(chooser.status, 200, "{}", chooser.body);
    let fields = [("request_id", input(&chooser.body, "request_id")), ("level", input(&chooser.body, "level")), ("relay_state", input(&chooser.body, "relay_state"))];
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let idx = n.to_string();
    form.extend([("identity", idx.as_str()), ("action", "login")]);
    let posted = request("POST", &app.url("/test-idp/spid/login"), &[], Some(&form));
    assert_eq!(posted.status, 200, "{}", posted.body);
    vec![("SAMLResponse".to_string(), input(&posted.body, "SAMLResponse")), ("RelayState".to_string(), input(&posted.body, "RelayState"))]
}

/// Posts a Response to our ACS, as the IdP's page does.
pub fn post_to_acs(app: &App, response: &[(String, String)]) -> Reply {
    let pairs: Vec<(&str, &str)> = response.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    request("POST", &app.url("/auth/spid/acs"), &[], Some(&pairs))
}

/// Logs in at the demo IdP as its identity `n`; returns the ACS reply and the posted form.
pub fn login(app: &App, n: usize) -> (Reply, Vec<(String, String)>) {
    let response = response_for(app, n);
    (post_to_acs(app, &response), response)
}
