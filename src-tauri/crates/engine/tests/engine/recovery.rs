//! Earshot starts on a damaged database and says what happened; a backup can be restored
//! while it runs.

use std::sync::Arc;

use earshot_engine::{MemorySecretStore, SyncSettings};

use crate::support::engine_with;

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_database_is_recovered_and_the_person_is_told() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join(earshot_store::DATABASE_FILE),
        b"SQLite format 3\0 but the rest is not a database at all, just words.",
    )
    .expect("write");
    let secrets = Arc::<MemorySecretStore>::default();
    let earshot = engine_with(&dir, &secrets, SyncSettings::default());
    let status = earshot.status();
    let words = status.recovered.expect("the person is told");
    assert!(
        words.starts_with("Earshot's database was damaged") && words.contains(".damaged-"),
        "{words}"
    );
    assert!(earshot.list_drafts().await.expect("drafts").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_is_restored_while_earshot_runs() {
    let dir = tempfile::tempdir().expect("dir");
    let secrets = Arc::<MemorySecretStore>::default();
    {
        let store = earshot_store::Store::open(dir.path()).expect("open");
        store
            .create_draft(
                &earshot_core::DraftBody::parse("from the backup".into()).expect("body"),
                jiff::Timestamp::now(),
            )
            .expect("draft");
        store
            .back_up(dir.path(), jiff::Timestamp::now())
            .expect("backup")
            .expect("made");
    }
    let earshot = engine_with(&dir, &secrets, SyncSettings::default());
    assert!(earshot.status().recovered.is_none());
    earshot
        .create_draft("written after".into())
        .await
        .expect("a new draft");
    assert_eq!(earshot.list_drafts().await.expect("drafts").len(), 2);
    let backups = earshot.list_backups();
    assert_eq!(backups.len(), 1);
    earshot
        .restore_backup(backups[0].day.clone())
        .await
        .expect("restored");
    let drafts = earshot.list_drafts().await.expect("drafts");
    assert_eq!(
        drafts.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(),
        ["from the backup"]
    );
    let refused = earshot.restore_backup("1999-01-01".into()).await;
    assert!(refused.is_err(), "no such backup");
}

/// A report cannot be exported into a folder that cannot be written: the words say so, with
/// the folder, and nothing half-written is left behind.
#[tokio::test(flavor = "multi_thread")]
async fn a_report_export_to_a_folder_that_cannot_be_written_says_so_with_the_path() {
    let dir = tempfile::tempdir().expect("dir");
    let secrets = Arc::<MemorySecretStore>::default();
    let earshot = engine_with(&dir, &secrets, SyncSettings::default());
    // A file where the folder should be.
    let blocked = dir.path().join("Documents");
    std::fs::write(&blocked, b"not a folder").expect("a file");
    let today = jiff::Zoned::now().date().to_string();
    let refused = earshot
        .export_report_csv(
            earshot_core::ReportRequest {
                from: today.clone(),
                to: today,
                scope: earshot_core::ReportScope::All,
            },
            &blocked,
        )
        .await
        .expect_err("not a folder");
    let words = refused.to_string();
    assert!(
        words.starts_with("Earshot could not write the report into")
            && words.contains(&blocked.display().to_string()),
        "{words}"
    );
}
