//! Random mutations of every fixture: `detect` and `extract` return, never panic
//! (inside WebAssembly a panic would trap the request: there is no unwinding).

mod support;

use cvtext::{Limits, detect, extract};
use std::sync::atomic::{AtomicUsize, Ordering};
use support::*;

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut f = base.to_vec();
    for _ in 0..1 + rng.below(6) {
        if f.is_empty() {
            break;
        }
        match rng.below(6) {
            0 => {
                let i = rng.below(f.len());
                f[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(f.len());
                f[i] = rng.next() as u8;
            }
            2 => f.truncate(rng.below(f.len())),
            3 => {
                let i = rng.below(f.len());
                let n = rng.below(16);
                f.splice(i..i, (0..n).map(|_| rng.next() as u8));
            }
            4 => {
                // overwrite 4 bytes with a "magic" number (sizes, offsets)
                let i = rng.below(f.len());
                let v: [u8; 4] = [0xFF, 0xFF, 0xFF, 0x7F];
                for (k, b) in v.iter().enumerate() {
                    if let Some(x) = f.get_mut(i + k) {
                        *x = *b;
                    }
                }
            }
            _ => {
                let i = rng.below(f.len());
                let j = (i + rng.below(64)).min(f.len());
                f.drain(i..j);
            }
        }
    }
    f
}

#[test]
fn random_mutations_never_panic() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let iterations: usize = std::env::var("CVTEXT_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let fixtures: Vec<(&str, Vec<u8>)> = vec![
        ("pdf", pdf(CV_TEXT, false)),
        ("pdf-flate", pdf(CV_TEXT, true)),
        ("pdf-tounicode", pdf_tounicode(CV_TEXT)),
        ("pdf-image", pdf_image_only()),
        ("pdf-encrypted", pdf_encrypted()),
        ("pdf-positioned", pdf_positioned(CV_TEXT)),
        ("docx", docx(CV_TEXT)),
        ("odt", odt(CV_TEXT)),
        ("doc", doc(CV_TEXT, "Competenze: cucina, HACCP.", false)),
        ("docx-encrypted", docx_encrypted()),
    ];
    let mut fixtures = fixtures;
    for name in [
        "cv-esempio.pdf",
        "cv-esempio.docx",
        "cv-esempio.odt",
        "cv-esempio.doc",
        "scansione.pdf",
    ] {
        let bytes =
            std::fs::read(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        fixtures.push((name, bytes));
    }
    let limits = Limits::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = std::collections::BTreeMap::new();
    for (name, base) in &fixtures {
        for _ in 0..iterations {
            let f = mutate(&mut rng, base);
            let _ = detect(&f);
            let r = extract(&f, &limits);
            *outcomes
                .entry((*name, r.map(|_| "ok").unwrap_or_else(|e| e.code())))
                .or_insert(0) += 1;
            if PANICS.load(Ordering::SeqCst) > 0 {
                std::fs::write(
                    std::env::temp_dir().join(format!("cvtext-panic-{name}.bin")),
                    &f,
                )
                .ok();
                panic!("a parser panicked on a mutation of {name} (saved in the temp dir)");
            }
        }
    }
    eprintln!("{outcomes:#?}");
}

#[test]
fn anonymise_never_panics_on_random_text() {
    const PIECES: &[&str] = &[
        " ",
        "\n",
        "1",
        "39",
        "+",
        "(",
        ")",
        ".",
        "-",
        "/",
        "@",
        "à",
        "É",
        "ò",
        "€",
        "😀",
        "\u{301}",
        "'",
        "’",
        "nato",
        "il",
        "marzo",
        "14",
        "1985",
        "Via",
        "Roma",
        "residente",
        "linkedin.com/in/",
        "x.com/",
        "gmail.com",
        "RSSMRA80A01H501U",
        "Mario",
        "De",
        "Rossi",
        "333",
        "1234567",
        "0039",
        "50100",
        "Firenze",
        "°",
        ",",
        ":",
        "n.",
        "12/a",
    ];
    let person = cvtext::Person {
        names: &["Mario", "De Rossi"],
        fiscal_code: Some("RSSMRA80A01H501U"),
        emails: &["mario@gmail.com"],
        phones: &["+39 333 1234567"],
        birth_date: Some("1985-03-14"),
        address_parts: &["Via Roma 12", "50100", "Firenze"],
    };
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let n = rng.below(40);
        let text: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        let out = cvtext::anonymise(&text, &person);
        assert!(!out.contains("RSSMRA80A01H501U"), "{text:?} -> {out:?}");
    }
}

/// Mutations inside the XML (re-zipped, so the CRC holds and the XML walk is reached).
#[test]
fn xml_mutations_never_panic() {
    let iterations: usize = std::env::var("CVTEXT_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let docx_xml = document_xml(&CV_TEXT.split(". ").collect::<Vec<_>>());
    let odt_xml = content_xml(&CV_TEXT.split(". ").collect::<Vec<_>>());
    let mut rng = Rng(7);
    let mut ok = 0;
    for _ in 0..iterations {
        let x = mutate(&mut rng, docx_xml.as_bytes());
        let f = zip(&[
            ZipEntry::new("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ZipEntry::new("word/document.xml", &x),
        ]);
        ok += extract(&f, &Limits::default()).is_ok() as usize;
        let x = mutate(&mut rng, odt_xml.as_bytes());
        let f = zip(&[
            ZipEntry::stored("mimetype", b"application/vnd.oasis.opendocument.text"),
            ZipEntry::new("content.xml", &x),
        ]);
        ok += extract(&f, &Limits::default()).is_ok() as usize;
    }
    assert!(ok > 0);
}
