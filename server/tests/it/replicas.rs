//! Jobs across real server processes: `kill -9` of a replica with queued and
//! running jobs (after a restart every job ends once, bills once, and each
//! subscribed endpoint gets its event with one stable `webhook-id`, checked by
//! the Standard Webhooks reference verifier), and two replicas on one
//! PostgreSQL sharing a queue without running a job twice.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};

use crate::contract;
use crate::jobs::{data_records, seed};
use crate::receiver::Receiver;
use crate::support::{partner, Db, TestPartner, TestStore};
use crate::webhooks::verifies;

pub(crate) const QUARRY: &str = env!("CARGO_BIN_EXE_quarry");

/// A `quarry serve` process on `127.0.0.1`, killed when dropped.
pub(crate) struct Replica {
    child: Child,
    pub(crate) base: String,
}

impl Replica {
    pub(crate) async fn start(database_url: &str, args: &[&str]) -> Replica {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(QUARRY)
            .args(["serve", "--dev", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url])
            .args(if args.contains(&"--rate-limit-per-key") {
                &[][..]
            } else {
                &["--rate-limit-per-key", "1000000"][..]
            })
            .arg("--widget-dir")
            .arg(std::env::temp_dir().join("quarry-no-widget"))
            .args(args)
            .env("QUARRY_LOG", "warn,sqlx::query=error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn quarry serve");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no server at {base}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Replica { child, base }
    }

    /// `kill -9`: no shutdown, no drain, claims left as they were.
    pub(crate) fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub(crate) async fn post(base: &str, key: &str, path: &str, body: &Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn count(store: &TestStore, sql: &str) -> i64 {
    store.scalar(sql).await
}

/// Queues `n` jobs through `bases` in turn; returns their ids.
async fn queue(bases: &[&str], owner: &TestPartner, n: usize) -> Vec<String> {
    let queries = [
        "sales people",
        "cfo",
        "marketing directors",
        "ceos in texas",
        "engineers",
    ];
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let body = json!({"q": queries[i % queries.len()], "limit": 10 + (i % 5) as u32});
        let job = post(
            bases[i % bases.len()],
            &owner.secret,
            "/v1/persons/search/jobs",
            &body,
        )
        .await;
        ids.push(job["job_id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Waits until no job is queued or running (90 s at most).
async fn drained(store: &TestStore) {
    let started = Instant::now();
    loop {
        let left = count(
            store,
            "select count(*) from search_job where status in ('queued', 'running')",
        )
        .await;
        if left == 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{left} jobs never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every job succeeded once and billed once: the usage ledger holds exactly
/// the sum of the jobs' billable records, each stored page has that many
/// records, and each endpoint got one delivery per job.
async fn ended_once(store: &TestStore, owner: &TestPartner, jobs: &[String], endpoints: i64) {
    let n = jobs.len() as i64;
    assert_eq!(
        count(
            store,
            "select count(*) from search_job where status = 'succeeded'"
        )
        .await,
        n
    );
    let billed = count(
        store,
        "select cast(coalesce(sum(billable_records), 0) as bigint) from search_job",
    )
    .await;
    assert!(billed > 0);
    assert_eq!(
        data_records(store, &owner.partner_id).await,
        billed,
        "billed once per job"
    );
    assert_eq!(
        count(
            store,
            "select count(*) from delivery where event_type = 'person_search.job.succeeded'"
        )
        .await,
        n * endpoints,
        "one event per job and endpoint"
    );
}

/// Every job's event reached `receiver`, all copies of one job's event under
/// one `webhook-id`, each accepted by the reference verifier.
fn each_event_once_with_a_stable_id(receiver: &Receiver, secret: &str, jobs: &[String]) {
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    for message in receiver.received() {
        assert!(verifies(secret, &message), "an event failed verification");
        let job = message.body["data"]["job_id"].as_str().unwrap().to_owned();
        let id = message.headers["webhook-id"].to_str().unwrap().to_owned();
        ids.entry(job).or_default().insert(id);
    }
    for job in jobs {
        let seen = ids.get(job).map(HashSet::len).unwrap_or(0);
        assert_eq!(seen, 1, "job {job}: {seen} distinct webhook-ids");
    }
}

contract!(
    kill_9_with_queued_and_running_jobs_loses_nothing_and_repeats_nothing,
    |store, _db| {
        seed(&store, 2_000).await;
        let owner = partner(&store).await;
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let args = [
            "--job-lease-secs",
            "2",
            "--delivery-timeout-secs",
            "1",
            "--job-workers",
            "2",
        ];
        // A replica that only takes requests queues the jobs…
        let web = Replica::start(&store.url, &["--job-workers", "0"]).await;
        let endpoint = post(
            &web.base,
            &owner.secret,
            "/v1/webhooks/endpoints",
            &json!({"url": receiver.url(), "events": ["person_search.job.succeeded"]}),
        )
        .await;
        let secret = endpoint["signing_secret"].as_str().unwrap().to_owned();
        let jobs = queue(&[&web.base], &owner, 200).await;
        // …and a worker replica is killed while it runs them.
        let mut worker = Replica::start(&store.url, &args).await;
        let started = Instant::now();
        loop {
            let done = count(
                &store,
                "select count(*) from search_job where status = 'succeeded'",
            )
            .await;
            let running = count(
                &store,
                "select count(*) from search_job where status = 'running'",
            )
            .await;
            if done >= 20 && running > 0 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the worker never got going"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        worker.kill9();
        let queued = count(
            &store,
            "select count(*) from search_job where status = 'queued'",
        )
        .await;
        let running = count(
            &store,
            "select count(*) from search_job where status = 'running'",
        )
        .await;
        eprintln!("killed with {queued} queued and {running} running jobs");
        assert!(queued > 0, "the kill came too late to leave queued jobs");
        // A running job the kill left behind is picked up once its lease lapses.
        let _restarted = Replica::start(&store.url, &args).await;
        drained(&store).await;
        ended_once(&store, &owner, &jobs, 1).await;
        // At least once: the events of jobs that ended before and after the kill.
        let started = Instant::now();
        while count(
            &store,
            "select count(*) from delivery where status = 'delivered'",
        )
        .await
            < jobs.len() as i64
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "events were not all delivered"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        each_event_once_with_a_stable_id(&receiver, &secret, &jobs);
        drop(web);
    }
);

/// Two replicas on one PostgreSQL share the queue: every job is claimed once
/// (one attempt), ends once and bills once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres_share_a_queue_without_running_a_job_twice() {
    let Some(store) = crate::support::store(Db::Postgres).await else {
        return;
    };
    seed(&store, 2_000).await;
    let owner = partner(&store).await;
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let a = Replica::start(&store.url, &["--job-workers", "4"]).await;
    let b = Replica::start(&store.url, &["--job-workers", "4"]).await;
    let endpoint = post(
        &a.base,
        &owner.secret,
        "/v1/webhooks/endpoints",
        &json!({"url": receiver.url()}),
    )
    .await;
    let jobs = queue(&[&a.base, &b.base], &owner, 200).await;
    drained(&store).await;
    assert_eq!(
        count(
            &store,
            "select count(*) from search_job where attempts <> 1"
        )
        .await,
        0,
        "a job was claimed more than once"
    );
    ended_once(&store, &owner, &jobs, 1).await;
    let started = Instant::now();
    while count(
        &store,
        "select count(*) from delivery where status = 'delivered'",
    )
    .await
        < jobs.len() as i64
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "events were not all delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    each_event_once_with_a_stable_id(
        &receiver,
        endpoint["signing_secret"].as_str().unwrap(),
        &jobs,
    );
    assert_eq!(receiver.received().len(), jobs.len(), "no event sent twice");
}

/// Three replicas on one PostgreSQL share a key's limit of 600 a minute: together
/// they allow 600 within 10 %, not 600 each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_share_a_per_key_limit() {
    let Some(store) = crate::support::store(Db::Postgres).await else {
        return;
    };
    let owner = partner(&store).await;
    let args = ["--rate-limit-per-key", "600"];
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(Replica::start(&store.url, &args).await);
    }
    // Start early in a minute, so the burst stays inside one window.
    loop {
        let second = crate::support::now() % 60;
        if second < 25 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let http = reqwest::Client::new();
    let mut allowed = 0usize;
    let mut refused = 0usize;
    // 1,200 requests in rounds over the three replicas, a little apart, as a
    // client behind a load balancer sends them.
    for round in 0..120 {
        let calls = (0..10).map(|i| {
            let base = replicas[(round * 10 + i) % 3].base.clone();
            let (http, key) = (http.clone(), owner.secret.clone());
            async move {
                http.get(format!("{base}/v1/persons/search/taxonomy"))
                    .bearer_auth(key)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            }
        });
        for status in futures::future::join_all(calls).await {
            match status {
                200 => allowed += 1,
                429 => refused += 1,
                other => panic!("unexpected status {other}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("three replicas allowed {allowed} of 1,200 requests under a 600 limit");
    assert_eq!(allowed + refused, 1_200);
    assert!(
        (540..=660).contains(&allowed),
        "three replicas allowed {allowed} of a 600 limit"
    );
}

/// 300 overlapping buys spread over three replicas on one PostgreSQL, for one
/// customer with an enforced wallet too small for all of them: no record is
/// billed twice, the wallet never goes below zero, and the ledger matches what
/// was bought.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_buys_over_three_replicas_bill_each_record_once() {
    let Some(store) = crate::support::store(Db::Postgres).await else {
        return;
    };
    seed(&store, 1_000).await;
    let replicas = [
        Replica::start(&store.url, &[]).await,
        Replica::start(&store.url, &[]).await,
        Replica::start(&store.url, &[]).await,
    ];
    overlapping_buys(&store, &replicas).await;
}

/// The same through PgBouncer in transaction mode, with four server connections
/// for the three replicas' 48: every statement shares server connections with
/// other clients between transactions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_buys_through_pgbouncer_in_transaction_mode() {
    let Some(store) = crate::support::store(Db::Postgres).await else {
        return;
    };
    seed(&store, 1_000).await;
    let bouncer = Bouncer::start(&store.url);
    let args = [
        "--database-listen-url",
        &store.url,
        "--db-statement-cache-capacity",
        "0",
    ];
    let replicas = [
        Replica::start(&bouncer.url, &args).await,
        Replica::start(&bouncer.url, &args).await,
        Replica::start(&bouncer.url, &args).await,
    ];
    overlapping_buys(&store, &replicas).await;
    // The change feed listens over the direct URL.
    let listeners = store
        .scalar(
            "select count(*) from pg_stat_activity \
             where application_name = 'quarry-listener' and datname = current_database()",
        )
        .await;
    assert_eq!(listeners, 3);
}

/// A PgBouncer in transaction mode in front of the PostgreSQL of `url`, stopped
/// when dropped.
struct Bouncer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Bouncer {
    fn start(url: &str) -> Bouncer {
        let (_, rest) = url.rsplit_once(':').expect("a URL with a port");
        let (pg_port, database) = rest.split_once('/').expect("a URL with a database");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        std::fs::write(path.join("userlist.txt"), "\"postgres\" \"\"\n").unwrap();
        std::fs::write(
            path.join("pgbouncer.ini"),
            format!(
                "[databases]\n* = host=127.0.0.1 port={pg_port}\n[pgbouncer]\n\
                 listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {users}\npool_mode = transaction\n\
                 default_pool_size = 4\nmax_client_conn = 500\n\
                 ignore_startup_parameters = extra_float_digits,options\n",
                users = path.join("userlist.txt").display()
            ),
        )
        .unwrap();
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
        let mut command = if root {
            // PgBouncer refuses to run as root.
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(path)
                .status();
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "pgbouncer"]);
            c
        } else {
            Command::new("pgbouncer")
        };
        let child = command
            .arg(path.join("pgbouncer.ini"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pgbouncer (apt-get install pgbouncer)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "no PgBouncer");
            std::thread::sleep(Duration::from_millis(50));
        }
        Bouncer {
            child,
            url: format!("postgres://postgres@127.0.0.1:{port}/{database}"),
            _dir: dir,
        }
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn overlapping_buys(store: &TestStore, replicas: &[Replica; 3]) {
    let owner = partner(store).await;
    let origin = "https://app.partner.example";
    let http = reqwest::Client::new();
    let call = |base: &str, path: &str, bearer: &str, body: Value| {
        let request = http
            .post(format!("{base}{path}"))
            .header("origin", origin)
            .bearer_auth(bearer)
            .json(&body);
        async move { request.send().await.expect("request") }
    };
    let key: Value = call(
        &replicas[0].base,
        "/v1/prospecting/embed-keys",
        &owner.secret,
        json!({"allowed_origins": [origin], "credit_enforcement_mode": "enforced", "csv_export_enabled": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let session: Value = call(
        &replicas[1].base,
        "/v1/prospecting/embed-sessions",
        "",
        json!({"partner_key": key["public_key"], "customer_id": "acme"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let customer = session["partner_customer_id"].as_str().unwrap().to_owned();
    // 40 credits for 60 candidate records: most buys fit, some must be refused.
    let granted = call(
        &replicas[2].base,
        &format!("/v1/partner-customers/{customer}/wallet/credits"),
        &owner.secret,
        json!({"credit_units": 40}),
    )
    .await;
    assert_eq!(granted.status().as_u16(), 201);
    let page: Value = call(
        &replicas[0].base,
        "/v1/prospecting/sessions",
        &token,
        json!({"q": "sales people", "limit": 60}),
    )
    .await
    .json()
    .await
    .unwrap();
    let search_id = page["search_id"].as_str().unwrap().to_owned();
    let ids: Vec<Value> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["prospect_id"].clone())
        .collect();
    assert_eq!(ids.len(), 60);
    // Each buy takes three neighbouring records: every record is in up to three buys.
    let buys = (0..300).map(|i| {
        let base = replicas[i % 3].base.clone();
        let pick: Vec<Value> = (0..3).map(|k| ids[(i + k) % ids.len()].clone()).collect();
        let request = call(
            &base,
            &format!("/v1/prospecting/sessions/{search_id}/export"),
            &token,
            json!({"selection_mode": "selected", "prospect_ids": pick}),
        );
        async move {
            let response = request.await;
            let status = response.status().as_u16();
            let billed = response
                .headers()
                .get("x-net-new-billable-records")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0);
            let _ = response.bytes().await;
            (status, billed)
        }
    });
    let mut results = Vec::new();
    let mut pending = futures::stream::iter(buys).buffer_unordered(24);
    while let Some(r) = pending.next().await {
        results.push(r);
    }
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let refused = results.iter().filter(|(s, _)| *s == 402).count();
    assert_eq!(
        ok + refused,
        300,
        "{:?}",
        results
            .iter()
            .filter(|(s, _)| *s != 200 && *s != 402)
            .take(3)
            .collect::<Vec<_>>()
    );
    assert!(refused > 0, "the wallet was meant to run out");
    let billed: i64 = results.iter().map(|(_, b)| *b).sum();
    let owned = count(
        store,
        &format!("select count(*) from owned_record where partner_customer_id = '{customer}'"),
    )
    .await;
    let distinct = count(store, &format!("select count(distinct person) from owned_record where partner_customer_id = '{customer}'")).await;
    assert_eq!(owned, distinct, "a record was billed twice");
    assert_eq!(billed, owned, "what the answers billed is what is owned");
    assert!(
        owned <= 40,
        "the enforced wallet went below zero: {owned} records for 40 credits"
    );
    let spent = count(
        store,
        &format!("select cast(coalesce(sum(units), 0) as bigint) from wallet_ledger where partner_customer_id = '{customer}' and kind = 'spend'"),
    )
    .await;
    assert_eq!(
        spent, owned,
        "the ledger equals what was bought (1 unit a record)"
    );
    eprintln!(
        "300 buys over three replicas: {ok} bought, {refused} refused, {owned} records owned"
    );
}

/// `kill -9` of the replica sending a push, mid-chunk, while two others run: one
/// of them sends it once the dead replica's claim lapses, under the same
/// `webhook-id`s, and within its attempt no chunk goes twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_sending_replica_another_delivers_under_the_same_ids() {
    let Some(store) = crate::support::store(Db::Postgres).await else {
        return;
    };
    seed(&store, 30_000).await;
    let owner = partner(&store).await;
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    // A 2-second send timeout: a claim lapses 9 s after the kill.
    let args = ["--delivery-timeout-secs", "2"];
    let mut sender = Replica::start(&store.url, &args).await;
    let others = [
        Replica::start(&store.url, &args).await,
        Replica::start(&store.url, &args).await,
    ];
    let (origin, http) = (crate::replica_changes::ORIGIN, reqwest::Client::new());
    let (key, token, _) = crate::replica_changes::embed_session(
        &others[0].base,
        &others[1].base,
        &owner,
        json!({"result_delivery_url": receiver.url()}),
    )
    .await;
    let secret = key["webhook_signing_secret"].as_str().unwrap().to_owned();
    let embed = |base: &str, path: String, body: Value| {
        http.post(format!("{base}{path}"))
            .header("origin", origin)
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let page: Value = embed(
        &others[0].base,
        "/v1/prospecting/sessions".into(),
        json!({"q": "all employees in California", "limit": 10}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let search_id = page["search_id"].as_str().unwrap().to_owned();
    let records = page["pagination"]["total_records"].as_u64().unwrap();
    assert!(records > 1_000, "more than one chunk: {records} records");
    let chunks = records.div_ceil(1_000);

    // The partner's backend hangs on the first chunk; the replica that took the
    // push request holds the claim and is killed while it waits.
    receiver.delay(60_000);
    let push = tokio::spawn(embed(
        &sender.base,
        format!("/v1/prospecting/sessions/{search_id}/push"),
        json!({"selection_mode": "all_results"}),
    ));
    let started = Instant::now();
    while receiver.received().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the push never reached the partner"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sender.kill9();
    receiver.delay(0);
    assert!(push.await.unwrap().is_err(), "the killed replica answered");
    let before_kill = receiver.received();
    assert_eq!(
        before_kill.len(),
        1,
        "the dead replica sent only its first chunk"
    );
    let delivery_id = before_kill[0].body["delivery_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let started = Instant::now();
    while count(
        &store,
        &format!("select count(*) from delivery where delivery_id = '{delivery_id}' and status = 'delivered'"),
    )
    .await
        == 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "no other replica delivered the push"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "delivered by another replica {:.1} s after the kill",
        started.elapsed().as_secs_f64()
    );
    let all = receiver.received();
    let after: Vec<_> = all[before_kill.len()..].to_vec();
    let mut sent: Vec<u64> = after
        .iter()
        .map(|m| m.body["chunk"].as_u64().unwrap())
        .collect();
    sent.sort_unstable();
    assert_eq!(
        sent,
        (1..=chunks).collect::<Vec<_>>(),
        "the surviving attempt sends each chunk once"
    );
    for m in &all {
        assert!(verifies(&secret, m), "a chunk failed verification");
        let chunk = m.body["chunk"].as_u64().unwrap();
        assert_eq!(
            m.headers["webhook-id"].to_str().unwrap(),
            format!("{delivery_id}.{chunk}"),
            "a chunk's webhook-id changed"
        );
    }
    assert_eq!(
        before_kill[0].headers["webhook-id"],
        after.iter().find(|m| m.body["chunk"] == 1).unwrap().headers["webhook-id"],
        "the first chunk went again under the same webhook-id"
    );
}
