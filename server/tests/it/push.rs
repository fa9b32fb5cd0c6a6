//! Pushing bought records to a partner's endpoint: signed chunks of at most 1,000
//! records with the reference body and headers; a receiver that is down gets the
//! delivery after a server restart with the same `webhook-id`; 410 stops, 503 with
//! retry-after is honoured; the log and replay; addresses refused outside dev mode.

use std::time::Duration;

use quarry_server::seed;
use quarry_server::Store;
use serde_json::json;

use crate::api::Api;
use crate::contract;
use crate::receiver::{verify, Receiver};
use crate::support::{partner, TestPartner, TestServer};

const ORIGIN: &str = "https://app.partner.example";

async fn seeded(store: &Store, people: u64) {
    seed::seed_demo(
        store,
        &seed::SeedOptions {
            people,
            seed: 8,
            progress: false,
        },
    )
    .await
    .unwrap();
}

struct Customer {
    token: String,
    customer: String,
    webhook_secret: String,
    key_id: String,
}

async fn customer(api: &Api, p: &TestPartner, url: &str, credits: i64) -> Customer {
    let key = api
        .embed_key(&p.secret, json!({"allowed_origins": [ORIGIN], "result_delivery_url": url,
                                     "result_delivery_cta": "Add to CRM", "credit_enforcement_mode": "enforced"}))
        .await;
    let session = api
        .session(
            Some(ORIGIN),
            &json!({"partner_key": key["public_key"], "customer_id": "acme", "user_id": "u-7"}),
        )
        .await
        .expect(201);
    let customer = session["partner_customer_id"].as_str().unwrap().to_owned();
    api.post(
        &format!("/v1/partner-customers/{customer}/wallet/credits"),
        &p.secret,
        &json!({"credit_units": credits}),
    )
    .await
    .expect(201);
    Customer {
        token: session["token"].as_str().unwrap().to_owned(),
        customer,
        webhook_secret: key["webhook_signing_secret"].as_str().unwrap().to_owned(),
        key_id: key["embed_key"]["id"].as_str().unwrap().to_owned(),
    }
}

async fn search(api: &Api, token: &str, q: &str) -> (String, Vec<String>) {
    let page = api
        .post(
            "/v1/prospecting/sessions",
            token,
            &json!({"q": q, "limit": 100}),
        )
        .await
        .expect(201);
    let ids = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["prospect_id"].as_str().unwrap().to_owned())
        .collect();
    (page["search_id"].as_str().unwrap().to_owned(), ids)
}

fn push_path(search_id: &str) -> String {
    format!("/v1/prospecting/sessions/{search_id}/push")
}

contract!(pushes_deliver_signed_records_in_chunks, |store, _db| {
    seeded(&store, 12_000).await;
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let (server, api, p) = crate::support::serve(&store).await;
    let c = customer(&api, &p, &receiver.url(), 5_000).await;
    let (search_id, ids) = search(&api, &c.token, "sales people").await;

    let answer = api
        .post(
            &push_path(&search_id),
            &c.token,
            &json!({"selection_mode": "selected", "prospect_ids": ids[..3]}),
        )
        .await;
    assert_eq!(answer.header("x-credits-remaining"), Some("4997"));
    let result = answer.expect(200);
    assert_eq!(
        (
            result["delivered"].as_bool(),
            result["delivery_status"].as_u64()
        ),
        (Some(true), Some(200))
    );
    assert_eq!(
        (
            result["pushed_records"].as_u64(),
            result["net_new_billable_records"].as_u64(),
            result["already_purchased_records"].as_u64()
        ),
        (Some(3), Some(3), Some(0))
    );
    // The answer names the selection as the request did.
    assert_eq!(
        result["selection"],
        json!({"selection_mode": "selected", "prospect_ids": ids[..3], "total_records": 3})
    );
    let delivery_id = result["delivery_id"].as_str().unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let message = &got[0];
    assert!(
        verify(&c.webhook_secret, message),
        "the signature does not verify"
    );
    assert!(!verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", message));
    let h = |name: &str| {
        message
            .headers
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(h("content-type"), "application/json");
    assert!(h("user-agent").starts_with("quarry-prospecting/"));
    assert_eq!(h("quarry-event-type"), "prospecting.records.pushed");
    assert_eq!(h("quarry-search-id"), search_id);
    assert_eq!(h("webhook-id"), format!("{delivery_id}.1"));
    let body = &message.body;
    assert_eq!(body["event"], "prospecting.records.pushed");
    assert_eq!(body["search_id"], search_id.as_str());
    assert_eq!(body["partner_customer_id"], c.customer.as_str());
    assert_eq!(body["partner_user_id"], "u-7");
    assert_eq!(
        (body["chunk"].as_u64(), body["chunks"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(body["selection"]["mode"], "selected");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let first: u32 = ids[0][3..].parse().unwrap();
    let person = &store.people_by_ids(&[first]).await.unwrap()[0].person;
    assert_eq!(data[0]["prospect_id"], ids[0].as_str());
    assert_eq!(data[0]["last_name"], person.last_name.as_str());
    assert_eq!(
        data[0]["business_email"].as_str(),
        person.business_email.as_deref()
    );
    assert_eq!(data[0]["reveal_state"], "purchased");
    assert!(data[0]["company"]["domain"].is_string());

    // A big selection goes in chunks of at most 1,000 sharing the delivery id.
    let (big, _) = search(&api, &c.token, "all employees in California").await;
    let quote = api
        .post(
            &format!("/v1/prospecting/sessions/{big}/quote"),
            &c.token,
            &json!({"selection_mode": "all_results"}),
        )
        .await
        .expect(200);
    let total = quote["records"].as_u64().unwrap();
    assert!(
        total > 1_000,
        "the seed should give more than 1,000 Californians: {total}"
    );
    let result = api
        .post(
            &push_path(&big),
            &c.token,
            &json!({"selection_mode": "all_results"}),
        )
        .await
        .expect(200);
    assert_eq!(result["delivered"], true);
    let id = result["delivery_id"].as_str().unwrap();
    let chunks: Vec<_> = receiver
        .received()
        .into_iter()
        .filter(|m| m.body["delivery_id"] == id)
        .collect();
    let expected = total.div_ceil(1_000);
    assert_eq!(chunks.len() as u64, expected);
    let mut sum = 0;
    for (i, m) in chunks.iter().enumerate() {
        assert!(verify(&c.webhook_secret, m));
        assert_eq!(m.body["chunk"].as_u64(), Some(i as u64 + 1));
        assert_eq!(m.body["chunks"].as_u64(), Some(expected));
        assert_eq!(
            m.headers["webhook-id"].to_str().unwrap(),
            format!("{id}.{}", i + 1)
        );
        let n = m.body["data"].as_array().unwrap().len() as u64;
        assert!(n <= 1_000);
        sum += n;
    }
    assert_eq!(sum, total);
    server.stop().await;
});

contract!(
    a_receiver_that_is_down_gets_the_push_after_a_restart,
    |store, _db| {
        seeded(&store, 2_000).await;
        // Reserve a port, then leave it closed: the receiver is down.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let url = format!("http://{addr}/hook");
        let (server, api, p) = crate::support::serve(&store).await;
        let c = customer(&api, &p, &url, 100).await;
        let (search_id, ids) = search(&api, &c.token, "sales people").await;
        let result = api
            .post(
                &push_path(&search_id),
                &c.token,
                &json!({"selection_mode": "page", "prospect_ids": ids[..2]}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                result["delivered"].as_bool(),
                result["delivery_status"].as_u64()
            ),
            (Some(false), None)
        );
        assert_eq!(
            result["net_new_billable_records"], 2,
            "the purchase stands while delivery is retried"
        );
        let delivery_id = result["delivery_id"].as_str().unwrap().to_owned();
        server.stop().await;

        // Restart; the receiver comes up; the worker delivers with the same webhook-id.
        let server = TestServer::start_with(
            store.store.clone(),
            std::env::temp_dir().join("quarry-no-widget"),
            |cfg| {
                cfg.delivery_retry_schedule = vec![1, 1, 1];
            },
        )
        .await;
        let receiver = Receiver::start(addr).await;
        let got = receiver.wait_for(1, 20).await;
        assert_eq!(
            got.len(),
            1,
            "the delivery did not arrive after the restart"
        );
        assert_eq!(
            got[0].headers["webhook-id"].to_str().unwrap(),
            format!("{delivery_id}.1")
        );
        assert!(verify(&c.webhook_secret, &got[0]));
        let api = Api::new(&server);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let log = api
            .get(
                &format!("/v1/deliveries?partner_customer_id={}", c.customer),
                &p.secret,
            )
            .await
            .expect(200);
        let d = &log["data"][0];
        assert_eq!(
            (d["id"].as_str(), d["status"].as_str()),
            (Some(delivery_id.as_str()), Some("delivered"))
        );
        let attempts = d["attempt_log"].as_array().unwrap();
        assert_eq!(attempts.len(), 2);
        assert!(
            attempts[0]["error"].as_str().unwrap().contains("connect"),
            "{}",
            attempts[0]
        );
        assert_eq!(attempts[1]["status_code"], 200);
        server.stop().await;
    }
);

contract!(
    gone_stops_retry_after_is_honoured_and_replays_keep_the_id,
    |store, _db| {
        seeded(&store, 2_000).await;
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let (server, api, p) = crate::support::serve(&store).await;
        let c = customer(&api, &p, &receiver.url(), 100).await;
        let (search_id, ids) = search(&api, &c.token, "sales people").await;

        receiver.answer(503, Some("120"));
        let before = crate::support::now();
        let pending = api
            .post(
                &push_path(&search_id),
                &c.token,
                &json!({"selection_mode": "selected", "prospect_ids": [ids[0]]}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                pending["delivered"].as_bool(),
                pending["delivery_status"].as_u64()
            ),
            (Some(false), Some(503))
        );
        let log = api
            .get("/v1/deliveries?status=pending", &p.secret)
            .await
            .expect(200);
        let next = time::OffsetDateTime::parse(
            log["data"][0]["next_attempt_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
        .unix_timestamp();
        assert!(
            next >= before + 120,
            "retry-after 120 was not honoured: {next} vs {before}"
        );

        // Replay now: same webhook-id, delivered once the receiver accepts.
        receiver.answer(200, None);
        let id = pending["delivery_id"].as_str().unwrap();
        let replayed = api
            .post(&format!("/v1/deliveries/{id}/retry"), &p.secret, &json!({}))
            .await
            .expect(200);
        assert_eq!(replayed["status"], "delivered");
        let got = receiver.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);

        receiver.answer(410, None);
        let gone = api
            .post(
                &push_path(&search_id),
                &c.token,
                &json!({"selection_mode": "selected", "prospect_ids": [ids[1]]}),
            )
            .await
            .expect(200);
        let log = api
            .get("/v1/deliveries?status=gone", &p.secret)
            .await
            .expect(200);
        assert_eq!(log["data"][0]["id"], gone["delivery_id"]);
        assert_eq!(log["data"][0]["next_attempt_at"], json!(null));
        // Another partner cannot see or replay these.
        let other = partner(&store).await;
        assert_eq!(
            api.get("/v1/deliveries", &other.secret).await.expect(200)["data"],
            json!([])
        );
        api.post(
            &format!("/v1/deliveries/{id}/retry"),
            &other.secret,
            &json!({}),
        )
        .await
        .expect_error(404, "not_found");
        server.stop().await;
    }
);

contract!(
    private_delivery_addresses_are_refused_outside_dev_mode,
    |store, _db| {
        let server = TestServer::start_with(
            store.store.clone(),
            std::env::temp_dir().join("quarry-no-widget"),
            |cfg| cfg.dev = false,
        )
        .await;
        let api = Api::new(&server);
        let p = partner(&store).await;
        for url in [
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://169.254.169.254/latest",
            "https://[::1]/x",
            "http://hooks.partner.example/x",
        ] {
            let answer = api
                .post(
                    "/v1/prospecting/embed-keys",
                    &p.secret,
                    &json!({"allowed_origins": [ORIGIN], "result_delivery_url": url}),
                )
                .await;
            answer.expect_error(400, "invalid_body");
            assert_eq!(answer.field(), "body.result_delivery_url", "{url}");
            let answer = api
                .post(
                    "/v1/partner-customers",
                    &p.secret,
                    &json!({"customer_id": "c", "result_delivery_url": url}),
                )
                .await;
            assert_eq!(answer.field(), "body.result_delivery_url", "{url}");
        }
        server.stop().await;
    }
);

contract!(
    redirects_fail_and_exhausted_retries_end_failed,
    |store, _db| {
        seeded(&store, 2_000).await;
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let server = TestServer::start_with(
            store.store.clone(),
            std::env::temp_dir().join("quarry-no-widget"),
            |cfg| {
                cfg.delivery_retry_schedule = vec![1];
            },
        )
        .await;
        let api = Api::new(&server);
        let p = partner(&store).await;
        let c = customer(&api, &p, &receiver.url(), 100).await;
        let (search_id, ids) = search(&api, &c.token, "sales people").await;
        receiver.answer(302, None);
        let result = api
            .post(
                &push_path(&search_id),
                &c.token,
                &json!({"selection_mode": "selected", "prospect_ids": [ids[0]]}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                result["delivered"].as_bool(),
                result["delivery_status"].as_u64()
            ),
            (Some(false), Some(302))
        );
        let mut failed = None;
        for _ in 0..50 {
            let log = api
                .get("/v1/deliveries?status=failed", &p.secret)
                .await
                .expect(200);
            if let Some(d) = log["data"].as_array().unwrap().first() {
                failed = Some(d.clone());
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let d = failed.expect("the delivery never ended failed");
        assert_eq!(d["attempts"], 2);
        assert!(
            d["last_error"].as_str().unwrap().contains("redirect"),
            "{d}"
        );
        assert_eq!(receiver.received().len(), 2);
        server.stop().await;
    }
);

contract!(
    a_rotated_webhook_secret_signs_beside_the_old_one,
    |store, _db| {
        seeded(&store, 2_000).await;
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let (server, api, p) = crate::support::serve(&store).await;
        let c = customer(&api, &p, &receiver.url(), 100).await;
        let rotated = api
            .post(
                &format!(
                    "/v1/prospecting/embed-keys/{}/webhook-secret/rotate",
                    c.key_id
                ),
                &p.secret,
                &json!({}),
            )
            .await
            .expect(200);
        let new_secret = rotated["webhook_signing_secret"].as_str().unwrap();
        assert_ne!(new_secret, c.webhook_secret);
        let (search_id, ids) = search(&api, &c.token, "sales people").await;
        api.post(
            &push_path(&search_id),
            &c.token,
            &json!({"selection_mode": "selected", "prospect_ids": [ids[0]]}),
        )
        .await
        .expect(200);
        let got = receiver.received();
        assert_eq!(
            got[0].headers["webhook-signature"]
                .to_str()
                .unwrap()
                .split(' ')
                .count(),
            2
        );
        assert!(verify(new_secret, &got[0]) && verify(&c.webhook_secret, &got[0]));
        // Another partner cannot rotate it.
        let other = partner(&store).await;
        api.post(
            &format!(
                "/v1/prospecting/embed-keys/{}/webhook-secret/rotate",
                c.key_id
            ),
            &other.secret,
            &json!({}),
        )
        .await
        .expect_error(404, "not_found");
        server.stop().await;
    }
);
