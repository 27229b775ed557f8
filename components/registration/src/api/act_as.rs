//! A3: acting for a company of one of the person's incarichi (in the session).

use access::session;
use common::sql::Db;
use common::{ApiError, Reply, Req};
use serde::Deserialize;

use super::incarichi::incarichi;
use crate::views::{ActingAsNow, ActingAsOptions};

/// `GET /api/session/act-as`: whom the session acts for, and the options.
pub(super) fn current(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active(conn, req)?;
    let options = incarichi(conn, s.person_id, None)?;
    Reply::json(200, &ActingAsOptions { acting_as: s.acting_as, options })
}

/// The body of `POST /api/session/act-as`: `company_id` (a company of an incarico) or
/// `{"citizen": true}`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActAsIn {
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    company_id: Option<i64>,
    citizen: Option<bool>,
}

/// `POST /api/session/act-as`: act for a company of an incarico, or as a citizen again.
pub(super) fn set(req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    let s = access::require_active_write(conn, req, None)?;
    let input: ActAsIn = req.json()?;
    let acting_as = match (input.citizen, input.company_id) {
        (Some(true), _) => None,
        (_, Some(company_id)) => {
            let (company, _role) = access::guard::incarico(conn, s.person_id, company_id)?.ok_or_else(|| {
                eprintln!("registration: person {} refused acting for company {company_id} (no incarico)", s.person_id);
                access::guard::incarico_required()
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
    // one statement on its own column: a concurrent refresh cannot undo it
    session::set_acting(conn, &s, acting_as.as_ref().map(|a| a.company_id))?;
    Reply::json(200, &ActingAsNow { acting_as })
}
