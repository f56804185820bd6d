use earshot_core::{AccountId, Network};
use earshot_store::{Store, StoreError};

use crate::at;

#[test]
fn signing_in_again_as_the_same_account_keeps_one_row() {
    let store = Store::open_in_memory().expect("open");
    let first = store
        .upsert_account(
            Network::Bluesky,
            "https://pds.one",
            "did:plc:alice",
            "alice.test",
            at(0),
        )
        .expect("add");
    let again = store
        .upsert_account(
            Network::Bluesky,
            "https://pds.two",
            "did:plc:alice",
            "alice.new",
            at(9),
        )
        .expect("add again");
    assert_eq!(again.id, first.id, "same DID, same account");
    assert_eq!(
        (again.handle.as_str(), again.service.as_str()),
        ("alice.new", "https://pds.two")
    );
    assert_eq!(again.created_at, at(0), "it was added at the first sign-in");
    assert_eq!(store.list_accounts().expect("list"), vec![again]);
}

#[test]
fn accounts_are_listed_in_the_order_they_were_added_and_can_be_removed() {
    let store = Store::open_in_memory().expect("open");
    let bob = store
        .upsert_account(Network::Bluesky, "s", "did:plc:bob", "bob.test", at(5))
        .expect("add");
    let amy = store
        .upsert_account(Network::Bluesky, "s", "did:plc:amy", "amy.test", at(7))
        .expect("add");
    assert_eq!(
        store.list_accounts().expect("list"),
        vec![bob.clone(), amy.clone()]
    );

    store.delete_account(&bob.id).expect("remove");
    assert_eq!(store.list_accounts().expect("list"), vec![amy]);
    assert!(matches!(
        store.delete_account(&bob.id),
        Err(StoreError::NotFound("account"))
    ));
    assert!(matches!(
        store.account(&AccountId("nope".into())),
        Err(StoreError::NotFound(_))
    ));
}
