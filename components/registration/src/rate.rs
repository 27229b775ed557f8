//! Fixed-window rate limits kept in key-value (`rate:<name>:<subject>`): the company
//! registry lookup (so it cannot be scraped) and the activation e-mail resend.
//!
//! Key-value has no atomic increment, so parallel requests may slip a few extra hits
//! through; these limits only bound abuse. (The OTP guess counter, which must be
//! exact, is in SQLite: see [`crate::otp`].)

use common::ApiError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub count: u32,
}

/// Counts a hit at `now` in windows of `secs` seconds allowing `max` hits: the new
/// window to store, or the seconds until the next hit is allowed.
pub fn hit(prev: Option<Window>, now: i64, secs: i64, max: u32) -> Result<Window, i64> {
    match prev {
        Some(w) if now >= w.start && now - w.start < secs => {
            if w.count >= max {
                Err(w.start + secs - now)
            } else {
                Ok(Window { start: w.start, count: w.count + 1 })
            }
        }
        _ => Ok(Window { start: now, count: 1 }),
    }
}

pub fn key(name: &str, subject: i64) -> String {
    format!("rate:{name}:{subject}")
}

/// 429 with a message that says how long to wait.
pub fn too_many(code: &'static str, what: &str, wait_secs: i64) -> ApiError {
    let when = if wait_secs < 120 { format!("{wait_secs} secondi") } else { format!("{} minuti", (wait_secs + 59) / 60) };
    ApiError::new(429, code, format!("{what} Riprova tra {when}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let w = hit(None, 100, 60, 2).unwrap();
        assert_eq!(w, Window { start: 100, count: 1 });
        let w = hit(Some(w), 110, 60, 2).unwrap();
        assert_eq!(w.count, 2);
        assert_eq!(hit(Some(w), 120, 60, 2), Err(40));
        assert_eq!(hit(Some(w), 160, 60, 2), Ok(Window { start: 160, count: 1 }));
        // a window from the future (clock moved back) starts again
        assert_eq!(hit(Some(Window { start: 500, count: 9 }), 100, 60, 2), Ok(Window { start: 100, count: 1 }));
    }

    #[test]
    fn messages() {
        assert_eq!(too_many("x", "Troppe ricerche.", 30).message, "Troppe ricerche. Riprova tra 30 secondi.");
        assert_eq!(too_many("x", "Troppe ricerche.", 600).message, "Troppe ricerche. Riprova tra 10 minuti.");
        assert_eq!(too_many("x", "", 1).status, 429);
    }
}
