//! Delivery jobs: a push written with its purchase (see
//! [`super::Purchase::commit_with_delivery`]) or an event written with the state
//! change that caused it (see [`super::events`]), sent by whoever holds a [`Claim`]: a lease with a random token, taken with a
//! conditional update (so two replicas never send the same attempt) and checked
//! again by every later write of the round (renewal, each attempt, the round's
//! end), so a round that lost its claim writes nothing. Every attempt is kept for
//! the delivery log; an endpoint that answered `410 Gone` is marked so that no more
//! pushes go to it until the partner sets the URL again.

use sqlx::FromRow;

use super::partners::parse_mode;
use super::webhooks::fan_out;
use super::{on_pool, Store, StoreError};
use crate::delivery::DeliveryStatus;
use crate::partners::ids::new_id;
use crate::partners::Tenant;

/// Where a delivery goes, and so which secret signs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryTarget {
    /// A purchase's records, pushed to the customer's (or embed key's) delivery
    /// URL and signed with the embed key's webhook secret.
    Push {
        partner_customer_id: String,
        embed_key_id: String,
        purchase_id: String,
    },
    /// An event, sent to a webhook endpoint and signed with its secret.
    Endpoint { endpoint_id: String },
}

/// A delivery job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub delivery_id: String,
    pub tenant: Tenant,
    pub target: DeliveryTarget,
    /// The event it carries (`prospecting.records.pushed` for a push).
    pub event_type: String,
    pub search_id: Option<String>,
    pub url: String,
    pub status: DeliveryStatus,
    pub chunks: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    /// Someone holds it until then.
    pub claimed_until: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct DeliveryRecord {
    delivery_id: String,
    partner_id: String,
    mode: String,
    partner_customer_id: Option<String>,
    embed_key_id: Option<String>,
    purchase_id: Option<String>,
    endpoint_id: Option<String>,
    event_type: String,
    search_id: Option<String>,
    url: String,
    status: String,
    chunks: i64,
    attempts: i64,
    next_attempt_at: Option<i64>,
    claimed_until: Option<i64>,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl DeliveryRecord {
    fn into_row(self) -> Result<DeliveryRow, StoreError> {
        let target = match (
            self.endpoint_id,
            self.partner_customer_id,
            self.embed_key_id,
            self.purchase_id,
        ) {
            (Some(endpoint_id), ..) => DeliveryTarget::Endpoint { endpoint_id },
            (None, Some(partner_customer_id), Some(embed_key_id), Some(purchase_id)) => {
                DeliveryTarget::Push {
                    partner_customer_id,
                    embed_key_id,
                    purchase_id,
                }
            }
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "delivery {} has neither an endpoint nor a purchase",
                    self.delivery_id
                )))
            }
        };
        Ok(DeliveryRow {
            target,
            event_type: self.event_type,
            tenant: Tenant {
                partner_id: self.partner_id,
                mode: parse_mode(&self.mode)?,
            },
            status: DeliveryStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery status {:?}", self.status)))?,
            delivery_id: self.delivery_id,
            search_id: self.search_id,
            url: self.url,
            chunks: self.chunks,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            claimed_until: self.claimed_until,
            last_status: self.last_status,
            last_error: self.last_error,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The right to send one round of a delivery, until the lease runs out or the
/// token is replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub delivery: DeliveryRow,
    token: String,
}

impl Claim {
    /// A fresh token for a new claim.
    pub(super) fn new_token() -> String {
        new_id("claim")
    }

    pub(super) fn new(delivery: DeliveryRow, token: String) -> Claim {
        Claim { delivery, token }
    }
}

/// Which deliveries a log page shows (every field optional).
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveryFilter<'a> {
    pub customer: Option<&'a str>,
    pub status: Option<DeliveryStatus>,
    pub endpoint: Option<&'a str>,
    pub event_type: Option<&'a str>,
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
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

/// What else a round's end writes (see [`Store::finish_round_with`]).
#[derive(Debug, Clone)]
pub struct RoundEffects {
    /// An endpoint failing every attempt for longer than this is disabled.
    pub disable_after_secs: i64,
    /// An event the round's end causes (a push's `delivery.failed`).
    pub event: Option<crate::delivery::events::Event>,
}

impl Default for RoundEffects {
    fn default() -> RoundEffects {
        RoundEffects {
            disable_after_secs: crate::delivery::DISABLE_FAILING_ENDPOINT_SECS,
            event: None,
        }
    }
}

/// What asking for a replay found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// Claimed for a round now.
    Claimed(Claim),
    /// Already delivered, and not forced: nothing to do.
    Delivered(DeliveryRow),
    /// Another round holds it right now.
    InProgress(DeliveryRow),
    /// Forced, but delivered chunk bodies were purged after the retention period.
    Purged(DeliveryRow),
}

pub(super) const DELIVERY_COLUMNS: &str = "delivery_id, partner_id, mode, partner_customer_id, embed_key_id, \
    purchase_id, endpoint_id, event_type, search_id, url, status, chunks, attempts, next_attempt_at, claimed_until, last_status, \
    last_error, created_at, updated_at";

/// Clears the `410 Gone` mark of `$url` (an `Option<&str>`) for `$tenant` inside
/// an open transaction `$tx`.
macro_rules! clear_gone {
    ($tx:expr, $tenant:expr, $url:expr) => {
        if let Some(url) = $url {
            sqlx::query(
                "delete from gone_endpoint where partner_id = $1 and mode = $2 and url = $3",
            )
            .bind(&$tenant.partner_id)
            .bind($tenant.mode.as_str())
            .bind(url)
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(super) use clear_gone;

/// Inserts the delivery `$row` (a [`DeliveryRow`]) claimed with `$token` (an
/// `Option<&str>`: none leaves it to the worker) and its chunk `$bodies` (`&[String]`)
/// inside an open transaction `$t` (a `&mut Transaction`).
macro_rules! insert_delivery {
    ($t:expr, $row:expr, $token:expr, $bodies:expr) => {{
        let row: &$crate::store::DeliveryRow = $row;
        let (customer, key, purchase, endpoint) = match &row.target {
            $crate::store::DeliveryTarget::Push {
                partner_customer_id,
                embed_key_id,
                purchase_id,
            } => (
                Some(partner_customer_id.as_str()),
                Some(embed_key_id.as_str()),
                Some(purchase_id.as_str()),
                None,
            ),
            $crate::store::DeliveryTarget::Endpoint { endpoint_id } => {
                (None, None, None, Some(endpoint_id.as_str()))
            }
        };
        sqlx::query(
            "insert into delivery (delivery_id, partner_id, mode, partner_customer_id, embed_key_id, \
             purchase_id, endpoint_id, event_type, search_id, url, status, chunks, attempts, next_attempt_at, \
             claimed_until, claim_token, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16, $16)",
        )
        .bind(&row.delivery_id)
        .bind(&row.tenant.partner_id)
        .bind(row.tenant.mode.as_str())
        .bind(customer)
        .bind(key)
        .bind(purchase)
        .bind(endpoint)
        .bind(&row.event_type)
        .bind(&row.search_id)
        .bind(&row.url)
        .bind(row.status.as_str())
        .bind(row.chunks)
        .bind(row.next_attempt_at)
        .bind(row.claimed_until)
        .bind($token)
        .bind(row.created_at)
        .execute(&mut *$t)
        .await?;
        for (i, body) in $bodies.iter().enumerate() {
            sqlx::query("insert into delivery_chunk (delivery_id, chunk, body) values ($1, $2, $3)")
                .bind(&row.delivery_id)
                .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
                .bind(body)
                .execute(&mut *$t)
                .await?;
        }
    }};
}
pub(super) use insert_delivery;

impl Store {
    /// One of the tenant's deliveries.
    pub async fn delivery(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<DeliveryRow>, StoreError> {
        let row: Option<DeliveryRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {DELIVERY_COLUMNS} from delivery where partner_id = $1 and mode = $2 and delivery_id = $3")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.map(DeliveryRecord::into_row).transpose()
    }

    /// A page of the tenant's deliveries, newest first, narrowed by `filter`.
    pub async fn deliveries(
        &self,
        tenant: &Tenant,
        filter: &DeliveryFilter<'_>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let rows: Vec<DeliveryRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {DELIVERY_COLUMNS} from delivery where partner_id = $1 and mode = $2 \
             and ($3 is null or partner_customer_id = $3) and ($4 is null or status = $4) \
             and ($5 is null or endpoint_id = $5) and ($6 is null or event_type = $6) \
             and ($7 is null or delivery_id < $7) order by delivery_id desc limit $8")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(filter.customer)
            .bind(filter.status.map(DeliveryStatus::as_str))
            .bind(filter.endpoint)
            .bind(filter.event_type)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(DeliveryRecord::into_row).collect()
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

    /// Claims a pending delivery nobody holds, for a lease from `now`.
    pub async fn claim_delivery(
        &self,
        delivery_id: &str,
        now: i64,
    ) -> Result<Option<Claim>, StoreError> {
        let token = Claim::new_token();
        let row: Option<DeliveryRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "update delivery set claim_token = $2, claimed_until = $3 where delivery_id = $1 \
             and status = 'pending' and (claimed_until is null or claimed_until < $4) \
             returning {DELIVERY_COLUMNS}")))
            .bind(delivery_id)
            .bind(&token)
            .bind(now + self.delivery_lease_secs)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(row
            .map(DeliveryRecord::into_row)
            .transpose()?
            .map(|delivery| Claim::new(delivery, token)))
    }

    /// Claims up to `limit` pending deliveries due at `now` that nobody holds.
    pub async fn claim_due_deliveries(
        &self,
        now: i64,
        limit: u32,
    ) -> Result<Vec<Claim>, StoreError> {
        let due: Vec<String> = on_pool!(self, pool => sqlx::query_scalar(
            "select delivery_id from delivery d where status = 'pending' and next_attempt_at <= $1 \
             and (claimed_until is null or claimed_until < $1) \
             and (endpoint_id is null or exists (select 1 from webhook_endpoint e \
                  where e.endpoint_id = d.endpoint_id and e.status = 'active')) \
             order by next_attempt_at limit $2")
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        let mut claimed = Vec::new();
        for id in due {
            claimed.extend(self.claim_delivery(&id, now).await?);
        }
        Ok(claimed)
    }

    /// Extends `claim`'s lease from `now`; `false` when it is no longer held.
    pub async fn renew_claim(&self, claim: &Claim, now: i64) -> Result<bool, StoreError> {
        let renewed = on_pool!(self, pool => sqlx::query(
            "update delivery set claimed_until = $3 where delivery_id = $1 and claim_token = $2")
            .bind(&claim.delivery.delivery_id)
            .bind(&claim.token)
            .bind(now + self.delivery_lease_secs)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(renewed == 1)
    }

    /// Logs one attempt at one chunk, and marks the chunk delivered on success;
    /// `false` (and nothing written) when `claim` is no longer held.
    pub async fn record_attempt(
        &self,
        claim: &Claim,
        attempt: &NewAttempt<'_>,
    ) -> Result<bool, StoreError> {
        let id = &claim.delivery.delivery_id;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let held = sqlx::query(
                "update delivery set updated_at = $3 where delivery_id = $1 and claim_token = $2")
                .bind(id)
                .bind(&claim.token)
                .bind(attempt.at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if held != 1 {
                return Ok(false);
            }
            sqlx::query(
                "insert into delivery_attempt (delivery_id, chunk, at, status_code, latency_ms, error) \
                 values ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(attempt.chunk)
                .bind(attempt.at)
                .bind(attempt.status_code)
                .bind(attempt.latency_ms)
                .bind(attempt.error)
                .execute(&mut *tx)
                .await?;
            if attempt.delivered {
                sqlx::query("update delivery_chunk set delivered_at = $3 where delivery_id = $1 and chunk = $2")
                    .bind(id)
                    .bind(attempt.chunk)
                    .bind(attempt.at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Ends `claim`'s round with no more than that: see [`Store::finish_round_with`].
    pub async fn finish_round(
        &self,
        claim: &Claim,
        result: &RoundResult,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.finish_round_with(claim, result, now, &RoundEffects::default())
            .await
    }

    /// Ends `claim`'s round: the new status and schedule, one more attempt
    /// counted, the claim released, and in the same transaction what follows
    /// from it: a push's `410 Gone` URL marked; an endpoint's failure record
    /// kept (and the endpoint disabled once it failed for longer than
    /// `effects.disable_after_secs`, or at once after a 410); `effects.event`
    /// fanned out. `false` (and nothing written) when the claim is no longer held.
    pub async fn finish_round_with(
        &self,
        claim: &Claim,
        result: &RoundResult,
        now: i64,
        effects: &RoundEffects,
    ) -> Result<bool, StoreError> {
        let d = &claim.delivery;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "update delivery set status = $3, next_attempt_at = $4, last_status = $5, last_error = $6, \
                 attempts = attempts + 1, claimed_until = null, claim_token = null, updated_at = $7 \
                 where delivery_id = $1 and claim_token = $2")
                .bind(&d.delivery_id)
                .bind(&claim.token)
                .bind(result.status.as_str())
                .bind(result.next_attempt_at)
                .bind(result.last_status)
                .bind(&result.last_error)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done != 1 {
                return Ok(false);
            }
            if let DeliveryTarget::Endpoint { endpoint_id } = &d.target {
                if result.status == DeliveryStatus::Delivered {
                    sqlx::query("update webhook_endpoint set failing_since = null where endpoint_id = $1")
                        .bind(endpoint_id)
                        .execute(&mut *tx)
                        .await?;
                } else {
                    sqlx::query(
                        "update webhook_endpoint set failing_since = coalesce(failing_since, $2) where endpoint_id = $1")
                        .bind(endpoint_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let gone = result.status == DeliveryStatus::Gone;
                    sqlx::query(
                        "update webhook_endpoint set status = 'disabled', disabled_reason = $3, updated_at = $2 \
                         where endpoint_id = $1 and status = 'active' and ($4 or failing_since <= $2 - $5)")
                        .bind(endpoint_id)
                        .bind(now)
                        .bind(if gone { "gone" } else { "failing" })
                        .bind(gone)
                        .bind(effects.disable_after_secs)
                        .execute(&mut *tx)
                        .await?;
                }
            } else if result.status == DeliveryStatus::Gone {
                sqlx::query(
                    "insert into gone_endpoint (partner_id, mode, url, delivery_id, marked_at) \
                     values ($1, $2, $3, $4, $5) on conflict (partner_id, mode, url) do nothing")
                    .bind(&d.tenant.partner_id)
                    .bind(d.tenant.mode.as_str())
                    .bind(&d.url)
                    .bind(&d.delivery_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(event) = &effects.event {
                fan_out!(tx, &d.tenant, event, now);
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Whether the tenant's delivery URL `url` answered `410 Gone` and was not
    /// set again since.
    pub async fn is_gone(&self, tenant: &Tenant, url: &str) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "select count(*) from gone_endpoint where partner_id = $1 and mode = $2 and url = $3")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(url)
            .fetch_one(pool)
            .await)?;
        Ok(n > 0)
    }

    /// Claims one of the tenant's deliveries for a replay now (same ids, so the
    /// same `webhook-id`s): the chunks not accepted yet, or every chunk when
    /// `force`d. `None` when it has no such delivery.
    ///
    /// The claim is one conditional update (not held by anyone; delivered only
    /// when forced), so a round finishing meanwhile is never reset; a forced replay
    /// re-opens only chunks whose bodies are still kept, and rolls back when the
    /// purge took any of them.
    pub async fn replay_delivery(
        &self,
        tenant: &Tenant,
        id: &str,
        force: bool,
        now: i64,
    ) -> Result<Option<Replay>, StoreError> {
        let token = Claim::new_token();
        let claimed = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<DeliveryRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "update delivery set status = 'pending', next_attempt_at = $4, claim_token = $5, \
                 claimed_until = $6, updated_at = $4 where partner_id = $1 and mode = $2 and delivery_id = $3 \
                 and (claimed_until is null or claimed_until < $4) and ($7 or status <> 'delivered') \
                 returning {DELIVERY_COLUMNS}")))
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .bind(id)
                .bind(now)
                .bind(&token)
                .bind(now + self.delivery_lease_secs)
                .bind(force)
                .fetch_optional(&mut *tx)
                .await?;
            let mut complete = true;
            if let (Some(row), true) = (&row, force) {
                let reopened = sqlx::query(
                    "update delivery_chunk set delivered_at = null \
                     where delivery_id = $1 and body_purged_at is null")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                complete = i64::try_from(reopened).is_ok_and(|n| n == row.chunks);
            }
            if complete {
                tx.commit().await?;
            }
            // Otherwise dropped: rolled back, nothing changes.
            (row, complete)
        });
        match claimed {
            (Some(row), true) => Ok(Some(Replay::Claimed(Claim::new(row.into_row()?, token)))),
            // Why not: read once the transaction is over.
            (_, complete) => Ok(self.delivery(tenant, id).await?.map(|current| {
                if !complete {
                    Replay::Purged(current)
                } else if current.claimed_until.is_some_and(|until| until >= now) {
                    Replay::InProgress(current)
                } else {
                    Replay::Delivered(current)
                }
            })),
        }
    }

    /// Empties the bodies of chunks delivered before `before` (their attempts stay
    /// in the log); returns how many.
    pub async fn purge_delivered_bodies(&self, before: i64, now: i64) -> Result<u64, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query(
            "update delivery_chunk set body = '', body_purged_at = $2 \
             where delivered_at is not null and delivered_at < $1 and body_purged_at is null")
            .bind(before)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
