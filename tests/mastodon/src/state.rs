//! The server's data and the rules that change it.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;

use crate::streaming::Event;

/// Which server's entity shapes, error texts and rendering the test server imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Software {
    /// As docs.joinmastodon.org documents.
    Mastodon,
    /// As recorded from a real GoToSocial server (`fixtures/gotosocial/`).
    GoToSocial,
    /// As observed on snac 2.94.
    Snac,
}

/// How this server differs from mainline Mastodon; [`Profile::mastodon`] differs in nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub software: Software,
    /// `POST /api/v1/apps` splits `redirect_uris` on newlines only; space-joined URIs are
    /// stored as one mangled URI (`%20`), `redirect_uris[]` is ignored and a JSON array is
    /// refused (GoToSocial). Mastodon splits on any white space and takes arrays.
    pub redirect_uris_by_line_only: bool,
    /// `Idempotency-Key` is honoured on `POST /api/v1/statuses` (Mastodon, for an hour);
    /// GoToSocial and snac ignore it and post again.
    pub honours_idempotency: bool,
    /// The `quote` notification type is known (Mastodon 4.5); elsewhere an unknown
    /// `types[]` value is dropped, and with nothing known left no filter applies.
    pub knows_quotes: bool,
    /// The server closes every connection after its response without `Connection: close`
    /// (snac): a request sent on a kept connection is read and then dropped unanswered.
    pub closes_connections: bool,
    /// `GET /api/v1/accounts/:id/statuses` lists the account's direct statuses to itself
    /// (Mastodon, GoToSocial); snac lists only public and unlisted ones.
    pub lists_own_direct: bool,
    /// `GET /api/v1/streaming` answers 404 and the instance names no streaming URL.
    pub streaming: bool,
    /// `GET /api/v2/instance` exists (older servers and forks only have v1).
    pub v2_instance: bool,
    /// The page size when a request gives no `limit` (Mastodon: 40 notifications).
    pub default_limit: usize,
    /// `since_id` is honoured (some servers ignore it and return the newest page).
    pub honours_since_id: bool,
    /// Requests without a `User-Agent` get 418 (some servers refuse anonymous clients).
    pub requires_user_agent: bool,
    /// The status for a missing or bad token: 401, or 422 on some servers.
    pub bad_token_status: u16,
    /// Every mention notification is listed twice.
    pub duplicate_mentions: bool,
    /// Notifications name local accounts with `acct` = `bob` while statuses' mentions use
    /// `bob@host`, as mixed servers do.
    pub mixed_acct: bool,
    /// The largest image upload, as `configuration.media_attachments.image_size_limit` says
    /// (Mastodon: 16 MiB).
    pub image_size_limit: usize,
    /// What `GET /api/v2/search?type=statuses` searches for text.
    pub status_search: StatusSearch,
    /// The streaming API's `hashtag` stream (by `?stream=hashtag&tag=` or a `subscribe`
    /// message on one connection).
    pub hashtag_stream: bool,
}

/// What a status search finds for text, by server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSearch {
    /// Mastodon with full-text search set up: public statuses whose authors allow search
    /// (every test account does), matched without case.
    Everyone,
    /// GoToSocial (its documentation): only the viewer's own statuses and replies to them.
    OwnAndReplies,
}

impl Profile {
    pub fn mastodon() -> Self {
        Self {
            software: Software::Mastodon,
            redirect_uris_by_line_only: false,
            honours_idempotency: true,
            knows_quotes: true,
            closes_connections: false,
            lists_own_direct: true,
            streaming: true,
            v2_instance: true,
            default_limit: 40,
            honours_since_id: true,
            requires_user_agent: false,
            bad_token_status: 401,
            duplicate_mentions: false,
            mixed_acct: false,
            image_size_limit: 16 * 1024 * 1024,
            status_search: StatusSearch::Everyone,
            hashtag_stream: true,
        }
    }

    /// GoToSocial as observed on a real server (`../shared/FACTS.md`, `fixtures/gotosocial/`):
    /// redirect URIs one per line, `Idempotency-Key` ignored, no `quote` type, 418 without a
    /// `User-Agent`, its own entity shapes, HTML and error texts, 5000 characters.
    pub fn gotosocial() -> Self {
        Self {
            software: Software::GoToSocial,
            redirect_uris_by_line_only: true,
            honours_idempotency: false,
            knows_quotes: false,
            requires_user_agent: true,
            image_size_limit: 40 * 1024 * 1024,
            status_search: StatusSearch::OwnAndReplies,
            // Not among the streams recorded from GoToSocial: assume a subscription to a
            // hashtag is ignored, so a client must read the tag timeline over REST.
            hashtag_stream: false,
            ..Self::mastodon()
        }
    }

    /// snac 2.94 as observed: connections closed after every response, no streaming (though
    /// the instance names a streaming URL), no `/api/v2/instance`, `Idempotency-Key` and
    /// `since_id` ignored, a page of 1 without `limit`, own direct statuses not listed.
    pub fn snac() -> Self {
        Self {
            software: Software::Snac,
            honours_idempotency: false,
            knows_quotes: false,
            closes_connections: true,
            lists_own_direct: false,
            streaming: false,
            v2_instance: false,
            default_limit: 1,
            honours_since_id: false,
            ..Self::mastodon()
        }
    }

    /// The post length limit the instance announces and enforces.
    pub fn max_characters(&self) -> usize {
        match self.software {
            Software::Mastodon => 500,
            Software::GoToSocial => 5000,
            Software::Snac => 100_000,
        }
    }

    /// How many characters a link counts for, as the instance says.
    pub fn characters_per_url(&self) -> u32 {
        match self.software {
            Software::Mastodon => 23,
            Software::GoToSocial => 25,
            Software::Snac => 32,
        }
    }

    /// Everything a small or old server may do differently, at once.
    pub fn quirky() -> Self {
        Self {
            streaming: false,
            v2_instance: false,
            default_limit: 1,
            honours_since_id: false,
            requires_user_agent: true,
            bad_token_status: 422,
            duplicate_mentions: true,
            mixed_acct: true,
            ..Self::mastodon()
        }
    }
}

/// A person on the server and a token to act as them in test setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub token: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub id: String,
    pub account: String,
    pub text: String,
    pub visibility: String,
    pub spoiler_text: String,
    /// ISO 639 code the author chose, if any.
    pub language: Option<String>,
    /// Attachment ids, in order.
    pub media: Vec<String>,
    pub in_reply_to: Option<String>,
    /// The status this one quotes (Mastodon 4.5).
    pub quote: Option<String>,
    pub mentions: Vec<String>,
    pub created_at: Timestamp,
    pub favourited_by: HashSet<String>,
    pub reblogged_by: HashSet<String>,
}

impl Status {
    /// The hashtags in its text, lower case, as Mastodon normalises them.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = Vec::new();
        for word in self.text.split_whitespace() {
            let Some(tag) = word.strip_prefix('#') else {
                continue;
            };
            let tag = tag
                .trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'))
                .to_lowercase();
            if !tag.is_empty() && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        tags
    }
}

/// A status the server publishes later (`scheduled_at`).
#[derive(Debug, Clone)]
pub(crate) struct Scheduled {
    pub id: String,
    pub account: String,
    pub text: String,
    pub visibility: String,
    pub spoiler_text: String,
    pub language: Option<String>,
    pub media: Vec<String>,
    pub in_reply_to: Option<String>,
    pub scheduled_at: Timestamp,
}

/// An uploaded attachment (`POST /api/v2/media`).
#[derive(Debug, Clone)]
pub(crate) struct Media {
    pub id: String,
    pub owner: String,
    pub mime: String,
    pub description: Option<String>,
    pub size: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Notification {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub account: String,
    pub status: Option<String>,
    pub created_at: Timestamp,
    pub filtered: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct App {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub account: String,
    pub scopes: String,
}

#[derive(Debug)]
pub(crate) struct State {
    pub profile: Profile,
    next_id: u64,
    pub accounts: BTreeMap<String, Account>,
    pub statuses: BTreeMap<String, Status>,
    pub notifications: Vec<Notification>,
    pub apps: HashMap<String, App>,
    pub grants: HashMap<String, Grant>,
    pub tokens: HashMap<String, String>,
    pub idempotency: HashMap<(String, String), String>,
    /// Uploaded attachments by id.
    pub media: HashMap<String, Media>,
    /// Statuses waiting for their `scheduled_at`, by id.
    pub scheduled: BTreeMap<String, Scheduled>,
    /// Idempotency keys of scheduled statuses: (token, key) → scheduled id.
    pub scheduled_idempotency: HashMap<(String, String), String>,
    pub markers: HashMap<String, (String, u64, Timestamp)>,
    pub filtered: HashSet<(String, String)>,
    pub rate_limits: Vec<(String, usize, i64)>,
    /// Planned failures: (path prefix, how many more requests fail, status, error text).
    pub failures: Vec<(String, usize, u16, String)>,
    pub requests: Vec<String>,
    /// Statuses whose `url` is something else than their page (a hostile server's).
    pub url_overrides: HashMap<String, String>,
    /// Statuses whose notifications come out broken (no account, no time), as a server with
    /// a bug sends them.
    pub garbled: HashSet<String>,
}

impl State {
    pub fn new(profile: Profile) -> Self {
        Self {
            profile,
            // Mastodon ids are large numbers sent as strings; start high so nobody parses
            // them into a JavaScript number by accident.
            next_id: 110_000_000_000_000_000,
            accounts: BTreeMap::new(),
            statuses: BTreeMap::new(),
            notifications: Vec::new(),
            apps: HashMap::new(),
            grants: HashMap::new(),
            tokens: HashMap::new(),
            idempotency: HashMap::new(),
            media: HashMap::new(),
            scheduled: BTreeMap::new(),
            scheduled_idempotency: HashMap::new(),
            markers: HashMap::new(),
            filtered: HashSet::new(),
            rate_limits: Vec::new(),
            failures: Vec::new(),
            requests: Vec::new(),
            url_overrides: HashMap::new(),
            garbled: HashSet::new(),
        }
    }

    pub fn next_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// A random-looking secret; unique is all tests need.
    pub fn secret(&mut self, kind: &str) -> String {
        let id = self.next_id();
        format!("{kind}-{id}-{:x}", sha_hex(&id))
    }

    pub fn add_user(&mut self, username: &str, display_name: &str) -> TestUser {
        let id = self.next_id();
        self.accounts.insert(
            id.clone(),
            Account {
                id: id.clone(),
                username: username.to_owned(),
                display_name: display_name.to_owned(),
                created_at: Timestamp::now(),
            },
        );
        let token = self.secret("token");
        self.tokens.insert(token.clone(), id.clone());
        TestUser {
            id,
            username: username.to_owned(),
            token,
        }
    }

    pub fn account_by_username(&self, username: &str) -> Option<&Account> {
        self.accounts.values().find(|a| a.username == username)
    }

    /// Creates a status and the notifications it causes; returns its id and the stream
    /// events to send.
    pub fn post(
        &mut self,
        author: &str,
        text: &str,
        in_reply_to: Option<&str>,
        visibility: &str,
        spoiler_text: &str,
        origin: &str,
    ) -> Result<(String, Vec<Event>), String> {
        if let Some(parent) = in_reply_to.filter(|parent| !self.statuses.contains_key(*parent)) {
            return Err(format!("no status {parent}"));
        }
        let host = origin.trim_start_matches("http://").to_owned();
        let mut mentions: Vec<String> = text
            .split_whitespace()
            .filter_map(|word| word.strip_prefix('@'))
            .filter_map(|handle| {
                let handle = handle.trim_end_matches(|c: char| !c.is_alphanumeric());
                let username = handle.strip_suffix(&format!("@{host}")).unwrap_or(handle);
                self.account_by_username(username).map(|a| a.id.clone())
            })
            .collect();
        let parent_author = in_reply_to
            .and_then(|parent| self.statuses.get(parent))
            .map(|parent| parent.account.clone());
        if let Some(parent_author) = parent_author.filter(|author| !mentions.contains(author)) {
            mentions.insert(0, parent_author);
        }
        mentions.retain(|id| id != author);
        mentions.dedup();
        let id = self.next_id();
        let now = Timestamp::now();
        self.statuses.insert(
            id.clone(),
            Status {
                id: id.clone(),
                account: author.to_owned(),
                text: text.to_owned(),
                visibility: visibility.to_owned(),
                spoiler_text: spoiler_text.to_owned(),
                language: None,
                media: Vec::new(),
                in_reply_to: in_reply_to.map(str::to_owned),
                quote: None,
                mentions: mentions.clone(),
                created_at: now,
                favourited_by: HashSet::new(),
                reblogged_by: HashSet::new(),
            },
        );
        let mut events = vec![Event::Update {
            author: author.to_owned(),
            id: id.clone(),
        }];
        for recipient in mentions {
            let filtered = self
                .filtered
                .contains(&(recipient.clone(), author.to_owned()));
            let notification = Notification {
                id: self.next_id(),
                kind: "mention".into(),
                recipient: recipient.clone(),
                account: author.to_owned(),
                status: Some(id.clone()),
                created_at: now,
                filtered,
            };
            if !filtered {
                events.push(Event::Notification {
                    recipient: recipient.clone(),
                    id: notification.id.clone(),
                });
            }
            self.notifications.push(notification);
        }
        Ok((id, events))
    }

    /// Makes status `id` quote `quoted`, as `quoted_status_id` does on Mastodon 4.5: the
    /// quoted author gets a `quote` notification (the quote is accepted at once: the test
    /// server's accounts let anyone quote them). Servers that do not know quotes drop it.
    pub fn quote(&mut self, id: &str, quoted: &str) -> Result<Vec<Event>, String> {
        if !self.profile.knows_quotes {
            return Ok(Vec::new());
        }
        let quoted_author = self
            .statuses
            .get(quoted)
            .map(|status| status.account.clone())
            .ok_or_else(|| format!("no status {quoted}"))?;
        let Some(status) = self.statuses.get_mut(id) else {
            return Err(format!("no status {id}"));
        };
        status.quote = Some(quoted.to_owned());
        let (author, created_at) = (status.account.clone(), status.created_at);
        if quoted_author == author {
            return Ok(Vec::new());
        }
        let notification = Notification {
            id: self.next_id(),
            kind: "quote".into(),
            recipient: quoted_author.clone(),
            account: author,
            status: Some(id.to_owned()),
            created_at,
            filtered: false,
        };
        let event = Event::Notification {
            recipient: quoted_author,
            id: notification.id.clone(),
        };
        self.notifications.push(notification);
        Ok(vec![event])
    }

    /// Removes a status and the notifications it caused, as a delete does.
    pub fn remove_status(&mut self, id: &str) -> Option<Status> {
        self.notifications
            .retain(|n| n.status.as_deref() != Some(id));
        self.statuses.remove(id)
    }

    pub fn statuses_of(&self, account: &str) -> Vec<(String, String, String, Option<String>)> {
        let mut statuses: Vec<_> = self
            .statuses
            .values()
            .filter(|s| s.account == account)
            .map(|s| {
                (
                    s.id.clone(),
                    s.text.clone(),
                    s.visibility.clone(),
                    s.in_reply_to.clone(),
                )
            })
            .collect();
        statuses.reverse();
        statuses
    }
}

/// Ids are decimal strings of growing length-equal numbers: compare as numbers.
pub(crate) fn id_number(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

fn sha_hex(text: &str) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
}
