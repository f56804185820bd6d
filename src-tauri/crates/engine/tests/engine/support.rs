//! Helpers the engine's test modules share.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use earshot_core::SystemClock;
use earshot_engine::{
    Earshot, MemorySecretStore, Notice, Notifier, NotifyError, OnAction, SecretStore, Services,
    SyncSettings,
};

/// A notifier that shows nothing, for tests that are not about notifications.
#[derive(Debug, Default)]
pub struct SilentNotifier;

impl Notifier for SilentNotifier {
    fn show(&self, _notice: &Notice, _on_action: OnAction) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// An engine on `dir` with the real clock, secrets in `secrets` and silent notifications.
pub fn engine_with(
    dir: &tempfile::TempDir,
    secrets: &Arc<MemorySecretStore>,
    sync: SyncSettings,
) -> Earshot {
    let services = Services {
        clock: Arc::new(SystemClock),
        secrets: Arc::clone(secrets) as Arc<dyn SecretStore>,
        notifier: Arc::new(SilentNotifier),
        runtime: tokio::runtime::Handle::current(),
        sync,
    };
    Earshot::open(dir.path(), services).expect("open")
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `limit`.
pub async fn within<T, F: AsyncFnMut() -> Option<T>>(
    limit: Duration,
    what: &str,
    mut check: F,
) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One test at a time talks to the notification daemon: each reads every `Notify` call on
/// the bus, and would see another test's.
pub static NOTIFICATION_DAEMON: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `dbus-monitor` on the session bus, killed on drop.
pub struct BusMonitor {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl BusMonitor {
    pub fn watch(rule: &str) -> Self {
        let mut child = Command::new("dbus-monitor")
            .args(["--session", rule])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-monitor runs (Debian package dbus)");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let monitor = Self { child, lines };
        // The monitor prints its own NameAcquired signal once it is listening.
        monitor.wait_for(
            |line| line.contains("NameAcquired"),
            "dbus-monitor to start",
        );
        monitor
    }

    /// Lines until `done` matches, or a panic after 10 s.
    pub fn wait_for(&self, done: impl Fn(&str) -> bool, what: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(10)) {
                Ok(line) => {
                    let finished = done(&line);
                    seen.push(line);
                    if finished {
                        return seen;
                    }
                }
                Err(_) => panic!("timed out waiting for {what}; saw:\n{}", seen.join("\n")),
            }
        }
    }
}

impl Drop for BusMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl BusMonitor {
    /// Watches `Notify` calls to the notification daemon.
    pub fn notifications() -> Self {
        Self::watch("interface='org.freedesktop.Notifications',member='Notify'")
    }

    /// The next `Notify` call, within `limit`; `None` when there is none.
    pub fn next_notify(&self, limit: Duration) -> Option<NotifyCall> {
        let deadline = std::time::Instant::now() + limit;
        let mut call: Option<Vec<String>> = None;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = self.lines.recv_timeout(left).ok()?;
            if line.contains("member=Notify") {
                call = Some(Vec::new());
                continue;
            }
            let Some(lines) = call.as_mut() else { continue };
            // The last argument (expire timeout) ends the call.
            if line.starts_with("   int32 ") {
                return Some(NotifyCall::parse(lines));
            }
            lines.push(line);
        }
    }
}

/// A `Notify(app_name, replaces_id, icon, summary, body, actions, hints, timeout)` call as
/// dbus-monitor printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyCall {
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Action keys and labels, alternating, as sent.
    pub actions: Vec<String>,
}

fn quoted(line: &str) -> Option<String> {
    line.trim()
        .strip_prefix("string \"")?
        .strip_suffix('"')
        .map(str::to_owned)
}

impl NotifyCall {
    fn parse(lines: &[String]) -> Self {
        // Top-level arguments are indented by three spaces, array members by six.
        let top: Vec<String> = lines
            .iter()
            .filter(|line| line.starts_with("   string "))
            .filter_map(|line| quoted(line))
            .collect();
        let first_array = lines.iter().position(|line| line.starts_with("   array ["));
        let actions = first_array
            .map(|start| {
                lines[start + 1..]
                    .iter()
                    .take_while(|line| !line.starts_with("   ]"))
                    .filter_map(|line| quoted(line))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            app_name: top.first().cloned().unwrap_or_default(),
            summary: top.get(2).cloned().unwrap_or_default(),
            body: top.get(3).cloned().unwrap_or_default(),
            actions,
        }
    }
}

/// Picks an action of an open notification through dunst's context menu, as a person
/// clicking the button would: dunst then sends `ActionInvoked` (see
/// tests/desktop/pick-action.sh). `line` is part of the menu line, such as
/// "#Done (@bob asks on Mastodon)".
pub fn pick_notification_action(line: &str) {
    let choice = std::env::var("EARSHOT_DUNST_CHOICE")
        .expect("EARSHOT_DUNST_CHOICE is set by tests/desktop/with-desktop.sh");
    std::fs::write(&choice, line).expect("write the choice");
    let status = Command::new("dunstctl")
        .arg("context")
        .status()
        .expect("dunstctl runs");
    assert!(status.success(), "dunstctl context failed");
}
