//! Earshot's running parts, without Tauri: the app context the shell manages, the OS keyring
//! behind [`SecretStore`], and OS notifications behind [`Notifier`].
//!
//! The shell builds one [`Earshot`] at start-up and delegates every IPC command to it.

mod accounts;
mod earshot;
pub mod notifications;
pub mod secrets;

pub use accounts::{DEFAULT_BLUESKY_SERVICE, SignedIn};
pub use earshot::{AppStatus, Earshot, Error, KeyringStatus, Result, Services, data_dir};
pub use notifications::{DesktopNotifier, Notice, Notifier, NotifyError};
pub use secrets::{KeyringSecretStore, MemorySecretStore, SecretError, SecretStore};
