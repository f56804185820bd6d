//! One sync round for a Bluesky account: the account's own recent replies first (so that what
//! they answer is stored as answered), then its notifications.
//!
//! Notifications come newest first. A round reads from the top until it meets what an
//! earlier round already read (`read_until`); on the very first sync it reads back a week.
//! Every page is stored with the marks reached after it, so a round cut short by a crash or
//! an error resumes at the next page with no gap and no duplicate.

use std::sync::Arc;

use earshot_core::{
    Account, Clock, InboxReason, IncomingPost, OwnPost, Person, PostRef, SyncMarks, Timestamp,
};
use earshot_net::bluesky::{Notification, Reason, StrongRef};
use earshot_store::Store;

use super::session::BlueskySession;
use crate::Result;
use crate::earshot::on_store;
use crate::sync::{AccountSync, RoundReport};
use crate::walk::{InboxPage, InboxSource, OwnPage, OwnPostSource, walk_inbox, walk_own_posts};

/// How far back the first sync reads.
pub(crate) const BACKLOG: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

pub(crate) const REASONS: &[&str] = &["mention", "reply", "quote"];
pub(crate) const PAGE_SIZE: u8 = 100;

/// The most posts a round checks for deletion (ten `getPosts` calls).
const RECHECK_LIMIT: u32 = 250;
/// Own answers are checked for deletion from this age (the AppView may not have indexed a
/// newer one yet) until this one.
const RECHECK_ANSWERS_FROM: jiff::SignedDuration = jiff::SignedDuration::from_mins(2);
const RECHECK_ANSWERS_UNTIL: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// Below this many requests left in the server's window, a round stops paging and resumes at
/// its saved cursor next time.
pub(crate) const KEEP_IN_RESERVE: i64 = 20;

#[derive(Debug)]
pub(crate) struct BlueskySync {
    account: Account,
    session: Arc<BlueskySession>,
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
}

impl BlueskySync {
    pub(crate) fn new(
        account: Account,
        session: Arc<BlueskySession>,
        store: Arc<Store>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            account,
            session,
            store,
            clock,
        }
    }

    /// Takes deleted posts out: a question its author deleted leaves Owed and the tray
    /// count; an answer the account deleted makes its question owed again. The AppView stops
    /// listing a deleted post's notification, so without this it would stay owed for good.
    async fn forget_deleted(&self) -> Result<bool> {
        let now = self.clock.now();
        let account = self.account.id.clone();
        let to_check = on_store(&self.store, move |store| {
            store.posts_to_recheck(
                &account,
                now - RECHECK_ANSWERS_UNTIL,
                now - RECHECK_ANSWERS_FROM,
                RECHECK_LIMIT,
            )
        })
        .await?;
        // Posts only: direct messages leave through the chat log, and `getPosts` refuses
        // anything that is not an at:// URI.
        let to_check: Vec<String> = to_check
            .into_iter()
            .filter(|uri| uri.starts_with("at://"))
            .collect();
        if to_check.is_empty() {
            return Ok(false);
        }
        let existing = self
            .session
            .call(|client, token| {
                let uris = to_check.clone();
                async move { client.existing_posts(&token, &uris).await }
            })
            .await?;
        let gone: Vec<String> = to_check
            .into_iter()
            .filter(|uri| !existing.contains(uri))
            .collect();
        if gone.is_empty() {
            return Ok(false);
        }
        tracing::info!(account = %self.account.id.0, count = gone.len(), "posts deleted on the server");
        let account = self.account.id.clone();
        on_store(&self.store, move |store| {
            store.forget_deleted(&account, &gone)
        })
        .await
    }
}

/// The cursor for the page after one whose last item was indexed at `last`.
///
/// The AppView's cursor is that item's time, and the next page holds only *strictly older*
/// items: several items sharing that instant across a page boundary are skipped (seen here:
/// 84 of 300 replies lost when posted within the same seconds). So when the cursor is
/// plainly that time, Earshot asks for the page starting one millisecond later: the boundary
/// is read twice and the repeat is dropped by URI. If a whole page shares one instant, that
/// would never advance, so `stuck` falls back to the server's cursor.
pub(crate) fn next_cursor(server: String, last: Option<Timestamp>, stuck: bool) -> String {
    match last {
        Some(last) if !stuck && server.parse::<Timestamp>().ok() == Some(last) => {
            let after = last + jiff::SignedDuration::from_millis(1);
            after
                .to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        }
        _ => server,
    }
}

/// A post's page on bsky.app, from its `at://did/app.bsky.feed.post/rkey` URI.
pub(crate) fn web_page(uri: &str) -> Option<String> {
    let mut parts = uri.strip_prefix("at://")?.split('/');
    let (did, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    (collection == "app.bsky.feed.post" && !did.is_empty() && !rkey.is_empty())
        .then(|| format!("https://bsky.app/profile/{did}/post/{rkey}"))
}

/// The DID in an `at://did/collection/rkey` URI.
fn author_of(uri: &str) -> Option<&str> {
    uri.strip_prefix("at://")?.split('/').next()
}

pub(crate) fn post_ref(reference: StrongRef) -> PostRef {
    PostRef {
        uri: reference.uri,
        cid: Some(reference.cid),
    }
}

/// The Inbox's view of a notification; `None` for reasons the Inbox does not hold.
///
/// Bluesky tells a thread's author of every reply in the thread: one that answers someone
/// else's post (and does not name the account, which would make it a mention) is kept as
/// `Thread`, never owed.
pub(crate) fn incoming(notification: Notification, account_did: &str) -> Option<IncomingPost> {
    let post = notification.post;
    let replies_to_account = post
        .reply_parent
        .as_ref()
        .is_none_or(|parent| author_of(&parent.uri) == Some(account_did));
    let reason = match notification.reason {
        Reason::Mention => InboxReason::Mention,
        Reason::Reply if replies_to_account => InboxReason::Reply,
        Reason::Reply => InboxReason::Thread,
        Reason::Quote => InboxReason::Quote,
        Reason::Other(_) => return None,
    };
    Some(IncomingPost {
        web_url: web_page(&notification.uri),
        uri: notification.uri,
        cid: Some(notification.cid),
        reason,
        author: Person {
            id: notification.author.did,
            handle: notification.author.handle,
            display_name: notification.author.display_name,
        },
        text: post.text,
        facets: post.facets.map(|facets| facets.to_string()),
        created_at: post.created_at.unwrap_or(notification.indexed_at),
        indexed_at: notification.indexed_at,
        reply_root: post.reply_root.map(post_ref),
        reply_parent: post.reply_parent.map(post_ref),
        subject_uri: notification.reason_subject,
        language: post.langs.first().cloned(),
    })
}

impl AccountSync for BlueskySync {
    async fn round(&mut self) -> Result<RoundReport> {
        let now = self.clock.now();
        let oldest = now - BACKLOG;
        let account = self.account.id.clone();
        let marks: SyncMarks = {
            let account = account.clone();
            on_store(&self.store, move |store| store.sync_marks(&account)).await?
        };
        let mut own = OwnRecords {
            session: Arc::clone(&self.session),
            clock: Arc::clone(&self.clock),
        };
        let answered = walk_own_posts(
            &mut own,
            &self.store,
            &account,
            marks.own_posts_until.clone(),
            oldest,
        )
        .await?;
        let mut inbox = Notifications {
            session: Arc::clone(&self.session),
            last_seen: None,
        };
        let walked = walk_inbox(&mut inbox, &self.store, &account, marks, now, oldest).await?;
        // A failed check is tried again next round; it must not fail the round.
        let forgot_deleted = self.forget_deleted().await.unwrap_or_else(|e| {
            tracing::warn!(account = %account.0, error = %e, "could not check for deleted posts");
            false
        });
        crate::sync::record_unreadable(&self.store, &account, walked.skipped).await;
        Ok(RoundReport {
            added: walked.added,
            answered,
            forgot_deleted,
        })
    }
}

/// The account's post records, newest first (record keys are TIDs: later sorts after).
pub(crate) struct OwnRecords {
    pub session: Arc<BlueskySession>,
    pub clock: Arc<dyn Clock>,
}

impl OwnPostSource for OwnRecords {
    async fn own_page(&mut self, cursor: Option<String>) -> Result<OwnPage> {
        let did = self.session.did().to_owned();
        let page = self
            .session
            .call(|client, token| {
                let (did, cursor) = (did.clone(), cursor.clone());
                async move {
                    client
                        .list_own_posts(&token, &did, cursor.as_deref(), PAGE_SIZE)
                        .await
                }
            })
            .await?;
        let now = self.clock.now();
        Ok(OwnPage {
            posts: page
                .posts
                .into_iter()
                .map(|post| {
                    let own = OwnPost {
                        uri: post.uri,
                        parent_uri: post.reply_parent,
                        text: post.text,
                        created_at: post.created_at.unwrap_or(now),
                    };
                    (post.rkey, own)
                })
                .collect(),
            next: page.cursor,
        })
    }

    fn checked_before(&self, key: &str, checked: &str) -> bool {
        key <= checked
    }
}

/// The account's notifications with the reasons the Inbox holds.
pub(crate) struct Notifications {
    pub session: Arc<BlueskySession>,
    /// The last page's oldest entry, to tell a cursor that does not move.
    pub last_seen: Option<Timestamp>,
}

impl InboxSource for Notifications {
    async fn inbox_page(&mut self, cursor: Option<String>) -> Result<InboxPage> {
        let page = self
            .session
            .call(|client, token| {
                let cursor = cursor.clone();
                async move {
                    client
                        .list_notifications(&token, REASONS, cursor.as_deref(), PAGE_SIZE)
                        .await
                }
            })
            .await?;
        let last = page.notifications.last().map(|n| n.indexed_at);
        let stuck = last.is_some() && last == self.last_seen;
        self.last_seen = last;
        let did = self.session.did();
        Ok(InboxPage {
            times: page.notifications.iter().map(|n| n.indexed_at).collect(),
            next: page.cursor.map(|next| next_cursor(next, last, stuck)),
            skipped: page.skipped,
            low_on_requests: page
                .rate_limit
                .remaining
                .is_some_and(|left| left < KEEP_IN_RESERVE),
            reset_at: page
                .rate_limit
                .reset_at
                .and_then(|reset| Timestamp::from_second(reset).ok()),
            items: page
                .notifications
                .into_iter()
                .filter_map(|n| incoming(n, did))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_lives_on_bsky_app() {
        assert_eq!(
            web_page("at://did:plc:abc/app.bsky.feed.post/3kxyz").as_deref(),
            Some("https://bsky.app/profile/did:plc:abc/post/3kxyz")
        );
        assert_eq!(web_page("at://did:plc:abc/app.bsky.feed.like/3kxyz"), None);
        assert_eq!(web_page("javascript:alert(1)"), None);
        assert_eq!(web_page("at://did:plc:abc"), None);
    }

    #[test]
    fn a_time_cursor_overlaps_the_boundary_by_a_millisecond() {
        let last: Timestamp = "2026-11-28T12:19:57Z".parse().expect("time");
        assert_eq!(
            next_cursor("2026-11-28T12:19:57.000Z".into(), Some(last), false),
            "2026-11-28T12:19:57.001Z"
        );
        assert_eq!(
            next_cursor("2026-11-28T12:19:57.000Z".into(), Some(last), true),
            "2026-11-28T12:19:57.000Z",
            "a page that did not advance takes the server's cursor"
        );
        assert_eq!(
            next_cursor("opaque::cursor".into(), Some(last), false),
            "opaque::cursor",
            "a cursor that is not the time is passed back untouched"
        );
    }
}
