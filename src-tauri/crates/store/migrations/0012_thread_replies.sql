-- A reply in a thread the account started, addressed to someone else there (Bluesky tells
-- the thread's author of every reply in it): kept in the Inbox as `thread`, never owed.
-- SQLite cannot change a CHECK constraint in place, so the table is made again with the new
-- reason allowed; nothing references inbox_items, so dropping the old table loses nothing.
CREATE TABLE inbox_items_new (
    id                INTEGER PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri               TEXT NOT NULL,
    cid               TEXT,
    reason            TEXT NOT NULL
                      CHECK (reason IN ('mention', 'reply', 'quote', 'direct', 'thread')),
    author_id         TEXT NOT NULL,
    author_handle     TEXT NOT NULL,
    author_name       TEXT,
    text              TEXT NOT NULL,
    facets            TEXT,
    created_at        INTEGER NOT NULL,
    indexed_at        INTEGER NOT NULL,
    reply_root_uri    TEXT,
    reply_root_cid    TEXT,
    reply_parent_uri  TEXT,
    reply_parent_cid  TEXT,
    subject_uri       TEXT,
    answered_by       TEXT,
    question_score    REAL NOT NULL DEFAULT 0,
    question_kind     TEXT,
    asks              TEXT,
    -- The Owed order: 0 questions, 1 direct messages, 2 the rest; 3 never owed (`thread`).
    owed_rank         INTEGER NOT NULL DEFAULT 2,
    done_at           INTEGER,
    snoozed_until     INTEGER,
    may_notify        INTEGER NOT NULL DEFAULT 0 CHECK (may_notify IN (0, 1)),
    notified_at       INTEGER,
    UNIQUE (account_id, uri)
) STRICT;

INSERT INTO inbox_items_new (id, account_id, uri, cid, reason, author_id, author_handle,
    author_name, text, facets, created_at, indexed_at, reply_root_uri, reply_root_cid,
    reply_parent_uri, reply_parent_cid, subject_uri, answered_by, question_score,
    question_kind, asks, owed_rank, done_at, snoozed_until, may_notify, notified_at)
SELECT id, account_id, uri, cid, reason, author_id, author_handle,
    author_name, text, facets, created_at, indexed_at, reply_root_uri, reply_root_cid,
    reply_parent_uri, reply_parent_cid, subject_uri, answered_by, question_score,
    question_kind, asks, owed_rank, done_at, snoozed_until, may_notify, notified_at
FROM inbox_items;

DROP TABLE inbox_items;
ALTER TABLE inbox_items_new RENAME TO inbox_items;

CREATE INDEX inbox_items_newest ON inbox_items (indexed_at DESC, id DESC);
CREATE INDEX inbox_items_owed ON inbox_items (owed_rank, created_at, id, snoozed_until)
    WHERE answered_by IS NULL AND done_at IS NULL AND owed_rank < 3;
CREATE INDEX inbox_items_unclassified ON inbox_items (id) WHERE question_kind IS NULL;
CREATE INDEX inbox_items_unannounced ON inbox_items (indexed_at)
    WHERE may_notify = 1 AND notified_at IS NULL AND answered_by IS NULL AND done_at IS NULL
      AND owed_rank < 3;
