-- Social accounts Earshot signs in to. Tokens are never here: they live in the OS keyring,
-- under a key derived from (network, remote_id).
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY NOT NULL,
    network     TEXT NOT NULL CHECK (network IN ('bluesky')),
    -- The server Earshot talks to for this account (a Bluesky PDS or entryway).
    service     TEXT NOT NULL,
    -- The network's own stable id: a DID on Bluesky.
    remote_id   TEXT NOT NULL,
    handle      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (network, remote_id)
) STRICT;
