//! The records component's request and answer types. The sections' rows and bodies are
//! data-driven (`records::sections`): their schemas are generated from the same
//! declarations (`records::schema`).
//!
//! No row for `GET /api/operator/records/sap` and `…/libretto`: they answer the PDF (as
//! `GET /api/records/sap/pdf` does), not JSON, though `ops` says `J0` (to change there).

use super::{Schemas, Typed, add, add_page, t};

const EXPERIENCE: Option<&str> = Some("RecordExperience");
const EXPERIENCE_IN: Option<&str> = Some("RecordExperienceRequest");
const COURSE: Option<&str> = Some("Course");
const COURSE_IN: Option<&str> = Some("CourseRequest");
const PRINT: Option<&str> = Some("RecordPrint");

pub const TYPES: &[Typed] = &[
    t("GET", "/api/records/activities", None, Some("RecordActivityPage")),
    t("GET", "/api/records/gg", None, Some("RecordGgActivityPage")),
    t("GET", "/api/records/courses", None, Some("CoursePage")),
    t("GET", "/api/records/sap", None, PRINT),
    t("GET", "/api/records/libretto", None, PRINT),
    t("GET", "/api/operator/records", None, Some("OperatorRecord")),
    t("GET", "/api/operator/records/reference", None, Some("RecordReference")),
    t("POST", "/api/operator/records/admin", Some("RecordAdminRequest"), Some("RecordAdminSaved")),
    t("POST", "/api/operator/records/experiences", EXPERIENCE_IN, EXPERIENCE),
    t("POST", "/api/operator/records/experiences/{record}", EXPERIENCE_IN, EXPERIENCE),
    t("POST", "/api/operator/records/experiences/{record}/delete", None, Some("RecordRowDeleted")),
    t("GET", "/api/operator/courses", None, Some("CoursePage")),
    t("POST", "/api/operator/courses", COURSE_IN, COURSE),
    t("POST", "/api/operator/courses/{course}", COURSE_IN, COURSE),
];

pub fn register(v: &mut Schemas) {
    add_page::<records::ActivityOut>("RecordActivityPage", v);
    add_page::<records::GgOut>("RecordGgActivityPage", v);
    add_page::<records::CourseOut>("CoursePage", v);
    add::<records::docs::Print>(v);
    add::<records::RecordOut>(v);
    add::<records::ReferenceOut>(v);
    add::<records::AdminOut>(v);
    add::<records::Deleted>(v);
    v.extend(records::schema::all());
}
