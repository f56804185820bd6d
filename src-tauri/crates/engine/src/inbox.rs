//! The Inbox, threads and answering: what the person reads and does with what was addressed
//! to them.

use earshot_core::richtext::check_bluesky_post;
use earshot_core::{AccountId, InboxItem, InboxItemId, OwnPost, Person, PostRef};
use earshot_net::bluesky::ThreadRole;
use serde::Serialize;
use serde_json::{Value, json};
use specta::Type;

use crate::bluesky::publish::{create_once, facets, new_record_key};
use crate::bluesky::session::BlueskySession;
use crate::earshot::Connection;
use crate::mastodon::content::html_to_text;
use crate::mastodon::outbox::Outbox;
use crate::mastodon::session::MastodonSession;
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
    /// A direct message: no replies, likes or reposts to show.
    pub is_message: bool,
}

/// How a network counts a post's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// Grapheme clusters, as people see characters (Bluesky).
    Graphemes,
    /// Code points, with every link counting as `characters_per_url` and a remote mention
    /// as its local part (Mastodon).
    Mastodon,
}

/// What a reply box needs: the network's limit and how it counts, so the UI counts the way
/// the server does, and the text to start from (on Mastodon, the people to address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReplyLimits {
    pub max_length: u32,
    pub counting: Counting,
    pub characters_per_url: u32,
    pub prefill: String,
}

impl Earshot {
    pub async fn list_inbox(&self) -> Result<Vec<InboxItem>> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.inbox(INBOX_PAGE, now))
            .await
    }

    pub(crate) fn connection(&self, account: &AccountId) -> Result<Connection> {
        self.running()
            .get(account)
            .map(|running| running.connection.clone())
            .ok_or(Error::Store(earshot_store::StoreError::NotFound("account")))
    }

    pub(crate) async fn item(&self, id: InboxItemId) -> Result<InboxItem> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.inbox_item(id, now))
            .await
    }

    /// The thread around an Inbox item, fetched fresh. Opening it also tells the server the
    /// person has seen their notifications, so other clients stop calling them new.
    pub async fn open_thread(&self, id: InboxItemId) -> Result<Vec<ThreadEntry>> {
        let item = self.item(id).await?;
        match self.connection(&item.account_id)? {
            Connection::Bluesky(session)
                if crate::bluesky::chat::convo_of(&item.post.uri).is_some() =>
            {
                self.chat_thread(&item, &session).await
            }
            Connection::Bluesky(session) => self.bluesky_thread(&item, &session).await,
            Connection::Mastodon(session) => {
                let thread = mastodon_thread(&item, &session).await;
                self.unless_deleted(&item, thread).await
            }
        }
    }

    /// A status the server answers 404 for was deleted: it leaves the Inbox and Owed (for
    /// servers without a stream to say so), and the caller hears "no such post".
    async fn unless_deleted<T>(&self, item: &InboxItem, result: Result<T>) -> Result<T> {
        use earshot_net::mastodon::MastodonError;
        let Err(Error::Mastodon(MastodonError::Server { status: 404, .. })) = &result else {
            return result;
        };
        let (account, uri) = (item.account_id.clone(), item.post.uri.clone());
        self.with_store(move |store| store.forget_deleted(&account, &[uri]))
            .await?;
        self.emit(EngineEvent::InboxChanged {
            account: item.account_id.clone(),
        });
        Err(Error::Store(earshot_store::StoreError::NotFound("post")))
    }

    /// A direct message's conversation, oldest first (newest at the bottom, as chats read),
    /// the opened message in focus. Opening it in Earshot marks the conversation read up to
    /// that message, as opening it in any chat app would.
    async fn chat_thread(
        &self,
        item: &InboxItem,
        session: &BlueskySession,
    ) -> Result<Vec<ThreadEntry>> {
        use crate::bluesky::chat::{chat_parts, message_uri};
        let Some((convo, Some(focus))) = chat_parts(&item.post.uri) else {
            return Err(Error::Store(earshot_store::StoreError::NotFound("message")));
        };
        let (convo, focus) = (convo.to_owned(), focus.to_owned());
        let proxy = self.services.sync.chat_service.clone();
        let page = session
            .call(|client, token| {
                let (proxy, convo) = (proxy.clone(), convo.clone());
                async move { client.get_messages(&token, &proxy, &convo, None, 50).await }
            })
            .await?;
        let read = session
            .call(|client, token| {
                let (proxy, convo, focus) = (proxy.clone(), convo.clone(), focus.clone());
                async move {
                    client
                        .update_read(&token, &proxy, &convo, Some(&focus))
                        .await
                }
            })
            .await;
        if let Err(e) = read {
            tracing::info!(error = %e, "could not mark the conversation read");
        }
        let mut place = ThreadPlace::Ancestor;
        let mut entries = Vec::new();
        for message in page.items.iter().rev() {
            let Some(text) = &message.text else { continue };
            let this = if message.id == focus {
                ThreadPlace::Focus
            } else {
                place
            };
            if this == ThreadPlace::Focus {
                place = ThreadPlace::Reply;
            }
            let is_own = message.sender == session.did();
            entries.push(ThreadEntry {
                post: PostRef {
                    uri: message_uri(&convo, &message.id),
                    cid: None,
                },
                place: this,
                depth: u32::from(this == ThreadPlace::Reply),
                author: if is_own {
                    Person {
                        id: session.did().to_owned(),
                        handle: item.account_handle.clone(),
                        display_name: None,
                    }
                } else {
                    item.post.author.clone()
                },
                text: text.clone(),
                created_at: message.sent_at.to_string(),
                is_own,
                reply_count: 0,
                like_count: 0,
                repost_count: 0,
                liked: false,
                reposted: false,
                is_message: true,
            });
        }
        Ok(entries)
    }

    async fn bluesky_thread(
        &self,
        item: &InboxItem,
        session: &BlueskySession,
    ) -> Result<Vec<ThreadEntry>> {
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
                    is_message: false,
                }
            })
            .collect())
    }

    pub async fn reply_limits(&self, id: InboxItemId) -> Result<ReplyLimits> {
        let item = self.item(id).await?;
        match self.connection(&item.account_id)? {
            Connection::Bluesky(_) if crate::bluesky::chat::convo_of(&item.post.uri).is_some() => {
                Ok(ReplyLimits {
                    max_length: earshot_net::bluesky::MAX_MESSAGE_GRAPHEMES as u32,
                    counting: Counting::Graphemes,
                    characters_per_url: 0,
                    prefill: String::new(),
                })
            }
            Connection::Bluesky(_) => Ok(ReplyLimits {
                max_length: earshot_core::richtext::BLUESKY_MAX_GRAPHEMES as u32,
                counting: Counting::Graphemes,
                characters_per_url: 0,
                prefill: String::new(),
            }),
            Connection::Mastodon(session) => {
                let token = session.token().await?;
                let client = session.client();
                let facts = client.instance().await.map_err(|e| session.error(e))?;
                let status = client
                    .status(&token, &item.post.uri)
                    .await
                    .map_err(|e| session.error(e))?;
                Ok(ReplyLimits {
                    max_length: facts.max_characters,
                    counting: Counting::Mastodon,
                    characters_per_url: facts.characters_reserved_per_url,
                    prefill: mastodon_prefill(&session, &status),
                })
            }
        }
    }

    /// Answers an Inbox item. The reply's record key is chosen before sending, so when the
    /// connection drops after the server took the post, Earshot finds it instead of posting
    /// twice. The item is marked answered at once.
    pub async fn reply_to(&self, id: InboxItemId, text: String) -> Result<InboxItem> {
        let item = self.item(id).await?;
        let now = self.services.clock.now();
        if let Some(convo) = crate::bluesky::chat::convo_of(&item.post.uri) {
            let Connection::Bluesky(session) = self.connection(&item.account_id)? else {
                return Err(Error::Invalid(
                    "A Bluesky message needs its Bluesky account.".into(),
                ));
            };
            let convo = convo.to_owned();
            let sent = self.chat_reply(&item, &session, &convo, &text).await?;
            let account = item.account_id.clone();
            self.with_store(move |store| {
                let uri = sent.uri.clone();
                store.store_chat_page(
                    &account,
                    earshot_store::ChatPageIn {
                        incoming: &[],
                        own: &[(crate::bluesky::chat::convo_uri(&convo), sent)],
                        log_cursor: None,
                        first_read: false,
                    },
                )?;
                store.mark_answer_from_earshot(&account, &uri)
            })
            .await?;
            self.emit(EngineEvent::InboxChanged {
                account: item.account_id.clone(),
            });
            return self.item(id).await;
        }
        let uri = match self.connection(&item.account_id)? {
            Connection::Bluesky(session) => {
                self.bluesky_reply(&item, &session, text.clone()).await?
            }
            Connection::Mastodon(session) => {
                let sent = self.mastodon_reply(&item, &session, text.clone()).await;
                self.unless_deleted(&item, sent).await?
            }
        };
        let reply = OwnPost {
            uri,
            parent_uri: Some(item.post.uri.clone()),
            text,
            created_at: now,
        };
        let account = item.account_id.clone();
        self.with_store(move |store| {
            let uri = reply.uri.clone();
            store.store_own_posts(&account, &[reply], None)?;
            store.mark_answer_from_earshot(&account, &uri)
        })
        .await?;
        self.emit(EngineEvent::InboxChanged {
            account: item.account_id.clone(),
        });
        self.item(id).await
    }

    /// Answers a direct message in its conversation. The chat service has no way to make a
    /// send idempotent, so before sending Earshot looks at the conversation's newest
    /// messages: the same words of the account's, sent after the message it answers, mean an
    /// earlier try (a click twice, an answer lost to a timeout) went out — they are recorded
    /// instead of sent again.
    async fn chat_reply(
        &self,
        item: &InboxItem,
        session: &BlueskySession,
        convo: &str,
        text: &str,
    ) -> Result<OwnPost> {
        use earshot_net::bluesky::{MAX_MESSAGE_BYTES, MAX_MESSAGE_GRAPHEMES};
        if text.trim().is_empty() {
            return Err(Error::Invalid("Write something first.".into()));
        }
        // The chat service counts as posts are counted, with its own limits.
        let count = earshot_core::richtext::grapheme_count(text);
        if count > MAX_MESSAGE_GRAPHEMES || text.len() > MAX_MESSAGE_BYTES {
            return Err(Error::Invalid(format!(
                "Bluesky messages can be at most {MAX_MESSAGE_GRAPHEMES} characters; this one has \
                 {count}."
            )));
        }
        let proxy = self.services.sync.chat_service.clone();
        let recent = session
            .call(|client, token| {
                let (proxy, convo) = (proxy.clone(), convo.to_owned());
                async move { client.get_messages(&token, &proxy, &convo, None, 20).await }
            })
            .await?;
        let earlier = recent.items.into_iter().find(|message| {
            message.sender == session.did()
                && message.sent_at >= item.post.created_at
                && message.text.as_deref() == Some(text)
        });
        let sent = match earlier {
            Some(message) => message,
            None => {
                let facets = facets(session, text).await;
                let facets = (!facets.is_empty()).then_some(Value::Array(facets));
                session
                    .call(|client, token| {
                        let (proxy, convo, text, facets) = (
                            proxy.clone(),
                            convo.to_owned(),
                            text.to_owned(),
                            facets.clone(),
                        );
                        async move {
                            client
                                .send_message(&token, &proxy, &convo, &text, facets)
                                .await
                        }
                    })
                    .await?
            }
        };
        Ok(OwnPost {
            uri: crate::bluesky::chat::message_uri(convo, &sent.id),
            parent_uri: Some(crate::bluesky::chat::convo_uri(convo)),
            text: text.to_owned(),
            created_at: sent.sent_at,
        })
    }

    async fn bluesky_reply(
        &self,
        item: &InboxItem,
        session: &BlueskySession,
        text: String,
    ) -> Result<String> {
        check_bluesky_post(&text).map_err(|e| Error::Invalid(e.to_string()))?;
        let parent = strong_ref(&item.post.uri, item.post.cid.as_deref())?;
        let root = match &item.post.reply_root {
            Some(root) => strong_ref(&root.uri, root.cid.as_deref())?,
            None => parent.clone(),
        };
        let facets = facets(session, &text).await;
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
        let rkey = new_record_key(now);
        create_once(session, "app.bsky.feed.post", &rkey, record)
            .await
            .map(|written| written.uri)
    }

    /// Likes (favourites) a post as `account`.
    pub async fn like_post(&self, account: AccountId, post: PostRef) -> Result<()> {
        match self.connection(&account)? {
            Connection::Bluesky(session) => {
                self.subject_record(&session, "app.bsky.feed.like", post)
                    .await
            }
            Connection::Mastodon(session) => {
                let token = session.token().await?;
                let favourited = session.client().favourite(&token, &post.uri).await;
                favourited.map(drop).map_err(|e| session.error(e))
            }
        }
    }

    /// Reposts (boosts) a post as `account`.
    pub async fn repost_post(&self, account: AccountId, post: PostRef) -> Result<()> {
        match self.connection(&account)? {
            Connection::Bluesky(session) => {
                self.subject_record(&session, "app.bsky.feed.repost", post)
                    .await
            }
            Connection::Mastodon(session) => {
                let token = session.token().await?;
                let boosted = session.client().reblog(&token, &post.uri).await;
                boosted.map(drop).map_err(|e| session.error(e))
            }
        }
    }

    async fn subject_record(
        &self,
        session: &BlueskySession,
        collection: &str,
        post: PostRef,
    ) -> Result<()> {
        let now = self.services.clock.now();
        let record = json!({
            "$type": collection,
            "subject": strong_ref(&post.uri, post.cid.as_deref())?,
            "createdAt": now.to_string(),
        });
        let rkey = new_record_key(now);
        create_once(session, collection, &rkey, record)
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

/// A Mastodon status as a thread entry.
fn mastodon_entry(
    session: &MastodonSession,
    status: earshot_net::mastodon::Status,
    place: ThreadPlace,
    depth: u32,
) -> ThreadEntry {
    ThreadEntry {
        post: PostRef {
            uri: status.id,
            cid: None,
        },
        place,
        depth,
        is_own: status.account.id == session.account_id,
        author: Person {
            id: status.account.id,
            handle: session.full_handle(&status.account.acct),
            display_name: Some(status.account.display_name).filter(|n| !n.trim().is_empty()),
        },
        text: html_to_text(&status.content),
        created_at: status.created_at,
        reply_count: status.replies_count,
        like_count: status.favourites_count,
        repost_count: status.reblogs_count,
        liked: status.favourited.unwrap_or(false),
        reposted: status.reblogged.unwrap_or(false),
        is_message: false,
    }
}

async fn mastodon_thread(item: &InboxItem, session: &MastodonSession) -> Result<Vec<ThreadEntry>> {
    let token = session.token().await?;
    let client = session.client();
    let focus = client
        .status(&token, &item.post.uri)
        .await
        .map_err(|e| session.error(e))?;
    let context = client
        .context(&token, &item.post.uri)
        .await
        .map_err(|e| session.error(e))?;
    // The person has looked: move the read marker so other clients agree.
    let newest = client
        .notifications(&token, &[], &earshot_net::mastodon::Page::Newest, 1, false)
        .await;
    let newest = newest
        .ok()
        .and_then(|page| page.notifications.into_iter().next());
    if let Some(newest) = newest
        && let Err(e) = client.save_notifications_marker(&token, &newest.id).await
    {
        tracing::warn!(error = %e, "could not move the read marker");
    }
    let mut entries: Vec<ThreadEntry> = context
        .ancestors
        .into_iter()
        .map(|status| mastodon_entry(session, status, ThreadPlace::Ancestor, 0))
        .collect();
    let mut depths = std::collections::HashMap::from([(focus.id.clone(), 0u32)]);
    entries.push(mastodon_entry(session, focus, ThreadPlace::Focus, 0));
    for status in context.descendants {
        let depth = status
            .in_reply_to_id
            .as_ref()
            .and_then(|parent| depths.get(parent))
            .map_or(1, |d| d + 1);
        depths.insert(status.id.clone(), depth);
        entries.push(mastodon_entry(session, status, ThreadPlace::Reply, depth));
    }
    Ok(entries)
}

/// `@author@domain` and everyone else the status mentions, never the account itself.
fn mastodon_prefill(session: &MastodonSession, status: &earshot_net::mastodon::Status) -> String {
    let mut people = vec![status.account.acct.clone()];
    for mention in &status.mentions {
        if mention.id != session.account_id && !people.contains(&mention.acct) {
            people.push(mention.acct.clone());
        }
    }
    people.retain(|acct| status.account.id != session.account_id || *acct != status.account.acct);
    people
        .iter()
        .map(|acct| format!("@{} ", session.full_handle(acct)))
        .collect()
}

impl Earshot {
    /// Answers a Mastodon status: never more visible than it, its content warning kept, and
    /// sent once however often the person presses Send and whatever the server does with
    /// `Idempotency-Key` (the outbox looks for an earlier attempt's copy first).
    async fn mastodon_reply(
        &self,
        item: &InboxItem,
        session: &MastodonSession,
        text: String,
    ) -> Result<String> {
        use sha2::Digest as _;
        if text.trim().is_empty() {
            return Err(Error::Invalid("Write something first.".into()));
        }
        let token = session.token().await?;
        let client = session.client();
        let facts = client.instance().await.map_err(|e| session.error(e))?;
        let count = earshot_core::richtext::mastodon_length(
            &text,
            facts.characters_reserved_per_url as usize,
        );
        if count > facts.max_characters as usize {
            return Err(Error::Invalid(format!(
                "{} allows at most {} characters; this reply has {count}.",
                facts.domain, facts.max_characters
            )));
        }
        let status = client
            .status(&token, &item.post.uri)
            .await
            .map_err(|e| session.error(e))?;
        let digest = sha2::Sha256::digest(
            format!("{}\n{}\n{text}", item.account_id.0, status.id).as_bytes(),
        );
        let key: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        let reply = earshot_net::mastodon::NewStatus {
            text,
            in_reply_to_id: Some(status.id.clone()),
            visibility: status.visibility.clone(),
            spoiler_text: status.spoiler_text.clone(),
            language: None,
            media_ids: Vec::new(),
        };
        let outbox = Outbox {
            session,
            store: &self.store,
            clock: self.services.clock.as_ref(),
            account: &item.account_id,
            purpose: format!("reply:{}:{key}", status.id),
        };
        if let Some(earlier) = outbox.earlier_copy(&reply).await? {
            return Ok(earlier);
        }
        outbox.send(&reply, &key).await
    }
}
