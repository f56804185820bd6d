//! The weekly digest: on Monday from 09:00 local, one notification with last week's figures
//! ("Last week: 42 asked, 40 answered · median 12 min · 2 people left hanging"), once a week,
//! off unless the person turns it on. The alerts task checks it on each of its wakes, so it
//! keeps to quiet hours and pauses like every other notification and costs no timer of its
//! own. The week it was sent for is saved, so a restart never sends it twice; a laptop asleep
//! at 09:00 gets it when it wakes, that week.

use jiff::civil::{Date, Weekday};
use jiff::{ToSpan as _, Zoned};

use earshot_core::Outcomes;
use earshot_store::{ReportCounts, ReportQuery, Store};

use crate::{Notice, NoticeAction, Result};

/// The local hour on Monday from which the digest may go out.
const DIGEST_HOUR: i8 = 9;

/// The Monday of the week whose digest is due at `now`, if one is: from Monday 09:00 until the
/// week ends, and only if it was not sent for that week yet.
pub(crate) fn digest_due(now: &Zoned, sent_for: Option<Date>) -> Option<Date> {
    let days_since_monday = now.weekday().to_monday_zero_offset();
    let monday = now
        .date()
        .checked_sub(i64::from(days_since_monday).days())
        .ok()?;
    let too_early = days_since_monday == 0 && now.hour() < DIGEST_HOUR;
    (!too_early && sent_for != Some(monday)).then_some(monday)
}

/// Counts the week before `monday` (Monday to Sunday, local days).
pub(crate) fn count_week_before(
    store: &Store,
    monday: Date,
    zone: &jiff::tz::TimeZone,
    window: jiff::SignedDuration,
    now: jiff::Timestamp,
) -> Result<ReportCounts> {
    let first = monday
        .checked_sub(7.days())
        .map_err(|e| crate::Error::Invalid(e.to_string()))?;
    let last = monday
        .yesterday()
        .map_err(|e| crate::Error::Invalid(e.to_string()))?;
    debug_assert_eq!(last.weekday(), Weekday::Sunday);
    let starts = crate::report::day_starts(first, last, zone)?;
    Ok(store.report(&ReportQuery {
        accounts: None,
        day_starts: &starts,
        window,
        now,
        hanging_listed: 0,
    })?)
}

/// The digest's words, or `None` when nobody wrote last week (no news is not worth a
/// notification).
pub(crate) fn digest_notice(counts: &ReportCounts) -> Option<Notice> {
    let Outcomes {
        in_time,
        late,
        hanging,
        waiting,
        ..
    } = counts.outcomes;
    let asked = in_time + late + hanging + waiting;
    if asked == 0 {
        return None;
    }
    let mut body = Vec::new();
    if let Some(median) = counts.times.median_minutes {
        body.push(format!("median {}", minutes_words(median)));
    }
    body.push(match counts.people_hung_up {
        0 => "nobody left hanging".to_owned(),
        1 => "1 person left hanging".to_owned(),
        n => format!("{n} people left hanging"),
    });
    Some(Notice {
        summary: format!("Last week: {asked} asked, {} answered", in_time + late),
        body: body.join(" · "),
        actions: vec![NoticeAction::Open],
    })
}

/// "12 min", "3 h", "2 days", as the Report says it.
fn minutes_words(minutes: u32) -> String {
    match minutes {
        0..60 => format!("{minutes} min"),
        60..2880 => format!("{} h", (minutes + 30) / 60),
        _ => format!("{} days", (minutes + 720) / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Zoned {
        format!("{text}[Europe/Berlin]").parse().expect("zoned")
    }

    #[test]
    fn due_from_monday_nine_until_sent_once_that_week() {
        let monday: Date = "2026-11-30".parse().expect("date");
        assert_eq!(digest_due(&at("2026-11-30T08:59"), None), None);
        assert_eq!(digest_due(&at("2026-11-30T09:00"), None), Some(monday));
        assert_eq!(digest_due(&at("2026-11-30T09:00"), Some(monday)), None);
        assert_eq!(
            digest_due(&at("2026-12-03T18:00"), None),
            Some(monday),
            "asleep on Monday: sent when awake, that week"
        );
        assert_eq!(
            digest_due(&at("2026-12-06T23:59"), Some(monday)),
            None,
            "Sunday night: still the same week"
        );
        let previous: Date = "2026-11-23".parse().expect("date");
        assert_eq!(
            digest_due(&at("2026-12-01T10:00"), Some(previous)),
            Some(monday)
        );
    }

    #[test]
    fn the_digest_says_the_week_in_one_line() {
        let mut counts = ReportCounts::default();
        assert_eq!(digest_notice(&counts), None, "a silent week sends nothing");
        counts.outcomes = Outcomes {
            in_time: 38,
            late: 2,
            hanging: 2,
            waiting: 0,
            no_reply_needed: 3,
        };
        counts.times.median_minutes = Some(12);
        counts.people_hung_up = 2;
        let notice = digest_notice(&counts).expect("a digest");
        assert_eq!(notice.summary, "Last week: 42 asked, 40 answered");
        assert_eq!(notice.body, "median 12 min · 2 people left hanging");
        assert_eq!(minutes_words(150), "3 h");
        assert_eq!(minutes_words(4000), "3 days");
    }
}
