//! Planned posts and the scheduler's bookkeeping: claiming due rows in a transaction and
//! recording each part's key and result as it goes, so that a post is published exactly once.

use earshot_core::{AccountId, PlanStatus, PlannedPart, PlannedPost, PlannedPostId, Timestamp};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::time::{from_micros, to_micros};
use crate::{Result, Store, StoreError};

fn read_post(tx: &Transaction<'_>, id: &str) -> Result<PlannedPost> {
    let (account, publish_at, status, note, ignore_hold): (
        String,
        i64,
        String,
        Option<String>,
        bool,
    ) = tx
        .query_row(
            "SELECT account_id, publish_at, status, note, ignore_hold FROM planned_posts
             WHERE id = ?1",
            params![id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .optional()?
        .ok_or(StoreError::NotFound("planned post"))?;
    let parts = tx
        .prepare_cached(
            "SELECT text, record_key, uri, cid FROM planned_parts
             WHERE post_id = ?1 ORDER BY position",
        )?
        .query_map(params![id], |row| {
            Ok(PlannedPart {
                text: row.get(0)?,
                record_key: row.get(1)?,
                uri: row.get(2)?,
                cid: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(PlannedPost {
        id: PlannedPostId(id.to_owned()),
        account_id: AccountId(account),
        parts,
        publish_at: from_micros(publish_at)?,
        status: PlanStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("unknown plan status {status:?}").into(),
            )
        })?,
        note,
        ignore_hold,
    })
}

/// The ids a query returns (its first column).
fn ids(tx: &Transaction<'_>, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>> {
    Ok(tx
        .prepare(sql)?
        .query_map(params, |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Plans `parts` (checked by the caller) for `account` at `publish_at`.
    pub fn plan_post(
        &self,
        account: &AccountId,
        parts: &[String],
        publish_at: Timestamp,
        now: Timestamp,
    ) -> Result<PlannedPost> {
        let id = uuid::Uuid::now_v7().to_string();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO planned_posts (id, account_id, publish_at, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'scheduled', ?4, ?4)",
            params![id, account.0, to_micros(publish_at), to_micros(now)],
        )?;
        for (position, text) in (0u32..).zip(parts) {
            tx.execute(
                "INSERT INTO planned_parts (post_id, position, text) VALUES (?1, ?2, ?3)",
                params![id, position, text],
            )?;
        }
        let post = read_post(&tx, &id)?;
        tx.commit()?;
        Ok(post)
    }

    pub fn planned_post(&self, id: &PlannedPostId) -> Result<PlannedPost> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        read_post(&tx, &id.0)
    }

    /// Every planned post, soonest first.
    pub fn planned_posts(&self) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts ORDER BY publish_at, id",
            [],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// Moves every scheduled post due at `now` to 'publishing' and returns them. One
    /// immediate transaction: two schedulers can never claim the same row.
    pub fn claim_due(&self, now: Timestamp) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let due = ids(
            &tx,
            "UPDATE planned_posts SET status = 'publishing', updated_at = ?1
             WHERE status = 'scheduled' AND publish_at <= ?1 RETURNING id",
            params![to_micros(now)],
        )?;
        let posts = due
            .iter()
            .map(|id| read_post(&tx, id))
            .collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(posts)
    }

    /// Posts a previous run left 'publishing' (Earshot stopped mid-way): the scheduler
    /// checks them against the server before it sends anything again.
    pub fn interrupted_posts(&self) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts WHERE status = 'publishing' ORDER BY publish_at",
            [],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// Held posts, for the scheduler to release once nobody waits any more.
    pub fn held_posts(&self) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts WHERE status = 'held' ORDER BY publish_at",
            [],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// "Publish anyway": a held or late post goes out at once, the hold rule and the grace
    /// window set aside for it.
    pub fn publish_anyway(&self, id: &PlannedPostId, now: Timestamp) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE planned_posts SET status = 'scheduled', ignore_hold = 1, note = NULL,
                 updated_at = ?2
             WHERE id = ?1 AND status IN ('held', 'late')",
            params![id.0, to_micros(now)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("held or late post"));
        }
        Ok(())
    }

    /// How many planned posts wait for the person: failed, held or late (the tray's count).
    pub fn plans_needing_attention(&self) -> Result<u32> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM planned_posts WHERE status IN ('failed', 'held', 'late')",
            [],
            |row| row.get(0),
        )?)
    }

    /// When the next scheduled post is due.
    pub fn next_due(&self) -> Result<Option<Timestamp>> {
        let next: Option<i64> = self.conn().query_row(
            "SELECT min(publish_at) FROM planned_posts WHERE status = 'scheduled'",
            [],
            |row| row.get(0),
        )?;
        Ok(next.map(from_micros).transpose()?)
    }

    /// Records the key a part will be written under, before it is sent.
    pub fn set_part_key(&self, id: &PlannedPostId, position: u32, key: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE planned_parts SET record_key = ?3 WHERE post_id = ?1 AND position = ?2",
            params![id.0, position, key],
        )?;
        Ok(())
    }

    /// Records a part the server has written.
    pub fn set_part_published(
        &self,
        id: &PlannedPostId,
        position: u32,
        uri: &str,
        cid: Option<&str>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE planned_parts SET uri = ?3, cid = ?4 WHERE post_id = ?1 AND position = ?2",
            params![id.0, position, uri, cid],
        )?;
        Ok(())
    }

    /// Ends a post's run: published, failed or held (with the reason in words), or back to
    /// scheduled (a retry, a release).
    pub fn set_plan_status(
        &self,
        id: &PlannedPostId,
        status: PlanStatus,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE planned_posts SET status = ?2, note = ?3, updated_at = ?4 WHERE id = ?1",
            params![id.0, status.as_str(), note, to_micros(now)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("planned post"));
        }
        Ok(())
    }
}
