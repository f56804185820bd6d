//! Earshot's network clients: the AT Protocol (Bluesky) and the Mastodon client API. Each
//! speaks one protocol, owns nothing but its HTTP client, and turns every failure into a
//! typed error a person can be told about.

pub mod bluesky;
pub mod mastodon;

/// Sent with every request: servers may refuse anonymous clients, and operators deserve to
/// know who is calling.
pub const USER_AGENT: &str = concat!("Earshot/", env!("CARGO_PKG_VERSION"), " (desktop)");

/// The most a server's answer may weigh: a page of notifications or statuses is a few hundred
/// kB; more is a broken or hostile server, and Earshot stops reading rather than fill memory.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Why an answer's body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The connection failed while reading.
    Read(reqwest::Error),
    /// More than [`MAX_RESPONSE_BYTES`] (or what `Content-Length` announced).
    TooLarge,
}

impl BodyError {
    /// The words for a person, naming the cap.
    pub(crate) fn too_large_words() -> String {
        format!(
            "the answer is larger than the {} MB Earshot reads",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        )
    }
}

/// Reads an answer's body, stopping at [`MAX_RESPONSE_BYTES`].
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_RESPONSE_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
