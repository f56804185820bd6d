//! Helpers the engine's test modules share.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{Clock, SystemClock};
use earshot_engine::{
    Earshot, MemorySecretStore, Notice, Notifier, NotifyError, OnAction, SecretStore, Services,
    SyncSettings,
};

/// A notifier that shows nothing, for tests that are not about notifications.
#[derive(Debug, Default)]
pub struct SilentNotifier;

impl Notifier for SilentNotifier {
    fn show(&self, _notice: &Notice, _on_action: OnAction) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// An engine on `dir` with the real clock, secrets in `secrets` and silent notifications.
pub fn engine_with(
    dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    sync: SyncSettings,
) -> Earshot {
    engine_on(
        dir,
        secrets,
        sync,
        Arc::new(SystemClock),
        Arc::new(SilentNotifier),
    )
}

/// An engine on `dir` with the given clock and notifier.
pub fn engine_on(
    dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    sync: SyncSettings,
    clock: Arc<dyn Clock>,
    notifier: Arc<dyn Notifier>,
) -> Earshot {
    let services = Services {
        clock,
        secrets: Arc::clone(secrets) as Arc<dyn SecretStore>,
        notifier,
        runtime: tokio::runtime::Handle::current(),
        sync,
    };
    Earshot::open(dir.path(), services).expect("open")
}

/// A notifier that keeps what it was asked to show.
#[derive(Debug, Default)]
pub struct RecordingNotifier(std::sync::Mutex<Vec<Notice>>);

impl RecordingNotifier {
    pub fn notices(&self) -> Vec<Notice> {
        self.0.lock().expect("notices").clone()
    }
}

impl Notifier for RecordingNotifier {
    fn show(&self, notice: &Notice, _on_action: OnAction) -> Result<(), NotifyError> {
        self.0.lock().expect("notices").push(notice.clone());
        Ok(())
    }
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `limit`.
pub async fn within<T, F: AsyncFnMut() -> Option<T>>(
    limit: Duration,
    what: &str,
    mut check: F,
) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One test at a time talks to the notification daemon: each reads every `Notify` call on
/// the bus, and would see another test's.
pub static NOTIFICATION_DAEMON: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
