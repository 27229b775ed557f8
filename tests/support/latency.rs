//! Latency figures of the sequential benchmarks: a Markdown row with p50, p99 and max.

use std::time::{Duration, Instant};

/// Median, 99th percentile and maximum of `d` (not empty).
pub fn percentiles(mut d: Vec<Duration>) -> (Duration, Duration, Duration) {
    d.sort();
    let at = |p: f64| d[((d.len() as f64 * p) as usize).min(d.len() - 1)];
    (at(0.5), at(0.99), *d.last().unwrap())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_hundred() {
        let d: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(percentiles(d), (Duration::from_millis(51), Duration::from_millis(100), Duration::from_millis(100)));
    }
}
