//! No input makes the server answer 5xx: random query strings against the search and
//! lookup routes of a real server, every answer a 2xx or a 4xx in the envelope.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use quarry_server::seed;
use reqwest::StatusCode;

use crate::support::{store, Db, TestServer};

fn arbitrary_params() -> impl Strategy<Value = Vec<(String, String)>> {
    let key = prop_oneof![
        Just("q"),
        Just("limit"),
        Just("cursor"),
        Just("location_state"),
        Just("location_city"),
        Just("max_records"),
        Just("seniority"),
        Just("email_status"),
        Just("has_phone"),
        Just("dedupe_token"),
        Just("employee_count_min"),
        Just("email"),
        Just("phone"),
        Just("linkedin_url"),
        Just("company_domain"),
        Just("min_contacts"),
        Just("industry"),
    ];
    let value = prop_oneof![
        "\\PC{0,60}",
        "[0-9-]{0,12}",
        Just("CMOs of SaaS companies in Nevada".to_owned()),
        Just("x".repeat(1_500)),
        Just("\u{0}\u{202e}%00".to_owned()),
    ];
    proptest::collection::vec((key.prop_map(str::to_owned), value), 0..5)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_parameters_never_cause_a_server_error() {
    let store = store(Db::Sqlite).await.unwrap();
    seed::seed_demo(
        &store,
        &seed::SeedOptions {
            people: 300,
            seed: 1,
            progress: false,
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.store.clone(), dir.path().to_path_buf()).await;
    let http = reqwest::Client::new();

    let mut runner = TestRunner::new(Config::default());
    let mut cases = Vec::new();
    for _ in 0..300 {
        let path = prop_oneof![
            Just("/v1/persons/search"),
            Just("/v1/persons/lookup"),
            Just("/v1/companies/search"),
            Just("/v1/domains"),
            Just("/v1/companies/acme.com/people"),
        ];
        let tree = (path, arbitrary_params()).new_tree(&mut runner).unwrap();
        cases.push(tree.current());
    }
    for (path, params) in cases {
        let response = http
            .get(server.url(path))
            .bearer_auth(&server.key)
            .query(&params)
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status.is_success() || status.is_client_error(),
            "{path} {params:?} → {status}"
        );
        if status != StatusCode::OK {
            let body: quarry_shared::ErrorBody = response.json().await.expect("the error envelope");
            assert!(!body.error.code.is_empty());
        }
    }
}
