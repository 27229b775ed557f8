//! Whitespace normalisation and accent folding.

/// One space between words, lines trimmed, at most one blank line between
/// paragraphs, control characters dropped; cut at `max_chars` characters.
pub(crate) fn normalise(raw: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_chars * 2));
    let mut chars = 0usize;
    let mut pending_space = false;
    let mut newlines = 0u8; // newlines pending before the next word
    for c in raw.chars() {
        if chars >= max_chars {
            break;
        }
        match c {
            '\n' | '\u{2028}' | '\u{2029}' | '\u{0B}' | '\u{0C}' | '\r' => {
                if !out.is_empty() {
                    newlines = newlines.saturating_add(1);
                }
                pending_space = false;
            }
            c if c.is_whitespace() => {
                if !out.is_empty() && newlines == 0 {
                    pending_space = true;
                }
            }
            c if c.is_control() || c == '\u{FEFF}' || c == '\u{AD}' || c == '\u{FFFD}' => {}
            // a combining accent after a letter (macOS and some PDFs write "e\u{301}"): compose it
            '\u{300}'..='\u{327}'
                if newlines == 0 && !pending_space && compose_last(&mut out, c) => {}
            c => {
                if newlines > 0 {
                    out.push('\n');
                    chars += 1;
                    if newlines > 1 {
                        out.push('\n');
                        chars += 1;
                    }
                } else if pending_space {
                    out.push(' ');
                    chars += 1;
                }
                newlines = 0;
                pending_space = false;
                if chars < max_chars {
                    out.push(c);
                    chars += 1;
                }
            }
        }
    }
    while out.ends_with(['\n', ' ']) {
        out.pop();
    }
    out
}

/// Replaces the last char of `out` by its composition with the combining mark `mark`
/// (the Latin letters with grave, acute, circumflex, tilde, diaeresis, ring, cedilla).
fn compose_last(out: &mut String, mark: char) -> bool {
    const BASES: &str = "AEIOUaeiouNnCcYy";
    let Some(base) = out.chars().next_back().filter(|b| BASES.contains(*b)) else {
        return false;
    };
    let composed = match (base, mark) {
        ('a', '\u{300}') => 'à',
        ('e', '\u{300}') => 'è',
        ('i', '\u{300}') => 'ì',
        ('o', '\u{300}') => 'ò',
        ('u', '\u{300}') => 'ù',
        ('A', '\u{300}') => 'À',
        ('E', '\u{300}') => 'È',
        ('I', '\u{300}') => 'Ì',
        ('O', '\u{300}') => 'Ò',
        ('U', '\u{300}') => 'Ù',
        ('a', '\u{301}') => 'á',
        ('e', '\u{301}') => 'é',
        ('i', '\u{301}') => 'í',
        ('o', '\u{301}') => 'ó',
        ('u', '\u{301}') => 'ú',
        ('A', '\u{301}') => 'Á',
        ('E', '\u{301}') => 'É',
        ('I', '\u{301}') => 'Í',
        ('O', '\u{301}') => 'Ó',
        ('U', '\u{301}') => 'Ú',
        ('y', '\u{301}') => 'ý',
        ('Y', '\u{301}') => 'Ý',
        ('a', '\u{302}') => 'â',
        ('e', '\u{302}') => 'ê',
        ('i', '\u{302}') => 'î',
        ('o', '\u{302}') => 'ô',
        ('u', '\u{302}') => 'û',
        ('A', '\u{302}') => 'Â',
        ('E', '\u{302}') => 'Ê',
        ('I', '\u{302}') => 'Î',
        ('O', '\u{302}') => 'Ô',
        ('U', '\u{302}') => 'Û',
        ('a', '\u{303}') => 'ã',
        ('o', '\u{303}') => 'õ',
        ('n', '\u{303}') => 'ñ',
        ('A', '\u{303}') => 'Ã',
        ('O', '\u{303}') => 'Õ',
        ('N', '\u{303}') => 'Ñ',
        ('a', '\u{308}') => 'ä',
        ('e', '\u{308}') => 'ë',
        ('i', '\u{308}') => 'ï',
        ('o', '\u{308}') => 'ö',
        ('u', '\u{308}') => 'ü',
        ('y', '\u{308}') => 'ÿ',
        ('A', '\u{308}') => 'Ä',
        ('E', '\u{308}') => 'Ë',
        ('I', '\u{308}') => 'Ï',
        ('O', '\u{308}') => 'Ö',
        ('U', '\u{308}') => 'Ü',
        ('a', '\u{30A}') => 'å',
        ('A', '\u{30A}') => 'Å',
        ('c', '\u{327}') => 'ç',
        ('C', '\u{327}') => 'Ç',
        _ => return false,
    };
    out.pop();
    out.push(composed);
    true
}

/// Lowercase without diacritics, for comparisons (`"Nicolò"` → `"nicolo"`).
pub(crate) fn fold_char(c: char) -> char {
    let c = match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => 'a',
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => 'c',
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => 'e',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ī' | 'ī' | 'Į' | 'į' | 'İ' | 'ı' => 'i',
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ň' | 'ň' => 'n',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ő' | 'ő' => 'o',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' | 'Ů' | 'ů' | 'Ű' | 'ű' => 'u',
        'Ý' | 'ý' | 'ÿ' | 'Ÿ' => 'y',
        'Š' | 'š' | 'Ś' | 'ś' => 's',
        'Ž' | 'ž' | 'Ź' | 'ź' | 'Ż' | 'ż' => 'z',
        'Ł' | 'ł' => 'l',
        'Ř' | 'ř' => 'r',
        'Ď' | 'ď' | 'Đ' | 'đ' => 'd',
        'Ť' | 'ť' => 't',
        'ß' => 's',
        c => c,
    };
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// `fold_char` over a string.
pub(crate) fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// Text prepared for a search index that does not fold by itself: lowercase,
/// no diacritics, whitespace collapsed. (SQLite FTS5 `unicode61 remove_diacritics 2`
/// already does this, so the `cv` component does not need it for FTS5.)
pub fn normalise_for_search(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(fold_char(c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_collapses_whitespace_and_blank_lines() {
        let raw = "  Mario\t\tRossi \r\n\r\n\r\n\n Esperienze   lavorative\u{0}\n  - cuoco  ";
        assert_eq!(
            normalise(raw, 1000),
            "Mario Rossi\n\nEsperienze lavorative\n- cuoco"
        );
    }

    #[test]
    fn normalise_cuts_at_max_chars() {
        let t = normalise("àèìòù àèìòù", 7);
        assert_eq!(t.chars().count(), 7);
        assert_eq!(t, "àèìòù à");
    }

    #[test]
    fn combining_accents_are_composed() {
        assert_eq!(
            normalise("Nicolo\u{300} e\u{301} citta\u{300}, Ü x\u{301}", 100),
            "Nicolò é città, Ü x\u{301}"
        );
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Nicolò D'ÀMICO Çelik"), "nicolo d'amico celik");
        assert_eq!(
            normalise_for_search("  Perù  Città\n\nÉlite "),
            "peru citta elite"
        );
    }
}
