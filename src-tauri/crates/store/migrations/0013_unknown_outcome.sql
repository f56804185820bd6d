-- A post its server held (scheduled on the server) whose fate Earshot cannot tell: the
-- server no longer holds it, and the account's statuses since its time could not all be
-- read. It is `unknown`, never `failed`: trying again could post it twice.
-- planned_posts is rebuilt to widen its status check, as in 0007 (foreign keys are off
-- while migrations run); its trigger goes with the old table and is made again.
CREATE TABLE planned_posts_new (
    id                  TEXT PRIMARY KEY NOT NULL,
    plan_id             TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_id            TEXT REFERENCES events (id) ON DELETE CASCADE,
    topic_id            TEXT REFERENCES topics (id) ON DELETE SET NULL,
    publish_at          INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'scheduled',
                            'publishing', 'published', 'held', 'late', 'failed', 'unknown')),
    note                TEXT,
    ignore_hold         INTEGER NOT NULL DEFAULT 0 CHECK (ignore_hold IN (0, 1)),
    content_warning     TEXT,
    language            TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    server_side         INTEGER NOT NULL DEFAULT 0 CHECK (server_side IN (0, 1)),
    server_schedule_id  TEXT
) STRICT;

INSERT INTO planned_posts_new (id, plan_id, account_id, event_id, topic_id, publish_at,
    status, note, ignore_hold, content_warning, language, created_at, updated_at,
    server_side, server_schedule_id)
SELECT id, plan_id, account_id, event_id, topic_id, publish_at,
    status, note, ignore_hold, content_warning, language, created_at, updated_at,
    server_side, server_schedule_id
FROM planned_posts;

DROP TABLE planned_posts;
ALTER TABLE planned_posts_new RENAME TO planned_posts;

CREATE INDEX planned_posts_due ON planned_posts (publish_at) WHERE status = 'scheduled';
CREATE INDEX planned_posts_plan ON planned_posts (plan_id);
CREATE INDEX planned_posts_event ON planned_posts (event_id, publish_at) WHERE event_id IS NOT NULL;

CREATE TRIGGER plan_images_follow_their_plan AFTER DELETE ON planned_posts
WHEN NOT EXISTS (SELECT 1 FROM planned_posts WHERE plan_id = OLD.plan_id)
BEGIN
    DELETE FROM plan_images WHERE plan_id = OLD.plan_id;
END;
