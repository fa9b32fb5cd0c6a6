//! The sandbox of `qk_test_`/`qpk_test_` keys is never a free copy of the data
//! (PRODUCT.md §7): every sandbox search, lookup, page, quote, push and export runs
//! over the deterministic synthetic set, so no live person id, e-mail or domain
//! ever appears in a sandbox answer, while the same requests in live mode do see
//! the operator's records.

use std::collections::HashSet;

use quarry_server::partners::keys::Scope;
use quarry_server::partners::Mode;
use quarry_server::seed;
use serde_json::{json, Value};

use crate::contract;
use crate::receiver::Receiver;
use crate::support::add_key;

const ORIGIN: &str = "https://app.partner.example";

/// Every live person id, e-mail and company domain.
async fn live_identifiers(store: &quarry_server::Store, people: u32) -> HashSet<String> {
    let ids: Vec<u32> = (1..=people + 10).collect();
    let mut out = HashSet::new();
    for row in store.people_by_ids(&ids).await.unwrap() {
        out.insert(row.person.person_id.clone());
        out.extend(row.person.business_email.clone());
        out.insert(row.person.company_id.clone());
    }
    let companies: Vec<String> = out
        .iter()
        .filter(|s| s.starts_with("company_"))
        .cloned()
        .collect();
    for c in store.companies_by_ids(&companies).await.unwrap() {
        out.insert(c.domain.clone());
    }
    out
}

/// Panics when `text` names any live identifier.
fn assert_no_live(what: &str, text: &str, live: &HashSet<String>) {
    // Values are compared whole: a JSON string or a CSV cell equal to a live value.
    for token in text.split(['"', ',', '\n', '\r']) {
        assert!(!live.contains(token), "{what} revealed live data: {token}");
    }
}

fn strings(value: &Value) -> String {
    value.to_string()
}

contract!(
    sandbox_keys_only_ever_see_the_synthetic_data_set,
    |store, _db| {
        let people = 1_500;
        seed::seed_demo(
            &store,
            &seed::SeedOptions {
                people: u64::from(people),
                seed: 42,
                progress: false,
            },
        )
        .await
        .unwrap();
        let live = live_identifiers(&store, people).await;
        assert!(live.len() > 2 * people as usize, "{}", live.len());
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let (server, api, p) = crate::support::serve(&store).await;
        let sandbox = add_key(&store, &p.partner_id, Mode::Test, &Scope::ALL).await;

        // The live key sees the operator's records (so the check below can fail).
        let live_page = api
            .get("/v1/persons/search?q=sales%20people&limit=100", &p.secret)
            .await
            .expect(200);
        let seen = strings(&live_page);
        assert!(live.iter().any(|id| seen.contains(&format!("\"{id}\""))));

        // The data API in the sandbox.
        let mut sandbox_emails = Vec::new();
        for q in [
            "sales people",
            "CEOs",
            "all employees in Texas",
            "marketing directors",
        ] {
            let page = api
                .get(
                    &format!("/v1/persons/search?limit=100&q={}", q.replace(' ', "%20")),
                    &sandbox.secret,
                )
                .await
                .expect(200);
            let rows = page["data"].as_array().unwrap();
            assert!(!rows.is_empty(), "the sandbox has {q:?} too");
            for row in rows {
                sandbox_emails.extend(row["business_email"].as_str().map(str::to_owned));
            }
            assert_no_live(q, &strings(&page), &live);
        }
        // Lookups of live identifiers find nothing; of sandbox ones, the sandbox row.
        let live_email = live.iter().find(|s| s.contains('@')).unwrap();
        let found = api
            .get(
                &format!("/v1/persons/lookup?email={live_email}"),
                &sandbox.secret,
            )
            .await
            .expect(200);
        assert_eq!(found["data"].as_array().unwrap().len(), 0, "{found}");
        let own = api
            .get(
                &format!("/v1/persons/lookup?email={}", sandbox_emails[0]),
                &sandbox.secret,
            )
            .await
            .expect(200);
        assert_eq!(own["data"].as_array().unwrap().len(), 1, "{own}");
        let live_domain = live
            .iter()
            .find(|s| !s.contains('@') && s.contains('.') && !s.starts_with("company_"))
            .unwrap();
        let company_people = api
            .get(
                &format!("/v1/companies/{live_domain}/people"),
                &sandbox.secret,
            )
            .await;
        assert!(
            company_people.status == 404
                || company_people.body["data"]
                    .as_array()
                    .is_some_and(Vec::is_empty),
            "a live company's people in the sandbox: {}",
            company_people.body
        );
        assert_no_live("company people", &strings(&company_people.body), &live);
        let sandbox_domain = sandbox_emails[0].split('@').nth(1).unwrap();
        let theirs = api
            .get(
                &format!("/v1/companies/{sandbox_domain}/people"),
                &sandbox.secret,
            )
            .await
            .expect(200);
        assert!(!theirs["data"].as_array().unwrap().is_empty(), "{theirs}");
        assert_no_live("sandbox company people", &strings(&theirs), &live);
        for path in [
            "/v1/companies/search?q=software%20companies",
            "/v1/domains?limit=100",
        ] {
            let answer = api.get(path, &sandbox.secret).await.expect(200);
            assert_no_live(path, &strings(&answer), &live);
        }

        // The iframe in the sandbox: pages, quote, push and export.
        let key = api
            .embed_key(
                &sandbox.secret,
                json!({"allowed_origins": [ORIGIN], "result_delivery_url": receiver.url(),
                       "csv_export_enabled": true}),
            )
            .await;
        let session = api.customer_session(ORIGIN, &key, "acme").await;
        let token = session["token"].as_str().unwrap();
        let page = api
            .post(
                "/v1/prospecting/sessions",
                token,
                &json!({"q": "sales people", "limit": 100}),
            )
            .await
            .expect(201);
        assert!(!page["data"].as_array().unwrap().is_empty());
        assert_no_live("session page", &strings(&page), &live);
        let search_id = page["search_id"].as_str().unwrap();
        let ids: Vec<Value> = page["data"].as_array().unwrap()[..5]
            .iter()
            .map(|p| p["prospect_id"].clone())
            .collect();
        let selection = json!({"selection_mode": "selected", "prospect_ids": ids});
        let quote = api
            .post(
                &format!("/v1/prospecting/sessions/{search_id}/quote"),
                token,
                &selection,
            )
            .await
            .expect(200);
        assert_eq!(quote["records"], 5, "{quote}");
        let pushed = api
            .post(
                &format!("/v1/prospecting/sessions/{search_id}/push"),
                token,
                &selection,
            )
            .await
            .expect(200);
        assert_eq!(pushed["pushed_records"], 5, "{pushed}");
        let received = receiver.wait_for(1, 10).await;
        assert_eq!(received[0].body["data"].as_array().unwrap().len(), 5);
        for r in &received {
            assert_no_live("push", &String::from_utf8_lossy(&r.raw), &live);
        }
        let csv = api
            .http
            .post(format!(
                "{}/v1/prospecting/sessions/{search_id}/export",
                api.base
            ))
            .bearer_auth(token)
            .json(&json!({"selection_mode": "all_results"}))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        let csv = csv.text().await.unwrap();
        assert!(csv.lines().count() > 6, "{csv}");
        assert_no_live("export", &csv, &live);
        // The owned records read back in full, still synthetic.
        let again = api
            .get(&format!("/v1/prospecting/sessions/{search_id}"), token)
            .await
            .expect(200);
        assert_no_live("owned page", &strings(&again), &live);
        server.stop().await;
    }
);
