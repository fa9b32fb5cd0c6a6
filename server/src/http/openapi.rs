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
        super::persons::search_persons,
        super::persons::get_search_taxonomy,
        super::persons::lookup_persons,
        super::companies::search_companies,
        super::companies::list_company_people,
        super::companies::list_domains,
    ),
    modifiers(&SecurityAddon),
    components(schemas(quarry_shared::ErrorBody, quarry_shared::ErrorDetail, quarry_shared::Health)),
    tags(
        (name = "operations", description = "Health, readiness and the error registry"),
        (name = "data", description = "People and company search and lookup"),
    ),
)]
pub struct ApiDoc;

/// Declares the API-key scheme the data routes use.
struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

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
