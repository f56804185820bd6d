-- What is addressed to each account (mentions, replies, quotes; direct messages later), from
-- any network. `uri` is the network's id for the post; `cid` pins its version on Bluesky.
CREATE TABLE inbox_items (
    id                INTEGER PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri               TEXT NOT NULL,
    cid               TEXT,
    reason            TEXT NOT NULL CHECK (reason IN ('mention', 'reply', 'quote', 'direct')),
    author_id         TEXT NOT NULL,
    author_handle     TEXT NOT NULL,
    author_name       TEXT,
    text              TEXT NOT NULL,
    -- Rich-text annotations as the network sent them (JSON).
    facets            TEXT,
    created_at        INTEGER NOT NULL,
    indexed_at        INTEGER NOT NULL,
    reply_root_uri    TEXT,
    reply_root_cid    TEXT,
    reply_parent_uri  TEXT,
    reply_parent_cid  TEXT,
    -- The account's own post this one replies to or quotes.
    subject_uri       TEXT,
    -- The account's reply to this post, once there is one (written anywhere).
    answered_by       TEXT,
    UNIQUE (account_id, uri)
) STRICT;

CREATE INDEX inbox_items_newest ON inbox_items (indexed_at DESC, id DESC);

-- The account's own replies, from Earshot or any other client. Kept even when the post they
-- answer has not arrived yet, so it arrives already answered.
CREATE TABLE own_replies (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL,
    parent_uri  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, uri)
) STRICT;

CREATE INDEX own_replies_parent ON own_replies (account_id, parent_uri);

-- How far each account's sync has read, and how its last run ended.
CREATE TABLE sync_state (
    account_id       TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    read_until       INTEGER,
    walk_cursor      TEXT,
    walk_top         INTEGER,
    walk_until       INTEGER,
    own_posts_until  TEXT,
    last_success_at  INTEGER,
    last_error       TEXT,
    last_error_at    INTEGER,
    needs_sign_in    INTEGER NOT NULL DEFAULT 0 CHECK (needs_sign_in IN (0, 1))
) STRICT;
