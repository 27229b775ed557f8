//! Test support: start the app with the runner on a free loopback port, with its own
//! state directory, and talk to it over HTTP.

pub mod client;
pub mod cvfiles;
pub mod demo_idp;
pub mod latency;
pub mod redis;
pub mod routes;
pub mod staff;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The repository root.
pub fn root() -> PathBuf {
    // E2E_ROOT: a benchmark binary run in a copy of the repository elsewhere (scripts/device-bench)
    std::env::var_os("E2E_ROOT").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf())
}

/// The runner binary (built by the README test command before the tests run).
pub fn runner_bin() -> PathBuf {
    let bin = std::env::var_os("RUNNER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/release/runner"));
    assert!(bin.exists(), "{} is missing: run the README test command (scripts/test)", bin.display());
    bin
}

/// The development manifest: `spin.toml` plus the demo IdP (what `scripts/run` serves).
pub fn portal_manifest() -> PathBuf {
    root().join("spin.dev.toml")
}

/// A loopback port free right now (the portal must know its own URL: SAML locations).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `--variable` arguments with the development keys (made by `scripts/dev-keys`).
pub fn dev_key_args() -> Vec<String> {
    let dev = root().join(".dev");
    if !dev.join("sp.crt").exists() || !dev.join("demo-idp.crt").exists() || !dev.join("documents.crt").exists() || !dev.join("oidc-previous.key").exists() {
        let ok = Command::new(root().join("scripts/dev-keys")).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "scripts/dev-keys failed");
    }
    let mut args: Vec<String> = [("sp_private_key", "sp.key"), ("sp_certificate", "sp.crt"), ("test_idp_private_key", "demo-idp.key"), ("test_idp_certificate", "demo-idp.crt"), ("documents_signing_key", "documents.key"), ("documents_signing_cert", "documents.crt"), ("oidc_signing_key", "oidc.key"), ("oidc_previous_key", "oidc-previous.key")]
        .iter()
        .flat_map(|(var, file)| ["--variable".to_string(), format!("{var}=@{}", dev.join(file).display())])
        .collect();
    // the OIDC provider's key ids and the development partners (config/oidc/development.json)
    args.extend(["--variable".into(), "oidc_signing_kid=dev2".into(), "--variable".into(), "oidc_previous_kid=dev1".into()]);
    args.extend(["--variable".to_string(), format!("oidc_clients=@{}", root().join("config/oidc/development.json").display())]);
    args
}

/// The production manifest `spin.toml` with every migration and the demo data, the
/// development SP keys and a `base_url` on a free port: what production routes.
pub fn production(state_dir: &Path) -> Start<'_> {
    let mut s = Start::new(root().join("spin.toml"), state_dir);
    s.listen = Some(free_port());
    s.args.extend(migration_args());
    s.args.extend(dev_key_args().chunks(2).filter(|pair| ["sp_", "documents_", "oidc_signing_key="].iter().any(|p| pair[1].starts_with(p))).flatten().cloned());
    s.args.push("--variable".into());
    s.args.push(format!("base_url=http://127.0.0.1:{}", s.listen.unwrap_or(0)));
    s
}

pub fn fixture_manifest() -> PathBuf {
    root().join("tests/fixtures/spin.toml")
}

/// Every migration, reference and seed file, in that order (each folder in name
/// order), as `--sqlite @file` arguments.
pub fn migration_args() -> Vec<String> {
    ["db/migrations", "db/reference", "db/seed"]
        .iter()
        .flat_map(|d| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(d))
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                .collect();
            files.sort();
            files
        })
        .flat_map(|p| ["--sqlite".to_string(), format!("@{}", p.display())])
        .collect()
}

/// A running copy of the app.
pub struct App {
    child: Child,
    pub base: String,
    pub log: PathBuf,
}

pub struct Start<'a> {
    pub manifest: PathBuf,
    pub state_dir: &'a Path,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Port to listen on (0: any free one).
    pub listen: Option<u16>,
    /// CPUs the runner may use (`taskset -c` list, e.g. `0-1`); all when `None`.
    pub cpus: Option<String>,
}

impl<'a> Start<'a> {
    pub fn new(manifest: PathBuf, state_dir: &'a Path) -> Self {
        // the development manifest needs the development keys
        let args = if manifest == portal_manifest() { dev_key_args() } else { Vec::new() };
        Self { manifest, state_dir, args, env: Vec::new(), listen: None, cpus: None }
    }

    /// The portal (`spin.dev.toml`) with every migration and the demo data, on a free
    /// port that its `base_url` names (as `scripts/run`): tests read queued e-mails and
    /// SMS at the development mailbox, `/api/dev/mailbox`. `--variable dev_clock=true`
    /// turns on the test clock (`client::Client::at`).
    pub fn portal(state_dir: &'a Path) -> Self {
        let mut s = Self::new(portal_manifest(), state_dir);
        s.listen = Some(free_port());
        s.args.extend(migration_args());
        s.args.push("--variable".into());
        s.args.push(format!("base_url=http://127.0.0.1:{}", s.listen.unwrap_or(0)));
        s
    }

    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Runs the runner on these CPUs only (`taskset -c` list): its thread pools are sized
    /// from them, as on a machine with that many cores.
    pub fn pinned(mut self, cpus: &str) -> Self {
        self.cpus = Some(cpus.into());
        self
    }

    fn command(&self) -> Command {
        let mut c = match &self.cpus {
            None => Command::new(runner_bin()),
            Some(cpus) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpus).arg(runner_bin());
                c
            }
        };
        c.arg("up")
            .arg("--from")
            .arg(&self.manifest)
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.listen.unwrap_or(0)))
            .arg("--state-dir")
            .arg(self.state_dir)
            .args(&self.args)
            .envs(self.env.iter().cloned())
            .current_dir(root());
        c
    }

    /// Starts the runner and waits until it serves.
    pub fn start(self) -> App {
        let log = self.state_dir.join(format!("runner-{}.log", unique()));
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("runner starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Serving ") {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(base) => App { child, base, log },
            Err(_) => {
                let _ = child.kill();
                panic!("runner did not start; its log:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
            }
        }
    }

    /// Runs the runner expecting it to refuse to start; returns its exit code and stderr.
    pub fn refused(self) -> (Option<i32>, String) {
        let out = self.command().output().expect("runner runs");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the runner abruptly (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits up to `limit` for a clean exit; returns the exit status.
    pub fn terminate(mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that reports every status instead of failing on 4xx/5xx.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The body parsed as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The body as JSON, after checking the status is 200.
    pub fn json_checked(&self) -> serde_json::Value {
        assert_eq!(self.status, 200, "{}", self.body);
        self.json()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn read(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut resp = resp.expect("HTTP request succeeds");
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut bytes = Vec::new();
    resp.body_mut().as_reader().read_to_end(&mut bytes).unwrap();
    // compressed bodies are not text: keep them readable for assertions on length
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Reply { status, headers, body }
}

pub fn get(url: &str) -> Reply {
    read(agent().get(url).call())
}

pub fn get_with(url: &str, headers: &[(&str, &str)]) -> Reply {
    let mut r = agent().get(url);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    read(r.call())
}

pub fn head(url: &str) -> Reply {
    read(agent().head(url).call())
}

pub fn send(method: &str, url: &str, body: &str) -> Reply {
    let a = agent();
    let r = match method {
        "POST" => a.post(url).send(body),
        "PUT" => a.put(url).send(body),
        "DELETE" => a.delete(url).call(),
        other => panic!("unsupported method {other}"),
    };
    read(r)
}

/// A client that reports every status and follows no redirect.
fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).timeout_global(Some(Duration::from_secs(30))).build().into()
}

/// One request, redirects not followed (login flows read `Location` and `Set-Cookie`).
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], form: Option<&[(&str, &str)]>) -> Reply {
    let a = no_redirects();
    match method {
        "GET" => {
            let mut r = a.get(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            read(r.call())
        }
        "POST" => {
            let mut r = a.post(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            read(r.send_form(form.unwrap_or(&[]).iter().copied()))
        }
        other => panic!("unsupported method {other}"),
    }
}
