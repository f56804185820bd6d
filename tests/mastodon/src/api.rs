//! The REST routes, and the checks every request passes: the request log, `User-Agent`
//! (per profile), planned 429s.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Request, State as Axum};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::Shared;
use crate::entities;
use crate::state::{Software, State, id_number};

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new()
        .route("/api/v2/instance", get(instance_v2))
        .route("/api/v1/instance", get(instance_v1))
        .route("/api/v1/apps", post(crate::oauth::create_app))
        .route(
            "/oauth/authorize",
            get(crate::oauth::authorize_page).post(crate::oauth::authorize),
        )
        .route("/oauth/token", post(crate::oauth::token))
        .route("/oauth/revoke", post(crate::oauth::revoke))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/notifications/requests", get(notification_requests))
        .route("/api/v1/statuses", post(create_status))
        // Mastodon takes images up to 16 MB; axum's default limit is 2 MB.
        .route(
            "/api/v2/media",
            post(upload_media).layer(axum::extract::DefaultBodyLimit::max(17 * 1024 * 1024)),
        )
        .route(
            "/api/v1/statuses/{id}",
            get(one_status).delete(delete_status),
        )
        .route("/api/v1/scheduled_statuses", get(scheduled_statuses))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(scheduled_status).delete(cancel_scheduled_status),
        )
        .route("/api/v1/statuses/{id}/context", get(context))
        .route("/api/v1/statuses/{id}/favourite", post(favourite))
        .route("/api/v1/statuses/{id}/reblog", post(reblog))
        .route("/api/v1/markers", get(markers).post(save_markers))
        .route("/api/v1/streaming", get(streaming))
        .route("/api/v1/timelines/tag/{tag}", get(tag_timeline))
        .route("/api/v2/search", get(search))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), gate))
        .with_state(shared)
}

/// Form or JSON bodies, flattened to strings (arrays joined by spaces, as Mastodon accepts
/// `redirect_uris` either way).
pub(crate) fn params(body: &[u8]) -> HashMap<String, String> {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        return map
            .into_iter()
            .map(|(key, value)| {
                let text = match value {
                    Value::String(s) => s,
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (key, text)
            })
            .collect();
    }
    let mut map: HashMap<String, String> = HashMap::new();
    for (key, value) in form_pairs(body) {
        let key = key.trim_end_matches("[]").to_owned();
        map.entry(key)
            .and_modify(|existing| {
                existing.push(' ');
                existing.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded_pairs(std::str::from_utf8(body).unwrap_or_default())
}

/// `a=1&b[]=2&b[]=3` → pairs, percent-decoded.
pub(crate) fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// A request's query string, decoded.
struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    fn of(request: &Request) -> Self {
        Self(serde_urlencoded_pairs(
            request.uri().query().unwrap_or_default(),
        ))
    }

    /// The first value of `name`.
    fn one(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    /// Every value of `name`, written `name` or `name[]`.
    fn all(&self, name: &str) -> Vec<String> {
        let listed = format!("{name}[]");
        self.0
            .iter()
            .filter(|(key, _)| key == name || *key == listed)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// `limit`, or `default` without one, kept within 1 ..= `most` as the servers do.
    fn limit(&self, default: usize, most: usize) -> usize {
        self.one("limit")
            .and_then(|limit| limit.parse::<usize>().ok())
            .unwrap_or(default)
            .clamp(1, most)
    }

    /// An id parameter (`max_id`, `min_id`, `since_id`) as a number to compare.
    fn id(&self, name: &str) -> Option<u64> {
        self.one(name).map(|id| id_number(&id))
    }
}

/// `response` with a `Link` header for paging.
fn with_link(mut response: Response, link: &str) -> Response {
    if let Ok(value) = link.parse() {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

fn decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn gate(Axum(shared): Axum<Arc<Shared>>, request: Request, next: Next) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    {
        let mut state = shared.state();
        state.requests.push(path.clone());
        if state.profile.requires_user_agent && !request.headers().contains_key(header::USER_AGENT)
        {
            return (
                StatusCode::IM_A_TEAPOT,
                Json(json!({ "error": "I'm a teapot: no user-agent sent with request" })),
            )
                .into_response();
        }
        if let Some(rule) = state
            .failures
            .iter_mut()
            .find(|(prefix, left, ..)| *left > 0 && path.starts_with(prefix.as_str()))
        {
            rule.1 -= 1;
            let status = StatusCode::from_u16(rule.2).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, Json(json!({ "error": rule.3 }))).into_response();
        }
        if let Some(rule) = state
            .rate_limits
            .iter_mut()
            .find(|(prefix, left, _)| *left > 0 && path.starts_with(prefix.as_str()))
        {
            rule.1 -= 1;
            let reset = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(rule.2);
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    ("x-ratelimit-limit", "300".to_owned()),
                    ("x-ratelimit-remaining", "0".to_owned()),
                    ("x-ratelimit-reset", reset.to_string()),
                ],
                Json(json!({ "error": "Too many requests" })),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// The account a request acts as, from `Authorization: Bearer` (or, for the streaming
/// socket, `access_token` in the query).
fn viewer(state: &State, headers: &HeaderMap, query_token: Option<&str>) -> Option<String> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or(query_token);
    token.and_then(|token| state.tokens.get(token)).cloned()
}

/// A missing or bad token: 401, or what the profile's server answers instead.
fn unauthorized(state: &State) -> Response {
    let status =
        StatusCode::from_u16(state.profile.bad_token_status).unwrap_or(StatusCode::UNAUTHORIZED);
    if state.profile.software == crate::state::Software::GoToSocial {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "Unauthorized: token not supplied" })),
        )
            .into_response();
    }
    // Doorkeeper names the OAuth error in `WWW-Authenticate` (RFC 6750), whatever the status.
    (
        status,
        [(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", error_description=\"The access token is invalid\"",
        )],
        Json(json!({ "error": "The access token is invalid" })),
    )
        .into_response()
}

fn status_config(state: &State) -> Value {
    match state.profile.software {
        Software::GoToSocial => json!({
            "max_characters": state.profile.max_characters(),
            "max_media_attachments": 6,
            "characters_reserved_per_url": state.profile.characters_per_url(),
            "supported_mime_types": ["text/plain", "text/markdown"],
        }),
        Software::Snac => json!({
            "max_characters": state.profile.max_characters(),
            "max_media_attachments": 4,
            "characters_reserved_per_url": state.profile.characters_per_url(),
        }),
        Software::Mastodon => json!({
            "max_characters": state.profile.max_characters(),
            "max_media_attachments": 4,
            "characters_reserved_per_url": state.profile.characters_per_url(),
        }),
    }
}

/// The streaming origin the instance names: Mastodon's where it streams; GoToSocial's
/// always (the real one says `wss://` + its domain; here the scheme follows the test
/// server's plain HTTP, as in the recorded fixtures); snac names one it does not serve.
fn streaming_origin(state: &State, url: &str) -> Option<String> {
    let named = state.profile.streaming || state.profile.software == Software::Snac;
    named.then(|| url.replacen("http", "ws", 1))
}

fn gotosocial_media_config(state: &State) -> Value {
    json!({
        "supported_mime_types": ["image/jpeg", "image/gif", "image/webp", "image/png", "video/mp4"],
        "image_size_limit": state.profile.image_size_limit,
        "image_matrix_limit": 2147483647,
        "video_size_limit": 41943040,
        "video_frame_rate_limit": 2147483647,
        "video_matrix_limit": 2147483647,
    })
}

fn gotosocial_shared_config() -> Value {
    json!({
        "polls": {
            "max_options": 6,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2629746,
        },
        "accounts": { "allow_custom_css": false, "max_featured_tags": 10, "max_profile_fields": 6 },
        "emojis": { "emoji_size_limit": 51200 },
    })
}

async fn instance_v2(Axum(shared): Axum<Arc<Shared>>) -> Response {
    let state = shared.state();
    if !state.profile.v2_instance {
        return not_found(&state, "page not found");
    }
    let host = shared.url.trim_start_matches("http://");
    let streaming = streaming_origin(&state, &shared.url);
    if state.profile.software == Software::GoToSocial {
        let mut configuration = gotosocial_shared_config();
        configuration["urls"] = json!({
            "streaming": streaming,
            "about": format!("{}/about", shared.url),
            "privacy_policy": null,
            "terms_of_service": format!("{}/about#rules", shared.url),
        });
        configuration["statuses"] = status_config(&state);
        let mut media = gotosocial_media_config(&state);
        media["description_limit"] = 1500.into();
        configuration["media_attachments"] = media;
        configuration["translation"] = json!({ "enabled": false });
        configuration["vapid"] =
            json!({ "public_key": "BNotARealVapidKeyButShapedLikeOneForTests" });
        return Json(json!({
            "domain": host,
            "account_domain": host,
            "title": host,
            "version": "",
            "source_url": "https://codeberg.org/superseriousbusiness/gotosocial",
            "description": "",
            "usage": { "users": { "active_month": 0 } },
            "thumbnail": { "url": format!("{}/assets/logo.webp", shared.url) },
            "languages": [],
            "configuration": configuration,
            "registrations": {
                "enabled": false,
                "approval_required": true,
                "message": null,
                "min_age": null,
                "reason_required": true,
            },
            "contact": { "email": "" },
            "rules": [],
        }))
        .into_response();
    }
    Json(json!({
        "domain": host,
        "title": "Earshot test server",
        // Quotes came with Mastodon 4.5, API version 7.
        "version": if state.profile.knows_quotes { "4.5.0" } else { "4.3.0" },
        "api_versions": { "mastodon": if state.profile.knows_quotes { 7 } else { 2 } },
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A Mastodon API server for tests.",
        "configuration": {
            "urls": { "streaming": streaming },
            "statuses": status_config(&state),
            "media_attachments": {
                "image_size_limit": state.profile.image_size_limit,
                "video_size_limit": 103809024,
            },
        },
        "registrations": { "enabled": false, "approval_required": false },
    }))
    .into_response()
}

async fn instance_v1(Axum(shared): Axum<Arc<Shared>>) -> Response {
    let state = shared.state();
    let host = shared.url.trim_start_matches("http://");
    let streaming = streaming_origin(&state, &shared.url);
    match state.profile.software {
        Software::GoToSocial => {
            let mut configuration = gotosocial_shared_config();
            configuration["statuses"] = status_config(&state);
            configuration["media_attachments"] = gotosocial_media_config(&state);
            let users = state.accounts.len();
            Json(json!({
                "uri": host,
                "account_domain": host,
                "title": host,
                "description": "",
                "short_description": "",
                "email": "",
                "version": "",
                "languages": [],
                "registrations": false,
                "approval_required": true,
                "invites_enabled": false,
                "configuration": configuration,
                "urls": { "streaming_api": streaming },
                "stats": { "domain_count": 0, "status_count": state.statuses.len(), "user_count": users },
                "thumbnail": format!("{}/assets/logo.webp", shared.url),
                "max_toot_chars": state.profile.max_characters(),
                "rules": [],
            }))
            .into_response()
        }
        Software::Snac => Json(json!({
            "uri": host,
            "title": "snac test server",
            "version": "4.0.0 (not true; really snac/2.94)",
            "urls": { "streaming_api": streaming },
            "configuration": { "statuses": status_config(&state) },
        }))
        .into_response(),
        Software::Mastodon => Json(json!({
            "uri": host,
            "title": "Earshot test server",
            "version": if state.profile.v2_instance { "4.3.0" } else { "3.5.3" },
            "urls": { "streaming_api": streaming },
            "configuration": { "statuses": status_config(&state) },
        }))
        .into_response(),
    }
}

async fn verify_credentials(Axum(shared): Axum<Arc<Shared>>, headers: HeaderMap) -> Response {
    let state = shared.state();
    match viewer(&state, &headers, None) {
        Some(id) => {
            let mut me = entities::account(&state, &state.accounts[&id], &shared.url, false);
            if state.profile.software == Software::GoToSocial {
                // A CredentialAccount: the person's own defaults and role.
                me["source"] = json!({
                    "privacy": "unlisted",
                    "web_visibility": "public",
                    "web_layout": "microblog",
                    "sensitive": false,
                    "language": "en",
                    "status_content_type": "text/plain",
                    "note": "",
                    "fields": [],
                    "follow_requests_count": 0,
                });
                me["role"] = json!({
                    "id": "user",
                    "name": "user",
                    "color": "",
                    "permissions": "0",
                    "highlighted": false,
                });
            }
            Json(me).into_response()
        }
        None => unauthorized(&state),
    }
}

/// `GET /api/v1/notifications`: newest first, `types[]`/`exclude_types[]`, `max_id`,
/// `since_id`, `min_id` (the page just newer than it), `limit` (≤ 80), `include_filtered`,
/// and `Link` headers for the next and previous pages.
async fn notifications(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let query = QueryParams::of(&request);
    let state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let mut types = query.all("types");
    if !state.profile.knows_quotes {
        // An unknown type is dropped with a warning in the server's log; with nothing known
        // left, no filter applies at all (recorded from GoToSocial).
        types.retain(|kind| kind != "quote" && kind != "quoted_update");
    }
    let exclude = query.all("exclude_types");
    let include_filtered = query.one("include_filtered").as_deref() == Some("true");
    let limit = query.limit(state.profile.default_limit, 80);
    let max_id = query.id("max_id");
    let min_id = query.id("min_id");
    let since_id = query
        .id("since_id")
        .filter(|_| state.profile.honours_since_id);
    let mut matching: Vec<_> = state
        .notifications
        .iter()
        .filter(|n| n.recipient == me)
        .filter(|n| include_filtered || !n.filtered)
        .filter(|n| types.is_empty() || types.contains(&n.kind))
        .filter(|n| !exclude.contains(&n.kind))
        .filter(|n| max_id.is_none_or(|max| id_number(&n.id) < max))
        .filter(|n| since_id.is_none_or(|since| id_number(&n.id) > since))
        .filter(|n| min_id.is_none_or(|min| id_number(&n.id) > min))
        .collect();
    matching.sort_by_key(|n| std::cmp::Reverse(id_number(&n.id)));
    let page: Vec<_> = if min_id.is_some() {
        // The page immediately newer than min_id: the oldest `limit` of the newer ones.
        let start = matching.len().saturating_sub(limit);
        matching[start..].to_vec()
    } else {
        matching.into_iter().take(limit).collect()
    };
    let mut body: Vec<Value> = page
        .iter()
        .map(|n| entities::notification(&state, n, &shared.url))
        .collect();
    if state.profile.duplicate_mentions {
        body = body.into_iter().flat_map(|n| [n.clone(), n]).collect();
    }
    let response = Json(body).into_response();
    let (Some(first), Some(last)) = (page.first(), page.last()) else {
        return response;
    };
    let base = format!("{}/api/v1/notifications", shared.url);
    with_link(
        response,
        &format!(
            "<{base}?max_id={}>; rel=\"next\", <{base}?min_id={}>; rel=\"prev\"",
            last.id, first.id
        ),
    )
}

/// `GET /api/v1/accounts/:id/statuses`: newest first, `max_id`, `limit`, `Link` headers.
async fn account_statuses(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let query = QueryParams::of(&request);
    let state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let limit = query.limit(state.profile.default_limit.min(20), 40);
    let max_id = query.id("max_id");
    let mut statuses: Vec<_> = state
        .statuses
        .values()
        .filter(|s| s.account == id)
        // The author sees their own direct statuses here, except on snac.
        .filter(|s| s.visibility != "direct" || (me == id && state.profile.lists_own_direct))
        .filter(|s| max_id.is_none_or(|max| id_number(&s.id) < max))
        .collect();
    statuses.sort_by_key(|s| std::cmp::Reverse(id_number(&s.id)));
    statuses.truncate(limit);
    let response = Json(
        statuses
            .iter()
            .map(|s| entities::status(&state, s, Some(&me), &shared.url))
            .collect::<Vec<_>>(),
    )
    .into_response();
    let Some(last) = statuses.last() else {
        return response;
    };
    with_link(
        response,
        &format!(
            "<{}/api/v1/accounts/{id}/statuses?max_id={}>; rel=\"next\"",
            shared.url, last.id
        ),
    )
}

/// Newest first, a page of `limit` around `max_id` / `since_id` / `min_id` (the page just
/// newer than it), as the notification list pages.
fn page_of<'a>(
    state: &State,
    query: &QueryParams,
    mut matching: Vec<&'a crate::state::Status>,
    default_limit: usize,
) -> Vec<&'a crate::state::Status> {
    let limit = query.limit(default_limit, 40);
    let max_id = query.id("max_id");
    let min_id = query
        .id("min_id")
        .filter(|_| state.profile.honours_since_id);
    let since_id = query
        .id("since_id")
        .filter(|_| state.profile.honours_since_id);
    matching.retain(|s| {
        max_id.is_none_or(|max| id_number(&s.id) < max)
            && since_id.is_none_or(|since| id_number(&s.id) > since)
            && min_id.is_none_or(|min| id_number(&s.id) > min)
    });
    matching.sort_by_key(|s| std::cmp::Reverse(id_number(&s.id)));
    if min_id.is_some() {
        let start = matching.len().saturating_sub(limit);
        matching.split_off(start)
    } else {
        matching.truncate(limit);
        matching
    }
}

/// `GET /api/v1/timelines/tag/:hashtag`: public statuses carrying the tag (without case),
/// newest first, with `Link` headers. Public on every server here (preview not disabled).
async fn tag_timeline(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(tag): Path<String>,
    request: Request,
) -> Response {
    let query = QueryParams::of(&request);
    let state = shared.state();
    let me = viewer(&state, &headers, None);
    let tag = tag.to_lowercase();
    let matching: Vec<_> = state
        .statuses
        .values()
        .filter(|s| s.visibility == "public" && s.tags().contains(&tag))
        .collect();
    let page = page_of(
        &state,
        &query,
        matching,
        state.profile.default_limit.min(20),
    );
    let response = Json(
        page.iter()
            .map(|s| entities::status(&state, s, me.as_deref(), &shared.url))
            .collect::<Vec<_>>(),
    )
    .into_response();
    let (Some(first), Some(last)) = (page.first(), page.last()) else {
        return response;
    };
    let base = format!("{}/api/v1/timelines/tag/{tag}", shared.url);
    with_link(
        response,
        &format!(
            "<{base}?max_id={}>; rel=\"next\", <{base}?min_id={}>; rel=\"prev\"",
            last.id, first.id
        ),
    )
}

/// `GET /api/v2/search`: statuses only (accounts and hashtags come back empty), matched as
/// the server's search can — see [`crate::StatusSearch`]. Statuses need a token.
async fn search(Axum(shared): Axum<Arc<Shared>>, headers: HeaderMap, request: Request) -> Response {
    let query = QueryParams::of(&request);
    let state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let Some(q) = query.one("q").filter(|q| !q.trim().is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "Validation failed: q can't be blank" })),
        )
            .into_response();
    };
    let wanted = query.one("type");
    let statuses = if wanted.as_deref().is_none_or(|t| t == "statuses") {
        let needle = q.to_lowercase();
        let matching: Vec<_> = state
            .statuses
            .values()
            .filter(|s| s.text.to_lowercase().contains(&needle))
            .filter(|s| match state.profile.status_search {
                crate::StatusSearch::Everyone => s.visibility == "public" || s.account == me,
                crate::StatusSearch::OwnAndReplies => {
                    s.account == me
                        || s.in_reply_to
                            .as_ref()
                            .and_then(|parent| state.statuses.get(parent))
                            .is_some_and(|parent| parent.account == me)
                }
            })
            .collect();
        page_of(&state, &query, matching, 20)
            .iter()
            .map(|s| entities::status(&state, s, Some(&me), &shared.url))
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    Json(json!({ "accounts": [], "statuses": statuses, "hashtags": [] })).into_response()
}

/// `GET /api/v1/notifications/requests`: one per stranger whose notifications were filtered.
async fn notification_requests(Axum(shared): Axum<Arc<Shared>>, headers: HeaderMap) -> Response {
    let state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let mut by_sender: Vec<(String, Vec<_>)> = Vec::new();
    for n in state
        .notifications
        .iter()
        .filter(|n| n.recipient == me && n.filtered)
    {
        match by_sender
            .iter_mut()
            .find(|(sender, _)| *sender == n.account)
        {
            Some((_, list)) => list.push(n),
            None => by_sender.push((n.account.clone(), vec![n])),
        }
    }
    let requests: Vec<Value> = by_sender
        .iter()
        .map(|(sender, list)| {
            let last = list
                .last()
                .and_then(|n| n.status.as_ref())
                .and_then(|id| state.statuses.get(id));
            json!({
                "id": format!("{me}-{sender}"),
                "created_at": list.first().map(|n| n.created_at.to_string()),
                "updated_at": list.last().map(|n| n.created_at.to_string()),
                "notifications_count": list.len().to_string(),
                "account": entities::account(&state, &state.accounts[sender], &shared.url, false),
                "last_status": last.map(|s| entities::status(&state, s, Some(&me), &shared.url)),
            })
        })
        .collect();
    Json(requests).into_response()
}

async fn one_status(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let state = shared.state();
    let me = viewer(&state, &headers, None);
    match state.statuses.get(&id) {
        Some(status) => {
            Json(entities::status(&state, status, me.as_deref(), &shared.url)).into_response()
        }
        None => not_found(&state, "target status not found"),
    }
}

/// `DELETE /api/v1/statuses/:id`: the author removes a status; the notifications it caused
/// go with it. The answer is the deleted status with its source `text`, for redrafting.
async fn delete_status(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    if state.statuses.get(&id).is_none_or(|s| s.account != me) {
        return not_found(&state, "target status not found");
    }
    let mut entity = entities::status(&state, &state.statuses[&id], Some(&me), &shared.url);
    if let Some(status) = state.remove_status(&id) {
        entity["text"] = status.text.into();
    }
    drop(state);
    let _ = shared.streams.send(crate::streaming::Event::Delete { id });
    Json(entity).into_response()
}

/// 404 in the server's words.
fn not_found(state: &State, what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(entities::error_body(
            state,
            "Record not found",
            &format!("Not Found: {what}"),
        )),
    )
        .into_response()
}

/// `GET /api/v1/statuses/:id/context`: ancestors root first, descendants depth-first.
async fn context(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let state = shared.state();
    let me = viewer(&state, &headers, None);
    let Some(status) = state.statuses.get(&id) else {
        return not_found(&state, "target status not found");
    };
    let mut ancestors = Vec::new();
    let mut parent = status.in_reply_to.clone();
    while let Some(pid) = parent {
        let Some(p) = state.statuses.get(&pid) else {
            break;
        };
        ancestors.push(entities::status(&state, p, me.as_deref(), &shared.url));
        parent = p.in_reply_to.clone();
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut stack = vec![id.clone()];
    while let Some(current) = stack.pop() {
        let mut children: Vec<_> = state
            .statuses
            .values()
            .filter(|s| s.in_reply_to.as_deref() == Some(current.as_str()))
            .collect();
        children.sort_by_key(|s| std::cmp::Reverse(id_number(&s.id)));
        for child in children {
            stack.push(child.id.clone());
        }
        if let Some(s) = state.statuses.get(&current).filter(|_| current != id) {
            descendants.push(entities::status(&state, s, me.as_deref(), &shared.url));
        }
    }
    Json(json!({ "ancestors": ancestors, "descendants": descendants })).into_response()
}

/// `POST /api/v1/statuses`; the same `Idempotency-Key` from the same token returns the
/// status it created the first time.
/// `POST /api/v2/media`: a `file` and an optional `description`, multipart.
async fn upload_media(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    mut form: axum::extract::Multipart,
) -> Response {
    let (mut file, mut description) = (None, None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("file") => {
                let mime = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let Ok(bytes) = field.bytes().await else {
                    return (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Json(json!({ "error": "Validation failed: File could not be read" })),
                    )
                        .into_response();
                };
                file = Some((mime, bytes.len()));
            }
            Some("description") => description = field.text().await.ok(),
            _ => {}
        }
    }
    let mut state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let Some((mime, size)) = file.filter(|(mime, _)| mime.starts_with("image/")) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "Validation failed: File content type is invalid" })),
        )
            .into_response();
    };
    if size > state.profile.image_size_limit {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({ "error": "Validation failed: File file size must be less than the limit" }),
            ),
        )
            .into_response();
    }
    let id = state.next_id();
    let media = crate::state::Media {
        id: id.clone(),
        owner: me,
        mime,
        description: description.filter(|d| !d.is_empty()),
        size,
    };
    let entity = entities::attachment(&media, &shared.url);
    state.media.insert(id, media);
    Json(entity).into_response()
}

async fn create_status(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let params = params(&body);
    let (status, events) = {
        let mut state = shared.state();
        let Some(me) = viewer(&state, &headers, None) else {
            return unauthorized(&state);
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .filter(|_| state.profile.honours_idempotency);
        if let Some(existing) = key
            .as_ref()
            .and_then(|k| state.scheduled_idempotency.get(&(token.clone(), k.clone())))
        {
            let entity = entities::scheduled_status(&state, &state.scheduled[existing]);
            return Json(entity).into_response();
        }
        if let Some(existing) = key
            .as_ref()
            .and_then(|k| state.idempotency.get(&(token.clone(), k.clone())))
        {
            let status = state.statuses[existing].clone();
            return Json(entities::status(&state, &status, Some(&me), &shared.url)).into_response();
        }
        let text = params.get("status").cloned().unwrap_or_default();
        if text.trim().is_empty() {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": "Validation failed: Text can't be blank" })),
            )
                .into_response();
        }
        let spoiler = params.get("spoiler_text").cloned().unwrap_or_default();
        // Mastodon counts the content warning towards the limit.
        let max = state.profile.max_characters();
        if text.chars().count() + spoiler.chars().count() > max {
            return if state.profile.software == Software::GoToSocial {
                (
                    StatusCode::BAD_REQUEST,
                    Json(json!({ "error": format!("Bad Request: text with spoiler exceed max chars ({max})") })),
                )
                    .into_response()
            } else {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({ "error": format!("Validation failed: Text character limit of {max} exceeded") })),
                )
                    .into_response()
            };
        }
        let visibility = params
            .get("visibility")
            .cloned()
            .unwrap_or_else(|| "public".into());
        let language = params.get("language").filter(|l| !l.is_empty()).cloned();
        let media_ids: Vec<String> = params
            .get("media_ids")
            .map(|ids| ids.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        if media_ids
            .iter()
            .any(|id| state.media.get(id).is_none_or(|m| m.owner != me))
        {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": "Validation failed: Media attachments is invalid" })),
            )
                .into_response();
        }
        if language.as_ref().is_some_and(|l| {
            !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase())
        }) {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": "Validation failed: Language is not a valid language" })),
            )
                .into_response();
        }
        let in_reply_to = params
            .get("in_reply_to_id")
            .filter(|id| !id.is_empty())
            .cloned();
        if let Some(at) = params.get("scheduled_at").filter(|at| !at.is_empty()) {
            // "Must be at least 5 minutes in the future."
            let soonest = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(5);
            let Some(at) = at
                .parse::<jiff::Timestamp>()
                .ok()
                .filter(|at| *at >= soonest)
            else {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({ "error": "Validation failed: Scheduled at The scheduled date must be in the future" })),
                )
                    .into_response();
            };
            let id = state.next_id();
            let scheduled = crate::state::Scheduled {
                id: id.clone(),
                account: me,
                text,
                visibility,
                spoiler_text: spoiler,
                language,
                media: media_ids,
                in_reply_to,
                scheduled_at: at,
            };
            let entity = entities::scheduled_status(&state, &scheduled);
            state.scheduled.insert(id.clone(), scheduled);
            if let Some(key) = key {
                state.scheduled_idempotency.insert((token, key), id);
            }
            return Json(entity).into_response();
        }
        let origin = shared.url.clone();
        let (id, events) = match state.post(
            &me,
            &text,
            in_reply_to.as_deref(),
            &visibility,
            &spoiler,
            &origin,
        ) {
            Ok(created) => created,
            Err(e) => return (StatusCode::NOT_FOUND, Json(json!({ "error": e }))).into_response(),
        };
        if let Some(status) = state.statuses.get_mut(&id) {
            status.language = language;
            status.media = media_ids;
        }
        let mut events = events;
        if let Some(quoted) = params.get("quoted_status_id").filter(|id| !id.is_empty()) {
            match state.quote(&id, quoted) {
                Ok(more) => events.extend(more),
                Err(e) => {
                    return (StatusCode::NOT_FOUND, Json(json!({ "error": e }))).into_response();
                }
            }
        }
        if let Some(key) = key {
            state.idempotency.insert((token, key), id.clone());
        }
        let status = entities::status(&state, &state.statuses[&id], Some(&me), &shared.url);
        (status, events)
    };
    for event in events {
        let _ = shared.streams.send(event);
    }
    Json(status).into_response()
}

/// `GET /api/v1/scheduled_statuses`: the viewer's, by id descending, with `max_id`, `limit`.
async fn scheduled_statuses(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let query = QueryParams::of(&request);
    let state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let limit = query.limit(20, 40);
    let max_id = query.id("max_id");
    let mut mine: Vec<_> = state
        .scheduled
        .values()
        .filter(|s| s.account == me)
        .filter(|s| max_id.is_none_or(|max| id_number(&s.id) < max))
        .collect();
    mine.sort_by_key(|s| std::cmp::Reverse(id_number(&s.id)));
    mine.truncate(limit);
    let response = Json(
        mine.iter()
            .map(|s| entities::scheduled_status(&state, s))
            .collect::<Vec<_>>(),
    )
    .into_response();
    let (Some(first), Some(last)) = (mine.first(), mine.last()) else {
        return response;
    };
    let base = format!("{}/api/v1/scheduled_statuses", shared.url);
    with_link(
        response,
        &format!(
            "<{base}?limit={limit}&max_id={}>; rel=\"next\", <{base}?limit={limit}&min_id={}>; rel=\"prev\"",
            last.id, first.id
        ),
    )
}

async fn scheduled_status(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    match state.scheduled.get(&id).filter(|s| s.account == me) {
        Some(scheduled) => Json(entities::scheduled_status(&state, scheduled)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "Record not found" })),
        )
            .into_response(),
    }
}

async fn cancel_scheduled_status(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    if state.scheduled.get(&id).is_none_or(|s| s.account != me) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "Record not found" })),
        )
            .into_response();
    }
    state.scheduled.remove(&id);
    Json(json!({})).into_response()
}

async fn react(shared: Arc<Shared>, headers: HeaderMap, id: String, favourite: bool) -> Response {
    let mut state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let Some(status) = state.statuses.get_mut(&id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "Record not found" })),
        )
            .into_response();
    };
    if favourite {
        status.favourited_by.insert(me.clone());
    } else {
        status.reblogged_by.insert(me.clone());
    }
    let status = status.clone();
    Json(entities::status(&state, &status, Some(&me), &shared.url)).into_response()
}

async fn favourite(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    react(shared, headers, id, true).await
}

async fn reblog(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    react(shared, headers, id, false).await
}

async fn markers(Axum(shared): Axum<Arc<Shared>>, headers: HeaderMap) -> Response {
    let state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let mut body = serde_json::Map::new();
    if let Some((last_read_id, version, updated_at)) = state.markers.get(&me) {
        body.insert(
            "notifications".into(),
            json!({ "last_read_id": last_read_id, "version": version, "updated_at": updated_at.to_string() }),
        );
    }
    Json(Value::Object(body)).into_response()
}

async fn save_markers(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut state = shared.state();
    let Some(me) = viewer(&state, &headers, None) else {
        return unauthorized(&state);
    };
    let last_read = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| {
            v["notifications"]["last_read_id"]
                .as_str()
                .map(str::to_owned)
        })
        .or_else(|| params(&body).get("notifications[last_read_id]").cloned());
    let Some(last_read) = last_read else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "no marker" })),
        )
            .into_response();
    };
    let version = state.markers.get(&me).map_or(1, |m| m.1 + 1);
    let now = jiff::Timestamp::now();
    state.markers.insert(me, (last_read.clone(), version, now));
    Json(json!({ "notifications": { "last_read_id": last_read, "version": version, "updated_at": now.to_string() } })).into_response()
}

async fn streaming(
    Axum(shared): Axum<Arc<Shared>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let query = QueryParams::of(&request);
    let token = query.one("access_token");
    // Without `stream` the connection carries only what `subscribe` messages ask for.
    let stream = query.one("stream");
    let tag = query.one("tag");
    let account = {
        let state = shared.state();
        if !state.profile.streaming {
            return (StatusCode::NOT_FOUND, Json(json!({ "error": "Not found" }))).into_response();
        }
        match viewer(&state, &headers, token.as_deref()) {
            Some(account) => account,
            None => return unauthorized(&state),
        }
    };
    let upgrade = match WebSocketUpgrade::from_request_parts_compat(request).await {
        Some(upgrade) => upgrade,
        None => return (StatusCode::BAD_REQUEST, "Expected a WebSocket upgrade").into_response(),
    };
    upgrade.on_upgrade(move |socket| crate::streaming::serve(socket, shared, account, stream, tag))
}

trait UpgradeFromRequest {
    async fn from_request_parts_compat(request: Request) -> Option<WebSocketUpgrade>;
}

impl UpgradeFromRequest for WebSocketUpgrade {
    async fn from_request_parts_compat(request: Request) -> Option<WebSocketUpgrade> {
        use axum::extract::FromRequestParts;
        let (mut parts, _) = request.into_parts();
        WebSocketUpgrade::from_request_parts(&mut parts, &())
            .await
            .ok()
    }
}
