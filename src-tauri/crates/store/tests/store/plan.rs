use earshot_core::PlanStatus;
use earshot_store::Store;

use crate::at;
use crate::inbox::account;

#[test]
fn a_due_post_is_claimed_once_and_an_interrupted_one_is_found_again() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).expect("open");
    let alice = account(&store, "did:plc:alice");
    let thread = ["first".to_owned(), "second".to_owned()];
    let planned = store
        .plan_post(&alice.id, &thread, at(100), at(0))
        .expect("plan");
    assert_eq!(planned.status, PlanStatus::Scheduled);
    assert_eq!(store.next_due().expect("next"), Some(at(100)));

    assert!(
        store.claim_due(at(99)).expect("claim").is_empty(),
        "not yet"
    );
    let claimed = store.claim_due(at(100)).expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].parts.len(), 2);
    assert!(
        store.claim_due(at(101)).expect("claim").is_empty(),
        "never twice"
    );

    // The first part's key is chosen and it is written; then Earshot stops.
    store.set_part_key(&planned.id, 0, "3kabc").expect("key");
    store
        .set_part_published(
            &planned.id,
            0,
            "at://did:plc:alice/app.bsky.feed.post/3kabc",
            Some("cid"),
        )
        .expect("published");
    drop(store);

    let store = Store::open(dir.path()).expect("reopen");
    let interrupted = store.interrupted_posts().expect("interrupted");
    assert_eq!(interrupted.len(), 1);
    assert_eq!(interrupted[0].parts[0].record_key.as_deref(), Some("3kabc"));
    assert!(interrupted[0].parts[0].uri.is_some());
    assert_eq!(interrupted[0].parts[1].record_key, None);

    store
        .set_plan_status(&planned.id, PlanStatus::Failed, Some("refused"), at(102))
        .expect("failed");
    assert_eq!(store.plans_needing_attention().expect("count"), 1);
    store
        .set_plan_status(&planned.id, PlanStatus::Published, None, at(102))
        .expect("done");
    assert_eq!(store.plans_needing_attention().expect("count"), 0);
    assert!(store.interrupted_posts().expect("interrupted").is_empty());
    assert_eq!(store.next_due().expect("next"), None);
    assert_eq!(
        store.planned_posts().expect("all")[0].status,
        PlanStatus::Published
    );
}
