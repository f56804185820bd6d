-- Where a person reads an Inbox item on the web: the status's `url` on Mastodon-compatible
-- servers (its id alone is no address), the bsky.app page on Bluesky. Rows from before this
-- version have none; Earshot asks the server when such a row is opened on the web.
ALTER TABLE inbox_items ADD COLUMN web_url TEXT;
