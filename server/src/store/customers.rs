//! Partner customers: the people a partner resells prospecting to. Unique per
//! (partner, mode, the partner's own customer id); created by the partner API or on
//! a customer's first embed session with the embed key's defaults.

use sqlx::FromRow;

use super::embed_keys::{enum_from_text, enum_text, from_json, to_json};
use super::partners::parse_mode;
use super::{on_pool, on_tx, tenant_row_sql, Backend, Store, StoreError};
use crate::partners::customers::{CustomerSettings, CustomerStatus, UpdateCustomer};
use crate::partners::ids::new_sorted_id;
use crate::partners::settings::{FieldError, ResultSettings, WalletSettings};
use crate::partners::Tenant;

/// A stored partner customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub partner_customer_id: String,
    pub tenant: Tenant,
    pub external_customer_id: String,
    pub settings: CustomerSettings,
    /// The embed key whose settings the customer falls back on: the one whose
    /// session created it, or the first one it used.
    pub embed_key_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
pub(super) struct CustomerRow {
    partner_customer_id: String,
    partner_id: String,
    mode: String,
    external_customer_id: String,
    name: Option<String>,
    status: String,
    credit_enforcement_mode: String,
    credit_reset_policy: String,
    limits: String,
    allowed_result_actions: String,
    result_delivery_url: Option<String>,
    result_delivery_cta: Option<String>,
    csv_export_enabled: bool,
    embed_key_id: Option<String>,
    created_at: i64,
    updated_at: i64,
}

pub(super) const COLUMNS: &str = "partner_customer_id, partner_id, mode, external_customer_id, name, status, \
    credit_enforcement_mode, credit_reset_policy, limits, allowed_result_actions, result_delivery_url, \
    result_delivery_cta, csv_export_enabled, embed_key_id, created_at, updated_at";

impl CustomerRow {
    pub(super) fn into_customer(self) -> Result<Customer, StoreError> {
        Ok(Customer {
            tenant: Tenant {
                partner_id: self.partner_id,
                mode: parse_mode(&self.mode)?,
            },
            settings: CustomerSettings {
                name: self.name,
                status: CustomerStatus::parse(&self.status)
                    .ok_or_else(|| StoreError::Corrupt(format!("status {:?}", self.status)))?,
                wallet: WalletSettings {
                    credit_enforcement_mode: enum_from_text(
                        "credit_enforcement_mode",
                        &self.credit_enforcement_mode,
                    )?,
                    credit_reset_policy: enum_from_text(
                        "credit_reset_policy",
                        &self.credit_reset_policy,
                    )?,
                    limits: from_json("limits", &self.limits)?,
                    allowed_result_actions: from_json(
                        "allowed_result_actions",
                        &self.allowed_result_actions,
                    )?,
                },
                results: ResultSettings {
                    result_delivery_url: self.result_delivery_url,
                    result_delivery_cta: self.result_delivery_cta,
                    csv_export_enabled: self.csv_export_enabled,
                },
            },
            partner_customer_id: self.partner_customer_id,
            external_customer_id: self.external_customer_id,
            embed_key_id: self.embed_key_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

impl Store {
    /// Creates a customer; `None` when the tenant already has one with this
    /// external id (nothing is changed then).
    pub async fn insert_customer(
        &self,
        tenant: &Tenant,
        external_id: &str,
        settings: &CustomerSettings,
        embed_key_id: Option<&str>,
        now: i64,
    ) -> Result<Option<Customer>, StoreError> {
        let id = new_sorted_id("pc");
        let s = settings;
        let inserted = on_pool!(self, pool => sqlx::query(sqlx::AssertSqlSafe(format!(
            "insert into partner_customer ({COLUMNS}) values \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             on conflict (partner_id, mode, external_customer_id) do nothing")))
            .bind(&id)
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(external_id)
            .bind(&s.name)
            .bind(s.status.as_str())
            .bind(enum_text(&s.wallet.credit_enforcement_mode))
            .bind(enum_text(&s.wallet.credit_reset_policy))
            .bind(to_json(&s.wallet.limits))
            .bind(to_json(&s.wallet.allowed_result_actions))
            .bind(&s.results.result_delivery_url)
            .bind(&s.results.result_delivery_cta)
            .bind(s.results.csv_export_enabled)
            .bind(embed_key_id)
            .bind(now)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if inserted == 0 {
            return Ok(None);
        }
        self.customer(tenant, &id).await
    }

    /// The customer with this external id, created with `settings` if new; the
    /// flag says whether it was created. An existing customer keeps its settings;
    /// one created by the partner API adopts `embed_key_id` as the key it falls
    /// back on, the first time it comes through one.
    pub async fn upsert_customer(
        &self,
        tenant: &Tenant,
        external_id: &str,
        settings: &CustomerSettings,
        embed_key_id: Option<&str>,
        now: i64,
    ) -> Result<(Customer, bool), StoreError> {
        if let Some(created) = self
            .insert_customer(tenant, external_id, settings, embed_key_id, now)
            .await?
        {
            return Ok((created, true));
        }
        let existing = self
            .customer_by_external_id(tenant, external_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("customer vanished after a conflict".into()))?;
        if let (None, Some(key)) = (&existing.embed_key_id, embed_key_id) {
            on_pool!(self, pool => sqlx::query(
                "update partner_customer set embed_key_id = $2 \
                 where partner_customer_id = $1 and embed_key_id is null")
                .bind(&existing.partner_customer_id)
                .bind(key)
                .execute(pool)
                .await
                .map(drop))?;
            let adopted = self.customer(tenant, &existing.partner_customer_id).await?;
            return Ok((adopted.unwrap_or(existing), false));
        }
        Ok((existing, false))
    }

    /// One of the tenant's customers.
    pub async fn customer(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<Customer>, StoreError> {
        let row: Option<CustomerRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from partner_customer \
             where partner_id = $1 and mode = $2 and partner_customer_id = $3")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.map(CustomerRow::into_customer).transpose()
    }

    /// One of the tenant's customers, by the partner's own id.
    pub async fn customer_by_external_id(
        &self,
        tenant: &Tenant,
        external_id: &str,
    ) -> Result<Option<Customer>, StoreError> {
        let row: Option<CustomerRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from partner_customer \
             where partner_id = $1 and mode = $2 and external_customer_id = $3")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(external_id)
            .fetch_optional(pool)
            .await)?;
        row.map(CustomerRow::into_customer).transpose()
    }

    /// A page of the tenant's customers in creation order (ids sort by creation),
    /// after the id `after`.
    pub async fn customers(
        &self,
        tenant: &Tenant,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Customer>, StoreError> {
        let rows: Vec<CustomerRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from partner_customer where partner_id = $1 and mode = $2 \
             and partner_customer_id > $3 order by partner_customer_id limit $4")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(CustomerRow::into_customer).collect()
    }

    /// Applies `update` to one of the tenant's customers under its row lock, so
    /// concurrent updates never lose each other's fields; `None` when the tenant
    /// has no such customer, the inner error when the update is invalid (nothing
    /// is written then). Setting the delivery URL clears its `410 Gone` mark.
    pub async fn update_customer(
        &self,
        tenant: &Tenant,
        id: &str,
        update: &UpdateCustomer,
        dev: bool,
        now: i64,
    ) -> Result<Option<Result<Customer, FieldError>>, StoreError> {
        let postgres = self.backend() == Backend::Postgres;
        let (mut tx, _queued) = self.begin_write().await?;
        let done = on_tx!(&mut tx, t => {
            let row: Option<CustomerRow> = sqlx::query_as(sqlx::AssertSqlSafe(tenant_row_sql(
                COLUMNS, "partner_customer", "partner_customer_id", postgres)))
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .bind(id)
                .fetch_optional(&mut **t)
                .await?;
            let Some(current) = row.map(CustomerRow::into_customer).transpose()? else {
                return Ok(None);
            };
            let settings = match update.apply(current.settings.clone(), dev) {
                Ok(s) => s,
                Err(e) => return Ok(Some(Err(e))),
            };
            let s = &settings;
            sqlx::query(
                "update partner_customer set name = $4, status = $5, credit_enforcement_mode = $6, \
                 credit_reset_policy = $7, limits = $8, allowed_result_actions = $9, result_delivery_url = $10, \
                 result_delivery_cta = $11, csv_export_enabled = $12, updated_at = $13 \
                 where partner_id = $1 and mode = $2 and partner_customer_id = $3")
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .bind(id)
                .bind(&s.name)
                .bind(s.status.as_str())
                .bind(enum_text(&s.wallet.credit_enforcement_mode))
                .bind(enum_text(&s.wallet.credit_reset_policy))
                .bind(to_json(&s.wallet.limits))
                .bind(to_json(&s.wallet.allowed_result_actions))
                .bind(&s.results.result_delivery_url)
                .bind(&s.results.result_delivery_cta)
                .bind(s.results.csv_export_enabled)
                .bind(now)
                .execute(&mut **t)
                .await?;
            if update.sets_delivery_url() {
                // The URL set (again, or a new one) is the partner saying it works.
                                super::deliveries::clear_gone!((*t), tenant, s.results.result_delivery_url.as_deref());
            }
            Ok(Some(Ok(Customer {
                settings,
                updated_at: now,
                ..current
            })))
        });
        tx.commit().await?;
        done
    }
}
