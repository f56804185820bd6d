//! `GET /api/v1/streaming`: a WebSocket that sends the `user` / `user:notification` streams'
//! `notification` events, each payload the Notification entity as a JSON *string*, and the
//! `hashtag` stream's new public statuses where the profile streams hashtags.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};

use crate::Shared;
use crate::entities;

#[derive(Debug, Clone)]
pub(crate) enum Event {
    Notification {
        recipient: String,
        id: String,
    },
    /// A new status: it reaches its author's own `user` stream (their home feed) as
    /// `update` (recorded from GoToSocial; Mastodon's home feed holds one's own statuses).
    Update {
        author: String,
        id: String,
    },
    /// A status was deleted: every stream hears of it (recorded from GoToSocial; Mastodon
    /// sends it to the streams that could have seen the status).
    Delete {
        id: String,
    },
    /// Every connection closes.
    Disconnect,
}

/// One subscription of a connection: a stream's name and, for `hashtag`, its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Subscription {
    stream: String,
    tag: Option<String>,
}

/// Serves one WebSocket: the stream named in the URL, plus whatever `subscribe` messages add
/// (one connection can carry several streams, each event naming its stream).
pub(crate) async fn serve(
    mut socket: WebSocket,
    shared: Arc<Shared>,
    account: String,
    stream: Option<String>,
    tag: Option<String>,
) {
    let hashtags_stream = shared.state().profile.hashtag_stream;
    let mut subscriptions: Vec<Subscription> = stream
        .map(|stream| Subscription {
            stream,
            tag: tag.map(|t| t.to_lowercase()),
        })
        .into_iter()
        .collect();
    let mut events = shared.streams.subscribe();
    loop {
        let frame = tokio::select! {
            event = events.recv() => match event {
                Ok(Event::Disconnect) | Err(_) => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                Ok(event) => frames(&shared, &account, &subscriptions, hashtags_stream, event),
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(Message::Text(text))) => {
                    subscribe(&mut subscriptions, &text);
                    Vec::new()
                }
                Some(Ok(_)) => Vec::new(),
            },
        };
        for message in frame {
            if socket
                .send(Message::Text(message.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

/// `{"type": "subscribe" | "unsubscribe", "stream": …, "tag": …}`.
fn subscribe(subscriptions: &mut Vec<Subscription>, text: &str) {
    let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let Some(stream) = message["stream"].as_str() else {
        return;
    };
    let wanted = Subscription {
        stream: stream.to_owned(),
        tag: message["tag"].as_str().map(str::to_lowercase),
    };
    match message["type"].as_str() {
        Some("subscribe") if !subscriptions.contains(&wanted) => subscriptions.push(wanted),
        Some("unsubscribe") => subscriptions.retain(|s| *s != wanted),
        _ => {}
    }
}

/// The messages one event makes on this connection: one per subscription it reaches.
fn frames(
    shared: &Shared,
    account: &str,
    subscriptions: &[Subscription],
    hashtags_stream: bool,
    event: Event,
) -> Vec<serde_json::Value> {
    let state = shared.state();
    let named = |name: &[&str], event: &str, payload: String| serde_json::json!({ "stream": name, "event": event, "payload": payload });
    let user = subscriptions
        .iter()
        .find(|s| s.stream == "user" || s.stream == "user:notification");
    match event {
        Event::Notification { recipient, id } if recipient == account => {
            let Some(user) = user else { return Vec::new() };
            let Some(n) = state.notifications.iter().find(|n| n.id == id) else {
                return Vec::new();
            };
            let payload = entities::notification(&state, n, &shared.url).to_string();
            vec![named(&[&user.stream], "notification", payload)]
        }
        Event::Update { author, id } => {
            let Some(status) = state.statuses.get(&id) else {
                return Vec::new();
            };
            let mut frames = Vec::new();
            // Its author's home feed holds it.
            if author == account && subscriptions.iter().any(|s| s.stream == "user") {
                let payload =
                    entities::status(&state, status, Some(account), &shared.url).to_string();
                frames.push(named(&["user"], "update", payload));
            }
            if hashtags_stream && status.visibility == "public" {
                let tags = status.tags();
                for subscription in subscriptions.iter().filter(|s| s.stream == "hashtag") {
                    let Some(tag) = subscription.tag.as_ref().filter(|t| tags.contains(t)) else {
                        continue;
                    };
                    let payload =
                        entities::status(&state, status, Some(account), &shared.url).to_string();
                    frames.push(named(&["hashtag", tag], "update", payload));
                }
            }
            frames
        }
        Event::Delete { id } => subscriptions
            .first()
            .map(|s| named(&[&s.stream], "delete", id))
            .into_iter()
            .collect(),
        Event::Notification { .. } | Event::Disconnect => Vec::new(),
    }
}
