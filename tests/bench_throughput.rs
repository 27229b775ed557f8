//! Throughput by cores and under overload (issue 14): the portal with 100,000 generated
//! offers (db/generate.mjs, seed 7), the runner pinned to each given set of cores in
//! turn, this load generator pinned to other cores; for the offer search (filtered and
//! not), an offer's detail and the static home page, at 1, 32 and 128 connections:
//! answers per second (200 and 503 apart), p50 and p99 of the 200s; where the time of
//! a request went at 1 connection (the runner's `--server-timing`: queue, instantiate,
//! guest code, SQLite open/prepare/run/close, key-value). Then the floors measured in
//! the same run: the search's page statement in SQLite alone (on an open connection and
//! on a fresh one, as each request opens), and the static file.
//!
//! Run here (2 cores): `cargo bench -p e2e --bench throughput -- --runner-cores 0 --load-cores 1`;
//! on 16 cores: `… -- --runner-cores 0-1 --runner-cores 0-7 --load-cores 8-15`.
//! Options: `--seconds N` per row (default 8), `--offers-sql FILE` (a file made by
//! `node db/generate.mjs --offers 100000 --seed 7 --today <date> --out FILE`, for a
//! machine without Node.js), `--connections 1,32,128`, and any `--runner-arg X`
//! passed on to `runner up` (e.g. `--runner-arg --max-concurrent-requests --runner-arg 16`),
//! `--schema offers` to load only what the public offers need (migrations 0001 and 0003,
//! the places, 0010's two offer tables): the cost a separate read-model database of the
//! public offers would have, against the whole schema's (the default, `--schema all`).
//! Bounded: each row lasts `--seconds` and at most 200,000 requests.

use std::process::Command;
use std::time::Duration;

use e2e::{Start, get, portal_manifest, root};

const OFFERS: usize = 100_000;
const MAX_REQUESTS: usize = 200_000;

struct Options {
    runner_cores: Vec<String>,
    load_cores: Option<String>,
    seconds: u64,
    offers_sql: Option<std::path::PathBuf>,
    connections: Vec<usize>,
    runner_args: Vec<String>,
    /// only the public offers' tables (`--schema offers`), not the whole schema
    offers_schema_only: bool,
}

fn options() -> Options {
    let mut o = Options { runner_cores: Vec::new(), load_cores: None, seconds: 8, offers_sql: None, connections: vec![1, 32, 128], runner_args: Vec::new(), offers_schema_only: false };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--runner-cores" => o.runner_cores.push(value()),
            "--load-cores" => o.load_cores = Some(value()),
            "--seconds" => o.seconds = value().parse().expect("--seconds N"),
            "--offers-sql" => o.offers_sql = Some(value().into()),
            "--connections" => o.connections = value().split(',').map(|c| c.parse().expect("--connections 1,32,128")).collect(),
            "--runner-arg" => o.runner_args.push(value()),
            "--schema" => {
                o.offers_schema_only = match value().as_str() {
                    "all" => false,
                    "offers" => true,
                    other => panic!("--schema all|offers, not {other}"),
                }
            }
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    if o.runner_cores.is_empty() {
        o.runner_cores.push(String::new());
    }
    o
}

/// The public offers' own tables: what the search, the detail and the feeds read
/// (whole files; from 0010, only its two offer tables: see [`offer_tables_of_0010`]).
const OFFERS_SCHEMA: [&str; 3] = ["db/migrations/0001_schema_version.sql", "db/migrations/0003_offers.sql", "db/reference/0001_places.sql"];

/// The statements of migration 0010 that create `offer_terms` and `offer_requirements`
/// and their indexes (the detail reads them), without the back office's other tables.
/// 0010 has no trigger, so its statements end at `;` and a line end.
fn offer_tables_of_0010() -> String {
    let text = std::fs::read_to_string(root().join("db/migrations/0010_backoffice.sql")).unwrap();
    let statements: Vec<String> = text
        .split(";\n")
        .map(|s| s.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n"))
        .filter(|s| {
            let head = s.trim_start();
            ["offer_terms", "offer_requirements"].iter().any(|t| {
                head.starts_with(&format!("CREATE TABLE IF NOT EXISTS {t} ")) || (head.starts_with("CREATE INDEX") && head.contains(&format!(" ON {t} ")))
            })
        })
        .map(|s| format!("{};\n", s.trim()))
        .collect();
    assert_eq!(statements.len(), 3, "0010 changed: the offer tables' statements are {statements:?}");
    statements.concat()
}

/// Every migration and reference-data file, in order (no demo seed); with
/// `offers_only` (into `dir`), only [`OFFERS_SCHEMA`] and [`offer_tables_of_0010`].
fn schema_files(offers_only: bool, dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    if offers_only {
        let extra = dir.join("offer-tables-of-0010.sql");
        std::fs::write(&extra, offer_tables_of_0010()).unwrap();
        let mut files: Vec<_> = OFFERS_SCHEMA.iter().map(|f| root().join(f)).collect();
        files.push(extra);
        return files;
    }
    let mut files = Vec::new();
    for dir in ["db/migrations", "db/reference"] {
        let mut these: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        these.sort();
        files.extend(these);
    }
    files
}

/// Where one request's time went at 1 connection, on one core set.
struct Breakdown {
    request: String,
    cores: String,
    /// the medians of the runner's Server-Timing metrics, in the header's order
    medians: Vec<(String, Duration)>,
    /// the median peak linear memory, KiB
    memory: Option<usize>,
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let o = options();
    if let Some(cpus) = &o.load_cores {
        // this process (the load generator) and every thread it starts, on these cores
        let pid = std::process::id().to_string();
        let ok = Command::new("taskset").args(["-a", "-p", "-c", cpus, &pid]).output().expect("taskset runs").status.success();
        assert!(ok, "taskset -c {cpus} refused");
    }
    let today = common::rome::today_iso();
    let work = tempfile::tempdir().unwrap();
    let data = match &o.offers_sql {
        Some(f) => f.clone(),
        None => e2e::latency::generated_offers(work.path(), OFFERS, &today),
    };
    let state = work.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!("load generator: {} ({cores} cores visible); {} s per row\n", o.load_cores.as_deref().unwrap_or("all cores"), o.seconds);

    // Compile the components once, with every core this process may use: the compiled
    // cache is then reused, and a start pinned to fewer cores only loads them.
    let warm_up = work.path().join("warm-up");
    std::fs::create_dir_all(&warm_up).unwrap();
    drop(Start::new(portal_manifest(), &warm_up).start());

    let query = "q=cuoc&province=048";
    let mut first = true;
    let mut code = String::new();
    let mut home_floor = Duration::ZERO;
    let mut search_1conn = Duration::ZERO;
    // where one request's time went, at 1 connection (the runner's Server-Timing)
    let mut breakdown: Vec<Breakdown> = Vec::new();
    println!("| request | runner cores | connections | 200/s | 503/s | p50 | p99 | failed |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    // the whole schema, as in production (every request's connection parses it),
    // unless --schema offers
    let schema = schema_files(o.offers_schema_only, work.path());
    for cpus in &o.runner_cores {
        let mut start = Start::new(portal_manifest(), &state).arg("--server-timing");
        for file in &schema {
            start = start.arg("--sqlite").arg(format!("@{}", file.display()));
        }
        if first {
            start = start.arg("--sqlite").arg(format!("@{}", data.display()));
        }
        for a in &o.runner_args {
            start = start.arg(a.clone());
        }
        if !cpus.is_empty() {
            start = start.pinned(cpus);
        }
        let app = start.start();
        if first {
            let found = get(&app.url(&format!("/api/offers?{query}"))).json();
            code = found["items"][0]["code"].as_str().expect("the search finds offers").to_string();
            first = false;
        }
        let label = if cpus.is_empty() { "all".to_string() } else { cpus.clone() };
        for (name, url) in [
            (format!("search `{query}`"), app.url(&format!("/api/offers?{query}"))),
            ("search, no filter".to_string(), app.url("/api/offers")),
            (format!("detail `/api/offers/{code}`"), app.url(&format!("/api/offers/{code}"))),
            ("static home page".to_string(), app.url("/")),
        ] {
            for &c in &o.connections {
                let f = e2e::latency::closed_loop(&url, c, o.seconds, MAX_REQUESTS);
                println!(
                    "| {name} | {label} | {c} | {:.0} | {:.0} | {} | {} | {} |",
                    f.ok_per_second(),
                    f.refused_per_second(),
                    ms(f.p50()),
                    ms(f.p99()),
                    f.failed
                );
                if c == 1 {
                    breakdown.push(Breakdown { request: name.clone(), cores: label.clone(), medians: f.timing_medians(), memory: f.memory_median() });
                }
                if c == 1 && name.starts_with("static") {
                    home_floor = f.p50();
                }
                if c == 1 && name.starts_with("search `") {
                    search_1conn = f.p50();
                }
            }
        }
    }

    if let Some(first) = breakdown.first() {
        let names: Vec<&str> = first.medians.iter().map(|(n, _)| n.as_str()).collect();
        println!("\nwhere the time went at 1 connection (medians of the runner's Server-Timing; `guest`: the component's own code):\n");
        println!("| request | runner cores | {} | peak linear memory |", names.join(" | "));
        println!("| --- | --- |{} --- |", " --- |".repeat(names.len()));
        for Breakdown { request: name, cores: label, medians, memory } in &breakdown {
            let cells: Vec<String> = names
                .iter()
                .map(|n| medians.iter().find(|(m, _)| m == n).map(|(_, d)| ms(*d)).unwrap_or_default())
                .collect();
            let memory = memory.map(|kib| format!("{kib} KiB")).unwrap_or_default();
            println!("| {name} | {label} | {} | {memory} |", cells.join(" | "));
        }
        println!();
    }

    // The floor, in the same run: the search's page statement in SQLite alone.
    let conn = rusqlite::Connection::open(state.join("sqlite_db.db")).unwrap();
    let (sql, values) = e2e::latency::search_statement(query, &today);
    let floor = e2e::latency::statement_median(&conn, &sql, &values, Duration::from_secs(3));
    // What every request pays before its own statements, on Spin as on the runner (a
    // fresh connection per guest `open`, Spin 4.1's sqlite-inproc): opening the file, the
    // connection pragmas of common::sql::ON_OPEN and, on the first statement, parsing
    // the whole schema.
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
    let one_row = |c: &rusqlite::Connection| c.query_row("SELECT id FROM offers LIMIT 1", [], |r| r.get::<_, i64>(0)).unwrap();
    // a connection as a request gets one: new, with common::sql::ON_OPEN
    let fresh = || {
        let c = rusqlite::Connection::open(state.join("sqlite_db.db")).unwrap();
        for p in common::sql::ON_OPEN {
            c.execute_batch(p).unwrap();
        }
        c
    };
    let cold = e2e::latency::median_for(Duration::from_secs(2), || {
        one_row(&fresh());
    });
    let warm = e2e::latency::median_for(Duration::from_secs(2), || {
        one_row(&conn);
    });
    // the search's statement as a request runs it: on a fresh connection
    let fresh_search = e2e::latency::median_for(Duration::from_secs(3), || {
        let c = fresh();
        e2e::latency::run_to_end(&mut c.prepare(&sql).unwrap(), &values);
    });
    println!(
        "a one-row statement on a fresh connection (open, pragmas, parse of the schema's {objects} objects): median {}; on an open connection: {}",
        ms(cold),
        ms(warm)
    );
    println!(
        "\nfloors (same run): the search's page statement in SQLite alone, median {} (on a fresh connection with common::sql::ON_OPEN, as a request runs it: {}); the static home page at 1 connection, p50 {}",
        ms(floor),
        ms(fresh_search),
        ms(home_floor)
    );
    println!(
        "search `{query}` at 1 connection (last core set): p50 {} = {:.2}x SQLite alone ({:.2}x its statement on a fresh connection)",
        ms(search_1conn),
        search_1conn.as_secs_f64() / floor.as_secs_f64(),
        search_1conn.as_secs_f64() / fresh_search.as_secs_f64()
    );
}
