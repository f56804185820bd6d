//! Direct messages through the reference PDS, proxied to the chat test service (which checks
//! every request and answer against the official `chat.bsky.convo` lexicons).

use earshot_core::Sensitive;
use earshot_net::bluesky::{ConvoStatus, LogEntry, XrpcClient, XrpcError};
use earshot_test_support::atproto::{TestAccount, chat_service, pds_url, rate_limit_chat};

fn client() -> XrpcClient {
    XrpcClient::new(pds_url()).expect("client")
}

/// A session of `account` signed in with `password`, as Earshot signs in.
async fn signed_in(account: &TestAccount, password: &str) -> Sensitive<String> {
    client()
        .create_session(&account.handle, &Sensitive::new(password.to_owned()))
        .await
        .expect("a session")
        .access_jwt
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_message_is_listed_read_in_the_log_answered_and_marked_read() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let password = alice.app_password_with_messages("Earshot").await;
    let access = signed_in(&alice, &password).await;
    let (client, proxy) = (client(), chat_service());

    let asked = bob.message(&alice, "is the game on tonight?").await;

    let requests = client
        .list_convos(&access, &proxy, Some("request"), None, 50)
        .await
        .expect("requests");
    assert_eq!(requests.items.len(), 1, "bob wrote first: a request");
    let convo = &requests.items[0];
    assert_eq!(convo.id, asked.convo);
    assert_eq!(convo.status, ConvoStatus::Request);
    assert_eq!(convo.unread, 1);
    assert!(
        convo
            .members
            .iter()
            .any(|m| m.did == bob.did && m.handle == bob.handle)
    );
    let accepted = client
        .list_convos(&access, &proxy, Some("accepted"), None, 50)
        .await
        .expect("accepted");
    assert!(
        accepted.items.is_empty(),
        "not accepted behind alice's back"
    );

    let messages = client
        .get_messages(&access, &proxy, &asked.convo, None, 50)
        .await
        .expect("messages");
    assert_eq!(messages.items.len(), 1);
    assert_eq!(
        messages.items[0].text.as_deref(),
        Some("is the game on tonight?")
    );
    assert_eq!(messages.items[0].sender, bob.did);

    let log = client.get_log(&access, &proxy, None).await.expect("log");
    assert!(
        log.items.iter().any(|entry| matches!(entry,
            LogEntry::CreateMessage { convo, message } if *convo == asked.convo && message.id == asked.message)),
        "{:?}",
        log.items
    );
    let cursor = log.cursor.expect("a cursor");

    let answer = client
        .send_message(&access, &proxy, &asked.convo, "from 8, at the bar", None)
        .await
        .expect("sent");
    assert_eq!(answer.sender, alice.did);
    client
        .update_read(&access, &proxy, &asked.convo, Some(&asked.message))
        .await
        .expect("read");
    let since = client
        .get_log(&access, &proxy, Some(&cursor))
        .await
        .expect("the log since");
    assert!(
        since.items.iter().any(|entry| matches!(entry,
            LogEntry::CreateMessage { message, .. } if message.id == answer.id)),
        "{:?}",
        since.items
    );
    let accepted = client
        .list_convos(&access, &proxy, Some("accepted"), None, 50)
        .await
        .expect("accepted");
    assert_eq!(
        accepted.items.len(),
        1,
        "answering accepts the conversation"
    );
    assert_eq!(accepted.items[0].unread, 0);

    alice.delete_message_for_self(&asked).await;
    let deleted = client
        .get_log(&access, &proxy, since.cursor.as_deref())
        .await
        .expect("the deletion");
    assert!(
        deleted.items.iter().any(|entry| matches!(entry,
            LogEntry::DeleteMessage { message_id, .. } if *message_id == asked.message)),
        "{:?}",
        deleted.items
    );
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn an_app_password_without_messages_is_refused_in_words_and_429_is_a_rate_limit() {
    let alice = TestAccount::create("alice").await;
    let plain = alice.app_password("Earshot").await;
    let access = signed_in(&alice, &plain).await;
    let refused = client()
        .list_convos(&access, &chat_service(), None, None, 50)
        .await
        .expect_err("the PDS refuses chat to this app password");
    assert!(matches!(refused, XrpcError::ChatNotAllowed), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains("Allow access to your direct messages")
    );

    let privileged = alice.app_password_with_messages("Earshot DMs").await;
    let access = signed_in(&alice, &privileged).await;
    rate_limit_chat(&alice.did, 1).await;
    let limited = client()
        .list_convos(&access, &chat_service(), None, None, 50)
        .await
        .expect_err("429");
    // The PDS answers an upstream 429 with its own error and none of the service's headers
    // (not even `retry-after`): the caller backs off without a reset time.
    assert!(
        matches!(limited, XrpcError::RateLimited { reset_at: None }),
        "{limited:?}"
    );
    client()
        .list_convos(&access, &chat_service(), None, None, 50)
        .await
        .expect("then it answers");
}

/// The chat test service holds requests to the official lexicons: a message without text is
/// refused as the real service would refuse it, so a drift in Earshot's requests fails here.
#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn the_chat_test_service_refuses_what_the_lexicon_does_not_allow() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let convo = alice.message(&bob, "hello").await.convo;
    let response = reqwest::Client::new()
        .post(format!("{}/xrpc/chat.bsky.convo.sendMessage", pds_url()))
        .bearer_auth(&alice.access)
        .header("atproto-proxy", chat_service())
        .json(&serde_json::json!({ "convoId": convo, "message": { "facets": [] } }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"], "InvalidRequest", "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("text")),
        "{body}"
    );
}
