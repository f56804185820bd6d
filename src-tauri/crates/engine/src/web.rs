//! Addresses Earshot hands to the person's browser. Everything that reaches the OS opener
//! comes from servers Earshot does not control (a status's `url`, a post's id), so only web
//! pages get through: `https:`, and `http:` on this machine's loopback (the test servers). A
//! `file:`, `javascript:` or custom-scheme address, or anything unreadable, is refused in
//! words and logged.

use std::net::IpAddr;

use earshot_core::{AccountId, InboxItemId};

use crate::bluesky::sync::web_page;
use crate::earshot::Connection;
use crate::{Earshot, Error, Result};

/// An address that is safe to open in the browser; made only by [`WebAddress::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAddress(String);

impl WebAddress {
    pub fn parse(address: &str) -> Result<Self> {
        let refused = || {
            tracing::warn!(%address, "refused to open an address that is not a web page");
            Error::NotAWebPage {
                address: address.chars().take(200).collect(),
            }
        };
        let url = reqwest::Url::parse(address.trim()).map_err(|_| refused())?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(refused)?;
        let on_this_machine = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match url.scheme() {
            "https" => Ok(Self(url.into())),
            "http" if on_this_machine => Ok(Self(url.into())),
            _ => Err(refused()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Earshot {
    /// Where a person reads the item on the web — the status's page on its Mastodon
    /// server, the post on bsky.app — checked as a web page before anything opens it.
    pub async fn web_url(&self, id: InboxItemId) -> Result<WebAddress> {
        let now = self.services.clock.now();
        let item = self
            .with_store(move |store| store.inbox_item(id, now))
            .await?;
        let address = match (&item.post.web_url, self.connection(&item.account_id)?) {
            (Some(address), _) => address.clone(),
            (None, Connection::Bluesky(_)) => web_page(&item.post.uri).ok_or_else(|| {
                Error::Invalid(format!("{} is not a post address", item.post.uri))
            })?,
            // Stored before Earshot kept addresses: the server knows the status's page.
            (None, Connection::Mastodon(session)) => {
                let token = session.token().await?;
                let status = session
                    .client()
                    .status(&token, &item.post.uri)
                    .await
                    .map_err(|e| session.error(e))?;
                status.url.unwrap_or(status.uri)
            }
        };
        WebAddress::parse(&address)
    }

    /// The account's own page on the web: its profile on its Mastodon server, or bsky.app.
    pub async fn profile_url(&self, account: AccountId) -> Result<WebAddress> {
        let address = match self.connection(&account)? {
            Connection::Mastodon(session) => session.profile_url(),
            Connection::Bluesky(session) => {
                format!("https://bsky.app/profile/{}", session.did())
            }
        };
        WebAddress::parse(&address)
    }
}

/// Whether `origin` may carry a sign-in: https, or http on this machine (a token sent over
/// plain http elsewhere could be read on the way).
pub(crate) fn check_server_origin(origin: &str) -> Result<()> {
    if origin.starts_with("http://") && WebAddress::parse(origin).is_err() {
        return Err(Error::Invalid(format!(
            "Earshot signs in only over https: {origin} would send your sign-in unencrypted. \
             Use the server's https:// address."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_pages_are_opened() {
        for good in [
            "https://mastodon.social/@bob/110000000000000001",
            "https://bsky.app/profile/did:plc:abc/post/3kxyz",
            "http://127.0.0.1:41234/@bob/1",
            "http://[::1]:8080/x",
            "http://localhost:3000/",
        ] {
            assert!(WebAddress::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "110000000000000001",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ssh://example.org",
            "mailto:bob@example.org",
            "http://evil.example/phish",
            "http://10.0.0.1/",
            "https://",
            "",
            "   ",
            "x-earshot:open",
        ] {
            assert!(
                matches!(WebAddress::parse(bad), Err(Error::NotAWebPage { .. })),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn sign_ins_go_over_https_or_stay_on_this_machine() {
        assert!(check_server_origin("https://example.org").is_ok());
        assert!(check_server_origin("http://127.0.0.1:3000").is_ok());
        let refused = check_server_origin("http://example.org").expect_err("plain http");
        assert!(refused.to_string().contains("https"), "{refused}");
    }
}
