//! PDF text through `lopdf` (pure Rust): it reads classic and compressed
//! cross-reference tables, object streams, repairs damaged xref data, decrypts
//! files that open with the empty user password, and decodes text through the
//! fonts' ToUnicode CMaps and standard encodings. Every stream inflation is
//! capped (`LoadOptions::max_decompressed_size`, `extract_text_with_limit`) and
//! the page count is bounded.

use crate::{Limits, Refusal};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Error, LoadOptions, Object, ObjectId, Stream};
use std::collections::BTreeMap;

/// `%PDF-` in the first KiB (the format allows some leading bytes).
pub(crate) fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// One stream may inflate to at most this (and never more than the total budget).
const MAX_STREAM: usize = 16 * 1024 * 1024;

fn refusal(e: &Error) -> Refusal {
    match e {
        Error::Decryption(_) | Error::InvalidPassword | Error::AlreadyEncrypted => {
            Refusal::Encrypted
        }
        Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            Refusal::TooComplex
        }
        Error::ReferenceCycle(_) => Refusal::TooComplex,
        _ => Refusal::Corrupt,
    }
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<String, Refusal> {
    let per_stream = MAX_STREAM.min(limits.max_unpacked_bytes);
    let options = LoadOptions {
        max_decompressed_size: Some(per_stream),
        ..LoadOptions::default()
    };
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
    let mut walker = Walker {
        doc: &doc,
        per_stream,
        budget: limits.max_unpacked_bytes,
        ops: MAX_OPERATIONS,
        out: String::new(),
    };
    let mut failures = 0usize;
    for (&number, &page_id) in &pages {
        if walker.out.len() > limits.max_text_chars.saturating_mul(4)
            || walker.budget == 0
            || walker.ops == 0
        {
            break;
        }
        let mark = walker.out.len();
        match walker.page(page_id) {
            Ok(()) => {}
            Err(Refusal::TooComplex) => return Err(Refusal::TooComplex),
            Err(_) => {
                // fall back to lopdf's own extraction for this page
                walker.out.truncate(mark);
                match doc.extract_text_with_limit(&[number], per_stream.min(walker.budget)) {
                    Ok(text) => walker.out.push_str(&text),
                    Err(e) if refusal(&e) == Refusal::TooComplex => {
                        return Err(Refusal::TooComplex);
                    }
                    Err(_) => failures += 1,
                }
            }
        }
        walker.newline();
    }
    if failures == pages.len() {
        return Err(Refusal::Corrupt);
    }
    Ok(walker.out)
}

/// Content operators interpreted in a whole document, at most.
const MAX_OPERATIONS: usize = 5_000_000;
/// Form XObjects inside form XObjects, at most.
const MAX_FORM_DEPTH: usize = 4;

/// Walks content streams: shows text through each font's encoding (ToUnicode
/// first, as lopdf decides), and turns text positioning into line breaks and
/// spaces, which lopdf's own `extract_text` ignores (words positioned one by
/// one with `Td`/`Tm` would otherwise run together and escape anonymisation).
/// Text inside form XObjects (`Do`) is read too.
struct Walker<'a> {
    doc: &'a Document,
    per_stream: usize,
    budget: usize,
    ops: usize,
    out: String,
}

type Encodings<'a> = BTreeMap<Vec<u8>, Encoding<'a>>;

impl<'a> Walker<'a> {
    fn newline(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }
    fn space(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with(char::is_whitespace) {
            self.out.push(' ');
        }
    }

    fn inflate(&mut self, stream: &Stream) -> Result<Vec<u8>, Refusal> {
        let data = stream
            .get_plain_content_with_limit(self.per_stream.min(self.budget))
            .map_err(|e| refusal(&e))?;
        self.budget = self.budget.saturating_sub(data.len());
        Ok(data)
    }

    fn encodings(
        &self,
        fonts: impl Iterator<Item = (Vec<u8>, &'a Dictionary)>,
    ) -> Result<Encodings<'a>, Refusal> {
        let mut map = Encodings::new();
        for (name, font) in fonts {
            match font.get_font_encoding_with_limit(self.doc, self.per_stream.min(self.budget)) {
                Ok(enc) => {
                    map.insert(name, enc);
                }
                Err(e) if refusal(&e) == Refusal::TooComplex => return Err(Refusal::TooComplex),
                Err(_) => {}
            }
        }
        Ok(map)
    }

    fn page(&mut self, page_id: ObjectId) -> Result<(), Refusal> {
        let doc = self.doc;
        let fonts = doc.get_page_fonts(page_id).map_err(|e| refusal(&e))?;
        let encodings = self.encodings(fonts.into_iter())?;
        let (direct, ids) = doc.get_page_resources(page_id).map_err(|e| refusal(&e))?;
        let mut resources: Vec<&Dictionary> = direct.into_iter().collect();
        resources.extend(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
        let content = doc
            .get_page_content_with_limit(page_id, self.per_stream.min(self.budget))
            .map_err(|e| refusal(&e))?;
        self.budget = self.budget.saturating_sub(content.len());
        self.run(&content, &[&encodings], &resources, 0)
    }

    /// `fonts`: the nearest resources first (a form's own, then its page's).
    fn run(
        &mut self,
        content: &[u8],
        fonts: &[&Encodings<'a>],
        resources: &[&'a Dictionary],
        depth: usize,
    ) -> Result<(), Refusal> {
        let content = Content::decode(content).map_err(|_| Refusal::Corrupt)?;
        let mut font: Option<&Encoding> = None;
        let mut line_y: Option<f32> = None;
        for op in &content.operations {
            if self.ops == 0 {
                return Ok(());
            }
            self.ops -= 1;
            let num = |i: usize| op.operands.get(i).and_then(|o| o.as_float().ok());
            match op.operator.as_str() {
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|n| fonts.iter().find_map(|map| map.get(n)));
                }
                "Tj" | "TJ" => self.show(font, &op.operands),
                "'" => {
                    self.newline();
                    self.show(font, &op.operands);
                }
                "\"" => {
                    self.newline();
                    self.show(font, op.operands.get(2..).unwrap_or(&[]));
                }
                "T*" | "ET" => self.newline(),
                "BT" => line_y = None,
                "Td" | "TD" => {
                    let (tx, ty) = (num(0).unwrap_or(0.0), num(1).unwrap_or(0.0));
                    if ty.abs() > 0.01 {
                        self.newline();
                    } else if tx.abs() > 0.01 {
                        self.space();
                    }
                }
                "Tm" => {
                    let y = num(5).unwrap_or(0.0);
                    match line_y {
                        Some(prev) if (prev - y).abs() > 0.5 => self.newline(),
                        Some(_) => self.space(),
                        None => {}
                    }
                    line_y = Some(y);
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else {
                        continue;
                    };
                    self.form(name, fonts, resources, depth)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn show(&mut self, font: Option<&Encoding>, operands: &[Object]) {
        let Some(enc) = font else { return };
        for operand in operands {
            match operand {
                Object::String(bytes, _) => {
                    let _ = enc.write_to_string(bytes, &mut self.out);
                }
                Object::Array(items) => {
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                let _ = enc.write_to_string(bytes, &mut self.out);
                            }
                            // a gap wider than a fifth of an em is a word space
                            Object::Integer(_) | Object::Real(_)
                                if item.as_float().is_ok_and(|v| v < -200.0) =>
                            {
                                self.space()
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn form(
        &mut self,
        name: &[u8],
        fonts: &[&Encodings<'a>],
        resources: &[&'a Dictionary],
        depth: usize,
    ) -> Result<(), Refusal> {
        let doc = self.doc;
        let Some(stream) = resources.iter().find_map(|res| {
            let xobjects = res.get_deref(b"XObject", doc).ok()?.as_dict().ok()?;
            let (_, obj) = doc.dereference(xobjects.get(name).ok()?).ok()?;
            obj.as_stream().ok()
        }) else {
            return Ok(());
        };
        if stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Form".as_slice()) {
            return Ok(()); // an image
        }
        let content = self.inflate(stream)?;
        // the form's own resources, or its page's
        let own = stream
            .dict
            .get_deref(b"Resources", doc)
            .ok()
            .and_then(|r| r.as_dict().ok());
        let own_fonts;
        let mut chain: Vec<&Encodings<'a>> = Vec::new();
        let own_res: Vec<&'a Dictionary>;
        let resources = match own {
            Some(own) => {
                let list = own
                    .get_deref(b"Font", doc)
                    .ok()
                    .and_then(|f| f.as_dict().ok())
                    .map(|f| {
                        f.iter()
                            .filter_map(|(n, v)| {
                                Some((n.clone(), doc.dereference(v).ok()?.1.as_dict().ok()?))
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                own_fonts = self.encodings(list.into_iter())?;
                chain.push(&own_fonts);
                own_res = vec![own];
                own_res.as_slice()
            }
            None => resources,
        };
        chain.extend(fonts.iter().copied());
        self.newline();
        self.run(&content, &chain, resources, depth + 1)?;
        self.newline();
        Ok(())
    }
}
