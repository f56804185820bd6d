-- Heard: questions asked near an account without addressing it — under an event's hashtags,
-- or naming the account the way people do ("Paddy's"). They are Inbox rows with reason
-- `heard` (owed_rank 4: never owed, never in the Report's owed figures), so answering one
-- uses the same thread, reply box and exactly-once send as Owed, and an answer written in any
-- app marks it answered the same way. A post later found to address the account becomes an
-- ordinary Inbox item (the sync rewrites the row): never both.
--
-- SQLite cannot change a CHECK constraint in place, so the table is made again with the new
-- reason allowed (as in 0012); its indexes and triggers are made again after it.
CREATE TABLE inbox_items_new (
    id                  INTEGER PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                 TEXT NOT NULL,
    cid                 TEXT,
    reason              TEXT NOT NULL
                        CHECK (reason IN ('mention', 'reply', 'quote', 'direct', 'thread', 'heard')),
    author_id           TEXT NOT NULL,
    author_handle       TEXT NOT NULL,
    author_name         TEXT,
    text                TEXT NOT NULL,
    facets              TEXT,
    created_at          INTEGER NOT NULL,
    indexed_at          INTEGER NOT NULL,
    reply_root_uri      TEXT,
    reply_root_cid      TEXT,
    reply_parent_uri    TEXT,
    reply_parent_cid    TEXT,
    subject_uri         TEXT,
    answered_by         TEXT,
    question_score      REAL NOT NULL DEFAULT 0,
    question_kind       TEXT,
    asks                TEXT,
    -- The Owed order: 0 questions, 1 direct messages, 2 the rest; 3 never owed (`thread`);
    -- 4 heard, not addressed (`heard`).
    owed_rank           INTEGER NOT NULL DEFAULT 2,
    done_at             INTEGER,
    snoozed_until       INTEGER,
    may_notify          INTEGER NOT NULL DEFAULT 0 CHECK (may_notify IN (0, 1)),
    notified_at         INTEGER,
    web_url             TEXT,
    answered_at         INTEGER,
    answered_in_earshot INTEGER NOT NULL DEFAULT 0 CHECK (answered_in_earshot IN (0, 1)),
    asked_quarter       INTEGER,
    -- For `heard`: what it was heard under ("#rustconf", or a name such as "Paddy's"), and
    -- the event whose hashtag it carried.
    heard_via           TEXT CHECK ((reason = 'heard') = (heard_via IS NOT NULL)),
    heard_event_id      TEXT REFERENCES events (id) ON DELETE SET NULL,
    UNIQUE (account_id, uri)
) STRICT;

INSERT INTO inbox_items_new (id, account_id, uri, cid, reason, author_id, author_handle,
    author_name, text, facets, created_at, indexed_at, reply_root_uri, reply_root_cid,
    reply_parent_uri, reply_parent_cid, subject_uri, answered_by, question_score,
    question_kind, asks, owed_rank, done_at, snoozed_until, may_notify, notified_at, web_url,
    answered_at, answered_in_earshot, asked_quarter)
SELECT id, account_id, uri, cid, reason, author_id, author_handle,
    author_name, text, facets, created_at, indexed_at, reply_root_uri, reply_root_cid,
    reply_parent_uri, reply_parent_cid, subject_uri, answered_by, question_score,
    question_kind, asks, owed_rank, done_at, snoozed_until, may_notify, notified_at, web_url,
    answered_at, answered_in_earshot, asked_quarter
FROM inbox_items;

-- The trigger on own_replies names inbox_items: it goes while the table is made again.
DROP TRIGGER own_replies_origin_changed;
DROP TABLE inbox_items;
ALTER TABLE inbox_items_new RENAME TO inbox_items;

CREATE INDEX inbox_items_newest ON inbox_items (indexed_at DESC, id DESC);
CREATE INDEX inbox_items_owed ON inbox_items (owed_rank, created_at, id, snoozed_until)
    WHERE answered_by IS NULL AND done_at IS NULL AND owed_rank < 3;
CREATE INDEX inbox_items_unclassified ON inbox_items (id) WHERE question_kind IS NULL;
CREATE INDEX inbox_items_unannounced ON inbox_items (indexed_at)
    WHERE may_notify = 1 AND notified_at IS NULL AND answered_by IS NULL AND done_at IS NULL
      AND owed_rank < 3;
CREATE INDEX inbox_items_report ON inbox_items
    (asked_quarter, created_at, account_id, owed_rank, reason, answered_at, answered_in_earshot,
     done_at, author_id)
    WHERE owed_rank < 3;
-- Heard, newest first, and its count (open ones: neither answered nor dismissed).
CREATE INDEX inbox_items_heard ON inbox_items (created_at DESC, id DESC)
    WHERE owed_rank = 4 AND answered_by IS NULL AND done_at IS NULL;
-- Every heard item, for an event's figures and the Report's heard line (few beside the
-- Inbox: read whole).
CREATE INDEX inbox_items_heard_all ON inbox_items
    (created_at, account_id, heard_event_id, answered_by) WHERE owed_rank = 4;

CREATE TRIGGER inbox_items_answer_stored AFTER INSERT ON inbox_items
WHEN NEW.answered_by IS NOT NULL
BEGIN
    UPDATE inbox_items
    SET answered_at = (SELECT r.created_at FROM own_replies r
                       WHERE r.account_id = NEW.account_id AND r.uri = NEW.answered_by),
        answered_in_earshot = coalesce((SELECT r.from_earshot FROM own_replies r
                       WHERE r.account_id = NEW.account_id AND r.uri = NEW.answered_by), 0)
    WHERE id = NEW.id;
END;

CREATE TRIGGER inbox_items_answer_changed AFTER UPDATE OF answered_by ON inbox_items
BEGIN
    UPDATE inbox_items
    SET answered_at = (SELECT r.created_at FROM own_replies r
                       WHERE r.account_id = NEW.account_id AND r.uri = NEW.answered_by),
        answered_in_earshot = coalesce((SELECT r.from_earshot FROM own_replies r
                       WHERE r.account_id = NEW.account_id AND r.uri = NEW.answered_by), 0)
    WHERE id = NEW.id;
END;

CREATE TRIGGER own_replies_origin_changed AFTER UPDATE OF from_earshot ON own_replies
BEGIN
    UPDATE inbox_items SET answered_in_earshot = NEW.from_earshot
    WHERE account_id = NEW.account_id AND uri = NEW.parent_uri AND answered_by = NEW.uri;
END;

-- What each account listens for beyond what is addressed to it: the names people use for it
-- (watched always), whether questions heard may pop up, and each search's own cursor.
CREATE TABLE heard_settings (
    account_id  TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The names, one per line, as the person typed them.
    names       TEXT NOT NULL DEFAULT '',
    notify      INTEGER NOT NULL DEFAULT 0 CHECK (notify IN (0, 1))
) STRICT;

-- How far each watched search has read: a hashtag (`#tag`) or a name, per account. `newest`
-- is the network's own mark (Mastodon: the newest status id; Bluesky: the newest indexedAt),
-- `unsupported` the server's words when it cannot do this search at all.
CREATE TABLE heard_cursors (
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    query        TEXT NOT NULL,
    newest       TEXT,
    read_at      INTEGER,
    unsupported  TEXT,
    PRIMARY KEY (account_id, query)
) STRICT;

-- An event's hashtags are watched from a day before it to a day after, unless the person
-- chose other days; questions heard under them pop up only when they asked for that.
ALTER TABLE events ADD COLUMN listen_from TEXT;   -- YYYY-MM-DD
ALTER TABLE events ADD COLUMN listen_until TEXT;
ALTER TABLE events ADD COLUMN notify_heard INTEGER NOT NULL DEFAULT 0
    CHECK (notify_heard IN (0, 1));
