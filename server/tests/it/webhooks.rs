//! Webhook endpoints and the events they receive, checked with the Standard
//! Webhooks reference verifier (the `standardwebhooks` crate), not our code:
//! endpoint management and its bad input, job events signed and thin, events
//! only for subscribers, secret rotation with its overlap, `delivery.failed`
//! for a push that ran out of retries, and an endpoint that keeps failing
//! disabled and resumed.

use std::time::Duration;

use serde_json::{json, Value};

use crate::api::Api;
use crate::contract;
use crate::jobs::{finished, seed, start};
use crate::receiver::{Received, Receiver};
use crate::support::{partner, EmbedSetup, TestPartner};

/// Whether the reference verifier accepts `message` under `secret`.
pub fn verifies(secret: &str, message: &Received) -> bool {
    standardwebhooks::Webhook::new(secret)
        .expect("a whsec_ secret")
        .verify(&message.raw, &message.headers)
        .is_ok()
}

async fn endpoint(api: &Api, key: &str, url: &str, events: Value) -> Value {
    let mut body = json!({"url": url, "description": "CRM sync"});
    if !events.is_null() {
        body["events"] = events;
    }
    api.post("/v1/webhooks/endpoints", key, &body)
        .await
        .expect(201)
}

async fn job(api: &Api, owner: &TestPartner, body: Value) -> String {
    let created = api
        .post("/v1/persons/search/jobs", &owner.secret, &body)
        .await
        .expect(202);
    created["job_id"].as_str().unwrap().to_owned()
}

contract!(
    endpoints_are_managed_and_bad_input_is_refused,
    |store, _db| {
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |c| c.max_webhook_endpoints = 3).await;
        let created = endpoint(
            &api,
            &owner.secret,
            "https://hooks.partner.example/quarry",
            Value::Null,
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(created["signing_secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_"));
        assert_eq!(created["events"], json!(["*"]));
        assert_eq!(created["status"], "active");
        assert_eq!(created["description"], "CRM sync");
        // The secret is shown once.
        let got = api
            .get(&format!("/v1/webhooks/endpoints/{id}"), &owner.secret)
            .await
            .expect(200);
        assert!(got.get("signing_secret").is_none(), "{got}");
        assert_eq!(got["url"], "https://hooks.partner.example/quarry");

        let bad = [
            (
                json!({"url": "https://h.example/x", "events": ["job.done"]}),
                "body.events",
            ),
            (
                json!({"url": "https://h.example/x", "events": []}),
                "body.events",
            ),
            (json!({"url": "ftp://h.example/x"}), "body.url"),
            (json!({"url": "not a url"}), "body.url"),
            (
                json!({"url": "https://h.example/x", "description": "d".repeat(501)}),
                "body.description",
            ),
            (json!({"url": "https://h.example/x", "colour": "red"}), ""),
            (json!({"description": "no url"}), ""),
        ];
        for (body, field) in bad {
            let answer = api
                .post("/v1/webhooks/endpoints", &owner.secret, &body)
                .await;
            assert_eq!(answer.status.as_u16(), 400, "{body}: {}", answer.body);
            if !field.is_empty() {
                assert_eq!(answer.field(), field, "{body}: {}", answer.body);
            }
        }
        assert_eq!(
            store.scalar("select count(*) from webhook_endpoint").await,
            1
        );

        let only = endpoint(
            &api,
            &owner.secret,
            "https://hooks.partner.example/b",
            json!(["person_search.job.failed", "delivery.failed"]),
        )
        .await;
        assert_eq!(
            only["events"],
            json!(["person_search.job.failed", "delivery.failed"])
        );
        endpoint(
            &api,
            &owner.secret,
            "https://hooks.partner.example/c",
            json!(["*"]),
        )
        .await;
        api.post(
            "/v1/webhooks/endpoints",
            &owner.secret,
            &json!({"url": "https://hooks.partner.example/d"}),
        )
        .await
        .expect_error(422, "webhook_endpoint_limit");
        assert_eq!(
            store.scalar("select count(*) from webhook_endpoint").await,
            3
        );

        let page = api
            .get("/v1/webhooks/endpoints?limit=2", &owner.secret)
            .await
            .expect(200);
        assert_eq!(page["data"].as_array().unwrap().len(), 2);
        assert_eq!(page["data"][0]["id"], id.as_str());
        let cursor = page["pagination"]["next_cursor"].as_str().unwrap();
        let rest = api
            .get(
                &format!(
                    "/v1/webhooks/endpoints?limit=2&cursor={}",
                    crate::support::urlencode(cursor)
                ),
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(rest["data"].as_array().unwrap().len(), 1);

        let patched = api
        .patch(
            &format!("/v1/webhooks/endpoints/{id}"),
            &owner.secret,
            &json!({"events": ["person_search.job.succeeded"], "description": null, "disabled": true}),
        )
        .await
        .expect(200);
        assert_eq!(patched["events"], json!(["person_search.job.succeeded"]));
        assert_eq!(patched["description"], Value::Null);
        assert_eq!(
            (
                patched["status"].as_str(),
                patched["disabled_reason"].as_str()
            ),
            (Some("disabled"), Some("manual"))
        );
        // A bad change changes nothing.
        for body in [
            json!({"url": "ftp://h.example/x", "description": "new"}),
            json!({"events": ["nope"], "description": "new"}),
            json!({"events": []}),
        ] {
            let answer = api
                .patch(
                    &format!("/v1/webhooks/endpoints/{id}"),
                    &owner.secret,
                    &body,
                )
                .await;
            assert_eq!(answer.status.as_u16(), 400, "{body}: {}", answer.body);
        }
        let unchanged = api
            .get(&format!("/v1/webhooks/endpoints/{id}"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(unchanged["description"], Value::Null);
        assert_eq!(unchanged["events"], json!(["person_search.job.succeeded"]));
        for path in [
            "/v1/webhooks/endpoints?limit=0",
            "/v1/webhooks/endpoints?limit=101",
            "/v1/persons/search/jobs?limit=0",
            "/v1/deliveries?limit=500",
        ] {
            let answer = api.get(path, &owner.secret).await;
            assert_eq!(
                (answer.status.as_u16(), answer.field()),
                (400, "limit"),
                "{path}: {}",
                answer.body
            );
        }
        let resumed = api
            .patch(
                &format!("/v1/webhooks/endpoints/{id}"),
                &owner.secret,
                &json!({"disabled": false}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                resumed["status"].as_str(),
                resumed["disabled_reason"].as_str()
            ),
            (Some("active"), None)
        );

        // Another partner sees none of it.
        let stranger = partner(&store).await;
        api.get(&format!("/v1/webhooks/endpoints/{id}"), &stranger.secret)
            .await
            .expect_error(404, "not_found");
        api.delete(&format!("/v1/webhooks/endpoints/{id}"), &stranger.secret)
            .await
            .expect_error(404, "not_found");
        let deleted = api
            .delete(&format!("/v1/webhooks/endpoints/{id}"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(deleted["deleted"], true);
        api.get(&format!("/v1/webhooks/endpoints/{id}"), &owner.secret)
            .await
            .expect_error(404, "not_found");
    }
);

contract!(urls_outside_dev_mode_must_be_public_https, |store, _db| {
    let owner = partner(&store).await;
    let (_server, api) = start(&store, |c| c.dev = false).await;
    for url in [
        "http://hooks.partner.example/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest",
        "https://localhost/x",
        "https://[::1]/x",
    ] {
        let answer = api
            .post(
                "/v1/webhooks/endpoints",
                &owner.secret,
                &json!({"url": url}),
            )
            .await;
        assert_eq!(
            (answer.status.as_u16(), answer.field()),
            (400, "body.url"),
            "{url}: {}",
            answer.body
        );
    }
    assert_eq!(
        store.scalar("select count(*) from webhook_endpoint").await,
        0
    );
});

contract!(
    job_events_are_signed_thin_and_only_for_subscribers,
    |store, _db| {
        seed(&store, 1_000).await;
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |_| {}).await;
        let all = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let failures = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let everything = endpoint(&api, &owner.secret, &all.url(), json!(["*"])).await;
        endpoint(
            &api,
            &owner.secret,
            &failures.url(),
            json!(["person_search.job.failed"]),
        )
        .await;
        let id = job(&api, &owner, json!({"q": "sales people", "limit": 100})).await;
        let done = finished(&api, &owner.secret, &id).await;
        assert_eq!(done["status"], "succeeded");
        let got = all.wait_for(1, 10).await;
        assert_eq!(got.len(), 1);
        let message = &got[0];
        assert!(verifies(
            everything["signing_secret"].as_str().unwrap(),
            message
        ));
        assert!(!verifies(
            &quarry_server::delivery::signing::new_secret(),
            message
        ));
        assert_eq!(
            message.headers["quarry-event-type"],
            "person_search.job.succeeded"
        );
        assert!(
            message.raw.len() < 20 * 1024,
            "thin: {} bytes",
            message.raw.len()
        );
        assert_eq!(message.body["type"], "person_search.job.succeeded");
        assert!(message.body["timestamp"].as_str().unwrap().ends_with('Z'));
        assert_eq!(message.body["data"]["job_id"], id.as_str());
        assert_eq!(
            message.body["data"]["billable_records"],
            done["billable_records"]
        );
        assert_eq!(
            message.body["data"]["returned_records"].as_u64(),
            Some(done["data"].as_array().unwrap().len() as u64)
        );
        assert_eq!(
            message.body["data"]["links"]["job"],
            format!("/v1/persons/search/jobs/{id}")
        );
        assert!(
            message.body["data"].get("data").is_none(),
            "no records in an event"
        );
        assert_eq!(
            store
                .scalar(&format!(
                    "select count(*) from delivery where url = '{}'",
                    failures.url()
                ))
                .await,
            0,
            "nothing queued for an endpoint not subscribed to succeeded jobs"
        );
        assert!(failures.received().is_empty());

        // The log shows the event, filtered by endpoint and event, and replays it
        // with the same webhook-id.
        let endpoint_id = everything["id"].as_str().unwrap();
        let log = api
            .get(
                &format!("/v1/deliveries?endpoint_id={endpoint_id}"),
                &owner.secret,
            )
            .await
            .expect(200);
        let entries = log["data"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{log}");
        assert_eq!(entries[0]["event_type"], "person_search.job.succeeded");
        assert_eq!(entries[0]["status"], "delivered");
        assert_eq!(entries[0]["purchase_id"], Value::Null);
        let by_event = api
            .get(
                "/v1/deliveries?event_type=person_search.job.failed",
                &owner.secret,
            )
            .await
            .expect(200);
        assert_eq!(by_event["data"], json!([]));
        api.get("/v1/deliveries?event_type=job.done", &owner.secret)
            .await
            .expect_error(400, "invalid_parameter");
        let delivery = entries[0]["id"].as_str().unwrap();
        let replayed = api
            .post(
                &format!("/v1/deliveries/{delivery}/retry"),
                &owner.secret,
                &json!({"force": true}),
            )
            .await
            .expect(200);
        assert_eq!(replayed["retried"], true, "{replayed}");
        let got = all.wait_for(2, 10).await;
        assert_eq!(got[1].headers["webhook-id"], got[0].headers["webhook-id"]);
        let one = api
            .get(&format!("/v1/deliveries/{delivery}"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(one["attempt_log"].as_array().unwrap().len(), 2);
    }
);

contract!(
    a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends,
    |store, _db| {
        seed(&store, 500).await;
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |_| {}).await;
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let created = endpoint(&api, &owner.secret, &receiver.url(), Value::Null).await;
        let old = created["signing_secret"].as_str().unwrap().to_owned();
        let id = created["id"].as_str().unwrap().to_owned();
        let rotated = api
            .post(
                &format!("/v1/webhooks/endpoints/{id}/secret/rotate"),
                &owner.secret,
                &json!({}),
            )
            .await
            .expect(200);
        let new = rotated["signing_secret"].as_str().unwrap().to_owned();
        assert_ne!(new, old);
        assert!(rotated["endpoint"]["previous_secret_valid_until"].is_string());
        finished(
            &api,
            &owner.secret,
            &job(&api, &owner, json!({"q": "cfo", "limit": 3})).await,
        )
        .await;
        let got = receiver.wait_for(1, 10).await;
        assert!(
            verifies(&old, &got[0]) && verifies(&new, &got[0]),
            "both during the overlap"
        );
        assert_eq!(
            got[0].headers["webhook-signature"]
                .to_str()
                .unwrap()
                .split(' ')
                .count(),
            2
        );
        // The overlap ends (a day later): only the new secret signs.
        store
            .execute(&format!(
                "update webhook_endpoint set previous_secret_until = {} where endpoint_id = '{id}'",
                crate::support::now() - 1
            ))
            .await;
        finished(
            &api,
            &owner.secret,
            &job(&api, &owner, json!({"q": "cfo", "limit": 3})).await,
        )
        .await;
        let got = receiver.wait_for(2, 10).await;
        assert!(verifies(&new, &got[1]));
        assert!(!verifies(&old, &got[1]), "the old secret no longer signs");
    }
);

contract!(
    a_push_out_of_retries_is_announced_as_delivery_failed,
    |store, _db| {
        let partner_end = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        partner_end.answer(500, None);
        let hooks = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let s = EmbedSetup::start(
            &store,
            500,
            json!({"result_delivery_url": partner_end.url()}),
            |c| c.delivery_retry_schedule = vec![1],
        )
        .await;
        let created = endpoint(
            &s.api,
            &s.partner.secret,
            &hooks.url(),
            json!(["delivery.failed"]),
        )
        .await;
        s.grant(100).await;
        let (search_id, page) = s.search("sales people", 3).await;
        let pushed = s
        .api
        .post(
            &format!("/v1/prospecting/sessions/{search_id}/push"),
            &s.token,
            &json!({"selection_mode": "selected", "prospect_ids": [page["data"][0]["prospect_id"]]}),
        )
        .await
        .expect(200);
        let delivery_id = pushed["delivery_id"].as_str().unwrap().to_owned();
        let got = hooks.wait_for(1, 20).await;
        assert_eq!(got.len(), 1, "one delivery.failed");
        assert!(verifies(
            created["signing_secret"].as_str().unwrap(),
            &got[0]
        ));
        assert_eq!(got[0].body["type"], "delivery.failed");
        assert_eq!(got[0].body["data"]["delivery_id"], delivery_id.as_str());
        assert_eq!(
            got[0].body["data"]["partner_customer_id"],
            s.customer.as_str()
        );
        assert_eq!(got[0].body["data"]["last_status"], 500);
        assert!(got[0].body["data"].get("url").is_none());
        let push = s
            .api
            .get(&format!("/v1/deliveries/{delivery_id}"), &s.partner.secret)
            .await
            .expect(200);
        assert_eq!(push["status"], "failed");
        assert_eq!(push["event_type"], "prospecting.records.pushed");
    }
);

contract!(
    an_endpoint_failing_too_long_is_disabled_and_resumes_when_enabled,
    |store, _db| {
        seed(&store, 500).await;
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |c| {
            c.webhook_disable_after_secs = 1;
            c.delivery_retry_schedule = vec![2, 2, 2, 2];
        })
        .await;
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        receiver.answer(503, None);
        let created = endpoint(&api, &owner.secret, &receiver.url(), Value::Null).await;
        let id = created["id"].as_str().unwrap().to_owned();
        finished(
            &api,
            &owner.secret,
            &job(&api, &owner, json!({"q": "cfo", "limit": 3})).await,
        )
        .await;
        // The first attempt fails; the retry two seconds later fails more than a
        // second after the first failure: disabled.
        let started = std::time::Instant::now();
        let disabled = loop {
            let e = api
                .get(&format!("/v1/webhooks/endpoints/{id}"), &owner.secret)
                .await
                .expect(200);
            if e["status"] == "disabled" {
                break e;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "never disabled: {e}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(disabled["disabled_reason"], "failing");
        assert!(disabled["failing_since"].is_string());
        // Another change leaves it disabled, for the reason it was.
        let described = api
            .patch(
                &format!("/v1/webhooks/endpoints/{id}"),
                &owner.secret,
                &json!({"description": "renamed"}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                described["status"].as_str(),
                described["disabled_reason"].as_str()
            ),
            (Some("disabled"), Some("failing"))
        );
        // A replay to a disabled endpoint is refused, not counted as a failure.
        let pending = api
            .get(&format!("/v1/deliveries?endpoint_id={id}"), &owner.secret)
            .await
            .expect(200);
        let delivery = pending["data"][0]["id"].as_str().unwrap().to_owned();
        api.post(
            &format!("/v1/deliveries/{delivery}/retry"),
            &owner.secret,
            &json!({}),
        )
        .await
        .expect_error(409, "webhook_endpoint_disabled");
        let attempts = receiver.received().len();
        assert!(attempts >= 2, "{attempts}");
        // Disabled: new events are not queued for it, pending ones wait.
        finished(
            &api,
            &owner.secret,
            &job(&api, &owner, json!({"q": "ceo", "limit": 3})).await,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        assert_eq!(
            receiver.received().len(),
            attempts,
            "nothing sent while disabled"
        );
        // Moved to a receiver that answers, and enabled again: the pending event
        // goes to the new URL at once, under its webhook-id.
        let moved = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        api.patch(
            &format!("/v1/webhooks/endpoints/{id}"),
            &owner.secret,
            &json!({"url": moved.url()}),
        )
        .await
        .expect(200);
        api.patch(
            &format!("/v1/webhooks/endpoints/{id}"),
            &owner.secret,
            &json!({"disabled": false}),
        )
        .await
        .expect(200);
        let got = moved.wait_for(1, 10).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body["type"], "person_search.job.succeeded");
        assert_eq!(
            got[0].headers["webhook-id"],
            receiver.received()[0].headers["webhook-id"]
        );
        assert_eq!(receiver.received().len(), attempts);
        let log = api
            .get(&format!("/v1/deliveries/{delivery}"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(log["status"], "delivered");
        assert_eq!(log["url"], moved.url());
        let e = api
            .get(&format!("/v1/webhooks/endpoints/{id}"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(
            (e["status"].as_str(), e["failing_since"].as_str()),
            (Some("active"), None)
        );
    }
);

contract!(
    deleting_an_endpoint_ends_its_pending_deliveries,
    |store, _db| {
        seed(&store, 300).await;
        let owner = partner(&store).await;
        let (_server, api) = start(&store, |c| c.delivery_retry_schedule = vec![3_600]).await;
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        receiver.answer(500, None);
        let created = endpoint(&api, &owner.secret, &receiver.url(), Value::Null).await;
        let id = created["id"].as_str().unwrap().to_owned();
        finished(
            &api,
            &owner.secret,
            &job(&api, &owner, json!({"q": "cfo", "limit": 3})).await,
        )
        .await;
        receiver.wait_for(1, 10).await;
        let started = std::time::Instant::now();
        let delivery = loop {
            let log = api
                .get(&format!("/v1/deliveries?endpoint_id={id}"), &owner.secret)
                .await
                .expect(200);
            if log["data"][0]["attempts"] == 1 {
                break log["data"][0].clone();
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{log}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(delivery["status"], "pending");
        let delivery_id = delivery["id"].as_str().unwrap().to_owned();
        api.delete(&format!("/v1/webhooks/endpoints/{id}"), &owner.secret)
            .await
            .expect(200);
        let ended = api
            .get(&format!("/v1/deliveries/{delivery_id}"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(ended["status"], "failed");
        assert_eq!(ended["next_attempt_at"], Value::Null);
        assert_eq!(
            ended["endpoint_id"],
            id.as_str(),
            "the log keeps the endpoint's id"
        );
        api.post(
            &format!("/v1/deliveries/{delivery_id}/retry"),
            &owner.secret,
            &json!({"force": true}),
        )
        .await
        .expect_error(409, "webhook_endpoint_disabled");
    }
);
