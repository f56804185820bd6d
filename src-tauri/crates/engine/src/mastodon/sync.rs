//! One sync round for a Mastodon-compatible account: its own recent replies (written in any
//! client) first, then its notifications — mentions, replies, quotes and direct messages,
//! including those the server filtered into notification requests from strangers.
//!
//! Pages are read newest first with an explicit `limit`, following the `Link` header, down to
//! what the last round read; each page is stored with the marks reached after it. Items are
//! unique by (account, status id), so a server listing a mention twice costs nothing.

use std::sync::Arc;

use earshot_core::{
    Account, Clock, InboxReason, IncomingPost, Person, PostRef, SyncMarks, Timestamp,
};
use earshot_net::mastodon::{Notification, NotificationKind, Page, Status};
use earshot_store::Store;

use super::content::html_to_text;
use super::session::MastodonSession;
use super::stream::own_post;
use crate::Result;
use crate::earshot::on_store;
use crate::sync::{AccountSync, RoundReport};
use crate::walk::{InboxPage, InboxSource, OwnPage, OwnPostSource, walk_inbox, walk_own_posts};

/// How far back the first sync reads.
const BACKLOG: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);
pub(crate) const PAGE_SIZE: u8 = 40;
/// On servers that never list the account's own direct messages among its statuses (snac),
/// every this many rounds the newest unanswered direct messages are looked at in their
/// conversation, at most [`DIRECT_CHECKS`] of them.
const DIRECT_CHECK_ROUNDS: u32 = 4;
const DIRECT_CHECKS: u32 = 10;

#[derive(Debug)]
pub(crate) struct MastodonSync {
    account: Account,
    session: Arc<MastodonSession>,
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    /// Set once the server listed one of the account's own direct statuses: then answers to
    /// direct messages are found like every other answer.
    lists_own_direct: bool,
    rounds: u32,
}

/// Ids are numbers on Mastodon and sortable strings (ULIDs) on GoToSocial: compare as
/// numbers when both are, else as text.
pub(crate) fn id_is_newer(id: &str, than: &str) -> bool {
    match (id.parse::<u128>(), than.parse::<u128>()) {
        (Ok(a), Ok(b)) => a > b,
        _ => (id.len(), id) > (than.len(), than),
    }
}

fn time(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// The Inbox's view of a notification; `None` for kinds the Inbox does not hold.
pub(crate) fn incoming(
    session: &MastodonSession,
    notification: Notification,
) -> Option<IncomingPost> {
    let status: Status = notification.status?;
    let reason = match notification.kind {
        NotificationKind::Quote => InboxReason::Quote,
        NotificationKind::Mention if status.visibility == "direct" => InboxReason::Direct,
        NotificationKind::Mention
            if status.in_reply_to_account_id.as_deref() == Some(&session.account_id) =>
        {
            InboxReason::Reply
        }
        NotificationKind::Mention => InboxReason::Mention,
        _ => return None,
    };
    let indexed_at = time(&notification.created_at)?;
    // What the item is about among the account's posts: the post a reply answers, the post a
    // quote quotes (so a planned post's follow-up counts its quotes).
    let subject_uri = match reason {
        InboxReason::Reply => status.in_reply_to_id.clone(),
        InboxReason::Quote => status
            .quote
            .as_ref()
            .and_then(|quote| quote.quoted_status_id())
            .map(str::to_owned),
        _ => None,
    };
    let mut post = status_post(session, status, reason, indexed_at);
    post.subject_uri = subject_uri;
    Some(post)
}

/// A status as a post Earshot keeps (its content warning before its text), without a
/// subject; `indexed_at` when the status gives no time of its own.
pub(crate) fn status_post(
    session: &MastodonSession,
    status: Status,
    reason: InboxReason,
    indexed_at: Timestamp,
) -> IncomingPost {
    let mut text = html_to_text(&status.content);
    if !status.spoiler_text.is_empty() {
        text = format!("CW: {}\n\n{text}", status.spoiler_text);
    }
    IncomingPost {
        created_at: time(&status.created_at).unwrap_or(indexed_at),
        uri: status.id,
        cid: None,
        reason,
        author: Person {
            id: status.account.id,
            handle: session.full_handle(&status.account.acct),
            display_name: Some(status.account.display_name).filter(|n| !n.trim().is_empty()),
        },
        text,
        facets: None,
        indexed_at,
        reply_root: None,
        subject_uri: None,
        reply_parent: status.in_reply_to_id.map(|uri| PostRef { uri, cid: None }),
        web_url: status.url.filter(|u| !u.is_empty()),
        language: status.language.filter(|l| !l.is_empty()),
    }
}

impl MastodonSync {
    pub(crate) fn new(
        account: Account,
        session: Arc<MastodonSession>,
        store: Arc<Store>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            account,
            session,
            store,
            clock,
            lists_own_direct: false,
            rounds: 0,
        }
    }

    /// Answers to direct messages, looked for in each conversation: for servers whose list
    /// of the account's statuses leaves its direct messages out.
    async fn direct_answers(&self) -> Result<usize> {
        let account = self.account.id.clone();
        let waiting = on_store(&self.store, move |store| {
            store.unanswered_direct(&account, DIRECT_CHECKS)
        })
        .await?;
        if waiting.is_empty() {
            return Ok(0);
        }
        let token = self.session.token().await?;
        let mut answers = Vec::new();
        for uri in waiting {
            let context = match self.session.client().context(&token, &uri).await {
                Ok(context) => context,
                // Deleted meanwhile: the stream or a later round takes it out.
                Err(earshot_net::mastodon::MastodonError::Server { status: 404, .. }) => continue,
                Err(e) => return Err(self.session.error(e)),
            };
            answers.extend(
                context
                    .descendants
                    .into_iter()
                    .filter(|s| s.account.id == self.session.account_id)
                    .map(|s| own_post(s, self.clock.now())),
            );
        }
        let account = self.account.id.clone();
        let answered = on_store(&self.store, move |store| {
            store.store_own_posts(&account, &answers, None)
        })
        .await?;
        Ok(answered.len())
    }
}

impl AccountSync for MastodonSync {
    async fn round(&mut self) -> Result<RoundReport> {
        let now = self.clock.now();
        let oldest = now - BACKLOG;
        let account = self.account.id.clone();
        let marks: SyncMarks = {
            let account = account.clone();
            on_store(&self.store, move |store| store.sync_marks(&account)).await?
        };
        let mut own = OwnStatuses {
            session: Arc::clone(&self.session),
            clock: Arc::clone(&self.clock),
            lists_own_direct: self.lists_own_direct,
        };
        let mut answered = walk_own_posts(
            &mut own,
            &self.store,
            &account,
            marks.own_posts_until.clone(),
            oldest,
        )
        .await?;
        self.lists_own_direct = own.lists_own_direct;
        if !self.lists_own_direct && self.rounds.is_multiple_of(DIRECT_CHECK_ROUNDS) {
            answered += self.direct_answers().await?;
        }
        self.rounds = self.rounds.wrapping_add(1);
        let mut inbox = Notifications {
            session: Arc::clone(&self.session),
        };
        let walked = walk_inbox(&mut inbox, &self.store, &account, marks, now, oldest).await?;
        crate::sync::record_unreadable(&self.store, &account, walked.skipped).await;
        Ok(RoundReport {
            added: walked.added,
            answered,
            ..RoundReport::default()
        })
    }
}

/// The page after one whose last entry was `last_id`: the `Link` header's, else by that id.
fn older_than(next: Option<Page>, last_id: Option<String>) -> Option<String> {
    match next {
        Some(Page::OlderThan(id)) => Some(id),
        Some(_) => last_id,
        None => None,
    }
}

fn page_from(cursor: Option<String>) -> Page {
    cursor.map_or(Page::Newest, Page::OlderThan)
}

/// The account's statuses, newest first.
pub(crate) struct OwnStatuses {
    pub session: Arc<MastodonSession>,
    pub clock: Arc<dyn Clock>,
    /// Set once the server lists one of the account's own direct statuses.
    pub lists_own_direct: bool,
}

impl OwnPostSource for OwnStatuses {
    async fn own_page(&mut self, cursor: Option<String>) -> Result<OwnPage> {
        let token = self.session.token().await?;
        let (statuses, next) = self
            .session
            .client()
            .account_statuses(
                &token,
                &self.session.account_id,
                &page_from(cursor),
                PAGE_SIZE,
            )
            .await
            .map_err(|e| self.session.error(e))?;
        let last_id = statuses.last().map(|status| status.id.clone());
        self.lists_own_direct |= statuses.iter().any(|status| status.visibility == "direct");
        let now = self.clock.now();
        Ok(OwnPage {
            posts: statuses
                .into_iter()
                .map(|status| (status.id.clone(), own_post(status, now)))
                .collect(),
            next: older_than(next, last_id),
        })
    }

    fn checked_before(&self, key: &str, checked: &str) -> bool {
        !id_is_newer(key, checked)
    }
}

/// The account's mention (and, where the server has them, quote) notifications, filtered
/// ones from strangers included.
pub(crate) struct Notifications {
    pub session: Arc<MastodonSession>,
}

impl InboxSource for Notifications {
    async fn inbox_page(&mut self, cursor: Option<String>) -> Result<InboxPage> {
        let token = self.session.token().await?;
        let types = self.session.notification_types().await;
        let got = self
            .session
            .client()
            .notifications(&token, types, &page_from(cursor), PAGE_SIZE, true)
            .await
            .map_err(|e| self.session.error(e))?;
        let last_id = got.notifications.last().map(|n| n.id.clone());
        Ok(InboxPage {
            times: got
                .notifications
                .iter()
                .filter_map(|n| time(&n.created_at))
                .collect(),
            next: older_than(got.next, last_id),
            skipped: got.skipped,
            low_on_requests: false,
            reset_at: None,
            items: got
                .notifications
                .into_iter()
                .filter_map(|n| incoming(&self.session, n))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::id_is_newer;

    #[test]
    fn ids_compare_as_numbers_or_as_sortable_text() {
        assert!(id_is_newer("110000000000000010", "110000000000000009"));
        assert!(!id_is_newer("9", "10"), "numbers, not text");
        assert!(
            id_is_newer("01HZY4Q2", "01HZY4Q1"),
            "GoToSocial's ULIDs sort as text"
        );
    }
}
