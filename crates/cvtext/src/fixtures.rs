//! Builders of tiny CV files for the tests (cargo feature `fixtures`, off by default so
//! the `cv` component does not carry them): zip (DOCX, ODT), PDF, DOC (OLE2). Used by
//! this crate's tests and by the end-to-end tests (`tests/support/cvfiles.rs`).

use std::io::{Cursor, Write};

pub const CV_TEXT: &str = "Curriculum vitae di Niccolò De Santis. Esperienze lavorative: cuoco presso la \
Trattoria Da Gino di Firenze dal 2015 al 2019, poi chef di partita al Ristorante La Pergola. \
Competenze: cucina toscana, gestione del magazzino, normativa HACCP, lavoro in squadra. \
Lingue: italiano madrelingua, inglese livello B2. Patente B, automunito.";

pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

pub struct ZipEntry<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    pub deflate: bool,
    /// override the declared uncompressed size (to lie)
    pub declared: Option<u32>,
    pub encrypted: bool,
}

impl<'a> ZipEntry<'a> {
    pub fn new(name: &'a str, data: &'a [u8]) -> Self {
        ZipEntry {
            name,
            data,
            deflate: true,
            declared: None,
            encrypted: false,
        }
    }
    pub fn stored(name: &'a str, data: &'a [u8]) -> Self {
        ZipEntry {
            name,
            data,
            deflate: false,
            declared: None,
            encrypted: false,
        }
    }
}

pub fn zip(entries: &[ZipEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let body = if e.deflate {
            miniz_oxide::deflate::compress_to_vec(e.data, 6)
        } else {
            e.data.to_vec()
        };
        let method: u16 = if e.deflate { 8 } else { 0 };
        let flags: u16 = if e.encrypted { 1 } else { 0 };
        let crc = crc32(e.data);
        let size = e.declared.unwrap_or(e.data.len() as u32);
        let offset = out.len() as u32;
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&body);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(body.len() as u32).to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn document_xml(paragraphs: &[&str]) -> String {
    let mut body = String::new();
    for p in paragraphs {
        // split each paragraph in two runs, with a tab, to exercise w:r/w:t/w:tab
        let (a, b) = p.split_at(
            p.char_indices()
                .nth(p.chars().count() / 2)
                .map(|x| x.0)
                .unwrap_or(0),
        );
        body.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>\
             <w:r><w:t>{}</w:t></w:r><w:r><w:instrText> HYPERLINK \"x\" </w:instrText></w:r><w:r><w:delText>cancellato</w:delText></w:r></w:p>",
            xml_escape(a),
            xml_escape(b)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:p><w:r><w:t>Tel</w:t><w:tab/><w:t>333</w:t><w:br/><w:t>fine</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"
    )
}

pub const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";

pub fn docx(text: &str) -> Vec<u8> {
    let doc = document_xml(&text.split(". ").collect::<Vec<_>>());
    let header = "<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:r><w:t>Intestazione</w:t></w:r></w:p></w:hdr>";
    zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry::new("_rels/.rels", b"<Relationships/>"),
        ZipEntry::new("word/document.xml", doc.as_bytes()),
        ZipEntry::new("word/header1.xml", header.as_bytes()),
    ])
}

pub fn content_xml(paragraphs: &[&str]) -> String {
    let mut body = String::new();
    body.push_str("<text:h text:outline-level=\"1\">Curriculum</text:h>");
    for p in paragraphs {
        let (a, b) = p.split_at(
            p.char_indices()
                .nth(p.chars().count() / 2)
                .map(|x| x.0)
                .unwrap_or(0),
        );
        body.push_str(&format!(
            "<text:p text:style-name=\"P1\">{}<text:span text:style-name=\"T1\">{}</text:span></text:p>",
            xml_escape(a),
            xml_escape(b)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" office:version=\"1.3\"><office:automatic-styles><style:style style:name=\"P1\">STILE</style:style></office:automatic-styles><office:body><office:text>{body}<text:p>Tel<text:tab/>333<text:s text:c=\"3\"/>x<text:line-break/>fine</text:p></office:text></office:body></office:document-content>"
    )
}

pub fn odt(text: &str) -> Vec<u8> {
    let content = content_xml(&text.split(". ").collect::<Vec<_>>());
    zip(&[
        ZipEntry::stored("mimetype", b"application/vnd.oasis.opendocument.text"),
        ZipEntry::new("content.xml", content.as_bytes()),
        ZipEntry::new("META-INF/manifest.xml", b"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>"),
    ])
}

/// A PDF from object bodies (object i+1 = objects[i]); the catalog is object 1.
pub fn pdf_from_objects(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

pub fn pdf_string(s: &str) -> String {
    // WinAnsi: Latin-1 subset is enough for the tests
    let mut out = String::from("(");
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x80 => out.push(c),
            c if (c as u32) <= 0xFF => out.push_str(&format!("\\{:03o}", c as u32)),
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// Text content: one line per 60 characters.
pub fn content_for(text: &str) -> String {
    let mut s = String::from("BT\n/F1 10 Tf\n14 TL\n50 780 Td\n");
    let chars: Vec<char> = text.chars().collect();
    for line in chars.chunks(60) {
        let line: String = line.iter().collect();
        s.push_str(&format!("{} Tj T*\n", pdf_string(&line)));
    }
    s.push_str("ET\n");
    s
}

/// A one-page PDF with Helvetica (WinAnsiEncoding); `compress` deflates the content.
pub fn pdf(text: &str, compress: bool) -> Vec<u8> {
    let content = content_for(text);
    let content_obj = if compress {
        stream(
            "/Filter /FlateDecode",
            &miniz_oxide::deflate::compress_to_vec_zlib(content.as_bytes(), 6),
        )
    } else {
        stream("", content.as_bytes())
    };
    pdf_from_objects(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
            content_obj,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        ],
        "",
    )
}

/// Like Word and LibreOffice exports: a Type0 font, Identity-H 2-byte codes, and a
/// ToUnicode CMap that maps glyph ids to Unicode.
pub fn pdf_tounicode(text: &str) -> Vec<u8> {
    let mut chars: Vec<char> = text
        .chars()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    chars.sort();
    let code = |c: char| chars.iter().position(|x| *x == c).unwrap() as u16 + 3;
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in chars.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for &c in chunk {
            cmap.push_str(&format!("<{:04X}> <{:04X}>\n", code(c), c as u32));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let mut content = String::from("BT\n/F1 10 Tf\n14 TL\n50 780 Td\n");
    let all: Vec<char> = text.chars().collect();
    for line in all.chunks(60) {
        let hex: String = line.iter().map(|&c| format!("{:04X}", code(c))).collect();
        content.push_str(&format!("<{hex}> Tj T*\n"));
    }
    content.push_str("ET\n");
    pdf_from_objects(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
            stream("/Filter /FlateDecode", &miniz_oxide::deflate::compress_to_vec_zlib(content.as_bytes(), 6)),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Calibri /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>".to_vec(),
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Calibri /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>".to_vec(),
            stream("", cmap.as_bytes()),
        ],
        "",
    )
}

/// A page that only draws an image (a scanned CV).
pub fn pdf_image_only() -> Vec<u8> {
    let pixels = vec![0x80u8; 64 * 64];
    pdf_from_objects(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
            stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
            stream(
                "/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                &miniz_oxide::deflate::compress_to_vec_zlib(&pixels, 6),
            ),
        ],
        "",
    )
}

/// Standard security handler, RC4 40-bit, with a user password: not openable without it.
pub fn pdf_encrypted() -> Vec<u8> {
    let mut objs = pdf_objects_plain("Testo cifrato");
    objs.push(
        b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -3904 /O <8C2A5F8D2E0B6C1D2F3A4B5C6D7E8F9011223344556677889900AABBCCDDEEFF> /U <0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF> >>"
            .to_vec(),
    );
    pdf_from_objects(
        &objs,
        "/Encrypt 6 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]",
    )
}

fn pdf_objects_plain(text: &str) -> Vec<Vec<u8>> {
    vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream("", content_for(text).as_bytes()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ]
}

/// A page whose content stream inflates to `size` bytes of spaces.
pub fn pdf_bomb(size: usize) -> Vec<u8> {
    let data = vec![b' '; size];
    pdf_from_objects(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            stream(
                "/Filter /FlateDecode",
                &miniz_oxide::deflate::compress_to_vec_zlib(&data, 9),
            ),
        ],
        "",
    )
}

/// A Word 97-2003 file: FIB + piece table with an 8-bit (cp1252) piece and a UTF-16 piece.
pub fn doc(text8: &str, text16: &str, encrypted: bool) -> Vec<u8> {
    let mut word = vec![0u8; 0x800];
    word[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
    word[2..4].copy_from_slice(&0x00C1u16.to_le_bytes());
    let flags: u16 = 0x0200 | if encrypted { 0x0100 } else { 0 };
    word[0x0A..0x0C].copy_from_slice(&flags.to_le_bytes());
    let bytes8: Vec<u8> = text8
        .chars()
        .map(|c| match c {
            '€' => 0x80,
            '’' => 0x92,
            c if (c as u32) < 0x100 => c as u32 as u8,
            _ => b'?',
        })
        .collect();
    let fc8 = word.len();
    word.extend_from_slice(&bytes8);
    let fc16 = word.len();
    let units: Vec<u16> = text16.encode_utf16().collect();
    for u in &units {
        word.extend_from_slice(&u.to_le_bytes());
    }
    // CLX: a Prc to skip, then the Pcdt
    let n8 = bytes8.len() as u32;
    let n16 = units.len() as u32;
    let mut plc = Vec::new();
    for cp in [0, n8, n8 + n16] {
        plc.extend_from_slice(&cp.to_le_bytes());
    }
    for (fc, compressed) in [(fc8 as u32, true), (fc16 as u32, false)] {
        plc.extend_from_slice(&0u16.to_le_bytes());
        let v = if compressed {
            (fc * 2) | 0x4000_0000
        } else {
            fc
        };
        plc.extend_from_slice(&v.to_le_bytes());
        plc.extend_from_slice(&0u16.to_le_bytes());
    }
    let mut table = vec![0u8; 16];
    let fc_clx = table.len() as u32;
    table.extend_from_slice(&[0x01, 2, 0, 0xAA, 0xBB]);
    table.push(0x02);
    table.extend_from_slice(&(plc.len() as u32).to_le_bytes());
    table.extend_from_slice(&plc);
    let lcb_clx = table.len() as u32 - fc_clx;
    word[0x01A2..0x01A6].copy_from_slice(&fc_clx.to_le_bytes());
    word[0x01A6..0x01AA].copy_from_slice(&lcb_clx.to_le_bytes());

    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/WordDocument")
        .unwrap()
        .write_all(&word)
        .unwrap();
    cf.create_stream("/1Table")
        .unwrap()
        .write_all(&table)
        .unwrap();
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

/// A password-protected DOCX: OLE2 with EncryptionInfo + EncryptedPackage.
pub fn docx_encrypted() -> Vec<u8> {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/EncryptionInfo")
        .unwrap()
        .write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0])
        .unwrap();
    cf.create_stream("/EncryptedPackage")
        .unwrap()
        .write_all(&[0u8; 600])
        .unwrap();
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

/// A PNG header and a bit of body.
pub fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0".to_vec();
    v.extend_from_slice(&[0u8; 200]);
    v
}

/// xorshift64*: deterministic pseudo-random numbers for the fuzz test.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One BT block, every word placed by `Td` (no space glyphs), lines by `Td` with a
/// vertical move, some words by `Tm`, and a paragraph inside a form XObject.
pub fn pdf_positioned(text: &str) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 10 Tf\n50 780 Td\n");
    for (l, line) in text.split(". ").enumerate() {
        if l > 0 {
            content.push_str("0 -14 Td\n");
        }
        for (w, word) in line.split(' ').enumerate() {
            if w > 0 {
                content.push_str("30 0 Td\n");
            }
            content.push_str(&format!("{} Tj\n", pdf_string(word)));
        }
    }
    content.push_str("ET\nBT\n/F1 10 Tf\n1 0 0 1 50 300 Tm (Parola) Tj 1 0 0 1 100 300 Tm (staccata) Tj 1 0 0 1 50 286 Tm (Riga) Tj ET\n");
    content.push_str("q 1 0 0 1 0 0 cm /Fm1 Do Q\n");
    let form = "BT /F2 9 Tf 50 100 Td (Testo nel modulo: referenze disponibili su richiesta) Tj ET";
    pdf_from_objects(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> /Contents 4 0 R >>".to_vec(),
            stream("", content.as_bytes()),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
            stream("/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F2 7 0 R >> >>", form.as_bytes()),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>".to_vec(),
        ],
        "",
    )
}
