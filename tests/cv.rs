//! CVs (C2), anonymised search and view requests (B3, C3), the retention job, end to end.
//!
//! People (config/test-idp): 1 Giulia Bianchi owns the CVs (registered by the test);
//! 0 Mario Rossi acts for ACME S.R.L. (demo data); 2 Francesca Esposito registers and
//! takes an incarico for GPI S.P.A.; 3 Lorenzo Conti is another citizen.
//!
//! Files: DOCX, ODT and PDF made by `e2e::cvfiles`; the Word 97-2003 `.doc`, the scanned
//! PDF and the password-protected PDF are the office-suite files in
//! `crates/cvtext/testdata/` (their origin is in its README).

use std::io::{Read, Write};
use std::time::Duration;

use e2e::client::{Client, json_request, last_message, mailbox, registered_citizen};
use e2e::cvfiles::{self, send_bytes};
use e2e::{App, Reply, Start, request, root};
use serde_json::{Value, json};

const SECRET: &str = "test-jobs-secret-0123456789abcdefghijklmnop";
const GPI: &str = "06543210485";
const DAY: i64 = 86_400;

const GIULIA_CF: &str = "BNCGLI92L63G999D";
const GIULIA_EMAIL: &str = "giulia.bianchi@example.org";

fn start(state: &std::path::Path) -> App {
    Start::portal(state).arg("--variable").arg(format!("jobs_secret={SECRET}")).arg("--variable").arg("dev_clock=true").start()
}

fn code(r: &Reply) -> String {
    let v = r.json();
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {}", r.body)).to_string()
}

/// The `(field, code)` of the first field error.
fn field(r: &Reply) -> (String, String) {
    let f = &r.json()["error"]["fields"][0];
    (f["field"].as_str().unwrap_or_default().to_string(), f["code"].as_str().unwrap_or_default().to_string())
}

fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(root().join("crates/cvtext/testdata").join(name)).unwrap()
}

fn meta(v: &Value) -> String {
    percent_encoding::utf8_percent_encode(&v.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `POST /api/cv` with the file as the body and the form in `X-CV-Meta`, as the page does.
fn upload(c: &Client, bytes: &[u8], m: &Value) -> Reply {
    let h = meta(m);
    send_bytes(
        "POST",
        &format!("{}/api/cv", c.base),
        &[("cookie", &c.cookie), ("x-csrf-token", &c.csrf), ("x-cv-meta", &h), ("content-type", "application/octet-stream")],
        bytes,
    )
}

fn download(c: &Client, id: i64) -> (u16, Vec<u8>, Option<String>) {
    let resp = e2e::agent().get(&format!("{}/api/cv/{id}/file", c.base)).header("cookie", &c.cookie).call().unwrap();
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    let mut bytes = Vec::new();
    resp.into_body().as_reader().read_to_end(&mut bytes).unwrap();
    (status, bytes, ct)
}

fn giulia_text() -> String {
    cvfiles::cv_text("Giulia Bianchi", GIULIA_CF, GIULIA_EMAIL, "+39 338 9876543", "23/07/1992", "pizzaiolo")
}

/// Francesca registered, with an incarico for GPI S.P.A., acting for it.
fn gpi_delegate(app: &App) -> Client {
    let f = registered_citizen(app, 2);
    let added = f.post("/api/profile/companies", &json!({"code": GPI, "role": "delegato", "declaration_accepted": true}));
    assert_eq!(added.status, 201, "{}", added.body);
    f.post("/api/session/act-as", &json!({"company_id": added.json()["company_id"]})).json_checked();
    f
}

fn mario_for_acme(app: &App) -> Client {
    let (mario, _) = Client::login(app, 0);
    let acme = mario.get("/api/session/act-as").json_checked()["options"][0]["company_id"].clone();
    mario.post("/api/session/act-as", &json!({"company_id": acme})).json_checked();
    mario
}

#[test]
fn upload_every_type_refusals_edit_history_delete() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let giulia = registered_citizen(&app, 1);

    let form = giulia.get("/api/cv/form").json_checked();
    assert_eq!(form["territories"].as_array().unwrap().len(), 11, "{form}");
    assert_eq!(form["file"]["max_bytes"], 5 * 1024 * 1024);
    assert_eq!(form["delete_confirm"], "Sicuro di voler procedere con la rimozione del Curriculum Vitae?");
    assert!(giulia.get("/api/cv").json_checked()["items"].as_array().unwrap().is_empty());

    // every accepted type, detected by content whatever the name or the browser says
    let text = giulia_text();
    let all = json!({"description": "CV pizzeria", "search_consent": true, "territories": ["firenze", "prato"]});
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("docx", cvfiles::docx(&text), "cv.pdf"),
        ("odt", cvfiles::odt(&text), "cv.odt"),
        ("pdf", cvfiles::pdf(&text, 0), "Il mio CV.pdf"),
        ("doc", testdata("cv-esempio.doc"), "vecchio.doc"),
    ];
    let mut ids = Vec::new();
    for (kind, bytes, name) in &files {
        let mut m = all.clone();
        m["file_name"] = json!(name);
        m["description"] = json!(format!("CV {kind}"));
        let r = upload(&giulia, bytes, &m);
        assert_eq!(r.status, 201, "{kind}: {}", r.body);
        let cv = r.json();
        assert_eq!(cv["file"]["kind"], *kind, "{cv}");
        assert_eq!(cv["file"]["size"], bytes.len());
        assert!(cv["file"]["name"].as_str().unwrap().ends_with(&format!(".{kind}")), "{cv}");
        assert_eq!((cv["search_consent_label"].as_str(), cv["uploaded_by_cpi_label"].as_str()), (Some("SI"), Some("NO")));
        assert_eq!(cv["territories"].as_array().unwrap().len(), 2);
        let id = cv["id"].as_i64().unwrap();
        let (status, back, ct) = download(&giulia, id);
        assert_eq!(status, 200);
        assert!(back == *bytes, "{kind}: the same bytes back");
        assert_eq!(ct.as_deref(), cv["file"]["mime"].as_str());
        ids.push(id);
    }

    // refusals, each with its own Italian message; the component keeps serving
    let refused = |bytes: &[u8]| {
        let r = upload(&giulia, bytes, &all);
        (r.status, code(&r), field(&r), r.json()["error"]["message"].as_str().unwrap().to_string())
    };
    let (status, c, f, _) = refused(b"");
    assert_eq!((status, c.as_str(), f.1.as_str()), (422, "invalid_fields", "cv_empty"));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    let (status, _, f, msg) = refused(&png);
    assert_eq!((status, f.0.as_str(), f.1.as_str()), (415, "file", "cv_unsupported_type"));
    assert!(msg.contains("PDF, DOC, DOCX o ODT"), "{msg}");
    let (status, _, f, _) = refused(b"Curriculum di Giulia in testo semplice, non un documento.");
    assert_eq!((status, f.1.as_str()), (415, "cv_unsupported_type"));
    let (status, _, f, _) = refused(&cvfiles::zip_bomb(200));
    assert_eq!((status, f.1.as_str()), (422, "cv_too_complex"), "a zip bomb");
    let mut truncated = cvfiles::docx(&text);
    truncated.truncate(truncated.len() / 2);
    let (status, _, f, _) = refused(&truncated);
    assert_eq!((status, f.1.as_str()), (422, "cv_corrupt"));
    let (status, _, f, _) = refused(&testdata("scansione.pdf"));
    assert_eq!((status, f.1.as_str()), (422, "cv_no_text"), "a scan");
    let (status, _, f, _) = refused(&testdata("cv-esempio-password.pdf"));
    assert_eq!((status, f.1.as_str()), (422, "cv_encrypted"));
    let (status, _, f, _) = refused(&cvfiles::pdf("Curriculum breve.", 0));
    assert_eq!((status, f.1.as_str()), (422, "cv_no_text"), "too little text");
    // over 5 MB: refused on Content-Length, before the body is read
    let over = 5 * 1024 * 1024 + 1;
    let r = raw_upload_declaring(&app, &giulia, over);
    assert!(r.starts_with("HTTP/1.1 413"), "{r}");
    assert!(r.contains("file_too_large") && r.contains("5 MB"), "{r}");
    // a body without Content-Length (chunked) is cut at the limit while it streams in
    let r = raw_chunked_upload(&app, &giulia, 5 * 1024 * 1024 + 64 * 1024);
    assert!(r.starts_with("HTTP/1.1 413"), "{r}");
    assert!(r.contains("file_too_large"), "{r}");
    // exactly 5 MiB is accepted
    let big = cvfiles::pdf(&text, 5 * 1024 * 1024);
    assert_eq!(big.len(), 5 * 1024 * 1024);
    let r = upload(&giulia, &big, &json!({"search_consent": false}));
    assert_eq!(r.status, 201, "{}", r.body);
    let big_id = r.json()["id"].as_i64().unwrap();

    // the form's own errors
    let r = upload(&giulia, &files[0].1, &json!({"territories": ["firenze"]}));
    assert_eq!(field(&r), ("search_consent".to_string(), "required".to_string()));
    let r = upload(&giulia, &files[0].1, &json!({"search_consent": true}));
    assert_eq!(field(&r), ("territories".to_string(), "required".to_string()));
    let r = upload(&giulia, &files[0].1, &json!({"search_consent": false, "territories": ["roma"]}));
    assert_eq!(field(&r), ("territories".to_string(), "invalid_choice".to_string()));
    let no_csrf = send_bytes("POST", &app.url("/api/cv"), &[("cookie", &giulia.cookie), ("x-cv-meta", &meta(&all))], &files[0].1);
    assert_eq!((no_csrf.status, code(&no_csrf).as_str()), (403, "csrf_token_invalid"));
    assert_eq!(giulia.get("/api/cv").json_checked()["total"], 5, "nothing refused was stored");

    // the list's filters
    let today = giulia.get("/api/cv").json_checked()["items"][0]["created_at"].as_str().unwrap()[..10].to_string();
    let by_desc = giulia.get("/api/cv?description=odt").json_checked();
    assert_eq!((by_desc["total"].as_i64(), by_desc["items"][0]["description"].as_str()), (Some(1), Some("CV odt")));
    assert_eq!(giulia.get("/api/cv?from=2000-01-01&to=2000-12-31").json_checked()["total"], 0);
    assert_eq!(giulia.get(&format!("/api/cv?from=2020-01-01&page_size=2")).json_checked()["items"].as_array().unwrap().len(), 2);
    let _ = today;
    assert_eq!(field(&giulia.get("/api/cv?from=01/01/2020")).0, "from");

    // Modifica: the fields, then the file
    let docx_id = ids[0];
    let edited = giulia.put(&format!("/api/cv/{docx_id}"), &json!({"description": "Pizzaiolo esperto", "search_consent": false}));
    assert_eq!(edited.status, 200, "{}", edited.body);
    let edited = edited.json();
    assert_eq!((edited["description"].as_str(), edited["search_consent_label"].as_str()), (Some("Pizzaiolo esperto"), Some("NO")));
    assert_eq!(edited["territories"].as_array().unwrap().len(), 2, "unchanged fields stay");
    let pdf = cvfiles::pdf(&text, 0);
    let replaced = send_bytes(
        "PUT",
        &app.url(&format!("/api/cv/{docx_id}")),
        &[("cookie", &giulia.cookie), ("x-csrf-token", &giulia.csrf), ("x-cv-meta", &meta(&json!({"file_name": "nuovo.pdf"})))],
        &pdf,
    );
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.json()["file"]["kind"], "pdf");
    assert_eq!(replaced.json()["description"], "Pizzaiolo esperto");
    assert_eq!(download(&giulia, docx_id).1, pdf);
    let bad = send_bytes("PUT", &app.url(&format!("/api/cv/{docx_id}")), &[("cookie", &giulia.cookie), ("x-csrf-token", &giulia.csrf)], &png);
    assert_eq!((bad.status, field(&bad).1.as_str()), (415, "cv_unsupported_type"));
    assert_eq!(download(&giulia, docx_id).1, pdf, "a refused replacement changes nothing");

    // Storico utilizzi
    let h = giulia.get(&format!("/api/cv/{docx_id}/history")).json_checked();
    let kinds: Vec<&str> = h["items"].as_array().unwrap().iter().map(|e| e["kind_label"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Caricamento", "Modifica", "Modifica"], "{h}");
    assert_eq!(h["items"][0]["note"], "Curriculum caricato.");
    assert!(h["items"][2]["note"].as_str().unwrap().contains("file sostituito"), "{h}");

    // Elimina
    let gone = giulia.delete(&format!("/api/cv/{big_id}"));
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(code(&giulia.get(&format!("/api/cv/{big_id}"))), "cv_not_found");
    assert_eq!(download(&giulia, big_id).0, 403);
    assert_eq!(giulia.get("/api/cv").json_checked()["total"], 4);
    assert_eq!(giulia.delete(&format!("/api/cv/{big_id}")).status, 404);
    // the log has one line per component trap: none
    assert!(!app.log_text().contains("trap"), "{}", app.log_text());
}

/// Sends only the headers of an upload declaring `length` bytes; returns the raw answer.
fn raw_upload_declaring(app: &App, c: &Client, length: usize) -> String {
    let addr = app.base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "POST /api/cv HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nX-CV-Meta: {}\r\nContent-Type: application/pdf\r\nContent-Length: {length}\r\n\r\n",
        c.cookie,
        c.csrf,
        meta(&json!({"search_consent": false}))
    )
    .unwrap();
    let mut buf = vec![0u8; 8192];
    let mut out = Vec::new();
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if out.windows(4).any(|w| w == b"\r\n\r\n") && String::from_utf8_lossy(&out).contains("}}") {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends an upload of `length` bytes in chunks (no Content-Length); returns the raw answer.
fn raw_chunked_upload(app: &App, c: &Client, length: usize) -> String {
    let addr = app.base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "POST /api/cv HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nX-CV-Meta: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        c.cookie,
        c.csrf,
        meta(&json!({"search_consent": false}))
    )
    .unwrap();
    let chunk = vec![b'%'; 64 * 1024];
    let mut sent = 0;
    while sent < length {
        // the server may answer and close before everything is sent
        if write!(s, "{:x}\r\n", chunk.len()).and_then(|_| s.write_all(&chunk)).and_then(|_| s.write_all(b"\r\n")).is_err() {
            break;
        }
        sent += chunk.len();
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let mut out = Vec::new();
    let mut buf = vec![0u8; 8192];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(&out).contains("}}") {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn anonymised_search_requests_accept_refuse_and_nobody_else_gets_in() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let giulia = registered_citizen(&app, 1);
    let text = giulia_text();
    let shared = upload(&giulia, &cvfiles::docx(&text), &json!({"description": "Pizzaiolo", "search_consent": true, "territories": ["firenze"]}));
    assert_eq!(shared.status, 201, "{}", shared.body);
    let cv_id = shared.json()["id"].as_i64().unwrap();
    let private = upload(&giulia, &cvfiles::odt(&text), &json!({"description": "Privato", "search_consent": false}));
    let private_id = private.json()["id"].as_i64().unwrap();

    // B3: the company's search shows the consented CV only, anonymised
    let mario = mario_for_acme(&app);
    let found = mario.get("/api/cv-search?occupation=pizzaiolo&territory=firenze").json_checked();
    assert_eq!(found["total"], 1, "{found}");
    let hit = &found["items"][0];
    let handle = hit["cv"].as_str().unwrap().to_string();
    let shown = hit["text"].as_str().unwrap();
    assert!(shown.contains("forno a legna"), "{shown}");
    for personal in ["Giulia", "Bianchi", GIULIA_CF, GIULIA_EMAIL, "9876543", "338 98", "1992"] {
        assert!(!found.to_string().contains(personal), "{personal} in {found}");
    }
    assert!(hit.get("id").is_none() && hit.get("file").is_none(), "no CV id, no file: {hit}");
    assert_eq!(hit["territories"][0]["code"], "firenze");
    assert_eq!(mario.get("/api/cv-search?q=forno+legna").json_checked()["total"], 1);
    assert_eq!(mario.get("/api/cv-search?occupation=pizzaiolo&territory=siena").json_checked()["total"], 0);
    assert_eq!(mario.get("/api/cv-search?q=idraulico").json_checked()["total"], 0);
    // the owner's data cannot be searched for either (the index holds the anonymised text)
    for probe in ["Bianchi", GIULIA_CF, "giulia.bianchi", "3389876543"] {
        let r = mario.get(&format!("/api/cv-search?q={probe}")).json_checked();
        assert_eq!(r["total"], 0, "{probe}: {r}");
    }
    assert_eq!(mario.get("/api/cv-search").json_checked()["total"], 1, "no filter: every consented CV");
    let injected = mario.get("/api/cv-search?q=%22%20OR%20*%20NEAR(");
    assert_eq!(injected.status, 200, "{}", injected.body);
    assert_eq!(field(&mario.get("/api/cv-search?territory=roma")).0, "territory");

    // Richiedi visione del CV
    let asked = mario.post("/api/cv-requests", &json!({"cv": handle, "position": "PIZZAIOLO"}));
    assert_eq!(asked.status, 201, "{}", asked.body);
    assert_eq!(asked.json()["status"], "RICHIESTA");
    let again = mario.post("/api/cv-requests", &json!({"cv": handle, "position": "PIZZAIOLO"}));
    assert_eq!((again.status, code(&again).as_str()), (409, "request_exists"));
    assert_eq!(field(&mario.post("/api/cv-requests", &json!({"cv": handle}))).0, "position");
    assert_eq!(code(&mario.post("/api/cv-requests", &json!({"cv": "0".repeat(32), "position": "X"}))), "cv_not_found");
    assert_eq!(mario.get("/api/cv-search?occupation=pizzaiolo").json_checked()["items"][0]["request_status"], "RICHIESTA");

    // C3: the owner's e-mail and SMS, with the no-login link
    let email = last_message(&app, GIULIA_EMAIL, "cv_request");
    let body = email["body"].as_str().unwrap();
    assert!(body.contains("L'azienda ACME S.R.L., durante la ricerca di personale per il profilo PIZZAIOLO ha manifestato interesse"), "{body}");
    assert!(body.starts_with("Gentile GIULIA BIANCHI"), "{body}");
    let sms = last_message(&app, "+393389876543", "cv_request");
    assert_eq!(sms["channel"], "sms");
    let link = email["params"]["link"].as_str().unwrap().to_string();
    assert_eq!(sms["params"]["link"].as_str(), Some(link.as_str()));
    assert!(sms["body"].as_str().unwrap().contains(&link));

    // before the decision the company knows nothing and gets no file
    let listed = mario.get("/api/cv-requests").json_checked();
    assert_eq!((listed["items"][0]["status"].as_str(), listed["items"][0]["candidate"].is_null()), (Some("RICHIESTA"), true), "{listed}");
    assert!(!listed.to_string().contains("Giulia") && !listed.to_string().contains("Bianchi"));
    assert_eq!(download(&mario, cv_id).0, 403);

    // the link, without any session: a page with Autorizza / Rifiuta (GET changes nothing)
    let page = request("GET", &link, &[], None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("ACME S.R.L.") && page.body.contains("PIZZAIOLO") && page.body.contains("Autorizza") && page.body.contains("Rifiuta"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let as_json = e2e::get_with(&link, &[("accept", "application/json")]).json_checked();
    assert_eq!((as_json["status"].as_str(), as_json["can_decide"].as_bool()), (Some("RICHIESTA"), Some(true)));
    let token = link.split("token=").nth(1).unwrap().to_string();
    let accepted = request("POST", &app.url("/api/cv-requests/decision"), &[], Some(&[("token", token.as_str()), ("decision", "accept")]));
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(accepted.body.contains("Hai autorizzato"), "{}", accepted.body);
    // single use: a second decision is refused, the link now shows the decision taken
    let twice = request("POST", &app.url("/api/cv-requests/decision"), &[], Some(&[("token", token.as_str()), ("decision", "refuse")]));
    assert_eq!(twice.status, 409, "{}", twice.body);
    let twice_json = json_request("POST", &app.url("/api/cv-requests/decision"), &[], Some(&json!({"token": token, "decision": "refuse"})));
    assert_eq!(code(&twice_json), "already_decided");
    assert!(request("GET", &link, &[], None).body.contains("Hai autorizzato"));
    let forged = json_request("POST", &app.url("/api/cv-requests/decision"), &[], Some(&json!({"token": "ab".repeat(32), "decision": "accept"})));
    assert_eq!((forged.status, code(&forged).as_str()), (404, "request_link_invalid"));
    assert_eq!(request("GET", &app.url("/api/cv-requests/decision?token=nope"), &[], None).status, 404);

    // after «Autorizza»: the company sees who it is and downloads the whole CV
    let listed = mario.get("/api/cv-requests").json_checked();
    let item = &listed["items"][0];
    assert_eq!((item["status"].as_str(), item["candidate"]["family_name"].as_str()), (Some("ACCETTATA"), Some("Bianchi")), "{listed}");
    assert_eq!(item["candidate"]["cv_id"], cv_id);
    let (status, bytes, _) = download(&mario, cv_id);
    assert_eq!(status, 200);
    assert_eq!(bytes, cvfiles::docx(&text));
    assert_eq!(download(&mario, private_id).0, 403, "only the requested CV");
    let owner_list = giulia.get("/api/cv-requests").json_checked();
    assert_eq!(owner_list["items"][0]["status"], "ACCETTATA");
    assert_eq!(giulia.get("/api/cv-requests?from=2000-01-01&to=2000-01-31").json_checked()["total"], 0, "the date filter");
    assert_eq!(mario.get("/api/cv-requests?from=2000-01-01&to=2000-01-31").json_checked()["total"], 0);
    assert_eq!(field(&giulia.get("/api/cv-requests?from=2000-02-01&to=2000-01-31")).1, "invalid_range");
    assert_eq!(owner_list["items"][0]["company"]["name"], "ACME S.R.L.");
    assert_eq!(owner_list["items"][0]["position"], "PIZZAIOLO");
    let h = giulia.get(&format!("/api/cv/{cv_id}/history")).json_checked();
    assert!(h["items"].as_array().unwrap().iter().any(|e| e["kind_label"] == "Utilizzo" && e["note"].as_str().unwrap().contains("PIZZAIOLO")), "{h}");

    // «Rifiuta» (from the portal list): the other company never learns who it was
    let francesca = gpi_delegate(&app);
    let hit = francesca.get("/api/cv-search?occupation=pizzaiolo").json_checked();
    assert_eq!(hit["items"][0]["cv"].as_str(), Some(handle.as_str()));
    let asked = francesca.post("/api/cv-requests", &json!({"cv": handle, "position": "MURATORE"})).json();
    let request_id = asked["id"].as_i64().unwrap();
    let lorenzo = registered_citizen(&app, 3);
    assert_eq!(code(&lorenzo.post("/api/cv-requests", &json!({"id": request_id, "decision": "accept"}))), "request_not_found");
    let refused = giulia.post("/api/cv-requests", &json!({"id": request_id, "decision": "refuse"}));
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert_eq!(refused.json()["status"], "RIFIUTATA");
    assert_eq!(code(&giulia.post("/api/cv-requests", &json!({"id": request_id, "decision": "accept"}))), "already_decided");
    let theirs = francesca.get("/api/cv-requests").json_checked();
    assert_eq!((theirs["items"][0]["status"].as_str(), theirs["items"][0]["candidate"].is_null()), (Some("RIFIUTATA"), true));
    assert_eq!(download(&francesca, cv_id).0, 403);
    for r in [theirs.to_string(), francesca.get("/api/cv-search?occupation=pizzaiolo").body] {
        for personal in ["Giulia", "Bianchi", GIULIA_CF, GIULIA_EMAIL, "9876543"] {
            assert!(!r.contains(personal), "{personal} in {r}");
        }
    }
    // the refused link cannot be turned into an acceptance either
    let gpi_link = mailbox(&app, GIULIA_EMAIL).into_iter().find(|m| m["template"] == "cv_request" && m["body"].as_str().unwrap().contains("GPI")).unwrap();
    let gpi_token = gpi_link["params"]["link"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let late = json_request("POST", &app.url("/api/cv-requests/decision"), &[], Some(&json!({"token": gpi_token, "decision": "accept"})));
    assert_eq!(code(&late), "already_decided");
    assert_eq!(download(&francesca, cv_id).0, 403);

    // every read of a file is logged: who, when, why (refused reads are not reads)
    assert_eq!(download(&giulia, cv_id).0, 200);
    let db = rusqlite::Connection::open(state.path().join("sqlite_db.db")).unwrap();
    let log: Vec<(String, String)> = db
        .prepare("SELECT role, reason FROM cv_access_log WHERE cv_id = ? ORDER BY id")
        .unwrap()
        .query_map([cv_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].0, "company");
    assert!(log[0].1.contains("PIZZAIOLO") && log[0].1.contains("accettata"), "{log:?}");
    assert_eq!(log[1].0, "owner");

    // another citizen reaches none of it
    for (method, path) in [("GET", format!("/api/cv/{cv_id}")), ("GET", format!("/api/cv/{cv_id}/history")), ("DELETE", format!("/api/cv/{cv_id}"))] {
        let r = lorenzo.send(method, &path, &Value::Null);
        assert_eq!((r.status, code(&r).as_str()), (404, "cv_not_found"), "{method} {path}");
    }
    assert_eq!(lorenzo.put(&format!("/api/cv/{cv_id}"), &json!({"description": "x", "search_consent": false})).status, 404);
    let swap = send_bytes("PUT", &app.url(&format!("/api/cv/{cv_id}")), &[("cookie", &lorenzo.cookie), ("x-csrf-token", &lorenzo.csrf)], &cvfiles::docx(&text));
    assert_eq!(swap.status, 404);
    assert_eq!(download(&lorenzo, cv_id).0, 403);
    assert_eq!(lorenzo.get("/api/cv").json_checked()["total"], 0);
    assert_eq!(lorenzo.get("/api/cv-requests").json_checked()["total"], 0);
    assert_eq!(code(&lorenzo.get("/api/cv-search")), "not_acting_for_company", "citizens do not search CVs");
    assert_eq!(code(&lorenzo.post("/api/cv-requests", &json!({"cv": handle, "position": "X"}))), "invalid_fields", "a citizen's POST is a decision");
    // nor does a company with its own requests: not the owner's list, not her other CVs
    assert_eq!(mario.get(&format!("/api/cv/{cv_id}")).status, 404);
    assert_eq!(mario.get(&format!("/api/cv/{cv_id}/history")).status, 404);
    assert_eq!(mario.delete(&format!("/api/cv/{cv_id}")).status, 404);
    assert!(!mario.get("/api/cv-requests").body.contains("MURATORE"), "GPI's request is not ACME's");
    assert_eq!(giulia.get(&format!("/api/cv/{cv_id}")).status, 200, "still there");

    // without a session: 401 JSON everywhere but the token link
    let paths = [
        ("GET", "/api/cv"),
        ("POST", "/api/cv"),
        ("GET", "/api/cv/form"),
        ("GET", "/api/cv/1"),
        ("PUT", "/api/cv/1"),
        ("DELETE", "/api/cv/1"),
        ("GET", "/api/cv/1/file"),
        ("GET", "/api/cv/1/history"),
        ("GET", "/api/cv-search"),
        ("GET", "/api/cv-requests"),
        ("POST", "/api/cv-requests"),
    ];
    for (method, path) in paths {
        let body = (method == "POST" || method == "PUT").then(|| json!({}));
        let r = json_request(method, &app.url(path), &[], body.as_ref());
        assert_eq!((r.status, code(&r).as_str()), (401, "unauthenticated"), "{method} {path}");
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
    assert!(!app.log_text().contains("trap"), "{}", app.log_text());
}

#[test]
fn retention_job_warns_at_day_350_and_deletes_at_day_365_once() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let giulia = registered_citizen(&app, 1);
    let t0 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let cv = upload(&giulia, &cvfiles::docx(&giulia_text()), &json!({"description": "Da conservare", "search_consent": true, "territories": ["pisa"]}));
    assert_eq!(cv.status, 201, "{}", cv.body);
    let id = cv.json()["id"].as_i64().unwrap();
    let job = |now: Option<i64>, auth: Option<&str>| {
        let url = match now {
            Some(n) => app.url(&format!("/jobs/cv/retention?now={n}")),
            None => app.url("/jobs/cv/retention"),
        };
        let h = auth.map(|a| format!("Bearer {a}"));
        let headers: Vec<(&str, &str)> = h.iter().map(|v| ("authorization", v.as_str())).collect();
        json_request("POST", &url, &headers, None)
    };
    assert_eq!(job(None, None).status, 401);
    assert_eq!(job(None, Some("wrong")).status, 403);
    let run = |now: i64| {
        let r = job(Some(now), Some(SECRET));
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        (v["noticed"].as_i64().unwrap(), v["deleted"].as_i64().unwrap())
    };
    assert_eq!(job(None, Some(SECRET)).json_checked()["noticed"], 0, "today: nothing");
    assert_eq!(run(t0 + 349 * DAY), (0, 0), "day 349: nothing yet");
    assert_eq!(run(t0 + 350 * DAY + 60), (1, 0), "day 350: the notice");
    assert_eq!(run(t0 + 350 * DAY + 120), (0, 0), "one notice only");
    let notice = last_message(&app, GIULIA_EMAIL, "cv_retention_notice");
    assert!(notice["subject"].as_str().unwrap().contains("sarà cancellato"), "{notice}");
    assert!(notice["body"].as_str().unwrap().contains("Da conservare"), "{notice}");
    assert_eq!(giulia.get(&format!("/api/cv/{id}")).json_checked()["retention"]["notice_sent"], true);
    assert_eq!(run(t0 + 364 * DAY), (0, 0), "day 364: still kept");
    assert_eq!(run(t0 + 365 * DAY + 120), (0, 1), "day 365: deleted");
    assert_eq!(run(t0 + 365 * DAY + 180), (0, 0), "nothing is deleted twice");
    assert_eq!(run(t0 + 400 * DAY), (0, 0));
    assert_eq!(code(&giulia.get(&format!("/api/cv/{id}"))), "cv_not_found");
    assert_eq!(giulia.get("/api/cv").json_checked()["total"], 0);
    let mario = mario_for_acme(&app);
    assert_eq!(mario.get("/api/cv-search").json_checked()["total"], 0, "gone from the search too");
    assert_eq!(mailbox(&app, GIULIA_EMAIL).iter().filter(|m| m["template"] == "cv_retention_notice").count(), 1);

    // without the development clock the job refuses a simulated time
    drop(app);
    let state2 = tempfile::tempdir().unwrap();
    let plain = Start::portal(state2.path()).arg("--variable").arg(format!("jobs_secret={SECRET}")).start();
    let r = json_request("POST", &plain.url(&format!("/jobs/cv/retention?now={}", t0 + 400 * DAY)), &[("authorization", &format!("Bearer {SECRET}"))], None);
    assert_eq!((r.status, code(&r).as_str()), (400, "dev_clock_off"));
}

#[test]
fn a_company_sends_a_bounded_number_of_requests_a_day() {
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).arg("--variable").arg("cv_requests_per_day=1").start();
    let giulia = registered_citizen(&app, 1);
    for d in ["Uno", "Due"] {
        let r = upload(&giulia, &cvfiles::docx(&giulia_text()), &json!({"description": d, "search_consent": true, "territories": ["lucca"]}));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let mario = mario_for_acme(&app);
    let found = mario.get("/api/cv-search?territory=lucca").json_checked();
    let handles: Vec<String> = found["items"].as_array().unwrap().iter().map(|i| i["cv"].as_str().unwrap().to_string()).collect();
    assert_eq!(handles.len(), 2);
    assert_eq!(mario.post("/api/cv-requests", &json!({"cv": handles[0], "position": "CUOCO"})).status, 201);
    let over = mario.post("/api/cv-requests", &json!({"cv": handles[1], "position": "CUOCO"}));
    assert_eq!((over.status, code(&over).as_str()), (429, "request_limit"));
    assert_eq!(mailbox(&app, GIULIA_EMAIL).iter().filter(|m| m["template"] == "cv_request").count(), 1, "one e-mail only");
    // another company is not concerned
    let francesca = gpi_delegate(&app);
    assert_eq!(francesca.post("/api/cv-requests", &json!({"cv": handles[1], "position": "CUOCO"})).status, 201);
    // nor may a company rewrite the CV it can see
    let r = mario.put("/api/cv/1", &json!({"description": "x", "search_consent": false}));
    assert_eq!(r.status, 404);
}
