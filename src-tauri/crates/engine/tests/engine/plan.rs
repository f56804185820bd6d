//! Planned posts published by the scheduler, exactly once, against the Mastodon test server
//! (and, in `plan_bluesky`, the Bluesky reference servers), with a clock the test moves.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{FixedClock, PlanStatus, PlannedPost, PlannedPostId, Timestamp};
use earshot_engine::{Earshot, MemorySecretStore, SyncSettings};
use earshot_mastodon_server::{MastodonServer, Profile, TestUser};
use jiff::SignedDuration;

use crate::mastodon::sign_in;
use crate::support::{RecordingNotifier, engine_on, within};

struct Desk {
    server: MastodonServer,
    alice: TestUser,
    bob: TestUser,
    clock: Arc<FixedClock>,
    notifier: Arc<RecordingNotifier>,
    secrets: Arc<MemorySecretStore>,
    dir: tempfile::TempDir,
    earshot: Earshot,
    account: earshot_core::AccountId,
}

fn engine(
    desk_dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    clock: &Arc<FixedClock>,
    notifier: &Arc<RecordingNotifier>,
) -> Earshot {
    engine_on(
        desk_dir,
        secrets,
        SyncSettings {
            poll_interval: Duration::from_millis(500),
            ..SyncSettings::default()
        },
        Arc::clone(clock) as _,
        Arc::clone(notifier) as _,
    )
}

/// Alice signed in to a Mastodon test server, with the engine's clock pinned to now.
async fn desk() -> Desk {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let clock = Arc::new(FixedClock::new(Timestamp::now()));
    let notifier = Arc::new(RecordingNotifier::default());
    let secrets = Arc::new(MemorySecretStore::default());
    let dir = tempfile::tempdir().expect("dir");
    let earshot = engine(&dir, &secrets, &clock, &notifier);
    let account = sign_in(&earshot, &server, &alice).await;
    Desk {
        server,
        alice,
        bob,
        clock,
        notifier,
        secrets,
        dir,
        earshot,
        account,
    }
}

impl Desk {
    fn in_an_hour(&self) -> Timestamp {
        self.clock.now() + SignedDuration::from_hours(1)
    }

    fn posted(&self) -> Vec<(String, String, String, Option<String>)> {
        self.server.statuses_of(&self.alice)
    }

    async fn plan(&self, parts: &[&str], at: Timestamp) -> PlannedPost {
        self.earshot
            .plan_post(
                self.account.clone(),
                parts.iter().map(|p| (*p).to_owned()).collect(),
                at,
            )
            .await
            .expect("planned")
    }

    async fn status_becomes(&self, id: &PlannedPostId, status: PlanStatus) -> PlannedPost {
        within(
            Duration::from_secs(10),
            "the planned post's status",
            async || {
                self.earshot.check_schedule_now();
                let post = self.earshot.planned_post(id.clone()).await.expect("post");
                (post.status == status).then_some(post)
            },
        )
        .await
    }
}

use earshot_core::Clock as _;

#[tokio::test(flavor = "multi_thread")]
async fn a_planned_thread_publishes_once_at_its_time_in_order() {
    let desk = desk().await;
    let planned = desk
        .plan(
            &["Day one starts now!", "Keynote at 10.", "Ask me anything."],
            desk.in_an_hour(),
        )
        .await;
    assert_eq!(planned.status, PlanStatus::Scheduled);

    desk.earshot.check_schedule_now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(desk.posted().is_empty(), "nothing before its time");

    desk.clock.advance(SignedDuration::from_hours(1));
    let published = desk
        .status_becomes(&planned.id, PlanStatus::Published)
        .await;
    // Newest first on the server: the thread reads back to front.
    let posted = desk.posted();
    let texts: Vec<&str> = posted
        .iter()
        .rev()
        .map(|(_, text, _, _)| text.as_str())
        .collect();
    assert_eq!(
        texts,
        ["Day one starts now!", "Keynote at 10.", "Ask me anything."]
    );
    let ids: Vec<String> = published
        .parts
        .iter()
        .map(|p| p.uri.clone().expect("uri"))
        .collect();
    let parents: Vec<Option<String>> = posted
        .iter()
        .rev()
        .map(|(_, _, _, parent)| parent.clone())
        .collect();
    assert_eq!(
        parents,
        [None, Some(ids[0].clone()), Some(ids[1].clone())],
        "each replies to the one before"
    );

    // Looking again publishes nothing more.
    desk.clock.advance(SignedDuration::from_hours(1));
    desk.earshot.check_schedule_now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(desk.posted().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_between_claim_and_publish_the_restart_publishes_exactly_once() {
    let desk = desk().await;
    let planned = desk
        .plan(&["Exactly once, please."], desk.in_an_hour())
        .await;
    let Desk {
        earshot,
        dir,
        secrets,
        clock,
        notifier,
        server,
        alice,
        ..
    } = desk;
    drop(earshot);

    // What a crash right after the claim leaves behind: the row is 'publishing'.
    clock.advance(SignedDuration::from_hours(1));
    {
        let store = earshot_store::Store::open(dir.path()).expect("store");
        let claimed = store.claim_due(clock.now()).expect("claim");
        assert_eq!(claimed.len(), 1);
    }
    assert!(server.statuses_of(&alice).is_empty());

    let earshot = engine(&dir, &secrets, &clock, &notifier);
    within(
        Duration::from_secs(10),
        "the interrupted post to be published",
        async || {
            let post = earshot
                .planned_post(planned.id.clone())
                .await
                .expect("post");
            (post.status == PlanStatus::Published).then_some(())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server.statuses_of(&alice).len(),
        1,
        "one post on the server"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_server_then_recovering_gets_one_post() {
    let desk = desk().await;
    let planned = desk.plan(&["Through the storm."], desk.in_an_hour()).await;
    desk.server.fail_next("/api/v1/statuses", 2);
    desk.clock.advance(SignedDuration::from_hours(1));
    desk.status_becomes(&planned.id, PlanStatus::Published)
        .await;
    assert_eq!(desk.posted().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_at_publish_time_fails_loudly_and_keeps_the_post() {
    let desk = desk().await;
    let planned = desk.plan(&["Will this go out?"], desk.in_an_hour()).await;
    desk.server.revoke_tokens(&desk.alice);
    desk.clock.advance(SignedDuration::from_hours(1));
    let failed = desk.status_becomes(&planned.id, PlanStatus::Failed).await;
    assert!(
        failed
            .note
            .as_deref()
            .is_some_and(|note| note.contains("Sign in again")),
        "{failed:?}"
    );
    assert_eq!(failed.parts[0].text, "Will this go out?", "nothing lost");
    assert!(desk.posted().is_empty());
    let notices = desk.notifier.notices();
    assert!(
        notices
            .iter()
            .any(|n| n.summary == "A planned post could not be published"),
        "{notices:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_is_held_while_someone_waits_and_goes_out_once_they_are_answered() {
    let desk = desk().await;
    desk.server
        .post(&desk.bob, "@alice is the venue open yet?", None, "public");
    let question = within(Duration::from_secs(10), "the question", async || {
        desk.earshot
            .list_inbox()
            .await
            .expect("inbox")
            .into_iter()
            .find(|item| item.post.text.contains("venue"))
    })
    .await;
    let planned = desk
        .plan(&["Our booth opens at 9!"], desk.in_an_hour())
        .await;

    // An hour later Bob has waited longer than the 30 minutes the rule allows.
    desk.clock.advance(SignedDuration::from_hours(1));
    let held = desk.status_becomes(&planned.id, PlanStatus::Held).await;
    assert_eq!(
        held.note.as_deref(),
        Some(
            format!(
                "1 person has been waiting on @alice@{} — planned post held",
                desk.server.host()
            )
            .as_str()
        )
    );
    assert!(desk.posted().is_empty());
    let notices = desk.notifier.notices();
    assert!(
        notices
            .iter()
            .any(|n| n.summary.ends_with("planned post held")),
        "{notices:?}"
    );

    desk.earshot
        .reply_to(
            question.id,
            "@bob@".to_owned() + desk.server.host() + " yes, since 8!",
        )
        .await
        .expect("answered");
    desk.status_becomes(&planned.id, PlanStatus::Published)
        .await;
    let posted = desk.posted();
    assert!(
        posted
            .iter()
            .any(|(_, text, _, _)| text == "Our booth opens at 9!"),
        "{posted:?}"
    );
}
