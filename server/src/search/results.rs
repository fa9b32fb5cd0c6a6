//! What a search's criteria select, evaluated once per index: the matching set in
//! relevance tiers, its total and its facets. Evaluating is most of a search's
//! cost (intersections, tiers, facet counts), and the same criteria come back
//! all the time: every further page of a result list, the widget re-running a
//! search after a purchase, partners polling the same segment. Each index holds
//! a bounded cache of its evaluations (as Elasticsearch's shard request cache
//! holds aggregations until the next refresh), so a rebuilt index starts empty
//! and nothing stale is ever served.
//!
//! Only unrestricted evaluations are cached: a dedupe token's delivered ids or a
//! prospecting session's matches make the answer the caller's own.

use std::sync::Arc;

use quarry_shared::api::Facets;
use roaring::{MultiOps, RoaringBitmap};

/// The cache's default bound, in bytes of bitmaps and facets.
pub const DEFAULT_CAPACITY_BYTES: u64 = 32 * 1024 * 1024;

/// One evaluation of a search's criteria.
#[derive(Debug)]
pub struct Evaluated {
    /// Everyone matching, best tier first (see `engine::PeopleIndex::tiers`).
    pub tiers: Vec<RoaringBitmap>,
    /// How many match: the tiers' sizes together.
    pub total: u64,
    /// Facet counts, when they were asked for (always, in cached evaluations).
    pub facets: Option<Facets>,
}

impl Evaluated {
    /// Everyone matching, as one set.
    pub fn matched(&self) -> RoaringBitmap {
        self.tiers.iter().union()
    }

    /// About how much memory this evaluation holds.
    fn bytes(&self) -> u64 {
        let bitmaps: usize = self.tiers.iter().map(RoaringBitmap::serialized_size).sum();
        let facets = self.facets.as_ref().map_or(0, |f| {
            f.seniority.len()
                + f.department.len()
                + f.industry.len()
                + f.state.len()
                + f.employee_range.len()
        });
        (256 + bitmaps + facets * 96) as u64
    }
}

#[derive(Debug, Clone, Copy)]
struct ByBytes;

impl quick_cache::Weighter<[u8; 16], Arc<Evaluated>> for ByBytes {
    fn weight(&self, _key: &[u8; 16], value: &Arc<Evaluated>) -> u64 {
        value.bytes()
    }
}

/// Evaluations by criteria fingerprint, least recently useful evicted first.
pub struct ResultCache {
    entries: quick_cache::sync::Cache<[u8; 16], Arc<Evaluated>, ByBytes>,
}

impl ResultCache {
    /// A cache holding up to `capacity_bytes` of evaluations (0: none).
    pub fn new(capacity_bytes: u64) -> ResultCache {
        // Estimated entries: sized for typical evaluations of a few tens of KB.
        let estimated = (capacity_bytes / (32 * 1024)).clamp(16, 4_096) as usize;
        ResultCache {
            entries: quick_cache::sync::Cache::with_weighter(estimated, capacity_bytes, ByBytes),
        }
    }

    /// The evaluation of the criteria `key` fingerprints: the cached one, or
    /// `evaluate`'s, kept for the next caller.
    pub fn get_or_evaluate(
        &self,
        key: [u8; 16],
        evaluate: impl FnOnce() -> Evaluated,
    ) -> Arc<Evaluated> {
        if let Some(hit) = self.entries.get(&key) {
            return hit;
        }
        let evaluated = Arc::new(evaluate());
        self.entries.insert(key, Arc::clone(&evaluated));
        evaluated
    }

    /// How many evaluations are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bytes held, by the same measure as the bound.
    pub fn bytes(&self) -> u64 {
        self.entries.weight()
    }
}

impl Default for ResultCache {
    fn default() -> ResultCache {
        ResultCache::new(DEFAULT_CAPACITY_BYTES)
    }
}

impl std::fmt::Debug for ResultCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultCache")
            .field("entries", &self.len())
            .field("bytes", &self.bytes())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluated(ids: std::ops::Range<u32>) -> Evaluated {
        let tier: RoaringBitmap = ids.collect();
        Evaluated {
            total: tier.len(),
            tiers: vec![tier],
            facets: Some(Facets::default()),
        }
    }

    #[test]
    fn a_second_lookup_reuses_the_first_evaluation() {
        let cache = ResultCache::default();
        let mut runs = 0;
        let first = cache.get_or_evaluate([1; 16], || {
            runs += 1;
            evaluated(0..10)
        });
        let again = cache.get_or_evaluate([1; 16], || {
            runs += 1;
            evaluated(0..99)
        });
        assert_eq!(runs, 1);
        assert!(Arc::ptr_eq(&first, &again));
        let other = cache.get_or_evaluate([2; 16], || evaluated(5..7));
        assert_eq!(other.total, 2);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn the_bound_holds_and_zero_keeps_nothing() {
        let cache = ResultCache::new(64 * 1024);
        for k in 0..200u8 {
            // About 20 KB each as sparse containers.
            cache.get_or_evaluate([k; 16], || {
                evaluated(u32::from(k) * 100_000..u32::from(k) * 100_000 + 10_000)
            });
        }
        assert!(cache.bytes() <= 64 * 1024, "{} bytes held", cache.bytes());
        assert!(!cache.is_empty());
        let none = ResultCache::new(0);
        let mut runs = 0;
        for _ in 0..2 {
            none.get_or_evaluate([0; 16], || {
                runs += 1;
                evaluated(0..10)
            });
        }
        assert_eq!(runs, 2);
        assert!(none.is_empty());
    }

    #[test]
    fn matched_is_every_tier() {
        let e = Evaluated {
            tiers: vec![
                [1u32, 5].into_iter().collect(),
                [2u32].into_iter().collect(),
            ],
            total: 3,
            facets: None,
        };
        assert_eq!(e.matched().iter().collect::<Vec<_>>(), [1, 2, 5]);
    }
}
