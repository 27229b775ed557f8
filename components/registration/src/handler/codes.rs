//! One-time codes: sending one (through the outbox), checking a guess (counted in
//! SQLite), and the code inside a form. The rules are in [`crate::otp`].

use common::outbox::{self, Message};
use common::rome::unix_now;
use common::session;
use common::validation::Fields;
use common::{ApiError, Reply, db, kv};
use serde_json::json;
use spin_sdk::sqlite::{Connection, Value};

use super::{limits, text, with_retry_after};
use crate::otp::{self, Channel, Otp, Verified};

/// Sends a new code to `target` (429 with `Retry-After` when too soon or too often).
pub(super) fn send(conn: &Connection, person_id: i64, name: &str, channel: Channel, target: &str) -> Result<Reply, ApiError> {
    let l = limits();
    let now = unix_now();
    let key = otp::key(person_id, channel);
    let prev: Option<Otp> = kv::get_json(&key)?;
    if let Err((e, wait)) = otp::may_send(prev.as_ref(), now, l) {
        return Ok(with_retry_after(e, wait));
    }
    let code = otp::random_code()?;
    let rec = otp::issue(prev.as_ref(), target, &code, session::random_token()?[..32].to_string(), session::random_token()?[..32].to_string(), now, l);
    let minutes = otp::minutes(l.ttl_secs).to_string();
    let msg = match channel {
        Channel::Sms => Message::new(outbox::Channel::Sms, target, outbox::OTP),
        Channel::Email => Message::new(outbox::Channel::Email, target, outbox::OTP).param("name", name),
    }
    .param("code", code)
    .param("minutes", minutes)
    .person(person_id);
    // queue first: a failure leaves no code behind that the person never received
    outbox::enqueue(conn, &msg)?;
    kv::set_json(&key, &rec)?;
    eprintln!("registration: {} code sent for person {person_id}", channel.as_str());
    Reply::json(200, &json!({ "channel": channel.as_str(), "sent_to": target, "expires_in": l.ttl_secs, "resend_in": l.resend_secs }))
}

/// Counts one guess of code `otp_id` atomically; returns its number (1 = first).
fn count_attempt(conn: &Connection, otp_id: &str, keep_until: i64, now: i64) -> Result<u32, ApiError> {
    db::query(conn, "DELETE FROM otp_attempts WHERE expires_at < ?", &[Value::Integer(now)])?;
    let rows = db::query(
        conn,
        "INSERT INTO otp_attempts (otp_id, attempts, expires_at) VALUES (?, 1, ?)
         ON CONFLICT (otp_id) DO UPDATE SET attempts = attempts + 1 RETURNING attempts",
        &[text(otp_id), Value::Integer(keep_until)],
    )?;
    Ok(db::scalar_i64(&rows, "attempts")?.clamp(0, i64::from(u32::MAX)) as u32)
}

/// Checks a code for `target`; on success records the target as verified.
pub(super) fn verify(conn: &Connection, person_id: i64, channel: Channel, target: &str, code: &str) -> Result<(), ApiError> {
    let l = limits();
    let now = unix_now();
    let key = otp::key(person_id, channel);
    let rec: Option<Otp> = kv::get_json(&key)?;
    otp::precheck(rec.as_ref(), target, now)?;
    let Some(mut rec) = rec else { return Err(ApiError::internal("otp record vanished")) };
    let attempt = count_attempt(conn, &rec.id, rec.expires_at + 3600, now)?;
    let outcome = otp::judge(&rec, code.trim(), attempt, l);
    match &outcome {
        Ok(()) => {
            rec.used = true;
            kv::set_json(&key, &rec)?;
            kv::set_json(&otp::verified_key(person_id, channel), &Verified { target: target.into(), verified_at: now, expires_at: now + l.verified_secs })?;
        }
        Err(e) => eprintln!("registration: {} code refused for person {person_id} ({}, attempt {attempt})", channel.as_str(), e.code),
    }
    outcome
}

/// The code in a form: fine when `target` was verified already, else checks `code`
/// and records a problem under `field`.
pub(super) fn in_form(conn: &Connection, person_id: i64, channel: Channel, target: &str, code: Option<&str>, field: &str, f: &mut Fields) -> Result<(), ApiError> {
    let verified: Option<Verified> = kv::get_json(&otp::verified_key(person_id, channel))?;
    if otp::is_verified(verified.as_ref(), target, unix_now()) {
        return Ok(());
    }
    let code = code.map(str::trim).unwrap_or("");
    if code.is_empty() {
        f.add(field, "required", otp::missing_code(channel));
        return Ok(());
    }
    match verify(conn, person_id, channel, target, code) {
        Ok(()) => Ok(()),
        Err(e) if e.status < 500 => {
            f.add(field, e.code, e.message);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The reply to a code that matched.
pub(super) fn verified_reply(channel: Channel, target: &str) -> Result<Reply, ApiError> {
    Reply::json(200, &json!({ "verified": true, "channel": channel.as_str(), "target": target }))
}
