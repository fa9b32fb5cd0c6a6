//! Quote and CSV export over HTTP: prices that change nothing, selections checked
//! against the session, all-or-nothing purchases with owned records free, the CSV
//! columns, headers and formula neutralisation, and 100 concurrent exports of
//! overlapping selections billing every record exactly once.

use quarry_server::seed;
use serde_json::{json, Value};

use crate::api::Api;
use crate::contract;
use crate::support::urlencode;
use crate::support::{partner, TestServer};

const ORIGIN: &str = "https://app.partner.example";

struct Setup {
    server: TestServer,
    api: Api,
    token: String,
    customer: String,
    search_id: String,
    ids: Vec<String>,
}

/// A customer with `credits` on an enforced wallet, records at 2 units each, and a
/// session over sales people.
async fn setup(
    store: &quarry_server::Store,
    credits: i64,
    key: Value,
    max_selection: u32,
) -> Setup {
    seed::seed_demo(
        store,
        &seed::SeedOptions {
            people: 3000,
            seed: 5,
            progress: false,
        },
    )
    .await
    .unwrap();
    let server = TestServer::start_with(
        store.clone(),
        std::env::temp_dir().join("quarry-no-widget"),
        |c| {
            c.max_selection_records = max_selection;
        },
    )
    .await;
    let api = Api::new(&server);
    let partner = partner(store).await;
    let mut body = json!({"allowed_origins": [ORIGIN], "credit_units_per_record": 2,
                          "credit_enforcement_mode": "enforced", "csv_export_enabled": true});
    if let (Some(b), Some(extra)) = (body.as_object_mut(), key.as_object()) {
        b.extend(extra.clone());
    }
    let key = api.embed_key(&partner.secret, body).await;
    let session = api
        .session(
            Some(ORIGIN),
            &json!({"partner_key": key["public_key"], "customer_id": "acme", "user_id": "u-1"}),
        )
        .await
        .expect(201);
    let token = session["token"].as_str().unwrap().to_owned();
    let customer = session["partner_customer_id"].as_str().unwrap().to_owned();
    api.post(
        &format!("/v1/partner-customers/{customer}/wallet/credits"),
        &partner.secret,
        &json!({"credit_units": credits}),
    )
    .await
    .expect(201);
    let first = api
        .post(
            "/v1/prospecting/sessions",
            &token,
            &json!({"q": "sales people", "limit": 100}),
        )
        .await
        .expect(201);
    let ids = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["prospect_id"].as_str().unwrap().to_owned())
        .collect();
    Setup {
        server,
        api,
        token,
        customer,
        search_id: first["search_id"].as_str().unwrap().to_owned(),
        ids,
    }
}

impl Setup {
    fn path(&self, action: &str) -> String {
        format!("/v1/prospecting/sessions/{}/{action}", self.search_id)
    }

    async fn wallet(&self) -> Value {
        self.api
            .get("/v1/prospecting/wallet", &self.token)
            .await
            .expect(200)["wallet"]
            .clone()
    }

    async fn export(&self, body: &Value) -> reqwest::Response {
        self.api
            .http
            .post(format!("{}{}", self.api.base, self.path("export")))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

fn selected(ids: &[String]) -> Value {
    json!({"selection_mode": "selected", "prospect_ids": ids})
}

contract!(
    quotes_price_net_new_records_and_change_nothing,
    |store, _db| {
        let s = setup(&store, 10, json!({}), 10_000).await;
        let before = s.wallet().await;
        let quote = s
            .api
            .post(&s.path("quote"), &s.token, &selected(&s.ids[..3]))
            .await
            .expect(200);
        assert_eq!(
            quote,
            json!({"records": 3, "net_new_billable_records": 3, "already_purchased_records": 0,
               "credit_units": 6, "available_credit_units": 10, "allowed": true, "block_reason": null,
               "fits_records": 3, "max_records_per_purchase": 10_000})
        );
        let all = s
            .api
            .post(
                &s.path("quote"),
                &s.token,
                &json!({"selection_mode": "all_results"}),
            )
            .await
            .expect(200);
        assert!(all["records"].as_u64().unwrap() > 5);
        assert_eq!(
            (all["allowed"].as_bool(), all["block_reason"].as_str()),
            (Some(false), Some("insufficient_credits"))
        );
        assert_eq!(s.wallet().await, before, "a quote changed the wallet");

        let mut ids = s.ids[..2].to_vec();
        ids.extend(["pr_99999999".to_owned(), "person_1".to_owned()]);
        let answer = s
            .api
            .post(&s.path("quote"), &s.token, &selected(&ids))
            .await;
        answer.expect_error(400, "invalid_body");
        assert_eq!(answer.field(), "body.prospect_ids");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("pr_99999999") && message.contains("person_1"),
            "{message}"
        );
        for body in [
            json!({"selection_mode": "selected"}),
            json!({"selection_mode": "page", "prospect_ids": []}),
        ] {
            s.api
                .post(&s.path("quote"), &s.token, &body)
                .await
                .expect_error(400, "invalid_body");
        }
        s.api
            .post(
                &s.path("quote"),
                &s.token,
                &json!({"selection_mode": "everything"}),
            )
            .await
            .expect_error(400, "invalid_body");
        s.server.stop().await;
    }
);

contract!(all_results_is_capped, |store, _db| {
    let s = setup(&store, 100, json!({}), 5).await;
    // The quote says so, with how many one purchase can take.
    let quote = s
        .api
        .post(
            &s.path("quote"),
            &s.token,
            &json!({"selection_mode": "all_results"}),
        )
        .await
        .expect(200);
    assert_eq!(quote["allowed"], false);
    assert_eq!(quote["block_reason"], "selection_too_large");
    assert!(quote["records"].as_u64().unwrap() > 5, "{quote}");
    assert_eq!(quote["fits_records"], 5);
    assert_eq!(quote["max_records_per_purchase"], 5);
    // Buying it whole is refused; its first five are bought.
    let answer = s
        .api
        .post(
            &s.path("export"),
            &s.token,
            &json!({"selection_mode": "all_results"}),
        )
        .await;
    answer.expect_error(400, "selection_too_large");
    assert_eq!(answer.field(), "body.selection_mode");
    let first_five = json!({"selection_mode": "all_results", "limit": 5});
    let quote = s
        .api
        .post(&s.path("quote"), &s.token, &first_five)
        .await
        .expect(200);
    assert_eq!(
        (quote["allowed"].as_bool(), quote["records"].as_u64()),
        (Some(true), Some(5))
    );
    let response = s.export(&first_five).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-exported-records"], "5");
    // In the session's order: the first five of its first page.
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let exported: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(exported, s.ids[..5]);
    s.server.stop().await;
});

contract!(quotes_say_how_many_fit_and_limit_buys_them, |store, _db| {
    // 11 credits at 2 a record: five fit.
    let s = setup(&store, 11, json!({}), 10_000).await;
    let eight = &s.ids[..8];
    let quote = s
        .api
        .post(&s.path("quote"), &s.token, &selected(eight))
        .await
        .expect(200);
    assert_eq!(quote["allowed"], false);
    assert_eq!(quote["block_reason"], "insufficient_credits");
    assert_eq!(quote["fits_records"], 5);
    // Records already owned are free, so more of a selection fits once some are.
    let two = s.export(&selected(&s.ids[..2])).await;
    assert_eq!(two.status(), 200);
    let quote = s
        .api
        .post(&s.path("quote"), &s.token, &selected(eight))
        .await
        .expect(200);
    assert_eq!(
        quote["fits_records"], 5,
        "two owned + three new for 6 of the 7 left"
    );
    let mut body = selected(eight);
    body["limit"] = json!(5);
    let quote = s
        .api
        .post(&s.path("quote"), &s.token, &body)
        .await
        .expect(200);
    assert_eq!(
        (
            quote["allowed"].as_bool(),
            quote["records"].as_u64(),
            quote["net_new_billable_records"].as_u64()
        ),
        (Some(true), Some(5), Some(3))
    );
    let response = s.export(&body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-exported-records"], "5");
    assert_eq!(s.wallet().await["available_credit_units"], 1);
    // Rows ticked anywhere (here on the second page) are bought the same way.
    let second = s
        .api
        .get(
            &format!("/v1/prospecting/sessions/{}?page=2&limit=5", s.search_id),
            &s.token,
        )
        .await
        .expect(200);
    let later: Vec<String> = second["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["prospect_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(later.len(), 5);
    let mut body = selected(&later);
    body["limit"] = json!(1);
    let quote = s
        .api
        .post(&s.path("quote"), &s.token, &body)
        .await
        .expect(200);
    // Priced (one credit left of the two it costs), not refused as outside the search.
    assert_eq!(
        (
            quote["records"].as_u64(),
            quote["net_new_billable_records"].as_u64()
        ),
        (Some(1), Some(1)),
        "{quote}"
    );
    for bad in [json!(0), json!(-1), json!("five")] {
        let mut body = selected(eight);
        body["limit"] = bad;
        let answer = s.api.post(&s.path("quote"), &s.token, &body).await;
        answer.expect_error(400, "invalid_body");
        assert_eq!(answer.field(), "body.limit");
    }
    s.server.stop().await;
});

contract!(exports_buy_once_and_stream_neutralised_csv, |store, _db| {
    let s = setup(&store, 10, json!({}), 10_000).await;
    // A record whose name a spreadsheet would run as a formula.
    let first: u32 = s.ids[0][3..].parse().unwrap();
    store
        .execute(&format!(
            "update person set last_name = '=HYPERLINK(\"http://evil.example\")' where id = {first}"
        ))
        .await;
    let before = crate::support::now();
    let response = s.export(&selected(&s.ids[..3])).await;
    assert_eq!(response.status(), 200);
    let h = response.headers().clone();
    assert_eq!(h["content-type"], "text/csv; charset=utf-8");
    // Named for the search and the day: quarry-sales-people-2026-12-01.csv.
    let names: Vec<String> = [before, crate::support::now()]
        .iter()
        .map(|&t| {
            format!(
                "attachment; filename=\"{}\"",
                quarry_server::prospecting::file_name::export_file_name("sales people", t)
            )
        })
        .collect();
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(names.iter().any(|n| n == disposition), "{disposition}");
    assert!(disposition.starts_with("attachment; filename=\"quarry-sales-people-20"));
    assert_eq!(
        (
            h["x-exported-records"].to_str().unwrap(),
            h["x-net-new-billable-records"].to_str().unwrap(),
            h["x-already-purchased-records"].to_str().unwrap()
        ),
        ("3", "3", "0")
    );
    assert_eq!(h["x-credits-remaining"], "4");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        quarry_server::http::prospecting::export::CSV_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let ids: Vec<u32> = s.ids[..3]
        .iter()
        .map(|id| id[3..].parse().unwrap())
        .collect();
    let people = store.people_by_ids(&ids).await.unwrap();
    assert_eq!(
        &rows[0][3], "'=HYPERLINK(\"http://evil.example\")",
        "a formula is neutralised"
    );
    for (row, person) in rows.iter().zip(&people).skip(1) {
        assert_eq!(&row[1], person.person.person_id.as_str());
        assert_eq!(
            &row[3],
            person.person.last_name.as_str(),
            "full records are exported"
        );
        assert_eq!(
            &row[5],
            person.person.business_email.as_deref().unwrap_or("")
        );
        if let Some(phone) = &person.person.mobile_phone {
            assert_eq!(&row[6], phone.as_str(), "an E.164 phone stays dialable");
        }
    }
    assert_eq!(s.wallet().await["available_credit_units"], 4);

    // Owned records are free: two old and one new cost 2 units.
    let again = s.export(&selected(&s.ids[1..4])).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["x-net-new-billable-records"], "1");
    assert_eq!(again.headers()["x-already-purchased-records"], "2");
    assert_eq!(s.wallet().await["available_credit_units"], 2);

    // Two new records need 4 units: 402, nothing bought.
    let refused = s
        .api
        .post(&s.path("export"), &s.token, &selected(&s.ids[4..6]))
        .await;
    refused.expect_error(402, "insufficient_credits");
    assert_eq!(
        (
            refused.body["required"].as_i64(),
            refused.body["available"].as_i64()
        ),
        (Some(4), Some(2))
    );
    assert_eq!(store.owned_people(&s.customer).await.unwrap().len(), 4);
    s.server.stop().await;
});

contract!(exports_need_csv_enabled, |store, _db| {
    let s = setup(&store, 10, json!({"csv_export_enabled": false}), 10_000).await;
    s.api
        .post(&s.path("export"), &s.token, &selected(&s.ids[..1]))
        .await
        .expect_error(403, "action_not_allowed");
    assert!(store.owned_people(&s.customer).await.unwrap().is_empty());
    s.server.stop().await;
});

contract!(
    concurrent_overlapping_exports_bill_every_record_once,
    |store, _db| {
        let s = setup(&store, 100_000, json!({}), 10_000).await;
        let n = s.ids.len().min(60);
        let mut tasks = Vec::new();
        for i in 0..100 {
            let start = (i * 3) % (n - 10);
            let body = selected(&s.ids[start..start + 10]);
            let (http, url, token) = (
                s.api.http.clone(),
                format!("{}{}", s.api.base, s.path("export")),
                s.token.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let r = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
                let new: u64 = r.headers()["x-net-new-billable-records"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let text = r.text().await.unwrap();
                assert_eq!(text.lines().count(), 11);
                new
            }));
        }
        let mut billed = 0;
        for t in tasks {
            billed += t.await.unwrap();
        }
        let owned = store.owned_people(&s.customer).await.unwrap().len() as u64;
        assert_eq!(billed, owned, "a record was billed twice or not at all");
        let wallet = s.wallet().await;
        assert_eq!(
            wallet["usage"]["lifetime_record_reveals"].as_u64(),
            Some(owned)
        );
        assert_eq!(
            wallet["usage"]["lifetime_credit_units"].as_u64(),
            Some(2 * owned)
        );
        s.server.stop().await;
    }
);

contract!(
    all_results_honours_the_count_the_customer_asked_for,
    |store, _db| {
        let s = setup(&store, 1_000, json!({}), 10_000).await;
        let page = s
            .api
            .post(
                "/v1/prospecting/sessions",
                &s.token,
                &json!({"q": "give me 10 sales people", "limit": 25}),
            )
            .await
            .expect(201);
        assert_eq!(page["pagination"]["max_records"], 10);
        assert!(page["pagination"]["total_records"].as_u64().unwrap() > 10);
        let shown: Vec<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["prospect_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(shown.len(), 10);
        let search_id = page["search_id"].as_str().unwrap();
        let path = |action: &str| format!("/v1/prospecting/sessions/{search_id}/{action}");
        let all = json!({"selection_mode": "all_results"});
        let quote = s.api.post(&path("quote"), &s.token, &all).await.expect(200);
        assert_eq!(quote["records"], 10, "{quote}");
        assert_eq!(quote["credit_units"], 20);
        // Ids past the tenth are not part of this session's answer.
        let uncapped = s
            .api
            .post(
                "/v1/prospecting/sessions",
                &s.token,
                &json!({"q": "sales people", "limit": 25}),
            )
            .await
            .expect(201);
        let rows = uncapped["data"].as_array().unwrap();
        assert_eq!(
            rows[..10]
                .iter()
                .map(|p| p["prospect_id"].as_str().unwrap())
                .collect::<Vec<_>>(),
            shown
        );
        let past = rows[15]["prospect_id"].as_str().unwrap().to_owned();
        let refused = s
            .api
            .post(&path("quote"), &s.token, &selected(&[past]))
            .await;
        refused.expect_error(400, "invalid_body");
        let response = s
            .api
            .http
            .post(format!("{}{}", s.api.base, path("export")))
            .bearer_auth(&s.token)
            .json(&all)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-exported-records"], "10");
        let csv = response.text().await.unwrap();
        assert_eq!(csv.lines().count(), 11, "{csv}");
        for id in &shown {
            assert!(csv.contains(id.as_str()), "{id} missing");
        }
        assert_eq!(s.wallet().await["available_credit_units"], 1_000 - 20);
        s.server.stop().await;
    }
);

contract!(refinements_only_narrow_the_session, |store, _db| {
    let s = setup(&store, 1_000, json!({}), 10_000).await;
    let start = s
        .api
        .post(
            "/v1/prospecting/sessions",
            &s.token,
            &json!({"q": "sales people in Texas", "limit": 100}),
        )
        .await
        .expect(201);
    let search_id = start["search_id"].as_str().unwrap();
    let total = start["pagination"]["total_records"].as_u64().unwrap();
    assert!(total > 0);
    // Moving the session to another state is a new search, not a refinement:
    // it finds nobody, rather than California for free.
    let filters = urlencode(r#"{"location_state":"CA"}"#);
    let answer = s
        .api
        .get(
            &format!("/v1/prospecting/sessions/{search_id}?applied_filters={filters}"),
            &s.token,
        )
        .await;
    answer.expect_error(400, "invalid_parameter");
    assert_eq!(
        answer.field(),
        "applied_filters.location_state",
        "states are a list"
    );
    let filters = urlencode(r#"{"location_state":["CA"]}"#);
    let moved = s
        .api
        .get(
            &format!("/v1/prospecting/sessions/{search_id}?applied_filters={filters}"),
            &s.token,
        )
        .await
        .expect(200);
    for row in moved["data"].as_array().unwrap() {
        assert_eq!(row["company"]["state"], "TX", "{row}");
    }
    assert_eq!(
        moved["pagination"]["total_records"], 0,
        "{}",
        moved["pagination"]
    );
    let quote = s
        .api
        .post(
            &format!("/v1/prospecting/sessions/{search_id}/quote"),
            &s.token,
            &json!({"selection_mode": "all_results", "applied_filters": {"location_state": ["CA"]}}),
        )
        .await
        .expect(200);
    assert_eq!(quote["records"], 0, "{quote}");
    // A real narrowing works as before.
    let filters = urlencode(r#"{"email_status":["verified"]}"#);
    let narrowed = s
        .api
        .get(
            &format!("/v1/prospecting/sessions/{search_id}?applied_filters={filters}"),
            &s.token,
        )
        .await
        .expect(200);
    let n = narrowed["pagination"]["total_records"].as_u64().unwrap();
    assert!(n > 0 && n < total, "{n} of {total}");
    // Refinements still never count a search.
    let wallet = s.wallet().await;
    assert_eq!(wallet["usage"]["monthly_search_sessions"], 2, "{wallet}");
    s.server.stop().await;
});
