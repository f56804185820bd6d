//! Opening a page in the person's own browser: a Mastodon sign-in, a post or a profile on
//! the web. Only a [`WebAddress`] gets here, so nothing a server sent opens a file, a script
//! or another program.

use earshot_engine::WebAddress;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;

/// Opens `address` in the default browser. A failure is logged, not fatal: the UI also shows
/// the address to open by hand.
pub fn open(app: &AppHandle, address: &WebAddress) {
    if let Err(e) = app.opener().open_url(address.as_str(), None::<&str>) {
        tracing::warn!(error = %e, "could not open the browser");
    }
}
