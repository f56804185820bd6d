//! The tray icon and its menu: Open Earshot, Pause notifications, Quit.

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};

use crate::backend::Backend;
use crate::window;

const TRAY_ID: &str = "earshot";
const OPEN: &str = "open";
const PAUSE: &str = "pause";
const QUIT: &str = "quit";

fn icon(paused: bool) -> tauri::Result<Image<'static>> {
    if paused {
        Image::from_bytes(include_bytes!("../../icons/tray-paused.png"))
    } else {
        Image::from_bytes(include_bytes!("../../icons/tray.png"))
    }
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Earshot", true, None::<&str>)?;
    let pause =
        CheckMenuItem::with_id(app, PAUSE, "Pause notifications", true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit Earshot", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &pause, &separator, &quit])?;

    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(false)?)
        .tooltip("Earshot")
        .menu(&menu)
        .on_menu_event(move |app, event| on_menu(app, &event, &pause))
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
    Ok(())
}

fn on_menu(app: &AppHandle, event: &MenuEvent, pause: &CheckMenuItem<tauri::Wry>) {
    match event.id().as_ref() {
        OPEN => window::show_main(app),
        PAUSE => {
            // The menu has already flipped the check mark; follow it.
            let paused = pause.is_checked().unwrap_or(false);
            if let Ok(earshot) = app.state::<Backend>().get() {
                earshot.set_notifications_paused(paused);
            }
            if let Some(tray) = app.tray_by_id(TRAY_ID) {
                show_paused(&tray, paused);
            }
        }
        QUIT => app.exit(0),
        other => tracing::warn!(id = other, "unknown tray menu item"),
    }
}

fn show_paused(tray: &TrayIcon, paused: bool) {
    let tooltip = if paused {
        "Earshot — notifications paused"
    } else {
        "Earshot"
    };
    let updated = icon(paused)
        .and_then(|image| tray.set_icon(Some(image)))
        .and_then(|()| tray.set_tooltip(Some(tooltip)));
    if let Err(e) = updated {
        tracing::warn!(error = %e, "could not update the tray icon");
    }
}
