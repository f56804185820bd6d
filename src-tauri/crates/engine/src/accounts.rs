//! Signing in and out. A sign-in keeps the tokens in the keyring and the account in SQLite;
//! a sign-out removes both.

use std::sync::Arc;

use earshot_core::{Account, AccountId, Network, Sensitive};
use earshot_net::bluesky::{Credential, XrpcClient};
use serde::Serialize;
use specta::Type;

use crate::earshot::blocking;
use crate::{Earshot, Error, Result};

/// Where Bluesky sign-ins go unless the person names their own server under "Advanced".
pub const DEFAULT_BLUESKY_SERVICE: &str = "https://bsky.social";

/// The outcome of a sign-in, for the UI. Never carries tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub account: Account,
    /// Something the person should know, e.g. that they used their main password.
    pub warning: Option<String>,
}

const MAIN_PASSWORD_WARNING: &str = "You signed in with your main Bluesky password. Earshot \
    works, but an app password is safer: create one in Bluesky under Settings → Privacy and \
    security → App passwords, then sign in again with it.";

impl Earshot {
    pub async fn add_bluesky_account(
        &self,
        identifier: String,
        app_password: String,
        service: Option<String>,
    ) -> Result<SignedIn> {
        let identifier = identifier.trim().trim_start_matches('@').to_owned();
        if identifier.is_empty() || app_password.is_empty() {
            return Err(Error::Invalid(
                "Enter your handle (or email) and an app password.".into(),
            ));
        }
        let service = service
            .map(|s| s.trim().trim_end_matches('/').to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_BLUESKY_SERVICE.to_owned());

        let session = XrpcClient::new(&service)?
            .create_session(&identifier, &Sensitive::new(app_password))
            .await?;
        let tokens = Sensitive::new(
            serde_json::json!({
                "accessJwt": session.access_jwt.expose(),
                "refreshJwt": session.refresh_jwt.expose(),
            })
            .to_string(),
        );
        let key = Network::Bluesky.secret_key(&session.did);
        let secrets = Arc::clone(&self.services.secrets);
        blocking(move || secrets.save(&key, &tokens).map_err(Error::from)).await?;

        let now = self.services.clock.now();
        let (did, handle) = (session.did.clone(), session.handle.clone());
        let account = self
            .with_store(move |store| {
                store.upsert_account(Network::Bluesky, &service, &did, &handle, now)
            })
            .await?;
        let warning =
            (session.credential == Credential::MainPassword).then(|| MAIN_PASSWORD_WARNING.into());
        Ok(SignedIn { account, warning })
    }

    pub async fn list_accounts(&self) -> Result<Vec<Account>> {
        self.with_store(|store| store.list_accounts()).await
    }

    /// Signs out: the tokens leave the keyring first, so a failure there keeps the account
    /// listed (and the person told) rather than leaving tokens nobody can see.
    pub async fn remove_account(&self, id: AccountId) -> Result<()> {
        let account = {
            let id = id.clone();
            self.with_store(move |store| store.account(&id)).await?
        };
        let secrets = Arc::clone(&self.services.secrets);
        let key = account.secret_key();
        blocking(move || secrets.delete(&key).map_err(Error::from)).await?;
        self.with_store(move |store| store.delete_account(&id))
            .await
    }
}
