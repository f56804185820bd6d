//! The streaming side of a Mastodon account: what happens reaches the store the moment the
//! server pushes it, instead of at the next poll — mentions, the account's own statuses
//! written in any app (so an answer given elsewhere clears Owed before a notification goes
//! out), and deletions (a deleted mention leaves Owed; a deleted answer makes its item owed
//! again).
//!
//! The task connects to the `user` stream when the server has one; every (re)connect asks the
//! sync task for a round, so whatever was said while disconnected is backfilled through REST.
//! Drops reconnect after a capped, jittered backoff that resets once a connection holds. A
//! refused token stops the task: the sync task reports "sign in again". A server that names a
//! streaming address but answers 404 there (snac) is polled, and its stream tried again only
//! hours later. On shutdown the socket is closed with a close frame.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{AccountId, Clock, OwnPost, Timestamp};
use earshot_net::mastodon::{MastodonClient, MastodonError, Status, StreamEvent};
use earshot_store::Store;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::content::html_to_text;
use super::session::MastodonSession;
use super::sync::incoming;
use crate::EngineEvent;
use crate::earshot::on_store;
use crate::sync::{Backoff, SyncRequester};

/// Reconnect soon after a drop (a server restart is usually brief), then back off.
const FIRST_RECONNECT_DELAY: Duration = Duration::from_secs(1);
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(5 * 60);
/// A server without the stream it names is asked again this much later.
const NO_STREAM_RETRY: Duration = Duration::from_secs(6 * 60 * 60);

/// Stops the stream task when dropped.
#[derive(Debug)]
pub(crate) struct StreamGuard(CancellationToken);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Marks the stream healthy while alive: however the connection ends (a drop, a stop, a
/// panic), the mark goes with it.
struct Connected<'a>(&'a std::sync::atomic::AtomicBool);

impl<'a> Connected<'a> {
    fn mark(healthy: &'a std::sync::atomic::AtomicBool) -> Self {
        healthy.store(true, std::sync::atomic::Ordering::Relaxed);
        Self(healthy)
    }
}

impl Drop for Connected<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StreamTask {
    pub account: AccountId,
    pub session: Arc<MastodonSession>,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub events: broadcast::Sender<EngineEvent>,
    pub sync: SyncRequester,
    /// True while connected: the sync task polls less then.
    pub healthy: Arc<std::sync::atomic::AtomicBool>,
}

impl StreamTask {
    pub(crate) fn spawn(self, runtime: &tokio::runtime::Handle) -> StreamGuard {
        let cancel = CancellationToken::new();
        let (events, stop) = (self.events.clone(), cancel.clone());
        crate::supervisor::supervise(
            runtime,
            "live updates from Mastodon",
            cancel.clone(),
            move || self.clone().run(stop.clone()),
            crate::supervisor::tell_ui(events, "live updates from Mastodon"),
        );
        StreamGuard(cancel)
    }

    async fn run(self, stop: CancellationToken) {
        let client = self.session.client();
        let mut backoff = Backoff::new(FIRST_RECONNECT_DELAY, MAX_RECONNECT_DELAY);
        loop {
            let delay = tokio::select! {
                () = stop.cancelled() => return,
                delay = self.connect_and_follow(client, &mut backoff, &stop) => delay,
            };
            let Some(delay) = delay else { return };
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// One connection: follows the stream until it ends. Returns how long to wait before the
    /// next try, or `None` to stop for good.
    async fn connect_and_follow(
        &self,
        client: &MastodonClient,
        backoff: &mut Backoff,
        stop: &CancellationToken,
    ) -> Option<Duration> {
        // Asked on every try: an offline laptop at start-up must not mean no stream ever.
        let streaming_url = match client.instance().await {
            Ok(facts) => facts.streaming_url,
            Err(e) => {
                tracing::info!(error = %e, "no instance facts; trying the stream later");
                return Some(backoff.next_delay());
            }
        };
        let Some(streaming_url) = streaming_url else {
            tracing::info!(server = %client.origin(), "the server has no streaming; polling");
            return None;
        };
        let address = MastodonClient::user_stream_url(&streaming_url);
        let token = self.session.token().await.ok()?;
        let mut stream = match client.stream_user(&streaming_url, &token).await {
            Ok(stream) => stream,
            Err(MastodonError::InvalidToken { .. }) => return None,
            Err(MastodonError::Server { status: 404, .. }) => {
                tracing::info!(%address, "the server names a stream it does not serve; \
                    polling, and trying the stream again in hours");
                return Some(NO_STREAM_RETRY);
            }
            Err(e) => {
                tracing::info!(%address, error = %e, "could not open the stream");
                return Some(backoff.next_delay());
            }
        };
        backoff.reset();
        // Anything said while there was no stream comes in through REST.
        self.sync.sync_now();
        let _connected = Connected::mark(&self.healthy);
        loop {
            let event = tokio::select! {
                () = stop.cancelled() => {
                    stream.close().await;
                    return None;
                }
                event = stream.next() => event,
            };
            match event {
                Some(Ok(event)) => self.handle(event).await,
                Some(Err(e)) => {
                    tracing::info!(%address, error = %e, "the stream failed");
                    break;
                }
                None => break,
            }
        }
        Some(backoff.next_delay())
    }

    async fn handle(&self, event: StreamEvent) {
        let account = self.account.clone();
        let changed = match event {
            StreamEvent::Notification(notification) => {
                let Some(post) = incoming(&self.session, notification) else {
                    return;
                };
                on_store(&self.store, move |store| {
                    store.store_inbox_items(&account, &[post])
                })
                .await
                .map(|stored| stored > 0)
            }
            StreamEvent::Update(status) if status.account.id == self.session.account_id => {
                let post = own_post(status, self.clock.now());
                on_store(&self.store, move |store| {
                    store.store_own_posts(&account, &[post], None)
                })
                .await
                .map(|answered| !answered.is_empty())
            }
            StreamEvent::Update(_) | StreamEvent::Hashtag { .. } => return,
            StreamEvent::Delete(id) => {
                on_store(&self.store, move |store| {
                    store.forget_deleted(&account, &[id])
                })
                .await
            }
        };
        match changed {
            Ok(false) => {}
            Ok(true) => {
                let _ = self.events.send(EngineEvent::InboxChanged {
                    account: self.account.clone(),
                });
            }
            // The next round reads it again from REST.
            Err(e) => tracing::warn!(error = %e, "could not store a streamed event"),
        }
    }
}

/// The account's own status as the store keeps it; `now` stands in for an unreadable time.
pub(crate) fn own_post(status: Status, now: Timestamp) -> OwnPost {
    OwnPost {
        text: html_to_text(&status.content),
        created_at: status.created_at.parse().unwrap_or(now),
        uri: status.id,
        parent_uri: status.in_reply_to_id,
    }
}
