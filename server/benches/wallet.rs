//! `make bench`: spend throughput under contention. 200 concurrent spenders buy one
//! record each, ten times over, from one enforced wallet — the worst case, since
//! every spend on a wallet is serialised — on SQLite and, when
//! `QUARRY_BENCH_POSTGRES_URL` is set, PostgreSQL. Reports spends per second and
//! the latency of one spend (waiting for the wallet included), and checks the final
//! balance so a fast but wrong run cannot pass.

use std::time::{Duration, Instant};

use quarry_server::partners::customers::CreateCustomer;
use quarry_server::partners::keys::{issue_secret_key, Scope};
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::{ConnectOptions, SpendRequest, Store};
use quarry_server::wallet::{EnforcementMode, EntryKind, Grant, ResetPolicy};

const SPENDERS: usize = 200;
const ROUNDS: usize = 10;
const CREDITS: i64 = 1_500;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(label: &str, store: Store) {
    let partner = store.create_partner("bench", now()).await.expect("partner");
    let tenant = Tenant {
        partner_id: partner.partner_id,
        mode: Mode::Live,
    };
    store
        .insert_api_key(
            &tenant,
            &issue_secret_key(Mode::Live),
            None,
            &Scope::ALL,
            now(),
        )
        .await
        .expect("key");
    let (external, settings) = CreateCustomer {
        customer_id: "bench".into(),
        credit_enforcement_mode: Some(EnforcementMode::Enforced),
        credit_reset_policy: Some(ResetPolicy::Rollover),
        ..CreateCustomer::default()
    }
    .into_settings(false)
    .expect("settings");
    let customer = store
        .insert_customer(&tenant, &external, &settings, None, now())
        .await
        .expect("customer")
        .expect("new");
    let id = customer.partner_customer_id;
    let grant = Grant {
        id: String::new(),
        units: CREDITS,
        credit_type: None,
        starts_at: now() - 1,
        expires_at: None,
        created_at: now() - 1,
    };
    store
        .add_grant(&tenant, &id, &grant, None)
        .await
        .expect("grant");

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..SPENDERS {
        let (store, tenant, id) = (store.clone(), tenant.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(ROUNDS);
            let mut bought = 0;
            for _ in 0..ROUNDS {
                let t = Instant::now();
                let request = SpendRequest {
                    units: 1,
                    records: 1,
                    user_id: None,
                    reference: None,
                };
                let outcome = store
                    .spend(&tenant, &id, request, now())
                    .await
                    .expect("spend");
                latencies.push(t.elapsed());
                bought += i64::from(outcome.is_ok());
            }
            (latencies, bought)
        }));
    }
    let mut latencies = Vec::new();
    let mut bought = 0;
    for task in tasks {
        let (l, b) = task.await.expect("task");
        latencies.extend(l);
        bought += b;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let state = store
        .wallet(&tenant, &id, now())
        .await
        .expect("wallet")
        .expect("found");
    let spent: i64 = state
        .wallet
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Spend)
        .map(|e| e.units)
        .sum();
    assert_eq!(
        (bought, spent),
        (CREDITS, CREDITS),
        "{label}: the wallet was overdrawn or lost an update"
    );
    let total = SPENDERS * ROUNDS;
    println!(
        "{label:<10} {total} spends by {SPENDERS} concurrent spenders on one wallet: {:.0} spends/s, \
         p50 {:.1} ms, p99 {:.1} ms; {CREDITS} bought, {} refused, balance exact",
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        total as i64 - bought,
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("wallet.db").display());
    // The same pool size `quarry serve` uses for SQLite.
    let options = ConnectOptions {
        max_connections: 4,
        ..ConnectOptions::default()
    };
    run("sqlite", Store::open(&url, &options).await.expect("sqlite")).await;

    if let Ok(admin) = std::env::var("QUARRY_BENCH_POSTGRES_URL") {
        let name = format!("quarry_wallet_bench_{}", std::process::id());
        let pool = sqlx::PgPool::connect(&admin).await.expect("postgres admin");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&pool)
            .await
            .expect("create database");
        let (base, _) = admin
            .rsplit_once('/')
            .expect("admin URL ends with /DATABASE");
        let store = Store::open(&format!("{base}/{name}"), &ConnectOptions::default())
            .await
            .expect("postgres");
        run("postgres", store.clone()).await;
        store.close().await;
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("drop database {name}")))
            .execute(&pool)
            .await;
    } else {
        println!("postgres   skipped: QUARRY_BENCH_POSTGRES_URL is not set");
    }
}
