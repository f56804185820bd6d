//! End-to-end: the real built Earshot, driven through its UI, its tray menu and its process.
//! Run by `make test` inside the headless desktop session.

mod access;
mod accounts;
mod drafts;
mod inbox;
mod mastodon;
mod shell;
