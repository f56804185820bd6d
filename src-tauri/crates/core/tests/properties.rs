//! Properties of everything in core that reads text from outside: any input, never a panic,
//! and what each reader promises holds for every case proptest makes (a bounded number per
//! property, so `make test` stays quick).

use earshot_core::plan_doc::{EventPlan, PlanEntry, TargetEntry, TopicLine};
use earshot_core::richtext::detect_facets;
use earshot_core::{EventDetails, EventHoldRule, PlanStatus, detect_question};
use proptest::prelude::*;

const CASES: u32 = 256;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // Nothing written next to the sources: a failure prints its minimal input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A line a person would type as a name or title: no line breaks, no spaces at the ends.
fn line() -> impl Strategy<Value = String> {
    "[A-Za-z0-9äöüß' ]{0,30}[A-Za-z0-9äöü]".prop_map(|s| s.trim().to_owned())
}

/// Any text at all, fences and Markdown included, as a post may hold it.
fn post_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(~~~|```|#|- |\\n|  |[a-z]| ){1,40}",
        "[^\\x00]{1,200}",
    ]
    .prop_filter("a post has words", |text| !text.trim().is_empty())
}

fn status() -> impl Strategy<Value = PlanStatus> {
    prop_oneof![
        Just(PlanStatus::Draft),
        Just(PlanStatus::Approved),
        Just(PlanStatus::Scheduled),
        Just(PlanStatus::Published),
        Just(PlanStatus::Held),
        Just(PlanStatus::Failed),
    ]
}

/// An entry whose topic, if any, is one of `topics`.
fn entry(topics: Vec<String>) -> impl Strategy<Value = PlanEntry> {
    let topic = if topics.is_empty() {
        Just(None).boxed()
    } else {
        proptest::option::of(proptest::sample::select(topics)).boxed()
    };
    (
        0i64..400_000_000,
        topic,
        proptest::option::of(line().prop_filter("a warning", |t| !t.is_empty())),
        proptest::option::of("[a-z]{2}"),
        proptest::collection::vec(
            (status(), proptest::collection::vec(post_text(), 1..4)),
            1..3,
        ),
    )
        .prop_map(|(seconds, topic, warning, language, targets)| PlanEntry {
            publish_at: jiff::Timestamp::from_second(1_700_000_000 + seconds).expect("time"),
            topic,
            content_warning: warning,
            language,
            targets: targets
                .into_iter()
                .enumerate()
                .map(|(n, (status, parts))| TargetEntry {
                    account: format!("@person{n}@example.org"),
                    status,
                    parts,
                })
                .collect(),
        })
}

fn plan() -> impl Strategy<Value = EventPlan> {
    (
        line().prop_filter("a name", |n| !n.is_empty()),
        proptest::collection::btree_map(
            line().prop_filter("a title", |t| !t.is_empty()),
            any::<bool>(),
            0..4,
        ),
    )
        .prop_flat_map(|(name, topics)| {
            let titles: Vec<String> = topics.keys().cloned().collect();
            (
                Just(name),
                Just(topics),
                proptest::collection::vec(entry(titles), 0..4),
            )
        })
        .prop_map(|(name, topics, plans)| EventPlan {
            details: EventDetails {
                name,
                starts_on: "2026-12-01".parse().expect("date"),
                ends_on: "2026-12-03".parse().expect("date"),
                time_zone: "Europe/Berlin".into(),
                hashtags: vec!["devconf".into()],
                hold_rule: EventHoldRule::AsSettings,
            },
            topics: topics
                .into_iter()
                .map(|(title, covered)| TopicLine { title, covered })
                .collect(),
            plans,
        })
}

proptest! {
    #![proptest_config(config())]

    /// Any plan written out reads back as the same plan: every character of every post.
    #[test]
    fn a_plan_document_round_trips(plan in plan()) {
        let doc = plan.to_markdown();
        let read = EventPlan::from_markdown(&doc);
        prop_assert_eq!(read, Ok(plan), "{}", doc);
    }

    /// Any document at all either reads or names the line where it stops making sense.
    #[test]
    fn any_document_reads_or_names_a_line(doc in any::<String>()) {
        if let Err(error) = EventPlan::from_markdown(&doc) {
            prop_assert!(error.line >= 1, "{error}");
            prop_assert!(error.line <= doc.lines().count().max(1) + 1, "{error}");
        }
    }

    /// A mangled copy of a real document never panics either.
    #[test]
    fn a_mangled_document_never_panics(plan in plan(), cut in any::<usize>(), junk in ".{0,20}") {
        let doc = plan.to_markdown();
        let mut at = cut % (doc.len() + 1);
        while !doc.is_char_boundary(at) {
            at -= 1;
        }
        let mangled = format!("{}{junk}{}", &doc[..at], &doc[at..]);
        let _ = EventPlan::from_markdown(&mangled);
    }

    /// Facets point into the text: ranges inside it, on character boundaries, never empty.
    #[test]
    fn facets_stay_on_character_boundaries(text in prop_oneof![
        any::<String>(),
        "([@#]|https?://|[a-z.]|\\(|[,.!?]| |é|🎉|\\u{301}){0,60}",
    ]) {
        for facet in detect_facets(&text) {
            prop_assert!(facet.byte_start < facet.byte_end, "{facet:?}");
            prop_assert!(facet.byte_end <= text.len(), "{facet:?}");
            prop_assert!(text.is_char_boundary(facet.byte_start), "{facet:?} in {text:?}");
            prop_assert!(text.is_char_boundary(facet.byte_end), "{facet:?} in {text:?}");
        }
    }

    /// The detector takes anything: a score between 0 and 1, the same verdict every time.
    #[test]
    fn the_detector_never_panics_and_is_stable(text in prop_oneof![
        any::<String>(),
        "([A-Za-z]{1,8}|\\?|!|\\.|,| |@[a-z]+|#[a-z]+|https://x\\.y/z|¿|？|か){0,40}",
    ]) {
        let first = detect_question(&text);
        prop_assert!((0.0..=1.0).contains(&first.score), "{first:?}");
        prop_assert_eq!(first, detect_question(&text));
    }
}
