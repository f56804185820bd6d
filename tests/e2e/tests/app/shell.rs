use std::time::Duration;

use earshot_e2e::{Driver, Result, app_binary, close_window, rows_with_colour, tray, window_shown};

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn the_tray_menu_offers_open_pause_and_quit() -> Result<()> {
    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    app.until("the tray menu to show the owed count", || async {
        Ok(tray(&["items"]).await?.starts_with("No answers owed\n"))
    })
    .await?;
    let items: Vec<String> = tray(&["items"]).await?.lines().map(str::to_owned).collect();
    assert_eq!(
        items,
        [
            "No answers owed",
            "Pause notifications",
            "For an hour",
            "Until tomorrow",
            "Resume now",
            "Open Earshot",
            "Quit Earshot"
        ]
    );
    // Pausing shows in the menu's first line.
    tray(&["click", "For an hour"]).await?;
    app.until("the pause to show", || async {
        Ok(tray(&["items"])
            .await?
            .starts_with("No answers owed · notifications paused"))
    })
    .await?;
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn a_second_launch_hands_over_to_the_running_earshot() -> Result<()> {
    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    let first = app.pid()?;
    // Tucked away in the tray, as it usually is when someone launches it again.
    close_window("Earshot").await?;

    let second = tokio::process::Command::new(app_binary())
        .env("EARSHOT_DATA_DIR", driver.data_dir())
        .kill_on_drop(true)
        .status();
    let status = tokio::time::timeout(Duration::from_secs(20), second)
        .await
        .map_err(|_| "the second Earshot kept running instead of handing over")??;
    assert!(
        status.success(),
        "the second launch exits cleanly: {status}"
    );
    assert_eq!(
        app.pid()?,
        first,
        "the first Earshot is still the one running"
    );
    app.until("the running Earshot shows its window", || async {
        window_shown("Earshot").await
    })
    .await?;
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn the_window_comes_back_where_it_was() -> Result<()> {
    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    app.client.set_window_rect(140, 90, 960, 640).await?;
    let placed = app.client.get_window_rect().await?;
    app.quit_from_tray().await?;

    let app = driver.launch().await?;
    let restored = app.client.get_window_rect().await?;
    assert_eq!(
        restored, placed,
        "position and size are restored on the next start"
    );
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn settings_check_notifications_and_the_keyring_for_real() -> Result<()> {
    // The autostart entry goes to $HOME/.config/autostart (the auto-launch crate ignores
    // XDG_CONFIG_HOME): give the app a home of its own.
    let home = tempfile::tempdir()?;
    let driver = Driver::start()
        .await?
        .with_env("HOME", home.path().to_str().ok_or("path")?);
    let app = driver.launch().await?;
    app.click("[data-testid=nav-settings]").await?;

    app.click("[data-testid=test-notification]").await?;
    let result = app
        .css("[data-testid=test-notification-result]")
        .await?
        .text()
        .await?;
    assert!(
        result.starts_with("Sent."),
        "the notification daemon accepted it: {result}"
    );

    app.click("[data-testid=check-keyring]").await?;
    let result = app
        .css("[data-testid=keyring-result]")
        .await?
        .text()
        .await?;
    assert!(
        result.contains("keyring works"),
        "the session keyring is usable: {result}"
    );

    let shown = app.css("[data-testid=data-dir]").await?.text().await?;
    assert_eq!(
        shown,
        driver.data_dir().display().to_string(),
        "EARSHOT_DATA_DIR is honoured"
    );

    // Start at login: an autostart entry that starts Earshot hidden in the tray.
    let autostart = home.path().join(".config/autostart");
    let entries = || -> Vec<String> {
        std::fs::read_dir(&autostart)
            .map(|dir| {
                dir.filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(entries().is_empty(), "off by default");
    app.click("[data-testid=start-at-login]").await?;
    app.until("the autostart entry to appear", || async {
        Ok(entries().iter().any(|entry| entry.contains("--hidden")))
    })
    .await?;
    app.click("[data-testid=start-at-login]").await?;
    app.until("the autostart entry to go", || async {
        Ok(entries().is_empty())
    })
    .await?;
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn closing_the_window_keeps_earshot_in_the_tray() -> Result<()> {
    // The webview goes as soon as the window closes (30 s later in everyday use).
    let driver = Driver::start()
        .await?
        .with_env("EARSHOT_WEBVIEW_GRACE_MS", "0");
    let app = driver.launch().await?;
    let pid = app.pid()?;
    assert!(
        window_shown("Earshot").await?,
        "the window starts on screen"
    );
    let webkit = |names: &[String]| names.iter().any(|name| name.starts_with("WebKit"));
    app.until("WebKit runs the window", || async {
        Ok(webkit(&app.helper_processes()?))
    })
    .await?;
    // Earshot switches WebKit's accelerated compositing off for itself (src-tauri/src/lib.rs);
    // the test session leaves the switch unset, so only Earshot can have put it there.
    assert!(
        std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none(),
        "the test session must not set the switch it checks"
    );
    assert!(
        app.helper_environment("WebKitWebProcess")?
            .iter()
            .any(|entry| entry == "WEBKIT_DISABLE_COMPOSITING_MODE=1"),
        "WebKit's web process runs with compositing switched off"
    );
    // Somewhere other than the start screen.
    app.click("[data-testid=nav-events]").await?;
    app.css("[data-testid=events-empty]").await?;
    let events = app
        .css("[data-testid=nav-events]")
        .await?
        .rectangle()
        .await?;
    let (top, bottom) = (events.1 as u32, (events.1 + events.3) as u32);
    let rail = (0, app.css("nav.rail").await?.rectangle().await?.2 as u32);
    // The selection is handed over a moment after it changes.
    tokio::time::sleep(Duration::from_millis(500)).await;

    close_window("Earshot").await?;
    assert_eq!(
        app.pid()?,
        pid,
        "Earshot is still running after its window was closed"
    );
    app.until("the webview and its WebKit processes are gone", || async {
        Ok(app.helper_processes()?.is_empty())
    })
    .await?;

    tray(&["click", "Open Earshot"]).await?;
    app.until("the window is back", || async {
        window_shown("Earshot").await
    })
    .await?;
    // A new webview: WebDriver's session went with the old one, so the screen is read from
    // X. The rail's selected colour (ui/src/app.css: --selected) marks Events.
    app.until(
        "the new window shows Events, as the old one did",
        || async {
            let band = rows_with_colour("Earshot", "e2e7fb", rail.0, rail.1).await?;
            Ok(band.is_some_and(|(first, last)| first >= top && last <= bottom))
        },
    )
    .await?;
    assert!(
        webkit(&app.helper_processes()?),
        "WebKit runs the new window"
    );
    app.quit_from_tray().await
}

#[tokio::test]
#[ignore = "needs the built app and the headless desktop session (make test runs it)"]
async fn a_launch_right_after_a_crash_still_starts() -> Result<()> {
    use tokio::io::AsyncBufReadExt;

    // An instance that owns the single-instance name and dies when asked to take over.
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../desktop/vanishing_instance.py");
    let mut ghost = tokio::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg("app.earshot.desktop")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut ready = String::new();
    tokio::io::BufReader::new(ghost.stdout.take().ok_or("no stdout")?)
        .read_line(&mut ready)
        .await?;
    assert_eq!(
        ready.trim(),
        "ready",
        "the stand-in for a crashed Earshot holds the name"
    );

    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    assert!(
        window_shown("Earshot").await?,
        "Earshot started instead of handing over to a ghost"
    );
    app.quit_from_tray().await
}
