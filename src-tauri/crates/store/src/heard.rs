//! Heard: questions found under an account's events' hashtags and the names people use for
//! it, stored as Inbox rows with reason `heard` so that answering them is answering any post.

use earshot_core::{
    AccountId, EventId, HeardFigures, HeardList, HeardSettings, InboxItemId, IncomingPost,
    Timestamp, detect_question_in,
};
use rusqlite::{OptionalExtension, params};

use crate::inbox::{HEARD_RANK, ITEM_COLUMNS, ITEM_SOURCES, item_from_row};
use crate::time::{from_micros, to_micros};
use crate::{Result, Store};

/// A post found by one of an account's watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeardPost {
    pub post: IncomingPost,
    /// What it was found under: "#rustconf" or a name.
    pub via: String,
    /// The event whose hashtag it carries.
    pub event: Option<EventId>,
    /// Whether the person asked to be told about questions heard this way.
    pub notify: bool,
}

/// How far one watch has read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeardCursor {
    /// The network's mark of the newest post read (a status id, an `indexedAt`).
    pub newest: Option<String>,
    /// When it last read successfully; `None` before its first read (a backlog: not new).
    pub read_at: Option<Timestamp>,
    /// The server's words when it cannot do this search.
    pub unsupported: Option<String>,
}

/// An event an account listens under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventWatch {
    pub event: EventId,
    pub hashtags: Vec<String>,
    /// The first and last day watched, in `time_zone`.
    pub from: jiff::civil::Date,
    pub until: jiff::civil::Date,
    pub time_zone: String,
    pub notify: bool,
}

/// A heard question to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnannouncedHeard {
    pub id: InboxItemId,
    pub author_handle: String,
    /// The sentence that asks (or the post).
    pub asks: String,
    pub via: String,
}

impl Store {
    /// Stores what a watch found — only posts that ask something, and never over a post
    /// already in the Inbox — with the watch's new mark, in one transaction. Returns the
    /// items that are new.
    pub fn store_heard(
        &self,
        account: &AccountId,
        query: &str,
        posts: &[HeardPost],
        newest: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<InboxItemId>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // A watch's first read is a backlog: listed, never announced.
        let first_read: bool = tx
            .query_row(
                "SELECT read_at IS NULL FROM heard_cursors WHERE account_id = ?1 AND query = ?2",
                params![account.0, query],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(true);
        let mut added = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO inbox_items (account_id, uri, cid, reason, author_id, author_handle,
                     author_name, text, facets, created_at, indexed_at, reply_root_uri,
                     reply_root_cid, reply_parent_uri, reply_parent_cid, question_score,
                     question_kind, asks, owed_rank, may_notify, web_url, asked_quarter,
                     heard_via, heard_event_id, answered_by)
                 VALUES (?1, ?2, ?3, 'heard', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                     ?15, ?16, ?17, ?18, ?19, ?20, ?9 / 900000000, ?21, ?22,
                     (SELECT uri FROM own_replies WHERE account_id = ?1 AND parent_uri = ?2
                      ORDER BY created_at LIMIT 1))
                 ON CONFLICT (account_id, uri) DO NOTHING
                 RETURNING id",
            )?;
            for heard in posts {
                let post = &heard.post;
                let verdict = detect_question_in(&post.text, post.language.as_deref());
                if !verdict.question {
                    continue;
                }
                let id = insert
                    .query_row(
                        params![
                            account.0,
                            post.uri,
                            post.cid,
                            post.author.id,
                            post.author.handle,
                            post.author.display_name,
                            post.text,
                            post.facets,
                            to_micros(post.created_at),
                            to_micros(post.indexed_at),
                            post.reply_root.as_ref().map(|r| &r.uri),
                            post.reply_root.as_ref().and_then(|r| r.cid.as_ref()),
                            post.reply_parent.as_ref().map(|r| &r.uri),
                            post.reply_parent.as_ref().and_then(|r| r.cid.as_ref()),
                            verdict.score,
                            verdict.kind.as_str(),
                            verdict.asks,
                            HEARD_RANK,
                            heard.notify && !first_read,
                            post.web_url,
                            heard.via,
                            heard.event.as_ref().map(|e| &e.0),
                        ],
                        |row| row.get(0).map(InboxItemId),
                    )
                    .optional()?;
                added.extend(id);
            }
        }
        tx.execute(
            "INSERT INTO heard_cursors (account_id, query, newest, read_at, unsupported)
             VALUES (?1, ?2, ?3, ?4, NULL)
             ON CONFLICT (account_id, query) DO UPDATE SET
                 newest = coalesce(?3, newest), read_at = ?4, unsupported = NULL",
            params![account.0, query, newest, to_micros(now)],
        )?;
        tx.commit()?;
        Ok(added)
    }

    /// Records that the account's server cannot do this search, in words for the person.
    pub fn mark_heard_unsupported(
        &self,
        account: &AccountId,
        query: &str,
        words: &str,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO heard_cursors (account_id, query, unsupported) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, query) DO UPDATE SET unsupported = ?3",
            params![account.0, query, words],
        )?;
        Ok(())
    }

    pub fn heard_cursor(&self, account: &AccountId, query: &str) -> Result<HeardCursor> {
        let cursor = self
            .conn()
            .query_row(
                "SELECT newest, read_at, unsupported FROM heard_cursors
                 WHERE account_id = ?1 AND query = ?2",
                params![account.0, query],
                |row| {
                    Ok(HeardCursor {
                        newest: row.get(0)?,
                        read_at: row.get::<_, Option<i64>>(1)?.map(from_micros).transpose()?,
                        unsupported: row.get(2)?,
                    })
                },
            )
            .optional()?;
        Ok(cursor.unwrap_or_default())
    }

    /// Every watch of the account that the server said it cannot do, with its words.
    pub fn heard_unsupported(&self, account: &AccountId) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT query, unsupported FROM heard_cursors
             WHERE account_id = ?1 AND unsupported IS NOT NULL ORDER BY query",
        )?;
        let rows = query
            .query_map(params![account.0], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Open heard items (neither answered nor dismissed), newest first, and their count.
    pub fn heard(&self, limit: u32, now: Timestamp) -> Result<HeardList> {
        let conn = self.conn();
        let open = conn.query_row(
            "SELECT count(*) FROM inbox_items INDEXED BY inbox_items_heard
             WHERE owed_rank = 4 AND answered_by IS NULL AND done_at IS NULL",
            [],
            |row| row.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM {ITEM_SOURCES}
             WHERE i.owed_rank = 4 AND i.answered_by IS NULL AND i.done_at IS NULL
             ORDER BY i.created_at DESC, i.id DESC LIMIT ?1"
        ))?;
        let items = stmt
            .query_map(params![limit], |row| item_from_row(row, now))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(HeardList { open, items })
    }

    pub fn heard_settings(&self, account: &AccountId) -> Result<HeardSettings> {
        let found: Option<(String, bool)> = self
            .conn()
            .query_row(
                "SELECT names, notify FROM heard_settings WHERE account_id = ?1",
                params![account.0],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((names, notify)) = found else {
            return Ok(HeardSettings::default());
        };
        let names = names.lines().map(str::to_owned).collect();
        Ok(HeardSettings { names, notify })
    }

    pub fn save_heard_settings(&self, account: &AccountId, settings: &HeardSettings) -> Result<()> {
        // One per line: a tidied name is one line.
        let names = settings.names.join("\n");
        self.conn().execute(
            "INSERT INTO heard_settings (account_id, names, notify) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id) DO UPDATE SET names = ?2, notify = ?3",
            params![account.0, names, settings.notify],
        )?;
        Ok(())
    }

    /// The events whose hashtags the account listens under: those it has planned posts for,
    /// and events with no planned posts yet (every account covers them until it is chosen).
    pub fn listening_events(&self, account: &AccountId) -> Result<Vec<EventWatch>> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT id FROM events e
             WHERE e.hashtags <> ''
               AND (EXISTS (SELECT 1 FROM planned_posts p
                            WHERE p.event_id = e.id AND p.account_id = ?1)
                    OR NOT EXISTS (SELECT 1 FROM planned_posts p WHERE p.event_id = e.id))",
        )?;
        let ids = query
            .query_map(params![account.0], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(query);
        drop(conn);
        let mut watches = Vec::new();
        for id in ids {
            let event = self.event(&EventId(id))?;
            let (from, until) = event.listening.days(&event.details);
            watches.push(EventWatch {
                event: event.id,
                hashtags: event.details.hashtags,
                from,
                until,
                time_zone: event.details.time_zone,
                notify: event.listening.notify,
            });
        }
        Ok(watches)
    }

    /// Questions heard under an event's hashtags, and how many of them were answered.
    pub fn event_heard_counts(&self, event: &EventId) -> Result<HeardFigures> {
        Ok(self.conn().query_row(
            "SELECT count(*), count(answered_by) FROM inbox_items INDEXED BY inbox_items_heard_all
             WHERE owed_rank = 4 AND heard_event_id = ?1",
            params![event.0],
            |row| {
                Ok(HeardFigures {
                    heard: row.get(0)?,
                    answered: row.get(1)?,
                })
            },
        )?)
    }

    /// Questions heard (asked in `from..to`) by `accounts` (all when `None`), and how many
    /// were answered: the Report's heard line.
    pub fn heard_in_period(
        &self,
        accounts: Option<&[AccountId]>,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<HeardFigures> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT account_id, answered_by IS NOT NULL FROM inbox_items
             INDEXED BY inbox_items_heard_all
             WHERE owed_rank = 4 AND created_at >= ?1 AND created_at < ?2",
        )?;
        let mut figures = HeardFigures::default();
        let rows = query.query_map(params![to_micros(from), to_micros(to)], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
        })?;
        for row in rows {
            let (account, answered) = row?;
            if accounts.is_some_and(|only| !only.iter().any(|a| a.0 == account)) {
                continue;
            }
            figures.heard += 1;
            figures.answered += u32::from(answered);
        }
        Ok(figures)
    }

    /// Heard questions that may pop up and have not yet, oldest first.
    pub fn unannounced_heard(&self, limit: u32) -> Result<Vec<UnannouncedHeard>> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT id, author_handle, coalesce(asks, text), heard_via FROM inbox_items
             INDEXED BY inbox_items_heard
             WHERE owed_rank = 4 AND answered_by IS NULL AND done_at IS NULL
               AND may_notify = 1 AND notified_at IS NULL
             ORDER BY created_at LIMIT ?1",
        )?;
        let rows = query
            .query_map(params![limit], |row| {
                Ok(UnannouncedHeard {
                    id: InboxItemId(row.get(0)?),
                    author_handle: row.get(1)?,
                    asks: row.get(2)?,
                    via: row.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}
