//! Bluesky accounts: sessions that refresh themselves and the sync round.

pub(crate) mod chat;
pub(crate) mod publish;
pub(crate) mod session;
pub(crate) mod sync;
