//! A Mastodon API server for Earshot's tests. No Mastodon server installs from the package
//! registries, so this one implements the subset Earshot uses *as docs.joinmastodon.org
//! specifies it*: the entities, OAuth 2 authorization code with PKCE and a real authorize
//! step, `Link`-header pagination, `Idempotency-Key`, markers, notification requests and
//! streaming over WebSocket. [`Profile`] switches on differences real servers have.
//!
//! Tests set the world up through [`MastodonServer`]'s methods (accounts, posts), never
//! through the HTTP API under test.

mod api;
pub mod browser;
mod closing;
mod entities;
mod oauth;
mod state;
mod streaming;

use std::sync::{Arc, Mutex};

use state::State;
pub use state::{Profile, Software, StatusSearch, TestUser};

/// A running server on a loopback port; stops when dropped.
#[derive(Debug)]
pub struct MastodonServer {
    url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    /// The front that closes connections the way snac does, when the profile asks for it.
    front: Option<tokio::task::JoinHandle<()>>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub streams: tokio::sync::broadcast::Sender<streaming::Event>,
    pub url: String,
}

impl Shared {
    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for MastodonServer {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(front) = &self.front {
            front.abort();
        }
    }
}

impl MastodonServer {
    pub async fn start(profile: Profile) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        // With a closing front, the API listens behind it and the front is the server.
        let (public, front) = if profile.closes_connections {
            let public = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind a loopback port");
            let upstream = listener.local_addr().expect("address");
            let url = format!("http://{}", public.local_addr().expect("address"));
            (url, Some(tokio::spawn(closing::serve(public, upstream))))
        } else {
            (
                format!("http://{}", listener.local_addr().expect("address")),
                None,
            )
        };
        let url = public;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(profile)),
            streams: tokio::sync::broadcast::channel(256).0,
            url: url.clone(),
        });
        let app = api::router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            shared,
            task,
            front,
        }
    }

    /// The server's origin, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The host as it appears in `acct` and handles, e.g. `127.0.0.1:41234`.
    pub fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// A new account, with a token for setting things up as that person.
    pub fn add_user(&self, username: &str, display_name: &str) -> TestUser {
        self.shared.state().add_user(username, display_name)
    }

    /// Posts as `user`: `@username` in the text mentions that local account, and a reply
    /// notifies the author it answers. Returns the new status id.
    pub fn post(
        &self,
        user: &TestUser,
        text: &str,
        in_reply_to: Option<&str>,
        visibility: &str,
    ) -> String {
        let (id, events) = self
            .shared
            .state()
            .post(&user.id, text, in_reply_to, visibility, "", &self.url)
            .expect("a valid post");
        for event in events {
            let _ = self.shared.streams.send(event);
        }
        id
    }

    /// Posts as `user` a status quoting `quoted` (Mastodon 4.5's `quoted_status_id`); the
    /// quoted author is notified where the profile knows quotes. Returns the new status id.
    pub fn quote(&self, user: &TestUser, text: &str, quoted: &str) -> String {
        let (id, mut events) = self
            .shared
            .state()
            .post(&user.id, text, None, "public", "", &self.url)
            .expect("a valid post");
        events.extend(
            self.shared
                .state()
                .quote(&id, quoted)
                .expect("a status to quote"),
        );
        for event in events {
            let _ = self.shared.streams.send(event);
        }
        id
    }

    /// Deletes `user`'s status `id`, as they would from any app: its notifications go, and
    /// every stream hears a `delete`.
    pub fn delete(&self, user: &TestUser, id: &str) {
        {
            let mut state = self.shared.state();
            let owned = state.statuses.get(id).is_some_and(|s| s.account == user.id);
            assert!(owned, "{} has no status {id}", user.username);
            state.remove_status(id);
        }
        let _ = self
            .shared
            .streams
            .send(streaming::Event::Delete { id: id.to_owned() });
    }

    /// Moves a status (and the notifications it caused) back in time, as if written `ago`.
    pub fn backdate(&self, status_id: &str, ago: std::time::Duration) {
        let at = jiff::Timestamp::now() - jiff::SignedDuration::try_from(ago).unwrap_or_default();
        let mut state = self.shared.state();
        if let Some(status) = state.statuses.get_mut(status_id) {
            status.created_at = at;
        }
        for notification in state
            .notifications
            .iter_mut()
            .filter(|n| n.status.as_deref() == Some(status_id))
        {
            notification.created_at = at;
        }
    }

    /// Makes the notifications about `status_id` come out broken (no account, no time).
    pub fn garble_notifications_of(&self, status_id: &str) {
        self.shared.state().garbled.insert(status_id.to_owned());
    }

    /// Makes a status's `url` say `url`, as a hostile or broken server might.
    pub fn set_url(&self, status_id: &str, url: &str) {
        self.shared
            .state()
            .url_overrides
            .insert(status_id.to_owned(), url.to_owned());
    }

    /// A notification of any type (`severed_relationships`, `moderation_warning`, …) from
    /// `sender` to `recipient`, with no status.
    pub fn notify(&self, recipient: &TestUser, sender: &TestUser, kind: &str) {
        let mut state = self.shared.state();
        let id = state.next_id();
        state.notifications.push(state::Notification {
            id,
            kind: kind.to_owned(),
            recipient: recipient.id.clone(),
            account: sender.id.clone(),
            status: None,
            created_at: jiff::Timestamp::now(),
            filtered: false,
        });
    }

    /// From now on, notifications from `sender` to `recipient` are filtered into a
    /// notification request (Mastodon 4.3's policy for strangers).
    pub fn filter_strangers(&self, recipient: &TestUser, sender: &TestUser) {
        self.shared
            .state()
            .filtered
            .insert((recipient.id.clone(), sender.id.clone()));
    }

    /// Answers the next `count` requests whose path starts with `prefix` with 429 and a
    /// reset `reset_in` seconds ahead.
    pub fn rate_limit_next(&self, prefix: &str, count: usize, reset_in: i64) {
        self.shared
            .state()
            .rate_limits
            .push((prefix.to_owned(), count, reset_in));
    }

    /// Answers the next `count` requests whose path starts with `prefix` with a 500, as a
    /// server in trouble does. Nothing behind the failed request happens.
    pub fn fail_next(&self, prefix: &str, count: usize) {
        self.refuse_next(prefix, count, 500, "Internal server error");
    }

    /// Answers the next `count` requests whose path starts with `prefix` with `status` and
    /// `{"error": error}`, acting on none of them (a 422 "Validation failed", a 403…).
    pub fn refuse_next(&self, prefix: &str, count: usize, status: u16, error: &str) {
        self.shared
            .state()
            .failures
            .push((prefix.to_owned(), count, status, error.to_owned()));
    }

    /// Closes every open streaming connection, as a server restart or network drop would.
    pub fn drop_streams(&self) {
        let _ = self.shared.streams.send(streaming::Event::Disconnect);
    }

    /// Revokes every token of `user`, as "sign out of all apps" on the server would.
    pub fn revoke_tokens(&self, user: &TestUser) {
        self.shared
            .state()
            .tokens
            .retain(|_, account| *account != user.id);
    }

    /// The statuses `user` posted, newest first, as (id, plain text, visibility,
    /// in_reply_to_id).
    pub fn statuses_of(&self, user: &TestUser) -> Vec<(String, String, String, Option<String>)> {
        self.shared.state().statuses_of(&user.id)
    }

    /// A status's content warning and language, as the author sent them.
    pub fn warning_and_language(&self, status_id: &str) -> Option<(String, Option<String>)> {
        let state = self.shared.state();
        let status = state.statuses.get(status_id)?;
        Some((status.spoiler_text.clone(), status.language.clone()))
    }

    /// The statuses `user` has scheduled: (id, text, scheduled_at).
    pub fn scheduled_of(&self, user: &TestUser) -> Vec<(String, String, jiff::Timestamp)> {
        let state = self.shared.state();
        state
            .scheduled
            .values()
            .filter(|s| s.account == user.id)
            .map(|s| (s.id.clone(), s.text.clone(), s.scheduled_at))
            .collect()
    }

    /// Publishes every scheduled status now, as the server does when their time comes (the
    /// tests move Earshot's clock, not the server's).
    pub fn publish_scheduled(&self) {
        let events = {
            let mut state = self.shared.state();
            let due: Vec<_> = std::mem::take(&mut state.scheduled).into_values().collect();
            let mut events = Vec::new();
            for scheduled in due {
                if let Ok((id, made)) = state.post(
                    &scheduled.account,
                    &scheduled.text,
                    scheduled.in_reply_to.as_deref(),
                    &scheduled.visibility,
                    &scheduled.spoiler_text,
                    &self.url,
                ) {
                    if let Some(status) = state.statuses.get_mut(&id) {
                        status.language = scheduled.language;
                        status.media = scheduled.media;
                    }
                    events.extend(made);
                }
            }
            events
        };
        for event in events {
            let _ = self.shared.streams.send(event);
        }
    }

    /// A status's attachments: each one's type and description.
    pub fn media_of(&self, status_id: &str) -> Vec<(String, Option<String>)> {
        let state = self.shared.state();
        state
            .statuses
            .get(status_id)
            .map(|status| {
                status
                    .media
                    .iter()
                    .filter_map(|id| state.media.get(id))
                    .map(|m| (m.mime.clone(), m.description.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many requests reached `path` (without query), to check what a client asked for.
    pub fn requests_to(&self, path: &str) -> usize {
        self.shared
            .state()
            .requests
            .iter()
            .filter(|p| p.split('?').next() == Some(path))
            .count()
    }

    /// Every request path (with query), in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.state().requests.clone()
    }
}
