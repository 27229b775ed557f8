//! The wasmtime side: engine, compile cache, linker, and the Spin host interfaces
//! (key-value, SQLite, variables) with per-component permissions, plus the
//! `allowed_outbound_hosts` check on outgoing HTTP.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use redis::AsyncCommands;
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::outbound::{AllowedHost, is_allowed};
use crate::store::{self, Database, KvStore, Stores};
use crate::timing::{Spent, Timing, timed};

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "runner-host",
        imports: { default: async | trappable },
        with: {
            "fermyon:spin/key-value.store": super::KvHandle,
            "fermyon:spin/sqlite.connection": super::SqlConn,
        },
    });
}

use bindings::fermyon::spin::{key_value, sqlite, variables};

/// Guest handle of an opened key-value store.
pub struct KvHandle {
    label: String,
    store: Arc<KvStore>,
}

/// Guest handle of an opened SQLite connection: as in Spin 3+, a connection of its
/// own, opened on the first statement and closed when the guest drops the handle
/// (SQLite then rolls back a transaction the guest left open).
pub struct SqlConn {
    db: Arc<Database>,
    state: ConnState,
}

enum ConnState {
    NotOpened,
    Open(rusqlite::Connection),
    /// A statement is running (or was cancelled while running).
    Busy,
}

/// Everything a component may use, fixed at start.
pub struct ComponentRuntime {
    pub id: String,
    pub pre: ProxyPre<HostState>,
    kv: HashMap<String, Arc<KvStore>>,
    sqlite: HashMap<String, Arc<Database>>,
    variables: HashMap<String, String>,
    env: Vec<(String, String)>,
    mounts: Vec<(PathBuf, String)>,
    allowed_hosts: Arc<Vec<AllowedHost>>,
}

/// What a component is granted, resolved from the manifest.
pub struct Grants {
    pub key_value_stores: Vec<String>,
    pub sqlite_databases: Vec<String>,
    pub variables: HashMap<String, String>,
    pub env: Vec<(String, String)>,
    pub mounts: Vec<(PathBuf, String)>,
    pub allowed_hosts: Vec<AllowedHost>,
}

/// Per-request store data.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: OutboundHooks,
    component: Arc<ComponentRuntime>,
    /// Where this request's time goes (host calls add to it).
    timing: Timing,
}

/// Records how far the instance's linear memory grows (for `--server-timing`); the
/// limits themselves stay the pool's and the module's.
impl wasmtime::ResourceLimiter for HostState {
    fn memory_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.timing.add(|s| s.peak_memory = s.peak_memory.max(desired));
        Ok(maximum.is_none_or(|m| desired <= m))
    }

    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|m| desired <= m))
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// Refuses outgoing requests to hosts the component is not allowed to reach.
struct OutboundHooks {
    component: Arc<ComponentRuntime>,
}

type SendResult = wasmtime_wasi_http::Result<(
    http::Response<wasmtime_wasi_http::WasiBody>,
    Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
)>;

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        _ = fut;
        if !is_allowed(&self.component.allowed_hosts, request.uri()) {
            eprintln!(
                "outbound: component `{}` is not allowed to reach {}://{} (allowed_outbound_hosts)",
                self.component.id,
                request.uri().scheme_str().unwrap_or("?"),
                request.uri().authority().map(|a| a.as_str()).unwrap_or("?"),
            );
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (res, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((res.map(BodyExt::boxed_unsync), Box::new(io) as Box<dyn Future<Output = _> + Send>))
        })
    }
}

/// How often the engine's epoch advances (Spin's default tick).
pub const EPOCH_TICK: std::time::Duration = std::time::Duration::from_millis(10);

/// The engine and linker shared by all components.
pub struct Host {
    pub engine: Engine,
    linker: Linker<HostState>,
    cache_dir: PathBuf,
}

impl Host {
    pub fn new(cache_dir: PathBuf) -> Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(1_000);
        pool.total_core_instances(5_000);
        pool.total_memories(1_000);
        pool.total_tables(5_000);
        pool.max_memory_size(256 << 20);
        // As Spin does: when an instance is done, the first 2 MiB of its linear memory
        // (and 512 KiB of its tables) are zeroed in place and stay mapped for the next
        // one, instead of being returned to the kernel with `madvise` and faulted in again
        // on the next request's first touch.
        pool.linear_memory_keep_resident(2 << 20);
        pool.table_keep_resident(512 << 10);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        // Request timeouts: a guest checks the epoch at loop heads and calls, so one that
        // loops forever still yields and is stopped (see `server::App::dispatch`).
        config.epoch_interruption(true);
        let engine = Engine::new(&config).map_err(anyhow::Error::from).context("cannot create the wasmtime engine")?;
        let ticker = engine.weak();
        std::thread::Builder::new().name("epoch-ticker".into()).spawn(move || {
            loop {
                std::thread::sleep(EPOCH_TICK);
                match ticker.upgrade() {
                    Some(e) => e.increment_epoch(),
                    None => break,
                }
            }
        })?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        key_value::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        sqlite::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        variables::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        Ok(Self { engine, linker, cache_dir })
    }

    /// Loads a component, compiling it only if this wasm (for this engine) has not
    /// been compiled before: artifacts are cached on disk by content hash.
    pub fn load(&self, wasm: &Path) -> Result<(Component, bool)> {
        let bytes = std::fs::read(wasm).with_context(|| {
            format!("cannot read component {} (run `runner build` first?)", wasm.display())
        })?;
        let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut engine_hash);
        let key = format!("{}-{:016x}.cwasm", hex::encode(Sha256::digest(&bytes)), engine_hash.finish());
        let cached = self.cache_dir.join(key);
        if cached.exists() {
            // SAFETY: the file was written by `precompile_component` of an engine with the
            // same compatibility hash, into our own cache directory.
            match unsafe { Component::deserialize_file(&self.engine, &cached) } {
                Ok(c) => return Ok((c, true)),
                Err(e) => eprintln!("warning: ignoring unusable cache entry {}: {e}", cached.display()),
            }
        }
        let compiled = self
            .engine
            .precompile_component(&bytes)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("{} is not a valid WebAssembly component", wasm.display()))?;
        std::fs::create_dir_all(&self.cache_dir)?;
        let tmp = cached.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &compiled)?;
        std::fs::rename(&tmp, &cached)?;
        // SAFETY: produced just above by this engine.
        let component = unsafe { Component::deserialize(&self.engine, &compiled)? };
        Ok((component, false))
    }

    pub fn prepare(&self, id: &str, component: &Component, grants: Grants, stores: &Stores) -> Result<ComponentRuntime> {
        let pre = self
            .linker
            .instantiate_pre(component)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("component `{id}` needs an import this runner does not provide"))?;
        let pre = ProxyPre::new(pre)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("component `{id}` does not export wasi:http/incoming-handler@0.2.x"))?;
        fn pick<T>(labels: &[String], all: &std::collections::BTreeMap<String, Arc<T>>) -> HashMap<String, Arc<T>> {
            labels.iter().filter_map(|l| all.get(l).map(|p| (l.clone(), p.clone()))).collect()
        }
        Ok(ComponentRuntime {
            id: id.to_string(),
            pre,
            kv: pick(&grants.key_value_stores, &stores.kv),
            sqlite: pick(&grants.sqlite_databases, &stores.sqlite),
            variables: grants.variables,
            env: grants.env,
            mounts: grants.mounts,
            allowed_hosts: Arc::new(grants.allowed_hosts),
        })
    }
}

impl ComponentRuntime {
    /// Fresh store data for one request, whose host calls add their time to `timing`.
    pub fn new_state(self: &Arc<Self>, timing: Timing) -> Result<HostState> {
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stdout().inherit_stderr().envs(&self.env);
        wasi.allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false);
        for (host, guest) in &self.mounts {
            wasi.preopened_dir(host, guest, FsPerms::ReadOnly)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("cannot mount {} for `{}`", host.display(), self.id))?;
        }
        Ok(HostState {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: OutboundHooks { component: self.clone() },
            component: self.clone(),
            timing,
        })
    }
}

/// Runs blocking SQLite work off the async executor, adding to `timing` the time it
/// waited for a blocking thread.
async fn blocking<T: Send + 'static>(timing: &Timing, f: impl FnOnce() -> T + Send + 'static) -> wasmtime::Result<T> {
    let called = Instant::now();
    let (out, started) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        (f(), started)
    })
    .await?;
    timing.add(|s| s.blocking_wait += started.saturating_duration_since(called));
    Ok(out)
}

impl key_value::Host for HostState {}

impl key_value::HostStore for HostState {
    async fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<KvHandle>, key_value::Error>> {
        let Some(store) = self.component.kv.get(&label).cloned() else {
            return Ok(Err(key_value::Error::AccessDenied));
        };
        Ok(Ok(self.table.push(KvHandle { label, store })?))
    }

    async fn get(&mut self, this: Resource<KvHandle>, key: String) -> wasmtime::Result<Result<Option<Vec<u8>>, key_value::Error>> {
        let k = key.clone();
        let out = self
            .kv_op(this, move |c, store| store::kv::get(c, store, &k), |mut r| async move { r.get(key).await })
            .await?;
        Ok(out.and_then(|v: Option<Vec<u8>>| match v {
            Some(v) if v.len() + std::mem::size_of::<Option<Vec<u8>>>() > store::MAX_RESULT_BYTES => Err(
                key_value::Error::Other(format!("query result exceeds limit of {} bytes", store::MAX_RESULT_BYTES)),
            ),
            v => Ok(v),
        }))
    }

    async fn set(&mut self, this: Resource<KvHandle>, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), key_value::Error>> {
        let (k, v) = (key.clone(), value.clone());
        self.kv_op(this, move |c, store| store::kv::set(c, store, &k, &v), |mut r| async move { r.set(key, value).await })
            .await
    }

    async fn delete(&mut self, this: Resource<KvHandle>, key: String) -> wasmtime::Result<Result<(), key_value::Error>> {
        let k = key.clone();
        self.kv_op(this, move |c, store| store::kv::delete(c, store, &k), |mut r| async move { r.del(key).await }).await
    }

    async fn exists(&mut self, this: Resource<KvHandle>, key: String) -> wasmtime::Result<Result<bool, key_value::Error>> {
        let k = key.clone();
        self.kv_op(this, move |c, store| store::kv::exists(c, store, &k), |mut r| async move { r.exists(key).await })
            .await
    }

    async fn get_keys(&mut self, this: Resource<KvHandle>) -> wasmtime::Result<Result<Vec<String>, key_value::Error>> {
        // Redis: every key of the database, as Spin does (`KEYS *`)
        self.kv_op(this, move |c, store| store::kv::keys(c, store), |mut r| async move { r.keys("*").await }).await
    }

    async fn drop(&mut self, this: Resource<KvHandle>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl HostState {
    /// One key-value operation: `file` on the SQLite store (off the executor), or
    /// `redis` on the Redis connection.
    async fn kv_op<T, F>(
        &mut self,
        this: Resource<KvHandle>,
        file: impl FnOnce(&rusqlite::Connection, &str) -> rusqlite::Result<T> + Send + 'static,
        redis: impl FnOnce(redis::aio::ConnectionManager) -> F,
    ) -> wasmtime::Result<Result<T, key_value::Error>>
    where
        T: Send + 'static,
        F: Future<Output = redis::RedisResult<T>>,
    {
        let handle = self.table.get(&this)?;
        let (label, store) = (handle.label.clone(), handle.store.clone());
        let component = self.component.id.clone();
        let called = Instant::now();
        let out = match &*store {
            KvStore::File(f) => {
                let f = f.clone();
                blocking(&self.timing, move || f.with(|c| file(c, &label)).map_err(|e| e.to_string())).await?
            }
            KvStore::Redis(r) => match r.conn().await {
                Ok(conn) => redis(conn).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
        };
        let took = called.elapsed();
        self.timing.add(|s| {
            s.kv += took;
            s.kv_calls += 1;
            s.host += took;
        });
        Ok(out.map_err(|e| {
            eprintln!("key-value error in `{component}`: {e}");
            key_value::Error::Other(e)
        }))
    }
}

impl sqlite::Host for HostState {}

impl sqlite::HostConnection for HostState {
    async fn open(&mut self, database: String) -> wasmtime::Result<Result<Resource<SqlConn>, sqlite::Error>> {
        let Some(db) = self.component.sqlite.get(&database).cloned() else {
            return Ok(Err(sqlite::Error::AccessDenied));
        };
        Ok(Ok(self.table.push(SqlConn { db, state: ConnState::NotOpened })?))
    }

    async fn execute(
        &mut self,
        this: Resource<SqlConn>,
        statement: String,
        parameters: Vec<sqlite::Value>,
    ) -> wasmtime::Result<Result<sqlite::QueryResult, sqlite::Error>> {
        let handle = self.table.get_mut(&this)?;
        let db = handle.db.clone();
        let conn = match std::mem::replace(&mut handle.state, ConnState::Busy) {
            ConnState::Open(c) => Some(c),
            ConnState::NotOpened => None,
            ConnState::Busy => return Ok(Err(sqlite::Error::InvalidConnection)),
        };
        let params: Vec<rusqlite::types::Value> = parameters.into_iter().map(to_sql).collect();
        let called = Instant::now();
        let (conn, out, spent) = blocking(&self.timing, move || {
            let mut spent = Spent::default();
            let conn = match conn {
                Some(c) => c,
                None => {
                    let (conn, took) = timed(|| db.connect());
                    spent.db_open = took;
                    spent.db_opens = 1;
                    match conn {
                        Ok(c) => c,
                        Err(e) => return (None, Err(e.to_string()), spent),
                    }
                }
            };
            let (out, took) = timed(|| {
                store::execute_timed(&conn, &statement, &params, store::MAX_RESULT_BYTES, &mut spent.db_prepare)
            });
            spent.db_run = took.saturating_sub(spent.db_prepare);
            (Some(conn), out, spent)
        })
        .await?;
        let took = called.elapsed();
        self.timing.add(|s| {
            s.db_open += spent.db_open;
            s.db_opens += spent.db_opens;
            s.db_prepare += spent.db_prepare;
            s.db_run += spent.db_run;
            s.db_statements += 1;
            s.host += took;
        });
        self.table.get_mut(&this)?.state = match conn {
            Some(c) => ConnState::Open(c),
            None => ConnState::NotOpened,
        };
        Ok(match out {
            Ok(rows) => Ok(sqlite::QueryResult {
                columns: rows.columns,
                rows: rows
                    .rows
                    .into_iter()
                    .map(|r| sqlite::RowResult { values: r.into_iter().map(from_sql).collect() })
                    .collect(),
            }),
            Err(e) => Err(sqlite::Error::Io(e)),
        })
    }

    async fn drop(&mut self, this: Resource<SqlConn>) -> wasmtime::Result<()> {
        let handle = self.table.delete(this)?;
        if let ConnState::Open(conn) = handle.state {
            // closing may checkpoint a WAL file: not on the executor
            let called = Instant::now();
            let took = blocking(&self.timing, move || timed(|| drop(conn)).1).await?;
            let whole = called.elapsed();
            self.timing.add(|s| {
                s.db_close += took;
                s.host += whole;
            });
        }
        Ok(())
    }
}

fn to_sql(v: sqlite::Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        sqlite::Value::Integer(i) => V::Integer(i),
        sqlite::Value::Real(f) => V::Real(f),
        sqlite::Value::Text(s) => V::Text(s),
        sqlite::Value::Blob(b) => V::Blob(b),
        sqlite::Value::Null => V::Null,
    }
}

fn from_sql(v: rusqlite::types::Value) -> sqlite::Value {
    use rusqlite::types::Value as V;
    match v {
        V::Integer(i) => sqlite::Value::Integer(i),
        V::Real(f) => sqlite::Value::Real(f),
        V::Text(s) => sqlite::Value::Text(s),
        V::Blob(b) => sqlite::Value::Blob(b),
        V::Null => sqlite::Value::Null,
    }
}

impl variables::Host for HostState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables::Error>> {
        if !crate::manifest::valid_variable_name(&name) {
            return Ok(Err(variables::Error::InvalidName(name)));
        }
        Ok(match self.component.variables.get(&name) {
            Some(v) => Ok(v.clone()),
            None => Err(variables::Error::Undefined(format!("no variable `{name}` for component `{}`", self.component.id))),
        })
    }
}
