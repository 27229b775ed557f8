//! P2/P3 offer search and detail through HTTP, on a small known data set
//! (tests/fixtures/offers.sql): every filter alone and combined, free text with
//! prefixes and accents, sorting, paging edges, expired and closed offers, caching,
//! reference lists and bad input.

use e2e::{App, Start, get, get_with, portal_manifest, root, send};

fn start(state: &std::path::Path) -> App {
    let mut s = Start::new(portal_manifest(), state);
    for file in ["db/migrations/0001_schema_version.sql", "db/migrations/0003_offers.sql", "db/migrations/0010_backoffice.sql", "db/reference/0001_places.sql", "tests/fixtures/offers.sql"] {
        s = s.arg("--sqlite").arg(format!("@{}", root().join(file).display()));
    }
    s.arg("--variable").arg(format!("base_url={PUBLIC}")).start()
}

/// The portal's public address (`base_url`): absolute URLs name it, never the `Host` a
/// client sends (here the test's loopback address).
const PUBLIC: &str = "https://lavoro.example.it";

fn public(path: &str) -> String {
    format!("{PUBLIC}{path}")
}

/// The offer codes a search returns, in order, and its total.
fn codes(app: &App, query: &str) -> (Vec<String>, i64) {
    let r = get(&app.url(&format!("/api/offers?{query}")));
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let v = r.json();
    let codes = v["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect();
    (codes, v["total"].as_i64().unwrap())
}

#[test]
fn every_filter_alone_and_combined() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let cases: &[(&str, &[&str])] = &[
        // open offers only, closest deadline first; expired (PI) and closed (LU) are not listed
        ("", &["GR-9000003", "GR-9000005", "FI-9000002", "PO-9000001"]),
        ("sort=newest", &["GR-9000005", "GR-9000003", "FI-9000002", "PO-9000001"]),
        // free text: prefixes, case, accents both ways, several words
        ("q=cuoc", &["PO-9000001"]),
        ("q=PASTICC", &["FI-9000002"]),
        ("q=attivita", &["GR-9000003"]),
        ("q=ATTIVIT%C3%80", &["GR-9000003"]),
        ("q=operatore+assistenza", &["GR-9000003"]),
        ("q=cuoco+pasticcere", &[]),
        ("offer_type=collocamento-mirato", &["FI-9000002"]),
        ("contract_type=tempo-indeterminato", &["GR-9000003"]),
        ("region=09", &["GR-9000003", "FI-9000002", "PO-9000001"]),
        ("region=05", &["GR-9000005"]),
        ("province=053", &["GR-9000003"]),
        ("comune=053009", &["GR-9000003"]), // Follonica, the offer's second location
        ("area=firenze", &["FI-9000002"]),
        ("cpi=grosseto", &["GR-9000003", "GR-9000005"]),
        ("code=gr-9000005", &["GR-9000005"]),
        ("code=PI-9000004", &[]), // exists but expired
        ("q=operatore&province=053&cpi=grosseto&area=grosseto&region=09", &["GR-9000003"]),
        ("q=cuoco&province=053", &[]),
        ("cpi=grosseto&region=05&contract_type=apprendistato-alta-formazione&offer_type=eures", &["GR-9000005"]),
    ];
    for (query, expected) in cases {
        let (got, total) = codes(&app, query);
        assert_eq!(got, *expected, "{query}");
        assert_eq!(total, expected.len() as i64, "{query}");
    }
}

#[test]
fn result_rows_carry_the_manual_columns_and_paging_edges() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let v = get(&app.url("/api/offers?code=GR-9000003")).json();
    let row = &v["items"][0];
    assert_eq!(row["cpi"]["name"], "GROSSETO"); // Provenienza
    assert_eq!(row["offer_type"]["name"], "Pubbliche amministrazioni");
    assert_eq!(row["contract_type"]["name"], "LAVORO A TEMPO INDETERMINATO");
    assert_eq!(row["occupation"], "operatore socio sanitario");
    assert_eq!(row["locations"], serde_json::json!(["Grosseto", "Follonica"]));
    assert_eq!(row["deadline"], "2999-01-15");

    let (first, total) = codes(&app, "page_size=3");
    assert_eq!((first.len(), total), (3, 4));
    let (second, _) = codes(&app, "page_size=3&page=2");
    assert_eq!(second, ["PO-9000001"]);
    let beyond = get(&app.url("/api/offers?page_size=3&page=3"));
    assert_eq!(beyond.status, 400);
    assert_eq!(beyond.json()["error"]["code"], "page_out_of_range");
    let (none, total) = codes(&app, "q=inesistente");
    assert_eq!((none.len(), total), (0, 0), "an empty first page is not an error");
}

#[test]
fn detail_includes_expired_offers_and_every_section() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let d = get(&app.url("/api/offers/fi-9000002")).json();
    assert_eq!(d["code"], "FI-9000002");
    assert_eq!(d["cpi"]["name"], "SCANDICCI");
    assert_eq!(d["cpi"]["area"]["name"], "Firenze");
    assert_eq!(d["expired"], false);
    assert_eq!(d["experience_required"], false);
    assert_eq!(d["places"], 1);
    assert_eq!(d["work_mode"], "PART TIME");
    assert_eq!(d["requirements"]["targeted_placement"], true);
    assert_eq!(d["locations"][0]["name"], "Firenze");
    assert_eq!(d["locations"][0]["sigla"], "FI");
    assert_eq!(d["locations"][0]["region"], "Toscana");

    let grosseto = get(&app.url("/api/offers/GR-9000003")).json();
    assert_eq!(grosseto["cpi"]["email"], "uti.grosseto@arti.toscana.it");
    for code in ["PI-9000004", "LU-9000006"] {
        let r = get(&app.url(&format!("/api/offers/{code}")));
        assert_eq!(r.status, 200, "{code}");
        assert_eq!(r.json()["expired"], true, "{code}");
    }
    let missing = get(&app.url("/api/offers/FI-1"));
    assert_eq!((missing.status, missing.json()["error"]["code"].as_str()), (404, Some("offer_not_found")));
}

#[test]
fn answers_are_cacheable_and_revalidate() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    // offers change when operators act: browsers revalidate every time, edges keep them
    // offers_max_age seconds; reference lists are cached as they are
    for (path, cache) in [
        ("/api/offers?q=cuoc", "public, max-age=0, must-revalidate, s-maxage=60"),
        ("/api/offers/PO-9000001", "public, max-age=0, must-revalidate, s-maxage=60"),
        ("/offerte/PO-9000001", "public, max-age=0, must-revalidate, s-maxage=60"),
        ("/feeds/offers.rss", "public, max-age=0, must-revalidate, s-maxage=60"),
        ("/sitemap.xml", "public, max-age=0, must-revalidate, s-maxage=60"),
        ("/api/ref/provinces?region=09", "public, max-age=3600"),
    ] {
        let first = get(&app.url(path));
        assert_eq!(first.header("cache-control"), Some(cache), "{path}");
        let etag = first.header("etag").unwrap();
        let again = get_with(&app.url(path), &[("if-none-match", etag)]);
        assert_eq!((again.status, again.body.as_str()), (304, ""), "{path}");
    }
}

#[test]
fn reference_lists_for_the_filters() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let len = |path: &str| get(&app.url(path)).json()["items"].as_array().unwrap().len();
    assert_eq!(len("/api/ref/provinces?region=09"), 10);
    assert_eq!(len("/api/ref/comuni?province=100"), 7);
    assert_eq!(len("/api/ref/areas"), 11);
    assert_eq!(len("/api/ref/cpis?area=firenze"), 6);
    assert_eq!(len("/api/ref/offer-types"), 4);
    assert_eq!(len("/api/ref/contract-types"), 7);
    assert!(len("/api/ref/regions") == 20);
    let toscana = get(&app.url("/api/ref/regions")).json();
    assert!(toscana["items"].as_array().unwrap().iter().any(|r| r["code"] == "09" && r["name"] == "Toscana"));
    let prato = get(&app.url("/api/ref/provinces?region=09")).json();
    assert!(prato["items"].as_array().unwrap().iter().any(|p| p["code"] == "100" && p["sigla"] == "PO"));
}

#[test]
fn bad_input_gets_a_clear_400_and_injection_is_harmless() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let long = format!("q={}", "a".repeat(201));
    let cases: Vec<(&str, &str)> = vec![
        ("/api/offers?region=9", "invalid_filter"),
        ("/api/offers?province=999", "unknown_filter"),
        ("/api/offers?offer_type=inventato", "unknown_filter"),
        ("/api/offers?cpi=x%27%3B%20DROP%20TABLE%20offers%3B--", "invalid_filter"),
        ("/api/offers?code=XX", "invalid_code"),
        ("/api/offers?q=%21%21%21", "invalid_filter"),
        (&long, "invalid_filter"),
        ("/api/offers?sort=prezzo", "invalid_sort"),
        ("/api/offers?page=0", "invalid_paging"),
        ("/api/offers?page_size=1000", "invalid_paging"),
        ("/api/offers/FI_123", "invalid_code"),
        ("/api/ref/comuni", "missing_province"),
    ];
    for (path, code) in cases {
        let path = if path.starts_with("q=") { format!("/api/offers?{path}") } else { path.to_string() };
        let r = get(&app.url(&path));
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        let error = r.json();
        assert_eq!(error["error"]["code"], code, "{path}");
        assert!(!error["error"]["message"].as_str().unwrap().is_empty());
    }
    // SQL and FTS syntax in the free text is just words
    let (found, _) = codes(&app, "q=%27%20OR%201%3D1%20--");
    assert!(found.is_empty());
    let (found, _) = codes(&app, "q=cuoco%22%20OR%20%22pasticcere");
    assert!(found.is_empty(), "OR is a word, not an operator: {found:?}");
    assert_eq!(codes(&app, "").1, 4, "the data is intact");
    assert_eq!(send("POST", &app.url("/api/offers"), "{}").status, 405);
}

#[test]
fn the_offer_page_is_html_with_job_posting_json_ld() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let r = get(&app.url("/offerte/gr-9000003"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(r.header("cache-control").unwrap().starts_with("public, max-age=0"));
    assert!(r.body.contains("<h1>Dettaglio offerta (operatore socio sanitario)</h1>"));
    assert!(r.body.contains("Grosseto (GR), Follonica (GR)"));
    let start = r.body.find("<script type=\"application/ld+json\">").expect("JSON-LD in the served HTML") + 35;
    let end = start + r.body[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&r.body[start..end]).unwrap();
    assert_eq!(ld["@type"], "JobPosting");
    assert_eq!(ld["title"], "operatore socio sanitario");
    assert_eq!(ld["datePosted"], "2026-03-01");
    assert_eq!(ld["validThrough"], "2999-01-15T23:59:59");
    assert_eq!(ld["hiringOrganization"]["name"], "Centro per l'impiego di GROSSETO");
    assert_eq!(ld["jobLocation"].as_array().unwrap().len(), 2);
    assert_eq!(ld["url"], public("/offerte/GR-9000003"));

    let expired = get(&app.url("/offerte/PI-9000004"));
    assert_eq!(expired.status, 200);
    assert!(expired.body.contains("Questa offerta è scaduta il 01/01/2000"));
    assert!(!expired.body.contains("Compila candidatura"));
    for path in ["/offerte/FI-1", "/offerte/nonsense", "/offerte/FI-1/x"] {
        let r = get(&app.url(path));
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("Offerta non trovata"), "{path}");
    }
}

#[test]
fn rss_feed_with_the_search_filters_and_sitemaps_are_valid_xml() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let r = get(&app.url("/feeds/offers.rss?region=09"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/rss+xml; charset=utf-8"));
    let doc = roxmltree::Document::parse(&r.body).expect("well-formed XML");
    let rss = doc.root_element();
    assert_eq!((rss.tag_name().name(), rss.attribute("version")), ("rss", Some("2.0")));
    let channel = rss.children().find(|n| n.has_tag_name("channel")).unwrap();
    for required in ["title", "link", "description"] {
        assert!(channel.children().any(|n| n.has_tag_name(required)), "channel {required}");
    }
    let items: Vec<_> = channel.children().filter(|n| n.has_tag_name("item")).collect();
    // newest first, Tuscan open offers only
    let links: Vec<&str> = items
        .iter()
        .map(|i| i.children().find(|n| n.has_tag_name("link")).unwrap().text().unwrap())
        .collect();
    assert_eq!(links, [public("/offerte/GR-9000003"), public("/offerte/FI-9000002"), public("/offerte/PO-9000001")]);
    assert!(!r.body.contains("127.0.0.1"), "the Host header is not used");
    for item in &items {
        for required in ["title", "link", "guid", "pubDate", "description"] {
            assert!(item.children().any(|n| n.has_tag_name(required)), "item {required}");
        }
    }
    assert_eq!(get(&app.url("/feeds/offers.rss?province=xyz")).status, 400);

    let index = get(&app.url("/sitemap.xml"));
    let doc = roxmltree::Document::parse(&index.body).unwrap();
    let locs: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    assert_eq!(locs, [public("/sitemaps/pages.xml"), public("/sitemaps/offers-1.xml")]);
    let offers = get(&app.url("/sitemaps/offers-1.xml"));
    let doc = roxmltree::Document::parse(&offers.body).unwrap();
    let urls = doc.descendants().filter(|n| n.has_tag_name("url")).count();
    assert_eq!(urls, 4, "the open offers");
    let pages = get(&app.url("/sitemaps/pages.xml"));
    assert!(roxmltree::Document::parse(&pages.body).unwrap().descendants().any(|n| n.text() == Some(public("/cittadino/offerte/").as_str())));
    assert_eq!(get(&app.url("/sitemaps/offers-2.xml")).status, 404);
}
