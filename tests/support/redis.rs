//! A throw-away Redis server for the tests: Debian's `redis-server` (installed by
//! `scripts/test`) on a free loopback port, no persistence, stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Redis {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Redis {
    /// Starts `redis-server` and waits until it accepts connections.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = crate::free_port();
        let mut child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/test installs Debian's redis-server)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut log = String::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                log.push_str(&line);
                log.push('\n');
                if line.contains("Ready to accept connections") {
                    let _ = tx.send(Ok(()));
                }
            }
            let _ = tx.send(Err(log));
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(())) => Self { child, port, _dir: dir },
            other => {
                let _ = child.kill();
                panic!("redis-server did not start: {other:?}");
            }
        }
    }

    /// `redis://127.0.0.1:<port>` (database `db`).
    pub fn url(&self, db: u8) -> String {
        format!("redis://127.0.0.1:{}/{db}", self.port)
    }

    /// One command (RESP), answered as text: a bulk string's content, an integer, a
    /// status, or `(nil)`.
    pub fn command(&self, db: u8, args: &[&str]) -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let encode = |args: &[&str]| {
            let mut out = format!("*{}\r\n", args.len());
            for a in args {
                out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
            }
            out
        };
        s.write_all(encode(&["SELECT", &db.to_string()]).as_bytes()).unwrap();
        s.write_all(encode(args).as_bytes()).unwrap();
        s.write_all(encode(&["QUIT"]).as_bytes()).unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        // skip SELECT's +OK, read the answer
        let mut lines = raw.split("\r\n").skip(1);
        let first = lines.next().unwrap_or_default();
        match first.chars().next() {
            Some('$') if first == "$-1" => "(nil)".into(),
            Some('$') => lines.next().unwrap_or_default().to_string(),
            Some(':') | Some('+') | Some('-') => first[1..].to_string(),
            _ => raw,
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
