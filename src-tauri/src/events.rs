//! Engine events, forwarded to the webview as typed events. They carry ids only; the UI
//! refetches from SQLite through the commands.

use earshot_engine::EngineEvent;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::AppHandle;
use tauri_specta::Event as _;
use tokio::sync::broadcast::{Receiver, error::RecvError};

use crate::window::{OpenRequest, open_at};

/// Items arrived in an account's Inbox or became answered. `account_id` is `None` when the UI
/// should refetch everything (events were missed).
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct InboxChanged {
    pub account_id: Option<String>,
}

/// An account's sync state changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct AccountChanged {
    pub account_id: Option<String>,
}

/// The Owed queue changed (done, snoozed, a snooze ended, settings changed): refetch it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct OwedChanged;

/// The person acted on a notification: show this item's thread, with the reply box focused
/// when `reply`. (With no id: show Owed.)
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct OpenItem {
    pub item_id: Option<String>,
    pub reply: bool,
}

/// The person clicked the weekly digest: show the Report.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct OpenReport;

/// Heard changed: questions heard, answered or dismissed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct HeardChanged;

/// The person clicked a notification about questions heard: show Heard (at this item).
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct OpenHeard {
    pub item_id: Option<String>,
}

/// A planned post was published, held, released or failed: refetch the plan.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct PlanChanged;

/// A part of Earshot stopped after an internal error and was started again.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct TaskRestarted {
    /// What it does, in words: "publishing planned posts", "notifications", …
    pub task: String,
}

/// Forwards engine events until the engine goes away; the tray follows every change. A
/// forwarder that panics is replaced by one that starts with a full refetch.
pub fn forward(app: AppHandle, earshot: &earshot_engine::Earshot) {
    let sender = earshot.event_sender();
    let mut first = true;
    earshot_engine::supervisor::supervise_for_the_app(
        tauri::async_runtime::handle().inner(),
        "event bridge",
        move || {
            let restarted = !std::mem::replace(&mut first, false);
            forward_from(app.clone(), sender.subscribe(), restarted)
        },
        Box::new(|why| tracing::error!(%why, "the event bridge restarted")),
    );
}

async fn forward_from(app: AppHandle, mut events: Receiver<EngineEvent>, restarted: bool) {
    if restarted {
        // Whatever was sent meanwhile is missed: the UI refetches everything.
        let _ = InboxChanged { account_id: None }.emit(&app);
        let _ = AccountChanged { account_id: None }.emit(&app);
        crate::tray::refresh(&app);
    }
    {
        loop {
            let event = events.recv().await;
            if !matches!(event, Err(RecvError::Closed)) {
                crate::tray::refresh(&app);
            }
            let sent = match event {
                Ok(EngineEvent::InboxChanged { account }) => InboxChanged {
                    account_id: Some(account.0),
                }
                .emit(&app),
                Ok(EngineEvent::AccountChanged { account }) => AccountChanged {
                    account_id: Some(account.0),
                }
                .emit(&app),
                Ok(EngineEvent::OwedChanged) => OwedChanged.emit(&app),
                Ok(EngineEvent::OpenItem { item, reply }) => {
                    open_at(
                        &app,
                        OpenRequest::Item {
                            item_id: item.0.to_string(),
                            reply,
                        },
                    );
                    Ok(())
                }
                Ok(EngineEvent::OpenOwed) => {
                    open_at(&app, OpenRequest::Owed);
                    Ok(())
                }
                Ok(EngineEvent::OpenReport) => {
                    open_at(&app, OpenRequest::Report);
                    Ok(())
                }
                Ok(EngineEvent::HeardChanged) => HeardChanged.emit(&app),
                Ok(EngineEvent::OpenHeard { item }) => {
                    open_at(
                        &app,
                        OpenRequest::Heard {
                            item_id: item.map(|item| item.0.to_string()),
                        },
                    );
                    Ok(())
                }
                Ok(EngineEvent::PlanChanged) => PlanChanged.emit(&app),
                Ok(EngineEvent::TaskRestarted { task }) => TaskRestarted {
                    task: task.to_owned(),
                }
                .emit(&app),
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "the UI missed events; asking it to refetch all");
                    InboxChanged { account_id: None }
                        .emit(&app)
                        .and(AccountChanged { account_id: None }.emit(&app))
                }
                Err(RecvError::Closed) => return,
            };
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not tell the window about a change");
            }
        }
    }
}
