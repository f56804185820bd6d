//! Embedded, append-only schema migrations.
//!
//! Never edit a migration that has shipped: add a new file and append it to [`MIGRATIONS`].
//! SQLite's `user_version` records how many have been applied.

use std::path::Path;

use rusqlite::Connection;

use crate::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_drafts.sql"),
    include_str!("../migrations/0002_accounts.sql"),
    include_str!("../migrations/0003_inbox.sql"),
    include_str!("../migrations/0004_mastodon_accounts.sql"),
    include_str!("../migrations/0005_owed.sql"),
    include_str!("../migrations/0006_planned_posts.sql"),
    include_str!("../migrations/0007_events.sql"),
    include_str!("../migrations/0008_plan_images.sql"),
    include_str!("../migrations/0009_server_schedules.sql"),
    include_str!("../migrations/0010_own_posts.sql"),
    include_str!("../migrations/0011_outbox.sql"),
    include_str!("../migrations/0012_thread_replies.sql"),
    include_str!("../migrations/0013_unknown_outcome.sql"),
    include_str!("../migrations/0014_web_addresses.sql"),
    include_str!("../migrations/0015_unreadable.sql"),
    include_str!("../migrations/0016_report.sql"),
    include_str!("../migrations/0017_report_answers.sql"),
    include_str!("../migrations/0018_history.sql"),
    include_str!("../migrations/0019_chat.sql"),
    include_str!("../migrations/0020_heard.sql"),
    include_str!("../migrations/0021_owed_tally.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

fn user_version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Fails, without writing anything, when the database was written by a newer Earshot.
pub(crate) fn refuse_newer(conn: &Connection, path: &Path) -> Result<()> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::WrittenByNewerVersion {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Applies every pending migration in one transaction: either all of them land or none.
///
/// Call with foreign keys off, as SQLite's procedure for changing a table's definition asks
/// (rebuilding a parent table must not cascade deletes into its children; the pragma cannot
/// change inside a transaction). The migrations' result is checked before committing: a
/// dangling reference rolls everything back.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    refuse_newer(conn, path)?;
    let applied = user_version(conn)? as usize;
    if applied == MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tracing::info!(version = index + 1, "applying database migration");
        tx.execute_batch(sql)?;
    }
    let dangling: i64 =
        tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })?;
    if dangling > 0 {
        return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some(format!(
                "the migrated data has {dangling} dangling references"
            )),
        )));
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}
