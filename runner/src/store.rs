//! The state behind Spin's key-value and SQLite interfaces, with Spin 3+'s semantics
//! (read in Spin 4.1's `sqlite-inproc`, `key-value-spin` and `key-value-redis`):
//!
//! - **SQLite** (`type = "spin"`): every guest `Connection::open` gets a connection of
//!   its own, opened lazily on its first statement and closed when the guest drops the
//!   handle, with rusqlite's defaults and nothing else: the journal mode the file already
//!   has (rollback journal unless it was made WAL), `synchronous` as compiled (FULL),
//!   a 5 s busy timeout, foreign keys as compiled into the bundled SQLite (on);
//!   `ATTACH` of files denied unless `allow_attach_file = true`; results capped at
//!   128 MiB. A database with no `path` (other than `default`) is in memory, one per
//!   open, as in Spin.
//! - **Key-value, `type = "spin"`**: one connection per configured store for the whole
//!   process, serialised, in Spin's `spin_key_value` table layout (a state directory
//!   written by the runner can be read by `spin up` and the other way round).
//! - **Key-value, `type = "redis"`**: Spin's layout: each key is a plain Redis string
//!   under its own name (the store label is not part of the key), `get_keys` is
//!   `KEYS *`.
//!
//! Nothing here sets a pragma: a component that needs WAL, another busy timeout or
//! foreign keys sets them itself, so it behaves the same on `spin up`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OptionalExtension, params};

/// Spin's cap on what one host call may buffer (`MAX_HOST_BUFFERED_BYTES`).
pub const MAX_RESULT_BYTES: usize = 128 << 20;

/// Where a SQLite database lives.
#[derive(Clone, Debug, PartialEq)]
pub enum Location {
    InMemory,
    Path(PathBuf),
}

impl Location {
    fn describe(&self) -> String {
        match self {
            Location::InMemory => "a temporary in-memory database".into(),
            Location::Path(p) => p.display().to_string(),
        }
    }
}

/// A SQLite database a component may open (`[sqlite_database.<label>]`).
#[derive(Debug)]
pub struct Database {
    pub location: Location,
    pub allow_attach_file: bool,
}

impl Database {
    /// A new connection, as Spin makes one for each guest `open`.
    pub fn connect(&self) -> rusqlite::Result<Connection> {
        let mut conn = match &self.location {
            Location::InMemory => Connection::open_in_memory()?,
            Location::Path(p) => Connection::open(p)?,
        };
        if !self.allow_attach_file {
            conn.authorizer(Some(|ctx: rusqlite::hooks::AuthContext<'_>| {
                use rusqlite::hooks::{AuthAction, Authorization};
                match ctx.action {
                    // a temporary ("") or in-memory database may still be attached
                    AuthAction::Attach { filename } if !matches!(filename, "" | ":memory:") => Authorization::Deny,
                    _ => Authorization::Allow,
                }
            }))?;
        }
        Ok(conn)
    }

    pub fn describe(&self) -> String {
        self.location.describe()
    }
}

/// A key-value store (`[key_value_store.<label>]`).
pub enum KvStore {
    File(Arc<KvFile>),
    Redis(Arc<KvRedis>),
}

impl KvStore {
    pub fn describe(&self) -> String {
        match self {
            KvStore::File(f) => f.location.describe(),
            KvStore::Redis(r) => format!("Redis at {}", r.display),
        }
    }
}

/// Spin's SQLite key-value store: one connection, opened lazily, shared by every request.
pub struct KvFile {
    location: Location,
    conn: OnceLock<Mutex<Connection>>,
}

impl KvFile {
    pub fn new(location: Location) -> Result<Self> {
        if let Location::Path(p) = &location
            && let Some(dir) = p.parent()
        {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(Self { location, conn: OnceLock::new() })
    }

    /// Runs `op` on the store's connection (blocking: call it off the async executor).
    pub fn with<T>(&self, op: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        if self.conn.get().is_none() {
            let conn = match &self.location {
                Location::InMemory => Connection::open_in_memory()?,
                Location::Path(p) => Connection::open(p)?,
            };
            conn.execute(
                "CREATE TABLE IF NOT EXISTS spin_key_value (
                    store TEXT NOT NULL,
                    key   TEXT NOT NULL,
                    value BLOB NOT NULL,
                    PRIMARY KEY (store, key)
                )",
                [],
            )?;
            let _ = self.conn.set(Mutex::new(conn));
        }
        let conn = self.conn.get().expect("set above").lock().unwrap_or_else(|p| p.into_inner());
        op(&conn)
    }
}

/// Key-value operations on one labelled store inside a `KvFile`.
pub mod kv {
    use super::*;

    pub fn get(c: &Connection, store: &str, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
            .query_row(params![store, key], |r| r.get(0))
            .optional()
    }

    pub fn set(c: &Connection, store: &str, key: &str, value: &[u8]) -> rusqlite::Result<()> {
        c.prepare_cached(
            "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![store, key, value])
        .map(drop)
    }

    pub fn delete(c: &Connection, store: &str, key: &str) -> rusqlite::Result<()> {
        c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
            .execute(params![store, key])
            .map(drop)
    }

    pub fn exists(c: &Connection, store: &str, key: &str) -> rusqlite::Result<bool> {
        c.prepare_cached("SELECT EXISTS (SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2)")?
            .query_row(params![store, key], |r| r.get(0))
    }

    pub fn keys(c: &Connection, store: &str) -> rusqlite::Result<Vec<String>> {
        c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key")?
            .query_map(params![store], |r| r.get(0))?
            .collect()
    }
}

/// Spin's Redis key-value store: one multiplexed, self-reconnecting connection, made on
/// first use.
pub struct KvRedis {
    client: redis::Client,
    display: String,
    conn: tokio::sync::OnceCell<redis::aio::ConnectionManager>,
}

impl KvRedis {
    pub fn new(url: &str) -> Result<Self> {
        let client = redis::Client::open(url).with_context(|| format!("invalid Redis URL `{url}`"))?;
        let info = client.get_connection_info();
        let display = info.addr().to_string();
        Ok(Self { client, display, conn: tokio::sync::OnceCell::new() })
    }

    pub async fn conn(&self) -> redis::RedisResult<redis::aio::ConnectionManager> {
        self.conn.get_or_try_init(|| self.client.get_connection_manager()).await.cloned()
    }
}

/// Result of one SQL statement, in Spin's shape.
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<rusqlite::types::Value>>,
}

/// How much memory Spin counts for one value (`Value::memory_size`).
fn value_size(v: &rusqlite::types::Value) -> usize {
    use rusqlite::types::Value as V;
    // the guest-facing value is an enum of the same shape: a tag and a Vec/String
    const SIZE: usize = std::mem::size_of::<Option<Vec<u8>>>() + 8;
    match v {
        V::Null | V::Integer(_) | V::Real(_) => SIZE,
        V::Text(t) => SIZE + t.len(),
        V::Blob(b) => SIZE + b.len(),
    }
}

/// Runs one statement with positional parameters, as Spin's `execute` does: one
/// statement per call, every row read, and at most `max_bytes` of results.
pub fn execute(c: &Connection, sql: &str, params: &[rusqlite::types::Value], max_bytes: usize) -> Result<Rows, String> {
    let mut preparing = Duration::ZERO;
    execute_timed(c, sql, params, max_bytes, &mut preparing)
}

/// [`execute`], adding to `preparing` the time spent preparing the statement (which on
/// a connection's first statement includes reading and parsing the whole schema).
pub fn execute_timed(c: &Connection, sql: &str, params: &[rusqlite::types::Value], max_bytes: usize, preparing: &mut Duration) -> Result<Rows, String> {
    let (stmt, took) = crate::timing::timed(|| c.prepare_cached(sql));
    *preparing += took;
    let mut stmt = stmt.map_err(|e| e.to_string())?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let width = columns.len();
    let mut rows = Vec::new();
    let mut bytes = std::mem::size_of::<Rows>();
    let mut cursor = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(|e| e.to_string())?;
    while let Some(row) = cursor.next().map_err(|e| e.to_string())? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(row.get::<_, rusqlite::types::Value>(i).map_err(|e| e.to_string())?);
        }
        bytes += values.iter().map(value_size).sum::<usize>();
        if bytes > max_bytes {
            return Err(format!("query result exceeds limit of {max_bytes} bytes"));
        }
        rows.push(values);
    }
    Ok(Rows { columns, rows })
}

/// The stores and databases of an application, by label.
pub struct Stores {
    pub kv: BTreeMap<String, Arc<KvStore>>,
    pub sqlite: BTreeMap<String, Arc<Database>>,
}

/// A key-value store's runtime configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum KvConfig {
    /// `type = "spin"`, `path` relative to the runtime config file; no path: in memory.
    Spin { path: Option<PathBuf> },
    /// `type = "redis"`, `url = "redis://host:port[/db]"`.
    Redis { url: String },
}

/// A SQLite database's runtime configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum SqliteConfig {
    /// `type = "spin"`, `path` relative to the working directory; no path: in memory.
    Spin { path: Option<PathBuf>, allow_attach_file: bool },
    /// `type = "libsql"` (`url`, `token`): accepted as Spin accepts it, served only by Spin.
    LibSql { url: String },
}

/// Spin's runtime configuration file: the part this runner implements.
/// ```toml
/// [key_value_store.default]
/// type = "redis"
/// url = "redis://127.0.0.1:6379"
/// [sqlite_database.default]
/// type = "spin"
/// path = "/var/lib/portal/portal.db"
/// ```
/// As in Spin 4.1, a key-value `path` is relative to the runtime config file and a
/// SQLite `path` to the working directory; every key must be understood, or the
/// file is refused.
#[derive(Debug, Default)]
pub struct RuntimeConfig {
    pub key_value_store: BTreeMap<String, KvConfig>,
    pub sqlite_database: BTreeMap<String, SqliteConfig>,
}

/// Top-level keys Spin 4.1 understands that this runner does not implement.
const SPIN_ONLY_KEYS: &[&str] = &[
    "state_dir",
    "log_dir",
    "max_instance_memory",
    "variables_provider",
    "config_provider",
    "llm_compute",
    "client_tls",
    "outbound_networking",
    "outbound_http",
    "outbound_redis",
    "outbound_pg",
    "outbound_mysql",
    "outbound_mqtt",
];

fn string_field(table: &toml::Table, key: &str, what: &str) -> Result<Option<String>> {
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => bail!("{what}: `{key}` must be a string"),
    }
}

fn only_keys(table: &toml::Table, allowed: &[&str], what: &str) -> Result<()> {
    for key in table.keys() {
        if !allowed.contains(&key.as_str()) {
            bail!("{what}: unknown key `{key}` (expected {})", allowed.join(", "));
        }
    }
    Ok(())
}

impl RuntimeConfig {
    pub fn load(path: Option<&Path>) -> Result<(Self, PathBuf)> {
        let Some(path) = path else { return Ok((Self::default(), PathBuf::from("."))) };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the runtime config {}", path.display()))?;
        let cfg = Self::parse(&text).with_context(|| format!("runtime config {}", path.display()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        Ok((cfg, dir))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let table: toml::Table = toml::from_str(text).context("not valid TOML")?;
        let mut cfg = Self::default();
        for (key, value) in &table {
            match key.as_str() {
                "key_value_store" | "sqlite_database" => {}
                k if SPIN_ONLY_KEYS.contains(&k) => bail!(
                    "`{k}` is a Spin setting this runner does not implement (it serves key_value_store and sqlite_database only)"
                ),
                k => bail!("unknown key `{k}` (Spin refuses it too: \"unused runtime config key(s)\")"),
            }
            let toml::Value::Table(stores) = value else { bail!("`{key}` must be a table of labelled stores") };
            for (label, store) in stores {
                let what = format!("[{key}.{label}]");
                let toml::Value::Table(store) = store else { bail!("{what} must be a table") };
                let kind = string_field(store, "type", &what)?.with_context(|| format!("{what}: `type` is missing"))?;
                if key == "key_value_store" {
                    let c = match kind.as_str() {
                        "spin" => {
                            only_keys(store, &["type", "path"], &what)?;
                            KvConfig::Spin { path: string_field(store, "path", &what)?.map(PathBuf::from) }
                        }
                        "redis" => {
                            only_keys(store, &["type", "url"], &what)?;
                            let url = string_field(store, "url", &what)?.with_context(|| format!("{what}: `url` is missing"))?;
                            redis::Client::open(url.as_str()).with_context(|| format!("{what}: invalid Redis URL `{url}`"))?;
                            KvConfig::Redis { url }
                        }
                        "azure_cosmos" | "aws_dynamo" => {
                            bail!("{what}: type `{kind}` is a Spin store this runner does not implement (use `spin` or `redis`)")
                        }
                        other => bail!("{what}: unknown key-value store type `{other}` (expected `spin` or `redis`)"),
                    };
                    cfg.key_value_store.insert(label.clone(), c);
                } else {
                    let c = match kind.as_str() {
                        "spin" => {
                            only_keys(store, &["type", "path", "allow_attach_file"], &what)?;
                            let allow_attach_file = match store.get("allow_attach_file") {
                                None => false,
                                Some(toml::Value::Boolean(b)) => *b,
                                Some(_) => bail!("{what}: `allow_attach_file` must be true or false"),
                            };
                            SqliteConfig::Spin { path: string_field(store, "path", &what)?.map(PathBuf::from), allow_attach_file }
                        }
                        "libsql" => {
                            only_keys(store, &["type", "url", "token"], &what)?;
                            let url = string_field(store, "url", &what)?.with_context(|| format!("{what}: `url` is missing"))?;
                            string_field(store, "token", &what)?.with_context(|| format!("{what}: `token` is missing"))?;
                            if !(url.starts_with("https://") || url.starts_with("http://")) {
                                bail!("{what}: the libSQL URL must start with https:// or http:// (as in Spin)");
                            }
                            SqliteConfig::LibSql { url }
                        }
                        other => bail!("{what}: unknown SQLite database type `{other}` (expected `spin` or `libsql`)"),
                    };
                    cfg.sqlite_database.insert(label.clone(), c);
                }
            }
        }
        Ok(cfg)
    }

    pub fn kv_labels(&self) -> HashSet<String> {
        self.key_value_store.keys().cloned().chain(["default".to_string()]).collect()
    }

    pub fn sqlite_labels(&self) -> HashSet<String> {
        self.sqlite_database.keys().cloned().chain(["default".to_string()]).collect()
    }

    /// Opens every store and database (lazily: files and connections are made on
    /// first use). Defaults follow `spin up`: `sqlite_key_value.db` and `sqlite_db.db`
    /// in the state directory.
    pub fn open(&self, config_dir: &Path, state_dir: &Path) -> Result<Stores> {
        let cwd = std::env::current_dir().context("no working directory")?;
        let mut kv = BTreeMap::new();
        for label in self.kv_labels() {
            let store = match self.key_value_store.get(&label) {
                None => KvStore::File(Arc::new(KvFile::new(Location::Path(state_dir.join("sqlite_key_value.db")))?)),
                Some(KvConfig::Spin { path: Some(p) }) => KvStore::File(Arc::new(KvFile::new(Location::Path(config_dir.join(p)))?)),
                Some(KvConfig::Spin { path: None }) => KvStore::File(Arc::new(KvFile::new(Location::InMemory)?)),
                Some(KvConfig::Redis { url }) => KvStore::Redis(Arc::new(KvRedis::new(url)?)),
            };
            kv.insert(label, Arc::new(store));
        }
        let mut sqlite = BTreeMap::new();
        for label in self.sqlite_labels() {
            let cfg = self.sqlite_database.get(&label).cloned().unwrap_or_else(|| SqliteConfig::Spin {
                path: Some(state_dir.join("sqlite_db.db")),
                allow_attach_file: false,
            });
            let (location, allow_attach_file) = match cfg {
                SqliteConfig::Spin { path: Some(p), allow_attach_file } => (Location::Path(cwd.join(p)), allow_attach_file),
                SqliteConfig::Spin { path: None, allow_attach_file } => (Location::InMemory, allow_attach_file),
                SqliteConfig::LibSql { url } => bail!(
                    "[sqlite_database.{label}]: type `libsql` ({url}) is served by Spin only; this runner serves local files (`type = \"spin\"`)"
                ),
            };
            if let Location::Path(p) = &location
                && let Some(dir) = p.parent()
            {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            sqlite.insert(label, Arc::new(Database { location, allow_attach_file }));
        }
        Ok(Stores { kv, sqlite })
    }
}

/// Applies `--sqlite` arguments as `spin up` does: `@file` (or `@file:label`) runs the
/// whole file as one batch on a new connection to that database; anything else is one
/// statement run on the default database.
pub fn run_sqlite_args(stores: &Stores, args: &[String]) -> Result<()> {
    for arg in args {
        match arg.strip_prefix('@') {
            Some(spec) => {
                let (file, label) = parse_file_and_label(spec)?;
                let db = stores.sqlite.get(label).with_context(|| {
                    format!("--sqlite @{spec}: a database labelled `{label}` was expected but is not defined")
                })?;
                let sql = std::fs::read_to_string(file).with_context(|| format!("--sqlite: cannot read {file}"))?;
                let conn = db.connect().with_context(|| format!("cannot open {}", db.describe()))?;
                execute_script(&conn, &sql).with_context(|| format!("--sqlite @{spec} failed on {}", db.describe()))?;
            }
            None => {
                let db = &stores.sqlite["default"];
                let conn = db.connect().with_context(|| format!("cannot open {}", db.describe()))?;
                execute(&conn, arg, &[], MAX_RESULT_BYTES)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("--sqlite `{arg}` failed on {}", db.describe()))?;
            }
        }
    }
    Ok(())
}

/// `file` or `file:label` (Spin's syntax).
fn parse_file_and_label(spec: &str) -> Result<(&str, &str)> {
    let spec = spec.trim();
    if spec.is_empty() {
        bail!("--sqlite @: the file name is missing");
    }
    Ok(match spec.split_once(':') {
        Some((_, label)) if label.trim().is_empty() => bail!("--sqlite @{spec}: the database label is empty"),
        Some((file, _)) if file.trim().is_empty() => bail!("--sqlite @{spec}: the file name is empty"),
        Some((file, label)) => (file.trim(), label.trim()),
        None => (spec, "default"),
    })
}

/// Runs a whole SQL script, with the effect of one `execute_batch` (what Spin does) in
/// linear time: SQLite copies the rest of an input that is not nul-terminated on every
/// statement it prepares, so one `execute_batch` over a large file is quadratic
/// (minutes for a 90 MB seed on Spin). We feed it complete statements in ~64 KB chunks,
/// on the same connection, in order, stopping at the first error.
pub fn execute_script(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let complete = |s: &str| {
        std::ffi::CString::new(s)
            // SAFETY: a valid nul-terminated string; sqlite3_complete only reads it.
            .map(|c| unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) } != 0)
            .unwrap_or(false)
    };
    let (mut start, mut end) = (0, 0);
    for line in sql.split_inclusive('\n') {
        end += line.len();
        if end - start >= CHUNK && complete(&sql[start..end]) {
            conn.execute_batch(&sql[start..end])?;
            start = end;
        }
    }
    if !sql[start..].trim().is_empty() {
        conn.execute_batch(&sql[start..])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::Value;

    fn file_db(dir: &Path) -> Database {
        Database { location: Location::Path(dir.join("db.db")), allow_attach_file: false }
    }

    #[test]
    fn kv_roundtrip_and_isolation_between_labels() {
        let dir = tempfile::tempdir().unwrap();
        let store = KvFile::new(Location::Path(dir.path().join("kv.db"))).unwrap();
        store
            .with(|c| {
                kv::set(c, "default", "a", b"1")?;
                kv::set(c, "default", "a", b"2")?;
                kv::set(c, "other", "b", b"3")?;
                assert_eq!(kv::get(c, "default", "a")?, Some(b"2".to_vec()));
                assert_eq!(kv::get(c, "default", "b")?, None);
                assert!(kv::exists(c, "other", "b")?);
                assert_eq!(kv::keys(c, "default")?, vec!["a".to_string()]);
                kv::delete(c, "default", "a")?;
                assert!(!kv::exists(c, "default", "a")?);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn execute_returns_columns_and_typed_values() {
        let dir = tempfile::tempdir().unwrap();
        let c = file_db(dir.path()).connect().unwrap();
        execute(&c, "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)", &[], MAX_RESULT_BYTES).unwrap();
        let params = [Value::Integer(7), Value::Real(1.5), Value::Text("è".into()), Value::Blob(vec![0, 1]), Value::Null];
        execute(&c, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", &params, MAX_RESULT_BYTES).unwrap();
        let rows = execute(&c, "SELECT * FROM t", &[], MAX_RESULT_BYTES).unwrap();
        assert_eq!(rows.columns, ["i", "r", "s", "b", "n"]);
        assert_eq!(rows.rows, vec![params.to_vec()]);
        assert!(execute(&c, "SELECT 1; SELECT 2", &[], MAX_RESULT_BYTES).is_err(), "one statement per call");
    }

    #[test]
    fn results_are_capped_like_spin() {
        let dir = tempfile::tempdir().unwrap();
        let c = file_db(dir.path()).connect().unwrap();
        c.execute_batch("CREATE TABLE t (b BLOB); INSERT INTO t VALUES (zeroblob(1000)), (zeroblob(1000));").unwrap();
        assert_eq!(execute(&c, "SELECT b FROM t", &[], 4096).unwrap().rows.len(), 2);
        let err = execute(&c, "SELECT b FROM t", &[], 1500).err().unwrap();
        assert_eq!(err, "query result exceeds limit of 1500 bytes");
    }

    #[test]
    fn connections_get_rusqlite_defaults_and_no_hidden_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let db = file_db(dir.path());
        let c = db.connect().unwrap();
        let pragma = |name: &str| -> Value { c.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).unwrap() };
        assert_eq!(pragma("journal_mode"), Value::Text("delete".into()), "rollback journal on a new file");
        assert_eq!(pragma("synchronous"), Value::Integer(2), "FULL");
        assert_eq!(pragma("busy_timeout"), Value::Integer(5000), "rusqlite's default");
        // the bundled SQLite (rusqlite's `bundled`, as in Spin) is compiled with foreign keys on
        assert_eq!(pragma("foreign_keys"), Value::Integer(1));
        // a file made WAL stays WAL for every later connection
        c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
        let again = db.connect().unwrap();
        let mode: String = again.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn attaching_files_is_denied_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.db").display().to_string();
        let c = file_db(dir.path()).connect().unwrap();
        let attach = format!("ATTACH DATABASE '{other}' AS o");
        let err = c.execute_batch(&attach).unwrap_err();
        assert!(err.to_string().contains("not authorized"), "{err}");
        c.execute_batch("ATTACH DATABASE ':memory:' AS m").unwrap();
        // as in Spin, the check sees literal file names only: a bound name is not known
        // when the statement is authorised, so it passes
        c.execute("ATTACH DATABASE ?1 AS p", [&other]).unwrap();
        let allowed = Database { allow_attach_file: true, ..file_db(dir.path()) };
        allowed.connect().unwrap().execute_batch(&attach).unwrap();
    }

    #[test]
    fn in_memory_databases_are_one_per_connection() {
        let db = Database { location: Location::InMemory, allow_attach_file: false };
        db.connect().unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
        assert!(db.connect().unwrap().execute_batch("SELECT * FROM t").is_err());
    }

    #[test]
    fn fts5_is_available() {
        let dir = tempfile::tempdir().unwrap();
        let c = file_db(dir.path()).connect().unwrap();
        c.execute_batch("CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO f VALUES ('operaio specializzato');").unwrap();
        let rows = execute(&c, "SELECT count(*) FROM f WHERE f MATCH 'operaio'", &[], MAX_RESULT_BYTES).unwrap();
        assert_eq!(rows.rows[0][0], Value::Integer(1));
    }

    #[test]
    fn large_scripts_run_in_linear_time_and_keep_statement_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let c = file_db(dir.path()).connect().unwrap();
        // a trigger body spans lines and contains ';' — it must not be split
        let mut sql = String::from(
            "CREATE TABLE t (x TEXT); CREATE TABLE n (c INTEGER); INSERT INTO n VALUES (0);\n\
             CREATE TRIGGER tt AFTER INSERT ON t BEGIN\n  UPDATE n SET c = c + 1;\nEND;\nBEGIN;\n",
        );
        for i in 0..60_000 {
            sql.push_str(&format!("INSERT INTO t VALUES ('riga {i}; con punto e virgola');\n"));
        }
        sql.push_str("COMMIT;\n");
        assert!(sql.len() > 2 << 20);
        let t = std::time::Instant::now();
        execute_script(&c, &sql).unwrap();
        assert!(t.elapsed() < std::time::Duration::from_secs(20), "took {:?}", t.elapsed());
        let rows = execute(&c, "SELECT c FROM n", &[], MAX_RESULT_BYTES).unwrap();
        assert_eq!(rows.rows[0][0], Value::Integer(60_000));
        assert!(execute_script(&c, "SELECT nope FROM t;").is_err(), "errors still surface");
    }

    #[test]
    fn runtime_config_accepts_spins_keys_and_refuses_the_rest() {
        let cfg = RuntimeConfig::parse(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:6379/2\"\n\
             [key_value_store.cache]\ntype = \"spin\"\npath = \"cache.db\"\n\
             [sqlite_database.default]\ntype = \"spin\"\npath = \"data/portal.db\"\n\
             [sqlite_database.remote]\ntype = \"libsql\"\nurl = \"https://db.example.org\"\ntoken = \"t\"\n",
        )
        .unwrap();
        assert_eq!(cfg.key_value_store["default"], KvConfig::Redis { url: "redis://127.0.0.1:6379/2".into() });
        assert_eq!(cfg.key_value_store["cache"], KvConfig::Spin { path: Some("cache.db".into()) });
        assert_eq!(
            cfg.sqlite_database["default"],
            SqliteConfig::Spin { path: Some("data/portal.db".into()), allow_attach_file: false }
        );
        assert!(matches!(cfg.sqlite_database["remote"], SqliteConfig::LibSql { .. }));
        let dir = tempfile::tempdir().unwrap();
        let err = format!("{:#}", cfg.open(dir.path(), dir.path()).err().unwrap());
        assert!(err.contains("served by Spin only"), "{err}");

        for (text, expected) in [
            ("[key_value_stores.default]\ntype = \"spin\"\n", "unknown key `key_value_stores`"),
            ("llm_compute = { type = \"spin\" }\n", "Spin setting this runner does not implement"),
            ("[key_value_store.x]\ntype = \"memcached\"\n", "unknown key-value store type `memcached`"),
            ("[key_value_store.x]\ntype = \"aws_dynamo\"\n", "does not implement"),
            ("[key_value_store.x]\ntype = \"redis\"\n", "`url` is missing"),
            ("[key_value_store.x]\ntype = \"redis\"\nurl = \"http://x\"\n", "invalid Redis URL"),
            ("[key_value_store.x]\ntype = \"spin\"\npaht = \"x.db\"\n", "unknown key `paht`"),
            ("[sqlite_database.x]\npath = \"x.db\"\n", "`type` is missing"),
            ("[sqlite_database.x]\ntype = \"libsql\"\nurl = \"libsql://x\"\ntoken = \"t\"\n", "https://"),
            ("[sqlite_database.x]\ntype = \"postgres\"\n", "unknown SQLite database type"),
        ] {
            let err = format!("{:#}", RuntimeConfig::parse(text).err().unwrap_or_else(|| panic!("accepted: {text}")));
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn sqlite_file_labels_follow_spins_syntax() {
        assert_eq!(parse_file_and_label("seed.sql").unwrap(), ("seed.sql", "default"));
        assert_eq!(parse_file_and_label("seed.sql:other").unwrap(), ("seed.sql", "other"));
        assert!(parse_file_and_label("seed.sql:").is_err());
        assert!(parse_file_and_label(":x").is_err());
    }
}
