//! PDF text through `lopdf` (pure Rust): it reads classic and compressed
//! cross-reference tables, object streams, repairs damaged xref data, decrypts
//! files that open with the empty user password, and decodes text through the
//! fonts' ToUnicode CMaps and standard encodings. Every stream inflation is
//! capped (`LoadOptions::max_decompressed_size`, `extract_text_with_limit`) and
//! the page count is bounded.

use crate::{Limits, Refusal};
use lopdf::{Document, Error, LoadOptions};

/// `%PDF-` in the first KiB (the format allows some leading bytes).
pub(crate) fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// One stream may inflate to at most this (and never more than the total budget).
const MAX_STREAM: usize = 16 * 1024 * 1024;

fn refusal(e: &Error) -> Refusal {
    match e {
        Error::Decryption(_) | Error::InvalidPassword | Error::AlreadyEncrypted => Refusal::Encrypted,
        Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => Refusal::TooComplex,
        Error::ReferenceCycle(_) => Refusal::TooComplex,
        _ => Refusal::Corrupt,
    }
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<String, Refusal> {
    let per_stream = MAX_STREAM.min(limits.max_unpacked_bytes);
    let options = LoadOptions { max_decompressed_size: Some(per_stream), ..LoadOptions::default() };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| refusal(&e))?;
    if doc.is_encrypted() || (doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted()) {
        return Err(Refusal::Encrypted);
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(Refusal::Corrupt);
    }
    if pages.len() > limits.max_entries {
        return Err(Refusal::TooComplex);
    }
    let mut out = String::new();
    let mut budget = limits.max_unpacked_bytes;
    let mut failures = 0usize;
    for &number in pages.keys() {
        if out.len() > limits.max_text_chars.saturating_mul(4) || budget == 0 {
            break;
        }
        match doc.extract_text_with_limit(&[number], per_stream.min(budget)) {
            Ok(text) => {
                // content that was inflated is at least as long as its text
                budget = budget.saturating_sub(text.len());
                out.push_str(&text);
                out.push('\n');
            }
            Err(e) => match refusal(&e) {
                Refusal::TooComplex => return Err(Refusal::TooComplex),
                _ => failures += 1,
            },
        }
        // account the page's content size too (a page of vector art costs time, not text)
        if let Some(id) = pages.get(&number) {
            let content = doc.get_page_contents(*id);
            let raw: usize = content
                .iter()
                .filter_map(|cid| doc.get_object(*cid).ok())
                .filter_map(|o| o.as_stream().ok())
                .map(|s| s.content.len())
                .sum();
            budget = budget.saturating_sub(raw);
        }
    }
    if failures == pages.len() {
        return Err(Refusal::Corrupt);
    }
    Ok(out)
}
