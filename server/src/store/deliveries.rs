//! Delivery jobs: written with their purchase (see [`super::BuyRequest::delivery`]),
//! claimed by whoever sends them with a conditional update (so two replicas never
//! send the same attempt), and every attempt kept for the delivery log.

use sqlx::FromRow;

use super::partners::parse_mode;
use super::{on_pool, Store, StoreError};
use crate::partners::Tenant;

/// A delivery job.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DeliveryRow {
    pub delivery_id: String,
    pub partner_id: String,
    pub mode: String,
    pub partner_customer_id: String,
    pub embed_key_id: String,
    pub purchase_id: String,
    pub search_id: Option<String>,
    pub url: String,
    pub status: String,
    pub chunks: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub claimed_until: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl DeliveryRow {
    pub fn tenant(&self) -> Result<Tenant, StoreError> {
        Ok(Tenant {
            partner_id: self.partner_id.clone(),
            mode: parse_mode(&self.mode)?,
        })
    }
}

/// One chunk still to send.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ChunkRow {
    pub chunk: i64,
    pub body: String,
    pub delivered_at: Option<i64>,
}

/// One attempt, for the log.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AttemptRow {
    pub attempt_id: i64,
    pub delivery_id: String,
    pub chunk: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// One attempt to log.
#[derive(Debug, Clone, Copy)]
pub struct NewAttempt<'a> {
    pub delivery_id: &'a str,
    pub chunk: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<&'a str>,
    /// The partner accepted it (2xx).
    pub delivered: bool,
}

/// What an attempt round decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundResult {
    /// `pending`, `delivered`, `failed` or `gone`.
    pub status: &'static str,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

pub(super) const DELIVERY_COLUMNS: &str = "delivery_id, partner_id, mode, partner_customer_id, embed_key_id, \
    purchase_id, search_id, url, status, chunks, attempts, next_attempt_at, claimed_until, last_status, \
    last_error, created_at, updated_at";

impl Store {
    /// One of the tenant's deliveries.
    pub async fn delivery(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<DeliveryRow>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {DELIVERY_COLUMNS} from delivery where partner_id = $1 and mode = $2 and delivery_id = $3")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// A page of the tenant's deliveries, newest first, optionally for one
    /// customer or in one status.
    pub async fn deliveries(
        &self,
        tenant: &Tenant,
        customer: Option<&str>,
        status: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {DELIVERY_COLUMNS} from delivery where partner_id = $1 and mode = $2 \
             and ($3 is null or partner_customer_id = $3) and ($4 is null or status = $4) \
             and ($5 is null or delivery_id < $5) order by delivery_id desc limit $6")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(customer)
            .bind(status)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?,
        )
    }

    /// The attempts of some deliveries, oldest first.
    pub async fn delivery_attempts(&self, ids: &[String]) -> Result<Vec<AttemptRow>, StoreError> {
        let mut out = Vec::new();
        for id in ids {
            let rows: Vec<AttemptRow> = on_pool!(self, pool => sqlx::query_as(
                "select attempt_id, delivery_id, chunk, at, status_code, latency_ms, error \
                 from delivery_attempt where delivery_id = $1 order by attempt_id")
                .bind(id)
                .fetch_all(pool)
                .await)?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// The chunks of a delivery not delivered yet, in order.
    pub async fn pending_chunks(&self, delivery_id: &str) -> Result<Vec<ChunkRow>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "select chunk, body, delivered_at from delivery_chunk \
             where delivery_id = $1 and delivered_at is null order by chunk")
            .bind(delivery_id)
            .fetch_all(pool)
            .await)?)
    }

    /// Takes a pending job until `until` if nobody holds it; `true` when taken.
    pub async fn claim_delivery(
        &self,
        delivery_id: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError> {
        let taken = on_pool!(self, pool => sqlx::query(
            "update delivery set claimed_until = $3 where delivery_id = $1 and status = 'pending' \
             and (claimed_until is null or claimed_until < $2)")
            .bind(delivery_id)
            .bind(now)
            .bind(until)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(taken == 1)
    }

    /// Pending jobs due at `now` that nobody holds, and takes them until `until`.
    pub async fn claim_due_deliveries(
        &self,
        now: i64,
        until: i64,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let due: Vec<String> = on_pool!(self, pool => sqlx::query_scalar(
            "select delivery_id from delivery where status = 'pending' and next_attempt_at <= $1 \
             and (claimed_until is null or claimed_until < $1) order by next_attempt_at limit $2")
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        let mut claimed = Vec::new();
        for id in due {
            if self.claim_delivery(&id, now, until).await? {
                let row: Option<DeliveryRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {DELIVERY_COLUMNS} from delivery where delivery_id = $1")))
                    .bind(&id)
                    .fetch_optional(pool)
                    .await)?;
                claimed.extend(row);
            }
        }
        Ok(claimed)
    }

    /// Logs one attempt at one chunk, and marks the chunk delivered on success.
    pub async fn record_attempt(&self, attempt: &NewAttempt<'_>) -> Result<(), StoreError> {
        let NewAttempt {
            delivery_id,
            chunk,
            at,
            status_code,
            latency_ms,
            error,
            delivered,
        } = *attempt;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "insert into delivery_attempt (delivery_id, chunk, at, status_code, latency_ms, error) \
                 values ($1, $2, $3, $4, $5, $6)")
                .bind(delivery_id)
                .bind(chunk)
                .bind(at)
                .bind(status_code)
                .bind(latency_ms)
                .bind(error)
                .execute(&mut *tx)
                .await?;
            if delivered {
                sqlx::query("update delivery_chunk set delivered_at = $3 where delivery_id = $1 and chunk = $2")
                    .bind(delivery_id)
                    .bind(chunk)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Ends an attempt round: the new status and schedule, one more attempt counted,
    /// and the claim released.
    pub async fn finish_round(
        &self,
        delivery_id: &str,
        result: &RoundResult,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "update delivery set status = $2, next_attempt_at = $3, last_status = $4, last_error = $5, \
             attempts = attempts + 1, claimed_until = null, updated_at = $6 where delivery_id = $1")
            .bind(delivery_id)
            .bind(result.status)
            .bind(result.next_attempt_at)
            .bind(result.last_status)
            .bind(&result.last_error)
            .bind(now)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// Puts one of the tenant's deliveries back in the queue for now (same ids, so
    /// the same `webhook-id`s); `None` when it has no such delivery.
    pub async fn retry_delivery(
        &self,
        tenant: &Tenant,
        id: &str,
        now: i64,
    ) -> Result<Option<DeliveryRow>, StoreError> {
        on_pool!(self, pool => sqlx::query(
            "update delivery set status = 'pending', next_attempt_at = $4, claimed_until = null, updated_at = $4 \
             where partner_id = $1 and mode = $2 and delivery_id = $3 and status <> 'delivered'")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .bind(now)
            .execute(pool)
            .await
            .map(drop))?;
        self.delivery(tenant, id).await
    }
}
