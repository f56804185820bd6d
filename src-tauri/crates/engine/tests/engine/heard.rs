//! Heard: questions asked under an event's hashtags or naming an account, found on the
//! Mastodon test server's profiles (hashtag timeline, hashtag stream, status search) and on
//! the reference Bluesky servers (`app.bsky.feed.searchPosts`).

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{
    AccountId, EventDetails, EventHoldRule, EventListening, HeardSettings, InboxItem, InboxReason,
    ItemState, ReportRequest, ReportScope,
};
use earshot_engine::{Earshot, MemorySecretStore, SyncSettings};
use earshot_mastodon_server::{MastodonServer, Profile};
use earshot_test_support::atproto::{TestAccount, pds_url, plc_url, unique_handle};

use crate::mastodon::sign_in;
use crate::support::{RecordingNotifier, engine_on, engine_with, within};

/// An event running today (in UTC) with `tag`, listened to by every account (it has no
/// planned posts yet).
fn event_today(tag: &str) -> EventDetails {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    EventDetails {
        name: "RustConf".into(),
        starts_on: today,
        ends_on: today,
        time_zone: "UTC".into(),
        hashtags: vec![tag.into()],
        hold_rule: EventHoldRule::AsSettings,
    }
}

/// Notifications read every ten minutes (the first round at once), Heard every `heard_poll`.
fn settings(heard_poll: Duration) -> SyncSettings {
    SyncSettings {
        poll_interval: Duration::from_secs(600),
        heard_poll_interval: Some(heard_poll),
        ..SyncSettings::default()
    }
}

async fn heard_items(earshot: &Earshot) -> Vec<InboxItem> {
    earshot.heard().await.expect("heard").items
}

async fn heard_text(earshot: &Earshot, text: &str) -> Option<InboxItem> {
    heard_items(earshot)
        .await
        .into_iter()
        .find(|item| item.post.text.contains(text))
}

fn today_request(scope: ReportScope) -> ReportRequest {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::system())
        .date()
        .to_string();
    ReportRequest {
        from: today.clone(),
        to: today,
        scope,
    }
}

/// On Mastodon the hashtag stream brings a question at once (REST is read only every ten
/// minutes here, after the first round); a statement, a mention (Owed's) and a
/// followers-only post are not heard; the answer keeps the status's visibility and takes the
/// question out of Heard; the event and the Report count it.
#[tokio::test(flavor = "multi_thread")]
async fn on_mastodon_a_question_under_the_events_hashtag_arrives_over_the_stream_and_is_answered() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine_with(&dir, &secrets, settings(Duration::from_secs(600)));
    let event = earshot
        .create_event(event_today("rustconf"))
        .await
        .expect("event");
    let account = sign_in(&earshot, &server, &alice).await;
    within(
        Duration::from_secs(10),
        "the first read and the stream",
        async || {
            (server.requests_to("/api/v1/timelines/tag/rustconf") >= 1
                && server.requests_to("/api/v1/streaming") >= 2)
                .then_some(())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.post(&bob, "great keynote at #rustconf", None, "public");
    server.post(
        &bob,
        "#RustConf anyone know where the tauri workshop is",
        None,
        "public",
    );
    server.post(
        &bob,
        "@alice where is the workshop #rustconf",
        None,
        "public",
    );
    server.post(
        &bob,
        "is the wifi down for everyone #rustconf",
        None,
        "private",
    );
    let question = within(
        Duration::from_secs(10),
        "the question is heard",
        async || heard_text(&earshot, "tauri workshop").await,
    )
    .await;
    assert_eq!(question.post.reason, InboxReason::Heard);
    assert_eq!(question.state, ItemState::Heard);
    assert_eq!(question.heard_via.as_deref(), Some("#rustconf"));
    assert_eq!(question.account_id, account);
    // The mention is Owed's; nothing else is heard.
    within(
        Duration::from_secs(10),
        "the mention reaches the Inbox",
        async || {
            earshot
                .list_inbox()
                .await
                .expect("inbox")
                .into_iter()
                .find(|item| item.post.text.contains("where is the workshop"))
        },
    )
    .await;
    let heard = heard_items(&earshot).await;
    assert_eq!(heard.len(), 1, "only the public question: {heard:?}");
    assert_eq!(
        server.requests_to("/api/v1/timelines/tag/rustconf"),
        1,
        "the stream brought it, not another REST read"
    );

    let answered = earshot
        .reply_to(question.id, "Room B, after lunch".into())
        .await
        .expect("answer");
    assert!(answered.answered_by.is_some());
    let statuses = server.statuses_of(&alice);
    let (_, text, visibility, in_reply_to) = statuses.last().expect("the answer").clone();
    assert!(text.contains("Room B"), "{text}");
    assert_eq!(visibility, "public");
    assert_eq!(in_reply_to.as_deref(), Some(question.post.uri.as_str()));
    assert!(
        heard_items(&earshot).await.is_empty(),
        "answered: out of Heard"
    );
    let figures = earshot
        .event_heard(event.id.clone())
        .await
        .expect("figures");
    assert_eq!((figures.heard, figures.answered), (1, 1));
    let report = earshot
        .report(today_request(ReportScope::All))
        .await
        .expect("report");
    assert_eq!((report.heard.heard, report.heard.answered), (1, 1));
    assert_eq!(
        report.outcomes.in_time + report.outcomes.waiting,
        1,
        "only the mention"
    );
}

/// GoToSocial ignores a subscription to a hashtag and cannot search other people's posts:
/// the tag is read over REST, the names watch says why it hears nothing, and "Not for us"
/// dismisses with Undo.
#[tokio::test(flavor = "multi_thread")]
async fn on_gotosocial_hashtags_are_read_over_rest_and_names_are_said_to_be_out_of_reach() {
    let server = MastodonServer::start(Profile::gotosocial()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine_with(&dir, &secrets, settings(Duration::from_millis(500)));
    earshot
        .create_event(event_today("rustconf"))
        .await
        .expect("event");
    let account = sign_in(&earshot, &server, &alice).await;
    let saved = earshot
        .save_heard_settings(
            account.clone(),
            HeardSettings {
                names: vec!["Paddy's".into()],
                notify: false,
            },
        )
        .await
        .expect("names");
    assert_eq!(saved.settings.names, ["Paddy's"]);

    server.post(
        &bob,
        "anyone know where the tauri workshop is #rustconf",
        None,
        "public",
    );
    server.post(&bob, "is Paddy's showing the game tonight", None, "public");
    let question = within(Duration::from_secs(10), "heard over REST", async || {
        heard_text(&earshot, "tauri workshop").await
    })
    .await;
    let unsupported = within(
        Duration::from_secs(10),
        "the names watch says why",
        async || {
            let view = earshot.heard_settings(account.clone()).await.ok()?;
            (!view.unsupported.is_empty()).then_some(view.unsupported)
        },
    )
    .await;
    assert!(
        unsupported[0].contains("GoToSocial searches only your own posts"),
        "{unsupported:?}"
    );
    assert!(heard_text(&earshot, "Paddy's").await.is_none());
    assert_eq!(
        server.requests_to("/api/v2/search"),
        0,
        "never asked in vain"
    );

    earshot
        .dismiss_heard(question.id)
        .await
        .expect("not for us");
    assert!(heard_items(&earshot).await.is_empty());
    earshot.restore_heard(question.id).await.expect("undo");
    assert_eq!(heard_items(&earshot).await.len(), 1);
    // Rounds go on without finding it twice.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(heard_items(&earshot).await.len(), 1);
}

/// A name people use for the account is heard through status search where the server
/// searches everyone's posts; with "tell me" on, a question heard after the first read pops
/// up (one notification naming where it was asked), and one from the first read never does.
#[tokio::test(flavor = "multi_thread")]
async fn on_mastodon_a_name_is_heard_through_search_and_told_when_asked_for() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("paddys", "Paddy's");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let notifier = Arc::new(RecordingNotifier::default());
    let earshot = engine_on(
        &dir,
        &secrets,
        settings(Duration::from_millis(500)),
        Arc::new(earshot_core::SystemClock),
        Arc::clone(&notifier) as Arc<dyn earshot_engine::Notifier>,
    );
    // The default quiet hours (22:00–07:00) would hold everything when this runs at night.
    earshot
        .save_notification_settings(earshot.notification_settings().without_quiet_hours())
        .await
        .expect("no quiet hours");
    server.post(&bob, "is Paddy's open on sundays", None, "public");
    let account: AccountId = sign_in(&earshot, &server, &alice).await;
    earshot
        .save_heard_settings(
            account.clone(),
            HeardSettings {
                names: vec!["Paddy's".into()],
                notify: true,
            },
        )
        .await
        .expect("names");
    within(
        Duration::from_secs(10),
        "the backlog is heard",
        async || heard_text(&earshot, "open on sundays").await,
    )
    .await;
    server.post(&bob, "Paddy's was great last night", None, "public");
    server.post(&bob, "is Paddy's showing the game tonight", None, "public");
    let question = within(
        Duration::from_secs(10),
        "the new question is heard",
        async || heard_text(&earshot, "showing the game").await,
    )
    .await;
    assert_eq!(question.heard_via.as_deref(), Some("Paddy's"));
    let notices = within(Duration::from_secs(10), "it pops up", async || {
        let notices = notifier.notices();
        (!notices.is_empty()).then_some(notices)
    })
    .await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        notices[0].summary,
        format!("@bob@{} asked about “Paddy's”", server.host())
    );
    assert!(notices[0].body.contains("showing the game"));
    assert_eq!(
        heard_items(&earshot).await.len(),
        2,
        "the statement is not heard"
    );

    // Whether the server can search for a name is asked once, not on every round.
    let instance_reads =
        || server.requests_to("/api/v2/instance") + server.requests_to("/api/v1/instance");
    let (reads, searches) = (instance_reads(), server.requests_to("/api/v2/search"));
    within(Duration::from_secs(10), "three more rounds", async || {
        (server.requests_to("/api/v2/search") >= searches + 3).then_some(())
    })
    .await;
    assert_eq!(instance_reads(), reads, "the instance was read again");
}

/// Bluesky: the AppView's `searchPosts` finds a question under the event's hashtag and one
/// naming the account; a reply that mentions the account is Owed's, the account's own post
/// is not heard; answering replies in the thread; turning listening off for the event (days
/// that have passed) stops reading the tag.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn on_bluesky_search_hears_hashtags_and_names_and_the_answer_lands_in_the_thread() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    // Unique per run: the reference servers are shared by every test.
    let tag = unique_handle("rc").replace(['.', '-'], "");
    let name = unique_handle("Kettle").replace(['.', '-'], "");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let bluesky = SyncSettings {
        poll_interval: Duration::from_secs(1),
        plc_directory: plc_url(),
        ..settings(Duration::from_secs(1))
    };
    let earshot = engine_with(&dir, &secrets, bluesky);
    let event = earshot
        .create_event(event_today(&tag))
        .await
        .expect("event");
    let app_password = alice.app_password("Earshot").await;
    let account = earshot
        .add_bluesky_account(alice.handle.clone(), app_password, Some(pds_url()))
        .await
        .expect("sign-in")
        .account
        .id;
    earshot
        .save_heard_settings(
            account.clone(),
            HeardSettings {
                names: vec![name.clone()],
                notify: false,
            },
        )
        .await
        .expect("names");

    let asked = bob
        .post(&format!("anyone know where the tauri workshop is #{tag}"))
        .await;
    bob.post(&format!("great keynote #{tag}")).await;
    alice.post(&format!("where is everyone #{tag}")).await;
    bob.mention(&alice, &format!("are you at the booth #{tag}?"))
        .await;
    let named = bob.post(&format!("is {name} open on sundays")).await;

    let question = within(
        Duration::from_secs(15),
        "the hashtag question",
        async || heard_text(&earshot, "tauri workshop").await,
    )
    .await;
    assert_eq!(question.post.uri, asked.uri);
    assert_eq!(
        question.heard_via.as_deref(),
        Some(format!("#{tag}").as_str())
    );
    let by_name = within(Duration::from_secs(15), "the name question", async || {
        heard_text(&earshot, "open on sundays").await
    })
    .await;
    assert_eq!(by_name.post.uri, named.uri);
    assert_eq!(by_name.heard_via.as_deref(), Some(name.as_str()));
    within(
        Duration::from_secs(15),
        "the mention is Owed's",
        async || {
            earshot
                .list_inbox()
                .await
                .expect("inbox")
                .into_iter()
                .find(|item| item.post.text.contains("at the booth"))
        },
    )
    .await;
    let heard = heard_items(&earshot).await;
    assert_eq!(heard.len(), 2, "{heard:?}");

    let answered = earshot
        .reply_to(question.id, "Room B, after lunch".into())
        .await
        .expect("answer");
    let reply_uri = answered.answered_by.expect("answered");
    let thread = within(Duration::from_secs(10), "bob sees the answer", async || {
        let thread = bob.thread(&asked.uri).await;
        thread["thread"]["replies"]
            .as_array()
            .and_then(|replies| replies.first().cloned())
    })
    .await;
    assert_eq!(thread["post"]["uri"], serde_json::json!(reply_uri));
    assert_eq!(heard_items(&earshot).await.len(), 1);
    let figures = earshot
        .event_heard(event.id.clone())
        .await
        .expect("figures");
    assert_eq!((figures.heard, figures.answered), (1, 1));

    // Listening days that have passed: the tag is no longer read.
    let yesterday = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .yesterday()
        .expect("yesterday");
    earshot
        .save_event_listening(
            event.id,
            EventListening {
                from: Some(yesterday),
                until: Some(yesterday),
                notify: false,
            },
        )
        .await
        .expect("listening");
    tokio::time::sleep(Duration::from_secs(2)).await;
    bob.post(&format!("who has a spare charger #{tag}")).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(heard_text(&earshot, "spare charger").await.is_none());
}
