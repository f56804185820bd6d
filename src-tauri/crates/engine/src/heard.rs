//! Heard: one task per account that listens where people ask about the account without
//! addressing it — under its events' hashtags (while the event is on) and for the names
//! people use for it — and keeps the questions it hears for the Heard screen.
//!
//! Sources, by network:
//! - Bluesky: `app.bsky.feed.searchPosts` (`q` plus `tag` for a hashtag, `q` for a name,
//!   `sort=latest`), each watch with its own mark (the newest `indexedAt` read), one request
//!   per watch every [`POLL`], more pages only while they are new.
//! - Mastodon: the hashtag timeline over REST, with a `hashtag` stream where the server
//!   streams (then REST only every [`POLL_WHILE_STREAMING`] as a safety net); names through
//!   status search, which only some servers can do for posts by others.
//!
//! What a search finds is checked here, not trusted: it must carry the tag or name, be by
//! someone else, not address the account (that is Owed's), fall in the watched days, and
//! ask something (the detector, in the store).

use std::sync::Arc;
use std::time::Duration;

use earshot_core::{
    Account, AccountId, Clock, EventId, HeardList, HeardSettings, InboxItemId, InboxReason,
    IncomingPost, Network, Person, Timestamp,
};
use earshot_net::bluesky::{PostSearch, PostView};
use earshot_net::mastodon::{Page, Status, StreamEvent, UserStream};
use earshot_store::{EventWatch, HeardPost, Store};
use jiff::SignedDuration;
use serde::Serialize;
use specta::Type;
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::bluesky::session::BlueskySession;
use crate::bluesky::sync::post_ref;
use crate::earshot::{Connection, on_store};
use crate::mastodon::session::MastodonSession;
use crate::mastodon::sync::{id_is_newer, status_post};
use crate::supervisor::{TaskHandle, spawn_stoppable};
use crate::sync::{Backoff, retry_delay};
use crate::{Earshot, EngineEvent, Error, Result};

/// How often each watch is read: searches are costly for the server, questions wait minutes.
const POLL: Duration = Duration::from_secs(120);
/// The REST safety net while a hashtag stream is healthy.
const POLL_WHILE_STREAMING: Duration = Duration::from_secs(600);
/// Pages read per watch per round at most: a busy hashtag is read newest first.
const MAX_PAGES: usize = 3;
/// A name's first read looks this far back.
const NAME_BACKLOG: SignedDuration = SignedDuration::from_hours(24);
/// Heard lists this many of the newest open items (the count covers all).
const HEARD_PAGE: u32 = 500;

/// One thing an account listens for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Watch {
    /// "#tag" or a name: the watch's key and what the item says it was heard under.
    pub via: String,
    pub event: Option<EventId>,
    pub notify: bool,
    /// Posts written before this are not heard.
    pub since: Timestamp,
}

impl Watch {
    fn tag(&self) -> Option<&str> {
        self.via.strip_prefix('#')
    }
}

/// What to listen for now: the hashtags of events whose listening days include `now` (each
/// tag once), then the account's names.
pub(crate) fn watches(
    events: &[EventWatch],
    settings: &HeardSettings,
    now: Timestamp,
) -> Vec<Watch> {
    let mut watches: Vec<Watch> = Vec::new();
    for event in events {
        let Ok(zone) = jiff::tz::TimeZone::get(&event.time_zone) else {
            continue;
        };
        let start = event.from.to_zoned(zone.clone()).map(|z| z.timestamp());
        let end = event
            .until
            .tomorrow()
            .and_then(|day| day.to_zoned(zone))
            .map(|z| z.timestamp());
        let (Ok(start), Ok(end)) = (start, end) else {
            continue;
        };
        if now < start || now >= end {
            continue;
        }
        for tag in &event.hashtags {
            let via = format!("#{tag}");
            if !watches.iter().any(|w| w.via.eq_ignore_ascii_case(&via)) {
                watches.push(Watch {
                    via,
                    event: Some(event.event.clone()),
                    notify: event.notify,
                    since: start,
                });
            }
        }
    }
    for name in &settings.names {
        watches.push(Watch {
            via: name.clone(),
            event: None,
            notify: settings.notify,
            since: now - NAME_BACKLOG,
        });
    }
    watches
}

/// A found post as a heard item, when it is by someone else, does not address the account,
/// says what it was found under and was written in the watched days.
fn heard(post: IncomingPost, watch: &Watch, addresses_account: bool) -> Option<HeardPost> {
    let keep = !addresses_account
        && post.created_at >= watch.since
        && earshot_core::heard::carries(&post.text, &watch.via);
    keep.then(|| HeardPost {
        post,
        via: watch.via.clone(),
        event: watch.event.clone(),
        notify: watch.notify,
    })
}

fn bluesky_post(view: PostView, watch: &Watch, own_did: &str) -> Option<HeardPost> {
    let record = &view.record;
    let replies_to_account = record
        .reply_parent
        .as_ref()
        .is_some_and(|parent| parent.uri.starts_with(&format!("at://{own_did}/")));
    let mentions_account = record.facets.as_ref().is_some_and(|facets| {
        facets
            .to_string()
            .contains(&format!("\"did\":\"{own_did}\""))
    });
    let addresses = view.author.did == own_did || replies_to_account || mentions_account;
    let post = IncomingPost {
        web_url: crate::bluesky::sync::web_page(&view.uri),
        uri: view.uri,
        cid: Some(view.cid),
        reason: InboxReason::Heard,
        author: Person {
            id: view.author.did,
            handle: view.author.handle,
            display_name: view.author.display_name,
        },
        text: view.record.text,
        facets: view.record.facets.map(|facets| facets.to_string()),
        created_at: view.record.created_at.unwrap_or(view.indexed_at),
        indexed_at: view.indexed_at,
        reply_root: view.record.reply_root.map(post_ref),
        reply_parent: view.record.reply_parent.map(post_ref),
        subject_uri: None,
        language: view.record.langs.first().cloned(),
    };
    heard(post, watch, addresses)
}

fn mastodon_post(session: &MastodonSession, status: Status, watch: &Watch) -> Option<HeardPost> {
    let own = &session.account_id;
    let addresses = status.account.id == *own
        || status.in_reply_to_account_id.as_ref() == Some(own)
        || status.mentions.iter().any(|mention| mention.id == *own)
        // Only public talk is heard: a followers-only or direct post was not said in the open.
        || !matches!(status.visibility.as_str(), "public" | "unlisted");
    let created_at: Timestamp = status.created_at.parse().ok()?;
    let post = status_post(session, status, InboxReason::Heard, created_at);
    heard(post, watch, addresses)
}

/// Where a server cannot search other people's posts for a name, in the person's words.
fn name_search_refused(software: Option<&str>) -> Option<String> {
    match software {
        Some("GoToSocial") => Some(
            "GoToSocial searches only your own posts and replies to you, so it cannot hear \
             your name in other people's posts."
                .into(),
        ),
        _ => None,
    }
}

/// A running account's listener.
pub(crate) struct HeardTask {
    pub account: Account,
    pub connection: Connection,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub events: broadcast::Sender<EngineEvent>,
    /// Between rounds; tests shorten it.
    pub poll: Option<Duration>,
    /// Told when what to listen for changed (names, an event's days): read at once.
    pub rewatch: Arc<tokio::sync::Notify>,
}

/// The open hashtag stream and the tags it carries.
struct TagStream {
    tags: Vec<String>,
    stream: UserStream,
}

impl HeardTask {
    pub(crate) fn spawn(self, runtime: &tokio::runtime::Handle) -> TaskHandle {
        spawn_stoppable(runtime, |cancel| async move { self.run(&cancel).await })
    }

    async fn run(self, cancel: &CancellationToken) {
        let mut backoff = Backoff::new(POLL, Duration::from_secs(30 * 60));
        let mut stream: Option<TagStream> = None;
        let mut next_round = Instant::now();
        loop {
            if Instant::now() >= next_round {
                let delay = match self.round(&mut stream).await {
                    Ok(()) => {
                        backoff.reset();
                        let streaming = stream.as_ref().is_some_and(|s| !s.tags.is_empty());
                        match self.poll {
                            Some(poll) => poll,
                            None if streaming => POLL_WHILE_STREAMING,
                            None => POLL,
                        }
                    }
                    // The sync says so on the account and restarts everything after a new
                    // sign-in.
                    Err(Error::SignInAgain { .. }) => return,
                    Err(error) => {
                        tracing::info!(account = %self.account.id.0, %error, "heard: trying again");
                        retry_delay(&error, &mut backoff, self.clock.now())
                    }
                };
                next_round = Instant::now() + delay;
            }
            tokio::select! {
                () = cancel.cancelled() => {
                    if let Some(open) = stream.take() {
                        open.stream.close().await;
                    }
                    return;
                }
                () = tokio::time::sleep_until(next_round) => {}
                () = self.rewatch.notified() => next_round = Instant::now(),
                event = next_tag_event(&mut stream) => match event {
                    Some(Ok(StreamEvent::Hashtag { tag, status })) => self.streamed(&tag, status).await,
                    Some(Ok(_)) => {}
                    // Lost: the next round reads what was missed over REST and reconnects.
                    Some(Err(e)) => {
                        tracing::info!(account = %self.account.id.0, error = %e, "hashtag stream lost");
                        stream = None;
                        next_round = Instant::now();
                    }
                    None => {
                        stream = None;
                        next_round = Instant::now();
                    }
                },
            }
        }
    }

    async fn current_watches(&self) -> Result<Vec<Watch>> {
        let account = self.account.id.clone();
        let (events, settings) = on_store(&self.store, move |store| {
            Ok((
                store.listening_events(&account)?,
                store.heard_settings(&account)?,
            ))
        })
        .await?;
        Ok(watches(&events, &settings, self.clock.now()))
    }

    async fn round(&self, stream: &mut Option<TagStream>) -> Result<()> {
        let watches = self.current_watches().await?;
        let mut added = 0;
        for watch in &watches {
            added += match &self.connection {
                Connection::Bluesky(session) => self.bluesky_watch(session, watch).await?,
                Connection::Mastodon(session) => self.mastodon_watch(session, watch).await?,
            };
        }
        if let Connection::Mastodon(session) = &self.connection {
            let tags: Vec<String> = watches
                .iter()
                .filter_map(|w| w.tag().map(str::to_owned))
                .collect();
            self.keep_stream(session, stream, tags).await;
        }
        if added > 0 {
            let _ = self.events.send(EngineEvent::HeardChanged);
        }
        Ok(())
    }

    async fn save(
        &self,
        watch: &Watch,
        found: Vec<HeardPost>,
        newest: Option<String>,
    ) -> Result<usize> {
        let (account, query, now) = (self.account.id.clone(), watch.via.clone(), self.clock.now());
        let added = on_store(&self.store, move |store| {
            store.store_heard(&account, &query, &found, newest.as_deref(), now)
        })
        .await?;
        Ok(added.len())
    }

    async fn bluesky_watch(&self, session: &BlueskySession, watch: &Watch) -> Result<usize> {
        let (account, query) = (self.account.id.clone(), watch.via.clone());
        let cursor = on_store(&self.store, move |store| {
            store.heard_cursor(&account, &query)
        })
        .await?;
        let seen: Option<Timestamp> = cursor.newest.as_deref().and_then(|t| t.parse().ok());
        let since = seen.map_or(watch.since, |seen| seen.max(watch.since));
        let tags: Vec<&str> = watch.tag().into_iter().collect();
        let mut found = Vec::new();
        let mut newest = seen;
        let mut page_cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let search = PostSearch {
                q: &watch.via,
                tags: &tags,
                since: Some(since),
                cursor: page_cursor.as_deref(),
                limit: 50,
            };
            let page = session
                .call(|client, token| async move { client.search_posts(&token, &search).await })
                .await?;
            let mut reached_read = page.posts.is_empty();
            for post in page.posts {
                // Searches may ignore `since`: what was read before ends the round.
                if seen.is_some_and(|seen| post.indexed_at <= seen) {
                    reached_read = true;
                    continue;
                }
                newest = newest.max(Some(post.indexed_at));
                found.extend(bluesky_post(post, watch, session.did()));
            }
            match page.cursor {
                Some(next) if !reached_read => page_cursor = Some(next),
                _ => break,
            }
        }
        self.save(watch, found, newest.map(|t| t.to_string())).await
    }

    async fn mastodon_watch(&self, session: &MastodonSession, watch: &Watch) -> Result<usize> {
        let (account, query) = (self.account.id.clone(), watch.via.clone());
        let cursor = on_store(&self.store, move |store| {
            store.heard_cursor(&account, &query)
        })
        .await?;
        let token = session.token().await?;
        let client = session.client();
        if watch.tag().is_none() {
            let facts = session.facts().await.map_err(|e| session.error(e))?;
            if let Some(words) = name_search_refused(facts.software.as_deref()) {
                let (account, query) = (self.account.id.clone(), watch.via.clone());
                on_store(&self.store, move |store| {
                    store.mark_heard_unsupported(&account, &query, &words)
                })
                .await?;
                return Ok(0);
            }
        }
        let seen = cursor.newest.clone();
        let mut newest = seen.clone();
        let mut found = Vec::new();
        let mut page = seen.clone().map_or(Page::Newest, Page::NewerThan);
        for _ in 0..MAX_PAGES {
            let read = match watch.tag() {
                Some(tag) => client.tag_timeline(&token, tag, &page, 40).await,
                None => client.search_statuses(&token, &watch.via, &page, 40).await,
            };
            let statuses = match read {
                Ok(read) => read.statuses,
                // A server without the endpoint (or without search) says so once, in words.
                Err(earshot_net::mastodon::MastodonError::Server {
                    status: 404 | 422 | 501,
                    ..
                }) => {
                    let words = match watch.tag() {
                        Some(_) => {
                            format!("{} has no hashtag timeline to listen to.", session.domain)
                        }
                        None => format!("{} cannot search posts for a name.", session.domain),
                    };
                    let (account, query) = (self.account.id.clone(), watch.via.clone());
                    on_store(&self.store, move |store| {
                        store.mark_heard_unsupported(&account, &query, &words)
                    })
                    .await?;
                    return Ok(0);
                }
                Err(e) => return Err(session.error(e)),
            };
            let full = statuses.len() >= 40;
            let mut page_newest: Option<String> = None;
            for status in statuses {
                // Some servers ignore `min_id`: what was read before is skipped here.
                if seen
                    .as_deref()
                    .is_some_and(|seen| !id_is_newer(&status.id, seen))
                {
                    continue;
                }
                if page_newest
                    .as_deref()
                    .is_none_or(|n| id_is_newer(&status.id, n))
                {
                    page_newest = Some(status.id.clone());
                }
                found.extend(mastodon_post(session, status, watch));
            }
            let Some(page_newest) = page_newest else {
                break;
            };
            if newest
                .as_deref()
                .is_none_or(|n| id_is_newer(&page_newest, n))
            {
                newest = Some(page_newest.clone());
            }
            if !full || seen.is_none() {
                break;
            }
            page = Page::NewerThan(page_newest);
        }
        self.save(watch, found, newest).await
    }

    /// Keeps one hashtag stream open for `tags` where the server streams; a change of tags
    /// opens a new one.
    async fn keep_stream(
        &self,
        session: &MastodonSession,
        stream: &mut Option<TagStream>,
        tags: Vec<String>,
    ) {
        if stream.as_ref().is_some_and(|open| open.tags == tags) {
            return;
        }
        if let Some(open) = stream.take() {
            open.stream.close().await;
        }
        if tags.is_empty() {
            return;
        }
        let opened = async {
            let url = session.facts().await.ok()?.streaming_url.clone()?;
            let token = session.token().await.ok()?;
            session
                .client()
                .stream_hashtags(&url, &token, &tags)
                .await
                .inspect_err(|e| tracing::info!(error = %e, "no hashtag stream; reading over REST"))
                .ok()
        }
        .await;
        *stream = opened.map(|stream| TagStream { tags, stream });
    }

    async fn streamed(&self, tag: &str, status: Status) {
        let Connection::Mastodon(session) = &self.connection else {
            return;
        };
        let Ok(watches) = self.current_watches().await else {
            return;
        };
        let Some(watch) = watches
            .into_iter()
            .find(|w| w.tag().is_some_and(|t| t.eq_ignore_ascii_case(tag)))
        else {
            return;
        };
        let found: Vec<HeardPost> = mastodon_post(session, status, &watch).into_iter().collect();
        match self.save_streamed(&watch, found).await {
            Ok(0) => {}
            Ok(_) => {
                let _ = self.events.send(EngineEvent::HeardChanged);
            }
            Err(e) => tracing::warn!(error = %e, "could not keep a streamed heard post"),
        }
    }

    /// Keeps what the stream brought. The REST mark stays where it is: a status streamed
    /// while an older one was missed (a reconnect) must not hide that one from the next round.
    async fn save_streamed(&self, watch: &Watch, found: Vec<HeardPost>) -> Result<usize> {
        if found.is_empty() {
            return Ok(0);
        }
        self.save(watch, found, None).await
    }
}

/// The next event of the hashtag stream; never, when none is open.
async fn next_tag_event(
    stream: &mut Option<TagStream>,
) -> Option<earshot_net::mastodon::Result<StreamEvent>> {
    match stream {
        Some(open) => open.stream.next().await,
        None => std::future::pending().await,
    }
}

/// What Settings shows about one account's listening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeardAccountSettings {
    pub account_id: AccountId,
    pub settings: HeardSettings,
    /// What this account's network can hear, in words.
    pub reach: String,
    /// Watches the server said it cannot do, in its words.
    pub unsupported: Vec<String>,
}

fn reach_words(network: Network) -> &'static str {
    match network {
        Network::Bluesky => "Bluesky search hears names and hashtags in everyone's public posts.",
        Network::Mastodon => {
            "Hashtags are heard on any server. Names are heard only where the server searches \
             everyone's posts (Mastodon with full-text search set up, and then only posts \
             whose authors allow search; Pleroma and Akkoma)."
        }
    }
}

impl Earshot {
    pub async fn heard(&self) -> Result<HeardList> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.heard(HEARD_PAGE, now))
            .await
    }

    /// "Not for us": out of Heard (Undo brings it back with [`Earshot::restore_heard`]).
    pub async fn dismiss_heard(&self, id: InboxItemId) -> Result<()> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.mark_done(id, now))
            .await?;
        self.emit(EngineEvent::HeardChanged);
        Ok(())
    }

    pub async fn restore_heard(&self, id: InboxItemId) -> Result<()> {
        self.with_store(move |store| store.reopen(id)).await?;
        self.emit(EngineEvent::HeardChanged);
        Ok(())
    }

    pub async fn heard_settings(&self, account: AccountId) -> Result<HeardAccountSettings> {
        let id = account.clone();
        let (stored, settings, unsupported) = self
            .with_store(move |store| {
                Ok((
                    store.account(&id)?,
                    store.heard_settings(&id)?,
                    store.heard_unsupported(&id)?,
                ))
            })
            .await?;
        Ok(HeardAccountSettings {
            account_id: account,
            settings,
            reach: reach_words(stored.network).to_owned(),
            unsupported: unsupported
                .into_iter()
                .map(|(query, words)| format!("“{query}”: {words}"))
                .collect(),
        })
    }

    /// Saves what an account listens for and starts listening for it at once.
    pub async fn save_heard_settings(
        &self,
        account: AccountId,
        settings: HeardSettings,
    ) -> Result<HeardAccountSettings> {
        let settings = settings
            .validate()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let id = account.clone();
        self.with_store(move |store| store.save_heard_settings(&id, &settings))
            .await?;
        self.heard_rewatch.notify_waiters();
        self.heard_settings(account).await
    }
}
