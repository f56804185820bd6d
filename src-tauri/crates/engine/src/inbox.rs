//! The Inbox, threads and answering: what the person reads and does with what was addressed
//! to them.

use std::sync::Arc;

use earshot_core::richtext::{FacetKind, check_bluesky_post, detect_facets};
use earshot_core::tid::tid;
use earshot_core::{AccountId, InboxItem, InboxItemId, OwnReply, Person, PostRef};
use earshot_net::bluesky::{ThreadRole, XrpcError};
use serde::Serialize;
use serde_json::{Value, json};
use specta::Type;

use crate::bluesky::session::BlueskySession;
use crate::{Earshot, EngineEvent, Error, Result};

/// The Inbox screen shows this many of the newest items.
const INBOX_PAGE: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ThreadPlace {
    /// Above the post that was opened, root first.
    Ancestor,
    /// The post that was opened.
    Focus,
    /// A reply below it.
    Reply,
}

/// One post of a thread as the thread view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ThreadEntry {
    pub post: PostRef,
    pub place: ThreadPlace,
    /// For replies: 1 answers the opened post, 2 answers a reply, and so on.
    pub depth: u32,
    pub author: Person,
    /// Plain text: shown as text, never as HTML.
    pub text: String,
    pub created_at: String,
    /// Written by the account the thread was opened for.
    pub is_own: bool,
    pub reply_count: u32,
    pub like_count: u32,
    pub repost_count: u32,
    pub liked: bool,
    pub reposted: bool,
}

/// Limits for a reply box, so the UI counts the way the network does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReplyLimits {
    pub max_graphemes: u32,
}

impl Earshot {
    pub async fn list_inbox(&self) -> Result<Vec<InboxItem>> {
        self.with_store(|store| store.inbox(INBOX_PAGE)).await
    }

    fn bluesky_session(&self, account: &AccountId) -> Result<Arc<BlueskySession>> {
        self.running()
            .get(account)
            .map(|running| Arc::clone(&running.session))
            .ok_or(Error::Store(earshot_store::StoreError::NotFound("account")))
    }

    async fn item(&self, id: InboxItemId) -> Result<InboxItem> {
        self.with_store(move |store| store.inbox_item(id)).await
    }

    /// The thread around an Inbox item, fetched fresh. Opening it also tells the server the
    /// person has seen their notifications, so other clients stop calling them new.
    pub async fn open_thread(&self, id: InboxItemId) -> Result<Vec<ThreadEntry>> {
        let item = self.item(id).await?;
        let session = self.bluesky_session(&item.account_id)?;
        let uri = item.post.uri.clone();
        let thread = session
            .call(|client, token| {
                let uri = uri.clone();
                async move { client.post_thread(&token, &uri, 6, 20).await }
            })
            .await?;
        let now = self.services.clock.now();
        if let Err(e) = session
            .call(|client, token| async move { client.update_seen(&token, now).await })
            .await
        {
            tracing::warn!(error = %e, "could not tell the server the notifications were seen");
        }
        let own = session.did().to_owned();
        Ok(thread
            .posts
            .into_iter()
            .map(|entry| {
                let post = entry.post;
                ThreadEntry {
                    post: PostRef {
                        uri: post.uri,
                        cid: Some(post.cid),
                    },
                    place: match entry.role {
                        ThreadRole::Ancestor => ThreadPlace::Ancestor,
                        ThreadRole::Focus => ThreadPlace::Focus,
                        ThreadRole::Reply => ThreadPlace::Reply,
                    },
                    depth: entry.depth,
                    is_own: post.author.did == own,
                    author: Person {
                        id: post.author.did,
                        handle: post.author.handle,
                        display_name: post.author.display_name,
                    },
                    text: post.record.text,
                    created_at: post
                        .record
                        .created_at
                        .unwrap_or(post.indexed_at)
                        .to_string(),
                    reply_count: post.reply_count,
                    like_count: post.like_count,
                    repost_count: post.repost_count,
                    liked: post.liked.is_some(),
                    reposted: post.reposted.is_some(),
                }
            })
            .collect())
    }

    pub fn reply_limits(&self) -> ReplyLimits {
        ReplyLimits {
            max_graphemes: earshot_core::richtext::BLUESKY_MAX_GRAPHEMES as u32,
        }
    }

    /// Answers an Inbox item. The reply's record key is chosen before sending, so when the
    /// connection drops after the server took the post, Earshot finds it instead of posting
    /// twice. The item is marked answered at once.
    pub async fn reply_to(&self, id: InboxItemId, text: String) -> Result<InboxItem> {
        check_bluesky_post(&text).map_err(|e| Error::Invalid(e.to_string()))?;
        let item = self.item(id).await?;
        let session = self.bluesky_session(&item.account_id)?;
        let parent = strong_ref(&item.post.uri, item.post.cid.as_deref())?;
        let root = match &item.post.reply_root {
            Some(root) => strong_ref(&root.uri, root.cid.as_deref())?,
            None => parent.clone(),
        };
        let facets = self.facets(&session, &text).await;
        let now = self.services.clock.now();
        let mut record = json!({
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": now.to_string(),
            "reply": { "root": root, "parent": parent },
        });
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        let rkey = tid(now, fastrand::u16(..1024));
        let uri = self
            .create_once(&session, "app.bsky.feed.post", &rkey, record)
            .await?;

        let reply = OwnReply {
            uri,
            parent_uri: item.post.uri.clone(),
            created_at: now,
        };
        let account = item.account_id.clone();
        self.with_store(move |store| store.store_own_replies(&account, &[reply], None))
            .await?;
        self.emit(EngineEvent::InboxChanged {
            account: item.account_id.clone(),
        });
        self.item(id).await
    }

    /// Writes a record under `rkey`; after a timeout or dropped connection, looks for it
    /// before reporting failure.
    async fn create_once(
        &self,
        session: &BlueskySession,
        collection: &str,
        rkey: &str,
        record: Value,
    ) -> Result<String> {
        let did = session.did().to_owned();
        let written = session
            .call(|client, token| {
                let (did, record) = (did.clone(), record.clone());
                async move {
                    client
                        .create_record(&token, &did, collection, Some(rkey), record)
                        .await
                }
            })
            .await;
        match written {
            Ok(reference) => Ok(reference.uri),
            Err(Error::Network(XrpcError::Unreachable { .. })) => {
                match session.client().record_at(&did, collection, rkey).await {
                    Ok(Some(reference)) => Ok(reference.uri),
                    _ => Err(written.err().unwrap_or(Error::TaskFailed("lost".into()))),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Mentions (handles resolved to DIDs; unknown handles stay plain text), links and tags.
    async fn facets(&self, session: &BlueskySession, text: &str) -> Vec<Value> {
        let mut facets = Vec::new();
        for facet in detect_facets(text) {
            let feature = match facet.kind {
                FacetKind::Mention(handle) => {
                    let did = session.client().resolve_handle(&handle).await;
                    match did {
                        Ok(did) => {
                            json!({ "$type": "app.bsky.richtext.facet#mention", "did": did })
                        }
                        Err(e) => {
                            tracing::info!(%handle, error = %e, "mention left as plain text");
                            continue;
                        }
                    }
                }
                FacetKind::Link(uri) => {
                    json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri })
                }
                FacetKind::Tag(tag) => {
                    json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag })
                }
            };
            facets.push(json!({
                "index": { "byteStart": facet.byte_start, "byteEnd": facet.byte_end },
                "features": [feature],
            }));
        }
        facets
    }

    /// Likes a post as `account`.
    pub async fn like_post(&self, account: AccountId, post: PostRef) -> Result<()> {
        self.subject_record(account, "app.bsky.feed.like", post)
            .await
    }

    /// Reposts a post as `account`.
    pub async fn repost_post(&self, account: AccountId, post: PostRef) -> Result<()> {
        self.subject_record(account, "app.bsky.feed.repost", post)
            .await
    }

    async fn subject_record(
        &self,
        account: AccountId,
        collection: &str,
        post: PostRef,
    ) -> Result<()> {
        let session = self.bluesky_session(&account)?;
        let now = self.services.clock.now();
        let record = json!({
            "$type": collection,
            "subject": strong_ref(&post.uri, post.cid.as_deref())?,
            "createdAt": now.to_string(),
        });
        let rkey = tid(now, fastrand::u16(..1024));
        self.create_once(&session, collection, &rkey, record)
            .await
            .map(drop)
    }
}

fn strong_ref(uri: &str, cid: Option<&str>) -> Result<Value> {
    let cid = cid.ok_or_else(|| {
        Error::Invalid(format!(
            "Earshot does not know the exact version of {uri}, so it cannot answer it."
        ))
    })?;
    Ok(json!({ "uri": uri, "cid": cid }))
}
