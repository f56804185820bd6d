//! A post's text as the detector reads it: sentences of lower-case words, with mentions,
//! links and trailing hashtags set aside.

/// One sentence of a post.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sentence {
    /// As written, for showing ("is the game on tonight?"), leading mentions and links removed.
    pub text: String,
    /// Lower-case words without surrounding punctuation. A mention inside the sentence reads as
    /// "someone" so that "can @bob come?" keeps its subject.
    pub words: Vec<String>,
    pub question_mark: bool,
    pub exclamation: bool,
    pub has_comma: bool,
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '？' | '！' | '。' | '…' | '\n')
}

fn is_cjk_terminator(c: char) -> bool {
    matches!(c, '？' | '！' | '。')
}

fn is_link(token: &str) -> bool {
    let lower = token.to_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.")
}

fn is_mention(token: &str) -> bool {
    token.len() > 1 && token.starts_with('@')
}

fn is_hashtag(token: &str) -> bool {
    token.len() > 1 && token.starts_with('#')
}

/// Drops links, the mentions a post opens with (the addressees) and the run of hashtags it
/// ends with; what is left is the writer's sentence.
fn strip_decorations(text: &str) -> String {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let start = tokens
        .iter()
        .position(|token| !is_mention(token))
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|token| !is_hashtag(token) && !is_link(token))
        .map_or(start, |last| (last + 1).max(start));
    // Keep line breaks: they end sentences in posts that use no full stops.
    let mut kept = String::new();
    let mut index = 0;
    for line in text.lines() {
        let mut line_tokens = Vec::new();
        for token in line.split_whitespace() {
            if (start..end).contains(&index) && !is_link(token) {
                line_tokens.push(token);
            }
            index += 1;
        }
        if !line_tokens.is_empty() {
            kept.push_str(&line_tokens.join(" "));
            kept.push('\n');
        }
    }
    kept
}

/// The sentences of `text`, in order; sentences without words (an emoji, a lone hashtag)
/// are left out.
pub(super) fn sentences(text: &str) -> Vec<Sentence> {
    let cleaned = strip_decorations(text);
    let mut sentences = Vec::new();
    let mut current = String::new();
    let mut chars = cleaned.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if !is_terminator(c) {
            continue;
        }
        // "3.5", "e.g." and "example.org" do not end a sentence: only a terminator followed
        // by a space, the end, or another terminator does (CJK marks end it at once).
        let ends = is_cjk_terminator(c)
            || c == '\n'
            || chars
                .peek()
                .is_none_or(|next| next.is_whitespace() || is_terminator(*next));
        if !ends {
            continue;
        }
        while let Some(&next) = chars.peek() {
            if is_terminator(next) || matches!(next, ')' | '"' | '\'' | '»' | '”') {
                current.push(next);
                chars.next();
            } else {
                break;
            }
        }
        sentences.extend(Sentence::read(&current));
        current.clear();
    }
    sentences.extend(Sentence::read(&current));
    sentences
}

impl Sentence {
    fn read(raw: &str) -> Option<Sentence> {
        let text = raw.trim();
        let question_mark = text.contains(['?', '？', '¿']);
        let exclamation = text.contains(['!', '！', '¡']);
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '、' | '，'))
            .filter_map(word)
            .collect();
        if words.is_empty() {
            return None;
        }
        Some(Sentence {
            text: text.to_owned(),
            words,
            question_mark,
            exclamation,
            has_comma: text.contains([',', '，', '、']),
        })
    }

    /// The sentence without spaces or punctuation, for scripts that do not separate words.
    pub fn letters(&self) -> String {
        self.text.chars().filter(|c| c.is_alphanumeric()).collect()
    }
}

fn word(token: &str) -> Option<String> {
    if is_mention(token) {
        return Some("someone".into());
    }
    let token = token.trim_start_matches('#');
    let trimmed = token.trim_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() {
        return None;
    }
    Some(trimmed.to_lowercase().replace('’', "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_mentions_links_and_trailing_hashtags_are_set_aside() {
        let found = sentences("@bob @carol is the game on tonight? https://example.org #sports");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "is the game on tonight?");
        assert_eq!(found[0].words, ["is", "the", "game", "on", "tonight"]);
        assert!(found[0].question_mark);
    }

    #[test]
    fn sentences_split_on_marks_and_lines_but_not_inside_numbers() {
        let found = sentences("Version 3.5 is out! Did you try it?\nno rush");
        let texts: Vec<&str> = found.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["Version 3.5 is out!", "Did you try it?", "no rush"]);
    }

    #[test]
    fn inline_mentions_read_as_someone_and_hashtags_as_words() {
        let found = sentences("can @bob bring the #rustlang stickers?");
        assert_eq!(
            found[0].words,
            ["can", "someone", "bring", "the", "rustlang", "stickers"]
        );
    }

    #[test]
    fn cjk_marks_end_sentences_without_spaces() {
        let found = sentences("今日は晴れです。明日は来ますか？");
        assert_eq!(found.len(), 2);
        assert!(found[1].question_mark);
        assert_eq!(found[1].letters(), "明日は来ますか");
    }
}
