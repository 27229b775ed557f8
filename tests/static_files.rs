//! The portal's static component, served by the runner from the real `spin.toml`.

use e2e::{App, Start, get, get_with, head, send};

fn start(state: &std::path::Path) -> App {
    Start::portal(state).start()
}

#[test]
fn pages_assets_and_caching() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let home = get(&app.url("/"));
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(home.header("cache-control"), Some("no-cache"));
    assert!(home.header("content-security-policy").is_some());
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    assert!(home.body.contains("<html lang=\"it\">"));

    let css = get(&app.url("/css/site.css"));
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("cache-control"), Some("public, max-age=3600"));
    let etag = css.header("etag").expect("etag").to_string();

    let again = get_with(&app.url("/css/site.css"), &[("if-none-match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    let h = head(&app.url("/css/site.css"));
    assert_eq!(h.status, 200);
    assert_eq!(h.header("etag"), Some(etag.as_str()));
}

#[test]
fn missing_pages_get_the_italian_404_page() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    for path in ["/non-esiste.html", "/css/nope.css", "/%2e%2e/Cargo.toml", "/.well-known/security.txt"] {
        let r = get(&app.url(path));
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("Pagina non trovata"), "{path}: {}", r.body);
    }
    assert_eq!(send("POST", &app.url("/"), "x").status, 405);
}

#[test]
fn cache_max_age_is_a_spin_variable() {
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).env("SPIN_VARIABLE_STATIC_MAX_AGE", "60").start();
    assert_eq!(get(&app.url("/css/site.css")).header("cache-control"), Some("public, max-age=60"));
}

#[test]
fn text_assets_are_sent_compressed_when_the_client_accepts_it() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let plain = get(&app.url("/css/site.css"));
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("accept-encoding"));
    assert!(plain.body.contains(".skiplinks"));

    for (accept, coding) in [("gzip, deflate, br", "br"), ("gzip", "gzip")] {
        let r = get_with(&app.url("/css/site.css"), &[("accept-encoding", accept)]);
        assert_eq!(r.status, 200, "{accept}");
        assert_eq!(r.header("content-encoding"), Some(coding), "{accept}");
        assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
        let sent: usize = r.header("content-length").unwrap().parse().unwrap();
        assert!(sent * 2 < plain.body.len(), "{coding}: {sent} bytes vs {}", plain.body.len());
        assert_ne!(r.header("etag"), plain.header("etag"), "each encoding has its own ETag");
        let again = get_with(&app.url("/css/site.css"), &[("accept-encoding", accept), ("if-none-match", r.header("etag").unwrap())]);
        assert_eq!(again.status, 304);
    }
}
