//! Async person-search jobs over HTTP: creation checks what the sync search
//! checks and bills nothing; the runner bills once and its page equals the sync
//! search's; jobs are tenant-scoped, cancellable while queued, bounded per
//! partner, and expire. Replicas that only serve requests (`job_workers = 0`)
//! leave the queue to others, which is how these tests hold jobs queued.

use std::time::{Duration, Instant};

use quarry_server::partners::keys::Scope;
use quarry_server::partners::Mode;
use quarry_server::Store;
use serde_json::{json, Value};

use crate::api::Api;
use crate::contract;
use crate::support::{add_key, partner, urlencode, TestServer, TestStore};

pub async fn seed(store: &Store, people: u64) {
    quarry_server::seed::seed_demo(
        store,
        &quarry_server::seed::SeedOptions {
            people,
            seed: 5,
            progress: false,
        },
    )
    .await
    .expect("seed");
}

pub async fn start(
    store: &Store,
    configure: impl FnOnce(&mut quarry_server::ServeConfig),
) -> (TestServer, Api) {
    let server = TestServer::start_with(
        store.clone(),
        std::env::temp_dir().join("quarry-no-widget"),
        configure,
    )
    .await;
    let api = Api::new(&server);
    (server, api)
}

/// Polls a job until it ends (30 s at most) and returns it.
pub async fn finished(api: &Api, key: &str, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let answer = api.get(&format!("/v1/persons/search/jobs/{id}"), key).await;
        let pending = answer.header("retry-after").is_some();
        let job = answer.expect(200);
        let status = job["status"].as_str().unwrap_or("").to_owned();
        assert_eq!(
            pending,
            status == "queued" || status == "running",
            "Retry-After while and only while the job has not ended: {job}"
        );
        if !pending {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "job {id} did not end: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Records the data API returned, as the usage ledger has them (the sync
/// search's counts are flushed every second; a job's are written with it).
pub async fn data_records(store: &TestStore, partner_id: &str) -> i64 {
    store
        .scalar(&format!(
            "select cast(coalesce(sum(units), 0) as bigint) from usage_counter where partner_id = '{partner_id}' \
             and kind = 'data_record'"
        ))
        .await
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| p["person_id"].as_str().expect("person_id").to_owned())
        .collect()
}

contract!(
    a_job_is_accepted_unbilled_then_bills_once_with_the_sync_page,
    |store, _db| {
        seed(&store, 2_000).await;
        let owner = partner(&store).await;
        // A replica that only serves requests: the job stays queued.
        let (web, api) = start(&store, |c| c.job_workers = 0).await;
        let body = json!({"q": "sales people in texas", "limit": 25});
        let created = api
            .post("/v1/persons/search/jobs", &owner.secret, &body)
            .await;
        assert_eq!(created.status.as_u16(), 202, "{}", created.body);
        let job_id = created.body["job_id"].as_str().unwrap().to_owned();
        assert_eq!(
            created.header("location"),
            Some(format!("/v1/persons/search/jobs/{job_id}").as_str())
        );
        assert!(created.header("retry-after").is_some());
        assert_eq!(created.body["status"], "queued");
        assert_eq!(created.body["search_strategy"], "taxonomy");
        assert!(
            created.body["interpretation"]["filters"].is_object(),
            "{}",
            created.body
        );
        assert!(created.body["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(created.body.get("data").is_none());
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let queued = api
            .get(&format!("/v1/persons/search/jobs/{job_id}"), &owner.secret)
            .await;
        assert_eq!(queued.header("retry-after"), Some("1"));
        assert_eq!(queued.body["status"], "queued");
        assert_eq!(
            data_records(&store, &owner.partner_id).await,
            0,
            "creation bills nothing"
        );

        // A replica that runs jobs picks it up.
        let (_worker, _) = start(&store, |_| {}).await;
        let job = finished(&api, &owner.secret, &job_id).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        assert_eq!(job["billable_records"], 25);
        assert!(job["timings_ms"]["total"].is_u64(), "{job}");
        assert!(job["expires_at"].is_string());
        assert_eq!(data_records(&store, &owner.partner_id).await, 25);

        // The same page as the sync search, and the next job continues where it ends.
        let sync = api
            .get(
                &format!(
                    "/v1/persons/search?q={}&limit=25",
                    urlencode("sales people in texas")
                ),
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(ids(&job), ids(&sync));
        assert_eq!(
            job["pagination"]["total_records"],
            sync["pagination"]["total_records"]
        );
        assert_eq!(job["facets"], sync["facets"]);
        let next_cursor = job["pagination"]["next_cursor"].as_str().unwrap();
        let second = api
            .post(
                "/v1/persons/search/jobs",
                &owner.secret,
                &json!({"q": "sales people in texas", "limit": 25, "cursor": next_cursor}),
            )
            .await
            .expect(202);
        let second = finished(&api, &owner.secret, second["job_id"].as_str().unwrap()).await;
        let sync_second = api
            .get(
                &format!(
                    "/v1/persons/search?q={}&limit=25&cursor={}",
                    urlencode("sales people in texas"),
                    urlencode(next_cursor)
                ),
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(ids(&second), ids(&sync_second));
        // Polling again changes nothing: billed once per job.
        finished(&api, &owner.secret, &job_id).await;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let returned = |page: &Value| page["data"].as_array().unwrap().len() as i64;
        assert_eq!(second["billable_records"].as_i64(), Some(returned(&second)));
        assert!(returned(&second) > 0);
        assert_eq!(
            data_records(&store, &owner.partner_id).await,
            25 + returned(&second) + 25 + returned(&sync_second),
            "each job once, plus the two sync pages"
        );
        web.stop().await;
    }
);

contract!(
    creation_refuses_what_the_sync_search_refuses_and_writes_nothing,
    |store, _db| {
        seed(&store, 500).await;
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |c| c.job_workers = 0).await;
        let cases: Vec<(Value, &str)> = vec![
            (json!({"q": "cfo", "limit": 0}), "limit=0"),
            (json!({"q": "cfo", "limit": 101}), "limit=101"),
            (json!({"q": ""}), "q="),
            (json!({"q": "qwxzy vbnmk"}), "q=qwxzy+vbnmk"),
            (json!({"q": "cfo", "role": ["wizard"]}), "role=wizard"),
            (json!({"q": "cfo", "max_records": 0}), "max_records=0"),
            (json!({"q": "cfo", "cursor": "garbage"}), "cursor=garbage"),
            (json!({"q": "cfo", "dedupe_token": ""}), "dedupe_token="),
            (
                json!({"q": "cfo", "employee_count_min": 50, "employee_count_max": 10}),
                "employee_count_min=50&employee_count_max=10",
            ),
            (
                json!({"q": "cfo", "email_status": ["great"]}),
                "email_status=great",
            ),
        ];
        for (body, query) in cases {
            let job = api
                .post("/v1/persons/search/jobs", &owner.secret, &body)
                .await;
            let q = if query.starts_with("q=") {
                query.to_owned()
            } else {
                format!("q=cfo&{query}")
            };
            let sync = api
                .get(&format!("/v1/persons/search?{q}"), &owner.secret)
                .await;
            assert!(job.status.is_client_error(), "{body}: {}", job.body);
            assert_eq!(
                (job.status, job.code(), job.field()),
                (sync.status, sync.code(), sync.field()),
                "{body} answers as GET ?{q} does"
            );
        }
        // Bodies the sync route cannot be sent: still refused, the field named.
        let bad = api
            .post(
                "/v1/persons/search/jobs",
                &owner.secret,
                &json!({"q": "cfo", "colour": "red"}),
            )
            .await;
        assert_eq!(bad.status.as_u16(), 400, "{}", bad.body);
        assert!(
            bad.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("colour"),
            "{}",
            bad.body
        );
        let bad = api
            .post(
                "/v1/persons/search/jobs",
                &owner.secret,
                &json!({"q": "cfo", "limit": "ten"}),
            )
            .await;
        assert_eq!(
            (bad.status.as_u16(), bad.field()),
            (400, "body.limit"),
            "{}",
            bad.body
        );
        // A key without the data scope.
        let other = add_key(&store, &owner.partner_id, Mode::Live, &[Scope::Customers]).await;
        api.post(
            "/v1/persons/search/jobs",
            &other.secret,
            &json!({"q": "cfo"}),
        )
        .await
        .expect_error(403, "insufficient_scope");
        assert_eq!(store.scalar("select count(*) from search_job").await, 0);
    }
);

contract!(jobs_are_scoped_to_their_partner_and_mode, |store, _db| {
    seed(&store, 500).await;
    let owner = partner(&store).await;
    let stranger = partner(&store).await;
    let sandbox = add_key(&store, &owner.partner_id, Mode::Test, &Scope::ALL).await;
    let (_server, api) = start(&store, |c| c.job_workers = 0).await;
    let job = api
        .post(
            "/v1/persons/search/jobs",
            &owner.secret,
            &json!({"q": "cfo"}),
        )
        .await
        .expect(202);
    let path = format!(
        "/v1/persons/search/jobs/{}",
        job["job_id"].as_str().unwrap()
    );
    for key in [&stranger.secret, &sandbox.secret] {
        api.get(&path, key).await.expect_error(404, "not_found");
        api.delete(&path, key).await.expect_error(404, "not_found");
        let list = api.get("/v1/persons/search/jobs", key).await.expect(200);
        assert_eq!(list["data"], json!([]));
    }
    api.get(&path, &owner.secret).await.expect(200);
    // Ids of the wrong shape are refused before any lookup; well-formed unknown ones are 404.
    for bad in [
        "nope",
        "job_",
        "job_abc",
        "job_0000000000000000000000000%21",
    ] {
        let answer = api
            .get(&format!("/v1/persons/search/jobs/{bad}"), &owner.secret)
            .await;
        assert_eq!(
            (answer.status.as_u16(), answer.field()),
            (400, "job_id"),
            "{bad}: {}",
            answer.body
        );
    }
    api.get(
        "/v1/persons/search/jobs/job_0000000000000aaaaaaaaaaaa",
        &owner.secret,
    )
    .await
    .expect_error(404, "not_found");
});

contract!(
    a_queued_job_can_be_cancelled_and_the_queue_is_bounded,
    |store, _db| {
        seed(&store, 500).await;
        let owner = partner(&store).await;
        let (web, api) = start(&store, |c| {
            c.job_workers = 0;
            c.max_queued_jobs = 3;
        })
        .await;
        let mut jobs = Vec::new();
        for _ in 0..3 {
            let job = api
                .post(
                    "/v1/persons/search/jobs",
                    &owner.secret,
                    &json!({"q": "cfo", "limit": 5}),
                )
                .await
                .expect(202);
            jobs.push(job["job_id"].as_str().unwrap().to_owned());
        }
        let full = api
            .post(
                "/v1/persons/search/jobs",
                &owner.secret,
                &json!({"q": "cfo"}),
            )
            .await;
        full.expect_error(429, "job_queue_full");
        assert!(full
            .header("retry-after")
            .is_some_and(|s| s.parse::<u32>().is_ok()));
        assert_eq!(store.scalar("select count(*) from search_job").await, 3);
        // Another partner's queue is its own.
        let stranger = partner(&store).await;
        api.post(
            "/v1/persons/search/jobs",
            &stranger.secret,
            &json!({"q": "cfo"}),
        )
        .await
        .expect(202);

        let cancelled = api
            .delete(
                &format!("/v1/persons/search/jobs/{}", jobs[0]),
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(cancelled["status"], "cancelled");
        api.delete(
            &format!("/v1/persons/search/jobs/{}", jobs[0]),
            &owner.secret,
        )
        .await
        .expect_error(409, "job_not_cancellable");
        // A freed place in the queue takes a new job.
        api.post(
            "/v1/persons/search/jobs",
            &owner.secret,
            &json!({"q": "cfo", "limit": 5}),
        )
        .await
        .expect(202);
        let queued = api
            .get(
                "/v1/persons/search/jobs?status=queued&limit=2",
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(queued["data"].as_array().unwrap().len(), 2);
        let cursor = queued["pagination"]["next_cursor"].as_str().unwrap();
        let rest = api
            .get(
                &format!(
                    "/v1/persons/search/jobs?status=queued&limit=2&cursor={}",
                    urlencode(cursor)
                ),
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(rest["data"].as_array().unwrap().len(), 1);
        assert_eq!(rest["pagination"]["next_cursor"], Value::Null);
        api.get("/v1/persons/search/jobs?status=done", &owner.secret)
            .await
            .expect_error(400, "invalid_parameter");

        // Runners end the queued jobs; the cancelled one stays cancelled and unbilled.
        let (_worker, _) = start(&store, |_| {}).await;
        for id in &jobs[1..] {
            assert_eq!(
                finished(&api, &owner.secret, id).await["status"],
                "succeeded"
            );
        }
        let still = api
            .get(
                &format!("/v1/persons/search/jobs/{}", jobs[0]),
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(still["status"], "cancelled");
        assert!(still.get("data").is_none());
        web.stop().await;
    }
);

contract!(results_expire_into_410, |store, _db| {
    seed(&store, 500).await;
    let owner = partner(&store).await;
    let (_server, api) = start(&store, |_| {}).await;
    let job = api
        .post(
            "/v1/persons/search/jobs",
            &owner.secret,
            &json!({"q": "cfo", "limit": 5}),
        )
        .await
        .expect(202);
    let id = job["job_id"].as_str().unwrap();
    let done = finished(&api, &owner.secret, id).await;
    assert_eq!(done["status"], "succeeded");
    // Kept for the retention period (7 days by default)…
    let expires = done["expires_at"].as_str().unwrap();
    let kept = quarry_server::http::parse_iso8601(expires).unwrap() - crate::support::now();
    assert!((604_790..=604_800).contains(&kept), "{kept}");
    // …then gone, as if a week had passed.
    store
        .execute(&format!(
            "update search_job set expires_at = {} where job_id = '{id}'",
            crate::support::now() - 1
        ))
        .await;
    api.get(&format!("/v1/persons/search/jobs/{id}"), &owner.secret)
        .await
        .expect_error(410, "job_expired");
    // The purge empties the result; the answer stays 410, not 404.
    quarry_server::purge::once(
        &store,
        quarry_server::purge::Retention {
            every: Duration::from_secs(1),
            delivered_bodies_secs: 1_000,
        },
        crate::support::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .scalar("select count(*) from search_job where result is not null")
            .await,
        0
    );
    api.get(&format!("/v1/persons/search/jobs/{id}"), &owner.secret)
        .await
        .expect_error(410, "job_expired");
});

contract!(dedupe_tokens_hold_across_jobs, |store, _db| {
    seed(&store, 1_000).await;
    let owner = partner(&store).await;
    let (_server, api) = start(&store, |_| {}).await;
    let body = json!({"q": "sales people", "limit": 30, "dedupe_token": "campaign-7"});
    let mut created = Vec::new();
    for _ in 0..4 {
        let job = api
            .post("/v1/persons/search/jobs", &owner.secret, &body)
            .await
            .expect(202);
        created.push(job["job_id"].as_str().unwrap().to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    let mut billed = 0;
    for id in &created {
        let job = finished(&api, &owner.secret, id).await;
        assert_eq!(job["status"], "succeeded");
        billed += job["billable_records"].as_i64().unwrap();
        for person in ids(&job) {
            assert!(
                seen.insert(person),
                "a record was delivered twice under one token"
            );
        }
    }
    assert_eq!(seen.len() as i64, billed);
    assert_eq!(data_records(&store, &owner.partner_id).await, billed);
});

// Two runners: one claims a job and stalls past its lease (its process died);
// the second claims it again and ends it. The first one's late end writes
// nothing, so the job ends once and bills once.
contract!(
    a_job_whose_runner_died_runs_again_and_ends_once,
    |store, _db| {
        use quarry_server::delivery::events::{job_event, JobOutcome};
        use quarry_server::store::JobEnd;
        seed(&store, 300).await;
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |c| c.job_workers = 0).await;
        let job = api
            .post(
                "/v1/persons/search/jobs",
                &owner.secret,
                &json!({"q": "cfo", "limit": 5}),
            )
            .await
            .expect(202);
        let id = job["job_id"].as_str().unwrap().to_owned();
        let t = crate::support::now();
        let first = store.claim_search_jobs(t, 10, 5).await.unwrap();
        assert_eq!(first.len(), 1);
        // Held: nobody else gets it while the lease runs.
        assert!(store
            .claim_search_jobs(t + 5, 10, 5)
            .await
            .unwrap()
            .is_empty());
        let second = store.claim_search_jobs(t + 11, 10, 5).await.unwrap();
        assert_eq!(second.len(), 1, "a lapsed lease is claimed again");
        assert_eq!(second[0].job.attempts, 2);
        let event = job_event(
            &JobOutcome {
                job_id: &id,
                succeeded: true,
                returned_records: 1,
                billable_records: 1,
                total_records: 1,
                has_more: false,
                error_code: None,
            },
            t,
        );
        let end = JobEnd::Succeeded {
            result: r#"{"pagination":{"limit":5,"total_records":1,"total_pages":1,"next_cursor":null},"data":[],"billable_records":1,"timings_ms":{"search":0,"total":0}}"#,
            ids: &[1],
            billable_records: 1,
        };
        let late = store.begin_job_completion(&first[0], None).await.unwrap();
        assert!(
            !late.finish(&end, &event, 100, t + 12).await.unwrap(),
            "the stale claim writes nothing"
        );
        let live = store.begin_job_completion(&second[0], None).await.unwrap();
        assert!(live.finish(&end, &event, 100, t + 12).await.unwrap());
        let again = store.begin_job_completion(&second[0], None).await.unwrap();
        assert!(
            !again.finish(&end, &event, 100, t + 13).await.unwrap(),
            "an ended job ends once"
        );
        assert_eq!(data_records(&store, &owner.partner_id).await, 1);
        let done = api
            .get(&format!("/v1/persons/search/jobs/{id}"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(done["status"], "succeeded");
    }
);

contract!(
    a_retried_creation_with_its_idempotency_key_queues_one_job,
    |store, _db| {
        seed(&store, 300).await;
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |c| c.job_workers = 0).await;
        let body = json!({"q": "cfo", "limit": 5});
        let send = || {
            api.send(
                reqwest::Method::POST,
                "/v1/persons/search/jobs",
                Some(&owner.secret),
                Some(&body),
                &[("idempotency-key", "nightly-run-42")],
            )
        };
        let first = send().await;
        let again = send().await;
        assert_eq!(first.status.as_u16(), 202, "{}", first.body);
        assert_eq!(again.status.as_u16(), 202);
        assert_eq!(again.header("x-idempotent-replay"), Some("true"));
        assert_eq!(again.body["job_id"], first.body["job_id"]);
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(store.scalar("select count(*) from search_job").await, 1);
    }
);
