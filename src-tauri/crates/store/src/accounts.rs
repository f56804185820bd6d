//! Accounts: who Earshot is signed in as. Tokens are not here (see the keyring).

use earshot_core::{Account, AccountId, Network, Timestamp};
use rusqlite::{OptionalExtension, Row, params};

use crate::time::{from_micros, to_micros};
use crate::{Result, Store, StoreError};

const ACCOUNT_COLUMNS: &str = "id, network, service, remote_id, handle, created_at";

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let network: String = row.get("network")?;
    Ok(Account {
        id: AccountId(row.get("id")?),
        network: Network::parse(&network).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                format!("unknown network {network:?}").into(),
            )
        })?,
        service: row.get("service")?,
        remote_id: row.get("remote_id")?,
        handle: row.get("handle")?,
        created_at: from_micros(row.get("created_at")?)?,
    })
}

impl Store {
    /// Records a signed-in account. Signing in again as the same account (same network and
    /// remote id) keeps its id and updates its handle and server.
    pub fn upsert_account(
        &self,
        network: Network,
        service: &str,
        remote_id: &str,
        handle: &str,
        now: Timestamp,
    ) -> Result<Account> {
        let id = uuid::Uuid::now_v7().to_string();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO accounts (id, network, service, remote_id, handle, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (network, remote_id) DO UPDATE SET service = ?3, handle = ?5",
            params![
                id,
                network.as_str(),
                service,
                remote_id,
                handle,
                to_micros(now)
            ],
        )?;
        Ok(conn.query_row(
            &format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE network = ?1 AND remote_id = ?2"
            ),
            params![network.as_str(), remote_id],
            account_from_row,
        )?)
    }

    /// Accounts in the order they were added.
    pub fn list_accounts(&self) -> Result<Vec<Account>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at, id"
        ))?;
        let accounts = stmt
            .query_map([], account_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(accounts)
    }

    pub fn account(&self, id: &AccountId) -> Result<Account> {
        self.conn()
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                params![id.0],
                account_from_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound("account"))
    }

    pub fn delete_account(&self, id: &AccountId) -> Result<()> {
        let changed = self
            .conn()
            .execute("DELETE FROM accounts WHERE id = ?1", params![id.0])?;
        if changed == 0 {
            return Err(StoreError::NotFound("account"));
        }
        Ok(())
    }
}
