//! Companies that make the product's own example queries true in every demo set
//! big enough to try them in. The widget and the taxonomy offer
//! [`EXAMPLE_QUERIES`] as the first thing a new user clicks; a data set drawn only
//! by population holds one insurance agency in Las Vegas and no dentist in Boise at
//! 250,000 people, so those suggestions would answer almost nothing.
//!
//! Each example is read with the interpreter itself (so a new example needs no
//! change here) into a plan: its industry, place and size. The generator draws a
//! few ordinary companies to each plan (the same names, sizes, title mixes and
//! people as any other) and, when none of a company's people holds the role the
//! example asks for, gives one of them a title of that role from the usual title
//! tables.

use quarry_shared::geo::{self, City, State};
use quarry_shared::interpret::{interpret, roles_in_title};
use quarry_shared::taxonomy::{self, Industry, EXAMPLE_QUERIES};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::titles::{self, Title};

/// Companies per example at full size, and the data set size that reaches it.
const COMPANIES_PER_EXAMPLE: u64 = 12;
const PEOPLE_PER_SHOWCASE_COMPANY: u64 = 20_000;

/// Who an example asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// Anyone at the company ("all employees at …").
    Anyone,
    /// A role found in job titles ("dentists").
    Roles(Vec<String>),
    /// Any of these seniorities, in any of these departments (empty: any).
    Level {
        seniorities: Vec<String>,
        departments: Vec<String>,
    },
}

impl Who {
    /// Whether a generated position is one the example asks for.
    pub fn admits(&self, title: &Title) -> bool {
        match self {
            Who::Anyone => true,
            Who::Roles(keys) => roles_in_title(&title.title)
                .iter()
                .any(|r| keys.iter().any(|k| k == r)),
            Who::Level {
                seniorities,
                departments,
            } => {
                (seniorities.is_empty() || seniorities.iter().any(|s| s == title.seniority))
                    && (departments.is_empty() || departments.iter().any(|d| d == title.department))
            }
        }
    }
}

/// What the companies drawn for one example share.
#[derive(Debug, Clone)]
pub struct Plan {
    pub industry: Option<&'static Industry>,
    pub place: Option<(&'static State, &'static City)>,
    pub employees_min: Option<u32>,
    pub employees_max: Option<u32>,
    pub who: Who,
}

/// The largest known city of a state.
fn largest_city(state: &'static State) -> Option<&'static City> {
    geo::cities_in(state.code).max_by_key(|c| c.population_k)
}

/// The plan of one example query.
pub fn plan(q: &str) -> Plan {
    let i = interpret(q);
    let state = i
        .filters
        .company_state
        .as_deref()
        .or(i.filters.company_states.first().map(String::as_str))
        .and_then(geo::state);
    let city =
        i.filters.company_city.as_deref().and_then(|name| {
            geo::cities_named(name).find(|c| state.is_none_or(|s| s.code == c.state))
        });
    let place = match (city, state) {
        (Some(c), _) => geo::state(c.state).map(|s| (s, c)),
        (None, Some(s)) => largest_city(s).map(|c| (s, c)),
        (None, None) => None,
    };
    let keys = |terms: &[quarry_shared::interpret::Term]| -> Vec<String> {
        terms.iter().map(|t| t.key.clone()).collect()
    };
    let who = if i.all_employees {
        Who::Anyone
    } else if !i.roles.is_empty() {
        Who::Roles(keys(&i.roles))
    } else if !i.seniorities.is_empty() || !i.departments.is_empty() {
        Who::Level {
            seniorities: keys(&i.seniorities),
            departments: keys(&i.departments),
        }
    } else {
        Who::Anyone
    };
    let industry = i
        .industries
        .first()
        .and_then(|t| taxonomy::industry(&t.key))
        .or_else(|| home_industry(&who));
    Plan {
        industry,
        place,
        employees_min: i.filters.employee_count_min,
        employees_max: i.filters.employee_count_max,
        who,
    }
}

/// Where the people an example asks for mostly work, when it names no industry
/// ("dentists": dental practices): the industry whose own staff most often hold
/// such a title. `None` for anyone, or a level found everywhere alike.
fn home_industry(who: &Who) -> Option<&'static Industry> {
    if !matches!(who, Who::Roles(_)) {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    taxonomy::INDUSTRIES
        .iter()
        .map(|industry| {
            let hits = (0..300)
                .filter(|_| who.admits(&titles::staff(&mut rng, industry.key, 10)))
                .count();
            (hits, industry)
        })
        .filter(|&(hits, _)| hits > 0)
        .max_by_key(|&(hits, industry)| (hits, std::cmp::Reverse(industry.key)))
        .map(|(_, industry)| industry)
}

/// The plans to draw for a data set of `people`: each example's plan repeated
/// for as many companies as the set's size warrants (none in small sets, which
/// tests and the sandbox use, so their data stays drawn by population alone).
pub fn plans(people: u64) -> Vec<Plan> {
    let per_example = (people / PEOPLE_PER_SHOWCASE_COMPANY).min(COMPANIES_PER_EXAMPLE);
    if per_example == 0 {
        return Vec::new();
    }
    let once: Vec<Plan> = EXAMPLE_QUERIES.iter().map(|q| plan(q)).collect();
    let mut out = Vec::with_capacity(once.len() * per_example as usize);
    for _ in 0..per_example {
        out.extend(once.iter().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_read_into_plans() {
        let p = plan("owners of insurance agencies in Las Vegas");
        assert_eq!(p.industry.map(|i| i.key), Some("insurance_agency"));
        assert_eq!(
            p.place.map(|(s, c)| (s.code, c.name)),
            Some(("NV", "Las Vegas"))
        );
        assert_eq!(p.who, Who::Roles(vec!["owner".into()]));
        let p = plan("real estate agents in Nevada");
        assert_eq!(p.place.map(|(s, _)| s.code), Some("NV"));
        assert_eq!(
            p.industry.map(|i| i.key),
            Some("real_estate"),
            "where agents work"
        );
        let p = plan("dentists in Boise, Idaho");
        assert_eq!(p.industry.map(|i| i.key), Some("dental_practice"));
        let p = plan("CMOs of SaaS companies with 50+ employees");
        assert_eq!((p.employees_min, p.place.is_none()), (Some(50), true));
        let p = plan("give me 1000 decision makers for marketing agencies");
        assert!(matches!(p.who, Who::Level { ref seniorities, .. } if seniorities.len() > 3));
        assert_eq!(plan("all employees at SaaS companies").who, Who::Anyone);
        assert!(plans(5_000).is_empty());
        assert_eq!(plans(250_000).len(), 12 * EXAMPLE_QUERIES.len());
    }
}
