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

/// An engine on `dir` whose clock the test moves and whose notices it reads.
fn engine(
    dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    clock: &Arc<FixedClock>,
    notifier: &Arc<RecordingNotifier>,
    sync: SyncSettings,
) -> Earshot {
    engine_on(
        dir,
        secrets,
        sync,
        Arc::clone(clock) as _,
        Arc::clone(notifier) as _,
    )
}

fn polling_fast() -> SyncSettings {
    SyncSettings {
        poll_interval: Duration::from_millis(500),
        ..SyncSettings::default()
    }
}

/// Alice signed in to a Mastodon test server, with the engine's clock pinned to now.
async fn desk() -> Desk {
    desk_on(Profile::mastodon()).await
}

/// The same on a server of the given profile.
async fn desk_on(profile: Profile) -> Desk {
    let server = MastodonServer::start(profile).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let clock = Arc::new(FixedClock::new(Timestamp::now()));
    let notifier = Arc::new(RecordingNotifier::default());
    let secrets = Arc::new(MemorySecretStore::default());
    let dir = tempfile::tempdir().expect("dir");
    let earshot = engine(&dir, &secrets, &clock, &notifier, polling_fast());
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
        status_becomes(&self.earshot, id, status, Duration::from_secs(10)).await
    }

    /// Stops Earshot right after it claimed the post due in an hour — what a crash there
    /// leaves behind: the row 'publishing' — lets `meanwhile` act on the server, and starts
    /// Earshot again on the same data.
    async fn crash_after_claim(self, meanwhile: impl FnOnce(&MastodonServer, &TestUser)) -> Desk {
        let Desk {
            server,
            alice,
            bob,
            clock,
            notifier,
            secrets,
            dir,
            earshot,
            account,
        } = self;
        drop(earshot);
        clock.advance(SignedDuration::from_hours(1));
        {
            let store = earshot_store::Store::open(dir.path()).expect("store");
            assert_eq!(store.claim_due(clock.now()).expect("claim").len(), 1);
        }
        meanwhile(&server, &alice);
        let earshot = engine(&dir, &secrets, &clock, &notifier, polling_fast());
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

    async fn told(&self, matches: impl Fn(&str) -> bool) {
        told(&self.notifier, matches).await;
    }
}

use earshot_core::Clock as _;

/// Nudges the scheduler until the planned post reaches `status` (within `limit`).
async fn status_becomes(
    earshot: &Earshot,
    id: &PlannedPostId,
    status: PlanStatus,
    limit: Duration,
) -> PlannedPost {
    within(limit, "the planned post's status", async || {
        earshot.check_schedule_now();
        let post = earshot.planned_post(id.clone()).await.expect("post");
        (post.status == status).then_some(post)
    })
    .await
}

/// Waits for a notice whose summary passes `matches`: the notice follows the saved status.
async fn told(notifier: &RecordingNotifier, matches: impl Fn(&str) -> bool) {
    within(Duration::from_secs(10), "the notice", async || {
        let notices = notifier.notices();
        notices.iter().any(|n| matches(&n.summary)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_planned_thread_publishes_once_at_its_time_in_order() {
    for profile in [Profile::mastodon(), Profile::gotosocial(), Profile::snac()] {
        a_planned_thread_publishes_once_on(profile).await;
    }
}

async fn a_planned_thread_publishes_once_on(profile: Profile) {
    let desk = desk_on(profile).await;
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
    for profile in [Profile::mastodon(), Profile::gotosocial(), Profile::snac()] {
        killed_between_claim_and_publish_on(profile).await;
    }
}

async fn killed_between_claim_and_publish_on(profile: Profile) {
    let desk = desk_on(profile).await;
    let planned = desk
        .plan(&["Exactly once, please."], desk.in_an_hour())
        .await;
    let desk = desk
        .crash_after_claim(|server, alice| assert!(server.statuses_of(alice).is_empty()))
        .await;
    desk.status_becomes(&planned.id, PlanStatus::Published)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(desk.posted().len(), 1, "one post on the server");
}

#[tokio::test(flavor = "multi_thread")]
async fn posted_before_a_crash_and_forgotten_by_the_server_it_is_found_not_posted_again() {
    for profile in [Profile::mastodon(), Profile::gotosocial(), Profile::snac()] {
        posted_before_a_crash_is_found_on(profile).await;
    }
}

async fn posted_before_a_crash_is_found_on(profile: Profile) {
    let desk = desk_on(profile).await;
    let text = "Posted just before the crash.";
    let planned = desk.plan(&[text], desk.in_an_hour()).await;
    // The server made the status, but Earshot never heard back; by the restart the server
    // has forgotten the idempotency key (this post carries none).
    let mut made = None;
    let desk = desk
        .crash_after_claim(|server, alice| made = Some(server.post(alice, text, None, "public")))
        .await;
    let published = desk
        .status_becomes(&planned.id, PlanStatus::Published)
        .await;
    assert_eq!(published.parts[0].uri, made);
    assert_eq!(desk.posted().len(), 1, "found, not posted again");
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
    desk.told(|summary| summary == "A planned post could not be published")
        .await;
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
    desk.told(|summary| summary.ends_with("planned post held"))
        .await;

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

#[tokio::test(flavor = "multi_thread")]
async fn turning_the_hold_rule_off_releases_held_posts() {
    let desk = desk().await;
    desk.server.post(
        &desk.bob,
        "@alice when does the booth open?",
        None,
        "public",
    );
    within(Duration::from_secs(10), "the question", async || {
        let owed = desk.earshot.owed().await.expect("owed");
        (owed.questions == 1).then_some(())
    })
    .await;
    let planned = desk.plan(&["Booth 12 is open!"], desk.in_an_hour()).await;
    desk.clock.advance(SignedDuration::from_hours(1));
    desk.status_becomes(&planned.id, PlanStatus::Held).await;

    let mut settings = desk.earshot.plan_settings();
    settings.hold_after_minutes = Some(0);
    assert!(
        desk.earshot.save_plan_settings(settings).await.is_err(),
        "0 minutes is refused in words"
    );
    settings.hold_after_minutes = None;
    desk.earshot
        .save_plan_settings(settings)
        .await
        .expect("rule off");
    desk.status_becomes(&planned.id, PlanStatus::Published)
        .await;
    assert_eq!(desk.posted().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_that_missed_its_time_by_hours_asks_before_it_goes_out() {
    let desk = desk().await;
    let planned = desk
        .plan(&["Good morning, conference!"], desk.in_an_hour())
        .await;
    // The laptop slept through the morning.
    desk.clock.advance(SignedDuration::from_hours(4));
    let late = desk.status_becomes(&planned.id, PlanStatus::Late).await;
    assert_eq!(
        late.note.as_deref(),
        Some("Planned for 3 h ago, while Earshot was not running. Publish it now?")
    );
    assert!(desk.posted().is_empty(), "not published by itself");
    desk.told(|summary| summary == "A planned post missed its time")
        .await;
    desk.earshot
        .publish_anyway(planned.id.clone())
        .await
        .expect("publish anyway");
    desk.status_becomes(&planned.id, PlanStatus::Published)
        .await;
    assert_eq!(desk.posted().len(), 1);
}

pub(crate) mod events {
    //! The conference planner: plans for several accounts, approved before they are
    //! scheduled, published with the event's hashtags and rules.

    use earshot_core::{EventDetails, EventHoldRule, PlanImage, PlanInput, PlanTarget};

    use super::*;

    /// A real 1×1 PNG: servers look at the bytes, not only at the type they are told.
    pub(super) const TINY_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

    pub(super) fn png(alt: &str) -> PlanImage {
        PlanImage {
            mime: "image/png".into(),
            alt: alt.into(),
            base64: TINY_PNG.into(),
        }
    }

    pub(crate) fn one_post(
        account: &earshot_core::AccountId,
        text: &str,
        at: Timestamp,
        images: Vec<PlanImage>,
    ) -> PlanInput {
        PlanInput {
            images,
            ..PlanInput::one_post(account.clone(), vec![text.into()], at)
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_image_over_the_servers_own_limit_is_refused_before_approval() {
        let server = MastodonServer::start(Profile {
            image_size_limit: 50,
            ..Profile::mastodon()
        })
        .await;
        let alice = server.add_user("alice", "Alice");
        let clock = Arc::new(FixedClock::new(Timestamp::now()));
        let (notifier, secrets) = (Arc::default(), Arc::default());
        let dir = tempfile::tempdir().expect("dir");
        let earshot = engine(&dir, &secrets, &clock, &notifier, polling_fast());
        let account = sign_in(&earshot, &server, &alice).await;
        let at = clock.now() + SignedDuration::from_hours(1);
        let saved = earshot
            .save_plan(one_post(&account, "Our booth", at, vec![png("Booth 12")]))
            .await
            .expect("draft");
        let refused = earshot
            .approve_plan(saved[0].plan_id.clone())
            .await
            .expect_err("the server takes 50 bytes");
        assert!(
            refused
                .to_string()
                .ends_with("Image 1 is 68 bytes; this Mastodon server takes up to 50 bytes."),
            "{refused}"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_post_scheduled_on_the_server_is_mirrored_and_never_sent_twice() {
        let desk = desk().await;
        let soon = desk.clock.now() + SignedDuration::from_mins(2);
        let input = PlanInput {
            server_side: true,
            ..one_post(&desk.account, "Too soon for the server", soon, Vec::new())
        };
        let saved = desk.earshot.save_plan(input).await.expect("draft");
        desk.earshot
            .approve_plan(saved[0].plan_id.clone())
            .await
            .expect("approve");
        let refused = desk
            .earshot
            .schedule_plan(saved[0].plan_id.clone())
            .await
            .expect_err("five minutes' notice");
        assert!(
            refused.to_string().contains("at least 5 minutes"),
            "{refused}"
        );
        desk.earshot
            .delete_plan(saved[0].plan_id.clone())
            .await
            .expect("delete");

        let input = PlanInput {
            server_side: true,
            ..one_post(
                &desk.account,
                "Out while the laptop sleeps",
                desk.in_an_hour(),
                Vec::new(),
            )
        };
        let saved = desk.earshot.save_plan(input).await.expect("draft");
        let (plan, id) = (saved[0].plan_id.clone(), saved[0].id.clone());
        desk.earshot
            .approve_plan(plan.clone())
            .await
            .expect("approve");
        desk.earshot
            .schedule_plan(plan.clone())
            .await
            .expect("schedule");
        let held = desk.server.scheduled_of(&desk.alice);
        assert_eq!(held.len(), 1, "the server holds it");
        assert_eq!(held[0].1, "Out while the laptop sleeps");
        assert_eq!(held[0].2, saved[0].publish_at);
        let post = desk.earshot.planned_post(id.clone()).await.expect("post");
        assert_eq!(post.status, PlanStatus::Scheduled);
        assert_eq!(post.server_schedule_id.as_deref(), Some(held[0].0.as_str()));

        // Its time comes on Earshot's clock: Earshot does not send it itself.
        desk.clock.advance(SignedDuration::from_hours(1));
        desk.earshot.check_schedule_now();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(desk.posted().is_empty(), "only the server publishes it");

        desk.server.publish_scheduled();
        let published = desk.status_becomes(&id, PlanStatus::Published).await;
        let posted = desk.posted();
        assert_eq!(posted.len(), 1);
        assert_eq!(
            published.parts[0].uri.as_deref(),
            Some(posted[0].0.as_str())
        );

        // Taken back before its time: the server forgets it too.
        let input = PlanInput {
            server_side: true,
            ..one_post(
                &desk.account,
                "Changed my mind",
                desk.in_an_hour(),
                Vec::new(),
            )
        };
        let saved = desk.earshot.save_plan(input).await.expect("draft");
        desk.earshot
            .approve_plan(saved[0].plan_id.clone())
            .await
            .expect("approve");
        desk.earshot
            .schedule_plan(saved[0].plan_id.clone())
            .await
            .expect("schedule");
        assert_eq!(desk.server.scheduled_of(&desk.alice).len(), 1);
        desk.earshot
            .unapprove_plan(saved[0].plan_id.clone())
            .await
            .expect("unapprove");
        assert!(desk.server.scheduled_of(&desk.alice).is_empty());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn images_go_out_with_their_descriptions_and_undescribed_ones_are_refused() {
        let desk = desk().await;
        let mut input = one_post(&desk.account, "Our booth", desk.in_an_hour(), vec![png("")]);
        let saved = desk.earshot.save_plan(input.clone()).await.expect("draft");
        let refused = desk
            .earshot
            .approve_plan(saved[0].plan_id.clone())
            .await
            .expect_err("no description");
        assert!(
            refused.to_string().contains("Image 1 has no description"),
            "{refused}"
        );
        input.plan_id = Some(saved[0].plan_id.clone());
        input.images = vec![
            png("Booth 12 with a red banner"),
            png("Stickers on a table"),
        ];
        let saved = desk.earshot.save_plan(input).await.expect("described");
        assert_eq!(saved[0].images.len(), 2);
        assert_eq!(
            desk.earshot
                .plan_images(saved[0].plan_id.clone())
                .await
                .expect("images")[0]
                .base64,
            TINY_PNG,
            "the composer gets the image back as it was"
        );
        desk.earshot
            .approve_plan(saved[0].plan_id.clone())
            .await
            .expect("approve");
        desk.earshot
            .schedule_plan(saved[0].plan_id.clone())
            .await
            .expect("schedule");
        desk.clock.advance(SignedDuration::from_hours(1));
        desk.status_becomes(&saved[0].id, PlanStatus::Published)
            .await;
        let posted = desk.posted();
        assert_eq!(
            desk.server.media_of(&posted[0].0),
            [
                (
                    "image/png".to_owned(),
                    Some("Booth 12 with a red banner".to_owned())
                ),
                (
                    "image/png".to_owned(),
                    Some("Stickers on a table".to_owned())
                ),
            ]
        );
    }

    fn devconf(hold_rule: EventHoldRule) -> EventDetails {
        EventDetails {
            name: "DevConf".into(),
            starts_on: jiff::civil::date(2026, 12, 1),
            ends_on: jiff::civil::date(2026, 12, 3),
            time_zone: "Europe/Berlin".into(),
            hashtags: vec!["devconf".into()],
            hold_rule,
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_approved_plan_goes_out_on_every_account_with_warning_language_and_hashtags() {
        let desk = desk().await;
        let carol = desk.server.add_user("carol", "Carol");
        let carols = sign_in(&desk.earshot, &desk.server, &carol).await;
        let event = desk
            .earshot
            .create_event(devconf(EventHoldRule::AsSettings))
            .await
            .expect("event");
        let event = desk
            .earshot
            .add_topic(event.id, "Keynote".into())
            .await
            .expect("topic");
        let saved = desk
            .earshot
            .save_plan(PlanInput {
                plan_id: None,
                event_id: Some(event.id.clone()),
                topic_id: Some(event.topics[0].id.clone()),
                publish_at: desk.in_an_hour(),
                content_warning: Some("loud music".into()),
                language: Some("de".into()),
                images: Vec::new(),
                server_side: false,
                targets: vec![
                    PlanTarget {
                        account_id: desk.account.clone(),
                        parts: vec!["Die Keynote beginnt!".into(), "Mehr gleich.".into()],
                    },
                    PlanTarget {
                        account_id: carols,
                        parts: vec!["Keynote! #DevConf".into()],
                    },
                ],
            })
            .await
            .expect("draft");
        let plan = saved[0].plan_id.clone();
        let too_long = desk
            .earshot
            .schedule_plan(plan.clone())
            .await
            .expect_err("a draft is not scheduled");
        assert_eq!(
            too_long.to_string(),
            "Approve the text before scheduling it."
        );
        desk.earshot
            .approve_plan(plan.clone())
            .await
            .expect("approve");
        desk.earshot
            .schedule_plan(plan.clone())
            .await
            .expect("schedule");

        desk.clock.advance(SignedDuration::from_hours(1));
        for post in &saved {
            desk.status_becomes(&post.id, PlanStatus::Published).await;
        }
        let alices: Vec<_> = desk.posted().into_iter().rev().collect();
        assert_eq!(
            alices
                .iter()
                .map(|(_, text, _, _)| text.as_str())
                .collect::<Vec<_>>(),
            ["Die Keynote beginnt!\n\n#devconf", "Mehr gleich."],
            "the event's hashtag ends the first post only"
        );
        for (id, _, _, _) in &alices {
            assert_eq!(
                desk.server.warning_and_language(id),
                Some(("loud music".into(), Some("de".into())))
            );
        }
        let carols_posts = desk.server.statuses_of(&carol);
        assert_eq!(
            carols_posts[0].1, "Keynote! #DevConf",
            "a tag already in the text is not added again"
        );
        let event = desk.earshot.events().await.expect("events").remove(0);
        assert!(event.topics[0].covered, "the topic is ticked");

        // Bob asks under the second post of the thread: the plan shows what it drew.
        desk.server.post(
            &desk.bob,
            "@alice wann genau? is it in the main hall?",
            Some(&alices[1].0),
            "public",
        );
        let follow_ups = within(Duration::from_secs(10), "the follow-up", async || {
            let found = desk
                .earshot
                .follow_ups(Some(event.id.clone()))
                .await
                .expect("follow-ups");
            (!found.is_empty()).then_some(found)
        })
        .await;
        assert_eq!(follow_ups.len(), 1);
        assert_eq!(follow_ups[0].post_id, saved[0].id);
        assert!(follow_ups[0].item.is_question());
        assert_eq!(follow_ups[0].item.state, earshot_core::ItemState::Owed);

        // Carol quotes the thread's first post (Mastodon 4.5): a quote is a follow-up too.
        desk.server
            .quote(&carol, "Is there an English one too?", &alices[0].0);
        let follow_ups = within(Duration::from_secs(10), "the quote", async || {
            let found = desk
                .earshot
                .follow_ups(Some(event.id.clone()))
                .await
                .expect("follow-ups");
            (found.len() == 2).then_some(found)
        })
        .await;
        let quote = follow_ups
            .iter()
            .find(|f| f.item.post.reason == earshot_core::InboxReason::Quote)
            .expect("the quote");
        assert_eq!(quote.post_id, saved[0].id);
        assert_eq!(
            quote.item.post.subject_uri.as_deref(),
            Some(alices[0].0.as_str())
        );
        assert!(quote.item.is_question());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_event_that_turns_the_hold_rule_off_says_so_on_the_post() {
        let desk = desk().await;
        desk.server
            .post(&desk.bob, "@alice where is the booth?", None, "public");
        within(Duration::from_secs(10), "the question", async || {
            let inbox = desk.earshot.list_inbox().await.expect("inbox");
            (!inbox.is_empty()).then_some(())
        })
        .await;
        let event = desk
            .earshot
            .create_event(devconf(EventHoldRule::Off))
            .await
            .expect("event");
        let saved = desk
            .earshot
            .save_plan(PlanInput {
                event_id: Some(event.id),
                ..one_post(&desk.account, "Booth 12!", desk.in_an_hour(), Vec::new())
            })
            .await
            .expect("draft");
        desk.earshot
            .approve_plan(saved[0].plan_id.clone())
            .await
            .expect("approve");
        desk.earshot
            .schedule_plan(saved[0].plan_id.clone())
            .await
            .expect("schedule");
        desk.clock.advance(SignedDuration::from_hours(1));
        let published = desk
            .status_becomes(&saved[0].id, PlanStatus::Published)
            .await;
        assert_eq!(
            published.note.as_deref(),
            Some("Published while 1 person was waiting: the hold rule is relaxed for DevConf.")
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_exported_plan_imports_as_the_same_plan() {
        let desk = desk().await;
        let event = desk
            .earshot
            .create_event(devconf(EventHoldRule::After { minutes: 90 }))
            .await
            .expect("event");
        let mut event = event;
        for topic in ["Keynote", "Booth tour"] {
            event = desk
                .earshot
                .add_topic(event.id.clone(), topic.into())
                .await
                .expect("topic");
        }
        let event = desk
            .earshot
            .set_topic_covered(event.topics[0].id.clone(), true)
            .await
            .expect("ticked");
        let plan = |text: &str, hours: i64, topic: Option<usize>| PlanInput {
            event_id: Some(event.id.clone()),
            topic_id: topic.map(|i| event.topics[i].id.clone()),
            language: Some("en".into()),
            ..PlanInput::one_post(
                desk.account.clone(),
                vec![text.into(), "~~~\n  second post\n".into()],
                desk.clock.now() + SignedDuration::from_hours(hours),
            )
        };
        desk.earshot
            .save_plan(plan("Day one", 2, Some(0)))
            .await
            .expect("draft");
        let approved = desk
            .earshot
            .save_plan(plan("Booth opens", 1, Some(1)))
            .await
            .expect("draft");
        desk.earshot
            .approve_plan(approved[0].plan_id.clone())
            .await
            .expect("approve");

        let exported = desk
            .earshot
            .export_event(event.id.clone())
            .await
            .expect("export");
        let imported = desk
            .earshot
            .import_event(exported.clone())
            .await
            .expect("import");
        assert_ne!(imported.id, event.id, "a new event");
        assert_eq!(imported.details, event.details);
        let titles = |e: &earshot_core::Event| {
            e.topics
                .iter()
                .map(|t| (t.title.clone(), t.covered))
                .collect::<Vec<_>>()
        };
        let original = desk.earshot.events().await.expect("events");
        assert_eq!(titles(&imported), titles(&original[0]));
        assert!(exported.contains(" · approved\n"), "{exported}");
        assert_eq!(
            desk.earshot
                .export_event(imported.id.clone())
                .await
                .expect("export"),
            exported.replace(" · approved\n", " · draft\n"),
            "the imported plan writes out the same document, every post a draft to approve"
        );
        for (refused, why) in [
            (
                exported.replace("- Language: en", "- Language: english"),
                "is not a language code",
            ),
            ("#".repeat(5 * 1024 * 1024 + 1), "up to 5 MB"),
        ] {
            let error = desk
                .earshot
                .import_event(refused)
                .await
                .expect_err("refused");
            assert!(error.to_string().contains(why), "{error}");
        }

        let broken = exported.replace("- Language: en", "- Lingo: en");
        let error = desk
            .earshot
            .import_event(broken)
            .await
            .expect_err("a broken line is named");
        assert!(error.to_string().starts_with("Line "), "{error}");
        assert_eq!(desk.earshot.events().await.expect("events").len(), 2);
    }
}

mod bluesky {
    //! The same guarantees on the Bluesky reference servers.

    use earshot_core::tid::tid;
    use earshot_test_support::atproto::{TestAccount, pds_url, plc_url, xrpc_get, xrpc_post};
    use earshot_test_support::proxy::{Fault, FaultyProxy};
    use serde_json::json;

    use super::*;

    struct BlueskyDesk {
        alice: TestAccount,
        clock: Arc<FixedClock>,
        notifier: Arc<RecordingNotifier>,
        secrets: Arc<MemorySecretStore>,
        dir: tempfile::TempDir,
        earshot: Earshot,
        account: earshot_core::AccountId,
    }

    fn reference_servers() -> SyncSettings {
        SyncSettings {
            poll_interval: Duration::from_secs(2),
            plc_directory: plc_url(),
            ..SyncSettings::default()
        }
    }

    async fn bluesky_desk() -> BlueskyDesk {
        let alice = TestAccount::create("planner").await;
        let app_password = alice.app_password("Earshot").await;
        let clock = Arc::new(FixedClock::new(Timestamp::now()));
        let notifier = Arc::new(RecordingNotifier::default());
        let secrets = Arc::new(MemorySecretStore::default());
        let dir = tempfile::tempdir().expect("dir");
        let earshot = engine(&dir, &secrets, &clock, &notifier, reference_servers());
        let account = earshot
            .add_bluesky_account(alice.handle.clone(), app_password, Some(pds_url()))
            .await
            .expect("sign-in")
            .account
            .id;
        BlueskyDesk {
            alice,
            clock,
            notifier,
            secrets,
            dir,
            earshot,
            account,
        }
    }

    /// Alice's posts on her PDS whose text is `text`.
    async fn records_with(alice: &TestAccount, text: &str) -> Vec<serde_json::Value> {
        let listed = xrpc_get(
            "com.atproto.repo.listRecords",
            None,
            &[
                ("repo", alice.did.as_str()),
                ("collection", "app.bsky.feed.post"),
                ("limit", "100"),
            ],
        )
        .await;
        listed["records"]
            .as_array()
            .expect("records")
            .iter()
            .filter(|record| record["value"]["text"] == json!(text))
            .cloned()
            .collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Bluesky reference servers (make test runs it)"]
    async fn a_thread_arrives_in_order_with_root_and_parent_refs() {
        let desk = bluesky_desk().await;
        let at = desk.clock.now() + SignedDuration::from_hours(1);
        let parts = [
            "Thread 1/3: day one",
            "2/3: the keynote",
            "3/3: questions welcome",
        ];
        let planned = desk
            .earshot
            .plan_post(
                desk.account.clone(),
                parts.iter().map(|p| (*p).to_owned()).collect(),
                at,
            )
            .await
            .expect("planned");
        desk.clock.advance(SignedDuration::from_hours(1));
        let published = desk
            .status_becomes(&planned.id, PlanStatus::Published)
            .await;
        let uri = |n: usize| published.parts[n].uri.clone().expect("uri");
        for (n, text) in parts.iter().enumerate() {
            let records = records_with(&desk.alice, text).await;
            assert_eq!(records.len(), 1, "{text} written once");
            let reply = &records[0]["value"]["reply"];
            if n == 0 {
                assert!(reply.is_null(), "the first post starts the thread");
            } else {
                assert_eq!(reply["root"]["uri"], json!(uri(0)));
                assert_eq!(reply["parent"]["uri"], json!(uri(n - 1)));
                assert_eq!(reply["parent"]["cid"], json!(published.parts[n - 1].cid));
            }
        }
        assert!(
            desk.notifier.notices().is_empty(),
            "nothing to complain about"
        );
    }

    /// Alice signed in through a proxy that spoils chosen requests to her PDS.
    async fn desk_behind(proxy: &FaultyProxy) -> BlueskyDesk {
        let alice = TestAccount::create("planner").await;
        let clock = Arc::new(FixedClock::new(Timestamp::now()));
        let notifier = Arc::new(RecordingNotifier::default());
        let secrets = Arc::new(MemorySecretStore::default());
        let dir = tempfile::tempdir().expect("dir");
        let account = crate::sync::signed_in_through(&dir, &secrets, &alice, proxy.url()).await;
        let earshot = engine(&dir, &secrets, &clock, &notifier, reference_servers());
        BlueskyDesk {
            alice,
            clock,
            notifier,
            secrets,
            dir,
            earshot,
            account,
        }
    }

    impl BlueskyDesk {
        async fn plan_in_an_hour(&self, text: &str) -> PlannedPost {
            let at = self.clock.now() + SignedDuration::from_hours(1);
            self.earshot
                .plan_post(self.account.clone(), vec![text.to_owned()], at)
                .await
                .expect("planned")
        }

        /// The reference servers are slower than the test server: twice the patience.
        async fn status_becomes(&self, id: &PlannedPostId, status: PlanStatus) -> PlannedPost {
            super::status_becomes(&self.earshot, id, status, Duration::from_secs(20)).await
        }
    }

    const CREATE_RECORD: &str = "/xrpc/com.atproto.repo.createRecord";

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Bluesky reference servers (make test runs it)"]
    async fn a_failing_server_then_recovering_gets_one_post() {
        let proxy = FaultyProxy::start(&pds_url(), |path, earlier| {
            (path.starts_with(CREATE_RECORD) && earlier < 2).then_some(Fault::ServerError)
        })
        .await;
        let desk = desk_behind(&proxy).await;
        let text = "Third time lucky";
        let planned = desk.plan_in_an_hour(text).await;
        desk.clock.advance(SignedDuration::from_hours(1));
        desk.status_becomes(&planned.id, PlanStatus::Published)
            .await;
        assert_eq!(records_with(&desk.alice, text).await.len(), 1);
        let tries = proxy
            .paths()
            .iter()
            .filter(|p| p.starts_with(CREATE_RECORD))
            .count();
        assert_eq!(tries, 3, "two refusals, then the post");
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Bluesky reference servers (make test runs it)"]
    async fn a_reply_lost_on_the_wire_is_found_not_written_twice() {
        let proxy = FaultyProxy::start(&pds_url(), |path, earlier| {
            (path.starts_with(CREATE_RECORD) && earlier == 0).then_some(Fault::LoseReply)
        })
        .await;
        let desk = desk_behind(&proxy).await;
        let text = "Written, though nobody heard";
        let planned = desk.plan_in_an_hour(text).await;
        desk.clock.advance(SignedDuration::from_hours(1));
        let published = desk
            .status_becomes(&planned.id, PlanStatus::Published)
            .await;
        let records = records_with(&desk.alice, text).await;
        assert_eq!(records.len(), 1, "one post on the server");
        assert_eq!(records[0]["uri"], json!(published.parts[0].uri));
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Bluesky reference servers (make test runs it)"]
    async fn a_revoked_app_password_at_publish_time_fails_loudly_and_keeps_the_post() {
        let mut desk = bluesky_desk().await;
        let text = "Will this go out?";
        let planned = desk
            .earshot
            .plan_post(
                desk.account.clone(),
                vec![text.to_owned()],
                desk.clock.now() + SignedDuration::from_hours(1),
            )
            .await
            .expect("planned");
        desk.alice.revoke_app_password("Earshot").await;
        // The access token outlives the revocation until it expires; make that moment now,
        // and start Earshot again so it reads its tokens afresh.
        crate::sync::replace_access_token(
            &desk.secrets,
            &desk.alice.did,
            &desk.alice.expired_access_token(),
        );
        desk.earshot = engine(
            &desk.dir,
            &desk.secrets,
            &desk.clock,
            &desk.notifier,
            reference_servers(),
        );
        desk.clock.advance(SignedDuration::from_hours(1));
        let failed = desk.status_becomes(&planned.id, PlanStatus::Failed).await;
        assert!(
            failed
                .note
                .as_deref()
                .is_some_and(|n| n.contains("Sign in again")),
            "{failed:?}"
        );
        assert_eq!(failed.parts[0].text, text, "nothing lost");
        assert!(records_with(&desk.alice, text).await.is_empty());
        told(&desk.notifier, |summary| {
            summary == "A planned post could not be published"
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Bluesky reference servers (make test runs it)"]
    async fn a_held_post_goes_out_once_the_question_is_answered() {
        let desk = bluesky_desk().await;
        let bob = TestAccount::create("bob").await;
        bob.mention(&desk.alice, "is the booth open yet?").await;
        let question = within(Duration::from_secs(20), "the question", async || {
            let inbox = desk.earshot.list_inbox().await.expect("inbox");
            inbox
                .into_iter()
                .find(|item| item.post.text.contains("booth"))
        })
        .await;
        let text = "Booth 12 opens at nine";
        let planned = desk
            .earshot
            .plan_post(
                desk.account.clone(),
                vec![text.to_owned()],
                desk.clock.now() + SignedDuration::from_hours(1),
            )
            .await
            .expect("planned");
        // An hour later Bob has waited longer than the 30 minutes the rule allows.
        desk.clock.advance(SignedDuration::from_hours(1));
        let held = desk.status_becomes(&planned.id, PlanStatus::Held).await;
        assert!(
            held.note
                .is_some_and(|n| n.starts_with("1 person has been waiting"))
        );
        assert!(records_with(&desk.alice, text).await.is_empty());

        desk.earshot
            .reply_to(question.id, "Yes, since eight!".into())
            .await
            .expect("answered");
        desk.status_becomes(&planned.id, PlanStatus::Published)
            .await;
        assert_eq!(records_with(&desk.alice, text).await.len(), 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Bluesky reference servers (make test runs it)"]
    async fn an_image_is_embedded_with_its_description() {
        let desk = bluesky_desk().await;
        let at = desk.clock.now() + SignedDuration::from_hours(1);
        let text = "The hall before the keynote";
        let input = super::events::one_post(
            &desk.account,
            text,
            at,
            vec![super::events::png("Rows of empty red chairs")],
        );
        let saved = desk.earshot.save_plan(input).await.expect("draft");
        let plan = saved[0].plan_id.clone();
        desk.earshot
            .approve_plan(plan.clone())
            .await
            .expect("approve");
        desk.earshot.schedule_plan(plan).await.expect("schedule");
        desk.clock.advance(SignedDuration::from_hours(1));
        desk.status_becomes(&saved[0].id, PlanStatus::Published)
            .await;
        let records = records_with(&desk.alice, text).await;
        assert_eq!(records.len(), 1);
        let embed = &records[0]["value"]["embed"];
        assert_eq!(embed["$type"], json!("app.bsky.embed.images"));
        assert_eq!(embed["images"][0]["alt"], json!("Rows of empty red chairs"));
        assert_eq!(embed["images"][0]["image"]["mimeType"], json!("image/png"));
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Bluesky reference servers (make test runs it)"]
    async fn written_just_before_a_crash_it_is_found_not_written_again() {
        let desk = bluesky_desk().await;
        let text = "Written once, whatever happens";
        let at = desk.clock.now() + SignedDuration::from_hours(1);
        let planned = desk
            .earshot
            .plan_post(desk.account.clone(), vec![text.to_owned()], at)
            .await
            .expect("planned");
        let BlueskyDesk {
            alice,
            clock,
            notifier,
            secrets,
            dir,
            earshot,
            ..
        } = desk;
        drop(earshot);

        // The crash: claimed, the key chosen and saved, the record written by the server,
        // and Earshot gone before it recorded the answer.
        clock.advance(SignedDuration::from_hours(1));
        let key = tid(clock.now(), 7);
        {
            let store = earshot_store::Store::open(dir.path()).expect("store");
            assert_eq!(store.claim_due(clock.now()).expect("claim").len(), 1);
            store.set_part_key(&planned.id, 0, &key).expect("key");
        }
        xrpc_post(
            "com.atproto.repo.createRecord",
            Some(&alice.access),
            json!({
                "repo": alice.did,
                "collection": "app.bsky.feed.post",
                "rkey": key,
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": text,
                    "createdAt": clock.now().to_string(),
                },
            }),
        )
        .await;

        let earshot = engine(&dir, &secrets, &clock, &notifier, reference_servers());
        let published = within(
            Duration::from_secs(20),
            "the check after the restart",
            async || {
                let post = earshot
                    .planned_post(planned.id.clone())
                    .await
                    .expect("post");
                (post.status == PlanStatus::Published).then_some(post)
            },
        )
        .await;
        assert!(
            published.parts[0]
                .uri
                .as_deref()
                .is_some_and(|uri| uri.ends_with(&key)),
            "{published:?}"
        );
        assert_eq!(
            records_with(&alice, text).await.len(),
            1,
            "exactly one post"
        );
    }
}

/// Signing out asks about plans not published yet: kept as drafts, the ones the server holds
/// are cancelled there first — and one the server will not take back is named.
#[tokio::test(flavor = "multi_thread")]
async fn signing_out_keeps_plans_as_drafts_and_takes_them_back_from_the_server() {
    use earshot_core::PlanInput;
    use earshot_engine::KeepPlans;
    let desk = desk().await;
    desk.plan(
        &["Kept for later", "with its second part"],
        desk.in_an_hour(),
    )
    .await;
    for text in ["Held by the server", "Held and refused"] {
        let input = PlanInput {
            server_side: true,
            ..events::one_post(&desk.account, text, desk.in_an_hour(), Vec::new())
        };
        let saved = desk.earshot.save_plan(input).await.expect("draft");
        desk.earshot
            .approve_plan(saved[0].plan_id.clone())
            .await
            .expect("approve");
        desk.earshot
            .schedule_plan(saved[0].plan_id.clone())
            .await
            .expect("scheduled on the server");
    }
    assert_eq!(desk.server.scheduled_of(&desk.alice).len(), 2);
    let asked = desk
        .earshot
        .plans_on_sign_out(desk.account.clone())
        .await
        .expect("plans");
    assert_eq!((asked.planned, asked.held_by_servers), (3, 2));

    // The server will not take one of them back.
    let held = desk.server.scheduled_of(&desk.alice);
    let refused_id = held
        .iter()
        .find(|(_, text, _)| text == "Held and refused")
        .map(|(id, _, _)| id.clone())
        .expect("held");
    desk.server.refuse_next(
        &format!("/api/v1/scheduled_statuses/{refused_id}"),
        1,
        500,
        "down",
    );
    let done = desk
        .earshot
        .remove_account(desk.account.clone(), KeepPlans::AsDrafts)
        .await
        .expect("signed out");
    assert_eq!(done.kept_as_drafts, 3);
    assert_eq!(done.not_cancelled.len(), 1, "{:?}", done.not_cancelled);
    assert!(
        done.not_cancelled[0].contains("Held and refused")
            && done.not_cancelled[0].contains("may still go out"),
        "{:?}",
        done.not_cancelled
    );
    let still_held: Vec<String> = desk
        .server
        .scheduled_of(&desk.alice)
        .into_iter()
        .map(|(_, text, _)| text)
        .collect();
    assert_eq!(still_held, ["Held and refused"], "the other was cancelled");
    let mut drafts: Vec<String> = desk
        .earshot
        .list_drafts()
        .await
        .expect("drafts")
        .into_iter()
        .map(|d| d.body)
        .collect();
    drafts.sort();
    assert_eq!(
        drafts,
        [
            "Held and refused",
            "Held by the server",
            "Kept for later\n\nwith its second part"
        ]
    );
    assert!(
        desk.earshot
            .planned_posts()
            .await
            .expect("plans")
            .is_empty(),
        "the plans went with the account"
    );
}
