//! `quarry seed-demo`: a deterministic, realistic synthetic data set (same `--seed`,
//! same rows) so the product can be tried and benchmarked without real data. Companies
//! are drawn first (industry, size, place), then their people in proportion to size:
//! the leader, then staff with titles spread over seniorities and departments,
//! business emails in the company's pattern, phones with the state's area codes.

mod company;
mod showcase;
mod titles;
mod words;

use std::collections::{HashSet, VecDeque};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::progress;
use crate::records::{Company, Person};
use crate::store::{Store, StoreError};

/// Verification dates are spread over the year before this instant (2026-11-01 UTC),
/// not before "now", so that the same seed always yields the same rows.
const VERIFIED_BEFORE: i64 = 1_793_491_200;

/// Rows generated before each write to the store.
const WRITE_BATCH: usize = 5_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub people: u64,
    pub seed: u64,
    pub progress: bool,
}

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub companies: u64,
    pub people: u64,
}

/// Generates the data set and upserts it in one transaction.
pub async fn seed_demo(store: &Store, options: &SeedOptions) -> Result<SeedReport, StoreError> {
    let generator = Generator::new(options.seed).showcasing(options.people);
    fill(store, generator, options).await
}

/// Generates the sandbox data set (see [`Generator::sandbox`]) into `store`.
pub async fn seed_sandbox(store: &Store, people: u64, seed: u64) -> Result<SeedReport, StoreError> {
    let options = SeedOptions {
        people,
        seed,
        progress: false,
    };
    fill(store, Generator::sandbox(seed), &options).await
}

async fn fill(
    store: &Store,
    mut generator: Generator,
    options: &SeedOptions,
) -> Result<SeedReport, StoreError> {
    let bar = progress::count_bar(options.progress, options.people, "people");
    let empty = store.data_counts().await? == (0, 0);
    let mut writer = store.writer().await?;
    if empty {
        writer.defer_indexes().await?;
    }
    // One core draws the rows while the other writes them.
    let (batches, mut received) = tokio::sync::mpsc::channel::<(Vec<Company>, Vec<Person>)>(4);
    let wanted = options.people;
    let drawing = tokio::task::spawn_blocking(move || {
        let mut report = SeedReport {
            companies: 0,
            people: 0,
        };
        let mut companies = Vec::new();
        let mut people = Vec::with_capacity(WRITE_BATCH + 2_000);
        while report.people < wanted {
            let (company, staff) = generator.company(wanted - report.people);
            report.companies += 1;
            report.people += staff.len() as u64;
            companies.push(company);
            people.extend(staff);
            if people.len() >= WRITE_BATCH || report.people >= wanted {
                let batch = (std::mem::take(&mut companies), std::mem::take(&mut people));
                if batches.blocking_send(batch).is_err() {
                    // The writer failed; its error is the one reported.
                    break;
                }
            }
        }
        report
    });
    while let Some((companies, people)) = received.recv().await {
        writer.upsert_companies(&companies).await?;
        writer.upsert_people(&people).await?;
        bar.inc(people.len() as u64);
    }
    let report = drawing
        .await
        .map_err(|e| StoreError::Corrupt(format!("the generator failed: {e}")))?;
    writer.commit().await?;
    bar.finish_and_clear();
    Ok(report)
}

/// The deterministic generator: all randomness comes from one seeded ChaCha stream.
pub struct Generator {
    rng: ChaCha8Rng,
    places: company::Places,
    domains: HashSet<String>,
    /// `(state, city, name)` of every company so far: names are unique in a city.
    names: HashSet<(&'static str, &'static str, String)>,
    /// Plans of the companies still to draw for the example queries.
    showcase: VecDeque<showcase::Plan>,
    companies: u64,
    people: u64,
    /// Marks every identifier as synthetic (see [`Generator::sandbox`]).
    sandbox: bool,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            places: company::Places::new(),
            domains: HashSet::new(),
            names: HashSet::new(),
            showcase: VecDeque::new(),
            companies: 0,
            people: 0,
            sandbox: false,
        }
    }

    /// A generator for the sandbox data set: the same realistic rows, but every
    /// identifier says it is synthetic (`sandbox_person_…`, `sandbox_company_…`,
    /// domains under the reserved `.example`), so nothing in it can be taken for,
    /// or collide with, an operator's real record.
    pub fn sandbox(seed: u64) -> Generator {
        Generator {
            sandbox: true,
            ..Generator::new(seed)
        }
    }

    /// This generator, drawing first the companies that make the example queries
    /// true in a data set of `people` (see `showcase`).
    pub fn showcasing(mut self, people: u64) -> Generator {
        self.showcase = showcase::plans(people).into();
        self
    }

    /// A name for a company of `industry` in `city` that no other company there has.
    fn unique_name(&mut self, industry: &str, state: &'static str, city: &'static str) -> String {
        for attempt in 0.. {
            let name = match attempt {
                0..30 => company::name(&mut self.rng, industry, city),
                30 => format!("{} of {city}", company::name(&mut self.rng, industry, city)),
                n => format!("{} {n}", company::name(&mut self.rng, industry, city)),
            };
            if self.names.insert((state, city, name.clone())) {
                return name;
            }
        }
        unreachable!("the numbered names are endless")
    }

    /// The next company and its people (at most `max_people`, at least one).
    pub fn company(&mut self, max_people: u64) -> (Company, Vec<Person>) {
        self.companies += 1;
        let plan = self.showcase.pop_front();
        let draft = match &plan {
            Some(plan) => company::draft_for(&mut self.rng, &self.places, plan),
            None => company::draft(&mut self.rng, &self.places),
        };
        let industry = draft.industry;
        let name = self.unique_name(industry.key, draft.state.code, draft.city.name);
        let rng = &mut self.rng;
        // The sandbox's domains all lie under the reserved `.example`.
        let only_tld = self.sandbox.then_some("example");
        let domain = company::domain(
            rng,
            &name,
            industry.key,
            draft.city.name,
            only_tld,
            &mut self.domains,
        );
        let id_prefix = if self.sandbox { "sandbox_" } else { "" };
        let code = |codes: &[&str], rng: &mut ChaCha8Rng| {
            codes[rng.random_range(0..codes.len())].to_owned()
        };
        let company = Company {
            company_id: format!("{id_prefix}company_{}", self.companies),
            website: Some(format!("https://{domain}")),
            phone: Some(company::phone(rng, draft.state)),
            linkedin_url: Some(format!(
                "https://www.linkedin.com/company/{}",
                domain.split('.').next().unwrap_or("company")
            )),
            revenue: Some(company::revenue(rng, industry.key, draft.employees)),
            employee_count: Some(draft.employees),
            industry: Some(industry.key.to_owned()),
            sic: Some(code(industry.sic, rng)),
            naics: Some(code(industry.naics, rng)),
            city: Some(draft.city.name.to_owned()),
            state: Some(draft.state.code.to_owned()),
            country: "US".to_owned(),
            keywords: company::keywords(industry.key).to_owned(),
            name,
            domain,
        };

        // People in proportion to size: about one profile per seven employees.
        let wanted = ((draft.employees as f64 / 7.0).round() as u64).clamp(1, 2_000);
        let count = wanted.min(max_people.max(1));
        let pattern = rng.random_range(0..5u8);
        let mut emails = HashSet::new();
        let mut positions: Vec<titles::Title> = (0..count)
            .map(|i| {
                if i == 0 {
                    titles::leader(rng, industry.key, draft.employees)
                } else if let Some(t) = titles::executive(i as usize, industry.key, draft.employees)
                {
                    t
                } else {
                    titles::staff(rng, industry.key, draft.employees)
                }
            })
            .collect();
        // A showcase company has someone its example asks for: the first person
        // after the leader (or the only one) takes such a title if nobody has one.
        if let Some(plan) = &plan {
            if !positions.iter().any(|t| plan.who.admits(t)) {
                if let Some(t) =
                    titles::find(rng, industry.key, draft.employees, |t| plan.who.admits(t))
                {
                    let at = usize::from(positions.len() > 1);
                    positions[at] = t;
                }
            }
        }
        let mut staff = Vec::with_capacity(count as usize);
        for title in positions {
            self.people += 1;
            staff.push(person(
                rng,
                (id_prefix, self.people),
                &company,
                draft.state,
                &title,
                pattern,
                &mut emails,
                &self.places,
            ));
        }
        (company, staff)
    }
}

#[allow(clippy::too_many_arguments)]
fn person(
    rng: &mut ChaCha8Rng,
    (prefix, number): (&str, u64),
    company: &Company,
    state: &'static quarry_shared::geo::State,
    title: &titles::Title,
    pattern: u8,
    emails: &mut HashSet<String>,
    places: &company::Places,
) -> Person {
    let first = words::FIRST_NAMES[rng.random_range(0..words::FIRST_NAMES.len())];
    let last = words::LAST_NAMES[rng.random_range(0..words::LAST_NAMES.len())];
    let (f, l) = (first.to_ascii_lowercase(), last.to_ascii_lowercase());
    let local = match pattern {
        0 => format!("{f}.{l}"),
        1 => format!("{}{l}", &f[..1]),
        2 => f.clone(),
        3 => format!("{f}{}", &l[..1]),
        _ => format!("{f}_{l}"),
    };
    let mut email = format!("{local}@{}", company.domain);
    let mut n = 2;
    while !emails.insert(email.clone()) {
        email = format!("{local}{n}@{}", company.domain);
        n += 1;
    }
    let roll: u32 = rng.random_range(0..100);
    let (business_email, email_status, email_verified_at) = match roll {
        0..=4 => (None, None, None),
        5..=64 => (
            Some(email),
            Some("verified"),
            Some(VERIFIED_BEFORE - rng.random_range(0..365 * 86_400)),
        ),
        65..=84 => (Some(email), Some("unverified"), None),
        85..=96 => (Some(email), Some("catch_all"), None),
        _ => (Some(email), Some("invalid"), None),
    };
    // Most people live where their company is; some work remotely from elsewhere.
    let (home_state, city) = if rng.random_bool(0.9) {
        (state, company.city.clone())
    } else {
        let (s, c) = places.pick(rng);
        (s, Some(c.name.to_owned()))
    };
    let mobile_phone = rng
        .random_bool(0.55)
        .then(|| company::phone(rng, home_state));
    // A multiplicative hash of the person number: unique, stable and not sequential.
    let tag = (number as u32).wrapping_mul(2_654_435_761);
    let marker = if prefix.is_empty() { "" } else { "sandbox-" };
    let linkedin_url = rng.random_bool(0.85).then(|| {
        format!(
            "https://www.linkedin.com/in/{}-{}-{marker}{tag:08x}",
            company::slug(first),
            company::slug(last)
        )
    });
    Person {
        person_id: format!("{prefix}person_{number}"),
        company_id: company.company_id.clone(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        job_title: title.title.clone(),
        seniority: Some(title.seniority.to_owned()),
        department: Some(title.department.to_owned()),
        business_email,
        email_status: email_status.map(str::to_owned),
        email_verified_at,
        mobile_phone,
        linkedin_url,
        city,
        state: Some(home_state.code.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::csv_format;

    fn generate(seed: u64, people: u64) -> (Vec<Company>, Vec<Person>) {
        let mut g = Generator::new(seed);
        let (mut companies, mut persons) = (Vec::new(), Vec::new());
        while (persons.len() as u64) < people {
            let (c, p) = g.company(people - persons.len() as u64);
            companies.push(c);
            persons.extend(p);
        }
        (companies, persons)
    }

    #[test]
    fn same_seed_same_rows_other_seed_other_rows() {
        assert_eq!(generate(42, 3_000), generate(42, 3_000));
        assert_ne!(generate(42, 3_000).1, generate(43, 3_000).1);
    }

    #[test]
    fn the_sandbox_generator_marks_every_identifier_synthetic() {
        let mut g = Generator::sandbox(7);
        let mut domains = HashSet::new();
        for _ in 0..200 {
            let (c, people) = g.company(50);
            assert!(
                c.company_id.starts_with("sandbox_company_"),
                "{}",
                c.company_id
            );
            assert!(c.domain.ends_with(".example"), "{}", c.domain);
            assert!(domains.insert(c.domain.clone()), "{} twice", c.domain);
            for p in people {
                assert!(p.person_id.starts_with("sandbox_person_"));
                assert!(p
                    .business_email
                    .as_deref()
                    .is_none_or(|e| e.ends_with(&format!("@{}", c.domain))));
            }
        }
        assert_eq!(
            Generator::sandbox(7).company(5),
            Generator::sandbox(7).company(5)
        );
    }

    #[test]
    fn exactly_the_requested_number_of_people() {
        for n in [1, 7, 1_000] {
            assert_eq!(generate(1, n).1.len() as u64, n);
        }
    }

    #[test]
    fn generated_rows_pass_the_importers_validation() {
        let (companies, people) = generate(9, 5_000);
        let ch = csv_format::Header::parse(
            csv_format::COMPANY_COLUMNS,
            &csv_format::COMPANY_COLUMNS
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let ph = csv_format::Header::parse(
            csv_format::PERSON_COLUMNS,
            &csv_format::PERSON_COLUMNS
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        for c in &companies {
            let row = csv_format::company_row(c);
            let fields: Vec<&str> = row.iter().map(String::as_str).collect();
            assert_eq!(csv_format::parse_company(&ch, &fields).as_ref(), Ok(c));
        }
        for p in &people {
            let row = csv_format::person_row(p);
            let fields: Vec<&str> = row.iter().map(String::as_str).collect();
            assert_eq!(csv_format::parse_person(&ph, &fields).as_ref(), Ok(p));
        }
        let domains: HashSet<_> = companies.iter().map(|c| &c.domain).collect();
        assert_eq!(domains.len(), companies.len(), "domains are unique");
    }

    #[test]
    fn company_names_are_unique_within_a_city() {
        let (companies, _) = generate(3, 120_000);
        let mut seen = HashSet::new();
        for c in &companies {
            assert!(
                seen.insert((c.state.clone(), c.city.clone(), c.name.clone())),
                "{} twice in {:?}",
                c.name,
                c.city
            );
        }
    }

    #[test]
    fn title_mixes_are_realistic_per_industry() {
        use quarry_shared::interpret::roles_in_title;
        let (companies, people) = generate(5, 80_000);
        let by_id: std::collections::HashMap<_, _> =
            companies.iter().map(|c| (&c.company_id, c)).collect();
        // Everyone but each company's leader (the first of its people).
        let mut leaders = HashSet::new();
        let staff: Vec<(&Person, &Company)> = people
            .iter()
            .filter(|p| !leaders.insert(&p.company_id))
            .map(|p| (p, by_id[&p.company_id]))
            .collect();
        let share = |industry: &str, fits: &dyn Fn(&Person) -> bool| {
            let of: Vec<&&Person> = staff
                .iter()
                .filter(|(_, c)| c.industry.as_deref() == Some(industry))
                .map(|(p, _)| p)
                .collect();
            assert!(of.len() > 200, "{industry}: {} people", of.len());
            of.iter().filter(|p| fits(p)).count() * 100 / of.len()
        };
        let has_role = |keys: &'static [&'static str]| {
            move |p: &Person| {
                roles_in_title(&p.job_title)
                    .iter()
                    .any(|r| keys.contains(r))
            }
        };
        let in_department = |d: &'static str| move |p: &Person| p.department.as_deref() == Some(d);
        for (industry, fits, at_least) in [
            (
                "real_estate",
                &has_role(&["real_estate_agent", "broker"]) as &dyn Fn(&Person) -> bool,
                70,
            ),
            (
                "dental_practice",
                &|p: &Person| {
                    ["Dentist", "Dental", "Orthodontist"]
                        .iter()
                        .any(|w| p.job_title.contains(w))
                },
                55,
            ),
            ("law_firm", &in_department("legal"), 70),
            (
                "insurance_agency",
                &|p: &Person| matches!(p.department.as_deref(), Some("sales" | "customer_success")),
                60,
            ),
            ("software", &in_department("engineering"), 25),
            ("restaurant", &in_department("operations"), 60),
        ] {
            let got = share(industry, fits);
            assert!(got >= at_least, "{industry}: {got}% < {at_least}%");
        }
        for (p, c) in &staff {
            let small = c.employee_count.unwrap() < 20;
            // A small business has no VPs or C-level staff besides its leader.
            assert!(
                !(small && matches!(p.seniority.as_deref(), Some("vp" | "c_suite"))),
                "{} at a {}-person {:?}",
                p.job_title,
                c.employee_count.unwrap(),
                c.industry
            );
            // Nobody writes software at a dental practice, a restaurant or a brokerage.
            if matches!(
                c.industry.as_deref(),
                Some("dental_practice" | "restaurant" | "real_estate" | "law_firm")
            ) && c.employee_count.unwrap() < 1_000
            {
                assert_ne!(
                    p.department.as_deref(),
                    Some("engineering"),
                    "{}",
                    p.job_title
                );
            }
        }
    }

    #[test]
    fn data_looks_like_real_firms() {
        let (companies, people) = generate(5, 50_000);
        let small = companies
            .iter()
            .filter(|c| c.employee_count.unwrap() <= 10)
            .count();
        let large = companies
            .iter()
            .filter(|c| c.employee_count.unwrap() >= 1_000)
            .count();
        assert!(
            small * 100 / companies.len() >= 35,
            "most firms are small: {small}/{}",
            companies.len()
        );
        assert!(
            large > 0 && large * 100 / companies.len() < 5,
            "few are large: {large}"
        );
        // Revenue grows with size.
        let avg = |min: i64, max: i64| {
            let v: Vec<i64> = companies
                .iter()
                .filter(|c| (min..max).contains(&c.employee_count.unwrap()))
                .map(|c| c.revenue.unwrap())
                .collect();
            v.iter().sum::<i64>() / v.len().max(1) as i64
        };
        assert!(avg(1, 10) < avg(100, 1000));
        // Every seniority and many departments occur; emails sit on the company domain.
        let seniorities: HashSet<_> = people
            .iter()
            .filter_map(|p| p.seniority.as_deref())
            .collect();
        assert_eq!(seniorities.len(), 11, "{seniorities:?}");
        let by_id: std::collections::HashMap<_, _> =
            companies.iter().map(|c| (&c.company_id, c)).collect();
        for p in people.iter().take(5_000) {
            if let Some(email) = &p.business_email {
                assert!(
                    email.ends_with(&format!("@{}", by_id[&p.company_id].domain)),
                    "{email}"
                );
            }
            if p.email_status.as_deref() == Some("verified") {
                assert!(p.email_verified_at.is_some());
            }
        }
        // Phones carry an area code of the company's (or person's) state.
        for c in companies.iter().take(1_000) {
            let state = quarry_shared::geo::state(c.state.as_deref().unwrap()).unwrap();
            let area: u16 = c.phone.as_deref().unwrap()[2..5].parse().unwrap();
            assert!(
                state.area_codes.contains(&area),
                "{:?} in {}",
                c.phone,
                state.code
            );
        }
    }
}
