-- Planned posts: a post or a thread to publish on one account at a set time, published
-- exactly once. The scheduler claims due rows by moving them to 'publishing' in a
-- transaction; each part records the key it will be written under (Bluesky) before it is
-- sent, and the server's URI once it is written, so that after a crash a row left
-- 'publishing' is checked against the server before anything is sent again.
CREATE TABLE planned_posts (
    id          TEXT PRIMARY KEY NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    publish_at  INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN
                    ('scheduled', 'publishing', 'published', 'held', 'late', 'failed')),
    -- Why it failed or is held, in words.
    note        TEXT,
    -- The person chose "Publish anyway" for a held or late post: neither the hold rule nor
    -- the grace window applies to it any more.
    ignore_hold INTEGER NOT NULL DEFAULT 0 CHECK (ignore_hold IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX planned_posts_due ON planned_posts (publish_at) WHERE status = 'scheduled';

CREATE TABLE planned_parts (
    post_id     TEXT NOT NULL REFERENCES planned_posts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    record_key  TEXT,
    uri         TEXT,
    cid         TEXT,
    PRIMARY KEY (post_id, position)
) STRICT;
