//! The Report: how well an account listens — "if your phone calls were like your social
//! media, how many people would hang up on you?"
//!
//! Definitions (also shown as the screen's help):
//! - An item *wanted an answer* when the Owed rules say so: a mention, reply, quote or direct
//!   message addressed to the account (a reply to someone else in its thread does not).
//! - *Answered*: the account wrote a reply to that post, from any app. *Time to answer*: the
//!   post's time to the first answer's time.
//! - *In time*: answered within the answer window (Settings, 24 h by default); *late*:
//!   answered after it; *left hanging*: no answer within the window and not marked *no reply
//!   needed* — still waiting past it, or answered late.
//! - *People who would have hung up*: the different people who asked a question or wrote a
//!   direct message and got no answer within the window.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{AccountId, EventId, InboxItemId, Timestamp};

/// The longest period a report covers.
pub const MAX_REPORT_DAYS: i64 = 731;

/// Whose items a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReportScope {
    /// Every account.
    All,
    /// One account.
    Account { account: AccountId },
    /// The accounts an event's plans go out on.
    Event { event: EventId },
}

/// A report to make: the days (in the person's time zone, both included) and the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportRequest {
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`, included.
    pub to: String,
    pub scope: ReportScope,
}

/// How items ended up, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Outcomes {
    pub in_time: u32,
    pub late: u32,
    /// No answer, and the window has passed.
    pub hanging: u32,
    /// No answer yet, still within the window.
    pub waiting: u32,
    /// Marked *no reply needed* (left out of the response rate).
    pub no_reply_needed: u32,
}

impl Outcomes {
    /// Answered within the window ÷ everything that wanted an answer and whose window has
    /// passed (items still within it, and those marked no reply needed, are left out).
    pub fn response_rate(&self) -> Option<f64> {
        let decided = self.in_time + self.late + self.hanging;
        (decided > 0).then(|| f64::from(self.in_time) / f64::from(decided))
    }
}

/// Time to first answer for one group of items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AnswerTimes {
    /// "All accounts", a network's name, or an account's handle.
    pub label: String,
    pub answered: u32,
    pub median_minutes: Option<u32>,
    pub p90_minutes: Option<u32>,
}

/// One day of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportDay {
    /// `YYYY-MM-DD` in the person's time zone.
    pub day: String,
    pub in_time: u32,
    pub late: u32,
    pub hanging: u32,
    pub median_minutes: Option<u32>,
}

/// Someone still waiting for an answer, longest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeftHanging {
    pub item: InboxItemId,
    pub author: String,
    /// What they asked, or the start of what they wrote.
    pub said: String,
    #[specta(type = String)]
    pub asked_at: Timestamp,
    /// "3 days".
    pub waited: String,
}

/// What one of an event's published posts drew: the follow-up lines, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PostDrew {
    /// The start of the post's text.
    pub post: String,
    #[specta(type = String)]
    pub published_at: Timestamp,
    /// Replies, quotes and mentions in its thread.
    pub replies: u32,
    /// Those of them that ask something.
    pub questions: u32,
    /// Those of them the account answered.
    pub answered: u32,
}

/// Everything the Report screen shows for one period and scope.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub from: String,
    pub to: String,
    pub window_hours: u32,
    /// People who asked (a question or a direct message) and got no answer in the window.
    pub people_hung_up: u32,
    pub outcomes: Outcomes,
    pub response_rate: Option<f64>,
    /// All accounts first, then per network, then per account.
    pub answer_times: Vec<AnswerTimes>,
    pub answered_in_earshot: u32,
    pub answered_elsewhere: u32,
    /// Posts the accounts published that answer nobody.
    pub published: u32,
    /// Replies the accounts wrote.
    pub answers_written: u32,
    pub days: Vec<ReportDay>,
    /// Time to answer: under 5 min, 1 h, 4 h, 24 h, later, never.
    pub distribution: Vec<u32>,
    /// Questions and messages received, by weekday (Monday first) and hour, local time.
    pub asked_by_hour: Vec<Vec<u32>>,
    /// Answers written, by weekday and hour.
    pub answered_by_hour: Vec<Vec<u32>>,
    pub left_hanging: Vec<LeftHanging>,
    /// For an event's report: each published post, in order, and what it drew.
    pub event_posts: Vec<PostDrew>,
    /// Questions heard (not addressed to the accounts) in the period, and how many were
    /// answered: a line of its own, never in the figures above.
    pub heard: crate::HeardFigures,
}

/// Why a report cannot be made for the period asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("\"{0}\" is not a date; use YYYY-MM-DD.")]
    BadDate(String),
    #[error("The period ends before it starts.")]
    EndsBeforeStart,
    #[error("A report covers at most two years; choose a shorter period.")]
    TooLong,
}

/// The period's first and last day, checked.
pub fn report_days(
    request: &ReportRequest,
) -> Result<(jiff::civil::Date, jiff::civil::Date), ReportError> {
    let parse = |text: &str| {
        text.parse::<jiff::civil::Date>()
            .map_err(|_| ReportError::BadDate(text.to_owned()))
    };
    let (from, to) = (parse(&request.from)?, parse(&request.to)?);
    if to < from {
        return Err(ReportError::EndsBeforeStart);
    }
    let days = from
        .until((jiff::Unit::Day, to))
        .map_err(|_| ReportError::TooLong)?
        .get_days();
    if i64::from(days) >= MAX_REPORT_DAYS {
        return Err(ReportError::TooLong);
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(from: &str, to: &str) -> ReportRequest {
        ReportRequest {
            from: from.into(),
            to: to.into(),
            scope: ReportScope::All,
        }
    }

    #[test]
    fn a_period_must_end_after_it_starts_and_last_at_most_two_years() {
        assert!(report_days(&request("2026-11-01", "2026-11-30")).is_ok());
        assert!(
            report_days(&request("2026-11-30", "2026-11-30")).is_ok(),
            "one day"
        );
        assert_eq!(
            report_days(&request("2026-11-30", "2026-11-01")),
            Err(ReportError::EndsBeforeStart)
        );
        assert_eq!(
            report_days(&request("2024-01-01", "2026-11-30")),
            Err(ReportError::TooLong)
        );
        assert!(matches!(
            report_days(&request("yesterday", "2026-11-30")),
            Err(ReportError::BadDate(_))
        ));
    }

    #[test]
    fn the_response_rate_leaves_out_what_is_still_waiting_and_no_reply_needed() {
        let outcomes = Outcomes {
            in_time: 3,
            late: 1,
            hanging: 0,
            waiting: 5,
            no_reply_needed: 7,
        };
        assert_eq!(outcomes.response_rate(), Some(0.75));
        assert_eq!(Outcomes::default().response_rate(), None);
    }
}
