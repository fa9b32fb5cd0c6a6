//! One shape everywhere (PRODUCT.md §3, §8), on both databases: list filters are
//! arrays in the query string and in `applied_filters`, industries are keys on
//! every route, a parameter a route does not take is refused by name, and a
//! malformed number says which parameter and what range.

use quarry_shared::taxonomy;
use serde_json::{json, Value};

use crate::contract;
use crate::support::urlencode;
use crate::support::EmbedSetup;

/// `GET` with the partner's key; the path and query are already encoded.
async fn get(s: &EmbedSetup, path_and_query: &str) -> Value {
    s.api
        .get(path_and_query, &s.partner.secret)
        .await
        .expect(200)
}

contract!(list_filters_are_arrays_in_every_form, |store, _db| {
    let s = EmbedSetup::start(&store, 3_000, json!({}), |_| {}).await;
    let total = |page: &Value| page["pagination"]["total_records"].as_u64().unwrap();
    let repeated = get(
        &s,
        "/v1/persons/search?q=managers&seniority=vp&seniority=director",
    )
    .await;
    let commas = get(&s, "/v1/persons/search?q=managers&seniority=vp,director").await;
    let vp = get(&s, "/v1/persons/search?q=managers&seniority=vp").await;
    assert!(total(&vp) > 0 && total(&repeated) > total(&vp));
    assert_eq!(total(&repeated), total(&commas));

    let states = get(
        &s,
        "/v1/persons/search?q=managers&location_state=TX&location_state=California&limit=100",
    )
    .await;
    assert_eq!(
        states["interpretation"]["filters"]["company_states"],
        json!(["TX", "CA"])
    );
    let rows = states["data"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|p| matches!(p["company"]["state"].as_str(), Some("TX" | "CA"))));
    assert!(rows.iter().any(|p| p["company"]["state"] == "CA"));
    assert!(rows.iter().any(|p| p["company"]["state"] == "TX"));

    // The same in a session's refinements, which answer them back as arrays.
    let (search_id, _) = s.search("sales people", 100).await;
    let filters = json!({"location_state": ["TX", "CA"], "seniority": ["manager", "director"]});
    let page = s
        .api
        .get(
            &format!(
                "/v1/prospecting/sessions/{search_id}?applied_filters={}",
                urlencode(&filters.to_string())
            ),
            &s.token,
        )
        .await
        .expect(200);
    assert_eq!(
        page["applied_filters"]["location_state"],
        json!(["TX", "CA"])
    );
    let rows = page["data"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|p| matches!(p["company"]["state"].as_str(), Some("TX" | "CA"))));
});

contract!(industries_are_keys_on_every_route, |store, _db| {
    let s = EmbedSetup::start(&store, 2_000, json!({}), |_| {}).await;
    let is_key = |v: &Value| {
        v.as_str()
            .is_some_and(|k| taxonomy::INDUSTRIES.iter().any(|i| i.key == k))
    };
    let domains = get(&s, "/v1/domains?min_contacts=1&limit=20").await;
    let rows = domains["data"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(is_key(&row["industry"]), "{row}");
    }
    // Several industries and states filter the inventory as lists too.
    let filtered = get(
        &s,
        "/v1/domains?min_contacts=1&industry=software&industry=law_firm&location_state=TX,CA",
    )
    .await;
    for row in filtered["data"].as_array().unwrap() {
        assert!(
            matches!(row["industry"].as_str(), Some("software" | "law_firm")),
            "{row}"
        );
        assert!(
            matches!(row["location"]["state"].as_str(), Some("TX" | "CA")),
            "{row}"
        );
    }
    let people = get(&s, "/v1/persons/search?q=CEOs&limit=20").await;
    for p in people["data"].as_array().unwrap() {
        assert!(is_key(&p["company"]["industry"]), "{p}");
    }
    let companies = get(&s, "/v1/companies/search?q=SaaS%20companies&limit=20").await;
    for c in companies["data"].as_array().unwrap() {
        assert!(is_key(&c["industry"]), "{c}");
    }
    let (_, page) = s.search("CEOs", 20).await;
    for p in page["data"].as_array().unwrap() {
        assert!(is_key(&p["company"]["industry"]), "{p}");
    }
});

contract!(unknown_parameters_are_refused_by_name, |store, _db| {
    let s = EmbedSetup::start(&store, 300, json!({}), |_| {}).await;
    let customer = s.customer.clone();
    for path in [
        "/v1/persons/search?q=CEOs&seniorty=vp".to_owned(),
        "/v1/persons/lookup?email=a%40b.co&seniorty=vp".to_owned(),
        "/v1/persons/search/taxonomy?seniorty=vp".to_owned(),
        "/v1/companies/search?q=SaaS&seniorty=vp".to_owned(),
        "/v1/domains?seniorty=vp".to_owned(),
        "/v1/deliveries?seniorty=vp".to_owned(),
        "/v1/partner-customers?seniorty=vp".to_owned(),
        format!("/v1/partner-customers/{customer}?seniorty=vp"),
        "/v1/usage?seniorty=vp".to_owned(),
    ] {
        let answer = s.api.get(&path, &s.partner.secret).await;
        answer.expect_error(400, "invalid_parameter");
        assert_eq!(answer.field(), "seniorty", "{path}");
    }
    let (search_id, _) = s.search("CEOs", 5).await;
    for path in [
        format!("/v1/prospecting/sessions/{search_id}?limt=5"),
        "/v1/prospecting/taxonomy?limt=5".to_owned(),
        "/v1/prospecting/wallet?limt=5".to_owned(),
    ] {
        let answer = s.api.get(&path, &s.token).await;
        answer.expect_error(400, "invalid_parameter");
        assert_eq!(answer.field(), "limt", "{path}");
    }
});

contract!(
    malformed_numbers_say_the_parameter_and_range,
    |store, _db| {
        let s = EmbedSetup::start(&store, 300, json!({}), |_| {}).await;
        for (path, field, message) in [
            (
                "/v1/persons/search?q=CEOs&limit=ten",
                "limit",
                "`limit` must be a whole number from 1 to 100.",
            ),
            (
                "/v1/persons/search?q=CEOs&max_records=-3",
                "max_records",
                "`max_records` must be a whole number from 1 to 4294967295.",
            ),
            (
                "/v1/persons/search?q=CEOs&employee_count_min=99999999999",
                "employee_count_min",
                "`employee_count_min` must be a whole number from 0 to 4294967295.",
            ),
            (
                "/v1/persons/search?q=CEOs&has_phone=maybe",
                "has_phone",
                "`has_phone` must be true or false.",
            ),
            (
                "/v1/domains?min_contacts=lots",
                "min_contacts",
                "`min_contacts` must be a whole number from 0 to 4294967295.",
            ),
            (
                "/v1/companies/acme.example/people?limit=1.5",
                "limit",
                "`limit` must be a whole number from 1 to 500.",
            ),
        ] {
            let answer = s.api.get(path, &s.partner.secret).await;
            answer.expect_error(400, "invalid_parameter");
            assert_eq!(answer.field(), field, "{path}");
            let body = answer.expect(400);
            assert_eq!(body["error"]["message"], message, "{path}");
        }
        let (search_id, _) = s.search("CEOs", 5).await;
        let answer = s
            .api
            .get(
                &format!("/v1/prospecting/sessions/{search_id}?limit=0"),
                &s.token,
            )
            .await;
        answer.expect_error(400, "invalid_parameter");
        assert_eq!(answer.field(), "limit");
    }
);

contract!(sessions_stored_with_one_state_keep_it, |store, _db| {
    let s = EmbedSetup::start(&store, 2_000, json!({}), |_| {}).await;
    let (search_id, _) = s.search("sales people", 100).await;
    // A session stored before states were a list.
    store
        .execute(&format!(
            "update prospect_session set filters = '{{\"location_state\":\"TX\"}}' where search_id = '{search_id}'"
        ))
        .await;
    let page = s
        .api
        .get(&format!("/v1/prospecting/sessions/{search_id}"), &s.token)
        .await
        .expect(200);
    let rows = page["data"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|p| p["company"]["state"] == "TX"),
        "the stored state was dropped"
    );
    // A stored value that cannot be read is an error, never "no filters".
    store
        .execute(&format!(
            "update prospect_session set filters = '{{\"location_state\":7}}' where search_id = '{search_id}'"
        ))
        .await;
    s.api
        .get(&format!("/v1/prospecting/sessions/{search_id}"), &s.token)
        .await
        .expect_error(500, "internal_error");
});
