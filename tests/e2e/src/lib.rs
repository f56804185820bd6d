//! Drives the real, built Earshot app through `tauri-driver` + WebKitWebDriver.
//!
//! Run inside tests/desktop/with-desktop.sh (a display, a session bus, a notification daemon,
//! a keyring and a tray watcher); `make test` does. Each [`Driver`] owns one tauri-driver on
//! free ports and one data folder, so tests never share state or touch the real folder.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::process::{Child, Command};

pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// How long any one thing in the UI may take to appear before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The app under test: `EARSHOT_APP_BINARY`, else the workspace's debug build (which
/// `make test` builds with the UI embedded).
pub fn app_binary() -> PathBuf {
    std::env::var_os("EARSHOT_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/earshot"))
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A test's data folder, and the means to launch Earshot on it.
#[derive(Debug)]
pub struct Driver {
    data_dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    keep_guide: bool,
}

impl Driver {
    pub async fn start() -> Result<Self> {
        Ok(Self {
            data_dir: tempfile::tempdir()?,
            env: Vec::new(),
            keep_guide: false,
        })
    }

    /// Leaves the first-run guide up on a fresh data folder; by default [`Driver::launch`]
    /// skips it as a person in a hurry would, and the test starts on Owed.
    pub fn keeping_the_guide(mut self) -> Self {
        self.keep_guide = true;
        self
    }

    /// Sets an environment variable for every Earshot this driver launches.
    pub fn with_env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Lets every Earshot this driver launches sign in to Mastodon servers as `username`:
    /// `$BROWSER` is tests/desktop/approve_oauth.py, which approves as the person would.
    pub fn approving_mastodon_sign_in_as(self, username: &str) -> Self {
        let approve = Path::new(env!("CARGO_MANIFEST_DIR")).join("../desktop/approve_oauth.py");
        self.with_env("BROWSER", &approve.to_string_lossy())
            .with_env("EARSHOT_TEST_OAUTH_USER", username)
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Starts Earshot and waits until its first screen has rendered.
    ///
    /// Every launch gets a tauri-driver (and so a WebKitWebDriver) of its own: on a loaded
    /// machine, WebKitWebDriver may drop a new session's request while it is still tearing
    /// down the previous one.
    pub async fn launch(&self) -> Result<App> {
        let port = free_port()?;
        let native_port = free_port()?;
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // The app inherits these through WebKitWebDriver: its own data folder, and the
            // reference servers' PLC directory so DIDs resolve to the reference PDS.
            .env("EARSHOT_DATA_DIR", self.data_dir.path())
            .envs(
                std::env::var_os("EARSHOT_TEST_PLC_URL").map(|plc| ("EARSHOT_PLC_DIRECTORY", plc)),
            )
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("tauri-driver did not start ({e}); `make test` installs it"))?;
        let driver_pid = driver.id().ok_or("tauri-driver exited at once")?;
        // tauri-driver proxies to WebKitWebDriver, which it starts itself: a session request
        // sent before *both* listen is dropped (seen on a loaded machine).
        for listening in [port, native_port] {
            let deadline = Instant::now() + PATIENCE;
            while tokio::net::TcpStream::connect(("127.0.0.1", listening))
                .await
                .is_err()
            {
                if Instant::now() > deadline {
                    return Err(
                        format!("nothing listened on the WebDriver port {listening}").into(),
                    );
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }

        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary() }),
        );
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let url = format!("http://127.0.0.1:{port}");
        let connected = tokio::time::timeout(PATIENCE, builder.connect(&url)).await;
        let stop_on_failure = Processes {
            root: driver_pid,
            _driver: driver,
        };
        let client = connected.map_err(|_| "WebKitWebDriver did not start Earshot in time")??;
        let app = App {
            client,
            processes: stop_on_failure,
        };
        // A screen is chosen once the first answers from Rust are in.
        app.wait_for(Locator::Css(
            "nav [aria-current=page], [data-testid=startup-error]",
        ))
        .await?;
        let on_guide = !app
            .client
            .find_all(Locator::Css("[data-testid=nav-guide][aria-current=page]"))
            .await?
            .is_empty();
        if on_guide && !self.keep_guide {
            app.click("[data-testid=guide-skip]").await?;
            app.css("[data-testid=nav-owed][aria-current=page]").await?;
        }
        Ok(app)
    }
}

/// A tauri-driver and everything below it (WebKitWebDriver, Earshot). Dropping it stops
/// them all — killing tauri-driver alone would leave the others running — and waits until
/// they are gone, so that the next launch cannot find an old Earshot still holding the
/// single-instance name and hand over to it.
#[derive(Debug)]
struct Processes {
    root: u32,
    _driver: Child,
}

impl Drop for Processes {
    fn drop(&mut self) {
        let mut doomed = descendants(self.root);
        doomed.push(self.root);
        for process in &doomed {
            let _ = std::process::Command::new("kill")
                .args(["-9", &process.to_string()])
                .status();
        }
        let deadline = Instant::now() + PATIENCE;
        while doomed
            .iter()
            .any(|&p| Path::new(&format!("/proc/{p}")).exists() && !is_zombie(p))
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The element was replaced by a re-render between finding it and using it.
fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    matches!(error, fantoccini::error::CmdError::Standard(e)
        if e.error == fantoccini::error::ErrorStatus::StaleElementReference)
}

/// One running Earshot, driven through WebDriver.
#[derive(Debug)]
pub struct App {
    pub client: Client,
    processes: Processes,
}

impl App {
    /// Waits for an element to be present. A timeout names what was awaited, so a failing
    /// test says where it stopped.
    pub async fn wait_for(&self, locator: Locator<'_>) -> Result<Element> {
        let wanted = format!("{locator:?}");
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(locator)
            .await
            .map_err(|e| format!("waiting for {wanted}: {e}").into())
    }

    pub async fn css(&self, selector: &str) -> Result<Element> {
        self.wait_for(Locator::Css(selector)).await
    }

    /// Polls `check` until it returns true.
    pub async fn until<F, Fut>(&self, what: &str, mut check: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<bool>>,
    {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if check().await? {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting until {what}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs axe-core (ui/node_modules, the version ui/package.json pins) on the page as it
    /// is now: the serious and critical violations, one line each with where they are.
    pub async fn axe_violations(&self) -> Result<Vec<String>> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await?;
        if loaded != serde_json::json!(true) {
            let axe = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../ui/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&axe)
                .map_err(|e| format!("{}: {e} (npm ci --prefix ui installs it)", axe.display()))?;
            self.client.execute(&source, vec![]).await?;
        }
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then((result) => done(result.violations
                     .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                     .flatMap((v) => v.nodes.map((n) =>
                       `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary ?? v.help}`))))
                   .catch((e) => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    /// Types `keys` into whatever has focus, as the keyboard would (WebDriver key codes for
    /// Tab, Escape and the like: [`fantoccini::key::Key`]).
    pub async fn press(&self, keys: &str) -> Result<()> {
        self.client.active_element().await?.send_keys(keys).await?;
        Ok(())
    }

    /// Whether the focused element is, or is inside, an element matching `selector`.
    pub async fn focus_is_in(&self, selector: &str) -> Result<bool> {
        let inside = self
            .client
            .execute(
                "const active = document.activeElement;
                 return Boolean(active && active !== document.body && active.closest(arguments[0]));",
                vec![serde_json::json!(selector)],
            )
            .await?;
        Ok(inside == serde_json::json!(true))
    }

    /// Waits until focus lands in `selector`; the error says where it is instead.
    pub async fn expect_focus_in(&self, selector: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.focus_is_in(selector).await? {
            if Instant::now() > deadline {
                let at = self
                    .client
                    .execute(
                        "const a = document.activeElement;
                         return a ? a.outerHTML.slice(0, 160) : 'nothing';",
                        vec![],
                    )
                    .await?;
                return Err(format!("focus is not in {selector} but on {at}").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Turns quiet hours off for every day in Settings (they are on from 22:00 to 07:00 by
    /// default: a test that expects a notification must not depend on the hour it runs at).
    pub async fn turn_off_quiet_hours(&self) -> Result<()> {
        self.click("[data-testid=nav-settings]").await?;
        self.css("[data-testid=quiet-day]").await?;
        let turned_off = self
            .client
            .execute(
                "const days = [...document.querySelectorAll('[data-testid=quiet-day]')];
                 for (const day of days) if (day.checked) day.click();
                 return days.filter((day) => day.checked).length;",
                vec![],
            )
            .await?;
        if turned_off != serde_json::json!(0) {
            return Err(format!("quiet hours still on for {turned_off} days").into());
        }
        Ok(())
    }

    /// The text content of all elements matching `selector`, in document order, trimmed.
    /// Read in one script, so a re-render between finding and reading cannot go stale.
    /// (WebKitWebDriver's "visible text" also drops text in ellipsised spans.)
    pub async fn texts(&self, selector: &str) -> Result<Vec<String>> {
        let texts = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]), \
                 (e) => e.textContent.trim());",
                vec![selector.into()],
            )
            .await?;
        Ok(serde_json::from_value(texts)?)
    }

    /// Types into the first element matching `selector`, as keystrokes, finding it again if
    /// a re-render replaced it before the first key arrived.
    pub async fn type_into(&self, selector: &str, text: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.css(selector).await?.send_keys(text).await {
                Ok(()) => return Ok(()),
                Err(e) if is_stale(&e) && Instant::now() < deadline => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Fills the Accounts screen's Bluesky form for the reference PDS (Advanced → server);
    /// the caller submits it.
    pub async fn fill_bluesky_sign_in(&self, handle: &str, password: &str) -> Result<()> {
        self.type_into("[data-testid=bluesky-identifier]", handle)
            .await?;
        self.type_into("[data-testid=bluesky-app-password]", password)
            .await?;
        // After a first sign-in, Advanced is still open (a second click would close it) and
        // the server still filled in (typing would add to it).
        self.client
            .execute(
                "const service = document.querySelector('[data-testid=bluesky-service]');
                 const advanced = service.closest('details');
                 if (!advanced.open) advanced.querySelector('summary').click();
                 service.value = '';
                 service.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![],
            )
            .await?;
        self.type_into("[data-testid=bluesky-service]", &pds_url())
            .await
    }

    /// Signs in to the reference PDS from the Accounts screen, as a person would.
    pub async fn sign_in_to_bluesky(&self, handle: &str, password: &str) -> Result<()> {
        self.click("[data-testid=nav-accounts]").await?;
        self.fill_bluesky_sign_in(handle, password).await?;
        self.click("[data-testid=bluesky-sign-in]").await
    }

    /// Starts a Mastodon sign-in from the Accounts screen; the driver's stand-in browser
    /// ([`Driver::approving_mastodon_sign_in_as`]) approves and Earshot finishes by itself.
    pub async fn sign_in_to_mastodon(&self, server_url: &str) -> Result<()> {
        self.click("[data-testid=nav-accounts]").await?;
        self.type_into("[data-testid=mastodon-server]", server_url)
            .await?;
        self.click("[data-testid=mastodon-sign-in]").await
    }

    /// Clicks the first element matching `selector`, finding it again if a re-render
    /// replaced it between finding and clicking.
    pub async fn click(&self, selector: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.css(selector).await?.click().await {
                Ok(()) => return Ok(()),
                Err(e) if is_stale(&e) && Instant::now() < deadline => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Clicks the first `testid` row whose text contains `text`: where rows
    /// come from a server, their order can depend on when it indexed each post.
    pub async fn click_row(&self, testid: &str, text: &str) -> Result<()> {
        let row = format!("//*[@data-testid='{testid}'][contains(., '{text}')]");
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.wait_for(Locator::XPath(&row)).await?.click().await {
                Ok(()) => return Ok(()),
                Err(e) if is_stale(&e) && Instant::now() < deadline => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Inserts text at the caret as an input method or emoji picker does. WebKitWebDriver's
    /// key typing drops characters outside the Basic Multilingual Plane (emoji), so tests
    /// type what they can and insert the rest this way; the page sees a real input event.
    pub async fn insert_text(&self, text: &str) -> Result<()> {
        let inserted = self
            .client
            .execute(
                "return document.execCommand('insertText', false, arguments[0]);",
                vec![text.into()],
            )
            .await?;
        if inserted != serde_json::Value::Bool(true) {
            return Err(format!("the page refused to insert {text:?}").into());
        }
        Ok(())
    }

    /// Waits until the elements matching `selector` show exactly `want`; on time-out the
    /// error names what was there instead.
    pub async fn expect_texts(&self, selector: &str, want: &[&str]) -> Result<()> {
        self.expect_texts_within(selector, want, PATIENCE).await
    }

    /// [`App::expect_texts`] with a patience of its own, e.g. a sync's poll interval.
    pub async fn expect_texts_within(
        &self,
        selector: &str,
        want: &[&str],
        patience: Duration,
    ) -> Result<()> {
        let deadline = Instant::now() + patience;
        loop {
            let got = self.texts(selector).await?;
            if got == want {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{selector}: expected {want:?}, found {got:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The textarea's value, exactly (WebDriver's element text would normalise whitespace).
    pub async fn editor_value(&self) -> Result<String> {
        let editor = self.css("[data-testid=draft-editor]").await?;
        Ok(editor.prop("value").await?.unwrap_or_default())
    }

    /// Waits until the editor says everything typed is stored.
    pub async fn wait_until_saved(&self) -> Result<()> {
        self.until("the draft is saved", || async {
            let status = self.css("[data-testid=save-status]").await?;
            Ok(status.attr("data-state").await?.as_deref() == Some("saved"))
        })
        .await
    }

    /// The Earshot process started for this session: the app binary among tauri-driver's
    /// descendants.
    pub fn pid(&self) -> Result<u32> {
        let binary = std::fs::canonicalize(app_binary())?;
        descendants(self.processes.root)
            .into_iter()
            .find(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe")).ok().as_ref() == Some(&binary)
            })
            .ok_or_else(|| "the Earshot process is not running".into())
    }

    /// The names of the processes Earshot runs besides itself (WebKit's web and network
    /// processes while a window exists).
    pub fn helper_processes(&self) -> Result<Vec<String>> {
        let app = self.pid()?;
        Ok(descendants(app)
            .into_iter()
            .filter(|pid| *pid != app)
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
            .map(|name| name.trim().to_owned())
            .collect())
    }

    /// The environment a process Earshot runs besides itself was started with, by its
    /// executable's file name (`WebKitWebProcess`; `comm` would cut it to 15 characters): what
    /// Earshot's own environment held when it started that process.
    pub fn helper_environment(&self, executable: &str) -> Result<Vec<String>> {
        let app = self.pid()?;
        let pid = descendants(app)
            .into_iter()
            .filter(|pid| *pid != app)
            .find(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|exe| exe.file_name().is_some_and(|name| name == executable))
            })
            .ok_or_else(|| format!("Earshot runs no {executable}"))?;
        let environ = std::fs::read(format!("/proc/{pid}/environ"))?;
        Ok(environ
            .split(|byte| *byte == 0)
            .filter(|entry| !entry.is_empty())
            .map(|entry| String::from_utf8_lossy(entry).into_owned())
            .collect())
    }

    /// Quits the way a person does: "Quit Earshot" in the tray menu. Waits for the exit.
    pub async fn quit_from_tray(self) -> Result<()> {
        let pid = self.pid()?;
        tray(&["click", "Quit Earshot"]).await?;
        wait_for_exit(pid).await?;
        self.end_session().await;
        Ok(())
    }

    /// Ends the WebDriver session once the app is gone. Only tidies the driver's side, so a
    /// driver that no longer answers is not waited for.
    async fn end_session(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.client.close()).await;
    }

    /// `kill -9`: no chance to flush anything.
    pub async fn kill_hard(self) -> Result<()> {
        let pid = self.pid()?;
        let status = Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .await?;
        if !status.success() {
            return Err(format!("kill -9 {pid} failed").into());
        }
        wait_for_exit(pid).await?;
        self.end_session().await;
        Ok(())
    }
}

/// Runs tests/desktop/tray.py, which talks to the tray menu over D-Bus like a panel does.
pub async fn tray(args: &[&str]) -> Result<String> {
    desktop_probe("tray.py", args).await
}

/// How many pixels of the tray icon, as the panel reads it over StatusNotifierItem, have
/// exactly this colour (RGBA). The owed count is drawn as a red disc, an account needing the
/// person as an amber one.
pub async fn tray_icon_pixels(colour: [u8; 4]) -> Result<usize> {
    let path = tray(&["icon"]).await?;
    let bytes = std::fs::read(path.trim())?;
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info()?;
    let mut pixels = vec![0; reader.output_buffer_size().ok_or("a huge tray icon")?];
    let frame = reader.next_frame(&mut pixels)?;
    if frame.color_type != png::ColorType::Rgba {
        return Err(format!("the tray icon is {:?}, not RGBA", frame.color_type).into());
    }
    Ok(pixels[..frame.buffer_size()]
        .chunks_exact(4)
        .filter(|pixel| *pixel == colour)
        .count())
}

/// The red of the count badge on the tray icon.
pub const TRAY_COUNT_RED: [u8; 4] = [0xC6, 0x28, 0x28, 0xFF];

/// The amber of the tray icon's "an account needs you" mark.
pub const TRAY_ATTENTION_AMBER: [u8; 4] = [0xF2, 0x9B, 0x0C, 0xFF];

/// Clicks the window's close button, in effect: tests/desktop/window.py sends it
/// WM_DELETE_WINDOW as a window manager would.
///
/// Waits until the window is gone from the screen, asking again every 2 s as a person clicks
/// again when nothing happens: a request that arrives while a loaded machine is still
/// settling the window can go unanswered.
pub async fn close_window(title: &str) -> Result<()> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        desktop_probe("window.py", &["close", title]).await?;
        let asked = Instant::now();
        while asked.elapsed() < Duration::from_secs(2) {
            if !window_shown(title).await? {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if Instant::now() > deadline {
            return Err(format!("the window {title:?} stayed on screen after being closed").into());
        }
    }
}

/// The first and last row (window coordinates) of the window titled `title` with a pixel of
/// exactly `colour` (`RRGGBB`) in columns `x0..x1`: what the screen shows, read from X, for
/// a window WebDriver can no longer see (its webview was rebuilt).
pub async fn rows_with_colour(
    title: &str,
    colour: &str,
    x0: u32,
    x1: u32,
) -> Result<Option<(u32, u32)>> {
    let out = desktop_probe(
        "window.py",
        &["rows", title, colour, &x0.to_string(), &x1.to_string()],
    )
    .await?;
    let mut rows = out.split_whitespace().map(str::parse::<u32>);
    Ok(match (rows.next(), rows.next()) {
        (Some(first), Some(last)) => Some((first?, last?)),
        _ => None,
    })
}

/// Whether a window with this title is on screen (mapped). WebDriver cannot tell: it calls
/// elements of a hidden window "displayed".
pub async fn window_shown(title: &str) -> Result<bool> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../desktop/window.py");
    let status = Command::new("/usr/bin/python3")
        .arg(path)
        .args(["shown", title])
        .stderr(Stdio::null())
        .status()
        .await?;
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(format!("window.py shown {title:?}: {status}").into()),
    }
}

async fn desktop_probe(script: &str, args: &[&str]) -> Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../desktop")
        .join(script);
    let output = Command::new("/usr/bin/python3")
        .arg(path)
        .args(args)
        .output()
        .await?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("{script} {args:?}: {stderr}").into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

async fn wait_for_exit(pid: u32) -> Result<()> {
    let deadline = Instant::now() + PATIENCE;
    while Path::new(&format!("/proc/{pid}")).exists() && !is_zombie(pid) {
        if Instant::now() > deadline {
            return Err(format!("Earshot (pid {pid}) did not exit").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

/// All processes below `root` (not `root` itself), from /proc.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the parenthesised command name: state, ppid, …
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        found.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        index += 1;
    }
    found.remove(0);
    found
}

pub use earshot_test_support::atproto::{TestAccount, pds_url};
