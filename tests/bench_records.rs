//! Benchmark of the records' prints and export (issue 19, "Performance"): for a person
//! with a long history (BENCH_EXPERIENCES, default 50, work experiences and
//! BENCH_ACTIVITIES, default 100, active-policy activities, plus 20 rows of the other
//! sections and a CV), the SAP PDF and the export ZIP through the runner (one
//! connection, BENCH_REQUESTS requests each, default 20), and the same work natively
//! (`records::docs::sap` + `pdf`, `records::export::zip`) on the runner's SQLite file.
//! The rows are written straight into the runner's SQLite file as the component writes
//! them.
//!
//! Run: `cargo bench -p e2e --bench records` (after a build).

use std::time::Instant;

use e2e::Start;
use e2e::client::registered_citizen;
use e2e::latency::{env, row, timed};
use e2e::staff::{self, CF};

fn main() {
    let experiences = env("BENCH_EXPERIENCES", 50);
    let activities = env("BENCH_ACTIVITIES", 100);
    let n = env("BENCH_REQUESTS", 20).max(1);
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg("records_exports_per_hour=100000")
        .start();
    let admin = registered_citizen(&app, 6);
    let operator = registered_citizen(&app, 4);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    let citizen = registered_citizen(&app, 1);
    let cv = staff::cv_file(&e2e::cvfiles::cv_text("Giulia Bianchi", CF[1], staff::EMAIL[1], "+39 338 9876543", "23/07/1992", "cuoco"));
    staff::upload_cv(&citizen, &cv, "CV lungo");

    let file = state.path().join("sqlite_db.db");
    let db = rusqlite::Connection::open(&file).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let id = |cf: &str| -> i64 { db.query_row("SELECT id FROM people WHERE fiscal_code = ?", [cf], |r| r.get(0)).unwrap() };
    let (me, op) = (id(CF[1]), id(CF[4]));
    db.execute_batch("BEGIN").unwrap();
    for i in 0..experiences {
        db.execute(
            "INSERT INTO record_experiences (person_id, employer, role, contract, start_date, end_date, description, validated, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'Tempo determinato', ?4, ?5, ?6, ?7, ?8, 0, 0)",
            rusqlite::params![me, format!("Datore di lavoro n. {i} S.R.L."), format!("Qualifica {i}"), format!("{}-03-01", 1980 + i % 45), format!("{}-09-30", 1980 + i % 45), "Mansioni di cucina, preparazione dei piatti e cura della dispensa. ".repeat(3), (i % 2) as i64, op],
        )
        .unwrap();
    }
    for i in 0..activities {
        db.execute(
            "INSERT INTO record_activities (person_id, activity_code, proposed_on, started_on, ended_on, description, promoter, project, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?3, ?3, 'Attività del percorso', 'E202C000002', '05 - Presa in carico D.Lgs. 150', ?4, 0, 0)",
            rusqlite::params![me, ["A01", "A02", "A03", "A05"][i % 4], format!("{}-{:02}-10", 2000 + i / 12, 1 + i % 12), op],
        )
        .unwrap();
    }
    for i in 0..20 {
        db.execute("INSERT INTO record_training (person_id, title, provider, hours, validated, created_by, created_at, updated_at) VALUES (?1, ?2, 'Agenzia formativa', 40, 1, ?3, 0, 0)", rusqlite::params![me, format!("Corso {i}"), op]).unwrap();
        db.execute("INSERT INTO record_languages (person_id, language_code, level_code, created_by, created_at, updated_at) VALUES (?1, 'en', 'B2', ?2, 0, 0)", rusqlite::params![me, op]).unwrap();
        db.execute("INSERT INTO record_gg_activities (person_id, proposed_on, action_code, provider, created_by, created_at, updated_at) VALUES (?1, '2021-06-14', '5', 'FIRENZE', ?2, 0, 0)", rusqlite::params![me, op]).unwrap();
    }
    db.execute_batch("COMMIT").unwrap();
    drop(operator);

    println!("Records: a person with {experiences} experiences, {activities} activities, 20 trainings, languages and GG activities, a CV of {} KB\n", cv.len() / 1024);
    println!("| request (runner, one connection) | n | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    let mut sizes = Vec::new();
    for (name, path) in [("SAP PDF `GET /api/records/sap/pdf`", "/api/records/sap/pdf"), ("export ZIP `GET /api/records/export`", "/api/records/export"), ("SAP page data `GET /api/records/sap`", "/api/records/sap")] {
        let mut size = 0;
        let d = timed(n, |_| {
            let (status, _, body) = citizen.get_bytes(path);
            assert_eq!(status, 200, "{path}");
            size = body.len();
        });
        sizes.push((name, size));
        row(name, d);
    }
    println!("\n| the same work natively on the runner's SQLite file | n | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    let conn = rusqlite::Connection::open(&file).unwrap();
    let now = e2e::client::unix_now();
    row("`docs::sap` (the parts)", timed(n, |_| {
        records::docs::sap(&conn, me).unwrap();
    }));
    let print = records::docs::sap(&conn, me).unwrap();
    row("`docs::pdf` of the SAP", timed(n, |_| {
        records::docs::pdf(&print, now).unwrap();
    }));
    row("`export::zip`", timed(n, |_| {
        records::export::zip(&conn, me, now).unwrap();
    }));
    let t = Instant::now();
    let pages = records::docs::pdf(&print, now).unwrap();
    let one = t.elapsed();
    println!("\n| output | bytes |");
    println!("| --- | --- |");
    for (name, size) in sizes {
        println!("| {name} | {size} |");
    }
    println!("\n(one more SAP PDF natively: {:.1} ms, {} bytes)", one.as_secs_f64() * 1000.0, pages.len());
}
