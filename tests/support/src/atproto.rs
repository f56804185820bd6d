//! The Bluesky reference servers that `tests/atproto/with-atproto.sh` starts (`make test` does).

use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

/// The HMAC secret `@atproto/dev-env` gives its PDS for session tokens.
const DEV_ENV_JWT_SECRET: &[u8] = b"jwt-secret";

pub fn pds_url() -> String {
    env("EARSHOT_TEST_PDS_URL")
}

pub fn plc_url() -> String {
    env("EARSHOT_TEST_PLC_URL")
}

/// The chat test service as `atproto-proxy` names it (`did#bsky_chat`).
pub fn chat_service() -> String {
    env("EARSHOT_CHAT_SERVICE")
}

/// The chat test service's own address, for its test controls (never through the PDS).
pub fn chat_url() -> String {
    env("EARSHOT_TEST_CHAT_URL")
}

/// Makes the chat test service answer `did`'s next `count` requests with 429.
pub async fn rate_limit_chat(did: &str, count: u32) {
    reqwest::get(format!(
        "{}/_test/rate-limit?did={did}&count={count}",
        chat_url()
    ))
    .await
    .expect("the chat test service answers");
}

/// A direct message as the chat service keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRef {
    pub convo: String,
    pub message: String,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name}: run inside tests/atproto/with-atproto.sh (make test does)")
    })
}

/// A handle nobody else in this test run has: the servers live for the whole run.
pub fn unique_handle(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{}n{n}.test", std::process::id())
}

/// A post's strong reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRef {
    pub uri: String,
    pub cid: String,
}

impl PostRef {
    /// As a strong reference inside a record.
    pub fn json(&self) -> Value {
        json!({ "uri": self.uri, "cid": self.cid })
    }

    pub fn rkey(&self) -> &str {
        self.uri.rsplit('/').next().unwrap_or_default()
    }
}

/// An account on the reference PDS, driven directly over XRPC.
#[derive(Debug, Clone)]
pub struct TestAccount {
    pub handle: String,
    pub did: String,
    pub password: String,
    pub access: String,
}

impl TestAccount {
    pub async fn create(prefix: &str) -> Self {
        let handle = unique_handle(prefix);
        let password = format!("main-password-of-{handle}");
        let reply = xrpc_post(
            "com.atproto.server.createAccount",
            None,
            json!({ "email": format!("{handle}@example.com"), "handle": handle, "password": password }),
        )
        .await;
        let account = TestAccount {
            did: reply["did"].as_str().expect("did").to_owned(),
            access: reply["accessJwt"].as_str().expect("accessJwt").to_owned(),
            handle,
            password,
        };
        account.wait_until_known().await;
        account
    }

    /// Waits (up to 30 s) until the AppView knows this account: until then it leaves the
    /// account's posts out of other people's notifications, which it cannot fill in.
    async fn wait_until_known(&self) {
        for _ in 0..600 {
            let profile = try_xrpc_get(
                "app.bsky.actor.getProfile",
                Some(&self.access),
                &[("actor", self.did.as_str())],
            )
            .await;
            if profile.is_some() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the AppView never indexed the account {}", self.handle);
    }

    /// An app password that may also read and send direct messages ("Allow access to your
    /// direct messages").
    pub async fn app_password_with_messages(&self, name: &str) -> String {
        let reply = xrpc_post(
            "com.atproto.server.createAppPassword",
            Some(&self.access),
            json!({ "name": name, "privileged": true }),
        )
        .await;
        reply["password"].as_str().expect("password").to_owned()
    }

    /// Sends `other` a direct message through the PDS and the chat service, as any chat app
    /// would (the conversation is made on first use).
    pub async fn message(&self, other: &TestAccount, text: &str) -> ChatRef {
        let convo = self
            .chat_get(
                "chat.bsky.convo.getConvoForMembers",
                &[("members", other.did.as_str())],
            )
            .await;
        let convo = convo["convo"]["id"].as_str().expect("a convo").to_owned();
        self.message_in(&convo, text).await
    }

    /// Sends a message into a conversation the account is in.
    pub async fn message_in(&self, convo: &str, text: &str) -> ChatRef {
        let sent = self
            .chat_post(
                "chat.bsky.convo.sendMessage",
                json!({ "convoId": convo, "message": { "text": text } }),
            )
            .await;
        ChatRef {
            convo: convo.to_owned(),
            message: sent["id"].as_str().expect("a message id").to_owned(),
        }
    }

    /// The ids of the account's conversations with `status` (`request` or `accepted`).
    pub async fn convos(&self, status: &str) -> Vec<String> {
        let reply = self
            .chat_get("chat.bsky.convo.listConvos", &[("status", status)])
            .await;
        reply["convos"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|convo| convo["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// The texts of a conversation's messages sent by `sender`, oldest first.
    pub async fn messages_from(&self, convo: &str, sender: &TestAccount) -> Vec<String> {
        let reply = self
            .chat_get("chat.bsky.convo.getMessages", &[("convoId", convo)])
            .await;
        let mut texts: Vec<String> = reply["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["sender"]["did"] == sender.did.as_str())
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect();
        texts.reverse();
        texts
    }

    /// Deletes a message for this account, as another chat app would.
    pub async fn delete_message_for_self(&self, message: &ChatRef) {
        self.chat_post(
            "chat.bsky.convo.deleteMessageForSelf",
            json!({ "convoId": message.convo, "messageId": message.message }),
        )
        .await;
    }

    async fn chat_get(&self, nsid: &str, query: &[(&str, &str)]) -> Value {
        let request = reqwest::Client::new()
            .get(format!("{}/xrpc/{nsid}", pds_url()))
            .query(query)
            .bearer_auth(&self.access)
            .header("atproto-proxy", chat_service());
        finish(nsid, request).await
    }

    async fn chat_post(&self, nsid: &str, body: Value) -> Value {
        let request = reqwest::Client::new()
            .post(format!("{}/xrpc/{nsid}", pds_url()))
            .json(&body)
            .bearer_auth(&self.access)
            .header("atproto-proxy", chat_service());
        finish(nsid, request).await
    }

    pub async fn app_password(&self, name: &str) -> String {
        let reply = xrpc_post(
            "com.atproto.server.createAppPassword",
            Some(&self.access),
            json!({ "name": name }),
        )
        .await;
        reply["password"].as_str().expect("password").to_owned()
    }

    pub async fn revoke_app_password(&self, name: &str) {
        xrpc_post(
            "com.atproto.server.revokeAppPassword",
            Some(&self.access),
            json!({ "name": name }),
        )
        .await;
    }

    /// Sets the name other people see, as the profile record says it.
    pub async fn set_display_name(&self, name: &str) {
        xrpc_post(
            "com.atproto.repo.putRecord",
            Some(&self.access),
            json!({ "repo": self.did, "collection": "app.bsky.actor.profile", "rkey": "self",
                    "record": { "$type": "app.bsky.actor.profile", "displayName": name } }),
        )
        .await;
    }

    /// Writes a post with extra fields merged in (`reply`, `facets`, …) and waits until the
    /// AppView has indexed it.
    ///
    /// The wait matters: the AppView indexes different accounts' posts concurrently, and a
    /// reply indexed before its parent raises no notification at all (seen here in 3 of 6
    /// tries without the wait, 0 of 8 with it).
    pub async fn post_with(&self, text: &str, extra: Value) -> PostRef {
        let post = self.post_without_waiting(text, extra).await;
        self.wait_until_indexed(&post).await;
        post
    }

    /// Writes a post without waiting for the AppView, for bulk replies to an indexed parent.
    pub async fn post_without_waiting(&self, text: &str, extra: Value) -> PostRef {
        let mut record = json!({
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": jiff::Timestamp::now().to_string(),
        });
        if let (Some(record), Some(extra)) = (record.as_object_mut(), extra.as_object()) {
            record.extend(extra.clone());
        }
        let reply = xrpc_post(
            "com.atproto.repo.createRecord",
            Some(&self.access),
            json!({ "repo": self.did, "collection": "app.bsky.feed.post", "record": record }),
        )
        .await;
        PostRef {
            uri: reply["uri"].as_str().expect("uri").to_owned(),
            cid: reply["cid"].as_str().expect("cid").to_owned(),
        }
    }

    pub async fn post(&self, text: &str) -> PostRef {
        self.post_with(text, json!({})).await
    }

    /// Waits (up to 30 s) until the AppView shows `post`.
    pub async fn wait_until_indexed(&self, post: &PostRef) {
        for _ in 0..600 {
            let found = xrpc_get(
                "app.bsky.feed.getPosts",
                Some(&self.access),
                &[("uris", post.uri.as_str())],
            )
            .await;
            if found["posts"]
                .as_array()
                .is_some_and(|posts| !posts.is_empty())
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the AppView never indexed {}", post.uri);
    }

    /// Replies to `parent`, whose thread starts at `root`.
    pub async fn reply(&self, root: &PostRef, parent: &PostRef, text: &str) -> PostRef {
        self.post_with(
            text,
            json!({ "reply": { "root": root.json(), "parent": parent.json() } }),
        )
        .await
    }

    /// A post that @-mentions `other`, with the facet a Bluesky client would add.
    pub async fn mention(&self, other: &TestAccount, text_after: &str) -> PostRef {
        let mention = format!("@{}", other.handle);
        let text = format!("{mention} {text_after}");
        self.post_with(
            &text,
            json!({ "facets": [{
                "index": { "byteStart": 0, "byteEnd": mention.len() },
                "features": [{ "$type": "app.bsky.richtext.facet#mention", "did": other.did }],
            }] }),
        )
        .await
    }

    /// Quotes `post`.
    pub async fn quote(&self, post: &PostRef, text: &str) -> PostRef {
        self.post_with(
            text,
            json!({ "embed": { "$type": "app.bsky.embed.record", "record": post.json() } }),
        )
        .await
    }

    /// Deletes one of this account's posts, as any app would, and waits until the AppView
    /// no longer shows it.
    pub async fn delete_post(&self, post: &PostRef) {
        xrpc_post(
            "com.atproto.repo.deleteRecord",
            Some(&self.access),
            json!({ "repo": self.did, "collection": "app.bsky.feed.post", "rkey": post.rkey() }),
        )
        .await;
        for _ in 0..600 {
            let found = xrpc_get(
                "app.bsky.feed.getPosts",
                Some(&self.access),
                &[("uris", post.uri.as_str())],
            )
            .await;
            if found["posts"].as_array().is_some_and(Vec::is_empty) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the AppView still shows the deleted {}", post.uri);
    }

    /// The thread around `uri` as this account sees it, straight from the PDS.
    pub async fn thread(&self, uri: &str) -> Value {
        xrpc_get(
            "app.bsky.feed.getPostThread",
            Some(&self.access),
            &[("uri", uri), ("depth", "10")],
        )
        .await
    }

    /// An access token for this account that expired an hour ago, signed the way the
    /// reference PDS signs its own, so the server answers `ExpiredToken` to it.
    pub fn expired_access_token(&self) -> String {
        let payload = token_payload(&self.access);
        let now = jiff::Timestamp::now().as_second();
        let mut claims: Value = serde_json::from_slice(&payload).expect("claims are JSON");
        claims["iat"] = json!(now - 3 * 3600);
        claims["exp"] = json!(now - 3600);
        sign_hs256(&json!({ "typ": "at+jwt", "alg": "HS256" }), &claims)
    }
}

fn token_payload(jwt: &str) -> Vec<u8> {
    let payload = jwt.split('.').nth(1).expect("a JWT has a payload");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload")
}

fn sign_hs256(header: &Value, claims: &Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signing_input = format!(
        "{}.{}",
        engine.encode(header.to_string()),
        engine.encode(claims.to_string())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(DEV_ENV_JWT_SECRET).expect("any key size");
    mac.update(signing_input.as_bytes());
    let signature = engine.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// A raw XRPC procedure call that must succeed.
pub async fn xrpc_post(nsid: &str, bearer: Option<&str>, body: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{}/xrpc/{nsid}", pds_url()))
        .json(&body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    finish(nsid, request).await
}

/// A raw XRPC query that must succeed.
pub async fn xrpc_get(nsid: &str, bearer: Option<&str>, query: &[(&str, &str)]) -> Value {
    let mut request = reqwest::Client::new()
        .get(format!("{}/xrpc/{nsid}", pds_url()))
        .query(query);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    finish(nsid, request).await
}

/// A raw XRPC query that may fail: `None` for any error answer.
pub async fn try_xrpc_get(
    nsid: &str,
    bearer: Option<&str>,
    query: &[(&str, &str)],
) -> Option<Value> {
    let mut request = reqwest::Client::new()
        .get(format!("{}/xrpc/{nsid}", pds_url()))
        .query(query);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

async fn finish(nsid: &str, request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.expect("the PDS answers");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{nsid} failed with {status}: {body}");
    body
}
