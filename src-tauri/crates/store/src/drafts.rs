//! Drafts: create, edit, list, soft-delete and restore.

use earshot_core::{Draft, DraftBody, DraftId, Timestamp};
use rusqlite::{OptionalExtension, Row, params};

use crate::time::{from_micros, to_micros};
use crate::{Result, Store, StoreError};

fn draft_from_row(row: &Row<'_>) -> rusqlite::Result<Draft> {
    Ok(Draft {
        id: DraftId(row.get("id")?),
        body: row.get("body")?,
        created_at: from_micros(row.get("created_at")?)?,
        updated_at: from_micros(row.get("updated_at")?)?,
    })
}

const DRAFT_COLUMNS: &str = "id, body, created_at, updated_at";

impl Store {
    /// Live drafts, newest first.
    pub fn list_drafts(&self) -> Result<Vec<Draft>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE deleted_at IS NULL
             ORDER BY created_at DESC, id DESC"
        ))?;
        let drafts = stmt
            .query_map([], draft_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(drafts)
    }

    pub fn create_draft(&self, body: &DraftBody, now: Timestamp) -> Result<Draft> {
        let id = DraftId(uuid::Uuid::now_v7().to_string());
        self.conn().execute(
            "INSERT INTO drafts (id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id.0, body.as_str(), to_micros(now)],
        )?;
        self.live_draft(&id)
    }

    /// Replaces a live draft's text. Editing a deleted draft is refused: the UI must restore
    /// it first, so an autosave racing a delete cannot silently resurrect it.
    pub fn update_draft(&self, id: &DraftId, body: &DraftBody, now: Timestamp) -> Result<Draft> {
        let changed = self.conn().execute(
            "UPDATE drafts SET body = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL",
            params![id.0, body.as_str(), to_micros(now)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("draft"));
        }
        self.live_draft(id)
    }

    /// Moves a draft out of the list; [`Store::restore_draft`] brings it back.
    pub fn delete_draft(&self, id: &DraftId, now: Timestamp) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE drafts SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            params![id.0, to_micros(now)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("draft"));
        }
        Ok(())
    }

    pub fn restore_draft(&self, id: &DraftId) -> Result<Draft> {
        let changed = self.conn().execute(
            "UPDATE drafts SET deleted_at = NULL WHERE id = ?1 AND deleted_at IS NOT NULL",
            params![id.0],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("deleted draft"));
        }
        self.live_draft(id)
    }

    /// Forgets drafts deleted before `cutoff`. Returns how many were purged.
    pub fn purge_drafts_deleted_before(&self, cutoff: Timestamp) -> Result<usize> {
        Ok(self.conn().execute(
            "DELETE FROM drafts WHERE deleted_at IS NOT NULL AND deleted_at < ?1",
            params![to_micros(cutoff)],
        )?)
    }

    fn live_draft(&self, id: &DraftId) -> Result<Draft> {
        self.conn()
            .query_row(
                &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = ?1 AND deleted_at IS NULL"),
                params![id.0],
                draft_from_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound("draft"))
    }
}
