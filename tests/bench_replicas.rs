//! Benchmark of a session-checked API call (`GET /api/session` with a logged-in cookie:
//! a key-value read of the session and the account's SQLite rows) with Spin's file
//! key-value store and with Redis, on one replica and on two replicas sharing their
//! stores (one SQLite file in WAL mode). Each row is compared with the floor measured
//! in the same run: `/.well-known/spin/health`, which the runner answers without a
//! component. Latency at one connection; throughput at BENCH_CONNECTIONS (default 16).
//! Bounded: BENCH_SECONDS (default 5) per row, at most 200,000 requests per row.
//!
//! Run: `cargo bench -p e2e --bench replicas` (after `scripts/test`).

use std::path::Path;

use e2e::client::Client;
use e2e::latency::{env, load, ms};
use e2e::redis::Redis;
use e2e::{App, Start};


/// Replicas of the portal sharing one runtime config (stores), started one after the other.
fn replicas(n: usize, rc: &Path, states: &[tempfile::TempDir]) -> Vec<App> {
    (0..n)
        .map(|i| {
            Start::portal(states[i].path())
                .arg("--runtime-config-file")
                .arg(rc.to_str().unwrap())
                .arg("--sqlite")
                .arg("PRAGMA journal_mode = WAL")
                .start()
        })
        .collect()
}

fn main() {
    let seconds = env("BENCH_SECONDS", 5) as u64;
    let many = env("BENCH_CONNECTIONS", 16);
    let redis = Redis::start();
    println!("| store | replicas | connections | req/s | p50 | p99 | errors | req/s ÷ floor |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (store, replica_count) in [("file", 1), ("file", 2), ("redis", 1), ("redis", 2)] {
        let dir = tempfile::tempdir().unwrap();
        let rc = dir.path().join("runtime-config.toml");
        let kv = match store {
            "file" => format!("type = \"spin\"\npath = \"{}\"", dir.path().join("kv.db").display()),
            _ => {
                redis.command(0, &["FLUSHDB"]);
                format!("type = \"redis\"\nurl = \"{}\"", redis.url(0))
            }
        };
        std::fs::write(
            &rc,
            format!(
                "[key_value_store.default]\n{kv}\n[sqlite_database.default]\ntype = \"spin\"\npath = \"{}\"\n",
                dir.path().join("portal.db").display()
            ),
        )
        .unwrap();
        let states: Vec<tempfile::TempDir> = (0..replica_count).map(|_| tempfile::tempdir().unwrap()).collect();
        let apps = replicas(replica_count, &rc, &states);
        let (client, _) = Client::login(&apps[0], 0);
        let session: Vec<String> = apps.iter().map(|a| a.url("/api/session")).collect();
        let floor: Vec<String> = apps.iter().map(|a| a.url("/.well-known/spin/health")).collect();
        for connections in [1, many] {
            let f = load(&floor, None, connections, seconds);
            let s = load(&session, Some(&client.cookie), connections, seconds);
            let label = if store == "file" { "file (Spin's SQLite key-value)" } else { "Redis" };
            println!(
                "| {label} | {replica_count} | {connections} | {:.0} | {} | {} | {} | {:.2} |",
                s.rps,
                ms(s.p50),
                ms(s.p99),
                s.errors,
                s.rps / f.rps
            );
            println!(
                "| floor `/.well-known/spin/health` | {replica_count} | {connections} | {:.0} | {} | {} | {} | 1 |",
                f.rps,
                ms(f.p50),
                ms(f.p99),
                f.errors
            );
        }
    }
}
