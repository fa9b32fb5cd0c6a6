//! Buying records as one unit of work. [`Store::begin_purchase`] takes the wallet
//! write lock (see [`super::wallets`]), reads the wallet and which of the people
//! the customer already owns, and plans the spend of the net-new ones: a refusal
//! comes back before anything else happens (the caller has read no record yet).
//! The open [`Purchase`] then accepts a delivery ([`Purchase::add_delivery`]) and
//! [`Purchase::commit`]s ownership rows, the purchase row, the ledger entries and
//! the delivery together. So concurrent buys of overlapping selections bill every
//! record exactly once and never overdraw an enforced wallet, and a purchase never
//! exists without its delivery (nor the reverse). The store never calls back into
//! the caller: it hands out the transaction and the caller drives it.

use std::collections::HashSet;

use tokio::sync::OwnedMutexGuard;

use super::customers::COLUMNS as CUSTOMER_COLUMNS;
use super::deliveries::{insert_delivery, Claim, DeliveryRow, DeliveryTarget};
use super::embed_keys::enum_text;
use super::search::Reader;
use super::wallets::{
    append_entries, entry_from, grant_from, load_wallet, CustomerWallet, EntryRow, GrantRow,
    SpendRefusal, ENTRIES_SQL, GRANTS_SQL, INSERT_ENTRY_SQL,
};
use super::{on_pool, on_tx, Backend, PersonRow, Store, StoreError, Tx};
use crate::delivery::payload::EVENT_RECORDS_PUSHED;
use crate::delivery::DeliveryStatus;
use crate::partners::ids::new_sorted_id;
use crate::partners::Tenant;
use crate::records::Company;
use crate::wallet::{Price, SpendPlan};

/// What to buy.
#[derive(Debug, Clone, Copy)]
pub struct PurchaseOrder<'a> {
    pub tenant: &'a Tenant,
    pub customer_id: &'a str,
    /// Internal person ids (the search index's), without duplicates, in the order
    /// they are delivered.
    pub people: &'a [u32],
    /// Credit units one net-new record costs.
    pub units_per_record: i64,
    /// The partner user the purchase is attributed to.
    pub user_id: Option<&'a str>,
    /// The prospecting session the selection came from.
    pub search_id: Option<&'a str>,
}

/// The delivery of a push, written in the purchase's transaction, claimed by the
/// caller (who sends its first round).
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub delivery_id: String,
    pub url: String,
    pub embed_key_id: String,
    /// The chunk bodies, in order.
    pub bodies: Vec<String>,
}

/// A purchase in progress: the wallet is locked until it commits or is dropped
/// (which rolls it back).
pub struct Purchase {
    tx: Tx,
    /// This process's turn among SQLite wallet writers, held until the end.
    _queued: Option<OwnedMutexGuard<()>>,
    tenant: Tenant,
    customer_id: String,
    people: Vec<u32>,
    user_id: Option<String>,
    search_id: Option<String>,
    purchase_id: String,
    net_new: Vec<u32>,
    already_owned: Vec<u32>,
    credit_units: i64,
    plan: SpendPlan,
    wallet: CustomerWallet,
    now: i64,
    /// How long the delivery's claim holds.
    lease_secs: i64,
}

impl std::fmt::Debug for Purchase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Purchase")
            .field("purchase_id", &self.purchase_id)
            .field("customer_id", &self.customer_id)
            .field("net_new", &self.net_new.len())
            .field("already_owned", &self.already_owned.len())
            .finish_non_exhaustive()
    }
}

/// A committed purchase.
#[derive(Debug, Clone)]
pub struct Purchased {
    pub purchase_id: String,
    /// Bought now, in request order.
    pub net_new: Vec<u32>,
    /// Owned before, delivered again for free, in request order.
    pub already_owned: Vec<u32>,
    pub credit_units: i64,
    pub plan: SpendPlan,
    /// The wallet after the purchase.
    pub wallet: CustomerWallet,
}

const OWNED_AMONG_SQLITE: &str = "select person from owned_record where partner_customer_id = $1 \
     and person in (select value from json_each($2))";
const OWNED_AMONG_POSTGRES: &str =
    "select person from owned_record where partner_customer_id = $1 \
     and person in (select value::bigint from jsonb_array_elements_text($2::jsonb) as ids (value))";

/// `[1,2,3]`: ids as one JSON parameter (SQLite's `json_each`, PostgreSQL's
/// `jsonb_array_elements_text`), and how a purchase keeps its people.
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

    /// The people of one of the tenant's customer's purchases, in the order they
    /// were delivered; `None` when there is no such purchase.
    pub async fn purchase_people(
        &self,
        tenant: &Tenant,
        customer_id: &str,
        purchase_id: &str,
    ) -> Result<Option<Vec<u32>>, StoreError> {
        let people: Option<Option<String>> = on_pool!(self, pool => sqlx::query_scalar(
            "select p.people from purchase p join partner_customer c \
             on c.partner_customer_id = p.partner_customer_id \
             where c.partner_id = $1 and c.mode = $2 and p.partner_customer_id = $3 and p.purchase_id = $4")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(customer_id)
            .bind(purchase_id)
            .fetch_optional(pool)
            .await)?;
        match people {
            None => Ok(None),
            Some(None) => Err(StoreError::Corrupt(format!(
                "purchase {purchase_id} does not record its people"
            ))),
            Some(Some(text)) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("purchase {purchase_id} people: {e}"))),
        }
    }

    /// Starts buying `order.people` for one of the tenant's customers at `now`:
    /// the ones it does not own cost `units_per_record` each, the others nothing,
    /// all or nothing. The refusal (no such customer, suspended, a limit or the
    /// balance) comes back at once, with nothing written.
    pub async fn begin_purchase(
        &self,
        order: PurchaseOrder<'_>,
        now: i64,
    ) -> Result<Result<Purchase, SpendRefusal>, StoreError> {
        let postgres = self.backend() == Backend::Postgres;
        let (mut tx, queued) = self.begin_write().await?;
        let (tenant, customer_id) = (order.tenant, order.customer_id);
        let loaded = on_tx!(&mut tx, t => {
            let Some(state) = load_wallet!((*t), tenant, customer_id, postgres, now) else {
                return Ok(Err(SpendRefusal::NotFound));
            };
            // One statement whatever the selection size (ids as one JSON parameter).
            let owned: HashSet<i64> = sqlx::query_scalar::<_, i64>(if postgres {
                OWNED_AMONG_POSTGRES
            } else {
                OWNED_AMONG_SQLITE
            })
            .bind(customer_id)
            .bind(id_list_json(order.people))
            .fetch_all(&mut **t)
            .await?
            .into_iter()
            .collect();
            (state, owned)
        });
        let (wallet, owned) = loaded;
        let (already_owned, net_new): (Vec<u32>, Vec<u32>) = order
            .people
            .iter()
            .partition(|id| owned.contains(&i64::from(**id)));
        let price = Price::of(net_new.len(), order.units_per_record);
        let credit_units = price.credit_units;
        let plan = match wallet.wallet.plan(now, credit_units, price.records) {
            Ok(plan) => plan,
            Err(blocked) => return Ok(Err(SpendRefusal::Blocked(blocked))),
        };
        Ok(Ok(Purchase {
            lease_secs: self.delivery_lease_secs,
            tx,
            _queued: queued,
            tenant: tenant.clone(),
            customer_id: customer_id.to_owned(),
            people: order.people.to_vec(),
            user_id: order.user_id.map(str::to_owned),
            search_id: order.search_id.map(str::to_owned),
            purchase_id: new_sorted_id("pur"),
            net_new,
            already_owned,
            credit_units,
            plan,
            wallet,
            now,
        }))
    }
}

impl Purchase {
    /// The people bought now, in request order.
    pub fn net_new(&self) -> &[u32] {
        &self.net_new
    }

    /// The people owned before, in request order.
    pub fn already_owned(&self) -> &[u32] {
        &self.already_owned
    }

    /// Stored people by id, read on the purchase's own connection (the records
    /// it sells: it holds the wallet lock, and must not wait for another).
    pub async fn people_by_ids(&mut self, ids: &[u32]) -> Result<Vec<PersonRow>, StoreError> {
        super::search::people_by_ids(Reader::Tx(&mut self.tx), ids).await
    }

    /// Stored companies by id, read on the purchase's own connection.
    pub async fn companies_by_ids(&mut self, ids: &[String]) -> Result<Vec<Company>, StoreError> {
        super::search::companies_by_ids(Reader::Tx(&mut self.tx), ids).await
    }

    /// Commits the purchase with a push's delivery, claimed at `now` for the
    /// caller's first round (the worker leaves it alone until the claim lapses).
    pub async fn commit_with_delivery(
        mut self,
        delivery: NewDelivery,
        now: i64,
    ) -> Result<(Purchased, Claim), StoreError> {
        let claim = self.write_delivery(delivery, now).await?;
        Ok((self.commit().await?, claim))
    }

    async fn write_delivery(
        &mut self,
        delivery: NewDelivery,
        now: i64,
    ) -> Result<Claim, StoreError> {
        let token = Claim::new_token();
        let chunks = i64::try_from(delivery.bodies.len()).unwrap_or(i64::MAX);
        let row = DeliveryRow {
            delivery_id: delivery.delivery_id,
            tenant: self.tenant.clone(),
            target: DeliveryTarget::Push {
                partner_customer_id: self.customer_id.clone(),
                embed_key_id: delivery.embed_key_id,
                purchase_id: self.purchase_id.clone(),
            },
            event_type: EVENT_RECORDS_PUSHED.to_owned(),
            search_id: self.search_id.clone(),
            url: delivery.url,
            status: DeliveryStatus::Pending,
            chunks,
            attempts: 0,
            next_attempt_at: Some(now),
            claimed_until: Some(now + self.lease_secs),
            last_status: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        };
        let bodies = delivery.bodies;
        on_tx!(&mut self.tx, t => {
            insert_delivery!(*t, &row, Some(token.as_str()), &bodies);
        });
        Ok(Claim::new(row, token))
    }

    /// Writes ownership, the purchase and the ledger entries, and commits.
    pub async fn commit(mut self) -> Result<Purchased, StoreError> {
        let Purchase {
            ref customer_id,
            ref purchase_id,
            ref plan,
            ref net_new,
            ref people,
            ref user_id,
            ref search_id,
            credit_units,
            now,
            ..
        } = self;
        let records = i64::try_from(net_new.len()).unwrap_or(i64::MAX);
        on_tx!(&mut self.tx, t => {
            append_entries!((*t), customer_id, &plan.entries, user_id.as_deref(), purchase_id);
            for chunk in net_new.chunks(super::ROWS_PER_INSERT) {
                sqlx::QueryBuilder::new(
                    "insert into owned_record (partner_customer_id, purchase_id, bought_at, person) ")
                    .push_values(chunk, |mut row, &id| {
                        row.push_bind(customer_id)
                            .push_bind(purchase_id)
                            .push_bind(now)
                            .push_bind(i64::from(id));
                    })
                    .build()
                    .execute(&mut **t)
                    .await?;
            }
            sqlx::query(
                "insert into purchase (purchase_id, partner_customer_id, user_id, search_id, records, \
                 net_new_records, credit_units, created_at, people) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(purchase_id)
                .bind(customer_id)
                .bind(user_id)
                .bind(search_id)
                .bind(i64::try_from(people.len()).unwrap_or(i64::MAX))
                .bind(records)
                .bind(credit_units)
                .bind(now)
                .bind(id_list_json(people))
                .execute(&mut **t)
                .await?;
        });
        self.tx.commit().await?;
        let mut wallet = self.wallet;
        wallet.wallet.apply(&self.plan);
        Ok(Purchased {
            purchase_id: self.purchase_id,
            net_new: self.net_new,
            already_owned: self.already_owned,
            credit_units: self.credit_units,
            plan: self.plan,
            wallet,
        })
    }
}
