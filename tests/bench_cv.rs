//! Benchmark of the CV component: the upload of a 5 MB PDF through the runner (the body
//! read within the limit, type detection and text extraction, anonymisation, the BLOB
//! and the search index written in one transaction), and the companies' anonymised
//! search (FTS5) over 10,000 CVs with consent.
//!
//! Run: `cargo bench -p e2e --bench cv` (after `scripts/test` built everything).
//! Bounded: BENCH_UPLOADS (default 20) uploads, BENCH_CVS (default 10,000) CVs written
//! straight into the runner's SQLite file (the search index rows as the component
//! writes them), BENCH_SEARCHES (default 1,000) searches, one connection, sequential.

use std::time::{Duration, Instant};

use e2e::client::Client;
use e2e::cvfiles::{self, send_bytes};
use e2e::Start;
use e2e::latency::{env, row};
use serde_json::json;

const JOBS: &[&str] = &[
    "pizzaiolo", "cuoco", "cameriere", "barista", "idraulico", "elettricista", "muratore", "imbianchino", "magazziniere", "autista",
    "infermiere", "impiegato amministrativo", "contabile", "programmatore", "saldatore", "giardiniere", "commesso", "receptionist",
    "operatore socio sanitario", "carpentiere",
];
const SKILLS: &[&str] = &[
    "lavoro in squadra", "normativa HACCP", "patente C", "muletto", "pacchetto Office", "inglese B2", "tedesco A2", "forno a legna",
    "impianti civili", "contabilità fornitori", "gestione del magazzino", "assistenza anziani", "cartongesso", "saldatura TIG",
    "Java e SQL", "accoglienza clienti", "potatura", "cassa e inventario", "turni notturni", "primo soccorso",
];
const AREAS: &[&str] =
    &["arezzo", "empolese-valdelsa", "firenze", "grosseto", "livorno", "lucca", "massa-carrara", "pisa", "prato", "pistoia", "siena"];

fn main() {
    let uploads = env("BENCH_UPLOADS", 20);
    let cvs = env("BENCH_CVS", 10_000);
    let searches = env("BENCH_SEARCHES", 1_000);
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path()).start();

    // 1. a 5 MB PDF (text page + padding), uploaded by the demo citizen Mario Rossi
    let (mario, _) = Client::login(&app, 0);
    let text = cvfiles::cv_text("Mario Rossi", "RSSMRA85C14D612R", "mario.rossi@example.org", "+39 347 1234567", "14/03/1985", "pizzaiolo");
    let pdf = cvfiles::pdf(&text, 5_000_000);
    let meta = percent_encoding_meta(&json!({"description": "Benchmark", "search_consent": false}));
    println!("| request | n | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    let mut times = Vec::new();
    for _ in 0..uploads {
        let t = Instant::now();
        let r = send_bytes(
            "POST",
            &app.url("/api/cv"),
            &[("cookie", &mario.cookie), ("x-csrf-token", &mario.csrf), ("x-cv-meta", &meta), ("content-type", "application/pdf")],
            &pdf,
        );
        times.push(t.elapsed());
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(mario.delete(&format!("/api/cv/{id}")).status, 200);
    }
    row(&format!("POST /api/cv, {} byte PDF (upload, checks, extraction, store)", pdf.len()), times);

    // 2. 10,000 consented CVs written straight into the database, as the component writes them
    let t = Instant::now();
    let mut db = rusqlite::Connection::open(state.path().join("sqlite_db.db")).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let person: i64 = db.query_row("SELECT id FROM people WHERE fiscal_code = 'RSSMRA85C14D612R'", [], |r| r.get(0)).unwrap();
    let tx = db.transaction().unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let now = 1_795_000_000i64;
    for i in 0..cvs {
        let job = JOBS[next(JOBS.len())];
        let skills: Vec<&str> = (0..5).map(|_| SKILLS[next(SKILLS.len())]).collect();
        let body = format!(
            "Curriculum vitae di [omissis]. Esperienze professionali: {job} presso azienda del settore dal {} al {}, poi {job} senior. \
             Competenze: {}. Formazione: diploma di scuola superiore, corsi regionali di aggiornamento. Lingue: italiano madrelingua. \
             Disponibilità immediata, automunito, turni e trasferte. Riferimenti su richiesta. Candidato numero {i}.",
            2000 + next(15),
            2015 + next(10),
            skills.join(", ")
        );
        let areas: Vec<&str> = (0..1 + next(3)).map(|_| AREAS[next(AREAS.len())]).collect();
        tx.execute(
            "INSERT INTO cvs (handle, person_id, description, search_consent, file_name, file_kind, file_size, file_sha256, anonymised_text,
               created_at, updated_at, last_activity_at) VALUES (?, ?, ?, 1, 'cv.pdf', 'pdf', 1000, ?, ?, ?, ?, ?)",
            rusqlite::params![format!("{:032x}", i as u128 * 7919 + 17), person, format!("Bench {i}"), "0".repeat(64), body, now, now, now],
        )
        .unwrap();
        let id = tx.last_insert_rowid();
        tx.execute("INSERT INTO cv_files (cv_id, content) VALUES (?, x'25504446')", [id]).unwrap();
        let mut facets = Vec::new();
        for a in &areas {
            tx.execute("INSERT OR IGNORE INTO cv_territories (cv_id, area_code) VALUES (?, ?)", rusqlite::params![id, a]).unwrap();
            facets.push(format!("a{}", a.replace('-', "")));
        }
        tx.execute("INSERT INTO cv_fts (rowid, body, facets) VALUES (?, ?, ?)", rusqlite::params![id, body, facets.join(" ")]).unwrap();
    }
    tx.commit().unwrap();
    drop(db);
    eprintln!("seeded {cvs} CVs in {:.1} s", t.elapsed().as_secs_f64());

    // 3. the search, as ACME S.R.L.: occupation + territory, keywords, no filter
    let acme = mario.get("/api/session/act-as").json_checked()["options"][0]["company_id"].clone();
    mario.post("/api/session/act-as", &json!({"company_id": acme})).json_checked();
    let queries: Vec<String> = (0..searches)
        .map(|i| match i % 4 {
            0 => format!("/api/cv-search?occupation={}&territory={}", JOBS[i % JOBS.len()].replace(' ', "+"), AREAS[i % AREAS.len()]),
            1 => format!("/api/cv-search?q={}", SKILLS[i % SKILLS.len()].split(' ').next().unwrap()),
            2 => format!("/api/cv-search?q=turni+automunito&territory={},{}", AREAS[i % AREAS.len()], AREAS[(i + 3) % AREAS.len()]),
            _ => "/api/cv-search".to_string(),
        })
        .collect();
    let mut totals = 0i64;
    let mut by_shape: Vec<Vec<Duration>> = vec![Vec::new(); 4];
    let mut matches = [0i64; 4];
    let times: Vec<Duration> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let t = Instant::now();
            let r = mario.get(q);
            let d = t.elapsed();
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            let n = r.json()["total"].as_i64().unwrap();
            totals += n;
            matches[i % 4] += n;
            by_shape[i % 4].push(d);
            d
        })
        .collect();
    row(&format!("GET /api/cv-search over {cvs} CVs (4 query shapes, page of 10)"), times);
    let names = ["occupation + territory", "one keyword", "two keywords + two territories", "no filter"];
    for (k, d) in by_shape.into_iter().enumerate() {
        let n = d.len().max(1) as i64;
        row(&format!("  {} (~{} matches)", names[k], matches[k] / n), d);
    }
    eprintln!("average matches per search: {}", totals / searches.max(1) as i64);
}

fn percent_encoding_meta(v: &serde_json::Value) -> String {
    percent_encoding::utf8_percent_encode(&v.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string()
}
