//! The HTTP surface: shared state, the router that merges every resource's routes,
//! and the middleware stack every request passes through (request id → trace span →
//! error log → metrics → panic catcher → timeout).

pub mod auth;
pub mod companies;
pub mod error;
pub mod error_codes;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod persons;
pub mod request_id;
pub mod widget;

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use quarry_shared::ErrorCode;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::ServeConfig;
use crate::search::cursor::CursorCodec;
use crate::search::SearchService;
use crate::store::{Store, StoreError};
use error::ApiError;
use metrics::Metrics;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub config: Arc<ServeConfig>,
    pub search: SearchService,
    pub cursors: CursorCodec,
}

impl AppState {
    /// Builds the search index and loads the server's secrets.
    pub async fn build(store: Store, config: ServeConfig) -> Result<AppState, StoreError> {
        let search = SearchService::build(&store).await?;
        let cursors = CursorCodec::new(store.server_secret("cursor_signing").await?.as_bytes());
        Ok(AppState {
            store,
            metrics: Arc::new(Metrics::new()),
            config: Arc::new(config),
            search,
            cursors,
        })
    }
}

/// Every route, behind the common middleware.
pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    Router::new()
        .merge(health::router())
        .merge(error_codes::router())
        .merge(openapi::router())
        .merge(metrics::router())
        .merge(persons::router())
        .merge(companies::router())
        .merge(widget::router(&state.config.widget_dir))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(request_id::assign))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request| {
                            let id = request
                                .headers()
                                .get(&request_id::X_REQUEST_ID)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("");
                            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                        })
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(middleware::from_fn(error::log_errors))
                .layer(middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(middleware::from_fn_with_state(timeout, time_limit))
                .layer(DefaultBodyLimit::max(usize::try_from(state.config.max_body_bytes).unwrap_or(usize::MAX))),
        )
        .with_state(state)
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown panic".to_owned());
    ApiError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}

async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorCode::RequestTimeout,
            "The request took too long and was stopped.",
        )
        .into_response(),
    }
}
