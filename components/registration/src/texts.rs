//! Texts the person reads and confirms, with their versions (recorded with the
//! consent), and the incarico roles.

use serde::Serialize;

/// The privacy notice (GDPR art. 13) shown in the registration form: the page
/// `/privacy/`. Change the version whenever its text changes: consent is recorded
/// against a version, and a form sent against an older one is refused.
pub const PRIVACY_VERSION: &str = "2026-01";
pub const PRIVACY_URL: &str = "/privacy/";

/// The declaration of responsibility confirmed when taking an incarico
/// ("Inserisci incarico" → "Aggiungi incarico", or Registrati → Azienda).
pub const DECLARATION_VERSION: &str = "2026-01";
pub const DECLARATION: &str = "Dichiaro, sotto la mia responsabilità e consapevole delle sanzioni penali previste dall'articolo 76 del D.P.R. 28 dicembre 2000, n. 445 per le dichiarazioni mendaci, di ricoprire il ruolo indicato per il soggetto selezionato e di essere autorizzato a operare sul portale Toscana Lavoro in suo nome e per suo conto. Mi impegno a revocare l'incarico dal mio profilo quando cesserà. Prendo atto che le operazioni svolte per conto del soggetto sono registrate con il mio codice fiscale.";

/// Shown under the e-mail and phone fields (as in the manual).
pub const CONTACTS_NOTICE: &str = "Controlla l'esattezza dell'indirizzo e-mail e del cellulare: questi recapiti saranno usati dai Centri per l'impiego per contattarti e per le comunicazioni dell'assistenza di Toscana Lavoro. Potrai aggiornarli dal tuo profilo.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = IncaricoRole))]
pub struct Role {
    pub code: &'static str,
    pub label: &'static str,
}

pub const ROLES: &[Role] = &[
    Role { code: "rappresentante_legale", label: "Rappresentante legale" },
    Role { code: "delegato", label: "Delegato" },
    Role { code: "altro", label: "Altro" },
];

pub fn role(code: &str) -> Option<&'static Role> {
    ROLES.iter().find(|r| r.code == code)
}

pub fn role_label(code: &str) -> &str {
    role(code).map_or(code, |r| r.label)
}

/// A text to accept, with its version.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = VersionedText))]
pub struct Versioned {
    pub version: &'static str,
    pub text: &'static str,
}

pub fn declaration() -> Versioned {
    Versioned { version: DECLARATION_VERSION, text: DECLARATION }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert_eq!(role("delegato").map(|r| r.label), Some("Delegato"));
        assert_eq!(role("Delegato"), None);
        assert_eq!(role_label("altro"), "Altro");
    }
}
