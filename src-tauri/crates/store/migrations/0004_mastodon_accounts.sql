-- Mastodon-compatible accounts join Bluesky ones. SQLite cannot change a CHECK constraint, so
-- the table is rebuilt (its children keep pointing at it by name; the runner has foreign keys
-- off while it migrates and checks them before committing). On Mastodon, remote_id is
-- "<server origin>/<account id>": account ids are only unique per server.
CREATE TABLE accounts_new (
    id          TEXT PRIMARY KEY NOT NULL,
    network     TEXT NOT NULL CHECK (network IN ('bluesky', 'mastodon')),
    service     TEXT NOT NULL,
    remote_id   TEXT NOT NULL,
    handle      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (network, remote_id)
) STRICT;

INSERT INTO accounts_new (id, network, service, remote_id, handle, created_at)
SELECT id, network, service, remote_id, handle, created_at FROM accounts;

DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
