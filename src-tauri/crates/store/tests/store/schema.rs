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

/// A database as version 3 of the schema left it, with an account and an Inbox item.
fn version_3_database(dir: &std::path::Path) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).expect("create");
    for sql in [
        include_str!("../../migrations/0001_drafts.sql"),
        include_str!("../../migrations/0002_accounts.sql"),
        include_str!("../../migrations/0003_inbox.sql"),
    ] {
        conn.execute_batch(sql).expect("an old migration");
    }
    conn.execute_batch(
        "PRAGMA user_version = 3;
         INSERT INTO accounts VALUES ('a1', 'bluesky', 'https://pds', 'did:plc:a', 'a.test', 1);
         INSERT INTO inbox_items (account_id, uri, reason, author_id, author_handle, text,
                                  created_at, indexed_at)
         VALUES ('a1', 'at://q', 'reply', 'did:plc:b', 'b.test', 'is it on?', 2, 3);
         INSERT INTO sync_state (account_id, read_until) VALUES ('a1', 3);",
    )
    .expect("old data");
}

#[test]
fn rebuilding_the_accounts_table_keeps_every_account_and_its_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    version_3_database(dir.path());
    let store = Store::open(dir.path()).expect("migrates");
    let accounts = store.list_accounts().expect("accounts");
    assert_eq!(accounts.len(), 1);
    let inbox = store
        .inbox(10, earshot_core::Timestamp::UNIX_EPOCH)
        .expect("inbox");
    assert_eq!(
        inbox
            .iter()
            .map(|i| i.post.text.as_str())
            .collect::<Vec<_>>(),
        vec!["is it on?"],
        "the rebuild must not cascade into the Inbox"
    );
    assert_eq!(
        inbox[0].asks.as_deref(),
        Some("is it on?"),
        "items from before the detector are classified when the store opens"
    );
    assert!(
        store
            .unannounced_questions(earshot_core::Timestamp::UNIX_EPOCH)
            .expect("unannounced")
            .is_empty(),
        "and they are not news: nothing pops up for them"
    );
    store
        .upsert_account(
            earshot_core::Network::Mastodon,
            "https://mastodon.example",
            "https://mastodon.example/109",
            "me@mastodon.example",
            earshot_core::Timestamp::UNIX_EPOCH,
        )
        .expect("a Mastodon account fits now");
    store.delete_account(&accounts[0].id).expect("delete");
    assert!(
        store
            .inbox(10, earshot_core::Timestamp::UNIX_EPOCH)
            .expect("inbox")
            .is_empty(),
        "and the foreign keys still cascade after the rebuild"
    );
}

#[test]
fn planned_posts_keep_their_threads_when_events_arrive() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        // A database as Earshot left it before events (schema version 6).
        let conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("create");
        conn.execute_batch("PRAGMA foreign_keys = ON;").expect("fk");
        for sql in [
            include_str!("../../migrations/0001_drafts.sql"),
            include_str!("../../migrations/0002_accounts.sql"),
            include_str!("../../migrations/0003_inbox.sql"),
            include_str!("../../migrations/0004_mastodon_accounts.sql"),
            include_str!("../../migrations/0005_owed.sql"),
            include_str!("../../migrations/0006_planned_posts.sql"),
        ] {
            conn.execute_batch(sql).expect("old migration");
        }
        conn.execute_batch(
            "INSERT INTO accounts (id, network, service, remote_id, handle, created_at)
                 VALUES ('a1', 'bluesky', 'https://pds.test', 'did:plc:a', 'a.test', 0);
             INSERT INTO planned_posts (id, account_id, publish_at, status, created_at, updated_at)
                 VALUES ('p1', 'a1', 5, 'held', 0, 0);
             INSERT INTO planned_parts (post_id, position, text) VALUES ('p1', 0, 'one'), ('p1', 1, 'two');
             PRAGMA user_version = 6;",
        )
        .expect("old data");
    }
    let store = Store::open(dir.path()).expect("migrates");
    let post = store
        .planned_post(&earshot_core::PlannedPostId("p1".into()))
        .expect("still there");
    let texts: Vec<&str> = post.parts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["one", "two"], "rebuilding the table kept its parts");
    assert_eq!(post.status, earshot_core::PlanStatus::Held);
    assert_eq!(post.plan_id.0, "p1", "each old post is a plan of its own");
}
