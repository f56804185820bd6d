//! Notifications, threads, the account's own posts and writes, against the reference servers.

use std::time::Duration;

use earshot_core::Sensitive;
use earshot_net::bluesky::{
    DEFAULT_PLC_DIRECTORY, Notification, Reason, ThreadRole, XrpcClient, XrpcError,
};
use earshot_test_support::atproto::{TestAccount, pds_url, plc_url};
use serde_json::json;

const REASONS: &[&str] = &["mention", "reply", "quote"];

fn client() -> XrpcClient {
    XrpcClient::new(pds_url()).expect("client")
}

fn access(account: &TestAccount) -> Sensitive<String> {
    Sensitive::new(account.access.clone())
}

/// Every notification of `account` with Earshot's reasons, once the AppView has indexed at
/// least `want` of them (within about a second when idle; much longer under a full test run).
async fn notifications(account: &TestAccount, want: usize) -> Vec<Notification> {
    let client = client();
    let mut all = Vec::new();
    for _ in 0..150 {
        all.clear();
        let mut cursor: Option<String> = None;
        loop {
            let page = client
                .list_notifications(&access(account), REASONS, cursor.as_deref(), 2)
                .await
                .expect("a page");
            all.extend(page.notifications);
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
        if all.len() >= want {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("only {} of {want} notifications arrived", all.len());
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn replies_mentions_and_quotes_arrive_likes_do_not() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let post = alice.post("Match report tonight").await;
    let question = bob.reply(&post, &post, "is the game on tonight?").await;
    let mention = bob.mention(&alice, "what do you think?").await;
    let quote = bob.quote(&post, "worth reading").await;
    earshot_test_support::atproto::xrpc_post(
        "com.atproto.repo.createRecord",
        Some(&bob.access),
        json!({ "repo": bob.did, "collection": "app.bsky.feed.like", "record": {
            "$type": "app.bsky.feed.like", "subject": { "uri": post.uri, "cid": post.cid },
            "createdAt": jiff::Timestamp::now().to_string() } }),
    )
    .await;

    let got = notifications(&alice, 3).await;
    let reasons: Vec<(&str, &Reason)> = got.iter().map(|n| (n.uri.as_str(), &n.reason)).collect();
    assert_eq!(
        reasons,
        vec![
            (quote.uri.as_str(), &Reason::Quote),
            (mention.uri.as_str(), &Reason::Mention),
            (question.uri.as_str(), &Reason::Reply),
        ],
        "newest first, and the like is left out because Earshot did not ask for likes"
    );
    let reply = &got[2];
    assert_eq!(reply.post.text, "is the game on tonight?");
    assert_eq!(reply.author.handle, bob.handle);
    assert_eq!(reply.author.did, bob.did);
    assert_eq!(reply.cid, question.cid);
    assert_eq!(reply.reason_subject.as_deref(), Some(post.uri.as_str()));
    let parent = reply
        .post
        .reply_parent
        .as_ref()
        .expect("a reply has a parent");
    assert_eq!((&parent.uri, &parent.cid), (&post.uri, &post.cid));
    assert!(
        got[1].post.facets.is_some(),
        "the mention's facets are kept as sent"
    );
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn paging_with_the_cursor_sees_every_notification_once() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let post = alice.post("ask me anything").await;
    let mut sent = Vec::new();
    for n in 0..7 {
        sent.push(bob.reply(&post, &post, &format!("question {n}?")).await.uri);
    }
    let got = notifications(&alice, 7).await;
    let mut uris: Vec<String> = got.into_iter().map(|n| n.uri).collect();
    assert_eq!(uris.len(), 7, "pages of 2 with no duplicates");
    sent.sort();
    uris.sort();
    assert_eq!(uris, sent);
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_thread_reads_in_order_with_ancestors_and_replies() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let root = alice.post("Who is coming on Saturday?").await;
    let question = bob.reply(&root, &root, "is the game on tonight?").await;
    let answer = alice.reply(&root, &question, "Yes, 8 pm!").await;
    let _ = notifications(&alice, 1).await;

    let client = client();
    let mut thread = client
        .post_thread(&access(&alice), &question.uri, 6, 20)
        .await
        .expect("thread");
    for _ in 0..50 {
        if thread.posts.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        thread = client
            .post_thread(&access(&alice), &question.uri, 6, 20)
            .await
            .expect("thread");
    }
    let shape: Vec<(ThreadRole, u32, &str)> = thread
        .posts
        .iter()
        .map(|p| (p.role, p.depth, p.post.uri.as_str()))
        .collect();
    assert_eq!(
        shape,
        vec![
            (ThreadRole::Ancestor, 0, root.uri.as_str()),
            (ThreadRole::Focus, 0, question.uri.as_str()),
            (ThreadRole::Reply, 1, answer.uri.as_str()),
        ]
    );
    assert_eq!(thread.posts[2].post.record.text, "Yes, 8 pm!");
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn own_posts_list_newest_first_with_what_they_reply_to() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let question = bob.post("anyone?").await;
    let first = alice.post("first").await;
    let answer = alice.reply(&question, &question, "me!").await;

    let page = client()
        .list_own_posts(&access(&alice), &alice.did, None, 50)
        .await
        .expect("own posts");
    let got: Vec<(&str, Option<&str>)> = page
        .posts
        .iter()
        .map(|p| (p.uri.as_str(), p.reply_parent.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (answer.uri.as_str(), Some(question.uri.as_str())),
            (first.uri.as_str(), None)
        ]
    );
    assert_eq!(page.posts[0].rkey, answer.rkey());
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_record_written_with_its_own_key_can_be_found_again() {
    let alice = TestAccount::create("alice").await;
    let client = client();
    // A key for now, as a client makes one: the AppView stops indexing the whole network
    // when it meets a post whose key is far from its time.
    let rkey = &earshot_core::tid::tid(jiff::Timestamp::now(), 1);
    assert_eq!(
        client
            .record_at(&alice.did, "app.bsky.feed.post", rkey)
            .await
            .expect("lookup"),
        None
    );
    let record = json!({ "$type": "app.bsky.feed.post", "text": "once",
        "createdAt": jiff::Timestamp::now().to_string() });
    let written = client
        .create_record(
            &access(&alice),
            &alice.did,
            "app.bsky.feed.post",
            Some(rkey),
            record.clone(),
        )
        .await
        .expect("write");
    assert!(written.uri.ends_with(rkey.as_str()));
    let found = client
        .record_at(&alice.did, "app.bsky.feed.post", rkey)
        .await
        .expect("lookup");
    assert_eq!(found, Some(written), "a retry can see the write landed");
    let again = client
        .create_record(
            &access(&alice),
            &alice.did,
            "app.bsky.feed.post",
            Some(rkey),
            record,
        )
        .await;
    assert!(again.is_err(), "the same key is never written twice");
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn an_expired_access_token_is_reported_as_expired() {
    let alice = TestAccount::create("alice").await;
    let expired = Sensitive::new(alice.expired_access_token());
    let reply = client()
        .list_notifications(&expired, REASONS, None, 10)
        .await;
    assert!(
        matches!(reply, Err(XrpcError::ExpiredToken)),
        "so the caller refreshes instead of asking for a new sign-in: {reply:?}"
    );
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_did_resolves_to_its_pds_through_the_plc_directory() {
    let alice = TestAccount::create("alice").await;
    let client = client();
    let pds = client
        .resolve_pds(&alice.did, &plc_url())
        .await
        .expect("resolve");
    assert_eq!(pds, pds_url().trim_end_matches('/'));
    assert!(DEFAULT_PLC_DIRECTORY.starts_with("https://"));
    let unknown = client.resolve_pds("did:example:nope", &plc_url()).await;
    assert!(
        matches!(unknown, Err(XrpcError::Malformed { .. })),
        "{unknown:?}"
    );
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn update_seen_marks_notifications_read() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let post = alice.post("hello").await;
    bob.reply(&post, &post, "hi?").await;
    let _ = notifications(&alice, 1).await;
    client()
        .update_seen(&access(&alice), jiff::Timestamp::now())
        .await
        .expect("updateSeen");
    let after = notifications(&alice, 1).await;
    assert!(after[0].is_read, "seen up to now, so it reads as read");
}
