//! Syncing Bluesky accounts against the reference servers: questions arrive in the Inbox,
//! answers reach the thread, sessions refresh or ask for a new sign-in, restarts resume.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use earshot_core::{AccountId, InboxItem, InboxReason, Network, Sensitive};
use earshot_engine::{
    Earshot, Error, MemorySecretStore, SecretStore, SyncSettings, SyncState, ThreadPlace,
};
use earshot_store::Store;
use earshot_test_support::atproto::{TestAccount, pds_url, plc_url, xrpc_post};
use earshot_test_support::proxy::{Fault, FaultyProxy, query_param};
use serde_json::{Value, json};

use crate::support::{account_view, engine_with, state_becomes, within};

const POLL: Duration = Duration::from_secs(2);

/// Notifications and direct messages read every [`POLL`], identities from the reference PLC.
fn polling() -> SyncSettings {
    SyncSettings {
        poll_interval: POLL,
        chat_poll_interval: Some(POLL),
        plc_directory: plc_url(),
        ..SyncSettings::default()
    }
}

/// An engine on `dir` polling every [`POLL`], with secrets in `secrets`.
fn engine(dir: &tempfile::TempDir, secrets: &Arc<MemorySecretStore>) -> Earshot {
    engine_with(dir, secrets, polling())
}

async fn signed_in(earshot: &Earshot, account: &TestAccount) -> AccountId {
    let app_password = account.app_password("Earshot").await;
    earshot
        .add_bluesky_account(account.handle.clone(), app_password, Some(pds_url()))
        .await
        .expect("sign-in")
        .account
        .id
}

async fn inbox_item(earshot: &Earshot, uri: &str) -> Option<InboxItem> {
    earshot
        .list_inbox()
        .await
        .expect("inbox")
        .into_iter()
        .find(|item| item.post.uri == uri)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_question_arrives_within_a_poll_and_the_answer_reaches_the_thread() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    let account = signed_in(&earshot, &alice).await;
    let root = alice.post("Watching the match on Saturday").await;
    let question = bob.reply(&root, &root, "is the game on tonight?").await;

    // One poll interval, plus the AppView's indexing time and a round's own time.
    let item = within(POLL * 3, "the question reaches the Inbox", async || {
        inbox_item(&earshot, &question.uri).await
    })
    .await;
    assert_eq!(item.account_id, account);
    assert_eq!(item.network, Network::Bluesky);
    assert_eq!(item.post.reason, InboxReason::Reply);
    assert_eq!(item.post.text, "is the game on tonight?");
    assert_eq!(item.post.author.handle, bob.handle);
    assert_eq!(item.post.cid.as_deref(), Some(question.cid.as_str()));
    assert_eq!(item.post.subject_uri.as_deref(), Some(root.uri.as_str()));
    assert_eq!(item.answered_by, None);
    // Owed says which post of Alice's it replies to, once her own posts are read.
    let about = within(POLL * 3, "the post it replies to is known", async || {
        inbox_item(&earshot, &question.uri).await?.about
    })
    .await;
    assert_eq!(about, "Watching the match on Saturday");

    let thread = earshot.open_thread(item.id).await.expect("thread");
    let places: Vec<(ThreadPlace, &str, bool)> = thread
        .iter()
        .map(|entry| (entry.place, entry.post.uri.as_str(), entry.is_own))
        .collect();
    assert_eq!(
        places,
        vec![
            (ThreadPlace::Ancestor, root.uri.as_str(), true),
            (ThreadPlace::Focus, question.uri.as_str(), false),
        ]
    );

    let answer = format!("Yes, 8 pm! @{} bring #snacks 🍿", bob.handle);
    let answered = earshot
        .reply_to(item.id, answer.clone())
        .await
        .expect("reply");
    let reply_uri = answered.answered_by.expect("answered at once");

    // Bob's own view of the thread shows the answer, attached where it belongs.
    let bobs_view = within(Duration::from_secs(10), "bob sees the answer", async || {
        let thread = bob.thread(&question.uri).await;
        thread["thread"]["replies"]
            .as_array()
            .and_then(|replies| replies.first().cloned())
    })
    .await;
    let record = &bobs_view["post"]["record"];
    assert_eq!(bobs_view["post"]["uri"], json!(reply_uri));
    assert_eq!(record["text"], json!(answer));
    assert_eq!(
        record["reply"]["parent"],
        json!({ "uri": question.uri, "cid": question.cid })
    );
    assert_eq!(
        record["reply"]["root"],
        json!({ "uri": root.uri, "cid": root.cid })
    );
    let facets = record["facets"].as_array().expect("facets");
    let mention = format!("@{}", bob.handle);
    let start = answer.find(&mention).expect("mention in text");
    assert_eq!(
        facets[0],
        json!({
            "index": { "byteStart": start, "byteEnd": start + mention.len() },
            "features": [{ "$type": "app.bsky.richtext.facet#mention", "did": bob.did }],
        })
    );
    let tag_start = answer.find("#snacks").expect("tag");
    assert_eq!(facets[1]["index"]["byteStart"], json!(tag_start));
    assert_eq!(facets[1]["features"][0]["tag"], json!("snacks"));

    // Opening the thread told the server the notifications were seen (updateSeen); a new
    // question still arrives.
    let again = bob.reply(&root, &root, "and who is playing?").await;
    within(
        POLL * 3,
        "a question asked after updateSeen arrives",
        async || inbox_item(&earshot, &again.uri).await,
    )
    .await;

    let too_long = "a".repeat(301);
    let refused = earshot.reply_to(item.id, too_long).await;
    assert!(
        matches!(&refused, Err(Error::Invalid(message)) if message.contains("300")),
        "the limit is checked before sending: {refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn an_answer_from_another_client_marks_the_question_answered() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    let account = signed_in(&earshot, &alice).await;
    let root = alice.post("Ask me about the trip").await;
    let question = bob.reply(&root, &root, "when do you leave?").await;
    within(POLL * 3, "the question arrives", async || {
        inbox_item(&earshot, &question.uri).await
    })
    .await;

    // Alice answers from her phone: a direct XRPC call, not through Earshot.
    let elsewhere = alice.reply(&root, &question, "Tuesday!").await;
    earshot.sync_now(&account).expect("sync");
    let item = within(POLL * 3, "the question shows as answered", async || {
        inbox_item(&earshot, &question.uri)
            .await
            .filter(|item| item.answered_by.is_some())
    })
    .await;
    assert_eq!(item.answered_by.as_deref(), Some(elsewhere.uri.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn two_accounts_sync_side_by_side_and_signing_one_out_keeps_the_other() {
    let alice = TestAccount::create("alice").await;
    let carol = TestAccount::create("carol").await;
    let bob = TestAccount::create("bob").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    let alice_id = signed_in(&earshot, &alice).await;
    let carol_id = signed_in(&earshot, &carol).await;
    let to_alice = alice.post("alice here").await;
    let to_carol = carol.post("carol here").await;
    let for_alice = bob.reply(&to_alice, &to_alice, "alice, free today?").await;
    let for_carol = bob.reply(&to_carol, &to_carol, "carol, free today?").await;

    for (account, question) in [(&alice_id, &for_alice), (&carol_id, &for_carol)] {
        let item = within(POLL * 3, "each question reaches its account", async || {
            inbox_item(&earshot, &question.uri).await
        })
        .await;
        assert_eq!(&item.account_id, account);
    }
    earshot
        .remove_account(alice_id, earshot_engine::KeepPlans::Delete)
        .await
        .expect("sign out");
    let left: Vec<AccountId> = earshot
        .list_inbox()
        .await
        .expect("inbox")
        .into_iter()
        .map(|item| item.account_id)
        .collect();
    assert_eq!(left, vec![carol_id.clone()], "only carol's Inbox remains");
    assert_eq!(
        account_view(&earshot, &carol_id).await.sync.error,
        None,
        "carol keeps syncing"
    );
}

fn stored_tokens(secrets: &MemorySecretStore, did: &str) -> Value {
    let key = Network::Bluesky.secret_key(did);
    let stored = secrets.read(&key).expect("read").expect("tokens stored");
    serde_json::from_str(stored.expose()).expect("JSON")
}

pub(crate) fn replace_access_token(secrets: &MemorySecretStore, did: &str, access: &str) {
    let mut tokens = stored_tokens(secrets, did);
    tokens["accessJwt"] = json!(access);
    let key = Network::Bluesky.secret_key(did);
    secrets
        .save(&key, &Sensitive::new(tokens.to_string()))
        .expect("save");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn an_expired_access_token_is_refreshed_without_bothering_anyone() {
    let alice = TestAccount::create("alice").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let account = {
        let earshot = engine(&dir, &secrets);
        signed_in(&earshot, &alice).await
    };
    let expired = alice.expired_access_token();
    replace_access_token(&secrets, &alice.did, &expired);

    let earshot = engine(&dir, &secrets);
    earshot.sync_now(&account).expect("sync");
    let view = within(POLL * 3, "a round succeeds", async || {
        let view = account_view(&earshot, &account).await;
        (view.sync.state == SyncState::Synced).then_some(view)
    })
    .await;
    assert_eq!(view.sync.error, None);
    let tokens = stored_tokens(&secrets, &alice.did);
    assert_ne!(
        tokens["accessJwt"],
        json!(expired),
        "the refreshed tokens are kept for the next start"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_revoked_app_password_asks_for_a_new_sign_in_and_stops_retrying() {
    let alice = TestAccount::create("alice").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let account = {
        let earshot = engine(&dir, &secrets);
        signed_in(&earshot, &alice).await
    };
    alice.revoke_app_password("Earshot").await;
    // The access token outlives the revocation until it expires; make that moment now.
    replace_access_token(&secrets, &alice.did, &alice.expired_access_token());

    let earshot = engine(&dir, &secrets);
    let view = within(POLL * 3, "the account asks for a sign-in", async || {
        let view = account_view(&earshot, &account).await;
        (view.sync.state == SyncState::NeedsSignIn).then_some(view)
    })
    .await;
    let error = view.sync.error.expect("the reason in words");
    assert!(
        error.starts_with("Bluesky no longer accepts")
            && error.contains("app password")
            && error.contains("Sign in again")
            && error.contains(&alice.handle),
        "{error}"
    );

    let failed_at = || {
        let store = Store::open(dir.path()).expect("open");
        store.sync_record(&account).expect("record").last_error_at
    };
    let first = failed_at();
    tokio::time::sleep(POLL * 3).await;
    assert_eq!(
        failed_at(),
        first,
        "three poll intervals later, no further attempt was made"
    );
}

const LIST_NOTIFICATIONS: &str = "/xrpc/app.bsky.notification.listNotifications";

/// Signs `account` in behind Earshot's back, with `service` as its server: how a test puts a
/// misbehaving proxy between Earshot and the PDS (a real sign-in would find the PDS itself).
pub(crate) async fn signed_in_through(
    dir: &tempfile::TempDir,
    secrets: &MemorySecretStore,
    account: &TestAccount,
    service: &str,
) -> AccountId {
    let session = xrpc_post(
        "com.atproto.server.createSession",
        None,
        json!({ "identifier": account.handle, "password": account.password }),
    )
    .await;
    let tokens = json!({ "accessJwt": session["accessJwt"], "refreshJwt": session["refreshJwt"] });
    secrets
        .save(
            &Network::Bluesky.secret_key(&account.did),
            &Sensitive::new(tokens.to_string()),
        )
        .expect("save tokens");
    let store = Store::open(dir.path()).expect("open");
    store
        .upsert_account(
            Network::Bluesky,
            service,
            &account.did,
            &account.handle,
            jiff::Timestamp::now(),
        )
        .expect("account")
        .id
}

/// Every stored Inbox URI, straight from the database (the Inbox screen shows only the
/// newest 500).
async fn stored_uris(dir: &tempfile::TempDir) -> Vec<String> {
    Store::open(dir.path())
        .expect("open")
        .inbox(10_000, earshot_core::Timestamp::UNIX_EPOCH)
        .expect("inbox")
        .into_iter()
        .map(|item| item.post.uri)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_500_item_backlog_syncs_completely_and_resumes_at_its_cursor_after_a_failure() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let root = alice.post("Questions welcome").await;
    let reply_to_root = json!({ "reply": { "root": { "uri": root.uri, "cid": root.cid },
                           "parent": { "uri": root.uri, "cid": root.cid } } });
    let mut asked = BTreeSet::new();
    for n in 0..500 {
        let post = bob
            .post_without_waiting(&format!("question {n}?"), reply_to_root.clone())
            .await;
        asked.insert(post.uri);
    }
    let newest = bob.post_with("question 500?", reply_to_root).await;
    asked.insert(newest.uri.clone());

    // The third page request dies on the wire, as on a flaky connection.
    let proxy = FaultyProxy::start(&pds_url(), |path, earlier| {
        (path.starts_with(LIST_NOTIFICATIONS) && earlier == 2).then_some(Fault::Drop)
    })
    .await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let account = signed_in_through(&dir, &secrets, &alice, proxy.url()).await;

    let cursor = {
        let earshot = engine(&dir, &secrets);
        let view = state_becomes(&earshot, &account, SyncState::Failing, POLL * 4).await;
        assert!(
            view.sync
                .error
                .is_some_and(|e| e.contains("could not reach")),
            "the failure is told in words"
        );
        let kept = stored_uris(&dir).await.len();
        assert!(
            (150..501).contains(&kept),
            "the two pages read before the failure are kept (pages overlap by their boundary \
             instant): {kept}"
        );
        let marks = Store::open(dir.path())
            .expect("open")
            .sync_marks(&account)
            .expect("marks");
        marks.walk.expect("an unfinished walk is saved").cursor
    };
    let requests_before_restart = proxy.paths().len();

    let earshot = engine(&dir, &secrets);
    let stored = within(Duration::from_secs(60), "all 501 are stored", async || {
        let uris = stored_uris(&dir).await;
        (uris.len() >= 501).then_some(uris)
    })
    .await;
    assert_eq!(stored.len(), 501, "no duplicates");
    assert_eq!(
        stored.into_iter().collect::<BTreeSet<_>>(),
        asked,
        "and no gaps"
    );
    let resumed_with = proxy.paths()[requests_before_restart..]
        .iter()
        .find(|path| path.starts_with(LIST_NOTIFICATIONS))
        .and_then(|path| query_param(path, "cursor"));
    assert_eq!(
        resumed_with,
        Some(cursor),
        "after the restart, reading resumes at the saved cursor rather than from the top"
    );
    state_becomes(&earshot, &account, SyncState::Synced, POLL * 4).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn garbled_replies_and_rate_limits_cost_nothing_stored() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let root = alice.post("Ask away").await;
    for n in 0..3 {
        bob.reply(&root, &root, &format!("question {n}?")).await;
    }
    // Round 1 reads normally; round 2 gets half a reply; round 3 is told to slow down.
    let proxy = FaultyProxy::start(&pds_url(), |path, earlier| {
        if !path.starts_with(LIST_NOTIFICATIONS) {
            return None;
        }
        match earlier {
            1 => Some(Fault::Truncate),
            2 => Some(Fault::RateLimit { reset_in: 2 }),
            _ => None,
        }
    })
    .await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let account = signed_in_through(&dir, &secrets, &alice, proxy.url()).await;
    let earshot = engine(&dir, &secrets);
    within(POLL * 3, "the first round stores 3", async || {
        (stored_uris(&dir).await.len() == 3).then_some(())
    })
    .await;

    bob.reply(&root, &root, "question 3?").await;
    earshot.sync_now(&account).expect("sync");
    let view = state_becomes(&earshot, &account, SyncState::Failing, POLL * 4).await;
    assert!(
        view.sync.error.is_some_and(|e| e.contains("cannot read")),
        "a truncated reply is an error in words, not a panic"
    );
    assert_eq!(stored_uris(&dir).await.len(), 3, "nothing stored is lost");

    earshot.sync_now(&account).expect("sync");
    let view = within(POLL * 3, "the rate limit is reported", async || {
        let view = account_view(&earshot, &account).await;
        view.sync
            .error
            .as_ref()
            .is_some_and(|e| e.contains("slow down"))
            .then_some(view)
    })
    .await;
    assert_eq!(view.sync.state, SyncState::Failing);

    // No one presses anything: the task waits out the reset and recovers on its own.
    within(POLL * 4, "the account recovers by itself", async || {
        (stored_uris(&dir).await.len() == 4).then_some(())
    })
    .await;
    state_becomes(&earshot, &account, SyncState::Synced, POLL * 4).await;
}

/// An engine on `dir` polling every [`POLL`] with a clock the test moves.
fn engine_with_clock(
    dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    clock: &Arc<earshot_core::FixedClock>,
) -> Earshot {
    crate::support::engine_on(
        dir,
        secrets,
        polling(),
        Arc::clone(clock) as _,
        Arc::new(crate::support::SilentNotifier) as _,
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_question_its_author_deletes_leaves_owed_within_two_rounds() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    signed_in(&earshot, &alice).await;
    let regretted = bob.mention(&alice, "what's your home address?").await;
    let kept = bob.mention(&alice, "and when do you open?").await;
    within(POLL * 3, "both questions are owed", async || {
        let owed = earshot.owed().await.expect("owed");
        (owed.total == 2).then_some(())
    })
    .await;

    bob.delete_post(&regretted).await;
    within(
        POLL * 2 + Duration::from_secs(2),
        "the deleted one leaves",
        async || {
            let owed = earshot.owed().await.expect("owed");
            let gone = inbox_item(&earshot, &regretted.uri).await.is_none();
            (gone && owed.total == 1).then_some(())
        },
    )
    .await;
    assert!(
        inbox_item(&earshot, &kept.uri).await.is_some(),
        "the other stays"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn an_answer_the_account_deletes_makes_its_question_owed_again() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let clock = Arc::new(earshot_core::FixedClock::new(jiff::Timestamp::now()));
    let earshot = engine_with_clock(&dir, &secrets, &clock);
    signed_in(&earshot, &alice).await;
    let question = bob.mention(&alice, "is the kitchen open late?").await;
    let item = within(POLL * 3, "the question arrives", async || {
        inbox_item(&earshot, &question.uri).await
    })
    .await;
    // Answered from another app, with raw XRPC.
    let answer = alice.reply(&question, &question, "until 11").await;
    within(POLL * 3, "answered", async || {
        inbox_item(&earshot, &question.uri)
            .await
            .filter(|i| i.answered_by.as_deref() == Some(answer.uri.as_str()))
    })
    .await;
    alice.delete_post(&answer).await;
    // Answers younger than two minutes are not checked: the AppView may be behind.
    clock.advance(jiff::SignedDuration::from_mins(3));
    let again = within(POLL * 3, "owed again", async || {
        inbox_item(&earshot, &question.uri)
            .await
            .filter(|i| i.answered_by.is_none())
    })
    .await;
    assert_eq!(again.id, item.id);
    assert_eq!(earshot.owed().await.expect("owed").total, 1);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_reply_from_one_guest_to_another_in_the_accounts_thread_is_not_owed() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let carol = TestAccount::create("carol").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    signed_in(&earshot, &alice).await;
    let root = alice.post("Quiz night on Thursday").await;
    let carols = carol.reply(&root, &root, "I'll bring the team").await;
    let to_carol = bob.reply(&root, &carols, "which team are you in?").await;
    let to_alice = bob.reply(&root, &root, "what time does it start?").await;
    let (theirs, mine) = within(POLL * 3, "both replies arrive", async || {
        Some((
            inbox_item(&earshot, &to_carol.uri).await?,
            inbox_item(&earshot, &to_alice.uri).await?,
        ))
    })
    .await;
    assert_eq!(theirs.post.reason, InboxReason::Thread, "asked of carol");
    assert_eq!(theirs.state, earshot_core::ItemState::ToOthers);
    assert_eq!(mine.post.reason, InboxReason::Reply);
    let owed: Vec<String> = earshot
        .owed()
        .await
        .expect("owed")
        .items
        .into_iter()
        .map(|i| i.post.uri)
        .collect();
    assert!(
        owed.contains(&to_alice.uri),
        "the question to alice is owed"
    );
    assert!(
        !owed.contains(&to_carol.uri),
        "the question to carol is not: {owed:?}"
    );
}

/// The Report on the reference servers: an answer written with raw XRPC (another app)
/// counts, with its own time, as answered in time and elsewhere than Earshot.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn the_report_counts_an_answer_written_in_another_app_with_its_own_time() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    signed_in(&earshot, &alice).await;
    let question = bob.mention(&alice, "is the stream public?").await;
    let answer = alice
        .reply(&question, &question, "yes, on the website")
        .await;
    within(POLL * 3, "answered", async || {
        inbox_item(&earshot, &question.uri)
            .await
            .filter(|i| i.answered_by.as_deref() == Some(answer.uri.as_str()))
    })
    .await;
    let today = jiff::Zoned::now().date().to_string();
    let report = earshot
        .report(earshot_core::ReportRequest {
            from: today.clone(),
            to: today,
            scope: earshot_core::ReportScope::All,
        })
        .await
        .expect("report");
    assert_eq!(report.outcomes.in_time, 1, "{report:?}");
    assert_eq!(
        (report.answered_in_earshot, report.answered_elsewhere),
        (0, 1)
    );
    assert_eq!(report.answer_times[0].answered, 1);
    assert!(
        report.answer_times[0].median_minutes.is_some_and(|m| m < 5),
        "the answer's own time, not when Earshot saw it: {:?}",
        report.answer_times
    );
    assert_eq!(report.people_hung_up, 0);
}

/// Read back further on the reference servers. The engine's clock runs 40 days ahead, so
/// everything on the servers is older than the first sync's week: only the read back finds
/// the questions, and the answer written with raw XRPC (another app) arrives with them.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn reading_back_finds_questions_older_than_the_first_week_with_their_answers() {
    use earshot_core::{HistoryState, ItemState, ReadBack};
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let answered = bob.mention(&alice, "do you open on Sundays?").await;
    let waiting = bob.mention(&alice, "is there parking nearby?").await;
    alice.reply(&answered, &answered, "from noon").await;

    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let ahead = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(40 * 24);
    let clock = Arc::new(earshot_core::FixedClock::new(ahead));
    let earshot = engine_with_clock(&dir, &secrets, &clock);
    let account = signed_in(&earshot, &alice).await;
    within(POLL * 3, "the first sync", async || {
        (account_view(&earshot, &account).await.sync.state == SyncState::Synced).then_some(())
    })
    .await;
    assert!(
        inbox_item(&earshot, &answered.uri).await.is_none(),
        "forty days old for the engine: past the first week"
    );

    earshot
        .read_back(account.clone(), ReadBack::Days { days: 90 })
        .await
        .expect("read back");
    let ended = within(Duration::from_secs(20), "the read back ends", async || {
        account_view(&earshot, &account)
            .await
            .history
            .filter(|progress| !progress.state.is_running())
    })
    .await;
    assert_eq!(ended.state, HistoryState::Done, "{ended:?}");
    assert_eq!((ended.items_read, ended.answers_read), (2, 1));
    let state = |uri: String| {
        let earshot = &earshot;
        async move { inbox_item(earshot, &uri).await.map(|item| item.state) }
    };
    assert_eq!(state(answered.uri.clone()).await, Some(ItemState::Answered));
    assert_eq!(state(waiting.uri.clone()).await, Some(ItemState::Owed));
}

/// Signed in with an app password that may read direct messages.
async fn signed_in_for_messages(earshot: &Earshot, account: &TestAccount) -> AccountId {
    let app_password = account.app_password_with_messages("Earshot").await;
    earshot
        .add_bluesky_account(account.handle.clone(), app_password, Some(pds_url()))
        .await
        .expect("sign-in")
        .account
        .id
}

/// Bluesky direct messages through the reference PDS and the chat test service: a backlog
/// read once and never announced; a new message in Owed and announced; answered from another
/// app, it leaves; deleted, it leaves; a request is never accepted behind the person's back;
/// a 429 is waited out.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn direct_messages_reach_owed_and_leave_it_when_answered_anywhere() {
    use earshot_core::{InboxReason, ItemState};
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let carol = TestAccount::create("carol").await;
    let waiting = bob.message(&alice, "is the game on tonight?").await;

    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let notices = Arc::new(crate::support::RecordingNotifier::default());
    let earshot = crate::support::engine_on(
        &dir,
        &secrets,
        polling(),
        Arc::new(earshot_core::SystemClock),
        Arc::clone(&notices) as Arc<dyn earshot_engine::Notifier>,
    );
    earshot
        .save_notification_settings(earshot.notification_settings().without_quiet_hours())
        .await
        .expect("no quiet hours");
    let account = signed_in_for_messages(&earshot, &alice).await;
    let uri =
        |m: &earshot_test_support::atproto::ChatRef| format!("bsky-chat:{}/{}", m.convo, m.message);
    let backlog = within(POLL * 5, "the waiting message", async || {
        inbox_item(&earshot, &uri(&waiting)).await
    })
    .await;
    assert_eq!(backlog.post.reason, InboxReason::Direct);
    assert_eq!(backlog.state, ItemState::Owed);
    assert_eq!(backlog.post.author.handle, bob.handle);
    assert!(backlog.is_question());
    within(POLL * 5, "the first sync", async || {
        (account_view(&earshot, &account).await.sync.state == SyncState::Synced).then_some(())
    })
    .await;

    // A message while Earshot runs, after a 429: waited out, then owed and announced.
    earshot_test_support::atproto::rate_limit_chat(&alice.did, 1).await;
    let asked = carol.message(&alice, "are you open on Sunday?").await;
    let item = within(POLL * 8, "carol's message", async || {
        inbox_item(&earshot, &uri(&asked)).await
    })
    .await;
    assert_eq!(item.state, ItemState::Owed);
    within(POLL * 3, "carol's message announced", async || {
        notices
            .notices()
            .iter()
            .any(|n| format!("{} {}", n.summary, n.body).contains("are you open on Sunday?"))
            .then_some(())
    })
    .await;
    assert!(
        !notices
            .notices()
            .iter()
            .any(|n| format!("{} {}", n.summary, n.body).contains("game on tonight")),
        "the backlog is never announced"
    );

    // Answered from another chat app: it leaves Owed.
    alice.message_in(&waiting.convo, "yes, from 8").await;
    within(POLL * 5, "bob's message answered elsewhere", async || {
        inbox_item(&earshot, &uri(&waiting))
            .await
            .filter(|i| i.state == ItemState::Answered)
    })
    .await;

    // Deleted (for alice, from another app): it leaves the Inbox.
    alice.delete_message_for_self(&asked).await;
    within(POLL * 5, "carol's message gone", async || {
        inbox_item(&earshot, &uri(&asked))
            .await
            .is_none()
            .then_some(())
    })
    .await;
    assert!(
        alice.convos("request").await.contains(&asked.convo),
        "carol's conversation is still a request: never accepted behind alice's back"
    );
}

/// Answering a direct message from Earshot sends it once into the conversation, even when
/// the person sends it again (a double click, a retry after a timeout).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_direct_message_answered_from_earshot_goes_out_once() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let asked = bob.message(&alice, "do you have a table for 4?").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    signed_in_for_messages(&earshot, &alice).await;
    let uri = format!("bsky-chat:{}/{}", asked.convo, asked.message);
    let item = within(POLL * 5, "the message", async || {
        inbox_item(&earshot, &uri).await
    })
    .await;
    let thread = earshot
        .open_thread(item.id)
        .await
        .expect("the conversation");
    assert_eq!(thread.len(), 1);
    assert_eq!(thread[0].text, "do you have a table for 4?");
    let limits = earshot.reply_limits(item.id).await.expect("limits");
    assert_eq!(limits.max_length, 1000, "the chat service's limit");

    let answered = earshot
        .reply_to(item.id, "Yes, at 8".into())
        .await
        .expect("sent");
    assert_eq!(answered.state, earshot_core::ItemState::Answered);
    earshot
        .reply_to(item.id, "Yes, at 8".into())
        .await
        .expect("sent again");
    assert_eq!(
        alice.messages_from(&asked.convo, &alice).await,
        ["Yes, at 8"],
        "sent once"
    );
}

/// An app password made without DM access: the account says how to make one, and its
/// mentions keep syncing.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn an_app_password_without_dm_access_says_so_and_mentions_keep_syncing() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    let account = signed_in(&earshot, &alice).await;
    let refused = within(POLL * 5, "the refusal in words", async || {
        account_view(&earshot, &account).await.messages_refused
    })
    .await;
    assert!(
        refused.contains("Allow access to your direct messages"),
        "{refused}"
    );
    let mention = bob.mention(&alice, "are you coming tonight?").await;
    within(POLL * 5, "the mention", async || {
        inbox_item(&earshot, &mention.uri).await
    })
    .await;
    let state = account_view(&earshot, &account).await.sync.state;
    assert!(
        matches!(state, SyncState::Synced | SyncState::Syncing),
        "the account itself is fine: {state:?}"
    );
}

/// A message request is the person's to accept or decline: accepting moves the conversation
/// to accepted; declining leaves it, and its messages leave the Inbox.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Bluesky reference servers (make test starts them)"]
async fn a_message_request_is_accepted_or_declined_by_the_person() {
    let alice = TestAccount::create("alice").await;
    let bob = TestAccount::create("bob").await;
    let carol = TestAccount::create("carol").await;
    let from_bob = bob.message(&alice, "are you hiring?").await;
    let from_carol = carol.message(&alice, "buy followers cheap").await;
    let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
    let earshot = engine(&dir, &secrets);
    signed_in_for_messages(&earshot, &alice).await;
    let uri =
        |m: &earshot_test_support::atproto::ChatRef| format!("bsky-chat:{}/{}", m.convo, m.message);
    let (bobs, carols) = within(POLL * 5, "both requests", async || {
        Some((
            inbox_item(&earshot, &uri(&from_bob)).await?,
            inbox_item(&earshot, &uri(&from_carol)).await?,
        ))
    })
    .await;
    assert!(earshot.is_message_request(bobs.id).await.expect("request"));
    assert!(
        earshot
            .is_message_request(carols.id)
            .await
            .expect("request")
    );

    earshot
        .accept_message_request(bobs.id)
        .await
        .expect("accept");
    assert!(!earshot.is_message_request(bobs.id).await.expect("accepted"));
    assert!(alice.convos("accepted").await.contains(&from_bob.convo));

    earshot
        .decline_message_request(carols.id)
        .await
        .expect("decline");
    assert!(inbox_item(&earshot, &uri(&from_carol)).await.is_none());
    assert!(!alice.convos("request").await.contains(&from_carol.convo));
    tokio::time::sleep(POLL * 2).await;
    assert!(
        inbox_item(&earshot, &uri(&from_carol)).await.is_none(),
        "the next chat read does not bring it back"
    );
}
