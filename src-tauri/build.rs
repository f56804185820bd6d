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
    "is_message_request",
    "accept_message_request",
    "decline_message_request",
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
    "read_back",
    "cancel_read_back",
    "report",
    "export_report_csv",
    "save_client_report",
    "chat_settings",
    "save_chat_settings",
    "report_settings",
    "save_report_settings",
    "plans_on_sign_out",
    "list_backups",
    "restore_backup",
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
    "list_heard",
    "dismiss_heard",
    "restore_heard",
    "heard_settings",
    "save_heard_settings",
    "guide_progress",
    "save_guide_progress",
    "save_event_listening",
    "event_heard",
    "remember_window",
    "window_start",
];

fn main() {
    // tauri-build emits no rerun hint for a custom capabilities pattern.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
    #[cfg(target_os = "linux")]
    look_up_the_speech_voice_first();
}

/// Debian's WebKitGTK links flite's speech voices, and one of them,
/// `libflite_cmu_time_awb.so.1`, asks the dynamic loader to look up 31,288 of its own
/// symbols as it loads. Each lookup walks the process's libraries in load order, where that
/// voice comes 80th of 169: 61 % of all the walking the loader does before `main` (counted
/// with `LD_DEBUG=bindings`). Naming it among Earshot's own libraries moves it to 16th and
/// halves that walking: loading alone (a start without a display) fell from 84–94 to
/// 48–58 ms of CPU (`perf stat`, 20 runs). It exports nothing any other library also defines,
/// so which symbol wins a lookup does not change. Where WebKit does not link the voice,
/// nothing is added.
#[cfg(target_os = "linux")]
fn look_up_the_speech_voice_first() {
    const VOICE: &str = "libflite_cmu_time_awb.so.1";
    let output = |program: &str, args: &[&str]| {
        let out = std::process::Command::new(program)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let Some(libdir) = output("pkg-config", &["--variable=libdir", "webkit2gtk-4.1"]) else {
        return;
    };
    let webkit = format!("{}/libwebkit2gtk-4.1.so.0", libdir.trim());
    // A WebKit upgrade may stop linking the voice: ask again then, not only when the
    // capabilities change.
    println!("cargo:rerun-if-changed={webkit}");
    let links_voice = output("readelf", &["--dynamic", &webkit])
        .is_some_and(|dynamic| dynamic.contains(&format!("Shared library: [{VOICE}]")));
    if links_voice {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--push-state,--no-as-needed,-l:{VOICE},--pop-state"
        );
    }
}
