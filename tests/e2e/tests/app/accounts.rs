use earshot_e2e::{Driver, Result, TestAccount};

#[tokio::test]
#[ignore = "needs the built app, the desktop session and the Bluesky reference servers (make test)"]
async fn a_bluesky_account_is_added_kept_and_signed_out_through_the_ui() -> Result<()> {
    let account = TestAccount::create("ui").await;
    let (handle, app_password) = (
        account.handle.clone(),
        account.app_password("Earshot").await,
    );
    let driver = Driver::start().await?;
    let app = driver.launch().await?;
    app.click("[data-testid=nav-accounts]").await?;

    // A wrong password is refused in words and the form stays usable.
    app.fill_bluesky_sign_in(&handle, "wrong-wrong").await?;
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

    app.type_into("[data-testid=bluesky-app-password]", &app_password)
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
    // No plans on this account: one more click confirms.
    app.expect_texts("[data-testid=remove-account]", &["Confirm sign out"])
        .await?;
    app.click("[data-testid=remove-account]").await?;
    app.expect_texts("[data-testid=account-row] .handle", &[])
        .await?;
    app.quit_from_tray().await
}
