//! Which people a caller searches (PRODUCT.md §7): live keys search the
//! operator's records; test (sandbox) keys a deterministic synthetic set, so a
//! free sandbox is never a free copy of the data. The sandbox set is generated on
//! first use by the `seed-demo` generator into a private in-memory database with
//! its own small index; the same seed gives every replica the same rows and ids.
//!
//! Only person and company data lives in a [`DataSet`]: partners, customers,
//! wallets, ownership and deliveries of both modes stay in the one store, each
//! under its own tenant.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use quarry_shared::api::Person;
use tokio::sync::OnceCell;

use crate::partners::Mode;
use crate::records::Company;
use crate::search::index::PeopleIndex;
use crate::search::SearchService;
use crate::seed;
use crate::store::{PersonRow, Purchase, Store, StoreError};

/// People in the sandbox set.
pub const SANDBOX_PEOPLE: u64 = 5_000;
/// The sandbox set's seed (not the demo's default, so even a demo installation's
/// sandbox differs from its live data).
pub const SANDBOX_SEED: u64 = 0x5a4d_b0c5;

/// People and companies with the index over them.
#[derive(Debug, Clone)]
pub struct DataSet {
    /// Where records are read by id, looked up and listed.
    pub store: Store,
    /// Which ids match, in which order, with what facets.
    pub search: SearchService,
    /// The records live in the store purchases are written to (the operator's),
    /// so a purchase reads them on its own transaction.
    in_purchase_store: bool,
}

impl DataSet {
    /// The operator's records, in the store that also holds the purchases.
    /// Whether its people live in the store purchases (and suppressions) are
    /// written to, so a query can join the two.
    pub fn in_purchase_store(&self) -> bool {
        self.in_purchase_store
    }

    pub fn live(store: Store, search: SearchService) -> DataSet {
        DataSet {
            store,
            search,
            in_purchase_store: true,
        }
    }

    /// The companies of `rows`: from the index, and from the store for companies
    /// imported since it was built.
    pub async fn companies_of(&self, rows: &[PersonRow]) -> Result<Companies, StoreError> {
        let index = self.search.index();
        let missing = missing_companies(&index, rows);
        let fetched = if missing.is_empty() {
            Vec::new()
        } else {
            self.store.companies_by_ids(&missing).await?
        };
        Ok(Companies::new(index, fetched))
    }

    /// `rows` joined with their companies, each with its index id, in order; a
    /// person without a known company is left out.
    pub async fn with_companies(
        &self,
        rows: Vec<PersonRow>,
    ) -> Result<Vec<(u32, Person)>, StoreError> {
        Ok(self.companies_of(&rows).await?.join(rows))
    }

    /// The full records of `ids` that `purchase` sells, in the order of `ids`:
    /// read on the purchase's own transaction when they live in its store (it
    /// holds the wallet lock and must not wait for a second connection), from
    /// this data set's store otherwise (the sandbox's). Every id is there, or the
    /// answer is [`Unavailable`]: a purchase never bills for a record it cannot
    /// send.
    pub async fn purchase_records(
        &self,
        purchase: &mut Purchase,
        ids: &[u32],
    ) -> Result<Result<Vec<(u32, Person)>, Unavailable>, StoreError> {
        let records = if self.in_purchase_store {
            let rows = purchase.people_by_ids(ids).await?;
            let index = self.search.index();
            let missing = missing_companies(&index, &rows);
            let fetched = if missing.is_empty() {
                Vec::new()
            } else {
                purchase.companies_by_ids(&missing).await?
            };
            Companies::new(index, fetched).join(rows)
        } else {
            let rows = self.store.people_by_ids(ids).await?;
            self.with_companies(rows).await?
        };
        Ok(if records.len() == ids.len() {
            Ok(records)
        } else {
            Err(Unavailable {
                asked: ids.len(),
                found: records.len(),
            })
        })
    }
}

/// Some of the people a purchase names are no longer in the store (removed
/// since the index was built) or have no known company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{found} of {asked} records could be read")]
pub struct Unavailable {
    pub asked: usize,
    pub found: usize,
}

/// Companies by id: the index's, and those read from the store.
pub struct Companies {
    index: Arc<PeopleIndex>,
    fetched: HashMap<String, Company>,
}

impl Companies {
    fn new(index: Arc<PeopleIndex>, fetched: Vec<Company>) -> Companies {
        let fetched = fetched
            .into_iter()
            .map(|c| (c.company_id.clone(), c))
            .collect();
        Companies { index, fetched }
    }

    pub fn get(&self, company_id: &str) -> Option<&Company> {
        match self.index.company_by_id.get(company_id) {
            Some(&ix) => Some(&self.index.companies[ix as usize].record),
            None => self.fetched.get(company_id),
        }
    }

    /// `rows` as API records with their index ids, in order; a person without a
    /// known company is left out.
    fn join(&self, rows: Vec<PersonRow>) -> Vec<(u32, Person)> {
        rows.into_iter()
            .filter_map(|r| {
                let company = self.get(&r.person.company_id)?;
                Some((u32::try_from(r.id).ok()?, r.person.into_api(company)))
            })
            .collect()
    }
}

/// The companies of `rows` the index does not know (imported since it was built).
fn missing_companies(index: &PeopleIndex, rows: &[PersonRow]) -> Vec<String> {
    let mut missing: Vec<String> = rows
        .iter()
        .filter(|r| !index.company_by_id.contains_key(&r.person.company_id))
        .map(|r| r.person.company_id.clone())
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// The live data set and the sandbox's, built when first asked for.
#[derive(Debug)]
pub struct DataSets {
    live: DataSet,
    sandbox: OnceCell<DataSet>,
}

impl DataSets {
    pub fn new(live: DataSet) -> DataSets {
        DataSets {
            live,
            sandbox: OnceCell::new(),
        }
    }

    /// The operator's records.
    pub fn live(&self) -> &DataSet {
        &self.live
    }

    /// The data set of `mode`; the sandbox's is generated on its first use (once,
    /// however many requests ask at the same time).
    pub async fn get(&self, mode: Mode) -> Result<&DataSet, StoreError> {
        match mode {
            Mode::Live => Ok(&self.live),
            Mode::Test => self.sandbox.get_or_try_init(build_sandbox).await,
        }
    }
}

async fn build_sandbox() -> Result<DataSet, StoreError> {
    let started = Instant::now();
    let store = Store::open_in_memory().await?;
    seed::seed_sandbox(&store, SANDBOX_PEOPLE, SANDBOX_SEED).await?;
    let search = SearchService::build(&store).await?;
    tracing::info!(
        people = SANDBOX_PEOPLE,
        seconds = started.elapsed().as_secs_f64(),
        "sandbox data set built"
    );
    Ok(DataSet {
        store,
        search,
        in_purchase_store: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sandbox_is_built_once_and_is_synthetic() {
        let live_store = Store::open_in_memory().await.unwrap();
        let live = DataSet::live(
            live_store.clone(),
            SearchService::build(&live_store).await.unwrap(),
        );
        let sets = DataSets::new(live);
        assert_eq!(
            sets.get(Mode::Live).await.unwrap().search.index().all.len(),
            0
        );
        let (a, b) = tokio::join!(sets.get(Mode::Test), sets.get(Mode::Test));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(std::ptr::eq(a, b), "built twice");
        assert_eq!(a.search.index().all.len(), SANDBOX_PEOPLE);
        let rows = a.store.people_by_ids(&[1, 2, 3]).await.unwrap();
        assert_eq!(rows.len(), 3);
        for row in rows {
            assert!(row.person.person_id.starts_with("sandbox_person_"));
            assert!(row
                .person
                .business_email
                .is_none_or(|e| e.ends_with(".example")));
        }
    }
}
