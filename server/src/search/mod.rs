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
pub mod results;
pub mod snapshot;
pub mod sort;
pub mod suppressed;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use index::PeopleIndex;

use crate::store::{Store, StoreError};

/// The server secret naming this database in snapshot headers.
pub const SNAPSHOT_DATABASE: &str = "index_snapshot_database";

/// How soon a refresh that failed (the store unreachable mid-build) is tried again.
const REFRESH_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// The current index, shared by every request; rebuilt in the background.
#[derive(Debug, Clone)]
pub struct SearchService {
    current: Arc<RwLock<Arc<PeopleIndex>>>,
    /// Where snapshots are written and looked for (`snapshot`); `None`: never.
    snapshots: Option<Arc<Path>>,
}

impl SearchService {
    /// Builds the first index (the server is not ready before this completes).
    pub async fn build(store: &Store) -> Result<SearchService, StoreError> {
        SearchService::start(store, None).await
    }

    /// The first index: loaded from the snapshot in `snapshots` of the store's
    /// data version if there is one, else built (and its snapshot written in
    /// the background).
    pub async fn start(
        store: &Store,
        snapshots: Option<PathBuf>,
    ) -> Result<SearchService, StoreError> {
        let snapshots: Option<Arc<Path>> = snapshots.map(Into::into);
        let index = obtain(store, snapshots.as_deref()).await?;
        Ok(SearchService {
            current: Arc::new(RwLock::new(index)),
            snapshots,
        })
    }

    /// The index to answer the current request with.
    pub fn index(&self) -> Arc<PeopleIndex> {
        self.current
            .read()
            .map(|g| Arc::clone(&g))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// Rebuilds (or loads another replica's snapshot) when the store's data
    /// version differs from the index's. Returns whether it changed the index.
    pub async fn refresh(&self, store: &Store) -> Result<bool, StoreError> {
        if store.data_version().await? == self.index().version {
            return Ok(false);
        }
        let index = obtain(store, self.snapshots.as_deref()).await?;
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
                match service.refresh(&store).await {
                    Ok(_) => data_moved.notified().await,
                    Err(e) => {
                        tracing::warn!(error = %e, "search index refresh failed; keeping the previous index and trying again");
                        let _ = tokio::time::timeout(REFRESH_RETRY, data_moved.notified()).await;
                    }
                }
            }
        })
    }
}

/// The index of the store's current data: its snapshot when `snapshots` holds a
/// usable one, else built, with its snapshot then written in the background.
async fn obtain(store: &Store, snapshots: Option<&Path>) -> Result<Arc<PeopleIndex>, StoreError> {
    let started = Instant::now();
    let database = match snapshots {
        Some(_) => store.server_secret(SNAPSHOT_DATABASE).await?,
        None => String::new(),
    };
    if let Some(dir) = snapshots {
        let version = store.data_version().await?;
        let (dir, database) = (dir.to_path_buf(), database.clone());
        let loaded = tokio::task::spawn_blocking(move || snapshot::load(&dir, version, &database))
            .await
            .map_err(|e| StoreError::Corrupt(format!("loading the index snapshot failed: {e}")))?;
        match loaded {
            Ok(Some(index)) => {
                tracing::info!(
                    people = index.all.len(),
                    version,
                    seconds = started.elapsed().as_secs_f64(),
                    "search index loaded from its snapshot"
                );
                return Ok(Arc::new(index));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "ignoring the index snapshot; building"),
        }
    }
    let index = PeopleIndex::build(store).await?;
    tracing::info!(
        people = index.all.len(),
        companies = index.companies.len(),
        seconds = started.elapsed().as_secs_f64(),
        "search index built"
    );
    let index = Arc::new(index);
    if let Some(dir) = snapshots {
        let (dir, index) = (dir.to_path_buf(), index.clone());
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            match snapshot::write(&dir, &index, &database) {
                Ok(path) => tracing::info!(
                    path = %path.display(),
                    seconds = started.elapsed().as_secs_f64(),
                    "search index snapshot written"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, dir = %dir.display(), "cannot write the index snapshot")
                }
            }
        });
    }
    Ok(index)
}
