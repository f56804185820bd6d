//! Planned posts and the scheduler's bookkeeping: claiming due rows in a transaction and
//! recording each part's key and result as it goes, so that a post is published exactly once.

use std::collections::HashMap;

use earshot_core::plan_doc::EventPlan;
use earshot_core::{
    AccountId, Event, EventId, FollowUp, ImageInfo, PlanId, PlanInput, PlanStatus, PlannedPart,
    PlannedPost, PlannedPostId, Timestamp, TopicId,
};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::inbox::{ITEM_COLUMNS, item_from_row};
use crate::time::{from_micros, to_micros};
use crate::{Result, Store, StoreError};

fn read_post(tx: &Transaction<'_>, id: &str) -> Result<PlannedPost> {
    let mut post = tx
        .query_row(
            "SELECT plan_id, account_id, event_id, topic_id, content_warning, language,
                    publish_at, status, note, ignore_hold, server_side, server_schedule_id
             FROM planned_posts WHERE id = ?1",
            params![id],
            |row| {
                let status: String = row.get(7)?;
                Ok(PlannedPost {
                    id: PlannedPostId(id.to_owned()),
                    plan_id: PlanId(row.get(0)?),
                    account_id: AccountId(row.get(1)?),
                    event_id: row.get::<_, Option<String>>(2)?.map(EventId),
                    topic_id: row.get::<_, Option<String>>(3)?.map(TopicId),
                    content_warning: row.get(4)?,
                    language: row.get(5)?,
                    parts: Vec::new(),
                    publish_at: from_micros(row.get(6)?)?,
                    status: PlanStatus::parse(&status).ok_or_else(|| {
                        rusqlite::Error::FromSqlConversionFailure(
                            7,
                            rusqlite::types::Type::Text,
                            format!("unknown plan status {status:?}").into(),
                        )
                    })?,
                    note: row.get(8)?,
                    ignore_hold: row.get(9)?,
                    images: Vec::new(),
                    server_side: row.get(10)?,
                    server_schedule_id: row.get(11)?,
                })
            },
        )
        .optional()?
        .ok_or(StoreError::NotFound("planned post"))?;
    post.parts = tx
        .prepare_cached(
            "SELECT text, record_key, uri, cid FROM planned_parts
             WHERE post_id = ?1 ORDER BY position",
        )?
        .query_map(params![id], |row| {
            Ok(PlannedPart {
                text: row.get(0)?,
                record_key: row.get(1)?,
                uri: row.get(2)?,
                cid: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    post.images = tx
        .prepare_cached(
            "SELECT mime, alt, length(data) FROM plan_images WHERE plan_id = ?1 ORDER BY position",
        )?
        .query_map(params![post.plan_id.0], |row| {
            Ok(ImageInfo {
                mime: row.get(0)?,
                alt: row.get(1)?,
                bytes: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(post)
}

/// An image as stored: its type, description and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub mime: String,
    pub alt: String,
    pub data: Vec<u8>,
}

fn insert_parts(tx: &Transaction<'_>, post: &str, parts: &[String]) -> Result<()> {
    for (position, text) in (0u32..).zip(parts) {
        tx.execute(
            "INSERT INTO planned_parts (post_id, position, text) VALUES (?1, ?2, ?3)",
            params![post, position, text],
        )?;
    }
    Ok(())
}

/// One target of a plan, as a row.
struct NewTarget<'a> {
    plan: &'a str,
    account: &'a AccountId,
    event: Option<&'a EventId>,
    topic: Option<&'a TopicId>,
    content_warning: Option<&'a str>,
    language: Option<&'a str>,
    publish_at: Timestamp,
    status: PlanStatus,
    server_side: bool,
    parts: &'a [String],
}

fn insert_target(tx: &Transaction<'_>, target: &NewTarget<'_>, now: Timestamp) -> Result<()> {
    let id = uuid::Uuid::now_v7().to_string();
    tx.execute(
        "INSERT INTO planned_posts (id, plan_id, account_id, event_id, topic_id, content_warning,
                                    language, publish_at, status, server_side, created_at,
                                    updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            id,
            target.plan,
            target.account.0,
            target.event.map(|e| &e.0),
            target.topic.map(|t| &t.0),
            target.content_warning,
            target.language,
            to_micros(target.publish_at),
            target.status.as_str(),
            target.server_side,
            to_micros(now)
        ],
    )?;
    insert_parts(tx, &id, target.parts)
}

/// The statuses of a plan's targets.
fn plan_statuses(tx: &Transaction<'_>, plan: &PlanId) -> Result<Vec<PlanStatus>> {
    let names = ids(
        tx,
        "SELECT status FROM planned_posts WHERE plan_id = ?1",
        params![plan.0],
    )?;
    if names.is_empty() {
        return Err(StoreError::NotFound("plan"));
    }
    Ok(names.iter().filter_map(|n| PlanStatus::parse(n)).collect())
}

/// Moves every target of `plan` in one of `from` to `to`, after `allowed` has looked at all
/// their statuses (and refused in words, or not).
fn move_plan(
    tx: &Transaction<'_>,
    plan: &PlanId,
    from: &[PlanStatus],
    to: PlanStatus,
    now: Timestamp,
    allowed: impl Fn(&[PlanStatus]) -> Result<(), String>,
) -> Result<()> {
    let statuses = plan_statuses(tx, plan)?;
    allowed(&statuses).map_err(StoreError::Refused)?;
    // The statuses are the enum's own names, so they can be written into the statement.
    let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    tx.execute(
        &format!(
            "UPDATE planned_posts SET status = ?2, note = NULL, updated_at = ?3
             WHERE plan_id = ?1 AND status IN ({})",
            from.join(", ")
        ),
        params![plan.0, to.as_str(), to_micros(now)],
    )?;
    Ok(())
}

fn plan_posts(tx: &Transaction<'_>, plan: &PlanId) -> Result<Vec<PlannedPost>> {
    let ids = ids(
        tx,
        "SELECT id FROM planned_posts WHERE plan_id = ?1 ORDER BY id",
        params![plan.0],
    )?;
    ids.iter().map(|id| read_post(tx, id)).collect()
}

/// The ids a query returns (its first column).
fn ids(tx: &Transaction<'_>, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>> {
    Ok(tx
        .prepare(sql)?
        .query_map(params, |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    pub fn planned_post(&self, id: &PlannedPostId) -> Result<PlannedPost> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        read_post(&tx, &id.0)
    }

    /// Saves a plan as a draft, one row per target: new, or replacing an existing draft's
    /// targets and text. Approved (or later) text is locked.
    pub fn save_plan(
        &self,
        input: &PlanInput,
        images: &[StoredImage],
        now: Timestamp,
    ) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let plan = match &input.plan_id {
            Some(plan) => {
                let statuses = plan_statuses(&tx, plan)?;
                if statuses.iter().any(|s| *s != PlanStatus::Draft) {
                    return Err(StoreError::Refused(
                        "Approved text is locked. Un-approve it to change it.".into(),
                    ));
                }
                tx.execute(
                    "DELETE FROM planned_posts WHERE plan_id = ?1",
                    params![plan.0],
                )?;
                plan.clone()
            }
            None => PlanId(uuid::Uuid::now_v7().to_string()),
        };
        for target in &input.targets {
            insert_target(
                &tx,
                &NewTarget {
                    plan: &plan.0,
                    account: &target.account_id,
                    event: input.event_id.as_ref(),
                    topic: input.topic_id.as_ref(),
                    content_warning: input.content_warning.as_deref(),
                    language: input.language.as_deref(),
                    publish_at: input.publish_at,
                    status: PlanStatus::Draft,
                    server_side: input.server_side,
                    parts: &target.parts,
                },
                now,
            )?;
        }
        // After the rows: deleting the old ones emptied the plan, and its images with it.
        for (position, image) in (0u32..).zip(images) {
            tx.execute(
                "INSERT INTO plan_images (plan_id, position, mime, alt, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![plan.0, position, image.mime, image.alt, image.data],
            )?;
        }
        let posts = plan_posts(&tx, &plan)?;
        tx.commit()?;
        Ok(posts)
    }

    /// A plan's images with their bytes, in order.
    pub fn plan_images(&self, plan: &PlanId) -> Result<Vec<StoredImage>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT mime, alt, data FROM plan_images WHERE plan_id = ?1 ORDER BY position",
        )?;
        let images = stmt
            .query_map(params![plan.0], |row| {
                Ok(StoredImage {
                    mime: row.get(0)?,
                    alt: row.get(1)?,
                    data: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(images)
    }

    /// A plan's targets, in the order they were added.
    pub fn plan(&self, plan: &PlanId) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let posts = plan_posts(&tx, plan)?;
        if posts.is_empty() {
            return Err(StoreError::NotFound("plan"));
        }
        Ok(posts)
    }

    /// Approves a draft: its text is locked from now on.
    pub fn approve_plan(&self, plan: &PlanId, now: Timestamp) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        move_plan(
            &tx,
            plan,
            &[PlanStatus::Draft],
            PlanStatus::Approved,
            now,
            |_| Ok(()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Takes a plan back to draft so its text can change, unless part of it is published or
    /// being published.
    pub fn unapprove_plan(&self, plan: &PlanId, now: Timestamp) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        move_plan(
            &tx,
            plan,
            &[
                PlanStatus::Approved,
                PlanStatus::Scheduled,
                PlanStatus::Held,
                PlanStatus::Late,
                PlanStatus::Failed,
            ],
            PlanStatus::Draft,
            now,
            |statuses| {
                if statuses
                    .iter()
                    .any(|s| matches!(s, PlanStatus::Published | PlanStatus::Publishing))
                {
                    return Err(
                        "Part of this plan is already published; its text stays as it went out."
                            .into(),
                    );
                }
                Ok(())
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Schedules an approved plan's targets for its time. Targets that asked for server-side
    /// scheduling on Mastodon stay approved: they move to 'scheduled' once their server holds
    /// them ([`Store::set_server_scheduled`]).
    pub fn schedule_plan(&self, plan: &PlanId, now: Timestamp) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if plan_statuses(&tx, plan)?.contains(&PlanStatus::Draft) {
            return Err(StoreError::Refused(
                "Approve the text before scheduling it.".into(),
            ));
        }
        tx.execute(
            "UPDATE planned_posts SET status = 'scheduled', note = NULL, updated_at = ?2
             WHERE plan_id = ?1 AND status = 'approved'
               AND NOT (server_side = 1 AND account_id IN
                        (SELECT id FROM accounts WHERE network = 'mastodon'))",
            params![plan.0, to_micros(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records that the server holds an approved post (`schedule_id`): it is scheduled there,
    /// and Earshot will only mirror it.
    pub fn set_server_scheduled(
        &self,
        id: &PlannedPostId,
        schedule_id: &str,
        now: Timestamp,
    ) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE planned_posts SET status = 'scheduled', server_schedule_id = ?2, note = NULL,
                 updated_at = ?3
             WHERE id = ?1 AND status = 'approved'",
            params![id.0, schedule_id, to_micros(now)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("approved post"));
        }
        Ok(())
    }

    /// Forgets a post's server-side schedule (it was cancelled on the server).
    pub fn clear_server_schedule(&self, id: &PlannedPostId) -> Result<()> {
        self.conn().execute(
            "UPDATE planned_posts SET server_schedule_id = NULL WHERE id = ?1",
            params![id.0],
        )?;
        Ok(())
    }

    /// Posts the server holds whose time has come: the scheduler asks the server what
    /// became of them.
    pub fn server_scheduled_due(&self, now: Timestamp) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts
             WHERE status = 'scheduled' AND server_schedule_id IS NOT NULL AND publish_at <= ?1
             ORDER BY publish_at",
            params![to_micros(now)],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// Removes a plan from Earshot (what is published stays on the servers), unless it is
    /// being published right now.
    pub fn delete_plan(&self, plan: &PlanId) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let statuses = plan_statuses(&tx, plan)?;
        if statuses.contains(&PlanStatus::Publishing) {
            return Err(StoreError::Refused(
                "This plan is being published right now. Try again in a moment.".into(),
            ));
        }
        tx.execute(
            "DELETE FROM planned_posts WHERE plan_id = ?1",
            params![plan.0],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// An event's planned posts, soonest first, each plan's targets together.
    pub fn event_posts(&self, event: &EventId) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts WHERE event_id = ?1 ORDER BY publish_at, plan_id, id",
            params![event.0],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// What published posts drew — an event's, or all of them — replies to any of their parts
    /// (or in their threads) and quotes of them, oldest first. Each item's state is read at
    /// `now`.
    pub fn follow_ups(&self, event: Option<&EventId>, now: Timestamp) -> Result<Vec<FollowUp>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT DISTINCT {ITEM_COLUMNS}, p.id AS planned_post
             FROM planned_posts p
             JOIN planned_parts part ON part.post_id = p.id AND part.uri IS NOT NULL
             JOIN inbox_items i ON i.account_id = p.account_id
                 AND (i.subject_uri = part.uri OR i.reply_parent_uri = part.uri
                      OR i.reply_root_uri = part.uri)
             JOIN accounts a ON a.id = i.account_id
             LEFT JOIN own_posts o ON o.account_id = i.account_id
                 AND o.uri = coalesce(i.subject_uri, i.reply_parent_uri)
             WHERE ?2 IS NULL OR p.event_id = ?2
             ORDER BY i.created_at, i.id"
        ))?;
        let follow_ups = stmt
            .query_map(params![to_micros(now), event.map(|e| &e.0)], |row| {
                Ok(FollowUp {
                    post_id: PlannedPostId(row.get("planned_post")?),
                    item: item_from_row(row, now)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(follow_ups)
    }

    /// Creates a new event from a document, in one transaction: all of it or nothing.
    /// `accounts` maps the document's handles to accounts. Import never schedules: what was
    /// approved or scheduled comes in approved, drafts as drafts, and what was published as
    /// published (without its server links).
    pub fn import_event(
        &self,
        plan: &EventPlan,
        accounts: &HashMap<String, AccountId>,
        now: Timestamp,
    ) -> Result<Event> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let event = crate::events::insert_event(&tx, &plan.details, now)?;
        let mut topics = HashMap::new();
        for topic in &plan.topics {
            let id = crate::events::insert_topic(&tx, &event, &topic.title, topic.covered)?;
            topics.insert(topic.title.as_str(), id);
        }
        for entry in &plan.plans {
            let plan_id = uuid::Uuid::now_v7().to_string();
            for target in &entry.targets {
                let account = accounts.get(&target.account).ok_or_else(|| {
                    StoreError::Refused(format!(
                        "The plan is for {}, who is not signed in to Earshot.",
                        target.account
                    ))
                })?;
                // The caller tidied the document into drafts; nothing else is trusted here.
                let status = PlanStatus::Draft;
                insert_target(
                    &tx,
                    &NewTarget {
                        plan: &plan_id,
                        account,
                        event: Some(&event),
                        topic: entry.topic.as_ref().and_then(|t| topics.get(t.as_str())),
                        content_warning: entry.content_warning.as_deref(),
                        language: entry.language.as_deref(),
                        publish_at: entry.publish_at,
                        status,
                        server_side: false,
                        parts: &target.parts,
                    },
                    now,
                )?;
            }
        }
        let event = crate::events::read_event(&tx, &event.0)?;
        tx.commit()?;
        Ok(event)
    }

    /// Every planned post, soonest first.
    pub fn planned_posts(&self) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts ORDER BY publish_at, plan_id, id",
            [],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// Moves every scheduled post due at `now` to 'publishing' and returns them. One
    /// immediate transaction: two schedulers can never claim the same row.
    pub fn claim_due(&self, now: Timestamp) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let due = ids(
            &tx,
            "UPDATE planned_posts SET status = 'publishing', updated_at = ?1
             WHERE status = 'scheduled' AND publish_at <= ?1 AND server_schedule_id IS NULL
             RETURNING id",
            params![to_micros(now)],
        )?;
        let posts = due
            .iter()
            .map(|id| read_post(&tx, id))
            .collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(posts)
    }

    /// Posts a previous run left 'publishing' (Earshot stopped mid-way): the scheduler
    /// checks them against the server before it sends anything again.
    pub fn interrupted_posts(&self) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts WHERE status = 'publishing' ORDER BY publish_at",
            [],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// Held posts, for the scheduler to release once nobody waits any more.
    pub fn held_posts(&self) -> Result<Vec<PlannedPost>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids = ids(
            &tx,
            "SELECT id FROM planned_posts WHERE status = 'held' ORDER BY publish_at",
            [],
        )?;
        ids.iter().map(|id| read_post(&tx, id)).collect()
    }

    /// "Publish anyway": a held or late post goes out at once, the hold rule and the grace
    /// window set aside for it.
    pub fn publish_anyway(&self, id: &PlannedPostId, now: Timestamp) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE planned_posts SET status = 'scheduled', ignore_hold = 1, note = NULL,
                 updated_at = ?2
             WHERE id = ?1 AND status IN ('held', 'late')",
            params![id.0, to_micros(now)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("held or late post"));
        }
        Ok(())
    }

    /// How many planned posts wait for the person: failed, held or late (the tray's count).
    pub fn plans_needing_attention(&self) -> Result<u32> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM planned_posts WHERE status IN ('failed', 'held', 'late', 'unknown')",
            [],
            |row| row.get(0),
        )?)
    }

    /// When the next scheduled post is due.
    pub fn next_due(&self) -> Result<Option<Timestamp>> {
        let next: Option<i64> = self.conn().query_row(
            "SELECT min(publish_at) FROM planned_posts
             WHERE status = 'scheduled' AND server_schedule_id IS NULL",
            [],
            |row| row.get(0),
        )?;
        Ok(next.map(from_micros).transpose()?)
    }

    /// Records the key a part will be written under, before it is sent.
    pub fn set_part_key(&self, id: &PlannedPostId, position: u32, key: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE planned_parts SET record_key = ?3 WHERE post_id = ?1 AND position = ?2",
            params![id.0, position, key],
        )?;
        Ok(())
    }

    /// Records a part the server has written.
    pub fn set_part_published(
        &self,
        id: &PlannedPostId,
        position: u32,
        uri: &str,
        cid: Option<&str>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE planned_parts SET uri = ?3, cid = ?4 WHERE post_id = ?1 AND position = ?2",
            params![id.0, position, uri, cid],
        )?;
        Ok(())
    }

    /// Ends a post's run: published, failed or held (with the reason in words), or back to
    /// scheduled (a retry, a release). A published post ticks its topic.
    pub fn set_plan_status(
        &self,
        id: &PlannedPostId,
        status: PlanStatus,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE planned_posts SET status = ?2, note = ?3, updated_at = ?4 WHERE id = ?1",
            params![id.0, status.as_str(), note, to_micros(now)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("planned post"));
        }
        if status == PlanStatus::Published {
            tx.execute(
                "UPDATE topics SET covered = 1
                 WHERE id = (SELECT topic_id FROM planned_posts WHERE id = ?1)",
                params![id.0],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
