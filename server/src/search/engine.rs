//! Query evaluation on the index: the matching set (exact count), relevance tiers,
//! pages after a cursor position, and facet counts.
//!
//! Relevance, documented for partners: (1) people whose job title contains the
//! query's keywords come before those matched only through their company; (2) then
//! by email quality: verified, then other deliverable statuses, then no email;
//! (3) then by id, ascending. The order is total and stable across pages.

use quarry_shared::api::{FacetCount, Facets};
use quarry_shared::geo;
use quarry_shared::taxonomy::{self, EmailStatus};
use roaring::{MultiOps, RoaringBitmap};

use super::criteria::Criteria;
use super::cursor::Position;
use super::index::{tokens, PeopleIndex, NONE, SIZE_BUCKETS};

fn union<'a>(maps: impl Iterator<Item = Option<&'a RoaringBitmap>>) -> RoaringBitmap {
    maps.flatten().union()
}

fn index_of(keys: impl Iterator<Item = &'static str>, wanted: &str) -> Option<usize> {
    keys.into_iter().position(|k| k == wanted)
}

impl PeopleIndex {
    /// Everyone matching `c` (before dedupe and caps).
    pub fn matching(&self, c: &Criteria) -> RoaringBitmap {
        let mut parts: Vec<RoaringBitmap> = Vec::new();

        // Who: named roles, or seniority × department; both given means either.
        let roles = (!c.roles.is_empty())
            .then(|| union(c.roles.iter().map(|r| self.roles.get(r.as_str()))));
        let seniority = (!c.seniorities.is_empty()).then(|| {
            union(c.seniorities.iter().map(|s| {
                index_of(taxonomy::SENIORITIES.iter().map(|t| t.key), s).map(|i| &self.seniority[i])
            }))
        });
        let department = (!c.departments.is_empty()).then(|| {
            union(c.departments.iter().flat_map(|d| {
                // "growth" is filed under marketing in the data.
                let also = (d == "growth").then_some("marketing");
                std::iter::once(d.as_str()).chain(also).map(|d| {
                    index_of(taxonomy::DEPARTMENTS.iter().map(|t| t.key), d)
                        .map(|i| &self.department[i])
                })
            }))
        });
        let by_level = match (seniority, department) {
            (Some(s), Some(d)) => Some(s & d),
            (s, d) => s.or(d),
        };
        match (roles, by_level) {
            (Some(r), Some(l)) => parts.push(r | l),
            (Some(x), None) | (None, Some(x)) => parts.push(x),
            (None, None) => {}
        }

        if !c.industries.is_empty() {
            parts.push(union(c.industries.iter().map(|k| {
                index_of(taxonomy::INDUSTRIES.iter().map(|t| t.key), k).map(|i| &self.industry[i])
            })));
        }
        let state_ix: Vec<u8> = c
            .states
            .iter()
            .filter_map(|s| {
                geo::STATES
                    .iter()
                    .position(|g| g.code == s)
                    .map(|i| i as u8)
            })
            .collect();
        if !c.cities.is_empty() {
            let mut places = RoaringBitmap::new();
            for city in &c.cities {
                let city = city.to_lowercase();
                let in_states = self.city_states.get(&city).cloned().unwrap_or_default();
                for s in in_states
                    .into_iter()
                    .filter(|s| state_ix.is_empty() || state_ix.contains(s))
                {
                    if let Some(m) = self.city.get(&(s, city.clone())) {
                        places |= m;
                    }
                }
            }
            parts.push(places);
        } else if !state_ix.is_empty() {
            parts.push(union(state_ix.iter().map(|&s| self.state.get(s as usize))));
        }
        if c.employee_min.is_some() || c.employee_max.is_some() {
            parts.push(self.employee_range(c.employee_min, c.employee_max));
        }
        for keyword in &c.keywords {
            // Every word of the keyword must appear in the title or the company's words.
            let mut title = Option::<RoaringBitmap>::None;
            let mut company = Option::<RoaringBitmap>::None;
            for word in tokens(keyword) {
                let t = self.title_word_people(&word);
                let k = self.company_token_people(&word);
                title = Some(title.map_or(t.clone(), |acc| acc & t));
                company = Some(company.map_or(k.clone(), |acc| acc & k));
            }
            parts.push(title.unwrap_or_default() | company.unwrap_or_default());
        }
        if !c.email_status.is_empty() {
            parts.push(union(
                c.email_status
                    .iter()
                    .map(|&s| self.email_status.get(s as usize)),
            ));
        }
        match c.has_phone {
            Some(true) => parts.push(self.has_phone.clone()),
            Some(false) => parts.push(&self.all - &self.has_phone),
            None => {}
        }

        parts.sort_by_key(RoaringBitmap::len);
        let mut iter = parts.into_iter();
        let Some(mut result) = iter.next() else {
            return self.all.clone();
        };
        for p in iter {
            result &= p;
            if result.is_empty() {
                break;
            }
        }
        result
    }

    /// The matching set split into relevance tiers, best first (see the module docs).
    pub fn tiers(&self, matched: RoaringBitmap, c: &Criteria) -> Vec<RoaringBitmap> {
        let groups: Vec<RoaringBitmap> = if c.keywords.is_empty() {
            vec![matched]
        } else {
            let hits = c
                .keywords
                .iter()
                .flat_map(|k| tokens(k))
                .map(|w| self.title_word_people(&w))
                .union();
            let rest = &matched - &hits;
            vec![matched & hits, rest]
        };
        let verified = &self.email_status[EmailStatus::Verified as usize];
        let mut tiers = Vec::with_capacity(groups.len() * 3);
        for g in groups {
            let v = &g & verified;
            let unverified = g - &v;
            let emailed = &unverified & &self.has_email;
            let rest = unverified - &emailed;
            tiers.extend([v, emailed, rest]);
        }
        tiers
    }

    /// Up to `limit` ids after `from`, and where the following page starts.
    pub fn page(
        tiers: &[RoaringBitmap],
        from: Position,
        limit: usize,
    ) -> (Vec<u32>, Option<Position>) {
        let mut ids = Vec::with_capacity(limit);
        let mut tier = from.tier as usize;
        let mut after = from.after;
        while tier < tiers.len() && ids.len() < limit {
            let bitmap = &tiers[tier];
            // rank(after) = how many ids ≤ after; select(k) = the k-th id (0-based).
            let mut k = after.map_or(0, |a| bitmap.rank(a));
            while ids.len() < limit {
                match bitmap.select(k as u32) {
                    Some(id) => {
                        ids.push(id);
                        after = Some(id);
                        k += 1;
                    }
                    None => break,
                }
            }
            if ids.len() < limit {
                tier += 1;
                after = None;
            }
        }
        let delivered = from.delivered + ids.len() as u32;
        let more = tier < tiers.len()
            && (after.map_or(!tiers[tier].is_empty(), |a| {
                tiers[tier].rank(a) < tiers[tier].len()
            }) || tiers[tier + 1..].iter().any(|t| !t.is_empty()));
        let next = more.then_some(Position {
            tier: tier as u8,
            after,
            delivered,
        });
        (ids, next)
    }

    /// Facet counts over `matched`: one pass over its per-person columns when it is
    /// small, bitmap intersections when it is large.
    pub fn facets(&self, matched: &RoaringBitmap) -> Facets {
        let dims: [(&[RoaringBitmap], &[u8]); 5] = [
            (&self.seniority, &self.doc_seniority),
            (&self.department, &self.doc_department),
            (&self.industry, &self.doc_industry),
            (&self.state, &self.doc_state),
            (&self.size, &self.doc_size),
        ];
        let mut counts: Vec<Vec<u64>> = dims.iter().map(|(b, _)| vec![0u64; b.len()]).collect();
        if matched.len() <= 100_000 {
            for doc in matched {
                let d = doc as usize;
                for (dim, (_, column)) in dims.iter().enumerate() {
                    if let Some(&v) = column.get(d) {
                        if v != NONE {
                            counts[dim][v as usize] += 1;
                        }
                    }
                }
            }
        } else {
            for (dim, (bitmaps, _)) in dims.iter().enumerate() {
                counts[dim] = bitmaps
                    .iter()
                    .map(|b| b.intersection_len(matched))
                    .collect();
            }
        }
        let facet = |counts: &[u64], label: &dyn Fn(usize) -> (String, String), sort: bool| {
            let mut out: Vec<FacetCount> = counts
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .map(|(i, &count)| {
                    let (key, label) = label(i);
                    FacetCount { key, label, count }
                })
                .collect();
            if sort {
                out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            }
            out
        };
        Facets {
            seniority: facet(
                &counts[0],
                &|i| {
                    (
                        taxonomy::SENIORITIES[i].key.into(),
                        taxonomy::SENIORITIES[i].label.into(),
                    )
                },
                false,
            ),
            department: facet(
                &counts[1],
                &|i| {
                    (
                        taxonomy::DEPARTMENTS[i].key.into(),
                        taxonomy::DEPARTMENTS[i].label.into(),
                    )
                },
                true,
            ),
            industry: facet(
                &counts[2],
                &|i| {
                    (
                        taxonomy::INDUSTRIES[i].key.into(),
                        taxonomy::INDUSTRIES[i].label.into(),
                    )
                },
                true,
            ),
            state: facet(
                &counts[3],
                &|i| (geo::STATES[i].code.into(), geo::STATES[i].name.into()),
                true,
            ),
            employee_range: facet(
                &counts[4],
                &|i| {
                    (
                        SIZE_BUCKETS[i].2.into(),
                        format!("{} employees", SIZE_BUCKETS[i].2),
                    )
                },
                false,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bm(ids: &[u32]) -> RoaringBitmap {
        ids.iter().copied().collect()
    }

    #[test]
    fn pages_walk_the_tiers_in_order_without_gaps_or_repeats() {
        let tiers = vec![bm(&[5, 9]), bm(&[]), bm(&[1, 2, 3])];
        let start = Position {
            tier: 0,
            after: None,
            delivered: 0,
        };
        let (ids, next) = PeopleIndex::page(&tiers, start, 3);
        assert_eq!(ids, [5, 9, 1]);
        let next = next.unwrap();
        assert_eq!(next.delivered, 3);
        let (ids, next) = PeopleIndex::page(&tiers, next, 3);
        assert_eq!(ids, [2, 3]);
        assert_eq!(next, None);
        // An exact fit ends without a dangling empty page.
        let (ids, next) = PeopleIndex::page(&tiers, start, 5);
        assert_eq!(ids.len(), 5);
        assert_eq!(next, None);
        let (ids, next) = PeopleIndex::page(&[bm(&[])], start, 10);
        assert!(ids.is_empty() && next.is_none());
    }
}
