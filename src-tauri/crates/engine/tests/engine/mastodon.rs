//! Mastodon-compatible accounts against the test server in tests/mastodon: sign-in through
//! the loopback redirect or a pasted code, the Inbox, answers that keep the status's
//! visibility, answers from other clients, refused tokens, and quirky servers.

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{AccountId, InboxItem, InboxReason, Network};
use earshot_engine::{Earshot, MemorySecretStore, SecretStore, SyncSettings, SyncState};
use earshot_mastodon_server::{MastodonServer, Profile, TestUser, browser};

use crate::support::{engine_with, state_becomes, within};

const POLL: Duration = Duration::from_secs(1);

fn engine(dir: &tempfile::TempDir, secrets: &Arc<MemorySecretStore>) -> Earshot {
    engine_polling_every(dir, secrets, POLL)
}

fn engine_polling_every(
    dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    poll_interval: Duration,
) -> Earshot {
    let sync = SyncSettings {
        poll_interval,
        ..SyncSettings::default()
    };
    engine_with(dir, secrets, sync)
}

/// Signs `user` in the way a person does: Earshot opens the page, the person approves in the
/// browser, the browser comes back to Earshot's loopback listener.
pub(crate) async fn sign_in(
    earshot: &Earshot,
    server: &MastodonServer,
    user: &TestUser,
) -> AccountId {
    let started = earshot
        .begin_mastodon_sign_in(server.url().to_owned(), false)
        .await
        .expect("begin");
    let url = started.authorize_url.clone();
    let username = user.username.clone();
    let person = tokio::spawn(async move {
        let browser::Outcome::Redirect(back) = browser::decide(&url, &username, true).await else {
            panic!("the server sends the browser back");
        };
        let page = reqwest::get(&back)
            .await
            .expect("the loopback listener answers");
        page.text().await.expect("a page")
    });
    let finished = tokio::time::timeout(
        Duration::from_secs(10),
        earshot.finish_mastodon_sign_in(started.attempt, None),
    )
    .await;
    let page = person.await.expect("the browser got through");
    let signed_in = finished.expect("finished in time").expect("finish");
    assert!(page.contains("You can close this tab"), "{page}");
    signed_in.account.id
}

async fn item(earshot: &Earshot, uri: &str) -> Option<InboxItem> {
    earshot
        .list_inbox()
        .await
        .expect("inbox")
        .into_iter()
        .find(|item| item.post.uri == uri)
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_through_the_browser_then_questions_arrive_and_are_answered() {
    for profile in [Profile::mastodon(), Profile::gotosocial(), Profile::snac()] {
        questions_arrive_and_are_answered(profile).await;
    }
}

async fn questions_arrive_and_are_answered(profile: Profile) {
    let server = MastodonServer::start(profile.clone()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    let before = server.post(&bob, "@alice did you get my mail?", None, "public");

    let account = sign_in(&earshot, &server, &alice).await;
    let view = earshot
        .list_accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|v| v.account.id == account)
        .expect("listed");
    assert_eq!(view.account.network, Network::Mastodon);
    assert_eq!(view.account.handle, format!("alice@{}", server.host()));
    let stored = secrets
        .read(&view.account.secret_key())
        .expect("read")
        .expect("the token is in the keyring");
    assert!(stored.expose().contains("accessToken"));

    let first = within(POLL * 3, "the earlier mention arrives", async || {
        item(&earshot, &before).await
    })
    .await;
    assert_eq!(first.post.reason, InboxReason::Mention);
    assert_eq!(first.post.text, "@alice did you get my mail?");
    assert_eq!(first.post.author.handle, format!("bob@{}", server.host()));

    // A direct message: the answer must stay direct, and a retried send must not double.
    let dm = server.post(&bob, "@alice is the game on tonight?", None, "direct");
    let asked = within(POLL * 3, "the DM arrives", async || {
        item(&earshot, &dm).await
    })
    .await;
    assert_eq!(asked.post.reason, InboxReason::Direct);
    let limits = earshot.reply_limits(asked.id).await.expect("limits");
    assert_eq!(limits.max_length as usize, profile.max_characters());
    assert_eq!(limits.counting, earshot_engine::Counting::Mastodon);
    assert_eq!(limits.characters_per_url, profile.characters_per_url());
    assert_eq!(
        limits.prefill,
        format!("@bob@{} ", server.host()),
        "the asker, not me"
    );
    let answer = format!("{}yes, 8 pm!", limits.prefill);
    let answered = earshot
        .reply_to(asked.id, answer.clone())
        .await
        .expect("reply");
    earshot
        .reply_to(asked.id, answer)
        .await
        .expect("the same reply again");
    let mine = server.statuses_of(&alice);
    assert_eq!(
        mine.len(),
        1,
        "{:?}: one status for two identical sends: {mine:?}",
        profile.software
    );
    let (id, _, visibility, parent) = &mine[0];
    assert_eq!(visibility, "direct", "an answer to a DM stays direct");
    assert_eq!(parent.as_deref(), Some(dm.as_str()));
    assert_eq!(answered.answered_by.as_deref(), Some(id.as_str()));

    let thread = earshot.open_thread(asked.id).await.expect("thread");
    let marker = earshot_net::mastodon::MastodonClient::new(server.url())
        .expect("client")
        .notifications_marker(&earshot_core::Sensitive::new(alice.token.clone()))
        .await
        .expect("markers");
    assert!(
        marker.is_some(),
        "reading the thread moved the read marker for other clients"
    );
    let texts: Vec<&str> = thread.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        vec!["@alice is the game on tonight?", "@bob yes, 8 pm!"],
        "mentions read as the server renders them"
    );

    // Alice answers the first mention from her phone.
    let from_phone = server.post(&alice, "@bob yes, thanks", Some(&before), "public");
    within(POLL * 3, "the answer from elsewhere counts", async || {
        item(&earshot, &before)
            .await
            .filter(|i| i.answered_by.is_some())
    })
    .await;

    // Bob replies to that answer: Owed can say which of Alice's posts he is on about.
    let thanks = server.post(&bob, "@alice great", Some(&from_phone), "public");
    let reply = within(POLL * 3, "the reply knows its post", async || {
        item(&earshot, &thanks).await.filter(|i| i.about.is_some())
    })
    .await;
    assert_eq!(reply.post.reason, InboxReason::Reply);
    assert_eq!(reply.about.as_deref(), Some("@bob yes, thanks"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_code_signs_in_where_the_browser_cannot_come_back() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    let started = earshot
        .begin_mastodon_sign_in(server.url().to_owned(), true)
        .await
        .expect("begin");
    assert!(started.paste_code);
    let browser::Outcome::Page { html, .. } =
        browser::decide(&started.authorize_url, "alice", true).await
    else {
        panic!("the server shows a code");
    };
    let code = browser::code_on_page(&html).expect("a code");
    let signed_in = earshot
        .finish_mastodon_sign_in(started.attempt, Some(code))
        .await
        .expect("finish");
    assert_eq!(
        signed_in.account.handle,
        format!("{}@{}", alice.username, server.host())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quirky_server_is_polled_and_each_mention_is_stored_once() {
    let server = MastodonServer::start(Profile::quirky()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    sign_in(&earshot, &server, &alice).await;
    let mut asked = Vec::new();
    for n in 0..45 {
        asked.push(server.post(&bob, &format!("@alice question {n}?"), None, "public"));
    }
    let hostile = server.post(
        &bob,
        r#"@alice raw_html:<p>hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">click</a></p>"#,
        None,
        "public",
    );
    let stored = within(POLL * 5, "all 46 arrive", async || {
        let inbox = earshot.list_inbox().await.expect("inbox");
        (inbox.len() >= 46).then_some(inbox)
    })
    .await;
    assert_eq!(stored.len(), 46, "a mention listed twice is stored once");
    let text = &stored
        .iter()
        .find(|i| i.post.uri == hostile)
        .expect("stored")
        .post
        .text;
    assert_eq!(text, "hiclick", "only text survives");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_asks_for_a_new_sign_in() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    let account = sign_in(&earshot, &server, &alice).await;
    server.revoke_tokens(&alice);
    let view = state_becomes(&earshot, &account, SyncState::NeedsSignIn, POLL * 4).await;
    let error = view.sync.error.expect("in words");
    assert!(
        error.starts_with("Mastodon no longer accepts") && error.contains("Sign in again"),
        "in the words of the account's own network: {error}"
    );

    earshot
        .remove_account(account, earshot_engine::KeepPlans::Delete)
        .await
        .expect("sign out");
    assert!(
        server.requests().iter().any(|p| p == "/oauth/revoke"),
        "sign-out revokes the token on the server"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mentions_arrive_over_the_stream_and_a_dropped_stream_loses_nothing() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    // Polls only every minute: within a second, only the stream can deliver.
    let earshot = engine_polling_every(&dir, &secrets, Duration::from_secs(60));
    sign_in(&earshot, &server, &alice).await;
    within(Duration::from_secs(5), "the stream is open", async || {
        (server.requests_to("/api/v1/streaming") == 1).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let first = server.post(&bob, "@alice are you there?", None, "public");
    within(
        Duration::from_secs(1),
        "a mention reaches the store within 1 s",
        async || item(&earshot, &first).await,
    )
    .await;

    // The stream drops; more is said before Earshot is back.
    server.drop_streams();
    let mut later = Vec::new();
    for n in 0..3 {
        later.push(server.post(&bob, &format!("@alice still there {n}?"), None, "public"));
    }
    within(
        Duration::from_secs(10),
        "everything said during the drop arrives",
        async || {
            let inbox = earshot.list_inbox().await.expect("inbox");
            let all = later
                .iter()
                .all(|uri| inbox.iter().any(|i| &i.post.uri == uri));
            all.then_some(())
        },
    )
    .await;
    assert_eq!(
        earshot.list_inbox().await.expect("inbox").len(),
        4,
        "no gaps and no duplicates"
    );
    assert!(
        server.requests_to("/api/v1/streaming") >= 2,
        "Earshot reconnected to the stream"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stranger_the_server_filtered_still_reaches_the_inbox() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let stranger = server.add_user("carol", "Carol");
    server.filter_strangers(&alice, &stranger);
    let asked = server.post(&stranger, "@alice can I ask you something?", None, "public");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    sign_in(&earshot, &server, &alice).await;
    let got = within(POLL * 3, "the filtered question arrives", async || {
        item(&earshot, &asked).await
    })
    .await;
    assert_eq!(got.post.author.handle, format!("carol@{}", server.host()));
}

#[tokio::test(flavor = "multi_thread")]
async fn earshot_registers_with_a_server_once() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    let account = sign_in(&earshot, &server, &alice).await;
    earshot
        .remove_account(account, earshot_engine::KeepPlans::Delete)
        .await
        .expect("sign out");
    sign_in(&earshot, &server, &alice).await;
    let started = earshot
        .begin_mastodon_sign_in(server.url().to_owned(), true)
        .await
        .expect("a paste-code sign-in");
    earshot.cancel_mastodon_sign_in(&started.attempt);
    assert_eq!(
        server.requests_to("/api/v1/apps"),
        1,
        "one registration serves later sign-ins, browser or pasted code"
    );
}

/// Waits until the account's first sync round has finished (from then on, new questions may
/// pop up) and its stream is open.
async fn synced_and_streaming(earshot: &Earshot, server: &MastodonServer, account: &AccountId) {
    within(
        Duration::from_secs(10),
        "the first round and the stream",
        async || {
            let synced = earshot
                .list_accounts()
                .await
                .expect("accounts")
                .into_iter()
                .any(|v| v.account.id == *account && v.sync.last_synced_at.is_some());
            (synced && server.requests_to("/api/v1/streaming") >= 1).then_some(())
        },
    )
    .await;
    // The server subscribes the socket just after the handshake.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// An answer written in another app reaches Earshot over the stream within the moment the
/// alerts wait for a burst to settle: the question leaves Owed and never pops up. No poll
/// round runs (the interval is ten minutes).
#[tokio::test(flavor = "multi_thread")]
async fn an_answer_written_elsewhere_clears_owed_over_the_stream_before_any_notice() {
    for profile in [Profile::mastodon(), Profile::gotosocial()] {
        let server = MastodonServer::start(profile.clone()).await;
        let alice = server.add_user("alice", "Alice");
        let bob = server.add_user("bob", "Bob");
        let (dir, secrets) = (
            tempfile::tempdir().expect("dir"),
            Arc::<MemorySecretStore>::default(),
        );
        let notifier = Arc::new(crate::support::RecordingNotifier::default());
        let earshot = crate::support::engine_on(
            &dir,
            &secrets,
            SyncSettings {
                poll_interval: Duration::from_secs(600),
                ..SyncSettings::default()
            },
            Arc::new(earshot_core::SystemClock),
            Arc::clone(&notifier) as _,
        );
        let account = sign_in(&earshot, &server, &alice).await;
        synced_and_streaming(&earshot, &server, &account).await;
        let rounds = server.requests_to("/api/v1/notifications");

        let asked = server.post(&bob, "@alice is the game on tonight?", None, "public");
        let answer = server.post(&alice, "@bob yes, at 8", Some(&asked), "public");
        let answered = within(
            Duration::from_secs(2),
            "answered over the stream",
            async || {
                item(&earshot, &asked)
                    .await
                    .filter(|i| i.answered_by.as_deref() == Some(answer.as_str()))
            },
        )
        .await;
        assert_eq!(answered.post.reason, InboxReason::Mention);
        let owed = earshot.owed().await.expect("owed");
        assert_eq!(owed.total, 0, "{:?}: nothing is owed", profile.software);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(
            notifier.notices().is_empty(),
            "{:?}: no notice for a question answered before it was shown: {:?}",
            profile.software,
            notifier.notices()
        );
        assert_eq!(
            server.requests_to("/api/v1/notifications"),
            rounds,
            "no poll round was needed"
        );
    }
}

/// A mention deleted by its author leaves Owed at once; an answer the account deletes makes
/// its question owed again.
#[tokio::test(flavor = "multi_thread")]
async fn deletions_over_the_stream_keep_owed_true() {
    let server = MastodonServer::start(Profile::gotosocial()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine_polling_every(&dir, &secrets, Duration::from_secs(600));
    let account = sign_in(&earshot, &server, &alice).await;
    synced_and_streaming(&earshot, &server, &account).await;

    let regretted = server.post(&bob, "@alice what is your address?", None, "public");
    let kept = server.post(&bob, "@alice and your opening hours?", None, "public");
    within(Duration::from_secs(2), "both arrive", async || {
        let owed = earshot.owed().await.expect("owed");
        (owed.total == 2).then_some(())
    })
    .await;
    server.delete(&bob, &regretted);
    within(
        Duration::from_secs(2),
        "the deleted question leaves",
        async || {
            let gone = item(&earshot, &regretted).await.is_none();
            let owed = earshot.owed().await.expect("owed");
            (gone && owed.total == 1).then_some(())
        },
    )
    .await;

    let answer = server.post(&alice, "@bob 9 to 5", Some(&kept), "public");
    within(Duration::from_secs(2), "answered", async || {
        let owed = earshot.owed().await.expect("owed");
        (owed.total == 0).then_some(())
    })
    .await;
    server.delete(&alice, &answer);
    let again = within(Duration::from_secs(2), "owed again", async || {
        item(&earshot, &kept)
            .await
            .filter(|i| i.answered_by.is_none())
    })
    .await;
    assert_eq!(earshot.owed().await.expect("owed").total, 1, "{again:?}");
}

/// snac lists none of the account's own direct messages among its statuses: an answer to a
/// DM written in another app is found in the conversation itself.
#[tokio::test(flavor = "multi_thread")]
async fn on_snac_a_direct_message_answered_elsewhere_leaves_owed() {
    let server = MastodonServer::start(Profile::snac()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine_polling_every(&dir, &secrets, Duration::from_millis(300));
    sign_in(&earshot, &server, &alice).await;
    let asked = server.post(&bob, "@alice are you open on Sunday?", None, "direct");
    within(Duration::from_secs(5), "the DM arrives", async || {
        item(&earshot, &asked).await
    })
    .await;
    let answer = server.post(&alice, "@bob from noon", Some(&asked), "direct");
    let answered = within(Duration::from_secs(10), "the answer is found", async || {
        item(&earshot, &asked)
            .await
            .filter(|i| i.answered_by.is_some())
    })
    .await;
    assert_eq!(answered.answered_by.as_deref(), Some(answer.as_str()));
    assert_eq!(earshot.owed().await.expect("owed").total, 0);
}

/// snac names a streaming address and answers 404 there: Earshot polls, and does not knock
/// again for hours.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_naming_a_stream_it_does_not_serve_is_polled_without_knocking_again() {
    let server = MastodonServer::start(Profile::snac()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    sign_in(&earshot, &server, &alice).await;
    let asked = server.post(&bob, "@alice do you stream?", None, "public");
    within(POLL * 5, "polled in", async || item(&earshot, &asked).await).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        server.requests_to("/api/v1/streaming"),
        1,
        "one try at the stream, then polling"
    );
}

/// Without a stream to say so, a deleted mention is found out when the person opens it: the
/// server answers 404, and it leaves the Inbox and Owed.
#[tokio::test(flavor = "multi_thread")]
async fn a_mention_that_answers_404_leaves_owed() {
    let server = MastodonServer::start(Profile::quirky()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    sign_in(&earshot, &server, &alice).await;
    let asked = server.post(&bob, "@alice quick question?", None, "public");
    let arrived = within(POLL * 5, "polled in", async || item(&earshot, &asked).await).await;
    server.delete(&bob, &asked);
    let opened = earshot.open_thread(arrived.id).await;
    assert!(
        matches!(
            opened,
            Err(earshot_engine::Error::Store(
                earshot_store::StoreError::NotFound(_)
            ))
        ),
        "{opened:?}"
    );
    assert!(
        item(&earshot, &asked).await.is_none(),
        "gone from the Inbox"
    );
    assert_eq!(earshot.owed().await.expect("owed").total, 0);
}

/// *Open on the web* opens the status's page as the server names it — and nothing that is
/// not a web page, whatever the server names.
#[tokio::test(flavor = "multi_thread")]
async fn open_on_the_web_opens_the_status_page_and_nothing_else() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    let honest = server.post(&bob, "@alice look at this", None, "public");
    let mut hostile = Vec::new();
    for address in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "x-scheme-handler:run",
        "not an address",
    ] {
        let id = server.post(&bob, &format!("@alice {address}"), None, "public");
        server.set_url(&id, address);
        hostile.push(id);
    }
    sign_in(&earshot, &server, &alice).await;
    let honest = within(POLL * 3, "arrived", async || item(&earshot, &honest).await).await;
    let address = earshot.web_url(honest.id).await.expect("a web page");
    assert_eq!(
        address.as_str(),
        format!("{}/@bob/{}", server.url(), honest.post.uri),
        "the status's own page, not its bare id"
    );
    for id in hostile {
        let arrived = within(POLL * 3, "arrived", async || item(&earshot, &id).await).await;
        let refused = earshot.web_url(arrived.id).await;
        assert!(
            matches!(&refused, Err(earshot_engine::Error::NotAWebPage { .. })),
            "refused with words: {refused:?}"
        );
    }
}

/// Any web page can make the browser load Earshot's loopback address, and any program can
/// connect to it and say nothing: neither ends or stalls the sign-in in progress.
#[tokio::test(flavor = "multi_thread")]
async fn stray_requests_to_the_loopback_listener_do_not_end_the_sign_in() {
    use tokio::io::AsyncWriteExt as _;
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    let started = earshot
        .begin_mastodon_sign_in(server.url().to_owned(), false)
        .await
        .expect("begin");
    let redirect = reqwest::Url::parse(&started.authorize_url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .expect("a redirect URI");
    let person = async {
        // A page elsewhere loads the callback without this attempt's state.
        let stray = reqwest::get(format!("{redirect}?code=stolen&state=guess"))
            .await
            .expect("the listener answers");
        assert_eq!(stray.status(), 400, "a wrong state is turned away");
        // A program connects and says nothing.
        let host = redirect
            .trim_start_matches("http://")
            .trim_end_matches("/callback")
            .to_owned();
        let mut silent = tokio::net::TcpStream::connect(&host)
            .await
            .expect("connect");
        silent
            .write_all(b"GET /call")
            .await
            .expect("half a request");

        let browser::Outcome::Redirect(back) =
            browser::decide(&started.authorize_url, &alice.username, true).await
        else {
            panic!("the server sends the browser back");
        };
        let page = reqwest::get(&back)
            .await
            .expect("the listener answers")
            .text()
            .await
            .expect("a page");
        drop(silent);
        page
    };
    let (finished, page) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(
            earshot.finish_mastodon_sign_in(started.attempt.clone(), None),
            person
        )
    })
    .await
    .expect("in time");
    assert!(page.contains("You can close this tab"), "{page}");
    let signed_in = finished.expect("signed in despite the strays");
    assert_eq!(signed_in.account.handle, format!("alice@{}", server.host()));
}

/// A sync round that panics does not take the account's syncing with it: the account says
/// so in words, and the next round (after the usual backoff) goes on as if nothing happened.
#[tokio::test(flavor = "multi_thread")]
async fn a_sync_round_that_panics_is_reported_and_syncing_recovers() {
    let server = MastodonServer::start(Profile::quirky()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let asked = server.post(&bob, "@alice still there?", None, "public");
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let sync = SyncSettings {
        poll_interval: Duration::from_millis(300),
        ..SyncSettings::default()
    };
    sync.faults.panic_next_rounds(1);
    let earshot = engine_with(&dir, &secrets, sync);
    let account = sign_in(&earshot, &server, &alice).await;
    let said = within(Duration::from_secs(5), "the crash in words", async || {
        earshot
            .list_accounts()
            .await
            .expect("accounts")
            .into_iter()
            .find(|v| v.account.id == account)?
            .sync
            .error
    })
    .await;
    assert_eq!(said, "Sync stopped after an internal error — restarting.");
    within(Duration::from_secs(10), "syncing recovered", async || {
        item(&earshot, &asked).await
    })
    .await;
    // The round that found the item marks the account synced as it ends, a moment after the
    // item is stored (on a busy machine the test can look in between).
    let view = state_becomes(
        &earshot,
        &account,
        SyncState::Synced,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(view.sync.error, None, "{view:?}");
}

/// A notification the server sends broken is skipped, not fatal — and not lost in silence:
/// the account says how many could not be read.
#[tokio::test(flavor = "multi_thread")]
async fn unreadable_notifications_are_counted_and_said() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let fine = server.post(&bob, "@alice readable", None, "public");
    for n in 0..2 {
        let broken = server.post(&bob, &format!("@alice broken {n}"), None, "public");
        server.garble_notifications_of(&broken);
    }
    let (dir, secrets) = (
        tempfile::tempdir().expect("dir"),
        Arc::<MemorySecretStore>::default(),
    );
    let earshot = engine(&dir, &secrets);
    let account = sign_in(&earshot, &server, &alice).await;
    within(POLL * 3, "the readable one arrives", async || {
        item(&earshot, &fine).await
    })
    .await;
    let said = within(POLL * 3, "the count in words", async || {
        earshot
            .list_accounts()
            .await
            .expect("accounts")
            .into_iter()
            .find(|v| v.account.id == account)?
            .sync
            .unreadable
    })
    .await;
    assert_eq!(
        said,
        "2 notifications could not be read — details in the log."
    );
    assert_eq!(earshot.list_inbox().await.expect("inbox").len(), 1);
}

/// Mastodon 4.5 quotes: where the server knows them (API version 7) a quote of the account's
/// post arrives as a quote, about that post; where it does not (GoToSocial, which logs a
/// warning for an unknown type on every call) the type is never asked for.
#[tokio::test(flavor = "multi_thread")]
async fn quotes_are_asked_for_only_where_the_server_knows_them() {
    for profile in [Profile::mastodon(), Profile::gotosocial()] {
        let knows_quotes = profile.knows_quotes;
        let server = MastodonServer::start(profile).await;
        let alice = server.add_user("alice", "Alice");
        let bob = server.add_user("bob", "Bob");
        let (dir, secrets) = (
            tempfile::tempdir().expect("dir"),
            Arc::<MemorySecretStore>::default(),
        );
        let earshot = engine(&dir, &secrets);
        sign_in(&earshot, &server, &alice).await;
        let post = server.post(&alice, "Doors open at 8 tonight", None, "public");
        let quote = server.quote(&bob, "Is that 8 sharp?", &post);
        server.post(&bob, "@alice and is there food?", None, "public");
        within(POLL * 5, "bob's mention", async || {
            let inbox = earshot.list_inbox().await.expect("inbox");
            inbox
                .iter()
                .any(|item| item.post.text.contains("is there food"))
                .then_some(())
        })
        .await;
        let asked_for_quotes = server
            .requests()
            .iter()
            .filter(|path| path.starts_with("/api/v1/notifications"))
            .any(|path| path.contains("=quote"));
        assert_eq!(asked_for_quotes, knows_quotes, "{:?}", server.requests());
        let quoted = item(&earshot, &quote).await;
        if knows_quotes {
            let quoted = quoted.expect("the quote arrives");
            assert_eq!(quoted.post.reason, InboxReason::Quote);
            assert_eq!(quoted.post.subject_uri.as_deref(), Some(post.as_str()));
            assert!(quoted.is_question());
        } else {
            assert!(quoted.is_none(), "no quotes on this server");
        }
    }
}

/// With the stream connected, polling is a safety net: a poll interval of 200 ms makes about
/// one REST read of the notifications in 3 s, not fifteen; a server without a stream is
/// polled at the interval.
#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_stream_slows_polling_to_a_safety_net() {
    let reads_in_3s = async |profile: Profile| {
        let server = MastodonServer::start(profile).await;
        let alice = server.add_user("alice", "Alice");
        let (dir, secrets) = (tempfile::tempdir().expect("dir"), Arc::default());
        let sync = SyncSettings {
            poll_interval: Duration::from_millis(200),
            poll_while_streaming: Duration::from_secs(60),
            ..SyncSettings::default()
        };
        let earshot = crate::support::engine_with(&dir, &secrets, sync);
        let account = sign_in(&earshot, &server, &alice).await;
        within(Duration::from_secs(10), "the first round", async || {
            let synced = earshot
                .list_accounts()
                .await
                .expect("accounts")
                .into_iter()
                .any(|v| v.account.id == account && v.sync.last_synced_at.is_some());
            synced.then_some(())
        })
        .await;
        // The stream's connect asks for a round: let it land.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = server.requests_to("/api/v1/notifications");
        tokio::time::sleep(Duration::from_secs(3)).await;
        server.requests_to("/api/v1/notifications") - before
    };
    let streaming = reads_in_3s(Profile::mastodon()).await;
    let polled = reads_in_3s(Profile::quirky()).await;
    assert!(streaming <= 2, "{streaming} reads with a healthy stream");
    assert!(polled >= 8, "{polled} reads without a stream");
}
