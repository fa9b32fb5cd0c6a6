//! Exclusions in plain language (TAXONOMY.md "Exclusions") as the search runs
//! them, on both databases: "not X" never widens a result and leaves out exactly
//! the people X names; "CEOs outside Texas" never searches Texas; explicit
//! `exclude_*` parameters replace the text's exclusions of their dimension.

use quarry_server::search::index::PeopleIndex;
use quarry_server::search::people::{self, PeopleQuery};
use quarry_server::search::SearchService;
use roaring::RoaringBitmap;
use serde_json::Value;

use crate::contract;
use crate::jobs::{seed, start};
use crate::support::{partner, urlencode};

const BASES: &[&str] = &[
    "CEOs",
    "sales directors",
    "VPs",
    "marketing managers at SaaS companies",
    "owners of insurance agencies",
    "software engineers in California",
    "decision makers with 50+ employees",
    "accountants",
];

/// (negation appended to a base, what it leaves out read on its own).
const NOT: &[(&str, &str)] = &[
    ("not in Texas", "in Texas"),
    ("outside California", "in California"),
    ("excluding software companies", "software companies"),
    ("except sales", "sales people"),
    ("other than directors", "directors"),
    ("not in CA, NY or NJ", "in CA, NY or NJ"),
    ("but not in Las Vegas", "in Las Vegas"),
    ("excluding marketing agencies", "marketing agencies"),
];

fn matching(index: &PeopleIndex, q: &str) -> Option<RoaringBitmap> {
    prepared(index, q).map(|(set, _)| set)
}

/// The matching set and whether the text both asked for and excluded a term
/// (then the exclusion wins, and says so).
fn prepared(index: &PeopleIndex, q: &str) -> Option<(RoaringBitmap, bool)> {
    let query = PeopleQuery {
        q: q.to_owned(),
        limit: 25,
        ..PeopleQuery::default()
    };
    let prepared = people::prepare(&query, "", index).ok()?;
    let clash = prepared
        .interpretation
        .warnings
        .iter()
        .any(|w| w.contains("both asked for and excluded"));
    Some((index.matching(&prepared.criteria), clash))
}

contract!(
    adding_not_x_never_widens_and_leaves_out_exactly_x,
    |store, _db| {
        seed(&store, 4_000).await;
        let service = SearchService::build(&store).await.unwrap();
        let index = service.index();
        // Every base with every negation.
        let (mut narrowed, mut clashes) = (0, 0);
        for base_q in BASES {
            let base = matching(&index, base_q).expect("the bases are understood");
            for (negation, named) in NOT {
                let q = format!("{base_q} {negation}");
                let (without, clash) =
                    prepared(&index, &q).expect("a negation keeps the query understood");
                let x = matching(&index, named).expect("what is left out is understood");
                assert!(without.is_disjoint(&x), "{q:?} kept people {named:?} names");
                if clash {
                    // "software engineers in California not in CA": the exclusion
                    // wins (a warning says so) and the rest is read afresh.
                    clashes += 1;
                    continue;
                }
                assert!(without.is_subset(&base), "{q:?} widened {base_q:?}");
                assert_eq!(
                    without.len(),
                    (&base - &x).len(),
                    "{q} left out more than {named}"
                );
                if without.len() < base.len() {
                    narrowed += 1;
                }
            }
        }
        assert!(
            narrowed >= 15,
            "only {narrowed} negations left anyone out: the property is vacuous"
        );
        assert!(clashes >= 2, "the clash cases were not exercised");
    }
);

fn ids(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["person_id"].as_str().unwrap())
        .collect()
}

contract!(ceos_outside_texas_are_everyone_but_texas, |store, _db| {
    seed(&store, 3_000).await;
    let owner = partner(&store).await;
    let (_server, api) = start(&store, |_| {}).await;
    let total = |q: &str, extra: &str| {
        let api = &api;
        let key = owner.secret.clone();
        let path = format!("/v1/persons/search?limit=100&q={}{extra}", urlencode(q));
        async move { api.get(&path, &key).await.expect(200) }
    };
    let all = total("CEOs", "").await;
    let texas = total("CEOs in Texas", "").await;
    let outside = total("CEOs outside Texas", "").await;
    let n = |page: &Value| page["pagination"]["total_records"].as_u64().unwrap();
    assert!(n(&texas) > 0 && n(&outside) > 0);
    assert_eq!(n(&outside), n(&all) - n(&texas));
    assert_eq!(
        outside["interpretation"]["exclusions"]["states"],
        serde_json::json!(["TX"])
    );
    assert_eq!(
        outside["interpretation"]["filters"]["company_state"],
        Value::Null
    );
    for person in outside["data"].as_array().unwrap() {
        assert_ne!(person["company"]["state"], "TX", "{person}");
    }
    let texans = ids(&texas);
    assert!(ids(&outside).iter().all(|id| !texans.contains(id)));
    // The state facet counts no one in Texas.
    let tx = outside["facets"]["state"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "TX")
        .map_or(0, |f| f["count"].as_u64().unwrap());
    assert_eq!(tx, 0);
    // An explicit exclusion replaces the text's for its dimension.
    let utah = total("CEOs in Utah", "").await;
    let replaced = total("CEOs outside Texas", "&exclude_state=UT").await;
    assert_eq!(n(&replaced), n(&all) - n(&utah));
    assert_eq!(
        replaced["interpretation"]["exclusions"]["states"],
        serde_json::json!(["UT"])
    );
    let both = total("CEOs", "&exclude_state=TX,utah").await;
    assert_eq!(n(&both), n(&all) - n(&texas) - n(&utah));
    let no_sales = total("directors", "&exclude_department=sales").await;
    let sales = total("sales directors", "").await;
    assert_eq!(n(&no_sales), n(&total("directors", "").await) - n(&sales));
    for (param, field) in [
        ("&exclude_state=Atlantis", "exclude_state"),
        ("&exclude_industry=spaceships", "exclude_industry"),
        ("&exclude_role=wizard", "exclude_role"),
        ("&exclude_city=Atlantis", "exclude_city"),
    ] {
        let answer = api
            .get(&format!("/v1/persons/search?q=CEOs{param}"), &owner.secret)
            .await;
        assert_eq!(
            (answer.status.as_u16(), answer.field()),
            (400, field),
            "{}",
            answer.body
        );
    }
    // Company search honours exclusions too.
    let companies = |q: &str| {
        let api = &api;
        let key = owner.secret.clone();
        let path = format!("/v1/companies/search?limit=100&q={}", urlencode(q));
        async move { api.get(&path, &key).await.expect(200) }
    };
    let saas = companies("SaaS companies").await;
    let saas_ca = companies("SaaS companies in California").await;
    let saas_not_ca = companies("SaaS companies not in California").await;
    let count = |page: &Value| page["pagination"]["total_records"].as_u64().unwrap();
    assert!(count(&saas_ca) > 0);
    assert_eq!(count(&saas_not_ca), count(&saas) - count(&saas_ca));
    for company in saas_not_ca["data"].as_array().unwrap() {
        assert_ne!(company["state"], "CA", "{company}");
    }
    // A query that only excludes is understood: everyone but them.
    let only = total("outside Texas", "").await;
    assert!(n(&only) > n(&outside));
});
