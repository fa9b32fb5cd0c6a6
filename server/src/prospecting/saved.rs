//! Saved searches that watch (PRODUCT.md §3): what a saved search matches on an
//! index, and the [`Watcher`] that, after each import, announces the people a
//! watched search newly matches whom its customer was never shown for it. The
//! evaluation uses the index only: searches with the same text and refinements
//! are matched once, and only the people the import brought are counted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quarry_shared::prospecting::AppliedFilters;
use roaring::RoaringBitmap;

use crate::datasets::DataSets;
use crate::delivery::events::new_matches_event;
use crate::delivery::worker::Deliverer;
use crate::http::error::ApiError;
use crate::http::prospecting::people_query;
use crate::search::index::PeopleIndex;
use crate::search::people;
use crate::store::{now_unix, SavedSearch, Store, StoreError};

/// Everyone a saved search's text and refinements match on `index`.
pub fn matches(
    index: &PeopleIndex,
    q: &str,
    filters: &AppliedFilters,
) -> Result<RoaringBitmap, ApiError> {
    let query = people_query(q, filters, "body.filters", 1, None)?;
    let prepared = people::prepare(&query, "", index)?;
    Ok(index.matching(&prepared.criteria))
}

/// How many of `matched` the search has not shown yet.
pub fn unseen(matched: &RoaringBitmap, search: &SavedSearch) -> u64 {
    matched.difference_len(&search.seen)
}

/// What one evaluation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluated {
    pub searches: usize,
    /// Distinct text-and-refinement pairs matched.
    pub distinct: usize,
    pub announced: usize,
}

/// Announces new matches of watched searches after imports.
#[derive(Debug)]
pub struct Watcher {
    store: Store,
    datasets: Arc<DataSets>,
    deliverer: Arc<Deliverer>,
    /// The data version and people of the index evaluated last.
    last: Mutex<Option<(i64, RoaringBitmap)>>,
}

impl Watcher {
    pub fn new(store: Store, datasets: Arc<DataSets>, deliverer: Arc<Deliverer>) -> Watcher {
        Watcher {
            store,
            datasets,
            deliverer,
            last: Mutex::new(None),
        }
    }

    /// Evaluates the watched searches when the live index moved to a new data
    /// version since the last check.
    pub async fn check(&self) -> Result<Evaluated, StoreError> {
        let index = self.datasets.live().search.index();
        let previous = self.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if previous.as_ref().is_some_and(|(v, _)| *v == index.version) {
            return Ok(Evaluated::default());
        }
        // What the import brought; unknown on a replica's first look, when
        // every unseen match counts.
        let imported = previous.map(|(_, all)| &index.all - all);
        let evaluated = self.evaluate(&index, imported.as_ref(), now_unix()).await?;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((index.version, index.all.clone()));
        Ok(evaluated)
    }

    /// Announces, for data version `index.version`, every watched search that
    /// matches people it has not shown (among `imported` when known).
    pub async fn evaluate(
        &self,
        index: &PeopleIndex,
        imported: Option<&RoaringBitmap>,
        now: i64,
    ) -> Result<Evaluated, StoreError> {
        if imported.is_some_and(RoaringBitmap::is_empty) {
            return Ok(Evaluated::default());
        }
        let searches = self.store.watched_searches().await?;
        let mut matched: HashMap<(&str, &str), Option<RoaringBitmap>> = HashMap::new();
        let mut announced = 0;
        for search in searches
            .iter()
            .filter(|s| s.notified_version < index.version)
        {
            let set = matched
                .entry((search.q.as_str(), search.filters.as_str()))
                .or_insert_with(|| {
                    let filters: AppliedFilters = serde_json::from_str(&search.filters).ok()?;
                    let mut set = matches(index, &search.q, &filters).ok()?;
                    if let Some(imported) = imported {
                        set &= imported;
                    }
                    Some(set)
                });
            let Some(set) = set else { continue };
            // Never announced twice: not what it showed, nor what it announced
            // before (a restart, another replica, a later import).
            let new = &(&*set - &search.seen) - &search.announced;
            if new.is_empty() {
                continue;
            }
            let event = new_matches_event(
                &search.saved_search_id,
                &search.partner_customer_id,
                new.len(),
                now,
            );
            if self
                .store
                .announce_new_matches(search, index.version, &new, &event, now)
                .await?
            {
                announced += 1;
            }
        }
        if announced > 0 {
            self.deliverer.wake();
        }
        Ok(Evaluated {
            searches: searches.len(),
            distinct: matched.len(),
            announced,
        })
    }

    /// Checks every `every` until aborted.
    pub fn spawn(self: Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match self.check().await {
                    Ok(e) if e.announced > 0 => tracing::info!(
                        searches = e.searches,
                        announced = e.announced,
                        "announced new matches of watched searches"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "watched searches were not evaluated"),
                }
            }
        })
    }
}
