//! How fast the Inbox takes in a sync's pages and answers the Inbox screen's query.
//!
//! `make bench` runs this; the figures go into the issue notes. Not a pass/fail test: these
//! machines are too noisy for timing assertions.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use earshot_core::{InboxReason, IncomingPost, Network, Person, PostRef, SyncMarks, Timestamp};
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
    let (_dir, store, account) = store();
    let posts: Vec<IncomingPost> = (0..100_000).map(post).collect();
    ingest(&store, &account, &posts);
    let mut group = c.benchmark_group("inbox");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("newest 200 of 100k items", |b| {
        b.iter(|| black_box(store.inbox(200).expect("inbox")));
    });
    group.finish();
}

criterion_group!(benches, ingest_10k, query_100k);
criterion_main!(benches);
