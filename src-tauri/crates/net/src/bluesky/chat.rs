//! Bluesky direct messages (`chat.bsky.convo.*`). They go to the account's PDS, which
//! proxies them to the chat service named in the `atproto-proxy` header with a service token
//! of its own. A PDS proxies them only for a main password or an app password made with
//! *Allow access to your direct messages*; any other session is refused with
//! `400 InvalidToken: Bad token method`, which this client says as [`XrpcError::ChatNotAllowed`]
//! (the session itself is fine: everything else keeps working).

use earshot_core::{Sensitive, Timestamp};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{RateLimit, Result, XrpcClient, XrpcError};

/// Bluesky's chat service, as `atproto-proxy` names it.
pub const DEFAULT_CHAT_SERVICE: &str = "did:web:api.bsky.chat#bsky_chat";

/// The chat service counts a message in graphemes (1000) and bytes (10000).
pub const MAX_MESSAGE_GRAPHEMES: usize = 1000;
pub const MAX_MESSAGE_BYTES: usize = 10_000;

/// Where the account stands with a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvoStatus {
    /// Someone wrote first and the account has neither accepted nor answered.
    Request,
    Accepted,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMember {
    pub did: String,
    pub handle: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub id: String,
    pub rev: String,
    /// `None` for a message deleted (for the account).
    pub text: Option<String>,
    pub facets: Option<Value>,
    pub sender: String,
    pub sent_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convo {
    pub id: String,
    pub rev: String,
    pub members: Vec<ChatMember>,
    pub status: ConvoStatus,
    pub unread: u32,
    pub last_message: Option<ChatMessage>,
}

/// One change in the account's conversations, oldest first in a log page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    BeginConvo {
        convo: String,
    },
    AcceptConvo {
        convo: String,
    },
    LeaveConvo {
        convo: String,
    },
    CreateMessage {
        convo: String,
        message: ChatMessage,
    },
    /// Deleted for the account (by the account, from any app).
    DeleteMessage {
        convo: String,
        message_id: String,
    },
    /// Anything else the service logs (reads, reactions, mutes…), kept by type.
    Other {
        kind: String,
    },
}

/// A page of something, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatPage<T> {
    pub items: Vec<T>,
    pub cursor: Option<String>,
    pub rate_limit: RateLimit,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMember {
    did: String,
    handle: String,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSender {
    did: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMessage {
    #[serde(rename = "$type", default)]
    kind: Option<String>,
    id: String,
    rev: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    facets: Option<Value>,
    sender: WireSender,
    sent_at: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireConvo {
    id: String,
    rev: String,
    members: Vec<WireMember>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    unread_count: u32,
    #[serde(default)]
    last_message: Option<Value>,
}

impl XrpcClient {
    /// The account's conversations, newest first: `status` `request` or `accepted` (`None`:
    /// both).
    pub async fn list_convos(
        &self,
        access: &Sensitive<String>,
        proxy: &str,
        status: Option<&str>,
        cursor: Option<&str>,
        limit: u8,
    ) -> Result<ChatPage<Convo>> {
        let limit = limit.clamp(1, 100).to_string();
        let mut query = vec![("limit", limit.as_str())];
        query.extend(status.map(|s| ("status", s)));
        query.extend(cursor.map(|c| ("cursor", c)));
        self.chat_page(
            "chat.bsky.convo.listConvos",
            &query,
            access,
            proxy,
            "convos",
            |c| self.convo(c),
        )
        .await
    }

    /// A conversation's messages, newest first; deleted ones have no text.
    pub async fn get_messages(
        &self,
        access: &Sensitive<String>,
        proxy: &str,
        convo: &str,
        cursor: Option<&str>,
        limit: u8,
    ) -> Result<ChatPage<ChatMessage>> {
        let limit = limit.clamp(1, 100).to_string();
        let mut query = vec![("convoId", convo), ("limit", limit.as_str())];
        query.extend(cursor.map(|c| ("cursor", c)));
        // System messages (groups) have no sender: not something anyone is owed.
        self.chat_page(
            "chat.bsky.convo.getMessages",
            &query,
            access,
            proxy,
            "messages",
            |m| self.message(m),
        )
        .await
    }

    /// What changed since `cursor` (`None`: from the start the service keeps), oldest first.
    pub async fn get_log(
        &self,
        access: &Sensitive<String>,
        proxy: &str,
        cursor: Option<&str>,
    ) -> Result<ChatPage<LogEntry>> {
        let query: Vec<(&str, &str)> = cursor.map(|c| ("cursor", c)).into_iter().collect();
        self.chat_page(
            "chat.bsky.convo.getLog",
            &query,
            access,
            proxy,
            "logs",
            |entry| Some(self.log_entry(entry)),
        )
        .await
    }

    /// Sends `text` (with its facets) into a conversation.
    pub async fn send_message(
        &self,
        access: &Sensitive<String>,
        proxy: &str,
        convo: &str,
        text: &str,
        facets: Option<Value>,
    ) -> Result<ChatMessage> {
        let mut message = json!({ "text": text });
        if let Some(facets) = facets {
            message["facets"] = facets;
        }
        let nsid = "chat.bsky.convo.sendMessage";
        let (reply, _): (Value, _) = self
            .chat(
                Method::POST,
                nsid,
                &[],
                access,
                proxy,
                Some(json!({ "convoId": convo, "message": message })),
            )
            .await?;
        self.message(&reply)
            .ok_or_else(|| self.malformed(format!("{nsid} answered without a message")))
    }

    /// Marks a conversation read up to `message` (its newest when `None`).
    pub async fn update_read(
        &self,
        access: &Sensitive<String>,
        proxy: &str,
        convo: &str,
        message: Option<&str>,
    ) -> Result<()> {
        let mut body = json!({ "convoId": convo });
        if let Some(message) = message {
            body["messageId"] = message.into();
        }
        self.chat_procedure("chat.bsky.convo.updateRead", access, proxy, body)
            .await
    }

    /// Accepts a conversation request.
    pub async fn accept_convo(
        &self,
        access: &Sensitive<String>,
        proxy: &str,
        convo: &str,
    ) -> Result<()> {
        let body = json!({ "convoId": convo });
        self.chat_procedure("chat.bsky.convo.acceptConvo", access, proxy, body)
            .await
    }

    /// Leaves a conversation (how a request is declined).
    pub async fn leave_convo(
        &self,
        access: &Sensitive<String>,
        proxy: &str,
        convo: &str,
    ) -> Result<()> {
        let body = json!({ "convoId": convo });
        self.chat_procedure("chat.bsky.convo.leaveConvo", access, proxy, body)
            .await
    }

    /// A chat procedure whose answer Earshot does not need.
    async fn chat_procedure(
        &self,
        nsid: &str,
        access: &Sensitive<String>,
        proxy: &str,
        body: Value,
    ) -> Result<()> {
        self.chat::<Value>(Method::POST, nsid, &[], access, proxy, Some(body))
            .await
            .map(|_| ())
    }

    /// One chat call through the PDS, proxied to `proxy` (`did#service`).
    async fn chat<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        access: &Sensitive<String>,
        proxy: &str,
        body: Option<Value>,
    ) -> Result<(T, RateLimit)> {
        let mut request = self
            .http
            .request(method, format!("{}/xrpc/{nsid}", self.service))
            .query(query)
            .bearer_auth(access.expose())
            .header("atproto-proxy", proxy);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await.map_err(|error| match error {
            XrpcError::Server { error, message, .. }
                if error == "InvalidToken" && message == "Bad token method" =>
            {
                XrpcError::ChatNotAllowed
            }
            other => other,
        })
    }

    /// A page of a chat list: the entries under `field`, each read by `read` (entries it
    /// cannot read are left out), and the cursor to the next page.
    async fn chat_page<T>(
        &self,
        nsid: &str,
        query: &[(&str, &str)],
        access: &Sensitive<String>,
        proxy: &str,
        field: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<ChatPage<T>> {
        let (reply, rate_limit): (Value, _) = self
            .chat(Method::GET, nsid, query, access, proxy, None)
            .await?;
        let entries = reply[field]
            .as_array()
            .ok_or_else(|| self.malformed(format!("{nsid} answered without {field}")))?;
        Ok(ChatPage {
            items: entries.iter().filter_map(read).collect(),
            cursor: reply["cursor"].as_str().map(str::to_owned),
            rate_limit,
        })
    }

    fn message(&self, value: &Value) -> Option<ChatMessage> {
        let wire: WireMessage = serde_json::from_value(value.clone()).ok()?;
        let deleted = wire
            .kind
            .as_deref()
            .is_some_and(|kind| kind.ends_with("#deletedMessageView"));
        Some(ChatMessage {
            id: wire.id,
            rev: wire.rev,
            text: if deleted {
                None
            } else {
                Some(wire.text.unwrap_or_default())
            },
            facets: wire.facets,
            sender: wire.sender.did,
            sent_at: wire.sent_at.parse().ok()?,
        })
    }

    fn convo(&self, value: &Value) -> Option<Convo> {
        let wire: WireConvo = serde_json::from_value(value.clone()).ok()?;
        Some(Convo {
            id: wire.id,
            rev: wire.rev,
            members: wire
                .members
                .into_iter()
                .map(|m| ChatMember {
                    did: m.did,
                    handle: m.handle,
                    display_name: m.display_name.filter(|n| !n.trim().is_empty()),
                })
                .collect(),
            status: match wire.status.as_deref() {
                Some("request") => ConvoStatus::Request,
                Some("accepted") | None => ConvoStatus::Accepted,
                Some(other) => ConvoStatus::Other(other.to_owned()),
            },
            unread: wire.unread_count,
            last_message: wire.last_message.as_ref().and_then(|m| self.message(m)),
        })
    }

    fn log_entry(&self, value: &Value) -> LogEntry {
        let kind = value["$type"].as_str().unwrap_or_default();
        let convo = value["convoId"].as_str().unwrap_or_default().to_owned();
        match kind.rsplit('#').next().unwrap_or_default() {
            "logBeginConvo" => LogEntry::BeginConvo { convo },
            "logAcceptConvo" => LogEntry::AcceptConvo { convo },
            "logLeaveConvo" => LogEntry::LeaveConvo { convo },
            "logCreateMessage" => match self.message(&value["message"]) {
                Some(message) => LogEntry::CreateMessage { convo, message },
                None => LogEntry::Other {
                    kind: kind.to_owned(),
                },
            },
            "logDeleteMessage" => match value["message"]["id"].as_str() {
                Some(id) => LogEntry::DeleteMessage {
                    convo,
                    message_id: id.to_owned(),
                },
                None => LogEntry::Other {
                    kind: kind.to_owned(),
                },
            },
            _ => LogEntry::Other {
                kind: kind.to_owned(),
            },
        }
    }
}
