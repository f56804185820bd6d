//! Owed replies: what still wants an answer, what the person decided about it, and what has
//! been announced.

use earshot_core::{
    InboxItem, InboxItemId, InboxReason, OwedQueue, QUESTION_THRESHOLD, Timestamp, detect_question,
};
use rusqlite::{OptionalExtension, params};

use crate::inbox::{ITEM_COLUMNS, ITEM_SOURCES, OWED, item_from_row, owed_rank};
use crate::time::{from_micros, to_micros};
use crate::{Result, Store, StoreError};

impl Store {
    /// The Owed queue at `now`: its size, its oldest item and its first `limit` items, read
    /// in one transaction so that the count and the list agree.
    pub fn owed(&self, now: Timestamp, limit: u32) -> Result<OwedQueue> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now_micros = to_micros(now);
        // The tally (kept by triggers) less what is snoozed right now; the oldest is the
        // first unsnoozed row of each rank, read off the Owed index.
        let (open, open_questions): (u32, u32) = tx.query_row(
            "SELECT coalesce(sum(items), 0), coalesce(sum(items) FILTER (WHERE owed_rank = 0), 0)
             FROM owed_tally",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let (snoozed, snoozed_questions): (u32, u32) = tx.query_row(
            "SELECT count(*), count(*) FILTER (WHERE owed_rank = 0)
             FROM inbox_items INDEXED BY inbox_items_snoozed
             WHERE snoozed_until > ?1 AND answered_by IS NULL AND done_at IS NULL
               AND owed_rank < 3",
            params![now_micros],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let (total, questions) = (
            open.saturating_sub(snoozed),
            open_questions.saturating_sub(snoozed_questions),
        );
        let oldest: Option<i64> = tx.query_row(
            &format!(
                "SELECT min(first) FROM (
                     SELECT (SELECT i.created_at FROM inbox_items i
                             WHERE i.owed_rank = ranks.rank AND {OWED}
                             ORDER BY i.created_at LIMIT 1) AS first
                     FROM (SELECT 0 AS rank UNION ALL SELECT 1 UNION ALL SELECT 2) ranks)"
            ),
            params![now_micros],
            |row| row.get(0),
        )?;
        let items = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM {ITEM_SOURCES}
                 WHERE {OWED} ORDER BY i.owed_rank, i.created_at, i.id LIMIT ?2"
            ))?;
            stmt.query_map(params![now_micros, limit], |row| item_from_row(row, now))?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.commit()?;
        Ok(OwedQueue {
            total,
            questions,
            oldest_at: oldest.map(from_micros).transpose()?,
            items,
        })
    }

    /// "No reply needed": the item leaves Owed for good (until [`Store::reopen`]).
    pub fn mark_done(&self, id: InboxItemId, at: Timestamp) -> Result<()> {
        self.update_item(
            "UPDATE inbox_items SET done_at = ?2, snoozed_until = NULL WHERE id = ?1",
            id,
            Some(at),
        )
    }

    /// Takes back "no reply needed" or a snooze: the item is owed again.
    pub fn reopen(&self, id: InboxItemId) -> Result<()> {
        self.update_item(
            "UPDATE inbox_items SET done_at = NULL, snoozed_until = NULL WHERE id = ?1",
            id,
            None,
        )
    }

    /// Keeps the item out of Owed until `until`.
    pub fn snooze(&self, id: InboxItemId, until: Timestamp) -> Result<()> {
        self.update_item(
            "UPDATE inbox_items SET snoozed_until = ?2 WHERE id = ?1",
            id,
            Some(until),
        )
    }

    fn update_item(&self, sql: &str, id: InboxItemId, at: Option<Timestamp>) -> Result<()> {
        let changed = match at {
            Some(at) => self.conn().execute(sql, params![id.0, to_micros(at)])?,
            None => self.conn().execute(sql, params![id.0])?,
        };
        if changed == 0 {
            return Err(StoreError::NotFound("inbox item"));
        }
        Ok(())
    }

    /// When the next snoozed item comes back after `now`, if any is snoozed.
    pub fn next_snooze_end(&self, now: Timestamp) -> Result<Option<Timestamp>> {
        let next: Option<i64> = self.conn().query_row(
            "SELECT min(snoozed_until) FROM inbox_items
             WHERE snoozed_until > ?1 AND answered_by IS NULL AND done_at IS NULL",
            params![to_micros(now)],
            |row| row.get(0),
        )?;
        Ok(next.map(from_micros).transpose()?)
    }

    /// Owed questions that arrived after their account's first sync and have not been
    /// announced yet, oldest first.
    pub fn unannounced_questions(&self, now: Timestamp) -> Result<Vec<InboxItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM {ITEM_SOURCES}
             WHERE i.may_notify = 1 AND i.notified_at IS NULL AND i.owed_rank = 0 AND {OWED}
             ORDER BY i.indexed_at, i.id"
        ))?;
        let items = stmt
            .query_map(params![to_micros(now)], |row| item_from_row(row, now))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(items)
    }

    /// How many owed questions on `account` were asked at or before `asked_before` (people
    /// who have been waiting a while): the listen-before-broadcast rule holds planned posts
    /// while there are any.
    pub fn waiting_on(
        &self,
        account: &earshot_core::AccountId,
        asked_before: Timestamp,
        now: Timestamp,
    ) -> Result<u32> {
        Ok(self.conn().query_row(
            &format!(
                "SELECT count(*) FROM inbox_items i
                 WHERE {OWED} AND i.owed_rank = 0 AND i.account_id = ?2 AND i.created_at <= ?3"
            ),
            params![to_micros(now), account.0, to_micros(asked_before)],
            |row| row.get(0),
        )?)
    }

    /// Records that the person has been told about these items.
    pub fn mark_announced(&self, ids: &[InboxItemId], at: Timestamp) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut mark =
                tx.prepare_cached("UPDATE inbox_items SET notified_at = ?2 WHERE id = ?1")?;
            for id in ids {
                mark.execute(params![id.0, to_micros(at)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A setting saved as JSON, if it was ever saved.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn save_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    }
}

/// Runs the question detector over items stored before it existed (a database from an older
/// Earshot). They never notify: they are not new.
pub(crate) fn classify_unclassified(conn: &mut rusqlite::Connection) -> Result<usize> {
    let tx = conn.transaction()?;
    let rows: Vec<(i64, String, String)> = {
        let mut stmt =
            tx.prepare("SELECT id, text, reason FROM inbox_items WHERE question_kind IS NULL")?;
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    {
        let mut update = tx.prepare(
            "UPDATE inbox_items SET question_score = ?2, question_kind = ?3, asks = ?4,
                 owed_rank = ?5
             WHERE id = ?1",
        )?;
        for (id, text, reason) in &rows {
            let verdict = detect_question(text);
            let reason = InboxReason::parse(reason).unwrap_or(InboxReason::Mention);
            update.execute(params![
                id,
                verdict.score,
                verdict.kind.as_str(),
                verdict.asks,
                owed_rank(verdict.score >= QUESTION_THRESHOLD, reason),
            ])?;
        }
    }
    tx.commit()?;
    Ok(rows.len())
}
