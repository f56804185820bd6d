//! Planned posts: text (one post or a thread) to publish on one account at a set time, and
//! the rules it must pass before it may be scheduled.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::richtext::{check_bluesky_post, mastodon_length};
use crate::{AccountId, Network, Timestamp};

/// A planned post's stable id (a UUIDv7 string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct PlannedPostId(pub String);

impl std::fmt::Display for PlannedPostId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a planned post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Waiting for its time.
    Scheduled,
    /// Claimed by the scheduler: being published (or, after a crash, to be checked against
    /// the server before anything is sent again).
    Publishing,
    Published,
    /// Due, but held: people are waiting for an answer on the account.
    Held,
    /// Its time passed while Earshot was not running, longer ago than the grace window:
    /// waiting for the person to say whether it should still go out.
    Late,
    /// The server refused it; the error says why. Nothing more is sent until the person
    /// retries.
    Failed,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Scheduled => "scheduled",
            PlanStatus::Publishing => "publishing",
            PlanStatus::Published => "published",
            PlanStatus::Held => "held",
            PlanStatus::Late => "late",
            PlanStatus::Failed => "failed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            PlanStatus::Scheduled,
            PlanStatus::Publishing,
            PlanStatus::Published,
            PlanStatus::Held,
            PlanStatus::Late,
            PlanStatus::Failed,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }
}

/// One post of a planned thread, and what the server said once it was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPart {
    pub text: String,
    /// Bluesky: the record key chosen before sending, so that a retry finds the post instead
    /// of writing it twice.
    pub record_key: Option<String>,
    /// The published post's URI (and content id on Bluesky).
    pub uri: Option<String>,
    pub cid: Option<String>,
}

/// A post (or thread) planned for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPost {
    pub id: PlannedPostId,
    pub account_id: AccountId,
    /// In order: each part after the first replies to the one before.
    pub parts: Vec<PlannedPart>,
    #[specta(type = String)]
    pub publish_at: Timestamp,
    pub status: PlanStatus,
    /// Why it failed or is held, in words.
    pub note: Option<String>,
    /// The person chose "Publish anyway": neither the listen-before-broadcast hold nor the
    /// grace window for late posts applies to it.
    pub ignore_hold: bool,
}

/// How the scheduler treats due posts; saved with the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanSettings {
    /// Listen before broadcast: a due post is held while someone on its account has waited
    /// longer than this for an answer. `None` turns the rule off.
    pub hold_after_minutes: Option<u32>,
    /// A post whose time passed (Earshot closed, the laptop asleep) still goes out within
    /// this many minutes of it; later, the person is asked.
    pub late_grace_minutes: u32,
}

impl Default for PlanSettings {
    /// Hold after 30 minutes of waiting; publish up to an hour late.
    fn default() -> Self {
        Self {
            hold_after_minutes: Some(30),
            late_grace_minutes: 60,
        }
    }
}

impl PlanSettings {
    pub fn hold_after(&self) -> Option<jiff::SignedDuration> {
        self.hold_after_minutes
            .map(|minutes| jiff::SignedDuration::from_mins(i64::from(minutes)))
    }

    pub fn late_grace(&self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_mins(i64::from(self.late_grace_minutes))
    }
}

/// How a network counts and limits a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostLimits {
    /// 300 graphemes and 3000 bytes.
    Bluesky,
    /// The server's `max_characters`, links counted as `characters_per_url`.
    Mastodon {
        max_characters: usize,
        characters_per_url: usize,
    },
}

impl PostLimits {
    pub fn network(self) -> Network {
        match self {
            PostLimits::Bluesky => Network::Bluesky,
            PostLimits::Mastodon { .. } => Network::Mastodon,
        }
    }
}

/// What keeps a planned post from being scheduled, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("There is nothing to publish: write at least one post.")]
    Empty,
    #[error("Post {number} of the thread is empty.")]
    EmptyPart { number: usize },
    #[error("Post {number} is too long for {network}: {detail}")]
    TooLong {
        number: usize,
        network: &'static str,
        detail: String,
    },
}

/// Checks every part against the network's rules before anything is scheduled.
pub fn validate_parts(parts: &[String], limits: PostLimits) -> Result<(), PlanError> {
    if parts.is_empty() {
        return Err(PlanError::Empty);
    }
    for (index, text) in parts.iter().enumerate() {
        let number = index + 1;
        if text.trim().is_empty() {
            return Err(PlanError::EmptyPart { number });
        }
        match limits {
            PostLimits::Bluesky => {
                check_bluesky_post(text).map_err(|e| PlanError::TooLong {
                    number,
                    network: "Bluesky",
                    detail: e.to_string(),
                })?;
            }
            PostLimits::Mastodon {
                max_characters,
                characters_per_url,
            } => {
                let length = mastodon_length(text, characters_per_url);
                if length > max_characters {
                    return Err(PlanError::TooLong {
                        number,
                        network: "this Mastodon server",
                        detail: format!("{length} characters; the server allows {max_characters}."),
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_checked_against_its_network() {
        let ok = vec![
            "Day one of the conference!".to_owned(),
            "More soon".to_owned(),
        ];
        assert!(validate_parts(&ok, PostLimits::Bluesky).is_ok());
        assert_eq!(
            validate_parts(&[], PostLimits::Bluesky),
            Err(PlanError::Empty)
        );
        let with_blank = vec!["first".to_owned(), "  ".to_owned()];
        assert_eq!(
            validate_parts(&with_blank, PostLimits::Bluesky),
            Err(PlanError::EmptyPart { number: 2 })
        );
        let long = vec!["short".to_owned(), "é".repeat(301)];
        let error = validate_parts(&long, PostLimits::Bluesky).expect_err("too long");
        assert!(
            error
                .to_string()
                .starts_with("Post 2 is too long for Bluesky"),
            "{error}"
        );
        let mastodon = PostLimits::Mastodon {
            max_characters: 500,
            characters_per_url: 23,
        };
        assert!(validate_parts(&["é".repeat(301)], mastodon).is_ok());
        let link = format!(
            "{} https://example.org/{}",
            "a".repeat(470),
            "x".repeat(100)
        );
        assert!(
            validate_parts(&[link], mastodon).is_ok(),
            "a link counts as 23 characters however long it is"
        );
    }
}
