//! A Mastodon account's session: its server's client and the token from the keyring.
//! Mastodon tokens do not expire; a refused one means the person must sign in again.

use std::sync::Arc;

use earshot_core::{Account, Network, Sensitive};
use earshot_net::mastodon::{InstanceFacts, MastodonClient, MastodonError, RegisteredApp};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::earshot::blocking;
use crate::{Error, Result, SecretStore};

/// The keyring entry's content: the token and the app it was issued to (needed to revoke it).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredSecret {
    pub access_token: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub scopes: String,
}

#[derive(Debug)]
pub(crate) struct MastodonSession {
    client: MastodonClient,
    /// The account's id on its server.
    pub account_id: String,
    /// The server's domain, to write local handles in full (`bob` → `bob@example.org`).
    pub domain: String,
    handle: String,
    secret_key: String,
    secrets: Arc<dyn SecretStore>,
    secret: OnceCell<(Sensitive<String>, RegisteredApp)>,
    /// What the server said about itself, read once per session.
    facts: OnceCell<InstanceFacts>,
}

/// Mentions (replies and direct messages are mentions too) and, on servers that have them,
/// quotes of the account's posts. `quoted_update` (a quoted post was edited) is never owed.
const WITH_QUOTES: &[&str] = &["mention", "quote"];
const MENTIONS: &[&str] = &["mention"];

impl MastodonSession {
    pub(crate) fn new(account: &Account, secrets: Arc<dyn SecretStore>) -> Result<Self> {
        let account_id = account
            .remote_id
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let domain = account
            .handle
            .split_once('@')
            .map(|(_, domain)| domain.to_owned())
            .unwrap_or_default();
        Ok(Self {
            client: MastodonClient::new(&account.service)?,
            account_id,
            domain,
            handle: account.handle.clone(),
            secret_key: account.secret_key(),
            secrets,
            secret: OnceCell::new(),
            facts: OnceCell::new(),
        })
    }

    /// The server's software, limits and API version, asked once per session (a session
    /// lasts as long as the account's tasks): the sync and the Heard rounds read them every
    /// few minutes, and they change only when the server is upgraded. A server that cannot
    /// be asked now is asked again next time.
    pub(crate) async fn facts(&self) -> std::result::Result<&InstanceFacts, MastodonError> {
        self.facts.get_or_try_init(|| self.client.instance()).await
    }

    /// The notification types the sync asks for: `quote` only where the server knows it
    /// (Mastodon 4.5, API version 7), so servers that do not are not asked for an unknown
    /// type on every poll.
    pub(crate) async fn notification_types(&self) -> &'static [&'static str] {
        match self.facts().await {
            Ok(facts) if facts.knows_quotes() => WITH_QUOTES,
            _ => MENTIONS,
        }
    }

    pub(crate) fn client(&self) -> &MastodonClient {
        &self.client
    }

    fn sign_in_again(&self) -> Error {
        Error::SignInAgain {
            network: Network::Mastodon,
            handle: self.handle.clone(),
        }
    }

    async fn secret(&self) -> Result<&(Sensitive<String>, RegisteredApp)> {
        self.secret
            .get_or_try_init(|| async {
                let secrets = Arc::clone(&self.secrets);
                let key = self.secret_key.clone();
                let stored = blocking(move || secrets.read(&key).map_err(Error::from))
                    .await?
                    .ok_or_else(|| self.sign_in_again())?;
                let stored: StoredSecret =
                    serde_json::from_str(stored.expose()).map_err(|_| self.sign_in_again())?;
                Ok((
                    Sensitive::new(stored.access_token),
                    RegisteredApp {
                        client_id: stored.client_id,
                        client_secret: Sensitive::new(stored.client_secret),
                        redirect_uri: stored.redirect_uri,
                        scopes: stored.scopes,
                    },
                ))
            })
            .await
    }

    pub(crate) async fn token(&self) -> Result<Sensitive<String>> {
        Ok(self.secret().await?.0.clone())
    }

    pub(crate) async fn app(&self) -> Result<RegisteredApp> {
        Ok(self.secret().await?.1.clone())
    }

    /// Maps a refused token to "sign in again"; other failures pass through.
    pub(crate) fn error(&self, error: MastodonError) -> Error {
        match error {
            MastodonError::InvalidToken { .. } => self.sign_in_again(),
            other => Error::Mastodon(other),
        }
    }

    /// The account's page on its server, where the person can see what it published
    /// (`https://example.org/@alice`: the address Mastodon, GoToSocial and Akkoma serve).
    pub(crate) fn profile_url(&self) -> String {
        let name = self.handle.split('@').next().unwrap_or_default();
        format!("{}/@{name}", self.client.origin())
    }

    /// `bob` → `bob@example.org`; remote `bob@other.org` stays.
    pub(crate) fn full_handle(&self, acct: &str) -> String {
        if acct.contains('@') || self.domain.is_empty() {
            acct.to_owned()
        } else {
            format!("{acct}@{}", self.domain)
        }
    }
}
