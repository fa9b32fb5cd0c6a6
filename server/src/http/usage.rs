//! `GET /v1/usage`: the calling partner's successful requests and billable records
//! over a date range, with a per-customer breakdown from the wallets' ledger.
//! Requests are counted in memory by [`RequestCounter`] and added to the database
//! every few seconds (and before every usage answer), so counting costs the
//! partner API no write per request.

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
use crate::store::{now_unix, Store, StoreError};
use crate::wallet::month_containing;

/// Successful requests per (partner, mode, UTC day), not yet stored.
#[derive(Debug, Default)]
pub struct RequestCounter {
    pending: Mutex<HashMap<(String, String, i64), u64>>,
}

impl RequestCounter {
    /// Counts one successful request of `tenant` at `now`.
    pub fn count(&self, tenant: &Tenant, now: i64) {
        let day = now - now.rem_euclid(86_400);
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        *pending
            .entry((
                tenant.partner_id.clone(),
                tenant.mode.as_str().to_owned(),
                day,
            ))
            .or_insert(0) += 1;
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
        if let Err(e) = store.add_request_counts(&taken).await {
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
    /// Successful partner API requests in the range (whole UTC days).
    pub requests: i64,
    /// Records bought (net-new reveals) in the range.
    pub billable_records: i64,
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
    if let Err(e) = state.requests.flush(&state.store).await {
        tracing::warn!(error = %e, "could not store request counts");
    }
    let requests = state.store.request_count(&tenant, from, to).await?;
    let customers = state.store.customer_usage(&tenant, from, to).await?;
    Ok(axum::Json(UsageView {
        from: iso8601(from),
        to: iso8601(to),
        requests,
        billable_records: customers.iter().map(|c| c.billable_records).sum(),
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
