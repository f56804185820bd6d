use earshot_e2e::{
    App, Driver, Result, TRAY_ATTENTION_AMBER, close_window, tray, tray_icon_pixels, window_shown,
};
use earshot_mastodon_server::{MastodonServer, Profile, TestUser};
use earshot_test_support::desktop::pick_notification_action;

#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn a_mastodon_account_signs_in_through_the_browser_and_hostile_html_stays_text() -> Result<()>
{
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob Builder");
    server.post(&bob, "@alice is the game on tonight?", None, "direct");
    server.post(
        &bob,
        r#"@alice raw_html:<p>look <img src="x" onerror="document.title='pwned'"><script>document.title='pwned'</script><a href="javascript:document.title='pwned'">here</a></p>"#,
        None,
        "public",
    );

    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&alice.username);
    let app = driver.launch().await?;
    app.sign_in_to_mastodon(server.url()).await?;
    // The stand-in browser approves; Earshot finishes by itself.
    app.expect_texts(
        "[data-testid=account-row] .handle",
        &[&format!("@alice@{}", server.host())],
    )
    .await?;

    app.click("[data-testid=nav-inbox]").await?;
    app.expect_texts(
        "[data-testid=inbox-text]",
        &["look here", "@alice is the game on tonight?"],
    )
    .await?;
    let planted = app
        .client
        .execute(
            "return [document.title, \
             document.querySelectorAll('[data-testid=inbox-list] img, [data-testid=inbox-list] script, [data-testid=inbox-list] a[href]').length];",
            vec![],
        )
        .await?;
    assert_eq!(
        planted,
        serde_json::json!(["Earshot", 0]),
        "no markup from the server reached the page, and none of it ran"
    );

    // Answer the direct message: the reply box starts with the asker's handle.
    app.click("[data-testid=inbox-row]:nth-child(2)").await?;
    app.until("the reply box is addressed", || async {
        let value = app
            .css("[data-testid=reply-box]")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        Ok(value.starts_with("@bob@"))
    })
    .await?;
    app.type_into("[data-testid=reply-box]", "yes, 8 pm!")
        .await?;
    app.click("[data-testid=reply-send]").await?;
    app.css("[data-testid=thread-answered]").await?;
    let mine = server.statuses_of(&alice);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].2, "direct", "the answer to a DM stays direct");
    assert!(mine[0].1.ends_with("yes, 8 pm!"), "{:?}", mine[0].1);
    app.quit_from_tray().await
}

/// GoToSocial as observed (redirect URIs split on newlines only, Idempotency-Key ignored):
/// the sign-in that failed every time on a real GoToSocial server goes through the real UI,
/// and an answer goes out once.
#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn a_gotosocial_account_signs_in_through_the_browser_and_answers_once() -> Result<()> {
    let server = MastodonServer::start(Profile::gotosocial()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob Builder");
    server.post(&bob, "@alice are you open on Sunday?", None, "public");

    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&alice.username);
    let app = driver.launch().await?;
    app.sign_in_to_mastodon(server.url()).await?;
    app.expect_texts(
        "[data-testid=account-row] .handle",
        &[&format!("@alice@{}", server.host())],
    )
    .await?;

    app.click("[data-testid=nav-inbox]").await?;
    app.expect_texts(
        "[data-testid=inbox-text]",
        &["@alice are you open on Sunday?"],
    )
    .await?;
    app.click("[data-testid=inbox-row]").await?;
    app.css("[data-testid=reply-box]").await?;
    app.type_into("[data-testid=reply-box]", "from noon!")
        .await?;
    app.click("[data-testid=reply-send]").await?;
    app.css("[data-testid=thread-answered]").await?;
    let mine = server.statuses_of(&alice);
    assert_eq!(
        mine.len(),
        1,
        "one answer on a server that ignores Idempotency-Key"
    );
    assert!(mine[0].1.ends_with("from noon!"), "{:?}", mine[0].1);
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn reply_on_a_notification_opens_the_thread_with_the_reply_box_ready() -> Result<()> {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob Builder");
    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&alice.username);
    let app = driver.launch().await?;
    app.turn_off_quiet_hours().await?;
    app.sign_in_to_mastodon(server.url()).await?;
    app.css("[data-testid=account-row][data-sync-state=synced]")
        .await?;
    // Earshot lives in the tray while the person does something else.
    close_window("Earshot").await?;

    server.post(&bob, "@alice are you joining the call?", None, "public");
    // dunst lists the notification's actions; the person picks Reply.
    app.until("the notification to offer Reply", || async {
        pick_notification_action(&format!("#Reply (@bob@{} asks on Mastodon)", server.host()));
        window_shown("Earshot").await
    })
    .await?;
    app.expect_texts(
        "[data-testid=owed-reason]",
        &["asks: are you joining the call?"],
    )
    .await?;
    app.css("[data-testid=thread-post][data-place=focus]")
        .await?;
    app.until("the reply box to have the focus", || async {
        let focused = app
            .client
            .execute(
                "return document.activeElement?.dataset?.testid ?? null;",
                vec![],
            )
            .await?;
        Ok(focused == serde_json::json!("reply-box"))
    })
    .await?;

    // Done on the next question's notification: it leaves Owed, and the tray counts one less.
    server.post(&bob, "@alice is the room booked?", None, "public");
    app.until("the tray to count both questions", || async {
        Ok(tray(&["items"]).await?.starts_with("2 answers owed"))
    })
    .await?;
    app.until("Done on the notification to take effect", || async {
        pick_notification_action(&format!("#Done (@bob@{} asks on Mastodon)", server.host()));
        Ok(tray(&["items"]).await?.starts_with("1 answer owed"))
    })
    .await?;
    app.expect_texts(
        "[data-testid=owed-reason]",
        &["asks: are you joining the call?"],
    )
    .await?;

    // The server stops accepting Earshot's token: the tray says an account needs the person.
    assert_eq!(tray_icon_pixels(TRAY_ATTENTION_AMBER).await?, 0);
    server.revoke_tokens(&alice);
    app.click("[data-testid=nav-accounts]").await?;
    app.click("[data-testid=sync-now]").await?;
    app.css("[data-testid=account-row][data-sync-state=needs_sign_in]")
        .await?;
    app.until(
        "the tray to show that an account needs attention",
        || async {
            let menu = tray(&["items"]).await?;
            Ok(menu
                .lines()
                .next()
                .is_some_and(|first| first.ends_with("needs you"))
                && tray_icon_pixels(TRAY_ATTENTION_AMBER).await? > 50)
        },
    )
    .await?;
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn a_post_planned_in_the_ui_is_published_once() -> Result<()> {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let (_driver, app) = signed_in_as(&server, &alice).await?;

    app.click("[data-testid=nav-planned]").await?;
    app.css("[data-testid=planned-empty]").await?;
    app.type_into("[data-testid=plan-part]", "Doors open at 9, see you there!")
        .await?;
    // The server's rule: 500 characters.
    app.expect_texts(
        "[data-testid=plan-counter]",
        &[&format!("@alice@{}: 469 left", server.host())],
    )
    .await?;
    // Due this very minute: it goes out at once.
    app.client.execute(SET_WHEN_TO_NOW, vec![]).await?;
    app.click("[data-testid=plan-save-approve]").await?;
    app.click("[data-testid=plan-schedule]").await?;
    app.expect_texts("[data-testid=plan-status]", &["Published"])
        .await?;
    let posted = server.statuses_of(&alice);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].1, "Doors open at 9, see you there!");

    // A refused post is loud: its state and the server's words, and the tray.
    server.revoke_tokens(&alice);
    app.click("[data-testid=plan-new]").await?;
    app.type_into("[data-testid=plan-part]", "This one will be refused.")
        .await?;
    app.client.execute(SET_WHEN_TO_NOW, vec![]).await?;
    app.click("[data-testid=plan-save-approve]").await?;
    app.click("[data-testid=plan-card][data-stage=approved] [data-testid=plan-schedule]")
        .await?;
    app.expect_texts("[data-testid=plan-status]", &["Published", "Failed"])
        .await?;
    app.until(
        "the tray to say a planned post needs the person",
        || async {
            let menu = tray(&["items"]).await?;
            Ok(menu
                .lines()
                .next()
                .is_some_and(|first| first.contains("1 planned post needs you")))
        },
    )
    .await?;
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn an_event_post_is_drafted_approved_scheduled_and_published_once() -> Result<()> {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (_driver, app) = signed_in_as(&server, &alice).await?;

    app.click("[data-testid=nav-events]").await?;
    app.css("[data-testid=events-empty]").await?;
    app.click("[data-testid=event-new]").await?;
    app.type_into("[data-testid=event-name]", "DevConf").await?;
    app.type_into("[data-testid=event-hashtags]", "#devconf")
        .await?;
    app.click("[data-testid=event-save]").await?;
    app.expect_texts("[data-testid=event-title]", &["DevConf"])
        .await?;
    app.type_into("[data-testid=topic-new]", "Doors").await?;
    app.click("[data-testid=topic-add]").await?;
    app.css("[data-testid=topic]").await?;

    app.click("[data-testid=topic-plan]").await?;
    app.type_into("[data-testid=plan-part]", "Doors open at 9!")
        .await?;
    // 500 characters, less the text and the "\n\n#devconf" the event adds.
    app.expect_texts(
        "[data-testid=plan-counter]",
        &[&format!("@alice@{}: 474 left", server.host())],
    )
    .await?;
    app.client.execute(SET_WHEN_TO_NOW, vec![]).await?;
    app.click("[data-testid=plan-save]").await?;
    app.expect_texts("[data-testid=plan-status]", &["Draft"])
        .await?;
    app.click("[data-testid=plan-approve]").await?;
    app.expect_texts("[data-testid=plan-status]", &["Approved"])
        .await?;
    assert!(
        server.statuses_of(&alice).is_empty(),
        "approved is not scheduled"
    );
    app.click("[data-testid=plan-schedule]").await?;
    app.expect_texts("[data-testid=plan-status]", &["Published"])
        .await?;
    let posted = server.statuses_of(&alice);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].1, "Doors open at 9!\n\n#devconf");
    app.css("[data-testid=topic] input:checked").await?;

    // A question under it shows as what the post drew, still owed.
    server.post(&bob, "@alice which entrance?", Some(&posted[0].0), "public");
    app.expect_texts(
        "[data-testid=plan-follow-up]",
        &["1 reply · 1 question · 1 still owed"],
    )
    .await?;
    app.quit_from_tray().await
}

/// Earshot launched, signed in to `server` as `user` through the stand-in browser, and
/// synced. The driver holds the app's data folder: keep it as long as the app.
async fn signed_in_as(server: &MastodonServer, user: &TestUser) -> Result<(Driver, App)> {
    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&user.username);
    let app = driver.launch().await?;
    app.sign_in_to_mastodon(server.url()).await?;
    app.css("[data-testid=account-row][data-sync-state=synced]")
        .await?;
    Ok((driver, app))
}

/// Sets the composer's time (Planned or Events) to this very minute: due at once.
const SET_WHEN_TO_NOW: &str = "const input = document.querySelector('[data-testid=plan-when]');
     const now = new Date();
     const pad = (n) => String(n).padStart(2, '0');
     input.value = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
     input.dispatchEvent(new Event('input', { bubbles: true }));
     return null;";

/// The Report from seeded history: one person left hanging three days, one answered within
/// the hour two days ago, one message still within the window, one question 20 days old
/// that only reading back further finds — and its CSV and the client report, read back.
#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn the_report_counts_who_was_left_hanging_and_exports_its_items() -> Result<()> {
    use std::time::Duration;
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let carol = server.add_user("carol", "Carol");
    let dave = server.add_user("dave", "Dave");
    let hour = Duration::from_secs(3600);
    let forgotten = server.post(&bob, "@alice is the venue accessible?", None, "public");
    server.backdate(&forgotten, hour * 72);
    let answered = server.post(&carol, "@alice where is the keynote?", None, "public");
    server.backdate(&answered, hour * 48);
    let reply = server.post(&alice, "@carol hall B", Some(&answered), "public");
    server.backdate(&reply, hour * 47);
    server.post(&dave, "@alice see you there", None, "direct");
    // Older than the first sync's week: only reading back further finds it.
    let old = server.post(&dave, "@alice do you sell gift cards?", None, "public");
    server.backdate(&old, hour * 24 * 20);

    let home = tempfile::tempdir()?;
    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&alice.username)
        .with_env("HOME", &home.path().to_string_lossy());
    let app = driver.launch().await?;
    app.sign_in_to_mastodon(server.url()).await?;
    app.css("[data-testid=account-row][data-sync-state=synced]")
        .await?;
    // Read back 30 days (the choice offered first): the 20-day-old question arrives, owed.
    app.click("[data-testid=nav-accounts]").await?;
    app.click("[data-testid=history-start]").await?;
    app.css("[data-testid=account-history][data-history-state=done]")
        .await?;
    let words = app.texts("[data-testid=history-words]").await?;
    assert!(
        words[0].starts_with("Read back 30 days: 1 of your posts, 4 posts addressed to you"),
        "{words:?}"
    );
    app.click("[data-testid=nav-report]").await?;
    app.expect_texts(
        "[data-testid=report-headline]",
        &["1 person would have hung up on you"],
    )
    .await?;
    app.expect_texts("[data-testid=report-rate]", &["50 %"])
        .await?;
    app.click("[data-testid=report-export-csv]").await?;
    app.css("[data-testid=report-exported]").await?;
    let saved = std::fs::read_dir(home.path())?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .ok_or("no CSV in the home folder")?;
    let csv = std::fs::read_to_string(&saved)?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "a header and one row per item: {csv}");
    assert!(
        lines[0].starts_with("account,network,author,kind,question,asked_at,answered_at"),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("bob") && l.ends_with("left hanging")),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("carol") && l.contains("another app") && l.ends_with("in time")),
        "{csv}"
    );

    // The report for a client: one file with the figures and the charts as drawn.
    app.css("[data-testid=chart-asked] svg").await?;
    app.click("[data-testid=report-save-client]").await?;
    let html_in_home = || {
        std::fs::read_dir(home.path())
            .ok()?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "html"))
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let saved = loop {
        match html_in_home() {
            Some(saved) => break saved,
            None if std::time::Instant::now() > deadline => {
                let mut said = app.texts("[data-testid=toast]").await?;
                said.extend(app.texts("[data-testid=report-exported]").await?);
                return Err(
                    format!("no HTML report in the home folder; the app said {said:?}").into(),
                );
            }
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    // The file lands a moment before the screen says so.
    app.expect_texts(
        "[data-testid=report-exported]",
        &[&format!("Saved as {}", saved.display())],
    )
    .await?;
    let html = std::fs::read_to_string(&saved)?;
    assert!(
        html.contains("1 person would have hung up on you"),
        "{html}"
    );
    assert!(
        html.contains("default-src 'none'"),
        "the file loads nothing"
    );
    assert!(
        html.matches("<svg").count() >= 4,
        "the day-by-day, distribution and both heat map charts"
    );
    assert!(!html.contains("<button"), "no controls in a client's copy");
    app.quit_from_tray().await
}

/// A question asked under an event's hashtag, addressed to nobody, is heard (not owed),
/// answered from Heard in its thread with the status's visibility, and counted on the event.
#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn a_question_heard_under_an_events_hashtag_is_answered_from_heard() -> Result<()> {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    let (_driver, app) = signed_in_as(&server, &alice).await?;

    app.click("[data-testid=nav-events]").await?;
    app.click("[data-testid=event-new]").await?;
    app.type_into("[data-testid=event-name]", "RustConf")
        .await?;
    app.type_into("[data-testid=event-hashtags]", "#rustconf")
        .await?;
    app.click("[data-testid=event-save]").await?;
    app.expect_texts("[data-testid=event-heard]", &["No questions heard yet"])
        .await?;
    // The event starts in a week: listening begins the day before, unless moved to today.
    let today = app.client.execute(LISTEN_FROM_TODAY, vec![]).await?;
    let today = today.as_str().unwrap_or_default().to_owned();
    app.until("listening starts today", async || {
        let from = app
            .css("[data-testid=listen-from]")
            .await?
            .prop("value")
            .await?;
        Ok(from.as_deref() == Some(today.as_str()))
    })
    .await?;

    server.post(
        &bob,
        "anyone know where the tauri workshop is #rustconf",
        None,
        "public",
    );
    server.post(&bob, "great keynote #rustconf", None, "public");
    app.expect_texts("[data-testid=rail-heard-count]", &["1"])
        .await?;
    assert!(
        app.texts("[data-testid=rail-owed-count]").await?.is_empty(),
        "nobody asked alice: nothing is owed"
    );
    app.click("[data-testid=nav-heard]").await?;
    app.expect_texts("[data-testid=heard-why]", &["asked under #rustconf"])
        .await?;
    app.click("[data-testid=heard-row]").await?;
    app.css("[data-testid=reply-box]").await?;
    app.type_into("[data-testid=reply-box]", "Room B, after lunch")
        .await?;
    app.click("[data-testid=reply-send]").await?;
    app.css("[data-testid=heard-empty]").await?;
    let mine = server.statuses_of(&alice);
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(
        mine[0].1.ends_with("Room B, after lunch"),
        "{:?}",
        mine[0].1
    );
    assert_eq!(mine[0].2, "public", "as visible as the question, no more");
    assert!(mine[0].3.is_some(), "in the question's thread");

    app.click("[data-testid=nav-events]").await?;
    app.expect_texts(
        "[data-testid=event-heard]",
        &["1 question heard, 1 answered"],
    )
    .await?;
    app.quit_from_tray().await
}

/// Moves the selected event's first listening day to today (local), as choosing it in the
/// date field does; returns the day.
const LISTEN_FROM_TODAY: &str = "const input = document.querySelector('[data-testid=listen-from]');
     const now = new Date();
     const pad = (n) => String(n).padStart(2, '0');
     const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
     input.value = today;
     input.dispatchEvent(new Event('change', { bubbles: true }));
     return today;";
