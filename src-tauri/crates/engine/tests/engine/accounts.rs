//! Signing in to the Bluesky reference servers, with tokens in this session's real keyring.

use std::process::Command;
use std::sync::Arc;

use earshot_core::SystemClock;
use earshot_engine::{DesktopNotifier, Earshot, Error, KeyringSecretStore, Services, SyncSettings};
use earshot_net::bluesky::XrpcError;
use earshot_test_support::atproto::{TestAccount, pds_url, plc_url};
use serde_json::Value;

const KEYRING_SERVICE: &str = "app.earshot.tests.accounts";

fn earshot(dir: &tempfile::TempDir) -> Earshot {
    let services = Services {
        clock: Arc::new(SystemClock),
        secrets: Arc::new(KeyringSecretStore::new(KEYRING_SERVICE)),
        notifier: Arc::new(DesktopNotifier::new("Earshot")),
        runtime: tokio::runtime::Handle::current(),
        sync: SyncSettings {
            plc_directory: plc_url(),
            ..SyncSettings::default()
        },
    };
    Earshot::open(dir.path(), services).expect("open")
}

/// A new account: (handle, main password, an app password).
async fn new_account(name: &str) -> (String, String, String) {
    let account = TestAccount::create(name).await;
    let app_password = account.app_password("Earshot").await;
    (account.handle, account.password, app_password)
}

fn keyring_entry(key: &str) -> String {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", KEYRING_SERVICE, "username", key])
        .output()
        .expect("secret-tool runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers and the desktop session (make test starts them)"]
async fn sign_in_keeps_tokens_in_the_keyring_and_sign_out_removes_them() {
    let (handle, _, app_password) = new_account("keep").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let earshot = earshot(&dir);

    let signed_in = earshot
        .add_bluesky_account(format!("@{handle}"), app_password, Some(pds_url()))
        .await
        .expect("sign-in with an app password");
    assert_eq!(signed_in.account.handle, handle);
    assert_eq!(signed_in.warning, None, "an app password needs no warning");

    let stored: Value = serde_json::from_str(&keyring_entry(&signed_in.account.secret_key()))
        .expect("the keyring holds the session as JSON");
    assert!(stored["accessJwt"].is_string() && stored["refreshJwt"].is_string());
    let database = std::fs::read(dir.path().join("earshot.sqlite3")).expect("read");
    let access = stored["accessJwt"].as_str().expect("token");
    assert!(
        !database
            .windows(access.len())
            .any(|w| w == access.as_bytes()),
        "tokens never reach SQLite"
    );

    drop(earshot);
    let earshot = self::earshot(&dir);
    let accounts: Vec<_> = earshot
        .list_accounts()
        .await
        .expect("list")
        .into_iter()
        .map(|view| view.account)
        .collect();
    assert_eq!(accounts, vec![signed_in.account.clone()]);

    earshot
        .remove_account(
            signed_in.account.id.clone(),
            earshot_engine::KeepPlans::Delete,
        )
        .await
        .expect("sign out");
    assert!(earshot.list_accounts().await.expect("list").is_empty());
    assert_eq!(
        keyring_entry(&signed_in.account.secret_key()),
        "",
        "sign-out deletes the tokens"
    );
}

#[tokio::test]
#[ignore = "needs the Bluesky reference servers and the desktop session (make test starts them)"]
async fn the_main_password_works_with_a_warning_and_a_wrong_one_adds_nothing() {
    let (handle, password, _) = new_account("main").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let earshot = earshot(&dir);

    let wrong = earshot
        .add_bluesky_account(handle.clone(), "nope".into(), Some(pds_url()))
        .await;
    assert!(
        matches!(
            wrong,
            Err(Error::Network(XrpcError::InvalidCredentials { .. }))
        ),
        "got {wrong:?}"
    );
    assert!(
        earshot.list_accounts().await.expect("list").is_empty(),
        "a failed sign-in adds nothing"
    );

    let signed_in = earshot
        .add_bluesky_account(handle, password, Some(pds_url()))
        .await
        .expect("sign-in");
    let warning = signed_in
        .warning
        .expect("a main password is worth a warning");
    assert!(
        warning.contains("app password"),
        "the warning says what to do: {warning}"
    );
    earshot
        .remove_account(signed_in.account.id, earshot_engine::KeepPlans::Delete)
        .await
        .expect("sign out");
}

/// A password must not travel in clear: an entry server on plain http (off this machine) is
/// refused before anything is sent, in words; so is a Mastodon server.
#[tokio::test(flavor = "multi_thread")]
async fn sign_in_over_plain_http_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let secrets = Arc::<earshot_engine::MemorySecretStore>::default();
    let earshot = crate::support::engine_with(&dir, &secrets, SyncSettings::default());
    let refused = earshot
        .add_bluesky_account(
            "me.example.org".into(),
            "app-pass-word".into(),
            Some("http://pds.example.org".into()),
        )
        .await
        .expect_err("plain http");
    assert!(refused.to_string().contains("https"), "{refused}");
    let refused = earshot
        .begin_mastodon_sign_in("http://mastodon.example.org".into(), false)
        .await
        .expect_err("plain http");
    assert!(refused.to_string().contains("https"), "{refused}");
}
