//! Search criteria: the interpreted query plus explicit filters, resolved to the
//! vocabulary the index is keyed on. Explicit request parameters override what the
//! text says. The fingerprint identifies "the same interpreted criteria" for cursors
//! and dedupe tokens.

use quarry_shared::interpret::Interpretation;
use quarry_shared::taxonomy::EmailStatus;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What to match. Lists are OR within a dimension; dimensions are ANDed.
///
/// Who the text names is one clause: its roles, or its seniorities × departments
/// (either: "CFOs or VPs of finance"). A refinement of seniority or department
/// replaces only the text's own field of that name inside the clause and then
/// intersects with the rest, so it can only narrow: "CFO" refined to `c_suite` is
/// the CFOs who are C-level, never every C-level person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    pub roles: Vec<String>,
    /// The text's seniorities (in the who clause).
    pub seniorities: Vec<String>,
    /// The text's departments (in the who clause).
    pub departments: Vec<String>,
    /// Explicit roles: replace the text's and intersect.
    pub refine_roles: Option<Vec<String>>,
    /// Explicit seniorities: replace the text's and intersect.
    pub refine_seniorities: Option<Vec<String>>,
    /// Explicit departments: replace the text's and intersect.
    pub refine_departments: Option<Vec<String>>,
    pub industries: Vec<String>,
    /// Two-letter codes; several mean any of them.
    pub states: Vec<String>,
    /// City names; matched within `states` when given, anywhere otherwise.
    pub cities: Vec<String>,
    pub employee_min: Option<u32>,
    pub employee_max: Option<u32>,
    /// Each keyword must match a title word or a company name/keyword word.
    pub keywords: Vec<String>,
    /// Normalised company domains (any of them).
    pub company_domains: Vec<String>,
    /// Only these email statuses (empty: any, including no email).
    pub email_status: Vec<EmailStatus>,
    /// Only people with (true) or without (false) a mobile phone.
    pub has_phone: Option<bool>,
    /// No person-level filter: everyone at the matching companies.
    pub all_employees: bool,
    /// Left out whatever else matches ("not in California"); skipped in the
    /// fingerprint when empty, so criteria without exclusions keep their cursors
    /// and dedupe tokens.
    #[serde(default, skip_serializing_if = "Excluded::is_empty")]
    pub excluded: Excluded,
}

/// What a search leaves out: anyone with any of these.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seniorities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
    /// Two-letter codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<String>,
    /// City names, in whichever state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cities: Vec<String>,
}

impl Excluded {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.seniorities.is_empty()
            && self.departments.is_empty()
            && self.industries.is_empty()
            && self.states.is_empty()
            && self.cities.is_empty()
    }
}

impl Criteria {
    /// The criteria an interpretation asks for.
    pub fn from_interpretation(i: &Interpretation) -> Criteria {
        let keys = |terms: &[quarry_shared::interpret::Term]| {
            terms.iter().map(|t| t.key.clone()).collect()
        };
        let f = &i.filters;
        let mut states: Vec<String> = f.company_states.clone();
        if let Some(s) = &f.company_state {
            if !states.contains(s) {
                states.push(s.clone());
            }
        }
        let mut cities: Vec<String> = f.company_cities.clone();
        if let Some(c) = &f.company_city {
            if !cities.contains(c) {
                cities.push(c.clone());
            }
        }
        Criteria {
            roles: if i.all_employees {
                Vec::new()
            } else {
                keys(&i.roles)
            },
            seniorities: if i.all_employees {
                Vec::new()
            } else {
                keys(&i.seniorities)
            },
            departments: if i.all_employees {
                Vec::new()
            } else {
                keys(&i.departments)
            },
            refine_roles: None,
            refine_seniorities: None,
            refine_departments: None,
            industries: keys(&i.industries),
            states,
            cities,
            employee_min: f.employee_count_min,
            employee_max: f.employee_count_max,
            keywords: f.keywords.clone(),
            company_domains: f.company_domains.clone(),
            email_status: f
                .email_status
                .iter()
                .filter_map(|s| EmailStatus::parse(s))
                .collect(),
            has_phone: f.has_phone,
            all_employees: i.all_employees,
            excluded: Excluded {
                roles: keys(&i.exclusions.roles),
                seniorities: keys(&i.exclusions.seniorities),
                departments: keys(&i.exclusions.departments),
                industries: keys(&i.exclusions.industries),
                states: i.exclusions.states.clone(),
                cities: i.exclusions.cities.clone(),
            },
        }
    }

    /// 128 bits identifying these criteria (plus anything else the caller mixes in).
    pub fn fingerprint(&self, extra: &[&str]) -> [u8; 16] {
        let mut hasher = Sha256::new();
        hasher.update(serde_json::to_vec(self).unwrap_or_default());
        for e in extra {
            hasher.update([0u8]);
            hasher.update(e.as_bytes());
        }
        let digest = hasher.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_criteria_and_extras() {
        let a = Criteria {
            roles: vec!["cmo".into()],
            ..Criteria::default()
        };
        let b = Criteria {
            roles: vec!["ceo".into()],
            ..Criteria::default()
        };
        assert_eq!(a.fingerprint(&[]), a.clone().fingerprint(&[]));
        assert_ne!(a.fingerprint(&[]), b.fingerprint(&[]));
        assert_ne!(a.fingerprint(&["x"]), a.fingerprint(&["y"]));
    }

    #[test]
    fn all_employees_drops_person_filters() {
        let i = quarry_shared::interpret::interpret("all employees at SaaS companies in Idaho");
        let c = Criteria::from_interpretation(&i);
        assert!(c.all_employees && c.roles.is_empty() && c.seniorities.is_empty());
        assert_eq!(c.industries, ["software"]);
        assert_eq!(c.states, ["ID"]);
    }
}
