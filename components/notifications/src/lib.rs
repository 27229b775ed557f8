//! `notifications`: delivers the outbox (`db/migrations/0005_outbox.sql`) that every
//! component fills through `outbox::enqueue`.
//!
//! - `POST /jobs/notifications/deliver` (`Authorization: Bearer <jobs_secret>`), called
//!   by a scheduler: claims a bounded batch of due messages, POSTs each as JSON to the
//!   gateway, marks it sent, or schedules a retry with exponential backoff, or gives
//!   up (`dead`) after `notification_max_attempts`. Answers counts as JSON.
//!
//! The development mailbox that shows queued messages is the `devtools` component
//! (development manifest only).
//!
//! The logic is plain Rust here and in [`delivery`]; the Spin handler is [`handler`]
//! (wasm only: it sends HTTP requests).

pub mod delivery;

#[cfg(target_arch = "wasm32")]
mod handler;

use common::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Deliver,
}

/// Method and path to a route (routes are exact in `spin.toml`).
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let (route, allowed): (Route, &[&str]) = match path.trim_end_matches('/') {
        "/jobs/notifications/deliver" => (Route::Deliver, &["POST"]),
        _ => return Err(ApiError::not_found()),
    };
    if !allowed.contains(&method) {
        return Err(ApiError::method_not_allowed());
    }
    Ok(route)
}

/// Checks the job's `Authorization` header ([`common::jobs::check_auth`]); when no
/// secret is configured, the 503 says that notification delivery is the job that is off.
pub fn check_job_auth(secret: &str, authorization: Option<&str>) -> Result<(), ApiError> {
    common::jobs::check_auth(secret, authorization).map_err(|mut e| {
        if e.status == 503 {
            e.message = "Il servizio di invio delle notifiche non è configurato su questo server.".into();
        }
        e
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_methods() {
        assert_eq!(route("POST", "/jobs/notifications/deliver").unwrap(), Route::Deliver);
        assert_eq!(route("GET", "/jobs/notifications/deliver").unwrap_err().status, 405);
        assert_eq!(route("POST", "/dev/mailbox").unwrap_err().status, 404, "the mailbox is another component");
    }

    #[test]
    fn job_auth() {
        let secret = "s3cr3t-abcdefghijklmnopqrstuvwxyz";
        assert!(check_job_auth(secret, Some(&format!("Bearer {secret}"))).is_ok());
        let status = |s: &str, h: Option<&str>| check_job_auth(s, h).unwrap_err().status;
        assert_eq!(status("", Some("Bearer x")), 503, "no secret configured: the job is off");
        assert_eq!(check_job_auth("", None).unwrap_err().message, "Il servizio di invio delle notifiche non è configurato su questo server.");
        assert_eq!(status("  ", Some("Bearer ")), 503);
        assert_eq!(status(secret, None), 401);
        assert_eq!(status(secret, Some(secret)), 401, "the Bearer scheme is required");
        assert_eq!(status(secret, Some("Basic abc")), 401);
        assert_eq!(status(secret, Some("Bearer wrong")), 403);
        assert_eq!(status(secret, Some(&format!("Bearer {secret}x"))), 403);
        assert_eq!(status(secret, Some("Bearer ")), 403);
        let e = check_job_auth(secret, None).unwrap_err();
        assert!(!e.message.is_empty() && !e.message.contains(secret));
    }
}
