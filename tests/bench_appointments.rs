//! Benchmark of CPI appointments (issue 16, "Performance"): the availability search over
//! 11 CPIs with a year of weekly hours and about half of the slots booked, at one and at
//! BENCH_CONNECTIONS (default 16) connections; booking throughput when that many
//! citizens book one CPI's slots at once, on distinct slots and racing for the same
//! first free slot (409 `slot_taken`); the PDF receipt. Beside them, the floor of the
//! same run: the runner's health answer, a static file, the component's statements in
//! SQLite alone (with their query plans), the slot computation and the receipt natively.
//!
//! Run: `cargo bench -p e2e --bench appointments` (after `scripts/test`).
//! Bounded: one desk family per CPI of 11 (one per area, 2 or 3 desks each, open
//! Monday–Friday 09:00–13:00 and 14:00–17:00 for the four kinds for BENCH_DAYS (default
//! 365) days, four closures and a Saturday opening each), written straight into the
//! runner's SQLite file as the component writes them, with BENCH_BOOKED_PERCENT (default
//! 50) of the slots booked by BENCH_PEOPLE (default 50,000) people; BENCH_SECONDS
//! (default 5) per row, at most 200,000 requests per load row and BENCH_BOOKINGS (default
//! 1,000) bookings per booking row. The portal runs with `appointments_per_kind=20` (the
//! most it allows) so that each booking citizen can hold several bookings; the booking
//! citizens are people rows with an account and a session written as registration and
//! login write them (the demo IdP has only 8 identities).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use appointments::model;
use appointments::slots::{self, Exception, Hours};
use e2e::Start;
use e2e::client::registered_citizen;
use e2e::latency::{env, load, ms, percentiles};
use e2e::staff::{self, CF};

/// The median of `f`'s time over about `budget`.
fn median_of(budget: Duration, mut f: impl FnMut()) -> Duration {
    let until = Instant::now() + budget;
    let mut times = Vec::new();
    while Instant::now() < until || times.len() < 5 {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// A deterministic stream of pseudo-random numbers below `n` (xorshift).
fn rng() -> impl FnMut(u64) -> u64 {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}

/// The desks' weekly hours: Monday–Friday, mornings and afternoons (minutes of the day).
const INTERVALS: [(i64, i64); 2] = [(9 * 60, 13 * 60), (14 * 60, 17 * 60)];

/// The kind every search and booking of the benchmark asks for.
const KIND: &str = "ricerca";

/// A booking citizen: the cookie and CSRF token of a session written into the file.
#[derive(Clone)]
struct Booker {
    cookie: String,
    csrf: String,
}

/// What one booking row measured.
struct Booked {
    ok: Vec<Duration>,
    taken: usize,
    other: usize,
    elapsed: f64,
    first_other: Option<String>,
    /// How far into `slots` the row got.
    reached: usize,
}

/// `threads` citizens (each with its own `people`, in turn after each booking) post
/// `POST /api/appointments` at once, until `cap` bookings, the slots or the time run
/// out. `race`: every thread takes the first slot not known to be taken (the losers get
/// 409 `slot_taken` and move on); otherwise each takes the next slot of a shared counter.
fn book_row(url: &str, slots: &Arc<Vec<String>>, people: &[Vec<Booker>], race: bool, cap: usize, seconds: u64) -> Booked {
    let threads = people.len();
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(threads + 1));
    let deadline = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let handles: Vec<_> = people
        .iter()
        .cloned()
        .map(|mine| {
            let (url, slots, next, done, start) = (url.to_string(), slots.clone(), next.clone(), done.clone(), start.clone());
            let deadline = deadline.clone();
            std::thread::spawn(move || {
                let agent = e2e::agent();
                let (mut ok, mut taken, mut other, mut first_other, mut who) = (Vec::new(), 0, 0, None, 0);
                start.wait();
                let until = deadline.lock().unwrap().unwrap();
                while Instant::now() < until && done.load(Ordering::SeqCst) < cap {
                    let k = if race { next.load(Ordering::SeqCst) } else { next.fetch_add(1, Ordering::SeqCst) };
                    let Some(slot) = slots.get(k) else { break };
                    let p = &mine[who % mine.len()];
                    let body = format!(r#"{{"slot":"{slot}"}}"#);
                    let t = Instant::now();
                    let r = agent
                        .post(&url)
                        .header("cookie", &p.cookie)
                        .header("x-csrf-token", &p.csrf)
                        .header("content-type", "application/json")
                        .send(body.as_str());
                    let took = t.elapsed();
                    let (status, text) = match r {
                        Ok(mut resp) => (resp.status().as_u16(), resp.body_mut().read_to_string().unwrap_or_default()),
                        Err(e) => (0, e.to_string()),
                    };
                    if race {
                        next.fetch_max(k + 1, Ordering::SeqCst);
                    }
                    match status {
                        201 => {
                            ok.push(took);
                            done.fetch_add(1, Ordering::SeqCst);
                            who += 1;
                        }
                        409 if text.contains("\"slot_taken\"") => taken += 1,
                        _ => {
                            other += 1;
                            first_other.get_or_insert(format!("{status} {text}"));
                        }
                    }
                }
                (ok, taken, other, first_other)
            })
        })
        .collect();
    *deadline.lock().unwrap() = Some(Instant::now() + Duration::from_secs(seconds));
    let started = Instant::now();
    start.wait();
    let mut out = Booked { ok: Vec::new(), taken: 0, other: 0, elapsed: 0.0, first_other: None, reached: 0 };
    for h in handles {
        let (ok, taken, other, first) = h.join().unwrap();
        out.ok.extend(ok);
        out.taken += taken;
        out.other += other;
        if out.first_other.is_none() {
            out.first_other = first;
        }
    }
    out.elapsed = started.elapsed().as_secs_f64();
    out.reached = next.load(Ordering::SeqCst).min(slots.len());
    out
}

fn main() {
    let seconds = env("BENCH_SECONDS", 5) as u64;
    let many = env("BENCH_CONNECTIONS", 16).max(1);
    let days = env("BENCH_DAYS", 365).clamp(92, 800) as i64;
    let booked_percent = env("BENCH_BOOKED_PERCENT", 50).min(100) as u64;
    let people_count = env("BENCH_PEOPLE", 50_000).max(1);
    let booking_cap = env("BENCH_BOOKINGS", 1_000).max(1);
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg("appointments_per_kind=20")
        .start();
    let admin = registered_citizen(&app, 6);
    let _operator = registered_citizen(&app, 4);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let citizen = registered_citizen(&app, 1);

    // 1. desks, hours, exceptions and bookings written straight into the runner's SQLite
    //    file, as the component writes them
    let t = Instant::now();
    let file = state.path().join("sqlite_db.db");
    let mut db = rusqlite::Connection::open(&file).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let person_of = |db: &rusqlite::Connection, cf: &str| -> i64 { db.query_row("SELECT id FROM people WHERE fiscal_code = ?", [cf], |r| r.get(0)).unwrap() };
    let giulia = person_of(&db, CF[1]);
    let chiara = person_of(&db, CF[4]);
    // one CPI per area: the one named after it, or the first
    let cpis: Vec<String> = {
        let mut q = db
            .prepare("SELECT coalesce(max(CASE WHEN code = area_code THEN code END), min(code)) FROM cpis GROUP BY area_code ORDER BY area_code")
            .unwrap();
        q.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(cpis.len(), 11, "{cpis:?}");
    let now = common::rome::unix_now();
    let today = common::rome::local(now).0;
    let last = today + time::Duration::days(days - 1);
    let iso = common::rome::iso;
    let kinds = model::kinds(&db).unwrap();
    let tx = db.transaction().unwrap();
    let mut desk_count = 0;
    let (mut hours_count, mut exception_count) = (0, 0);
    for (i, cpi) in cpis.iter().enumerate() {
        let created = now - 30 * 86_400;
        for d in 0..(if i % 2 == 0 { 3 } else { 2 }) {
            tx.execute(
                "INSERT INTO desks (cpi_code, name, address, email, phone, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                rusqlite::params![cpi, format!("Sportello {}", d + 1), format!("Via del Lavoro {}, {cpi}", d + 1), format!("sportello{}.{cpi}@example.org", d + 1), "055 123456", chiara, created],
            )
            .unwrap();
            let desk = tx.last_insert_rowid();
            desk_count += 1;
            for kind in &kinds {
                for weekday in 1..=5 {
                    for (start, end) in INTERVALS {
                        tx.execute(
                            "INSERT INTO desk_hours (desk_id, kind, weekday, start_min, end_min, valid_from, valid_to, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                            rusqlite::params![desk, kind.code, weekday, start, end, iso(today), iso(last), chiara, created],
                        )
                        .unwrap();
                        hours_count += 1;
                    }
                }
            }
            // a closure of the whole desk each quarter, and one Saturday morning open for "ricerca"
            for q in 0..4 {
                let day = today + time::Duration::days(45 + q * days / 4);
                tx.execute(
                    "INSERT INTO desk_exceptions (desk_id, day, open, kind, start_min, end_min, note, created_by, created_at) VALUES (?1, ?2, 0, NULL, NULL, NULL, 'Chiusura', ?3, ?4)",
                    rusqlite::params![desk, iso(day), chiara, created],
                )
                .unwrap();
                exception_count += 1;
            }
            let mut saturday = today + time::Duration::days(10);
            while saturday.weekday() != time::Weekday::Saturday {
                saturday = saturday.next_day().unwrap();
            }
            tx.execute(
                "INSERT INTO desk_exceptions (desk_id, day, open, kind, start_min, end_min, note, created_by, created_at) VALUES (?1, ?2, 1, 'ricerca', 540, 720, 'Apertura straordinaria', ?3, ?4)",
                rusqlite::params![desk, iso(saturday), chiara, created],
            )
            .unwrap();
            exception_count += 1;
        }
    }
    // the people holding the bookings, made as the applications benchmark makes them
    let mut people = Vec::with_capacity(people_count);
    for i in 0..people_count {
        tx.execute(
            "INSERT INTO people (fiscal_code, name, family_name, email, last_method, first_login_at, last_login_at) VALUES (?, 'Persona', ?, ?, 'spid', 'x', 'x')",
            rusqlite::params![format!("BNCPRS{i:010}"), format!("Numero {i}"), format!("persona{i}@example.org")],
        )
        .unwrap();
        people.push(tx.last_insert_rowid());
    }
    // the slots the desks offer (the component's own computation on the rows it reads),
    // about `booked_percent` of them booked; a few others booked and then cancelled
    let mut next = rng();
    let (mut slot_count, mut booked, mut cancelled) = (0usize, 0usize, 0usize);
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO appointments (desk_id, kind, cpi_code, person_id, start_at, end_at, status, sequence, booked_at, cancelled_at, cancelled_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .unwrap();
        for kind in &kinds {
            let mut n = 0usize;
            for cpi in &cpis {
                let (hours, exceptions) = model::schedule(&*tx, cpi, &kind.code, None).unwrap();
                for s in slots::offered(&hours, &exceptions, &kind.code, kind.minutes, today, last).into_iter().filter(|s| s.start > now) {
                    slot_count += 1;
                    let at = now - next(60 * 86_400) as i64;
                    let person = people[n % people.len()];
                    if next(100) < booked_percent {
                        insert.execute(rusqlite::params![s.desk_id, kind.code, cpi, person, s.start, s.end, "prenotato", 0, at, None::<i64>, None::<i64>]).unwrap();
                        booked += 1;
                        n += 1;
                    } else if next(10) == 0 {
                        insert.execute(rusqlite::params![s.desk_id, kind.code, cpi, person, s.start, s.end, "annullato_cittadino", 1, at, at + 600, person]).unwrap();
                        cancelled += 1;
                        n += 1;
                    }
                }
            }
        }
    }
    tx.commit().unwrap();
    println!(
        "{} CPIs ({}), {desk_count} desks, {hours_count} weekly hours (Monday–Friday 09:00–13:00 and 14:00–17:00, the four kinds, {} to {}), {exception_count} exceptions; \
         {slot_count} future slots, {booked} booked and {cancelled} cancelled by {} people, written in {:.1} s.\n",
        cpis.len(),
        cpis.join(", "),
        iso(today),
        iso(last),
        people.len(),
        t.elapsed().as_secs_f64()
    );

    // 2. the availability search through the runner, beside the floor of this run
    let long = |cpi: &str| format!("/api/appointments/availability?cpi={cpi}&kind={KIND}&from={}&to={}", iso(today), iso(today + time::Duration::days(91)));
    let short = |cpi: &str| format!("/api/appointments/availability?cpi={cpi}&kind={KIND}");
    for (name, path) in [("92 days", long(&cpis[0])), ("the default 30 days", short(&cpis[0]))] {
        let r = citizen.get(&path);
        let v = r.json_checked();
        println!(
            "one answer, {} ({name}): {} free slots shown, truncated: {}, {} bytes of JSON",
            cpis[0],
            v["items"].as_array().unwrap().len(),
            v["truncated"],
            r.body.len()
        );
    }
    println!();
    let cookie = citizen.cookie.clone();
    let urls = |path: &dyn Fn(&str) -> String| cpis.iter().map(|c| app.url(&path(c))).collect::<Vec<_>>();
    let rows: [(&str, Vec<String>, Option<&str>); 4] = [
        ("floor: `/.well-known/spin/health` (the runner, no component)", vec![app.url("/.well-known/spin/health")], None),
        ("floor: static file `/css/site.css`", vec![app.url("/css/site.css")], None),
        ("citizen: `GET /api/appointments/availability`, `ricerca`, 92 days (`from`=today, `to`=today+91), the 11 CPIs in turn", urls(&long), Some(&cookie)),
        ("citizen: the same, the default window (30 days)", urls(&short), Some(&cookie)),
    ];
    println!("| request | connections | req/s | p50 | p99 | errors |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, urls, cookie) in &rows {
        for c in [1, many] {
            let f = load(urls, *cookie, c, seconds);
            println!("| {name} | {c} | {:.0} | {} | {} | {} |", f.rps, ms(f.p50), ms(f.p99), f.errors);
        }
    }

    // the floor inside, before any booking changes the CPI: the handler natively on the
    // same file, the statements in SQLite alone with their plans, the slot computation
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let native = |target: &str| {
        let req = common::Req::new("GET", target).header_set("cookie", &cookie);
        let r = appointments::handle(&req, &conn);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    };
    let budget = Duration::from_secs(2);
    let kind = model::kind(&conn, KIND).unwrap().unwrap();
    println!("\n| the same work without the runner | median |");
    println!("| --- | --- |");
    let (long0, short0) = (long(&cpis[0]), short(&cpis[0]));
    println!("| availability, 92 days: `appointments::handle` natively on the same SQLite file ({}) | {} |", cpis[0], ms(median_of(budget, || native(&long0))));
    println!("| availability, the default 30 days: natively | {} |", ms(median_of(budget, || native(&short0))));
    let window_end = today + time::Duration::days(91);
    let (lo, hi) = (common::rome::day_start(today), common::rome::day_start(window_end + time::Duration::days(1)));
    let (hours, exceptions): (Vec<Hours>, Vec<Exception>) = model::schedule(&conn, &cpis[0], KIND, None).unwrap();
    let taken = model::taken(&conn, &cpis[0], KIND, lo, hi).unwrap();
    println!("| `model::schedule` ({} weekly hours, {} exceptions of one CPI and kind) | {} |", hours.len(), exceptions.len(), ms(median_of(budget, || {
        model::schedule(&conn, &cpis[0], KIND, None).unwrap();
    })));
    println!("| `model::taken`, 92 days ({} booked slots) | {} |", taken.len(), ms(median_of(budget, || {
        model::taken(&conn, &cpis[0], KIND, lo, hi).unwrap();
    })));
    let offered = slots::offered(&hours, &exceptions, KIND, kind.minutes, today, window_end).len();
    println!("| `slots::offered`, 92 days ({offered} slots) | {} |", ms(median_of(budget, || {
        std::hint::black_box(slots::offered(&hours, &exceptions, KIND, kind.minutes, today, window_end));
    })));
    let year = slots::offered(&hours, &exceptions, KIND, kind.minutes, today, last).len();
    println!("| `slots::offered`, {days} days ({year} slots) | {} |", ms(median_of(budget, || {
        std::hint::black_box(slots::offered(&hours, &exceptions, KIND, kind.minutes, today, last));
    })));
    // the statements of `model::schedule` and `model::taken` (their text as in model.rs;
    // the row counts are checked against the functions')
    let cpi0 = cpis[0].as_str();
    let statements: [(&str, &str, Vec<rusqlite::types::Value>, usize); 3] = [
        (
            "`model::schedule`: the weekly hours",
            "SELECT h.desk_id, h.weekday, h.start_min, h.end_min, h.valid_from, h.valid_to, h.created_at
               FROM desk_hours h JOIN desks d ON d.id = h.desk_id
              WHERE d.cpi_code = ?1 AND h.kind = ?2 AND h.removed_at IS NULL AND (?3 IS NULL OR h.desk_id = ?3)",
            vec![cpi0.to_string().into(), KIND.to_string().into(), rusqlite::types::Value::Null],
            hours.len(),
        ),
        (
            "`model::schedule`: the exceptions",
            "SELECT e.desk_id, e.day, e.open, e.kind, e.start_min, e.end_min, e.created_at
               FROM desk_exceptions e JOIN desks d ON d.id = e.desk_id
              WHERE d.cpi_code = ?1 AND (e.kind IS NULL OR e.kind = ?2) AND e.removed_at IS NULL AND (?3 IS NULL OR e.desk_id = ?3)",
            vec![cpi0.to_string().into(), KIND.to_string().into(), rusqlite::types::Value::Null],
            exceptions.len(),
        ),
        (
            "`model::taken`: the bookings of 92 days",
            "SELECT desk_id, start_at FROM appointments WHERE cpi_code = ?1 AND start_at >= ?3 AND start_at < ?4 AND kind = ?2 AND status = 'prenotato'",
            vec![cpi0.to_string().into(), KIND.to_string().into(), lo.into(), hi.into()],
            taken.len(),
        ),
    ];
    println!("\n| statement, in SQLite alone on the same file | rows | median | query plan |");
    println!("| --- | --- | --- | --- |");
    for (name, sql, params, expected) in &statements {
        let mut stmt = conn.prepare(sql).unwrap();
        let mut count = 0;
        let t = median_of(budget, || {
            count = 0;
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).unwrap();
            while rows.next().unwrap().is_some() {
                count += 1;
            }
        });
        assert_eq!(count, *expected, "{name}: the statement differs from the model's");
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let lines: Vec<String> = plan.query_map(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        println!("| {name} | {count} | {} | {} |", ms(t), lines.join(" / "));
    }

    // 3. booking under contention: citizens with an account and a session, written as
    //    registration and login write them
    let t = Instant::now();
    let booking_cpi = cpis[0].clone();
    let mut db = rusqlite::Connection::open(&file).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let free: Vec<String> = {
        let (hours, exceptions) = model::schedule(&db, &booking_cpi, KIND, None).unwrap();
        let from = today + time::Duration::days(1);
        let taken = model::taken(&db, &booking_cpi, KIND, common::rome::day_start(from), common::rome::day_start(last + time::Duration::days(1))).unwrap();
        slots::offered(&hours, &exceptions, KIND, kind.minutes, from, last)
            .into_iter()
            .filter(|s| !taken.contains(&(s.desk_id, s.start)))
            .map(|s| format!("{}-{KIND}-{}", s.desk_id, s.start))
            .collect()
    };
    let account_columns: Vec<String> = {
        let mut q = db.prepare("SELECT name FROM pragma_table_info('accounts') WHERE name NOT IN ('person_id', 'email') ORDER BY cid").unwrap();
        q.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let copy_account = format!(
        "INSERT INTO accounts (person_id, email, {cols}) SELECT ?1, ?2, {cols} FROM accounts WHERE person_id = ?3",
        cols = account_columns.join(", ")
    );
    // each thread's people in turn: K ≥ 3 of them, so that a person's next booking is
    // never at the same time as the last one (3 desks), and 20 bookings each at most
    let per_thread = |threads: usize| booking_cap.div_ceil(threads).div_ceil(20) + 3;
    let scenarios: [(&str, usize, bool); 3] = [
        ("one citizen at a time, the next free slot", 1, false),
        ("distinct citizens at once, each on a slot of its own (a shared counter)", many, false),
        ("distinct citizens at once, all on the first free slot (the losers get 409 and try the next)", many, true),
    ];
    let tx = db.transaction().unwrap();
    let mut made = 0usize;
    let mut bookers: Vec<Vec<Vec<Booker>>> = Vec::new();
    for (_, threads, _) in &scenarios {
        let mut row = Vec::new();
        for _ in 0..*threads {
            let mut mine = Vec::new();
            for _ in 0..per_thread(*threads) {
                tx.execute(
                    "INSERT INTO people (fiscal_code, name, family_name, email, last_method, first_login_at, last_login_at) VALUES (?, 'Prenota', ?, ?, 'spid', 'x', 'x')",
                    rusqlite::params![format!("BNCPRB{made:010}"), format!("Numero {made}"), format!("prenota{made}@example.org")],
                )
                .unwrap();
                let person = tx.last_insert_rowid();
                tx.execute(&copy_account, rusqlite::params![person, format!("prenota{made}@example.org"), giulia]).unwrap();
                let id = common::token::random_token().unwrap();
                let csrf = common::token::random_token().unwrap();
                tx.execute(
                    "INSERT INTO sessions (id_hash, person_id, login, slo_key, csrf_token, acting_company_id, created_at, last_seen, expires_at) VALUES (?1, ?2, ?3, NULL, ?4, NULL, ?5, ?5, ?6)",
                    rusqlite::params![common::token::sha256_hex(id.as_bytes()), person, r#"{"method":"spid","level":2}"#, csrf, now, now + 8 * 3600],
                )
                .unwrap();
                mine.push(Booker { cookie: format!("__Host-tl_session={id}"), csrf });
                made += 1;
            }
            row.push(mine);
        }
        bookers.push(row);
    }
    tx.commit().unwrap();
    println!(
        "\nBooking `{KIND}` at {booking_cpi} ({} free slots from tomorrow; {made} citizens with an account and a session written in {:.1} s; `appointments_per_kind=20`):\n",
        free.len(),
        t.elapsed().as_secs_f64()
    );
    println!("| scenario | threads | bookings | bookings/s | p50 (201) | p99 (201) | 409 `slot_taken` | other errors |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let book_url = app.url("/api/appointments");
    let mut offset = 0;
    for ((name, threads, race), people) in scenarios.iter().zip(&bookers) {
        // each row on slots no earlier row reached
        let slots = Arc::new(free[offset.min(free.len())..].to_vec());
        let b = book_row(&book_url, &slots, people, *race, booking_cap, seconds);
        let n = b.ok.len();
        offset += b.reached;
        let (p50, p99, _) = if n > 0 { percentiles(b.ok) } else { (Duration::ZERO, Duration::ZERO, Duration::ZERO) };
        println!("| {name} | {threads} | {n} | {:.0} | {} | {} | {} | {} |", n as f64 / b.elapsed, ms(p50), ms(p99), b.taken, b.other);
        if let Some(e) = &b.first_other {
            eprintln!("first other error ({name}): {e}");
        }
        assert!(n > 0, "no booking went through: {:?}\n{}", b.first_other, app.log_text());
    }

    // 4. the PDF receipt of a booking of the citizen's, through the runner and natively
    let slot = citizen.get(&long(&cpis[1])).json_checked()["items"][0]["slot"].as_str().unwrap().to_string();
    let r = citizen.post("/api/appointments", &serde_json::json!({ "slot": slot }));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let receipt_path = format!("/api/appointments/{id}/receipt");
    let (status, _, pdf) = citizen.get_bytes(&receipt_path);
    assert_eq!(status, 200);
    println!("\nThe receipt of booking {id}: {} bytes of PDF.\n", pdf.len());
    println!("| request | connections | req/s | p50 | p99 | errors |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let f = load(&[app.url(&receipt_path)], Some(cookie.as_str()), 1, seconds);
    println!("| citizen: `GET /api/appointments/<id>/receipt` (PDF) | 1 | {:.0} | {} | {} | {} |", f.rps, ms(f.p50), ms(f.p99), f.errors);

    let appointment = model::appointment(&conn, id).unwrap();
    let person = model::person(&conn, appointment.person_id).unwrap();
    println!("\n| the same work without the runner | median |");
    println!("| --- | --- |");
    println!("| receipt: `appointments::handle` natively | {} |", ms(median_of(budget, || native(&receipt_path))));
    println!("| receipt: `docs::receipt` (the document, `pdfdoc::render`) | {} |", ms(median_of(budget, || {
        std::hint::black_box(appointments::docs::receipt(&appointment, &person, now, 24).unwrap());
    })));

}
