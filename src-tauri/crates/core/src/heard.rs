//! Heard: questions asked near an account without addressing it — under one of its events'
//! hashtags, or naming it the way people do ("is Paddy's showing the game tonight").

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::InboxItem;
use crate::event::carries_tag;

/// The most names one account watches: each is a search every few minutes.
pub const MAX_NAMES: usize = 5;

/// What one account listens for beyond what is addressed to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeardSettings {
    /// Names people use for the account ("Paddy's", "paddys pub"), watched always.
    pub names: Vec<String>,
    /// "Tell me about questions heard" for this account (off by default).
    pub notify: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeardSettingsError {
    #[error("“{0}” is too short to listen for: use at least 3 characters.")]
    TooShort(String),
    #[error("Listen for at most {MAX_NAMES} names per account.")]
    TooMany,
}

impl HeardSettings {
    /// Trims the names, drops empty ones and repeats (without case), and checks the rest.
    pub fn validate(mut self) -> Result<Self, HeardSettingsError> {
        let mut names: Vec<String> = Vec::new();
        for name in &self.names {
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            let name = name.trim_start_matches('@').to_owned();
            if name.is_empty() {
                continue;
            }
            if name.chars().count() < 3 {
                return Err(HeardSettingsError::TooShort(name));
            }
            if !names
                .iter()
                .any(|n| n.to_lowercase() == name.to_lowercase())
            {
                names.push(name);
            }
        }
        if names.len() > MAX_NAMES {
            return Err(HeardSettingsError::TooMany);
        }
        self.names = names;
        Ok(self)
    }
}

/// Heard as the screen shows it: open items, newest first, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeardList {
    pub open: u32,
    pub items: Vec<InboxItem>,
}

/// What the questions heard under an event came to ("12 questions heard, 9 answered").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeardFigures {
    pub heard: u32,
    pub answered: u32,
}

/// Whether a post really carries what it was found under: the hashtag as a whole tag, or
/// the name as whole words (searches match loosely — stems, parts of words, other fields —
/// and a post listed as "mentions “Paddy's”" must say it).
pub fn carries(text: &str, via: &str) -> bool {
    let lower = text.to_lowercase();
    match via.strip_prefix('#') {
        Some(tag) => carries_tag(&lower, &tag.to_lowercase()),
        None => carries_name(&lower, &fold_apostrophes(&via.to_lowercase())),
    }
}

/// Typographic apostrophes read as the plain one, on both sides.
fn fold_apostrophes(text: &str) -> String {
    text.replace(['\u{2019}', '\u{2018}'], "'")
}

fn carries_name(lower_text: &str, lower_name: &str) -> bool {
    let text = fold_apostrophes(lower_text);
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(lower_name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + lower_name.len()..].chars().next();
        // "paddy's" in "paddy's" yes; "paddys" in "paddyshack" no; a handle after '@' is a
        // mention, which Owed hears already.
        before.is_none_or(|c| !is_word(c) && c != '@') && after.is_none_or(|c| !is_word(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tidied_and_checked() {
        let settings = HeardSettings {
            names: vec![
                "  Paddy's  ".into(),
                "paddy's".into(),
                "@paddys.pub".into(),
                "".into(),
            ],
            notify: false,
        };
        assert_eq!(
            settings.validate().expect("valid").names,
            ["Paddy's", "paddys.pub"]
        );
        let short = HeardSettings {
            names: vec!["ab".into()],
            notify: false,
        };
        assert_eq!(
            short.validate(),
            Err(HeardSettingsError::TooShort("ab".into()))
        );
        let many = HeardSettings {
            names: (0..6).map(|n| format!("name {n}")).collect(),
            notify: true,
        };
        assert_eq!(many.validate(), Err(HeardSettingsError::TooMany));
    }

    #[test]
    fn a_post_must_say_what_it_was_found_under() {
        assert!(carries(
            "anyone know where the workshop is #RustConf",
            "#rustconf"
        ));
        assert!(!carries("loved #rustconf2025", "#rustconf"));
        assert!(carries("is Paddy’s showing the game tonight", "Paddy's"));
        assert!(carries("paddy's open late?", "Paddy's"));
        assert!(!carries("Paddyshack tonight?", "Paddy"));
        assert!(
            !carries("hey @paddys.pub you open?", "paddys.pub"),
            "a mention is Owed's"
        );
    }
}
