//! A Bluesky account's session: the tokens in the keyring, refreshed before they expire and
//! when the server says they have.
//!
//! Only a refresh that the server *refuses* ends a session (the app password was revoked, or
//! the refresh token expired); network blips never do. One mutex serialises refreshes, so
//! the sync task and a reply sent at the same moment cannot both spend the same refresh token.

use std::sync::Arc;

use earshot_core::{Account, Clock, Network, Sensitive};
use earshot_net::bluesky::{Session, XrpcClient, XrpcError, token_expiry};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::earshot::blocking;
use crate::{Error, Result, SecretStore};

/// Refresh this long before the access token says it expires.
const REFRESH_AHEAD_SECONDS: i64 = 5 * 60;

/// The keyring entry's content.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredTokens {
    access_jwt: String,
    refresh_jwt: String,
}

pub(crate) fn tokens_json(session: &Session) -> Sensitive<String> {
    let tokens = StoredTokens {
        access_jwt: session.access_jwt.expose().clone(),
        refresh_jwt: session.refresh_jwt.expose().clone(),
    };
    Sensitive::new(serde_json::to_string(&tokens).unwrap_or_default())
}

#[derive(Clone)]
struct Tokens {
    access: Sensitive<String>,
    refresh: Sensitive<String>,
    expires_at: Option<i64>,
}

#[derive(Debug)]
pub(crate) struct BlueskySession {
    client: XrpcClient,
    did: String,
    handle: String,
    secret_key: String,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    tokens: Mutex<Option<Tokens>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(<redacted>)")
    }
}

impl BlueskySession {
    pub(crate) fn new(
        account: &Account,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        Ok(Self {
            client: XrpcClient::new(&account.service)?,
            did: account.remote_id.clone(),
            handle: account.handle.clone(),
            secret_key: account.secret_key(),
            secrets,
            clock,
            tokens: Mutex::new(None),
        })
    }

    pub(crate) fn did(&self) -> &str {
        &self.did
    }

    pub(crate) fn client(&self) -> &XrpcClient {
        &self.client
    }

    /// Runs `op` with a valid access token; when the server answers `ExpiredToken`, refreshes
    /// once and runs it again. `op` gets its own client and token (both cheap to clone) so
    /// that its future can move to another thread.
    pub(crate) async fn call<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: Fn(XrpcClient, Sensitive<String>) -> Fut,
        Fut: Future<Output = Result<T, XrpcError>>,
    {
        let access = self.access().await?;
        match op(self.client.clone(), access.clone()).await {
            Err(XrpcError::ExpiredToken) => {
                tracing::info!(did = %self.did, "access token expired; refreshing");
                let fresh = self.refresh_if_still(&access).await?;
                Ok(op(self.client.clone(), fresh).await?)
            }
            other => Ok(other?),
        }
    }

    fn sign_in_again(&self) -> Error {
        Error::SignInAgain {
            network: Network::Bluesky,
            handle: self.handle.clone(),
        }
    }

    async fn access(&self) -> Result<Sensitive<String>> {
        let mut tokens = self.tokens.lock().await;
        let current = match tokens.clone() {
            Some(current) => current,
            None => self.load().await?,
        };
        let now = self.clock.now().as_second();
        let expiring = current
            .expires_at
            .is_some_and(|exp| exp - REFRESH_AHEAD_SECONDS <= now);
        *tokens = Some(current.clone());
        if expiring {
            return self.refresh(&mut tokens, &current.refresh).await;
        }
        Ok(current.access)
    }

    /// Refreshes unless another caller already replaced `stale`.
    async fn refresh_if_still(&self, stale: &Sensitive<String>) -> Result<Sensitive<String>> {
        let mut tokens = self.tokens.lock().await;
        let current = match tokens.clone() {
            Some(current) => current,
            None => self.load().await?,
        };
        if current.access != *stale {
            return Ok(current.access);
        }
        self.refresh(&mut tokens, &current.refresh).await
    }

    async fn load(&self) -> Result<Tokens> {
        let secrets = Arc::clone(&self.secrets);
        let key = self.secret_key.clone();
        let stored = blocking(move || secrets.read(&key).map_err(Error::from)).await?;
        let stored = stored.ok_or_else(|| self.sign_in_again())?;
        let tokens: StoredTokens = serde_json::from_str(stored.expose()).map_err(|e| {
            tracing::warn!(error = %e, "the keyring entry is not Earshot's token format");
            self.sign_in_again()
        })?;
        Ok(Tokens {
            expires_at: token_expiry(&tokens.access_jwt),
            access: Sensitive::new(tokens.access_jwt),
            refresh: Sensitive::new(tokens.refresh_jwt),
        })
    }

    async fn refresh(
        &self,
        tokens: &mut Option<Tokens>,
        refresh: &Sensitive<String>,
    ) -> Result<Sensitive<String>> {
        let session = match self.client.refresh_session(refresh).await {
            Ok(session) => session,
            Err(XrpcError::ExpiredToken | XrpcError::InvalidCredentials { .. }) => {
                return Err(self.sign_in_again());
            }
            Err(other) => return Err(other.into()),
        };
        let secrets = Arc::clone(&self.secrets);
        let key = self.secret_key.clone();
        let json = tokens_json(&session);
        // The old refresh token is spent: keep the new pair even if the keyring write fails,
        // so this run stays signed in; the failure is reported.
        *tokens = Some(Tokens {
            expires_at: session.access_expires_at,
            access: session.access_jwt.clone(),
            refresh: session.refresh_jwt,
        });
        blocking(move || secrets.save(&key, &json).map_err(Error::from)).await?;
        Ok(session.access_jwt)
    }
}
