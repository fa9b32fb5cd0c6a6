//! Facets read from the index's cross-tabs (for sets that are some values of one
//! facet dimension: "decision makers", a state, whole size buckets) equal the
//! counts of walking the sets, for every benchmark query and their refinements.

use quarry_server::search::index::PeopleIndex;
use quarry_server::search::people::{self, PeopleQuery};

use crate::contract;
use crate::jobs::seed;

const QUERIES: &str = include_str!("../../benches/queries.txt");

fn facets(index: &PeopleIndex, query: &PeopleQuery) -> Option<String> {
    let codec = quarry_server::search::cursor::CursorCodec::new(b"facets test");
    let prepared = people::prepare(query, "", index).ok()?;
    let page = people::run(
        index,
        &codec,
        query,
        prepared,
        &roaring::RoaringBitmap::new(),
    )
    .ok()?;
    Some(format!(
        "{} {:?} {}",
        page.pagination.total_records,
        page.ids,
        serde_json::to_string(&page.facets).unwrap()
    ))
}

contract!(cross_tab_facets_equal_walked_facets, |store, _db| {
    seed(&store, 5_000).await;
    let with = PeopleIndex::build(&store).await.unwrap();
    let mut without = PeopleIndex::build(&store).await.unwrap();
    assert!(with.pairs.iter().any(|t| t.iter().any(|&n| n > 0)));
    without.pairs.clear();
    let refinements: [fn(&mut PeopleQuery); 6] = [
        |_| {},
        |q| q.seniorities = Some(vec!["director".into(), "vp".into()]),
        |q| q.departments = Some(vec!["sales".into()]),
        |q| q.location_state = vec!["CA".into(), "TX".into()],
        |q| q.employee_count_min = Some(51),
        |q| {
            q.employee_count_min = Some(60);
            q.industries = Some(vec!["software".into()]);
        },
    ];
    let mut compared = 0;
    for text in QUERIES.lines().map(str::trim).filter(|l| !l.is_empty()) {
        for refine in &refinements {
            let mut query = PeopleQuery {
                q: text.to_owned(),
                limit: 10,
                ..PeopleQuery::default()
            };
            refine(&mut query);
            let Some(expected) = facets(&without, &query) else {
                continue;
            };
            assert_eq!(facets(&with, &query), Some(expected), "{query:?}");
            compared += 1;
        }
    }
    assert!(compared > 200, "{compared}");
    // Plain shapes: one state, whole buckets, one seniority, with nothing else.
    for (state, min) in [("NV", None), ("", Some(201)), ("", None)] {
        let query = PeopleQuery {
            q: if state.is_empty() {
                "directors".into()
            } else {
                "people".into()
            },
            location_state: if state.is_empty() {
                vec![]
            } else {
                vec![state.into()]
            },
            employee_count_min: min,
            limit: 10,
            ..PeopleQuery::default()
        };
        assert_eq!(facets(&with, &query), facets(&without, &query), "{query:?}");
    }
});
