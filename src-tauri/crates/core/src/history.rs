//! Reading an account's history further back than the first sync's week, so a Report over 30
//! or 90 days counts what really happened: the account's own answers over the period first
//! (so old questions arrive already answered), then what was addressed to it.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::Timestamp;

/// The read backs the Accounts screen offers, in days.
pub const READ_BACK_DAYS: [u32; 2] = [30, 90];

/// How far back to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadBack {
    Days {
        days: u32,
    },
    /// Everything the server still gives.
    Everything,
}

/// Which part of a read back is under way, or how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum HistoryState {
    /// Reading the account's own posts.
    Answers,
    /// Reading what was addressed to the account.
    Inbox,
    Done,
    Cancelled,
    Failed,
}

impl HistoryState {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryState::Answers => "answers",
            HistoryState::Inbox => "inbox",
            HistoryState::Done => "done",
            HistoryState::Cancelled => "cancelled",
            HistoryState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            HistoryState::Answers,
            HistoryState::Inbox,
            HistoryState::Done,
            HistoryState::Cancelled,
            HistoryState::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }

    /// Whether pages are still to be read (also after a restart).
    pub fn is_running(self) -> bool {
        matches!(self, HistoryState::Answers | HistoryState::Inbox)
    }
}

/// Where an account's read back stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryProgress {
    pub read_back: ReadBack,
    pub state: HistoryState,
    /// Items addressed to the account read so far.
    pub items_read: u32,
    /// The account's own posts read so far.
    pub answers_read: u32,
    /// How far back the current part has read.
    #[specta(type = Option<String>)]
    pub reached: Option<Timestamp>,
    /// How much of the whole is read, in percent, when the goal is a date (the two parts
    /// count half each); `None` when reading everything the server gives.
    pub percent: Option<u8>,
    /// Why it failed, in words.
    pub error: Option<String>,
}

impl HistoryProgress {
    /// The percentage of the read back done, from how far back each part reached.
    pub fn percent_done(
        state: HistoryState,
        reached: Option<Timestamp>,
        goal: Timestamp,
        started: Timestamp,
    ) -> u8 {
        let span = started.duration_since(goal).as_secs_f64();
        let part = match reached {
            Some(reached) if span > 0.0 => {
                (started.duration_since(reached).as_secs_f64() / span).clamp(0.0, 1.0)
            }
            _ => 0.0,
        };
        let done = match state {
            HistoryState::Answers => part / 2.0,
            HistoryState::Inbox => 0.5 + part / 2.0,
            HistoryState::Done => 1.0,
            HistoryState::Cancelled | HistoryState::Failed => 0.0,
        };
        // Within 0..=100 by the clamp above.
        (done * 100.0).floor() as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_both_parts_half_each() {
        let started: Timestamp = "2026-12-01T00:00:00Z".parse().expect("time");
        let goal = started - jiff::SignedDuration::from_hours(30 * 24);
        let halfway = started - jiff::SignedDuration::from_hours(15 * 24);
        let percent = |state, reached| HistoryProgress::percent_done(state, reached, goal, started);
        assert_eq!(percent(HistoryState::Answers, None), 0);
        assert_eq!(percent(HistoryState::Answers, Some(halfway)), 25);
        assert_eq!(percent(HistoryState::Inbox, Some(halfway)), 75);
        let past_goal = goal - jiff::SignedDuration::from_hours(1);
        assert_eq!(percent(HistoryState::Inbox, Some(past_goal)), 100);
        assert_eq!(percent(HistoryState::Done, None), 100);
    }

    #[test]
    fn states_are_stored_by_name() {
        for state in [
            HistoryState::Answers,
            HistoryState::Inbox,
            HistoryState::Done,
        ] {
            assert_eq!(HistoryState::parse(state.as_str()), Some(state));
        }
        assert_eq!(HistoryState::parse("running"), None);
    }
}
