//! Validation of Italian identifiers shared by the components.

/// Whether `cf` is a well-formed personal codice fiscale (16 characters, omocodia
/// substitutions allowed) with the right check character.
pub fn fiscal_code_is_valid(cf: &str) -> bool {
    const ODD: [u32; 36] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
    let b = cf.as_bytes();
    if b.len() != 16 || !b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return false;
    }
    // letters where letters belong; digit positions may hold omocodia letters L-V
    let letters_at = [0, 1, 2, 3, 4, 5, 8, 11, 15];
    let omocodia = |c: u8| c.is_ascii_digit() || b"LMNPQRSTUV".contains(&c);
    for (i, c) in b.iter().enumerate() {
        let ok = if letters_at.contains(&i) { c.is_ascii_uppercase() } else { omocodia(*c) };
        if !ok {
            return false;
        }
    }
    let value = |c: u8| if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
    let sum: u32 = b[..15]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let v = value(*c);
            if i % 2 == 0 { ODD[v as usize] } else if v >= 10 { v - 10 } else { v }
        })
        .sum();
    b[15] == b'A' + (sum % 26) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_character_and_omocodia() {
        assert!(fiscal_code_is_valid("RSSMRA80A01D612Y"));
        // the Agenzia delle Entrate's published example
        assert!(fiscal_code_is_valid("MRTMTT25D09F205Z"));
        assert!(!fiscal_code_is_valid("MRTMTT25D09F205A"), "wrong check character");
        assert!(fiscal_code_is_valid("MRTMTT25D09F20RU"), "omocodia: 5 written as R");
        assert!(!fiscal_code_is_valid("MRTMTT25D09F20AU"), "A is not an omocodia letter");
        assert!(!fiscal_code_is_valid("mrtmtt25d09f205z"), "lower case");
        assert!(!fiscal_code_is_valid("MRTMTT25D09F205"), "short");
        assert!(!fiscal_code_is_valid("1RTMTT25D09F205Z"), "digit where a letter belongs");
    }
}
