//! US geography lookups over the static tables in `data`: states by code or name,
//! cities by name. The importer uses them to validate and normalise `state`; the
//! demo generator to place companies and pick phone area codes; the interpreter to
//! infer a state from a city.

mod data;

pub use data::{City, State, CITIES, STATES};

/// The state for a two-letter code or a full name, in any case ("nv", "Nevada").
pub fn state(code_or_name: &str) -> Option<&'static State> {
    let wanted = code_or_name.trim();
    if wanted.len() == 2 {
        return STATES.iter().find(|s| s.code.eq_ignore_ascii_case(wanted));
    }
    STATES.iter().find(|s| s.name.eq_ignore_ascii_case(wanted))
}

/// Every known city with this name (any case), largest first.
pub fn cities_named(name: &str) -> impl Iterator<Item = &'static City> + '_ {
    let wanted = name.trim();
    CITIES
        .iter()
        .filter(move |c| c.name.eq_ignore_ascii_case(wanted))
}

/// The known cities of a state, largest first.
pub fn cities_in(state_code: &str) -> impl Iterator<Item = &'static City> + '_ {
    CITIES.iter().filter(move |c| c.state == state_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_resolve_by_code_and_name() {
        assert_eq!(state("nv").map(|s| s.code), Some("NV"));
        assert_eq!(state(" Nevada ").map(|s| s.code), Some("NV"));
        assert_eq!(state("district of columbia").map(|s| s.code), Some("DC"));
        assert!(state("XX").is_none());
        assert!(state("").is_none());
    }

    #[test]
    fn tables_are_consistent() {
        assert_eq!(STATES.len(), 51);
        assert!(CITIES.len() >= 300);
        for s in STATES {
            assert!(!s.area_codes.is_empty(), "{} has no area code", s.code);
            assert!(
                cities_in(s.code).any(|c| c.name == s.capital),
                "capital of {} missing",
                s.code
            );
            for &ac in s.area_codes {
                assert!((201..=989).contains(&ac), "area code {ac}");
            }
        }
        for c in CITIES {
            assert!(
                state(c.state).is_some(),
                "{} has unknown state {}",
                c.name,
                c.state
            );
        }
    }

    #[test]
    fn ambiguous_city_names_have_several_states() {
        let springfields: Vec<_> = cities_named("springfield").map(|c| c.state).collect();
        assert!(springfields.len() >= 2, "{springfields:?}");
        assert_eq!(
            cities_named("Las Vegas").next().map(|c| c.state),
            Some("NV")
        );
    }
}
