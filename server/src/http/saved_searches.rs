//! Saved searches (PRODUCT.md §7): for the embed token under
//! `/v1/prospecting/saved-searches` (save, list with "N new since you last
//! looked", delete, run again as a new counted session), and for the partner
//! under `/v1/partner-customers/{id}/saved-searches`. A watched search is
//! announced as `saved_search.new_matches` after imports (see
//! [`crate::prospecting::saved::Watcher`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use quarry_shared::prospecting::{AppliedFilters, SaveSearch, SavedSearchView, SessionPage};
use quarry_shared::{ErrorBody, ErrorCode};
use serde::Serialize;

use super::auth::{EmbedAuth, PartnerAuth};
use super::error::ApiError;
use super::extract::Json as JsonBody;
use super::{iso8601, AppState};
use crate::partners::ids::new_sorted_id;
use crate::partners::keys::Scope;
use crate::partners::Tenant;
use crate::prospecting::saved::{matches, unseen};
use crate::store::{now_unix, NewSavedSearch, SavedSearch};

/// Saved searches one customer may keep.
pub const MAX_SAVED: usize = 100;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedSearchList {
    pub data: Vec<SavedSearchView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeletedSavedSearch {
    pub id: String,
    pub deleted: bool,
}

fn body_error(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidBody, format!("body.{field}"), message)
}

/// The view of `search`, with what it matches now that it never showed.
async fn view(state: &AppState, search: SavedSearch) -> Result<SavedSearchView, ApiError> {
    let data = state.data(search.tenant.mode).await?;
    let index = data.search.index();
    let filters: AppliedFilters = serde_json::from_str(&search.filters).unwrap_or_default();
    let new_matches = matches(&index, &search.q, &filters)
        .map(|m| unseen(&m, &search))
        .unwrap_or(0);
    Ok(SavedSearchView {
        id: search.saved_search_id,
        partner_customer_id: search.partner_customer_id,
        name: search.name,
        q: search.q,
        filters,
        watch: search.watch,
        new_matches,
        created_at: iso8601(search.created_at),
        last_viewed_at: search.last_viewed_at.map(iso8601),
    })
}

async fn list(state: &AppState, customer: &str) -> Result<SavedSearchList, ApiError> {
    let mut data = Vec::new();
    for search in state.store.saved_searches(customer).await? {
        data.push(view(state, search).await?);
    }
    Ok(SavedSearchList { data })
}

/// Validates and saves `body` for `customer`; what it matches now counts as seen.
async fn save(
    state: &AppState,
    tenant: &Tenant,
    customer: &str,
    body: SaveSearch,
) -> Result<SavedSearchView, ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(body_error(
            "name",
            "name is 1 to 100 characters, without control characters",
        ));
    }
    if body.q.chars().count() > 500 {
        return Err(body_error("q", "q is at most 500 characters"));
    }
    let filters = body.filters.unwrap_or_default();
    let data = state.data(tenant.mode).await?;
    let index = data.search.index();
    let seen = matches(&index, &body.q, &filters)?;
    if state.store.saved_searches(customer).await?.len() >= MAX_SAVED {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            format!("A customer keeps at most {MAX_SAVED} saved searches; delete one first."),
        ));
    }
    let id = new_sorted_id("ss");
    let filters_json = serde_json::to_string(&filters).unwrap_or_else(|_| "{}".into());
    let saved = state
        .store
        .save_search(
            tenant,
            &NewSavedSearch {
                saved_search_id: &id,
                customer_id: customer,
                name,
                q: &body.q,
                filters: &filters_json,
                watch: body.watch.unwrap_or(true),
                seen: &seen,
                version: index.version,
            },
            now_unix(),
        )
        .await?;
    view(state, saved).await
}

fn not_found() -> ApiError {
    ApiError::not_found("No saved search with this id.")
}

/// The embed token's customer's saved searches, with their new matches.
#[utoipa::path(get, path = "/v1/prospecting/saved-searches", tag = "prospecting", security(("embed_token" = [])),
    responses((status = 200, description = "The customer's saved searches", body = SavedSearchList),
        (status = 401, description = "Missing, expired or invalid embed token", body = ErrorBody)))]
pub async fn list_own(
    auth: EmbedAuth,
    State(state): State<AppState>,
) -> Result<Json<SavedSearchList>, ApiError> {
    Ok(Json(list(&state, auth.customer_id()).await?))
}

/// Saves a search (text and refinements) by name; watched unless `watch: false`.
#[utoipa::path(post, path = "/v1/prospecting/saved-searches", tag = "prospecting", security(("embed_token" = [])),
    request_body = SaveSearch,
    responses((status = 201, description = "Saved", body = SavedSearchView),
        (status = 400, description = "Invalid name, text or refinements, or too many saved", body = ErrorBody),
        (status = 422, description = "Nothing in q was understood", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody)))]
pub async fn save_own(
    auth: EmbedAuth,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SaveSearch>,
) -> Result<(StatusCode, Json<SavedSearchView>), ApiError> {
    let saved = save(&state, &auth.tenant, auth.customer_id(), body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Deletes one of the customer's saved searches.
#[utoipa::path(delete, path = "/v1/prospecting/saved-searches/{saved_search_id}", tag = "prospecting", security(("embed_token" = [])),
    params(("saved_search_id" = String, Path, description = "Saved search id")),
    responses((status = 200, description = "Deleted", body = DeletedSavedSearch),
        (status = 404, description = "No such saved search for this customer", body = ErrorBody)))]
pub async fn delete_own(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DeletedSavedSearch>, ApiError> {
    if !state
        .store
        .delete_saved_search(auth.customer_id(), &id)
        .await?
    {
        return Err(not_found());
    }
    Ok(Json(DeletedSavedSearch { id, deleted: true }))
}

/// Runs a saved search again: a new search session (counted like any), whose
/// matches then count as seen.
#[utoipa::path(post, path = "/v1/prospecting/saved-searches/{saved_search_id}/run", tag = "prospecting", security(("embed_token" = [])),
    params(("saved_search_id" = String, Path, description = "Saved search id")),
    responses((status = 201, description = "The first page of the new session", body = SessionPage),
        (status = 402, description = "A search-session limit is reached", body = ErrorBody),
        (status = 404, description = "No such saved search for this customer", body = ErrorBody)))]
pub async fn run_own(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let search = state
        .store
        .saved_search(auth.customer_id(), &id)
        .await?
        .ok_or_else(not_found)?;
    let filters: AppliedFilters = serde_json::from_str(&search.filters).unwrap_or_default();
    let (response, _) =
        super::prospecting::start_session(&state, &auth, &search.q, &filters, 25).await?;
    let data = state.data(auth.tenant.mode).await?;
    let shown = matches(&data.search.index(), &search.q, &filters)?;
    state
        .store
        .saved_search_seen(&search, &shown, now_unix())
        .await?;
    Ok(response)
}

/// Marks what a saved search matches now as seen, for a widget that ran it as
/// an ordinary search (which counted its session already).
#[utoipa::path(post, path = "/v1/prospecting/saved-searches/{saved_search_id}/seen", tag = "prospecting", security(("embed_token" = [])),
    params(("saved_search_id" = String, Path, description = "Saved search id")),
    responses((status = 200, description = "The saved search, with no new matches", body = SavedSearchView),
        (status = 404, description = "No such saved search for this customer", body = ErrorBody)))]
pub async fn seen_own(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SavedSearchView>, ApiError> {
    let search = state
        .store
        .saved_search(auth.customer_id(), &id)
        .await?
        .ok_or_else(not_found)?;
    let filters: AppliedFilters = serde_json::from_str(&search.filters).unwrap_or_default();
    let data = state.data(auth.tenant.mode).await?;
    let shown = matches(&data.search.index(), &search.q, &filters)?;
    let now = now_unix();
    state.store.saved_search_seen(&search, &shown, now).await?;
    let search = state
        .store
        .saved_search(auth.customer_id(), &id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(view(&state, search).await?))
}

/// The partner's customer, checked to be the tenant's.
async fn partner_customer(state: &AppState, tenant: &Tenant, id: &str) -> Result<String, ApiError> {
    state
        .store
        .customer(tenant, id)
        .await?
        .map(|c| c.partner_customer_id)
        .ok_or_else(|| ApiError::not_found("No such customer."))
}

/// A customer's saved searches.
#[utoipa::path(get, path = "/v1/partner-customers/{partner_customer_id}/saved-searches", tag = "partner customers", security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id")),
    responses((status = 200, description = "The customer's saved searches", body = SavedSearchList),
        (status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody)))]
pub async fn list_for_customer(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(customer): Path<String>,
) -> Result<Json<SavedSearchList>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = partner_customer(&state, &tenant, &customer).await?;
    Ok(Json(list(&state, &customer).await?))
}

/// Saves a search for a customer (it shows in the widget).
#[utoipa::path(post, path = "/v1/partner-customers/{partner_customer_id}/saved-searches", tag = "partner customers", security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id")),
    request_body = SaveSearch,
    responses((status = 201, description = "Saved", body = SavedSearchView),
        (status = 400, description = "Invalid name, text or refinements", body = ErrorBody),
        (status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "Nothing in q was understood", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody)))]
pub async fn save_for_customer(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(customer): Path<String>,
    JsonBody(body): JsonBody<SaveSearch>,
) -> Result<(StatusCode, Json<SavedSearchView>), ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = partner_customer(&state, &tenant, &customer).await?;
    let saved = save(&state, &tenant, &customer, body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// One of a customer's saved searches, with its new matches (the link
/// `saved_search.new_matches` events carry).
#[utoipa::path(get, path = "/v1/partner-customers/{partner_customer_id}/saved-searches/{saved_search_id}", tag = "partner customers", security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id"),
        ("saved_search_id" = String, Path, description = "Saved search id")),
    responses((status = 200, description = "The saved search", body = SavedSearchView),
        (status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 404, description = "No such customer or saved search", body = ErrorBody)))]
pub async fn get_for_customer(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path((customer, id)): Path<(String, String)>,
) -> Result<Json<SavedSearchView>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = partner_customer(&state, &tenant, &customer).await?;
    let search = state
        .store
        .saved_search(&customer, &id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(view(&state, search).await?))
}

/// Deletes a customer's saved search.
#[utoipa::path(delete, path = "/v1/partner-customers/{partner_customer_id}/saved-searches/{saved_search_id}", tag = "partner customers", security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id"),
        ("saved_search_id" = String, Path, description = "Saved search id")),
    responses((status = 200, description = "Deleted", body = DeletedSavedSearch),
        (status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 404, description = "No such customer or saved search", body = ErrorBody)))]
pub async fn delete_for_customer(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path((customer, id)): Path<(String, String)>,
) -> Result<Json<DeletedSavedSearch>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = partner_customer(&state, &tenant, &customer).await?;
    if !state.store.delete_saved_search(&customer, &id).await? {
        return Err(not_found());
    }
    Ok(Json(DeletedSavedSearch { id, deleted: true }))
}

pub fn embed_router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/prospecting/saved-searches",
            get(list_own).post(save_own),
        )
        .route(
            "/v1/prospecting/saved-searches/{saved_search_id}",
            delete(delete_own),
        )
        .route(
            "/v1/prospecting/saved-searches/{saved_search_id}/run",
            post(run_own),
        )
        .route(
            "/v1/prospecting/saved-searches/{saved_search_id}/seen",
            post(seen_own),
        )
}

pub fn partner_router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/partner-customers/{partner_customer_id}/saved-searches",
            get(list_for_customer).post(save_for_customer),
        )
        .route(
            "/v1/partner-customers/{partner_customer_id}/saved-searches/{saved_search_id}",
            get(get_for_customer).delete(delete_for_customer),
        )
}
