//! `make measure`'s idle figure with accounts: the CPU the whole Earshot process tree uses
//! while it waits in the tray with five accounts syncing — three on the reference Bluesky
//! servers (polled) and two on Mastodon test servers (streaming, with the REST safety net).
//!
//! Signs the accounts in through the real UI as a person would, closes the window (its
//! webview goes at once: `EARSHOT_WEBVIEW_GRACE_MS=0`), lets the first syncs settle, then reads
//! the tree's CPU time from /proc before and after `EARSHOT_IDLE_S` seconds (300 by default)
//! and prints Markdown table rows. A figure, never an assertion. Run inside
//! tests/atproto/with-atproto.sh and tests/desktop/with-desktop.sh (scripts/measure.sh does);
//! `EARSHOT_APP_BINARY` picks the build measured.

use std::time::{Duration, Instant};

use earshot_e2e::{App, Driver, Result, TestAccount, close_window, descendants};
use earshot_mastodon_server::{MastodonServer, Profile};

const BLUESKY_ACCOUNTS: usize = 3;
const MASTODON_ACCOUNTS: usize = 2;
/// Long enough for every account's first sync and backfill to be over.
const SETTLE: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> Result<()> {
    let idle = Duration::from_secs(
        std::env::var("EARSHOT_IDLE_S")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(300),
    );
    let mut servers = Vec::new();
    for _ in 0..MASTODON_ACCOUNTS {
        let server = MastodonServer::start(Profile::mastodon()).await;
        server.add_user("alice", "Alice");
        servers.push(server);
    }
    let mut bluesky = Vec::new();
    for _ in 0..BLUESKY_ACCOUNTS {
        let account = TestAccount::create("idle").await;
        let password = account.app_password("Earshot").await;
        bluesky.push((account.handle.clone(), password));
    }

    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as("alice")
        .with_env("EARSHOT_WEBVIEW_GRACE_MS", "0");
    let app = driver.launch().await?;
    for (signed_in, (handle, password)) in bluesky.iter().enumerate() {
        app.sign_in_to_bluesky(handle, password).await?;
        accounts_listed(&app, signed_in + 1).await?;
    }
    for (i, server) in servers.iter().enumerate() {
        app.sign_in_to_mastodon(server.url()).await?;
        accounts_listed(&app, BLUESKY_ACCOUNTS + i + 1).await?;
    }
    let pid = app.pid()?;
    close_window("Earshot").await?;
    tokio::time::sleep(SETTLE).await;

    let streaming = servers
        .iter()
        .all(|server| server.requests_to("/api/v1/streaming") > 0);
    let before = cpu_seconds(pid);
    let started = Instant::now();
    tokio::time::sleep(idle).await;
    let used = cpu_seconds(pid) - before;
    let share = 100.0 * used / started.elapsed().as_secs_f64();
    let processes = 1 + descendants(pid).len();
    #[expect(clippy::print_stdout, reason = "a measuring tool prints its figures")]
    {
        println!(
            "| Idle CPU, window closed, {BLUESKY_ACCOUNTS} Bluesky + {MASTODON_ACCOUNTS} Mastodon \
             accounts ({}s) | {share:.2} % of a core | {used:.2} s of CPU, {processes} process(es), \
             Mastodon streams {} |",
            idle.as_secs(),
            if streaming { "open" } else { "NOT open" },
        );
    }
    Ok(())
}

async fn accounts_listed(app: &App, count: usize) -> Result<()> {
    app.until(&format!("{count} accounts are listed"), || async {
        Ok(app.texts("[data-testid=account-row] .handle").await?.len() == count)
    })
    .await
}

/// User and system CPU time of `root` and every process below it, in seconds.
fn cpu_seconds(root: u32) -> f64 {
    // Linux's USER_HZ, which /proc/PID/stat counts in, is 100 on every architecture.
    const TICKS_PER_SECOND: f64 = 100.0;
    std::iter::once(root)
        .chain(descendants(root))
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // "pid (comm) state …": utime and stime are the 12th and 13th fields after comm.
            let (_, rest) = stat.rsplit_once(')')?;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            Some(fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?)
        })
        .sum::<f64>()
        / TICKS_PER_SECOND
}
