//! OS notifications: freedesktop D-Bus on Linux (through `notify-rust`), the native centres
//! elsewhere.

use std::fmt::Debug;

/// What a notification says. Plain text only: notification servers differ in the markup
/// they accept, and remote text must never be interpreted as markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    /// Buttons besides the click on the notification itself ([`NoticeAction::Open`]).
    pub actions: Vec<NoticeAction>,
}

/// What the person can do from a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeAction {
    /// Clicked the notification: open Earshot at what it is about.
    Open,
    Reply,
    /// "Done": no reply needed.
    Done,
    /// Open the people waiting for an answer (a held planned post).
    Answer,
    /// Publish a held planned post without waiting.
    PublishAnyway,
}

impl NoticeAction {
    /// The action key on the freedesktop bus ("default" is the click).
    pub fn key(self) -> &'static str {
        match self {
            NoticeAction::Open => "default",
            NoticeAction::Reply => "reply",
            NoticeAction::Done => "done",
            NoticeAction::Answer => "answer",
            NoticeAction::PublishAnyway => "publish",
        }
    }

    fn label(self) -> &'static str {
        match self {
            NoticeAction::Open => "Open",
            NoticeAction::Reply => "Reply",
            NoticeAction::Done => "Done",
            NoticeAction::Answer => "Answer",
            NoticeAction::PublishAnyway => "Publish anyway",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        [
            NoticeAction::Open,
            NoticeAction::Reply,
            NoticeAction::Done,
            NoticeAction::Answer,
            NoticeAction::PublishAnyway,
        ]
        .into_iter()
        .find(|action| action.key() == key)
    }
}

/// Called with the action the person picked; never called when the notification is
/// dismissed or expires.
pub type OnAction = Box<dyn FnOnce(NoticeAction) + Send>;

#[derive(Debug, thiserror::Error)]
#[error(
    "Earshot could not show a notification ({0}). Check that your desktop's notification \
     service is running and that notifications are allowed for Earshot."
)]
pub struct NotifyError(pub String);

/// Shows notices to the person. Blocking (a D-Bus round trip): call from a blocking context.
pub trait Notifier: Send + Sync + Debug {
    fn show(&self, notice: &Notice, on_action: OnAction) -> Result<(), NotifyError>;
}

/// The desktop's notification service.
#[derive(Debug, Clone)]
pub struct DesktopNotifier {
    app_name: String,
}

impl DesktopNotifier {
    pub fn new(app_name: impl Into<String>) -> Self {
        Self {
            app_name: app_name.into(),
        }
    }
}

/// The body as the daemon should show it: plain text. Freedesktop daemons that render body
/// markup (dunst, KDE Plasma, Xfce) would turn a stranger's `<a href>` into a link and
/// fetch an `<img>`; escaped, it stays the characters they typed. Other desktops take
/// plain text as it is.
fn body_text(body: &str) -> String {
    if cfg!(all(unix, not(target_os = "macos"))) {
        body.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        body.to_owned()
    }
}

/// Whether the notification server shows buttons; asked once (some servers, such as
/// notify-osd, have none, and would show a notice with buttons as a dialog).
#[cfg(all(unix, not(target_os = "macos")))]
fn server_has_actions() -> bool {
    use std::sync::OnceLock;

    static ACTIONS: OnceLock<bool> = OnceLock::new();
    *ACTIONS.get_or_init(|| {
        notify_rust::get_capabilities()
            .map(|capabilities| capabilities.iter().any(|c| c == "actions"))
            .unwrap_or(false)
    })
}

impl Notifier for DesktopNotifier {
    fn show(&self, notice: &Notice, on_action: OnAction) -> Result<(), NotifyError> {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname(&self.app_name)
            .summary(&notice.summary)
            .body(&body_text(&notice.body))
            .icon("earshot");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            if server_has_actions() {
                notification.action(NoticeAction::Open.key(), NoticeAction::Open.label());
                for action in &notice.actions {
                    notification.action(action.key(), action.label());
                }
            }
            let handle = notification
                .show()
                .map_err(|e| NotifyError(e.to_string()))?;
            // Waiting blocks until the notification is acted on or closed: a thread of its
            // own, which ends with the notification.
            std::thread::Builder::new()
                .name("notification-actions".into())
                .spawn(move || {
                    handle.wait_for_action(|key| {
                        if let Some(action) = NoticeAction::from_key(key) {
                            on_action(action);
                        }
                    });
                })
                .map(drop)
                .map_err(|e| NotifyError(e.to_string()))
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            drop(on_action);
            notification
                .show()
                .map(drop)
                .map_err(|e| NotifyError(e.to_string()))
        }
    }
}
