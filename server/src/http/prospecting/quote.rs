//! `POST /v1/prospecting/sessions/{id}/quote`: what buying a selection would cost
//! and whether the wallet allows it. Reads only: nothing is bought or counted.

use axum::extract::{Path, State};
use quarry_shared::prospecting::{Quote, Selection};
use quarry_shared::ErrorBody;

use super::selection::{own_session, token_key};
use crate::http::auth::EmbedAuth;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::AppState;
use crate::store::now_unix;
use crate::wallet::Price;

/// Prices a selection: what it would cost and whether the wallet allows it.
#[utoipa::path(post, path = "/v1/prospecting/sessions/{search_id}/quote", tag = "prospecting",
    security(("embed_token" = [])), params(("search_id" = String, Path, description = "Session id")),
    request_body = Selection,
    responses(
        (status = 200, description = "The price; nothing changes", body = Quote),
        (status = 400, description = "Invalid selection (ids outside the session are named)", body = ErrorBody),
        (status = 404, description = "No such session for this customer", body = ErrorBody),
        (status = 410, description = "The session expired; start a new search", body = ErrorBody),
        (status = 401, description = "Missing, expired or invalid embed token, or revoked embed key", body = ErrorBody),
        (status = 403, description = "The customer is suspended", body = ErrorBody),
        (status = 429, description = "Too many requests for this customer in the current minute; see retry-after", body = ErrorBody)))]
pub async fn quote_selection(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Json(selection): Json<Selection>,
) -> Result<axum::Json<Quote>, ApiError> {
    let now = now_unix();
    let session = own_session(&state, &auth, &search_id, now).await?;
    let data = state.data(auth.tenant.mode).await?;
    let ids = super::selection::resolve(&state, data, &auth, &session, &selection).await?;
    let key = token_key(&state, &auth).await?;
    let owned = state.store.owned_among(auth.customer_id(), &ids).await?;
    let net_new = ids.len() - owned.len();
    let price = Price::of(net_new, key.settings.credit_units_per_record);
    let wallet = state
        .store
        .wallet(&auth.tenant, auth.customer_id(), now)
        .await?
        .ok_or_else(|| ApiError::not_found("No such customer."))?
        .wallet;
    let verdict = wallet.plan(now, price.credit_units, price.records);
    Ok(axum::Json(Quote {
        records: ids.len() as u64,
        net_new_billable_records: net_new as u64,
        already_purchased_records: owned.len() as u64,
        credit_units: price.credit_units,
        available_credit_units: wallet.available(now),
        allowed: verdict.is_ok(),
        block_reason: verdict.err().map(|b| b.reason().to_owned()),
    }))
}
