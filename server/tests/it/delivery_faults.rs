//! A push on a bad day: a partner slower than the request timeout gets one
//! delivery however often the client retries; concurrent replays never send a
//! chunk twice in one attempt; a 410 marks the URL gone until the partner changes
//! it; a `Retry-After` date is honoured; replaying a delivered delivery says so,
//! or re-sends with `force` under the same `webhook-id`s.

use std::time::{Duration, Instant};

use quarry_server::Store;
use reqwest::Method;
use serde_json::{json, Value};

use crate::api::Api;
use crate::contract;
use crate::receiver::Receiver;
use crate::support::{now, EmbedSetup, TestPartner, TestServer};

struct Setup {
    server: TestServer,
    api: Api,
    partner: TestPartner,
    token: String,
    customer: String,
    key_id: String,
    search_id: String,
    ids: Vec<String>,
}

async fn setup(
    store: &Store,
    receiver: &Receiver,
    configure: impl FnOnce(&mut quarry_server::ServeConfig),
) -> Setup {
    let s = EmbedSetup::start(
        store,
        2_000,
        json!({"result_delivery_url": receiver.url(), "credit_enforcement_mode": "enforced"}),
        configure,
    )
    .await;
    s.grant(1_000).await;
    let (search_id, page) = s.search("sales people", 100).await;
    Setup {
        ids: page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["prospect_id"].as_str().unwrap().to_owned())
            .collect(),
        key_id: s.key["embed_key"]["id"].as_str().unwrap().to_owned(),
        search_id,
        server: s.server,
        api: s.api,
        partner: s.partner,
        token: s.token,
        customer: s.customer,
    }
}

impl Setup {
    async fn push(&self, ids: &[String], idempotency_key: Option<&str>) -> crate::api::Answer {
        let headers: Vec<(&str, &str)> = idempotency_key
            .map(|k| ("idempotency-key", k))
            .into_iter()
            .collect();
        self.api
            .send(
                Method::POST,
                &format!("/v1/prospecting/sessions/{}/push", self.search_id),
                Some(&self.token),
                Some(&json!({"selection_mode": "selected", "prospect_ids": ids})),
                &headers,
            )
            .await
    }

    async fn deliveries(&self) -> Vec<Value> {
        self.api
            .get(
                &format!("/v1/deliveries?partner_customer_id={}", self.customer),
                &self.partner.secret,
            )
            .await
            .expect(200)["data"]
            .as_array()
            .unwrap()
            .clone()
    }

    async fn delivery(&self, id: &str) -> Value {
        self.deliveries()
            .await
            .into_iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("no delivery {id}"))
    }

    async fn retry(&self, id: &str, body: Option<Value>) -> crate::api::Answer {
        self.retry_with_key(id, body, None).await
    }

    async fn retry_with_key(
        &self,
        id: &str,
        body: Option<Value>,
        idempotency_key: Option<&str>,
    ) -> crate::api::Answer {
        let headers: Vec<(&str, &str)> = idempotency_key
            .map(|k| ("idempotency-key", k))
            .into_iter()
            .collect();
        self.api
            .send(
                Method::POST,
                &format!("/v1/deliveries/{id}/retry"),
                Some(&self.partner.secret),
                body.as_ref(),
                &headers,
            )
            .await
    }

    /// Starts another session for `q`: its id and first page.
    async fn session(&self, q: &str, limit: u32) -> (String, Value) {
        let page = self
            .api
            .post(
                "/v1/prospecting/sessions",
                &self.token,
                &json!({"q": q, "limit": limit}),
            )
            .await
            .expect(201);
        (page["search_id"].as_str().unwrap().to_owned(), page)
    }
}

contract!(
    a_partner_slower_than_the_request_timeout_gets_one_delivery,
    |store, _db| {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        // Each chunk takes the partner 10 s; the request may run 8 s at most.
        receiver.delay(10_000);
        let s = setup(&store, &receiver, |c| {
            c.request_timeout_secs = 8;
            c.delivery_timeout_secs = 15;
        })
        .await;
        let started = Instant::now();
        let first = s.push(&s.ids[..2], Some("push-1")).await;
        // The answer comes well inside the request timeout: bought, queued.
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "{:?}",
            started.elapsed()
        );
        let first = first.expect(200);
        assert_eq!(first["delivered"], false, "{first}");
        assert_eq!(first["delivery_state"], "pending", "{first}");
        let delivery_id = first["delivery_id"].as_str().unwrap().to_owned();

        // The client retries (it saw a slow answer): the committed answer replays.
        let again = s.push(&s.ids[..2], Some("push-1")).await;
        assert_eq!(again.header("x-idempotent-replay"), Some("true"));
        let again = again.expect(200);
        assert_eq!(again["delivery_id"], delivery_id.as_str());

        // The partner gets the records once, under one webhook-id.
        let got = receiver.wait_for(1, 20).await;
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].headers["webhook-id"].to_str().unwrap(),
            format!("{delivery_id}.1")
        );
        let start = Instant::now();
        while s.delivery(&delivery_id).await["status"] != "delivered" {
            assert!(start.elapsed() < Duration::from_secs(15), "never delivered");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Delivered, and still only that one POST: the retry sent nothing.
        assert_eq!(receiver.received().len(), 1);
        assert_eq!(s.deliveries().await.len(), 1);
        s.server.stop().await;
    }
);

contract!(
    concurrent_replays_send_each_chunk_once_per_attempt,
    |store, _db| {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        receiver.answer(500, None);
        // No automatic retry gets in the way: only the replays send.
        let s = setup(&store, &receiver, |c| {
            c.delivery_retry_schedule = vec![3_600; 9];
        })
        .await;
        let pushed = s.push(&s.ids[..3], None).await.expect(200);
        assert_eq!(pushed["delivered"], false);
        let id = pushed["delivery_id"].as_str().unwrap().to_owned();
        assert_eq!(receiver.received().len(), 1);

        // The partner is back, but slow; a second replay comes while the first
        // is still being sent.
        receiver.answer(200, None);
        receiver.delay(2_000);
        let first = s.retry(&id, None);
        let second = async {
            // Once the first replay's POST has reached the partner, its round
            // holds the delivery.
            receiver.wait_for(2, 10).await;
            s.retry_with_key(&id, None, Some("retry-2")).await
        };
        let (a, b) = tokio::join!(first, second);
        assert_eq!(a.status, 200, "{}", a.body);
        // The second is told a round is already running; it sends nothing.
        b.expect_error(409, "delivery_in_progress");
        tokio::time::sleep(Duration::from_secs(3)).await;
        let got = receiver.received();
        assert_eq!(
            got.len(),
            2,
            "one POST for the first attempt, one for the replay"
        );
        assert_eq!(s.delivery(&id).await["status"], "delivered");
        // The 409 was not kept under its Idempotency-Key: the same key asks again
        // and gets today's answer (delivered, nothing sent), not the refusal.
        let later = s.retry_with_key(&id, None, Some("retry-2")).await;
        assert_eq!(later.header("x-idempotent-replay"), None);
        let later = later.expect(200);
        assert_eq!(later["retried"], false, "{later}");
        assert_eq!(receiver.received().len(), 2);
        s.server.stop().await;
    }
);

contract!(
    delivered_bodies_are_purged_after_their_retention,
    |store, _db| {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let s = setup(&store, &receiver, |c| {
            c.purge_interval_secs = 1;
            c.delivered_body_retention_secs = 0;
        })
        .await;
        let pushed = s.push(&s.ids[..2], None).await.expect(200);
        assert_eq!(pushed["delivered"], true, "{pushed}");
        let id = pushed["delivery_id"].as_str().unwrap().to_owned();
        // The background purge empties the delivered bodies (a forced replay
        // would deliver them again, so the test watches the rows instead).
        let start = Instant::now();
        while store
            .scalar("select count(*) from delivery_chunk where body_purged_at is not null and body = ''")
            .await
            == 0
        {
            assert!(start.elapsed() < Duration::from_secs(10), "never purged");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Now a forced replay has nothing left to send.
        s.retry(&id, Some(json!({"force": true})))
            .await
            .expect_error(410, "delivery_bodies_purged");
        let sent = receiver.received().len();
        // The delivery and its log stay; a plain replay still says it is delivered.
        let plain = s.retry(&id, None).await.expect(200);
        assert_eq!(plain["retried"], false);
        assert_eq!(plain["status"], "delivered");
        assert!(
            !plain["attempt_log"].as_array().unwrap().is_empty(),
            "{plain}"
        );
        assert_eq!(receiver.received().len(), sent);
        s.server.stop().await;
    }
);

contract!(
    pushing_all_results_honours_the_count_asked_for,
    |store, _db| {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let s = setup(&store, &receiver, |_| {}).await;
        let (search_id, page) = s.session("give me 7 sales people", 25).await;
        assert!(
            page["pagination"]["total_records"].as_u64().unwrap() > 7,
            "{page}"
        );
        assert_eq!(page["pagination"]["max_records"], 7, "{page}");
        let pushed = s
            .api
            .post(
                &format!("/v1/prospecting/sessions/{search_id}/push"),
                &s.token,
                &json!({"selection_mode": "all_results"}),
            )
            .await
            .expect(200);
        assert_eq!(pushed["delivered"], true, "{pushed}");
        let got = receiver.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body["data"].as_array().unwrap().len(), 7);
        // An explicit selection that names nothing is a clear 400, not a no-op.
        let empty = s
            .api
            .post(
                &format!("/v1/prospecting/sessions/{search_id}/push"),
                &s.token,
                &json!({"selection_mode": "selected", "prospect_ids": []}),
            )
            .await;
        empty.expect_error(400, "invalid_body");
        assert_eq!(empty.field(), "body.prospect_ids");
        assert_eq!(receiver.received().len(), 1);
        s.server.stop().await;
    }
);

contract!(
    a_gone_endpoint_gets_no_more_pushes_until_changed,
    |store, _db| {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        receiver.answer(410, None);
        let s = setup(&store, &receiver, |_| {}).await;
        let first = s.push(&s.ids[..1], None).await.expect(200);
        assert_eq!(first["delivered"], false);
        assert_eq!(first["delivery_state"], "gone");
        assert_eq!(receiver.received().len(), 1);
        let wallet = |s: &Setup| {
            let (api, path, secret) = (
                s.api.clone(),
                format!("/v1/partner-customers/{}/wallet", s.customer),
                s.partner.secret.clone(),
            );
            async move { api.get(&path, &secret).await.expect(200) }
        };
        let before = wallet(&s).await["wallet"]["available_credit_units"].clone();

        // Nothing is bought or sent while the URL is marked gone.
        let refused = s.push(&s.ids[1..2], None).await;
        refused.expect_error(409, "delivery_endpoint_gone");
        assert_eq!(receiver.received().len(), 1);
        assert_eq!(wallet(&s).await["wallet"]["available_credit_units"], before);
        let view = wallet(&s).await;
        assert!(
            !view["allowed_result_actions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "push_endpoint"),
            "{view}"
        );

        // The partner fixes its endpoint and says so by setting the URL again.
        receiver.answer(200, None);
        s.api
            .patch(
                &format!("/v1/prospecting/embed-keys/{}", s.key_id),
                &s.partner.secret,
                &json!({"result_delivery_url": receiver.url()}),
            )
            .await
            .expect(200);
        let ok = s.push(&s.ids[1..2], None).await.expect(200);
        assert_eq!(ok["delivered"], true, "{ok}");
        assert_eq!(receiver.received().len(), 2);
        s.server.stop().await;
    }
);

contract!(a_retry_after_date_is_honoured, |store, _db| {
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let later = std::time::SystemTime::now() + Duration::from_secs(3_600);
    receiver.answer(503, Some(&httpdate::fmt_http_date(later)));
    let s = setup(&store, &receiver, |_| {}).await;
    let pushed = s.push(&s.ids[..1], None).await.expect(200);
    let id = pushed["delivery_id"].as_str().unwrap();
    let delivery = s.delivery(id).await;
    let next =
        quarry_server::http::parse_iso8601(delivery["next_attempt_at"].as_str().unwrap()).unwrap();
    assert!(
        next >= now() + 3_500,
        "next attempt {} s from now",
        next - now()
    );
    s.server.stop().await;
});

contract!(
    replaying_a_delivered_delivery_is_a_no_op_unless_forced,
    |store, _db| {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let s = setup(&store, &receiver, |_| {}).await;
        let pushed = s.push(&s.ids[..2], None).await.expect(200);
        let id = pushed["delivery_id"].as_str().unwrap().to_owned();
        assert_eq!(receiver.received().len(), 1);

        let noop = s.retry(&id, None).await.expect(200);
        assert_eq!(noop["retried"], false, "{noop}");
        assert_eq!(noop["status"], "delivered");
        assert!(
            noop["message"].as_str().unwrap().contains("force"),
            "{noop}"
        );
        assert_eq!(receiver.received().len(), 1);

        let forced = s.retry(&id, Some(json!({"force": true}))).await.expect(200);
        assert_eq!(forced["retried"], true, "{forced}");
        assert_eq!(forced["status"], "delivered");
        let got = receiver.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
        assert_eq!(got[0].body["data"], got[1].body["data"]);
        let bad = s.retry(&id, Some(json!({"force": "yes"}))).await;
        bad.expect_error(400, "invalid_body");
        s.server.stop().await;
    }
);

contract!(
    a_push_never_bills_for_records_it_cannot_send,
    |store, _db| {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let s = setup(&store, &receiver, |_| {}).await;
        let wallet = || async {
            s.api
                .get(
                    &format!("/v1/partner-customers/{}/wallet", s.customer),
                    &s.partner.secret,
                )
                .await
                .expect(200)["wallet"]["available_credit_units"]
                .clone()
        };
        let before = wallet().await;
        // One of the previews is removed from the store after the search (the
        // index still has it until its next refresh).
        let gone = quarry_server::prospecting::prospect_id::decode(&s.ids[1]).unwrap();
        store
            .execute(&format!("delete from person where id = {gone}"))
            .await;
        let refused = s.push(&s.ids[..3], None).await;
        refused.expect_error(410, "session_expired");
        assert!(
            refused.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("nothing was bought"),
            "{}",
            refused.body
        );
        // Nothing bought, nothing sent, nothing queued.
        assert_eq!(wallet().await, before);
        assert!(receiver.received().is_empty());
        assert!(s.deliveries().await.is_empty());
        // The others can still be bought.
        let ok = s
            .push(&[s.ids[0].clone(), s.ids[2].clone()], None)
            .await
            .expect(200);
        assert_eq!(ok["pushed_records"], 2, "{ok}");
        s.server.stop().await;
    }
);

contract!(a_round_that_lost_its_claim_writes_nothing, |store, _db| {
    use quarry_server::delivery::{DeliveryStatus, LEASE_SECS};
    use quarry_server::store::{NewAttempt, NewDelivery, PurchaseOrder, Replay, RoundResult};
    use quarry_server::wallet::EnforcementMode;
    let (tenant, customer) =
        crate::support::wallet_customer(&store, EnforcementMode::Metered, &[]).await;
    let t = now();
    let purchase = store
        .begin_purchase(
            PurchaseOrder {
                tenant: &tenant,
                customer_id: &customer,
                people: &[1, 2],
                units_per_record: 1,
                user_id: None,
                search_id: None,
            },
            t,
        )
        .await
        .unwrap()
        .unwrap();
    let (_, a) = purchase
        .commit_with_delivery(
            NewDelivery {
                delivery_id: "dlv_fenced".into(),
                url: "https://hooks.partner.example/q".into(),
                embed_key_id: "ek_1".into(),
                bodies: vec!["{}".into(), "{}".into()],
            },
            t,
        )
        .await
        .unwrap();
    // The purchase's own claim keeps everyone else out while it lasts.
    assert!(store
        .claim_delivery("dlv_fenced", t + 1)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store
            .replay_delivery(&tenant, "dlv_fenced", false, t + 1)
            .await
            .unwrap(),
        Some(Replay::InProgress(_))
    ));
    // A's process stalls past its lease; B takes the delivery over.
    let later = t + LEASE_SECS + 1;
    let b = store
        .claim_delivery("dlv_fenced", later)
        .await
        .unwrap()
        .expect("an expired lease can be taken");
    let attempt = |chunk| NewAttempt {
        chunk,
        at: later,
        status_code: Some(200),
        latency_ms: 5,
        error: None,
        delivered: true,
    };
    // Whatever A does now is refused and leaves no trace.
    assert!(!store.renew_claim(&a, later).await.unwrap());
    assert!(!store.record_attempt(&a, &attempt(1)).await.unwrap());
    let done = RoundResult {
        status: DeliveryStatus::Delivered,
        next_attempt_at: None,
        last_status: Some(200),
        last_error: None,
    };
    assert!(!store.finish_round(&a, &done, later).await.unwrap());
    assert!(store
        .delivery_attempts(&["dlv_fenced".to_owned()])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.pending_chunks("dlv_fenced").await.unwrap().len(), 2);
    // B's round counts.
    assert!(store.renew_claim(&b, later).await.unwrap());
    assert!(store.record_attempt(&b, &attempt(1)).await.unwrap());
    assert!(store.record_attempt(&b, &attempt(2)).await.unwrap());
    assert!(store.finish_round(&b, &done, later).await.unwrap());
    let row = store
        .delivery(&tenant, "dlv_fenced")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.status, row.attempts, row.claimed_until),
        (DeliveryStatus::Delivered, 1, None)
    );
    assert_eq!(
        store
            .delivery_attempts(&["dlv_fenced".to_owned()])
            .await
            .unwrap()
            .len(),
        2
    );
    // A finished round's claim is spent too.
    assert!(!store.record_attempt(&b, &attempt(1)).await.unwrap());
});
