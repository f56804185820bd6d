//! Opening a page in the person's own browser (for signing in to Mastodon servers).

use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;

/// Opens `url` in the default browser. A failure is logged, not fatal: the UI also shows the
/// address to open by hand.
pub fn open(app: &AppHandle, url: &str) {
    if let Err(e) = app.opener().open_url(url, None::<&str>) {
        tracing::warn!(error = %e, "could not open the browser");
    }
}
