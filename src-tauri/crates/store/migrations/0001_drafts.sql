-- Drafts: text being written, kept exactly as typed.
-- Times are microseconds since the Unix epoch (UTC): exact, and they sort as integers.
-- A deleted draft keeps its row with deleted_at set, so that "Undo" can bring it back even
-- after a crash; old deleted rows are purged when the store opens.
CREATE TABLE drafts (
    id          TEXT PRIMARY KEY NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;

CREATE INDEX drafts_live_by_created ON drafts (created_at DESC) WHERE deleted_at IS NULL;
