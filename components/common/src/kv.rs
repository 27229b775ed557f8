//! Spin's key-value store (`default`) with JSON values; failures become logged 500s.

use serde::Serialize;
use serde::de::DeserializeOwned;
use spin_sdk::key_value::Store;

use crate::ApiError;

pub fn open() -> Result<Store, ApiError> {
    Store::open_default().map_err(|e| ApiError::internal(format!("kv open: {e}")))
}

/// The raw value of `key`, if any.
pub fn get(key: &str) -> Result<Option<Vec<u8>>, ApiError> {
    open()?.get(key).map_err(|e| ApiError::internal(format!("kv get {key}: {e}")))
}

/// The JSON value of `key`; `None` when absent or unreadable.
pub fn get_json<T: DeserializeOwned>(key: &str) -> Result<Option<T>, ApiError> {
    Ok(get(key)?.and_then(|raw| serde_json::from_slice(&raw).ok()))
}

pub fn set_json(key: &str, value: &impl Serialize) -> Result<(), ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    open()?.set(key, &body).map_err(|e| ApiError::internal(format!("kv set {key}: {e}")))
}

pub fn delete(key: &str) -> Result<(), ApiError> {
    open()?.delete(key).map_err(|e| ApiError::internal(format!("kv delete {key}: {e}")))
}
