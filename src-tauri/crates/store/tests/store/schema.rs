use earshot_store::{DATABASE_FILE, SCHEMA_VERSION, Store, StoreError};
use rusqlite::Connection;

#[test]
fn a_new_store_is_fully_migrated_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(Store::open(dir.path()).expect("a fresh folder opens"));

    let conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("file exists");
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("read");
    assert_eq!(
        version, SCHEMA_VERSION,
        "every migration is recorded as applied"
    );
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("read");
    assert_eq!(
        mode, "wal",
        "WAL survives in the file so readers never block the writer"
    );
}

#[test]
fn reopening_applies_nothing_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(Store::open(dir.path()).expect("first open"));
    drop(Store::open(dir.path()).expect("second open must not re-run CREATE TABLE"));
}

#[test]
fn creates_a_missing_data_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nested = dir.path().join("not").join("there").join("yet");
    drop(Store::open(&nested).expect("nested folders are created"));
    assert!(nested.join(DATABASE_FILE).is_file());
}

#[test]
fn a_database_from_a_newer_earshot_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(DATABASE_FILE);
    {
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE future_things (x TEXT); PRAGMA user_version = 999;")
            .expect("write a future database");
    }
    let before = std::fs::read(&path).expect("read");

    let err = Store::open(dir.path()).expect_err("a newer schema must be refused");
    match &err {
        StoreError::WrittenByNewerVersion {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (999, SCHEMA_VERSION));
        }
        other => panic!("expected WrittenByNewerVersion, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("newer version of Earshot"),
        "the message says why: {message}"
    );
    assert!(
        message.contains("Nothing was changed"),
        "and reassures: {message}"
    );

    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "the file must not change at all"
    );
    assert!(
        !dir.path().join(format!("{DATABASE_FILE}-wal")).exists(),
        "no WAL was started"
    );
}
