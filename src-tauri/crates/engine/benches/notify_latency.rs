//! Mention → `Notify` on the bus: how long after someone asks until the desktop's
//! notification daemon is asked to show it, through the whole path (Mastodon stream →
//! store → alerts task, including its burst window → notify-rust → D-Bus).
//!
//! Needs the headless desktop session: `make bench` runs it inside
//! tests/desktop/with-desktop.sh. Prints p50/p95; not a pass/fail test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use earshot_core::SystemClock;
use earshot_engine::{
    DesktopNotifier, Earshot, MemorySecretStore, Services, SyncSettings, SyncState,
};
use earshot_mastodon_server::{MastodonServer, Profile, browser};
use earshot_test_support::desktop::BusMonitor;

const MENTIONS: usize = 40;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(measure());
}

#[expect(clippy::print_stdout, reason = "a benchmark's output is its figures")]
async fn measure() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let dir = tempfile::tempdir().expect("dir");
    let services = Services {
        clock: Arc::new(SystemClock),
        secrets: Arc::new(MemorySecretStore::default()),
        notifier: Arc::new(DesktopNotifier::new("Earshot")),
        runtime: tokio::runtime::Handle::current(),
        // Only the stream may deliver: polling would blur the figure.
        sync: SyncSettings {
            poll_interval: Duration::from_secs(3600),
            ..SyncSettings::default()
        },
    };
    let earshot = Earshot::open(dir.path(), services).expect("open");
    earshot
        .save_notification_settings(earshot.notification_settings().without_quiet_hours())
        .await
        .expect("no quiet hours while measuring");
    let started = earshot
        .begin_mastodon_sign_in(server.url().to_owned(), false)
        .await
        .expect("begin");
    let url = started.authorize_url.clone();
    let username = alice.username.clone();
    tokio::spawn(async move {
        if let browser::Outcome::Redirect(back) = browser::decide(&url, &username, true).await {
            let _ = reqwest::get(&back).await;
        }
    });
    let account = earshot
        .finish_mastodon_sign_in(started.attempt, None)
        .await
        .expect("signed in")
        .account
        .id;
    // Questions notify only after the account's first sync, and arrive over the stream.
    loop {
        let accounts = earshot.list_accounts().await.expect("accounts");
        let synced = accounts
            .iter()
            .any(|view| view.account.id == account && view.sync.state == SyncState::Synced);
        if synced && server.requests_to("/api/v1/streaming") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let monitor = BusMonitor::notifications();
    let mut latencies = Vec::with_capacity(MENTIONS);
    for n in 0..MENTIONS {
        let sent = Instant::now();
        server.post(
            &bob,
            &format!("@alice is question {n} clear?"),
            None,
            "public",
        );
        monitor
            .next_notify(Duration::from_secs(10))
            .unwrap_or_else(|| panic!("question {n} never reached the notification daemon"));
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!(
        "mastodon mention → Notify on the session bus ({MENTIONS} questions, loopback, dunst): \
         p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms (includes the 500 ms burst window)",
        percentile(50).as_secs_f64() * 1000.0,
        percentile(95).as_secs_f64() * 1000.0,
        latencies[latencies.len() - 1].as_secs_f64() * 1000.0,
    );
}
