//! The Owed queue and what the person decides about its items; notification settings.

use earshot_core::{InboxItemId, NotificationSettings, OwedQueue, Timestamp};
use jiff::SignedDuration;
use serde::Deserialize;
use specta::Type;

use crate::settings::{NOTIFICATIONS, lock};
use crate::{Earshot, EngineEvent, Error, Result};

/// How many Owed items the view lists (the count covers all of them).
const OWED_PAGE: u32 = 500;

/// Snooze choices, as the Owed view offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Snooze {
    /// One hour from now.
    Hour,
    /// This evening at 19:00 (or in three hours when it is already evening).
    Tonight,
    /// Tomorrow at 09:00.
    Tomorrow,
}

/// Pause choices, as the tray offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Pause {
    Hour,
    /// Until tomorrow at 08:00.
    UntilTomorrow,
    /// Resume now.
    Off,
}

impl Earshot {
    pub async fn owed(&self) -> Result<OwedQueue> {
        self.owed_top(OWED_PAGE).await
    }

    /// The first `limit` owed items and the count (the tray wants five).
    pub async fn owed_top(&self, limit: u32) -> Result<OwedQueue> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.owed(now, limit)).await
    }

    /// "No reply needed".
    pub async fn mark_done(&self, id: InboxItemId) -> Result<()> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.mark_done(id, now))
            .await?;
        self.emit(EngineEvent::OwedChanged);
        Ok(())
    }

    /// Owed again, after "no reply needed" or a snooze.
    pub async fn reopen(&self, id: InboxItemId) -> Result<()> {
        self.with_store(move |store| store.reopen(id)).await?;
        self.emit(EngineEvent::OwedChanged);
        Ok(())
    }

    /// Out of Owed until the chosen time; returns that time.
    pub async fn snooze(&self, id: InboxItemId, choice: Snooze) -> Result<Timestamp> {
        let until = self.snooze_end(choice)?;
        self.with_store(move |store| store.snooze(id, until))
            .await?;
        self.emit(EngineEvent::OwedChanged);
        self.recheck_alerts();
        Ok(until)
    }

    fn snooze_end(&self, choice: Snooze) -> Result<Timestamp> {
        let now = self.services.clock.now();
        let local = now.to_zoned(self.services.clock.time_zone());
        let at = |zoned: Result<jiff::Zoned, jiff::Error>| {
            zoned
                .map(|z| z.timestamp())
                .map_err(|e| Error::Invalid(format!("Could not work out the snooze time: {e}")))
        };
        match choice {
            Snooze::Hour => Ok(now + SignedDuration::from_hours(1)),
            Snooze::Tonight if local.hour() >= 18 => Ok(now + SignedDuration::from_hours(3)),
            Snooze::Tonight => at(local
                .with()
                .hour(19)
                .minute(0)
                .second(0)
                .subsec_nanosecond(0)
                .build()),
            Snooze::Tomorrow => at(local.tomorrow().and_then(|day| {
                day.with()
                    .hour(9)
                    .minute(0)
                    .second(0)
                    .subsec_nanosecond(0)
                    .build()
            })),
        }
    }

    pub fn notification_settings(&self) -> NotificationSettings {
        lock(&self.settings).clone()
    }

    /// Saves new notification settings (checked first) and applies them at once.
    pub async fn save_notification_settings(&self, settings: NotificationSettings) -> Result<()> {
        settings
            .validate()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        self.save_setting(NOTIFICATIONS, &settings).await?;
        *lock(&self.settings) = settings;
        self.recheck_alerts();
        self.emit(EngineEvent::OwedChanged);
        Ok(())
    }

    /// Pauses notifications (or resumes them); returns when the pause ends.
    pub async fn pause_notifications(&self, pause: Pause) -> Result<Option<Timestamp>> {
        let now = self.services.clock.now();
        let until = match pause {
            Pause::Hour => Some(now + SignedDuration::from_hours(1)),
            Pause::UntilTomorrow => {
                let local = now.to_zoned(self.services.clock.time_zone());
                let morning = |day: jiff::Zoned| {
                    day.with()
                        .hour(8)
                        .minute(0)
                        .second(0)
                        .subsec_nanosecond(0)
                        .build()
                };
                let today = morning(local.clone()).map_err(|e| Error::Invalid(e.to_string()))?;
                let next = if today.timestamp() > now {
                    today
                } else {
                    local
                        .tomorrow()
                        .and_then(morning)
                        .map_err(|e| Error::Invalid(e.to_string()))?
                };
                Some(next.timestamp())
            }
            Pause::Off => None,
        };
        let mut settings = self.notification_settings();
        settings.paused_until = until;
        self.save_notification_settings(settings).await?;
        Ok(until)
    }
}
