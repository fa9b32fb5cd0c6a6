//! Where companies are: state codes and names, known cities, aliases ("NYC", "LA",
//! "DC") and metros ("Bay Area"). Places are the one part of a query where case and
//! neighbours matter: "OR" is Oregon after "Portland" but a conjunction between
//! "Utah" and "Idaho"; "LA" is Louisiana in "TX, OK or LA" but Los Angeles alone;
//! "Mobile" is a city only with a cue such as "in". This module decides those
//! readings, binds a city to the state written next to it, and reports cities whose
//! name exists in several states instead of guessing one.

use super::lexicon::Meaning::{
    self, And, City, Code, Comma, LocPrep, Metro as MetroM, Or, Place, State, Stop, Unknown,
    WordCity,
};
use super::lexicon::{Lexicon, Metro, Slot};
use super::places::WORD_CODES;
use super::token::Token;
use super::Location;
use crate::geo;

/// Distinct places read from one query; more is a list pasted by mistake.
const MAX_PLACES: usize = 50;

/// A state code written in capitals ("NV") or with dots ("d.c."); lowercase "in",
/// "or", "me" are words.
pub(crate) fn state_code(t: &Token<'_>) -> Option<Meaning> {
    let mut letters = t.orig.bytes().filter(|&b| b != b'.');
    let (a, b) = (letters.next()?, letters.next()?);
    if letters.next().is_some() || !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
        return None;
    }
    let capitals = a.is_ascii_uppercase() && b.is_ascii_uppercase();
    if !(t.dotted || capitals) {
        return None;
    }
    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    let state = geo::STATES.iter().find(|s| s.code.as_bytes() == code)?;
    let word = !t.dotted && WORD_CODES.contains(&state.code);
    Some(Code {
        code: state.code,
        word,
    })
}

fn is_place(m: Meaning) -> bool {
    matches!(
        m,
        State(_) | City(_) | WordCity(_) | Place(..) | MetroM(_) | Code { .. }
    )
}

fn is_state(m: Meaning) -> bool {
    matches!(m, State(_) | Code { .. })
}

/// "LA"/"DC": a state in a list of states or after a city, else the city.
fn la_or_dc(slots: &mut [Slot], i: usize, code: &'static str) -> Meaning {
    let at = |k: Option<usize>| k.and_then(|k| slots.get(k)).map(|s| s.m);
    let (prev, prev2) = (at(i.checked_sub(1)), at(i.checked_sub(2)));
    let (next, next2) = (at(Some(i + 1)), at(Some(i + 2)));
    if code == "LA" {
        let j = if next == Some(Comma) { i + 2 } else { i + 1 };
        if matches!(at(Some(j)), Some(State("CA") | Code { code: "CA", .. })) {
            slots[j].m = Stop;
            return Place("Los Angeles", "CA");
        }
    }
    let after_city = |m: Option<Meaning>| matches!(m, Some(City(_) | WordCity(_)));
    let list = matches!(prev, Some(State(_) | Code { .. }))
        || after_city(prev)
        || (prev == Some(Comma) && after_city(prev2))
        || (matches!(prev, Some(Comma | And | Or)) && prev2.is_some_and(is_state))
        || (matches!(next, Some(Comma | And | Or)) && next2.is_some_and(is_state));
    match (list, code) {
        (true, _) => Code { code, word: false },
        (false, "LA") => Place("Los Angeles", "CA"),
        _ => Place("Washington", "DC"),
    }
}

/// Decides the readings that depend on case and neighbours: capitalised codes that
/// are also words, "LA"/"DC", and word-like city names. Rejected readings fall back
/// to the plain word.
pub(crate) fn resolve_cues(slots: &mut [Slot]) {
    for i in 0..slots.len() {
        let at = |k: Option<usize>| k.and_then(|k| slots.get(k)).map(|s| s.m);
        let (prev, prev2) = (at(i.checked_sub(1)), at(i.checked_sub(2)));
        let cue_before = match prev {
            Some(City(_) | WordCity(_) | Place(..) | LocPrep | Meaning::Not) => true,
            Some(Comma | And | Or) => prev2.is_some_and(is_place),
            _ => false,
        };
        match slots[i].m {
            Code { code, word } => {
                if word && !cue_before {
                    slots[i].m = slots[i].alt.unwrap_or(Unknown);
                } else if code == "LA" || code == "DC" {
                    slots[i].m = la_or_dc(slots, i, code);
                }
            }
            WordCity(_) => {
                let (next, next2) = (at(Some(i + 1)), at(Some(i + 2)));
                let cue_after = next.is_some_and(is_state)
                    || (next == Some(Comma) && next2.is_some_and(is_state));
                if !cue_before && !cue_after {
                    slots[i].m = Unknown;
                }
            }
            _ => {}
        }
    }
}

/// Filters and chips for the places of a query.
#[derive(Debug, Default)]
pub(crate) struct Places {
    pub locations: Vec<Location>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub states: Vec<String>,
    pub cities: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loc {
    State(&'static str),
    City {
        name: &'static str,
        state: Option<&'static str>,
        /// Candidate states when the name alone is ambiguous.
        group: Option<u16>,
    },
    Metro(&'static Metro),
}

/// Binds cities to the state written next to them and turns places into filters.
pub(crate) fn collect(slots: &mut [Slot], lex: &Lexicon) -> Places {
    let mut locs: Vec<Loc> = Vec::new();
    let mut too_many = false;
    let mut i = 0;
    while i < slots.len() {
        let j = if slots.get(i + 1).map(|s| s.m) == Some(Comma) {
            i + 2
        } else {
            i + 1
        };
        let follower = match slots.get(j).map(|s| s.m) {
            Some(State(c) | Code { code: c, .. }) => Some(c),
            _ => None,
        };
        let loc = match slots[i].m {
            City(id) | WordCity(id) => {
                let group = &lex.cities[usize::from(id)];
                match follower {
                    Some(st) => {
                        slots[j].m = Stop;
                        let name = group
                            .cities
                            .iter()
                            .find(|c| c.state == st)
                            .map_or(group.name, |c| c.name);
                        Loc::City {
                            name,
                            state: Some(st),
                            group: Some(id),
                        }
                    }
                    None => {
                        let states = group.states();
                        let state = (states.len() == 1).then(|| states[0]);
                        Loc::City {
                            name: group.name,
                            state,
                            group: Some(id),
                        }
                    }
                }
            }
            Place(name, st) => {
                if follower == Some(st) {
                    slots[j].m = Stop;
                }
                Loc::City {
                    name,
                    state: Some(st),
                    group: None,
                }
            }
            State(code) => {
                // "New York, NY", "Washington, D.C.": a state name that is a city there.
                let named = lex
                    .state_named_cities
                    .get(code)
                    .map(|&g| &lex.cities[usize::from(g)]);
                let city = follower
                    .and_then(|st| named.and_then(|g| g.cities.iter().find(|c| c.state == st)));
                match city {
                    Some(c) => {
                        slots[j].m = Stop;
                        Loc::City {
                            name: c.name,
                            state: Some(c.state),
                            group: None,
                        }
                    }
                    None => Loc::State(code),
                }
            }
            Code { code, .. } => Loc::State(code),
            MetroM(m) => Loc::Metro(m),
            _ => {
                i += 1;
                continue;
            }
        };
        if !locs.contains(&loc) {
            if locs.len() < MAX_PLACES {
                locs.push(loc);
            } else {
                too_many = true;
            }
        }
        i += 1;
    }
    let mut places = assemble(locs, lex);
    if too_many {
        places
            .warnings
            .push(format!("only the first {MAX_PLACES} places were used"));
    }
    places
}

fn candidates(lex: &Lexicon, group: Option<u16>) -> Vec<&'static str> {
    group.map_or_else(Vec::new, |g| lex.cities[usize::from(g)].states())
}

fn assemble(mut locs: Vec<Loc>, lex: &Lexicon) -> Places {
    let mut p = Places::default();
    let n_cities = locs
        .iter()
        .filter(|l| matches!(l, Loc::City { .. }))
        .count();
    let has_metro = locs.iter().any(|l| matches!(l, Loc::Metro(_)));
    // One ambiguous city and exactly one of its states named elsewhere: that state.
    if n_cities == 1 && !has_metro {
        let explicit: Vec<&'static str> = locs
            .iter()
            .filter_map(|l| match l {
                Loc::State(s) => Some(*s),
                _ => None,
            })
            .collect();
        if let Some(Loc::City {
            state: state @ None,
            group,
            ..
        }) = locs.iter_mut().find(|l| matches!(l, Loc::City { .. }))
        {
            let cands = candidates(lex, *group);
            let hits: Vec<_> = explicit.iter().filter(|s| cands.contains(s)).collect();
            if let [only] = hits[..] {
                *state = Some(*only);
                let only = *only;
                locs.retain(|l| *l != Loc::State(only));
            }
        }
    }
    let city_states: Vec<Option<&'static str>> = locs
        .iter()
        .filter_map(|l| match l {
            Loc::City { state, .. } => Some(*state),
            Loc::Metro(m) => Some(Some(m.state)),
            Loc::State(_) => None,
        })
        .collect();
    let any_city = !city_states.is_empty();
    for loc in &locs {
        match *loc {
            Loc::State(code) => {
                let name = geo::state(code).map_or(code, |s| s.name);
                if any_city && !city_states.contains(&Some(code)) {
                    p.warnings.push(format!(
                        "ignored the state {name}: the query also names a city elsewhere"
                    ));
                    continue;
                }
                if !any_city && !p.states.iter().any(|s| s == code) {
                    p.states.push(code.to_owned());
                }
                p.locations.push(Location {
                    key: format!("state:{code}"),
                    label: name.to_owned(),
                    state: Some(code.to_owned()),
                    city: None,
                });
            }
            Loc::City { name, state, group } => {
                p.cities.push(name.to_owned());
                let (key, label) = match state {
                    Some(st) => (format!("city:{st}:{name}"), format!("{name}, {st}")),
                    None => {
                        let mut cands = candidates(lex, group);
                        cands.sort_unstable();
                        p.warnings.push(format!(
                            "'{name}' is in several states ({}); add the state to narrow it",
                            cands.join(", ")
                        ));
                        (format!("city::{name}"), format!("{name} (several states)"))
                    }
                };
                p.locations.push(Location {
                    key,
                    label,
                    state: state.map(str::to_owned),
                    city: Some(name.to_owned()),
                });
            }
            Loc::Metro(m) => {
                // Every listed city exists in the metro's state (checked by a test).
                for &c in m.cities {
                    if !p.cities.iter().any(|x| x == c) {
                        p.cities.push(c.to_owned());
                    }
                }
                p.locations.push(Location {
                    key: format!("metro:{}", m.key),
                    label: m.label.to_owned(),
                    state: Some(m.state.to_owned()),
                    city: None,
                });
            }
        }
    }
    if any_city {
        // City states: one filter state when they agree; none if any city is unplaced.
        if city_states.iter().all(Option::is_some) {
            for s in city_states.into_iter().flatten() {
                if !p.states.iter().any(|x| x == s) {
                    p.states.push(s.to_owned());
                }
            }
        }
        if n_cities == 1 && !has_metro {
            p.city = p.cities.pop();
            p.cities.clear();
        }
    }
    if p.states.len() == 1 {
        p.state = p.states.pop();
    }
    p
}
