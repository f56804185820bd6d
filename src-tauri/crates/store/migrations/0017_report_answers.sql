-- The Report reads each item's first answer from the item itself: when it was written and
-- whether it was written in Earshot. A join to own_replies per item cost most of a report's
-- time over 100k items. Triggers keep the copy true wherever `answered_by` or an answer's
-- origin changes, so no code path can forget it.
ALTER TABLE inbox_items ADD COLUMN answered_at INTEGER;
ALTER TABLE inbox_items ADD COLUMN answered_in_earshot INTEGER NOT NULL DEFAULT 0
    CHECK (answered_in_earshot IN (0, 1));

UPDATE inbox_items
SET answered_at = (SELECT r.created_at FROM own_replies r
                   WHERE r.account_id = inbox_items.account_id AND r.uri = inbox_items.answered_by),
    answered_in_earshot = coalesce((SELECT r.from_earshot FROM own_replies r
                   WHERE r.account_id = inbox_items.account_id AND r.uri = inbox_items.answered_by), 0)
WHERE answered_by IS NOT NULL;

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

-- An answer found to be Earshot's after it was stored (the send is recorded after the sync
-- may have seen the reply). Found through the post it answers: one row, by the unique key.
CREATE TRIGGER own_replies_origin_changed AFTER UPDATE OF from_earshot ON own_replies
BEGIN
    UPDATE inbox_items SET answered_in_earshot = NEW.from_earshot
    WHERE account_id = NEW.account_id AND uri = NEW.parent_uri AND answered_by = NEW.uri;
END;

-- The quarter-hour (since the epoch) an item or an own post was written in, set with
-- `created_at`: the heat maps count by it straight off an index in its order, without
-- sorting. (Plain columns: SQLite does not read a generated column from a covering index.)
ALTER TABLE inbox_items ADD COLUMN asked_quarter INTEGER;
UPDATE inbox_items SET asked_quarter = created_at / 900000000;
ALTER TABLE own_posts ADD COLUMN written_quarter INTEGER;
UPDATE own_posts SET written_quarter = created_at / 900000000 WHERE created_at IS NOT NULL;

-- Everything a report counts, in the order it reads: by when items were written, holding
-- every column it needs, so a report never visits the table.
DROP INDEX inbox_items_written;
CREATE INDEX inbox_items_report ON inbox_items
    (asked_quarter, created_at, account_id, owed_rank, reason, answered_at, answered_in_earshot,
     done_at, author_id)
    WHERE owed_rank < 3;
DROP INDEX own_posts_written;
CREATE INDEX own_posts_written ON own_posts (written_quarter, is_reply, account_id, created_at)
    WHERE created_at IS NOT NULL;
