//! Buying records: [`Store::buy`] makes a partner customer the owner of a set of
//! people, charging only the ones it does not own yet, all or nothing. Ownership
//! rows, the purchase row and the ledger entries commit in the transaction that
//! read the balance and the existing ownership, serialised per wallet like
//! [`Store::spend`], so concurrent buys of overlapping selections bill every
//! record exactly once and never overdraw an enforced wallet.

use std::collections::HashSet;

use super::customers::COLUMNS as CUSTOMER_COLUMNS;
use super::embed_keys::enum_text;
use super::wallets::{
    append_entries, begin_wallet_write, entry_from, grant_from, load_wallet, EntryRow, GrantRow,
    SpendRefusal, WalletState, ENTRIES_SQL, GRANTS_SQL, INSERT_ENTRY_SQL,
};
use super::{on_pool, Backend, Store, StoreError};
use crate::partners::customers::CustomerStatus;
use crate::partners::ids::new_sorted_id;
use crate::partners::Tenant;
use crate::wallet::{month_containing, plan_spend, SpendPlan};

/// Rows per multi-row insert.
const CHUNK: usize = 250;

/// What to buy.
#[derive(Debug, Clone, Copy)]
pub struct BuyRequest<'a> {
    /// Internal person ids (the search index's), without duplicates.
    pub people: &'a [u32],
    /// Credit units one net-new record costs.
    pub units_per_record: i64,
    /// The partner user the purchase is attributed to.
    pub user_id: Option<&'a str>,
    /// The prospecting session the selection came from.
    pub search_id: Option<&'a str>,
    /// A push: the delivery job committed with the purchase.
    pub delivery: Option<DeliveryJob<'a>>,
}

/// Builds a push's chunk bodies from the net-new and already-owned people.
pub type ChunkBodies<'b> = dyn Fn(&[u32], &[u32]) -> Vec<String> + Send + Sync + 'b;

/// The delivery of a push, written in the purchase's transaction so a purchase
/// never exists without its delivery (nor the reverse).
#[derive(Clone, Copy)]
pub struct DeliveryJob<'a> {
    pub delivery_id: &'a str,
    pub url: &'a str,
    pub embed_key_id: &'a str,
    /// The chunk bodies, given the net-new and already-owned people (in request
    /// order): the payload reports those counts.
    pub bodies: &'a ChunkBodies<'a>,
    /// Until then the pushing request holds the job (it tries at once).
    pub claimed_until: i64,
}

impl std::fmt::Debug for DeliveryJob<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryJob")
            .field("delivery_id", &self.delivery_id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A committed purchase.
#[derive(Debug, Clone)]
pub struct BuyOutcome {
    pub purchase_id: String,
    /// Bought now, in request order.
    pub net_new: Vec<u32>,
    /// Owned before, delivered again for free, in request order.
    pub already_owned: Vec<u32>,
    pub credit_units: i64,
    pub plan: SpendPlan,
    /// The wallet after the purchase.
    pub wallet: WalletState,
}

const OWNED_AMONG_SQLITE: &str = "select person from owned_record where partner_customer_id = $1 \
     and person in (select value from json_each($2))";
const OWNED_AMONG_POSTGRES: &str =
    "select person from owned_record where partner_customer_id = $1 \
     and person in (select value::bigint from jsonb_array_elements_text($2::jsonb) as ids (value))";

/// `[1,2,3]`: ids as one JSON parameter for SQLite's `json_each`.
fn id_list_json(ids: &[u32]) -> String {
    let mut out = String::with_capacity(ids.len() * 8 + 2);
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}

impl Store {
    /// Which of `people` the customer owns (no tenant check: callers pass a
    /// customer id they resolved for their tenant).
    pub async fn owned_among(
        &self,
        customer_id: &str,
        people: &[u32],
    ) -> Result<HashSet<u32>, StoreError> {
        let sql = match self.backend() {
            Backend::Postgres => OWNED_AMONG_POSTGRES,
            Backend::Sqlite => OWNED_AMONG_SQLITE,
        };
        let rows: Vec<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(customer_id)
            .bind(id_list_json(people))
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|id| u32::try_from(id).ok())
            .collect())
    }

    /// Every person the customer owns, as a bitmap of index ids.
    pub async fn owned_people(
        &self,
        customer_id: &str,
    ) -> Result<roaring::RoaringBitmap, StoreError> {
        let rows: Vec<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "select person from owned_record where partner_customer_id = $1")
            .bind(customer_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|id| u32::try_from(id).ok())
            .collect())
    }

    /// Buys `request.people` for one of the tenant's customers at `now`: the ones
    /// it does not own cost `units_per_record` each, the others nothing; all or
    /// nothing (see the module header).
    pub async fn buy(
        &self,
        tenant: &Tenant,
        customer_id: &str,
        request: BuyRequest<'_>,
        now: i64,
    ) -> Result<Result<BuyOutcome, SpendRefusal>, StoreError> {
        let postgres = self.backend() == Backend::Postgres;
        let _queued = self.queue_wallet_write().await;
        let purchase_id = new_sorted_id("pur");
        on_pool!(self, pool => {
            let mut tx = begin_wallet_write!(pool, postgres);
            let Some(state) = load_wallet!(tx, tenant, customer_id, postgres, now) else {
                return Ok(Err(SpendRefusal::NotFound));
            };
            let settings = &state.customer.settings;
            if settings.status == CustomerStatus::Suspended {
                return Ok(Err(SpendRefusal::Suspended));
            }
            // One statement whatever the selection size (ids as one JSON parameter).
            let owned: HashSet<i64> = sqlx::query_scalar::<_, i64>(if postgres {
                OWNED_AMONG_POSTGRES
            } else {
                OWNED_AMONG_SQLITE
            })
            .bind(customer_id)
            .bind(id_list_json(request.people))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
            let (already_owned, net_new): (Vec<u32>, Vec<u32>) =
                request.people.iter().partition(|id| owned.contains(&i64::from(**id)));
            let records = i64::try_from(net_new.len()).unwrap_or(i64::MAX);
            let units = records.saturating_mul(request.units_per_record);
            let plan = match plan_spend(
                &state.grants,
                &state.entries,
                settings.credit_enforcement_mode,
                settings.credit_reset_policy,
                &settings.limits,
                now,
                units,
                records,
            ) {
                Ok(plan) => plan,
                Err(blocked) => return Ok(Err(SpendRefusal::Blocked(blocked))),
            };
            append_entries!(tx, customer_id, &plan.entries, request.user_id, &purchase_id);
            for chunk in net_new.chunks(CHUNK) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("($1, $2, $3, ${})", i + 4))
                    .collect();
                let sql = format!(
                    "insert into owned_record (partner_customer_id, purchase_id, bought_at, person) values {}",
                    values.join(",")
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(customer_id)
                    .bind(&purchase_id)
                    .bind(now);
                for id in chunk {
                    query = query.bind(i64::from(*id));
                }
                query.execute(&mut *tx).await?;
            }
            sqlx::query(
                "insert into purchase (purchase_id, partner_customer_id, user_id, search_id, records, \
                 net_new_records, credit_units, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&purchase_id)
                .bind(customer_id)
                .bind(request.user_id)
                .bind(request.search_id)
                .bind(i64::try_from(request.people.len()).unwrap_or(i64::MAX))
                .bind(records)
                .bind(units)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if let Some(job) = request.delivery {
                let bodies = (job.bodies)(&net_new, &already_owned);
                sqlx::query(
                    "insert into delivery (delivery_id, partner_id, mode, partner_customer_id, embed_key_id, \
                     purchase_id, search_id, url, status, chunks, attempts, next_attempt_at, claimed_until, \
                     created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, 0, $10, $11, $10, $10)")
                    .bind(job.delivery_id)
                    .bind(&tenant.partner_id)
                    .bind(tenant.mode.as_str())
                    .bind(customer_id)
                    .bind(job.embed_key_id)
                    .bind(&purchase_id)
                    .bind(request.search_id)
                    .bind(job.url)
                    .bind(i64::try_from(bodies.len()).unwrap_or(i64::MAX))
                    .bind(now)
                    .bind(job.claimed_until)
                    .execute(&mut *tx)
                    .await?;
                for (i, body) in bodies.iter().enumerate() {
                    sqlx::query("insert into delivery_chunk (delivery_id, chunk, body) values ($1, $2, $3)")
                        .bind(job.delivery_id)
                        .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
                        .bind(body)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            let mut wallet = state;
            wallet.entries.extend(plan.entries.iter().cloned());
            Ok(Ok(BuyOutcome {
                purchase_id,
                net_new,
                already_owned,
                credit_units: units,
                plan,
                wallet,
            }))
        })
    }
}
