//! Runs every example of `examples/queries.jsonl` (TAXONOMY.md: "The project's tests
//! should run every line"). Listed fields must match exactly; every field not listed
//! must be empty, null or false, so an example never passes with a stray filter.

use quarry_shared::interpret::{interpret, Interpretation};
use serde_json::{json, Map, Value};

const COPY: &str = include_str!("data/queries.jsonl");

/// The interpretation's checked fields, in the example file's vocabulary.
fn observed(i: &Interpretation) -> Map<String, Value> {
    let keys = |terms: &[quarry_shared::interpret::Term]| -> Value {
        terms
            .iter()
            .map(|t| t.key.clone())
            .collect::<Vec<_>>()
            .into()
    };
    let f = &i.filters;
    let mut m = Map::new();
    m.insert("roles".into(), keys(&i.roles));
    m.insert("seniorities".into(), keys(&i.seniorities));
    m.insert("departments".into(), keys(&i.departments));
    m.insert("industries".into(), keys(&i.industries));
    m.insert("company_city".into(), json!(f.company_city));
    m.insert("company_state".into(), json!(f.company_state));
    m.insert("company_states".into(), json!(f.company_states));
    m.insert("company_cities".into(), json!(f.company_cities));
    m.insert("employee_count_min".into(), json!(f.employee_count_min));
    m.insert("employee_count_max".into(), json!(f.employee_count_max));
    m.insert("keywords".into(), json!(f.keywords));
    m.insert("max_records".into(), json!(i.max_records));
    m.insert("all_employees".into(), json!(i.all_employees));
    m
}

/// The value a field takes when the example does not list it.
fn empty_like(v: &Value) -> Value {
    match v {
        Value::Array(_) => json!([]),
        Value::Bool(_) => json!(false),
        _ => Value::Null,
    }
}

#[test]
fn every_example_query_interprets_exactly() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in COPY
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        count += 1;
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let q = case["q"].as_str().expect("q");
        let expect = case["expect"].as_object().expect("expect");
        for key in expect.keys() {
            assert!(
                observed(&Interpretation::default()).contains_key(key),
                "line {}: unknown field {key}",
                n + 1
            );
        }
        let got = interpret(q);
        for (field, value) in observed(&got) {
            let want = expect
                .get(&field)
                .cloned()
                .unwrap_or_else(|| empty_like(&value));
            if value != want {
                failures.push(format!(
                    "line {} {q:?}: {field} = {value}, want {want}",
                    n + 1
                ));
            }
        }
        if got.warnings.iter().any(|w| w.starts_with("ignored")) {
            failures.push(format!(
                "line {} {q:?}: unexpected warnings {:?}",
                n + 1,
                got.warnings
            ));
        }
    }
    assert!(count >= 40, "only {count} examples");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_copy_matches_the_reference_file() {
    let reference = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/examples/queries.jsonl"
    );
    if let Ok(text) = std::fs::read_to_string(reference) {
        assert_eq!(
            text, COPY,
            "tests/data/queries.jsonl is out of date with {reference}"
        );
    }
}
