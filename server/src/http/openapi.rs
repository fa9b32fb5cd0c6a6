//! The OpenAPI 3.1 document at `GET /v1/openapi.json`, generated from the handlers'
//! annotations so it cannot drift from the code.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quarry API",
        description = "Embeddable B2B prospecting: partner API, embed sessions and data search.",
    ),
    paths(
        super::health::get_healthz,
        super::health::get_readyz,
        super::error_codes::list_errors,
    ),
    components(schemas(quarry_shared::ErrorBody, quarry_shared::ErrorDetail, quarry_shared::Health)),
    tags((name = "operations", description = "Health, readiness and the error registry")),
)]
pub struct ApiDoc;

/// The generated document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn get_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/openapi.json", get(get_openapi))
}
