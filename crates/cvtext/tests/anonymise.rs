use cvtext::{OMISSIS, Person, anonymise};

const NAMES: &[&str] = &["Niccolò", "De Santis"];
const EMAILS: &[&str] = &["niccolo.desantis85@gmail.com"];
const PHONES: &[&str] = &["+39 333 1234567"];
const ADDRESS: &[&str] = &["Via dei Servi 12", "50122", "Firenze"];

fn person() -> Person<'static> {
    Person {
        names: NAMES,
        fiscal_code: Some("DSNNCL85C14D612X"),
        emails: EMAILS,
        phones: PHONES,
        birth_date: Some("1985-03-14"),
        address_parts: ADDRESS,
    }
}

fn anon(s: &str) -> String {
    anonymise(s, &person())
}

fn digits(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

#[test]
fn names_in_any_case_and_accent_whole_words() {
    for name in [
        "Niccolò De Santis",
        "NICCOLO' DE SANTIS",
        "niccolo de santis",
        "De Santis Niccolò",
        "DE SANTIS, Niccolò",
    ] {
        let out = anon(&format!("Curriculum di {name} — cuoco"));
        let low = out.to_lowercase();
        assert!(
            !low.contains("niccol") && !low.contains("santis"),
            "{name}: {out}"
        );
        assert!(out.contains(OMISSIS) && out.ends_with("— cuoco"), "{out}");
    }
    // whole words only: "Santisteban" or "Niccolini" are not the name
    let out = anon("Progetto Santisteban con Niccolini");
    assert_eq!(out, "Progetto Santisteban con Niccolini");
    // the particle alone is not removed
    assert_eq!(
        anon("Laurea in Scienze della Formazione, Università di Pisa"),
        "Laurea in Scienze della Formazione, Università di Pisa"
    );
}

#[test]
fn fiscal_code_in_any_case_and_spacing() {
    for cf in [
        "DSNNCL85C14D612X",
        "dsnncl85c14d612x",
        "DSN NCL 85C14 D612X",
        "DSN-NCL-85C14-D612X",
    ] {
        let out = anon(&format!("C.F.: {cf}."));
        assert_eq!(out, format!("C.F.: {OMISSIS}."), "{cf}");
    }
}

#[test]
fn generic_fiscal_codes_of_anyone_incl_omocodia() {
    assert_eq!(anon("CF RSSMRA80A01H501U ok"), format!("CF {OMISSIS} ok"));
    assert_eq!(anon("CF RSSMRA80A01H50MU ok"), format!("CF {OMISSIS} ok"));
    // 16 letters is a word, not a codice fiscale
    assert_eq!(anon("internazionalizzazione"), "internazionalizzazione");
}

#[test]
fn emails_of_the_person_and_anyone() {
    let out = anon("Scrivimi a Niccolo.DeSantis85@Gmail.com o a info@ristorante-da-mario.it.");
    assert_eq!(out, format!("Scrivimi a {OMISSIS} o a {OMISSIS}."));
    // the e-mail's local part used as a handle
    let out = anon("Skype: niccolo.desantis85");
    assert!(!out.contains("desantis85"), "{out}");
}

#[test]
fn phones_in_any_format() {
    let forms = [
        "+39 333 1234567",
        "+393331234567",
        "0039 333 123 4567",
        "333.123.45.67",
        "333-1234567",
        "(+39) 333 12 34 567",
        "333 1234567",
        "3331234567",
        "+39 333.1234567",
    ];
    assert_eq!(
        anon("Tel3331234567, cell.3331234567x"),
        format!("Tel{OMISSIS}, cell.{OMISSIS}x")
    );
    for f in forms {
        let out = anon(&format!("Tel. {f} (ore pasti)"));
        assert!(!digits(&out).contains("1234567"), "{f}: {out}");
        assert!(!out.contains("333"), "{f}: {out}");
        assert!(out.starts_with("Tel. [omissis] (ore pasti)"), "{f}: {out}");
    }
}

#[test]
fn generic_phones_of_anyone() {
    for f in [
        "055 234 5678",
        "0571/123456",
        "+39 055 2345678",
        "347 9876543",
        "+33 1 23 45 67 89",
    ] {
        let out = anon(&format!("Referenze: sig. Bianchi, tel {f}."));
        assert_eq!(
            out,
            format!("Referenze: sig. Bianchi, tel {OMISSIS}."),
            "{f}"
        );
    }
}

#[test]
fn birth_date_in_italian_forms() {
    let forms = [
        "14/03/1985",
        "14-03-1985",
        "14.03.1985",
        "14/3/1985",
        "14/03/85",
        "1985-03-14",
        "14 marzo 1985",
        "14 Marzo 1985",
        "14 MARZO 1985",
        "14 mar. 1985",
        "14 mar 1985",
        "14 march 1985",
    ];
    for f in forms {
        let out = anon(&format!("Data: {f}; disponibile da subito"));
        assert_eq!(
            out,
            format!("Data: {OMISSIS}; disponibile da subito"),
            "{f}"
        );
    }
}

#[test]
fn birth_phrases_of_anyone() {
    let p = Person::default();
    for (input, want) in [
        ("Nato il 02/05/1990 a Pisa", "Nato il [omissis] a Pisa"),
        (
            "nata a Prato il 1° aprile 1992.",
            "nata a Prato il [omissis].",
        ),
        ("Data di nascita: 3.7.91", "Data di nascita: [omissis]"),
        (
            "Luogo e data di nascita: Lucca, 21 settembre 1979",
            "Luogo e data di nascita: Lucca, [omissis]",
        ),
        ("Born on 1988-11-30 in Siena", "Born on [omissis] in Siena"),
    ] {
        assert_eq!(anonymise(input, &p), want);
    }
}

#[test]
fn address_parts() {
    let out = anon("Residenza: Via dei Servi, 12 - 50122 Firenze (FI)");
    assert_eq!(out, format!("Residenza: {OMISSIS} - {OMISSIS} (FI)"));
    let out = anon("Via dei Servi n. 12/a, Firenze");
    assert_eq!(out, format!("{OMISSIS}, {OMISSIS}"));
}

#[test]
fn social_profiles() {
    let p = Person::default();
    assert_eq!(
        anonymise(
            "Profilo: https://www.linkedin.com/in/niccolo-de-santis-123/ e linkedin.com/in/xyz.",
            &p
        ),
        "Profilo: [omissis] e [omissis]."
    );
    assert_eq!(
        anonymise("github.com/nds85 (progetti)", &p),
        "[omissis] (progetti)"
    );
    // other sites stay
    assert_eq!(
        anonymise("Corso su www.coursera.org/learn/sql", &p),
        "Corso su www.coursera.org/learn/sql"
    );
}

#[test]
fn ordinary_content_survives() {
    let p = person();
    let text = "Esperienza: 2015–2019 cuoco presso Trattoria Da Gino, 2019-2023 chef (4 anni).\n\
                Competenze: HACCP, gestione magazzino, 50 coperti, budget 120.000 euro.\n\
                Periodo 01/2015 - 06/2019. Voto 110/110. Patente B. Inglese B2.\n\
                Corso di 40 ore, 12/06/2018. Lavoro a Pisa dal 2012.";
    assert_eq!(anonymise(text, &p), text);
    // a CAP-like number that is not the person's CAP stays
    assert_eq!(
        anonymise("Ho servito 50121 pasti", &p),
        "Ho servito 50121 pasti"
    );
}

/// Property-like: every combination of the person's data, in every format, embedded
/// in varied contexts, never survives.
#[test]
fn persons_data_never_survives_any_format() {
    let name_forms = [
        "Niccolò",
        "NICCOLÒ",
        "niccolo",
        "Niccolo'",
        "De Santis",
        "DE SANTIS",
        "de santis",
        "De-Santis",
    ];
    let phone_forms = [
        "+39 333 1234567",
        "+39 3331234567",
        "0039-333-1234567",
        "333 12 34 567",
        "333.1234567",
        "(333) 1234567",
    ];
    let date_forms = [
        "14/03/1985",
        "14-03-1985",
        "14.03.1985",
        "14 marzo 1985",
        "1985-03-14",
        "14/3/85",
        "14 Mar 1985",
    ];
    let cf_forms = [
        "DSNNCL85C14D612X",
        "dsnncl85c14d612x",
        "DSN NCL 85C14 D612X",
    ];
    let email_forms = [
        "niccolo.desantis85@gmail.com",
        "NICCOLO.DESANTIS85@GMAIL.COM",
    ];
    let contexts = ["{}", "({})", "«{}»", "- {};", "Dati: {}\n", "{}, "];
    let mut checked = 0;
    for ctx in contexts {
        for (i, n) in name_forms.iter().enumerate() {
            let p = phone_forms[i % phone_forms.len()];
            let d = date_forms[i % date_forms.len()];
            let c = cf_forms[i % cf_forms.len()];
            let e = email_forms[i % email_forms.len()];
            let text = [n, p, d, c, e]
                .iter()
                .map(|v| ctx.replace("{}", v))
                .collect::<Vec<_>>()
                .join(" cuoco ");
            let out = anon(&text);
            let folded = out.to_lowercase().replace(['ò', '\''], "o");
            assert!(
                !folded.contains("niccol") && !folded.contains("santis"),
                "{text} -> {out}"
            );
            assert!(
                !digits(&out).contains("1234567") && !digits(&out).contains("333"),
                "{text} -> {out}"
            );
            assert!(
                !out.contains("1985") && !out.contains("/85") && !folded.contains("marzo"),
                "{text} -> {out}"
            );
            assert!(
                !folded.contains("d612x") && !folded.contains("85c14"),
                "{text} -> {out}"
            );
            assert!(!folded.contains("gmail"), "{text} -> {out}");
            assert_eq!(out.matches("cuoco").count(), 4, "{text} -> {out}");
            checked += 1;
        }
    }
    assert_eq!(checked, contexts.len() * name_forms.len());
}

#[test]
fn empty_person_and_empty_text() {
    assert_eq!(anonymise("", &person()), "");
    assert_eq!(
        anonymise("Cuoco esperto", &Person::default()),
        "Cuoco esperto"
    );
}

#[test]
fn never_panics_on_odd_unicode() {
    let p = person();
    let s = "ǅ😀 +39 ☎ 333 — 14/03/１９８５ ＠ İstanbul Niccolò\u{301} @ @. .@ +++ (((( 0039";
    let _ = anonymise(s, &p);
    for cut in 0..s.len() {
        if s.is_char_boundary(cut) {
            let _ = anonymise(&s[..cut], &p);
        }
    }
}

#[test]
fn apostrophe_and_compound_names() {
    let p = Person {
        names: &["Anna Maria", "D'Amico"],
        ..Default::default()
    };
    assert_eq!(
        anonymise("Anna Maria D’Amico, ANNA MARIA D'AMICO e Damico", &p),
        "[omissis], [omissis] e Damico"
    );
    let p = Person {
        names: &["Lorenzo", "Dell'Acqua Bianchi"],
        ..Default::default()
    };
    let out = anonymise("Dott. Lorenzo Dell'Acqua-Bianchi, cuoco; Bianchi L.", &p);
    assert!(
        !out.contains("Lorenzo") && !out.contains("Acqua") && !out.contains("Bianchi"),
        "{out}"
    );
    assert!(out.contains("cuoco"));
}

#[test]
fn landline_and_second_phone_of_the_person() {
    let p = Person {
        phones: &["055 234 5678", "+39 347-000-1111"],
        ..Default::default()
    };
    for f in [
        "0552345678",
        "055/2345678",
        "055.234.56.78",
        "+39 055 2345678",
        "347 0001111",
        "+393470001111",
    ] {
        let out = anonymise(&format!("Recapiti: {f}"), &p);
        assert_eq!(out, "Recapiti: [omissis]", "{f}");
    }
}

#[test]
fn large_text_is_fast() {
    let block = "Esperienza 2015–2019 presso Trattoria Da Gino, Firenze: cuoco, 40 coperti, HACCP. \
                 Contatti: niccolo.desantis85@gmail.com, +39 333 1234567, nato il 14/03/1985.\n";
    let text = block.repeat(200_000 / block.len() + 1);
    let start = std::time::Instant::now();
    let out = anonymise(&text, &person());
    let took = start.elapsed();
    assert!(!out.contains("gmail") && !out.contains("Niccol"));
    assert!(took.as_secs_f64() < 3.0, "{took:?}");
    eprintln!("anonymise of {} KB took {took:?}", text.len() / 1024);
}

#[test]
fn residence_phrases_of_anyone() {
    let p = Person::default();
    for (input, want) in [
        (
            "Residente in Via Garibaldi 7, 57121 Livorno (LI).",
            "Residente in [omissis], [omissis] (LI).",
        ),
        (
            "Indirizzo: Piazza della Repubblica 3/b - 50123 Firenze\nTel",
            "Indirizzo: [omissis] - [omissis]\nTel",
        ),
        ("Domicilio: viale Europa, 12", "Domicilio: [omissis]"),
        (
            "Residenza: Loc. San Martino 5 Borgo a Mozzano",
            "Residenza: [omissis] Borgo a Mozzano",
        ),
    ] {
        assert_eq!(anonymise(input, &p), want, "{input}");
    }
    // a street without such a word (an employer's address) stays
    assert_eq!(
        anonymise("Cameriere presso Bar Centrale, Via Roma 3, Pisa", &p),
        "Cameriere presso Bar Centrale, Via Roma 3, Pisa"
    );
}

#[test]
fn names_glued_in_handles_and_sites() {
    let p = Person {
        names: &["Giulia", "Bianchi"],
        ..Default::default()
    };
    assert_eq!(
        anonymise(
            "Sito: www.giuliabianchi.it; Skype: giulia_bianchi90, Instagram @GiuliaBianchi.",
            &p
        ),
        "Sito: [omissis]; Skype: [omissis], Instagram [omissis]."
    );
    // ordinary dotted words without the name stay, and so do words that only contain it
    assert_eq!(
        anonymise("Competenze: Node.js, S.p.A., HTML/CSS", &p),
        "Competenze: Node.js, S.p.A., HTML/CSS"
    );
    let p = Person {
        names: &["Marco"],
        ..Default::default()
    };
    assert_eq!(
        anonymise("Istituto Marconi. Marconi: ok", &p),
        "Istituto Marconi. Marconi: ok"
    );
}
