//! A damaged database file: moved aside, replaced by the newest good backup or a fresh
//! database, and said in words. Daily backups, kept seven deep, and restoring one.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use earshot_core::DraftBody;
use earshot_store::{DATABASE_FILE, KEEP_BACKUPS, Store, StoreError, backups};

use super::at;

fn draft(store: &Store, text: &str) {
    store
        .create_draft(&DraftBody::parse(text.to_owned()).expect("body"), at(0))
        .expect("draft");
}

fn texts(store: &Store) -> Vec<String> {
    store
        .list_drafts()
        .expect("drafts")
        .into_iter()
        .map(|d| d.body)
        .collect()
}

/// A database with enough drafts to span many pages, closed (WAL checkpointed into the
/// main file).
fn written(dir: &Path, drafts: usize) {
    let store = Store::open(dir).expect("open");
    for n in 0..drafts {
        draft(&store, &format!("draft {n} {}", "words ".repeat(40)));
    }
}

fn damaged_copies(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy().contains(".damaged-")
                    && !n.to_string_lossy().ends_with("-wal")
                    && !n.to_string_lossy().ends_with("-shm")
            })
        })
        .collect()
}

#[track_caller]
fn assert_recovered_fresh(dir: &Path, damaged: &[u8]) {
    let store = Store::open(dir).expect("Earshot opens anyway");
    let recovery = store.recovery().expect("it says what happened").clone();
    assert_eq!(recovery.restored_from, None, "no backup to go back to");
    let words = recovery.words();
    assert!(
        words.starts_with("Earshot's database was damaged")
            && words.contains(&recovery.damaged_file.display().to_string()),
        "{words}"
    );
    assert_eq!(
        std::fs::read(&recovery.damaged_file).expect("the damaged file is kept"),
        damaged,
        "kept exactly as it was"
    );
    assert!(texts(&store).is_empty(), "a fresh database");
    draft(&store, "life goes on");
    drop(store);
    let again = Store::open(dir).expect("reopen");
    assert!(again.recovery().is_none(), "the new database is healthy");
    assert_eq!(texts(&again), ["life goes on"]);
}

#[test]
fn a_file_of_random_bytes_is_kept_aside_and_a_fresh_database_starts() {
    let dir = tempfile::tempdir().expect("dir");
    let noise: Vec<u8> = (0..64 * 1024u32)
        .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join(DATABASE_FILE), &noise).expect("write");
    assert_recovered_fresh(dir.path(), &noise);
}

#[test]
fn a_truncated_file_is_kept_aside_and_a_fresh_database_starts() {
    let dir = tempfile::tempdir().expect("dir");
    written(dir.path(), 300);
    let path = dir.path().join(DATABASE_FILE);
    let whole = std::fs::read(&path).expect("read");
    let half = &whole[..whole.len() / 2];
    std::fs::write(&path, half).expect("truncate");
    assert_recovered_fresh(dir.path(), half);
}

#[test]
fn a_broken_page_is_found_and_the_newest_good_backup_takes_over() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let store = Store::open(dir.path()).expect("open");
        draft(&store, "kept in yesterday's backup");
        store
            .back_up(dir.path(), at(0))
            .expect("backup")
            .expect("made");
        for n in 0..300 {
            draft(
                &store,
                &format!("written after the backup {n} {}", "words ".repeat(40)),
            );
        }
    }
    let path = dir.path().join(DATABASE_FILE);
    // Scribble over a page in the middle of the file (not the header).
    let length = std::fs::metadata(&path).expect("size").len();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    file.seek(SeekFrom::Start((length / 2) & !4095))
        .expect("seek");
    file.write_all(&[0xA5; 4096]).expect("scribble");
    drop(file);

    let store = Store::open(dir.path()).expect("Earshot opens anyway");
    let recovery = store.recovery().expect("it says what happened");
    assert!(recovery.restored_from.is_some(), "{recovery:?}");
    assert!(
        recovery.words().contains("went back to the backup"),
        "{}",
        recovery.words()
    );
    assert_eq!(texts(&store), ["kept in yesterday's backup"]);
    assert_eq!(
        damaged_copies(dir.path()).len(),
        1,
        "the damaged file is kept"
    );
}

#[test]
fn one_backup_a_day_seven_kept_and_one_can_be_restored() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).expect("open");
    draft(&store, "first");
    let day = 24 * 3600;
    assert!(store.back_up(dir.path(), at(0)).expect("backup").is_some());
    assert!(
        store.back_up(dir.path(), at(60)).expect("backup").is_none(),
        "one a day"
    );
    for n in 1..10 {
        draft(&store, &format!("day {n}"));
        store.back_up(dir.path(), at(n * day)).expect("backup");
    }
    let kept = backups(dir.path());
    assert_eq!(kept.len(), KEEP_BACKUPS);
    assert!(kept.windows(2).all(|w| w[0].day > w[1].day), "newest first");

    let oldest = kept.last().expect("one").path.clone();
    store.restore(&oldest).expect("restore");
    assert_eq!(
        texts(&store).len(),
        4,
        "first and days 1–3: {:?}",
        texts(&store)
    );

    std::fs::write(dir.path().join("not-a-backup.sqlite3"), b"nonsense").expect("write");
    let refused = store.restore(&dir.path().join("not-a-backup.sqlite3"));
    assert!(
        matches!(refused, Err(StoreError::Sqlite(_) | StoreError::Damaged(_))),
        "a damaged backup is refused: {refused:?}"
    );
    assert_eq!(texts(&store).len(), 4, "and changes nothing");
}
