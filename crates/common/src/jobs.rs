//! Scheduled jobs (`POST /jobs/...`) are HTTP endpoints that an external scheduler calls
//! with `Authorization: Bearer <jobs_secret>`; [`check_auth`] checks that header.

use crate::ApiError;

/// 503 when no secret is configured (the job is off), 401 without credentials, 403
/// with wrong ones. The comparison takes the same time wherever the first difference is.
pub fn check_auth(secret: &str, authorization: Option<&str>) -> Result<(), ApiError> {
    if secret.trim().is_empty() {
        eprintln!("jobs: jobs_secret is not set; the job is disabled");
        return Err(ApiError::new(503, "job_not_configured", "Questa operazione pianificata non è configurata su questo server."));
    }
    let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer "))) else {
        return Err(ApiError::new(401, "unauthenticated", "Per avviare questa operazione servono le credenziali del servizio."));
    };
    if !crate::token::secrets_match(token.trim().as_bytes(), secret.trim().as_bytes()) {
        eprintln!("jobs: refused a job call with wrong credentials");
        return Err(ApiError::new(403, "forbidden", "Le credenziali fornite non permettono questa operazione."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_auth() {
        let secret = "s3cr3t-abcdefghijklmnopqrstuvwxyz";
        assert!(check_auth(secret, Some(&format!("Bearer {secret}"))).is_ok());
        let status = |s: &str, h: Option<&str>| check_auth(s, h).unwrap_err().status;
        assert_eq!(status("", Some("Bearer x")), 503);
        assert_eq!(status(secret, None), 401);
        assert_eq!(status(secret, Some(secret)), 401);
        assert_eq!(status(secret, Some("Bearer wrong")), 403);
        assert_eq!(status(secret, Some(&format!("Bearer {secret}x"))), 403);
    }
}
