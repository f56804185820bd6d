//! Everyone can use it: axe-core on every screen and state worth checking, in the light and
//! the dark theme; the keyboard paths, checked by where focus lands; the first-run guide
//! walked on a fresh data folder.

use std::time::Duration;

use earshot_e2e::{App, Driver, Result};
use earshot_mastodon_server::{MastodonServer, Profile, TestUser};
use earshot_test_support::desktop::BusMonitor;
use fantoccini::key::Key;
use serde_json::json;

/// A Mastodon test server where bob asked alice two questions.
async fn asked_twice() -> (MastodonServer, TestUser) {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let bob = server.add_user("bob", "Bob");
    server.post(&bob, "@alice is the game on tonight?", None, "public");
    server.post(&bob, "@alice who is playing?", None, "public");
    (server, alice)
}

#[tokio::test]
#[ignore = "needs the built app, the desktop session and the Bluesky reference servers (make test)"]
async fn every_screen_passes_axe_in_the_light_theme() -> Result<()> {
    every_screen_passes_axe(false).await
}

#[tokio::test]
#[ignore = "needs the built app, the desktop session and the Bluesky reference servers (make test)"]
async fn every_screen_passes_axe_in_the_dark_theme() -> Result<()> {
    every_screen_passes_axe(true).await
}

/// Walks every screen and state worth checking and fails on any serious or critical axe
/// violation, listing them all (not just the first) with the screen they were on.
async fn every_screen_passes_axe(dark: bool) -> Result<()> {
    let (server, alice) = asked_twice().await;
    let mut driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&alice.username)
        .keeping_the_guide();
    if dark {
        // WebKitGTK reports `prefers-color-scheme: dark` under a dark GTK theme.
        driver = driver.with_env("GTK_THEME", "Adwaita:dark");
    }
    let app = driver.launch().await?;
    let reported = app
        .client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await?;
    assert_eq!(reported, json!(dark), "the page is in the theme under test");

    let mut audit = Audit::default();
    audit.prove_it_can_fail(&app).await?;
    app.css("[data-testid=guide]").await?;
    audit.check(&app, "first-run guide").await?;

    app.click("[data-testid=nav-accounts]").await?;
    app.css("[data-testid=mastodon-server]").await?;
    audit.check(&app, "Accounts: both sign-in forms").await?;
    app.fill_bluesky_sign_in("nobody.test", "wrong-wrong")
        .await?;
    app.click("[data-testid=bluesky-sign-in]").await?;
    app.css("[data-testid=accounts-error]").await?;
    audit.check(&app, "Accounts: a sign-in refused").await?;
    app.sign_in_to_mastodon(server.url()).await?;
    app.css("[data-testid=account-row][data-sync-state=synced]")
        .await?;
    audit.check(&app, "Accounts: signed in").await?;

    app.click("[data-testid=nav-owed]").await?;
    app.css("[data-testid=owed-row]").await?;
    audit.check(&app, "Owed: the list").await?;
    app.click("[data-testid=owed-row]").await?;
    app.css("[data-testid=reply-box]").await?;
    audit
        .check(&app, "Owed: a thread and its reply box")
        .await?;
    app.click("[data-testid=owed-snooze]").await?;
    app.css("[data-testid=snooze-choice]").await?;
    audit.check(&app, "Owed: the snooze choices").await?;
    app.press(&Key::Escape.to_string()).await?;

    app.click("[data-testid=nav-inbox]").await?;
    app.css("[data-testid=inbox-row]").await?;
    audit.check(&app, "Inbox").await?;
    app.click("[data-testid=nav-heard]").await?;
    app.css("[data-testid=heard-empty]").await?;
    audit.check(&app, "Heard: nothing heard").await?;

    app.click("[data-testid=nav-drafts]").await?;
    app.click("[data-testid=new-draft]").await?;
    app.css("[data-testid=draft-editor]").await?;
    app.insert_text("A draft to check").await?;
    app.wait_until_saved().await?;
    audit.check(&app, "Drafts: a draft open").await?;

    app.click("[data-testid=nav-events]").await?;
    app.css("[data-testid=events-empty]").await?;
    audit.check(&app, "Events: none yet").await?;
    app.click("[data-testid=event-new]").await?;
    app.css("[data-testid=event-form]").await?;
    audit.check(&app, "Events: the event form").await?;
    app.type_into("[data-testid=event-name]", "DevConf").await?;
    app.type_into("[data-testid=event-hashtags]", "#devconf")
        .await?;
    app.click("[data-testid=event-save]").await?;
    app.css("[data-testid=event-title]").await?;
    audit.check(&app, "Events: an event").await?;
    app.click("[data-testid=plan-new]").await?;
    app.css("[data-testid=plan-composer]").await?;
    audit.check(&app, "Events: the composer").await?;
    app.press(&Key::Escape.to_string()).await?;

    for (screen, what) in [
        ("planned", "Planned"),
        ("report", "Report"),
        ("settings", "Settings"),
    ] {
        app.click(&format!("[data-testid=nav-{screen}]")).await?;
        app.css(&format!("[data-testid=nav-{screen}][aria-current=page]"))
            .await?;
        // Screens that read from Rust on opening: let them settle.
        tokio::time::sleep(Duration::from_millis(500)).await;
        audit.check(&app, what).await?;
    }
    app.click("[data-testid=show-keys]").await?;
    app.css("[data-testid=keys-close]").await?;
    audit.check(&app, "the ? dialog").await?;

    let theme = if dark { "dark" } else { "light" };
    audit.report(theme);
    assert!(
        audit.failures.is_empty(),
        "serious or critical axe violations ({theme}):\n{}",
        audit.failures.join("\n")
    );
    app.quit_from_tray().await
}

#[derive(Default)]
struct Audit {
    checked: Vec<(String, usize)>,
    failures: Vec<String>,
}

impl Audit {
    async fn check(&mut self, app: &App, what: &str) -> Result<()> {
        let found = app.axe_violations().await?;
        self.checked.push((what.to_owned(), found.len()));
        self.failures
            .extend(found.into_iter().map(|v| format!("{what}: {v}")));
        Ok(())
    }

    /// A nameless button and grey-on-grey text, put on the page for a moment: the gate must
    /// see both, or a pass would mean nothing.
    async fn prove_it_can_fail(&self, app: &App) -> Result<()> {
        app.client
            .execute(
                "const canary = document.createElement('div');
                 canary.id = 'axe-canary';
                 canary.innerHTML = '<button type=button></button>'
                   + '<p style=\"color:#777;background:#888\">hard to read</p>';
                 document.body.append(canary);",
                vec![],
            )
            .await?;
        let found = app.axe_violations().await?;
        app.client
            .execute("document.getElementById('axe-canary').remove();", vec![])
            .await?;
        for rule in ["button-name", "color-contrast"] {
            assert!(
                found.iter().any(|v| v.starts_with(rule)),
                "axe missed the planted {rule} violation: {found:?}"
            );
        }
        Ok(())
    }

    /// One line per screen and state, for the record (`--nocapture` shows it).
    fn report(&self, theme: &str) {
        for (what, count) in &self.checked {
            eprintln!("axe ({theme}) {what}: {count} serious/critical");
        }
    }
}

#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn keyboard_paths_keep_focus_where_the_person_is() -> Result<()> {
    let (server, alice) = asked_twice().await;
    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&alice.username);
    let app = driver.launch().await?;
    app.sign_in_to_mastodon(server.url()).await?;
    app.css("[data-testid=account-row][data-sync-state=synced]")
        .await?;
    let (escape, tab) = (Key::Escape.to_string(), Key::Tab.to_string());

    // From the rail, Tab reaches the Owed list; j selects and the listbox names the row.
    app.click("[data-testid=nav-owed]").await?;
    app.css("[data-testid=owed-row]").await?;
    for _ in 0..25 {
        if app.focus_is_in("[data-testid=owed-list]").await? {
            break;
        }
        app.press(&tab).await?;
    }
    app.expect_focus_in("[data-testid=owed-list]").await?;
    app.press("j").await?;
    let named = app
        .client
        .execute(
            "const list = document.querySelector('[data-testid=owed-list]');
             const active = document.getElementById(list.getAttribute('aria-activedescendant'));
             return Boolean(active && active.getAttribute('aria-selected') === 'true'
               && active.getAttribute('role') === 'option'
               && !active.querySelector('button'));",
            vec![],
        )
        .await?;
    assert_eq!(
        named,
        json!(true),
        "aria-activedescendant names the selected option"
    );

    // r answers: the reply box; Esc goes back to the list it came from.
    app.press("r").await?;
    app.expect_focus_in("[data-testid=reply-box]").await?;
    app.press(&escape).await?;
    app.expect_focus_in("[data-testid=owed-list]").await?;

    // s offers the snooze choices with focus on them; Esc puts them away, back to the list.
    app.press("s").await?;
    app.expect_focus_in("[data-testid=snooze-choice]").await?;
    app.press(&escape).await?;
    app.expect_focus_in("[data-testid=owed-list]").await?;
    // The Snooze… button does the same, and Esc gives focus back to the button.
    app.click("[data-testid=owed-snooze]").await?;
    app.expect_focus_in("[data-testid=snooze-choice]").await?;
    app.press(&tab).await?;
    app.expect_focus_in("[data-testid=snooze-choice]").await?;
    app.press(&escape).await?;
    app.expect_focus_in("[data-testid=owed-snooze]").await?;

    // e: no reply needed. Focus stays on the list, and the toast's Undo, once focused,
    // outlasts its 8 s.
    app.click("[data-testid=owed-row]").await?;
    app.expect_focus_in("[data-testid=owed-list]").await?;
    app.press("e").await?;
    app.css("[data-testid=toast-action]").await?;
    app.expect_focus_in("[data-testid=owed-list]").await?;
    app.client
        .execute(
            "document.querySelector('[data-testid=toast-action]').focus();",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(9)).await;
    app.expect_focus_in("[data-testid=toast-action]").await?;
    app.press(&Key::Enter.to_string()).await?;
    app.until("the undone item is back", || async {
        Ok(app.texts("[data-testid=owed-row]").await?.len() == 2)
    })
    .await?;
    app.expect_focus_in("[data-testid=owed-list]").await?;

    // ? opens the shortcuts as a modal: focus inside, Tab cannot leave, Esc returns it.
    app.press("?").await?;
    app.expect_focus_in("[data-testid=keys-dialog]").await?;
    for _ in 0..4 {
        app.press(&tab).await?;
        app.expect_focus_in("[data-testid=keys-dialog]").await?;
    }
    app.press(&escape).await?;
    app.until("the shortcuts close", || async {
        Ok(app
            .client
            .execute(
                "return document.querySelector('[data-testid=keys-dialog]').open;",
                vec![],
            )
            .await?
            == json!(false))
    })
    .await?;
    app.expect_focus_in("[data-testid=owed-list]").await?;

    // The event form takes focus as it opens; Esc closes it, back to "New event"; saving
    // does too.
    app.click("[data-testid=nav-events]").await?;
    app.click("[data-testid=event-new]").await?;
    app.expect_focus_in("[data-testid=event-name]").await?;
    app.press(&escape).await?;
    app.expect_focus_in("[data-testid=event-new]").await?;
    app.click("[data-testid=event-new]").await?;
    app.expect_focus_in("[data-testid=event-name]").await?;
    app.press("DevConf").await?;
    app.click("[data-testid=event-save]").await?;
    app.css("[data-testid=event-title]").await?;
    app.expect_focus_in("[data-testid=event-new]").await?;

    // n opens the composer with focus in it; Esc closes it and focus goes back where it
    // was. Opened from its button, it goes back to the button.
    app.press("n").await?;
    app.expect_focus_in("[data-testid=plan-composer]").await?;
    app.press(&escape).await?;
    app.expect_focus_in("[data-testid=event-new]").await?;
    app.click("[data-testid=plan-new]").await?;
    app.expect_focus_in("[data-testid=plan-composer]").await?;
    app.press(&escape).await?;
    app.expect_focus_in("[data-testid=plan-new]").await?;
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the desktop session (make test)"]
async fn a_first_start_walks_through_the_guide() -> Result<()> {
    let server = MastodonServer::start(Profile::mastodon()).await;
    let alice = server.add_user("alice", "Alice");
    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&alice.username)
        .keeping_the_guide();
    let app = driver.launch().await?;
    app.css("[data-testid=nav-guide][aria-current=page]")
        .await?;
    assert_eq!(steps_done(&app).await?, Vec::<String>::new());

    // Step 1 leads to Accounts; back in the guide, it is ticked.
    app.click("[data-testid=guide-add-account]").await?;
    app.sign_in_to_mastodon(server.url()).await?;
    app.css("[data-testid=account-row]").await?;
    app.click("[data-testid=nav-guide]").await?;
    app.until("the account step is ticked", || async {
        Ok(steps_done(&app).await? == ["account"])
    })
    .await?;

    // Step 2 sends a real notification to the desktop's daemon.
    let notifications = BusMonitor::notifications();
    app.click("[data-testid=guide-test-notification]").await?;
    let sent = notifications
        .next_notify(Duration::from_secs(10))
        .ok_or("no notification reached the desktop")?;
    assert_eq!(sent.summary, "Earshot can reach you");
    app.click("[data-testid=guide-keep-quiet]").await?;
    app.click("[data-testid=guide-not-now]").await?;
    app.until("four steps are ticked", || async {
        Ok(steps_done(&app).await? == ["account", "notification", "quiet", "login"])
    })
    .await?;

    // Done: Owed, and the rail no longer offers the guide — not after a restart either.
    app.click("[data-testid=guide-finish]").await?;
    app.css("[data-testid=nav-owed][aria-current=page]").await?;
    assert!(app.texts("[data-testid=nav-guide]").await?.is_empty());
    app.quit_from_tray().await?;
    let app = driver.launch().await?;
    app.css("[data-testid=nav-owed][aria-current=page]").await?;
    assert!(app.texts("[data-testid=nav-guide]").await?.is_empty());

    // Settings has it back, every step ticked.
    app.click("[data-testid=nav-settings]").await?;
    app.click("[data-testid=settings-guide]").await?;
    app.until("all five steps are ticked", || async {
        Ok(steps_done(&app).await?.len() == 5)
    })
    .await?;
    app.quit_from_tray().await
}

async fn steps_done(app: &App) -> Result<Vec<String>> {
    let done = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=guide-step][data-done=true]')]
               .map((step) => step.dataset.step);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(done)?)
}
