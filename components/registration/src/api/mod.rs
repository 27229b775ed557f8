//! The requests: functions of a [`Req`] and the database, so unit tests run them
//! natively against the real migrations; the Spin entry point at the end only opens the
//! database. State is in SQLite: accounts, activation links, incarichi (this
//! component's tables), sessions and one-time codes (`access`), rate windows
//! (`common::rate`).
//!
//! This file routes and holds the helpers the areas share; one file an area:
//! [`registration`] (form and its SMS code), [`activation`], [`profile`] (and its
//! contact codes), [`incarichi`] (the three sections and the company lookup),
//! [`act_as`]. [`store`] reads people, accounts and comuni; [`codes`] sends and
//! checks one-time codes.

pub mod act_as;
pub mod activation;
mod codes;
mod incarichi;
pub mod profile;
mod registration;
mod store;

#[cfg(test)]
mod tests;

use access::Session;
use common::sql::{Db, Value};
use common::{ApiError, Reply, Req, rate};

use crate::{Route, pages};

/// The whole request.
pub fn handle(req: &Req, conn: &dyn Db) -> Reply {
    match crate::route(&req.method, &req.path) {
        Ok(route) => {
            // the activation link and its button are pages; everything else is JSON
            let page = (route == Route::ActivatePage || route == Route::Activate) && !req.wants_json();
            dispatch(&route, req, conn).unwrap_or_else(|e| if page && e.status != 405 { error_page(&e) } else { Reply::from(e) })
        }
        Err(e) => Reply::from(e),
    }
}

fn dispatch(route: &Route, req: &Req, conn: &dyn Db) -> Result<Reply, ApiError> {
    match route {
        Route::Prefill => registration::prefill(req, conn),
        Route::Register => registration::register(req, conn),
        Route::RegistrationOtp => registration::otp(req, conn),
        Route::RegistrationOtpVerify => registration::otp_verify(req, conn),
        Route::ResendActivation => activation::resend(req, conn),
        Route::ActivatePage => activation::page(req, conn),
        Route::Activate => activation::activate(req, conn),
        Route::Profile => profile::view(req, conn),
        Route::UpdateProfile => profile::update(req, conn),
        Route::ProfileOtp => profile::otp(req, conn),
        Route::ProfileOtpVerify => profile::otp_verify(req, conn),
        Route::Incarichi(section) => incarichi::list(req, conn, *section),
        Route::AddIncarico(section) => incarichi::add(req, conn, *section),
        Route::RevokeIncarico(section, id) => incarichi::revoke(req, conn, *section, *id),
        Route::Lookup => incarichi::lookup(req, conn),
        Route::ActingAs => act_as::current(req, conn),
        Route::ActAs => act_as::set(req, conn),
    }
}

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_component]
async fn serve(incoming: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
    common::http::serve_sql(incoming, out, |m, _| common::http::BodyLimit::for_method(m), handle).await
}

// ---------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------

/// Any live session (whatever the account's state) and its CSRF token: the
/// registration endpoints, which people use before their account exists.
fn session_write(req: &Req, conn: &dyn Db) -> Result<Session, ApiError> {
    access::require_write(conn, req, None)
}

use common::sql::tx;

fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

fn opt(v: Option<&str>) -> Value {
    v.map(|s| Value::Text(s.to_string())).unwrap_or(Value::Null)
}

fn redirect(location: &str) -> Reply {
    Reply::see_other(location)
}

/// Counts one hit of limit `name` for this person (`max` in `secs`); 429 (`code`, what
/// happened) with its `Retry-After` when the limit is reached.
fn rate_limit(conn: &dyn Db, req: &Req, name: &str, person_id: i64, secs: i64, max: i64, code: &'static str, what: &str) -> Result<(), ApiError> {
    rate::check(conn, &format!("{name}:{person_id}"), req.now, secs, max, code, what)
}

fn html(status: u16, title: &str, content: &str) -> Reply {
    common::page::message(status, title, content)
}

fn error_page(e: &ApiError) -> Reply {
    let (status, title, content) = pages::error(e.status, &e.message);
    html(status, title, &content)
}
