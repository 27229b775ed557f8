//! Activation: the link sent by e-mail (and sent again on request), the page it
//! opens and the button's POST that activates the account.

use access::Account;
use common::rome::iso_utc;
use common::sql::{Db, Value};
use common::{ApiError, Reply, Req};
use outbox::Message;
use serde::Deserialize;
use serde_json::json;

use crate::views::ActivationSent;

use super::store::{account_row, person};
use super::{html, rate_limit, redirect, session_write, text, tx};
use crate::{form, pages, token};

/// A new activation link for `email` (older ones are superseded) and its e-mail, in
/// the caller's transaction. Returns the link's validity in hours.
pub(super) fn new_activation(req: &Req, conn: &dyn Db, person_id: i64, name: &str, email: &str) -> Result<i64, ApiError> {
    let now = req.now;
    let token = common::token::random_token()?;
    let hash = token::hash(&token).ok_or_else(|| ApiError::internal("random token is not a token"))?;
    let ttl = req.var_number("activation_ttl_seconds", 48 * 3600);
    conn.execute("UPDATE activation_tokens SET superseded_at = ? WHERE person_id = ? AND used_at IS NULL AND superseded_at IS NULL",
        &[Value::Integer(now), Value::Integer(person_id)],
    )?;
    conn.execute("INSERT INTO activation_tokens (token_hash, person_id, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        &[text(hash), Value::Integer(person_id), text(email), Value::Integer(now), Value::Integer(now + ttl)],
    )?;
    let base = req.var_text("base_url").ok_or_else(|| ApiError::internal("variable base_url is not set"))?;
    let link = token::link(&base, &token);
    let hours = token::validity_hours(ttl);
    outbox::enqueue(
        conn,
        &Message::new(outbox::Channel::Email, email, outbox::ACTIVATION).param("name", name).param("link", link).param("hours", hours.to_string()).person(person_id),
        now,
    )?;
    Ok(hours)
}

/// The body of `POST /api/registration/activation/resend` (may be empty): a corrected
/// address, typed twice.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ActivationResendIn))]
#[serde(deny_unknown_fields)]
pub struct ResendIn {
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    email_confirm: Option<String>,
}

/// `POST /api/registration/activation/resend`: a new link, to a corrected address if
/// one is given.
pub(super) fn resend(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = session_write(req, conn)?;
    match s.account {
        Account::Unregistered => return Err(access::guard::registration_required()),
        Account::Active => return Err(ApiError::new(409, "already_active", "Il tuo profilo è già attivo: non serve un nuovo collegamento.")),
        Account::Pending => {}
    }
    let input: ResendIn = if req.body.iter().all(u8::is_ascii_whitespace) { ResendIn::default() } else { req.json()? };
    let a = account_row(conn, s.person_id)?.ok_or_else(access::guard::registration_required)?;
    // a corrected address, if the first one was mistyped
    let email = form::corrected_email(input.email.as_deref(), input.email_confirm.as_deref())?.unwrap_or_else(|| a.email.clone());
    let now = req.now;
    let p = person(conn, s.person_id)?;
    let hours = tx(conn, |conn| {
        // the limits and the e-mail commit together: parallel requests send what they allow
        for (name, secs, max) in [("activation-resend-min", req.var_number("otp_resend_seconds", 60), 1), ("activation-resend-hour", 3600, req.var_number("otp_max_per_hour", 5))] {
            rate_limit(conn, req, name, s.person_id, secs, max, "resend_limit", "Hai appena chiesto un nuovo collegamento.")?;
        }
        conn.execute("UPDATE accounts SET email = ?, updated_at = ? WHERE person_id = ? AND status = 'pending'",
            &[text(email.as_str()), text(iso_utc(now)), Value::Integer(s.person_id)],
        )?;
        new_activation(req, conn, s.person_id, &p.name, &email)
    })?;
    Reply::json(200, &ActivationSent { email, activation_expires_in_hours: hours })
}

/// A stored token's state, its person and whether that person's account is active.
fn token_state(conn: &dyn Db, hash: &str, now: i64) -> Result<(token::State, Option<i64>, bool), ApiError> {
    let rows = conn.execute("SELECT t.person_id, t.used_at, t.superseded_at, t.expires_at, a.status FROM activation_tokens t LEFT JOIN accounts a ON a.person_id = t.person_id
         WHERE t.token_hash = ?",
        &[text(hash)],
    )?;
    let Some(r) = rows.rows().next() else { return Ok((token::State::Unknown, None, false)) };
    let state = token::state(Some((r.get::<i64>("used_at"), r.get::<i64>("superseded_at"), r.int("expires_at")?)), now);
    Ok((state, Some(r.int("person_id")?), r.get::<&str>("status") == Some("active")))
}

/// `GET /api/registration/activate?token=`: the e-mail's link. It changes nothing
/// (mail scanners and previews open links): a page with a button that POSTs.
pub(super) fn page(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let q = req.query()?;
    let raw = q.get("token").unwrap_or("");
    let hash = token::hash(raw).ok_or_else(|| token::refusal(token::State::Unknown, false))?;
    let (state, _, active) = token_state(conn, &hash, req.now)?;
    if state != token::State::Usable {
        return Err(token::refusal(state, active));
    }
    if req.wants_json() {
        // the portal's page for the link asks first whether it can still be used
        return Reply::json(200, &json!({ "status": "usable" }));
    }
    let (title, content) = pages::activate(raw);
    Ok(html(200, title, &content))
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ActivationIn))]
#[serde(deny_unknown_fields)]
pub struct ActivateIn {
    /// The token of the e-mail's link.
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 200))]
    token: Option<String>,
}

/// `POST /api/registration/activate` (form field or JSON `token`): single use, atomic.
/// No session needed (the link may be opened on another device); the caller's session
/// is updated when it is the same person's.
pub(super) fn activate(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let json = req.is_json();
    let raw = if json { req.json::<ActivateIn>()?.token.unwrap_or_default() } else { req.form()?.get("token").unwrap_or("").to_string() };
    let hash = token::hash(raw.trim()).ok_or_else(|| token::refusal(token::State::Unknown, false))?;
    let now = req.now;
    let activated = tx(conn, |conn| {
        let rows = conn.execute("UPDATE activation_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND superseded_at IS NULL AND expires_at >= ?
             RETURNING person_id, email",
            &[Value::Integer(now), text(hash.as_str()), Value::Integer(now)],
        )?;
        let Some(r) = rows.rows().next() else { return Ok(None) };
        let (person_id, email) = (r.int("person_id")?, r.text("email")?);
        let at = iso_utc(now);
        conn.execute("UPDATE accounts SET status = 'active', activated_at = coalesce(activated_at, ?1),
               email_verified_at = CASE WHEN email = ?2 THEN ?1 ELSE email_verified_at END, updated_at = ?1
             WHERE person_id = ?3",
            &[text(at.as_str()), text(email), Value::Integer(person_id)],
        )?;
        Ok(Some(person_id))
    })?;
    let Some(person_id) = activated else {
        let (state, _, active) = token_state(conn, &hash, now)?;
        return Err(token::refusal(state, active));
    };
    eprintln!("registration: person {person_id} activated");
    if json { Reply::json(200, &json!({ "status": "active" })) } else { Ok(redirect("/registrati/attivato/")) }
}

