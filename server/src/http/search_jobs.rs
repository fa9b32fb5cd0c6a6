//! `/v1/persons/search/jobs`: async person search (PRODUCT.md §7, the 202 +
//! poll pattern). Creation checks everything the sync search checks, with the
//! same answers (parameters, interpretation, cursor), bills nothing and stores
//! the prepared search; the job runner does the rest (see [`crate::jobs`]).
//! A poller gets `Retry-After` until the job ends; results are kept for the
//! retention period, then the job answers `410 job_expired`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use quarry_shared::interpret::Interpretation;
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::{page_limit, parse_json, require_json, Query};
use super::partner_customers::ListPagination;
use super::persons::SearchParams;
use super::{iso8601, AppState};
use crate::jobs::{JobPage, JobResult, JobStatus};
use crate::partners::ids::new_sorted_id;
use crate::partners::keys::Scope;
use crate::search::people::{self, cursor_error, SearchStrategy};
use crate::store::{now_unix, Cancel, JobRow, NewJob, QueueFull, StoreError};

/// Seconds a poller is asked to wait while a job has not ended.
const POLL_AFTER_SECS: &str = "1";

/// An async search job. A succeeded one carries the sync search's page
/// (`pagination`, `data`, `billable_records`, …); a failed one `error`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub job_id: String,
    pub status: JobStatus,
    pub search_strategy: SearchStrategy,
    /// What the search was understood to ask for, stored at creation: the
    /// worker runs exactly this.
    pub interpretation: Interpretation,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// When the result stops being kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub result: Option<JobResult>,
    /// A failed job's stable error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobList {
    /// Jobs without their results (GET one for its page).
    pub data: Vec<JobView>,
    pub pagination: ListPagination,
}

fn stored<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T, ApiError> {
    serde_json::from_str(json)
        .map_err(|e| ApiError::from(StoreError::Corrupt(format!("stored job {what}: {e}"))))
}

fn view(job: JobRow, with_result: bool) -> Result<JobView, ApiError> {
    let result = match (&job.result, with_result) {
        (Some(json), true) => Some(stored::<JobResult>("result", json)?),
        _ => None,
    };
    Ok(JobView {
        interpretation: stored("interpretation", &job.interpretation)?,
        job_id: job.job_id,
        status: job.status,
        search_strategy: job.search_strategy,
        created_at: iso8601(job.created_at),
        started_at: job.started_at.map(iso8601),
        finished_at: job.finished_at.map(iso8601),
        expires_at: job.expires_at.map(iso8601),
        result,
        error: job.error_code,
        error_message: job.error_message,
    })
}

/// The job's path.
fn location(id: &str) -> String {
    format!("/v1/persons/search/jobs/{id}")
}

/// Refuses an id that cannot be a job's (`job_` + 25 letters and digits).
fn check_id(id: &str) -> Result<(), ApiError> {
    let ok = id
        .strip_prefix("job_")
        .is_some_and(|rest| rest.len() == 25 && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            ErrorCode::InvalidParameter,
            "job_id",
            "job_id is not a job id (job_ followed by 25 letters and digits)",
        ))
    }
}

/// Queues a person search; answers at once with the stored interpretation.
#[utoipa::path(post, path = "/v1/persons/search/jobs", tag = "data",
    security(("api_key" = [])),
    request_body(content = SearchParams, description = "The parameters of `GET /v1/persons/search`, as JSON (lists as arrays)"),
    responses((status = 403, description = "The key lacks the data scope", body = ErrorBody),
        (status = 202, description = "Queued; poll the `Location` until it ends", body = JobView,
            headers(("location" = String, description = "The job"), ("retry-after" = String, description = "Seconds before the first poll"))),
        (status = 400, description = "Invalid parameter, body or cursor", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "Nothing in q was understood; the body carries the interpretation", body = ErrorBody),
        (status = 429, description = "Too many queued jobs (or requests); see retry-after", body = ErrorBody)))]
pub async fn create_search_job(
    auth: PartnerAuth,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let params: SearchParams = parse_json(&body)?;
    let query = params.validate()?;
    let tenant = auth.require(Scope::Data)?;
    let scope = auth.dedupe_scope();
    let dataset = state.data(tenant.mode).await?;
    let index = dataset.search.index();
    let prepared = people::prepare(&query, &scope, &index)?;
    prepared.check_cursor(&state.cursors, query.cursor.as_deref())?;
    let job_id = new_sorted_id("job");
    let text = |what: &str, r: serde_json::Result<String>| {
        r.map_err(|e| ApiError::Internal(anyhow::anyhow!("job {what}: {e}")))
    };
    let page = JobPage {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let new = NewJob {
        job_id: &job_id,
        scope: &scope,
        search_strategy: prepared.strategy(),
        request: &text("request", serde_json::to_string(&page))?,
        prepared: &text("search", serde_json::to_string(&prepared))?,
        interpretation: &text(
            "interpretation",
            serde_json::to_string(&prepared.interpretation),
        )?,
    };
    let job = match state
        .store
        .create_search_job(&tenant, &new, state.config.max_queued_jobs, now_unix())
        .await?
    {
        Ok(job) => job,
        Err(QueueFull(max)) => {
            return Err(ApiError::new(
                ErrorCode::JobQueueFull,
                format!("{max} of your search jobs are queued already; retry when some have run."),
            ))
        }
    };
    state.jobs.wake();
    let mut response = (StatusCode::ACCEPTED, Json(view(job, false)?)).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&location(&job_id)) {
        headers.insert(axum::http::header::LOCATION, value);
    }
    headers.insert(
        axum::http::header::RETRY_AFTER,
        HeaderValue::from_static(POLL_AFTER_SECS),
    );
    Ok(response)
}

/// A job: `Retry-After` until it ends, then its page or its error.
#[utoipa::path(get, path = "/v1/persons/search/jobs/{job_id}", tag = "data",
    security(("api_key" = [])),
    params(("job_id" = String, Path, description = "Job id returned by POST /v1/persons/search/jobs")),
    responses((status = 403, description = "The key lacks the data scope", body = ErrorBody),
        (status = 200, description = "The job; with its page once succeeded", body = JobView,
            headers(("retry-after" = String, description = "While queued or running: seconds before polling again"))),
        (status = 400, description = "Not a job id", body = ErrorBody),
        (status = 404, description = "No such job for this partner and mode", body = ErrorBody),
        (status = 410, description = "The job's result is no longer kept", body = ErrorBody)))]
pub async fn get_search_job(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    check_id(&id)?;
    let job = state
        .store
        .search_job(&tenant, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("No search job with this id."))?;
    let expired = job.expires_at.is_some_and(|at| at <= now_unix())
        || (job.status == JobStatus::Succeeded && job.result.is_none());
    if expired {
        return Err(ApiError::new(
            ErrorCode::JobExpired,
            "This job ended longer ago than results are kept; queue the search again.",
        ));
    }
    let pending = job.status.is_pending();
    let mut response = Json(view(job, true)?).into_response();
    if pending {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from_static(POLL_AFTER_SECS),
        );
    }
    Ok(response)
}

/// Filters and paging of `GET /v1/persons/search/jobs`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct JobListParams {
    /// Only jobs in this status.
    #[param(value_type = Option<JobStatus>)]
    pub status: Option<String>,
    /// Page size, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The partner's jobs, newest first, without their results.
#[utoipa::path(get, path = "/v1/persons/search/jobs", tag = "data",
    security(("api_key" = [])), params(JobListParams),
    responses((status = 403, description = "The key lacks the data scope", body = ErrorBody),
        (status = 200, description = "A page of jobs", body = JobList),
        (status = 400, description = "Invalid filter, limit or cursor", body = ErrorBody)))]
pub async fn list_search_jobs(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<JobListParams>,
) -> Result<Json<JobList>, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    let limit = page_limit("limit", params.limit, 50, 100)?;
    let status = params
        .status
        .as_deref()
        .map(|s| {
            JobStatus::parse(s).ok_or_else(|| {
                ApiError::field(
                    ErrorCode::InvalidParameter,
                    "status",
                    "status is one of queued, running, succeeded, failed, cancelled",
                )
            })
        })
        .transpose()?;
    let list = format!("search_jobs:{}:{}", tenant.partner_id, tenant.mode.as_str());
    let before = params
        .cursor
        .as_deref()
        .map(|c| state.cursors.decode_list(&list, c).map_err(cursor_error))
        .transpose()?;
    let mut rows = state
        .store
        .search_jobs(&tenant, status, before.as_deref(), limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(state.cursors.encode_list(&list, &last.job_id)),
        _ => None,
    };
    Ok(Json(JobList {
        data: rows
            .into_iter()
            .map(|job| view(job, false))
            .collect::<Result<_, _>>()?,
        pagination: ListPagination { limit, next_cursor },
    }))
}

/// Cancels a queued job (nothing was billed, nothing will run).
#[utoipa::path(delete, path = "/v1/persons/search/jobs/{job_id}", tag = "data",
    security(("api_key" = [])),
    params(("job_id" = String, Path, description = "Job id")),
    responses((status = 403, description = "The key lacks the data scope", body = ErrorBody),
        (status = 200, description = "The cancelled job", body = JobView),
        (status = 400, description = "Not a job id", body = ErrorBody),
        (status = 404, description = "No such job for this partner and mode", body = ErrorBody),
        (status = 409, description = "The job is running or has ended", body = ErrorBody)))]
pub async fn cancel_search_job(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    check_id(&id)?;
    match state
        .store
        .cancel_search_job(&tenant, &id, now_unix())
        .await?
    {
        Some(Cancel::Cancelled(job)) => Ok(Json(view(job, false)?)),
        Some(Cancel::TooLate(job)) => Err(ApiError::new(
            ErrorCode::JobNotCancellable,
            format!(
                "The job is {}; only a queued job can be cancelled.",
                job.status.as_str()
            ),
        )),
        None => Err(ApiError::not_found("No search job with this id.")),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/persons/search/jobs",
            get(list_search_jobs).post(create_search_job),
        )
        .route(
            "/v1/persons/search/jobs/{job_id}",
            get(get_search_job).delete(cancel_search_job),
        )
}
