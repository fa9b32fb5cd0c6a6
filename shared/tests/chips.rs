//! Removing an interpretation chip edits the query so that exactly that chip goes:
//! checked for every chip of every example query (TAXONOMY examples and the
//! suggestions), and as a property over generated queries.

use std::collections::BTreeSet;

use proptest::prelude::*;
use quarry_shared::interpret::{chips, interpret, without_chip};
use quarry_shared::taxonomy::EXAMPLE_QUERIES;

const EXAMPLES: &str = include_str!("data/queries.jsonl");

fn chip_ids(q: &str) -> BTreeSet<String> {
    chips(&interpret(q)).into_iter().map(|c| c.id).collect()
}

/// The edit keeps every other chip, drops this one, and adds no warning.
fn check_removal(q: &str, id: &str, edited: &str) -> Result<(), String> {
    let mut want = chip_ids(q);
    want.remove(id);
    let got = chip_ids(edited);
    if got != want {
        return Err(format!(
            "{q:?} without {id}: {edited:?} has {got:?}, want {want:?}"
        ));
    }
    let (before, after) = (
        interpret(q).warnings.len(),
        interpret(edited).warnings.len(),
    );
    if after > before {
        return Err(format!("{q:?} without {id}: {edited:?} adds warnings"));
    }
    Ok(())
}

fn queries() -> Vec<String> {
    let mut out: Vec<String> = EXAMPLE_QUERIES.iter().map(|q| (*q).to_owned()).collect();
    for line in EXAMPLES.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        out.push(v["q"].as_str().expect("q").to_owned());
    }
    out
}

#[test]
fn every_chip_of_every_example_can_be_removed_exactly() {
    let (mut removable, mut total) = (0, 0);
    let mut missing = Vec::new();
    for q in queries() {
        for chip in chips(&interpret(&q)) {
            total += 1;
            match without_chip(&q, &chip.id) {
                Some(edited) => {
                    check_removal(&q, &chip.id, &edited).unwrap();
                    removable += 1;
                }
                None => missing.push(format!("{q:?}: {}", chip.id)),
            }
        }
    }
    assert!(total > 100, "only {total} chips in the examples");
    // Every chip of the suggestions must be removable; of the rest, nearly all.
    for q in EXAMPLE_QUERIES {
        for chip in chips(&interpret(q)) {
            assert!(without_chip(q, &chip.id).is_some(), "{q:?}: {}", chip.id);
        }
    }
    assert!(
        removable * 100 >= total * 95,
        "{removable} of {total} removable; not: {missing:#?}"
    );
}

#[test]
fn removal_reads_naturally_on_the_suggestions() {
    let cases = [
        (
            "owners of insurance agencies in Las Vegas",
            "location:city:NV:Las Vegas",
            "owners of insurance agencies",
        ),
        ("dentists in Boise, Idaho", "role:dentist", "Boise, Idaho"),
        (
            "give me 1000 decision makers for marketing agencies",
            "industry:marketing_agency",
            "give me 1000 decision makers",
        ),
    ];
    for (q, id, want) in cases {
        assert_eq!(
            without_chip(q, id).as_deref(),
            Some(want),
            "{q} without {id}"
        );
    }
}

const WORDS: &[&str] = &[
    "CEOs",
    "cmo",
    "VP",
    "of",
    "Sales",
    "directors",
    "decision",
    "makers",
    "SaaS",
    "fintech",
    "law",
    "firms",
    "companies",
    "in",
    "or",
    "and",
    ",",
    "/",
    "Nevada",
    "NV",
    "Las",
    "Vegas",
    "NYC",
    "Bay",
    "Area",
    "with",
    "50+",
    "fewer",
    "than",
    "200",
    "employees",
    "give",
    "me",
    "1000",
    "kubernetes",
    "at",
    "all",
    "pls",
    "🚀",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn removal_never_changes_another_chip(words in proptest::collection::vec(proptest::sample::select(WORDS), 1..12)) {
        let q = words.join(" ");
        for chip in chips(&interpret(&q)) {
            if let Some(edited) = without_chip(&q, &chip.id) {
                prop_assert!(check_removal(&q, &chip.id, &edited).is_ok(), "{}", check_removal(&q, &chip.id, &edited).unwrap_err());
            }
        }
    }

    #[test]
    fn removal_is_total_on_arbitrary_text(q in "\\PC{0,80}", id in "[a-z:_]{0,20}") {
        let _ = without_chip(&q, &id);
    }
}
