//! Helpers the engine's test modules share.

use std::time::Duration;

use earshot_engine::{Notice, Notifier, NotifyError};

/// A notifier that shows nothing, for tests that are not about notifications.
#[derive(Debug, Default)]
pub struct SilentNotifier;

impl Notifier for SilentNotifier {
    fn show(&self, _notice: &Notice) -> Result<(), NotifyError> {
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
