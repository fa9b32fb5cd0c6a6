//! Wallets: the partner's view (`/v1/partner-customers/{id}/wallet`, credits and
//! the ledger) and the embed customer's own (`/v1/prospecting/wallet`). Both render
//! the reference wallet shape from [`crate::wallet::WalletState::summary`] over
//! stored grants and ledger, so the two can never disagree, with the result actions
//! that apply to the customer (its settings merged over its key's).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::{EmbedAuth, PartnerAuth};
use super::effective::SettingsLookup;
use super::error::ApiError;
use super::extract::{Json, Query};
use super::partner_customers::{ListPagination, ListParams};
use super::{iso8601, parse_iso8601, AppState};
use crate::partners::embed_keys::ResultAction;
use crate::partners::keys::Scope;
use crate::partners::Tenant;
use crate::search::cursor::CursorError;
use crate::search::people::cursor_error;
use crate::store::{now_unix, CustomerWallet, LedgerRow};
use crate::wallet::{validate_grant, EntryKind, Grant};
pub use quarry_shared::wallet::{WalletObject, WalletView};

/// A credit grant as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: String,
    pub partner_customer_id: String,
    pub credit_units_granted: i64,
    pub credit_type: Option<String>,
    pub starts_at: String,
    pub expires_at: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
}

/// The answer to a grant: the grant and the updated wallet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantCreated {
    pub credit_grant: GrantView,
    #[serde(flatten)]
    pub wallet: WalletView,
}

/// `POST /v1/partner-customers/{id}/wallet/credits`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGrant {
    /// Positive number of credit units.
    pub credit_units: i64,
    /// A label such as `prepaid` or `partner`.
    pub credit_type: Option<String>,
    /// RFC 3339 time the grant becomes spendable (default now).
    pub starts_at: Option<String>,
    /// RFC 3339 time the grant stops being spendable; after `starts_at`.
    pub expires_at: Option<String>,
    /// Internal note.
    pub note: Option<String>,
}

/// One ledger entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerEntryView {
    pub id: i64,
    pub at: String,
    pub kind: EntryKind,
    pub credit_units: i64,
    pub grant_id: Option<String>,
    pub user_id: Option<String>,
    pub reference: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerList {
    pub data: Vec<LedgerEntryView>,
    pub pagination: ListPagination,
}

/// Renders a wallet at `now`; `key` is the embed key whose result settings apply
/// (else the one the customer falls back on).
pub async fn wallet_view(
    state: &AppState,
    tenant: &Tenant,
    wallet: CustomerWallet,
    key_id: Option<&str>,
    now: i64,
) -> Result<WalletView, ApiError> {
    let CustomerWallet { customer, wallet } = wallet;
    let effective = SettingsLookup::new(state, tenant)
        .effective(&customer, key_id)
        .await?;
    let summary = wallet.summary(now);
    let allowed: Vec<ResultAction> = effective.actions.iter().map(|(a, _)| *a).collect();
    let labels: BTreeMap<ResultAction, String> = effective.actions.into_iter().collect();
    let s = &customer.settings;
    Ok(WalletView {
        partner_customer_id: customer.partner_customer_id,
        external_customer_id: customer.external_customer_id,
        status: s.status,
        allowed_result_actions: allowed.clone(),
        result_action_labels: labels.clone(),
        wallet: WalletObject {
            summary,
            allowed_result_actions: allowed,
            result_action_labels: labels,
        },
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("No partner customer with this id.")
}

/// A customer's wallet: balance, grants, usage, limits and `limit_state`.
#[utoipa::path(get, path = "/v1/partner-customers/{partner_customer_id}/wallet", tag = "wallets",
    security(("api_key" = [])), params(("partner_customer_id" = String, Path, description = "Partner customer id")),
    responses((status = 200, description = "The wallet", body = WalletView),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody)))]
pub async fn get_customer_wallet(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<WalletView>, ApiError> {
    let tenant = auth.require(Scope::Wallets)?;
    let now = now_unix();
    let wallet = state
        .store
        .wallet(&tenant, &id, now)
        .await?
        .ok_or_else(not_found)?;
    Ok(axum::Json(
        wallet_view(&state, &tenant, wallet, None, now).await?,
    ))
}

fn time_field(field: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|v| {
            parse_iso8601(v).ok_or_else(|| {
                ApiError::field(
                    ErrorCode::InvalidBody,
                    format!("body.{field}"),
                    format!("{field} must be an RFC 3339 time such as 2026-12-01T00:00:00Z"),
                )
            })
        })
        .transpose()
}

fn short_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::field(
            ErrorCode::InvalidBody,
            format!("body.{field}"),
            format!("{field} is at most {max} characters"),
        )),
        other => Ok(other.filter(|v| !v.trim().is_empty())),
    }
}

/// Grants credits to a customer's wallet.
#[utoipa::path(post, path = "/v1/partner-customers/{partner_customer_id}/wallet/credits", tag = "wallets",
    security(("api_key" = [])), params(("partner_customer_id" = String, Path, description = "Partner customer id")),
    request_body = CreateGrant,
    responses((status = 201, description = "The grant and the updated wallet", body = GrantCreated),
        (status = 400, description = "Invalid body (the field is named)", body = ErrorBody),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody)))]
pub async fn create_wallet_credits(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<CreateGrant>,
) -> Result<(StatusCode, axum::Json<GrantCreated>), ApiError> {
    let tenant = auth.require(Scope::Wallets)?;
    let now = now_unix();
    let starts_at = time_field("starts_at", body.starts_at.as_deref())?.unwrap_or(now);
    let expires_at = time_field("expires_at", body.expires_at.as_deref())?;
    validate_grant(body.credit_units, starts_at, expires_at).map_err(|e| {
        ApiError::field(
            ErrorCode::InvalidBody,
            format!("body.{}", e.field()),
            e.to_string(),
        )
    })?;
    let credit_type = short_text("credit_type", body.credit_type, 64)?;
    let note = short_text("note", body.note, 500)?;
    let grant = Grant {
        id: String::new(),
        units: body.credit_units,
        credit_type,
        starts_at,
        expires_at,
        created_at: now,
    };
    let grant = state
        .store
        .add_grant(&tenant, &id, &grant, note.as_deref())
        .await?
        .ok_or_else(not_found)?;
    let wallet = state
        .store
        .wallet(&tenant, &id, now)
        .await?
        .ok_or_else(not_found)?;
    let view = wallet_view(&state, &tenant, wallet, None, now).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(GrantCreated {
            credit_grant: GrantView {
                id: grant.id,
                partner_customer_id: id,
                credit_units_granted: grant.units,
                credit_type: grant.credit_type,
                starts_at: iso8601(grant.starts_at),
                expires_at: grant.expires_at.map(iso8601),
                note,
                created_at: iso8601(grant.created_at),
            },
            wallet: view,
        }),
    ))
}

/// A customer's ledger, oldest first.
#[utoipa::path(get, path = "/v1/partner-customers/{partner_customer_id}/wallet/ledger", tag = "wallets",
    security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id"), ListParams),
    responses((status = 200, description = "A page of ledger entries", body = LedgerList),
        (status = 400, description = "Invalid limit or cursor", body = ErrorBody),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody)))]
pub async fn get_wallet_ledger(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<axum::Json<LedgerList>, ApiError> {
    let tenant = auth.require(Scope::Wallets)?;
    let limit = params.limit()?;
    let list = format!("ledger:{id}");
    let after = match &params.cursor {
        None => None,
        Some(cursor) => Some(
            state
                .cursors
                .decode_list(&list, cursor)
                .map_err(cursor_error)?
                .parse::<i64>()
                .map_err(|_| cursor_error(CursorError::Invalid))?,
        ),
    };
    let mut rows = state
        .store
        .ledger(&tenant, &id, after, limit + 1)
        .await?
        .ok_or_else(not_found)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(state.cursors.encode_list(&list, &last.entry_id.to_string())),
        _ => None,
    };
    Ok(axum::Json(LedgerList {
        data: rows
            .into_iter()
            .map(|r: LedgerRow| LedgerEntryView {
                id: r.entry_id,
                at: iso8601(r.at),
                kind: r.kind,
                credit_units: r.units,
                grant_id: r.grant_id,
                user_id: r.user_id,
                reference: r.reference,
            })
            .collect(),
        pagination: ListPagination { limit, next_cursor },
    }))
}

/// The embed token's own customer wallet.
#[utoipa::path(get, path = "/v1/prospecting/wallet", tag = "prospecting",
    security(("embed_token" = [])),
    responses((status = 200, description = "The customer's wallet", body = WalletView),
        (status = 401, description = "Missing, expired or invalid embed token, or revoked embed key", body = ErrorBody),
        (status = 403, description = "The customer is suspended", body = ErrorBody),
        (status = 429, description = "Too many requests for this customer in the current minute; see retry-after", body = ErrorBody)))]
pub async fn get_prospecting_wallet(
    auth: EmbedAuth,
    State(state): State<AppState>,
) -> Result<axum::Json<WalletView>, ApiError> {
    let now = now_unix();
    let wallet = state
        .store
        .wallet(&auth.tenant, auth.customer_id(), now)
        .await?
        .ok_or_else(not_found)?;
    Ok(axum::Json(
        wallet_view(&state, &auth.tenant, wallet, Some(&auth.claims.ekid), now).await?,
    ))
}

/// Routes behind the partner key.
pub fn partner_router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/partner-customers/{partner_customer_id}/wallet",
            get(get_customer_wallet),
        )
        .route(
            "/v1/partner-customers/{partner_customer_id}/wallet/credits",
            post(create_wallet_credits),
        )
        .route(
            "/v1/partner-customers/{partner_customer_id}/wallet/ledger",
            get(get_wallet_ledger),
        )
}

/// Routes behind the embed token.
pub fn embed_router() -> Router<AppState> {
    Router::new().route("/v1/prospecting/wallet", get(get_prospecting_wallet))
}
