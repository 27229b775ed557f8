//! Anonymisation of a CV's text for the consent search: the owner's own data
//! (names, codice fiscale, e-mails, phones, birth date, address) in any usual
//! spelling, and, whoever they belong to, e-mail addresses, Italian-looking
//! phone numbers, codice fiscale-shaped tokens, "nato/nata il <data>" phrases
//! and social profile URLs. Each is replaced by [`OMISSIS`]; neighbouring
//! markers separated only by spaces collapse into one.
//!
//! Hand-written scanners rather than `regex`, to keep the component small.

use crate::text::{fold, fold_char};

/// The neutral marker that replaces each removed piece.
pub const OMISSIS: &str = "[omissis]";

/// The owner's data to remove. Every field may be empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person<'a> {
    /// Given names and family names, each as registered (`"Maria Grazia"`, `"De Luca"`).
    pub names: &'a [&'a str],
    pub fiscal_code: Option<&'a str>,
    pub emails: &'a [&'a str],
    pub phones: &'a [&'a str],
    /// ISO `YYYY-MM-DD`.
    pub birth_date: Option<&'a str>,
    /// Street with number, CAP, comune (each a separate part).
    pub address_parts: &'a [&'a str],
}

/// Returns `text` with the person's data and the generic personal patterns
/// replaced by [`OMISSIS`].
pub fn anonymise(text: &str, person: &Person) -> String {
    let toks = tokens(text);
    let runs = numeric_runs(text);
    let mut spans: Vec<(usize, usize)> = Vec::new();

    names(text, &toks, person.names, &mut spans);
    address(text, &toks, person.address_parts, &mut spans);
    if let Some(cf) = person.fiscal_code {
        let needle: String = cf
            .chars()
            .filter(|c| c.is_alphanumeric())
            .map(fold_char)
            .collect();
        if needle.len() >= 11 {
            compact_find(text, &needle, &mut spans);
            // the exact code is unique enough to be removed even glued to other text
            if cf.is_ascii() {
                find_ascii_ci_anywhere(text, cf.trim(), &mut spans);
            }
        }
    }
    for email in person.emails {
        let email = email.trim();
        if email.len() >= 3 {
            find_ascii_ci(text, email, &mut spans);
        }
        if let Some((local, _)) = email.split_once('@')
            && local.chars().count() >= 4
        {
            find_ascii_ci(text, local, &mut spans);
        }
    }
    for phone in person.phones {
        let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        let national = national_digits(&digits, phone.trim_start().starts_with('+'));
        if national.len() >= 6 {
            phone_find(text, national, &mut spans);
        }
    }
    if let Some(birth) = person.birth_date.and_then(parse_iso) {
        for run in &runs {
            date_in_run(text, run, Some(birth), &mut spans);
        }
        textual_dates(text, &toks, Some(birth), &mut spans, None);
    }

    // Generic patterns, whoever they belong to.
    emails(text, &mut spans);
    for run in &runs {
        if is_phone(text, run) {
            spans.push((run.start, run.end));
        }
    }
    for t in &toks {
        if is_fiscal_code_shaped(&text[t.start..t.end]) {
            spans.push((t.start, t.end));
        }
    }
    birth_phrases(text, &toks, &runs, &mut spans);
    residence_phrases(text, &toks, &mut spans);
    social_urls(text, &mut spans);

    replace(text, spans)
}

// ---------------------------------------------------------------------------
// tokens

struct Tok {
    start: usize,
    end: usize,
    folded: String,
}

/// Maximal runs of letters and digits.
fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(Tok {
                start: s,
                end: i,
                folded: fold(&text[s..i]),
            });
        }
    }
    if let Some(s) = start {
        out.push(Tok {
            start: s,
            end: text.len(),
            folded: fold(&text[s..]),
        });
    }
    out
}

fn words(s: &str) -> Vec<String> {
    tokens(s).into_iter().map(|t| t.folded).collect()
}

/// Between two words of a phrase: spaces, apostrophes, hyphens, dots, commas.
fn phrase_gap(g: &str) -> bool {
    g.chars().count() <= 3
        && g.chars()
            .all(|c| c.is_whitespace() || "'’-‐.,/".contains(c))
}

/// Matches the folded `words` as consecutive tokens; pushes their span.
fn phrase(
    text: &str,
    toks: &[Tok],
    words: &[String],
    spans: &mut Vec<(usize, usize)>,
) -> Vec<usize> {
    let mut ends = Vec::new();
    if words.is_empty() || toks.len() < words.len() {
        return ends;
    }
    'outer: for i in 0..=toks.len() - words.len() {
        for (k, w) in words.iter().enumerate() {
            let t = &toks[i + k];
            if &t.folded != w {
                continue 'outer;
            }
            if k > 0 && !phrase_gap(&text[toks[i + k - 1].end..t.start]) {
                continue 'outer;
            }
        }
        spans.push((toks[i].start, toks[i + words.len() - 1].end));
        ends.push(i + words.len() - 1);
    }
    ends
}

/// Particles that are not removed on their own (they are inside the full name).
const PARTICLES: &[&str] = &[
    "de", "di", "da", "del", "della", "dello", "dei", "degli", "delle", "dal", "dalla", "la", "lo",
    "le", "li", "van", "von", "der", "den", "el", "al", "dos", "das", "du", "le", "mc", "st",
    "san", "santa",
];

fn names(text: &str, toks: &[Tok], names: &[&str], spans: &mut Vec<(usize, usize)>) {
    let mut singles: Vec<String> = Vec::new();
    for name in names {
        let ws = words(name);
        phrase(text, toks, &ws, spans);
        for w in ws {
            let long_enough = w.chars().count() >= 3
                || (w.chars().count() == 2 && !PARTICLES.contains(&w.as_str()));
            if long_enough
                && !PARTICLES.contains(&w.as_str())
                && !w.chars().all(|c| c.is_ascii_digit())
            {
                singles.push(w);
            }
        }
    }
    for t in toks {
        if singles.contains(&t.folded) {
            spans.push((t.start, t.end));
        }
    }
    // handles, personal sites, user names: "www.giuliabianchi.it", "@giulia_bianchi90"
    let glued: Vec<&String> = singles.iter().filter(|w| w.chars().count() >= 4).collect();
    if glued.is_empty() {
        return;
    }
    let mut offset = 0usize;
    for word in text.split_inclusive(char::is_whitespace) {
        let w = word.trim_end_matches(char::is_whitespace);
        let core = w.trim_end_matches(['.', ',', ';', ':', ')', ']', '>', '"', '»', '!', '?']);
        let lead = core.len() - core.trim_start_matches(['(', '[', '<', '"', '«']).len();
        let inner = &core[lead..];
        // only glued forms: a sentence's last word ("Marconi.") is not a handle
        if inner.contains(['.', '/', '@', '_', ':']) {
            let folded: String = inner
                .chars()
                .filter(|c| c.is_alphanumeric())
                .map(fold_char)
                .collect();
            if glued.iter().any(|g| folded.contains(g.as_str())) {
                // keep a label glued in front ("Sito:www...")
                let label = inner
                    .find(':')
                    .filter(|&i| !inner[i..].starts_with("://"))
                    .map_or(0, |i| i + 1);
                spans.push((offset + lead + label, offset + core.len()));
            }
        }
        offset += word.len();
    }
}

fn address(text: &str, toks: &[Tok], parts: &[&str], spans: &mut Vec<(usize, usize)>) {
    for part in parts {
        let ws = words(part);
        if ws.is_empty() {
            continue;
        }
        phrase(text, toks, &ws, spans);
        // the street without its number, then whatever number follows ("Via Roma, n. 12/a")
        let mut street = ws.clone();
        while street
            .last()
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()) || w == "n" || w == "snc")
        {
            street.pop();
        }
        if street.len() >= 2 && street.len() < ws.len() {
            for end in phrase(text, toks, &street, spans) {
                let mut j = end + 1;
                let mut last = toks[end].end;
                while j < toks.len() && j <= end + 3 {
                    let gap = &text[toks[j - 1].end..toks[j].start];
                    if gap.chars().count() > 3 || gap.contains('\n') {
                        break;
                    }
                    let f = &toks[j].folded;
                    let number = last == toks[end].end
                        && f.starts_with(|c: char| c.is_ascii_digit())
                        && f.len() <= 5;
                    let letter = f.chars().count() == 1 && j > end + 1 && gap == "/";
                    if number || letter || f == "n" || f == "civ" {
                        if number || letter {
                            last = toks[j].end;
                        }
                        j += 1;
                    } else {
                        break;
                    }
                }
                spans.push((toks[end].start, last));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// compact matching (codice fiscale, phone digits): the needle's characters in
// order, with short separators between them, whole-word.

fn compact_find(text: &str, needle: &str, spans: &mut Vec<(usize, usize)>) {
    let alnum: Vec<(usize, char, usize)> = text
        .char_indices()
        .filter(|(_, c)| c.is_alphanumeric())
        .map(|(i, c)| (i, fold_char(c), i + c.len_utf8()))
        .collect();
    let needle: Vec<char> = needle.chars().collect();
    if needle.is_empty() || alnum.len() < needle.len() {
        return;
    }
    'outer: for i in 0..=alnum.len() - needle.len() {
        for k in 0..needle.len() {
            if alnum[i + k].1 != needle[k] {
                continue 'outer;
            }
            if k > 0 {
                let gap = &text[alnum[i + k - 1].2..alnum[i + k].0];
                if gap.chars().count() > 2
                    || !gap
                        .chars()
                        .all(|c| c == ' ' || c == '\u{A0}' || ".-/()".contains(c))
                {
                    continue 'outer;
                }
            }
        }
        let start = alnum[i].0;
        let end = alnum[i + needle.len() - 1].2;
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        // whole word; a number only needs no digit around it ("Tel3331234567")
        let numeric = needle.iter().all(|c| c.is_ascii_digit());
        let joins = |c: char| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_alphanumeric()
            }
        };
        if before.is_some_and(joins) || after.is_some_and(joins) {
            continue;
        }
        spans.push((start, end));
    }
}

/// The national number: without +39 / 0039.
fn national_digits(digits: &str, plus: bool) -> &str {
    if let Some(rest) = digits.strip_prefix("0039") {
        rest
    } else if plus {
        digits.strip_prefix("39").unwrap_or(digits)
    } else if digits.len() >= 11 && (digits.starts_with("393") || digits.starts_with("390")) {
        &digits[2..]
    } else {
        digits
    }
}

/// The phone's national digits anywhere (any grouping), with a preceding +39 / 0039.
fn phone_find(text: &str, national: &str, spans: &mut Vec<(usize, usize)>) {
    let mut found = Vec::new();
    // whole-word is too strict when the prefix is glued ("+393331234567"): try both
    compact_find(text, national, &mut found);
    for prefix in ["39", "0039"] {
        let mut with = Vec::new();
        compact_find(text, &format!("{prefix}{national}"), &mut with);
        found.extend(with);
    }
    for (s, e) in found {
        let s = extend_prefix(text, s);
        spans.push((s, e));
    }
}

/// Extends a phone span backwards over "+39 ", "0039 ", "+", "(".
fn extend_prefix(text: &str, start: usize) -> usize {
    let head = &text[..start];
    let trimmed = head.trim_end_matches([' ', '.', '-', '(', ')', '\u{A0}']);
    for p in ["+39", "0039", "+ 39", "(+39", "(0039"] {
        if trimmed.len() + 3 >= head.len().saturating_sub(p.len()) && trimmed.ends_with(p) {
            return trimmed.len() - p.len();
        }
    }
    let t = head.trim_end_matches(['(', ' ']);
    if let Some(stripped) = t.strip_suffix('+') {
        return stripped.len();
    }
    start
}

fn find_ascii_ci(text: &str, needle: &str, spans: &mut Vec<(usize, usize)>) {
    let hay = text.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || hay.len() < n.len() {
        return;
    }
    let word =
        |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-' || b == b'+';
    for i in 0..=hay.len() - n.len() {
        if hay[i..i + n.len()].eq_ignore_ascii_case(n) {
            let before_ok =
                i == 0 || !word(hay[i - 1]) || hay[i - 1] == b'.' && !n[0].is_ascii_alphanumeric();
            let after_ok = i + n.len() == hay.len()
                || !word(hay[i + n.len()])
                || hay[i + n.len()] == b'.'
                    && hay
                        .get(i + n.len() + 1)
                        .is_none_or(|b| !b.is_ascii_alphanumeric());
            if before_ok
                && after_ok
                && text.is_char_boundary(i)
                && text.is_char_boundary(i + n.len())
            {
                spans.push((i, i + n.len()));
            }
        }
    }
}

fn find_ascii_ci_anywhere(text: &str, needle: &str, spans: &mut Vec<(usize, usize)>) {
    let (hay, n) = (text.as_bytes(), needle.as_bytes());
    if n.is_empty() || hay.len() < n.len() {
        return;
    }
    for i in 0..=hay.len() - n.len() {
        if hay[i..i + n.len()].eq_ignore_ascii_case(n) {
            spans.push((i, i + n.len()));
        }
    }
}

// ---------------------------------------------------------------------------
// numeric runs: digit groups joined by short separators ("+39 333 123.45.67", "14/03/1985")

struct Run {
    start: usize,
    end: usize,
    plus: bool,
    /// byte ranges of the digit groups
    groups: Vec<(usize, usize)>,
}

fn numeric_runs(text: &str) -> Vec<Run> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0usize;
    let is_sep = |c: u8| matches!(c, b' ' | b'.' | b'-' | b'/' | b'(' | b')');
    while i < b.len() {
        if !b[i].is_ascii_digit()
            || text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut plus = false;
        // a "+" or "(" or "(+" right before
        let mut k = i;
        while k > 0 && k + 3 > i && matches!(b[k - 1], b'+' | b'(') {
            k -= 1;
            plus |= b[k] == b'+';
        }
        if k < i {
            start = k;
        }
        let mut groups = Vec::new();
        let mut j = i;
        loop {
            let g = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((g, j));
            // separator of at most 2 bytes, then a digit
            let mut s = j;
            while s < b.len() && s < j + 2 && is_sep(b[s]) {
                s += 1;
            }
            if s > j && s < b.len() && b[s].is_ascii_digit() {
                j = s;
            } else {
                break;
            }
        }
        let end = groups.last().map(|g| g.1).unwrap_or(j);
        // a run glued to letters ("12a", "3D") is not a number
        let glued = text[end..].chars().next().is_some_and(char::is_alphabetic);
        if !glued || groups.len() > 1 {
            out.push(Run {
                start,
                end,
                plus,
                groups,
            });
        }
        i = end.max(i + 1);
    }
    out
}

fn run_digits(text: &str, run: &Run) -> String {
    run.groups.iter().map(|&(s, e)| &text[s..e]).collect()
}

fn looks_like_date(text: &str, run: &Run) -> bool {
    if run.groups.len() != 3 && run.groups.len() != 2 {
        return false;
    }
    let n: Vec<&str> = run.groups.iter().map(|&(s, e)| &text[s..e]).collect();
    let num = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
    if n.len() == 2 {
        // month/year
        return n[0].len() <= 2 && (1..=12).contains(&num(n[0])) && n[1].len() == 4;
    }
    let dmy = n[0].len() <= 2
        && n[1].len() <= 2
        && (1..=31).contains(&num(n[0]))
        && (1..=12).contains(&num(n[1]))
        && matches!(n[2].len(), 2 | 4);
    let ymd =
        n[0].len() == 4 && n[1].len() <= 2 && n[2].len() <= 2 && (1..=12).contains(&num(n[1]));
    dmy || ymd
}

/// An Italian (or +prefixed foreign) phone number.
fn is_phone(text: &str, run: &Run) -> bool {
    if looks_like_date(text, run) {
        return false;
    }
    let digits = run_digits(text, run);
    let intl = run.plus || digits.starts_with("0039");
    if run.plus && !digits.starts_with("39") {
        return (8..=15).contains(&digits.len());
    }
    let national = national_digits(&digits, run.plus);
    if intl {
        return (6..=11).contains(&national.len());
    }
    (national.starts_with('3') && (9..=10).contains(&national.len()))
        || (national.starts_with('0') && (8..=11).contains(&national.len()))
}

// ---------------------------------------------------------------------------
// dates

type Date = (u32, u32, u32); // year, month, day

fn parse_iso(s: &str) -> Option<Date> {
    let s = s.trim();
    let s = s.get(..10).unwrap_or(s);
    let mut it = s.split('-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    Some((y, m, d))
}

fn year_matches(s: &str, y: u32) -> bool {
    match s.len() {
        4 => s.parse::<u32>().ok() == Some(y),
        2 => s.parse::<u32>().ok() == Some(y % 100),
        _ => false,
    }
}

/// Any three consecutive groups of the run that spell `want` (d/m/y or y/m/d),
/// or, with `want` None, that spell any date; pushes their span and returns whether found.
fn date_in_run(text: &str, run: &Run, want: Option<Date>, spans: &mut Vec<(usize, usize)>) -> bool {
    let mut found = false;
    if run.groups.len() < 3 {
        return false;
    }
    for w in run.groups.windows(3) {
        let g: Vec<&str> = w.iter().map(|&(s, e)| &text[s..e]).collect();
        let num = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
        let ok = match want {
            Some((y, m, d)) => {
                (g[0].len() <= 2
                    && num(g[0]) == d
                    && g[1].len() <= 2
                    && num(g[1]) == m
                    && year_matches(g[2], y))
                    || (g[0].len() == 4
                        && num(g[0]) == y
                        && num(g[1]) == m
                        && g[2].len() <= 2
                        && num(g[2]) == d)
            }
            None => {
                (g[0].len() <= 2
                    && (1..=31).contains(&num(g[0]))
                    && g[1].len() <= 2
                    && (1..=12).contains(&num(g[1]))
                    && matches!(g[2].len(), 2 | 4))
                    || (g[0].len() == 4
                        && (1..=12).contains(&num(g[1]))
                        && (1..=31).contains(&num(g[2])))
            }
        };
        if ok {
            spans.push((w[0].0, w[2].1));
            found = true;
        }
    }
    found
}

fn month_number(w: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["gennaio", "gen", "january", "jan"],
        &["febbraio", "feb", "february"],
        &["marzo", "mar", "march"],
        &["aprile", "apr", "april"],
        &["maggio", "mag", "may"],
        &["giugno", "giu", "june", "jun"],
        &["luglio", "lug", "july", "jul"],
        &["agosto", "ago", "august", "aug"],
        &["settembre", "set", "sett", "september", "sep", "sept"],
        &["ottobre", "ott", "october", "oct"],
        &["novembre", "nov", "november"],
        &["dicembre", "dic", "december", "dec"],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&w))
        .map(|i| i as u32 + 1)
}

/// "14 marzo 1985", "1° aprile '85", "14 mar. 1985"; with `want` None any such date.
/// With `from`, only dates starting at token index >= from and within 12 tokens; returns the first found.
fn textual_dates(
    text: &str,
    toks: &[Tok],
    want: Option<Date>,
    spans: &mut Vec<(usize, usize)>,
    from: Option<usize>,
) -> bool {
    let (lo, hi) = match from {
        Some(f) => (f, (f + 12).min(toks.len())),
        None => (0, toks.len()),
    };
    let mut found = false;
    for i in lo..hi {
        if i + 2 >= toks.len() {
            break;
        }
        let (d, m, y) = (&toks[i], &toks[i + 1], &toks[i + 2]);
        let Ok(day) = d.folded.parse::<u32>() else {
            continue;
        };
        if d.folded.len() > 2 || !(1..=31).contains(&day) {
            continue;
        }
        let Some(month) = month_number(&m.folded) else {
            continue;
        };
        let g1 = &text[d.end..m.start];
        let g2 = &text[m.end..y.start];
        if g1.chars().count() > 3 || !g1.chars().all(|c| c.is_whitespace() || "°º.,".contains(c))
        {
            continue;
        }
        if g2.chars().count() > 3 || !g2.chars().all(|c| c.is_whitespace() || ".,'’".contains(c))
        {
            continue;
        }
        if !y.folded.chars().all(|c| c.is_ascii_digit()) || !matches!(y.folded.len(), 2 | 4) {
            continue;
        }
        let ok = match want {
            Some((wy, wm, wd)) => wd == day && wm == month && year_matches(&y.folded, wy),
            None => true,
        };
        if ok {
            spans.push((d.start, y.end));
            found = true;
            if from.is_some() {
                return true;
            }
        }
    }
    found
}

/// "nato il 14/03/1985", "nata a Prato il 1° marzo 1985", "data di nascita: 14.03.85", "born on ...".
fn birth_phrases(text: &str, toks: &[Tok], runs: &[Run], spans: &mut Vec<(usize, usize)>) {
    const TRIGGERS: &[&str] = &[
        "nato", "nata", "nati", "nascita", "born", "birth", "dob", "nato/a", "nata/o",
    ];
    for (i, t) in toks.iter().enumerate() {
        if !TRIGGERS.contains(&t.folded.as_str()) {
            continue;
        }
        // the window: up to 12 tokens or 100 bytes after the trigger
        let limit = toks
            .get(i + 12)
            .map(|t| t.end)
            .unwrap_or(text.len())
            .min(t.end + 100);
        let mut numeric = None;
        for run in runs.iter().filter(|r| r.start >= t.end && r.end <= limit) {
            let mut s = Vec::new();
            if date_in_run(text, run, None, &mut s) {
                numeric = s.first().copied();
                break;
            }
        }
        let mut textual = Vec::new();
        textual_dates(text, toks, None, &mut textual, Some(i + 1));
        let textual = textual.first().copied().filter(|s| s.1 <= limit);
        // the nearer of the two
        match (numeric, textual) {
            (Some(a), Some(b)) => spans.push(if a.0 <= b.0 { a } else { b }),
            (Some(a), None) | (None, Some(a)) => spans.push(a),
            (None, None) => {}
        }
    }
}

/// "Residente in Via Roma 3, 50100 Firenze", "Indirizzo: Piazza Dante 1/a - 57121 Livorno":
/// the street after such a word, its number, and a CAP and comune right after it.
fn residence_phrases(text: &str, toks: &[Tok], spans: &mut Vec<(usize, usize)>) {
    const TRIGGERS: &[&str] = &[
        "residente",
        "residenza",
        "domicilio",
        "domiciliato",
        "domiciliata",
        "indirizzo",
        "abito",
        "address",
        "recapito",
    ];
    const STREETS: &[&str] = &[
        "via",
        "viale",
        "vle",
        "piazza",
        "pza",
        "piazzale",
        "corso",
        "largo",
        "vicolo",
        "strada",
        "str",
        "localita",
        "loc",
        "borgo",
        "lungarno",
        "lungomare",
        "contrada",
        "frazione",
        "fraz",
        "salita",
        "galleria",
        "rione",
        "calle",
        "campo",
        "street",
        "road",
    ];
    let same_line = |a: &Tok, b: &Tok, max: usize| {
        let gap = &text[a.end..b.start];
        gap.chars().count() <= max && !gap.contains('\n')
    };
    for (i, t) in toks.iter().enumerate() {
        if !TRIGGERS.contains(&t.folded.as_str()) {
            continue;
        }
        let Some(j) =
            (i + 1..toks.len().min(i + 6)).find(|&j| STREETS.contains(&toks[j].folded.as_str()))
        else {
            continue;
        };
        if !same_line(&toks[j - 1], &toks[j], 12) {
            continue;
        }
        // the street name, up to its number (or the end of the clause)
        let mut end = j;
        let mut k = j + 1;
        let mut numbered = false;
        while k < toks.len() && k <= j + 8 && same_line(&toks[k - 1], &toks[k], 3) {
            let gap = &text[toks[k - 1].end..toks[k].start];
            if gap.contains([',', '(', ';'])
                && !toks[k].folded.starts_with(|c: char| c.is_ascii_digit())
            {
                break;
            }
            end = k;
            k += 1;
            if toks[end].folded.starts_with(|c: char| c.is_ascii_digit()) {
                numbered = true;
                // "12/a"
                if k < toks.len()
                    && &text[toks[end].end..toks[k].start] == "/"
                    && toks[k].folded.chars().count() == 1
                {
                    end = k;
                    k += 1;
                }
                break;
            }
        }
        spans.push((toks[j].start, toks[end].end));
        // CAP and comune
        if numbered && k < toks.len() && same_line(&toks[end], &toks[k], 3) {
            let cap = &toks[k];
            if cap.folded.len() == 5 && cap.folded.chars().all(|c| c.is_ascii_digit()) {
                let mut last = k;
                let mut m = k + 1;
                while m < toks.len() && m <= k + 3 && same_line(&toks[m - 1], &toks[m], 1) {
                    let gap = &text[toks[m - 1].end..toks[m].start];
                    let capital = text[toks[m].start..].starts_with(char::is_uppercase);
                    if !(gap == " " || gap == "-" || gap == "'")
                        || !(capital || PARTICLES.contains(&toks[m].folded.as_str()))
                    {
                        break;
                    }
                    last = m;
                    m += 1;
                }
                spans.push((cap.start, toks[last].end));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// e-mails, codice fiscale, social profiles

fn emails(text: &str, spans: &mut Vec<(usize, usize)>) {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let domain = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        while s < at && b[s] == b'.' {
            s += 1;
        }
        let dom = &text[at + 1..e];
        let tld_ok = dom.rsplit_once('.').is_some_and(|(h, tld)| {
            !h.is_empty() && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic())
        });
        if s < at && tld_ok {
            spans.push((s, e));
        }
    }
}

fn is_fiscal_code_shaped(tok: &str) -> bool {
    let b = tok.as_bytes();
    if b.len() != 16 {
        return false;
    }
    let letter = |c: u8| c.is_ascii_alphabetic();
    // digits, or the omocodia letters that replace them
    let digit = |c: u8| c.is_ascii_digit() || b"LMNPQRSTUVlmnpqrstuv".contains(&c);
    let month = |c: u8| b"ABCDEHLMPRSTabcdehlmprst".contains(&c);
    b[..6].iter().all(|&c| letter(c))
        && digit(b[6])
        && digit(b[7])
        && month(b[8])
        && digit(b[9])
        && digit(b[10])
        && letter(b[11])
        && b[12..15].iter().all(|&c| digit(c))
        && letter(b[15])
        // at least one true digit: not an ordinary 16-letter word
        && b.iter().any(|c| c.is_ascii_digit())
}

fn social_urls(text: &str, spans: &mut Vec<(usize, usize)>) {
    const HOSTS: &[&str] = &[
        "linkedin.com/",
        "facebook.com/",
        "fb.com/",
        "instagram.com/",
        "twitter.com/",
        "x.com/",
        "tiktok.com/",
        "github.com/",
        "gitlab.com/",
        "youtube.com/",
        "threads.net/",
        "medium.com/@",
        "behance.net/",
        "dribbble.com/",
        "t.me/",
        "wa.me/",
        "skype:",
    ];
    let mut offset = 0usize;
    for word in text.split_inclusive(char::is_whitespace) {
        let w = word.trim_end_matches(char::is_whitespace);
        let lower = w.to_ascii_lowercase();
        let hit = HOSTS.iter().any(|h| {
            lower.match_indices(h).any(|(i, _)| {
                // something after the host: "Skype:" alone is a label
                let rest =
                    lower[i + h.len()..].trim_end_matches(['.', ',', ';', ':', ')', ']', '>', '"']);
                !rest.is_empty()
                    && (i == 0
                        || matches!(
                            lower.as_bytes()[i - 1],
                            b'.' | b'/' | b'(' | b'<' | b'[' | b':' | b'"'
                        ))
            })
        });
        if hit {
            let core = w.trim_end_matches(['.', ',', ';', ':', ')', ']', '>', '"']);
            let lead = core.len() - core.trim_start_matches(['(', '[', '<', '"']).len();
            spans.push((offset + lead, offset + core.len()));
        }
        offset += word.len();
    }
}

// ---------------------------------------------------------------------------

fn replace(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    spans.retain(|&(s, e)| {
        s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
    });
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        if let Some(last) = merged.last_mut() {
            // overlapping, touching, or separated by spaces/commas only on the same line
            let gap = text.get(last.1.min(s)..s).unwrap_or("");
            if s <= last.1 || gap.chars().all(|c| c == ' ' || c == '\t' || c == '\u{A0}') {
                last.1 = last.1.max(e);
                continue;
            }
        }
        merged.push((s, e));
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in merged {
        out.push_str(&text[at..s]);
        out.push_str(OMISSIS);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}
