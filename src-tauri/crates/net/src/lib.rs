//! Earshot's network clients: the AT Protocol (Bluesky) and the Mastodon client API. Each
//! speaks one protocol, owns nothing but its HTTP client, and turns every failure into a
//! typed error a person can be told about.

pub mod bluesky;
pub mod mastodon;

/// Sent with every request: servers may refuse anonymous clients, and operators deserve to
/// know who is calling.
pub const USER_AGENT: &str = concat!("Earshot/", env!("CARGO_PKG_VERSION"), " (desktop)");
