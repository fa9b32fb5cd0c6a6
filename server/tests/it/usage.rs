//! `GET /v1/usage`: successful requests and the ledger per customer over a date
//! range, for the calling partner only.

use quarry_server::partners::{Mode, Tenant};
use serde_json::json;

use crate::contract;
use crate::support::{now, partner};

contract!(
    usage_counts_requests_and_billable_records_per_customer,
    |store, _db| {
        let (server, api, p) = crate::support::serve(&store).await;
        let mut ids = Vec::new();
        for name in ["acme", "globex"] {
            let c = api
                .post(
                    "/v1/partner-customers",
                    &p.secret,
                    &json!({"customer_id": name}),
                )
                .await
                .expect(201);
            let id = c["partner_customer_id"].as_str().unwrap().to_owned();
            api.post(
                &format!("/v1/partner-customers/{id}/wallet/credits"),
                &p.secret,
                &json!({"credit_units": 100}),
            )
            .await
            .expect(201);
            ids.push(id);
        }
        for _ in 0..3 {
            api.get("/v1/partner-customers", &p.secret)
                .await
                .expect(200);
        }
        // Refused requests are not counted.
        api.get("/v1/partner-customers/pc_nope", &p.secret)
            .await
            .expect_error(404, "not_found");
        let tenant = Tenant {
            partner_id: p.partner_id.clone(),
            mode: Mode::Live,
        };
        crate::support::buy(&store, &tenant, &ids[0], &[1, 2, 3], 2)
            .await
            .unwrap();
        crate::support::buy(&store, &tenant, &ids[1], &[1], 2)
            .await
            .unwrap();

        let usage = api.get("/v1/usage", &p.secret).await.expect(200);
        assert_eq!(usage["requests"], 7, "{usage}");
        assert_eq!(usage["billable_records"], 4);
        assert_eq!(usage["credit_units"], 8);
        assert_eq!(usage["customers"][0]["external_customer_id"], "acme");
        assert_eq!(usage["customers"][0]["billable_records"], 3);
        assert_eq!(usage["customers"][1]["billable_records"], 1);

        let tomorrow = quarry_server::http::iso8601(now() + 86_400);
        let later = api
            .get(&format!("/v1/usage?from={}", &tomorrow[..10]), &p.secret)
            .await;
        // from after the default `to` (now) is an empty range: refused.
        later.expect_error(400, "invalid_parameter");
        let future = api
            .get(
                &format!("/v1/usage?from={}&to={}", &tomorrow[..10], "2100-01-01"),
                &p.secret,
            )
            .await
            .expect(200);
        assert_eq!(
            (
                future["billable_records"].as_i64(),
                future["customers"].as_array().unwrap().len()
            ),
            (Some(0), 0)
        );
        let bad = api.get("/v1/usage?from=yesterday", &p.secret).await;
        bad.expect_error(400, "invalid_parameter");
        assert_eq!(bad.field(), "from");
        let other = partner(&store).await;
        let theirs = api.get("/v1/usage", &other.secret).await.expect(200);
        assert_eq!(
            (
                theirs["requests"].as_i64(),
                theirs["billable_records"].as_i64()
            ),
            (Some(0), Some(0))
        );
        server.stop().await;
    }
);

contract!(
    usage_counts_data_api_records_and_honours_the_exact_range,
    |store, _db| {
        quarry_server::seed::seed_demo(
            &store,
            &quarry_server::seed::SeedOptions {
                people: 1_000,
                seed: 4,
                progress: false,
            },
        )
        .await
        .unwrap();
        let (server, api, p) = crate::support::serve(&store).await;
        // Requests before the range.
        for _ in 0..4 {
            api.get("/v1/partner-customers", &p.secret)
                .await
                .expect(200);
        }
        // The range starts on the next second.
        let start = now() + 1;
        while now() < start {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let from = quarry_server::http::iso8601(start);
        let search = api
            .get("/v1/persons/search?q=sales%20people&limit=7", &p.secret)
            .await
            .expect(200);
        assert_eq!(search["billable_records"], 7);
        let email = search["data"][0]["business_email"]
            .as_str()
            .unwrap()
            .to_owned();
        let lookup = api
            .get(&format!("/v1/persons/lookup?email={email}"), &p.secret)
            .await
            .expect(200);
        assert_eq!(lookup["billable_records"], 1);
        let domain = search["data"][0]["company"]["domain"]
            .as_str()
            .unwrap()
            .to_owned();
        let people = api
            .get(&format!("/v1/companies/{domain}/people?limit=3"), &p.secret)
            .await
            .expect(200);
        let company_records = people["billable_records"].as_i64().unwrap();
        assert!(company_records >= 1, "{people}");
        // The range ends at the next second; one more search comes after it.
        let end = now() + 1;
        while now() < end {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        api.get("/v1/persons/search?q=sales%20people&limit=2", &p.secret)
            .await
            .expect(200);
        let to = quarry_server::http::iso8601(end);

        let usage = api
            .get(&format!("/v1/usage?from={from}&to={to}"), &p.secret)
            .await
            .expect(200);
        let records = 7 + 1 + company_records;
        // Exactly the three data requests of the range and their records: not the
        // whole day's, not what came after `to`.
        assert_eq!(usage["data_api_billable_records"], records, "{usage}");
        assert_eq!(usage["billable_records"], records, "{usage}");
        assert_eq!(usage["requests"], 3, "{usage}");
        // Up to now: the later search and the usage request too.
        let open = api
            .get(&format!("/v1/usage?from={from}"), &p.secret)
            .await
            .expect(200);
        assert_eq!(open["data_api_billable_records"], records + 2, "{open}");
        assert_eq!(open["requests"], 3 + 1 + 1, "{open}");
        // A wider range has everything (not whole days: two minutes back).
        let wider = quarry_server::http::iso8601(start - 120);
        let day = api
            .get(&format!("/v1/usage?from={wider}"), &p.secret)
            .await
            .expect(200);
        assert_eq!(day["requests"], 4 + 3 + 1 + 2, "{day}");
        server.stop().await;
    }
);
