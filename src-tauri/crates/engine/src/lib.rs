//! Earshot's running parts, without Tauri: the app context the shell manages, one sync task
//! per account, the OS keyring behind [`SecretStore`], and OS notifications behind
//! [`Notifier`].
//!
//! The shell builds one [`Earshot`] at start-up and delegates every IPC command to it.

mod accounts;
mod alerts;
mod backups;
mod bluesky;
mod digest;
mod earshot;
mod events;
mod guide;
mod heard;
mod history;
mod inbox;
mod mastodon;
pub mod notifications;
mod owed;
mod plan;
mod planner;
mod report;
mod scheduler;
pub mod secrets;
mod server_schedule;
mod settings;
pub mod supervisor;
mod sync;
mod walk;
pub mod web;

pub use accounts::{
    AccountView, DEFAULT_BLUESKY_SERVICE, KeepPlans, PlansOnAccount, SignedIn, SignedOut,
    SyncState, SyncView,
};
pub use alerts::waited;
pub use backups::BackupView;
pub use bluesky::chat::ChatSettings;
pub use earshot::{
    AppStatus, Earshot, Error, Faults, KeyringStatus, Result, Services, SyncSettings, data_dir,
};
pub use events::EngineEvent;
pub use guide::GuideProgress;
pub use heard::HeardAccountSettings;
pub use inbox::{Counting, ReplyLimits, ThreadEntry, ThreadPlace};
pub use mastodon::signin::MastodonSignIn;
pub use notifications::{DesktopNotifier, Notice, NoticeAction, Notifier, NotifyError, OnAction};
pub use owed::{Pause, Snooze};
pub use report::ReportSettings;
pub use secrets::{KeyringSecretStore, MemorySecretStore, SecretError, SecretStore};
pub use web::WebAddress;
