//! P1 news and events API: paging, detail, caching and errors, through HTTP.

use e2e::{App, Start, get, get_with, send};

fn start(state: &std::path::Path) -> App {
    Start::portal(state).start()
}

#[test]
fn list_is_paged_newest_first_and_cacheable() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let first = get(&app.url("/api/news?page_size=5"));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(first.header("cache-control"), Some("public, max-age=300"));
    let list = first.json();
    assert_eq!((list["total"].as_i64(), list["page"].as_i64(), list["page_size"].as_i64()), (Some(12), Some(1), Some(5)));
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    let dates: Vec<&str> = items.iter().map(|i| i["published_at"].as_str().unwrap()).collect();
    assert_eq!(dates[0], "2026-11-20");
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
    assert!(items.iter().all(|i| i.get("body").is_none()), "the list carries summaries only");

    let last = get(&app.url("/api/news?page=3&page_size=5")).json();
    assert_eq!(last["items"].as_array().unwrap().len(), 2);
    let beyond = get(&app.url("/api/news?page=9&page_size=5"));
    assert_eq!((beyond.status, beyond.json()["error"]["code"].as_str()), (400, Some("page_out_of_range")));

    let etag = first.header("etag").unwrap();
    let again = get_with(&app.url("/api/news?page_size=5"), &[("if-none-match", etag)]);
    assert_eq!((again.status, again.body.as_str()), (304, ""));
}

#[test]
fn detail_and_errors() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let one = get(&app.url("/api/news/2"));
    assert_eq!(one.status, 200);
    let item = one.json();
    assert_eq!(item["id"], 2);
    assert!(item["body"].as_str().unwrap().starts_with("Durante la giornata"), "{item}");

    let cases = [
        ("/api/news/999", 404, "news_not_found"),
        ("/api/news/abc", 400, "invalid_id"),
        ("/api/news?page=0", 400, "invalid_paging"),
        ("/api/news?page_size=101", 400, "invalid_paging"),
    ];
    for (path, status, code) in cases {
        let r = get(&app.url(path));
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        let error = &r.json()["error"];
        assert_eq!(error["code"], code, "{path}");
        assert!(!error["message"].as_str().unwrap().is_empty(), "{path}");
    }
    let r = send("POST", &app.url("/api/news"), "{}");
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["error"]["code"], "method_not_allowed");
}
