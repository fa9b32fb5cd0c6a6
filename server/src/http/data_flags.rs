//! Data flags (PRODUCT.md §7): `POST /v1/data-flags` (a partner's backend) and
//! `POST /v1/prospecting/data-flags` (a customer in the widget, on a record it
//! owns) report a bad record; `GET /v1/data-flags` lists the partner's. A flag
//! on a record the customer bought in the last 30 days credits it back once;
//! every other flag is recorded and the answer says why nothing was credited.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::{EmbedAuth, PartnerAuth};
use super::error::ApiError;
use super::extract::{page_limit, Query};
use super::partner_customers::ListPagination;
use super::{iso8601, AppState};
use crate::partners::keys::Scope;
use crate::partners::Tenant;
use crate::prospecting::flags::{FlagReason, FlagSource, NoCredit, MAX_NOTE_CHARS};
use crate::prospecting::prospect_id;
use crate::search::people::cursor_error;
use crate::store::{now_unix, FlagRow, Flagged, NewFlag};

/// `POST /v1/data-flags`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerFlag {
    /// The record, by the id search answers carry (`person_id`)…
    pub person_id: Option<String>,
    /// …or by the widget's `prospect_id` (give one of the two).
    pub prospect_id: Option<String>,
    /// The customer whose purchase is credited when it bought the record in the
    /// last 30 days.
    pub partner_customer_id: Option<String>,
    #[schema(value_type = FlagReason)]
    pub reason: String,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// `POST /v1/prospecting/data-flags`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetFlag {
    pub prospect_id: String,
    #[schema(value_type = FlagReason)]
    pub reason: String,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// A recorded flag.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlagView {
    pub id: String,
    pub person_id: String,
    pub prospect_id: String,
    pub partner_customer_id: Option<String>,
    pub reason: FlagReason,
    pub note: Option<String>,
    pub source: FlagSource,
    /// Credit units given back (0 when none).
    pub credited_units: i64,
    /// The grant they went back to (null for metered overage or no credit).
    pub grant_id: Option<String>,
    pub purchase_id: Option<String>,
    pub created_at: String,
}

/// What a new flag did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlagResult {
    #[serde(flatten)]
    pub flag: FlagView,
    pub credited: bool,
    /// Why nothing was credited, when nothing was.
    pub no_credit_reason: Option<NoCredit>,
    /// For people: what happened.
    pub message: String,
    /// This flag made the record's e-mail `invalid` (enough customers reported it bounced).
    pub email_demoted: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlagList {
    pub data: Vec<FlagView>,
    pub pagination: ListPagination,
}

/// Paging of `GET /v1/data-flags`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FlagParams {
    /// Page size, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

fn view(f: FlagRow) -> FlagView {
    FlagView {
        prospect_id: prospect_id::encode(u32::try_from(f.person).unwrap_or_default()),
        id: f.flag_id,
        person_id: f.person_id,
        partner_customer_id: f.partner_customer_id,
        reason: f.reason,
        note: f.note,
        source: f.source,
        credited_units: f.credited_units,
        grant_id: f.grant_id,
        purchase_id: f.purchase_id,
        created_at: iso8601(f.created_at),
    }
}

fn result(flagged: Flagged) -> FlagResult {
    let credited = flagged.flag.credited_units > 0;
    let message = match flagged.no_credit {
        Some(why) => why.message().to_owned(),
        None => format!(
            "Recorded, and {} credit units were given back.",
            flagged.flag.credited_units
        ),
    };
    FlagResult {
        flag: view(flagged.flag),
        credited,
        no_credit_reason: flagged.no_credit,
        message,
        email_demoted: flagged.demoted,
    }
}

fn body_error(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidBody, format!("body.{field}"), message)
}

fn reason(raw: &str) -> Result<FlagReason, ApiError> {
    FlagReason::parse(raw).ok_or_else(|| {
        body_error(
            "reason",
            "reason is one of bounced_email, wrong_phone, left_company, wrong_title, other",
        )
    })
}

fn note(raw: Option<String>) -> Result<Option<String>, ApiError> {
    let note = raw.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| {
        n.chars().count() > MAX_NOTE_CHARS || n.chars().any(|c| c.is_control() && c != '\n')
    }) {
        return Err(body_error(
            "note",
            format!("note is at most {MAX_NOTE_CHARS} characters, without control characters"),
        ));
    }
    Ok(note)
}

/// The internal id and `person_id` of the record a flag names, in the data set
/// the tenant searches.
async fn record(
    state: &AppState,
    tenant: &Tenant,
    person_id: Option<&str>,
    prospect: Option<&str>,
) -> Result<(u32, String), ApiError> {
    let data = state.data(tenant.mode).await?;
    let missing = || ApiError::not_found("No such record.");
    match (person_id, prospect) {
        (Some(pid), None) => {
            let id = data
                .store
                .person_by_person_id(pid)
                .await?
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(missing)?;
            Ok((id, pid.to_owned()))
        }
        (None, Some(p)) => {
            let id = prospect_id::decode(p).ok_or_else(|| {
                body_error("prospect_id", "prospect_id is not a prospect id (pr_…)")
            })?;
            let pid = data.store.person_id_of(id).await?.ok_or_else(missing)?;
            Ok((id, pid))
        }
        _ => Err(body_error(
            "person_id",
            "name the record with exactly one of person_id and prospect_id",
        )),
    }
}

/// Reports a bad record from the partner's backend.
#[utoipa::path(post, path = "/v1/data-flags", tag = "data flags", security(("api_key" = [])),
    request_body = PartnerFlag,
    responses((status = 201, description = "Recorded; `credited` says whether units went back", body = FlagResult),
        (status = 400, description = "Invalid reason, note or record id", body = ErrorBody),
        (status = 403, description = "The key lacks the data scope", body = ErrorBody),
        (status = 404, description = "No such record or customer", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody)))]
pub async fn create_partner_flag(
    auth: PartnerAuth,
    State(state): State<AppState>,
    super::extract::Json(body): super::extract::Json<PartnerFlag>,
) -> Result<(StatusCode, Json<FlagResult>), ApiError> {
    let tenant = auth.require(Scope::Data)?;
    let reason = reason(&body.reason)?;
    let note = note(body.note)?;
    let customer = match body.partner_customer_id.as_deref() {
        Some(id) => Some(
            state
                .store
                .customer(&tenant, id)
                .await?
                .ok_or_else(|| ApiError::not_found("No such customer."))?
                .partner_customer_id,
        ),
        None => None,
    };
    let (person, person_id) = record(
        &state,
        &tenant,
        body.person_id.as_deref(),
        body.prospect_id.as_deref(),
    )
    .await?;
    let flagged = state
        .store
        .flag_record(&NewFlag {
            tenant: &tenant,
            customer: customer.as_deref(),
            person,
            person_id: &person_id,
            reason,
            note: note.as_deref(),
            source: FlagSource::Api,
            demote_after: state.config.bounced_flags_to_demote,
            now: now_unix(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(result(flagged))))
}

/// Reports a bad record from the widget: "Report a problem" on an owned record.
#[utoipa::path(post, path = "/v1/prospecting/data-flags", tag = "prospecting", security(("embed_token" = [])),
    request_body = WidgetFlag,
    responses((status = 201, description = "Recorded; `credited` says whether units went back", body = FlagResult),
        (status = 400, description = "Invalid reason, note or prospect id", body = ErrorBody),
        (status = 401, description = "Missing, expired or invalid embed token", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody)))]
pub async fn create_widget_flag(
    auth: EmbedAuth,
    State(state): State<AppState>,
    super::extract::Json(body): super::extract::Json<WidgetFlag>,
) -> Result<(StatusCode, Json<FlagResult>), ApiError> {
    let reason = reason(&body.reason)?;
    let note = note(body.note)?;
    let (person, person_id) = record(&state, &auth.tenant, None, Some(&body.prospect_id)).await?;
    let flagged = state
        .store
        .flag_record(&NewFlag {
            tenant: &auth.tenant,
            customer: Some(auth.customer_id()),
            person,
            person_id: &person_id,
            reason,
            note: note.as_deref(),
            source: FlagSource::Widget,
            demote_after: state.config.bounced_flags_to_demote,
            now: now_unix(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(result(flagged))))
}

/// The partner's flags, newest first.
#[utoipa::path(get, path = "/v1/data-flags", tag = "data flags", security(("api_key" = [])),
    params(FlagParams),
    responses((status = 200, description = "A page of flags", body = FlagList),
        (status = 400, description = "Invalid limit or cursor", body = ErrorBody),
        (status = 403, description = "The key lacks the data scope", body = ErrorBody)))]
pub async fn list_flags(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<FlagParams>,
) -> Result<Json<FlagList>, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    let limit = page_limit("limit", params.limit, 50, 100)?;
    let list = format!("data_flags:{}:{}", tenant.partner_id, tenant.mode.as_str());
    let before = params
        .cursor
        .as_deref()
        .map(|c| state.cursors.decode_list(&list, c).map_err(cursor_error))
        .transpose()?;
    let mut rows = state
        .store
        .data_flags(Some(&tenant), before.as_deref(), limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(state.cursors.encode_list(&list, &last.flag_id)),
        _ => None,
    };
    Ok(Json(FlagList {
        data: rows.into_iter().map(view).collect(),
        pagination: ListPagination { limit, next_cursor },
    }))
}

pub fn partner_router() -> Router<AppState> {
    Router::new().route("/v1/data-flags", post(create_partner_flag).get(list_flags))
}

pub fn embed_router() -> Router<AppState> {
    Router::new().route("/v1/prospecting/data-flags", post(create_widget_flag))
}
