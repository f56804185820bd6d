//! Identity: from a DID to the PDS that hosts the account.
//!
//! `did:plc` documents come from a PLC directory; `did:web` documents from the domain itself.
//! The PDS is the `#atproto_pds` service of the document.

use reqwest::Method;
use serde::Deserialize;

use super::{Result, XrpcClient, XrpcError};

/// Where `did:plc` identities are published.
pub const DEFAULT_PLC_DIRECTORY: &str = "https://plc.directory";

#[derive(Deserialize)]
struct DidDocument {
    #[serde(default)]
    service: Vec<DidService>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DidService {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    service_endpoint: serde_json::Value,
}

impl XrpcClient {
    /// The origin of the PDS hosting `did`, read from its DID document.
    pub async fn resolve_pds(&self, did: &str, plc_directory: &str) -> Result<String> {
        let url = if did.starts_with("did:plc:") {
            format!("{}/{did}", plc_directory.trim_end_matches('/'))
        } else if let Some(host) = did.strip_prefix("did:web:") {
            // did:web encodes a port's colon as %3A; anything with a path is not an account DID.
            format!("https://{}/.well-known/did.json", host.replace("%3A", ":"))
        } else {
            return Err(self.malformed(format!("{did} is not a DID Earshot can resolve")));
        };
        let response = self
            .http
            .request(Method::GET, &url)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !response.status().is_success() {
            return Err(XrpcError::Server {
                service: url,
                status: response.status().as_u16(),
                error: String::new(),
                message: format!("no identity document for {did}"),
            });
        }
        let bytes = crate::read_body(response)
            .await
            .map_err(|e| self.body_error(e))?;
        let document: DidDocument = serde_json::from_slice(&bytes)
            .map_err(|e| self.malformed(format!("the identity document of {did}: {e}")))?;
        document
            .service
            .iter()
            .find(|s| s.id.ends_with("#atproto_pds") && s.kind == "AtprotoPersonalDataServer")
            .and_then(|s| s.service_endpoint.as_str())
            .map(|endpoint| endpoint.trim_end_matches('/').to_owned())
            .ok_or_else(|| self.malformed(format!("the identity of {did} names no PDS")))
    }
}
