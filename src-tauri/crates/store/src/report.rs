//! The Report's figures, counted in SQL: the items of a period are classified once into a
//! temporary table (in time, late, left hanging, still waiting, no reply needed), and every
//! figure is one aggregate over it. Nothing is loaded row by row into Rust but the 20 people
//! left hanging longest and one CSV export, which streams.
//!
//! Days are the person's days: the engine passes each local day's start as an instant, so a
//! day across a change of clocks is 23 or 25 hours long, as it was lived. Weekday × hour
//! heat maps come back in quarter-hours since the epoch, for the engine to place in local
//! time.

use earshot_core::{AccountId, InboxItemId, Outcomes, Timestamp};
use rusqlite::{OptionalExtension, Transaction, params};

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

/// Classifies the period's items into `temp.report_items`, each with its outcome, its
/// minutes to answer and its local day, indexed for the medians.
fn classify(tx: &Transaction<'_>, query: &ReportQuery<'_>) -> Result<()> {
    let (Some(first), Some(last)) = (query.day_starts.first(), query.day_starts.last()) else {
        return Ok(());
    };
    let accounts = query
        .accounts
        .map(|ids| serde_json::to_string(&ids.iter().map(|a| &a.0).collect::<Vec<_>>()))
        .transpose()
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    tx.execute_batch(
        "DROP TABLE IF EXISTS temp.report_items;
         DROP TABLE IF EXISTS temp.report_day_starts;
         CREATE TEMP TABLE report_day_starts (d INTEGER PRIMARY KEY, starts INTEGER NOT NULL);
         CREATE INDEX temp.report_day_starts_at ON report_day_starts (starts);",
    )?;
    {
        let mut insert =
            tx.prepare("INSERT INTO temp.report_day_starts (d, starts) VALUES (?1, ?2)")?;
        for (d, start) in (0i64..).zip(query.day_starts) {
            insert.execute(params![d, to_micros(*start)])?;
        }
    }
    // outcome: 0 in time, 1 late, 2 left hanging, 3 waiting, 4 no reply needed.
    tx.execute(
        "CREATE TEMP TABLE report_items AS
         SELECT i.id, i.account_id, ac.network, i.author_id, i.author_handle, i.reason,
                i.owed_rank, i.created_at AS asked, a.created_at AS answered,
                CASE WHEN a.created_at IS NOT NULL
                     THEN max(a.created_at - i.created_at, 0) / 60000000 END AS minutes,
                coalesce(a.from_earshot, 0) AS from_earshot,
                CASE
                  WHEN a.created_at IS NOT NULL AND a.created_at - i.created_at <= ?3 THEN 0
                  WHEN a.created_at IS NOT NULL THEN 1
                  WHEN i.done_at IS NOT NULL THEN 4
                  WHEN ?4 - i.created_at > ?3 THEN 2
                  ELSE 3
                END AS outcome,
                (SELECT d FROM temp.report_day_starts s WHERE s.starts <= i.created_at
                 ORDER BY s.starts DESC LIMIT 1) AS d
         FROM inbox_items i
         JOIN accounts ac ON ac.id = i.account_id
         LEFT JOIN own_replies a ON a.account_id = i.account_id AND a.uri = i.answered_by
         WHERE i.created_at >= ?1 AND i.created_at < ?2 AND i.owed_rank < 3
           AND (?5 IS NULL OR i.account_id IN (SELECT value FROM json_each(?5)))",
        params![
            to_micros(*first),
            to_micros(*last),
            query.window.as_micros() as i64,
            to_micros(query.now),
            accounts
        ],
    )?;
    Ok(())
}

/// Indexes the medians read (one sort each, instead of a window per figure).
fn index_minutes(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "CREATE INDEX temp.report_minutes ON report_items (minutes) WHERE minutes IS NOT NULL;
         CREATE INDEX temp.report_network_minutes ON report_items (network, minutes)
             WHERE minutes IS NOT NULL;
         CREATE INDEX temp.report_account_minutes ON report_items (account_id, minutes)
             WHERE minutes IS NOT NULL;
         CREATE INDEX temp.report_day_minutes ON report_items (d, minutes);",
    )?;
    Ok(())
}

/// The `n`-th smallest minutes (from 1) where `column` is `value` (all rows when `column` is
/// empty): a walk along an index, not a sort.
fn nth_minutes(
    tx: &Transaction<'_>,
    column: &str,
    value: &rusqlite::types::Value,
    n: u32,
) -> Result<Option<u32>> {
    let offset = n.saturating_sub(1);
    let found = if column.is_empty() {
        tx.query_row(
            "SELECT minutes FROM temp.report_items WHERE minutes IS NOT NULL
             ORDER BY minutes LIMIT 1 OFFSET ?1",
            params![offset],
            |row| row.get(0),
        )
    } else {
        tx.query_row(
            &format!(
                "SELECT minutes FROM temp.report_items WHERE {column} = ?1 AND minutes IS NOT NULL
                 ORDER BY minutes LIMIT 1 OFFSET ?2"
            ),
            params![value, offset],
            |row| row.get(0),
        )
    }
    .optional()?;
    Ok(found)
}

/// Median and 90th percentile of the minutes to answer in each group of `column` (one
/// group, keyed "", when `column` is empty).
fn times(tx: &Transaction<'_>, column: &str) -> Result<Vec<(String, Times)>> {
    let groups: Vec<(rusqlite::types::Value, u32)> = if column.is_empty() {
        let answered: u32 = tx.query_row(
            "SELECT count(*) FROM temp.report_items WHERE minutes IS NOT NULL",
            [],
            |row| row.get(0),
        )?;
        vec![(rusqlite::types::Value::Null, answered)]
    } else {
        let mut statement = tx.prepare(&format!(
            "SELECT {column}, count(*) FROM temp.report_items WHERE minutes IS NOT NULL
             GROUP BY {column} ORDER BY {column}"
        ))?;
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut all = Vec::new();
    for (value, answered) in groups {
        if answered == 0 {
            continue;
        }
        let key = match &value {
            rusqlite::types::Value::Text(text) => text.clone(),
            _ => String::new(),
        };
        let times = Times {
            answered,
            median_minutes: nth_minutes(tx, column, &value, answered.div_ceil(2))?,
            p90_minutes: nth_minutes(tx, column, &value, (answered * 9).div_ceil(10).max(1))?,
        };
        all.push((key, times));
    }
    Ok(all)
}

fn quarters(tx: &Transaction<'_>, column: &str) -> Result<Vec<(i64, u32)>> {
    let mut statement = tx.prepare(&format!(
        "SELECT {column} / {QUARTER_MICROS}, count(*) FROM temp.report_items
         WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY 1"
    ))?;
    let rows = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

impl Store {
    /// Counts a report's figures; see the module's notes.
    pub fn report(&self, query: &ReportQuery<'_>) -> Result<ReportCounts> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        classify(&tx, query)?;
        index_minutes(&tx)?;
        let mut counts = ReportCounts::default();
        {
            let mut statement =
                tx.prepare("SELECT outcome, count(*) FROM temp.report_items GROUP BY outcome")?;
            let rows = statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get(1)?)))?;
            for row in rows {
                let (outcome, count): (i64, u32) = row?;
                let slot = match outcome {
                    0 => &mut counts.outcomes.in_time,
                    1 => &mut counts.outcomes.late,
                    2 => &mut counts.outcomes.hanging,
                    3 => &mut counts.outcomes.waiting,
                    _ => &mut counts.outcomes.no_reply_needed,
                };
                *slot = count;
            }
        }
        counts.people_hung_up = tx.query_row(
            "SELECT count(DISTINCT author_id) FROM temp.report_items
             WHERE (owed_rank = 0 OR reason = 'direct') AND outcome IN (1, 2)",
            [],
            |row| row.get(0),
        )?;
        (counts.answered_in_earshot, counts.answered_elsewhere) = tx.query_row(
            "SELECT coalesce(sum(from_earshot), 0), coalesce(sum(1 - from_earshot), 0)
             FROM temp.report_items WHERE answered IS NOT NULL",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if let (Some(first), Some(last)) = (query.day_starts.first(), query.day_starts.last()) {
            let accounts = query.accounts.map(|ids| {
                serde_json::to_string(&ids.iter().map(|a| &a.0).collect::<Vec<_>>())
                    .unwrap_or_default()
            });
            // Two statements, so that each can read the index by time alone.
            let sql = if accounts.is_some() {
                "SELECT coalesce(sum(is_reply = 0), 0), coalesce(sum(is_reply = 1), 0)
                 FROM own_posts INDEXED BY own_posts_written
                 WHERE created_at >= ?1 AND created_at < ?2
                   AND account_id IN (SELECT value FROM json_each(?3))"
            } else {
                "SELECT coalesce(sum(is_reply = 0), 0), coalesce(sum(is_reply = 1), 0)
                 FROM own_posts INDEXED BY own_posts_written
                 WHERE created_at >= ?1 AND created_at < ?2 AND ?3 IS NULL"
            };
            (counts.published, counts.answers_written) = tx.query_row(
                sql,
                params![to_micros(*first), to_micros(*last), accounts],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
        }
        counts.times = times(&tx, "")?
            .into_iter()
            .next()
            .map(|(_, t)| t)
            .unwrap_or_default();
        counts.times_by_network = times(&tx, "network")?;
        counts.times_by_account = times(&tx, "account_id")?
            .into_iter()
            .map(|(id, t)| (AccountId(id), t))
            .collect();
        counts.days = days(&tx, query.day_starts.len().saturating_sub(1))?;
        counts.distribution = tx.query_row(
            "SELECT
                   count(*) FILTER (WHERE answered - asked < 5 * 60000000),
                   count(*) FILTER (WHERE answered - asked >= 5 * 60000000
                                      AND answered - asked < 3600000000),
                   count(*) FILTER (WHERE answered - asked >= 3600000000
                                      AND answered - asked < 4 * 3600000000),
                   count(*) FILTER (WHERE answered - asked >= 4 * 3600000000
                                      AND answered - asked < 24 * 3600000000),
                   count(*) FILTER (WHERE answered - asked >= 24 * 3600000000),
                   count(*) FILTER (WHERE outcome = 2)
                 FROM temp.report_items",
            [],
            |row| {
                Ok([
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ])
            },
        )?;
        counts.asked_quarters = quarters(&tx, "asked")?;
        counts.answered_quarters = quarters(&tx, "answered")?;
        {
            let mut statement = tx.prepare(
                "SELECT id FROM temp.report_items WHERE outcome = 2 ORDER BY asked, id LIMIT ?1",
            )?;
            counts.left_hanging = statement
                .query_map(params![query.hanging_listed], |row| {
                    row.get(0).map(InboxItemId)
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        tx.execute_batch("DROP TABLE temp.report_items; DROP TABLE temp.report_day_starts")?;
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        classify(&tx, query)?;
        {
            let mut statement = tx.prepare(
                "SELECT ac.handle, ac.network, r.author_handle, r.reason, r.owed_rank = 0,
                        r.asked, r.answered, r.from_earshot, r.outcome
                 FROM temp.report_items r JOIN accounts ac ON ac.id = r.account_id
                 ORDER BY r.asked, r.id",
            )?;
            let mut rows = statement.query([])?;
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
        }
        tx.execute_batch("DROP TABLE temp.report_items; DROP TABLE temp.report_day_starts")?;
        tx.commit()?;
        Ok(())
    }
}

/// Outcomes and the median time to answer for each of the period's local days.
fn days(tx: &Transaction<'_>, days_in_period: usize) -> Result<Vec<DayCounts>> {
    let mut counts = vec![DayCounts::default(); days_in_period];
    let mut statement = tx.prepare(
        "SELECT d, count(*) FILTER (WHERE outcome = 0), count(*) FILTER (WHERE outcome = 1),
                count(*) FILTER (WHERE outcome = 2), count(minutes)
         FROM temp.report_items GROUP BY d",
    )?;
    let rows: Vec<(Option<i64>, DayCounts, u32)> = statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                DayCounts {
                    in_time: row.get(1)?,
                    late: row.get(2)?,
                    hanging: row.get(3)?,
                    median_minutes: None,
                },
                row.get(4)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (day, mut day_counts, answered) in rows {
        let Some(d) = day else { continue };
        if answered > 0 {
            day_counts.median_minutes = nth_minutes(
                tx,
                "d",
                &rusqlite::types::Value::Integer(d),
                answered.div_ceil(2),
            )?;
        }
        if let Some(slot) = usize::try_from(d).ok().and_then(|d| counts.get_mut(d)) {
            *slot = day_counts;
        }
    }
    Ok(counts)
}
