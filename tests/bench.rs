//! Benchmark of the runner on loopback: requests per second and p50/p99 latency for a
//! static file and for a key-value read + SQLite query endpoint, at 1 and 32
//! connections; and the time from runner start to first response with a warm compile
//! cache. Bounded: each run lasts BENCH_SECONDS (default 5) and at most 200,000 requests.
//!
//! Run: `cargo bench -p e2e` (after `scripts/test` or `scripts/build` built everything).

use std::time::{Duration, Instant};

use e2e::{Start, fixture_manifest, get, send};

const MAX_REQUESTS: usize = 200_000;

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let portal_state = tempfile::tempdir().unwrap();
    let fixture_state = tempfile::tempdir().unwrap();
    let portal = Start::portal(portal_state.path()).start();
    let fixture = Start::new(fixture_manifest(), fixture_state.path())
        .arg("--sqlite")
        .arg(format!("@{}", e2e::root().join("tests/fixtures/schema.sql").display()))
        .env("SPIN_VARIABLE_SECRET_TOKEN", "bench")
        .start();
    // data for the KV + SQLite endpoint: a 1 KB value and 1,000 rows
    assert_eq!(send("PUT", &fixture.url("/probe/kv/bench-key"), &"x".repeat(1024)).status, 200);
    for i in 0..1000 {
        send("POST", &fixture.url("/probe/sql/hit"), if i % 2 == 0 { "bench" } else { "other" });
    }
    assert_eq!(get(&fixture.url("/probe/bench")).body, "1024 500");

    println!("| endpoint | connections | req/s | p50 | p99 | errors |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let targets = [
        ("static file `/css/site.css`", portal.url("/css/site.css")),
        ("home page `/` (HTML)", portal.url("/")),
        ("news API `/api/news?page_size=3` (SQLite count + page)", portal.url("/api/news?page_size=3")),
        ("KV read + SQLite query `/probe/bench`", fixture.url("/probe/bench")),
    ];
    for (name, url) in &targets {
        for c in [1, 32] {
            let f = e2e::latency::closed_loop(url, c, seconds, MAX_REQUESTS);
            println!("| {name} | {c} | {:.0} | {} | {} | {} |", f.ok_per_second(), ms(f.p50()), ms(f.p99()), f.refused + f.failed);
        }
    }
    drop(portal);
    drop(fixture);

    // start-up to first response, compile cache warm (the runs above filled it)
    let mut times = Vec::new();
    for _ in 0..5 {
        let state = tempfile::tempdir().unwrap();
        let t = Instant::now();
        let app = Start::portal(state.path()).start();
        assert_eq!(get(&app.url("/")).status, 200);
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "\nstart to first response (warm compile cache, 5 runs): median {}, max {}",
        ms(times[2]),
        ms(times[4])
    );
}
