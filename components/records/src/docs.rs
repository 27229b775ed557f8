//! The two prints of a citizen's record: the *Scheda anagrafico-professionale* (SAP, C9)
//! and the *Libretto formativo* (C11). Each is built once as a list of [`Part`]s, which
//! the page renders (JSON) and [`pdf`] turns into a tagged PDF, so the page and the PDF
//! hold the same sections, labels and empty-section texts (those of the manual).

use common::sql::Db;
use common::{ApiError, params};
use serde::Serialize;

/// A piece of a print, in reading order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PrintPart))]
pub enum Part {
    /// Level 1: the document, 2: "Sezione N", 3: its subsections.
    Heading { level: u8, text: String },
    /// Label: value pairs (an empty value is printed as a blank).
    Fields { items: Vec<(String, String)> },
    Table { header: Vec<String>, rows: Vec<Vec<String>> },
    Paragraph { text: String },
    /// A section without data: the manual's text ("Nessuna esperienza lavorativa").
    Empty { text: String },
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordPrint))]
pub struct Print {
    pub title: String,
    pub parts: Vec<Part>,
}

fn h(level: u8, text: &str) -> Part {
    Part::Heading { level, text: text.to_string() }
}

fn fields(items: &[(&str, String)]) -> Part {
    Part::Fields { items: items.iter().map(|(l, v)| (format!("{l}:"), v.clone())).collect() }
}

/// dd/mm/aaaa of an ISO day (or the text as it is).
pub fn it_day(iso: &str) -> String {
    match common::rome::parse_day(iso.get(..10).unwrap_or(iso)) {
        Some(d) => {
            let mut s = format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year());
            if let Some(t) = iso.get(11..16) {
                s.push(' ');
                s.push_str(t);
            }
            s
        }
        None => iso.to_string(),
    }
}

fn opt_day(v: Option<String>) -> String {
    v.map(|d| it_day(&d)).unwrap_or_default()
}

/// Section 1 of the SAP: who the person is, where they live, how to reach them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Person {
    pub id: i64,
    pub fiscal_code: String,
    pub family_name: String,
    pub name: String,
    pub gender: String,
    pub date_of_birth: String,
    pub place_of_birth: String,
    pub residence_comune: String,
    pub residence_cap: String,
    pub residence_address: String,
    pub domicile_comune: String,
    pub domicile_cap: String,
    pub domicile_address: String,
    pub email: String,
    pub mobile: String,
}

fn comune(db: &dyn Db, istat: Option<String>) -> Result<String, ApiError> {
    let Some(istat) = istat else { return Ok(String::new()) };
    Ok(db.execute("SELECT name FROM comuni WHERE istat = ?1", params![istat.as_str()])?.first().and_then(|r| r.opt_text("name")).unwrap_or(istat).to_uppercase())
}

pub fn person(db: &dyn Db, person_id: i64) -> Result<Person, ApiError> {
    let rows = db.execute(
        "SELECT p.id, p.fiscal_code, p.name, p.family_name, p.gender, a.date_of_birth, a.place_of_birth,
                a.residence_istat, a.residence_cap, a.residence_address, a.domicile_same, a.domicile_istat, a.domicile_cap,
                a.domicile_address, a.email, a.mobile
           FROM people p LEFT JOIN accounts a ON a.person_id = p.id WHERE p.id = ?1",
        params![person_id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::new(404, "person_not_found", "La persona indicata non esiste."))?;
    let cf = r.text("fiscal_code")?;
    let gender = match r.opt_text("gender").or_else(|| common::validation::decode_fiscal_code(&cf).map(|p| p.gender.as_spid().to_string())) {
        Some(g) if g.eq_ignore_ascii_case("F") => "FEMMINA",
        Some(g) if g.eq_ignore_ascii_case("M") => "MASCHIO",
        _ => "",
    };
    let place = match r.opt_text("place_of_birth") {
        Some(code) => db
            .execute("SELECT m.name FROM comuni_codes c JOIN comuni m ON m.istat = c.istat WHERE c.cadastral_code = ?1", params![code.as_str()])?
            .first()
            .and_then(|x| x.opt_text("name"))
            .map(|n| n.to_uppercase())
            .unwrap_or(code),
        None => String::new(),
    };
    let same = r.opt_int("domicile_same").unwrap_or(1) == 1;
    let res_istat = r.opt_text("residence_istat");
    let residence_comune = comune(db, res_istat.clone())?;
    let (dom_comune, dom_cap, dom_addr) = if same {
        (residence_comune.clone(), r.opt_text("residence_cap"), r.opt_text("residence_address"))
    } else {
        (comune(db, r.opt_text("domicile_istat"))?, r.opt_text("domicile_cap"), r.opt_text("domicile_address"))
    };
    Ok(Person {
        id: r.int("id")?,
        fiscal_code: cf,
        family_name: r.text("family_name")?.to_uppercase(),
        name: r.text("name")?.to_uppercase(),
        gender: gender.into(),
        date_of_birth: opt_day(r.opt_text("date_of_birth")),
        place_of_birth: place,
        residence_comune,
        residence_cap: r.opt_text("residence_cap").unwrap_or_default(),
        residence_address: r.opt_text("residence_address").unwrap_or_default().to_uppercase(),
        domicile_comune: dom_comune,
        domicile_cap: dom_cap.unwrap_or_default(),
        domicile_address: dom_addr.unwrap_or_default().to_uppercase(),
        email: r.opt_text("email").unwrap_or_default(),
        mobile: r.opt_text("mobile").unwrap_or_default(),
    })
}

fn s(r: &common::sql::Row<'_>, c: &str) -> String {
    match r.value(c) {
        Some(common::sql::Value::Text(t)) => t.clone(),
        Some(common::sql::Value::Integer(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn table_or_empty(parts: &mut Vec<Part>, header: &[&str], rows: Vec<Vec<String>>, empty: &str) {
    if rows.is_empty() {
        parts.push(Part::Empty { text: empty.into() });
    } else {
        parts.push(Part::Table { header: header.iter().map(|x| x.to_string()).collect(), rows });
    }
}

fn experiences(db: &dyn Db, pid: i64, only_validated: bool) -> Result<Vec<Vec<String>>, ApiError> {
    let rows = db.execute(
        "SELECT employer, role, contract, start_date, end_date, description FROM record_experiences
          WHERE person_id = ?1 AND (?2 = 0 OR validated = 1) ORDER BY start_date DESC, id DESC",
        params![pid, only_validated],
    )?;
    Ok(rows.rows().map(|r| vec![s(&r, "employer"), s(&r, "role"), s(&r, "contract"), it_day(&s(&r, "start_date")), it_day(&s(&r, "end_date")), s(&r, "description")]).collect())
}

fn education(db: &dyn Db, pid: i64, only_validated: bool) -> Result<Vec<Vec<String>>, ApiError> {
    let rows = db.execute(
        "SELECT t.name, e.description, e.institute, e.year FROM record_education e JOIN ref_study_titles t ON t.code = e.title_code
          WHERE e.person_id = ?1 AND (?2 = 0 OR e.validated = 1) ORDER BY e.year DESC, e.id DESC",
        params![pid, only_validated],
    )?;
    Ok(rows.rows().map(|r| vec![s(&r, "name"), s(&r, "description"), s(&r, "institute"), s(&r, "year")]).collect())
}

fn training(db: &dyn Db, pid: i64, only_validated: bool) -> Result<Vec<Vec<String>>, ApiError> {
    let rows = db.execute(
        "SELECT title, provider, hours, end_date, certificate FROM record_training
          WHERE person_id = ?1 AND (?2 = 0 OR validated = 1) ORDER BY end_date DESC, id DESC",
        params![pid, only_validated],
    )?;
    Ok(rows.rows().map(|r| vec![s(&r, "title"), s(&r, "provider"), s(&r, "hours"), it_day(&s(&r, "end_date")), s(&r, "certificate")]).collect())
}

fn simple(db: &dyn Db, sql: &str, pid: i64, cols: &[&str]) -> Result<Vec<Vec<String>>, ApiError> {
    let rows = db.execute(sql, params![pid])?;
    Ok(rows.rows().map(|r| cols.iter().map(|c| if c.ends_with("_day") { it_day(&s(&r, c)) } else { s(&r, c) }).collect()).collect())
}

/// The SAP of `person_id`, every section of the manual in its order.
pub fn sap(db: &dyn Db, person_id: i64) -> Result<Print, ApiError> {
    let p = person(db, person_id)?;
    let a = db.execute("SELECT * FROM record_admin WHERE person_id = ?1", params![person_id])?;
    let ad = a.first();
    let g = |c: &str| ad.as_ref().map(|r| s(r, c)).unwrap_or_default();
    let gd = |c: &str| it_day(&g(c));
    let mut parts = vec![h(1, "Scheda anagrafico-professionale")];

    parts.push(h(2, "Sezione 1 - Dati Personali"));
    parts.push(h(3, "Sezione 1.1 - Dati Personali"));
    let citizenship = if g("citizenship").is_empty() { String::new() } else { g("citizenship").to_uppercase() };
    parts.push(fields(&[
        ("Codice fiscale", p.fiscal_code.clone()),
        ("Cognome", p.family_name.clone()),
        ("Nome", p.name.clone()),
        ("Sesso", p.gender.clone()),
        ("Data di nascita", p.date_of_birth.clone()),
        ("Cittadinanza", citizenship),
        ("Comune o stato straniero di nascita", p.place_of_birth.clone()),
    ]));
    parts.push(h(3, "Sezione 1.2 - Notizie sui cittadini stranieri"));
    parts.push(fields(&[
        ("Titolo di soggiorno", g("permit_type")),
        ("Numero titolo di soggiorno", g("permit_number")),
        ("Motivo titolo di soggiorno", g("permit_reason")),
        ("Scadenza titolo di soggiorno", gd("permit_expiry")),
        ("Data ultimo mantenimento iscr.", gd("last_renewal")),
    ]));
    parts.push(h(3, "Sezione 1.3 - Residenza e Domicilio"));
    parts.push(h(3, "Sezione 1.3.1 - Residenza"));
    parts.push(fields(&[("Comune di residenza", p.residence_comune.clone()), ("CAP", p.residence_cap.clone()), ("Località", String::new()), ("Indirizzo di residenza", p.residence_address.clone())]));
    parts.push(h(3, "Sezione 1.3.2 - Domicilio"));
    parts.push(fields(&[("Comune di domicilio", p.domicile_comune.clone()), ("CAP", p.domicile_cap.clone()), ("Località", String::new()), ("Indirizzo del domicilio", p.domicile_address.clone())]));
    parts.push(h(3, "Sezione 1.3.3 - Recapiti"));
    parts.push(fields(&[
        ("Numero di telefono", g("phone")),
        ("Numero di FAX", g("fax")),
        ("Numero di telefono cellulare", p.mobile.clone()),
        ("Indirizzo di posta elettronica", p.email.clone()),
    ]));

    parts.push(h(2, "Sezione 2 - Dati Amministrativi"));
    parts.push(h(3, "Sezione 2.1 - Posizione nel mercato del lavoro"));
    parts.push(h(3, "Sezione 2.1.1 - Stato in anagrafe"));
    parts.push(fields(&[
        ("Stato occupazionale", g("employment_status").to_uppercase()),
        ("Condizione", g("condition").to_uppercase()),
        ("Categoria dlgs 297", g("category_297")),
        ("Anzianità di disoccupazione (mesi)", g("unemployment_months")),
    ]));
    parts.push(h(3, "Sezione 2.1.2 - Periodo di disoccupazione"));
    if !g("did_date").is_empty() {
        parts.push(Part::Paragraph { text: format!("Dichiarazione di disponibilità allo svolgimento ed alla ricerca di una attività lavorativa resa in data {}", gd("did_date")) });
    }
    parts.push(fields(&[("Disoccupato dal", gd("unemployed_since")), ("Data ingresso", gd("entry_date"))]));
    parts.push(h(3, "Sezione 2.2 - Liste speciali e liste mobilità"));
    if g("mobility_lists").is_empty() {
        parts.push(Part::Empty { text: "Nessuna iscrizione a liste speciali o liste di mobilità".into() });
    } else {
        parts.push(Part::Paragraph { text: g("mobility_lists") });
    }
    parts.push(h(3, "Sezione 2.3 - Assolvimento diritto/dovere all'istruzione"));
    let obligation = match ad.as_ref().and_then(|r| r.opt_int("obligation_fulfilled")) {
        Some(1) => "SI",
        Some(_) => "NO",
        None => "",
    };
    parts.push(fields(&[("Obbligo formativo assolto", obligation.into())]));
    parts.push(h(3, "Sezione 2.4 - Altre notizie"));
    parts.push(fields(&[("Appartenenza particolari categorie", g("special_categories")), ("Indice ISEE", g("isee"))]));

    parts.push(h(2, "Sezione 4 - Esperienze di lavoro"));
    parts.push(h(3, "Sezione 4.1 - Esperienze professionali"));
    table_or_empty(&mut parts, &["Datore di lavoro", "Qualifica", "Contratto", "Data inizio", "Data fine", "Descrizione"], experiences(db, person_id, false)?, "Nessuna esperienza lavorativa");

    parts.push(h(2, "Sezione 5 - Informazioni curriculari utili all'incontro Domanda/Offerta"));
    parts.push(h(3, "Sezione 5.1 - Titoli di studio"));
    table_or_empty(&mut parts, &["Titolo di studio", "Descrizione", "Istituto", "Anno"], education(db, person_id, false)?, "Nessun titolo di studio conseguito");
    parts.push(h(3, "Sezione 5.2 - Formazione professionale"));
    table_or_empty(&mut parts, &["Corso", "Ente", "Ore", "Data fine", "Attestato"], training(db, person_id, false)?, "Nessuna formazione");
    parts.push(h(3, "Sezione 5.3 - Lingue straniere conosciute"));
    let langs = simple(
        db,
        "SELECT l.name AS language, v.name AS level FROM record_languages r JOIN ref_languages l ON l.code = r.language_code
           JOIN ref_language_levels v ON v.code = r.level_code WHERE r.person_id = ?1 ORDER BY r.id",
        person_id,
        &["language", "level"],
    )?;
    table_or_empty(&mut parts, &["Lingua", "Livello"], langs, "Nessuna lingua straniera conosciuta");
    parts.push(h(3, "Sezione 5.4 - Conoscenze Informatiche"));
    let it = simple(db, "SELECT skill, level FROM record_it_skills WHERE person_id = ?1 ORDER BY id", person_id, &["skill", "level"])?;
    table_or_empty(&mut parts, &["Conoscenza", "Livello"], it, "Nessuna conoscenza informatica");
    parts.push(h(3, "Sezione 5.5 - Altre informazioni utili all'incontro fra domanda e offerta lavoro"));
    parts.push(h(3, "Sezione 5.5.1 - Albi"));
    let albi = simple(db, "SELECT name, number, since AS since_day FROM record_albi WHERE person_id = ?1 ORDER BY id", person_id, &["name", "number", "since_day"])?;
    table_or_empty(&mut parts, &["Albo o ordine", "Numero", "Iscritto dal"], albi, "Nessuna iscrizione ad albi ed ordini professionali");
    parts.push(h(3, "Sezione 5.5.2 - Patenti"));
    let lic = simple(
        db,
        "SELECT d.name, r.issued_on AS issued_day FROM record_licences r JOIN ref_driving_licences d ON d.code = r.licence_code WHERE r.person_id = ?1 ORDER BY r.id",
        person_id,
        &["name", "issued_day"],
    )?;
    table_or_empty(&mut parts, &["Patente", "Data di rilascio"], lic, "Nessuna patente");
    parts.push(h(3, "Sezione 5.5.3 - Liste speciali"));
    let lists = simple(db, "SELECT list_name, since AS since_day, until AS until_day FROM record_special_lists WHERE person_id = ?1 ORDER BY id", person_id, &["list_name", "since_day", "until_day"])?;
    table_or_empty(&mut parts, &["Lista", "Dal", "Al"], lists, "Nessuna iscrizione a liste speciali");

    parts.push(h(2, "Sezione 6 - Interventi di Politiche Attive"));
    parts.push(h(3, "Sezione 6.1 - Interventi di Politiche Attive"));
    let acts = db.execute(
        "SELECT r.activity_code, a.name, r.denomination, r.proposed_on, r.started_on, r.ended_on, r.duration, r.description, r.promoter, r.project
           FROM record_activities r JOIN ref_policy_activities a ON a.code = r.activity_code
          WHERE r.person_id = ?1 ORDER BY r.proposed_on, r.id",
        params![person_id],
    )?;
    if acts.is_empty() {
        parts.push(Part::Empty { text: "Nessun intervento di politica attiva".into() });
    }
    for r in acts.rows() {
        parts.push(fields(&[
            ("Attività", format!("{} - {}", s(&r, "activity_code"), s(&r, "name"))),
            ("Denominazione", s(&r, "denomination")),
            ("Data proposta", it_day(&s(&r, "proposed_on"))),
            ("Data inizio", it_day(&s(&r, "started_on"))),
            ("Data fine", it_day(&s(&r, "ended_on"))),
            ("Durata", s(&r, "duration")),
            ("Descrizione", s(&r, "description")),
            ("Ente promotore", s(&r, "promoter")),
            ("Titolo progetto", s(&r, "project")),
        ]));
    }
    Ok(Print { title: format!("Scheda anagrafico-professionale - {} {} ({})", p.family_name, p.name, p.fiscal_code), parts })
}

/// The Libretto formativo: the validated education, training and work experiences.
pub fn libretto(db: &dyn Db, person_id: i64) -> Result<Print, ApiError> {
    let p = person(db, person_id)?;
    let mut parts = vec![
        h(1, "Libretto formativo del cittadino"),
        Part::Paragraph { text: "Attività registrate nel Libretto formativo istruito e validato dal Centro per l'impiego e rilasciato al cittadino.".into() },
        h(2, "Dati personali"),
        fields(&[
            ("Codice fiscale", p.fiscal_code.clone()),
            ("Cognome", p.family_name.clone()),
            ("Nome", p.name.clone()),
            ("Data di nascita", p.date_of_birth.clone()),
            ("Comune o stato straniero di nascita", p.place_of_birth.clone()),
        ]),
        h(2, "Titoli di studio"),
    ];
    table_or_empty(&mut parts, &["Titolo di studio", "Descrizione", "Istituto", "Anno"], education(db, person_id, true)?, "Nessun titolo di studio conseguito");
    parts.push(h(2, "Formazione professionale"));
    table_or_empty(&mut parts, &["Corso", "Ente", "Ore", "Data fine", "Attestato"], training(db, person_id, true)?, "Nessuna formazione");
    parts.push(h(2, "Esperienze di lavoro"));
    table_or_empty(&mut parts, &["Datore di lavoro", "Qualifica", "Contratto", "Data inizio", "Data fine", "Descrizione"], experiences(db, person_id, true)?, "Nessuna esperienza lavorativa");
    Ok(Print { title: format!("Libretto formativo - {} {} ({})", p.family_name, p.name, p.fiscal_code), parts })
}

/// A print as a tagged PDF/UA-1 document.
pub fn pdf(print: &Print, now: i64) -> Result<Vec<u8>, ApiError> {
    use pdfdoc::{Block, Document};
    let blocks = print
        .parts
        .iter()
        .map(|p| match p {
            Part::Heading { level, text } => Block::Heading { level: *level, text: text.clone() },
            Part::Fields { items } => Block::Fields(items.clone()),
            Part::Table { header, rows } => Block::Table { header: header.clone(), rows: rows.clone() },
            Part::Paragraph { text } | Part::Empty { text } => Block::Paragraph(text.clone()),
        })
        .collect();
    let doc = Document {
        title: print.title.clone(),
        subject: Some("Regione Toscana — Centri per l'impiego".into()),
        author: "Regione Toscana — Toscana Lavoro".into(),
        lang: "it-IT",
        blocks,
        created_unix: now,
    };
    pdfdoc::render(&doc).map_err(|e| ApiError::internal(format!("print: {e}")))
}
