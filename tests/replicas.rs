//! Several replicas, one state: two runner processes on one host share one SQLite
//! database file (WAL) and one Redis key-value store, as README's "Running replicas"
//! describes. A session made through one replica works on the other; a write through
//! one is read through the other; 500 concurrent writes spread over both all succeed;
//! `kill -9` of one replica under write load loses no acknowledged write and leaves an
//! intact database.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier, Mutex};

use e2e::client::Client;
use e2e::redis::Redis;
use e2e::{App, Start, agent, fixture_manifest, get, send};

/// The runtime config every replica gets: key-value in Redis, SQLite in one shared file.
fn shared_config(dir: &Path, redis: &Redis) -> PathBuf {
    let rc = dir.join("runtime-config.toml");
    let db = dir.join("shared").join("portal.db");
    std::fs::write(
        &rc,
        format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n\n[sqlite_database.default]\ntype = \"spin\"\npath = \"{}\"\n",
            redis.url(0),
            db.display()
        ),
    )
    .unwrap();
    rc
}

fn shared_db(dir: &Path) -> PathBuf {
    dir.join("shared").join("portal.db")
}

/// A replica of the probe fixture. The first one makes the file WAL (a property of
/// the file: later connections, and the other replica, find it so).
fn probe_replica(state: &Path, rc: &Path) -> App {
    Start::new(fixture_manifest(), state)
        .env("SPIN_VARIABLE_SECRET_TOKEN", "x")
        .arg("--runtime-config-file")
        .arg(rc.to_str().unwrap())
        .arg("--sqlite")
        .arg("PRAGMA journal_mode = WAL")
        .arg("--sqlite")
        .arg(format!("@{}", e2e::root().join("tests/fixtures/schema.sql").display()))
        // the bursts here test SQLite's locking across replicas, not admission control:
        // every request of a 500-request burst is let in
        .arg("--max-queued-requests")
        .arg("1000")
        .start()
}

/// `POST /probe/sql/write` without panicking on a dead replica: true when acknowledged.
fn try_hit(app_base: &str, who: &str) -> bool {
    matches!(agent().post(format!("{app_base}/probe/sql/write")).send(who), Ok(r) if r.status() == 200)
}

fn rows(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut stmt = c.prepare("SELECT who FROM probe_hits").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_session_made_through_one_replica_works_on_the_other() {
    let redis = Redis::start();
    let dir = tempfile::tempdir().unwrap();
    let rc = shared_config(dir.path(), &redis);
    let (state_a, state_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let replica = |state: &Path| {
        Start::portal(state)
            .arg("--runtime-config-file")
            .arg(rc.to_str().unwrap())
            .arg("--sqlite")
            .arg("PRAGMA journal_mode = WAL")
            .start()
    };
    let a = replica(state_a.path());
    let b = replica(state_b.path());
    let (on_a, _) = Client::login(&a, 0);
    let seen_by_a = on_a.session();
    // the same cookie, through the other replica
    let on_b = Client::with_cookie(&b, on_a.cookie.clone());
    let seen_by_b = on_b.session();
    for field in ["authenticated", "csrf_token", "account", "acting_as"] {
        assert_eq!(seen_by_a[field], seen_by_b[field], "{field}: {seen_by_a} / {seen_by_b}");
    }
    assert_eq!(seen_by_b["authenticated"], true);
    // an API that checks the session and reads SQLite answers the same on both
    assert_eq!(on_a.get("/api/profile").json_checked(), on_b.get("/api/profile").json_checked());
    let mode: String = rusqlite::Connection::open(shared_db(dir.path()))
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn writes_through_one_replica_are_read_through_the_other_and_concurrent_writes_all_succeed() {
    let redis = Redis::start();
    let dir = tempfile::tempdir().unwrap();
    let rc = shared_config(dir.path(), &redis);
    let (state_a, state_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = probe_replica(state_a.path(), &rc);
    let b = probe_replica(state_b.path(), &rc);

    assert_eq!(send("PUT", &a.url("/probe/kv/saluto"), "da A").status, 200);
    assert_eq!(get(&b.url("/probe/kv/saluto")).body, "da A");
    assert_eq!(send("PUT", &b.url("/probe/kv/saluto"), "da B").status, 200);
    assert_eq!(get(&a.url("/probe/kv/saluto")).body, "da B");
    assert_eq!(send("POST", &a.url("/probe/sql/hit"), "prima").status, 200);
    assert_eq!(get(&b.url("/probe/sql/count")).body, "1");

    // 500 writes at once, alternating between the replicas, from connections set up as
    // the portal's components set theirs (at rusqlite's defaults, FULL sync and a 5 s
    // busy timeout, a few of 500 simultaneous writers wait longer than 5 s: so would
    // they on Spin)
    let start = Arc::new(Barrier::new(500));
    let threads: Vec<_> = (0..500)
        .map(|i| {
            let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let r = agent().post(format!("{base}/probe/sql/write")).send(format!("c{i}"));
                r.map(|r| r.status().as_u16()).unwrap_or(0)
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let failed = statuses.iter().filter(|s| **s != 200).count();
    let errors = |log: String| log.lines().filter(|l| l.contains("error")).take(5).collect::<Vec<_>>().join("\n");
    assert_eq!(failed, 0, "A: {}\nB: {}", errors(a.log_text()), errors(b.log_text()));
    assert_eq!(get(&a.url("/probe/sql/count")).body, "501");
    assert_eq!(get(&b.url("/probe/sql/count")).body, "501");
    let stored: HashSet<String> = rows(&shared_db(dir.path())).into_iter().collect();
    assert!((0..500).all(|i| stored.contains(&format!("c{i}"))));
}

#[test]
fn kill_9_of_one_replica_under_write_load_loses_no_acknowledged_write() {
    let redis = Redis::start();
    let dir = tempfile::tempdir().unwrap();
    let rc = shared_config(dir.path(), &redis);
    let (state_a, state_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = probe_replica(state_a.path(), &rc);
    let b = probe_replica(state_b.path(), &rc);
    let (base_a, base_b) = (a.base.clone(), b.base.clone());

    const WRITERS: usize = 8;
    const PER_WRITER: usize = 80;
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let (acks, acked) = std::sync::mpsc::channel();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (base_a, base_b) = (base_a.clone(), base_b.clone());
            let (acknowledged, acks) = (acknowledged.clone(), acks.clone());
            std::thread::spawn(move || {
                for i in 0..PER_WRITER {
                    let who = format!("w{w}-{i}");
                    let base = if (w + i) % 2 == 0 { &base_a } else { &base_b };
                    if try_hit(base, &who) {
                        acknowledged.lock().unwrap().push(who);
                        let _ = acks.send(());
                    }
                }
            })
        })
        .collect();
    // kill A once a quarter of the writes are acknowledged, with the writers still going
    for _ in 0..WRITERS * PER_WRITER / 4 {
        acked.recv().unwrap();
    }
    a.kill();
    for t in threads {
        t.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > WRITERS * PER_WRITER / 2, "B went on serving: {} acknowledged", acknowledged.len());
    assert!(acknowledged.len() < WRITERS * PER_WRITER, "some writes went to the dead replica");

    let db = shared_db(dir.path());
    let stored: HashSet<String> = rows(&db).into_iter().collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|w| !stored.contains(*w)).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    let check: String = rusqlite::Connection::open(&db).unwrap().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    assert_eq!(get(&b.url("/probe/sql/count")).body, stored.len().to_string(), "B reads the same rows");
    // and a restarted A finds everything
    let a = probe_replica(state_a.path(), &rc);
    assert_eq!(get(&a.url("/probe/sql/count")).body, stored.len().to_string());
}
