//! Reading an account's history back further: where each read stands, and its pages stored
//! together with that progress, so a read cut short (a crash, a restart, a cancel) resumes
//! at the page it reached with nothing lost and nothing twice.

use earshot_core::{
    AccountId, HistoryProgress, HistoryState, IncomingPost, OwnPost, ReadBack, Timestamp,
};
use rusqlite::{OptionalExtension, params};

use crate::inbox::{Arrival, insert_items, record_own_posts};
use crate::time::{from_micros, to_micros};
use crate::{Result, Store};

/// A read back as stored: its progress and where its next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRead {
    pub progress: HistoryProgress,
    /// Read back to this instant; `None`: everything the server gives.
    pub goal: Option<Timestamp>,
    pub cursor: Option<String>,
    pub started_at: Timestamp,
}

/// One page of a read back, stored with the progress it makes.
#[derive(Debug, Clone, Copy)]
pub struct HistoryStep<'a> {
    /// Where the next page starts; `None` with `last` when this part is over.
    pub next: Option<&'a str>,
    /// The oldest instant on the page.
    pub reached: Option<Timestamp>,
    /// This part of the read is over (its goal reached, or the server has no more).
    pub last: bool,
}

impl Store {
    /// Starts reading `account`'s history back (again, from the newest page).
    pub fn start_history(
        &self,
        account: &AccountId,
        read_back: ReadBack,
        now: Timestamp,
    ) -> Result<()> {
        let (days, goal) = match read_back {
            ReadBack::Days { days } => (
                Some(days),
                Some(to_micros(
                    now - jiff::SignedDuration::from_hours(i64::from(days) * 24),
                )),
            ),
            ReadBack::Everything => (None, None),
        };
        self.conn().execute(
            "INSERT INTO history_reads (account_id, goal_days, goal, state, started_at)
             VALUES (?1, ?2, ?3, 'answers', ?4)
             ON CONFLICT (account_id) DO UPDATE SET goal_days = ?2, goal = ?3,
                 state = 'answers', cursor = NULL, reached = NULL, items_read = 0,
                 answers_read = 0, error = NULL, started_at = ?4, finished_at = NULL",
            params![account.0, days, goal, to_micros(now)],
        )?;
        Ok(())
    }

    /// The account's read back, if one was ever started.
    pub fn history(&self, account: &AccountId) -> Result<Option<HistoryRead>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT goal_days, goal, state, cursor, reached, items_read, answers_read,
                        error, started_at
                 FROM history_reads WHERE account_id = ?1",
                params![account.0],
                |row| {
                    Ok((
                        row.get::<_, Option<u32>>(0)?,
                        row.get::<_, Option<i64>>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, Option<i64>>(4)?,
                        row.get::<_, u32>(5)?,
                        row.get::<_, u32>(6)?,
                        row.get::<_, Option<String>>(7)?,
                        row.get::<_, i64>(8)?,
                    ))
                },
            )
            .optional()?;
        let Some((days, goal, state, cursor, reached, items, answers, error, started)) = row else {
            return Ok(None);
        };
        let state = HistoryState::parse(&state).unwrap_or(HistoryState::Failed);
        let goal = goal.map(from_micros).transpose()?;
        let reached = reached.map(from_micros).transpose()?;
        let started_at = from_micros(started)?;
        Ok(Some(HistoryRead {
            progress: HistoryProgress {
                read_back: days.map_or(ReadBack::Everything, |days| ReadBack::Days { days }),
                state,
                items_read: items,
                answers_read: answers,
                reached,
                percent: goal
                    .map(|goal| HistoryProgress::percent_done(state, reached, goal, started_at)),
                error,
            },
            goal,
            cursor,
            started_at,
        }))
    }

    /// Stores a page of the account's own posts and the progress it makes; the last page of
    /// them moves the read on to the Inbox. Returns the items that became answered.
    pub fn store_history_answers(
        &self,
        account: &AccountId,
        posts: &[OwnPost],
        step: HistoryStep<'_>,
    ) -> Result<Vec<earshot_core::InboxItemId>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let answered = record_own_posts(&tx, account, posts)?;
        if step.last {
            tx.execute(
                "UPDATE history_reads SET state = 'inbox', cursor = NULL, reached = NULL,
                     answers_read = answers_read + ?2
                 WHERE account_id = ?1 AND state = 'answers'",
                params![account.0, posts.len() as i64],
            )?;
        } else {
            tx.execute(
                "UPDATE history_reads SET cursor = ?2, reached = ?3,
                     answers_read = answers_read + ?4
                 WHERE account_id = ?1 AND state = 'answers'",
                params![
                    account.0,
                    step.next,
                    step.reached.map(to_micros),
                    posts.len() as i64
                ],
            )?;
        }
        // A read cancelled meanwhile matches no row above: it keeps what it read, and stays
        // cancelled.
        tx.commit()?;
        Ok(answered)
    }

    /// Stores a page of what was addressed to the account, never announced (old news), and
    /// the progress it makes; the last page ends the read. Returns how many were new.
    pub fn store_history_items(
        &self,
        account: &AccountId,
        posts: &[IncomingPost],
        step: HistoryStep<'_>,
        now: Timestamp,
    ) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let added = insert_items(&tx, account, posts, Arrival::History)?;
        if step.last {
            tx.execute(
                "UPDATE history_reads SET state = 'done', cursor = NULL, reached = ?2,
                     items_read = items_read + ?3, finished_at = ?4
                 WHERE account_id = ?1 AND state = 'inbox'",
                params![
                    account.0,
                    step.reached.map(to_micros),
                    posts.len() as i64,
                    to_micros(now)
                ],
            )?;
        } else {
            tx.execute(
                "UPDATE history_reads SET cursor = ?2, reached = ?3, items_read = items_read + ?4
                 WHERE account_id = ?1 AND state = 'inbox'",
                params![
                    account.0,
                    step.next,
                    step.reached.map(to_micros),
                    posts.len() as i64
                ],
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Ends a running read back as cancelled or failed (with `error` in words).
    pub fn end_history(
        &self,
        account: &AccountId,
        state: HistoryState,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE history_reads SET state = ?2, error = ?3, finished_at = ?4
             WHERE account_id = ?1 AND state IN ('answers', 'inbox')",
            params![account.0, state.as_str(), error, to_micros(now)],
        )?;
        Ok(())
    }
}
