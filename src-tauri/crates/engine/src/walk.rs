//! One walk for every network: the page walks a sync round makes, written once. A source
//! supplies only how to fetch a page and how to read it; the walk decides where to start,
//! when to stop and what to store.
//!
//! - [`walk_own_posts`]: the account's own posts newer than the last one checked (and no
//!   older than the first sync's backlog), so that what they answer is stored as answered —
//!   whichever app wrote them.
//! - [`walk_inbox`]: what was addressed to the account, newest first, down to what an earlier
//!   round read (`read_until`; a week back on the first sync). Every page is stored in one
//!   transaction with the marks reached after it, so a round cut short (a crash, an error,
//!   few requests left) resumes at its next page with no gap and no duplicate.

use std::future::Future;
use std::sync::Arc;

use earshot_core::{AccountId, IncomingPost, OwnPost, SyncMarks, Timestamp, Walk};
use earshot_store::{PageEnd, Store};

use crate::Result;
use crate::earshot::on_store;

/// A page of the account's own posts, newest first.
pub(crate) struct OwnPage {
    /// Each post with the key it is ordered by (a record key, a status id).
    pub posts: Vec<(String, OwnPost)>,
    /// Where the next (older) page starts; `None` at the end.
    pub next: Option<String>,
}

/// Where a network keeps the account's own posts.
pub(crate) trait OwnPostSource: Send {
    fn own_page(&mut self, cursor: Option<String>) -> impl Future<Output = Result<OwnPage>> + Send;

    /// Whether the post with `key` was checked by an earlier round (`checked` is the newest
    /// key it checked).
    fn checked_before(&self, key: &str, checked: &str) -> bool;
}

/// A page of what was addressed to the account, newest first.
pub(crate) struct InboxPage {
    /// What the Inbox holds of the page.
    pub items: Vec<IncomingPost>,
    /// When each entry of the page was notified, newest first — entries the Inbox does not
    /// hold too: they move the walk all the same.
    pub times: Vec<Timestamp>,
    /// Where the next (older) page starts; `None` when the server has no more.
    pub next: Option<String>,
    /// Entries that could not be read.
    pub skipped: usize,
    /// Few requests are left in the server's window: stop, and resume at the saved cursor
    /// next round.
    pub low_on_requests: bool,
    /// When the server's window resets, where it says.
    pub reset_at: Option<Timestamp>,
}

/// Where a network keeps what was addressed to the account.
pub(crate) trait InboxSource: Send {
    fn inbox_page(
        &mut self,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<InboxPage>> + Send;
}

/// Reads the account's own posts newer than the last one checked and stores them. Returns how
/// many Inbox items became answered.
pub(crate) async fn walk_own_posts(
    source: &mut impl OwnPostSource,
    store: &Arc<Store>,
    account: &AccountId,
    checked: Option<String>,
    oldest: Timestamp,
) -> Result<usize> {
    let mut cursor: Option<String> = None;
    let mut newest: Option<String> = None;
    let mut posts = Vec::new();
    'pages: loop {
        let page = source.own_page(cursor.clone()).await?;
        for (key, post) in page.posts {
            let seen = checked
                .as_deref()
                .is_some_and(|checked| source.checked_before(&key, checked));
            if seen || post.created_at < oldest {
                break 'pages;
            }
            newest.get_or_insert(key);
            posts.push(post);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let Some(newest) = newest else {
        return Ok(0);
    };
    let account = account.clone();
    let answered = on_store(store, move |store| {
        store.store_own_posts(&account, &posts, Some(&newest))
    })
    .await?;
    Ok(answered.len())
}

/// What an Inbox walk did.
#[derive(Debug, Default)]
pub(crate) struct InboxWalked {
    pub added: usize,
    pub skipped: usize,
}

/// Reads what was addressed to the account down to what the last round read, storing each
/// page with the marks reached after it. `marks` are the account's, read at the round's start.
pub(crate) async fn walk_inbox(
    source: &mut impl InboxSource,
    store: &Arc<Store>,
    account: &AccountId,
    mut marks: SyncMarks,
    now: Timestamp,
    oldest: Timestamp,
) -> Result<InboxWalked> {
    let mut walked = InboxWalked::default();
    loop {
        let (cursor, until) = match &marks.walk {
            Some(walk) => (Some(walk.cursor.clone()), walk.until),
            None => (None, marks.read_until.unwrap_or(oldest).max(oldest)),
        };
        let page = source.inbox_page(cursor).await?;
        let top = marks
            .walk
            .as_ref()
            .map(|walk| walk.top)
            .or_else(|| page.times.first().copied());
        let reached_old = page.times.iter().any(|at| *at < until);
        walked.skipped += page.skipped;
        let posts: Vec<IncomingPost> = page
            .items
            .into_iter()
            .filter(|post| post.indexed_at >= until)
            .collect();
        let done = reached_old || page.times.is_empty() || page.next.is_none();
        if done {
            marks.walk = None;
            marks.read_until = top.max(marks.read_until);
        } else if let (Some(next), Some(top)) = (page.next, top) {
            marks.walk = Some(Walk {
                cursor: next,
                top,
                until,
            });
        }
        let end = if done {
            PageEnd::RoundDone { at: now }
        } else {
            PageEnd::MorePages
        };
        let (page_account, page_marks) = (account.clone(), marks.clone());
        walked.added += on_store(store, move |store| {
            store.store_inbox_page(&page_account, &posts, &page_marks, end)
        })
        .await?;
        if done {
            return Ok(walked);
        }
        if page.low_on_requests {
            tracing::info!(account = %account.0, "few requests left; resuming next round");
            return Ok(walked);
        }
    }
}
