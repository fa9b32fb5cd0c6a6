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

/// The refinements each benchmark query is also run under.
static REFINEMENTS: [fn(&mut PeopleQuery); 6] = [
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

/// Every benchmark query with `limit`, plain and under each of six refinements.
fn refined_queries(limit: u32) -> impl Iterator<Item = PeopleQuery> {
    QUERIES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .flat_map(move |text| {
            REFINEMENTS.iter().map(move |refine| {
                let mut query = PeopleQuery {
                    q: text.to_owned(),
                    limit,
                    ..PeopleQuery::default()
                };
                refine(&mut query);
                query
            })
        })
}

contract!(cross_tab_facets_equal_walked_facets, |store, _db| {
    seed(&store, 5_000).await;
    let with = PeopleIndex::build(&store).await.unwrap();
    let mut without = PeopleIndex::build(&store).await.unwrap();
    assert!(with.pairs.iter().any(|t| t.iter().any(|&n| n > 0)));
    without.pairs.clear();
    let mut compared = 0;
    for query in refined_queries(10) {
        let Some(expected) = facets(&without, &query) else {
            continue;
        };
        assert_eq!(facets(&with, &query), Some(expected), "{query:?}");
        compared += 1;
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

/// A search's first page (with facets), the page its cursor leads to, page 2 by
/// number in name order and "give me 7" by title.
fn pages(index: &PeopleIndex, query: &PeopleQuery) -> Option<String> {
    let codec = quarry_server::search::cursor::CursorCodec::new(b"facets test");
    let none = roaring::RoaringBitmap::new();
    let run = |query: &PeopleQuery| {
        let prepared = people::prepare(query, "", index).ok()?;
        people::run(index, &codec, query, prepared, &none).ok()
    };
    let first = run(query)?;
    let mut out = format!(
        "{} {:?} {}",
        first.pagination.total_records,
        first.ids,
        serde_json::to_string(&first.facets).unwrap()
    );
    if let Some(cursor) = first.pagination.next_cursor {
        let next = run(&PeopleQuery {
            cursor: Some(cursor),
            ..query.clone()
        })?;
        assert!(next.facets.is_none(), "a cursor page carries no facets");
        out += &format!(" | {:?} {:?}", next.ids, next.pagination.next_cursor);
    }
    let by_name = run(&PeopleQuery {
        page: Some(2),
        sort: quarry_shared::prospecting::Sort::parse("-name").unwrap(),
        ..query.clone()
    })?;
    let capped = run(&PeopleQuery {
        max_records: Some(7),
        sort: quarry_shared::prospecting::Sort::parse("title").unwrap(),
        ..query.clone()
    })?;
    out += &format!(" | {:?} | {:?}", by_name.ids, capped.ids);
    Some(out)
}

// The index keeps each unrestricted search's evaluation (tiers, total, facets)
// for later pages and repeats; what it answers from there is what a fresh
// evaluation answers, for every benchmark query and refinement.
contract!(kept_evaluations_answer_as_fresh_ones, |store, _db| {
    seed(&store, 3_000).await;
    let kept = PeopleIndex::build(&store).await.unwrap();
    let mut fresh = PeopleIndex::build(&store).await.unwrap();
    fresh.results = quarry_server::search::results::ResultCache::new(0);
    let mut compared = 0;
    for query in refined_queries(5) {
        let Some(expected) = pages(&fresh, &query) else {
            continue;
        };
        // Cold, then from what the index kept.
        for round in 0..2 {
            assert_eq!(
                pages(&kept, &query).as_ref(),
                Some(&expected),
                "round {round}: {query:?}"
            );
        }
        compared += 1;
    }
    assert!(compared > 200, "{compared}");
    assert!(kept.results.len() > 200, "{} kept", kept.results.len());
    assert!(fresh.results.is_empty());
});
