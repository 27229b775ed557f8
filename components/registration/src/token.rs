//! Activation links: a random 256-bit token in the link, only its SHA-256 in the
//! database (`activation_tokens`). What an unusable token means for the person.

use common::ApiError;
use sha2::{Digest, Sha256};

/// The database key of a token (hex SHA-256); `None` for something that cannot be one
/// of our tokens (64 lower-case hex digits), which is then not looked up at all.
pub fn hash(token: &str) -> Option<String> {
    let ok = token.len() == 64 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then(|| common::token::hex(&Sha256::digest(token.as_bytes())))
}

/// The state of a stored token at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Usable,
    Used,
    Superseded,
    Expired,
    Unknown,
}

pub fn state(found: Option<(Option<i64>, Option<i64>, i64)>, now: i64) -> State {
    match found {
        None => State::Unknown,
        Some((Some(_), _, _)) => State::Used,
        Some((None, Some(_), _)) => State::Superseded,
        Some((None, None, expires_at)) if expires_at < now => State::Expired,
        Some(_) => State::Usable,
    }
}

/// Why a link does not work, in Italian; `account_active`: the account is already
/// active (a used link then just says so).
pub fn refusal(state: State, account_active: bool) -> ApiError {
    match state {
        State::Used | State::Superseded | State::Expired if account_active => ApiError::new(
            409,
            "already_active",
            "Il tuo profilo è già attivo: accedi con SPID, CIE o CNS per usare i servizi.",
        ),
        State::Used => ApiError::new(
            409,
            "activation_used",
            "Questo collegamento di attivazione è già stato usato. Accedi con SPID, CIE o CNS: se il profilo non risulta attivo potrai chiedere un nuovo collegamento.",
        ),
        State::Superseded => ApiError::new(
            410,
            "activation_superseded",
            "Questo collegamento è stato sostituito da uno più recente: usa l'ultimo che hai ricevuto per e-mail.",
        ),
        State::Expired => ApiError::new(
            410,
            "activation_expired",
            "Il collegamento di attivazione è scaduto. Accedi con SPID, CIE o CNS e chiedi un nuovo collegamento.",
        ),
        State::Unknown | State::Usable => ApiError::new(
            404,
            "activation_invalid",
            "Il collegamento di attivazione non è valido. Controlla di averlo copiato per intero dall'e-mail, oppure accedi e chiedine uno nuovo.",
        ),
    }
}

/// A validity of `ttl_secs` in whole hours, rounded up, at least 1 (for the e-mail).
pub fn validity_hours(ttl_secs: i64) -> i64 {
    ((ttl_secs + 3599) / 3600).max(1)
}

/// The link in the activation e-mail: the portal's page `/registrati/attiva/`, which
/// shows a button that POSTs the token to `/api/registration/activate`.
pub fn link(base_url: &str, token: &str) -> String {
    format!("{}/registrati/attiva/?token={token}", base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_tokens_are_hashed() {
        let t = "ab".repeat(32);
        let h = hash(&t).unwrap();
        assert_eq!(h.len(), 64);
        assert_ne!(h, t, "the database never sees the token");
        assert_eq!(hash(&t.to_uppercase()), None);
        assert_eq!(hash("abc"), None);
        assert_eq!(hash(&format!("{}'", &t[..63])), None);
        assert_eq!(hash(&common::token::random_token().unwrap()).map(|h| h.len()), Some(64));
    }

    #[test]
    fn states_and_messages() {
        assert_eq!(state(None, 10), State::Unknown);
        assert_eq!(state(Some((Some(5), None, 100)), 10), State::Used);
        assert_eq!(state(Some((None, Some(5), 100)), 10), State::Superseded);
        assert_eq!(state(Some((None, None, 9)), 10), State::Expired);
        assert_eq!(state(Some((None, None, 10)), 10), State::Usable);
        assert_eq!(refusal(State::Expired, false).status, 410);
        assert_eq!(refusal(State::Used, false).code, "activation_used");
        assert_eq!(refusal(State::Used, true).code, "already_active");
        assert_eq!(refusal(State::Unknown, true).code, "activation_invalid");
    }

    #[test]
    fn hours_and_links() {
        assert_eq!(validity_hours(48 * 3600), 48);
        assert_eq!(validity_hours(3601), 2);
        assert_eq!(validity_hours(60), 1);
        assert_eq!(validity_hours(0), 1);
        assert_eq!(link("https://x.it/", "abc"), "https://x.it/registrati/attiva/?token=abc");
        assert_eq!(link("https://x.it", "abc"), "https://x.it/registrati/attiva/?token=abc");
    }
}
