//! `POST /v1/prospecting/sessions/{id}/push`: buys the selection and delivers the
//! full records to the partner. The purchase and the delivery job (its chunk
//! bodies included) commit together; the request then tries once at once and
//! answers with what the partner said; failures are retried by the worker.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use quarry_shared::prospecting::{PushResult, Selection, SelectionMode};
use quarry_shared::ErrorBody;
use serde_json::{json, Value};

use super::buy::{credits_remaining, prepare_purchase, resolve, Purchase};
use super::refusal;
use crate::http::auth::EmbedAuth;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::persons::people_json_with_ids;
use crate::http::AppState;
use crate::partners::embed_keys::ResultAction;
use crate::partners::ids::new_sorted_id;
use crate::prospecting::prospect_id;
use crate::store::{now_unix, BuyRequest, DeliveryJob};

/// Records per delivery request.
pub const CHUNK_RECORDS: usize = 1_000;

/// Buys the selection and pushes the full records to the partner.
#[utoipa::path(post, path = "/v1/prospecting/sessions/{search_id}/push", tag = "prospecting",
    security(("embed_token" = [])), params(("search_id" = String, Path, description = "Session id")),
    request_body = Selection,
    responses(
        (status = 200, description = "Bought; delivered now or queued for retries", body = PushResult),
        (status = 400, description = "Invalid selection", body = ErrorBody),
        (status = 402, description = "The wallet cannot cover the net-new records; nothing was bought", body = ErrorBody),
        (status = 403, description = "No delivery endpoint is configured, or the customer is suspended", body = ErrorBody),
        (status = 404, description = "No such session for this customer", body = ErrorBody)))]
pub async fn push_selection(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Json(selection): Json<Selection>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let Purchase {
        session,
        key,
        customer,
    } = prepare_purchase(&state, &auth, &search_id, ResultAction::PushEndpoint, now).await?;
    // The action is only allowed when one of the two is set.
    let url = customer
        .settings
        .result_delivery_url
        .clone()
        .or_else(|| key.settings.result_delivery_url.clone())
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("push allowed without a delivery URL"))
        })?;
    let ids = resolve(&state, &auth, &session, &selection).await?;

    // The full records, read before the purchase so the job can be written with it.
    let mut records: Vec<(u32, Value)> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK_RECORDS) {
        let rows = state.store.people_by_ids(chunk).await?;
        for (id, person) in people_json_with_ids(&state, rows).await? {
            let mut value = serde_json::to_value(person).unwrap_or(Value::Null);
            if let Some(object) = value.as_object_mut() {
                object.insert("prospect_id".into(), Value::String(prospect_id::encode(id)));
                object.insert("reveal_state".into(), Value::String("purchased".into()));
            }
            records.push((id, value));
        }
    }
    let selection_json = json!({
        "mode": selection.selection_mode,
        "prospect_ids": match selection.selection_mode {
            SelectionMode::AllResults => Value::Null,
            _ => json!(selection.prospect_ids),
        },
        "filters": selection.applied_filters.clone().unwrap_or_default(),
        "total_records": records.len(),
    });
    let delivery_id = new_sorted_id("dlv");
    let total = records.len();
    let chunks = total.div_ceil(CHUNK_RECORDS).max(1);
    let envelope = json!({
        "event": "prospecting.records.pushed",
        "delivery_id": delivery_id,
        "search_id": session.search_id,
        "partner_customer_id": customer.partner_customer_id,
        "external_customer_id": customer.external_customer_id,
        "partner_user_id": auth.claims.uid,
        "selection": selection_json,
        "pushed_records": total,
        "chunks": chunks,
    });
    let bodies = |net_new: &[u32], owned: &[u32]| -> Vec<String> {
        let mut out = Vec::with_capacity(chunks);
        let mut parts: Vec<&[(u32, Value)]> = records.chunks(CHUNK_RECORDS).collect();
        if parts.is_empty() {
            parts.push(&[]);
        }
        for (i, part) in parts.into_iter().enumerate() {
            let mut body = envelope.clone();
            if let Some(object) = body.as_object_mut() {
                object.insert("chunk".into(), json!(i + 1));
                object.insert("net_new_billable_records".into(), json!(net_new.len()));
                object.insert("already_purchased_records".into(), json!(owned.len()));
                object.insert(
                    "data".into(),
                    Value::Array(part.iter().map(|(_, v)| v.clone()).collect()),
                );
            }
            out.push(body.to_string());
        }
        out
    };
    let bought = state
        .store
        .buy(
            &auth.tenant,
            auth.customer_id(),
            BuyRequest {
                people: &ids,
                units_per_record: key.settings.credit_units_per_record,
                user_id: auth.claims.uid.as_deref(),
                search_id: Some(&session.search_id),
                delivery: Some(DeliveryJob {
                    delivery_id: &delivery_id,
                    url: &url,
                    embed_key_id: &key.embed_key_id,
                    bodies: &bodies,
                    // The request holds the job while it tries at once.
                    claimed_until: now
                        + i64::try_from(state.config.delivery_timeout_secs).unwrap_or(15) * 2
                        + 30,
                }),
            },
            now,
        )
        .await?
        .map_err(refusal)?;
    state.store.touch_session(&session.search_id, now).await?;

    let job = state
        .store
        .delivery(&auth.tenant, &delivery_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("delivery {delivery_id} vanished")))?;
    let (delivered, delivery_status) = match state.deliverer.run_round(&job).await {
        Ok(outcome) => (outcome.delivered, outcome.last_status),
        Err(e) => {
            // The job is durable: the worker sends it once the claim lapses.
            tracing::error!(%delivery_id, error = %e, "immediate delivery attempt failed");
            (false, None)
        }
    };

    let mut headers = HeaderMap::new();
    if let Some(left) = credits_remaining(&bought, now) {
        headers.insert("x-credits-remaining", left);
    }
    let answer = PushResult {
        delivered,
        delivery_status,
        delivery_id,
        search_id: session.search_id,
        partner_customer_id: customer.partner_customer_id,
        selection: selection_json_short(&selection),
        pushed_records: total,
        net_new_billable_records: bought.net_new.len(),
        already_purchased_records: bought.already_owned.len(),
    };
    Ok((StatusCode::OK, headers, axum::Json(answer)).into_response())
}

fn selection_json_short(selection: &Selection) -> Value {
    json!({"mode": selection.selection_mode, "prospect_ids": selection.prospect_ids})
}
