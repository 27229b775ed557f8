//! Which of the components' own types each operation's request body and answer are.
//!
//! One file per component: its `TYPES` rows name an operation of [`crate::ops::OPS`]
//! (method and path, exactly as there) and the schema names of its request body and of
//! its successful answer; its `register` adds those schemas (derived with
//! `utoipa::ToSchema` behind the component's `openapi` feature from the structs its
//! handlers deserialise and serialise) to the document. An operation with no row keeps
//! a generic object: only a request body the handler ignores may (each file says which
//! and why); every JSON answer must be typed (`tests::every_json_answer_is_typed`).

use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

mod alerts;
mod applications;
mod appointments;
mod backoffice;
mod cv;
mod documents;
mod interviews;
mod news;
mod notifications;
mod offers;
mod oidc;
mod records;
mod registration;
mod sso;

/// The schemas of the document, by name.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// The types of one operation.
#[derive(Debug, Clone, Copy)]
pub struct Typed {
    pub method: &'static str,
    pub path: &'static str,
    /// The request body's schema (JSON or form), when the operation takes one.
    pub request: Option<&'static str>,
    /// The successful answer's schema (200 or 201 JSON).
    pub response: Option<&'static str>,
}

pub const fn t(method: &'static str, path: &'static str, request: Option<&'static str>, response: Option<&'static str>) -> Typed {
    Typed { method, path, request, response }
}

/// Adds `T`'s schema under its name, and every schema it refers to.
pub fn add<T: ToSchema>(v: &mut Schemas) {
    v.push((T::name().into_owned(), T::schema()));
    T::schemas(v);
}

/// Adds `T`'s schema under `name` (a generic instance such as `Page<Item>`, whose
/// derived name would be the generic one), and every schema it refers to.
pub fn add_as<T: ToSchema>(name: &str, v: &mut Schemas) {
    v.push((name.to_string(), T::schema()));
    T::schemas(v);
}

/// Adds the page of results `common::paging::Page<T>` under `name` (`{items, total,
/// page, page_size}`), and `T`'s schema, which the generic page refers to by name.
pub fn add_page<T: ToSchema + serde::Serialize>(name: &str, v: &mut Schemas) {
    add_as::<common::paging::Page<T>>(name, v);
    add::<T>(v);
}

/// A second successful answer of an operation, beside the one `ops` names.
#[derive(Debug, Clone, Copy)]
pub struct Also {
    pub method: &'static str,
    pub path: &'static str,
    pub status: &'static str,
    pub response: &'static str,
}

pub const ALSO: &[Also] = &[
    // the CV's owner deciding in the portal (`id`, `decision`); a company's new request is 201
    Also { method: "POST", path: "/api/cv-requests", status: "200", response: "CvRequestDecided" },
    // a message written is 201; a `bye` from a party already out writes nothing: 200
    Also { method: "POST", path: "/api/interviews/{interview}/room/signals", status: "201", response: "InterviewSignalWritten" },
    Also { method: "POST", path: "/api/company/interviews/{interview}/room/signals", status: "201", response: "InterviewSignalWritten" },
];

type Group = (&'static [Typed], fn(&mut Schemas));

const GROUPS: &[Group] = &[
    (alerts::TYPES, alerts::register),
    (applications::TYPES, applications::register),
    (appointments::TYPES, appointments::register),
    (backoffice::TYPES, backoffice::register),
    (cv::TYPES, cv::register),
    (documents::TYPES, documents::register),
    (interviews::TYPES, interviews::register),
    (news::TYPES, news::register),
    (notifications::TYPES, notifications::register),
    (offers::TYPES, offers::register),
    (oidc::TYPES, oidc::register),
    (records::TYPES, records::register),
    (registration::TYPES, registration::register),
    (sso::TYPES, sso::register),
];

/// Every row of every component.
pub fn all() -> impl Iterator<Item = &'static Typed> {
    GROUPS.iter().flat_map(|(rows, _)| rows.iter())
}

/// The row of the operation `method path`, if there is one.
pub fn find(method: &str, path: &str) -> Option<&'static Typed> {
    all().find(|t| t.method == method && t.path == path)
}

/// Adds every component's schemas.
pub fn register(v: &mut Schemas) {
    for (_, register) in GROUPS {
        register(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::OPS;

    #[test]
    fn every_row_names_one_operation_of_the_table_once() {
        let mut seen = std::collections::BTreeSet::new();
        for t in all() {
            assert!(OPS.iter().any(|o| o.method == t.method && o.path == t.path), "types: {} {} is not an operation of ops::OPS", t.method, t.path);
            assert!(seen.insert((t.method, t.path)), "types: {} {} has two rows", t.method, t.path);
            let op = OPS.iter().find(|o| o.method == t.method && o.path == t.path).unwrap();
            if t.request.is_some() {
                assert!(matches!(op.body, crate::ops::In::Json | crate::ops::In::Form), "types: {} {} takes no JSON or form body", t.method, t.path);
            }
        }
    }

    #[test]
    fn every_second_answer_is_of_an_operation_with_another_status() {
        for a in ALSO {
            let op = OPS.iter().find(|o| o.method == a.method && o.path == a.path).unwrap_or_else(|| panic!("ALSO: {} {} is not an operation", a.method, a.path));
            let first = match op.ok {
                crate::ops::Out::Created => "201",
                _ => "200",
            };
            assert_ne!(first, a.status, "ALSO: {} {} already answers {}", a.method, a.path, a.status);
        }
    }

    /// A new operation answering JSON must name its answer's type (this document
    /// itself aside: its schema is OpenAPI's).
    #[test]
    fn every_json_answer_is_typed() {
        use crate::ops::Out;
        let untyped: Vec<String> = OPS
            .iter()
            .filter(|o| matches!(o.ok, Out::Json(None) | Out::Created) && o.path != "/api/openapi.json")
            .filter(|o| find(o.method, o.path).and_then(|t| t.response).is_none())
            .map(|o| format!("{} {}", o.method, o.path))
            .collect();
        assert!(untyped.is_empty(), "operations answering JSON without a type in types/<component>.rs: {untyped:?}");
    }

    /// Two components' types with the same name would silently share one schema (the
    /// document keeps one per name): each name must stand for one schema.
    #[test]
    fn each_schema_name_is_one_schema() {
        let mut v = Schemas::new();
        register(&mut v);
        let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        let mut clashes = Vec::new();
        for (name, schema) in &v {
            let json = serde_json::to_string(schema).unwrap();
            if let Some(before) = seen.insert(name.clone(), json.clone())
                && before != json
            {
                clashes.push(name.clone());
            }
        }
        clashes.sort();
        clashes.dedup();
        assert!(clashes.is_empty(), "different types registered under one schema name (rename one with #[schema(as = ...)]): {clashes:?}");
    }

    /// Every `$ref` of the document names a schema or response it has.
    #[test]
    fn every_reference_resolves() {
        let doc: serde_json::Value = serde_json::from_str(&crate::document_json()).unwrap();
        fn walk(v: &serde_json::Value, doc: &serde_json::Value, bad: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                        let ptr = r.trim_start_matches('#');
                        if doc.pointer(ptr).is_none() {
                            bad.push(r.clone());
                        }
                    }
                    m.values().for_each(|x| walk(x, doc, bad));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, doc, bad)),
                _ => {}
            }
        }
        let mut bad = Vec::new();
        walk(&doc, &doc, &mut bad);
        bad.sort();
        bad.dedup();
        assert!(bad.is_empty(), "references to schemas the document lacks (register them in types/<component>.rs): {bad:?}");
    }
}
