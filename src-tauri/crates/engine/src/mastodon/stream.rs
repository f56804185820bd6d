//! The streaming side of a Mastodon account: mentions land in the Inbox the moment the server
//! pushes them, instead of at the next poll.
//!
//! The task connects to the `user:notification` stream when the server has one; every
//! (re)connect asks the sync task for a round, so whatever was said while disconnected is
//! backfilled through REST. Drops reconnect after a capped, jittered backoff that resets once
//! a connection holds. A refused token stops the task: the sync task reports "sign in again".
//! Servers without streaming are simply polled.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::AccountId;
use earshot_net::mastodon::MastodonError;
use earshot_store::Store;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::session::MastodonSession;
use super::sync::incoming;
use crate::EngineEvent;
use crate::earshot::on_store;
use crate::sync::{Backoff, SyncRequester};

/// Reconnect soon after a drop (a server restart is usually brief), then back off.
const FIRST_RECONNECT_DELAY: Duration = Duration::from_secs(1);
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(5 * 60);

/// Stops the stream task when dropped.
#[derive(Debug)]
pub(crate) struct StreamGuard(CancellationToken);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

#[derive(Debug)]
pub(crate) struct StreamTask {
    pub account: AccountId,
    pub session: Arc<MastodonSession>,
    pub store: Arc<Store>,
    pub events: broadcast::Sender<EngineEvent>,
    pub sync: SyncRequester,
}

impl StreamTask {
    pub(crate) fn spawn(self, runtime: &tokio::runtime::Handle) -> StreamGuard {
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        runtime.spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = self.run() => {}
            }
        });
        StreamGuard(cancel)
    }

    async fn run(self) {
        let client = self.session.client();
        let streaming_url = match client.instance().await {
            Ok(facts) => facts.streaming_url,
            Err(e) => {
                tracing::info!(error = %e, "no instance facts; polling only");
                None
            }
        };
        let Some(streaming_url) = streaming_url else {
            return;
        };
        let mut backoff = Backoff::new(FIRST_RECONNECT_DELAY, MAX_RECONNECT_DELAY);
        loop {
            let Ok(token) = self.session.token().await else {
                return;
            };
            match client.stream_notifications(&streaming_url, &token).await {
                Ok(mut stream) => {
                    backoff.reset();
                    // Anything said while there was no stream comes in through REST.
                    self.sync.sync_now();
                    while let Some(event) = stream.next().await {
                        match event {
                            Ok(notification) => self.store(notification).await,
                            Err(e) => {
                                tracing::info!(error = %e, "the stream failed");
                                break;
                            }
                        }
                    }
                }
                Err(MastodonError::InvalidToken { .. }) => return,
                Err(MastodonError::Server { status: 404, .. }) => return,
                Err(e) => tracing::info!(error = %e, "could not open the stream"),
            }
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    async fn store(&self, notification: earshot_net::mastodon::Notification) {
        let Some(post) = incoming(&self.session, notification) else {
            return;
        };
        let account = self.account.clone();
        let stored = on_store(&self.store, move |store| {
            store.store_inbox_items(&account, &[post])
        })
        .await;
        match stored {
            Ok(0) => {}
            Ok(_) => {
                let _ = self.events.send(EngineEvent::InboxChanged {
                    account: self.account.clone(),
                });
            }
            Err(e) => {
                // The next round reads it again from REST.
                tracing::warn!(error = %e, "could not store a streamed notification");
            }
        }
    }
}
