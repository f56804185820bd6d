//! The main window: built on demand; its close button hides it, and a window left hidden
//! for [`GRACE`] is destroyed with its webview.
//!
//! While nobody looks, Earshot is the Rust process alone: the tray, notifications, sync, the
//! scheduler and the alerts run there, and the webview with its WebKit processes is gone
//! (hundreds of MiB for a window nobody sees). The grace keeps a window closed by mistake, or
//! reopened at once from a notification, instant. Opening it after that — from the tray, a
//! notification, a second launch — builds a new one that comes back where the person was:
//! the UI keeps its view (screen, selection, unsent text) in [`WindowMemory`] as it changes,
//! and a request to open something waits there until the new page asks for it.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, WebviewWindow, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt as _, StateFlags};
use tauri_specta::Event as _;

use crate::backend::Backend;
use crate::events::{OpenHeard, OpenItem, OpenReport};

const MAIN: &str = "main";

/// How long a closed window keeps its webview before it is destroyed;
/// `EARSHOT_WEBVIEW_GRACE_MS` changes it (tests and `make measure` use 0).
const GRACE: std::time::Duration = std::time::Duration::from_secs(30);

fn grace() -> std::time::Duration {
    std::env::var("EARSHOT_WEBVIEW_GRACE_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(GRACE, std::time::Duration::from_millis)
}

/// What the window should show when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OpenRequest {
    /// An item's thread in Owed, with the reply box focused for `reply`.
    #[serde(rename_all = "camelCase")]
    Item {
        item_id: String,
        reply: bool,
    },
    Owed,
    Report,
    /// Heard, at an item when there is one.
    #[serde(rename_all = "camelCase")]
    Heard {
        item_id: Option<String>,
    },
}

/// What outlives the webview: the UI's view, as the UI wrote it, and what to open next.
#[derive(Debug, Default)]
pub struct WindowMemory {
    view: Mutex<Option<String>>,
    open: Mutex<Option<OpenRequest>>,
    /// Counts the times the window was shown: a destroy planned when it was hidden is
    /// called off when the window was shown since.
    shown: std::sync::atomic::AtomicU64,
}

/// What a new page starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WindowStart {
    /// The view the last window left (the UI's own JSON), `None` on Earshot's first window.
    pub view: Option<String>,
    /// What the person asked to see while there was no window to show it.
    pub open: Option<OpenRequest>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain values: a panic elsewhere cannot leave them half-written.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl WindowMemory {
    pub fn remember(&self, view: String) {
        *lock(&self.view) = Some(view);
    }

    /// The view to restore and the waiting request (taken: it is acted on once).
    pub fn start(&self) -> WindowStart {
        WindowStart {
            view: lock(&self.view).clone(),
            open: lock(&self.open).take(),
        }
    }
}

/// Brings the main window to the front, wherever it was: not built yet, minimised or behind
/// others.
pub fn show_main(app: &AppHandle) {
    let Some(window) = main_window(app) else {
        return;
    };
    app.state::<WindowMemory>()
        .shown
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(e) = shown {
        tracing::warn!(error = %e, "could not bring the window forward");
    }
    tell_engine(app, true);
}

/// Shows the window at `request`: told to the page when it is there, else kept for the page
/// being built to ask for.
pub fn open_at(app: &AppHandle, request: OpenRequest) {
    if app.get_webview_window(MAIN).is_none() {
        *lock(&app.state::<WindowMemory>().open) = Some(request);
        show_main(app);
        return;
    }
    show_main(app);
    let sent = match request {
        OpenRequest::Item { item_id, reply } => OpenItem {
            item_id: Some(item_id),
            reply,
        }
        .emit(app),
        OpenRequest::Owed => OpenItem {
            item_id: None,
            reply: false,
        }
        .emit(app),
        OpenRequest::Report => OpenReport.emit(app),
        OpenRequest::Heard { item_id } => OpenHeard { item_id }.emit(app),
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, "could not tell the window what to open");
    }
}

/// The main window, built from its configuration when there is none.
fn main_window(app: &AppHandle) -> Option<WebviewWindow> {
    if let Some(window) = app.get_webview_window(MAIN) {
        return Some(window);
    }
    let built = app
        .config()
        .app
        .windows
        .iter()
        .find(|config| config.label == MAIN)
        .ok_or(tauri::Error::WindowNotFound)
        .and_then(|config| tauri::WebviewWindowBuilder::from_config(app, config))
        .and_then(tauri::WebviewWindowBuilder::build);
    if built.is_ok() {
        release_start_up_memory(app.clone());
    }
    built
        .inspect_err(|e| tracing::error!(error = %e, "could not build the window"))
        .ok()
}

/// The engine reads direct messages more often while the window is open.
pub fn tell_engine(app: &AppHandle, open: bool) {
    if let Some(backend) = app.try_state::<Backend>()
        && let Ok(earshot) = backend.get()
    {
        earshot.set_window_open(open);
    }
}

/// Closing the window keeps Earshot running in the tray — it has to stay within earshot —
/// and lets the webview go after [`GRACE`]. "Quit" in the tray menu really quits.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if window.label() != MAIN {
        return;
    }
    match event {
        WindowEvent::CloseRequested { api, .. } => {
            api.prevent_close();
            // Where it was, saved now: the next window opens there even after a crash.
            let flags = StateFlags::all() - StateFlags::VISIBLE;
            if let Err(e) = window.app_handle().save_window_state(flags) {
                tracing::warn!(error = %e, "could not save where the window was");
            }
            if let Err(e) = window.hide() {
                tracing::warn!(error = %e, "could not hide the window");
            }
            tell_engine(window.app_handle(), false);
            destroy_unless_shown(window.app_handle().clone());
        }
        WindowEvent::Destroyed => {
            tell_engine(window.app_handle(), false);
            end_network_process();
            release_idle_memory(window.app_handle().clone());
        }
        _ => {}
    }
}

/// Destroys the hidden window after the grace, unless it was shown again meanwhile.
fn destroy_unless_shown(app: AppHandle) {
    let memory = app.state::<WindowMemory>();
    let hidden_at = memory.shown.load(std::sync::atomic::Ordering::SeqCst);
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(grace()).await;
        let memory = app.state::<WindowMemory>();
        if memory.shown.load(std::sync::atomic::Ordering::SeqCst) != hidden_at {
            return;
        }
        if let Some(window) = app.get_webview_window(MAIN)
            && let Err(e) = window.destroy()
        {
            tracing::warn!(error = %e, "could not let the hidden window go");
        }
    });
}

/// How long after the window went (or a hidden start) the pages it left are given back: the
/// teardown, or the start-up and first sync, is over by then.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(3);

/// How long after a window is built the pages only its start-up used are given back: the
/// first screen has long been painted and its first answers read by then.
const STARTED: std::time::Duration = std::time::Duration::from_secs(5);

/// Gives back the library pages nobody uses while there is no window ([`crate::memory`]),
/// once things have settled, unless a window was built again meanwhile.
pub fn release_idle_memory(app: AppHandle) {
    release_pages_later(app, SETTLE, false);
}

/// Gives back what only a new window's start-up touched (GL set-up, the first layout, the
/// store's opening), once it is over; what the open window keeps using comes back at its next
/// touch, from the page cache.
fn release_start_up_memory(app: AppHandle) {
    release_pages_later(app, STARTED, true);
}

fn release_pages_later(app: AppHandle, after: std::time::Duration, with_window: bool) {
    #[cfg(target_os = "linux")]
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(after).await;
        if app.get_webview_window(MAIN).is_some() != with_window {
            return;
        }
        let released =
            tauri::async_runtime::spawn_blocking(crate::memory::release_clean_file_pages).await;
        match released {
            Ok(Ok(released)) => {
                tracing::info!(
                    mib = released.bytes >> 20,
                    with_window,
                    "gave back idle library pages"
                );
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "could not give back idle library pages"),
            Err(e) => tracing::warn!(error = %e, "giving back idle library pages stopped"),
        }
    });
    #[cfg(not(target_os = "linux"))]
    let _ = (app, after, with_window);
}

/// WebKit keeps its network process for the app's whole life, though with the window gone
/// no page uses it (about 30 MiB). It is ended here; WebKit starts a new one for the next
/// window, as it does after the process crashed.
#[cfg(target_os = "linux")]
fn end_network_process() {
    use rustix::process::{Pid, Signal, kill_process};
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": the name is in parentheses, the parent after it.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let parent = rest.split_whitespace().nth(1);
        let name = head.split_once('(').map(|(_, name)| name);
        if parent != Some(me.as_str()) || name != Some("WebKitNetworkPr") {
            continue;
        }
        let pid = entry.file_name().to_string_lossy().parse().ok();
        if let Some(pid) = pid.and_then(Pid::from_raw) {
            match kill_process(pid, Signal::TERM) {
                Ok(()) => tracing::info!(%pid, "ended WebKit's network process with the window"),
                Err(e) => tracing::warn!(error = %e, "could not end WebKit's network process"),
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn end_network_process() {}

/// Closing the last window must not end Earshot: only an explicit exit (the tray's Quit)
/// does.
pub fn keep_running_without_windows(event: &tauri::RunEvent) {
    if let tauri::RunEvent::ExitRequested {
        code: None, api, ..
    } = event
    {
        api.prevent_exit();
    }
}
