-- Owed replies: whether each Inbox item asks a question (the detector's verdict when it
-- arrived), what the person decided about it, and whether it has been announced.
ALTER TABLE inbox_items ADD COLUMN question_score REAL NOT NULL DEFAULT 0;
-- NULL until classified: rows from before this version are classified when the store opens.
ALTER TABLE inbox_items ADD COLUMN question_kind TEXT;
-- The sentence that asks, for the Owed row ("asks: is the game on tonight?").
ALTER TABLE inbox_items ADD COLUMN asks TEXT;
-- The Owed order: 0 questions, 1 direct messages, 2 the rest.
ALTER TABLE inbox_items ADD COLUMN owed_rank INTEGER NOT NULL DEFAULT 2;
-- "No reply needed", and when.
ALTER TABLE inbox_items ADD COLUMN done_at INTEGER;
-- Out of Owed until then.
ALTER TABLE inbox_items ADD COLUMN snoozed_until INTEGER;
-- 1 when the item arrived after the account's first completed sync: only those may pop up,
-- so that signing in with a backlog never floods the desktop.
ALTER TABLE inbox_items ADD COLUMN may_notify INTEGER NOT NULL DEFAULT 0
    CHECK (may_notify IN (0, 1));
-- When a notification (alone, in a summary or in a digest) told the person about it.
ALTER TABLE inbox_items ADD COLUMN notified_at INTEGER;

-- The Owed view and the tray count: what is neither answered nor done, in Owed order.
CREATE INDEX inbox_items_owed ON inbox_items (owed_rank, created_at, id, snoozed_until)
    WHERE answered_by IS NULL AND done_at IS NULL;

-- Rows the detector has not read yet (from before this version): found without a scan at
-- every start, and empty once they are classified.
CREATE INDEX inbox_items_unclassified ON inbox_items (id) WHERE question_kind IS NULL;

-- New questions not announced yet.
CREATE INDEX inbox_items_unannounced ON inbox_items (indexed_at)
    WHERE may_notify = 1 AND notified_at IS NULL AND answered_by IS NULL AND done_at IS NULL;

-- Small settings that belong with the data (quiet hours, notification options), as JSON.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) STRICT;
