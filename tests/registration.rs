//! Registration (A1), profile (A2), acting as a company (A3) and company registration
//! (B1) end to end: the demo IdP's logins, SMS codes and activation links read from the
//! development mailbox, the session's account status and whom it acts for.
//!
//! Test identities (config/test-idp): 0 Mario Rossi is registered and active in the demo
//! data (db/seed/0004_demo_accounts.sql) with an incarico for ACME S.R.L.; the others
//! are not registered. Demo companies (db/seed/0003_companies.sql): 1 ACME S.R.L.
//! (01234560488), 2 GPI S.P.A., 3 ETRURIA LAVORO S.P.A. (agency, 07777770509), 4 STUDIO
//! ASSOCIATO BIANCHI & NERI (professional firm, 02468021007).

use e2e::client::{Client, DEV_NOW, citizen_form, cns_header, cns_login, json_request, last_activation_link, last_code, last_message, mailbox, registered_citizen, start_with_cns, unix_now};
use e2e::{App, Reply, Start, get, request};
use serde_json::json;

const ACME: &str = "01234560488";
const GPI: &str = "06543210485";
const AGENCY: &str = "07777770509";
const FIRM: &str = "02468021007";
/// A valid partita IVA that is not in the demo registry.
const NOT_REGISTERED: &str = "12345670017";

fn start(state: &std::path::Path) -> App {
    Start::portal(state).start()
}

fn start_with(state: &std::path::Path, vars: &[(&str, &str)]) -> App {
    let mut s = Start::portal(state);
    for (k, v) in vars {
        s = s.arg("--variable").arg(format!("{k}={v}"));
    }
    s.start()
}

/// The `error.code` of a JSON error reply (and checks the envelope).
fn code(r: &Reply) -> String {
    let v = r.json();
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {}", r.body)).to_string()
}

/// The `(field, code)` pairs of a 422 reply.
fn fields(r: &Reply) -> Vec<(String, String)> {
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(code(r), "invalid_fields");
    r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
            (f["field"].as_str().unwrap().to_string(), f["code"].as_str().unwrap().to_string())
        })
        .collect()
}

fn has(fields: &[(String, String)], field: &str, code: &str) -> bool {
    fields.iter().any(|(f, c)| f == field && c == code)
}

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap().to_string()
}

/// Posts the activation form, as the button on the link's page does.
fn press_activate(app: &App, token: &str, cookie: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = cookie.map(|c| vec![("cookie", c)]).unwrap_or_default();
    request("POST", &app.url("/api/registration/activate"), &headers, Some(&[("token", token)]))
}

#[test]
fn first_login_registration_sms_code_activation_link_then_an_active_citizen() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (giulia, landed) = Client::login(&app, 1);
    assert_eq!(landed, "/registrati/cittadino/", "the first login goes to the registration form");
    let me = giulia.session();
    assert_eq!((me["account"].as_str(), me["acting_as"].is_null()), (Some("unregistered"), true), "{me}");
    // nothing personal before the registration
    assert_eq!(code(&giulia.get("/api/profile")), "registration_required");
    assert_eq!(giulia.get("/api/session/act-as").status, 403);

    // the form, pre-filled from the identity (read-only where the IdP gave the data)
    let pre = giulia.get("/api/registration").json_checked();
    assert_eq!(pre["status"], "unregistered");
    assert_eq!(pre["person"]["fiscal_code"], "BNCGLI92L63G999D");
    assert_eq!((pre["person"]["name"].as_str(), pre["person"]["family_name"].as_str()), (Some("Giulia"), Some("Bianchi")));
    assert_eq!(pre["person"]["date_of_birth"], "1992-07-23");
    assert_eq!(pre["person"]["place_of_birth"]["name"], "Prato");
    assert_eq!(pre["person"]["place_of_birth"]["province"], "PO");
    assert_eq!(pre["read_only"], json!({"fiscal_code": true, "name": true, "family_name": true, "date_of_birth": true, "place_of_birth": true}));
    assert_eq!(pre["suggested"]["email"], "giulia.bianchi@example.org");
    assert_eq!(pre["privacy"]["url"], "/privacy/");
    assert!(pre["declaration"]["text"].as_str().unwrap().contains("sotto la mia responsabilità"));
    assert_eq!(pre["roles"].as_array().unwrap().len(), 3);

    // the comuni autocomplete of the address fields
    let comuni = get(&app.url("/api/ref/comuni?q=prat")).json_checked();
    assert!(comuni["items"].as_array().unwrap().iter().any(|c| c["code"] == "100005" && c["name"] == "Prato" && c["sigla"] == "PO"), "{comuni}");

    // "Richiedi codice OTP": a write, so the CSRF token is needed
    let mobile = json!({"mobile": "338 987 6543"});
    assert_eq!(code(&giulia.send_without_csrf("POST", "/api/registration/otp", &mobile)), "csrf_token_invalid");
    let sent = giulia.post("/api/registration/otp", &mobile).json_checked();
    assert_eq!(sent["sent_to"], "+393389876543");
    assert_eq!(sent["resend_in"], 60);
    let again = giulia.post("/api/registration/otp", &mobile);
    assert_eq!((again.status, code(&again).as_str()), (429, "otp_too_soon"), "a new code only after 60 seconds");
    assert!(again.header("retry-after").is_some_and(|s| s.parse::<u32>().unwrap() <= 60));
    let sms = last_message(&app, "+393389876543", "otp");
    assert_eq!(sms["channel"], "sms");
    let otp = sms["params"]["code"].as_str().unwrap().to_string();
    assert!(otp.len() == 6 && otp.bytes().all(|b| b.is_ascii_digit()), "{otp}");

    // "Registrati"
    let mut form = citizen_form(&giulia, &otp);
    form["mobile"] = json!("+39 338 9876543");
    form["domicile_same"] = json!(false);
    form["domicile"] = json!({"comune": "100005", "cap": "59100", "address": "Via Pistoiese 3"});
    let done = giulia.post("/api/registration", &form);
    assert_eq!(done.status, 201, "{}", done.body);
    let done = done.json();
    assert_eq!((done["status"].as_str(), done["email"].as_str()), (Some("pending"), Some("giulia.bianchi@example.org")));
    assert_eq!(done["activation_expires_in_hours"], 48);
    assert_eq!(giulia.session()["account"], "pending");

    // until the link is opened: no services, and a login lands on the "not active" page
    assert_eq!(code(&giulia.get("/api/profile")), "account_not_active");
    let (second, landed) = Client::login(&app, 1);
    assert_eq!(landed, "/accedi/non-attivo/");
    assert_eq!(second.get("/api/registration").json_checked()["pending"]["email"], "giulia.bianchi@example.org");

    // the e-mail's link shows a page with a button; opening it changes nothing (mail
    // scanners open links too)
    let mail = last_message(&app, "giulia.bianchi@example.org", "activation");
    assert!(mail["body"].as_str().unwrap().contains("Gentile Giulia"), "{mail}");
    let link = last_activation_link(&app, "giulia.bianchi@example.org");
    assert!(link.starts_with(&format!("{}/api/registration/activate?token=", app.base)), "{link}");
    let page = get(&link);
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    assert!(page.body.contains("action=\"/api/registration/activate\"") && page.body.contains("Attiva il profilo"), "{}", page.body);
    assert_eq!(giulia.session()["account"], "pending");

    // the button: activates, updates this browser's session, goes to the confirmation page
    let token = token_of(&link);
    let pressed = press_activate(&app, &token, Some(&giulia.cookie));
    assert_eq!(pressed.status, 303, "{}", pressed.body);
    assert_eq!(pressed.header("location"), Some("/registrati/attivato/"));
    assert_eq!(giulia.session()["account"], "active");
    // the other browser's session sees it at its next call
    assert_eq!(second.session()["account"], "active");

    let profile = giulia.get("/api/profile").json_checked();
    assert_eq!(profile["status"], "active");
    assert_eq!(profile["person"]["place_of_birth"]["name"], "Prato");
    assert_eq!(profile["residence"]["comune"]["name"], "Firenze");
    assert_eq!(profile["residence"]["cap"], "50122");
    assert_eq!(profile["domicile_same"], false);
    assert_eq!(profile["domicile"]["comune"]["name"], "Prato");
    assert_eq!((profile["mobile"].as_str(), profile["mobile_verified"].as_bool()), (Some("+393389876543"), Some(true)));
    assert_eq!(profile["email_verified"], true, "the activation link proves the address");
    assert!(profile["privacy"]["accepted_at"].as_str().unwrap().ends_with('Z'));

    // the link again: refused, on a page, saying the profile is active already
    let reused = press_activate(&app, &token, None);
    assert_eq!(reused.status, 409);
    assert!(reused.header("content-type").unwrap().starts_with("text/html"));
    assert!(reused.body.contains("già attivo"), "{}", reused.body);
    assert_eq!(get(&link).status, 409);
    let reused_json = json_request("POST", &app.url("/api/registration/activate"), &[], Some(&json!({"token": token})));
    assert_eq!(code(&reused_json), "already_active");

    // the same person can never register twice
    let twice = giulia.post("/api/registration", &citizen_form(&giulia, &otp));
    assert_eq!((twice.status, code(&twice).as_str()), (409, "already_registered"));
    assert_eq!(giulia.post("/api/registration/otp", &mobile).status, 409);
    let (_, landed) = Client::login(&app, 1);
    assert_eq!(landed, "/");
}

#[test]
fn company_registration_incarichi_and_acting_as_a_company() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (francesca, _) = Client::login(&app, 2);

    // Registrati → Azienda: "Cerca" by partita IVA or codice fiscale, before registering
    let found = francesca.get(&format!("/api/companies/lookup?code=IT{ACME}")).json_checked();
    assert_eq!(found["company"]["name"], "ACME S.R.L.");
    assert_eq!(found["company"]["kind"], "company");
    assert!(found["incarico"].is_null());
    let coop = francesca.get("/api/companies/lookup?code=94000010499").json_checked();
    assert_eq!(coop["company"]["vat_number"], "01122330499", "found by codice fiscale");
    let missing = francesca.get(&format!("/api/companies/lookup?code={NOT_REGISTERED}"));
    assert_eq!((missing.status, code(&missing).as_str()), (404, "company_not_found"));
    assert_eq!(fields(&francesca.get("/api/companies/lookup?code=01234560489")), [("code".to_string(), "invalid_check_digit".to_string())]);

    let sent = francesca.post("/api/registration/otp", &json!({"mobile": "3205551234"})).json_checked();
    let mut form = citizen_form(&francesca, &last_code(&app, sent["sent_to"].as_str().unwrap()));
    form["kind"] = json!("company");
    form["company"] = json!({"code": ACME, "role": "delegato", "declaration_accepted": true, "declaration_version": "2026-01"});
    let done = francesca.post("/api/registration", &form);
    assert_eq!(done.status, 201, "{}", done.body);
    assert_eq!(done.json()["company"]["name"], "ACME S.R.L.");
    // the same activation e-mail
    let token = token_of(&last_activation_link(&app, "francesca.esposito@example.org"));
    assert_eq!(code(&francesca.get("/api/session/act-as")), "account_not_active", "no company before the activation");
    assert_eq!(json_request("POST", &app.url("/api/registration/activate"), &[], Some(&json!({"token": token}))).json_checked()["status"], "active");

    // Il mio profilo → Aziende: the incarico taken at registration
    let companies = francesca.get("/api/profile/companies").json_checked();
    let items = companies["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{companies}");
    assert_eq!((items[0]["company"]["name"].as_str(), items[0]["role"].as_str()), (Some("ACME S.R.L."), Some("delegato")));
    assert_eq!(items[0]["role_label"], "Delegato");
    let acme_id = items[0]["company_id"].as_i64().unwrap();
    let acme_incarico = items[0]["id"].as_i64().unwrap();

    // Agenzie and Professionista: the same with "Inserisci incarico"
    let no_declaration = francesca.post("/api/profile/agencies", &json!({"code": AGENCY, "role": "altro"}));
    assert_eq!(fields(&no_declaration), [("declaration_accepted".to_string(), "required".to_string())]);
    let wrong_section = francesca.post("/api/profile/companies", &json!({"code": AGENCY, "role": "altro", "declaration_accepted": true}));
    assert_eq!(fields(&wrong_section), [("code".to_string(), "other_section".to_string())]);
    assert!(wrong_section.body.contains("Agenzie"), "{}", wrong_section.body);
    let agency = francesca.post("/api/profile/agencies", &json!({"code": AGENCY, "role": "rappresentante_legale", "declaration_accepted": true}));
    assert_eq!(agency.status, 201, "{}", agency.body);
    let agency = agency.json();
    assert_eq!(agency["company"]["kind"], "agency");
    let firm = francesca.post("/api/profile/professional", &json!({"code": FIRM, "role": "altro", "declaration_accepted": true}));
    assert_eq!(firm.status, 201, "{}", firm.body);
    let again = francesca.post("/api/profile/companies", &json!({"code": ACME, "role": "altro", "declaration_accepted": true}));
    assert_eq!((again.status, code(&again).as_str()), (409, "incarico_exists"));
    let forged = francesca.send_without_csrf("POST", "/api/profile/companies", &json!({"code": GPI, "role": "altro", "declaration_accepted": true}));
    assert_eq!(code(&forged), "csrf_token_invalid");
    assert_eq!(francesca.get("/api/profile/agencies").json_checked()["items"].as_array().unwrap().len(), 1);

    // A3: the name in the header lists every company; choosing one changes the session
    let choice = francesca.get("/api/session/act-as").json_checked();
    assert!(choice["acting_as"].is_null());
    let names: Vec<&str> = choice["options"].as_array().unwrap().iter().map(|o| o["company"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ACME S.R.L.", "ETRURIA LAVORO S.P.A.", "STUDIO ASSOCIATO BIANCHI & NERI CONSULENTI DEL LAVORO"]);
    let acting = francesca.post("/api/session/act-as", &json!({"company_id": acme_id}));
    assert_eq!(acting.status, 200, "{}", acting.body);
    let me = francesca.session();
    assert_eq!((me["acting_as"]["name"].as_str(), me["acting_as"]["company_id"].as_i64()), (Some("ACME S.R.L."), Some(acme_id)));
    assert_eq!(me["person"]["family_name"], "Esposito");

    // not for a company without an incarico: refused, and the session stays as it was
    let gpi = francesca.get(&format!("/api/companies/lookup?code={GPI}")).json_checked()["company"]["id"].as_i64().unwrap();
    let refused = francesca.post("/api/session/act-as", &json!({"company_id": gpi}));
    assert_eq!((refused.status, code(&refused).as_str()), (403, "incarico_required"));
    assert_eq!(francesca.session()["acting_as"]["name"], "ACME S.R.L.");
    assert_eq!(code(&francesca.post("/api/session/act-as", &json!({"company_id": 999999}))), "incarico_required");
    assert_eq!(code(&francesca.post("/api/session/act-as", &json!({}))), "invalid_request");

    // back to "cittadino", then to the agency
    assert!(francesca.post("/api/session/act-as", &json!({"citizen": true})).json_checked()["acting_as"].is_null());
    assert!(francesca.session()["acting_as"].is_null());
    francesca.post("/api/session/act-as", &json!({"company_id": agency["company_id"]})).json_checked();

    // the incarico is re-checked in the database on every call: revoked from another
    // browser, the acting session falls back to acting as a citizen
    let (other, _) = Client::login(&app, 2);
    let path = format!("/api/profile/agencies/{}", agency["id"]);
    assert_eq!(other.delete(&format!("/api/profile/companies/{}", agency["id"])).status, 404, "not in that section");
    assert_eq!(other.delete(&path).json_checked()["revoked"], agency["id"]);
    assert_eq!(code(&other.delete(&path)), "incarico_not_found");
    assert!(francesca.session()["acting_as"].is_null(), "the revoked incarico no longer counts");
    assert_eq!(code(&francesca.post("/api/session/act-as", &json!({"company_id": agency["company_id"]}))), "incarico_required");

    // revoking the incarico of the company one acts for ends acting for it
    francesca.post("/api/session/act-as", &json!({"company_id": acme_id})).json_checked();
    let revoked = francesca.delete(&format!("/api/profile/companies/{acme_incarico}")).json_checked();
    assert!(revoked["acting_as"].is_null());
    assert!(francesca.session()["acting_as"].is_null());
    assert_eq!(francesca.get("/api/profile/companies").json_checked()["items"].as_array().unwrap().len(), 0);
    // and it can be taken again
    assert_eq!(francesca.post("/api/profile/companies", &json!({"code": ACME, "role": "altro", "declaration_accepted": true})).status, 201);
}

#[test]
fn the_demo_citizen_acts_only_for_his_own_company() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (mario, landed) = Client::login(&app, 0);
    assert_eq!(landed, "/", "registered and active in the demo data");
    let me = mario.session();
    assert_eq!(me["account"], "active");
    let options = mario.get("/api/session/act-as").json_checked()["options"].clone();
    assert_eq!(options.as_array().unwrap().len(), 1, "{options}");
    assert_eq!(options[0]["company"]["name"], "ACME S.R.L.");
    assert_eq!(options[0]["role"], "rappresentante_legale");
    let acme = options[0]["company_id"].as_i64().unwrap();
    for other in 2..=6 {
        let r = mario.post("/api/session/act-as", &json!({"company_id": other}));
        assert_eq!((r.status, code(&r).as_str()), (403, "incarico_required"), "company {other}");
    }
    mario.post("/api/session/act-as", &json!({"company_id": acme})).json_checked();
    assert_eq!(mario.session()["acting_as"]["name"], "ACME S.R.L.");
    // someone not registered cannot act for anyone
    let (lorenzo, _) = Client::login(&app, 3);
    assert_eq!(code(&lorenzo.post("/api/session/act-as", &json!({"company_id": acme}))), "registration_required");
    assert!(lorenzo.session()["acting_as"].is_null());
}

#[test]
fn every_field_error_of_the_registration_form() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (lorenzo, _) = Client::login(&app, 3);

    // nothing filled in: every required field, each with its Italian message
    let empty = fields(&lorenzo.post("/api/registration", &json!({})));
    for field in ["residence.comune", "residence.cap", "residence.address", "domicile.comune", "domicile.cap", "domicile.address", "email", "mobile", "privacy_accepted"] {
        assert!(has(&empty, field, "required"), "{field}: {empty:?}");
    }
    let r = lorenzo.post("/api/registration", &json!({}));
    assert_eq!(r.json()["error"]["message"], "Alcuni dati inseriti non sono corretti: controlla i campi segnalati.");
    assert!(r.body.contains("Inserisci l'indirizzo e-mail"), "{}", r.body);

    // wrong values, field by field
    let bad = json!({
        "kind": "bank",
        "residence": {"comune": "999999", "cap": "501", "address": "Via Roma 1"},
        "domicile_same": false,
        "domicile": {"comune": "048017", "cap": "59100", "address": "x".repeat(200)},
        "email": "lorenzo.conti@example", "email_confirm": "x",
        "mobile": "055 123456",
        "privacy_accepted": false,
    });
    let f = fields(&lorenzo.post("/api/registration", &bad));
    for (field, c) in [
        ("kind", "invalid_choice"),
        ("residence.comune", "unknown_comune"),
        ("residence.cap", "invalid_format"),
        ("domicile.cap", "cap_mismatch"),
        ("domicile.address", "too_long"),
        ("email", "invalid_format"),
        ("mobile", "landline"),
        ("privacy_accepted", "required"),
    ] {
        assert!(has(&f, field, c), "{field} {c}: {f:?}");
    }
    let r = lorenzo.post("/api/registration", &bad);
    assert!(r.body.contains("Il CAP 59100 non corrisponde al comune di Firenze"), "{}", r.body);

    // good addresses; now the contacts and the code
    let mut form = citizen_form(&lorenzo, "");
    form["email_confirm"] = json!("lorenzo.conti@example.com");
    form["privacy_version"] = json!("2020-01");
    let f = fields(&lorenzo.post("/api/registration", &form));
    assert_eq!(
        f,
        [("email_confirm".to_string(), "mismatch".to_string()), ("privacy_version".to_string(), "outdated".to_string()), ("otp".to_string(), "required".to_string())]
    );
    for (mobile, c) in [("+44 7700 900123", "not_italian"), ("347 12", "invalid_length"), ("800 123456", "not_mobile"), ("abc", "invalid_format")] {
        let f = fields(&lorenzo.post("/api/registration/otp", &json!({ "mobile": mobile })));
        assert_eq!(f, [("mobile".to_string(), c.to_string())], "{mobile}");
    }
    let mut form = citizen_form(&lorenzo, "000000");
    lorenzo.post("/api/registration/otp", &json!({"mobile": form["mobile"]})).json_checked();
    let right = last_code(&app, form["mobile"].as_str().unwrap());
    if right == "000000" {
        form["otp"] = json!("111111");
    }
    assert_eq!(fields(&lorenzo.post("/api/registration", &form)), [("otp".to_string(), "otp_wrong".to_string())]);
    form["otp"] = json!("12345");
    assert_eq!(fields(&lorenzo.post("/api/registration", &form)), [("otp".to_string(), "otp_wrong".to_string())]);

    // the company block (B1)
    form["otp"] = json!(right);
    form["kind"] = json!("company");
    let f = fields(&lorenzo.post("/api/registration", &form));
    assert!(has(&f, "company.code", "required"), "{f:?}");
    form["company"] = json!({"code": "01234560489", "role": "capo"});
    let f = fields(&lorenzo.post("/api/registration", &form));
    for (field, c) in [("company.code", "invalid_check_digit"), ("company.role", "invalid_choice"), ("company.declaration_accepted", "required")] {
        assert!(has(&f, field, c), "{field}: {f:?}");
    }
    form["company"] = json!({"code": NOT_REGISTERED, "role": "delegato", "declaration_accepted": true});
    assert_eq!(fields(&lorenzo.post("/api/registration", &form)), [("company.code".to_string(), "not_found".to_string())]);

    // the code was right once: the number stays verified while the form is corrected
    form["company"] = json!({"code": GPI, "role": "rappresentante_legale", "declaration_accepted": true});
    form["otp"] = json!("");
    assert_eq!(lorenzo.post("/api/registration", &form).status, 201);

    // requests that are not the form at all
    let (chiara, _) = Client::login(&app, 4);
    let not_json = json_request("POST", &app.url("/api/registration"), &[("cookie", &chiara.cookie), ("x-csrf-token", &chiara.csrf)], None);
    assert_eq!((not_json.status, code(&not_json).as_str()), (415, "unsupported_media_type"));
    let wrong_type = chiara.post("/api/registration", &json!({"privacy_accepted": "sì"}));
    assert_eq!(code(&wrong_type), "invalid_json");
    let unknown = chiara.post("/api/registration", &json!({"privacy_accepted": true, "is_admin": true}));
    assert_eq!((unknown.status, code(&unknown).as_str()), (400, "invalid_json"));
    let huge = chiara.post("/api/registration", &json!({"residence": {"address": "x".repeat(70_000)}}));
    assert_eq!((huge.status, code(&huge).as_str()), (413, "payload_too_large"));
    assert!(!app.log_text().contains(" 500 ") && !app.log_text().contains("internal error"), "no internal errors:\n{}", app.log_text());
}

#[test]
fn cns_login_birth_date_typed_and_checked_against_the_fiscal_code() {
    let state = tempfile::tempdir().unwrap();
    let app = start_with_cns(state.path()).start();
    let login = cns_login(&app, Some(&cns_header("card.crt")));
    assert_eq!(login.status, 303, "{}", login.body);
    assert_eq!(login.header("location"), Some("/registrati/cittadino/"));
    let card = Client::with_cookie(&app, e2e::client::session_cookie(&login));

    // the card gives the code and the names only: the date is to be typed (suggested
    // from the code), the place is read from the code
    let pre = card.get("/api/registration").json_checked();
    assert_eq!(pre["person"]["fiscal_code"], "RSSMRA80A01D612Y");
    assert_eq!(pre["read_only"]["date_of_birth"], false);
    assert_eq!(pre["person"]["date_of_birth"], "1980-01-01");
    assert_eq!(pre["person"]["place_of_birth"]["name"], "Firenze");
    assert_eq!(pre["read_only"]["place_of_birth"], true);
    assert!(pre["suggested"]["email"].is_null());

    let mut form = json!({
        "residence": {"comune": "048017", "cap": "50100", "address": "Piazza della Signoria 1"},
        "domicile_same": true,
        "email": "m.rossi80@example.org", "email_confirm": "M.Rossi80@example.org",
        "mobile": "0039 333 1112222", "privacy_accepted": true,
    });
    let sent = card.post("/api/registration/otp", &json!({"mobile": form["mobile"]})).json_checked();
    assert_eq!(sent["sent_to"], "+393331112222");
    form["otp"] = json!(last_code(&app, "+393331112222"));
    assert_eq!(fields(&card.post("/api/registration", &form)), [("date_of_birth".to_string(), "required".to_string())]);
    form["date_of_birth"] = json!("1981-01-01");
    assert_eq!(fields(&card.post("/api/registration", &form)), [("date_of_birth".to_string(), "fiscal_code_mismatch".to_string())]);
    form["date_of_birth"] = json!("01/01/1980");
    assert_eq!(fields(&card.post("/api/registration", &form)), [("date_of_birth".to_string(), "invalid_format".to_string())]);
    form["date_of_birth"] = json!("1980-01-01");
    let done = card.post("/api/registration", &form);
    assert_eq!(done.status, 201, "{}", done.body);
    // the generic CAP of Firenze is accepted
    assert_eq!(mailbox(&app, "m.rossi80@example.org").len(), 1);
}

#[test]
fn expired_codes_and_links_superseded_and_reused_links() {
    let state = tempfile::tempdir().unwrap();
    // the test clock moves each request past the deadlines: nothing waits for them
    let app = start_with(state.path(), &[("otp_ttl_seconds", "300"), ("otp_resend_seconds", "60"), ("activation_ttl_seconds", "600"), ("dev_clock", "true")]);
    let (chiara, _) = Client::login(&app, 4);
    let t0 = unix_now();
    let mut form = citizen_form(&chiara, "");
    let mobile = form["mobile"].as_str().unwrap().to_string();

    // an SMS code past its validity
    chiara.at(t0).post("/api/registration/otp", &json!({ "mobile": mobile })).json_checked();
    let old = last_code(&app, &mobile);
    form["otp"] = json!(old);
    assert_eq!(fields(&chiara.at(t0 + 301).post("/api/registration", &form)), [("otp".to_string(), "otp_expired".to_string())]);
    // a new one works; the old one is not it; another one only after the resend wait
    chiara.at(t0 + 302).post("/api/registration/otp", &json!({ "mobile": mobile })).json_checked();
    let new = last_code(&app, &mobile);
    let too_soon = chiara.at(t0 + 303).post("/api/registration/otp", &json!({ "mobile": mobile }));
    assert_eq!((too_soon.status, code(&too_soon).as_str(), too_soon.header("retry-after")), (429, "otp_too_soon", Some("59")), "{}", too_soon.body);
    let verified = chiara.at(t0 + 304).post("/api/registration/otp/verify", &json!({ "mobile": mobile, "code": new }));
    assert_eq!(verified.json_checked()["verified"], true);
    let replay = chiara.at(t0 + 305).post("/api/registration/otp/verify", &json!({ "mobile": mobile, "code": new }));
    assert_eq!(code(&replay), "otp_used");
    form["otp"] = json!("");
    assert_eq!(chiara.at(t0 + 306).post("/api/registration", &form).status, 201);

    // an activation link past its validity: refused with a page that says what to do
    let email = form["email"].as_str().unwrap();
    let first = token_of(&last_activation_link(&app, email));
    let later = (t0 + 306 + 601).to_string();
    let page = e2e::get_with(&app.url(&format!("/api/registration/activate?token={first}")), &[(DEV_NOW, &later)]);
    assert_eq!(page.status, 410);
    assert!(page.body.contains("scaduto") && page.body.contains("/accedi/"), "{}", page.body);
    let expired = request("POST", &app.url("/api/registration/activate"), &[("cookie", &chiara.cookie), (DEV_NOW, &later)], Some(&[("token", &first)]));
    assert_eq!(expired.status, 410);
    let chiara = chiara.at(t0 + 908);
    assert_eq!(chiara.session()["account"], "pending");

    // "resend the link" (from the "not active" page), with a corrected address
    let resend = chiara.post("/api/registration/activation/resend", &json!({"email": "chiara.r@example.org", "email_confirm": "chiara.r@example.org"}));
    assert_eq!(resend.json_checked()["email"], "chiara.r@example.org");
    let too_soon = chiara.at(t0 + 930).post("/api/registration/activation/resend", &json!({}));
    assert_eq!((too_soon.status, code(&too_soon).as_str()), (429, "resend_limit"));
    chiara.at(t0 + 969).post("/api/registration/activation/resend", &json!({})).json_checked();
    let links: Vec<String> = mailbox(&app, "chiara.r@example.org").iter().map(|m| m["params"]["link"].as_str().unwrap().to_string()).collect();
    assert_eq!(links.len(), 2);
    // the older of the two new links was replaced by the newer one
    let superseded = json_request("POST", &app.url("/api/registration/activate"), &[], Some(&json!({"token": token_of(&links[1])})));
    assert_eq!((superseded.status, code(&superseded).as_str()), (410, "activation_superseded"));
    let garbage = json_request("POST", &app.url("/api/registration/activate"), &[], Some(&json!({"token": "x' OR 1=1 --"})));
    assert_eq!((garbage.status, code(&garbage).as_str()), (404, "activation_invalid"));
    assert_eq!(get(&app.url("/api/registration/activate")).status, 404);
}

#[test]
fn a_used_link_cannot_be_used_again() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (sofia, _) = Client::login(&app, 6);
    let sent = sofia.post("/api/registration/otp", &json!({"mobile": "329 777 8899"})).json_checked();
    let form = citizen_form(&sofia, &last_code(&app, sent["sent_to"].as_str().unwrap()));
    assert_eq!(sofia.post("/api/registration", &form).status, 201);
    let token = token_of(&last_activation_link(&app, "sofia.gallo@example.org"));
    // opened on another device, without a session
    assert_eq!(press_activate(&app, &token, None).status, 303);
    let used = json_request("POST", &app.url("/api/registration/activate"), &[], Some(&json!({"token": token})));
    assert_eq!((used.status, code(&used).as_str()), (409, "already_active"));
    // the session of the browser that registered sees the activation
    assert_eq!(sofia.session()["account"], "active");
    assert_eq!(code(&sofia.post("/api/registration/activation/resend", &json!({}))), "already_active");
}

#[test]
fn sms_code_brute_force_is_stopped() {
    let state = tempfile::tempdir().unwrap();
    let app = start_with(state.path(), &[("otp_resend_seconds", "60"), ("otp_max_per_hour", "3"), ("dev_clock", "true")]);
    let (alessandro, _) = Client::login(&app, 5);
    let t0 = unix_now();
    let alessandro = alessandro.at(t0);
    let mobile = json!({"mobile": "+393404445566"});
    alessandro.post("/api/registration/otp", &mobile).json_checked();
    let right = last_code(&app, "+393404445566");
    let wrong = if right == "999999" { "999998" } else { "999999" };
    let guess = |c: &str| alessandro.post("/api/registration/otp/verify", &json!({"mobile": "+393404445566", "code": c}));
    for left in [4, 3, 2, 1] {
        let r = guess(wrong);
        assert_eq!((r.status, code(&r).as_str()), (400, "otp_wrong"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains(if left == 1 { "un tentativo" } else { "tentativi" }), "{}", r.body);
    }
    let fifth = guess(wrong);
    assert_eq!((fifth.status, code(&fifth).as_str()), (429, "otp_burned"));
    let after = guess(&right);
    assert_eq!((after.status, code(&after).as_str()), (429, "otp_burned"), "the right code no longer works");

    // guesses in parallel cannot get more tries: the counter is atomic
    let alessandro = alessandro.at(t0 + 61);
    alessandro.post("/api/registration/otp", &mobile).json_checked();
    let right = last_code(&app, "+393404445566");
    let wrong = if right == "999999" { "999998" } else { "999999" };
    let outcomes: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..12).map(|_| s.spawn(|| code(&guess(wrong)))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|c| *c == "otp_wrong").count(), 4, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|c| *c == "otp_burned").count(), 8, "{outcomes:?}");
    assert_eq!(code(&guess(&right)), "otp_burned");
    // and a code is not in the form either
    let mut form = citizen_form(&alessandro, &right);
    form["mobile"] = json!("+393404445566");
    assert_eq!(fields(&alessandro.post("/api/registration", &form)), [("otp".to_string(), "otp_burned".to_string())]);

    // codes per hour are limited too
    alessandro.at(t0 + 122).post("/api/registration/otp", &mobile).json_checked();
    let limited = alessandro.at(t0 + 183).post("/api/registration/otp", &mobile);
    assert_eq!((limited.status, code(&limited).as_str()), (429, "otp_limit"));
    assert!(limited.json()["error"]["message"].as_str().unwrap().contains("minuti"));
}

#[test]
fn profile_edits_and_new_contacts_verified_again() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (mario, _) = Client::login(&app, 0);
    let profile = mario.get("/api/profile").json_checked();
    assert_eq!(profile["residence"]["address"], "Via dei Calzaiuoli 1");
    assert_eq!(profile["person"]["place_of_birth"]["name"], "Firenze");
    let mut edit = json!({
        "residence": {"comune": "049009", "cap": "57123", "address": "Via Grande 5"},
        "domicile_same": true,
        "email": profile["email"], "email_confirm": profile["email"],
        "mobile": profile["mobile"],
    });
    // an address alone needs no code
    let changed = mario.put("/api/profile", &edit).json_checked();
    assert_eq!(changed["residence"]["comune"]["name"], "Livorno");
    assert_eq!(changed["residence"]["comune"]["province"], "LI");

    // a new mobile number: verified by SMS before it replaces the old one
    edit["mobile"] = json!("347 000 1111");
    assert_eq!(fields(&mario.put("/api/profile", &edit)), [("mobile_otp".to_string(), "required".to_string())]);
    let unchanged = mario.post("/api/profile/otp", &json!({"channel": "sms", "mobile": profile["mobile"]}));
    assert_eq!(fields(&unchanged), [("mobile".to_string(), "unchanged".to_string())]);
    mario.post("/api/profile/otp", &json!({"channel": "sms", "mobile": "347 000 1111"})).json_checked();
    edit["mobile_otp"] = json!(last_code(&app, "+393470001111"));
    // a new e-mail address: verified with a code sent to it
    edit["email"] = json!("mario.rossi@example.net");
    edit["email_confirm"] = json!("mario.rossi@example.net");
    assert_eq!(fields(&mario.put("/api/profile", &edit)), [("email_otp".to_string(), "required".to_string())]);
    let sent = mario.post("/api/profile/otp", &json!({"channel": "email", "email": "mario.rossi@example.net"})).json_checked();
    assert_eq!(sent["channel"], "email");
    let mail = last_message(&app, "mario.rossi@example.net", "otp");
    assert_eq!(mail["channel"], "email");
    assert!(mail["body"].as_str().unwrap().starts_with("Gentile Mario"), "{mail}");
    edit["email_otp"] = json!(mail["params"]["code"]);
    let saved = mario.put("/api/profile", &edit).json_checked();
    assert_eq!((saved["mobile"].as_str(), saved["email"].as_str()), (Some("+393470001111"), Some("mario.rossi@example.net")));
    assert_eq!((saved["mobile_verified"].as_bool(), saved["email_verified"].as_bool()), (Some(true), Some(true)));
    assert_eq!(code(&mario.send_without_csrf("PUT", "/api/profile", &edit)), "csrf_token_invalid");
    // bad values as in the registration form
    edit["residence"] = json!({"comune": "049009", "cap": "50122", "address": ""});
    let f = fields(&mario.put("/api/profile", &edit));
    assert!(has(&f, "residence.cap", "cap_mismatch") && has(&f, "residence.address", "required"), "{f:?}");
}

#[test]
fn company_lookup_is_rate_limited() {
    let state = tempfile::tempdir().unwrap();
    let app = start_with(state.path(), &[("company_lookup_per_hour", "3")]);
    let (mario, _) = Client::login(&app, 0);
    for c in [ACME, GPI, NOT_REGISTERED] {
        assert_ne!(mario.get(&format!("/api/companies/lookup?code={c}")).status, 429);
    }
    let limited = mario.get(&format!("/api/companies/lookup?code={AGENCY}"));
    assert_eq!((limited.status, code(&limited).as_str()), (429, "lookup_limit"));
    assert!(limited.header("retry-after").is_some());
    // taking an incarico looks the registry up too
    assert_eq!(mario.post("/api/profile/agencies", &json!({"code": AGENCY, "role": "altro", "declaration_accepted": true})).status, 429);
    // another person has an allowance of their own
    let giulia = registered_citizen(&app, 1);
    assert_eq!(giulia.get(&format!("/api/companies/lookup?code={ACME}")).status, 200);
}

#[test]
fn personal_endpoints_need_a_session() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let cases: &[(&str, &str)] = &[
        ("GET", "/api/registration"),
        ("POST", "/api/registration"),
        ("POST", "/api/registration/otp"),
        ("POST", "/api/registration/otp/verify"),
        ("POST", "/api/registration/activation/resend"),
        ("GET", "/api/profile"),
        ("PUT", "/api/profile"),
        ("POST", "/api/profile/otp"),
        ("GET", "/api/profile/companies"),
        ("POST", "/api/profile/companies"),
        ("GET", "/api/profile/agencies"),
        ("POST", "/api/profile/agencies"),
        ("GET", "/api/profile/professional"),
        ("POST", "/api/profile/professional"),
        ("DELETE", "/api/profile/companies/1"),
        ("GET", "/api/companies/lookup?code=01234560488"),
        ("GET", "/api/session/act-as"),
        ("POST", "/api/session/act-as"),
    ];
    for (method, path) in cases {
        let body = (*method != "GET" && *method != "DELETE").then(|| json!({}));
        let r = json_request(method, &app.url(path), &[], body.as_ref());
        assert_eq!(r.status, 401, "{method} {path}: {}", r.body);
        assert_eq!(code(&r), "unauthenticated", "{method} {path}");
        assert_eq!(r.header("cache-control"), Some("no-store"));
        // a forged cookie is no session either
        let forged = json_request(method, &app.url(path), &[("cookie", &format!("__Host-tl_session={}", "ab".repeat(32)))], body.as_ref());
        assert_eq!(forged.status, 401, "{method} {path}");
    }
    assert_eq!(json_request("DELETE", &app.url("/api/profile"), &[], None).status, 405);
}
