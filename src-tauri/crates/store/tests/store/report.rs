//! The Report's figures on a fixture computed by hand: answered in time, late, never, no
//! reply needed, still waiting, answered from Earshot and elsewhere, a direct message, a
//! reply to someone else in the thread, an item before the period — over three days in
//! Berlin, the middle one 25 hours long (clocks went back on 2026-10-25).

use earshot_core::{
    AccountId, InboxItemId, InboxReason, IncomingPost, Network, OwnPost, Person, Timestamp,
};
use earshot_store::{DayCounts, ReportQuery, Store, Times};
use jiff::civil::date;
use jiff::tz::TimeZone;

fn berlin(day: i8, hour: i8, minute: i8) -> Timestamp {
    date(2026, 10, day)
        .at(hour, minute, 0, 0)
        .to_zoned(TimeZone::get("Europe/Berlin").expect("zone"))
        .expect("a time in Berlin")
        .timestamp()
}

/// The starts of 24, 25 and 26 October in Berlin, and the end of the 26th.
fn day_starts() -> Vec<Timestamp> {
    (24..=27).map(|day| berlin(day, 0, 0)).collect()
}

fn incoming(n: u32, author: &str, reason: InboxReason, text: &str, at: Timestamp) -> IncomingPost {
    IncomingPost {
        uri: format!("post-{n}"),
        cid: None,
        reason,
        author: Person {
            id: format!("id-{author}"),
            handle: format!("{author}.test"),
            display_name: None,
        },
        text: text.into(),
        facets: None,
        created_at: at,
        indexed_at: at,
        reply_root: None,
        reply_parent: None,
        subject_uri: None,
        web_url: None,
        language: None,
    }
}

fn answer(store: &Store, account: &AccountId, n: u32, at: Timestamp, from_earshot: bool) {
    let uri = format!("answer-{n}");
    store
        .store_own_posts(
            account,
            &[OwnPost {
                uri: uri.clone(),
                parent_uri: Some(format!("post-{n}")),
                text: "an answer".into(),
                created_at: at,
            }],
            None,
        )
        .expect("answer");
    if from_earshot {
        store
            .mark_answer_from_earshot(account, &uri)
            .expect("from Earshot");
    }
}

fn id_of(store: &Store, uri: &str) -> InboxItemId {
    store
        .inbox(100, berlin(27, 0, 0))
        .expect("inbox")
        .into_iter()
        .find(|item| item.post.uri == uri)
        .expect("stored")
        .id
}

struct Fixture {
    store: Store,
    alice: AccountId,
    carol: AccountId,
}

fn fixture() -> Fixture {
    let store = Store::open_in_memory().expect("open");
    let account = |network, handle: &str| {
        store
            .upsert_account(network, "https://x.test", handle, handle, berlin(1, 0, 0))
            .expect("account")
            .id
    };
    let alice = account(Network::Bluesky, "alice.test");
    let carol = account(Network::Mastodon, "carol@x.test");
    let question = "is the game on tonight?";
    store
        .store_inbox_items(
            &alice,
            &[
                incoming(1, "bob", InboxReason::Mention, question, berlin(24, 10, 0)),
                incoming(
                    2,
                    "bob",
                    InboxReason::Mention,
                    "where do we meet?",
                    berlin(24, 12, 0),
                ),
                incoming(
                    3,
                    "dave",
                    InboxReason::Reply,
                    "can you send the slides?",
                    berlin(25, 9, 0),
                ),
                incoming(
                    4,
                    "erin",
                    InboxReason::Mention,
                    "great talk today",
                    berlin(25, 10, 0),
                ),
                incoming(
                    5,
                    "frank",
                    InboxReason::Direct,
                    "see you at the booth",
                    berlin(26, 10, 0),
                ),
                incoming(
                    6,
                    "gus",
                    InboxReason::Thread,
                    "are you coming too?",
                    berlin(25, 11, 0),
                ),
                incoming(
                    7,
                    "bob",
                    InboxReason::Mention,
                    "before the period?",
                    berlin(23, 18, 0),
                ),
            ],
        )
        .expect("items");
    // 00:30 on the 26th in Berlin is 23:30 on the 25th in UTC: a local day, not a UTC one.
    store
        .store_inbox_items(
            &carol,
            &[incoming(
                8,
                "gina",
                InboxReason::Mention,
                "are you open tomorrow?",
                berlin(26, 0, 30),
            )],
        )
        .expect("items");
    answer(&store, &alice, 1, berlin(24, 10, 30), true);
    answer(&store, &alice, 2, berlin(25, 18, 0), false);
    answer(&store, &carol, 8, berlin(26, 2, 30), true);
    store
        .mark_done(id_of(&store, "post-4"), berlin(25, 10, 5))
        .expect("done");
    store
        .store_own_posts(
            &alice,
            &[OwnPost {
                uri: "broadcast".into(),
                parent_uri: None,
                text: "Slides are up!".into(),
                created_at: berlin(25, 15, 0),
            }],
            None,
        )
        .expect("a post");
    Fixture {
        store,
        alice,
        carol,
    }
}

fn query<'a>(accounts: Option<&'a [AccountId]>, starts: &'a [Timestamp]) -> ReportQuery<'a> {
    ReportQuery {
        accounts,
        day_starts: starts,
        window: jiff::SignedDuration::from_hours(24),
        now: berlin(26, 20, 0),
        hanging_listed: 20,
    }
}

#[test]
fn every_figure_of_a_report_is_counted_as_defined() {
    let fixture = fixture();
    let starts = day_starts();
    let counts = fixture.store.report(&query(None, &starts)).expect("report");

    let outcomes = &counts.outcomes;
    assert_eq!(
        (outcomes.in_time, outcomes.late, outcomes.hanging),
        (2, 1, 1),
        "1 and 8 in time, 2 late (31 h), 3 never"
    );
    assert_eq!(
        outcomes.waiting, 1,
        "frank's message is 10 h old: still in the window"
    );
    assert_eq!(outcomes.no_reply_needed, 1, "erin's");
    assert_eq!(outcomes.response_rate(), Some(0.5), "2 of 4 decided");
    assert_eq!(counts.people_hung_up, 2, "bob (late) and dave (never)");
    assert_eq!(
        (counts.answered_in_earshot, counts.answered_elsewhere),
        (2, 1)
    );
    assert_eq!(
        (counts.published, counts.answers_written),
        (1, 3),
        "one post that answers nobody, three answers"
    );
    assert_eq!(
        counts.times,
        Times {
            answered: 3,
            median_minutes: Some(120),
            p90_minutes: Some(1860)
        },
        "30, 120 and 1860 minutes (bob waited 31 hours: the clocks went back that night)"
    );
    let alice = counts
        .times_by_account
        .iter()
        .find(|(id, _)| *id == fixture.alice)
        .expect("alice")
        .1;
    assert_eq!(
        (alice.median_minutes, alice.p90_minutes),
        (Some(30), Some(1860))
    );
    let carol = counts
        .times_by_account
        .iter()
        .find(|(id, _)| *id == fixture.carol)
        .expect("carol")
        .1;
    assert_eq!(carol.median_minutes, Some(120));
    assert_eq!(
        counts
            .times_by_network
            .iter()
            .map(|(network, t)| (network.as_str(), t.answered))
            .collect::<Vec<_>>(),
        [("bluesky", 2), ("mastodon", 1)]
    );
    assert_eq!(
        counts.days,
        [
            DayCounts {
                in_time: 1,
                late: 1,
                hanging: 0,
                median_minutes: Some(30)
            },
            DayCounts {
                in_time: 0,
                late: 0,
                hanging: 1,
                median_minutes: None
            },
            DayCounts {
                in_time: 1,
                late: 0,
                hanging: 0,
                median_minutes: Some(120)
            },
        ],
        "gina asked at 00:30 on the 26th, Berlin time; the 25th lasted 25 hours"
    );
    assert_eq!(counts.distribution, [0, 1, 1, 0, 1, 1]);
    assert_eq!(counts.left_hanging, [id_of(&fixture.store, "post-3")]);
    let asked: u32 = counts.asked_quarters.iter().map(|(_, n)| n).sum();
    assert_eq!(asked, 6, "the period's six items that wanted an answer");
    let answered: u32 = counts.answered_quarters.iter().map(|(_, n)| n).sum();
    assert_eq!(answered, 3);
}

#[test]
fn a_report_for_one_account_counts_only_its_items() {
    let fixture = fixture();
    let starts = day_starts();
    let only_carol = [fixture.carol.clone()];
    let counts = fixture
        .store
        .report(&query(Some(&only_carol), &starts))
        .expect("report");
    assert_eq!(counts.outcomes.in_time, 1);
    assert_eq!(counts.outcomes.late + counts.outcomes.hanging, 0);
    assert_eq!(counts.people_hung_up, 0);
    assert_eq!((counts.published, counts.answers_written), (0, 1));

    let mut rows = Vec::new();
    fixture
        .store
        .report_rows(&query(None, &starts), |row| {
            rows.push(row);
            Ok(())
        })
        .expect("rows");
    assert_eq!(rows.len(), 6, "one row per item that wanted an answer");
    let late = rows
        .iter()
        .find(|r| r.outcome == "late")
        .expect("a late one");
    assert_eq!(
        (late.author.as_str(), late.answered_in_earshot),
        ("bob.test", false)
    );
}

#[test]
fn an_answer_deleted_leaves_its_question_unanswered_in_the_report() {
    let fixture = fixture();
    let starts = day_starts();
    fixture
        .store
        .forget_deleted(&fixture.carol, &["answer-8".to_owned()])
        .expect("forget");
    let only_carol = [fixture.carol.clone()];
    let counts = fixture
        .store
        .report(&query(Some(&only_carol), &starts))
        .expect("report");
    assert_eq!(counts.outcomes.in_time, 0);
    assert_eq!(
        counts.outcomes.waiting, 1,
        "gina asked 19.5 hours before now"
    );
    assert_eq!(counts.times.answered, 0);
    assert_eq!(counts.answered_in_earshot, 0);
}
