//! Fixed-window rate limits in SQLite (`rate_windows`, `db/migrations/0009_access.sql`):
//! one atomic upsert counts a hit and refuses it when the window is full, so parallel
//! requests cannot slip past a limit. Keys are namespaced by what they limit, e.g.
//! `login-start:ip:203.0.113.7`.

use crate::sql::Db;
use crate::{ApiError, params};

/// Counts a hit now, or refuses it when the window is full.
const HIT_SQL: &str = "INSERT INTO rate_windows (key, window_start, hits, expires_at) VALUES (?1, ?2, 1, ?2 + ?3)
     ON CONFLICT (key) DO UPDATE SET
       window_start = CASE WHEN expires_at <= ?2 THEN ?2 ELSE window_start END,
       hits = CASE WHEN expires_at <= ?2 THEN 1 ELSE hits + 1 END,
       expires_at = CASE WHEN expires_at <= ?2 THEN ?2 + ?3 ELSE expires_at END
     WHERE rate_windows.expires_at <= ?2 OR rate_windows.hits < ?4
     RETURNING hits";

/// Removes windows that are over (the cleanup job).
pub const PURGE_SQL: &str = "DELETE FROM rate_windows WHERE expires_at <= ?1";

/// One hit of `key` at `now`, in windows of `window_secs` allowing `max` hits: `Ok(())`,
/// or `Err(seconds)` until the window is over.
pub fn hit(db: &dyn Db, key: &str, now: i64, window_secs: i64, max: i64) -> Result<Result<(), i64>, ApiError> {
    if db.execute(HIT_SQL, params![key, now, window_secs.max(1), max])?.first().is_some() {
        return Ok(Ok(()));
    }
    let until = db.execute("SELECT expires_at FROM rate_windows WHERE key = ?1", params![key])?.scalar("expires_at")?;
    Ok(Err((until - now).max(1)))
}

/// 429 with a message that says how long to wait (`Retry-After` is added by
/// [`crate::Reply::from`] from [`ApiError::retry_after`]).
pub fn too_many(code: &'static str, what: &str, wait_secs: i64) -> ApiError {
    let when = if wait_secs < 120 { format!("{wait_secs} secondi") } else { format!("{} minuti", (wait_secs + 59) / 60) };
    ApiError::new(429, code, format!("{what} Riprova tra {when}.")).retry_after(wait_secs)
}

/// [`hit`] turned into the 429 [`too_many`] when refused.
pub fn check(db: &dyn Db, key: &str, now: i64, window_secs: i64, max: i64, code: &'static str, what: &str) -> Result<(), ApiError> {
    hit(db, key, now, window_secs, max)?.map_err(|wait| too_many(code, what, wait))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::testing;

    #[test]
    fn windows_count_refuse_and_start_again() {
        let c = testing::migrated();
        assert_eq!(hit(&c, "k", 100, 60, 2).unwrap(), Ok(()));
        assert_eq!(hit(&c, "k", 110, 60, 2).unwrap(), Ok(()));
        assert_eq!(hit(&c, "k", 120, 60, 2).unwrap(), Err(40));
        assert_eq!(hit(&c, "k", 159, 60, 2).unwrap(), Err(1));
        assert_eq!(hit(&c, "other", 120, 60, 2).unwrap(), Ok(()), "keys are independent");
        assert_eq!(hit(&c, "k", 160, 60, 2).unwrap(), Ok(()), "a new window");
        assert_eq!(hit(&c, "k", 161, 60, 2).unwrap(), Ok(()));
        assert_eq!(hit(&c, "k", 162, 60, 2).unwrap(), Err(58));
        Db::execute(&c, PURGE_SQL, params![230]).unwrap();
        assert_eq!(Db::execute(&c, "SELECT count(*) AS n FROM rate_windows", &[]).unwrap().scalar("n").unwrap(), 0);
    }

    #[test]
    fn refusals_say_how_long_to_wait() {
        let e = too_many("x", "Troppe ricerche.", 30);
        assert_eq!((e.status, e.message.as_str(), e.retry_after), (429, "Troppe ricerche. Riprova tra 30 secondi.", Some(30)));
        assert_eq!(too_many("x", "Troppe ricerche.", 600).message, "Troppe ricerche. Riprova tra 10 minuti.");
    }
}
