//! SAML 2.0 for SPID and CIE: keys, XML signatures, SP metadata, authentication
//! requests, the Redirect binding, IdP metadata and response validation.
//!
//! Pure Rust (builds for `wasm32-wasip2`), no I/O: callers pass configuration, the
//! current time and the stored request state.

pub mod authn;
pub mod dsig;
pub mod idp;
pub mod issue;
pub mod keys;
pub mod logout;
pub mod metadata;
pub mod response;
pub mod xml;

pub use keys::{SigAlg, SigningKey, TrustedCert};
