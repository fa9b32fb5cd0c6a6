//! Idempotency-Key on partner and embed routes: replays with
//! `x-idempotent-replay`, one effect however often a request is retried, 422 for a
//! key reused on another request, 409 while the first still runs, keys scoped to
//! their caller.

use quarry_server::store::{IdempotencyStart, StoredAnswer};
use reqwest::Method;
use serde_json::json;

use crate::contract;
use crate::receiver::Receiver;
use crate::support::{now, partner};

const ORIGIN: &str = "https://app.partner.example";

contract!(partner_writes_happen_once_per_key, |store, _db| {
    let (server, api, p) = crate::support::serve(&store).await;
    let body = json!({"customer_id": "acme"});
    let send = async |key: &str, body: &serde_json::Value, secret: &str| {
        api.send(
            Method::POST,
            "/v1/partner-customers",
            Some(secret),
            Some(body),
            &[("idempotency-key", key)],
        )
        .await
    };
    let first = send("k-1", &body, &p.secret).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("x-idempotent-replay"), None);
    let again = send("k-1", &body, &p.secret).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("x-idempotent-replay"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(
        api.get("/v1/partner-customers", &p.secret)
            .await
            .expect(200)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    send("k-1", &json!({"customer_id": "globex"}), &p.secret)
        .await
        .expect_error(422, "idempotency_key_reused");
    // Another caller's keys are its own.
    let other = partner(&store).await;
    assert_eq!(send("k-1", &body, &other.secret).await.status, 201);

    // A grant retried with its key is granted once.
    let id = first.body["partner_customer_id"].as_str().unwrap();
    let credits = format!("/v1/partner-customers/{id}/wallet/credits");
    for _ in 0..3 {
        let r = api
            .send(
                Method::POST,
                &credits,
                Some(&p.secret),
                Some(&json!({"credit_units": 10})),
                &[("idempotency-key", "grant-1")],
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let wallet = api
        .get(&format!("/v1/partner-customers/{id}/wallet"), &p.secret)
        .await
        .expect(200);
    assert_eq!(wallet["wallet"]["granted_credit_units"], 10);
    // Errors are stored too (a client error is an answer), and bad keys refused.
    let bad = api
        .send(
            Method::POST,
            "/v1/partner-customers",
            Some(&p.secret),
            Some(&json!({})),
            &[("idempotency-key", "k-2")],
        )
        .await;
    assert_eq!(bad.status, 400);
    let bad_again = api
        .send(
            Method::POST,
            "/v1/partner-customers",
            Some(&p.secret),
            Some(&json!({})),
            &[("idempotency-key", "k-2")],
        )
        .await;
    assert_eq!(
        (
            bad_again.status.as_u16(),
            bad_again.header("x-idempotent-replay")
        ),
        (400, Some("true"))
    );
    let invalid = api
        .send(
            Method::POST,
            "/v1/partner-customers",
            Some(&p.secret),
            Some(&body),
            &[("idempotency-key", "has space")],
        )
        .await;
    invalid.expect_error(400, "invalid_parameter");
    assert_eq!(invalid.field(), "Idempotency-Key");
    server.stop().await;
});

contract!(a_retried_push_buys_and_delivers_once, |store, _db| {
    quarry_server::seed::seed_demo(
        &store,
        &quarry_server::seed::SeedOptions {
            people: 2000,
            seed: 3,
            progress: false,
        },
    )
    .await
    .unwrap();
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let (server, api, p) = crate::support::serve(&store).await;
    let key = api
        .embed_key(
            &p.secret,
            json!({"allowed_origins": [ORIGIN], "result_delivery_url": receiver.url(),
                                     "credit_enforcement_mode": "enforced"}),
        )
        .await;
    let session = api.customer_session(ORIGIN, &key, "acme").await;
    let token = session["token"].as_str().unwrap();
    let customer = session["partner_customer_id"].as_str().unwrap();
    api.post(
        &format!("/v1/partner-customers/{customer}/wallet/credits"),
        &p.secret,
        &json!({"credit_units": 50}),
    )
    .await
    .expect(201);
    let page = api
        .post(
            "/v1/prospecting/sessions",
            token,
            &json!({"q": "sales people"}),
        )
        .await
        .expect(201);
    let ids: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .take(4)
        .map(|p| p["prospect_id"].as_str().unwrap())
        .collect();
    let path = format!(
        "/v1/prospecting/sessions/{}/push",
        page["search_id"].as_str().unwrap()
    );
    let body = json!({"selection_mode": "selected", "prospect_ids": ids});
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(
            api.send(
                Method::POST,
                &path,
                Some(token),
                Some(&body),
                &[("idempotency-key", "push-1")],
            )
            .await,
        );
    }
    assert_eq!(answers[0].body["net_new_billable_records"], 4);
    for a in &answers[1..] {
        assert_eq!(a.header("x-idempotent-replay"), Some("true"));
        assert_eq!(a.body, answers[0].body);
    }
    assert_eq!(
        receiver.received().len(),
        1,
        "a replayed push delivered again"
    );
    let wallet = api.get("/v1/prospecting/wallet", token).await.expect(200);
    assert_eq!(wallet["wallet"]["available_credit_units"], 46);
    // A renewed token (same customer) still finds the key.
    let renewed = api.customer_session(ORIGIN, &key, "acme").await;
    let replay = api
        .send(
            Method::POST,
            &path,
            renewed["token"].as_str(),
            Some(&body),
            &[("idempotency-key", "push-1")],
        )
        .await;
    assert_eq!(replay.header("x-idempotent-replay"), Some("true"));
    server.stop().await;
});

contract!(
    a_key_is_held_while_its_request_runs_and_freed_when_abandoned,
    |store, _db| {
        let t = now();
        let start =
            |at: i64| store.start_idempotent("partner:p:live", "k", "fp", at, at + 30, at + 86_400);
        let held = |start: IdempotencyStart| match start {
            IdempotencyStart::New(hold) => hold,
            other => panic!("the key was not taken: {other:?}"),
        };
        let first = held(start(t).await.unwrap());
        assert_eq!(start(t).await.unwrap(), IdempotencyStart::InProgress);
        assert_eq!(
            store
                .start_idempotent("partner:p:live", "k", "other", t, t + 30, t + 86_400)
                .await
                .unwrap(),
            IdempotencyStart::Mismatch
        );
        // While it runs its lock is renewed, so the key stays taken past the first
        // lock.
        assert!(store.renew_idempotent(&first, t + 60).await.unwrap());
        assert_eq!(start(t + 45).await.unwrap(), IdempotencyStart::InProgress);
        // A request that never finished (a crash) does not hold its key forever.
        let retry = held(start(t + 61).await.unwrap());
        let answer = StoredAnswer {
            status: 201,
            headers: "[]".into(),
            body: b"{}".to_vec(),
            recipe: None,
        };
        // The first request, back from the dead, can neither renew, store nor
        // release what is now the retry's.
        assert!(!store.renew_idempotent(&first, t + 120).await.unwrap());
        let stale = StoredAnswer {
            body: b"{\"stale\":true}".to_vec(),
            ..answer.clone()
        };
        assert!(!store.finish_idempotent(&first, &stale).await.unwrap());
        store.abandon_idempotent(&first).await.unwrap();
        assert_eq!(start(t + 62).await.unwrap(), IdempotencyStart::InProgress);
        assert!(store.finish_idempotent(&retry, &answer).await.unwrap());
        assert_eq!(
            start(t + 70).await.unwrap(),
            IdempotencyStart::Replay(answer)
        );
        // After 24 hours the key is free again.
        held(start(t + 61 + 86_400).await.unwrap());
    }
);
