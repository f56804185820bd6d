//! The managed state every command reaches: the engine, or the reason it could not start.

use std::sync::Arc;

use earshot_core::SystemClock;
use earshot_engine::{DesktopNotifier, Earshot, KeyringSecretStore, Services, SyncSettings};
use tauri::{AppHandle, Manager};

use crate::error::IpcError;

/// Earshot's engine, or why it failed to open. A failed start still shows the window, so the
/// person reads the reason in words ("written by a newer Earshot…") instead of a crash.
#[derive(Debug)]
pub struct Backend(Result<Earshot, IpcError>);

impl Backend {
    pub fn start(app: &AppHandle) -> Self {
        let result = app
            .path()
            .app_data_dir()
            .map_err(IpcError::from)
            .and_then(|platform_dir| {
                let data_dir = earshot_engine::data_dir(platform_dir);
                tracing::info!(data_dir = %data_dir.display(), "opening Earshot's data");
                let identifier = &app.config().identifier;
                let services = Services {
                    clock: Arc::new(SystemClock),
                    secrets: Arc::new(KeyringSecretStore::new(identifier)),
                    notifier: Arc::new(DesktopNotifier::new("Earshot")),
                    runtime: tauri::async_runtime::handle().inner().clone(),
                    sync: SyncSettings::default(),
                };
                Earshot::open(&data_dir, services).map_err(IpcError::from)
            });
        match &result {
            Ok(earshot) => crate::events::forward(app.clone(), earshot),
            Err(e) => {
                tracing::error!(code = ?e.code, message = %e.message, "Earshot started without its data");
            }
        }
        Self(result)
    }

    pub fn get(&self) -> Result<&Earshot, IpcError> {
        self.0.as_ref().map_err(Clone::clone)
    }
}
