//! Helpers over Spin's SQLite (`default` database): failures become logged 500s with
//! an Italian message; typed column access by name.

use spin_sdk::sqlite::{Connection, QueryResult, Value};

use crate::ApiError;

pub fn open() -> Result<Connection, ApiError> {
    Connection::open_default().map_err(|e| ApiError::internal(format!("sqlite open: {e}")))
}

pub fn query(conn: &Connection, sql: &str, params: &[Value]) -> Result<QueryResult, ApiError> {
    conn.execute(sql, params).map_err(|e| ApiError::internal(format!("sqlite `{sql}`: {e}")))
}

/// The first column of the first row as an integer (e.g. `SELECT count(*) AS n`).
pub fn scalar_i64(result: &QueryResult, column: &str) -> Result<i64, ApiError> {
    result
        .rows()
        .next()
        .and_then(|r| r.get::<i64>(column))
        .ok_or_else(|| ApiError::internal(format!("missing integer column `{column}`")))
}

pub fn text(row: &spin_sdk::sqlite::Row<'_>, column: &str) -> Result<String, ApiError> {
    row.get::<&str>(column)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal(format!("missing text column `{column}`")))
}

/// A text column that may be NULL.
pub fn opt_text(row: &spin_sdk::sqlite::Row<'_>, column: &str) -> Option<String> {
    row.get::<&str>(column).map(str::to_owned)
}

pub fn int(row: &spin_sdk::sqlite::Row<'_>, column: &str) -> Result<i64, ApiError> {
    row.get::<i64>(column).ok_or_else(|| ApiError::internal(format!("missing integer column `{column}`")))
}

/// `BEGIN IMMEDIATE … COMMIT` around `f`, rolled back on any error.
pub fn tx<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T, ApiError>) -> Result<T, ApiError> {
    query(conn, "BEGIN IMMEDIATE", &[])?;
    match f(conn) {
        Ok(v) => {
            query(conn, "COMMIT", &[])?;
            Ok(v)
        }
        Err(e) => {
            if let Err(r) = conn.execute("ROLLBACK", &[]) {
                eprintln!("sqlite: rollback failed: {r}");
            }
            Err(e)
        }
    }
}
