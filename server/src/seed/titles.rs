//! Job titles for the demo data: who leads a company of a given size and industry,
//! and what everyone else is called, as (title, seniority, department). Titles use the
//! wording real profiles use ("VP of Sales", "Senior Software Engineer", "Managing
//! Partner"), so search has realistic text to interpret.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A generated position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    pub title: String,
    pub seniority: &'static str,
    pub department: &'static str,
}

fn title(title: impl Into<String>, seniority: &'static str, department: &'static str) -> Title {
    Title {
        title: title.into(),
        seniority,
        department,
    }
}

/// Picks an index by integer weights.
pub fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for &(item, w) in items {
        if pick < w {
            return item;
        }
        pick -= w;
    }
    items[items.len() - 1].0
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// The first person of a company: the owner of a small business, the founder of a
/// startup, the managing partner of a firm, the CEO of a larger company.
pub fn leader(rng: &mut ChaCha8Rng, industry: &str, employees: i64) -> Title {
    let small = employees <= 20;
    match industry {
        "law_firm" | "accounting_firm" if small || rng.random_bool(0.6) => {
            title("Managing Partner", "partner", "executive")
        }
        "consulting" if rng.random_bool(0.4) => title("Managing Partner", "partner", "executive"),
        "software" | "fintech" | "cybersecurity" | "biotech" | "ecommerce" if employees <= 200 => {
            title(
                pick(
                    rng,
                    &["Founder & CEO", "Co-Founder & CEO", "Founder", "Co-Founder"],
                ),
                "founder",
                "executive",
            )
        }
        "real_estate" if small => title(
            pick(rng, &["Broker/Owner", "Owner", "Principal Broker"]),
            "owner",
            "executive",
        ),
        "insurance_agency" if small => title(
            pick(rng, &["Agency Owner", "Owner", "Principal Agent"]),
            "owner",
            "executive",
        ),
        "dental_practice" if small => title(
            pick(rng, &["Dentist & Owner", "Owner", "Practice Owner"]),
            "owner",
            "executive",
        ),
        "education" => title(
            pick(rng, &["Principal", "Head of School", "Superintendent"]),
            "c_suite",
            "executive",
        ),
        "nonprofit" => title(
            pick(rng, &["Executive Director", "President", "CEO"]),
            "c_suite",
            "executive",
        ),
        "government" => title(
            pick(rng, &["City Manager", "Director", "Administrator"]),
            "director",
            "executive",
        ),
        "hospital" => title(
            pick(
                rng,
                &[
                    "Chief Executive Officer",
                    "President & CEO",
                    "Hospital President",
                ],
            ),
            "c_suite",
            "executive",
        ),
        _ if small => title(
            pick(
                rng,
                &["Owner", "Owner", "Founder", "President", "Owner & Operator"],
            ),
            "owner",
            "executive",
        ),
        _ => title(
            pick(
                rng,
                &[
                    "Chief Executive Officer",
                    "CEO",
                    "President & CEO",
                    "President",
                ],
            ),
            "c_suite",
            "executive",
        ),
    }
}

/// The executive team after the leader: a company of some size has one CFO, one
/// CMO and so on, rather than C-level titles scattered at random. `slot` counts from
/// 1 (the person after the leader); `None` once the team is complete.
pub fn executive(slot: usize, industry: &str, employees: i64) -> Option<Title> {
    // A brokerage, a practice or a restaurant has a leadership team only at size.
    let main_street = matches!(
        industry,
        "real_estate"
            | "insurance_agency"
            | "dental_practice"
            | "healthcare_practice"
            | "restaurant"
            | "law_firm"
            | "accounting_firm"
            | "automotive"
            | "construction"
            | "retail"
            | "hospitality"
    );
    let seats = match (main_street, employees) {
        (true, ..=99) => 0,
        (true, 100..=499) => 2,
        (true, 500..=999) => 3,
        (true, _) => 5,
        (false, ..=19) => 0,
        (false, 20..=49) => 1,
        (false, 50..=199) => 3,
        (false, 200..=999) => 5,
        (false, _) => 8,
    };
    if slot == 0 || slot > seats {
        return None;
    }
    let tech = matches!(
        industry,
        "software" | "fintech" | "cybersecurity" | "biotech" | "ecommerce"
    );
    let team: &[(&str, &str)] = if tech {
        &[
            ("Chief Technology Officer", "engineering"),
            ("Chief Marketing Officer", "marketing"),
            ("Chief Financial Officer", "finance"),
            ("Chief Revenue Officer", "sales"),
            ("Chief Operating Officer", "operations"),
            ("Chief Product Officer", "product"),
            ("Chief People Officer", "hr"),
            ("Chief Information Security Officer", "security"),
        ]
    } else {
        &[
            ("Chief Financial Officer", "finance"),
            ("Chief Operating Officer", "operations"),
            ("Chief Marketing Officer", "marketing"),
            ("Chief Information Officer", "it"),
            ("Chief Revenue Officer", "sales"),
            ("Chief Human Resources Officer", "hr"),
            ("Chief Technology Officer", "engineering"),
            ("Chief Legal Officer", "legal"),
        ]
    };
    let department = taxonomy_department(team[slot - 1].1);
    Some(title(team[slot - 1].0, "c_suite", department))
}

/// The static key for a department name used above.
fn taxonomy_department(key: &str) -> &'static str {
    quarry_shared::taxonomy::department(key).map_or("executive", |t| t.key)
}

/// Everyone after the leader.
pub fn staff(rng: &mut ChaCha8Rng, industry: &str, employees: i64) -> Title {
    // Industry-specific professionals make up much of a professional firm.
    if let Some(t) = industry_role(rng, industry) {
        return t;
    }
    // A small business has no VPs or C-level staff beyond its leader.
    let seniority = weighted(
        rng,
        &[
            (
                "c_suite",
                match employees {
                    ..=19 => 0,
                    20..=49 => 2,
                    _ => 4,
                },
            ),
            (
                "vp",
                match employees {
                    ..=19 => 0,
                    20..=99 => 2,
                    _ => 5,
                },
            ),
            ("head", if employees >= 20 { 3 } else { 0 }),
            ("director", if employees >= 20 { 8 } else { 3 }),
            ("manager", 17),
            ("senior", 20),
            ("entry", 34),
            ("intern", 2),
        ],
    );
    let department = weighted(rng, department_weights(industry));
    generic(rng, seniority, department)
}

fn department_weights(industry: &str) -> &'static [(&'static str, u32)] {
    match industry {
        "software" | "fintech" | "cybersecurity" => &[
            ("engineering", 28),
            ("sales", 16),
            ("marketing", 10),
            ("product", 8),
            ("customer_success", 8),
            ("data", 5),
            ("design", 4),
            ("finance", 4),
            ("hr", 4),
            ("operations", 5),
            ("it", 3),
            ("security", 3),
            ("legal", 1),
            ("growth", 1),
        ],
        "marketing_agency" | "media" => &[
            ("marketing", 35),
            ("design", 15),
            ("sales", 12),
            ("operations", 10),
            ("customer_success", 10),
            ("growth", 5),
            ("finance", 5),
            ("hr", 4),
            ("data", 4),
        ],
        "ecommerce" | "retail" => &[
            ("operations", 25),
            ("sales", 15),
            ("marketing", 15),
            ("customer_success", 10),
            ("procurement", 8),
            ("engineering", 8),
            ("finance", 6),
            ("hr", 5),
            ("design", 4),
            ("growth", 4),
        ],
        "manufacturing" | "construction" | "logistics" | "energy" | "automotive" => &[
            ("operations", 40),
            ("engineering", 15),
            ("sales", 12),
            ("procurement", 8),
            ("finance", 8),
            ("hr", 6),
            ("it", 5),
            ("marketing", 4),
            ("security", 2),
        ],
        "real_estate" => &[
            ("sales", 50),
            ("marketing", 15),
            ("operations", 20),
            ("finance", 8),
            ("legal", 4),
            ("hr", 3),
        ],
        "dental_practice" | "healthcare_practice" | "hospital" => &[
            ("operations", 55),
            ("customer_success", 12),
            ("finance", 10),
            ("hr", 8),
            ("it", 6),
            ("marketing", 5),
            ("legal", 2),
            ("procurement", 2),
        ],
        "restaurant" | "hospitality" => &[
            ("operations", 60),
            ("sales", 10),
            ("marketing", 10),
            ("finance", 8),
            ("hr", 8),
            ("procurement", 4),
        ],
        "law_firm" => &[
            ("legal", 50),
            ("operations", 20),
            ("finance", 10),
            ("marketing", 8),
            ("hr", 6),
            ("it", 6),
        ],
        "bank" | "financial_services" | "insurance_agency" | "accounting_firm" => &[
            ("finance", 25),
            ("sales", 18),
            ("operations", 18),
            ("customer_success", 10),
            ("it", 8),
            ("legal", 6),
            ("marketing", 6),
            ("hr", 5),
            ("security", 4),
        ],
        _ => &[
            ("operations", 30),
            ("sales", 14),
            ("marketing", 10),
            ("finance", 10),
            ("hr", 8),
            ("it", 8),
            ("customer_success", 8),
            ("legal", 4),
            ("procurement", 4),
            ("engineering", 4),
        ],
    }
}

/// Professionals typical of an industry, about half the time.
fn industry_role(rng: &mut ChaCha8Rng, industry: &str) -> Option<Title> {
    let roles: &[(&str, &'static str, &'static str, u32)] = match industry {
        "law_firm" => &[
            ("Partner", "partner", "legal", 3),
            ("Attorney", "senior", "legal", 5),
            ("Associate Attorney", "entry", "legal", 4),
            ("Senior Associate", "senior", "legal", 2),
            ("Paralegal", "entry", "legal", 4),
            ("Office Manager", "manager", "operations", 1),
        ],
        "accounting_firm" => &[
            ("Partner", "partner", "finance", 2),
            ("CPA", "senior", "finance", 4),
            ("Staff Accountant", "entry", "finance", 5),
            ("Senior Accountant", "senior", "finance", 3),
            ("Tax Manager", "manager", "finance", 2),
            ("Audit Manager", "manager", "finance", 1),
        ],
        "real_estate" => &[
            ("Real Estate Agent", "senior", "sales", 6),
            ("Realtor", "senior", "sales", 5),
            ("Associate Broker", "senior", "sales", 2),
            ("Managing Broker", "manager", "sales", 1),
            ("Broker", "senior", "sales", 2),
            ("Office Manager", "manager", "operations", 1),
        ],
        "insurance_agency" => &[
            ("Insurance Agent", "senior", "sales", 6),
            ("Licensed Insurance Agent", "entry", "sales", 4),
            ("Account Manager", "manager", "customer_success", 2),
            (
                "Customer Service Representative",
                "entry",
                "customer_success",
                3,
            ),
            ("Office Manager", "manager", "operations", 1),
        ],
        "dental_practice" => &[
            ("Dentist", "senior", "operations", 4),
            ("Associate Dentist", "senior", "operations", 2),
            ("Dental Hygienist", "entry", "operations", 5),
            ("Dental Assistant", "entry", "operations", 4),
            ("Office Manager", "manager", "operations", 2),
            ("Orthodontist", "senior", "operations", 1),
        ],
        "healthcare_practice" => &[
            ("Physician", "senior", "operations", 5),
            ("Family Medicine Physician", "senior", "operations", 2),
            ("Nurse Practitioner", "senior", "operations", 3),
            ("Registered Nurse", "entry", "operations", 5),
            ("Medical Assistant", "entry", "operations", 4),
            ("Practice Manager", "manager", "operations", 2),
            ("Office Manager", "manager", "operations", 1),
        ],
        "hospital" => &[
            ("Registered Nurse", "entry", "operations", 8),
            ("Physician", "senior", "operations", 4),
            ("Nurse Manager", "manager", "operations", 2),
            ("Chief Medical Officer", "c_suite", "executive", 1),
            ("Hospitalist", "senior", "operations", 2),
        ],
        "financial_services" => &[
            ("Financial Advisor", "senior", "finance", 6),
            ("Wealth Manager", "senior", "finance", 3),
            ("Financial Planner", "senior", "finance", 3),
            ("Client Service Associate", "entry", "customer_success", 2),
        ],
        "staffing" => &[
            ("Recruiter", "entry", "hr", 6),
            ("Senior Recruiter", "senior", "hr", 3),
            ("Technical Recruiter", "senior", "hr", 3),
            ("Account Manager", "manager", "sales", 2),
        ],
        "software" | "fintech" | "cybersecurity" => &[
            ("Software Engineer", "entry", "engineering", 6),
            ("Senior Software Engineer", "senior", "engineering", 5),
            ("Staff Software Engineer", "senior", "engineering", 1),
            ("Data Scientist", "senior", "data", 2),
            ("Account Executive", "senior", "sales", 3),
            ("Sales Development Representative", "entry", "sales", 2),
            ("Business Development Representative", "entry", "sales", 2),
            ("Product Manager", "manager", "product", 2),
        ],
        "education" => &[
            ("Teacher", "entry", "operations", 8),
            ("Assistant Principal", "manager", "operations", 2),
            ("School Counselor", "senior", "operations", 1),
        ],
        "nonprofit" => &[
            ("Program Manager", "manager", "operations", 4),
            ("Development Director", "director", "marketing", 2),
            ("Pastor", "senior", "executive", 1),
            ("Volunteer Coordinator", "entry", "operations", 2),
        ],
        "construction" => &[
            ("Project Manager", "manager", "operations", 4),
            ("Site Superintendent", "manager", "operations", 2),
            ("Architect", "senior", "design", 2),
            ("Estimator", "senior", "operations", 2),
        ],
        "consulting" => &[
            ("Consultant", "entry", "operations", 5),
            ("Senior Consultant", "senior", "operations", 4),
            ("Management Consultant", "senior", "operations", 2),
            ("Principal", "partner", "executive", 1),
        ],
        "restaurant" | "hospitality" => &[
            ("General Manager", "manager", "operations", 3),
            ("Executive Chef", "head", "operations", 2),
            ("Front of House Manager", "manager", "operations", 2),
            ("Sous Chef", "senior", "operations", 2),
        ],
        _ => return None,
    };
    // How much of the staff the industry's own professionals are: most of a
    // brokerage is agents and most of a dental practice is clinical.
    let share = match industry {
        "real_estate" => 0.85,
        "dental_practice" | "education" => 0.8,
        "law_firm" | "insurance_agency" | "healthcare_practice" => 0.75,
        "accounting_firm" | "hospital" | "consulting" => 0.7,
        "staffing" | "financial_services" | "construction" | "restaurant" | "hospitality" => 0.6,
        _ => 0.5,
    };
    if !rng.random_bool(share) {
        return None;
    }
    let total: u32 = roles.iter().map(|r| r.3).sum();
    let mut n = rng.random_range(0..total);
    for &(t, s, d, w) in roles {
        if n < w {
            return Some(title(t, s, d));
        }
        n -= w;
    }
    None
}

/// A title `wanted` admits, drawn from the industry's own tables first (its
/// leader, its executive team, its staff), then from every conventional seniority
/// and department title; `None` when no table has one.
pub fn find(
    rng: &mut ChaCha8Rng,
    industry: &str,
    employees: i64,
    wanted: impl Fn(&Title) -> bool,
) -> Option<Title> {
    for _ in 0..40 {
        let t = leader(rng, industry, employees);
        if wanted(&t) {
            return Some(t);
        }
    }
    if let Some(t) = (1..=8)
        .filter_map(|slot| executive(slot, industry, employees.max(1_000)))
        .find(|t| wanted(t))
    {
        return Some(t);
    }
    for _ in 0..400 {
        let t = staff(rng, industry, employees);
        if wanted(&t) {
            return Some(t);
        }
    }
    for s in quarry_shared::taxonomy::SENIORITIES {
        for d in quarry_shared::taxonomy::DEPARTMENTS {
            for _ in 0..3 {
                let t = generic(rng, s.key, d.key);
                if wanted(&t) {
                    return Some(t);
                }
            }
        }
    }
    None
}

fn department_name(department: &str) -> &'static str {
    match department {
        "executive" => "Executive",
        "sales" => "Sales",
        "marketing" => "Marketing",
        "engineering" => "Engineering",
        "product" => "Product",
        "finance" => "Finance",
        "operations" => "Operations",
        "hr" => "Human Resources",
        "it" => "IT",
        "legal" => "Legal",
        "customer_success" => "Customer Success",
        "design" => "Design",
        "data" => "Data",
        "security" => "Security",
        "procurement" => "Procurement",
        _ => "Growth",
    }
}

/// Conventional titles for a seniority in a department.
fn generic(rng: &mut ChaCha8Rng, seniority: &'static str, department: &'static str) -> Title {
    let name = department_name(department);
    match seniority {
        "c_suite" => {
            let t = match department {
                "finance" => "Chief Financial Officer",
                "marketing" | "growth" => pick(rng, &["Chief Marketing Officer", "CMO"]),
                "engineering" => pick(rng, &["Chief Technology Officer", "CTO"]),
                "operations" => "Chief Operating Officer",
                "sales" => pick(rng, &["Chief Revenue Officer", "Chief Sales Officer"]),
                "it" => "Chief Information Officer",
                "security" => "Chief Information Security Officer",
                "product" => "Chief Product Officer",
                "hr" => pick(
                    rng,
                    &["Chief Human Resources Officer", "Chief People Officer"],
                ),
                "legal" => "Chief Legal Officer",
                "data" => "Chief Data Officer",
                "customer_success" => "Chief Customer Officer",
                "design" => "Chief Design Officer",
                "procurement" => "Chief Procurement Officer",
                _ => "Chief of Staff",
            };
            let department = if t == "Chief of Staff" {
                "executive"
            } else {
                department
            };
            title(
                t,
                if t == "Chief of Staff" {
                    "senior"
                } else {
                    "c_suite"
                },
                department,
            )
        }
        "vp" => {
            let t = match rng.random_range(0..3) {
                0 => format!("VP of {name}"),
                1 => format!("Vice President, {name}"),
                _ => format!("VP {name}"),
            };
            title(t, "vp", department)
        }
        "head" => title(format!("Head of {name}"), "head", department),
        "director" => {
            let t = if rng.random_bool(0.5) {
                format!("Director of {name}")
            } else {
                format!("{name} Director")
            };
            title(t, "director", department)
        }
        "manager" => {
            let t = match department {
                "finance" => pick(
                    rng,
                    &["Finance Manager", "Controller", "Accounting Manager"],
                )
                .to_owned(),
                "engineering" => "Engineering Manager".to_owned(),
                "customer_success" => "Customer Success Manager".to_owned(),
                "product" => "Product Manager".to_owned(),
                "hr" => "HR Manager".to_owned(),
                "it" => "IT Manager".to_owned(),
                "executive" => "Office Manager".to_owned(),
                _ => format!("{name} Manager"),
            };
            title(t, "manager", department)
        }
        "senior" => {
            let t = match department {
                "engineering" => "Senior Software Engineer",
                "sales" => "Senior Account Executive",
                "marketing" => "Senior Marketing Specialist",
                "finance" => "Senior Accountant",
                "data" => pick(rng, &["Senior Data Scientist", "Senior Data Analyst"]),
                "design" => "Senior Product Designer",
                "hr" => "Senior HR Generalist",
                "it" => "Senior Systems Administrator",
                "security" => "Senior Security Engineer",
                "legal" => "Senior Counsel",
                "customer_success" => "Senior Customer Success Specialist",
                "product" => "Senior Product Analyst",
                "procurement" => "Senior Buyer",
                "growth" => "Senior Growth Marketer",
                "executive" => "Chief of Staff",
                _ => "Senior Operations Analyst",
            };
            title(t, "senior", department)
        }
        "intern" => title(format!("{name} Intern"), "intern", department),
        _ => {
            let t = match department {
                "engineering" => "Software Engineer",
                "sales" => pick(
                    rng,
                    &[
                        "Sales Development Representative",
                        "Account Executive",
                        "Business Development Representative",
                        "Sales Representative",
                    ],
                ),
                "marketing" => pick(
                    rng,
                    &[
                        "Marketing Coordinator",
                        "Marketing Specialist",
                        "Content Marketing Specialist",
                    ],
                ),
                "finance" => "Staff Accountant",
                "data" => "Data Analyst",
                "design" => "Designer",
                "hr" => pick(rng, &["HR Coordinator", "Recruiter"]),
                "it" => "IT Support Specialist",
                "security" => "Security Analyst",
                "legal" => "Paralegal",
                "customer_success" => "Customer Success Specialist",
                "product" => "Associate Product Manager",
                "procurement" => "Buyer",
                "growth" => "Growth Marketing Associate",
                "executive" => "Executive Assistant",
                _ => "Operations Coordinator",
            };
            title(t, "entry", department)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quarry_shared::taxonomy;
    use rand::SeedableRng;

    #[test]
    fn generated_titles_use_taxonomy_keys() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for industry in taxonomy::INDUSTRIES {
            for employees in [3, 40, 400, 4000] {
                for _ in 0..200 {
                    let t = if rng.random_bool(0.1) {
                        leader(&mut rng, industry.key, employees)
                    } else {
                        staff(&mut rng, industry.key, employees)
                    };
                    assert!(taxonomy::seniority(t.seniority).is_some(), "{t:?}");
                    assert!(taxonomy::department(t.department).is_some(), "{t:?}");
                    assert!(!t.title.is_empty());
                }
            }
        }
    }

    #[test]
    fn companies_of_size_have_one_of_each_executive() {
        assert!(executive(1, "software", 10).is_none());
        assert_eq!(
            executive(1, "software", 30).unwrap().title,
            "Chief Technology Officer"
        );
        assert!(executive(2, "software", 30).is_none());
        let team: Vec<String> = (1..=8)
            .filter_map(|i| executive(i, "software", 5_000))
            .map(|t| t.title)
            .collect();
        assert_eq!(team.len(), 8);
        assert!(team.contains(&"Chief Marketing Officer".to_owned()));
        let unique: std::collections::HashSet<_> = team.iter().collect();
        assert_eq!(unique.len(), team.len(), "one of each");
        assert!(executive(9, "software", 5_000).is_none());
        assert_eq!(
            executive(2, "law_firm", 100).unwrap().department,
            "operations"
        );
    }

    #[test]
    fn small_businesses_are_led_by_owners_and_firms_by_partners() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(leader(&mut rng, "law_firm", 5).seniority, "partner");
        assert_eq!(leader(&mut rng, "restaurant", 5).seniority, "owner");
        assert_eq!(leader(&mut rng, "software", 30).seniority, "founder");
        assert_eq!(leader(&mut rng, "manufacturing", 3000).seniority, "c_suite");
    }
}
