//! `/v1/deliveries`: the partner's delivery log (every attempt with its status,
//! latency and error) and replay. A replay re-sends the chunks not yet accepted
//! with the same `webhook-id`s, so receivers can drop duplicates; on a delivered
//! delivery it is a no-op unless `force`d (then every chunk again, same ids). A
//! replay never takes over a round that is being sent: it answers
//! `409 delivery_in_progress`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::{page_limit, parse_json, require_json, Query};
use super::partner_customers::ListPagination;
use super::{iso8601, AppState};
use crate::delivery::events::EventType;
use crate::delivery::payload::EVENT_RECORDS_PUSHED;
use crate::delivery::worker::webhook_id;
use crate::delivery::{first_round_wait, DeliveryStatus};
use crate::partners::keys::Scope;
use crate::search::people::cursor_error;
use crate::store::{now_unix, AttemptRow, DeliveryFilter, DeliveryRow, DeliveryTarget, Replay};

/// One attempt at one chunk.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub chunk: i64,
    pub webhook_id: String,
    pub at: String,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// A delivery with its attempts: a push (with its customer and purchase) or an
/// event sent to a webhook endpoint (with the endpoint).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: String,
    /// `prospecting.records.pushed` for a push, else the event type.
    pub event_type: String,
    /// The customer whose purchase a push carries (null for events).
    pub partner_customer_id: Option<String>,
    pub search_id: Option<String>,
    /// The purchase a push carries (null for events).
    pub purchase_id: Option<String>,
    /// The webhook endpoint an event goes to (null for pushes).
    pub endpoint_id: Option<String>,
    pub url: String,
    /// `pending`, `delivered`, `failed` (retries exhausted) or `gone` (410).
    pub status: DeliveryStatus,
    pub chunks: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub attempt_log: Vec<AttemptView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    pub data: Vec<DeliveryView>,
    pub pagination: ListPagination,
}

/// Filters and paging of `GET /v1/deliveries`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryParams {
    /// Only this customer's deliveries.
    pub partner_customer_id: Option<String>,
    /// Only deliveries in this status.
    #[param(value_type = Option<DeliveryStatus>)]
    pub status: Option<String>,
    /// Only events sent to this webhook endpoint.
    pub endpoint_id: Option<String>,
    /// Only this event type (`prospecting.records.pushed` for pushes).
    #[param(value_type = Option<crate::delivery::events::DeliveryEvent>)]
    pub event_type: Option<String>,
    /// Page size, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

fn view(d: DeliveryRow, attempts: &[AttemptRow]) -> DeliveryView {
    DeliveryView {
        attempt_log: attempts
            .iter()
            .filter(|a| a.delivery_id == d.delivery_id)
            .map(|a| AttemptView {
                chunk: a.chunk,
                webhook_id: webhook_id(&d.delivery_id, a.chunk),
                at: iso8601(a.at),
                status_code: a.status_code,
                latency_ms: a.latency_ms,
                error: a.error.clone(),
            })
            .collect(),
        partner_customer_id: match &d.target {
            DeliveryTarget::Push {
                partner_customer_id,
                ..
            } => Some(partner_customer_id.clone()),
            DeliveryTarget::Endpoint { .. } => None,
        },
        purchase_id: match &d.target {
            DeliveryTarget::Push { purchase_id, .. } => Some(purchase_id.clone()),
            DeliveryTarget::Endpoint { .. } => None,
        },
        endpoint_id: match &d.target {
            DeliveryTarget::Endpoint { endpoint_id } => Some(endpoint_id.clone()),
            DeliveryTarget::Push { .. } => None,
        },
        id: d.delivery_id,
        event_type: d.event_type,
        search_id: d.search_id,
        url: d.url,
        status: d.status,
        chunks: d.chunks,
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at.map(iso8601),
        last_status: d.last_status,
        last_error: d.last_error,
        created_at: iso8601(d.created_at),
        updated_at: iso8601(d.updated_at),
    }
}

/// The delivery log, newest first.
#[utoipa::path(get, path = "/v1/deliveries", tag = "deliveries", security(("api_key" = [])),
    params(DeliveryParams),
    responses((status = 200, description = "A page of deliveries with their attempts", body = DeliveryList),
        (status = 400, description = "Invalid filter, limit or cursor", body = ErrorBody)))]
pub async fn list_deliveries(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<DeliveryParams>,
) -> Result<axum::Json<DeliveryList>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let limit = page_limit("limit", params.limit, 50, 100)?;
    let status = params
        .status
        .as_deref()
        .map(|s| {
            DeliveryStatus::parse(s).ok_or_else(|| {
                ApiError::field(
                    ErrorCode::InvalidParameter,
                    "status",
                    "status is one of pending, delivered, failed, gone",
                )
            })
        })
        .transpose()?;
    let event_type = params
        .event_type
        .map(|name| {
            let known = name == EVENT_RECORDS_PUSHED || EventType::parse(&name).is_some();
            if known {
                Ok(name)
            } else {
                Err(ApiError::field(
                    ErrorCode::InvalidParameter,
                    "event_type",
                    format!(
                        "event_type is one of {EVENT_RECORDS_PUSHED}, {}",
                        EventType::ALL.map(EventType::as_str).join(", ")
                    ),
                ))
            }
        })
        .transpose()?;
    let list = format!("deliveries:{}:{}", tenant.partner_id, tenant.mode.as_str());
    let before = params
        .cursor
        .as_deref()
        .map(|c| state.cursors.decode_list(&list, c).map_err(cursor_error))
        .transpose()?;
    let mut rows = state
        .store
        .deliveries(
            &tenant,
            &DeliveryFilter {
                customer: params.partner_customer_id.as_deref(),
                status,
                endpoint: params.endpoint_id.as_deref(),
                event_type: event_type.as_deref(),
            },
            before.as_deref(),
            limit + 1,
        )
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(state.cursors.encode_list(&list, &last.delivery_id)),
        _ => None,
    };
    let ids: Vec<String> = rows.iter().map(|d| d.delivery_id.clone()).collect();
    let attempts = state.store.delivery_attempts(&ids).await?;
    Ok(axum::Json(DeliveryList {
        data: rows.into_iter().map(|d| view(d, &attempts)).collect(),
        pagination: ListPagination { limit, next_cursor },
    }))
}

/// One delivery with its attempts.
#[utoipa::path(get, path = "/v1/deliveries/{delivery_id}", tag = "deliveries", security(("api_key" = [])),
    params(("delivery_id" = String, Path, description = "Delivery id")),
    responses((status = 200, description = "The delivery with its attempts", body = DeliveryView),
        (status = 404, description = "No such delivery for this partner and mode", body = ErrorBody)))]
pub async fn get_delivery(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<DeliveryView>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let row = state
        .store
        .delivery(&tenant, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("No delivery with this id."))?;
    let attempts = state
        .store
        .delivery_attempts(std::slice::from_ref(&row.delivery_id))
        .await?;
    Ok(axum::Json(view(row, &attempts)))
}

/// `POST /v1/deliveries/{id}/retry`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryDelivery {
    /// Send every chunk again even when the delivery was delivered (same
    /// `webhook-id`s, so receivers that keep them drop the copies).
    #[serde(default)]
    pub force: bool,
}

/// What a replay did, with the delivery as it stands after it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RetryResult {
    /// Whether a round was sent.
    pub retried: bool,
    /// What happened, for people.
    pub message: String,
    #[serde(flatten)]
    pub delivery: DeliveryView,
}

/// Sends a delivery again now (the chunks not accepted yet, same `webhook-id`s),
/// or every chunk of a delivered one with `force`.
#[utoipa::path(post, path = "/v1/deliveries/{delivery_id}/retry", tag = "deliveries", security(("api_key" = [])),
    params(("delivery_id" = String, Path, description = "Delivery id")),
    request_body(content = Option<RetryDelivery>, description = "Optional: `{\"force\": true}` to send a delivered delivery again"),
    responses((status = 200, description = "The delivery after the new round, or unchanged when it was delivered (retried: false)", body = RetryResult),
        (status = 400, description = "Invalid body", body = ErrorBody),
        (status = 404, description = "No such delivery for this partner and mode", body = ErrorBody),
        (status = 409, description = "A round of this delivery is being sent right now, or its webhook endpoint is disabled or deleted", body = ErrorBody),
        (status = 410, description = "Forced, but the delivered chunks' bodies were purged", body = ErrorBody)))]
pub async fn retry_delivery(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<RetryResult>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    // The body is optional: none means a plain replay.
    let force = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        require_json(&headers)?;
        parse_json::<RetryDelivery>(&body)?.force
    };
    let now = now_unix();
    let not_found = || ApiError::not_found("No delivery with this id.");
    // An event is sent again only to an endpoint that takes it.
    if let Some(DeliveryTarget::Endpoint { endpoint_id }) =
        state.store.delivery(&tenant, &id).await?.map(|d| d.target)
    {
        let live = state
            .store
            .webhook_endpoint(&tenant, &endpoint_id)
            .await?
            .is_some_and(|e| e.disabled.is_none());
        if !live {
            return Err(ApiError::new(
                ErrorCode::WebhookEndpointDisabled,
                "The delivery's webhook endpoint is disabled or was deleted; enable it to send it again.",
            ));
        }
    }
    let replay = state
        .store
        .replay_delivery(&tenant, &id, force, now)
        .await?
        .ok_or_else(not_found)?;
    let (retried, message, unchanged) = match replay {
        Replay::Claimed(claim) => {
            let wait = first_round_wait(state.config.request_timeout_secs, state.config.push_wait_secs);
            let progress = state.deliverer.deliver(claim, wait).await;
            let message = match progress.status {
                DeliveryStatus::Delivered => "Sent again; the partner accepted every chunk.",
                DeliveryStatus::Pending if progress.last_error.is_none() && progress.last_status.is_none() => {
                    "Sending; the partner has not answered yet."
                }
                DeliveryStatus::Pending => "Sent again; it failed and will be retried on the schedule.",
                DeliveryStatus::Failed => "Sent again; it failed and no retries are left.",
                DeliveryStatus::Gone => "Sent again; the endpoint answered 410 Gone.",
            };
            (true, message, None)
        }
        Replay::Delivered(row) => (
            false,
            "Already delivered; nothing was sent. Send {\"force\": true} to deliver every chunk again.",
            Some(row),
        ),
        Replay::InProgress(_) => {
            return Err(ApiError::new(
                ErrorCode::DeliveryInProgress,
                "A round of this delivery is being sent right now; look at it again shortly.",
            ))
        }
        Replay::Purged(_) => {
            return Err(ApiError::new(
                ErrorCode::DeliveryBodiesPurged,
                "The delivered chunks of this delivery were purged after the retention period; they cannot be sent again.",
            ))
        }
    };
    // A round just ran: read where it left the delivery.
    let row = match unchanged {
        Some(row) => row,
        None => state
            .store
            .delivery(&tenant, &id)
            .await?
            .ok_or_else(not_found)?,
    };
    let attempts = state
        .store
        .delivery_attempts(std::slice::from_ref(&row.delivery_id))
        .await?;
    Ok(axum::Json(RetryResult {
        retried,
        message: message.to_owned(),
        delivery: view(row, &attempts),
    }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/deliveries", get(list_deliveries))
        .route("/v1/deliveries/{delivery_id}", get(get_delivery))
        .route("/v1/deliveries/{delivery_id}/retry", post(retry_delivery))
}
