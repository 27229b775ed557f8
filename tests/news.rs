//! P1 news and events API: paging, detail, caching and errors, through HTTP.

use e2e::{App, Start, get, get_with, send};

fn start(state: &std::path::Path) -> App {
    Start::portal(state).start()
}

fn field<'a>(json: &'a str, name: &str) -> &'a str {
    let needle = format!("\"{name}\":");
    let start = json.find(&needle).unwrap_or_else(|| panic!("{name} missing in {json}")) + needle.len();
    let rest = &json[start..];
    let end = rest.find([',', '}']).unwrap();
    rest[..end].trim_matches('"')
}

#[test]
fn list_is_paged_newest_first_and_cacheable() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let first = get(&app.url("/api/news?page_size=5"));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(first.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(field(&first.body, "total"), "12");
    assert_eq!(field(&first.body, "page_size"), "5");
    assert_eq!(first.body.matches("\"id\":").count(), 5);
    assert_eq!(field(&first.body, "published_at"), "2026-11-20", "newest first");
    assert!(!first.body.contains("\"body\""), "the list carries summaries only");

    let last = get(&app.url("/api/news?page=3&page_size=5"));
    assert_eq!(last.body.matches("\"id\":").count(), 2);
    let beyond = get(&app.url("/api/news?page=9&page_size=5"));
    assert_eq!((beyond.status, beyond.body.matches("\"id\":").count()), (200, 0));

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
    assert_eq!(field(&one.body, "id"), "2");
    assert!(one.body.contains("\"body\":\"Durante la giornata"), "{}", one.body);

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
        assert!(r.body.starts_with(&format!("{{\"error\":{{\"code\":\"{code}\",\"message\":\"")), "{path}: {}", r.body);
    }
    let r = send("POST", &app.url("/api/news"), "{}");
    assert_eq!(r.status, 405);
    assert!(r.body.contains("method_not_allowed"));
}
