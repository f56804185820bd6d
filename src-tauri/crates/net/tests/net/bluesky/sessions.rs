use earshot_core::Sensitive;
use earshot_net::bluesky::{Credential, XrpcClient, XrpcError};
use earshot_test_support::atproto::{TestAccount, pds_url};

#[tokio::test]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn signing_in_with_an_app_password_is_recognised() {
    let alice = TestAccount::create("alice").await;
    let (handle, did) = (alice.handle.clone(), alice.did.clone());
    let app_password = Sensitive::new(alice.app_password("Earshot").await);

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
    let alice = TestAccount::create("alice").await;
    let (handle, password) = (alice.handle.clone(), Sensitive::new(alice.password.clone()));
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
    let alice = TestAccount::create("alice").await;
    let handle = alice.handle.clone();
    let client = XrpcClient::new(pds_url()).expect("client");

    let wrong = client
        .create_session(&handle, &Sensitive::new("not-it".into()))
        .await;
    assert!(
        matches!(wrong, Err(XrpcError::InvalidCredentials { .. })),
        "got {wrong:?}"
    );

    let app_password = Sensitive::new(alice.app_password("revoke-me").await);
    client
        .create_session(&handle, &app_password)
        .await
        .expect("works before revoking");
    alice.revoke_app_password("revoke-me").await;
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
    let alice = TestAccount::create("alice").await;
    let (handle, did) = (alice.handle.clone(), alice.did.clone());
    let app_password = Sensitive::new(alice.app_password("Earshot").await);
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
    let alice = TestAccount::create("alice").await;
    let (handle, did) = (alice.handle.clone(), alice.did.clone());
    let client = XrpcClient::new(pds_url()).expect("client");
    assert_eq!(client.resolve_handle(&handle).await.expect("resolve"), did);
}
