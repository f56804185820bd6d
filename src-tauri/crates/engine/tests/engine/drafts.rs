use std::sync::Arc;

use earshot_core::{FixedClock, Timestamp};
use earshot_engine::{Earshot, Error, MemorySecretStore, Services, SyncSettings};
use earshot_store::StoreError;

use crate::support::SilentNotifier;

fn services(clock: Arc<FixedClock>) -> Services {
    Services {
        clock,
        secrets: Arc::new(MemorySecretStore::default()),
        notifier: Arc::new(SilentNotifier),
        runtime: tokio::runtime::Handle::current(),
        sync: SyncSettings::default(),
    }
}

fn start() -> Timestamp {
    Timestamp::from_second(1_790_000_000).expect("valid")
}

#[tokio::test]
async fn drafts_survive_a_restart_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FixedClock::new(start()));
    let text = "Ask me anything 🙋🏽‍♀️ — سؤال؟ e\u{301}".to_string();
    let id = {
        let earshot = Earshot::open(dir.path(), services(clock.clone())).expect("open");
        let draft = earshot.create_draft(String::new()).await.expect("create");
        earshot
            .update_draft(draft.id.clone(), text.clone())
            .await
            .expect("autosave");
        draft.id
    };
    let earshot = Earshot::open(dir.path(), services(clock)).expect("reopen");
    let drafts = earshot.list_drafts().await.expect("list");
    assert_eq!(drafts.len(), 1);
    assert_eq!(
        (&drafts[0].id, &drafts[0].body),
        (&id, &text),
        "what was typed comes back"
    );
}

#[tokio::test]
async fn undo_survives_a_restart_but_not_a_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FixedClock::new(start()));
    let earshot = Earshot::open(dir.path(), services(clock.clone())).expect("open");
    let kept = earshot
        .create_draft("undo me after a crash".into())
        .await
        .expect("create");
    let old = earshot
        .create_draft("gone tomorrow".into())
        .await
        .expect("create");
    earshot.delete_draft(old.id.clone()).await.expect("delete");
    clock.advance(jiff::SignedDuration::from_hours(23));
    earshot.delete_draft(kept.id.clone()).await.expect("delete");
    drop(earshot);

    clock.advance(jiff::SignedDuration::from_hours(2));
    let earshot = Earshot::open(dir.path(), services(clock)).expect("reopen");
    assert_eq!(
        earshot
            .restore_draft(kept.id.clone())
            .await
            .expect("undo")
            .body,
        "undo me after a crash",
        "a draft deleted an hour before a restart can still be brought back"
    );
    let err = earshot.restore_draft(old.id).await.expect_err("purged");
    assert!(
        matches!(err, Error::Store(StoreError::NotFound(_))),
        "got {err:?}"
    );
}

#[tokio::test]
async fn oversized_drafts_are_refused_in_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let earshot =
        Earshot::open(dir.path(), services(Arc::new(FixedClock::new(start())))).expect("open");
    let err = earshot
        .create_draft("x".repeat(2 * 1024 * 1024))
        .await
        .expect_err("too long");
    assert!(
        err.to_string().contains("too long"),
        "a person can read why: {err}"
    );
    assert!(
        earshot.list_drafts().await.expect("list").is_empty(),
        "nothing half-stored"
    );
}
