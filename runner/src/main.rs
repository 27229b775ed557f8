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
    /// Spin runtime configuration file (key_value_store / sqlite_database of type "spin").
    #[arg(long)]
    runtime_config_file: Option<PathBuf>,
    /// Where compiled components are cached (default: $RUNNER_CACHE_DIR or ~/.cache/toscana-runner).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
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

/// Runs the build commands, in order of component ids, stopping at the first failure.
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
/// directly; glob patterns are copied into the state directory and mounted at `/`.
fn mounts(app: &App, c: &manifest::Component, state_dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut patterns = Vec::new();
    for f in &c.files {
        match f {
            FileMount::Dir { source, destination } => {
                let host = app.dir.join(source);
                if !host.is_dir() {
                    bail!("component `{}`: files source `{}` is not a directory", c.id, host.display());
                }
                out.push((host, destination.clone()));
            }
            FileMount::Pattern(p) => patterns.push(p.clone()),
        }
    }
    if !patterns.is_empty() {
        if out.iter().any(|(_, g)| g == "/") {
            bail!("component `{}`: file patterns and a directory mounted at `/` cannot be combined", c.id);
        }
        let staged = state_dir.join("files").join(&c.id);
        let _ = std::fs::remove_dir_all(&staged);
        let excluded: Vec<glob::Pattern> =
            c.exclude_files.iter().map(|p| glob::Pattern::new(p)).collect::<Result<_, _>>()?;
        for p in patterns {
            let full = app.dir.join(&p);
            for entry in glob::glob(&full.to_string_lossy()).with_context(|| format!("bad files pattern `{p}`"))? {
                let path = entry?;
                let rel = path.strip_prefix(&app.dir).unwrap_or(&path).to_path_buf();
                if !path.is_file() || excluded.iter().any(|x| x.matches_path(&rel)) {
                    continue;
                }
                let dest = staged.join(&rel);
                std::fs::create_dir_all(dest.parent().unwrap_or(&staged))?;
                std::fs::copy(&path, &dest)?;
            }
        }
        std::fs::create_dir_all(&staged)?;
        out.push((staged, "/".to_string()));
    }
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
    store::run_sqlite_args(&stores.sqlite["default"], &args.sqlite)?;

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
        let app = Arc::new(server::App { host, router, components });
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

