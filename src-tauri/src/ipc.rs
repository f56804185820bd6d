//! Typed IPC: the command list and the TypeScript bindings generated from it.
//!
//! `ui/src/lib/bindings.ts` is generated from this list and committed. A test fails when it
//! is stale; `make bindings` rewrites it.

use tauri_specta::{collect_commands, collect_events};

use crate::{commands, events};

pub fn bindings() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::app_status,
            commands::list_drafts,
            commands::create_draft,
            commands::update_draft,
            commands::delete_draft,
            commands::restore_draft,
            commands::send_test_notification,
            commands::check_keyring,
            commands::list_accounts,
            commands::add_bluesky_account,
            commands::remove_account,
            commands::sync_now,
            commands::list_inbox,
            commands::open_thread,
            commands::is_message_request,
            commands::accept_message_request,
            commands::decline_message_request,
            commands::reply_limits,
            commands::reply_to,
            commands::like_post,
            commands::repost_post,
            commands::begin_mastodon_sign_in,
            commands::finish_mastodon_sign_in,
            commands::cancel_mastodon_sign_in,
            commands::list_owed,
            commands::mark_done,
            commands::reopen_item,
            commands::snooze_item,
            commands::notification_settings,
            commands::save_notification_settings,
            commands::pause_notifications,
            commands::start_at_login,
            commands::set_start_at_login,
            commands::open_on_web,
            commands::read_back,
            commands::cancel_read_back,
            commands::report,
            commands::export_report_csv,
            commands::save_client_report,
            commands::chat_settings,
            commands::save_chat_settings,
            commands::report_settings,
            commands::save_report_settings,
            commands::plans_on_sign_out,
            commands::list_backups,
            commands::restore_backup,
            commands::open_account_profile,
            commands::post_limits,
            commands::list_planned,
            commands::publish_anyway,
            commands::retry_post,
            commands::plan_settings,
            commands::save_plan_settings,
            commands::list_events,
            commands::create_event,
            commands::update_event,
            commands::delete_event,
            commands::add_topic,
            commands::set_topic_covered,
            commands::delete_topic,
            commands::event_posts,
            commands::save_plan,
            commands::approve_plan,
            commands::unapprove_plan,
            commands::schedule_plan,
            commands::delete_plan,
            commands::export_event,
            commands::import_event,
            commands::follow_ups,
            commands::plan_images,
            commands::list_heard,
            commands::dismiss_heard,
            commands::restore_heard,
            commands::heard_settings,
            commands::save_heard_settings,
            commands::guide_progress,
            commands::save_guide_progress,
            commands::save_event_listening,
            commands::event_heard,
            commands::remember_window,
            commands::window_start,
        ])
        .events(collect_events![
            events::InboxChanged,
            events::AccountChanged,
            events::OwedChanged,
            events::OpenItem,
            events::OpenReport,
            events::HeardChanged,
            events::OpenHeard,
            events::PlanChanged,
            events::TaskRestarted,
        ])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/bindings.ts");

    fn generate(path: &Path) {
        super::bindings()
            .export(
                specta_typescript::Typescript::default().header(
                    "// Regenerate with `make bindings`; a test fails when this file is stale.",
                ),
                path,
            )
            .expect("bindings export");
    }

    #[test]
    fn typescript_bindings_are_fresh() {
        if std::env::var_os("EARSHOT_WRITE_BINDINGS").is_some() {
            generate(Path::new(BINDINGS));
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let fresh = dir.path().join("bindings.ts");
        generate(&fresh);
        let fresh = std::fs::read_to_string(fresh).expect("read generated");
        let committed = std::fs::read_to_string(BINDINGS).unwrap_or_default();
        assert!(
            fresh == committed,
            "ui/src/lib/bindings.ts is stale: run `make bindings` and commit the result"
        );
    }

    /// A command the UI can call but the capability does not grant fails only at run time,
    /// as an error toast: every command in the bindings must be granted.
    #[test]
    fn every_command_is_granted_to_the_window() {
        let bindings = std::fs::read_to_string(BINDINGS).expect("read bindings");
        let capability = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/capabilities/default.json"
        ))
        .expect("read capability");
        let commands: Vec<&str> = bindings
            .split("__TAURI_INVOKE(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(commands.len() > 50, "found {commands:?}");
        let missing: Vec<&&str> = commands
            .iter()
            .filter(|command| {
                !capability.contains(&format!("\"allow-{}\"", command.replace('_', "-")))
            })
            .collect();
        assert!(missing.is_empty(), "not granted: {missing:?}");
    }
}
