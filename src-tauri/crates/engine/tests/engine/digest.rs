//! The weekly digest: last week's figures in one notification on Monday from 09:00, once,
//! keeping to quiet hours, and not again after a restart. The store is seeded with a week of
//! questions; the clock is a test clock in Berlin time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use earshot_core::{
    Clock, InboxReason, IncomingPost, Network, NotificationSettings, OwnPost, Person, QuietDay,
    SyncMarks, Timestamp,
};
use earshot_engine::{
    Earshot, EngineEvent, MemorySecretStore, Notice, NoticeAction, Notifier, NotifyError, OnAction,
    ReportSettings, SyncSettings,
};
use earshot_store::{PageEnd, Store};

use crate::support::engine_on;

/// Keeps each notice and what a click on it would do.
#[derive(Default)]
struct Clicks(Mutex<Vec<(Notice, Option<OnAction>)>>);

impl std::fmt::Debug for Clicks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.notices()).finish()
    }
}

impl Clicks {
    fn notices(&self) -> Vec<Notice> {
        self.0
            .lock()
            .expect("notices")
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Clicks the `n`-th notice.
    fn click(&self, n: usize) {
        let action = self.0.lock().expect("notices")[n]
            .1
            .take()
            .expect("not clicked yet");
        action(NoticeAction::Open);
    }
}

impl Notifier for Clicks {
    fn show(&self, notice: &Notice, on_action: OnAction) -> Result<(), NotifyError> {
        self.0
            .lock()
            .expect("notices")
            .push((notice.clone(), Some(on_action)));
        Ok(())
    }
}

#[derive(Debug)]
struct BerlinClock(Mutex<Timestamp>);

impl BerlinClock {
    fn set(&self, local: &str) {
        *self.0.lock().expect("clock") = berlin(local);
    }
}

impl Clock for BerlinClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock")
    }

    fn time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get("Europe/Berlin").expect("zone")
    }
}

fn berlin(local: &str) -> Timestamp {
    format!("{local}[Europe/Berlin]")
        .parse::<jiff::Zoned>()
        .expect("local time")
        .timestamp()
}

fn question(n: u32, author: &str, asked: &str) -> IncomingPost {
    let at = berlin(asked);
    IncomingPost {
        uri: format!("https://social.test/@{author}/{n}"),
        cid: None,
        reason: InboxReason::Mention,
        author: Person {
            id: format!("https://social.test/users/{author}"),
            handle: format!("{author}@social.test"),
            display_name: None,
        },
        text: format!("@alice question {n}: is the game on tonight?"),
        facets: None,
        created_at: at,
        indexed_at: at,
        reply_root: None,
        reply_parent: None,
        subject_uri: None,
        web_url: None,
        language: None,
    }
}

/// Last week (Monday 23 – Sunday 29 November 2026): three questions answered after 12, 30
/// and 50 minutes, one from Dave never answered; one question this week, not counted.
fn seed(dir: &tempfile::TempDir) {
    let store = Store::open(dir.path()).expect("store");
    let account = store
        .upsert_account(
            Network::Mastodon,
            "https://social.test",
            "1",
            "alice",
            berlin("2026-11-01T10:00"),
        )
        .expect("account")
        .id;
    let asked = [
        question(1, "bob", "2026-11-23T10:00"),
        question(2, "carol", "2026-11-25T15:00"),
        question(3, "bob", "2026-11-29T20:00"),
        question(4, "dave", "2026-11-27T11:00"),
        question(5, "erin", "2026-11-30T08:00"),
    ];
    store
        .store_inbox_page(&account, &asked, &SyncMarks::default(), PageEnd::MorePages)
        .expect("questions");
    let answers: Vec<OwnPost> = [(0, 12), (1, 30), (2, 50)]
        .into_iter()
        .map(|(i, minutes): (usize, i64)| OwnPost {
            uri: format!("https://social.test/@alice/answer{i}"),
            parent_uri: Some(asked[i].uri.clone()),
            text: "yes".into(),
            created_at: asked[i].created_at + jiff::SignedDuration::from_mins(minutes),
        })
        .collect();
    store
        .store_own_posts(&account, &answers, None)
        .expect("answers");
}

fn open(dir: &tempfile::TempDir, clock: &Arc<BerlinClock>, notices: &Arc<Clicks>) -> Earshot {
    engine_on(
        dir,
        &Arc::new(MemorySecretStore::default()),
        SyncSettings::default(),
        Arc::clone(clock) as Arc<dyn Clock>,
        Arc::clone(notices) as Arc<dyn Notifier>,
    )
}

fn quiet_from_nine_to_ten(mut settings: NotificationSettings) -> NotificationSettings {
    settings.quiet_hours = (0..7)
        .map(|_| QuietDay {
            enabled: true,
            start: "09:00".into(),
            end: "10:00".into(),
        })
        .collect();
    settings
}

/// Saving a setting makes the alerts task look again at once: the clock here does not move
/// on its own, so this stands in for the task's next wake.
async fn wake(earshot: &Earshot, digest: bool) {
    earshot
        .save_report_settings(ReportSettings {
            answer_window_hours: 24,
            weekly_digest: digest,
        })
        .await
        .expect("report settings");
    tokio::time::sleep(Duration::from_millis(700)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn monday_at_nine_last_weeks_figures_arrive_once_and_keep_to_quiet_hours() {
    let dir = tempfile::tempdir().expect("dir");
    seed(&dir);
    let clock = Arc::new(BerlinClock(Mutex::new(berlin("2026-11-30T08:50"))));
    let notices = Arc::new(Clicks::default());
    let earshot = open(&dir, &clock, &notices);
    earshot
        .save_notification_settings(quiet_from_nine_to_ten(earshot.notification_settings()))
        .await
        .expect("quiet hours");

    wake(&earshot, false).await;
    clock.set("2026-11-30T09:30");
    wake(&earshot, false).await;
    assert_eq!(notices.notices(), [], "off by default");

    wake(&earshot, true).await;
    assert_eq!(notices.notices(), [], "quiet hours hold it");
    clock.set("2026-11-30T10:00");
    wake(&earshot, true).await;
    let sent = notices.notices();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].summary, "Last week: 4 asked, 3 answered");
    assert_eq!(sent[0].body, "median 30 min · 1 person left hanging");
    let mut heard = earshot.event_sender().subscribe();
    notices.click(0);
    assert_eq!(
        heard.try_recv(),
        Ok(EngineEvent::OpenReport),
        "a click opens the Report"
    );

    clock.set("2026-12-02T12:00");
    wake(&earshot, true).await;
    drop(earshot);
    let earshot = open(&dir, &clock, &notices);
    wake(&earshot, true).await;
    assert_eq!(notices.notices().len(), 1, "once a week, restarts included");

    clock.set("2026-12-07T10:30");
    wake(&earshot, true).await;
    let sent = notices.notices();
    assert_eq!(sent.len(), 2, "the next Monday: {sent:?}");
    assert_eq!(sent[1].summary, "Last week: 1 asked, 0 answered");
}
