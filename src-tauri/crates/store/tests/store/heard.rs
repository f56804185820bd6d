use earshot_core::{InboxReason, ItemState, OwnPost, SyncMarks};
use earshot_store::{HeardPost, PageEnd, Store};

use crate::at;
use crate::inbox::{account, post};

fn heard(n: i64, text: &str) -> HeardPost {
    let mut post = post(n, text);
    post.reason = InboxReason::Heard;
    post.subject_uri = None;
    post.reply_root = None;
    post.reply_parent = None;
    HeardPost {
        post,
        via: "#rustconf".into(),
        event: None,
        notify: true,
    }
}

#[test]
fn only_questions_are_heard_and_kept_out_of_the_inbox_and_owed() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let found = [
        heard(1, "anyone know where the tauri workshop is #rustconf"),
        heard(2, "great talk at #rustconf"),
    ];
    let added = store
        .store_heard(&alice.id, "#rustconf", &found, Some("2"), at(10))
        .expect("store");
    assert_eq!(added.len(), 1, "the statement is not listed");
    let list = store.heard(50, at(10)).expect("heard");
    assert_eq!(list.open, 1);
    assert_eq!(list.items[0].state, ItemState::Heard);
    assert_eq!(list.items[0].heard_via.as_deref(), Some("#rustconf"));
    assert!(store.inbox(50, at(10)).expect("inbox").is_empty());
    assert_eq!(store.owed(at(10), 50).expect("owed").total, 0);
    assert!(
        store.unannounced_heard(10).expect("unannounced").is_empty(),
        "a watch's first read is a backlog"
    );

    let later = [heard(3, "is the keynote streamed #rustconf")];
    store
        .store_heard(&alice.id, "#rustconf", &later, Some("3"), at(20))
        .expect("store");
    assert_eq!(store.unannounced_heard(10).expect("unannounced").len(), 1);
    assert_eq!(
        store
            .heard_cursor(&alice.id, "#rustconf")
            .expect("cursor")
            .newest
            .as_deref(),
        Some("3")
    );

    // Dismissed ("not for us"), then back with Undo.
    store.mark_done(added[0], at(30)).expect("dismiss");
    assert_eq!(store.heard(50, at(30)).expect("heard").open, 1);
    store.reopen(added[0]).expect("undo");
    assert_eq!(store.heard(50, at(30)).expect("heard").open, 2);
}

#[test]
fn a_heard_post_that_addresses_the_account_is_owed_never_both() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let question = heard(1, "anyone know where the tauri workshop is #rustconf");
    store
        .store_heard(
            &alice.id,
            "#rustconf",
            std::slice::from_ref(&question),
            None,
            at(10),
        )
        .expect("store");
    let mut addressed = question.post.clone();
    addressed.reason = InboxReason::Mention;
    store
        .store_inbox_page(
            &alice.id,
            &[addressed],
            &SyncMarks::default(),
            PageEnd::MorePages,
        )
        .expect("store mention");
    assert_eq!(store.heard(50, at(10)).expect("heard").open, 0);
    let owed = store.owed(at(10), 50).expect("owed");
    assert_eq!(owed.total, 1);
    assert_eq!(owed.items[0].heard_via, None);

    // And a post already in the Inbox is never heard.
    let again = store
        .store_heard(&alice.id, "#rustconf", &[question], None, at(20))
        .expect("store again");
    assert!(again.is_empty());
    assert_eq!(
        store.owed(at(20), 50).expect("owed").items[0].post.reason,
        InboxReason::Mention
    );
}

#[test]
fn an_answer_written_anywhere_takes_a_question_out_of_heard() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let question = heard(1, "anyone know where the tauri workshop is #rustconf");
    let uri = question.post.uri.clone();
    store
        .store_heard(&alice.id, "#rustconf", &[question], None, at(10))
        .expect("store");
    let answer = OwnPost {
        uri: "at://did:plc:alice/app.bsky.feed.post/answer".into(),
        parent_uri: Some(uri),
        text: "Room B, after lunch".into(),
        created_at: at(60),
    };
    let answered = store
        .store_own_posts(&alice.id, &[answer], None)
        .expect("own posts");
    assert_eq!(answered.len(), 1);
    assert_eq!(store.heard(50, at(60)).expect("heard").open, 0);
}
