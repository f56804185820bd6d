use earshot_e2e::{Driver, Result};

/// Text that trips up naive handling: emoji with modifiers, Hebrew, a combining accent.
const AWKWARD: &str = "Is the game on tonight? 👍🏽 שלום cafe\u{301}";

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn a_draft_survives_quit_and_relaunch_and_delete_can_be_undone() -> Result<()> {
    let driver = Driver::start().await?;

    let app = driver.launch().await?;
    app.click("[data-testid=nav-drafts]").await?;
    app.click("[data-testid=new-draft]").await?;
    let editor = app.css("[data-testid=draft-editor]").await?;
    editor.send_keys("Is the game on tonight? ").await?;
    app.insert_text("👍🏽").await?;
    editor.send_keys(" שלום cafe\u{301}").await?;
    app.wait_until_saved().await?;
    assert_eq!(
        app.editor_value().await?,
        AWKWARD,
        "typed text arrives intact"
    );
    let count = app
        .css("[data-testid=character-count]")
        .await?
        .text()
        .await?;
    assert_eq!(
        count, "35 characters",
        "graphemes, not code units: 👍🏽 and é count once"
    );
    app.quit_from_tray().await?;

    let app = driver.launch().await?;
    app.click("[data-testid=nav-drafts]").await?;
    // The draft is listed after a relaunch…
    app.expect_texts("[data-testid=draft-row] .title", &[AWKWARD])
        .await?;
    app.click("[data-testid=draft-row]").await?;
    assert_eq!(
        app.editor_value().await?,
        AWKWARD,
        "and its text is exactly what was typed"
    );

    app.click("[data-testid=delete-draft]").await?;
    app.expect_texts("[data-testid=draft-row]", &[]).await?;
    let toast = app.css("[data-testid=toast]").await?.text().await?;
    assert!(
        toast.starts_with("Draft deleted."),
        "the person is told, and offered undo: {toast}"
    );
    app.click("[data-testid=toast-action]").await?;
    app.expect_texts("[data-testid=draft-row] .title", &[AWKWARD])
        .await?;
    app.quit_from_tray().await?;

    // An undone delete stays undone after a relaunch.
    let app = driver.launch().await?;
    app.click("[data-testid=nav-drafts]").await?;
    app.expect_texts("[data-testid=draft-row] .title", &[AWKWARD])
        .await?;
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn kill_9_while_typing_loses_at_most_the_last_autosave_interval() -> Result<()> {
    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    app.click("[data-testid=nav-drafts]").await?;
    app.click("[data-testid=new-draft]").await?;
    let editor = app.css("[data-testid=draft-editor]").await?;
    editor.send_keys("Saved before the crash.").await?;
    app.wait_until_saved().await?;

    // Keep typing and pull the plug mid-sentence, with no pause for the debounce.
    editor.send_keys(" Typed in the last instant").await?;
    app.kill_hard().await?;

    let app = driver.launch().await?;
    app.click("[data-testid=nav-drafts]").await?;
    app.click("[data-testid=draft-row]").await?;
    app.css("[data-testid=draft-editor]").await?;
    let body = app.editor_value().await?;
    let full = "Saved before the crash. Typed in the last instant";
    assert!(
        body.starts_with("Saved before the crash.") && full.starts_with(&body),
        "only the unsaved tail may be lost, never what was saved or a mangled mix: {body:?}"
    );
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn data_from_a_newer_earshot_is_explained_and_left_alone() -> Result<()> {
    let driver = Driver::start().await?;
    let database = driver.data_dir().join("earshot.sqlite3");
    let created = tokio::process::Command::new("/usr/bin/python3")
        .args(["-c", "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version = 999')"])
        .arg(&database)
        .status()
        .await?;
    assert!(
        created.success(),
        "python3 wrote a database from the future"
    );
    let before = std::fs::read(&database)?;

    let app = driver.launch().await?;
    let message = app.css("[data-testid=startup-error]").await?.text().await?;
    assert!(
        message.contains("written by a newer version of Earshot")
            && message.contains("Update Earshot"),
        "the person is told what happened and what to do: {message}"
    );
    assert_eq!(
        std::fs::read(&database)?,
        before,
        "the newer data is not touched"
    );
    app.quit_from_tray().await
}
