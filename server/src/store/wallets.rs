//! Wallet storage: credit grants and the append-only ledger, and the one way to
//! write to them: a *wallet write*, serialised per wallet. SQLite takes the write
//! lock up front (`begin immediate`, after this process's earlier writers),
//! PostgreSQL locks the customer row (`for update`); the transaction then reads
//! the [`CustomerWallet`], lets [`crate::wallet::WalletState::plan`] decide, and
//! appends the plan before it commits. So two concurrent spends never both see the
//! same balance (no lost update, an enforced wallet never below zero), and grants,
//! spends, sessions and purchases queue in one line.

use super::customers::COLUMNS as CUSTOMER_COLUMNS;
use super::embed_keys::{enum_from_text, enum_text};
use super::{on_pool, on_tx, tenant_row_sql, Backend, Customer, Store, StoreError};
use crate::partners::ids::new_sorted_id;
use crate::partners::Tenant;
use crate::wallet::{Blocked, Entry, EntryKind, Grant, SpendPlan, WalletState};

/// A customer with everything its wallet is derived from, read in one
/// transaction. Its ledger entries are summed per (kind, grant, inside or before
/// the month of the `now` it was read at): one entry per group, stamped at the
/// month's first second or the second before it. Every wallet figure is a sum
/// over these groups, so the pure wallet module gives the same answers as over
/// every row, and a spend reads a handful of rows instead of the whole history.
#[derive(Debug, Clone)]
pub struct CustomerWallet {
    pub customer: Customer,
    pub wallet: WalletState,
}

/// One ledger row as the ledger endpoint lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub entry_id: i64,
    pub at: i64,
    pub kind: EntryKind,
    pub units: i64,
    pub grant_id: Option<String>,
    pub user_id: Option<String>,
    pub reference: Option<String>,
}

/// What to buy: `units` credit units for `records` net-new records.
#[derive(Debug, Clone, Copy)]
pub struct SpendRequest<'a> {
    pub units: i64,
    pub records: i64,
    /// The partner user the usage is attributed to.
    pub user_id: Option<&'a str>,
    /// What the spend is for (a purchase or search id), kept on every entry.
    pub reference: Option<&'a str>,
}

/// A committed spend.
#[derive(Debug, Clone)]
pub struct SpendOutcome {
    pub plan: SpendPlan,
    /// The wallet after the spend, read in the same transaction.
    pub wallet: CustomerWallet,
}

/// Why nothing was spent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpendRefusal {
    #[error("no such customer")]
    NotFound,
    /// The wallet refused, a suspended customer included
    /// ([`Blocked::CustomerSuspended`]).
    #[error(transparent)]
    Blocked(Blocked),
}

pub(super) type GrantRow = (String, i64, Option<String>, i64, Option<i64>, i64);
pub(super) type EntryRow = (i64, String, i64, Option<String>);
type LedgerSqlRow = (
    i64,
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(super) fn grant_from(row: GrantRow) -> Grant {
    let (id, units, credit_type, starts_at, expires_at, created_at) = row;
    Grant {
        id,
        units,
        credit_type,
        starts_at,
        expires_at,
        created_at,
    }
}

pub(super) fn entry_from(row: EntryRow) -> Result<Entry, StoreError> {
    let (at, kind, units, grant_id) = row;
    Ok(Entry {
        at,
        kind: enum_from_text("kind", &kind)?,
        units,
        grant_id,
    })
}

pub(super) const GRANTS_SQL: &str =
    "select grant_id, units, credit_type, starts_at, expires_at, created_at \
     from credit_grant where partner_customer_id = $1 order by created_at, grant_id";
// Negative units are corrupt rows and count as nothing, as in the wallet module.
pub(super) const ENTRIES_SQL: &str =
    "select case when at >= $2 and at < $3 then $2 else $2 - 1 end as period, \
     kind, cast(sum(case when units > 0 then units else 0 end) as bigint) as units, grant_id \
     from wallet_ledger where partner_customer_id = $1 \
     group by period, kind, grant_id order by period, kind, grant_id";
pub(super) const INSERT_ENTRY_SQL: &str = "insert into wallet_ledger \
     (partner_customer_id, at, kind, units, grant_id, user_id, reference) values ($1, $2, $3, $4, $5, $6, $7)";

/// Loads a customer (locking it on PostgreSQL), its grants and its ledger inside
/// an open transaction `$tx`; evaluates to `Option<CustomerWallet>`.
macro_rules! load_wallet {
    ($tx:expr, $tenant:expr, $id:expr, $lock:expr, $now:expr) => {{
        let month = $crate::wallet::month_containing($now);
        let customer_sql = $crate::store::tenant_row_sql(
            CUSTOMER_COLUMNS,
            "partner_customer",
            "partner_customer_id",
            $lock,
        );
        let row: Option<super::customers::CustomerRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(customer_sql))
                .bind(&$tenant.partner_id)
                .bind($tenant.mode.as_str())
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        match row {
            None => None,
            Some(row) => {
                let customer = row.into_customer()?;
                let grants: Vec<GrantRow> = sqlx::query_as(GRANTS_SQL)
                    .bind($id)
                    .fetch_all(&mut *$tx)
                    .await?;
                let entries: Vec<EntryRow> = sqlx::query_as(ENTRIES_SQL)
                    .bind($id)
                    .bind(month.start)
                    .bind(month.end)
                    .fetch_all(&mut *$tx)
                    .await?;
                let policy = customer.settings.wallet_policy();
                Some($crate::store::CustomerWallet {
                    customer,
                    wallet: crate::wallet::WalletState {
                        policy,
                        grants: grants.into_iter().map(grant_from).collect(),
                        entries: entries
                            .into_iter()
                            .map(entry_from)
                            .collect::<Result<_, StoreError>>()?,
                    },
                })
            }
        }
    }};
}

pub(super) use load_wallet;

/// Appends `$entries` to a customer's ledger inside `$tx`.
macro_rules! append_entries {
    ($tx:expr, $customer_id:expr, $entries:expr, $user_id:expr, $reference:expr) => {
        for entry in $entries {
            sqlx::query(INSERT_ENTRY_SQL)
                .bind($customer_id)
                .bind(entry.at)
                .bind(enum_text(&entry.kind))
                .bind(entry.units)
                .bind(&entry.grant_id)
                .bind($user_id)
                .bind($reference)
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub(super) use append_entries;

impl Store {
    /// The wallet inputs of one of the tenant's customers at `now`, read
    /// consistently.
    pub async fn wallet(
        &self,
        tenant: &Tenant,
        id: &str,
        now: i64,
    ) -> Result<Option<CustomerWallet>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let state = load_wallet!(tx, tenant, id, false, now);
            tx.commit().await?;
            Ok(state)
        })
    }

    /// Adds a credit grant (already validated) and its audit entry, as a wallet
    /// write (in line with spends, so it never meets a busy database); `None` when
    /// the tenant has no such customer.
    pub async fn add_grant(
        &self,
        tenant: &Tenant,
        customer_id: &str,
        grant: &Grant,
        note: Option<&str>,
    ) -> Result<Option<Grant>, StoreError> {
        let grant = Grant {
            id: new_sorted_id("grant"),
            ..grant.clone()
        };
        let postgres = self.backend() == Backend::Postgres;
        let (mut tx, _queued) = self.begin_write().await?;
        let done = on_tx!(&mut tx, t => {
            let owned: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(tenant_row_sql(
                "partner_customer_id", "partner_customer", "partner_customer_id", postgres)))
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .bind(customer_id)
                .fetch_optional(&mut **t)
                .await?;
            if owned.is_none() {
                return Ok(None);
            }
            sqlx::query(
                "insert into credit_grant (grant_id, partner_customer_id, units, credit_type, starts_at, \
                 expires_at, note, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&grant.id)
                .bind(customer_id)
                .bind(grant.units)
                .bind(&grant.credit_type)
                .bind(grant.starts_at)
                .bind(grant.expires_at)
                .bind(note)
                .bind(grant.created_at)
                .execute(&mut **t)
                .await?;
            sqlx::query(INSERT_ENTRY_SQL)
                .bind(customer_id)
                .bind(grant.created_at)
                .bind(enum_text(&EntryKind::Grant))
                .bind(grant.units)
                .bind(&grant.id)
                .bind(None::<String>)
                .bind(Some(&grant.id))
                .execute(&mut **t)
                .await?;
            Ok(Some(grant))
        });
        tx.commit().await?;
        done
    }

    /// A page of a customer's ledger, oldest first, after entry `after`; `None`
    /// when the tenant has no such customer.
    pub async fn ledger(
        &self,
        tenant: &Tenant,
        customer_id: &str,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Option<Vec<LedgerRow>>, StoreError> {
        if self.customer(tenant, customer_id).await?.is_none() {
            return Ok(None);
        }
        let rows: Vec<LedgerSqlRow> = on_pool!(self, pool => sqlx::query_as(
            "select entry_id, at, kind, units, grant_id, user_id, reference from wallet_ledger \
             where partner_customer_id = $1 and entry_id > $2 order by entry_id limit $3")
            .bind(customer_id)
            .bind(after.unwrap_or(0))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(
                |(entry_id, at, kind, units, grant_id, user_id, reference)| {
                    Ok(LedgerRow {
                        entry_id,
                        at,
                        kind: enum_from_text("kind", &kind)?,
                        units,
                        grant_id,
                        user_id,
                        reference,
                    })
                },
            )
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Some)
    }

    /// Spends from a customer's wallet, all or nothing, at `now`. Serialised per
    /// wallet (see the module header): safe under any concurrency, on both
    /// backends.
    pub async fn spend(
        &self,
        tenant: &Tenant,
        customer_id: &str,
        request: SpendRequest<'_>,
        now: i64,
    ) -> Result<Result<SpendOutcome, SpendRefusal>, StoreError> {
        let postgres = self.backend() == Backend::Postgres;
        let (mut tx, _queued) = self.begin_write().await?;
        let (mut state, plan) = on_tx!(&mut tx, t => {
            let Some(state) = load_wallet!((*t), tenant, customer_id, postgres, now) else {
                return Ok(Err(SpendRefusal::NotFound));
            };
            let plan = match state.wallet.plan(now, request.units, request.records) {
                Ok(plan) => plan,
                Err(blocked) => return Ok(Err(SpendRefusal::Blocked(blocked))),
            };
            append_entries!((*t), customer_id, &plan.entries, request.user_id, request.reference);
            (state, plan)
        });
        tx.commit().await?;
        state.wallet.apply(&plan);
        Ok(Ok(SpendOutcome {
            plan,
            wallet: state,
        }))
    }
}
