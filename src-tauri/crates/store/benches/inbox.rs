//! How fast the Inbox takes in a sync's pages and answers the Inbox screen's query, and how
//! fast the Owed queue (the view and the tray count, one read) answers with 1M items stored.
//!
//! `make bench` runs this; the figures go into the issue notes. Not a pass/fail test: these
//! machines are too noisy for timing assertions.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use earshot_core::{
    InboxReason, IncomingPost, Network, OwnPost, Person, PostRef, SyncMarks, Timestamp,
};
use earshot_store::{PageEnd, Store};

const PAGE: usize = 100;

fn post(n: usize) -> IncomingPost {
    let at = Timestamp::from_second(1_790_000_000 + n as i64).expect("a valid instant");
    let root = PostRef {
        uri: "at://did:plc:alice/app.bsky.feed.post/root".into(),
        cid: Some("bafyreiroot".into()),
    };
    IncomingPost {
        uri: format!(
            "at://did:plc:author{}/app.bsky.feed.post/3k{n:011}",
            n % 500
        ),
        cid: Some(format!("bafyrei{n:052}")),
        reason: InboxReason::Reply,
        author: Person {
            id: format!("did:plc:author{}", n % 500),
            handle: format!("author{}.bsky.social", n % 500),
            display_name: Some("Someone Asking".into()),
        },
        text: format!("Question number {n}: is the game on tonight? I was hoping to come along."),
        facets: None,
        created_at: at,
        indexed_at: at,
        reply_root: Some(root.clone()),
        reply_parent: Some(root),
        subject_uri: Some("at://did:plc:alice/app.bsky.feed.post/root".into()),
        web_url: None,
        language: None,
    }
}

/// A store on disk (WAL, as the app runs it) with one account.
fn store() -> (tempfile::TempDir, Store, earshot_core::AccountId) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let account = store
        .upsert_account(
            Network::Bluesky,
            "https://pds.test",
            "did:plc:alice",
            "alice.test",
            Timestamp::UNIX_EPOCH,
        )
        .expect("account");
    (dir, store, account.id)
}

fn ingest(store: &Store, account: &earshot_core::AccountId, posts: &[IncomingPost]) {
    for page in posts.chunks(PAGE) {
        store
            .store_inbox_page(account, page, &SyncMarks::default(), PageEnd::MorePages)
            .expect("store");
    }
}

fn ingest_10k(c: &mut Criterion) {
    let posts: Vec<IncomingPost> = (0..10_000).map(post).collect();
    let mut group = c.benchmark_group("inbox");
    group.throughput(Throughput::Elements(posts.len() as u64));
    group.sample_size(10);
    group.bench_function("ingest 10k items in pages of 100", |b| {
        b.iter_batched(
            store,
            |(_dir, store, account)| ingest(&store, &account, black_box(&posts)),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn query_100k(c: &mut Criterion) {
    let (dir, store, account) = store();
    let posts: Vec<IncomingPost> = (0..100_000).map(post).collect();
    ingest(&store, &account, &posts);
    let mut group = c.benchmark_group("inbox");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("newest 200 of 100k items", |b| {
        b.iter(|| black_box(store.inbox(200, Timestamp::UNIX_EPOCH).expect("inbox")));
    });
    drop(store);
    // Opening checks the whole file (`quick_check`) before anything else: its cost at start-up.
    group.sample_size(10);
    group.bench_function("open a store of 100k items, checked", |b| {
        b.iter(|| black_box(Store::open(dir.path()).expect("open")));
    });
    group.finish();
}

/// 1M stored items; `owed_every`-th one still owed, the rest answered (their answers stored
/// first, as a sync that met the answers before the questions would).
fn million_items(owed_every: usize) -> (tempfile::TempDir, Store) {
    let (dir, store, account) = store();
    // Every item replies to this post of Alice's: each row the queue reads finds its text.
    let root = OwnPost {
        uri: "at://did:plc:alice/app.bsky.feed.post/root".into(),
        parent_uri: None,
        text: "Slides from the keynote are up".into(),
        created_at: Timestamp::UNIX_EPOCH,
    };
    let answers: Vec<OwnPost> = std::iter::once(root)
        .chain(
            (0..1_000_000)
                .filter(|n| n % owed_every != 0)
                .map(|n| OwnPost {
                    uri: format!("at://did:plc:alice/app.bsky.feed.post/answer{n}"),
                    parent_uri: Some(post(n).uri),
                    text: format!("answer {n}"),
                    created_at: Timestamp::UNIX_EPOCH,
                }),
        )
        .collect();
    store
        .store_own_posts(&account, &answers, None)
        .expect("answers");
    for chunk in (0..1_000_000).collect::<Vec<_>>().chunks(10_000) {
        let posts: Vec<IncomingPost> = chunk.iter().map(|n| post(*n)).collect();
        ingest(&store, &account, &posts);
    }
    (dir, store)
}

fn owed_1m(c: &mut Criterion) {
    let mut group = c.benchmark_group("owed");
    group.measurement_time(Duration::from_secs(5));
    for (owed_every, label) in [(50, "20k of them owed"), (1, "all of them owed")] {
        let (_dir, store) = million_items(owed_every);
        let now = Timestamp::from_second(1_800_000_000).expect("now");
        group.bench_function(format!("count + first 50 of 1M items, {label}"), |b| {
            b.iter(|| black_box(store.owed(now, 50).expect("owed")));
        });
    }
    group.finish();
}

criterion_group!(benches, ingest_10k, query_100k, owed_1m);
criterion_main!(benches);
