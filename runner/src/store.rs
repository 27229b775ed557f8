//! Durable state behind Spin's key-value and SQLite interfaces: SQLite files in the
//! state directory (or where the runtime config puts them), shared by all components.
//!
//! Settings, chosen for a local and test host (see README, "Durability"):
//! - WAL journal: readers never block the writer and vice versa.
//! - `synchronous = NORMAL`: a committed transaction survives a crash of the runner
//!   process (`kill -9`); an OS crash or power loss may lose the last commits but never
//!   corrupts the file. `RUNNER_SQLITE_SYNC=full` makes every commit power-loss durable.
//! - `busy_timeout = 5 s`: concurrent writers queue instead of failing with
//!   "database is locked".
//! Key-value data uses Spin's own table layout (`spin_key_value`), so a state directory
//! written by this runner can be read by `spin up` and the other way round.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Deserialize;

/// At most this many idle connections are kept per database file.
const MAX_IDLE: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    KeyValue,
    Sqlite,
}

/// A pool of connections to one SQLite file.
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    synchronous: &'static str,
}

impl Pool {
    pub fn open(path: &Path, kind: Kind) -> Result<Arc<Self>> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let synchronous = match std::env::var("RUNNER_SQLITE_SYNC").as_deref() {
            Ok("full") | Ok("FULL") => "FULL",
            _ => "NORMAL",
        };
        let pool = Arc::new(Self { path: path.to_path_buf(), idle: Mutex::new(Vec::new()), synchronous });
        let conn = pool.connect()?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .with_context(|| format!("cannot enable WAL on {}", path.display()))?;
        if kind == Kind::KeyValue {
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS spin_key_value (
                    store TEXT NOT NULL,
                    key   TEXT NOT NULL,
                    value BLOB NOT NULL,
                    PRIMARY KEY (store, key)
                )",
            )?;
        }
        pool.put(conn);
        Ok(pool)
    }

    fn connect(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)
            .with_context(|| format!("cannot open {}", self.path.display()))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", self.synchronous)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    pub fn get(&self) -> Result<Connection> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(c) => Ok(c),
            None => self.connect(),
        }
    }

    /// Returns a connection; a transaction the guest left open is rolled back.
    pub fn put(&self, conn: Connection) {
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return; // drop a connection in an unknown state
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Key-value operations on one labelled store inside a pool's file.
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

/// Result of one SQL statement, in Spin's shape.
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<rusqlite::types::Value>>,
}

/// Runs one statement with positional parameters, as Spin's `execute` does.
pub fn execute(c: &Connection, sql: &str, params: &[rusqlite::types::Value]) -> rusqlite::Result<Rows> {
    let mut stmt = c.prepare_cached(sql)?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let width = columns.len();
    let mut rows = Vec::new();
    let mut cursor = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    while let Some(row) = cursor.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(row.get::<_, rusqlite::types::Value>(i)?);
        }
        rows.push(values);
    }
    Ok(Rows { columns, rows })
}

/// The stores and databases of an application, by label.
pub struct Stores {
    pub kv: BTreeMap<String, Arc<Pool>>,
    pub sqlite: BTreeMap<String, Arc<Pool>>,
}

/// Spin's runtime configuration file (the part this runner implements):
/// ```toml
/// [key_value_store.cache]
/// type = "spin"
/// path = "cache.db"
/// [sqlite_database.default]
/// type = "spin"
/// path = "portal.db"
/// ```
/// Relative paths are relative to the runtime config file.
#[derive(Debug, Default, Deserialize)]
pub struct RuntimeConfig {
    #[serde(default)]
    pub key_value_store: BTreeMap<String, StoreConfig>,
    #[serde(default)]
    pub sqlite_database: BTreeMap<String, StoreConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub path: Option<PathBuf>,
}

impl RuntimeConfig {
    pub fn load(path: Option<&Path>) -> Result<(Self, PathBuf)> {
        let Some(path) = path else { return Ok((Self::default(), PathBuf::from("."))) };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the runtime config {}", path.display()))?;
        let cfg: Self = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid runtime config", path.display()))?;
        for (label, s) in cfg.key_value_store.iter().chain(cfg.sqlite_database.iter()) {
            if s.kind != "spin" {
                bail!("runtime config: store `{label}` has type `{}`; this runner supports only `spin` (local SQLite files)", s.kind);
            }
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        Ok((cfg, dir))
    }

    pub fn kv_labels(&self) -> HashSet<String> {
        self.key_value_store.keys().cloned().chain(["default".to_string()]).collect()
    }

    pub fn sqlite_labels(&self) -> HashSet<String> {
        self.sqlite_database.keys().cloned().chain(["default".to_string()]).collect()
    }

    /// Opens every store and database. Defaults follow `spin up`: `sqlite_key_value.db`
    /// and `sqlite_db.db` in the state directory. Labels sharing a file share a pool.
    pub fn open(&self, config_dir: &Path, state_dir: &Path) -> Result<Stores> {
        let mut pools: BTreeMap<(PathBuf, bool), Arc<Pool>> = BTreeMap::new();
        let mut open = |label: &str, cfg: Option<&StoreConfig>, default: &str, kind: Kind| -> Result<Arc<Pool>> {
            let path = match cfg.and_then(|c| c.path.as_ref()) {
                Some(p) if p.is_absolute() => p.clone(),
                Some(p) => config_dir.join(p),
                None => state_dir.join(default),
            };
            let key = (path.clone(), kind == Kind::KeyValue);
            if let Some(p) = pools.get(&key) {
                return Ok(p.clone());
            }
            let pool = Pool::open(&path, kind).with_context(|| format!("store `{label}`"))?;
            pools.insert(key, pool.clone());
            Ok(pool)
        };
        let mut kv = BTreeMap::new();
        for label in self.kv_labels() {
            kv.insert(label.clone(), open(&label, self.key_value_store.get(&label), "sqlite_key_value.db", Kind::KeyValue)?);
        }
        let mut sqlite = BTreeMap::new();
        for label in self.sqlite_labels() {
            let default = if label == "default" { "sqlite_db.db".to_string() } else { format!("{label}.db") };
            sqlite.insert(label.clone(), open(&label, self.sqlite_database.get(&label), &default, Kind::Sqlite)?);
        }
        Ok(Stores { kv, sqlite })
    }
}

/// Applies `--sqlite` arguments to the default database: `@file.sql` runs a file,
/// anything else is run as SQL text (as `spin up --sqlite` does).
pub fn run_sqlite_args(pool: &Pool, args: &[String]) -> Result<()> {
    let conn = pool.get()?;
    for arg in args {
        let (label, sql) = match arg.strip_prefix('@') {
            Some(file) => (file.to_string(), std::fs::read_to_string(file).with_context(|| format!("--sqlite: cannot read {file}"))?),
            None => ("statement".to_string(), arg.clone()),
        };
        execute_script(&conn, &sql).with_context(|| format!("--sqlite {label} failed on {}", pool.path().display()))?;
    }
    pool.put(conn);
    Ok(())
}

/// Runs a whole SQL script. SQLite copies the rest of an unterminated input on every
/// statement it prepares, so a single `execute_batch` over a large file is quadratic
/// (minutes for a 90 MB seed): feed it complete statements in chunks of ~64 KB.
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

    #[test]
    fn kv_roundtrip_and_isolation_between_labels() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::open(&dir.path().join("kv.db"), Kind::KeyValue).unwrap();
        let c = pool.get().unwrap();
        kv::set(&c, "default", "a", b"1").unwrap();
        kv::set(&c, "default", "a", b"2").unwrap();
        kv::set(&c, "other", "b", b"3").unwrap();
        assert_eq!(kv::get(&c, "default", "a").unwrap(), Some(b"2".to_vec()));
        assert_eq!(kv::get(&c, "default", "b").unwrap(), None);
        assert!(kv::exists(&c, "other", "b").unwrap());
        assert_eq!(kv::keys(&c, "default").unwrap(), vec!["a".to_string()]);
        kv::delete(&c, "default", "a").unwrap();
        assert!(!kv::exists(&c, "default", "a").unwrap());
    }

    #[test]
    fn execute_returns_columns_and_typed_values() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::open(&dir.path().join("db.db"), Kind::Sqlite).unwrap();
        let c = pool.get().unwrap();
        execute(&c, "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)", &[]).unwrap();
        let params = [Value::Integer(7), Value::Real(1.5), Value::Text("è".into()), Value::Blob(vec![0, 1]), Value::Null];
        execute(&c, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", &params).unwrap();
        let rows = execute(&c, "SELECT * FROM t", &[]).unwrap();
        assert_eq!(rows.columns, ["i", "r", "s", "b", "n"]);
        assert_eq!(rows.rows, vec![params.to_vec()]);
        assert!(execute(&c, "SELECT 1; SELECT 2", &[]).is_err(), "one statement per call");
    }

    #[test]
    fn fts5_is_available() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::open(&dir.path().join("db.db"), Kind::Sqlite).unwrap();
        let c = pool.get().unwrap();
        c.execute_batch("CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO f VALUES ('operaio specializzato');").unwrap();
        let rows = execute(&c, "SELECT count(*) FROM f WHERE f MATCH 'operaio'", &[]).unwrap();
        assert_eq!(rows.rows[0][0], Value::Integer(1));
    }

    #[test]
    fn large_scripts_run_in_linear_time_and_keep_statement_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::open(&dir.path().join("db.db"), Kind::Sqlite).unwrap();
        let c = pool.get().unwrap();
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
        let rows = execute(&c, "SELECT c FROM n", &[]).unwrap();
        assert_eq!(rows.rows[0][0], Value::Integer(60_000));
        assert!(execute_script(&c, "SELECT nope FROM t;").is_err(), "errors still surface");
    }

    #[test]
    fn open_transaction_is_rolled_back_when_returned() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::open(&dir.path().join("db.db"), Kind::Sqlite).unwrap();
        let c = pool.get().unwrap();
        c.execute_batch("CREATE TABLE t (x); BEGIN; INSERT INTO t VALUES (1);").unwrap();
        pool.put(c);
        let c = pool.get().unwrap();
        assert!(c.is_autocommit());
        let rows = execute(&c, "SELECT count(*) FROM t", &[]).unwrap();
        assert_eq!(rows.rows[0][0], Value::Integer(0));
    }
}
