//! The OpenAPI 3.1 document at `GET /v1/openapi.json`, generated from the handlers'
//! annotations so it cannot drift from the code.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::query_params::QueryParamsAddon;
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
        super::search_jobs::create_search_job,
        super::search_jobs::get_search_job,
        super::search_jobs::list_search_jobs,
        super::search_jobs::cancel_search_job,
        super::companies::search_companies,
        super::companies::list_company_people,
        super::companies::list_domains,
        super::embed_keys::create_embed_key,
        super::embed_keys::list_embed_keys,
        super::embed_keys::get_embed_key,
        super::embed_keys::update_embed_key,
        super::embed_keys::revoke_embed_key,
        super::embed_keys::rotate_webhook_secret,
        super::embed_sessions::create_embed_session,
        super::embed_sessions::mint_embed_session,
        super::partner_customers::create_partner_customer,
        super::partner_customers::list_partner_customers,
        super::partner_customers::get_partner_customer,
        super::partner_customers::update_partner_customer,
        super::suppressions::add_suppressions,
        super::suppressions::list_suppressions,
        super::suppressions::remove_suppressions,
        super::wallets::get_customer_wallet,
        super::wallets::create_wallet_credits,
        super::wallets::get_wallet_ledger,
        super::wallets::get_prospecting_wallet,
        super::prospecting::start_prospecting_session,
        super::prospecting::get_prospecting_session,
        super::prospecting::get_prospecting_taxonomy,
        super::prospecting::quote::quote_selection,
        super::prospecting::export::export_selection,
        super::prospecting::push::push_selection,
        super::data_flags::create_partner_flag,
        super::data_flags::list_flags,
        super::data_flags::create_widget_flag,
        super::saved_searches::list_own,
        super::saved_searches::save_own,
        super::saved_searches::delete_own,
        super::saved_searches::run_own,
        super::saved_searches::seen_own,
        super::saved_searches::list_for_customer,
        super::saved_searches::save_for_customer,
        super::saved_searches::get_for_customer,
        super::saved_searches::delete_for_customer,
        super::deliveries::list_deliveries,
        super::deliveries::get_delivery,
        super::deliveries::retry_delivery,
        super::webhook_endpoints::create_endpoint,
        super::webhook_endpoints::list_endpoints,
        super::webhook_endpoints::get_endpoint,
        super::webhook_endpoints::update_endpoint,
        super::webhook_endpoints::delete_endpoint,
        super::webhook_endpoints::rotate_secret,
        super::usage::get_usage,
    ),
    modifiers(&SecurityAddon, &QueryParamsAddon),
    components(schemas(quarry_shared::ErrorBody, quarry_shared::ErrorDetail, quarry_shared::Health)),
    tags(
        (name = "operations", description = "Health, readiness and the error registry"),
        (name = "data", description = "People and company search and lookup"),
        (name = "embed keys", description = "Browser-safe loader keys with their origin allowlist and customer defaults"),
        (name = "partner customers", description = "The partner's customers and their settings"),
        (name = "suppressions", description = "Contacts a customer already has (e-mails, domains, person ids), left out of net-new search"),
        (name = "wallets", description = "Customer wallets: credit grants, balances, limits and the ledger"),
        (name = "data flags", description = "Reports of bad records; a recent purchase is credited back once"),
        (name = "usage", description = "Requests, billable records and credits over a date range"),
        (name = "deliveries", description = "The log of pushes and webhook events sent to partners, and replay"),
        (name = "webhooks", description = "Endpoints that receive events (async search jobs, failed pushes), signed with Standard Webhooks"),
        (name = "prospecting", description = "Embed sessions and the routes the iframe calls with its embed token"),
    ),
)]
pub struct ApiDoc;

/// Declares the two credentials: a partner's secret key and an embed token.
struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A partner's secret key (`qk_live_…` or `qk_test_…`), also accepted as `x-api-key`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "embed_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The embed token from POST /v1/prospecting/embed-sessions.",
                    ))
                    .build(),
            ),
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
