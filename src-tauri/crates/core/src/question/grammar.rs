//! Word lists per language: what opens a question, what asks something of the reader, and
//! which question-shaped phrases do not ask at all.
//!
//! Phrases are written as space-separated lower-case words and matched as whole words.

use super::QuestionKind;
use super::text::Sentence;

pub(super) struct Grammar {
    /// Common words, to guess the language (question words count too).
    stopwords: &'static [&'static str],
    /// Question words that open a question ("when", "¿dónde", "waarom").
    wh_words: &'static [&'static str],
    /// Question words that only ever ask (accented Romance forms): no verb needed after them.
    unambiguous_wh: &'static [&'static str],
    /// Verbs that open a yes/no question when a subject follows ("is it", "hast du").
    inverted_verbs: &'static [&'static str],
    /// Endings of a verb inverted with its subject in one word ("pouvez-vous", "a-t-il").
    inversion_endings: &'static [&'static str],
    /// Of those, the ones that also open commands ("do it", "have a nice day"): only a person
    /// as the subject makes them ask.
    command_verbs: &'static [&'static str],
    subjects: &'static [&'static str],
    persons: &'static [&'static str],
    /// Verbs that follow a question word in a question ("where *is*", "how long *does*").
    verbs: &'static [&'static str],
    /// Phrases that ask something of the reader wherever they stand ("can you", "anyone know").
    requests: &'static [&'static str],
    /// Endings that turn a statement into a question ("…, right?").
    tags: &'static [&'static str],
    /// Question-shaped phrases that do not want an answer.
    rhetorical: &'static [&'static str],
    /// Sentence openers that answer the question before them ("Why? Because…").
    answers: &'static [&'static str],
    /// Openers of exclamations ("what a day").
    exclamations: &'static [&'static str],
    /// Openers of short lead-ins the writer answers at once ("The result? Amazing.").
    lead_ins: &'static [&'static str],
    /// How people write fast in this language, where the detector knows it.
    chat: Option<&'static Chat>,
    /// Written without spaces between words (Japanese, Chinese): read by particles instead.
    unspaced: Option<Unspaced>,
}

/// Questions written fast, without a question mark and often without their auxiliary: "where
/// u at", "anyone going to the keynote", "r u coming", "u still open", "hey how r u".
struct Chat {
    /// Set aside before the sentence is read ("hey there how r u" asks "how r u").
    greetings: &'static [&'static str],
    /// Calls to whoever reads: "anyone going…", "anybody got…".
    callouts: &'static [&'static str],
    /// …unless what follows makes them a statement: "anyone can join", "anyone who came…".
    callout_statements: &'static [&'static str],
    /// The reader, as a question without its auxiliary opens: "(are) you coming", "(is) ur…".
    second_person: &'static [&'static str],
    /// What follows the reader in such a question: "u *open* today", "you *coming*".
    dropped_aux_predicates: &'static [&'static str],
    /// Openers of an invitation: "wanna meet at the booth".
    invitations: &'static [&'static str],
    /// …unless the writer only announces: "wanna *thank* everyone".
    announcing: &'static [&'static str],
}

/// Question particles and words of scripts without spaces.
struct Unspaced {
    final_particles: &'static [&'static str],
    wh_words: &'static [&'static str],
}

pub(super) struct Shape {
    pub kind: QuestionKind,
    pub why: String,
    /// The score when no question mark confirms it.
    pub unmarked_score: f32,
}

fn phrase_at(words: &[String], at: usize, phrase: &str) -> bool {
    phrase
        .split(' ')
        .enumerate()
        .all(|(offset, part)| words.get(at + offset).map(String::as_str) == Some(part))
}

fn phrase_anywhere<'p>(words: &[String], phrases: &[&'p str]) -> Option<&'p str> {
    phrases
        .iter()
        .find(|phrase| (0..words.len()).any(|at| phrase_at(words, at, phrase)))
        .copied()
}

fn phrase_first<'p>(words: &[String], phrases: &[&'p str]) -> Option<&'p str> {
    phrases
        .iter()
        .find(|phrase| phrase_at(words, 0, phrase))
        .copied()
}

/// Whether one of `phrases` stands at `at`.
fn phrase_at_any(words: &[String], at: usize, phrases: &[&str]) -> bool {
    phrases.iter().any(|phrase| phrase_at(words, at, phrase))
}

fn is_one_of(word: Option<&String>, list: &[&str]) -> bool {
    word.is_some_and(|word| list.contains(&word.as_str()))
}

impl Grammar {
    /// The grammar for a declared language (its primary subtag), if the detector has one.
    pub fn for_language(tag: &str) -> Option<&'static Grammar> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" => &ENGLISH,
            "es" => &SPANISH,
            "fr" => &FRENCH,
            "de" => &GERMAN,
            "pt" => &PORTUGUESE,
            "it" => &ITALIAN,
            "nl" => &DUTCH,
            "ja" | "zh" => &UNSPACED,
            _ => return None,
        })
    }

    /// The grammar whose common words the post uses most; English when unsure.
    pub fn guess(sentences: &[Sentence]) -> &'static Grammar {
        let letters: String = sentences.iter().map(Sentence::letters).collect();
        let unspaced = letters
            .chars()
            .filter(|c| matches!(*c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF))
            .count();
        if unspaced * 2 > letters.chars().count() {
            return &UNSPACED;
        }
        let words = sentences.iter().flat_map(|s| s.words.iter());
        let mut counts = [0usize; SPACED.len()];
        for word in words {
            for (count, grammar) in counts.iter_mut().zip(SPACED) {
                *count += usize::from(grammar.knows(word));
            }
        }
        // Ties go to the earliest: English first.
        let best =
            counts.iter().enumerate().fold(
                0,
                |best, (index, count)| if *count > counts[best] { index } else { best },
            );
        SPACED[best]
    }

    /// A set phrase shaped like a question that asks nothing ("guess what"), in this
    /// language or, for a post too short to tell its language ("Adivinha? Ganhamos!"), in
    /// any other: the phrases are specific enough not to be ordinary words elsewhere.
    fn is_inverted_form(&self, word: &str) -> bool {
        self.inversion_endings
            .iter()
            .any(|ending| word.len() > ending.len() && word.ends_with(ending))
    }

    /// Whether `word` is one of this language's own: a common word, a question word, a verb
    /// that opens a question, or one inverted with its subject. Short posts have few common
    /// words ("Hast du Zeit", "Comment vas-tu"), so the question words and verbs count too.
    fn knows(&self, word: &str) -> bool {
        [self.stopwords, self.wh_words, self.inverted_verbs]
            .iter()
            .any(|list| list.contains(&word))
            || self.is_inverted_form(word)
            // Chat words are as telling: "anybody got a charger" is English.
            || self.chat.is_some_and(|chat| {
                [chat.callouts, chat.second_person, chat.greetings, chat.invitations]
                    .iter()
                    .any(|list| list.contains(&word))
            })
    }

    pub fn rhetorical_phrase(&self, words: &[String]) -> Option<&'static str> {
        phrase_anywhere(words, self.rhetorical).or_else(|| {
            SPACED
                .iter()
                .find_map(|grammar| phrase_anywhere(words, grammar.rhetorical))
        })
    }

    pub fn answer_opener(&self, words: &[String]) -> Option<&'static str> {
        phrase_first(words, self.answers)
    }

    pub fn is_exclamation(&self, sentence: &Sentence) -> bool {
        phrase_first(&sentence.words, self.exclamations).is_some()
            && (sentence.exclamation || !sentence.question_mark)
    }

    pub fn is_lead_in(&self, words: &[String]) -> bool {
        words.len() <= 3 && is_one_of(words.first(), self.lead_ins)
    }

    pub fn starts_with_wh(&self, words: &[String]) -> bool {
        phrase_first(words, self.wh_words).is_some()
    }

    /// "When I was young, …": a question word opening a clause, not a question.
    pub fn subordinate_clause(&self, sentence: &Sentence) -> bool {
        sentence.has_comma && self.starts_with_wh(&sentence.words)
    }

    /// How the sentence is built as a question, if it is.
    pub fn question_shape(&self, sentence: &Sentence) -> Option<Shape> {
        if let Some(unspaced) = &self.unspaced {
            return unspaced.question_shape(sentence);
        }
        let words = self.without_greeting(&sentence.words);
        if let Some(request) = self.request(words) {
            return Some(Shape {
                kind: QuestionKind::Request,
                why: format!("asks something of the reader (\"{request}\")"),
                unmarked_score: 0.75,
            });
        }
        if let Some(shape) = self.chat_shape(words) {
            return Some(shape);
        }
        if let Some(wh) = phrase_first(words, self.wh_words) {
            let skip = wh.split(' ').count();
            // A verb close behind the question word, or one inverted with its subject right
            // after it: "what time *does*", "comment *vas-tu*", "was *möchtest du*".
            let verb_follows = words
                .iter()
                .skip(skip)
                .take(3)
                .any(|word| self.verbs.contains(&word.as_str()) || self.is_inverted_form(word))
                || is_one_of(words.get(skip + 1), self.subjects)
                // The reader right after it in a short sentence, the auxiliary dropped:
                // "where u at", "what you doing".
                || self.chat.is_some_and(|chat| {
                    words.len() <= 6 && phrase_at_any(words, skip, chat.second_person)
                });
            let certain = self.unambiguous_wh.contains(&wh);
            return Some(Shape {
                kind: QuestionKind::Wh,
                why: format!("opens with \"{wh}\""),
                unmarked_score: if certain || verb_follows { 0.6 } else { 0.4 },
            });
        }
        if let Some(verb) = self
            .inverted_verb(words)
            .or_else(|| self.verb_before_a_name(sentence, words))
        {
            return Some(Shape {
                kind: QuestionKind::YesNo,
                why: format!("opens with the verb \"{verb}\" before its subject"),
                unmarked_score: 0.6,
            });
        }
        let tail = words.len().saturating_sub(3);
        if let Some(tag) = (tail..words.len())
            .find_map(|at| self.tags.iter().find(|tag| phrase_at(words, at, tag)))
            .filter(|tag| words.len() > tag.split(' ').count())
        {
            return Some(Shape {
                kind: QuestionKind::Tag,
                why: format!("ends with the tag \"{tag}\""),
                unmarked_score: 0.3,
            });
        }
        None
    }

    /// The sentence without the greeting it opens with ("hey there how r u" → "how r u").
    fn without_greeting<'w>(&self, words: &'w [String]) -> &'w [String] {
        let Some(chat) = self.chat else { return words };
        match phrase_first(words, chat.greetings) {
            Some(greeting) => &words[greeting.split(' ').count()..],
            None => words,
        }
    }

    /// Questions written fast, without their auxiliary or their question mark: a call on
    /// whoever reads ("anyone going to the keynote"), the reader and what they are doing ("u
    /// still open"), an invitation ("wanna meet at the booth").
    fn chat_shape(&self, words: &[String]) -> Option<Shape> {
        let chat = self.chat?;
        let shape = |kind, why: String| {
            Some(Shape {
                kind,
                why,
                unmarked_score: 0.6,
            })
        };
        if let Some(call) = phrase_first(words, chat.callouts)
            && words.len() > 1
            && !is_one_of(words.get(1), chat.callout_statements)
        {
            return shape(
                QuestionKind::Request,
                format!("calls on whoever reads (\"{call}…\")"),
            );
        }
        if let Some(reader) = phrase_first(words, chat.second_person)
            && words.len() <= 7
        {
            let next = reader.split(' ').count();
            if is_one_of(words.get(next), chat.dropped_aux_predicates) {
                return shape(
                    QuestionKind::YesNo,
                    format!(
                        "asks the reader without its verb (\"{reader} {}…\")",
                        words[next]
                    ),
                );
            }
        }
        if let Some(invitation) = phrase_first(words, chat.invitations) {
            let next = invitation.split(' ').count();
            if words.len() > next && !is_one_of(words.get(next), chat.announcing) {
                return shape(
                    QuestionKind::Request,
                    format!("invites the reader (\"{invitation}…\")"),
                );
            }
        }
        None
    }

    /// A request phrase; a single verb ("puoi") asks only when it opens the sentence, as "non
    /// puoi" does not.
    fn request(&self, words: &[String]) -> Option<&'static str> {
        self.requests.iter().copied().find(|phrase| {
            if phrase.contains(' ') {
                (0..words.len()).any(|at| phrase_at(words, at, phrase))
            } else {
                phrase_at(words, 0, phrase)
            }
        })
    }

    /// A verb opening the sentence before a name, which is written with a capital letter
    /// ("is Paddy's showing the game", "does Maria know"): the subject the word lists cannot
    /// hold. Never a command verb ("do Maria a favour").
    fn verb_before_a_name<'w>(&self, sentence: &Sentence, words: &'w [String]) -> Option<&'w str> {
        let verb = words.first()?;
        if !self.inverted_verbs.contains(&verb.as_str())
            || self.command_verbs.contains(&verb.as_str())
        {
            return None;
        }
        // The same word as written: the greeting, if any, was dropped from the front.
        let at = sentence.words.len() - words.len() + 1;
        let written = sentence.text.split_whitespace().nth(at)?;
        let bare = written.trim_matches(|c: char| !c.is_alphanumeric());
        let named = bare.chars().next().is_some_and(char::is_uppercase)
            && words
                .get(1)
                .is_some_and(|word| word.trim_matches('\'') == bare.to_lowercase());
        named.then_some(verb)
    }

    fn inverted_verb<'w>(&self, words: &'w [String]) -> Option<&'w str> {
        let verb = words.first()?;
        if self.is_inverted_form(verb) {
            return Some(verb);
        }
        if !self.inverted_verbs.contains(&verb.as_str()) {
            return None;
        }
        let subjects = if self.command_verbs.contains(&verb.as_str()) {
            self.persons
        } else {
            self.subjects
        };
        is_one_of(words.get(1), subjects).then_some(verb)
    }
}

impl Unspaced {
    fn question_shape(&self, sentence: &Sentence) -> Option<Shape> {
        let letters = sentence.letters();
        if let Some(wh) = self.wh_words.iter().find(|wh| letters.contains(*wh)) {
            return Some(Shape {
                kind: QuestionKind::Wh,
                why: format!("asks with \"{wh}\""),
                unmarked_score: 0.6,
            });
        }
        self.final_particles
            .iter()
            .find(|particle| letters.ends_with(*particle))
            .map(|particle| Shape {
                kind: QuestionKind::YesNo,
                why: format!("ends with the question particle \"{particle}\""),
                unmarked_score: 0.6,
            })
    }
}

const EN_PERSONS: &[&str] = &[
    "i", "you", "we", "they", "he", "she", "u", "y'all", "anyone", "anybody", "someone",
    "somebody", "everyone", "people", "ya",
];

static ENGLISH: Grammar = Grammar {
    stopwords: &[
        "the", "and", "is", "you", "to", "of", "it", "what", "are", "do", "i", "my", "this",
        "that", "for", "with", "in", "on", "be", "have", "how", "can", "was", "we", "your",
    ],
    wh_words: &[
        "how many",
        "how much",
        "how long",
        "how far",
        "how soon",
        "what time",
        "which one",
        "what",
        "what's",
        "whats",
        "when",
        "when's",
        "where",
        "where's",
        "who",
        "who's",
        "whom",
        "whose",
        "why",
        "how",
        "how's",
        "which",
    ],
    unambiguous_wh: &[
        "why",
        "what's",
        "whats",
        "where's",
        "who's",
        "how's",
        "when's",
        "how many",
        "how much",
        "how long",
        "how far",
        "how soon",
        "what time",
        "which one",
    ],
    inverted_verbs: &[
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "am",
        "can",
        "could",
        "would",
        "will",
        "should",
        "shall",
        "have",
        "has",
        "had",
        "may",
        "might",
        "must",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "won't",
        "wouldn't",
        "shouldn't",
        "couldn't",
        "haven't",
        "hasn't",
        // Chat shorthand: "r u coming".
        "r",
    ],
    inversion_endings: &[],
    command_verbs: &["do", "don't", "have"],
    subjects: &[
        "i", "you", "we", "they", "he", "she", "it", "there", "u", "y'all", "anyone", "anybody",
        "someone", "somebody", "everyone", "people", "this", "that", "these", "those", "the", "a",
        "an", "your", "my", "our", "their", "his", "her", "its", "any", "ya",
    ],
    persons: EN_PERSONS,
    verbs: &[
        "is", "are", "was", "were", "do", "does", "did", "can", "could", "would", "will", "should",
        "have", "has", "had", "may", "might", "am", "isn't", "aren't", "don't", "doesn't",
        "didn't", "can't", "won't", "r",
    ],
    requests: &[
        "can you",
        "could you",
        "would you",
        "will you",
        "can someone",
        "can anyone",
        "could someone",
        "could anyone",
        "does anyone",
        "does anybody",
        "anyone know",
        "anybody know",
        "anyone have",
        "anyone got",
        "any idea",
        "any ideas",
        "any tips",
        "any recommendations",
        "any suggestions",
        "let me know",
        "please tell",
        "please share",
        "do you know",
        "i wonder",
        "wondering if",
        "wondering whether",
        "thoughts on",
        "would love to hear",
        "tell me",
    ],
    tags: &[
        "right",
        "isn't it",
        "aren't you",
        "don't you",
        "didn't you",
        "won't you",
        "ok",
        "okay",
        "yeah",
        "no",
    ],
    rhetorical: &[
        "guess what",
        "you know what",
        "who knew",
        "who cares",
        "why not",
        "what could go wrong",
        "what could possibly go wrong",
        "how cool is that",
        "how awesome is that",
        "how great is that",
        "how amazing is that",
        "can you believe",
        "are you kidding me",
        "who would have thought",
        "who'd have thought",
        "need i say more",
        "what's not to love",
        "am i right",
        "what else is new",
        "who doesn't love",
        "isn't it ironic",
        "what more could you want",
    ],
    answers: &[
        "because",
        "yes",
        "yep",
        "yup",
        "nope",
        "turns out",
        "spoiler",
        "answer",
        "the answer",
        "short answer",
        "obviously",
        "of course",
    ],
    exclamations: &[
        "what a",
        "what an",
        "how lovely",
        "how nice",
        "how cool",
        "how sweet",
    ],
    lead_ins: &[
        "the", "my", "our", "best", "worst", "plot", "result", "reason", "verdict", "moral",
        "lesson", "bottom",
    ],
    chat: Some(&ENGLISH_CHAT),
    unspaced: None,
};

static ENGLISH_CHAT: Chat = Chat {
    greetings: &[
        "hey there",
        "hi there",
        "hello there",
        "hey all",
        "hi all",
        "hey",
        "hi",
        "hello",
        "hiya",
        "heya",
        "yo",
        "morning",
        "evening",
        "oi",
    ],
    callouts: &["anyone", "anybody", "any1", "ne1"],
    callout_statements: &[
        "can", "could", "will", "would", "should", "may", "must", "who", "that", "is", "was",
        "needs", "gets",
    ],
    second_person: &["u", "you", "ya", "y'all", "yall", "you guys", "u guys"],
    dropped_aux_predicates: &[
        "open",
        "coming",
        "going",
        "around",
        "free",
        "there",
        "here",
        "still",
        "ok",
        "okay",
        "up",
        "in",
        "home",
        "back",
        "awake",
        "busy",
        "ready",
        "done",
        "sure",
        "joining",
        "staying",
        "doing",
        "streaming",
        "leaving",
        "closing",
        "heading",
        "watching",
        "at",
        "on",
    ],
    invitations: &["wanna", "want to", "fancy", "up for", "down for", "down to"],
    announcing: &[
        "say", "thank", "share", "give", "shout", "announce", "remind", "see", "know", "tell",
    ],
};

static SPANISH: Grammar = Grammar {
    stopwords: &[
        "el", "la", "los", "las", "que", "de", "y", "es", "en", "por", "qué", "para", "con", "una",
        "un", "no", "me", "está", "te", "lo", "mi", "yo", "tu", "pero", "muy", "hay",
    ],
    wh_words: &[
        "qué", "cómo", "cuándo", "dónde", "adónde", "quién", "quiénes", "cuál", "cuáles", "cuánto",
        "cuánta", "cuántos", "cuántas", "por qué", "que", "como", "cuando", "donde", "quien",
        "cual", "cuanto", "por que",
    ],
    unambiguous_wh: &[
        "qué", "cómo", "cuándo", "dónde", "adónde", "quién", "quiénes", "cuál", "cuáles", "cuánto",
        "cuánta", "cuántos", "cuántas", "por qué",
    ],
    inverted_verbs: &[],
    inversion_endings: &[],
    command_verbs: &[],
    subjects: &[],
    persons: &[],
    verbs: &[
        "es", "está", "están", "son", "hay", "puedo", "puedes", "se", "vas", "van", "hace",
        "tienes", "estás", "eres",
    ],
    requests: &[
        "alguien sabe",
        "puedes",
        "podrías",
        "podría",
        "me puedes",
        "sabes si",
        "me pregunto",
        "alguna idea",
        "alguna recomendación",
        "me dices",
        "me dijeras",
        "sabéis",
    ],
    tags: &["verdad", "no", "vale"],
    rhetorical: &[
        "adivina qué",
        "sabes qué",
        "por qué no",
        "quién lo diría",
        "a quién le importa",
        "qué más se puede pedir",
    ],
    answers: &["porque", "sí", "pues", "respuesta", "obvio"],
    exclamations: &[
        "qué bonito",
        "qué bien",
        "qué lindo",
        "qué día",
        "qué suerte",
        "qué alegría",
    ],
    lead_ins: &["el", "la", "mi", "lo", "resultado"],
    chat: None,
    unspaced: None,
};

static FRENCH: Grammar = Grammar {
    stopwords: &[
        "le", "la", "les", "des", "et", "est", "que", "de", "un", "une", "je", "tu", "vous", "pas",
        "pour", "dans", "ce", "c'est", "qui", "on", "du", "au", "avec", "mais", "très", "est-ce",
    ],
    wh_words: &[
        "qu'est-ce",
        "est-ce que",
        "comment",
        "pourquoi",
        "quand",
        "où",
        "qui",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "combien",
        "que",
        "quoi",
    ],
    unambiguous_wh: &["qu'est-ce", "est-ce que", "pourquoi", "combien"],
    inverted_verbs: &[],
    // "t-il", not "-il": every verb inverted with il, elle or on ends in a t ("est-il",
    // "a-t-elle", "peut-on"), and English compounds do not ("runs-on").
    inversion_endings: &[
        "-vous", "-tu", "-je", "t-il", "t-ils", "t-elle", "t-elles", "t-on", "est-ce",
    ],
    command_verbs: &[],
    subjects: &[],
    persons: &[],
    verbs: &[
        "est",
        "sont",
        "as",
        "avez",
        "peux",
        "pouvez",
        "va",
        "vas",
        "allez",
        "fait",
        "faut",
        "se",
        "es",
        "êtes",
        "c'est",
        "s'appelle",
    ],
    requests: &[
        "quelqu'un sait",
        "quelqu'un a",
        "pouvez-vous",
        "peux-tu",
        "pourriez-vous",
        "pourrais-tu",
        "tu peux",
        "vous pouvez",
        "des idées",
        "une idée",
        "je me demande",
        "dites-moi",
        "dis-moi",
        "savez-vous",
        "sais-tu",
        "des conseils",
    ],
    tags: &["n'est-ce pas", "non", "hein"],
    rhetorical: &[
        "devine quoi",
        "devinez quoi",
        "tu sais quoi",
        "pourquoi pas",
        "qui l'eût cru",
        "qui aurait cru",
        "qui s'en soucie",
    ],
    answers: &["parce", "oui", "réponse", "bien sûr", "évidemment"],
    exclamations: &[
        "quel beau",
        "quelle belle",
        "quelle journée",
        "quel bonheur",
        "quelle joie",
    ],
    lead_ins: &["le", "la", "mon", "ma", "résultat"],
    chat: None,
    unspaced: None,
};

static GERMAN: Grammar = Grammar {
    stopwords: &[
        "der", "die", "das", "und", "ist", "ich", "du", "nicht", "ein", "eine", "mit", "es", "sie",
        "zu", "auf", "wir", "was", "ihr", "den", "dem", "mein", "dein", "auch", "sehr",
    ],
    wh_words: &[
        "wer",
        "was",
        "wann",
        "wo",
        "warum",
        "wie",
        "welche",
        "welcher",
        "welches",
        "wieso",
        "weshalb",
        "woher",
        "wohin",
        "wieviel",
        "wie viel",
        "wie viele",
    ],
    unambiguous_wh: &["warum", "wieso", "weshalb", "woher", "wohin"],
    inverted_verbs: &[
        "ist",
        "sind",
        "hast",
        "hat",
        "habt",
        "haben",
        "kannst",
        "kann",
        "könnt",
        "können",
        "könnte",
        "könntest",
        "weißt",
        "wisst",
        "gibt",
        "bist",
        "seid",
        "wird",
        "werden",
        "wirst",
        "sollte",
        "soll",
        "darf",
        "darfst",
        "magst",
        "willst",
        "gehst",
        "kommst",
        "machst",
        "war",
        "waren",
        "hattest",
        "findest",
        "meinst",
        "kennt",
        "kennst",
    ],
    inversion_endings: &[],
    command_verbs: &[],
    subjects: &[
        "du", "ihr", "sie", "es", "das", "der", "die", "jemand", "man", "ich", "wir", "er",
        "dieser", "diese", "ein", "eine", "dein", "euer", "mein",
    ],
    persons: &[],
    verbs: &[
        "ist", "sind", "hast", "hat", "kann", "kannst", "geht", "gibt", "wird", "soll", "machst",
        "bist", "war", "heißt", "kommt", "kommst", "findet",
    ],
    requests: &[
        "weiß jemand",
        "kann jemand",
        "kannst du",
        "könntest du",
        "können sie",
        "könnten sie",
        "hat jemand",
        "ich frage mich",
        "irgendwelche tipps",
        "sag mir",
        "sagt mir",
        "weißt du ob",
        "habt ihr tipps",
    ],
    tags: &["oder", "nicht wahr", "ne", "gell"],
    rhetorical: &[
        "rate mal",
        "ratet mal",
        "weißt du was",
        "warum nicht",
        "wer hätte das gedacht",
        "wen interessiert's",
        "wen kümmert's",
    ],
    answers: &["weil", "ja", "antwort", "natürlich", "klar"],
    exclamations: &["was für ein", "was für eine", "wie schön", "wie toll"],
    lead_ins: &["der", "die", "das", "mein", "ergebnis"],
    chat: None,
    unspaced: None,
};

static PORTUGUESE: Grammar = Grammar {
    stopwords: &[
        "o", "a", "os", "as", "que", "de", "e", "é", "um", "uma", "não", "para", "com", "você",
        "do", "da", "em", "eu", "meu", "minha", "isso", "está", "se", "mas", "muito",
    ],
    wh_words: &[
        "o que", "que", "como", "quando", "onde", "quem", "qual", "quais", "quanto", "quantos",
        "quanta", "quantas", "por que", "porquê", "cadê",
    ],
    unambiguous_wh: &["porquê", "cadê", "quais"],
    inverted_verbs: &[],
    inversion_endings: &[],
    command_verbs: &[],
    subjects: &[],
    persons: &[],
    verbs: &[
        "é", "está", "são", "vai", "pode", "posso", "tem", "fica", "foi", "você", "vocês", "estás",
        "és",
    ],
    requests: &[
        "alguém sabe",
        "você pode",
        "pode me",
        "podes",
        "poderia",
        "alguma ideia",
        "alguma dica",
        "me diga",
        "me fala",
        "você sabe",
        "sabe se",
    ],
    tags: &["né", "não é", "certo"],
    rhetorical: &[
        "adivinha",
        "adivinhem",
        "sabe de uma coisa",
        "por que não",
        "quem diria",
        "quem se importa",
    ],
    answers: &["porque", "sim", "resposta", "claro"],
    exclamations: &[
        "que lindo",
        "que bom",
        "que dia",
        "que legal",
        "que maravilha",
    ],
    lead_ins: &["o", "a", "meu", "minha", "resultado"],
    chat: None,
    unspaced: None,
};

static ITALIAN: Grammar = Grammar {
    stopwords: &[
        "il", "la", "che", "di", "e", "è", "un", "una", "non", "per", "con", "sono", "mi", "ti",
        "lo", "gli", "del", "della", "io", "tu", "ma", "molto", "ho", "hai", "questo",
    ],
    wh_words: &[
        "chi", "che cosa", "cosa", "come", "quando", "dove", "perché", "perchè", "quale", "quali",
        "quanto", "quanti", "quanta", "quante", "che",
    ],
    unambiguous_wh: &["che cosa", "cosa"],
    inverted_verbs: &[],
    inversion_endings: &[],
    command_verbs: &[],
    subjects: &[],
    persons: &[],
    verbs: &[
        "è", "sono", "sta", "stai", "va", "può", "posso", "hai", "ha", "si", "fa", "c'è", "ti",
        "vi", "sei", "fai",
    ],
    requests: &[
        "qualcuno sa",
        "puoi",
        "potresti",
        "può",
        "mi chiedo",
        "qualche idea",
        "qualche consiglio",
        "mi dici",
        "sai se",
        "sapete",
    ],
    tags: &["vero", "no", "giusto"],
    rhetorical: &[
        "indovina",
        "indovinate",
        "sai cosa",
        "sai che",
        "perché no",
        "perché non",
        "chi l'avrebbe detto",
        "chi se ne frega",
    ],
    answers: &["perché", "sì", "risposta", "ovviamente", "certo"],
    exclamations: &[
        "che bello",
        "che bella",
        "che giornata",
        "che gioia",
        "che meraviglia",
    ],
    lead_ins: &["il", "la", "mio", "mia", "risultato"],
    chat: None,
    unspaced: None,
};

static DUTCH: Grammar = Grammar {
    stopwords: &[
        "de", "het", "een", "en", "is", "ik", "je", "niet", "van", "dat", "die", "wat", "op", "te",
        "met", "zijn", "er", "jij", "we", "maar", "ook", "heel", "mijn", "voor",
    ],
    wh_words: &[
        "wie", "wat", "wanneer", "waar", "waarom", "hoe", "welke", "welk", "hoeveel", "waarheen",
        "waarvoor",
    ],
    unambiguous_wh: &["waarom", "hoeveel"],
    inverted_verbs: &[
        "heb", "hebben", "heeft", "is", "zijn", "kan", "kun", "kunt", "kunnen", "wil", "wilt",
        "weet", "weten", "ga", "gaat", "gaan", "moet", "mag", "zal", "zou", "ben", "bent", "was",
        "waren", "vind", "vindt", "ken", "kent", "doe", "doet",
    ],
    inversion_endings: &[],
    command_verbs: &[],
    subjects: &[
        "je", "jij", "u", "jullie", "iemand", "er", "het", "dit", "dat", "de", "een", "we", "wij",
        "ik", "hij", "ze", "zij", "jouw", "mijn",
    ],
    persons: &[],
    verbs: &[
        "is", "zijn", "heb", "hebt", "heeft", "kan", "kun", "kunt", "gaat", "ga", "wordt", "moet",
        "doe", "doet", "ben", "bent", "was", "heet",
    ],
    requests: &[
        "weet iemand",
        "kun je",
        "kunt u",
        "kan iemand",
        "heeft iemand",
        "iemand een idee",
        "ik vraag me af",
        "zeg eens",
        "laat me weten",
        "iemand tips",
    ],
    tags: &["toch", "hè", "of niet"],
    rhetorical: &[
        "raad eens",
        "weet je wat",
        "waarom niet",
        "wie had dat gedacht",
        "wie maalt erom",
    ],
    answers: &["omdat", "ja", "antwoord", "natuurlijk", "tuurlijk"],
    exclamations: &["wat een", "wat mooi", "wat leuk", "wat fijn"],
    lead_ins: &["de", "het", "mijn", "resultaat"],
    chat: None,
    unspaced: None,
};

/// Japanese and Chinese share a reading: question particles at the end, question words
/// anywhere.
static UNSPACED: Grammar = Grammar {
    stopwords: &[],
    wh_words: &[],
    unambiguous_wh: &[],
    inverted_verbs: &[],
    inversion_endings: &[],
    command_verbs: &[],
    subjects: &[],
    persons: &[],
    verbs: &[],
    requests: &[],
    tags: &[],
    rhetorical: &[],
    answers: &[],
    exclamations: &[],
    lead_ins: &[],
    chat: None,
    unspaced: Some(Unspaced {
        final_particles: &[
            "吗",
            "嗎",
            "呢",
            "ですか",
            "ますか",
            "でしょうか",
            "かな",
            "か",
        ],
        wh_words: &[
            "什么",
            "什麼",
            "怎么",
            "怎麼",
            "为什么",
            "為什麼",
            "哪",
            "谁",
            "誰",
            "多少",
            "几点",
            "何時",
            "何を",
            "何が",
            "何の",
            "何で",
            "なに",
            "どう",
            "どこ",
            "だれ",
            "いつ",
            "なぜ",
            "どれ",
            "どの",
            "どうして",
        ],
    }),
};

/// Languages written with spaces, English first (it wins ties).
static SPACED: [&Grammar; 7] = [
    &ENGLISH,
    &SPANISH,
    &FRENCH,
    &GERMAN,
    &PORTUGUESE,
    &ITALIAN,
    &DUTCH,
];
