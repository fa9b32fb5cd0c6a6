//! Search semantics that must never mislead (PRODUCT.md §3), on both databases: a
//! facet or refinement only ever narrows what the text asked, picking any facet
//! value gives exactly the count it showed, facets are disjunctive and let a
//! refinement be undone, and words the data never uses are ignored out loud rather
//! than answering a silent zero.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use quarry_server::search::cursor::CursorCodec;
use quarry_server::search::index::PeopleIndex;
use quarry_server::search::people::{self, PeopleQuery};
use quarry_server::search::SearchService;
use quarry_server::seed;
use quarry_shared::api::{FacetCount, Facets};
use quarry_shared::taxonomy;
use roaring::RoaringBitmap;
use serde_json::{json, Value};

use crate::contract;
use crate::support::urlencode;
use crate::support::{EmbedSetup, TestStore};

async fn seeded(store: &TestStore, people: u64) {
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
}

fn query(q: &str) -> PeopleQuery {
    PeopleQuery {
        q: q.to_owned(),
        limit: 25,
        ..PeopleQuery::default()
    }
}

/// Total and facets of `query` on `index`.
fn run(index: &PeopleIndex, query: &PeopleQuery) -> Result<(u64, Facets), String> {
    let codec = CursorCodec::new(b"semantics");
    let prepared = people::prepare(query, "", index).map_err(|e| format!("{e:?}"))?;
    let page = people::run(index, &codec, query, prepared, &RoaringBitmap::new())
        .map_err(|e| format!("{e:?}"))?;
    Ok((page.pagination.total_records, page.facets.expect("facets")))
}

/// `query` with one facet value of `group` applied as the explicit filter.
fn apply(query: &PeopleQuery, group: usize, value: &FacetCount) -> PeopleQuery {
    let mut q = query.clone();
    match group {
        0 => q.seniorities = Some(vec![value.key.clone()]),
        1 => q.departments = Some(vec![value.key.clone()]),
        2 => q.industries = Some(vec![value.key.clone()]),
        3 => {
            q.location_state = vec![value.key.clone()];
            q.location_city = None;
        }
        _ => {
            let (min, max) = taxonomy::size_bucket(&value.key).expect("a size bucket");
            q.employee_count_min = min;
            q.employee_count_max = max;
        }
    }
    q
}

fn groups(f: &Facets) -> [&Vec<FacetCount>; 5] {
    [
        &f.seniority,
        &f.department,
        &f.industry,
        &f.state,
        &f.employee_range,
    ]
}

/// Pieces queries are built from: roles, seniorities, departments, industries,
/// places and sizes, in the forms people type.
const WHO: &[&str] = &[
    "CFOs",
    "CEOs",
    "VP of Sales",
    "marketing directors",
    "software engineers",
    "owners",
    "decision makers",
    "HR managers",
    "CTOs or VPs of engineering",
    "founders",
    "accountants",
    "",
];
const AT: &[&str] = &[
    "",
    "at SaaS companies",
    "at law firms",
    "at marketing agencies",
    "at insurance agencies",
    "at restaurants",
    "in healthcare",
];
const WHERE: &[&str] = &[
    "",
    "in Texas",
    "in California",
    "in Las Vegas",
    "in New York or New Jersey",
    "in Florida",
];
const SIZE: &[&str] = &[
    "",
    "with 50+ employees",
    "with fewer than 200 employees",
    "startups",
];

fn compose(parts: (usize, usize, usize, usize)) -> String {
    let (w, a, p, s) = parts;
    let text = [WHO[w], AT[a], WHERE[p], SIZE[s]]
        .iter()
        .filter(|t| !t.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        "managers".into()
    } else {
        text
    }
}

contract!(
    applying_any_facet_value_gives_exactly_its_count,
    |store, _db| {
        seeded(&store, 4_000).await;
        let service = SearchService::build(&store).await.unwrap();
        let index = service.index();
        let seniority_keys: Vec<&str> = taxonomy::SENIORITIES.iter().map(|t| t.key).collect();
        let department_keys: Vec<&str> = taxonomy::DEPARTMENTS.iter().map(|t| t.key).collect();
        let strategy = (
            (0..WHO.len(), 0..AT.len(), 0..WHERE.len(), 0..SIZE.len()),
            // An explicit refinement already applied (none, a seniority, a department).
            (0..3usize, 0..seniority_keys.len(), 0..department_keys.len()),
            0..5usize,
            any::<prop::sample::Index>(),
        );
        // A fixed seed: the same 320 cases every run, so the count of cases that
        // had a value to pick (checked below) does not vary from run to run.
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: 320,
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let checked = std::sync::atomic::AtomicU32::new(0);
        runner
            .run(&strategy, |(parts, (refined, s, d), group, pick)| {
                let mut base = query(&compose(parts));
                match refined {
                    1 => base.seniorities = Some(vec![seniority_keys[s].to_owned()]),
                    2 => base.departments = Some(vec![department_keys[d].to_owned()]),
                    _ => {}
                }
                let Ok((_, facets)) = run(&index, &base) else {
                    return Ok(());
                };
                let values = groups(&facets)[group];
                if values.is_empty() {
                    return Ok(());
                }
                let value = pick.get(values);
                checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let applied = apply(&base, group, value);
                let (got, _) = run(&index, &applied).map_err(TestCaseError::fail)?;
                prop_assert_eq!(
                    got,
                    value.count,
                    "{:?} + group {} = {:?} showed {} but answered {}",
                    base.q,
                    group,
                    value.key,
                    value.count,
                    got
                );
                Ok(())
            })
            .unwrap();
        // Most generated cases had facet values to pick (the property is not vacuous).
        let checked = checked.into_inner();
        eprintln!("{checked} of 320 cases picked a value");
        assert!(checked >= 100, "only {checked} of 320 cases picked a value");
    }
);

contract!(
    a_refinement_never_drops_what_the_text_asked,
    |store, _db| {
        seeded(&store, 4_000).await;
        let service = SearchService::build(&store).await.unwrap();
        let index = service.index();
        let (cfos, facets) = run(&index, &query("CFO")).unwrap();
        assert!(cfos > 0);
        let c_suite = facets
            .seniority
            .iter()
            .find(|f| f.key == "c_suite")
            .expect("CFOs are C-level")
            .count;
        let mut refined = query("CFO");
        refined.seniorities = Some(vec!["c_suite".into()]);
        assert_eq!(run(&index, &refined).unwrap().0, c_suite);
        assert!(c_suite <= cfos, "the role was dropped: {c_suite} > {cfos}");
        let mut refined = query("CFO");
        refined.departments = Some(vec!["finance".into()]);
        let finance = run(&index, &refined).unwrap().0;
        assert!(finance <= cfos && finance > 0, "{finance} of {cfos}");

        // The text's own field is what a refinement replaces: directors of sales, not
        // every director, and not the VPs.
        let (vps, _) = run(&index, &query("VP of Sales")).unwrap();
        let mut directors = query("VP of Sales");
        directors.seniorities = Some(vec!["director".into()]);
        let (sales_directors, _) = run(&index, &directors).unwrap();
        let (plain, _) = run(&index, &query("sales directors")).unwrap();
        assert_eq!(sales_directors, plain, "{vps} VPs");

        // Explicit roles narrow too: never the role's whole population.
        let mut cfo_vps = query("VP of Sales");
        cfo_vps.roles = Some(vec!["cfo".into()]);
        let (both, _) = run(&index, &cfo_vps).unwrap();
        assert!(both <= vps, "role= widened {vps} VPs of sales to {both}");
        let mut ceo = query("CFO");
        ceo.roles = Some(vec!["ceo".into()]);
        let (ceos, _) = run(&index, &query("CEO")).unwrap();
        let (cfo_ceo, _) = run(&index, &ceo).unwrap();
        assert!(cfo_ceo <= ceos, "{cfo_ceo} > {ceos}");

        // Disjunctive: refining a state keeps the other states listed to switch to.
        let mut in_texas = query("managers");
        in_texas.location_state = vec!["TX".into()];
        let (_, facets) = run(&index, &in_texas).unwrap();
        assert!(facets.state.len() > 5, "{:?}", facets.state);
        assert!(facets.state.iter().all(|f| f.count > 0));
    }
);

contract!(
    session_refinements_narrow_and_facets_undo_them,
    |store, _db| {
        let s = EmbedSetup::start(&store, 4_000, json!({}), |_| {}).await;
        let (search_id, first) = s.search("CFO", 25).await;
        let total = first["pagination"]["total_records"].as_u64().unwrap();
        let finance = facet(&first, "department", "finance");
        // A session started with a department does not widen either.
        let started = s
            .api
            .post(
                "/v1/prospecting/sessions",
                &s.token,
                &json!({"q": "CFO", "filters": {"department": ["finance"]}}),
            )
            .await
            .expect(201);
        assert_eq!(started["pagination"]["total_records"], finance);
        assert!(finance <= total);

        let page = |filters: Value| {
            let path = format!(
                "/v1/prospecting/sessions/{search_id}?applied_filters={}",
                urlencode(&filters.to_string())
            );
            let api = &s.api;
            let token = s.token.clone();
            async move { api.get(&path, &token).await.expect(200) }
        };
        // On the session's own first page too, every value a facet shows gives
        // that count when picked (the counts are taken inside the session).
        for (group, field) in [
            ("seniority", "seniority"),
            ("department", "department"),
            ("industry", "industry"),
            ("state", "location_state"),
        ] {
            for f in first["facets"][group].as_array().unwrap() {
                let key = f["key"].as_str().unwrap();
                let picked = page(json!({ field: [key] })).await;
                assert_eq!(
                    picked["pagination"]["total_records"], f["count"],
                    "{group} {key}"
                );
            }
        }
        let refined = page(json!({"seniority": ["c_suite"]})).await;
        assert_eq!(
            refined["pagination"]["total_records"],
            facet(&first, "seniority", "c_suite")
        );
        // Every state of the session stays listed after refining to one of them,
        // with the count picking it would give.
        let state = first["facets"]["state"][0]["key"]
            .as_str()
            .unwrap()
            .to_owned();
        let narrowed = page(json!({"location_state": [state]})).await;
        let listed: Vec<&str> = narrowed["facets"]["state"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        let before: Vec<&str> = first["facets"]["state"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        assert_eq!(listed.len(), before.len(), "{listed:?} vs {before:?}");
        let other = before[1];
        let switched = page(json!({"location_state": [other]})).await;
        assert_eq!(
            switched["pagination"]["total_records"],
            facet(&narrowed, "state", other)
        );
        // Refining the department lists the other departments of the session with
        // what each would give now (zero included), never dropping them.
        let by_state = page(json!({"location_state": [state], "department": ["finance"]})).await;
        for f in first["facets"]["department"].as_array().unwrap() {
            let key = f["key"].as_str().unwrap();
            assert!(
                by_state["facets"]["department"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|g| g["key"] == key),
                "{key} disappeared"
            );
        }
    }
);

fn facet(page: &Value, group: &str, key: &str) -> u64 {
    page["facets"][group]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .map_or(0, |f| f["count"].as_u64().unwrap())
}

contract!(unknown_words_are_ignored_out_loud, |store, _db| {
    seeded(&store, 3_000).await;
    let service = SearchService::build(&store).await.unwrap();
    let index = service.index();
    let (base_total, _) = run(&index, &query("CEOs in Texas")).unwrap();
    let strategy = prop::collection::vec("[a-z]{4,9}", 1..4);
    let mut runner = TestRunner::new(Config {
        cases: 128,
        failure_persistence: None,
        ..Config::default()
    });
    let checked = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&strategy, |junk| {
            let junk: Vec<String> = junk
                .into_iter()
                .filter(|w| !index.knows_word(w))
                .filter(|w| {
                    // Only words the interpreter would otherwise keep as keywords.
                    quarry_shared::interpret::interpret(w).filters.keywords == [w.clone()]
                })
                .collect();
            if junk.is_empty() {
                return Ok(());
            }
            checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let q = format!("CEOs {} in Texas", junk.join(" "));
            let prepared = people::prepare(&query(&q), "", &index)
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert!(prepared.interpretation.filters.keywords.is_empty());
            for w in &junk {
                prop_assert!(
                    prepared
                        .interpretation
                        .warnings
                        .iter()
                        .any(|x| x.contains(&format!("'{w}'"))),
                    "no warning for {w}: {:?}",
                    prepared.interpretation.warnings
                );
            }
            prop_assert_eq!(run(&index, &query(&q)).unwrap().0, base_total);
            // On its own, nonsense is not understood at all.
            prop_assert!(people::prepare(&query(&junk.join(" ")), "", &index).is_err());
            Ok(())
        })
        .unwrap();
    let checked = checked.into_inner();
    assert!(
        checked >= 64,
        "only {checked} of 128 cases had unknown words"
    );
    // A word the data does use stays a keyword.
    let word = index
        .companies
        .iter()
        .flat_map(|c| quarry_server::search::index::tokens(&c.record.name).collect::<Vec<_>>())
        .find(|w| {
            w.len() > 4 && quarry_shared::interpret::interpret(w).filters.keywords == [w.clone()]
        })
        .expect("a company word");
    let prepared = people::prepare(&query(&word), "", &index).unwrap();
    assert_eq!(prepared.interpretation.filters.keywords, [word]);
});

contract!(nonsense_and_phrases_over_http, |store, _db| {
    let s = EmbedSetup::start(&store, 3_000, json!({}), |_| {}).await;
    for q in ["asdf qwerty", "the"] {
        let answer = s
            .api
            .post("/v1/prospecting/sessions", &s.token, &json!({"q": q}))
            .await;
        answer.expect_error(422, "query_not_understood");
        let answer = s
            .api
            .get(
                &format!("/v1/persons/search?q={}", urlencode(q)),
                &s.partner.secret,
            )
            .await;
        answer.expect_error(422, "query_not_understood");
    }
    let (_, page) = s.search("CEOs asdfzx in Texas", 25).await;
    assert!(page["interpretation"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("asdfzx")));
    assert!(page["pagination"]["total_records"].as_u64().unwrap() > 0);

    let api_search = |q: &str| {
        let path = format!("/v1/persons/search?q={}", urlencode(q));
        let api = &s.api;
        let secret = s.partner.secret.clone();
        async move { api.get(&path, &secret).await.expect(200) }
    };
    let verified = api_search("managers with verified emails").await;
    let data = verified["data"].as_array().unwrap();
    assert!(!data.is_empty());
    assert!(
        data.iter().all(|p| p["email_status"] == "verified"),
        "{data:?}"
    );
    let phones = api_search("directors with a phone number").await;
    let data = phones["data"].as_array().unwrap();
    assert!(!data.is_empty());
    assert!(data.iter().all(|p| p["mobile_phone"].is_string()));
    // A company's domain, written as a URL, names that company.
    let domain = data[0]["company"]["domain"].as_str().unwrap().to_owned();
    let at = api_search(&format!("people at https://www.{domain}/about")).await;
    let data = at["data"].as_array().unwrap();
    assert!(!data.is_empty());
    assert!(data
        .iter()
        .all(|p| p["company"]["domain"] == domain.as_str()));
    assert_eq!(
        at["interpretation"]["filters"]["company_domains"],
        json!([domain])
    );
});
