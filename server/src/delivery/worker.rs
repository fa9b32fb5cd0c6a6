//! Sending delivery jobs. A round sends the chunks still pending, in order, under
//! a [`Claim`]: the lease is renewed before each chunk and every write checks the
//! claim's token, so a round that lost its claim stops without writing. The round
//! stops at the first failure; every attempt is logged; the job is then delivered,
//! scheduled again (growing, jittered delays; `retry-after` honoured), `gone`
//! after a 410, or `failed` once the schedule is exhausted. The worker loop claims
//! due jobs, so each attempt is sent by one replica, and a restart finds them again.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

use super::events::{delivery_failed_event, FailedPush};
use super::schedule::next_delay;
use super::sender::{Attempt, Sender};
use super::signing::signature_header;
use super::DeliveryStatus;
use crate::store::{
    now_unix, Claim, DeliveryRow, DeliveryTarget, EmbedKey, NewAttempt, RoundEffects, RoundResult,
    Store, StoreError, WebhookEndpoint,
};

/// Rounds the worker sends at the same time (a slow partner holds one of them,
/// not the whole queue). A push's or a replay's first round runs beside them,
/// bounded by the requests that start them.
const CONCURRENT_ROUNDS: usize = 16;

/// Why a round could not run (the partner's answers are never errors).
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another sender took the delivery over (this one outlived its lease).
    #[error("the claim on delivery {0} was lost; another sender holds it")]
    LostClaim(String),
}

/// Where a delivery stood when a caller stopped waiting for its round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub status: DeliveryStatus,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

impl From<RoundResult> for Progress {
    fn from(round: RoundResult) -> Progress {
        Progress {
            status: round.status,
            last_status: round.last_status.and_then(|s| u16::try_from(s).ok()),
            last_error: round.last_error,
        }
    }
}

impl Progress {
    /// The round is still running (or could not run): the worker has it.
    fn running() -> Progress {
        Progress {
            status: DeliveryStatus::Pending,
            last_status: None,
            last_error: None,
        }
    }
}

/// Sends delivery jobs.
#[derive(Debug, Clone)]
pub struct Deliverer {
    store: Store,
    sender: Sender,
    schedule: Vec<u64>,
    /// An endpoint failing every attempt for this long is disabled.
    disable_after_secs: i64,
    /// The worker's rounds in flight.
    rounds: Arc<tokio::sync::Semaphore>,
    /// Wakes the worker when this process commits new deliveries (other
    /// replicas find them on their next poll).
    due: Arc<tokio::sync::Notify>,
}

/// What signs a delivery's messages.
enum Signer {
    Key(Box<Option<EmbedKey>>),
    Endpoint(Box<Option<WebhookEndpoint>>),
}

impl Signer {
    async fn of(store: &Store, delivery: &DeliveryRow) -> Result<Signer, StoreError> {
        Ok(match &delivery.target {
            DeliveryTarget::Push { embed_key_id, .. } => {
                Signer::Key(Box::new(store.embed_key_by_id(embed_key_id).await?))
            }
            DeliveryTarget::Endpoint { endpoint_id } => {
                Signer::Endpoint(Box::new(store.webhook_endpoint_by_id(endpoint_id).await?))
            }
        })
    }

    /// The endpoint was deleted.
    fn is_gone(&self) -> bool {
        matches!(self, Signer::Endpoint(e) if e.is_none())
    }

    /// The secrets at `now`, or why nothing may be sent.
    fn secrets(&self, now: i64) -> Result<Vec<&str>, &'static str> {
        match self {
            Signer::Key(key) => {
                let key: &Option<EmbedKey> = key;
                let secrets = key
                    .as_ref()
                    .map(|k| k.webhook_secrets(now))
                    .unwrap_or_default();
                if secrets.is_empty() {
                    Err("the embed key has no webhook signing secret; nothing was sent")
                } else {
                    Ok(secrets)
                }
            }
            Signer::Endpoint(endpoint) => match endpoint.as_ref() {
                None => Err("the webhook endpoint was deleted; nothing was sent"),
                Some(e) if e.disabled.is_some() => {
                    Err("the webhook endpoint is disabled; nothing was sent")
                }
                Some(e) => Ok(e.secrets(now)),
            },
        }
    }
}

/// The `webhook-id` of one chunk: stable across retries, unique per message.
pub fn webhook_id(delivery_id: &str, chunk: i64) -> String {
    format!("{delivery_id}.{chunk}")
}

impl Deliverer {
    pub fn new(
        store: Store,
        sender: Sender,
        schedule: Vec<u64>,
        disable_after_secs: i64,
    ) -> Deliverer {
        Deliverer {
            store,
            sender,
            schedule,
            disable_after_secs,
            rounds: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_ROUNDS)),
            due: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Tells the worker that deliveries were just committed.
    pub fn wake(&self) {
        self.due.notify_one();
    }

    /// Runs a round for `claim` in the background and waits for it at most
    /// `wait`. The round goes on after the wait (the caller's answer then says
    /// `pending`); the claim keeps the worker away until it ends.
    pub async fn deliver(self: &Arc<Self>, claim: Claim, wait: Duration) -> Progress {
        let deliverer = Arc::clone(self);
        let id = claim.delivery.delivery_id.clone();
        let round = tokio::spawn(async move { deliverer.run_round(&claim).await });
        match tokio::time::timeout(wait, round).await {
            Ok(Ok(Ok(round))) => round.into(),
            Ok(Ok(Err(e))) => {
                tracing::error!(delivery_id = %id, error = %e, "delivery round failed");
                Progress::running()
            }
            Ok(Err(e)) => {
                tracing::error!(delivery_id = %id, error = %e, "delivery round panicked");
                Progress::running()
            }
            Err(_) => Progress::running(),
        }
    }

    /// One round for a job the caller holds.
    pub async fn run_round(&self, claim: &Claim) -> Result<RoundResult, DeliveryError> {
        let delivery = &claim.delivery;
        let lost = || DeliveryError::LostClaim(delivery.delivery_id.clone());
        let signer = Signer::of(&self.store, delivery).await?;
        let mut last: Option<Attempt> = None;
        let mut all_sent = true;
        for chunk in self.store.pending_chunks(&delivery.delivery_id).await? {
            let now = now_unix();
            // A claim taken moments ago needs no renewal before its first chunk.
            let fresh = delivery
                .claimed_until
                .is_some_and(|until| until - now > self.store.delivery_lease_secs() * 2 / 3);
            let renew = !fresh || last.is_some();
            if renew && !self.store.renew_claim(claim, now).await? {
                return Err(lost());
            }
            let id = webhook_id(&delivery.delivery_id, chunk.chunk);
            let body = chunk.body.into_bytes();
            let mut headers = vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("quarry-event-type".to_owned(), delivery.event_type.clone()),
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
            // Never unsigned: a partner could not tell a push from a forgery.
            let attempt = match signer.secrets(now) {
                Err(why) => Attempt::not_sent(why),
                Ok(secrets) => {
                    headers.push((
                        "webhook-signature".to_owned(),
                        signature_header(&secrets, &id, now, &body),
                    ));
                    self.sender.post(&delivery.url, &headers, body).await
                }
            };
            let ok = attempt.succeeded();
            let recorded = self
                .store
                .record_attempt(
                    claim,
                    &NewAttempt {
                        chunk: chunk.chunk,
                        at: now,
                        status_code: attempt.status.map(i64::from),
                        latency_ms: attempt.latency_ms,
                        error: attempt.error.as_deref(),
                        delivered: ok,
                    },
                )
                .await?;
            if !recorded {
                return Err(lost());
            }
            last = Some(attempt);
            if !ok {
                all_sent = false;
                break;
            }
        }
        let now = now_unix();
        let mut result = self.decide(delivery.attempts, all_sent, last.as_ref(), now);
        if signer.is_gone() {
            // Nothing will ever take it: failed now, not retried for days.
            result.status = DeliveryStatus::Failed;
            result.next_attempt_at = None;
        }
        let effects = RoundEffects {
            disable_after_secs: self.disable_after_secs,
            event: failed_push_event(delivery, &result, now),
        };
        if !self
            .store
            .finish_round_with(claim, &result, now, &effects)
            .await?
        {
            return Err(lost());
        }
        if effects.event.is_some() {
            self.wake();
        }
        Ok(result)
    }

    /// What a round that made `attempts` rounds before it ends in.
    fn decide(
        &self,
        attempts: i64,
        all_sent: bool,
        last: Option<&Attempt>,
        now: i64,
    ) -> RoundResult {
        let last_status = last.and_then(|a| a.status).map(i64::from);
        let last_error = last.and_then(|a| a.error.clone());
        if all_sent {
            return RoundResult {
                status: DeliveryStatus::Delivered,
                next_attempt_at: None,
                last_status,
                last_error: None,
            };
        }
        if last.is_some_and(Attempt::gone) {
            return RoundResult {
                status: DeliveryStatus::Gone,
                next_attempt_at: None,
                last_status,
                last_error,
            };
        }
        let failed = usize::try_from(attempts)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let jitter: f64 = rand::rng().random();
        let retry_after = last.and_then(|a| a.retry_after);
        match next_delay(&self.schedule, failed, jitter, retry_after) {
            Some(delay) => RoundResult {
                status: DeliveryStatus::Pending,
                next_attempt_at: Some(now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX))),
                last_status,
                last_error,
            },
            None => RoundResult {
                status: DeliveryStatus::Failed,
                next_attempt_at: None,
                last_status,
                last_error,
            },
        }
    }

    /// Waits for a free round slot, then claims as many due jobs as there are
    /// free slots, just before sending them (so no lease runs while a job waits),
    /// and starts each round on its own task; returns how many started. One slow
    /// partner never holds up the rest.
    pub async fn tick(self: &Arc<Self>) -> Result<usize, DeliveryError> {
        let Ok(first) = Arc::clone(&self.rounds).acquire_owned().await else {
            return Ok(0);
        };
        let limit = u32::try_from(self.rounds.available_permits() + 1).unwrap_or(u32::MAX);
        let due = self.store.claim_due_deliveries(now_unix(), limit).await?;
        let started = due.len();
        let mut first = Some(first);
        for claim in due {
            let permit = match first.take() {
                Some(permit) => permit,
                None => match Arc::clone(&self.rounds).acquire_owned().await {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let deliverer = Arc::clone(self);
            tokio::spawn(async move {
                if let Err(e) = deliverer.run_round(&claim).await {
                    tracing::error!(delivery_id = %claim.delivery.delivery_id, error = %e, "delivery round failed");
                }
                drop(permit);
            });
        }
        Ok(started)
    }

    /// Runs [`Deliverer::tick`] until the task is aborted: again at once while
    /// there is due work, else after `every` or when woken.
    pub fn spawn_worker(self: Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.tick().await {
                    Ok(started) if started > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "delivery worker tick failed"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = self.due.notified() => {}
                }
            }
        })
    }
}

/// The `delivery.failed` event of a push whose round ran out of retries.
fn failed_push_event(
    delivery: &DeliveryRow,
    result: &RoundResult,
    now: i64,
) -> Option<super::events::Event> {
    let DeliveryTarget::Push {
        partner_customer_id,
        purchase_id,
        ..
    } = &delivery.target
    else {
        return None;
    };
    (result.status == DeliveryStatus::Failed).then(|| {
        delivery_failed_event(
            &FailedPush {
                delivery_id: &delivery.delivery_id,
                partner_customer_id,
                purchase_id,
                search_id: delivery.search_id.as_deref(),
                attempts: delivery.attempts + 1,
                last_status: result.last_status,
                last_error: result.last_error.as_deref(),
            },
            now,
        )
    })
}
