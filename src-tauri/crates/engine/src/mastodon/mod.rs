//! Mastodon-compatible accounts: OAuth sign-in, the session, the sync round and turning
//! statuses into Inbox items.

pub(crate) mod content;
pub(crate) mod outbox;
pub(crate) mod session;
pub(crate) mod signin;
pub(crate) mod stream;
pub(crate) mod sync;
