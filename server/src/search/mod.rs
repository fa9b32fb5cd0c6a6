//! People search: the in-process index (`index`), criteria (`criteria`), evaluation
//! (`engine`) and cursors (`cursor`), plus the service that owns the current index
//! and swaps in a rebuilt one when the change feed (`crate::changes`) says the
//! store's data version moved.

pub mod companies;
pub mod criteria;
pub mod cursor;
pub mod engine;
pub mod index;
pub mod people;
pub mod sort;
pub mod suppressed;

use std::sync::{Arc, RwLock};
use std::time::Instant;

use index::PeopleIndex;

use crate::store::{Store, StoreError};

/// The current index, shared by every request; rebuilt in the background.
#[derive(Debug, Clone)]
pub struct SearchService {
    current: Arc<RwLock<Arc<PeopleIndex>>>,
}

impl SearchService {
    /// Builds the first index (the server is not ready before this completes).
    pub async fn build(store: &Store) -> Result<SearchService, StoreError> {
        let started = Instant::now();
        let index = PeopleIndex::build(store).await?;
        tracing::info!(
            people = index.all.len(),
            companies = index.companies.len(),
            seconds = started.elapsed().as_secs_f64(),
            "search index built"
        );
        Ok(SearchService {
            current: Arc::new(RwLock::new(Arc::new(index))),
        })
    }

    /// The index to answer the current request with.
    pub fn index(&self) -> Arc<PeopleIndex> {
        self.current
            .read()
            .map(|g| Arc::clone(&g))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// Rebuilds when the store's data version differs from the index's. Returns whether
    /// it rebuilt.
    pub async fn refresh(&self, store: &Store) -> Result<bool, StoreError> {
        if store.data_version().await? == self.index().version {
            return Ok(false);
        }
        let started = Instant::now();
        let index = Arc::new(PeopleIndex::build(store).await?);
        tracing::info!(
            people = index.all.len(),
            seconds = started.elapsed().as_secs_f64(),
            "search index rebuilt"
        );
        match self.current.write() {
            Ok(mut g) => *g = index,
            Err(e) => *e.into_inner() = index,
        }
        Ok(true)
    }

    /// Rebuilds once now and then each time `data_moved` is notified (the change
    /// feed heard of an import), for as long as the returned task runs. Requests
    /// keep the old index until the new one is built.
    pub fn spawn_refresher(
        &self,
        store: Store,
        data_moved: Arc<tokio::sync::Notify>,
    ) -> tokio::task::JoinHandle<()> {
        let service = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = service.refresh(&store).await {
                    tracing::warn!(error = %e, "search index refresh failed; keeping the previous index");
                }
                data_moved.notified().await;
            }
        })
    }
}
