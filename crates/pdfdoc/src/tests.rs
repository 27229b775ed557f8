//! Renders sample documents and reads them back with poppler's `pdftotext` and `pdfinfo`
//! (Debian's poppler-utils, installed by scripts/test).

use std::process::Command;
use std::time::Instant;

use super::*;

fn receipt() -> Document {
    Document {
        title: "Ricevuta di prenotazione — Centro per l’impiego".into(),
        subject: Some("Appuntamento al Centro per l’impiego di Città di Castello".into()),
        author: "Regione Toscana — Toscana Lavoro".into(),
        lang: "it-IT",
        created_unix: 1_767_225_600, // 2026-01-01T00:00:00Z
        blocks: vec![
            Block::Heading { level: 1, text: "Ricevuta di prenotazione".into() },
            Block::Paragraph(
                "Gentile utente, la sua prenotazione è confermata. Si presenti all’orario indicato \
                 con un documento d’identità valido e la tessera sanitaria; in caso di impedimento \
                 può annullare l’appuntamento dall’area riservata «I miei appuntamenti» fino al \
                 giorno precedente. Il servizio è gratuito: nessun importo (0,00 €) è dovuto."
                    .into(),
            ),
            Block::Heading { level: 2, text: "Dati dell’appuntamento".into() },
            Block::Fields(vec![
                ("Servizio".into(), "Colloquio di orientamento".into()),
                ("Sede".into(), "Centro per l’impiego, via Roma 1, Città di Castello".into()),
                ("Data e ora".into(), "lunedì 12 gennaio 2026, ore 9:30".into()),
                ("Codice prenotazione".into(), "CPI-2026-000123".into()),
                ("Note".into(), "".into()),
            ]),
            Block::Heading { level: 3, text: "Cosa portare".into() },
            Block::List(vec![
                "Documento d’identità".into(),
                "Tessera sanitaria con il codice fiscale".into(),
                "Eventuale permesso di soggiorno".into(),
            ]),
        ],
    }
}

fn long_document() -> Document {
    let mut doc = receipt();
    doc.title = "Elenco delle disponibilità".into();
    doc.blocks.push(Block::Heading { level: 2, text: "Disponibilità".into() });
    doc.blocks.push(Block::Table {
        header: vec!["N.".into(), "Sede".into(), "Data".into(), "Note".into()],
        rows: (1..=200)
            .map(|i| {
                vec![
                    i.to_string(),
                    format!("Città {i}"),
                    format!("{:02}/01/2026", i % 28 + 1),
                    if i % 10 == 0 {
                        "Più posti liberi, accessibile ai disabili, vicino alla fermata dell’autobus".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect(),
    });
    doc.blocks.push(Block::Paragraph("Fine dell’elenco.".into()));
    doc
}

/// Runs a poppler tool on `pdf`; fails when the tool is missing.
fn poppler(tool: &str, args: &[&str], pdf: &[u8], name: &str) -> String {
    let path = std::env::temp_dir().join(format!("pdfdoc-{}-{name}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils, installed by scripts/test) did not run: {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    // pdfinfo -struct-text prints structure element titles as their raw PDF strings
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn info_field<'a>(info: &'a str, key: &str) -> &'a str {
    info.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {key} in pdfinfo's output:\n{info}"))
}

#[test]
fn receipt_is_tagged_titled_and_readable() {
    let pdf = render(&receipt()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = poppler("pdftotext", &["-layout"], &pdf, "receipt");
    for expected in [
        "Ricevuta di prenotazione",
        "Città di Castello",
        "«I miei appuntamenti»",
        "0,00 €",
        "lunedì 12 gennaio 2026",
        "d’identità",
        "Regione Toscana — Toscana Lavoro",
        "Pagina 1 di 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let info = poppler("pdfinfo", &[], &pdf, "receipt-info");
    assert_eq!(info_field(&info, "Tagged"), "yes");
    assert_eq!(info_field(&info, "Title"), "Ricevuta di prenotazione — Centro per l’impiego");
    assert_eq!(info_field(&info, "Author"), "Regione Toscana — Toscana Lavoro");
    assert_eq!(info_field(&info, "Pages"), "1");
    assert!(info_field(&info, "Page size").contains("595.276 x 841.89"), "{info}");
}

#[test]
fn structure_tree_has_the_blocks_tags_in_reading_order() {
    let pdf = render(&receipt()).unwrap();
    let tree = poppler("pdfinfo", &["-struct-text"], &pdf, "receipt-struct");
    // one element a line: its type first ("TH:" when attributes follow)
    let tags: Vec<&str> =
        tree.lines().filter_map(|l| l.split_whitespace().next()).map(|t| t.trim_end_matches(':')).collect();
    for tag in ["H1", "P", "H2", "Table", "TR", "TH", "TD", "H3", "L", "LI", "Lbl", "LBody"] {
        assert!(tags.contains(&tag), "no {tag} in the structure tree:\n{tree}");
    }
    let pos = |needle: &str| tree.find(needle).unwrap_or_else(|| panic!("{needle:?} not in:\n{tree}"));
    assert!(pos("Ricevuta di prenotazione") < pos("Gentile utente"));
    assert!(pos("Codice prenotazione") < pos("CPI-2026-000123"));
    assert!(pos("CPI-2026-000123") < pos("Tessera sanitaria"));
    // artifacts (running header, page number) are not in the tree
    assert!(!tree.contains("Pagina 1 di 1"), "{tree}");
    // the viewer shows the title; the catalog has the language; the XMP metadata
    // claims PDF/UA-1 (which krilla's validator has checked)
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/ViewerPreferences<</DisplayDocTitle true>>"), "no DisplayDocTitle");
    assert!(raw.contains("/Lang(it-IT)/StructTreeRoot"), "no /Lang in the catalog");
    assert!(raw.contains("<pdfuaid:part>1</pdfuaid:part>"), "no PDF/UA identification");
}

#[test]
fn long_table_breaks_pages_and_keeps_every_row() {
    let pdf = render(&long_document()).unwrap();
    let info = poppler("pdfinfo", &[], &pdf, "long-info");
    let pages: usize = info_field(&info, "Pages").parse().unwrap();
    assert!(pages > 1, "{info}");
    assert_eq!(info_field(&info, "Tagged"), "yes");
    let text = poppler("pdftotext", &[], &pdf, "long");
    for i in [1, 57, 200] {
        assert!(text.contains(&format!("Città {i}\n")), "row {i} missing");
    }
    assert!(text.contains(&format!("Pagina {pages} di {pages}")));
    assert!(text.contains("Fine dell’elenco."));
    // the table's header row is drawn on every page (and "Sede" is also a label of the
    // fields on page 1), but it is in the structure once: the repetitions are artifacts
    assert_eq!(text.matches("Sede\n").count(), pages + 1, "the header is not on every page");
    let tree = poppler("pdfinfo", &["-struct-text"], &pdf, "long-struct");
    assert_eq!(tree.matches("\"Sede\"").count(), 2, "the repeated header is in the structure");
    assert_eq!(tree.matches("TR\n").count(), 5 + 1 + 200);
}

#[test]
fn a_document_needs_a_title_and_survives_characters_the_font_lacks() {
    let mut doc = receipt();
    doc.title = " ".into();
    assert_eq!(render(&doc), Err(Error::NoTitle));
    let mut doc = receipt();
    doc.blocks = vec![Block::Paragraph("Grazie 🙂\u{7}".into())];
    let pdf = render(&doc).unwrap();
    assert!(poppler("pdftotext", &[], &pdf, "emoji").contains("Grazie ?"));
}

/// Render times and sizes, for the record:
/// `cargo test --release -p pdfdoc -- --ignored --nocapture figures`.
#[test]
#[ignore]
fn figures() {
    for (name, doc) in [("receipt", receipt()), ("200-row table", long_document())] {
        let pdf = render(&doc).unwrap();
        let mut times: Vec<f64> = (0..50)
            .map(|_| {
                let start = Instant::now();
                render(&doc).unwrap();
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{name}: {} bytes, render p50 {:.2} ms, p90 {:.2} ms", pdf.len(), times[25], times[45]);
    }
}
