-- Server-side scheduling (Mastodon's scheduled_at), for "publish even if my laptop is off":
-- a planned post may ask for it, and once the server holds it, its scheduled status's id is
-- kept here. Earshot then only mirrors what the server does: it never publishes such a row.
ALTER TABLE planned_posts ADD COLUMN server_side INTEGER NOT NULL DEFAULT 0
    CHECK (server_side IN (0, 1));
ALTER TABLE planned_posts ADD COLUMN server_schedule_id TEXT;
