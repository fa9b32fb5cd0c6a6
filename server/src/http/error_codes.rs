//! `GET /v1/errors`: the registry of stable error codes, with status and whether a
//! retry can help, so partners can write their error handling against it.

use axum::routing::get;
use axum::{Json, Router};
use quarry_shared::{ErrorCode, ErrorCodeInfo};
use serde::Serialize;

use super::AppState;

/// The error registry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorCodeList {
    pub data: Vec<ErrorCodeInfo>,
}

/// Every stable error code.
#[utoipa::path(get, path = "/v1/errors", tag = "operations",
    responses((status = 200, description = "The error registry", body = ErrorCodeList)))]
pub async fn list_errors() -> Json<ErrorCodeList> {
    Json(ErrorCodeList {
        data: ErrorCode::ALL.iter().map(|&c| c.into()).collect(),
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/errors", get(list_errors))
}
