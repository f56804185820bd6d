//! Reading and writing posts: notifications, threads, the account's own posts, and new records
//! (replies, likes, reposts).
//!
//! Wire types stay private; callers get small structs with what Earshot uses. One malformed
//! notification or post in a page is skipped with a warning instead of failing the page, so a
//! single odd record cannot stop an account from syncing; a page that is not JSON at all is
//! an error.

use earshot_core::{Sensitive, Timestamp};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{RateLimit, Result, XrpcClient};

/// A reference to one version of a record, as replies, likes and reposts need it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StrongRef {
    pub uri: String,
    pub cid: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub did: String,
    pub handle: String,
    pub display_name: Option<String>,
}

/// Why a notification was sent. Bluesky adds reasons over time: unknown ones are kept by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Mention,
    Reply,
    Quote,
    Other(String),
}

impl Reason {
    fn parse(name: &str) -> Self {
        match name {
            "mention" => Reason::Mention,
            "reply" => Reason::Reply,
            "quote" => Reason::Quote,
            other => Reason::Other(other.to_owned()),
        }
    }
}

/// The parts of an `app.bsky.feed.post` record Earshot reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRecord {
    pub text: String,
    /// Rich-text annotations exactly as the author's client wrote them.
    pub facets: Option<Value>,
    pub reply_root: Option<StrongRef>,
    pub reply_parent: Option<StrongRef>,
    /// When the author says they wrote it; clients set this, so it may be missing or odd.
    pub created_at: Option<Timestamp>,
    /// The languages the author declared (`langs`), first the main one.
    pub langs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub uri: String,
    pub cid: String,
    pub author: Author,
    pub reason: Reason,
    /// The account's own post this notification is about (the post replied to or quoted).
    pub reason_subject: Option<String>,
    pub post: PostRecord,
    pub indexed_at: Timestamp,
    pub is_read: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NotificationPage {
    /// Newest first.
    pub notifications: Vec<Notification>,
    /// Pass back to get the next (older) page; `None` at the end.
    pub cursor: Option<String>,
    pub rate_limit: RateLimit,
    /// How many entries were skipped because they could not be read.
    pub skipped: usize,
}

/// A post as the AppView shows it, with counts and what this account did to it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostView {
    pub uri: String,
    pub cid: String,
    pub author: Author,
    pub record: PostRecord,
    pub indexed_at: Timestamp,
    pub reply_count: u32,
    pub repost_count: u32,
    pub like_count: u32,
    /// The URI of this account's like, if it liked the post.
    pub liked: Option<String>,
    pub reposted: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRole {
    /// A post above the one asked for, root first.
    Ancestor,
    /// The post asked for.
    Focus,
    /// A reply below it.
    Reply,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreadPost {
    pub role: ThreadRole,
    /// Replies: 1 for a direct reply to the focus, 2 for a reply to that, and so on.
    pub depth: u32,
    pub post: PostView,
}

/// A thread flattened in reading order: ancestors, the post, then replies depth-first.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    pub posts: Vec<ThreadPost>,
}

/// What to search for with [`XrpcClient::search_posts`].
#[derive(Debug, Clone, Copy)]
pub struct PostSearch<'a> {
    pub q: &'a str,
    pub tags: &'a [&'a str],
    pub since: Option<Timestamp>,
    pub cursor: Option<&'a str>,
    pub limit: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub posts: Vec<PostView>,
    /// The next (older) page; `None` at the end.
    pub cursor: Option<String>,
    pub rate_limit: RateLimit,
    pub skipped: usize,
}

/// One of the account's own posts, as its repository lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPost {
    pub uri: String,
    /// The record key: a TID, so later posts sort after earlier ones.
    pub rkey: String,
    pub created_at: Option<Timestamp>,
    pub reply_parent: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPostPage {
    /// Newest first.
    pub posts: Vec<OwnPost>,
    pub cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAuthor {
    did: String,
    handle: String,
    #[serde(default)]
    display_name: Option<String>,
}

impl From<WireAuthor> for Author {
    fn from(author: WireAuthor) -> Self {
        Author {
            did: author.did,
            handle: author.handle,
            display_name: author.display_name.filter(|name| !name.trim().is_empty()),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireNotification {
    uri: String,
    cid: String,
    author: WireAuthor,
    reason: String,
    #[serde(default)]
    reason_subject: Option<String>,
    record: Value,
    indexed_at: String,
    #[serde(default)]
    is_read: bool,
}

#[derive(Deserialize)]
struct WireNotificationPage {
    notifications: Vec<Value>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct WireReplyRefs {
    root: StrongRef,
    parent: StrongRef,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePostRecord {
    text: String,
    #[serde(default)]
    facets: Option<Value>,
    #[serde(default)]
    reply: Option<WireReplyRefs>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    langs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePostView {
    uri: String,
    cid: String,
    author: WireAuthor,
    record: Value,
    indexed_at: String,
    #[serde(default)]
    reply_count: u32,
    #[serde(default)]
    repost_count: u32,
    #[serde(default)]
    like_count: u32,
    #[serde(default)]
    viewer: Option<WireViewer>,
}

#[derive(Deserialize, Default)]
struct WireViewer {
    #[serde(default)]
    like: Option<String>,
    #[serde(default)]
    repost: Option<String>,
}

#[derive(Deserialize)]
struct WireThreadReply {
    thread: Value,
}

#[derive(Deserialize)]
struct WireRecordList {
    records: Vec<Value>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct WireRecord {
    uri: String,
    value: Value,
}

fn timestamp(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

fn post_record(value: Value) -> Result<PostRecord, String> {
    let record: WirePostRecord = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let (reply_root, reply_parent) = match record.reply {
        Some(refs) => (Some(refs.root), Some(refs.parent)),
        None => (None, None),
    };
    Ok(PostRecord {
        text: record.text,
        facets: record.facets,
        reply_root,
        reply_parent,
        created_at: record.created_at.as_deref().and_then(timestamp),
        langs: record.langs,
    })
}

fn notification(value: Value) -> Result<Notification, String> {
    let wire: WireNotification = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let indexed_at = timestamp(&wire.indexed_at)
        .ok_or_else(|| format!("indexedAt {:?} is not a time", wire.indexed_at))?;
    Ok(Notification {
        post: post_record(wire.record)?,
        uri: wire.uri,
        cid: wire.cid,
        author: wire.author.into(),
        reason: Reason::parse(&wire.reason),
        reason_subject: wire.reason_subject,
        indexed_at,
        is_read: wire.is_read,
    })
}

fn post_view(value: Value) -> Result<PostView, String> {
    let wire: WirePostView = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let indexed_at = timestamp(&wire.indexed_at)
        .ok_or_else(|| format!("indexedAt {:?} is not a time", wire.indexed_at))?;
    let viewer = wire.viewer.unwrap_or_default();
    Ok(PostView {
        record: post_record(wire.record)?,
        uri: wire.uri,
        cid: wire.cid,
        author: wire.author.into(),
        indexed_at,
        reply_count: wire.reply_count,
        repost_count: wire.repost_count,
        like_count: wire.like_count,
        liked: viewer.like,
        reposted: viewer.repost,
    })
}

/// Is this node of a thread a visible post (not a deleted or blocked placeholder)?
fn is_thread_post(node: &Value) -> bool {
    node.get("$type").and_then(Value::as_str) == Some("app.bsky.feed.defs#threadViewPost")
}

fn flatten_replies(node: &Value, depth: u32, posts: &mut Vec<ThreadPost>) {
    let Some(replies) = node.get("replies").and_then(Value::as_array) else {
        return;
    };
    for reply in replies.iter().filter(|reply| is_thread_post(reply)) {
        match reply.get("post").cloned().map(post_view) {
            Some(Ok(post)) => {
                posts.push(ThreadPost {
                    role: ThreadRole::Reply,
                    depth,
                    post,
                });
                flatten_replies(reply, depth + 1, posts);
            }
            Some(Err(reason)) => tracing::warn!(%reason, "skipped an unreadable reply"),
            None => {}
        }
    }
}

/// The most URIs `app.bsky.feed.getPosts` takes in one call.
const GET_POSTS_MAX: usize = 25;

impl XrpcClient {
    /// One page of the account's notifications with the given reasons, newest first.
    ///
    /// Always from everyone (`priority=false`): a question from a stranger is owed an answer
    /// too, whatever the person chose for Bluesky's own "priority" list. (The reference
    /// AppView can also switch an account to priority-only by itself, in a race inside its
    /// first `updateSeen`; after that, without this parameter, strangers' replies vanish.)
    pub async fn list_notifications(
        &self,
        access: &Sensitive<String>,
        reasons: &[&str],
        cursor: Option<&str>,
        limit: u8,
    ) -> Result<NotificationPage> {
        let limit = limit.clamp(1, 100).to_string();
        let mut query: Vec<(&str, &str)> = reasons.iter().map(|r| ("reasons", *r)).collect();
        query.push(("limit", &limit));
        query.push(("priority", "false"));
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        let (page, rate_limit): (WireNotificationPage, _) = self
            .call_with_limits(
                Method::GET,
                "app.bsky.notification.listNotifications",
                &query,
                Some(access),
                None,
            )
            .await?;
        let mut skipped = 0;
        let notifications = page
            .notifications
            .into_iter()
            .filter_map(|value| {
                notification(value)
                    .inspect_err(|reason| {
                        skipped += 1;
                        tracing::warn!(%reason, "skipped an unreadable notification");
                    })
                    .ok()
            })
            .collect();
        Ok(NotificationPage {
            notifications,
            cursor: page.cursor.filter(|c| !c.is_empty()),
            rate_limit,
            skipped,
        })
    }

    /// The thread around `uri`: up to `parent_height` ancestors and `depth` levels of replies.
    pub async fn post_thread(
        &self,
        access: &Sensitive<String>,
        uri: &str,
        depth: u8,
        parent_height: u8,
    ) -> Result<Thread> {
        let (depth, parent_height) = (depth.to_string(), parent_height.to_string());
        let (reply, _): (WireThreadReply, _) = self
            .call_with_limits(
                Method::GET,
                "app.bsky.feed.getPostThread",
                &[
                    ("uri", uri),
                    ("depth", &depth),
                    ("parentHeight", &parent_height),
                ],
                Some(access),
                None,
            )
            .await?;
        let focus = &reply.thread;
        if !is_thread_post(focus) {
            return Err(self.malformed(format!("the post {uri} is deleted or hidden")));
        }
        let mut ancestors = Vec::new();
        let mut parent = focus.get("parent");
        while let Some(node) = parent.filter(|node| is_thread_post(node)) {
            let post = node.get("post").cloned().unwrap_or_default();
            ancestors.push(post_view(post).map_err(|reason| self.malformed(reason))?);
            parent = node.get("parent");
        }
        let mut posts: Vec<ThreadPost> = ancestors
            .into_iter()
            .rev()
            .map(|post| ThreadPost {
                role: ThreadRole::Ancestor,
                depth: 0,
                post,
            })
            .collect();
        let post = post_view(focus.get("post").cloned().unwrap_or_default())
            .map_err(|reason| self.malformed(reason))?;
        posts.push(ThreadPost {
            role: ThreadRole::Focus,
            depth: 0,
            post,
        });
        flatten_replies(focus, 1, &mut posts);
        Ok(Thread { posts })
    }

    /// One page of posts matching `q`, newest first (`sort=latest`: the default sort is
    /// "top"), optionally only those tagged with every one of `tags` and written since
    /// `since`. Search services differ in what they honour (the reference AppView's own
    /// search matches `q` as a case-sensitive substring and ignores `tag`, `since` and
    /// `sort`), so callers check what they get.
    pub async fn search_posts(
        &self,
        access: &Sensitive<String>,
        search: &PostSearch<'_>,
    ) -> Result<SearchPage> {
        #[derive(Deserialize)]
        struct WireSearch {
            #[serde(default)]
            posts: Vec<Value>,
            #[serde(default)]
            cursor: Option<String>,
        }
        let limit = search.limit.clamp(1, 100).to_string();
        let since = search.since.map(|at| at.to_string());
        let mut query: Vec<(&str, &str)> =
            vec![("q", search.q), ("sort", "latest"), ("limit", &limit)];
        query.extend(search.tags.iter().map(|tag| ("tag", *tag)));
        if let Some(since) = &since {
            query.push(("since", since));
        }
        if let Some(cursor) = search.cursor {
            query.push(("cursor", cursor));
        }
        let (page, rate_limit): (WireSearch, _) = self
            .call_with_limits(
                Method::GET,
                "app.bsky.feed.searchPosts",
                &query,
                Some(access),
                None,
            )
            .await?;
        let mut skipped = 0;
        let posts = page
            .posts
            .into_iter()
            .filter_map(|value| {
                post_view(value)
                    .inspect_err(|reason| {
                        skipped += 1;
                        tracing::warn!(%reason, "skipped an unreadable search result");
                    })
                    .ok()
            })
            .collect();
        Ok(SearchPage {
            posts,
            cursor: page.cursor.filter(|c| !c.is_empty()),
            rate_limit,
            skipped,
        })
    }

    /// Which of `uris` still exist (`app.bsky.feed.getPosts`, at most 25 a call): a deleted
    /// post — or one the AppView no longer shows (blocked, taken down) — is left out.
    pub async fn existing_posts(
        &self,
        access: &Sensitive<String>,
        uris: &[String],
    ) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Posts {
            posts: Vec<Value>,
        }
        let mut found = Vec::new();
        for batch in uris.chunks(GET_POSTS_MAX) {
            let query: Vec<(&str, &str)> = batch.iter().map(|uri| ("uris", uri.as_str())).collect();
            let (reply, _): (Posts, _) = self
                .call_with_limits(
                    Method::GET,
                    "app.bsky.feed.getPosts",
                    &query,
                    Some(access),
                    None,
                )
                .await?;
            found.extend(
                reply
                    .posts
                    .iter()
                    .filter_map(|post| post["uri"].as_str().map(str::to_owned)),
            );
        }
        Ok(found)
    }

    /// One page of the account's own posts, newest first.
    pub async fn list_own_posts(
        &self,
        access: &Sensitive<String>,
        did: &str,
        cursor: Option<&str>,
        limit: u8,
    ) -> Result<OwnPostPage> {
        let limit = limit.clamp(1, 100).to_string();
        let mut query = vec![
            ("repo", did),
            ("collection", "app.bsky.feed.post"),
            ("limit", &limit),
        ];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        let (list, _): (WireRecordList, _) = self
            .call_with_limits(
                Method::GET,
                "com.atproto.repo.listRecords",
                &query,
                Some(access),
                None,
            )
            .await?;
        let posts = list
            .records
            .into_iter()
            .filter_map(|value| {
                let record: WireRecord = serde_json::from_value(value)
                    .inspect_err(|e| tracing::warn!(error = %e, "skipped an unreadable own post"))
                    .ok()?;
                let rkey = record.uri.rsplit('/').next()?.to_owned();
                let post = post_record(record.value).ok();
                Some(OwnPost {
                    uri: record.uri,
                    rkey,
                    created_at: post.as_ref().and_then(|p| p.created_at),
                    text: post.as_ref().map(|p| p.text.clone()).unwrap_or_default(),
                    reply_parent: post.and_then(|p| p.reply_parent).map(|r| r.uri),
                })
            })
            .collect();
        Ok(OwnPostPage {
            posts,
            cursor: list.cursor.filter(|c| !c.is_empty()),
        })
    }

    /// Writes a record to the account's repository. With `rkey`, repeating the call after a
    /// timeout cannot create a second copy: the server refuses a key that already exists.
    pub async fn create_record(
        &self,
        access: &Sensitive<String>,
        did: &str,
        collection: &str,
        rkey: Option<&str>,
        record: Value,
    ) -> Result<StrongRef> {
        let mut body = json!({ "repo": did, "collection": collection, "record": record });
        if let Some(rkey) = rkey {
            body["rkey"] = json!(rkey);
        }
        self.call(
            Method::POST,
            "com.atproto.repo.createRecord",
            Some(access),
            Some(body),
        )
        .await
    }

    /// The record at `collection/rkey` in `did`'s repository, if it exists.
    pub async fn record_at(
        &self,
        did: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<StrongRef>> {
        let reply: Result<(Value, _)> = self
            .call_with_limits(
                Method::GET,
                "com.atproto.repo.getRecord",
                &[("repo", did), ("collection", collection), ("rkey", rkey)],
                None,
                None,
            )
            .await;
        match reply {
            Ok((value, _)) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| self.malformed(e.to_string())),
            Err(super::XrpcError::Server { error, .. }) if error == "RecordNotFound" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Tells the server the person has seen notifications up to `seen_at`, so other clients
    /// stop showing them as new.
    pub async fn update_seen(&self, access: &Sensitive<String>, seen_at: Timestamp) -> Result<()> {
        let body = json!({ "seenAt": seen_at.to_string() });
        let _: Value = self
            .call(
                Method::POST,
                "app.bsky.notification.updateSeen",
                Some(access),
                Some(body),
            )
            .await?;
        Ok(())
    }
}
