//! How fast a conference-sized plan moves: an event of 500 plans (two accounts each, a
//! two-post thread) written to Markdown and read back, imported into the store in one
//! transaction, and read back for the Events screen.
//!
//! `make bench` runs this; the figures go into the issue notes. Not a pass/fail test.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use earshot_core::plan_doc::{EventPlan, PlanEntry, TargetEntry, TopicLine};
use earshot_core::{EventDetails, EventHoldRule, Network, PlanStatus, Timestamp};
use earshot_store::Store;

const PLANS: usize = 500;

fn conference() -> EventPlan {
    let start = Timestamp::from_second(1_796_112_000).expect("a valid instant");
    let topics: Vec<TopicLine> = (0..25)
        .map(|n| TopicLine {
            title: format!("Topic {n}"),
            covered: n % 3 == 0,
        })
        .collect();
    let plans = (0..PLANS)
        .map(|n| PlanEntry {
            publish_at: start + jiff::SignedDuration::from_mins(10 * n as i64),
            topic: Some(format!("Topic {}", n % 25)),
            content_warning: (n % 10 == 0).then(|| "spoilers".to_owned()),
            language: Some("en".into()),
            targets: ["@maya@mastodon.example", "@maya.bsky.social"]
                .iter()
                .map(|account| TargetEntry {
                    account: (*account).to_owned(),
                    status: if n % 2 == 0 {
                        PlanStatus::Approved
                    } else {
                        PlanStatus::Draft
                    },
                    parts: vec![
                        format!("Session {n} starts now in hall {}: come early 🎤", n % 4),
                        "Slides and questions in the thread below.\n\n~~~\nnot a fence".into(),
                    ],
                })
                .collect(),
        })
        .collect();
    EventPlan {
        details: EventDetails {
            name: "RustConf 2026".into(),
            starts_on: jiff::civil::date(2026, 12, 1),
            ends_on: jiff::civil::date(2026, 12, 4),
            time_zone: "Europe/Berlin".into(),
            hashtags: vec!["rustconf".into()],
            hold_rule: EventHoldRule::AsSettings,
        },
        topics,
        plans,
    }
}

fn benches(c: &mut Criterion) {
    let plan = conference();
    let markdown = plan.to_markdown();
    #[expect(clippy::print_stdout, reason = "a bench reports its figures")]
    {
        println!(
            "conference plan: {PLANS} plans, {} KiB of Markdown",
            markdown.len() / 1024
        );
    }
    c.bench_function("plan_doc: write 500 plans as Markdown", |b| {
        b.iter(|| black_box(plan.to_markdown()));
    });
    c.bench_function("plan_doc: read 500 plans from Markdown", |b| {
        b.iter(|| black_box(EventPlan::from_markdown(&markdown).expect("reads")));
    });

    let now = Timestamp::from_second(1_796_000_000).expect("a valid instant");
    let open = || {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        let mut accounts = HashMap::new();
        for (network, handle) in [
            (Network::Mastodon, "maya@mastodon.example"),
            (Network::Bluesky, "maya.bsky.social"),
        ] {
            let account = store
                .upsert_account(network, "https://example.org", handle, handle, now)
                .expect("account");
            accounts.insert(format!("@{handle}"), account.id);
        }
        (dir, store, accounts)
    };
    c.bench_function("store: import a 500-plan event", |b| {
        b.iter_batched(
            open,
            |(dir, store, accounts)| {
                black_box(store.import_event(&plan, &accounts, now).expect("import"));
                drop(dir);
            },
            BatchSize::PerIteration,
        );
    });
    let (_dir, store, accounts) = open();
    let event = store.import_event(&plan, &accounts, now).expect("import");
    c.bench_function("store: an event's 1000 posts, for its schedule", |b| {
        b.iter(|| black_box(store.event_posts(&event.id).expect("posts")));
    });
}

criterion_group! {
    name = plans;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(plans);
