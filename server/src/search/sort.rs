//! Pages of a search in a column's order (name, title, company, size, location)
//! and pages by number, for the widget's sortable table and "jump to page".
//! Relevance order walks the tiers (`engine`); a column order ranks every match
//! by the index's precomputed sort keys and selects just the requested page, so
//! it costs one pass over the matches and never sorts them all.

use quarry_shared::prospecting::{Sort, SortKey};
use roaring::RoaringBitmap;

use super::index::PeopleIndex;

impl PeopleIndex {
    /// The sort key of person `doc` under `key`, smaller first; unknown values last.
    fn sort_rank(&self, doc: u32, key: SortKey) -> u32 {
        let d = doc as usize;
        let company = || {
            self.doc_company
                .get(d)
                .and_then(|&c| self.companies.get(c as usize).map(|co| (c as usize, co)))
        };
        match key {
            SortKey::Relevance => 0,
            SortKey::Name => self.doc_rank_name.get(d).copied().unwrap_or(u32::MAX),
            SortKey::Title => self.doc_rank_title.get(d).copied().unwrap_or(u32::MAX),
            SortKey::Company => company()
                .and_then(|(c, _)| self.company_rank_name.get(c).copied())
                .unwrap_or(u32::MAX),
            SortKey::Location => company()
                .and_then(|(c, _)| self.company_rank_location.get(c).copied())
                .unwrap_or(u32::MAX),
            SortKey::Size => company()
                .and_then(|(_, co)| co.employees)
                .map_or(u32::MAX, |n| n.min(u32::MAX - 1)),
        }
    }

    /// Up to `limit` people of `set` from position `offset` in `sort` order (ties
    /// by id). Unknown values stay last in both directions.
    pub fn sorted_page(
        &self,
        set: &RoaringBitmap,
        sort: Sort,
        offset: usize,
        limit: usize,
    ) -> Vec<u32> {
        let end = offset.saturating_add(limit).min(set.len() as usize);
        if offset >= end {
            return Vec::new();
        }
        let mut keys: Vec<u64> = set
            .iter()
            .map(|doc| {
                let rank = self.sort_rank(doc, sort.key);
                let rank = if sort.descending && rank != u32::MAX {
                    u32::MAX - 1 - rank
                } else {
                    rank
                };
                (u64::from(rank) << 32) | u64::from(doc)
            })
            .collect();
        if end < keys.len() {
            keys.select_nth_unstable(end);
            keys.truncate(end);
        }
        keys.sort_unstable();
        keys[offset..].iter().map(|k| *k as u32).collect()
    }

    /// Up to `limit` ids from position `offset` of the relevance order (`tiers`).
    pub fn relevance_page(tiers: &[RoaringBitmap], offset: usize, limit: usize) -> Vec<u32> {
        let mut skip = offset as u64;
        let mut out = Vec::with_capacity(limit);
        for tier in tiers {
            if out.len() == limit {
                break;
            }
            if skip >= tier.len() {
                skip -= tier.len();
                continue;
            }
            let mut k = skip as u32;
            skip = 0;
            while out.len() < limit {
                match tier.select(k) {
                    Some(id) => out.push(id),
                    None => break,
                }
                k += 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bm(ids: &[u32]) -> RoaringBitmap {
        ids.iter().copied().collect()
    }

    #[test]
    fn relevance_pages_by_number_match_walking_the_tiers() {
        let tiers = vec![bm(&[5, 9]), bm(&[]), bm(&[1, 2, 3])];
        assert_eq!(PeopleIndex::relevance_page(&tiers, 0, 3), [5, 9, 1]);
        assert_eq!(PeopleIndex::relevance_page(&tiers, 3, 3), [2, 3]);
        assert_eq!(PeopleIndex::relevance_page(&tiers, 1, 2), [9, 1]);
        assert!(PeopleIndex::relevance_page(&tiers, 5, 3).is_empty());
        assert!(PeopleIndex::relevance_page(&tiers, 50, 3).is_empty());
    }

    #[test]
    fn column_pages_follow_the_ranks_with_unknowns_last() {
        let index = PeopleIndex {
            doc_rank_name: vec![2, 0, 1, u32::MAX, 1],
            doc_company: vec![u32::MAX; 5],
            ..PeopleIndex::default()
        };
        let all = bm(&[0, 1, 2, 3, 4]);
        let by = |descending, offset, limit| {
            index.sorted_page(
                &all,
                Sort {
                    key: SortKey::Name,
                    descending,
                },
                offset,
                limit,
            )
        };
        assert_eq!(by(false, 0, 5), [1, 2, 4, 0, 3]);
        assert_eq!(by(false, 1, 2), [2, 4]);
        assert_eq!(by(true, 0, 5), [0, 2, 4, 1, 3], "ties stay in id order");
        assert!(by(false, 5, 5).is_empty());
        // Every page of a walk is disjoint and together they are the whole set.
        let mut walked: Vec<u32> = (0..3).flat_map(|p| by(false, p * 2, 2)).collect();
        walked.sort_unstable();
        assert_eq!(walked, [0, 1, 2, 3, 4]);
    }
}
