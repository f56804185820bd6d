//! Bluesky direct messages in the store: messages to the account are Inbox items (reason
//! `direct`, their conversation as the thread root), the account's own messages answer every
//! earlier message of theirs in that conversation, and the chat log's cursor moves with each
//! page in the same transaction.

use earshot_core::{AccountId, InboxItemId, IncomingPost, OwnPost};
use rusqlite::{OptionalExtension, params};

use crate::inbox::{Arrival, insert_items, record_own_posts};
use crate::time::to_micros;
use crate::{Result, Store};

/// Where an account's chat stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatState {
    /// Where the next read of the chat log starts; `None` before the first read.
    pub log_cursor: Option<String>,
    /// Why the PDS refuses chat to the session, in words; `None` when it does not.
    pub refused: Option<String>,
}

/// A page of chat: messages in, the account's own (each with its conversation), and where
/// the log stands after them.
#[derive(Debug, Clone, Copy)]
pub struct ChatPageIn<'a> {
    pub incoming: &'a [IncomingPost],
    /// (conversation, own message): each answers the conversation's earlier messages.
    pub own: &'a [(String, OwnPost)],
    /// The log cursor after this page; `None` leaves it where it was.
    pub log_cursor: Option<&'a str>,
    /// The first read (a backlog) never pops up; the log's news may.
    pub first_read: bool,
}

impl Store {
    pub fn chat_state(&self, account: &AccountId) -> Result<ChatState> {
        let state = self
            .conn()
            .query_row(
                "SELECT log_cursor, refused FROM chat_state WHERE account_id = ?1",
                params![account.0],
                |row| {
                    Ok(ChatState {
                        log_cursor: row.get(0)?,
                        refused: row.get(1)?,
                    })
                },
            )
            .optional()?;
        Ok(state.unwrap_or_default())
    }

    /// Records that the PDS refuses chat to the session (`Some(words)`), or no longer does.
    pub fn set_chat_refused(&self, account: &AccountId, refused: Option<&str>) -> Result<()> {
        self.conn().execute(
            "INSERT INTO chat_state (account_id, refused) VALUES (?1, ?2)
             ON CONFLICT (account_id) DO UPDATE SET refused = ?2",
            params![account.0, refused],
        )?;
        Ok(())
    }

    /// Stores a page of chat in one transaction. Returns the items that became answered.
    pub fn store_chat_page(
        &self,
        account: &AccountId,
        page: ChatPageIn<'_>,
    ) -> Result<(usize, Vec<InboxItemId>)> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let arrival = if page.first_read {
            Arrival::History
        } else {
            Arrival::Sync
        };
        let added = insert_items(&tx, account, page.incoming, arrival)?;
        let posts: Vec<OwnPost> = page.own.iter().map(|(_, post)| post.clone()).collect();
        let mut answered = record_own_posts(&tx, account, &posts)?;
        {
            // A message of the account's answers everything they wrote before it in that
            // conversation, not only the message it follows.
            let mut answer_earlier = tx.prepare_cached(
                "UPDATE inbox_items SET answered_by = ?3
                 WHERE account_id = ?1 AND reply_root_uri = ?2 AND reason = 'direct'
                   AND answered_by IS NULL AND created_at <= ?4
                 RETURNING id",
            )?;
            for (convo, post) in page.own {
                let ids = answer_earlier
                    .query_map(
                        params![account.0, convo, post.uri, to_micros(post.created_at)],
                        |row| row.get(0).map(InboxItemId),
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                answered.extend(ids);
            }
        }
        if let Some(cursor) = page.log_cursor {
            tx.execute(
                "INSERT INTO chat_state (account_id, log_cursor) VALUES (?1, ?2)
                 ON CONFLICT (account_id) DO UPDATE SET log_cursor = ?2",
                params![account.0, cursor],
            )?;
        }
        tx.commit()?;
        answered.sort_by_key(|id| id.0);
        answered.dedup();
        Ok((added, answered))
    }

    /// Every message of a conversation the account left: they leave the Inbox.
    pub fn forget_conversation(&self, account: &AccountId, convo: &str) -> Result<usize> {
        Ok(self.conn().execute(
            "DELETE FROM inbox_items WHERE account_id = ?1 AND reply_root_uri = ?2
               AND reason = 'direct'",
            params![account.0, convo],
        )?)
    }
}
