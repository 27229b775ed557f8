//! Tiny CV files made by the tests (C2): DOCX and ODT as zips, PDF with a Helvetica text
//! page, a zip bomb, and a PDF padded to a given size (the 5 MB benchmark). The Word
//! 97-2003 `.doc` is the committed office-suite file `crates/cvtext/testdata/cv-esempio.doc`
//! (its origin: `crates/cvtext/testdata/README.md`).

use cvtext::fixtures::{ZipEntry, pdf_from_objects, pdf_string, stream, xml_escape};

pub use cvtext::fixtures::crc32;

/// A zip of `(name, data, deflate)` entries.
pub fn zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let entries: Vec<ZipEntry> =
        entries.iter().map(|&(name, data, deflate)| if deflate { ZipEntry::new(name, data) } else { ZipEntry::stored(name, data) }).collect();
    cvtext::fixtures::zip(&entries)
}

/// A DOCX whose paragraphs are the lines of `text`.
pub fn docx(text: &str) -> Vec<u8> {
    let body: String = text.lines().map(|l| format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", xml_escape(l))).collect();
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
    zip(&[("[Content_Types].xml", types.as_bytes(), true), ("_rels/.rels", b"<Relationships/>", true), ("word/document.xml", doc.as_bytes(), true)])
}

/// An ODT whose paragraphs are the lines of `text`.
pub fn odt(text: &str) -> Vec<u8> {
    let body: String = text.lines().map(|l| format!("<text:p>{}</text:p>", xml_escape(l))).collect();
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.3\"><office:body><office:text>{body}</office:text></office:body></office:document-content>"
    );
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text", false),
        ("content.xml", content.as_bytes(), true),
        ("META-INF/manifest.xml", b"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>", true),
    ])
}

/// A DOCX whose document.xml inflates to `mib` MiB of spaces (a zip bomb).
pub fn zip_bomb(mib: usize) -> Vec<u8> {
    let mut doc = b"<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>".to_vec();
    doc.resize(doc.len() + mib * 1024 * 1024, b' ');
    doc.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let types = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
    zip(&[("[Content_Types].xml", types.as_bytes(), true), ("word/document.xml", &doc, true)])
}

/// A one-page PDF with `text` (Helvetica, one line per 80 characters and per input
/// line), padded with an unreferenced stream to `pad_to` bytes when that is larger.
pub fn pdf(text: &str, pad_to: usize) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 9 Tf\n11 TL\n40 800 Td\n");
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        for chunk in chars.chunks(80) {
            content.push_str(&format!("{} Tj T*\n", pdf_string(&chunk.iter().collect::<String>())));
        }
    }
    content.push_str("ET\n");
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream("", content.as_bytes()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    let plain = pdf_from_objects(&objects, "");
    if pad_to <= plain.len() + 200 {
        return plain;
    }
    // pseudo-random hex digits: incompressible enough, never a PDF keyword
    let n = pad_to - plain.len() - 100;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let pad: Vec<u8> = (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b"0123456789abcdef"[(x & 15) as usize]
        })
        .collect();
    objects.push(stream("", &pad));
    let mut out = pdf_from_objects(&objects, "");
    // hit the size exactly with a trailing comment line
    if out.len() < pad_to {
        let missing = pad_to - out.len();
        let mut comment = vec![b'%'; missing];
        if let Some(last) = comment.last_mut() {
            *last = b'\n';
        }
        out.extend_from_slice(&comment);
    }
    out
}

/// A CV text with a person's data in it (to check that searches never show them).
pub fn cv_text(name: &str, fiscal_code: &str, email: &str, phone: &str, birth: &str, job: &str) -> String {
    format!(
        "Curriculum vitae di {name}\n\
         Codice fiscale {fiscal_code}, nato il {birth}. Telefono {phone}, e-mail {email}.\n\
         Esperienze professionali: {job} presso la Pizzeria Il Forno di Firenze dal 2015 al 2020, poi capo {job} al Ristorante La Pergola di Prato.\n\
         Competenze: impasti a lunga lievitazione, forno a legna, gestione del magazzino, normativa HACCP, lavoro in squadra.\n\
         Lingue: italiano madrelingua, inglese livello B2. Patente B, automunito. Disponibile a turni serali e festivi."
    )
}

/// One request with a raw body (a file upload as the pages send it) and `headers`.
pub fn send_bytes(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> crate::Reply {
    let a = crate::agent();
    macro_rules! with_headers {
        ($r:expr) => {{
            let mut r = $r;
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r
        }};
    }
    match method {
        "POST" => crate::read(with_headers!(a.post(url)).send(body)),
        "PUT" => crate::read(with_headers!(a.put(url)).send(body)),
        other => panic!("unsupported method {other}"),
    }
}
