//! Quarry's server: the HTTP API, the store over SQLite or PostgreSQL, and the
//! operator's data tools. `main.rs` only parses the command line and calls in here, so
//! tests run the same code in-process.
#![forbid(unsafe_code)]

pub mod changes;
pub mod cli;
pub mod config;
pub mod data;
pub mod datasets;
pub mod delivery;
pub mod demo;
pub mod embed;
pub mod http;
pub mod jobs;
pub mod partners;
pub mod progress;
pub mod prospecting;
pub mod purge;
pub mod records;
pub mod search;
pub mod seed;
pub mod store;
pub mod telemetry;
pub mod wallet;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

pub use config::ServeConfig;
pub use store::Store;

/// Serves the API on `listener` until `shutdown` completes, then drains requests.
/// Tests pass a listener bound to port 0.
pub async fn run(
    config: ServeConfig,
    store: Store,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = http::AppState::build(store.clone(), config)
        .await
        .map_err(std::io::Error::other)?;
    let data_moved = std::sync::Arc::new(tokio::sync::Notify::new());
    let feed = changes::ChangeFeed::start(store.clone(), state.access.clone(), data_moved.clone())
        .await
        .map_err(std::io::Error::other)?;
    let feed = feed.spawn();
    let refresher = state
        .datasets
        .live()
        .search
        .spawn_refresher(store, data_moved);
    let worker = state
        .deliverer
        .clone()
        .spawn_worker(std::time::Duration::from_secs(1));
    // Replicas on one PostgreSQL share their rate-limit counts; a SQLite file
    // serves one process.
    let sharing = (state.store.backend() == store::Backend::Postgres).then(|| {
        let replica = partners::ids::new_id("replica");
        state
            .limiter
            .clone()
            .spawn_sharing(state.store.clone(), replica)
    });
    let watcher = state.watcher.clone().spawn(std::time::Duration::from_secs(
        state.config.index_refresh_secs,
    ));
    let jobs = (state.config.job_workers > 0)
        .then(|| state.jobs.clone().spawn(std::time::Duration::from_secs(1)));
    let counts = {
        let (usage, store) = (state.usage.clone(), state.store.clone());
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                interval.tick().await;
                if let Err(e) = usage.flush(&store).await {
                    tracing::warn!(error = %e, "could not store usage counts");
                }
            }
        })
    };
    let purger = purge::spawn(
        state.store.clone(),
        purge::Retention {
            every: std::time::Duration::from_secs(state.config.purge_interval_secs),
            delivered_bodies_secs: i64::try_from(state.config.delivered_body_retention_secs)
                .unwrap_or(i64::MAX),
        },
    );
    let (usage, flush_store) = (state.usage.clone(), state.store.clone());
    let app = http::router(state);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    refresher.abort();
    for task in feed {
        task.abort();
    }
    worker.abort();
    watcher.abort();
    if let Some(sharing) = sharing {
        sharing.abort();
    }
    if let Some(jobs) = jobs {
        jobs.abort();
    }
    counts.abort();
    purger.abort();
    // Usage counted since the last flush is kept.
    if let Err(e) = usage.flush(&flush_store).await {
        tracing::warn!(error = %e, "could not store usage counts at shutdown");
    }
    served
}
