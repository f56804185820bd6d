//! Engine events, forwarded to the webview as typed events. They carry ids only; the UI
//! refetches from SQLite through the commands.

use earshot_engine::EngineEvent;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::AppHandle;
use tauri_specta::Event as _;
use tokio::sync::broadcast::{Receiver, error::RecvError};

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

/// A planned post was published, held, released or failed: refetch the plan.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct PlanChanged;

/// Forwards engine events until the engine goes away; the tray follows every change.
pub fn forward(app: AppHandle, mut events: Receiver<EngineEvent>) {
    tauri::async_runtime::spawn(async move {
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
                    crate::window::show_main(&app);
                    OpenItem {
                        item_id: Some(item.0.to_string()),
                        reply,
                    }
                    .emit(&app)
                }
                Ok(EngineEvent::OpenOwed) => {
                    crate::window::show_main(&app);
                    OpenItem {
                        item_id: None,
                        reply: false,
                    }
                    .emit(&app)
                }
                Ok(EngineEvent::PlanChanged) => PlanChanged.emit(&app),
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
    });
}
