//! `GET /api/v1/streaming`: a WebSocket that sends the `user` / `user:notification` streams'
//! `notification` events, each payload the Notification entity as a JSON *string*.

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

pub(crate) async fn serve(
    mut socket: WebSocket,
    shared: Arc<Shared>,
    account: String,
    stream: String,
) {
    let mut events = shared.streams.subscribe();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(Event::Notification { recipient, id }) if recipient == account => {
                    let payload = {
                        let state = shared.state();
                        let Some(n) = state.notifications.iter().find(|n| n.id == id) else { continue };
                        entities::notification(&state, n, &shared.url).to_string()
                    };
                    let message = serde_json::json!({
                        "stream": [stream],
                        "event": "notification",
                        "payload": payload,
                    });
                    if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                        return;
                    }
                }
                Ok(Event::Notification { .. }) => {}
                Ok(Event::Update { author, id }) if author == account && stream == "user" => {
                    let payload = {
                        let state = shared.state();
                        let Some(status) = state.statuses.get(&id) else { continue };
                        entities::status(&state, status, Some(&account), &shared.url).to_string()
                    };
                    let message = serde_json::json!({
                        "stream": [stream],
                        "event": "update",
                        "payload": payload,
                    });
                    if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                        return;
                    }
                }
                Ok(Event::Update { .. }) => {}
                Ok(Event::Delete { id }) => {
                    // The payload is the bare id, not JSON.
                    let message = serde_json::json!({
                        "stream": [stream],
                        "event": "delete",
                        "payload": id,
                    });
                    if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                        return;
                    }
                }
                Ok(Event::Disconnect) | Err(_) => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
