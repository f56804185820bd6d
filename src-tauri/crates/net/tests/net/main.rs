//! The network clients against real servers and small local fakes: the Bluesky reference
//! servers (`make test` starts them with tests/atproto/with-atproto.sh) and the Mastodon test
//! server (tests/mastodon), started by each test.

mod bluesky;
mod mastodon;
