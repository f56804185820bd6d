//! Events: a conference or launch someone covers, with the topics to cover and the planned
//! posts that cover them.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use specta::Type;

/// An event's stable id (a UUIDv7 string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct EventId(pub String);

/// A topic's stable id (a UUIDv7 string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct TopicId(pub String);

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How listen-before-broadcast applies to an event's posts. Relaxing it is a choice the
/// event shows on its page and on every post it lets through, never a silent one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum EventHoldRule {
    /// As in Settings.
    AsSettings,
    /// Hold only once someone has waited this long (longer than the setting, say, on a
    /// busy conference day).
    After { minutes: u32 },
    /// Never hold this event's posts.
    Off,
}

/// An event as the UI sees it, topics in their order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: EventId,
    #[serde(flatten)]
    pub details: EventDetails,
    pub topics: Vec<Topic>,
    /// How Heard listens under the event's hashtags.
    #[serde(default)]
    pub listening: EventListening,
}

/// When an event's hashtags are watched for questions, and whether those questions pop up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EventListening {
    /// The first day watched; `None`: the day before the event starts.
    #[specta(type = Option<String>)]
    pub from: Option<Date>,
    /// The last day watched; `None`: the day after the event ends.
    #[specta(type = Option<String>)]
    pub until: Option<Date>,
    /// "Tell me about questions heard" (off by default: nobody asked *you*).
    pub notify: bool,
}

impl EventListening {
    /// The days watched, first and last, in the event's time zone.
    pub fn days(&self, details: &EventDetails) -> (Date, Date) {
        let from = self
            .from
            .or_else(|| details.starts_on.yesterday().ok())
            .unwrap_or(details.starts_on);
        let until = self
            .until
            .or_else(|| details.ends_on.tomorrow().ok())
            .unwrap_or(details.ends_on);
        (from, until)
    }

    pub fn validate(self) -> Result<Self, EventError> {
        if let (Some(from), Some(until)) = (self.from, self.until)
            && until < from
        {
            return Err(EventError::ListensBackwards { from, until });
        }
        Ok(self)
    }
}

/// What the person types about an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EventDetails {
    pub name: String,
    #[specta(type = String)]
    pub starts_on: Date,
    #[specta(type = String)]
    pub ends_on: Date,
    /// An IANA time zone name ("Europe/Berlin"): the event's days and times are read in it.
    pub time_zone: String,
    /// Added to the first post of every planned post of the event, without the '#'.
    pub hashtags: Vec<String>,
    pub hold_rule: EventHoldRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Topic {
    pub id: TopicId,
    pub title: String,
    /// Ticked by the person, or by the scheduler once a post on the topic is published.
    pub covered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("Give the event a name.")]
    NoName,
    #[error("The event ends ({ends}) before it starts ({starts}).")]
    EndsBeforeStart { starts: Date, ends: Date },
    #[error("\"{0}\" is not a time zone this computer knows. Use a name like Europe/Berlin.")]
    UnknownTimeZone(String),
    #[error("\"{0}\" cannot be a hashtag: use letters, digits and _ only.")]
    BadHashtag(String),
    #[error("Hold after 1 to 1440 minutes of waiting, or turn the rule off for this event.")]
    BadHoldMinutes,
    #[error("Give the topic a title.")]
    NoTopicTitle,
    #[error("Listening would stop ({until}) before it starts ({from}).")]
    ListensBackwards { from: Date, until: Date },
}

impl EventDetails {
    /// Trims the name, drops '#' and repeats from the hashtags, and checks the rest.
    pub fn validate(mut self) -> Result<Self, EventError> {
        // One line each, so that an exported plan reads back the same.
        self.name = single_line(&self.name);
        if self.name.is_empty() {
            return Err(EventError::NoName);
        }
        if self.ends_on < self.starts_on {
            return Err(EventError::EndsBeforeStart {
                starts: self.starts_on,
                ends: self.ends_on,
            });
        }
        if jiff::tz::TimeZone::get(&self.time_zone).is_err() {
            return Err(EventError::UnknownTimeZone(self.time_zone));
        }
        let mut hashtags: Vec<String> = Vec::new();
        for tag in &self.hashtags {
            let tag = tag.trim().trim_start_matches('#');
            if tag.is_empty() {
                continue;
            }
            if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Err(EventError::BadHashtag(tag.to_owned()));
            }
            if !hashtags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                hashtags.push(tag.to_owned());
            }
        }
        self.hashtags = hashtags;
        if let EventHoldRule::After { minutes } = self.hold_rule
            && !(1..=1440).contains(&minutes)
        {
            return Err(EventError::BadHoldMinutes);
        }
        Ok(self)
    }
}

/// A topic title on one line; empty is refused.
pub fn topic_title(title: &str) -> Result<String, EventError> {
    let title = single_line(title);
    if title.is_empty() {
        return Err(EventError::NoTopicTitle);
    }
    Ok(title)
}

/// Runs of whitespace (line breaks too) as one space, trimmed.
pub(crate) fn single_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The line an event's hashtags add to a post: the tags the text does not carry yet
/// (compared without case), or nothing.
pub fn hashtag_line(text: &str, hashtags: &[String]) -> Option<String> {
    let lower = text.to_lowercase();
    let missing: Vec<String> = hashtags
        .iter()
        .filter(|tag| !carries_tag(&lower, &tag.to_lowercase()))
        .map(|tag| format!("#{tag}"))
        .collect();
    (!missing.is_empty()).then(|| missing.join(" "))
}

/// Whether `#tag` appears in `text` as a whole tag, not as the start of a longer one.
pub(crate) fn carries_tag(text: &str, tag: &str) -> bool {
    let needle = format!("#{tag}");
    text.match_indices(&needle).any(|(at, _)| {
        text[at + needle.len()..]
            .chars()
            .next()
            .is_none_or(|next| !(next.is_alphanumeric() || next == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details() -> EventDetails {
        EventDetails {
            name: "  DevConf  ".into(),
            starts_on: jiff::civil::date(2026, 12, 1),
            ends_on: jiff::civil::date(2026, 12, 3),
            time_zone: "Europe/Berlin".into(),
            hashtags: vec![
                "#DevConf".into(),
                "devconf".into(),
                " ".into(),
                "dc26".into(),
            ],
            hold_rule: EventHoldRule::AsSettings,
        }
    }

    #[test]
    fn details_are_tidied_and_checked() {
        let tidy = details().validate().expect("valid");
        assert_eq!(tidy.name, "DevConf");
        assert_eq!(tidy.hashtags, ["DevConf", "dc26"]);

        let backwards = EventDetails {
            ends_on: jiff::civil::date(2026, 11, 30),
            ..details()
        };
        assert!(matches!(
            backwards.validate(),
            Err(EventError::EndsBeforeStart { .. })
        ));
        let nowhere = EventDetails {
            time_zone: "Mars/Olympus".into(),
            ..details()
        };
        assert_eq!(
            nowhere.validate().expect_err("unknown zone").to_string(),
            "\"Mars/Olympus\" is not a time zone this computer knows. Use a name like Europe/Berlin."
        );
        let spaced = EventDetails {
            hashtags: vec!["dev conf".into()],
            ..details()
        };
        assert_eq!(
            spaced.validate(),
            Err(EventError::BadHashtag("dev conf".into()))
        );
        let never = EventDetails {
            hold_rule: EventHoldRule::After { minutes: 0 },
            ..details()
        };
        assert_eq!(never.validate(), Err(EventError::BadHoldMinutes));
    }

    #[test]
    fn only_missing_hashtags_are_added() {
        let tags = vec!["DevConf".to_owned(), "dc26".to_owned()];
        assert_eq!(
            hashtag_line("Keynote!", &tags).as_deref(),
            Some("#DevConf #dc26")
        );
        assert_eq!(
            hashtag_line("Keynote at #devconf", &tags).as_deref(),
            Some("#dc26")
        );
        assert_eq!(
            hashtag_line("#devconf2025 was fun", &tags).as_deref(),
            Some("#DevConf #dc26"),
            "a longer tag is not the event's"
        );
        assert_eq!(hashtag_line("#DEVCONF #DC26", &tags), None);
    }
}
