//! A wrapper that keeps secrets out of logs, JSON and the webview.

use std::fmt;

/// A value that must never be printed or serialised: tokens, passwords.
///
/// `Debug` prints `<redacted>`, and the type deliberately implements neither `Display` nor
/// `Serialize`, so a secret cannot end up in a log line or an IPC reply by accident. Read
/// it with [`Sensitive::expose`] at the one place that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let token = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{token:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&token)), "Some(<redacted>)");
    }
}
