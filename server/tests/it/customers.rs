//! Partner customers and wallets over HTTP: create, list with a cursor, read,
//! update, validation with the field named, grants, the reference wallet shape,
//! the ledger, and isolation between partners and between live and sandbox.

use quarry_server::partners::keys::Scope;
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::SpendRequest;
use serde_json::{json, Value};

use crate::api::Api;
use crate::contract;
use crate::support::{add_key, now, partner, TestServer};

const CUSTOMERS: &str = "/v1/partner-customers";

fn iso(unix: i64) -> String {
    quarry_server::http::iso8601(unix)
}

contract!(
    customers_are_created_read_updated_and_listed,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(store.store.clone(), dir.path().into()).await;
        let api = Api::new(&server);
        let p = partner(&store).await;

        let created = api
            .post(
                CUSTOMERS,
                &p.secret,
                &json!({"customer_id": "acme-42", "name": "Acme"}),
            )
            .await
            .expect(201);
        let id = created["partner_customer_id"].as_str().unwrap().to_owned();
        assert_eq!(created["external_customer_id"], "acme-42");
        assert_eq!(created["status"], "active");
        assert_eq!(created["credit_enforcement_mode"], "metered");
        assert_eq!(created["credit_reset_policy"], "monthly_reset");
        // Both actions are allowed, but neither is set up (no URL, CSV off), so
        // none can be used yet.
        assert_eq!(
            created["own_settings"]["allowed_result_actions"],
            json!(["push_endpoint", "csv_export"])
        );
        assert_eq!(created["allowed_result_actions"], json!([]));
        assert_eq!(created["csv_export_enabled"], false);

        let dup = api
            .post(CUSTOMERS, &p.secret, &json!({"customer_id": "acme-42"}))
            .await;
        dup.expect_error(409, "customer_already_exists");
        assert_eq!(dup.field(), "body.customer_id");

        let path = format!("{CUSTOMERS}/{id}");
        let updated = api
        .patch(&path, &p.secret, &json!({"status": "suspended", "credit_enforcement_mode": "enforced",
            "limits": {"monthly_search_sessions": 5, "lifetime_record_reveals": 100},
            "allowed_result_actions": ["csv_export"], "csv_export_enabled": true,
            "result_delivery_url": "https://crm.example/hook", "result_delivery_cta": "Add to CRM", "name": null}))
        .await
        .expect(200);
        assert_eq!(updated["status"], "suspended");
        assert_eq!(
            updated["limits"],
            json!({"monthly_search_sessions": 5, "lifetime_record_reveals": 100})
        );
        assert_eq!(updated["allowed_result_actions"], json!(["csv_export"]));
        assert_eq!(
            updated["result_action_labels"],
            json!({"csv_export": "Export CSV"})
        );
        assert_eq!(updated["csv_export_enabled"], true);
        assert_eq!(updated["result_delivery_url"], "https://crm.example/hook");
        assert_eq!(
            updated["own_settings"],
            json!({"allowed_result_actions": ["csv_export"], "csv_export_enabled": true,
                   "result_delivery_url": "https://crm.example/hook", "result_delivery_cta": "Add to CRM"})
        );
        assert_eq!(updated["name"], json!(null));
        assert_eq!(api.get(&path, &p.secret).await.expect(200), updated);

        for (body, field) in [
            (json!({"status": "deleted"}), "body.status"),
            (
                json!({"limits": {"monthly_search_sessions": -1}}),
                "body.limits.monthly_search_sessions",
            ),
            (
                json!({"result_delivery_url": "ftp://x.example"}),
                "body.result_delivery_url",
            ),
            (
                json!({"result_delivery_cta": ""}),
                "body.result_delivery_cta",
            ),
            (
                json!({"allowed_result_actions": ["teleport"]}),
                "body.allowed_result_actions[0]",
            ),
            (json!({"customer_id": "renamed"}), "body.customer_id"),
        ] {
            let answer = api.patch(&path, &p.secret, &body).await;
            answer.expect_error(400, "invalid_body");
            assert_eq!(answer.field(), field, "{body}");
        }
        assert_eq!(
            api.get(&path, &p.secret).await.expect(200),
            updated,
            "a refused update changed something"
        );
        for (body, field) in [
            (json!({}), "body.customer_id"),
            (json!({"customer_id": "  "}), "body.customer_id"),
            (
                json!({"customer_id": "x", "credit_reset_policy": "weekly"}),
                "body.credit_reset_policy",
            ),
        ] {
            let answer = api.post(CUSTOMERS, &p.secret, &body).await;
            answer.expect_error(400, "invalid_body");
            assert_eq!(answer.field(), field, "{body}");
        }

        // Five more, then page through all six two at a time.
        for i in 0..5 {
            api.post(
                CUSTOMERS,
                &p.secret,
                &json!({"customer_id": format!("c-{i}")}),
            )
            .await
            .expect(201);
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("{CUSTOMERS}?limit=2&cursor={c}"),
                None => format!("{CUSTOMERS}?limit=2"),
            };
            let page = api.get(&path, &p.secret).await.expect(200);
            assert!(page["data"].as_array().unwrap().len() <= 2);
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["external_customer_id"].as_str().unwrap().to_owned()),
            );
            match page["pagination"]["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, vec!["acme-42", "c-0", "c-1", "c-2", "c-3", "c-4"]);
        let first = api
            .get(&format!("{CUSTOMERS}?limit=2"), &p.secret)
            .await
            .expect(200);
        let c = first["pagination"]["next_cursor"].as_str().unwrap();
        let mut tampered = c.to_owned();
        tampered.replace_range(0..1, if c.starts_with('A') { "B" } else { "A" });
        api.get(&format!("{CUSTOMERS}?cursor={tampered}"), &p.secret)
            .await
            .expect_error(400, "invalid_cursor");
        api.get(&format!("{CUSTOMERS}?limit=0"), &p.secret)
            .await
            .expect_error(400, "invalid_parameter");
        // A cursor is bound to its partner.
        let other = partner(&store).await;
        api.get(&format!("{CUSTOMERS}?cursor={c}"), &other.secret)
            .await
            .expect_error(400, "invalid_cursor");
        server.stop().await;
    }
);

contract!(
    wallets_show_grants_usage_limits_and_the_ledger,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(store.store.clone(), dir.path().into()).await;
        let api = Api::new(&server);
        let p = partner(&store).await;
        let created = api
        .post(CUSTOMERS, &p.secret, &json!({"customer_id": "acme", "credit_enforcement_mode": "enforced",
            "credit_reset_policy": "monthly_reset", "limits": {"monthly_credit_units": 100, "monthly_search_sessions": 20},
            "csv_export_enabled": true, "result_delivery_url": "https://crm.example/hook", "result_delivery_cta": "Add to HubSpot"}))
        .await
        .expect(201);
        let id = created["partner_customer_id"].as_str().unwrap().to_owned();
        let wallet_path = format!("{CUSTOMERS}/{id}/wallet");
        let credits = format!("{wallet_path}/credits");

        let empty = api.get(&wallet_path, &p.secret).await.expect(200);
        assert_eq!(empty["wallet"]["available_credit_units"], 0);
        assert_eq!(empty["wallet"]["limit_state"]["can_reveal"], false);
        assert_eq!(
            empty["wallet"]["limit_state"]["reveal_block_reason"],
            "insufficient_credits"
        );

        let t = now();
        let granted = api
            .post(
                &credits,
                &p.secret,
                &json!({"credit_units": 100, "credit_type": "prepaid", "note": "welcome",
            "expires_at": iso(t + 86_400 * 90)}),
            )
            .await
            .expect(201);
        assert_eq!(granted["credit_grant"]["credit_units_granted"], 100);
        assert_eq!(granted["credit_grant"]["partner_customer_id"], id.as_str());
        assert!(granted["credit_grant"]["id"]
            .as_str()
            .unwrap()
            .starts_with("grant_"));
        assert_eq!(granted["wallet"]["available_credit_units"], 100);
        // A grant starting tomorrow is not spendable yet; one already expired never is.
        api.post(
            &credits,
            &p.secret,
            &json!({"credit_units": 50, "starts_at": iso(t + 86_400)}),
        )
        .await
        .expect(201);
        api.post(
            &credits,
            &p.secret,
            &json!({"credit_units": 30, "starts_at": iso(t - 7200), "expires_at": iso(t - 3600)}),
        )
        .await
        .expect(201);

        let tenant = Tenant {
            partner_id: p.partner_id.clone(),
            mode: Mode::Live,
        };
        let spend = SpendRequest {
            units: 25,
            records: 21,
            user_id: Some("u-7"),
            reference: Some("purchase-1"),
        };
        store
            .spend(&tenant, &id, spend, now())
            .await
            .unwrap()
            .unwrap();

        let wallet = api.get(&wallet_path, &p.secret).await.expect(200);
        let expected = json!({
            "available_credit_units": 75, "granted_credit_units": 100, "applied_credit_units": 25,
            "monthly_applied_credit_units": 25, "lifetime_applied_credit_units": 25,
            "credit_enforcement_mode": "enforced", "credit_reset_policy": "monthly_reset", "active_credit_grants": 1,
            "monthly_credit_units_used": 25, "lifetime_credit_units_used": 25,
            "limits": {"monthly_credit_units": 100, "monthly_search_sessions": 20},
            "usage": {"monthly_credit_units": 25, "lifetime_credit_units": 25, "monthly_search_sessions": 0,
                      "lifetime_search_sessions": 0, "monthly_record_reveals": 21, "lifetime_record_reveals": 21},
            "limit_state": {"can_search": true, "can_reveal": true, "search_block_reason": null, "reveal_block_reason": null},
            "overage_credit_units": 0,
            "allowed_result_actions": ["push_endpoint", "csv_export"],
            "result_action_labels": {"push_endpoint": "Add to HubSpot", "csv_export": "Export CSV"}
        });
        assert_eq!(wallet["wallet"], expected);
        assert_eq!(wallet["partner_customer_id"], id.as_str());
        assert_eq!(wallet["status"], "active");
        assert_eq!(
            wallet["result_action_labels"],
            expected["result_action_labels"]
        );

        for (body, field) in [
            (json!({"credit_units": 0}), "body.credit_units"),
            (json!({"credit_units": -5}), "body.credit_units"),
            (json!({"credit_units": "ten"}), "body.credit_units"),
            (json!({}), "body.credit_units"),
            (
                json!({"credit_units": 5, "starts_at": iso(t), "expires_at": iso(t)}),
                "body.expires_at",
            ),
            (
                json!({"credit_units": 5, "starts_at": iso(t), "expires_at": iso(t - 1)}),
                "body.expires_at",
            ),
            (
                json!({"credit_units": 5, "starts_at": "tomorrow"}),
                "body.starts_at",
            ),
            (
                json!({"credit_units": 5, "note": "x".repeat(501)}),
                "body.note",
            ),
        ] {
            let answer = api.post(&credits, &p.secret, &body).await;
            answer.expect_error(400, "invalid_body");
            assert_eq!(answer.field(), field, "{body}");
        }

        // The ledger: three grants, then the spend and the reveal, paged two at a time.
        let mut entries: Vec<Value> = Vec::new();
        let mut path = format!("{wallet_path}/ledger?limit=2");
        loop {
            let page = api.get(&path, &p.secret).await.expect(200);
            entries.extend(page["data"].as_array().unwrap().iter().cloned());
            match page["pagination"]["next_cursor"].as_str() {
                Some(c) => path = format!("{wallet_path}/ledger?limit=2&cursor={c}"),
                None => break,
            }
        }
        let kinds: Vec<(&str, i64)> = entries
            .iter()
            .map(|e| {
                (
                    e["kind"].as_str().unwrap(),
                    e["credit_units"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("grant", 100),
                ("grant", 50),
                ("grant", 30),
                ("spend", 25),
                ("reveal", 21)
            ]
        );
        assert_eq!(entries[3]["grant_id"], granted["credit_grant"]["id"]);
        assert_eq!(entries[3]["user_id"], "u-7");
        assert_eq!(entries[3]["reference"], "purchase-1");

        // Limit state follows the customer: suspended blocks both.
        api.patch(
            &format!("{CUSTOMERS}/{id}"),
            &p.secret,
            &json!({"status": "suspended"}),
        )
        .await
        .expect(200);
        let wallet = api.get(&wallet_path, &p.secret).await.expect(200);
        assert_eq!(wallet["status"], "suspended");
        assert_eq!(
            wallet["wallet"]["limit_state"],
            json!({"can_search": false, "can_reveal": false, "search_block_reason": "customer_suspended",
               "reveal_block_reason": "customer_suspended"})
        );
        // A metered customer without grants has no finite wallet.
        let metered = api
            .post(CUSTOMERS, &p.secret, &json!({"customer_id": "metered"}))
            .await
            .expect(201);
        let mid = metered["partner_customer_id"].as_str().unwrap();
        let wallet = api
            .get(&format!("{CUSTOMERS}/{mid}/wallet"), &p.secret)
            .await
            .expect(200);
        assert_eq!(wallet["wallet"]["available_credit_units"], json!(null));
        assert_eq!(wallet["wallet"]["limit_state"]["can_reveal"], true);
        // No delivery URL and no CSV: no actions, whatever is allowed.
        assert_eq!(wallet["allowed_result_actions"], json!([]));
        server.stop().await;
    }
);

contract!(
    customers_and_wallets_are_isolated_between_partners_and_modes,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(store.store.clone(), dir.path().into()).await;
        let api = Api::new(&server);
        let owner = partner(&store).await;
        let other = partner(&store).await;
        let sandbox = add_key(&store, &owner.partner_id, Mode::Test, &Scope::ALL).await;
        let created = api
            .post(CUSTOMERS, &owner.secret, &json!({"customer_id": "acme"}))
            .await
            .expect(201);
        let id = created["partner_customer_id"].as_str().unwrap().to_owned();
        api.post(
            &format!("{CUSTOMERS}/{id}/wallet/credits"),
            &owner.secret,
            &json!({"credit_units": 10}),
        )
        .await
        .expect(201);
        let before = api
            .get(&format!("{CUSTOMERS}/{id}/wallet"), &owner.secret)
            .await
            .expect(200);

        for key in [&other.secret, &sandbox.secret] {
            api.get(&format!("{CUSTOMERS}/{id}"), key)
                .await
                .expect_error(404, "not_found");
            api.patch(
                &format!("{CUSTOMERS}/{id}"),
                key,
                &json!({"status": "suspended"}),
            )
            .await
            .expect_error(404, "not_found");
            api.get(&format!("{CUSTOMERS}/{id}/wallet"), key)
                .await
                .expect_error(404, "not_found");
            api.post(
                &format!("{CUSTOMERS}/{id}/wallet/credits"),
                key,
                &json!({"credit_units": 1000}),
            )
            .await
            .expect_error(404, "not_found");
            api.get(&format!("{CUSTOMERS}/{id}/wallet/ledger"), key)
                .await
                .expect_error(404, "not_found");
            assert_eq!(api.get(CUSTOMERS, key).await.expect(200)["data"], json!([]));
            // The same external id is free in another tenant: a separate customer.
            let theirs = api
                .post(CUSTOMERS, key, &json!({"customer_id": "acme"}))
                .await
                .expect(201);
            assert_ne!(theirs["partner_customer_id"], id.as_str());
        }
        let after = api
            .get(&format!("{CUSTOMERS}/{id}/wallet"), &owner.secret)
            .await
            .expect(200);
        assert_eq!(before, after, "another tenant changed this wallet");
        assert_eq!(
            api.get(&format!("{CUSTOMERS}/{id}"), &owner.secret)
                .await
                .expect(200)["status"],
            "active"
        );

        // The store refuses a spend across tenants too.
        let foreign = Tenant {
            partner_id: other.partner_id.clone(),
            mode: Mode::Live,
        };
        let spend = SpendRequest {
            units: 1,
            records: 1,
            user_id: None,
            reference: None,
        };
        let refused = store.spend(&foreign, &id, spend, now()).await.unwrap();
        assert!(
            matches!(refused, Err(quarry_server::store::SpendRefusal::NotFound)),
            "{refused:?}"
        );
        server.stop().await;
    }
);

contract!(concurrent_updates_never_lose_each_other, |store, _db| {
    let (server, api, p) = crate::support::serve(&store).await;
    let key = api
        .embed_key(
            &p.secret,
            json!({"allowed_origins": ["https://app.partner.example"]}),
        )
        .await;
    let key_path = format!(
        "/v1/prospecting/embed-keys/{}",
        key["embed_key"]["id"].as_str().unwrap()
    );
    for round in 0..25 {
        let created = api
            .post(
                CUSTOMERS,
                &p.secret,
                &json!({"customer_id": format!("c-{round}")}),
            )
            .await
            .expect(201);
        let path = format!(
            "{CUSTOMERS}/{}",
            created["partner_customer_id"].as_str().unwrap()
        );
        let limits = json!({"limits": {"monthly_credit_units": round}});
        let suspend = json!({"status": "suspended"});
        let name = json!({"name": format!("Customer {round}")});
        let (a, b, c) = tokio::join!(
            api.patch(&path, &p.secret, &suspend),
            api.patch(&path, &p.secret, &limits),
            api.patch(&path, &p.secret, &name),
        );
        for answer in [a, b, c] {
            answer.expect(200);
        }
        let now = api.get(&path, &p.secret).await.expect(200);
        assert_eq!(now["status"], "suspended", "round {round}: {now}");
        assert_eq!(
            now["limits"]["monthly_credit_units"], round,
            "round {round}: {now}"
        );
        assert_eq!(
            now["name"],
            format!("Customer {round}"),
            "round {round}: {now}"
        );

        let ttl = 120 + round;
        let csv = json!({"csv_export_enabled": round % 2 == 0});
        let ttl_body = json!({"token_ttl_seconds": ttl});
        let (a, b) = tokio::join!(
            api.patch(&key_path, &p.secret, &csv),
            api.patch(&key_path, &p.secret, &ttl_body),
        );
        a.expect(200);
        b.expect(200);
        let k = api.get(&key_path, &p.secret).await.expect(200);
        assert_eq!(
            k["csv_export_enabled"],
            round % 2 == 0,
            "round {round}: {k}"
        );
        assert_eq!(k["token_ttl_seconds"], ttl, "round {round}: {k}");
    }
    server.stop().await;
});

contract!(customer_views_show_the_settings_that_apply, |store, _db| {
    let (server, api, p) = crate::support::serve(&store).await;
    let origin = "https://app.partner.example";
    let key = api
        .embed_key(
            &p.secret,
            json!({"allowed_origins": [origin], "csv_export_enabled": true,
                       "result_delivery_url": "https://crm.partner.example/hook",
                       "result_delivery_cta": "Add to CRM"}),
        )
        .await;
    let session = api.customer_session(origin, &key, "acme").await;
    let id = session["partner_customer_id"].as_str().unwrap();
    let view = api
        .get(&format!("{CUSTOMERS}/{id}"), &p.secret)
        .await
        .expect(200);
    // What the customer can do, merged over its key: it can export.
    assert_eq!(view["csv_export_enabled"], true, "{view}");
    assert_eq!(
        view["result_delivery_url"],
        "https://crm.partner.example/hook"
    );
    assert_eq!(view["result_delivery_cta"], "Add to CRM");
    assert_eq!(
        view["allowed_result_actions"],
        json!(["push_endpoint", "csv_export"])
    );
    // The wallet views, the partner's and the iframe's, offer the same actions.
    let token = session["token"].as_str().unwrap();
    for wallet in [
        api.get(&format!("{CUSTOMERS}/{id}/wallet"), &p.secret)
            .await
            .expect(200),
        api.get("/v1/prospecting/wallet", token).await.expect(200),
    ] {
        assert_eq!(
            wallet["allowed_result_actions"],
            json!(["push_endpoint", "csv_export"]),
            "{wallet}"
        );
        assert_eq!(
            wallet["result_action_labels"]["push_endpoint"], "Add to CRM",
            "{wallet}"
        );
    }
    // And what is set on the customer itself, which PATCH changes.
    assert_eq!(view["own_settings"]["csv_export_enabled"], false, "{view}");
    assert_eq!(view["own_settings"]["result_delivery_url"], Value::Null);
    assert_eq!(view["settings_embed_key_id"], key["embed_key"]["id"]);
    // The customer's own URL wins over the key's.
    let patched = api
        .patch(
            &format!("{CUSTOMERS}/{id}"),
            &p.secret,
            &json!({"result_delivery_url": "https://own.partner.example/hook",
                        "allowed_result_actions": ["push_endpoint"]}),
        )
        .await
        .expect(200);
    assert_eq!(
        patched["result_delivery_url"],
        "https://own.partner.example/hook"
    );
    assert_eq!(patched["allowed_result_actions"], json!(["push_endpoint"]));
    assert_eq!(
        patched["csv_export_enabled"], false,
        "export is no longer allowed"
    );
    // The list shows the same.
    let list = api.get(CUSTOMERS, &p.secret).await.expect(200);
    assert_eq!(list["data"][0], patched);
    server.stop().await;
});
