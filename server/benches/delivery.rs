//! `make bench`: buying and handing over records at scale, through the real HTTP
//! server in-process on the 1M-person bench set. Measures (1) a push of ~10,000
//! records (purchase, 10 signed chunks, a local receiver) end to end, and (2) CSV
//! exports of ~10,000 and ~100,000 rows (purchase included, and again for owned
//! records), with the process's resident memory before and after each export so
//! growth with the row count shows.
//!
//! Environment: as the search bench (`QUARRY_BENCH_PEOPLE`, `QUARRY_BENCH_DB`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::routing::post;
use quarry_server::partners::keys::{issue_secret_key, Scope};
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::{ConnectOptions, Store};
use quarry_server::{seed, ServeConfig};
use serde_json::{json, Value};

fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

const ORIGIN: &str = "https://bench.partner.example";

struct Bench {
    http: reqwest::Client,
    base: String,
    secret: String,
}

impl Bench {
    async fn post(&self, path: &str, bearer: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(bearer)
            .header("origin", ORIGIN)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status();
        let value: Value = r.json().await.expect("json");
        assert!(status.is_success(), "{path}: {status} {value}");
        value
    }

    /// A new customer (metered: never blocked) with a token, and a session for `q`.
    async fn session(&self, public_key: &str, customer: &str, q: &str) -> (String, String, u64) {
        let s = self
            .post(
                "/v1/prospecting/embed-sessions",
                "",
                json!({"partner_key": public_key, "customer_id": customer}),
            )
            .await;
        let token = s["token"].as_str().unwrap().to_owned();
        let page = self
            .post(
                "/v1/prospecting/sessions",
                &token,
                json!({"q": q, "limit": 1}),
            )
            .await;
        let total = page["pagination"]["total_records"].as_u64().unwrap();
        (token, page["search_id"].as_str().unwrap().to_owned(), total)
    }
}

/// A query matching about `target` people, among "all employees in <state>".
async fn query_near(b: &Bench, public_key: &str, target: u64) -> String {
    let mut best = (u64::MAX, String::new());
    for state in [
        "Nevada",
        "Utah",
        "Kansas",
        "Iowa",
        "Oregon",
        "Arizona",
        "Colorado",
        "California",
        "Texas",
        "Florida",
        "New York",
    ] {
        let q = format!("all employees in {state}");
        let (_, _, total) = b.session(public_key, "probe", &q).await;
        let distance = total.abs_diff(target);
        if distance < best.0 {
            best = (distance, q);
        }
    }
    best.1
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

    // A partner's receiver on loopback, counting what it gets.
    let records = Arc::new(AtomicU64::new(0));
    let counter = records.clone();
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver_url = format!("http://{}/hook", receiver.local_addr().unwrap());
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/hook",
            post(move |body: Bytes| {
                let counter = counter.clone();
                async move {
                    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    counter.fetch_add(
                        v["data"].as_array().map_or(0, |d| d.len() as u64),
                        Ordering::SeqCst,
                    );
                    "ok"
                }
            }),
        );
        let _ = axum::serve(receiver, app).await;
    });

    // The server, in this process.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = ServeConfig::for_tests(std::env::temp_dir().join("quarry-no-widget"));
    config.max_selection_records = 200_000;
    let started = Instant::now();
    tokio::spawn(quarry_server::run(
        config,
        store.clone(),
        listener,
        std::future::pending(),
    ));
    let http = reqwest::Client::new();
    while http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("server ready in {:.1} s", started.elapsed().as_secs_f64());

    let partner = store.create_partner("delivery bench", now()).await.unwrap();
    let tenant = Tenant {
        partner_id: partner.partner_id,
        mode: Mode::Live,
    };
    let issued = issue_secret_key(Mode::Live);
    store
        .insert_api_key(&tenant, &issued, None, &Scope::ALL, now())
        .await
        .unwrap();
    let b = Bench {
        http,
        base,
        secret: issued.secret,
    };
    let key = b
        .post("/v1/prospecting/embed-keys", &b.secret.clone(), json!({"allowed_origins": [ORIGIN],
            "result_delivery_url": receiver_url, "csv_export_enabled": true, "credit_enforcement_mode": "metered"}))
        .await;
    let public_key = key["public_key"].as_str().unwrap().to_owned();
    let run = now();

    // 1. Push ~10,000 records.
    let q = query_near(&b, &public_key, 10_000).await;
    let (token, search, total) = b.session(&public_key, &format!("push-{run}"), &q).await;
    let t = Instant::now();
    let pushed = b
        .post(
            &format!("/v1/prospecting/sessions/{search}/push"),
            &token,
            json!({"selection_mode": "all_results"}),
        )
        .await;
    let push_time = t.elapsed();
    assert_eq!(pushed["delivered"], true, "{pushed}");
    println!(
        "push: {total} records ({q:?}) bought and delivered in {:.2} s ({} chunks received, {} records)",
        push_time.as_secs_f64(),
        total.div_ceil(1000),
        records.load(Ordering::SeqCst)
    );

    // 2. CSV exports of ~10,000 and ~100,000 rows, bought, then again when owned.
    for target in [10_000u64, 100_000] {
        let q = query_near(&b, &public_key, target).await;
        let (token, search, total) = b
            .session(&public_key, &format!("csv-{target}-{run}"), &q)
            .await;
        for pass in ["bought now", "already owned"] {
            let rss_before = rss_mb("VmRSS:");
            let hwm_before = rss_mb("VmHWM:");
            let t = Instant::now();
            let response = b
                .http
                .post(format!(
                    "{}/v1/prospecting/sessions/{search}/export",
                    b.base
                ))
                .bearer_auth(&token)
                .json(&json!({"selection_mode": "all_results"}))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            let first_byte = t.elapsed();
            let mut bytes = 0usize;
            let mut lines = 0usize;
            let mut response = response;
            while let Some(chunk) = response.chunk().await.unwrap() {
                bytes += chunk.len();
                lines += chunk.iter().filter(|&&c| c == b'\n').count();
            }
            let elapsed = t.elapsed();
            let rows = lines.saturating_sub(1);
            println!(
                "csv export ({pass}): {rows} rows ({:.1} MB) of {total} in {:.2} s = {:.0} rows/s \
                 (streaming {:.0} rows/s after {:.2} s to the first byte); RSS {:.0} -> {:.0} MB, peak {:.0} -> {:.0} MB",
                bytes as f64 / 1e6,
                elapsed.as_secs_f64(),
                rows as f64 / elapsed.as_secs_f64(),
                rows as f64 / (elapsed - first_byte).as_secs_f64().max(1e-9),
                first_byte.as_secs_f64(),
                rss_before,
                rss_mb("VmRSS:"),
                hwm_before,
                rss_mb("VmHWM:"),
            );
        }
    }
}
