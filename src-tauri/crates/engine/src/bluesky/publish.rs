//! Writing posts on Bluesky: rich-text facets, and records written under a key chosen
//! beforehand so that a retry after a lost answer finds the post instead of writing it twice.

use std::sync::LazyLock;

use earshot_core::Timestamp;
use earshot_core::richtext::{FacetKind, detect_facets};
use earshot_core::tid::TidClock;
use earshot_net::bluesky::{StrongRef, XrpcError};
use serde_json::{Value, json};

use crate::bluesky::session::BlueskySession;
use crate::{Error, Result};

/// One clock id per run of the app, chosen at random as the reference implementation does.
static RECORD_KEYS: LazyLock<TidClock> = LazyLock::new(|| TidClock::new(fastrand::u16(..1024)));

/// A key for a record about to be written, never one handed out before in this run.
pub(crate) fn new_record_key(now: Timestamp) -> String {
    RECORD_KEYS.next(now)
}

/// Writes a record under `rkey`; after a timeout or dropped connection, looks for it
/// before reporting failure.
pub(crate) async fn create_once(
    session: &BlueskySession,
    collection: &str,
    rkey: &str,
    record: Value,
) -> Result<StrongRef> {
    let did = session.did().to_owned();
    let written = session
        .call(|client, token| {
            let (did, record) = (did.clone(), record.clone());
            async move {
                client
                    .create_record(&token, &did, collection, Some(rkey), record)
                    .await
            }
        })
        .await;
    match written {
        Ok(reference) => Ok(reference),
        Err(Error::Network(XrpcError::Unreachable { .. })) => {
            match session.client().record_at(&did, collection, rkey).await {
                Ok(Some(reference)) => Ok(reference),
                _ => Err(written.err().unwrap_or(Error::TaskFailed("lost".into()))),
            }
        }
        Err(e) => Err(e),
    }
}

/// Mentions (handles resolved to DIDs; unknown handles stay plain text), links and tags.
pub(crate) async fn facets(session: &BlueskySession, text: &str) -> Vec<Value> {
    let mut facets = Vec::new();
    for facet in detect_facets(text) {
        let feature = match facet.kind {
            FacetKind::Mention(handle) => {
                let did = session.client().resolve_handle(&handle).await;
                match did {
                    Ok(did) => {
                        json!({ "$type": "app.bsky.richtext.facet#mention", "did": did })
                    }
                    Err(e) => {
                        tracing::info!(%handle, error = %e, "mention left as plain text");
                        continue;
                    }
                }
            }
            FacetKind::Link(uri) => {
                json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri })
            }
            FacetKind::Tag(tag) => {
                json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag })
            }
        };
        facets.push(json!({
            "index": { "byteStart": facet.byte_start, "byteEnd": facet.byte_end },
            "features": [feature],
        }));
    }
    facets
}
