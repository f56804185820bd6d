//! Planned posts: text (one post or a thread) to publish on one account at a set time, and
//! the rules it must pass before it may be scheduled.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::event::{EventId, TopicId, hashtag_line, single_line};
use crate::richtext::{check_bluesky_post, mastodon_length};
use crate::{AccountId, Network, Timestamp};

/// A plan's stable id (a UUIDv7 string): one post written once for one or more accounts.
/// Each account's copy is a [`PlannedPost`] with its own text and status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct PlanId(pub String);

impl std::fmt::Display for PlanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

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
    /// Being written: the text can change.
    Draft,
    /// Approved: the text is locked until it is un-approved. Not scheduled yet.
    Approved,
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
    /// Its server held it and no longer does, and Earshot cannot tell whether it went out:
    /// the person checks their profile. Never retried (it could go out twice).
    Unknown,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Approved => "approved",
            PlanStatus::Scheduled => "scheduled",
            PlanStatus::Publishing => "publishing",
            PlanStatus::Published => "published",
            PlanStatus::Held => "held",
            PlanStatus::Late => "late",
            PlanStatus::Failed => "failed",
            PlanStatus::Unknown => "unknown",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            PlanStatus::Draft,
            PlanStatus::Approved,
            PlanStatus::Scheduled,
            PlanStatus::Publishing,
            PlanStatus::Published,
            PlanStatus::Held,
            PlanStatus::Late,
            PlanStatus::Failed,
            PlanStatus::Unknown,
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

/// A post (or thread) planned for one account: one target of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPost {
    pub id: PlannedPostId,
    /// The plan it belongs to; its other targets share the id.
    pub plan_id: PlanId,
    pub account_id: AccountId,
    pub event_id: Option<EventId>,
    pub topic_id: Option<TopicId>,
    /// Shown before the text on Mastodon; Bluesky has no such thing, so there it leads the
    /// first post as "CW: …".
    pub content_warning: Option<String>,
    /// An ISO 639 language code ("en").
    pub language: Option<String>,
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
    /// Images on the first post.
    pub images: Vec<ImageInfo>,
    /// Asked to be scheduled on the server (Mastodon's `scheduled_at`), so it goes out even
    /// with the laptop off.
    pub server_side: bool,
    /// The server holds it: its scheduled status's id. Earshot only mirrors what the server
    /// does with it.
    pub server_schedule_id: Option<String>,
}

/// A plan as the composer sends it: the same time, topic, warning and language for every
/// target, and each target's own text (a variant when a network needs different words).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanInput {
    /// `None` for a new plan.
    pub plan_id: Option<PlanId>,
    pub event_id: Option<EventId>,
    pub topic_id: Option<TopicId>,
    #[specta(type = String)]
    pub publish_at: Timestamp,
    pub content_warning: Option<String>,
    pub language: Option<String>,
    pub targets: Vec<PlanTarget>,
    /// Images for the first post, on every target.
    #[serde(default)]
    pub images: Vec<PlanImage>,
    /// Schedule it on the Mastodon servers (`scheduled_at`) so it goes out even with the
    /// laptop off. Bluesky has no such thing: its targets still go out from Earshot.
    #[serde(default)]
    pub server_side: bool,
}

/// An image for a plan's first post, as the composer sends it and reads it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanImage {
    /// "image/jpeg", "image/png", "image/gif" or "image/webp".
    pub mime: String,
    /// Says what the image shows, for people who cannot see it.
    pub alt: String,
    /// The file's bytes, base64-encoded (IPC carries text).
    pub base64: String,
}

/// What the timeline shows of an image: no bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImageInfo {
    pub mime: String,
    pub alt: String,
    pub bytes: u32,
}

/// The image types both networks take.
pub const IMAGE_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];
/// Images per post on Bluesky, and on Mastodon servers that do not say.
pub const MAX_IMAGES: usize = 4;
/// Bluesky's limit for one image (its blob limit).
pub const BLUESKY_MAX_IMAGE_BYTES: usize = 1_000_000;
/// Mastodon's default limit for one image (a server says its own).
pub const MASTODON_MAX_IMAGE_BYTES: usize = 16 * 1024 * 1024;
/// Mastodon's limit for an image description.
pub const MAX_ALT_CHARS: usize = 1500;

/// Checks a plan's images against a network (with its server's own limits) before it is
/// approved: their number, type and size, and (when `require_alt` is set) that each says what
/// it shows.
pub fn validate_images(
    images: &[ImageInfo],
    limits: PostLimits,
    require_alt: bool,
) -> Result<(), PlanError> {
    if images.len() > limits.max_images() {
        return Err(PlanError::TooManyImages {
            count: images.len(),
            max: limits.max_images(),
        });
    }
    let limit = limits.max_image_bytes();
    for (index, image) in images.iter().enumerate() {
        let number = index + 1;
        if !IMAGE_TYPES.contains(&image.mime.as_str()) {
            return Err(PlanError::UnsupportedImage {
                number,
                mime: image.mime.clone(),
            });
        }
        if image.bytes as usize > limit {
            return Err(PlanError::ImageTooLarge {
                number,
                network: match limits {
                    PostLimits::Bluesky => "Bluesky",
                    PostLimits::Mastodon { .. } => "this Mastodon server",
                },
                size: size_words(image.bytes as usize),
                limit: size_words(limit),
            });
        }
        if require_alt && image.alt.trim().is_empty() {
            return Err(PlanError::MissingAlt { number });
        }
        if image.alt.chars().count() > MAX_ALT_CHARS {
            return Err(PlanError::AltTooLong { number });
        }
    }
    Ok(())
}

/// "820 bytes", "340 KB", "1.2 MB".
pub fn size_words(bytes: usize) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", bytes.div_ceil(1_000)),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanTarget {
    pub account_id: AccountId,
    /// One entry per post of the thread.
    pub parts: Vec<String>,
}

impl PlanInput {
    /// A new plan of one post (or thread) for one account, with nothing else set.
    pub fn one_post(account: AccountId, parts: Vec<String>, publish_at: Timestamp) -> Self {
        Self {
            plan_id: None,
            event_id: None,
            topic_id: None,
            publish_at,
            content_warning: None,
            language: None,
            targets: vec![PlanTarget {
                account_id: account,
                parts,
            }],
            images: Vec::new(),
            server_side: false,
        }
    }

    /// Trims the optional fields to `None` when blank and checks the language code.
    pub fn tidy(mut self) -> Result<Self, PlanError> {
        self.content_warning = tidy_warning(self.content_warning);
        self.language = tidy_language(self.language)?;
        if self.targets.is_empty() {
            return Err(PlanError::NoTargets);
        }
        Ok(self)
    }
}

/// A content warning as the composer keeps it: one line, none when blank.
pub fn tidy_warning(warning: Option<String>) -> Option<String> {
    non_blank(warning.map(|w| single_line(&w)))
}

/// A language as the composer keeps it: an ISO 639 code in lower case, none when blank.
pub fn tidy_language(language: Option<String>) -> Result<Option<String>, PlanError> {
    let language = non_blank(language).map(|code| code.to_lowercase());
    if let Some(code) = &language
        && (!(2..=3).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(PlanError::BadLanguage(code.clone()));
    }
    Ok(language)
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The texts that go out for one target: on Bluesky a content warning leads the first post,
/// and the event's hashtags the first post lacks end it.
pub fn outgoing_texts(
    parts: &[String],
    content_warning: Option<&str>,
    hashtags: &[String],
    network: Network,
) -> Vec<String> {
    let mut texts = parts.to_vec();
    if let Some(first) = texts.first_mut() {
        if let Some(line) = hashtag_line(first, hashtags) {
            *first = format!("{first}\n\n{line}");
        }
        if let (Some(warning), Network::Bluesky) = (content_warning, network) {
            *first = format!("CW: {warning}\n\n{first}");
        }
    }
    texts
}

/// A reply (or quote, or mention in its thread) a published planned post drew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FollowUp {
    pub post_id: PlannedPostId,
    pub item: crate::InboxItem,
}

/// How the scheduler treats due posts; saved with the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct PlanSettings {
    /// Listen before broadcast: a due post is held while someone on its account has waited
    /// longer than this for an answer. `None` turns the rule off.
    pub hold_after_minutes: Option<u32>,
    /// A post whose time passed (Earshot closed, the laptop asleep) still goes out within
    /// this many minutes of it; later, the person is asked.
    pub late_grace_minutes: u32,
    /// Refuse to approve a post whose images do not say what they show.
    pub require_alt_text: bool,
}

impl Default for PlanSettings {
    /// Hold after 30 minutes of waiting; publish up to an hour late; every image described.
    fn default() -> Self {
        Self {
            hold_after_minutes: Some(30),
            late_grace_minutes: 60,
            require_alt_text: true,
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
    /// The server's `max_characters`, links counted as `characters_per_url`, and its media
    /// limits.
    Mastodon {
        max_characters: usize,
        characters_per_url: usize,
        max_images: usize,
        max_image_bytes: usize,
    },
}

impl PostLimits {
    /// Images one post may carry.
    pub fn max_images(self) -> usize {
        match self {
            PostLimits::Bluesky => MAX_IMAGES,
            PostLimits::Mastodon { max_images, .. } => max_images,
        }
    }

    /// The largest image one post may carry, in bytes.
    pub fn max_image_bytes(self) -> usize {
        match self {
            PostLimits::Bluesky => BLUESKY_MAX_IMAGE_BYTES,
            PostLimits::Mastodon {
                max_image_bytes, ..
            } => max_image_bytes,
        }
    }

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
    #[error("\"{0}\" is not a language code. Use two or three letters, like en or de.")]
    BadLanguage(String),
    #[error("Choose at least one account to publish on.")]
    NoTargets,
    #[error("The post for {account} has no text.")]
    EmptyTarget { account: String },
    #[error("A post here carries at most {max} images; this one has {count}.")]
    TooManyImages { count: usize, max: usize },
    #[error("Image {number} is a {mime} file; use JPEG, PNG, GIF or WebP.")]
    UnsupportedImage { number: usize, mime: String },
    #[error("Image {number} is {size}; {network} takes up to {limit}.")]
    ImageTooLarge {
        number: usize,
        network: &'static str,
        size: String,
        limit: String,
    },
    #[error(
        "Image {number} has no description. Say what it shows, for people who cannot see it \
         (Settings can allow images without one)."
    )]
    MissingAlt { number: usize },
    #[error("The description of image {number} is longer than 1500 characters.")]
    AltTooLong { number: usize },
}

/// Checks every outgoing text (see [`outgoing_texts`]) against the network's rules before
/// anything is approved or scheduled. On Mastodon the content warning counts towards each
/// post's limit, as the server counts it.
pub fn validate_parts(
    parts: &[String],
    content_warning: Option<&str>,
    limits: PostLimits,
) -> Result<(), PlanError> {
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
                ..
            } => {
                // The warning is repeated on every post of a thread, and counted on each.
                let warning = content_warning.map_or(0, |w| w.chars().count());
                let length = mastodon_length(text, characters_per_url) + warning;
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
        assert!(validate_parts(&ok, None, PostLimits::Bluesky).is_ok());
        assert_eq!(
            validate_parts(&[], None, PostLimits::Bluesky),
            Err(PlanError::Empty)
        );
        let with_blank = vec!["first".to_owned(), "  ".to_owned()];
        assert_eq!(
            validate_parts(&with_blank, None, PostLimits::Bluesky),
            Err(PlanError::EmptyPart { number: 2 })
        );
        let long = vec!["short".to_owned(), "é".repeat(301)];
        let error = validate_parts(&long, None, PostLimits::Bluesky).expect_err("too long");
        assert!(
            error
                .to_string()
                .starts_with("Post 2 is too long for Bluesky"),
            "{error}"
        );
        let mastodon = PostLimits::Mastodon {
            max_characters: 500,
            characters_per_url: 23,
            max_images: 4,
            max_image_bytes: MASTODON_MAX_IMAGE_BYTES,
        };
        assert!(validate_parts(&["é".repeat(301)], None, mastodon).is_ok());
        let link = format!(
            "{} https://example.org/{}",
            "a".repeat(470),
            "x".repeat(100)
        );
        assert!(
            validate_parts(&[link], None, mastodon).is_ok(),
            "a link counts as 23 characters however long it is"
        );
        let warned = ["a".repeat(490)];
        assert!(validate_parts(&warned, Some("spoilers"), mastodon).is_ok());
        assert!(
            validate_parts(&warned, Some("big spoilers"), mastodon).is_err(),
            "the content warning counts towards the limit"
        );
    }

    #[test]
    fn a_warning_leads_on_bluesky_and_missing_hashtags_end_the_first_post() {
        let parts = vec!["Keynote now".to_owned(), "More later".to_owned()];
        let tags = vec!["devconf".to_owned()];
        assert_eq!(
            outgoing_texts(&parts, Some("loud"), &tags, Network::Bluesky),
            ["CW: loud\n\nKeynote now\n\n#devconf", "More later"]
        );
        assert_eq!(
            outgoing_texts(&parts, Some("loud"), &tags, Network::Mastodon),
            ["Keynote now\n\n#devconf", "More later"],
            "Mastodon shows the warning itself"
        );
    }

    #[test]
    fn images_are_checked_against_the_network() {
        const MASTODON: PostLimits = PostLimits::Mastodon {
            max_characters: 500,
            characters_per_url: 23,
            max_images: 4,
            max_image_bytes: MASTODON_MAX_IMAGE_BYTES,
        };
        let photo = |bytes: u32, alt: &str| ImageInfo {
            mime: "image/jpeg".into(),
            alt: alt.into(),
            bytes,
        };
        assert!(
            validate_images(&[photo(900_000, "A full hall")], PostLimits::Bluesky, true).is_ok()
        );
        assert_eq!(
            validate_images(
                &[photo(1_200_000, "A full hall")],
                PostLimits::Bluesky,
                true
            )
            .expect_err("too big")
            .to_string(),
            "Image 1 is 1.2 MB; Bluesky takes up to 1.0 MB."
        );
        assert!(validate_images(&[photo(1_200_000, "A full hall")], MASTODON, true).is_ok());
        assert_eq!(
            validate_images(&[photo(10, "ok"), photo(10, " ")], MASTODON, true),
            Err(PlanError::MissingAlt { number: 2 })
        );
        assert!(
            validate_images(&[photo(10, "")], MASTODON, false).is_ok(),
            "the person may allow undescribed images"
        );
        let five = vec![photo(10, "x"); 5];
        assert_eq!(
            validate_images(&five, MASTODON, true),
            Err(PlanError::TooManyImages { count: 5, max: 4 })
        );
        let small_server = PostLimits::Mastodon {
            max_characters: 500,
            characters_per_url: 23,
            max_images: 2,
            max_image_bytes: 2_000_000,
        };
        assert_eq!(
            validate_images(&[photo(3_000_000, "x")], small_server, true)
                .expect_err("over the server's own limit")
                .to_string(),
            "Image 1 is 3.0 MB; this Mastodon server takes up to 2.0 MB."
        );
        assert!(matches!(
            validate_images(&vec![photo(10, "x"); 3], small_server, true),
            Err(PlanError::TooManyImages { count: 3, max: 2 })
        ));
        let tiff = ImageInfo {
            mime: "image/tiff".into(),
            ..photo(10, "x")
        };
        assert!(matches!(
            validate_images(&[tiff], MASTODON, true),
            Err(PlanError::UnsupportedImage { number: 1, .. })
        ));
    }

    #[test]
    fn blank_fields_become_none_and_languages_are_codes() {
        let input = PlanInput {
            plan_id: None,
            event_id: None,
            topic_id: None,
            publish_at: Timestamp::UNIX_EPOCH,
            content_warning: Some("  ".into()),
            language: Some(" EN ".into()),
            targets: vec![PlanTarget {
                account_id: AccountId("a".into()),
                parts: vec!["hi".into()],
            }],
            images: Vec::new(),
            server_side: false,
        };
        let tidy = input.clone().tidy().expect("tidy");
        assert_eq!(tidy.content_warning, None);
        assert_eq!(tidy.language.as_deref(), Some("en"));
        let english = PlanInput {
            language: Some("English".into()),
            ..input.clone()
        };
        assert_eq!(
            english.tidy(),
            Err(PlanError::BadLanguage("english".into()))
        );
        let nowhere = PlanInput {
            targets: Vec::new(),
            ..input
        };
        assert_eq!(nowhere.tidy(), Err(PlanError::NoTargets));
    }
}
