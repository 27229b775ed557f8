//! The plumbing every component shares: requests with bounded bodies ([`http`]), replies
//! and JSON errors, SQL through one trait ([`sql`]), rate limits, paging, query strings,
//! Rome time, secrets, scheduled-job credentials and Italian input validation.
//!
//! Everything here runs natively in unit tests; only the Spin bindings inside [`http`]
//! (`serve`) and [`sql`] (`open`) are compiled for the component alone.

pub mod error;
pub mod headers;
pub mod http;
pub mod jobs;
pub mod kv;
pub mod page;
pub mod paging;
pub mod query;
pub mod rate;
pub mod reply;
pub mod rome;
pub mod sql;
pub mod token;
pub mod validation;

pub use error::ApiError;
pub use http::Req;
pub use paging::{Page, Paging};
pub use query::Query;
pub use reply::Reply;
