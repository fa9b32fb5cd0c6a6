//! Working through many results in a session, on both databases: pages by number
//! in relevance or a column's order (name, title, company, size, location) that
//! together cover the session exactly once, page sizes up to 100, facets with
//! every page asked for by number, and previews that say whether an email is
//! verified and when.

use serde_json::{json, Value};

use crate::contract;
use crate::support::EmbedSetup;

async fn page(s: &EmbedSetup, search_id: &str, query: &str) -> Value {
    s.api
        .get(
            &format!("/v1/prospecting/sessions/{search_id}?{query}"),
            &s.token,
        )
        .await
        .expect(200)
}

/// What a row shows in the column `key`, as the sort compares it.
fn column(row: &Value, key: &str) -> (String, i64) {
    let text = |v: &Value| v.as_str().unwrap_or("").to_lowercase();
    match key {
        "name" => (
            format!(
                "{}\u{0}{}",
                text(&row["first_name"]),
                text(&row["last_name"])
                    .chars()
                    .next()
                    .map(String::from)
                    .unwrap_or_default()
            ),
            0,
        ),
        "title" => (text(&row["job_title"]), 0),
        "company" => (text(&row["company"]["name"]), 0),
        "size" => (
            String::new(),
            row["company"]["employee_count"]
                .as_i64()
                .unwrap_or(i64::MAX),
        ),
        _ => (
            format!(
                "{}\u{0}{}",
                row["company"]["state"].as_str().unwrap_or("\u{10ffff}"),
                text(&row["company"]["city"])
            ),
            0,
        ),
    }
}

contract!(
    sorted_pages_cover_the_session_once_in_order,
    |store, _db| {
        let s = EmbedSetup::start(&store, 2_000, json!({}), |_| {}).await;
        let (search_id, first) = s.search("sales people", 25).await;
        let total = first["pagination"]["total_records"].as_u64().unwrap();
        assert!(total > 150, "{total}");
        for sort in [
            "relevance",
            "name",
            "-name",
            "title",
            "company",
            "size",
            "-size",
            "location",
        ] {
            let (key, descending) = match sort.strip_prefix('-') {
                Some(k) => (k, true),
                None => (sort, false),
            };
            let mut seen = Vec::new();
            let mut rows: Vec<Value> = Vec::new();
            let mut n = 1;
            loop {
                let p = page(&s, &search_id, &format!("sort={sort}&page={n}&limit=100")).await;
                assert!(p["facets"].is_object(), "facets come with page {n}");
                assert_eq!(p["pagination"]["total_records"], total);
                let data = p["data"].as_array().unwrap().clone();
                if data.is_empty() {
                    break;
                }
                assert!(data.len() <= 100);
                seen.extend(
                    data.iter()
                        .map(|r| r["prospect_id"].as_str().unwrap().to_owned()),
                );
                rows.extend(data);
                n += 1;
            }
            assert_eq!(n - 1, total.div_ceil(100), "{sort}: pages");
            let unique: std::collections::HashSet<&String> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "{sort}: a row repeated");
            assert_eq!(seen.len() as u64, total, "{sort}: rows missing");
            if key != "relevance" {
                for pair in rows.windows(2) {
                    let (a, b) = (column(&pair[0], key), column(&pair[1], key));
                    let unknown = |c: &(String, i64)| c.1 == i64::MAX;
                    let ordered = if unknown(&b) {
                        true
                    } else if unknown(&a) {
                        false
                    } else if descending {
                        a >= b
                    } else {
                        a <= b
                    };
                    assert!(ordered, "{sort}: {:?} before {:?}", a, b);
                }
            }
            // Relevance by number is the same order the cursors walk.
            if sort == "relevance" {
                let mut walked = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let q = match &cursor {
                        Some(c) => format!("limit=100&cursor={c}"),
                        None => "limit=100".into(),
                    };
                    let p = page(&s, &search_id, &q).await;
                    walked.extend(
                        p["data"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r| r["prospect_id"].as_str().unwrap().to_owned()),
                    );
                    match p["pagination"]["next_cursor"].as_str() {
                        Some(c) => cursor = Some(c.to_owned()),
                        None => break,
                    }
                }
                assert_eq!(walked, seen);
            }
        }
        // A page past the end is empty; nonsense is refused by name.
        let past = page(&s, &search_id, "page=999&limit=25").await;
        assert!(past["data"].as_array().unwrap().is_empty());
        for (query, field) in [
            ("sort=shoe", "sort"),
            ("sort=-relevance", "sort"),
            ("page=0", "page"),
            ("page=two", "page"),
            ("page=2&cursor=abc", "page"),
            ("limit=101", "limit"),
        ] {
            let answer = s
                .api
                .get(
                    &format!("/v1/prospecting/sessions/{search_id}?{query}"),
                    &s.token,
                )
                .await;
            answer.expect_error(400, "invalid_parameter");
            assert_eq!(answer.field(), field, "{query}");
        }
    }
);

contract!(
    previews_say_whether_an_email_is_verified_and_when,
    |store, _db| {
        let s = EmbedSetup::start(&store, 1_000, json!({}), |_| {}).await;
        let (_, first) = s.search("managers", 100).await;
        let rows = first["data"].as_array().unwrap();
        let verified: Vec<&Value> = rows
            .iter()
            .filter(|r| r["email_status"] == "verified")
            .collect();
        assert!(!verified.is_empty());
        for r in rows {
            if r["has_email"] == true {
                assert!(r["email_status"].is_string(), "{r}");
                let masked = r["email"].as_str().unwrap();
                assert!(masked.contains('•'), "the address stays masked: {masked}");
            } else {
                assert!(r["email_status"].is_null(), "{r}");
            }
            if r["email_status"] == "verified" {
                let at = r["email_verified_at"].as_str().unwrap();
                assert!(at.starts_with("202") && at.contains('T'), "{at}");
            } else {
                assert!(r["email_verified_at"].is_null(), "{r}");
            }
        }
    }
);
