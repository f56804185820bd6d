//! Events: the conference planner's events and topics, and an event's plan exported to and
//! imported from Markdown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use earshot_core::plan_doc::{EventPlan, PlanEntry, TargetEntry, TopicLine};
use earshot_core::{
    Event, EventDetails, EventId, EventListening, FollowUp, HeardFigures, PlannedPost, TopicId,
};

use crate::{Earshot, EngineEvent, Error, Result};

/// The largest plan document an import reads: a 500-post event is a few hundred kB.
const MAX_PLAN_DOCUMENT: usize = 5 * 1024 * 1024;

impl Earshot {
    /// Every event, soonest first.
    pub async fn events(&self) -> Result<Vec<Event>> {
        self.with_store(|store| store.events()).await
    }

    pub async fn create_event(&self, details: EventDetails) -> Result<Event> {
        let details = details
            .validate()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let now = self.services.clock.now();
        let event = self
            .with_store(move |store| store.create_event(&details, now))
            .await?;
        self.heard_rewatch.notify_waiters();
        Ok(event)
    }

    /// Saves an event's details. A changed hold rule applies at once to held posts.
    pub async fn update_event(&self, id: EventId, details: EventDetails) -> Result<Event> {
        let details = details
            .validate()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let now = self.services.clock.now();
        let event = self
            .with_store(move |store| store.update_event(&id, &details, now))
            .await?;
        self.scheduler.wake();
        self.heard_rewatch.notify_waiters();
        self.emit(EngineEvent::PlanChanged);
        Ok(event)
    }

    /// Deletes the event with its topics and planned posts (published posts stay on the
    /// servers).
    pub async fn delete_event(&self, id: EventId) -> Result<()> {
        self.cancel_on_servers(&self.event_posts(id.clone()).await?)
            .await?;
        self.with_store(move |store| store.delete_event(&id))
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(())
    }

    /// Saves the days the event's hashtags are listened to, and whether questions heard under
    /// them pop up; listening follows at once.
    pub async fn save_event_listening(
        &self,
        id: EventId,
        listening: EventListening,
    ) -> Result<Event> {
        let listening = listening
            .validate()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let event = self
            .with_store(move |store| store.save_event_listening(&id, &listening))
            .await?;
        self.heard_rewatch.notify_waiters();
        Ok(event)
    }

    /// "12 questions heard, 9 answered" for the event's page.
    pub async fn event_heard(&self, id: EventId) -> Result<HeardFigures> {
        self.with_store(move |store| store.event_heard_counts(&id))
            .await
    }

    pub async fn add_topic(&self, event: EventId, title: String) -> Result<Event> {
        let title =
            earshot_core::event::topic_title(&title).map_err(|e| Error::Invalid(e.to_string()))?;
        self.with_store(move |store| store.add_topic(&event, &title))
            .await
    }

    pub async fn set_topic_covered(&self, topic: TopicId, covered: bool) -> Result<Event> {
        self.with_store(move |store| store.set_topic_covered(&topic, covered))
            .await
    }

    /// Deletes a topic; its planned posts stay, unlinked.
    pub async fn delete_topic(&self, topic: TopicId) -> Result<Event> {
        let event = self
            .with_store(move |store| store.delete_topic(&topic))
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(event)
    }

    /// An event's planned posts, soonest first.
    pub async fn event_posts(&self, event: EventId) -> Result<Vec<PlannedPost>> {
        self.with_store(move |store| store.event_posts(&event))
            .await
    }

    /// What published posts drew (an event's, or all of them): replies and quotes, with
    /// their state.
    pub async fn follow_ups(&self, event: Option<EventId>) -> Result<Vec<FollowUp>> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.follow_ups(event.as_ref(), now))
            .await
    }

    /// The event's plan as Markdown (see `earshot_core::plan_doc`).
    pub async fn export_event(&self, id: EventId) -> Result<String> {
        let (event, posts, accounts) = self
            .with_store(move |store| {
                Ok((
                    store.event(&id)?,
                    store.event_posts(&id)?,
                    store.list_accounts()?,
                ))
            })
            .await?;
        let handles: HashMap<_, _> = accounts
            .into_iter()
            .map(|a| (a.id, format!("@{}", a.handle)))
            .collect();
        let topic_titles: HashMap<_, _> = event
            .topics
            .iter()
            .map(|t| (t.id.clone(), t.title.clone()))
            .collect();
        let mut plans: Vec<PlanEntry> = Vec::new();
        let mut last_plan = None;
        for post in posts {
            let target = TargetEntry {
                account: handles
                    .get(&post.account_id)
                    .cloned()
                    .unwrap_or_else(|| post.account_id.0.clone()),
                status: post.status,
                parts: post.parts.into_iter().map(|p| p.text).collect(),
            };
            // A plan's targets are next to each other: same time, same plan.
            if last_plan.as_ref() == Some(&post.plan_id)
                && let Some(entry) = plans.last_mut()
            {
                entry.targets.push(target);
                continue;
            }
            last_plan = Some(post.plan_id.clone());
            plans.push(PlanEntry {
                publish_at: post.publish_at,
                topic: post.topic_id.and_then(|t| topic_titles.get(&t).cloned()),
                content_warning: post.content_warning,
                language: post.language,
                targets: vec![target],
            });
        }
        Ok(EventPlan {
            details: event.details,
            topics: event
                .topics
                .into_iter()
                .map(|t| TopicLine {
                    title: t.title,
                    covered: t.covered,
                })
                .collect(),
            plans,
        }
        .to_markdown())
    }

    /// Writes the event's plan to `folder` as "<name>.md" (a number added rather than
    /// overwrite an existing file), and returns the file's path.
    pub async fn export_event_to(&self, id: EventId, folder: &Path) -> Result<PathBuf> {
        let event = {
            let id = id.clone();
            self.with_store(move |store| store.event(&id)).await?
        };
        let markdown = self.export_event(id).await?;
        let stem: String = event
            .details
            .name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let folder = folder.to_owned();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&folder)?;
            let mut path = folder.join(format!("{stem}.md"));
            let mut copy = 1;
            while path.exists() {
                copy += 1;
                path = folder.join(format!("{stem}-{copy}.md"));
            }
            std::fs::write(&path, markdown)?;
            Ok::<_, std::io::Error>(path)
        })
        .await
        .map_err(|e| Error::TaskFailed(e.to_string()))?
        .map_err(|e| Error::Invalid(format!("Earshot could not write the plan: {e}")))
    }

    /// Reads an event's plan from Markdown into a new event. Accounts are matched by handle;
    /// nothing is imported when one is missing. Every post arrives as a draft, checked by the
    /// composer's rules, to be approved like any other: a document cannot approve itself.
    pub async fn import_event(&self, markdown: String) -> Result<Event> {
        if markdown.len() > MAX_PLAN_DOCUMENT {
            return Err(Error::Invalid(format!(
                "This plan file is {}; Earshot reads plan files up to 5 MB.",
                earshot_core::plan::size_words(markdown.len())
            )));
        }
        let mut plan = EventPlan::from_markdown(&markdown)
            .map_err(|e| Error::Invalid(e.to_string()))?
            .as_drafts()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        plan.details = plan
            .details
            .validate()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let now = self.services.clock.now();
        let event = self
            .with_store(move |store| {
                let accounts: HashMap<String, _> = store
                    .list_accounts()?
                    .into_iter()
                    .map(|a| (format!("@{}", a.handle), a.id))
                    .collect();
                store.import_event(&plan, &accounts, now)
            })
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(event)
    }
}
