//! Documents as rows and as answers: kinds, states, the timeline, the PDF's content.

use common::sql::{Db, Row};
use common::{ApiError, params};
use serde::Serialize;

/// The four kinds the manual names: (code, name, needs the operator's signature, the
/// text the document states).
pub const KINDS: &[(&str, &str, bool, &str)] = &[
    (
        "ricevuta_did",
        "Ricevuta DID",
        false,
        "Il cittadino dichiara, ai sensi dell'articolo 19 del D.Lgs. 150/2015, la propria immediata disponibilità allo svolgimento di attività lavorativa e alla partecipazione alle misure di politica attiva del lavoro concordate con il Centro per l'impiego. Questa ricevuta attesta la dichiarazione di immediata disponibilità (DID) resa al Centro per l'impiego indicato.",
    ),
    (
        "patto_150",
        "Patto di servizio D.Lgs. 150",
        true,
        "Patto di servizio personalizzato ai sensi dell'articolo 20 del D.Lgs. 150/2015. Il cittadino e il Centro per l'impiego concordano il profilo di occupabilità, le attività di ricerca attiva del lavoro e le misure di politica attiva indicate di seguito; il cittadino si impegna a partecipare alle iniziative proposte e a comunicare ogni variazione della propria condizione.",
    ),
    (
        "patto_gg",
        "Patto di attivazione Garanzia Giovani",
        true,
        "Patto di attivazione del programma Garanzia Giovani. Il giovane aderente e il Centro per l'impiego concordano il percorso e le misure del programma indicati di seguito; il giovane si impegna a partecipare alle attività proposte nei tempi stabiliti.",
    ),
    (
        "ricerca_intensiva",
        "Programma di ricerca intensiva",
        true,
        "Programma di ricerca intensiva di occupazione. Il cittadino e il Centro per l'impiego concordano le azioni di ricerca attiva del lavoro, la loro frequenza e le modalità di verifica indicate di seguito.",
    ),
];

pub fn kind(code: &str) -> Option<&'static (&'static str, &'static str, bool, &'static str)> {
    KINDS.iter().find(|k| k.0 == code)
}

pub fn kind_name(code: &str) -> &'static str {
    kind(code).map_or("Documento", |k| k.1)
}

pub fn needs_operator(code: &str) -> bool {
    kind(code).is_some_and(|k| k.2)
}

/// `in_corso` | `annullato` | `concluso` (the manual's three-state legend).
pub fn status(kind: &str, state: &str) -> &'static str {
    match state {
        "annullato" => "annullato",
        "firmato_operatore" => "concluso",
        "firmato_cittadino" if !needs_operator(kind) => "concluso",
        _ => "in_corso",
    }
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "annullato" => "Il processo di firma digitale è stato annullato o revocato dal centro impiego",
        "concluso" => "Il processo di firma digitale si è validamente concluso",
        _ => "Il processo di firma digitale è ancora in essere e deve essere concluso",
    }
}

/// dd/mm/yyyy HH:MM in Rome.
pub fn when(unix: i64) -> String {
    let (d, minute) = common::rome::local(unix);
    format!("{:02}/{:02}/{:04} {:02}:{:02}", d.day(), d.month() as u8, d.year(), minute / 60, minute % 60)
}

pub fn day(unix: i64) -> String {
    let (d, _) = common::rome::local(unix);
    format!("{:02}/{:02}/{:04}", d.day(), d.month() as u8, d.year())
}

/// A document row, without its PDF.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub person_id: i64,
    pub cpi_code: String,
    pub cpi_name: String,
    pub state: String,
    pub created_at: i64,
    pub taken_at: Option<i64>,
    pub citizen_signed_at: Option<i64>,
    pub operator_signed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub revision: i64,
}

pub const COLUMNS: &str = "d.id, d.code, d.kind, d.person_id, d.cpi_code, c.name AS cpi_name, d.state, d.created_at, d.taken_at,
    d.citizen_signed_at, d.operator_signed_at, d.cancelled_at, d.cancel_reason, d.revision";

impl Doc {
    pub fn from_row(r: &Row) -> Result<Self, ApiError> {
        Ok(Self {
            id: r.int("id")?,
            code: r.text("code")?,
            kind: r.text("kind")?,
            person_id: r.int("person_id")?,
            cpi_code: r.text("cpi_code")?,
            cpi_name: r.text("cpi_name")?,
            state: r.text("state")?,
            created_at: r.int("created_at")?,
            taken_at: r.opt_int("taken_at"),
            citizen_signed_at: r.opt_int("citizen_signed_at"),
            operator_signed_at: r.opt_int("operator_signed_at"),
            cancelled_at: r.opt_int("cancelled_at"),
            cancel_reason: r.opt_text("cancel_reason"),
            revision: r.int("revision")?,
        })
    }

    pub fn status(&self) -> &'static str {
        status(&self.kind, &self.state)
    }

    pub fn concluded(&self) -> bool {
        self.status() == "concluso"
    }

    /// The manual's "Azioni" timeline.
    pub fn timeline(&self) -> Vec<Step> {
        let mut steps = vec![Step::new("inserito", "Documento Inserito il", self.created_at, None)];
        if let Some(t) = self.taken_at {
            steps.push(Step::new("preso_in_carico", "Preso In Carico il", t, None));
        }
        if let Some(t) = self.citizen_signed_at {
            steps.push(Step::new("firmato_cittadino", "Firmato Cittadino il", t, None));
        }
        if let Some(t) = self.operator_signed_at {
            steps.push(Step::new("firmato_operatore", "Firmato Operatore il", t, None));
        }
        if let Some(t) = self.cancelled_at {
            steps.push(Step::new("annullato", "Annullato il", t, self.cancel_reason.clone()));
        }
        steps
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentStep))]
pub struct Step {
    pub state: &'static str,
    /// e.g. "Preso In Carico il 08/07/2021 08:50"; a cancellation ends with "(reason)".
    pub text: String,
    pub at: i64,
    pub reason: Option<String>,
}

impl Step {
    fn new(state: &'static str, label: &str, at: i64, reason: Option<String>) -> Self {
        let mut text = format!("{label} {}", when(at));
        if let Some(r) = &reason {
            text.push_str(&format!(" ({r})"));
        }
        Self { state, text, at, reason }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentCpi))]
pub struct Cpi {
    pub code: String,
    pub name: String,
}

/// A document as the citizen sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Document))]
pub struct DocOut {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub kind_name: &'static str,
    pub needs_operator: bool,
    pub cpi: Cpi,
    pub state: String,
    /// `in_corso` | `annullato` | `concluso`
    pub status: &'static str,
    pub status_label: &'static str,
    pub date: String,
    pub created_at: i64,
    pub timeline: Vec<Step>,
    pub can_take: bool,
    pub can_sign: bool,
}

impl From<&Doc> for DocOut {
    fn from(d: &Doc) -> Self {
        Self {
            id: d.id,
            code: d.code.clone(),
            kind: d.kind.clone(),
            kind_name: kind_name(&d.kind),
            needs_operator: needs_operator(&d.kind),
            cpi: Cpi { code: d.cpi_code.clone(), name: d.cpi_name.clone() },
            state: d.state.clone(),
            status: d.status(),
            status_label: status_label(d.status()),
            date: day(d.created_at),
            created_at: d.created_at,
            timeline: d.timeline(),
            can_take: d.state == "inserito",
            can_sign: d.state == "preso_in_carico",
        }
    }
}

/// A document as the CPI's operator sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OperatorDocument))]
pub struct OperatorDocOut {
    #[serde(flatten)]
    pub doc: DocOut,
    pub person: PersonOut,
    pub can_countersign: bool,
    pub can_cancel: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DocumentPerson))]
pub struct PersonOut {
    pub name: String,
    pub fiscal_code: String,
}

pub fn can_cancel(d: &Doc) -> bool {
    d.state != "annullato" && !d.concluded()
}

pub fn operator_out(db: &dyn Db, d: &Doc) -> Result<OperatorDocOut, ApiError> {
    let p = person(db, d.person_id)?;
    Ok(OperatorDocOut {
        doc: DocOut::from(d),
        person: PersonOut { name: p.name, fiscal_code: p.fiscal_code },
        can_countersign: d.state == "firmato_cittadino" && needs_operator(&d.kind),
        can_cancel: can_cancel(d),
    })
}

pub fn one(db: &dyn Db, id: i64) -> Result<Option<Doc>, ApiError> {
    let rows = db.execute(&format!("SELECT {COLUMNS} FROM documents d JOIN cpis c ON c.code = d.cpi_code WHERE d.id = ?1"), params![id])?;
    rows.first().map(|r| Doc::from_row(&r)).transpose()
}

pub fn pdf(db: &dyn Db, id: i64) -> Result<Vec<u8>, ApiError> {
    let rows = db.execute("SELECT pdf FROM documents WHERE id = ?1", params![id])?;
    Ok(rows.first().ok_or_else(|| ApiError::internal(format!("document {id} vanished")))?.blob("pdf")?.to_vec())
}

/// What the PDF and the messages say about a person.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub fiscal_code: String,
    pub date_of_birth: Option<String>,
    pub residence: Option<String>,
    pub domicile: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

pub fn person(db: &dyn Db, person_id: i64) -> Result<Person, ApiError> {
    let rows = db.execute(
        "SELECT p.name, p.family_name, p.fiscal_code, coalesce(a.date_of_birth, p.date_of_birth) AS dob, coalesce(a.email, p.email) AS email, a.mobile,
                a.residence_address, a.residence_cap, r.name AS residence_comune, a.domicile_same, a.domicile_address, a.domicile_cap, d.name AS domicile_comune
           FROM people p LEFT JOIN accounts a ON a.person_id = p.id
           LEFT JOIN comuni r ON r.istat = a.residence_istat LEFT JOIN comuni d ON d.istat = a.domicile_istat
          WHERE p.id = ?1",
        params![person_id],
    )?;
    let r = rows.first().ok_or_else(|| ApiError::internal(format!("person {person_id} vanished")))?;
    let place = |addr: &str, cap: &str, comune: &str| -> Option<String> {
        let (a, c, m) = (r.opt_text(addr)?, r.opt_text(cap).unwrap_or_default(), r.opt_text(comune).unwrap_or_default());
        Some(format!("{a}, {c} {m}").trim().to_string())
    };
    let residence = place("residence_address", "residence_cap", "residence_comune");
    let domicile = if r.opt_int("domicile_same") == Some(1) { residence.clone() } else { place("domicile_address", "domicile_cap", "domicile_comune") };
    Ok(Person {
        name: format!("{} {}", r.text("name")?, r.text("family_name")?),
        fiscal_code: r.text("fiscal_code")?,
        date_of_birth: r.opt_text("dob"),
        residence,
        domicile,
        email: r.opt_text("email").filter(|e| !e.trim().is_empty()),
        mobile: r.opt_text("mobile").filter(|e| !e.trim().is_empty()),
    })
}

/// The operator's input of a new document.
#[derive(Debug, Clone)]
pub struct Content<'a> {
    pub kind: &'a str,
    pub code: &'a str,
    pub cpi_name: &'a str,
    pub operator_name: &'a str,
    pub reference: Option<&'a str>,
    pub text: &'a str,
    pub base_url: &'a str,
    pub now: i64,
}

/// The document's PDF as the CPI issues it (tagged, Italian); the document code is in
/// its text, its subject (metadata) and its title.
pub fn render(c: &Content, p: &Person) -> Result<Vec<u8>, ApiError> {
    use pdfdoc::{Block, Document};
    let (_, name, needs_operator, statement) = *kind(c.kind).ok_or_else(|| ApiError::internal("unknown kind"))?;
    let mut fields = vec![
        ("Codice documento".to_string(), c.code.to_string()),
        ("Data".to_string(), when(c.now)),
        ("Centro per l'impiego".to_string(), format!("CPI di {}", c.cpi_name)),
        ("Cittadino".to_string(), p.name.clone()),
        ("Codice fiscale".to_string(), p.fiscal_code.clone()),
    ];
    let mut push = |label: &str, v: &Option<String>| {
        if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
            fields.push((label.to_string(), v.clone()));
        }
    };
    push("Data di nascita", &p.date_of_birth);
    push("Residenza", &p.residence);
    push("Domicilio", &p.domicile);
    push("E-mail", &p.email);
    push("Cellulare", &p.mobile);
    fields.push(("Operatore".to_string(), c.operator_name.to_string()));
    if let Some(r) = c.reference.filter(|r| !r.is_empty()) {
        fields.push(("Riferimento pratica".to_string(), r.to_string()));
    }
    let mut blocks = vec![
        Block::Heading { level: 1, text: name.to_string() },
        Block::Paragraph(format!("Centro per l'impiego di {} — Regione Toscana", c.cpi_name)),
        Block::Fields(fields),
        Block::Heading { level: 2, text: "Dichiarazione".into() },
        Block::Paragraph(statement.to_string()),
        Block::Heading { level: 2, text: "Contenuto concordato con il Centro per l'impiego".into() },
    ];
    for para in c.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        blocks.push(Block::Paragraph(para.to_string()));
    }
    blocks.push(Block::Heading { level: 2, text: "Firme".into() });
    let mut signatures = vec!["Firma del cittadino: firma digitale apposta sul portale Toscana Lavoro, confermata con un codice monouso.".to_string()];
    if needs_operator {
        signatures.push("Firma dell'operatore del Centro per l'impiego: firma digitale apposta dopo quella del cittadino.".into());
    }
    blocks.push(Block::List(signatures));
    blocks.push(Block::Paragraph(format!(
        "Le firme sono firme digitali PAdES contenute nel file. Verifica l'autenticità e lo stato di questo documento su {}/verifica/ con il codice {}.",
        c.base_url, c.code
    )));
    let doc = Document {
        title: format!("{name} — codice {}", c.code),
        subject: Some(format!("Codice documento {}", c.code)),
        author: "Regione Toscana — Toscana Lavoro".into(),
        lang: "it-IT",
        blocks,
        created_unix: c.now,
    };
    pdfdoc::render(&doc).map_err(|e| ApiError::internal(format!("document pdf: {e}")))
}

/// A new public document code: 16 characters of Crockford's base32 (80 random bits) in
/// groups of four, e.g. `7K3M-9QXP-2HRT-V4NB`.
pub fn new_code() -> Result<String, ApiError> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(b & 31)] as char).collect();
    Ok(chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

/// A typed code in the canonical form (upper case, groups of four), if it can be one.
pub fn normalize_code(s: &str) -> Option<String> {
    let raw: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    let raw: String = raw.chars().map(|c| match c {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    }).collect();
    if raw.len() != 16 || raw.contains('U') {
        return None;
    }
    Some(raw.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-"))
}

/// The document code written in a PDF's metadata ("Codice documento XXXX-…"), if any.
pub fn code_in(pdf: &[u8]) -> Option<String> {
    let marker = b"Codice documento ";
    let mut from = 0;
    while let Some(i) = pdf[from..].windows(marker.len()).position(|w| w == marker) {
        let at = from + i + marker.len();
        if let Some(code) = pdf.get(at..at + 19).and_then(|c| std::str::from_utf8(c).ok()).and_then(normalize_code) {
            return Some(code);
        }
        from = at;
    }
    None
}
