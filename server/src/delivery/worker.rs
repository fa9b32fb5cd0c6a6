//! Sending delivery jobs: one round sends the chunks still pending, in order, and
//! stops at the first failure; every attempt is logged; the job is then delivered,
//! scheduled again (growing, jittered delays; `retry-after` honoured), `gone` after
//! a 410, or `failed` once the schedule is exhausted. The worker loop claims due
//! jobs with a lease, so each attempt is sent by one replica, and a restart simply
//! finds the jobs again.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

use super::schedule::next_delay;
use super::sender::{Attempt, Sender};
use super::signing::signature_header;
use crate::store::{now_unix, DeliveryRow, NewAttempt, RoundResult, Store, StoreError};

/// How long a claimed job is held by one sender.
const LEASE_SECS: i64 = 120;
/// Jobs claimed per worker tick.
const BATCH: u32 = 16;

/// Why a round could not run (the partner's answers are never errors).
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The end of one round, for the pushing request's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundOutcome {
    pub delivered: bool,
    /// The last HTTP status the partner answered in this round.
    pub last_status: Option<u16>,
    pub result: RoundResult,
}

/// Sends delivery jobs.
#[derive(Debug, Clone)]
pub struct Deliverer {
    store: Store,
    sender: Sender,
    schedule: Vec<u64>,
}

/// The `webhook-id` of one chunk: stable across retries, unique per message.
pub fn webhook_id(delivery_id: &str, chunk: i64) -> String {
    format!("{delivery_id}.{chunk}")
}

impl Deliverer {
    pub fn new(store: Store, dev: bool, timeout: Duration, schedule: Vec<u64>) -> Deliverer {
        Deliverer {
            store,
            sender: Sender::new(dev, timeout),
            schedule,
        }
    }

    /// One round for a job the caller holds.
    pub async fn run_round(&self, delivery: &DeliveryRow) -> Result<RoundOutcome, DeliveryError> {
        let key = self.store.embed_key_by_id(&delivery.embed_key_id).await?;
        let mut last: Option<Attempt> = None;
        let mut all_sent = true;
        for chunk in self.store.pending_chunks(&delivery.delivery_id).await? {
            let now = now_unix();
            let id = webhook_id(&delivery.delivery_id, chunk.chunk);
            let body = chunk.body.into_bytes();
            let secrets = key
                .as_ref()
                .map(|k| k.webhook_secrets(now))
                .unwrap_or_default();
            let mut headers = vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                (
                    "quarry-event-type".to_owned(),
                    "prospecting.records.pushed".to_owned(),
                ),
                (
                    "quarry-delivery-id".to_owned(),
                    delivery.delivery_id.clone(),
                ),
                ("webhook-id".to_owned(), id.clone()),
                ("webhook-timestamp".to_owned(), now.to_string()),
            ];
            if let Some(search_id) = &delivery.search_id {
                headers.push(("quarry-search-id".to_owned(), search_id.clone()));
            }
            if !secrets.is_empty() {
                headers.push((
                    "webhook-signature".to_owned(),
                    signature_header(&secrets, &id, now, &body),
                ));
            }
            let attempt = self.sender.post(&delivery.url, &headers, body).await;
            let ok = attempt.succeeded();
            self.store
                .record_attempt(&NewAttempt {
                    delivery_id: &delivery.delivery_id,
                    chunk: chunk.chunk,
                    at: now,
                    status_code: attempt.status.map(i64::from),
                    latency_ms: attempt.latency_ms,
                    error: attempt.error.as_deref(),
                    delivered: ok,
                })
                .await?;
            last = Some(attempt);
            if !ok {
                all_sent = false;
                break;
            }
        }
        let now = now_unix();
        let last_status = last.as_ref().and_then(|a| a.status);
        let last_error = last.as_ref().and_then(|a| a.error.clone());
        let result = if all_sent {
            RoundResult {
                status: "delivered",
                next_attempt_at: None,
                last_status: last_status.map(i64::from),
                last_error: None,
            }
        } else if last.as_ref().is_some_and(Attempt::gone) {
            RoundResult {
                status: "gone",
                next_attempt_at: None,
                last_status: last_status.map(i64::from),
                last_error,
            }
        } else {
            let failed = usize::try_from(delivery.attempts)
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let jitter: f64 = rand::rng().random();
            let retry_after = last.as_ref().and_then(|a| a.retry_after);
            match next_delay(&self.schedule, failed, jitter, retry_after) {
                Some(delay) => RoundResult {
                    status: "pending",
                    next_attempt_at: Some(
                        now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX)),
                    ),
                    last_status: last_status.map(i64::from),
                    last_error,
                },
                None => RoundResult {
                    status: "failed",
                    next_attempt_at: None,
                    last_status: last_status.map(i64::from),
                    last_error,
                },
            }
        };
        self.store
            .finish_round(&delivery.delivery_id, &result, now)
            .await?;
        Ok(RoundOutcome {
            delivered: result.status == "delivered",
            last_status,
            result,
        })
    }

    /// Claims and runs the jobs due now; returns how many rounds ran.
    pub async fn tick(&self) -> Result<usize, DeliveryError> {
        let now = now_unix();
        let due = self
            .store
            .claim_due_deliveries(now, now + LEASE_SECS, BATCH)
            .await?;
        for delivery in &due {
            if let Err(e) = self.run_round(delivery).await {
                tracing::error!(delivery_id = %delivery.delivery_id, error = %e, "delivery round failed");
            }
        }
        Ok(due.len())
    }

    /// Runs [`Deliverer::tick`] every `every` until the task is aborted.
    pub fn spawn_worker(self: Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if let Err(e) = self.tick().await {
                    tracing::warn!(error = %e, "delivery worker tick failed");
                }
            }
        })
    }
}
