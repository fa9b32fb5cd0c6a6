//! `GET /v1/usage`: the calling partner's successful requests and billable records
//! over an exact time range: records the data API returned and records bought in
//! the iframe (per customer, from the wallets' ledger), with their credits and
//! search sessions. Requests and data API records are counted in memory by
//! [`UsageCounter`] per second and added to the usage ledger every second (and
//! before every usage answer and at shutdown), so counting costs the partner API no
//! write per request while every figure honours the same range.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::Query;
use super::{iso8601, parse_iso8601, AppState};
use crate::partners::Tenant;
use crate::store::{now_unix, Store, StoreError, UsageCount, UsageKind};
use crate::wallet::month_containing;

/// Usage per (partner, mode, kind, unix second), not yet stored.
#[derive(Debug, Default)]
pub struct UsageCounter {
    pending: Mutex<HashMap<(String, String, UsageKind, i64), u64>>,
}

impl UsageCounter {
    fn add(&self, tenant: &Tenant, kind: UsageKind, now: i64, n: u64) {
        if n == 0 {
            return;
        }
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        *pending
            .entry((
                tenant.partner_id.clone(),
                tenant.mode.as_str().to_owned(),
                kind,
                now,
            ))
            .or_insert(0) += n;
    }

    /// Counts one successful request of `tenant` at `now`.
    pub fn count_request(&self, tenant: &Tenant, now: i64) {
        self.add(tenant, UsageKind::Request, now, 1);
    }

    /// Counts `n` records the data API returned to `tenant` at `now`.
    pub fn count_records(&self, tenant: &Tenant, now: i64, n: u64) {
        self.add(tenant, UsageKind::DataRecord, now, n);
    }

    /// Adds the pending counts to the database (put back if that fails).
    pub async fn flush(&self, store: &Store) -> Result<(), StoreError> {
        let taken: Vec<_> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.drain().collect()
        };
        if taken.is_empty() {
            return Ok(());
        }
        let rows: Vec<UsageCount> = taken
            .iter()
            .map(|((partner_id, mode, kind, at), n)| UsageCount {
                partner_id: partner_id.clone(),
                mode: mode.clone(),
                kind: *kind,
                at: *at,
                units: *n,
            })
            .collect();
        if let Err(e) = store.add_usage(&rows).await {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (k, n) in taken {
                *pending.entry(k).or_insert(0) += n;
            }
            return Err(e);
        }
        Ok(())
    }
}

/// Date range of `GET /v1/usage`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageParams {
    /// Start (RFC 3339 or YYYY-MM-DD, inclusive); default: the first of this month (UTC).
    pub from: Option<String>,
    /// End (RFC 3339 or YYYY-MM-DD, exclusive); default: now.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerUsageView {
    pub partner_customer_id: String,
    pub external_customer_id: String,
    pub billable_records: i64,
    pub credit_units: i64,
    pub search_sessions: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageView {
    pub from: String,
    pub to: String,
    /// Successful partner API requests in the range.
    pub requests: i64,
    /// Every billable record in the range: the data API's and the iframe's.
    pub billable_records: i64,
    /// Records the data API returned (persons search, lookup, company people,
    /// company search).
    pub data_api_billable_records: i64,
    /// Records customers bought in the iframe (net-new reveals).
    pub embed_billable_records: i64,
    pub credit_units: i64,
    pub search_sessions: i64,
    pub customers: Vec<CustomerUsageView>,
}

fn time_param(field: &str, value: &str) -> Result<i64, ApiError> {
    let value = value.trim();
    let parsed = if value.len() == 10 {
        parse_iso8601(&format!("{value}T00:00:00Z"))
    } else {
        parse_iso8601(value)
    };
    parsed.ok_or_else(|| {
        ApiError::field(
            ErrorCode::InvalidParameter,
            field,
            format!("{field} must be a date (2026-11-01) or an RFC 3339 time"),
        )
    })
}

/// Requests, billable records and credits of the calling partner.
#[utoipa::path(get, path = "/v1/usage", tag = "usage", security(("api_key" = [])), params(UsageParams),
    responses((status = 200, description = "Usage in the range", body = UsageView),
        (status = 400, description = "Invalid from or to", body = ErrorBody)))]
pub async fn get_usage(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<UsageParams>,
) -> Result<axum::Json<UsageView>, ApiError> {
    let tenant = auth.tenant();
    let now = now_unix();
    let from = match &params.from {
        Some(v) => time_param("from", v)?,
        None => month_containing(now).start,
    };
    let to = match &params.to {
        Some(v) => time_param("to", v)?,
        None => now + 1,
    };
    if from >= to {
        return Err(ApiError::field(
            ErrorCode::InvalidParameter,
            "to",
            "to must be after from",
        ));
    }
    if let Err(e) = state.usage.flush(&state.store).await {
        tracing::warn!(error = %e, "could not store usage counts");
    }
    let requests = state
        .store
        .usage_total(&tenant, UsageKind::Request, from, to)
        .await?;
    let data_records = state
        .store
        .usage_total(&tenant, UsageKind::DataRecord, from, to)
        .await?;
    let customers = state.store.customer_usage(&tenant, from, to).await?;
    let embed_records: i64 = customers.iter().map(|c| c.billable_records).sum();
    Ok(axum::Json(UsageView {
        from: iso8601(from),
        to: iso8601(to),
        requests,
        billable_records: data_records + embed_records,
        data_api_billable_records: data_records,
        embed_billable_records: embed_records,
        credit_units: customers.iter().map(|c| c.credit_units).sum(),
        search_sessions: customers.iter().map(|c| c.search_sessions).sum(),
        customers: customers
            .into_iter()
            .map(|c| CustomerUsageView {
                partner_customer_id: c.partner_customer_id,
                external_customer_id: c.external_customer_id,
                billable_records: c.billable_records,
                credit_units: c.credit_units,
                search_sessions: c.search_sessions,
            })
            .collect(),
    }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/usage", get(get_usage))
}
