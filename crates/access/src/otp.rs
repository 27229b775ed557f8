//! One-time codes that prove a person controls a mobile number (SMS) or an e-mail
//! address: 6 random digits, stored salted and hashed in SQLite (`otp_codes`,
//! `db/migrations/0009_access.sql`) with their deadline, one current code per person and
//! channel.
//!
//! Sending is one transaction: the resend wait (a conditional upsert that refuses while
//! the last code is too recent), the hourly allowance (`common::rate`) and the message
//! in the outbox commit together or not at all, so a burst of parallel requests queues
//! exactly the messages the limits allow. Wrong guesses are counted atomically
//! (`otp_attempts`); after `max_attempts` the code is burned. A code that matched marks
//! the target verified for a while (`verified_until`), so a form sent back with other
//! errors does not need a new code.

use common::sql::{Db, tx};
use common::token::{hex, random_token, secrets_match};
use common::{ApiError, Req, params, rate};
use outbox::Message;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }
}

/// Limits, from Spin variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub ttl_secs: i64,
    pub resend_secs: i64,
    pub max_per_hour: i64,
    pub max_attempts: i64,
    /// How long a verified number/address stays verified for the form (seconds).
    pub verified_secs: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { ttl_secs: 600, resend_secs: 60, max_per_hour: 5, max_attempts: 5, verified_secs: 3600 }
    }
}

impl Limits {
    /// `otp_ttl_seconds`, `otp_resend_seconds`, `otp_max_per_hour`, `otp_max_attempts`.
    pub fn from_req(req: &Req) -> Self {
        let d = Self::default();
        Self {
            ttl_secs: req.var_number("otp_ttl_seconds", d.ttl_secs).max(1),
            resend_secs: req.var_number("otp_resend_seconds", d.resend_secs).max(0),
            max_per_hour: req.var_number("otp_max_per_hour", d.max_per_hour).max(1),
            max_attempts: req.var_number("otp_max_attempts", d.max_attempts).max(1),
            verified_secs: d.verified_secs,
        }
    }
}

pub fn hash(salt: &str, code: &str) -> String {
    hex(&Sha256::digest(format!("{salt}:{code}").as_bytes()))
}

/// 6 digits from the system's random source, without modulo bias.
pub fn random_code() -> Result<String, ApiError> {
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).map_err(ApiError::internal)?;
        let n = u32::from_le_bytes(b);
        // largest multiple of 1,000,000 below 2^32
        if n < 4_294_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// `secs` in whole minutes, rounded up.
pub fn minutes(secs: i64) -> i64 {
    (secs + 59) / 60
}

/// A new code replaces the current one only when the current one is old enough.
const ISSUE_SQL: &str = "INSERT INTO otp_codes (person_id, scope, id, target, salt, code_hash, sent_at, expires_at, used_at, verified_until)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL)
     ON CONFLICT (person_id, scope) DO UPDATE SET id = excluded.id, target = excluded.target, salt = excluded.salt,
       code_hash = excluded.code_hash, sent_at = excluded.sent_at, expires_at = excluded.expires_at, used_at = NULL, verified_until = NULL
     WHERE otp_codes.sent_at <= excluded.sent_at - ?9
     RETURNING id";

/// Deletes codes past any use (their deadline and the verified period) and their
/// counters (the cleanup job).
pub const PURGE_SQL: &[&str] = &[
    "DELETE FROM otp_codes WHERE expires_at <= ?1 AND coalesce(verified_until, 0) <= ?1 AND sent_at <= ?1 - 86400",
    "DELETE FROM otp_attempts WHERE expires_at <= ?1",
];

fn too_soon(wait: i64) -> ApiError {
    ApiError::new(429, "otp_too_soon", format!("Hai appena ricevuto un codice: potrai chiederne un altro tra {wait} secondi.")).retry_after(wait)
}

fn too_many(wait: i64) -> ApiError {
    ApiError::new(429, "otp_limit", format!("Hai chiesto troppi codici di verifica. Potrai chiederne un altro tra {} minuti.", minutes(wait))).retry_after(wait)
}

/// Sends a new code to `target` through the outbox: `message` is the template with its
/// other parameters; `code` and `minutes` are added here. 429 `otp_too_soon` or
/// `otp_limit` (with `retry_after`) when the limits refuse it; nothing is queued then.
pub fn send(db: &dyn Db, person_id: i64, channel: Channel, target: &str, message: Message, now: i64, l: Limits) -> Result<(), ApiError> {
    let code = random_code()?;
    let (id, salt) = (random_token()?[..32].to_string(), random_token()?[..32].to_string());
    let message = message.param("code", code.as_str()).param("minutes", minutes(l.ttl_secs).to_string()).person(person_id);
    tx(db, |db| {
        let issued = db.execute(
            ISSUE_SQL,
            params![person_id, channel.as_str(), id.as_str(), target, salt.as_str(), hash(&salt, &code), now, now + l.ttl_secs, l.resend_secs],
        )?;
        if issued.is_empty() {
            let sent = db.execute("SELECT sent_at FROM otp_codes WHERE person_id = ?1 AND scope = ?2", params![person_id, channel.as_str()])?.scalar("sent_at")?;
            return Err(too_soon((sent + l.resend_secs - now).max(1)));
        }
        rate::hit(db, &format!("otp-hour:{person_id}:{}", channel.as_str()), now, 3600, l.max_per_hour)?.map_err(too_many)?;
        outbox::enqueue(db, &message, now)
    })?;
    eprintln!("otp: {} code sent for person {person_id}", channel.as_str());
    Ok(())
}

/// The current code of a person and channel.
struct Current {
    id: String,
    target: String,
    salt: String,
    code_hash: String,
    expires_at: i64,
    used: bool,
}

fn current(db: &dyn Db, person_id: i64, channel: Channel) -> Result<Option<Current>, ApiError> {
    let rows = db.execute(
        "SELECT id, target, salt, code_hash, expires_at, used_at FROM otp_codes WHERE person_id = ?1 AND scope = ?2",
        params![person_id, channel.as_str()],
    )?;
    let Some(r) = rows.first() else { return Ok(None) };
    Ok(Some(Current {
        id: r.text("id")?,
        target: r.text("target")?,
        salt: r.text("salt")?,
        code_hash: r.text("code_hash")?,
        expires_at: r.int("expires_at")?,
        used: r.opt_int("used_at").is_some(),
    }))
}

/// Why a code cannot be accepted, before counting a guess.
fn precheck(c: Option<&Current>, target: &str, now: i64) -> Result<(), ApiError> {
    let Some(c) = c else {
        return Err(ApiError::bad_request("otp_missing", "Richiedi il codice di verifica e inseriscilo qui."));
    };
    if c.target != target {
        return Err(ApiError::bad_request("otp_other_target", "Il codice è stato inviato a un altro recapito: richiedi un codice per quello indicato."));
    }
    if c.used {
        return Err(otp_used());
    }
    if c.expires_at < now {
        return Err(ApiError::bad_request("otp_expired", "Il codice di verifica è scaduto: richiedine uno nuovo."));
    }
    Ok(())
}

fn otp_used() -> ApiError {
    ApiError::bad_request("otp_used", "Il codice di verifica è già stato usato: richiedine uno nuovo.")
}

/// The outcome of a guess, given the attempt number the atomic counter returned (1 for
/// the first guess of this code).
fn judge(salt: &str, code_hash: &str, code: &str, attempt: i64, l: Limits) -> Result<(), ApiError> {
    if attempt > l.max_attempts {
        return Err(ApiError::new(429, "otp_burned", "Hai sbagliato il codice troppe volte: per sicurezza non è più valido. Richiedi un nuovo codice."));
    }
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    if well_formed && secrets_match(hash(salt, code).as_bytes(), code_hash.as_bytes()) {
        return Ok(());
    }
    let left = l.max_attempts - attempt;
    Err(if left == 0 {
        ApiError::new(429, "otp_burned", "Codice errato. Hai esaurito i tentativi: richiedi un nuovo codice.")
    } else {
        ApiError::bad_request("otp_wrong", if left == 1 { "Codice errato: hai ancora un tentativo.".to_string() } else { format!("Codice errato: hai ancora {left} tentativi.") })
    })
}

/// Checks a guess of the code sent to `target`; when it matches, the code is used up and
/// `target` stays verified for [`Limits::verified_secs`].
pub fn verify(db: &dyn Db, person_id: i64, channel: Channel, target: &str, code: &str, now: i64, l: Limits) -> Result<(), ApiError> {
    let c = current(db, person_id, channel)?;
    precheck(c.as_ref(), target, now)?;
    let Some(c) = c else { return Err(ApiError::internal("otp record vanished")) };
    let attempt = db
        .execute(
            "INSERT INTO otp_attempts (otp_id, attempts, expires_at) VALUES (?1, 1, ?2)
             ON CONFLICT (otp_id) DO UPDATE SET attempts = attempts + 1 RETURNING attempts",
            params![c.id.as_str(), c.expires_at + 3600],
        )?
        .scalar("attempts")?;
    if let Err(e) = judge(&c.salt, &c.code_hash, code.trim(), attempt, l) {
        eprintln!("otp: {} code refused for person {person_id} ({}, attempt {attempt})", channel.as_str(), e.code);
        return Err(e);
    }
    // used once: a parallel right guess that lost the race is told so
    let used = db.execute(
        "UPDATE otp_codes SET used_at = ?4, verified_until = ?5 WHERE person_id = ?1 AND scope = ?2 AND id = ?3 AND used_at IS NULL RETURNING id",
        params![person_id, channel.as_str(), c.id.as_str(), now, now + l.verified_secs],
    )?;
    if used.is_empty() {
        return Err(otp_used());
    }
    Ok(())
}

/// The target verified with a code and still within its verified period, if any.
pub fn verified_target(db: &dyn Db, person_id: i64, channel: Channel, now: i64) -> Result<Option<String>, ApiError> {
    let rows = db.execute(
        "SELECT target FROM otp_codes WHERE person_id = ?1 AND scope = ?2 AND verified_until >= ?3",
        params![person_id, channel.as_str(), now],
    )?;
    Ok(rows.first().and_then(|r| r.opt_text("target")))
}

/// Whether `target` was verified recently.
pub fn is_verified(db: &dyn Db, person_id: i64, channel: Channel, target: &str, now: i64) -> Result<bool, ApiError> {
    Ok(verified_target(db, person_id, channel, now)?.is_some_and(|t| t == target))
}

/// Forgets a person's code and its verification (after the form that needed it). The
/// hourly allowance is kept.
pub fn forget(db: &dyn Db, person_id: i64, channel: Channel) -> Result<(), ApiError> {
    db.execute("DELETE FROM otp_codes WHERE person_id = ?1 AND scope = ?2", params![person_id, channel.as_str()])?;
    Ok(())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use common::sql::testing;
    use outbox::Channel as Out;

    use super::*;
    use crate::testing::db;

    const L: Limits = Limits { ttl_secs: 600, resend_secs: 60, max_per_hour: 3, max_attempts: 5, verified_secs: 3600 };
    const TARGET: &str = "+393471234567";

    fn sms() -> Message {
        Message::new(Out::Sms, TARGET, outbox::OTP)
    }

    fn count(c: &rusqlite::Connection, sql: &str) -> i64 {
        Db::execute(c, sql, &[]).unwrap().scalar("n").unwrap()
    }

    /// The code of the last SMS in the outbox.
    fn last_code(c: &rusqlite::Connection) -> String {
        let rows = Db::execute(c, "SELECT params FROM outbox ORDER BY id DESC LIMIT 1", &[]).unwrap();
        let p: serde_json::Value = serde_json::from_str(rows.first().unwrap().str("params").unwrap()).unwrap();
        p["code"].as_str().unwrap().to_string()
    }

    #[test]
    fn codes_are_six_random_digits() {
        let a = random_code().unwrap();
        assert!(a.len() == 6 && a.bytes().all(|b| b.is_ascii_digit()));
        let many: std::collections::HashSet<String> = (0..50).map(|_| random_code().unwrap()).collect();
        assert!(many.len() > 40, "random");
    }

    #[test]
    fn resend_wait_and_hourly_allowance_queue_nothing_when_refused() {
        let c = db();
        send(&c, 1, Channel::Sms, TARGET, sms(), 1000, L).unwrap();
        let e = send(&c, 1, Channel::Sms, TARGET, sms(), 1030, L).unwrap_err();
        assert_eq!((e.status, e.code, e.retry_after), (429, "otp_too_soon", Some(30)));
        assert!(e.message.contains("30 secondi"));
        send(&c, 1, Channel::Sms, TARGET, sms(), 1060, L).unwrap();
        send(&c, 1, Channel::Sms, TARGET, sms(), 1120, L).unwrap();
        let e = send(&c, 1, Channel::Sms, TARGET, sms(), 1200, L).unwrap_err();
        assert_eq!((e.code, e.retry_after), ("otp_limit", Some(3400)));
        assert!(e.message.contains("57 minuti"), "{}", e.message);
        assert_eq!(count(&c, "SELECT count(*) AS n FROM outbox"), 3, "refusals queue nothing");
        send(&c, 1, Channel::Sms, TARGET, sms(), 4600, L).unwrap();
        send(&c, 1, Channel::Email, "mario@example.org", Message::new(Out::Email, "mario@example.org", outbox::OTP).param("name", "Mario"), 4600, L).unwrap();
        assert_eq!(count(&c, "SELECT count(*) AS n FROM outbox"), 5, "a new hour, and e-mail has its own allowance");
    }

    #[test]
    fn a_right_guess_verifies_once_and_wrong_guesses_burn_the_code() {
        let c = db();
        assert_eq!(verify(&c, 1, Channel::Sms, TARGET, "000000", 1000, L).unwrap_err().code, "otp_missing");
        send(&c, 1, Channel::Sms, TARGET, sms(), 1000, L).unwrap();
        let code = last_code(&c);
        assert_eq!(verify(&c, 1, Channel::Sms, "+393470000000", &code, 1000, L).unwrap_err().code, "otp_other_target");
        assert_eq!(verify(&c, 1, Channel::Sms, TARGET, &code, 1601, L).unwrap_err().code, "otp_expired");
        assert!(!is_verified(&c, 1, Channel::Sms, TARGET, 1000).unwrap());
        verify(&c, 1, Channel::Sms, TARGET, &format!(" {code} "), 1010, L).unwrap();
        assert!(is_verified(&c, 1, Channel::Sms, TARGET, 1010 + 3600).unwrap());
        assert!(!is_verified(&c, 1, Channel::Sms, TARGET, 1011 + 3600).unwrap(), "the verification expires");
        assert!(!is_verified(&c, 1, Channel::Sms, "+393470000000", 1010).unwrap());
        assert_eq!(verify(&c, 1, Channel::Sms, TARGET, &code, 1020, L).unwrap_err().code, "otp_used");
        send(&c, 1, Channel::Sms, TARGET, sms(), 1100, L).unwrap();
        let code = last_code(&c);
        let wrong = if code == "111111" { "222222" } else { "111111" };
        let e = verify(&c, 1, Channel::Sms, TARGET, wrong, 1100, L).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("otp_wrong", "Codice errato: hai ancora 4 tentativi."));
        for _ in 0..3 {
            verify(&c, 1, Channel::Sms, TARGET, "12345", 1100, L).unwrap_err();
        }
        assert_eq!(verify(&c, 1, Channel::Sms, TARGET, wrong, 1100, L).unwrap_err().code, "otp_burned");
        assert_eq!(verify(&c, 1, Channel::Sms, TARGET, &code, 1100, L).unwrap_err().code, "otp_burned", "even the right code");
        forget(&c, 1, Channel::Sms).unwrap();
        assert_eq!(verify(&c, 1, Channel::Sms, TARGET, &code, 1100, L).unwrap_err().code, "otp_missing");
        for sql in PURGE_SQL {
            Db::execute(&c, sql, params![1_000_000]).unwrap();
        }
        assert_eq!(count(&c, "SELECT count(*) AS n FROM otp_attempts"), 0);
        testing::run(&c, "SELECT 1");
    }
}
