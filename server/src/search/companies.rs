//! Company-level queries on the index: natural-language company search, the people
//! of one domain, and the domain inventory. Companies are few (tens of thousands per
//! million people), so filters scan the company table in memory; people of a company
//! come from its bitmap.

use quarry_shared::geo;
use quarry_shared::interpret::Interpretation;
use quarry_shared::taxonomy;
use roaring::RoaringBitmap;

use super::criteria::Criteria;
use super::index::{tokens, IndexedCompany, PeopleIndex, NONE};

/// Whether a company satisfies the company-level part of `c`.
pub fn company_matches(index: &PeopleIndex, ix: u32, c: &Criteria) -> bool {
    let company: &IndexedCompany = &index.companies[ix as usize];
    if !c.industries.is_empty() {
        let key = taxonomy::INDUSTRIES
            .get(company.industry as usize)
            .map(|i| i.key);
        if company.industry == NONE || !c.industries.iter().any(|k| Some(k.as_str()) == key) {
            return false;
        }
    }
    let state = geo::STATES.get(company.state as usize).map(|s| s.code);
    if !c.states.is_empty() && !c.states.iter().any(|s| Some(s.as_str()) == state) {
        return false;
    }
    if !c.cities.is_empty() {
        let city = company.record.city.as_deref().unwrap_or("");
        if !c.cities.iter().any(|want| want.eq_ignore_ascii_case(city)) {
            return false;
        }
    }
    if c.employee_min.is_some() || c.employee_max.is_some() {
        let Some(n) = company.employees else {
            return false;
        };
        if c.employee_min.is_some_and(|m| n < m) || c.employee_max.is_some_and(|m| n > m) {
            return false;
        }
    }
    // What the text excludes that a company has: its industry, state or city.
    let x = &c.excluded;
    let industry_key = taxonomy::INDUSTRIES
        .get(company.industry as usize)
        .map(|i| i.key);
    if x.industries
        .iter()
        .any(|k| Some(k.as_str()) == industry_key)
        || x.states.iter().any(|s| Some(s.as_str()) == state)
        || company
            .record
            .city
            .as_deref()
            .is_some_and(|city| x.cities.iter().any(|e| e.eq_ignore_ascii_case(city)))
    {
        return false;
    }
    for keyword in &c.keywords {
        let words: Vec<String> = tokens(keyword).collect();
        let hit = words.iter().all(|w| {
            index
                .company_tokens
                .get(w)
                .is_some_and(|list| list.binary_search(&ix).is_ok())
        });
        if !hit {
            return false;
        }
    }
    true
}

/// Company indexes matching `c`, in id order.
pub fn matching_companies(index: &PeopleIndex, c: &Criteria) -> Vec<u32> {
    (0..index.companies.len() as u32)
        .filter(|&i| company_matches(index, i, c))
        .collect()
}

/// Company search ignores who: it says so instead of silently dropping it.
pub fn company_interpretation(mut i: Interpretation) -> Interpretation {
    if !i.roles.is_empty() || !i.seniorities.is_empty() || !i.departments.is_empty() {
        i.warnings.push("company search ignores roles, seniorities and departments; use /v1/persons/search for people".into());
        i.roles.clear();
        i.seniorities.clear();
        i.departments.clear();
    }
    let x = &mut i.exclusions;
    if !x.roles.is_empty() || !x.seniorities.is_empty() || !x.departments.is_empty() {
        i.warnings
            .push("company search ignores excluded roles, seniorities and departments".into());
        x.roles.clear();
        x.seniorities.clear();
        x.departments.clear();
    }
    i.all_employees = false;
    i
}

/// `industry` filter of the domain inventory: a key, or words of the label, any case.
pub fn industry_filter(raw: &str) -> Vec<u8> {
    let wanted = raw.trim().to_lowercase();
    taxonomy::INDUSTRIES
        .iter()
        .enumerate()
        .filter(|(_, i)| i.key == wanted || i.label.to_lowercase().contains(&wanted))
        .map(|(ix, _)| ix as u8)
        .collect()
}

/// People at a company, in id order, after `after`.
pub fn company_people_page(
    people: &RoaringBitmap,
    after: Option<u32>,
    limit: usize,
) -> (Vec<u32>, bool) {
    let start = after.map_or(0, |a| people.rank(a));
    let ids: Vec<u32> = (start..)
        .map_while(|k| people.select(k as u32))
        .take(limit)
        .collect();
    let more = start + (ids.len() as u64) < people.len();
    (ids, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_filter_matches_keys_and_label_words() {
        let software = taxonomy::INDUSTRIES
            .iter()
            .position(|i| i.key == "software")
            .unwrap() as u8;
        assert_eq!(industry_filter("software"), vec![software]);
        assert!(industry_filter("SaaS").contains(&software));
        assert!(industry_filter("zzz").is_empty());
    }

    #[test]
    fn company_pages_walk_the_bitmap() {
        let people: RoaringBitmap = [3u32, 8, 9, 20].into_iter().collect();
        assert_eq!(company_people_page(&people, None, 2), (vec![3, 8], true));
        assert_eq!(
            company_people_page(&people, Some(8), 2),
            (vec![9, 20], false)
        );
        assert_eq!(company_people_page(&people, Some(20), 2), (vec![], false));
    }
}
