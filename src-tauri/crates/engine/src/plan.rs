//! Planning posts: checked against the account's network before they are scheduled; the
//! scheduler (`scheduler.rs`) publishes them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use earshot_core::{
    AccountId, PlanId, PlanImage, PlanInput, PlanSettings, PlanStatus, PlannedPost, PlannedPostId,
    PostLimits, Timestamp, outgoing_texts, validate_images, validate_parts,
};
use earshot_store::StoredImage;

/// The largest image Earshot keeps: Mastodon's default limit, the larger of the two.
const MAX_STORED_IMAGE_BYTES: usize = earshot_core::plan::MASTODON_MAX_IMAGE_BYTES;

use crate::earshot::Connection;
use crate::server_schedule::{check_server_side, event_hashtags, wants_server};
use crate::settings::{self, lock};
use crate::{Counting, Earshot, EngineEvent, Error, ReplyLimits, Result};

impl Earshot {
    /// Writes, approves and schedules a post (several parts make a thread) for one account
    /// in one step — the composer's three steps, for scripts and tests. A post the network
    /// would refuse is not kept.
    pub async fn plan_post(
        &self,
        account: AccountId,
        parts: Vec<String>,
        publish_at: Timestamp,
    ) -> Result<PlannedPost> {
        let saved = self
            .save_plan(PlanInput::one_post(account, parts, publish_at))
            .await?;
        let post = saved
            .into_iter()
            .next()
            .ok_or_else(|| Error::TaskFailed("a saved plan has no target".into()))?;
        if let Err(refused) = self.approve_plan(post.plan_id.clone()).await {
            self.delete_plan(post.plan_id).await?;
            return Err(refused);
        }
        self.schedule_plan(post.plan_id).await?;
        self.planned_post(post.id).await
    }

    /// Saves a plan as a draft (new, or replacing a draft's text and targets). Drafts may be
    /// over a network's limit; approving checks them.
    pub async fn save_plan(&self, input: PlanInput) -> Result<Vec<PlannedPost>> {
        let input = input.tidy().map_err(|e| Error::Invalid(e.to_string()))?;
        let images = input
            .images
            .iter()
            .enumerate()
            .map(|(index, image)| {
                let data = BASE64.decode(&image.base64).map_err(|_| {
                    Error::Invalid(format!("Image {} could not be read.", index + 1))
                })?;
                if data.len() > MAX_STORED_IMAGE_BYTES {
                    return Err(Error::Invalid(format!(
                        "Image {} is larger than any network takes (16 MB).",
                        index + 1
                    )));
                }
                Ok(StoredImage {
                    mime: image.mime.clone(),
                    alt: image.alt.trim().to_owned(),
                    data,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let known = self.with_store(|store| store.list_accounts()).await?;
        if let Some(stranger) = input
            .targets
            .iter()
            .find(|t| !known.iter().any(|a| a.id == t.account_id))
        {
            return Err(Error::Invalid(format!(
                "The account {} is no longer in Earshot.",
                stranger.account_id.0
            )));
        }
        let now = self.services.clock.now();
        let saved = self
            .with_store(move |store| store.save_plan(&input, &images, now))
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(saved)
    }

    /// A plan's targets.
    pub async fn plan(&self, plan: PlanId) -> Result<Vec<PlannedPost>> {
        self.with_store(move |store| store.plan(&plan)).await
    }

    /// A plan's images with their bytes, for the composer to edit them.
    pub async fn plan_images(&self, plan: PlanId) -> Result<Vec<PlanImage>> {
        let images = self
            .with_store(move |store| store.plan_images(&plan))
            .await?;
        Ok(images
            .into_iter()
            .map(|image| PlanImage {
                mime: image.mime,
                alt: image.alt,
                base64: BASE64.encode(image.data),
            })
            .collect())
    }

    /// Approves a draft after checking every target's text, as it will go out (content
    /// warning and event hashtags included), against its network: from now on the text is
    /// locked.
    pub async fn approve_plan(&self, plan: PlanId) -> Result<()> {
        let posts = self.plan(plan.clone()).await?;
        let accounts = self.with_store(|store| store.list_accounts()).await?;
        let require_alt = self.plan_settings().require_alt_text;
        for post in &posts {
            let hashtags = event_hashtags(&self.store, post).await?;
            let limits = self.limits(&post.account_id).await?;
            let texts: Vec<String> = post.parts.iter().map(|p| p.text.clone()).collect();
            let warning = post.content_warning.as_deref();
            let outgoing = outgoing_texts(&texts, warning, &hashtags, limits.network());
            validate_parts(&outgoing, warning, limits)
                .and_then(|()| validate_images(&post.images, limits, require_alt))
                .map_err(|e| {
                    let handle = accounts
                        .iter()
                        .find(|a| a.id == post.account_id)
                        .map_or(post.account_id.0.as_str(), |a| a.handle.as_str());
                    Error::Invalid(format!("For @{handle}: {e}"))
                })?;
        }
        let now = self.services.clock.now();
        self.with_store(move |store| store.approve_plan(&plan, now))
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(())
    }

    /// Takes an approved (or scheduled, held, failed) plan back to draft so its text can
    /// change.
    pub async fn unapprove_plan(&self, plan: PlanId) -> Result<()> {
        self.cancel_on_servers(&self.plan(plan.clone()).await?)
            .await?;
        let now = self.services.clock.now();
        self.with_store(move |store| store.unapprove_plan(&plan, now))
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(())
    }

    /// Schedules an approved plan for its time. Mastodon targets that asked for it are
    /// handed to their servers; a refusal there leaves them approved, with the reason.
    pub async fn schedule_plan(&self, plan: PlanId) -> Result<()> {
        let now = self.services.clock.now();
        let posts = self.plan(plan.clone()).await?;
        let mut to_servers = Vec::new();
        for post in posts {
            let connection = self.connection(&post.account_id)?;
            if post.status == PlanStatus::Approved && wants_server(&post, &connection) {
                check_server_side(&post, now)?;
                if let Connection::Mastodon(session) = connection {
                    to_servers.push((session, post));
                }
            }
        }
        self.with_store(move |store| store.schedule_plan(&plan, now))
            .await?;
        self.scheduler.wake();
        let mut refused = Ok(());
        for (session, post) in to_servers {
            if let Err(e) = self.hand_to_server(&session, &post).await {
                let (id, note) = (post.id.clone(), format!("The server did not take it: {e}"));
                self.with_store(move |store| {
                    store.set_plan_status(&id, PlanStatus::Approved, Some(&note), now)
                })
                .await?;
                refused = Err(e);
            }
        }
        self.emit(EngineEvent::PlanChanged);
        refused
    }

    /// Removes a plan from Earshot (cancelling what its servers hold for it); what is
    /// published stays on the servers.
    pub async fn delete_plan(&self, plan: PlanId) -> Result<()> {
        self.cancel_on_servers(&self.plan(plan.clone()).await?)
            .await?;
        self.with_store(move |store| store.delete_plan(&plan))
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(())
    }

    /// How the account's network limits and counts a new post, for the composer's counter.
    pub async fn post_limits(&self, account: AccountId) -> Result<ReplyLimits> {
        Ok(match self.limits(&account).await? {
            PostLimits::Bluesky => ReplyLimits {
                max_length: earshot_core::richtext::BLUESKY_MAX_GRAPHEMES as u32,
                counting: Counting::Graphemes,
                characters_per_url: 0,
                prefill: String::new(),
            },
            PostLimits::Mastodon {
                max_characters,
                characters_per_url,
                ..
            } => ReplyLimits {
                max_length: max_characters as u32,
                counting: Counting::Mastodon,
                characters_per_url: characters_per_url as u32,
                prefill: String::new(),
            },
        })
    }

    async fn limits(&self, account: &AccountId) -> Result<PostLimits> {
        Ok(match self.connection(account)? {
            Connection::Bluesky(_) => PostLimits::Bluesky,
            Connection::Mastodon(session) => {
                let facts = session
                    .client()
                    .instance()
                    .await
                    .map_err(|e| session.error(e))?;
                PostLimits::Mastodon {
                    max_characters: facts.max_characters as usize,
                    characters_per_url: facts.characters_reserved_per_url as usize,
                    max_images: facts.max_media_attachments as usize,
                    max_image_bytes: usize::try_from(facts.image_size_limit).unwrap_or(usize::MAX),
                }
            }
        })
    }

    /// Every planned post, soonest first.
    pub async fn planned_posts(&self) -> Result<Vec<PlannedPost>> {
        self.with_store(|store| store.planned_posts()).await
    }

    /// How many planned posts wait for the person (failed, held or late).
    pub async fn plans_needing_attention(&self) -> Result<u32> {
        self.with_store(|store| store.plans_needing_attention())
            .await
    }

    pub async fn planned_post(&self, id: PlannedPostId) -> Result<PlannedPost> {
        self.with_store(move |store| store.planned_post(&id)).await
    }

    /// Publishes a held post now, though people are still waiting.
    pub async fn publish_anyway(&self, id: PlannedPostId) -> Result<()> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.publish_anyway(&id, now))
            .await?;
        self.scheduler.wake();
        self.emit(EngineEvent::PlanChanged);
        Ok(())
    }

    /// Tries a failed post again.
    pub async fn retry_post(&self, id: PlannedPostId) -> Result<()> {
        let now = self.services.clock.now();
        let post = self.planned_post(id.clone()).await?;
        if post.status != PlanStatus::Failed {
            return Err(Error::Invalid("Only a failed post can be retried.".into()));
        }
        // A post its server lost goes out from Earshot this time.
        if post.server_schedule_id.is_some() {
            let id = id.clone();
            self.with_store(move |store| store.clear_server_schedule(&id))
                .await?;
        }
        self.with_store(move |store| store.set_plan_status(&id, PlanStatus::Scheduled, None, now))
            .await?;
        self.scheduler.wake();
        self.emit(EngineEvent::PlanChanged);
        Ok(())
    }

    pub fn plan_settings(&self) -> PlanSettings {
        *lock(&self.plan_settings)
    }

    /// Saves how the scheduler treats due posts, and applies it at once (turning the hold
    /// rule off releases held posts).
    pub async fn save_plan_settings(&self, settings: PlanSettings) -> Result<()> {
        if settings
            .hold_after_minutes
            .is_some_and(|m| !(1..=1440).contains(&m))
        {
            return Err(Error::Invalid(
                "Hold planned posts after 1 to 1440 minutes of waiting, or turn the rule off."
                    .into(),
            ));
        }
        if settings.late_grace_minutes > 1440 {
            return Err(Error::Invalid(
                "A late post can go out up to 1440 minutes (a day) after its time.".into(),
            ));
        }
        self.save_setting(settings::PLANNING, &settings).await?;
        *lock(&self.plan_settings) = settings;
        self.scheduler.wake();
        Ok(())
    }

    /// Makes the scheduler look at the queue now (after the clock moved, in tests; after
    /// waking from sleep).
    pub fn check_schedule_now(&self) {
        self.scheduler.wake();
    }
}
