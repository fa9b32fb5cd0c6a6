//! The natural-language search interpreter (PRODUCT.md §3, TAXONOMY.md): plain
//! language in, constrained filters out, plus what was understood and what was not.
//! It lives in the shared crate so the widget shows the chips as the user types and
//! the server re-runs it authoritatively; it is pure, deterministic and total.
//!
//! The pipeline: tokenise once (`token`), take the longest known phrase at each
//! position (`lexicon`, fed by `people`, `industry`, `size`, `words`, `places`),
//! settle the readings that depend on neighbours (`location`, `context`), read sizes
//! and counts (`size`), then fold everything into an [`Interpretation`].

mod chips;
mod contact;
mod context;
mod exclusion;
mod industry;
mod lexicon;
mod location;
mod people;
mod places;
mod size;
mod title;
mod token;
mod words;

use serde::{Deserialize, Serialize};

use crate::taxonomy;
use lexicon::{Meaning, Slot};
use token::Token;

pub use chips::{chips, size_label, without_chip, Chip, ChipKind};
pub use title::roles_in_title;

/// Queries are read up to this many characters.
pub const MAX_QUERY_CHARS: usize = 10_000;
/// Keyword filters kept from one query.
pub const MAX_KEYWORDS: usize = 10;
/// "ignored: …" warnings reported for one query (a summary line follows).
const MAX_IGNORED_WARNINGS: usize = 20;

/// A vocabulary entry the query matched: stable key and human label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    pub key: String,
    pub label: String,
}

/// A place the query named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    /// `state:NV`, `city:NV:Las Vegas`, `city::Springfield` (state unknown), `metro:bay_area`.
    pub key: String,
    pub label: String,
    pub state: Option<String>,
    pub city: Option<String>,
}

/// Company-side filters the query implies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filters {
    pub company_city: Option<String>,
    pub company_state: Option<String>,
    /// Two or more states ("Utah or Idaho"); empty when zero or one (then company_state is used).
    pub company_states: Vec<String>,
    /// Metro aliases (Bay Area, Silicon Valley) expand to several cities; empty otherwise.
    pub company_cities: Vec<String>,
    pub employee_count_min: Option<u32>,
    pub employee_count_max: Option<u32>,
    pub keywords: Vec<String>,
    /// Email statuses the text asks for ("verified emails": `verified`).
    #[serde(default)]
    pub email_status: Vec<String>,
    /// "with a phone": only people with a mobile phone.
    #[serde(default)]
    pub has_phone: Option<bool>,
    /// Company domains the text names ("people at acme.com"), normalised.
    #[serde(default)]
    pub company_domains: Vec<String>,
}

/// What a query excludes ("not in California", "excluding marketing agencies",
/// "except sales"): the same fields as the positive ones; states are codes and
/// cities names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exclusions {
    #[serde(default)]
    pub roles: Vec<Term>,
    #[serde(default)]
    pub seniorities: Vec<Term>,
    #[serde(default)]
    pub departments: Vec<Term>,
    #[serde(default)]
    pub industries: Vec<Term>,
    #[serde(default)]
    pub states: Vec<String>,
    #[serde(default)]
    pub cities: Vec<String>,
}

impl Exclusions {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.seniorities.is_empty()
            && self.departments.is_empty()
            && self.industries.is_empty()
            && self.states.is_empty()
            && self.cities.is_empty()
    }
}

/// What a query was understood to ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interpretation {
    pub roles: Vec<Term>,
    pub seniorities: Vec<Term>,
    pub departments: Vec<Term>,
    pub industries: Vec<Term>,
    pub locations: Vec<Location>,
    pub filters: Filters,
    /// A leading requested count ("give me 1000 …").
    pub max_records: Option<u32>,
    /// "all employees at …": no role filter.
    pub all_employees: bool,
    /// What the query leaves out; it wins over the same term asked for.
    #[serde(default)]
    pub exclusions: Exclusions,
    /// What was skipped or read by convention, for people.
    pub warnings: Vec<String>,
}

impl Interpretation {
    /// True when nothing at all was understood: no role/seniority/department/industry/
    /// location/size/keyword/max_records/all_employees.
    pub fn is_empty(&self) -> bool {
        let f = &self.filters;
        self.roles.is_empty()
            && self.seniorities.is_empty()
            && self.departments.is_empty()
            && self.industries.is_empty()
            && self.locations.is_empty()
            && f.company_city.is_none()
            && f.company_state.is_none()
            && f.company_states.is_empty()
            && f.company_cities.is_empty()
            && f.employee_count_min.is_none()
            && f.employee_count_max.is_none()
            && f.keywords.is_empty()
            && f.email_status.is_empty()
            && f.has_phone.is_none()
            && f.company_domains.is_empty()
            && self.max_records.is_none()
            && !self.all_employees
            && self.exclusions.is_empty()
    }
}

fn push_term(list: &mut Vec<Term>, key: &str, label: Option<&'static str>) {
    if !list.iter().any(|t| t.key == key) {
        list.push(Term {
            key: key.to_owned(),
            label: label.unwrap_or(key).to_owned(),
        });
    }
}

/// Warnings without duplicates, with the "ignored" ones capped.
#[derive(Default)]
struct Warnings {
    list: Vec<String>,
    ignored: usize,
}

impl Warnings {
    fn note(&mut self, text: String) {
        if !self.list.contains(&text) {
            self.list.push(text);
        }
    }

    fn ignored(&mut self, what: &str) {
        if self.ignored >= MAX_IGNORED_WARNINGS {
            // Past the cap only the count matters (a 10 KB query of noise stays cheap).
            self.ignored += 1;
            return;
        }
        let shown: String = what.chars().take(40).collect();
        let text = format!("ignored: '{shown}'");
        if !self.list.contains(&text) {
            self.ignored += 1;
            self.list.push(text);
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.ignored > MAX_IGNORED_WARNINGS {
            let more = self.ignored - MAX_IGNORED_WARNINGS;
            self.list
                .push(format!("ignored {more} more words or symbols"));
        }
        self.list
    }
}

/// Whether an unknown word can be a company or title keyword ("kubernetes", "b2b").
fn is_keyword(word: &str) -> bool {
    let n = word.chars().count();
    (3..=40).contains(&n)
        && word.chars().all(char::is_alphanumeric)
        && word.chars().any(char::is_alphabetic)
}

/// Deterministic, total, never panics.
pub fn interpret(q: &str) -> Interpretation {
    let mut warnings = Warnings::default();
    let q = match q.char_indices().nth(MAX_QUERY_CHARS) {
        Some((cut, _)) => {
            warnings.note(format!(
                "query longer than {MAX_QUERY_CHARS} characters: only the first {MAX_QUERY_CHARS} were read"
            ));
            &q[..cut]
        }
        None => q,
    };
    let (q, domains) = if q.contains('.') {
        contact::take_domains(q)
    } else {
        (q.to_owned(), Vec::new())
    };
    let lex = lexicon::lexicon();
    let tokens = token::tokenize(&q);
    let mut slots = lex.scan(&tokens);
    location::resolve_cues(&mut slots);
    // Before sizes: "not with 50+ employees" must not become a size filter.
    let mut notes = Vec::new();
    let negated = exclusion::negated(&mut slots, &tokens, &mut notes);
    let sizing = size::read(&mut slots);
    let original = slots.clone();
    // Excluded places are read on their own, with the same rules ("not in
    // Portland, OR"), and never reach the positive filters.
    let mut excluded_slots = slots.clone();
    for (k, slot) in slots.iter_mut().enumerate() {
        if negated[k] {
            slot.m = lexicon::Meaning::Stop;
        } else {
            excluded_slots[k].m = lexicon::Meaning::Stop;
        }
    }
    let places = location::collect(&mut slots, lex);
    let excluded_places = location::collect(&mut excluded_slots, lex);

    let mut fold = Fold {
        warnings,
        ..Fold::default()
    };
    for note in notes {
        fold.warnings.note(note);
    }
    let has_seniority = original.iter().any(|s| {
        matches!(
            s.m,
            lexicon::Meaning::Seniority(_) | lexicon::Meaning::SenDept(..)
        )
    });
    for (i, &excluded) in negated.iter().enumerate() {
        if excluded {
            fold.exclude(&original, i, has_seniority);
        }
        fold.slot(&slots, i, &tokens);
    }
    let Fold {
        mut out,
        mut warnings,
        band_min,
        band_max,
        everyone,
    } = fold;
    for note in sizing.notes {
        warnings.note(note);
    }
    // A bare "employees at …" with no person filter means everyone there.
    if everyone && out.roles.is_empty() && out.seniorities.is_empty() && out.departments.is_empty()
    {
        out.all_employees = true;
    }
    out.max_records = sizing.max_records;
    let (min, max) = settle_size(sizing.min, sizing.max, band_min, band_max, &mut warnings);
    out.filters.employee_count_min = min;
    out.filters.employee_count_max = max;
    out.locations = places.locations;
    out.filters.company_city = places.city;
    out.filters.company_state = places.state;
    if places.states.len() >= 2 {
        out.filters.company_states = places.states;
    }
    out.filters.company_cities = places.cities;
    out.filters.company_domains = domains;
    for w in places.warnings.into_iter().chain(excluded_places.warnings) {
        warnings.note(w);
    }
    let ex = &mut out.exclusions;
    ex.states = if excluded_places.states.is_empty() {
        excluded_places.state.into_iter().collect()
    } else {
        excluded_places.states
    };
    ex.cities = if excluded_places.cities.is_empty() {
        excluded_places.city.into_iter().collect()
    } else {
        excluded_places.cities
    };
    // A city or a metro excluded by name excludes it, not its whole (inferred) state.
    if !ex.cities.is_empty()
        && excluded_places
            .locations
            .iter()
            .all(|l| l.city.is_some() || l.key.starts_with("metro:"))
    {
        ex.states.clear();
    }
    exclusion_wins(&mut out, &mut warnings);
    out.warnings = warnings.finish();
    out
}

/// A term both asked for and excluded is excluded, and the user is told.
fn exclusion_wins(out: &mut Interpretation, warnings: &mut Warnings) {
    fn drop_terms(list: &mut Vec<Term>, excluded: &[Term], warnings: &mut Warnings) {
        list.retain(|t| {
            let clash = excluded.iter().any(|e| e.key == t.key);
            if clash {
                warnings.note(format!(
                    "'{}' is both asked for and excluded: excluded",
                    t.label
                ));
            }
            !clash
        });
    }
    let ex = out.exclusions.clone();
    drop_terms(&mut out.roles, &ex.roles, warnings);
    drop_terms(&mut out.seniorities, &ex.seniorities, warnings);
    drop_terms(&mut out.departments, &ex.departments, warnings);
    drop_terms(&mut out.industries, &ex.industries, warnings);
    let f = &mut out.filters;
    let clashes = |state: &str| ex.states.iter().any(|s| s == state);
    if f.company_state.as_deref().is_some_and(clashes) && f.company_city.is_none() {
        warnings.note(format!(
            "'{}' is both asked for and excluded: excluded",
            f.company_state.as_deref().unwrap_or_default()
        ));
        f.company_state = None;
    }
    if f.company_states.iter().any(|s| clashes(s)) {
        f.company_states.retain(|s| !clashes(s));
        warnings.note("a state is both asked for and excluded: excluded".to_owned());
        if f.company_states.len() == 1 {
            f.company_state = f.company_states.pop();
        }
    }
    out.locations.retain(|l| {
        let state_clash = l.city.is_none() && l.state.as_deref().is_some_and(clashes);
        let city_clash = l
            .city
            .as_deref()
            .is_some_and(|c| ex.cities.iter().any(|e| e.eq_ignore_ascii_case(c)));
        !(state_clash || city_clash)
    });
    let city_clash = f
        .company_city
        .as_deref()
        .is_some_and(|c| ex.cities.iter().any(|e| e.eq_ignore_ascii_case(c)));
    // "CEOs in Houston not in Texas": the city lies in the excluded state.
    let city_in_excluded_state =
        f.company_city.is_some() && f.company_state.as_deref().is_some_and(clashes);
    if city_clash || city_in_excluded_state {
        warnings.note(format!(
            "'{}' is both asked for and excluded: excluded",
            f.company_city.as_deref().unwrap_or_default()
        ));
        f.company_city = None;
        f.company_state = None;
        out.locations.retain(|l| l.city.is_none());
    }
}

/// Explicit numbers win over named bands; an empty range is reported, not searched.
fn settle_size(
    min: Option<u32>,
    max: Option<u32>,
    band_min: Option<u32>,
    band_max: Option<u32>,
    warnings: &mut Warnings,
) -> (Option<u32>, Option<u32>) {
    let (mut lo, mut hi) = (min.or(band_min), max.or(band_max));
    if let (Some(a), Some(b)) = (lo, hi) {
        if a > b {
            let fix = if min.is_none() {
                lo = None;
                "dropped the size word's minimum"
            } else if max.is_none() {
                hi = None;
                "dropped the size word's maximum"
            } else {
                (lo, hi) = (Some(b), Some(a));
                "swapped the bounds"
            };
            warnings.note(format!("employee range {a}-{b} is empty; {fix}"));
        }
    }
    (lo, hi)
}

/// The interpretation being built from the settled slots.
#[derive(Default)]
struct Fold {
    out: Interpretation,
    warnings: Warnings,
    /// Bounds from size words ("startups"); explicit numbers override them.
    band_min: Option<u32>,
    band_max: Option<u32>,
    /// A bare "employees"/"staff" was seen.
    everyone: bool,
}

impl Fold {
    /// Folds the negated slot `i` into `exclusions` (places are read apart). An
    /// excluded word that is a department or an industry ("except marketing") is
    /// the department when the query names a seniority.
    fn exclude(&mut self, slots: &[Slot], i: usize, has_seniority: bool) {
        let slot = slots[i];
        {
            let ex = &mut self.out.exclusions;
            match slot.m {
                Meaning::Role(_) | Meaning::RoleAdj(_) => {
                    if let Some(k) = context::role_at(slots, i) {
                        push_term(&mut ex.roles, k, taxonomy::role(k).map(|t| t.label));
                    }
                }
                Meaning::Seniority(keys) => {
                    for k in keys {
                        push_term(
                            &mut ex.seniorities,
                            k,
                            taxonomy::seniority(k).map(|t| t.label),
                        );
                    }
                }
                // "except chief legal officers": the department is what is left out.
                Meaning::Department(d) | Meaning::SenDept(_, d) | Meaning::DeptOrStop(d) => {
                    push_term(
                        &mut ex.departments,
                        d,
                        taxonomy::department(d).map(|t| t.label),
                    )
                }
                Meaning::DeptOrIndustry(d, ind) => {
                    if has_seniority || context::near_seniority(slots, i) {
                        push_term(
                            &mut ex.departments,
                            d,
                            taxonomy::department(d).map(|t| t.label),
                        )
                    } else {
                        push_term(
                            &mut ex.industries,
                            ind,
                            taxonomy::industry(ind).map(|t| t.label),
                        )
                    }
                }
                Meaning::Industry(ind) => push_term(
                    &mut ex.industries,
                    ind,
                    taxonomy::industry(ind).map(|t| t.label),
                ),
                _ => {}
            }
        }
    }

    fn slot(&mut self, slots: &[Slot], i: usize, tokens: &[Token<'_>]) {
        let out = &mut self.out;
        let slot = slots[i];
        let tok = &tokens[slot.start];
        match slot.m {
            Meaning::Role(_) | Meaning::RoleAdj(_) => {
                if let Some(k) = context::role_at(slots, i) {
                    push_term(&mut out.roles, k, taxonomy::role(k).map(|t| t.label));
                }
            }
            Meaning::Seniority(keys) => seniorities(out, keys),
            Meaning::Department(d) => department(out, d),
            Meaning::SenDept(keys, d) => {
                seniorities(out, keys);
                department(out, d);
            }
            Meaning::DeptOrIndustry(d, ind) => {
                if context::near_seniority(slots, i) {
                    department(out, d);
                } else {
                    industry(out, ind);
                }
            }
            // "IT" in capitals is the department; lowercase "it" only next to a seniority.
            Meaning::DeptOrStop(d)
                if tok.orig.bytes().all(|b| b.is_ascii_uppercase())
                    || context::near_seniority(slots, i) =>
            {
                department(out, d)
            }
            Meaning::Industry(ind) => industry(out, ind),
            Meaning::Size(band) => {
                self.band_min = band.min.or(self.band_min);
                self.band_max = band.max.or(self.band_max);
                if let Some(note) = band.note {
                    self.warnings.note(note.to_owned());
                }
            }
            Meaning::AllEmployees => out.all_employees = true,
            Meaning::VerifiedEmail if out.filters.email_status.is_empty() => {
                out.filters.email_status.push("verified".to_owned());
            }
            Meaning::HasPhone => out.filters.has_phone = Some(true),
            Meaning::SizeNoun => self.everyone = true,
            Meaning::Unknown => {
                let kw: &str = &tok.text;
                let keywords = &mut out.filters.keywords;
                if !is_keyword(kw) {
                    self.warnings.ignored(tok.orig);
                } else if !keywords.iter().any(|k| k == kw) {
                    if keywords.len() < MAX_KEYWORDS {
                        keywords.push(kw.to_owned());
                    } else {
                        self.warnings.ignored(tok.orig);
                    }
                }
            }
            Meaning::Noise | Meaning::Filler | Meaning::Number(..) => {
                self.warnings.ignored(tok.orig)
            }
            _ => {}
        }
    }
}

fn seniorities(out: &mut Interpretation, keys: &[&str]) {
    for k in keys {
        push_term(
            &mut out.seniorities,
            k,
            taxonomy::seniority(k).map(|t| t.label),
        );
    }
}

fn department(out: &mut Interpretation, key: &str) {
    push_term(
        &mut out.departments,
        key,
        taxonomy::department(key).map(|t| t.label),
    );
}

fn industry(out: &mut Interpretation, key: &str) {
    push_term(
        &mut out.industries,
        key,
        taxonomy::industry(key).map(|t| t.label),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every role phrase reads as that role, alone as a query and as a title.
    #[test]
    fn role_phrases_agree_between_queries_and_titles() {
        for &(phrase, m) in people::PHRASES {
            let key = match m {
                Meaning::Role(k) | Meaning::RoleAdj(k) => k,
                _ => continue,
            };
            let from_query: Vec<String> =
                interpret(phrase).roles.into_iter().map(|t| t.key).collect();
            assert_eq!(from_query, [key], "query {phrase:?}");
            assert_eq!(roles_in_title(phrase), [key], "title {phrase:?}");
        }
    }

    #[test]
    fn phrases_name_the_contact_filters_and_domains() {
        let i = interpret("CFOs with verified emails and with a phone number in Texas");
        assert_eq!(i.roles[0].key, "cfo");
        assert_eq!(i.filters.email_status, ["verified"]);
        assert_eq!(i.filters.has_phone, Some(true));
        assert_eq!(i.filters.company_state.as_deref(), Some("TX"));
        assert!(i.filters.keywords.is_empty(), "{:?}", i.filters.keywords);
        let i = interpret("directors with mobile phones");
        assert_eq!(i.filters.has_phone, Some(true));
        assert_eq!(i.seniorities[0].key, "director");
        let i = interpret("people at acme.com");
        assert_eq!(i.filters.company_domains, ["acme.com"]);
        assert!(i.roles.is_empty() && i.filters.keywords.is_empty(), "{i:?}");
        let i = interpret("CEOs at https://www.Globex.io/about");
        assert_eq!(i.filters.company_domains, ["globex.io"]);
        assert_eq!(i.roles[0].key, "ceo");
        assert!(i.warnings.is_empty(), "{:?}", i.warnings);
        // "and mobile" is about the people, not a filter.
        let i = interpret("web and mobile developers");
        assert_eq!(i.filters.has_phone, None, "{i:?}");
        // A lone phone noun after "with" is not a city ("Mobile, AL").
        let i = interpret("owners with a mobile");
        assert_eq!(i.filters.has_phone, Some(true));
        assert!(i.locations.is_empty());
    }

    #[test]
    fn warnings_are_capped() {
        let noise = (0..100)
            .map(|i| format!("zz{i}x!"))
            .collect::<Vec<_>>()
            .join(" ");
        let q = format!("{noise} 🚀 ⚡ ¤");
        let i = interpret(&q);
        assert!(
            i.warnings.len() <= MAX_IGNORED_WARNINGS + 2,
            "{:?}",
            i.warnings
        );
        assert_eq!(i.filters.keywords.len(), MAX_KEYWORDS);
        assert!(
            i.warnings.last().is_some_and(|w| w.contains("more")),
            "{:?}",
            i.warnings
        );
    }

    #[test]
    fn size_conflicts_are_reported() {
        let mut w = Warnings::default();
        assert_eq!(
            settle_size(Some(50), Some(10), None, None, &mut w),
            (Some(10), Some(50))
        );
        assert_eq!(
            settle_size(Some(1000), None, None, Some(200), &mut w),
            (Some(1000), None)
        );
        assert_eq!(
            settle_size(None, Some(20), Some(1000), None, &mut w),
            (None, Some(20))
        );
        assert_eq!(
            settle_size(None, None, Some(100), Some(999), &mut w),
            (Some(100), Some(999))
        );
        assert_eq!(w.finish().len(), 3);
    }
}
