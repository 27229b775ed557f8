//! The hardening rules end to end, against a running portal: oversized bodies refused at
//! once on every route that takes one, with the runner's memory bounded; bursts of
//! parallel requests that cannot pass a limit; sessions that a refresh cannot bring back
//! and a concurrent act-as cannot lose; the cleanup job; throttled login starts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use e2e::client::{Client, DEV_NOW, json_request, mailbox, unix_now};
use e2e::demo_idp::SPID_IDP;
use e2e::routes::{Body, with_body};
use e2e::{App, Start, request};
use serde_json::{Value, json};

const SECRET: &str = "hardening-jobs-secret-0123456789abcdef";

fn portal(state: &std::path::Path, vars: &[(&str, &str)]) -> App {
    let mut s = Start::portal(state);
    for (k, v) in vars {
        s = s.arg("--variable").arg(format!("{k}={v}"));
    }
    s.start()
}

/// The runner's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Sends `total` bytes of body to `method path`, declared with `Content-Length` (or
/// chunked when `declared` is false), and returns the status of the answer and how long
/// it took to come. The body is written by another thread while the answer is awaited,
/// so an early answer is seen as soon as it comes.
fn oversized(app: &App, method: &str, path: &str, content_type: &str, declared: bool, total: u64) -> (u16, String, Duration) {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    let framing = if declared { format!("Content-Length: {total}") } else { "Transfer-Encoding: chunked".to_string() };
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\n{framing}\r\nConnection: close\r\n\r\n").unwrap();
    let mut writer = stream.try_clone().unwrap();
    let started = Instant::now();
    let feeding = std::thread::spawn(move || {
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0u64;
        while sent < total {
            let n = chunk.len().min((total - sent) as usize);
            let ok = if declared {
                writer.write_all(&chunk[..n]).is_ok()
            } else {
                writer.write_all(format!("{n:x}\r\n").as_bytes()).is_ok() && writer.write_all(&chunk[..n]).is_ok() && writer.write_all(b"\r\n").is_ok()
            };
            if !ok {
                break;
            }
            sent += n as u64;
        }
        if !declared {
            let _ = writer.write_all(b"0\r\n\r\n");
        }
    });
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let took = started.elapsed();
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = feeding.join();
    let head = String::from_utf8_lossy(&head).to_string();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let ctype = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-type:")).map(|l| l[13..].trim().to_string()).unwrap_or_default();
    (status, ctype, took)
}

#[test]
fn oversized_bodies_are_refused_at_once_on_every_route_with_memory_bounded() {
    let state = tempfile::tempdir().unwrap();
    let app = portal(state.path(), &[]);
    // warm every component up, so that compiling and first instantiations are not counted
    for e in with_body() {
        let _ = oversized(&app, e.method, &e.sample_path(), "application/json", true, 10);
    }
    let before = rss_kib(app.pid());
    let mut slowest = Duration::ZERO;
    for e in with_body() {
        let ctype = match e.body {
            Body::Form => "application/x-www-form-urlencoded",
            Body::File => "application/pdf",
            _ => "application/json",
        };
        for (declared, total) in [(true, 50_000_000u64), (true, 200_000_000), (false, 50_000_000)] {
            let (status, answer_type, took) = oversized(&app, e.method, &e.sample_path(), ctype, declared, total);
            assert_eq!(status, 413, "{} {} with {total} bytes ({}): {status}", e.method, e.path, if declared { "declared" } else { "chunked" });
            assert!(answer_type.starts_with("application/json"), "{} {}: {answer_type}", e.method, e.path);
            slowest = slowest.max(took);
        }
    }
    let grown = rss_kib(app.pid()).saturating_sub(before);
    eprintln!("oversized bodies: slowest answer {slowest:?}, runner RSS grew {} KiB", grown);
    // each refused body was 50 or 200 MB: had any been buffered whole, this would be far more
    assert!(grown < 64 * 1024, "the runner's memory grew by {grown} KiB");
    assert!(slowest < Duration::from_secs(10), "{slowest:?}");
    // and the portal still serves
    assert_eq!(e2e::get(&app.url("/api/news")).status, 200);
}

/// `n` requests made at once (threads released together); their replies.
fn burst<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let gate = std::sync::Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (gate, f) = (&gate, &f);
                s.spawn(move || {
                    gate.wait();
                    f(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn code(r: &e2e::Reply) -> String {
    r.json()["error"]["code"].as_str().unwrap_or("").to_string()
}

#[test]
fn bursts_of_parallel_requests_queue_exactly_what_the_limits_allow() {
    let state = tempfile::tempdir().unwrap();
    let app = portal(state.path(), &[("dev_clock", "true"), ("otp_resend_seconds", "60"), ("otp_max_per_hour", "5"), ("company_lookup_per_hour", "5")]);
    let (giulia, _) = Client::login(&app, 1);
    let t0 = unix_now();
    let number = json!({"mobile": "+393471112233"});
    // 50 at once: one code is sent, 49 are told to wait
    let first = burst(50, |_| giulia.at(t0).post("/api/registration/otp", &number));
    assert_eq!(first.iter().filter(|r| r.status == 200).count(), 1);
    assert!(first.iter().filter(|r| r.status != 200).all(|r| r.status == 429 && code(r) == "otp_too_soon"));
    // a minute later each time: one more per burst until the hourly allowance (5) is used
    let mut sent = 1;
    for minute in 1..=6 {
        let replies = burst(20, |_| giulia.at(t0 + minute * 61).post("/api/registration/otp", &number));
        let ok = replies.iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, usize::from(minute <= 4), "minute {minute}");
        if minute > 4 {
            assert!(replies.iter().all(|r| code(r) == "otp_limit"), "minute {minute}");
        }
        sent += ok;
    }
    assert_eq!(sent, 5);
    assert_eq!(mailbox(&app, "+393471112233").len(), 5, "exactly the messages the limits allow were queued");

    // 40 company look-ups at once with 5 allowed an hour: 5 answers, 35 refusals
    let (mario, _) = Client::login(&app, 0);
    let lookups = burst(40, |_| mario.get("/api/companies/lookup?code=01234560488"));
    assert_eq!(lookups.iter().filter(|r| r.status == 200).count(), 5);
    assert_eq!(lookups.iter().filter(|r| r.status == 429 && code(r) == "lookup_limit").count(), 35);
    assert!(lookups.iter().any(|r| r.header("retry-after").is_some()));
}

#[test]
fn interleaved_refresh_logout_and_act_as_leave_no_ended_session_and_lose_no_switch() {
    let state = tempfile::tempdir().unwrap();
    let app = portal(state.path(), &[("dev_clock", "true"), ("login_starts_per_client", "1000")]);
    let t0 = unix_now();
    let sessions: Vec<Client> = (0..12).map(|_| Client::login(&app, 0).0).collect();
    let acme = json!({"company_id": 1});
    let citizen = json!({"citizen": true});
    // per session, at once: 10 refreshes (each a minute later: each one writes), 5 act-as
    // switches ending on ACME, and for half of them a logout among them
    let requests = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for (i, c) in sessions.iter().enumerate() {
            let requests = &requests;
            s.spawn(move || {
                for k in 1..=10 {
                    let r = c.at(t0 + k * 61).get("/api/session");
                    assert_eq!(r.status, 200);
                    requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
            let (acme, citizen) = (&acme, &citizen);
            s.spawn(move || {
                for k in 0..5 {
                    let r = c.post("/api/session/act-as", if k % 2 == 0 { acme } else { citizen });
                    assert!(r.status == 200 || r.status == 401, "{}", r.body);
                    requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
            if i % 2 == 1 {
                s.spawn(move || {
                    let r = request("POST", &format!("{}/auth/logout", c.base), &[("cookie", &c.cookie)], Some(&[("csrf_token", &c.csrf)]));
                    assert!(r.status == 200 || r.status == 303, "{}", r.body);
                    requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                });
            }
        }
    });
    assert!(requests.into_inner() >= 180);
    for (i, c) in sessions.iter().enumerate() {
        let me = c.at(t0 + 700).session();
        if i % 2 == 1 {
            assert_eq!(me["authenticated"], false, "session {i} was logged out: no refresh may bring it back");
            assert_eq!(c.get("/api/profile").status, 401);
            assert_eq!(c.post("/api/session/act-as", &acme).status, 401);
        } else {
            assert_eq!(me["authenticated"], true, "session {i}");
            assert_eq!(me["acting_as"]["name"], "ACME S.R.L.", "session {i}: the last switch (to ACME) was kept: {me}");
        }
    }
}

#[test]
fn cleanup_removes_expired_records_and_nothing_live() {
    let state = tempfile::tempdir().unwrap();
    let app = portal(state.path(), &[("dev_clock", "true"), ("jobs_secret", SECRET)]);
    let t0 = unix_now();
    let (live, _) = Client::login(&app, 0);
    let (idle, _) = Client::login(&app, 0);
    // a login started and abandoned now, and one started 30 minutes later
    let start = |now: i64| request("GET", &app.url(&format!("/auth/spid/login?idp={SPID_IDP}")), &[(DEV_NOW, &now.to_string())], None);
    assert_eq!(start(t0).status, 302);
    let live = live.at(t0 + 20 * 60);
    assert_eq!(live.session()["authenticated"], true, "used 20 minutes later");
    assert_eq!(start(t0 + 30 * 60).status, 302);
    let job = |now: i64, auth: &str| json_request("POST", &app.url("/jobs/cleanup"), &[("authorization", auth), (DEV_NOW, &now.to_string())], Some(&json!({})));
    assert_eq!(job(t0 + 31 * 60, "Bearer wrong").status, 403);
    let run = job(t0 + 31 * 60, &format!("Bearer {SECRET}"));
    assert_eq!(run.status, 200, "{}", run.body);
    let removed: Value = run.json()["removed"].clone();
    assert_eq!(removed["sessions"], 1, "the idle one: {removed}");
    assert_eq!(removed["pending_saml_requests"], 1, "the login start abandoned 31 minutes ago, not the recent one: {removed}");
    assert_eq!(live.at(t0 + 31 * 60).session()["authenticated"], true, "the live session is untouched");
    assert_eq!(idle.at(t0 + 31 * 60).session()["authenticated"], false);
    // again at once: nothing more is expired; 16 minutes later the second login start is
    let again = job(t0 + 31 * 60, &format!("Bearer {SECRET}")).json_checked();
    assert_eq!(again["summary"], "Rimossi 0 record scaduti.", "idempotent: {again}");
    let later = job(t0 + 46 * 60, &format!("Bearer {SECRET}")).json_checked();
    assert_eq!(later["removed"]["pending_saml_requests"], 1, "{later}");
}

#[test]
fn anonymous_login_starts_are_throttled_per_address_and_in_all() {
    let state = tempfile::tempdir().unwrap();
    let app = portal(state.path(), &[("login_starts_per_client", "30")]);
    let url = app.url(&format!("/auth/spid/login?idp={SPID_IDP}"));
    let started = Instant::now();
    let replies: Vec<(u16, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| (0..125).map(|_| { let r = request("GET", &url, &[], None); (r.status, r.header("retry-after").map(str::to_owned)) }).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(replies.len(), 1000);
    assert_eq!(replies.iter().filter(|(s, _)| *s == 302).count(), 30, "per client address");
    assert!(replies.iter().filter(|(s, _)| *s != 302).all(|(s, retry)| *s == 429 && retry.is_some()));
    eprintln!("1000 login starts from one address in {:?}", started.elapsed());
    let refused = request("GET", &url, &[], None);
    assert!(refused.body.contains("troppi accessi"), "{}", refused.body);
    drop(app);

    let fresh = tempfile::tempdir().unwrap();
    let app = portal(fresh.path(), &[("login_starts_per_client", "100000"), ("login_starts_per_minute", "50")]);
    let url = app.url(&format!("/auth/spid/login?idp={SPID_IDP}"));
    let replies = burst(8, |_| (0..25).map(|_| request("GET", &url, &[], None).status).collect::<Vec<_>>());
    let all: Vec<u16> = replies.into_iter().flatten().collect();
    assert_eq!(all.iter().filter(|s| **s == 302).count(), 50, "in all");
}
