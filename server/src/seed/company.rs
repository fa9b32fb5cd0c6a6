//! Synthetic companies: industry mix, firm-size distribution skewed like real firms
//! (most are tiny, a few are huge), names in each industry's style, unique domains,
//! revenue consistent with size, and locations weighted by population.

use std::collections::HashSet;

use quarry_shared::geo::{self, City, State};
use quarry_shared::taxonomy::{self, Industry};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::titles::weighted;
use super::words::*;

/// Share of companies per industry (per mille-ish weights).
const INDUSTRY_WEIGHTS: &[(&str, u32)] = &[
    ("software", 80),
    ("fintech", 20),
    ("ecommerce", 45),
    ("marketing_agency", 50),
    ("law_firm", 60),
    ("real_estate", 65),
    ("insurance_agency", 50),
    ("healthcare_practice", 55),
    ("dental_practice", 40),
    ("hospital", 8),
    ("accounting_firm", 40),
    ("financial_services", 40),
    ("bank", 15),
    ("construction", 65),
    ("manufacturing", 50),
    ("logistics", 30),
    ("restaurant", 60),
    ("hospitality", 20),
    ("retail", 55),
    ("education", 20),
    ("nonprofit", 30),
    ("staffing", 20),
    ("consulting", 40),
    ("cybersecurity", 15),
    ("biotech", 10),
    ("automotive", 25),
    ("energy", 10),
    ("media", 18),
    ("telecom", 8),
    ("government", 6),
];

/// The place-independent parts of a company the generator decides first.
pub struct Draft {
    pub industry: &'static Industry,
    pub employees: i64,
    pub state: &'static State,
    pub city: &'static City,
}

/// Location tables with cumulative weights, built once per run.
pub struct Places {
    states: Vec<(usize, u32)>,
    cities: Vec<Vec<(&'static City, u32)>>,
}

impl Places {
    pub fn new() -> Places {
        let states = geo::STATES
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.population_k.max(1)))
            .collect();
        let cities = geo::STATES
            .iter()
            .map(|s| {
                geo::cities_in(s.code)
                    .map(|c| (c, c.population_k.max(1)))
                    .collect()
            })
            .collect();
        Places { states, cities }
    }

    /// A state weighted by population and one of its cities weighted by population.
    pub fn pick(&self, rng: &mut ChaCha8Rng) -> (&'static State, &'static City) {
        let index = weighted(rng, &self.states);
        let state = &geo::STATES[index];
        let city = weighted(rng, &self.cities[index]);
        (state, city)
    }
}

/// Draws the industry, size and place of the next company.
pub fn draft(rng: &mut ChaCha8Rng, places: &Places) -> Draft {
    let key = weighted(rng, INDUSTRY_WEIGHTS);
    let industry = taxonomy::industry(key).expect("weights use taxonomy keys");
    let (state, city) = places.pick(rng);
    Draft {
        industry,
        employees: employees(rng, key),
        state,
        city,
    }
}

/// Draws a company to a showcase plan: its industry and place when it names
/// them, a size inside its bounds (the industry's usual sizes where they fit).
pub fn draft_for(rng: &mut ChaCha8Rng, places: &Places, plan: &super::showcase::Plan) -> Draft {
    let industry = match plan.industry {
        Some(industry) => industry,
        None => {
            taxonomy::industry(weighted(rng, INDUSTRY_WEIGHTS)).expect("weights use taxonomy keys")
        }
    };
    let (state, city) = plan.place.unwrap_or_else(|| places.pick(rng));
    let lo = i64::from(plan.employees_min.unwrap_or(1)).max(1);
    let hi = plan
        .employees_max
        .map_or(lo.max(20) * 10, i64::from)
        .max(lo);
    let usual = (0..20)
        .map(|_| employees(rng, industry.key))
        .find(|n| (lo..=hi).contains(n));
    Draft {
        industry,
        employees: usual.unwrap_or_else(|| rng.random_range(lo..=hi)),
        state,
        city,
    }
}

/// Log-normal firm sizes: the median and spread depend on the industry.
fn employees(rng: &mut ChaCha8Rng, industry: &str) -> i64 {
    let (median, sigma): (f64, f64) = match industry {
        "restaurant"
        | "dental_practice"
        | "law_firm"
        | "real_estate"
        | "insurance_agency"
        | "accounting_firm"
        | "healthcare_practice"
        | "marketing_agency"
        | "consulting"
        | "automotive"
        | "construction" => (6.0, 1.1),
        "hospital" | "bank" | "energy" | "telecom" | "government" | "hospitality" => (250.0, 1.3),
        _ => (25.0, 1.5),
    };
    // Box–Muller: one standard normal from two uniforms.
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random::<f64>();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (median * (sigma * z).exp()).round().clamp(1.0, 150_000.0) as i64
}

/// Revenue per employee by industry, USD.
fn revenue_per_employee(industry: &str) -> f64 {
    match industry {
        "software" | "fintech" | "cybersecurity" => 220_000.0,
        "biotech" | "financial_services" | "bank" | "energy" => 400_000.0,
        "restaurant" | "hospitality" | "education" | "nonprofit" | "government" => 70_000.0,
        "retail" | "staffing" => 150_000.0,
        "law_firm" | "consulting" | "accounting_firm" => 180_000.0,
        _ => 160_000.0,
    }
}

/// Annual revenue consistent with size, rounded to thousands.
pub fn revenue(rng: &mut ChaCha8Rng, industry: &str, employees: i64) -> i64 {
    let noise = rng.random_range(0.6..1.6);
    let r = employees as f64 * revenue_per_employee(industry) * noise;
    ((r / 1000.0).round() as i64) * 1000
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn tech_name(rng: &mut ChaCha8Rng) -> String {
    let root = pick(rng, TECH_ROOTS);
    let suffix = pick(rng, TECH_SUFFIXES);
    if suffix.starts_with(|c: char| c.is_ascii_lowercase()) {
        format!("{root}{suffix}")
    } else {
        format!("{root} {suffix}")
    }
}

/// A company name in the style of its industry.
pub fn name(rng: &mut ChaCha8Rng, industry: &str, city: &str) -> String {
    let brand = pick(rng, BRAND_ROOTS);
    let last = pick(rng, LAST_NAMES);
    let last2 = pick(rng, LAST_NAMES);
    let place = pick(rng, PLACE_DESCRIPTORS);
    let variant = rng.random_range(0..3);
    match (industry, variant) {
        ("software", _) => tech_name(rng),
        ("fintech", 0) => format!("{}Pay", pick(rng, TECH_ROOTS)),
        ("fintech", _) => format!("{} Financial Technologies", pick(rng, TECH_ROOTS)),
        ("cybersecurity", 0) => format!("{brand}Shield"),
        ("cybersecurity", _) => format!("{} Security", pick(rng, TECH_ROOTS)),
        ("biotech", 0) => format!("{brand} Therapeutics"),
        ("biotech", _) => format!("{brand} Bio"),
        ("law_firm", 0) => format!("{last} & {last2} LLP"),
        ("law_firm", 1) => format!("{last} Law Group"),
        ("law_firm", _) => format!("{last} {}", pick(rng, SURNAME_FIRM_SUFFIXES)),
        ("accounting_firm", 0) => format!("{last} & {last2} CPAs"),
        ("accounting_firm", _) => format!("{last} Accounting"),
        ("dental_practice", 0) => format!("{city} Family Dental"),
        ("dental_practice", 1) => format!("{brand} Dental Care"),
        ("dental_practice", _) => format!("{last} Dentistry"),
        ("healthcare_practice", 0) => format!("{city} {place} Medical Group"),
        ("healthcare_practice", _) => format!("{brand} Health Clinic"),
        ("hospital", 0) => format!("{city} {place} Hospital"),
        ("hospital", _) => format!("{brand} Medical Center"),
        ("real_estate", 0) => format!("{brand} Realty"),
        ("real_estate", 1) => format!("{last} Real Estate Group"),
        ("real_estate", _) => format!("{city} Homes Realty"),
        ("insurance_agency", 0) => format!("{last} Insurance Agency"),
        ("insurance_agency", _) => format!("{brand} Insurance Group"),
        ("marketing_agency", 0) => format!("{brand} Creative"),
        ("marketing_agency", 1) => format!("{brand} Digital"),
        ("marketing_agency", _) => format!("{brand} Marketing Co"),
        ("ecommerce", 0) => format!("{brand} Goods"),
        ("ecommerce", 1) => format!("Shop {brand}"),
        ("ecommerce", _) => format!("{brand} & Co"),
        ("construction", 0) => format!("{brand} Builders"),
        ("construction", 1) => format!("{last} Construction"),
        ("construction", _) => format!("{brand} Contracting"),
        ("manufacturing", 0) => format!("{brand} Manufacturing"),
        ("manufacturing", 1) => format!("{brand} Industries"),
        ("manufacturing", _) => format!("{brand} Precision"),
        ("logistics", 0) => format!("{brand} Logistics"),
        ("logistics", 1) => format!("{brand} Freight"),
        ("logistics", _) => format!("{brand} Transport"),
        ("restaurant", 0) => format!("{brand} Kitchen"),
        ("restaurant", 1) => format!("{last}'s Grill"),
        ("restaurant", _) => format!("{brand} Bistro"),
        ("hospitality", 0) => format!("{brand} Hotel"),
        ("hospitality", 1) => format!("{city} {brand} Inn"),
        ("hospitality", _) => format!("{brand} Resorts"),
        ("retail", 0) => format!("{brand} Outfitters"),
        ("retail", 1) => format!("{brand} Supply"),
        ("retail", _) => format!("{brand} Home"),
        ("education", 0) => format!("{city} {place} Academy"),
        ("education", 1) => format!("{brand} Learning"),
        ("education", _) => format!("{brand} School"),
        ("nonprofit", 0) => format!("{city} {place} Foundation"),
        ("nonprofit", 1) => format!("{brand} Alliance"),
        ("nonprofit", _) => format!("Friends of {city}"),
        ("staffing", 0) => format!("{brand} Staffing"),
        ("staffing", 1) => format!("{brand} Talent"),
        ("staffing", _) => format!("{brand} Recruiting"),
        ("consulting", 0) => format!("{brand} Consulting"),
        ("consulting", 1) => format!("{last} Advisory"),
        ("consulting", _) => format!("{brand} Strategy Group"),
        ("automotive", 0) => format!("{city} {brand} Motors"),
        ("automotive", _) => format!("{last} Auto Group"),
        ("energy", 0) => format!("{brand} Energy"),
        ("energy", 1) => format!("{brand} Power"),
        ("energy", _) => format!("{brand} Solar"),
        ("media", 0) => format!("{brand} Media"),
        ("media", 1) => format!("{brand} Press"),
        ("media", _) => format!("{city} {brand} Studios"),
        ("telecom", 0) => format!("{brand} Communications"),
        ("telecom", _) => format!("{brand} Networks"),
        ("government", 0) => format!("City of {city}"),
        ("government", _) => format!(
            "{city} {} Department",
            pick(rng, &["Parks", "Transit", "Water", "Planning", "Housing"])
        ),
        ("financial_services", 0) => format!("{brand} Wealth Management"),
        ("financial_services", 1) => format!("{last} Financial Advisors"),
        ("financial_services", _) => format!("{brand} Capital"),
        ("bank", 0) => format!("{brand} Bank"),
        ("bank", 1) => format!("{city} {place} Credit Union"),
        ("bank", _) => format!("First {brand} Bank"),
        _ => format!("{brand} Group"),
    }
}

/// Lowercase letters and digits of `s` (for domains, emails and slugs).
pub fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

const DROPPED_WORDS: &[&str] = &["llp", "pllc", "co", "and", "the", "of", "inc"];

/// A unique domain for `name`, in the TLD style of the industry (or under
/// `only_tld`).
pub fn domain(
    rng: &mut ChaCha8Rng,
    name: &str,
    industry: &str,
    city: &str,
    only_tld: Option<&str>,
    taken: &mut HashSet<String>,
) -> String {
    let words: Vec<String> = name
        .split_whitespace()
        .map(slug)
        .filter(|w| !w.is_empty() && !DROPPED_WORDS.contains(&w.as_str()))
        .collect();
    let base = if words.len() > 3 {
        words[..3].concat()
    } else {
        words.concat()
    };
    let base = if base.is_empty() {
        "company".to_owned()
    } else {
        base
    };
    let tld = match industry {
        "government" => "gov",
        "nonprofit" | "education" if rng.random_bool(0.7) => "org",
        "software" | "cybersecurity" | "fintech" if rng.random_bool(0.3) => "io",
        "law_firm" if rng.random_bool(0.15) => "law",
        _ if rng.random_bool(0.08) => "co",
        _ if rng.random_bool(0.05) => "net",
        _ => "com",
    };
    let tld = only_tld.unwrap_or(tld);
    let city = slug(city);
    let mut candidates = vec![format!("{base}.{tld}"), format!("{base}{city}.{tld}")];
    candidates.extend((2..).take(50).map(|n| format!("{base}{n}.{tld}")));
    for candidate in candidates {
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    let fallback = format!("{base}{}.{}", taken.len(), only_tld.unwrap_or("com"));
    taken.insert(fallback.clone());
    fallback
}

/// Industry keywords stored on the company.
pub fn keywords(industry: &str) -> &'static str {
    match industry {
        "software" => "saas;b2b;cloud software",
        "fintech" => "payments;fintech;api",
        "ecommerce" => "dtc;online store;ecommerce",
        "marketing_agency" => "seo;paid media;branding",
        "law_firm" => "litigation;corporate law;legal services",
        "real_estate" => "residential;commercial real estate;property",
        "insurance_agency" => "auto insurance;home insurance;commercial insurance",
        "healthcare_practice" => "primary care;clinic;patients",
        "dental_practice" => "dentistry;orthodontics;family dental",
        "hospital" => "acute care;emergency;health system",
        "accounting_firm" => "tax;audit;bookkeeping",
        "financial_services" => "wealth management;retirement planning;investments",
        "bank" => "community banking;lending;deposits",
        "construction" => "general contractor;commercial construction;remodeling",
        "manufacturing" => "fabrication;machining;industrial",
        "logistics" => "freight;trucking;3pl",
        "restaurant" => "dining;catering;food",
        "hospitality" => "hotel;events;travel",
        "retail" => "stores;apparel;consumer goods",
        "education" => "k-12;learning;school",
        "nonprofit" => "community;charity;programs",
        "staffing" => "recruiting;temp staffing;talent",
        "consulting" => "strategy;management consulting;advisory",
        "cybersecurity" => "security;threat detection;compliance",
        "biotech" => "life sciences;drug discovery;clinical trials",
        "automotive" => "dealership;auto repair;vehicles",
        "energy" => "utilities;renewables;power",
        "media" => "publishing;video;content",
        "telecom" => "broadband;wireless;networks",
        _ => "public sector;government;services",
    }
}

/// A North American number in the state: `+1` area code, exchange 200–999.
pub fn phone(rng: &mut ChaCha8Rng, state: &State) -> String {
    let area = state.area_codes[rng.random_range(0..state.area_codes.len())];
    format!(
        "+1{area}{}{:04}",
        rng.random_range(200..1000),
        rng.random_range(0..10_000)
    )
}
