//! A minimal, bounded zip reader (stored and deflated entries) on `miniz_oxide`.
//!
//! Only what DOCX and ODT need. The central directory is read first; the
//! number of entries, the declared sizes and the compression ratio are checked
//! BEFORE anything is inflated, and inflation itself is capped at the declared
//! size and at the remaining budget, so a lying header cannot make it grow.

use crate::{Limits, Refusal};
use std::cell::Cell;

/// Largest declared uncompressed/compressed ratio accepted for an entry
/// (text XML compresses 5-20x; a zip bomb is in the thousands).
const MAX_RATIO: u64 = 200;

pub(crate) struct Entry<'a> {
    pub name: &'a [u8],
    method: u16,
    flags: u16,
    compressed: u64,
    uncompressed: u64,
    local_offset: u64,
    crc: u32,
}

pub(crate) struct Archive<'a> {
    data: &'a [u8],
    pub entries: Vec<Entry<'a>>,
    budget: Cell<usize>,
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

impl<'a> Archive<'a> {
    pub fn open(data: &'a [u8], limits: &Limits) -> Result<Archive<'a>, Refusal> {
        // End of central directory: 22 bytes + comment (≤ 65535), searched backwards.
        const EOCD: &[u8] = b"PK\x05\x06";
        if data.len() < 22 {
            return Err(Refusal::Corrupt);
        }
        let lowest = data.len().saturating_sub(22 + 65535);
        let mut at = data.len() - 22;
        let eocd = loop {
            if &data[at..at + 4] == EOCD {
                break at;
            }
            if at == lowest {
                return Err(Refusal::Corrupt);
            }
            at -= 1;
        };
        let total = u16le(data, eocd + 10).ok_or(Refusal::Corrupt)? as usize;
        let cd_size = u32le(data, eocd + 12).ok_or(Refusal::Corrupt)? as usize;
        let cd_offset = u32le(data, eocd + 16).ok_or(Refusal::Corrupt)? as usize;
        if total == 0xFFFF || cd_offset == 0xFFFF_FFFF || cd_size == 0xFFFF_FFFF {
            return Err(Refusal::TooComplex); // zip64: no CV needs it
        }
        if total > limits.max_entries {
            return Err(Refusal::TooComplex);
        }
        let cd = data
            .get(cd_offset..cd_offset.checked_add(cd_size).ok_or(Refusal::Corrupt)?)
            .ok_or(Refusal::Corrupt)?;
        let mut entries = Vec::with_capacity(total);
        let mut p = 0usize;
        let mut declared_total: u64 = 0;
        for _ in 0..total {
            if u32le(cd, p) != Some(0x0201_4b50) {
                return Err(Refusal::Corrupt);
            }
            let flags = u16le(cd, p + 8).ok_or(Refusal::Corrupt)?;
            let method = u16le(cd, p + 10).ok_or(Refusal::Corrupt)?;
            let crc = u32le(cd, p + 16).ok_or(Refusal::Corrupt)?;
            let compressed = u32le(cd, p + 20).ok_or(Refusal::Corrupt)? as u64;
            let uncompressed = u32le(cd, p + 24).ok_or(Refusal::Corrupt)? as u64;
            let name_len = u16le(cd, p + 28).ok_or(Refusal::Corrupt)? as usize;
            let extra_len = u16le(cd, p + 30).ok_or(Refusal::Corrupt)? as usize;
            let comment_len = u16le(cd, p + 32).ok_or(Refusal::Corrupt)? as usize;
            let local_offset = u32le(cd, p + 42).ok_or(Refusal::Corrupt)? as u64;
            let name = cd.get(p + 46..p + 46 + name_len).ok_or(Refusal::Corrupt)?;
            if compressed == 0xFFFF_FFFF
                || uncompressed == 0xFFFF_FFFF
                || local_offset == 0xFFFF_FFFF
            {
                return Err(Refusal::TooComplex);
            }
            declared_total += uncompressed;
            if uncompressed > compressed.max(1).saturating_mul(MAX_RATIO)
                && uncompressed > 64 * 1024
            {
                return Err(Refusal::TooComplex);
            }
            entries.push(Entry {
                name,
                method,
                flags,
                compressed,
                uncompressed,
                local_offset,
                crc,
            });
            p += 46 + name_len + extra_len + comment_len;
        }
        if declared_total > limits.max_unpacked_bytes as u64 {
            return Err(Refusal::TooComplex);
        }
        Ok(Archive {
            data,
            entries,
            budget: Cell::new(limits.max_unpacked_bytes),
        })
    }

    pub fn find(&self, name: &str) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| e.name == name.as_bytes())
    }

    /// Any entry encrypted (traditional or AES zip encryption)?
    pub fn any_encrypted(&self) -> bool {
        self.entries.iter().any(|e| e.flags & 1 != 0)
    }

    /// Inflates one entry, at most its declared size and the remaining budget.
    pub fn read(&self, e: &Entry<'a>) -> Result<Vec<u8>, Refusal> {
        if e.flags & 1 != 0 {
            return Err(Refusal::Encrypted);
        }
        let lh = usize::try_from(e.local_offset).map_err(|_| Refusal::Corrupt)?;
        if u32le(self.data, lh) != Some(0x0403_4b50) {
            return Err(Refusal::Corrupt);
        }
        let name_len = u16le(self.data, lh + 26).ok_or(Refusal::Corrupt)? as usize;
        let extra_len = u16le(self.data, lh + 28).ok_or(Refusal::Corrupt)? as usize;
        let start = lh + 30 + name_len + extra_len;
        let len = usize::try_from(e.compressed).map_err(|_| Refusal::Corrupt)?;
        let raw = self
            .data
            .get(start..start.checked_add(len).ok_or(Refusal::Corrupt)?)
            .ok_or(Refusal::Corrupt)?;
        let size = usize::try_from(e.uncompressed).map_err(|_| Refusal::Corrupt)?;
        let remaining = self.budget.get();
        if size > remaining {
            return Err(Refusal::TooComplex);
        }
        let out = match e.method {
            0 => {
                if raw.len() != size {
                    return Err(Refusal::Corrupt);
                }
                raw.to_vec()
            }
            8 => {
                // Cap at the declared size (+1 to notice a lie) — never trust headers alone.
                match miniz_oxide::inflate::decompress_to_vec_with_limit(raw, size + 1) {
                    Ok(v) if v.len() == size => v,
                    Ok(_) => return Err(Refusal::Corrupt),
                    Err(err) if err.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                        return Err(Refusal::TooComplex);
                    }
                    Err(_) => return Err(Refusal::Corrupt),
                }
            }
            _ => return Err(Refusal::UnsupportedType),
        };
        if crc32(&out) != e.crc {
            return Err(Refusal::Corrupt);
        }
        self.budget.set(remaining - out.len());
        Ok(out)
    }
}

fn crc32(data: &[u8]) -> u32 {
    const fn table() -> [u32; 256] {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    }
    static TABLE: [u32; 256] = table();
    let mut c = !0u32;
    for &b in data {
        c = TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_known_value() {
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
    }
}
