//! The first-run guide's progress: which of its steps the person went through, and whether
//! they finished (or skipped) it. Kept with the data, so the guide never opens by itself
//! again once done — on any window, after any restart.
//!
//! Steps the data can answer for themselves (an account exists, start at login is on) are
//! read where they live; only what leaves no other trace is kept here.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::settings::{self, GUIDE};
use crate::{Earshot, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct GuideProgress {
    /// Finished or skipped: the guide no longer opens at the start (Settings still has it).
    pub finished: bool,
    /// A test notification went out from the guide or from Settings.
    pub notification_tested: bool,
    /// The person looked at the quiet hours and kept or changed them.
    pub quiet_hours_checked: bool,
    /// The person answered "start at login", yes or no.
    pub start_at_login_answered: bool,
}

impl Earshot {
    pub async fn guide_progress(&self) -> Result<GuideProgress> {
        self.with_store(|store| Ok(settings::load(store, GUIDE)))
            .await
    }

    pub async fn save_guide_progress(&self, progress: GuideProgress) -> Result<()> {
        self.save_setting(GUIDE, &progress).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_saved_by_an_older_earshot_reads_with_the_defaults() {
        let progress: GuideProgress =
            serde_json::from_str(r#"{"finished":true}"#).expect("progress");
        assert_eq!(
            progress,
            GuideProgress {
                finished: true,
                ..GuideProgress::default()
            }
        );
    }
}
