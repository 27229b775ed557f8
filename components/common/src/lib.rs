//! The shared library of the portal's components.
//!
//! Everything here is plain Rust that unit tests run natively; only [`spin`] touches
//! the Spin SDK, to turn these values into Spin responses.

pub mod error;
pub mod headers;
pub mod spin;

pub use error::ApiError;
