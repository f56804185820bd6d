//! Not a check: `make screenshots` runs this to refresh docs/screenshots/ from the real app,
//! with a visible XEmbed tray (EARSHOT_XEMBED_TRAY=1) so the tray menu can be opened.

use std::path::PathBuf;
use std::time::Duration;

use earshot_e2e::{App, Driver, Result, TestAccount};
use earshot_mastodon_server::{MastodonServer, Profile};
use serde_json::json;
use tokio::process::Command;

async fn run(program: &str, args: &[&str]) -> Result<String> {
    let output = Command::new(program).args(args).output().await?;
    if !output.status.success() {
        return Err(format!(
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// Captures `width`x`height` at (`x`, `y`) of the screen into `dir/name`.
async fn capture(dir: &std::path::Path, name: &str, geometry: &str) -> Result<()> {
    let path = dir.join(name);
    let path = path.to_str().ok_or("non-UTF-8 path")?;
    run(
        "import",
        &["-window", "root", "-crop", geometry, "+repage", path],
    )
    .await?;
    Ok(())
}

/// Captures the app's window once WebKit has painted what the DOM now holds: under Xvfb a
/// change made by script can otherwise reach the screen a frame late, or only at the next
/// repaint.
async fn capture_app(app: &App, dir: &std::path::Path, name: &str) -> Result<()> {
    app.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const style = document.body.style;
             style.opacity = style.opacity === '0.999' ? '1' : '0.999';
             requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    capture(dir, name, "1100x700+0+0").await
}

#[tokio::test]
#[ignore = "refreshes docs/screenshots; run by `make screenshots`, not a test"]
async fn docs_screenshots() -> Result<()> {
    let dir = PathBuf::from(
        std::env::var_os("EARSHOT_SCREENSHOT_DIR").ok_or("set EARSHOT_SCREENSHOT_DIR")?,
    );
    // A Mastodon server beside the Bluesky reference servers, and a stand-in browser that
    // approves the sign-in as the person would.
    let mastodon = MastodonServer::start(Profile::mastodon()).await;
    let maya_m = mastodon.add_user("maya", "Maya Okafor");
    let noor = mastodon.add_user("noor", "Noor Haddad");
    mastodon.post(
        &noor,
        "@maya could you share the link to the recording? I missed the second half.",
        None,
        "direct",
    );
    let driver = Driver::start()
        .await?
        .approving_mastodon_sign_in_as(&maya_m.username)
        .keeping_the_guide();
    let app = driver.launch().await?;
    app.client.set_window_rect(0, 0, 1100, 700).await?;
    // The first start: the guide, its notification step done.
    app.click("[data-testid=guide-test-notification]").await?;
    app.css("[data-testid=guide-step][data-step=notification][data-done=true]")
        .await?;
    capture_app(&app, &dir, "guide.png").await?;
    app.click("[data-testid=guide-skip]").await?;
    app.click("[data-testid=nav-drafts]").await?;

    let drafts = [
        "Thread idea: what we learned running the community call for a year 🧵",
        "Reminder to answer @mara about the keynote slides before Friday",
        "Is anyone else going to RustConf? Would love to meet up and talk about Tauri.",
    ];
    for text in drafts {
        app.click("[data-testid=new-draft]").await?;
        app.type_into("[data-testid=draft-editor]", text).await?;
        app.wait_until_saved().await?;
    }
    capture_app(&app, &dir, "drafts.png").await?;

    let maya = TestAccount::create("maya").await;
    maya.set_display_name("Maya Okafor").await;
    let app_password = maya.app_password_with_messages("Earshot").await;
    let talk = maya
        .post("Slides from my Tauri talk are up! Questions welcome 🙌")
        .await;
    // A thank-you asks nothing; Owed says which post it is about.
    let thanks = TestAccount::create("guest").await;
    thanks.set_display_name("Tomás Silva").await;
    thanks
        .reply(
            &talk,
            &talk,
            "Clearest explanation of tray icons I have seen. Thank you!",
        )
        .await;
    let asked = [
        (
            "Jonas Berg",
            "Did you measure start-up time on Linux too? Curious how it compares.",
        ),
        (
            "Priya Raman",
            "Is the game on tonight? A few of us are heading to the pub after.",
        ),
        (
            "Léa Moreau",
            "Loved the part about keyrings. Which crate did you end up using?",
        ),
    ];
    let mut questions = Vec::new();
    for (name, text) in asked {
        let person = TestAccount::create("guest").await;
        person.set_display_name(name).await;
        // Léa asked two hours ago and is still waiting: a planned post on the account is held.
        let asked_at = match name {
            "Léa Moreau" => jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2),
            _ => jiff::Timestamp::now(),
        };
        let reply = json!({ "root": talk.json(), "parent": talk.json() });
        let question = person
            .post_with(
                text,
                json!({ "reply": reply, "createdAt": asked_at.to_string() }),
            )
            .await;
        questions.push((person.clone(), question));
    }
    let mention = TestAccount::create("sam").await;
    mention.set_display_name("Sam Whitfield").await;
    mention
        .mention(&maya, "is giving the best talk of the day, don't miss it")
        .await;
    // A direct message: a conversation, answered once already, asked again.
    let host = TestAccount::create("guest").await;
    host.set_display_name("Noor Haddad").await;
    let dm = host
        .message(
            &maya,
            "Hi Maya! Would you give the talk again at our meetup?",
        )
        .await;
    maya.message_in(&dm.convo, "I'd love to. When is it?").await;
    host.message_in(
        &dm.convo,
        "Thursday the 10th, 7 pm. Does that work for you?",
    )
    .await;
    // One answered elsewhere, so the Inbox shows both states.
    let (_, answered) = &questions[0];
    maya.reply(&talk, answered, "Yes: 0.4 s to first paint on my laptop.")
        .await;

    app.turn_off_quiet_hours().await?;
    app.sign_in_to_bluesky(&maya.handle, &app_password).await?;
    app.css("[data-testid=account-row][data-sync-state=synced]")
        .await?;
    app.sign_in_to_mastodon(mastodon.url()).await?;
    app.until("both accounts have synced", || async {
        let synced = app
            .texts("[data-testid=account-row][data-sync-state=synced]")
            .await?;
        Ok(synced.len() == 2)
    })
    .await?;
    // The Mastodon account read back 30 days: its row says what was read.
    app.client
        .execute(
            "document.querySelectorAll('[data-testid=history-start]')[1].click(); return null;",
            vec![],
        )
        .await?;
    app.css("[data-testid=account-history][data-history-state=done]")
        .await?;
    app.client
        .execute(
            "document.querySelector('.page').scrollTo(0, 0); return null;",
            vec![],
        )
        .await?;
    capture_app(&app, &dir, "accounts.png").await?;

    // Owed: Noor's direct question and the two open questions first, then Tomás's thanks and
    // Sam's mention.
    app.click("[data-testid=nav-owed]").await?;
    app.click("[data-testid=owed-row]").await?;
    app.css("[data-testid=thread-post][data-place=focus]")
        .await?;
    capture_app(&app, &dir, "owed.png").await?;

    app.click("[data-testid=nav-inbox]").await?;
    app.css("[data-testid=answered]").await?;
    // Priya's question, opened to answer it.
    app.click_row("inbox-row", "Is the game on tonight?")
        .await?;
    app.css("[data-testid=thread-post][data-place=focus]")
        .await?;
    app.type_into(
        "[data-testid=reply-box]",
        "Ha, yes: kick-off at 8, see you there",
    )
    .await?;
    capture_app(&app, &dir, "inbox.png").await?;
    app.click("[data-testid=reply-send]").await?;
    app.css("[data-testid=thread-answered]").await?;
    app.css("[data-testid=thread-post][data-place=reply]")
        .await?;
    capture_app(&app, &dir, "thread.png").await?;

    // The direct message, opened: the conversation reads top to bottom.
    app.click_row("inbox-row", "Thursday the 10th").await?;
    app.css("[data-testid=thread-post][data-place=focus]")
        .await?;
    app.type_into("[data-testid=reply-box]", "Thursday works. See you then!")
        .await?;
    capture_app(&app, &dir, "dm-thread.png").await?;

    // A question asked while Earshot runs pops up (dunst draws it at the top right).
    mastodon.post(
        &noor,
        "@maya are you around for questions after lunch?",
        None,
        "public",
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    capture(&dir, "notification.png", "420x160+860+0").await?;
    // Gone before the next pictures, as a person would have dismissed it.
    let _ = tokio::process::Command::new("dunstctl")
        .arg("close-all")
        .status()
        .await;

    // The Report for the last seven days.
    app.click("[data-testid=nav-report]").await?;
    app.css("[data-testid=report-headline]").await?;
    capture_app(&app, &dir, "report.png").await?;
    app.css("[data-testid=chart-asked] svg").await?;
    app.client
        .execute(
            "document.querySelector('[data-testid=chart-distribution]').scrollIntoView(); return null;",
            vec![],
        )
        .await?;
    capture_app(&app, &dir, "report-charts.png").await?;

    app.click("[data-testid=nav-settings]").await?;
    app.click("[data-testid=test-notification]").await?;
    // Sections still loading above move the page: the result's arrival says it has settled,
    // and a click aimed before that could land beside the button.
    app.css("[data-testid=test-notification-result]").await?;
    app.click("[data-testid=check-keyring]").await?;
    app.css("[data-testid=keyring-result]").await?;
    capture_app(&app, &dir, "settings.png").await?;

    // Planned: a thread for tomorrow morning, and the composer with its counter.
    run("dunstctl", &["close-all"]).await?;
    app.click("[data-testid=nav-planned]").await?;
    // The composer appears once the accounts are read.
    app.css("[data-testid=plan-part]").await?;
    let plan = |parts: &'static [&'static str], hour: u32| {
        let app = &app;
        async move {
            if app.texts("[data-testid=plan-composer]").await?.is_empty() {
                app.click("[data-testid=plan-new]").await?;
            }
            for (index, part) in parts.iter().enumerate() {
                if index > 0 {
                    app.click("[data-testid=plan-add-part]").await?;
                }
                app.client
                    .execute(
                        "const boxes = document.querySelectorAll('[data-testid=plan-part]');
                         const box = boxes[boxes.length - 1];
                         box.focus();
                         document.execCommand('insertText', false, arguments[0]);
                         return null;",
                        vec![serde_json::json!(part)],
                    )
                    .await?;
            }
            app.client
                .execute(
                    "const input = document.querySelector('[data-testid=plan-when]');
                     const at = new Date();
                     at.setDate(at.getDate() + 1);
                     const pad = (n) => String(n).padStart(2, '0');
                     input.value = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(arguments[0])}:00`;
                     input.dispatchEvent(new Event('input', { bubbles: true }));
                     return null;",
                    vec![serde_json::json!(hour)],
                )
                .await?;
            app.click("[data-testid=plan-save-approve]").await?;
            app.click("[data-testid=plan-card][data-stage=approved] [data-testid=plan-schedule]")
                .await?;
            // Scheduled, and the composer closed: the next plan cannot lose its text.
            app.until("the plan is scheduled", || async {
                let approved = app
                    .texts("[data-testid=plan-card][data-stage=approved]")
                    .await?;
                let composers = app.texts("[data-testid=plan-composer]").await?;
                Ok(approved.is_empty() && composers.is_empty())
            })
            .await?;
            Result::<()>::Ok(())
        }
    };
    plan(
        &[
            "Day two of the conference starts now: keynote at 10 in the main hall 🎤",
            "Slides from yesterday's workshop are up — questions welcome below.",
        ],
        9,
    )
    .await?;
    plan(&["Lunch break! Find us at booth 12 for stickers."], 12).await?;
    app.css("[data-testid=plan-card]:nth-of-type(2)").await?;
    app.click("[data-testid=plan-new]").await?;
    app.client
        .execute(
            "const box = document.querySelector('[data-testid=plan-part]');
             box.focus();
             document.execCommand('insertText', false, 'Last session of the day: how we keep our audience within earshot');
             return null;",
            vec![],
        )
        .await?;
    capture_app(&app, &dir, "planned.png").await?;

    // Events: a conference with topics, plans for both accounts, and a post held while Léa
    // waits for an answer.
    // Asked under the conference's hashtag, of nobody in particular: heard once the event
    // exists (its first read finds them).
    for (name, text) in [
        (
            "Ines Duarte",
            "anyone know where the Tauri workshop is? #rustconf",
        ),
        ("Ken Ito", "is the keynote being recorded #rustconf"),
        ("Ada Quinn", "great coffee at the venue this year #rustconf"),
    ] {
        let person = TestAccount::create("guest").await;
        person.set_display_name(name).await;
        person.post(text).await;
    }
    let rui = mastodon.add_user("rui", "Rui Costa");
    mastodon.post(
        &rui,
        "does anybody have a spare USB-C charger near booth 12 #rustconf",
        None,
        "public",
    );
    app.click("[data-testid=nav-events]").await?;
    app.click("[data-testid=event-new]").await?;
    app.type_into("[data-testid=event-name]", "RustConf 2026")
        .await?;
    // The conference runs from today to the day after tomorrow.
    app.client
        .execute(
            "const day = (offset) => {
               const at = new Date(Date.now() + offset * 86400000);
               const pad = (n) => String(n).padStart(2, '0');
               return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
             };
             for (const [id, offset] of [['event-starts', 0], ['event-ends', 2]]) {
               const input = document.querySelector(`[data-testid=${id}]`);
               input.value = day(offset);
               input.dispatchEvent(new Event('input', { bubbles: true }));
             }
             return null;",
            vec![],
        )
        .await?;
    app.type_into("[data-testid=event-hashtags]", "#rustconf")
        .await?;
    app.click("[data-testid=event-save]").await?;
    app.expect_texts("[data-testid=event-title]", &["RustConf 2026"])
        .await?;
    for topic in ["Keynote", "Tauri workshop", "Booth hours"] {
        app.type_into("[data-testid=topic-new]", topic).await?;
        app.click("[data-testid=topic-add]").await?;
    }
    app.css("[data-testid=topic]:nth-child(3)").await?;
    // Fills the composer: which accounts (in the order listed), the topic, the text and
    // the hour tomorrow (or now).
    let compose = |targets: &'static [bool],
                   topic: &'static str,
                   text: &'static str,
                   hour: Option<u32>| {
        let app = &app;
        async move {
            // The last plan's composer closes once it is saved.
            app.until("the composer is closed", || async {
                Ok(app.texts("[data-testid=plan-composer]").await?.is_empty())
            })
            .await?;
            app.click("[data-testid=plan-new]").await?;
            app.css("[data-testid=plan-composer]").await?;
            app.client
                .execute(
                    "const [targets, topic, text, hour] = arguments;
                     document.querySelectorAll('[data-testid=plan-target]').forEach((box, i) => {
                       if (box.checked !== targets[i]) box.click();
                     });
                     const select = document.querySelector('[data-testid=plan-topic]');
                     select.value = [...select.options].find((o) => o.text === topic).value;
                     select.dispatchEvent(new Event('change', { bubbles: true }));
                     const box = document.querySelector('[data-testid=plan-part]');
                     box.focus();
                     document.execCommand('insertText', false, text);
                     const at = new Date();
                     if (hour !== null) { at.setDate(at.getDate() + 1); at.setHours(hour, 0); }
                     const pad = (n) => String(n).padStart(2, '0');
                     const input = document.querySelector('[data-testid=plan-when]');
                     input.value = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
                     input.dispatchEvent(new Event('input', { bubbles: true }));
                     return null;",
                    vec![json!(targets), json!(topic), json!(text), json!(hour)],
                )
                .await?;
            Result::<()>::Ok(())
        }
    };
    compose(
        &[true, true],
        "Keynote",
        "The keynote starts at 10 in the main hall. Come early for a seat 🎤",
        Some(9),
    )
    .await?;
    app.click("[data-testid=plan-save-approve]").await?;
    app.click("[data-testid=plan-schedule]").await?;
    app.until("the keynote post is scheduled", || async {
        let statuses = app.texts("[data-testid=plan-status]").await?;
        Ok(statuses.iter().filter(|s| *s == "Scheduled").count() == 2)
    })
    .await?;
    compose(
        &[true, true],
        "Tauri workshop",
        "Workshop at 14:00: bring a laptop, we build a tray app from scratch in 90 minutes.",
        Some(14),
    )
    .await?;
    app.click("[data-testid=plan-save]").await?;
    app.css("[data-testid=plan-card][data-stage=draft]").await?;
    compose(
        &[true, false],
        "Booth hours",
        "Find us at booth 12 all afternoon: stickers, demos and honest answers.",
        None,
    )
    .await?;
    app.click("[data-testid=plan-save-approve]").await?;
    app.click("[data-testid=plan-card][data-stage=approved] [data-testid=plan-schedule]")
        .await?;
    app.css("[data-testid=plan-target-row][data-status=held]")
        .await?;
    // The held post's notification is its own picture; the timeline says the same.
    tokio::time::sleep(Duration::from_millis(500)).await;
    run("dunstctl", &["close-all"]).await?;
    capture_app(&app, &dir, "event-timeline.png").await?;

    // The composer counts for each account as its server counts, hashtags included.
    compose(
        &[true, true],
        "Keynote",
        "Slides from the keynote are up, with the recording link for everyone who asked. \
         Thanks to all of you who came by the booth afterwards with questions about keyrings, \
         trays and notifications on Linux: the answers are in the thread below, and if yours \
         is missing, reply here and I will add it. See you at the workshop at two!",
        Some(18),
    )
    .await?;
    app.until("the counters count the long text", || async {
        let counters = app.texts("[data-testid=plan-counter]").await?;
        Ok(counters.iter().any(|c| c.ends_with("over")))
    })
    .await?;
    app.client
        .execute(
            "document.querySelector('[data-testid=plan-composer]').scrollIntoView(); return null;",
            vec![],
        )
        .await?;
    capture_app(&app, &dir, "composer.png").await?;
    // A picture of an empty composer must not land in the docs.
    let counters = app.texts("[data-testid=plan-counter]").await?;
    if counters.len() != 2 {
        return Err(format!("the composer changed while it was captured: {counters:?}").into());
    }

    // Heard: the questions asked under #rustconf, one opened to answer.
    app.click("[data-testid=nav-heard]").await?;
    app.until("three questions are heard", || async {
        Ok(app.texts("[data-testid=heard-row]").await?.len() == 3)
    })
    .await?;
    app.click_row("heard-row", "Tauri workshop").await?;
    app.css("[data-testid=thread-post][data-place=focus]")
        .await?;
    app.type_into(
        "[data-testid=reply-box]",
        "Room B on the first floor, from 14:00. I'm running it: see you there!",
    )
    .await?;
    capture_app(&app, &dir, "heard.png").await?;

    // Signing out of an account with plans asks what to do with them first.
    app.click("[data-testid=nav-accounts]").await?;
    app.click("[data-testid=remove-account]").await?;
    app.css("[data-testid=sign-out-plans]").await?;
    capture_app(&app, &dir, "sign-out.png").await?;
    app.client
        .execute(
            "[...document.querySelectorAll('[data-testid=sign-out-plans] button')].at(-1).click(); return null;",
            vec![],
        )
        .await?;

    // The tray icon is the small "earshot" window trayer embedded at the bottom right.
    let icon = run("xdotool", &["search", "--name", "^earshot$"]).await?;
    let mut opened = false;
    for window in icon.lines() {
        let geometry = run("xdotool", &["getwindowgeometry", "--shell", window]).await?;
        let value = |key: &str| -> i32 {
            geometry
                .lines()
                .find_map(|l| l.strip_prefix(key)?.parse().ok())
                .unwrap_or_default()
        };
        let (x, y, w, h) = (value("X="), value("Y="), value("WIDTH="), value("HEIGHT="));
        if w > 16 && w < 64 && y > 400 {
            let (cx, cy) = ((x + w / 2).to_string(), (y + h / 2).to_string());
            run("xdotool", &["mousemove", &cx, &cy, "click", "1"]).await?;
            opened = true;
            break;
        }
    }
    if !opened {
        return Err("no tray icon in the XEmbed tray".into());
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    capture(&dir, "tray-menu.png", "560x420+720+380").await?;
    run("xdotool", &["key", "Escape"]).await?;
    app.kill_hard().await?;

    // The same data under a dark desktop theme.
    let driver = driver.with_env("GTK_THEME", "Adwaita:dark");
    let app = driver.launch().await?;
    app.client.set_window_rect(0, 0, 1100, 700).await?;
    app.click("[data-testid=nav-owed]").await?;
    app.click("[data-testid=owed-row]").await?;
    app.css("[data-testid=thread-post][data-place=focus]")
        .await?;
    capture_app(&app, &dir, "owed-dark.png").await?;
    app.kill_hard().await
}
