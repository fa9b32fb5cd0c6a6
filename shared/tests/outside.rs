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
