//! Word 97-2003 binary `.doc`: an OLE2 compound file (read with `cfb`) whose
//! `WordDocument` stream starts with the FIB. The text is read through the
//! piece table ([MS-DOC] 2.8.35 PlcPcd, inside the CLX at `fcClx` of the
//! `0Table`/`1Table` stream): each piece is either 8-bit (cp1252, "compressed")
//! or UTF-16LE text at its file offset in `WordDocument`. Field codes (between
//! 0x13 and 0x14) are dropped, field results kept. A file with the FIB's
//! `fEncrypted` bit set is refused as encrypted; a compound file holding an
//! `EncryptedPackage` is a password-protected DOCX.
//!
//! Word 6 / Word 95 files (nFib < 0x00C1) are read from their single 8-bit text
//! run (fcMin..fcMac) unless they were "fast-saved" (fComplex). Not handled, and
//! refused as `DocUnreadable`: fast-saved Word 6/95 files, files whose CLX or
//! pieces point outside the streams, Word 2 and older (not OLE2 files at all:
//! they are `UnsupportedType`).

use crate::{Kind, Limits, Refusal};
use std::io::{Cursor, Read};

pub(crate) const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

type Cfb<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

fn open(bytes: &[u8]) -> Result<Cfb<'_>, Refusal> {
    cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| Refusal::Corrupt)
}

pub(crate) fn detect(bytes: &[u8]) -> Option<Kind> {
    let file = std::panic::catch_unwind(|| open(bytes).ok())
        .ok()
        .flatten()?;
    if file.is_stream("/WordDocument") {
        Some(Kind::Doc)
    } else if file.is_stream("/EncryptedPackage") {
        Some(Kind::Docx) // a password-protected OOXML file
    } else {
        None
    }
}

fn read_stream(file: &mut Cfb, path: &str, max: usize) -> Result<Vec<u8>, Refusal> {
    let stream = file.open_stream(path).map_err(|_| Refusal::Corrupt)?;
    if stream.len() > max as u64 {
        return Err(Refusal::TooComplex);
    }
    let mut out = Vec::with_capacity(stream.len() as usize);
    stream
        .take(max as u64)
        .read_to_end(&mut out)
        .map_err(|_| Refusal::Corrupt)?;
    Ok(out)
}

fn u16le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}
fn u32le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<(Kind, String), Refusal> {
    let mut file = open(bytes)?;
    if !file.is_stream("/WordDocument") {
        if file.is_stream("/EncryptedPackage") {
            return Err(Refusal::Encrypted);
        }
        return Err(Refusal::UnsupportedType);
    }
    let max = limits
        .max_bytes
        .max(bytes.len())
        .min(limits.max_unpacked_bytes);
    let word = read_stream(&mut file, "/WordDocument", max)?;
    // FibBase
    let ident = u16le(&word, 0).ok_or(Refusal::Corrupt)?;
    if ident != 0xA5EC {
        return Err(Refusal::DocUnreadable);
    }
    let nfib = u16le(&word, 2).ok_or(Refusal::Corrupt)?;
    let flags = u16le(&word, 0x0A).ok_or(Refusal::Corrupt)?;
    if flags & 0x0100 != 0 {
        return Err(Refusal::Encrypted); // fEncrypted (XOR obfuscation or RC4)
    }
    if nfib < 0x00C1 {
        return word6_text(&word, flags).map(|t| (Kind::Doc, t)); // Word 6 / Word 95
    }
    let table_name = if flags & 0x0200 != 0 {
        "/1Table"
    } else {
        "/0Table"
    };
    // FibRgFcLcb97: fcClx at 0x01A2, lcbClx at 0x01A6
    let fc_clx = u32le(&word, 0x01A2).ok_or(Refusal::DocUnreadable)? as usize;
    let lcb_clx = u32le(&word, 0x01A6).ok_or(Refusal::DocUnreadable)? as usize;
    if !file.is_stream(table_name) {
        return Err(Refusal::DocUnreadable);
    }
    let table = read_stream(&mut file, table_name, max)?;
    let clx = table
        .get(fc_clx..fc_clx.checked_add(lcb_clx).ok_or(Refusal::DocUnreadable)?)
        .ok_or(Refusal::DocUnreadable)?;
    let plc = piece_table(clx).ok_or(Refusal::DocUnreadable)?;
    let text = pieces_text(&word, plc, limits)?;
    Ok((Kind::Doc, text))
}

/// Word 6 and Word 95 files that are not "fast-saved" (fComplex) keep their text as
/// one 8-bit run from fcMin to fcMac.
fn word6_text(word: &[u8], flags: u16) -> Result<String, Refusal> {
    if flags & 0x0004 != 0 {
        return Err(Refusal::DocUnreadable);
    }
    let fc_min = u32le(word, 0x18).ok_or(Refusal::DocUnreadable)? as usize;
    let fc_mac = u32le(word, 0x1C).ok_or(Refusal::DocUnreadable)? as usize;
    let bytes = word.get(fc_min..fc_mac).ok_or(Refusal::DocUnreadable)?;
    let mut out = String::with_capacity(bytes.len());
    let mut field = 0u32;
    for &b in bytes {
        match b {
            0x13 => field += 1,
            0x14 | 0x15 => field = field.saturating_sub(1),
            _ if field > 0 => {}
            b'\r' | 0x0B | 0x0C => out.push('\n'),
            0x07 => out.push('\t'),
            b'\t' => out.push('\t'),
            b if b < 0x20 => {}
            b => out.push(cp1252(b)),
        }
    }
    Ok(out)
}

/// Skips the Prc entries (0x01) of the CLX and returns the PlcPcd of the Pcdt (0x02).
fn piece_table(clx: &[u8]) -> Option<&[u8]> {
    let mut p = 0usize;
    loop {
        match *clx.get(p)? {
            0x01 => {
                let cb = u16le(clx, p + 1)? as usize;
                p = p.checked_add(3 + cb)?;
            }
            0x02 => {
                let lcb = u32le(clx, p + 1)? as usize;
                return clx.get(p + 5..p.checked_add(5)?.checked_add(lcb)?);
            }
            _ => return None,
        }
    }
}

/// cp1252 0x80..=0x9F (the rest of the 8-bit range is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn cp1252(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

fn pieces_text(word: &[u8], plc: &[u8], limits: &Limits) -> Result<String, Refusal> {
    // PlcPcd: (n+1) CPs (4 bytes) then n Pcd (8 bytes): 4 + 12n bytes.
    if plc.len() < 16 || !(plc.len() - 4).is_multiple_of(12) {
        return Err(Refusal::DocUnreadable);
    }
    let n = (plc.len() - 4) / 12;
    if n > limits.max_entries.saturating_mul(16) {
        return Err(Refusal::TooComplex);
    }
    let mut out = String::new();
    let mut field_depth = 0u32; // inside a field's instructions (0x13 .. 0x14)
    let cap = limits.max_text_chars.saturating_mul(2);
    for i in 0..n {
        let cp_start = u32le(plc, i * 4).ok_or(Refusal::DocUnreadable)? as usize;
        let cp_end = u32le(plc, i * 4 + 4).ok_or(Refusal::DocUnreadable)? as usize;
        let pcd = 4 * (n + 1) + i * 8;
        let fc_raw = u32le(plc, pcd + 2).ok_or(Refusal::DocUnreadable)?;
        let count = cp_end.checked_sub(cp_start).ok_or(Refusal::DocUnreadable)?;
        let compressed = fc_raw & 0x4000_0000 != 0;
        let fc = (fc_raw & 0x3FFF_FFFF) as usize;
        let mut push = |c: char, out: &mut String| match c {
            '\u{13}' => field_depth += 1,
            '\u{14}' => field_depth = field_depth.saturating_sub(1),
            '\u{15}' => field_depth = field_depth.saturating_sub(1),
            _ if field_depth > 0 => {}
            '\r' | '\u{0B}' | '\u{0C}' => out.push('\n'),
            // a cell ends with 0x07; its row with one more 0x07 right after
            '\u{07}' if out.ends_with('\t') => {
                out.pop();
                out.push('\n');
            }
            '\u{07}' => out.push('\t'),
            '\u{1E}' => out.push('-'), // non-breaking hyphen
            '\u{1F}' => {}             // optional hyphen
            c if (c as u32) < 0x20 && c != '\t' => {} // objects, footnote marks, pictures
            c => out.push(c),
        };
        if compressed {
            let start = fc / 2;
            let bytes = word
                .get(start..start.saturating_add(count))
                .ok_or(Refusal::DocUnreadable)?;
            for &b in bytes {
                push(cp1252(b), &mut out);
            }
        } else {
            let bytes = word
                .get(fc..fc.saturating_add(count.saturating_mul(2)))
                .ok_or(Refusal::DocUnreadable)?;
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]));
            for c in char::decode_utf16(units) {
                push(c.unwrap_or('\u{FFFD}'), &mut out);
            }
        }
        if out.len() > cap {
            break;
        }
    }
    Ok(out)
}
