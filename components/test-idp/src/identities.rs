//! The test identities (`config/test-idp/identities.json`) and the codice fiscale
//! check character that keeps them realistic.

use std::collections::BTreeMap;

use saml::metadata::{CIE_ATTRIBUTES, Federation};
use serde::Deserialize;

/// A test person, with the SPID attribute names as field names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Identity {
    pub fiscal_number: String,
    pub name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`
    pub date_of_birth: String,
    /// Belfiore code of the comune
    pub place_of_birth: String,
    pub gender: String,
    pub email: String,
    pub mobile_phone: String,
}

impl Identity {
    /// The codice fiscale without the `TINIT-` prefix.
    pub fn codice_fiscale(&self) -> &str {
        self.fiscal_number.strip_prefix("TINIT-").unwrap_or(&self.fiscal_number)
    }

    /// The attributes an IdP of `federation` releases (CIE only a few).
    pub fn attributes(&self, federation: Federation) -> BTreeMap<String, String> {
        let all = [
            ("fiscalNumber", &self.fiscal_number),
            ("name", &self.name),
            ("familyName", &self.family_name),
            ("dateOfBirth", &self.date_of_birth),
            ("placeOfBirth", &self.place_of_birth),
            ("gender", &self.gender),
            ("email", &self.email),
            ("mobilePhone", &self.mobile_phone),
        ];
        all.into_iter()
            .filter(|(k, _)| federation == Federation::Spid || CIE_ATTRIBUTES.contains(k))
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// `dd/mm/yyyy`, as Italian pages show dates.
    pub fn birth_date_it(&self) -> String {
        match self.date_of_birth.split('-').collect::<Vec<_>>()[..] {
            [y, m, d] => format!("{d}/{m}/{y}"),
            _ => self.date_of_birth.clone(),
        }
    }

    /// The comune of birth for people: `Firenze (D612)`.
    pub fn birth_place_it(&self) -> String {
        let code = self.place_of_birth.as_str();
        let name = match code {
            "D612" => "Firenze",
            "G999" => "Prato",
            "G702" => "Pisa",
            "E625" => "Livorno",
            "H501" => "Roma",
            "F839" => "Napoli",
            _ => return code.to_string(),
        };
        format!("{name} ({code})")
    }
}

/// Parses the identities file, refusing a codice fiscale with a wrong check character.
pub fn parse(json: &str) -> Result<Vec<Identity>, String> {
    let ids: Vec<Identity> = serde_json::from_str(json).map_err(|e| format!("identities.json: {e}"))?;
    for i in &ids {
        let cf = i.codice_fiscale();
        let valid = cf.is_ascii() && cf.len() == 16 && check_character(&cf[..15]) == Some(cf.as_bytes()[15] as char);
        if !valid {
            return Err(format!("identities.json: codice fiscale {} non valido", i.fiscal_number));
        }
    }
    Ok(ids)
}

/// The 16th character of a codice fiscale, from the first 15 (DM 23/12/1976, all. 2):
/// characters in odd positions and in even positions have their own values; the sum
/// modulo 26 is the letter. `None` for anything else than 15 digits/capital letters.
pub fn check_character(first15: &str) -> Option<char> {
    const ODD: [u32; 26] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
    if first15.len() != 15 {
        return None;
    }
    let mut sum = 0;
    for (i, c) in first15.chars().enumerate() {
        // digits count as the letter at the same rank (0 = A, 1 = B, …)
        let rank = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32,
            _ => return None,
        };
        // positions are counted from 1: index 0 is odd
        sum += if i % 2 == 0 { ODD[rank as usize] } else { rank };
    }
    char::from_u32('A' as u32 + sum % 26)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = include_str!("../../../config/test-idp/identities.json");

    /// The first 15 characters as the official algorithm derives them (no omocodia).
    fn expected_prefix(i: &Identity) -> String {
        fn letters(s: &str) -> Vec<char> {
            let plain = s.to_uppercase().replace(['À', 'Á'], "A").replace(['È', 'É'], "E").replace(['Ì', 'Í'], "I").replace(['Ò', 'Ó'], "O").replace(['Ù', 'Ú'], "U");
            plain.chars().filter(char::is_ascii_uppercase).collect()
        }
        fn part(s: &str, given_name: bool) -> String {
            let l = letters(s);
            let mut cons: Vec<char> = l.iter().copied().filter(|c| !"AEIOU".contains(*c)).collect();
            if given_name && cons.len() >= 4 {
                cons = vec![cons[0], cons[2], cons[3]];
            }
            cons.extend(l.iter().filter(|c| "AEIOU".contains(**c)));
            cons.extend("XXX".chars());
            cons[..3].iter().collect()
        }
        let [y, m, d]: [&str; 3] = i.date_of_birth.split('-').collect::<Vec<_>>().try_into().unwrap();
        let month = "ABCDEHLMPRST".as_bytes()[m.parse::<usize>().unwrap() - 1] as char;
        let day = d.parse::<u32>().unwrap() + if i.gender == "F" { 40 } else { 0 };
        format!("{}{}{}{month}{day:02}{}", part(&i.family_name, false), part(&i.name, true), &y[2..], i.place_of_birth)
    }

    #[test]
    fn check_character_matches_known_codes() {
        assert_eq!(check_character("RSSMRA80A01H501"), Some('U'));
        assert_eq!(check_character("MRTMTT25D09F205"), Some('Z'));
        assert_eq!(check_character("RSSMRA80A01H50"), None);
        assert_eq!(check_character("rssmra80a01h501"), None);
    }

    #[test]
    fn the_identities_file_is_valid_and_consistent() {
        let ids = parse(FILE).unwrap();
        assert!((6..=8).contains(&ids.len()));
        assert!(ids.iter().any(|i| i.gender == "F") && ids.iter().any(|i| i.gender == "M"));
        for i in &ids {
            let cf = i.codice_fiscale();
            assert!(i.fiscal_number.starts_with("TINIT-") && cf.len() == 16, "{}", i.fiscal_number);
            assert_eq!(&cf[..15], expected_prefix(i), "{} {}", i.name, i.family_name);
            assert_eq!(check_character(&cf[..15]), cf.chars().nth(15), "{cf}");
            assert!(i.mobile_phone.starts_with("+393") && i.email.contains('@'));
            assert!(i.birth_place_it().ends_with(&format!("({})", i.place_of_birth)), "known comune");
        }
        let broken = FILE.replacen("RSSMRA85C14D612R", "RSSMRA85C14D612S", 1);
        assert!(parse(&broken).unwrap_err().contains("RSSMRA85C14D612S"));
        assert!(parse("[{\"name\": 1}]").is_err());
    }

    #[test]
    fn cie_releases_fewer_attributes() {
        let i = &parse(FILE).unwrap()[0];
        assert_eq!(i.attributes(Federation::Spid).len(), 8);
        assert_eq!(i.attributes(Federation::Cie).keys().collect::<Vec<_>>(), ["dateOfBirth", "familyName", "fiscalNumber", "name"]);
        assert_eq!(i.birth_date_it(), "14/03/1985");
    }
}
