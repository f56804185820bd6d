//! Post text for Bluesky: the length rule and the rich-text facets (mentions, links, hashtags)
//! a client must annotate itself. Facet ranges are UTF-8 byte offsets into the text, as the
//! AT Protocol requires; JavaScript string indices (UTF-16) would be wrong for any emoji.

use unicode_segmentation::UnicodeSegmentation;

/// Bluesky counts a post's length in grapheme clusters…
pub const BLUESKY_MAX_GRAPHEMES: usize = 300;
/// …and also caps its size in bytes.
pub const BLUESKY_MAX_BYTES: usize = 3000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostTextError {
    #[error("Write something first.")]
    Empty,
    #[error(
        "Bluesky posts can be at most {max} characters; this one has {count}. Shorten it by \
         {over}.",
        over = count - max
    )]
    TooLong { count: usize, max: usize },
    #[error("This post is too large for Bluesky ({bytes} bytes of at most {max}).")]
    TooLarge { bytes: usize, max: usize },
}

/// How long a post is in the units people and Bluesky count: grapheme clusters, so 👩‍👩‍👧 is 1.
pub fn grapheme_count(text: &str) -> usize {
    text.graphemes(true).count()
}

/// Checks `text` against Bluesky's limits before anything is sent.
pub fn check_bluesky_post(text: &str) -> Result<(), PostTextError> {
    if text.trim().is_empty() {
        return Err(PostTextError::Empty);
    }
    let count = grapheme_count(text);
    if count > BLUESKY_MAX_GRAPHEMES {
        return Err(PostTextError::TooLong {
            count,
            max: BLUESKY_MAX_GRAPHEMES,
        });
    }
    if text.len() > BLUESKY_MAX_BYTES {
        return Err(PostTextError::TooLarge {
            bytes: text.len(),
            max: BLUESKY_MAX_BYTES,
        });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacetKind {
    /// `@handle`; the caller resolves the handle to a DID (or drops the facet).
    Mention(String),
    Link(String),
    /// The tag without its `#`.
    Tag(String),
}

/// A facet found in a text: `byte_start..byte_end` covers `@handle`, the link or `#tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedFacet {
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: FacetKind,
}

/// Punctuation that ends a sentence rather than a link or tag.
fn trim_trailing_punctuation(word: &str) -> &str {
    let mut end = word.len();
    for (index, c) in word.char_indices().rev() {
        let closing_paren_without_opening = c == ')' && !word[..index].contains('(');
        if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'')
            || closing_paren_without_opening
        {
            end = index;
        } else {
            break;
        }
    }
    &word[..end]
}

fn is_handle(candidate: &str) -> bool {
    let labels: Vec<&str> = candidate.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
}

/// Whitespace-separated words with their byte ranges.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace().map(move |word| {
        // `split_whitespace` yields subslices of `text`, so the offset is pointer arithmetic.
        (word.as_ptr() as usize - text.as_ptr() as usize, word)
    })
}

/// Finds mentions, links and hashtags. A facet starts a word (after whitespace or an opening
/// parenthesis) and sentence punctuation after it is not part of it.
pub fn detect_facets(text: &str) -> Vec<DetectedFacet> {
    let mut facets = Vec::new();
    for (offset, word) in words(text) {
        let (offset, word) = match word.strip_prefix('(') {
            Some(rest) => (offset + 1, rest),
            None => (offset, word),
        };
        let word = trim_trailing_punctuation(word);
        let (byte_start, byte_end) = (offset, offset + word.len());
        let kind = if let Some(handle) = word.strip_prefix('@') {
            is_handle(handle).then(|| FacetKind::Mention(handle.to_ascii_lowercase()))
        } else if let Some(rest) = word
            .strip_prefix("https://")
            .or_else(|| word.strip_prefix("http://"))
        {
            (!rest.is_empty()).then(|| FacetKind::Link(word.to_owned()))
        } else if let Some(tag) = word.strip_prefix('#') {
            let numeric = tag.chars().all(|c| c.is_ascii_digit());
            (!tag.is_empty() && !numeric && !tag.contains('#') && grapheme_count(tag) <= 64)
                .then(|| FacetKind::Tag(tag.to_owned()))
        } else {
            None
        };
        if let Some(kind) = kind {
            facets.push(DetectedFacet {
                byte_start,
                byte_end,
                kind,
            });
        }
    }
    facets
}

/// A post's length as Mastodon counts it: characters (code points), every link as
/// `per_url` characters whatever its length, and a remote mention as its local part only
/// (`@bob@example.org` counts as `@bob`).
pub fn mastodon_length(text: &str, per_url: usize) -> usize {
    let mut length = 0;
    let mut last = 0;
    for (offset, word) in text
        .split_whitespace()
        .map(|word| (word.as_ptr() as usize - text.as_ptr() as usize, word))
    {
        length += text[last..offset].chars().count();
        let counted = if word.starts_with("https://") || word.starts_with("http://") {
            per_url
        } else if let Some((local, _domain)) = word
            .strip_prefix('@')
            .and_then(|handle| handle.split_once('@'))
        {
            1 + local.chars().count()
        } else {
            word.chars().count()
        };
        length += counted;
        last = offset + word.len();
    }
    length + text[last..].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices(text: &str) -> Vec<&str> {
        detect_facets(text)
            .iter()
            .map(|f| &text[f.byte_start..f.byte_end])
            .collect()
    }

    #[test]
    fn finds_mentions_links_and_tags_with_byte_offsets() {
        let text = "👋 @bob.test see https://example.com/a?b=1. #rust, (@carol.bsky.social)";
        assert_eq!(
            slices(text),
            vec![
                "@bob.test",
                "https://example.com/a?b=1",
                "#rust",
                "@carol.bsky.social"
            ]
        );
        let facets = detect_facets(text);
        assert_eq!(facets[0].byte_start, "👋 ".len(), "bytes, not characters");
        assert_eq!(facets[0].kind, FacetKind::Mention("bob.test".into()));
        assert_eq!(facets[2].kind, FacetKind::Tag("rust".into()));
    }

    #[test]
    fn leaves_alone_what_is_not_a_facet() {
        assert!(slices("mail me@example.com or #123 or @nodot or a#b").is_empty());
        assert_eq!(slices("#café! @Bob.Test"), vec!["#café", "@Bob.Test"]);
        assert_eq!(
            detect_facets("@Bob.Test")[0].kind,
            FacetKind::Mention("bob.test".into()),
            "handles are case-insensitive"
        );
    }

    #[test]
    fn mastodon_counts_links_as_23_and_remote_mentions_by_their_name() {
        assert_eq!(mastodon_length("hello", 23), 5);
        assert_eq!(
            mastodon_length("see https://example.com/a/very/long/path/indeed ok", 23),
            4 + 23 + 3
        );
        assert_eq!(mastodon_length("@bob@example.org hi", 23), 4 + 3);
        assert_eq!(
            mastodon_length("👩‍👩‍👧", 23),
            5,
            "code points, as Mastodon counts"
        );
    }

    #[test]
    fn the_limit_counts_graphemes_not_bytes() {
        let family = "👩‍👩‍👧";
        assert_eq!(grapheme_count(family), 1);
        assert_eq!(family.len(), 18);
        assert_eq!(check_bluesky_post(&"👍".repeat(300)), Ok(()));
        assert_eq!(
            check_bluesky_post(&"a".repeat(301)),
            Err(PostTextError::TooLong {
                count: 301,
                max: 300
            })
        );
        assert_eq!(check_bluesky_post("  \n"), Err(PostTextError::Empty));
        let heavy = "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}\u{307}\u{308}\u{309}".repeat(200);
        assert!(
            matches!(
                check_bluesky_post(&heavy),
                Err(PostTextError::TooLarge { .. })
            ),
            "200 graphemes can still be too many bytes"
        );
    }
}

/// `text` on one line (runs of whitespace become one space), cut to `max_chars` characters
/// with an ellipsis: for notification bodies and menu items.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let single_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if single_line.chars().count() <= max_chars {
        return single_line;
    }
    let cut: String = single_line
        .chars()
        .take(max_chars.saturating_sub(1))
        .collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod one_line_tests {
    use super::one_line;

    #[test]
    fn one_line_joins_lines_and_cuts_with_an_ellipsis() {
        assert_eq!(
            one_line("is the game\n on   tonight?", 60),
            "is the game on tonight?"
        );
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("👩‍👩‍👧 ok", 60), "👩‍👩‍👧 ok");
    }
}
