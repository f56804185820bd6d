//! Earshot's local store: one SQLite file in the app-data folder.
//!
//! The store owns the schema (embedded, append-only migrations in `migrations/`) and every
//! query. Callers get domain types from `earshot-core`, never rows.

mod accounts;
mod chat;
mod drafts;
mod events;
mod heard;
mod history;
mod inbox;
mod migrations;
mod outbox;
mod owed;
mod plan;
mod recovery;
mod report;
mod time;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

pub use chat::{ChatPageIn, ChatState};
pub use heard::{EventWatch, HeardCursor, HeardPost, UnannouncedHeard};
pub use history::{HistoryRead, HistoryStep};
pub use inbox::PageEnd;
pub use migrations::SCHEMA_VERSION;
pub use outbox::OutboxEntry;
pub use plan::StoredImage;
pub use recovery::{BACKUP_FOLDER, Backup, KEEP_BACKUPS, Recovery, backups};
pub use report::{DayCounts, QUARTER_MICROS, ReportCounts, ReportQuery, ReportRow, Times};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "earshot.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "Your Earshot data in {path} was written by a newer version of Earshot (data version \
         {found}; this version understands up to {supported}). Update Earshot to open it. \
         Nothing was changed."
    )]
    WrittenByNewerVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("Earshot cannot use its data folder {path}: {source}")]
    DataFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("There is no such {0} any more.")]
    NotFound(&'static str),
    /// A change the data's state does not allow, in words ("Approved text is locked…").
    #[error("{0}")]
    Refused(String),
    #[error("The local database failed: {0}")]
    Sqlite(rusqlite::Error),
    /// The disk (or the database's size limit) is full: nothing was written.
    #[error(
        "There is no room left on the disk for Earshot's data, so this was not saved. Free \
         some space: Earshot keeps trying, and nothing you typed is lost."
    )]
    DiskFull,
    /// SQLite's own check found broken pages or indexes.
    #[error("The local database is damaged: {0}")]
    Damaged(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match &error {
            rusqlite::Error::SqliteFailure(failure, _)
                if failure.code == rusqlite::ErrorCode::DiskFull =>
            {
                Self::DiskFull
            }
            _ => Self::Sqlite(error),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The open database. One connection behind a mutex: every statement Earshot runs is small,
/// and SQLite serialises writers anyway.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// What opening had to do about a damaged file, for the person to read.
    recovery: Option<Recovery>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    /// A database from a newer Earshot is refused before anything is written to it. A
    /// damaged one is moved aside and replaced by the newest good backup, or a fresh
    /// database ([`Store::recovery`] says which).
    pub fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataFolder {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let problem = match Self::open_file(&path) {
            Err(e) if recovery::is_damage(&e) => e.to_string(),
            opened => return opened,
        };
        tracing::error!(%problem, path = %path.display(), "the database is damaged; recovering");
        // Only the damaged file's new name reads the wall clock.
        let damaged_file = recovery::move_aside(&path, jiff::Timestamp::now())?;
        let mut restored_from = None;
        for backup in backups(data_dir) {
            match recovery::readable(&backup.path) {
                Ok(()) => {
                    std::fs::copy(&backup.path, &path).map_err(|source| {
                        StoreError::DataFolder {
                            path: path.clone(),
                            source,
                        }
                    })?;
                    restored_from = Some(backup.path);
                    break;
                }
                Err(e) => tracing::warn!(backup = %backup.path.display(), error = %e,
                    "a backup is damaged too"),
            }
        }
        let mut store = Self::open_file(&path)?;
        store.recovery = Some(Recovery {
            damaged_file,
            problem,
            restored_from,
        });
        Ok(store)
    }

    fn open_file(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // Version check first: switching to WAL would already write to a file we must not touch.
        migrations::refuse_newer(&conn, path)?;
        recovery::check(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode NORMAL loses nothing when the app crashes, only on power loss.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::prepare(conn, path)
    }

    /// Caps the database at `pages` pages (SQLite's `max_page_count`), as a full disk would:
    /// for tests of what a write does when there is no room.
    pub fn limit_size_to_pages(&self, pages: u32) -> Result<u32> {
        // The pragma answers with the limit it set (never below the pages in use).
        let set = self
            .conn()
            .pragma_update_and_check(None, "max_page_count", pages, |row| row.get(0))?;
        Ok(set)
    }

    /// What opening had to do about a damaged database, if anything.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// A private database that lives as long as the value; for tests.
    pub fn open_in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?, Path::new(":memory:"))
    }

    fn prepare(mut conn: Connection, path: &Path) -> Result<Self> {
        // Migrations run with foreign keys off (a rebuilt table must not cascade deletes into
        // its children) and check them before committing; then they stay on. Off must be
        // said: the bundled SQLite is built with foreign keys on by default.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        migrations::migrate(&mut conn, path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let classified = owed::classify_unclassified(&mut conn)?;
        if classified > 0 {
            tracing::info!(
                classified,
                "asked the question detector about older Inbox items"
            );
        }
        Ok(Self {
            conn: Mutex::new(conn),
            recovery: None,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are
        // atomic), so a poisoned lock is safe to keep using.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_enforces_foreign_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        for store in [Store::open(dir.path()), Store::open_in_memory()] {
            let store = store.expect("open");
            let on: i64 = store
                .conn()
                .pragma_query_value(None, "foreign_keys", |row| row.get(0))
                .expect("read pragma");
            assert_eq!(
                on, 1,
                "SQLite leaves foreign keys off unless each connection asks"
            );
        }
    }
}
