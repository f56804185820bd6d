//! The test server's GoToSocial profile against exchanges recorded from a real GoToSocial
//! server (`fixtures/gotosocial/`, copied from the team's shared fixtures; its README says
//! how they were made). Each request is made again on the test server with the same world
//! set up (alice and bob, the same posts), and the answer must match the recording field by
//! field: the same names, the same JSON types, the same status — and, where the server's
//! rendering is the point (content HTML, error texts, redirect URIs), the same values. A
//! profile that drifts from the real server fails here.

use std::collections::BTreeSet;

use earshot_mastodon_server::{MastodonServer, Profile, TestUser};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/gotosocial");
/// The recorded server's host, written into URLs and content.
const RECORDED_HOST: &str = "localhost:8080";

fn fixture(name: &str) -> Value {
    let path = format!("{FIXTURES}/{name}.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn recorded(name: &str) -> (u16, Value) {
    let exchange = fixture(name);
    let status = exchange["response"]["status"].as_u64().expect("status") as u16;
    (status, exchange["response"]["body"].clone())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `ours` differs from `theirs` in names, types or presence. A null on either side
/// matches anything (whether a field is set depends on the data); an array's items are
/// each compared with the recording's first item.
fn shape_differences(theirs: &Value, ours: &Value, at: &str, out: &mut Vec<String>) {
    match (theirs, ours) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(theirs), Value::Object(ours)) => {
            let their_keys: BTreeSet<&String> = theirs.keys().collect();
            let our_keys: BTreeSet<&String> = ours.keys().collect();
            for missing in their_keys.difference(&our_keys) {
                out.push(format!("{at}.{missing}: missing"));
            }
            for extra in our_keys.difference(&their_keys) {
                out.push(format!("{at}.{extra}: not in the recording"));
            }
            for key in their_keys.intersection(&our_keys) {
                shape_differences(&theirs[*key], &ours[*key], &format!("{at}.{key}"), out);
            }
        }
        (Value::Array(theirs), Value::Array(ours)) => {
            if let Some(first) = theirs.first() {
                for (i, item) in ours.iter().enumerate() {
                    shape_differences(first, item, &format!("{at}[{i}]"), out);
                }
            }
        }
        (theirs, ours) if kind(theirs) != kind(ours) => {
            out.push(format!(
                "{at}: {} recorded, {} here",
                kind(theirs),
                kind(ours)
            ));
        }
        _ => {}
    }
}

#[track_caller]
fn assert_same_shape(name: &str, ours: &(u16, Value)) {
    let (status, theirs) = recorded(name);
    assert_eq!(ours.0, status, "{name}: status");
    let mut differences = Vec::new();
    shape_differences(&theirs, &ours.1, "", &mut differences);
    assert!(
        differences.is_empty(),
        "{name}: the test server differs from the recording:\n{}\nours: {}",
        differences.join("\n"),
        ours.1
    );
}

/// The test server with alice and bob, and a client that speaks to it as GoToSocial's
/// recorder did.
struct World {
    server: MastodonServer,
    alice: TestUser,
    bob: TestUser,
    http: reqwest::Client,
}

impl World {
    async fn new() -> Self {
        let server = MastodonServer::start(Profile::gotosocial()).await;
        let alice = server.add_user("alice", "alice");
        let bob = server.add_user("bob", "bob");
        let http = reqwest::Client::builder()
            .user_agent("gts-fixture-recorder/1.0")
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            server,
            alice,
            bob,
            http,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    async fn answer(response: reqwest::Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn get(&self, path: &str, as_user: Option<&TestUser>) -> (u16, Value) {
        let mut request = self.http.get(self.url(path));
        if let Some(user) = as_user {
            request = request.bearer_auth(&user.token);
        }
        Self::answer(request.send().await.expect("sent")).await
    }

    async fn post_form(&self, path: &str, as_user: Option<&TestUser>, form: &str) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if let Some(user) = as_user {
            request = request.bearer_auth(&user.token);
        }
        Self::answer(request.send().await.expect("sent")).await
    }

    async fn post_json(&self, path: &str, as_user: &TestUser, body: &Value) -> (u16, Value) {
        let request = self
            .http
            .post(self.url(path))
            .bearer_auth(&as_user.token)
            .json(body);
        Self::answer(request.send().await.expect("sent")).await
    }

    /// Replays a recorded request's body (form or JSON) on the same path.
    async fn replay(&self, name: &str, as_user: Option<&TestUser>) -> (u16, Value) {
        let exchange = fixture(name);
        let request = &exchange["request"];
        let path = request["path"].as_str().expect("path");
        match &request["body"] {
            Value::String(form) => self.post_form(path, as_user, form).await,
            Value::Null => self.get(path, as_user).await,
            json => {
                let user = as_user.expect("a JSON body is sent as someone");
                self.post_json(path, user, json).await
            }
        }
    }

    /// The recorded value with the recorded host replaced by the test server's.
    fn here(&self, value: &Value) -> String {
        value
            .as_str()
            .unwrap_or_default()
            .replace(RECORDED_HOST, self.server.host())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_registration_answers_as_gotosocial_does() {
    let world = World::new().await;
    for name in [
        "01-apps-redirect-uris-newline",
        "01-apps-redirect-uris-space",
        "01-apps-redirect-uris-array-form",
        "01-apps-redirect-uris-array-form-no-oob",
        "01-apps-no-redirect-uris",
        "01-apps-redirect-uris-array-json",
    ] {
        let ours = if name.ends_with("array-json") {
            let body = fixture(name)["request"]["body"].clone();
            let response = world
                .http
                .post(world.url("/api/v1/apps"))
                .json(&body)
                .send()
                .await
                .expect("sent");
            World::answer(response).await
        } else {
            world.replay(name, None).await
        };
        assert_same_shape(name, &ours);
        let (_, theirs) = recorded(name);
        assert_eq!(
            ours.1["redirect_uris"], theirs["redirect_uris"],
            "{name}: the same URIs stored"
        );
        assert_eq!(ours.1["redirect_uri"], theirs["redirect_uri"], "{name}");
        if ours.0 != 200 {
            assert_eq!(ours.1, theirs, "{name}: the same refusal");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn instance_and_account_answer_as_gotosocial_does() {
    let world = World::new().await;
    for (name, path) in [
        ("02-instance-v1-noauth", "/api/v1/instance"),
        ("02-instance-v2-noauth", "/api/v2/instance"),
    ] {
        assert_same_shape(name, &world.get(path, None).await);
    }
    assert_same_shape(
        "02-instance-v2-auth",
        &world.get("/api/v2/instance", Some(&world.alice)).await,
    );
    assert_same_shape(
        "03-verify-credentials-alice",
        &world
            .get("/api/v1/accounts/verify_credentials", Some(&world.alice))
            .await,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn statuses_render_and_list_as_gotosocial_does() {
    let world = World::new().await;
    let (_, first) = world
        .post_form(
            "/api/v1/statuses",
            Some(&world.alice),
            "status=Hello+from+alice%2C+first+post.&visibility=public",
        )
        .await;
    assert_same_shape("04-setup-alice-post-public", &(200, first.clone()));
    for name in [
        "04-bob-post-public-mention",
        "04-bob-post-direct",
        "04-bob-post-double-space",
        "04-bob-post-hashtag",
        "04-bob-post-html-not-bold",
        "04-bob-post-mention-with-link",
        "04-bob-post-custom-emoji-text",
    ] {
        let ours = world.replay(name, Some(&world.bob)).await;
        assert_same_shape(name, &ours);
        let (_, theirs) = recorded(name);
        assert_eq!(
            ours.1["content"].as_str(),
            Some(world.here(&theirs["content"]).as_str()),
            "{name}: the same HTML"
        );
        assert_eq!(
            ours.1["text"], theirs["text"],
            "{name}: the source text kept"
        );
    }
    let reply_to = first["id"].as_str().expect("id");
    let reply = format!("status=%40alice+thanks&visibility=public&in_reply_to_id={reply_to}");
    let (_, ours_reply) = world
        .post_form("/api/v1/statuses", Some(&world.bob), &reply)
        .await;
    assert_same_shape("04-bob-post-reply-to-alice", &(200, ours_reply.clone()));
    let reply_id = ours_reply["id"].as_str().expect("id");
    assert_same_shape(
        "05-status-reply",
        &world
            .get(&format!("/api/v1/statuses/{reply_id}"), Some(&world.alice))
            .await,
    );
    assert_same_shape(
        "05-status-reply-context",
        &world
            .get(
                &format!("/api/v1/statuses/{reply_id}/context"),
                Some(&world.alice),
            )
            .await,
    );
    assert_same_shape(
        "04-notifications-default",
        &world
            .get("/api/v1/notifications?types[]=mention", Some(&world.alice))
            .await,
    );
    assert_same_shape(
        "07-alice-account-statuses",
        &world
            .get(
                &format!("/api/v1/accounts/{}/statuses?limit=40", world.alice.id),
                Some(&world.alice),
            )
            .await,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn notification_types_it_does_not_know_are_dropped_as_gotosocial_does() {
    let world = World::new().await;
    world.server.post(&world.bob, "@alice one", None, "public");
    world.server.notify(&world.alice, &world.bob, "favourite");
    let kinds = |body: &Value| -> BTreeSet<String> {
        body.as_array()
            .expect("a list")
            .iter()
            .filter_map(|n| n["type"].as_str().map(str::to_owned))
            .collect()
    };
    let (_, both) = world
        .get(
            "/api/v1/notifications?types[]=mention&types[]=quote&limit=40",
            Some(&world.alice),
        )
        .await;
    assert_eq!(kinds(&both), BTreeSet::from(["mention".to_owned()]));
    let (_, quote_only) = world
        .get("/api/v1/notifications?types[]=quote", Some(&world.alice))
        .await;
    assert_eq!(
        kinds(&quote_only),
        BTreeSet::from(["mention".to_owned(), "favourite".to_owned()]),
        "only an unknown type: no filter at all, as recorded"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_keys_are_ignored_as_gotosocial_does() {
    let world = World::new().await;
    let send = async || {
        let response = world
            .http
            .post(world.url("/api/v1/statuses"))
            .bearer_auth(&world.alice.token)
            .header("Idempotency-Key", "k1")
            .form(&[("status", "same again"), ("visibility", "public")])
            .send()
            .await
            .expect("sent");
        World::answer(response).await
    };
    let first = send().await;
    let second = send().await;
    assert_same_shape("06-alice-reply-dm-idempotency-2", &second);
    assert_ne!(
        first.1["id"], second.1["id"],
        "the same key twice makes two statuses"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn markers_scheduled_statuses_and_deletes_answer_as_gotosocial_does() {
    let world = World::new().await;
    assert_same_shape(
        "08-markers-get-before",
        &world
            .get(
                "/api/v1/markers?timeline[]=notifications",
                Some(&world.alice),
            )
            .await,
    );
    world.server.post(&world.bob, "@alice hi", None, "public");
    let (_, notifications) = world.get("/api/v1/notifications", Some(&world.alice)).await;
    let last = notifications[0]["id"].clone();
    assert_same_shape(
        "08-markers-post-json",
        &world
            .post_json(
                "/api/v1/markers",
                &world.alice,
                &json!({ "notifications": { "last_read_id": last } }),
            )
            .await,
    );

    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_mins(10)).to_string();
    let created = world
        .post_json(
            "/api/v1/statuses",
            &world.alice,
            &json!({ "status": "this is scheduled for later", "visibility": "public", "scheduled_at": at }),
        )
        .await;
    assert_same_shape("09-scheduled-status-create", &created);
    let id = created.1["id"].as_str().expect("id").to_owned();
    assert_same_shape(
        "09-scheduled-status-get",
        &world
            .get(
                &format!("/api/v1/scheduled_statuses/{id}"),
                Some(&world.alice),
            )
            .await,
    );
    assert_same_shape(
        "09-scheduled-statuses-list",
        &world
            .get("/api/v1/scheduled_statuses", Some(&world.alice))
            .await,
    );

    let (_, doomed) = world
        .post_form(
            "/api/v1/statuses",
            Some(&world.bob),
            "status=%40alice+testing+a+%23FixtureTag+hashtag&visibility=public",
        )
        .await;
    let doomed = doomed["id"].as_str().expect("id");
    let response = world
        .http
        .delete(world.url(&format!("/api/v1/statuses/{doomed}")))
        .bearer_auth(&world.bob.token)
        .send()
        .await
        .expect("sent");
    assert_same_shape("10-bob-delete-status", &World::answer(response).await);
    let gone = world
        .get(&format!("/api/v1/statuses/{doomed}"), Some(&world.alice))
        .await;
    assert_eq!(gone, recorded("10-alice-get-deleted-status"));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_read_as_gotosocial_writes_them() {
    let world = World::new().await;
    let stranger = TestUser {
        token: "not-a-token".into(),
        ..world.alice.clone()
    };
    assert_eq!(
        world.get("/api/v1/notifications", Some(&stranger)).await,
        recorded("11-error-bad-token")
    );
    assert_eq!(
        world.get("/api/v1/notifications", None).await,
        recorded("11-error-no-auth-notifications")
    );
    assert_eq!(
        world
            .get(
                "/api/v1/statuses/01NOSUCHSTATUS0000000000000",
                Some(&world.alice)
            )
            .await,
        recorded("11-error-status-not-found")
    );
    let too_long = format!("status={}&visibility=public", "x".repeat(5001));
    assert_eq!(
        world
            .post_form("/api/v1/statuses", Some(&world.alice), &too_long)
            .await,
        recorded("11-error-status-too-long")
    );
    let anonymous = reqwest::Client::builder()
        .build()
        .expect("client")
        .get(world.url("/api/v1/instance"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        World::answer(anonymous).await,
        recorded("11-error-no-user-agent")
    );
}
