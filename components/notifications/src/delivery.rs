//! Delivery of the outbox: configuration, the claim of a batch, what a gateway answer
//! means for a message, and the backoff between attempts.
//!
//! A run claims due messages with one atomic `UPDATE … RETURNING` that moves their
//! `next_attempt_at` forward by a lease and stamps them with the run's random token,
//! so two runs never send the same message at the same time, and a run that died
//! mid-way releases its messages when the lease expires. Each result is written back
//! only if the row still carries the run's token. Delivery is at least once (a run
//! could die after the gateway accepted a message and before recording it): the
//! gateway gets a stable `Idempotency-Key` per message to drop duplicates.

use serde::Serialize;

/// Seconds a run holds the messages it claimed (longer than any run should take).
pub const LEASE_SECONDS: i64 = 600;
/// The longest wait between two attempts.
pub const MAX_BACKOFF_SECONDS: i64 = 6 * 3600;
/// Largest batch one run may claim.
pub const MAX_BATCH: u32 = 200;
/// Longest error text kept in `last_error`.
const MAX_ERROR_LEN: usize = 500;

/// Delivery settings, from Spin variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to POST each message; `None` when no gateway is configured.
    pub gateway_url: Option<String>,
    /// Bearer token for the gateway (empty: none).
    pub gateway_token: String,
    pub max_attempts: u32,
    pub backoff_base_seconds: i64,
    pub batch_size: u32,
    pub retention_days: i64,
}

/// Why the configuration cannot be used (logged; the job answers 503).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl Config {
    /// Reads the settings through `var` (a Spin variable lookup). The gateway URL
    /// must be http(s) and lie under `notification_gateway_origin`, the host the
    /// manifest lets the component reach, so a mismatch is reported clearly
    /// instead of as refused requests.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let text = |name: &str| var(name).map(|v| v.trim().to_string()).unwrap_or_default();
        let number = |name: &str, default: i64, min: i64, max: i64| -> Result<i64, ConfigError> {
            let v = text(name);
            if v.is_empty() {
                return Ok(default);
            }
            match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ConfigError(format!("{name} must be a whole number from {min} to {max}, not `{v}`"))),
            }
        };
        let url = text("notification_gateway_url");
        let gateway_url = if url.is_empty() {
            None
        } else {
            let origin = text("notification_gateway_origin").trim_end_matches('/').to_string();
            let (scheme, rest) = url.split_once("://").unwrap_or(("", ""));
            if !matches!(scheme, "http" | "https") || rest.is_empty() {
                return Err(ConfigError(format!("notification_gateway_url `{url}` is not an http(s) URL")));
            }
            let under_origin = url.strip_prefix(&origin).is_some_and(|p| p.is_empty() || p.starts_with('/') || p.starts_with('?'));
            if origin.is_empty() || !under_origin {
                return Err(ConfigError(format!(
                    "notification_gateway_url `{url}` is not under notification_gateway_origin `{origin}` (the host the component may reach)"
                )));
            }
            Some(url)
        };
        Ok(Self {
            gateway_url,
            gateway_token: text("notification_gateway_token"),
            max_attempts: number("notification_max_attempts", 8, 1, 100)? as u32,
            backoff_base_seconds: number("notification_backoff_seconds", 60, 0, 86_400)?,
            batch_size: number("notification_batch_size", 50, 1, i64::from(MAX_BATCH))? as u32,
            retention_days: number("notification_retention_days", 30, 1, 3650)?,
        })
    }
}

/// Seconds to wait after the `attempts`-th failed attempt (1, 2, …): `base`,
/// `2·base`, `4·base`, … up to [`MAX_BACKOFF_SECONDS`].
pub fn backoff_seconds(attempts: u32, base: i64) -> i64 {
    let doublings = attempts.saturating_sub(1).min(30);
    base.max(0).saturating_mul(1i64 << doublings).min(MAX_BACKOFF_SECONDS)
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The gateway accepted the message (2xx).
    Accepted,
    /// Worth retrying: 5xx, 408, 425, 429, auth or routing problems of ours, no answer.
    Transient(String),
    /// The gateway refused this message itself (malformed, unacceptable): retrying
    /// cannot help.
    Permanent(String),
}

/// The outcome of a gateway answer with this status.
pub fn classify(status: u16, body: &[u8]) -> Outcome {
    let detail = || {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string();
        if text.is_empty() { format!("gateway answered {status}") } else { format!("gateway answered {status}: {text}") }
    };
    match status {
        200..=299 => Outcome::Accepted,
        400 | 413 | 415 | 422 => Outcome::Permanent(detail()),
        _ => Outcome::Transient(detail()),
    }
}

/// A claimed message, as the claim query returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// Extra mail headers (`outbox_headers`, e.g. RFC 8058 `List-Unsubscribe`).
    pub headers: std::collections::BTreeMap<String, String>,
}

/// The JSON body POSTed to the gateway, one per message.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct GatewayMessage<'a> {
    /// Stable across retries: the gateway may use it to drop duplicates.
    pub id: String,
    /// `email` or `sms`
    pub channel: &'a str,
    pub to: &'a str,
    /// Absent for SMS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<&'a str>,
    /// Plain text (UTF-8).
    pub body: &'a str,
    pub template: &'a str,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// Extra mail headers to set, name → value; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<&'a std::collections::BTreeMap<String, String>>,
}

impl Claimed {
    pub fn idempotency_key(&self) -> String {
        format!("toscana-lavoro-outbox-{}", self.id)
    }

    pub fn gateway_message(&self) -> GatewayMessage<'_> {
        GatewayMessage {
            id: self.idempotency_key(),
            channel: &self.channel,
            to: &self.recipient,
            subject: (self.channel == "email").then_some(self.subject.as_str()),
            body: &self.body,
            template: &self.template,
            attempt: self.attempts + 1,
            headers: (self.channel == "email" && !self.headers.is_empty()).then_some(&self.headers),
        }
    }
}

/// What to write back after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// `sent`, `pending` (retry later) or `dead`
    pub status: &'static str,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

/// The row's new state after an attempt that ended at `now`.
pub fn next_state(attempts_before: i64, outcome: &Outcome, now: i64, cfg: &Config) -> Update {
    let attempts = attempts_before + 1;
    let cut = |e: &str| e.chars().take(MAX_ERROR_LEN).collect::<String>();
    match outcome {
        Outcome::Accepted => Update { status: "sent", attempts, next_attempt_at: now, last_error: None, sent_at: Some(now) },
        Outcome::Permanent(e) => Update { status: "dead", attempts, next_attempt_at: now, last_error: Some(cut(e)), sent_at: None },
        Outcome::Transient(e) if attempts >= i64::from(cfg.max_attempts) => {
            Update { status: "dead", attempts, next_attempt_at: now, last_error: Some(cut(e)), sent_at: None }
        }
        Outcome::Transient(e) => Update {
            status: "pending",
            attempts,
            next_attempt_at: now + backoff_seconds(attempts as u32, cfg.backoff_base_seconds),
            last_error: Some(cut(e)),
            sent_at: None,
        },
    }
}

/// What a run did, as the job answers it.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeliveryReport))]
pub struct Report {
    pub gateway_configured: bool,
    /// Messages this run claimed and tried.
    pub claimed: u32,
    pub sent: u32,
    /// Failed now, to be retried later.
    pub retrying: u32,
    /// Given up on now (dead letters).
    pub dead: u32,
    /// Pending messages left, due or not.
    pub pending: i64,
    /// Old sent and dead messages deleted (retention).
    pub purged: i64,
    /// Italian, for whoever reads the scheduler's log.
    pub message: String,
}

impl Report {
    pub fn summarise(&mut self) {
        self.message = if !self.gateway_configured {
            format!(
                "Nessun gateway configurato: nessun messaggio inviato, {} in attesa (visibili nella casella di sviluppo, se attiva).",
                self.pending
            )
        } else {
            format!(
                "Inviati {}, da ritentare {}, non recapitabili {}; in attesa {}.",
                self.sent, self.retrying, self.dead, self.pending
            )
        };
    }
}

/// Claims up to `?4` due pending messages for the run with token `?2`, leasing them
/// until `?1`; `?3` is now. One statement, so it is atomic.
pub const CLAIM_SQL: &str = "UPDATE outbox SET next_attempt_at = ?1, claim_token = ?2 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?3 ORDER BY next_attempt_at, id LIMIT ?4) \
     RETURNING id, channel, recipient, template, subject, body, attempts, \
     (SELECT h.headers FROM outbox_headers h WHERE h.outbox_id = outbox.id) AS headers";

/// Writes an attempt's result, only if the row is still this run's (`?7` token).
pub const FINISH_SQL: &str = "UPDATE outbox SET status = ?1, attempts = ?2, next_attempt_at = ?3, last_error = ?4, sent_at = ?5, claim_token = NULL \
     WHERE id = ?6 AND claim_token = ?7 AND status = 'pending' RETURNING id";

/// Deletes sent and dead messages created before `?1`.
pub const PURGE_SQL: &str = "DELETE FROM outbox WHERE status IN ('sent', 'dead') AND created_at < ?1 RETURNING id";

pub const PENDING_SQL: &str = "SELECT count(*) AS n FROM outbox WHERE status = 'pending'";

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| owned.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn cfg() -> Config {
        Config::from_vars(vars(&[])).unwrap()
    }

    #[test]
    fn defaults_and_limits() {
        let c = cfg();
        assert_eq!(c.gateway_url, None);
        assert_eq!((c.max_attempts, c.backoff_base_seconds, c.batch_size, c.retention_days), (8, 60, 50, 30));
        let c = Config::from_vars(vars(&[
            ("notification_gateway_url", "https://sms.example.it/v1/send"),
            ("notification_gateway_origin", "https://sms.example.it"),
            ("notification_max_attempts", "3"),
            ("notification_backoff_seconds", "0"),
        ]))
        .unwrap();
        assert_eq!(c.gateway_url.as_deref(), Some("https://sms.example.it/v1/send"));
        assert_eq!((c.max_attempts, c.backoff_base_seconds), (3, 0));
        for bad in [("notification_max_attempts", "0"), ("notification_batch_size", "1000"), ("notification_backoff_seconds", "-1"), ("notification_retention_days", "x")] {
            let e = Config::from_vars(vars(&[bad])).unwrap_err();
            assert!(e.0.contains(bad.0), "{e:?}");
        }
    }

    #[test]
    fn the_gateway_url_must_lie_under_the_allowed_origin() {
        let check = |url: &str, origin: &str| {
            Config::from_vars(vars(&[("notification_gateway_url", url), ("notification_gateway_origin", origin)]))
        };
        assert!(check("http://127.0.0.1:9000/send", "http://127.0.0.1:9000").is_ok());
        assert!(check("http://127.0.0.1:9000", "http://127.0.0.1:9000/").is_ok());
        for (url, origin) in [
            ("http://127.0.0.1:9000/send", ""),
            ("http://127.0.0.1:9000/send", "https://gateway.invalid"),
            ("http://127.0.0.1:90000/send", "http://127.0.0.1:9000"),
            ("http://127.0.0.1:9000.evil.test/", "http://127.0.0.1:9000"),
            ("ftp://127.0.0.1:9000/send", "ftp://127.0.0.1:9000"),
            ("127.0.0.1:9000/send", "127.0.0.1:9000"),
        ] {
            assert!(check(url, origin).is_err(), "{url} under {origin}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        let delays: Vec<i64> = (1..=9).map(|n| backoff_seconds(n, 60)).collect();
        assert_eq!(delays, [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360]);
        assert_eq!(backoff_seconds(10, 60), MAX_BACKOFF_SECONDS);
        assert_eq!(backoff_seconds(1000, 60), MAX_BACKOFF_SECONDS, "no overflow");
        assert_eq!(backoff_seconds(5, 0), 0);
        assert_eq!(backoff_seconds(0, 60), 60);
        assert_eq!(backoff_seconds(3, i64::MAX), MAX_BACKOFF_SECONDS);
    }

    #[test]
    fn gateway_answers() {
        assert_eq!(classify(200, b""), Outcome::Accepted);
        assert_eq!(classify(202, b"queued"), Outcome::Accepted);
        assert_eq!(classify(500, b""), Outcome::Transient("gateway answered 500".into()));
        assert_eq!(classify(503, b" busy \n"), Outcome::Transient("gateway answered 503: busy".into()));
        for transient in [401, 403, 404, 408, 425, 429, 502, 301] {
            assert!(matches!(classify(transient, b""), Outcome::Transient(_)), "{transient}");
        }
        for permanent in [400, 413, 415, 422] {
            assert!(matches!(classify(permanent, b""), Outcome::Permanent(_)), "{permanent}");
        }
        let long = classify(500, &[b'x'; 5000]);
        assert!(matches!(long, Outcome::Transient(ref e) if e.len() < 250));
    }

    #[test]
    fn retries_then_dead_letter() {
        let c = Config { max_attempts: 3, ..cfg() };
        let fail = Outcome::Transient("gateway answered 500".into());
        let u = next_state(0, &fail, 1000, &c);
        assert_eq!((u.status, u.attempts, u.next_attempt_at), ("pending", 1, 1060));
        assert_eq!(u.last_error.as_deref(), Some("gateway answered 500"));
        let u = next_state(1, &fail, 2000, &c);
        assert_eq!((u.status, u.attempts, u.next_attempt_at), ("pending", 2, 2120));
        let u = next_state(2, &fail, 3000, &c);
        assert_eq!((u.status, u.attempts), ("dead", 3), "the third failure of three is the last");
        let u = next_state(1, &Outcome::Accepted, 4000, &c);
        assert_eq!((u.status, u.attempts, u.sent_at, u.last_error), ("sent", 2, Some(4000), None));
        let u = next_state(0, &Outcome::Permanent("gateway answered 422".into()), 5000, &c);
        assert_eq!((u.status, u.attempts), ("dead", 1), "a refused message is not retried");
    }

    #[test]
    fn the_gateway_json() {
        let m = Claimed {
            id: 42,
            channel: "email".into(),
            recipient: "mario@example.org".into(),
            template: "activation".into(),
            subject: "Attiva".into(),
            body: "Gentile Mario".into(),
            attempts: 2,
            headers: Default::default(),
        };
        let v = serde_json::to_value(m.gateway_message()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"id": "toscana-lavoro-outbox-42", "channel": "email", "to": "mario@example.org",
                "subject": "Attiva", "body": "Gentile Mario", "template": "activation", "attempt": 3})
        );
        let sms = Claimed { channel: "sms".into(), subject: String::new(), ..m.clone() };
        assert!(serde_json::to_value(sms.gateway_message()).unwrap().get("subject").is_none());
        let headers: std::collections::BTreeMap<String, String> =
            [("List-Unsubscribe".to_string(), "<https://x.example/u/1>".to_string())].into_iter().collect();
        let with = Claimed { headers, ..m };
        assert_eq!(serde_json::to_value(with.gateway_message()).unwrap()["headers"], serde_json::json!({"List-Unsubscribe": "<https://x.example/u/1>"}));
    }

    #[test]
    fn reports_say_what_happened() {
        let mut r = Report { pending: 2, ..Report::default() };
        r.summarise();
        assert!(r.message.starts_with("Nessun gateway configurato"), "{}", r.message);
        let mut r = Report { gateway_configured: true, sent: 3, retrying: 1, ..Report::default() };
        r.summarise();
        assert_eq!(r.message, "Inviati 3, da ritentare 1, non recapitabili 0; in attesa 0.");
    }

    /// The claim and finish statements against the real migrations, in SQLite.
    mod sql {
        use super::super::*;
        use rusqlite::{Connection, params};

        fn db() -> Connection {
            let c = Connection::open_in_memory().unwrap();
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../db/migrations");
            for f in ["0001_schema_version.sql", "0004_people.sql", "0005_outbox.sql", "0005_outbox.sql", "0017_alerts.sql"] {
                c.execute_batch(&std::fs::read_to_string(root.join(f)).unwrap()).unwrap();
            }
            for (i, due) in [(1, 100), (2, 50), (3, 100), (4, 10_000)] {
                c.execute(
                    "INSERT INTO outbox (id, channel, recipient, template, subject, body, next_attempt_at, created_at) VALUES (?1, 'sms', '+393331234567', 'otp', '', 'x', ?2, 0)",
                    params![i, due],
                )
                .unwrap();
            }
            c
        }

        fn claim(c: &Connection, token: &str, now: i64, limit: i64) -> Vec<i64> {
            let mut s = c.prepare(CLAIM_SQL).unwrap();
            let mut ids: Vec<i64> =
                s.query_map(params![now + LEASE_SECONDS, token, now, limit], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
            ids.sort();
            ids
        }

        fn finish(c: &Connection, id: i64, token: &str, u: &Update) -> usize {
            let mut s = c.prepare(FINISH_SQL).unwrap();
            s.query_map(params![u.status, u.attempts, u.next_attempt_at, u.last_error, u.sent_at, id, token], |r| r.get::<_, i64>(0))
                .unwrap()
                .count()
        }

        #[test]
        fn runs_never_share_a_message_and_only_the_holder_finishes_it() {
            let c = db();
            // due at 200: ids 1, 2, 3 (4 is not due); oldest due first, bounded
            assert_eq!(claim(&c, "run-a", 200, 2), [1, 2], "2 (due at 50) and 1 (due at 100, lower id than 3)");
            assert_eq!(claim(&c, "run-b", 200, 10), [3], "a second run gets only what the first did not claim");
            assert_eq!(claim(&c, "run-c", 200, 10), Vec::<i64>::new());
            let sent = Update { status: "sent", attempts: 1, next_attempt_at: 200, last_error: None, sent_at: Some(200) };
            assert_eq!(finish(&c, 1, "run-b", &sent), 0, "not run-b's message");
            assert_eq!(finish(&c, 1, "run-a", &sent), 1);
            assert_eq!(finish(&c, 1, "run-a", &sent), 0, "finished once");
            // run-a dies holding 2: after the lease it is due again for another run
            assert_eq!(claim(&c, "run-d", 200 + LEASE_SECONDS - 1, 10), Vec::<i64>::new());
            assert_eq!(claim(&c, "run-d", 200 + LEASE_SECONDS, 10), [2, 3]);
            assert_eq!(finish(&c, 2, "run-a", &sent), 0, "a run whose lease was taken over writes nothing");
            let (status, token): (String, Option<String>) =
                c.query_row("SELECT status, claim_token FROM outbox WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            assert_eq!((status.as_str(), token), ("sent", None));
            // sent and dead messages are never claimed again
            let dead = Update { status: "dead", attempts: 8, next_attempt_at: 0, last_error: Some("x".into()), sent_at: None };
            assert_eq!(finish(&c, 3, "run-d", &dead), 1);
            assert_eq!(claim(&c, "run-e", 1_000_000, 10), [2, 4]);
        }

        #[test]
        fn purge_keeps_pending_and_recent_messages() {
            let c = db();
            c.execute("UPDATE outbox SET status = 'sent' WHERE id IN (1, 2)", []).unwrap();
            c.execute("UPDATE outbox SET created_at = 1000 WHERE id = 2", []).unwrap();
            c.execute("UPDATE outbox SET status = 'dead' WHERE id = 3", []).unwrap();
            let mut s = c.prepare(PURGE_SQL).unwrap();
            let mut gone: Vec<i64> = s.query_map(params![500], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
            gone.sort();
            assert_eq!(gone, [1, 3], "old sent/dead go; 2 is recent, 4 is pending");
            let n: i64 = c.query_row(PENDING_SQL, [], |r| r.get(0)).unwrap();
            assert_eq!(n, 1);
        }
    }
}
