//! Liveness and readiness: `/healthz` answers while the process runs; `/readyz` also
//! checks that the database answers, so a load balancer stops routing to a replica
//! that lost it.

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use quarry_shared::{ErrorBody, Health};

use super::error::ApiError;
use super::AppState;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn get_healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: VERSION.into(),
        database: None,
    })
}

/// The process is up and its database answers within two seconds.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unavailable", body = ErrorBody)))]
pub async fn get_readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => Ok(Json(Health {
            status: "ok".into(),
            version: VERSION.into(),
            database: Some(state.store.backend().as_str().into()),
        })),
        Ok(Err(e)) => Err(ApiError::Unavailable(e)),
        Err(_) => Err(ApiError::Unavailable(crate::store::StoreError::Database(
            sqlx::Error::PoolTimedOut,
        ))),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(get_healthz))
        .route("/readyz", get(get_readyz))
}
