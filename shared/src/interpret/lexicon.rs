//! The phrase table and the matcher. Every vocabulary list (people, industries, sizes,
//! filler words, places) is normalised once into one hash map keyed by phrase, built
//! lazily behind a `OnceLock`; the matcher then walks the tokens once and takes the
//! longest phrase at each position. That keeps interpretation linear in the input and
//! makes `interpret` and `roles_in_title` read words through the very same table.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::token::{phrase_key, TokKind, Token};
use super::{contact, industry, location, people, places, size, words};
use crate::geo::{self, City};

/// Which bound a size comparison sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    /// "at least N", "N or more", "N+": min N.
    AtLeast,
    /// "more than N", "over N": min N+1.
    MoreThan,
    /// "fewer than N", "under N": max N-1.
    LessThan,
    /// "up to N", "N or fewer": max N.
    AtMost,
}

/// A named company-size band ("startups", "SMB").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SizeBand {
    pub min: Option<u32>,
    pub max: Option<u32>,
    /// Why the band is a convention, reported as a warning.
    pub note: Option<&'static str>,
}

/// A metro alias that stands for several cities of one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Metro {
    pub key: &'static str,
    pub label: &'static str,
    pub state: &'static str,
    pub cities: &'static [&'static str],
}

/// What a phrase (or a token the matcher classified) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    Role(&'static str),
    /// A role that reads as an adjective before another job word
    /// ("Principal Engineer", "Partner Manager").
    RoleAdj(&'static str),
    Seniority(&'static [&'static str]),
    Department(&'static str),
    /// Seniority and department in one phrase ("chief legal officer").
    SenDept(&'static [&'static str], &'static str),
    /// Department next to a seniority ("head of security"), industry otherwise.
    DeptOrIndustry(&'static str, &'static str),
    /// Department next to a seniority ("directors of it"), a plain word otherwise.
    DeptOrStop(&'static str),
    Industry(&'static str),
    Size(SizeBand),
    /// A state by full name (the code).
    State(&'static str),
    /// A known city name: index into `Lexicon::cities`.
    City(u16),
    /// A city whose name is also an everyday word or name ("Mobile", "Jackson"): a
    /// place only with a location cue around it.
    WordCity(u16),
    /// An alias for one city ("NYC"): (city, state).
    Place(&'static str, &'static str),
    Metro(&'static Metro),
    /// A two-letter state code written in capitals; `word` when it is also an
    /// English word ("IN", "OR", "ME") and needs a location cue.
    Code {
        code: &'static str,
        word: bool,
    },
    AllEmployees,
    /// "not", "excluding", "outside": the term after it is excluded.
    Not,
    /// "verified emails": only verified email addresses.
    VerifiedEmail,
    /// "with a phone": only people with a mobile phone.
    HasPhone,
    /// "employees", "staff": a size noun; alone it means everyone.
    SizeNoun,
    /// "people": a size noun after a size phrase, a count noun after a leading count.
    WeakSizeNoun,
    /// "leads", "records": "500 leads" is a count.
    CountNoun,
    /// "revenue", "funding": numbers next to it are money, not a company size.
    Money,
    /// Lead-in words before a leading count ("give me", "find", "top").
    CountVerb,
    Cmp(Cmp),
    /// "or more", "or fewer": a comparison after the number.
    PostCmp(Cmp),
    Between,
    To,
    And,
    Or,
    Of,
    /// "in", "near", "based in": a location follows.
    LocPrep,
    /// "with", "having": a size may follow.
    With,
    /// Consumed silently.
    Stop,
    /// Chatter worth telling the user we skipped ("pls", "thx").
    Filler,
    // Produced by the matcher only.
    Number(u64, bool),
    Comma,
    Dash,
    Noise,
    Unknown,
}

/// A matched stretch of tokens and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub m: Meaning,
    /// What the token means if a case-sensitive reading (a state code) is rejected.
    pub alt: Option<Meaning>,
    pub start: usize,
    pub end: usize,
}

/// Cities sharing one normalised name, largest first.
pub(crate) struct CityGroup {
    pub name: &'static str,
    pub cities: Vec<&'static City>,
}

impl CityGroup {
    /// The distinct states of the group, in data order.
    pub fn states(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for c in &self.cities {
            if !out.contains(&c.state) {
                out.push(c.state);
            }
        }
        out
    }
}

/// FxHash: tiny, fast in debug builds too, and deterministic (no random seed).
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// A phrase key: what it means, and whether longer phrases start with it.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    meaning: Option<Meaning>,
    extends: bool,
}

/// All phrases, normalised.
#[derive(Default)]
pub(crate) struct Lexicon {
    /// Every phrase and every proper prefix of a phrase ("chief information" leads
    /// to "chief information security officer"), so the matcher extends a window
    /// word by word and stops at the first dead end.
    phrases: FxMap<Box<str>, Entry>,
    pub cities: Vec<CityGroup>,
    /// State code → the city group named like the state ("Washington" → DC's city).
    pub state_named_cities: FxMap<&'static str, u16>,
    /// Phrases that lost to an earlier table (tests check the list is intended).
    #[cfg_attr(not(test), allow(dead_code))]
    pub shadowed: Vec<(String, Meaning, Meaning)>,
}

/// "agency" → "agencies", "business" → "businesses", "ceo" → "ceos".
fn plural(word: &str) -> String {
    let b = word.as_bytes();
    let n = b.len();
    if n > 1 && b[n - 1] == b'y' && !b"aeiou".contains(&b[n - 2]) {
        format!("{}ies", &word[..n - 1])
    } else if word.ends_with('s')
        || word.ends_with('x')
        || word.ends_with("ch")
        || word.ends_with("sh")
    {
        format!("{word}es")
    } else if let Some(stem) = word.strip_suffix("man") {
        format!("{stem}men")
    } else {
        format!("{word}s")
    }
}

impl Lexicon {
    fn insert(&mut self, key: String, m: Meaning) {
        if key.is_empty() {
            return;
        }
        for (cut, _) in key.match_indices(' ') {
            self.phrases.entry(key[..cut].into()).or_default().extends = true;
        }
        let entry = self.phrases.entry(key.as_str().into()).or_default();
        match entry.meaning {
            Some(old) if old != m => self.shadowed.push((key, old, m)),
            Some(_) => {}
            None => entry.meaning = Some(m),
        }
    }

    fn build() -> Lexicon {
        let mut lex = Builder::default();
        // Earlier tables win ties: vocabulary, then places, then filler words.
        for &(p, m) in people::PHRASES {
            lex.add(p, m, true);
        }
        for &(p, k) in industry::PHRASES {
            lex.add(p, Meaning::Industry(k), true);
        }
        for (p, m) in contact::phrases() {
            lex.add(&p, m, true);
        }
        for &(p, m) in size::BANDS {
            lex.add(p, m, true);
        }
        for &(p, m) in size::WORDS {
            lex.add(p, m, false);
        }
        for &p in words::NEGATIONS {
            lex.add(p, Meaning::Not, false);
        }
        for &(p, m) in words::CONNECTORS {
            lex.add(p, m, false);
        }
        for &(p, m) in places::ALIASES {
            lex.add(p, m, false);
        }
        for s in geo::STATES {
            lex.add(s.name, Meaning::State(s.code), false);
        }
        // Cities: one group per normalised name, with "St."/"Saint", "Ft."/"Fort" variants.
        let mut index: FxMap<String, u16> = FxMap::default();
        for city in geo::CITIES {
            let key = phrase_key(city.name);
            let id = *index.entry(key.clone()).or_insert_with(|| {
                lex.lex.cities.push(CityGroup {
                    name: city.name,
                    cities: Vec::new(),
                });
                (lex.lex.cities.len() - 1) as u16
            });
            lex.lex.cities[id as usize].cities.push(city);
        }
        for s in geo::STATES {
            if let Some(&id) = index.get(&phrase_key(s.name)) {
                lex.lex.state_named_cities.insert(s.code, id);
            }
        }
        let mut keys: Vec<(&String, &u16)> = index.iter().collect();
        keys.sort();
        for (key, &id) in keys {
            let m = if places::WORD_CITIES.contains(&key.as_str()) {
                Meaning::WordCity(id)
            } else {
                Meaning::City(id)
            };
            lex.add(key, m, false);
            for (a, b) in [
                ("st ", "saint "),
                ("saint ", "st "),
                ("fort ", "ft "),
                ("mount ", "mt "),
            ] {
                if let Some(rest) = key.strip_prefix(a) {
                    lex.add(&format!("{b}{rest}"), m, false);
                }
            }
        }
        for &w in words::STOP {
            lex.add(w, Meaning::Stop, false);
        }
        for &w in words::FILLER {
            lex.add(w, Meaning::Filler, false);
        }
        lex.finish()
    }

    /// The meaning of an exact normalised phrase.
    pub fn get(&self, key: &str) -> Option<Meaning> {
        self.phrases.get(key).and_then(|e| e.meaning)
    }

    /// The longest phrase starting at token `i`: (meaning, length in tokens).
    fn longest(
        &self,
        tokens: &[Token<'_>],
        i: usize,
        key: &mut String,
    ) -> Option<(Meaning, usize)> {
        key.clear();
        key.push_str(&tokens[i].text);
        let mut best = None;
        let mut len = 1;
        while let Some(entry) = self.phrases.get(key.as_str()) {
            if let Some(m) = entry.meaning {
                best = Some((m, len));
            }
            match tokens.get(i + len) {
                Some(next) if entry.extends && next.kind == TokKind::Word => {
                    key.push(' ');
                    key.push_str(&next.text);
                    len += 1;
                }
                _ => break,
            }
        }
        best
    }

    /// Greedy longest match over `tokens`.
    pub fn scan(&self, tokens: &[Token<'_>]) -> Vec<Slot> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut key = String::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            let (m, alt, len) = match t.kind {
                TokKind::Number { value, plus } => (Meaning::Number(value, plus), None, 1),
                TokKind::Comma => (Meaning::Comma, None, 1),
                TokKind::Dash => (Meaning::Dash, None, 1),
                TokKind::Noise => (Meaning::Noise, None, 1),
                TokKind::Word => match self.longest(tokens, i, &mut key) {
                    Some((m, len)) if len > 1 => (m, None, len),
                    single => {
                        let single = single.map(|(m, _)| m);
                        match location::state_code(t) {
                            Some(code) => (code, single, 1),
                            None => (single.unwrap_or(Meaning::Unknown), None, 1),
                        }
                    }
                },
            };
            out.push(Slot {
                m,
                alt,
                start: i,
                end: i + len,
            });
            i += len;
        }
        out
    }
}

/// Collects phrases, then adds plurals only where no exact phrase exists.
#[derive(Default)]
struct Builder {
    lex: Lexicon,
    plural_queue: Vec<(String, Meaning)>,
}

impl Builder {
    fn add(&mut self, phrase: &str, m: Meaning, plurals: bool) {
        let key = phrase_key(phrase);
        if plurals {
            // The regular plural, and a bare "-s" too ("fintechs", "agencys").
            let (head, last) = match key.rsplit_once(' ') {
                Some((head, last)) => (format!("{head} "), last),
                None => (String::new(), key.as_str()),
            };
            self.plural_queue
                .push((format!("{head}{}", plural(last)), m));
            self.plural_queue.push((format!("{head}{last}s"), m));
        }
        self.lex.insert(key, m);
    }

    fn finish(mut self) -> Lexicon {
        for (key, m) in std::mem::take(&mut self.plural_queue) {
            if self.lex.get(&key).is_none() {
                self.lex.insert(key, m);
            }
        }
        self.lex
    }
}

/// The shared table, built on first use.
pub(crate) fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::build)
}

/// Tokens and their matched slots for `text`.
#[cfg(test)]
pub(crate) fn read(text: &str) -> (Vec<Token<'_>>, Vec<Slot>) {
    let tokens = super::token::tokenize(text);
    let slots = lexicon().scan(&tokens);
    (tokens, slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural("agency"), "agencies");
        assert_eq!(plural("business"), "businesses");
        assert_eq!(plural("ceo"), "ceos");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("chairman"), "chairmen");
    }

    #[test]
    fn longest_match_wins() {
        let lex = lexicon();
        let (_, slots) = read("real estate agents in Salt Lake City");
        assert_eq!(slots[0].m, Meaning::Role("real_estate_agent"));
        assert!(matches!(slots[2].m, Meaning::City(_)));
        assert_eq!(slots.len(), 3);
        assert_eq!(lex.get("kansas"), Some(Meaning::State("KS")));
        assert_eq!(lex.get("ceos"), Some(Meaning::Role("ceo")));
        assert_eq!(
            lex.get("staffing agencies"),
            Some(Meaning::Industry("staffing"))
        );
        assert!(matches!(lex.get("kansas city"), Some(Meaning::City(_))));
    }
}

#[cfg(test)]
mod shadow_tests {
    use super::*;

    /// Only the intended overlaps: a state name wins over the same-named city
    /// ("Washington" is WA, "Washington DC" the city), and "Manhattan" is New York.
    #[test]
    fn only_intended_phrases_are_shadowed() {
        let mut keys: Vec<&str> = lexicon().shadowed.iter().map(|s| s.0.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["manhattan", "new york", "washington", "wyoming"]);
    }

    #[test]
    fn word_cities_are_known_cities() {
        let lex = lexicon();
        for w in places::WORD_CITIES {
            assert!(matches!(lex.get(w), Some(Meaning::WordCity(_))), "{w}");
        }
    }

    #[test]
    fn metro_cities_exist_in_their_state() {
        for m in places::METROS {
            for c in m.cities {
                assert!(
                    geo::cities_named(c).any(|x| x.state == m.state),
                    "{} {c}",
                    m.key
                );
            }
        }
    }
}
