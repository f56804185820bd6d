//! Helpers the engine's test modules share.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{AccountId, Clock, SystemClock};
use earshot_engine::{
    AccountView, Earshot, MemorySecretStore, Notice, Notifier, NotifyError, OnAction, SecretStore,
    Services, SyncSettings, SyncState,
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

/// How the account is listed now.
pub async fn account_view(earshot: &Earshot, id: &AccountId) -> AccountView {
    earshot
        .list_accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|view| view.account.id == *id)
        .expect("the account is listed")
}

/// Waits up to `limit` for the account's sync to be in `want`, and returns how it is listed then.
pub async fn state_becomes(
    earshot: &Earshot,
    account: &AccountId,
    want: SyncState,
    limit: Duration,
) -> AccountView {
    within(
        limit,
        &format!("the account becomes {want:?}"),
        async || {
            let view = account_view(earshot, account).await;
            (view.sync.state == want).then_some(view)
        },
    )
    .await
}
