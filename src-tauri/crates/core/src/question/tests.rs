use super::*;

fn asks(text: &str) -> bool {
    detect_question(text).question
}

fn kind(text: &str) -> QuestionKind {
    detect_question(text).kind
}

#[test]
fn english_questions_of_each_kind() {
    assert_eq!(kind("@me is the game on tonight?"), QuestionKind::YesNo);
    assert_eq!(kind("When does the keynote start?"), QuestionKind::Wh);
    assert_eq!(kind("Can you send me the slides?"), QuestionKind::Request);
    assert_eq!(kind("The venue is in Ghent, right?"), QuestionKind::Tag);
    assert_eq!(kind("Coffee?"), QuestionKind::Other);
}

#[test]
fn questions_without_a_question_mark_still_ask() {
    assert!(asks("anyone know a good café near the venue"));
    assert!(asks("what time does the talk start"));
    assert!(asks("do you have the link to the recording"));
    assert!(asks("let me know what you think"));
}

#[test]
fn a_verb_before_a_name_asks_without_a_question_mark() {
    assert!(asks("is Paddy's showing the game tonight"));
    assert!(asks("hey does Maria know the way"));
    assert!(!asks("Do Maria a favour and bring the cables"), "a command");
    assert!(!asks("Paddy's is showing the game tonight"));
}

#[test]
fn statements_do_not_ask() {
    assert!(!asks("Great talk today, thanks everyone."));
    assert!(!asks("Do it now, before the tickets are gone"));
    assert!(!asks("Have a nice weekend!"));
    assert!(!asks("When I was young, we played outside."));
    assert!(!asks("What a day!"));
    assert!(!asks("How cool is that!"));
}

#[test]
fn rhetorical_and_self_answered_questions_do_not_ask() {
    assert!(!asks("guess what? we won!"));
    assert!(!asks("Who knew? Rust is fun."));
    assert!(!asks("Why do we do this? Because we love it."));
    assert!(!asks("The result? Amazing."));
    assert_eq!(kind("Guess what? We won"), QuestionKind::Rhetorical);
}

#[test]
fn a_real_question_after_a_rhetorical_one_still_counts() {
    let verdict = detect_question("Guess what? We won! Are you coming to the party?");
    assert!(verdict.question);
    assert_eq!(
        verdict.asks.as_deref(),
        Some("Are you coming to the party?")
    );
}

#[test]
fn mentions_links_and_hashtags_do_not_decide() {
    assert!(!asks("@alice @bob https://example.org/?q=1 #why"));
    assert!(asks(
        "@alice did you see https://example.org/post?id=3 #rustlang"
    ));
    assert!(!asks("Slides are up: https://example.org/slides?talk=4"));
}

#[test]
fn other_languages_ask_in_their_own_words() {
    for text in [
        "¿A qué hora empieza la charla?",
        "alguien sabe dónde es la fiesta",
        "Tu viens ce soir ?",
        "Pouvez-vous partager les slides",
        "Weißt du, wann der Vortrag beginnt?",
        "Kannst du mir die Folien schicken",
        "Você pode me mandar o link?",
        "qualcuno sa dove si mangia bene",
        "Weet iemand waar de zaal is",
        "明日は来ますか？",
        "你明天来吗",
    ] {
        assert!(asks(text), "{text:?} should ask");
    }
    for text in [
        "Adivina qué? Ganamos.",
        "Merci à tous pour cette belle journée.",
        "Was für ein Tag!",
        "Obrigado a todos pela conferência.",
        "Grazie a tutti, che bella giornata!",
        "Wat een mooie dag!",
        "今日は晴れです。",
    ] {
        assert!(!asks(text), "{text:?} should not ask");
    }
}

#[test]
fn posts_too_short_to_tell_their_language_are_still_read_in_it() {
    // "est-ce" is French and nothing else, even when "la" and "que" look Spanish.
    assert!(asks("Est-ce que la salle sera ouverte demain"));
    // A teaser answered at once, in a post with no other word to tell its language by.
    assert!(!asks("Raad eens? Gelukt!"));
    assert!(!asks("Indovinate? Fatto."));
    assert_eq!(kind("Adivinhem? Conseguimos!"), QuestionKind::Rhetorical);
    // Question words and inverted verbs tell the language where common words are few.
    assert!(asks("Hast du morgen Zeit"));
    assert!(asks("Comment allez-vous"));
    assert!(asks("Où habitez-vous"));
}

#[test]
fn a_verb_with_its_subject_behind_a_question_word_asks() {
    assert!(asks("Was liest du gerade"));
    assert!(asks("what brings you here"));
    assert!(asks("Wat doe jij vanavond"));
    // A hyphenated English word is no French inversion.
    assert!(!asks("runs-on: ubuntu-latest"));
}

#[test]
fn the_verdict_names_the_sentence_that_asks() {
    let verdict = detect_question("Loved the keynote. Is the video online yet?");
    assert_eq!(verdict.asks.as_deref(), Some("Is the video online yet?"));
    assert!(
        verdict.reason.contains("question mark"),
        "{}",
        verdict.reason
    );
    assert!(verdict.score >= QUESTION_THRESHOLD);
}

#[test]
fn empty_text_is_no_question() {
    let verdict = detect_question("   ");
    assert!(!verdict.question);
    assert_eq!(verdict.kind, QuestionKind::Statement);
}

/// The hand-written, labelled test set in `tests/detector/social.jsonl` (posts in the style
/// of social replies, English and six more languages, with rhetorical questions): the
/// detector must stay above these figures. `tests/detector/measure.py` prints them in full.
#[test]
fn the_social_test_set_stays_accurate() {
    let set = include_str!("../../../../../tests/detector/social.jsonl");
    let (mut true_pos, mut false_pos, mut false_neg, mut wrong) = (0.0, 0.0, 0.0, Vec::new());
    for line in set.lines().filter(|line| !line.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let text = case["text"].as_str().expect("text");
        let expected = case["question"].as_bool().expect("question");
        let found = asks(text);
        match (expected, found) {
            (true, true) => true_pos += 1.0,
            (false, true) => false_pos += 1.0,
            (true, false) => false_neg += 1.0,
            (false, false) => {}
        }
        if expected != found {
            wrong.push(text.to_owned());
        }
    }
    let precision = true_pos / (true_pos + false_pos);
    let recall = true_pos / (true_pos + false_neg);
    assert!(
        precision >= 0.9 && recall >= 0.9,
        "precision {precision:.2}, recall {recall:.2}; wrong: {wrong:#?}"
    );
}

#[test]
fn questions_written_fast_ask() {
    // A question word, the auxiliary dropped or in shorthand.
    assert_eq!(kind("where u at"), QuestionKind::Wh);
    assert!(asks("how many tickets left"));
    assert!(asks("how r u getting home"));
    // A call on whoever reads.
    assert_eq!(kind("anybody got a charger"), QuestionKind::Request);
    assert!(asks("anyone going to the keynote"));
    // Chat shorthand and the reader without a verb.
    assert_eq!(kind("r u coming"), QuestionKind::YesNo);
    assert!(asks("u still open today"));
    assert!(asks("wanna meet at the booth"));
    // A greeting before the question.
    assert!(asks("hey there how r u"));
    assert!(asks("hi! you still open"));
}

#[test]
fn statements_shaped_like_fast_questions_do_not_ask() {
    assert!(!asks("anyone can join the meetup"));
    assert!(!asks("anyone who wants to come is welcome"));
    assert!(!asks("you did great today"));
    assert!(!asks("wanna thank everyone who came"));
    assert!(!asks("hey there, great talk"));
    assert!(!asks("how many times i've said this, lol"));
}

#[test]
fn a_declared_language_comes_before_a_guess() {
    // The declared language is read, not second-guessed from a few words.
    assert!(detect_question_in("wanna split a taxi", Some("en")).question);
    assert!(!detect_question_in("wanna split a taxi", Some("pt")).question);
    assert!(detect_question_in("est-ce que tu viens", Some("fr-CA")).question);
    // A language the detector does not know falls back to guessing.
    assert!(detect_question_in("is the game on tonight", Some("tlh")).question);
}
