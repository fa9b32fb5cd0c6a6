//! What one process changes, every replica obeys, on both backends, with real
//! `quarry serve` processes: a suspension, a reactivation and an embed key's
//! revocation made through replica A, and a secret key revoked by the CLI, are
//! obeyed by every replica within a second, including (PostgreSQL) after the
//! listener connections were cut; an import through the CLI is searched on all
//! three within two seconds; and a key seen before costs no store read.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::contract;
use crate::jobs::seed;
use crate::replicas::{post, Replica, QUARRY};
use crate::support::{partner, Db, TestPartner};

pub(crate) const ORIGIN: &str = "https://app.partner.example";

async fn three(url: &str) -> [Replica; 3] {
    [
        Replica::start(url, &[]).await,
        Replica::start(url, &[]).await,
        Replica::start(url, &[]).await,
    ]
}

/// An embed key made through `a` with the extra settings `key`, and a session
/// for customer `acme` through `b`: (the created key, token, partner customer id).
pub(crate) async fn embed_session(
    a: &str,
    b: &str,
    owner: &TestPartner,
    key: Value,
) -> (Value, String, String) {
    let mut body = json!({"allowed_origins": [ORIGIN]});
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), key) {
        body.extend(extra);
    }
    let key = post(a, &owner.secret, "/v1/prospecting/embed-keys", &body).await;
    let session: Value = reqwest::Client::new()
        .post(format!("{b}/v1/prospecting/embed-sessions"))
        .header("origin", ORIGIN)
        .json(&json!({"partner_key": key["public_key"], "customer_id": "acme"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let customer = session["partner_customer_id"].as_str().unwrap().to_owned();
    (key, token, customer)
}

/// The status and error code of an embed-token request to `base`.
async fn embed_answer(base: &str, token: &str) -> (u16, String) {
    answer(
        reqwest::Client::new()
            .get(format!("{base}/v1/prospecting/wallet"))
            .header("origin", ORIGIN)
            .bearer_auth(token),
    )
    .await
}

/// The status and error code of a partner request to `base`.
async fn partner_answer(base: &str, secret: &str) -> (u16, String) {
    answer(
        reqwest::Client::new()
            .get(format!("{base}/v1/persons/search/taxonomy"))
            .bearer_auth(secret),
    )
    .await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
    (status, code)
}

/// The request a test repeats until every replica refuses (or allows) it.
enum Ask<'a> {
    /// An embed-token request with this token.
    Embed(&'a str),
    /// A partner request with this secret key.
    Partner(&'a str),
}

impl Ask<'_> {
    async fn to(&self, base: &str) -> (u16, String) {
        match self {
            Ask::Embed(token) => embed_answer(base, token).await,
            Ask::Partner(secret) => partner_answer(base, secret).await,
        }
    }
}

/// Waits until every replica answers `want` to `ask`, and asserts each did
/// within a second of `since` (the change's commit, as its caller saw it).
async fn obeyed_within_a_second(
    what: &str,
    replicas: &[Replica],
    since: Instant,
    want: (u16, &str),
    ask: Ask<'_>,
) {
    let waits = replicas.iter().map(|r| {
        let ask = &ask;
        async move {
            loop {
                let (status, code) = ask.to(&r.base).await;
                if status == want.0 && code == want.1 {
                    return since.elapsed();
                }
                assert!(
                    since.elapsed() < Duration::from_secs(10),
                    "{what}: {} still answers {status} {code:?}",
                    r.base
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });
    let took = futures::future::join_all(waits).await;
    eprintln!("{what}: obeyed after {took:?}");
    for (replica, took) in replicas.iter().zip(&took) {
        assert!(
            *took <= Duration::from_secs(1),
            "{what}: {} obeyed only after {took:?}",
            replica.base
        );
    }
}

contract!(
    revocations_and_suspensions_bite_on_every_replica_within_a_second,
    |store, db| {
        seed(&store, 500).await;
        let owner = partner(&store).await;
        let replicas = three(&store.url).await;
        let [a, b, _] = &replicas;
        let (key, token, customer) = embed_session(&a.base, &b.base, &owner, json!({})).await;
        let key_id = key["embed_key"]["id"].as_str().unwrap().to_owned();
        // Every replica has seen the key, the token and the customer: all cached.
        for r in &replicas {
            assert_eq!(partner_answer(&r.base, &owner.secret).await.0, 200);
            assert_eq!(embed_answer(&r.base, &token).await.0, 200);
        }
        let http = reqwest::Client::new();
        let patch = |status: &'static str| {
            http.patch(format!("{}/v1/partner-customers/{customer}", a.base))
                .bearer_auth(&owner.secret)
                .json(&json!({"status": status}))
                .send()
        };

        assert_eq!(patch("suspended").await.unwrap().status().as_u16(), 200);
        obeyed_within_a_second(
            "a suspension through A",
            &replicas,
            Instant::now(),
            (403, "customer_suspended"),
            Ask::Embed(&token),
        )
        .await;
        assert_eq!(patch("active").await.unwrap().status().as_u16(), 200);
        obeyed_within_a_second(
            "a reactivation through A",
            &replicas,
            Instant::now(),
            (200, ""),
            Ask::Embed(&token),
        )
        .await;

        if db == Db::Postgres {
            // Cut every replica's listener: the change must still arrive, by the
            // short poll while disconnected or over the new connection.
            let cut = store
                .scalar(
                    "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity \
                     where application_name = 'quarry-listener' and datname = current_database()) t",
                )
                .await;
            assert_eq!(cut, 3, "each replica holds one listener connection");
        }
        let revoked = http
            .delete(format!("{}/v1/prospecting/embed-keys/{key_id}", a.base))
            .bearer_auth(&owner.secret)
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status().as_u16(), 200);
        obeyed_within_a_second(
            "an embed key revoked through A",
            &replicas,
            Instant::now(),
            (401, "embed_key_revoked"),
            Ask::Embed(&token),
        )
        .await;
        if db == Db::Postgres {
            // The listeners are back.
            let started = Instant::now();
            while store
                .scalar(
                    "select count(*) from pg_stat_activity \
                     where application_name = 'quarry-listener' and datname = current_database()",
                )
                .await
                < 3
            {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "the listeners did not reconnect"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }

        // The operator's CLI is another process on the same database.
        for r in &replicas {
            assert_eq!(partner_answer(&r.base, &owner.secret).await.0, 200);
        }
        let out = Command::new(QUARRY)
            .args(["key", "revoke", "--partner", &owner.partner_id, "--key"])
            .arg(&owner.key_id)
            .args(["--database-url", &store.url])
            .output()
            .unwrap();
        let since = Instant::now();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        obeyed_within_a_second(
            "a secret key revoked by the CLI",
            &replicas,
            since,
            (401, "api_key_revoked"),
            Ask::Partner(&owner.secret),
        )
        .await;
    }
);

/// The number of people a replica's index finds for `q`.
async fn total(base: &str, secret: &str, q: &str) -> u64 {
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/v1/persons/search"))
        .query(&[("q", q), ("limit", "1")])
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["pagination"]["total_records"]
        .as_u64()
        .unwrap_or_else(|| panic!("no total in {body}"))
}

contract!(
    an_import_through_the_cli_is_searched_on_every_replica_within_two_seconds,
    |store, _db| {
        seed(&store, 500).await;
        let owner = partner(&store).await;
        let replicas = three(&store.url).await;
        let q = "software engineers in Nevada";
        let before = total(&replicas[0].base, &owner.secret, q).await;
        let dir = tempfile::tempdir().unwrap();
        let companies = dir.path().join("companies.csv");
        let people = dir.path().join("people.csv");
        std::fs::write(
            &companies,
            "company_id,name,domain,industry,employee_count,state\n\
             llama-1,Llama Works,llamaworks.example,software,120,NV\n",
        )
        .unwrap();
        let mut rows = String::from("person_id,company_id,first_name,last_name,job_title,state\n");
        for i in 0..25 {
            rows.push_str(&format!(
                "llama-p{i},llama-1,Ada{i},Lovelace,Software Engineer,NV\n"
            ));
        }
        std::fs::write(&people, rows).unwrap();
        let out = Command::new(QUARRY)
            .args(["import", "--companies"])
            .arg(&companies)
            .arg("--people")
            .arg(&people)
            .args(["--database-url", &store.url])
            .output()
            .unwrap();
        let since = Instant::now();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut took = Vec::new();
        for r in &replicas {
            loop {
                let now = total(&r.base, &owner.secret, q).await;
                if now == before + 25 {
                    took.push(since.elapsed());
                    break;
                }
                assert!(
                    since.elapsed() < Duration::from_secs(10),
                    "{} still finds {now} (before: {before}, imported 25)",
                    r.base
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        eprintln!("the import was searched on the three replicas after {took:?}");
        for t in &took {
            assert!(
                *t <= Duration::from_secs(2),
                "an imported person was searched only after {t:?}"
            );
        }
    }
);

/// Partner requests with a key the replica has seen read nothing from the store:
/// a thousand of them cost PostgreSQL far fewer than a thousand transactions (the
/// background work of an idle replica is a few a second).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_seen_before_costs_no_store_read() {
    let Some(store) = crate::support::store(Db::Postgres).await else {
        return;
    };
    let owner = partner(&store).await;
    let replica = Replica::start(&store.url, &[]).await;
    assert_eq!(partner_answer(&replica.base, &owner.secret).await.0, 200);
    let transactions = || async {
        // Other sessions report their counts at most once a second.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        store
            .scalar(
                "select xact_commit + xact_rollback from pg_stat_database \
                 where datname = current_database()",
            )
            .await
    };
    let before = transactions().await;
    let started = Instant::now();
    for _ in 0..100 {
        let calls = (0..10).map(|_| partner_answer(&replica.base, &owner.secret));
        for (status, _) in futures::future::join_all(calls).await {
            assert_eq!(status, 200);
        }
    }
    let seconds = started.elapsed().as_secs_f64() + 3.0;
    let spent = transactions().await - before;
    eprintln!("1,000 partner requests: {spent} transactions in {seconds:.1} s");
    assert!(
        (spent as f64) < 200.0 + 20.0 * seconds,
        "1,000 requests with a known key cost {spent} transactions"
    );
}
