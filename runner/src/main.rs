//! `runner`: a local host for this project's Spin application.
//!
//! It runs `spin.toml` the way `spin up` does (HTTP trigger, key-value, SQLite,
//! variables, outbound HTTP, files), on wasmtime, for development and tests on
//! machines where the Spin CLI cannot be installed. Production runs on real Spin.

mod host;
mod manifest;
mod outbound;
mod routes;
mod server;
mod store;
mod timing;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::manifest::{App, FileMount};

#[derive(Parser)]
#[command(name = "runner", version, about = "Run this Spin application locally (a stand-in for `spin build` / `spin up`)")]
// A flag given twice takes its last value, so arguments appended to a wrapper script
// (e.g. `scripts/run --listen 127.0.0.1:3001`) override the script's own.
#[command(args_override_self = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every component's `[component.<id>.build] command`.
    #[command(args_override_self = true)]
    Build {
        /// Serve the application after a successful build (like `spin build --up`).
        #[arg(long)]
        up: bool,
        #[command(flatten)]
        up_args: UpArgs,
    },
    /// Serve the application (like `spin up`).
    #[command(args_override_self = true)]
    Up {
        /// Build before serving (like `spin up --build`).
        #[arg(long)]
        build: bool,
        #[command(flatten)]
        up_args: UpArgs,
    },
}

#[derive(Args, Clone)]
struct UpArgs {
    /// The application manifest.
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: String,
    /// SQL run against the default database at start: `@file.sql` or a statement. Repeatable.
    #[arg(long = "sqlite")]
    sqlite: Vec<String>,
    /// Where key-value and SQLite data live (default: `.spin` next to the manifest).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Application variable `name=value` or `name=@file` (beats SPIN_VARIABLE_<NAME>). Repeatable.
    #[arg(long = "variable")]
    variables: Vec<String>,
    /// Environment variable `KEY=VALUE` for every component. Repeatable.
    #[arg(short = 'e', long = "env")]
    env: Vec<String>,
    /// Spin runtime configuration file: [key_value_store.<label>] of type "spin" or
    /// "redis", [sqlite_database.<label>] of type "spin".
    #[arg(long)]
    runtime_config_file: Option<PathBuf>,
    /// Largest request body a component is given, in bytes; a larger one is answered 413
    /// (a declared Content-Length before anything is read, a chunked body as soon as it
    /// grows past it). Spin has no such limit: put one at the edge in production.
    #[arg(long, default_value_t = 6 * 1024 * 1024, value_name = "BYTES")]
    max_request_body: u64,
    /// Time a component has to answer (e.g. `30s`, `500ms`; a plain number is seconds);
    /// then 500, and its instance is stopped.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    request_timeout: std::time::Duration,
    /// Scheme of `spin-full-url` (the runner listens on plain HTTP; `https` when a TLS
    /// terminator in front of it is what clients reach, as `spin up --tls-cert` would report).
    #[arg(long, default_value = "http", value_parser = ["http", "https"])]
    url_scheme: String,
    /// Component instances running at once (default: 8 per core this process may use).
    /// More requests wait in a queue; see `--max-queued-requests`.
    #[arg(long, value_name = "N")]
    max_concurrent_requests: Option<usize>,
    /// Requests that may wait for an instance (default: 256 per core this process may
    /// use); beyond it a request is answered 503 with `Retry-After: 1` at once. Spin has
    /// no such limit: in production the platform's autoscaling and ingress play this part.
    #[arg(long, value_name = "N")]
    max_queued_requests: Option<usize>,
    /// Longest a request waits in that queue (e.g. `2s`, `500ms`; default: the request
    /// timeout); then it is answered 503 with `Retry-After: 1`, not served late.
    #[arg(long, value_parser = parse_duration)]
    max_queue_wait: Option<std::time::Duration>,
    /// Where compiled components are cached (default: $RUNNER_CACHE_DIR or ~/.cache/toscana-runner).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Adds a `Server-Timing` header to every component's response: where its time went
    /// (queue, instantiate, guest, SQLite open/prepare/run/close, key-value, waiting for
    /// a blocking thread), for benchmarks. Off by default: it tells clients about the host.
    #[arg(long)]
    server_timing: bool,
}

/// `30s`, `500ms`, `2m`, or a number of seconds (Spin's `--request-timeout` syntax).
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    if let Ok(secs) = s.trim().parse::<f64>() {
        return std::time::Duration::try_from_secs_f64(secs).map_err(|e| e.to_string());
    }
    humantime::parse_duration(s.trim()).map_err(|e| e.to_string())
}

fn main() {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Build { up, up_args } => build(&up_args).and_then(|_| if up { serve(up_args) } else { Ok(()) }),
        Command::Up { build: b, up_args } => {
            if b { build(&up_args) } else { Ok(()) }.and_then(|_| serve(up_args))
        }
    };
    if let Err(e) = outcome {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}

fn load_manifest(path: &Path, rc: &store::RuntimeConfig) -> Result<App> {
    App::load(path, &rc.kv_labels(), &rc.sqlite_labels())
}

/// Runs the build commands in manifest order, stopping at the first failure. (Spin
/// sorts components by their local dependencies only; between independent components
/// its order is unspecified, so no build may rely on another's output.)
/// The manifest is validated against the same runtime config `up` would use.
fn build(args: &UpArgs) -> Result<()> {
    let (rc, _) = store::RuntimeConfig::load(args.runtime_config_file.as_deref())?;
    let app = load_manifest(&args.manifest, &rc)?;
    for (id, c) in &app.components {
        let Some(b) = &c.build else { continue };
        let workdir = app.dir.join(b.workdir.as_deref().unwrap_or("."));
        for cmd in b.command.list() {
            println!("Building component {id} with `{cmd}`");
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .current_dir(&workdir)
                .envs(&b.environment)
                .status()
                .with_context(|| format!("cannot run the build command of `{id}`"))?;
            if !status.success() {
                bail!("build command of component `{id}` failed ({status}): {cmd}");
            }
        }
    }
    println!("Finished building all Spin components");
    Ok(())
}

fn pairs(items: &[String], flag: &str) -> Result<Vec<(String, String)>> {
    items
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .with_context(|| format!("{flag} expects NAME=VALUE, got `{s}`"))
        })
        .collect()
}

/// `--variable NAME=VALUE` or, as in Spin, `NAME=@FILE` (the value is the file's content).
fn variable_pairs(items: &[String]) -> Result<Vec<(String, String)>> {
    pairs(items, "--variable")?
        .into_iter()
        .map(|(name, value)| match value.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("--variable {name}=@{path}: cannot read the file"))
                .map(|v| (name, v)),
            None => Ok((name, value)),
        })
        .collect()
}

/// Application variables: `--variable` beats `SPIN_VARIABLE_<NAME>`, which beats the default.
fn resolve_variables(app: &App, cli: &[(String, String)]) -> Result<HashMap<String, String>> {
    for (name, _) in cli {
        if !app.variables.contains_key(name) {
            bail!("--variable {name}: the manifest has no application variable `{name}`");
        }
    }
    let mut values = HashMap::new();
    for (name, var) in &app.variables {
        let from_cli = cli.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let from_env = std::env::var(format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())).ok();
        match from_cli.or(from_env).or_else(|| var.default.clone()) {
            Some(v) => {
                values.insert(name.clone(), v);
            }
            None if var.required => bail!(
                "variable `{name}` is required: set SPIN_VARIABLE_{} or pass --variable {name}=…",
                name.to_ascii_uppercase()
            ),
            None => {}
        }
    }
    Ok(values)
}

/// Maps a component's `files` to read-only mounts. Directory mappings are mounted
/// directly when nothing is excluded; everything else (single files, glob patterns,
/// directories with `exclude_files`) is copied into the state directory, as `spin up`
/// copies every mapping, and that copy is mounted at `/`.
fn mounts(app: &App, c: &manifest::Component, state_dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    enum Staged {
        Pattern(String),
        Placement(PathBuf, String),
    }
    let mut out = Vec::new();
    let mut staged = Vec::new();
    for f in &c.files {
        match f {
            FileMount::Dir { source, destination } => {
                let host = app.dir.join(source);
                if !host.exists() {
                    bail!("component `{}`: files source `{}` does not exist", c.id, host.display());
                }
                if host.is_dir() && c.exclude_files.is_empty() {
                    out.push((host, destination.clone()));
                } else {
                    staged.push(Staged::Placement(host, destination.clone()));
                }
            }
            FileMount::Pattern(p) => staged.push(Staged::Pattern(p.clone())),
        }
    }
    if staged.is_empty() {
        return Ok(out);
    }
    // the copy is mounted at `/`: a directory mounted there is copied into it
    if let Some(i) = out.iter().position(|(_, g)| g == "/") {
        let (host, guest) = out.remove(i);
        staged.push(Staged::Placement(host, guest));
    }
    let root = state_dir.join("files").join(&c.id);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;
    let excluded: Vec<glob::Pattern> =
        c.exclude_files.iter().map(|p| glob::Pattern::new(p)).collect::<Result<_, _>>()?;
    let app_dir = app.dir.canonicalize().unwrap_or_else(|_| app.dir.clone());
    let is_excluded = |path: &Path| {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let rel = canonical.strip_prefix(&app_dir).unwrap_or(&canonical).to_path_buf();
        excluded.iter().any(|x| x.matches_path(&rel))
    };
    let copy = |from: &Path, to: &Path| -> Result<()> {
        std::fs::create_dir_all(to.parent().unwrap_or(&root))?;
        std::fs::copy(from, to).with_context(|| format!("component `{}`: cannot copy {}", c.id, from.display()))?;
        Ok(())
    };
    for item in staged {
        match item {
            Staged::Pattern(p) => {
                let full = app.dir.join(&p);
                if full.is_file() {
                    copy(&full, &root.join(&p))?;
                    continue;
                }
                let pattern = if full.is_dir() { full.join("**/*") } else { full };
                for entry in glob::glob(&pattern.to_string_lossy()).with_context(|| format!("bad files pattern `{p}`"))? {
                    let path = entry?;
                    if !path.is_file() || is_excluded(&path) {
                        continue;
                    }
                    let rel = path.strip_prefix(&app.dir).unwrap_or(&path).to_path_buf();
                    copy(&path, &root.join(rel))?;
                }
            }
            Staged::Placement(host, guest) => {
                let dest = root.join(guest.trim_start_matches('/'));
                if host.is_file() {
                    if guest.ends_with('/') {
                        bail!("component `{}`: `{guest}` is not a valid destination file name", c.id);
                    }
                    copy(&host, &dest)?;
                    continue;
                }
                for entry in glob::glob(&host.join("**/*").to_string_lossy())? {
                    let path = entry?;
                    if !path.is_file() || is_excluded(&path) {
                        continue;
                    }
                    let rel = path.strip_prefix(&host).unwrap_or(&path).to_path_buf();
                    copy(&path, &dest.join(rel))?;
                }
            }
        }
    }
    out.push((root, "/".to_string()));
    Ok(out)
}

fn default_cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RUNNER_CACHE_DIR") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("toscana-runner")
}

fn serve(args: UpArgs) -> Result<()> {
    let started = Instant::now();
    let (rc, rc_dir) = store::RuntimeConfig::load(args.runtime_config_file.as_deref())?;
    let app = load_manifest(&args.manifest, &rc)?;
    let state_dir = args.state_dir.clone().unwrap_or_else(|| app.dir.join(".spin"));
    std::fs::create_dir_all(&state_dir).with_context(|| format!("cannot create state dir {}", state_dir.display()))?;
    let stores = rc.open(&rc_dir, &state_dir)?;
    store::run_sqlite_args(&stores, &args.sqlite)?;
    for (label, kv) in &stores.kv {
        eprintln!("key-value store `{label}`: {}", kv.describe());
    }
    for (label, db) in &stores.sqlite {
        eprintln!("SQLite database `{label}`: {}", db.describe());
    }

    let app_vars = resolve_variables(&app, &variable_pairs(&args.variables)?)?;
    let extra_env = pairs(&args.env, "--env")?;
    let host = host::Host::new(args.cache_dir.clone().unwrap_or_else(default_cache_dir))?;
    let router = routes::Router::build(app.routes.iter().map(|(c, r)| (c.as_str(), r.as_str())))?;

    let mut components = HashMap::new();
    for (id, c) in &app.components {
        // As in Spin, templated hosts are resolved against the application variables,
        // and a list that does not resolve refuses all of the component's requests.
        let allowed_hosts = c.resolve_allowed_hosts(&app_vars).unwrap_or_else(|e| {
            eprintln!("error: component `{id}`: allowed_outbound_hosts: {e:#}; its outbound requests will be refused");
            Vec::new()
        });
        if allowed_hosts.iter().any(|h| h.is_self()) {
            eprintln!("warning: component `{id}`: `self` outbound requests are not supported by this runner");
        }
        let t = Instant::now();
        let (component, cached) = host.load(&c.source).with_context(|| format!("component `{id}`"))?;
        eprintln!(
            "{} component `{id}` in {:.0} ms",
            if cached { "loaded cached" } else { "compiled" },
            t.elapsed().as_secs_f64() * 1000.0
        );
        let variables =
            c.variables.iter().filter_map(|(name, template)| Some((name.clone(), template.render(&app_vars)?))).collect();
        let mut env: Vec<(String, String)> = c.environment.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        env.extend(extra_env.iter().cloned());
        let grants = host::Grants {
            key_value_stores: c.key_value_stores.clone(),
            sqlite_databases: c.sqlite_databases.clone(),
            variables,
            env,
            mounts: mounts(&app, c, &state_dir)?,
            allowed_hosts,
        };
        let runtime = host.prepare(id, &component, grants, &stores)?;
        components.insert(id.clone(), Arc::new(runtime));
    }

    let app_name = app.name.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        let routes = router.describe();
        let limits = server::Limits {
            max_request_body: args.max_request_body,
            request_timeout: args.request_timeout,
            server_timing: args.server_timing,
            scheme: if args.url_scheme == "https" {
                wasmtime_wasi_http::p2::bindings::http::types::Scheme::Https
            } else {
                wasmtime_wasi_http::p2::bindings::http::types::Scheme::Http
            },
        };
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let running = args.max_concurrent_requests.unwrap_or(8 * cores);
        let queued = args.max_queued_requests.unwrap_or(256 * cores);
        let admission = server::Admission::new(running, queued, args.max_queue_wait.unwrap_or(args.request_timeout));
        let app = Arc::new(server::App { host, router, components, limits, admission });
        println!("Serving http://{addr}");
        println!("Available Routes:");
        for (route, component) in routes {
            println!("  {component}: http://{addr}{route}");
        }
        eprintln!(
            "application `{}` ready in {:.0} ms (state: {})",
            app_name,
            started.elapsed().as_secs_f64() * 1000.0,
            state_dir.display()
        );
        server::serve(app, listener).await
    })
}

