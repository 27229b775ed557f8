//! The runner hosts the application as `spin up` would: routing and Spin headers,
//! permissions, durable key-value and SQLite state, variables, files, outbound HTTP,
//! failure isolation, concurrency and a clean shutdown.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use e2e::{App, Start, fixture_manifest, get, get_with, send};

/// The probe application with its schema, ready for more flags.
fn probe(state: &std::path::Path) -> Start<'_> {
    Start::new(fixture_manifest(), state)
        .arg("--sqlite")
        .arg(format!("@{}", e2e::root().join("tests/fixtures/schema.sql").display()))
        .env("SPIN_VARIABLE_SECRET_TOKEN", "s3cret")
}

fn start(state: &std::path::Path) -> App {
    probe(state).start()
}

#[test]
fn appended_flags_override_earlier_ones() {
    // the harness passes --listen and --state-dir first; these come after and win
    let state = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let app = probe(state.path())
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--state-dir")
        .arg(other.path().to_str().unwrap())
        .start();
    assert_eq!(send("POST", &app.url("/probe/sql/hit"), "x").status, 200);
    assert!(other.path().join("sqlite_db.db").exists(), "the later --state-dir is used");
    assert!(!state.path().join("sqlite_db.db").exists());
}

#[test]
fn health_and_unrouted_paths() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let r = get(&app.url("/.well-known/spin/health"));
    assert_eq!((r.status, r.body.as_str()), (200, "OK"));
    assert_eq!(get(&app.url("/nowhere")).status, 404);
    assert_eq!(get(&app.url("/.well-known/spin/other")).status, 404);
}

#[test]
fn a_malformed_host_header_is_a_client_error() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let addr = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(b"GET /probe/env HTTP/1.1\r\nHost: bad host/x\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert_eq!(get(&app.url("/probe/env")).status, 200);
}

#[test]
fn spin_headers_and_route_precedence() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    // `:id` route, answered by the header echo; a client cannot forge spin-* headers.
    let r = get_with(&app.url("/items/42?lang=it"), &[("spin-client-addr", "6.6.6.6:1")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let echoed = r.json();
    let h = |k: &str| echoed[k].as_str().unwrap_or_else(|| panic!("{k} missing in {echoed}")).to_string();
    assert_eq!(h("spin-path-match-id"), "42");
    assert_eq!(h("spin-matched-route"), "/items/:id");
    assert_eq!(h("spin-raw-component-route"), "/items/:id");
    assert_eq!(h("spin-component-route"), "/items/:id");
    assert_eq!(h("spin-base-path"), "/");
    assert_eq!(h("spin-path-info"), "");
    assert_eq!(h("spin-full-url"), app.url("/items/42?lang=it"));
    assert!(h("spin-client-addr").starts_with("127.0.0.1:"), "forged header must be replaced");
    // a longer exact-segment route beats the shorter one; it is served by the locked copy
    let r = get(&app.url("/items/42/detail")).json();
    assert_eq!(r["spin-matched-route"], "/items/:id/detail");
    // wildcard path-info
    let r = get(&app.url("/probe/unknown/thing/")).json();
    assert_eq!(r["spin-path-info"], "/unknown/thing/");
    assert_eq!(r["spin-component-route"], "/probe");
}

#[test]
fn private_routes_are_not_reachable() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    for path in ["/hidden", "/hidden/x", "/"] {
        assert_eq!(get(&app.url(path)).status, 404, "{path}");
    }
}

#[test]
fn key_value_and_sqlite_persist_across_requests_and_restarts() {
    let state = tempfile::tempdir().unwrap();
    {
        let app = start(state.path());
        assert_eq!(send("PUT", &app.url("/probe/kv/greeting"), "buongiorno").status, 200);
        assert_eq!(get(&app.url("/probe/kv/greeting")).body, "buongiorno");
        assert_eq!(get(&app.url("/probe/kv/absent")).status, 404);
        for who in ["anna", "bruno"] {
            assert_eq!(send("POST", &app.url("/probe/sql/hit"), who).status, 200);
        }
        assert_eq!(get(&app.url("/probe/sql/count")).body, "2");
        assert!(app.terminate(Duration::from_secs(15)).is_some_and(|s| s.success()));
    }
    let app = start(state.path());
    assert_eq!(get(&app.url("/probe/kv/greeting")).body, "buongiorno");
    assert_eq!(get(&app.url("/probe/sql/count")).body, "2");
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    for i in 0..20 {
        assert_eq!(send("POST", &app.url("/probe/sql/hit"), &format!("w{i}")).status, 200);
    }
    assert_eq!(send("PUT", &app.url("/probe/kv/last"), "w19").status, 200);
    app.kill();
    let app = start(state.path());
    assert_eq!(get(&app.url("/probe/sql/count")).body, "20");
    assert_eq!(get(&app.url("/probe/kv/last")).body, "w19");
}

#[test]
fn stores_are_refused_without_permission() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let r = get(&app.url("/locked/kv/x"));
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("AccessDenied"), "{}", r.body);
    let r = send("POST", &app.url("/locked/sql/hit"), "intruder");
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("AccessDenied"), "{}", r.body);
    assert_eq!(get(&app.url("/probe/sql/count")).body, "0", "nothing was written");
}

/// A one-shot HTTP server on loopback that answers `pong` to each connection.
fn pong_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\npong");
        }
    });
    port
}

#[test]
fn outbound_http_only_to_allowed_hosts() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let port = pong_server();
    let allowed = get(&app.url(&format!("/probe/outbound?url=http://127.0.0.1:{port}/ping")));
    assert_eq!((allowed.status, allowed.body.as_str()), (200, "200 pong"));
    // same server, but by a name the component was not granted
    let other_name = get(&app.url(&format!("/probe/outbound?url=http://localhost:{port}/ping")));
    assert_eq!(other_name.status, 502, "{}", other_name.body);
    assert!(other_name.body.contains("HttpRequestDenied"), "{}", other_name.body);
    // a component with no allowed hosts at all
    let locked = get(&app.url(&format!("/locked/outbound?url=http://127.0.0.1:{port}/ping")));
    assert_eq!(locked.status, 502, "{}", locked.body);
    assert!(locked.body.contains("HttpRequestDenied"), "{}", locked.body);
    assert!(app.log_text().contains("is not allowed to reach"));
}

#[test]
fn templated_outbound_hosts_follow_the_variables() {
    let state = tempfile::tempdir().unwrap();
    let (port, other) = (pong_server(), pong_server());
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .arg("--variable")
        .arg(format!("outbound_origin=http://127.0.0.1:{port}"))
        .start();
    let allowed = get(&app.url(&format!("/templated/outbound?url=http://127.0.0.1:{port}/ping")));
    assert_eq!((allowed.status, allowed.body.as_str()), (200, "200 pong"));
    let denied = get(&app.url(&format!("/templated/outbound?url=http://127.0.0.1:{other}/ping")));
    assert!(denied.status == 502 && denied.body.contains("HttpRequestDenied"), "{}", denied.body);
    drop(app);

    // a value that is not a host pattern: the component may reach nothing (as in Spin)
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .arg("--variable")
        .arg(format!("outbound_origin=127.0.0.1:{port}"))
        .start();
    let denied = get(&app.url(&format!("/templated/outbound?url=http://127.0.0.1:{port}/ping")));
    assert!(denied.status == 502 && denied.body.contains("HttpRequestDenied"), "{}", denied.body);
    assert!(app.log_text().contains("component `probe-templated`: allowed_outbound_hosts"), "{}", app.log_text());
}

#[test]
fn variables_environment_and_read_only_files() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let vars = get(&app.url("/probe/vars")).body;
    assert!(vars.starts_with("ciao, mondo|s3cret|<") && vars.contains("Undefined("), "{vars}");
    assert_eq!(get(&app.url("/probe/env")).body, "from-manifest");
    assert_eq!(get(&app.url("/probe/file")).body, "ciao dal file|read-only");
    assert_eq!(get(&app.url("/locked/env")).body, "", "environment is per component");
    drop(app);

    // SPIN_VARIABLE_ overrides the default; --variable overrides both; --env adds to all
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "dall-ambiente")
        .env("SPIN_VARIABLE_GREETING", "salve")
        .arg("--variable")
        .arg("secret_token=da-riga-di-comando")
        .arg("--env")
        .arg("PROBE_ENV=da-env")
        .start();
    let vars = get(&app.url("/probe/vars")).body;
    assert!(vars.starts_with("salve, mondo|da-riga-di-comando|"), "{vars}");
    assert_eq!(get(&app.url("/locked/env")).body, "da-env");
    drop(app);

    // As in Spin, `--variable name=@file` takes the value from a file (keys, certificates)
    let secret = state.path().join("secret.txt");
    std::fs::write(&secret, "dal-file\nsu due righe").unwrap();
    let app = Start::new(fixture_manifest(), state.path())
        .arg("--variable")
        .arg(format!("secret_token=@{}", secret.display()))
        .start();
    let vars = get(&app.url("/probe/vars")).body;
    assert!(vars.contains("|dal-file\nsu due righe|"), "{vars}");
}

#[test]
fn missing_required_variable_and_bad_manifests_are_refused_at_start() {
    let state = tempfile::tempdir().unwrap();
    let (code, err) = Start::new(fixture_manifest(), state.path()).refused();
    assert_eq!(code, Some(1));
    assert!(err.contains("variable `secret_token` is required"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("spin.toml");
    std::fs::write(
        &bad,
        "spin_manifest_version = 2\n[application]\nname = \"x\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"ghost\"\n",
    )
    .unwrap();
    let (code, err) = Start::new(bad.clone(), state.path()).refused();
    assert_eq!(code, Some(1));
    assert!(err.contains("component `ghost`, which is not defined"), "{err}");

    std::fs::write(&bad, "spin_manifest_version = 2\n[application\n").unwrap();
    let (code, err) = Start::new(bad, state.path()).refused();
    assert_eq!(code, Some(1));
    assert!(err.contains("not a valid Spin manifest"), "{err}");
}

#[test]
fn a_trap_fails_only_its_own_request() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    let r = get(&app.url("/probe/trap"));
    assert_eq!(r.status, 500);
    assert_eq!(get(&app.url("/probe/sql/count")).status, 200, "the runner keeps serving");
    let log = app.log_text();
    assert!(log.contains("component `probe` failed on GET /probe/trap"), "{log}");
    assert!(log.contains("GET /probe/trap probe 500"), "access log line: {log}");
}

#[test]
fn hundred_concurrent_writes_all_succeed() {
    // on a WAL database, from connections set up as the portal's components set theirs
    // (with rusqlite's defaults alone, rollback journal and FULL sync, 100 writers at
    // once take ~3-5 s to drain: near the 5 s busy timeout on a loaded machine)
    let state = tempfile::tempdir().unwrap();
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .arg("--sqlite")
        .arg("PRAGMA journal_mode = WAL")
        .arg("--sqlite")
        .arg(format!("@{}", e2e::root().join("tests/fixtures/schema.sql").display()))
        .start();
    let url = app.url("/probe/sql/write");
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || send("POST", &url, &format!("c{i}")).status)
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}\n{}", app.log_text());
    assert_eq!(get(&app.url("/probe/sql/count")).body, "100");
}

#[test]
fn sigterm_stops_cleanly() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    assert_eq!(get(&app.url("/probe/sql/count")).status, 200);
    let status = app.terminate(Duration::from_secs(15)).expect("runner exits after SIGTERM");
    assert!(status.success(), "{status:?}");
}

#[test]
fn build_accepts_stores_defined_in_the_runtime_config() {
    // a component using a key-value store that only the runtime config defines
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("spin.toml");
    std::fs::write(
        &manifest,
        "spin_manifest_version = 2\n[application]\nname = \"x\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"c\"\n\
         [component.c]\nsource = \"c.wasm\"\nkey_value_stores = [\"cache\"]\n[component.c.build]\ncommand = \"true\"\n",
    )
    .unwrap();
    let rc = dir.path().join("runtime.toml");
    std::fs::write(&rc, "[key_value_store.cache]\ntype = \"spin\"\npath = \"cache.db\"\n").unwrap();
    let run = |extra: &[&str]| {
        std::process::Command::new(e2e::runner_bin())
            .arg("build")
            .arg("--from")
            .arg(&manifest)
            .args(extra)
            .output()
            .unwrap()
    };
    let with = run(&["--runtime-config-file", rc.to_str().unwrap()]);
    assert!(with.status.success(), "{}", String::from_utf8_lossy(&with.stderr));
    let without = run(&[]);
    assert!(!without.status.success(), "without the runtime config the store is unknown");
    assert!(String::from_utf8_lossy(&without.stderr).contains("key-value store `cache`"));
}

/// Writes a request with a `total`-byte body (declared or chunked) from a thread while
/// reading the answer; returns the status, the body, the time to the answer and how
/// many body bytes the runner let the client write before it stopped the connection.
fn upload(base: &str, path: &str, total: usize, chunked: bool) -> (u16, String, Duration, usize) {
    use std::io::BufRead;
    let addr = base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let length = if chunked { "transfer-encoding: chunked".to_string() } else { format!("content-length: {total}") };
    let head = format!("PUT {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/octet-stream\r\n{length}\r\n\r\n");
    let started = std::time::Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let block = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < total {
            let n = block.len().min(total - sent);
            let ok = if chunked {
                writer.write_all(format!("{n:x}\r\n").as_bytes()).is_ok()
                    && writer.write_all(&block[..n]).is_ok()
                    && writer.write_all(b"\r\n").is_ok()
            } else {
                writer.write_all(&block[..n]).is_ok()
            };
            if !ok {
                break;
            }
            sent += n;
        }
        if chunked && sent == total {
            let _ = writer.write_all(b"0\r\n\r\n");
        }
        sent
    });
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let elapsed = started.elapsed();
    let status: u16 = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (mut length, mut chunked_reply) = (0, false);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        let line = line.to_ascii_lowercase();
        if let Some(v) = line.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        chunked_reply |= line.starts_with("transfer-encoding:") && line.contains("chunked");
    }
    let mut body = Vec::new();
    if chunked_reply {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body).unwrap();
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let sent = sender.join().unwrap();
    (status, String::from_utf8_lossy(&body).into_owned(), elapsed, sent)
}

/// The runner's resident memory, in KB.
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

const TOO_LARGE: &str = r#"{"error":{"code":"payload_too_large","message":"I dati inviati sono troppo grandi."}}"#;

#[test]
fn bodies_over_the_limit_never_reach_the_component() {
    let state = tempfile::tempdir().unwrap();
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .arg("--max-request-body")
        .arg("100000")
        .start();
    for chunked in [false, true] {
        let (status, body, _, _) = upload(&app.base, "/probe/body", 100_000, chunked);
        assert_eq!((status, body.as_str()), (200, "100000"), "exactly the limit passes (chunked: {chunked})");
        let (status, body, _, _) = upload(&app.base, "/probe/body", 100_001, chunked);
        assert_eq!((status, body.as_str()), (413, TOO_LARGE), "one byte more (chunked: {chunked})");
    }
    // a declared length is refused even on a path no component serves
    let (status, _, _, _) = upload(&app.base, "/nowhere", 100_001, false);
    assert_eq!(status, 413);
    let log = app.log_text();
    assert!(log.contains("PUT /probe/body - 413"), "the declared length never reached the component: {log}");
    assert!(log.contains("request body over 100000 bytes, answered 413"), "{log}");
    assert_eq!(get(&app.url("/probe/env")).status, 200, "still serving");
}

#[test]
fn huge_bodies_get_413_quickly_and_memory_stays_bounded() {
    let state = tempfile::tempdir().unwrap();
    // RUST_BACKTRACE=1 (set in many shells) makes every logged error carry a symbolised
    // host backtrace: ~40 MB of debug info loaded on the first one, whatever the body
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .env("RUST_BACKTRACE", "0")
        .env("RUST_LIB_BACKTRACE", "0")
        .arg("--sqlite")
        .arg(format!("@{}", e2e::root().join("tests/fixtures/schema.sql").display()))
        .start();
    // warm up: a body of exactly the default limit (6 MiB) goes through, one byte more
    // does not (the guest then traps on the cut stream)
    let (status, body, _, _) = upload(&app.base, "/probe/body", 6 << 20, true);
    assert_eq!((status, body.as_str()), (200, (6usize << 20).to_string().as_str()));
    let (status, _, _, _) = upload(&app.base, "/probe/body", (6 << 20) + 1, true);
    assert_eq!(status, 413);
    let before = rss_kb(app.pid());
    for total in [50_000_000, 200_000_000] {
        for chunked in [false, true] {
            let (status, body, elapsed, sent) = upload(&app.base, "/probe/body", total, chunked);
            assert_eq!((status, body.as_str()), (413, TOO_LARGE), "{total} bytes, chunked: {chunked}");
            assert!(elapsed < Duration::from_secs(10), "{total} bytes, chunked: {chunked}: answered after {elapsed:?}");
            assert!(sent < total, "{total} bytes, chunked: {chunked}: the runner read the whole body");
            let grown = rss_kb(app.pid()).saturating_sub(before);
            println!("{total} bytes, chunked: {chunked}: 413 after {elapsed:?}, {sent} bytes sent, RSS +{grown} KB");
            assert!(grown < 8 * 1024, "{total} bytes, chunked: {chunked}: RSS grew by {grown} KB");
        }
    }
    assert_eq!(get(&app.url("/probe/sql/count")).status, 200, "still serving");
}

#[test]
fn a_component_that_never_answers_is_stopped_at_the_request_timeout() {
    let state = tempfile::tempdir().unwrap();
    let app = probe(state.path())
        .arg("--request-timeout")
        .arg("2s")
        .start();
    let loops: Vec<_> = (0..4)
        .map(|_| {
            let url = app.url("/probe/loop");
            std::thread::spawn(move || {
                let t = std::time::Instant::now();
                let status = get(&url).status;
                (status, t.elapsed(), std::time::Instant::now())
            })
        })
        .collect();
    // each looping guest writes a row before it loops: wait for the four
    let waiting = std::time::Instant::now();
    while get(&app.url("/probe/sql/count")).body != "4" {
        assert!(waiting.elapsed() < Duration::from_secs(30), "the looping guests did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    // more loops than cores: each yields, so the runner serves other requests meanwhile
    assert_eq!(send("POST", &app.url("/probe/sql/hit"), "during").status, 200);
    let served = std::time::Instant::now();
    for l in loops {
        let (status, took, ended) = l.join().unwrap();
        assert_eq!(status, 500);
        assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(12), "{took:?}");
        assert!(served < ended, "the other request was served while the guests looped");
    }
    let log = app.log_text();
    assert!(log.contains("GET /probe/loop probe 500"), "{log}");
    // the slots are free again: as many requests as before still run
    let writes: Vec<_> = (0..20)
        .map(|i| {
            let url = app.url("/probe/sql/hit");
            std::thread::spawn(move || send("POST", &url, &format!("after{i}")).status)
        })
        .collect();
    assert!(writes.into_iter().all(|w| w.join().unwrap() == 200));
    assert_eq!(get(&app.url("/probe/sql/count")).body, "25");
}

#[test]
fn spin_full_url_takes_the_scheme_of_the_flag() {
    let state = tempfile::tempdir().unwrap();
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .arg("--url-scheme")
        .arg("https")
        .start();
    let r = get(&app.url("/items/7?x=1")).json();
    let host = app.base.trim_start_matches("http://");
    assert_eq!(r["spin-full-url"], format!("https://{host}/items/7?x=1"));
}

#[test]
fn sqlite_connections_get_spins_defaults_and_no_hidden_pragmas() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    assert_eq!(
        get(&app.url("/probe/sql/pragmas")).body,
        "journal_mode=delete foreign_keys=1 busy_timeout=5000 synchronous=2",
        "rusqlite's defaults, as Spin 3+ opens them: rollback journal on a new file"
    );
    drop(app);
    // a database made WAL (as a deployment does once) stays WAL for every connection
    let app = Start::new(fixture_manifest(), state.path())
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .arg("--sqlite")
        .arg("PRAGMA journal_mode = WAL")
        .start();
    assert!(get(&app.url("/probe/sql/pragmas")).body.starts_with("journal_mode=wal "));
}

#[test]
fn key_value_on_redis_uses_spins_layout() {
    let redis = e2e::redis::Redis::start();
    let state = tempfile::tempdir().unwrap();
    let rc = state.path().join("runtime-config.toml");
    std::fs::write(&rc, format!("[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n", redis.url(3))).unwrap();
    let with_redis = || {
        Start::new(fixture_manifest(), state.path())
            .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
            .arg("--runtime-config-file")
            .arg(rc.to_str().unwrap())
            .start()
    };
    let app = with_redis();
    assert_eq!(send("PUT", &app.url("/probe/kv/saluto"), "buongiorno").status, 200);
    assert_eq!(send("PUT", &app.url("/probe/kv/altro"), "x").status, 200);
    assert_eq!(get(&app.url("/probe/kv/saluto")).body, "buongiorno");
    assert_eq!(get(&app.url("/probe/kv/assente")).status, 404);
    // as Spin stores it: the key itself, a plain string, in the URL's database
    assert_eq!(redis.command(3, &["GET", "saluto"]), "buongiorno");
    assert_eq!(redis.command(0, &["EXISTS", "saluto"]), "0");
    redis.command(3, &["SET", "da-fuori", "1"]);
    assert_eq!(get(&app.url("/probe/kv-keys")).body, "altro,da-fuori,saluto", "get_keys is every key (KEYS *)");
    assert_eq!(get(&app.url("/probe/kv-exists/altro")).body, "true");
    assert_eq!(send("DELETE", &app.url("/probe/kv/altro"), "").status, 200);
    assert_eq!(get(&app.url("/probe/kv-exists/altro")).body, "false");
    assert_eq!(redis.command(3, &["EXISTS", "altro"]), "0");
    assert!(app.log_text().contains(&format!("key-value store `default`: Redis at 127.0.0.1:{}", redis.port)));
    assert!(!state.path().join("sqlite_key_value.db").exists(), "no file store was made");
    drop(app);
    let app = with_redis();
    assert_eq!(get(&app.url("/probe/kv/saluto")).body, "buongiorno", "the data is Redis's, not the runner's");
}

#[test]
fn unknown_runtime_config_is_refused_at_start() {
    let state = tempfile::tempdir().unwrap();
    let rc = state.path().join("runtime-config.toml");
    for (text, expected) in [
        ("[key_value_stores.default]\ntype = \"spin\"\n", "unknown key `key_value_stores`"),
        ("[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:1\"\nuser = \"x\"\n", "unknown key `user`"),
        ("[sqlite_database.default]\ntype = \"libsql\"\nurl = \"https://db.example.org\"\ntoken = \"t\"\n", "served by Spin only"),
    ] {
        std::fs::write(&rc, text).unwrap();
        let (code, err) = Start::new(fixture_manifest(), state.path())
            .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
            .arg("--runtime-config-file")
            .arg(rc.to_str().unwrap())
            .refused();
        assert_eq!(code, Some(1), "{text}");
        assert!(err.contains(expected), "{text}: {err}");
    }
}

#[test]
fn single_file_mappings_are_mounted_read_only() {
    let state = tempfile::tempdir().unwrap();
    let app = start(state.path());
    assert_eq!(get(&app.url("/one-file/file")).body, "ciao dal file|read-only");
}

#[test]
fn builds_run_in_manifest_order() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("spin.toml");
    let mut text = String::from("spin_manifest_version = 2\n[application]\nname = \"x\"\n");
    for id in ["zeta", "alpha", "mid"] {
        text.push_str(&format!(
            "[[trigger.http]]\nroute = \"/{id}\"\ncomponent = \"{id}\"\n[component.{id}]\nsource = \"{id}.wasm\"\n\
             [component.{id}.build]\ncommand = \"echo {id} >> order.txt\"\n"
        ));
    }
    std::fs::write(&manifest, text).unwrap();
    let out = std::process::Command::new(e2e::runner_bin()).arg("build").arg("--from").arg(&manifest).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("order.txt")).unwrap(), "zeta\nalpha\nmid\n");
}

#[test]
fn past_the_running_and_queued_limits_requests_get_a_fast_503() {
    let state = tempfile::tempdir().unwrap();
    let app = probe(state.path())
        .arg("--request-timeout")
        .arg("3s")
        .arg("--max-concurrent-requests")
        .arg("2")
        .arg("--max-queued-requests")
        .arg("0")
        .start();
    // a looping guest holds one of the two places until the request timeout stops it;
    // a request refused for want of a place is sent again
    let spawn_loop = |app: &e2e::App| {
        let url = app.url("/probe/loop");
        std::thread::spawn(move || loop {
            let status = get(&url).status;
            if status != 503 {
                return status;
            }
        })
    };
    let first = spawn_loop(&app);
    let waiting = std::time::Instant::now();
    while get(&app.url("/probe/sql/count")).body != "1" {
        assert!(waiting.elapsed() < Duration::from_secs(30), "the first looping guest did not start");
    }
    let second = spawn_loop(&app);
    // both places taken: the next request is refused at once, without a queue
    let refused = loop {
        let r = get(&app.url("/probe/sql/count"));
        if r.status == 503 {
            break r;
        }
        assert_eq!(r.status, 200);
        assert!(waiting.elapsed() < Duration::from_secs(30), "the second looping guest did not start");
    };
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(refused.header("content-type").unwrap_or_default().starts_with("application/json"));
    let body: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(body["error"]["code"], "overloaded");
    assert!(body["error"]["message"].as_str().unwrap().contains("sovraccarico"));
    // the health check needs no component
    assert_eq!(get(&app.url("/.well-known/spin/health")).status, 200);
    // the request timeout frees both places: requests are served again
    assert_eq!(first.join().unwrap(), 500);
    assert_eq!(second.join().unwrap(), 500);
    assert_eq!(get(&app.url("/probe/sql/count")).body, "2");
    assert!(app.log_text().contains("GET /probe/sql/count probe 503"));
}

#[test]
fn server_timing_tells_where_a_request_spent_its_time() {
    let state = tempfile::tempdir().unwrap();
    // off unless asked for: it tells clients about the host
    let plain = start(state.path());
    assert_eq!(get(&plain.url("/probe/bench")).header("server-timing"), None);
    drop(plain);
    let app = probe(state.path()).arg("--server-timing").start();
    // one key-value read and one SQLite statement on a connection of its own
    let r = get(&app.url("/probe/bench"));
    assert_eq!(r.status, 200);
    let header = r.header("server-timing").expect("a Server-Timing header").to_string();
    let metrics = e2e::latency::server_timing(&header);
    let names: Vec<&str> = metrics.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["queue", "instantiate", "guest", "blocking-wait", "db-open", "db-prepare", "db-run", "db-close", "kv", "total"],
        "{header}"
    );
    for count in [r#"desc="1 connections""#, r#"desc="1 statements""#, r#"desc="1 calls""#] {
        assert!(header.contains(count), "{count} in {header}");
    }
    let ms = |name: &str| metrics.iter().find(|(n, _)| n == name).unwrap().1;
    assert!(ms("instantiate") > Duration::ZERO && ms("db-prepare") > Duration::ZERO, "{header}");
    // the parts never add up to more than the whole (each is rounded to a microsecond;
    // the time waiting for a blocking thread is inside the SQLite and key-value calls)
    let parts: Duration = metrics.iter().filter(|(n, _)| !matches!(n.as_str(), "total" | "blocking-wait")).map(|(_, d)| *d).sum();
    assert!(parts <= ms("total") + Duration::from_micros(10), "{header}");
    // and how far the instance's linear memory grew (at least the module's initial size)
    let kib = e2e::latency::memory_kib(&header).expect("memory");
    assert!(kib >= 64, "{header}");
    // a request that reaches no host interface spends nothing there
    let quiet = get(&app.url("/probe/env"));
    let header = quiet.header("server-timing").expect("every component response has one").to_string();
    assert!(header.contains(r#"db-open;dur=0.000;desc="0 connections""#) && header.contains(r#"kv;dur=0.000;desc="0 calls""#), "{header}");
}

#[test]
fn a_request_that_waits_too_long_for_a_place_gets_the_503_not_a_late_answer() {
    let state = tempfile::tempdir().unwrap();
    let app = probe(state.path())
        .arg("--request-timeout")
        .arg("6s")
        .arg("--max-concurrent-requests")
        .arg("1")
        .arg("--max-queued-requests")
        .arg("8")
        .arg("--max-queue-wait")
        .arg("300ms")
        .start();
    // a looping guest holds the only place until the request timeout stops it
    let url = app.url("/probe/loop");
    let looping = std::thread::spawn(move || get(&url).status);
    let started = std::time::Instant::now();
    // there is room in the queue, but no place comes within 300 ms: a 503, once the
    // looping guest holds the place (before that a request is served: 200)
    let (refused, waited) = loop {
        let t = std::time::Instant::now();
        let r = get(&app.url("/probe/sql/count"));
        if r.status == 503 {
            break (r, t.elapsed());
        }
        assert_eq!(r.status, 200);
        assert!(started.elapsed() < Duration::from_secs(5), "no 503 within 5 s: the looping guest did not start, or queued requests wait for ever");
    };
    assert!(waited >= Duration::from_millis(300), "refused after {waited:?}, before the wait was over");
    assert!(waited < Duration::from_secs(3), "refused after {waited:?}: the wait is not bounded");
    assert_eq!(refused.header("retry-after"), Some("1"));
    let body: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(body["error"]["code"], "overloaded");
    // the request timeout frees the place: served again
    assert_eq!(looping.join().unwrap(), 500);
    assert_eq!(get(&app.url("/probe/sql/count")).status, 200);
}
