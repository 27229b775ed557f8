//! Benchmark of the saved-search alert job (issue 22, X1): 100,000 generated offers
//! (db/generate.mjs, seed 7) and 100,000 saved searches (5,000 citizens with 20 each,
//! inserted straight into SQLite), every search due, the newest 1,000 offers new to
//! every search. The job's own code (`alerts::run`, the statements it sends and the
//! outbox writes) runs natively against an SQLite file with the real migrations, in
//! calls of BENCH_BATCH (default 500, the job's default) searches until none is left:
//! time per call and per search, statements per search, e-mails queued.
//!
//! Run: `cargo bench -p e2e --bench alerts` (needs node for db/generate.mjs).
//! It measures the logic and SQLite, not the Wasm host: on the runner each statement
//! also crosses the host boundary (see the offers benchmark for that cost).

use std::cell::Cell;
use std::time::Instant;

use common::ApiError;
use common::sql::{Db, Rows, Value};

const OFFERS: usize = 100_000;
const PEOPLE: i64 = 5_000;
const PER_PERSON: i64 = 20;
const NEW_OFFERS: i64 = 1_000;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The connection, counting the statements sent (transaction control aside).
struct Counting<'a> {
    conn: &'a rusqlite::Connection,
    statements: Cell<u64>,
}

impl Db for Counting<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, ApiError> {
        if !matches!(sql, "BEGIN IMMEDIATE" | "COMMIT" | "ROLLBACK") {
            self.statements.set(self.statements.get() + 1);
        }
        Db::execute(self.conn, sql, params)
    }
}

fn run_file(conn: &rusqlite::Connection, file: &std::path::Path) {
    let sql = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
}

fn sql_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect();
    v.sort();
    v
}

fn main() {
    let batch: i64 = std::env::var("BENCH_BATCH").ok().and_then(|s| s.parse().ok()).unwrap_or(alerts::DEFAULT_BATCH);
    let work = tempfile::tempdir().unwrap();
    let now = common::rome::unix_now();
    let today = common::rome::day_at(now);
    let data = e2e::latency::generated_offers(work.path(), OFFERS, &today);

    let t = Instant::now();
    let conn = rusqlite::Connection::open(work.path().join("bench.db")).unwrap();
    for pragma in common::sql::ON_OPEN {
        conn.execute_batch(pragma).unwrap();
    }
    conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
    for f in sql_files(&root().join("db/migrations")).into_iter().chain(sql_files(&root().join("db/reference"))) {
        run_file(&conn, &f);
    }
    run_file(&conn, &data);
    let newest: i64 = conn.query_row("SELECT max(id) FROM offers", [], |r| r.get(0)).unwrap();
    let open: i64 = conn.query_row("SELECT count(*) FROM offers WHERE status = 'published' AND deadline >= ?1", [&today], |r| r.get(0)).unwrap();
    // the searches: free text, facets and both, as people save them
    let filters = [
        "q=cuoco", "q=magazziniere", "q=addetto+pulizie", "q=operaio", "q=impiegato+amministrativo", "q=infermiere",
        "cpi=firenze", "cpi=prato", "province=048", "province=050", "offer_type=preselezione",
        "contract_type=tempo-determinato", "q=cuoco&cpi=firenze", "q=autista&province=048", "q=commesso&area=pisa", "",
    ];
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut person = conn
            .prepare(
                "INSERT INTO people (id, fiscal_code, name, family_name, last_method, first_login_at, last_login_at) VALUES (?1, printf('BNCH%012d', ?1), 'Persona', 'Prova', 'spid', 'x', 'x')",
            )
            .unwrap();
        let mut account = conn
            .prepare(
                "INSERT INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth, residence_istat, residence_cap, residence_address, \
                 domicile_same, email, mobile, mobile_verified_at, privacy_version, privacy_accepted_at, registered_at, updated_at) \
                 VALUES (?1, 'active', 'citizen', '1990-01-01', 'D612', '048017', '50100', 'Via Roma 1', 1, printf('p%d@example.org', ?1), '+393470000000', 'x', '1', 'x', 'x', 'x')",
            )
            .unwrap();
        let mut search = conn
            .prepare(
                "INSERT INTO saved_searches (person_id, name, query, frequency, last_offer_id, next_alert_at, unsubscribe_token, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, printf('%064x', ?7), ?6, ?6)",
            )
            .unwrap();
        let mut n = 0i64;
        for p in 1..=PEOPLE {
            person.execute([p]).unwrap();
            account.execute([p]).unwrap();
            for k in 0..PER_PERSON {
                n += 1;
                let query = filters[(n as usize * 7 + k as usize) % filters.len()];
                let frequency = if n % 4 == 0 { "weekly" } else { "daily" };
                search.execute(rusqlite::params![p, format!("Ricerca {k}"), query, frequency, newest - NEW_OFFERS, now - 60, n]).unwrap();
            }
        }
    }
    conn.execute_batch("COMMIT; ANALYZE").unwrap();
    let searches: i64 = conn.query_row("SELECT count(*) FROM saved_searches", [], |r| r.get(0)).unwrap();
    println!("loaded {OFFERS} offers ({open} open today) and {searches} saved searches of {PEOPLE} people in {:.1} s", t.elapsed().as_secs_f64());
    println!("every search due; the newest {NEW_OFFERS} offers are new to each; batch {batch} searches a call\n");

    let db = Counting { conn: &conn, statements: Cell::new(0) };
    let started = Instant::now();
    let (mut calls, mut processed, mut sent, mut listed) = (0, 0, 0, 0);
    let mut slowest = 0f64;
    loop {
        let t = Instant::now();
        let r = alerts::run(&db, now, batch, "https://lavoro.example.org").unwrap();
        slowest = slowest.max(t.elapsed().as_secs_f64());
        calls += 1;
        processed += r.processed;
        sent += r.sent;
        listed += r.offers;
        if !r.more {
            break;
        }
    }
    let total = started.elapsed().as_secs_f64();
    let queued: i64 = conn.query_row("SELECT count(*) FROM outbox WHERE template = 'saved_search_alert'", [], |r| r.get(0)).unwrap();
    let with_headers: i64 = conn.query_row("SELECT count(*) FROM outbox_headers", [], |r| r.get(0)).unwrap();
    assert_eq!(processed, searches, "every due search handled once");
    assert_eq!(queued, sent, "one e-mail per search with new offers");
    assert_eq!(with_headers, queued, "every alert has its unsubscribe headers");
    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| searches handled | {processed} in {calls} calls |");
    println!("| e-mails queued (with List-Unsubscribe) | {sent} ({listed} offer lines) |");
    println!("| whole run | {total:.1} s |");
    println!("| per search | {:.3} ms |", total * 1000.0 / processed as f64);
    println!("| slowest call of {batch} | {:.2} s |", slowest);
    println!("| statements per search (transactions aside) | {:.2} |", db.statements.get() as f64 / processed as f64);
    // a second run the same day: nothing due, nothing sent
    let t = Instant::now();
    let again = alerts::run(&db, now, batch, "https://lavoro.example.org").unwrap();
    assert_eq!((again.due, again.sent), (0, 0));
    println!("| second run, nothing due | {:.2} ms |", t.elapsed().as_secs_f64() * 1000.0);
}
