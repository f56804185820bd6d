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
use tokio::net::{TcpListener, TcpStream};

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
    /// The redirect URIs as the server stored them (read back from its answer).
    redirect_uris: Vec<String>,
    scopes: String,
    /// [`REGISTRATION_FORMAT`] when saved; earlier Earshots sent the URIs joined by spaces,
    /// which some servers stored as one mangled URI, and kept what they sent, not what the
    /// server stored. Such a registration is made again rather than trusted.
    #[serde(default)]
    format: u32,
}

/// The registration format whose `redirect_uris` are what the server echoed back.
const REGISTRATION_FORMAT: u32 = 2;

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
    /// When the attempt began: attempts nobody finished are forgotten after
    /// [`WAIT_FOR_BROWSER`].
    started: std::time::Instant,
    client: MastodonClient,
    /// The server as the person knows it: its software's name, else its domain.
    server_name: String,
    app: RegisteredApp,
    pkce: Pkce,
    state: String,
    listener: Option<TcpListener>,
}

/// Sign-ins waiting for the browser, by attempt id.
#[derive(Debug, Default)]
pub(crate) struct PendingSignIns(Mutex<HashMap<String, Pending>>);

impl PendingSignIns {
    /// Keeps a new attempt, and lets go of those older than [`WAIT_FOR_BROWSER`] (their
    /// listeners close with them).
    fn put(&self, attempt: String, pending: Pending) {
        let mut pending_now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        pending_now.retain(|_, old| old.started.elapsed() < WAIT_FOR_BROWSER);
        pending_now.insert(attempt, pending);
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

/// The longest request line and headers the loopback listener reads.
const MAX_CALLBACK_REQUEST: usize = 8 * 1024;
/// How long a connection to the loopback listener may take to send its request.
const CALLBACK_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What the browser brought back to the loopback listener.
enum Callback {
    Code(String),
    /// The server sent the browser back with an OAuth error instead of a code.
    Refused {
        error: String,
        description: Option<String>,
    },
}

/// Waits for the browser's `GET /callback?code=…&state=…` with this attempt's `state`.
/// Anything else — another path, another state (any web page can make the browser load
/// this address), a connection that sends nothing (browsers open some ahead of time) — is
/// answered or dropped and neither ends nor holds up the attempt: each connection is read on
/// its own. Returns the browser's connection, to be answered once the sign-in is done.
async fn wait_for_callback(listener: &TcpListener, state: &str) -> Result<(Callback, TcpStream)> {
    let (requests, mut arrived) = tokio::sync::mpsc::channel::<(String, TcpStream)>(16);
    loop {
        let (target, mut socket) = tokio::select! {
            accepted = listener.accept() => {
                let (mut socket, _) = accepted.map_err(|e| Error::TaskFailed(e.to_string()))?;
                let requests = requests.clone();
                tokio::spawn(async move {
                    let read =
                        tokio::time::timeout(CALLBACK_READ_TIMEOUT, request_target(&mut socket));
                    if let Ok(Some(target)) = read.await {
                        let _ = requests.send((target, socket)).await;
                    }
                });
                continue;
            }
            Some(request) = arrived.recv() => request,
        };
        let Ok(url) = reqwest::Url::parse(&format!("http://127.0.0.1{target}")) else {
            continue;
        };
        if url.path() != "/callback" {
            // Browsers also ask for /favicon.ico.
            answer(
                &mut socket,
                "404 Not Found",
                "Not found",
                "There is nothing here.",
            )
            .await;
            continue;
        }
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if param("state").as_deref() != Some(state) {
            answer(
                &mut socket,
                "400 Bad Request",
                "This sign-in link is not Earshot's",
                "Earshot is still waiting for the sign-in it started. Go back to the server's \
                 page and choose Authorize there.",
            )
            .await;
            continue;
        }
        let callback = match (param("code"), param("error")) {
            (Some(code), _) if !code.is_empty() => Callback::Code(code),
            (_, error) => Callback::Refused {
                error: error.unwrap_or_else(|| "no code".into()),
                description: param("error_description").filter(|d| !d.trim().is_empty()),
            },
        };
        return Ok((callback, socket));
    }
}

/// The request target of an HTTP request (`/callback?…`), read up to the end of its
/// headers; `None` for anything too large or not HTTP.
async fn request_target(socket: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = socket.read(&mut buffer).await.ok()?;
        if read == 0 || head.len() + read > MAX_CALLBACK_REQUEST {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.split_whitespace();
    (words.next()? == "GET").then_some(())?;
    words.next().map(str::to_owned)
}

/// Answers the browser with a small page and closes the connection.
async fn answer(socket: &mut TcpStream, status: &str, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>{title}</title>\
         <body style=\"font-family:system-ui;margin:4em;text-align:center\">\
         <h1>{title}</h1><p>{text}</p>"
    );
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(reply.as_bytes()).await;
    let _ = socket.shutdown().await;
}

/// Plain text for the page: nothing the server sent becomes markup.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
        crate::web::check_server_origin(&server)?;
        let client = MastodonClient::new(&server)?;
        let facts = client.instance().await.map_err(|e| {
            Error::Invalid(format!(
                "{server} does not answer like a Mastodon-compatible server ({e})."
            ))
        })?;
        let server_name = facts.software.unwrap_or(facts.domain);
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
            self.registered_app(&client, &server_name, &redirect_uri)
                .await?
        } else {
            register_for(&client, &server_name, &redirect_uri).await?
        };
        let pkce = Pkce::new().map_err(|e| Error::TaskFailed(format!("no OS randomness: {e}")))?;
        let state = random_text()?;
        let authorize_url = client.authorize_url(&app, &pkce, &state);
        let attempt = random_text()?;
        self.pending_sign_ins.put(
            attempt.clone(),
            Pending {
                started: std::time::Instant::now(),
                client,
                server_name,
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
    /// trades the code for a token, keeps it in the keyring and starts syncing. The browser
    /// is told "signed in" only once all of that worked, and what failed otherwise.
    pub async fn finish_mastodon_sign_in(
        &self,
        attempt: String,
        code: Option<String>,
    ) -> Result<SignedIn> {
        let mut pending = self.pending_sign_ins.take(&attempt).ok_or_else(|| {
            Error::Invalid("That sign-in was cancelled or has finished. Start again.".into())
        })?;
        let (code, browser) = match (
            code.as_deref().map(pasted_code).filter(|c| !c.is_empty()),
            pending.listener.take(),
        ) {
            (Some(code), _) => (code, None),
            (None, Some(listener)) => {
                let waited = tokio::time::timeout(
                    WAIT_FOR_BROWSER,
                    wait_for_callback(&listener, &pending.state),
                )
                .await
                .map_err(|_| {
                    Error::Invalid(
                        "The browser did not come back within 10 minutes. Start again.".into(),
                    )
                })?;
                match waited? {
                    (Callback::Code(code), socket) => (code, Some(socket)),
                    (Callback::Refused { error, description }, mut socket) => {
                        let refused = self.refused(&pending, &error, description).await;
                        answer(
                            &mut socket,
                            "200 OK",
                            "Earshot was not signed in",
                            &escape_html(&refused.to_string()),
                        )
                        .await;
                        return Err(refused);
                    }
                }
            }
            (None, None) => {
                return Err(Error::Invalid(
                    "Paste the code the server showed you.".into(),
                ));
            }
        };
        let signed_in = self.complete_sign_in(&pending, &code).await;
        if let Some(mut socket) = browser {
            match &signed_in {
                Ok(_) => {
                    answer(
                        &mut socket,
                        "200 OK",
                        "Earshot is signed in",
                        "You can close this tab and go back to Earshot.",
                    )
                    .await;
                }
                Err(e) => {
                    answer(
                        &mut socket,
                        "200 OK",
                        "Earshot was not signed in",
                        &escape_html(&e.to_string()),
                    )
                    .await;
                }
            }
        }
        signed_in
    }

    /// The token exchange, the account check, the keyring and the account row.
    async fn complete_sign_in(&self, pending: &Pending, code: &str) -> Result<SignedIn> {
        let token = match pending
            .client
            .exchange_code(&pending.app, code, &pending.pkce)
            .await
        {
            Ok(token) => token,
            Err(e) => {
                // The server may have forgotten Earshot's registration: make a new one next time.
                self.forget_registration(pending.client.origin()).await;
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

    /// The server sent the browser back without a code. Unless the person chose Deny, the
    /// registration is suspect: it is dropped so the next attempt registers anew.
    async fn refused(&self, pending: &Pending, error: &str, description: Option<String>) -> Error {
        if error == "access_denied" {
            return Error::SignInRefused {
                server: pending.server_name.clone(),
                reason: "you chose Deny".into(),
                advice: "Start again and choose Authorize to let Earshot in.".into(),
            };
        }
        self.forget_registration(pending.client.origin()).await;
        let reason = match description {
            Some(description) => format!("{error}: {description}"),
            None => error.to_owned(),
        };
        Error::SignInRefused {
            server: pending.server_name.clone(),
            reason,
            advice: "Earshot will register with the server anew: try again. If it fails \
                     again, choose Use a code instead."
                .into(),
        }
    }

    async fn forget_registration(&self, origin: &str) {
        let (secrets, key) = (Arc::clone(&self.services.secrets), app_key(origin));
        if let Err(e) = blocking(move || secrets.delete(&key).map_err(Error::from)).await {
            tracing::warn!(error = %e, "could not forget a registration");
        }
    }

    /// Earshot's registration with the server, made once and reused: it names every
    /// loopback port and the out-of-band redirect; `redirect_uri` picks the one to use now.
    /// A saved registration is trusted only if the server's own answer listed that URI.
    async fn registered_app(
        &self,
        client: &MastodonClient,
        server_name: &str,
        redirect_uri: &str,
    ) -> Result<RegisteredApp> {
        let key = app_key(client.origin());
        let secrets = Arc::clone(&self.services.secrets);
        let saved = {
            let key = key.clone();
            blocking(move || secrets.read(&key).map_err(Error::from)).await?
        };
        let saved: Option<SavedApp> = saved.and_then(|s| serde_json::from_str(s.expose()).ok());
        if let Some(app) = saved.filter(|app| {
            app.format == REGISTRATION_FORMAT
                && app.scopes == SCOPES
                && app.redirect_uris.iter().any(|u| u == redirect_uri)
        }) {
            return Ok(RegisteredApp {
                client_id: app.client_id,
                client_secret: Sensitive::new(app.client_secret),
                redirect_uri: redirect_uri.to_owned(),
                scopes: app.scopes,
            });
        }
        let mut uris: Vec<String> = LOOPBACK_PORTS.map(loopback_uri).collect();
        uris.push(OUT_OF_BAND.to_owned());
        let registered = client.register_app(&uris, SCOPES).await?;
        let registration = match registered.through(redirect_uri, SCOPES) {
            Some(_) => registered,
            None => {
                tracing::info!(server = %client.origin(), stored = ?registered.redirect_uris,
                    "the server did not keep every redirect URI; registering this one alone");
                client
                    .register_app(&[redirect_uri.to_owned()], SCOPES)
                    .await?
            }
        };
        let app = registration
            .through(redirect_uri, SCOPES)
            .ok_or_else(|| not_kept(server_name, redirect_uri))?;
        let saved = SavedApp {
            client_id: registration.client_id,
            client_secret: registration.client_secret.expose().clone(),
            redirect_uris: registration.redirect_uris,
            scopes: SCOPES.to_owned(),
            format: REGISTRATION_FORMAT,
        };
        let json = Sensitive::new(serde_json::to_string(&saved).unwrap_or_default());
        let secrets = Arc::clone(&self.services.secrets);
        blocking(move || secrets.save(&key, &json).map_err(Error::from)).await?;
        Ok(app)
    }

    /// Forgets a sign-in the person gave up on; its listener closes.
    pub fn cancel_mastodon_sign_in(&self, attempt: &str) {
        self.pending_sign_ins.take(attempt);
    }
}

/// A one-off registration for a redirect outside the fixed ports.
async fn register_for(
    client: &MastodonClient,
    server_name: &str,
    redirect_uri: &str,
) -> Result<RegisteredApp> {
    client
        .register_app(&[redirect_uri.to_owned()], SCOPES)
        .await?
        .through(redirect_uri, SCOPES)
        .ok_or_else(|| not_kept(server_name, redirect_uri))
}

fn not_kept(server_name: &str, redirect_uri: &str) -> Error {
    Error::SignInRefused {
        server: server_name.to_owned(),
        reason: format!("it did not keep Earshot's return address {redirect_uri}"),
        advice: "Choose Use a code instead.".into(),
    }
}

/// The code from what the person pasted: some servers (snac) show it followed by
/// `&state=…`, and a whole redirect URL works too.
fn pasted_code(pasted: &str) -> String {
    let pasted = pasted.trim();
    let code = match pasted.split_once("code=") {
        Some((_, after)) if pasted.contains("://") || pasted.starts_with('?') => after,
        _ => pasted,
    };
    code.split('&').next().unwrap_or_default().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::{pasted_code, server_of};

    #[test]
    fn reads_the_code_from_what_people_paste() {
        for (pasted, want) in [
            ("abc123", "abc123"),
            ("  abc123\n", "abc123"),
            ("abc123&state=xyz", "abc123"),
            (
                "http://127.0.0.1:51780/callback?code=abc123&state=xyz",
                "abc123",
            ),
        ] {
            assert_eq!(pasted_code(pasted), want, "{pasted:?}");
        }
    }

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
