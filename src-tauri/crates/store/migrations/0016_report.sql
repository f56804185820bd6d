-- What the Report reads. Answers written from Earshot are told from answers written in other
-- apps; own posts keep their time and whether they reply, so posts published (broadcast) can
-- be counted against answers written (listening). Older rows have neither and are left out
-- of those two figures. Inbox items are found by when they were written.
ALTER TABLE own_replies ADD COLUMN from_earshot INTEGER NOT NULL DEFAULT 0
    CHECK (from_earshot IN (0, 1));
ALTER TABLE own_posts ADD COLUMN created_at INTEGER;
ALTER TABLE own_posts ADD COLUMN is_reply INTEGER;
CREATE INDEX inbox_items_written ON inbox_items (created_at);
CREATE INDEX own_posts_written ON own_posts (created_at, is_reply, account_id)
    WHERE created_at IS NOT NULL;
