//! The Bluesky client against the reference servers and against small local fakes for the
//! failures a real server will not produce on demand.

mod chat;
mod failures;
mod posts;
mod sessions;
