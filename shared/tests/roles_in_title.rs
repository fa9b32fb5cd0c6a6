//! `roles_in_title` over the titles the demo generator writes
//! (`server/src/seed/titles.rs`) and the title shapes real profiles use. Every role
//! key must be reachable from some generated title, or the index could never find
//! people for it.

use quarry_shared::interpret::{interpret, roles_in_title};
use quarry_shared::taxonomy;

/// Every fixed title of the demo generator, and what the index should file it under.
const SEED_TITLES: &[(&str, &[&str])] = &[
    ("Managing Partner", &["partner"]),
    ("Founder & CEO", &["founder", "ceo"]),
    ("Co-Founder & CEO", &["founder", "ceo"]),
    ("Founder", &["founder"]),
    ("Co-Founder", &["founder"]),
    ("Broker/Owner", &["broker", "owner"]),
    ("Owner", &["owner"]),
    ("Principal Broker", &["broker"]),
    ("Agency Owner", &["owner"]),
    ("Principal Agent", &["insurance_agent"]),
    ("Dentist & Owner", &["dentist", "owner"]),
    ("Practice Owner", &["owner"]),
    ("Principal", &["principal"]),
    ("Head of School", &[]),
    ("Superintendent", &[]),
    ("Executive Director", &[]),
    ("President", &["president"]),
    ("CEO", &["ceo"]),
    ("City Manager", &[]),
    ("Director", &[]),
    ("Administrator", &[]),
    ("Chief Executive Officer", &["ceo"]),
    ("President & CEO", &["president", "ceo"]),
    ("Hospital President", &["president"]),
    ("Owner & Operator", &["owner"]),
    ("Partner", &["partner"]),
    ("Attorney", &["attorney"]),
    ("Associate Attorney", &["attorney"]),
    ("Senior Associate", &[]),
    ("Paralegal", &[]),
    ("Office Manager", &["office_manager"]),
    ("CPA", &["accountant"]),
    ("Staff Accountant", &["accountant"]),
    ("Senior Accountant", &["accountant"]),
    ("Tax Manager", &[]),
    ("Audit Manager", &[]),
    ("Real Estate Agent", &["real_estate_agent"]),
    ("Realtor", &["real_estate_agent"]),
    ("Associate Broker", &["broker"]),
    ("Managing Broker", &["broker"]),
    ("Broker", &["broker"]),
    ("Insurance Agent", &["insurance_agent"]),
    ("Licensed Insurance Agent", &["insurance_agent"]),
    ("Account Manager", &[]),
    ("Customer Service Representative", &[]),
    ("Dentist", &["dentist"]),
    ("Associate Dentist", &["dentist"]),
    ("Dental Hygienist", &[]),
    ("Dental Assistant", &[]),
    ("Orthodontist", &["dentist"]),
    ("Physician", &["doctor"]),
    ("Family Medicine Physician", &["doctor"]),
    ("Nurse Practitioner", &["nurse"]),
    ("Registered Nurse", &["nurse"]),
    ("Medical Assistant", &[]),
    ("Practice Manager", &["office_manager"]),
    ("Nurse Manager", &["nurse"]),
    ("Chief Medical Officer", &[]),
    ("Hospitalist", &["doctor"]),
    ("Financial Advisor", &["financial_advisor"]),
    ("Wealth Manager", &["financial_advisor"]),
    ("Financial Planner", &["financial_advisor"]),
    ("Client Service Associate", &[]),
    ("Recruiter", &["recruiter"]),
    ("Senior Recruiter", &["recruiter"]),
    ("Technical Recruiter", &["recruiter"]),
    ("Software Engineer", &["software_engineer"]),
    ("Senior Software Engineer", &["software_engineer"]),
    ("Staff Software Engineer", &["software_engineer"]),
    ("Data Scientist", &["data_scientist"]),
    ("Account Executive", &["account_executive"]),
    ("Sales Development Representative", &["sdr"]),
    ("Business Development Representative", &["sdr"]),
    ("Product Manager", &[]),
    ("Teacher", &[]),
    ("Assistant Principal", &["principal"]),
    ("School Counselor", &[]),
    ("Program Manager", &[]),
    ("Development Director", &[]),
    ("Pastor", &["pastor"]),
    ("Volunteer Coordinator", &[]),
    ("Project Manager", &[]),
    ("Site Superintendent", &[]),
    ("Architect", &["architect"]),
    ("Estimator", &[]),
    ("Consultant", &["consultant"]),
    ("Senior Consultant", &["consultant"]),
    ("Management Consultant", &["consultant"]),
    ("General Manager", &["general_manager"]),
    ("Executive Chef", &[]),
    ("Front of House Manager", &[]),
    ("Sous Chef", &[]),
    ("Chief Financial Officer", &["cfo"]),
    ("Chief Marketing Officer", &["cmo"]),
    ("CMO", &["cmo"]),
    ("Chief Technology Officer", &["cto"]),
    ("CTO", &["cto"]),
    ("Chief Operating Officer", &["coo"]),
    ("Chief Revenue Officer", &["cro"]),
    ("Chief Sales Officer", &["cro"]),
    ("Chief Information Officer", &["cio"]),
    ("Chief Information Security Officer", &["ciso"]),
    ("Chief Product Officer", &["cpo"]),
    ("Chief Human Resources Officer", &["chro"]),
    ("Chief People Officer", &["chro"]),
    ("Chief Legal Officer", &[]),
    ("Chief Data Officer", &[]),
    ("Chief Customer Officer", &[]),
    ("Chief Design Officer", &[]),
    ("Chief Procurement Officer", &[]),
    ("Chief of Staff", &[]),
    ("Finance Manager", &[]),
    ("Controller", &[]),
    ("Accounting Manager", &[]),
    ("Engineering Manager", &[]),
    ("Customer Success Manager", &[]),
    ("HR Manager", &[]),
    ("IT Manager", &[]),
    ("Senior Account Executive", &["account_executive"]),
    ("Senior Marketing Specialist", &[]),
    ("Senior Data Scientist", &["data_scientist"]),
    ("Senior Data Analyst", &[]),
    ("Senior Product Designer", &[]),
    ("Senior HR Generalist", &[]),
    ("Senior Systems Administrator", &[]),
    ("Senior Security Engineer", &[]),
    ("Senior Counsel", &["attorney"]),
    ("Senior Customer Success Specialist", &[]),
    ("Senior Product Analyst", &[]),
    ("Senior Buyer", &[]),
    ("Senior Growth Marketer", &[]),
    ("Senior Operations Analyst", &[]),
    ("Sales Representative", &[]),
    ("Marketing Coordinator", &[]),
    ("Marketing Specialist", &[]),
    ("Content Marketing Specialist", &[]),
    ("Data Analyst", &[]),
    ("Designer", &[]),
    ("HR Coordinator", &[]),
    ("IT Support Specialist", &[]),
    ("Security Analyst", &[]),
    ("Customer Success Specialist", &[]),
    ("Associate Product Manager", &[]),
    ("Buyer", &[]),
    ("Growth Marketing Associate", &[]),
    ("Executive Assistant", &[]),
    ("Operations Coordinator", &[]),
];

/// Department names as the generator spells them in "VP of …", "Head of …" titles.
const DEPARTMENT_NAMES: &[&str] = &[
    "Executive",
    "Sales",
    "Marketing",
    "Engineering",
    "Product",
    "Finance",
    "Operations",
    "Human Resources",
    "IT",
    "Legal",
    "Customer Success",
    "Design",
    "Data",
    "Security",
    "Procurement",
    "Growth",
];

/// Title shapes beyond the generator: casing, punctuation, adjectives, noise.
const OTHER_TITLES: &[(&str, &[&str])] = &[
    ("VP of Sales", &[]),
    ("Vice President", &[]),
    ("Senior Vice President, Sales", &[]),
    ("ceo", &["ceo"]),
    ("C.E.O.", &["ceo"]),
    ("CEO & Co-Founder", &["ceo", "founder"]),
    ("Founder/CEO", &["founder", "ceo"]),
    ("Founder and Chief Executive Officer", &["founder", "ceo"]),
    ("Owner, Smith Dental", &["owner"]),
    ("Principal Software Engineer", &["software_engineer"]),
    ("Principal Consultant", &["consultant"]),
    ("Principal Engineer", &[]),
    ("Partner Manager", &[]),
    ("Partner, Tax", &["partner"]),
    ("Product Owner", &[]),
    ("HR Business Partner", &[]),
    ("Lawyer", &["attorney"]),
    ("General Counsel", &["attorney"]),
    ("Owner-Operator", &["owner"]),
    ("Realtor®", &["real_estate_agent"]),
    ("Registered Nurse (RN)", &["nurse"]),
    ("BDR", &["sdr"]),
    ("SDR Manager", &["sdr"]),
    ("Full Stack Developer", &["software_engineer"]),
    ("", &[]),
    ("   ", &[]),
    ("🚀", &[]),
];

#[test]
fn seed_titles_map_to_their_roles() {
    let mut bad = Vec::new();
    for &(title, want) in SEED_TITLES.iter().chain(OTHER_TITLES) {
        let got = roles_in_title(title);
        if got != want {
            bad.push(format!("{title:?}: {got:?}, want {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn generated_department_titles_name_no_role() {
    for name in DEPARTMENT_NAMES {
        for title in [
            format!("VP of {name}"),
            format!("Vice President, {name}"),
            format!("VP {name}"),
            format!("Head of {name}"),
            format!("Director of {name}"),
            format!("{name} Director"),
            format!("{name} Manager"),
            format!("{name} Intern"),
        ] {
            assert_eq!(roles_in_title(&title), Vec::<&str>::new(), "{title}");
        }
    }
}

#[test]
fn every_role_key_is_reachable_from_a_generated_title() {
    for role in taxonomy::ROLES {
        assert!(
            SEED_TITLES.iter().any(|(_, keys)| keys.contains(&role.key)),
            "no generated title maps to {}",
            role.key
        );
    }
}

#[test]
fn titles_agree_with_the_query_interpreter() {
    // A title read as a query finds the same roles the index files it under.
    for &(title, want) in SEED_TITLES {
        let from_query: Vec<String> = interpret(title).roles.into_iter().map(|t| t.key).collect();
        assert_eq!(from_query, want, "{title}");
    }
}
