//! One-time codes sent by SMS (a new mobile number) or e-mail (a new address in the
//! profile): 6 random digits, kept hashed in key-value `otp:<person>:<channel>` with
//! their deadline, and the send history that limits resending (not before
//! `resend_secs`, at most `max_per_hour`). Wrong guesses are counted atomically in
//! SQLite (`otp_attempts`, keyed by the code's random id): after `max_attempts` the
//! code is burned and a new one must be requested.
//!
//! A code that matched records the verified target in `verified:<person>:<channel>`
//! for a while, so that a form sent back with other errors does not need a new code.

use common::ApiError;
use common::validation::{self, Fields};
use serde::{Deserialize, Serialize};
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
    pub max_per_hour: u32,
    pub max_attempts: u32,
    /// How long a verified number/address stays verified for the form (seconds).
    pub verified_secs: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { ttl_secs: 600, resend_secs: 60, max_per_hour: 5, max_attempts: 5, verified_secs: 3600 }
    }
}

/// The value of `otp:<person>:<channel>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Otp {
    /// Random id of this code: the key of its attempt counter.
    pub id: String,
    /// The normalised number or address the code was sent to.
    pub target: String,
    pub salt: String,
    /// hex SHA-256 of salt and code
    pub code_hash: String,
    pub expires_at: i64,
    pub sent_at: i64,
    /// Start of the hour in which `sends` codes were sent.
    pub window_start: i64,
    pub sends: u32,
    /// Already matched once (the record stays for the resend limits).
    #[serde(default)]
    pub used: bool,
}

/// The value of `verified:<person>:<channel>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Verified {
    pub target: String,
    pub verified_at: i64,
    pub expires_at: i64,
}

pub fn key(person_id: i64, channel: Channel) -> String {
    format!("otp:{person_id}:{}", channel.as_str())
}

pub fn verified_key(person_id: i64, channel: Channel) -> String {
    format!("verified:{person_id}:{}", channel.as_str())
}

pub fn hash(salt: &str, code: &str) -> String {
    hex(&Sha256::digest(format!("{salt}:{code}").as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// May a new code be sent now? Refuses with 429 (and the seconds to wait) when the
/// last one is too recent or the hourly allowance is used up.
pub fn may_send(prev: Option<&Otp>, now: i64, l: Limits) -> Result<(), (ApiError, i64)> {
    let Some(p) = prev else { return Ok(()) };
    let wait = p.sent_at + l.resend_secs - now;
    if wait > 0 {
        return Err((
            ApiError::new(429, "otp_too_soon", format!("Hai appena ricevuto un codice: potrai chiederne un altro tra {wait} secondi.")),
            wait,
        ));
    }
    if now - p.window_start < 3600 && p.sends >= l.max_per_hour {
        let wait = p.window_start + 3600 - now;
        return Err((
            ApiError::new(
                429,
                "otp_limit",
                format!("Hai chiesto troppi codici di verifica. Potrai chiederne un altro tra {} minuti.", minutes(wait)),
            ),
            wait,
        ));
    }
    Ok(())
}

/// The record of a new code sent to `target` (`id` and `salt` random).
pub fn issue(prev: Option<&Otp>, target: &str, code: &str, id: String, salt: String, now: i64, l: Limits) -> Otp {
    let (window_start, sends) = match prev {
        Some(p) if now - p.window_start < 3600 => (p.window_start, p.sends + 1),
        _ => (now, 1),
    };
    Otp { id, target: target.into(), code_hash: hash(&salt, code), salt, expires_at: now + l.ttl_secs, sent_at: now, window_start, sends, used: false }
}

/// Why a code was not accepted (before counting an attempt).
pub fn precheck(rec: Option<&Otp>, target: &str, now: i64) -> Result<(), ApiError> {
    let Some(r) = rec else {
        return Err(ApiError::bad_request("otp_missing", "Richiedi il codice di verifica e inseriscilo qui."));
    };
    if r.target != target {
        return Err(ApiError::bad_request("otp_other_target", "Il codice è stato inviato a un altro recapito: richiedi un codice per quello indicato."));
    }
    if r.used {
        return Err(ApiError::bad_request("otp_used", "Il codice di verifica è già stato usato: richiedine uno nuovo."));
    }
    if r.expires_at < now {
        return Err(ApiError::bad_request("otp_expired", "Il codice di verifica è scaduto: richiedine uno nuovo."));
    }
    Ok(())
}

/// The outcome of a guess, given the attempt number the atomic counter returned
/// (1 for the first guess of this code).
pub fn judge(rec: &Otp, code: &str, attempt: u32, l: Limits) -> Result<(), ApiError> {
    if attempt > l.max_attempts {
        return Err(ApiError::new(
            429,
            "otp_burned",
            "Hai sbagliato il codice troppe volte: per sicurezza non è più valido. Richiedi un nuovo codice.",
        ));
    }
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let given = hash(&rec.salt, code);
    let same = well_formed && common::session::secrets_match(given.as_bytes(), rec.code_hash.as_bytes());
    if same {
        return Ok(());
    }
    let left = l.max_attempts - attempt;
    Err(if left == 0 {
        ApiError::new(429, "otp_burned", "Codice errato. Hai esaurito i tentativi: richiedi un nuovo codice.")
    } else {
        ApiError::bad_request(
            "otp_wrong",
            if left == 1 { "Codice errato: hai ancora un tentativo.".to_string() } else { format!("Codice errato: hai ancora {left} tentativi.") },
        )
    })
}

/// Whether `target` was verified recently (`verified:<person>:<channel>`).
pub fn is_verified(v: Option<&Verified>, target: &str, now: i64) -> bool {
    v.is_some_and(|v| v.target == target && v.expires_at >= now)
}

/// The body of `POST …/otp` and `…/otp/verify`.
#[derive(Debug, Default, Deserialize)]
pub struct OtpIn {
    pub channel: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
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

    const L: Limits = Limits { ttl_secs: 600, resend_secs: 60, max_per_hour: 3, max_attempts: 5, verified_secs: 3600 };

    fn otp(now: i64) -> Otp {
        issue(None, "+393471234567", "123456", "id".into(), "salt".into(), now, L)
    }

    #[test]
    fn codes_are_six_random_digits() {
        let a = random_code().unwrap();
        assert_eq!(a.len(), 6);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        let many: std::collections::HashSet<String> = (0..50).map(|_| random_code().unwrap()).collect();
        assert!(many.len() > 40, "random");
    }

    #[test]
    fn resend_waits_and_hourly_limit() {
        let first = otp(1000);
        assert!(may_send(None, 1000, L).is_ok());
        let (e, wait) = may_send(Some(&first), 1030, L).unwrap_err();
        assert_eq!((e.status, e.code, wait), (429, "otp_too_soon", 30));
        assert!(e.message.contains("30 secondi"));
        assert!(may_send(Some(&first), 1060, L).is_ok());
        let second = issue(Some(&first), "+393471234567", "000000", "id2".into(), "s".into(), 1060, L);
        let third = issue(Some(&second), "+393471234567", "000000", "id3".into(), "s".into(), 1120, L);
        assert_eq!((third.window_start, third.sends), (1000, 3));
        let (e, wait) = may_send(Some(&third), 1200, L).unwrap_err();
        assert_eq!((e.code, wait), ("otp_limit", 3400));
        assert!(e.message.contains("57 minuti"), "{}", e.message);
        // a new hour, a new allowance
        assert!(may_send(Some(&third), 4600, L).is_ok());
        assert_eq!(issue(Some(&third), "x", "1", "i".into(), "s".into(), 4600, L).sends, 1);
    }

    #[test]
    fn checks_before_counting() {
        let o = otp(1000);
        assert_eq!(precheck(None, "+393471234567", 1000).unwrap_err().code, "otp_missing");
        assert_eq!(precheck(Some(&o), "+393470000000", 1000).unwrap_err().code, "otp_other_target");
        assert_eq!(precheck(Some(&o), "+393471234567", 1601).unwrap_err().code, "otp_expired");
        assert!(precheck(Some(&o), "+393471234567", 1600).is_ok());
        let used = Otp { used: true, ..o };
        assert_eq!(precheck(Some(&used), "+393471234567", 1000).unwrap_err().code, "otp_used");
    }

    #[test]
    fn five_wrong_guesses_burn_the_code() {
        let o = otp(0);
        assert_eq!(judge(&o, "123456", 1, L), Ok(()));
        let e = judge(&o, "654321", 1, L).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("otp_wrong", "Codice errato: hai ancora 4 tentativi."));
        assert_eq!(judge(&o, "654321", 4, L).unwrap_err().message, "Codice errato: hai ancora un tentativo.");
        assert_eq!(judge(&o, "654321", 5, L).unwrap_err().code, "otp_burned");
        // even the right code, once the counter is past the limit
        assert_eq!(judge(&o, "123456", 6, L).unwrap_err().code, "otp_burned");
        assert_eq!(judge(&o, "12345", 1, L).unwrap_err().code, "otp_wrong");
        assert_eq!(judge(&o, "1234567", 1, L).unwrap_err().code, "otp_wrong");
    }

    #[test]
    fn verified_targets_expire() {
        let v = Verified { target: "+393471234567".into(), verified_at: 0, expires_at: 3600 };
        assert!(is_verified(Some(&v), "+393471234567", 100));
        assert!(!is_verified(Some(&v), "+393470000000", 100));
        assert!(!is_verified(Some(&v), "+393471234567", 3601));
        assert!(!is_verified(None, "+393471234567", 0));
    }

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
