//! The back office as the tests drive it over HTTP: who the demo identities are, roles
//! granted by an administrator, an offer form an operator publishes, acting for a
//! company, a CV uploaded and an application made as the pages do.

use serde_json::{Value, json};

use crate::App;
use crate::client::{Client, registered_citizen};

/// The codici fiscali of the demo IdP's test identities 0–7 (`config/test-idp`).
pub const CF: [&str; 8] = [
    "RSSMRA85C14D612R", // 0 Mario Rossi: registered in the demo data, incarico for ACME S.R.L.
    "BNCGLI92L63G999D", // 1 Giulia Bianchi
    "SPSFNC78S45F839M", // 2 Francesca Esposito
    "CNTLNZ01B28G702J", // 3 Lorenzo Conti
    "RCCCHR69P70E625Q", // 4 Chiara Ricci
    "RMNLSN90T10H501D", // 5 Alessandro Romano
    "GLLSFO04E58D612H", // 6 Sofia Gallo
    "DNGNCL75H21E625J", // 7 Niccolò D'Angelo
];

/// The demo identities' e-mail addresses (where the development mailbox finds their mail).
pub const EMAIL: [&str; 8] = [
    "mario.rossi@example.org",
    "giulia.bianchi@example.org",
    "francesca.esposito@example.org",
    "lorenzo.conti@example.org",
    "chiara.ricci@example.org",
    "alessandro.romano@example.org",
    "sofia.gallo@example.org",
    "niccolo.dangelo@example.org",
];

/// ACME S.R.L. (demo company 1), for which Mario Rossi holds an incarico.
pub const ACME: i64 = 1;
/// GPI S.P.A. (demo company 2), by its codice fiscale.
pub const GPI_CODE: &str = "06543210485";
/// Firenze (ISTAT), where `registered_citizen` puts everyone's residence.
pub const FIRENZE: &str = "048017";

/// `POST /api/admin/roles` as `admin`: the new role's id.
pub fn grant(admin: &Client, fiscal_code: &str, role: &str, cpi: Option<&str>) -> i64 {
    let r = admin.post("/api/admin/roles", &json!({ "fiscal_code": fiscal_code, "role": role, "cpi": cpi }));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// A complete offer form for `company_id`, in Firenze, open until `deadline`
/// (`YYYY-MM-DD`), taking applications online with one requirement of its own.
pub fn offer_form(occupation: &str, deadline: &str, company_id: i64) -> Value {
    json!({
        "offer_type": "preselezione", "contract_type": "tempo-determinato",
        "occupation": occupation, "description": format!("Cercasi {occupation} per ristorante in centro a Firenze."),
        "experience_required": true, "experience_description": "Almeno un anno nella stessa qualifica", "places": 2, "work_mode": "full time",
        "how_to_apply": "Candidatura online con preselezione del Centro per l'impiego.", "own_transport_required": false,
        "locations": [FIRENZE], "deadline": deadline, "company_id": company_id, "application_mode": "online",
        "requirements": ["Attestato HACCP in corso di validità"],
    })
}

/// `POST /api/operator/offers` as `operator`: the offer as the answer shows it.
pub fn publish(operator: &Client, form: &Value) -> Value {
    let r = operator.post("/api/operator/offers", form);
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

/// Logs in as identity `n` (already registered: the demo data's Mario Rossi) and acts
/// for `company_id`.
pub fn acting_for(app: &App, n: usize, company_id: i64) -> Client {
    let (c, _) = Client::login(app, n);
    c.post("/api/session/act-as", &json!({ "company_id": company_id })).json_checked();
    c
}

/// Registers identity `n`, takes an incarico (delegato) for the company with codice
/// fiscale `code` and acts for it.
pub fn registered_delegate(app: &App, n: usize, code: &str) -> Client {
    let c = registered_citizen(app, n);
    let added = c.post("/api/profile/companies", &json!({ "code": code, "role": "delegato", "declaration_accepted": true }));
    assert_eq!(added.status, 201, "{}", added.body);
    c.post("/api/session/act-as", &json!({ "company_id": added.json()["company_id"] })).json_checked();
    c
}

/// A small DOCX CV with `text`, as the CV tests make them.
pub fn cv_file(text: &str) -> Vec<u8> {
    crate::cvfiles::docx(text)
}

/// The CV form's fields for an upload (`X-CV-Meta`).
pub fn cv_meta(description: &str) -> Value {
    json!({ "description": description, "search_consent": false, "territories": [], "file_name": "curriculum.docx" })
}

/// `POST /api/cv` as `c`: the new CV's id.
pub fn upload_cv(c: &Client, bytes: &[u8], description: &str) -> i64 {
    let r = c.upload("POST", "/api/cv", bytes, &cv_meta(description));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// `POST /api/applications` as `c` for offer `code` with CV `cv_id`, declaring every
/// requirement the form lists. Returns the reply.
pub fn apply(c: &Client, code: &str, cv_id: i64) -> crate::Reply {
    let form = c.get(&format!("/api/applications/form?offer={code}")).json_checked();
    let n = form["requirements"].as_array().unwrap().len();
    c.post("/api/applications", &json!({ "offer": code, "cv_id": cv_id, "declarations": vec![true; n] }))
}
