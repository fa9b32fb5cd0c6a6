//! `/v1/partner-customers/{id}/suppressions`: the contacts a customer already has
//! in its CRM (e-mails, company domains, person ids), which net-new search leaves
//! out. Entries come as JSON lists or a CSV upload, up to 10,000 a request; the
//! valid ones are written in one transaction and the invalid ones listed with
//! their position.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::{page_limit, parse_json, require_json, Query};
use super::partner_customers::ListPagination;
use super::{iso8601, AppState};
use crate::partners::keys::Scope;
use crate::partners::suppressions::{
    self, Entries, InvalidEntry, ReadError, SuppressionKind, SuppressionLists, MAX_ENTRIES,
};
use crate::partners::Tenant;
use crate::search::people::cursor_error;
use crate::store::now_unix;

/// What an upload changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuppressionsAdded {
    /// New entries on the list.
    pub added: u64,
    /// Entries that were on the list already.
    pub already_present: u64,
    /// Repeats within this request (after normalising), counted once.
    pub duplicates: usize,
    /// Entries refused, with their list and position; the rest were written.
    pub invalid: Vec<InvalidEntry>,
    /// Entries on the list now.
    pub entries: i64,
}

/// What a removal changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuppressionsRemoved {
    pub removed: u64,
    /// Entries named that were not on the list.
    pub not_found: u64,
    pub invalid: Vec<InvalidEntry>,
    pub entries: i64,
}

/// One entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuppressionView {
    pub kind: SuppressionKind,
    /// Normalised: lowercase e-mail, bare domain, the person id as given.
    pub value: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuppressionList {
    pub data: Vec<SuppressionView>,
    pub pagination: ListPagination,
    /// Entries on the list.
    pub total: i64,
}

/// Filters and paging of the list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuppressionParams {
    /// Only entries of this kind.
    #[param(value_type = Option<SuppressionKind>)]
    pub kind: Option<String>,
    /// Page size, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// `DELETE` without a body removes the whole list only when asked to.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RemoveParams {
    /// `true` with no body: remove every entry.
    pub all: Option<bool>,
}

fn read_error(e: ReadError) -> ApiError {
    ApiError::new(ErrorCode::InvalidBody, e.to_string())
}

/// The entries of a JSON or CSV body.
fn entries(headers: &HeaderMap, body: &[u8]) -> Result<Entries, ApiError> {
    let csv = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"));
    if csv {
        return suppressions::from_csv(body).map_err(read_error);
    }
    require_json(headers)?;
    let lists: SuppressionLists = parse_json(body)?;
    suppressions::from_lists(&lists).map_err(read_error)
}

/// Rebuilds the customer's suppressed set on this replica in the background
/// after a change, so the next net-new search finds it ready.
fn warm(state: &AppState, tenant: &Tenant, customer: &str) {
    let (state, mode, customer) = (state.clone(), tenant.mode, customer.to_owned());
    tokio::spawn(async move {
        let Ok(data) = state.data(mode).await else {
            return;
        };
        let index = data.search.index();
        if let Err(e) = state
            .suppressed
            .of(&state.store, data, &index, &customer)
            .await
        {
            tracing::warn!(error = %e, "could not rebuild a suppressed set");
        }
    });
}

/// The customer, checked to be the tenant's.
async fn customer(state: &AppState, tenant: &Tenant, id: &str) -> Result<String, ApiError> {
    state
        .store
        .customer(tenant, id)
        .await?
        .map(|c| c.partner_customer_id)
        .ok_or_else(|| ApiError::not_found("No such customer."))
}

/// Adds entries (JSON `{emails, domains, person_ids}` or a CSV with `email`,
/// `domain` and/or `person_id` columns, or `kind,value` rows).
#[utoipa::path(post, path = "/v1/partner-customers/{partner_customer_id}/suppressions", tag = "suppressions",
    security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id")),
    request_body(content(
        (SuppressionLists = "application/json"),
        (String = "text/csv", example = "email,domain\njo@acme.com,\n,globex.io\n")),
        description = "At most 10,000 entries"),
    responses((status = 200, description = "What was added; invalid entries listed with their position", body = SuppressionsAdded),
        (status = 400, description = "Unreadable body, no entries or more than 10,000", body = ErrorBody),
        (status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody),
        (status = 415, description = "Neither JSON nor CSV", body = ErrorBody)))]
pub async fn add_suppressions(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<SuppressionsAdded>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = customer(&state, &tenant, &id).await?;
    let entries = entries(&headers, &body)?;
    let change = state
        .store
        .add_suppressions(&customer, &entries.valid, now_unix())
        .await?;
    warm(&state, &tenant, &customer);
    Ok(Json(SuppressionsAdded {
        added: change.changed,
        already_present: change.unchanged,
        duplicates: entries.duplicates,
        invalid: entries.invalid,
        entries: change.entries,
    }))
}

/// The list, by kind then value.
#[utoipa::path(get, path = "/v1/partner-customers/{partner_customer_id}/suppressions", tag = "suppressions",
    security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id"), SuppressionParams),
    responses((status = 200, description = "A page of entries", body = SuppressionList),
        (status = 400, description = "Invalid kind, limit or cursor", body = ErrorBody),
        (status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody)))]
pub async fn list_suppressions(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<SuppressionParams>,
) -> Result<Json<SuppressionList>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = customer(&state, &tenant, &id).await?;
    let limit = page_limit("limit", params.limit, 100, 1_000)?;
    let kind = params
        .kind
        .as_deref()
        .map(|k| {
            SuppressionKind::parse(k).ok_or_else(|| {
                ApiError::field(
                    ErrorCode::InvalidParameter,
                    "kind",
                    "kind is one of email, domain, person_id",
                )
            })
        })
        .transpose()?;
    let list = format!("suppressions:{customer}");
    let after = params
        .cursor
        .as_deref()
        .map(|c| state.cursors.decode_list(&list, c).map_err(cursor_error))
        .transpose()?;
    let after = after.as_deref().and_then(|a| a.split_once('\t'));
    let mut rows = state
        .store
        .suppressions(&customer, kind, after, limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(
            state
                .cursors
                .encode_list(&list, &format!("{}\t{}", last.kind.as_str(), last.value)),
        ),
        _ => None,
    };
    let (_, total) = state.store.suppression_version(&customer).await?;
    Ok(Json(SuppressionList {
        data: rows
            .into_iter()
            .map(|r| SuppressionView {
                kind: r.kind,
                value: r.value,
                created_at: iso8601(r.created_at),
            })
            .collect(),
        pagination: ListPagination { limit, next_cursor },
        total,
    }))
}

/// Removes the entries named in the body (as for adding), or with no body and
/// `?all=true` the whole list.
#[utoipa::path(delete, path = "/v1/partner-customers/{partner_customer_id}/suppressions", tag = "suppressions",
    security(("api_key" = [])),
    params(("partner_customer_id" = String, Path, description = "Partner customer id"), RemoveParams),
    request_body(content = Option<SuppressionLists>, description = "The entries to remove; none with `all=true` removes every entry"),
    responses((status = 200, description = "What was removed", body = SuppressionsRemoved),
        (status = 400, description = "No entries and no all=true, or more than 10,000", body = ErrorBody),
        (status = 403, description = "The key lacks the customers scope", body = ErrorBody),
        (status = 404, description = "No such customer for this partner and mode", body = ErrorBody)))]
pub async fn remove_suppressions(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<RemoveParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<SuppressionsRemoved>, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let customer = customer(&state, &tenant, &id).await?;
    let now = now_unix();
    let empty = body.iter().all(u8::is_ascii_whitespace);
    if empty {
        if params.all != Some(true) {
            return Err(ApiError::new(
                ErrorCode::InvalidBody,
                format!("Name up to {MAX_ENTRIES} entries to remove, or send no body with ?all=true to remove every entry."),
            ));
        }
        let change = state
            .store
            .remove_suppressions(&customer, None, now)
            .await?;
        warm(&state, &tenant, &customer);
        return Ok(Json(SuppressionsRemoved {
            removed: change.changed,
            not_found: 0,
            invalid: Vec::new(),
            entries: change.entries,
        }));
    }
    let entries = entries(&headers, &body)?;
    let change = state
        .store
        .remove_suppressions(&customer, Some(&entries.valid), now)
        .await?;
    warm(&state, &tenant, &customer);
    Ok(Json(SuppressionsRemoved {
        removed: change.changed,
        not_found: change.unchanged,
        invalid: entries.invalid,
        entries: change.entries,
    }))
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/partner-customers/{partner_customer_id}/suppressions",
        get(list_suppressions)
            .post(add_suppressions)
            .delete(remove_suppressions),
    )
}
