//! The back office and applications (issue 15) end to end, through the HTTP API only:
//! the bootstrap administrator grants an operator; the operator publishes an offer that
//! the public search, detail, page, RSS feed and sitemap show at once (browsers
//! revalidate every time, and a revalidation with an earlier ETag gets the new content;
//! edges may keep it `offers_max_age`); citizens apply with their declarations and a CV, once; the
//! operator's esiti reach the citizen, each with an e-mail; the company receives what
//! was sent and downloads the CV as sent; the CV's history shows its use; withdrawal;
//! editing and closing; an expired offer (the test clock); bad inputs, each a JSON error
//! that writes nothing; every operator action in the audit log with before and after.
//!
//! People (config/test-idp): 6 Sofia Gallo is the bootstrap administrator; 4 Chiara
//! Ricci becomes an operator of the CPI of Firenze; 1 Giulia Bianchi and 3 Lorenzo Conti
//! apply; 0 Mario Rossi acts for ACME S.R.L., the offers' company (demo data).

use e2e::client::{Client, last_message, mailbox, registered_citizen, unix_now};
use e2e::staff::{self, ACME, CF, EMAIL};
use e2e::{App, Reply, Start};
use serde_json::{Value, json};

fn start(state: &std::path::Path) -> App {
    Start::portal(state)
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg("dev_clock=true")
        // the test clock moves a day ahead: sessions must outlive it
        .arg("--variable")
        .arg("session_idle_minutes=2880")
        .arg("--variable")
        .arg("session_max_hours=48")
        .start()
}

/// The error code of a JSON error (its message is Italian and not empty).
fn code(r: &Reply) -> String {
    let v = r.json();
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {}", r.body)).to_string()
}

/// `(field, code)` of every field error.
fn fields(r: &Reply) -> Vec<(String, String)> {
    r.json()["error"]["fields"].as_array().cloned().unwrap_or_default().iter().map(|f| (f["field"].as_str().unwrap().to_string(), f["code"].as_str().unwrap().to_string())).collect()
}

fn day(unix: i64) -> String {
    common::rome::day_at(unix)
}

/// The administrator (bootstrap) and an operator of Firenze granted by them.
fn staff(app: &App) -> (Client, Client) {
    let admin = registered_citizen(app, 6);
    let me = admin.get("/api/staff/me").json_checked();
    assert_eq!((me["admin"].as_bool(), me["roles"][0]["bootstrap"].as_bool()), (Some(true), Some(true)), "{me}");
    let operator = registered_citizen(app, 4);
    assert_eq!(code(&operator.get("/api/operator/offers")), "operator_required");
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let me = operator.get("/api/staff/me").json_checked();
    assert_eq!(me["working_cpi"]["code"], "firenze", "one CPI: chosen for the operator ({me})");
    (admin, operator)
}

/// The audit log's entries for `entity_id` with actions starting with `action`, newest first.
fn audit(admin: &Client, action: &str, entity_id: &str) -> Vec<Value> {
    admin.get(&format!("/api/admin/audit?action={action}&entity_id={entity_id}")).json_checked()["items"].as_array().unwrap().clone()
}

/// The ETag of a public answer about offers, after checking that browsers revalidate it
/// every time and edges keep it at most `s_maxage` seconds (`offers_max_age`).
fn etag(r: &Reply, s_maxage: u32) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some(format!("public, max-age=0, must-revalidate, s-maxage={s_maxage}").as_str()));
    r.header("etag").expect("an ETag").to_string()
}

/// A public GET revalidated with an ETag taken before a change: the new content, not 304.
fn revalidated(app: &App, path: &str, old_etag: &str) -> Reply {
    let r = e2e::get_with(&app.url(path), &[("if-none-match", old_etag)]);
    assert_eq!(r.status, 200, "{path} answered {} to an ETag from before the change", r.status);
    assert_ne!(r.header("etag"), Some(old_etag));
    r
}

/// The last offers sitemap page the index names: its path and the answer.
fn last_sitemap_page(app: &App) -> (String, Reply) {
    let index = e2e::get(&app.url("/sitemap.xml"));
    etag(&index, 60);
    let last = index.body.match_indices("/sitemaps/offers-").map(|(at, _)| index.body[at..].split("</loc>").next().unwrap().to_string()).last().expect("an offers sitemap");
    let page = e2e::get(&app.url(&last));
    etag(&page, 60);
    (last, page)
}

fn operator_total(operator: &Client, offer: &str) -> i64 {
    operator.get(&format!("/api/operator/applications?offer={offer}")).json_checked()["total"].as_i64().unwrap()
}

#[test]
fn publish_apply_evaluate_send_withdraw_edit_close() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (admin, operator) = staff(&app);
    let deadline = day(unix_now() + 30 * 86_400);

    // --- the operator publishes; the public side shows it at once
    let search = "/api/offers?q=zafferanista";
    let feed = "/feeds/offers.rss?q=zafferanista";
    let before = e2e::get(&app.url(search));
    assert_eq!(before.json()["total"], 0);
    let (search_etag, feed_etag) = (etag(&before, 60), etag(&e2e::get(&app.url(feed)), 60));
    let (sitemap_page, sitemap_before) = last_sitemap_page(&app);
    let sitemap_etag = sitemap_before.header("etag").unwrap().to_string();
    let published = staff::publish(&operator, &staff::offer_form("zafferanista di cucina", &deadline, ACME));
    let offer = published["code"].as_str().unwrap().to_string();
    assert!(offer.starts_with("FI-"), "{published}");
    assert_eq!((published["status"].as_str(), published["offer"]["company_id"].as_i64()), (Some("published"), Some(ACME)), "{published}");
    let found = revalidated(&app, search, &search_etag).json();
    assert_eq!((found["total"].as_i64(), found["items"][0]["code"].as_str()), (Some(1), Some(offer.as_str())), "{found}");
    assert!(revalidated(&app, feed, &feed_etag).body.contains(&format!("/offerte/{offer}")), "the RSS feed lists it");
    let (last_page, listed) = last_sitemap_page(&app);
    assert!(listed.body.contains(&format!("/offerte/{offer}</loc>")), "the sitemap lists it");
    if last_page == sitemap_page {
        revalidated(&app, &last_page, &sitemap_etag);
    }
    let detail = e2e::get(&app.url(&format!("/api/offers/{offer}")));
    etag(&detail, 60);
    let d = detail.json();
    assert_eq!((d["expired"].as_bool(), d["application"]["open"].as_bool(), d["application"]["mode"].as_str()), (Some(false), Some(true), Some("online")), "{d}");
    let requirements: Vec<String> = d["application"]["requirements"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    assert_eq!(requirements, ["Qualifica professionale: zafferanista di cucina", "Esperienza richiesta: Almeno un anno nella stessa qualifica", "Attestato HACCP in corso di validità"]);
    assert!(e2e::get(&app.url(&format!("/offerte/{offer}"))).body.contains("zafferanista di cucina"));
    let publish_audit = audit(&admin, "offer.publish", &offer);
    assert_eq!(publish_audit.len(), 1, "{publish_audit:?}");
    assert_eq!((publish_audit[0]["actor"]["fiscal_code"].as_str(), publish_audit[0]["cpi"].as_str()), (Some(CF[4]), Some("firenze")));
    assert_eq!((publish_audit[0]["before"].clone(), publish_audit[0]["after"]["occupation"].as_str()), (Value::Null, Some("zafferanista di cucina")));

    // --- citizens apply with their declarations and a CV, once
    let giulia = registered_citizen(&app, 1);
    let giulia_cv_bytes = staff::cv_file(&e2e::cvfiles::cv_text("Giulia Bianchi", CF[1], EMAIL[1], "+39 338 9876543", "23/07/1992", "cuoca"));
    let giulia_cv = staff::upload_cv(&giulia, &giulia_cv_bytes, "CV cuoca");
    let form = giulia.get(&format!("/api/applications/form?offer={offer}")).json_checked();
    assert_eq!(form["requirements"].as_array().unwrap().len(), 3);
    assert_eq!((form["cvs"][0]["id"].as_i64(), form["applied"].clone()), (Some(giulia_cv), Value::Null), "{form}");
    assert_eq!(form["declaration"], "Dichiaro di essere in possesso del requisito");
    let applied = giulia.post("/api/applications", &json!({ "offer": offer, "cv_id": giulia_cv, "declarations": [true, true, true] }));
    assert_eq!(applied.status, 201, "{}", applied.body);
    let a = applied.json();
    let giulia_app = a["id"].as_i64().unwrap();
    assert_eq!(applied.header("location"), Some(format!("/api/applications/{giulia_app}").as_str()));
    assert_eq!((a["status"].as_str(), a["status_label"].as_str(), a["withdrawable"].as_bool()), (Some("inserita"), Some("Inserita"), Some(true)), "{a}");
    assert_eq!(a["declarations"].as_array().unwrap().iter().filter(|d| d["declared"] == true).count(), 3, "{a}");
    let received = last_message(&app, EMAIL[1], "application_received");
    assert_eq!(received["params"]["offer"], offer.as_str());
    let again = giulia.post("/api/applications", &json!({ "offer": offer, "cv_id": giulia_cv, "declarations": [true, true, true] }));
    assert_eq!((again.status, code(&again)), (409, "already_applied".to_string()));
    assert_eq!(giulia.get(&format!("/api/applications/form?offer={offer}")).json_checked()["applied"]["id"].as_i64(), Some(giulia_app));
    let lorenzo = registered_citizen(&app, 3);
    let lorenzo_cv = staff::upload_cv(&lorenzo, &staff::cv_file(&e2e::cvfiles::cv_text("Lorenzo Conti", CF[3], EMAIL[3], "+39 392 1112233", "28/02/2001", "cuoco")), "CV");
    let lorenzo_app = staff::apply(&lorenzo, &offer, lorenzo_cv).json()["id"].as_i64().unwrap();
    assert_eq!(operator_total(&operator, &offer), 2);

    // --- the operator reads each application and its CV (a CPI operator's read)
    let view = operator.get(&format!("/api/operator/applications/{giulia_app}")).json_checked();
    assert_eq!((view["candidate"]["fiscal_code"].as_str(), view["cv_id"].as_i64()), (Some(CF[1]), Some(giulia_cv)), "{view}");
    assert_eq!(view["next"], json!(["presa_in_carico", "inviata", "non_inviata"]));
    let (status, _, bytes) = operator.get_bytes(&format!("/api/operator/applications/{giulia_app}/cv"));
    assert_eq!((status, bytes == giulia_cv_bytes), (200, true), "the CV as sent");

    // --- each esito: the citizen sees it, with an e-mail
    let set = |id: i64, status: &str, note: Option<&str>| {
        let r = operator.post(&format!("/api/operator/applications/{id}/status"), &json!({ "status": status, "note": note }));
        assert_eq!(r.status, 200, "{status}: {}", r.body);
        r.json()
    };
    let esiti = [(giulia_app, &giulia, EMAIL[1], "presa_in_carico", "Preso in carico", Some("Colloquio da fissare")), (giulia_app, &giulia, EMAIL[1], "inviata", "Inviata all'azienda", None), (lorenzo_app, &lorenzo, EMAIL[3], "non_inviata", "Non inviata all'azienda", Some("Manca l'attestato HACCP"))];
    for (id, who, email, status, label, note) in esiti {
        let mails_before = mailbox(&app, email).len();
        set(id, status, note);
        let mine = who.get(&format!("/api/applications/{id}")).json_checked();
        assert_eq!((mine["status"].as_str(), mine["status_label"].as_str(), mine["note"].as_str(), mine["withdrawable"].as_bool()), (Some(status), Some(label), note, Some(false)), "{mine}");
        assert_eq!(mine["timeline"].as_array().unwrap().last().unwrap()["status"], status);
        let listed = who.get("/api/applications").json_checked();
        assert_eq!(listed["items"][0]["status_label"], label, "{listed}");
        assert_eq!(mailbox(&app, email).len(), mails_before + 1, "one e-mail for {status}");
        let mail = last_message(&app, email, "application_status");
        assert_eq!((mail["params"]["status"].as_str(), mail["params"]["offer"].as_str()), (Some(label), Some(offer.as_str())), "{mail}");
        if let Some(n) = note {
            assert!(mail["body"].as_str().unwrap().contains(n), "{mail}");
        }
    }
    let back = operator.post(&format!("/api/operator/applications/{giulia_app}/status"), &json!({ "status": "presa_in_carico" }));
    assert_eq!((back.status, code(&back)), (409, "status_not_allowed".to_string()), "forward only");
    let trail = audit(&admin, "application.status", &giulia_app.to_string());
    let moves: Vec<(Value, Value)> = trail.iter().rev().map(|t| (t["before"]["status"].clone(), t["after"]["status"].clone())).collect();
    assert_eq!(moves, [(json!("inserita"), json!("presa_in_carico")), (json!("presa_in_carico"), json!("inviata"))], "{trail:?}");
    assert_eq!(trail[1]["after"]["note"], "Colloquio da fissare");

    // --- the company receives what the CPI sent, and the CV as sent
    let acme = staff::acting_for(&app, 0, ACME);
    let offers = acme.get("/api/company/offers").json_checked();
    let mine = offers["items"].as_array().unwrap().iter().find(|o| o["offer"]["code"] == offer.as_str()).unwrap_or_else(|| panic!("{offers}")).clone();
    assert_eq!((mine["sent"].as_i64(), mine["open"].as_bool()), (Some(1), Some(true)), "{mine}");
    let sent = acme.get(&format!("/api/company/applications?offer={offer}")).json_checked();
    assert_eq!(sent["total"], 1, "Lorenzo's was not sent: {sent}");
    assert_eq!((sent["items"][0]["id"].as_i64(), sent["items"][0]["candidate"]["family_name"].as_str()), (Some(giulia_app), Some("Bianchi")), "{sent}");
    let (status, headers, bytes) = acme.get_bytes(sent["items"][0]["cv"]["download"].as_str().unwrap());
    assert_eq!((status, bytes == giulia_cv_bytes), (200, true));
    assert!(headers.iter().any(|(k, v)| k == "content-disposition" && v.contains("attachment")), "{headers:?}");
    assert_eq!(acme.get_bytes(&format!("/api/company/applications/{lorenzo_app}/cv")).0, 403, "not sent to the company");

    // --- the CV's history shows its use
    let history = giulia.get(&format!("/api/cv/{giulia_cv}/history")).json_checked();
    let uses: Vec<&Value> = history["items"].as_array().unwrap().iter().filter(|h| h["kind"] == "utilizzo").collect();
    assert_eq!(uses.len(), 1, "{history}");
    assert_eq!(uses[0]["note"], format!("Candidatura Offerta {offer}"));

    // --- the operator reads and adds to the CVs of their CPI's citizens (Caricato CPI = SI)
    let listed = operator.get(&format!("/api/operator/cv?person={}", CF[1])).json_checked();
    assert_eq!((listed["person"]["fiscal_code"].as_str(), listed["items"].as_array().unwrap().len()), (Some(CF[1]), 1), "{listed}");
    let by_cpi = operator.upload("POST", &format!("/api/operator/cv?person={}", CF[1]), &giulia_cv_bytes, &staff::cv_meta("CV aggiornato al CPI"));
    assert_eq!(by_cpi.status, 201, "{}", by_cpi.body);
    let by_cpi_id = by_cpi.json()["id"].as_i64().unwrap();
    let in_her_list = giulia.get(&format!("/api/cv/{by_cpi_id}")).json_checked();
    assert_eq!(in_her_list["uploaded_by_cpi_label"], "SI", "{in_her_list}");
    let (status, _, bytes) = operator.get_bytes(&format!("/api/operator/cv/{by_cpi_id}/file"));
    assert_eq!((status, bytes == giulia_cv_bytes), (200, true));
    let upload_audit = audit(&admin, "cv.upload", &by_cpi_id.to_string());
    assert_eq!((upload_audit.len(), upload_audit[0]["after"]["person"].as_str()), (1, Some(CF[1])), "{upload_audit:?}");

    // --- withdrawal while inserita, refused after
    let second = staff::publish(&operator, &staff::offer_form("zafferanista stagionale", &deadline, ACME))["code"].as_str().unwrap().to_string();
    let to_withdraw = staff::apply(&giulia, &second, giulia_cv).json()["id"].as_i64().unwrap();
    let withdrawn = giulia.post(&format!("/api/applications/{to_withdraw}/withdraw"), &json!({}));
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!((withdrawn.json()["status"].as_str(), withdrawn.json()["withdrawable"].as_bool()), (Some("ritirata"), Some(false)));
    let twice = giulia.post(&format!("/api/applications/{to_withdraw}/withdraw"), &json!({}));
    assert_eq!((twice.status, code(&twice)), (409, "not_withdrawable".to_string()));
    let sent_one = giulia.post(&format!("/api/applications/{giulia_app}/withdraw"), &json!({}));
    assert_eq!((sent_one.status, code(&sent_one)), (409, "not_withdrawable".to_string()), "taken in charge already");
    assert_eq!(operator_total(&operator, &second), 0, "withdrawn applications are not in the operator's list");

    // --- an edit shows at once; closing ends applications and the public listing
    let second_etag = etag(&e2e::get(&app.url(&format!("/api/offers/{second}"))), 60);
    let mut edited_form = staff::offer_form("zafferanista e pasticcere", &deadline, ACME);
    edited_form["places"] = json!(3);
    let edited = operator.put(&format!("/api/operator/offers/{second}"), &edited_form);
    assert_eq!(edited.status, 200, "{}", edited.body);
    let now_public = revalidated(&app, &format!("/api/offers/{second}"), &second_etag).json();
    assert_eq!((now_public["occupation"].as_str(), now_public["places"].as_i64()), (Some("zafferanista e pasticcere"), Some(3)));
    let edit_audit = audit(&admin, "offer.edit", &second);
    assert_eq!((edit_audit[0]["before"]["occupation"].as_str(), edit_audit[0]["after"]["occupation"].as_str()), (Some("zafferanista stagionale"), Some("zafferanista e pasticcere")));
    assert_eq!(operator.put(&format!("/api/operator/offers/{second}"), &edited_form).status, 200);
    assert_eq!(audit(&admin, "offer.edit", &second).len(), 1, "the same form again is no edit");
    let search_etag = etag(&e2e::get(&app.url(search)), 60);
    let closed = operator.post(&format!("/api/operator/offers/{second}/close"), &json!({}));
    assert_eq!((closed.status, closed.json()["status"].as_str()), (200, Some("closed")), "{}", closed.body);
    let open_now = revalidated(&app, search, &search_etag).json();
    assert!(open_now["items"].as_array().unwrap().iter().all(|o| o["code"] != second.as_str()), "closed: out of the search {open_now}");
    assert!(!last_sitemap_page(&app).1.body.contains(&format!("/offerte/{second}<")), "closed: out of the sitemap");
    let gone = e2e::get(&app.url(&format!("/api/offers/{second}"))).json();
    assert_eq!((gone["expired"].as_bool(), gone["application"]["open"].as_bool()), (Some(true), Some(false)), "still on its page, closed");
    let late = lorenzo.post("/api/applications", &json!({ "offer": second, "cv_id": lorenzo_cv, "declarations": [true, true, true] }));
    assert_eq!((late.status, code(&late)), (409, "offer_closed".to_string()));
    let late_form = lorenzo.get(&format!("/api/applications/form?offer={second}"));
    assert_eq!((late_form.status, code(&late_form)), (409, "offer_closed".to_string()));
    assert_eq!(code(&operator.put(&format!("/api/operator/offers/{second}"), &edited_form)), "offer_closed", "a closed offer is not edited");
    let close_audit = audit(&admin, "offer.close", &second);
    assert_eq!((close_audit[0]["before"]["status"].as_str(), close_audit[0]["after"]["status"].as_str()), (Some("published"), Some("closed")));
}

#[test]
fn bad_inputs_write_nothing_and_an_expired_offer_takes_no_application() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let (admin, operator) = staff(&app);
    let today = unix_now();
    let offer = staff::publish(&operator, &staff::offer_form("aiuto cuoco", &day(today + 30 * 86_400), ACME))["code"].as_str().unwrap().to_string();
    let giulia = registered_citizen(&app, 1);
    let cv = staff::upload_cv(&giulia, &staff::cv_file(&e2e::cvfiles::cv_text("Giulia Bianchi", CF[1], EMAIL[1], "+39 338 9876543", "23/07/1992", "cuoca")), "CV");
    let lorenzo = registered_citizen(&app, 3);
    let lorenzos_cv = staff::upload_cv(&lorenzo, &staff::cv_file(&e2e::cvfiles::cv_text("Lorenzo Conti", CF[3], EMAIL[3], "+39 392 1112233", "28/02/2001", "cuoco")), "CV");

    let nothing_written = |what: &str| {
        assert_eq!(operator_total(&operator, &offer), 0, "{what}: no application");
        assert_eq!(giulia.get("/api/applications?history=true").json_checked()["total"], 0, "{what}: none in the citizen's list");
        assert!(mailbox(&app, EMAIL[1]).iter().all(|m| m["template"] != "application_received"), "{what}: no e-mail");
    };
    // (what, body, status, error code, field errors)
    type Case<'a> = (&'a str, Value, u16, &'a str, Vec<(&'a str, &'a str)>);
    let cases: [Case; 7] = [
        ("missing declarations", json!({ "offer": offer, "cv_id": cv }), 422, "invalid_fields", vec![("declarations.0", "required"), ("declarations.1", "required"), ("declarations.2", "required")]),
        ("a false declaration", json!({ "offer": offer, "cv_id": cv, "declarations": [true, false, true] }), 422, "invalid_fields", vec![("declarations.1", "required")]),
        ("more declarations than requirements", json!({ "offer": offer, "cv_id": cv, "declarations": [true, true, true, true] }), 422, "invalid_fields", vec![("declarations", "too_many")]),
        ("someone else's CV", json!({ "offer": offer, "cv_id": lorenzos_cv, "declarations": [true, true, true] }), 422, "invalid_fields", vec![("cv_id", "not_found")]),
        ("no CV", json!({ "offer": offer, "declarations": [true, true, true] }), 422, "invalid_fields", vec![("cv_id", "required")]),
        ("an unknown offer", json!({ "offer": "FI-99999999", "cv_id": cv, "declarations": [true, true, true] }), 404, "offer_not_found", vec![]),
        ("an unknown field", json!({ "offer": offer, "cv_id": cv, "declarations": [true, true, true], "priority": "alta" }), 400, "invalid_json", vec![]),
    ];
    for (what, body, status, error, expected_fields) in cases {
        let r = giulia.post("/api/applications", &body);
        assert_eq!((r.status, code(&r)), (status, error.to_string()), "{what}: {}", r.body);
        let got = fields(&r);
        let expected: Vec<(String, String)> = expected_fields.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        assert_eq!(got, expected, "{what}");
        nothing_written(what);
    }
    let not_json = e2e::client::json_request(
        "POST",
        &app.url("/api/applications"),
        &[("cookie", &giulia.cookie), ("x-csrf-token", &giulia.csrf), ("content-type", "text/plain")],
        None,
    );
    assert_eq!(not_json.status, 415, "{}", not_json.body);
    nothing_written("not JSON");

    // the operator's esito: only the three the CPI sets, a bounded note
    let id = staff::apply(&giulia, &offer, cv).json()["id"].as_i64().unwrap();
    for (body, field) in [(json!({ "status": "ritirata" }), "status"), (json!({ "status": "presa_in_carico", "note": "x".repeat(1001) }), "note")] {
        let r = operator.post(&format!("/api/operator/applications/{id}/status"), &body);
        assert_eq!((r.status, fields(&r)[0].0.as_str()), (422, field), "{}", r.body);
    }
    assert_eq!(giulia.get(&format!("/api/applications/{id}")).json_checked()["status"], "inserita", "nothing changed");

    // an offer whose deadline is today takes applications today, not tomorrow (the test clock)
    let last_day = staff::publish(&operator, &staff::offer_form("lavapiatti", &day(today), ACME))["code"].as_str().unwrap().to_string();
    let tomorrow = common::rome::day_start(common::rome::parse_day(&day(today)).unwrap().next_day().unwrap()) + 60;
    let late = lorenzo.at(tomorrow).post("/api/applications", &json!({ "offer": last_day, "cv_id": lorenzos_cv, "declarations": [true, true, true] }));
    assert_eq!((late.status, code(&late)), (409, "offer_closed".to_string()), "{}", late.body);
    assert_eq!(code(&lorenzo.at(tomorrow).get(&format!("/api/applications/form?offer={last_day}"))), "offer_closed");
    let in_time = staff::apply(&lorenzo, &last_day, lorenzos_cv);
    assert_eq!(in_time.status, 201, "{}", in_time.body);

    // an offer whose applications follow its own "how to apply" takes none in the portal
    let mut by_text = staff::offer_form("sommelier", &day(today + 10 * 86_400), ACME);
    by_text["application_mode"] = json!("text");
    let by_text = staff::publish(&operator, &by_text)["code"].as_str().unwrap().to_string();
    let r = giulia.post("/api/applications", &json!({ "offer": by_text, "cv_id": cv, "declarations": [true, true, true] }));
    assert_eq!((r.status, code(&r)), (409, "offer_not_online".to_string()));

    // applications sent at once: one is made, the others are 409, one e-mail
    let burst = staff::publish(&operator, &staff::offer_form("pizzaiolo", &day(today + 10 * 86_400), ACME))["code"].as_str().unwrap().to_string();
    let body = json!({ "offer": burst, "cv_id": lorenzos_cv, "declarations": [true, true, true] });
    let gate = std::sync::Barrier::new(8);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| { gate.wait(); lorenzo.post("/api/applications", &body).status })).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!((statuses.iter().filter(|s| **s == 201).count(), statuses.iter().filter(|s| **s == 409).count()), (1, 7), "{statuses:?}");
    assert_eq!(operator_total(&operator, &burst), 1);
    let received = mailbox(&app, EMAIL[3]).iter().filter(|m| m["template"] == "application_received" && m["params"]["offer"] == burst.as_str()).count();
    assert_eq!(received, 1);

    // publications at once each get their own code
    let form = staff::offer_form("cameriere", &day(today + 10 * 86_400), ACME);
    let gate = std::sync::Barrier::new(8);
    let replies: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| { gate.wait(); let r = operator.post("/api/operator/offers", &form); (r.status, r.body) })).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(replies.iter().all(|(status, _)| *status == 201), "{replies:?}");
    let mut codes: Vec<String> = replies.iter().map(|(_, b)| serde_json::from_str::<Value>(b).unwrap()["code"].as_str().unwrap().to_string()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 8, "{codes:?}");

    // two esiti at once: one is set, the other finds the state changed
    let a = staff::apply(&giulia, &codes[0], cv).json()["id"].as_i64().unwrap();
    let gate = std::sync::Barrier::new(2);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = ["inviata", "non_inviata"]
            .map(|to| {
                let (gate, operator) = (&gate, &operator);
                s.spawn(move || { gate.wait(); operator.post(&format!("/api/operator/applications/{a}/status"), &json!({ "status": to })).status })
            })
            .into_iter()
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 409], "{statuses:?}");
    let mine = giulia.get(&format!("/api/applications/{a}")).json_checked();
    assert_eq!(mine["timeline"].as_array().unwrap().len(), 2, "one esito recorded: {mine}");

    // a revoked operator is no operator on the very next request
    let roles = admin.get(&format!("/api/admin/roles?fiscal_code={}", CF[4])).json_checked();
    let role = roles["items"][0]["id"].as_i64().unwrap();
    assert_eq!(admin.delete(&format!("/api/admin/roles/{role}")).status, 200);
    assert_eq!(code(&operator.get("/api/operator/applications")), "operator_required");
    let revoked = audit(&admin, "role.revoke", &role.to_string());
    assert_eq!((revoked.len(), revoked[0]["before"]["cpi"].as_str()), (1, Some("firenze")), "{revoked:?}");
}
