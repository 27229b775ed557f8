//! The Spin handler: reads the request, calls the logic in the crate's modules, keeps
//! state in SQLite (accounts, activation links, incarichi, OTP guess counters) and in
//! key-value (sessions, OTP codes, verified numbers, rate limits).
//!
//! This file routes and holds the helpers the areas share; one file an area:
//! [`registration`] (form and its SMS code), [`activation`], [`profile`] (and its
//! contact codes), [`incarichi`] (the three sections and the company lookup),
//! [`act_as`]. [`store`] reads people, accounts and comuni; [`codes`] sends and
//! checks one-time codes.

mod act_as;
mod activation;
mod codes;
mod incarichi;
mod profile;
mod registration;
mod store;

use common::session::{self, Session};
use common::{ApiError, Reply, account, db, kv};
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, Value};

use crate::otp::Limits;
use crate::{Route, pages, rate};

fn var(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok().filter(|v| !v.trim().is_empty())
}

fn num(name: &str, default: u32) -> i64 {
    i64::from(common::spin::number_variable(name, default))
}

fn limits() -> Limits {
    Limits {
        ttl_secs: num("otp_ttl_seconds", 600),
        resend_secs: num("otp_resend_seconds", 60),
        max_per_hour: num("otp_max_per_hour", 5) as u32,
        max_attempts: num("otp_max_attempts", 5) as u32,
        verified_secs: 3600,
    }
}

// ---------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------

#[http_component]
fn handle(req: Request) -> Response {
    let method = req.method().to_string();
    let path = req.path().to_string();
    let reply = match crate::route(&method, &path) {
        Ok(route) => {
            // the activation link and its button are pages; everything else is JSON
            let page = route == Route::ActivatePage || (route == Route::Activate && !is_json(&req));
            dispatch(&route, &req).unwrap_or_else(|e| if page && e.status != 405 { error_page(&e) } else { Reply::from(e) })
        }
        Err(e) => Reply::from(e),
    };
    reply.into()
}

fn dispatch(route: &Route, req: &Request) -> Result<Reply, ApiError> {
    let conn = db::open()?;
    match route {
        Route::Prefill => registration::prefill(req, &conn),
        Route::Register => registration::register(req, &conn),
        Route::RegistrationOtp => registration::otp(req, &conn),
        Route::RegistrationOtpVerify => registration::otp_verify(req, &conn),
        Route::ResendActivation => activation::resend(req, &conn),
        Route::ActivatePage => activation::page(req, &conn),
        Route::Activate => activation::activate(req, &conn),
        Route::Profile => profile::view(req, &conn),
        Route::UpdateProfile => profile::update(req, &conn),
        Route::ProfileOtp => profile::otp(req, &conn),
        Route::ProfileOtpVerify => profile::otp_verify(req, &conn),
        Route::Incarichi(section) => incarichi::list(req, &conn, *section),
        Route::AddIncarico(section) => incarichi::add(req, &conn, *section),
        Route::RevokeIncarico(section, id) => incarichi::revoke(req, &conn, *section, *id),
        Route::Lookup => incarichi::lookup(req, &conn),
        Route::ActingAs => act_as::current(req, &conn),
        Route::ActAs => act_as::set(req, &conn),
    }
}

// ---------------------------------------------------------------------------------
// Sessions and small helpers
// ---------------------------------------------------------------------------------

/// Any live session (whatever the account's state) and its CSRF token: the
/// registration endpoints, which people use before their account exists.
fn session_write(req: &Request) -> Result<(String, Session), ApiError> {
    let (id, s) = account::current(req)?.ok_or_else(session::unauthenticated)?;
    account::check_csrf(req, &s, None)?;
    Ok((id, s))
}

use common::db::tx;
use common::spin::is_json;

fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

fn opt(v: Option<&str>) -> Value {
    v.map(|s| Value::Text(s.to_string())).unwrap_or(Value::Null)
}

fn redirect(location: &str) -> Reply {
    Reply::see_other(location)
}

fn with_retry_after(e: ApiError, secs: i64) -> Reply {
    let mut r = Reply::from(e);
    r.headers.push(("retry-after", secs.max(1).to_string()));
    r
}

/// Counts one hit of limit `name` for this person (`max` in `secs`); `Err` holds the
/// 429 reply (`code`, `what` happened) with its `Retry-After` when the limit is reached.
fn rate_limit(name: &str, person_id: i64, secs: i64, max: u32, code: &'static str, what: &str) -> Result<Result<(), Reply>, ApiError> {
    let key = rate::key(name, person_id);
    let prev: Option<rate::Window> = kv::get_json(&key)?;
    match rate::hit(prev, common::rome::unix_now(), secs, max) {
        Ok(w) => {
            kv::set_json(&key, &w)?;
            Ok(Ok(()))
        }
        Err(wait) => Ok(Err(with_retry_after(rate::too_many(code, what, wait), wait))),
    }
}

fn html(status: u16, title: &str, content: &str) -> Reply {
    common::spin::message_page(status, title, content)
}

fn error_page(e: &ApiError) -> Reply {
    let (status, title, content) = pages::error(e.status, &e.message);
    html(status, title, &content)
}
