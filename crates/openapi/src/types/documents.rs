//! The documents component's request and answer types.
//!
//! The bodies of `take`, `sign/code` and `countersign` are ignored by the handlers
//! (`{}`): no request schema. `POST /api/verify` takes the PDF itself.

use super::{Schemas, Typed, add, t};

const DOC: Option<&str> = Some("Document");
const OP_DOC: Option<&str> = Some("OperatorDocument");
const VERIFIED: Option<&str> = Some("DocumentVerification");

pub const TYPES: &[Typed] = &[
    t("GET", "/api/documents", None, Some("DocumentList")),
    t("POST", "/api/documents/{document}/take", None, DOC),
    t("POST", "/api/documents/{document}/sign/code", None, Some("DocumentSignCodeSent")),
    t("POST", "/api/documents/{document}/sign", Some("DocumentSignRequest"), DOC),
    t("GET", "/api/operator/documents", None, Some("OperatorDocumentList")),
    t("POST", "/api/operator/documents", Some("NewDocument"), OP_DOC),
    t("POST", "/api/operator/documents/{document}/countersign", None, OP_DOC),
    t("POST", "/api/operator/documents/{document}/cancel", Some("DocumentCancelRequest"), OP_DOC),
    t("GET", "/api/verify", None, VERIFIED),
    t("POST", "/api/verify", None, VERIFIED),
];

pub fn register(v: &mut Schemas) {
    add::<documents::MineOut>(v);
    add::<documents::CodeSent>(v);
    add::<documents::CodeIn>(v);
    add::<documents::OperatorListOut>(v);
    add::<documents::NewIn>(v);
    add::<documents::ReasonIn>(v);
    add::<documents::VerifyOut>(v);
    add::<documents::model::OperatorDocOut>(v);
}
