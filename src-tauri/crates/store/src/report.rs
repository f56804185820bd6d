//! The Report's figures, counted in SQL over one covering index (`inbox_items_report`: by
//! when items were written, with each item's first answer kept on it by triggers). One
//! grouped pass gives outcomes, days and a histogram of minutes to answer, from which the
//! medians are read; a few more aggregates give people, heat maps and the longest waits.
//! Nothing is loaded row by row into Rust but those histograms (a few hundred rows per day
//! at most), the 20 people left hanging longest and the CSV export, which streams.
//!
//! Days are the person's days: the engine passes each local day's start as an instant, so a
//! day across a change of clocks is 23 or 25 hours long, as it was lived. Weekday × hour
//! heat maps come back in quarter-hours since the epoch, for the engine to place in local
//! time.

use earshot_core::{AccountId, InboxItemId, Outcomes, Timestamp};
use rusqlite::Transaction;

use crate::time::{from_micros, to_micros};
use crate::{Result, Store};

/// A quarter of an hour in microseconds: the grain of the heat maps.
pub const QUARTER_MICROS: i64 = 15 * 60 * 1_000_000;

/// What a report counts over.
#[derive(Debug, Clone)]
pub struct ReportQuery<'a> {
    /// `None`: every account.
    pub accounts: Option<&'a [AccountId]>,
    /// The start of each local day of the period, and the end of the last one.
    pub day_starts: &'a [Timestamp],
    /// The answer window.
    pub window: jiff::SignedDuration,
    pub now: Timestamp,
    /// How many of those left hanging to name.
    pub hanging_listed: u32,
}

/// Time to first answer for a group: how many were answered, the median and the 90th
/// percentile in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Times {
    pub answered: u32,
    pub median_minutes: Option<u32>,
    pub p90_minutes: Option<u32>,
}

/// One local day's outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub in_time: u32,
    pub late: u32,
    pub hanging: u32,
    pub median_minutes: Option<u32>,
}

/// The figures of a report, as the store counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportCounts {
    pub outcomes: Outcomes,
    pub people_hung_up: u32,
    pub answered_in_earshot: u32,
    pub answered_elsewhere: u32,
    pub published: u32,
    pub answers_written: u32,
    pub times: Times,
    /// By network name ("bluesky", "mastodon").
    pub times_by_network: Vec<(String, Times)>,
    pub times_by_account: Vec<(AccountId, Times)>,
    /// One per local day, in order.
    pub days: Vec<DayCounts>,
    /// Under 5 min, 1 h, 4 h, 24 h, later, never (left hanging).
    pub distribution: [u32; 6],
    /// (quarter-hour since the epoch, items asked then).
    pub asked_quarters: Vec<(i64, u32)>,
    /// (quarter-hour since the epoch, answers written then).
    pub answered_quarters: Vec<(i64, u32)>,
    /// Those still waiting past the window, longest first.
    pub left_hanging: Vec<InboxItemId>,
}

/// One row of the CSV export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub account: String,
    pub network: String,
    pub author: String,
    pub reason: String,
    pub question: bool,
    pub asked_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub answered_in_earshot: bool,
    pub outcome: &'static str,
}

fn outcome_name(code: i64) -> &'static str {
    match code {
        0 => "in time",
        1 => "late",
        2 => "left hanging",
        3 => "waiting",
        _ => "no reply needed",
    }
}

/// Each item's outcome: 0 in time, 1 late, 2 left hanging, 3 waiting, 4 no reply needed.
/// `:window` and `:now` in microseconds.
const OUTCOME: &str = "CASE
        WHEN answered_at IS NOT NULL AND answered_at - created_at <= :window THEN 0
        WHEN answered_at IS NOT NULL THEN 1
        WHEN done_at IS NOT NULL THEN 4
        WHEN :now - created_at > :window THEN 2
        ELSE 3
    END";

/// The items a report counts: written in the period, wanting an answer, on the accounts
/// asked for (`:accounts` is a JSON array, or NULL for all).
const IN_REPORT: &str = "asked_quarter >= :from_quarter AND asked_quarter <= :to_quarter
    AND created_at >= :from AND created_at < :to AND owed_rank < 3
    AND (:accounts IS NULL OR account_id IN (SELECT value FROM json_each(:accounts)))";

/// Which of the period's local days an instant in `column` falls on: a binary search over the
/// day starts written out as nested CASEs, about ten comparisons for two years of days, so
/// a day is as long as it was lived (23 or 25 hours across a change of clocks).
fn day_of(column: &str, starts: &[Timestamp]) -> String {
    fn days(column: &str, starts: &[Timestamp], first: usize, end: usize) -> String {
        if end - first <= 1 {
            return first.to_string();
        }
        let middle = first + (end - first) / 2;
        format!(
            "CASE WHEN {column} < {} THEN {} ELSE {} END",
            to_micros(starts[middle]),
            days(column, starts, first, middle),
            days(column, starts, middle, end)
        )
    }
    days(column, starts, 0, starts.len().saturating_sub(1).max(1))
}

/// One group of the report's main pass, packed into one integer, high bits first: the
/// account (its place among the accounts), the local day, the minutes to answer plus one
/// (0: not answered), the outcome (see [`OUTCOME`]) and whether the answer came from Earshot.
///
/// Minutes are as fine as the Report shows them: to the minute under two hours, to five
/// minutes under a day, to the hour beyond. The medians read from them are exact at that
/// grain, and a period's histogram stays a few hundred groups per day whatever the data.
#[derive(Debug, PartialEq, Eq)]
struct GroupKey {
    account: usize,
    day: usize,
    minutes: Option<u32>,
    outcome: i64,
    in_earshot: bool,
}

impl GroupKey {
    const MINUTES_BITS: u32 = 22;
    const DAY_BITS: u32 = 10;

    /// The key as SQL over `account_id`, `created_at`, `answered_at`, `done_at`,
    /// `answered_in_earshot` and `m` (whole minutes to answer, NULL when unanswered).
    fn sql(accounts: &[(String, String)], day_starts: &[Timestamp]) -> String {
        let account = if accounts.len() <= 1 {
            "0".to_owned()
        } else {
            let arms: String = accounts
                .iter()
                .enumerate()
                .map(|(i, (id, _))| format!(" WHEN '{}' THEN {i}", id.replace('\'', "''")))
                .collect();
            format!("CASE account_id{arms} ELSE 0 END")
        };
        let most = (1i64 << Self::MINUTES_BITS) - 2;
        format!(
            "((({account}) * {days} + ({day})) * {minutes}
               + (CASE WHEN m IS NULL THEN 0
                       WHEN m < 120 THEN m + 1
                       WHEN m < 1440 THEN m - m % 5 + 1
                       ELSE min(m - m % 60, {most}) + 1 END)) * 16
             + ({OUTCOME}) * 2 + answered_in_earshot",
            days = 1i64 << Self::DAY_BITS,
            day = day_of("created_at", day_starts),
            minutes = 1i64 << Self::MINUTES_BITS,
        )
    }

    fn decode(key: i64) -> Self {
        let minutes_mask = (1i64 << Self::MINUTES_BITS) - 1;
        let day_mask = (1i64 << Self::DAY_BITS) - 1;
        let minutes = (key >> 4) & minutes_mask;
        Self {
            in_earshot: key & 1 == 1,
            outcome: (key >> 1) & 0b111,
            minutes: u32::try_from(minutes - 1).ok(),
            day: usize::try_from((key >> (4 + Self::MINUTES_BITS)) & day_mask).unwrap_or(0),
            account: usize::try_from(key >> (4 + Self::MINUTES_BITS + Self::DAY_BITS)).unwrap_or(0),
        }
    }
}

/// How many items took each number of minutes to answer, smallest first.
#[derive(Debug, Default)]
struct Histogram {
    counts: std::collections::BTreeMap<u32, u32>,
    total: u32,
}

impl Histogram {
    fn add(&mut self, minutes: u32, count: u32) {
        *self.counts.entry(minutes).or_default() += count;
        self.total += count;
    }

    /// The `n`-th smallest (from 1).
    fn nth(&self, n: u32) -> Option<u32> {
        let mut seen = 0;
        self.counts.iter().find_map(|(minutes, count)| {
            seen += count;
            (seen >= n).then_some(*minutes)
        })
    }

    fn times(&self) -> Times {
        if self.total == 0 {
            return Times::default();
        }
        Times {
            answered: self.total,
            median_minutes: self.nth(self.total.div_ceil(2)),
            p90_minutes: self.nth((self.total * 9).div_ceil(10).max(1)),
        }
    }
}

/// The named parameters every report statement takes.
struct Bounds {
    from: i64,
    to: i64,
    /// The quarter-hours of `from` and of the last instant before `to`.
    from_quarter: i64,
    to_quarter: i64,
    window: i64,
    now: i64,
    accounts: Option<String>,
}

impl Bounds {
    fn of(query: &ReportQuery<'_>) -> Result<Option<Self>> {
        let (Some(first), Some(last)) = (query.day_starts.first(), query.day_starts.last()) else {
            return Ok(None);
        };
        let accounts = query
            .accounts
            .map(|ids| serde_json::to_string(&ids.iter().map(|a| &a.0).collect::<Vec<_>>()))
            .transpose()
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        let (from, to) = (to_micros(*first), to_micros(*last));
        Ok(Some(Self {
            from,
            to,
            from_quarter: from.div_euclid(QUARTER_MICROS),
            to_quarter: (to - 1).div_euclid(QUARTER_MICROS),
            window: query.window.as_micros() as i64,
            now: to_micros(query.now),
            accounts,
        }))
    }

    /// The parameters `sql` names, in the form rusqlite binds.
    fn params(&self, sql: &str) -> Vec<(&'static str, &dyn rusqlite::ToSql)> {
        let all: [(&'static str, &dyn rusqlite::ToSql); 7] = [
            (":from_quarter", &self.from_quarter),
            (":to_quarter", &self.to_quarter),
            (":from", &self.from),
            (":to", &self.to),
            (":window", &self.window),
            (":now", &self.now),
            (":accounts", &self.accounts),
        ];
        all.into_iter()
            .filter(|(name, _)| {
                sql.match_indices(name).any(|(at, _)| {
                    !sql[at + name.len()..].starts_with(|c: char| c == '_' || c.is_alphanumeric())
                })
            })
            .collect()
    }
}

/// Items asked per quarter-hour, for the heat map: counted in the index's own order.
fn asked_quarters(tx: &Transaction<'_>, bounds: &Bounds) -> Result<Vec<(i64, u32)>> {
    let sql = format!(
        "SELECT asked_quarter, count(*) FROM inbox_items INDEXED BY inbox_items_report
         WHERE {IN_REPORT} GROUP BY asked_quarter ORDER BY asked_quarter"
    );
    let mut statement = tx.prepare(&sql)?;
    let rows = statement
        .query_map(bounds.params(&sql).as_slice(), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

impl Store {
    /// Counts a report's figures; see the module's notes.
    pub fn report(&self, query: &ReportQuery<'_>) -> Result<ReportCounts> {
        let mut counts = ReportCounts::default();
        let Some(bounds) = Bounds::of(query)? else {
            return Ok(counts);
        };
        let mut conn = self.conn();
        // One snapshot for every figure: a sync landing meanwhile cannot make them disagree.
        let tx = conn.transaction()?;
        let accounts: Vec<(String, String)> = tx
            .prepare("SELECT id, network FROM accounts ORDER BY id")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;

        // Every outcome, day and time to answer in one pass over the index, grouped down to
        // a histogram: outcomes, the distribution, and each median are read from it. The
        // group is one integer (see `GroupKey`): sorting integers is what makes this fast.
        let days_in_period = query.day_starts.len().saturating_sub(1);
        counts.days = vec![DayCounts::default(); days_in_period];
        let mut all = Histogram::default();
        let mut by_account: Vec<Histogram> =
            accounts.iter().map(|_| Histogram::default()).collect();
        let mut by_network: std::collections::BTreeMap<String, Histogram> = Default::default();
        let mut by_day: Vec<Histogram> =
            (0..days_in_period).map(|_| Histogram::default()).collect();
        let sql = format!(
            "SELECT {key}, count(*)
             FROM (SELECT account_id, created_at, answered_at, done_at, answered_in_earshot,
                          max(answered_at - created_at, 0) / 60000000 AS m
                   FROM inbox_items INDEXED BY inbox_items_report
                   WHERE {IN_REPORT})
             GROUP BY 1",
            key = GroupKey::sql(&accounts, query.day_starts)
        );
        {
            let mut statement = tx.prepare(&sql)?;
            let mut rows = statement.query(bounds.params(&sql).as_slice())?;
            while let Some(row) = rows.next()? {
                let key = GroupKey::decode(row.get(0)?);
                let count: u32 = row.get(1)?;
                let slot = match key.outcome {
                    0 => &mut counts.outcomes.in_time,
                    1 => &mut counts.outcomes.late,
                    2 => &mut counts.outcomes.hanging,
                    3 => &mut counts.outcomes.waiting,
                    _ => &mut counts.outcomes.no_reply_needed,
                };
                *slot += count;
                if let Some(day_counts) = counts.days.get_mut(key.day) {
                    match key.outcome {
                        0 => day_counts.in_time += count,
                        1 => day_counts.late += count,
                        2 => day_counts.hanging += count,
                        _ => {}
                    }
                }
                if key.outcome == 2 {
                    counts.distribution[5] += count;
                }
                let Some(minutes) = key.minutes else { continue };
                if key.in_earshot {
                    counts.answered_in_earshot += count;
                } else {
                    counts.answered_elsewhere += count;
                }
                let bucket = match minutes {
                    0..5 => 0,
                    5..60 => 1,
                    60..240 => 2,
                    240..1440 => 3,
                    _ => 4,
                };
                counts.distribution[bucket] += count;
                all.add(minutes, count);
                if let Some(day) = by_day.get_mut(key.day) {
                    day.add(minutes, count);
                }
                if let (Some(histogram), Some((_, network))) =
                    (by_account.get_mut(key.account), accounts.get(key.account))
                {
                    histogram.add(minutes, count);
                    by_network
                        .entry(network.clone())
                        .or_default()
                        .add(minutes, count);
                }
            }
        }
        counts.times = all.times();
        counts.times_by_network = by_network
            .into_iter()
            .map(|(n, h)| (n, h.times()))
            .collect();
        counts.times_by_account = accounts
            .iter()
            .zip(&by_account)
            .filter(|(_, h)| h.total > 0)
            .map(|((id, _), h)| (AccountId(id.clone()), h.times()))
            .collect();
        for (day, histogram) in counts.days.iter_mut().zip(&by_day) {
            day.median_minutes = histogram.times().median_minutes;
        }

        // People, not items: one who asked three times and waited counts once.
        let sql = format!(
            "SELECT count(DISTINCT author_id) FROM inbox_items INDEXED BY inbox_items_report
             WHERE {IN_REPORT} AND (owed_rank = 0 OR reason = 'direct')
               AND CASE WHEN answered_at IS NOT NULL THEN answered_at - created_at > :window
                        ELSE done_at IS NULL AND :now - created_at > :window END"
        );
        counts.people_hung_up =
            tx.query_row(&sql, bounds.params(&sql).as_slice(), |row| row.get(0))?;

        counts.asked_quarters = asked_quarters(&tx, &bounds)?;

        let sql = format!(
            "SELECT id FROM inbox_items INDEXED BY inbox_items_report
             WHERE {IN_REPORT} AND answered_at IS NULL AND done_at IS NULL
               AND :now - created_at > :window
             ORDER BY asked_quarter, created_at LIMIT {}",
            query.hanging_listed
        );
        counts.left_hanging = tx
            .prepare(&sql)?
            .query_map(bounds.params(&sql).as_slice(), |row| {
                row.get(0).map(InboxItemId)
            })?
            .collect::<rusqlite::Result<_>>()?;

        // Posts the accounts wrote: broadcasts and answers, per quarter-hour, in the
        // index's own order.
        let sql = "SELECT written_quarter, is_reply, count(*)
             FROM own_posts INDEXED BY own_posts_written
             WHERE written_quarter >= :from_quarter AND written_quarter <= :to_quarter
               AND created_at >= :from AND created_at < :to
               AND (:accounts IS NULL OR account_id IN (SELECT value FROM json_each(:accounts)))
             GROUP BY written_quarter, is_reply";
        {
            let mut statement = tx.prepare(sql)?;
            let mut rows = statement.query(bounds.params(sql).as_slice())?;
            while let Some(row) = rows.next()? {
                let (quarter, is_reply, count): (i64, bool, u32) =
                    (row.get(0)?, row.get(1)?, row.get(2)?);
                if is_reply {
                    counts.answers_written += count;
                    counts.answered_quarters.push((quarter, count));
                } else {
                    counts.published += count;
                }
            }
        }
        tx.commit()?;
        Ok(counts)
    }

    /// Every item of the report, one row each, handed to `write` as it is read (a CSV
    /// export of 100k items never sits in memory whole).
    pub fn report_rows(
        &self,
        query: &ReportQuery<'_>,
        mut write: impl FnMut(ReportRow) -> std::io::Result<()>,
    ) -> Result<()> {
        let Some(bounds) = Bounds::of(query)? else {
            return Ok(());
        };
        let conn = self.conn();
        let sql = format!(
            "SELECT ac.handle, ac.network, r.author_handle, r.reason, r.question,
                    r.created_at, r.answered_at, r.answered_in_earshot, r.outcome
             FROM (SELECT id, account_id, author_handle, reason, owed_rank = 0 AS question,
                          created_at, answered_at, answered_in_earshot, {OUTCOME} AS outcome
                   FROM inbox_items INDEXED BY inbox_items_report
                   WHERE {IN_REPORT}) r
             JOIN accounts ac ON ac.id = r.account_id
             ORDER BY r.created_at, r.id"
        );
        let mut statement = conn.prepare(&sql)?;
        let mut rows = statement.query(bounds.params(&sql).as_slice())?;
        while let Some(row) = rows.next()? {
            let answered: Option<i64> = row.get(6)?;
            let row = ReportRow {
                account: row.get(0)?,
                network: row.get(1)?,
                author: row.get(2)?,
                reason: row.get(3)?,
                question: row.get(4)?,
                asked_at: from_micros(row.get(5)?)?,
                answered_at: answered.map(from_micros).transpose()?,
                answered_in_earshot: row.get(7)?,
                outcome: outcome_name(row.get(8)?),
            };
            write(row).map_err(|e| crate::StoreError::DataFolder {
                path: std::path::PathBuf::from("the export"),
                source: e,
            })?;
        }
        Ok(())
    }
}
