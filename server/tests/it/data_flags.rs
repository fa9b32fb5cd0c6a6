//! Data flags on both databases: a flag on a record the customer bought in the
//! last 30 days credits its units back once, as a `flag_credit` ledger entry the
//! wallet counts; flagging again, an older or an unowned record is recorded with
//! the reason nothing was credited; 50 concurrent flags credit once; enough
//! customers reporting a bounced e-mail demote it, and search shows it.

use std::time::{Duration, Instant};

use quarry_server::partners::{Mode, Tenant};
use quarry_server::prospecting::prospect_id;
use serde_json::{json, Value};

use crate::contract;
use crate::support::{buy, partner, EmbedSetup, EMBED_ORIGIN};

fn ids(page: &Value) -> Vec<u32> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| prospect_id::decode(p["prospect_id"].as_str().unwrap()).unwrap())
        .collect()
}

async fn balance(s: &EmbedSetup) -> i64 {
    let wallet = s
        .api
        .get(
            &format!("/v1/partner-customers/{}/wallet", s.customer),
            &s.partner.secret,
        )
        .await
        .expect(200);
    wallet["wallet"]["available_credit_units"]
        .as_i64()
        .unwrap_or_else(|| panic!("no balance in {wallet}"))
}

contract!(a_recent_purchase_is_credited_back_once, |store, _db| {
    let s = EmbedSetup::start(&store, 1_000, json!({"credit_units_per_record": 3}), |_| {}).await;
    s.grant(100).await;
    let tenant = Tenant {
        partner_id: s.partner.partner_id.clone(),
        mode: Mode::Live,
    };
    let (_, page) = s.search("sales people", 10).await;
    let people = ids(&page);
    buy(&store, &tenant, &s.customer, &people[..4], 3)
        .await
        .unwrap();
    let before = balance(&s).await;
    let flag = |prospect: u32, reason: &str| {
        let s = &s;
        let body = json!({"prospect_id": prospect_id::encode(prospect), "reason": reason, "note": "bounced twice"});
        async move {
            s.api
                .post("/v1/prospecting/data-flags", &s.token, &body)
                .await
        }
    };
    let first = flag(people[0], "bounced_email").await.expect(201);
    assert_eq!(first["credited"], true, "{first}");
    assert_eq!(first["credited_units"], 3);
    assert_eq!(first["source"], "widget");
    assert!(first["grant_id"].is_string());
    assert_eq!(balance(&s).await, before + 3);
    let ledger = s
        .api
        .get(
            &format!("/v1/partner-customers/{}/wallet/ledger", s.customer),
            &s.partner.secret,
        )
        .await
        .expect(200);
    let credits: Vec<&Value> = ledger["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "flag_credit")
        .collect();
    assert_eq!(credits.len(), 1, "{ledger}");
    assert_eq!(credits[0]["credit_units"], 3);

    // Again: recorded, not credited.
    let again = flag(people[0], "wrong_phone").await.expect(201);
    assert_eq!(
        (
            again["credited"].as_bool(),
            again["no_credit_reason"].as_str()
        ),
        (Some(false), Some("already_credited"))
    );
    // Not bought: recorded, not credited.
    let unowned = flag(people[5], "left_company").await.expect(201);
    assert_eq!(unowned["no_credit_reason"], "not_owned");
    // Bought 31 days ago: recorded, not credited.
    store
        .execute(&format!(
            "update owned_record set bought_at = {} where partner_customer_id = '{}' and person = {}",
            crate::support::now() - 31 * 86_400,
            s.customer,
            people[1]
        ))
        .await;
    let old = flag(people[1], "wrong_title").await.expect(201);
    assert_eq!(old["no_credit_reason"], "too_old");
    assert_eq!(balance(&s).await, before + 3);

    // Bad input names the field; nothing is written.
    let n = store.scalar("select count(*) from data_flag").await;
    for (body, field) in [
        (
            json!({"prospect_id": prospect_id::encode(people[2]), "reason": "spam"}),
            "body.reason",
        ),
        (
            json!({"prospect_id": "person-7", "reason": "other"}),
            "body.prospect_id",
        ),
        (
            json!({"prospect_id": prospect_id::encode(people[2]), "reason": "other", "note": "n".repeat(1_001)}),
            "body.note",
        ),
    ] {
        let answer = s
            .api
            .post("/v1/prospecting/data-flags", &s.token, &body)
            .await;
        assert_eq!(
            (answer.status.as_u16(), answer.field()),
            (400, field),
            "{}",
            answer.body
        );
    }
    s.api
        .post(
            "/v1/prospecting/data-flags",
            &s.token,
            &json!({"prospect_id": "pr_999999999", "reason": "other"}),
        )
        .await
        .expect_error(404, "not_found");
    assert_eq!(store.scalar("select count(*) from data_flag").await, n);

    // The partner's backend flags by person_id, for a customer or for itself.
    let full = s
        .api
        .get(
            "/v1/persons/search?q=sales+people&limit=10",
            &s.partner.secret,
        )
        .await
        .expect(200);
    let pid = full["data"][0]["person_id"].as_str().unwrap().to_owned();
    let mine = s
        .api
        .post(
            "/v1/data-flags",
            &s.partner.secret,
            &json!({"person_id": pid, "reason": "other"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (mine["source"].as_str(), mine["no_credit_reason"].as_str()),
        (Some("api"), Some("no_customer"))
    );
    s.api
        .post(
            "/v1/data-flags",
            &s.partner.secret,
            &json!({"person_id": pid, "prospect_id": "pr_1", "reason": "other"}),
        )
        .await
        .expect_error(400, "invalid_body");
    s.api
        .post(
            "/v1/data-flags",
            &s.partner.secret,
            &json!({"person_id": "nobody", "reason": "other"}),
        )
        .await
        .expect_error(404, "not_found");
    let stranger = partner(&store).await;
    s.api
        .post(
            "/v1/data-flags",
            &stranger.secret,
            &json!({"person_id": pid, "partner_customer_id": s.customer, "reason": "other"}),
        )
        .await
        .expect_error(404, "not_found");
    let list = s
        .api
        .get("/v1/data-flags?limit=3", &s.partner.secret)
        .await
        .expect(200);
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
    assert_eq!(list["data"][0]["id"], mine["id"], "newest first");
    assert!(list["pagination"]["next_cursor"].is_string());
    let theirs = s
        .api
        .get("/v1/data-flags", &stranger.secret)
        .await
        .expect(200);
    assert_eq!(theirs["data"], json!([]));
});

contract!(fifty_concurrent_flags_credit_once, |store, _db| {
    let s = EmbedSetup::start(&store, 500, json!({"credit_units_per_record": 2}), |_| {}).await;
    s.grant(50).await;
    let tenant = Tenant {
        partner_id: s.partner.partner_id.clone(),
        mode: Mode::Live,
    };
    let (_, page) = s.search("sales people", 3).await;
    let person = ids(&page)[0];
    buy(&store, &tenant, &s.customer, &[person], 2)
        .await
        .unwrap();
    let before = balance(&s).await;
    let body = json!({"prospect_id": prospect_id::encode(person), "reason": "bounced_email"});
    let answers = futures::future::join_all(
        (0..50).map(|_| s.api.post("/v1/prospecting/data-flags", &s.token, &body)),
    )
    .await;
    let credited = answers
        .iter()
        .filter(|a| a.status.as_u16() == 201 && a.body["credited"] == true)
        .count();
    assert!(
        answers.iter().all(|a| a.status.as_u16() == 201),
        "every flag is recorded"
    );
    assert_eq!(credited, 1);
    assert_eq!(balance(&s).await, before + 2);
    assert_eq!(
        store
            .scalar("select count(*) from wallet_ledger where kind = 'flag_credit'")
            .await,
        1
    );
    assert_eq!(store.scalar("select count(*) from data_flag").await, 50);
});

contract!(
    bounced_emails_reported_by_two_customers_are_demoted,
    |store, _db| {
        let s = EmbedSetup::start(&store, 800, json!({}), |c| c.index_refresh_secs = 1).await;
        let full = s
            .api
            .get(
                "/v1/persons/search?q=sales+people&email_status=verified&limit=1",
                &s.partner.secret,
            )
            .await
            .expect(200);
        let pid = full["data"][0]["person_id"].as_str().unwrap().to_owned();
        let invalid_before = s
            .api
            .get(
                "/v1/persons/search?q=sales+people&email_status=invalid&limit=100",
                &s.partner.secret,
            )
            .await
            .expect(200)["pagination"]["total_records"]
            .as_u64()
            .unwrap();
        // Two customers of the partner report it bounced.
        let other = s
            .api
            .session(
                Some(EMBED_ORIGIN),
                &json!({"partner_key": s.key["public_key"], "customer_id": "globex"}),
            )
            .await
            .expect(201);
        let other_customer = other["partner_customer_id"].as_str().unwrap().to_owned();
        let third = s
            .api
            .session(
                Some(EMBED_ORIGIN),
                &json!({"partner_key": s.key["public_key"], "customer_id": "initech"}),
            )
            .await
            .expect(201);
        let third_customer = third["partner_customer_id"].as_str().unwrap().to_owned();
        // Reporters count only when they bought the record: the first two did.
        let tenant = Tenant {
            partner_id: s.partner.partner_id.clone(),
            mode: Mode::Live,
        };
        let id = u32::try_from(
            store
                .scalar(&format!("select id from person where person_id = '{pid}'"))
                .await,
        )
        .unwrap();
        for customer in [&s.customer, &other_customer] {
            buy(&store, &tenant, customer, &[id], 0).await.unwrap();
        }
        let flag = |customer: &str| {
            let s = &s;
            let body = json!({"person_id": pid, "partner_customer_id": customer, "reason": "bounced_email"});
            async move {
                s.api
                    .post("/v1/data-flags", &s.partner.secret, &body)
                    .await
                    .expect(201)
            }
        };
        assert_eq!(flag(&s.customer).await["email_demoted"], false);
        assert_eq!(
            flag(&s.customer).await["email_demoted"],
            false,
            "one customer twice is one reporter"
        );
        assert_eq!(
            flag(&third_customer).await["email_demoted"],
            false,
            "a customer who never bought it does not count"
        );
        assert_eq!(flag(&other_customer).await["email_demoted"], true);
        assert_eq!(
        store
            .scalar(&format!("select count(*) from person where person_id = '{pid}' and email_status = 'invalid'"))
            .await,
        1
    );
        // The index follows: the record is now among the invalid e-mails.
        let started = Instant::now();
        loop {
            let now = s
                .api
                .get(
                    "/v1/persons/search?q=sales+people&email_status=invalid&limit=100",
                    &s.partner.secret,
                )
                .await
                .expect(200);
            if now["pagination"]["total_records"].as_u64() == Some(invalid_before + 1) {
                assert!(now["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["person_id"] == pid.as_str()));
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the index never showed the demotion"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
);
