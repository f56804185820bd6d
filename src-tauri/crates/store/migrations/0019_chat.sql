-- Bluesky direct messages (chat.bsky.convo), read beside the notification sync: where the
-- account's chat log has been read to, and, when the PDS refuses chat to the session (an app
-- password made without DM access), the words saying so. Messages themselves are Inbox items
-- (reason `direct`, the conversation as their thread root).
CREATE TABLE chat_state (
    account_id  TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    log_cursor  TEXT,
    refused     TEXT
) STRICT;
