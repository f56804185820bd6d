//! What the engine tells the shell. Events carry ids only: SQLite is the source of truth, and
//! whoever listens refetches what changed. A listener that lags behind should refetch
//! everything rather than fail.

use earshot_core::AccountId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineEvent {
    /// New items arrived in the account's Inbox, or some became answered.
    InboxChanged { account: AccountId },
    /// The account's sync state changed (a round started or ended, or failed).
    AccountChanged { account: AccountId },
}
