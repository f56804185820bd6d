//! Signing in: register Earshot with the server once, send the person to the server's
//! authorize page, and trade the code it gives back for a token (authorization code grant
//! with PKCE, S256). The token is all that is kept, and only in the keyring.

use base64::Engine as _;
use earshot_core::Sensitive;
use reqwest::Method;
use serde::Deserialize;
use sha2::Digest;

use super::{MastodonClient, MastodonError, Resend, Result};

/// The redirect for servers that cannot send the browser back to Earshot: the server shows
/// the code and the person pastes it.
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";

/// Earshot as registered with one server.
#[derive(Debug, Clone)]
pub struct RegisteredApp {
    pub client_id: String,
    pub client_secret: Sensitive<String>,
    pub redirect_uri: String,
    pub scopes: String,
}

impl Registration {
    /// The app for a sign-in through `redirect_uri`, if the server stored that URI.
    pub fn through(&self, redirect_uri: &str, scopes: &str) -> Option<RegisteredApp> {
        self.redirect_uris
            .iter()
            .any(|stored| stored == redirect_uri)
            .then(|| RegisteredApp {
                client_id: self.client_id.clone(),
                client_secret: self.client_secret.clone(),
                redirect_uri: redirect_uri.to_owned(),
                scopes: scopes.to_owned(),
            })
    }
}

/// A PKCE pair: the verifier stays in Earshot, the challenge goes to the authorize page.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: Sensitive<String>,
    pub challenge: String,
}

impl Pkce {
    /// 32 random bytes from the OS, base64url: 43 characters, as RFC 7636 asks.
    pub fn new() -> std::result::Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let verifier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        Ok(Self::from_verifier(verifier))
    }

    fn from_verifier(verifier: String) -> Self {
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        Self {
            verifier: Sensitive::new(verifier),
            challenge,
        }
    }
}

#[derive(Deserialize)]
struct AppReply {
    client_id: String,
    client_secret: String,
    /// Mastodon 4.3+ and GoToSocial: every URI the server stored.
    #[serde(default)]
    redirect_uris: Option<Vec<String>>,
    /// Older servers: the stored URIs as one string, one per line.
    #[serde(default)]
    redirect_uri: Option<String>,
}

/// Earshot as a server registered it, with the redirect URIs the server says it stored.
#[derive(Debug, Clone)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: Sensitive<String>,
    /// What the server echoed back; servers that echo nothing are taken at their word.
    pub redirect_uris: Vec<String>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
}

impl MastodonClient {
    /// `POST /api/v1/apps`: registers Earshot with the least scopes it needs.
    ///
    /// The redirect URIs go as one form field, one per line: the form every server reads
    /// (GoToSocial splits on newlines only, ignores `redirect_uris[]` and refuses a JSON
    /// array). The answer says which URIs the server really stored.
    pub async fn register_app(
        &self,
        redirect_uris: &[String],
        scopes: &str,
    ) -> Result<Registration> {
        let joined = redirect_uris.join("\n");
        let request = self.request(Method::POST, "/api/v1/apps", None).form(&[
            ("client_name", "Earshot"),
            ("redirect_uris", joined.as_str()),
            ("scopes", scopes),
            ("website", "https://earshot.app"),
        ]);
        let (reply, _): (AppReply, _) = self.send_with(request, Resend::Safe).await?;
        let stored = match (reply.redirect_uris, reply.redirect_uri) {
            (Some(uris), _) if !uris.is_empty() => uris,
            (_, Some(uri)) => uri.lines().map(str::trim).map(str::to_owned).collect(),
            _ => redirect_uris.to_vec(),
        };
        Ok(Registration {
            client_id: reply.client_id,
            client_secret: Sensitive::new(reply.client_secret),
            redirect_uris: stored,
        })
    }

    /// The page to open in the person's browser.
    pub fn authorize_url(&self, app: &RegisteredApp, pkce: &Pkce, state: &str) -> String {
        let mut url = match reqwest::Url::parse(&format!("{}/oauth/authorize", self.origin)) {
            Ok(url) => url,
            Err(_) => return format!("{}/oauth/authorize", self.origin),
        };
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &app.client_id)
            .append_pair("redirect_uri", &app.redirect_uri)
            .append_pair("scope", &app.scopes)
            .append_pair("state", state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        url.into()
    }

    /// `POST /oauth/token`: the code from the redirect (or pasted) for an access token.
    pub async fn exchange_code(
        &self,
        app: &RegisteredApp,
        code: &str,
        pkce: &Pkce,
    ) -> Result<Sensitive<String>> {
        let request = self.request(Method::POST, "/oauth/token", None).form(&[
            ("grant_type", "authorization_code"),
            ("code", code.trim()),
            ("client_id", &app.client_id),
            ("client_secret", app.client_secret.expose()),
            ("redirect_uri", &app.redirect_uri),
            ("code_verifier", pkce.verifier.expose()),
            ("scope", &app.scopes),
        ]);
        // A code is single-use, but a request the server never read did not use it.
        match self.send_with::<TokenReply>(request, Resend::Safe).await {
            Ok((reply, _)) => Ok(Sensitive::new(reply.access_token)),
            // A refused code is not a refused token: say what happened.
            Err(MastodonError::Server {
                status: 400 | 401,
                message,
                server,
            }) => Err(MastodonError::Server {
                server,
                status: 400,
                message: format!("the sign-in code was not accepted ({message})"),
            }),
            Err(e) => Err(e),
        }
    }

    /// `POST /oauth/revoke`: ends the token on the server at sign-out.
    pub async fn revoke(&self, app: &RegisteredApp, token: &Sensitive<String>) -> Result<()> {
        let request = self.request(Method::POST, "/oauth/revoke", None).form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
            ("token", token.expose()),
        ]);
        let _: (serde_json::Value, _) = self.send(request).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_rfc_7636_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let fresh = Pkce::new().expect("OS randomness");
        assert_eq!(fresh.verifier.expose().len(), 43);
        assert_ne!(
            fresh.verifier.expose(),
            Pkce::new().expect("OS randomness").verifier.expose()
        );
    }
}
