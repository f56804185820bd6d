//! The Mastodon client against the test server in tests/mastodon, in mainline Mastodon's
//! profile and in the quirky one (no v2 instance, no streaming, pages of 1 by default,
//! `since_id` ignored, 418 without a User-Agent, 422 for a bad token, mentions listed twice).

use earshot_core::Sensitive;
use earshot_mastodon_server::{MastodonServer, Profile, TestUser, browser};
use earshot_net::mastodon::{
    MastodonClient, MastodonError, NewStatus, NotificationKind, OUT_OF_BAND, Page, Pkce,
    StreamEvent,
};

fn client(server: &MastodonServer) -> MastodonClient {
    MastodonClient::new(server.url()).expect("client")
}

fn token(user: &TestUser) -> Sensitive<String> {
    Sensitive::new(user.token.clone())
}

/// Plays the person in the browser: approves as `username`; returns the redirect target.
async fn approve(authorize_url: &str, username: &str) -> String {
    match browser::decide(authorize_url, username, true).await {
        browser::Outcome::Redirect(location) => location,
        other => panic!("expected a redirect, got {other:?}"),
    }
}

#[tokio::test]
async fn instance_facts_come_from_v2_or_from_v1_on_older_servers() {
    let modern = MastodonServer::start(Profile::mastodon()).await;
    let facts = client(&modern).instance().await.expect("instance");
    assert_eq!(facts.domain, modern.host());
    assert_eq!(
        (facts.max_characters, facts.characters_reserved_per_url),
        (500, 23)
    );
    assert!(
        facts
            .streaming_url
            .is_some_and(|url| url.starts_with("ws://"))
    );

    let old = MastodonServer::start(Profile::quirky()).await;
    let facts = client(&old).instance().await.expect("instance from v1");
    assert_eq!(facts.domain, old.host());
    assert_eq!(facts.version, "3.5.3");
    assert_eq!(facts.streaming_url, None, "no streaming: Earshot must poll");
    assert_eq!(
        facts.video_size_limit,
        99 * 1024 * 1024,
        "a v1 server without media limits gets Mastodon's defaults"
    );
    assert!(old.requests_to("/api/v2/instance") == 1 && old.requests_to("/api/v1/instance") == 1);
}

#[tokio::test]
async fn sign_in_with_pkce_through_the_authorize_page() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    server.add_user("alice", "Alice");
    let client = client(&server);
    let redirect = "http://127.0.0.1:45678/callback";
    let app = client
        .register_app(&[redirect.to_owned()], "read write")
        .await
        .expect("register")
        .through(redirect, "read write")
        .expect("the server kept the redirect URI");
    let pkce = Pkce::new().expect("randomness");
    let url = client.authorize_url(&app, &pkce, "state-123");
    assert!(url.contains("code_challenge_method=S256"));

    let location = approve(&url, "alice").await;
    let back = reqwest::Url::parse(&location).expect("redirect url");
    assert_eq!(back.path(), "/callback");
    let param = |name: &str| {
        back.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(
        param("state").as_deref(),
        Some("state-123"),
        "state comes back unchanged"
    );
    let code = param("code").expect("a code");

    let wrong = Pkce::new().expect("randomness");
    let refused = client.exchange_code(&app, &code, &wrong).await;
    assert!(
        matches!(&refused, Err(MastodonError::Server { message, .. }) if message.contains("not accepted")),
        "a code needs its own verifier: {refused:?}"
    );
    // The failed attempt spent the code, as OAuth requires: sign in again for a new one.
    let location = approve(&url, "alice").await;
    let code = reqwest::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let token = client
        .exchange_code(&app, &code, &pkce)
        .await
        .expect("token");
    let me = client.verify_credentials(&token).await.expect("who am I");
    assert_eq!((me.username.as_str(), me.acct.as_str()), ("alice", "alice"));

    client.revoke(&app, &token).await.expect("revoke");
    let after = client.verify_credentials(&token).await;
    assert!(
        matches!(after, Err(MastodonError::InvalidToken { .. })),
        "{after:?}"
    );
}

#[tokio::test]
async fn the_out_of_band_redirect_shows_a_code_to_paste() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    server.add_user("alice", "Alice");
    let client = client(&server);
    let app = client
        .register_app(&[OUT_OF_BAND.to_owned()], "read write")
        .await
        .expect("register")
        .through(OUT_OF_BAND, "read write")
        .expect("the server kept the out-of-band redirect");
    let pkce = Pkce::new().expect("randomness");
    let outcome = browser::decide(&client.authorize_url(&app, &pkce, "s"), "alice", true).await;
    let browser::Outcome::Page { status: 200, html } = outcome else {
        panic!("the out-of-band flow shows a page: {outcome:?}");
    };
    let code = browser::code_on_page(&html).expect("the page shows the code");
    // People paste with stray whitespace.
    let token = client
        .exchange_code(&app, &format!("  {code}\n"), &pkce)
        .await
        .expect("token");
    assert_eq!(
        client
            .verify_credentials(&token)
            .await
            .expect("me")
            .username,
        "alice"
    );
}

#[tokio::test]
async fn notifications_page_by_link_headers_and_keep_unknown_types() {
    let server = MastodonServer::start(Profile::quirky()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let root = server.post(&alice, "Anyone at the meetup?", None, "public");
    let mut asked = Vec::new();
    for n in 0..5 {
        asked.push(server.post(
            &bob,
            &format!("@alice question {n}?"),
            Some(&root),
            "public",
        ));
    }
    let client = client(&server);
    let mut page = Page::Newest;
    let mut seen = Vec::new();
    let mut requests = 0;
    loop {
        let got = client
            .notifications(&token(&alice), &["mention"], &page, 2, false)
            .await
            .expect("a page");
        requests += 1;
        assert!(
            got.notifications
                .iter()
                .all(|n| n.kind == NotificationKind::Mention)
        );
        seen.extend(
            got.notifications
                .into_iter()
                .filter_map(|n| n.status.map(|s| s.id)),
        );
        match got.next {
            Some(next) if requests < 10 => page = next,
            _ => break,
        }
        if seen.len() >= 10 {
            break;
        }
    }
    seen.dedup();
    seen.reverse();
    assert_eq!(
        seen, asked,
        "every mention, oldest last page first; the duplicate listing is the caller's to drop"
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|p| !p.starts_with("/api/v1/notifications") || p.contains("limit=2")),
        "an explicit limit on every page, never the server's default of 1"
    );
}

#[tokio::test]
async fn a_reply_with_an_idempotency_key_is_published_once() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let question = server.post(&bob, "@alice is the game on tonight?", None, "direct");
    let client = client(&server);
    let reply = NewStatus {
        text: "@bob yes, 8 pm!".into(),
        in_reply_to_id: Some(question.clone()),
        visibility: "direct".into(),
        spoiler_text: String::new(),
        language: None,
        media_ids: Vec::new(),
    };
    let first = client
        .post_status(&token(&alice), &reply, "key-1")
        .await
        .expect("post");
    let retry = client
        .post_status(&token(&alice), &reply, "key-1")
        .await
        .expect("retry");
    assert_eq!(
        first.id, retry.id,
        "a retry after a timeout returns the same status"
    );
    assert_eq!(
        server.statuses_of(&alice).len(),
        1,
        "published exactly once"
    );
    assert_eq!(first.in_reply_to_id.as_deref(), Some(question.as_str()));
    assert_eq!(first.visibility, "direct");

    let context = client
        .context(&token(&bob), &first.id)
        .await
        .expect("context");
    let ancestors: Vec<&str> = context.ancestors.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ancestors, vec![question.as_str()]);
}

#[tokio::test]
async fn refusals_are_told_apart() {
    let quirky = MastodonServer::start(Profile::quirky()).await;
    let client = self::client(&quirky);
    let nobody = Sensitive::new("not-a-token".to_owned());
    let refused = client.verify_credentials(&nobody).await;
    assert!(
        matches!(refused, Err(MastodonError::InvalidToken { .. })),
        "422 for a bad token still means: sign in again ({refused:?})"
    );
    assert!(
        quirky.requests_to("/api/v1/accounts/verify_credentials") == 1,
        "Earshot's User-Agent got it past the 418 gate"
    );

    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    server.rate_limit_next("/api/v1/notifications", 1, 90);
    let limited = self::client(&server)
        .notifications(&token(&alice), &[], &Page::Newest, 40, false)
        .await;
    match limited {
        Err(MastodonError::RateLimited {
            reset_at: Some(at), ..
        }) => {
            let wait = at.as_second() - jiff::Timestamp::now().as_second();
            assert!(
                (80..=91).contains(&wait),
                "the reset is read from X-RateLimit-Reset: {wait}"
            );
        }
        other => panic!("a 429 is RateLimited with its reset: {other:?}"),
    }
}

#[tokio::test]
async fn mentions_arrive_over_the_stream_until_it_drops_and_again_after_reconnecting() {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let client = client(&server);
    let streaming = client
        .instance()
        .await
        .expect("instance")
        .streaming_url
        .expect("this server streams");
    let mut stream = client
        .stream_user(&streaming, &token(&alice))
        .await
        .expect("connect");

    let asked = server.post(&bob, "@alice is the game on tonight?", None, "public");
    let Some(Ok(StreamEvent::Notification(arrived))) =
        tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
            .await
            .expect("within 5 s")
    else {
        panic!("a readable notification");
    };
    assert_eq!(arrived.kind, NotificationKind::Mention);
    assert_eq!(arrived.status.map(|s| s.id), Some(asked.clone()));

    // Alice answers from her phone: her own status comes over the same stream.
    let answer = server.post(&alice, "@bob yes!", Some(&asked), "public");
    let Some(Ok(StreamEvent::Update(own))) =
        tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
            .await
            .expect("within 5 s")
    else {
        panic!("her own status");
    };
    assert_eq!(
        (own.id.as_str(), own.in_reply_to_id.as_deref()),
        (answer.as_str(), Some(asked.as_str()))
    );
    server.delete(&bob, &asked);
    let deleted = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
        .await
        .expect("within 5 s");
    assert!(
        matches!(&deleted, Some(Ok(StreamEvent::Delete(id))) if *id == asked),
        "{deleted:?}"
    );

    server.drop_streams();
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
        .await
        .expect("the end is noticed");
    assert!(ended.is_none(), "a closed stream ends: {ended:?}");

    let mut again = client
        .stream_user(&streaming, &token(&alice))
        .await
        .expect("reconnect");
    let later = server.post(&bob, "@alice and tomorrow?", None, "public");
    let Some(Ok(StreamEvent::Notification(arrived))) =
        tokio::time::timeout(std::time::Duration::from_secs(5), again.next())
            .await
            .expect("within 5 s")
    else {
        panic!("readable");
    };
    assert_eq!(arrived.status.map(|s| s.id), Some(later));

    let refused = client
        .stream_user(&streaming, &Sensitive::new("revoked".into()))
        .await;
    assert!(
        matches!(refused, Err(MastodonError::InvalidToken { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_server_without_streaming_says_so() {
    let server = MastodonServer::start(Profile::quirky()).await;
    let alice = server.add_user("alice", "Alice");
    let refused = client(&server)
        .stream_user(&server.url().replace("http", "ws"), &token(&alice))
        .await;
    assert!(
        matches!(refused, Err(MastodonError::Server { status: 404, .. })),
        "so the caller falls back to polling: {refused:?}"
    );
}

/// Several redirect URIs in one registration: every profile keeps each of them, because
/// Earshot sends one per line (GoToSocial splits on newlines only; spaces made one mangled
/// URI there).
#[tokio::test]
async fn every_server_keeps_each_redirect_uri_of_one_registration() {
    let uris: Vec<String> = vec![
        "http://127.0.0.1:51780/callback".into(),
        "http://127.0.0.1:51781/callback".into(),
        OUT_OF_BAND.into(),
    ];
    for profile in [Profile::mastodon(), Profile::gotosocial(), Profile::snac()] {
        let server = MastodonServer::start(profile.clone()).await;
        let registration = client(&server)
            .register_app(&uris, "read write")
            .await
            .expect("register");
        assert_eq!(
            registration.redirect_uris, uris,
            "{:?} stored every URI as sent",
            profile.software
        );
    }
}

/// snac closes every connection after its response without saying so: a token exchange on
/// a kept connection would be lost. It succeeds on the first call, and the client stops
/// keeping connections to that server.
#[tokio::test]
async fn a_token_exchange_survives_a_server_that_closes_kept_connections() {
    let server = MastodonServer::start(Profile::snac()).await;
    server.add_user("alice", "Alice");
    let client = client(&server);
    let app = client
        .register_app(&[OUT_OF_BAND.to_owned()], "read write")
        .await
        .expect("register")
        .through(OUT_OF_BAND, "read write")
        .expect("kept");
    let pkce = Pkce::new().expect("randomness");
    let outcome = browser::decide(&client.authorize_url(&app, &pkce, "s"), "alice", true).await;
    let browser::Outcome::Page { html, .. } = outcome else {
        panic!("a code page: {outcome:?}");
    };
    let code = browser::code_on_page(&html).expect("code");
    // The registration's connection is kept by the client and dead on the server's side.
    let token = client
        .exchange_code(&app, &code, &pkce)
        .await
        .expect("the exchange gets through on the first call");
    for _ in 0..5 {
        client
            .verify_credentials(&token)
            .await
            .expect("later requests get through too");
    }
}

/// A refused token is known by its status and the OAuth error code, not by words: a 422
/// that names the token in prose only is an ordinary refusal.
#[tokio::test]
async fn a_refused_token_is_known_by_its_oauth_error_not_its_wording() {
    let server = MastodonServer::start(Profile::quirky()).await;
    let after = client(&server)
        .verify_credentials(&Sensitive::new("not-a-token".to_owned()))
        .await;
    assert!(
        matches!(after, Err(MastodonError::InvalidToken { .. })),
        "422 with error=\"invalid_token\" is a refused token: {after:?}"
    );
}
