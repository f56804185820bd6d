//! The tray icon and its menu. The icon carries the number of answers owed (drawn onto the
//! image: Linux trays have no badge API) and an amber mark when an account needs the person;
//! the menu lists the top five owed questions, the pause choices, Open and Quit.
//!
//! Everything shown is read from the engine on each refresh; the tray keeps no state.

use std::sync::Arc;
use tauri::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};

use tauri::{AppHandle, Manager, Wry};
use tokio::sync::Notify;

use earshot_core::richtext::one_line;
use earshot_core::{InboxItemId, OwedQueue};
use earshot_engine::{Pause, SyncState, waited};

use crate::backend::Backend;
use crate::window;

mod badge;

const TRAY_ID: &str = "earshot";
const OPEN: &str = "open";
const PAUSE_HOUR: &str = "pause-hour";
const PAUSE_TOMORROW: &str = "pause-tomorrow";
const RESUME: &str = "resume";
const QUIT: &str = "quit";
/// Menu ids of owed items: this prefix and the item id.
const ITEM: &str = "item:";

/// How many owed questions the menu lists.
const MENU_ITEMS: u32 = 5;

/// What the tray shows, gathered from the engine.
#[derive(Debug)]
struct TrayView {
    owed: OwedQueue,
    paused: bool,
    /// Handles of accounts whose sync fails or that must sign in again.
    needing_attention: Vec<String>,
    /// Planned posts that failed, are held or missed their time: they wait for the person.
    plans_needing_you: u32,
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(badge::draw(0, false, false)?)
        .tooltip("Earshot")
        .menu(&menu(app, None)?)
        .on_menu_event(on_menu)
        .on_tray_icon_event(|tray, event| {
            // Linux trays never report clicks (the menu opens instead); elsewhere a left click
            // opens the window.
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::show_main(tray.app_handle());
            }
        })
        .build(app)?;
    spawn_refresher(app);
    Ok(())
}

/// Asks the tray to redraw from the engine's current state.
pub fn refresh(app: &AppHandle) {
    if let Some(refresher) = app.try_state::<Refresher>() {
        refresher.0.notify_one();
    }
}

/// Wakes the one task that redraws the tray. One task, so that redraws never overtake each
/// other (a slow read of an older state must not land after a newer one); a burst of changes
/// becomes one redraw.
struct Refresher(Arc<Notify>);

fn spawn_refresher(app: &AppHandle) {
    let wake = Arc::new(Notify::new());
    app.manage(Refresher(Arc::clone(&wake)));
    let app = app.clone();
    // Lives as long as the app: a redraw that panics is logged and the refresher restarts.
    earshot_engine::supervisor::supervise_for_the_app(
        tauri::async_runtime::handle().inner(),
        "tray",
        move || {
            let (app, wake) = (app.clone(), Arc::clone(&wake));
            async move {
                let mut shown = None;
                loop {
                    wake.notified().await;
                    redraw(&app, &mut shown).await;
                }
            }
        },
        Box::new(|why| tracing::error!(%why, "the tray refresher restarted")),
    );
}

/// Reads the Owed queue and the accounts again and redraws the icon and the menu — only when
/// what they show changed: most engine events (a poll that found nothing, a chat read) change
/// nothing here, and a menu rebuilt under the person's pointer loses their click.
async fn redraw(app: &AppHandle, shown: &mut Option<String>) {
    // Before the engine has opened there is nothing to show but the plain icon; setup asks
    // again once it has.
    let Some(backend) = app.try_state::<Backend>() else {
        return;
    };
    let Ok(earshot) = backend.get() else {
        return;
    };
    let (owed, accounts, plans_needing_you) = match (
        earshot.owed_top(MENU_ITEMS).await,
        earshot.list_accounts().await,
        earshot.plans_needing_attention().await,
    ) {
        (Ok(owed), Ok(accounts), Ok(plans)) => (owed, accounts, plans),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            tracing::warn!(error = %e, "could not read what the tray shows");
            return;
        }
    };
    let view = TrayView {
        owed,
        paused: earshot.status().notifications_paused_until.is_some(),
        needing_attention: accounts
            .into_iter()
            .filter(|view| matches!(view.sync.state, SyncState::Failing | SyncState::NeedsSignIn))
            .map(|view| view.account.handle)
            .collect(),
        plans_needing_you,
    };
    let drawn = format!("{view:?} {}", summary(&view));
    if shown.as_ref() == Some(&drawn) {
        return;
    }
    match show(app, &view) {
        Ok(()) => *shown = Some(drawn),
        Err(e) => tracing::warn!(error = %e, "could not update the tray"),
    }
}

fn show(app: &AppHandle, view: &TrayView) -> tauri::Result<()> {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return Ok(());
    };
    let attention = !view.needing_attention.is_empty() || view.plans_needing_you > 0;
    tray.set_icon(Some(badge::draw(view.owed.total, attention, view.paused)?))?;
    tray.set_tooltip(Some(summary(view)))?;
    tray.set_menu(Some(menu(app, Some(view))?))?;
    Ok(())
}

/// "3 answers owed — oldest 2 h", and what else the person should know.
fn summary(view: &TrayView) -> String {
    let now = earshot_core::Timestamp::now();
    let mut words = match (view.owed.total, view.owed.oldest_at) {
        (0, _) | (_, None) => "No answers owed".to_owned(),
        (1, Some(oldest)) => format!("1 answer owed — waiting {}", waited(oldest, now)),
        (count, Some(oldest)) => {
            format!("{count} answers owed — oldest {}", waited(oldest, now))
        }
    };
    if view.paused {
        words.push_str(" · notifications paused");
    }
    match view.needing_attention.as_slice() {
        [] => {}
        [handle] => words.push_str(&format!(" · @{handle} needs you")),
        handles => words.push_str(&format!(" · {} accounts need you", handles.len())),
    }
    match view.plans_needing_you {
        0 => {}
        1 => words.push_str(" · 1 planned post needs you"),
        count => words.push_str(&format!(" · {count} planned posts need you")),
    }
    words
}

fn menu(app: &AppHandle, view: Option<&TrayView>) -> tauri::Result<Menu<Wry>> {
    let mut entries: Vec<Box<dyn IsMenuItem<Wry>>> = Vec::new();
    if let Some(view) = view {
        // The summary heads the menu: Linux trays show no tooltips.
        entries.push(Box::new(MenuItem::with_id(
            app,
            "summary",
            summary(view),
            false,
            None::<&str>,
        )?));
        for item in view.owed.items.iter().filter(|item| item.is_question()) {
            let asks = item.asks.as_deref().unwrap_or(&item.post.text);
            let author = &item.post.author;
            let who = author
                .display_name
                .as_deref()
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map_or_else(|| format!("@{}", author.handle), str::to_owned);
            let label = format!("{who}: {}", one_line(asks, 60));
            entries.push(Box::new(MenuItem::with_id(
                app,
                format!("{ITEM}{}", item.id.0),
                label,
                true,
                None::<&str>,
            )?));
        }
        entries.push(Box::new(PredefinedMenuItem::separator(app)?));
    }
    let pause = Submenu::with_items(
        app,
        "Pause notifications",
        true,
        &[
            &MenuItem::with_id(app, PAUSE_HOUR, "For an hour", true, None::<&str>)?,
            &MenuItem::with_id(app, PAUSE_TOMORROW, "Until tomorrow", true, None::<&str>)?,
            &MenuItem::with_id(
                app,
                RESUME,
                "Resume now",
                view.is_some_and(|view| view.paused),
                None::<&str>,
            )?,
        ],
    )?;
    entries.push(Box::new(pause));
    entries.push(Box::new(MenuItem::with_id(
        app,
        OPEN,
        "Open Earshot",
        true,
        None::<&str>,
    )?));
    entries.push(Box::new(PredefinedMenuItem::separator(app)?));
    entries.push(Box::new(MenuItem::with_id(
        app,
        QUIT,
        "Quit Earshot",
        true,
        None::<&str>,
    )?));
    let refs: Vec<&dyn IsMenuItem<Wry>> = entries.iter().map(|entry| entry.as_ref()).collect();
    Menu::with_items(app, &refs)
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    let id = event.id().as_ref();
    if let Some(item) = id.strip_prefix(ITEM).and_then(|n| n.parse().ok()) {
        open_item(app, InboxItemId(item));
        return;
    }
    match id {
        OPEN => window::show_main(app),
        PAUSE_HOUR => pause(app, Pause::Hour),
        PAUSE_TOMORROW => pause(app, Pause::UntilTomorrow),
        RESUME => pause(app, Pause::Off),
        QUIT => app.exit(0),
        other => tracing::warn!(id = other, "unknown tray menu item"),
    }
}

fn open_item(app: &AppHandle, item: InboxItemId) {
    window::open_at(
        app,
        window::OpenRequest::Item {
            item_id: item.0.to_string(),
            reply: true,
        },
    );
}

fn pause(app: &AppHandle, pause: Pause) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let backend = app.state::<Backend>();
        let Ok(earshot) = backend.get() else {
            return;
        };
        if let Err(e) = earshot.pause_notifications(pause).await {
            tracing::warn!(error = %e, "could not pause notifications");
        }
        refresh(&app);
    });
}
