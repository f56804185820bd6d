use earshot_core::{DraftBody, DraftId};
use earshot_store::{Store, StoreError};

use crate::at;

fn body(text: &str) -> DraftBody {
    DraftBody::parse(text.to_string()).expect("valid body")
}

#[test]
fn awkward_text_round_trips_exactly_through_the_file() {
    let samples = [
        String::new(),
        "x".repeat(10_000),
        "🙂👩‍👩‍👧‍👦👍🏽 🏳️‍🌈".to_string(),
        "e\u{301}a\u{308}\u{0304} n\u{303}".to_string(),
        "שלום עולם — مرحبا بالعالم".to_string(),
        "line one\nline two\r\n\ttabbed\u{0}nul".to_string(),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let ids: Vec<DraftId> = {
        let store = Store::open(dir.path()).expect("open");
        samples
            .iter()
            .enumerate()
            .map(|(i, text)| {
                store
                    .create_draft(&body(text), at(i as i64))
                    .expect("create")
                    .id
            })
            .collect()
    };

    let store = Store::open(dir.path()).expect("reopen");
    let listed = store.list_drafts().expect("list");
    for (id, text) in ids.iter().zip(&samples) {
        let found = listed
            .iter()
            .find(|d| &d.id == id)
            .expect("every draft survives reopening");
        assert_eq!(&found.body, text, "text must come back byte for byte");
    }
}

#[test]
fn lists_newest_first_and_edits_keep_the_order() {
    let store = Store::open_in_memory().expect("open");
    let first = store.create_draft(&body("first"), at(0)).expect("create");
    let second = store.create_draft(&body("second"), at(10)).expect("create");
    store
        .update_draft(&first.id, &body("first, edited"), at(20))
        .expect("edit");

    let listed = store.list_drafts().expect("list");
    let ids: Vec<_> = listed.iter().map(|d| d.id.clone()).collect();
    assert_eq!(
        ids,
        vec![second.id, first.id.clone()],
        "ordered by creation, newest first"
    );
    assert_eq!(listed[1].body, "first, edited");
    assert_eq!(listed[1].updated_at, at(20), "an edit moves updated_at");
    assert_eq!(listed[1].created_at, at(0), "but never created_at");
}

#[test]
fn delete_hides_and_restore_brings_back_the_same_draft() {
    let store = Store::open_in_memory().expect("open");
    let draft = store.create_draft(&body("keep me"), at(0)).expect("create");

    store.delete_draft(&draft.id, at(5)).expect("delete");
    assert!(
        store.list_drafts().expect("list").is_empty(),
        "a deleted draft leaves the list"
    );

    let restored = store.restore_draft(&draft.id).expect("undo");
    assert_eq!(restored, draft, "undo brings back exactly what was deleted");
    assert_eq!(store.list_drafts().expect("list"), vec![draft]);
}

#[test]
fn a_deleted_draft_cannot_be_edited_by_a_late_autosave() {
    let store = Store::open_in_memory().expect("open");
    let draft = store.create_draft(&body("v1"), at(0)).expect("create");
    store.delete_draft(&draft.id, at(1)).expect("delete");

    let err = store
        .update_draft(&draft.id, &body("v2"), at(2))
        .expect_err("refused");
    assert!(matches!(err, StoreError::NotFound("draft")), "got {err:?}");
    assert_eq!(
        store.restore_draft(&draft.id).expect("undo").body,
        "v1",
        "the late save lost"
    );
}

#[test]
fn unknown_ids_are_not_found_rather_than_silently_ignored() {
    let store = Store::open_in_memory().expect("open");
    let ghost = DraftId("no-such-draft".into());
    assert!(matches!(
        store.update_draft(&ghost, &body("x"), at(0)),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_draft(&ghost, at(0)),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.restore_draft(&ghost),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn purge_forgets_only_drafts_deleted_before_the_cutoff() {
    let store = Store::open_in_memory().expect("open");
    let old = store.create_draft(&body("old"), at(0)).expect("create");
    let recent = store.create_draft(&body("recent"), at(0)).expect("create");
    let live = store.create_draft(&body("live"), at(0)).expect("create");
    store.delete_draft(&old.id, at(10)).expect("delete");
    store.delete_draft(&recent.id, at(100)).expect("delete");

    assert_eq!(store.purge_drafts_deleted_before(at(50)).expect("purge"), 1);
    assert!(
        store.restore_draft(&old.id).is_err(),
        "purged drafts are gone for good"
    );
    assert!(
        store.restore_draft(&recent.id).is_ok(),
        "recently deleted drafts can still be undone"
    );
    assert_eq!(
        store.list_drafts().expect("list").len(),
        2,
        "live drafts are never purged: {live:?}"
    );
}

/// A full disk: the write fails in words, nothing half-written, and once there is room again
/// the same save goes through.
#[test]
fn a_full_disk_refuses_the_write_in_words_and_the_retry_succeeds() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).expect("open");
    let draft = store
        .create_draft(&body("first words"), at(0))
        .expect("draft");
    let limit = store.limit_size_to_pages(1).expect("limit");
    assert!(limit > 0, "capped at the pages in use");
    let long = "a line that takes room\n".repeat(4000);
    let Err(refused) = store.update_draft(&draft.id, &body(&long), at(1)) else {
        panic!("a write past {limit} pages must fail");
    };
    assert!(matches!(refused, StoreError::DiskFull), "{refused:?}");
    assert!(
        refused.to_string().contains("no room left on the disk"),
        "{refused}"
    );
    let kept = store.list_drafts().expect("drafts");
    assert_eq!(kept[0].body, "first words", "nothing half-written");

    store.limit_size_to_pages(1_000_000).expect("room again");
    store
        .update_draft(&draft.id, &body(&long), at(2))
        .expect("saved once there is room");
    assert_eq!(store.list_drafts().expect("drafts")[0].body, long);
}
