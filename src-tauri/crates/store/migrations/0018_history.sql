-- Reading an account's history further back than the first sync (Accounts → Read back
-- further). One row per account: where the read stands, so that it resumes after a restart
-- at the page it reached, and the Accounts screen can show its progress.
CREATE TABLE history_reads (
    account_id    TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Read back this many days; NULL: everything the server gives.
    goal_days     INTEGER,
    -- Read back to this instant; NULL: everything the server gives.
    goal          INTEGER,
    state         TEXT NOT NULL
        CHECK (state IN ('answers', 'inbox', 'done', 'cancelled', 'failed')),
    -- Where the current part's next page starts; NULL: at the newest.
    cursor        TEXT,
    -- How far back the current part has read.
    reached       INTEGER,
    items_read    INTEGER NOT NULL DEFAULT 0,
    answers_read  INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER
) STRICT;
