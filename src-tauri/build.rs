/// Every command the UI may call. Listing them makes tauri-build generate an `allow-…`
/// permission per command, and `src-tauri/capabilities/` grants exactly these.
const COMMANDS: &[&str] = &[
    "app_status",
    "list_drafts",
    "create_draft",
    "update_draft",
    "delete_draft",
    "restore_draft",
    "send_test_notification",
    "check_keyring",
    "list_accounts",
    "add_bluesky_account",
    "remove_account",
    "sync_now",
    "list_inbox",
    "open_thread",
    "reply_limits",
    "reply_to",
    "like_post",
    "repost_post",
    "begin_mastodon_sign_in",
    "finish_mastodon_sign_in",
    "cancel_mastodon_sign_in",
    "list_owed",
    "mark_done",
    "reopen_item",
    "snooze_item",
    "notification_settings",
    "save_notification_settings",
    "pause_notifications",
    "start_at_login",
    "set_start_at_login",
    "open_on_web",
    "open_account_profile",
    "post_limits",
    "list_planned",
    "publish_anyway",
    "retry_post",
    "plan_settings",
    "save_plan_settings",
    "list_events",
    "create_event",
    "update_event",
    "delete_event",
    "add_topic",
    "set_topic_covered",
    "delete_topic",
    "event_posts",
    "save_plan",
    "approve_plan",
    "unapprove_plan",
    "schedule_plan",
    "delete_plan",
    "export_event",
    "import_event",
    "follow_ups",
    "plan_images",
];

fn main() {
    // tauri-build emits no rerun hint for a custom capabilities pattern.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
