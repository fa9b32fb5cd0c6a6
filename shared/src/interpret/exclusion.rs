//! Exclusions (TAXONOMY.md "Exclusions"): "not", "excluding", "except", "other
//! than", "outside", "but not" before a vocabulary term put that term in
//! `exclusions` instead of the positive fields. The negation reaches the term
//! right after it (past "in", "of", "the") and a list of terms of the same kind
//! joined by "or", "and" or commas ("not in CA, NY or NJ"); it stops at anything
//! else. A negation with nothing it can reach is reported, never read as the
//! opposite: "CEOs outside Texas" must never search Texas.

use super::lexicon::Meaning::{self, *};
use super::lexicon::Slot;
use super::token::Token;

/// What a negation can reach, as flags, so a list stays within one kind: "not
/// in Texas or Utah" excludes both states, "not in Texas and CEOs" does not
/// exclude CEOs.
const PERSON: u8 = 1;
const INDUSTRY: u8 = 2;
const PLACE: u8 = 4;

fn kind(m: Meaning) -> Option<u8> {
    match m {
        Role(_) | RoleAdj(_) | Seniority(_) | Department(_) | SenDept(..) | DeptOrStop(_) => {
            Some(PERSON)
        }
        // Read as a department or an industry later, by its neighbours.
        DeptOrIndustry(..) => Some(PERSON | INDUSTRY),
        Industry(_) => Some(INDUSTRY),
        State(_) | City(_) | WordCity(_) | Place(..) | Metro(_) | Code { .. } => Some(PLACE),
        _ => None,
    }
}

/// Words between a negation and its term: "not in", "except for the", "outside of".
fn leads_in(m: Meaning) -> bool {
    matches!(m, LocPrep | Of | Stop | With)
}

/// Which slots are negated. Negation words become `Stop` (they filter nothing
/// by themselves). What a negation reaches but cannot exclude ("not at Acme",
/// "not with a phone") is dropped with a warning naming it, never read as the
/// positive filter.
pub(crate) fn negated(
    slots: &mut [Slot],
    tokens: &[Token<'_>],
    warnings: &mut Vec<String>,
) -> Vec<bool> {
    let n = slots.len();
    let mut mask = vec![false; n];
    let mut i = 0;
    while i < n {
        if slots[i].m != Not {
            i += 1;
            continue;
        }
        slots[i].m = Stop;
        let mut j = i + 1;
        while j < n && leads_in(slots[j].m) {
            j += 1;
        }
        let Some(first) = slots.get(j).and_then(|s| kind(s.m)) else {
            // Up to the next list word or place cue: what the negation was about.
            let mut words = Vec::new();
            let mut k = i + 1;
            while k < n
                && !matches!(slots[k].m, Comma | And | Or | Not)
                && kind(slots[k].m).is_none()
                && !(k > j && slots[k].m == LocPrep)
            {
                words.extend(tokens[slots[k].start..slots[k].end].iter().map(|t| t.orig));
                slots[k].m = Stop;
                k += 1;
            }
            warnings.push(if words.is_empty() {
                "a negation (\"not\", \"except\", \"outside\"…) had nothing after it; nothing was excluded".to_owned()
            } else {
                let shown: String = words.join(" ").chars().take(60).collect();
                format!("could not exclude '{shown}' (only roles, seniorities, departments, industries and places can be); ignored, nothing was excluded")
            });
            i = k.max(i + 1);
            continue;
        };
        loop {
            // A run of terms of the list's kind ("VP sales"; "in Texas software
            // companies" stops before "software").
            while j < n && kind(slots[j].m).is_some_and(|k| k & first != 0) {
                mask[j] = true;
                j += 1;
            }
            // The list goes on past "or", "and" and commas, to a term of the same kind.
            let mut k = j;
            let mut joined = false;
            while k < n
                && (matches!(slots[k].m, Comma | And | Or) || (joined && leads_in(slots[k].m)))
            {
                joined = true;
                k += 1;
            }
            let next = slots.get(k).and_then(|s| kind(s.m)).unwrap_or(0);
            if joined && next & first != 0 {
                j = k;
            } else {
                break;
            }
        }
        i = j;
    }
    mask
}

#[cfg(test)]
mod tests {
    use crate::interpret::interpret;

    fn keys(terms: &[crate::interpret::Term]) -> Vec<&str> {
        terms.iter().map(|t| t.key.as_str()).collect()
    }

    #[test]
    fn the_taxonomy_examples() {
        let i = interpret("CMOs not in California");
        assert_eq!(keys(&i.roles), ["cmo"]);
        assert_eq!(i.exclusions.states, ["CA"]);
        assert_eq!(i.filters.company_state, None, "{i:?}");
        let i = interpret("owners of agencies excluding marketing agencies");
        assert_eq!(keys(&i.exclusions.industries), ["marketing_agency"]);
        assert!(!keys(&i.industries).contains(&"marketing_agency"), "{i:?}");
        let i = interpret("directors except sales");
        assert_eq!(keys(&i.seniorities), ["director"]);
        assert_eq!(keys(&i.exclusions.departments), ["sales"]);
        assert!(i.departments.is_empty());
        let i = interpret("outside Texas");
        assert_eq!(i.exclusions.states, ["TX"]);
        assert!(
            i.locations.is_empty() && i.filters.company_state.is_none(),
            "{i:?}"
        );
        let i = interpret("non-profit executive directors");
        assert_eq!(keys(&i.industries), ["nonprofit"]);
        assert!(i.exclusions.is_empty(), "{i:?}");
    }

    #[test]
    fn ceos_outside_texas_never_search_texas() {
        for q in [
            "CEOs outside Texas",
            "CEOs outside of Texas",
            "CEOs not in TX",
            "CEOs but not in Texas",
            "CEOs other than in Texas",
        ] {
            let i = interpret(q);
            assert_eq!(keys(&i.roles), ["ceo"], "{q}");
            assert_eq!(i.exclusions.states, ["TX"], "{q}: {i:?}");
            assert_eq!(i.filters.company_state, None, "{q}");
            assert!(i.filters.company_states.is_empty(), "{q}");
        }
    }

    #[test]
    fn a_list_is_excluded_whole_and_only_within_its_kind() {
        let i = interpret("CFOs not in CA, NY or NJ");
        assert_eq!(i.exclusions.states, ["CA", "NY", "NJ"]);
        assert!(i.locations.is_empty());
        let i = interpret("CFOs not in Texas and CEOs");
        assert_eq!(i.exclusions.states, ["TX"]);
        assert_eq!(keys(&i.roles), ["cfo", "ceo"]);
        let i = interpret("software engineers in California not in San Francisco");
        assert_eq!(i.filters.company_state.as_deref(), Some("CA"));
        assert_eq!(i.exclusions.cities, ["San Francisco"]);
        let i = interpret("VPs except marketing or sales in Utah");
        assert_eq!(keys(&i.exclusions.departments), ["marketing", "sales"]);
        assert_eq!(i.filters.company_state.as_deref(), Some("UT"));
    }

    #[test]
    fn an_excluded_term_is_not_also_included() {
        let i = interpret("CEOs in Texas not in Texas");
        assert_eq!(i.exclusions.states, ["TX"]);
        assert_eq!(i.filters.company_state, None);
        assert!(
            i.warnings.iter().any(|w| w.contains("excluded")),
            "{:?}",
            i.warnings
        );
        let i = interpret("a negation with nothing after it: not");
        assert!(i.exclusions.is_empty());
        assert!(
            i.warnings
                .iter()
                .any(|w| w.contains("nothing was excluded")),
            "{:?}",
            i.warnings
        );
        let i = interpret("CEOs in Houston not in Texas");
        assert_eq!(i.exclusions.states, ["TX"]);
        assert!(
            i.filters.company_city.is_none() && i.filters.company_state.is_none(),
            "{i:?}"
        );
    }

    #[test]
    fn what_cannot_be_excluded_is_dropped_out_loud_never_searched() {
        for (q, dropped) in [
            ("CEOs excluding Acme", "Acme"),
            ("CEOs not at Acme", "at Acme"),
            ("CEOs not with a phone", "with a phone"),
            ("CFOs not with verified emails", "with verified emails"),
            ("owners not with 50+ employees", "with 50+ employees"),
        ] {
            let i = interpret(q);
            assert!(i.filters.keywords.is_empty(), "{q}: {i:?}");
            assert_eq!(i.filters.has_phone, None, "{q}");
            assert!(i.filters.email_status.is_empty(), "{q}");
            assert_eq!(i.filters.employee_count_min, None, "{q}");
            assert!(
                i.warnings
                    .iter()
                    .any(|w| w.contains(&format!("could not exclude '{dropped}'"))),
                "{q}: {:?}",
                i.warnings
            );
            assert!(!i.roles.is_empty(), "{q}: the rest still reads");
        }
        // Titles where "outside"/"inside" is part of the job.
        let i = interpret("outside sales reps in Texas");
        assert_eq!(
            i.departments.first().map(|t| t.key.as_str()),
            Some("sales"),
            "{i:?}"
        );
        assert!(i.exclusions.is_empty(), "{i:?}");
        assert_eq!(
            interpret("outside counsel")
                .roles
                .first()
                .map(|t| t.key.as_str()),
            Some("attorney")
        );
        // A metro excludes its cities, not the whole state.
        let i = interpret("CEOs outside the Bay Area");
        assert!(i.exclusions.states.is_empty(), "{i:?}");
        assert!(
            i.exclusions.cities.iter().any(|c| c == "San Francisco"),
            "{i:?}"
        );
        // A run stops where the kind changes.
        let i = interpret("CEOs not in Texas software companies");
        assert_eq!(i.exclusions.states, ["TX"]);
        assert!(i.exclusions.industries.is_empty(), "{i:?}");
        assert_eq!(
            i.industries.first().map(|t| t.key.as_str()),
            Some("software")
        );
    }
}

#[cfg(test)]
mod vocabulary {
    use crate::interpret::interpret;

    /// Ways people write roles and industries that the vocabulary now knows.
    #[test]
    fn common_abbreviations_and_informal_words() {
        for (q, role) in [
            ("GMs of hotels", "general_manager"),
            ("DDS in Ohio", "dentist"),
            ("esq", "attorney"),
        ] {
            let i = interpret(q);
            assert_eq!(
                i.roles.first().map(|t| t.key.as_str()),
                Some(role),
                "{q}: {i:?}"
            );
        }
        for (q, industry) in [
            ("owners of grocery stores", "retail"),
            ("supermarket managers", "retail"),
            ("med spa owners", "healthcare_practice"),
            ("chiropractic offices in Utah", "healthcare_practice"),
            ("brewery owners", "restaurant"),
        ] {
            let i = interpret(q);
            assert_eq!(
                i.industries.first().map(|t| t.key.as_str()),
                Some(industry),
                "{q}: {i:?}"
            );
        }
    }
}

#[cfg(test)]
mod properties {
    use crate::interpret::{chips, interpret, without_chip};
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "CEOs",
        "CMOs",
        "directors",
        "VPs",
        "not",
        "except",
        "excluding",
        "outside",
        "but",
        "in",
        "Texas",
        "CA",
        "Utah",
        "NY",
        "or",
        "and",
        ",",
        "sales",
        "marketing",
        "agencies",
        "software",
        "companies",
        "Las",
        "Vegas",
        "Austin",
        "other",
        "than",
        "of",
        "with",
        "50+",
        "employees",
    ];

    proptest! {
        /// No term is both included and excluded, whatever the words.
        #[test]
        fn no_term_is_both_included_and_excluded(words in proptest::collection::vec(0..WORDS.len(), 0..12)) {
            let q: Vec<&str> = words.iter().map(|&w| WORDS[w]).collect();
            let i = interpret(&q.join(" "));
            let ex = &i.exclusions;
            for (pos, neg) in [(&i.roles, &ex.roles), (&i.seniorities, &ex.seniorities), (&i.departments, &ex.departments), (&i.industries, &ex.industries)] {
                for t in pos {
                    prop_assert!(!neg.iter().any(|e| e.key == t.key), "{:?} in both: {:?}", t.key, q);
                }
            }
            let f = &i.filters;
            for s in f.company_state.iter().chain(&f.company_states) {
                prop_assert!(!ex.states.contains(s), "{s} in both: {:?}", q);
            }
            // Excluded chips come only from exclusions and can be removed like any other.
            for chip in chips(&i).into_iter().filter(|c| c.excluded) {
                prop_assert!(chip.id.starts_with("not:"));
                if let Some(text) = without_chip(&q.join(" "), &chip.id) {
                    prop_assert!(!chips(&interpret(&text)).iter().any(|c| c.id == chip.id));
                }
            }
        }
    }
}
