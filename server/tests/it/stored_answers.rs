//! Stored answers cannot fill the disk nor outlive their rules: a large export is
//! kept as a recipe and replayed by re-rendering its purchase, expired rows are
//! purged by a background task, the embed routes are rate limited per customer,
//! a replay re-checks the embed token like a first request, and the same body in
//! another spelling is the same request.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::api::Api;
use crate::contract;
use crate::support::{EmbedSetup, TestPartner, TestServer};

struct Setup {
    server: TestServer,
    api: Api,
    partner: TestPartner,
    token: String,
    customer: String,
    search_id: String,
    key_public: String,
}

async fn setup(
    store: &quarry_server::Store,
    configure: impl FnOnce(&mut quarry_server::ServeConfig),
) -> Setup {
    let s = EmbedSetup::start(store, 3_000, json!({"csv_export_enabled": true}), configure).await;
    let (search_id, _) = s.search("sales people", 10).await;
    Setup {
        search_id,
        key_public: s.key["public_key"].as_str().unwrap().to_owned(),
        server: s.server,
        api: s.api,
        partner: s.partner,
        token: s.token,
        customer: s.customer,
    }
}

impl Setup {
    async fn export(&self, key: &str) -> (u16, Option<String>, String) {
        let response = self
            .api
            .http
            .post(format!(
                "{}/v1/prospecting/sessions/{}/export",
                self.api.base, self.search_id
            ))
            .bearer_auth(&self.token)
            .header("idempotency-key", key)
            .json(&json!({"selection_mode": "all_results"}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let replay = response
            .headers()
            .get("x-idempotent-replay")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, replay, response.text().await.unwrap())
    }
}

contract!(
    a_large_export_is_replayed_from_its_purchase_not_a_stored_copy,
    |store, _db| {
        let s = setup(&store, |_| {}).await;
        let (status, replay, first) = s.export("export-1").await;
        assert_eq!((status, replay), (200, None));
        assert!(first.len() > 64 * 1024, "{} bytes", first.len());
        // What is kept for the key is small, whatever the export's size.
        let kept = store
            .scalar("select cast(coalesce(max(length(response_body)), 0) as bigint) from idempotency_key")
            .await;
        assert!(kept < 64 * 1024, "{kept} bytes stored for one answer");
        let (status, replay, again) = s.export("export-1").await;
        assert_eq!((status, replay.as_deref()), (200, Some("true")));
        assert_eq!(again, first, "the replay is the same file");
        // Still billed once.
        let wallet = s
            .api
            .get("/v1/prospecting/wallet", &s.token)
            .await
            .expect(200);
        let records = first.lines().count() as i64 - 1;
        assert_eq!(
            wallet["wallet"]["usage"]["lifetime_record_reveals"].as_i64(),
            Some(records)
        );
        s.server.stop().await;
    }
);

contract!(
    a_replay_is_refused_once_the_customer_is_suspended,
    |store, _db| {
        let s = setup(&store, |_| {}).await;
        let (status, _, _) = s.export("export-2").await;
        assert_eq!(status, 200);
        s.api
            .patch(
                &format!("/v1/partner-customers/{}", s.customer),
                &s.partner.secret,
                &json!({"status": "suspended"}),
            )
            .await
            .expect(200);
        // Within the re-check cache's seconds the replay is refused like a request.
        let mut refused = false;
        for _ in 0..30 {
            let (status, replay, body) = s.export("export-2").await;
            if status == 403 {
                assert_eq!(replay, None);
                let body: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(body["error"]["code"], "customer_suspended");
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(refused, "a suspended customer replayed an export");
        s.server.stop().await;
    }
);

contract!(
    the_same_body_in_another_spelling_is_the_same_request,
    |store, _db| {
        let (server, api, p) = crate::support::serve(&store).await;
        let send = async |body: &str| {
            api.http
                .post(format!("{}/v1/partner-customers", api.base))
                .bearer_auth(&p.secret)
                .header("content-type", "application/json")
                .header("idempotency-key", "canonical-1")
                .body(body.to_owned())
                .send()
                .await
                .unwrap()
        };
        let first = send(r#"{"customer_id":"acme","name":"Acme","limits":{"monthly_credit_units":5,"lifetime_credit_units":9}}"#).await;
        assert_eq!(first.status(), 201);
        let again = send(
            "{ \"limits\": {\"lifetime_credit_units\": 9, \"monthly_credit_units\": 5},\n  \"name\": \"Acme\",  \"customer_id\": \"acme\" }",
        )
        .await;
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["x-idempotent-replay"], "true");
        // A different value is a different request.
        let other = send(r#"{"customer_id":"acme","name":"Acme Inc"}"#).await;
        assert_eq!(other.status(), 422);
        server.stop().await;
    }
);

contract!(expired_stored_answers_are_purged, |store, _db| {
    let s = setup(&store, |c| {
        c.purge_interval_secs = 1;
        c.delivered_body_retention_secs = 0;
    })
    .await;
    let now = crate::support::now();
    // An answer stored two days ago, and one still fresh.
    for (key, at) in [("old", now - 2 * 86_400), ("fresh", now)] {
        store
            .start_idempotent("partner:p:live", key, "fp", at, at + 30, at + 86_400)
            .await
            .unwrap();
    }
    let start = std::time::Instant::now();
    loop {
        let left = store
            .scalar("select count(*) from idempotency_key where scope = 'partner:p:live'")
            .await;
        if left == 1 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{left} rows left"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        store
            .scalar("select count(*) from idempotency_key where idem_key = 'fresh'")
            .await,
        1
    );
    s.server.stop().await;
});

contract!(embed_routes_are_rate_limited_per_customer, |store, _db| {
    let s = setup(&store, |c| c.rate_limit_per_customer = 5).await;
    let mut last = None;
    for _ in 0..8 {
        let answer = s
            .api
            .send(
                Method::GET,
                "/v1/prospecting/wallet",
                Some(&s.token),
                None,
                &[],
            )
            .await;
        assert!(
            answer.header("x-ratelimit-limit").is_some(),
            "{:?}",
            answer.headers
        );
        last = Some(answer);
    }
    let last = last.unwrap();
    last.expect_error(429, "rate_limited");
    assert!(last.header("retry-after").is_some());
    assert_eq!(last.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(last.header("x-ratelimit-scope"), Some("embed-customer"));
    // Another customer of the same partner and key has its own window.
    let other = s
        .api
        .session(
            Some(crate::support::EMBED_ORIGIN),
            &json!({"partner_key": s.key_public, "customer_id": "globex"}),
        )
        .await
        .expect(201);
    let answer = s
        .api
        .get("/v1/prospecting/wallet", other["token"].as_str().unwrap())
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("4"));
    s.server.stop().await;
});

contract!(
    a_started_session_replays_its_first_page_and_counts_once,
    |store, _db| {
        let s = setup(&store, |_| {}).await;
        let start = async || {
            s.api
                .send(
                    Method::POST,
                    "/v1/prospecting/sessions",
                    Some(&s.token),
                    Some(&json!({"q": "all employees in Texas", "limit": 100})),
                    &[("idempotency-key", "start-1")],
                )
                .await
        };
        let first = start().await;
        assert_eq!(first.status, 201);
        let again = start().await;
        assert_eq!(again.status, 201);
        assert_eq!(again.header("x-idempotent-replay"), Some("true"));
        assert_eq!(again.body["search_id"], first.body["search_id"]);
        assert_eq!(again.body["data"], first.body["data"]);
        // Nothing large is kept for it, and it counted one session (plus setup's).
        let kept = store
            .scalar("select cast(coalesce(max(length(response_body)), 0) as bigint) from idempotency_key")
            .await;
        assert_eq!(kept, 0);
        let wallet = s
            .api
            .get("/v1/prospecting/wallet", &s.token)
            .await
            .expect(200);
        assert_eq!(
            wallet["wallet"]["usage"]["monthly_search_sessions"], 2,
            "{wallet}"
        );
        s.server.stop().await;
    }
);
