//! `make bench`: issue 15's targets on the 1M-person bench set.
//! (1) Net-new search with 100,000 suppressions on one customer (e-mails,
//! domains and person ids of real records): session pages with
//! `net_new_only`, through the real HTTP server in-process, p50/p99 (the
//! first page, which builds the customer's suppressed set, reported apart).
//! (2) 10,000 watched saved searches evaluated after an import of 100,000
//! people (the newest 100,000 ids stand for the import), announcements
//! included.
//!
//! Environment: as the search bench (`QUARRY_BENCH_PEOPLE`, `QUARRY_BENCH_DB`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use quarry_server::datasets::{DataSet, DataSets};
use quarry_server::delivery::sender::Sender;
use quarry_server::delivery::worker::Deliverer;
use quarry_server::partners::keys::{issue_secret_key, Scope};
use quarry_server::partners::suppressions::SuppressionKind;
use quarry_server::partners::{Mode, Tenant};
use quarry_server::prospecting::saved::Watcher;
use quarry_server::search::SearchService;
use quarry_server::store::{ConnectOptions, NewSavedSearch, Store};
use quarry_server::{seed, ServeConfig};
use roaring::RoaringBitmap;
use serde_json::{json, Value};

const ORIGIN: &str = "https://bench.partner.example";
const SUPPRESSIONS: usize = 100_000;
const WATCHED: usize = 10_000;
const IMPORTED: u32 = 100_000;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn post(http: &reqwest::Client, url: &str, bearer: &str, body: Value) -> Value {
    let r = http
        .post(url)
        .bearer_auth(bearer)
        .header("origin", ORIGIN)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let value: Value = r.json().await.expect("json");
    assert!(status.is_success(), "{url}: {status} {value}");
    value
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
    let queries: Vec<String> = include_str!("queries.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();

    // The server, in this process.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = ServeConfig::for_tests(std::env::temp_dir().join("quarry-no-widget"));
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
    let partner = store
        .create_partner("prospecting bench", now())
        .await
        .unwrap();
    let tenant = Tenant {
        partner_id: partner.partner_id,
        mode: Mode::Live,
    };
    let issued = issue_secret_key(Mode::Live);
    store
        .insert_api_key(&tenant, &issued, None, &Scope::ALL, now())
        .await
        .unwrap();
    let key = post(
        &http,
        &format!("{base}/v1/prospecting/embed-keys"),
        &issued.secret,
        json!({"allowed_origins": [ORIGIN], "credit_enforcement_mode": "metered"}),
    )
    .await;
    let session = post(
        &http,
        &format!("{base}/v1/prospecting/embed-sessions"),
        "",
        json!({"partner_key": key["public_key"], "customer_id": format!("bench-{}", now())}),
    )
    .await;
    let token = session["token"].as_str().unwrap().to_owned();
    let customer = session["partner_customer_id"].as_str().unwrap().to_owned();

    // 1. 100,000 suppressions: e-mails and person ids of real records, and domains.
    let sample = |column: &'static str, n: usize| {
        let url = url.clone();
        async move {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
            let sql = format!(
                "select {column} from person where {column} is not null order by id desc limit {n}"
            );
            let values: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .expect("sample");
            pool.close().await;
            values
        }
    };
    let domains: Vec<String> = {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
        let v: Vec<String> =
            sqlx::query_scalar("select domain from company order by id limit 20000")
                .fetch_all(&pool)
                .await
                .expect("domains");
        pool.close().await;
        v
    };
    let mut entries: Vec<(SuppressionKind, String)> = Vec::with_capacity(SUPPRESSIONS);
    entries.extend(
        sample("business_email", 60_000)
            .await
            .into_iter()
            .map(|v| (SuppressionKind::Email, v)),
    );
    entries.extend(
        sample("person_id", 20_000)
            .await
            .into_iter()
            .map(|v| (SuppressionKind::PersonId, v)),
    );
    entries.extend(domains.into_iter().map(|v| (SuppressionKind::Domain, v)));
    entries.truncate(SUPPRESSIONS);
    let t = Instant::now();
    for chunk in entries.chunks(10_000) {
        store
            .add_suppressions(&customer, chunk, now())
            .await
            .unwrap();
    }
    println!(
        "net-new: {} suppressions stored in {:.2} s",
        entries.len(),
        t.elapsed().as_secs_f64()
    );
    // One session per benchmark query; the first net-new page builds the set.
    let net_new = "%7B%22net_new_only%22%3Atrue%7D";
    let mut search_ids = Vec::new();
    for q in queries.iter().take(30) {
        let page = post(
            &http,
            &format!("{base}/v1/prospecting/sessions"),
            &token,
            json!({"q": q, "limit": 25}),
        )
        .await;
        search_ids.push(page["search_id"].as_str().unwrap().to_owned());
    }
    let get = |id: &str| {
        let (http, token) = (http.clone(), token.clone());
        let url = format!("{base}/v1/prospecting/sessions/{id}?limit=25&applied_filters={net_new}");
        async move {
            let t = Instant::now();
            let r = http
                .get(url)
                .bearer_auth(token)
                .header("origin", ORIGIN)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            let _ = r.bytes().await;
            t.elapsed()
        }
    };
    // A change to the list: the next page rebuilds the customer's set.
    store
        .add_suppressions(
            &customer,
            &[(SuppressionKind::Email, "someone@new.example".to_owned())],
            now(),
        )
        .await
        .unwrap();
    let cold = get(&search_ids[0]).await;
    let mut times = Vec::new();
    for round in 0..10 {
        for id in &search_ids {
            let _ = round;
            times.push(get(id).await);
        }
    }
    times.sort();
    println!(
        "net-new: 30 sessions x 10 net-new pages with {} suppressions: p50 {:.2} ms, p99 {:.2} ms (target p99 <= 25 ms); first page after a list change on a replica that did not take it (rebuilds the set) {:.1} ms",
        entries.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        cold.as_secs_f64() * 1000.0
    );

    // 2. 10,000 watched saved searches after an import of 100,000 people.
    let search = SearchService::build(&store).await.expect("index");
    let index = search.index();
    let states = [
        "Texas",
        "California",
        "Florida",
        "New York",
        "Nevada",
        "Ohio",
        "Utah",
        "Georgia",
        "Arizona",
        "Colorado",
        "Oregon",
        "Washington",
        "Illinois",
        "Michigan",
        "Virginia",
        "Idaho",
        "Iowa",
        "Kansas",
        "Missouri",
        "Tennessee",
        "Alabama",
        "Kentucky",
        "Indiana",
        "Maine",
        "Montana",
        "Nebraska",
        "New Jersey",
        "New Mexico",
        "North Carolina",
        "Oklahoma",
        "Pennsylvania",
        "South Carolina",
        "Wisconsin",
        "Minnesota",
    ];
    let t = Instant::now();
    let empty = RoaringBitmap::new();
    for i in 0..WATCHED {
        // 10,000 distinct searches: every query in every state, with and without a size.
        let sizes = [
            "",
            " with 50+ employees",
            " with fewer than 200 employees",
            " startups",
            " with 10-500 employees",
        ];
        let q = format!(
            "{} in {}{}",
            queries[i % queries.len()],
            states[(i / queries.len()) % states.len()],
            sizes[(i / (queries.len() * states.len())) % sizes.len()]
        );
        let id = format!("ss_bench_{}_{i}", now());
        store
            .save_search(
                &tenant,
                &NewSavedSearch {
                    saved_search_id: &id,
                    customer_id: &customer,
                    name: &q,
                    q: &q,
                    filters: "{}",
                    watch: true,
                    seen: &empty,
                    version: index.version - 1,
                },
                now(),
            )
            .await
            .expect("save");
    }
    println!(
        "watch: {WATCHED} watched searches stored in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let max = index.all.max().unwrap_or(0);
    let imported: RoaringBitmap = index
        .all
        .iter()
        .filter(|&id| id > max.saturating_sub(IMPORTED))
        .collect();
    let deliverer = Arc::new(Deliverer::new(
        store.clone(),
        Sender::new(true, Duration::from_secs(5)).unwrap(),
        vec![5],
        432_000,
    ));
    let watcher = Watcher::new(
        store.clone(),
        Arc::new(DataSets::new(DataSet::live(store.clone(), search.clone()))),
        deliverer,
    );
    let t = Instant::now();
    let evaluated = watcher
        .evaluate(&index, Some(&imported), now())
        .await
        .expect("evaluate");
    println!(
        "watch: {} watched searches ({} distinct) evaluated after an import of {} people in {:.2} s, {} announced (target <= 10 s)",
        evaluated.searches,
        evaluated.distinct,
        imported.len(),
        t.elapsed().as_secs_f64(),
        evaluated.announced
    );
}
