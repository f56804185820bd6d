//! The AT Protocol over XRPC, as Bluesky's servers speak it.
//!
//! Sign-in goes to the account's PDS with `com.atproto.server.createSession`, which is
//! rate-limited (30 per 5 minutes, 300 per day): callers keep the session and refresh it
//! rather than signing in again. Everything else (notifications, threads, writes) also goes to
//! the PDS, which answers for the account's repository and proxies `app.bsky.*` reads to the
//! AppView with its own service token.

mod chat;
mod identity;
mod records;

pub use chat::{
    ChatMember, ChatMessage, ChatPage, Convo, ConvoStatus, DEFAULT_CHAT_SERVICE, LogEntry,
    MAX_MESSAGE_BYTES, MAX_MESSAGE_GRAPHEMES,
};

pub use identity::DEFAULT_PLC_DIRECTORY;
pub use records::{
    Author, Notification, NotificationPage, OwnPost, OwnPostPage, PostRecord, PostSearch, PostView,
    Reason, SearchPage, StrongRef, Thread, ThreadPost, ThreadRole,
};

use base64::Engine as _;
use earshot_core::Sensitive;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// What the person signed in with, read from the access token's scope. Earshot asks for an
/// app password; a main password works but deserves a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    AppPassword,
    /// An app password that may also read direct messages.
    PrivilegedAppPassword,
    MainPassword,
    /// A scope this version does not know; treated like an app password.
    Other,
}

/// A signed-in session. The tokens never leave Rust: `Sensitive` keeps them out of logs and
/// serialisation; the engine stores them in the keyring.
#[derive(Debug, Clone)]
pub struct Session {
    pub did: String,
    pub handle: String,
    pub access_jwt: Sensitive<String>,
    pub refresh_jwt: Sensitive<String>,
    pub credential: Credential,
    /// When the access token expires (Unix seconds), if the token says.
    pub access_expires_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum XrpcError {
    #[error("The server did not accept these details: {message}")]
    InvalidCredentials { message: String },
    #[error("The session has expired and must be refreshed.")]
    ExpiredToken,
    #[error("The server asks Earshot to slow down for a while.")]
    RateLimited {
        /// When the server says the limit resets (Unix seconds).
        reset_at: Option<i64>,
    },
    #[error("Earshot could not reach {service}: {reason}")]
    Unreachable { service: String, reason: String },
    #[error("{service} sent a reply Earshot cannot read: {reason}")]
    Malformed { service: String, reason: String },
    /// The PDS refuses direct messages to this session: an app password made without
    /// *Allow access to your direct messages*.
    #[error(
        "This app password cannot read direct messages. In Bluesky, go to Settings → Privacy and \
         security → App passwords, add one with \"Allow access to your direct messages\" ticked, \
         and sign in again with it. Mentions and replies keep syncing meanwhile."
    )]
    ChatNotAllowed,
    #[error("{service} answered {status}: {message}")]
    Server {
        service: String,
        status: u16,
        error: String,
        message: String,
    },
}

pub type Result<T, E = XrpcError> = std::result::Result<T, E>;

/// What a server said about its rate limit on a successful reply (`ratelimit-*` headers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests left in the current window.
    pub remaining: Option<i64>,
    /// When the window resets (Unix seconds).
    pub reset_at: Option<i64>,
}

/// A client for one PDS (or any XRPC service).
#[derive(Debug, Clone)]
pub struct XrpcClient {
    http: reqwest::Client,
    service: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionReply {
    did: String,
    handle: String,
    access_jwt: String,
    refresh_jwt: String,
}

#[derive(Deserialize)]
struct ErrorReply {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct ResolveHandleReply {
    did: String,
}

impl XrpcClient {
    /// `service` is the server's origin, e.g. `https://bsky.social`.
    pub fn new(service: impl Into<String>) -> Result<Self> {
        let service = service.into().trim_end_matches('/').to_owned();
        let http = crate::http_client(usize::MAX).map_err(|e| XrpcError::Unreachable {
            service: service.clone(),
            reason: e.to_string(),
        })?;
        Ok(Self { http, service })
    }

    /// Signs in with a handle, DID or email and a password (an app password, ideally).
    pub async fn create_session(
        &self,
        identifier: &str,
        password: &Sensitive<String>,
    ) -> Result<Session> {
        let body = serde_json::json!({ "identifier": identifier, "password": password.expose() });
        let reply: SessionReply = self
            .call(
                Method::POST,
                "com.atproto.server.createSession",
                None,
                Some(body),
            )
            .await?;
        self.session(reply)
    }

    /// Trades the refresh token for a new session (both tokens are replaced).
    pub async fn refresh_session(&self, refresh_jwt: &Sensitive<String>) -> Result<Session> {
        let reply: SessionReply = self
            .call(
                Method::POST,
                "com.atproto.server.refreshSession",
                Some(refresh_jwt),
                None,
            )
            .await?;
        self.session(reply)
    }

    /// The DID a handle points to.
    pub async fn resolve_handle(&self, handle: &str) -> Result<String> {
        let (reply, _): (ResolveHandleReply, _) = self
            .call_with_limits(
                Method::GET,
                "com.atproto.identity.resolveHandle",
                &[("handle", handle)],
                None,
                None,
            )
            .await?;
        Ok(reply.did)
    }

    fn session(&self, reply: SessionReply) -> Result<Session> {
        let claims = jwt_claims(&reply.access_jwt)
            .map_err(|reason| self.malformed(format!("unreadable access token ({reason})")))?;
        let credential = match claims.scope.as_deref() {
            Some("com.atproto.access") => Credential::MainPassword,
            Some("com.atproto.appPass") => Credential::AppPassword,
            Some("com.atproto.appPassPrivileged") => Credential::PrivilegedAppPassword,
            _ => Credential::Other,
        };
        Ok(Session {
            did: reply.did,
            handle: reply.handle,
            access_jwt: Sensitive::new(reply.access_jwt),
            refresh_jwt: Sensitive::new(reply.refresh_jwt),
            credential,
            access_expires_at: claims.exp,
        })
    }

    /// One XRPC call without query parameters.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        nsid: &str,
        bearer: Option<&Sensitive<String>>,
        body: Option<serde_json::Value>,
    ) -> Result<T> {
        self.call_with_limits(method, nsid, &[], bearer, body)
            .await
            .map(|(value, _)| value)
    }

    /// One XRPC call, also returning what the server said about its rate limit.
    async fn call_with_limits<T: DeserializeOwned>(
        &self,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        bearer: Option<&Sensitive<String>>,
        body: Option<serde_json::Value>,
    ) -> Result<(T, RateLimit)> {
        let mut request = self
            .http
            .request(method, format!("{}/xrpc/{nsid}", self.service))
            .query(query);
        if let Some(token) = bearer {
            request = request.bearer_auth(token.expose());
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// Uploads an image to the account's repository; the returned blob goes into a record
    /// (`app.bsky.embed.images`). Uploading the same bytes twice gives the same blob.
    pub async fn upload_blob(
        &self,
        access: &Sensitive<String>,
        mime: &str,
        data: Vec<u8>,
    ) -> Result<serde_json::Value> {
        let request = self
            .http
            .post(format!("{}/xrpc/com.atproto.repo.uploadBlob", self.service))
            .bearer_auth(access.expose())
            .header(reqwest::header::CONTENT_TYPE, mime)
            .body(data);
        let (mut reply, _): (serde_json::Value, _) = self.send(request).await?;
        reply
            .get_mut("blob")
            .map(serde_json::Value::take)
            .ok_or_else(|| self.malformed("uploadBlob answered without a blob".into()))
    }

    /// Sends a request and reads its JSON reply and rate limit.
    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(T, RateLimit)> {
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        let status = response.status();
        let (remaining, reset_at) = crate::rate_limit_of(response.headers());
        let limit = RateLimit {
            remaining,
            reset_at: reset_at.map(|at| at.as_second()),
        };
        let bytes = crate::read_body(response)
            .await
            .map_err(|e| self.body_error(e))?;
        if status.is_success() {
            // Some procedures (updateSeen) answer with an empty body.
            let json: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            let value = serde_json::from_slice(json).map_err(|e| self.malformed(e.to_string()))?;
            return Ok((value, limit));
        }
        Err(self.error(status, limit.reset_at, &bytes))
    }

    fn unreachable(&self, error: reqwest::Error) -> XrpcError {
        // Without the URL: a query string could carry a handle or worse into a log line.
        let reason = error.without_url().to_string();
        XrpcError::Unreachable {
            service: self.service.clone(),
            reason,
        }
    }

    fn body_error(&self, error: crate::BodyError) -> XrpcError {
        match error {
            crate::BodyError::Read(e) => self.unreachable(e),
            crate::BodyError::TooLarge => self.malformed(crate::BodyError::too_large_words()),
        }
    }

    fn malformed(&self, reason: String) -> XrpcError {
        XrpcError::Malformed {
            service: self.service.clone(),
            reason,
        }
    }

    fn error(&self, status: StatusCode, reset_at: Option<i64>, body: &[u8]) -> XrpcError {
        let reply = serde_json::from_slice::<ErrorReply>(body).unwrap_or(ErrorReply {
            error: String::new(),
            message: String::from_utf8_lossy(body).chars().take(200).collect(),
        });
        match (status, reply.error.as_str()) {
            (StatusCode::TOO_MANY_REQUESTS, _) | (_, "RateLimitExceeded") => {
                XrpcError::RateLimited { reset_at }
            }
            (_, "ExpiredToken") => XrpcError::ExpiredToken,
            (StatusCode::UNAUTHORIZED, _)
            | (_, "AuthenticationRequired" | "AuthFactorTokenRequired") => {
                XrpcError::InvalidCredentials {
                    message: reply.message,
                }
            }
            _ => XrpcError::Server {
                service: self.service.clone(),
                status: status.as_u16(),
                error: reply.error,
                message: reply.message,
            },
        }
    }
}

/// When an access token expires (Unix seconds), read from the token itself; `None` when it
/// does not say or cannot be read.
pub fn token_expiry(jwt: &str) -> Option<i64> {
    jwt_claims(jwt).ok()?.exp
}

#[derive(Deserialize)]
struct Claims {
    scope: Option<String>,
    exp: Option<i64>,
}

/// The claims of a JWT, unverified: only for reading what kind of session the server gave.
fn jwt_claims(jwt: &str) -> Result<Claims, String> {
    let payload = jwt.split('.').nth(1).ok_or("not a JWT")?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&json).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            engine.encode(r#"{"alg":"ES256K"}"#),
            engine.encode(payload)
        )
    }

    #[test]
    fn reads_scope_and_expiry_from_the_access_token() {
        let claims = jwt_claims(&jwt(r#"{"scope":"com.atproto.appPass","exp":1790000000}"#))
            .expect("a well-formed token");
        assert_eq!(claims.scope.as_deref(), Some("com.atproto.appPass"));
        assert_eq!(claims.exp, Some(1_790_000_000));
        assert!(
            jwt_claims("garbage").is_err(),
            "a token without a payload is refused"
        );
    }
}
