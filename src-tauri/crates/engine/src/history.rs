//! Read back further: an account's history beyond the first sync's week, for a Report over
//! 30 or 90 days (or everything the server gives). One walk for both networks: the account's
//! own posts first, back to the goal (so old questions arrive already answered), then what was
//! addressed to it. Each page is stored with the progress it makes, so the walk resumes after
//! a restart where it stopped; it can be cancelled; it keeps to rate limits, waiting for the
//! server's reset when few requests are left and after a 429.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{
    AccountId, Clock, HistoryState, IncomingPost, OwnPost, READ_BACK_DAYS, ReadBack, Timestamp,
};
use earshot_store::{HistoryRead, HistoryStep, Store};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::earshot::{Connection, on_store};
use crate::supervisor::{TaskHandle, spawn_stoppable};
use crate::sync::{Backoff, retry_delay};
use crate::walk::{InboxSource, OwnPostSource};
use crate::{Earshot, EngineEvent, Error, Result};

/// Failures in a row (rate limits aside) after which a read back stops and says why.
const GIVE_UP_AFTER: u32 = 6;

/// A read back over the same sources the sync reads, in another order and further back.
pub(crate) struct HistoryTask<O, I> {
    pub account: AccountId,
    pub own: O,
    pub inbox: I,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub events: broadcast::Sender<EngineEvent>,
}

impl<O, I> HistoryTask<O, I>
where
    O: OwnPostSource + Sync + 'static,
    I: InboxSource + Sync + 'static,
{
    pub(crate) fn spawn(self, runtime: &tokio::runtime::Handle) -> TaskHandle {
        spawn_stoppable(runtime, |cancel| async move { self.run(&cancel).await })
    }

    /// Reads page after page while the stored read is running.
    async fn run(mut self, cancel: &CancellationToken) {
        let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(300));
        let mut failures = 0;
        loop {
            let account = self.account.clone();
            let read = match on_store(&self.store, move |store| store.history(&account)).await {
                Ok(Some(read)) if read.progress.state.is_running() => read,
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(account = %self.account.0, error = %e, "could not read the history's progress");
                    return;
                }
            };
            let pause = match self.step(&read).await {
                Ok(pause) => {
                    failures = 0;
                    backoff.reset();
                    self.tell();
                    pause.map(|until| self.wait_until(until))
                }
                Err(error) => {
                    let rate_limited = is_rate_limit(&error);
                    failures += u32::from(!rate_limited);
                    let signed_out = matches!(error, Error::SignInAgain { .. });
                    if signed_out || failures >= GIVE_UP_AFTER {
                        self.fail(&error).await;
                        return;
                    }
                    tracing::info!(account = %self.account.0, error = %error, "reading back further: trying again");
                    Some(retry_delay(&error, &mut backoff, self.clock.now()))
                }
            };
            if let Some(pause) = pause {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
    }

    /// Reads and stores one page. Returns when the server asks to slow down.
    async fn step(&mut self, read: &HistoryRead) -> Result<Option<Timestamp>> {
        let goal = read.goal;
        let before_goal = |at: Timestamp| goal.is_some_and(|goal| at < goal);
        let account = self.account.clone();
        match read.progress.state {
            HistoryState::Answers => {
                let page = self.own.own_page(read.cursor.clone()).await?;
                let reached = page.posts.iter().map(|(_, post)| post.created_at).min();
                let posts: Vec<OwnPost> = page
                    .posts
                    .into_iter()
                    .map(|(_, post)| post)
                    .filter(|post| !before_goal(post.created_at))
                    .collect();
                let last = page.next.is_none() || reached.is_none_or(before_goal);
                let next = page.next;
                on_store(&self.store, move |store| {
                    store.store_history_answers(
                        &account,
                        &posts,
                        HistoryStep {
                            next: next.as_deref(),
                            reached,
                            last,
                        },
                    )
                })
                .await?;
                Ok(None)
            }
            HistoryState::Inbox => {
                let page = self.inbox.inbox_page(read.cursor.clone()).await?;
                let reached = page.times.iter().min().copied();
                // Few requests left: the next page waits for the server's reset.
                let pause = page.reset_at.filter(|_| page.low_on_requests);
                let posts: Vec<IncomingPost> = page
                    .items
                    .into_iter()
                    .filter(|post| !before_goal(post.indexed_at))
                    .collect();
                let last = page.next.is_none() || reached.is_none_or(before_goal);
                let (next, now) = (page.next, self.clock.now());
                on_store(&self.store, move |store| {
                    store.store_history_items(
                        &account,
                        &posts,
                        HistoryStep {
                            next: next.as_deref(),
                            reached,
                            last,
                        },
                        now,
                    )
                })
                .await?;
                let _ = self.events.send(EngineEvent::InboxChanged {
                    account: self.account.clone(),
                });
                Ok(pause)
            }
            HistoryState::Done | HistoryState::Cancelled | HistoryState::Failed => Ok(None),
        }
    }

    fn wait_until(&self, until: Timestamp) -> Duration {
        let left = until
            .duration_since(self.clock.now())
            .as_secs()
            .clamp(1, 3600);
        Duration::from_secs(left.unsigned_abs())
    }

    async fn fail(&self, error: &Error) {
        let (account, why, now) = (self.account.clone(), error.to_string(), self.clock.now());
        let ended = on_store(&self.store, move |store| {
            store.end_history(&account, HistoryState::Failed, Some(&why), now)
        })
        .await;
        if let Err(e) = ended {
            tracing::warn!(account = %self.account.0, error = %e, "could not record that reading back failed");
        }
        self.tell();
    }

    fn tell(&self) {
        let _ = self.events.send(EngineEvent::AccountChanged {
            account: self.account.clone(),
        });
    }
}

fn is_rate_limit(error: &Error) -> bool {
    matches!(
        error,
        Error::Network(earshot_net::bluesky::XrpcError::RateLimited { .. })
            | Error::Mastodon(earshot_net::mastodon::MastodonError::RateLimited { .. })
    )
}

impl Earshot {
    /// Reads `account`'s history back as far as asked, in the background; progress shows in
    /// the account's view. Starting again restarts from the newest page.
    pub async fn read_back(&self, account: AccountId, read_back: ReadBack) -> Result<()> {
        if let ReadBack::Days { days } = read_back
            && !READ_BACK_DAYS.contains(&days)
        {
            return Err(Error::Invalid(format!(
                "Earshot reads back {} days, or everything the server gives.",
                READ_BACK_DAYS.map(|d| d.to_string()).join(" or ")
            )));
        }
        if !self.running().contains_key(&account) {
            return Err(Error::Store(earshot_store::StoreError::NotFound("account")));
        }
        let now = self.services.clock.now();
        let id = account.clone();
        self.with_store(move |store| store.start_history(&id, read_back, now))
            .await?;
        self.start_history(&account);
        self.emit(EngineEvent::AccountChanged { account });
        Ok(())
    }

    /// Stops reading `account`'s history back; what was read stays.
    pub async fn cancel_read_back(&self, account: AccountId) -> Result<()> {
        if let Some(running) = self.running().get_mut(&account) {
            running.history = None;
        }
        let (id, now) = (account.clone(), self.services.clock.now());
        self.with_store(move |store| store.end_history(&id, HistoryState::Cancelled, None, now))
            .await?;
        self.emit(EngineEvent::AccountChanged { account });
        Ok(())
    }

    /// Starts the walk for `account` over its running connection; it reads the stored
    /// progress first and ends at once when no read back is under way.
    pub(crate) fn start_history(&self, account: &AccountId) {
        let mut running = self.running();
        let Some(entry) = running.get_mut(account) else {
            return;
        };
        let (store, clock, events) = (
            Arc::clone(&self.store),
            Arc::clone(&self.services.clock),
            self.event_sender(),
        );
        let runtime = &self.services.runtime;
        entry.history = Some(match &entry.connection {
            Connection::Bluesky(session) => HistoryTask {
                account: account.clone(),
                own: crate::bluesky::sync::OwnRecords {
                    session: Arc::clone(session),
                    clock: Arc::clone(&clock),
                },
                inbox: crate::bluesky::sync::Notifications {
                    session: Arc::clone(session),
                    last_seen: None,
                },
                store,
                clock,
                events,
            }
            .spawn(runtime),
            Connection::Mastodon(session) => HistoryTask {
                account: account.clone(),
                own: crate::mastodon::sync::OwnStatuses {
                    session: Arc::clone(session),
                    clock: Arc::clone(&clock),
                    lists_own_direct: true,
                },
                inbox: crate::mastodon::sync::Notifications {
                    session: Arc::clone(session),
                },
                store,
                clock,
                events,
            }
            .spawn(runtime),
        });
    }
}
