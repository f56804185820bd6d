//! Signing in to a Mastodon-compatible server: the authorization-code flow with PKCE.
//!
//! `begin` registers Earshot with the server and returns the page to open in the person's
//! browser; the server then sends the browser back to a one-shot listener on 127.0.0.1
//! (an ephemeral port), which answers with a friendly page. Servers that cannot redirect
//! there get the out-of-band flow instead: the server shows a code and the person pastes it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use earshot_core::{Network, Sensitive};
use earshot_net::mastodon::{MastodonClient, OUT_OF_BAND, Pkce, RegisteredApp};
use serde::Serialize;
use specta::Type;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::session::StoredSecret;
use crate::accounts::SignedInAccount;
use crate::earshot::blocking;
use crate::{Earshot, Error, Result, SignedIn};

/// The least Earshot needs: read what is addressed to the person, answer, favourite, boost.
const SCOPES: &str =
    "read:accounts read:notifications read:statuses write:statuses write:favourites";

/// Loopback ports Earshot registers with every server. Servers match redirect URIs exactly,
/// port included, so a fixed set lets one registration serve every sign-in; when all ten are
/// taken, a one-off registration with an ephemeral port is used instead.
const LOOPBACK_PORTS: std::ops::RangeInclusive<u16> = 51780..=51789;

/// Earshot's registration with one server, kept in the keyring (it holds a client secret).
#[derive(Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedApp {
    client_id: String,
    client_secret: String,
    redirect_uris: Vec<String>,
    scopes: String,
}

fn loopback_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}/callback")
}

fn app_key(origin: &str) -> String {
    format!("mastodon-app:{origin}")
}

/// A listener on the first free port of [`LOOPBACK_PORTS`], or on any port.
async fn loopback_listener() -> Result<(TcpListener, bool)> {
    for port in LOOPBACK_PORTS {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
            return Ok((listener, true));
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Error::TaskFailed(e.to_string()))?;
    Ok((listener, false))
}

/// How long a sign-in waits for the browser to come back.
const WAIT_FOR_BROWSER: Duration = Duration::from_secs(10 * 60);

/// A sign-in in progress, for the UI: the page to open and what to call next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MastodonSignIn {
    pub attempt: String,
    pub authorize_url: String,
    pub server: String,
    /// The server shows a code to paste instead of coming back by itself.
    pub paste_code: bool,
}

#[derive(Debug)]
pub(crate) struct Pending {
    client: MastodonClient,
    app: RegisteredApp,
    pkce: Pkce,
    state: String,
    listener: Option<TcpListener>,
}

/// Sign-ins waiting for the browser, by attempt id.
#[derive(Debug, Default)]
pub(crate) struct PendingSignIns(Mutex<HashMap<String, Pending>>);

impl PendingSignIns {
    fn put(&self, attempt: String, pending: Pending) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(attempt, pending);
    }

    fn take(&self, attempt: &str) -> Option<Pending> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(attempt)
    }
}

/// The server's origin from what a person types: `example.org`, `https://example.org/`,
/// `@me@example.org` or `me@example.org`.
pub(crate) fn server_of(input: &str) -> Option<String> {
    let input = input.trim().trim_start_matches('@').trim_end_matches('/');
    if input.is_empty() {
        return None;
    }
    if input.contains("://") {
        return Some(input.to_owned());
    }
    let host = input.rsplit('@').next().unwrap_or(input);
    (!host.is_empty() && !host.contains(char::is_whitespace)).then(|| format!("https://{host}"))
}

fn random_text() -> Result<String> {
    let pkce = Pkce::new().map_err(|e| Error::TaskFailed(format!("no OS randomness: {e}")))?;
    Ok(pkce.challenge)
}

/// Waits for the browser's `GET /callback?code=…&state=…` and answers it.
async fn wait_for_code(listener: TcpListener, state: &str) -> Result<String> {
    loop {
        let (mut socket, _) = listener
            .accept()
            .await
            .map_err(|e| Error::TaskFailed(e.to_string()))?;
        let mut buffer = vec![0u8; 8192];
        let read = socket.read(&mut buffer).await.unwrap_or(0);
        let head = String::from_utf8_lossy(&buffer[..read]).into_owned();
        let target = head
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let Ok(url) = reqwest::Url::parse(&format!("http://127.0.0.1{target}")) else {
            continue;
        };
        if url.path() != "/callback" {
            // Browsers also ask for /favicon.ico.
            let _ = socket
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let (title, outcome) = match (param("code"), param("error")) {
            _ if param("state").as_deref() != Some(state) => (
                "This sign-in link is not Earshot's",
                Err(Error::Invalid(
                    "The browser came back from another sign-in. Try again.".into(),
                )),
            ),
            (Some(code), _) => ("Earshot is signed in", Ok(code)),
            (None, error) => (
                "Earshot was not signed in",
                Err(Error::Invalid(format!(
                    "The server did not sign Earshot in ({}). Try again, and choose Authorize.",
                    error.unwrap_or_else(|| "no code".into())
                ))),
            ),
        };
        let body = format!(
            "<!doctype html><meta charset=utf-8><title>{title}</title>\
             <body style=\"font-family:system-ui;margin:4em;text-align:center\">\
             <h1>{title}</h1><p>You can close this tab and go back to Earshot.</p>"
        );
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(reply.as_bytes()).await;
        let _ = socket.shutdown().await;
        return outcome;
    }
}

impl Earshot {
    /// Starts signing in to the server named by `server_or_handle`. The UI opens
    /// `authorize_url` in the browser and then calls [`Earshot::finish_mastodon_sign_in`].
    pub async fn begin_mastodon_sign_in(
        &self,
        server_or_handle: String,
        paste_code: bool,
    ) -> Result<MastodonSignIn> {
        let server = server_of(&server_or_handle).ok_or_else(|| {
            Error::Invalid(
                "Type your server (mastodon.social) or your handle (@you@example.org).".into(),
            )
        })?;
        let client = MastodonClient::new(&server)?;
        client.instance().await.map_err(|e| {
            Error::Invalid(format!(
                "{server} does not answer like a Mastodon-compatible server ({e})."
            ))
        })?;
        let (listener, known_port) = if paste_code {
            (None, true)
        } else {
            let (listener, known) = loopback_listener().await?;
            (Some(listener), known)
        };
        let redirect_uri = match &listener {
            None => OUT_OF_BAND.to_owned(),
            Some(listener) => loopback_uri(
                listener
                    .local_addr()
                    .map_err(|e| Error::TaskFailed(e.to_string()))?
                    .port(),
            ),
        };
        let app = if known_port {
            self.registered_app(&client, &redirect_uri).await?
        } else {
            client.register_app(&redirect_uri, SCOPES).await?
        };
        let pkce = Pkce::new().map_err(|e| Error::TaskFailed(format!("no OS randomness: {e}")))?;
        let state = random_text()?;
        let authorize_url = client.authorize_url(&app, &pkce, &state);
        let attempt = random_text()?;
        self.pending_sign_ins.put(
            attempt.clone(),
            Pending {
                client,
                app,
                pkce,
                state,
                listener,
            },
        );
        Ok(MastodonSignIn {
            attempt,
            authorize_url,
            server,
            paste_code,
        })
    }

    /// Finishes a sign-in: waits for the browser to come back (or takes the pasted `code`),
    /// trades the code for a token, keeps it in the keyring and starts syncing.
    pub async fn finish_mastodon_sign_in(
        &self,
        attempt: String,
        code: Option<String>,
    ) -> Result<SignedIn> {
        let mut pending = self.pending_sign_ins.take(&attempt).ok_or_else(|| {
            Error::Invalid("That sign-in was cancelled or has finished. Start again.".into())
        })?;
        let code = match (
            code.filter(|c| !c.trim().is_empty()),
            pending.listener.take(),
        ) {
            (Some(code), _) => code,
            (None, Some(listener)) => {
                tokio::time::timeout(WAIT_FOR_BROWSER, wait_for_code(listener, &pending.state))
                    .await
                    .map_err(|_| {
                        Error::Invalid(
                            "The browser did not come back within 10 minutes. Start again.".into(),
                        )
                    })??
            }
            (None, None) => {
                return Err(Error::Invalid(
                    "Paste the code the server showed you.".into(),
                ));
            }
        };
        let token = match pending
            .client
            .exchange_code(&pending.app, &code, &pending.pkce)
            .await
        {
            Ok(token) => token,
            Err(e) => {
                // The server may have forgotten Earshot's registration: make a new one next time.
                let (secrets, key) = (
                    Arc::clone(&self.services.secrets),
                    app_key(pending.client.origin()),
                );
                let _ = blocking(move || secrets.delete(&key).map_err(Error::from)).await;
                return Err(e.into());
            }
        };
        let me = pending.client.verify_credentials(&token).await?;
        let facts = pending.client.instance().await?;
        let origin = pending.client.origin().to_owned();
        let handle = if me.acct.contains('@') {
            me.acct.clone()
        } else {
            format!("{}@{}", me.acct, facts.domain)
        };
        let remote_id = format!("{origin}/{}", me.id);
        let secret = StoredSecret {
            access_token: token.expose().clone(),
            client_id: pending.app.client_id.clone(),
            client_secret: pending.app.client_secret.expose().clone(),
            redirect_uri: pending.app.redirect_uri.clone(),
            scopes: pending.app.scopes.clone(),
        };
        let secret = Sensitive::new(serde_json::to_string(&secret).unwrap_or_default());
        let signed_in = SignedInAccount {
            network: Network::Mastodon,
            service: origin,
            remote_id,
            handle,
        };
        let account = self.remember(signed_in, secret).await?;
        Ok(SignedIn {
            account,
            warning: None,
        })
    }

    /// Earshot's registration with the server, made once and reused: it names every
    /// loopback port and the out-of-band redirect; `redirect_uri` picks the one to use now.
    async fn registered_app(
        &self,
        client: &MastodonClient,
        redirect_uri: &str,
    ) -> Result<RegisteredApp> {
        let key = app_key(client.origin());
        let secrets = Arc::clone(&self.services.secrets);
        let saved = {
            let key = key.clone();
            blocking(move || secrets.read(&key).map_err(Error::from)).await?
        };
        let saved: Option<SavedApp> = saved.and_then(|s| serde_json::from_str(s.expose()).ok());
        let app = match saved {
            Some(app)
                if app.scopes == SCOPES && app.redirect_uris.iter().any(|u| u == redirect_uri) =>
            {
                app
            }
            _ => {
                let mut uris: Vec<String> = LOOPBACK_PORTS.map(loopback_uri).collect();
                uris.push(OUT_OF_BAND.to_owned());
                let registered = client.register_app(&uris.join(" "), SCOPES).await?;
                let app = SavedApp {
                    client_id: registered.client_id,
                    client_secret: registered.client_secret.expose().clone(),
                    redirect_uris: uris,
                    scopes: SCOPES.to_owned(),
                };
                let json = Sensitive::new(serde_json::to_string(&app).unwrap_or_default());
                let secrets = Arc::clone(&self.services.secrets);
                blocking(move || secrets.save(&key, &json).map_err(Error::from)).await?;
                app
            }
        };
        Ok(RegisteredApp {
            client_id: app.client_id,
            client_secret: Sensitive::new(app.client_secret),
            redirect_uri: redirect_uri.to_owned(),
            scopes: app.scopes,
        })
    }

    /// Forgets a sign-in the person gave up on; its listener closes.
    pub fn cancel_mastodon_sign_in(&self, attempt: &str) {
        self.pending_sign_ins.take(attempt);
    }
}

#[cfg(test)]
mod tests {
    use super::server_of;

    #[test]
    fn finds_the_server_in_what_people_type() {
        for (typed, want) in [
            ("mastodon.social", "https://mastodon.social"),
            ("@me@example.org", "https://example.org"),
            ("me@example.org", "https://example.org"),
            (" https://example.org/ ", "https://example.org"),
            ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
        ] {
            assert_eq!(server_of(typed).as_deref(), Some(want), "{typed}");
        }
        assert_eq!(server_of("  "), None);
    }
}
