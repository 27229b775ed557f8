//! DOCX (WordprocessingML) and ODT (OpenDocument Text): zip + XML.

use crate::zip::Archive;
use crate::{Kind, Limits, Refusal};
use roxmltree::{Document, Node, ParsingOptions};

const ODT_MIME: &[u8] = b"application/vnd.oasis.opendocument.text";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const TEXT_NS: &str = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
const OFFICE_NS: &str = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

/// DOCX: `[Content_Types].xml` and `word/document.xml`; ODT: a `mimetype` entry
/// that says `application/vnd.oasis.opendocument.text`.
pub(crate) fn detect_zip(archive: &Archive) -> Option<Kind> {
    if archive.find("[Content_Types].xml").is_some() && archive.find("word/document.xml").is_some()
    {
        return Some(Kind::Docx);
    }
    let mime = archive.find("mimetype")?;
    let bytes = archive.read(mime).ok()?;
    (bytes.trim_ascii() == ODT_MIME).then_some(Kind::Odt)
}

pub(crate) fn extract(archive: &Archive, kind: Kind, limits: &Limits) -> Result<String, Refusal> {
    if archive.any_encrypted() {
        return Err(Refusal::Encrypted);
    }
    let mut out = String::new();
    match kind {
        Kind::Docx => {
            // Headers first (contact details often live there), then the body, then footers.
            let mut parts: Vec<&str> = Vec::new();
            let names: Vec<&str> = archive
                .entries
                .iter()
                .filter_map(|e| std::str::from_utf8(e.name).ok())
                .filter(|n| n.starts_with("word/header") && n.ends_with(".xml"))
                .collect();
            parts.extend(names);
            parts.push("word/document.xml");
            let footers: Vec<&str> = archive
                .entries
                .iter()
                .filter_map(|e| std::str::from_utf8(e.name).ok())
                .filter(|n| n.starts_with("word/footer") && n.ends_with(".xml"))
                .collect();
            parts.extend(footers);
            for name in parts {
                let Some(e) = archive.find(name) else {
                    continue;
                };
                let xml = archive.read(e)?;
                let body = name == "word/document.xml";
                match parse(&xml) {
                    Ok(doc) => walk_docx(doc.root(), &mut out, limits.max_text_chars * 2)?,
                    Err(r) if body => return Err(r),
                    Err(_) => {}
                }
                out.push('\n');
            }
        }
        Kind::Odt => {
            if archive.find("EncryptedPackage").is_some() {
                return Err(Refusal::Encrypted);
            }
            // ODF encryption keeps the zip readable but encrypts content.xml:
            // the manifest then has <manifest:encryption-data>.
            if let Some(m) = archive.find("META-INF/manifest.xml") {
                let manifest = archive.read(m)?;
                if manifest.windows(15).any(|w| w == b"encryption-data") {
                    return Err(Refusal::Encrypted);
                }
            }
            let e = archive.find("content.xml").ok_or(Refusal::Corrupt)?;
            let xml = archive.read(e)?;
            let doc = parse(&xml)?;
            walk_odt(doc.root(), &mut out, limits.max_text_chars * 2)?;
        }
        _ => return Err(Refusal::UnsupportedType),
    }
    Ok(out)
}

fn parse(xml: &[u8]) -> Result<Document<'_>, Refusal> {
    let s = std::str::from_utf8(xml).map_err(|_| Refusal::Corrupt)?;
    let s = s.strip_prefix('\u{FEFF}').unwrap_or(s);
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 2_000_000,
        entity_resolver: None,
    };
    Document::parse_with_options(s, opts).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached
        | roxmltree::Error::EntityReferenceLoop(_)
        | roxmltree::Error::DtdDetected => Refusal::TooComplex,
        _ => Refusal::Corrupt,
    })
}

/// Iterative walk (no recursion: deeply nested XML cannot overflow the stack).
fn walk_docx(root: Node, out: &mut String, cap: usize) -> Result<(), Refusal> {
    let mut stack: Vec<(Node, bool)> = vec![(root, false)];
    while let Some((node, closing)) = stack.pop() {
        if out.len() > cap * 4 {
            break;
        }
        let tag = node.tag_name();
        let w = tag.namespace() == Some(W_NS);
        if closing {
            if w && matches!(tag.name(), "p") {
                out.push('\n');
            } else if w && matches!(tag.name(), "tc") {
                out.push('\t');
            }
            continue;
        }
        if node.is_text() {
            if let Some(parent) = node.parent()
                && parent.tag_name().namespace() == Some(W_NS)
                && parent.tag_name().name() == "t"
            {
                out.push_str(node.text().unwrap_or(""));
            }
            continue;
        }
        // Text boxes are written twice: in mc:Choice (DrawingML) and in mc:Fallback (VML)
        if tag.name() == "Fallback" && tag.namespace() == Some(MC_NS) {
            continue;
        }
        if w {
            match tag.name() {
                "tab" | "ptab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "noBreakHyphen" => out.push('-'),
                // deleted revisions, field codes and hidden instructions are not text
                "delText" | "instrText" | "delInstrText" => continue,
                _ => {}
            }
        }
        stack.push((node, true));
        let children: Vec<Node> = node.children().collect();
        for child in children.into_iter().rev() {
            stack.push((child, false));
        }
    }
    Ok(())
}

fn walk_odt(root: Node, out: &mut String, cap: usize) -> Result<(), Refusal> {
    let mut stack: Vec<(Node, bool)> = vec![(root, false)];
    while let Some((node, closing)) = stack.pop() {
        if out.len() > cap * 4 {
            break;
        }
        let tag = node.tag_name();
        let t = tag.namespace() == Some(TEXT_NS);
        if closing {
            if t && matches!(tag.name(), "p" | "h") {
                out.push('\n');
            } else if tag.namespace() == Some("urn:oasis:names:tc:opendocument:xmlns:table:1.0")
                && tag.name() == "table-cell"
            {
                out.push('\t');
            }
            continue;
        }
        if node.is_text() {
            out.push_str(node.text().unwrap_or(""));
            continue;
        }
        if t {
            match tag.name() {
                "s" => {
                    let n = node
                        .attribute((TEXT_NS, "c"))
                        .and_then(|c| c.parse::<usize>().ok())
                        .unwrap_or(1)
                        .min(100);
                    out.extend(std::iter::repeat_n(' ', n));
                    continue;
                }
                "tab" => {
                    out.push('\t');
                    continue;
                }
                "line-break" => {
                    out.push('\n');
                    continue;
                }
                // tracked deletions and notes' citation marks are not body text
                "tracked-changes" | "note-citation" => continue,
                _ => {}
            }
        }
        // office:text holds the body; skip automatic styles, font decls, scripts
        if tag.namespace() == Some(OFFICE_NS)
            && matches!(
                tag.name(),
                "automatic-styles" | "font-face-decls" | "scripts" | "forms"
            )
        {
            continue;
        }
        stack.push((node, true));
        let children: Vec<Node> = node.children().collect();
        for child in children.into_iter().rev() {
            stack.push((child, false));
        }
    }
    Ok(())
}
