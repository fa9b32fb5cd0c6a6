//! `make bench`: async search jobs and webhook events at scale, through the real
//! server in-process on the 1M-person bench set. Measures (1) 1,000 jobs (the
//! benchmark queries, pages of 100) queued over HTTP by a replica that runs no
//! jobs, then drained by a replica with the default job workers, in jobs per
//! second from its start to the last job's end; (2) 5,000 events (1,000 events
//! to 5 endpoints) queued while no server runs, then sent by a replica's
//! delivery worker to a local receiver, in events per second.
//!
//! Environment: as the search bench (`QUARRY_BENCH_PEOPLE`, `QUARRY_BENCH_DB`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quarry_server::delivery::events::{job_event, JobOutcome, Subscription};
use quarry_server::partners::keys::{issue_secret_key, Scope};
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::{ConnectOptions, NewEndpoint, Store};
use quarry_server::{seed, ServeConfig};
use serde_json::{json, Value};

const JOBS: usize = 1_000;
const ENDPOINTS: usize = 5;
const EVENTS: usize = 1_000;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A server in this process until the returned sender is dropped or fired.
async fn serve(
    store: &Store,
    configure: impl FnOnce(&mut ServeConfig),
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = ServeConfig::for_tests(std::env::temp_dir().join("quarry-no-widget"));
    configure(&mut config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn({
        let store = store.clone();
        async move {
            let _ = quarry_server::run(config, store, listener, async {
                let _ = stopped.await;
            })
            .await;
        }
    });
    let http = reqwest::Client::new();
    while http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (base, stop, task)
}

async fn count(store: &Store, tenant: &Tenant, status: quarry_server::jobs::JobStatus) -> usize {
    store
        .count_search_jobs(tenant, status)
        .await
        .expect("count jobs") as usize
}

#[tokio::main]
async fn main() {
    let people: u64 = std::env::var("QUARRY_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench");
    let _ = std::fs::create_dir_all(dir);
    let url = std::env::var("QUARRY_BENCH_DB")
        .unwrap_or_else(|_| format!("sqlite://{dir}/quarry-{people}.db"));
    let options = ConnectOptions {
        max_connections: 4,
        slow_statement: Duration::from_secs(3600),
        ..ConnectOptions::default()
    };
    let store = Store::open(&url, &options)
        .await
        .expect("open the bench database");
    if store.data_counts().await.expect("count").1 != people {
        eprintln!("seeding {people} people (once)…");
        seed::seed_demo(
            &store,
            &seed::SeedOptions {
                people,
                seed: 42,
                progress: false,
            },
        )
        .await
        .expect("seed");
    }
    let partner = store.create_partner("jobs bench", now()).await.unwrap();
    let tenant = Tenant {
        partner_id: partner.partner_id,
        mode: Mode::Live,
    };
    let issued = issue_secret_key(Mode::Live);
    store
        .insert_api_key(&tenant, &issued, None, &Scope::ALL, now())
        .await
        .unwrap();
    let queries: Vec<String> = include_str!("queries.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();

    // 1. Queue 1,000 jobs on a replica that runs none, then drain them.
    let (base, stop, task) = serve(&store, |c| c.job_workers = 0).await;
    let http = reqwest::Client::new();
    let t = Instant::now();
    let mut refused = 0;
    for i in 0..JOBS {
        let r = http
            .post(format!("{base}/v1/persons/search/jobs"))
            .bearer_auth(&issued.secret)
            .json(&json!({"q": queries[i % queries.len()], "limit": 100}))
            .send()
            .await
            .unwrap();
        if r.status().as_u16() != 202 {
            refused += 1;
            let body: Value = r.json().await.unwrap_or(Value::Null);
            eprintln!("refused: {body}");
        }
    }
    let queued_in = t.elapsed();
    let _ = stop.send(());
    let _ = task.await;
    let queued = count(&store, &tenant, quarry_server::jobs::JobStatus::Queued).await;
    println!(
        "jobs: {queued} queued over HTTP in {:.2} s ({:.0} creations/s, {refused} refused)",
        queued_in.as_secs_f64(),
        queued as f64 / queued_in.as_secs_f64()
    );
    let t = Instant::now();
    let (_base, stop, task) = serve(&store, |_| {}).await;
    let ready = t.elapsed();
    let t = Instant::now();
    loop {
        let succeeded = count(&store, &tenant, quarry_server::jobs::JobStatus::Succeeded).await;
        let failed = count(&store, &tenant, quarry_server::jobs::JobStatus::Failed).await;
        if succeeded + failed >= queued {
            let drained = t.elapsed();
            println!(
                "jobs: {succeeded} succeeded, {failed} failed, drained in {:.2} s: {:.0} jobs/s \
                 (target >= 300; {} job workers, server ready in {:.1} s)",
                drained.as_secs_f64(),
                (succeeded + failed) as f64 / drained.as_secs_f64(),
                ServeConfig::for_tests(Default::default()).job_workers,
                ready.as_secs_f64()
            );
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(600), "jobs never drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(());
    let _ = task.await;

    // 2. 1,000 events to 5 endpoints, queued while no server runs, then sent.
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver_url = format!("http://{}/hook", receiver.local_addr().unwrap());
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move || {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    "ok"
                }
            }),
        );
        let _ = axum::serve(receiver, app).await;
    });
    for i in 0..ENDPOINTS {
        let secret = quarry_server::delivery::signing::new_secret();
        store
            .create_webhook_endpoint(
                &tenant,
                &NewEndpoint {
                    endpoint_id: &format!("we_bench_{}_{i}", now()),
                    url: &receiver_url,
                    description: None,
                    events: &Subscription::All,
                    secret: &secret,
                },
                100,
                now(),
            )
            .await
            .unwrap()
            .expect("endpoint");
    }
    let t = Instant::now();
    let mut written = 0;
    for i in 0..EVENTS {
        let id = format!("job_bench{i:020}");
        let event = job_event(
            &JobOutcome {
                job_id: &id,
                succeeded: true,
                returned_records: 100,
                billable_records: 100,
                total_records: 1_000,
                has_more: true,
                error_code: None,
            },
            now(),
        );
        written += store.publish_event(&tenant, &event, now()).await.unwrap();
    }
    println!(
        "events: {written} deliveries queued in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let (_base, stop, task) = serve(&store, |_| {}).await;
    let t = Instant::now();
    while (received.load(Ordering::SeqCst) as usize) < written {
        assert!(
            t.elapsed() < Duration::from_secs(600),
            "events never all arrived"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sent = t.elapsed();
    println!(
        "events: {written} signed events sent to a local receiver in {:.2} s: {:.0} events/s (target >= 500)",
        sent.as_secs_f64(),
        written as f64 / sent.as_secs_f64()
    );
    let _ = stop.send(());
    let _ = task.await;
}
