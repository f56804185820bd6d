//! The Inbox: posts addressed to one of the person's accounts, from any network.
//!
//! The model is network-neutral: a post is known by its `uri` (an `at://` URI on Bluesky, the
//! status URI on Mastodon); Bluesky's content ids ride along where the network needs them to
//! reply.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use specta::Type;

use crate::{AccountId, Network, QuestionKind, Timestamp};

/// Why a post is in the Inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum InboxReason {
    /// The post names the account.
    Mention,
    /// The post replies to one of the account's posts.
    Reply,
    /// The post quotes one of the account's posts.
    Quote,
    /// A direct message.
    Direct,
    /// A reply in a thread the account started, to someone else there and not naming the
    /// account (Bluesky tells a thread's author of every reply in it). Never owed.
    Thread,
    /// Not addressed to the account at all: a question heard under one of its events'
    /// hashtags or naming it the way people do. In Heard, never owed.
    Heard,
}

impl InboxReason {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxReason::Mention => "mention",
            InboxReason::Reply => "reply",
            InboxReason::Quote => "quote",
            InboxReason::Direct => "direct",
            InboxReason::Thread => "thread",
            InboxReason::Heard => "heard",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "mention" => Some(InboxReason::Mention),
            "reply" => Some(InboxReason::Reply),
            "quote" => Some(InboxReason::Quote),
            "direct" => Some(InboxReason::Direct),
            "thread" => Some(InboxReason::Thread),
            "heard" => Some(InboxReason::Heard),
            _ => None,
        }
    }
}

/// A post on some network; `cid` pins its exact version where the network has one (Bluesky).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PostRef {
    pub uri: String,
    pub cid: Option<String>,
}

/// Someone on a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The network's stable id (a DID on Bluesky).
    pub id: String,
    pub handle: String,
    pub display_name: Option<String>,
}

/// A post addressed to an account, as a sync delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IncomingPost {
    pub uri: String,
    pub cid: Option<String>,
    pub reason: InboxReason,
    pub author: Person,
    /// Plain text, exactly as written; the UI shows it as text, never as HTML.
    pub text: String,
    /// The network's rich-text annotations as JSON, kept for later features.
    pub facets: Option<String>,
    #[specta(type = String)]
    pub created_at: Timestamp,
    /// When the network saw it; the Inbox sorts by this.
    #[specta(type = String)]
    pub indexed_at: Timestamp,
    pub reply_root: Option<PostRef>,
    pub reply_parent: Option<PostRef>,
    /// The account's own post this one replies to or quotes.
    pub subject_uri: Option<String>,
    /// Its page on the web, as the network gives it (not yet checked as safe to open).
    pub web_url: Option<String>,
    /// The language its author declared (Mastodon's `language`, Bluesky's first `langs`),
    /// for the question detector; `None` when undeclared.
    pub language: Option<String>,
}

/// One of the account's own posts, wherever it was written. A reply answers what it replies
/// to; its text lets Owed say which post someone else's reply or quote is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPost {
    pub uri: String,
    /// What it replies to, when it is a reply.
    pub parent_uri: Option<String>,
    /// Plain text.
    pub text: String,
    pub created_at: Timestamp,
}

/// An Inbox row's id. A number in SQLite; a string across IPC, where JavaScript numbers
/// cannot hold every 64-bit value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Type)]
pub struct InboxItemId(#[specta(type = String)] pub i64);

impl Serialize for InboxItemId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for InboxItemId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map(InboxItemId)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not an inbox item id")))
    }
}

/// A row of the Inbox as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    pub id: InboxItemId,
    pub account_id: AccountId,
    pub network: Network,
    /// The handle of the account it was addressed to.
    pub account_handle: String,
    pub post: IncomingPost,
    /// The URI of the account's reply, once it has answered (from Earshot or elsewhere).
    pub answered_by: Option<String>,
    pub state: ItemState,
    /// Until when it is snoozed, while it is.
    #[specta(type = Option<String>)]
    pub snoozed_until: Option<Timestamp>,
    /// What the detector made of it; `Statement` when it asks nothing.
    pub question_kind: QuestionKind,
    /// The sentence that asks, when it asks.
    pub asks: Option<String>,
    /// The text of the account's own post this replies to or quotes, when Earshot has seen
    /// that post ("replied to your post about the keynote").
    pub about: Option<String>,
    /// For a heard item: what it was heard under — "#rustconf", or a name people use for the
    /// account ("Paddy's").
    pub heard_via: Option<String>,
}

impl InboxItem {
    pub fn is_question(&self) -> bool {
        self.asks.is_some()
    }
}

/// Where an Inbox item stands with the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Still wants an answer: it is in Owed.
    Owed,
    /// The account replied (from Earshot or anywhere else).
    Answered,
    /// The person marked it "no reply needed".
    Done,
    /// Out of Owed until `snoozed_until`.
    Snoozed,
    /// Said to someone else in the account's thread: in the Inbox, never owed.
    ToOthers,
    /// Heard, not addressed: in Heard until answered or dismissed.
    Heard,
}

/// The Owed queue as the view and the tray need it, read in one go so they agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwedQueue {
    /// How many items are owed (all of them, not only those listed).
    pub total: u32,
    /// How many of those ask a question.
    pub questions: u32,
    /// When the longest-waiting owed item was written.
    #[specta(type = Option<String>)]
    pub oldest_at: Option<Timestamp>,
    /// The first items in Owed order: questions, then direct messages, then the rest, each
    /// longest-waiting first.
    pub items: Vec<InboxItem>,
}

/// How far a sync has read an account's notifications. Saved with every page so that a
/// restart resumes exactly where the last run stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncMarks {
    /// Everything indexed at or before this time has been read.
    pub read_until: Option<Timestamp>,
    /// A walk back through older pages that has not reached `read_until` yet.
    pub walk: Option<Walk>,
    /// The record key of the newest own post already checked for replies.
    pub own_posts_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    /// Where the next (older) page starts.
    pub cursor: String,
    /// The newest item of the walk's first page: `read_until` once the walk is done.
    pub top: Timestamp,
    /// The walk stops at items indexed before this time.
    pub until: Timestamp,
}

/// What the last sync of an account found, kept so the UI can say it in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRecord {
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    /// The server refused the saved session: nothing syncs until the person signs in again.
    pub needs_sign_in: bool,
    /// Notifications skipped because they could not be read.
    pub unreadable: u32,
}
