//! The alerts task: turns new owed questions into OS notifications, and nothing else.
//!
//! It reads SQLite, not event payloads: after any Inbox change it waits a moment for the
//! rest of a burst, then asks the store which questions nobody has announced yet. One is
//! announced alone, with Reply and Done; several become one summary. During quiet hours or a
//! pause they are held (direct questions may get through), and when the quiet ends one digest
//! says what arrived meanwhile. What was announced is marked in the store, so a restart
//! never announces it twice; that questions are held is kept there too, so a digest
//! survives a restart.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use earshot_core::{Clock, InboxItem, InboxReason, NotificationSettings, Timestamp};
use earshot_store::Store;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

use crate::digest::{count_week_before, digest_due, digest_notice};
use crate::earshot::{blocking, on_store};
use crate::report::ReportSettings;
use crate::settings::{self, lock};
use crate::{EngineEvent, Notice, NoticeAction, Notifier, Result};

/// How long to wait after a change for the rest of a burst.
const BURST_WINDOW: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub(crate) struct Alerts {
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub notifier: Arc<dyn Notifier>,
    pub events: broadcast::Sender<EngineEvent>,
    pub settings: Arc<Mutex<NotificationSettings>>,
    /// The answer window and whether the weekly digest is on.
    pub report_settings: Arc<Mutex<ReportSettings>>,
}

/// Stops the alerts task when dropped; `recheck` makes it look again at once (settings
/// changed).
#[derive(Debug)]
pub(crate) struct AlertsHandle {
    cancel: CancellationToken,
    recheck: Arc<Notify>,
}

impl AlertsHandle {
    pub fn recheck(&self) {
        self.recheck.notify_one();
    }
}

impl Drop for AlertsHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl Alerts {
    pub fn spawn(self, runtime: &tokio::runtime::Handle) -> AlertsHandle {
        let cancel = CancellationToken::new();
        let recheck = Arc::new(Notify::new());
        let handle = AlertsHandle {
            cancel: cancel.clone(),
            recheck: Arc::clone(&recheck),
        };
        let (events, stop, wake) = (self.events.clone(), cancel.clone(), Arc::clone(&recheck));
        // A restarted task subscribes anew; what it missed is in SQLite, read as it starts.
        crate::supervisor::supervise(
            runtime,
            "notifications",
            cancel,
            move || {
                let heard = self.events.subscribe();
                self.clone().run(heard, stop.clone(), Arc::clone(&wake))
            },
            crate::supervisor::tell_ui(events, "notifications"),
        );
        handle
    }

    async fn run(
        self,
        mut events: broadcast::Receiver<EngineEvent>,
        cancel: CancellationToken,
        recheck: Arc<Notify>,
    ) {
        // Held questions become a digest, even when Earshot was restarted in between.
        let mut held = on_store(&self.store, |store| {
            Ok(settings::load(store, settings::HOLDING))
        })
        .await
        .unwrap_or(false);
        let mut digest_sent_for = on_store(&self.store, |store| {
            Ok(settings::load::<Option<jiff::civil::Date>>(
                store,
                settings::DIGEST_SENT_FOR,
            ))
        })
        .await
        .unwrap_or(None);
        // What was held or missed before a restart is announced at once.
        held = self.announce_and_remember(held).await;
        self.weekly_digest(&mut digest_sent_for).await;
        loop {
            let wake = self.next_wake().await;
            tokio::select! {
                () = cancel.cancelled() => return,
                event = events.recv() => match event {
                    Ok(EngineEvent::InboxChanged { .. } | EngineEvent::HeardChanged)
                    | Err(broadcast::error::RecvError::Lagged(_)) => {
                        // Let the rest of a burst land, then read once.
                        tokio::time::sleep(BURST_WINDOW).await;
                        while events.try_recv().is_ok() {}
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                () = recheck.notified() => {}
                () = tokio::time::sleep(wake) => {
                    // A snooze may have ended: the Owed queue changed without an event.
                    let _ = self.events.send(EngineEvent::OwedChanged);
                }
            }
            held = self.announce_and_remember(held).await;
            self.announce_heard().await;
            self.weekly_digest(&mut digest_sent_for).await;
        }
    }

    /// Questions heard that the person asked to be told about, in one notification per
    /// batch; held (not dropped) through quiet hours and pauses: nobody asked *them*, so
    /// not even direct questions get through.
    async fn announce_heard(&self) {
        let now = self.clock.now();
        let settings = lock(&self.settings).clone();
        let local = now.to_zoned(self.clock.time_zone()).datetime();
        if settings.is_paused(now) || settings.quiet_until(local).is_some() {
            return;
        }
        let shown = async {
            let news = on_store(&self.store, |store| store.unannounced_heard(50)).await?;
            if news.is_empty() {
                return Ok(());
            }
            let notice = heard_notice(&news);
            let events = self.events.clone();
            let first = (news.len() == 1).then(|| news[0].id);
            let on_action: crate::notifications::OnAction = Box::new(move |_| {
                let _ = events.send(EngineEvent::OpenHeard { item: first });
            });
            let notifier = Arc::clone(&self.notifier);
            blocking(move || notifier.show(&notice, on_action).map_err(Into::into)).await?;
            let ids: Vec<_> = news.iter().map(|heard| heard.id).collect();
            on_store(&self.store, move |store| store.mark_announced(&ids, now)).await
        };
        if let Err(e) = shown.await {
            tracing::warn!(error = %e, "could not announce questions heard");
        }
    }

    /// Sends last week's digest when it is on, due (see `digest`) and not quiet, and
    /// remembers the week it was sent for.
    async fn weekly_digest(&self, sent_for: &mut Option<jiff::civil::Date>) {
        let report = *lock(&self.report_settings);
        let now = self.clock.now();
        let zone = self.clock.time_zone();
        let local = now.to_zoned(zone.clone());
        let Some(monday) = digest_due(&local, *sent_for).filter(|_| report.weekly_digest) else {
            return;
        };
        let quiet = {
            let settings = lock(&self.settings);
            settings.is_paused(now) || settings.quiet_until(local.datetime()).is_some()
        };
        if quiet {
            return;
        }
        let window = jiff::SignedDuration::from_hours(i64::from(report.answer_window_hours));
        let store = Arc::clone(&self.store);
        let counted = blocking(move || count_week_before(&store, monday, &zone, window, now)).await;
        let shown = match counted {
            Ok(counts) => match digest_notice(&counts) {
                Some(notice) => {
                    let notifier = Arc::clone(&self.notifier);
                    let events = self.events.clone();
                    let on_action: crate::notifications::OnAction = Box::new(move |_| {
                        let _ = events.send(EngineEvent::OpenReport);
                    });
                    blocking(move || notifier.show(&notice, on_action).map_err(Into::into)).await
                }
                None => Ok(()),
            },
            Err(e) => Err(e),
        };
        if let Err(e) = shown {
            // Tried again at the next wake, a minute later at most.
            tracing::warn!(error = %e, "could not send the weekly digest");
            return;
        }
        *sent_for = Some(monday);
        let saved = on_store(&self.store, move |store| {
            store.save_setting(settings::DIGEST_SENT_FOR, &format!("\"{monday}\""))
        })
        .await;
        if let Err(e) = saved {
            tracing::warn!(error = %e, "could not remember that the digest was sent");
        }
    }

    /// Announces what is new, or holds it, and keeps in the store whether questions are
    /// held. Returns whether they are.
    async fn announce_and_remember(&self, held: bool) -> bool {
        let holding = match self.announce(held).await {
            Ok(holding) => holding,
            Err(e) => {
                tracing::warn!(error = %e, "could not announce new questions");
                return held;
            }
        };
        if holding != held {
            let saved = on_store(&self.store, move |store| {
                // `true` / `false`: the JSON that `settings::load` reads back.
                store.save_setting(settings::HOLDING, &holding.to_string())
            })
            .await;
            if let Err(e) = saved {
                tracing::warn!(error = %e, "could not remember that questions are held");
            }
        }
        holding
    }

    /// How long until something changes on its own: quiet hours or a pause end, or a
    /// snoozed item comes back. At most a minute, so a changed clock is noticed.
    async fn next_wake(&self) -> Duration {
        let now = self.clock.now();
        let settings = lock(&self.settings).clone();
        let zone = self.clock.time_zone();
        let quiet_end = settings
            .quiet_until(now.to_zoned(zone.clone()).datetime())
            .and_then(|end| end.to_zoned(zone).ok())
            .map(|end| end.timestamp());
        let snooze_end = on_store(&self.store, move |store| store.next_snooze_end(now))
            .await
            .ok()
            .flatten();
        [quiet_end, settings.paused_until, snooze_end]
            .into_iter()
            .flatten()
            .filter(|at| *at > now)
            .map(|at| Duration::try_from(at - now).unwrap_or_default())
            .min()
            .unwrap_or(Duration::from_secs(60))
            .min(Duration::from_secs(60))
    }

    /// Announces what is new, or holds it. Returns whether questions are being held.
    async fn announce(&self, held: bool) -> Result<bool> {
        let now = self.clock.now();
        let news = on_store(&self.store, move |store| store.unannounced_questions(now)).await?;
        if news.is_empty() {
            return Ok(false);
        }
        let settings = lock(&self.settings).clone();
        let local = now.to_zoned(self.clock.time_zone()).datetime();
        let quiet = settings.quiet_until(local).is_some();
        if settings.is_paused(now) || quiet {
            if quiet && !settings.is_paused(now) && settings.direct_questions_in_quiet_hours {
                let direct: Vec<InboxItem> = news
                    .iter()
                    .filter(|item| item.post.reason == InboxReason::Direct)
                    .cloned()
                    .collect();
                let all_direct = direct.len() == news.len();
                if !direct.is_empty() {
                    self.show(&direct, Announcement::New, now).await?;
                }
                return Ok(!all_direct);
            }
            return Ok(true);
        }
        let kind = if held {
            Announcement::Digest
        } else {
            Announcement::New
        };
        self.show(&news, kind, now).await?;
        Ok(false)
    }

    /// Shows one notification for `items` (alone, a summary or a digest) and records them as
    /// announced.
    async fn show(&self, items: &[InboxItem], kind: Announcement, now: Timestamp) -> Result<()> {
        let notice = notice_for(items, kind, now);
        let on_action = self.on_action(items);
        let notifier = Arc::clone(&self.notifier);
        blocking(move || notifier.show(&notice, on_action).map_err(Into::into)).await?;
        let ids: Vec<_> = items.iter().map(|item| item.id).collect();
        on_store(&self.store, move |store| store.mark_announced(&ids, now)).await
    }

    /// What a click or a button does: one question opens its thread or is marked done; a
    /// summary opens Owed.
    fn on_action(&self, items: &[InboxItem]) -> crate::notifications::OnAction {
        let events = self.events.clone();
        let store = Arc::clone(&self.store);
        let clock = Arc::clone(&self.clock);
        let single = match items {
            [item] => Some((item.id, item.account_id.clone())),
            _ => None,
        };
        Box::new(move |action| match (action, single) {
            (NoticeAction::Done, Some((id, account))) => match store.mark_done(id, clock.now()) {
                Ok(()) => {
                    let _ = events.send(EngineEvent::InboxChanged { account });
                }
                Err(e) => tracing::warn!(error = %e, "could not mark the question done"),
            },
            (NoticeAction::Reply, Some((item, _))) => {
                let _ = events.send(EngineEvent::OpenItem { item, reply: true });
            }
            (NoticeAction::Open, Some((item, _))) => {
                let _ = events.send(EngineEvent::OpenItem { item, reply: false });
            }
            (NoticeAction::Answer | NoticeAction::PublishAnyway, _) | (_, None) => {
                let _ = events.send(EngineEvent::OpenOwed);
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Announcement {
    /// Just arrived.
    New,
    /// Arrived during quiet hours or a pause that has now ended.
    Digest,
}

/// One question heard, in its asker's words; several, counted with where they were heard.
fn heard_notice(news: &[earshot_store::UnannouncedHeard]) -> Notice {
    match news {
        [one] => Notice {
            summary: format!("@{} asked {}", one.author_handle, heard_where(&one.via)),
            body: one.asks.clone(),
            actions: Vec::new(),
        },
        _ => {
            let mut places: Vec<String> = Vec::new();
            for heard in news {
                let place = heard_where(&heard.via);
                if !places.contains(&place) {
                    places.push(place);
                }
            }
            Notice {
                summary: format!("{} questions heard", news.len()),
                body: format!(
                    "Asked {}. Nobody addressed you: answer if you can help.",
                    places.join(", ")
                ),
                actions: Vec::new(),
            }
        }
    }
}

/// "under #rustconf", "about “Paddy's”".
pub(crate) fn heard_where(via: &str) -> String {
    if via.starts_with('#') {
        format!("under {via}")
    } else {
        format!("about “{via}”")
    }
}

/// "2 h", "5 min": how long something has waited.
pub fn waited(since: Timestamp, now: Timestamp) -> String {
    let minutes = now.duration_since(since).as_secs().max(0) / 60;
    match minutes {
        0 => "under a minute".into(),
        1..60 => format!("{minutes} min"),
        60..2880 => format!("{} h", minutes / 60),
        _ => format!("{} days", minutes / 1440),
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn notice_for(items: &[InboxItem], kind: Announcement, now: Timestamp) -> Notice {
    let oldest = items
        .iter()
        .map(|item| item.post.created_at)
        .min()
        .unwrap_or(now);
    match (kind, items) {
        (Announcement::New, [item]) => Notice {
            summary: format!(
                "@{} asks on {}",
                item.post.author.handle,
                item.network.name()
            ),
            body: item.asks.clone().unwrap_or_else(|| item.post.text.clone()),
            actions: vec![NoticeAction::Reply, NoticeAction::Done],
        },
        (Announcement::New, _) => {
            let accounts: std::collections::HashSet<_> =
                items.iter().map(|item| &item.account_id).collect();
            // Each person once, in the order they asked.
            let mut askers: Vec<String> = Vec::new();
            for item in items {
                let asker = format!("@{}", item.post.author.handle);
                if !askers.contains(&asker) {
                    askers.push(asker);
                }
            }
            let more = askers.len().saturating_sub(3);
            askers.truncate(3);
            Notice {
                summary: format!(
                    "{} across {}",
                    plural(items.len(), "new question", "new questions"),
                    plural(accounts.len(), "account", "accounts")
                ),
                body: if more > 0 {
                    format!("From {} and {more} more", askers.join(", "))
                } else {
                    format!("From {}", askers.join(", "))
                },
                actions: Vec::new(),
            }
        }
        (Announcement::Digest, _) => Notice {
            summary: format!(
                "While you were away: {}, oldest {}",
                plural(items.len(), "question", "questions"),
                waited(oldest, now)
            ),
            body: "Open Earshot to answer them.".into(),
            actions: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use earshot_core::{
        AccountId, InboxItemId, IncomingPost, ItemState, Network, Person, QuestionKind, Timestamp,
    };

    use super::*;

    fn question(n: i64, asker: &str, account: &str) -> InboxItem {
        let at = Timestamp::from_second(1_800_000_000 + n).expect("time");
        InboxItem {
            id: InboxItemId(n),
            account_id: AccountId(account.into()),
            network: Network::Bluesky,
            account_handle: account.into(),
            post: IncomingPost {
                uri: format!("at://{asker}/app.bsky.feed.post/{n}"),
                cid: None,
                reason: InboxReason::Mention,
                author: Person {
                    id: asker.into(),
                    handle: asker.into(),
                    display_name: None,
                },
                text: format!("question {n}?"),
                facets: None,
                created_at: at,
                indexed_at: at,
                reply_root: None,
                reply_parent: None,
                subject_uri: None,
                web_url: None,
                language: None,
            },
            answered_by: None,
            state: ItemState::Owed,
            snoozed_until: None,
            question_kind: QuestionKind::YesNo,
            asks: Some(format!("question {n}?")),
            about: None,
            heard_via: None,
        }
    }

    #[test]
    fn a_summary_names_each_asker_once_in_the_order_they_asked() {
        let items = [
            question(1, "bob.test", "alice"),
            question(2, "carol.test", "alice"),
            question(3, "bob.test", "work"),
            question(4, "dave.test", "alice"),
            question(5, "erin.test", "work"),
        ];
        let now = Timestamp::from_second(1_800_000_600).expect("now");
        let notice = notice_for(&items, Announcement::New, now);
        assert_eq!(notice.summary, "5 new questions across 2 accounts");
        assert_eq!(
            notice.body,
            "From @bob.test, @carol.test, @dave.test and 1 more"
        );
        assert!(notice.actions.is_empty(), "a summary opens Owed");

        let digest = notice_for(&items, Announcement::Digest, now);
        assert_eq!(
            digest.summary,
            "While you were away: 5 questions, oldest 9 min"
        );
    }
}
