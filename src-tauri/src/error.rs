//! The one error type that crosses IPC: `{ code, message }`.
//!
//! `code` is stable and the UI branches on it; `message` is already written for a person.
//! Add a code only when the UI does something different for it.

use earshot_engine::Error as EngineError;
use earshot_net::bluesky::XrpcError;
use earshot_net::mastodon::MastodonError;
use earshot_store::StoreError;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// What was sent cannot be accepted (e.g. a draft over the size limit).
    InvalidInput,
    /// The thing no longer exists (deleted in another window, purged): refetch.
    NotFound,
    /// The data folder belongs to a newer Earshot; nothing works until it is updated.
    DataFromNewerVersion,
    /// The data folder or database cannot be used.
    Storage,
    /// The OS keyring is missing or locked.
    KeyringUnavailable,
    /// The desktop's notification service did not answer.
    NotificationsUnavailable,
    /// The server refused the sign-in details (wrong or revoked password).
    AuthFailed,
    /// The server no longer accepts the saved sign-in: the account must be signed in again.
    SignInAgain,
    /// The server asks Earshot to slow down; try again later.
    RateLimited,
    /// The server could not be reached, refused to answer now, or answered nonsense.
    Network,
    /// A bug or an unexpected failure.
    Internal,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    /// What the person sent cannot be read (the words say what).
    pub fn invalid(message: impl ToString) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    fn new(code: ErrorCode, message: impl ToString) -> Self {
        Self {
            code,
            message: message.to_string(),
        }
    }
}

impl From<EngineError> for IpcError {
    fn from(error: EngineError) -> Self {
        let code = match &error {
            EngineError::Store(StoreError::WrittenByNewerVersion { .. }) => {
                ErrorCode::DataFromNewerVersion
            }
            EngineError::Store(StoreError::NotFound(_)) => ErrorCode::NotFound,
            EngineError::Store(
                StoreError::DataFolder { .. }
                | StoreError::Sqlite(_)
                | StoreError::Damaged(_)
                | StoreError::DiskFull,
            ) => ErrorCode::Storage,
            EngineError::InvalidDraft(_)
            | EngineError::Invalid(_)
            | EngineError::NotAWebPage { .. }
            | EngineError::Store(StoreError::Refused(_)) => ErrorCode::InvalidInput,
            EngineError::Network(XrpcError::InvalidCredentials { .. })
            | EngineError::SignInRefused { .. } => ErrorCode::AuthFailed,
            EngineError::Network(XrpcError::RateLimited { .. }) => ErrorCode::RateLimited,
            EngineError::SignInAgain { .. }
            | EngineError::Mastodon(MastodonError::InvalidToken { .. }) => ErrorCode::SignInAgain,
            EngineError::Mastodon(MastodonError::RateLimited { .. }) => ErrorCode::RateLimited,
            EngineError::Mastodon(_) => ErrorCode::Network,
            EngineError::Network(_) => ErrorCode::Network,
            EngineError::Secret(_) => ErrorCode::KeyringUnavailable,
            EngineError::Notify(_) => ErrorCode::NotificationsUnavailable,
            EngineError::TaskFailed(_) | EngineError::Crashed { .. } => ErrorCode::Internal,
        };
        Self::new(code, error)
    }
}

impl From<tauri::Error> for IpcError {
    fn from(error: tauri::Error) -> Self {
        Self::new(
            ErrorCode::Storage,
            format!("Earshot cannot find its data folder: {error}"),
        )
    }
}

impl From<tauri_plugin_autostart::Error> for IpcError {
    fn from(error: tauri_plugin_autostart::Error) -> Self {
        Self::new(
            ErrorCode::Storage,
            format!("Earshot could not change whether it starts at login: {error}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_ipc_as_code_and_message() {
        let error = IpcError::from(EngineError::Store(StoreError::NotFound("draft")));
        let json = serde_json::to_value(&error).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({ "code": "not_found", "message": "There is no such draft any more." }),
            "the UI reads exactly these two fields"
        );
    }
}
