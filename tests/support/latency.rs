//! Latency figures of the benchmarks: sequential rows (p50, p99, max) and load rows
//! (keep-alive clients for a time: requests a second, p50, p99, errors).

use std::time::{Duration, Instant};

/// The `p`-th percentile (0 < p ≤ 1) of `sorted` by the nearest-rank method: the
/// value at rank ⌈p·n⌉ (1-based), so that at least a fraction `p` of the values are at
/// or below it. `Duration::ZERO` for an empty list.
pub fn nearest_rank(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median, 99th percentile and maximum of `d` (not empty), by nearest rank.
pub fn percentiles(mut d: Vec<Duration>) -> (Duration, Duration, Duration) {
    d.sort();
    (nearest_rank(&d, 0.5), nearest_rank(&d, 0.99), *d.last().unwrap())
}

/// Prints `| what | n | p50 | p99 | max |`.
pub fn row(what: &str, d: Vec<Duration>) {
    let n = d.len();
    let (p50, p99, max) = percentiles(d);
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    println!("| {what} | {n} | {} | {} | {} |", ms(p50), ms(p99), ms(max));
}

/// The duration of each of `n` calls of `f` (given the call's index).
pub fn timed(n: usize, mut f: impl FnMut(usize)) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed()
        })
        .collect()
}

/// A count from the environment (`BENCH_…`), or `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// What a closed-loop load run measured: the latencies of the 200s (sorted), the 503s
/// (the runner's admission control refusing) and any other answer or failure.
pub struct Load {
    pub ok: Vec<Duration>,
    pub refused: usize,
    pub failed: usize,
    pub elapsed: Duration,
    /// The `Server-Timing` of each 200 that had one (`runner up --server-timing`).
    pub timings: Vec<String>,
}

impl Load {
    pub fn ok_per_second(&self) -> f64 {
        self.ok.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn refused_per_second(&self) -> f64 {
        self.refused as f64 / self.elapsed.as_secs_f64()
    }

    pub fn p50(&self) -> Duration {
        nearest_rank(&self.ok, 0.5)
    }

    pub fn p99(&self) -> Duration {
        nearest_rank(&self.ok, 0.99)
    }

    /// The median of each `Server-Timing` metric over the 200s, in the header's order.
    pub fn timing_medians(&self) -> Vec<(String, Duration)> {
        let mut by_name: Vec<(String, Vec<Duration>)> = Vec::new();
        for header in &self.timings {
            for (name, d) in server_timing(header) {
                match by_name.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, all)) => all.push(d),
                    None => by_name.push((name, vec![d])),
                }
            }
        }
        by_name
            .into_iter()
            .map(|(name, mut all)| {
                all.sort();
                (name, nearest_rank(&all, 0.5))
            })
            .collect()
    }

    /// The median of the instances' peak linear memory (`memory;desc="<n> KiB"` in the
    /// runner's `Server-Timing`), in KiB.
    pub fn memory_median(&self) -> Option<usize> {
        let mut kib: Vec<usize> = self.timings.iter().filter_map(|h| memory_kib(h)).collect();
        kib.sort();
        kib.get(kib.len().saturating_sub(1) / 2).copied()
    }
}

/// The instance's peak linear memory in a runner's `Server-Timing` value
/// (`memory;desc="<n> KiB"`), in KiB.
pub fn memory_kib(header: &str) -> Option<usize> {
    header.split(',').find_map(|m| m.trim().strip_prefix("memory;desc=\"")?.strip_suffix(" KiB\"")?.parse().ok())
}

/// The metrics of a `Server-Timing` value: `name;dur=<ms>[;desc=...]`, in order.
pub fn server_timing(header: &str) -> Vec<(String, Duration)> {
    header
        .split(',')
        .filter_map(|metric| {
            let mut parts = metric.trim().split(';');
            let name = parts.next()?.trim().to_string();
            let ms: f64 = parts.find_map(|p| p.trim().strip_prefix("dur=")?.parse().ok())?;
            Some((name, Duration::from_secs_f64(ms / 1000.0)))
        })
        .collect()
}

/// `connections` keep-alive clients, each sending GET `url` as soon as the previous
/// answer is read, for `seconds` and at most `max_requests` requests in all.
pub fn closed_loop(url: &str, connections: usize, seconds: u64, max_requests: usize) -> Load {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let per_thread = max_requests / connections.max(1);
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let url = url.to_string();
            std::thread::spawn(move || {
                let agent = crate::agent();
                let (mut ok, mut refused, mut failed, mut timings) = (Vec::new(), 0usize, 0usize, Vec::new());
                while Instant::now() < deadline && ok.len() + refused + failed < per_thread {
                    let t = Instant::now();
                    match agent.get(&url).call() {
                        Ok(mut r) => {
                            let status = r.status();
                            let _ = r.body_mut().read_to_vec();
                            match status.as_u16() {
                                200 => {
                                    ok.push(t.elapsed());
                                    if let Some(h) = r.headers().get("server-timing").and_then(|v| v.to_str().ok()) {
                                        timings.push(h.to_string());
                                    }
                                }
                                503 => refused += 1,
                                _ => failed += 1,
                            }
                        }
                        Err(_) => failed += 1,
                    }
                }
                (ok, refused, failed, timings)
            })
        })
        .collect();
    let mut load = Load { ok: Vec::new(), refused: 0, failed: 0, elapsed: Duration::ZERO, timings: Vec::new() };
    for t in threads {
        let (ok, refused, failed, timings) = t.join().unwrap();
        load.ok.extend(ok);
        load.refused += refused;
        load.failed += failed;
        load.timings.extend(timings);
    }
    load.elapsed = started.elapsed();
    load.ok.sort();
    load
}

/// `n` generated offers (db/generate.mjs, seed 7, as of `today`) as a SQL file in `dir`.
pub fn generated_offers(dir: &std::path::Path, n: usize, today: &str) -> std::path::PathBuf {
    let data = dir.join("offers.sql");
    let status = std::process::Command::new("node")
        .current_dir(crate::root())
        .args(["db/generate.mjs", "--offers", &n.to_string(), "--seed", "7", "--today", today, "--out"])
        .arg(&data)
        .status()
        .expect("node runs");
    assert!(status.success(), "db/generate.mjs failed");
    data
}

/// The offer search's page statement for `query` (as `GET /api/offers?<query>` runs it
/// on `today`), with its parameters as rusqlite values: to time it in SQLite alone.
pub fn search_statement(query: &str, today: &str) -> (String, Vec<rusqlite::types::Value>) {
    let search = vacancy::search::Search::from_query(&common::Query::parse(query).unwrap()).unwrap();
    let (sql, params) = search.page_sql(today);
    let values = params
        .iter()
        .map(|p| match p {
            vacancy::search::Param::Text(s) => rusqlite::types::Value::Text(s.clone()),
            vacancy::search::Param::Int(i) => rusqlite::types::Value::Integer(*i),
        })
        .collect();
    (sql, values)
}

/// The median duration of `f`, called again and again for `time`.
pub fn median_for(time: Duration, mut f: impl FnMut()) -> Duration {
    let mut times = Vec::new();
    let until = Instant::now() + time;
    while Instant::now() < until {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    nearest_rank(&times, 0.5)
}

/// The median time of running `sql` with `values` to its last row on `conn`, for `time`.
pub fn statement_median(conn: &rusqlite::Connection, sql: &str, values: &[rusqlite::types::Value], time: Duration) -> Duration {
    let mut stmt = conn.prepare(sql).unwrap();
    median_for(time, || run_to_end(&mut stmt, values))
}

/// Runs `stmt` with `values` and reads it to its last row.
pub fn run_to_end(stmt: &mut rusqlite::Statement<'_>, values: &[rusqlite::types::Value]) {
    let mut rows = stmt.query(rusqlite::params_from_iter(values.iter())).unwrap();
    while rows.next().unwrap().is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_timing_metrics_and_their_medians() {
        let header = r#"queue;dur=0.010, db-prepare;dur=1.100;desc="4 statements", total;dur=2.5"#;
        let ms = |m: f64| Duration::from_secs_f64(m / 1000.0);
        assert_eq!(server_timing(header), [("queue".to_string(), ms(0.01)), ("db-prepare".to_string(), ms(1.1)), ("total".to_string(), ms(2.5))]);
        let load = Load {
            ok: Vec::new(),
            refused: 0,
            failed: 0,
            elapsed: Duration::ZERO,
            timings: ["total;dur=3", "total;dur=1, guest;dur=4", "total;dur=2"].map(String::from).to_vec(),
        };
        assert_eq!(load.timing_medians(), [("total".to_string(), ms(2.0)), ("guest".to_string(), ms(4.0))]);
        assert_eq!(load.memory_median(), None);
        let with_memory = Load {
            timings: [r#"total;dur=1, memory;desc="1152 KiB""#, r#"total;dur=1, memory;desc="1664 KiB""#, r#"total;dur=1, memory;desc="1088 KiB""#]
                .map(String::from)
                .to_vec(),
            ..load
        };
        assert_eq!(with_memory.memory_median(), Some(1152));
    }

    #[test]
    fn percentiles_of_a_hundred() {
        let d: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(percentiles(d), (Duration::from_millis(50), Duration::from_millis(99), Duration::from_millis(100)));
    }

    #[test]
    fn nearest_ranks_of_small_and_odd_lists() {
        let ms = |v: &[u64]| v.iter().map(|m| Duration::from_millis(*m)).collect::<Vec<_>>();
        // 1..=10: the median is the 5th value, p99 the 10th
        let ten = ms(&(1..=10).collect::<Vec<_>>());
        assert_eq!((nearest_rank(&ten, 0.5), nearest_rank(&ten, 0.99)), (Duration::from_millis(5), Duration::from_millis(10)));
        // an odd count: the middle value
        assert_eq!(nearest_rank(&ms(&[1, 2, 3]), 0.5), Duration::from_millis(2));
        assert_eq!(nearest_rank(&ms(&[7]), 0.99), Duration::from_millis(7));
        assert_eq!(nearest_rank(&[], 0.5), Duration::ZERO);
        // 1..=1000: p99 is the 990th value
        assert_eq!(nearest_rank(&ms(&(1..=1000).collect::<Vec<_>>()), 0.99), Duration::from_millis(990));
    }
}

/// Requests one load row makes at most, over all its connections.
pub const MAX_REQUESTS: usize = 200_000;

/// What a load row measured: requests a second, latency percentiles, failed requests.
pub struct Figures {
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub errors: usize,
}

/// `connections` keep-alive clients for `seconds`, client i on `urls[i % urls.len()]`
/// (at one connection, requests alternate between the URLs).
pub fn load(urls: &[String], cookie: Option<&str>, connections: usize, seconds: u64) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let per_thread = MAX_REQUESTS / connections;
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let urls = urls.to_vec();
            let cookie = cookie.map(String::from);
            std::thread::spawn(move || {
                let agents: Vec<ureq::Agent> = urls.iter().map(|_| crate::agent()).collect();
                let (mut lat, mut errors, mut i) = (Vec::new(), 0, c);
                while Instant::now() < deadline && lat.len() < per_thread {
                    let k = if connections == 1 { i % urls.len() } else { c % urls.len() };
                    i += 1;
                    let mut r = agents[k].get(&urls[k]);
                    if let Some(c) = &cookie {
                        r = r.header("cookie", c);
                    }
                    let t = Instant::now();
                    match r.call() {
                        Ok(mut resp) if resp.status() == 200 => {
                            let _ = resp.body_mut().read_to_vec();
                            lat.push(t.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in threads {
        let (l, e) = t.join().unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Figures { rps: all.len() as f64 / elapsed, p50: nearest_rank(&all, 0.50), p99: nearest_rank(&all, 0.99), errors }
}

/// A duration as milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
