//! Benchmark of applications (issue 15, "Performance"): the time from publishing an
//! offer until the public search finds it; an operator's list of the applications to
//! their CPI's offers with 100,000 applications, and a citizen's list, at one and at
//! BENCH_CONNECTIONS (default 16) connections; beside them, the floor of the same run
//! (the runner's health answer, a static file, and the component's own statements in
//! SQLite alone, with their query plans).
//!
//! Run: `cargo bench -p e2e --bench applications` (after `scripts/test`).
//! Bounded: BENCH_PUBLISHES (default 20) publications, each followed by searches in a
//! tight loop (at most 1,000, no sleeping) until the offer is found; BENCH_OFFERS
//! (default 100) offers published through the API and BENCH_APPLICATIONS (default
//! 100,000) applications to them written straight into the runner's SQLite file, with
//! their CV file and events, as the component writes them; BENCH_SECONDS (default 5)
//! per row, at most 200,000 requests per row.

use std::time::{Duration, Instant};

use e2e::client::{Client, registered_citizen};
use e2e::latency::{env, load, ms};
use e2e::staff::{self, ACME, CF};
use e2e::Start;
use serde_json::json;


/// A word made of letters only (FTS tokens), different for each `n`.
fn word(n: usize) -> String {
    let mut s = String::from("benchq");
    let mut k = n;
    for _ in 0..4 {
        s.push((b'a' + (k % 26) as u8) as char);
        k /= 26;
    }
    s
}

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

fn main() {
    let seconds = env("BENCH_SECONDS", 5) as u64;
    let many = env("BENCH_CONNECTIONS", 16);
    let publishes = env("BENCH_PUBLISHES", 20);
    let offer_count = env("BENCH_OFFERS", 100).max(publishes).max(1);
    let total = env("BENCH_APPLICATIONS", 100_000);
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).arg("--variable").arg(format!("bootstrap_admins={}", CF[6])).start();
    let admin = registered_citizen(&app, 6);
    let operator = registered_citizen(&app, 4);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let citizen = registered_citizen(&app, 1);
    let cv_bytes = staff::cv_file(&e2e::cvfiles::cv_text("Giulia Bianchi", CF[1], staff::EMAIL[1], "+39 338 9876543", "23/07/1992", "cuoca"));
    let cv = staff::upload_cv(&citizen, &cv_bytes, "CV");
    let deadline = common::rome::day_at(common::rome::unix_now() + 60 * 86_400);

    // 1. publishing until the public search finds the offer
    let (mut publish_times, mut findable, mut polls) = (Vec::new(), Vec::new(), 0usize);
    let mut codes = Vec::new();
    for k in 0..publishes {
        let w = word(k);
        let search = app.url(&format!("/api/offers?q={w}"));
        let t = Instant::now();
        let offer = staff::publish(&operator, &staff::offer_form(&format!("cuoco {w}"), &deadline, ACME));
        publish_times.push(t.elapsed());
        let code = offer["code"].as_str().unwrap().to_string();
        let mut tries = 0;
        loop {
            tries += 1;
            assert!(tries <= 1_000, "offer {code} not found after 1,000 searches");
            if e2e::get(&search).json()["items"][0]["code"] == code.as_str() {
                break;
            }
        }
        findable.push(t.elapsed());
        polls += tries;
        codes.push(code);
    }
    println!("Publishing an offer until the public search finds it ({publishes} offers, {polls} searches in all):\n");
    println!("| step | n | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    e2e::latency::row("`POST /api/operator/offers` (checks, code, offer, locations, terms, requirements, FTS index, audit)", publish_times);
    e2e::latency::row("from the publication's request until `GET /api/offers?q=<its word>` lists it", findable);
    while codes.len() < offer_count {
        let offer = staff::publish(&operator, &staff::offer_form("aiuto cuoco", &deadline, ACME));
        codes.push(offer["code"].as_str().unwrap().to_string());
    }

    // 2. applications written straight into the runner's SQLite file, as the component writes them
    let t = Instant::now();
    let file = state.path().join("sqlite_db.db");
    let mut db = rusqlite::Connection::open(&file).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let offer_ids: Vec<i64> = codes.iter().map(|c| db.query_row("SELECT id FROM offers WHERE code = ?", [c], |r| r.get(0)).unwrap()).collect();
    let giulia: i64 = db.query_row("SELECT id FROM people WHERE fiscal_code = ?", [CF[1]], |r| r.get(0)).unwrap();
    let chiara: i64 = db.query_row("SELECT id FROM people WHERE fiscal_code = ?", [CF[4]], |r| r.get(0)).unwrap();
    let people_count = total.div_ceil(offer_count);
    let file_bytes = e2e::cvfiles::pdf("Curriculum vitae", 0);
    let declarations = json!([
        {"requirement": "Qualifica professionale: aiuto cuoco", "declared": true},
        {"requirement": "Esperienza richiesta: Almeno un anno nella stessa qualifica", "declared": true},
        {"requirement": "Attestato HACCP in corso di validità", "declared": true}
    ])
    .to_string();
    let now = common::rome::unix_now();
    let tx = db.transaction().unwrap();
    let mut people = vec![giulia];
    for i in 1..people_count {
        tx.execute(
            "INSERT INTO people (fiscal_code, name, family_name, email, last_method, first_login_at, last_login_at) VALUES (?, 'Persona', ?, ?, 'spid', 'x', 'x')",
            rusqlite::params![format!("BNCPRS{i:010}"), format!("Numero {i}"), format!("persona{i}@example.org")],
        )
        .unwrap();
        people.push(tx.last_insert_rowid());
    }
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut written = 0usize;
    let mut by_status = [0usize; 5];
    'all: for (p, person) in people.iter().enumerate() {
        for offer in &offer_ids {
            if written == total {
                break 'all;
            }
            // most applications wait, some were evaluated, a few withdrawn
            let (status, k) = match next(100) {
                0..=59 => ("inserita", 0),
                60..=79 => ("presa_in_carico", 1),
                80..=89 => ("inviata", 2),
                90..=97 => ("non_inviata", 3),
                _ => ("ritirata", 4),
            };
            by_status[k] += 1;
            let created = now - next(180 * 86_400) as i64 - 3600;
            let decided = (k == 1 || k == 2 || k == 3).then_some(created + 1800);
            let cv_id = if p == 0 { cv } else { 1_000_000 + p as i64 };
            tx.execute(
                "INSERT INTO applications (offer_id, cpi_code, person_id, cv_id, cv_description, declarations, status, created_at, updated_at, decided_by, decided_at)
                 VALUES (?1, (SELECT cpi_code FROM offers WHERE id = ?1), ?2, ?3, 'CV', ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![offer, person, cv_id, declarations, status, created, decided.unwrap_or(created), decided.map(|_| chiara), decided],
            )
            .unwrap();
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO application_files (application_id, file_name, file_kind, file_sha256, content) VALUES (?, 'curriculum.pdf', 'pdf', ?, ?)",
                rusqlite::params![id, "0".repeat(64), file_bytes],
            )
            .unwrap();
            tx.execute("INSERT INTO application_events (application_id, status, actor_id, at) VALUES (?, 'inserita', ?, ?)", rusqlite::params![id, person, created]).unwrap();
            let mut at = created;
            for s in match k {
                1 => &["presa_in_carico"][..],
                2 => &["presa_in_carico", "inviata"][..],
                3 => &["non_inviata"][..],
                4 => &["ritirata"][..],
                _ => &[][..],
            } {
                at += 900;
                let actor = if *s == "ritirata" { *person } else { chiara };
                tx.execute("INSERT INTO application_events (application_id, status, actor_id, at) VALUES (?, ?, ?, ?)", rusqlite::params![id, s, actor, at]).unwrap();
            }
            written += 1;
        }
    }
    tx.commit().unwrap();
    println!(
        "\n{written} applications ({} inserite, {} prese in carico, {} inviate, {} non inviate, {} ritirate) to {} offers by {} people written in {:.1} s; the citizen has {}.\n",
        by_status[0],
        by_status[1],
        by_status[2],
        by_status[3],
        by_status[4],
        offer_ids.len(),
        people.len(),
        t.elapsed().as_secs_f64(),
        offer_ids.len().min(written)
    );

    // 3. the lists through the runner, beside the floor of this run
    let (op_cookie, citizen_cookie) = (operator.cookie.clone(), citizen.cookie.clone());
    let operator_list = operator.get("/api/operator/applications").json_checked();
    let filtered_path = format!("/api/operator/applications?offer={}&status=inviata", codes[0]);
    let filtered = operator.get(&filtered_path).json_checked();
    let mine = citizen.get("/api/applications").json_checked();
    println!(
        "the operator's list: {} applications (withdrawn ones aside), pages of {}; filtered by offer and esito: {}; the citizen's: {}\n",
        operator_list["total"], operator_list["page_size"], filtered["total"], mine["total"]
    );
    println!("| request | connections | req/s | p50 | p99 | errors |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let rows: [(&str, String, Option<&str>); 5] = [
        ("floor: `/.well-known/spin/health` (the runner, no component)", app.url("/.well-known/spin/health"), None),
        ("floor: static file `/css/site.css`", app.url("/css/site.css"), None),
        ("operator: `GET /api/operator/applications` (first page)", app.url("/api/operator/applications"), Some(&op_cookie)),
        ("operator: the same, one offer and one esito", app.url(&filtered_path), Some(&op_cookie)),
        ("citizen: `GET /api/applications` (first page)", app.url("/api/applications"), Some(&citizen_cookie)),
    ];
    for (name, url, cookie) in &rows {
        for c in [1, many] {
            let f = load(std::slice::from_ref(url), *cookie, c, seconds);
            println!("| {name} | {c} | {:.0} | {} | {} | {} |", f.rps, ms(f.p50), ms(f.p99), f.errors);
        }
    }

    // 4. the floor inside: the component's handler natively on the same file, and its
    //    count and page statements in SQLite alone, with their plans
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let session = |c: &Client| c.cookie.clone();
    let native = |cookie: &str, target: &str| {
        let req = common::Req::new("GET", target).header_set("cookie", cookie);
        let r = applications::handle(&req, &conn);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    };
    println!("\n| the same work without the runner | median |");
    println!("| --- | --- |");
    let budget = Duration::from_secs(2);
    for (name, cookie, target) in [
        ("operator's list: `applications::handle` natively on the same SQLite file", session(&operator), "/api/operator/applications"),
        ("operator's list, one offer and one esito: natively", session(&operator), filtered_path.as_str()),
        ("citizen's list: natively", session(&citizen), "/api/applications"),
    ] {
        println!("| {name} | {} |", ms(median_of(budget, || native(&cookie, target))));
    }
    let today = common::rome::day_at(now);
    let (op_query, filtered_query, mine_query) = (
        applications::model::operator_query(&applications::model::OperatorFilter { cpi: "firenze", offer: None, status: None, from: None, to: None }),
        applications::model::operator_query(&applications::model::OperatorFilter { cpi: "firenze", offer: Some(&codes[0]), status: Some("inviata"), from: None, to: None }),
        applications::model::mine_query(&applications::model::MineFilter { person_id: giulia, from: None, to: None, status: None, history: false, today: &today }),
    );
    let values = |q: &applications::model::ListQuery| -> Vec<rusqlite::types::Value> {
        q.params
            .iter()
            .map(|v| match v {
                common::sql::Value::Integer(i) => rusqlite::types::Value::Integer(*i),
                common::sql::Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
                common::sql::Value::Null => rusqlite::types::Value::Null,
                other => panic!("unexpected parameter {other:?}"),
            })
            .collect()
    };
    let page = |mut p: Vec<rusqlite::types::Value>, size: i64| {
        p.extend([size.into(), 0i64.into()]);
        p
    };
    let statements = [
        ("operator's list: count", op_query.count.clone(), values(&op_query)),
        ("operator's list: the page", op_query.page.clone(), page(values(&op_query), 20)),
        ("operator's list, one offer and one esito: count", filtered_query.count.clone(), values(&filtered_query)),
        ("operator's list, one offer and one esito: the page", filtered_query.page.clone(), page(values(&filtered_query), 20)),
        ("citizen's list: count", mine_query.count.clone(), values(&mine_query)),
        ("citizen's list: the page", mine_query.page.clone(), page(values(&mine_query), 10)),
    ];
    println!("\n| statement, in SQLite alone on the same file | median | query plan |");
    println!("| --- | --- | --- |");
    for (name, sql, params) in &statements {
        let mut stmt = conn.prepare(sql).unwrap();
        let t = median_of(budget, || {
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).unwrap();
            while rows.next().unwrap().is_some() {}
        });
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let lines: Vec<String> = plan.query_map(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        println!("| {name} | {} | {} |", ms(t), lines.join(" / "));
    }
}
