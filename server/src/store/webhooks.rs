//! Webhook endpoints and the events sent to them. An event is fanned out inside
//! the transaction of the state change that caused it ([`fan_out!`]): one
//! delivery per active endpoint subscribed to it, each a one-chunk job the
//! delivery worker sends like a push. An endpoint's failures are tracked by the
//! rounds that send to it ([`super::deliveries`]); deleting it ends its pending
//! deliveries in the same transaction, and re-enabling it makes them due again.

use sqlx::FromRow;

use super::partners::parse_mode;
use super::{on_pool, Store, StoreError};
use crate::delivery::events::Subscription;
use crate::partners::Tenant;

/// Why an endpoint receives nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabledReason {
    /// The partner disabled it.
    Manual,
    /// Every attempt failed for longer than the limit.
    Failing,
    /// It answered `410 Gone`.
    Gone,
}

impl DisabledReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DisabledReason::Manual => "manual",
            DisabledReason::Failing => "failing",
            DisabledReason::Gone => "gone",
        }
    }

    fn parse(value: &str) -> Option<DisabledReason> {
        [
            DisabledReason::Manual,
            DisabledReason::Failing,
            DisabledReason::Gone,
        ]
        .into_iter()
        .find(|r| r.as_str() == value)
    }
}

/// A webhook endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub endpoint_id: String,
    pub tenant: Tenant,
    pub url: String,
    pub description: Option<String>,
    pub events: Subscription,
    /// `None` while active.
    pub disabled: Option<DisabledReason>,
    secret: String,
    previous_secret: Option<String>,
    pub previous_secret_until: Option<i64>,
    /// The first failed attempt since the last success.
    pub failing_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("endpoint_id", &self.endpoint_id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

impl WebhookEndpoint {
    /// The secrets its messages are signed with at `now`: the current one, and
    /// the previous one while a rotation's overlap lasts.
    pub fn secrets(&self, now: i64) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if self.previous_secret_until.is_some_and(|until| now < until) {
            secrets.extend(self.previous_secret.as_deref());
        }
        secrets
    }
}

#[derive(FromRow)]
pub(super) struct EndpointRecord {
    endpoint_id: String,
    partner_id: String,
    mode: String,
    url: String,
    description: Option<String>,
    events: String,
    status: String,
    disabled_reason: Option<String>,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_until: Option<i64>,
    failing_since: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

pub(super) const ENDPOINT_COLUMNS: &str = "endpoint_id, partner_id, mode, url, description, events, status, \
    disabled_reason, secret, previous_secret, previous_secret_until, failing_since, created_at, updated_at";

impl EndpointRecord {
    pub(super) fn into_endpoint(self) -> Result<WebhookEndpoint, StoreError> {
        let names: Vec<String> = serde_json::from_str(&self.events)
            .map_err(|e| StoreError::Corrupt(format!("endpoint events: {e}")))?;
        let events = Subscription::from_stored(&names);
        let disabled = match (self.status.as_str(), self.disabled_reason.as_deref()) {
            ("active", _) => None,
            ("disabled", reason) => Some(
                reason
                    .and_then(DisabledReason::parse)
                    .unwrap_or(DisabledReason::Manual),
            ),
            (other, _) => {
                return Err(StoreError::Corrupt(format!("endpoint status {other:?}")));
            }
        };
        Ok(WebhookEndpoint {
            endpoint_id: self.endpoint_id,
            tenant: Tenant {
                partner_id: self.partner_id,
                mode: parse_mode(&self.mode)?,
            },
            url: self.url,
            description: self.description,
            events,
            disabled,
            secret: self.secret,
            previous_secret: self.previous_secret,
            previous_secret_until: self.previous_secret_until,
            failing_since: self.failing_since,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A new endpoint.
#[derive(Debug, Clone)]
pub struct NewEndpoint<'a> {
    pub endpoint_id: &'a str,
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub events: &'a Subscription,
    pub secret: &'a str,
}

/// A change to an endpoint (absent fields stay).
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub events: Option<Subscription>,
    pub disabled: Option<bool>,
}

/// Why an endpoint could not be created.
#[derive(Debug)]
pub enum CreateRefusal {
    /// The tenant has this many endpoints already.
    TooMany(u32),
}

fn events_json(events: &Subscription) -> String {
    serde_json::to_string(&events.names()).unwrap_or_else(|_| "[\"*\"]".to_owned())
}

/// Fans the event `$event` (a [`crate::delivery::events::Event`]) out to the
/// active endpoints of `$tenant` subscribed to it, inside an open transaction
/// `$t` (a `Transaction`), due at `$now`: one delivery each. Evaluates to how
/// many deliveries were written.
macro_rules! fan_out {
    ($t:expr, $tenant:expr, $event:expr, $now:expr) => {{
        let tenant: &$crate::partners::Tenant = $tenant;
        let event: &$crate::delivery::events::Event = $event;
        let now: i64 = $now;
        let records: Vec<$crate::store::webhooks::EndpointRecord> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "select {} from webhook_endpoint where partner_id = $1 and mode = $2 \
                 and status = 'active' order by endpoint_id",
                $crate::store::webhooks::ENDPOINT_COLUMNS
            )))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .fetch_all(&mut *$t)
            .await?;
        let mut written = 0usize;
        for record in records {
            // One unreadable row must not hold up the change this event is part of.
            let endpoint = match record.into_endpoint() {
                Ok(endpoint) => endpoint,
                Err(e) => {
                    tracing::error!(error = %e, "skipping an unreadable webhook endpoint");
                    continue;
                }
            };
            if !endpoint.events.includes(event.event_type) {
                continue;
            }
            let row = $crate::store::DeliveryRow {
                delivery_id: $crate::partners::ids::new_sorted_id("dlv"),
                tenant: tenant.clone(),
                target: $crate::store::DeliveryTarget::Endpoint {
                    endpoint_id: endpoint.endpoint_id.clone(),
                },
                event_type: event.event_type.as_str().to_owned(),
                search_id: None,
                url: endpoint.url.clone(),
                status: $crate::delivery::DeliveryStatus::Pending,
                chunks: 1,
                attempts: 0,
                next_attempt_at: Some(now),
                claimed_until: None,
                last_status: None,
                last_error: None,
                created_at: now,
                updated_at: now,
            };
            let bodies = [event.body.clone()];
            $crate::store::deliveries::insert_delivery!($t, &row, None::<&str>, &bodies);
            written += 1;
        }
        written
    }};
}
pub(crate) use fan_out;

impl Store {
    /// Creates an endpoint unless the tenant has `max` already.
    pub async fn create_webhook_endpoint(
        &self,
        tenant: &Tenant,
        new: &NewEndpoint<'_>,
        max: u32,
        now: i64,
    ) -> Result<Result<WebhookEndpoint, CreateRefusal>, StoreError> {
        // Creators of one tenant queue here (SQLite: the write lock), so the
        // count below holds until the insert commits.
        let (mut tx, _queued) = self.begin_write().await?;
        if let super::Tx::Postgres(t) = &mut tx {
            sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!(
                    "webhook_endpoints:{}:{}",
                    tenant.partner_id,
                    tenant.mode.as_str()
                ))
                .execute(&mut **t)
                .await?;
        }
        let created = super::on_tx!(&mut tx, t => {
            let count: i64 = sqlx::query_scalar(
                "select count(*) from webhook_endpoint where partner_id = $1 and mode = $2")
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .fetch_one(&mut **t)
                .await?;
            if count >= i64::from(max) {
                None
            } else {
                let record: EndpointRecord = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "insert into webhook_endpoint (endpoint_id, partner_id, mode, url, description, events, \
                     status, secret, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $8) \
                     returning {ENDPOINT_COLUMNS}")))
                    .bind(new.endpoint_id)
                    .bind(&tenant.partner_id)
                    .bind(tenant.mode.as_str())
                    .bind(new.url)
                    .bind(new.description)
                    .bind(events_json(new.events))
                    .bind(new.secret)
                    .bind(now)
                    .fetch_one(&mut **t)
                    .await?;
                Some(record)
            }
        });
        match created {
            None => Ok(Err(CreateRefusal::TooMany(max))),
            Some(record) => {
                tx.commit().await?;
                Ok(Ok(record.into_endpoint()?))
            }
        }
    }

    /// Fans `event` out to the tenant's subscribed endpoints on its own, for a
    /// producer with no state change of its own to commit it with; returns how
    /// many deliveries were written.
    pub async fn publish_event(
        &self,
        tenant: &Tenant,
        event: &crate::delivery::events::Event,
        now: i64,
    ) -> Result<usize, StoreError> {
        let (mut tx, _queued) = self.begin_write().await?;
        let written = super::on_tx!(&mut tx, t => fan_out!(*t, tenant, event, now));
        tx.commit().await?;
        Ok(written)
    }

    /// One of the tenant's endpoints.
    pub async fn webhook_endpoint(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let record: Option<EndpointRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {ENDPOINT_COLUMNS} from webhook_endpoint where partner_id = $1 and mode = $2 and endpoint_id = $3")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        record.map(EndpointRecord::into_endpoint).transpose()
    }

    /// The endpoint a delivery goes to, whoever's it is (the worker's view).
    pub async fn webhook_endpoint_by_id(
        &self,
        id: &str,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let record: Option<EndpointRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {ENDPOINT_COLUMNS} from webhook_endpoint where endpoint_id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        record.map(EndpointRecord::into_endpoint).transpose()
    }

    /// A page of the tenant's endpoints, oldest first, after the id `after`.
    pub async fn webhook_endpoints(
        &self,
        tenant: &Tenant,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let records: Vec<EndpointRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {ENDPOINT_COLUMNS} from webhook_endpoint where partner_id = $1 and mode = $2 \
             and ($3 is null or endpoint_id > $3) order by endpoint_id limit $4")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        records
            .into_iter()
            .map(EndpointRecord::into_endpoint)
            .collect()
    }

    /// Applies `change` in one statement over the row as it is (a round may
    /// have just disabled it or cleared its failures): only the fields sent
    /// change. Enabling a disabled endpoint clears its failure record and makes
    /// its pending deliveries due now; a new URL starts a new failure record and
    /// takes the pending deliveries along. `None` when the tenant has no such
    /// endpoint.
    pub async fn update_webhook_endpoint(
        &self,
        tenant: &Tenant,
        id: &str,
        change: &EndpointChange,
        now: i64,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let events = change.events.as_ref().map(events_json);
        let record: Option<EndpointRecord> = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let record: Option<EndpointRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "update webhook_endpoint set \
                 url = coalesce($4, url), \
                 description = case when $5 then $6 else description end, \
                 events = coalesce($7, events), \
                 status = case when $8 is null then status when $8 then 'disabled' else 'active' end, \
                 disabled_reason = case when $8 is null then disabled_reason \
                     when $8 then coalesce(disabled_reason, 'manual') else null end, \
                 failing_since = case when ($8 is not null and not $8 and status = 'disabled') \
                     or ($4 is not null and $4 <> url) then null else failing_since end, \
                 updated_at = $9 \
                 where partner_id = $1 and mode = $2 and endpoint_id = $3 returning {ENDPOINT_COLUMNS}")))
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .bind(id)
                .bind(change.url.as_deref())
                .bind(change.description.is_some())
                .bind(change.description.clone().flatten())
                .bind(events.as_deref())
                .bind(change.disabled)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(record) = &record {
                sqlx::query(
                    "update delivery set url = $2, \
                     next_attempt_at = case when $3 then $4 else next_attempt_at end, updated_at = $4 \
                     where endpoint_id = $1 and status = 'pending'")
                    .bind(id)
                    .bind(&record.url)
                    .bind(change.disabled == Some(false))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            record
        });
        record.map(EndpointRecord::into_endpoint).transpose()
    }

    /// Replaces the signing secret; the previous one keeps signing until `until`.
    pub async fn rotate_endpoint_secret(
        &self,
        tenant: &Tenant,
        id: &str,
        secret: &str,
        until: i64,
        now: i64,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let record: Option<EndpointRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "update webhook_endpoint set previous_secret = secret, previous_secret_until = $5, secret = $4, \
             updated_at = $6 where partner_id = $1 and mode = $2 and endpoint_id = $3 returning {ENDPOINT_COLUMNS}")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .bind(secret)
            .bind(until)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        record.map(EndpointRecord::into_endpoint).transpose()
    }

    /// Deletes an endpoint; its pending deliveries end `failed` (their log
    /// stays). `false` when the tenant has no such endpoint.
    pub async fn delete_webhook_endpoint(
        &self,
        tenant: &Tenant,
        id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let deleted = sqlx::query(
                "delete from webhook_endpoint where partner_id = $1 and mode = $2 and endpoint_id = $3")
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if deleted == 1 {
                // A round in flight loses its claim, so it cannot put one back.
                sqlx::query(
                    "update delivery set status = 'failed', next_attempt_at = null, claim_token = null, \
                     claimed_until = null, last_error = 'the webhook endpoint was deleted', updated_at = $2 \
                     where endpoint_id = $1 and status = 'pending'")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok(deleted == 1)
        })
    }
}
