//! The OpenAPI schemas of the record's sections (the `openapi` feature, for
//! `crates/openapi`): generated from the very declarations in [`crate::sections`] that
//! [`crate::sections::validate`] checks a body against and [`crate::sections::row_json`]
//! writes a row with, so a new field is in the document as soon as it is in the code.

use std::borrow::Cow;

use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::sections::{ADMIN_FIELDS, COURSE_FIELDS, Field, Kind, SECTIONS, section};

fn of(types: &[Type]) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter(types.iter().cloned()))
}

/// A field as `row_json` writes it: every field present, null when empty.
fn answer_field(f: &Field) -> ObjectBuilder {
    let t = match f.kind {
        Kind::Text(_) | Kind::Day | Kind::DayTime | Kind::Ref(_) => Type::String,
        Kind::Int(..) | Kind::Course => Type::Integer,
        Kind::Flag => Type::Boolean,
    };
    of(&[t, Type::Null]).description(Some(f.label))
}

/// A day `common::rome::parse_day` reads (stricter: the 29th to 31st left out, so that
/// generated examples are real days).
const DAY: &str = "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])";

/// A field as `validate` accepts it: a required field must be given (and not blank),
/// an optional one may be null; the bounds are those `validate` checks.
fn request_field(f: &Field) -> ObjectBuilder {
    let types = |t: Type| if f.required { vec![t] } else { vec![t, Type::Null] };
    let b = match f.kind {
        Kind::Text(max) => of(&types(Type::String)).max_length(Some(max)).min_length(f.required.then_some(1)),
        Kind::Day => of(&types(Type::String)).pattern(Some(format!("^{DAY}$"))),
        Kind::DayTime => of(&types(Type::String)).pattern(Some(format!("^{DAY}[T ]([01][0-9]|2[0-3]):[0-5][0-9]$"))),
        Kind::Int(lo, hi) => of(&types(Type::Integer)).minimum(Some(lo)).maximum(Some(hi)),
        Kind::Flag => of(&types(Type::Boolean)),
        Kind::Ref(list) => of(&types(Type::String)).description(Some(format!("{}: a code of `lists.{list}` (`GET /api/operator/records/reference`)", f.label))),
        Kind::Course => of(&types(Type::Integer)).minimum(Some(1)).description(Some(format!("{}: the id of a course of the catalogue", f.label))),
    };
    if matches!(f.kind, Kind::Ref(_) | Kind::Course) { b } else { b.description(Some(f.label)) }
}

/// A row as answered: `id` (when `with_id`) and every field.
pub fn answer(fields: &[Field], with_id: bool) -> Schema {
    let mut b = ObjectBuilder::new().schema_type(SchemaType::Type(Type::Object));
    if with_id {
        b = b.property("id", of(&[Type::Integer]).minimum(Some(1))).required("id");
    }
    for f in fields {
        b = b.property(f.name, answer_field(f)).required(f.name);
    }
    Schema::Object(b.build())
}

/// A body `validate` accepts: no other key (a 400), the required fields given.
pub fn request(fields: &[Field]) -> Schema {
    let mut b = ObjectBuilder::new().schema_type(SchemaType::Type(Type::Object)).additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
    for f in fields {
        b = b.property(f.name, request_field(f));
        if f.required {
            b = b.required(f.name);
        }
    }
    Schema::Object(b.build())
}

macro_rules! generated {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $schema:expr) => {
        $(#[$doc])*
        pub struct $ty;
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                RefOr::T($schema)
            }
        }
        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

fn section_fields(key: &str) -> &'static [Field] {
    section(key).expect("a declared section").fields
}

generated!(
    /// The administrative state as answered (`ADMIN_FIELDS`).
    AdminValues,
    "RecordAdmin",
    answer(ADMIN_FIELDS, false)
);
generated!(
    /// The body of `POST /api/operator/records/admin`.
    AdminRequest,
    "RecordAdminRequest",
    request(ADMIN_FIELDS)
);
generated!(
    /// A row of the section `experiences` as answered.
    ExperienceRow,
    "RecordExperience",
    answer(section_fields("experiences"), true)
);
generated!(
    /// The body that adds or replaces a row of `experiences`.
    ExperienceRequest,
    "RecordExperienceRequest",
    request(section_fields("experiences"))
);
generated!(
    /// The body that adds or changes a course of the catalogue.
    CourseRequest,
    "CourseRequest",
    request(COURSE_FIELDS)
);
generated!(
    /// Every section's rows, by the section's key.
    SectionRows,
    "RecordSections",
    {
        let mut b = ObjectBuilder::new().schema_type(SchemaType::Type(Type::Object));
        for s in SECTIONS {
            let rows = ArrayBuilder::new().items(RefOr::T(answer(s.fields, true))).description(Some(s.title));
            b = b.property(s.key, rows).required(s.key);
        }
        Schema::Object(b.build())
    }
);

/// Every generated schema, by name.
pub fn all() -> Vec<(String, RefOr<Schema>)> {
    fn one<T: ToSchema>() -> (String, RefOr<Schema>) {
        (T::name().into_owned(), T::schema())
    }
    vec![one::<AdminValues>(), one::<AdminRequest>(), one::<ExperienceRow>(), one::<ExperienceRequest>(), one::<CourseRequest>(), one::<SectionRows>()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_field_is_in_the_schemas() {
        let json = |s: Schema| serde_json::to_value(s).unwrap();
        let rows = json(answer(section_fields("experiences"), true));
        for f in section_fields("experiences") {
            assert!(rows["properties"][f.name].is_object(), "{}", f.name);
        }
        let req = json(request(COURSE_FIELDS));
        assert_eq!(req["additionalProperties"], false);
        assert_eq!(req["required"].as_array().unwrap().len(), COURSE_FIELDS.iter().filter(|f| f.required).count());
        assert_eq!(req["properties"]["title"]["maxLength"], 200);
        let all = json(match SectionRows::schema() {
            RefOr::T(s) => s,
            RefOr::Ref(_) => unreachable!(),
        });
        assert_eq!(all["properties"].as_object().unwrap().len(), SECTIONS.len());
    }
}
