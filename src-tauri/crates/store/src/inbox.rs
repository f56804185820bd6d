//! The Inbox, the account's own replies, and each account's sync marks.
//!
//! A page of a sync lands in one transaction together with the marks that say how far the
//! sync has read, so a crash between pages neither loses items nor skips any on restart.

use earshot_core::{
    AccountId, InboxItem, InboxItemId, InboxReason, IncomingPost, ItemState, Network, OwnPost,
    Person, PostRef, QuestionKind, SyncMarks, SyncRecord, Timestamp, Walk, detect_question_in,
};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::time::{from_micros, to_micros};
use crate::{Result, Store, StoreError};

pub(crate) const ITEM_COLUMNS: &str = "i.id, i.account_id, a.network, a.handle AS account_handle, i.uri, \
     i.cid, i.reason, i.author_id, i.author_handle, i.author_name, i.text, i.facets, \
     i.created_at, i.indexed_at, i.reply_root_uri, i.reply_root_cid, i.reply_parent_uri, \
     i.reply_parent_cid, i.subject_uri, i.web_url, i.answered_by, i.done_at, i.snoozed_until, \
     i.question_kind, i.asks, i.heard_via, o.text AS about";

/// Inbox items with their account and, when Earshot has seen it, the account's own post they
/// reply to or quote (for [`ITEM_COLUMNS`]).
pub(crate) const ITEM_SOURCES: &str = "inbox_items i JOIN accounts a ON a.id = i.account_id \
     LEFT JOIN own_posts o ON o.account_id = i.account_id \
     AND o.uri = coalesce(i.subject_uri, i.reply_parent_uri)";

/// Owed: neither answered nor marked done, and not snoozed at `?1` (microseconds). Matches
/// the partial index `inbox_items_owed`.
pub(crate) const OWED: &str = "i.answered_by IS NULL AND i.done_at IS NULL \
     AND i.owed_rank < 3 AND (i.snoozed_until IS NULL OR i.snoozed_until <= ?1)";

/// Where Owed puts a post: questions first, then direct messages, then the rest; 3 keeps a
/// reply to someone else in the account's thread out of Owed, 4 a heard question (Heard has
/// its own list and count).
pub(crate) fn owed_rank(question: bool, reason: InboxReason) -> i64 {
    match (question, reason) {
        (_, InboxReason::Thread) => 3,
        (_, InboxReason::Heard) => HEARD_RANK,
        (true, _) => 0,
        (false, InboxReason::Direct) => 1,
        (false, _) => 2,
    }
}

/// The `owed_rank` of heard items.
pub(crate) const HEARD_RANK: i64 = 4;

fn conversion_error(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

fn post_ref(uri: Option<String>, cid: Option<String>) -> Option<PostRef> {
    uri.map(|uri| PostRef { uri, cid })
}

/// Reads an item row; `now` decides whether a snooze is still on.
pub(crate) fn item_from_row(row: &Row<'_>, now: Timestamp) -> rusqlite::Result<InboxItem> {
    let network: String = row.get("network")?;
    let reason: String = row.get("reason")?;
    let kind: Option<String> = row.get("question_kind")?;
    let answered_by: Option<String> = row.get("answered_by")?;
    let done_at: Option<i64> = row.get("done_at")?;
    let snoozed_until = optional_time(row.get("snoozed_until")?)?.filter(|until| *until > now);
    let state = match (&answered_by, done_at, snoozed_until) {
        (Some(_), _, _) => ItemState::Answered,
        (None, Some(_), _) => ItemState::Done,
        (None, None, Some(_)) => ItemState::Snoozed,
        (None, None, None) if reason == InboxReason::Thread.as_str() => ItemState::ToOthers,
        (None, None, None) if reason == InboxReason::Heard.as_str() => ItemState::Heard,
        (None, None, None) => ItemState::Owed,
    };
    Ok(InboxItem {
        id: InboxItemId(row.get("id")?),
        account_id: AccountId(row.get("account_id")?),
        network: Network::parse(&network)
            .ok_or_else(|| conversion_error(2, format!("unknown network {network:?}")))?,
        account_handle: row.get("account_handle")?,
        post: IncomingPost {
            uri: row.get("uri")?,
            cid: row.get("cid")?,
            reason: InboxReason::parse(&reason)
                .ok_or_else(|| conversion_error(6, format!("unknown reason {reason:?}")))?,
            author: Person {
                id: row.get("author_id")?,
                handle: row.get("author_handle")?,
                display_name: row.get("author_name")?,
            },
            text: row.get("text")?,
            facets: row.get("facets")?,
            created_at: from_micros(row.get("created_at")?)?,
            indexed_at: from_micros(row.get("indexed_at")?)?,
            reply_root: post_ref(row.get("reply_root_uri")?, row.get("reply_root_cid")?),
            reply_parent: post_ref(row.get("reply_parent_uri")?, row.get("reply_parent_cid")?),
            subject_uri: row.get("subject_uri")?,
            web_url: row.get("web_url")?,
            // Read by the detector as the item is stored, not kept.
            language: None,
        },
        answered_by,
        state,
        snoozed_until,
        question_kind: kind
            .as_deref()
            .and_then(QuestionKind::parse)
            .unwrap_or(QuestionKind::Statement),
        asks: row.get("asks")?,
        about: row.get("about")?,
        heard_via: row.get("heard_via")?,
    })
}

fn optional_time(micros: Option<i64>) -> rusqlite::Result<Option<Timestamp>> {
    micros.map(from_micros).transpose()
}

/// How a page of a sync ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageEnd {
    /// More pages follow in this round.
    MorePages,
    /// The round is complete: record it as the account's last success.
    RoundDone { at: Timestamp },
}

/// Records own posts (their text, and which post each reply answers) and marks the items
/// they answer. An item answered twice keeps its first answer, whichever was read first.
/// Returns the items that became answered.
pub(crate) fn record_own_posts(
    tx: &Transaction<'_>,
    account: &AccountId,
    posts: &[OwnPost],
) -> Result<Vec<InboxItemId>> {
    let mut answered = Vec::new();
    let mut keep_text = tx.prepare_cached(
        "INSERT INTO own_posts (account_id, uri, text, created_at, is_reply, written_quarter)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4 / 900000000)
         ON CONFLICT DO UPDATE SET text = excluded.text,
             created_at = excluded.created_at, is_reply = excluded.is_reply,
             written_quarter = excluded.written_quarter",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO own_replies (account_id, uri, parent_uri, created_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    )?;
    let mut mark = tx.prepare_cached(
        "UPDATE inbox_items SET answered_by = ?3
         WHERE account_id = ?1 AND uri = ?2 AND answered_by IS NULL
         RETURNING id",
    )?;
    // Reading further back finds answers older than the one known: the first one counts.
    let mut mark_earlier = tx.prepare_cached(
        "UPDATE inbox_items SET answered_by = ?3
         WHERE account_id = ?1 AND uri = ?2 AND answered_at > ?4",
    )?;
    for post in posts {
        // A boost lists as an own status without text: nothing to say it is about.
        if !post.text.trim().is_empty() {
            keep_text.execute(params![
                account.0,
                post.uri,
                post.text,
                to_micros(post.created_at),
                post.parent_uri.is_some(),
            ])?;
        }
        let Some(parent_uri) = &post.parent_uri else {
            continue;
        };
        let written = to_micros(post.created_at);
        insert.execute(params![account.0, post.uri, parent_uri, written])?;
        let ids = mark
            .query_map(params![account.0, parent_uri, post.uri], |row| {
                row.get(0).map(InboxItemId)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        answered.extend(ids);
        mark_earlier.execute(params![account.0, parent_uri, post.uri, written])?;
    }
    Ok(answered)
}

/// Inserts posts not stored yet (unique per account and URI), already answered when an own
/// reply to them is known. Returns how many were new.
/// How items reached the store, which decides whether they may pop up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// Read by a sync (or heard on a stream).
    Sync,
    /// Read back from the account's history: old news, never announced.
    History,
}

pub(crate) fn insert_items(
    tx: &Transaction<'_>,
    account: &AccountId,
    posts: &[IncomingPost],
    arrival: Arrival,
) -> Result<usize> {
    // Only what arrives after the account's first complete sync may pop up: signing in with
    // a backlog must not flood the desktop.
    let may_notify: bool = arrival == Arrival::Sync
        && tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sync_state
                            WHERE account_id = ?1 AND last_success_at IS NOT NULL)",
            params![account.0],
            |row| row.get(0),
        )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO inbox_items (account_id, uri, cid, reason, author_id, author_handle,
             author_name, text, facets, created_at, indexed_at, reply_root_uri,
             reply_root_cid, reply_parent_uri, reply_parent_cid, subject_uri, question_score,
             question_kind, asks, owed_rank, may_notify, web_url, asked_quarter, answered_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?10 / 900000000,
             (SELECT uri FROM own_replies WHERE account_id = ?1 AND parent_uri = ?2
              ORDER BY created_at LIMIT 1))
         ON CONFLICT (account_id, uri) DO UPDATE SET
             reason = excluded.reason, owed_rank = excluded.owed_rank,
             subject_uri = excluded.subject_uri, may_notify = excluded.may_notify,
             heard_via = NULL, heard_event_id = NULL, done_at = NULL
         -- Heard first, then found to address the account: it is Owed now, never both.
         WHERE inbox_items.reason = 'heard' AND excluded.reason <> 'heard'",
    )?;
    let mut added = 0;
    for post in posts {
        let verdict = detect_question_in(&post.text, post.language.as_deref());
        added += insert.execute(params![
            account.0,
            post.uri,
            post.cid,
            post.reason.as_str(),
            post.author.id,
            post.author.handle,
            post.author.display_name,
            post.text,
            post.facets,
            to_micros(post.created_at),
            to_micros(post.indexed_at),
            post.reply_root.as_ref().map(|r| &r.uri),
            post.reply_root.as_ref().and_then(|r| r.cid.as_ref()),
            post.reply_parent.as_ref().map(|r| &r.uri),
            post.reply_parent.as_ref().and_then(|r| r.cid.as_ref()),
            post.subject_uri,
            verdict.score,
            verdict.kind.as_str(),
            verdict.asks,
            owed_rank(verdict.question, post.reason),
            may_notify,
            post.web_url,
        ])?;
    }
    Ok(added)
}

/// Saves how far the notifications have been read; `own_posts_until` has its own writer.
fn save_notification_marks(
    tx: &Transaction<'_>,
    account: &AccountId,
    marks: &SyncMarks,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_state (account_id, read_until, walk_cursor, walk_top, walk_until)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (account_id) DO UPDATE SET
             read_until = ?2, walk_cursor = ?3, walk_top = ?4, walk_until = ?5",
        params![
            account.0,
            marks.read_until.map(to_micros),
            marks.walk.as_ref().map(|w| w.cursor.as_str()),
            marks.walk.as_ref().map(|w| to_micros(w.top)),
            marks.walk.as_ref().map(|w| to_micros(w.until)),
        ],
    )?;
    Ok(())
}

fn record_success(tx: &Transaction<'_>, account: &AccountId, at: Timestamp) -> Result<()> {
    tx.execute(
        "UPDATE sync_state
         SET last_success_at = ?2, last_error = NULL, last_error_at = NULL, needs_sign_in = 0
         WHERE account_id = ?1",
        params![account.0, to_micros(at)],
    )?;
    Ok(())
}

impl Store {
    /// Where the sync of `account` stands; all empty before its first sync.
    pub fn sync_marks(&self, account: &AccountId) -> Result<SyncMarks> {
        let conn = self.conn();
        let marks = conn
            .query_row(
                "SELECT read_until, walk_cursor, walk_top, walk_until, own_posts_until
                 FROM sync_state WHERE account_id = ?1",
                params![account.0],
                |row| {
                    let walk = match (
                        row.get::<_, Option<String>>("walk_cursor")?,
                        row.get::<_, Option<i64>>("walk_top")?,
                        row.get::<_, Option<i64>>("walk_until")?,
                    ) {
                        (Some(cursor), Some(top), Some(until)) => Some(Walk {
                            cursor,
                            top: from_micros(top)?,
                            until: from_micros(until)?,
                        }),
                        _ => None,
                    };
                    Ok(SyncMarks {
                        read_until: optional_time(row.get("read_until")?)?,
                        walk,
                        own_posts_until: row.get("own_posts_until")?,
                    })
                },
            )
            .optional()?;
        Ok(marks.unwrap_or_default())
    }

    /// Stores a page of incoming posts (ignoring ones already stored) together with how far
    /// the notifications have been read after it (`read_until` and `walk`), in one
    /// transaction. Returns how many posts were new.
    pub fn store_inbox_page(
        &self,
        account: &AccountId,
        posts: &[IncomingPost],
        marks: &SyncMarks,
        end: PageEnd,
    ) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let added = insert_items(&tx, account, posts, Arrival::Sync)?;
        save_notification_marks(&tx, account, marks)?;
        if let PageEnd::RoundDone { at } = end {
            record_success(&tx, account, at)?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Stores posts that arrived outside a sync round (a streaming server pushed them). The
    /// marks stay as they are: the next round still reads everything since the last one.
    pub fn store_inbox_items(&self, account: &AccountId, posts: &[IncomingPost]) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let added = insert_items(&tx, account, posts, Arrival::Sync)?;
        tx.commit()?;
        Ok(added)
    }

    /// Records the account's own posts and marks what its replies answer; a sync also passes
    /// the newest own post it has checked. Returns the ids of Inbox items that became
    /// answered.
    pub fn store_own_posts(
        &self,
        account: &AccountId,
        posts: &[OwnPost],
        own_posts_until: Option<&str>,
    ) -> Result<Vec<InboxItemId>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let answered = record_own_posts(&tx, account, posts)?;
        if let Some(until) = own_posts_until {
            tx.execute(
                "INSERT INTO sync_state (account_id, own_posts_until) VALUES (?1, ?2)
                 ON CONFLICT (account_id) DO UPDATE SET own_posts_until = ?2",
                params![account.0, until],
            )?;
        }
        tx.commit()?;
        Ok(answered)
    }

    /// The newest direct messages to `account` still waiting for an answer, for servers that
    /// do not list the account's own direct answers where the sync reads them.
    pub fn unanswered_direct(&self, account: &AccountId, limit: u32) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT uri FROM inbox_items
             WHERE account_id = ?1 AND reason = 'direct'
               AND answered_by IS NULL AND done_at IS NULL
             ORDER BY indexed_at DESC LIMIT ?2",
        )?;
        let uris = query
            .query_map(params![account.0, limit], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(uris)
    }

    /// Posts whose deletion would change Owed: every owed item, and the account's replies
    /// written between `answered_from` and `answered_to` that answer an item — at most
    /// `limit`, newest first.
    pub fn posts_to_recheck(
        &self,
        account: &AccountId,
        answered_from: Timestamp,
        answered_to: Timestamp,
        limit: u32,
    ) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT uri FROM (
                 SELECT uri, indexed_at AS at FROM inbox_items
                 WHERE account_id = ?1 AND answered_by IS NULL AND done_at IS NULL
                   AND owed_rank < 3
                 UNION
                 SELECT r.uri, r.created_at AS at FROM own_replies r
                 JOIN inbox_items i ON i.account_id = r.account_id AND i.answered_by = r.uri
                 WHERE r.account_id = ?1 AND r.created_at BETWEEN ?2 AND ?3)
             ORDER BY at DESC LIMIT ?4",
        )?;
        let uris = query
            .query_map(
                params![
                    account.0,
                    to_micros(answered_from),
                    to_micros(answered_to),
                    limit
                ],
                |row| row.get(0),
            )?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(uris)
    }

    /// Marks the account's reply `uri` as written from Earshot (the Report tells answers given
    /// here from those given in other apps).
    pub fn mark_answer_from_earshot(&self, account: &AccountId, uri: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE own_replies SET from_earshot = 1 WHERE account_id = ?1 AND uri = ?2",
            params![account.0, uri],
        )?;
        Ok(())
    }

    /// Forgets posts deleted on the server: an item addressed to the account leaves the
    /// Inbox, Owed and the tray count; an own reply that was deleted no longer answers, so an
    /// item it alone answered is owed again. Returns whether anything changed.
    pub fn forget_deleted(&self, account: &AccountId, uris: &[String]) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut changed = 0;
        {
            let mut forget_item =
                tx.prepare_cached("DELETE FROM inbox_items WHERE account_id = ?1 AND uri = ?2")?;
            let mut forget_reply =
                tx.prepare_cached("DELETE FROM own_replies WHERE account_id = ?1 AND uri = ?2")?;
            let mut forget_text =
                tx.prepare_cached("DELETE FROM own_posts WHERE account_id = ?1 AND uri = ?2")?;
            // Another answer of the account's, if there is one, answers it instead.
            let mut reanswer = tx.prepare_cached(
                "UPDATE inbox_items SET answered_by = (
                     SELECT uri FROM own_replies
                     WHERE own_replies.account_id = inbox_items.account_id
                       AND own_replies.parent_uri = inbox_items.uri
                     ORDER BY created_at LIMIT 1)
                 WHERE account_id = ?1 AND answered_by = ?2",
            )?;
            for uri in uris {
                changed += forget_item.execute(params![account.0, uri])?;
                forget_reply.execute(params![account.0, uri])?;
                forget_text.execute(params![account.0, uri])?;
                changed += reanswer.execute(params![account.0, uri])?;
            }
        }
        tx.commit()?;
        Ok(changed > 0)
    }

    /// Records why the last sync of `account` failed. The marks are left alone: the next
    /// attempt resumes where the last good page ended.
    pub fn record_sync_error(
        &self,
        account: &AccountId,
        message: &str,
        needs_sign_in: bool,
        at: Timestamp,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sync_state (account_id, last_error, last_error_at, needs_sign_in)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account_id) DO UPDATE SET
                 last_error = ?2, last_error_at = ?3, needs_sign_in = ?4",
            params![account.0, message, to_micros(at), needs_sign_in],
        )?;
        Ok(())
    }

    /// How many notifications the last round skipped because they could not be read (a
    /// round reads the newest page again, so a count per round, not a running total).
    pub fn set_unreadable(&self, account: &AccountId, skipped: u32) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sync_state (account_id, unreadable) VALUES (?1, ?2)
             ON CONFLICT (account_id) DO UPDATE SET unreadable = ?2",
            params![account.0, skipped],
        )?;
        Ok(())
    }

    /// Forgets a "sign in again" state after the person signed in.
    pub fn clear_sync_error(&self, account: &AccountId) -> Result<()> {
        self.conn().execute(
            "UPDATE sync_state SET last_error = NULL, last_error_at = NULL, needs_sign_in = 0
             WHERE account_id = ?1",
            params![account.0],
        )?;
        Ok(())
    }

    pub fn sync_record(&self, account: &AccountId) -> Result<SyncRecord> {
        let record = self
            .conn()
            .query_row(
                "SELECT last_success_at, last_error, last_error_at, needs_sign_in, unreadable
                 FROM sync_state WHERE account_id = ?1",
                params![account.0],
                |row| {
                    Ok(SyncRecord {
                        last_success_at: optional_time(row.get("last_success_at")?)?,
                        last_error: row.get("last_error")?,
                        last_error_at: optional_time(row.get("last_error_at")?)?,
                        needs_sign_in: row.get("needs_sign_in")?,
                        unreadable: row.get("unreadable")?,
                    })
                },
            )
            .optional()?;
        Ok(record.unwrap_or_default())
    }

    /// The newest `limit` Inbox items of every account, newest first.
    pub fn inbox(&self, limit: u32, now: Timestamp) -> Result<Vec<InboxItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM {ITEM_SOURCES} WHERE i.reason <> 'heard'
             ORDER BY i.indexed_at DESC, i.id DESC LIMIT ?1"
        ))?;
        let items = stmt
            .query_map(params![limit], |row| item_from_row(row, now))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(items)
    }

    pub fn inbox_item(&self, id: InboxItemId, now: Timestamp) -> Result<InboxItem> {
        self.conn()
            .query_row(
                &format!("SELECT {ITEM_COLUMNS} FROM {ITEM_SOURCES} WHERE i.id = ?1"),
                params![id.0],
                |row| item_from_row(row, now),
            )
            .optional()?
            .ok_or(StoreError::NotFound("inbox item"))
    }
}
