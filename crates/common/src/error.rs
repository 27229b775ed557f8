//! API errors: `{"error": {"code": "...", "message": "..."}}` with an Italian message
//! a citizen understands and the matching HTTP status. The technical cause is logged
//! server-side, never sent to the client.
//!
//! Validation errors (status 422, code `invalid_fields`) add the problems per input:
//! `{"error": {"code", "message", "fields": [{"field", "code", "message"}]}}`; see
//! [`crate::validation`]. Other errors have no `fields`.

use serde::Serialize;

pub use crate::validation::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// Stable, machine-readable code (`snake_case`), e.g. `not_found`.
    pub code: &'static str,
    /// Italian, for the person using the portal.
    pub message: String,
    /// Problems per input field; empty except for [`ApiError::invalid_fields`].
    pub fields: Vec<FieldError>,
    /// Seconds after which a retry may succeed (429, 503): sent as `Retry-After`.
    pub retry_after: Option<i64>,
}

/// The body of every API error (public for the OpenAPI document only).
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[doc(hidden)]
pub struct Envelope<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[doc(hidden)]
pub struct Inner<'a> {
    /// Stable, machine-readable code (`snake_case`).
    code: &'a str,
    /// Italian, for the person using the portal.
    message: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    fields: &'a [FieldError],
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new(), retry_after: None }
    }

    /// 422 `invalid_fields`: the request was understood but some values are not
    /// acceptable. The top-level message is the field's own when there is one error.
    pub fn invalid_fields(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => one.message.clone(),
            _ => "Alcuni dati inseriti non sono corretti: controlla i campi segnalati.".to_string(),
        };
        Self { status: 422, code: "invalid_fields", message, fields, retry_after: None }
    }

    /// 422 `invalid_fields` for a single field.
    pub fn invalid_field(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self::invalid_fields(vec![FieldError { field: field.into(), code, message: message.into() }])
    }

    /// The same error with a `Retry-After` of `secs` (at least 1).
    pub fn retry_after(mut self, secs: i64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
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
        serde_json::to_vec(&Envelope { error: Inner { code: self.code, message: &self.message, fields: &self.fields } })
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
    fn no_fields_key_without_field_errors() {
        let v: serde_json::Value = serde_json::from_slice(&ApiError::not_found().body()).unwrap();
        assert!(v["error"].get("fields").is_none());
    }

    #[test]
    fn field_errors_shape() {
        let one = ApiError::invalid_field("email", "invalid_format", "L'indirizzo e-mail non è valido.");
        assert_eq!((one.status, one.code), (422, "invalid_fields"));
        assert_eq!(one.message, "L'indirizzo e-mail non è valido.");
        let v: serde_json::Value = serde_json::from_slice(&one.body()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error": {"code": "invalid_fields", "message": "L'indirizzo e-mail non è valido.",
                "fields": [{"field": "email", "code": "invalid_format", "message": "L'indirizzo e-mail non è valido."}]}})
        );
        let two = ApiError::invalid_fields(vec![
            FieldError { field: "email".into(), code: "required", message: "Inserisci l'indirizzo e-mail.".into() },
            FieldError { field: "residence.cap".into(), code: "required", message: "Inserisci il CAP.".into() },
        ]);
        let v: serde_json::Value = serde_json::from_slice(&two.body()).unwrap();
        assert_eq!(v["error"]["message"], "Alcuni dati inseriti non sono corretti: controlla i campi segnalati.");
        assert_eq!(v["error"]["fields"][1]["field"], "residence.cap");
    }

    #[test]
    fn internal_hides_the_cause() {
        let e = ApiError::internal("disk full at /var/x");
        assert_eq!(e.status, 500);
        assert!(!e.message.contains("disk"));
    }
}
