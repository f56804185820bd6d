//! Server-side scheduling on Mastodon (`scheduled_at`): "publish even if my laptop is off".
//!
//! Scheduling a plan that asks for it hands each Mastodon target to its server, under an
//! idempotency key, and keeps the scheduled status's id. From then on the server publishes
//! it and Earshot only mirrors what happened (`Scheduler::mirror_server_schedules`); it never
//! publishes such a post itself. Un-approving or deleting the plan cancels it on the server
//! first.

use std::sync::Arc;

use earshot_core::{Network, PlannedPost, Timestamp, outgoing_texts};
use earshot_net::mastodon::NewStatus;
use earshot_store::Store;
use jiff::SignedDuration;

use crate::earshot::{Connection, on_store};
use crate::mastodon::content::comparable;
use crate::mastodon::session::MastodonSession;
use crate::scheduler::upload_media;
use crate::{Earshot, Error, Result};

/// Mastodon refuses a `scheduled_at` sooner than this.
pub(crate) const SERVER_NOTICE: SignedDuration = SignedDuration::from_mins(5);

/// The hashtags a post's event adds (none outside an event).
pub(crate) async fn event_hashtags(store: &Arc<Store>, post: &PlannedPost) -> Result<Vec<String>> {
    let Some(event) = post.event_id.clone() else {
        return Ok(Vec::new());
    };
    Ok(on_store(store, move |store| store.event(&event))
        .await?
        .details
        .hashtags)
}

/// The status a Mastodon target goes out as (its first and only part).
pub(crate) async fn status_of(store: &Arc<Store>, post: &PlannedPost) -> Result<NewStatus> {
    let hashtags = event_hashtags(store, post).await?;
    let texts: Vec<String> = post.parts.iter().map(|p| p.text.clone()).collect();
    let warning = post.content_warning.as_deref();
    let text = outgoing_texts(&texts, warning, &hashtags, Network::Mastodon)
        .into_iter()
        .next()
        .unwrap_or_default();
    Ok(NewStatus {
        text,
        in_reply_to_id: None,
        visibility: "public".into(),
        spoiler_text: post.content_warning.clone().unwrap_or_default(),
        language: post.language.clone(),
        media_ids: Vec::new(),
    })
}

/// Whether this target is one its server schedules.
pub(crate) fn wants_server(post: &PlannedPost, connection: &Connection) -> bool {
    post.server_side && matches!(connection, Connection::Mastodon(_))
}

/// Why a target cannot be scheduled on its server, in words.
pub(crate) fn check_server_side(post: &PlannedPost, now: Timestamp) -> Result<()> {
    if post.parts.len() > 1 {
        return Err(Error::Invalid(
            "A thread cannot be scheduled on the server: its replies need the first post to \
             exist. Let Earshot publish it, or make it one post."
                .into(),
        ));
    }
    if post.publish_at < now + SERVER_NOTICE {
        return Err(Error::Invalid(
            "Mastodon schedules posts at least 5 minutes ahead. Pick a later time, or let \
             Earshot publish it."
                .into(),
        ));
    }
    Ok(())
}

impl Earshot {
    /// Hands an approved Mastodon target to its server, to publish at its time. The server's
    /// scheduled statuses are read first: an earlier request whose answer was lost may have
    /// scheduled it already, and servers may ignore `Idempotency-Key`.
    pub(crate) async fn hand_to_server(
        &self,
        session: &MastodonSession,
        post: &PlannedPost,
    ) -> Result<()> {
        let token = session.token().await?;
        let mut status = status_of(&self.store, post).await?;
        let held = session
            .client()
            .scheduled_statuses(&token)
            .await
            .map_err(|e| session.error(e))?;
        let wanted = comparable(&status.text);
        let earlier = held.into_iter().find(|scheduled| {
            let at: Option<Timestamp> = scheduled.scheduled_at.parse().ok();
            comparable(&scheduled.params.text) == wanted
                && scheduled.params.in_reply_to_id.is_none()
                && at.is_some_and(|at| {
                    at.duration_since(post.publish_at).abs() < SignedDuration::from_mins(1)
                })
        });
        if let Some(earlier) = earlier {
            let (id, now) = (post.id.clone(), self.services.clock.now());
            return self
                .with_store(move |store| store.set_server_scheduled(&id, &earlier.id, now))
                .await;
        }
        let plan = post.plan_id.clone();
        let images = self
            .with_store(move |store| store.plan_images(&plan))
            .await?;
        status.media_ids = upload_media(session, &token, &images).await?;
        let key = format!("earshot-schedule-{}", post.id);
        let scheduled = session
            .client()
            .schedule_status(&token, &status, post.publish_at, &key)
            .await
            .map_err(|e| session.error(e))?;
        let (id, now) = (post.id.clone(), self.services.clock.now());
        self.with_store(move |store| store.set_server_scheduled(&id, &scheduled.id, now))
            .await
    }

    /// Cancels on their servers the posts that are scheduled there, so that a plan taken
    /// back (un-approved, deleted) cannot go out behind the person's back.
    pub(crate) async fn cancel_on_servers(&self, posts: &[PlannedPost]) -> Result<()> {
        for post in posts {
            let Some(scheduled) = &post.server_schedule_id else {
                continue;
            };
            let Connection::Mastodon(session) = self.connection(&post.account_id)? else {
                continue;
            };
            let token = session.token().await?;
            session
                .client()
                .cancel_scheduled_status(&token, scheduled)
                .await
                .map_err(|e| session.error(e))?;
            let id = post.id.clone();
            self.with_store(move |store| store.clear_server_schedule(&id))
                .await?;
        }
        Ok(())
    }
}
