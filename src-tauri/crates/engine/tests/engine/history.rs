//! Read back further, against the Mastodon test server: questions older than the first
//! sync's week arrive (never announced), with the account's own old answers, so a 30-day
//! Report counts them; a 429 is waited out; a read back resumes after a restart, and a
//! cancelled one stays cancelled.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{
    AccountId, Clock, HistoryProgress, HistoryState, ItemState, ReadBack, ReportRequest,
    ReportScope, SystemClock,
};
use earshot_engine::{Earshot, MemorySecretStore, Notifier, SyncSettings};
use earshot_mastodon_server::{MastodonServer, Profile, TestUser};

use crate::mastodon::sign_in;
use crate::support::{RecordingNotifier, engine_on, within};

const DAY: Duration = Duration::from_secs(24 * 3600);

struct Desk {
    server: MastodonServer,
    alice: TestUser,
    dir: tempfile::TempDir,
    secrets: Arc<MemorySecretStore>,
    notices: Arc<RecordingNotifier>,
    earshot: Earshot,
    account: AccountId,
    /// Status ids: answered 20 days ago, never answered 25 days ago, 40 days ago (past 30).
    answered: String,
    hanging: String,
    too_old: String,
}

/// An engine that polls once a minute: after the first sync, only the read back talks to
/// the server while a test watches.
fn open(
    dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    notices: &Arc<RecordingNotifier>,
) -> Earshot {
    engine_on(
        dir,
        secrets,
        SyncSettings {
            poll_interval: Duration::from_secs(60),
            ..SyncSettings::default()
        },
        Arc::new(SystemClock) as Arc<dyn Clock>,
        Arc::clone(notices) as Arc<dyn Notifier>,
    )
}

/// Alice signed in, with three old questions on the server the first sync does not read.
async fn desk() -> Desk {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let carol = server.add_user("carol", "Carol");
    let too_old = server.post(&bob, "@alice are you open in winter?", None, "public");
    server.backdate(&too_old, DAY * 40);
    let hanging = server.post(&carol, "@alice do you sell gift cards?", None, "public");
    server.backdate(&hanging, DAY * 25);
    let answered = server.post(&bob, "@alice are you open on Sundays?", None, "public");
    server.backdate(&answered, DAY * 20);
    let answer = server.post(&alice, "@bob from noon", Some(&answered), "public");
    server.backdate(&answer, DAY * 20 - Duration::from_secs(3600));

    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let notices = Arc::new(RecordingNotifier::default());
    let earshot = open(&dir, &secrets, &notices);
    let account = sign_in(&earshot, &server, &alice).await;
    within(Duration::from_secs(10), "the first sync", async || {
        let view = progress_view(&earshot, &account).await;
        (view.0 == earshot_engine::SyncState::Synced).then_some(())
    })
    .await;
    assert!(
        earshot.list_inbox().await.expect("inbox").is_empty(),
        "the first sync reads a week back"
    );
    Desk {
        server,
        alice,
        dir,
        secrets,
        notices,
        earshot,
        account,
        answered,
        hanging,
        too_old,
    }
}

async fn progress_view(
    earshot: &Earshot,
    account: &AccountId,
) -> (earshot_engine::SyncState, Option<HistoryProgress>) {
    let view = earshot
        .list_accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|view| view.account.id == *account)
        .expect("listed");
    (view.sync.state, view.history)
}

async fn history_ends(earshot: &Earshot, account: &AccountId, limit: Duration) -> HistoryProgress {
    within(limit, "the read back ends", async || {
        progress_view(earshot, account)
            .await
            .1
            .filter(|progress| !progress.state.is_running())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn thirty_days_back_old_questions_arrive_answered_or_not_and_the_report_counts_them() {
    let desk = desk().await;
    // The first notifications page is refused once: the read back waits for the reset.
    desk.server.rate_limit_next("/api/v1/notifications", 1, 1);
    desk.earshot
        .read_back(desk.account.clone(), ReadBack::Days { days: 30 })
        .await
        .expect("read back");
    let ended = history_ends(&desk.earshot, &desk.account, Duration::from_secs(20)).await;
    assert_eq!(ended.state, HistoryState::Done, "{ended:?}");
    assert_eq!(ended.percent, Some(100));
    assert_eq!(ended.items_read, 2, "the 20- and 25-day-old questions");
    assert_eq!(ended.answers_read, 1);

    let inbox = desk.earshot.list_inbox().await.expect("inbox");
    let state_of = |uri: &str| inbox.iter().find(|i| i.post.uri == uri).map(|i| i.state);
    assert_eq!(state_of(&desk.answered), Some(ItemState::Answered));
    assert_eq!(state_of(&desk.hanging), Some(ItemState::Owed));
    assert_eq!(state_of(&desk.too_old), None, "past the 30 days asked for");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(desk.notices.notices(), [], "old news is never announced");

    let today = jiff::Zoned::now().date();
    let report = desk
        .earshot
        .report(ReportRequest {
            from: (today - jiff::Span::new().days(29)).to_string(),
            to: today.to_string(),
            scope: ReportScope::All,
        })
        .await
        .expect("report");
    assert_eq!(
        (report.outcomes.in_time, report.outcomes.hanging),
        (1, 1),
        "{:?}",
        report.outcomes
    );
    assert_eq!(report.people_hung_up, 1, "carol");
    let _ = &desk.alice;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_back_resumes_after_a_restart_and_a_cancelled_one_stays_cancelled() {
    let desk = desk().await;
    // Refused with a reset an hour away: the read back waits, and Earshot quits meanwhile.
    desk.server.rate_limit_next("/api/v1/accounts/", 1, 3600);
    let before = desk.server.requests().len();
    desk.earshot
        .read_back(desk.account.clone(), ReadBack::Everything)
        .await
        .expect("read back");
    within(
        Duration::from_secs(5),
        "the walk meets the 429",
        async || {
            desk.server.requests()[before..]
                .iter()
                .any(|path| path.contains("/statuses"))
                .then_some(())
        },
    )
    .await;
    let running = progress_view(&desk.earshot, &desk.account)
        .await
        .1
        .expect("a read back");
    assert_eq!(running.state, HistoryState::Answers);
    assert_eq!(running.percent, None, "everything: no end known");
    drop(desk.earshot);

    let earshot = open(&desk.dir, &desk.secrets, &desk.notices);
    let ended = history_ends(&earshot, &desk.account, Duration::from_secs(20)).await;
    assert_eq!(ended.state, HistoryState::Done, "{ended:?}");
    assert_eq!(ended.items_read, 3, "everything the server gives");

    desk.server.rate_limit_next("/api/v1/accounts/", 1, 3600);
    earshot
        .read_back(desk.account.clone(), ReadBack::Days { days: 90 })
        .await
        .expect("read back again");
    earshot
        .cancel_read_back(desk.account.clone())
        .await
        .expect("cancel");
    let cancelled = progress_view(&earshot, &desk.account)
        .await
        .1
        .expect("a read back");
    assert_eq!(cancelled.state, HistoryState::Cancelled);
    drop(earshot);
    let earshot = open(&desk.dir, &desk.secrets, &desk.notices);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = progress_view(&earshot, &desk.account)
        .await
        .1
        .expect("a read back");
    assert_eq!(still.state, HistoryState::Cancelled, "not resumed");
    assert_eq!(
        earshot.list_inbox().await.expect("inbox").len(),
        3,
        "what was read stays"
    );

    let refused = earshot
        .read_back(desk.account.clone(), ReadBack::Days { days: 12 })
        .await
        .expect_err("30 or 90 days, or everything");
    assert!(refused.to_string().contains("30 or 90 days"), "{refused}");
}
