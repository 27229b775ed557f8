//! Spin's key-value store behind a small trait, [`Kv`], implemented for the `default`
//! store (in the component) and in memory ([`MemKv`], native tests). Values are JSON.
//!
//! Spin's key-value API has no expiry and no atomic operations: records carry their
//! own deadline, a cleanup job removes expired ones, and nothing that is counted or
//! claimed lives here (see `common::rate`, `sessions` in SQLite).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ApiError;

pub trait Kv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ApiError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), ApiError>;
    fn delete(&self, key: &str) -> Result<(), ApiError>;
    /// Every key of the store (the cleanup job; Spin has no prefix listing).
    fn keys(&self) -> Result<Vec<String>, ApiError>;
}

/// The JSON value of `key`; `None` when absent or unreadable.
pub fn get_json<T: DeserializeOwned>(kv: &dyn Kv, key: &str) -> Result<Option<T>, ApiError> {
    Ok(kv.get(key)?.and_then(|raw| serde_json::from_slice(&raw).ok()))
}

pub fn set_json(kv: &dyn Kv, key: &str, value: &impl Serialize) -> Result<(), ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    kv.set(key, &body)
}

/// A store in memory, for native tests.
#[derive(Debug, Default)]
pub struct MemKv(std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>);

impl MemKv {
    fn map(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, Vec<u8>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Kv for MemKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
        Ok(self.map().get(key).cloned())
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), ApiError> {
        self.map().insert(key.to_string(), value.to_vec());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), ApiError> {
        self.map().remove(key);
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>, ApiError> {
        Ok(self.map().keys().cloned().collect())
    }
}

#[cfg(target_arch = "wasm32")]
mod spin_impl {
    use spin_sdk::key_value::Store;

    use super::*;

    impl Kv for Store {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
            Store::get(self, key).map_err(|e| ApiError::internal(format!("kv get {key}: {e}")))
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), ApiError> {
            Store::set(self, key, value).map_err(|e| ApiError::internal(format!("kv set {key}: {e}")))
        }
        fn delete(&self, key: &str) -> Result<(), ApiError> {
            Store::delete(self, key).map_err(|e| ApiError::internal(format!("kv delete {key}: {e}")))
        }
        fn keys(&self) -> Result<Vec<String>, ApiError> {
            Store::get_keys(self).map_err(|e| ApiError::internal(format!("kv keys: {e}")))
        }
    }

    /// The `default` store.
    pub fn open() -> Result<Store, ApiError> {
        Store::open_default().map_err(|e| ApiError::internal(format!("kv open: {e}")))
    }
}

#[cfg(target_arch = "wasm32")]
pub use spin_impl::open;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store() {
        let kv = MemKv::default();
        set_json(&kv, "a", &serde_json::json!({"x": 1})).unwrap();
        assert_eq!(get_json::<serde_json::Value>(&kv, "a").unwrap().unwrap()["x"], 1);
        kv.set("b", b"not json").unwrap();
        assert_eq!(get_json::<serde_json::Value>(&kv, "b").unwrap(), None);
        assert_eq!(kv.keys().unwrap(), ["a", "b"]);
        kv.delete("a").unwrap();
        assert_eq!(kv.get("a").unwrap(), None);
    }
}
