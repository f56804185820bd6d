//! Owed questions become OS notifications: against the real notification daemon (dunst) on
//! the headless session's bus, with mentions from the Mastodon test server over its stream.
//! The `Notify` calls are read off the bus (dbus-monitor); actions are picked through dunst,
//! which sends `ActionInvoked` as it does for a person's click.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{ItemState, NotificationSettings, QuietDay, SystemClock};
use earshot_engine::{
    DesktopNotifier, Earshot, MemorySecretStore, SecretStore, Services, SyncSettings, SyncState,
};
use earshot_mastodon_server::{MastodonServer, Profile, TestUser};
use earshot_store::Store;

use crate::mastodon::sign_in;
use earshot_test_support::desktop::{BusMonitor, pick_notification_action};

use crate::support::{NOTIFICATION_DAEMON, within};

/// Long enough for a few polls and the burst window: silence for this long means none.
const SILENCE: Duration = Duration::from_secs(3);

struct Desk {
    _daemon: tokio::sync::MutexGuard<'static, ()>,
    server: MastodonServer,
    alice: TestUser,
    bob: TestUser,
    earshot: Earshot,
    secrets: Arc<dyn SecretStore>,
    dir: tempfile::TempDir,
}

/// An engine on `dir` that notifies through this session's daemon and polls twice a second.
fn open(dir: &tempfile::TempDir, secrets: &Arc<dyn SecretStore>) -> Earshot {
    let services = Services {
        clock: Arc::new(SystemClock),
        secrets: Arc::clone(secrets),
        notifier: Arc::new(DesktopNotifier::new("Earshot")),
        runtime: tokio::runtime::Handle::current(),
        sync: SyncSettings {
            poll_interval: Duration::from_millis(500),
            ..SyncSettings::default()
        },
    };
    Earshot::open(dir.path(), services).expect("open")
}

/// Alice signed in on a Mastodon test server, her first sync done, with Earshot using this
/// session's notification daemon. `backlog` is posted before she signs in.
async fn signed_in(backlog: &[&str]) -> Desk {
    let daemon = NOTIFICATION_DAEMON.lock().await;
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    for text in backlog {
        server.post(&bob, text, None, "public");
    }
    let dir = tempfile::tempdir().expect("dir");
    let secrets = Arc::new(MemorySecretStore::default()) as Arc<dyn SecretStore>;
    let earshot = open(&dir, &secrets);
    // The default quiet hours (22:00–07:00) would hold everything when this runs at night.
    earshot
        .save_notification_settings(earshot.notification_settings().without_quiet_hours())
        .await
        .expect("no quiet hours");
    let account = sign_in(&earshot, &server, &alice).await;
    within(Duration::from_secs(10), "the first sync", async || {
        let accounts = earshot.list_accounts().await.expect("accounts");
        let view = accounts
            .into_iter()
            .find(|view| view.account.id == account)?;
        (view.sync.state == SyncState::Synced).then_some(())
    })
    .await;
    Desk {
        _daemon: daemon,
        server,
        alice,
        bob,
        earshot,
        secrets,
        dir,
    }
}

impl Desk {
    /// Bob asks two questions during quiet hours: they are stored (`owed_questions` in all)
    /// and nothing pops up.
    async fn two_questions_held(&self, monitor: &BusMonitor, owed_questions: u32) {
        self.server
            .post(&self.bob, "@alice is the venue open yet?", None, "public");
        self.server
            .post(&self.bob, "@alice where do we meet?", None, "public");
        within(
            Duration::from_secs(10),
            "both questions stored",
            async || {
                let owed = self.earshot.owed().await.expect("owed");
                (owed.questions == owed_questions).then_some(())
            },
        )
        .await;
        assert_eq!(monitor.next_notify(SILENCE), None, "quiet hours are quiet");
    }
}

/// One digest of the two held questions within `limit`, and nothing after it.
fn one_digest_of_two(monitor: &BusMonitor, limit: Duration) {
    let digest = monitor.next_notify(limit).expect("a digest");
    assert!(
        digest
            .summary
            .starts_with("While you were away: 2 questions, oldest "),
        "{digest:?}"
    );
    assert_eq!(monitor.next_notify(SILENCE), None, "one digest");
}

/// Quiet hours from `start` to `end` (to the minute, local time) on every day of the week.
fn quiet_every_day(
    mut settings: NotificationSettings,
    start: &jiff::Zoned,
    end: &jiff::Zoned,
) -> NotificationSettings {
    let clock = |at: &jiff::Zoned| format!("{:02}:{:02}", at.hour(), at.minute());
    settings.quiet_hours = (0..7)
        .map(|_| QuietDay {
            enabled: true,
            start: clock(start),
            end: clock(end),
        })
        .collect();
    settings
}

/// dunst here renders body markup (`markup = full`), as KDE Plasma and Xfce do: a
/// stranger's `<b>`, `<a href>` and `<img>` must reach the screen as the characters typed —
/// no bold, no link to click, nothing fetched.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn a_strangers_markup_reaches_the_screen_as_text() {
    let desk = signed_in(&[]).await;
    let monitor = BusMonitor::notifications();
    desk.server.post(
        &desk.bob,
        r#"@alice are <b>free</b> tickets at <a href="https://evil.example/win">this link</a> & <img src="https://evil.example/t.png"> still on?"#,
        None,
        "public",
    );
    let call = monitor
        .next_notify(Duration::from_secs(10))
        .expect("a notification for the question");
    assert!(call.body.contains("&lt;b&gt;free&lt;/b&gt;"), "{call:?}");
    let shown = earshot_test_support::desktop::shown_notifications();
    let (_, message) = shown
        .iter()
        .find(|(summary, _)| *summary == call.summary)
        .expect("dunst showed it");
    for literal in [
        "&lt;b&gt;free&lt;/b&gt;",
        "&lt;a href=\"https://evil.example/win\"&gt;",
        "&lt;img src=",
        "&amp;",
    ] {
        assert!(
            message.contains(literal),
            "{literal} is shown as text, not markup: {message}"
        );
    }
    assert!(
        !message.contains("<b>free</b>") && !message.contains("<img"),
        "no markup of the stranger's reaches the screen: {message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn one_question_pops_up_with_reply_and_done_and_done_takes_it_out_of_owed() {
    let desk = signed_in(&[]).await;
    let monitor = BusMonitor::notifications();

    desk.server
        .post(&desk.bob, "@alice is the game on tonight?", None, "public");
    let call = monitor
        .next_notify(Duration::from_secs(10))
        .expect("a notification for the question");
    assert_eq!(call.app_name, "Earshot");
    assert!(
        call.summary.starts_with("@bob") && call.summary.ends_with(" asks on Mastodon"),
        "{call:?}"
    );
    assert_eq!(call.body, "is the game on tonight?");
    assert_eq!(
        call.actions,
        ["default", "Open", "reply", "Reply", "done", "Done"],
        "the daemon supports actions, so Reply and Done are offered"
    );

    // A like, a boost and a remark are not questions: nothing pops up.
    desk.server.notify(&desk.alice, &desk.bob, "favourite");
    desk.server.notify(&desk.alice, &desk.bob, "reblog");
    desk.server
        .post(&desk.bob, "@alice great talk today", None, "public");
    assert_eq!(monitor.next_notify(SILENCE), None);

    let owed = desk.earshot.owed().await.expect("owed");
    assert_eq!((owed.total, owed.questions), (2, 1));
    pick_notification_action(&format!("#Done ({})", call.summary));
    let owed = within(Duration::from_secs(5), "Done to take effect", async || {
        let owed = desk.earshot.owed().await.expect("owed");
        (owed.total == 1).then_some(owed)
    })
    .await;
    assert_eq!(owed.questions, 0);
    let inbox = desk.earshot.list_inbox().await.expect("inbox");
    let question = inbox
        .iter()
        .find(|item| item.post.text.contains("the game"))
        .expect("still in the Inbox");
    assert_eq!(question.state, ItemState::Done);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn a_backlog_at_sign_in_stays_quiet_and_a_burst_becomes_one_summary() {
    let desk = signed_in(&[
        "@alice did you see my mail?",
        "@alice when is the meetup?",
        "@alice can you review my PR?",
    ])
    .await;
    let monitor = BusMonitor::notifications();
    assert_eq!(desk.earshot.owed().await.expect("owed").questions, 3);
    assert_eq!(
        monitor.next_notify(SILENCE),
        None,
        "signing in never floods"
    );

    for n in 0..10 {
        desk.server.post(
            &desk.bob,
            &format!("@alice question {n}: are you coming?"),
            None,
            "public",
        );
    }
    let call = monitor
        .next_notify(Duration::from_secs(10))
        .expect("a summary");
    assert_eq!(call.summary, "10 new questions across 1 account");
    assert_eq!(call.actions, ["default", "Open"]);
    assert_eq!(
        monitor.next_notify(SILENCE),
        None,
        "one notification for the burst"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn quiet_hours_hold_questions_let_direct_ones_through_and_end_with_one_digest() {
    let desk = signed_in(&[]).await;
    let monitor = BusMonitor::notifications();

    // Quiet hours around now, every day.
    let now = jiff::Zoned::now();
    let mut settings = quiet_every_day(
        desk.earshot.notification_settings(),
        &now.checked_sub(jiff::SignedDuration::from_hours(1))
            .expect("an hour ago"),
        &now.checked_add(jiff::SignedDuration::from_hours(1))
            .expect("in an hour"),
    );
    settings.direct_questions_in_quiet_hours = true;
    desk.earshot
        .save_notification_settings(settings.clone())
        .await
        .expect("save");

    desk.server
        .post(&desk.bob, "@alice can you call me back?", None, "direct");
    let direct = monitor
        .next_notify(Duration::from_secs(10))
        .expect("a direct question gets through");
    assert_eq!(direct.body, "can you call me back?");

    desk.two_questions_held(&monitor, 3).await;

    // The quiet hours end (here: the person turns them off).
    desk.earshot
        .save_notification_settings(settings.without_quiet_hours())
        .await
        .expect("save");
    one_digest_of_two(&monitor, Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn quiet_hours_that_run_out_on_the_clock_end_with_one_digest() {
    let desk = signed_in(&[]).await;
    let monitor = BusMonitor::notifications();

    // Quiet hours are set to the minute: they end at the next full minute, or the one after
    // when this one is nearly over (the questions must be stored and held before the end).
    let now = jiff::Zoned::now();
    let minutes_left = if now.second() < 40 { 1 } else { 2 };
    let end = now
        .checked_add(jiff::SignedDuration::from_mins(minutes_left))
        .and_then(|at| at.with().second(0).subsec_nanosecond(0).build())
        .expect("the end of the quiet hours");
    let settings = quiet_every_day(
        desk.earshot.notification_settings(),
        &now.checked_sub(jiff::SignedDuration::from_hours(1))
            .expect("an hour ago"),
        &end,
    );
    desk.earshot
        .save_notification_settings(settings)
        .await
        .expect("save");

    desk.two_questions_held(&monitor, 2).await;

    // Nobody touches anything: the alerts task wakes when the quiet hours end.
    let until_end =
        Duration::try_from(end.timestamp() - jiff::Timestamp::now()).unwrap_or_default();
    one_digest_of_two(&monitor, until_end + Duration::from_secs(10));
    assert!(
        jiff::Timestamp::now() >= end.timestamp(),
        "the digest came only once the quiet hours had ended"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the headless desktop session (make test runs it)"]
async fn questions_held_when_earshot_quit_end_in_one_digest_when_it_starts_again() {
    let desk = signed_in(&[]).await;
    let monitor = BusMonitor::notifications();
    let now = jiff::Zoned::now();
    let quiet = quiet_every_day(
        desk.earshot.notification_settings(),
        &now.checked_sub(jiff::SignedDuration::from_hours(1))
            .expect("an hour ago"),
        &now.checked_add(jiff::SignedDuration::from_hours(1))
            .expect("in an hour"),
    );
    desk.earshot
        .save_notification_settings(quiet.clone())
        .await
        .expect("save");
    desk.two_questions_held(&monitor, 2).await;

    // Earshot quits during the quiet hours; they are over when it starts again (here: the
    // saved settings change while it is not running).
    let Desk {
        earshot,
        secrets,
        dir,
        _daemon,
        ..
    } = desk;
    drop(earshot);
    let over = serde_json::to_string(&quiet.without_quiet_hours()).expect("JSON");
    Store::open(dir.path())
        .expect("the store")
        .save_setting("notifications", &over)
        .expect("saved");
    let _earshot = open(&dir, &secrets);
    one_digest_of_two(&monitor, Duration::from_secs(10));
}
