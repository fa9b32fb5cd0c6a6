//! Issue 15's hole on the old code: "CEOs outside Texas" must not search Texas.
#[test]
fn ceos_outside_texas_never_search_texas() {
    for q in [
        "CEOs outside Texas",
        "CEOs not in TX",
        "CEOs excluding Acme",
    ] {
        let i = quarry_shared::interpret::interpret(q);
        assert_ne!(i.filters.company_state.as_deref(), Some("TX"), "{q}: {i:?}");
        assert!(
            i.filters.keywords.is_empty(),
            "{q}: {:?}",
            i.filters.keywords
        );
    }
}

/// Holes the review of the exclusions found (fixed in 4d45481): what a negation
/// reaches but cannot exclude was searched as the positive filter, and a metro
/// excluded its whole state.
#[test]
fn what_a_negation_cannot_exclude_is_never_searched() {
    for q in [
        "CEOs excluding Acme",
        "CEOs not with a phone",
        "owners not with 50+ employees",
    ] {
        let i = quarry_shared::interpret::interpret(q);
        assert!(
            i.filters.keywords.is_empty(),
            "{q}: {:?}",
            i.filters.keywords
        );
        assert_eq!(i.filters.has_phone, None, "{q}");
        assert_eq!(i.filters.employee_count_min, None, "{q}");
    }
    let i = quarry_shared::interpret::interpret("CEOs outside the Bay Area");
    assert!(
        i.exclusions.states.is_empty(),
        "the Bay Area is not all of California: {i:?}"
    );
    assert!(
        i.exclusions.cities.iter().any(|c| c == "San Francisco"),
        "{i:?}"
    );
}
