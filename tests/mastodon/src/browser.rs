//! The person at the browser, for sign-in tests: opens the authorize page, signs in and
//! approves (or declines), as someone clicking through would.

/// Where the server sent the browser after the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A redirect to the client, e.g. Earshot's loopback listener.
    Redirect(String),
    /// A page (the out-of-band code page, or an error page).
    Page { status: u16, html: String },
}

/// Opens `authorize_url`, signs in as `username`, and clicks Authorize (or Deny).
pub async fn decide(authorize_url: &str, username: &str, approve: bool) -> Outcome {
    let browser = reqwest::Client::builder()
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) test browser")
        .redirect(reqwest::redirect::Policy::none())
        // Browsers send a request again when a kept connection turns out closed; a fresh
        // connection each time does the same against servers that close them (snac).
        .pool_max_idle_per_host(0)
        .build()
        .expect("a browser");
    let page = browser
        .get(authorize_url)
        .send()
        .await
        .expect("authorize page");
    assert!(
        page.status().is_success(),
        "the authorize page opens: {}",
        page.status()
    );
    let html = page.text().await.expect("html");
    assert!(html.contains("Authorize"), "{html}");
    let url = reqwest::Url::parse(authorize_url).expect("url");
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("username".into(), username.into()));
    form.push((
        "decision".into(),
        if approve { "approve" } else { "deny" }.into(),
    ));
    let mut action = url.clone();
    action.set_query(None);
    let answer = browser
        .post(action)
        .form(&form)
        .send()
        .await
        .expect("the decision is sent");
    match answer
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
    {
        Some(location) => Outcome::Redirect(location.to_owned()),
        None => Outcome::Page {
            status: answer.status().as_u16(),
            html: answer.text().await.unwrap_or_default(),
        },
    }
}

/// The code on the out-of-band page.
pub fn code_on_page(html: &str) -> Option<String> {
    html.split("<code id=\"authorization-code\">")
        .nth(1)?
        .split("</code>")
        .next()
        .map(str::to_owned)
}
