//! Helpers shared by Earshot's test suites. They set up the world *around* the code under
//! test — accounts, posts, replies on the reference servers — with raw HTTP, so that a bug in
//! Earshot's own client cannot make its tests pass.

pub mod atproto;
pub mod desktop;
pub mod proxy;
