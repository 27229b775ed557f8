//! Checks uploaded CV files by their content (PDF, DOCX, ODT, Word 97-2003 DOC),
//! extracts their text within limits, and anonymises it for the consent search.
//!
//! Pure Rust, no Spin dependency: it runs inside the `cv` component
//! (wasm32-wasip2) and in native tests alike. Nothing here panics on purpose on
//! any input; the third-party parsers (PDF, CFB) are additionally wrapped in
//! `catch_unwind`, which helps natively; inside WebAssembly a panic traps the
//! request instead (wasm32-wasip2 has no unwinding), so the parsers are fuzzed
//! by the tests (`tests/fuzz.rs`).

mod anon;
mod doc;
#[cfg(feature = "fixtures")]
pub mod fixtures;
mod odf;
mod pdf;
mod text;
mod zip;

pub use anon::{OMISSIS, Person, anonymise};
pub use text::normalise_for_search;

/// The kinds of CV file accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Pdf,
    Docx,
    Odt,
    Doc,
}

impl Kind {
    /// `"pdf"`, `"docx"`, `"odt"` or `"doc"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Docx => "docx",
            Kind::Odt => "odt",
            Kind::Doc => "doc",
        }
    }
    /// The IANA media type, for `Content-Type` on download.
    pub fn mime(&self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Odt => "application/vnd.oasis.opendocument.text",
            Kind::Doc => "application/msword",
        }
    }
    /// The file name extension without the dot (same as `as_str`).
    pub fn extension(&self) -> &'static str {
        self.as_str()
    }
    /// Parses `as_str()` back (for values read from the database).
    pub fn from_str_opt(s: &str) -> Option<Kind> {
        match s {
            "pdf" => Some(Kind::Pdf),
            "docx" => Some(Kind::Docx),
            "odt" => Some(Kind::Odt),
            "doc" => Some(Kind::Doc),
            _ => None,
        }
    }
}

/// Bounds on the work done for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted upload (default 5 MiB).
    pub max_bytes: usize,
    /// Total bytes that may be inflated from the file (zip entries, PDF streams; default 50 MiB).
    pub max_unpacked_bytes: usize,
    /// Most zip entries / PDF pages / DOC pieces looked at (default 2000).
    pub max_entries: usize,
    /// The extracted text is cut at this many characters (default 200 000).
    pub max_text_chars: usize,
    /// Fewer letters than this after extraction means "no text": a scan or an image (default 200).
    pub min_text_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 5 * 1024 * 1024,
            max_unpacked_bytes: 50 * 1024 * 1024,
            max_entries: 2000,
            max_text_chars: 200_000,
            min_text_chars: 200,
        }
    }
}

/// The text of an accepted CV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub kind: Kind,
    /// Whitespace normalised (one space between words, one blank line at most between
    /// paragraphs), at most `Limits::max_text_chars` characters.
    pub text: String,
}

/// Why a file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    Empty,
    TooLarge,
    UnsupportedType,
    Corrupt,
    Encrypted,
    /// A scan or an image-only document.
    NoText,
    /// Zip bomb, too many entries, too deep.
    TooComplex,
    /// Old binary .doc whose text cannot be read.
    DocUnreadable,
}

impl Refusal {
    /// Stable machine code for the API error (`{"error":{"code":...}}`).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Empty => "cv_empty",
            Refusal::TooLarge => "cv_too_large",
            Refusal::UnsupportedType => "cv_unsupported_type",
            Refusal::Corrupt => "cv_corrupt",
            Refusal::Encrypted => "cv_encrypted",
            Refusal::NoText => "cv_no_text",
            Refusal::TooComplex => "cv_too_complex",
            Refusal::DocUnreadable => "cv_doc_unreadable",
        }
    }
    /// A clear Italian message for the citizen.
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Empty => "Il file è vuoto: scegli il file del tuo CV e riprova.",
            Refusal::TooLarge => {
                "Il file è troppo grande: la dimensione massima è 5 MB. Riduci il file (ad esempio togliendo le immagini) e riprova."
            }
            Refusal::UnsupportedType => {
                "Formato non supportato: carica il CV in formato PDF, DOC, DOCX o ODT."
            }
            Refusal::Corrupt => {
                "Il file è danneggiato o incompleto e non si riesce ad aprirlo: salvalo di nuovo dal tuo programma e riprova."
            }
            Refusal::Encrypted => {
                "Il file è protetto da password: salvalo senza password e riprova."
            }
            Refusal::NoText => {
                "Il file sembra una scansione o un'immagine: carica un CV con testo selezionabile (PDF, DOC, DOCX o ODT)."
            }
            Refusal::TooComplex => {
                "Il file è troppo complesso da elaborare: salvalo di nuovo in PDF, DOCX o ODT e riprova."
            }
            Refusal::DocUnreadable => {
                "Non si riesce a leggere il testo di questo file DOC (formato Word 97-2003): salvalo in formato DOCX, ODT o PDF e riprova."
            }
        }
    }
    /// The HTTP status that fits: 413 for `TooLarge`, 415 for `UnsupportedType`, 422 otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::TooLarge => 413,
            Refusal::UnsupportedType => 415,
            _ => 422,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Refusal {}

/// The kind of a file by its CONTENT (magic numbers, zip entries, OLE2 streams),
/// never by its name. `None` for anything else (images, other archives, text...).
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    if pdf::is_pdf(bytes) {
        return Some(Kind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let archive = zip::Archive::open(bytes, &Limits::default()).ok()?;
        return odf::detect_zip(&archive);
    }
    if bytes.starts_with(&doc::CFB_MAGIC) {
        return doc::detect(bytes);
    }
    None
}

/// Checks a CV file and extracts its text.
///
/// Never panics on purpose; see the crate documentation.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(Refusal::TooLarge);
    }
    let kind = if pdf::is_pdf(bytes) {
        Kind::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") {
        Kind::Docx // refined below
    } else if bytes.starts_with(&doc::CFB_MAGIC) {
        Kind::Doc // refined below
    } else {
        return Err(Refusal::UnsupportedType);
    };
    let (kind, raw) = match kind {
        Kind::Pdf => (Kind::Pdf, guarded(|| pdf::extract(bytes, limits))?),
        Kind::Docx | Kind::Odt => {
            let archive = zip::Archive::open(bytes, limits)?;
            let kind = odf::detect_zip(&archive).ok_or(Refusal::UnsupportedType)?;
            (kind, odf::extract(&archive, kind, limits)?)
        }
        Kind::Doc => guarded(|| doc::extract(bytes, limits))?,
    };
    let text = text::normalise(&raw, limits.max_text_chars);
    let letters = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .take(limits.min_text_chars)
        .count();
    if letters < limits.min_text_chars {
        return Err(Refusal::NoText);
    }
    Ok(Extracted { kind, text })
}

/// Runs a parser that may panic in a dependency; a panic is a corrupt file.
fn guarded<T>(f: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(Refusal::Corrupt),
    }
}
