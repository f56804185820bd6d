//! Secrets (account tokens) live only in the OS keyring: Secret Service on Linux, Keychain
//! on macOS, Credential Manager on Windows.
//!
//! Every call may block on D-Bus or a keyring unlock prompt: call from a blocking context
//! (`tokio::task::spawn_blocking`), never on an async worker.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Mutex;

use earshot_core::Sensitive;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "The system keyring is not available ({0}). Earshot keeps account tokens only in the \
         keyring: make sure GNOME Keyring or KWallet is running and unlocked, then try again."
    )]
    Unavailable(String),
    #[error("The system keyring refused the request: {0}")]
    Refused(String),
}

/// Where secrets are kept, keyed by a name such as `bluesky:did:plc:abc`.
pub trait SecretStore: Send + Sync + Debug {
    fn save(&self, key: &str, secret: &Sensitive<String>) -> Result<(), SecretError>;
    fn read(&self, key: &str) -> Result<Option<Sensitive<String>>, SecretError>;
    /// Deleting a secret that is not there is not an error: sign-out must always succeed.
    fn delete(&self, key: &str) -> Result<(), SecretError>;
}

/// The OS keyring, through the `keyring` crate.
#[derive(Debug, Clone)]
pub struct KeyringSecretStore {
    service: String,
}

impl KeyringSecretStore {
    /// `service` names Earshot in the keyring (its bundle identifier), so entries from tests
    /// or other installs can be told apart.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, key).map_err(classify)
    }
}

fn classify(error: keyring::Error) -> SecretError {
    match error {
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
            SecretError::Unavailable(e.to_string())
        }
        other => SecretError::Refused(other.to_string()),
    }
}

impl SecretStore for KeyringSecretStore {
    fn save(&self, key: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.entry(key)?
            .set_password(secret.expose())
            .map_err(classify)
    }

    fn read(&self, key: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}

/// Secrets in memory, for tests that must not touch a real keyring.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    secrets: Mutex<HashMap<String, Sensitive<String>>>,
}

impl MemorySecretStore {
    fn secrets(&self) -> std::sync::MutexGuard<'_, HashMap<String, Sensitive<String>>> {
        self.secrets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for MemorySecretStore {
    fn save(&self, key: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.secrets().insert(key.to_owned(), secret.clone());
        Ok(())
    }

    fn read(&self, key: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        Ok(self.secrets().get(key).cloned())
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        self.secrets().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_saves_reads_and_deletes() {
        let store = MemorySecretStore::default();
        assert!(store.read("k").expect("read").is_none());
        store
            .save("k", &Sensitive::new("s3cret".into()))
            .expect("save");
        assert_eq!(
            store.read("k").expect("read").expect("present").expose(),
            "s3cret"
        );
        store.delete("k").expect("delete");
        store.delete("k").expect("deleting twice is fine");
        assert!(store.read("k").expect("read").is_none());
    }
}
