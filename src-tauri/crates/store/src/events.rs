//! Events and their topics.

use earshot_core::{
    Event, EventDetails, EventHoldRule, EventId, EventListening, Timestamp, Topic, TopicId,
};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::time::to_micros;
use crate::{Result, Store, StoreError};

/// The hold rule as its two columns.
fn hold_rule_columns(rule: EventHoldRule) -> (&'static str, Option<u32>) {
    match rule {
        EventHoldRule::AsSettings => ("settings", None),
        EventHoldRule::After { minutes } => ("after", Some(minutes)),
        EventHoldRule::Off => ("off", None),
    }
}

fn conversion_error(column: usize, problem: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, problem.into())
}

pub(crate) fn read_event(tx: &Transaction<'_>, id: &str) -> Result<Event> {
    let details = tx
        .query_row(
            "SELECT name, starts_on, ends_on, time_zone, hashtags, hold_rule, hold_after_minutes
             FROM events WHERE id = ?1",
            params![id],
            |row| {
                let date = |column: usize| -> rusqlite::Result<jiff::civil::Date> {
                    let text: String = row.get(column)?;
                    text.parse()
                        .map_err(|e| conversion_error(column, format!("{text:?}: {e}")))
                };
                let hashtags: String = row.get(4)?;
                let rule: String = row.get(5)?;
                let minutes: Option<u32> = row.get(6)?;
                let hold_rule = match (rule.as_str(), minutes) {
                    ("settings", _) => EventHoldRule::AsSettings,
                    ("after", Some(minutes)) => EventHoldRule::After { minutes },
                    ("off", _) => EventHoldRule::Off,
                    _ => return Err(conversion_error(5, format!("hold rule {rule:?}"))),
                };
                Ok(EventDetails {
                    name: row.get(0)?,
                    starts_on: date(1)?,
                    ends_on: date(2)?,
                    time_zone: row.get(3)?,
                    hashtags: hashtags.split_whitespace().map(str::to_owned).collect(),
                    hold_rule,
                })
            },
        )
        .optional()?
        .ok_or(StoreError::NotFound("event"))?;
    let topics = tx
        .prepare_cached(
            "SELECT id, title, covered FROM topics WHERE event_id = ?1 ORDER BY position, id",
        )?
        .query_map(params![id], |row| {
            Ok(Topic {
                id: TopicId(row.get(0)?),
                title: row.get(1)?,
                covered: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let listening = tx.query_row(
        "SELECT listen_from, listen_until, notify_heard FROM events WHERE id = ?1",
        params![id],
        |row| {
            let date = |column: usize| -> rusqlite::Result<Option<jiff::civil::Date>> {
                let text: Option<String> = row.get(column)?;
                text.map(|text| {
                    text.parse()
                        .map_err(|e| conversion_error(column, format!("{text:?}: {e}")))
                })
                .transpose()
            };
            Ok(EventListening {
                from: date(0)?,
                until: date(1)?,
                notify: row.get(2)?,
            })
        },
    )?;
    Ok(Event {
        id: EventId(id.to_owned()),
        details,
        topics,
        listening,
    })
}

pub(crate) fn insert_event(
    tx: &Transaction<'_>,
    details: &EventDetails,
    now: Timestamp,
) -> Result<EventId> {
    let id = uuid::Uuid::now_v7().to_string();
    let (rule, minutes) = hold_rule_columns(details.hold_rule);
    tx.execute(
        "INSERT INTO events (id, name, starts_on, ends_on, time_zone, hashtags, hold_rule,
                             hold_after_minutes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            id,
            details.name,
            details.starts_on.to_string(),
            details.ends_on.to_string(),
            details.time_zone,
            details.hashtags.join(" "),
            rule,
            minutes,
            to_micros(now)
        ],
    )?;
    Ok(EventId(id))
}

/// Adds a topic at the end of the event's list.
pub(crate) fn insert_topic(
    tx: &Transaction<'_>,
    event: &EventId,
    title: &str,
    covered: bool,
) -> Result<TopicId> {
    let id = uuid::Uuid::now_v7().to_string();
    let inserted = tx.execute(
        "INSERT INTO topics (id, event_id, position, title, covered)
         SELECT ?1, ?2, coalesce(max(position) + 1, 0), ?3, ?4 FROM topics WHERE event_id = ?2",
        params![id, event.0, title, covered],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Err(StoreError::Refused(format!(
                "The event already has a topic called \"{title}\"."
            )))
        }
        other => {
            other?;
            Ok(TopicId(id))
        }
    }
}

impl Store {
    /// Saves when the event's hashtags are listened to and whether what is heard pops up.
    pub fn save_event_listening(&self, id: &EventId, listening: &EventListening) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE events SET listen_from = ?2, listen_until = ?3, notify_heard = ?4
             WHERE id = ?1",
            params![
                id.0,
                listening.from.map(|d| d.to_string()),
                listening.until.map(|d| d.to_string()),
                listening.notify
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("event"));
        }
        let event = read_event(&tx, &id.0)?;
        tx.commit()?;
        Ok(event)
    }

    pub fn create_event(&self, details: &EventDetails, now: Timestamp) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let id = insert_event(&tx, details, now)?;
        let event = read_event(&tx, &id.0)?;
        tx.commit()?;
        Ok(event)
    }

    pub fn update_event(
        &self,
        id: &EventId,
        details: &EventDetails,
        now: Timestamp,
    ) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (rule, minutes) = hold_rule_columns(details.hold_rule);
        let changed = tx.execute(
            "UPDATE events SET name = ?2, starts_on = ?3, ends_on = ?4, time_zone = ?5,
                 hashtags = ?6, hold_rule = ?7, hold_after_minutes = ?8, updated_at = ?9
             WHERE id = ?1",
            params![
                id.0,
                details.name,
                details.starts_on.to_string(),
                details.ends_on.to_string(),
                details.time_zone,
                details.hashtags.join(" "),
                rule,
                minutes,
                to_micros(now)
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("event"));
        }
        let event = read_event(&tx, &id.0)?;
        tx.commit()?;
        Ok(event)
    }

    /// Deletes the event, its topics and its planned posts. A post being published right now
    /// keeps the event alive: the scheduler must be able to record how it ended.
    pub fn delete_event(&self, id: &EventId) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let publishing: u32 = tx.query_row(
            "SELECT count(*) FROM planned_posts WHERE event_id = ?1 AND status = 'publishing'",
            params![id.0],
            |row| row.get(0),
        )?;
        if publishing > 0 {
            return Err(StoreError::Refused(
                "A post of this event is being published right now. Try again in a moment.".into(),
            ));
        }
        if tx.execute("DELETE FROM events WHERE id = ?1", params![id.0])? == 0 {
            return Err(StoreError::NotFound("event"));
        }
        tx.commit()?;
        Ok(())
    }

    pub fn event(&self, id: &EventId) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        read_event(&tx, &id.0)
    }

    /// Every event, soonest first.
    pub fn events(&self) -> Result<Vec<Event>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids: Vec<String> = tx
            .prepare("SELECT id FROM events ORDER BY starts_on, name, id")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| read_event(&tx, id)).collect()
    }

    /// Adds a topic (its title already checked) at the end of the event's list.
    pub fn add_topic(&self, event: &EventId, title: &str) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        read_event(&tx, &event.0)?;
        insert_topic(&tx, event, title, false)?;
        let event = read_event(&tx, &event.0)?;
        tx.commit()?;
        Ok(event)
    }

    /// Ticks or unticks a topic; returns its event.
    pub fn set_topic_covered(&self, topic: &TopicId, covered: bool) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let event: String = tx
            .query_row(
                "UPDATE topics SET covered = ?2 WHERE id = ?1 RETURNING event_id",
                params![topic.0, covered],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(StoreError::NotFound("topic"))?;
        let event = read_event(&tx, &event)?;
        tx.commit()?;
        Ok(event)
    }

    /// Deletes a topic; its planned posts stay, no longer linked to it.
    pub fn delete_topic(&self, topic: &TopicId) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let event: String = tx
            .query_row(
                "DELETE FROM topics WHERE id = ?1 RETURNING event_id",
                params![topic.0],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(StoreError::NotFound("topic"))?;
        let event = read_event(&tx, &event)?;
        tx.commit()?;
        Ok(event)
    }
}
