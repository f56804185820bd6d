//! Signing in and out, and each account's sync state in words.
//!
//! A sign-in finds the account's PDS (handle → DID → DID document), signs in there, keeps the
//! tokens in the keyring and the account in SQLite, and starts the account's sync task. A
//! sign-out stops the task and removes both.

use std::sync::Arc;

use earshot_core::{Account, AccountId, Network, PlanStatus, PlannedPost, Sensitive};
use earshot_net::bluesky::{Credential, XrpcClient, XrpcError};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::bluesky::session::tokens_json;
use crate::earshot::Connection;
use crate::earshot::blocking;
use crate::{Earshot, EngineEvent, Error, Result};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Signed in; the first round has not finished yet.
    Waiting,
    Syncing,
    /// The last round succeeded.
    Synced,
    /// The last round failed; Earshot retries on its own.
    Failing,
    /// The server refused the saved sign-in: nothing syncs until the person signs in again.
    NeedsSignIn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    pub state: SyncState,
    pub last_synced_at: Option<String>,
    /// The last failure in words, while the account is failing or needs a sign-in.
    pub error: Option<String>,
    /// Notifications that could not be read, in words ("2 notifications could not be read
    /// — details in the log"); none when every one could.
    pub unreadable: Option<String>,
}

/// An account and how its syncing goes, for the Accounts screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub account: Account,
    pub sync: SyncView,
    /// Reading its history back further: under way, or how the last one ended.
    pub history: Option<earshot_core::HistoryProgress>,
    /// Why its direct messages cannot be read (Bluesky: an app password without DM access),
    /// in words; `None` when they can.
    pub messages_refused: Option<String>,
}

/// Who a sign-in turned out to be, before it is kept.
#[derive(Debug)]
pub(crate) struct SignedInAccount {
    pub network: Network,
    /// The server Earshot talks to for the account.
    pub service: String,
    pub remote_id: String,
    pub handle: String,
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

        crate::web::check_server_origin(&service)?;
        let entry = XrpcClient::new(&service)?;
        let pds = match self.pds_before_sign_in(&entry, &identifier).await? {
            Some(pds) => pds,
            None => service.clone(),
        };
        // The password goes to the PDS an identity document named: https, or this machine.
        crate::web::check_server_origin(&pds)?;
        let session = XrpcClient::new(&pds)?
            .create_session(&identifier, &Sensitive::new(app_password))
            .await?;
        // An email sign-in could not be routed before; it may live on another PDS.
        let pds = if pds == service {
            self.pds_of(&entry, &session.did)
                .await
                .unwrap_or(service.clone())
        } else {
            pds
        };

        let signed_in = SignedInAccount {
            network: Network::Bluesky,
            service: pds,
            remote_id: session.did.clone(),
            handle: session.handle.clone(),
        };
        let account = self.remember(signed_in, tokens_json(&session)).await?;
        let warning =
            (session.credential == Credential::MainPassword).then(|| MAIN_PASSWORD_WARNING.into());
        Ok(SignedIn { account, warning })
    }

    /// Keeps a new sign-in: the secret in the keyring first (a keyring failure adds nothing),
    /// then the account (a new sign-in clears a "sign in again" state), then its sync.
    pub(crate) async fn remember(
        &self,
        signed_in: SignedInAccount,
        secret: Sensitive<String>,
    ) -> Result<Account> {
        let key = signed_in.network.secret_key(&signed_in.remote_id);
        let secrets = Arc::clone(&self.services.secrets);
        blocking(move || secrets.save(&key, &secret).map_err(Error::from)).await?;
        let now = self.services.clock.now();
        let account = self
            .with_store(move |store| {
                let account = store.upsert_account(
                    signed_in.network,
                    &signed_in.service,
                    &signed_in.remote_id,
                    &signed_in.handle,
                    now,
                )?;
                store.clear_sync_error(&account.id)?;
                Ok(account)
            })
            .await?;
        self.start(account.clone())?;
        self.emit(EngineEvent::AccountChanged {
            account: account.id.clone(),
        });
        Ok(account)
    }

    /// The PDS of a handle or DID, found before signing in so that accounts on their own PDS
    /// need no "Advanced" setting. `None` for an email, or when the identity cannot be
    /// resolved (the sign-in then goes to the entry server, which may know better).
    async fn pds_before_sign_in(
        &self,
        entry: &XrpcClient,
        identifier: &str,
    ) -> Result<Option<String>> {
        if identifier.contains('@') {
            return Ok(None);
        }
        let did = if identifier.starts_with("did:") {
            identifier.to_owned()
        } else {
            match entry.resolve_handle(identifier).await {
                Ok(did) => did,
                Err(e @ XrpcError::Unreachable { .. }) => return Err(e.into()),
                Err(e) => {
                    tracing::info!(error = %e, "handle not resolved before sign-in");
                    return Ok(None);
                }
            }
        };
        Ok(self.pds_of(entry, &did).await)
    }

    async fn pds_of(&self, client: &XrpcClient, did: &str) -> Option<String> {
        client
            .resolve_pds(did, &self.services.sync.plc_directory)
            .await
            .inspect_err(|e| tracing::info!(%did, error = %e, "no PDS found for the DID"))
            .ok()
    }

    pub async fn list_accounts(&self) -> Result<Vec<AccountView>> {
        let records = self
            .with_store(|store| {
                store
                    .list_accounts()?
                    .into_iter()
                    .map(|account| {
                        let record = store.sync_record(&account.id)?;
                        let history = store.history(&account.id)?.map(|read| read.progress);
                        let refused = store.chat_state(&account.id)?.refused;
                        Ok((account, record, history, refused))
                    })
                    .collect::<earshot_store::Result<Vec<_>>>()
            })
            .await?;
        let running = self.running();
        Ok(records
            .into_iter()
            .map(|(account, record, history, messages_refused)| {
                let syncing = running
                    .get(&account.id)
                    .is_some_and(|running| running.sync.is_syncing());
                let state = if record.needs_sign_in {
                    SyncState::NeedsSignIn
                } else if syncing {
                    SyncState::Syncing
                } else if record.last_error.is_some() {
                    SyncState::Failing
                } else if record.last_success_at.is_some() {
                    SyncState::Synced
                } else {
                    SyncState::Waiting
                };
                AccountView {
                    account,
                    sync: SyncView {
                        state,
                        last_synced_at: record.last_success_at.map(|at| at.to_string()),
                        error: record.last_error,
                        unreadable: unreadable_words(record.unreadable),
                    },
                    history,
                    messages_refused,
                }
            })
            .collect())
    }

    /// What signing out would do to the account's plans, so the UI can ask first.
    pub async fn plans_on_sign_out(&self, id: AccountId) -> Result<PlansOnAccount> {
        let waiting = self.unpublished_plans(&id).await?;
        Ok(PlansOnAccount {
            planned: u32::try_from(waiting.len()).unwrap_or(u32::MAX),
            held_by_servers: u32::try_from(
                waiting
                    .iter()
                    .filter(|post| post.server_schedule_id.is_some())
                    .count(),
            )
            .unwrap_or(u32::MAX),
        })
    }

    /// Signs out. Plans the account has not published yet are first taken back from the
    /// servers that hold them (those that could not be are named), then kept as drafts or
    /// deleted, as the person chose. Then the sync stops, a Mastodon token is revoked on its
    /// server (best effort: an unreachable server must not keep anyone signed in here), and
    /// the tokens leave the keyring, so a failure there keeps the account listed (and the
    /// person told) rather than leaving tokens nobody can see.
    pub async fn remove_account(&self, id: AccountId, plans: KeepPlans) -> Result<SignedOut> {
        let account = {
            let id = id.clone();
            self.with_store(move |store| store.account(&id)).await?
        };
        let waiting = self.unpublished_plans(&id).await?;
        let mut not_cancelled = Vec::new();
        for post in waiting.iter().filter(|p| p.server_schedule_id.is_some()) {
            if let Err(e) = self.cancel_on_servers(std::slice::from_ref(post)).await {
                tracing::warn!(post = %post.id, error = %e, "could not cancel a scheduled post");
                not_cancelled.push(format!(
                    "“{}” ({}) could not be cancelled on the server and may still go out: {e}",
                    earshot_core::richtext::one_line(first_text(post), 60),
                    post.publish_at
                ));
            }
        }
        let mut kept_as_drafts = 0;
        if plans == KeepPlans::AsDrafts {
            for post in &waiting {
                let text = post
                    .parts
                    .iter()
                    .map(|part| part.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                let body = earshot_core::DraftBody::parse(text)?;
                let now = self.services.clock.now();
                self.with_store(move |store| store.create_draft(&body, now))
                    .await?;
                kept_as_drafts += 1;
            }
        }
        let connection = self
            .running()
            .get(&id)
            .map(|running| running.connection.clone());
        if let Some(Connection::Mastodon(session)) = connection {
            let revoked = async {
                let (app, token) = (session.app().await?, session.token().await?);
                session
                    .client()
                    .revoke(&app, &token)
                    .await
                    .map_err(Error::from)
            };
            if let Err(e) = revoked.await {
                tracing::warn!(error = %e, "could not revoke the Mastodon token on sign-out");
            }
        }
        self.stop(&id);
        let secrets = Arc::clone(&self.services.secrets);
        let key = account.secret_key();
        blocking(move || secrets.delete(&key).map_err(Error::from)).await?;
        self.with_store(move |store| store.delete_account(&id))
            .await?;
        self.emit(EngineEvent::PlanChanged);
        Ok(SignedOut {
            kept_as_drafts,
            not_cancelled,
        })
    }

    /// The account's plans that have not gone out.
    async fn unpublished_plans(&self, id: &AccountId) -> Result<Vec<PlannedPost>> {
        let id = id.clone();
        let posts = self.with_store(|store| store.planned_posts()).await?;
        Ok(posts
            .into_iter()
            .filter(|post| post.account_id == id && post.status != PlanStatus::Published)
            .collect())
    }
}

fn first_text(post: &PlannedPost) -> &str {
    post.parts.first().map_or("", |part| part.text.as_str())
}

/// What becomes of an account's unpublished plans when it signs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum KeepPlans {
    /// Each becomes a draft (its posts' text, in order) in Drafts.
    AsDrafts,
    /// They go with the account.
    Delete,
}

/// What signing out would touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlansOnAccount {
    /// Plans not published yet.
    pub planned: u32,
    /// Of those, held by their servers (scheduled there), to be cancelled first.
    pub held_by_servers: u32,
}

/// What signing out did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignedOut {
    pub kept_as_drafts: u32,
    /// Scheduled posts the servers would not take back, in words.
    pub not_cancelled: Vec<String>,
}

/// "1 notification could not be read — details in the log".
fn unreadable_words(count: u32) -> Option<String> {
    match count {
        0 => None,
        1 => Some("1 notification could not be read — details in the log.".into()),
        n => Some(format!(
            "{n} notifications could not be read — details in the log."
        )),
    }
}
