//! `POST /v1/prospecting/sessions/{id}/push`: buys the selection and delivers the
//! full records to the partner. Read top to bottom: who buys and where it goes,
//! which people, the purchase begun (a refusal stops here, before any record is
//! read), the records read and cut into chunk bodies, the delivery added, the
//! commit, and the claim handed to the deliverer. The request waits for the first
//! round only for a bounded time well inside the request timeout; a slow partner
//! gets the rest from the deliverer, and the answer (and any idempotent replay of
//! it) is the committed purchase with its delivery id.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quarry_shared::prospecting::{PushResult, Selection};
use quarry_shared::{ErrorBody, ErrorCode};
use serde_json::json;

use super::selection::{resolve, touch_after_commit, Buyer};
use crate::delivery::first_round_wait;
use crate::delivery::payload::{self, PushEnvelope};
use crate::http::auth::EmbedAuth;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::AppState;
use crate::partners::embed_keys::ResultAction;
use crate::partners::ids::new_sorted_id;
use crate::store::{now_unix, NewDelivery};

/// Buys the selection and pushes the full records to the partner.
#[utoipa::path(post, path = "/v1/prospecting/sessions/{search_id}/push", tag = "prospecting",
    security(("embed_token" = [])), params(("search_id" = String, Path, description = "Session id")),
    request_body = Selection,
    responses(
        (status = 200, description = "Bought; delivered now, still on its way (`delivery_state: pending`) or queued for retries", body = PushResult),
        (status = 400, description = "Invalid selection", body = ErrorBody),
        (status = 402, description = "The wallet cannot cover the net-new records; nothing was bought", body = ErrorBody),
        (status = 403, description = "No delivery endpoint is configured, or the customer is suspended", body = ErrorBody),
        (status = 404, description = "No such session for this customer", body = ErrorBody),
        (status = 409, description = "The delivery endpoint answered 410 Gone; nothing is bought until its URL is set again", body = ErrorBody),
        (status = 410, description = "The session expired; start a new search", body = ErrorBody)))]
pub async fn push_selection(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Json(selection): Json<Selection>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let buyer = Buyer::load(&state, &auth, &search_id, ResultAction::PushEndpoint, now).await?;
    let url = buyer.effective.result_delivery_url.clone().ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("push allowed without a delivery URL"))
    })?;
    if state.store.is_gone(&auth.tenant, &url).await? {
        return Err(ApiError::new(
            ErrorCode::DeliveryEndpointGone,
            "The app's delivery endpoint answered 410 Gone; nothing was bought. Its administrator must set the delivery URL again.",
        ));
    }
    let data = state.data(auth.tenant.mode).await?;
    let ids = resolve(&state, data, &auth, &buyer.session, &selection).await?;
    if ids.is_empty() {
        return Err(ApiError::field(
            ErrorCode::InvalidBody,
            "body.selection_mode",
            "This selection names nobody: there is nothing to buy.",
        ));
    }

    let mut purchase = buyer.begin_purchase(&state, &auth, &ids, now).await?;

    // The records, read on the purchase's own transaction, in selection order.
    let mut records = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(payload::CHUNK_RECORDS) {
        let people = data.purchase_records(&mut purchase, chunk).await?;
        records.extend(
            people
                .into_iter()
                .map(|(id, person)| payload::record(id, person)),
        );
    }
    let delivery_id = new_sorted_id("dlv");
    let bodies = payload::chunk_bodies(
        &PushEnvelope {
            delivery_id: &delivery_id,
            search_id: &buyer.session.search_id,
            partner_customer_id: &buyer.customer.partner_customer_id,
            external_customer_id: &buyer.customer.external_customer_id,
            partner_user_id: auth.claims.uid.as_deref(),
            selection: &selection,
            net_new_billable_records: purchase.net_new().len(),
            already_purchased_records: purchase.already_owned().len(),
        },
        &records,
    );
    purchase
        .add_delivery(NewDelivery {
            delivery_id: delivery_id.clone(),
            url,
            embed_key_id: buyer.key.embed_key_id.clone(),
            bodies,
        })
        .await?;
    let bought = purchase.commit().await?;
    // Committed: nothing after this may turn the answer into an error.
    touch_after_commit(&state, &buyer.session.search_id, now).await;

    let wait = first_round_wait(
        state.config.request_timeout_secs,
        state.config.push_wait_secs,
    );
    let progress = match bought.claim {
        Some(claim) => state.deliverer.deliver(claim, wait).await,
        // A purchase commits its delivery claimed; should it not have, the
        // worker sends it on its schedule and the answer still stands.
        None => {
            tracing::error!(delivery_id = %delivery_id, "committed delivery came back unclaimed");
            crate::delivery::worker::Progress::running()
        }
    };

    let mut headers = HeaderMap::new();
    if let Some(left) = bought.wallet.wallet.available(now) {
        if let Ok(value) = HeaderValue::from_str(&left.to_string()) {
            headers.insert("x-credits-remaining", value);
        }
    }
    let answer = PushResult {
        delivered: progress.status == crate::delivery::DeliveryStatus::Delivered,
        delivery_state: progress.status,
        delivery_status: progress.last_status,
        delivery_error: progress.last_error,
        delivery_id,
        search_id: buyer.session.search_id,
        partner_customer_id: buyer.customer.partner_customer_id,
        selection: json!({"mode": selection.selection_mode, "prospect_ids": selection.prospect_ids}),
        pushed_records: records.len(),
        net_new_billable_records: bought.net_new.len(),
        already_purchased_records: bought.already_owned.len(),
    };
    Ok((StatusCode::OK, headers, axum::Json(answer)).into_response())
}
