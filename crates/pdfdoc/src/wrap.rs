//! Text clean-up and greedy line breaking by measured glyph advances.

use crate::font::{Face, MISSING};

/// `text` with what a face cannot draw made drawable: tabs become spaces, other control
/// characters are dropped (newlines are kept: they are hard line breaks), characters the
/// face lacks become [`MISSING`].
pub(crate) fn clean(face: &Face, text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            // PDF/UA forbids these code points in text
            '\u{FEFF}' | '\u{FFFE}' => None,
            c if face.has(c) => Some(c),
            _ => Some(MISSING),
        })
        .collect()
}

/// The lines of `text` (already [`clean`]) set in `face` at `size` within `width` points:
/// words go on a line while they fit, a newline forces a break, a word wider than the
/// whole line is split between characters. Runs of spaces count as one. An empty text
/// has one empty line.
pub(crate) fn wrap(face: &Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let space = face.width(" ", size);
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0f32;
        for word in hard.split(' ').filter(|w| !w.is_empty()) {
            let w = face.width(word, size);
            if line.is_empty() {
                // fall through to placing the word at the start of a line
            } else if line_w + space + w <= width {
                line.push(' ');
                line.push_str(word);
                line_w += space + w;
                continue;
            } else {
                lines.push(std::mem::take(&mut line));
            }
            if w <= width {
                line.push_str(word);
                line_w = w;
            } else {
                // a word longer than the line (a long e-mail address, a URL): split it
                line_w = 0.0;
                for c in word.chars() {
                    let cw = face.width(c.encode_utf8(&mut [0; 4]), size);
                    if !line.is_empty() && line_w + cw > width {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += cw;
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::REGULAR;

    #[test]
    fn wraps_within_width_and_keeps_words() {
        let text = "Il centro per l’impiego di Città di Castello conferma l’appuntamento richiesto.";
        let lines = wrap(&REGULAR, 10.0, text, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(REGULAR.width(l, 10.0) <= 120.0, "{l:?} is too wide");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn newlines_break_and_long_words_split() {
        assert_eq!(wrap(&REGULAR, 10.0, "a\n\nb", 100.0), ["a", "", "b"]);
        let long = "x".repeat(200);
        let lines = wrap(&REGULAR, 10.0, &long, 50.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap(&REGULAR, 10.0, "", 50.0), [""]);
    }

    #[test]
    fn clean_replaces_what_the_font_lacks() {
        assert_eq!(clean(&REGULAR, "à\tè \u{7}é ì ò ù «» € ’"), "à è é ì ò ù «» € ’");
        assert_eq!(clean(&REGULAR, "ok 🙂"), "ok ?");
    }
}
