//! The sections of a citizen's record that CPI operators keep, declared once: each is a
//! table of `db/migrations/0015_records.sql` with its fields, how each is checked, and
//! its Italian label. One generic writer ([`validate`], [`insert`], [`update`]) serves
//! them all, so a new field is one line here.

use common::sql::{Db, Row, Value};
use common::validation::Fields;
use common::{ApiError, params};
use serde_json::{Map, Value as Json};

/// How a field's value is given and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text of at most this many characters (trimmed).
    Text(usize),
    /// An ISO day, aaaa-mm-gg.
    Day,
    /// A day and time, aaaa-mm-ggThh:mm.
    DayTime,
    /// A whole number within bounds.
    Int(i64, i64),
    /// true / false (stored 1 / 0).
    Flag,
    /// A code of a reference table (`ref_*`).
    Ref(&'static str),
    /// The id of a course of the regional catalogue.
    Course,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// A day field this one may not precede (an end after its start).
    pub not_before: Option<&'static str>,
}

const fn f(name: &'static str, label: &'static str, kind: Kind, required: bool) -> Field {
    Field { name, label, kind, required, not_before: None }
}

const fn after(name: &'static str, label: &'static str, kind: Kind, start: &'static str) -> Field {
    Field { name, label, kind, required: false, not_before: Some(start) }
}

/// A list section: rows of a table, each a person's.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The path segment (`/api/operator/records/<key>`) and the key in the record's JSON.
    pub key: &'static str,
    pub table: &'static str,
    pub title: &'static str,
    pub fields: &'static [Field],
    pub order: &'static str,
}

use Kind::*;

pub const ADMIN_FIELDS: &[Field] = &[
    f("citizenship", "Cittadinanza", Text(80), false),
    f("permit_type", "Titolo di soggiorno", Text(120), false),
    f("permit_number", "Numero titolo di soggiorno", Text(40), false),
    f("permit_reason", "Motivo titolo di soggiorno", Text(120), false),
    f("permit_expiry", "Scadenza titolo di soggiorno", Day, false),
    f("last_renewal", "Data ultimo mantenimento iscrizione", Day, false),
    f("phone", "Numero di telefono", Text(40), false),
    f("fax", "Numero di FAX", Text(40), false),
    f("employment_status", "Stato occupazionale", Text(80), false),
    f("condition", "Condizione", Text(120), false),
    f("category_297", "Categoria dlgs 297", Text(120), false),
    f("unemployment_months", "Anzianità di disoccupazione (mesi)", Int(0, 1200), false),
    f("did_date", "Data della dichiarazione di immediata disponibilità (DID)", Day, false),
    f("unemployed_since", "Disoccupato dal", Day, false),
    f("entry_date", "Data ingresso", Day, false),
    f("mobility_lists", "Liste speciali e liste mobilità", Text(300), false),
    f("obligation_fulfilled", "Obbligo formativo assolto", Flag, false),
    f("special_categories", "Appartenenza particolari categorie", Text(200), false),
    f("isee", "Indice ISEE", Text(40), false),
];

pub const SECTIONS: &[Section] = &[
    Section {
        key: "experiences",
        table: "record_experiences",
        title: "Esperienze di lavoro",
        fields: &[
            f("employer", "Datore di lavoro", Text(200), true),
            f("role", "Qualifica", Text(200), true),
            f("contract", "Tipo di contratto", Text(120), false),
            f("start_date", "Data inizio", Day, true),
            after("end_date", "Data fine", Day, "start_date"),
            f("description", "Descrizione", Text(2000), false),
            f("validated", "Validata per il Libretto formativo", Flag, false),
        ],
        order: "start_date DESC, id DESC",
    },
    Section {
        key: "education",
        table: "record_education",
        title: "Titoli di studio",
        fields: &[
            f("title_code", "Titolo di studio", Ref("ref_study_titles"), true),
            f("description", "Descrizione", Text(300), false),
            f("institute", "Istituto", Text(200), false),
            f("year", "Anno di conseguimento", Int(1900, 2100), false),
            f("validated", "Validato per il Libretto formativo", Flag, false),
        ],
        order: "year DESC, id DESC",
    },
    Section {
        key: "training",
        table: "record_training",
        title: "Formazione professionale",
        fields: &[
            f("title", "Titolo del corso", Text(200), true),
            f("provider", "Ente di formazione", Text(200), false),
            f("hours", "Durata (ore)", Int(1, 10000), false),
            f("end_date", "Data fine", Day, false),
            f("certificate", "Attestato", Text(200), false),
            f("validated", "Validata per il Libretto formativo", Flag, false),
        ],
        order: "end_date DESC, id DESC",
    },
    Section {
        key: "languages",
        table: "record_languages",
        title: "Lingue straniere",
        fields: &[f("language_code", "Lingua", Ref("ref_languages"), true), f("level_code", "Livello", Ref("ref_language_levels"), true)],
        order: "id",
    },
    Section {
        key: "it_skills",
        table: "record_it_skills",
        title: "Conoscenze informatiche",
        fields: &[f("skill", "Conoscenza", Text(200), true), f("level", "Livello", Text(80), false)],
        order: "id",
    },
    Section {
        key: "albi",
        table: "record_albi",
        title: "Albi",
        fields: &[f("name", "Albo o ordine professionale", Text(200), true), f("number", "Numero di iscrizione", Text(40), false), f("since", "Iscritto dal", Day, false)],
        order: "id",
    },
    Section {
        key: "licences",
        table: "record_licences",
        title: "Patenti",
        fields: &[f("licence_code", "Patente", Ref("ref_driving_licences"), true), f("issued_on", "Data di rilascio", Day, false)],
        order: "id",
    },
    Section {
        key: "special_lists",
        table: "record_special_lists",
        title: "Liste speciali",
        fields: &[f("list_name", "Lista speciale", Text(200), true), f("since", "Iscritto dal", Day, false), after("until", "Fino al", Day, "since")],
        order: "id",
    },
    Section {
        key: "activities",
        table: "record_activities",
        title: "Attività 150/percettori/RDC",
        fields: &[
            f("activity_code", "Attività", Ref("ref_policy_activities"), true),
            f("denomination", "Denominazione", Text(120), false),
            f("proposed_on", "Data proposta", Day, true),
            f("appointment_on", "Data appuntamento", Day, false),
            f("started_on", "Data inizio", Day, false),
            after("ended_on", "Data fine", Day, "started_on"),
            f("duration", "Durata", Text(40), false),
            f("description", "Descrizione", Text(500), false),
            f("promoter", "Ente promotore", Text(120), false),
            f("project", "Titolo progetto", Text(200), false),
            f("interview_date", "Data del colloquio", Day, false),
            f("interview_type", "Tipo di colloquio", Text(120), false),
            f("interview_responsible", "Responsabile del colloquio", Text(120), false),
        ],
        order: "proposed_on DESC, id DESC",
    },
    Section {
        key: "gg_activities",
        table: "record_gg_activities",
        title: "Attività Garanzia Giovani",
        fields: &[
            f("proposed_on", "Data proposta", Day, true),
            f("action_code", "Azione", Ref("ref_gg_actions"), true),
            f("appointment_at", "Data appuntamento", DayTime, false),
            f("provider", "Soggetto erogatore", Text(200), false),
        ],
        order: "proposed_on DESC, id DESC",
    },
    Section {
        key: "enrolments",
        table: "course_enrolments",
        title: "Iscrizioni ai corsi di formazione regionale",
        fields: &[f("course_id", "Corso", Course, true)],
        order: "id DESC",
    },
];

/// The regional course catalogue's fields (not a person's section).
pub const COURSE_FIELDS: &[Field] = &[
    f("title", "Titolo", Text(200), true),
    f("description", "Descrizione", Text(2000), true),
    f("trainer", "Formatore", Text(200), true),
    f("start_date", "Data inizio", Day, true),
    Field { name: "end_date", label: "Data fine", kind: Day, required: true, not_before: Some("start_date") },
];

pub fn section(key: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.key == key)
}

fn valid_day_time(s: &str) -> bool {
    let (day, t) = match s.split_once(['T', ' ']) {
        Some(p) => p,
        None => return false,
    };
    let Some((h, m)) = t.split_once(':') else { return false };
    common::rome::parse_day(day).is_some()
        && h.len() == 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

/// Checks a JSON object against `fields`: unknown keys are a 400 (as a struct with
/// `deny_unknown_fields` would give), field problems a 422 with every field's message.
/// Returns each field's SQL value, in the order of `fields`.
pub fn validate(db: &dyn Db, fields: &[Field], body: &Json) -> Result<Vec<Value>, ApiError> {
    let obj: &Map<String, Json> = body.as_object().ok_or_else(|| ApiError::bad_request("invalid_json", "I dati inviati non sono un oggetto JSON."))?;
    if let Some(k) = obj.keys().find(|k| !fields.iter().any(|f| f.name == k.as_str())) {
        return Err(ApiError::bad_request("invalid_json", format!("Il campo «{k}» non è previsto.")));
    }
    let mut errs = Fields::new();
    let mut out = Vec::with_capacity(fields.len());
    for fd in fields {
        let v = obj.get(fd.name).unwrap_or(&Json::Null);
        let blank = v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
        if blank {
            if fd.required {
                errs.add(fd.name, "required", format!("Indica «{}».", fd.label));
            }
            out.push(if fd.kind == Flag { Value::Integer(0) } else { Value::Null });
            continue;
        }
        let bad = |errs: &mut Fields, what: &str| errs.add(fd.name, "invalid", format!("«{}»: {what}.", fd.label));
        let value = match fd.kind {
            Text(max) => match v.as_str() {
                Some(s) if s.trim().chars().count() <= max => Value::Text(s.trim().to_string()),
                Some(_) => {
                    bad(&mut errs, &format!("al massimo {max} caratteri"));
                    Value::Null
                }
                None => {
                    bad(&mut errs, "indica un testo");
                    Value::Null
                }
            },
            Day => match v.as_str().and_then(common::rome::parse_day) {
                Some(d) => Value::Text(common::rome::iso(d)),
                None => {
                    bad(&mut errs, "indica una data valida (aaaa-mm-gg)");
                    Value::Null
                }
            },
            DayTime => match v.as_str().map(str::trim) {
                Some(s) if valid_day_time(s) => Value::Text(s.replace(' ', "T")),
                _ => {
                    bad(&mut errs, "indica data e ora valide (aaaa-mm-ggThh:mm)");
                    Value::Null
                }
            },
            Int(lo, hi) => match v.as_i64() {
                Some(n) if (lo..=hi).contains(&n) => Value::Integer(n),
                _ => {
                    bad(&mut errs, &format!("indica un numero intero tra {lo} e {hi}"));
                    Value::Null
                }
            },
            Flag => match v.as_bool() {
                Some(b) => Value::Integer(i64::from(b)),
                None => {
                    bad(&mut errs, "indica sì o no");
                    Value::Null
                }
            },
            Ref(table) => match v.as_str().map(str::trim) {
                Some(code) if !db.execute(&format!("SELECT 1 AS x FROM {table} WHERE code = ?1"), params![code])?.is_empty() => Value::Text(code.to_string()),
                _ => {
                    bad(&mut errs, "scegli un valore dell'elenco");
                    Value::Null
                }
            },
            Course => match v.as_i64() {
                Some(id) if !db.execute("SELECT 1 AS x FROM training_courses WHERE id = ?1", params![id])?.is_empty() => Value::Integer(id),
                _ => {
                    bad(&mut errs, "scegli un corso del catalogo regionale");
                    Value::Null
                }
            },
        };
        out.push(value);
    }
    for (i, fd) in fields.iter().enumerate() {
        if let Some(start) = fd.not_before {
            let j = fields.iter().position(|x| x.name == start).expect("declared start field");
            if let (Value::Text(end), Value::Text(begin)) = (&out[i], &out[j])
                && end < begin
            {
                let label = fields[j].label;
                errs.add(fd.name, "before_start", format!("«{}» non può precedere «{label}».", fd.label));
            }
        }
    }
    errs.into_result()?;
    Ok(out)
}

/// A row's fields (and id) as JSON, by the section's declaration.
pub fn row_json(fields: &[Field], r: &Row<'_>) -> Json {
    let mut m = Map::new();
    if let Some(id) = r.opt_int("id") {
        m.insert("id".into(), id.into());
    }
    for fd in fields {
        let v = match r.value(fd.name) {
            Some(Value::Integer(n)) if fd.kind == Flag => Json::Bool(*n != 0),
            Some(Value::Integer(n)) => Json::from(*n),
            Some(Value::Text(s)) => Json::from(s.as_str()),
            Some(Value::Real(x)) => Json::from(*x),
            _ => Json::Null,
        };
        m.insert(fd.name.into(), v);
    }
    Json::Object(m)
}

/// The values of `fields` as a JSON object (for the audit log).
pub fn values_json(fields: &[Field], values: &[Value]) -> Json {
    let mut m = Map::new();
    for (fd, v) in fields.iter().zip(values) {
        let j = match v {
            Value::Integer(n) if fd.kind == Flag => Json::Bool(*n != 0),
            Value::Integer(n) => Json::from(*n),
            Value::Text(s) => Json::from(s.as_str()),
            _ => Json::Null,
        };
        m.insert(fd.name.into(), j);
    }
    Json::Object(m)
}

fn columns(fields: &[Field]) -> String {
    fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
}

/// A person's rows of a section, in its order.
pub fn rows(db: &dyn Db, s: &Section, person_id: i64) -> Result<Vec<Json>, ApiError> {
    let rows = db.execute(&format!("SELECT id, {} FROM {} WHERE person_id = ?1 ORDER BY {}", columns(s.fields), s.table, s.order), params![person_id])?;
    Ok(rows.rows().map(|r| row_json(s.fields, &r)).collect())
}

/// One row of a person's section, or None.
pub fn one(db: &dyn Db, s: &Section, person_id: i64, id: i64) -> Result<Option<Json>, ApiError> {
    let rows = db.execute(&format!("SELECT id, {} FROM {} WHERE id = ?1 AND person_id = ?2", columns(s.fields), s.table), params![id, person_id])?;
    Ok(rows.first().map(|r| row_json(s.fields, &r)))
}

pub fn insert(db: &dyn Db, s: &Section, person_id: i64, actor: i64, now: i64, values: Vec<Value>) -> Result<i64, ApiError> {
    let n = s.fields.len();
    let marks: Vec<String> = (0..n).map(|i| format!("?{}", i + 4)).collect();
    let sql = format!(
        "INSERT INTO {} (person_id, created_by, created_at, updated_at, {}) VALUES (?1, ?2, ?3, ?3, {}) RETURNING id",
        s.table,
        columns(s.fields),
        marks.join(", ")
    );
    let mut p = vec![Value::Integer(person_id), Value::Integer(actor), Value::Integer(now)];
    p.extend(values);
    db.execute(&sql, &p)?.scalar("id")
}

pub fn update(db: &dyn Db, s: &Section, person_id: i64, id: i64, now: i64, values: Vec<Value>) -> Result<(), ApiError> {
    let sets: Vec<String> = s.fields.iter().enumerate().map(|(i, f)| format!("{} = ?{}", f.name, i + 4)).collect();
    let sql = format!("UPDATE {} SET updated_at = ?3, {} WHERE id = ?1 AND person_id = ?2", s.table, sets.join(", "));
    let mut p = vec![Value::Integer(id), Value::Integer(person_id), Value::Integer(now)];
    p.extend(values);
    db.execute(&sql, &p)?;
    Ok(())
}

pub fn delete(db: &dyn Db, s: &Section, person_id: i64, id: i64) -> Result<(), ApiError> {
    db.execute(&format!("DELETE FROM {} WHERE id = ?1 AND person_id = ?2", s.table), params![id, person_id])?;
    Ok(())
}

/// The administrative state (one row a person), or None.
pub fn admin(db: &dyn Db, person_id: i64) -> Result<Option<Json>, ApiError> {
    let rows = db.execute(&format!("SELECT {} FROM record_admin WHERE person_id = ?1", columns(ADMIN_FIELDS)), params![person_id])?;
    Ok(rows.first().map(|r| row_json(ADMIN_FIELDS, &r)))
}

pub fn save_admin(db: &dyn Db, person_id: i64, actor: i64, now: i64, values: Vec<Value>) -> Result<(), ApiError> {
    let n = ADMIN_FIELDS.len();
    let marks: Vec<String> = (0..n).map(|i| format!("?{}", i + 4)).collect();
    let sets: Vec<String> = ADMIN_FIELDS.iter().map(|f| format!("{0} = excluded.{0}", f.name)).collect();
    let sql = format!(
        "INSERT INTO record_admin (person_id, updated_by, updated_at, {}) VALUES (?1, ?2, ?3, {})
         ON CONFLICT (person_id) DO UPDATE SET updated_by = excluded.updated_by, updated_at = excluded.updated_at, {}",
        columns(ADMIN_FIELDS),
        marks.join(", "),
        sets.join(", ")
    );
    let mut p = vec![Value::Integer(person_id), Value::Integer(actor), Value::Integer(now)];
    p.extend(values);
    db.execute(&sql, &p)?;
    Ok(())
}
