//! What the store keeps only for a while, purged in the background: stored
//! `Idempotency-Key` answers past their 24 hours, server-minted session secrets
//! past their five minutes, and the bodies of chunks delivered longer ago than the
//! retention (their attempts stay in the delivery log), and the results of async
//! search jobs past their expiry (the job then answers 410). One pass now and then is
//! enough: every reader checks expiry itself, so a late purge changes no answer.

use std::time::Duration;

use crate::store::{now_unix, Store, StoreError};

/// How often to purge and how long delivered bodies are kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub every: Duration,
    pub delivered_bodies_secs: i64,
}

/// What one pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub stored_answers: u64,
    pub session_secrets: u64,
    pub chunk_bodies: u64,
    pub job_results: u64,
}

/// One pass at `now`.
pub async fn once(store: &Store, retention: Retention, now: i64) -> Result<Purged, StoreError> {
    Ok(Purged {
        stored_answers: store.purge_idempotency(now).await?,
        session_secrets: store.purge_server_sessions(now).await?,
        chunk_bodies: store
            .purge_delivered_bodies(now.saturating_sub(retention.delivered_bodies_secs), now)
            .await?,
        job_results: store.purge_expired_jobs(now).await?,
    })
}

/// Purges every `retention.every` until the task is aborted.
pub fn spawn(store: Store, retention: Retention) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(retention.every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match once(&store, retention, now_unix()).await {
                Ok(p) if p != Purged::default() => tracing::info!(
                    stored_answers = p.stored_answers,
                    session_secrets = p.session_secrets,
                    chunk_bodies = p.chunk_bodies,
                    job_results = p.job_results,
                    "purged expired rows"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge failed; trying again later"),
            }
        }
    })
}
