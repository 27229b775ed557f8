//! What registration and the profile ask of a one-time code: the request body, its
//! channel and normalised target, and the texts of the form.

use access::otp::Channel;
use common::ApiError;
use common::validation::{self, Fields};
use serde::Deserialize;

/// The body of `POST …/otp` and `…/otp/verify`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CodeRequest))]
#[serde(deny_unknown_fields)]
pub struct OtpIn {
    /// `sms` (default) or `email`
    #[cfg_attr(feature = "openapi", schema(pattern = "^(sms|email)$"))]
    pub channel: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20, pattern = "^([+]39)?3[0-9]{9}$"))]
    pub mobile: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254, pattern = "^[a-z0-9]{1,30}@[a-z0-9]{1,20}\\.(it|org|com)$"))]
    pub email: Option<String>,
    /// The code received (verify).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub code: Option<String>,
}

/// The channel and normalised target of an OTP request (`channel` defaults to SMS).
pub fn target(input: &OtpIn) -> Result<(Channel, String), ApiError> {
    let mut f = Fields::new();
    let (channel, target) = match input.channel.as_deref().unwrap_or("sms") {
        "sms" => (Channel::Sms, f.check("mobile", validation::mobile_phone(input.mobile.as_deref().unwrap_or("")))),
        "email" => (Channel::Email, f.check("email", validation::email(input.email.as_deref().unwrap_or("")))),
        _ => return Err(ApiError::invalid_field("channel", "invalid_choice", "Il canale del codice deve essere sms o email.")),
    };
    f.into_result()?;
    Ok((channel, target.unwrap_or_default()))
}

/// A code for the profile is for a new number or address: refused (on `mobile` or
/// `email`) when `target` is the `current` one.
pub fn check_changed(channel: Channel, current: &str, target: &str) -> Result<(), ApiError> {
    let (field, what) = match channel {
        Channel::Sms => ("mobile", "numero di cellulare"),
        Channel::Email => ("email", "indirizzo e-mail"),
    };
    if current.eq_ignore_ascii_case(target) {
        return Err(ApiError::invalid_field(field, "unchanged", format!("È già il {what} del tuo profilo: non serve verificarlo.")));
    }
    Ok(())
}

/// What a form says when its code was left empty.
pub fn missing_code(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "Richiedi il codice OTP e inserisci quello che hai ricevuto via SMS.",
        Channel::Email => "Richiedi il codice di verifica e inserisci quello che hai ricevuto al nuovo indirizzo e-mail.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_targets() {
        let sms = OtpIn { mobile: Some("347 123 4567".into()), ..OtpIn::default() };
        assert_eq!(target(&sms).unwrap(), (Channel::Sms, "+393471234567".to_string()));
        let mail = OtpIn { channel: Some("email".into()), email: Some("Mario@Example.org".into()), ..OtpIn::default() };
        assert_eq!(target(&mail).unwrap().0, Channel::Email);
        let e = target(&OtpIn { channel: Some("fax".into()), ..OtpIn::default() }).unwrap_err();
        assert_eq!((e.status, e.code), (422, "invalid_fields"));
        assert_eq!(target(&OtpIn::default()).unwrap_err().status, 422, "SMS without a number");
    }

    #[test]
    fn profile_codes_are_for_new_targets() {
        assert!(check_changed(Channel::Sms, "+393471234567", "+393470000000").is_ok());
        assert_eq!(check_changed(Channel::Sms, "+393471234567", "+393471234567").unwrap_err().status, 422);
        assert!(check_changed(Channel::Email, "Mario@example.org", "mario@EXAMPLE.org").is_err());
        assert_ne!(missing_code(Channel::Sms), missing_code(Channel::Email));
    }
}
