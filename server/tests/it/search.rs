//! People search over HTTP on both databases, checked against an independent oracle:
//! totals are recomputed by scanning every stored record in plain Rust.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use quarry_server::records::{Company, Person};
use quarry_server::seed;
use quarry_shared::api::PersonSearchResponse;
use quarry_shared::interpret::roles_in_title;
use quarry_shared::ErrorBody;
use reqwest::StatusCode;

use crate::contract;
use crate::support::TestServer;

struct Api {
    http: reqwest::Client,
    server: TestServer,
}

impl Api {
    async fn get(&self, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(self.server.url(path))
            .bearer_auth(&self.server.key)
            .query(params)
            .send()
            .await
            .unwrap()
    }

    async fn search(&self, params: &[(&str, &str)]) -> PersonSearchResponse {
        let response = self.get("/v1/persons/search", params).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{params:?}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn error(&self, path: &str, params: &[(&str, &str)]) -> (StatusCode, ErrorBody) {
        let response = self.get(path, params).await;
        (response.status(), response.json().await.unwrap())
    }
}

async fn start(store: &quarry_server::Store, people: u64) -> Api {
    seed::seed_demo(
        store,
        &seed::SeedOptions {
            people,
            seed: 11,
            progress: false,
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.clone(), dir.path().to_path_buf()).await;
    Api {
        http: reqwest::Client::new(),
        server,
    }
}

/// Every stored person with their company, for the oracle.
async fn everyone(store: &quarry_server::Store) -> Vec<(Person, Company)> {
    let companies: HashMap<String, Company> = store
        .stream_companies()
        .map_ok(|c| (c.company_id.clone(), c))
        .try_collect()
        .await
        .unwrap();
    let people: Vec<Person> = store.stream_people().try_collect().await.unwrap();
    people
        .into_iter()
        .map(|p| {
            let c = companies[&p.company_id].clone();
            (p, c)
        })
        .collect()
}

contract!(totals_are_exact_and_pages_cover_them, |store, _db| {
    let api = start(&store, 3_000).await;
    let all = everyone(&store).await;

    type Check = fn(&Person, &Company) -> bool;
    let cases: Vec<(&str, Check)> = vec![
        ("CEOs in California", |p, c| {
            roles_in_title(&p.job_title).contains(&"ceo") && c.state.as_deref() == Some("CA")
        }),
        ("software engineers at SaaS companies", |p, c| {
            roles_in_title(&p.job_title).contains(&"software_engineer")
                && c.industry.as_deref() == Some("software")
        }),
        ("marketing directors", |p, _| {
            p.seniority.as_deref() == Some("director")
                && p.department.as_deref() == Some("marketing")
        }),
        (
            "all employees at law firms with fewer than 50 employees",
            |_, c| c.industry.as_deref() == Some("law_firm") && c.employee_count.unwrap() <= 49,
        ),
        ("owners in Texas or Florida", |p, c| {
            roles_in_title(&p.job_title).contains(&"owner")
                && matches!(c.state.as_deref(), Some("TX" | "FL"))
        }),
        (
            "decision makers at companies with 10-200 employees",
            |p, c| {
                matches!(
                    p.seniority.as_deref(),
                    Some("owner" | "founder" | "c_suite" | "partner" | "vp" | "head" | "director")
                ) && (10..=200).contains(&c.employee_count.unwrap())
            },
        ),
    ];
    for (q, check) in cases {
        let expected: HashSet<&str> = all
            .iter()
            .filter(|(p, c)| check(p, c))
            .map(|(p, _)| p.person_id.as_str())
            .collect();
        let first = api.search(&[("q", q), ("limit", "37")]).await;
        assert_eq!(first.pagination.total_records, expected.len() as u64, "{q}");
        let facets = first.facets.as_ref().expect("facets on the first page");
        // Facets are disjunctive: a group the text leaves open adds up to the
        // total; one it constrains lists the other values too.
        let by_seniority: u64 = facets.seniority.iter().map(|f| f.count).sum();
        if first.interpretation.seniorities.is_empty() {
            assert_eq!(
                by_seniority,
                expected.len() as u64,
                "{q}: seniority facets add up"
            );
        } else {
            assert!(by_seniority >= expected.len() as u64, "{q}");
        }

        // Walk every page: no repeats, nothing missing, the same order every time.
        let mut seen: Vec<String> = first.data.iter().map(|p| p.person_id.clone()).collect();
        let mut cursor = first.pagination.next_cursor.clone();
        while let Some(c) = cursor {
            let page = api
                .search(&[("q", q), ("limit", "37"), ("cursor", &c)])
                .await;
            assert!(page.facets.is_none(), "facets only on the first page");
            seen.extend(page.data.iter().map(|p| p.person_id.clone()));
            cursor = page.pagination.next_cursor;
        }
        let unique: HashSet<&str> = seen.iter().map(String::as_str).collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{q}: a record repeated across pages"
        );
        assert_eq!(
            unique, expected,
            "{q}: pages do not cover exactly the matches"
        );
        let again = api.search(&[("q", q), ("limit", "37")]).await;
        assert_eq!(
            again.data.iter().map(|p| &p.person_id).collect::<Vec<_>>(),
            first.data.iter().map(|p| &p.person_id).collect::<Vec<_>>(),
            "{q}: order is deterministic"
        );
    }
});

contract!(relevance_puts_verified_emails_first, |store, _db| {
    let api = start(&store, 2_000).await;
    let page = api.search(&[("q", "managers"), ("limit", "100")]).await;
    let statuses: Vec<bool> = page
        .data
        .iter()
        .map(|p| p.email_status.as_deref() == Some("verified"))
        .collect();
    let first_unverified = statuses.iter().position(|v| !v).unwrap_or(statuses.len());
    assert!(
        statuses[first_unverified..].iter().all(|v| !v),
        "verified records come first: {statuses:?}"
    );
    assert!(first_unverified > 0);
});

contract!(
    max_records_caps_delivery_and_dedupe_never_repeats,
    |store, _db| {
        let api = start(&store, 2_000).await;
        let page = api
            .search(&[("q", "give me 30 managers"), ("limit", "20")])
            .await;
        assert_eq!(page.pagination.max_records, Some(30));
        assert_eq!(page.pagination.total_pages, 2);
        assert_eq!(page.data.len(), 20);
        let next = api
            .search(&[
                ("q", "give me 30 managers"),
                ("limit", "20"),
                ("cursor", page.pagination.next_cursor.as_deref().unwrap()),
            ])
            .await;
        assert_eq!(next.data.len(), 10, "the cap stops delivery at 30");
        assert!(next.pagination.next_cursor.is_none());
        // An explicit max_records overrides the count in the text.
        let page = api
            .search(&[("q", "give me 30 managers"), ("max_records", "5")])
            .await;
        assert_eq!(page.data.len(), 5);

        // Under a dedupe token, a record is delivered once for the same criteria.
        let params = [
            ("q", "directors in New York"),
            ("limit", "10"),
            ("dedupe_token", "campaign-1"),
        ];
        let total = api
            .search(&[("q", "directors in New York")])
            .await
            .pagination
            .total_records;
        let mut delivered = HashSet::new();
        for _ in 0..(total / 10 + 2) {
            let page = api.search(&params).await;
            for p in &page.data {
                assert!(
                    delivered.insert(p.person_id.clone()),
                    "{} delivered twice",
                    p.person_id
                );
            }
        }
        assert_eq!(delivered.len() as u64, total);
        assert!(api.search(&params).await.data.is_empty());
        // Another token, or another end user, starts afresh.
        let other = api
            .search(&[
                ("q", "directors in New York"),
                ("limit", "10"),
                ("dedupe_token", "campaign-1"),
                ("dedupe_user_id", "u2"),
            ])
            .await;
        assert_eq!(other.data.len() as u64, total.min(10));
    }
);

contract!(bad_input_is_refused_with_the_field_named, |store, _db| {
    let api = start(&store, 300).await;
    let long = "a".repeat(1_001);
    for (params, field) in [
        (vec![], "q"),
        (vec![("q", "   ")], "q"),
        (vec![("q", long.as_str())], "q"),
        (vec![("q", "CEOs"), ("limit", "0")], "limit"),
        (vec![("q", "CEOs"), ("limit", "101")], "limit"),
        (vec![("q", "CEOs"), ("limit", "ten")], "limit"),
        (
            vec![("q", "CEOs"), ("location_state", "Atlantis")],
            "location_state",
        ),
        (vec![("q", "CEOs"), ("seniority", "boss")], "seniority"),
        (vec![("q", "CEOs"), ("max_records", "0")], "max_records"),
    ] {
        let (status, body) = api.error("/v1/persons/search", &params).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{params:?}");
        assert_eq!(
            body.error.field.as_deref(),
            Some(field),
            "{params:?}: {body:?}"
        );
    }

    // Cursors: tampered, or from another query.
    let page = api.search(&[("q", "managers"), ("limit", "5")]).await;
    let cursor = page.pagination.next_cursor.unwrap();
    let (status, body) = api
        .error(
            "/v1/persons/search",
            &[("q", "directors"), ("cursor", &cursor)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body.error.code, "invalid_cursor");
    let mut tampered = cursor.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let (status, body) = api
        .error(
            "/v1/persons/search",
            &[("q", "managers"), ("limit", "5"), ("cursor", &tampered)],
        )
        .await;
    assert_eq!(
        (status, body.error.code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_cursor")
    );

    // Nothing understood: 422 with the interpretation and its warnings.
    let (status, body) = api.error("/v1/persons/search", &[("q", "pls")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body.error.code, "query_not_understood");
    let interpretation = body
        .interpretation
        .expect("the interpretation travels with the error");
    assert!(!interpretation.warnings.is_empty());

    // Without the key: 401.
    let response = api
        .http
        .get(api.server.url("/v1/persons/search"))
        .query(&[("q", "CEOs")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
});

contract!(explicit_parameters_override_the_text, |store, _db| {
    let api = start(&store, 2_000).await;
    let page = api
        .search(&[("q", "managers in Texas"), ("location_state", "CA")])
        .await;
    assert_eq!(
        page.interpretation.filters.company_state.as_deref(),
        Some("CA")
    );
    assert!(page
        .data
        .iter()
        .all(|p| p.company.state.as_deref() == Some("CA")));
    let page = api
        .search(&[("q", "managers"), ("location_city", "Las Vegas")])
        .await;
    assert_eq!(
        page.interpretation.filters.company_state.as_deref(),
        Some("NV"),
        "a known city infers its state"
    );
    assert!(page
        .data
        .iter()
        .all(|p| p.company.city.as_deref() == Some("Las Vegas")));
    let page = api
        .search(&[
            ("q", "CEOs"),
            ("email_status", "verified"),
            ("has_phone", "true"),
        ])
        .await;
    assert!(page
        .data
        .iter()
        .all(|p| p.email_status.as_deref() == Some("verified") && p.mobile_phone.is_some()));
});

contract!(lookup_normalises_identifiers, |store, _db| {
    let api = start(&store, 500).await;
    let all = everyone(&store).await;
    let (p, c) = all
        .iter()
        .find(|(p, _)| {
            p.business_email.is_some() && p.linkedin_url.is_some() && p.mobile_phone.is_some()
        })
        .unwrap();
    let email = p.business_email.as_deref().unwrap().to_uppercase();
    let linkedin = p
        .linkedin_url
        .as_deref()
        .unwrap()
        .replace("https://www.", "http://");
    let phone = p.mobile_phone.as_deref().unwrap();
    let pretty_phone = format!("({}) {}-{}", &phone[2..5], &phone[5..8], &phone[8..]);
    let domain_url = format!("https://www.{}/contact", c.domain);
    for (field, value) in [
        ("email", email.as_str()),
        ("linkedin_url", &linkedin),
        ("phone", &pretty_phone),
        ("company_domain", &domain_url),
    ] {
        let response = api.get("/v1/persons/lookup", &[(field, value)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{field}");
        let body: quarry_shared::api::PersonLookupResponse = response.json().await.unwrap();
        assert!(
            body.data.iter().any(|r| r.person_id == p.person_id),
            "{field}={value}"
        );
        assert_eq!(body.billable_records, body.data.len() as u64);
    }
    let (status, body) = api.error("/v1/persons/lookup", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
    let (status, body) = api.error("/v1/persons/lookup", &[("email", "nope@")]).await;
    assert_eq!(
        (status, body.error.field.as_deref()),
        (StatusCode::BAD_REQUEST, Some("email"))
    );
});

contract!(the_index_follows_imports_without_a_restart, |store, _db| {
    let api = start(&store, 200).await;
    // No title or company uses the word yet: it is ignored, and alone it is not
    // understood (never a silent zero).
    let (status, body) = api
        .error("/v1/persons/search", &[("q", "kubernetes")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:?}");
    let mut writer = store.writer().await.unwrap();
    let company = Company {
        company_id: "k8s".into(),
        name: "Kubernetes Experts".into(),
        domain: "k8s-experts.io".into(),
        website: None,
        phone: None,
        linkedin_url: None,
        revenue: None,
        employee_count: Some(12),
        industry: Some("software".into()),
        sic: None,
        naics: None,
        city: Some("Boise".into()),
        state: Some("ID".into()),
        country: "US".into(),
        keywords: "kubernetes".into(),
    };
    writer
        .upsert_companies(std::slice::from_ref(&company))
        .await
        .unwrap();
    writer
        .upsert_people(&[Person {
            person_id: "new-1".into(),
            company_id: "k8s".into(),
            first_name: "Kim".into(),
            last_name: "Lee".into(),
            job_title: "Kubernetes Engineer".into(),
            seniority: Some("senior".into()),
            department: Some("engineering".into()),
            business_email: None,
            email_status: None,
            email_verified_at: None,
            mobile_phone: None,
            linkedin_url: None,
            city: None,
            state: None,
        }])
        .await
        .unwrap();
    writer.commit().await.unwrap();
    let started = std::time::Instant::now();
    loop {
        let response = api.get("/v1/persons/search", &[("q", "kubernetes")]).await;
        if response.status() == StatusCode::OK {
            let page: PersonSearchResponse = response.json().await.unwrap();
            assert_eq!(page.pagination.total_records, 1);
            assert_eq!(page.data[0].person_id, "new-1");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "the index did not pick up the import"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
});

contract!(taxonomy_lists_the_vocabulary, |store, _db| {
    let api = start(&store, 50).await;
    let body: serde_json::Value = api
        .get("/v1/persons/search/taxonomy", &[])
        .await
        .json()
        .await
        .unwrap();
    let t = &body["fast_paths"]["taxonomy"];
    assert!(t["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["key"] == "cmo"));
    assert_eq!(t["industries"].as_array().unwrap().len(), 30);
    assert!(t["compatibility"]["law_firm"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "attorney"));
    assert_eq!(
        body["native_geo_parameters"],
        serde_json::json!(["location_city", "location_state"])
    );
});

contract!(
    concurrent_searches_under_one_dedupe_token_never_share_a_record,
    |store, _db| {
        let api = start(&store, 2_000).await;
        for round in 0..10 {
            let token = format!("race-{round}");
            let params = [
                ("q", "sales people"),
                ("limit", "25"),
                ("dedupe_token", token.as_str()),
            ];
            let (a, b, c) = tokio::join!(
                api.search(&params),
                api.search(&params),
                api.search(&params)
            );
            let mut seen = HashSet::new();
            for page in [&a, &b, &c] {
                assert_eq!(page.data.len(), 25, "round {round}: a short page");
                assert_eq!(page.billable_records, 25);
                for p in &page.data {
                    assert!(
                        seen.insert(p.person_id.clone()),
                        "round {round}: {} delivered twice",
                        p.person_id
                    );
                }
            }
        }
    }
);
