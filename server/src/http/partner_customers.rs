//! `/v1/partner-customers`: the partner's customers, created here or on their first
//! embed session, listed with a cursor, read and updated (status, wallet policy,
//! limits, result actions, delivery). A customer is shown with the settings that
//! apply to it (its own merged over its embed key's), and its own beside them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::effective::SettingsLookup;
use super::error::ApiError;
use super::extract::{page_limit, Json, Query};
use super::{field_error, iso8601, AppState};
use crate::partners::customers::{CreateCustomer, CustomerStatus, UpdateCustomer};
use crate::partners::embed_keys::ResultAction;
use crate::partners::keys::Scope;
use crate::partners::settings::Effective;
use crate::partners::Mode;
use crate::search::people::cursor_error;
use crate::store::{now_unix, Customer};
use crate::wallet::{EnforcementMode, Limits, ResetPolicy};

/// What is set on the customer itself: `PATCH` changes these; unset ones fall back
/// on its embed key's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OwnSettings {
    pub allowed_result_actions: Vec<ResultAction>,
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: Option<String>,
    pub csv_export_enabled: bool,
}

/// A partner customer as the API shows it: the result settings that apply (its
/// own merged over its embed key's), and its own in `own_settings`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    pub partner_customer_id: String,
    /// The partner's own id for this customer.
    pub external_customer_id: String,
    pub name: Option<String>,
    pub status: CustomerStatus,
    pub mode: Mode,
    pub credit_enforcement_mode: EnforcementMode,
    pub credit_reset_policy: ResetPolicy,
    pub limits: Limits,
    /// The actions the customer can use now: allowed and configured.
    pub allowed_result_actions: Vec<ResultAction>,
    /// The button label of each action in `allowed_result_actions`.
    pub result_action_labels: std::collections::BTreeMap<ResultAction, String>,
    /// Where its pushes go (its own URL, else its key's).
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: String,
    /// Whether it can export CSV now.
    pub csv_export_enabled: bool,
    pub own_settings: OwnSettings,
    /// The embed key whose settings it falls back on: the one whose session
    /// created it, or the first it used.
    pub settings_embed_key_id: Option<String>,
    /// Deprecated spelling of `settings_embed_key_id`.
    pub embed_key_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The customer as the API shows it.
pub async fn customer_view(state: &AppState, c: Customer) -> Result<CustomerView, ApiError> {
    let tenant = c.tenant.clone();
    let e = SettingsLookup::new(state, &tenant)
        .effective(&c, None)
        .await?;
    Ok(view(c, e))
}

/// `c` with the settings `e` that apply to it.
fn view(c: Customer, e: Effective) -> CustomerView {
    let s = c.settings;
    let csv_export_enabled = e.csv_export_enabled();
    CustomerView {
        partner_customer_id: c.partner_customer_id,
        external_customer_id: c.external_customer_id,
        name: s.name,
        status: s.status,
        mode: c.tenant.mode,
        credit_enforcement_mode: s.wallet.credit_enforcement_mode,
        credit_reset_policy: s.wallet.credit_reset_policy,
        limits: s.wallet.limits,
        allowed_result_actions: e.actions.iter().map(|(a, _)| *a).collect(),
        result_action_labels: e.actions.iter().cloned().collect(),
        result_delivery_url: e.result_delivery_url,
        result_delivery_cta: e.result_delivery_cta,
        csv_export_enabled,
        own_settings: OwnSettings {
            allowed_result_actions: s.wallet.allowed_result_actions,
            result_delivery_url: s.results.result_delivery_url,
            result_delivery_cta: s.results.result_delivery_cta,
            csv_export_enabled: s.results.csv_export_enabled,
        },
        settings_embed_key_id: c.embed_key_id.clone(),
        embed_key_id: c.embed_key_id,
        created_at: iso8601(c.created_at),
        updated_at: iso8601(c.updated_at),
    }
}

/// Page metadata of plain lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListPagination {
    pub limit: u32,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerList {
    pub data: Vec<CustomerView>,
    pub pagination: ListPagination,
}

/// `limit` (1–100, default 100) and `cursor` of list routes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Page size, 1–100 (default 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListParams {
    pub fn limit(&self) -> Result<u32, ApiError> {
        page_limit("limit", self.limit, 100, 100)
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("No partner customer with this id.")
}

/// Creates a partner customer.
#[utoipa::path(post, path = "/v1/partner-customers", tag = "partner customers",
    security(("api_key" = [])), request_body = CreateCustomer,
    responses(
        (status = 201, description = "Created", body = CustomerView),
        (status = 400, description = "Invalid body (the field is named)", body = ErrorBody),
        (status = 409, description = "A customer with this customer_id exists", body = ErrorBody)))]
pub async fn create_partner_customer(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Json(body): Json<CreateCustomer>,
) -> Result<(StatusCode, axum::Json<CustomerView>), ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let (external, settings) = body.into_settings(state.config.dev).map_err(field_error)?;
    let created = state
        .store
        .insert_customer(&tenant, &external, &settings, None, now_unix())
        .await?
        .ok_or_else(|| {
            ApiError::field(
                ErrorCode::CustomerAlreadyExists,
                "body.customer_id",
                "A customer with this customer_id already exists; update it with PATCH instead.",
            )
        })?;
    Ok((
        StatusCode::CREATED,
        axum::Json(customer_view(&state, created).await?),
    ))
}

/// Lists the partner's customers in creation order.
#[utoipa::path(get, path = "/v1/partner-customers", tag = "partner customers",
    security(("api_key" = [])), params(ListParams),
    responses((status = 200, description = "A page of customers", body = CustomerList),
        (status = 400, description = "Invalid limit or cursor", body = ErrorBody)))]
pub async fn list_partner_customers(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<axum::Json<CustomerList>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let limit = params.limit()?;
    let list = format!("customers:{}:{}", tenant.partner_id, tenant.mode.as_str());
    let after = params
        .cursor
        .as_deref()
        .map(|c| state.cursors.decode_list(&list, c).map_err(cursor_error))
        .transpose()?;
    let mut rows = state
        .store
        .customers(&tenant, after.as_deref(), limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(state.cursors.encode_list(&list, &last.partner_customer_id)),
        _ => None,
    };
    // One lookup for the page: each embed key and gone mark is read once.
    let mut settings = SettingsLookup::new(&state, &tenant);
    let mut data = Vec::with_capacity(rows.len());
    for c in rows {
        let e = settings.effective(&c, None).await?;
        data.push(view(c, e));
    }
    Ok(axum::Json(CustomerList {
        data,
        pagination: ListPagination { limit, next_cursor },
    }))
}

/// One partner customer.
#[utoipa::path(get, path = "/v1/partner-customers/{partner_customer_id}", tag = "partner customers",
    security(("api_key" = [])), params(("partner_customer_id" = String, Path, description = "Partner customer id")),
    responses((status = 200, description = "The customer", body = CustomerView),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody)))]
pub async fn get_partner_customer(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<CustomerView>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = state
        .store
        .customer(&tenant, &id)
        .await?
        .ok_or_else(not_found)?;
    Ok(axum::Json(customer_view(&state, customer).await?))
}

/// Updates a partner customer; absent fields stay, `null` clears (concurrent
/// updates of different fields never undo each other). Suspending takes effect in
/// open iframes within seconds; setting the delivery URL resumes pushes to an
/// endpoint that answered 410.
#[utoipa::path(patch, path = "/v1/partner-customers/{partner_customer_id}", tag = "partner customers",
    security(("api_key" = [])), params(("partner_customer_id" = String, Path, description = "Partner customer id")),
    request_body = UpdateCustomer,
    responses((status = 200, description = "The updated customer", body = CustomerView),
        (status = 400, description = "Invalid body (the field is named)", body = ErrorBody),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody)))]
pub async fn update_partner_customer(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<UpdateCustomer>,
) -> Result<axum::Json<CustomerView>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let updated = state
        .store
        .update_customer(&tenant, &id, &body, state.config.dev, now_unix())
        .await?
        .ok_or_else(not_found)?
        .map_err(field_error)?;
    // A suspension bites on this replica at once (the others hear of it within a second).
    if body.status.is_some() {
        state.access.forget_all();
    }
    Ok(axum::Json(customer_view(&state, updated).await?))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/partner-customers",
            get(list_partner_customers).post(create_partner_customer),
        )
        .route(
            "/v1/partner-customers/{partner_customer_id}",
            get(get_partner_customer).patch(update_partner_customer),
        )
}
