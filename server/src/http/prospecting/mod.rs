//! `/v1/prospecting/sessions…` and `/v1/prospecting/taxonomy`: the iframe's search,
//! with the embed token's customer. Starting a session counts one search session
//! against the wallet (nothing is counted when the text is not understood or the
//! wallet blocks); pages and refinements stay in the session for free, and so they
//! only ever narrow it: a page never leaves the people the session matched.
//! Results are masked previews unless the customer owns the person. What a
//! selection names is [`selection`]'s; [`quote`], [`push`] and [`export`] act on it.

pub mod export;
pub mod push;
pub mod quote;
pub mod selection;

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use quarry_shared::prospecting::{
    AppliedFilters, ProspectPreview, SessionPage, Sort, StartSession,
};
use quarry_shared::taxonomy::{self, EmailStatus};
use quarry_shared::{ErrorBody, ErrorCode};
use roaring::RoaringBitmap;
use serde::Deserialize;

use super::auth::EmbedAuth;
use super::error::ApiError;
use super::extract::{page_limit, parse_json, Json, Query};
use super::idempotency::Recipe;
use super::persons::{taxonomy_response, TaxonomyResponse};
use super::AppState;
use crate::partners::ids::new_sorted_id;
use crate::prospecting::preview::preview;
use crate::search::people::{self, PeopleQuery};
use crate::store::{now_unix, ProspectSession, SpendRefusal};
use selection::{own_session, Narrowed};

/// Page size when the request gives none (the widget's default).
const DEFAULT_LIMIT: u32 = 25;
const MAX_LIMIT: u32 = 100;

fn bad_filter(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidBody, field, message)
}

fn check_limit(limit: Option<u32>, field: &str) -> Result<u32, ApiError> {
    page_limit(field, limit, DEFAULT_LIMIT, MAX_LIMIT)
}

/// Checks the keys of one filter list; `None` leaves the text's value.
fn keys(
    field: &str,
    list: &Option<Vec<String>>,
    known: impl Fn(&str) -> bool,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = list else { return Ok(None) };
    let mut out = Vec::new();
    for (i, key) in list.iter().enumerate() {
        let key = key.trim().to_ascii_lowercase();
        if !known(&key) {
            return Err(bad_filter(
                &format!("{field}[{i}]"),
                format!("{key:?} is not a known key (see GET /v1/prospecting/taxonomy)"),
            ));
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Ok(Some(out))
}

/// The search a session runs: its text with the applied filters on top.
pub(crate) fn people_query(
    q: &str,
    filters: &AppliedFilters,
    prefix: &str,
    limit: u32,
    cursor: Option<String>,
) -> Result<PeopleQuery, ApiError> {
    let email_status = match &filters.email_status {
        None => Vec::new(),
        Some(list) => {
            let mut out = Vec::new();
            for (i, s) in list.iter().enumerate() {
                let status = EmailStatus::parse(s.trim()).ok_or_else(|| {
                    bad_filter(
                        &format!("{prefix}.email_status[{i}]"),
                        "email_status is one of verified, unverified, catch_all, invalid",
                    )
                })?;
                out.push(status);
            }
            out
        }
    };
    Ok(PeopleQuery {
        q: q.to_owned(),
        location_city: filters.location_city.clone(),
        location_state: filters.location_state.clone().unwrap_or_default(),
        roles: None,
        seniorities: keys(&format!("{prefix}.seniority"), &filters.seniority, |k| {
            taxonomy::seniority(k).is_some()
        })?,
        departments: keys(&format!("{prefix}.department"), &filters.department, |k| {
            taxonomy::department(k).is_some()
        })?,
        industries: keys(&format!("{prefix}.industry"), &filters.industry, |k| {
            taxonomy::industry(k).is_some()
        })?,
        email_status,
        has_phone: filters.has_phone,
        employee_count_min: filters.employee_count_min,
        employee_count_max: filters.employee_count_max,
        limit,
        max_records: None,
        cursor,
        sort: Sort::default(),
        page: None,
        dedupe_token: None,
        dedupe_user_id: None,
        exclude: Default::default(),
    })
}

/// The order of a session page and which page by number, if not by cursor.
#[derive(Debug, Clone, Copy, Default)]
struct Order {
    sort: Sort,
    page: Option<u32>,
}

/// Runs one page of `session` for the token's customer, narrowed by
/// `refinements` (`None`: the session's own filters).
async fn page(
    state: &AppState,
    auth: &EmbedAuth,
    session: &ProspectSession,
    refinements: Option<&AppliedFilters>,
    limit: u32,
    cursor: Option<String>,
    order: Order,
) -> Result<SessionPage, ApiError> {
    let data = state.data(auth.tenant.mode).await?;
    let index = data.search.index();
    let prefix = if refinements.is_some() {
        "applied_filters"
    } else {
        "body.filters"
    };
    let Narrowed {
        mut query,
        filters,
        prepared,
        within,
    } = Narrowed::new(&index, session, refinements, prefix, limit, cursor)?;
    query.sort = order.sort;
    query.page = order.page;
    // The customer's whole ownership only when it filters the results; otherwise
    // a page needs to know only which of its own ids are owned. Net-new also
    // leaves out the suppression list (contacts already in the partner's CRM).
    let suppressed = state
        .suppressed
        .of(&state.store, data, &index, auth.customer_id())
        .await?;
    let excluded = if filters.net_new_only {
        let mut out = state.store.owned_people(auth.customer_id()).await?;
        out |= &*suppressed;
        out
    } else {
        RoaringBitmap::new()
    };
    let result = people::run_within(
        &index,
        &state.cursors,
        &query,
        prepared,
        &excluded,
        within.as_ref(),
    )?;
    let owned = if filters.net_new_only {
        HashSet::new()
    } else {
        state
            .store
            .owned_among(auth.customer_id(), &result.ids)
            .await?
    };
    let rows = data.store.people_by_ids(&result.ids).await?;
    let people = data.with_companies(rows).await?;
    let data: Vec<ProspectPreview> = people
        .into_iter()
        .map(|(id, person)| ProspectPreview {
            suppressed: suppressed.contains(id),
            ..preview(id, person, owned.contains(&id))
        })
        .collect();
    Ok(SessionPage {
        search_id: session.search_id.clone(),
        interpretation: result.interpretation,
        applied_filters: filters,
        pagination: result.pagination,
        facets: result.facets,
        data,
    })
}

pub(super) fn refusal(refusal: SpendRefusal) -> ApiError {
    match refusal {
        SpendRefusal::NotFound => ApiError::not_found("No such customer."),
        SpendRefusal::Blocked(blocked) => ApiError::Blocked(blocked),
    }
}

/// Starts a search session: interprets `q`, counts one search session and answers
/// the first page with facets.
#[utoipa::path(post, path = "/v1/prospecting/sessions", tag = "prospecting",
    security(("embed_token" = [])), request_body = StartSession,
    responses(
        (status = 201, description = "The first page of masked previews", body = SessionPage),
        (status = 400, description = "Invalid body (the field is named)", body = ErrorBody),
        (status = 402, description = "A search-session limit is reached; block_reason says which", body = ErrorBody),
        (status = 403, description = "The customer is suspended", body = ErrorBody),
        (status = 422, description = "Nothing in q was understood; nothing was counted", body = ErrorBody),
        (status = 401, description = "Missing, expired or invalid embed token, or revoked embed key", body = ErrorBody),
        (status = 429, description = "Too many requests for this customer in the current minute; see retry-after", body = ErrorBody)))]
pub async fn start_prospecting_session(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Json(body): Json<StartSession>,
) -> Result<Response, ApiError> {
    let limit = check_limit(body.limit, "body.limit")?;
    if body.q.chars().count() > 500 {
        return Err(bad_filter("body.q", "q is at most 500 characters"));
    }
    let filters = body.filters.unwrap_or_default();
    let (response, _) = start_session(&state, &auth, &body.q, &filters, limit).await?;
    Ok(response)
}

/// Starts a counted search session for `q` with `filters` and answers its first
/// page (shared by a new search and a saved search run again); also returns
/// the session.
pub(crate) async fn start_session(
    state: &AppState,
    auth: &EmbedAuth,
    q: &str,
    filters: &AppliedFilters,
    limit: u32,
) -> Result<(Response, ProspectSession), ApiError> {
    let state = state.clone();
    let query = people_query(q, filters, "body.filters", limit, None)?;
    // The sandbox's data set is built before its first session is counted, and
    // what cannot be understood in it is refused before anything is counted.
    let data = state.data(auth.tenant.mode).await?;
    people::prepare(&query, "", &data.search.index())?;
    let now = now_unix();
    let session = ProspectSession {
        search_id: new_sorted_id("search"),
        partner_customer_id: auth.customer_id().to_owned(),
        embed_key_id: auth.claims.ekid.clone(),
        user_id: auth.claims.uid.clone(),
        q: q.to_owned(),
        filters: serde_json::to_string(filters).unwrap_or_else(|_| "{}".into()),
        created_at: now,
        last_used_at: now,
    };
    state
        .store
        .start_session(&auth.tenant, &session, now)
        .await?
        .map_err(refusal)?;
    let page = page(&state, auth, &session, None, limit, None, Order::default()).await?;
    let mut response = (StatusCode::CREATED, axum::Json(page)).into_response();
    // An Idempotency-Key replay renders this first page again, uncounted.
    response.extensions_mut().insert(Recipe::Session {
        search_id: session.search_id.clone(),
        limit,
    });
    Ok((response, session))
}

/// A started session's first page again, for an `Idempotency-Key` replay of its
/// start: `201` with the first answer's headers; nothing is counted.
pub(crate) async fn replay_first_page(
    state: &AppState,
    auth: &EmbedAuth,
    search_id: &str,
    limit: u32,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let session = state
        .store
        .session(auth.customer_id(), search_id)
        .await?
        .ok_or_else(|| ApiError::not_found("No such search session."))?;
    let page = page(state, auth, &session, None, limit, None, Order::default()).await?;
    Ok((StatusCode::CREATED, headers, axum::Json(page)).into_response())
}

/// Query parameters of a session page.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SessionPageParams {
    /// `next_cursor` of the previous page (with the same filters).
    pub cursor: Option<String>,
    /// Page size, 1–100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Refinements as a JSON object (`{"net_new_only":true,"email_status":["verified"]}`);
    /// absent: the session's own.
    pub applied_filters: Option<String>,
    /// Order: `relevance` (default), or `name`, `title`, `company`, `size`,
    /// `location`, each descending with a leading `-` (`-size`).
    #[param(pattern = r"^(relevance|-?(name|title|company|size|location))$")]
    pub sort: Option<String>,
    /// A page by number, from 1 (instead of `cursor`); pages past the end are empty.
    #[param(minimum = 1)]
    pub page: Option<u32>,
}

/// The next page of a session, or the session narrowed by `applied_filters`
/// (which fill in over the session's own filters and never reach past its
/// matches); never counts a new search session.
#[utoipa::path(get, path = "/v1/prospecting/sessions/{search_id}", tag = "prospecting",
    security(("embed_token" = [])),
    params(("search_id" = String, Path, description = "Session id"), SessionPageParams),
    responses(
        (status = 200, description = "A page of masked previews", body = SessionPage),
        (status = 400, description = "Invalid cursor, limit or filters", body = ErrorBody),
        (status = 404, description = "No such session for this customer", body = ErrorBody),
        (status = 410, description = "The session expired; start a new search", body = ErrorBody),
        (status = 401, description = "Missing, expired or invalid embed token, or revoked embed key", body = ErrorBody),
        (status = 403, description = "The customer is suspended", body = ErrorBody),
        (status = 429, description = "Too many requests for this customer in the current minute; see retry-after", body = ErrorBody)))]
pub async fn get_prospecting_session(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Query(params): Query<SessionPageParams>,
) -> Result<axum::Json<SessionPage>, ApiError> {
    let limit = check_limit(params.limit, "limit")?;
    let sort = match params.sort.as_deref() {
        None => Sort::default(),
        Some(raw) => Sort::parse(raw).ok_or_else(|| {
            ApiError::field(
                ErrorCode::InvalidParameter,
                "sort",
                "sort is relevance, or name, title, company, size or location (a leading - sorts descending)",
            )
        })?,
    };
    if params.page == Some(0) {
        return Err(ApiError::field(
            ErrorCode::InvalidParameter,
            "page",
            "page counts from 1",
        ));
    }
    if params.page.is_some() && params.cursor.is_some() {
        return Err(ApiError::field(
            ErrorCode::InvalidParameter,
            "page",
            "Give either page or cursor, not both.",
        ));
    }
    let order = Order {
        sort,
        page: params.page,
    };
    let now = now_unix();
    let session = own_session(&state, &auth, &search_id, now).await?;
    let refinements: Option<AppliedFilters> = match &params.applied_filters {
        Some(text) => Some(parse_json(text.as_bytes()).map_err(|e| match e {
            // Named as the parameter: `applied_filters.location_state`.
            ApiError::Client { message, field, .. } => {
                let field = field
                    .as_deref()
                    .and_then(|f| f.strip_prefix("body"))
                    .map_or("applied_filters".to_owned(), |rest| {
                        format!("applied_filters{rest}")
                    });
                let message = message
                    .replace("Invalid request body", "Invalid applied_filters")
                    .replace(
                        "The body is not valid JSON",
                        "applied_filters is not valid JSON",
                    );
                ApiError::field(ErrorCode::InvalidParameter, field, message)
            }
            other => other,
        })?),
        None => None,
    };
    let page = page(
        &state,
        &auth,
        &session,
        refinements.as_ref(),
        limit,
        params.cursor,
        order,
    )
    .await?;
    state.store.touch_session(&session.search_id, now).await?;
    Ok(axum::Json(page))
}

/// Roles, seniorities, departments and industries for the iframe's chips.
#[utoipa::path(get, path = "/v1/prospecting/taxonomy", tag = "prospecting",
    security(("embed_token" = [])),
    responses((status = 200, description = "The search vocabulary", body = TaxonomyResponse),
        (status = 401, description = "Missing, expired or invalid embed token, or revoked embed key", body = ErrorBody),
        (status = 403, description = "The customer is suspended", body = ErrorBody),
        (status = 429, description = "Too many requests for this customer in the current minute; see retry-after", body = ErrorBody)))]
pub async fn get_prospecting_taxonomy(_auth: EmbedAuth) -> axum::Json<TaxonomyResponse> {
    axum::Json(taxonomy_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/prospecting/sessions", post(start_prospecting_session))
        .route(
            "/v1/prospecting/sessions/{search_id}",
            get(get_prospecting_session),
        )
        .route("/v1/prospecting/taxonomy", get(get_prospecting_taxonomy))
        .route(
            "/v1/prospecting/sessions/{search_id}/quote",
            post(quote::quote_selection),
        )
        .route(
            "/v1/prospecting/sessions/{search_id}/export",
            post(export::export_selection),
        )
        .route(
            "/v1/prospecting/sessions/{search_id}/push",
            post(push::push_selection),
        )
}
