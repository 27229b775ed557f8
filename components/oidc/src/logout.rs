//! Back-channel logout (OIDC Back-Channel Logout 1.0). The sso component ends portal
//! sessions (local logout, SAML single logout, expiry) and never touches this
//! component's tables: the job `POST /jobs/oidc/logout` finds, in `oidc_codes`, the
//! partners that redeemed a code in a session that no longer lives, records one row per
//! (session, partner) in `oidc_logouts` (this component is its only writer) and POSTs a
//! signed logout token to each partner's `backchannel_logout_uri`, with bounded
//! retries. A partner without a backchannel URI gets a row marked `none` and nothing
//! is sent. The same job then removes what this component no longer needs ([`purge`]).
//! The plain logic is here; the HTTP delivery is in `job` (wasm only).

use common::sql::{Db, tx};
use common::token::{random_token, sha256_hex};
use common::{ApiError, Req, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::{self, Client};

/// Attempts before a logout token is given up (`dead`).
pub const MAX_ATTEMPTS: i64 = 5;
/// First retry after this many seconds, doubling each time.
pub const BACKOFF_SECONDS: i64 = 60;
/// Seconds a claimed row is kept from other runs while it is being sent.
pub const LEASE_SECONDS: i64 = 120;
/// Seconds a logout token is valid.
pub const LOGOUT_TOKEN_TTL: i64 = 120;
/// Tokens one run sends at most.
pub const BATCH: i64 = 100;
/// Codes older than the session lifetime plus this margin are not looked at.
pub const LOOKBACK_MARGIN_SECONDS: i64 = 86_400;

pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The partner-specific session id (`sid`) of a portal session: the same in the ID
/// token and in the logout token; partners cannot join sessions on it.
pub fn sid(client_id: &str, session_hash: &str) -> String {
    sha256_hex(format!("sid|{client_id}|{session_hash}").as_bytes())[..32].to_string()
}

#[derive(Serialize)]
pub struct LogoutToken<'a> {
    pub iss: &'a str,
    pub aud: &'a str,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub sub: String,
    pub sid: String,
    pub events: Value,
}

/// Records the (ended session, partner) pairs not yet recorded; returns how many. A
/// session has ended when its row is gone (logout, single logout, cleanup) or it is past
/// its absolute or idle lifetime (the same rule as `access::session`'s lookup).
pub fn discover(req: &Req, db: &dyn Db, clients: &[Client]) -> Result<i64, ApiError> {
    let now = req.now;
    let t = access::session::Timeouts::from_req(req);
    let rows = db.execute(
        "SELECT DISTINCT c.session_hash, c.client_id, c.person_id FROM oidc_codes c
          WHERE c.used_at IS NOT NULL AND c.created_at > ?1
            AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id_hash = c.session_hash AND s.expires_at > ?2 AND s.last_seen > ?2 - ?3)
            AND NOT EXISTS (SELECT 1 FROM oidc_logouts l WHERE l.session_hash = c.session_hash AND l.client_id = c.client_id)",
        params![now - t.absolute_secs - LOOKBACK_MARGIN_SECONDS, now, t.idle_secs],
    )?;
    let found = rows.map(|r| Ok((r.text("session_hash")?, r.text("client_id")?, r.int("person_id")?)))?;
    let mut n = 0;
    for (session_hash, client_id, person_id) in found {
        let wants = clients.iter().any(|c| c.client_id == client_id && c.backchannel_logout_uri.is_some());
        let status = if wants { "pending" } else { "none" };
        n += db
            .execute(
                "INSERT INTO oidc_logouts (session_hash, client_id, person_id, status, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (session_hash, client_id) DO NOTHING RETURNING client_id",
                params![session_hash.as_str(), client_id.as_str(), person_id, status, now],
            )?
            .len() as i64;
    }
    Ok(n)
}

/// One logout token to deliver.
#[derive(Debug)]
pub struct Claimed {
    pub session_hash: String,
    pub client_id: String,
    pub uri: String,
    pub attempts: i64,
    pub token: String,
}

/// Claims the due rows (a lease: another run skips them until it ends) and signs a
/// logout token for each.
pub fn claim(req: &Req, db: &dyn Db, clients: &[Client]) -> Result<Vec<Claimed>, ApiError> {
    let now = req.now;
    let rows = tx(db, |db| {
        db.execute(
            "UPDATE oidc_logouts SET next_attempt_at = ?1
              WHERE rowid IN (SELECT rowid FROM oidc_logouts WHERE status = 'pending' AND next_attempt_at <= ?2 ORDER BY next_attempt_at LIMIT ?3)
              RETURNING session_hash, client_id, person_id, attempts",
            params![now + LEASE_SECONDS, now, BATCH],
        )
    })?;
    let signer = crate::signer(req)?;
    let iss = config::issuer(req);
    let mut out = Vec::new();
    for r in rows.map(|r| Ok((r.text("session_hash")?, r.text("client_id")?, r.int("person_id")?, r.int("attempts")?)))? {
        let (session_hash, client_id, person_id, attempts) = r;
        let Some(uri) = clients.iter().find(|c| c.client_id == client_id).and_then(|c| c.backchannel_logout_uri.clone()) else {
            // the partner was removed from the configuration, or its URI: nothing to send
            db.execute("UPDATE oidc_logouts SET status = 'none' WHERE session_hash = ?1 AND client_id = ?2", params![session_hash.as_str(), client_id.as_str()])?;
            continue;
        };
        let cf = db.execute("SELECT fiscal_code FROM people WHERE id = ?1", params![person_id])?.first().map(|r| r.text("fiscal_code")).transpose()?.unwrap_or_default();
        let claims = LogoutToken {
            iss: &iss,
            aud: &client_id,
            iat: now,
            exp: now + LOGOUT_TOKEN_TTL,
            jti: random_token()?,
            sub: crate::pairwise_sub(req, &client_id, &cf),
            sid: sid(&client_id, &session_hash),
            events: json!({ EVENT: {} }),
        };
        let token = signer.sign_typed("logout+jwt", &claims);
        out.push(Claimed { session_hash, client_id, uri, attempts, token });
    }
    Ok(out)
}

/// What a partner's answer means: 200/204 delivered (OIDC BCL 2.8), anything else
/// (or no answer) a failure to retry.
pub fn delivered(status: Option<u16>) -> bool {
    matches!(status, Some(200 | 204))
}

/// The row's next state after an attempt: `sent`, or `pending` with a doubling backoff,
/// or `dead` after [`MAX_ATTEMPTS`].
pub fn next_state(attempts_before: i64, ok: bool, now: i64) -> (&'static str, i64, i64) {
    let attempts = attempts_before + 1;
    if ok {
        ("sent", attempts, now)
    } else if attempts >= MAX_ATTEMPTS {
        ("dead", attempts, now)
    } else {
        ("pending", attempts, now + BACKOFF_SECONDS * (1 << (attempts - 1).min(10)))
    }
}

/// Records the attempt's result.
pub fn finish(db: &dyn Db, c: &Claimed, ok: bool, error: Option<&str>, now: i64) -> Result<&'static str, ApiError> {
    let (status, attempts, next) = next_state(c.attempts, ok, now);
    db.execute(
        "UPDATE oidc_logouts SET status = ?1, attempts = ?2, next_attempt_at = ?3, last_error = ?4, sent_at = CASE WHEN ?1 = 'sent' THEN ?5 ELSE sent_at END
          WHERE session_hash = ?6 AND client_id = ?7",
        params![status, attempts, next, error, now, c.session_hash.as_str(), c.client_id.as_str()],
    )?;
    Ok(status)
}

/// What [`purge`] removed, by table.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OidcPurged))]
pub struct Purged {
    /// Authorization codes: unused ones once expired; redeemed ones once past the window
    /// in which [`discover`] looks for ended sessions.
    pub codes: i64,
    /// Access tokens past their expiry.
    pub tokens: i64,
    /// Hand-offs past their expiry.
    pub handoffs: i64,
    /// Back-channel logouts that are done (sent, given up, nothing to send) and whose
    /// codes are gone, so that [`discover`] cannot record them again.
    pub logouts: i64,
}

/// Removes the rows this component no longer needs, which link a person to the
/// partners they signed in to: nothing else reads them once they are expired or done.
/// Consents stay until the person revokes them (or their account goes).
pub fn purge(req: &Req, db: &dyn Db) -> Result<Purged, ApiError> {
    let now = req.now;
    let t = access::session::Timeouts::from_req(req);
    let count = |sql: &str, params: &[common::sql::Value]| -> Result<i64, ApiError> { Ok(db.execute(sql, params)?.len() as i64) };
    Ok(Purged {
        codes: count(
            "DELETE FROM oidc_codes WHERE (used_at IS NULL AND expires_at <= ?1) OR created_at <= ?2 RETURNING 1",
            params![now, now - t.absolute_secs - LOOKBACK_MARGIN_SECONDS],
        )?,
        tokens: count("DELETE FROM oidc_tokens WHERE expires_at <= ?1 RETURNING 1", params![now])?,
        handoffs: count("DELETE FROM oidc_handoffs WHERE expires_at <= ?1 RETURNING 1", params![now])?,
        logouts: count(
            "DELETE FROM oidc_logouts WHERE status IN ('sent', 'dead', 'none')
                AND NOT EXISTS (SELECT 1 FROM oidc_codes c WHERE c.session_hash = oidc_logouts.session_hash AND c.client_id = oidc_logouts.client_id)
              RETURNING 1",
            &[],
        )?,
    })
}

/// The job's answer: counts.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OidcLogoutReport))]
pub struct Report {
    pub discovered: i64,
    pub claimed: i64,
    pub sent: i64,
    pub retrying: i64,
    pub dead: i64,
    /// What the run removed afterwards.
    pub purged: Purged,
}

/// `POST /jobs/oidc/logout` (wasm): bearer `jobs_secret`; discovers, claims, sends,
/// then purges.
#[cfg(target_arch = "wasm32")]
pub async fn job(req: &Req) -> Result<common::Reply, ApiError> {
    use spin_sdk::http::{Method, Request, Response};
    if req.method != "POST" {
        return Err(ApiError::new(405, "method_not_allowed", "Metodo non consentito."));
    }
    common::jobs::check_auth(&req.var("jobs_secret").unwrap_or_default(), req.header("authorization"))?;
    let db = common::sql::open()?;
    let clients = config::clients(req);
    let mut report = Report { discovered: discover(req, &db, &clients)?, ..Report::default() };
    let claimed = claim(req, &db, &clients)?;
    report.claimed = claimed.len() as i64;
    for c in &claimed {
        let body = form_urlencoded::Serializer::new(String::new()).append_pair("logout_token", &c.token).finish().into_bytes();
        let request = Request::builder()
            .method(Method::Post)
            .uri(&c.uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", body.len().to_string())
            .body(body)
            .build();
        let (status, error) = match spin_sdk::http::send::<_, Response>(request).await {
            Ok(resp) => (Some(*resp.status()), Some(format!("HTTP {}", resp.status()))),
            Err(e) => (None, Some(format!("no answer: {e}"))),
        };
        let ok = delivered(status);
        match finish(&db, c, ok, if ok { None } else { error.as_deref() }, req.now)? {
            "sent" => report.sent += 1,
            "dead" => report.dead += 1,
            _ => report.retrying += 1,
        }
        if !ok {
            eprintln!("oidc: back-channel logout to {} failed: {}", c.client_id, error.unwrap_or_default());
        }
    }
    report.purged = purge(req, &db)?;
    common::Reply::json(200, &report)
}
