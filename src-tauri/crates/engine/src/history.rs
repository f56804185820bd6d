//! Read back further: an account's history beyond the first sync's week, for a Report over
//! 30 or 90 days (or everything the server gives). One walk for both networks: the account's
//! own posts first, back to the goal (so old questions arrive already answered), then what was
//! addressed to it. Each page is stored with the progress it makes, so the walk resumes after
//! a restart where it stopped; it can be cancelled; it keeps to rate limits, waiting for the
//! server's reset when few requests are left and after a 429.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use earshot_core::{
    AccountId, Clock, HistoryState, IncomingPost, OwnPost, READ_BACK_DAYS, ReadBack, Timestamp,
};
use earshot_net::mastodon::Page;
use earshot_store::{HistoryRead, HistoryStep, Store};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::bluesky::session::BlueskySession;
use crate::earshot::{Connection, on_store};
use crate::mastodon::session::MastodonSession;
use crate::sync::{Backoff, retry_delay};
use crate::{Earshot, EngineEvent, Error, Result};

/// Failures in a row (rate limits aside) after which a read back stops and says why.
const GIVE_UP_AFTER: u32 = 6;

/// One page of a read back, newest first.
pub(crate) struct HistoryPage<T> {
    pub items: Vec<T>,
    /// The oldest instant on the page (written for own posts, notified for the Inbox).
    pub oldest: Option<Timestamp>,
    /// Where the next, older page starts; `None` when the server has no more.
    pub next: Option<String>,
    /// Few requests are left in the server's window: wait until then before the next page.
    pub pause_until: Option<Timestamp>,
}

/// A network's pages of an account's history.
pub(crate) trait HistorySource: Send + Sync + 'static {
    /// The account's own posts, from `cursor` (`None`: the newest).
    fn own_page(
        &self,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<HistoryPage<OwnPost>>> + Send;

    /// What was addressed to the account, from `cursor` (`None`: the newest).
    fn inbox_page(
        &self,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<HistoryPage<IncomingPost>>> + Send;
}

/// Stops the walk when dropped.
#[derive(Debug)]
pub(crate) struct HistoryHandle {
    cancel: CancellationToken,
}

impl Drop for HistoryHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

pub(crate) struct HistoryTask<S> {
    pub account: AccountId,
    pub source: S,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub events: broadcast::Sender<EngineEvent>,
}

impl<S: HistorySource> HistoryTask<S> {
    pub(crate) fn spawn(self, runtime: &tokio::runtime::Handle) -> HistoryHandle {
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        runtime.spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = self.run(&stop) => {}
            }
        });
        HistoryHandle { cancel }
    }

    /// Reads page after page while the stored read is running.
    async fn run(self, cancel: &CancellationToken) {
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
    async fn step(&self, read: &HistoryRead) -> Result<Option<Timestamp>> {
        let goal = read.goal;
        let before_goal = |at: Timestamp| goal.is_some_and(|goal| at < goal);
        let account = self.account.clone();
        match read.progress.state {
            HistoryState::Answers => {
                let page = self.source.own_page(read.cursor.clone()).await?;
                let posts: Vec<OwnPost> = page
                    .items
                    .into_iter()
                    .filter(|post| !before_goal(post.created_at))
                    .collect();
                let last = page.next.is_none() || page.oldest.is_none_or(before_goal);
                let (next, reached) = (page.next, page.oldest);
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
                Ok(page.pause_until)
            }
            HistoryState::Inbox => {
                let page = self.source.inbox_page(read.cursor.clone()).await?;
                let posts: Vec<IncomingPost> = page
                    .items
                    .into_iter()
                    .filter(|post| !before_goal(post.indexed_at))
                    .collect();
                let last = page.next.is_none() || page.oldest.is_none_or(before_goal);
                let (next, reached, now) = (page.next, page.oldest, self.clock.now());
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
                Ok(page.pause_until)
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

/// A Bluesky account's history: its post records, and its notifications.
pub(crate) struct BlueskyHistory {
    pub session: Arc<BlueskySession>,
    pub clock: Arc<dyn Clock>,
    /// The oldest notification of the last page, to tell a cursor that does not move.
    pub last_seen: Mutex<Option<Timestamp>>,
}

impl HistorySource for BlueskyHistory {
    async fn own_page(&self, cursor: Option<String>) -> Result<HistoryPage<OwnPost>> {
        let did = self.session.did().to_owned();
        let page = self
            .session
            .call(|client, token| {
                let (did, cursor) = (did.clone(), cursor.clone());
                async move {
                    client
                        .list_own_posts(
                            &token,
                            &did,
                            cursor.as_deref(),
                            crate::bluesky::sync::PAGE_SIZE,
                        )
                        .await
                }
            })
            .await?;
        let now = self.clock.now();
        let items: Vec<OwnPost> = page
            .posts
            .into_iter()
            .map(|post| OwnPost {
                uri: post.uri,
                parent_uri: post.reply_parent,
                text: post.text,
                created_at: post.created_at.unwrap_or(now),
            })
            .collect();
        Ok(HistoryPage {
            oldest: items.iter().map(|post| post.created_at).min(),
            next: page.cursor.filter(|_| !items.is_empty()),
            items,
            pause_until: None,
        })
    }

    async fn inbox_page(&self, cursor: Option<String>) -> Result<HistoryPage<IncomingPost>> {
        use crate::bluesky::sync::{KEEP_IN_RESERVE, PAGE_SIZE, REASONS, incoming, next_cursor};
        let page = self
            .session
            .call(|client, token| {
                let cursor = cursor.clone();
                async move {
                    client
                        .list_notifications(&token, REASONS, cursor.as_deref(), PAGE_SIZE)
                        .await
                }
            })
            .await?;
        let last = page.notifications.last().map(|n| n.indexed_at);
        let stuck = {
            let mut seen = self
                .last_seen
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let stuck = last.is_some() && *seen == last;
            *seen = last;
            stuck
        };
        let pause_until = page
            .rate_limit
            .remaining
            .filter(|left| *left < KEEP_IN_RESERVE)
            .and(page.rate_limit.reset_at)
            .and_then(|reset| Timestamp::from_second(reset).ok());
        let next = page
            .cursor
            .filter(|_| !page.notifications.is_empty())
            .map(|server| next_cursor(server, last, stuck));
        let items = page
            .notifications
            .into_iter()
            .filter_map(|n| incoming(n, self.session.did()))
            .collect();
        Ok(HistoryPage {
            items,
            oldest: last,
            next,
            pause_until,
        })
    }
}

/// A Mastodon account's history: its statuses, and its mention and quote notifications.
pub(crate) struct MastodonHistory {
    pub session: Arc<MastodonSession>,
    pub clock: Arc<dyn Clock>,
}

/// The id to read older pages from: the `Link` header's, or else the last entry's.
fn older_than(next: Option<Page>, last_id: Option<String>) -> Option<String> {
    match next {
        Some(Page::OlderThan(id)) => Some(id),
        Some(_) => last_id,
        None => None,
    }
}

impl HistorySource for MastodonHistory {
    async fn own_page(&self, cursor: Option<String>) -> Result<HistoryPage<OwnPost>> {
        let token = self.session.token().await?;
        let page = cursor.map_or(Page::Newest, Page::OlderThan);
        let (statuses, next) = self
            .session
            .client()
            .account_statuses(
                &token,
                &self.session.account_id,
                &page,
                crate::mastodon::sync::PAGE_SIZE,
            )
            .await
            .map_err(|e| self.session.error(e))?;
        let last_id = statuses.last().map(|status| status.id.clone());
        let now = self.clock.now();
        let items: Vec<OwnPost> = statuses
            .into_iter()
            .map(|status| crate::mastodon::stream::own_post(status, now))
            .collect();
        Ok(HistoryPage {
            oldest: items.iter().map(|post| post.created_at).min(),
            next: older_than(next, last_id),
            items,
            pause_until: None,
        })
    }

    async fn inbox_page(&self, cursor: Option<String>) -> Result<HistoryPage<IncomingPost>> {
        use crate::mastodon::sync::{PAGE_SIZE, incoming};
        let token = self.session.token().await?;
        let page = cursor.map_or(Page::Newest, Page::OlderThan);
        let got = self
            .session
            .client()
            .notifications(
                &token,
                self.session.notification_types().await,
                &page,
                PAGE_SIZE,
                true,
            )
            .await
            .map_err(|e| self.session.error(e))?;
        let last_id = got.notifications.last().map(|n| n.id.clone());
        let oldest = got
            .notifications
            .iter()
            .filter_map(|n| n.created_at.parse::<Timestamp>().ok())
            .min();
        let items = got
            .notifications
            .into_iter()
            .filter_map(|n| incoming(&self.session, n))
            .collect();
        Ok(HistoryPage {
            items,
            oldest,
            next: older_than(got.next, last_id),
            pause_until: None,
        })
    }
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
                source: BlueskyHistory {
                    session: Arc::clone(session),
                    clock: Arc::clone(&clock),
                    last_seen: Mutex::new(None),
                },
                store,
                clock,
                events,
            }
            .spawn(runtime),
            Connection::Mastodon(session) => HistoryTask {
                account: account.clone(),
                source: MastodonHistory {
                    session: Arc::clone(session),
                    clock: Arc::clone(&clock),
                },
                store,
                clock,
                events,
            }
            .spawn(runtime),
        });
    }
}
