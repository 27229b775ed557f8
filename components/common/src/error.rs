//! API errors: `{"error": {"code": "...", "message": "..."}}` with an Italian message
//! a citizen understands and the matching HTTP status. The technical cause is logged
//! server-side, never sent to the client.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// Stable, machine-readable code (`snake_case`), e.g. `not_found`.
    pub code: &'static str,
    /// Italian, for the person using the portal.
    pub message: String,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn not_found() -> Self {
        Self::new(404, "not_found", "La risorsa richiesta non esiste.")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(405, "method_not_allowed", "Operazione non consentita su questa risorsa.")
    }

    pub fn payload_too_large(max_bytes: usize) -> Self {
        Self::new(
            413,
            "payload_too_large",
            format!("I dati inviati sono troppo grandi (massimo {} KB).", max_bytes / 1024),
        )
    }

    /// An unexpected failure: the cause is logged, the person gets a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        eprintln!("internal error: {cause}");
        Self::new(
            500,
            "internal_error",
            "Si è verificato un errore imprevisto. Riprova tra qualche minuto; se il problema persiste contatta l'assistenza.",
        )
    }

    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&Envelope { error: Inner { code: self.code, message: &self.message } })
            .unwrap_or_else(|_| br#"{"error":{"code":"internal_error","message":"Errore interno."}}"#.to_vec())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape() {
        let e = ApiError::bad_request("invalid_page", "Il numero di pagina non è valido.");
        let v: serde_json::Value = serde_json::from_slice(&e.body()).unwrap();
        assert_eq!(v["error"]["code"], "invalid_page");
        assert_eq!(v["error"]["message"], "Il numero di pagina non è valido.");
        assert_eq!(e.status, 400);
    }

    #[test]
    fn internal_hides_the_cause() {
        let e = ApiError::internal("disk full at /var/x");
        assert_eq!(e.status, 500);
        assert!(!e.message.contains("disk"));
    }
}
