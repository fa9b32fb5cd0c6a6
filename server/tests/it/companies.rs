//! Company search, a company's people and the domain inventory, on both databases,
//! checked against the stored rows.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use quarry_server::records::{Company, Person};
use quarry_server::seed;
use reqwest::StatusCode;
use serde_json::Value;

use crate::contract;
use crate::support::TestServer;

struct Api {
    http: reqwest::Client,
    server: TestServer,
}

impl Api {
    async fn get(&self, path: &str, params: &[(&str, &str)]) -> (StatusCode, Value) {
        let r = self
            .http
            .get(self.server.url(path))
            .bearer_auth(&self.server.key)
            .query(params)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }

    async fn ok(&self, path: &str, params: &[(&str, &str)]) -> Value {
        let (status, body) = self.get(path, params).await;
        assert_eq!(status, StatusCode::OK, "{path} {params:?}: {body}");
        body
    }

    /// Follows `next_cursor` to the end and returns every item of `data`.
    async fn all_pages(&self, path: &str, params: &[(&str, &str)]) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut p: Vec<(&str, &str)> = params.to_vec();
            if let Some(c) = &cursor {
                p.push(("cursor", c));
            }
            let body = self.ok(path, &p).await;
            items.extend(body["data"].as_array().unwrap().iter().cloned());
            match body["pagination"]["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
    }
}

contract!(company_endpoints_match_the_stored_rows, |store, _db| {
    seed::seed_demo(
        &store,
        &seed::SeedOptions {
            people: 3_000,
            seed: 5,
            progress: false,
        },
    )
    .await
    .unwrap();
    let companies: Vec<Company> = store.stream_companies().try_collect().await.unwrap();
    let people: Vec<Person> = store.stream_people().try_collect().await.unwrap();
    let mut staff: HashMap<&str, usize> = HashMap::new();
    for p in &people {
        *staff.entry(p.company_id.as_str()).or_default() += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    let api = Api {
        http: reqwest::Client::new(),
        server: TestServer::start(store.store.clone(), dir.path().to_path_buf()).await,
    };

    // Company search: exact total, pages cover it.
    let expected: HashSet<&str> = companies
        .iter()
        .filter(|c| {
            c.industry.as_deref() == Some("construction") && c.employee_count.unwrap() >= 10
        })
        .map(|c| c.company_id.as_str())
        .collect();
    let first = api
        .ok(
            "/v1/companies/search",
            &[
                ("q", "construction companies with 10+ employees"),
                ("limit", "7"),
            ],
        )
        .await;
    assert_eq!(first["pagination"]["total_records"], expected.len() as u64);
    let got = api
        .all_pages(
            "/v1/companies/search",
            &[
                ("q", "construction companies with 10+ employees"),
                ("limit", "7"),
            ],
        )
        .await;
    let ids: HashSet<&str> = got
        .iter()
        .map(|c| c["company_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(ids.len(), got.len());
    // People words are ignored, with a warning.
    let body = api
        .ok(
            "/v1/companies/search",
            &[("q", "CMOs at construction companies")],
        )
        .await;
    assert!(body["interpretation"]["roles"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(
        body["interpretation"]["warnings"]
            .to_string()
            .contains("ignores roles"),
        "{}",
        body["interpretation"]
    );

    // A company's people, paged two at a time.
    let big = companies
        .iter()
        .find(|c| staff.get(c.company_id.as_str()).copied().unwrap_or(0) >= 5)
        .unwrap();
    let url = format!("/v1/companies/https:%2F%2Fwww.{}/people", big.domain);
    let path = format!("/v1/companies/{}/people", big.domain);
    let got = api.all_pages(&path, &[("limit", "2")]).await;
    assert_eq!(got.len(), staff[big.company_id.as_str()]);
    assert!(got
        .iter()
        .all(|p| p["company"]["domain"] == big.domain.as_str()));
    let (status, _) = api.get(&url, &[]).await;
    assert_eq!(status, StatusCode::OK, "URL-ish domains are normalised");
    let empty = api
        .ok("/v1/companies/unknown-domain.example/people", &[])
        .await;
    assert_eq!(empty["data"].as_array().unwrap().len(), 0);
    let (status, body) = api.get(&path, &[("limit", "501")]).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit"))
    );
    let (status, body) = api.get("/v1/companies/not_a_domain/people", &[]).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("domain"))
    );

    // Domain inventory: min_contacts, industry and state, cursor tied to the filters.
    let expected: HashSet<&str> = companies
        .iter()
        .filter(|c| staff.get(c.company_id.as_str()).copied().unwrap_or(0) >= 3)
        .map(|c| c.domain.as_str())
        .collect();
    let got = api
        .all_pages("/v1/domains", &[("min_contacts", "3"), ("limit", "10")])
        .await;
    let domains: HashSet<&str> = got.iter().map(|d| d["domain"].as_str().unwrap()).collect();
    assert_eq!(domains, expected);
    for d in &got {
        assert!(d["contact_count"].as_u64().unwrap() >= 3);
    }
    let first = api
        .ok("/v1/domains", &[("min_contacts", "3"), ("limit", "10")])
        .await;
    let cursor = first["pagination"]["next_cursor"].as_str().unwrap();
    let (status, body) = api
        .get(
            "/v1/domains",
            &[("min_contacts", "4"), ("limit", "10"), ("cursor", cursor)],
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_cursor"))
    );
    let texas = api
        .all_pages(
            "/v1/domains",
            &[
                ("min_contacts", "1"),
                ("location_state", "Texas"),
                ("industry", "software"),
            ],
        )
        .await;
    assert!(texas
        .iter()
        .all(|d| d["location"]["state"] == "TX" && d["industry"] == "software"));
    let (status, body) = api
        .get("/v1/domains", &[("location_state", "Atlantis")])
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("location_state"))
    );
});
