//! The partner API's gate: secret keys (both headers, unknown, revoked at once,
//! rotated with a grace period, scopes), the per-key rate limit and its headers,
//! and the embed-key routes with their validation and tenant isolation.

use quarry_server::partners::keys::Scope;
use quarry_server::partners::Mode;
use reqwest::Method;
use serde_json::json;

use crate::api::Api;
use crate::contract;
use crate::support::{add_key, now, partner, partner_with, TestServer};

const KEYS: &str = "/v1/prospecting/embed-keys";

contract!(
    secret_keys_authenticate_and_revocation_bites_within_a_second,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(store.store.clone(), dir.path().into()).await;
        let api = Api::new(&server);
        let p = partner(&store).await;

        api.get(KEYS, &p.secret).await.expect(200);
        let by_header = api
            .send(
                Method::GET,
                KEYS,
                None,
                None,
                &[("x-api-key", p.secret.as_str())],
            )
            .await;
        assert_eq!(by_header.status, 200);

        api.send(Method::GET, KEYS, None, None, &[])
            .await
            .expect_error(401, "unauthorized");
        // Right shape, wrong secret; and a near miss of the real one.
        api.get(KEYS, "qk_live_0123456789abcdef0123456789abcdef")
            .await
            .expect_error(401, "unauthorized");
        let mut near = p.secret.clone();
        let last = near.pop().unwrap();
        near.push(if last == 'a' { 'b' } else { 'a' });
        api.get(KEYS, &near).await.expect_error(401, "unauthorized");

        assert!(store
            .revoke_api_key(&p.partner_id, &p.key_id, now())
            .await
            .unwrap());
        crate::support::within_a_second("a revoked key refused", || async {
            api.get(KEYS, &p.secret).await.status.as_u16() == 401
        })
        .await;
        api.get(KEYS, &p.secret)
            .await
            .expect_error(401, "api_key_revoked");

        // A rotated key with a grace period works until it ends, then stops.
        let q = add_key(&store, &p.partner_id, Mode::Live, &Scope::ALL).await;
        api.get(KEYS, &q.secret).await.expect(200);
        assert!(store
            .expire_api_key(&p.partner_id, &q.key_id, now() + 3600)
            .await
            .unwrap());
        api.get(KEYS, &q.secret).await.expect(200);
        assert!(store
            .expire_api_key(&p.partner_id, &q.key_id, now() - 1)
            .await
            .unwrap());
        crate::support::within_a_second("an expired key refused", || async {
            api.get(KEYS, &q.secret).await.status.as_u16() == 401
        })
        .await;
        api.get(KEYS, &q.secret)
            .await
            .expect_error(401, "api_key_revoked");
        server.stop().await;
    }
);

contract!(scopes_limit_what_a_key_can_do, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.store.clone(), dir.path().into()).await;
    let api = Api::new(&server);
    let data_only = partner_with(&store, Mode::Live, &[Scope::Data]).await;
    api.get(KEYS, &data_only.secret)
        .await
        .expect_error(403, "insufficient_scope");
    api.get("/v1/partner-customers", &data_only.secret)
        .await
        .expect_error(403, "insufficient_scope");
    api.get("/v1/persons/search/taxonomy", &data_only.secret)
        .await
        .expect(200);
    let no_data = add_key(
        &store,
        &data_only.partner_id,
        Mode::Live,
        &[Scope::Customers],
    )
    .await;
    api.get("/v1/persons/search/taxonomy", &no_data.secret)
        .await
        .expect_error(403, "insufficient_scope");
    api.get("/v1/partner-customers", &no_data.secret)
        .await
        .expect(200);
    server.stop().await;
});

contract!(
    the_per_key_rate_limit_counts_windows_and_answers_429,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start_with(store.store.clone(), dir.path().into(), |c| {
            c.rate_limit_per_key = 3;
        })
        .await;
        let api = Api::new(&server);
        // Three tries with fresh keys: a try whose requests straddle a window
        // boundary (the reset countdown went up) is not conclusive.
        let mut checked = false;
        for _ in 0..3 {
            let a = partner(&store).await;
            let mut seen = Vec::new();
            let mut resets = Vec::new();
            for _ in 0..3 {
                let answer = api.get(KEYS, &a.secret).await;
                assert_eq!(answer.status, 200);
                assert_eq!(answer.header("x-ratelimit-limit"), Some("3"));
                let reset: u64 = answer.header("x-ratelimit-reset").unwrap().parse().unwrap();
                assert!((1..=60).contains(&reset));
                resets.push(reset);
                assert!(answer
                    .header("ratelimit-policy")
                    .unwrap()
                    .contains("q=3;w=60"));
                seen.push((
                    answer.header("x-ratelimit-used").unwrap().to_owned(),
                    answer.header("x-ratelimit-remaining").unwrap().to_owned(),
                ));
            }
            let refused = api.get(KEYS, &a.secret).await;
            resets.push(
                refused
                    .header("x-ratelimit-reset")
                    .unwrap()
                    .parse()
                    .unwrap(),
            );
            if resets.windows(2).any(|w| w[1] > w[0]) {
                continue;
            }
            assert_eq!(
                seen,
                vec![
                    ("1".into(), "2".into()),
                    ("2".into(), "1".into()),
                    ("3".into(), "0".into())
                ]
            );
            refused.expect_error(429, "rate_limited");
            let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
            assert!((1..=60).contains(&retry));
            assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
            assert!(refused.header("ratelimit").unwrap().contains("r=0"));
            checked = true;
            break;
        }
        assert!(checked, "three tries all straddled a window boundary");
        let b = partner(&store).await;
        // Another key has its own window.
        let other = api.get(KEYS, &b.secret).await;
        assert_eq!(other.status, 200);
        assert_eq!(other.header("x-ratelimit-used"), Some("1"));
        server.stop().await;
    }
);

contract!(
    embed_keys_are_created_listed_updated_and_revoked,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(store.store.clone(), dir.path().into()).await;
        let api = Api::new(&server);
        let p = partner(&store).await;

        let created = api
        .embed_key(
            &p.secret,
            json!({"label": "Partner app", "allowed_origins": ["https://App.Partner.example/crm?x=1", "https://app.partner.example"],
                   "result_delivery_url": "https://partner.example/hooks/quarry", "result_delivery_cta": "Add to HubSpot",
                   "csv_export_enabled": true, "require_customer_signature": true, "credit_units_per_record": 2,
                   "token_ttl_seconds": 600, "credit_enforcement_mode": "enforced", "credit_reset_policy": "rollover",
                   "limits": {"monthly_search_sessions": 20}}),
        )
        .await;
        let public = created["public_key"].as_str().unwrap();
        assert!(public.starts_with("qpk_live_"), "{public}");
        assert!(created["customer_signing_secret"]
            .as_str()
            .unwrap()
            .starts_with("qcs_"));
        let key = &created["embed_key"];
        let id = key["id"].as_str().unwrap().to_owned();
        assert_eq!(
            key["allowed_origins"],
            json!(["https://app.partner.example"])
        );
        assert!(public.starts_with(key["key_prefix"].as_str().unwrap()));
        assert_eq!(key["status"], "active");
        assert_eq!(key["default_credit_enforcement_mode"], "enforced");
        assert_eq!(
            key["default_limits"],
            json!({"monthly_search_sessions": 20})
        );
        assert_eq!(key["credit_units_per_record"], 2);

        // Secrets are shown once: never in reads.
        let listed = api.get(KEYS, &p.secret).await.expect(200);
        let text = listed.to_string();
        assert!(!text.contains(public) && !text.contains("qcs_"), "{text}");
        assert_eq!(listed["data"][0]["id"], id.as_str());
        let one = api
            .get(&format!("{KEYS}/{id}"), &p.secret)
            .await
            .expect(200);
        assert!(one.get("public_key").is_none());

        let updated = api
            .patch(
                &format!("{KEYS}/{id}"),
                &p.secret,
                &json!({"token_ttl_seconds": 120, "result_delivery_cta": null}),
            )
            .await
            .expect(200);
        assert_eq!(updated["token_ttl_seconds"], 120);
        assert_eq!(updated["result_delivery_cta"], json!(null));
        assert_eq!(updated["csv_export_enabled"], true);

        let revoked = api
            .delete(&format!("{KEYS}/{id}"), &p.secret)
            .await
            .expect(200);
        assert_eq!(revoked["status"], "revoked");
        assert!(revoked["revoked_at"].is_string());
        server.stop().await;
    }
);

contract!(
    embed_key_input_is_validated_with_the_field_named,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        // Production mode: plain-HTTP origins are refused.
        let server =
            TestServer::start_with(store.store.clone(), dir.path().into(), |c| c.dev = false).await;
        let api = Api::new(&server);
        let p = partner(&store).await;
        for (body, field) in [
            (json!({}), "body.allowed_origins"),
            (json!({"allowed_origins": []}), "body.allowed_origins"),
            (
                json!({"allowed_origins": ["https://*.partner.example"]}),
                "body.allowed_origins[0]",
            ),
            (
                json!({"allowed_origins": ["https://ok.example", "http://localhost:3000"]}),
                "body.allowed_origins[1]",
            ),
            (
                json!({"allowed_origins": ["http://partner.example"]}),
                "body.allowed_origins[0]",
            ),
            (
                json!({"allowed_origins": ["not a url"]}),
                "body.allowed_origins[0]",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "token_ttl_seconds": 30}),
                "body.token_ttl_seconds",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "token_ttl_seconds": 7200}),
                "body.token_ttl_seconds",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "credit_units_per_record": 0}),
                "body.credit_units_per_record",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "result_delivery_url": "http://a.example/x"}),
                "body.result_delivery_url",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "limits": {"monthly_credit_units": -1}}),
                "body.limits.monthly_credit_units",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "limits": {"monthly_credits": 1}}),
                "body.limits.monthly_credits",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "credit_enforcement_mode": "sometimes"}),
                "body.credit_enforcement_mode",
            ),
            (
                json!({"allowed_origins": ["https://a.example"], "surprise": true}),
                "body.surprise",
            ),
        ] {
            let answer = api.post(KEYS, &p.secret, &body).await;
            answer.expect_error(400, "invalid_body");
            assert_eq!(answer.field(), field, "{body}: {}", answer.body);
        }
        // Nothing was half-written.
        assert_eq!(
            api.get(KEYS, &p.secret).await.expect(200)["data"],
            json!([])
        );
        server.stop().await;
    }
);

contract!(
    embed_keys_are_isolated_between_partners_and_modes,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(store.store.clone(), dir.path().into()).await;
        let api = Api::new(&server);
        let owner = partner(&store).await;
        let other = partner(&store).await;
        let sandbox = add_key(&store, &owner.partner_id, Mode::Test, &Scope::ALL).await;

        let created = api
            .embed_key(
                &owner.secret,
                json!({"allowed_origins": ["https://a.example"]}),
            )
            .await;
        let id = created["embed_key"]["id"].as_str().unwrap().to_owned();
        let path = format!("{KEYS}/{id}");
        for key in [&other.secret, &sandbox.secret] {
            api.get(&path, key).await.expect_error(404, "not_found");
            api.patch(&path, key, &json!({"token_ttl_seconds": 120}))
                .await
                .expect_error(404, "not_found");
            api.delete(&path, key).await.expect_error(404, "not_found");
            assert_eq!(api.get(KEYS, key).await.expect(200)["data"], json!([]));
        }
        // Untouched by the attempts.
        let still = api.get(&path, &owner.secret).await.expect(200);
        assert_eq!(
            (
                still["status"].as_str(),
                still["token_ttl_seconds"].as_i64()
            ),
            (Some("active"), Some(900))
        );
        // A sandbox key makes sandbox keys.
        let test_key = api
            .embed_key(
                &sandbox.secret,
                json!({"allowed_origins": ["https://a.example"]}),
            )
            .await;
        assert!(test_key["public_key"]
            .as_str()
            .unwrap()
            .starts_with("qpk_test_"));
        assert_eq!(test_key["embed_key"]["mode"], "test");
        assert_eq!(
            api.get(KEYS, &owner.secret).await.expect(200)["data"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        server.stop().await;
    }
);
