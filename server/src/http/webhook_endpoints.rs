//! `/v1/webhooks/endpoints`: where a partner hears about events (PRODUCT.md §7).
//! An endpoint has a URL held to the delivery rules (https, public addresses,
//! no redirects; `--dev` relaxes), the events it subscribes to (`["*"]` by
//! default) and a Standard Webhooks secret shown once; rotating it keeps the old
//! one signing beside the new for a day. Events are sent by the delivery engine
//! and appear in `GET /v1/deliveries`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::{page_limit, Query};
use super::partner_customers::ListPagination;
use super::{iso8601, AppState};
use crate::delivery::events::{SubscribedEvent, Subscription};
use crate::delivery::sender::check_url;
use crate::delivery::signing;
use crate::partners::ids::new_sorted_id;
use crate::partners::keys::Scope;
use crate::partners::patch::double_option;
use crate::search::people::cursor_error;
use crate::store::{
    now_unix, CreateRefusal, DisabledReason, EndpointChange, NewEndpoint, WebhookEndpoint,
};

/// Longest description.
const MAX_DESCRIPTION_CHARS: usize = 500;
/// How long the previous secret keeps signing after a rotation.
const ROTATION_OVERLAP_SECS: i64 = 86_400;

/// Whether an endpoint receives events.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    Active,
    Disabled,
}

/// A webhook endpoint.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    /// Subscribed event types, or `["*"]` for all.
    #[schema(value_type = Vec<SubscribedEvent>)]
    pub events: Vec<String>,
    pub status: EndpointStatus,
    /// Why it is disabled: `manual` (you), `failing` (every attempt failed for
    /// 5 days) or `gone` (it answered 410).
    pub disabled_reason: Option<DisabledReason>,
    /// The first failed attempt since the last success.
    pub failing_since: Option<String>,
    /// While a rotation's overlap lasts, messages carry the old secret's signature too.
    pub previous_secret_valid_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<WebhookEndpoint> for EndpointView {
    fn from(e: WebhookEndpoint) -> EndpointView {
        let now = now_unix();
        EndpointView {
            id: e.endpoint_id,
            url: e.url,
            description: e.description,
            events: e.events.names(),
            status: match e.disabled {
                None => EndpointStatus::Active,
                Some(_) => EndpointStatus::Disabled,
            },
            disabled_reason: e.disabled,
            failing_since: e.failing_since.map(iso8601),
            previous_secret_valid_until: e
                .previous_secret_until
                .filter(|until| *until > now)
                .map(iso8601),
            created_at: iso8601(e.created_at),
            updated_at: iso8601(e.updated_at),
        }
    }
}

/// A new endpoint with its secret, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedEndpoint {
    #[serde(flatten)]
    pub endpoint: EndpointView,
    /// `whsec_…`: verify every message's `webhook-signature` with it.
    pub signing_secret: String,
}

/// `POST /v1/webhooks/endpoints`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    /// HTTPS URL on a public address; redirects are not followed.
    pub url: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Event types, or `["*"]` (the default) for all.
    #[schema(value_type = Option<Vec<SubscribedEvent>>, min_items = 1)]
    pub events: Option<Vec<String>>,
}

/// `PATCH /v1/webhooks/endpoints/{id}`: absent fields stay.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpoint {
    pub url: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<Vec<SubscribedEvent>>, min_items = 1)]
    pub events: Option<Vec<String>>,
    /// `true` stops deliveries; `false` resumes them (pending ones are sent now).
    pub disabled: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EndpointList {
    pub data: Vec<EndpointView>,
    pub pagination: ListPagination,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeletedEndpoint {
    pub id: String,
    pub deleted: bool,
}

/// A new secret, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedSecret {
    pub signing_secret: String,
    /// Until then messages are signed with the old secret too.
    pub previous_secret_valid_until: String,
    pub endpoint: EndpointView,
}

/// Paging of `GET /v1/webhooks/endpoints`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EndpointListParams {
    /// Page size, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

fn body_error(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidBody, format!("body.{field}"), message)
}

fn valid_url(state: &AppState, url: &str) -> Result<String, ApiError> {
    let url = url.trim();
    check_url(url, state.config.dev).map_err(|why| body_error("url", format!("url: {why}")))?;
    Ok(url.to_owned())
}

fn valid_description(description: Option<String>) -> Result<Option<String>, ApiError> {
    let description = description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        return Err(body_error(
            "description",
            format!("description is longer than {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(description)
}

fn valid_events(events: Option<Vec<String>>) -> Result<Option<Subscription>, ApiError> {
    events
        .map(|names| Subscription::parse(&names).map_err(|why| body_error("events", why)))
        .transpose()
}

fn not_found() -> ApiError {
    ApiError::not_found("No webhook endpoint with this id.")
}

/// Registers an endpoint; its signing secret is in this answer only.
#[utoipa::path(post, path = "/v1/webhooks/endpoints", tag = "webhooks", security(("api_key" = [])),
    request_body = CreateEndpoint,
    responses((status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 201, description = "The endpoint with its signing secret (shown once)", body = CreatedEndpoint),
        (status = 400, description = "Invalid URL, description or events", body = ErrorBody),
        (status = 422, description = "The partner has as many endpoints as allowed", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody)))]
pub async fn create_endpoint(
    auth: PartnerAuth,
    State(state): State<AppState>,
    super::extract::Json(body): super::extract::Json<CreateEndpoint>,
) -> Result<(StatusCode, Json<CreatedEndpoint>), ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let url = valid_url(&state, &body.url)?;
    let description = valid_description(body.description)?;
    let events = valid_events(body.events)?.unwrap_or(Subscription::All);
    let secret = signing::new_secret();
    let id = new_sorted_id("we");
    let created = state
        .store
        .create_webhook_endpoint(
            &tenant,
            &NewEndpoint {
                endpoint_id: &id,
                url: &url,
                description: description.as_deref(),
                events: &events,
                secret: &secret,
            },
            state.config.max_webhook_endpoints,
            now_unix(),
        )
        .await?;
    match created {
        Ok(endpoint) => Ok((
            StatusCode::CREATED,
            Json(CreatedEndpoint {
                endpoint: endpoint.into(),
                signing_secret: secret,
            }),
        )),
        Err(CreateRefusal::TooMany(max)) => Err(ApiError::new(
            ErrorCode::WebhookEndpointLimit,
            format!("A partner may have {max} webhook endpoints; delete one first."),
        )),
    }
}

/// The partner's endpoints, oldest first.
#[utoipa::path(get, path = "/v1/webhooks/endpoints", tag = "webhooks", security(("api_key" = [])),
    params(EndpointListParams),
    responses((status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 200, description = "A page of endpoints", body = EndpointList),
        (status = 400, description = "Invalid limit or cursor", body = ErrorBody)))]
pub async fn list_endpoints(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<EndpointListParams>,
) -> Result<Json<EndpointList>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let limit = page_limit("limit", params.limit, 50, 100)?;
    let list = format!(
        "webhook_endpoints:{}:{}",
        tenant.partner_id,
        tenant.mode.as_str()
    );
    let after = params
        .cursor
        .as_deref()
        .map(|c| state.cursors.decode_list(&list, c).map_err(cursor_error))
        .transpose()?;
    let mut rows = state
        .store
        .webhook_endpoints(&tenant, after.as_deref(), limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(state.cursors.encode_list(&list, &last.endpoint_id)),
        _ => None,
    };
    Ok(Json(EndpointList {
        data: rows.into_iter().map(EndpointView::from).collect(),
        pagination: ListPagination { limit, next_cursor },
    }))
}

/// One endpoint.
#[utoipa::path(get, path = "/v1/webhooks/endpoints/{endpoint_id}", tag = "webhooks", security(("api_key" = [])),
    params(("endpoint_id" = String, Path, description = "Endpoint id")),
    responses((status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 200, description = "The endpoint", body = EndpointView),
        (status = 404, description = "No such endpoint for this partner and mode", body = ErrorBody)))]
pub async fn get_endpoint(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<EndpointView>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let endpoint = state
        .store
        .webhook_endpoint(&tenant, &id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(endpoint.into()))
}

/// Changes an endpoint's URL, description, events, or whether it is disabled.
#[utoipa::path(patch, path = "/v1/webhooks/endpoints/{endpoint_id}", tag = "webhooks", security(("api_key" = [])),
    params(("endpoint_id" = String, Path, description = "Endpoint id")),
    request_body = UpdateEndpoint,
    responses((status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 200, description = "The endpoint after the change", body = EndpointView),
        (status = 400, description = "Invalid URL, description or events", body = ErrorBody),
        (status = 404, description = "No such endpoint for this partner and mode", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody)))]
pub async fn update_endpoint(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    super::extract::Json(body): super::extract::Json<UpdateEndpoint>,
) -> Result<Json<EndpointView>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let change = EndpointChange {
        url: body
            .url
            .as_deref()
            .map(|u| valid_url(&state, u))
            .transpose()?,
        description: body.description.map(valid_description).transpose()?,
        events: valid_events(body.events)?,
        disabled: body.disabled,
    };
    let endpoint = state
        .store
        .update_webhook_endpoint(&tenant, &id, &change, now_unix())
        .await?
        .ok_or_else(not_found)?;
    if change.disabled == Some(false) {
        state.deliverer.wake();
    }
    Ok(Json(endpoint.into()))
}

/// Deletes an endpoint; its pending deliveries end `failed` (the log keeps them).
#[utoipa::path(delete, path = "/v1/webhooks/endpoints/{endpoint_id}", tag = "webhooks", security(("api_key" = [])),
    params(("endpoint_id" = String, Path, description = "Endpoint id")),
    responses((status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 200, description = "Deleted", body = DeletedEndpoint),
        (status = 404, description = "No such endpoint for this partner and mode", body = ErrorBody)))]
pub async fn delete_endpoint(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DeletedEndpoint>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    if !state
        .store
        .delete_webhook_endpoint(&tenant, &id, now_unix())
        .await?
    {
        return Err(not_found());
    }
    Ok(Json(DeletedEndpoint { id, deleted: true }))
}

/// A new signing secret, shown once; for a day messages carry both signatures,
/// so the receiver can switch without dropping one.
#[utoipa::path(post, path = "/v1/webhooks/endpoints/{endpoint_id}/secret/rotate", tag = "webhooks", security(("api_key" = [])),
    params(("endpoint_id" = String, Path, description = "Endpoint id")),
    responses((status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 200, description = "The new secret, shown once", body = RotatedSecret),
        (status = 404, description = "No such endpoint for this partner and mode", body = ErrorBody)))]
pub async fn rotate_secret(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RotatedSecret>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let now = now_unix();
    let secret = signing::new_secret();
    let until = now + ROTATION_OVERLAP_SECS;
    let endpoint = state
        .store
        .rotate_endpoint_secret(&tenant, &id, &secret, until, now)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(RotatedSecret {
        signing_secret: secret,
        previous_secret_valid_until: iso8601(until),
        endpoint: endpoint.into(),
    }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/webhooks/endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}",
            get(get_endpoint)
                .patch(update_endpoint)
                .delete(delete_endpoint),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}/secret/rotate",
            post(rotate_secret),
        )
}
