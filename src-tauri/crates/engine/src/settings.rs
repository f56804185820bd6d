//! Settings kept with the data: JSON in the store's `settings` table, one row per key, and a
//! copy in memory that the tasks read.

use std::sync::{Mutex, MutexGuard};

use earshot_store::Store;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Earshot, Error, Result};

/// Quiet hours, direct questions, the pause (`NotificationSettings`).
pub(crate) const NOTIFICATIONS: &str = "notifications";
/// The hold rule and the grace window for late posts (`PlanSettings`).
pub(crate) const PLANNING: &str = "planning";
/// The Report's answer window (`ReportSettings`).
pub(crate) const REPORT: &str = "report";
/// How often Bluesky direct messages are read (`ChatSettings`).
pub(crate) const CHAT: &str = "chat";
/// Whether the alerts task is holding questions for a digest (a bool), so that a digest
/// survives a restart between the quiet hours and their end.
pub(crate) const HOLDING: &str = "alerts.holding";
/// The first-run guide's progress (`GuideProgress`).
pub(crate) const GUIDE: &str = "guide";
/// The Monday (`"YYYY-MM-DD"`) of the last week the weekly digest went out for.
pub(crate) const DIGEST_SENT_FOR: &str = "alerts.digest_sent_for";

/// The saved value, or the defaults when none was saved (or it cannot be read: a broken
/// settings row must not keep Earshot from starting).
pub(crate) fn load<T: DeserializeOwned + Default>(store: &Store, key: &str) -> T {
    match store.setting(key) {
        Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!(key, error = %e, "unreadable settings; using the defaults");
            T::default()
        }),
        Ok(None) => T::default(),
        Err(e) => {
            tracing::warn!(key, error = %e, "could not read settings");
            T::default()
        }
    }
}

/// The in-memory copy. Holds plain values: a panic elsewhere cannot leave it half-written.
pub(crate) fn lock<T>(settings: &Mutex<T>) -> MutexGuard<'_, T> {
    settings
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Earshot {
    /// Writes `value` under `key`.
    pub(crate) async fn save_setting<T: Serialize>(
        &self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let json = serde_json::to_string(value)
            .map_err(|e| Error::Invalid(format!("Could not save the settings: {e}")))?;
        self.with_store(move |store| store.save_setting(key, &json))
            .await
    }
}
