use earshot_core::PlanStatus;
use earshot_store::Store;

use crate::at;
use crate::inbox::account;

/// A plan for one account, saved, approved and scheduled for `publish_at`.
fn scheduled(
    store: &Store,
    account: &earshot_core::AccountId,
    parts: &[String],
    publish_at: earshot_core::Timestamp,
) -> earshot_core::PlannedPost {
    let input = earshot_core::PlanInput::one_post(account.clone(), parts.to_vec(), publish_at);
    let saved = store.save_plan(&input, &[], at(0)).expect("draft");
    store
        .approve_plan(&saved[0].plan_id, at(0))
        .expect("approve");
    store
        .schedule_plan(&saved[0].plan_id, at(0))
        .expect("schedule");
    store.planned_post(&saved[0].id).expect("read")
}

#[test]
fn a_due_post_is_claimed_once_and_an_interrupted_one_is_found_again() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).expect("open");
    let alice = account(&store, "did:plc:alice");
    let thread = ["first".to_owned(), "second".to_owned()];
    let planned = scheduled(&store, &alice.id, &thread, at(100));
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

mod events {
    use std::collections::HashMap;

    use earshot_core::plan_doc::{EventPlan, PlanEntry, TargetEntry, TopicLine};
    use earshot_core::{EventDetails, EventHoldRule, PlanInput, PlanStatus, PlanTarget};
    use earshot_store::{Store, StoreError, StoredImage};

    use crate::at;
    use crate::inbox::account;

    fn photo() -> StoredImage {
        StoredImage {
            mime: "image/png".into(),
            alt: "The main hall, full".into(),
            data: vec![1, 2, 3],
        }
    }

    fn devconf() -> EventDetails {
        EventDetails {
            name: "DevConf".into(),
            starts_on: jiff::civil::date(2026, 12, 1),
            ends_on: jiff::civil::date(2026, 12, 3),
            time_zone: "Europe/Berlin".into(),
            hashtags: vec!["devconf".into()],
            hold_rule: EventHoldRule::After { minutes: 90 },
        }
    }

    #[test]
    fn a_plan_goes_from_draft_to_approved_to_scheduled_and_approved_text_is_locked() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        let alice = account(&store, "did:plc:alice");
        let bob = account(&store, "did:plc:bob");
        let event = store.create_event(&devconf(), at(0)).expect("event");
        assert_eq!(
            store.event(&event.id).expect("read").details.hold_rule,
            EventHoldRule::After { minutes: 90 }
        );
        let event = store.add_topic(&event.id, "Keynote").expect("topic");
        assert!(matches!(
            store.add_topic(&event.id, "Keynote"),
            Err(StoreError::Refused(_))
        ));
        let keynote = event.topics[0].id.clone();
        let mut input = PlanInput {
            plan_id: None,
            event_id: Some(event.id.clone()),
            topic_id: Some(keynote.clone()),
            publish_at: at(100),
            content_warning: None,
            language: Some("en".into()),
            images: Vec::new(),
            server_side: false,
            targets: vec![
                PlanTarget {
                    account_id: alice.id.clone(),
                    parts: vec!["Keynote!".into()],
                },
                PlanTarget {
                    account_id: bob.id.clone(),
                    parts: vec!["Keynote, shorter".into()],
                },
            ],
        };
        let saved = store.save_plan(&input, &[], at(1)).expect("draft");
        assert_eq!(saved.len(), 2);
        assert!(saved.iter().all(|p| p.status == PlanStatus::Draft));
        let plan = saved[0].plan_id.clone();
        input.plan_id = Some(plan.clone());
        input.targets.truncate(1);
        let edited = store.save_plan(&input, &[photo()], at(2)).expect("edit");
        assert_eq!(edited.len(), 1);
        assert_eq!(edited[0].images[0].bytes, 3);
        assert_eq!(store.plan_images(&plan).expect("images"), [photo()]);
        assert!(
            store.claim_due(at(200)).expect("claim").is_empty(),
            "a draft is never published"
        );
        assert!(matches!(
            store.schedule_plan(&plan, at(3)),
            Err(StoreError::Refused(m)) if m == "Approve the text before scheduling it."
        ));

        store.approve_plan(&plan, at(3)).expect("approve");
        assert!(matches!(
            store.save_plan(&input, &[], at(4)),
            Err(StoreError::Refused(m)) if m.starts_with("Approved text is locked")
        ));
        store.schedule_plan(&plan, at(4)).expect("schedule");
        let claimed = store.claim_due(at(100)).expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].language.as_deref(), Some("en"));
        assert!(
            matches!(
                store.unapprove_plan(&plan, at(101)),
                Err(StoreError::Refused(_))
            ),
            "not while it is being published"
        );
        store
            .set_plan_status(&claimed[0].id, PlanStatus::Published, None, at(101))
            .expect("published");
        assert!(
            store.event(&event.id).expect("event").topics[0].covered,
            "publishing a post on a topic ticks the topic"
        );
        assert!(
            store
                .delete_topic(&keynote)
                .expect("delete")
                .topics
                .is_empty()
        );
        assert_eq!(
            store.plan(&plan).expect("plan")[0].topic_id,
            None,
            "the post stays, unlinked"
        );
        store.delete_event(&event.id).expect("delete");
        assert!(store.plan(&plan).is_err(), "the event's posts go with it");
        assert!(
            store.plan_images(&plan).expect("images").is_empty(),
            "and their images"
        );
    }

    #[test]
    fn an_imported_plan_is_all_or_nothing_and_arrives_as_drafts() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        let alice = account(&store, "did:plc:alice");
        let target = |status| TargetEntry {
            account: "@alice".into(),
            status,
            parts: vec!["text".into()],
        };
        let mut plan = EventPlan {
            details: devconf(),
            topics: vec![TopicLine {
                title: "Keynote".into(),
                covered: true,
            }],
            plans: [
                PlanStatus::Draft,
                PlanStatus::Scheduled,
                PlanStatus::Published,
            ]
            .into_iter()
            .enumerate()
            .map(|(i, status)| PlanEntry {
                publish_at: at(i as i64),
                topic: Some("Keynote".into()),
                content_warning: None,
                language: None,
                targets: vec![target(status)],
            })
            .collect(),
        };
        let accounts = HashMap::from([("@alice".to_owned(), alice.id.clone())]);
        let event = store.import_event(&plan, &accounts, at(0)).expect("import");
        assert!(event.topics[0].covered);
        let statuses: Vec<PlanStatus> = store
            .event_posts(&event.id)
            .expect("posts")
            .iter()
            .map(|p| p.status)
            .collect();
        assert_eq!(
            statuses,
            [PlanStatus::Draft; 3],
            "a document cannot approve or publish itself: every post arrives as a draft"
        );

        plan.plans[2].targets[0].account = "@stranger".into();
        assert!(matches!(
            store.import_event(&plan, &accounts, at(0)),
            Err(StoreError::Refused(m)) if m.contains("@stranger")
        ));
        assert_eq!(
            store.events().expect("events").len(),
            1,
            "nothing half-imported"
        );
    }
}
