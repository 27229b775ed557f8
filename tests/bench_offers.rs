//! Offer search at scale: 100,000 generated offers (db/generate.mjs, seed 7), measured
//! through the runner on loopback, and the same statements inside SQLite alone (the
//! floor), with their query plans. Bounded: BENCH_SECONDS (default 5) per row.
//!
//! Run: `cargo bench -p e2e --bench offers` (after `scripts/test`).

use std::time::{Duration, Instant};

use e2e::{Start, get, portal_manifest, root};

const OFFERS: usize = 100_000;

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let work = tempfile::tempdir().unwrap();
    let today = common::rome::today_iso();
    let data = e2e::latency::generated_offers(work.path(), OFFERS, &today);

    let state = work.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let mut start = Start::new(portal_manifest(), &state);
    for file in ["db/migrations/0001_schema_version.sql", "db/migrations/0003_offers.sql", "db/migrations/0010_backoffice.sql", "db/reference/0001_places.sql"] {
        start = start.arg("--sqlite").arg(format!("@{}", root().join(file).display()));
    }
    let t = Instant::now();
    let app = start.arg("--sqlite").arg(format!("@{}", data.display())).start();
    println!("loaded {OFFERS} offers and started in {:.1} s\n", t.elapsed().as_secs_f64());

    let query = "q=cuoc&province=048";
    let found = get(&app.url(&format!("/api/offers?{query}"))).json();
    let code = found["items"][0]["code"].as_str().expect("the search finds offers").to_string();
    println!("`/api/offers?{query}`: total {} open offers\n", found["total"]);

    println!("| request (through the runner) | connections | req/s | p50 | p99 |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, url) in [
        (format!("search `{query}`"), app.url(&format!("/api/offers?{query}"))),
        ("search, no filter (first page)".to_string(), app.url("/api/offers")),
        (format!("detail `/api/offers/{code}`"), app.url(&format!("/api/offers/{code}"))),
    ] {
        for c in [1, 32] {
            let f = e2e::latency::closed_loop(&url, c, seconds, 100_000 * c);
            assert_eq!((f.refused, f.failed), (0, 0), "every answer a 200");
            println!("| {name} | {c} | {:.0} | {} | {} |", f.ok_per_second(), ms(f.p50()), ms(f.p99()));
        }
    }

    // The same statements in SQLite alone: the floor under the HTTP figures.
    let conn = rusqlite::Connection::open(state.join("sqlite_db.db")).unwrap();
    println!("\nquery plans (EXPLAIN QUERY PLAN):");
    let mut floor = Vec::new();
    // The component runs the page query alone (it carries the total).
    for (label, (sql, values)) in [("page with total", e2e::latency::search_statement(query, &today))] {
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let lines: Vec<String> = plan
            .query_map(rusqlite::params_from_iter(values.iter()), |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        println!("- {label}: {}", lines.join(" / "));
        floor.push(e2e::latency::statement_median(&conn, &sql, &values, Duration::from_secs(2)));
    }
    let total: Duration = floor.iter().sum();
    println!("\nSQLite alone, the page query of `{query}`: median {}", ms(total));
    let p50 = e2e::latency::closed_loop(&app.url(&format!("/api/offers?{query}")), 1, 2, 100_000).p50();
    println!("through the runner at 1 connection: p50 {} — {:.1}× the floor", ms(p50), p50.as_secs_f64() / total.as_secs_f64());
}
