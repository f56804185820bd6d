//! IPC commands: each one delegates to the engine and nothing more.
//! Keep `COMMANDS` in `src-tauri/build.rs` and the capability file in step with this list.

use earshot_core::{
    AccountId, Draft, DraftId, Event, EventDetails, EventId, EventListening, FollowUp,
    HeardFigures, HeardList, HeardSettings, InboxItem, InboxItemId, NotificationSettings,
    OwedQueue, PlanId, PlanImage, PlanInput, PlanSettings, PlannedPost, PlannedPostId, PostRef,
    ReadBack, Report, ReportRequest, TopicId,
};
use earshot_engine::{
    AccountView, AppStatus, BackupView, ChatSettings, GuideProgress, HeardAccountSettings,
    KeepPlans, KeyringStatus, MastodonSignIn, Pause, PlansOnAccount, ReplyLimits, ReportSettings,
    SignedIn, SignedOut, Snooze, ThreadEntry, WebAddress,
};
use tauri::{AppHandle, Manager as _, State};
use tauri_plugin_autostart::ManagerExt as _;

use crate::backend::Backend;
use crate::error::IpcError;
use crate::window::{WindowMemory, WindowStart};

type Reply<T> = Result<T, IpcError>;

/// Whether Earshot opened its data, and where it lives. The UI asks first.
#[tauri::command]
#[specta::specta]
pub fn app_status(backend: State<'_, Backend>) -> Reply<AppStatus> {
    Ok(backend.get()?.status())
}

#[tauri::command]
#[specta::specta]
pub async fn list_drafts(backend: State<'_, Backend>) -> Reply<Vec<Draft>> {
    Ok(backend.get()?.list_drafts().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_draft(backend: State<'_, Backend>, body: String) -> Reply<Draft> {
    Ok(backend.get()?.create_draft(body).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_draft(backend: State<'_, Backend>, id: DraftId, body: String) -> Reply<Draft> {
    Ok(backend.get()?.update_draft(id, body).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_draft(backend: State<'_, Backend>, id: DraftId) -> Reply<()> {
    Ok(backend.get()?.delete_draft(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn restore_draft(backend: State<'_, Backend>, id: DraftId) -> Reply<Draft> {
    Ok(backend.get()?.restore_draft(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn send_test_notification(backend: State<'_, Backend>) -> Reply<()> {
    Ok(backend.get()?.send_test_notification().await?)
}

/// The daily backups, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_backups(backend: State<'_, Backend>) -> Reply<Vec<BackupView>> {
    Ok(backend.get()?.list_backups())
}

/// Goes back to the backup of `day`.
#[tauri::command]
#[specta::specta]
pub async fn restore_backup(backend: State<'_, Backend>, day: String) -> Reply<()> {
    Ok(backend.get()?.restore_backup(day).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn check_keyring(backend: State<'_, Backend>) -> Reply<KeyringStatus> {
    Ok(backend.get()?.check_keyring().await)
}

#[tauri::command]
#[specta::specta]
pub async fn list_accounts(backend: State<'_, Backend>) -> Reply<Vec<AccountView>> {
    Ok(backend.get()?.list_accounts().await?)
}

/// `service` is the PDS or entryway; empty or missing means Bluesky's own.
#[tauri::command]
#[specta::specta]
pub async fn add_bluesky_account(
    backend: State<'_, Backend>,
    identifier: String,
    app_password: String,
    service: Option<String>,
) -> Reply<SignedIn> {
    Ok(backend
        .get()?
        .add_bluesky_account(identifier, app_password, service)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_account(
    backend: State<'_, Backend>,
    id: AccountId,
    plans: KeepPlans,
) -> Reply<SignedOut> {
    Ok(backend.get()?.remove_account(id, plans).await?)
}

/// What signing the account out would do to its plans, to ask first.
#[tauri::command]
#[specta::specta]
pub async fn plans_on_sign_out(
    backend: State<'_, Backend>,
    id: AccountId,
) -> Reply<PlansOnAccount> {
    Ok(backend.get()?.plans_on_sign_out(id).await?)
}

/// Runs a sync round for the account now.
#[tauri::command]
#[specta::specta]
pub fn sync_now(backend: State<'_, Backend>, id: AccountId) -> Reply<()> {
    Ok(backend.get()?.sync_now(&id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_inbox(backend: State<'_, Backend>) -> Reply<Vec<InboxItem>> {
    Ok(backend.get()?.list_inbox().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn open_thread(backend: State<'_, Backend>, id: InboxItemId) -> Reply<Vec<ThreadEntry>> {
    Ok(backend.get()?.open_thread(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn reply_limits(backend: State<'_, Backend>, id: InboxItemId) -> Reply<ReplyLimits> {
    Ok(backend.get()?.reply_limits(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn reply_to(
    backend: State<'_, Backend>,
    id: InboxItemId,
    text: String,
) -> Reply<InboxItem> {
    Ok(backend.get()?.reply_to(id, text).await?)
}

/// Whether a Bluesky direct message is in a conversation the person has not accepted.
#[tauri::command]
#[specta::specta]
pub async fn is_message_request(backend: State<'_, Backend>, id: InboxItemId) -> Reply<bool> {
    Ok(backend.get()?.is_message_request(id).await?)
}

/// Accepts the conversation of a Bluesky message request.
#[tauri::command]
#[specta::specta]
pub async fn accept_message_request(backend: State<'_, Backend>, id: InboxItemId) -> Reply<()> {
    Ok(backend.get()?.accept_message_request(id).await?)
}

/// Declines a Bluesky message request: leaves its conversation.
#[tauri::command]
#[specta::specta]
pub async fn decline_message_request(backend: State<'_, Backend>, id: InboxItemId) -> Reply<()> {
    Ok(backend.get()?.decline_message_request(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn like_post(
    backend: State<'_, Backend>,
    account: AccountId,
    post: PostRef,
) -> Reply<()> {
    Ok(backend.get()?.like_post(account, post).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn repost_post(
    backend: State<'_, Backend>,
    account: AccountId,
    post: PostRef,
) -> Reply<()> {
    Ok(backend.get()?.repost_post(account, post).await?)
}

/// Starts a Mastodon sign-in and opens the server's page in the person's browser. `server`
/// is a domain, an origin or a handle; `paste_code` asks for a code to paste instead of the
/// browser coming back by itself.
#[tauri::command]
#[specta::specta]
pub async fn begin_mastodon_sign_in(
    app: AppHandle,
    backend: State<'_, Backend>,
    server: String,
    paste_code: bool,
) -> Reply<MastodonSignIn> {
    let started = backend
        .get()?
        .begin_mastodon_sign_in(server, paste_code)
        .await?;
    crate::browser::open(&app, &WebAddress::parse(&started.authorize_url)?);
    Ok(started)
}

/// Waits for the browser to come back (or takes the pasted `code`) and signs in.
#[tauri::command]
#[specta::specta]
pub async fn finish_mastodon_sign_in(
    backend: State<'_, Backend>,
    attempt: String,
    code: Option<String>,
) -> Reply<SignedIn> {
    Ok(backend
        .get()?
        .finish_mastodon_sign_in(attempt, code)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub fn cancel_mastodon_sign_in(backend: State<'_, Backend>, attempt: String) -> Reply<()> {
    backend.get()?.cancel_mastodon_sign_in(&attempt);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn list_owed(backend: State<'_, Backend>) -> Reply<OwedQueue> {
    Ok(backend.get()?.owed().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mark_done(backend: State<'_, Backend>, id: InboxItemId) -> Reply<()> {
    Ok(backend.get()?.mark_done(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn reopen_item(backend: State<'_, Backend>, id: InboxItemId) -> Reply<()> {
    Ok(backend.get()?.reopen(id).await?)
}

/// Returns when the item comes back (RFC 3339).
#[tauri::command]
#[specta::specta]
pub async fn snooze_item(
    backend: State<'_, Backend>,
    id: InboxItemId,
    until: Snooze,
) -> Reply<String> {
    Ok(backend.get()?.snooze(id, until).await?.to_string())
}

#[tauri::command]
#[specta::specta]
pub fn notification_settings(backend: State<'_, Backend>) -> Reply<NotificationSettings> {
    Ok(backend.get()?.notification_settings())
}

#[tauri::command]
#[specta::specta]
pub async fn save_notification_settings(
    backend: State<'_, Backend>,
    settings: NotificationSettings,
) -> Reply<()> {
    Ok(backend.get()?.save_notification_settings(settings).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn pause_notifications(backend: State<'_, Backend>, pause: Pause) -> Reply<()> {
    backend.get()?.pause_notifications(pause).await?;
    Ok(())
}

/// Whether Earshot starts (hidden, in the tray) when the person logs in.
#[tauri::command]
#[specta::specta]
pub fn start_at_login(app: AppHandle) -> Reply<bool> {
    Ok(app.autolaunch().is_enabled()?)
}

#[tauri::command]
#[specta::specta]
pub fn set_start_at_login(app: AppHandle, enabled: bool) -> Reply<()> {
    let autolaunch = app.autolaunch();
    if enabled {
        autolaunch.enable()?;
    } else {
        autolaunch.disable()?;
    }
    Ok(())
}

/// Opens the item on the web, in the person's browser.
#[tauri::command]
#[specta::specta]
pub async fn open_on_web(
    app: AppHandle,
    backend: State<'_, Backend>,
    id: InboxItemId,
) -> Reply<()> {
    crate::browser::open(&app, &backend.get()?.web_url(id).await?);
    Ok(())
}

/// Opens the account's own profile on the web (to check what a server published).
#[tauri::command]
#[specta::specta]
pub async fn open_account_profile(
    app: AppHandle,
    backend: State<'_, Backend>,
    account: AccountId,
) -> Reply<()> {
    crate::browser::open(&app, &backend.get()?.profile_url(account).await?);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn post_limits(backend: State<'_, Backend>, account_id: AccountId) -> Reply<ReplyLimits> {
    Ok(backend.get()?.post_limits(account_id).await?)
}

/// Plans `parts` (a thread when there are several) on an account; `publish_at` is RFC 3339.
#[tauri::command]
#[specta::specta]
pub async fn list_planned(backend: State<'_, Backend>) -> Reply<Vec<PlannedPost>> {
    Ok(backend.get()?.planned_posts().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn publish_anyway(backend: State<'_, Backend>, id: PlannedPostId) -> Reply<()> {
    Ok(backend.get()?.publish_anyway(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_post(backend: State<'_, Backend>, id: PlannedPostId) -> Reply<()> {
    Ok(backend.get()?.retry_post(id).await?)
}

#[tauri::command]
#[specta::specta]
pub fn plan_settings(backend: State<'_, Backend>) -> Reply<PlanSettings> {
    Ok(backend.get()?.plan_settings())
}

#[tauri::command]
#[specta::specta]
pub async fn save_plan_settings(backend: State<'_, Backend>, settings: PlanSettings) -> Reply<()> {
    Ok(backend.get()?.save_plan_settings(settings).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_events(backend: State<'_, Backend>) -> Reply<Vec<Event>> {
    Ok(backend.get()?.events().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_event(backend: State<'_, Backend>, details: EventDetails) -> Reply<Event> {
    Ok(backend.get()?.create_event(details).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_event(
    backend: State<'_, Backend>,
    id: EventId,
    details: EventDetails,
) -> Reply<Event> {
    Ok(backend.get()?.update_event(id, details).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_event(backend: State<'_, Backend>, id: EventId) -> Reply<()> {
    Ok(backend.get()?.delete_event(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_topic(backend: State<'_, Backend>, event: EventId, title: String) -> Reply<Event> {
    Ok(backend.get()?.add_topic(event, title).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_topic_covered(
    backend: State<'_, Backend>,
    topic: TopicId,
    covered: bool,
) -> Reply<Event> {
    Ok(backend.get()?.set_topic_covered(topic, covered).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_topic(backend: State<'_, Backend>, topic: TopicId) -> Reply<Event> {
    Ok(backend.get()?.delete_topic(topic).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn event_posts(backend: State<'_, Backend>, event: EventId) -> Reply<Vec<PlannedPost>> {
    Ok(backend.get()?.event_posts(event).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_plan(backend: State<'_, Backend>, input: PlanInput) -> Reply<Vec<PlannedPost>> {
    Ok(backend.get()?.save_plan(input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approve_plan(backend: State<'_, Backend>, plan: PlanId) -> Reply<()> {
    Ok(backend.get()?.approve_plan(plan).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn unapprove_plan(backend: State<'_, Backend>, plan: PlanId) -> Reply<()> {
    Ok(backend.get()?.unapprove_plan(plan).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn schedule_plan(backend: State<'_, Backend>, plan: PlanId) -> Reply<()> {
    Ok(backend.get()?.schedule_plan(plan).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_plan(backend: State<'_, Backend>, plan: PlanId) -> Reply<()> {
    Ok(backend.get()?.delete_plan(plan).await?)
}

/// Writes the event's plan as Markdown into the Documents folder; returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_event(
    app: AppHandle,
    backend: State<'_, Backend>,
    id: EventId,
) -> Reply<String> {
    let path = backend
        .get()?
        .export_event_to(id, &documents(&app)?)
        .await?;
    Ok(path.display().to_string())
}

#[tauri::command]
#[specta::specta]
pub async fn import_event(backend: State<'_, Backend>, markdown: String) -> Reply<Event> {
    Ok(backend.get()?.import_event(markdown).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn follow_ups(
    backend: State<'_, Backend>,
    event: Option<EventId>,
) -> Reply<Vec<FollowUp>> {
    Ok(backend.get()?.follow_ups(event).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn plan_images(backend: State<'_, Backend>, plan: PlanId) -> Reply<Vec<PlanImage>> {
    Ok(backend.get()?.plan_images(plan).await?)
}

/// Reads an account's history back further (30 or 90 days, or everything), in the
/// background.
#[tauri::command]
#[specta::specta]
pub async fn read_back(
    backend: State<'_, Backend>,
    account: AccountId,
    read_back: ReadBack,
) -> Reply<()> {
    Ok(backend.get()?.read_back(account, read_back).await?)
}

/// Stops reading an account's history back; what was read stays.
#[tauri::command]
#[specta::specta]
pub async fn cancel_read_back(backend: State<'_, Backend>, account: AccountId) -> Reply<()> {
    Ok(backend.get()?.cancel_read_back(account).await?)
}

/// The Report for a period and scope.
#[tauri::command]
#[specta::specta]
pub async fn report(backend: State<'_, Backend>, request: ReportRequest) -> Reply<Report> {
    Ok(backend.get()?.report(request).await?)
}

/// Writes the report's items as CSV into Documents; returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_report_csv(
    app: AppHandle,
    backend: State<'_, Backend>,
    request: ReportRequest,
) -> Reply<String> {
    let path = backend
        .get()?
        .export_report_csv(request, &documents(&app)?)
        .await?;
    Ok(path.display().to_string())
}

/// Saves the Report for a client (the page as drawn, `html`) into Documents; returns the
/// file's path.
#[tauri::command]
#[specta::specta]
pub async fn save_client_report(
    app: AppHandle,
    backend: State<'_, Backend>,
    request: ReportRequest,
    html: String,
) -> Reply<String> {
    let path = backend
        .get()?
        .save_client_report(request, html, &documents(&app)?)
        .await?;
    Ok(path.display().to_string())
}

/// Where exports go: Documents, or home where there is none.
fn documents(app: &AppHandle) -> Result<std::path::PathBuf, IpcError> {
    app.path()
        .document_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| IpcError::invalid(format!("Earshot found no folder to write to: {e}")))
}

#[tauri::command]
#[specta::specta]
pub fn chat_settings(backend: State<'_, Backend>) -> Reply<ChatSettings> {
    Ok(backend.get()?.chat_settings())
}

#[tauri::command]
#[specta::specta]
pub async fn save_chat_settings(backend: State<'_, Backend>, settings: ChatSettings) -> Reply<()> {
    Ok(backend.get()?.save_chat_settings(settings).await?)
}

#[tauri::command]
#[specta::specta]
pub fn report_settings(backend: State<'_, Backend>) -> Reply<ReportSettings> {
    Ok(backend.get()?.report_settings())
}

#[tauri::command]
#[specta::specta]
pub async fn save_report_settings(
    backend: State<'_, Backend>,
    settings: ReportSettings,
) -> Reply<()> {
    Ok(backend.get()?.save_report_settings(settings).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_heard(backend: State<'_, Backend>) -> Reply<HeardList> {
    Ok(backend.get()?.heard().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn dismiss_heard(backend: State<'_, Backend>, id: InboxItemId) -> Reply<()> {
    Ok(backend.get()?.dismiss_heard(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn restore_heard(backend: State<'_, Backend>, id: InboxItemId) -> Reply<()> {
    Ok(backend.get()?.restore_heard(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn heard_settings(
    backend: State<'_, Backend>,
    account: AccountId,
) -> Reply<HeardAccountSettings> {
    Ok(backend.get()?.heard_settings(account).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_heard_settings(
    backend: State<'_, Backend>,
    account: AccountId,
    settings: HeardSettings,
) -> Reply<HeardAccountSettings> {
    Ok(backend
        .get()?
        .save_heard_settings(account, settings)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn guide_progress(backend: State<'_, Backend>) -> Reply<GuideProgress> {
    Ok(backend.get()?.guide_progress().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_guide_progress(
    backend: State<'_, Backend>,
    progress: GuideProgress,
) -> Reply<()> {
    Ok(backend.get()?.save_guide_progress(progress).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_event_listening(
    backend: State<'_, Backend>,
    id: EventId,
    listening: EventListening,
) -> Reply<Event> {
    Ok(backend.get()?.save_event_listening(id, listening).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn event_heard(backend: State<'_, Backend>, id: EventId) -> Reply<HeardFigures> {
    Ok(backend.get()?.event_heard(id).await?)
}

/// Keeps the UI's view (its own JSON) for the next window, should this one be closed.
#[tauri::command]
#[specta::specta]
pub fn remember_window(memory: State<'_, WindowMemory>, view: String) {
    memory.remember(view);
}

/// The view to come back to and what to open, for a window that just loaded.
#[tauri::command]
#[specta::specta]
pub fn window_start(memory: State<'_, WindowMemory>) -> WindowStart {
    memory.start()
}
