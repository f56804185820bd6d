//! Real desktop services. These need the private session bus, notification daemon and
//! keyring that tests/desktop/with-desktop.sh starts; `make test` runs them there with
//! `--include-ignored`. Outside that session they would talk to the person's own desktop.

use std::process::Command;
use std::sync::Arc;

use earshot_core::{Sensitive, SystemClock};

use earshot_test_support::desktop::BusMonitor;

use crate::support::NOTIFICATION_DAEMON;
use earshot_engine::{
    DesktopNotifier, Earshot, KeyringSecretStore, SecretStore, Services, SyncSettings,
};

/// The string arguments of a method call as dbus-monitor prints them.
fn string_args(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|line| {
            line.trim()
                .strip_prefix("string \"")?
                .strip_suffix('"')
                .map(str::to_owned)
        })
        .collect()
}

/// The engine wired to this session's real keyring and notification daemon.
fn earshot_on_this_desktop(dir: &tempfile::TempDir) -> Earshot {
    let services = Services {
        clock: Arc::new(SystemClock),
        secrets: Arc::new(KeyringSecretStore::new("app.earshot.tests")),
        notifier: Arc::new(DesktopNotifier::new("Earshot")),
        runtime: tokio::runtime::Handle::current(),
        sync: SyncSettings::default(),
    };
    Earshot::open(dir.path(), services).expect("open")
}

#[tokio::test]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn the_test_notification_reaches_the_notification_daemon() {
    let dir = tempfile::tempdir().expect("temp dir");
    let earshot = earshot_on_this_desktop(&dir);

    let _daemon = NOTIFICATION_DAEMON.lock().await;
    let monitor = BusMonitor::watch("interface='org.freedesktop.Notifications',member='Notify'");
    earshot
        .send_test_notification()
        .await
        .expect("the daemon accepts the notification");

    let seen = monitor.wait_for(
        |line| line.trim_start().starts_with("array ["),
        "the Notify call",
    );
    let call_starts = seen.iter().position(|line| line.contains("member=Notify"));
    let strings = string_args(&seen[call_starts.expect("a Notify method call")..]);
    assert_eq!(
        strings,
        vec![
            "Earshot".to_string(),
            "earshot".to_string(),
            "Earshot can reach you".to_string(),
            "This is how Earshot will tell you that someone asked you a question.".to_string(),
        ],
        "Notify(app_name, icon, summary, body) as sent over D-Bus"
    );
}

#[test]
#[ignore = "needs the headless desktop session (make test runs it)"]
fn secrets_round_trip_through_the_real_keyring_daemon() {
    let service = "app.earshot.tests";
    let key = format!("bluesky:did:plc:test-{}", std::process::id());
    let store = KeyringSecretStore::new(service);
    let secret = Sensitive::new("access-token-🔑".to_string());

    store
        .save(&key, &secret)
        .expect("the keyring stores the secret");
    assert_eq!(store.read(&key).expect("read"), Some(secret.clone()));

    // Ask the daemon directly, so an in-memory fallback inside the keyring crate cannot pass.
    let lookup = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", &key])
        .output()
        .expect("secret-tool runs (Debian package libsecret-tools)");
    assert_eq!(
        String::from_utf8_lossy(&lookup.stdout),
        secret.expose().as_str(),
        "the secret is really in gnome-keyring, not in process memory"
    );

    store.delete(&key).expect("delete");
    assert_eq!(
        store.read(&key).expect("read"),
        None,
        "deleted secrets are gone"
    );
    let lookup = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", &key])
        .output()
        .expect("secret-tool runs");
    assert!(lookup.stdout.is_empty(), "and gone from the daemon too");
    store
        .delete(&key)
        .expect("deleting a missing secret is not an error");
}

#[tokio::test]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn the_keyring_check_reports_a_working_keyring() {
    let dir = tempfile::tempdir().expect("temp dir");
    let earshot = earshot_on_this_desktop(&dir);
    let status = earshot.check_keyring().await;
    assert!(status.available, "keyring check failed: {}", status.message);
}
