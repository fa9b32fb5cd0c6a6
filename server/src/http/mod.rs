//! The HTTP surface: shared state, the router that merges every resource's routes,
//! and the middleware stack every request passes through (request id → trace span →
//! error log → metrics → panic catcher → timeout).

pub mod access;
pub mod auth;
pub mod companies;
pub mod data_flags;
pub mod deliveries;
pub mod effective;
pub mod embed_keys;
pub mod embed_sessions;
pub mod error;
pub mod error_codes;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod partner_customers;
pub mod persons;
pub mod prospecting;
pub mod query_params;
pub mod rate_limit;
pub mod request_id;
pub mod saved_searches;
pub mod search_jobs;
pub mod suppressions;
pub mod usage;
pub mod wallets;
pub mod webhook_endpoints;
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
use crate::datasets::{DataSet, DataSets};
use crate::delivery::sender::Sender;
use crate::delivery::worker::Deliverer;
use crate::embed::token::TokenKeys;
use crate::jobs::runner::{JobRunner, RunnerConfig};
use crate::partners::Mode;
use crate::search::cursor::CursorCodec;
use crate::search::SearchService;
use crate::store::{Store, StoreError};
use access::AccessCache;
use error::ApiError;
use metrics::Metrics;
use rate_limit::RateLimiter;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub config: Arc<ServeConfig>,
    /// The people searched: the operator's, or the sandbox's for test keys.
    pub datasets: Arc<DataSets>,
    pub cursors: CursorCodec,
    /// Signs and verifies embed tokens.
    pub tokens: Arc<TokenKeys>,
    pub limiter: Arc<RateLimiter>,
    /// Keys and embed access seen since the last change to them.
    pub access: Arc<AccessCache>,
    /// Sends pushes (at once from the request, later from the worker) and events.
    pub deliverer: Arc<Deliverer>,
    /// Runs queued async search jobs.
    pub jobs: Arc<JobRunner>,
    /// Announces watched saved searches' new matches after imports.
    pub watcher: Arc<crate::prospecting::saved::Watcher>,
    /// Who each customer's suppression list hides, cached per list version.
    pub suppressed: Arc<crate::search::suppressed::SuppressedPeople>,
    /// Partner usage (requests, data API records) not yet stored.
    pub usage: Arc<usage::UsageCounter>,
    /// Who may frame the widget, per embed key prefix.
    pub frame_ancestors: Arc<widget::FrameAncestors>,
}

impl AppState {
    /// Builds the search index, loads the server's secrets and makes the delivery
    /// client.
    pub async fn build(store: Store, config: ServeConfig) -> Result<AppState, BuildError> {
        let store =
            store.with_delivery_lease(crate::delivery::lease_secs(config.delivery_timeout_secs));
        let search = SearchService::start(&store, config.index_snapshot_dir.clone()).await?;
        let cursors = CursorCodec::new(store.server_secret("cursor_signing").await?.as_bytes());
        let tokens = token_keys(&store, &config).await?;
        let sender = Sender::new(
            config.dev,
            Duration::from_secs(config.delivery_timeout_secs),
        )
        .map_err(BuildError::DeliveryClient)?;
        let deliverer = Deliverer::new(
            store.clone(),
            sender,
            config.delivery_retry_schedule.clone(),
            config.webhook_disable_after_secs,
        );
        let datasets = Arc::new(DataSets::new(DataSet::live(store.clone(), search)));
        let deliverer = Arc::new(deliverer);
        let jobs = Arc::new(JobRunner::new(
            store.clone(),
            datasets.clone(),
            cursors.clone(),
            deliverer.clone(),
            &RunnerConfig {
                workers: config.job_workers,
                lease_secs: config.job_lease_secs,
                retention_secs: config.job_retention_secs,
            },
        ));
        let watcher = Arc::new(crate::prospecting::saved::Watcher::new(
            store.clone(),
            datasets.clone(),
            deliverer.clone(),
        ));
        Ok(AppState {
            store,
            metrics: Arc::new(Metrics::new()),
            config: Arc::new(config),
            datasets,
            cursors,
            tokens: Arc::new(tokens),
            limiter: Arc::new(RateLimiter::new()),
            access: Arc::new(AccessCache::default()),
            deliverer,
            jobs,
            suppressed: Default::default(),
            watcher,
            usage: Arc::new(usage::UsageCounter::default()),
            frame_ancestors: Arc::new(widget::FrameAncestors::default()),
        })
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client deliveries are sent with (no proxy, no redirects, public
    /// addresses only) cannot be made; no fallback client is used instead.
    #[error("the delivery client cannot be built: {0}")]
    DeliveryClient(reqwest::Error),
}

impl AppState {
    /// The data set a tenant of `mode` searches (built on first use for the sandbox).
    pub async fn data(&self, mode: Mode) -> Result<&DataSet, ApiError> {
        Ok(self.datasets.get(mode).await?)
    }
}

/// The configured embed-token secrets, or the one generated and kept in the
/// database for the embedded default.
async fn token_keys(store: &Store, config: &ServeConfig) -> Result<TokenKeys, StoreError> {
    let keys: Vec<(String, Vec<u8>)> = if config.embed_token_secrets.is_empty() {
        let secret = store.server_secret("embed_token_k1").await?;
        vec![("k1".to_owned(), secret.into_bytes())]
    } else {
        config
            .embed_token_secrets
            .iter()
            .map(|s| (s.kid.clone(), s.secret.expose().as_bytes().to_vec()))
            .collect()
    };
    TokenKeys::new(keys).map_err(|e| StoreError::Corrupt(format!("embed token secrets: {e}")))
}

/// RFC 3339 UTC time of unix seconds, as every answer shows times.
pub fn iso8601(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Unix seconds of an RFC 3339 time.
pub fn parse_iso8601(value: &str) -> Option<i64> {
    time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// A domain validation failure as a `400 invalid_body` naming `body.<field>`.
pub fn field_error(error: crate::partners::settings::FieldError) -> ApiError {
    ApiError::field(
        ErrorCode::InvalidBody,
        format!("body.{}", error.field),
        error.message,
    )
}

/// Every route, behind the common middleware.
pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let max_body = usize::try_from(state.config.max_body_bytes).unwrap_or(usize::MAX);
    let metrics = state.metrics.clone();
    // Every route a partner's secret key reaches, behind authentication and its
    // rate limit.
    let partner = Router::new()
        .merge(persons::router())
        .merge(companies::router())
        .merge(embed_keys::router())
        .merge(embed_sessions::partner_router())
        .merge(partner_customers::router())
        .merge(wallets::partner_router())
        .merge(deliveries::router())
        .merge(search_jobs::router())
        .merge(data_flags::partner_router())
        .merge(saved_searches::partner_router())
        .merge(suppressions::router())
        .merge(webhook_endpoints::router())
        .merge(usage::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotent,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::partner_gate,
        ));
    // The iframe's routes, behind the embed token (checked by each handler) and
    // its customer's rate limit.
    let embed = Router::new()
        .merge(wallets::embed_router())
        .merge(data_flags::embed_router())
        .merge(saved_searches::embed_router())
        .merge(prospecting::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotent,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::embed_gate,
        ));
    let routes = Router::new()
        .merge(health::router())
        .merge(error_codes::router())
        .merge(openapi::router())
        .merge(metrics::router())
        .merge(partner)
        .merge(embed_sessions::router())
        .merge(embed)
        .merge(widget::router(&state))
        // Every documented route refuses query parameters it does not take.
        .route_layer(middleware::from_fn(query_params::known_only));
    with_middleware(routes, metrics, timeout, max_body).with_state(state)
}

/// The fallbacks and the middleware stack every route runs behind.
fn with_middleware<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    metrics: Arc<Metrics>,
    timeout: Duration,
    max_body: usize,
) -> Router<S> {
    routes
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
                .layer(middleware::from_fn_with_state(metrics, metrics::track))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(middleware::from_fn_with_state(timeout, time_limit))
                .layer(DefaultBodyLimit::max(max_body)),
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::{get, post};
    use tower::ServiceExt;

    fn app() -> Router {
        let routes =
            Router::new()
                .route(
                    "/panic",
                    get(|| async {
                        if true {
                            panic!("boom");
                        }
                        "unreachable"
                    }),
                )
                .route(
                    "/slow",
                    get(|| async {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        "late"
                    }),
                )
                .route(
                    "/echo",
                    post(
                        |extract::Json(v): extract::Json<serde_json::Value>| async move {
                            axum::Json(v)
                        },
                    ),
                );
        with_middleware(
            routes,
            Arc::new(Metrics::new()),
            Duration::from_millis(200),
            1024,
        )
    }

    async fn call(request: axum::http::Request<Body>) -> (u16, quarry_shared::ErrorBody) {
        let response = app().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let body: quarry_shared::ErrorBody = serde_json::from_slice(&bytes).expect("the envelope");
        assert_eq!(body.error.request_id, id);
        (status, body)
    }

    fn get_req(path: &str) -> axum::http::Request<Body> {
        axum::http::Request::get(path).body(Body::empty()).unwrap()
    }

    fn post_json(body: &str, content_type: &str) -> axum::http::Request<Body> {
        axum::http::Request::post("/echo")
            .header("content-type", content_type)
            .body(Body::from(body.to_owned()))
            .unwrap()
    }

    #[tokio::test]
    async fn panics_become_a_500_envelope_without_details() {
        let (status, body) = call(get_req("/panic")).await;
        assert_eq!(status, 500);
        assert_eq!(body.error.code, "internal_error");
        assert!(
            !body.error.message.contains("boom"),
            "internals leaked: {}",
            body.error.message
        );
    }

    #[tokio::test]
    async fn slow_requests_time_out_with_the_envelope() {
        let (status, body) = call(get_req("/slow")).await;
        assert_eq!((status, body.error.code.as_str()), (408, "request_timeout"));
    }

    #[tokio::test]
    async fn body_errors_use_the_envelope() {
        let (status, body) = call(post_json(
            &format!("[\"{}\"]", "x".repeat(2_000)),
            "application/json",
        ))
        .await;
        assert_eq!(
            (status, body.error.code.as_str()),
            (413, "payload_too_large")
        );
        let (status, body) = call(post_json("{\"a\":", "application/json")).await;
        assert_eq!((status, body.error.code.as_str()), (400, "malformed_json"));
        let (status, body) = call(post_json("{}", "text/plain")).await;
        assert_eq!(
            (status, body.error.code.as_str()),
            (415, "unsupported_media_type")
        );
    }
}
