//! Suppression lists on both databases: entries added as JSON or CSV,
//! normalised and counted, the invalid ones named, nothing half-written; the list
//! paged, filtered and removed; and net-new search (pages, facets, all-results
//! selections) leaving out what is on it, by e-mail, domain and person id, with
//! exact totals, while ordinary pages mark those records as suppressed.

use std::collections::HashSet;

use quarry_server::prospecting::prospect_id;
use serde_json::{json, Value};

use crate::contract;
use crate::support::{partner, urlencode, EmbedSetup};

fn path(customer: &str) -> String {
    format!("/v1/partner-customers/{customer}/suppressions")
}

contract!(entries_are_normalised_counted_and_listed, |store, _db| {
    let s = EmbedSetup::start(&store, 200, json!({}), |_| {}).await;
    let (api, key, customer) = (&s.api, &s.partner.secret, s.customer.as_str());
    let added = api
        .post(
            &path(customer),
            key,
            &json!({
                "emails": ["Jo@Acme.com", "jo@acme.com", "not-an-email"],
                "domains": ["https://www.Globex.io/about", "initech.com"],
                "person_ids": ["per_123"]
            }),
        )
        .await
        .expect(200);
    assert_eq!(added["added"], 4, "{added}");
    assert_eq!(added["duplicates"], 1);
    assert_eq!(added["already_present"], 0);
    assert_eq!(added["entries"], 4);
    assert_eq!(
        added["invalid"],
        json!([{"list": "emails", "index": 2, "value": "not-an-email", "reason": "not a valid email address"}])
    );
    // Again, plus a CSV upload: what is there already is counted, not doubled.
    let again = api
        .send(reqwest::Method::POST, &path(customer), Some(key), None, &[])
        .await;
    assert_eq!(again.status.as_u16(), 415, "{}", again.body);
    let csv = s
        .api
        .http
        .post(format!("{}{}", s.api.base, path(customer)))
        .bearer_auth(key)
        .header("content-type", "text/csv")
        .body("email,domain,name\nJO@acme.com,,Jo\n,umbrella.co,Ann\nbroken,,Bo\n")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let csv: Value = csv.json().await.unwrap();
    assert_eq!(
        (csv["added"].as_u64(), csv["already_present"].as_u64()),
        (Some(1), Some(1)),
        "{csv}"
    );
    assert_eq!(csv["invalid"][0]["index"], 3);
    assert_eq!(csv["entries"], 5);

    let page = api
        .get(&format!("{}?limit=2", path(customer)), key)
        .await
        .expect(200);
    assert_eq!(page["total"], 5);
    let first: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(first, ["globex.io", "initech.com"]);
    let cursor = page["pagination"]["next_cursor"].as_str().unwrap();
    let rest = api
        .get(
            &format!("{}?limit=10&cursor={}", path(customer), urlencode(cursor)),
            key,
        )
        .await
        .expect(200);
    let rest: Vec<&str> = rest["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(rest, ["umbrella.co", "jo@acme.com", "per_123"]);
    let emails = api
        .get(&format!("{}?kind=email", path(customer)), key)
        .await
        .expect(200);
    assert_eq!(emails["data"][0]["kind"], "email");
    assert_eq!(emails["data"].as_array().unwrap().len(), 1);
    api.get(&format!("{}?kind=phone", path(customer)), key)
        .await
        .expect_error(400, "invalid_parameter");

    // Too many entries: refused whole, nothing written.
    let many: Vec<String> = (0..10_001).map(|i| format!("p{i}@bulk.example")).collect();
    api.post(&path(customer), key, &json!({"emails": many}))
        .await
        .expect_error(400, "invalid_body");
    api.post(&path(customer), key, &json!({}))
        .await
        .expect_error(400, "invalid_body");
    api.post(&path(customer), key, &json!({"phones": ["1"]}))
        .await
        .expect_error(400, "invalid_body");
    assert_eq!(store.scalar("select count(*) from suppression").await, 5);

    // Another partner cannot see or touch the list.
    let stranger = partner(&store).await;
    api.get(&path(customer), &stranger.secret)
        .await
        .expect_error(404, "not_found");
    api.post(
        &path(customer),
        &stranger.secret,
        &json!({"emails": ["x@y.co"]}),
    )
    .await
    .expect_error(404, "not_found");

    let removed = api
        .send(
            reqwest::Method::DELETE,
            &path(customer),
            Some(key),
            Some(&json!({"domains": ["globex.io", "nowhere.example"]})),
            &[],
        )
        .await
        .expect(200);
    assert_eq!(
        (removed["removed"].as_u64(), removed["not_found"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(removed["entries"], 4);
    api.delete(&path(customer), key)
        .await
        .expect_error(400, "invalid_body");
    let cleared = api
        .delete(&format!("{}?all=true", path(customer)), key)
        .await
        .expect(200);
    assert_eq!(
        (cleared["removed"].as_u64(), cleared["entries"].as_i64()),
        (Some(4), Some(0))
    );
});

fn prospect_ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["prospect_id"].as_str().unwrap().to_owned())
        .collect()
}

contract!(
    net_new_leaves_out_the_list_with_exact_totals,
    |store, _db| {
        let s = EmbedSetup::start(
            &store,
            3_000,
            json!({"credit_enforcement_mode": "metered"}),
            |_| {},
        )
        .await;
        let q = "sales people";
        let (search_id, first) = s.search(q, 100).await;
        let total = first["pagination"]["total_records"].as_u64().unwrap();
        assert!(total > 100, "{total}");
        // Three people of the results, as the partner's backend knows them.
        let full = s
            .api
            .get(
                &format!("/v1/persons/search?limit=100&q={}", urlencode(q)),
                &s.partner.secret,
            )
            .await
            .expect(200);
        let people = full["data"].as_array().unwrap();
        let (a, b) = (&people[0], &people[1]);
        let c = people
            .iter()
            .find(|p| {
                p["company"]["domain"] != a["company"]["domain"]
                    && p["company"]["domain"] != b["company"]["domain"]
            })
            .unwrap();
        let domain = c["company"]["domain"].as_str().unwrap();
        s.api
            .post(
                &path(&s.customer),
                &s.partner.secret,
                &json!({
                    "emails": [a["business_email"].as_str().unwrap().to_uppercase()],
                    "person_ids": [b["person_id"]],
                    "domains": [domain],
                }),
            )
            .await
            .expect(200);
        // Who that hides among the matches: a, b, and everyone matching at c's company.
        let at_c = s
            .api
            .get(
                &format!(
                    "/v1/persons/search?limit=100&q={}",
                    urlencode(&format!("{q} at {domain}"))
                ),
                &s.partner.secret,
            )
            .await
            .expect(200);
        let internal = |person_id: &str| {
            let store = &store;
            let person_id = person_id.to_owned();
            async move {
                let id = store
                    .scalar(&format!(
                        "select id from person where person_id = '{person_id}'"
                    ))
                    .await;
                prospect_id::encode(u32::try_from(id).unwrap())
            }
        };
        let mut hidden: HashSet<String> = HashSet::new();
        for p in at_c["data"].as_array().unwrap().iter().chain([a, b]) {
            hidden.insert(internal(p["person_id"].as_str().unwrap()).await);
        }
        assert!(hidden.len() >= 3);

        // Ordinary pages show them, marked.
        let page = s
            .api
            .get(
                &format!("/v1/prospecting/sessions/{search_id}?limit=100"),
                &s.token,
            )
            .await
            .expect(200);
        for p in page["data"].as_array().unwrap() {
            let id = p["prospect_id"].as_str().unwrap();
            assert_eq!(p["suppressed"].as_bool(), Some(hidden.contains(id)), "{p}");
        }
        assert_eq!(page["pagination"]["total_records"].as_u64(), Some(total));

        // Net-new leaves them out, exactly.
        let net_new = urlencode(r#"{"net_new_only":true}"#);
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut facets_total = None;
        loop {
            let mut url =
                format!("/v1/prospecting/sessions/{search_id}?limit=100&applied_filters={net_new}");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={}", urlencode(c)));
            }
            let page = s.api.get(&url, &s.token).await.expect(200);
            assert_eq!(
                page["pagination"]["total_records"].as_u64(),
                Some(total - hidden.len() as u64)
            );
            if facets_total.is_none() {
                let sum: u64 = page["facets"]["seniority"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["count"].as_u64().unwrap())
                    .sum();
                facets_total = Some(sum);
            }
            seen.extend(prospect_ids(&page));
            match page["pagination"]["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len() as u64, total - hidden.len() as u64);
        assert!(
            seen.iter().all(|id| !hidden.contains(id)),
            "a suppressed record was shown"
        );
        assert_eq!(
            facets_total,
            Some(total - hidden.len() as u64),
            "the facets count the same people"
        );

        // All-results selections leave them out too.
        let quote = s
        .api
        .post(
            &format!("/v1/prospecting/sessions/{search_id}/quote"),
            &s.token,
            &json!({"selection_mode": "all_results", "applied_filters": {"net_new_only": true}}),
        )
        .await
        .expect(200);
        assert_eq!(
            quote["records"].as_u64(),
            Some(total - hidden.len() as u64),
            "{quote}"
        );

        // Emptying the list brings them back.
        s.api
            .delete(
                &format!("{}?all=true", path(&s.customer)),
                &s.partner.secret,
            )
            .await
            .expect(200);
        let back = s
            .api
            .get(
                &format!("/v1/prospecting/sessions/{search_id}?applied_filters={net_new}"),
                &s.token,
            )
            .await
            .expect(200);
        assert_eq!(back["pagination"]["total_records"].as_u64(), Some(total));
    }
);
