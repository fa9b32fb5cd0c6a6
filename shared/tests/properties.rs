//! Properties of the interpreter over arbitrary input: it never panics, gives the same
//! answer twice, round-trips through JSON, keeps its filters coherent, and bounds what
//! it reads from the longest inputs. (Speed is measured by `benches/interpret.rs`.)

use proptest::prelude::*;
use quarry_shared::interpret::{interpret, roles_in_title, Interpretation};

/// Pieces a real query is made of, plus troublemakers.
const VOCAB: &[&str] = &[
    "CEOs",
    "cmo",
    "VP",
    "of",
    "Sales",
    "head",
    "engineering",
    "directors",
    "IT",
    "it",
    "decision",
    "makers",
    "leaders",
    "founders",
    "co-founder",
    "owner's",
    "realtors",
    "real",
    "estate",
    "agents",
    "agencies",
    "insurance",
    "SaaS",
    "fintech",
    "law",
    "firms",
    "in",
    "IN",
    "or",
    "OR",
    "and",
    "&",
    ",",
    "-",
    "/",
    "Nevada",
    "NV",
    "nv",
    "New",
    "York",
    "City",
    "NYC",
    "LA",
    "DC",
    "D.C.",
    "Washington",
    "Kansas",
    "Portland",
    "Springfield",
    "Mobile",
    "Bay",
    "Area",
    "with",
    "more",
    "than",
    "fewer",
    "under",
    "between",
    "to",
    "50+",
    "1,000",
    "10-200",
    "1k+",
    "0",
    "99999999999",
    "employees",
    "people",
    "give",
    "me",
    "top",
    "all",
    "everyone",
    "startups",
    "mid-market",
    "SMB",
    "enterprise",
    "pls",
    "🚀",
    "kubernetes",
    "b2b",
    "xyz",
    "ok",
    "OK",
    "ME",
    "TX",
    "??",
    "'s",
    "\u{0}",
    "\t",
];

fn soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(VOCAB), 0..60).prop_map(|w| w.join(" "))
}

fn any_chars() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..400).prop_map(|c| c.into_iter().collect())
}

/// Invariants every interpretation keeps, whatever the input.
fn coherent(q: &str, i: &Interpretation) {
    let f = &i.filters;
    assert!(f.keywords.len() <= 10, "{q:?}");
    assert_ne!(
        f.company_states.len(),
        1,
        "{q:?}: one state goes in company_state"
    );
    if !f.company_states.is_empty() {
        assert!(f.company_state.is_none(), "{q:?}");
    }
    if f.company_city.is_some() {
        assert!(f.company_cities.is_empty(), "{q:?}");
    }
    if let (Some(min), Some(max)) = (f.employee_count_min, f.employee_count_max) {
        assert!(min <= max, "{q:?}: {min} > {max}");
    }
    assert!(
        i.warnings.len() <= 40,
        "{q:?}: {} warnings",
        i.warnings.len()
    );
    for k in &f.keywords {
        assert_eq!(k, &k.to_lowercase(), "{q:?}");
    }
}

fn check(q: &str) {
    let a = interpret(q);
    let b = interpret(q);
    assert_eq!(a, b, "not deterministic for {q:?}");
    let json = serde_json::to_string(&a).expect("serialises");
    let back: Interpretation = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(a, back, "JSON round trip for {q:?}");
    coherent(q, &a);
    let _ = roles_in_title(q);
}

proptest! {
    #[test]
    fn printable_unicode_is_handled(q in "\\PC{0,400}") {
        check(&q);
    }

    #[test]
    fn any_chars_are_handled(q in any_chars()) {
        check(&q);
    }

    #[test]
    fn vocabulary_soup_is_handled(q in soup()) {
        check(&q);
    }
}

/// 10 KB of vocabulary words, deterministic (a small LCG picks them).
fn ten_kilobytes() -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = String::new();
    while out.len() < 10_000 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let word = VOCAB[(state >> 33) as usize % VOCAB.len()];
        out.push_str(word);
        out.push(' ');
    }
    out.truncate(10_000);
    while !out.is_char_boundary(out.len()) {
        out.pop();
    }
    out
}

#[test]
fn long_inputs_finish() {
    let q = ten_kilobytes();
    check(&q);
    // Beyond the limit: read up to 10,000 characters and say so.
    let longer = q.repeat(3);
    let i = interpret(&longer);
    coherent(&longer, &i);
    assert!(
        i.warnings.iter().any(|w| w.contains("first 10000")),
        "{:?}",
        i.warnings
    );
}

#[test]
fn a_pasted_list_of_every_city_stays_bounded() {
    let all: Vec<&str> = quarry_shared::geo::CITIES.iter().map(|c| c.name).collect();
    let q = format!("CEOs in {}", all.join(", "));
    let i = interpret(&q);
    coherent(&q, &i);
    assert!(i.locations.len() <= 50, "{}", i.locations.len());
    assert!(
        i.warnings.iter().any(|w| w.contains("first 50 places")),
        "{:?}",
        i.warnings
    );
}
