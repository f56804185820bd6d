//! Drafts: text a person is writing and has not published yet.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::Timestamp;

/// The largest draft Earshot accepts. Far beyond any network's post limit, it only exists so
/// that a runaway paste cannot make the store or the UI crawl.
pub const MAX_DRAFT_BYTES: usize = 1024 * 1024;

/// A draft's stable id: a UUIDv7 string, so ids sort by creation time and never collide
/// across devices if drafts are ever synced.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct DraftId(pub String);

impl std::fmt::Display for DraftId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A draft as the UI sees it. Times are RFC 3339 UTC strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub id: DraftId,
    pub body: String,
    #[specta(type = String)]
    pub created_at: Timestamp,
    #[specta(type = String)]
    pub updated_at: Timestamp,
}

/// Draft text that has passed validation. Any text is kept exactly as typed (empty,
/// emoji, combining marks, right-to-left scripts); only absurd sizes are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftBody(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("This draft is too long to keep ({bytes} bytes; the limit is {limit}).")]
    TooLong { bytes: usize, limit: usize },
}

impl DraftBody {
    pub fn parse(text: String) -> Result<Self, DraftError> {
        if text.len() > MAX_DRAFT_BYTES {
            return Err(DraftError::TooLong {
                bytes: text.len(),
                limit: MAX_DRAFT_BYTES,
            });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_any_text_exactly() {
        for text in ["", "   ", "émoji 👩‍💻", "مرحبا بالعالم", "a\u{0301}\u{0302}"]
        {
            let body = DraftBody::parse(text.to_string()).expect("ordinary text is accepted");
            assert_eq!(
                body.as_str(),
                text,
                "a draft body must not be normalised or trimmed"
            );
        }
    }

    #[test]
    fn refuses_runaway_sizes() {
        let huge = "x".repeat(MAX_DRAFT_BYTES + 1);
        assert_eq!(
            DraftBody::parse(huge),
            Err(DraftError::TooLong {
                bytes: MAX_DRAFT_BYTES + 1,
                limit: MAX_DRAFT_BYTES
            })
        );
        assert!(
            DraftBody::parse("x".repeat(MAX_DRAFT_BYTES)).is_ok(),
            "the limit itself is fine"
        );
    }
}
