//! The Tauri shell: builds the app, wires plugins, the tray and the window, and hands every
//! IPC command to the Tauri-free [`earshot_engine::Earshot`]. No domain logic lives here.

mod backend;
mod browser;
mod commands;
mod error;
mod events;
mod ipc;
#[cfg(target_os = "linux")]
mod memory;
mod tray;
mod window;

use tauri::Manager;
use tauri_plugin_window_state::StateFlags;

/// Starts Earshot. `--hidden` starts in the tray without showing the window (for start at
/// login).
pub fn run() {
    #[cfg(target_os = "linux")]
    software_compositing();
    init_logging();
    let start_hidden = std::env::args().any(|arg| arg == "--hidden");
    let bindings = ipc::bindings();

    tauri::Builder::default()
        // Must be the first plugin: a second launch hands over to the running Earshot and exits
        // before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show_main(app)
        }))
        .plugin(
            tauri_plugin_window_state::Builder::new()
                // Visibility is ours to decide (--hidden, close-to-tray), not the last session's.
                .with_state_flags(StateFlags::all() - StateFlags::VISIBLE)
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            // Started at login: straight to the tray.
            Some(vec!["--hidden"]),
        ))
        .invoke_handler(bindings.invoke_handler())
        .manage(window::WindowMemory::default())
        .setup(move |app| {
            bindings.mount_events(app);
            // What the person sees comes first. The window: WebKit starts its processes and
            // loads the page while the rest of this runs; the page's first requests are
            // answered once this returns, with the engine in place. Then the tray icon, which
            // shows its count once the engine has opened its data.
            if !start_hidden {
                window::show_main(app.handle());
            }
            tray::create(app.handle())?;
            app.manage(backend::Backend::start(app.handle()));
            tray::refresh(app.handle());
            if start_hidden {
                window::release_idle_memory(app.handle().clone());
            } else {
                window::tell_engine(app.handle(), true);
            }
            Ok(())
        })
        .on_window_event(window::on_window_event)
        .build(tauri::generate_context!())
        .map(|app| app.run(|_, event| window::keep_running_without_windows(&event)))
        .unwrap_or_else(|e| {
            if matches!(&e, tauri::Error::PluginInitialization(plugin, _) if plugin == "single-instance")
            {
                start_again_after_a_vanished_instance(&e);
            }
            tracing::error!(error = %e, "Earshot could not start");
            std::process::exit(1);
        });
}

/// WebKit's accelerated compositing costs a small one-page app more than it gives: measured
/// under Xvfb (Mesa's software GL), the web process took 165 MiB PSS with it and 99 MiB
/// without, and the first paint 870 ms against 309 ms. WebKit reads its switch from the
/// environment as the first webview is built (and its processes inherit it), so it is set
/// here, first thing in `main`. A switch the person set themselves (either way) is left alone.
///
/// Changing the environment is sound only while no other thread reads it. One thread is
/// already running: JavaScriptCore's memory scavenger, started by WebKit's library
/// constructor before `main`. It never reads the environment (under gdb, a whole start and
/// 25 s of running: not one `getenv` from it, and no `setenv` from anyone). Should a library
/// ever start more threads before `main`, Earshot starts itself once more with the switch set
/// instead, as it always did before: sound, but it loads every library twice (~90 ms here).
#[cfg(target_os = "linux")]
fn software_compositing() {
    const SWITCH: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(SWITCH).is_some() {
        return;
    }
    if threads_running().is_some_and(|threads| threads <= 2) {
        #[expect(
            unsafe_code,
            reason = "set_var is unsafe while other threads may read the environment; the one \
                      other thread here never does"
        )]
        // SAFETY: this thread and JavaScriptCore's scavenger are the process's only threads
        // (counted just above), and the scavenger does not read the environment (see above).
        unsafe {
            std::env::set_var(SWITCH, "1");
        }
        return;
    }
    let Some(mut again) = this_binary_again_with(SWITCH) else {
        return;
    };
    // Same process id: whoever started Earshot keeps watching the right process. On success
    // `exec` does not return.
    let failed = std::os::unix::process::CommandExt::exec(&mut again);
    eprintln!("earshot: could not restart with software compositing: {failed}");
}

/// How many threads this process runs, from the kernel's count.
#[cfg(target_os = "linux")]
fn threads_running() -> Option<usize> {
    threads_in(&std::fs::read_to_string("/proc/self/status").ok()?)
}

/// The `Threads:` line of a `/proc/<pid>/status`.
#[cfg(target_os = "linux")]
fn threads_in(status: &str) -> Option<usize> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

/// Set on the one fresh start below, so it can never loop.
const STARTED_AGAIN: &str = "EARSHOT_STARTED_AGAIN";

/// A second launch hands over to the running Earshot over D-Bus. Right after a crash the bus
/// can still name the dead instance for a moment: the handover then fails ("recipient
/// disconnected") and this launch must become the running Earshot itself. Tauri cannot build a
/// second app in one process, so the process starts afresh, once, a moment later.
fn start_again_after_a_vanished_instance(error: &tauri::Error) {
    if std::env::var_os(STARTED_AGAIN).is_some() {
        return;
    }
    tracing::warn!(%error, "the running Earshot vanished during the handover; starting afresh");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let Some(mut again) = this_binary_again_with(STARTED_AGAIN) else {
        return;
    };
    #[cfg(unix)]
    {
        // Same process id: whoever started Earshot keeps watching the right process.
        let failed = std::os::unix::process::CommandExt::exec(&mut again);
        tracing::error!(error = %failed, "could not start afresh");
    }
    #[cfg(not(unix))]
    if let Ok(status) = again.status() {
        std::process::exit(status.code().unwrap_or(1));
    }
}

/// This binary once more, with the same arguments and `variable` set to 1.
fn this_binary_again_with(variable: &str) -> Option<std::process::Command> {
    let mut again = std::process::Command::new(std::env::current_exe().ok()?);
    again.args(std::env::args_os().skip(1)).env(variable, "1");
    Some(again)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EARSHOT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::{threads_in, threads_running};

    #[test]
    fn threads_are_read_from_the_kernels_status() {
        let status = "Name:\tearshot\nUmask:\t0022\nState:\tS (sleeping)\nThreads:\t2\n\
                      SigQ:\t0/95424\n";
        assert_eq!(threads_in(status), Some(2));
        assert_eq!(threads_in("Name:\tearshot\n"), None);
    }

    #[test]
    fn threads_running_sees_threads_this_test_holds() {
        let held = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| held.wait());
            }
            // This thread and the three waiting for it, whatever else the harness runs.
            assert!(threads_running().expect("the kernel counts threads") >= 4);
            held.wait();
        });
    }
}
