//! A3: acting for a company of one of the person's incarichi (in the session).

use common::session;
use common::{ApiError, Reply, account};
use serde::Deserialize;
use serde_json::json;
use spin_sdk::http::Request;
use spin_sdk::sqlite::Connection;

use super::incarichi::incarichi;
use crate::json_body;

/// `GET /api/session/act-as`: whom the session acts for, and the options.
pub(super) fn current(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let s = account::require_active(req)?;
    let options = incarichi(conn, s.person_id, None)?;
    Reply::json(200, &json!({ "acting_as": s.acting_as, "options": options }))
}

#[derive(Debug, Default, Deserialize)]
struct ActAsIn {
    company_id: Option<i64>,
    citizen: Option<bool>,
}

/// `POST /api/session/act-as`: act for a company of an incarico, or as a citizen again.
pub(super) fn set(req: &Request, conn: &Connection) -> Result<Reply, ApiError> {
    let (sid, mut s) = account::require_active_with_id(req)?;
    account::check_csrf(req, &s, None)?;
    let input: ActAsIn = json_body(req.body())?;
    s.acting_as = match (input.citizen, input.company_id) {
        (Some(true), _) => None,
        (_, Some(company_id)) => {
            let (company, _role) = account::incarico(conn, s.person_id, company_id)?.ok_or_else(|| {
                eprintln!("registration: person {} refused acting for company {company_id} (no incarico)", s.person_id);
                account::incarico_required()
            })?;
            Some(company)
        }
        _ => {
            return Err(ApiError::bad_request(
                "invalid_request",
                "Indica l'azienda per cui vuoi operare (company_id) oppure {\"citizen\": true} per tornare a operare come cittadino.",
            ));
        }
    };
    session::save(&sid, &s)?;
    Reply::json(200, &json!({ "acting_as": s.acting_as }))
}
