//! Supervision: a background task that panics is noticed, logged, said in words and started
//! again with backoff, instead of silently taking its part of Earshot with it (an account
//! that stays "syncing" for ever, notifications that stop).
//!
//! A supervised task is made by a factory, so a fresh one can replace the one that died; it
//! shares what it needs through `Arc`s and channels that outlive it. Cancelling the token
//! stops the task and its supervisor.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::sync::Backoff;

const FIRST_RESTART: Duration = Duration::from_secs(1);
const MAX_RESTART: Duration = Duration::from_secs(5 * 60);

/// What a supervised task's death looks like to the person.
pub type OnCrash = Box<dyn Fn(&str) + Send + Sync>;

/// Runs the task `start` makes until `cancel`; a task that panics is replaced by a new one
/// after a capped, jittered delay. A task that returns has finished, and is not restarted.
pub fn supervise<F, Fut>(
    runtime: &tokio::runtime::Handle,
    name: &'static str,
    cancel: CancellationToken,
    mut start: F,
    on_crash: OnCrash,
) where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runtime_for_tasks = runtime.clone();
    runtime.spawn(async move {
        let mut backoff = Backoff::new(FIRST_RESTART, MAX_RESTART);
        loop {
            let mut task = runtime_for_tasks.spawn(start());
            let joined = tokio::select! {
                () = cancel.cancelled() => {
                    task.abort();
                    return;
                }
                joined = &mut task => joined,
            };
            let Err(failure) = joined else { return };
            if !failure.is_panic() {
                return;
            }
            let why = panic_words(failure.into_panic());
            let delay = backoff.next_delay();
            tracing::error!(task = name, %why, ?delay, "a background task panicked; restarting");
            on_crash(&why);
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
        }
    });
}

/// Tells the UI (and so the person) that `task` was started again.
pub(crate) fn tell_ui(
    events: tokio::sync::broadcast::Sender<crate::EngineEvent>,
    task: &'static str,
) -> OnCrash {
    Box::new(move |_| {
        let _ = events.send(crate::EngineEvent::TaskRestarted { task });
    })
}

/// [`supervise`] for a task that lives as long as the app (the shell's tray and event
/// bridge): nothing stops it but the runtime's end.
pub fn supervise_for_the_app<F, Fut>(
    runtime: &tokio::runtime::Handle,
    name: &'static str,
    start: F,
    on_crash: OnCrash,
) where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    supervise(runtime, name, CancellationToken::new(), start, on_crash);
}

/// A panic's message, when it has one.
pub(crate) fn panic_words(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_task_that_panics_is_started_again_and_one_that_returns_is_not() {
        let (started, crashes) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let cancel = CancellationToken::new();
        let counted = Arc::clone(&started);
        let told = Arc::clone(&crashes);
        supervise(
            &tokio::runtime::Handle::current(),
            "test",
            cancel.clone(),
            move || {
                let run = counted.fetch_add(1, Ordering::SeqCst);
                async move {
                    assert!(run >= 2, "run {run} fails on purpose");
                }
            },
            Box::new(move |_| {
                told.fetch_add(1, Ordering::SeqCst);
            }),
        );
        // Two restarts wait 0.5–1 s and 1–2 s.
        for _ in 0..100 {
            if started.load(Ordering::SeqCst) == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            started.load(Ordering::SeqCst),
            3,
            "two crashes, then it finished"
        );
        assert_eq!(crashes.load(Ordering::SeqCst), 2, "each crash was told");
        cancel.cancel();
    }
}

/// A background task that stops when its handle is dropped (an account's chat reader, a read
/// back): the handle lives where the task belongs, and goes with it.
#[derive(Debug)]
pub(crate) struct TaskHandle {
    cancel: CancellationToken,
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Spawns `task`, made with the token it should watch, and returns the handle that stops it.
pub(crate) fn spawn_stoppable<F, Fut>(runtime: &tokio::runtime::Handle, task: F) -> TaskHandle
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let run = task(cancel.clone());
    runtime.spawn(async move {
        tokio::select! {
            () = stop.cancelled() => {}
            () = run => {}
        }
    });
    TaskHandle { cancel }
}
