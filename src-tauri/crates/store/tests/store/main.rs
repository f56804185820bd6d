//! The store against real SQLite files in temporary folders.

mod accounts;
mod drafts;
mod heard;
mod inbox;
mod owed;
mod plan;
mod recovery;
mod report;
mod schema;

use earshot_core::Timestamp;

/// A fixed, readable instant plus `seconds`.
fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + seconds).expect("a valid test instant")
}
