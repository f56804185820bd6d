//! Daily backups of the database, and restoring one (Settings → *Restore from a backup*).
//!
//! A supervised task looks once an hour (the first time a minute after start, so start-up
//! stays quick) and makes the day's copy with SQLite's online backup API when there is none
//! yet; the store keeps the newest seven. Restoring copies a checked backup over the open
//! database and starts every account again from it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use earshot_core::Clock;
use earshot_store::Store;
use serde::Serialize;
use specta::Type;
use tokio_util::sync::CancellationToken;

use crate::earshot::blocking;
use crate::{Earshot, EngineEvent, Error, Result};

const FIRST_LOOK: Duration = Duration::from_secs(60);
const LOOK_EVERY: Duration = Duration::from_secs(60 * 60);

/// A backup as Settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupView {
    /// The day it was taken, `YYYY-MM-DD`; also its name for [`Earshot::restore_backup`].
    pub day: String,
    /// Its size in words ("340 KB").
    pub size: String,
}

/// Stops the backup task when dropped.
#[derive(Debug)]
pub(crate) struct BackupsHandle(CancellationToken);

impl Drop for BackupsHandle {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

pub(crate) fn spawn(
    runtime: &tokio::runtime::Handle,
    store: Arc<Store>,
    data_dir: PathBuf,
    clock: Arc<dyn Clock>,
    events: tokio::sync::broadcast::Sender<EngineEvent>,
) -> BackupsHandle {
    let cancel = CancellationToken::new();
    crate::supervisor::supervise(
        runtime,
        "daily backups",
        cancel.clone(),
        move || {
            let (store, data_dir, clock) =
                (Arc::clone(&store), data_dir.clone(), Arc::clone(&clock));
            async move {
                tokio::time::sleep(FIRST_LOOK).await;
                loop {
                    let (store, folder, now) = (Arc::clone(&store), data_dir.clone(), clock.now());
                    let made = blocking(move || Ok(store.back_up(&folder, now)?)).await;
                    match made {
                        Ok(Some(backup)) => {
                            tracing::info!(path = %backup.path.display(), "made today's backup");
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "could not make today's backup"),
                    }
                    tokio::time::sleep(LOOK_EVERY).await;
                }
            }
        },
        crate::supervisor::tell_ui(events, "daily backups"),
    );
    BackupsHandle(cancel)
}

impl Earshot {
    /// The backups there are, newest first.
    pub fn list_backups(&self) -> Vec<BackupView> {
        earshot_store::backups(&self.data_dir)
            .into_iter()
            .map(|backup| BackupView {
                day: backup.day,
                size: earshot_core::plan::size_words(
                    usize::try_from(backup.bytes).unwrap_or(usize::MAX),
                ),
            })
            .collect()
    }

    /// Goes back to the backup of `day`: its data replaces the database's, and every account
    /// starts again from it.
    pub async fn restore_backup(&self, day: String) -> Result<()> {
        let backup = earshot_store::backups(&self.data_dir)
            .into_iter()
            .find(|backup| backup.day == day)
            .ok_or_else(|| Error::Invalid(format!("There is no backup from {day}.")))?;
        let store = Arc::clone(&self.store);
        blocking(move || Ok(store.restore(&backup.path)?)).await?;
        tracing::info!(%day, "restored a backup");
        self.running().clear();
        let accounts = self.with_store(|store| store.list_accounts()).await?;
        for account in accounts {
            let id = account.id.clone();
            self.start(account)?;
            self.emit(EngineEvent::InboxChanged {
                account: id.clone(),
            });
            self.emit(EngineEvent::AccountChanged { account: id });
        }
        self.emit(EngineEvent::OwedChanged);
        self.emit(EngineEvent::PlanChanged);
        self.scheduler.wake();
        Ok(())
    }
}
