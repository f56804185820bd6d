//! Posting exactly once on servers that may ignore `Idempotency-Key` (GoToSocial and snac
//! ignore it; Mastodon forgets a key after an hour).
//!
//! Every send is recorded in the store's outbox before the request goes out. When an earlier
//! attempt's outcome was never heard — a timeout, a broken connection, a 5xx, a crash, a
//! person pressing Send again — the next attempt first looks on the server for its own copy:
//! among the replies to the status it answers (which lists direct messages on every server),
//! then among the account's statuses back to the first attempt. Only when none is there does
//! it send. The key still goes along, for the servers that honour it.

use std::sync::Arc;

use earshot_core::{AccountId, Clock, Sensitive, Timestamp};
use earshot_net::mastodon::{MastodonError, NewStatus, Page, Status};
use earshot_store::Store;

use super::content::{comparable, html_to_text};
use super::session::MastodonSession;
use crate::Result;
use crate::earshot::on_store;

/// Server clocks and the laptop's disagree; look this much further back than the first try.
const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);
/// The most pages of the account's statuses a look reads (40 a page).
const MAX_PAGES: usize = 10;
const PAGE_SIZE: u8 = 40;

/// One send that must happen once: `purpose` names it in the outbox.
pub(crate) struct Outbox<'a> {
    pub session: &'a MastodonSession,
    pub store: &'a Arc<Store>,
    pub clock: &'a dyn Clock,
    pub account: &'a AccountId,
    pub purpose: String,
}

impl Outbox<'_> {
    /// The status an earlier attempt made, if any: the one the server answered with, or one
    /// found on the server when that answer was never heard.
    pub async fn earlier_copy(&self, status: &NewStatus) -> Result<Option<String>> {
        let (account, purpose) = (self.account.clone(), self.purpose.clone());
        let entry = on_store(self.store, move |store| {
            store.outbox_entry(&account, &purpose)
        })
        .await?;
        let Some(entry) = entry else {
            return Ok(None);
        };
        if let Some(sent) = entry.sent_uri {
            return Ok(Some(sent));
        }
        let token = self.session.token().await?;
        let found = own_copy(self.session, &token, status, entry.first_tried_at).await?;
        if let Some(id) = &found {
            tracing::info!(purpose = %self.purpose, status = %id,
                "an earlier attempt had been published; not sending again");
            self.record_sent(id).await?;
        }
        Ok(found)
    }

    /// Sends `status` and records what the server made. A connection that broke after the
    /// request went out is looked behind once, and the status sent once more only if the
    /// server has no copy.
    pub async fn send(&self, status: &NewStatus, idempotency_key: &str) -> Result<String> {
        let token = self.session.token().await?;
        let posted = match self.attempt(&token, status, idempotency_key).await {
            Err(MastodonError::ConnectionLost { .. }) => {
                let (account, purpose) = (self.account.clone(), self.purpose.clone());
                let since = on_store(self.store, move |store| {
                    store.outbox_entry(&account, &purpose)
                })
                .await?
                .map_or_else(|| self.clock.now(), |entry| entry.first_tried_at);
                match own_copy(self.session, &token, status, since).await? {
                    Some(id) => Ok(id),
                    None => self.attempt(&token, status, idempotency_key).await,
                }
            }
            other => other,
        };
        match posted {
            Ok(id) => {
                self.record_sent(&id).await?;
                Ok(id)
            }
            Err(e) => {
                if refused_outright(&e) {
                    let (account, purpose) = (self.account.clone(), self.purpose.clone());
                    on_store(self.store, move |store| {
                        store.outbox_forget(&account, &purpose)
                    })
                    .await?;
                }
                Err(self.session.error(e))
            }
        }
    }

    async fn attempt(
        &self,
        token: &Sensitive<String>,
        status: &NewStatus,
        idempotency_key: &str,
    ) -> std::result::Result<String, MastodonError> {
        let (account, purpose, now) =
            (self.account.clone(), self.purpose.clone(), self.clock.now());
        // Recorded before the request leaves: a crash from here on leaves a send to look for.
        on_store(self.store, move |store| {
            store.outbox_attempt(&account, &purpose, now)
        })
        .await
        .map_err(|e| MastodonError::Unreachable {
            server: self.session.client().origin().to_owned(),
            reason: format!("the send could not be recorded first: {e}"),
        })?;
        self.session
            .client()
            .post_status(token, status, idempotency_key)
            .await
            .map(|posted| posted.id)
    }

    async fn record_sent(&self, id: &str) -> Result<()> {
        let (account, purpose, id) = (self.account.clone(), self.purpose.clone(), id.to_owned());
        on_store(self.store, move |store| {
            store.outbox_sent(&account, &purpose, &id)
        })
        .await
    }
}

/// A refusal that certainly made nothing: the request was read and turned down.
fn refused_outright(error: &MastodonError) -> bool {
    match error {
        MastodonError::InvalidToken { .. } => true,
        MastodonError::Server { status, .. } => {
            (400..500).contains(status) && *status != 408 && *status != 429
        }
        _ => false,
    }
}

/// What a look on the server found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Look {
    /// The account's copy, by id.
    Found(String),
    /// Not among the account's statuses back to the time looked for.
    Absent,
    /// Not among the statuses read, but the look stopped before reaching that time.
    Unsure,
}

/// The account's own copy of `status` on the server, written at or after `since`.
pub(crate) async fn own_copy(
    session: &MastodonSession,
    token: &Sensitive<String>,
    status: &NewStatus,
    since: Timestamp,
) -> Result<Option<String>> {
    Ok(match look_for(session, token, status, since).await? {
        Look::Found(id) => Some(id),
        Look::Absent => None,
        Look::Unsure => {
            tracing::warn!(
                "looked through {MAX_PAGES} pages of the account's statuses without reaching \
                 the first attempt; taking it as not sent"
            );
            None
        }
    })
}

/// Looks for the account's own copy of `status`, written at or after `since`.
pub(crate) async fn look_for(
    session: &MastodonSession,
    token: &Sensitive<String>,
    status: &NewStatus,
    since: Timestamp,
) -> Result<Look> {
    let client = session.client();
    // A reply is among the answers to its parent, direct messages included, on every server
    // (snac lists no direct statuses among the account's own).
    if let Some(parent) = &status.in_reply_to_id {
        match client.context(token, parent).await {
            Ok(context) => {
                if let Some(found) = context
                    .descendants
                    .iter()
                    .find(|s| s.account.id == session.account_id && same_post(s, status))
                {
                    return Ok(Look::Found(found.id.clone()));
                }
            }
            Err(MastodonError::Server { status: 404, .. }) => {}
            Err(e) => return Err(session.error(e)),
        }
    }
    let oldest = since - CLOCK_SKEW;
    let mut page = Page::Newest;
    for _ in 0..MAX_PAGES {
        let (statuses, next) = client
            .account_statuses(token, &session.account_id, &page, PAGE_SIZE)
            .await
            .map_err(|e| session.error(e))?;
        let mut reached_oldest = statuses.is_empty();
        for candidate in &statuses {
            if same_post(candidate, status) {
                return Ok(Look::Found(candidate.id.clone()));
            }
            let created: Option<Timestamp> = candidate.created_at.parse().ok();
            reached_oldest |= created.is_some_and(|at| at < oldest);
        }
        match next {
            Some(next) if !reached_oldest => page = next,
            // The last page, or one reaching back before `since`: it is not there.
            _ => return Ok(Look::Absent),
        }
    }
    Ok(Look::Unsure)
}

/// Whether a status on the server is `status` as Earshot sent it: the same parent and the
/// same words once the server's rendering is undone (HTML, collapsed spaces, mentions
/// shortened to `@name`).
pub(crate) fn same_post(candidate: &Status, status: &NewStatus) -> bool {
    if candidate.in_reply_to_id != status.in_reply_to_id {
        return false;
    }
    let sent = comparable(&status.text);
    candidate
        .text
        .as_deref()
        .is_some_and(|source| comparable(source) == sent)
        || comparable(&html_to_text(&candidate.content)) == sent
}
