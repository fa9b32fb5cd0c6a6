//! The purchase unit of work on both backends: owned records are free, buying is
//! all or nothing (a refusal comes back before anything is read or written, an
//! uncommitted purchase leaves nothing), the purchase keeps its people in order,
//! and 100 concurrent buys of overlapping selections bill every record exactly
//! once with ledger, ownership and purchases agreeing.

use std::collections::HashSet;

use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::{PurchaseOrder, SpendRefusal, Store};
use quarry_server::wallet::{Blocked, EnforcementMode, EntryKind};

use crate::contract;
use crate::support::{now, wallet_customer};

async fn ledger_sum(store: &Store, tenant: &Tenant, id: &str, kind: EntryKind) -> i64 {
    let state = store.wallet(tenant, id, now()).await.unwrap().unwrap();
    state
        .wallet
        .entries
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.units)
        .sum()
}

contract!(
    owned_records_are_free_and_buying_is_all_or_nothing,
    |store, _db| {
        let (tenant, id) = wallet_customer(&store, EnforcementMode::Enforced, &[(10, None)]).await;
        let first = crate::support::buy(&store, &tenant, &id, &[1, 2, 3], 2)
            .await
            .unwrap();
        assert_eq!((first.net_new, first.credit_units), (vec![1, 2, 3], 6));
        let second = crate::support::buy(&store, &tenant, &id, &[2, 3, 4], 2)
            .await
            .unwrap();
        assert_eq!(second.net_new, vec![4]);
        assert_eq!(second.already_owned, vec![2, 3]);
        assert_eq!(second.credit_units, 2);
        // 2 units left: three new records at 1 each do not fit; nothing is bought.
        let refused = crate::support::buy(&store, &tenant, &id, &[5, 6, 7, 1], 1).await;
        assert!(
            matches!(
                refused,
                Err(SpendRefusal::Blocked(Blocked::InsufficientCredits {
                    required: 3,
                    available: 2
                }))
            ),
            "{refused:?}"
        );
        let owned: HashSet<u32> = store.owned_people(&id).await.unwrap().into_iter().collect();
        assert_eq!(owned, HashSet::from([1, 2, 3, 4]));
        // Only owned records: free, even with an empty wallet.
        let again = crate::support::buy(&store, &tenant, &id, &[1, 4], 5)
            .await
            .unwrap();
        assert_eq!((again.net_new.len(), again.credit_units), (0, 0));
        assert_eq!(ledger_sum(&store, &tenant, &id, EntryKind::Spend).await, 8);
        assert_eq!(ledger_sum(&store, &tenant, &id, EntryKind::Reveal).await, 4);
        // Another tenant cannot buy for this customer.
        let other = Tenant {
            mode: Mode::Test,
            ..tenant.clone()
        };
        let refused = crate::support::buy(&store, &other, &id, &[9], 1).await;
        assert!(
            matches!(refused, Err(SpendRefusal::NotFound)),
            "{refused:?}"
        );
    }
);

contract!(
    concurrent_overlapping_buys_bill_every_record_once,
    |store, _db| {
        let (tenant, id) =
            wallet_customer(&store, EnforcementMode::Enforced, &[(100_000, None)]).await;
        let selections: Vec<Vec<u32>> = (0..100u32)
            .map(|i| {
                let start = (i * 7) % 450;
                (start..start + 50).collect()
            })
            .collect();
        let union: HashSet<u32> = selections.iter().flatten().copied().collect();
        let mut tasks = Vec::new();
        for selection in selections {
            let (store, tenant, id) = (store.store.clone(), tenant.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                crate::support::buy(&store, &tenant, &id, &selection, 3)
                    .await
                    .expect("the wallet covers everything")
            }));
        }
        let mut bought = Vec::new();
        for task in tasks {
            bought.extend(task.await.unwrap().net_new);
        }
        let distinct: HashSet<u32> = bought.iter().copied().collect();
        assert_eq!(bought.len(), distinct.len(), "a record was billed twice");
        assert_eq!(distinct, union);
        let owned: HashSet<u32> = store.owned_people(&id).await.unwrap().into_iter().collect();
        assert_eq!(owned, union);
        let records = union.len() as i64;
        assert_eq!(
            ledger_sum(&store, &tenant, &id, EntryKind::Spend).await,
            3 * records
        );
        assert_eq!(
            ledger_sum(&store, &tenant, &id, EntryKind::Reveal).await,
            records
        );
    }
);

contract!(
    concurrent_buys_never_overdraw_an_enforced_wallet,
    |store, _db| {
        let (tenant, id) = wallet_customer(&store, EnforcementMode::Enforced, &[(100, None)]).await;
        let mut tasks = Vec::new();
        for i in 0..100u32 {
            let (store, tenant, id) = (store.store.clone(), tenant.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let selection: Vec<u32> = (i * 3..i * 3 + 10).collect();
                crate::support::buy(&store, &tenant, &id, &selection, 1).await
            }));
        }
        let mut bought = 0;
        for task in tasks {
            if let Ok(outcome) = task.await.unwrap() {
                bought += outcome.net_new.len() as i64;
            }
        }
        assert!(bought <= 100, "{bought} records bought with 100 credits");
        let owned = store.owned_people(&id).await.unwrap().len() as i64;
        assert_eq!(owned, bought);
        assert_eq!(
            ledger_sum(&store, &tenant, &id, EntryKind::Spend).await,
            bought
        );
    }
);

contract!(
    a_purchase_not_committed_leaves_nothing_and_keeps_its_people_in_order,
    |store, _db| {
        let (tenant, id) = wallet_customer(&store, EnforcementMode::Enforced, &[(10, None)]).await;
        let order = |people: &'static [u32]| PurchaseOrder {
            tenant: &tenant,
            customer_id: &id,
            people,
            units_per_record: 1,
            user_id: None,
            search_id: Some("search_1"),
        };
        // Begun, then dropped (an error reading the records, a lost client).
        let purchase = store
            .begin_purchase(order(&[7, 3, 5]), now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(purchase.net_new(), &[7, 3, 5]);
        drop(purchase);
        assert!(store.owned_people(&id).await.unwrap().is_empty());
        assert_eq!(ledger_sum(&store, &tenant, &id, EntryKind::Spend).await, 0);
        // The wallet lock was released: the next purchase goes through.
        let bought = store
            .begin_purchase(order(&[7, 3, 5]), now())
            .await
            .unwrap()
            .unwrap()
            .commit()
            .await
            .unwrap();
        assert_eq!(bought.wallet.wallet.available(now()), Some(7));
        assert_eq!(
            store
                .purchase_people(&tenant, &id, &bought.purchase_id)
                .await
                .unwrap(),
            Some(vec![7, 3, 5])
        );
        assert_eq!(
            store
                .purchase_people(&tenant, "pc_other", &bought.purchase_id)
                .await
                .unwrap(),
            None
        );
        let sandbox = Tenant {
            mode: Mode::Test,
            ..tenant.clone()
        };
        assert_eq!(
            store
                .purchase_people(&sandbox, &id, &bought.purchase_id)
                .await
                .unwrap(),
            None
        );
        // A refusal comes back from begin itself.
        let refused = store
            .begin_purchase(order(&[1, 2, 4, 6, 8, 9, 10, 11]), now())
            .await
            .unwrap();
        assert!(matches!(
            refused,
            Err(SpendRefusal::Blocked(Blocked::InsufficientCredits {
                required: 8,
                available: 7
            }))
        ));
    }
);
