//! Benchmark of the online interview room's signalling (issue 17, "Performance"): the
//! round-trip latency of a message through the portal (one party posts, the other
//! polls it back, and answers), the request rate one room's polling costs, and how many
//! rooms polling at the page's pace the runner serves on this machine.
//!
//! Run: `cargo bench -p e2e --bench interviews` (after `scripts/test`).
//! Bounded: BENCH_ROOMS (default 400) confirmed interviews, open now, written straight into
//! the runner's SQLite file as the component writes them, between Giulia Bianchi (one
//! application per demo offer) and ACME S.R.L. (Mario Rossi acting for it); the company
//! has entered each room and let the candidate in. BENCH_ROUNDS (default 300) round trips;
//! BENCH_SECONDS (default 5) per load row; the paced rows run BENCH_ROOM_STEPS rooms
//! (default 25,50,100,200,400) with both parties polling every POLL_MS (the room page's
//! pace, `web/assets/js/pages/colloquio.mjs`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use e2e::Start;
use e2e::client::{Client, registered_citizen};
use e2e::latency::{env, load, ms, nearest_rank};
use e2e::staff::{self, ACME, CF};

/// The room page's polling interval (web/assets/js/pages/colloquio.mjs, POLL_MS).
const POLL_MS: u64 = 700;

/// One party of a room: where it posts and reads, and its credentials.
#[derive(Clone)]
struct Party {
    signals: String,
    cookie: String,
    csrf: String,
}

impl Party {
    fn of(c: &Client, prefix: &str, id: i64) -> Self {
        Party { signals: format!("{}{prefix}/{id}/room/signals", c.base), cookie: c.cookie.clone(), csrf: c.csrf.clone() }
    }

    fn post(&self, agent: &ureq::Agent, kind: &str, payload: &str) -> i64 {
        let mut r = agent
            .post(&self.signals)
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "application/json")
            .send(format!(r#"{{"kind":"{kind}","payload":{payload}}}"#).as_str())
            .expect("POST signals");
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_string().unwrap();
        assert_eq!(status, 201, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"].as_i64().unwrap()
    }

    /// The other party's messages after `after`: their ids (and the status).
    fn read(&self, agent: &ureq::Agent, after: i64) -> (u16, Vec<i64>) {
        let mut r = agent.get(&format!("{}?after={after}", self.signals)).header("cookie", &self.cookie).call().expect("GET signals");
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_string().unwrap();
        if status != 200 {
            return (status, Vec::new());
        }
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        (status, v["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect())
    }
}

/// Polls `party` until a message after `after` arrives: its id.
fn wait_for(party: &Party, agent: &ureq::Agent, after: i64) -> i64 {
    loop {
        let (status, ids) = party.read(agent, after);
        assert_eq!(status, 200);
        if let Some(id) = ids.last() {
            return *id;
        }
    }
}

fn main() {
    let seconds = env("BENCH_SECONDS", 5) as u64;
    let rooms = env("BENCH_ROOMS", 400).max(2);
    let rounds = env("BENCH_ROUNDS", 300).max(10);
    let steps: Vec<usize> = std::env::var("BENCH_ROOM_STEPS")
        .unwrap_or_else(|_| "25,50,100,200,400".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .filter(|n: &usize| *n >= 1 && *n <= rooms)
        .collect();
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).start();
    let giulia = registered_citizen(&app, 1);
    let acme = staff::acting_for(&app, 0, ACME);

    // 1. the rooms, written as the component writes them: confirmed, open from now for an
    //    hour, the company in, the candidate let in
    let t = Instant::now();
    let db = rusqlite::Connection::open(state.path().join("sqlite_db.db")).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let person = |cf: &str| -> i64 { db.query_row("SELECT id FROM people WHERE fiscal_code = ?", [cf], |r| r.get(0)).unwrap() };
    let (candidate, mario) = (person(CF[1]), person(CF[0]));
    let now = common::rome::unix_now();
    let offers: Vec<(i64, String)> = {
        let mut q = db.prepare("SELECT id, cpi_code FROM offers ORDER BY id LIMIT ?").unwrap();
        q.query_map([rooms as i64], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(offers.len(), rooms, "the demo data has fewer offers than BENCH_ROOMS");
    db.execute_batch("BEGIN").unwrap();
    let mut ids = Vec::new();
    for (offer, cpi) in &offers {
        db.execute(
            "INSERT INTO applications (offer_id, cpi_code, person_id, declarations, status, created_at, updated_at) VALUES (?1, ?2, ?3, '[]', 'inviata', ?4, ?4)",
            rusqlite::params![offer, cpi, candidate, now],
        )
        .unwrap();
        let application = db.last_insert_rowid();
        db.execute(
            "INSERT INTO interviews (application_id, offer_id, company_id, person_id, start_at, end_at, description, status, created_by, created_at, updated_at,
                                     company_in_at, waiting_at, admitted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Colloquio di prova', 'confermato', ?7, ?8, ?8, ?8, ?8, ?8)",
            rusqlite::params![application, offer, ACME, candidate, now + 300, now + 3600, mario, now],
        )
        .unwrap();
        ids.push(db.last_insert_rowid());
    }
    db.execute_batch("COMMIT").unwrap();
    drop(db);
    println!("interviews: {rooms} open rooms written in {:.1} s", t.elapsed().as_secs_f64());
    let room = |i: usize| (Party::of(&acme, "/api/company/interviews", ids[i]), Party::of(&giulia, "/api/interviews", ids[i]));

    // 2. the round trip: the company posts, the candidate (polling back to back) reads it
    //    and answers, the company (polling back to back) reads the answer
    let (company, candidate) = room(0);
    let (ca, cb) = (e2e::agent(), e2e::agent());
    let (mut one_way, mut round) = (Vec::new(), Vec::new());
    let (mut seen_by_candidate, mut seen_by_company) = (0, 0);
    for i in 0..rounds {
        let t = Instant::now();
        let sent = company.post(&ca, "candidate", &format!(r#"{{"candidate":"candidate:{i} 1 udp 2122260223 127.0.0.1 5000{} typ host","sdpMid":"0"}}"#, i % 10));
        seen_by_candidate = wait_for(&candidate, &cb, seen_by_candidate.max(sent - 1));
        one_way.push(t.elapsed());
        candidate.post(&cb, "candidate", r#"{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host","sdpMid":"0"}"#);
        seen_by_company = wait_for(&company, &ca, seen_by_company);
        round.push(t.elapsed());
    }
    one_way.sort();
    round.sort();
    println!("\n| signalling, one room, back-to-back polling | p50 | p99 |");
    println!("|---|---|---|");
    println!("| one way: POST, then the other party's poll returns it | {} | {} |", ms(nearest_rank(&one_way, 0.5)), ms(nearest_rank(&one_way, 0.99)));
    println!("| round trip: message and answer, each polled back | {} | {} |", ms(nearest_rank(&round, 0.5)), ms(nearest_rank(&round, 0.99)));
    println!(
        "\nWith the page's polling every {POLL_MS} ms a message waits on average {} ms more for the next poll (at most {POLL_MS} ms); an offer/answer exchange with its first ICE candidates takes about 2 to 4 polls.",
        POLL_MS / 2
    );

    // 3. the cost of polling: the signals GET at full speed, one room and many rooms
    println!("\n| GET …/room/signals at full speed | connections | requests/s | p50 | p99 | errors |");
    println!("|---|---|---|---|---|---|");
    for (label, parties, connections) in [("one room, the company's poll", 1, 1), ("one room, both parties", 2, 2), ("16 rooms, both parties", 32, 16usize)] {
        let urls: Vec<String> = (0..parties).map(|p| {
            let (c, d) = room(p / 2);
            let party = if p % 2 == 0 { c } else { d };
            format!("{}?after=1000000000", party.signals)
        }).collect();
        // a load row sends one cookie: split the parties by cookie
        let (company_urls, candidate_urls): (Vec<String>, Vec<String>) = urls.iter().cloned().partition(|u| u.contains("/api/company/"));
        let mut figures = Vec::new();
        if !company_urls.is_empty() {
            figures.push(load(&company_urls, Some(&acme.cookie), connections.div_ceil(2).max(1), seconds));
        }
        if !candidate_urls.is_empty() {
            figures.push(load(&candidate_urls, Some(&giulia.cookie), connections / 2, seconds));
        }
        let rps: f64 = figures.iter().map(|f| f.rps).sum();
        let p50 = figures.iter().map(|f| f.p50).max().unwrap();
        let p99 = figures.iter().map(|f| f.p99).max().unwrap();
        let errors: usize = figures.iter().map(|f| f.errors).sum();
        println!("| {label} | {connections} | {rps:.0} | {} | {} | {errors} |", ms(p50), ms(p99));
    }
    let per_room = 2.0 * 1000.0 / POLL_MS as f64;
    println!("\nOne room costs {per_room:.2} requests/s while both parties are in it (two polls every {POLL_MS} ms), plus a few POSTs while connecting.");

    // 4. rooms polling at the page's pace: does every poll come back within the interval?
    println!("\n| rooms polling every {POLL_MS} ms (2 parties each) | target requests/s | achieved requests/s | p50 | p99 | late polls (> {POLL_MS} ms) | errors |");
    println!("|---|---|---|---|---|---|---|");
    let mut sustained = 0;
    for &n in &steps {
        let stop = Arc::new(AtomicBool::new(false));
        let start = Arc::new(Barrier::new(2 * n + 1));
        let threads: Vec<_> = (0..2 * n)
            .map(|p| {
                let (c, d) = room(p / 2);
                let party = if p % 2 == 0 { c } else { d };
                let (stop, start) = (stop.clone(), start.clone());
                std::thread::spawn(move || {
                    let agent = e2e::agent();
                    let (mut lat, mut errors) = (Vec::new(), 0usize);
                    start.wait();
                    // each party starts at its own offset in the interval, as people arrive
                    let mut next = Instant::now() + Duration::from_millis((p as u64 * 37) % POLL_MS);
                    while !stop.load(Ordering::Relaxed) {
                        let wait = next.saturating_duration_since(Instant::now());
                        std::thread::sleep(wait);
                        let t = Instant::now();
                        let (status, _) = party.read(&agent, 1_000_000_000);
                        if status == 200 { lat.push(t.elapsed()) } else { errors += 1 }
                        next += Duration::from_millis(POLL_MS);
                    }
                    (lat, errors)
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
        let (mut all, mut errors) = (Vec::new(), 0);
        for t in threads {
            let (l, e) = t.join().unwrap();
            all.extend(l);
            errors += e;
        }
        let elapsed = began.elapsed().as_secs_f64();
        all.sort();
        let late = all.iter().filter(|d| d.as_millis() as u64 > POLL_MS).count();
        let target = n as f64 * per_room;
        let achieved = all.len() as f64 / elapsed;
        let p99 = nearest_rank(&all, 0.99);
        println!("| {n} | {target:.0} | {achieved:.0} | {} | {} | {late} | {errors} |", ms(nearest_rank(&all, 0.5)), ms(p99));
        if errors == 0 && p99.as_millis() as u64 <= POLL_MS / 2 && achieved >= 0.9 * target {
            sustained = n;
        }
    }
    println!("\nSustained here (no errors, p99 within half the polling interval, at least 90% of the target rate): {sustained} concurrent rooms of the {steps:?} tried.");
}
