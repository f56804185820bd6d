//! Social accounts the person has signed in to.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct AccountId(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    Bluesky,
    /// Mastodon and servers speaking its client API (GoToSocial, Pleroma/Akkoma, …).
    Mastodon,
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Bluesky => "bluesky",
            Network::Mastodon => "mastodon",
        }
    }

    /// The network's name for people.
    pub fn name(self) -> &'static str {
        match self {
            Network::Bluesky => "Bluesky",
            Network::Mastodon => "Mastodon",
        }
    }

    /// The keyring entry holding the tokens of this network's account `remote_id`.
    pub fn secret_key(self, remote_id: &str) -> String {
        format!("{}:{remote_id}", self.as_str())
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "bluesky" => Some(Network::Bluesky),
            "mastodon" => Some(Network::Mastodon),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: AccountId,
    pub network: Network,
    /// The server Earshot talks to for this account.
    pub service: String,
    /// The network's stable id for the account (a DID on Bluesky).
    pub remote_id: String,
    pub handle: String,
    #[specta(type = String)]
    pub created_at: Timestamp,
}

impl Account {
    /// The keyring entry holding this account's tokens.
    pub fn secret_key(&self) -> String {
        self.network.secret_key(&self.remote_id)
    }
}
