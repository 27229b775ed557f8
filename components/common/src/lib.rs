//! The shared library of the portal's components.
//!
//! Everything here is plain Rust that unit tests run natively, except [`spin`]
//! (conversions to Spin SDK types) and [`db`] (calls into Spin's SQLite).

pub mod account;
pub mod db;
pub mod error;
pub mod headers;
pub mod jobs;
#[cfg(target_arch = "wasm32")]
pub mod kv;
pub mod outbox;
pub mod page;
pub mod paging;
pub mod query;
pub mod reply;
pub mod rome;
pub mod session;
pub mod validation;
pub mod spin;

pub use error::ApiError;
pub use paging::{Page, Paging};
pub use query::Query;
pub use reply::Reply;
