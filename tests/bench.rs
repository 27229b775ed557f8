//! Benchmark of the runner on loopback: requests per second and p50/p99 latency for a
//! static file and for a key-value read + SQLite query endpoint, at 1 and 32
//! connections; and the time from runner start to first response with a warm compile
//! cache. Bounded: each run lasts BENCH_SECONDS (default 5) and at most 200,000 requests.
//!
//! Run: `cargo bench -p e2e` (after `scripts/test` or `scripts/build` built everything).

use std::time::{Duration, Instant};

use e2e::{Start, agent, fixture_manifest, get, send};

const MAX_REQUESTS: usize = 200_000;

struct Figures {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

fn load(url: &str, connections: usize, seconds: u64) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let per_thread = MAX_REQUESTS / connections;
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let url = url.to_string();
            std::thread::spawn(move || {
                let agent = agent(); // one keep-alive connection per thread
                let mut lat = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline && lat.len() < per_thread {
                    let t = Instant::now();
                    match agent.get(&url).call() {
                        Ok(mut r) if r.status() == 200 => {
                            let _ = r.body_mut().read_to_vec();
                            lat.push(t.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in threads {
        let (l, e) = t.join().unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| e2e::latency::nearest_rank(&all, p);
    Figures { rps: all.len() as f64 / elapsed, p50: pct(0.50), p99: pct(0.99), errors }
}

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
            let f = load(url, c, seconds);
            println!("| {name} | {c} | {:.0} | {} | {} | {} |", f.rps, ms(f.p50), ms(f.p99), f.errors);
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
