//! Does a post ask its reader something? A pure function over plain text, so that the Owed
//! queue can put questions first and only questions raise a notification.
//!
//! The detector reads a post sentence by sentence. A sentence asks when its words do (a
//! question word or a verb-first opening, a request such as "can you…", a tag such as
//! "…, right"), and a question mark makes it certain. What looks like a question but does not
//! want an answer is the hard part: set phrases ("guess what?", "who knew?"), exclamations
//! ("what a day!") and questions the writer answers in the next sentence ("Why? Because…").
//! Mentions, links and hashtags are not words of the sentence and are set aside first.
//!
//! English is first-class; Spanish, French, German, Portuguese, Italian and Dutch have their
//! own word lists ([`grammar`]); Japanese and Chinese are read by their question marks and
//! particles.

mod grammar;
mod text;

use serde::Serialize;
use specta::Type;

use grammar::Grammar;
use text::{Sentence, sentences};

/// Posts scoring at least this ask a question.
pub const QUESTION_THRESHOLD: f32 = 0.5;

/// What kind of sentence made the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// "Is the game on tonight?"
    YesNo,
    /// "When does the keynote start?"
    Wh,
    /// "Can you send me the slides?" / "Anyone know a good café near the venue"
    Request,
    /// "The venue is in Ghent, right?"
    Tag,
    /// Ends in a question mark without any other sign: "Coffee?"
    Other,
    /// Shaped like a question but not asking: "Guess what? We won!"
    Rhetorical,
    /// No question at all.
    Statement,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Wh => "wh",
            QuestionKind::Request => "request",
            QuestionKind::Tag => "tag",
            QuestionKind::Other => "other",
            QuestionKind::Rhetorical => "rhetorical",
            QuestionKind::Statement => "statement",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            QuestionKind::YesNo,
            QuestionKind::Wh,
            QuestionKind::Request,
            QuestionKind::Tag,
            QuestionKind::Other,
            QuestionKind::Rhetorical,
            QuestionKind::Statement,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

/// The detector's answer for one post.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QuestionVerdict {
    pub question: bool,
    /// 0 (certainly not asking) to 1 (certainly asking).
    pub score: f32,
    pub kind: QuestionKind,
    /// Why, in words, for people tuning the detector.
    pub reason: String,
    /// The sentence that asks, as written (mentions and links set aside), for the Owed row.
    pub asks: Option<String>,
}

/// Reads `text` (a post's plain text) and says whether it asks the reader something.
pub fn detect_question(text: &str) -> QuestionVerdict {
    detect_question_in(text, None)
}

/// [`detect_question`] in the language the author declared (a BCP-47 tag such as "en" or
/// "pt-BR": Mastodon's `language`, the first of Bluesky's `langs`), guessed from the words
/// when none is declared or the detector does not know it. Short posts are where guessing
/// fails: "anybody got a charger" shares more words with Portuguese than with English.
pub fn detect_question_in(text: &str, language: Option<&str>) -> QuestionVerdict {
    let sentences = sentences(text);
    let grammar = language
        .and_then(Grammar::for_language)
        .unwrap_or_else(|| Grammar::guess(&sentences));
    let mut best: Option<(Reading, &Sentence)> = None;
    for (index, sentence) in sentences.iter().enumerate() {
        let next = sentences.get(index + 1);
        let reading = read_sentence(sentence, next, grammar);
        // The strongest question wins; among equals, the last one (posts end on their ask).
        if best.as_ref().is_none_or(|(b, _)| reading.score >= b.score) {
            best = Some((reading, sentence));
        }
    }
    match best {
        Some((reading, sentence)) => {
            let question = reading.score >= QUESTION_THRESHOLD;
            QuestionVerdict {
                question,
                score: reading.score,
                kind: reading.kind,
                reason: reading.reason,
                asks: question.then(|| sentence.text.clone()),
            }
        }
        None => QuestionVerdict {
            question: false,
            score: 0.0,
            kind: QuestionKind::Statement,
            reason: "no words to read".into(),
            asks: None,
        },
    }
}

struct Reading {
    score: f32,
    kind: QuestionKind,
    reason: String,
}

impl Reading {
    fn new(score: f32, kind: QuestionKind, reason: impl Into<String>) -> Self {
        Self {
            score,
            kind,
            reason: reason.into(),
        }
    }
}

fn read_sentence(sentence: &Sentence, next: Option<&Sentence>, grammar: &Grammar) -> Reading {
    let words = &sentence.words;
    let marked = sentence.question_mark;

    if let Some(phrase) = grammar.rhetorical_phrase(words) {
        return Reading::new(
            0.1,
            QuestionKind::Rhetorical,
            format!("\"{phrase}\" does not ask"),
        );
    }
    if let Some(opener) = next.and_then(|next| grammar.answer_opener(&next.words))
        && marked
    {
        return Reading::new(
            0.2,
            QuestionKind::Rhetorical,
            format!("answered in the next sentence (\"{opener}…\")"),
        );
    }
    if grammar.is_exclamation(sentence) {
        return Reading::new(
            0.15,
            QuestionKind::Rhetorical,
            "an exclamation, not a question",
        );
    }

    let shape = grammar.question_shape(sentence);
    match (shape, marked) {
        (Some(shape), true) => Reading::new(
            0.95,
            shape.kind,
            format!("{} and a question mark", shape.why),
        ),
        (Some(shape), false) if shape.kind == QuestionKind::Request => {
            Reading::new(0.75, shape.kind, shape.why)
        }
        (Some(shape), false) if sentence.exclamation => Reading::new(
            0.35,
            QuestionKind::Statement,
            format!("{}, but it ends with \"!\"", shape.why),
        ),
        (Some(shape), false) if grammar.subordinate_clause(sentence) => Reading::new(
            0.3,
            QuestionKind::Statement,
            format!("{}, but it reads as a clause (\"when I…, …\")", shape.why),
        ),
        (Some(shape), false) => Reading::new(shape.unmarked_score, shape.kind, shape.why),
        (None, true) if next.is_some() && grammar.is_lead_in(words) => Reading::new(
            0.3,
            QuestionKind::Rhetorical,
            "a short lead-in (\"The result? …\") followed by its answer",
        ),
        (None, true) => Reading::new(0.8, QuestionKind::Other, "ends with a question mark"),
        (None, false) => Reading::new(0.05, QuestionKind::Statement, "no sign of a question"),
    }
}

#[cfg(test)]
mod tests;
