//! Who a customer's suppression list hides, as a bitmap over the index. Domains
//! resolve through the index's domain map; e-mails and person ids through the
//! data set's store. Resolving 100,000 entries takes a moment, so the set is kept
//! per customer and reused while both the list's version (moved by every change,
//! on any replica) and the index's data version stay the same: a net-new search
//! then costs one small read and a bitmap subtraction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use roaring::RoaringBitmap;

use super::index::PeopleIndex;
use crate::datasets::DataSet;
use crate::partners::suppressions::SuppressionKind;
use crate::store::{Store, StoreError};

/// Customers whose sets are kept; past it the cache starts again.
const MAX_CACHED: usize = 2_000;

#[derive(Debug)]
struct Cached {
    list_version: i64,
    index_version: i64,
    people: Arc<RoaringBitmap>,
}

/// The suppressed people of each customer, cached.
#[derive(Debug, Default)]
pub struct SuppressedPeople {
    cache: Mutex<HashMap<String, Cached>>,
}

impl SuppressedPeople {
    /// The people `customer_id`'s list hides in `data` (`store` holds the list).
    pub async fn of(
        &self,
        store: &Store,
        data: &DataSet,
        index: &PeopleIndex,
        customer_id: &str,
    ) -> Result<Arc<RoaringBitmap>, StoreError> {
        let (version, entries) = store.suppression_version(customer_id).await?;
        if entries == 0 {
            return Ok(Arc::new(RoaringBitmap::new()));
        }
        if let Some(hit) = self
            .lock()
            .get(customer_id)
            .filter(|c| c.list_version == version && c.index_version == index.version)
        {
            return Ok(hit.people.clone());
        }
        let mut people = RoaringBitmap::new();
        for domain in store
            .suppression_values(customer_id, SuppressionKind::Domain)
            .await?
        {
            if let Some(&company) = index.company_by_domain.get(&domain) {
                people |= &index.companies[company as usize].people;
            }
        }
        let direct = if data.in_purchase_store() {
            store.suppressed_people_here(customer_id).await?
        } else {
            let emails = store
                .suppression_values(customer_id, SuppressionKind::Email)
                .await?;
            let ids = store
                .suppression_values(customer_id, SuppressionKind::PersonId)
                .await?;
            data.store.people_with(&emails, &ids).await?
        };
        people.extend(direct.into_iter().filter_map(|id| u32::try_from(id).ok()));
        let people = Arc::new(people);
        let mut cache = self.lock();
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(
            customer_id.to_owned(),
            Cached {
                list_version: version,
                index_version: index.version,
                people: people.clone(),
            },
        );
        Ok(people)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}
