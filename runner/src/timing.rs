//! Where one request's time went, up to its response head: waiting for a place
//! (admission), instantiating the component, the guest's own code, and each kind of
//! host call (SQLite open, prepare, run and close; key-value; waiting for a blocking
//! thread); and how large its linear memory grew. `runner up --server-timing` sends it
//! as a `Server-Timing` header, so a benchmark can break a request down without a
//! profiler.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The counters of one request, shared by the dispatcher and the host calls.
#[derive(Clone, Default)]
pub struct Timing(Arc<Mutex<Spent>>);

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spent {
    pub queue: Duration,
    pub instantiate: Duration,
    /// When the instance was ready: the guest's time runs from here.
    pub instantiated_at: Option<Instant>,
    /// Host calls that ran SQLite or a key-value operation on a blocking thread: time
    /// from the call to the thread starting it.
    pub blocking_wait: Duration,
    /// Opening a connection (the file; the schema is read on its first statement).
    pub db_open: Duration,
    pub db_opens: u32,
    /// Preparing statements: on a connection's first statement this parses the schema.
    pub db_prepare: Duration,
    /// Running statements and reading their rows.
    pub db_run: Duration,
    pub db_statements: u32,
    /// Closing connections (may checkpoint and remove the WAL file).
    pub db_close: Duration,
    pub kv: Duration,
    pub kv_calls: u32,
    /// All host calls above, whole (what the guest waited for).
    pub host: Duration,
    /// The largest size the instance's linear memory reached, in bytes (what the pool
    /// must reset afterwards).
    pub peak_memory: usize,
}

impl Timing {
    pub fn add(&self, f: impl FnOnce(&mut Spent)) {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub fn spent(&self) -> Spent {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs `f` and returns its result with the time it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Spent {
    /// The `Server-Timing` value (durations in milliseconds): `guest` is the time since
    /// instantiation not spent in host calls; `total` runs from the request's arrival.
    pub fn header(&self, since_instantiated: Duration, total: Duration) -> String {
        let guest = since_instantiated.saturating_sub(self.host);
        let mut h = String::new();
        let mut metric = |name: &str, d: Duration, desc: Option<String>| {
            if !h.is_empty() {
                h.push_str(", ");
            }
            let _ = write!(h, "{name};dur={:.3}", ms(d));
            if let Some(desc) = desc {
                let _ = write!(h, ";desc=\"{desc}\"");
            }
        };
        metric("queue", self.queue, None);
        metric("instantiate", self.instantiate, None);
        metric("guest", guest, None);
        metric("blocking-wait", self.blocking_wait, None);
        metric("db-open", self.db_open, Some(format!("{} connections", self.db_opens)));
        metric("db-prepare", self.db_prepare, Some(format!("{} statements", self.db_statements)));
        metric("db-run", self.db_run, None);
        metric("db-close", self.db_close, None);
        metric("kv", self.kv, Some(format!("{} calls", self.kv_calls)));
        metric("total", total, None);
        let _ = write!(h, ", memory;desc=\"{} KiB\"", self.peak_memory / 1024);
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lists_every_part_and_the_guest_is_what_host_calls_leave() {
        let t = Timing::default();
        t.add(|s| {
            s.queue = Duration::from_micros(10);
            s.instantiate = Duration::from_micros(200);
            s.db_open = Duration::from_micros(30);
            s.db_opens = 1;
            s.db_prepare = Duration::from_micros(1100);
            s.db_statements = 4;
            s.db_run = Duration::from_micros(100);
            s.host = Duration::from_micros(1500);
            s.peak_memory = 1_310_720;
        });
        let h = t.spent().header(Duration::from_micros(2000), Duration::from_micros(2300));
        assert_eq!(
            h,
            "queue;dur=0.010, instantiate;dur=0.200, guest;dur=0.500, blocking-wait;dur=0.000, \
             db-open;dur=0.030;desc=\"1 connections\", db-prepare;dur=1.100;desc=\"4 statements\", db-run;dur=0.100, \
             db-close;dur=0.000, kv;dur=0.000;desc=\"0 calls\", total;dur=2.300, memory;desc=\"1280 KiB\""
        );
    }
}
