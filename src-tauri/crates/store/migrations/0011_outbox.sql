-- Every send to a server that must happen exactly once (an answer, a planned post's part, a
-- request to schedule on the server), recorded before the request goes out. A row without
-- `sent_uri` is a send whose outcome Earshot never heard (a timeout, a reset, a crash): the
-- next attempt first looks on the server for its own copy, back to `first_tried_at`, because
-- servers may ignore Idempotency-Key (GoToSocial and snac do; Mastodon forgets it in an hour).
CREATE TABLE outbox (
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- What the send is for, e.g. `reply:<status id>:<text digest>` or `plan:<post id>:<part>`.
    purpose         TEXT NOT NULL,
    first_tried_at  INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    -- What the server made, once Earshot knows.
    sent_uri        TEXT,
    PRIMARY KEY (account_id, purpose)
) STRICT, WITHOUT ROWID;
