//! `POST /v1/prospecting/sessions/{id}/quote`: what buying a selection would cost
//! and whether the wallet allows it. Reads only: nothing is bought or counted.

use axum::extract::{Path, State};
use quarry_shared::prospecting::{Quote, Selection};
use quarry_shared::{ErrorBody, ErrorCode};

use super::selection::{own_session, token_key, Cap};
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
    let resolved =
        super::selection::resolve(&state, data, &auth, &session, &selection, Cap::Report).await?;
    let ids = resolved.ids;
    let key = token_key(&state, &auth).await?;
    let owned = state.store.owned_among(auth.customer_id(), &ids).await?;
    let wallet = state
        .store
        .wallet(&auth.tenant, auth.customer_id(), now)
        .await?
        .ok_or_else(|| ApiError::not_found("No such customer."))?
        .wallet;
    let per_record = key.settings.credit_units_per_record;
    // Net-new records among the first n of the selection, for every n.
    let mut net_new_before = Vec::with_capacity(ids.len() + 1);
    net_new_before.push(0usize);
    for id in &ids {
        let last = *net_new_before.last().unwrap_or(&0);
        net_new_before.push(last + usize::from(!owned.contains(id)));
    }
    let net_new = net_new_before[ids.len()];
    let verdict_for = |n: usize| {
        let price = Price::of(net_new_before[n], per_record);
        wallet.plan(now, price.credit_units, price.records)
    };
    let price = Price::of(net_new, per_record);
    let verdict = verdict_for(ids.len());
    let fits = match (&verdict, resolved.over_cap) {
        (Ok(_), None) => ids.len(),
        // The largest first part the wallet allows: its cost only grows with n.
        _ => fits(ids.len(), |n| verdict_for(n).is_ok()),
    };
    let (records, block_reason) = match resolved.over_cap {
        Some(total) => (
            total,
            Some(ErrorCode::SelectionTooLarge.as_str().to_owned()),
        ),
        None => (
            ids.len() as u64,
            verdict.as_ref().err().map(|b| b.reason().to_owned()),
        ),
    };
    Ok(axum::Json(Quote {
        records,
        net_new_billable_records: net_new as u64,
        already_purchased_records: owned.len() as u64,
        credit_units: price.credit_units,
        available_credit_units: wallet.available(now),
        allowed: verdict.is_ok() && resolved.over_cap.is_none(),
        block_reason,
        fits_records: fits as u64,
        max_records_per_purchase: state.config.max_selection_records,
    }))
}

/// The largest `n` in `0..=len` for which `allowed(n)` holds, when it holds for
/// every `n` below some bound and for none above it (0 allowed or not, it counts).
fn fits(len: usize, allowed: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0usize, len);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if allowed(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fits_finds_the_bound(len in 0usize..2_000, bound in 0usize..2_500) {
            prop_assert_eq!(fits(len, |n| n <= bound), bound.min(len));
        }
    }
}
