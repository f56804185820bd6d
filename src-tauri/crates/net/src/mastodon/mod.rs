//! The Mastodon client API, as Mastodon, GoToSocial, Pleroma/Akkoma and smaller servers speak
//! it (docs.joinmastodon.org/methods).
//!
//! Servers differ: some have no `/api/v2/instance`, a tiny default page size, no streaming,
//! or answer 422 instead of 401 for a bad token. So every list request sends an explicit
//! `limit`, pages by the `Link` header, and an unknown notification type never fails a page.

mod oauth;
mod streaming;

use std::time::Duration;

use earshot_core::{Sensitive, Timestamp};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use oauth::{OUT_OF_BAND, Pkce, RegisteredApp};
pub use streaming::NotificationStream;

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
}

/// A client for one server.
#[derive(Debug, Clone)]
pub struct MastodonClient {
    http: reqwest::Client,
    origin: String,
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
        let http = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            // A redirect would move the bearer token to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| MastodonError::Unreachable {
                server: origin.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self { http, origin })
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&Sensitive<String>>,
    ) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.origin));
        match token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    /// Sends a request and reads the JSON body; also returns the headers.
    async fn send<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<(T, reqwest::header::HeaderMap)> {
        let response = request
            .send()
            .await
            .map_err(|e| MastodonError::Unreachable {
                server: self.origin.clone(),
                reason: e.without_url().to_string(),
            })?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| MastodonError::Unreachable {
                server: self.origin.clone(),
                reason: e.without_url().to_string(),
            })?;
        if status.is_success() {
            let value =
                serde_json::from_slice(&bytes).map_err(|e| self.malformed(e.to_string()))?;
            return Ok((value, headers));
        }
        Err(self.error(status, &headers, &bytes))
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
        let message = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| {
                v.get("error_description")
                    .or_else(|| v.get("error"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect());
        let server = self.origin.clone();
        match status {
            StatusCode::TOO_MANY_REQUESTS => MastodonError::RateLimited {
                server,
                reset_at: headers
                    .get("x-ratelimit-reset")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok()),
            },
            // Some servers answer 422 (or 403) rather than 401 for a token they refuse.
            StatusCode::UNAUTHORIZED => MastodonError::InvalidToken { server },
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN
                if message.to_ascii_lowercase().contains("token") =>
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
        Ok(InstanceFacts {
            domain,
            version: value["version"].as_str().unwrap_or_default().to_owned(),
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
