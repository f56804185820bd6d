//! Earshot's network clients: the AT Protocol (Bluesky) and the Mastodon client API. Each
//! speaks one protocol, owns nothing but its HTTP client, and turns every failure into a
//! typed error a person can be told about.

pub mod bluesky;
pub mod mastodon;

use std::time::Duration;

use earshot_core::Timestamp;

/// Sent with every request: servers may refuse anonymous clients, and operators deserve to
/// know who is calling.
pub const USER_AGENT: &str = concat!("Earshot/", env!("CARGO_PKG_VERSION"), " (desktop)");

/// The most a server's answer may weigh: a page of notifications or statuses is a few hundred
/// kB; more is a broken or hostile server, and Earshot stops reading rather than fill memory.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// The HTTP client both network clients use: Earshot's `User-Agent`, 10 s to connect and 30 s
/// for a whole request, and no redirects — one would carry a bearer token to wherever the
/// server points. `idle_per_host` 0 opens a fresh connection for every request.
pub(crate) fn http_client(idle_per_host: usize) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(idle_per_host)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// What an answer's headers say about the server's rate limit, in whichever form it uses:
/// `ratelimit-remaining` / `ratelimit-reset` (Unix seconds; Bluesky, the IETF draft),
/// `x-ratelimit-remaining` / `x-ratelimit-reset` (a time; Mastodon), or only `retry-after`
/// (seconds from now; what a Bluesky PDS passes back from a service it proxies).
pub(crate) fn rate_limit_of(
    headers: &reqwest::header::HeaderMap,
) -> (Option<i64>, Option<Timestamp>) {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let remaining = text("ratelimit-remaining")
        .or_else(|| text("x-ratelimit-remaining"))
        .and_then(|v| v.parse().ok());
    let reset = text("ratelimit-reset").or_else(|| text("x-ratelimit-reset"));
    let reset_at = reset
        .and_then(|v| match v.parse::<i64>() {
            Ok(seconds) => Timestamp::from_second(seconds).ok(),
            Err(_) => v.parse::<Timestamp>().ok(),
        })
        .or_else(|| {
            let seconds: i64 = text("retry-after")?.parse().ok()?;
            Timestamp::now()
                .checked_add(jiff::SignedDuration::from_secs(seconds.clamp(0, 86_400)))
                .ok()
        });
    (remaining, reset_at)
}

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

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("a header value"));
        }
        map
    }

    #[test]
    fn rate_limits_are_read_in_every_form_servers_send() {
        let bluesky = headers(&[
            ("ratelimit-remaining", "12"),
            ("ratelimit-reset", "1764590400"),
        ]);
        assert_eq!(
            rate_limit_of(&bluesky),
            (Some(12), Timestamp::from_second(1_764_590_400).ok())
        );
        let mastodon = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "2026-12-01T12:05:00.000Z"),
        ]);
        assert_eq!(
            rate_limit_of(&mastodon),
            (Some(0), "2026-12-01T12:05:00Z".parse().ok())
        );
        let proxied = headers(&[("retry-after", "30")]);
        let (remaining, reset_at) = rate_limit_of(&proxied);
        assert_eq!(remaining, None);
        let wait = reset_at.expect("a reset").duration_since(Timestamp::now());
        assert!((25..=30).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(rate_limit_of(&HeaderMap::new()), (None, None));
    }
}
