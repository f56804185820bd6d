-- Notifications the last sync round had to skip because they could not be read (a server's
-- broken or unknown shape), per account, so the person is told instead of nothing at all.
ALTER TABLE sync_state ADD COLUMN unreadable INTEGER NOT NULL DEFAULT 0;
