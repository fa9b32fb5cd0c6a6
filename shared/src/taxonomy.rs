//! The controlled search vocabulary of `TAXONOMY.md`: role, seniority, department and
//! industry keys with their labels, plus the SIC/NAICS codes behind each industry.
//! Keys are stable API values (stored in the database, sent over the wire); labels are
//! for people. The data importer validates against these lists and the demo generator
//! draws from them, so stored data and search always speak the same vocabulary.

use serde::{Deserialize, Serialize};

/// A vocabulary entry: stable key and human label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    pub key: &'static str,
    pub label: &'static str,
}

const fn t(key: &'static str, label: &'static str) -> Term {
    Term { key, label }
}

/// Named positions (`roles[].key`).
pub static ROLES: &[Term] = &[
    t("ceo", "CEO"),
    t("cfo", "CFO"),
    t("cmo", "CMO"),
    t("cto", "CTO"),
    t("coo", "COO"),
    t("cro", "CRO"),
    t("cio", "CIO"),
    t("ciso", "CISO"),
    t("cpo", "Chief Product Officer"),
    t("chro", "CHRO"),
    t("president", "President"),
    t("owner", "Owner"),
    t("founder", "Founder"),
    t("partner", "Partner"),
    t("general_manager", "General manager"),
    t("attorney", "Attorney"),
    t("real_estate_agent", "Real estate agent"),
    t("broker", "Broker"),
    t("financial_advisor", "Financial advisor"),
    t("accountant", "Accountant"),
    t("doctor", "Doctor"),
    t("dentist", "Dentist"),
    t("nurse", "Nurse"),
    t("recruiter", "Recruiter"),
    t("software_engineer", "Software engineer"),
    t("data_scientist", "Data scientist"),
    t("account_executive", "Account executive"),
    t("sdr", "Sales development representative"),
    t("office_manager", "Office manager"),
    t("principal", "School principal"),
    t("pastor", "Pastor"),
    t("architect", "Architect"),
    t("insurance_agent", "Insurance agent"),
    t("consultant", "Consultant"),
];

/// Seniority levels, most senior first.
pub static SENIORITIES: &[Term] = &[
    t("owner", "Owner"),
    t("founder", "Founder"),
    t("c_suite", "C-suite"),
    t("partner", "Partner"),
    t("vp", "VP"),
    t("head", "Head"),
    t("director", "Director"),
    t("manager", "Manager"),
    t("senior", "Senior"),
    t("entry", "Entry level"),
    t("intern", "Intern"),
];

/// Departments.
pub static DEPARTMENTS: &[Term] = &[
    t("executive", "Executive"),
    t("sales", "Sales"),
    t("marketing", "Marketing"),
    t("engineering", "Engineering"),
    t("product", "Product"),
    t("finance", "Finance"),
    t("operations", "Operations"),
    t("hr", "HR"),
    t("it", "IT"),
    t("legal", "Legal"),
    t("customer_success", "Customer success"),
    t("design", "Design"),
    t("data", "Data"),
    t("security", "Security"),
    t("procurement", "Procurement"),
    t("growth", "Growth"),
];

/// An industry with the classification codes companies in it carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Industry {
    pub key: &'static str,
    pub label: &'static str,
    /// Four-digit SIC codes; the first is the most typical.
    pub sic: &'static [&'static str],
    /// Six-digit NAICS codes; the first is the most typical.
    pub naics: &'static [&'static str],
}

const fn ind(
    key: &'static str,
    label: &'static str,
    sic: &'static [&'static str],
    naics: &'static [&'static str],
) -> Industry {
    Industry {
        key,
        label,
        sic,
        naics,
    }
}

/// Industries (`industries[].key`).
pub static INDUSTRIES: &[Industry] = &[
    ind(
        "software",
        "SaaS and software companies",
        &["7372", "7371"],
        &["511210", "541511"],
    ),
    ind(
        "fintech",
        "Fintech companies",
        &["7374", "6099"],
        &["522320", "518210"],
    ),
    ind("ecommerce", "Ecommerce brands", &["5961"], &["454110"]),
    ind(
        "marketing_agency",
        "Marketing agencies",
        &["7311", "8742"],
        &["541810", "541613"],
    ),
    ind("law_firm", "Law firms", &["8111"], &["541110"]),
    ind(
        "real_estate",
        "Real estate brokerages",
        &["6531"],
        &["531210"],
    ),
    ind(
        "insurance_agency",
        "Insurance agencies",
        &["6411"],
        &["524210"],
    ),
    ind(
        "healthcare_practice",
        "Medical practices and clinics",
        &["8011"],
        &["621111"],
    ),
    ind(
        "dental_practice",
        "Dental practices",
        &["8021"],
        &["621210"],
    ),
    ind("hospital", "Hospitals", &["8062"], &["622110"]),
    ind(
        "accounting_firm",
        "Accounting firms",
        &["8721"],
        &["541211"],
    ),
    ind(
        "financial_services",
        "Financial services",
        &["6282", "6211"],
        &["523930", "523120"],
    ),
    ind(
        "bank",
        "Banks and credit unions",
        &["6021", "6061"],
        &["522110", "522130"],
    ),
    ind(
        "construction",
        "Construction companies",
        &["1521", "1542"],
        &["236115", "236220"],
    ),
    ind(
        "manufacturing",
        "Manufacturers",
        &["3599", "3089"],
        &["332710", "326199"],
    ),
    ind(
        "logistics",
        "Logistics and freight",
        &["4731", "4213"],
        &["488510", "484121"],
    ),
    ind("restaurant", "Restaurants", &["5812"], &["722511"]),
    ind(
        "hospitality",
        "Hotels and hospitality",
        &["7011"],
        &["721110"],
    ),
    ind(
        "retail",
        "Retailers",
        &["5399", "5651"],
        &["452319", "448140"],
    ),
    ind(
        "education",
        "Schools and education",
        &["8211", "8299"],
        &["611110", "611699"],
    ),
    ind(
        "nonprofit",
        "Nonprofits",
        &["8399", "8641"],
        &["813319", "813410"],
    ),
    ind(
        "staffing",
        "Staffing and recruiting agencies",
        &["7361", "7363"],
        &["561311", "561320"],
    ),
    ind("consulting", "Consulting firms", &["8742"], &["541611"]),
    ind(
        "cybersecurity",
        "Cybersecurity companies",
        &["7373"],
        &["541512"],
    ),
    ind(
        "biotech",
        "Biotech companies",
        &["2836", "8731"],
        &["325414", "541714"],
    ),
    ind(
        "automotive",
        "Automotive dealers and services",
        &["5511", "7538"],
        &["441110", "811111"],
    ),
    ind(
        "energy",
        "Energy and utilities",
        &["4911", "1311"],
        &["221122", "211120"],
    ),
    ind(
        "media",
        "Media and publishing",
        &["2711", "7812"],
        &["513110", "512110"],
    ),
    ind("telecom", "Telecommunications", &["4813"], &["517111"]),
    ind("government", "Government agencies", &["9199"], &["921190"]),
];

/// How far an email address has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// The mailbox was confirmed to exist (`email_verified_at` says when).
    Verified,
    /// Pattern-derived and not yet checked.
    Unverified,
    /// The domain accepts every address, so the mailbox cannot be confirmed.
    CatchAll,
    /// The address bounced or failed verification.
    Invalid,
}

impl EmailStatus {
    pub const ALL: &'static [EmailStatus] = &[
        EmailStatus::Verified,
        EmailStatus::Unverified,
        EmailStatus::CatchAll,
        EmailStatus::Invalid,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Verified => "verified",
            EmailStatus::Unverified => "unverified",
            EmailStatus::CatchAll => "catch_all",
            EmailStatus::Invalid => "invalid",
        }
    }

    pub fn parse(value: &str) -> Option<EmailStatus> {
        EmailStatus::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == value)
    }
}

/// The role entry for `key`.
pub fn role(key: &str) -> Option<&'static Term> {
    ROLES.iter().find(|r| r.key == key)
}

/// The seniority entry for `key`.
pub fn seniority(key: &str) -> Option<&'static Term> {
    SENIORITIES.iter().find(|r| r.key == key)
}

/// The department entry for `key`.
pub fn department(key: &str) -> Option<&'static Term> {
    DEPARTMENTS.iter().find(|r| r.key == key)
}

/// The industry entry for `key`.
pub fn industry(key: &str) -> Option<&'static Industry> {
    INDUSTRIES.iter().find(|r| r.key == key)
}

/// Example queries shown as suggestions (taxonomy answers and the widget's search
/// box); every one of them is understood by the interpreter (tested).
pub const EXAMPLE_QUERIES: &[&str] = &[
    "CMOs of SaaS companies with 50+ employees",
    "owners of insurance agencies in Las Vegas",
    "real estate agents in Nevada",
    "partners at law firms",
    "VP of Sales at fintech companies in New York",
    "give me 1000 decision makers for marketing agencies",
    "dentists in Boise, Idaho",
    "all employees at SaaS companies with fewer than 50 employees",
];

/// Employee-count buckets of the `employee_range` facet and range filters:
/// `(lower, upper, key)`, bounds inclusive.
pub const SIZE_BUCKETS: &[(u32, u32, &str)] = &[
    (0, 10, "1-10"),
    (11, 50, "11-50"),
    (51, 200, "51-200"),
    (201, 500, "201-500"),
    (501, 1000, "501-1000"),
    (1001, 5000, "1001-5000"),
    (5001, 10_000, "5001-10000"),
    (10_001, u32::MAX, "10001+"),
];

/// The `(employee_count_min, employee_count_max)` filter of an `employee_range`
/// facet key; the open top bucket has no maximum.
pub fn size_bucket(key: &str) -> Option<(Option<u32>, Option<u32>)> {
    SIZE_BUCKETS
        .iter()
        .find(|(_, _, k)| *k == key)
        .map(|&(lo, hi, _)| (Some(lo), (hi != u32::MAX).then_some(hi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_unique_snake_keys<'a>(keys: impl Iterator<Item = &'a str>) {
        let mut seen = std::collections::HashSet::new();
        for key in keys {
            assert!(seen.insert(key), "duplicate key {key}");
            assert!(
                key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "key {key} is not snake_case"
            );
        }
    }

    #[test]
    fn keys_are_unique_and_snake_case() {
        assert_unique_snake_keys(ROLES.iter().map(|t| t.key));
        assert_unique_snake_keys(SENIORITIES.iter().map(|t| t.key));
        assert_unique_snake_keys(DEPARTMENTS.iter().map(|t| t.key));
        assert_unique_snake_keys(INDUSTRIES.iter().map(|t| t.key));
    }

    #[test]
    fn taxonomy_md_keys_are_all_present() {
        // The keys TAXONOMY.md promises; dropping or renaming one breaks partners.
        for key in [
            "ceo",
            "cpo",
            "sdr",
            "principal",
            "insurance_agent",
            "consultant",
        ] {
            assert!(role(key).is_some(), "role {key}");
        }
        assert_eq!(SENIORITIES.len(), 11);
        assert_eq!(DEPARTMENTS.len(), 16);
        assert_eq!(INDUSTRIES.len(), 30);
    }

    #[test]
    fn industry_codes_are_well_formed() {
        for ind in INDUSTRIES {
            assert!(!ind.sic.is_empty() && !ind.naics.is_empty(), "{}", ind.key);
            for sic in ind.sic {
                assert!(
                    sic.len() == 4 && sic.bytes().all(|b| b.is_ascii_digit()),
                    "{sic}"
                );
            }
            for naics in ind.naics {
                assert!(
                    naics.len() == 6 && naics.bytes().all(|b| b.is_ascii_digit()),
                    "{naics}"
                );
            }
        }
    }

    #[test]
    fn email_status_round_trips() {
        for &s in EmailStatus::ALL {
            assert_eq!(EmailStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(EmailStatus::parse("VERIFIED"), None);
    }

    #[test]
    fn example_queries_are_understood() {
        for q in EXAMPLE_QUERIES {
            let i = crate::interpret::interpret(q);
            assert!(!i.is_empty(), "{q}");
            assert!(
                i.warnings.iter().all(|w| !w.starts_with("ignored")),
                "{q}: {:?}",
                i.warnings
            );
        }
    }

    #[test]
    fn size_buckets_tile_the_counts_and_map_back_to_filters() {
        for pair in SIZE_BUCKETS.windows(2) {
            assert_eq!(pair[0].1 + 1, pair[1].0, "{pair:?}");
        }
        assert_eq!(size_bucket("11-50"), Some((Some(11), Some(50))));
        assert_eq!(size_bucket("10001+"), Some((Some(10_001), None)));
        assert_eq!(size_bucket("12-50"), None);
    }
}
