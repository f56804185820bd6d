//! The outbox: sends that must happen exactly once, recorded before they go out.

use earshot_core::{AccountId, Timestamp};
use rusqlite::{OptionalExtension, params};

use crate::time::{from_micros, to_micros};
use crate::{Result, Store};

/// What Earshot knows of earlier attempts at one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// When the first attempt went out: a copy on the server is no older than this.
    pub first_tried_at: Timestamp,
    pub attempts: u32,
    /// What the server made, when Earshot heard its answer.
    pub sent_uri: Option<String>,
}

impl Store {
    pub fn outbox_entry(&self, account: &AccountId, purpose: &str) -> Result<Option<OutboxEntry>> {
        let row = self
            .conn()
            .query_row(
                "SELECT first_tried_at, attempts, sent_uri FROM outbox
                 WHERE account_id = ?1 AND purpose = ?2",
                params![account.0, purpose],
                |row| {
                    Ok(OutboxEntry {
                        first_tried_at: from_micros(row.get(0)?)?,
                        attempts: row.get(1)?,
                        sent_uri: row.get(2)?,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    /// Records an attempt before it is sent; the first attempt's time is kept.
    pub fn outbox_attempt(&self, account: &AccountId, purpose: &str, now: Timestamp) -> Result<()> {
        self.conn().execute(
            "INSERT INTO outbox (account_id, purpose, first_tried_at, attempts)
             VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (account_id, purpose) DO UPDATE SET attempts = attempts + 1",
            params![account.0, purpose, to_micros(now)],
        )?;
        Ok(())
    }

    /// Marks a send as possibly made since `since`, unless the outbox knows more already: for
    /// work a crash interrupted (a planned post left 'publishing'), so that its next attempt
    /// looks on the server first.
    pub fn outbox_suspect(
        &self,
        account: &AccountId,
        purpose: &str,
        since: Timestamp,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO outbox (account_id, purpose, first_tried_at, attempts)
             VALUES (?1, ?2, ?3, 0)
             ON CONFLICT (account_id, purpose) DO NOTHING",
            params![account.0, purpose, to_micros(since)],
        )?;
        Ok(())
    }

    /// Records what the server made for a send.
    pub fn outbox_sent(&self, account: &AccountId, purpose: &str, uri: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET sent_uri = ?3 WHERE account_id = ?1 AND purpose = ?2",
            params![account.0, purpose, uri],
        )?;
        Ok(())
    }

    /// Forgets a send the server refused outright: nothing was made, nothing to look for.
    pub fn outbox_forget(&self, account: &AccountId, purpose: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM outbox WHERE account_id = ?1 AND purpose = ?2",
            params![account.0, purpose],
        )?;
        Ok(())
    }
}
