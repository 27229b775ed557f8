//! The back office natively through [`super::handle`], against the real migrations and
//! reference data: roles granted and revoked by an administrator (and the bootstrap
//! administrators), the CPI an operator works for, offers published, edited and closed
//! as the public tables see them, drafts, the audit log, and everyone else refused.

use access::testing::{req, seed, sign_in};
use common::Req;
use common::sql::{Db, testing};
use serde_json::{Value, json};

use super::handle;

const T0: i64 = 1_800_000_000; // 2027-01-15
const MARIO: &str = "RSSMRA85C14D612R";

fn db() -> rusqlite::Connection {
    let c = testing::with_reference();
    seed(&c);
    c
}

struct Who<'a> {
    db: &'a rusqlite::Connection,
    id: String,
    csrf: String,
}

impl Who<'_> {
    fn call(&self, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = req(method, target, &self.id, T0).header_set("x-csrf-token", &self.csrf).var_set("bootstrap_admins", MARIO);
        if let Some(b) = body {
            r = r.json_body(&b);
        }
        let reply = handle(&r, self.db);
        (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }
}

fn who(db: &rusqlite::Connection, person: i64) -> Who<'_> {
    let (id, csrf) = sign_in(db, person, T0);
    Who { db, id, csrf }
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    Db::execute(db, sql, &[]).unwrap().scalar("n").unwrap()
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// A complete offer form.
pub fn offer_form() -> Value {
    json!({
        "offer_type": "preselezione", "contract_type": "tempo-determinato",
        "occupation": "aiuto cuoco di ristorante", "description": "Cercasi aiuto cuoco per ristorante in centro.",
        "experience_required": true, "experience_description": "Almeno un anno in cucina", "places": 2, "work_mode": "full time",
        "how_to_apply": "Candidatura online con preselezione del CPI.", "own_transport_required": true,
        "locations": ["100005"], "deadline": "2027-02-28", "company_id": 1, "application_mode": "online",
        "requirements": ["Attestato HACCP"],
    })
}

/// Giulia (2) as an active citizen who is an operator of Prato.
fn giulia_operator(c: &rusqlite::Connection) -> Who<'_> {
    testing::run(
        c,
        "INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap,
           residence_address, domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at)
           VALUES (2, 'active', 'citizen', '1990-01-01', 'D612', '100005', '59100', 'Via Roma 9', 1, 'giulia@example.org', '+393470000000', 'x', '1', 'x', 'x', 'x');",
    );
    let mario = who(c, 1);
    let (s, v) = mario.call("POST", "/api/admin/roles", Some(json!({"fiscal_code": "BNCGLI90A41D612I", "role": "operator", "cpi": "prato"})));
    assert_eq!(s, 201, "{v}");
    who(c, 2)
}

#[test]
fn administrators_grant_and_revoke_roles_and_every_action_is_audited() {
    let c = db();
    let mario = who(&c, 1);
    // Mario is a bootstrap administrator (the variable), nothing in the table
    let (s, me) = mario.call("GET", "/api/staff/me", None);
    assert_eq!((s, me["admin"].as_bool()), (200, Some(true)), "{me}");
    let (s, v) = mario.call("POST", "/api/admin/roles", Some(json!({"fiscal_code": "bad", "role": "operator"})));
    assert_eq!(s, 422);
    let fields: Vec<&str> = v["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["fiscal_code", "cpi"]);
    assert_eq!(code(&mario.call("POST", "/api/admin/roles", Some(json!({"fiscal_code": MARIO, "role": "admin", "cpi": "prato"}))).1), "invalid_fields");
    let (s, granted) = mario.call("POST", "/api/admin/roles", Some(json!({"fiscal_code": "bncgli90a41d612i", "role": "operator", "cpi": "pisa"})));
    assert_eq!((s, granted["fiscal_code"].as_str()), (201, Some("BNCGLI90A41D612I")));
    assert_eq!(code(&mario.call("POST", "/api/admin/roles", Some(json!({"fiscal_code": "BNCGLI90A41D612I", "role": "operator", "cpi": "pisa"}))).1), "role_exists");
    let (_, list) = mario.call("GET", "/api/admin/roles?role=operator", None);
    assert_eq!(list["total"], 1);
    let id = granted["id"].as_i64().unwrap();
    assert_eq!(mario.call("DELETE", &format!("/api/admin/roles/{id}"), Some(json!({}))).0, 200);
    assert_eq!(code(&mario.call("DELETE", &format!("/api/admin/roles/{id}"), Some(json!({}))).1), "role_not_found");
    let (_, audit) = mario.call("GET", "/api/admin/audit?action=role", None);
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["role.revoke", "role.grant"], "newest first");
    assert_eq!(audit["items"][0]["before"]["cpi"], "pisa");
    assert_eq!(audit["items"][1]["actor"]["fiscal_code"], MARIO);
    // a citizen is no administrator
    let giulia = who(&c, 2);
    assert_eq!(giulia.call("GET", "/api/admin/roles", None).0, 403, "not registered: not active");
}

#[test]
fn an_operator_publishes_edits_and_closes_offers_of_their_cpi() {
    let c = db();
    let giulia = giulia_operator(&c);
    let (s, me) = giulia.call("GET", "/api/staff/me", None);
    assert_eq!((s, me["working_cpi"]["code"].as_str()), (200, Some("prato")), "{me}");
    // errors per field, nothing written
    let mut bad = offer_form();
    bad["places"] = json!(0);
    bad["locations"] = json!(["999999"]);
    bad["deadline"] = json!("2026-01-01");
    bad["offer_type"] = json!("nope");
    let (s, e) = giulia.call("POST", "/api/operator/offers", Some(bad));
    assert_eq!(s, 422);
    let fields: Vec<&str> = e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["offer_type", "places", "locations.0", "deadline"], "{e}");
    let mut unknown = offer_form();
    unknown["salary"] = json!(1);
    assert_eq!(code(&giulia.call("POST", "/api/operator/offers", Some(unknown)).1), "invalid_json");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM offers"), 0);
    // published: a code of the CPI, in the public tables and the search index at once
    let (s, o) = giulia.call("POST", "/api/operator/offers", Some(offer_form()));
    assert_eq!((s, o["code"].as_str(), o["status"].as_str()), (201, Some("PO-1"), Some("published")), "{o}");
    assert_eq!(o["candidate_requirements"].as_array().unwrap().len(), 4, "qualifica, experience, transport, HACCP: {o}");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM offers_fts WHERE offers_fts MATCH 'cuoco AND facets:p100'"), 1);
    let (_, second) = giulia.call("POST", "/api/operator/offers", Some(offer_form()));
    assert_eq!(second["code"], "PO-2");
    // edited: the public row changes, the code stays
    let mut edit = offer_form();
    edit["occupation"] = json!("cuoco capo partita");
    edit["locations"] = json!(["100005", "048017"]);
    let (s, o) = giulia.call("PUT", "/api/operator/offers/po-1", Some(edit));
    assert_eq!((s, o["offer"]["occupation"].as_str()), (200, Some("cuoco capo partita")), "{o}");
    assert_eq!((o["company"]["name"].as_str(), o["company"]["id"].as_i64()), (Some("ACME S.R.L."), Some(1)), "the company named for the form");
    assert_eq!(count(&c, "SELECT count(*) AS n FROM offers_fts WHERE offers_fts MATCH 'capo AND facets:p048'"), 1, "the index follows");
    // the same form again (as typed: untrimmed, lower case) changes nothing and writes nothing
    let edits = || count(&c, "SELECT count(*) AS n FROM audit_log WHERE action = 'offer.edit'");
    let (edits_before, updated_at) = (edits(), count(&c, "SELECT updated_at AS n FROM offer_terms t JOIN offers o ON o.id = t.offer_id WHERE o.code = 'PO-1'"));
    let mut same = offer_form();
    same["occupation"] = json!("  cuoco capo partita ");
    same["locations"] = json!(["100005", "048017"]);
    let (s, o) = giulia.call("PUT", "/api/operator/offers/PO-1", Some(same));
    assert_eq!((s, o["offer"]["work_mode"].as_str()), (200, Some("FULL TIME")), "{o}");
    assert_eq!(edits(), edits_before, "no audit entry for an edit that changes nothing");
    assert_eq!(count(&c, "SELECT updated_at AS n FROM offer_terms t JOIN offers o ON o.id = t.offer_id WHERE o.code = 'PO-1'"), updated_at);
    // the form as published reads back as offer::stored_form says
    let stored = Db::execute(&c, "SELECT id AS n FROM offers WHERE code = 'PO-2'", &[]).unwrap().scalar("n").unwrap();
    let checked = crate::offer::check(&c, &serde_json::from_value(offer_form()).unwrap(), "2027-01-15").unwrap();
    assert_eq!(crate::offer::form_of(&c, stored).unwrap(), crate::offer::stored_form(&checked));
    // closed: no more editing; listed as closed
    assert_eq!(giulia.call("POST", "/api/operator/offers/PO-1/close", Some(json!({}))).0, 200);
    assert_eq!(code(&giulia.call("POST", "/api/operator/offers/PO-1/close", Some(json!({}))).1), "offer_closed");
    assert_eq!(code(&giulia.call("PUT", "/api/operator/offers/PO-1", Some(offer_form())).1), "offer_closed");
    let (_, closed) = giulia.call("GET", "/api/operator/offers?status=closed", None);
    assert_eq!((closed["total"].as_i64(), closed["items"][0]["code"].as_str()), (Some(1), Some("PO-1")));
    let (_, list) = giulia.call("GET", "/api/operator/offers", None);
    assert_eq!(list["total"], 2);
    // the audit log holds each action with the values before and after
    let actions: Vec<String> = Db::execute(&c, "SELECT action FROM audit_log WHERE entity = 'offer' ORDER BY id", &[]).unwrap().map(|r| r.text("action")).unwrap();
    assert_eq!(actions, ["offer.publish", "offer.publish", "offer.edit", "offer.close"]);
    let before: String = Db::execute(&c, "SELECT before FROM audit_log WHERE action = 'offer.edit'", &[]).unwrap().first().unwrap().text("before").unwrap();
    assert!(before.contains("aiuto cuoco di ristorante"), "{before}");
}

#[test]
fn drafts_are_private_until_published_once() {
    let c = db();
    let giulia = giulia_operator(&c);
    let (s, d) = giulia.call("POST", "/api/operator/drafts", Some(json!({"occupation": "pasticcere"})));
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().unwrap();
    assert_eq!(count(&c, "SELECT count(*) AS n FROM offers"), 0, "a draft is not an offer");
    let (s, e) = giulia.call("POST", &format!("/api/operator/drafts/{id}/publish"), Some(json!({})));
    assert_eq!((s, code(&e)), (422, "invalid_fields"), "checked in full when published");
    let mut full = offer_form();
    full["occupation"] = json!("pasticcere");
    assert_eq!(d["company"], serde_json::Value::Null, "no company yet");
    let (s, saved) = giulia.call("PUT", &format!("/api/operator/drafts/{id}"), Some(full));
    assert_eq!((s, saved["company"]["name"].as_str()), (200, Some("ACME S.R.L.")));
    let (s, o) = giulia.call("POST", &format!("/api/operator/drafts/{id}/publish"), Some(json!({})));
    assert_eq!((s, o["offer"]["occupation"].as_str()), (201, Some("pasticcere")));
    assert_eq!(code(&giulia.call("POST", &format!("/api/operator/drafts/{id}/publish"), Some(json!({}))).1), "draft_not_found");
}

#[test]
fn operators_of_several_cpis_choose_and_others_are_refused() {
    let c = db();
    let giulia = giulia_operator(&c);
    let mario = who(&c, 1);
    mario.call("POST", "/api/admin/roles", Some(json!({"fiscal_code": "BNCGLI90A41D612I", "role": "operator", "cpi": "pisa"})));
    assert_eq!(code(&giulia.call("GET", "/api/operator/offers", None).1), "cpi_choice_required");
    assert_eq!(code(&giulia.call("POST", "/api/staff/cpi", Some(json!({"cpi": "siena"}))).1), "invalid_fields");
    assert_eq!(giulia.call("POST", "/api/staff/cpi", Some(json!({"cpi": "pisa"}))).0, 200);
    let (s, o) = giulia.call("POST", "/api/operator/offers", Some(offer_form()));
    assert_eq!((s, o["code"].as_str()), (201, Some("PI-1")));
    giulia.call("POST", "/api/staff/cpi", Some(json!({"cpi": "prato"})));
    assert_eq!(code(&giulia.call("GET", "/api/operator/offers/PI-1", None).1), "offer_not_found", "another CPI's offer");
    // a citizen without a role, anonymous, and a company search that is too short
    assert_eq!(code(&mario.call("GET", "/api/operator/offers", None).1), "operator_required");
    assert_eq!(handle(&Req::new("GET", "/api/operator/offers"), &c).status, 401);
    assert_eq!(code(&giulia.call("GET", "/api/operator/companies?q=ac", None).1), "query_too_short");
    let (_, found) = giulia.call("GET", "/api/operator/companies?q=acme", None);
    assert_eq!(found["items"][0]["name"], "ACME S.R.L.");
    // no CSRF token: refused
    let r = req("POST", "/api/operator/offers", &giulia.id, T0).json_body(&offer_form());
    assert_eq!(handle(&r, &c).status, 403);
}
