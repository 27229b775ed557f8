//! Files made by LibreOffice from `testdata/cv-esempio.html` (see testdata/README.md).

use cvtext::{Kind, Limits, Person, Refusal, anonymise, detect, extract};

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn check_text(name: &str, text: &str) {
    // compared without whitespace: a PDF breaks lines where its layout does ("2019–\n2024")
    let flat: String = text.split_whitespace().collect();
    for needle in [
        "Curriculum vitae",
        "Giulia Bianchi",
        "Impiegata amministrativa presso Porto di Livorno S.p.A.",
        "Segretaria d’ufficio",
        "Studio Rossi & Associati",
        "Università di Pisa",
        "«Excel avanzato»",
        "15 €",
        "inglese B2",
        "BNCGLI90P61E625Z",
        "2019–2024",
    ] {
        let needle: String = needle.split_whitespace().collect();
        assert!(
            flat.contains(&needle),
            "{name}: {needle:?} missing in {text:?}"
        );
    }
}

#[test]
fn libreoffice_files_are_read() {
    for (name, kind) in [
        ("cv-esempio.pdf", Kind::Pdf),
        ("cv-esempio-permessi.pdf", Kind::Pdf),
        ("cv-esempio.docx", Kind::Docx),
        ("cv-esempio.odt", Kind::Odt),
        ("cv-esempio.doc", Kind::Doc),
    ] {
        let bytes = read(name);
        assert_eq!(detect(&bytes), Some(kind), "{name}");
        let e = extract(&bytes, &Limits::default()).unwrap_or_else(|r| panic!("{name}: {r:?}"));
        assert_eq!(e.kind, kind);
        check_text(name, &e.text);
    }
}

#[test]
fn libreoffice_scan_and_password() {
    assert_eq!(
        extract(&read("scansione.pdf"), &Limits::default()),
        Err(Refusal::NoText)
    );
    assert_eq!(
        extract(&read("cv-esempio-password.pdf"), &Limits::default()),
        Err(Refusal::Encrypted)
    );
}

#[test]
fn libreoffice_files_anonymised() {
    let person = Person {
        names: &["Giulia", "Bianchi"],
        fiscal_code: Some("BNCGLI90P61E625Z"),
        emails: &["giulia.bianchi90@example.it"],
        phones: &["3477654321"],
        birth_date: Some("1990-09-21"),
        address_parts: &["Via Garibaldi 7", "57121", "Livorno"],
    };
    for name in [
        "cv-esempio.pdf",
        "cv-esempio.docx",
        "cv-esempio.odt",
        "cv-esempio.doc",
    ] {
        let e = extract(&read(name), &Limits::default()).unwrap();
        let out = anonymise(&e.text, &person);
        let low: String = out
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for gone in [
            "giulia",
            "bianchi",
            "bncgli",
            "765",
            "21/09/1990",
            "garibaldi",
            "57121",
            "livorno",
            "linkedin",
        ] {
            assert!(!low.contains(gone), "{name}: {gone:?} survives in {out}");
        }
        for kept in [
            "porto di",
            "università di pisa",
            "2019–2024",
            "2015–2019",
            "105/110",
            "excel avanzato",
            "segretaria d’ufficio",
        ] {
            let squeezed: String = low.split_whitespace().collect();
            assert!(
                squeezed.contains(&kept.replace(' ', "")),
                "{name}: {kept:?} lost in {out}"
            );
        }
    }
}
