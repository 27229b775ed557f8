mod support;

use cvtext::{Kind, Limits, Refusal, detect, extract};
use support::*;

fn ok(bytes: &[u8]) -> cvtext::Extracted {
    extract(bytes, &Limits::default()).unwrap_or_else(|r| panic!("refused: {r:?}"))
}

fn refused(bytes: &[u8]) -> Refusal {
    extract(bytes, &Limits::default()).expect_err("accepted")
}

fn assert_cv_text(text: &str) {
    for needle in [
        "Curriculum vitae di Niccolò De Santis",
        "Trattoria Da Gino",
        "HACCP",
        "inglese livello B2",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text:?}");
    }
}

#[test]
fn kind_names() {
    for (k, s, m) in [
        (Kind::Pdf, "pdf", "application/pdf"),
        (
            Kind::Docx,
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (Kind::Odt, "odt", "application/vnd.oasis.opendocument.text"),
        (Kind::Doc, "doc", "application/msword"),
    ] {
        assert_eq!((k.as_str(), k.mime(), k.extension()), (s, m, s));
        assert_eq!(Kind::from_str_opt(s), Some(k));
    }
}

#[test]
fn refusal_codes_and_italian_messages() {
    use Refusal::*;
    let all = [
        Empty,
        TooLarge,
        UnsupportedType,
        Corrupt,
        Encrypted,
        NoText,
        TooComplex,
        DocUnreadable,
    ];
    let codes: std::collections::HashSet<_> = all.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), all.len());
    for r in all {
        assert!(r.code().starts_with("cv_"));
        assert!(
            r.message().len() > 30 && r.message().ends_with('.'),
            "{r:?}"
        );
    }
    assert_eq!(
        NoText.message(),
        "Il file sembra una scansione o un'immagine: carica un CV con testo selezionabile (PDF, DOC, DOCX o ODT)."
    );
    assert_eq!(
        (
            TooLarge.http_status(),
            UnsupportedType.http_status(),
            Corrupt.http_status()
        ),
        (413, 415, 422)
    );
}

#[test]
fn pdf_with_helvetica_text() {
    for compress in [false, true] {
        let f = pdf(CV_TEXT, compress);
        assert_eq!(detect(&f), Some(Kind::Pdf));
        let e = ok(&f);
        assert_eq!(e.kind, Kind::Pdf);
        assert_cv_text(&e.text.replace('\n', ""));
    }
}

#[test]
fn pdf_with_identity_h_and_tounicode() {
    let e = ok(&pdf_tounicode(CV_TEXT));
    assert_cv_text(&e.text.replace('\n', ""));
}

#[test]
fn pdf_image_only_is_no_text() {
    let f = pdf_image_only();
    assert_eq!(detect(&f), Some(Kind::Pdf));
    assert_eq!(refused(&f), Refusal::NoText);
}

#[test]
fn pdf_short_text_is_no_text() {
    assert_eq!(
        refused(&pdf("Solo il nome, nient'altro.", false)),
        Refusal::NoText
    );
}

#[test]
fn pdf_encrypted_is_refused() {
    assert_eq!(refused(&pdf_encrypted()), Refusal::Encrypted);
}

#[test]
fn pdf_bomb_is_too_complex() {
    let f = pdf_bomb(40 * 1024 * 1024);
    assert!(f.len() < 100 * 1024, "{}", f.len());
    let limits = Limits {
        max_unpacked_bytes: 8 * 1024 * 1024,
        ..Limits::default()
    };
    assert_eq!(extract(&f, &limits), Err(Refusal::TooComplex));
}

#[test]
fn pdf_truncated_is_refused() {
    let f = pdf(CV_TEXT, true);
    for cut in [10, f.len() / 3, f.len() / 2] {
        let r = refused(&f[..cut]);
        assert!(
            matches!(r, Refusal::Corrupt | Refusal::NoText),
            "cut {cut}: {r:?}"
        );
    }
    assert_eq!(refused(b"%PDF-1.7\ngarbage"), Refusal::Corrupt);
}

#[test]
fn docx_with_text() {
    let f = docx(CV_TEXT);
    assert_eq!(detect(&f), Some(Kind::Docx));
    let e = ok(&f);
    assert_eq!(e.kind, Kind::Docx);
    assert_cv_text(&e.text);
    assert!(e.text.starts_with("Intestazione\n"), "{}", e.text);
    assert!(e.text.contains("Tel 333\nfine"), "{}", e.text);
    assert!(!e.text.contains("HYPERLINK") && !e.text.contains("cancellato"));
}

#[test]
fn odt_with_text() {
    let f = odt(CV_TEXT);
    assert_eq!(detect(&f), Some(Kind::Odt));
    let e = ok(&f);
    assert_eq!(e.kind, Kind::Odt);
    assert_cv_text(&e.text);
    assert!(e.text.starts_with("Curriculum\n"), "{}", e.text);
    assert!(e.text.contains("Tel 333 x\nfine"), "{}", e.text);
    assert!(!e.text.contains("STILE"));
}

#[test]
fn docx_odt_without_text_is_no_text() {
    assert_eq!(refused(&docx("Foto")), Refusal::NoText);
    assert_eq!(refused(&odt("Foto")), Refusal::NoText);
}

#[test]
fn other_zips_are_unsupported() {
    let f = zip(&[
        ZipEntry::new("foto.jpg", b"xxxx"),
        ZipEntry::new("readme.txt", b"ciao"),
    ]);
    assert_eq!(detect(&f), None);
    assert_eq!(refused(&f), Refusal::UnsupportedType);
    // an ODS spreadsheet is not a text document
    let f = zip(&[ZipEntry::stored(
        "mimetype",
        b"application/vnd.oasis.opendocument.spreadsheet",
    )]);
    assert_eq!(detect(&f), None);
    assert_eq!(refused(&f), Refusal::UnsupportedType);
}

#[test]
fn zip_bomb_high_ratio_is_too_complex() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let doc = document_xml(&[CV_TEXT]);
    let f = zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry::new("word/document.xml", doc.as_bytes()),
        ZipEntry::new("word/media/bomb.bin", &zeros),
    ]);
    assert!(f.len() < 20 * 1024);
    assert_eq!(refused(&f), Refusal::TooComplex);
}

#[test]
fn zip_total_over_budget_is_too_complex() {
    let big = document_xml(&[&CV_TEXT.repeat(2000)]);
    let f = zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry::new("word/document.xml", big.as_bytes()),
    ]);
    let limits = Limits {
        max_unpacked_bytes: 200 * 1024,
        ..Limits::default()
    };
    assert_eq!(extract(&f, &limits), Err(Refusal::TooComplex));
}

#[test]
fn zip_lying_header_is_caught_while_inflating() {
    // declares 2 KiB but inflates to 1 MiB (ratio of the declared size looks innocent)
    let xml = format!(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
        "a".repeat(1 << 20)
    );
    let f = zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry {
            declared: Some(2048),
            ..ZipEntry::new("word/document.xml", xml.as_bytes())
        },
    ]);
    assert_eq!(refused(&f), Refusal::TooComplex);
}

#[test]
fn zip_too_many_entries_is_too_complex() {
    let names: Vec<String> = (0..50).map(|i| format!("f{i}.xml")).collect();
    let mut entries: Vec<ZipEntry> = names.iter().map(|n| ZipEntry::stored(n, b"x")).collect();
    let doc = document_xml(&[CV_TEXT]);
    entries.push(ZipEntry::new(
        "[Content_Types].xml",
        CONTENT_TYPES.as_bytes(),
    ));
    entries.push(ZipEntry::new("word/document.xml", doc.as_bytes()));
    let f = zip(&entries);
    assert!(extract(&f, &Limits::default()).is_ok());
    assert_eq!(
        extract(
            &f,
            &Limits {
                max_entries: 20,
                ..Limits::default()
            }
        ),
        Err(Refusal::TooComplex)
    );
}

#[test]
fn zip_encrypted_entries() {
    let doc = document_xml(&[CV_TEXT]);
    let f = zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry {
            encrypted: true,
            ..ZipEntry::new("word/document.xml", doc.as_bytes())
        },
    ]);
    assert_eq!(refused(&f), Refusal::Encrypted);
    // ODF encryption: the manifest says so
    let content = content_xml(&[CV_TEXT]);
    let f = zip(&[
        ZipEntry::stored("mimetype", b"application/vnd.oasis.opendocument.text"),
        ZipEntry::new("content.xml", content.as_bytes()),
        ZipEntry::new(
            "META-INF/manifest.xml",
            b"<manifest:file-entry><manifest:encryption-data/></manifest:file-entry>",
        ),
    ]);
    assert_eq!(refused(&f), Refusal::Encrypted);
}

#[test]
fn docx_password_protected_is_encrypted() {
    let f = docx_encrypted();
    assert_eq!(detect(&f), Some(Kind::Docx));
    assert_eq!(refused(&f), Refusal::Encrypted);
}

#[test]
fn xml_with_dtd_entities_is_refused() {
    let doc = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>";
    let f = zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry::new("word/document.xml", doc.as_bytes()),
    ]);
    assert_eq!(refused(&f), Refusal::TooComplex);
}

#[test]
fn docx_odt_truncated_and_corrupt() {
    for f in [docx(CV_TEXT), odt(CV_TEXT)] {
        for cut in [4, 30, f.len() / 2, f.len() - 10] {
            let r = refused(&f[..cut]);
            assert!(
                matches!(r, Refusal::Corrupt | Refusal::UnsupportedType),
                "cut {cut}: {r:?}"
            );
        }
    }
    // a flipped byte in the compressed XML: CRC or inflate error
    let mut f = docx(CV_TEXT);
    let at = f
        .windows(17)
        .position(|w| w == b"word/document.xml")
        .unwrap()
        + 17
        + 20;
    f[at] ^= 0xFF;
    assert_eq!(refused(&f), Refusal::Corrupt);
    // not XML
    let f = zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry::new("word/document.xml", b"<w:document><unclosed>"),
    ]);
    assert_eq!(refused(&f), Refusal::Corrupt);
}

#[test]
fn doc_with_8bit_and_utf16_pieces() {
    let first = "Curriculum vitae di Niccolò De Santis. Esperienze lavorative: cuoco presso la \
Trattoria Da Gino di Firenze dal 2015 al 2019\r\u{13} HYPERLINK \"http://x\" \u{14}sito\u{15} costo 5€ l’ora\r";
    let second = "Competenze: cucina toscana, gestione del magazzino, normativa HACCP, lavoro in squadra. \
Lingue: italiano madrelingua, inglese livello B2. Ελληνικά\u{07}Patente B.\u{07}\u{07}Fine tabella\r";
    let f = doc(first, second, false);
    assert_eq!(detect(&f), Some(Kind::Doc));
    let e = ok(&f);
    assert_eq!(e.kind, Kind::Doc);
    assert!(
        e.text.contains("Curriculum vitae di Niccolò De Santis"),
        "{}",
        e.text
    );
    assert!(
        e.text
            .contains("dal 2015 al 2019\nsito costo 5€ l’ora\nCompetenze"),
        "{}",
        e.text
    );
    assert!(
        e.text.contains("B2. Ελληνικά Patente B.\nFine tabella"),
        "{}",
        e.text
    );
    assert!(!e.text.contains("HYPERLINK"));
}

#[test]
fn doc_encrypted_and_unreadable() {
    let f = doc(CV_TEXT, "", true);
    assert_eq!(refused(&f), Refusal::Encrypted);
    // readable structure, too little text: like a scan
    assert_eq!(refused(&doc("Poco testo", "", false)), Refusal::NoText);
    // a piece table pointing outside the stream
    let mut f = doc(CV_TEXT, "", false);
    let at = f.windows(4).position(|w| w == [0x01, 2, 0, 0xAA]).unwrap() + 6 + 4 + 12 + 2;
    f[at..at + 4].copy_from_slice(&0x3FFF_FF00u32.to_le_bytes());
    assert_eq!(refused(&f), Refusal::DocUnreadable);
    // a fast-saved Word 95 file
    let mut f = doc(CV_TEXT, "", false);
    let at = f
        .windows(4)
        .position(|w| w == [0xEC, 0xA5, 0xC1, 0x00])
        .unwrap();
    f[at + 2] = 0x65;
    f[at + 0x0A] |= 0x04;
    assert_eq!(refused(&f), Refusal::DocUnreadable);
    // a compound file that is not a Word document (e.g. an old .xls)
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    std::io::Write::write_all(&mut cf.create_stream("/Workbook").unwrap(), &[0u8; 700]).unwrap();
    let xls = cf.into_inner().into_inner();
    assert_eq!(detect(&xls), None);
    assert_eq!(refused(&xls), Refusal::UnsupportedType);
}

#[test]
fn doc_truncated_is_refused() {
    let f = doc(CV_TEXT, "", false);
    // (cutting only the zero padding of the last sector may still read fine)
    for cut in [8, 600, f.len() / 2] {
        let r = refused(&f[..cut]);
        assert!(
            matches!(r, Refusal::Corrupt | Refusal::DocUnreadable),
            "cut {cut}: {r:?}"
        );
    }
}

#[test]
fn renamed_and_unknown_files_are_unsupported() {
    assert_eq!(detect(&png()), None);
    assert_eq!(refused(&png()), Refusal::UnsupportedType);
    assert_eq!(refused(b"GIF89a......"), Refusal::UnsupportedType);
    assert_eq!(refused(CV_TEXT.as_bytes()), Refusal::UnsupportedType);
    assert_eq!(refused(b"{\\rtf1\\ansi CV}"), Refusal::UnsupportedType);
}

#[test]
fn empty_and_oversize() {
    assert_eq!(refused(b""), Refusal::Empty);
    let mut big = pdf(CV_TEXT, false);
    big.resize(5 * 1024 * 1024 + 1, b' ');
    assert_eq!(refused(&big), Refusal::TooLarge);
    assert_eq!(
        extract(
            &pdf(CV_TEXT, false),
            &Limits {
                max_bytes: 100,
                ..Limits::default()
            }
        ),
        Err(Refusal::TooLarge)
    );
}

#[test]
fn text_is_bounded_and_normalised() {
    let long = CV_TEXT.repeat(40);
    let e = extract(
        &docx(&long),
        &Limits {
            max_text_chars: 1000,
            ..Limits::default()
        },
    )
    .unwrap();
    assert!(e.text.chars().count() <= 1000);
    assert!(!e.text.contains("  ") && !e.text.contains("\n\n\n") && !e.text.contains('\t'));
}

#[test]
fn pdf_words_positioned_one_by_one_keep_their_spaces_and_lines() {
    let e = ok(&pdf_positioned(CV_TEXT));
    assert!(e.text.starts_with("Curriculum vitae di Niccolò De Santis\nEsperienze lavorative: cuoco presso la Trattoria"), "{}", e.text);
    assert!(e.text.contains("\nParola staccata\nRiga\n"), "{}", e.text);
    assert!(
        e.text
            .ends_with("Testo nel modulo: referenze disponibili su richiesta"),
        "{}",
        e.text
    );
    // so the name is found by anonymisation
    let p = cvtext::Person {
        names: &["Niccolò", "De Santis"],
        ..Default::default()
    };
    let out = cvtext::anonymise(&e.text, &p);
    assert!(!out.contains("Niccol") && !out.contains("Santis"), "{out}");
}

#[test]
fn docx_text_box_is_read_once() {
    let doc = format!(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><w:body><w:p><w:r><w:t>{CV_TEXT}</w:t></w:r></w:p><w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent><w:p><w:r><w:t>Casella di testo</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Casella di testo</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p></w:body></w:document>"
    );
    let f = zip(&[
        ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ZipEntry::new("word/document.xml", doc.as_bytes()),
    ]);
    let e = ok(&f);
    assert_eq!(e.text.matches("Casella di testo").count(), 1, "{}", e.text);
}

#[test]
fn doc_word95_text_run() {
    let mut f = doc(CV_TEXT, "", false);
    let at = f
        .windows(4)
        .position(|w| w == [0xEC, 0xA5, 0xC1, 0x00])
        .unwrap();
    f[at + 2] = 0x65; // nFib of Word 95
    let fc = 0x800u32; // where the test builder puts the 8-bit text
    f[at + 0x18..at + 0x1C].copy_from_slice(&fc.to_le_bytes());
    f[at + 0x1C..at + 0x20].copy_from_slice(&(fc + CV_TEXT.chars().count() as u32).to_le_bytes());
    let e = ok(&f);
    assert_eq!(e.text, CV_TEXT);
}
