//! A damaged database is recovered, not just reported, and a copy a day is kept to recover
//! from.
//!
//! Opening checks the file (`PRAGMA quick_check`). A file SQLite cannot read, or one with
//! broken pages, is moved aside — kept, named with the time, so nothing is thrown away — and
//! the newest backup that passes the same check takes its place; with none, a fresh database
//! starts. The person is told in words what happened and where the damaged file is.
//!
//! Backups are made with SQLite's online backup API (a consistent copy while Earshot keeps
//! running), written under a temporary name and renamed, one per day, the newest
//! [`KEEP_BACKUPS`] kept, in `backups/` beside the database.

use std::path::{Path, PathBuf};

use earshot_core::Timestamp;
use rusqlite::{Connection, OpenFlags};

use crate::{DATABASE_FILE, Result, Store, StoreError};

/// How many daily backups are kept.
pub const KEEP_BACKUPS: usize = 7;
/// The folder, inside the data folder, that holds them.
pub const BACKUP_FOLDER: &str = "backups";

const BACKUP_PREFIX: &str = "earshot-";
const BACKUP_SUFFIX: &str = ".sqlite3";

/// What opening had to do about a damaged database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Where the damaged file was moved (kept, not deleted).
    pub damaged_file: PathBuf,
    /// What SQLite said about it.
    pub problem: String,
    /// The backup that took its place; `None` when a fresh database was started.
    pub restored_from: Option<PathBuf>,
}

impl Recovery {
    /// The words the person reads.
    pub fn words(&self) -> String {
        let instead = match &self.restored_from {
            Some(backup) => format!(
                "Earshot went back to the backup {} — anything newer has to sync again.",
                backup.display()
            ),
            None => "There was no good backup, so Earshot started with an empty database; \
                     sign in to your accounts again."
                .to_owned(),
        };
        format!(
            "Earshot's database was damaged ({}). It was kept as {}. {instead}",
            self.problem,
            self.damaged_file.display()
        )
    }
}

/// One daily backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    /// The day it was taken, `YYYY-MM-DD`.
    pub day: String,
    pub bytes: u64,
}

/// Whether an error says the file itself is damaged (as opposed to locked, or from a newer
/// Earshot, or a folder that cannot be written).
pub(crate) fn is_damage(error: &StoreError) -> bool {
    match error {
        StoreError::Damaged(_) => true,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => matches!(
            failure.code,
            rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
        ),
        _ => false,
    }
}

/// `PRAGMA quick_check`: SQLite's own reading of every page and index.
pub(crate) fn check(conn: &Connection) -> Result<()> {
    let mut statement = conn.prepare("PRAGMA quick_check")?;
    let findings: Vec<String> = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if findings.len() == 1 && findings[0] == "ok" {
        return Ok(());
    }
    let summary: Vec<&str> = findings.iter().take(3).map(String::as_str).collect();
    Err(StoreError::Damaged(summary.join("; ")))
}

/// Moves a damaged database (and its WAL and shared-memory files) aside, named with the
/// time; returns the new name of the main file.
pub(crate) fn move_aside(path: &Path, now: Timestamp) -> Result<PathBuf> {
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let aside = path.with_file_name(format!("{DATABASE_FILE}.damaged-{stamp}"));
    let folder_error = |source| StoreError::DataFolder {
        path: path.to_owned(),
        source,
    };
    std::fs::rename(path, &aside).map_err(folder_error)?;
    for extension in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{extension}", path.display()));
        if side.exists() {
            let moved = PathBuf::from(format!("{}{extension}", aside.display()));
            std::fs::rename(&side, &moved).map_err(folder_error)?;
        }
    }
    Ok(aside)
}

/// The backups in `data_dir`, newest first.
pub fn backups(data_dir: &Path) -> Vec<Backup> {
    let Ok(entries) = std::fs::read_dir(data_dir.join(BACKUP_FOLDER)) else {
        return Vec::new();
    };
    let mut found: Vec<Backup> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let day = name
                .strip_prefix(BACKUP_PREFIX)?
                .strip_suffix(BACKUP_SUFFIX)?
                .to_owned();
            (day.len() == 10).then_some(())?;
            Some(Backup {
                path: entry.path(),
                day,
                bytes: entry.metadata().ok()?.len(),
            })
        })
        .collect();
    found.sort_by(|a, b| b.day.cmp(&a.day));
    found
}

/// Whether the file at `path` opens and passes the check, without writing to it.
pub(crate) fn readable(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    check(&conn)
}

impl Store {
    /// Makes today's backup in `data_dir/backups` unless there is one, and keeps the newest
    /// [`KEEP_BACKUPS`]. Returns the new backup, if one was made.
    pub fn back_up(&self, data_dir: &Path, now: Timestamp) -> Result<Option<Backup>> {
        let folder = data_dir.join(BACKUP_FOLDER);
        std::fs::create_dir_all(&folder).map_err(|source| StoreError::DataFolder {
            path: folder.clone(),
            source,
        })?;
        let day = now.strftime("%Y-%m-%d").to_string();
        let path = folder.join(format!("{BACKUP_PREFIX}{day}{BACKUP_SUFFIX}"));
        if path.exists() {
            return Ok(None);
        }
        let partial = folder.join(format!("{BACKUP_PREFIX}{day}{BACKUP_SUFFIX}.partial"));
        {
            let conn = self.conn();
            let mut copy = Connection::open(&partial)?;
            let backup = rusqlite::backup::Backup::new(&conn, &mut copy)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(5), None)?;
        }
        std::fs::rename(&partial, &path).map_err(|source| StoreError::DataFolder {
            path: path.clone(),
            source,
        })?;
        for old in backups(data_dir).into_iter().skip(KEEP_BACKUPS) {
            if let Err(e) = std::fs::remove_file(&old.path) {
                tracing::warn!(path = %old.path.display(), error = %e, "could not remove an old backup");
            }
        }
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(Some(Backup { path, day, bytes }))
    }

    /// Replaces everything in the open database with the backup at `path`, after checking
    /// it. The schema is brought up to date as on opening.
    pub fn restore(&self, path: &Path) -> Result<()> {
        readable(path)?;
        let mut conn = self.conn();
        conn.restore(
            rusqlite::MAIN_DB,
            path,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        crate::migrations::migrate(&mut conn, path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }
}
