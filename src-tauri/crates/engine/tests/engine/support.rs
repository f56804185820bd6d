//! Helpers the engine's test modules share.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::SystemClock;
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
    let services = Services {
        clock: Arc::new(SystemClock),
        secrets: Arc::clone(secrets) as Arc<dyn SecretStore>,
        notifier: Arc::new(SilentNotifier),
        runtime: tokio::runtime::Handle::current(),
        sync,
    };
    Earshot::open(dir.path(), services).expect("open")
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
