//! Saved searches: a customer's named search (text and refinements), what it has
//! shown so far (`seen`, a roaring bitmap), and whether it is watched. The
//! announcement of new matches after an import is a conditional update of
//! `notified_version` with the event fanned out in the same transaction, so it
//! happens once per import whichever replica evaluates it.

use roaring::RoaringBitmap;
use sqlx::FromRow;

use super::partners::parse_mode;
use super::webhooks::fan_out;
use super::{on_pool, Store, StoreError};
use crate::delivery::events::Event;
use crate::partners::{Mode, Tenant};

/// A saved search.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSearch {
    pub saved_search_id: String,
    pub tenant: Tenant,
    pub partner_customer_id: String,
    pub name: String,
    pub q: String,
    /// The refinements, as JSON (`AppliedFilters`).
    pub filters: String,
    pub watch: bool,
    pub seen: RoaringBitmap,
    /// The people announced as new matches so far.
    pub announced: RoaringBitmap,
    pub last_viewed_at: Option<i64>,
    pub notified_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct Record {
    saved_search_id: String,
    partner_id: String,
    mode: String,
    partner_customer_id: String,
    name: String,
    q: String,
    filters: String,
    watch: bool,
    seen: Vec<u8>,
    announced: Vec<u8>,
    last_viewed_at: Option<i64>,
    notified_version: i64,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str =
    "saved_search_id, partner_id, mode, partner_customer_id, name, q, filters, watch, \
    seen, announced, last_viewed_at, notified_version, created_at, updated_at";

fn bytes(set: &RoaringBitmap) -> Vec<u8> {
    let mut out = Vec::with_capacity(set.serialized_size());
    // Writing to a Vec cannot fail.
    let _ = set.serialize_into(&mut out);
    out
}

impl Record {
    fn into_saved(self) -> Result<SavedSearch, StoreError> {
        Ok(SavedSearch {
            tenant: Tenant {
                partner_id: self.partner_id,
                mode: parse_mode(&self.mode)?,
            },
            seen: RoaringBitmap::deserialize_from(&self.seen[..])
                .map_err(|e| StoreError::Corrupt(format!("saved search seen set: {e}")))?,
            announced: RoaringBitmap::deserialize_from(&self.announced[..])
                .map_err(|e| StoreError::Corrupt(format!("saved search announced set: {e}")))?,
            saved_search_id: self.saved_search_id,
            partner_customer_id: self.partner_customer_id,
            name: self.name,
            q: self.q,
            filters: self.filters,
            watch: self.watch,
            last_viewed_at: self.last_viewed_at,
            notified_version: self.notified_version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A search to save.
#[derive(Debug, Clone)]
pub struct NewSavedSearch<'a> {
    pub saved_search_id: &'a str,
    pub customer_id: &'a str,
    pub name: &'a str,
    pub q: &'a str,
    pub filters: &'a str,
    pub watch: bool,
    /// What it matches now: saving counts as having looked.
    pub seen: &'a RoaringBitmap,
    /// The data version it was saved at (no announcement for it).
    pub version: i64,
}

impl Store {
    /// Saves a search for one of the tenant's customers.
    pub async fn save_search(
        &self,
        tenant: &Tenant,
        new: &NewSavedSearch<'_>,
        now: i64,
    ) -> Result<SavedSearch, StoreError> {
        let record: Record = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "insert into saved_search ({COLUMNS}, seen_count) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $13, $10, $11, $10, $10, $12) \
             returning {COLUMNS}")))
            .bind(new.saved_search_id)
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(new.customer_id)
            .bind(new.name)
            .bind(new.q)
            .bind(new.filters)
            .bind(new.watch)
            .bind(bytes(new.seen))
            .bind(now)
            .bind(new.version)
            .bind(i64::try_from(new.seen.len()).unwrap_or(i64::MAX))
            .bind(bytes(&RoaringBitmap::new()))
            .fetch_one(pool)
            .await)?;
        record.into_saved()
    }

    /// The customer's saved searches, oldest first.
    pub async fn saved_searches(&self, customer_id: &str) -> Result<Vec<SavedSearch>, StoreError> {
        let records: Vec<Record> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from saved_search where partner_customer_id = $1 order by saved_search_id")))
            .bind(customer_id)
            .fetch_all(pool)
            .await)?;
        records.into_iter().map(Record::into_saved).collect()
    }

    /// One of the customer's saved searches.
    pub async fn saved_search(
        &self,
        customer_id: &str,
        id: &str,
    ) -> Result<Option<SavedSearch>, StoreError> {
        let record: Option<Record> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from saved_search where partner_customer_id = $1 and saved_search_id = $2")))
            .bind(customer_id)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        record.map(Record::into_saved).transpose()
    }

    /// Deletes one; `false` when the customer has no such saved search.
    pub async fn delete_saved_search(
        &self,
        customer_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(self, pool => sqlx::query(
            "delete from saved_search where partner_customer_id = $1 and saved_search_id = $2")
            .bind(customer_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Adds `shown` to what the saved search has shown (it was just run).
    pub async fn saved_search_seen(
        &self,
        search: &SavedSearch,
        shown: &RoaringBitmap,
        now: i64,
    ) -> Result<(), StoreError> {
        let seen = &search.seen | shown;
        on_pool!(self, pool => sqlx::query(
            "update saved_search set seen = $2, seen_count = $3, last_viewed_at = $4, updated_at = $4 \
             where saved_search_id = $1")
            .bind(&search.saved_search_id)
            .bind(bytes(&seen))
            .bind(i64::try_from(seen.len()).unwrap_or(i64::MAX))
            .bind(now)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// Every watched saved search of live customers.
    pub async fn watched_searches(&self) -> Result<Vec<SavedSearch>, StoreError> {
        let records: Vec<Record> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from saved_search where mode = $1 and watch order by saved_search_id")))
            .bind(Mode::Live.as_str())
            .fetch_all(pool)
            .await)?;
        records.into_iter().map(Record::into_saved).collect()
    }

    /// Announces `new` (people `search` matches and never showed or announced)
    /// for data version `version` unless it was announced for it (or a later
    /// one) already: `new` joins what was announced and `event` fans out in the
    /// same transaction; `true` when this call announced it.
    pub async fn announce_new_matches(
        &self,
        search: &SavedSearch,
        version: i64,
        new: &RoaringBitmap,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let announced = bytes(&(&search.announced | new));
        let (mut tx, _queued) = self.begin_write().await?;
        let moved = super::on_tx!(&mut tx, t => {
            let moved = sqlx::query(
                "update saved_search set notified_version = $2, announced = $3 \
                 where saved_search_id = $1 and notified_version < $2")
                .bind(&search.saved_search_id)
                .bind(version)
                .bind(&announced)
                .execute(&mut **t)
                .await?
                .rows_affected();
            if moved == 1 {
                fan_out!(*t, &search.tenant, event, now);
            }
            moved
        });
        if moved != 1 {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }
}
