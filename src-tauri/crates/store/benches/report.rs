//! How fast the Report counts: 90 days out of 1M stored items (spread over two years, nine
//! in ten answered), and a CSV export of 100k items. `make bench` runs this; the figures go
//! into the issue notes (targets: 100 ms and 1 s).

use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use earshot_core::{InboxReason, IncomingPost, Network, OwnPost, Person, SyncMarks, Timestamp};
use earshot_store::{PageEnd, ReportQuery, Store};

const ITEMS: i64 = 1_000_000;
/// Two years of items, one every 63 seconds.
const EVERY: i64 = 63;
const START: i64 = 1_740_000_000;

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).expect("a valid instant")
}

fn post(n: i64) -> IncomingPost {
    let written = at(START + n * EVERY);
    IncomingPost {
        uri: format!("at://did:plc:author{}/app.bsky.feed.post/{n:012}", n % 700),
        cid: None,
        reason: if n % 10 == 0 {
            InboxReason::Direct
        } else {
            InboxReason::Mention
        },
        author: Person {
            id: format!("did:plc:author{}", n % 700),
            handle: format!("author{}.bsky.social", n % 700),
            display_name: None,
        },
        text: if n % 3 == 0 {
            format!("Question {n}: is the game on tonight?")
        } else {
            format!("Thanks for the talk, number {n}.")
        },
        facets: None,
        created_at: written,
        indexed_at: written,
        reply_root: None,
        reply_parent: None,
        subject_uri: None,
        web_url: None,
        language: None,
    }
}

fn stored() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).expect("open");
    let account = store
        .upsert_account(
            Network::Bluesky,
            "https://pds.test",
            "did:plc:alice",
            "alice",
            at(START),
        )
        .expect("account")
        .id;
    for chunk in (0..ITEMS).collect::<Vec<_>>().chunks(10_000) {
        let posts: Vec<IncomingPost> = chunk.iter().map(|n| post(*n)).collect();
        store
            .store_inbox_page(&account, &posts, &SyncMarks::default(), PageEnd::MorePages)
            .expect("store");
        let answers: Vec<OwnPost> = chunk
            .iter()
            .filter(|n| *n % 10 != 9)
            .map(|n| OwnPost {
                uri: format!("at://did:plc:alice/app.bsky.feed.post/answer{n}"),
                parent_uri: Some(post(*n).uri),
                text: format!("answer {n}"),
                created_at: at(START + n * EVERY + (n % 50) * 900),
            })
            .collect();
        store
            .store_own_posts(&account, &answers, None)
            .expect("answers");
    }
    (dir, store)
}

/// Local day starts (UTC here) for `days` days ending with the newest item.
fn day_starts(days: i64) -> Vec<Timestamp> {
    let end = START + ITEMS * EVERY;
    let last_midnight = end - end % 86_400 + 86_400;
    (0..=days)
        .map(|d| at(last_midnight - (days - d) * 86_400))
        .collect()
}

fn report(c: &mut Criterion) {
    let (_dir, store) = stored();
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let now = at(START + ITEMS * EVERY + 3_600);
    let starts = day_starts(90);
    let query = ReportQuery {
        accounts: None,
        day_starts: &starts,
        window: jiff::SignedDuration::from_hours(24),
        now,
        hanging_listed: 20,
    };
    group.bench_function("90 days of 1M stored items", |b| {
        b.iter(|| black_box(store.report(&query).expect("report")));
    });
    // About 100k items: 73 days at one every 63 s.
    let starts = day_starts(73);
    let export = ReportQuery {
        day_starts: &starts,
        ..query.clone()
    };
    group.bench_function("CSV export of 100k items", |b| {
        b.iter(|| {
            let mut out = std::io::BufWriter::new(std::io::sink());
            let mut rows = 0;
            store
                .report_rows(&export, |row| {
                    rows += 1;
                    writeln!(
                        out,
                        "{},{},{},{},{},{:?},{}",
                        row.account,
                        row.network,
                        row.author,
                        row.reason,
                        row.asked_at,
                        row.answered_at,
                        row.outcome
                    )
                })
                .expect("rows");
            black_box(rows)
        });
    });
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
