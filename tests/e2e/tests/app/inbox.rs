use std::time::Duration;

use earshot_e2e::{Driver, Result, TRAY_COUNT_RED, TestAccount, tray, tray_icon_pixels};
use serde_json::json;

/// The app polls every 15 s; allow for one interval plus indexing and rendering.
const ONE_POLL: Duration = Duration::from_secs(30);

#[tokio::test]
#[ignore = "needs the built app, the desktop session and the Bluesky reference servers (make test)"]
async fn a_question_reaches_the_inbox_and_is_answered_from_its_thread() -> Result<()> {
    let alice = TestAccount::create("alice").await;
    let app_password = alice.app_password("Earshot").await;
    let bob = TestAccount::create("bob").await;
    let root = alice.post("Watching the match on Saturday").await;
    let question = bob.reply(&root, &root, "is the game on tonight?").await;

    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    // Past the guide, Owed is the start screen; empty, it says what will appear and how to begin.
    app.css("[data-testid=owed-empty]").await?;
    app.sign_in_to_bluesky(&alice.handle, &app_password).await?;
    app.expect_texts(
        "[data-testid=account-row] .handle",
        &[&format!("@{}", alice.handle)],
    )
    .await?;

    app.click("[data-testid=nav-owed]").await?;
    app.expect_texts(
        "[data-testid=owed-reason]",
        &["asks: is the game on tonight?"],
    )
    .await?;
    app.click("[data-testid=nav-inbox]").await?;
    app.expect_texts("[data-testid=inbox-text]", &["is the game on tonight?"])
        .await?;
    // A question asked while Earshot runs arrives with the next poll, on top.
    bob.reply(&root, &root, "and who is playing?").await;
    app.expect_texts_within(
        "[data-testid=inbox-text]",
        &["and who is playing?", "is the game on tonight?"],
        ONE_POLL,
    )
    .await?;
    app.expect_texts("[data-testid=inbox-waiting]", &["2 waiting for you"])
        .await?;

    app.click("[data-testid=inbox-row]:nth-child(2)").await?;
    app.expect_texts(
        "[data-testid=thread-text]",
        &["Watching the match on Saturday", "is the game on tonight?"],
    )
    .await?;
    app.type_into("[data-testid=reply-box]", "Yes, 8 pm!")
        .await?;
    app.expect_texts("[data-testid=reply-counter]", &["290 left"])
        .await?;
    app.click("[data-testid=reply-send]").await?;
    app.css("[data-testid=thread-answered]").await?;
    app.expect_texts("[data-testid=answered]", &["✓ Answered"])
        .await?;
    app.expect_texts("[data-testid=inbox-waiting]", &["1 waiting for you"])
        .await?;

    // Answered in the Inbox, it left Owed; the tray counts what is left.
    app.click("[data-testid=nav-owed]").await?;
    app.expect_texts("[data-testid=owed-reason]", &["asks: and who is playing?"])
        .await?;
    let menu = tray(&["items"]).await?;
    assert!(
        menu.starts_with("1 answer owed — waiting "),
        "the tray menu opens with the count: {menu}"
    );
    assert!(
        menu.contains(": and who is playing?"),
        "and lists the question: {menu}"
    );
    assert!(
        tray_icon_pixels(TRAY_COUNT_RED).await? > 50,
        "the icon carries the count"
    );
    // "No reply needed" from the keyboard takes it out of Owed, and out of the tray.
    app.click("[data-testid=owed-row]").await?;
    app.css("[data-testid=owed-list]")
        .await?
        .send_keys("e")
        .await?;
    app.css("[data-testid=owed-empty]").await?;
    app.until("the tray to count nothing owed", || async {
        Ok(tray(&["items"]).await?.starts_with("No answers owed"))
    })
    .await?;
    assert_eq!(
        tray_icon_pixels(TRAY_COUNT_RED).await?,
        0,
        "no count, no badge"
    );

    // Bob, in his own client, sees the answer under his question.
    let mut seen = None;
    for _ in 0..100 {
        let thread = bob.thread(&question.uri).await;
        if let Some(reply) = thread["thread"]["replies"].get(0) {
            seen = Some(reply["post"]["record"].clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let record = seen.ok_or("bob never saw the answer")?;
    assert_eq!(record["text"], json!("Yes, 8 pm!"));
    assert_eq!(record["reply"]["parent"]["uri"], json!(question.uri));
    app.quit_from_tray().await
}

/// A Bluesky direct message: owed, opened as its conversation, answered from Earshot — and
/// bob sees the answer once in his conversation.
#[tokio::test]
#[ignore = "needs the built app, the desktop session and the Bluesky reference servers (make test)"]
async fn a_bluesky_direct_message_is_answered_from_owed() -> Result<()> {
    let alice = TestAccount::create("alice").await;
    let app_password = alice.app_password_with_messages("Earshot").await;
    let bob = TestAccount::create("bob").await;
    let asked = bob.message(&alice, "is the game on tonight?").await;

    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    app.sign_in_to_bluesky(&alice.handle, &app_password).await?;
    app.click("[data-testid=nav-owed]").await?;
    app.expect_texts(
        "[data-testid=owed-reason]",
        &["asks: is the game on tonight?"],
    )
    .await?;
    app.click("[data-testid=nav-inbox]").await?;
    app.click_row("inbox-row", "is the game on tonight?")
        .await?;
    app.expect_texts("[data-testid=thread-text]", &["is the game on tonight?"])
        .await?;
    app.type_into("[data-testid=reply-box]", "Yes, from 8!")
        .await?;
    app.expect_texts("[data-testid=reply-counter]", &["988 left"])
        .await?;
    app.click("[data-testid=reply-send]").await?;
    app.css("[data-testid=thread-answered]").await?;
    app.click("[data-testid=nav-owed]").await?;
    app.css("[data-testid=owed-empty]").await?;
    assert_eq!(
        bob.messages_from(&asked.convo, &alice).await,
        ["Yes, from 8!"]
    );
    app.quit_from_tray().await
}
