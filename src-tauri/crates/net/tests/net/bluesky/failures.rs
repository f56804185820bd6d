//! Replies no well-behaved server sends on demand, from a one-shot local HTTP responder.

use earshot_core::Sensitive;
use earshot_net::bluesky::{XrpcClient, XrpcError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one HTTP response (`status` line, extra `headers`, JSON `body`) to the first request
/// on a loopback port.
async fn one_reply(status: &str, headers: &str, body: &str) -> String {
    let response = format!(
        "HTTP/1.1 {status}\r\n{headers}content-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut request = vec![0; 64 * 1024];
        let _ = socket.read(&mut request).await;
        socket.write_all(response.as_bytes()).await.expect("write");
        let _ = socket.shutdown().await;
    });
    format!("http://{address}")
}

fn password() -> Sensitive<String> {
    Sensitive::new("app-pass-word".into())
}

#[tokio::test]
async fn a_garbled_reply_is_malformed_not_a_panic() {
    let service = one_reply("200 OK", "", r#"{"did": 42,"#).await;
    let error = XrpcClient::new(service)
        .expect("client")
        .create_session("me.test", &password())
        .await;
    assert!(
        matches!(error, Err(XrpcError::Malformed { .. })),
        "got {error:?}"
    );
}

#[tokio::test]
async fn a_429_says_when_to_come_back() {
    let service = one_reply(
        "429 Too Many Requests",
        "ratelimit-limit: 30\r\nratelimit-remaining: 0\r\nratelimit-reset: 1790000300\r\n",
        r#"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#,
    )
    .await;
    let error = XrpcClient::new(service)
        .expect("client")
        .create_session("me.test", &password())
        .await;
    assert!(
        matches!(
            error,
            Err(XrpcError::RateLimited {
                reset_at: Some(1_790_000_300)
            })
        ),
        "got {error:?}"
    );
}

#[tokio::test]
async fn an_expired_token_is_told_apart_from_bad_credentials() {
    let service = one_reply(
        "400 Bad Request",
        "",
        r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
    )
    .await;
    let error = XrpcClient::new(service)
        .expect("client")
        .refresh_session(&password())
        .await;
    assert!(
        matches!(error, Err(XrpcError::ExpiredToken)),
        "got {error:?}"
    );
}

#[tokio::test]
async fn a_server_that_is_not_there_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let service = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let error = XrpcClient::new(service)
        .expect("client")
        .create_session("me.test", &password())
        .await;
    assert!(
        matches!(error, Err(XrpcError::Unreachable { .. })),
        "got {error:?}"
    );
}

#[tokio::test]
async fn a_truncated_notification_page_is_malformed() {
    let service = one_reply("200 OK", "", r#"{"notifications":[{"uri":"at://x"#).await;
    let error = XrpcClient::new(service)
        .expect("client")
        .list_notifications(&password(), &["reply"], None, 50)
        .await;
    assert!(
        matches!(error, Err(XrpcError::Malformed { .. })),
        "got {error:?}"
    );
}

#[tokio::test]
async fn one_unreadable_notification_does_not_cost_the_page() {
    let good = r#"{"uri":"at://did:plc:b/app.bsky.feed.post/1","cid":"c1",
        "author":{"did":"did:plc:b","handle":"bob.test"},"reason":"reply",
        "record":{"text":"ok?","createdAt":"2026-11-28T10:00:00Z"},
        "indexedAt":"2026-11-28T10:00:01.000Z","isRead":false}"#;
    let bad = r#"{"uri":"at://did:plc:b/app.bsky.feed.post/2","cid":"c2",
        "author":{"did":"did:plc:b"},"reason":"reply","record":{},"indexedAt":"yesterday"}"#;
    let unknown = good
        .replace("\"reply\"", "\"verified\"")
        .replace("/1\"", "/3\"");
    let body = format!(r#"{{"cursor":"next","notifications":[{good},{bad},{unknown}]}}"#);
    let service = one_reply("200 OK", "ratelimit-remaining: 2999\r\n", &body).await;
    let page = XrpcClient::new(service)
        .expect("client")
        .list_notifications(&password(), &["reply"], None, 50)
        .await
        .expect("the readable entries arrive");
    assert_eq!(
        page.notifications.len(),
        2,
        "the unreadable entry is skipped"
    );
    assert_eq!(page.skipped, 1);
    assert_eq!(page.cursor.as_deref(), Some("next"));
    assert_eq!(page.rate_limit.remaining, Some(2999));
    assert_eq!(
        page.notifications[1].reason,
        earshot_net::bluesky::Reason::Other("verified".into()),
        "a reason this version does not know is kept, not fatal"
    );
}

/// A server that answers without end (or with a body larger than any page) is cut off at
/// `MAX_RESPONSE_BYTES`, with words, instead of filling memory — whether it announces the
/// size or streams it without a length.
#[tokio::test]
async fn an_endless_answer_is_cut_off_with_words() {
    let huge = format!(
        "[{}]",
        "1,".repeat(earshot_net::MAX_RESPONSE_BYTES / 2 + 16) + "1"
    );
    let announced = one_reply("200 OK", "", &huge).await;
    let error = XrpcClient::new(announced)
        .expect("client")
        .create_session("me.test", &password())
        .await;
    assert!(
        matches!(&error, Err(XrpcError::Malformed { reason, .. }) if reason.contains("8 MB")),
        "got {error:?}"
    );

    // No Content-Length: the body runs until the connection closes.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut request = vec![0; 64 * 1024];
        let _ = socket.read(&mut request).await;
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[";
        socket.write_all(head.as_bytes()).await.expect("write");
        let chunk = "1,".repeat(64 * 1024);
        for _ in 0..(earshot_net::MAX_RESPONSE_BYTES / chunk.len() + 2) {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let error = XrpcClient::new(format!("http://{address}"))
        .expect("client")
        .create_session("me.test", &password())
        .await;
    assert!(
        matches!(&error, Err(XrpcError::Malformed { reason, .. }) if reason.contains("8 MB")),
        "got {error:?}"
    );
}
