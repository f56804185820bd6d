//! The Mastodon client API, as Mastodon, GoToSocial, Pleroma/Akkoma and smaller servers speak
//! it (docs.joinmastodon.org/methods).
//!
//! Servers differ: some have no `/api/v2/instance`, a tiny default page size, no streaming,
//! or answer 422 instead of 401 for a bad token. So every list request sends an explicit
//! `limit`, pages by the `Link` header, and an unknown notification type never fails a page.

mod oauth;
mod streaming;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use earshot_core::{Sensitive, Timestamp};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use oauth::{OUT_OF_BAND, Pkce, RegisteredApp, Registration};
pub use streaming::{StreamEvent, UserStream};

#[derive(Debug, thiserror::Error)]
pub enum MastodonError {
    #[error("{server} no longer accepts Earshot's sign-in.")]
    InvalidToken { server: String },
    #[error("{server} asks Earshot to slow down for a while.")]
    RateLimited {
        server: String,
        /// When the server says the limit resets.
        reset_at: Option<Timestamp>,
    },
    #[error("Earshot could not reach {server}: {reason}")]
    Unreachable { server: String, reason: String },
    /// The request went out and the connection broke before the answer came: the server may
    /// or may not have acted on it.
    #[error("The connection to {server} broke before its answer arrived: {reason}")]
    ConnectionLost { server: String, reason: String },
    #[error("{server} sent a reply Earshot cannot read: {reason}")]
    Malformed { server: String, reason: String },
    #[error("{server} answered {status}: {message}")]
    Server {
        server: String,
        status: u16,
        message: String,
    },
}

pub type Result<T, E = MastodonError> = std::result::Result<T, E>;

/// What Earshot needs to know about a server before posting to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceFacts {
    pub domain: String,
    pub version: String,
    /// The server software by name ("GoToSocial", "snac"…), when the instance gives it away.
    pub software: Option<String>,
    /// The post length limit; 500 when the server does not say.
    pub max_characters: u32,
    /// How many characters any link counts for; 23 when the server does not say.
    pub characters_reserved_per_url: u32,
    /// Attachments per post; 4 when the server does not say.
    pub max_media_attachments: u32,
    /// Largest image and video upload in bytes; Mastodon's 16 MiB and 99 MiB by default.
    pub image_size_limit: u64,
    pub video_size_limit: u64,
    /// The WebSocket streaming origin, when the server has streaming.
    pub streaming_url: Option<String>,
    /// `api_versions.mastodon` (Mastodon 4.3 and later); `None` where the server does not say.
    pub api_version: Option<u32>,
}

impl InstanceFacts {
    /// Whether the server has quote posts and their notification types (`quote`,
    /// `quoted_update`): Mastodon 4.5, API version 7. Others drop the unknown type from a
    /// request, some with a warning in their log on every call.
    pub fn knows_quotes(&self) -> bool {
        self.api_version.is_some_and(|version| version >= 7)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    /// `user` for local accounts, `user@domain` for remote ones — servers are not consistent.
    pub acct: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Mention {
    pub id: String,
    pub username: String,
    pub acct: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Status {
    pub id: String,
    #[serde(default)]
    pub uri: String,
    pub created_at: String,
    pub account: Account,
    /// HTML, to be sanitised before display.
    pub content: String,
    /// The text as its author typed it, where the server says (GoToSocial always does;
    /// Mastodon only in a delete's answer).
    #[serde(default)]
    pub text: Option<String>,
    /// The status's page on the web, where the server gives one.
    #[serde(default)]
    pub url: Option<String>,
    pub visibility: String,
    #[serde(default)]
    pub spoiler_text: String,
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
    #[serde(default)]
    pub in_reply_to_account_id: Option<String>,
    #[serde(default)]
    pub mentions: Vec<Mention>,
    #[serde(default)]
    pub replies_count: u32,
    #[serde(default)]
    pub favourites_count: u32,
    #[serde(default)]
    pub reblogs_count: u32,
    #[serde(default)]
    pub favourited: Option<bool>,
    #[serde(default)]
    pub reblogged: Option<bool>,
    /// The status this one quotes (Mastodon 4.5): a `Quote` with the quoted status, or a
    /// `ShallowQuote` with its id.
    #[serde(default)]
    pub quote: Option<Quote>,
    /// The language its author chose (ISO 639), where the server says.
    #[serde(default)]
    pub language: Option<String>,
}

/// A quote, full or shallow; only the quoted status's id is kept.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Quote {
    /// `accepted`, `pending`, `rejected`, `revoked`, `deleted`, `unauthorized`…
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    quoted_status: Option<QuotedStatus>,
    #[serde(default)]
    quoted_status_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct QuotedStatus {
    id: String,
}

impl Quote {
    /// The quoted status's id, whichever form the server sent.
    pub fn quoted_status_id(&self) -> Option<&str> {
        self.quoted_status
            .as_ref()
            .map(|status| status.id.as_str())
            .or(self.quoted_status_id.as_deref())
    }
}

/// A notification type; types added by newer servers are kept by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationKind {
    Mention,
    Status,
    Reblog,
    Favourite,
    Follow,
    Quote,
    Other(String),
}

impl NotificationKind {
    fn parse(name: &str) -> Self {
        match name {
            "mention" => Self::Mention,
            "status" => Self::Status,
            "reblog" => Self::Reblog,
            "favourite" => Self::Favourite,
            "follow" => Self::Follow,
            "quote" => Self::Quote,
            other => Self::Other(other.to_owned()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub kind: NotificationKind,
    pub created_at: String,
    pub account: Account,
    pub status: Option<Status>,
}

#[derive(Deserialize)]
struct WireNotification {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created_at: String,
    account: Account,
    #[serde(default)]
    status: Option<Status>,
}

/// Which page of a list: the newest, older than an id, or just newer than an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Newest,
    OlderThan(String),
    NewerThan(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationPage {
    pub notifications: Vec<Notification>,
    /// From the `Link` header: the page after this one (older), if any.
    pub next: Option<Page>,
    /// From the `Link` header: the page before this one (newer).
    pub previous: Option<Page>,
    /// Entries skipped because they could not be read.
    pub skipped: usize,
}

/// A page of statuses; one that cannot be read is skipped, not the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPage {
    pub statuses: Vec<Status>,
    /// From the `Link` header: the page after this one (older), if any.
    pub next: Option<Page>,
    pub skipped: usize,
}

fn statuses_of(values: Vec<Value>, next: Option<Page>) -> StatusPage {
    let mut skipped = 0;
    let statuses = values
        .into_iter()
        .filter_map(|value| {
            serde_json::from_value::<Status>(value)
                .inspect_err(|e| {
                    skipped += 1;
                    tracing::warn!(error = %e, "skipped an unreadable status");
                })
                .ok()
        })
        .collect();
    StatusPage {
        statuses,
        next,
        skipped,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Context {
    pub ancestors: Vec<Status>,
    pub descendants: Vec<Status>,
}

/// A status to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStatus {
    pub text: String,
    pub in_reply_to_id: Option<String>,
    pub visibility: String,
    pub spoiler_text: String,
    /// An ISO 639 code; the server guesses when it is missing.
    pub language: Option<String>,
    /// Attachments uploaded with [`MastodonClient::upload_media`].
    pub media_ids: Vec<String>,
}

/// An uploaded attachment; only its id matters to a new status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaAttachment {
    pub id: String,
}

/// The JSON a new status is sent as.
fn status_body(status: &NewStatus) -> Value {
    let mut body = serde_json::json!({
        "status": status.text,
        "visibility": status.visibility,
    });
    if let Some(parent) = &status.in_reply_to_id {
        body["in_reply_to_id"] = parent.clone().into();
    }
    if !status.spoiler_text.is_empty() {
        body["spoiler_text"] = status.spoiler_text.clone().into();
    }
    if let Some(language) = &status.language {
        body["language"] = language.clone().into();
    }
    if !status.media_ids.is_empty() {
        body["media_ids"] = status.media_ids.clone().into();
    }
    body
}

/// A status the server will publish later (`ScheduledStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScheduledStatus {
    pub id: String,
    pub scheduled_at: String,
    #[serde(default)]
    pub params: ScheduledParams,
}

/// What a scheduled status will say, as far as Earshot compares it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ScheduledParams {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
}

/// A client for one server.
///
/// Small servers (snac) answer HTTP/1.1 without `Connection: close` and then close the socket
/// after every response, so a pooled connection may be dead when it is reused. A request that
/// fails that way is sent once more on a connection of its own when sending it twice is safe
/// (reads, the token exchange, registration), and from then on this client stops keeping idle
/// connections for that server.
#[derive(Debug, Clone)]
pub struct MastodonClient {
    pooled: reqwest::Client,
    /// The same client without idle connections: every request opens its own.
    unpooled: reqwest::Client,
    /// Set once the server was seen closing connections it had kept open.
    closes_connections: Arc<AtomicBool>,
    origin: String,
}

/// Whether a request may be sent again when its connection failed mid-way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resend {
    /// Sending it twice does no harm (GET, DELETE, the token exchange, registration).
    Safe,
    /// It may act twice (a new status): the caller's look-before-resend guard decides.
    Never,
}

impl MastodonClient {
    /// `server` is an origin (`https://mastodon.social`) or a bare domain.
    pub fn new(server: &str) -> Result<Self> {
        let server = server.trim().trim_end_matches('/');
        let origin = if server.contains("://") {
            server.to_owned()
        } else {
            format!("https://{server}")
        };
        let build = |idle_per_host: usize| {
            crate::http_client(idle_per_host).map_err(|e| MastodonError::Unreachable {
                server: origin.clone(),
                reason: error_chain(&e),
            })
        };
        Ok(Self {
            pooled: build(usize::MAX)?,
            unpooled: build(0)?,
            closes_connections: Arc::new(AtomicBool::new(false)),
            origin,
        })
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn http(&self) -> &reqwest::Client {
        if self.closes_connections.load(Ordering::Relaxed) {
            &self.unpooled
        } else {
            &self.pooled
        }
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&Sensitive<String>>,
    ) -> RequestBuilder {
        let request = self
            .http()
            .request(method, format!("{}{path}", self.origin));
        match token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    /// Sends a request and reads the JSON body; also returns the headers. Reads and other
    /// requests that are safe to repeat get a second chance on a fresh connection.
    async fn send<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<(T, reqwest::header::HeaderMap)> {
        let resend = match request.try_clone().map(RequestBuilder::build) {
            Some(Ok(built)) if matches!(*built.method(), Method::GET | Method::DELETE) => {
                Resend::Safe
            }
            _ => Resend::Never,
        };
        self.send_with(request, resend).await
    }

    async fn send_with<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        resend: Resend,
    ) -> Result<(T, reqwest::header::HeaderMap)> {
        let again = request.try_clone();
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) if dropped_midway(&e) => {
                // The server closed a connection it had kept open: stop reusing them.
                self.closes_connections.store(true, Ordering::Relaxed);
                match (resend, again) {
                    (Resend::Safe, Some(again)) => {
                        tracing::info!(server = %self.origin, error = %error_chain(&e),
                            "the server closed a kept-open connection; sending again on a new one");
                        let request = again.build().map_err(|e| self.unreachable(&e))?;
                        self.unpooled
                            .execute(request)
                            .await
                            .map_err(|e| self.unreachable(&e))?
                    }
                    _ => return Err(self.connection_lost(&e)),
                }
            }
            Err(e) => return Err(self.unreachable(&e)),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = crate::read_body(response).await.map_err(|e| match e {
            crate::BodyError::Read(e) => self.connection_lost(&e),
            crate::BodyError::TooLarge => self.malformed(crate::BodyError::too_large_words()),
        })?;
        if status.is_success() {
            let value =
                serde_json::from_slice(&bytes).map_err(|e| self.malformed(e.to_string()))?;
            return Ok((value, headers));
        }
        Err(self.error(status, &headers, &bytes))
    }

    fn unreachable(&self, error: &reqwest::Error) -> MastodonError {
        MastodonError::Unreachable {
            server: self.origin.clone(),
            reason: error_chain(error),
        }
    }

    fn connection_lost(&self, error: &reqwest::Error) -> MastodonError {
        MastodonError::ConnectionLost {
            server: self.origin.clone(),
            reason: error_chain(error),
        }
    }

    fn malformed(&self, reason: String) -> MastodonError {
        MastodonError::Malformed {
            server: self.origin.clone(),
            reason,
        }
    }

    fn error(
        &self,
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> MastodonError {
        let json = serde_json::from_slice::<Value>(body).ok();
        let field = |name: &str| {
            json.as_ref()
                .and_then(|v| v.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let message = field("error_description")
            .or_else(|| field("error"))
            .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect());
        // RFC 6750: a refused token says `error="invalid_token"` in `WWW-Authenticate`, and
        // OAuth servers put the same code in the body's `error` field.
        let oauth_says_invalid_token = field("error").as_deref() == Some("invalid_token")
            || headers
                .get_all(reqwest::header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.contains("error=\"invalid_token\""));
        let server = self.origin.clone();
        match status {
            StatusCode::TOO_MANY_REQUESTS => MastodonError::RateLimited {
                server,
                reset_at: crate::rate_limit_of(headers).1,
            },
            StatusCode::UNAUTHORIZED => MastodonError::InvalidToken { server },
            // Some servers answer 422 (or 403) rather than 401 for a token they refuse; only
            // the OAuth error code tells that from any other refusal.
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN
                if oauth_says_invalid_token =>
            {
                MastodonError::InvalidToken { server }
            }
            _ => MastodonError::Server {
                server,
                status: status.as_u16(),
                message,
            },
        }
    }

    /// The server's limits and streaming URL: `/api/v2/instance`, else `/api/v1/instance`.
    pub async fn instance(&self) -> Result<InstanceFacts> {
        let v2: Result<(Value, _)> = self
            .send(self.request(Method::GET, "/api/v2/instance", None))
            .await;
        let (value, v2) = match v2 {
            Ok((value, _)) => (value, true),
            Err(MastodonError::Server {
                status: 404 | 410, ..
            }) => {
                let (value, _) = self
                    .send(self.request(Method::GET, "/api/v1/instance", None))
                    .await?;
                (value, false)
            }
            Err(e) => return Err(e),
        };
        let statuses = &value["configuration"]["statuses"];
        let number = |v: &Value, default: u32| {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(default)
        };
        let streaming = if v2 {
            &value["configuration"]["urls"]["streaming"]
        } else {
            &value["urls"]["streaming_api"]
        };
        let domain = value[if v2 { "domain" } else { "uri" }]
            .as_str()
            .map(|d| d.trim_start_matches("https://").to_owned())
            .ok_or_else(|| self.malformed("the instance names no domain".into()))?;
        let version = value["version"].as_str().unwrap_or_default().to_owned();
        let source_url = value["source_url"].as_str().unwrap_or_default();
        Ok(InstanceFacts {
            domain,
            software: software_name(&format!("{version} {source_url}")),
            version,
            // Pleroma/Akkoma say `max_toot_chars` at the top level.
            max_characters: number(
                &statuses["max_characters"],
                number(&value["max_toot_chars"], 500),
            ),
            characters_reserved_per_url: number(&statuses["characters_reserved_per_url"], 23),
            max_media_attachments: number(&statuses["max_media_attachments"], 4),
            image_size_limit: value["configuration"]["media_attachments"]["image_size_limit"]
                .as_u64()
                .unwrap_or(16 * 1024 * 1024),
            video_size_limit: value["configuration"]["media_attachments"]["video_size_limit"]
                .as_u64()
                .unwrap_or(99 * 1024 * 1024),
            streaming_url: streaming
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            api_version: value["api_versions"]["mastodon"]
                .as_u64()
                .and_then(|v| u32::try_from(v).ok()),
        })
    }

    pub async fn verify_credentials(&self, token: &Sensitive<String>) -> Result<Account> {
        let request = self.request(
            Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(token),
        );
        Ok(self.send(request).await?.0)
    }

    /// One page of notifications of the given types (all when empty), with an explicit
    /// `limit` (some servers default to a page of 1).
    pub async fn notifications(
        &self,
        token: &Sensitive<String>,
        types: &[&str],
        page: &Page,
        limit: u8,
        include_filtered: bool,
    ) -> Result<NotificationPage> {
        let limit = limit.clamp(1, 80).to_string();
        let mut query: Vec<(&str, &str)> = types.iter().map(|t| ("types[]", *t)).collect();
        query.push(("limit", &limit));
        match page {
            Page::Newest => {}
            Page::OlderThan(id) => query.push(("max_id", id)),
            Page::NewerThan(id) => query.push(("min_id", id)),
        }
        if include_filtered {
            query.push(("include_filtered", "true"));
        }
        let request = self
            .request(Method::GET, "/api/v1/notifications", Some(token))
            .query(&query);
        let (values, headers): (Vec<Value>, _) = self.send(request).await?;
        let mut skipped = 0;
        let notifications = values
            .into_iter()
            .filter_map(
                |value| match serde_json::from_value::<WireNotification>(value) {
                    Ok(wire) => Some(Notification {
                        id: wire.id,
                        kind: NotificationKind::parse(&wire.kind),
                        created_at: wire.created_at,
                        account: wire.account,
                        status: wire.status,
                    }),
                    Err(e) => {
                        skipped += 1;
                        tracing::warn!(error = %e, "skipped an unreadable notification");
                        None
                    }
                },
            )
            .collect();
        let (next, previous) = links(&headers);
        Ok(NotificationPage {
            notifications,
            next,
            previous,
            skipped,
        })
    }

    /// A page of an account's own statuses, newest first (for replies written anywhere).
    pub async fn account_statuses(
        &self,
        token: &Sensitive<String>,
        account_id: &str,
        page: &Page,
        limit: u8,
    ) -> Result<(Vec<Status>, Option<Page>)> {
        let limit = limit.clamp(1, 40).to_string();
        let mut query = vec![("limit", limit.as_str()), ("exclude_reblogs", "true")];
        if let Page::OlderThan(id) = page {
            query.push(("max_id", id));
        }
        let path = format!("/api/v1/accounts/{account_id}/statuses");
        let request = self.request(Method::GET, &path, Some(token)).query(&query);
        let (statuses, headers): (Vec<Status>, _) = self.send(request).await?;
        Ok((statuses, links(&headers).0))
    }

    /// A page of public statuses under `tag` (without '#'), newest first. Servers differ in
    /// what they honour: some ignore `min_id`, so callers stop at statuses already read.
    pub async fn tag_timeline(
        &self,
        token: &Sensitive<String>,
        tag: &str,
        page: &Page,
        limit: u8,
    ) -> Result<StatusPage> {
        let path = format!("/api/v1/timelines/tag/{tag}");
        let request = self.request(Method::GET, &path, Some(token));
        self.status_page(request, page, limit).await
    }

    /// Statuses whose text matches `q` (`/api/v2/search`, statuses only, no remote lookup).
    /// What a server searches differs: Mastodon only with full-text search set up, and then
    /// only posts whose authors allow it; GoToSocial only the account's own posts and replies
    /// to it.
    pub async fn search_statuses(
        &self,
        token: &Sensitive<String>,
        q: &str,
        page: &Page,
        limit: u8,
    ) -> Result<StatusPage> {
        #[derive(Deserialize)]
        struct Results {
            #[serde(default)]
            statuses: Vec<Value>,
        }
        let limit = limit.clamp(1, 40).to_string();
        let mut query = vec![
            ("q", q),
            ("type", "statuses"),
            ("resolve", "false"),
            ("limit", limit.as_str()),
        ];
        match page {
            Page::Newest => {}
            Page::OlderThan(id) => query.push(("max_id", id)),
            Page::NewerThan(id) => query.push(("min_id", id)),
        }
        let request = self
            .request(Method::GET, "/api/v2/search", Some(token))
            .query(&query);
        let (results, _): (Results, _) = self.send(request).await?;
        Ok(statuses_of(results.statuses, None))
    }

    async fn status_page(
        &self,
        request: RequestBuilder,
        page: &Page,
        limit: u8,
    ) -> Result<StatusPage> {
        let limit = limit.clamp(1, 40).to_string();
        let mut query = vec![("limit", limit.as_str())];
        match page {
            Page::Newest => {}
            Page::OlderThan(id) => query.push(("max_id", id)),
            Page::NewerThan(id) => query.push(("min_id", id)),
        }
        let (values, headers): (Vec<Value>, _) = self.send(request.query(&query)).await?;
        Ok(statuses_of(values, links(&headers).0))
    }

    pub async fn status(&self, token: &Sensitive<String>, status_id: &str) -> Result<Status> {
        let path = format!("/api/v1/statuses/{status_id}");
        Ok(self
            .send(self.request(Method::GET, &path, Some(token)))
            .await?
            .0)
    }

    /// The thread around a status.
    pub async fn context(&self, token: &Sensitive<String>, status_id: &str) -> Result<Context> {
        let path = format!("/api/v1/statuses/{status_id}/context");
        Ok(self
            .send(self.request(Method::GET, &path, Some(token)))
            .await?
            .0)
    }

    /// Publishes a status. The same `idempotency_key` within about an hour returns the
    /// status created the first time instead of a duplicate.
    pub async fn post_status(
        &self,
        token: &Sensitive<String>,
        status: &NewStatus,
        idempotency_key: &str,
    ) -> Result<Status> {
        let body = status_body(status);
        let request = self
            .request(Method::POST, "/api/v1/statuses", Some(token))
            .header("Idempotency-Key", idempotency_key)
            .json(&body);
        Ok(self.send(request).await?.0)
    }

    /// Hands a status to the server to publish at `at` (`scheduled_at`, at least five
    /// minutes ahead). The idempotency key makes a repeat return the same scheduled status.
    pub async fn schedule_status(
        &self,
        token: &Sensitive<String>,
        status: &NewStatus,
        at: Timestamp,
        idempotency_key: &str,
    ) -> Result<ScheduledStatus> {
        let mut body = status_body(status);
        body["scheduled_at"] = at.to_string().into();
        let request = self
            .request(Method::POST, "/api/v1/statuses", Some(token))
            .header("Idempotency-Key", idempotency_key)
            .json(&body);
        Ok(self.send(request).await?.0)
    }

    /// A scheduled status the server still holds; `None` once it is published or cancelled.
    pub async fn scheduled_status(
        &self,
        token: &Sensitive<String>,
        id: &str,
    ) -> Result<Option<ScheduledStatus>> {
        let path = format!("/api/v1/scheduled_statuses/{id}");
        match self
            .send(self.request(Method::GET, &path, Some(token)))
            .await
        {
            Ok((scheduled, _)) => Ok(Some(scheduled)),
            Err(MastodonError::Server { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every status the server holds for later (`GET /api/v1/scheduled_statuses`), to find
    /// one Earshot asked for before asking again.
    pub async fn scheduled_statuses(
        &self,
        token: &Sensitive<String>,
    ) -> Result<Vec<ScheduledStatus>> {
        let mut all = Vec::new();
        let mut page = Page::Newest;
        // Mastodon keeps at most 300 pending; 40 a page.
        for _ in 0..8 {
            let mut query = vec![("limit", "40".to_owned())];
            if let Page::OlderThan(id) = &page {
                query.push(("max_id", id.clone()));
            }
            let request = self
                .request(Method::GET, "/api/v1/scheduled_statuses", Some(token))
                .query(&query);
            let (scheduled, headers): (Vec<ScheduledStatus>, _) = self.send(request).await?;
            let empty = scheduled.is_empty();
            all.extend(scheduled);
            match links(&headers).0 {
                Some(next) if !empty => page = next,
                _ => break,
            }
        }
        Ok(all)
    }

    /// Cancels a scheduled status. One the server no longer holds counts as cancelled.
    pub async fn cancel_scheduled_status(&self, token: &Sensitive<String>, id: &str) -> Result<()> {
        let path = format!("/api/v1/scheduled_statuses/{id}");
        match self
            .send::<Value>(self.request(Method::DELETE, &path, Some(token)))
            .await
        {
            Ok(_) | Err(MastodonError::Server { status: 404, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Uploads an image with its description (`POST /api/v2/media`). The server may still be
    /// processing it when it answers (202); a status that attaches it too early is refused
    /// with 422 and can be sent again.
    pub async fn upload_media(
        &self,
        token: &Sensitive<String>,
        data: Vec<u8>,
        mime: &str,
        description: &str,
    ) -> Result<MediaAttachment> {
        let extension = mime.rsplit('/').next().unwrap_or("bin");
        let file = reqwest::multipart::Part::bytes(data)
            .file_name(format!("image.{extension}"))
            .mime_str(mime)
            .map_err(|e| self.malformed(format!("image type {mime}: {e}")))?;
        let mut form = reqwest::multipart::Form::new().part("file", file);
        if !description.is_empty() {
            form = form.text("description", description.to_owned());
        }
        let request = self
            .request(Method::POST, "/api/v2/media", Some(token))
            .multipart(form);
        Ok(self.send(request).await?.0)
    }

    /// Moves the notifications read marker (`/api/v1/markers`), so other clients know the
    /// person has seen everything up to `last_read_id`.
    pub async fn save_notifications_marker(
        &self,
        token: &Sensitive<String>,
        last_read_id: &str,
    ) -> Result<()> {
        let body = serde_json::json!({ "notifications": { "last_read_id": last_read_id } });
        let request = self
            .request(Method::POST, "/api/v1/markers", Some(token))
            .json(&body);
        let _: (Value, _) = self.send(request).await?;
        Ok(())
    }

    /// Where the notifications read marker stands, if the server has one.
    pub async fn notifications_marker(&self, token: &Sensitive<String>) -> Result<Option<String>> {
        let request = self
            .request(Method::GET, "/api/v1/markers", Some(token))
            .query(&[("timeline[]", "notifications")]);
        let (value, _): (Value, _) = self.send(request).await?;
        Ok(value["notifications"]["last_read_id"]
            .as_str()
            .map(str::to_owned))
    }

    pub async fn favourite(&self, token: &Sensitive<String>, status_id: &str) -> Result<Status> {
        let path = format!("/api/v1/statuses/{status_id}/favourite");
        Ok(self
            .send(self.request(Method::POST, &path, Some(token)))
            .await?
            .0)
    }

    pub async fn reblog(&self, token: &Sensitive<String>, status_id: &str) -> Result<Status> {
        let path = format!("/api/v1/statuses/{status_id}/reblog");
        Ok(self
            .send(self.request(Method::POST, &path, Some(token)))
            .await?
            .0)
    }
}

/// The `next` (older) and `prev` (newer) pages named by a `Link` header.
fn links(headers: &reqwest::header::HeaderMap) -> (Option<Page>, Option<Page>) {
    let mut next = None;
    let mut previous = None;
    for link in headers.get_all(reqwest::header::LINK) {
        let Ok(link) = link.to_str() else { continue };
        for part in link.split(',') {
            let Some((target, params)) = part.split_once(';') else {
                continue;
            };
            let url = target.trim().trim_start_matches('<').trim_end_matches('>');
            let Ok(url) = reqwest::Url::parse(url) else {
                continue;
            };
            let param = |name: &str| {
                url.query_pairs()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.into_owned())
            };
            if params.contains("rel=\"next\"") {
                next = param("max_id").map(Page::OlderThan);
            } else if params.contains("rel=\"prev\"") {
                previous = param("min_id")
                    .or_else(|| param("since_id"))
                    .map(Page::NewerThan);
            }
        }
    }
    (next, previous)
}

/// The server software named in its version string or source address (GoToSocial's version
/// can be empty, its `source_url` never is; snac writes "4.0.0 (not true; really snac/2.94)").
fn software_name(hints: &str) -> Option<String> {
    let hints = hints.to_ascii_lowercase();
    [
        ("gotosocial", "GoToSocial"),
        ("snac", "snac"),
        ("akkoma", "Akkoma"),
        ("pleroma", "Pleroma"),
        ("mastodon", "Mastodon"),
    ]
    .into_iter()
    .find(|(hint, _)| hints.contains(hint))
    .map(|(_, name)| name.to_owned())
}

/// An error with every cause behind it: "error sending request: connection closed before
/// message completed", not just the first words.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut words = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_words = inner.to_string();
        if !words.contains(&inner_words) {
            words.push_str(": ");
            words.push_str(&inner_words);
        }
        cause = inner.source();
    }
    words
}

/// A request that failed after its connection was open: the server closed or reset it
/// (not a refused connection, not a timeout).
fn dropped_midway(error: &reqwest::Error) -> bool {
    !error.is_connect() && !error.is_timeout() && error.is_request()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use reqwest::header::{HeaderMap, HeaderValue, LINK};

    use super::{Page, links};

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    fn header(value: &str) -> Option<HeaderMap> {
        let value = HeaderValue::from_str(value).ok()?;
        let mut headers = HeaderMap::new();
        headers.insert(LINK, value);
        Some(headers)
    }

    proptest! {
        #![proptest_config(config())]

        /// Whatever a server puts in `Link`, reading it never panics.
        #[test]
        fn any_link_header_reads_without_panic(value in any::<String>()) {
            if let Some(headers) = header(&value) {
                let _ = links(&headers);
            }
        }

        /// A well-formed header gives its pages, in either order, with other parameters
        /// around the id (as GoToSocial echoes its filters).
        #[test]
        fn the_pages_of_a_well_formed_header_are_found(
            older in "[0-9A-Z]{1,26}",
            newer in "[0-9A-Z]{1,26}",
            extra in "(&[a-z_]{1,10}=[a-z0-9]{0,5}){0,3}",
            prev_first in any::<bool>(),
        ) {
            let base = "https://example.org/api/v1/notifications";
            let next = format!("<{base}?limit=40&max_id={older}{extra}>; rel=\"next\"");
            let prev = format!("<{base}?min_id={newer}{extra}&limit=40>; rel=\"prev\"");
            let value = if prev_first { format!("{prev}, {next}") } else { format!("{next}, {prev}") };
            let headers = header(&value).expect("a valid header");
            prop_assert_eq!(
                links(&headers),
                (Some(Page::OlderThan(older)), Some(Page::NewerThan(newer)))
            );
        }
    }

    /// Mastodon 4.5 sends a `Quote` (with the quoted status) at the top and a `ShallowQuote`
    /// (its id only) inside it; older servers send neither.
    #[test]
    fn a_quote_names_its_quoted_status_in_either_form() {
        let status = |quote: serde_json::Value| -> super::Status {
            serde_json::from_value(serde_json::json!({
                "id": "2", "created_at": "2026-12-01T10:00:00.000Z", "content": "<p>so?</p>",
                "visibility": "public",
                "account": { "id": "9", "username": "bob", "acct": "bob" },
                "quote": quote,
            }))
            .expect("a status")
        };
        let full = status(serde_json::json!({
            "state": "accepted",
            "quoted_status": {
                "id": "1", "created_at": "2026-12-01T09:00:00.000Z", "content": "<p>Doors at 8</p>",
                "visibility": "public",
                "account": { "id": "7", "username": "alice", "acct": "alice" },
            },
        }));
        assert_eq!(
            full.quote.as_ref().and_then(|q| q.quoted_status_id()),
            Some("1")
        );
        let shallow = status(serde_json::json!({ "state": "accepted", "quoted_status_id": "1" }));
        assert_eq!(
            shallow.quote.as_ref().and_then(|q| q.quoted_status_id()),
            Some("1")
        );
        let deleted = status(serde_json::json!({ "state": "deleted", "quoted_status": null }));
        assert_eq!(
            deleted.quote.as_ref().and_then(|q| q.quoted_status_id()),
            None
        );
        assert_eq!(status(serde_json::Value::Null).quote, None);
    }
}
