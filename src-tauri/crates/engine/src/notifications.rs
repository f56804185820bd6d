//! OS notifications: freedesktop D-Bus on Linux (through `notify-rust`), the native centres
//! elsewhere.

use std::fmt::Debug;

/// What a notification says. Plain text only: notification servers differ in the markup
/// they accept, and remote text must never be interpreted as markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "Earshot could not show a notification ({0}). Check that your desktop's notification \
     service is running and that notifications are allowed for Earshot."
)]
pub struct NotifyError(pub String);

/// Shows notices to the person. Blocking (a D-Bus round trip): call from a blocking context.
pub trait Notifier: Send + Sync + Debug {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError>;
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

impl Notifier for DesktopNotifier {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        notify_rust::Notification::new()
            .appname(&self.app_name)
            .summary(&notice.summary)
            .body(&notice.body)
            .icon("earshot")
            .show()
            .map(drop)
            .map_err(|e| NotifyError(e.to_string()))
    }
}
