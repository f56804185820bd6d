//! The Report: the store's counts for a period and scope, placed in the person's time zone
//! and named for the screen, and the per-item CSV export (written under a temporary name and
//! renamed, so a half-written file never carries the real one's name).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use earshot_core::report::report_days;
use earshot_core::richtext::one_line;
use earshot_core::{
    AccountId, AnswerTimes, EventId, InboxItem, ItemState, LeftHanging, Network, PlanStatus,
    PostDrew, Report, ReportDay, ReportRequest, ReportScope, Timestamp,
};
use earshot_store::{QUARTER_MICROS, ReportQuery, ReportRow, Times};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::earshot::blocking;
use crate::settings::{self, lock};
use crate::{Earshot, Error, Result};

/// How many of those left hanging the screen lists.
const HANGING_LISTED: u32 = 20;

/// The Report's settings: how long an answer may take and still count as in time, and
/// whether last week's figures arrive as a notification on Mondays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ReportSettings {
    pub answer_window_hours: u32,
    pub weekly_digest: bool,
}

impl Default for ReportSettings {
    /// A day to answer; no weekly digest.
    fn default() -> Self {
        Self {
            answer_window_hours: 24,
            weekly_digest: false,
        }
    }
}

fn times(label: String, times: Times) -> AnswerTimes {
    AnswerTimes {
        label,
        answered: times.answered,
        median_minutes: times.median_minutes,
        p90_minutes: times.p90_minutes,
    }
}

/// Weekday (Monday first) × hour counts in `zone`, from counts per quarter-hour.
fn by_hour(quarters: &[(i64, u32)], zone: &jiff::tz::TimeZone) -> Vec<Vec<u32>> {
    let mut grid = vec![vec![0u32; 24]; 7];
    for (quarter, count) in quarters {
        let Ok(at) = Timestamp::from_microsecond(quarter * QUARTER_MICROS) else {
            continue;
        };
        let local = at.to_zoned(zone.clone());
        let day = usize::from(local.weekday().to_monday_zero_offset().unsigned_abs());
        let hour = usize::from(local.hour().unsigned_abs());
        grid[day][hour] += count;
    }
    grid
}

/// Each day of the period from its start, and the end of the last one.
pub(crate) fn day_starts(
    from: Date,
    to: Date,
    zone: &jiff::tz::TimeZone,
) -> Result<Vec<Timestamp>> {
    let mut starts = Vec::new();
    let mut day = from;
    loop {
        let start = day
            .to_zoned(zone.clone())
            .map_err(|e| Error::Invalid(format!("{day} in your time zone: {e}")))?
            .timestamp();
        starts.push(start);
        if day > to {
            return Ok(starts);
        }
        day = day.tomorrow().map_err(|e| Error::Invalid(e.to_string()))?;
    }
}

impl Earshot {
    pub fn report_settings(&self) -> ReportSettings {
        *lock(&self.report_settings)
    }

    /// Saves the answer window (1 hour to a week).
    pub async fn save_report_settings(&self, settings: ReportSettings) -> Result<()> {
        if !(1..=168).contains(&settings.answer_window_hours) {
            return Err(Error::Invalid(
                "The answer window is 1 to 168 hours (a week).".into(),
            ));
        }
        self.save_setting(settings::REPORT, &settings).await?;
        *lock(&self.report_settings) = settings;
        // The weekly digest may be due now that it is on.
        self.recheck_alerts();
        Ok(())
    }

    /// The accounts a scope covers; `None` for all of them.
    async fn scope_accounts(&self, scope: &ReportScope) -> Result<Option<Vec<AccountId>>> {
        Ok(match scope {
            ReportScope::All => None,
            ReportScope::Account { account } => Some(vec![account.clone()]),
            ReportScope::Event { event } => {
                let event = event.clone();
                let posts = self
                    .with_store(move |store| store.event_posts(&event))
                    .await?;
                let mut accounts: Vec<AccountId> =
                    posts.into_iter().map(|post| post.account_id).collect();
                accounts.sort_by(|a, b| a.0.cmp(&b.0));
                accounts.dedup();
                Some(accounts)
            }
        })
    }

    /// The query for a request: its local days, accounts and the answer window.
    async fn report_query(
        &self,
        request: &ReportRequest,
    ) -> Result<(Vec<Timestamp>, Option<Vec<AccountId>>, jiff::SignedDuration)> {
        let (from, to) = report_days(request).map_err(|e| Error::Invalid(e.to_string()))?;
        let zone = self.services.clock.time_zone();
        let starts = day_starts(from, to, &zone)?;
        let accounts = self.scope_accounts(&request.scope).await?;
        let window =
            jiff::SignedDuration::from_hours(i64::from(self.report_settings().answer_window_hours));
        Ok((starts, accounts, window))
    }

    /// The Report for a period and scope.
    pub async fn report(&self, request: ReportRequest) -> Result<Report> {
        let (starts, accounts, window) = self.report_query(&request).await?;
        let now = self.services.clock.now();
        let counts = {
            let (starts, accounts) = (starts.clone(), accounts.clone());
            self.with_store(move |store| {
                store.report(&ReportQuery {
                    accounts: accounts.as_deref(),
                    day_starts: &starts,
                    window,
                    now,
                    hanging_listed: HANGING_LISTED,
                })
            })
            .await?
        };
        let known = self.with_store(|store| store.list_accounts()).await?;
        let handle = |id: &AccountId| {
            known
                .iter()
                .find(|a| a.id == *id)
                .map_or_else(|| id.0.clone(), |a| format!("@{}", a.handle))
        };
        let mut answer_times = vec![times("All accounts".into(), counts.times)];
        for (network, t) in &counts.times_by_network {
            let name =
                Network::parse(network).map_or_else(|| network.clone(), |n| n.name().to_owned());
            answer_times.push(times(name, *t));
        }
        answer_times.extend(
            counts
                .times_by_account
                .iter()
                .map(|(id, t)| times(handle(id), *t)),
        );
        let zone = self.services.clock.time_zone();
        let days = starts
            .iter()
            .zip(&counts.days)
            .map(|(start, day)| ReportDay {
                day: start.to_zoned(zone.clone()).date().to_string(),
                in_time: day.in_time,
                late: day.late,
                hanging: day.hanging,
                median_minutes: day.median_minutes,
            })
            .collect();
        let mut left_hanging = Vec::new();
        for id in counts.left_hanging {
            let item = self
                .with_store(move |store| store.inbox_item(id, now))
                .await?;
            left_hanging.push(LeftHanging {
                item: id,
                author: format!("@{}", item.post.author.handle),
                said: item
                    .asks
                    .clone()
                    .unwrap_or_else(|| one_line(&item.post.text, 120)),
                asked_at: item.post.created_at,
                waited: crate::waited(item.post.created_at, now),
            });
        }
        let heard = match (starts.first(), starts.last()) {
            (Some(&from), Some(&to)) => {
                let accounts = accounts.clone();
                self.with_store(move |store| store.heard_in_period(accounts.as_deref(), from, to))
                    .await?
            }
            _ => earshot_core::HeardFigures::default(),
        };
        Ok(Report {
            heard,
            from: request.from,
            to: request.to,
            window_hours: self.report_settings().answer_window_hours,
            people_hung_up: counts.people_hung_up,
            response_rate: counts.outcomes.response_rate(),
            outcomes: counts.outcomes,
            answer_times,
            answered_in_earshot: counts.answered_in_earshot,
            answered_elsewhere: counts.answered_elsewhere,
            published: counts.published,
            answers_written: counts.answers_written,
            days,
            distribution: counts.distribution.to_vec(),
            asked_by_hour: by_hour(&counts.asked_quarters, &zone),
            answered_by_hour: by_hour(&counts.answered_quarters, &zone),
            left_hanging,
            event_posts: match &request.scope {
                ReportScope::Event { event } => self.what_event_posts_drew(event.clone()).await?,
                _ => Vec::new(),
            },
        })
    }

    /// Each of an event's published posts, in order, with the replies and questions it drew
    /// and how many of them were answered.
    async fn what_event_posts_drew(&self, event: EventId) -> Result<Vec<PostDrew>> {
        let now = self.services.clock.now();
        let (posts, follow_ups) = self
            .with_store(move |store| {
                Ok((
                    store.event_posts(&event)?,
                    store.follow_ups(Some(&event), now)?,
                ))
            })
            .await?;
        Ok(posts
            .iter()
            .filter(|post| post.status == PlanStatus::Published)
            .map(|post| {
                let drew = || follow_ups.iter().filter(|f| f.post_id == post.id);
                let count = |keep: fn(&InboxItem) -> bool| {
                    u32::try_from(drew().filter(|f| keep(&f.item)).count()).unwrap_or(u32::MAX)
                };
                PostDrew {
                    post: post
                        .parts
                        .first()
                        .map(|part| one_line(&part.text, 60))
                        .unwrap_or_default(),
                    published_at: post.publish_at,
                    replies: count(|_| true),
                    questions: count(InboxItem::is_question),
                    answered: count(|item| item.state == ItemState::Answered),
                }
            })
            .collect())
    }

    /// Writes every item of the report as CSV into `folder` (the shell passes Documents).
    /// Returns the file's path.
    pub async fn export_report_csv(
        &self,
        request: ReportRequest,
        folder: &Path,
    ) -> Result<PathBuf> {
        let (starts, accounts, window) = self.report_query(&request).await?;
        let now = self.services.clock.now();
        let name = format!("earshot-report-{}-to-{}.csv", request.from, request.to);
        let store = std::sync::Arc::clone(&self.store);
        write_atomically(folder.to_owned(), name, move |out| {
            writeln!(
                out,
                "account,network,author,kind,question,asked_at,answered_at,answered_where,minutes_to_answer,state"
            )?;
            store
                .report_rows(
                    &ReportQuery {
                        accounts: accounts.as_deref(),
                        day_starts: &starts,
                        window,
                        now,
                        hanging_listed: 0,
                    },
                    |row| write_csv_row(out, &row),
                )
                .map_err(std::io::Error::other)
        })
        .await
    }

    /// Saves the Report for a client: `html` is the page as the screen drew it (figures and
    /// charts as SVG, made self-contained by the UI), wrapped here in a document that loads
    /// nothing and runs nothing, and written into `folder` (the shell passes Documents).
    pub async fn save_client_report(
        &self,
        request: ReportRequest,
        html: String,
        folder: &Path,
    ) -> Result<PathBuf> {
        report_days(&request).map_err(|e| Error::Invalid(e.to_string()))?;
        if html.len() > MAX_CLIENT_REPORT_BYTES {
            return Err(Error::Invalid(
                "The report is too large to save as one file.".into(),
            ));
        }
        let made = self
            .services
            .clock
            .now()
            .to_zoned(self.services.clock.time_zone());
        let document = client_report_document(
            &request,
            &html,
            &made.strftime("%Y-%m-%d %H:%M").to_string(),
        );
        let name = format!("earshot-report-{}-to-{}.html", request.from, request.to);
        write_atomically(folder.to_owned(), name, move |out| {
            out.write_all(document.as_bytes())
        })
        .await
    }
}

/// The largest client report accepted from the UI (the page with its charts is far smaller).
const MAX_CLIENT_REPORT_BYTES: usize = 16 * 1024 * 1024;

/// The client report's document around the page the UI drew. Its policy forbids scripts and
/// any load from elsewhere, so the file shows the same thing offline, anywhere, for good.
fn client_report_document(request: &ReportRequest, page: &str, made: &str) -> String {
    let period = format!("{} to {}", request.from, request.to);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Listening report, {period}</title>\n</head>\n<body>\n\
         <header class=\"client-report\"><p>Listening report · {period} · made {made} with Earshot</p></header>\n\
         {page}\n</body>\n</html>\n"
    )
}

/// Writes `name` into `folder` under a temporary name, then renames it, so a half-written
/// file never carries the real one's name. A folder that cannot be written says which.
async fn write_atomically(
    folder: PathBuf,
    name: String,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()> + Send + 'static,
) -> Result<PathBuf> {
    blocking(move || {
        let cannot = |e: std::io::Error| {
            Error::Invalid(format!(
                "Earshot could not write the report into {}: {e}",
                folder.display()
            ))
        };
        std::fs::create_dir_all(&folder).map_err(cannot)?;
        let path = folder.join(&name);
        let partial = folder.join(format!(".{name}.partial"));
        let file = std::fs::File::create(&partial).map_err(cannot)?;
        let mut out = std::io::BufWriter::new(file);
        let written = write(&mut out).and_then(|()| out.flush());
        drop(out);
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(cannot(e));
        }
        std::fs::rename(&partial, &path).map_err(cannot)?;
        Ok(path)
    })
    .await
}

fn write_csv_row(out: &mut impl std::io::Write, row: &ReportRow) -> std::io::Result<()> {
    let minutes = row
        .answered_at
        .map(|answered| answered.duration_since(row.asked_at).as_secs().max(0) / 60);
    writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{}",
        csv_field(&row.account),
        row.network,
        csv_field(&row.author),
        row.reason,
        if row.question { "yes" } else { "no" },
        row.asked_at,
        row.answered_at.map(|t| t.to_string()).unwrap_or_default(),
        match (row.answered_at, row.answered_in_earshot) {
            (None, _) => "",
            (Some(_), true) => "Earshot",
            (Some(_), false) => "another app",
        },
        minutes.map(|m| m.to_string()).unwrap_or_default(),
        row.outcome
    )
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_hours_land_on_local_weekdays_and_hours() {
        let zone = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone");
        // Monday 2026-11-30 08:00 UTC is 09:00 in Berlin.
        let monday: Timestamp = "2026-11-30T08:00:00Z".parse().expect("time");
        let quarter = monday.as_microsecond() / QUARTER_MICROS;
        let grid = by_hour(&[(quarter, 3), (quarter + 1, 2)], &zone);
        assert_eq!(grid[0][9], 5, "Monday, 9 o'clock in Berlin");
        assert_eq!(grid.iter().flatten().sum::<u32>(), 5);
    }

    #[test]
    fn a_day_across_a_clock_change_is_as_long_as_it_was_lived() {
        let zone = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone");
        let starts = day_starts(
            "2026-10-25".parse().expect("date"),
            "2026-10-25".parse().expect("date"),
            &zone,
        )
        .expect("starts");
        assert_eq!(starts.len(), 2);
        assert_eq!(starts[1].duration_since(starts[0]).as_hours(), 25);
    }

    #[test]
    fn the_client_report_loads_nothing_and_runs_nothing() {
        let request = ReportRequest {
            from: "2026-11-24".into(),
            to: "2026-11-30".into(),
            scope: ReportScope::All,
        };
        let document = client_report_document(&request, "<p>2 people</p>", "2026-12-01 09:00");
        assert!(document.starts_with("<!doctype html>"));
        assert!(document.contains("default-src 'none'"), "{document}");
        assert!(document.contains("<title>Listening report, 2026-11-24 to 2026-11-30</title>"));
        assert!(document.contains("<p>2 people</p>"));
    }

    #[tokio::test]
    async fn a_folder_that_cannot_be_written_is_named_and_nothing_is_left_behind() {
        let dir = tempfile::tempdir().expect("dir");
        let file_in_the_way = dir.path().join("Documents");
        std::fs::write(&file_in_the_way, "").expect("file");
        let refused = write_atomically(file_in_the_way.clone(), "r.html".into(), |out| {
            out.write_all(b"x")
        })
        .await
        .expect_err("not a folder");
        assert!(
            refused
                .to_string()
                .contains(&file_in_the_way.display().to_string()),
            "{refused}"
        );

        let failed = write_atomically(dir.path().join("out"), "r.csv".into(), |_| {
            Err(std::io::Error::other("disk full"))
        })
        .await
        .expect_err("the write failed");
        assert!(failed.to_string().contains("disk full"), "{failed}");
        let left: Vec<_> = std::fs::read_dir(dir.path().join("out"))
            .expect("folder")
            .collect();
        assert!(left.is_empty(), "no partial file stays behind");
    }

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        assert_eq!(csv_field("alice.test"), "alice.test");
        assert_eq!(
            csv_field("Bob, \"the\" builder"),
            "\"Bob, \"\"the\"\" builder\""
        );
    }
}
