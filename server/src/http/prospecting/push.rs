//! `POST /v1/prospecting/sessions/{id}/push`: buys the selection and delivers the
//! full records to the partner. Read top to bottom: who buys and where it goes,
//! which people, the purchase begun (a refusal stops here, before any record is
//! read), the records read and cut into chunk bodies, the delivery added, the
//! commit, and the claim handed to the deliverer. The request waits for the first
//! round only for a bounded time well inside the request timeout; a slow partner
//! gets the rest from the deliverer, and the answer (and any idempotent replay of
//! it) is the committed purchase with its delivery id.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use quarry_shared::prospecting::{PushResult, PushedSelection, Selection};
use quarry_shared::{ErrorBody, ErrorCode};

use super::selection::{insert_credits_remaining, touch_after_commit, Buyer};
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
        (status = 410, description = "The session expired, or some of its records changed since it ran; nothing was bought; start a new search", body = ErrorBody),
        (status = 401, description = "Missing, expired or invalid embed token, or revoked embed key", body = ErrorBody),
        (status = 429, description = "Too many requests for this customer in the current minute; see retry-after", body = ErrorBody)))]
pub async fn push_selection(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Json(selection): Json<Selection>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let buyer = Buyer::load(&state, &auth, &search_id, ResultAction::PushEndpoint, now).await?;
    let data = state.data(auth.tenant.mode).await?;
    let ids = buyer.people(&state, data, &auth, &selection).await?;
    let url = buyer.push_url()?;

    let mut purchase = buyer.begin_purchase(&state, &auth, &ids, now).await?;

    // The records, read on the purchase's own transaction, in selection order.
    let mut records = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(payload::CHUNK_RECORDS) {
        let people = data
            .purchase_records(&mut purchase, chunk)
            .await?
            .map_err(|gone| {
                tracing::warn!(asked = gone.asked, found = gone.found, "push names records no longer stored");
                ApiError::new(
                    ErrorCode::SessionExpired,
                    "Some records of this search changed since it ran; nothing was bought. Start a new search.",
                )
            })?;
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
    )
    .map_err(|e| ApiError::Internal(e.into()))?;
    let (bought, claim) = purchase
        .commit_with_delivery(
            NewDelivery {
                delivery_id: delivery_id.clone(),
                url,
                embed_key_id: buyer.key.embed_key_id.clone(),
                bodies,
            },
            now_unix(),
        )
        .await?;
    // Committed: nothing after this may turn the answer into an error.
    touch_after_commit(&state, &buyer.session.search_id, now).await;

    let wait = first_round_wait(
        state.config.request_timeout_secs,
        state.config.push_wait_secs,
    );
    let progress = state.deliverer.deliver(claim, wait).await;

    let mut headers = HeaderMap::new();
    insert_credits_remaining(&mut headers, &bought, now);
    let answer = PushResult {
        delivered: progress.status == crate::delivery::DeliveryStatus::Delivered,
        delivery_state: progress.status,
        delivery_status: progress.last_status,
        delivery_error: progress.last_error,
        delivery_id,
        search_id: buyer.session.search_id,
        partner_customer_id: buyer.customer.partner_customer_id,
        selection: PushedSelection::of(&selection, records.len()),
        pushed_records: records.len(),
        net_new_billable_records: bought.net_new.len(),
        already_purchased_records: bought.already_owned.len(),
    };
    Ok((StatusCode::OK, headers, axum::Json(answer)).into_response())
}
