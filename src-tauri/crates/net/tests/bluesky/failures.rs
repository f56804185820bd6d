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
