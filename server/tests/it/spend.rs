//! `Store::spend` under contention, on both backends: 200 concurrent spenders
//! against one wallet never overdraw an enforced wallet, never lose an update, and
//! leave a ledger whose sums are exactly the balance moved.

use quarry_server::partners::customers::CustomerStatus;
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::{SpendRefusal, SpendRequest, Store};
use quarry_server::wallet::{self, Blocked, EnforcementMode, EntryKind};

use crate::contract;
use crate::support::{now, wallet_customer};

const SPENDERS: usize = 200;

/// Runs `SPENDERS` one-unit, one-record spends at once; returns (ok, refused).
async fn contend(store: &Store, tenant: &Tenant, id: &str) -> (usize, Vec<SpendRefusal>) {
    let mut tasks = Vec::new();
    for i in 0..SPENDERS {
        let (store, tenant, id) = (store.clone(), tenant.clone(), id.to_owned());
        tasks.push(tokio::spawn(async move {
            let reference = format!("purchase-{i}");
            let request = SpendRequest {
                units: 1,
                records: 1,
                user_id: None,
                reference: Some(&reference),
            };
            store
                .spend(&tenant, &id, request, now())
                .await
                .expect("no database error under contention")
        }));
    }
    let mut ok = 0;
    let mut refused = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(r) => refused.push(r),
        }
    }
    (ok, refused)
}

fn sum(
    state: &quarry_server::store::CustomerWallet,
    kind: EntryKind,
    from_grants: Option<bool>,
) -> i64 {
    state
        .wallet
        .entries
        .iter()
        .filter(|e| e.kind == kind && from_grants.is_none_or(|g| e.grant_id.is_some() == g))
        .map(|e| e.units)
        .sum()
}

contract!(
    concurrent_spenders_never_overdraw_an_enforced_wallet,
    |store, _db| {
        let (tenant, id) = wallet_customer(&store, EnforcementMode::Enforced, &[(150, None)]).await;
        let (ok, refused) = contend(&store, &tenant, &id).await;
        assert_eq!(ok, 150, "exactly the balance is spent");
        assert_eq!(refused.len(), SPENDERS - 150);
        assert!(
            refused.iter().all(|r| matches!(
                r,
                SpendRefusal::Blocked(Blocked::InsufficientCredits {
                    required: 1,
                    available: 0
                })
            )),
            "{refused:?}"
        );
        let state = store.wallet(&tenant, &id, now()).await.unwrap().unwrap();
        assert_eq!(sum(&state, EntryKind::Spend, None), 150);
        assert_eq!(sum(&state, EntryKind::Reveal, None), 150);
        let summary = state.wallet.summary(now());
        assert_eq!(summary.available_credit_units, Some(0));
        assert_eq!(summary.usage.lifetime_credit_units, 150);
        assert_eq!(summary.usage.lifetime_record_reveals, 150);
    }
);

contract!(
    concurrent_spenders_on_a_metered_wallet_all_pass_and_overage_is_exact,
    |store, _db| {
        let (tenant, id) = wallet_customer(&store, EnforcementMode::Metered, &[(40, None)]).await;
        let (ok, refused) = contend(&store, &tenant, &id).await;
        assert_eq!((ok, refused.len()), (SPENDERS, 0));
        let state = store.wallet(&tenant, &id, now()).await.unwrap().unwrap();
        assert_eq!(
            sum(&state, EntryKind::Spend, Some(true)),
            40,
            "grant-backed units"
        );
        assert_eq!(
            sum(&state, EntryKind::Spend, Some(false)),
            160,
            "overage units"
        );
        let summary = state.wallet.summary(now());
        assert_eq!(
            (summary.available_credit_units, summary.overage_credit_units),
            (Some(0), 160)
        );
    }
);

contract!(
    spends_draw_the_soonest_expiring_grant_first_all_or_nothing,
    |store, _db| {
        let t = now();
        let (tenant, id) = wallet_customer(
            &store,
            EnforcementMode::Enforced,
            &[(10, None), (5, Some(t + 3600))],
        )
        .await;
        let request = SpendRequest {
            units: 7,
            records: 7,
            user_id: Some("u-1"),
            reference: Some("p-1"),
        };
        let done = store
            .spend(&tenant, &id, request, now())
            .await
            .unwrap()
            .unwrap();
        let draws: Vec<(i64, bool)> = done
            .plan
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Spend)
            .map(|e| (e.units, e.grant_id.is_some()))
            .collect();
        assert_eq!(draws, vec![(5, true), (2, true)]);
        let state = store.wallet(&tenant, &id, now()).await.unwrap().unwrap();
        let expiring = state
            .wallet
            .grants
            .iter()
            .find(|g| g.expires_at.is_some())
            .unwrap();
        let from_expiring: i64 = state
            .wallet
            .entries
            .iter()
            .filter(|e| {
                e.kind == EntryKind::Spend && e.grant_id.as_deref() == Some(expiring.id.as_str())
            })
            .map(|e| e.units)
            .sum();
        assert_eq!(
            from_expiring, 5,
            "the soonest-expiring grant pays first, in full"
        );

        // 8 left: asking for 10 buys nothing and writes nothing.
        let rows = async || {
            store
                .ledger(&tenant, &id, None, 100)
                .await
                .unwrap()
                .unwrap()
                .len()
        };
        let before = rows().await;
        let request = SpendRequest {
            units: 10,
            records: 10,
            user_id: None,
            reference: None,
        };
        let refused = store.spend(&tenant, &id, request, now()).await.unwrap();
        assert!(
            matches!(
                refused,
                Err(SpendRefusal::Blocked(Blocked::InsufficientCredits {
                    required: 10,
                    available: 8
                }))
            ),
            "{refused:?}"
        );
        assert_eq!(rows().await, before);
    }
);

contract!(suspended_customers_cannot_spend, |store, _db| {
    let (tenant, id) = wallet_customer(&store, EnforcementMode::Metered, &[(10, None)]).await;
    let suspend = quarry_server::partners::customers::UpdateCustomer {
        status: Some(CustomerStatus::Suspended),
        ..Default::default()
    };
    store
        .update_customer(&tenant, &id, &suspend, false, now())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let request = SpendRequest {
        units: 1,
        records: 1,
        user_id: None,
        reference: None,
    };
    let refused = store.spend(&tenant, &id, request, now()).await.unwrap();
    assert!(
        matches!(
            refused,
            Err(SpendRefusal::Blocked(Blocked::CustomerSuspended))
        ),
        "{refused:?}"
    );
    let sandbox = Tenant {
        mode: Mode::Test,
        ..tenant.clone()
    };
    let refused = store.spend(&sandbox, &id, request, now()).await.unwrap();
    assert!(
        matches!(refused, Err(SpendRefusal::NotFound)),
        "{refused:?}"
    );
});

contract!(
    grants_queue_with_the_wallet_writers_and_never_fail_under_contention,
    |store, _db| {
        let (tenant, id) = wallet_customer(&store, EnforcementMode::Enforced, &[(10, None)]).await;
        let mut tasks = Vec::new();
        for i in 0..60 {
            let (store, tenant, id) = (store.store.clone(), tenant.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    let grant = wallet::Grant {
                        id: String::new(),
                        units: 1,
                        credit_type: None,
                        starts_at: now() - 60,
                        expires_at: None,
                        created_at: now(),
                    };
                    store
                        .add_grant(&tenant, &id, &grant, None)
                        .await
                        .map(|g| g.is_some())
                        .map_err(|e| e.to_string())
                } else {
                    let request = SpendRequest {
                        units: 1,
                        records: 1,
                        user_id: None,
                        reference: None,
                    };
                    store
                        .spend(&tenant, &id, request, now())
                        .await
                        .map(|r| r.is_ok())
                        .map_err(|e| e.to_string())
                }
            }));
        }
        let mut spent = 0;
        for (i, task) in tasks.into_iter().enumerate() {
            let done = task
                .await
                .unwrap()
                .expect("no database error for grants or spends");
            if i % 2 == 1 && done {
                spent += 1;
            }
        }
        let state = store.wallet(&tenant, &id, now()).await.unwrap().unwrap();
        let granted: i64 = state.wallet.grants.iter().map(|g| g.units).sum();
        assert_eq!(granted, 10 + 30);
        assert_eq!(sum(&state, EntryKind::Spend, Some(true)), spent);
    }
);
