//! OAuth 2 as Mastodon speaks it (docs.joinmastodon.org/methods/oauth): apps, the authorize
//! page a person approves, the authorization-code grant with PKCE (S256), revocation.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Form, Query, State as Axum};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;
use sha2::Digest;

use crate::Shared;
use crate::state::{App, Grant};

const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";

fn error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// `POST /api/v1/apps`, from a form or JSON body (both are accepted by Mastodon).
pub(crate) async fn create_app(
    Axum(shared): Axum<Arc<Shared>>,
    body: axum::body::Bytes,
) -> Response {
    let by_line_only = shared.state().profile.redirect_uris_by_line_only;
    if by_line_only
        && serde_json::from_slice::<serde_json::Value>(&body)
            .is_ok_and(|v| v["redirect_uris"].is_array())
    {
        // GoToSocial reads the field into a string, and says so in Go's words.
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "Bad Request: json: cannot unmarshal array into Go struct field ApplicationCreateRequest.redirect_uris of type string" })),
        )
            .into_response();
    }
    let params = if by_line_only {
        // `redirect_uris[]=` is not the field GoToSocial reads.
        let mut params = crate::api::params(&body);
        if crate::api::serde_urlencoded_pairs(std::str::from_utf8(&body).unwrap_or_default())
            .iter()
            .any(|(key, _)| key == "redirect_uris[]")
        {
            params.remove("redirect_uris");
        }
        params
    } else {
        crate::api::params(&body)
    };
    let Some(name) = params.get("client_name").filter(|n| !n.is_empty()) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed",
            "Name can't be blank",
        );
    };
    let redirect_uris: Vec<String> = match params.get("redirect_uris") {
        // One URI per line; spaces inside a line are escaped, not split on.
        Some(uris) if by_line_only => uris
            .lines()
            .map(str::trim)
            .filter(|uri| !uri.is_empty())
            .map(|uri| uri.replace(' ', "%20"))
            .collect(),
        Some(uris) => uris.split_whitespace().map(str::to_owned).collect(),
        // GoToSocial falls back to the out-of-band redirect.
        None if by_line_only => vec![OUT_OF_BAND.to_owned()],
        None => Vec::new(),
    };
    if redirect_uris.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed",
            "Redirect URI can't be blank",
        );
    }
    let scopes = params
        .get("scopes")
        .cloned()
        .unwrap_or_else(|| "read".into());
    let mut state = shared.state();
    let app = App {
        client_id: state.secret("client"),
        client_secret: state.secret("secret"),
        redirect_uris: redirect_uris.clone(),
        scopes: scopes.clone(),
    };
    let id = state.next_id();
    state.apps.insert(app.client_id.clone(), app.clone());
    if by_line_only {
        return Json(json!({
            "id": id,
            "created_at": crate::entities::time(&state, jiff::Timestamp::now(), true),
            "name": name,
            "website": params.get("website"),
            "redirect_uri": redirect_uris.join("\n"),
            "redirect_uris": redirect_uris,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "vapid_key": "BNotARealVapidKeyButShapedLikeOneForTests",
            "scopes": scopes.split_whitespace().collect::<Vec<_>>(),
        }))
        .into_response();
    }
    Json(json!({
        "id": id,
        "name": name,
        "website": params.get("website"),
        "scopes": scopes.split_whitespace().collect::<Vec<_>>(),
        "redirect_uri": redirect_uris.join("\n"),
        "redirect_uris": redirect_uris,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "client_secret_expires_at": 0,
    }))
    .into_response()
}

/// `GET /oauth/authorize`: the page where the person signs in and approves. Here "signing
/// in" is typing a username; the form posts back with everything the client sent.
pub(crate) async fn authorize_page(
    Axum(shared): Axum<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let state = shared.state();
    let client_id = params.get("client_id").cloned().unwrap_or_default();
    let Some(app) = state.apps.get(&client_id) else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>Client authentication failed.</p>"),
        )
            .into_response();
    };
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    if !app.redirect_uris.contains(&redirect_uri) {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>The redirect uri included is not valid.</p>"),
        )
            .into_response();
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>Unsupported response type.</p>"),
        )
            .into_response();
    }
    let hidden: String = [
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .filter_map(|name| params.get(*name).map(|value| (name, value)))
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            value.replace('"', "&quot;")
        )
    })
    .collect();
    Html(format!(
        "<!doctype html><title>Authorize</title><form method=\"post\" action=\"/oauth/authorize\">\
         {hidden}<label>Username <input name=\"username\"></label>\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Authorize</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>"
    ))
    .into_response()
}

/// `POST /oauth/authorize`: the person's decision. Approving redirects to the client with a
/// code, or shows the code to copy for the out-of-band redirect.
pub(crate) async fn authorize(
    Axum(shared): Axum<Arc<Shared>>,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    let get = |name: &str| params.get(name).cloned().unwrap_or_default();
    let redirect_uri = get("redirect_uri");
    let mut state = shared.state();
    let Some(app) = state.apps.get(&get("client_id")).cloned() else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>Client authentication failed.</p>"),
        )
            .into_response();
    };
    if !app.redirect_uris.contains(&redirect_uri) {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>The redirect uri included is not valid.</p>"),
        )
            .into_response();
    }
    let with_state = |mut url: String| {
        if let Some(s) = params.get("state") {
            url.push_str(&format!("&state={s}"));
        }
        url
    };
    if get("decision") != "approve" {
        let target = with_state(format!("{redirect_uri}?error=access_denied"));
        return (StatusCode::FOUND, [(header::LOCATION, target)]).into_response();
    }
    let Some(account) = state
        .account_by_username(&get("username"))
        .map(|a| a.id.clone())
    else {
        return (StatusCode::UNAUTHORIZED, Html("<p>Invalid username.</p>")).into_response();
    };
    let challenge = params
        .get("code_challenge")
        .filter(|c| !c.is_empty())
        .cloned();
    if challenge.is_some() && get("code_challenge_method") != "S256" {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>Only S256 is supported.</p>"),
        )
            .into_response();
    }
    let code = state.secret("code");
    state.grants.insert(
        code.clone(),
        Grant {
            client_id: app.client_id,
            redirect_uri: redirect_uri.clone(),
            challenge,
            account,
            scopes: params.get("scope").cloned().unwrap_or(app.scopes),
        },
    );
    if redirect_uri == OUT_OF_BAND {
        return Html(format!(
            "<p>Copy this code into the app:</p><code id=\"authorization-code\">{code}</code>"
        ))
        .into_response();
    }
    let target = with_state(format!("{redirect_uri}?code={code}"));
    (StatusCode::FOUND, [(header::LOCATION, target)]).into_response()
}

/// `POST /oauth/token` with `grant_type=authorization_code`.
pub(crate) async fn token(Axum(shared): Axum<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let params = crate::api::params(&body);
    let get = |name: &str| params.get(name).cloned().unwrap_or_default();
    if get("grant_type") != "authorization_code" {
        return error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        );
    }
    let mut state = shared.state();
    let Some(app) = state.apps.get(&get("client_id")).cloned() else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        );
    };
    if app.client_secret != get("client_secret") {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        );
    }
    // A code is single-use, whatever happens next.
    let Some(grant) = state.grants.remove(&get("code")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
        );
    };
    if grant.client_id != app.client_id || grant.redirect_uri != get("redirect_uri") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The provided authorization grant does not match.",
        );
    }
    if let Some(challenge) = &grant.challenge {
        let verifier = get("code_verifier");
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        if verifier.is_empty() || &computed != challenge {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The code verifier does not match the challenge.",
            );
        }
    }
    let token = state.secret("token");
    state.tokens.insert(token.clone(), grant.account);
    Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "scope": grant.scopes,
        "created_at": jiff::Timestamp::now().as_second(),
    }))
    .into_response()
}

/// `POST /oauth/revoke`: always 200, as the RFC asks, whether or not the token existed.
pub(crate) async fn revoke(Axum(shared): Axum<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let params = crate::api::params(&body);
    let mut state = shared.state();
    let client_ok = params
        .get("client_id")
        .and_then(|id| state.apps.get(id))
        .is_some_and(|app| Some(&app.client_secret) == params.get("client_secret"));
    if !client_ok {
        return error(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "You are not authorized to revoke this token",
        );
    }
    if let Some(token) = params.get("token") {
        state.tokens.remove(token);
    }
    Json(json!({})).into_response()
}
