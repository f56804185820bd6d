//! The scheduler: publishes planned posts when they are due, exactly once, and holds them
//! while people on the account are still waiting for an answer (listen before broadcast).
//!
//! Exactly once rests on three things. Due rows are claimed ('scheduled' → 'publishing') in
//! one transaction. Every part is written under an identity fixed before it is sent: a
//! Bluesky record key saved first; on Mastodon, an outbox row written before the request
//! (`mastodon/outbox.rs`), since servers may ignore `Idempotency-Key`. And a part whose
//! earlier attempt went unanswered — a lost reply, a crash, a row a previous run left
//! 'publishing' — is looked for on the server (the record under its key; the account's own
//! status with that text and parent) before anything is sent again.
//!
//! Outages wait (5xx, timeouts, lost connections: capped, jittered backoff; 429: the
//! server's reset); refusals (400, 403, 404, 422…) fail at once with the server's words.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use earshot_core::richtext::one_line;
use earshot_core::{
    AccountId, Clock, Event, EventHoldRule, Network, PlanSettings, PlanStatus, PlannedPost,
    PlannedPostId, outgoing_texts,
};
use earshot_net::mastodon::NewStatus;
use earshot_store::{Store, StoredImage};
use jiff::SignedDuration;
use serde_json::json;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

use crate::bluesky::publish::{create_once, facets, new_record_key};
use crate::earshot::{Connection, Running, on_store};
use crate::mastodon::outbox::{Look, Outbox, look_for};
use crate::settings::lock;
use crate::sync::{Backoff, retry_delay};
use crate::{EngineEvent, Error, Notice, NoticeAction, Notifier, Result};

/// After a temporary failure (server error, no connection, a lost answer) the next attempt
/// backs off from this, doubling with jitter up to [`MAX_RETRY_AFTER`]; a rate limit waits
/// for the server's reset instead. A success starts again from the beginning.
const RETRY_AFTER: Duration = Duration::from_secs(5);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);

/// The longest sleep between looks at the queue, so a changed clock is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub(crate) struct Scheduler {
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub notifier: Arc<dyn Notifier>,
    pub events: broadcast::Sender<EngineEvent>,
    pub running: Arc<Mutex<HashMap<AccountId, Running>>>,
    /// The hold rule and the grace window for late posts (`PlanSettings`).
    pub settings: Arc<Mutex<PlanSettings>>,
}

/// Stops the scheduler when dropped; `wake` makes it look at the queue now.
#[derive(Debug)]
pub(crate) struct SchedulerHandle {
    cancel: CancellationToken,
    wake: Arc<Notify>,
}

impl SchedulerHandle {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

impl Drop for SchedulerHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// How a publishing attempt ended.
enum Outcome {
    Published,
    /// Worth another try later (the server or the connection failed, or asked to slow down).
    Retry(Error),
    /// Needs the person (refused, signed out, invalid).
    Failed(Error),
}

/// What the queue should do after one post's run.
enum Next {
    Done,
    /// Try again later: after this error's delay (a rate limit's reset, else the backoff).
    Retry(Error),
}

impl Scheduler {
    pub fn spawn(self, runtime: &tokio::runtime::Handle) -> SchedulerHandle {
        let cancel = CancellationToken::new();
        let wake = Arc::new(Notify::new());
        let handle = SchedulerHandle {
            cancel: cancel.clone(),
            wake: Arc::clone(&wake),
        };
        let (events, stop) = (self.events.clone(), cancel.clone());
        let mut restarted = false;
        crate::supervisor::supervise(
            runtime,
            "publishing planned posts",
            cancel,
            move || {
                // The first run waits for the engine's word that connections are up; a
                // restarted one goes straight to work.
                let first = !std::mem::replace(&mut restarted, true);
                self.clone().run(stop.clone(), Arc::clone(&wake), first)
            },
            crate::supervisor::tell_ui(events, "publishing planned posts"),
        );
        handle
    }

    async fn run(self, cancel: CancellationToken, wake: Arc<Notify>, first: bool) {
        // The engine wakes the scheduler once every account's connection has started: an
        // interrupted post needs its account's connection to be checked.
        if first {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = wake.notified() => {}
            }
        }
        // Posts a previous run left mid-way are checked and finished first. Their unwritten
        // parts may have reached the server without Earshot hearing of it: the outbox is told
        // to look before sending them.
        match on_store(&self.store, |store| store.interrupted_posts()).await {
            Ok(interrupted) => {
                for post in interrupted {
                    if let Err(e) = self.suspect_unwritten_parts(&post).await {
                        tracing::warn!(post = %post.id, error = %e, "could not mark parts to look for");
                    }
                    self.publish(post).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read interrupted posts"),
        }
        let mut retry_at: Option<Instant> = None;
        // A server's rate limit holds whatever wakes the scheduler; a plain retry does not.
        let mut rate_limited_until: Option<Instant> = None;
        let mut backoff = Backoff::new(RETRY_AFTER, MAX_RETRY_AFTER);
        // A stopped scheduler must not claim anything more, even if a wake-up was pending.
        while !cancel.is_cancelled() {
            let waiting_until = retry_at.max(rate_limited_until);
            if waiting_until.is_none_or(|at| Instant::now() >= at) {
                retry_at = None;
                rate_limited_until = None;
                if let Err(e) = self.release_held().await {
                    tracing::warn!(error = %e, "could not check held posts");
                }
                if let Err(e) = self.mirror_server_schedules().await {
                    tracing::warn!(error = %e, "could not ask servers about scheduled posts");
                }
                // The time is read before looking at the token: a stop that comes after this
                // check came after this time too, so nothing due only later is claimed.
                let now = self.clock.now();
                if cancel.is_cancelled() {
                    return;
                }
                match on_store(&self.store, move |store| store.claim_due(now)).await {
                    Ok(due) => {
                        let mut failed = None;
                        let mut went_out = false;
                        for post in due {
                            match self.publish(post).await {
                                Next::Done => went_out = true,
                                Next::Retry(error) => failed = Some(error),
                            }
                        }
                        if let Some(error) = failed {
                            let delay = retry_delay(&error, &mut backoff, self.clock.now());
                            retry_at = Some(Instant::now() + delay);
                            if error.is_rate_limit() {
                                rate_limited_until = retry_at;
                            }
                        } else if went_out {
                            backoff.reset();
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not claim due posts"),
                }
            }
            // Waiting for a retry, a post already due must not make this loop spin.
            let sleep = match retry_at.max(rate_limited_until) {
                Some(at) => at.saturating_duration_since(Instant::now()).min(MAX_SLEEP),
                None => self.until_next_due().await,
            };
            tokio::select! {
                biased;
                () = cancel.cancelled() => return,
                // Asked to look now (a new plan, a retry, the machine woke up): that includes
                // what waits for a retry, though not what the server asked to wait.
                () = wake.notified() => retry_at = None,
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }

    async fn suspect_unwritten_parts(&self, post: &PlannedPost) -> Result<()> {
        let (account, since) = (post.account_id.clone(), post.publish_at);
        let purposes: Vec<String> = (0u32..)
            .zip(&post.parts)
            .filter(|(_, part)| part.uri.is_none())
            .map(|(position, _)| part_purpose(post, position))
            .collect();
        on_store(&self.store, move |store| {
            purposes
                .iter()
                .try_for_each(|purpose| store.outbox_suspect(&account, purpose, since))
        })
        .await
    }

    async fn until_next_due(&self) -> Duration {
        let now = self.clock.now();
        on_store(&self.store, |store| store.next_due())
            .await
            .ok()
            .flatten()
            .map(|due| Duration::try_from(due - now).unwrap_or_default())
            .unwrap_or(MAX_SLEEP)
            .min(MAX_SLEEP)
    }

    /// Publishes a claimed post, or holds it; says whether it should be tried again later.
    async fn publish(&self, post: PlannedPost) -> Next {
        let now = self.clock.now();
        let settings = *lock(&self.settings);
        let untouched = post.parts.iter().all(|part| part.uri.is_none());
        if !post.ignore_hold
            && untouched
            && now.duration_since(post.publish_at) > settings.late_grace()
        {
            self.ask_about_late(&post).await;
            return Next::Done;
        }
        let event = self.event_of(&post).await;
        let listening = !post.ignore_hold && untouched;
        if let Some(hold_after) = hold_after(&settings, event.as_ref())
            && listening
        {
            let waiting = self.waiting_on(&post.account_id, hold_after).await;
            if waiting > 0 {
                self.hold(&post, waiting).await;
                return Next::Done;
            }
        }
        // Never silently: when the event's rule lets through a post Settings would hold, the
        // post says so.
        let relaxed = match (&event, settings.hold_after()) {
            (Some(event), Some(default))
                if listening && event.details.hold_rule != EventHoldRule::AsSettings =>
            {
                let waiting = self.waiting_on(&post.account_id, default).await;
                (waiting > 0).then(|| {
                    format!(
                        "Published while {} waiting: the hold rule is relaxed for {}.",
                        people(waiting, "was", "were"),
                        event.details.name
                    )
                })
            }
            _ => None,
        };
        let hashtags = event.map(|e| e.details.hashtags).unwrap_or_default();
        let (status, note, next) = match self.write(&post, &hashtags).await {
            Outcome::Published => (PlanStatus::Published, relaxed, Next::Done),
            Outcome::Retry(error) => {
                tracing::warn!(post = %post.id, %error, "publishing failed; will retry");
                (
                    PlanStatus::Scheduled,
                    Some(error.to_string()),
                    Next::Retry(error),
                )
            }
            Outcome::Failed(error) => {
                self.tell(
                    Notice {
                        summary: "A planned post could not be published".into(),
                        body: error.to_string(),
                        actions: Vec::new(),
                    },
                    None,
                )
                .await;
                (PlanStatus::Failed, Some(error.to_string()), Next::Done)
            }
        };
        let id = post.id.clone();
        let saved = on_store(&self.store, move |store| {
            store.set_plan_status(&id, status, note.as_deref(), now)
        })
        .await;
        if let Err(e) = saved {
            tracing::error!(post = %post.id, error = %e, "could not record how publishing ended");
        }
        let _ = self.events.send(EngineEvent::PlanChanged);
        next
    }

    async fn hold(&self, post: &PlannedPost, waiting: u32) {
        let handle = self.handle_of(&post.account_id).await;
        let note = format!(
            "{} been waiting on @{handle} — planned post held",
            people(waiting, "has", "have")
        );
        let (id, now, saved_note) = (post.id.clone(), self.clock.now(), note.clone());
        let saved = on_store(&self.store, move |store| {
            store.set_plan_status(&id, PlanStatus::Held, Some(&saved_note), now)
        })
        .await;
        if let Err(e) = saved {
            tracing::error!(post = %post.id, error = %e, "could not hold the post");
            return;
        }
        let _ = self.events.send(EngineEvent::PlanChanged);
        self.tell(
            Notice {
                summary: note,
                body: "Answer them first, or publish anyway.".into(),
                actions: vec![NoticeAction::Answer, NoticeAction::PublishAnyway],
            },
            Some(post.id.clone()),
        )
        .await;
    }

    async fn ask_about_late(&self, post: &PlannedPost) {
        let now = self.clock.now();
        let note = format!(
            "Planned for {} ago, while Earshot was not running. Publish it now?",
            crate::waited(post.publish_at, now)
        );
        let (id, saved_note) = (post.id.clone(), note.clone());
        let saved = on_store(&self.store, move |store| {
            store.set_plan_status(&id, PlanStatus::Late, Some(&saved_note), now)
        })
        .await;
        if let Err(e) = saved {
            tracing::error!(post = %post.id, error = %e, "could not mark the post late");
            return;
        }
        let _ = self.events.send(EngineEvent::PlanChanged);
        let first = post.parts.first().map_or("", |part| part.text.as_str());
        self.tell(
            Notice {
                summary: "A planned post missed its time".into(),
                body: format!("{note}\n“{}”", one_line(first, 80)),
                actions: vec![NoticeAction::PublishAnyway],
            },
            Some(post.id.clone()),
        )
        .await;
    }

    /// Held posts go out once nobody on their account has been waiting too long (or the
    /// person turned the rule off).
    async fn release_held(&self) -> Result<()> {
        let held = on_store(&self.store, |store| store.held_posts()).await?;
        let settings = *lock(&self.settings);
        for post in held {
            let event = self.event_of(&post).await;
            let waiting = match hold_after(&settings, event.as_ref()) {
                Some(hold_after) => self.waiting_on(&post.account_id, hold_after).await,
                None => 0,
            };
            if waiting == 0 {
                let (id, now) = (post.id.clone(), self.clock.now());
                on_store(&self.store, move |store| {
                    store.set_plan_status(&id, PlanStatus::Scheduled, None, now)
                })
                .await?;
            }
        }
        Ok(())
    }

    /// Posts their servers hold, whose time has come: published there (recorded with the
    /// status's id), still waiting (asked again on the next look), or gone without being
    /// published (failed, loudly).
    async fn mirror_server_schedules(&self) -> Result<()> {
        let now = self.clock.now();
        let due = on_store(&self.store, move |store| store.server_scheduled_due(now)).await?;
        for post in due {
            let (Some(scheduled), Some(Connection::Mastodon(session))) =
                (&post.server_schedule_id, self.connection(&post.account_id))
            else {
                continue;
            };
            let token = session.token().await?;
            let waiting = session
                .client()
                .scheduled_status(&token, scheduled)
                .await
                .map_err(|e| session.error(e))?;
            if waiting.is_some() {
                continue;
            }
            let status = crate::server_schedule::status_of(&self.store, &post).await?;
            let (id, now) = (post.id.clone(), self.clock.now());
            // Published, if the account's statuses since its time hold it.
            match look_for(&session, &token, &status, post.publish_at).await? {
                Look::Found(published) => {
                    on_store(&self.store, move |store| {
                        store.set_part_published(&id, 0, &published, None)?;
                        store.set_plan_status(&id, PlanStatus::Published, None, now)
                    })
                    .await?;
                }
                Look::Absent => {
                    let note = "The server no longer holds this scheduled post, and it was not \
                                published: it may have been cancelled on the server's website.";
                    self.settle_server_schedule(&post, PlanStatus::Failed, note)
                        .await?;
                }
                Look::Unsure => {
                    let profile = session.profile_url();
                    let note = format!(
                        "The server no longer holds this scheduled post, and Earshot could not \
                         tell whether it went out. Check your profile: {profile}"
                    );
                    self.settle_server_schedule(&post, PlanStatus::Unknown, &note)
                        .await?;
                }
            }
            let _ = self.events.send(EngineEvent::PlanChanged);
        }
        Ok(())
    }

    /// Records how a post its server held ended, and tells the person.
    async fn settle_server_schedule(
        &self,
        post: &PlannedPost,
        status: PlanStatus,
        note: &str,
    ) -> Result<()> {
        let (id, now, saved) = (post.id.clone(), self.clock.now(), note.to_owned());
        on_store(&self.store, move |store| {
            store.set_plan_status(&id, status, Some(&saved), now)
        })
        .await?;
        let summary = match status {
            PlanStatus::Unknown => "Did a planned post go out? Check your profile",
            _ => "A planned post could not be published",
        };
        self.tell(
            Notice {
                summary: summary.into(),
                body: note.into(),
                actions: Vec::new(),
            },
            None,
        )
        .await;
        Ok(())
    }

    /// How many people on `account` have waited longer than `hold_after` for an answer.
    /// A store failure counts as nobody: it must not keep posts back for ever.
    async fn waiting_on(&self, account: &AccountId, hold_after: SignedDuration) -> u32 {
        let (account, now) = (account.clone(), self.clock.now());
        on_store(&self.store, move |store| {
            store.waiting_on(&account, now - hold_after, now)
        })
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not count who is waiting");
            0
        })
    }

    async fn event_of(&self, post: &PlannedPost) -> Option<Event> {
        let id = post.event_id.clone()?;
        on_store(&self.store, move |store| store.event(&id))
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "could not read the post's event"))
            .ok()
    }

    fn connection(&self, account: &AccountId) -> Option<Connection> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(account)
            .map(|running| running.connection.clone())
    }

    async fn handle_of(&self, account: &AccountId) -> String {
        on_store(&self.store, |store| store.list_accounts())
            .await
            .ok()
            .and_then(|accounts| accounts.into_iter().find(|a| &a.id == account))
            .map_or_else(|| account.0.clone(), |a| a.handle)
    }

    /// Shows a notice; its actions act on `post`.
    async fn tell(&self, notice: Notice, post: Option<PlannedPostId>) {
        let (store, clock, events) = (
            Arc::clone(&self.store),
            Arc::clone(&self.clock),
            self.events.clone(),
        );
        let on_action: crate::OnAction = Box::new(move |action| match (action, post) {
            (NoticeAction::PublishAnyway, Some(post)) => {
                match store.publish_anyway(&post, clock.now()) {
                    Ok(()) => {
                        let _ = events.send(EngineEvent::PlanChanged);
                    }
                    Err(e) => tracing::warn!(error = %e, "could not release the held post"),
                }
            }
            _ => {
                let _ = events.send(EngineEvent::OpenOwed);
            }
        });
        let notifier = Arc::clone(&self.notifier);
        let shown = tokio::task::spawn_blocking(move || notifier.show(&notice, on_action)).await;
        if let Ok(Err(e)) = shown {
            tracing::warn!(error = %e, "could not show a notification");
        }
    }

    /// Writes every part not written yet, in order, each replying to the one before.
    async fn write(&self, post: &PlannedPost, hashtags: &[String]) -> Outcome {
        let Some(connection) = self.connection(&post.account_id) else {
            return Outcome::Failed(Error::Invalid(
                "The account this post was planned for is no longer signed in.".into(),
            ));
        };
        let network = match &connection {
            Connection::Bluesky(_) => Network::Bluesky,
            Connection::Mastodon(_) => Network::Mastodon,
        };
        let texts: Vec<String> = post.parts.iter().map(|part| part.text.clone()).collect();
        let texts = outgoing_texts(&texts, post.content_warning.as_deref(), hashtags, network);
        let needs_images =
            !post.images.is_empty() && post.parts.first().is_some_and(|p| p.uri.is_none());
        let images = if needs_images {
            let plan = post.plan_id.clone();
            match on_store(&self.store, move |store| store.plan_images(&plan)).await {
                Ok(images) => images,
                Err(e) => return Outcome::Retry(e),
            }
        } else {
            Vec::new()
        };
        let mut previous: Option<Written> = None;
        let mut root: Option<Written> = None;
        for (position, part) in (0u32..).zip(&post.parts) {
            let written = match (&part.uri, &connection) {
                (Some(uri), _) => Ok((uri.clone(), part.cid.clone())),
                (None, Connection::Bluesky(session)) => {
                    let text = &texts[position as usize];
                    let thread = (root.as_ref(), previous.as_ref());
                    let images = if position == 0 {
                        images.as_slice()
                    } else {
                        &[]
                    };
                    self.write_bluesky(session, post, position, text, images, thread)
                        .await
                }
                (None, Connection::Mastodon(session)) => {
                    let text = &texts[position as usize];
                    let images = if position == 0 {
                        images.as_slice()
                    } else {
                        &[]
                    };
                    let parent = previous.as_ref().map(|(id, _)| id.as_str());
                    self.write_mastodon(session, post, position, text, images, parent)
                        .await
                }
            };
            let (uri, cid) = match written {
                Ok(written) => written,
                Err(e) => return classify(e),
            };
            if part.uri.is_none() {
                let (id, saved_uri, saved_cid) = (post.id.clone(), uri.clone(), cid.clone());
                let saved = on_store(&self.store, move |store| {
                    store.set_part_published(&id, position, &saved_uri, saved_cid.as_deref())
                })
                .await;
                if let Err(e) = saved {
                    return Outcome::Retry(e);
                }
            }
            root.get_or_insert_with(|| (uri.clone(), cid.clone()));
            previous = Some((uri, cid));
        }
        Outcome::Published
    }

    /// Writes one part on Mastodon once: an earlier attempt whose answer was never heard is
    /// looked for on the server first (the outbox), and only then are images uploaded and
    /// the part sent.
    async fn write_mastodon(
        &self,
        session: &crate::mastodon::session::MastodonSession,
        post: &PlannedPost,
        position: u32,
        text: &str,
        images: &[StoredImage],
        parent: Option<&str>,
    ) -> Result<Written> {
        let token = session.token().await?;
        let mut status = NewStatus {
            text: text.to_owned(),
            in_reply_to_id: parent.map(str::to_owned),
            visibility: "public".into(),
            spoiler_text: post.content_warning.clone().unwrap_or_default(),
            language: post.language.clone(),
            media_ids: Vec::new(),
        };
        let outbox = Outbox {
            session,
            store: &self.store,
            clock: self.clock.as_ref(),
            account: &post.account_id,
            purpose: part_purpose(post, position),
        };
        if let Some(id) = outbox.earlier_copy(&status).await? {
            return Ok((id, None));
        }
        status.media_ids = upload_media(session, &token, images).await?;
        let key = format!("earshot-plan-{}-{position}", post.id);
        outbox.send(&status, &key).await.map(|id| (id, None))
    }

    async fn write_bluesky(
        &self,
        session: &crate::bluesky::session::BlueskySession,
        post: &PlannedPost,
        position: u32,
        text: &str,
        images: &[StoredImage],
        (root, parent): (Option<&Written>, Option<&Written>),
    ) -> Result<Written> {
        const POST: &str = "app.bsky.feed.post";
        let part = &post.parts[position as usize];
        let key = match &part.record_key {
            // Chosen by an earlier run, which may have written it: look before writing.
            Some(key) => {
                if let Some(found) = session.client().record_at(session.did(), POST, key).await? {
                    return Ok((found.uri, Some(found.cid)));
                }
                key.clone()
            }
            None => {
                let key = new_record_key(self.clock.now());
                let (id, saved) = (post.id.clone(), key.clone());
                on_store(&self.store, move |store| {
                    store.set_part_key(&id, position, &saved)
                })
                .await?;
                key
            }
        };
        let mut record = json!({
            "$type": POST,
            "text": text,
            "createdAt": self.clock.now().to_string(),
        });
        if let Some(language) = &post.language {
            record["langs"] = json!([language]);
        }
        if let (Some((root_uri, root_cid)), Some((parent_uri, parent_cid))) = (root, parent) {
            record["reply"] = json!({
                "root": { "uri": root_uri, "cid": root_cid },
                "parent": { "uri": parent_uri, "cid": parent_cid },
            });
        }
        if !images.is_empty() {
            let mut embedded = Vec::new();
            for image in images {
                let (mime, data) = (image.mime.clone(), image.data.clone());
                let blob = session
                    .call(|client, token| {
                        let (mime, data) = (mime.clone(), data.clone());
                        async move { client.upload_blob(&token, &mime, data).await }
                    })
                    .await?;
                embedded.push(json!({ "alt": image.alt, "image": blob }));
            }
            record["embed"] = json!({ "$type": "app.bsky.embed.images", "images": embedded });
        }
        let facets = facets(session, text).await;
        if !facets.is_empty() {
            record["facets"] = serde_json::Value::Array(facets);
        }
        let written = create_once(session, POST, &key, record).await?;
        Ok((written.uri, Some(written.cid)))
    }
}

/// How long someone may wait on a post's account before it is held: its event's rule, or
/// the one in Settings.
fn hold_after(settings: &PlanSettings, event: Option<&Event>) -> Option<SignedDuration> {
    match event.map(|e| e.details.hold_rule) {
        None | Some(EventHoldRule::AsSettings) => settings.hold_after(),
        Some(EventHoldRule::After { minutes }) => {
            Some(SignedDuration::from_mins(i64::from(minutes)))
        }
        Some(EventHoldRule::Off) => None,
    }
}

/// The outbox's name for one part of a planned post.
fn part_purpose(post: &PlannedPost, position: u32) -> String {
    format!("plan:{}:{position}", post.id)
}

/// "1 person has" / "3 people have".
fn people(count: u32, one: &str, many: &str) -> String {
    match count {
        1 => format!("1 person {one}"),
        _ => format!("{count} people {many}"),
    }
}

/// A part the server has written: its URI (a status id on Mastodon) and, on Bluesky, its
/// content id.
type Written = (String, Option<String>);

/// Uploads a post's images with their descriptions; returns their attachment ids. Uploading
/// again after a failure only leaves unused attachments, which the server cleans up.
pub(crate) async fn upload_media(
    session: &crate::mastodon::session::MastodonSession,
    token: &earshot_core::Sensitive<String>,
    images: &[StoredImage],
) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for image in images {
        let attachment = session
            .client()
            .upload_media(token, image.data.clone(), &image.mime, &image.alt)
            .await
            .map_err(|e| session.error(e))?;
        ids.push(attachment.id);
    }
    Ok(ids)
}

/// Which failures are worth retrying by themselves: outages and rate limits wait; a refusal
/// (the server read the post and said no: 400, 403, 404, 422…) fails at once with the
/// server's words, since sending the same post again would be refused again.
fn classify(error: Error) -> Outcome {
    use earshot_net::bluesky::XrpcError;
    use earshot_net::mastodon::MastodonError;
    let refusal = |status: u16| (400..500).contains(&status) && status != 408 && status != 429;
    match &error {
        Error::Network(XrpcError::Server { status, .. })
        | Error::Mastodon(MastodonError::Server { status, .. })
            if refusal(*status) =>
        {
            Outcome::Failed(error)
        }
        Error::Network(
            XrpcError::Unreachable { .. }
            | XrpcError::Server { .. }
            | XrpcError::RateLimited { .. },
        )
        | Error::Mastodon(
            MastodonError::Unreachable { .. }
            | MastodonError::ConnectionLost { .. }
            | MastodonError::Server { .. }
            | MastodonError::RateLimited { .. },
        )
        | Error::Store(_)
        | Error::TaskFailed(_) => Outcome::Retry(error),
        _ => Outcome::Failed(error),
    }
}
