//! The per-account sync task: polls on an interval, runs a round on command, backs off after
//! failures, and stops when its handle is dropped.
//!
//! The task owns its account's client (through the round it runs). Its loop:
//! - a ticker with `MissedTickBehavior::Skip`, so a laptop waking from sleep runs one round,
//!   not a burst of missed ones;
//! - after a failure, ticks are ignored until a capped, jittered, exponential delay has
//!   passed (or until the server's rate-limit reset); the first success resets it;
//! - when the server refuses the saved session, the task parks: no retries until the person
//!   signs in again (which starts a new task) — a revoked app password causes no retry storm.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use earshot_core::{AccountId, Clock};
use earshot_net::bluesky::XrpcError;
use earshot_net::mastodon::MastodonError;
use earshot_store::Store;
use futures_util::FutureExt as _;
use tokio::sync::{broadcast, mpsc};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::earshot::on_store;
use crate::{EngineEvent, Error, Result};

/// Never wait longer than this between attempts after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// What a successful round changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RoundReport {
    /// New Inbox items.
    pub added: usize,
    /// Inbox items that became answered.
    pub answered: usize,
    /// Whether posts deleted on the server left the Inbox (or made an item owed again).
    pub forgot_deleted: bool,
}

/// One network's sync of one account.
pub(crate) trait AccountSync: Send + 'static {
    fn round(&mut self) -> impl Future<Output = Result<RoundReport>> + Send;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyncCommand {
    /// Run a round now, even while backing off.
    SyncNow,
}

/// Exponential backoff with jitter: base, 2×base, 4×base… capped, each scaled by a random
/// factor in [0.5, 1] so that many clients failing together do not retry together.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Backoff {
    pub(crate) fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            failures: 0,
        }
    }

    pub(crate) fn next_delay(&mut self) -> Duration {
        let exponential = self
            .base
            .saturating_mul(2u32.saturating_pow(self.failures.min(16)));
        self.failures += 1;
        exponential
            .min(self.cap)
            .mul_f64(0.5 + fastrand::f64() / 2.0)
    }

    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}

/// A running sync task. Dropping the handle stops the task.
#[derive(Debug)]
pub(crate) struct SyncHandle {
    commands: mpsc::Sender<SyncCommand>,
    cancel: CancellationToken,
    syncing: Arc<AtomicBool>,
}

/// Asks a sync task for a round, from another task (e.g. a stream that reconnected).
#[derive(Debug, Clone)]
pub(crate) struct SyncRequester(mpsc::Sender<SyncCommand>);

impl SyncRequester {
    pub(crate) fn sync_now(&self) {
        // A full queue already holds a request for a round: nothing is lost.
        let _ = self.0.try_send(SyncCommand::SyncNow);
    }
}

impl SyncHandle {
    pub(crate) fn sync_now(&self) {
        self.requester().sync_now();
    }

    pub(crate) fn requester(&self) -> SyncRequester {
        SyncRequester(self.commands.clone())
    }

    /// Is a round running right now?
    pub(crate) fn is_syncing(&self) -> bool {
        self.syncing.load(Ordering::Relaxed)
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// What a sync task needs besides its round.
#[derive(Debug, Clone)]
pub(crate) struct TaskContext {
    pub account: AccountId,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub events: broadcast::Sender<EngineEvent>,
    pub poll_interval: Duration,
    pub runtime: tokio::runtime::Handle,
    pub faults: crate::Faults,
    /// Set while the account's stream is connected (Mastodon): ticks are skipped then,
    /// down to one round every `poll_while_streaming`.
    pub streaming: Option<Arc<AtomicBool>>,
    pub poll_while_streaming: Duration,
}

pub(crate) fn spawn(sync: impl AccountSync, context: TaskContext) -> SyncHandle {
    let (commands, receiver) = mpsc::channel(1);
    let cancel = CancellationToken::new();
    let syncing = Arc::new(AtomicBool::new(false));
    let task = Task {
        context: context.clone(),
        commands: receiver,
        cancel: cancel.clone(),
        syncing: Arc::clone(&syncing),
    };
    context.runtime.spawn(task.run(sync));
    SyncHandle {
        commands,
        cancel,
        syncing,
    }
}

struct Task {
    context: TaskContext,
    commands: mpsc::Receiver<SyncCommand>,
    cancel: CancellationToken,
    syncing: Arc<AtomicBool>,
}

enum Wake {
    Stop,
    Tick,
    Asked,
}

impl Task {
    async fn run(mut self, mut sync: impl AccountSync) {
        let mut ticker = tokio::time::interval(self.context.poll_interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut backoff = Backoff::new(self.context.poll_interval, MAX_BACKOFF);
        let mut not_before: Option<Instant> = None;
        let mut parked = false;
        let mut last_round: Option<Instant> = None;
        loop {
            let wake = tokio::select! {
                biased;
                () = self.cancel.cancelled() => Wake::Stop,
                command = self.commands.recv() => match command {
                    Some(SyncCommand::SyncNow) => Wake::Asked,
                    None => Wake::Stop,
                },
                _ = ticker.tick() => Wake::Tick,
            };
            match wake {
                Wake::Stop => return,
                Wake::Tick if parked || not_before.is_some_and(|t| Instant::now() < t) => continue,
                Wake::Tick if self.stream_carries(last_round) => continue,
                Wake::Tick | Wake::Asked => {}
            }
            last_round = Some(Instant::now());
            self.set_syncing(true);
            // A round that panics is a failed round: it is said on the account, and the task
            // goes on with the same backoff as after any failure.
            let round = AssertUnwindSafe(async {
                assert!(
                    !self.context.faults.take_round_panic(),
                    "a sync round made to panic (test fault)"
                );
                sync.round().await
            })
            .catch_unwind();
            let outcome = tokio::select! {
                () = self.cancel.cancelled() => return,
                outcome = round => outcome.unwrap_or_else(|panic| {
                    let why = crate::supervisor::panic_words(panic);
                    tracing::error!(account = %self.context.account.0, %why, "a sync round panicked");
                    Err(Error::Crashed { part: "Sync" })
                }),
            };
            match outcome {
                Ok(report) => {
                    backoff.reset();
                    (not_before, parked) = (None, false);
                    if report != RoundReport::default() {
                        self.emit(EngineEvent::InboxChanged {
                            account: self.context.account.clone(),
                        });
                    }
                }
                Err(error) => {
                    parked = matches!(error, Error::SignInAgain { .. });
                    let delay = retry_delay(&error, &mut backoff, self.context.clock.now());
                    tracing::warn!(
                        account = %self.context.account.0, %error, ?delay, parked,
                        "sync round failed"
                    );
                    not_before = Some(Instant::now() + delay);
                    self.record_failure(&error, parked).await;
                }
            }
            self.set_syncing(false);
        }
    }

    /// Whether a healthy stream makes this tick's round unnecessary.
    fn stream_carries(&self, last_round: Option<Instant>) -> bool {
        let streaming = self
            .context
            .streaming
            .as_ref()
            .is_some_and(|healthy| healthy.load(Ordering::Relaxed));
        streaming && last_round.is_some_and(|at| at.elapsed() < self.context.poll_while_streaming)
    }

    fn emit(&self, event: EngineEvent) {
        // No receiver (no window yet) is fine: SQLite holds the truth.
        let _ = self.context.events.send(event);
    }

    fn set_syncing(&self, syncing: bool) {
        self.syncing.store(syncing, Ordering::Relaxed);
        self.emit(EngineEvent::AccountChanged {
            account: self.context.account.clone(),
        });
    }

    async fn record_failure(&self, error: &Error, needs_sign_in: bool) {
        let account = self.context.account.clone();
        let (message, at) = (error.to_string(), self.context.clock.now());
        let recorded = on_store(&self.context.store, move |store| {
            store.record_sync_error(&account, &message, needs_sign_in, at)
        })
        .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record a sync failure");
        }
    }
}

/// How long to wait after `error`: until the server's reset for a rate limit, else backoff.
pub(crate) fn retry_delay(
    error: &Error,
    backoff: &mut Backoff,
    now: earshot_core::Timestamp,
) -> Duration {
    let reset_at = match error {
        Error::Network(XrpcError::RateLimited {
            reset_at: Some(reset_at),
        }) => Some(*reset_at),
        Error::Mastodon(MastodonError::RateLimited {
            reset_at: Some(reset_at),
            ..
        }) => Some(reset_at.as_second()),
        _ => None,
    };
    match reset_at {
        Some(reset_at) => {
            let wait = reset_at.saturating_sub(now.as_second()).clamp(1, 3600);
            Duration::from_secs(wait.unsigned_abs())
        }
        // A full disk does not empty itself in seconds: pause instead of spinning.
        None if matches!(error, Error::Store(earshot_store::StoreError::DiskFull)) => {
            backoff.next_delay().max(DISK_FULL_PAUSE)
        }
        None => backoff.next_delay(),
    }
}

/// How long syncing pauses when the disk is full.
const DISK_FULL_PAUSE: Duration = Duration::from_secs(5 * 60);

/// Records how many notifications a round had to skip, so the account can say so.
pub(crate) async fn record_unreadable(store: &Arc<Store>, account: &AccountId, skipped: usize) {
    if skipped > 0 {
        tracing::warn!(account = %account.0, skipped, "notifications could not be read");
    }
    let (account, skipped) = (account.clone(), u32::try_from(skipped).unwrap_or(u32::MAX));
    let recorded = on_store(store, move |store| store.set_unreadable(&account, skipped)).await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "could not record unreadable notifications");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_jittered_and_resets() {
        let base = Duration::from_secs(15);
        let mut backoff = Backoff::new(base, MAX_BACKOFF);
        let delays: Vec<Duration> = (0..12).map(|_| backoff.next_delay()).collect();
        for (n, delay) in delays.iter().enumerate() {
            let full = base.saturating_mul(1 << n).min(MAX_BACKOFF);
            assert!(
                *delay >= full / 2 && *delay <= full,
                "attempt {n}: {delay:?} should be within [{:?}, {full:?}]",
                full / 2
            );
        }
        assert!(delays[11] <= MAX_BACKOFF, "never beyond the cap");
        backoff.reset();
        assert!(backoff.next_delay() <= base, "a success starts over");
    }

    #[test]
    fn a_full_disk_pauses_syncing_for_minutes() {
        let now = earshot_core::Timestamp::from_second(1_790_000_000).expect("time");
        let mut backoff = Backoff::new(Duration::from_secs(15), MAX_BACKOFF);
        let full = Error::Store(earshot_store::StoreError::DiskFull);
        assert!(retry_delay(&full, &mut backoff, now) >= DISK_FULL_PAUSE);
        assert!(
            retry_delay(&full, &mut backoff, now) <= MAX_BACKOFF,
            "and never longer than any failure waits"
        );
    }

    #[test]
    fn a_rate_limit_waits_for_the_servers_reset() {
        let now = earshot_core::Timestamp::from_second(1_790_000_000).expect("time");
        let mut backoff = Backoff::new(Duration::from_secs(15), MAX_BACKOFF);
        let error = Error::Network(XrpcError::RateLimited {
            reset_at: Some(1_790_000_090),
        });
        assert_eq!(
            retry_delay(&error, &mut backoff, now),
            Duration::from_secs(90)
        );
        let mastodon = Error::Mastodon(MastodonError::RateLimited {
            server: "https://example.org".into(),
            reset_at: Some(earshot_core::Timestamp::from_second(1_790_000_300).expect("time")),
        });
        assert_eq!(
            retry_delay(&mastodon, &mut backoff, now),
            Duration::from_secs(300),
            "Mastodon's X-RateLimit-Reset is honoured too"
        );
    }
}
