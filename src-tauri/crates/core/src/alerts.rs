//! When Earshot may interrupt: quiet hours, a pause, and what gets through anyway.

use jiff::civil::{DateTime, Time};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::Timestamp;

/// How notifications behave; saved with the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    /// One entry per weekday, Monday first.
    pub quiet_hours: Vec<QuietDay>,
    /// Direct messages that ask a question still pop up during quiet hours.
    pub direct_questions_in_quiet_hours: bool,
    /// Nothing pops up until then ("Pause notifications" in the tray).
    #[specta(type = Option<String>)]
    pub paused_until: Option<Timestamp>,
}

impl Default for NotificationSettings {
    /// Quiet from 22:00 to 07:00 every night; direct questions get through.
    fn default() -> Self {
        Self {
            quiet_hours: (0..7)
                .map(|_| QuietDay {
                    enabled: true,
                    start: "22:00".into(),
                    end: "07:00".into(),
                })
                .collect(),
            direct_questions_in_quiet_hours: true,
            paused_until: None,
        }
    }
}

/// Quiet hours starting on one weekday; an end at or before the start is on the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QuietDay {
    pub enabled: bool,
    /// "HH:MM", local time.
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("Quiet hours need one entry per day of the week (7), not {0}.")]
    WrongDayCount(usize),
    #[error("\"{0}\" is not a time of day. Write it as HH:MM, for example 22:30.")]
    BadTime(String),
}

fn parse_time(text: &str) -> Result<Time, SettingsError> {
    let bad = || SettingsError::BadTime(text.to_owned());
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(bad)?;
    let hours: i8 = hours.parse().map_err(|_| bad())?;
    let minutes: i8 = minutes.parse().map_err(|_| bad())?;
    Time::new(hours, minutes, 0, 0).map_err(|_| bad())
}

impl NotificationSettings {
    /// Checks what the person typed before it is saved.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.quiet_hours.len() != 7 {
            return Err(SettingsError::WrongDayCount(self.quiet_hours.len()));
        }
        for day in &self.quiet_hours {
            parse_time(&day.start)?;
            parse_time(&day.end)?;
        }
        Ok(())
    }

    /// The local date-time at which the quiet hours covering `local` end, if they cover it.
    pub fn quiet_until(&self, local: DateTime) -> Option<DateTime> {
        let today = local.date();
        let yesterday = today.yesterday().ok()?;
        // Last night's hours may run past midnight; today's may have begun.
        [yesterday, today].into_iter().find_map(|date| {
            let index = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
            let day = self.quiet_hours.get(index).filter(|day| day.enabled)?;
            let (start, end) = (parse_time(&day.start).ok()?, parse_time(&day.end).ok()?);
            let begins = date.to_datetime(start);
            let ends = if end > start {
                date.to_datetime(end)
            } else {
                date.tomorrow().ok()?.to_datetime(end)
            };
            (begins <= local && local < ends).then_some(ends)
        })
    }

    /// The same settings with every day's quiet hours turned off.
    pub fn without_quiet_hours(mut self) -> Self {
        for day in &mut self.quiet_hours {
            day.enabled = false;
        }
        self
    }

    pub fn is_paused(&self, now: Timestamp) -> bool {
        self.paused_until.is_some_and(|until| until > now)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn nights(start: &str, end: &str) -> NotificationSettings {
        let mut settings = NotificationSettings::default();
        for day in &mut settings.quiet_hours {
            day.start = start.into();
            day.end = end.into();
        }
        settings
    }

    #[test]
    fn quiet_hours_run_past_midnight_into_the_next_day() {
        let settings = nights("22:00", "07:00");
        // 2026-11-30 is a Monday.
        let monday = date(2026, 11, 30);
        assert_eq!(
            settings.quiet_until(monday.at(23, 0, 0, 0)),
            Some(date(2026, 12, 1).at(7, 0, 0, 0))
        );
        assert_eq!(
            settings.quiet_until(monday.at(6, 59, 0, 0)),
            Some(monday.at(7, 0, 0, 0))
        );
        assert_eq!(settings.quiet_until(monday.at(7, 0, 0, 0)), None);
        assert_eq!(settings.quiet_until(monday.at(12, 0, 0, 0)), None);
    }

    #[test]
    fn a_day_without_quiet_hours_lets_its_evening_through() {
        let mut settings = nights("22:00", "07:00");
        settings.quiet_hours[4].enabled = false; // Friday
        let friday = date(2026, 12, 4);
        assert_eq!(settings.quiet_until(friday.at(23, 0, 0, 0)), None);
        assert!(
            settings.quiet_until(friday.at(3, 0, 0, 0)).is_some(),
            "Thursday night"
        );
    }

    #[test]
    fn daytime_quiet_hours_and_bad_times() {
        let settings = nights("09:00", "17:30");
        let day = date(2026, 12, 2);
        assert_eq!(
            settings.quiet_until(day.at(12, 0, 0, 0)),
            Some(day.at(17, 30, 0, 0))
        );
        assert_eq!(settings.quiet_until(day.at(18, 0, 0, 0)), None);
        assert_eq!(
            nights("25:00", "07:00").validate(),
            Err(SettingsError::BadTime("25:00".into()))
        );
        assert!(nights("22:00", "07:00").validate().is_ok());
    }
}
