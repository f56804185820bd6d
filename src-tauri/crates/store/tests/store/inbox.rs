use earshot_core::{
    Account, InboxReason, IncomingPost, Network, OwnPost, Person, PostRef, SyncMarks, Walk,
};
use earshot_store::{PageEnd, Store};

use crate::at;

pub(crate) fn account(store: &Store, did: &str) -> Account {
    store
        .upsert_account(
            Network::Bluesky,
            "https://pds.test",
            did,
            "alice.test",
            at(0),
        )
        .expect("account")
}

pub(crate) fn post(n: i64, text: &str) -> IncomingPost {
    let uri = format!("at://did:plc:bob/app.bsky.feed.post/{n}");
    let root = PostRef {
        uri: "at://did:plc:alice/app.bsky.feed.post/root".into(),
        cid: Some("cid-root".into()),
    };
    IncomingPost {
        uri,
        cid: Some(format!("cid-{n}")),
        reason: InboxReason::Reply,
        author: Person {
            id: "did:plc:bob".into(),
            handle: "bob.test".into(),
            display_name: Some("Bob 🏈".into()),
        },
        text: text.into(),
        facets: Some(r#"[{"index":{"byteStart":0,"byteEnd":4}}]"#.into()),
        created_at: at(n),
        indexed_at: at(n + 1),
        reply_root: Some(root.clone()),
        reply_parent: Some(root),
        subject_uri: Some("at://did:plc:alice/app.bsky.feed.post/root".into()),
        web_url: None,
        language: None,
    }
}

fn uris(store: &Store) -> Vec<String> {
    store
        .inbox(100, at(0))
        .expect("inbox")
        .into_iter()
        .map(|item| item.post.uri)
        .collect()
}

#[test]
fn a_page_and_its_marks_land_together_and_duplicates_are_ignored() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let marks = SyncMarks {
        read_until: None,
        walk: Some(Walk {
            cursor: "page-2".into(),
            top: at(100),
            until: at(-7 * 86_400),
        }),
        own_posts_until: None,
    };
    let page = [post(1, "is the game on tonight?"), post(2, "and tomorrow?")];
    let added = store
        .store_inbox_page(&alice.id, &page, &marks, PageEnd::MorePages)
        .expect("store");
    assert_eq!(added, 2);
    assert_eq!(store.sync_marks(&alice.id).expect("marks"), marks);

    let again = store
        .store_inbox_page(&alice.id, &page, &marks, PageEnd::MorePages)
        .expect("store again");
    assert_eq!(again, 0, "the same URI is stored once per account");
    assert_eq!(uris(&store).len(), 2);
}

#[test]
fn items_round_trip_exactly_newest_first() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let text = "Ça va? 👩‍👩‍👧 שלום e\u{301} \0 end";
    let posts = [post(1, "older"), post(5, text), post(3, "middle")];
    store
        .store_inbox_page(&alice.id, &posts, &SyncMarks::default(), PageEnd::MorePages)
        .expect("store");
    let inbox = store.inbox(100, at(0)).expect("inbox");
    let texts: Vec<&str> = inbox.iter().map(|i| i.post.text.as_str()).collect();
    assert_eq!(texts, vec![text, "middle", "older"], "newest first");
    assert_eq!(inbox[0].post, posts[1], "every field comes back as stored");
    assert_eq!(inbox[0].account_handle, "alice.test");
    assert_eq!(
        store.inbox_item(inbox[0].id, at(0)).expect("one item"),
        inbox[0]
    );
    assert_eq!(store.inbox(2, at(0)).expect("limited").len(), 2);
}

#[test]
fn a_reply_marks_its_post_answered_whichever_arrives_first() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let asked_first = post(1, "asked before the answer was seen");
    let answered_first = post(2, "answered before the question arrived");
    store
        .store_inbox_page(
            &alice.id,
            std::slice::from_ref(&asked_first),
            &SyncMarks::default(),
            PageEnd::MorePages,
        )
        .expect("store");

    let reply = |n: i64, parent: &IncomingPost| OwnPost {
        uri: format!("at://did:plc:alice/app.bsky.feed.post/answer{n}"),
        parent_uri: Some(parent.uri.clone()),
        text: format!("answer {n}"),
        created_at: at(10 + n),
    };
    let answered = store
        .store_own_posts(
            &alice.id,
            &[reply(1, &asked_first), reply(2, &answered_first)],
            Some("rkey-2"),
        )
        .expect("own replies");
    assert_eq!(answered.len(), 1, "only the stored question changes now");
    store
        .store_inbox_page(
            &alice.id,
            &[answered_first],
            &SyncMarks::default(),
            PageEnd::MorePages,
        )
        .expect("store the late question");

    let inbox = store.inbox(10, at(0)).expect("inbox");
    let answered_by: Vec<Option<&str>> = inbox.iter().map(|i| i.answered_by.as_deref()).collect();
    assert_eq!(
        answered_by,
        vec![
            Some("at://did:plc:alice/app.bsky.feed.post/answer2"),
            Some("at://did:plc:alice/app.bsky.feed.post/answer1"),
        ],
        "a question that arrives after its answer arrives answered"
    );
    assert_eq!(
        store
            .sync_marks(&alice.id)
            .expect("marks")
            .own_posts_until
            .as_deref(),
        Some("rkey-2")
    );
    let again = store
        .store_own_posts(&alice.id, &[reply(1, &asked_first)], None)
        .expect("again");
    assert!(again.is_empty(), "an answered item is not reported twice");
}

#[test]
fn a_failure_is_recorded_without_touching_the_marks_and_a_success_clears_it() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let marks = SyncMarks {
        read_until: Some(at(50)),
        walk: None,
        own_posts_until: None,
    };
    store
        .store_inbox_page(
            &alice.id,
            &[post(1, "q?")],
            &marks,
            PageEnd::RoundDone { at: at(60) },
        )
        .expect("store");
    store
        .record_sync_error(&alice.id, "App password revoked", true, at(70))
        .expect("record");
    let record = store.sync_record(&alice.id).expect("record");
    assert_eq!(record.last_error.as_deref(), Some("App password revoked"));
    assert!(record.needs_sign_in);
    assert_eq!(
        record.last_success_at,
        Some(at(60)),
        "the last success is kept"
    );
    assert_eq!(
        store.sync_marks(&alice.id).expect("marks"),
        marks,
        "a failed sync must not erase how far the last one read"
    );

    store
        .store_inbox_page(&alice.id, &[], &marks, PageEnd::RoundDone { at: at(80) })
        .expect("store");
    let record = store.sync_record(&alice.id).expect("record");
    assert_eq!((record.last_error, record.needs_sign_in), (None, false));
    assert_eq!(record.last_success_at, Some(at(80)));
}

#[test]
fn marks_survive_a_restart_and_signing_out_forgets_the_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let marks = SyncMarks {
        read_until: Some(at(5)),
        walk: Some(Walk {
            cursor: "next".into(),
            top: at(9),
            until: at(5),
        }),
        own_posts_until: None,
    };
    let alice = {
        let store = Store::open(dir.path()).expect("open");
        let alice = account(&store, "did:plc:alice");
        store
            .store_inbox_page(&alice.id, &[post(7, "q?")], &marks, PageEnd::MorePages)
            .expect("store");
        alice
    };
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.sync_marks(&alice.id).expect("marks"), marks);
    assert_eq!(uris(&store).len(), 1);

    store.delete_account(&alice.id).expect("sign out");
    assert!(uris(&store).is_empty(), "an account's inbox leaves with it");
    assert_eq!(
        store.sync_marks(&alice.id).expect("marks"),
        SyncMarks::default(),
        "and so do its marks"
    );
}

/// The detector reads an item in the language its author declared: a code-mixed post that
/// guessing takes for Portuguese is a question in the English its author chose.
#[test]
fn an_item_is_read_in_the_language_its_author_declared() {
    let store = Store::open_in_memory().expect("open");
    let alice = account(&store, "did:plc:alice");
    let guessed = post(1, "u free para o jantar");
    let declared = IncomingPost {
        language: Some("en".into()),
        ..post(2, "u free para o jantar")
    };
    store
        .store_inbox_items(&alice.id, &[guessed, declared])
        .expect("stored");
    let asks: Vec<(String, bool)> = store
        .inbox(100, at(0))
        .expect("inbox")
        .into_iter()
        .map(|item| (item.post.uri.clone(), item.is_question()))
        .collect();
    assert!(asks.contains(&(post(1, "").uri, false)), "{asks:?}");
    assert!(asks.contains(&(post(2, "").uri, true)), "{asks:?}");
}
