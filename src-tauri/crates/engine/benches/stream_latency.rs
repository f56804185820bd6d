//! How long a Mastodon mention takes from the server to Earshot's store over the stream:
//! p50 and p95 of 200 mentions, posted one at a time to the test server on loopback.
//!
//! `make bench` runs it. It prints figures; it asserts nothing (these machines are noisy).

use std::sync::Arc;
use std::time::{Duration, Instant};

use earshot_core::SystemClock;
use earshot_engine::{
    Earshot, EngineEvent, MemorySecretStore, Notice, Notifier, NotifyError, OnAction, Services,
    SyncSettings,
};
use earshot_mastodon_server::{MastodonServer, Profile, browser};

#[derive(Debug)]
struct SilentNotifier;

impl Notifier for SilentNotifier {
    fn show(&self, _notice: &Notice, _on_action: OnAction) -> Result<(), NotifyError> {
        Ok(())
    }
}

const MENTIONS: usize = 200;

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
        notifier: Arc::new(SilentNotifier),
        runtime: tokio::runtime::Handle::current(),
        // Polling would blur the figure: only the stream may deliver.
        sync: SyncSettings {
            poll_interval: Duration::from_secs(3600),
            ..SyncSettings::default()
        },
    };
    let earshot = Earshot::open(dir.path(), services).expect("open");
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
    earshot
        .finish_mastodon_sign_in(started.attempt, None)
        .await
        .expect("signed in");
    while server.requests_to("/api/v1/streaming") == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut events = earshot.subscribe();
    let mut latencies = Vec::with_capacity(MENTIONS);
    for n in 0..MENTIONS {
        let sent = Instant::now();
        server.post(&bob, &format!("@alice question {n}?"), None, "public");
        loop {
            match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
                Ok(Ok(EngineEvent::InboxChanged { .. })) => break,
                Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
                other => panic!("mention {n} never reached the store: {other:?}"),
            }
        }
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!(
        "mastodon mention → store over the stream ({MENTIONS} mentions, loopback): \
         p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        percentile(50).as_secs_f64() * 1000.0,
        percentile(95).as_secs_f64() * 1000.0,
        latencies[latencies.len() - 1].as_secs_f64() * 1000.0,
    );
}
