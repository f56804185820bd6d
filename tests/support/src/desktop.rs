//! The desktop around Earshot on the test session's bus (tests/desktop/with-desktop.sh):
//! `Notify` calls read off the bus with dbus-monitor, and notification actions picked
//! through the real daemon.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// `dbus-monitor` on the session bus, killed on drop.
#[derive(Debug)]
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
        let deadline = Instant::now() + limit;
        let mut call: Option<Vec<String>> = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
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

/// What dunst put on the screen for each notification it showed, newest first: its
/// `summary` and the `message` it rendered (summary and body as markup, dunst's format).
/// Closes every open notification first, so that all of them are in dunst's history.
pub fn shown_notifications() -> Vec<(String, String)> {
    let closed = Command::new("dunstctl")
        .arg("close-all")
        .status()
        .expect("dunstctl runs");
    assert!(closed.success(), "dunstctl close-all failed");
    let output = Command::new("dunstctl")
        .arg("history")
        .output()
        .expect("dunstctl runs");
    let history: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("dunstctl history is JSON");
    history["data"][0]
        .as_array()
        .map(|shown| {
            shown
                .iter()
                .map(|n| {
                    let text = |key: &str| n[key]["data"].as_str().unwrap_or_default().to_owned();
                    (text("summary"), text("message"))
                })
                .collect()
        })
        .unwrap_or_default()
}
