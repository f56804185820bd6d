use earshot_e2e::{Driver, Result};
use serde_json::{Value, json};

fn pds_url() -> String {
    std::env::var("EARSHOT_TEST_PDS_URL")
        .expect("EARSHOT_TEST_PDS_URL: run inside tests/atproto/with-atproto.sh (make test does)")
}

/// A new account on the reference PDS and an app password for it: (handle, app password).
async fn new_account() -> Result<(String, String)> {
    let handle = format!("ui{}.test", std::process::id());
    let http = reqwest::Client::new();
    let xrpc = |nsid: &str| format!("{}/xrpc/{nsid}", pds_url());
    let created: Value = http
        .post(xrpc("com.atproto.server.createAccount"))
        .json(&json!({ "email": format!("{handle}@example.com"), "handle": handle, "password": "main-pw" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let access = created["accessJwt"].as_str().ok_or("no accessJwt")?;
    let app: Value = http
        .post(xrpc("com.atproto.server.createAppPassword"))
        .bearer_auth(access)
        .json(&json!({ "name": "Earshot" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok((
        handle,
        app["password"].as_str().ok_or("no password")?.to_owned(),
    ))
}

#[tokio::test]
#[ignore = "needs the built app, the desktop session and the Bluesky reference servers (make test)"]
async fn a_bluesky_account_is_added_kept_and_signed_out_through_the_ui() -> Result<()> {
    let (handle, app_password) = new_account().await?;
    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    app.click("[data-testid=nav-accounts]").await?;

    // A wrong password is refused in words and the form stays usable.
    app.css("[data-testid=bluesky-identifier]")
        .await?
        .send_keys(&handle)
        .await?;
    app.css("[data-testid=bluesky-app-password]")
        .await?
        .send_keys("wrong-wrong")
        .await?;
    app.click("details summary").await?;
    app.css("[data-testid=bluesky-service]")
        .await?
        .send_keys(&pds_url())
        .await?;
    app.click("[data-testid=bluesky-sign-in]").await?;
    let error = app
        .css("[data-testid=accounts-error]")
        .await?
        .text()
        .await?;
    assert!(
        error.contains("did not accept"),
        "the refusal is explained: {error}"
    );
    app.expect_texts("[data-testid=account-row] .handle", &[])
        .await?;

    app.css("[data-testid=bluesky-app-password]")
        .await?
        .send_keys(&app_password)
        .await?;
    app.click("[data-testid=bluesky-sign-in]").await?;
    let at_handle = format!("@{handle}");
    app.expect_texts("[data-testid=account-row] .handle", &[&at_handle])
        .await?;
    app.quit_from_tray().await?;

    let app = driver.launch().await?;
    app.click("[data-testid=nav-accounts]").await?;
    app.expect_texts("[data-testid=account-row] .handle", &[&at_handle])
        .await?;
    app.click("[data-testid=remove-account]").await?;
    app.click("[data-testid=remove-account]").await?; // "Confirm sign out"
    app.expect_texts("[data-testid=account-row] .handle", &[])
        .await?;
    app.quit_from_tray().await
}
