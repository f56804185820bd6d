//! Exactly once on every Mastodon-compatible server, including those that ignore
//! `Idempotency-Key` (GoToSocial, snac): answers and planned posts whose reply from the
//! server is lost on the wire, sent again by the person or by the scheduler, are posted once.
//! Each test runs against the Mastodon, GoToSocial and snac profiles of the test server,
//! behind a proxy that loses chosen replies after the server acted on them.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{AccountId, Clock as _, FixedClock, PlanStatus, Timestamp};
use earshot_engine::{Earshot, MemorySecretStore, SyncSettings};
use earshot_mastodon_server::{MastodonServer, Profile, TestUser, browser};
use earshot_test_support::proxy::{Fault, FaultyProxy};
use jiff::SignedDuration;

use crate::support::{RecordingNotifier, engine_on, engine_with, within};

const STATUSES: &str = "/api/v1/statuses";

fn profiles() -> [Profile; 3] {
    [Profile::mastodon(), Profile::gotosocial(), Profile::snac()]
}

fn polling_fast() -> SyncSettings {
    SyncSettings {
        poll_interval: Duration::from_millis(500),
        ..SyncSettings::default()
    }
}

/// Signs `user` in at `origin` (the server or a proxy before it) with a pasted code: a
/// proxy cannot pass the browser back to Earshot's loopback listener.
async fn sign_in_pasting(earshot: &Earshot, origin: &str, user: &TestUser) -> AccountId {
    let started = earshot
        .begin_mastodon_sign_in(origin.to_owned(), true)
        .await
        .expect("begin");
    let browser::Outcome::Page { html, .. } =
        browser::decide(&started.authorize_url, &user.username, true).await
    else {
        panic!("the server shows a code");
    };
    let code = browser::code_on_page(&html).expect("a code");
    earshot
        .finish_mastodon_sign_in(started.attempt, Some(code))
        .await
        .expect("signed in")
        .account
        .id
}

/// POSTs of new statuses that reached the server through `proxy`.
fn sends(proxy: &FaultyProxy) -> usize {
    proxy.paths().iter().filter(|p| *p == STATUSES).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_works_on_every_server_by_browser_and_by_pasted_code() {
    for profile in profiles() {
        let server = MastodonServer::start(profile.clone()).await;
        let alice = server.add_user("alice", "Alice");
        let (dir, secrets) = (
            tempfile::tempdir().expect("dir"),
            Arc::<MemorySecretStore>::default(),
        );
        let earshot = engine_with(&dir, &secrets, polling_fast());
        let by_browser = crate::mastodon::sign_in(&earshot, &server, &alice).await;
        earshot
            .remove_account(by_browser, earshot_engine::KeepPlans::Delete)
            .await
            .expect("sign out");
        let pasted = sign_in_pasting(&earshot, server.url(), &alice).await;
        let accounts = earshot.list_accounts().await.expect("accounts");
        assert!(
            accounts.iter().any(|v| v.account.id == pasted
                && v.account.handle == format!("alice@{}", server.host())),
            "{:?}: signed in by pasted code",
            profile.software
        );
    }
}

/// What Earshot before this fix saved: the URIs joined by spaces, and what it sent rather
/// than what the server stored. GoToSocial stored one mangled URI, so every sign-in failed.
#[tokio::test(flavor = "multi_thread")]
async fn a_registration_saved_with_space_joined_uris_is_made_again() {
    let server = MastodonServer::start(Profile::gotosocial()).await;
    let alice = server.add_user("alice", "Alice");
    let uris: Vec<String> = (51780..=51789)
        .map(|port| format!("http://127.0.0.1:{port}/callback"))
        .chain(["urn:ietf:wg:oauth:2.0:oob".to_owned()])
        .collect();
    let scopes = "read:accounts read:notifications read:statuses write:statuses write:favourites";
    let old: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/apps", server.url()))
        .header("user-agent", "Earshot/0.1.0 (desktop)")
        .form(&[
            ("client_name", "Earshot"),
            ("redirect_uris", uris.join(" ").as_str()),
            ("scopes", scopes),
        ])
        .send()
        .await
        .expect("registered")
        .json()
        .await
        .expect("json");
    assert_eq!(
        old["redirect_uris"].as_array().map(Vec::len),
        Some(1),
        "GoToSocial keeps space-joined URIs as one: {old}"
    );
    let secrets = Arc::<MemorySecretStore>::default();
    let saved = serde_json::json!({
        "clientId": old["client_id"],
        "clientSecret": old["client_secret"],
        "redirectUris": uris,
        "scopes": scopes,
    });
    use earshot_engine::SecretStore as _;
    secrets
        .save(
            &format!("mastodon-app:{}", server.url()),
            &earshot_core::Sensitive::new(saved.to_string()),
        )
        .expect("saved");
    let dir = tempfile::tempdir().expect("dir");
    let earshot = engine_with(&dir, &secrets, polling_fast());

    sign_in_pasting(&earshot, server.url(), &alice).await;
    assert_eq!(
        server.requests_to("/api/v1/apps"),
        2,
        "the old registration is not trusted: Earshot registered anew"
    );
    let repaired = secrets
        .read(&format!("mastodon-app:{}", server.url()))
        .expect("read")
        .expect("kept");
    assert!(
        repaired.expose().contains("\"format\":2"),
        "{}",
        repaired.expose()
    );
}

/// The server makes the reply and the answer never arrives; the person presses Send again.
#[tokio::test(flavor = "multi_thread")]
async fn a_reply_whose_answer_is_lost_is_posted_once() {
    for profile in profiles() {
        let server = MastodonServer::start(profile.clone()).await;
        let alice = server.add_user("alice", "Alice");
        let bob = server.add_user("bob", "Bob");
        let proxy = FaultyProxy::start(server.url(), |path, earlier| {
            (path == STATUSES && earlier == 0).then_some(Fault::LoseReply)
        })
        .await;
        let (dir, secrets) = (
            tempfile::tempdir().expect("dir"),
            Arc::<MemorySecretStore>::default(),
        );
        let earshot = engine_with(&dir, &secrets, polling_fast());
        sign_in_pasting(&earshot, proxy.url(), &alice).await;
        let asked = server.post(&bob, "@alice is the game on tonight?", None, "direct");
        let item = within(Duration::from_secs(10), "the DM arrives", async || {
            let inbox = earshot.list_inbox().await.expect("inbox");
            inbox.into_iter().find(|i| i.post.uri == asked)
        })
        .await;
        let answer = format!("@bob@{} yes, at 8!", server.host());
        let first = earshot.reply_to(item.id, answer.clone()).await;
        let again = earshot.reply_to(item.id, answer).await.expect("sent again");
        let mine = server.statuses_of(&alice);
        assert_eq!(
            mine.len(),
            1,
            "{:?}: one status for a lost answer and a second Send ({} sends): {mine:?} {first:?}",
            profile.software,
            sends(&proxy)
        );
        assert_eq!(again.answered_by.as_deref(), Some(mine[0].0.as_str()));
        assert_eq!(mine[0].2, "direct", "the answer to a DM stays direct");
        assert_eq!(
            sends(&proxy),
            1,
            "{:?}: the copy was found, not sent again",
            profile.software
        );
    }
}

/// A desk for planned posts: Alice signed in through a proxy, the engine's clock pinned.
struct Desk {
    server: MastodonServer,
    proxy: FaultyProxy,
    alice: TestUser,
    clock: Arc<FixedClock>,
    earshot: Earshot,
    account: AccountId,
    _dir: tempfile::TempDir,
}

async fn desk(
    profile: Profile,
    rule: impl Fn(&str, usize) -> Option<Fault> + Send + Sync + 'static,
) -> Desk {
    let server = MastodonServer::start(profile).await;
    let alice = server.add_user("alice", "Alice");
    let proxy = FaultyProxy::start(server.url(), rule).await;
    let clock = Arc::new(FixedClock::new(Timestamp::now()));
    let secrets = Arc::new(MemorySecretStore::default());
    let dir = tempfile::tempdir().expect("dir");
    let earshot = engine_on(
        &dir,
        &secrets,
        polling_fast(),
        Arc::clone(&clock) as _,
        Arc::new(RecordingNotifier::default()) as _,
    );
    let account = sign_in_pasting(&earshot, proxy.url(), &alice).await;
    Desk {
        server,
        proxy,
        alice,
        clock,
        earshot,
        account,
        _dir: dir,
    }
}

impl Desk {
    /// Moves Earshot's clock and has the scheduler look at once (a laptop waking does too).
    fn advance(&self, by: SignedDuration) {
        self.clock.advance(by);
        self.earshot.check_schedule_now();
    }

    async fn plan(&self, parts: &[&str]) -> earshot_core::PlannedPost {
        self.earshot
            .plan_post(
                self.account.clone(),
                parts.iter().map(|p| (*p).to_owned()).collect(),
                self.clock.now() + SignedDuration::from_hours(1),
            )
            .await
            .expect("planned")
    }

    async fn status_becomes(
        &self,
        post: &earshot_core::PlannedPostId,
        status: PlanStatus,
    ) -> earshot_core::PlannedPost {
        within(
            Duration::from_secs(20),
            "the planned post's status",
            async || {
                let post = self.earshot.planned_post(post.clone()).await.expect("post");
                (post.status == status).then_some(post)
            },
        )
        .await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_part_whose_answer_is_lost_is_published_once() {
    for profile in profiles() {
        // The second part is made by the server, and its answer is lost.
        let desk = desk(profile.clone(), |path, earlier| {
            (path == STATUSES && earlier == 1).then_some(Fault::LoseReply)
        })
        .await;
        let planned = desk
            .plan(&["Slides are up (1/2)", "Video later (2/2)"])
            .await;
        desk.advance(SignedDuration::from_hours(1));
        let published = desk
            .status_becomes(&planned.id, PlanStatus::Published)
            .await;
        let posted = desk.server.statuses_of(&desk.alice);
        assert_eq!(
            posted.len(),
            2,
            "{:?}: two parts, two statuses ({} sends): {posted:?}",
            profile.software,
            sends(&desk.proxy)
        );
        assert_eq!(
            sends(&desk.proxy),
            2,
            "the lost part was found, not sent again"
        );
        assert_eq!(
            published.parts[1].uri.as_deref(),
            Some(posted[0].0.as_str()),
            "the found copy is recorded"
        );
        assert_eq!(
            posted[0].3.as_deref(),
            Some(posted[1].0.as_str()),
            "in thread order"
        );
    }
}

/// The answer is lost and the look behind it fails too (the server is in trouble): the post
/// waits. Two hours later the person says *Publish anyway*: the earlier copy is found, by
/// then long past any server's memory of an idempotency key.
#[tokio::test(flavor = "multi_thread")]
async fn publish_anyway_hours_later_finds_the_copy_an_unanswered_attempt_made() {
    use std::sync::atomic::{AtomicBool, Ordering};
    for profile in profiles() {
        let trouble = Arc::new(AtomicBool::new(false));
        let in_trouble = Arc::clone(&trouble);
        let desk = desk(profile.clone(), move |path, earlier| {
            let looking = path.contains("/context") || path.contains("/accounts/");
            if path == STATUSES && earlier == 0 {
                in_trouble.store(true, Ordering::SeqCst);
                Some(Fault::LoseReply)
            } else if looking && in_trouble.load(Ordering::SeqCst) {
                Some(Fault::ServerError)
            } else {
                None
            }
        })
        .await;
        let planned = desk.plan(&["Doors open at nine"]).await;
        desk.advance(SignedDuration::from_hours(1));
        within(Duration::from_secs(10), "the failed look", async || {
            let post = desk
                .earshot
                .planned_post(planned.id.clone())
                .await
                .expect("post");
            (post.status == PlanStatus::Scheduled && post.note.is_some()).then_some(())
        })
        .await;
        desk.advance(SignedDuration::from_hours(2));
        desk.status_becomes(&planned.id, PlanStatus::Late).await;
        trouble.store(false, Ordering::SeqCst);
        desk.earshot
            .publish_anyway(planned.id.clone())
            .await
            .expect("publish anyway");
        let published = desk
            .status_becomes(&planned.id, PlanStatus::Published)
            .await;
        let posted = desk.server.statuses_of(&desk.alice);
        assert_eq!(
            posted.len(),
            1,
            "{:?}: one status ({} sends)",
            profile.software,
            sends(&desk.proxy)
        );
        assert_eq!(sends(&desk.proxy), 1, "found, not sent again");
        assert_eq!(
            published.parts[0].uri.as_deref(),
            Some(posted[0].0.as_str())
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_schedule_request_whose_answer_is_lost_is_made_once() {
    use earshot_core::PlanInput;
    for profile in [Profile::mastodon(), Profile::gotosocial()] {
        let desk = desk(profile.clone(), |path, earlier| {
            (path == STATUSES && earlier == 0).then_some(Fault::LoseReply)
        })
        .await;
        let input = PlanInput {
            server_side: true,
            ..crate::plan::events::one_post(
                &desk.account,
                "Out while the laptop sleeps",
                desk.clock.now() + SignedDuration::from_hours(1),
                Vec::new(),
            )
        };
        let saved = desk.earshot.save_plan(input).await.expect("draft");
        let plan = saved[0].plan_id.clone();
        desk.earshot
            .approve_plan(plan.clone())
            .await
            .expect("approve");
        let lost = desk.earshot.schedule_plan(plan.clone()).await;
        assert!(lost.is_err(), "the answer was lost: {lost:?}");
        desk.earshot
            .schedule_plan(plan.clone())
            .await
            .expect("scheduled on the second try");
        let held = desk.server.scheduled_of(&desk.alice);
        assert_eq!(
            held.len(),
            1,
            "{:?}: one scheduled status ({} requests)",
            profile.software,
            sends(&desk.proxy)
        );
        assert_eq!(
            sends(&desk.proxy),
            1,
            "the second press found the first request's scheduled status"
        );
        let post = desk
            .earshot
            .planned_post(saved[0].id.clone())
            .await
            .expect("post");
        assert_eq!(post.server_schedule_id.as_deref(), Some(held[0].0.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_post_fails_at_once_with_the_servers_words() {
    for profile in profiles() {
        let desk = desk(profile.clone(), |_, _| None).await;
        desk.server.refuse_next(
            STATUSES,
            1,
            422,
            "Validation failed: Text contains a word the server does not allow",
        );
        let planned = desk.plan(&["A word the server does not allow"]).await;
        desk.advance(SignedDuration::from_hours(1));
        let failed = desk.status_becomes(&planned.id, PlanStatus::Failed).await;
        assert!(
            failed
                .note
                .as_deref()
                .is_some_and(|note| note.contains("does not allow")),
            "the server's words: {:?}",
            failed.note
        );
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert_eq!(
            desk.server.requests_to(STATUSES),
            1,
            "{:?}: a refusal is not retried",
            profile.software
        );
        assert!(desk.server.statuses_of(&desk.alice).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_post_waits_for_the_servers_reset() {
    let desk = desk(Profile::mastodon(), |_, _| None).await;
    // The server's reset is on its own clock; Earshot's runs an hour ahead in this test (the
    // post's time), so the server's reset is put an hour and 8 s ahead to agree with it.
    desk.server.rate_limit_next(STATUSES, 1, 3600 + 8);
    let planned = desk.plan(&["Patience"]).await;
    desk.advance(SignedDuration::from_hours(1));
    within(Duration::from_secs(10), "the refused attempt", async || {
        (desk.server.requests_to(STATUSES) == 1).then_some(())
    })
    .await;
    // The backoff alone would have tried again within 5 s; the server said 8.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        desk.server.requests_to(STATUSES),
        1,
        "no attempt before the server's reset"
    );
    desk.status_becomes(&planned.id, PlanStatus::Published)
        .await;
    assert_eq!(desk.server.statuses_of(&desk.alice).len(), 1);
}

/// The server published a post it held, but so much was posted after it that Earshot cannot
/// read back to its time: the post is Unknown, with the profile to check — never Failed,
/// whose *Try again* could post it a second time.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_held_post_whose_fate_cannot_be_told_is_unknown_not_failed() {
    use earshot_core::PlanInput;
    let desk = desk(Profile::mastodon(), |_, _| None).await;
    // Six minutes ahead, the least the server accepts: the server's clock (its statuses'
    // times) and Earshot's then stay within the minutes a look allows for skew.
    let input = PlanInput {
        server_side: true,
        ..crate::plan::events::one_post(
            &desk.account,
            "Held by the server",
            desk.clock.now() + SignedDuration::from_mins(6),
            Vec::new(),
        )
    };
    let saved = desk.earshot.save_plan(input).await.expect("draft");
    let plan = saved[0].plan_id.clone();
    desk.earshot
        .approve_plan(plan.clone())
        .await
        .expect("approve");
    desk.earshot.schedule_plan(plan).await.expect("scheduled");
    desk.server.publish_scheduled();
    for n in 0..420 {
        desk.server
            .post(&desk.alice, &format!("busy day, post {n}"), None, "public");
    }
    desk.advance(SignedDuration::from_mins(6));
    let unknown = desk.status_becomes(&saved[0].id, PlanStatus::Unknown).await;
    let note = unknown.note.expect("a note");
    assert!(
        note.contains(&format!("{}/@alice", desk.proxy.url())),
        "says where to look: {note}"
    );
    assert_eq!(
        desk.server.statuses_of(&desk.alice).len(),
        421,
        "nothing was sent again"
    );
}
