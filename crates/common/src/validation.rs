//! Validation and normalisation of what people type into forms: Italian identifiers
//! (codice fiscale, partita IVA), CAP, e-mail and mobile numbers.
//!
//! Every validator takes the raw input and returns the normalised value or an
//! [`Invalid`]: a stable machine code and an Italian message a citizen understands.
//! A handler collects them per input field with [`Fields`]; a non-empty collection
//! becomes an [`ApiError`] with status **422** and code `invalid_fields`:
//!
//! ```json
//! {"error": {"code": "invalid_fields", "message": "…",
//!            "fields": [{"field": "email", "code": "invalid_format", "message": "…"}]}}
//! ```
//!
//! 422 is for well-formed requests whose values are not acceptable (the UI shows each
//! message next to its input); a request that cannot be parsed at all (not JSON,
//! wrong types) stays a 400 without `fields`.
//!
//! Codes used in `fields[].code`: `required`, `invalid_format`, `invalid_length`,
//! `invalid_check_digit`, `too_long`, `not_mobile`, `landline`, `not_italian`,
//! `cap_mismatch`, `fiscal_code_mismatch`, `mismatch`.

use serde::Serialize;

use crate::ApiError;

// ---------------------------------------------------------------------------------
// Errors per field
// ---------------------------------------------------------------------------------

/// Why one value is not acceptable: a stable code and an Italian message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// The same problem, attached to an input field.
    pub fn at(self, field: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), code: self.code, message: self.message }
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> Invalid {
    Invalid::new(code, message)
}

/// A problem with one input field, as sent in `error.fields[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The input's name in the request (e.g. `email`, `residence.cap`).
    pub field: String,
    pub code: &'static str,
    /// Italian, shown next to the input.
    pub message: String,
}

/// Collects the field errors of one request.
///
/// ```
/// # use common::validation::{self, Fields};
/// let mut f = Fields::new();
/// let email = f.check("email", validation::email(" Mario.Rossi@Example.ORG "));
/// let phone = f.check("mobile_phone", validation::mobile_phone("055 123456"));
/// assert_eq!(email.as_deref(), Some("Mario.Rossi@example.org"));
/// assert!(phone.is_none());
/// let err = f.into_result().unwrap_err();
/// assert_eq!((err.status, err.code, err.fields.len()), (422, "invalid_fields", 1));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value when `result` is valid; otherwise records its error under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e.at(field));
                None
            }
        }
    }

    pub fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), code, message: message.into() });
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Whether `field` already has an error (to skip checks that depend on it).
    pub fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.errors
    }

    /// `Ok(())` when nothing was recorded, else the 422 [`ApiError`].
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::invalid_fields(self.errors)) }
    }
}

impl From<Fields> for ApiError {
    fn from(f: Fields) -> Self {
        ApiError::invalid_fields(f.errors)
    }
}

// ---------------------------------------------------------------------------------
// Free text
// ---------------------------------------------------------------------------------

/// A required free text of at most `max` characters (a cancellation's reason, …), with
/// its runs of white space made one space: `Invalid` `required` (with `required`, the
/// message saying what to write) or `too_long` (naming the field's `label`).
pub fn required_text(input: Option<&str>, max: usize, label: &str, required: &str) -> Result<String, Invalid> {
    let text = input.unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(Invalid::new("required", required));
    }
    if text.chars().count() > max {
        return Err(Invalid::new("too_long", format!("{label} può contenere al massimo {max} caratteri.")));
    }
    Ok(text)
}

// ---------------------------------------------------------------------------------
// Codice fiscale (persons)
// ---------------------------------------------------------------------------------

/// Upper case, without surrounding or inner white space: what people paste is often
/// `rssmra 85c14 d612r`.
pub fn normalize_fiscal_code(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase()
}

/// Whether `cf` is a well-formed personal codice fiscale (16 characters, omocodia
/// substitutions allowed) with the right check character.
pub fn fiscal_code_is_valid(cf: &str) -> bool {
    let b = cf.as_bytes();
    if b.len() != 16 || !b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return false;
    }
    // letters where letters belong; digit positions may hold omocodia letters L-V
    for (i, c) in b.iter().enumerate() {
        let ok = if LETTERS_AT.contains(&i) { c.is_ascii_uppercase() } else { omocodia_digit(*c).is_some() };
        if !ok {
            return false;
        }
    }
    fiscal_code_check_char(&cf[..15]) == Some(b[15] as char)
}

/// Positions that always hold letters; the others hold digits or omocodia letters.
const LETTERS_AT: [usize; 9] = [0, 1, 2, 3, 4, 5, 8, 11, 15];
/// Omocodia: a digit replaced by the letter at its index.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// The month letters, January to December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

fn omocodia_digit(c: u8) -> Option<u8> {
    if c.is_ascii_digit() { Some(c - b'0') } else { OMOCODIA.iter().position(|&l| l == c).map(|d| d as u8) }
}

/// The check character of the first 15 characters of a codice fiscale (upper-case
/// letters and digits), or `None` for other input.
pub fn fiscal_code_check_char(first15: &str) -> Option<char> {
    const ODD: [u32; 36] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
    let b = first15.as_bytes();
    if b.len() != 15 || !b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return None;
    }
    let value = |c: u8| if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
    let sum: u32 = b
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let v = value(*c);
            // 1-based odd positions use the table, even positions the plain value
            if i % 2 == 0 { ODD[v as usize] } else if v >= 10 { v - 10 } else { v }
        })
        .sum();
    Some((b'A' + (sum % 26) as u8) as char)
}

/// A personal codice fiscale typed by someone: normalised ([`normalize_fiscal_code`])
/// and checked (format, check character, a real month and day).
pub fn fiscal_code(input: &str) -> Result<String, Invalid> {
    let cf = normalize_fiscal_code(input);
    if cf.is_empty() {
        return Err(invalid("required", "Inserisci il codice fiscale."));
    }
    if cf.chars().count() != 16 {
        return Err(invalid("invalid_length", "Il codice fiscale deve essere di 16 caratteri, lettere e cifre."));
    }
    check_personal_fiscal_code(&cf)?;
    Ok(cf)
}

/// `cf` already normalised and 16 characters long.
fn check_personal_fiscal_code(cf: &str) -> Result<(), Invalid> {
    let shape_ok = cf.bytes().enumerate().all(|(i, c)| {
        if LETTERS_AT.contains(&i) { c.is_ascii_uppercase() } else { omocodia_digit(c).is_some() }
    });
    if !shape_ok || decode_parts(cf).is_none() {
        return Err(invalid(
            "invalid_format",
            "Il codice fiscale non è scritto correttamente: sono 6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre e 1 lettera.",
        ));
    }
    if !fiscal_code_is_valid(cf) {
        return Err(invalid(
            "invalid_check_digit",
            "Il codice fiscale non è corretto: controlla di averlo scritto bene (l'ultimo carattere non corrisponde agli altri).",
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// SPID's `gender` attribute: `M` or `F`.
    pub fn from_spid(value: &str) -> Option<Self> {
        match value.trim() {
            "M" | "m" => Some(Self::Male),
            "F" | "f" => Some(Self::Female),
            _ => None,
        }
    }

    pub fn as_spid(self) -> &'static str {
        match self {
            Self::Male => "M",
            Self::Female => "F",
        }
    }
}

/// What a personal codice fiscale says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiscalCodeParts {
    /// Three letters from the surname (e.g. `RSS`).
    pub surname_code: String,
    /// Three letters from the given names (e.g. `MRA`).
    pub name_code: String,
    /// The year of birth modulo 100 (the century is not in the code).
    pub year: u8,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    pub gender: Gender,
    /// The cadastral (Belfiore) code of the comune of birth, e.g. `D612`, or `Z` + 3
    /// digits for a foreign country; omocodia letters already turned back into digits.
    pub place: String,
    /// Whether some digits were replaced by omocodia letters.
    pub omocodia: bool,
}

impl FiscalCodeParts {
    /// Whether the person was born abroad (`Z` codes are countries).
    pub fn born_abroad(&self) -> bool {
        self.place.starts_with('Z')
    }
}

/// The parts of a valid personal codice fiscale; `None` when it is not valid.
pub fn decode_fiscal_code(cf: &str) -> Option<FiscalCodeParts> {
    if !fiscal_code_is_valid(cf) {
        return None;
    }
    decode_parts(cf)
}

/// Decodes without looking at the check character.
fn decode_parts(cf: &str) -> Option<FiscalCodeParts> {
    let b = cf.as_bytes();
    if b.len() != 16 {
        return None;
    }
    let digit = |i: usize| omocodia_digit(b[i]);
    let year = digit(6)? * 10 + digit(7)?;
    let month = MONTHS.iter().position(|&m| m == b[8])? as u8 + 1;
    let day_code = digit(9)? * 10 + digit(10)?;
    let (gender, day) = match day_code {
        1..=31 => (Gender::Male, day_code),
        41..=71 => (Gender::Female, day_code - 40),
        _ => return None,
    };
    // 29 February is accepted: the century, hence leap years, is unknown
    let max_day = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > max_day || !b[11].is_ascii_uppercase() {
        return None;
    }
    let place = format!("{}{}{}{}", b[11] as char, digit(12)?, digit(13)?, digit(14)?);
    let omocodia = [6, 7, 9, 10, 12, 13, 14].iter().any(|&i| !b[i].is_ascii_digit());
    Some(FiscalCodeParts {
        surname_code: cf[0..3].to_string(),
        name_code: cf[3..6].to_string(),
        year,
        month,
        day,
        gender,
        place,
        omocodia,
    })
}

/// Letters of a name as the codice fiscale sees them: upper case, accents dropped,
/// anything but letters (spaces, apostrophes, hyphens) left out. `None` when a letter
/// has no obvious Latin spelling (the comparison is then skipped, not failed).
fn name_letters(name: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for c in name.chars() {
        let base = match c.to_uppercase().next().unwrap_or(c) {
            c @ 'A'..='Z' => c,
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
            'È' | 'É' | 'Ê' | 'Ë' => 'E',
            'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
            'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
            'Ç' => 'C',
            'Ñ' => 'N',
            c if c.is_alphabetic() => return None,
            _ => continue,
        };
        out.push(base as u8);
    }
    Some(out)
}

fn split_letters(letters: &[u8]) -> (Vec<u8>, Vec<u8>) {
    letters.iter().partition(|c| !b"AEIOU".contains(c))
}

fn three(mut parts: Vec<u8>) -> String {
    parts.resize(parts.len().max(3), b'X');
    String::from_utf8_lossy(&parts[..3]).into_owned()
}

/// The three letters a surname gives a codice fiscale (`Rossi` → `RSS`, `Fo` → `FOX`).
/// `None` for a name without letters or with letters outside the Latin alphabet.
pub fn surname_code(family_name: &str) -> Option<String> {
    let letters = name_letters(family_name)?;
    if letters.is_empty() {
        return None;
    }
    let (consonants, vowels) = split_letters(&letters);
    Some(three(consonants.into_iter().chain(vowels).collect()))
}

/// The three letters given names give a codice fiscale: with four or more consonants
/// the first, third and fourth (`Niccolò` → `NCL`), else like a surname (`Mario` → `MRA`).
pub fn name_code(name: &str) -> Option<String> {
    let letters = name_letters(name)?;
    if letters.is_empty() {
        return None;
    }
    let (consonants, vowels) = split_letters(&letters);
    if consonants.len() >= 4 {
        return Some(three(vec![consonants[0], consonants[2], consonants[3]]));
    }
    Some(three(consonants.into_iter().chain(vowels).collect()))
}

/// What the identity provider (or the form) says about the person, to compare with
/// their codice fiscale. `None` or an empty value skips that comparison.
#[derive(Debug, Clone, Copy, Default)]
pub struct BirthData<'a> {
    /// SPID `familyName`.
    pub family_name: Option<&'a str>,
    /// SPID `name` (all given names).
    pub name: Option<&'a str>,
    /// SPID `dateOfBirth`: ISO `YYYY-MM-DD`.
    pub date_of_birth: Option<&'a str>,
    /// SPID `gender`: `M` or `F`.
    pub gender: Option<&'a str>,
    /// SPID `placeOfBirth`: the cadastral code (`F205`; `Z` + 3 digits abroad).
    pub place_of_birth: Option<&'a str>,
}

/// A part of the person's data that does not agree with their codice fiscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FiscalCodePart {
    FamilyName,
    Name,
    DateOfBirth,
    Gender,
    PlaceOfBirth,
}

impl FiscalCodePart {
    /// The field name to report it under (as in the `people` table).
    pub fn field(self) -> &'static str {
        match self {
            Self::FamilyName => "family_name",
            Self::Name => "name",
            Self::DateOfBirth => "date_of_birth",
            Self::Gender => "gender",
            Self::PlaceOfBirth => "place_of_birth",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::FamilyName => "Il cognome non corrisponde a quello indicato nel codice fiscale.",
            Self::Name => "Il nome non corrisponde a quello indicato nel codice fiscale.",
            Self::DateOfBirth => "La data di nascita non corrisponde a quella indicata nel codice fiscale.",
            Self::Gender => "Il sesso non corrisponde a quello indicato nel codice fiscale.",
            Self::PlaceOfBirth => "Il luogo di nascita non corrisponde a quello indicato nel codice fiscale.",
        }
    }

    /// A [`FieldError`] with code `fiscal_code_mismatch` under [`Self::field`].
    pub fn error(self) -> FieldError {
        FieldError { field: self.field().into(), code: "fiscal_code_mismatch", message: self.message().into() }
    }
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// Compares a personal codice fiscale with the person's data and returns the parts
/// that disagree (empty: all given parts agree). Omocodia letters are decoded first.
/// A date of birth that is not ISO `YYYY-MM-DD`, a gender other than `M`/`F` or a
/// place of birth that is not a cadastral code (letter + 3 digits) disagrees; names
/// with letters outside the Latin alphabet are not compared.
///
/// Note: a comune that no longer exists keeps its own cadastral code in the codice
/// fiscale of people born there (e.g. E296 Incisa in Val d'Arno, now part of M321
/// Figline e Incisa Valdarno): compare with the code of the place as it was then.
pub fn fiscal_code_disagreements(cf: &str, data: &BirthData<'_>) -> Result<Vec<FiscalCodePart>, Invalid> {
    let cf = normalize_fiscal_code(cf);
    if cf.len() != 16 {
        return Err(invalid("invalid_length", "Il codice fiscale deve essere di 16 caratteri, lettere e cifre."));
    }
    check_personal_fiscal_code(&cf)?;
    let parts = decode_parts(&cf).expect("checked above");
    let mut out = Vec::new();
    if let Some(family_name) = present(data.family_name)
        && surname_code(family_name).is_some_and(|code| code != parts.surname_code)
    {
        out.push(FiscalCodePart::FamilyName);
    }
    if let Some(name) = present(data.name)
        && name_code(name).is_some_and(|code| code != parts.name_code)
    {
        out.push(FiscalCodePart::Name);
    }
    if let Some(date) = present(data.date_of_birth) {
        let agrees = parse_iso_date(date)
            .is_some_and(|(y, m, d)| (y % 100) as u8 == parts.year && m == parts.month && d == parts.day);
        if !agrees {
            out.push(FiscalCodePart::DateOfBirth);
        }
    }
    if let Some(gender) = present(data.gender)
        && Gender::from_spid(gender) != Some(parts.gender)
    {
        out.push(FiscalCodePart::Gender);
    }
    if let Some(place) = present(data.place_of_birth)
        && cadastral_code(place).is_none_or(|code| code != parts.place)
    {
        out.push(FiscalCodePart::PlaceOfBirth);
    }
    Ok(out)
}

/// `YYYY-MM-DD` as (year, month, day) of a real calendar date.
fn parse_iso_date(s: &str) -> Option<(u16, u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?.parse::<u16>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(y), month, u8::try_from(d).ok()?).ok()?;
    Some((y, m as u8, d as u8))
}

/// A cadastral (Belfiore) code: a letter and three digits, upper-cased (`f205` →
/// `F205`); `Z` codes are foreign countries.
pub fn cadastral_code(input: &str) -> Option<String> {
    let code = input.trim().to_ascii_uppercase();
    let b = code.as_bytes();
    (b.len() == 4 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)).then_some(code)
}

/// Whether a cadastral code is a foreign country's (`Z` + 3 digits). The portal does
/// not check which country: any such code is accepted as "born abroad".
pub fn cadastral_code_is_abroad(code: &str) -> bool {
    cadastral_code(code).is_some_and(|c| c.starts_with('Z'))
}

// ---------------------------------------------------------------------------------
// Partita IVA and companies' codice fiscale
// ---------------------------------------------------------------------------------

/// The check digit of the first 10 digits of a partita IVA (Luhn: digits in even
/// positions are doubled, minus 9 above 9); `None` for other input.
pub fn vat_check_digit(first10: &str) -> Option<u8> {
    let b = first10.as_bytes();
    if b.len() != 10 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let d = u32::from(c - b'0');
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether `p` is a valid partita IVA (or numeric codice fiscale of a company): 11
/// digits, a non-zero serial number (digits 1-7), an existing office code (digits
/// 8-10: 001-100, 120, 121, 888 or 999) and the right check digit.
pub fn vat_number_is_valid(p: &str) -> bool {
    let b = p.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) || &p[..7] == "0000000" {
        return false;
    }
    let office: u16 = p[7..10].parse().unwrap_or(0);
    if !((1..=100).contains(&office) || [120, 121, 888, 999].contains(&office)) {
        return false;
    }
    vat_check_digit(&p[..10]) == Some(b[10] - b'0')
}

/// Without spaces, dots, dashes and slashes, upper case, without the `IT` prefix of
/// VAT numbers written for the EU (`IT 01234567897`).
fn compact_company_code(input: &str) -> String {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/'))
        .collect::<String>()
        .to_ascii_uppercase();
    match s.strip_prefix("IT") {
        Some(rest) if rest.len() == 11 && rest.bytes().all(|c| c.is_ascii_digit()) => rest.to_string(),
        _ => s,
    }
}

const VAT_INVALID: &str = "La partita IVA non è valida: controlla di averla scritta bene (sono 11 cifre).";

/// A partita IVA typed by someone: normalised (spaces, dots and an `IT` prefix
/// dropped) and checked.
pub fn vat_number(input: &str) -> Result<String, Invalid> {
    let p = compact_company_code(input);
    if p.is_empty() {
        return Err(invalid("required", "Inserisci la partita IVA."));
    }
    if !p.bytes().all(|c| c.is_ascii_digit()) {
        return Err(invalid("invalid_format", "La partita IVA è fatta solo di cifre (11)."));
    }
    if p.len() != 11 {
        return Err(invalid("invalid_length", "La partita IVA deve essere di 11 cifre."));
    }
    if !vat_number_is_valid(&p) {
        return Err(invalid("invalid_check_digit", VAT_INVALID));
    }
    Ok(p)
}

/// A company's codice fiscale: 11 digits (same rules as the partita IVA) or, for sole
/// traders (ditte individuali), the owner's 16-character personal codice fiscale.
pub fn company_fiscal_code(input: &str) -> Result<String, Invalid> {
    match company_lookup_code(input) {
        Ok(code) => Ok(code.into_string()),
        Err(e) if e.code == "required" => Err(invalid("required", "Inserisci il codice fiscale dell'azienda.")),
        Err(e) => Err(e),
    }
}

/// What someone typed to find a company (A2, B1: "Codice Fiscale o Partita IVA"),
/// from [`company_lookup_code`]. The lookup in `companies` (both columns indexed):
///
/// ```sql
/// -- Numeric: may return several rows (members of a VAT group share a partita IVA);
/// -- the company whose codice fiscale it is comes first, ceased ones last
/// SELECT … FROM companies WHERE fiscal_code = ?1 OR vat_number = ?1
///  ORDER BY fiscal_code = ?1 DESC, ceased_on IS NOT NULL, name, id
/// -- Personal
/// SELECT … FROM companies WHERE fiscal_code = ?1
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyCode {
    /// 11 digits: a partita IVA or a company's numeric codice fiscale (they share the
    /// algorithm and are often equal): look it up in `companies.vat_number` and
    /// `companies.fiscal_code`.
    Numeric(String),
    /// 16 characters: a sole trader's personal codice fiscale: look it up in
    /// `companies.fiscal_code`.
    Personal(String),
}

impl CompanyCode {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Numeric(s) | Self::Personal(s) => s,
        }
    }

    pub fn into_string(self) -> String {
        match self {
            Self::Numeric(s) | Self::Personal(s) => s,
        }
    }

    /// The answer when no company has this code (code `not_found`, for the input field).
    pub fn not_found(&self) -> Invalid {
        let what = match self {
            Self::Numeric(_) => "con questa partita IVA o codice fiscale",
            Self::Personal(_) => "con questo codice fiscale",
        };
        invalid(
            "not_found",
            format!(
                "Non risulta nessuna azienda {what} ({}): controlla il codice oppure rivolgiti al Centro per l'impiego.",
                self.as_str()
            ),
        )
    }
}

/// `companies.kind`: the manual's sections Aziende, Agenzie and Professionista.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanyKind {
    /// An employer (Aziende).
    Company,
    /// An agenzia per il lavoro (Agenzie).
    Agency,
    /// A consulente del lavoro or other professional acting for employers (Professionista).
    ProfessionalFirm,
}

impl CompanyKind {
    pub const ALL: [Self; 3] = [Self::Company, Self::Agency, Self::ProfessionalFirm];

    /// The value stored in `companies.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Agency => "agency",
            Self::ProfessionalFirm => "professional_firm",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// Italian, for the person: "Azienda", "Agenzia per il lavoro", "Professionista".
    pub fn label(self) -> &'static str {
        match self {
            Self::Company => "Azienda",
            Self::Agency => "Agenzia per il lavoro",
            Self::ProfessionalFirm => "Professionista",
        }
    }
}

const COMPANY_CODE_INVALID: &str = "Il codice inserito non è una partita IVA o un codice fiscale valido.";

/// Classifies and checks a company lookup input: 11 digits (partita IVA / numeric
/// codice fiscale) or a 16-character personal codice fiscale. Spaces, dots, dashes
/// and an `IT` prefix are ignored; letters may be lower case.
pub fn company_lookup_code(input: &str) -> Result<CompanyCode, Invalid> {
    let code = compact_company_code(input);
    if code.is_empty() {
        return Err(invalid("required", "Inserisci la partita IVA o il codice fiscale dell'azienda."));
    }
    if code.bytes().all(|c| c.is_ascii_digit()) {
        if code.len() != 11 {
            return Err(invalid(
                "invalid_length",
                "La partita IVA e il codice fiscale numerico di un'azienda sono di 11 cifre.",
            ));
        }
        if !vat_number_is_valid(&code) {
            return Err(invalid("invalid_check_digit", VAT_INVALID));
        }
        return Ok(CompanyCode::Numeric(code));
    }
    if code.len() == 16 && code.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return match check_personal_fiscal_code(&code) {
            Ok(()) => Ok(CompanyCode::Personal(code)),
            Err(e) if e.code == "invalid_format" => Err(invalid("invalid_format", COMPANY_CODE_INVALID)),
            Err(e) => Err(e),
        };
    }
    Err(invalid("invalid_format", COMPANY_CODE_INVALID))
}

// ---------------------------------------------------------------------------------
// CAP
// ---------------------------------------------------------------------------------

/// A CAP (codice di avviamento postale): 5 digits.
pub fn cap(input: &str) -> Result<String, Invalid> {
    let cap = input.trim();
    if cap.is_empty() {
        return Err(invalid("required", "Inserisci il CAP."));
    }
    if cap.len() != 5 || !cap.bytes().all(|c| c.is_ascii_digit()) {
        return Err(invalid("invalid_format", "Il CAP è fatto di 5 cifre, per esempio 50121."));
    }
    Ok(cap.to_string())
}

/// How a CAP relates to a comune's list of CAPs (from `comuni_caps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapMatch {
    /// In the list.
    Listed,
    /// The generic CAP of a city with street CAPs: Firenze lists 50121-50145 and
    /// letters addressed to "50100 Firenze" are delivered too.
    Generic,
    /// Not listed, but with the same first three digits as a listed one: most comuni
    /// are listed with one CAP while Poste gives some frazioni their own (Capannori is
    /// listed as 55012, its frazione Segromigno in Monte has 55018).
    SameArea,
    /// None of the above: the CAP belongs to another area.
    Mismatch,
}

impl CapMatch {
    /// Whether the portal accepts the CAP for the comune (all but [`Self::Mismatch`]).
    pub fn accepted(self) -> bool {
        self != Self::Mismatch
    }
}

/// Classifies `cap` (5 digits) against `comune_caps`. A comune without CAPs in the
/// reference data accepts any CAP ([`CapMatch::SameArea`]).
pub fn cap_match<S: AsRef<str>>(cap: &str, comune_caps: &[S]) -> CapMatch {
    if comune_caps.is_empty() {
        return CapMatch::SameArea;
    }
    if comune_caps.iter().any(|c| c.as_ref() == cap) {
        return CapMatch::Listed;
    }
    let street_caps = comune_caps.len() > 1;
    if street_caps && cap.len() == 5 && cap.ends_with("00") && comune_caps.iter().any(|c| c.as_ref().get(..3) == cap.get(..3)) {
        return CapMatch::Generic;
    }
    if comune_caps.iter().any(|c| c.as_ref().len() == 5 && c.as_ref().get(..3) == cap.get(..3)) {
        return CapMatch::SameArea;
    }
    CapMatch::Mismatch
}

/// Checks a CAP typed for a comune: format ([`cap`]), then [`cap_match`]. `comune_name`
/// is used in the message (`Il CAP 50018 non corrisponde al comune di Firenze …`).
pub fn cap_for_comune<S: AsRef<str>>(input: &str, comune_caps: &[S], comune_name: &str) -> Result<String, Invalid> {
    let cap = cap(input)?;
    if cap_match(&cap, comune_caps).accepted() {
        return Ok(cap);
    }
    let mut caps: Vec<&str> = comune_caps.iter().map(AsRef::as_ref).collect();
    caps.sort_unstable();
    let hint = match caps.as_slice() {
        [one] => format!("il CAP di {comune_name} è {one}"),
        [first, .., last] => format!("i CAP di {comune_name} vanno da {first} a {last}"),
        [] => String::new(),
    };
    Err(invalid("cap_mismatch", format!("Il CAP {cap} non corrisponde al comune di {comune_name}: {hint}.")))
}

// ---------------------------------------------------------------------------------
// E-mail
// ---------------------------------------------------------------------------------

const EMAIL_EXAMPLE: &str = "per esempio nome.cognome@esempio.it";

/// An e-mail address with a practical syntax check: at most 254 characters, one `@`,
/// a local part of ordinary characters (no quoted forms), a domain name with a dot
/// (punycode `xn--` labels are fine; IP literals and non-ASCII characters are not).
/// Normalised: trimmed, the domain lower-cased (the local part is kept as typed).
pub fn email(input: &str) -> Result<String, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Err(invalid("required", "Inserisci l'indirizzo e-mail."));
    }
    if s.chars().count() > 254 {
        return Err(invalid("too_long", "L'indirizzo e-mail è troppo lungo (al massimo 254 caratteri)."));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("invalid_format", "L'indirizzo e-mail non può contenere spazi."));
    }
    if !s.is_ascii() {
        return Err(invalid(
            "invalid_format",
            "L'indirizzo e-mail contiene caratteri non ammessi (per esempio lettere accentate).",
        ));
    }
    let (local, domain) = match s.split('@').collect::<Vec<_>>().as_slice() {
        [local, domain] => (*local, *domain),
        [_] => return Err(invalid("invalid_format", format!("Nell'indirizzo e-mail manca la @: {EMAIL_EXAMPLE}."))),
        _ => return Err(invalid("invalid_format", format!("L'indirizzo e-mail deve contenere una sola @: {EMAIL_EXAMPLE}."))),
    };
    const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok {
        return Err(invalid("invalid_format", format!("La parte prima della @ non è valida: {EMAIL_EXAMPLE}.")));
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld = labels.last().copied().unwrap_or("");
    let tld_ok = (tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic())) || (tld.starts_with("xn--") && tld.len() > 4);
    if labels.len() < 2 || domain.len() > 253 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(invalid(
            "invalid_format",
            format!("Il dominio dell'indirizzo e-mail (la parte dopo la @) non è valido: {EMAIL_EXAMPLE}."),
        ));
    }
    Ok(format!("{local}@{domain}"))
}

/// The "Reinserisci indirizzo e-mail" check: `confirmation` must be the same address
/// as `email` (already validated), ignoring case and surrounding spaces.
pub fn email_confirmation(email: &str, confirmation: &str) -> Result<(), Invalid> {
    let c = confirmation.trim();
    if c.is_empty() {
        return Err(invalid("required", "Inserisci di nuovo l'indirizzo e-mail per conferma."));
    }
    if !c.eq_ignore_ascii_case(email.trim()) {
        return Err(invalid("mismatch", "I due indirizzi e-mail non coincidono."));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Mobile phone numbers
// ---------------------------------------------------------------------------------

const MOBILE_EXAMPLE: &str = "per esempio 347 123 4567";

/// An Italian mobile number, as E.164 (`+393471234567`). Accepts `+39 347 123 4567`,
/// `0039…`, `39347…` and `3471234567`, with spaces, dots, dashes, slashes or
/// brackets. Landlines and special numbers are refused: the number receives the
/// SMS with the confirmation code.
pub fn mobile_phone(input: &str) -> Result<String, Invalid> {
    let s: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/' | '(' | ')'))
        .collect();
    if s.is_empty() {
        return Err(invalid("required", "Inserisci il numero di cellulare."));
    }
    let (international, digits) = match s.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => match s.strip_prefix("00") {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        },
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            "invalid_format",
            format!("Il numero di cellulare può contenere solo cifre, spazi e il prefisso +39: {MOBILE_EXAMPLE}."),
        ));
    }
    let national = if international {
        match digits.strip_prefix("39") {
            Some(n) => n,
            None => {
                return Err(invalid(
                    "not_italian",
                    format!("Serve un numero di cellulare italiano (prefisso +39) per ricevere il codice via SMS: {MOBILE_EXAMPLE}."),
                ));
            }
        }
    } else if digits.starts_with("393") && (11..=12).contains(&digits.len()) {
        // the country code without + or 00: a national mobile number has at most 10 digits
        &digits[2..]
    } else {
        digits
    };
    match national.as_bytes().first() {
        Some(b'3') if (9..=10).contains(&national.len()) => Ok(format!("+39{national}")),
        Some(b'3') => Err(invalid(
            "invalid_length",
            format!("Il numero di cellulare deve avere 10 cifre: {MOBILE_EXAMPLE}."),
        )),
        Some(b'0') => Err(invalid(
            "landline",
            format!(
                "Il numero indicato sembra un telefono fisso: serve un numero di cellulare per ricevere il codice via SMS ({MOBILE_EXAMPLE})."
            ),
        )),
        _ => Err(invalid(
            "not_mobile",
            format!("Il numero indicato non è un cellulare: serve un numero di cellulare per ricevere il codice via SMS ({MOBILE_EXAMPLE})."),
        )),
    }
}

#[cfg(test)]
mod tests;
