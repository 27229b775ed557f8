//! SQL through one small trait, [`Db`], implemented for Spin's SQLite connection (in
//! the component) and for `rusqlite` (natively), so handler logic runs in unit tests
//! against the real migrations ([`testing::migrated`]).
//!
//! Statements are parameterised (`?` or `?N`); values are [`Value`]s, built with
//! [`params!`](crate::params) from Rust values. Results are [`Rows`], read by column
//! name with typed accessors that turn a missing or mistyped column into a logged 500.

use crate::ApiError;

/// A SQLite value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Integer(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Self::Integer(i64::from(v))
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Self::Integer(i64::from(v))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Integer(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Self::Real(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Self::Blob(v)
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Self::Blob(v.to_vec())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// `params![a, b, c]`: a `&[Value]` from Rust values (`i64`, `&str`, `String`, `bool`,
/// `Option<_>`, byte slices).
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::sql::Value] };
    ($($v:expr),+ $(,)?) => { &[$($crate::sql::Value::from($v)),+] as &[$crate::sql::Value] };
}

/// A statement's result: column names and rows of values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    /// The rows, each readable by column name.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row { columns: &self.columns, values })
    }

    pub fn first(&self) -> Option<Row<'_>> {
        self.rows().next()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The integer column of the first row (e.g. `SELECT count(*) AS n`); 500 when absent.
    pub fn scalar(&self, column: &str) -> Result<i64, ApiError> {
        self.first().ok_or_else(|| ApiError::internal(format!("no row for `{column}`")))?.int(column)
    }

    /// Each row mapped by `f`.
    pub fn map<T>(&self, f: impl FnMut(Row<'_>) -> Result<T, ApiError>) -> Result<Vec<T>, ApiError> {
        self.rows().map(f).collect()
    }
}

/// One row of [`Rows`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

/// Rust types a column can be read as.
pub trait FromValue<'a>: Sized {
    fn from_value(v: &'a Value) -> Option<Self>;
}

impl<'a> FromValue<'a> for i64 {
    fn from_value(v: &'a Value) -> Option<Self> {
        match v {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}
impl<'a> FromValue<'a> for f64 {
    fn from_value(v: &'a Value) -> Option<Self> {
        match v {
            Value::Real(f) => Some(*f),
            Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
}
impl<'a> FromValue<'a> for bool {
    fn from_value(v: &'a Value) -> Option<Self> {
        match v {
            Value::Integer(i) => Some(*i != 0),
            _ => None,
        }
    }
}
impl<'a> FromValue<'a> for &'a str {
    fn from_value(v: &'a Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.as_str()),
            _ => None,
        }
    }
}
impl<'a> FromValue<'a> for String {
    fn from_value(v: &'a Value) -> Option<Self> {
        <&str>::from_value(v).map(str::to_owned)
    }
}
impl<'a> FromValue<'a> for &'a [u8] {
    fn from_value(v: &'a Value) -> Option<Self> {
        match v {
            Value::Blob(b) => Some(b.as_slice()),
            Value::Text(s) => Some(s.as_bytes()),
            _ => None,
        }
    }
}

impl<'a> Row<'a> {
    /// The value of `column`, if the row has it.
    pub fn value(&self, column: &str) -> Option<&'a Value> {
        self.columns.iter().position(|c| c == column).map(|i| &self.values[i])
    }

    /// `column` as `T`; `None` when absent, NULL or of another type.
    pub fn get<T: FromValue<'a>>(&self, column: &str) -> Option<T> {
        self.value(column).and_then(T::from_value)
    }

    fn need<T: FromValue<'a>>(&self, column: &str, what: &str) -> Result<T, ApiError> {
        self.get(column).ok_or_else(|| ApiError::internal(format!("missing {what} column `{column}`")))
    }

    pub fn int(&self, column: &str) -> Result<i64, ApiError> {
        self.need(column, "integer")
    }

    pub fn text(&self, column: &str) -> Result<String, ApiError> {
        self.need(column, "text")
    }

    pub fn str(&self, column: &str) -> Result<&'a str, ApiError> {
        self.need(column, "text")
    }

    pub fn blob(&self, column: &str) -> Result<&'a [u8], ApiError> {
        self.need(column, "blob")
    }

    /// An integer column holding 0 or 1.
    pub fn flag(&self, column: &str) -> Result<bool, ApiError> {
        Ok(self.int(column)? != 0)
    }

    pub fn opt_int(&self, column: &str) -> Option<i64> {
        self.get(column)
    }

    pub fn opt_text(&self, column: &str) -> Option<String> {
        self.get(column)
    }
}

/// A SQLite connection.
pub trait Db {
    /// Runs one statement with its parameters.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, ApiError>;
}

impl<D: Db + ?Sized> Db for &D {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, ApiError> {
        (**self).execute(sql, params)
    }
}

/// `BEGIN IMMEDIATE … COMMIT` around `f`, rolled back on any error: the write lock is
/// taken at the start, so concurrent transactions queue instead of failing on upgrade.
pub fn tx<T>(db: &dyn Db, f: impl FnOnce(&dyn Db) -> Result<T, ApiError>) -> Result<T, ApiError> {
    db.execute("BEGIN IMMEDIATE", &[])?;
    match f(db) {
        Ok(v) => {
            db.execute("COMMIT", &[])?;
            Ok(v)
        }
        Err(e) => {
            if let Err(r) = db.execute("ROLLBACK", &[]) {
                eprintln!("sqlite: rollback failed: {r}");
            }
            Err(e)
        }
    }
}

/// What every connection needs, whichever host opened it. Spin opens a fresh rusqlite
/// connection per `open` with rusqlite's defaults (5 s busy timeout, `synchronous` FULL;
/// foreign keys as SQLite was compiled); set here so the behaviour is the same on Spin,
/// on the runner and in native tests:
/// - writers queue up to 10 s for the write lock (bursts of a few hundred simultaneous
///   writes from several replicas all succeed, `tests/replicas.rs`);
/// - the schema's `REFERENCES` are enforced;
/// - `synchronous = NORMAL` in WAL mode (`0001_schema_version.sql`): a committed write
///   survives a crash of the process; a power loss may lose the last commits but never
///   corrupts the file (README, "Durability").
///
/// Not `mmap_size`: a fresh connection's page cache starts empty, and natively a memory
/// map saves some of the `pread`s that fill it, but inside the host (a wasmtime process)
/// mapping and unmapping on every connection cost more than they saved: the offer
/// search's statements took 10 ms instead of 7 and closing its connection 4 ms instead
/// of 0.5 (`cargo bench -p e2e --bench throughput`, the runner's Server-Timing).
pub const ON_OPEN: &[&str] = &["PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"];

#[cfg(target_arch = "wasm32")]
mod spin_impl {
    use spin_sdk::sqlite::{self, Connection};

    use super::*;

    fn to_spin(v: &Value) -> sqlite::Value {
        match v {
            Value::Null => sqlite::Value::Null,
            Value::Integer(i) => sqlite::Value::Integer(*i),
            Value::Real(f) => sqlite::Value::Real(*f),
            Value::Text(s) => sqlite::Value::Text(s.clone()),
            Value::Blob(b) => sqlite::Value::Blob(b.clone()),
        }
    }

    fn from_spin(v: sqlite::Value) -> Value {
        match v {
            sqlite::Value::Null => Value::Null,
            sqlite::Value::Integer(i) => Value::Integer(i),
            sqlite::Value::Real(f) => Value::Real(f),
            sqlite::Value::Text(s) => Value::Text(s),
            sqlite::Value::Blob(b) => Value::Blob(b),
        }
    }

    /// Spin's connection to the `default` database (a wrapper, so that `execute` is
    /// always [`Db::execute`]).
    pub struct Conn(Connection);

    impl Db for Conn {
        fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, ApiError> {
            let params: Vec<sqlite::Value> = params.iter().map(to_spin).collect();
            let result = self.0.execute(sql, &params).map_err(|e| ApiError::internal(format!("sqlite `{sql}`: {e}")))?;
            Ok(Rows { columns: result.columns, rows: result.rows.into_iter().map(|r| r.values.into_iter().map(from_spin).collect()).collect() })
        }
    }

    /// The `default` database, with [`ON_OPEN`] applied.
    pub fn open() -> Result<Conn, ApiError> {
        let conn = Conn(Connection::open_default().map_err(|e| ApiError::internal(format!("sqlite open: {e}")))?);
        for pragma in ON_OPEN {
            conn.execute(pragma, &[])?;
        }
        Ok(conn)
    }
}

#[cfg(target_arch = "wasm32")]
pub use spin_impl::{Conn, open};

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use rusqlite::types::{ToSqlOutput, ValueRef};

    use super::*;

    impl rusqlite::ToSql for Value {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(match self {
                Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
                Value::Integer(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
                Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
                Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
                Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            })
        }
    }

    impl Db for rusqlite::Connection {
        fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, ApiError> {
            let fail = |e: rusqlite::Error| ApiError::internal(format!("sqlite `{sql}`: {e}"));
            let mut stmt = self.prepare_cached(sql).map_err(fail)?;
            let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
            let n = columns.len();
            let mut rows = Vec::new();
            let mut cursor = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(fail)?;
            while let Some(row) = cursor.next().map_err(fail)? {
                let mut values = Vec::with_capacity(n);
                for i in 0..n {
                    values.push(match row.get_ref(i).map_err(fail)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(i) => Value::Integer(i),
                        ValueRef::Real(f) => Value::Real(f),
                        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                    });
                }
                rows.push(values);
            }
            Ok(Rows { columns, rows })
        }
    }
}

/// Native test support: an in-memory database with the real migrations.
#[cfg(not(target_arch = "wasm32"))]
pub mod testing {
    use std::path::{Path, PathBuf};

    /// The repository's `db/` folder.
    pub fn db_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../db")
    }

    fn sql_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        files
    }

    /// A fresh in-memory database with every migration of `db/migrations` applied, in
    /// order, each file as one batch (as `--sqlite @file` does).
    pub fn migrated() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().expect("in-memory SQLite");
        for f in sql_files(&db_dir().join("migrations")) {
            let sql = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        conn
    }

    /// [`migrated`] plus the reference data of `db/reference` (places, CAPs), which the
    /// build generates (`node db/generate.mjs`): tests that need comuni run after it.
    pub fn with_reference() -> rusqlite::Connection {
        let conn = migrated();
        let dir = db_dir().join("reference");
        let files = sql_files(&dir);
        assert!(!files.is_empty(), "{} is empty: build first (node db/generate.mjs)", dir.display());
        for f in files {
            let sql = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        conn
    }

    /// Runs `sql` (several statements) on `conn`; panics with the statement's error.
    pub fn run(conn: &rusqlite::Connection, sql: &str) {
        conn.execute_batch(sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_columns_read_by_name() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, r REAL)").unwrap();
        let db: &dyn Db = &c;
        db.execute("INSERT INTO t VALUES (?, ?, ?, ?)", params![7, "sette", &b"\x00\xff"[..], 1.5]).unwrap();
        db.execute("INSERT INTO t VALUES (?, ?, ?, ?)", params![None::<i64>, None::<String>, None::<Vec<u8>>, None::<f64>]).unwrap();
        let rows = db.execute("SELECT i, s, b, r FROM t ORDER BY i IS NULL", &[]).unwrap();
        assert_eq!(rows.len(), 2);
        let r = rows.first().unwrap();
        assert_eq!((r.int("i").unwrap(), r.str("s").unwrap(), r.blob("b").unwrap()), (7, "sette", &b"\x00\xff"[..]));
        assert_eq!(r.get::<f64>("r"), Some(1.5));
        let null = rows.rows().nth(1).unwrap();
        assert_eq!((null.opt_int("i"), null.opt_text("s")), (None, None));
        assert_eq!(null.int("i").unwrap_err().status, 500);
        assert_eq!(r.int("missing").unwrap_err().status, 500);
        assert_eq!(db.execute("SELECT count(*) AS n FROM t", &[]).unwrap().scalar("n").unwrap(), 2);
    }

    #[test]
    fn transactions_commit_or_roll_back_as_a_whole() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (i INTEGER PRIMARY KEY)").unwrap();
        tx(&c, |db| db.execute("INSERT INTO t VALUES (1)", &[]).map(drop)).unwrap();
        let e = tx(&c, |db| {
            db.execute("INSERT INTO t VALUES (2)", &[])?;
            db.execute("INSERT INTO t VALUES (1)", &[]) // primary key conflict
        })
        .unwrap_err();
        assert_eq!(e.status, 500);
        assert_eq!(Db::execute(&c, "SELECT count(*) AS n FROM t", &[]).unwrap().scalar("n").unwrap(), 1, "2 was rolled back");
    }

    #[test]
    fn the_migrations_apply_in_order() {
        let c = testing::migrated();
        let n = Db::execute(&c, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'", &[]).unwrap().scalar("n").unwrap();
        assert!(n > 10, "{n} tables");
    }
}
