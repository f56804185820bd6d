//! The streaming API (`/api/v1/streaming`, WebSocket): what happens to the account, as it
//! happens — notifications, its own new statuses (written in any app) and deletions.
//!
//! A stream can end at any moment (server restart, network change, laptop sleep); the caller
//! reconnects and backfills through REST, so nothing said while disconnected is missed.

use std::time::Duration;

use earshot_core::Sensitive;
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use super::{
    MastodonClient, MastodonError, Notification, NotificationKind, Result, Status, WireNotification,
};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One event of the `user` stream that Earshot acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    Notification(Notification),
    /// A status in the account's home feed: its own new statuses arrive this way.
    Update(Status),
    /// A status was deleted (the payload is its bare id).
    Delete(String),
    /// A new public status under a hashtag this stream subscribed to (as the server spells
    /// the tag in the event's `stream`).
    Hashtag {
        tag: String,
        status: Status,
    },
}

/// How long the handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// After this long without a frame the stream is pinged; a connection that stays silent as
/// long again is taken for dead (a laptop that slept, a NAT that forgot the connection).
const SILENCE_BEFORE_PING: Duration = Duration::from_secs(60);
/// The largest event Earshot reads: a status is a few kB.
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// An open `user` stream.
#[derive(Debug)]
pub struct UserStream {
    socket: Socket,
    server: String,
}

impl MastodonClient {
    /// The address of the `user` stream at `streaming_url` (from the instance facts).
    pub fn user_stream_url(streaming_url: &str) -> String {
        format!(
            "{}/api/v1/streaming?stream=user",
            streaming_url.trim_end_matches('/')
        )
    }

    /// Opens the `user` stream at `streaming_url`. The token goes in the `Authorization`
    /// header, not the URL, so it stays out of server logs.
    pub async fn stream_user(
        &self,
        streaming_url: &str,
        token: &Sensitive<String>,
    ) -> Result<UserStream> {
        self.open_stream(Self::user_stream_url(streaming_url), token)
            .await
    }

    /// Opens one stream subscribed to each of `tags` (without '#'): new public statuses under
    /// them arrive as [`StreamEvent::Hashtag`]. One connection carries every tag, as the
    /// streaming API allows.
    pub async fn stream_hashtags(
        &self,
        streaming_url: &str,
        token: &Sensitive<String>,
        tags: &[String],
    ) -> Result<UserStream> {
        let url = format!("{}/api/v1/streaming", streaming_url.trim_end_matches('/'));
        let mut stream = self.open_stream(url, token).await?;
        for tag in tags {
            let subscribe =
                serde_json::json!({ "type": "subscribe", "stream": "hashtag", "tag": tag });
            if let Err(e) = stream
                .socket
                .send(Message::Text(subscribe.to_string().into()))
                .await
            {
                return Err(stream.lost(e.to_string()));
            }
        }
        Ok(stream)
    }

    async fn open_stream(&self, url: String, token: &Sensitive<String>) -> Result<UserStream> {
        let unreachable = |reason: String| MastodonError::Unreachable {
            server: url.clone(),
            reason,
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| unreachable(e.to_string()))?;
        let headers = request.headers_mut();
        let bearer = format!("Bearer {}", token.expose());
        for (name, value) in [
            ("authorization", bearer.as_str()),
            ("user-agent", crate::USER_AGENT),
        ] {
            let value = value
                .parse()
                .map_err(|_| unreachable("a header Earshot cannot send".into()))?;
            headers.insert(name, value);
        }
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config), false);
        let connected = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
            .await
            .map_err(|_| unreachable(format!("no answer within {CONNECT_TIMEOUT:?}")))?;
        match connected {
            Ok((socket, _)) => Ok(UserStream {
                socket,
                server: self.origin.clone(),
            }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let status = response.status();
                let body = response.body().clone().unwrap_or_default();
                Err(self.error(status, response.headers(), &body))
            }
            Err(e) => Err(unreachable(super::error_chain(&e))),
        }
    }
}

impl UserStream {
    /// The next event Earshot acts on; `None` once the server closed the stream. A silent
    /// connection is pinged, and one that does not answer is reported lost.
    pub async fn next(&mut self) -> Option<Result<StreamEvent>> {
        let mut pinged = false;
        loop {
            let message = match tokio::time::timeout(SILENCE_BEFORE_PING, self.socket.next()).await
            {
                Ok(Some(message)) => message,
                Ok(None) => return None,
                Err(_) if !pinged => {
                    pinged = true;
                    if let Err(e) = self.socket.send(Message::Ping(Vec::new().into())).await {
                        return Some(Err(self.lost(e.to_string())));
                    }
                    continue;
                }
                Err(_) => {
                    return Some(Err(self.lost(format!(
                        "nothing heard for {:?}, not even an answer to a ping",
                        SILENCE_BEFORE_PING * 2
                    ))));
                }
            };
            pinged = false;
            let text = match message {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(_)) => return None,
                Ok(_) => continue,
                Err(e) => return Some(Err(self.lost(e.to_string()))),
            };
            match self.event(text.as_str()) {
                Ok(Some(event)) => return Some(Ok(event)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }

    fn lost(&self, reason: String) -> MastodonError {
        MastodonError::ConnectionLost {
            server: self.server.clone(),
            reason,
        }
    }

    /// Ends the stream with a close frame, as a well-behaved client does (a socket dropped
    /// without one is logged by servers as an abnormal closure).
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
        let _ = self.socket.flush().await;
    }

    /// A `notification`, `update` or `delete` event; other events are `None`.
    fn event(&self, text: &str) -> Result<Option<StreamEvent>> {
        let malformed = |reason: String| MastodonError::Malformed {
            server: self.server.clone(),
            reason,
        };
        let event: serde_json::Value =
            serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        let Some(name) = event["event"].as_str() else {
            return Ok(None);
        };
        if !matches!(name, "notification" | "update" | "delete") {
            return Ok(None);
        }
        // The payload is the entity as a JSON string inside the JSON message, or a bare id.
        let payload = event["payload"]
            .as_str()
            .ok_or_else(|| malformed(format!("a {name} event without a payload")))?;
        Ok(Some(match name {
            "notification" => {
                let wire: WireNotification =
                    serde_json::from_str(payload).map_err(|e| malformed(e.to_string()))?;
                StreamEvent::Notification(Notification {
                    id: wire.id,
                    kind: NotificationKind::parse(&wire.kind),
                    created_at: wire.created_at,
                    account: wire.account,
                    status: wire.status,
                })
            }
            "update" => {
                let status = serde_json::from_str(payload).map_err(|e| malformed(e.to_string()))?;
                match event["stream"].as_array().map(Vec::as_slice) {
                    Some([kind, tag, ..]) if kind == "hashtag" || kind == "hashtag:local" => {
                        StreamEvent::Hashtag {
                            tag: tag.as_str().unwrap_or_default().to_owned(),
                            status,
                        }
                    }
                    _ => StreamEvent::Update(status),
                }
            }
            _ => StreamEvent::Delete(payload.trim().to_owned()),
        }))
    }
}
