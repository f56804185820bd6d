//! The streaming API (`/api/v1/streaming`, WebSocket): notifications as they happen.
//!
//! A stream can end at any moment (server restart, network change, laptop sleep); the caller
//! reconnects and backfills through REST, so nothing said while disconnected is missed.

use earshot_core::Sensitive;
use futures_util::StreamExt as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use super::{
    MastodonClient, MastodonError, Notification, NotificationKind, Result, WireNotification,
};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An open `user:notification` stream.
#[derive(Debug)]
pub struct NotificationStream {
    socket: Socket,
    server: String,
}

impl MastodonClient {
    /// Opens the notification stream at `streaming_url` (from the instance facts). The token
    /// goes in the `Authorization` header, not the URL, so it stays out of server logs.
    pub async fn stream_notifications(
        &self,
        streaming_url: &str,
        token: &Sensitive<String>,
    ) -> Result<NotificationStream> {
        let url = format!(
            "{}/api/v1/streaming?stream=user:notification",
            streaming_url.trim_end_matches('/')
        );
        let unreachable = |reason: String| MastodonError::Unreachable {
            server: self.origin.clone(),
            reason,
        };
        let mut request = url
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
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(NotificationStream {
                socket,
                server: self.origin.clone(),
            }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let status = response.status();
                let body = response.body().clone().unwrap_or_default();
                Err(self.error(status, response.headers(), &body))
            }
            Err(e) => Err(unreachable(e.to_string())),
        }
    }
}

impl NotificationStream {
    /// The next notification; `None` once the server closed the stream.
    pub async fn next(&mut self) -> Option<Result<Notification>> {
        while let Some(message) = self.socket.next().await {
            let text = match message {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(_)) => return None,
                Ok(_) => continue,
                Err(e) => {
                    return Some(Err(MastodonError::Unreachable {
                        server: self.server.clone(),
                        reason: e.to_string(),
                    }));
                }
            };
            match self.notification(text.as_str()) {
                Ok(Some(notification)) => return Some(Ok(notification)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
        None
    }

    /// A `notification` event's entity; other events (`update`, `delete`, …) are `None`.
    fn notification(&self, text: &str) -> Result<Option<Notification>> {
        let malformed = |reason: String| MastodonError::Malformed {
            server: self.server.clone(),
            reason,
        };
        let event: serde_json::Value =
            serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        if event["event"] != "notification" {
            return Ok(None);
        }
        // The payload is the entity as a JSON string inside the JSON message.
        let payload = event["payload"]
            .as_str()
            .ok_or_else(|| malformed("a notification event without a payload".into()))?;
        let wire: WireNotification =
            serde_json::from_str(payload).map_err(|e| malformed(e.to_string()))?;
        Ok(Some(Notification {
            id: wire.id,
            kind: NotificationKind::parse(&wire.kind),
            created_at: wire.created_at,
            account: wire.account,
            status: wire.status,
        }))
    }
}
