-- The text of the account's own posts, from Earshot or any other client, so that Owed can
-- say which post a reply or a quote is about ("replied to your post about the keynote").
-- Filled by the same sync step that records own replies; older posts simply have no row.
CREATE TABLE own_posts (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (account_id, uri)
) STRICT, WITHOUT ROWID;
