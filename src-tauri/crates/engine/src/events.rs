//! What the engine tells the shell. Events carry ids only: SQLite is the source of truth, and
//! whoever listens refetches what changed. A listener that lags behind should refetch
//! everything rather than fail.

use earshot_core::{AccountId, InboxItemId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineEvent {
    /// New items arrived in the account's Inbox, or some became answered or done.
    InboxChanged { account: AccountId },
    /// The account's sync state changed (a round started or ended, or failed).
    AccountChanged { account: AccountId },
    /// The Owed queue changed without an Inbox change: a snooze ended, an item was snoozed or
    /// reopened, notification settings changed.
    OwedChanged,
    /// The person acted on a notification about one item: show its thread (with the reply
    /// box focused for `reply`).
    OpenItem { item: InboxItemId, reply: bool },
    /// The person clicked a summary: show Owed.
    OpenOwed,
    /// The person clicked the weekly digest: show the Report.
    OpenReport,
    /// Heard changed: questions heard, answered or dismissed.
    HeardChanged,
    /// The person acted on a notification about questions heard: show Heard (at `item`).
    OpenHeard { item: Option<InboxItemId> },
    /// A planned post was published, held, released or failed.
    PlanChanged,
    /// A background task (`task` names it: "scheduler", "alerts", "stream") panicked and was
    /// started again; the person is told, the log has the details.
    TaskRestarted { task: &'static str },
}
