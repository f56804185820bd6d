use std::sync::atomic::{AtomicU32, Ordering};

use earshot_core::Sensitive;
use earshot_net::bluesky::{Credential, XrpcClient, XrpcError};
use serde_json::{Value, json};

fn pds_url() -> String {
    std::env::var("EARSHOT_TEST_PDS_URL")
        .expect("EARSHOT_TEST_PDS_URL: run inside tests/atproto/with-atproto.sh (make test does)")
}

/// A new account on the reference PDS: (handle, did, main password, access token).
async fn new_account() -> (String, String, Sensitive<String>, String) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let handle = format!(
        "u{}n{}.test",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let password = format!("main-password-of-{handle}");
    let reply = admin_call(
        "com.atproto.server.createAccount",
        None,
        json!({ "email": format!("{handle}@example.com"), "handle": handle, "password": password }),
    )
    .await;
    let did = reply["did"].as_str().expect("did").to_owned();
    let access = reply["accessJwt"].as_str().expect("accessJwt").to_owned();
    (handle, did, Sensitive::new(password), access)
}

/// A raw XRPC POST for test setup, outside the client under test.
async fn admin_call(nsid: &str, bearer: Option<&str>, body: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{}/xrpc/{nsid}", pds_url()))
        .json(&body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the PDS answers");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{nsid} failed with {status}: {body}");
    body
}

async fn new_app_password(access: &str, name: &str) -> Sensitive<String> {
    let reply = admin_call(
        "com.atproto.server.createAppPassword",
        Some(access),
        json!({ "name": name }),
    )
    .await;
    Sensitive::new(reply["password"].as_str().expect("password").to_owned())
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn signing_in_with_an_app_password_is_recognised() {
    let (handle, did, _, access) = new_account().await;
    let app_password = new_app_password(&access, "Earshot").await;

    let session = XrpcClient::new(pds_url())
        .expect("client")
        .create_session(&handle, &app_password)
        .await
        .expect("sign-in");
    assert_eq!(
        (session.did.as_str(), session.handle.as_str()),
        (did.as_str(), handle.as_str())
    );
    assert_eq!(session.credential, Credential::AppPassword);
    assert!(
        session.access_expires_at.is_some(),
        "the token says when it expires"
    );
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn signing_in_with_the_main_password_is_noticed() {
    let (handle, _, password, _) = new_account().await;
    let session = XrpcClient::new(pds_url())
        .expect("client")
        .create_session(&handle, &password)
        .await
        .expect("sign-in");
    assert_eq!(
        session.credential,
        Credential::MainPassword,
        "so the UI can warn and suggest an app password"
    );
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_wrong_or_revoked_password_is_refused_in_words() {
    let (handle, _, _, access) = new_account().await;
    let client = XrpcClient::new(pds_url()).expect("client");

    let wrong = client
        .create_session(&handle, &Sensitive::new("not-it".into()))
        .await;
    assert!(
        matches!(wrong, Err(XrpcError::InvalidCredentials { .. })),
        "got {wrong:?}"
    );

    let app_password = new_app_password(&access, "revoke-me").await;
    client
        .create_session(&handle, &app_password)
        .await
        .expect("works before revoking");
    admin_call(
        "com.atproto.server.revokeAppPassword",
        Some(&access),
        json!({ "name": "revoke-me" }),
    )
    .await;
    let revoked = client.create_session(&handle, &app_password).await;
    match revoked {
        Err(XrpcError::InvalidCredentials { message }) => {
            assert!(!message.is_empty(), "the server's words are kept")
        }
        other => panic!("a revoked app password must be InvalidCredentials, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn refreshing_gives_a_new_working_session() {
    let (handle, did, _, access) = new_account().await;
    let app_password = new_app_password(&access, "Earshot").await;
    let client = XrpcClient::new(pds_url()).expect("client");
    let first = client
        .create_session(&handle, &app_password)
        .await
        .expect("sign-in");

    let refreshed = client
        .refresh_session(&first.refresh_jwt)
        .await
        .expect("refresh");
    assert_eq!(refreshed.did, did);
    assert_ne!(
        refreshed.refresh_jwt, first.refresh_jwt,
        "refresh tokens rotate"
    );
    assert_eq!(
        refreshed.credential,
        Credential::AppPassword,
        "the scope survives a refresh"
    );

    let again = client.refresh_session(&refreshed.refresh_jwt).await;
    assert!(again.is_ok(), "the new refresh token works: {again:?}");
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn handles_resolve_to_dids() {
    let (handle, did, _, _) = new_account().await;
    let client = XrpcClient::new(pds_url()).expect("client");
    assert_eq!(client.resolve_handle(&handle).await.expect("resolve"), did);
}
