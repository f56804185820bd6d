use earshot_core::{InboxReason, ItemState, OwnPost, SyncMarks};
use earshot_store::{PageEnd, Store};

use crate::at;
use crate::inbox::{account, post};

fn page(store: &Store, account: &earshot_core::AccountId, posts: &[earshot_core::IncomingPost]) {
    store
        .store_inbox_page(
            account,
            posts,
            &SyncMarks::default(),
            PageEnd::RoundDone { at: at(1000) },
        )
        .expect("page");
}

fn texts(queue: &earshot_core::OwedQueue) -> Vec<&str> {
    queue.items.iter().map(|i| i.post.text.as_str()).collect()
}

#[test]
fn owed_lists_questions_then_direct_messages_then_the_rest_longest_waiting_first() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let mut dm = post(1, "thanks for the talk");
    dm.reason = InboxReason::Direct;
    page(
        &store,
        &alice.id,
        &[
            post(0, "nice slides"),
            dm,
            post(2, "is the game on tonight?"),
            post(3, "when does the keynote start"),
        ],
    );
    let queue = store.owed(at(5000), 10).expect("owed");
    assert_eq!(
        texts(&queue),
        [
            "is the game on tonight?",
            "when does the keynote start",
            "thanks for the talk",
            "nice slides"
        ]
    );
    assert_eq!((queue.total, queue.questions), (4, 2));
    assert_eq!(queue.oldest_at, Some(at(0)));
    assert_eq!(
        queue.items[0].asks.as_deref(),
        Some("is the game on tonight?")
    );
    assert_eq!(
        store.owed(at(5000), 1).expect("owed").total,
        4,
        "count is not the page"
    );
}

#[test]
fn a_reply_says_which_own_post_it_is_about_once_earshot_has_seen_that_post() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let own = |uri: &str, text: &str| OwnPost {
        uri: uri.into(),
        parent_uri: None,
        text: text.into(),
        created_at: at(0),
    };
    let mut elsewhere = post(2, "see you there");
    elsewhere.reason = InboxReason::Mention;
    elsewhere.subject_uri = None;
    elsewhere.reply_parent = None;
    page(&store, &alice.id, &[post(1, "great slides"), elsewhere]);
    let about = |store: &Store| -> Vec<Option<String>> {
        let queue = store.owed(at(100), 10).expect("owed");
        queue.items.into_iter().map(|item| item.about).collect()
    };
    assert_eq!(about(&store), [None, None], "the own post is not known yet");

    // The sync meets the post the reply is about; a boost (no text) says nothing.
    store
        .store_own_posts(
            &alice.id,
            &[
                own(
                    "at://did:plc:alice/app.bsky.feed.post/root",
                    "Slides from the keynote",
                ),
                own("at://did:plc:alice/app.bsky.feed.post/boost", " "),
            ],
            None,
        )
        .expect("own posts");
    assert_eq!(
        about(&store),
        [Some("Slides from the keynote".into()), None],
        "a mention of nothing of Alice's stays without"
    );
    let inbox = store.inbox(10, at(100)).expect("inbox");
    assert!(
        inbox
            .iter()
            .any(|item| item.about.as_deref() == Some("Slides from the keynote")),
        "the Inbox reads the same columns"
    );
}

#[test]
fn done_snoozed_and_answered_items_leave_owed_and_snoozes_come_back_on_time() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    page(
        &store,
        &alice.id,
        &[post(0, "a?"), post(1, "b?"), post(2, "c?"), post(3, "d?")],
    );
    let ids: Vec<_> = store
        .owed(at(10), 10)
        .expect("owed")
        .items
        .iter()
        .map(|i| i.id)
        .collect();
    store.mark_done(ids[0], at(10)).expect("done");
    store.snooze(ids[1], at(3600)).expect("snooze");
    store
        .store_own_posts(
            &alice.id,
            &[OwnPost {
                uri: "at://did:plc:alice/app.bsky.feed.post/answer".into(),
                parent_uri: Some(post(2, "").uri),
                text: "yes".into(),
                created_at: at(20),
            }],
            None,
        )
        .expect("answer");

    let queue = store.owed(at(100), 10).expect("owed");
    assert_eq!(texts(&queue), ["d?"]);
    let states: Vec<ItemState> = store
        .inbox(10, at(100))
        .expect("inbox")
        .iter()
        .rev()
        .map(|i| i.state)
        .collect();
    assert_eq!(
        states,
        [
            ItemState::Done,
            ItemState::Snoozed,
            ItemState::Answered,
            ItemState::Owed
        ]
    );
    assert_eq!(
        store.next_snooze_end(at(100)).expect("next"),
        Some(at(3600))
    );

    assert_eq!(
        texts(&store.owed(at(3600), 10).expect("owed")),
        ["b?", "d?"],
        "back on time"
    );
    store.reopen(ids[0]).expect("reopen");
    assert_eq!(store.owed(at(3600), 10).expect("owed").total, 3);
    assert!(
        store
            .mark_done(earshot_core::InboxItemId(999), at(0))
            .is_err()
    );
}

#[test]
fn only_questions_after_the_first_complete_sync_are_announced_once() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    // The first sync brings a backlog: nothing from it pops up.
    store
        .store_inbox_page(
            &alice.id,
            &[post(0, "old question?")],
            &SyncMarks::default(),
            PageEnd::MorePages,
        )
        .expect("page");
    page(&store, &alice.id, &[post(1, "older question?")]);
    assert!(
        store
            .unannounced_questions(at(10))
            .expect("news")
            .is_empty()
    );

    page(
        &store,
        &alice.id,
        &[post(2, "new question?"), post(3, "just a remark")],
    );
    let news = store.unannounced_questions(at(10)).expect("news");
    assert_eq!(
        news.iter()
            .map(|i| i.post.text.as_str())
            .collect::<Vec<_>>(),
        ["new question?"]
    );
    store
        .mark_announced(&[news[0].id], at(11))
        .expect("announced");
    assert!(
        store
            .unannounced_questions(at(12))
            .expect("news")
            .is_empty()
    );
}

#[test]
fn settings_are_saved_as_json_by_key() {
    let store = Store::open_in_memory().expect("open");
    assert_eq!(store.setting("quiet_hours").expect("read"), None);
    store
        .save_setting("quiet_hours", "{\"a\":1}")
        .expect("save");
    store
        .save_setting("quiet_hours", "{\"a\":2}")
        .expect("save again");
    assert_eq!(
        store.setting("quiet_hours").expect("read").as_deref(),
        Some("{\"a\":2}")
    );
}

/// The Owed count is a tally kept by triggers, not a count: after every kind of change it
/// must agree with the items Owed lists (arrivals, answers from anywhere, done, reopen,
/// snoozes that start and end, a thread reply, a heard question that turns out addressed,
/// deletions and an account signed out).
#[test]
fn the_owed_tally_agrees_with_a_recount_after_every_kind_of_change() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let bob_account = account(&store, "did:plc:bob-account");
    let agree = |when: i64, step: &str| {
        let queue = store.owed(at(when), 10_000).expect("owed");
        let questions = queue.items.iter().filter(|i| i.asks.is_some()).count();
        assert_eq!(queue.total as usize, queue.items.len(), "{step}: total");
        assert_eq!(queue.questions as usize, questions, "{step}: questions");
        assert_eq!(
            queue.oldest_at,
            queue.items.iter().map(|i| i.post.created_at).min(),
            "{step}: oldest"
        );
    };
    let mut thread_reply = post(5, "and you?");
    thread_reply.reason = InboxReason::Thread;
    page(
        &store,
        &alice.id,
        &[
            post(1, "is the game on tonight?"),
            post(2, "nice slides"),
            post(3, "when does the keynote start"),
            post(4, "great talk"),
            thread_reply,
        ],
    );
    page(&store, &bob_account.id, &[post(6, "are you coming?")]);
    agree(100, "arrivals");
    let items = store.owed(at(100), 100).expect("owed").items;
    let id = |text: &str| items.iter().find(|i| i.post.text == text).expect(text).id;

    store
        .store_own_posts(
            &alice.id,
            &[OwnPost {
                uri: "at://did:plc:alice/app.bsky.feed.post/answer".into(),
                parent_uri: Some(post(1, "").uri),
                text: "yes".into(),
                created_at: at(110),
            }],
            None,
        )
        .expect("answer");
    agree(120, "answered elsewhere");
    store.mark_done(id("nice slides"), at(130)).expect("done");
    agree(130, "done");
    store.reopen(id("nice slides")).expect("reopen");
    agree(140, "reopened");
    store
        .snooze(id("when does the keynote start"), at(500))
        .expect("snooze");
    agree(200, "snoozed");
    agree(600, "the snooze ended");
    store
        .forget_deleted(&alice.id, &[post(4, "").uri])
        .expect("deleted");
    agree(610, "deleted");
    // A heard question, then the same post addressed to the account: it becomes owed.
    let mut heard = post(7, "anyone know where the workshop is");
    heard.reason = InboxReason::Heard;
    store
        .store_heard(
            &alice.id,
            "#rustconf",
            &[earshot_store::HeardPost {
                post: heard.clone(),
                via: "#rustconf".into(),
                event: None,
                notify: false,
            }],
            None,
            at(620),
        )
        .expect("heard");
    agree(620, "heard, not owed");
    heard.reason = InboxReason::Mention;
    page(&store, &alice.id, &[heard]);
    agree(630, "heard, then addressed");
    store.delete_account(&bob_account.id).expect("sign out");
    agree(640, "an account signed out");
}
