//! The engine against a real SQLite file, and against the real desktop services of the
//! headless session that `make test` starts (tests/desktop/with-desktop.sh).

mod accounts;
mod alerts;
mod desktop;
mod digest;
mod drafts;
mod heard;
mod history;
mod mastodon;
mod once;
mod plan;
mod recovery;
mod support;
mod sync;
