//! One-time codes of registration and profile: the message each channel sends, over
//! `access::otp` (which keeps, limits and checks them), and the code inside a form.

use access::otp::{self, Channel, Limits};
use common::sql::Db;
use common::validation::Fields;
use common::{ApiError, Reply, Req};
use outbox::Message;

use crate::views::{CodeSent, CodeVerified};

/// Sends a new code to `target` (429 with `Retry-After` when too soon or too often).
pub(super) fn send(req: &Req, conn: &dyn Db, person_id: i64, name: &str, channel: Channel, target: &str) -> Result<Reply, ApiError> {
    let l = Limits::from_req(req);
    let msg = match channel {
        Channel::Sms => Message::new(outbox::Channel::Sms, target, outbox::OTP),
        Channel::Email => Message::new(outbox::Channel::Email, target, outbox::OTP).param("name", name),
    };
    otp::send(conn, person_id, channel, target, msg, req.now, l)?;
    Reply::json(200, &CodeSent { channel: channel.as_str(), sent_to: target.to_string(), expires_in: l.ttl_secs, resend_in: l.resend_secs })
}

/// Checks a code for `target`; on success the target stays verified for a while.
pub(super) fn verify(req: &Req, conn: &dyn Db, person_id: i64, channel: Channel, target: &str, code: &str) -> Result<(), ApiError> {
    otp::verify(conn, person_id, channel, target, code, req.now, Limits::from_req(req))
}

/// The code in a form: fine when `target` was verified already, else checks `code`
/// and records a problem under `field`.
#[allow(clippy::too_many_arguments)]
pub(super) fn in_form(req: &Req, conn: &dyn Db, person_id: i64, channel: Channel, target: &str, code: Option<&str>, field: &str, f: &mut Fields) -> Result<(), ApiError> {
    if otp::is_verified(conn, person_id, channel, target, req.now)? {
        return Ok(());
    }
    let code = code.map(str::trim).unwrap_or("");
    if code.is_empty() {
        f.add(field, "required", crate::contact::missing_code(channel));
        return Ok(());
    }
    match verify(req, conn, person_id, channel, target, code) {
        Ok(()) => Ok(()),
        Err(e) if e.status < 500 => {
            f.add(field, e.code, e.message);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The reply to a code that matched.
pub(super) fn verified_reply(channel: Channel, target: &str) -> Result<Reply, ApiError> {
    Reply::json(200, &CodeVerified { verified: true, channel: channel.as_str(), target: target.to_string() })
}
