//! The main window: shown on demand, hidden (not closed) by its close button.

use tauri::{AppHandle, Manager, Window, WindowEvent};

use crate::backend::Backend;

const MAIN: &str = "main";

/// Brings the main window to the front, wherever it was: hidden, minimised or behind others.
pub fn show_main(app: &AppHandle) {
    let Some(window) = app.get_webview_window(MAIN) else {
        tracing::error!("the main window is missing");
        return;
    };
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(e) = shown {
        tracing::warn!(error = %e, "could not bring the window forward");
    }
    tell_engine(app, true);
}

/// The engine reads direct messages more often while the window is open.
fn tell_engine(app: &AppHandle, open: bool) {
    if let Some(backend) = app.try_state::<Backend>()
        && let Ok(earshot) = backend.get()
    {
        earshot.set_window_open(open);
    }
}

/// Closing the window keeps Earshot running in the tray: it has to stay within earshot.
/// "Quit" in the tray menu really quits.
pub fn hide_instead_of_closing(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event
        && window.label() == MAIN
    {
        api.prevent_close();
        if let Err(e) = window.hide() {
            tracing::warn!(error = %e, "could not hide the window");
        }
        tell_engine(window.app_handle(), false);
    }
}
