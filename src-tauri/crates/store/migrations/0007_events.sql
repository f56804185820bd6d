-- Events (a conference someone covers) with topics to cover, and planned posts that grow up:
-- one plan written for several accounts (a row per account, sharing plan_id), linked to an
-- event and a topic, with a content warning and a language, and two steps before
-- 'scheduled': 'draft' (text can change) and 'approved' (text locked).
CREATE TABLE events (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    starts_on          TEXT NOT NULL,  -- YYYY-MM-DD
    ends_on            TEXT NOT NULL,
    time_zone          TEXT NOT NULL,  -- IANA name
    hashtags           TEXT NOT NULL,  -- space-separated, without '#'
    -- Listen-before-broadcast for this event: as in Settings, after N minutes, or off.
    hold_rule          TEXT NOT NULL CHECK (hold_rule IN ('settings', 'after', 'off')),
    hold_after_minutes INTEGER CHECK ((hold_rule = 'after') = (hold_after_minutes IS NOT NULL)),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE topics (
    id        TEXT PRIMARY KEY NOT NULL,
    event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL,
    covered   INTEGER NOT NULL DEFAULT 0 CHECK (covered IN (0, 1)),
    -- Titles name topics in an exported plan.
    UNIQUE (event_id, title)
) STRICT;

-- planned_posts is rebuilt to widen its status check (SQLite cannot alter a CHECK); the
-- migration runner has foreign keys off, so planned_parts keeps its rows.
CREATE TABLE planned_posts_new (
    id              TEXT PRIMARY KEY NOT NULL,
    plan_id         TEXT NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_id        TEXT REFERENCES events (id) ON DELETE CASCADE,
    topic_id        TEXT REFERENCES topics (id) ON DELETE SET NULL,
    publish_at      INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'scheduled',
                        'publishing', 'published', 'held', 'late', 'failed')),
    note            TEXT,
    ignore_hold     INTEGER NOT NULL DEFAULT 0 CHECK (ignore_hold IN (0, 1)),
    content_warning TEXT,
    language        TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

INSERT INTO planned_posts_new (id, plan_id, account_id, publish_at, status, note, ignore_hold,
                               created_at, updated_at)
SELECT id, id, account_id, publish_at, status, note, ignore_hold, created_at, updated_at
FROM planned_posts;

DROP TABLE planned_posts;
ALTER TABLE planned_posts_new RENAME TO planned_posts;

CREATE INDEX planned_posts_due ON planned_posts (publish_at) WHERE status = 'scheduled';
CREATE INDEX planned_posts_plan ON planned_posts (plan_id);
CREATE INDEX planned_posts_event ON planned_posts (event_id, publish_at) WHERE event_id IS NOT NULL;
